#!/usr/bin/python3
"""Unit tests of scripts/report_deque.py on small deque records.

Run: /usr/bin/python3 scripts/test_report_deque.py
"""

import pathlib
import sys
import tempfile
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

import report  # noqa: E402
from report_fixtures import bench_run, record  # noqa: E402
import report_deque  # noqa: E402

IMG = '<img src="data:image/png;base64,'
COMPONENT = "deque.work_stealing"


def _rec(*args, **kw):
    if len(args) < 6:  # (impl, check, verdict, expected, origin, component, ...)
        kw.setdefault("component", COMPONENT)
    return record(*args, **kw)


def _run(benchmark, **fields):
    return bench_run(benchmark, {'thieves': 0}, **fields)


def _deque_runs(batch, single, steal, owner):
    return [_run("batch64", name="deque_batch64/x", items_per_second=batch),
            _run("single", items_per_second=single),
            _run("steal", thieves=1, items_per_second=steal, failed_steals_per_item=0.25),
            _run("steal", thieves=1, items_per_second=1.0, aggregate="mean"),
            _run("owner_with_thief", thieves=1, items_per_second=owner, stolen_share=0.4)]


def _bench(impl, runs, origin="in-house", component=COMPONENT, verdict="pass"):
    return _rec(impl, "bench", verdict, "pass" if verdict != "skip" else "skip", origin, component,
                metrics={"runs": runs})


LIN_TRACE = ("replay: deque_linearizability --entry 'chase_lev_le2013' --seed 1\n"
             "scenario 1: history not linearizable w.r.t. a deque of bound none\n"
             "t0 [1,2] pop() -> 0\n" + "".join(f"t-2 [{i},{i + 1}] pop() -> 0\n" for i in range(10, 70)))

DEQUES = [
    _bench("chase_lev", _deque_runs(150e6, 95e6, 88e6, 32e6)),
    _bench("mutex_deque", _deque_runs(134e6, 150e6, 66e6, 6.5e6)),
    _bench("chase_lev_bounded", _deque_runs(160e6, 100e6, 90e6, 30e6), component=COMPONENT + ".bounded"),
    _bench("chase_lev_asym", _deque_runs(400e6, 120e6, 2e6, 1e6)),
    _bench("xenium_chase_deque", _deque_runs(110e6, 85e6, 140e6, 33e6), origin="peer"),
    _bench("chase_lev.steal_store_not_cas", [], origin="mutant", verdict="skip"),
    _rec("chase_lev", "linearizability",
         metrics={"histories": 3000, "overlapping_histories": 1600, "inconclusive_histories": 0}),
    _rec("chase_lev.steal_store_not_cas", "linearizability", "fail", "fail", "mutant"),
    _rec("chase_lev.steal_store_not_cas", "asan", "fail", "fail", "mutant"),
    _rec("chase_lev.relaxed_steal_cas", "linearizability", origin="mutant",
         metrics={"histories": 3000, "overlapping_histories": 1500, "inconclusive_histories": 0}),
    _rec("chase_lev.relaxed_steal_cas", "asan", origin="mutant"),
    # synthetic: a mutant whose model check passes and whose only failure
    # is a flaky one (the real light_steal_fence fails the model)
    _rec("chase_lev_asym.light_steal_fence", "model", origin="mutant",
         metrics={"searches": [{"scenario": "one_thief", "mode": "context-bound", "bound": 2, "executions": 6200}]}),
    _rec("chase_lev_asym.light_steal_fence", "stress", "fail", "flaky", "mutant"),
    _rec("chase_lev_le2013", "linearizability", "fail", "fail", "published", trace=LIN_TRACE,
         detail="not linearizable after 2 histories"),
    _rec("xenium_chase_deque", "asan", "fail", "fail", "peer", detail="the child exited with status 1"),
    _rec("xenium_chase_deque", "property", origin="peer"),
    _rec("spsc_ring", "bench", component="queue.spsc.bounded",
         metrics={"runs": [_run("throughput", producers=1, consumers=1, items_per_second=3e7)]}),
]


class ParseTest(unittest.TestCase):
    def test_reads_typed_labels(self):
        e = report_deque.parse_records(DEQUES)
        self.assertEqual(sorted(e), ["chase_lev", "chase_lev_asym", "chase_lev_bounded", "mutex_deque",
                                     "xenium_chase_deque"])
        self.assertEqual(e["chase_lev_asym"]["batch64"], 400e6)
        self.assertEqual(e["chase_lev"]["batch64"], 150e6)
        self.assertEqual(e["mutex_deque"]["owner_with_thief"], 6.5e6)
        self.assertEqual(e["chase_lev"]["steal"], 88e6)  # the aggregate is left out
        self.assertEqual(e["chase_lev"]["owner_with_thief:stolen_share"], 0.4)
        self.assertEqual(e["xenium_chase_deque"]["origin"], "peer")

    def test_names_are_not_parsed(self):
        runs = [_run("batch64", name="something_else/entirely", items_per_second=5.0)]
        self.assertEqual(report_deque.parse_records([_bench("chase_lev", runs)])["chase_lev"]["batch64"], 5.0)

    def test_other_components_are_left_alone(self):
        self.assertNotIn("spsc_ring", report_deque.parse_records(DEQUES))

    def test_missing_figure_names_file_and_field(self):
        runs = [_run("batch64")]
        with self.assertRaises(report.ReportError) as cm:
            report_deque.parse_records([_bench("chase_lev", runs)])
        self.assertIn("bench.deque.work_stealing.chase_lev.json", str(cm.exception))
        self.assertIn("metrics.runs[0].items_per_second", str(cm.exception))

    def test_pass_without_runs_is_an_error_naming_the_file(self):
        rec = _bench("chase_lev", [])
        with self.assertRaises(report.ReportError) as cm:
            report_deque.parse_records([rec])
        self.assertIn("bench.deque.work_stealing.chase_lev.json", str(cm.exception))


class SectionTest(unittest.TestCase):
    def test_section_renders_verdicts_kill_rows_findings_chart_and_table(self):
        html, md = report_deque.section(DEQUES)
        self.assertIn("<h2>Work-stealing deques</h2>", html)
        self.assertEqual(html.count(IMG), 1)
        # kill-matrix rows of the deque mutants only
        self.assertIn("deque.work_stealing/chase_lev.steal_store_not_cas", md)
        self.assertIn("deque.work_stealing/chase_lev.relaxed_steal_cas", md)
        self.assertIn("**survived all**", md)
        # a mutant whose model check passes and whose stress failure is
        # flaky survives: a flaky failure is not a catch
        self.assertIn("| deque.work_stealing/chase_lev_asym.light_steal_fence | - | - | survived | fail (flaky) | - "
                      "| **survived all** |", md)
        self.assertNotIn("spsc_ring", md)
        # findings: the published port's trace, trimmed; the peer's asan failure
        self.assertIn("linearizability: chase_lev_le2013 (published): expected (finding)", md)
        self.assertIn("t0 [1,2] pop() -> 0", md)
        self.assertIn("more lines in the full trace", md)
        self.assertIn("asan: xenium_chase_deque (peer)", md)
        self.assertNotIn("property: xenium_chase_deque", md)
        # the table: every benchmark, the counters, the peer labelled
        self.assertIn("| chase_lev | 150M | 95M | 88M | 32M | 0.25 | 0.4 |", md)
        self.assertIn("| chase_lev_asym | 400M | 120M | 2M | 1M | 0.25 | 0.4 |", md)
        self.assertIn("| xenium_chase_deque (peer) |", md)
        self.assertLess(md.index("| mutex_deque |"), md.index("| xenium_chase_deque (peer) |"))

    def test_unexpected_failure_says_so(self):
        rec = _rec("xenium_chase_deque", "stress", "fail", "pass", "peer")
        _, md = report_deque.section([rec])
        self.assertIn("UNEXPECTED (MISMATCH: expected pass)", md)

    def test_section_without_deque_records(self):
        html, md = report_deque.section([DEQUES[-1]])
        self.assertIn("no deque records", html)
        self.assertNotIn(IMG, html)

    def test_section_without_bench_runs(self):
        html, _ = report_deque.section([_rec("chase_lev", "property")])
        self.assertIn("no deque benchmark runs", html)
        self.assertIn("No check fails on the published port or the peer.", html)

    def test_registered_in_the_report(self):
        self.assertIn("report_deque", report.SECTIONS)
        self.assertTrue(COMPONENT.startswith(report.SECTION_BENCH_PREFIXES))
        with tempfile.TemporaryDirectory() as tmp:
            _, _, errors = report.render([dict(r) for r in DEQUES], tmp)
            page = (pathlib.Path(tmp) / "index.html").read_text()
        self.assertEqual(errors, [])
        self.assertIn("<h2>Work-stealing deques</h2>", page)
        section = page[page.index("<h2>Work-stealing deques</h2>"):]
        section = section[:section.index("<h2>", 5)]
        self.assertEqual(section.count(IMG), 1)
        # the generic benchmark charts leave the deques to this section
        generic = page[page.index("<h2>Benchmarks</h2>"):]
        generic = generic[:generic.index("<h2>", 5)]
        self.assertNotIn("deque.work_stealing", generic)


if __name__ == "__main__":
    unittest.main()
