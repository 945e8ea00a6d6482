#!/usr/bin/python3
"""Unit tests of scripts/report_pq.py on small priority-queue records.

Run: /usr/bin/python3 scripts/test_report_pq.py
"""

import pathlib
import sys
import tempfile
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

import report  # noqa: E402
from report_fixtures import bench_run, record  # noqa: E402
import report_pq  # noqa: E402

IMG = '<img src="data:image/png;base64,'
STRICT = "pq.strict"
RELAXED = "pq.relaxed"


def _rec(*args, **kw):
    if len(args) < 6:  # (impl, check, verdict, expected, origin, component, ...)
        kw.setdefault("component", STRICT)
    return record(*args, **kw)


def _run(benchmark, **fields):
    return bench_run(benchmark, {'producers': 1}, **fields)


def _bench(impl, one, two, p50, origin="in-house", component=STRICT, verdict="pass"):
    runs = [] if verdict == "skip" else [
        _run("1p1c", name="pq_1p1c/x", items_per_second=one, oversubscribed=0),
        _run("1p1c", items_per_second=1.0, aggregate="mean"),
        _run("2p1c", producers=2, items_per_second=two, oversubscribed=1),
        _run("pop_latency", items_per_second=9e6, p50_ns=p50, p99_ns=3 * p50, p999_ns=10 * p50)]
    return _rec(impl, "bench", verdict, "pass" if verdict != "skip" else "skip", origin, component,
                metrics={"runs": runs})


def _prop(impl, mean, mx, origin="in-house", component=STRICT, verdict="pass", expected="pass", trace=""):
    return _rec(impl, "property", verdict, expected, origin, component, trace=trace,
                metrics={"rank_error": {"pops": 2000, "mean": mean, "max": mx, "p50": 0, "p99": mx}})


def _stress(impl, mean, mx, origin="in-house", component=STRICT, verdict="pass", expected="pass"):
    return _rec(impl, "stress", verdict, expected, origin, component,
                metrics={"rank_error": {"certain": {"mean": mean, "max": mx}, "possible": {"mean": mean, "max": mx}}})


MODEL = {"searches": [{"scenario": "two_producers", "mode": "context-bound", "bound": 1, "executions": 4752}],
         "executions": 4752, "blind_spots": "fixture"}

SEED_TRACE = ("replay: pq_property --entry 'seed_batches' --seed 1\n"
              "std::vector<gauntlet::pq_property::cmd>:\n[push(p0, 0), pop]\n"
              + "".join(f"line {i}\n" for i in range(40)))

PQS = [
    _bench("mutex_heap", 1.8e6, 1.9e6, 80), _prop("mutex_heap", 0.0, 0), _stress("mutex_heap", 0.0, 0),
    _bench("run_merge", 2.5e6, 2.3e6, 80), _prop("run_merge", 0.0, 0), _stress("run_merge", 0.0, 0),
    _bench("multiqueue", 1.7e6, 2.8e6, 70, component=RELAXED), _prop("multiqueue", 2.1, 30, component=RELAXED),
    _stress("multiqueue", 0.9, 271, component=RELAXED),
    _bench("tbb_priority_queue", 1.0e6, 1.1e6, 60, origin="peer"), _prop("tbb_priority_queue", 0.0, 0, "peer"),
    _bench("seed_batches", 1.1e5, 1.1e5, 300, origin="seed"),
    _prop("seed_batches", 0.9, 7, "seed", verdict="fail", expected="fail", trace=SEED_TRACE),
    _bench("run_merge.late_batch_skipped", 0, 0, 0, origin="mutant", verdict="skip"),
    _prop("run_merge.late_batch_skipped", 103.0, 791, "mutant", verdict="fail", expected="fail"),
    _rec("run_merge.late_batch_skipped", "model", origin="mutant", metrics=dict(MODEL)),
    _rec("run_merge.relaxed_publish", "model", "fail", "fail", "mutant", metrics=dict(MODEL)),
    _rec("run_merge.relaxed_publish", "property", origin="mutant", metrics={}),
    _rec("seed_batches", "stress", "fail", "fail", "seed", component="pq_loop.strict",
         metrics={"rounds": 12, "max_lag_turns": 848}),
    _rec("run_merge", "tsan", component="pq_loop.strict", metrics={"rounds": 12, "max_lag_turns": 1}),
    _rec("spsc_ring", "bench", component="queue.spsc.bounded",
         metrics={"runs": [_run("throughput", consumers=1, items_per_second=3e7)]}),
]


class ParseTest(unittest.TestCase):
    def test_reads_typed_labels_and_metrics(self):
        e = report_pq.parse_records(PQS)
        self.assertEqual(sorted(e), ["multiqueue", "mutex_heap", "run_merge", "seed_batches", "tbb_priority_queue"])
        self.assertEqual(e["run_merge"]["1p1c"], 2.5e6)  # the aggregate is left out
        self.assertEqual(e["multiqueue"]["2p1c"], 2.8e6)
        self.assertEqual(e["multiqueue"]["rank_mean"], 2.1)
        self.assertEqual(e["multiqueue"]["stress_max"], 271)
        self.assertEqual(e["tbb_priority_queue"]["p99_ns"], 180)
        self.assertEqual(e["tbb_priority_queue"]["origin"], "peer")

    def test_mutants_and_other_components_are_left_alone(self):
        e = report_pq.parse_records(PQS)
        self.assertNotIn("run_merge.late_batch_skipped", e)
        self.assertNotIn("spsc_ring", e)

    def test_missing_figure_names_file_and_field(self):
        with self.assertRaises(report.ReportError) as cm:
            report_pq.parse_records([_rec("run_merge", "bench", metrics={"runs": [_run("1p1c")]})])
        self.assertIn("bench.pq.strict.run_merge.json", str(cm.exception))
        self.assertIn("metrics.runs[0].items_per_second", str(cm.exception))

    def test_missing_rank_error_names_the_field(self):
        with self.assertRaises(report.ReportError) as cm:
            report_pq.parse_records([_rec("run_merge", "property", metrics={})])
        self.assertIn("metrics.rank_error", str(cm.exception))
        with self.assertRaises(report.ReportError) as cm:
            report_pq.parse_records([_rec("run_merge", "stress", metrics={"rank_error": {}})])
        self.assertIn("metrics.rank_error.certain", str(cm.exception))

    def test_pass_without_runs_is_an_error_naming_the_file(self):
        with self.assertRaises(report.ReportError) as cm:
            report_pq.parse_records([_rec("run_merge", "bench", metrics={"runs": []})])
        self.assertIn("bench.pq.strict.run_merge.json", str(cm.exception))


class SectionTest(unittest.TestCase):
    def test_section_renders_verdicts_kill_rows_findings_chart_and_table(self):
        html, md = report_pq.section(PQS)
        self.assertIn("<h2>Priority queues</h2>", html)
        self.assertEqual(html.count(IMG), 1)
        self.assertIn("pq.strict/run_merge.late_batch_skipped", md)
        self.assertIn("pq.strict/run_merge.relaxed_publish", md)
        self.assertNotIn("spsc_ring", md)
        # findings: the seed's property counterexample, trimmed
        self.assertIn("property: seed_batches (seed): expected (finding)", md)
        self.assertIn("[push(p0, 0), pop]", md)
        self.assertIn("more lines in the full trace", md)
        # the table: throughputs, latency, both rank errors; the peer last and labelled
        self.assertIn("| multiqueue | 1.7M | 2.8M | 70 | 210 | 2.1 | 30 | 0.9 | 271 |", md)
        self.assertIn("| tbb_priority_queue (peer) | 1M | 1.1M | 60 | 180 | 0 | 0 | - | - |", md)
        self.assertLess(md.index("| run_merge |"), md.index("| tbb_priority_queue (peer) |"))

    def test_loop_fed_table(self):
        html, md = report_pq.section(PQS)
        self.assertIn("<h3>Feeding the loop</h3>", html)
        self.assertIn("| seed_batches | stress | 848 | fail | expected (finding) |", md)
        self.assertIn("| run_merge | tsan | 1 | pass | as expected |", md)
        # loop-fed records give no figures to the benchmark table
        loop_only = [r for r in PQS if r["component"].startswith("pq_loop")]
        self.assertEqual(report_pq.parse_records(loop_only), {})

    def test_unexpected_failure_says_so(self):
        _, md = report_pq.section([_rec("tbb_priority_queue", "stress", "fail", "pass", "peer")])
        self.assertIn("UNEXPECTED (MISMATCH: expected pass)", md)

    def test_section_without_pq_records(self):
        html, md = report_pq.section([PQS[-1]])
        self.assertIn("no priority-queue records", html)
        self.assertNotIn(IMG, html)

    def test_section_without_bench_runs(self):
        html, _ = report_pq.section([_prop("run_merge", 0.0, 0)])
        self.assertIn("no priority-queue benchmark runs", html)
        self.assertNotIn(IMG, html)
        self.assertIn("No check fails on the seed's port or the peer.", html)

    def test_registered_in_the_report(self):
        self.assertIn("report_pq", report.SECTIONS)
        self.assertTrue(STRICT.startswith(report.SECTION_BENCH_PREFIXES))
        self.assertTrue(RELAXED.startswith(report.SECTION_BENCH_PREFIXES))
        with tempfile.TemporaryDirectory() as tmp:
            _, _, errors = report.render([dict(r) for r in PQS], tmp)
            page = (pathlib.Path(tmp) / "index.html").read_text()
        self.assertEqual(errors, [])
        self.assertIn("<h2>Priority queues</h2>", page)
        section = page[page.index("<h2>Priority queues</h2>"):]
        section = section[:section.index("<h2>", 5)]
        self.assertEqual(section.count(IMG), 1)
        generic = page[page.index("<h2>Benchmarks</h2>"):]
        generic = generic[:generic.index("<h2>", 5)]
        self.assertNotIn("pq.strict", generic)


if __name__ == "__main__":
    unittest.main()
