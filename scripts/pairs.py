#!/usr/bin/python3
"""Interleaved fresh-process benchmark pairs: the ratio of two entries.

Runs the benchmarks of two catalogue entries A and B as pairs of fresh
processes on the same pinned cores, alternating the order (A then B, then
B then A, ...) so that drift of the machine (frequency, other load, thermal
state) falls on both sides alike. Each run is the bench executable holding
the entry, with `--entry X --benchmark_min_time=S`, writing its record into
a folder of its own (GAUNTLET_RESULTS_DIR); the figures are read from the
record's typed runs (metrics.runs), never from benchmark names.

For every benchmark both entries ran with the same labels (benchmark,
producers, consumers, threads, ...), each pair gives one ratio B/A of the
benchmark's figure (items_per_second where reported, else p50_ns, else
real_ns). The result is the median of the per-pair ratios with a bootstrap
95% interval (2000 resamples of the pairs, fixed seed), their spread
(interquartile range and extremes), and a warning below 5 pairs.

Used by `scripts/gauntlet bench --pairs A,B`; `analyze` recomputes the table
from a folder a previous run kept (--keep).

Exit status: 0 on success, 1 when a run fails or nothing matches, 2 on bad
arguments, 130 when interrupted.
"""

import argparse
import json
import os
import pathlib
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import report  # noqa: E402

RESAMPLES = 2000
SEED = 20240607
MIN_PAIRS = 5
# figure, higher is better
FIGURES = [("items_per_second", True), ("tasks_per_second", True), ("round_trips_per_second", True),
           ("turns_per_second", True), ("p50_ns", False), ("p99_ns", False), ("loop_cpu_us_per_s", False),
           ("cpu_us_per_turn", False), ("real_ns", False)]


class PairsError(Exception):
    """A run that failed or an input that cannot be used (one line)."""


def read_runs(folder, entry):
    """The bench record of `entry` in `folder` -> {labels: run}, where labels
    is the run's sorted (name, value) label tuple (report.run_labels).
    Runs with errors and aggregates are left out; with repetitions the first
    run of a label set is kept. Raises PairsError naming the file."""
    folder = pathlib.Path(folder)
    found = []
    for path in sorted(folder.glob("bench.*.json")):
        try:
            rec = report.read_record(path)
        except report.ReportError as err:
            raise PairsError(str(err)) from None
        if rec["implementation"] == entry:
            found.append(rec)
    if not found:
        raise PairsError(f"{folder}: no bench record of entry '{entry}'")
    runs = {}
    for rec in found:
        if rec["verdict"] != "pass":
            raise PairsError(f"{report.where(rec)}: bench verdict {rec['verdict']}: {rec['detail']}")
        try:
            kept = report.bench_runs(rec)
        except report.ReportError as err:
            raise PairsError(str(err)) from None
        for _, run in kept:
            runs.setdefault(report.run_labels(run), run)
    return runs


def figures_of(run):
    """[(name, value, higher_is_better)]: the run's headline figures (every
    one of FIGURES it carries; real_ns only when it carries no other)."""
    out = []
    for name, higher in FIGURES:
        v = run.get(name)
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            out.append((name, float(v), higher))
    return [f for f in out if f[0] != "real_ns"] or out


def pair_ratios(pairs):
    """pairs: list of (runs of A, runs of B), each {labels: run}.
    Returns {(labels, figure): (figure, higher_is_better, [B/A per pair])}
    for the label sets present on both sides of every pair, per figure both
    sides carry, where the figure is positive on the A side."""
    out = {}
    for runs_a, runs_b in pairs:
        for labels in sorted(set(runs_a) & set(runs_b)):
            fb = {name: (value, higher) for name, value, higher in figures_of(runs_b[labels])}
            for name, va, higher in figures_of(runs_a[labels]):
                if name not in fb or va <= 0:
                    continue
                out.setdefault((labels, name), (name, higher, []))[2].append(fb[name][0] / va)
    return out


def bootstrap_median_ci(values, resamples=RESAMPLES, seed=SEED, level=0.95):
    """(median, low, high): the median of `values` and its percentile
    bootstrap interval (resampling the values with replacement)."""
    v = np.asarray(values, dtype=float)
    if v.size == 0:
        raise ValueError("no values")
    rng = np.random.default_rng(seed)
    samples = rng.choice(v, size=(resamples, v.size), replace=True)
    medians = np.median(samples, axis=1)
    alpha = (1 - level) / 2
    return float(np.median(v)), float(np.quantile(medians, alpha)), float(np.quantile(medians, 1 - alpha))


def summarize(pairs, resamples=RESAMPLES, seed=SEED):
    """One row per matching benchmark: labels, figure, n, median, ci, spread."""
    rows = []
    for (labels, _), (name, higher, ratios) in sorted(pair_ratios(pairs).items()):
        med, lo, hi = bootstrap_median_ci(ratios, resamples, seed)
        q1, q3 = (float(x) for x in np.quantile(ratios, [0.25, 0.75]))
        rows.append({"labels": dict(labels), "figure": name, "higher_is_better": higher, "pairs": len(ratios),
                     "median": med, "ci_low": lo, "ci_high": hi, "q1": q1, "q3": q3,
                     "min": min(ratios), "max": max(ratios), "ratios": ratios})
    return rows


def verdict_phrase(row):
    """Which side the interval says is better, in words."""
    if row["ci_low"] <= 1.0 <= row["ci_high"]:
        return "no difference shown"
    b_larger = row["ci_low"] > 1.0
    return "B better" if b_larger == row["higher_is_better"] else "A better"


def format_table(rows, a, b):
    """The result as text lines."""
    lines = [f"ratio B/A per benchmark (A = {a}, B = {b}); median of per-pair ratios, "
             f"bootstrap 95% interval ({RESAMPLES} resamples, seed {SEED})"]
    if not rows:
        lines.append("no benchmark ran with the same labels for both entries")
        return lines
    lines.append(f"{'benchmark':<44} {'figure':<17} {'pairs':>5} {'median':>8} {'95% interval':>19} "
                 f"{'IQR':>17} {'min..max':>17}  reading")
    for r in rows:
        label = report.label_text(tuple(sorted(r["labels"].items())))
        lines.append(f"{label:<44} {r['figure']:<17} {r['pairs']:>5} {r['median']:>8.3f} "
                     f"[{r['ci_low']:>7.3f}, {r['ci_high']:>7.3f}] [{r['q1']:>6.3f}, {r['q3']:>6.3f}] "
                     f"[{r['min']:>6.3f}, {r['max']:>6.3f}]  {verdict_phrase(r)}")
    n = min(r["pairs"] for r in rows)
    if n < MIN_PAIRS:
        lines.append(f"warning: only {n} pair(s); below {MIN_PAIRS} the interval says little (use --rounds)")
    lines.append("*_per_second: higher is better; *_ns, loop_cpu_us_per_s and cpu_us_per_turn: lower is better")
    return lines


# --------------------------------------------------------------------------
# running


def manifest_entries(exe, entry):
    """The bench entries of `exe` matching `entry` (its --manifest)."""
    try:
        p = subprocess.run([exe, "--manifest", "--entry", entry], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as err:
        raise PairsError(f"{exe} --manifest: {err}") from None
    if p.returncode != 0:
        return []
    out = []
    for line in p.stdout.splitlines():
        try:
            doc = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(doc, dict) and doc.get("check") == "bench" and doc.get("implementation") == entry:
            out.append(doc)
    return out


def find_exe(exes, entry):
    """The bench executable whose catalogue holds `entry` (exact name)."""
    for exe in exes:
        for doc in manifest_entries(exe, entry):
            if doc.get("expected") == "skip":
                raise PairsError(f"entry '{entry}' skips the bench check in {exe}")
            return exe
    raise PairsError(f"no bench executable has an entry named '{entry}' (see <bench exe> --list)")


def run_one(exe, entry, min_time, cpus, folder, log):
    """One fresh process: exe --entry ENTRY --benchmark_min_time=S pinned to
    `cpus`, its record into `folder`. Returns its runs."""
    folder.mkdir(parents=True)
    cmd = ([shutil.which("taskset") or "taskset", "-c", cpus] if cpus else []) + [
        exe, "--entry", entry, f"--benchmark_min_time={min_time}"]
    env = dict(os.environ, GAUNTLET_RESULTS_DIR=str(folder))
    with open(log, "ab") as out:
        out.write(("$ " + " ".join(cmd) + "\n").encode())
        out.flush()
        p = subprocess.run(cmd, env=env, stdout=out, stderr=subprocess.STDOUT)
    if p.returncode != 0:
        raise PairsError(f"{' '.join(cmd)} exited with status {p.returncode} (output: {log})")
    return read_runs(folder, entry)


def run_pairs(exe_a, exe_b, a, b, rounds, min_time, cpus, work, progress=print):
    """`rounds` pairs, alternating the order. Returns [(runs A, runs B)]."""
    pairs = []
    t0 = time.monotonic()
    log = work / "runs.log"
    for i in range(rounds):
        order = [(exe_a, a, "A"), (exe_b, b, "B")]
        if i % 2:
            order.reverse()
        progress(f"[{time.monotonic() - t0:5.0f} s] pair {i + 1}/{rounds}: {order[0][2]} then {order[1][2]}")
        got = {}
        for exe, entry, side in order:
            got[side] = run_one(exe, entry, min_time, cpus, work / f"pair{i + 1:03d}-{side}", log)
        pairs.append((got["A"], got["B"]))
    return pairs


def load_pairs(work, a, b):
    """The pairs a kept folder holds (pairNNN-A, pairNNN-B)."""
    pairs = []
    for folder_a in sorted(pathlib.Path(work).glob("pair*-A")):
        folder_b = folder_a.with_name(folder_a.name[:-1] + "B")
        if folder_b.is_dir():
            pairs.append((read_runs(folder_a, a), read_runs(folder_b, b)))
    if not pairs:
        raise PairsError(f"{work}: no pair folders (pairNNN-A, pairNNN-B)")
    return pairs


def _range(kind, lo, hi, name):
    """argparse type: a number of `kind` within [lo, hi]."""

    def parse(text):
        try:
            v = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{name} must be {'an integer' if kind is int else 'a number'}, not '{text}'") from None
        if not (lo <= v <= hi) or v != v:
            raise argparse.ArgumentTypeError(f"{name} must be in [{lo}, {hi}], not {text}")
        return v

    return parse


def _pair(text):
    parts = text.split(",")
    if len(parts) != 2 or not all(parts) or parts[0] == parts[1]:
        raise argparse.ArgumentTypeError(f"--pairs takes two different entry names A,B, not '{text}'")
    return parts


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        self.exit(2, f"pairs: {message}\n")


def main(argv=None):
    """Command line entry point."""
    ap = _Parser(prog="pairs.py", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run the pairs and print the ratios")
    run.error = ap.error
    run.add_argument("--pairs", type=_pair, required=True, metavar="A,B", help="the two entry names")
    run.add_argument("--exe", action="append", required=True, help="a bench executable (repeatable)")
    run.add_argument("--rounds", type=_range(int, 1, 1000, "--rounds"), default=10,
                     help="pairs to run (default 10)")
    run.add_argument("--min-time", type=_range(float, 0.001, 60.0, "--min-time"), default=0.2,
                     help="--benchmark_min_time per benchmark, seconds (default 0.2)")
    run.add_argument("--cpus", default="0,1", help="taskset CPU list, empty for no pinning (default 0,1)")
    run.add_argument("--keep", metavar="DIR", help="keep every run's record in DIR (default: a removed temp folder)")
    run.add_argument("--json", metavar="FILE", help="also write the rows as JSON")
    an = sub.add_parser("analyze", help="recompute the ratios from a kept folder")
    an.error = ap.error
    an.add_argument("folder")
    an.add_argument("--pairs", type=_pair, required=True, metavar="A,B")
    an.add_argument("--json", metavar="FILE")
    args = ap.parse_args(argv)
    if argv is None:
        # SIGTERM (scripts/gauntlet stopping a run) unwinds: temp folders go
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    a, b = args.pairs
    try:
        if args.command == "analyze":
            pairs = load_pairs(args.folder, a, b)
        else:
            if args.keep and pathlib.Path(args.keep).exists():
                ap.error(f"--keep {args.keep} exists")
            if args.cpus and not all(c.strip().isdigit() for c in args.cpus.replace("-", ",").split(",")):
                ap.error(f"--cpus takes a CPU list such as 0,1, not '{args.cpus}'")
            exe_a, exe_b = find_exe(args.exe, a), find_exe(args.exe, b)
            print(f"pairs: A = {a} ({exe_a}), B = {b} ({exe_b}); {args.rounds} pairs, "
                  f"min time {args.min_time} s, cpus {args.cpus or 'not pinned'}", flush=True)
            if args.keep:
                work = pathlib.Path(args.keep)
                work.mkdir(parents=True)
                pairs = run_pairs(exe_a, exe_b, a, b, args.rounds, args.min_time, args.cpus, work,
                                  lambda s: print(s, flush=True))
            else:
                with tempfile.TemporaryDirectory(prefix="gauntlet-pairs-") as d:
                    pairs = run_pairs(exe_a, exe_b, a, b, args.rounds, args.min_time, args.cpus, pathlib.Path(d),
                                      lambda s: print(s, flush=True))
        rows = summarize(pairs)
    except PairsError as err:
        print(f"pairs: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("pairs: interrupted", file=sys.stderr)
        return 130
    for line in format_table(rows, a, b):
        print(line)
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps({"a": a, "b": b, "rows": rows}, indent=1) + "\n")
    return 0 if rows else 1


if __name__ == "__main__":
    sys.exit(main())
