#!/usr/bin/python3
"""Unit tests of scripts/plan.py's selection on fake test lists and manifests.

Run: /usr/bin/python3 scripts/test_plan.py
"""

import contextlib
import fnmatch
import io
import json
import pathlib
import sys
import tempfile
import unittest
from unittest import mock

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
    "asan": [{"name": "lifecycle-asan", "suite": "asan", "cmd": ["la"], "env": {}},
             {"name": "queue-asan", "suite": "asan", "cmd": ["qa"], "env": {}}],
}
ENTRIES = {"p": ("property", ["packed", "seed"]), "lin": ("linearizability", ["spsc_ring", "vyukov"]),
           "bq": ("bench", ["spsc_ring", "vyukov"]), "qs": ("tsan", ["spsc_ring", "vyukov"]),
           "la": ("asan", ["packed", "seed"]), "qa": ("asan", ["spsc_ring", "vyukov"])}
# the build directories scripts/gauntlet passes, by label
BUILDS = {"gcc": "build", "tsan": "build-tsan", "asan": "build-asan"}


def fake_manifest(test, globs):
    check, names = ENTRIES[test["cmd"][0]]
    return [{"check": check, "component": "c", "implementation": n, "expected": "pass"} for n in names
            if not globs or any(fnmatch.fnmatch(n, g) for g in globs)]


def fake_tests(build):
    return TESTS[{d: label for label, d in BUILDS.items()}[str(build)]]


def run(entries=(), checks=(), exclude=(), labels=("gcc", "tsan", "asan")):
    return plan.plan([(label, BUILDS[label]) for label in labels], list(entries), set(checks), set(exclude),
                     probe=lambda t: t["cmd"][0] in ENTRIES, get_manifest=fake_manifest, list_tests=fake_tests)


class PlanTest(unittest.TestCase):
    def test_everything(self):
        result, lines = run()
        self.assertEqual(result["gcc"]["tests"], [t["name"] for t in TESTS["gcc"]])
        self.assertEqual(result["gcc"]["bench"], ["bq"])
        self.assertEqual(result["asan"], {"tests": ["lifecycle-asan", "queue-asan"], "bench": []})
        self.assertEqual(len(lines), 12)

    def test_entry_keeps_only_check_executables_with_a_match(self):
        result, lines = run(entries=["spsc*"])
        self.assertEqual(result["gcc"]["tests"], ["queue-linearizability", "bench-queues"])
        self.assertEqual(result["tsan"]["tests"], ["queue-stress"])
        self.assertEqual(result["asan"]["tests"], ["queue-asan"])
        self.assertEqual({r["implementation"] for r in lines}, {"spsc_ring"})

    def test_check_selects_by_manifest(self):
        result, lines = run(checks=["linearizability", "tsan"])
        self.assertEqual(result["gcc"]["tests"], ["queue-linearizability"])
        self.assertEqual(result["tsan"]["tests"], ["queue-stress"])
        self.assertEqual(result["asan"]["tests"], [])
        self.assertEqual({r["check"] for r in lines}, {"linearizability", "tsan"})

    def test_check_asan_selects_the_asan_build(self):
        result, lines = run(checks=["asan"])
        self.assertEqual(result["gcc"]["tests"], [])
        self.assertEqual(result["tsan"]["tests"], [])
        self.assertEqual(result["asan"]["tests"], ["lifecycle-asan", "queue-asan"])
        self.assertEqual({(r["check"], r["implementation"]) for r in lines},
                         {("asan", "packed"), ("asan", "seed"), ("asan", "spsc_ring"), ("asan", "vyukov")})
        # --check asan: scripts/gauntlet passes the asan build only
        result, lines = run(checks=["asan"], entries=["packed"], labels=["asan"])
        self.assertEqual(result, {"asan": {"tests": ["lifecycle-asan"], "bench": []}})
        self.assertEqual([r["implementation"] for r in lines], ["packed"])

    def test_no_asan_leaves_the_asan_build_out(self):
        result, lines = run(labels=["gcc", "tsan"])
        self.assertNotIn("asan", result)
        self.assertNotIn("asan", {r["check"] for r in lines})

    def test_excluded_suite_is_planned_not_tested(self):
        result, lines = run(exclude=["bench"])
        self.assertNotIn("bench-queues", result["gcc"]["tests"])
        self.assertEqual(result["gcc"]["bench"], ["bq"])
        self.assertIn("bench", {r["check"] for r in lines})

    def test_nothing_matches(self):
        result, lines = run(entries=["nosuch"])
        self.assertEqual(lines, [])
        self.assertFalse(any(v["tests"] for v in result.values()))


class PlanCommandLineTest(unittest.TestCase):
    def main(self, *argv):
        real = plan.plan

        def fake(builds, entries, checks, exclude):
            self.assertEqual(builds, [(label, pathlib.Path(BUILDS[label])) for label, _ in builds])
            return real(builds, entries, checks, exclude, probe=lambda t: t["cmd"][0] in ENTRIES,
                        get_manifest=fake_manifest, list_tests=fake_tests)
        out, err = io.StringIO(), io.StringIO()
        with mock.patch.object(plan, "plan", side_effect=fake), contextlib.redirect_stdout(out), \
                contextlib.redirect_stderr(err):
            try:
                status = plan.main(list(argv))
            except SystemExit as e:
                status = e.code
        return status, out.getvalue(), err.getvalue()

    def test_asan_build_and_check(self):
        with tempfile.TemporaryDirectory() as d:
            status, out, err = self.main("--build", "gcc=build", "--build", "asan=build-asan", "--check", "asan",
                                         "--out", d)
            self.assertEqual(status, 0, err)
            self.assertIn("plan: asan: 2 test(s), 0 bench executable(s)", out)
            self.assertEqual((pathlib.Path(d) / "asan.tests").read_text(), "lifecycle-asan\nqueue-asan\n")
            self.assertEqual((pathlib.Path(d) / "gcc.tests").read_text(), "")
            lines = [json.loads(x) for x in (pathlib.Path(d) / "manifest.jsonl").read_text().splitlines()]
            self.assertEqual({r["check"] for r in lines}, {"asan"})
            self.assertEqual(len(lines), 4)

    def test_unknown_check_is_a_usage_error(self):
        with tempfile.TemporaryDirectory() as d:
            status, _, err = self.main("--build", "asan=build-asan", "--check", "msan", "--out", d)
            self.assertEqual(status, 2)
            self.assertIn("invalid choice: 'msan'", err)


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

    def test_sanitizer_builds_have_rows_of_their_own(self):
        with tempfile.TemporaryDirectory() as d:
            gcc, tsan, asan = (pathlib.Path(d) / n for n in ("gcc.json", "tsan.json", "asan.json"))
            gcc.write_text('{"name": "gauntlet:stress / s", "duration": 60}\n')
            tsan.write_text('{"name": "gauntlet:stress / s", "duration": 30}\n')
            asan.write_text('{"name": "gauntlet:asan / lifecycle-asan", "duration": 70}\n'
                            '{"name": "gauntlet:asan / queue-asan", "duration": 90.5}\n')
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                status = budget.main(["--step", "build=200", "--testlog", str(gcc),
                                      "--step", "tsan=50", "--testlog-into", f"tsan={tsan}",
                                      "--step", "asan-build=80", "--testlog-into", f"asan={asan}",
                                      "--total", "700"])
        self.assertEqual(status, 0)
        rows = {line.split()[0]: line.split()[1:] for line in out.getvalue().splitlines()[1:]}
        self.assertEqual([line.split()[0] for line in out.getvalue().splitlines()[1:]],
                         ["build", "stress", "tsan", "asan-build", "asan", "total"])
        self.assertEqual(rows["stress"], ["60.0", "140"])
        self.assertEqual(rows["tsan"], ["80.0", "240"])
        self.assertEqual(rows["asan-build"], ["80.0", "240"])
        self.assertEqual(rows["asan"], ["160.5", "150", "OVER", "BUDGET"])
        self.assertEqual(rows["total"], ["(wall)", "700.0", "900"])


if __name__ == "__main__":
    unittest.main()
