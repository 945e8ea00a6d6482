#!/usr/bin/python3
"""Unit tests of scripts/report_sweep.py and of scripts/sweep.py's pure parts
(ladders, classification, mutant matching) on small fixtures.

Run: /usr/bin/python3 scripts/test_report_sweep.py
"""

import pathlib
import sys
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

import report  # noqa: E402
import report_sweep  # noqa: E402
import sweep  # noqa: E402


def _site(line, op, declared, cls, weakest, killer=None):
    return {"file": "primitives/lifecycle/packed_lifecycle.hpp", "line": line, "column": 9, "op": op,
            "declared": declared, "class": cls, "weakest_passing": weakest, "killer": killer}


def _rec(impl="packed_lifecycle", sites=None, mutants=None, verdict="pass", detail="swept"):
    r = {"component": "lifecycle", "implementation": impl, "origin": "in-house", "check": "sweep",
         "verdict": verdict, "expected": "pass", "reason": "", "status": "", "detail": detail, "trace": "",
         "seed": "0", "seconds": 1.0, "metrics": {"sites": sites if sites is not None else [],
                                                  "mutants": mutants or []},
         "_file": f"sweep.lifecycle.{impl}.json"}
    r["status"] = report.status_of(r)
    return r


KILLER = {"scenario": "admission race, 1 worker", "detail": "DATA RACE in scenario 'admission race, 1 worker', x",
          "trace": "", "replay": ""}


class Ladders(unittest.TestCase):
    def test_each_operation_weakens_to_the_legal_orders_only(self):
        self.assertEqual(sweep.weaker_orders("load", "seq_cst"), ["acquire", "relaxed"])
        self.assertEqual(sweep.weaker_orders("store", "seq_cst"), ["release", "relaxed"])
        self.assertEqual(sweep.weaker_orders("rmw", "seq_cst"), ["acq_rel", "acquire", "release", "relaxed"])
        self.assertEqual(sweep.weaker_orders("cas", "acq_rel"), ["acquire", "release", "relaxed"])
        self.assertEqual(sweep.weaker_orders("cas_failure", "seq_cst"), ["acquire", "relaxed"])
        self.assertEqual(sweep.weaker_orders("fence", "seq_cst"), ["acq_rel", "acquire", "release", "removed"])
        self.assertEqual(sweep.weaker_orders("fence", "release"), ["removed"])
        for op in ("load", "store", "rmw", "cas", "cas_failure", "wait"):
            self.assertEqual(sweep.weaker_orders(op, "relaxed"), [])
        self.assertNotIn("release", sweep.weaker_orders("load", "seq_cst"))  # a load has no release
        self.assertNotIn("acquire", sweep.weaker_orders("store", "seq_cst"))

    def test_site_key_is_what_the_world_parses(self):
        s = {"op": "rmw", "file": "/a/primitives/x.hpp", "line": 12, "column": 40}
        self.assertEqual(sweep.site_key(s), "rmw@/a/primitives/x.hpp:12:40")
        self.assertEqual(sweep.short_file(s["file"]), "primitives/x.hpp")
        self.assertFalse(sweep.component_site({"file": "../models/lifecycle/lifecycle_model.cpp"}))
        self.assertTrue(sweep.component_site({"file": "../primitives/lifecycle/packed_lifecycle.hpp"}))


class Classify(unittest.TestCase):
    def test_relaxed_has_nothing_weaker(self):
        self.assertEqual(sweep.classify("load", "relaxed", {})["class"], "relaxed")

    def test_caught_weakest_is_necessary_and_names_the_weakest_passing(self):
        c = sweep.classify("rmw", "acq_rel", {"acquire": "fail", "release": "pass", "relaxed": "fail"})
        self.assertEqual(c["class"], "necessary")
        self.assertEqual(c["weakest_passing"], ["release"])
        self.assertTrue(c["monotone"])

    def test_every_weakening_caught_leaves_the_declared_order(self):
        c = sweep.classify("load", "acquire", {"relaxed": "fail"})
        self.assertEqual((c["class"], c["weakest_passing"]), ("necessary", ["acquire"]))

    def test_all_passing_is_not_shown_necessary(self):
        c = sweep.classify("store", "seq_cst", {"release": "pass", "relaxed": "pass"})
        self.assertEqual((c["class"], c["weakest_passing"]), ("not shown necessary", ["relaxed"]))

    def test_incomparable_orders_both_minimal(self):
        c = sweep.classify("rmw", "acq_rel", {"acquire": "pass", "release": "pass", "relaxed": "fail"})
        self.assertEqual(sorted(c["weakest_passing"]), ["acquire", "release"])

    def test_missing_runs_are_pending_not_passing(self):
        c = sweep.classify("store", "seq_cst", {"release": "pass"})
        self.assertEqual(c["class"], "pending")
        self.assertFalse(c["complete"])

    def test_a_run_without_a_verdict_leaves_the_site_incomplete(self):
        c = sweep.classify("store", "seq_cst", {"release": "error", "relaxed": "pass"})
        self.assertEqual(c["class"], "pending")
        c = sweep.classify("fence", "seq_cst", {"acq_rel": "error", "acquire": "fail", "release": "fail",
                                                "removed": "fail"})
        self.assertEqual(c["class"], "necessary")
        self.assertFalse(c["complete"])

    def test_a_weaker_pass_under_a_stronger_catch_is_flagged(self):
        c = sweep.classify("load", "seq_cst", {"acquire": "fail", "relaxed": "pass"})
        self.assertFalse(c["monotone"])


class MutantMatching(unittest.TestCase):
    def _s(self, op, line, order, file="/r/primitives/deque/chase_lev.hpp"):
        return {"file": file, "line": line, "column": 5, "op": op, "order": order}

    def test_the_weakened_site_of_a_mutant_is_found_in_its_base(self):
        base = {"entry": "chase_lev", "component": "deque", "program": "p",
                "sites": [self._s("store", 10, "release"), self._s("fence", 20, "seq_cst")]}
        other = {"entry": "mutex_deque", "component": "deque", "program": "p", "sites": [self._s("load", 3, "acquire")]}
        mutant = {"entry": "m", "component": "deque", "program": "p",
                  "sites": [self._s("store", 10, "relaxed"), self._s("fence", 20, "seq_cst")]}
        b, found = sweep.find_base(mutant, [other, base])
        self.assertEqual(b["entry"], "chase_lev")
        self.assertEqual([(f["site"]["line"], f["order"]) for f in found], [(10, "relaxed")])

    def test_the_base_shares_most_sites_at_the_same_order(self):
        # a big sibling sharing a helper loses to the small entry the mutant copies
        big = {"entry": "big", "component": "loop", "program": "p",
               "sites": [self._s("load", n, "acquire") for n in range(1, 9)] + [self._s("load", 72, "seq_cst")]}
        small = {"entry": "small", "component": "loop", "program": "p",
                 "sites": [self._s("load", 1, "acquire"), self._s("load", 2, "acquire"),
                           self._s("load", 72, "acquire"), self._s("rmw", 61, "acquire")]}
        mutant = {"entry": "m", "component": "loop", "program": "p",
                  "sites": [self._s("load", 1, "acquire"), self._s("load", 2, "acquire"),
                            self._s("load", 72, "acquire"), self._s("rmw", 61, "relaxed")]}
        b, found = sweep.find_base(mutant, [big, small])
        self.assertEqual(b["entry"], "small")
        self.assertEqual([(f["site"]["line"], f["order"]) for f in found], [(61, "relaxed")])

    def test_a_fence_the_mutant_never_runs_is_its_removal(self):
        base = {"entry": "b", "component": "deque", "program": "p",
                "sites": [self._s("store", 10, "release"), self._s("fence", 20, "seq_cst")]}
        mutant = {"entry": "m", "component": "deque", "program": "p", "sites": [self._s("store", 10, "release")]}
        _, found = sweep.find_base(mutant, [base])
        self.assertEqual([(f["site"]["op"], f["order"]) for f in found], [("fence", "removed")])

    def test_a_failure_order_lowered_by_its_success_order_counts_once(self):
        base = {"entry": "b", "component": "deque", "program": "p",
                "sites": [self._s("cas", 30, "seq_cst"), self._s("cas_failure", 30, "seq_cst")]}
        mutant = {"entry": "m", "component": "deque", "program": "p",
                  "sites": [self._s("cas", 30, "relaxed"), self._s("cas_failure", 30, "relaxed")]}
        _, found = sweep.find_base(mutant, [base])
        self.assertEqual([(f["site"]["op"], f["order"]) for f in found], [("cas", "relaxed")])

    def test_a_logic_mutant_is_no_order_mutant(self):
        base = {"entry": "b", "component": "deque", "program": "p", "sites": [self._s("store", 10, "release")]}
        mutant = {"entry": "m", "component": "deque", "program": "p", "sites": [self._s("store", 10, "release")]}
        self.assertEqual(sweep.find_base(mutant, [base])[1], [])


class Resolution(unittest.TestCase):
    SRC = """    void f() {
        // sweep: why the store is release
        // and more of why.
        x_.store(1, std::memory_order_release);
        // an unrelated comment
        // sweep(cas_failure): the failure order reads nothing
        // sweep(cas): the success order publishes
        if (y_.compare_exchange_strong(e, 2,
                                       std::memory_order_release, std::memory_order_acquire))
            g();
        z_.load(std::memory_order_acquire);  // sweep: trailing
        w_.load(std::memory_order_acquire);
        // sweep(load): a for header
        for (r* p = h_.load(std::memory_order_acquire); p != nullptr;
             p = p->n.load(std::memory_order_relaxed))
            for (int i = 0; i < 2; ++i)
                if (void* h = p->s[i].load(std::memory_order_seq_cst)) v.push_back(h);
    }
"""

    def setUp(self):
        import tempfile
        self.tmp = tempfile.TemporaryDirectory()
        self.path = pathlib.Path(self.tmp.name) / "f.hpp"
        self.path.write_text(self.SRC)

    def tearDown(self):
        self.tmp.cleanup()

    def _note(self, line, op):
        old = sweep.ROOT
        sweep.ROOT = pathlib.Path(self.tmp.name)
        try:
            return sweep.note_for({"file": "f.hpp", "line": line, "op": op})
        finally:
            sweep.ROOT = old

    def test_a_note_above_the_statement_with_its_continuation(self):
        self.assertEqual(self._note(4, "store"), "why the store is release and more of why.")

    def test_a_site_on_a_continuation_line_finds_the_statements_notes_by_operation(self):
        self.assertEqual(self._note(9, "cas"), "the success order publishes")
        self.assertEqual(self._note(9, "cas_failure"), "the failure order reads nothing")
        self.assertIsNone(self._note(9, "load"))

    def test_a_for_header_is_one_statement_with_its_body(self):
        self.assertEqual(self._note(14, "load"), "a for header")
        self.assertEqual(self._note(17, "load"), "a for header")

    def test_a_trailing_note_and_none(self):
        self.assertEqual(self._note(11, "load"), "trailing")
        self.assertIsNone(self._note(12, "load"))  # the note above belongs to the line above
        self.assertIsNone(self._note(99, "load"))

    def test_necessary_elsewhere_resolves_before_a_note_and_unresolved_fails_the_record(self):
        a = [dict(_site(80, "rmw", "release", "necessary", ["release"], KILLER), site="k")]
        b = [dict(_site(80, "rmw", "release", "not shown necessary", ["relaxed"]), site="k"),
             dict(_site(99, "load", "acquire", "not shown necessary", ["relaxed"]), site="j",
                  file="no/such/file.hpp", complete=True, errors=[])]
        sweep.resolve({"packed_lifecycle": a, "coalescing_loop": b})
        self.assertEqual(b[0]["resolution"]["how"], "scenario")
        self.assertIn("packed_lifecycle", b[0]["resolution"]["text"])
        self.assertIsNone(b[1]["resolution"])
        t = {"component": "loop", "name": "coalescing_loop", "origin": "in-house"}
        rec = sweep.sweep_record(t, {"verdict": "pass", "detail": ""}, [dict(s, errors=[], complete=True) for s in b],
                                 [], 1.0)
        self.assertEqual(rec["verdict"], "fail")
        self.assertIn("1 not-shown-necessary site(s) with no scenario and no `sweep:` note", rec["detail"])
        _, md = report_sweep.section([_rec(sites=rec["metrics"]["sites"])])
        self.assertIn("UNRESOLVED", md)
        self.assertIn("scenario: necessary in packed_lifecycle", md)


class Section(unittest.TestCase):
    def test_no_records(self):
        h, md = report_sweep.section([])
        self.assertIn("no sweep records", md)

    def test_table_share_and_killer(self):
        sites = [_site(80, "rmw", "acquire", "necessary", ["acquire"], KILLER),
                 _site(120, "rmw", "release", "necessary", ["release"], KILLER),
                 _site(60, "load", "acquire", "not shown necessary", ["relaxed"]),
                 _site(70, "load", "relaxed", "relaxed", ["relaxed"]),
                 _site(95, "cas", "acq_rel", "necessary", ["release"], KILLER)]
        h, md = report_sweep.section([_rec(sites=sites)])
        self.assertIn("primitives/lifecycle/packed_lifecycle.hpp:80", md)
        self.assertIn("declared orders shown necessary: 2 of 4 (50%)", md)  # 80, 120 exact; 95 weaker passes
        self.assertIn("admission race, 1 worker: DATA RACE", md)
        self.assertIn("not shown necessary", h)
        self.assertIn("all swept entries: 2 of 4", md)

    def test_mutants_listed_with_agreement(self):
        m = {"mutant": "mutant_packed_relaxed_exit", "base": "packed_lifecycle", "expected": "fail", "sweep": "fail",
             "agrees": True, "weakenings": [{"file": "primitives/lifecycle/packed_lifecycle.hpp", "line": 120,
                                             "column": 9, "op": "rmw", "declared": "release", "order": "relaxed"}]}
        _, md = report_sweep.section([_rec(sites=[], mutants=[m])])
        self.assertIn("| mutant_packed_relaxed_exit | packed_lifecycle: primitives/lifecycle/packed_lifecycle.hpp:120"
                      " rmw release -> relaxed | fail | fail | yes |", md)

    def test_a_failed_sweep_record_shows_its_detail(self):
        _, md = report_sweep.section([_rec(verdict="fail", detail="disagrees with mutant m")])
        self.assertIn("**disagrees with mutant m**", md)

    def test_bad_records_name_file_and_field(self):
        bad = _rec()
        del bad["metrics"]["sites"]
        with self.assertRaisesRegex(report.ReportError, r"sweep.lifecycle.packed_lifecycle.json: field 'metrics.sites'"):
            report_sweep.section([bad])
        bad = _rec(sites=[{"file": "f", "line": 1}])
        with self.assertRaisesRegex(report.ReportError, r"metrics.sites\[0\].op"):
            report_sweep.section([bad])

    def test_sweep_records_are_kept_without_a_manifest_line(self):
        other = dict(_rec(), check="model")
        kept, missing, errors, warnings = report.reconcile([_rec(), other], {})
        self.assertEqual([r["check"] for r in kept], ["sweep"])
        self.assertEqual(len(warnings), 1)  # the unplanned model record

    def test_wired_into_the_report(self):
        self.assertIn("report_sweep", report.SECTIONS)
        self.assertIn("sweep", report.CHECK_ORDER)


if __name__ == "__main__":
    unittest.main()
