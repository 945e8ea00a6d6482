"""Unit tests of scripts/report_litmus.py over a small fixture of litmus records.

Run with /usr/bin/python3 scripts/test_report_litmus.py (Debian's matplotlib).
"""

import pathlib
import sys
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

import report  # noqa: E402
import report_litmus  # noqa: E402


def _record(name, shape, origin, allowed, forbidden, weak, model, hist, cls, verdict="pass", expected="pass", **kw):
    m = {
        "shape": shape,
        "annotation": name.split(".", 1)[1],
        "program": "T0: x=1; r0=y || T1: y=1; r1=x",
        "registers": ["r0", "r1"],
        "allowed": allowed,
        "forbidden": forbidden,
        "weak": weak,
        "model_outcomes": model,
        "model_missing": [a for a in allowed if model is not None and a not in model],
        "hardware_histogram": hist,
        "iterations": sum(hist.values()) if hist else 0,
        "rate_per_s": 5.5e6,
        "threads": 2,
        "cpus": 2,
        "classification": cls,
        "reference": "[BOSSW11] fixture",
    }
    m.update(kw)
    r = {"component": "litmus", "implementation": name, "origin": origin, "check": "litmus", "verdict": verdict,
         "expected": expected, "reason": "", "status": "", "detail": cls + ": fixture", "trace": "replay: litmus",
         "seed": "1", "seconds": 0.1, "metrics": m, "_file": f"litmus.litmus.{name}.json"}
    r["status"] = report.status_of(r)
    return r


FIXTURE = [
    _record("SB.relaxed", "SB", "in-house", ["0,0", "0,1", "1,0", "1,1"], [], ["0,0"],
            ["0,0", "0,1", "1,0", "1,1"], {"0,0": 2619, "0,1": 144877, "1,0": 52503, "1,1": 1},
            "interesting", weak_count=2619, weak_rate=0.013095, ci_low=0.012606, ci_high=0.0136027),
    _record("LB.relaxed", "LB", "in-house", ["0,0", "0,1", "1,0", "1,1"], [], ["1,1"],
            ["0,0", "0,1", "1,0"], {"0,0": 10, "0,1": 100, "1,0": 90, "1,1": 0}, "limitation"),
    _record("SB.relaxed_declared_sc", "SB", "mutant", ["0,1", "1,0", "1,1"], ["0,0"], ["0,0"],
            ["0,0", "0,1", "1,0", "1,1"], {"0,0": 5, "0,1": 100, "1,0": 95, "1,1": 0}, "forbidden-seen",
            verdict="fail", expected="fail"),
    {"component": "queue.mpmc", "implementation": "x", "check": "model", "verdict": "pass", "expected": "pass",
     "status": "ok", "metrics": {}},
]


def _flat(r):
    return report_litmus.flatten(r)


class SectionTest(unittest.TestCase):
    def test_filters_and_orders_litmus_records(self):
        rows = report_litmus.litmus_records(FIXTURE)
        self.assertEqual([r["implementation"] for r in rows],
                         ["LB.relaxed", "SB.relaxed", "SB.relaxed_declared_sc"])

    def test_summaries(self):
        sb, lb, mutant = _flat(FIXTURE[0]), _flat(FIXTURE[1]), _flat(FIXTURE[2])
        self.assertIn("0.0131", report_litmus._weak_summary(sb))
        self.assertIn("[0.0126, 0.0136]", report_litmus._weak_summary(sb))
        self.assertIn("never reached allowed 1,1", report_litmus._model_summary(lb))
        self.assertIn("FORBIDDEN reached: 0,0", report_litmus._model_summary(mutant))
        self.assertIn("FORBIDDEN seen: 0,0 x5", report_litmus._weak_summary(mutant))
        self.assertEqual(report_litmus._declared_summary(mutant), "weak 0,0 forbidden")
        self.assertEqual(report_litmus._declared_summary(sb), "weak 0,0 allowed")

    def test_section_marks_rows_and_embeds_chart(self):
        html, md = report_litmus.section(FIXTURE)
        self.assertIn("3 tests", md)
        self.assertIn("**interesting**", md)
        self.assertIn("_limitation_", md)
        self.assertIn("FINDING", html)
        self.assertIn("1 finding(s)", md)
        self.assertIn("0 mismatch(es)", md)
        self.assertNotIn("queue.mpmc", html)
        self.assertEqual(html.count('<img src="data:image/png;base64,'), 1)
        self.assertNotIn('src="assets', html)

    def test_mismatch_is_reported(self):
        bad = dict(FIXTURE[0], verdict="fail", status="mismatch")
        bad["metrics"] = dict(bad["metrics"], classification="forbidden-seen")
        html, md = report_litmus.section([bad])
        self.assertIn("MISMATCH", html)
        self.assertIn("1 mismatch(es)", md)

    def test_passed_record_missing_a_figure_names_file_and_field(self):
        bad = dict(FIXTURE[0])
        bad["metrics"] = {k: v for k, v in bad["metrics"].items() if k != "allowed"}
        with self.assertRaisesRegex(report.ReportError, r"^litmus\.litmus\.SB\.relaxed\.json: field 'metrics\.allowed' missing"):
            report_litmus.section([bad])

    def test_bad_histogram_names_file_and_field(self):
        bad = dict(FIXTURE[0])
        bad["metrics"] = dict(bad["metrics"], hardware_histogram=[1, 2])
        with self.assertRaisesRegex(report.ReportError, r"field 'metrics\.hardware_histogram'"):
            report_litmus.section([bad])

    def test_crashed_record_without_figures_is_shown(self):
        crashed = dict(FIXTURE[0], verdict="fail", status="mismatch", metrics={}, detail="crash: Segmentation fault")
        html, md = report_litmus.section([crashed])
        self.assertIn("MISMATCH", html)
        self.assertIn("not run", md)

    def test_skipped_record_is_left_out(self):
        skipped = dict(FIXTURE[0], verdict="skip", expected="skip", reason="r", status="skipped", metrics={})
        html, md = report_litmus.section([skipped])
        self.assertIn("No litmus records", md)

    def test_single_register_coherence_shape(self):
        # CoWW's outcome is one final value; its row and chart panel render
        # like the two-register shapes'.
        coww = _record("CoWW.relaxed", "CoWW", "in-house", ["2"], ["1"], ["1"], ["2"], {"1": 0, "2": 1000},
                       "pass", program="T0: x=1; x=2 || final x", registers=["x"], threads=1, cpus=1)
        self.assertEqual(report_litmus._declared_summary(_flat(coww)), "weak 1 forbidden")
        self.assertIn("no weak outcome in 1k runs", report_litmus._weak_summary(_flat(coww)))
        html, md = report_litmus.section([coww])
        self.assertIn("CoWW.relaxed", md)
        self.assertIn("1 tests", md)
        self.assertIn("0 mismatch(es)", md)

    def test_no_records(self):
        html, md = report_litmus.section([])
        self.assertIn("No litmus records", md)


if __name__ == "__main__":
    unittest.main()
