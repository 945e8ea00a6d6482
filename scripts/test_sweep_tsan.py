#!/usr/bin/python3
"""Unit tests of scripts/sweep_tsan.py's pure parts: the override's syntax,
which site an override names (file by path tail, line, column, operation),
the match of a site between the gcc-built model programs and the clang-built
ThreadSanitizer stress programs (by rank), the report excerpt, a caught site
turned `necessary`, the record's verdict, and the report's TSan column.
No compiler, no program run.

Run: /usr/bin/python3 scripts/test_sweep_tsan.py
"""

import pathlib
import sys
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

import report  # noqa: E402
import report_sweep  # noqa: E402
import sweep  # noqa: E402
import sweep_tsan  # noqa: E402

SEED = "../../work/g/primitives/lifecycle/seed_atomic_service.hpp"


def _s(line, column, op, order="seq_cst", file=SEED):
    return {"file": file, "line": line, "column": column, "op": op, "order": order, "function": "f"}


# Discovery output of the same entry (seed_atomic_service.repaired) in the two
# builds: line 117 holds two loads and a park, `for (int s = state_.load(sc);
# s != CLOSED; s = state_.load(sc)) World::park(state_, s, sc);`. gcc's
# std::source_location gives the `(` of each call, clang's __builtin_COLUMN
# the call's first column.
GCC = [_s(117, 37, "load"), _s(117, 71, "load"), _s(117, 88, "wait"), _s(79, 46, "cas"), _s(79, 46, "cas_failure")]
CLANG = [_s(117, 26, "load", file="../../other/primitives/lifecycle/seed_atomic_service.hpp"),
         _s(117, 60, "load", file="../../other/primitives/lifecycle/seed_atomic_service.hpp"),
         _s(117, 77, "wait", file="../../other/primitives/lifecycle/seed_atomic_service.hpp"),
         _s(79, 17, "cas", file="../../other/primitives/lifecycle/seed_atomic_service.hpp"),
         _s(79, 17, "cas_failure", file="../../other/primitives/lifecycle/seed_atomic_service.hpp")]


class Override(unittest.TestCase):
    def test_the_syntax_the_worlds_accept(self):
        self.assertEqual(sweep_tsan.parse_weaken("rmw@../p/x.hpp:75:22=relaxed"),
                         {"op": "rmw", "file": "../p/x.hpp", "line": 75, "column": 22, "order": "relaxed"})
        self.assertEqual(sweep_tsan.parse_weaken("cas_failure@a:b.hpp:3:4=relaxed")["file"], "a:b.hpp")
        self.assertEqual(sweep_tsan.parse_weaken("fence@f.hpp:1:2=removed")["order"], "removed")

    def test_what_the_worlds_refuse(self):
        # the same values models/lifecycle/lifecycle_sweep_test.py feeds the Relacy world
        for bad in ("rmw@f.hpp:12=relaxed", "load@f.hpp:12:3=removed", "lod@f.hpp:12:3=relaxed",
                    "load@f.hpp:1:2=weak", "fence@f.hpp:1:2=relaxed", "load@:1:2=relaxed", "load@f.hpp:0:2=relaxed",
                    "load@f.hpp:1:x=relaxed", "load f.hpp:1:2 relaxed"):
            with self.assertRaises(ValueError, msg=bad):
                sweep_tsan.parse_weaken(bad)

    def test_site_key_round_trips(self):
        s = _s(117, 37, "load")
        w = sweep_tsan.parse_weaken(sweep.site_key(s) + "=relaxed")
        self.assertTrue(sweep_tsan.names_site(w, s))


class SameFile(unittest.TestCase):
    def test_one_file_from_any_build_folder(self):
        self.assertTrue(sweep_tsan.same_file("../../work/a/primitives/q/x.hpp", "/work/a/primitives/q/x.hpp"))
        self.assertTrue(sweep_tsan.same_file("primitives/q/x.hpp", "../../work/a/primitives/q/x.hpp"))
        self.assertTrue(sweep_tsan.same_file("./primitives/q/x.hpp", "primitives/q/x.hpp"))
        # two checkouts: the same file from the components' folder on
        self.assertTrue(sweep_tsan.same_file("../../work/a/primitives/q/x.hpp", "../../work/b/primitives/q/x.hpp"))

    def test_another_file_is_not_the_same(self):
        self.assertFalse(sweep_tsan.same_file("primitives/q/x.hpp", "primitives/q/xx.hpp"))
        self.assertFalse(sweep_tsan.same_file("q/x.hpp", "primitives/aq/x.hpp"))  # a tail, not at a '/'
        self.assertFalse(sweep_tsan.same_file("primitives/q/x.hpp", "primitives/r/x.hpp"))
        self.assertFalse(sweep_tsan.same_file("/a/models/q/x.cpp", "/b/models/q/x.cpp"))  # outside primitives/
        self.assertFalse(sweep_tsan.same_file("/a/primitives/q/x.hpp", "/b/primitives/q/y.hpp"))

    def test_the_override_names_one_operation_at_one_column(self):
        w = sweep_tsan.parse_weaken("load@primitives/lifecycle/seed_atomic_service.hpp:117:37=relaxed")
        self.assertTrue(sweep_tsan.names_site(w, GCC[0]))
        self.assertFalse(sweep_tsan.names_site(w, GCC[1]))  # same line, another column
        self.assertFalse(sweep_tsan.names_site(w, dict(GCC[0], op="wait")))
        self.assertFalse(sweep_tsan.names_site(w, dict(GCC[0], line=118)))


class MatchByRank(unittest.TestCase):
    def test_gcc_columns_map_to_clang_columns_by_rank(self):
        want = {(117, 37, "load"): 26, (117, 71, "load"): 60, (117, 88, "wait"): 77, (79, 46, "cas"): 17,
                (79, 46, "cas_failure"): 17}
        for s in GCC:
            other, why = sweep_tsan.match_site(s, GCC, CLANG)
            self.assertEqual(why, "")
            self.assertEqual((other["column"], other["op"]), (want[(s["line"], s["column"], s["op"])], s["op"]))
        # and back
        other, _ = sweep_tsan.match_site(CLANG[1], CLANG, GCC)
        self.assertEqual(other["column"], 71)

    def test_a_different_count_on_the_line_is_no_match(self):
        other, why = sweep_tsan.match_site(GCC[1], GCC, CLANG[1:])  # the stress ran one load of the two
        self.assertIsNone(other)
        self.assertIn("no match by rank", why)

    def test_a_site_the_stress_never_ran_is_no_match(self):
        other, why = sweep_tsan.match_site(GCC[2], GCC, CLANG[:2])
        self.assertIsNone(other)
        self.assertIn("not executed", why)
        other, why = sweep_tsan.match_site(dict(GCC[0], file="primitives/lifecycle/packed_lifecycle.hpp"), GCC,
                                           CLANG)
        self.assertIsNone(other)

    def test_duplicate_listings_count_once(self):
        # a site listed twice (another order after weakening, another unit) is one column
        other, why = sweep_tsan.match_site(GCC[1], GCC + [dict(GCC[0], order="relaxed")], CLANG)
        self.assertEqual((other["column"], why), (60, ""))


REPORT = """lifecycle_stress: check tsan
==================
WARNING: ThreadSanitizer: data race (pid=23907)
  Atomic write of size 8 at 0x7b0400003000 by thread T1:
    #0 store /x/atomic_base.h:796:2 (queue_stress+0x1d0b9e) (BuildId: c729941cd528)
    #1 store /x/native_world.hpp:70:12 (queue_stress+0x1d0b9e)
    #2 push /x/primitives/queues/vyukov_mpsc_queue.hpp:77:25 (queue_stress+0x1d0b9e)
    #3 a
    #4 b
    #5 c
    #6 d

  Previous write of size 8 at 0x7b0400003000 by thread T3:
    #0 operator new(unsigned long) <null> (queue_stress+0xd6a96)
SUMMARY: ThreadSanitizer: data race /x/atomic_base.h:796:2 in store
==================
WARNING: ThreadSanitizer: data race (pid=23907)
  second report
"""


class Excerpt(unittest.TestCase):
    def test_first_report_cut_to_its_first_frames(self):
        e = sweep_tsan.report_excerpt(REPORT)
        self.assertTrue(e.startswith("WARNING: ThreadSanitizer: data race"))
        self.assertIn("vyukov_mpsc_queue.hpp:77:25", e)
        self.assertIn("Previous write of size 8", e)
        self.assertIn("#4 b", e)
        self.assertNotIn("#5 c", e)
        self.assertNotIn("BuildId", e)
        self.assertTrue(e.endswith("in store"))
        self.assertNotIn("second report", e)

    def test_no_report_keeps_the_tail(self):
        self.assertEqual(sweep_tsan.report_excerpt("a\nb\nhang: killed", lines=2), "b\nhang: killed")

    def test_outcomes(self):
        tsan = {"verdict": "fail", "detail": "ThreadSanitizer: data race (pid=1)"}
        own = {"verdict": "fail", "detail": "backpressure: the flood never reached the mark"}
        self.assertEqual([sweep_tsan.tsan_outcome(r) for r in (tsan, own, {"verdict": "pass"}, {"verdict": "error"})],
                         ["caught", "error", "passed", "error"])  # only a ThreadSanitizer report is a catch


def _row(op="rmw", declared="acq_rel", cls="not shown necessary"):
    ladder = sweep.weaker_orders(op, declared)
    outcomes = {o: "pass" for o in ladder}
    return {"file": "primitives/queues/vyukov_mpsc_queue.hpp", "line": 75, "column": 37, "op": op,
            "function": "push", "declared": declared, "site": f"{op}@x/primitives/queues/vyukov_mpsc_queue.hpp:75:37",
            **sweep.classify(op, declared, outcomes), "outcomes": outcomes, "implied": [], "errors": [],
            "killer": None}


def _tsan(outcome, order="relaxed"):
    return {"order": order, "outcome": outcome, "site": "rmw@y/primitives/queues/vyukov_mpsc_queue.hpp:75:22",
            "detail": "ThreadSanitizer: data race (pid=1) (body: invariants held)" if outcome == "caught" else "",
            "report": "WARNING: ThreadSanitizer: data race" if outcome == "caught" else "", "replay": "r",
            "seconds": 1.0}


class CaughtBecomesNecessary(unittest.TestCase):
    def test_caught_site_is_necessary_with_killer_tsan(self):
        row = _row()
        self.assertEqual(row["class"], "not shown necessary")
        s = sweep_tsan.annotate_site(row, _tsan("caught"))
        self.assertEqual(s["class"], "necessary")
        self.assertEqual(s["killed_by"], "tsan")
        self.assertEqual(s["model_class"], "not shown necessary")
        self.assertEqual(s["killer"]["check"], "tsan")
        self.assertEqual(s["killer"]["detail"], "ThreadSanitizer: data race (pid=1)")
        # relaxed is caught; acquire and release still pass the model (not run under TSan)
        self.assertEqual(sorted(s["weakest_passing"]), ["acquire", "release"])
        self.assertEqual(row["class"], "not shown necessary")  # the input row is not changed

    def test_a_store_caught_at_relaxed_is_shown_necessary(self):
        s = sweep_tsan.annotate_site(_row("store", "release"), _tsan("caught"))
        self.assertEqual(report_sweep.share([s]), (1, 1))

    def test_passed_and_error_leave_the_class(self):
        for outcome in ("passed", "not run", "error"):
            s = sweep_tsan.annotate_site(_row(), _tsan(outcome))
            self.assertEqual(s["class"], "not shown necessary")
            self.assertEqual(s["tsan"]["outcome"], outcome)
            self.assertIsNone(s["killer"])


class Record(unittest.TestCase):
    def _rec(self, outcomes):
        sites = [sweep_tsan.annotate_site(_row(), _tsan(o)) for o in outcomes]
        for site in sites:  # resolved by a note: only the ThreadSanitizer figures decide here
            site["resolution"] = {"how": "note", "text": "why"} if site["class"] == "not shown necessary" else None
        t = {"name": "vyukov_mpsc_queue", "component": "queue.mpsc.unbounded", "origin": "in-house"}
        rec = sweep.sweep_record(t, {"verdict": "pass", "detail": ""}, sites, [], 1.0)
        ts = object.__new__(sweep_tsan.TsanSweep)  # amend needs only these
        ts.build, ts.extra, ts.state = pathlib.Path("/b"), [], sweep_tsan.sw.State.__new__(sweep_tsan.sw.State)
        ts.state.done, ts.where = {}, {}
        ts.amend(rec, t)
        return rec

    def test_counts_and_verdict(self):
        rec = self._rec(["caught", "passed", "not run"])
        self.assertEqual(rec["verdict"], "pass")  # a site the stress never executes does not fail the record
        self.assertEqual({k: rec["metrics"]["tsan"][k] for k in ("tried", "caught", "passed", "not run", "error")},
                         {"tried": 3, "caught": 1, "passed": 1, "not run": 1, "error": 0})
        self.assertEqual(rec["metrics"]["counts"]["necessary"], 1)
        self.assertIn("ThreadSanitizer: 3 not-shown-necessary site(s) tried, 1 caught, 1 passed, 1 not run",
                      rec["detail"])

    def test_a_run_without_a_verdict_fails_the_record(self):
        rec = self._rec(["caught", "error"])
        self.assertEqual(rec["verdict"], "fail")
        self.assertIn("1 without a verdict", rec["detail"])


class ReportColumn(unittest.TestCase):
    def _report(self, sites):
        r = {"component": "queue.mpsc.unbounded", "implementation": "vyukov_mpsc_queue", "origin": "in-house",
             "check": "sweep", "verdict": "pass", "expected": "pass", "reason": "", "status": "", "detail": "",
             "trace": "", "seed": "0", "seconds": 1.0,
             "metrics": {"sites": sites, "mutants": [],
                         "tsan": {"tried": 1, "caught": 1, "passed": 0, "not run": 0, "error": 0}},
             "_file": "sweep.q.json"}
        r["status"] = report.status_of(r)
        return report_sweep.section([r])

    def test_tsan_column_and_killer(self):
        _, md = self._report([sweep_tsan.annotate_site(_row(), _tsan("caught")), _row("load", "acquire")])
        self.assertIn("| ThreadSanitizer |", md)
        self.assertIn("| tsan: ThreadSanitizer: data race | caught (relaxed) |", md)
        self.assertIn("ThreadSanitizer: 1 tried, 1 caught, 0 passed, 0 not run, 0 without a verdict", md)

    def test_no_column_without_a_tsan_run(self):
        _, md = self._report([_row()])
        self.assertNotIn("ThreadSanitizer |", md)


if __name__ == "__main__":
    unittest.main()
