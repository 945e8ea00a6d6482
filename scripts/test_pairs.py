#!/usr/bin/python3
"""Unit tests of scripts/pairs.py on fixture records and a fake bench executable.

Run: /usr/bin/python3 scripts/test_pairs.py
"""

import contextlib
import io
import json
import os
import pathlib
import shutil
import stat
import sys
import tempfile
import textwrap
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import pairs  # noqa: E402
import report  # noqa: E402


def record(entry, runs, verdict="pass"):
    r = {"component": "queue.spsc.bounded", "implementation": entry, "origin": "in-house", "check": "bench",
         "verdict": verdict, "expected": "pass", "reason": "", "status": "", "detail": "d", "trace": "replay: x",
         "seed": "1", "seconds": 1.0, "metrics": {"runs": runs}}
    r["status"] = report.status_of(r)
    return r


def tp(rate, p=1, c=1, **kw):
    run = {"benchmark": "throughput", "producers": p, "consumers": c, "threads": 1, "aggregate": "",
           "iterations": 10, "real_ns": 1e6, "cpu_ns": 1e6, "items_per_second": rate}
    run.update(kw)
    return run


def lat(p50):
    return {"benchmark": "latency", "producers": 1, "consumers": 1, "threads": 1, "aggregate": "",
            "iterations": 10, "real_ns": 1e3, "cpu_ns": 1e3, "p50_ns": p50, "p99_ns": 2 * p50, "p999_ns": 3 * p50}


def write(folder, rec):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"bench.{rec['component']}.{rec['implementation']}.json").write_text(json.dumps(rec) + "\n")


def quiet(fn, *args):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = fn(*args)
    return status, out.getvalue(), err.getvalue()


class StatisticsTest(unittest.TestCase):
    def test_bootstrap_is_deterministic_and_brackets_the_median(self):
        values = [1.10, 1.05, 1.20, 0.98, 1.12, 1.08, 1.15]
        med, lo, hi = pairs.bootstrap_median_ci(values)
        self.assertAlmostEqual(med, 1.10)
        self.assertLessEqual(lo, med)
        self.assertGreaterEqual(hi, med)
        self.assertGreaterEqual(lo, min(values))
        self.assertLessEqual(hi, max(values))
        self.assertEqual(pairs.bootstrap_median_ci(values), (med, lo, hi))

    def test_constant_ratios_have_a_point_interval(self):
        self.assertEqual(pairs.bootstrap_median_ci([2.0] * 6), (2.0, 2.0, 2.0))

    def test_ratios_match_labels_and_skip_unmatched(self):
        a = {report.run_labels(r): r for r in (tp(1e7), tp(2e7, 2, 2), lat(100.0))}
        b = {report.run_labels(r): r for r in (tp(1.5e7), lat(50.0), tp(9e9, 4, 4))}
        got = pairs.pair_ratios([(a, b), (a, b)])
        self.assertEqual(len(got), 3)  # throughput; latency's p50 and p99
        by_figure = {v[0]: v for v in got.values()}
        self.assertEqual(by_figure["items_per_second"], ("items_per_second", True, [1.5, 1.5]))
        self.assertEqual(by_figure["p50_ns"], ("p50_ns", False, [0.5, 0.5]))
        self.assertEqual(by_figure["p99_ns"], ("p99_ns", False, [0.5, 0.5]))

    def test_gb_name_is_not_a_label(self):
        a, b = tp(1e7, name="x/spsc_ring"), tp(2e7, name="x/vyukov")
        self.assertEqual(report.run_labels(a), report.run_labels(b))

    def test_summary_reads_direction_and_warns_below_five_pairs(self):
        a = {report.run_labels(tp(1e7)): tp(1e7)}
        few = [(a, {report.run_labels(tp(1e7)): tp(r)}) for r in (1.2e7, 1.3e7, 1.25e7)]
        rows = pairs.summarize(few)
        self.assertEqual(rows[0]["pairs"], 3)
        self.assertEqual(pairs.verdict_phrase(rows[0]), "B better")
        text = "\n".join(pairs.format_table(rows, "a", "b"))
        self.assertIn("warning: only 3 pair(s)", text)
        self.assertIn("throughput, consumers 1, producers 1, threads 1", text)
        many = few + few
        self.assertNotIn("warning", "\n".join(pairs.format_table(pairs.summarize(many), "a", "b")))

    def test_lower_latency_of_b_reads_b_better(self):
        a = {report.run_labels(lat(100.0)): lat(100.0)}
        rows = pairs.summarize([(a, {report.run_labels(lat(100.0)): lat(v)}) for v in (60, 70, 65, 62, 68)])
        self.assertEqual(pairs.verdict_phrase(rows[0]), "B better")


class ReadRunsTest(unittest.TestCase):
    def test_reads_typed_runs_of_the_entry(self):
        with tempfile.TemporaryDirectory() as d:
            folder = pathlib.Path(d)
            write(folder, record("x", [tp(1e7), tp(5, aggregate="mean"), tp(0, 2, 2, error="e")]))
            runs = pairs.read_runs(folder, "x")
            self.assertEqual(list(runs.values()), [tp(1e7)])

    def test_missing_and_truncated_records_are_named(self):
        with tempfile.TemporaryDirectory() as d:
            folder = pathlib.Path(d)
            with self.assertRaisesRegex(pairs.PairsError, "no bench record of entry 'x'"):
                pairs.read_runs(folder, "x")
            (folder / "bench.q.x.json").write_text('{"component": "q"')
            with self.assertRaisesRegex(pairs.PairsError, r"bench\.q\.x\.json: not valid JSON"):
                pairs.read_runs(folder, "x")

    def test_failed_bench_is_an_error(self):
        with tempfile.TemporaryDirectory() as d:
            folder = pathlib.Path(d)
            write(folder, dict(record("x", []), verdict="fail", status="mismatch"))
            with self.assertRaisesRegex(pairs.PairsError, "bench verdict fail"):
                pairs.read_runs(folder, "x")


FAKE = textwrap.dedent('''\
    #!/usr/bin/python3
    # A bench executable: --manifest, and one record per run; B is 1.25x A.
    import json, os, sys
    args = sys.argv[1:]
    entry = args[args.index("--entry") + 1]
    if "--manifest" in args:
        if entry in ("qa", "qb"):
            print(json.dumps({"check": "bench", "component": "queue.spsc.bounded", "implementation": entry,
                              "expected": "pass"}))
            sys.exit(0)
        sys.exit(2)
    log = os.environ["FAKE_LOG"]
    with open(log, "a") as f:
        f.write(entry + "\\n")
    n = sum(1 for _ in open(log))
    rate = (1.25e7 if entry == "qb" else 1.0e7) * (1 + 0.01 * (n % 3))
    run = {"benchmark": "throughput", "producers": 1, "consumers": 1, "threads": 1, "aggregate": "",
           "iterations": 10, "real_ns": 1e6, "cpu_ns": 1e6, "items_per_second": rate}
    rec = {"component": "queue.spsc.bounded", "implementation": entry, "origin": "in-house", "check": "bench",
           "verdict": "pass", "expected": "pass", "reason": "", "status": "ok", "detail": "", "trace": "replay: x",
           "seed": "1", "seconds": 0.1, "metrics": {"runs": [run]}}
    d = os.environ["GAUNTLET_RESULTS_DIR"]
    open(os.path.join(d, "bench.queue.spsc.bounded." + entry + ".json"), "w").write(json.dumps(rec))
''')


class RunTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.root = pathlib.Path(self.tmp.name)
        self.exe = self.root / "bench_fake"
        self.exe.write_text(FAKE)
        self.exe.chmod(self.exe.stat().st_mode | stat.S_IXUSR)
        os.environ["FAKE_LOG"] = str(self.root / "order.log")

    def tearDown(self):
        self.tmp.cleanup()

    def test_interleaved_pairs_end_to_end(self):
        keep = self.root / "kept"
        status, out, err = quiet(pairs.main, ["run", "--pairs", "qa,qb", "--exe", str(self.exe), "--rounds", "6",
                                              "--min-time", "0.01", "--cpus", "", "--keep", str(keep)])
        self.assertEqual(status, 0, err)
        order = (self.root / "order.log").read_text().split()
        self.assertEqual(order, ["qa", "qb", "qb", "qa"] * 3)
        self.assertIn("pair 2/6: B then A", out)
        line = [x for x in out.splitlines() if x.startswith("throughput")][0]
        self.assertIn(" 6 ", line)
        self.assertIn("B better", line)
        self.assertNotIn("warning", out)
        # the kept folder gives the same table
        status2, out2, _ = quiet(pairs.main, ["analyze", str(keep), "--pairs", "qa,qb"])
        self.assertEqual(status2, 0)
        self.assertEqual(out2.splitlines()[-3:], out.splitlines()[-3:])

    @unittest.skipUnless(shutil.which("taskset"), "taskset missing")
    def test_pinned_runs(self):
        status, out, err = quiet(pairs.main, ["run", "--pairs", "qa,qb", "--exe", str(self.exe), "--rounds", "2",
                                              "--cpus", "0"])
        self.assertEqual(status, 0, err)
        self.assertIn("warning: only 2 pair(s)", out)

    def test_unknown_entry(self):
        status, _, err = quiet(pairs.main, ["run", "--pairs", "qa,nosuch", "--exe", str(self.exe)])
        self.assertEqual(status, 1)
        self.assertIn("no bench executable has an entry named 'nosuch'", err)

    def test_bad_arguments_exit_2_with_one_line(self):
        for argv, msg in ((["--rounds", "0"], "--rounds must be in [1, 1000], not 0"),
                          (["--rounds", "x"], "--rounds must be an integer, not 'x'"),
                          (["--min-time", "1e9"], "--min-time must be in [0.001, 60.0]"),
                          (["--min-time", "nan"], "--min-time must be in"),
                          (["--cpus", "a"], "--cpus takes a CPU list")):
            with self.assertRaises(SystemExit) as cm, contextlib.redirect_stderr(io.StringIO()) as err:
                pairs.main(["run", "--pairs", "qa,qb", "--exe", str(self.exe)] + argv)
            self.assertEqual(cm.exception.code, 2, argv)
            self.assertIn(msg, err.getvalue())
            self.assertEqual(err.getvalue().count("\n"), 1, err.getvalue())
        with self.assertRaises(SystemExit) as cm, contextlib.redirect_stderr(io.StringIO()) as err:
            pairs.main(["run", "--pairs", "qa", "--exe", str(self.exe)])
        self.assertEqual(cm.exception.code, 2)
        self.assertIn("two different entry names", err.getvalue())


if __name__ == "__main__":
    unittest.main()
