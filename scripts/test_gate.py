#!/usr/bin/python3
"""Unit tests of scripts/gate.py: the decision rule on synthetic rounds, Holm,
accepted regressions, bad input, and a whole gate run on fake bench
executables (prebuilt folders, no compile).

Run: /usr/bin/python3 scripts/test_gate.py
"""

import contextlib
import io
import json
import pathlib
import stat
import sys
import tempfile
import textwrap
import unittest

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import gate  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent


def row(costs, key="bench_x/e/throughput, threads 1", figure="items_per_second"):
    return {"key": key, "exe": "bench_x", "entry": "e", "labels": {}, "figure": figure, "higher_is_better": True,
            "ratios": [1 / c for c in costs], "cost_ratios": list(costs)}


def noisy(centre, spread, n, seed=1):
    rng = np.random.default_rng(seed)
    return list(centre * np.exp(rng.normal(0.0, spread, n)))


def quiet(fn, *args):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = fn(*args)
    return status, out.getvalue(), err.getvalue()


class DecisionTest(unittest.TestCase):
    def test_clear_regression(self):
        [r] = gate.decide([row(noisy(1.20, 0.01, 10))], 0.05, 30)
        self.assertEqual(r["verdict"], "regression")
        self.assertGreater(r["ci_low"], 1.05)
        self.assertLess(r["p_holm"], 0.05)

    def test_clear_improvement(self):
        [r] = gate.decide([row(noisy(0.80, 0.01, 10))], 0.05, 30)
        self.assertEqual(r["verdict"], "improvement")

    def test_identical_is_same(self):
        [r] = gate.decide([row([1.0] * 10)], 0.05, 30)
        self.assertEqual(r["verdict"], "same")
        self.assertEqual((r["ci_low"], r["ci_high"], r["p"]), (1.0, 1.0, 1.0))

    def test_small_noise_is_same(self):
        [r] = gate.decide([row(noisy(1.0, 0.005, 10))], 0.05, 30)
        self.assertEqual(r["verdict"], "same")
        self.assertLess(r["mde"], 0.06)

    def test_noise_above_threshold_cannot_be_gated(self):
        [r] = gate.decide([row(noisy(1.0, 0.30, 10))], 0.05, 30)
        self.assertEqual(r["verdict"], "cannot gate")
        self.assertGreater(r["mde"], 0.10)

    def test_moderate_noise_is_unknown_until_the_cap(self):
        costs = noisy(1.0, 0.07, 10, seed=3)
        [r] = gate.decide([row(costs)], 0.05, 60)
        self.assertEqual(r["verdict"], "unknown")
        # the same rounds with no room left to measure: cannot be gated
        [r] = gate.decide([row(costs)], 0.05, 10)
        self.assertEqual(r["verdict"], "cannot gate")

    def test_slowdown_inside_threshold_is_not_a_regression(self):
        [r] = gate.decide([row(noisy(1.02, 0.002, 10))], 0.05, 30)
        self.assertEqual(r["verdict"], "same")

    def test_holm_adjusts_in_order(self):
        got = gate.holm([0.01, 0.04, 0.03])
        self.assertEqual([round(x, 6) for x in got], [0.03, 0.06, 0.06])
        self.assertEqual(gate.holm([]), [])

    def test_holm_is_applied_across_benchmarks(self):
        # 6 rounds, all 20% slower: exact Wilcoxon p = 2/64 < 0.05 alone...
        slow = [1.20, 1.21, 1.19, 1.22, 1.20, 1.18]
        [alone] = gate.decide([row(slow)], 0.05, 6)
        self.assertAlmostEqual(alone["p"], 2 / 64)
        self.assertEqual(alone["verdict"], "regression")
        # ...but not among six benchmarks of one gate run (Holm: 6 x 2/64)
        rows = [row(slow)] + [row([1.0] * 6, key=f"bench_x/e/other {i}") for i in range(5)]
        got = gate.decide(rows, 0.05, 6)
        self.assertAlmostEqual(got[0]["p_holm"], 6 * 2 / 64)
        self.assertNotEqual(got[0]["verdict"], "regression")

    def test_accepted_regression_passes(self):
        acc = [{"benchmark": "bench_x/e/throughput, threads 1", "figure": "items_per_second", "reason": "wanted"}]
        [r] = gate.decide([row(noisy(1.20, 0.01, 10))], 0.05, 30, acc)
        self.assertEqual((r["verdict"], r["accepted_reason"]), ("accepted", "wanted"))
        other = [dict(acc[0], figure="p50_ns")]
        [r] = gate.decide([row(noisy(1.20, 0.01, 10))], 0.05, 30, other)
        self.assertEqual(r["verdict"], "regression")

    def test_accepted_file_is_checked(self):
        self.assertEqual(gate.load_accepted((ROOT / "gate" / "accepted.json").read_text(), "f"), [])
        with self.assertRaisesRegex(gate.GateError, "needs non-empty 'benchmark', 'figure' and 'reason'"):
            gate.load_accepted('{"accepted": [{"benchmark": "x", "figure": "y"}]}', "f")
        with self.assertRaisesRegex(gate.GateError, "not valid JSON"):
            gate.load_accepted("{", "f")

    def test_cost_ratio_direction(self):
        def runs(rate, p50):
            return {("bench_x", "e", (("benchmark", "t"),)): {"benchmark": "t", "items_per_second": rate},
                    ("bench_x", "e", (("benchmark", "l"),)): {"benchmark": "l", "p50_ns": p50, "p99_ns": p50}}
        rows = gate.cost_rows([(runs(100.0, 10.0), runs(80.0, 12.5))] * 3)
        by = {(r["key"], r["figure"]): r["cost_ratios"][0] for r in rows}
        self.assertAlmostEqual(by[("bench_x/e/t", "items_per_second")], 1.25)  # slower rate: cost up
        self.assertAlmostEqual(by[("bench_x/e/l", "p50_ns")], 1.25)
        import re
        self.assertEqual({r["key"] for r in gate.cost_rows([(runs(1.0, 1.0), runs(1.0, 1.0))], re.compile("/l$"))},
                         {"bench_x/e/l"})


FAKE = textwrap.dedent('''\
    #!/usr/bin/python3
    # A bench executable: --manifest, and one record per entry per run.
    import json, os, random, sys
    FACTOR = {factor}
    ENTRIES = {entries}
    args = sys.argv[1:]
    if "--manifest" in args:
        for e in ENTRIES:
            print(json.dumps({{"check": "bench", "component": "c", "implementation": e, "expected": "pass"}}))
        sys.exit(0)
    chosen = [args[i + 1] for i, a in enumerate(args) if a == "--entry"] or ENTRIES
    d = os.environ["GAUNTLET_RESULTS_DIR"]
    for e in chosen:
        rate = 1.0e7 * (FACTOR if e == "slow" else 1.0) * (1 + 0.002 * random.random())
        run = {{"benchmark": "throughput", "threads": 1, "aggregate": "", "iterations": 10, "real_ns": 1e6,
               "cpu_ns": 1e6, "items_per_second": rate}}
        rec = {{"component": "c", "implementation": e, "origin": "in-house", "check": "bench", "verdict": "pass",
               "expected": "pass", "reason": "", "status": "ok", "detail": "", "trace": "replay: x", "seed": "1",
               "seconds": 0.1, "metrics": {{"runs": [run]}}}}
        open(os.path.join(d, "bench.c." + e + ".json"), "w").write(json.dumps(rec))
''')


def fake_build(folder, factor, entries=("slow", "steady")):
    exe = pathlib.Path(folder) / "bench" / "fake" / "bench_fake"
    exe.parent.mkdir(parents=True)
    exe.write_text(FAKE.format(factor=factor, entries=list(entries)))
    exe.chmod(exe.stat().st_mode | stat.S_IXUSR)
    return str(folder)


class GateRunTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.d = pathlib.Path(self.tmp.name)
        self.out = self.d / "out"
        self.accepted = self.d / "accepted.json"
        self.accepted.write_text('{"accepted": []}')

    def tearDown(self):
        self.tmp.cleanup()

    def gate(self, base_build, head_build, *extra):
        return quiet(gate.main, ["--base", "HEAD", "--base-build", base_build, "--head-build", head_build,
                                 "--rounds", "8", "--max-rounds", "8", "--min-time", "0.001", "--cpus", "",
                                 "--out", str(self.out), "--accepted", str(self.accepted),
                                 "--cache", str(self.d / "cache"), *extra])

    def test_regression_fails_and_outputs_are_written(self):
        status, out, err = self.gate(fake_build(self.d / "b", 1.0), fake_build(self.d / "h", 1 / 1.25))
        self.assertEqual(status, 1, err)
        self.assertIn("gate: FAIL", out)
        self.assertIn("Holm-corrected across all 2 benchmarks", out)
        self.assertIn("environment:", out)
        doc = json.loads((self.out / "gate.json").read_text())
        verdicts = {b["key"]: b["verdict"] for b in doc["benchmarks"]}
        self.assertEqual(verdicts, {"bench_fake/slow/throughput, threads 1": "regression",
                                    "bench_fake/steady/throughput, threads 1": "same"})
        self.assertEqual(doc["correction"], "holm")
        self.assertIn("cpu_model", doc["environment"])
        junit = (self.out / "junit.xml").read_text()
        self.assertIn('failures="1"', junit)
        self.assertIn("<failure", junit)
        self.assertIn("data:image/png;base64,", (self.out / "index.html").read_text())
        self.assertIn("regression", (self.out / "summary.md").read_text())

    def test_accepted_regression_passes_the_gate(self):
        self.accepted.write_text(json.dumps({"accepted": [
            {"benchmark": "bench_fake/slow/throughput, threads 1", "figure": "items_per_second",
             "reason": "bounds checks added on purpose"}]}))
        status, out, err = self.gate(fake_build(self.d / "b", 1.0), fake_build(self.d / "h", 1 / 1.25))
        self.assertEqual(status, 0, err)
        self.assertIn("accepted regression (gate/accepted.json): bounds checks added on purpose", out)

    def test_a_a_passes(self):
        b = fake_build(self.d / "b", 1.0)
        status, out, err = self.gate(b, b)
        self.assertEqual(status, 0, err)
        self.assertIn("2 same", out)

    def test_bench_selects_entries(self):
        status, out, _ = self.gate(fake_build(self.d / "b", 1.0), fake_build(self.d / "h", 1 / 1.25),
                                   "--bench", "steady")
        self.assertEqual(status, 0)
        self.assertNotIn("bench_fake/slow", out)

    def test_unknown_revision_is_bad_input(self):
        status, _, err = quiet(gate.main, ["--base", "no-such-revision-xyz", "--out", str(self.out)])
        self.assertEqual(status, 2)
        self.assertIn("unknown revision 'no-such-revision-xyz'", err)
        status, _, err = quiet(gate.main, ["--base", "HEAD", "--head", "no-such-head", "--out", str(self.out)])
        self.assertEqual(status, 2)
        self.assertIn("unknown revision 'no-such-head'", err)
        self.assertFalse(self.out.exists())

    def test_missing_bench_executables_is_bad_input(self):
        empty = self.d / "empty"
        empty.mkdir()
        status, _, err = self.gate(str(empty), fake_build(self.d / "h", 1.0))
        self.assertEqual(status, 2)
        self.assertIn("missing bench executables", err)

    def test_nothing_to_compare_is_bad_input(self):
        status, _, err = self.gate(fake_build(self.d / "b", 1.0, ["a"]), fake_build(self.d / "h", 1.0, ["b"]))
        self.assertEqual(status, 2)
        self.assertIn("nothing to compare", err)
        status, _, err = self.gate(fake_build(self.d / "b2", 1.0), fake_build(self.d / "h2", 1.0), "--bench",
                                   "no-benchmark-has-this")
        self.assertEqual(status, 2)
        self.assertIn("nothing to compare", err)

    def test_bad_options_exit_2(self):
        for argv in (["--base", "HEAD", "--rounds", "9", "--max-rounds", "5"], ["--base", "HEAD", "--bench", "("],
                     ["--base", "HEAD", "--cpus", "x"], ["--head", "HEAD"]):
            with self.assertRaises(SystemExit) as cm:
                quiet(gate.main, argv)
            self.assertEqual(cm.exception.code, 2, argv)


if __name__ == "__main__":
    unittest.main()
