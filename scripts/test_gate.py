#!/usr/bin/python3
"""Unit tests of scripts/gate.py: the decision rule on synthetic rounds, Holm,
accepted regressions, bad input, and a whole gate run on fake bench
executables (prebuilt folders, no compile).

Run: /usr/bin/python3 scripts/test_gate.py
"""

import contextlib
import io
import json
import re
import pathlib
import stat
import sys
import tempfile
import textwrap
import unittest
from unittest import mock

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
        costs = noisy(1.0, 0.04, 10, seed=3)
        [r] = gate.decide([row(costs)], 0.05, 60)
        self.assertEqual(r["verdict"], "unknown")
        # the same rounds with no room left to measure: cannot be gated
        [r] = gate.decide([row(costs)], 0.05, 10)
        self.assertEqual(r["verdict"], "cannot gate")

    def test_same_needs_the_assured_slowdown(self):
        # an interval inside +-5% whose noise would hide a 10% slowdown in
        # more than 5% of runs is not same: cannot gate, with its mde95
        costs = noisy(1.0, 0.03, 10, seed=3)
        [r] = gate.decide([row(costs)], 0.05, 10)
        self.assertLess(r["ci_high"], 1.05)
        self.assertGreater(r["ci_low"], 1 / 1.05)
        self.assertGreater(r["projected_mde95"], 0.10)
        self.assertEqual(r["verdict"], "cannot gate")
        self.assertIn("10% slowdown is not assured", r["reason"])
        # the same rounds with 30 to come would assure it: same
        [r] = gate.decide([row(costs)], 0.05, 30)
        self.assertLess(r["projected_mde95"], 0.10)
        self.assertEqual(r["verdict"], "same")
        # a looser --assure gates it at 10 rounds
        [r] = gate.decide([row(costs)], 0.05, 10, assure=0.2)
        self.assertEqual(r["verdict"], "same")

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
        # the committed file loads (each item has a benchmark, a figure and a reason)
        for item in gate.load_accepted((ROOT / "gate" / "accepted.json").read_text(), "f"):
            self.assertTrue(item["benchmark"] and item["figure"] and item["reason"])
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


def sided(base, head, higher=False, key="bench_x/e/ping_pong", figure="p50_ns"):
    """A row with each round's figure per side (as cost_rows makes it)."""
    ratios = [h / b for b, h in zip(base, head)]
    return {"key": key, "exe": "bench_x", "entry": "e", "labels": {}, "figure": figure, "higher_is_better": higher,
            "ratios": ratios, "cost_ratios": [1 / r if higher else r for r in ratios],
            "base_values": list(base), "head_values": list(head)}


class ModeTest(unittest.TestCase):
    """Benchmarks whose processes land in a fast or a slow mode (the loop
    ping-pong: ~870 ns spinning, ~20 us after a host-level wake-up)."""

    def bimodal(self, n, slow_base, slow_head, fast_effect=1.0, slow_effect=1.0, seed=7):
        """n rounds of a latency: side values of 870 ns (fast) or 20 us
        (slow), 1% noise; slow_* (sets of round indices) say which processes
        are slow; head's figure is multiplied by the effect of its mode."""
        rng = np.random.default_rng(seed)
        base, head = [], []
        for i in range(n):
            b = 20000.0 if i in slow_base else 870.0
            h = 20000.0 * slow_effect if i in slow_head else 870.0 * fast_effect
            base.append(b * float(np.exp(rng.normal(0, 0.01))))
            head.append(h * float(np.exp(rng.normal(0, 0.01))))
        return base, head

    def test_two_modes_are_found_one_mode_is_not(self):
        base, head = self.bimodal(20, {1, 2, 3, 9}, {1, 2, 3, 12})
        m = gate.mode_split(base, head, False)
        self.assertIsNotNone(m)
        self.assertGreater(m["gap"], 10)
        self.assertTrue(870 < m["cutoff"] < 20000)
        self.assertEqual((m["slow_base"], m["slow_head"]), (4, 4))
        self.assertIsNone(gate.mode_split(noisy(1e8, 0.05, 20), noisy(1e8, 0.05, 20, seed=2), True))
        # a rate: the fast mode is the higher one
        m = gate.mode_split([1e6, 1e6, 4e4, 1e6], [1e6, 4e4, 4e4, 1e6], True)
        self.assertEqual((m["slow_base"], m["slow_head"]), (1, 2))

    def test_a_single_outlier_does_not_split_a_benchmark(self):
        base = noisy(1e8, 0.02, 12)
        head = noisy(1e8, 0.02, 12, seed=4)
        head[5] /= 20  # one preempted process
        self.assertIsNone(gate.mode_split(base, head, True))
        [r] = gate.decide([sided(base, head, higher=True, figure="items_per_second")], 0.05, 30)
        self.assertIsNone(r["modes"])
        self.assertEqual(r["rounds"], 12)  # gated on every round, no power lost
        self.assertIn(r["verdict"], ("same", "unknown"))
        # two processes that agree are a mode
        head[6] /= 20
        self.assertIsNotNone(gate.mode_split(base, head, True))

    def test_gated_on_rounds_fast_on_both_sides(self):
        # 10% slower in the fast mode, unchanged in the slow mode (the delay
        # is invisible there), mismatched rounds 20x: the fast rounds decide
        slow = {0, 1, 2, 3, 4, 5, 6, 7}
        base, head = self.bimodal(20, slow | {8}, slow | {9}, fast_effect=1.10)
        [r] = gate.decide([sided(base, head)], 0.05, 30)
        self.assertEqual(r["verdict"], "regression", gate.row_line(r))
        self.assertEqual((r["rounds"], r["rounds_total"], r["gated_on"]), (10, 20, "fast mode"))
        self.assertAlmostEqual(r["ratio"], 1.10, delta=0.02)
        self.assertIsNone(r["reason"])
        self.assertEqual((r["modes"]["slow_base"], r["modes"]["slow_head"]), (9, 9))
        self.assertIn("gated on the fast mode, 10/20 rounds fast on both sides; slow mode: base 9/20, head 9/20",
                      gate.row_line(r))
        # the same mix without a change: no verdict of change
        base, head = self.bimodal(20, slow | {8}, slow | {9})
        [r] = gate.decide([sided(base, head)], 0.05, 30)
        self.assertEqual(r["verdict"], "same", gate.row_line(r))

    def test_mode_shift_is_a_regression(self):
        # head lands in the slow mode far more often; the fast rounds alone
        # show no change
        base, head = self.bimodal(20, {0, 1}, set(range(0, 16)))
        [r] = gate.decide([sided(base, head)], 0.05, 30)
        self.assertEqual(r["verdict"], "regression", gate.row_line(r))
        self.assertEqual(r["reason"], "mode shift: head slow in 16/20 processes, base in 2/20")
        self.assertLess(r["modes"]["shift_p_holm"], 0.05)
        # and the other way round an improvement
        [r] = gate.decide([sided(head, base)], 0.05, 30)
        self.assertEqual(r["verdict"], "improvement", gate.row_line(r))
        # the mode-shift test is in the Holm family with every Wilcoxon
        rows = [sided(base, head)] + [row([1.0] * 20, key=f"bench_x/e/other {i}") for i in range(5)]
        got = gate.decide(rows, 0.05, 30)
        self.assertAlmostEqual(got[0]["modes"]["shift_p_holm"], min(1.0, 7 * got[0]["modes"]["shift_p"]))

    def test_unimodal_five_times_slower_is_a_regression(self):
        # every head process 5x slower than every base process: the pooled
        # figures split into "fast" (base) and "slow" (head), no round is
        # fast on both sides, and the mode shift is the regression
        base = noisy(1e8, 0.03, 10)
        head = noisy(2e7, 0.03, 10, seed=9)
        [r] = gate.decide([sided(base, head, higher=True, figure="items_per_second")], 0.05, 30)
        self.assertEqual(r["verdict"], "regression", gate.row_line(r))
        self.assertIn("mode shift: head slow in 10/10 processes, base in 0/10", r["reason"])

        # and through cost_rows (which keeps each side's figures)
        def runs(v):
            return {("bench_x", "e", (("benchmark", "t"),)): {"benchmark": "t", "items_per_second": v}}
        rows = gate.cost_rows([(runs(b), runs(h)) for b, h in zip(base, head)])
        self.assertEqual(rows[0]["base_values"], base)
        [r] = gate.decide(rows, 0.05, 30)
        self.assertEqual(r["verdict"], "regression")

    def test_too_few_fast_rounds_is_unknown_then_cannot_gate(self):
        # every round has one side slow: no round fast on both sides
        base, head = self.bimodal(10, {0, 2, 4, 6, 8}, {1, 3, 5, 7, 9})
        [r] = gate.decide([sided(base, head)], 0.05, 30)
        self.assertEqual(r["verdict"], "unknown")
        self.assertIn("more rounds", r["reason"])
        [r] = gate.decide([sided(base, head)], 0.05, 10)
        self.assertEqual(r["verdict"], "cannot gate")
        self.assertIn("only 0 of 10 rounds have both sides in the fast mode", r["reason"])

    def test_outputs_say_the_mode(self):
        base, head = self.bimodal(20, {0, 1, 2}, {0, 1, 3})
        rows = gate.decide([sided(base, head), row([1.0] * 20, key="bench_x/e/other")], 0.05, 30)
        lines = "\n".join(gate.row_line(r) for r in rows)
        self.assertIn("gated on fast mode", lines)
        self.assertIn("gated on one mode", lines)
        self.assertIn("slow mode: base 3/20, head 3/20", lines)
        self.assertIn("mde95=", lines)


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
    exe.parent.mkdir(parents=True, exist_ok=True)
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
                                 "--rounds", "8", "--max-rounds", "8", "--min-time", "0.001", "--sizing-pairs", "3", "--cpus", "",
                                 "--out", str(self.out), "--accepted", str(self.accepted),
                                 "--cache", str(self.d / "cache"), "--checks", "none", "--no-baseline", *extra])

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

    def test_exes_selects_executables(self):
        other = pathlib.Path(fake_build(self.d / "b", 1.0)) / "bench" / "fake" / "bench_other"
        other.write_text("#!/bin/sh\nexit 3\n")
        other.chmod(0o755)
        status, out, err = self.gate(str(self.d / "b"), str(self.d / "b"), "--exes", "bench_fake")
        self.assertEqual(status, 0, out + err)
        self.assertNotIn("bench_other", out)
        status, _, err = self.gate(str(self.d / "b"), str(self.d / "b"))
        self.assertEqual(status, 1)  # bench_other fails when it runs
        self.assertIn("bench_other", err)

    def test_bench_selecting_entries_keeps_their_benchmarks(self):
        # '/slow$' finds the entry path bench_fake/c/slow but no benchmark key
        # (bench_fake/slow/throughput, threads 1): the entry's benchmarks run
        status, out, err = self.gate(fake_build(self.d / "b", 1.0), fake_build(self.d / "h", 1 / 1.25),
                                     "--bench", "/slow$")
        self.assertEqual(status, 1, out + err)
        self.assertIn("bench_fake/slow/throughput", out)
        self.assertNotIn("bench_fake/steady", out)

    def test_bench_selects_entries(self):
        status, out, _ = self.gate(fake_build(self.d / "b", 1.0), fake_build(self.d / "h", 1 / 1.25),
                                   "--bench", "steady")
        self.assertEqual(status, 0)
        self.assertNotIn("bench_fake/slow", out)

    def test_time_limit_before_any_round_passes_and_says_so(self):
        status, out, err = self.gate(fake_build(self.d / "b", 1.0), fake_build(self.d / "h", 1 / 1.25),
                                     "--time-limit", "0.001")
        self.assertEqual(status, 0, out + err)
        self.assertIn("no benchmark compared: the time limit came before the first round", out)
        self.assertIn("time limit of 0.001 s reached after 0 rounds", out)

    def test_rounds_cut_by_the_time_limit_leave_unknowns_listed(self):
        # the rounds function returns fewer rounds than asked (the deadline):
        # noisy benchmarks stay unknown, are listed and JUnit-skipped, exit 0
        noise = noisy(1.0, 0.04, 40, seed=9)

        def rounds_fn(plan, first, count):
            got = []
            for i in range(first, min(first + count, 5)):
                base = {("bench_x", "e", (("benchmark", "t"),)): {"benchmark": "t", "items_per_second": 100.0}}
                head = {("bench_x", "e", (("benchmark", "t"),)): {"benchmark": "t",
                                                                  "items_per_second": 100.0 / noise[i]}}
                got.append((base, head))
            return got

        args = gate.parse_args(["--base", "HEAD", "--rounds", "6", "--max-rounds", "30", "--time-limit", "60",
                                "--checks", "none"])
        plan = {"bench_x": (None, None, ["e"])}
        res = gate.gate(rounds_fn, plan, args, {"base": {"label": "b"}, "head": {"label": "h"}}, {}, [],
                        progress=lambda s: None)
        self.assertEqual(res["rounds_run"], 4)
        self.assertTrue(res["time_limit_reached"])
        self.assertEqual([b["verdict"] for b in res["benchmarks"]], ["unknown"])
        self.assertEqual(res["status"], "pass")
        res["environment"] = {"cpu_model": "x", "cores_online": 2, "cpus_usable": 2, "smt": "off", "governor": "-",
                              "load_average": [0, 0, 0], "kernel": "k", "pinned_cpus": "-", "builds": {}}
        gate.write_outputs(res, self.out)
        self.assertIn('skipped="1"', (self.out / "junit.xml").read_text())
        self.assertIn("time limit of 60 s reached after 4 rounds", (self.out / "summary.md").read_text())

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


CHECK = textwrap.dedent('''\
    #!/usr/bin/python3
    # A check program: --help offers --manifest; one record per entry.
    import json, os, sys
    CHECK = {check!r}
    EXPECTED = {expected!r}   # entry -> expectation
    VERDICTS = {verdicts!r}   # entry -> verdict this build gives
    args = sys.argv[1:]
    if "--help" in args:
        print("usage: fake [--manifest] [--entry GLOB]")
        sys.exit(0)
    if "--manifest" in args:
        for e, x in EXPECTED.items():
            print(json.dumps({{"check": CHECK, "component": "c", "implementation": e, "expected": x}}))
        sys.exit(0)
    d = os.environ["GAUNTLET_RESULTS_DIR"]
    mismatch = False
    for e, x in EXPECTED.items():
        if e not in VERDICTS:
            continue
        v = "skip" if x == "skip" else VERDICTS[e]
        bad = x in ("pass", "fail") and v != x
        mismatch |= bad
        status = {{"skip": "skipped", "flaky": "flaky"}}.get(x, "mismatch" if bad else
                                                           "finding" if v == "fail" else "ok")
        rec = {{"component": "c", "implementation": e, "origin": "in-house", "check": CHECK, "verdict": v,
               "expected": x, "reason": "why" if x in ("skip", "flaky") else "", "status": status,
               "detail": "detail of " + e, "trace": "replay: x", "seed": "1", "seconds": 0.1, "metrics": {{}}}}
        open(os.path.join(d, CHECK + ".c." + e + ".json"), "w").write(json.dumps(rec))
    sys.exit(1 if mismatch else 0)
''')


def check_build(folder, expected, verdicts, check="model"):
    """A folder with one fake check program; -> (folder, its test dicts)."""
    exe = pathlib.Path(folder) / f"fake_{check}"
    exe.parent.mkdir(parents=True, exist_ok=True)
    exe.write_text(CHECK.format(check=check, expected=expected, verdicts=verdicts))
    exe.chmod(exe.stat().st_mode | stat.S_IXUSR)
    return str(folder), [{"name": f"fake-{check}", "suite": check, "cmd": [str(exe)], "env": {}}]


class VerdictDiffTest(unittest.TestCase):
    """Item 3: expectations diffed between base and head, head's verdicts
    held against head's expectations."""

    def test_diff_rules(self):
        base = {("model", "c", "a"): "pass", ("model", "c", "b"): "pass", ("model", "c", "gone"): "fail"}
        head = {("model", "c", "a"): "pass", ("model", "c", "b"): "fail", ("model", "c", "new"): "pass"}

        def rec(e, v, x):
            return {"check": "model", "component": "c", "implementation": e, "verdict": v, "expected": x,
                    "detail": "d", "origin": "in-house"}
        v = gate.verdict_changes(base, head, [rec("a", "fail", "pass"), rec("b", "fail", "fail")])
        self.assertEqual([(c["entry"], c["check"], c["verdict"], c["expected"]) for c in v["changed"]],
                         [("a", "model", "fail", "pass")])
        self.assertEqual([(d["entry"], d["base"], d["head"]) for d in v["declared"]], [("b", "pass", "fail")])
        self.assertEqual([a["entry"] for a in v["added"]], ["new"])
        self.assertEqual([r["entry"] for r in v["removed"]], ["gone"])
        self.assertEqual([m["entry"] for m in v["missing"]], ["new"])  # head lists it, no record
        self.assertEqual(v["held"], 1)
        self.assertTrue(gate.verdicts_fail(v))
        held = gate.verdict_changes(base, base, [rec("a", "pass", "pass"), rec("b", "pass", "pass"),
                                                 rec("gone", "fail", "fail")])
        self.assertFalse(gate.verdicts_fail(held))
        self.assertEqual(held["held"], 3)
        # flaky is recorded, not held: either verdict passes
        flaky = {("model", "c", "a"): "flaky"}
        self.assertFalse(gate.verdicts_fail(gate.verdict_changes(flaky, flaky, [rec("a", "fail", "flaky")])))

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.d = pathlib.Path(self.tmp.name)
        self.out = self.d / "out"
        self.accepted = self.d / "accepted.json"
        self.accepted.write_text('{"accepted": []}')

    def tearDown(self):
        self.tmp.cleanup()

    def run_gate(self, base_checks, head_checks, *extra):
        (bdir, btests), (hdir, htests) = base_checks, head_checks
        tests = {bdir: btests, hdir: htests}
        with mock.patch.object(gate, "check_tests", lambda build, suites: tests[str(build)]):
            return quiet(gate.main, ["--base", "HEAD", "--base-build", fake_build(self.d / "bb", 1.0),
                                     "--head-build", fake_build(self.d / "hb", 1.0), "--rounds", "6",
                                     "--max-rounds", "6", "--min-time", "0.001", "--sizing-pairs", "3", "--cpus", "", "--out",
                                     str(self.out), "--accepted", str(self.accepted), "--cache",
                                     str(self.d / "cache"), "--checks", "model", "--base-checks", bdir,
                                     "--head-checks", hdir, "--no-baseline", *extra])

    def test_flipped_verdict_fails_naming_entry_and_check(self):
        base = check_build(self.d / "b", {"ring": "pass", "ring.mutant": "fail"}, {"ring": "pass",
                                                                                   "ring.mutant": "fail"})
        # head: a code change makes the mutant pass the model check, expectation unchanged
        head = check_build(self.d / "h", {"ring": "pass", "ring.mutant": "fail"}, {"ring": "pass",
                                                                                   "ring.mutant": "pass"})
        status, out, err = self.run_gate(base, head)
        self.assertEqual(status, 1, out + err)
        self.assertIn("gate: FAIL", out)
        self.assertIn("VERDICT CHANGED: entry ring.mutant, check model (c): head's verdict pass, head's "
                      "expectation fail", out)
        doc = json.loads((self.out / "gate.json").read_text())
        self.assertEqual(doc["status"], "fail")
        self.assertEqual([(c["entry"], c["check"]) for c in doc["verdicts"]["changed"]], [("ring.mutant", "model")])
        junit = (self.out / "junit.xml").read_text()
        self.assertIn('name="ring.mutant model"', junit)
        self.assertIn("verdict changed: head pass, head expects fail", junit)
        self.assertIn("VERDICT CHANGED", (self.out / "summary.md").read_text())

    def test_declared_change_passes_and_is_listed(self):
        base = check_build(self.d / "b", {"ring": "pass", "ring.mutant": "fail"}, {"ring": "pass",
                                                                                   "ring.mutant": "fail"})
        # the same change with its expectation updated in head's catalogue
        head = check_build(self.d / "h", {"ring": "pass", "ring.mutant": "pass"}, {"ring": "pass",
                                                                                   "ring.mutant": "pass"})
        status, out, err = self.run_gate(base, head)
        self.assertEqual(status, 0, out + err)
        self.assertIn("declared change: entry ring.mutant, check model (c): expectation fail -> pass", out)
        self.assertNotIn("VERDICT CHANGED", out)
        doc = json.loads((self.out / "gate.json").read_text())
        self.assertEqual(doc["verdicts"]["declared"], [{"check": "model", "component": "c", "entry": "ring.mutant",
                                                        "base": "fail", "head": "pass"}])
        self.assertEqual(doc["verdicts"]["held"], 2)

    def test_a_program_that_writes_no_record_fails(self):
        base = check_build(self.d / "b", {"ring": "pass"}, {"ring": "pass"})
        head = check_build(self.d / "h", {"ring": "pass", "other": "pass"}, {"ring": "pass"})
        status, out, _ = self.run_gate(base, head)
        self.assertEqual(status, 1)
        self.assertIn("NO VERDICT: entry other, check model", out)
        self.assertIn("new expectation: entry other, check model (c): pass", out)

    def test_head_results_are_read_not_rerun(self):
        base = check_build(self.d / "b", {"ring": "pass"}, {"ring": "pass"})
        head = check_build(self.d / "h", {"ring": "pass"}, {"ring": "pass"})
        results = self.d / "results"
        results.mkdir()
        (results / "model.c.ring.json").write_text(json.dumps({
            "component": "c", "implementation": "ring", "origin": "in-house", "check": "model", "verdict": "fail",
            "expected": "pass", "reason": "", "status": "mismatch", "detail": "race", "trace": "replay: x",
            "seed": "1", "seconds": 0.1, "metrics": {}}))
        status, out, _ = self.run_gate(base, head, "--head-results", str(results))
        self.assertEqual(status, 1)
        self.assertIn("VERDICT CHANGED: entry ring, check model (c): head's verdict fail, head's expectation pass"
                      " (base's expectation pass): race", out)

    def test_check_inputs_from_ninja_deps(self):
        import subprocess
        build, src = self.d / "src" / "build", self.d / "src"
        build.mkdir(parents=True)
        deps = textwrap.dedent("""\
            properties/x/x_property.p/x_property.cpp.o: #deps 3, deps mtime 1 (VALID)
                ../properties/x/x_property.cpp
                ../primitives/x/catalogue.hpp
                /usr/include/stdio.h

            bench/b.p/b.cpp.o: #deps 1, deps mtime 1 (VALID)
                ../bench/b.cpp
            """)
        tests = [{"name": "x-property", "suite": "property", "cmd": [str(build / "properties/x/x_property")],
                  "env": {}}]
        done = subprocess.CompletedProcess([], 0, deps, "")
        with mock.patch.object(gate.subprocess, "run", lambda *a, **k: done):
            self.assertEqual(gate.check_inputs(build, tests, src),
                             {"properties/x/x_property.cpp", "primitives/x/catalogue.hpp"})
            # a program ninja has no record of: unknown inputs
            other = tests + [dict(tests[0], cmd=[str(build / "models/y/y_model")])]
            self.assertIsNone(gate.check_inputs(build, other, src))

    def test_changed_files_between_revisions(self):
        repo = self.d / "repo"
        shas = git_repo(repo)
        self.assertEqual(gate.changed_files(repo, shas["c1"], "main"), {"f"})
        self.assertEqual(gate.changed_files(repo, shas["c4"], "main"), set())
        (repo / "new.hpp").write_text("x")
        self.assertEqual(gate.changed_files(repo, shas["c4"], None), {"new.hpp"})

    def test_checks_option_is_checked(self):
        for argv in (["--base", "HEAD", "--checks", "bench"], ["--base", "HEAD", "--head-results", "x"]):
            with self.assertRaises(SystemExit) as cm:
                quiet(gate.main, argv)
            self.assertEqual(cm.exception.code, 2, argv)


def git_repo(folder):
    """A repository: c1 (tagged gauntlet-baseline-1), c2 (tagged
    gauntlet-baseline-2), c3, c4 on main, and a side branch from c1 with
    the newer tag gauntlet-baseline-side. -> {name: sha}."""
    import subprocess

    def g(*a):
        return subprocess.run(["git", "-C", str(folder), *a], check=True, capture_output=True,
                              text=True).stdout.strip()
    folder.mkdir()
    g("init", "-q", "-b", "main")
    g("config", "user.email", "t@t")
    g("config", "user.name", "t")
    shas = {}
    for i in range(1, 5):
        (folder / "f").write_text(str(i))
        g("add", "f")
        g("commit", "-qm", f"c{i}")
        shas[f"c{i}"] = g("rev-parse", "HEAD")
        if i <= 2:
            g("tag", f"gauntlet-baseline-{i}")
    g("checkout", "-qb", "side", shas["c1"])
    (folder / "g").write_text("x")
    g("add", "g")
    g("commit", "-qm", "side")
    g("tag", "gauntlet-baseline-side")
    g("checkout", "-q", "main")
    return shas


class BaselineTest(unittest.TestCase):
    """Item 6: head is also compared with the most recent baseline tag."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.d = pathlib.Path(self.tmp.name)
        self.repo = self.d / "repo"
        self.shas = git_repo(self.repo)
        self.out = self.d / "out"
        self.accepted = self.d / "accepted.json"
        self.accepted.write_text('{"accepted": []}')

    def tearDown(self):
        self.tmp.cleanup()

    def test_most_recent_tag_on_heads_history(self):
        self.assertEqual(gate.find_baseline(self.repo, None, "gauntlet-baseline-*"),
                         ("gauntlet-baseline-2", self.shas["c2"]))
        self.assertEqual(gate.find_baseline(self.repo, self.shas["c1"], "gauntlet-baseline-*"),
                         ("gauntlet-baseline-1", self.shas["c1"]))
        self.assertEqual(gate.find_baseline(self.repo, "side", "gauntlet-baseline-*")[0], "gauntlet-baseline-side")
        self.assertIsNone(gate.find_baseline(self.repo, None, "no-such-tag-*"))

    def run_gate(self, base, head_factor, baseline_factor, *extra):
        return quiet(gate.main, ["--root", str(self.repo), "--base", base, "--head", "main",
                                 "--base-build", fake_build(self.d / "b", 1.0),
                                 "--head-build", fake_build(self.d / "h", head_factor),
                                 "--baseline-build", fake_build(self.d / "t", baseline_factor),
                                 "--rounds", "8", "--max-rounds", "8", "--min-time", "0.001", "--sizing-pairs", "3", "--cpus", "",
                                 "--out", str(self.out), "--accepted", str(self.accepted),
                                 "--cache", str(self.d / "cache"), "--checks", "none", *extra])

    def test_creeping_regression_fails_against_the_baseline(self):
        # head is as fast as its parent but 25% slower than the tagged baseline
        status, out, err = self.run_gate("main~1", 1.0, 1.25)
        self.assertEqual(status, 1, out + err)
        self.assertIn("head against the baseline tag gauntlet-baseline-2", out)
        doc = json.loads((self.out / "gate.json").read_text())
        self.assertEqual(doc["status"], "pass")
        self.assertEqual(doc["baseline"]["tag"], "gauntlet-baseline-2")
        base_doc = json.loads((self.out / "baseline" / "gate.json").read_text())
        self.assertEqual(base_doc["status"], "fail")
        self.assertEqual(base_doc["comparison"], "baseline")
        self.assertIn("regression", [b["verdict"] for b in base_doc["benchmarks"]])

    def test_no_baseline_when_the_base_is_the_tag_or_when_asked(self):
        status, out, _ = self.run_gate("gauntlet-baseline-2", 1.0, 1.25)
        self.assertEqual(status, 0)
        self.assertIn("baseline tag gauntlet-baseline-2 is the base itself", out)
        self.assertFalse((self.out / "baseline").exists())
        status, out, _ = self.run_gate("main~1", 1.0, 1.25, "--no-baseline")
        self.assertEqual(status, 0)
        self.assertIn("no baseline comparison (--no-baseline)", out)


FAKE_GAUNTLET = textwrap.dedent('''\
    #!/usr/bin/env bash
    # stands in for scripts/gauntlet: logs its command line, exits as told
    echo "$*" >> "$CI_FAKE_LOG"
    case "$1" in
      test) exit "${FAKE_TEST_STATUS:-0}" ;;
      gate) exit "${FAKE_GATE_STATUS:-0}" ;;
    esac
    exit 99
''')


class CiRunTest(unittest.TestCase):
    """Item 9: .ci/run runs the test command, then the gate of HEAD
    against its parent under a time cap (the real .ci/run, in a repository
    whose scripts/gauntlet is a stand-in)."""

    def setUp(self):
        import subprocess
        self.tmp = tempfile.TemporaryDirectory()
        self.repo = pathlib.Path(self.tmp.name) / "repo"
        (self.repo / ".ci").mkdir(parents=True)
        (self.repo / "scripts").mkdir()
        (self.repo / ".ci" / "run").write_text((ROOT / ".ci" / "run").read_text())
        (self.repo / "scripts" / "gauntlet").write_text(FAKE_GAUNTLET)
        for f in (".ci/run", "scripts/gauntlet"):
            (self.repo / f).chmod(0o755)
        self.log = pathlib.Path(self.tmp.name) / "calls.log"
        self.git = lambda *a: subprocess.run(["git", "-C", str(self.repo), *a], check=True, capture_output=True)
        self.git("init", "-q")
        self.git("config", "user.email", "t@t")
        self.git("config", "user.name", "t")
        self.git("add", ".")
        self.git("commit", "-qm", "first")

    def tearDown(self):
        self.tmp.cleanup()

    def ci(self, **env):
        import os
        import subprocess
        p = subprocess.run([str(self.repo / ".ci" / "run")], capture_output=True, text=True, timeout=60,
                           env=dict(os.environ, CI_FAKE_LOG=str(self.log), **env))
        calls = self.log.read_text().splitlines() if self.log.exists() else []
        return p.returncode, p.stdout + p.stderr, calls

    def second_commit(self):
        (self.repo / "x").write_text("x")
        self.git("add", "x")
        self.git("commit", "-qm", "second")

    def test_no_parent_skips_the_gate(self):
        status, out, calls = self.ci()
        self.assertEqual(status, 0, out)
        self.assertIn("has no parent: regression gate skipped", out)
        self.assertEqual(calls, ["test"])

    def test_failing_tests_fail_before_the_gate(self):
        self.second_commit()
        status, _, calls = self.ci(FAKE_TEST_STATUS="1")
        self.assertEqual(status, 1)
        self.assertEqual(calls, ["test"])

    def test_gate_of_head_against_its_parent_under_the_cap(self):
        self.second_commit()
        status, out, calls = self.ci()
        self.assertEqual(status, 0, out)
        self.assertEqual(calls[0], "test")
        gate_call = calls[1].split()
        self.assertEqual(gate_call[:5], ["gate", "--base", "HEAD^", "--head", "HEAD"])
        for flag, value in (("--head-build", "build"), ("--head-checks", "build"),
                            ("--head-results", "build/results"), ("--checks", "property,model")):
            self.assertEqual(gate_call[gate_call.index(flag) + 1], value)
        self.assertLessEqual(int(gate_call[gate_call.index("--time-limit") + 1]), 600)
        self.assertEqual(gate_call[gate_call.index("--exes") + 1], "bench_lifecycle,bench_queues,bench_loop")
        import re
        bench = re.compile(gate_call[gate_call.index("--bench") + 1])
        self.assertTrue(bench.search("bench_queues/queue.spsc.bounded/spsc_ring"))
        self.assertFalse(bench.search("bench_queues/queue.spsc.bounded/spsc_ring.relaxed_tail_store"))
        self.assertFalse(bench.search("bench_queues/queue.mpmc.unbounded/tbb_concurrent_queue"))
        # the cap shrinks to what the budget leaves
        self.log.unlink()
        _, _, calls = self.ci(CI_BUDGET="400", CI_MARGIN="100")
        self.assertLessEqual(int(calls[1].split()[calls[1].split().index("--time-limit") + 1]), 300)

    def test_regression_or_verdict_change_fails_ci(self):
        self.second_commit()
        status, out, _ = self.ci(FAKE_GATE_STATUS="1")
        self.assertEqual(status, 1, out)
        self.assertIn("regression gate exit status 1", out)

    def test_no_time_left_fails_loudly(self):
        self.second_commit()
        status, out, calls = self.ci(CI_BUDGET="100", CI_MARGIN="60")
        self.assertEqual(status, 1)
        self.assertIn("regression gate NOT run", out)
        self.assertEqual(calls, ["test"])


DELAY_FAKE = textwrap.dedent('''\
    #!/usr/bin/python3
    # A -Dgate_delay=true bench executable: GAUNTLET_GATE_DELAY=ENTRY=NS slows
    # ENTRY's operations by NS ns each; ENTRY=xF (a repeat) does a share F of
    # them twice, so each costs F times more. --benchmark_filter=F runs the one
    # benchmark BY_FILTER[F] names (its labels), as a shape's filter does.
    import json, os, random, sys
    ENTRY, FIGURE, BY_FILTER, NS, EFFECT = {entry!r}, {figure!r}, {by_filter!r}, {ns!r}, {effect!r}
    args = sys.argv[1:]
    filters = [a.split("=", 1)[1] for a in args if a.startswith("--benchmark_filter=")]
    LABELS = BY_FILTER[filters[0]]
    if "--manifest" in args:
        print(json.dumps({{"check": "bench", "component": "c", "implementation": ENTRY, "expected": "pass"}}))
        sys.exit(0)
    delay = 0.0
    spec = os.environ.get("GAUNTLET_GATE_DELAY", "")
    if spec.rsplit("=", 1)[0] == ENTRY:
        value = spec.rsplit("=", 1)[1]
        delay = NS * float(value[1:]) if value.startswith("x") else float(value)
    rate = 1e9 / (NS + EFFECT * delay) * (1 + 0.002 * random.random())
    run = dict(LABELS, aggregate="", iterations=10, real_ns=1e6, cpu_ns=1e6)
    run[FIGURE] = 1e9 / rate if FIGURE.endswith("_ns") else rate
    rec = {{"component": "c", "implementation": ENTRY, "origin": "in-house", "check": "bench", "verdict": "pass",
           "expected": "pass", "reason": "", "status": "ok", "detail": "", "trace": "replay: x", "seed": "1",
           "seconds": 0.1, "metrics": {{"runs": [run]}}}}
    open(os.path.join(os.environ["GAUNTLET_RESULTS_DIR"], "bench.c." + ENTRY + ".json"), "w").write(json.dumps(rec))
''')


IDS = ("single-thread", "two-thread-word", "two-thread-queue", "loop-ping-pong")


def delay_build(folder, effect=1.0):
    """Fake bench executables whose slowed entry's operation costs 100 ns
    plus `effect` times the injected delay."""
    import calibrate
    for name in {sh["exe"] for sh in calibrate.SHAPES}:
        mine = [sh for sh in calibrate.SHAPES if sh["exe"] == name]
        exe = pathlib.Path(folder) / "bench" / name
        exe.parent.mkdir(parents=True, exist_ok=True)
        exe.write_text(DELAY_FAKE.format(entry=mine[0]["entry"], figure=mine[0]["cost_figure"],
                                         by_filter={sh["filter"]: dict({"threads": 1}, **sh["labels"]) for sh in mine},
                                         ns=100.0, effect=effect))
        exe.chmod(exe.stat().st_mode | stat.S_IXUSR)
    return str(folder)


class CalibrationTest(unittest.TestCase):
    """Item 8: A/A and injected-slowdown rounds, rates from replays of the
    gate's decision on the recorded rounds."""

    def test_wilson(self):
        import calibrate
        lo, hi = calibrate.wilson(19, 20)
        self.assertLess(lo, 0.95)
        self.assertGreater(hi, 0.95)
        self.assertEqual(calibrate.wilson(0, 0), (0.0, 1.0))

    def test_replay_keeps_pairs_intact(self):
        # rounds drift by up to +-30% in level; within a round B is 10% slower
        # than A1 and A2 equals A1: only intact pairs see a clean 10%
        import calibrate
        shapes = [dict(calibrate.SHAPES[0])]
        rng = np.random.default_rng(5)
        recorded = []
        labels = (("benchmark", "enter_exit"), ("threads", 1))
        for i in range(30):
            level = 1e8 * float(np.exp(rng.uniform(-0.3, 0.3)))
            runs = {s: {("bench_lifecycle", "packed_lifecycle", labels): {"benchmark": "enter_exit", "threads": 1,
                                                                         "items_per_second": level / f}}
                    for s, f in (("A1", 1.0), ("A2", 1.0), ("B10", 1.10))}
            recorded.append({"recording": 1 + i // 10, "round": i % 10 + 1, "sides": {"single-thread": runs}})
        r = calibrate.rates(recorded, shapes, [10.0], 10, 20, 0.05, 20, progress=lambda s: None)
        self.assertEqual(r["aa"]["false_alarms"], 0)
        [d] = r["detection"]
        self.assertEqual((d["detected"], d["replays"]), (20, 20))
        self.assertAlmostEqual(d["measured_slowdown"], 1.10)
        self.assertTrue(r["done_when"]["detect_10pct_at_least_19_in_20_runs_declaring_it_gateable"])
        self.assertEqual(r["done_when"]["ten_pct_called_same"], 0)
        # B no slower than A: every 10% replay misses, and says same
        for rec in recorded:
            rec["sides"]["single-thread"]["B10"] = rec["sides"]["single-thread"]["A2"]
        r = calibrate.rates(recorded, shapes, [10.0], 10, 20, 0.05, 20, progress=lambda s: None)
        self.assertFalse(r["done_when"]["detect_10pct_at_least_19_in_20_runs_declaring_it_gateable"])
        self.assertEqual(r["done_when"]["ten_pct_called_same"], 20)

    def test_each_shape_sized_on_its_own_benchmark(self):
        # the two-thread benchmark's operation costs 3x the single-thread
        # one's, on the same entry: each shape's delay is sized on its own
        # benchmark and each process runs just that benchmark
        import calibrate
        cost = {"single-thread": 10.0, "two-thread-word": 30.0, "two-thread-queue": 4.0, "loop-ping-pong": 870.0}
        calls = []

        def run(exe, shape, delay_ns, min_time, cpus, folder, log):
            calls.append((shape["id"], shape["filter"], delay_ns))
            extra = (delay_ns or 0.0) * (cost[shape["id"]] if calibrate.repeats(shape) else 1.0)
            ns = cost[shape["id"]] + extra
            labels = tuple(sorted(shape["labels"].items()))
            figure = {shape["cost_figure"]: ns if shape["cost_figure"].endswith("_ns") else 1e9 / ns}
            return {(shape["exe"], shape["entry"], labels): dict(shape["labels"], **figure)}

        with tempfile.TemporaryDirectory() as t:
            sizing = {}
            costs, delays, rec = calibrate.record({sh["exe"]: pathlib.Path(sh["exe"]) for sh in calibrate.SHAPES},
                                                  calibrate.SHAPES, [10.0], 1, 2, 0.01, "", pathlib.Path(t),
                                                  lambda s: None, 0.0, run=run, sizing=sizing)
        self.assertEqual(set(costs), set(IDS))
        self.assertEqual(set(delays), set(IDS))
        self.assertEqual(set(sizing), set(IDS))
        self.assertEqual(set(rec[0]["sides"]), set(IDS))
        self.assertAlmostEqual(delays["single-thread"][10.0], 1.0)
        # the contended word's delay is a repeat: a share of extra operations
        self.assertAlmostEqual(delays["two-thread-word"][10.0], 0.1)
        self.assertIn(("two-thread-word", "lifecycle_enter_exit/.*/threads:2$", 0.1), calls)
        self.assertIn(("single-thread", "lifecycle_enter_exit/.*/threads:1$", 1.0), calls)
        self.assertEqual({c[0] for c in calls}, set(IDS))
        # the replayed 10% slows each shape's own benchmark by 10%
        r = calibrate.rates(rec * 5, calibrate.SHAPES, [10.0], 10, 10, 0.05, 2, progress=lambda s: None)
        self.assertEqual(sorted(d["id"] for d in r["detection"]), sorted(IDS))
        for d in r["detection"]:
            self.assertAlmostEqual(d["measured_slowdown"], 1.10, places=6)

    def test_levels_sized_each_on_its_own(self):
        # a delay whose effect is not proportional: it delivers half its
        # share up to 2 ns, nothing more beyond (the 20% level must be
        # rescaled; a level it cannot reach keeps its closest probe)
        import calibrate
        sh = dict(calibrate.SHAPES[0])

        def run(exe, shape, delay_ns, min_time, cpus, folder, log):
            ns = 10.0 + min(delay_ns or 0.0, 2.0) / 2
            labels = tuple(sorted(shape["labels"].items()))
            return {(shape["exe"], shape["entry"], labels): dict(shape["labels"], items_per_second=1e9 / ns)}

        with tempfile.TemporaryDirectory() as t:
            lv = calibrate.size_levels(pathlib.Path("x"), sh, 10.0, 1.0, [5.0, 10.0, 20.0], 0.01, "",
                                       pathlib.Path(t), None, run=run)
        # 5%: 0.5 ns delivers 2.5%, rescaled x2 -> 1 ns delivers 5%
        self.assertAlmostEqual(lv[5.0]["delivered"], 0.05)
        self.assertAlmostEqual(lv[5.0]["factor"], 2.0)
        self.assertEqual(len(lv[5.0]["probes"]), 2)
        # 10%: 1 ns delivers 5%, rescaled x2 -> 2 ns delivers 10%
        self.assertAlmostEqual(lv[10.0]["delivered"], 0.10)
        # 20%: never more than 10%: the closest probe kept, and it says so
        self.assertAlmostEqual(lv[20.0]["delivered"], 0.10)
        self.assertEqual(len(lv[20.0]["probes"]), calibrate.LEVEL_TRIES)

    def test_cost_taken_in_a_slow_mode_is_taken_again(self):
        # the first three no-delay runs land in a slow mode (30x): the sizing's
        # own no-delay runs are fast, so the cost is retaken from them and the
        # delays sized for the fast mode
        import calibrate
        sh = [dict(calibrate.SHAPES[0])]
        n = [0]

        def run(exe, shape, delay_ns, min_time, cpus, folder, log):
            n[0] += 1
            ns = (300.0 if n[0] <= 3 else 10.0) + (delay_ns or 0.0)
            labels = tuple(sorted(shape["labels"].items()))
            return {(shape["exe"], shape["entry"], labels): dict(shape["labels"], items_per_second=1e9 / ns)}

        said = []
        with tempfile.TemporaryDirectory() as t:
            costs, delays, _ = calibrate.record({sh[0]["exe"]: pathlib.Path("x")}, sh, [10.0], 1, 1, 0.01, "",
                                                pathlib.Path(t), said.append, 0.0, run=run)
        self.assertAlmostEqual(costs[sh[0]["id"]], 10.0)
        self.assertAlmostEqual(delays[sh[0]["id"]][10.0], 1.0)
        self.assertTrue(any("slow mode" in x for x in said))

    def test_rounds_keyed_by_entry_replay_but_do_not_append(self):
        # a calibration written when shapes were keyed by entry: replayed with
        # its own shapes; --append to it is refused, naming the problem
        with tempfile.TemporaryDirectory() as t:
            d = pathlib.Path(t)
            old = d / "old" / "calibration"
            old.mkdir(parents=True)
            shape = {"shape": "single-thread operation", "exe": "bench_lifecycle", "entry": "packed_lifecycle",
                     "filter": "lifecycle_enter_exit", "cost_figure": "items_per_second",
                     "cost_labels": {"threads": 1}}
            rounds = []
            for i in range(6):
                sides = {s: [{"exe": "bench_lifecycle", "entry": "packed_lifecycle", "labels": [[
                    "benchmark", "enter_exit"], ["threads", t]], "run": {"benchmark": "enter_exit", "threads": t,
                                                                        "items_per_second": 1e8 / f}}
                    for t in (1, 2)] for s, f in (("A1", 1.0), ("A2", 1.0), ("B10", 1.1))}
                rounds.append({"recording": 1, "round": i + 1, "sides": {"packed_lifecycle": sides}})
            (old / "rounds.json").write_text(json.dumps(rounds))
            (old / "calibration.json").write_text(json.dumps({
                "shapes": [shape], "slowdowns": [10.0], "recordings": 1, "recording_rounds": 6,
                "costs": {"packed_lifecycle": 10.0}, "delays": {"packed_lifecycle": {"10": 1.0}},
                "environment": gate.environment({"calibration": d}, "")}))
            status, out, err = quiet(gate.main, ["--calibrate", "--replay-rounds", str(old / "rounds.json"),
                                                 "--slowdowns", "10", "--rounds", "6", "--max-rounds", "6",
                                                 "--replays", "3", "--out", str(d / "out"), "--cache", str(d / "c")])
            self.assertEqual(status, 0, out + err)
            self.assertIn("single-thread operation (packed_lifecycle)", out)
            status, out, err = quiet(gate.main, ["--calibrate", "--delay-build", delay_build(d / "delay"),
                                                 "--append", str(old / "rounds.json"), "--slowdowns", "10",
                                                 "--recordings", "1", "--recording-rounds", "2", "--min-time",
                                                 "0.001", "--cpus", "", "--out", str(d / "out2"), "--cache",
                                                 str(d / "c")])
            self.assertEqual(status, 2, out + err)
            self.assertIn("recorded with one shape per entry", err)

    def test_delay_scaled_to_deliver_its_nominal_slowdown(self):
        # a delay that slows the operation by half its length: the probe
        # delivers 10% for 20% nominal, so every delay is doubled and the
        # recorded 10% rounds show 10%
        with tempfile.TemporaryDirectory() as t:
            d = pathlib.Path(t)
            status, out, err = quiet(gate.main, ["--calibrate", "--delay-build", delay_build(d / "delay", 0.5),
                                                 "--recordings", "1", "--recording-rounds", "4", "--rounds", "4",
                                                 "--max-rounds", "4", "--replays", "4", "--min-time", "0.001", "--sizing-pairs", "3",
                                                 "--cpus", "", "--out", str(d / "out"), "--cache", str(d / "c")])
            self.assertEqual(status, 0, out + err)
            cal = json.loads((d / "out" / "calibration" / "calibration.json").read_text())
            by = {(x["id"], x["slowdown"]): x for x in cal["rates"]["detection"]}
            for entry in IDS:
                if entry == "two-thread-word":
                    # a repeat is not probed: its fake costs half a share,
                    # and the recorded rounds show it (+5% for 10%)
                    self.assertIsNone(cal["sizing"][entry]["delivered"])
                    self.assertAlmostEqual(cal["delays"][entry]["10"], 0.1)
                    self.assertAlmostEqual(by[(entry, 10.0)]["measured_slowdown"], 1.05, places=2)
                    continue
                self.assertAlmostEqual(cal["sizing"][entry]["delivered"], 0.10, places=2)
                self.assertAlmostEqual(cal["sizing"][entry]["scale"], 2.0, places=1)
                self.assertAlmostEqual(cal["delays"][entry]["10"], 20.0, delta=0.5)  # twice 10% of 100 ns
                self.assertAlmostEqual(by[(entry, 10.0)]["measured_slowdown"], 1.10, places=2)
            # the fake's costs carry its own jitter: +9.8% to +10.1% seen
            delivered = [float(x) for x in re.findall(r"a 20% delay delivered \+([0-9.]+)%", out)]
            self.assertGreaterEqual(len(delivered), 3, out)  # each probed entry, in progress and summary
            for x in delivered:
                self.assertAlmostEqual(x, 10.0, delta=0.5)

    def test_calibrate_smoke_on_fake_delay_build(self):
        with tempfile.TemporaryDirectory() as t:
            d = pathlib.Path(t)
            status, out, err = quiet(gate.main, ["--calibrate", "--delay-build", delay_build(d / "delay"),
                                                 "--recordings", "2", "--recording-rounds", "5", "--rounds", "6",
                                                 "--max-rounds", "8", "--replays", "5", "--min-time", "0.001", "--sizing-pairs", "3",
                                                 "--cpus", "", "--out", str(d / "out"), "--cache", str(d / "c")])
            self.assertEqual(status, 0, out + err)
            self.assertIn("resampled subsets of the real recorded rounds", out)
            self.assertIn("A/A false alarms per gate run: 0 of 5", out)
            cal = json.loads((d / "out" / "calibration" / "calibration.json").read_text())
            self.assertEqual(cal["rates"]["recorded_rounds"], 10)
            by = {(x["id"], x["slowdown"]): x for x in cal["rates"]["detection"]}
            self.assertEqual(len(by), 12)
            # each shape's detection holds just its own benchmark
            self.assertEqual(len(cal["rates"]["detection"]), 12)
            for entry in IDS:
                self.assertEqual(by[(entry, 20.0)]["detected"], 5, by[(entry, 20.0)])
                self.assertAlmostEqual(by[(entry, 10.0)]["measured_slowdown"], 1.10, places=2)
                # 10% of 100 ns; a repeat: one operation in ten done twice
                self.assertAlmostEqual(cal["delays"][entry]["10"], 0.1 if entry == "two-thread-word" else 10.0,
                                       delta=0.001 if entry == "two-thread-word" else 0.1)
            # an operation cost given instead of measured sizes the delays
            status, out, err = quiet(gate.main, ["--calibrate", "--delay-build", str(d / "delay"), "--op-cost",
                                                 "spsc_ring=200", "--recordings", "1", "--recording-rounds", "3",
                                                 "--rounds", "3", "--max-rounds", "3", "--replays", "2",
                                                 "--min-time", "0.001", "--sizing-pairs", "3", "--cpus", "", "--out", str(d / "out4"),
                                                 "--cache", str(d / "c")])
            self.assertEqual(status, 0, out + err)
            given = json.loads((d / "out4" / "calibration" / "calibration.json").read_text())
            # (200 ns given for a 100 ns operation: the probe delivers 40%
            # for 20% nominal, and the delivery scale halves the delays back)
            self.assertAlmostEqual(given["costs"]["two-thread-queue"], 200.0)
            self.assertAlmostEqual(given["sizing"]["two-thread-queue"]["scale"], 0.5, places=1)
            self.assertAlmostEqual(given["delays"]["two-thread-queue"]["10"], 10.0, delta=0.3)
            self.assertAlmostEqual(given["delays"]["single-thread"]["10"], 10.0, delta=0.1)
            self.assertTrue((d / "out" / "calibration" / "rounds.json").exists())
            self.assertIn("minimum detectable effect per benchmark", (d / "out" / "calibration" / "summary.md")
                          .read_text())
            # more recordings appended later keep the earlier delays
            status, out, err = quiet(gate.main, ["--calibrate", "--delay-build", str(d / "delay"), "--append",
                                                 str(d / "out" / "calibration" / "rounds.json"), "--recordings", "1",
                                                 "--recording-rounds", "3", "--rounds", "6", "--max-rounds", "8",
                                                 "--replays", "5", "--min-time", "0.001", "--sizing-pairs", "3", "--cpus", "", "--out",
                                                 str(d / "out3"), "--cache", str(d / "c")])
            self.assertEqual(status, 0, out + err)
            more = json.loads((d / "out3" / "calibration" / "calibration.json").read_text())
            self.assertEqual((more["recordings"], more["rates"]["recorded_rounds"]), (3, 13))
            self.assertEqual(more["delays"], cal["delays"])
            self.assertEqual(sorted({r["recording"] for r in json.loads(
                (d / "out3" / "calibration" / "rounds.json").read_text())}), [1, 2, 3])
            # the rounds replay again without recording
            status, out, err = quiet(gate.main, ["--calibrate", "--replay-rounds",
                                                 str(d / "out" / "calibration" / "rounds.json"), "--rounds", "6",
                                                 "--max-rounds", "8", "--replays", "5", "--out", str(d / "out2"),
                                                 "--cache", str(d / "c")])
            self.assertEqual(status, 0, out + err)
            self.assertIn("A/A false alarms per gate run: 0 of 5", out)


if __name__ == "__main__":
    unittest.main()
