#!/usr/bin/python3
"""Unit tests of scripts/report.py on small in-memory fixtures."""

import json
import pathlib
import sys
import tempfile
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import report  # noqa: E402


def rec(impl, check, verdict, expected, origin="in-house", trace=""):
    return {"component": "lifecycle", "implementation": impl, "origin": origin, "check": check,
            "verdict": verdict, "expected": expected, "detail": "d", "trace": trace}


class ReportTest(unittest.TestCase):
    def test_all_matching_exits_zero_and_writes_outputs(self):
        records = [rec("a", "property", "pass", "pass"), rec("m", "model", "fail", "fail", "mutant", "T")]
        with tempfile.TemporaryDirectory() as d:
            self.assertEqual(report.build(records, {}, pathlib.Path(d)), 0)
            page = (pathlib.Path(d) / "index.html").read_text()
            self.assertIn('class="finding"', page)
            self.assertIn("trace-model-lifecycle-m", page)
            self.assertEqual(len(json.loads((pathlib.Path(d) / "results.json").read_text())), 2)

    def test_mismatch_is_counted_both_ways(self):
        records = [rec("a", "stress", "fail", "pass"), rec("s", "model", "pass", "fail", "seed")]
        with tempfile.TemporaryDirectory() as d:
            self.assertEqual(report.build(records, {}, pathlib.Path(d)), 2)
            self.assertIn("MISMATCH", (pathlib.Path(d) / "summary.md").read_text())

    def test_kill_matrix_flags_survivor(self):
        html, md = report.kill_matrix([rec("m", "property", "pass", "pass", "mutant")])
        self.assertIn("SURVIVED ALL", html)
        self.assertIn("survived all", md)

    def test_unheld_failure_is_neither_finding_nor_kill(self):
        records = [rec("m", "tsan", "fail", "n/a", "mutant", "T")]
        html, _ = report.kill_matrix(records)
        self.assertIn("caught (not held)", html)
        self.assertIn("SURVIVED ALL", html)
        matrix, _ = report.verdict_matrix(records)
        self.assertIn('class="unheld"', matrix)

    def test_main_without_records_fails(self):
        with tempfile.TemporaryDirectory() as d:
            self.assertEqual(report.main([d, "--out", str(pathlib.Path(d) / "out")]), 1)


if __name__ == "__main__":
    unittest.main()
