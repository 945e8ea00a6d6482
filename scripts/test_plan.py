#!/usr/bin/python3
"""Unit tests of scripts/plan.py's selection on fake test lists and manifests.

Run: /usr/bin/python3 scripts/test_plan.py
"""

import fnmatch
import pathlib
import sys
import tempfile
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import budget  # noqa: E402
import plan  # noqa: E402

TESTS = {
    "gcc": [
        {"name": "lifecycle-property", "suite": "property", "cmd": ["p"], "env": {}},
        {"name": "queue-linearizability", "suite": "property", "cmd": ["lin"], "env": {}},
        {"name": "checker-unit", "suite": "property", "cmd": ["gtest"], "env": {}},
        {"name": "bench-queues", "suite": "bench", "cmd": ["bq", "--benchmark_min_time=0.001"], "env": {}},
        {"name": "test-report", "suite": "scripts", "cmd": ["python3", "t.py"], "env": {}},
    ],
    "tsan": [{"name": "queue-stress", "suite": "stress", "cmd": ["qs"], "env": {}}],
}
ENTRIES = {"p": ("property", ["packed", "seed"]), "lin": ("linearizability", ["spsc_ring", "vyukov"]),
           "bq": ("bench", ["spsc_ring", "vyukov"]), "qs": ("tsan", ["spsc_ring", "vyukov"])}


def fake_manifest(test, globs):
    check, names = ENTRIES[test["cmd"][0]]
    return [{"check": check, "component": "c", "implementation": n, "expected": "pass"} for n in names
            if not globs or any(fnmatch.fnmatch(n, g) for g in globs)]


def run(entries=(), checks=(), exclude=()):
    return plan.plan([("gcc", "build"), ("tsan", "build-tsan")], list(entries), set(checks), set(exclude),
                     probe=lambda t: t["cmd"][0] in ENTRIES, get_manifest=fake_manifest,
                     list_tests=lambda b: TESTS["gcc" if b == "build" else "tsan"])


class PlanTest(unittest.TestCase):
    def test_everything(self):
        result, lines = run()
        self.assertEqual(result["gcc"]["tests"], [t["name"] for t in TESTS["gcc"]])
        self.assertEqual(result["gcc"]["bench"], ["bq"])
        self.assertEqual(len(lines), 8)

    def test_entry_keeps_only_check_executables_with_a_match(self):
        result, lines = run(entries=["spsc*"])
        self.assertEqual(result["gcc"]["tests"], ["queue-linearizability", "bench-queues"])
        self.assertEqual(result["tsan"]["tests"], ["queue-stress"])
        self.assertEqual({r["implementation"] for r in lines}, {"spsc_ring"})

    def test_check_selects_by_manifest(self):
        result, lines = run(checks=["linearizability", "tsan"])
        self.assertEqual(result["gcc"]["tests"], ["queue-linearizability"])
        self.assertEqual(result["tsan"]["tests"], ["queue-stress"])
        self.assertEqual({r["check"] for r in lines}, {"linearizability", "tsan"})

    def test_excluded_suite_is_planned_not_tested(self):
        result, lines = run(exclude=["bench"])
        self.assertNotIn("bench-queues", result["gcc"]["tests"])
        self.assertEqual(result["gcc"]["bench"], ["bq"])
        self.assertIn("bench", {r["check"] for r in lines})

    def test_nothing_matches(self):
        result, lines = run(entries=["nosuch"])
        self.assertEqual(lines, [])
        self.assertFalse(any(v["tests"] for v in result.values()))


class BudgetTest(unittest.TestCase):
    def test_suite_times_from_testlog_and_over_budget_mark(self):
        with tempfile.NamedTemporaryFile("w", suffix=".json") as f:
            f.write('{"name": "gauntlet:property / a", "duration": 50.0}\n'
                    '{"name": "gauntlet:property / b", "duration": 45.5}\n'
                    '{"name": "gauntlet:model / m", "duration": 10}\n')
            f.flush()
            self.assertEqual(budget.suite_seconds(f.name), {"property": 95.5, "model": 10.0})
        lines = budget.table([("property", 95.5), ("model", 10.0)], total=100)
        self.assertTrue(lines[1].endswith("OVER BUDGET"))
        self.assertNotIn("OVER", lines[2])
        self.assertNotIn("OVER", lines[3])


if __name__ == "__main__":
    unittest.main()
