"""Unit tests of scripts/report_queues.py on a tiny bench_queues fixture.

Run: /usr/bin/python3 -m unittest scripts/test_report_queues.py
"""

import pathlib
import sys
import tempfile
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

import report_queues  # noqa: E402


def _bench(name, **fields):
    b = {"name": name, "run_type": "iteration", "real_time": 1.0, "time_unit": "ms"}
    b.update(fields)
    return b


BENCH = {"bench_queues": {"benchmarks": [
    _bench("queue_throughput/spsc.bounded/spsc_ring/1P1C", items_per_second=3.0e7),
    _bench("queue_throughput/spsc.bounded/boost_spsc_queue/1P1C", items_per_second=2.0e7),
    _bench("queue_throughput/mpmc.bounded/vyukov_mpmc_queue/1P1C", items_per_second=1.0e7),
    _bench("queue_throughput/mpmc.bounded/vyukov_mpmc_queue/2P2C", items_per_second=0.8e7),
    _bench("queue_throughput/mpmc.bounded/atomic_queue_b/1P1C", items_per_second=2.0e7),
    _bench("queue_throughput/mpmc.bounded/atomic_queue_b/2P2C", error_occurred=True, error_message="x"),
    _bench("queue_latency/spsc.bounded/spsc_ring", p50_ns=180.0, p99_ns=400.0, p999_ns=2000.0),
    _bench("queue_latency/mpmc.bounded/vyukov_mpmc_queue", p50_ns=250.0, p99_ns=600.0, p999_ns=3000.0),
    _bench("cacheline_roundtrip", p50_ns=90.0, p99_ns=150.0, p999_ns=900.0),
    _bench("queue_throughput/mpmc.bounded/vyukov_mpmc_queue/1P1C_mean", run_type="aggregate",
           items_per_second=1.0),
]}}


def _rec(impl, check, verdict, origin="mutant", component="queue.mpmc.bounded", expected="fail"):
    return {"component": component, "implementation": impl, "origin": origin, "check": check,
            "verdict": verdict, "expected": expected, "detail": "", "trace": ""}


RECORDS = [
    _rec("vyukov_mpmc_queue.relaxed_fill", "stress", "pass", expected="pass"),
    _rec("vyukov_mpmc_queue.relaxed_fill", "tsan", "fail"),
    _rec("vyukov_mpmc_queue.relaxed_fill", "model", "fail"),
    _rec("spsc_ring.lazy", "stress", "pass", component="queue.spsc.bounded", expected="pass"),
    _rec("vyukov_mpmc_queue", "stress", "pass", origin="in-house", expected="pass"),
    _rec("lifecycle.mutant", "stress", "fail", component="lifecycle"),
]


class ParseTest(unittest.TestCase):
    def test_splits_families_and_skips_errors_and_aggregates(self):
        tp, lat, floor = report_queues.parse_benchmarks(BENCH["bench_queues"])
        self.assertEqual(tp["mpmc.bounded"]["vyukov_mpmc_queue"], {"1P1C": 1.0e7, "2P2C": 0.8e7})
        self.assertNotIn("2P2C", tp["mpmc.bounded"]["atomic_queue_b"])
        self.assertEqual(lat["spsc.bounded"]["spsc_ring"]["p99_ns"], 400.0)
        self.assertEqual(floor["p50_ns"], 90.0)

    def test_ratios(self):
        tp, _, _ = report_queues.parse_benchmarks(BENCH["bench_queues"])
        rows = {r["label"]: r for r in report_queues.ratio_rows(tp)}
        spsc = rows["spsc_ring vs Boost spsc_queue"]
        self.assertAlmostEqual(spsc["ratio"], 1.5)
        self.assertTrue(spsc["met"])
        aq = rows["vyukov_mpmc_queue vs atomic_queue"]
        self.assertAlmostEqual(aq["ratio"], 0.5)
        self.assertFalse(aq["met"])
        self.assertIsNone(rows["vyukov_mpmc_queue vs moodycamel ConcurrentQueue"]["ratio"])


class SectionTest(unittest.TestCase):
    def test_section_writes_charts_and_tables(self):
        with tempfile.TemporaryDirectory() as d:
            assets = pathlib.Path(d) / "assets"
            html, md = report_queues.section(RECORDS, BENCH, assets)
            for name in ("queues-spsc.bounded-throughput.png", "queues-spsc.bounded-latency.png",
                         "queues-mpmc.bounded-throughput.png", "queues-mpmc.bounded-latency.png"):
                self.assertTrue((assets / name).stat().st_size > 0, name)
                self.assertIn(f"assets/{name}", html)
            self.assertIn("not met", html)
            self.assertIn("| spsc_ring vs Boost spsc_queue | 30.0 M/s | 20.0 M/s | 1.500 | met |", md)
            self.assertIn("Cache-line round trip (floor): p50 90 ns", md)

    def test_section_without_bench(self):
        with tempfile.TemporaryDirectory() as d:
            html, md = report_queues.section([], {}, pathlib.Path(d))
            self.assertIn("no queue benchmark results", html)
            self.assertIn("not measured", md)


if __name__ == "__main__":
    unittest.main()
