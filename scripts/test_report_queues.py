#!/usr/bin/python3
"""Unit tests of scripts/report_queues.py on small queue bench records.

Run: /usr/bin/python3 scripts/test_report_queues.py
"""

import pathlib
import sys
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

import report  # noqa: E402
import report_queues  # noqa: E402


def _run(benchmark, **fields):
    r = {"benchmark": benchmark, "threads": 1, "aggregate": "", "iterations": 10, "real_ns": 1e6, "cpu_ns": 1e6}
    r.update(fields)
    return r


def _tp(p, c, rate, **kw):
    return _run("throughput", producers=p, consumers=c, items_per_second=rate, **kw)


def _lat(p50, p99, p999):
    return _run("latency", producers=1, consumers=1, p50_ns=p50, p99_ns=p99, p999_ns=p999)


def _bench(impl, contract, runs, verdict="pass", origin="in-house"):
    r = {"component": f"queue.{contract}", "implementation": impl, "origin": origin, "check": "bench",
         "verdict": verdict, "expected": "pass", "reason": "", "status": "", "detail": "", "trace": "replay: x",
         "seed": "1", "seconds": 1.0, "metrics": {"runs": runs}, "_file": f"bench.queue.{contract}.{impl}.json"}
    r["status"] = report.status_of(r)
    return r


RECORDS = [
    _bench("spsc_ring", "spsc.bounded", [_tp(1, 1, 3.0e7), _lat(180.0, 400.0, 2000.0)]),
    _bench("boost_spsc_queue", "spsc.bounded", [_tp(1, 1, 2.0e7)], origin="peer"),
    _bench("vyukov_mpmc_queue", "mpmc.bounded", [
        _tp(1, 1, 1.0e7), _tp(2, 2, 0.8e7), _tp(1, 1, 1.0, aggregate="mean"),
        _lat(250.0, 600.0, 3000.0)]),
    _bench("atomic_queue_b", "mpmc.bounded", [_tp(1, 1, 2.0e7), _tp(2, 2, 0, error="boom")], origin="peer"),
    dict(_bench("cacheline_roundtrip", "x", [_run("latency", p50_ns=90.0, p99_ns=150.0, p999_ns=900.0)]),
         component="reference"),
    dict(_bench("vyukov_mpmc_queue.relaxed_fill", "mpmc.bounded", [], verdict="skip", origin="mutant"),
         expected="skip", reason="mutants are not timed", status="skipped", metrics={}),
    {"component": "lifecycle", "implementation": "packed", "origin": "in-house", "check": "bench", "verdict": "pass",
     "expected": "pass", "reason": "", "status": "ok", "detail": "", "trace": "", "seed": "1", "seconds": 1.0,
     "metrics": {"runs": [_run("enter_exit")]}},
]


class ParseTest(unittest.TestCase):
    def test_reads_typed_labels_and_skips_errors_aggregates_and_skips(self):
        tp, lat, floor = report_queues.parse_records(RECORDS)
        self.assertEqual(tp["mpmc.bounded"]["vyukov_mpmc_queue"], {"1P1C": 1.0e7, "2P2C": 0.8e7})
        self.assertEqual(tp["mpmc.bounded"]["atomic_queue_b"], {"1P1C": 2.0e7})
        self.assertNotIn("vyukov_mpmc_queue.relaxed_fill", tp["mpmc.bounded"])
        self.assertEqual(lat["spsc.bounded"]["spsc_ring"]["p99_ns"], 400.0)
        self.assertEqual(floor["p50_ns"], 90.0)
        self.assertNotIn("lifecycle", tp)
        self.assertNotIn("reference", tp)
        self.assertNotIn("reference", lat)

    def test_names_are_not_parsed(self):
        # a run's name says nothing to the report; its labels do
        runs = [_tp(1, 1, 5.0e6, name="queue_throughput/spsc.bounded/other/4P4C")]
        tp, _, _ = report_queues.parse_records([_bench("spsc_ring", "spsc.bounded", runs)])
        self.assertEqual(tp, {"spsc.bounded": {"spsc_ring": {"1P1C": 5.0e6}}})

    def test_missing_label_names_file_and_field(self):
        runs = [_run("throughput", producers=1, items_per_second=1.0)]
        with self.assertRaisesRegex(report.ReportError,
                                    r"^bench\.queue\.spsc\.bounded\.spsc_ring\.json: field 'metrics\.runs\[0\]\.consumers'"):
            report_queues.parse_records([_bench("spsc_ring", "spsc.bounded", runs)])

    def test_missing_counter_names_file_and_field(self):
        runs = [_run("latency", p50_ns=1.0, p99_ns=2.0)]
        with self.assertRaisesRegex(report.ReportError, r"field 'metrics\.runs\[0\]\.p999_ns' missing"):
            report_queues.parse_records([_bench("spsc_ring", "spsc.bounded", runs)])

    def test_pass_without_runs_is_an_error(self):
        rec = _bench("spsc_ring", "spsc.bounded", [])
        del rec["metrics"]["runs"]
        with self.assertRaisesRegex(report.ReportError, r"spsc_ring\.json: field 'metrics\.runs' missing"):
            report_queues.parse_records([rec])

    def test_failed_bench_without_runs_is_shown_not_an_error(self):
        rec = dict(_bench("spsc_ring", "spsc.bounded", []), verdict="fail", expected="fail", status="finding",
                   metrics={})
        self.assertEqual(report_queues.parse_records([rec]), ({}, {}, None))

    def test_ratios(self):
        tp, _, _ = report_queues.parse_records(RECORDS)
        rows = {r["label"]: r for r in report_queues.ratio_rows(tp)}
        spsc = rows["spsc_ring vs Boost spsc_queue"]
        self.assertAlmostEqual(spsc["ratio"], 1.5)
        self.assertTrue(spsc["met"])
        aq = rows["vyukov_mpmc_queue vs atomic_queue"]
        self.assertAlmostEqual(aq["ratio"], 0.5)
        self.assertFalse(aq["met"])
        self.assertIsNone(rows["vyukov_mpmc_queue vs moodycamel ConcurrentQueue"]["ratio"])


class SectionTest(unittest.TestCase):
    def test_section_embeds_charts_and_tables(self):
        html, md = report_queues.section(RECORDS)
        self.assertEqual(html.count('<img src="data:image/png;base64,'), 4)  # 2 contracts x (throughput, latency)
        self.assertNotIn('src="assets', html)
        self.assertIn("not met", html)
        self.assertIn("| spsc_ring vs Boost spsc_queue | 30.0 M/s | 20.0 M/s | 1.500 | met |", md)
        self.assertIn("Cache-line round trip (floor): p50 90 ns", md)
        self.assertIn("| vyukov_mpmc_queue | 1P1C 10.0 M/s, 2P2C 8.0 M/s | 250 | 600 | 3000 |", md)

    def test_section_without_bench(self):
        html, md = report_queues.section([])
        self.assertIn("no queue benchmark records", html)
        self.assertIn("not measured", md)


if __name__ == "__main__":
    unittest.main()
