#!/usr/bin/python3
"""Unit tests of scripts/report_pool.py on small pool records.

Run: /usr/bin/python3 scripts/test_report_pool.py
"""

import pathlib
import sys
import tempfile
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

import report  # noqa: E402
from report_fixtures import bench_run, record  # noqa: E402
import report_pool  # noqa: E402

IMG = '<img src="data:image/png;base64,'


def _rec(*args, **kw):
    if len(args) < 6:  # (impl, check, verdict, expected, origin, component, ...)
        kw.setdefault("component", "pool")
    return record(*args, **kw)


def _run(benchmark, **fields):
    return bench_run(benchmark, {'workers': 2}, cpu_ns=1e5, **fields)


def _pool_runs(outside, inside, yields, ping, chained):
    return [_run("spawn_outside", name="spawn_outside/x", items_per_second=outside),
            _run("spawn_inside", items_per_second=inside),
            _run("spawn_inside", items_per_second=1.0, aggregate="mean"),
            _run("yield_many", items_per_second=yields),
            _run("ping_pong", items_per_second=ping),
            _run("chained_spawn", items_per_second=chained)]


def _bench(impl, runs, origin="in-house", verdict="pass", component="pool"):
    return _rec(impl, "bench", verdict, "pass" if verdict != "skip" else "skip", origin, component,
                metrics={"runs": runs})


POOLS = [
    _bench("work_stealing", _pool_runs(20e6, 28e6, 25e6, 22e6, 27e6)),
    _bench("global_queue", _pool_runs(11e6, 22e6, 24e6, 24e6, 23e6)),
    _bench("tbb", _pool_runs(10e6, 17e6, 16e6, 15e6, 10e6), origin="peer"),
    _bench("work_stealing.lifo_only", [], origin="mutant", verdict="skip"),
    _bench("work_stealing+coalescing_loop.work_task",
           [_run("bridge_latency", p50_ns=5000.0, p99_ns=33000.0, p999_ns=2.7e6)], component="pool.bridge"),
    _bench("tbb+mutex_loop.promise_task",
           [_run("bridge_latency", p50_ns=7000.0, p99_ns=40000.0, p999_ns=1e6)], component="pool.bridge"),
    _bench("work_stealing+coalescing_loop.work_task.then_on_pool", [], origin="mutant", verdict="skip",
           component="pool.bridge"),
    _rec("work_stealing", "property", metrics={"bound": 244, "hog_handoffs_before_third": 59,
                                               "outside_jobs_before": 3}),
    _rec("work_stealing.lifo_only", "property", "fail", "fail", "mutant",
         metrics={"bound": 244, "hog_handoffs_before_third": 100000, "outside_jobs_before": 2}),
    _rec("work_stealing.inject_without_wake", "property", "fail", "fail", "mutant",
         metrics={"bound": 244}, detail="ping_pong_hog: stranded, nothing ran for 1 s"),
    _rec("work_stealing.inject_without_wake", "model", "fail", "fail", "mutant"),
    _rec("tbb", "property", "fail", "fail", "peer", metrics={"bound": 244, "hog_handoffs_before_third": 100000,
                                                             "outside_jobs_before": 94706},
         detail="ping_pong_hog: the third job ran after 100000 hand-offs of the pair (bound 244)"),
    _rec("tbb", "stress", origin="peer"),
    _rec("work_stealing+coalescing_loop.work_task", "stress", component="pool.bridge"),
    _rec("work_stealing+coalescing_loop.work_task.then_on_pool", "stress", "fail", "fail", "mutant",
         component="pool.bridge"),
    _rec("chase_lev", "bench", component="deque.work_stealing",
         metrics={"runs": [_run("batch64", items_per_second=1.5e8)]}),
]


class ParseTest(unittest.TestCase):
    def test_reads_typed_labels(self):
        e = report_pool.parse_records(POOLS)
        self.assertEqual(sorted(e), ["global_queue", "tbb", "tbb+mutex_loop.promise_task", "work_stealing",
                                     "work_stealing+coalescing_loop.work_task"])
        self.assertNotIn("spawn_inside", e["work_stealing+coalescing_loop.work_task"])
        self.assertEqual(e["tbb+mutex_loop.promise_task"]["latency:p50_ns"], 7000.0)
        self.assertEqual(e["work_stealing"]["spawn_inside"], 28e6)  # the aggregate is left out
        self.assertEqual(e["tbb"]["origin"], "peer")

    def test_other_components_are_left_alone(self):
        self.assertNotIn("chase_lev", report_pool.parse_records(POOLS))

    def test_missing_figure_names_file_and_field(self):
        with self.assertRaises(report.ReportError) as cm:
            report_pool.parse_records([_bench("work_stealing", [_run("spawn_inside")])])
        self.assertIn("bench.pool.work_stealing.json", str(cm.exception))
        self.assertIn("metrics.runs[0].items_per_second", str(cm.exception))

    def test_pass_without_runs_is_an_error_naming_the_file(self):
        with self.assertRaises(report.ReportError) as cm:
            report_pool.parse_records([_bench("work_stealing", [])])
        self.assertIn("bench.pool.work_stealing.json", str(cm.exception))


class SectionTest(unittest.TestCase):
    def test_section_renders_verdicts_kill_rows_fairness_findings_chart(self):
        html, md = report_pool.section(POOLS)
        self.assertIn("<h2>Work pools</h2>", html)
        self.assertIn("### Verdicts: pools", md)
        self.assertIn("### Verdicts: the bridge to the loop", md)
        self.assertEqual(html.count(IMG), 1)
        # kill-matrix rows of the pool and bridge mutants, nothing else
        self.assertIn("pool/work_stealing.lifo_only", md)
        self.assertIn("pool.bridge/work_stealing+coalescing_loop.work_task.then_on_pool", md)
        self.assertNotIn("chase_lev", md)
        # fairness: figures against the bound, a dash where not recorded
        self.assertIn("| work_stealing | 59 | 3 | 244 | pass (as expected) |", md)
        self.assertIn("| work_stealing.lifo_only | 100000 | 2 | 244 | fail (expected (finding)) |", md)
        self.assertIn("| work_stealing.lifo_only | 100000 | 2 | 244 | fail", md)
        self.assertIn("| work_stealing.inject_without_wake | - | - | 244 | fail", md)
        self.assertIn("| tbb (peer) | 100000 | 94706 | 244 | fail", md)
        self.assertLess(md.index("| work_stealing |"), md.index("| work_stealing.lifo_only |"))
        # the peer's finding, expected; its passing records are not findings
        self.assertIn("property: tbb (pool): expected (finding)", md)
        self.assertNotIn("stress: tbb", md)
        # the benchmark table, the peer labelled and last
        self.assertIn("| work_stealing | 20M | 28M | 25M | 22M | 27M |", md)
        self.assertLess(md.index("| work_stealing | 20M"), md.index("| tbb (peer) | 10M"))
        # the bridge latency per pair, in microseconds; pairs are not in the jobs/s table
        self.assertIn("| work_stealing+coalescing_loop.work_task | 5 | 33 | 2.7e+03 |", md)
        self.assertIn("| tbb+mutex_loop.promise_task | 7 | 40 | 1e+03 |", md)
        self.assertNotIn("| work_stealing+coalescing_loop.work_task | -", md)
        self.assertIn("<th>p99.9</th>", html)

    def test_fairness_mismatch_says_so(self):
        rec = _rec("work_stealing", "property", "fail", "pass",
                   metrics={"bound": 244, "hog_handoffs_before_third": 300, "outside_jobs_before": 1})
        _, md = report_pool.section([rec])
        self.assertIn("| work_stealing | 300 | 1 | 244 | fail (MISMATCH: expected pass) |", md)

    def test_unexpected_failure_says_so(self):
        _, md = report_pool.section([_rec("tbb", "asan", "fail", "pass", "peer")])
        self.assertIn("UNEXPECTED (MISMATCH: expected pass)", md)

    def test_section_without_pool_records(self):
        html, md = report_pool.section([POOLS[-1]])
        self.assertIn("no pool records", html)
        self.assertNotIn(IMG, html)

    def test_section_without_bench_runs(self):
        html, md = report_pool.section([_rec("work_stealing", "stress")])
        self.assertIn("no pool benchmark runs", html)
        self.assertIn("no pool property records", md)
        self.assertIn("No check fails on the peer.", md)

    def test_registered_in_the_report(self):
        self.assertIn("report_pool", report.SECTIONS)
        self.assertTrue("pool".startswith(report.SECTION_BENCH_PREFIXES))
        with tempfile.TemporaryDirectory() as tmp:
            _, _, errors = report.render([dict(r) for r in POOLS], tmp)
            page = (pathlib.Path(tmp) / "index.html").read_text()
        self.assertEqual(errors, [])
        self.assertIn("<h2>Work pools</h2>", page)
        section = page[page.index("<h2>Work pools</h2>"):]
        section = section[:section.index("<h2>", 5)]
        self.assertEqual(section.count(IMG), 1)


if __name__ == "__main__":
    unittest.main()
