#!/usr/bin/python3
"""The regression gate: head against base, every benchmark at once.

Builds the bench suite of two revisions, each in a tree and build folder of
its own (build-gate/<commit>/src, exported with `git archive`, so the
repository is never touched; build-gate/<commit>/build, `meson setup
-Dsuites=bench`; kept as a cache keyed by the commit). Head defaults to the
working tree (built from the checkout itself into build-gate/worktree).

Runs every bench executable present on both sides as interleaved fresh
processes pinned with taskset: round 1 base then head, round 2 head then
base, ... (as scripts/pairs.py does), so drift of the machine falls on
both sides alike. Each process writes its records into a folder of its own
(GAUNTLET_RESULTS_DIR); figures are read with pairs.read_runs/figures_of
(labels from report.run_labels), never from benchmark names.

Per benchmark (executable, entry, label set, headline figure), every round
gives one cost ratio head/base: head's figure over base's for a
lower-is-better figure (time, latency, CPU), base's over head's for a
higher-is-better one (a rate): above 1 is slower. The estimate is the
median of the per-round ratios with a bootstrap 95% interval (pairs.py's,
2000 resamples, fixed seed); significance is a Wilcoxon signed-rank test
on the per-round log ratios (two-sided, exact for small rounds), and the
p-values of all benchmarks of one gate run are Holm-corrected (family-wise
error rate 0.05 per gate run).

Modes: some benchmarks land per process in one of a few modes far apart
(the loop ping-pong: ~870 ns round trips while the loop spins, ~20 us when
each trip waits for a host-level wake-up; the spsc ring: about 27 M or
430 M items/s), and the mode is shared by the neighbouring processes of a
round more often than not. A slow-mode process does not measure the code:
a delay that adds 10% in the fast mode adds ~0% there, and a round with
one process in each mode gives a ratio of 20x. Per benchmark and figure
every process's figure (both sides, all rounds) is pooled in log space and
sorted; a gap of at least MODE_GAP (1.5x) between neighbours, with at
least MODE_MIN (2) processes on each side of it, splits off the slower
cluster (and
the faster one is split again the same way): the benchmark is multimodal
in this run, its fast mode is the cheapest cluster (the higher value of a
rate), and then
  - the ratio, its interval and the Wilcoxon test use only the rounds
    where both sides are in the fast mode (n is their number);
  - a mode-shift test, Fisher's exact test on the slow-mode counts of head
    and base over all rounds (twice the smaller one-sided p), is one more
    hypothesis in the same Holm family; significant, it is a regression
    ("mode shift: head slow in k/n processes, base in j/n") when head is
    slow more often, an improvement when less. It needs no threshold: a
    process that changed mode changed by MODE_GAP or more. Fisher's test
    takes the processes as independent; as the two sides of a round share
    their mode more often than not, it is conservative here (a paired
    test on the rounds whose sides differ would have more power). It also keeps a
    plain 5x regression a regression: base and head then form two
    "modes" of their own with no round fast on both sides;
  - with fewer than MIN_ROUNDS rounds fast on both sides the benchmark is
    unknown (more rounds), and still so at --max-rounds, cannot gate.
A lone outlying process never makes a mode (MODE_MIN). Every row says the
mode it was gated on and each side's slow-mode share.

Verdict per benchmark (T: --threshold, default 5%; on the fast-mode rounds
of a multimodal benchmark):
  regression    significant after Holm AND the whole interval above 1+T, or
                a significant mode shift towards the slow mode
  improvement   significant after Holm AND the whole interval below 1/(1+T),
                or a significant mode shift towards the fast mode
  cannot gate   neither of the above, and the gate cannot assure that it
                would detect a slowdown of A (--assure, default 2T) here:
                the benchmark's mde95 (below), from its interval's
                half-width projected to --max-rounds (the half-width shrinks
                as 1/sqrt(rounds); for a multimodal benchmark, of the rounds
                expected fast on both sides), exceeds A; or multimodal with
                fewer than MIN_ROUNDS rounds fast on both sides at the cap.
                Its noise could hide a slowdown of A, so it is listed, never
                passed silently, and it is not called same even when its
                interval lies inside +-T (the calibration measured why: the
                benchmarks whose mde95 was 10.3% detected an injected 10%
                in 80% and 90% of runs, where the others detected it in
                every run)
  same          the whole interval inside [1/(1+T), 1+T] (and A assured)
  unknown       otherwise: more rounds are run for the entries holding
                unknown benchmarks (Chromium Pinpoint's DIFFERENT / SAME /
                UNKNOWN, more repetitions on UNKNOWN), up to --max-rounds;
                still unknown at the cap it is listed (JUnit: skipped)
Sequential rounds: the interim looks only choose what to re-run; the final
decision takes every benchmark's p-value from all of its rounds and applies
Holm across all benchmarks of the run, once. The interim looks spend no
alpha (no group-sequential boundary): the requirement that the interval
lies wholly past the threshold bounds the effect, and the measured
false-alarm rate (calibration) is the check on it.

The minimum detectable effect printed per benchmark (mde) is T plus the
interval's half-width at the rounds measured: the smallest slowdown whose
interval lies above 1+T about half the time given that noise. mde95 is
the slowdown detected in 95% of runs: T plus the half-width plus 1.645
standard errors (the half-width being 1.96 of them): a benchmark that can
be gated still detects a slowdown below its mde95 only sometimes.

Compare: Google Benchmark's compare.py runs a Mann-Whitney U test but exits
0 on a significant change; asv needs a factor and significance; here a
regression needs both (significance after Holm, interval past T).

Accepted regressions: gate/accepted.json of the head tree (or --accepted
FILE) lists {"benchmark": KEY, "figure": NAME, "reason": TEXT}; a
regression whose key and figure are listed passes and is shown as
accepted. KEY is "<executable>/<entry>/<labels>", as printed.

Verdict changes (--checks SUITES, default property,model; none: off): the
base passed its own checks, so its held verdicts are its catalogue
expectations. Head's expectations come from its check programs' --manifest
(built under build-gate/, or --head-checks DIR), base's from base's
programs built at -O0 (build-gate/<commit>/checks-*-O0) -- or are head's
when no file head's check programs are built from (ninja -t deps of their
objects, and every meson file) differs between base and head. An
expectation that differs is a declared change: listed, it passes. Head's
check programs run (or --head-results DIR is read: the records of a run of
the same build) and a record whose verdict breaks head's expectation
(report.status_of: mismatch), or a record head's manifest lists and nobody
wrote, fails the gate with a line naming the entry and the check.

Creeping regressions: head is also compared with the most recent tag that
matches --baseline-pattern (default gauntlet-baseline-*) on its history
(git describe), unless it is the base or head itself or --no-baseline;
that comparison goes to <out>/baseline/ and its regressions fail the gate.

Time limit (--time-limit S): no round starts after S seconds from the start
(builds and checks included); benchmarks unknown then are listed, JUnit
skipped, and pass.

Calibration (--calibrate): scripts/calibrate.py.

Outputs (--out, default reports/gate): gate.json, summary.md, index.html
(forest plot of the ratios with intervals, embedded PNG), junit.xml (a
regression is a failure; unknown and cannot-gate are skipped).

Exit status: 0 pass, 1 a regression (not accepted), a verdict change or a
failed run, 2 bad input (unknown revision, nothing to compare, missing bench
executables, bad options), 130 interrupted.
"""

import argparse
import datetime
import html
import json
import math
import os
import pathlib
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from xml.sax.saxutils import escape as xml_escape, quoteattr

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import pairs  # noqa: E402
from audit import environment, environment_lines  # noqa: E402
import plan as checkplan  # noqa: E402
import report  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent
ALPHA = 0.05
# below this many rounds no verdict is given (the bootstrap interval of one
# or two ratios says nothing of the noise): unknown
MIN_ROUNDS = 3
# Modes (mode_split): a benchmark whose processes land in clusters a factor
# MODE_GAP apart or more (neighbours in the sorted pooled figures of both
# sides) is gated on its fastest cluster. What MODE_GAP rests on (a
# calibration's recorded processes on a 2-core shared machine, 300 per
# figure): the modes seen are a factor 12-23 apart in the loop ping-pong's
# latencies (spinning vs a host-level wake-up), 1.6-2 apart between the
# three clusters of its round-trip rate and of the spsc ring's throughput
# (with values in between); between neighbours inside one mode the
# largest gap is 1.10 over 300 processes, and at most 1.4 (99th percentile;
# 1.64 the largest seen) in 40 processes drawn from the widest unimodal
# benchmark (the two-thread lifecycle). A factor 1.5 separates the two; a
# rare false split of a unimodal benchmark costs rounds (gated on fewer of
# them), never a false alarm (both tests stay exact under A/A).
MODE_GAP = 1.5
# each cluster holds at least MODE_MIN processes: a single outlying process
# (one preempted run) never splits a benchmark; two that agree are a mode.
MODE_MIN = 2
CHECK_SUITES = ("property", "model", "litmus", "stress")
VERDICTS = ("regression", "accepted", "improvement", "same", "cannot gate", "unknown")


class GateError(Exception):
    """A failure with one line of explanation; status 2 = bad input, 1 = a run failed."""

    def __init__(self, message, status=2):
        super().__init__(message)
        self.status = status


# --------------------------------------------------------------------------
# statistics


def holm(pvalues):
    """Holm-adjusted p-values, in the input order."""
    m = len(pvalues)
    order = sorted(range(m), key=lambda i: pvalues[i])
    adjusted = [1.0] * m
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * pvalues[i]))
        adjusted[i] = running
    return adjusted


def wilcoxon_p(logs):
    """Two-sided Wilcoxon signed-rank p-value of per-round log ratios
    (1.0 when every ratio is 1 or fewer than 2 rounds)."""
    x = np.asarray(logs, dtype=float)
    x = x[x != 0.0]
    if x.size < 2:
        return 1.0
    from scipy import stats

    try:
        p = float(stats.wilcoxon(x).pvalue)
    except ValueError:
        return 1.0
    return 1.0 if p != p else p


def estimate(cost_ratios):
    """{rounds, ratio, ci_low, ci_high, half_width, p}: median cost ratio,
    bootstrap 95% interval (pairs.bootstrap_median_ci), the interval's
    half-width in log ratio, Wilcoxon p on the log ratios."""
    med, lo, hi = pairs.bootstrap_median_ci(cost_ratios)
    return {"rounds": len(cost_ratios), "ratio": med, "ci_low": lo, "ci_high": hi,
            "half_width": (math.log(hi) - math.log(lo)) / 2,
            "p": wilcoxon_p([math.log(r) for r in cost_ratios])}


def mode_split(base, head, higher_is_better):
    """The modes of one benchmark's figure in one gate run, from every
    process's figure (base and head pooled, in log cost: -log of a rate, log
    of a time). Sorted, the largest gap between neighbours that leaves at
    least MODE_MIN processes on each side splits off the slower cluster when
    it is at least a factor MODE_GAP; the faster cluster is split again the
    same way until no such gap is left, so "fast" is the cheapest cluster
    and every process above it is "slow". -> None (one mode) or {cutoff (in
    the figure's unit), gap (the factor of the last split), fast_base,
    fast_head (per process: in the fast mode?), slow_base, slow_head
    (counts), levels (clusters split off)}."""
    def cost(v):
        return -math.log(v) if higher_is_better else math.log(v)

    seg = sorted(cost(v) for v in list(base) + list(head))
    cut, gap, levels = None, None, 0
    while True:
        best = None
        for i in range(MODE_MIN, len(seg) - MODE_MIN + 1):
            g = seg[i] - seg[i - 1]
            if best is None or g > best[0]:
                best = (g, i)
        if best is None or best[0] < math.log(MODE_GAP):
            break
        g, i = best
        cut, gap, levels = (seg[i - 1] + seg[i]) / 2, math.exp(g), levels + 1
        seg = seg[:i]
    if cut is None:
        return None
    fast_b = [cost(v) < cut for v in base]
    fast_h = [cost(v) < cut for v in head]
    return {"cutoff": math.exp(-cut) if higher_is_better else math.exp(cut), "gap": gap, "levels": levels,
            "fast_base": fast_b, "fast_head": fast_h,
            "slow_base": sum(1 for x in fast_b if not x), "slow_head": sum(1 for x in fast_h if not x)}


def fisher_shift_p(slow_head, n_head, slow_base, n_base):
    """(p, direction) of a mode shift: twice the smaller one-sided Fisher
    exact p of "head lands in the slow mode more (less) often than base"
    (a two-sided test made of the two one-sided ones, so that one hypothesis
    per benchmark enters Holm), direction +1 when head is slow more often,
    -1 when less, 0 when equal."""
    from scipy import stats
    table = [[slow_head, n_head - slow_head], [slow_base, n_base - slow_base]]
    p_more = float(stats.fisher_exact(table, alternative="greater")[1])
    p_less = float(stats.fisher_exact(table, alternative="less")[1])
    share_h, share_b = slow_head / max(n_head, 1), slow_base / max(n_base, 1)
    direction = (share_h > share_b) - (share_h < share_b)
    return min(1.0, 2 * min(p_more, p_less)), direction


def mode_text(r):
    """The row's mode, in words (summary.md, the row line, index.html)."""
    m = r.get("modes")
    if not m:
        return "one mode"
    n = r["rounds_total"]
    return (f"multimodal (gap x{m['gap']:.1f}): gated on the fast mode, {r['rounds']}/{n} rounds fast on both "
            f"sides; slow mode: base {m['slow_base']}/{n}, head {m['slow_head']}/{n}; "
            f"mode shift p={m['shift_p']:.4f} holm={m['shift_p_holm']:.4f}")


def mde95_of(half_width, threshold):
    """The slowdown detected in 95% of runs at an interval half-width (log
    ratio): the half-width is about 1.96 standard errors, and the estimate
    lies above 1+T+half-width in 95% of runs when the true effect is 1.645
    standard errors beyond that."""
    return math.exp(math.log(1 + threshold) + half_width * (1 + 1.645 / 1.96)) - 1


def decide(rows, threshold, max_rounds, accepted=(), alpha=ALPHA, assure=None):
    """assure: the slowdown the gate must detect in 95% of runs for a
    benchmark to be gated (default twice the threshold).
    Adds p_holm, verdict, reason, mde, mde95, projected_mde95, projected_half_width,
    gated_on ("one mode" or "fast mode"), modes, rounds_total to every row (a dict with key, figure,
    higher_is_better, cost_ratios and, when known, base_values and
    head_values: each round's figure per side); Holm across every hypothesis
    of the run (each row's Wilcoxon, each multimodal row's mode shift).
    Returns rows."""
    hyps = []  # (row, kind, p)
    for r in rows:
        n = len(r["cost_ratios"])
        r["rounds_total"] = n
        m = None
        if r.get("base_values") and r.get("head_values"):
            m = mode_split(r["base_values"], r["head_values"], r["higher_is_better"])
        r["gated_on"] = "one mode" if m is None else "fast mode"
        if m is None:
            r["modes"] = None
            r.update(estimate(r["cost_ratios"]))
        else:
            # slow-mode processes do not measure the code: gate on the rounds
            # fast on both sides; the mode shift is tested on its own
            keep = [i for i in range(n) if m["fast_base"][i] and m["fast_head"][i]]
            gated = [r["cost_ratios"][i] for i in keep]
            r.update(estimate(gated if gated else r["cost_ratios"]))
            r["rounds"] = len(gated)
            if len(gated) < MIN_ROUNDS:
                r["p"] = 1.0  # no verdict can come of so few rounds
            m["shift_p"], m["shift_direction"] = fisher_shift_p(m["slow_head"], n, m["slow_base"], n)
            del m["fast_base"], m["fast_head"]
            r["modes"] = m
            hyps.append((r, "shift", m["shift_p"]))
        hyps.append((r, "wilcoxon", r["p"]))
    adjusted = holm([p for _, _, p in hyps])
    for (r, kind, _), p_holm in zip(hyps, adjusted):
        if kind == "shift":
            r["modes"]["shift_p_holm"] = p_holm
        else:
            r["p_holm"] = p_holm
    up, down = 1 + threshold, 1 / (1 + threshold)
    limit = math.log(1 + threshold)
    assure = 2 * threshold if assure is None else assure
    accepted = {(a["benchmark"], a["figure"]): a.get("reason", "") for a in accepted}
    for r in rows:
        significant = r["p_holm"] < alpha
        m = r["modes"]
        # rounds of the gated kind expected at the cap (multimodal: the
        # share of rounds fast on both sides so far, held)
        at_cap = max(max_rounds, r["rounds_total"]) * r["rounds"] / max(r["rounds_total"], 1)
        r["projected_half_width"] = r["half_width"] * math.sqrt(r["rounds"] / max(at_cap, r["rounds"], 1))
        r["mde"] = math.exp(limit + r["half_width"]) - 1
        r["mde95"] = mde95_of(r["half_width"], threshold)
        r["projected_mde95"] = mde95_of(r["projected_half_width"], threshold)
        r["accepted_reason"] = None
        r["reason"] = None
        verdict = None
        if m and m["shift_p_holm"] < alpha and m["shift_direction"]:
            n = r["rounds_total"]
            r["reason"] = f"mode shift: head slow in {m['slow_head']}/{n} processes, base in {m['slow_base']}/{n}"
            verdict = "regression" if m["shift_direction"] > 0 else "improvement"
        elif r["rounds"] < MIN_ROUNDS:
            if m and r["rounds_total"] >= max_rounds:
                verdict = "cannot gate"
                r["reason"] = (f"multimodal: only {r['rounds']} of {r['rounds_total']} rounds have both sides in the "
                               f"fast mode (fewer than {MIN_ROUNDS}) at the cap")
            else:
                verdict = "unknown"
                if m:
                    r["reason"] = (f"multimodal: {r['rounds']} of {r['rounds_total']} rounds fast on both sides, "
                                   f"fewer than {MIN_ROUNDS}: more rounds")
        elif significant and r["ci_low"] > up:
            verdict = "regression"
        elif significant and r["ci_high"] < down:
            verdict = "improvement"
        elif r["projected_mde95"] > assure:
            verdict = "cannot gate"
            r["reason"] = (f"a {assure * 100:g}% slowdown is not assured: mde95 {r['projected_mde95'] * 100:.1f}% "
                           f"at {max(max_rounds, r['rounds_total'])} rounds" + (" (fast mode)" if m else ""))
        elif r["ci_low"] >= down and r["ci_high"] <= up:
            verdict = "same"
        else:
            verdict = "unknown"
        if verdict == "regression" and (r["key"], r["figure"]) in accepted:
            verdict = "accepted"
            r["accepted_reason"] = accepted[(r["key"], r["figure"])]
        r["verdict"] = verdict
    return rows


def cost_rows(rounds, select=None):
    """rounds: [(runs base, runs head)], each {(exe, entry, labels): run}.
    -> [{key, exe, entry, labels, figure, higher_is_better, ratios,
    cost_ratios, base_values, head_values}] per benchmark and headline
    figure (pairs.figures_of; a round counts when both sides carry the
    figure, positive), keeping those whose key `select` (a compiled regex)
    finds. base_values/head_values: each counted round's figure per side
    (the modes are found from them)."""
    acc = {}
    for runs_a, runs_b in rounds:
        for labels in sorted(set(runs_a) & set(runs_b), key=repr):
            fb = {name: value for name, value, _ in pairs.figures_of(runs_b[labels])}
            for name, va, higher in pairs.figures_of(runs_a[labels]):
                vb = fb.get(name)
                if vb is None or not va > 0 or not vb > 0:
                    continue
                got = acc.setdefault((labels, name), (higher, [], []))
                got[1].append(va)
                got[2].append(vb)
    rows = []
    for ((exe, entry, labels), name), (higher, va, vb) in sorted(acc.items(), key=lambda kv: repr(kv[0])):
        key = f"{exe}/{entry}/{report.label_text(labels)}"
        if select is not None and not select.search(key):
            continue
        ratios = [b / a for a, b in zip(va, vb)]
        rows.append({"key": key, "exe": exe, "entry": entry, "labels": dict(labels), "figure": name,
                     "higher_is_better": higher, "ratios": ratios,
                     "cost_ratios": [1 / r if higher else r for r in ratios],
                     "base_values": va, "head_values": vb})
    return rows


# --------------------------------------------------------------------------
# revisions and builds


def git(root, *args):
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True)


def resolve(root, rev):
    """The commit a revision names; GateError (2) naming it when unknown."""
    p = git(root, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
    if p.returncode != 0 or not p.stdout.strip():
        raise GateError(f"unknown revision '{rev}' (git rev-parse found no commit of that name in {root})")
    return p.stdout.strip()


def export_tree(root, sha, dest):
    """The tree of `sha` in dest (git archive; a marker says it is whole)."""
    marker = dest / ".gauntlet-gate-exported"
    if marker.exists():
        return
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    archive = subprocess.Popen(["git", "-C", str(root), "archive", sha], stdout=subprocess.PIPE)
    tar = subprocess.run(["tar", "-x", "-C", str(dest)], stdin=archive.stdout)
    archive.stdout.close()
    if archive.wait() != 0 or tar.returncode != 0:
        raise GateError(f"cannot export {sha} (git archive | tar)", 1)
    marker.write_text(sha + "\n")


def bench_targets(build):
    """The bench executables meson knows of: [(name, path)] under build/bench."""
    p = subprocess.run(["meson", "introspect", "--targets", str(build)], capture_output=True, text=True)
    if p.returncode != 0:
        return []
    out = []
    for t in json.loads(p.stdout):
        for f in t.get("filename", []):
            if t.get("type") == "executable" and t["name"].startswith("bench_") and \
                    pathlib.Path(f).is_relative_to(build / "bench"):
                out.append((t["name"], pathlib.Path(f)))
    return out


def build_side(src, build, label, log, jobs=1, options=(), only=None):
    """Configure (once, with extra meson `options`) and compile only the
    bench targets (only those named in `only`, when given). -> build."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "ab") as out:
        if not (build / "build.ninja").exists():
            if build.exists():
                shutil.rmtree(build)
            p = subprocess.run(["meson", "setup", str(build), str(src), "-Dsuites=bench", *options],
                               stdout=out, stderr=subprocess.STDOUT)
            if p.returncode != 0:
                raise GateError(f"{label}: meson setup -Dsuites=bench failed (no bench suite at this revision?); "
                                f"see {log}")
        targets = [t for t in bench_targets(build) if only is None or t[0] in only]
        if not targets:
            raise GateError(f"{label}: missing bench executables (meson knows no bench_* target under "
                            f"{build / 'bench'})")
        rel = [str(path.relative_to(build)) for _, path in targets]
        p = subprocess.run(["nice", "-n", "19", "ninja", f"-j{jobs}", "-C", str(build), *rel],
                           stdout=out, stderr=subprocess.STDOUT)
        if p.returncode != 0:
            raise GateError(f"{label}: compiling the bench executables failed; see {log}", 1)
    return build


def find_exes(build):
    """{name: path} of the executables bench_* under build/bench."""
    folder = pathlib.Path(build) / "bench"
    out = {}
    if folder.is_dir():
        for f in sorted(folder.rglob("bench_*")):
            if f.is_file() and os.access(f, os.X_OK) and f.suffix == "":
                out[f.name] = f
    return out


def manifest(exe):
    """[(component, entry)] of the bench entries exe runs (not skipped)."""
    try:
        p = subprocess.run([str(exe), "--manifest"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as err:
        raise GateError(f"{exe} --manifest: {err}", 1) from None
    if p.returncode != 0:
        raise GateError(f"{exe} --manifest exited with status {p.returncode}", 1)
    out = []
    for line in p.stdout.splitlines():
        try:
            doc = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(doc, dict) and doc.get("check") == "bench" and doc.get("expected") != "skip":
            out.append((doc.get("component", ""), doc["implementation"]))
    return out


# --------------------------------------------------------------------------
# running


def read_folder(folder, exe_name):
    """{(exe, entry, labels): run} of every passing bench record in folder
    (pairs.read_runs per entry)."""
    out = {}
    for path in sorted(pathlib.Path(folder).glob("bench.*.json")):
        try:
            rec = report.read_record(path)
        except report.ReportError as err:
            raise GateError(str(err), 1) from None
        if rec["verdict"] == "skip":
            continue
        try:
            runs = pairs.read_runs(folder, rec["implementation"])
        except pairs.PairsError as err:
            raise GateError(str(err), 1) from None
        for labels, run in runs.items():
            out[(exe_name, rec["implementation"], labels)] = run
    return out


def run_process(exe, entries, min_time, cpus, folder, log):
    """One fresh process of exe for `entries`, pinned; -> its runs."""
    folder.mkdir(parents=True)
    cmd = (["taskset", "-c", cpus] if cpus else []) + [str(exe)]
    for e in entries:
        cmd += ["--entry", e]
    cmd.append(f"--benchmark_min_time={min_time}")
    env = dict(os.environ, GAUNTLET_RESULTS_DIR=str(folder))
    with open(log, "ab") as out:
        out.write(("$ " + " ".join(cmd) + "\n").encode())
        out.flush()
        p = subprocess.run(cmd, env=env, stdout=out, stderr=subprocess.STDOUT)
    if p.returncode != 0:
        raise GateError(f"{' '.join(cmd)} exited with status {p.returncode} (output: {log})", 1)
    return read_folder(folder, exe.name)


def run_rounds(plan, first, count, min_time, cpus, work, progress, t0, deadline=None):
    """Rounds first..first+count-1 of plan {exe: (base exe, head exe,
    [entries])}; odd rounds base first, even rounds head first. With a
    deadline (time.monotonic() value), a round that would end after it (as
    long as the previous one took) is not started.
    -> [(runs base, runs head)] (fewer than count at the deadline)."""
    out = []
    last = 0.0
    for i in range(first, first + count):
        if deadline is not None and time.monotonic() + last > deadline:
            progress(f"[{time.monotonic() - t0:5.0f} s] time limit: round {i} not started")
            break
        started = time.monotonic()
        base_all, head_all = {}, {}
        for name, (exe_base, exe_head, entries) in sorted(plan.items()):
            order = [("base", exe_base), ("head", exe_head)]
            if i % 2 == 0:
                order.reverse()
            progress(f"[{time.monotonic() - t0:5.0f} s] round {i}: {name} ({len(entries)} entries), "
                     f"{order[0][0]} then {order[1][0]}")
            for side, exe in order:
                got = run_process(exe, entries, min_time, cpus, work / f"round{i:03d}" / side / name,
                                  work / "runs.log")
                (base_all if side == "base" else head_all).update(got)
        out.append((base_all, head_all))
        last = time.monotonic() - started
    return out


# --------------------------------------------------------------------------
# outputs


def pct(x):
    return f"{(x - 1) * 100:+.1f}%"


def row_line(r):
    """The row in one line; a second indented line says its mode and why
    its verdict, when there is more to say than 'one mode'."""
    line = (f"{r['verdict']:<12} {pct(r['ratio']):>8} [{pct(r['ci_low']):>8}, {pct(r['ci_high']):>8}] "
            f"n={r['rounds']:<3} p={r['p']:.4f} holm={r['p_holm']:.4f} mde={r['mde'] * 100:.1f}% "
            f"mde95={r.get('mde95', float('nan')) * 100:.1f}% gated on {r.get('gated_on', 'one mode')}"
            f"  {r['key']} ({r['figure']})")
    more = [x for x in ((mode_text(r) if r.get("modes") else None), r.get("reason")) if x]
    return line + ("\n    " + "; ".join(more) if more else "")


def summary_lines(result):
    rows = result["benchmarks"]
    t = result["threshold"]
    lines = [f"gate: {result['status'].upper()}: head {result['head']['label']} against base "
             f"{result['base']['label']}",
             f"{len(rows)} benchmarks, {result['rounds_run']} rounds (first {result['rounds']}, cap "
             f"{result['max_rounds']}), threshold {t * 100:g}%, gated where a "
             f"{result.get('assure', 2 * t) * 100:g}% slowdown is detected in 95% of runs, min time "
             f"{result['min_time']} s",
             "cost ratio head/base per benchmark (above 0% = head slower): median of per-round ratios, "
             "bootstrap 95% interval (2000 resamples, fixed seed); Wilcoxon signed-rank p on the "
             f"log ratios, Holm-corrected across all {len(rows)} benchmarks of this run "
             f"(family-wise error {ALPHA} per gate run); mde = minimum detectable effect at the measured noise "
             "(detected about half the time), mde95 = detected in 95% of runs; a multimodal benchmark is gated "
             "on its fast mode, n = its rounds fast on both sides, plus a mode-shift test (Fisher) in the same "
             "Holm family"]
    counts = {v: sum(1 for r in rows if r["verdict"] == v) for v in VERDICTS}
    lines.append("verdicts: " + ", ".join(f"{n} {v}" for v, n in counts.items() if n))
    lines.append("")
    for r in rows:
        lines += row_line(r).split("\n")
        if r["verdict"] == "accepted":
            lines.append(f"    accepted regression (gate/accepted.json): {r['accepted_reason']}")
    cannot = [r for r in rows if r["verdict"] == "cannot gate"]
    if cannot:
        lines.append("")
        lines.append(f"cannot be gated here ({len(cannot)}): at its own noise (interval half-width, projected to "
                     f"{result['max_rounds']} rounds) a {result.get('assure', 2 * t) * 100:g}% slowdown would be "
                     "detected in fewer than 95% of runs (mde95 above it), or too few rounds fast on both sides "
                     "(multimodal); NOT passed, listed:")
        lines += [f"    {r['key']} ({r['figure']}): half-width {math.expm1(r['projected_half_width']) * 100:.1f}%"
                  + (f", mde95 {r['projected_mde95'] * 100:.1f}%" if r.get("projected_mde95") is not None else "")
                  + (f" ({r['reason']})" if r.get("reason") else "") for r in cannot]
    unknown = [r for r in rows if r["verdict"] == "unknown"]
    if unknown:
        lines.append(f"still unknown at the cap of {result['max_rounds']} rounds ({len(unknown)}): listed, "
                     "skipped in JUnit, does not fail the gate")
    if result.get("baseline"):
        b = result["baseline"]
        lines.append(f"baseline: head is also compared with the baseline tag {b['tag']} ({b['commit'][:10]}); "
                     f"that comparison: {b['out']}")
    if not rows:
        lines.append("no benchmark compared: the time limit came before the first round")
    v = result.get("verdicts")
    if v is not None:
        lines.append("")
        lines += verdict_lines(v)
    else:
        lines.append("verdicts: not compared here" + (" (--checks none)" if result.get("comparison") == "base"
                                                     else " (gated against --base)"))
    for note in result.get("notes", []):
        lines.append("note: " + note)
    return lines


def forest_plot(result):
    rows = result["benchmarks"]
    plt = report.pyplot()
    fig, ax = plt.subplots(figsize=(12, 0.32 * len(rows) + 1.6))
    colour = {"regression": "#c0392b", "accepted": "#e67e22", "improvement": "#27ae60", "same": "#4a7ab5",
              "cannot gate": "#8e44ad", "unknown": "#7f8c8d"}
    for i, r in enumerate(rows):
        c = colour[r["verdict"]]
        ax.plot([(r["ci_low"] - 1) * 100, (r["ci_high"] - 1) * 100], [i, i], color=c, lw=2)
        ax.plot([(r["ratio"] - 1) * 100], [i], "o", color=c)
    t = result["threshold"] * 100
    ax.axvline(0, color="black", lw=0.8)
    for x in (t, (1 / (1 + result["threshold"]) - 1) * 100):
        ax.axvline(x, color="grey", ls="--", lw=0.8)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([f"{r['key']} ({r['figure']}) [{r['verdict']}]" for r in rows], fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel("cost change head/base, % (right: head slower; dashed: the threshold)")
    ax.set_title("median ratio, bootstrap 95% interval", fontsize=10)
    fig.tight_layout()
    return report.figure_html(fig, "forest plot of head/base ratios")


def write_html(result, path):
    rows = result["benchmarks"]
    body = [f"<h1>Regression gate: {html.escape(result['status'].upper())}</h1>",
            "<pre>" + html.escape("\n".join(summary_lines(result)[:4])) + "</pre>"]
    if rows:
        body.append(forest_plot(result))
    body.append("<table><tr><th>benchmark</th><th>figure</th><th>verdict</th><th>rounds</th><th>change</th>"
                "<th>95% interval</th><th>p</th><th>p (Holm)</th><th>mde</th><th>mde95</th><th>modes</th></tr>")
    for r in rows:
        extra = (f"<br><small>accepted: {html.escape(r['accepted_reason'])}</small>"
                 if r["verdict"] == "accepted" else "")
        body.append(f"<tr><td>{html.escape(r['key'])}</td><td>{r['figure']}</td><td>{r['verdict']}{extra}</td>"
                    f"<td>{r['rounds']}</td><td>{pct(r['ratio'])}</td>"
                    f"<td>[{pct(r['ci_low'])}, {pct(r['ci_high'])}]</td>"
                    f"<td>{r['p']:.4f}</td><td>{r['p_holm']:.4f}</td><td>{r['mde'] * 100:.1f}%</td>"
                    f"<td>{r.get('mde95', float('nan')) * 100:.1f}%</td>"
                    f"<td>{html.escape(mode_text(r))}"
                    + (f"<br><small>{html.escape(r['reason'])}</small>" if r.get("reason") else "")
                    + "</td></tr>")
    body.append("</table><h2>Verdicts</h2><pre>" + html.escape("\n".join(verdict_lines(result.get("verdicts"))
                                                                      or ["not compared (--checks none)"]))
                + "</pre><h2>Environment</h2><pre>" + html.escape("\n".join(environment_lines(result["environment"])))
                + "</pre>")
    path.write_text("<!doctype html><meta charset='utf-8'><title>gauntlet gate</title>"
                    "<style>body{font-family:sans-serif;margin:2em}td,th{padding:2px 8px;border-bottom:1px solid #ddd;"
                    "font-size:13px}</style>\n" + "\n".join(body) + "\n")


def write_junit(result, path):
    rows = result["benchmarks"]
    failures = sum(1 for r in rows if r["verdict"] == "regression")
    skipped = sum(1 for r in rows if r["verdict"] in ("unknown", "cannot gate"))
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           f'<testsuites><testsuite name="gauntlet.gate" tests="{len(rows)}" failures="{failures}" '
           f'skipped="{skipped}">']
    for r in rows:
        name = quoteattr(f"{r['key']} ({r['figure']})")
        text = xml_escape(row_line(r))
        out.append(f'<testcase classname="gate.{xml_escape(r["exe"])}" name={name}>')
        if r["verdict"] == "regression":
            out.append(f'<failure message={quoteattr("regression " + pct(r["ratio"]))}>{text}</failure>')
        elif r["verdict"] in ("unknown", "cannot gate"):
            out.append(f'<skipped message={quoteattr(r["verdict"])}/>')
        out.append(f"<system-out>{text}</system-out></testcase>")
    out.append("</testsuite>")
    v = result.get("verdicts")
    if v is not None:
        cases = [(c, "changed") for c in v["changed"]] + [(m, "missing") for m in v["missing"]] + \
                [(d, "declared") for d in v["declared"]]
        bad = sum(1 for _, k in cases if k != "declared") + len(v["errors"])
        out.append(f'<testsuite name="gauntlet.gate.verdicts" tests="{len(cases) + len(v["errors"]) + 1}" '
                   f'failures="{bad}">')
        for c, kind in cases:
            name = quoteattr(f"{c['entry']} {c['check']}")
            out.append(f'<testcase classname="gate.verdicts.{xml_escape(c["component"])}" name={name}>')
            if kind == "changed":
                msg = f"verdict changed: head {c['verdict']}, head expects {c['expected']}"
                out.append(f"<failure message={quoteattr(msg)}>{xml_escape(c['detail'])}</failure>")
            elif kind == "missing":
                out.append('<failure message="no record written by head\'s run"/>')
            else:
                out.append(f"<system-out>declared change: expectation {c['base']} -&gt; {c['head']}</system-out>")
            out.append("</testcase>")
        for e in v["errors"]:
            out.append(f'<testcase classname="gate.verdicts" name="records"><failure message={quoteattr(e)}/>'
                       "</testcase>")
        out.append(f'<testcase classname="gate.verdicts" name="held"><system-out>{v["held"]} verdicts held'
                   "</system-out></testcase>")
        out.append("</testsuite>")
    out.append("</testsuites>")
    path.write_text("\n".join(out) + "\n")


def write_outputs(result, out):
    """gate.json, summary.md, index.html, junit.xml in out."""
    out = pathlib.Path(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "gate.json").write_text(json.dumps(result, indent=1) + "\n")
    md = ["# Regression gate", "", "```", *summary_lines(result), "```", "", "## Environment", "", "```",
          *environment_lines(result["environment"]), "```"]
    (out / "summary.md").write_text("\n".join(md) + "\n")
    write_html(result, out / "index.html")
    write_junit(result, out / "junit.xml")


# --------------------------------------------------------------------------
# verdict changes (the catalogue's expectations, base against head)


def check_tests(build, suites):
    """The check executables registered in build under `suites`: meson's
    tests whose program offers --manifest (plan.introspect and
    plan.is_check_executable, as scripts/plan.py finds them)."""
    try:
        tests = checkplan.introspect(build)
    except checkplan.PlanError as err:
        raise GateError(str(err), 1) from None
    return [t for t in tests if t["suite"] in suites and checkplan.is_check_executable(t)]


def expectations_of(tests, label):
    """{(check, component, implementation): expected} from every test's
    --manifest (the catalogue's expectations as the check programs list
    them)."""
    out = {}
    for t in tests:
        try:
            lines = checkplan.manifest(t, [])
        except checkplan.PlanError as err:
            raise GateError(f"{label}: {err}", 1) from None
        for doc in lines:
            out[(doc["check"], doc["component"], doc["implementation"])] = doc["expected"]
    return out


def build_checks(src, build, suites, label, log, jobs, manifest_only):
    """Configure (once) with -Dsuites=<suites> and compile only the check
    programs of those suites. A build read only for its manifests
    (manifest_only: the base side) is compiled at -O0: --manifest runs no
    check. -> build."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "ab") as out:
        if not (build / "build.ninja").exists():
            if build.exists():
                shutil.rmtree(build)
            cmd = ["meson", "setup", str(build), str(src), "-Dsuites=" + ",".join(sorted(suites))]
            if manifest_only:
                cmd += ["-Doptimization=0", "-Ddebug=false"]
            p = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT)
            if p.returncode != 0:
                raise GateError(f"{label}: {' '.join(cmd[3:])} failed; see {log}", 1)
        p = subprocess.run(["meson", "introspect", "--tests", str(build)], capture_output=True, text=True)
        targets = []
        if p.returncode == 0:
            for t in json.loads(p.stdout):
                suite = [s.split(":", 1)[-1] for s in t.get("suite", [])]
                exe = pathlib.Path(t["cmd"][0])
                if suite and suite[0] in suites and exe.is_relative_to(build) and \
                        not (manifest_only and t["name"].endswith("-unit")):
                    # (unit tests, named *-unit, have no manifest)
                    targets.append(str(exe.relative_to(build)))
        if not targets:
            raise GateError(f"{label}: no check program of the suites {', '.join(sorted(suites))} at this "
                            f"revision (meson knows no test of them in {build})")
        p = subprocess.run(["nice", "-n", "19", "ninja", f"-j{jobs}", "-C", str(build), *sorted(set(targets))],
                           stdout=out, stderr=subprocess.STDOUT)
        if p.returncode != 0:
            raise GateError(f"{label}: compiling the check programs failed; see {log}", 1)
    return build


def run_checks(tests, folder, log, progress=print):
    """Runs every check program (its meson test command, environment and
    arguments) with its records written into folder; a program's exit status
    1 (a mismatch) is read from the records, a status of 2 or above is a
    failed run. -> (records, errors) as report.load_records."""
    folder = pathlib.Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for t in tests:
        env = dict(os.environ, **t["env"])
        env["GAUNTLET_RESULTS_DIR"] = str(folder)
        progress(f"  check {t['name']} ...")
        with open(log, "ab") as out:
            out.write(("$ " + " ".join(t["cmd"]) + "\n").encode())
            out.flush()
            p = subprocess.run(["nice", "-n", "10", *t["cmd"]], env=env, stdout=out, stderr=subprocess.STDOUT)
        if p.returncode not in (0, 1):
            raise GateError(f"check program {t['name']} ({' '.join(t['cmd'])}) exited with status {p.returncode} "
                            f"(output: {log})", 1)
    return report.load_records([folder])


def verdict_changes(base_exp, head_exp, head_records, errors=()):
    """Diff of the expectations and head's verdicts against head's.

    -> {"declared": [...], "added": [...], "removed": [...], "changed": [...],
        "missing": [...], "errors": [...], "held": n}
    declared: an expectation that differs between base and head (a declared
    change, listed, passes); changed: a head record whose verdict breaks
    head's expectation (report.status_of: mismatch; fails the gate);
    missing: a record head's manifest lists that head's run did not write
    (fails); added/removed: expectations of entries or checks only one side
    has (listed)."""
    def item(k):
        return {"check": k[0], "component": k[1], "entry": k[2]}

    declared = [dict(item(k), base=base_exp[k], head=head_exp[k])
                for k in sorted(set(base_exp) & set(head_exp)) if base_exp[k] != head_exp[k]]
    added = [dict(item(k), head=head_exp[k]) for k in sorted(set(head_exp) - set(base_exp))]
    removed = [dict(item(k), base=base_exp[k]) for k in sorted(set(base_exp) - set(head_exp))]
    kept, missing, rec_errors, _ = report.reconcile(head_records, head_exp)
    changed = []
    for rec in sorted(kept, key=report.key):
        if report.status_of(rec) == "mismatch":
            changed.append(dict(item(report.key(rec)), verdict=rec["verdict"], expected=rec["expected"],
                                detail=rec.get("detail", ""), base=base_exp.get(report.key(rec))))
    return {"declared": declared, "added": added, "removed": removed, "changed": changed,
            "missing": [item(k) for k in missing], "errors": list(errors) + rec_errors,
            "held": sum(1 for r in kept if report.status_of(r) in ("ok", "finding"))}


def verdict_lines(v):
    """Console / summary lines of a verdict diff."""
    if v is None:
        return []
    lines = [f"verdicts ({', '.join(v['suites'])} checks of head, against head's expectations; base's expectations "
             f"from {v.get('base_expectations', 'base check programs')}): {v['held']} held, {len(v['changed'])} changed, "
             f"{len(v['declared'])} declared changes, {len(v['missing'])} missing"]
    for c in v["changed"]:
        lines.append(f"VERDICT CHANGED: entry {c['entry']}, check {c['check']} ({c['component']}): head's verdict "
                     f"{c['verdict']}, head's expectation {c['expected']}"
                     + (f" (base's expectation {c['base']})" if c.get("base") else "")
                     + (f": {c['detail']}" if c["detail"] else ""))
    for m in v["missing"]:
        lines.append(f"NO VERDICT: entry {m['entry']}, check {m['check']} ({m['component']}): head's manifest lists "
                     "it, head's run wrote no record")
    for e in v["errors"]:
        lines.append(f"RECORD ERROR: {e}")
    for d in v["declared"]:
        lines.append(f"declared change: entry {d['entry']}, check {d['check']} ({d['component']}): expectation "
                     f"{d['base']} -> {d['head']}")
    for a in v["added"]:
        lines.append(f"new expectation: entry {a['entry']}, check {a['check']} ({a['component']}): {a['head']}")
    for r in v["removed"]:
        lines.append(f"expectation removed: entry {r['entry']}, check {r['check']} ({r['component']}): "
                     f"was {r['base']}")
    return lines


def verdicts_fail(v):
    return v is not None and bool(v["changed"] or v["missing"] or v["errors"])


# --------------------------------------------------------------------------
# the gate


def load_accepted(path_or_text, where):
    """The accepted regressions: [{benchmark, figure, reason}]."""
    try:
        doc = json.loads(path_or_text)
    except json.JSONDecodeError as err:
        raise GateError(f"{where}: not valid JSON ({err})") from None
    items = doc.get("accepted") if isinstance(doc, dict) else None
    if not isinstance(items, list):
        raise GateError(f"{where}: needs an 'accepted' list")
    for i, a in enumerate(items):
        if not (isinstance(a, dict) and all(isinstance(a.get(k), str) and a.get(k) for k in
                                            ("benchmark", "figure", "reason"))):
            raise GateError(f"{where}: accepted[{i}] needs non-empty 'benchmark', 'figure' and 'reason'")
    return items


def gate(rounds_data_fn, plan, args, sides, env, accepted, progress=print, verdicts=None, out_of_time=lambda: False):
    """The sequential loop; rounds_data_fn(plan, first, count) -> rounds
    (fewer than count when the time limit stops them). verdicts: the verdict
    diff (verdict_changes) or None. Returns the result dict."""
    # --bench filters the benchmarks' keys only when it selected no entry
    # (make_plan notes it in args.bench_selected_entries)
    select = re.compile(args.bench) if args.bench and not getattr(args, "bench_selected_entries", False) else None
    data = rounds_data_fn(plan, 1, args.rounds)
    done = len(data)
    notes = []
    capped = done < args.rounds
    while True:
        rows = decide(cost_rows(data, select), args.threshold, args.max_rounds, accepted,
                      assure=getattr(args, "assure", None))
        if not rows and not data and capped:
            break
        if not rows:
            raise GateError("nothing to compare: no benchmark ran with the same labels and figure on both sides"
                            + (f" matching --bench '{args.bench}'" if args.bench else ""))
        open_rows = [r for r in rows if r["verdict"] == "unknown"]
        if not open_rows or done >= args.max_rounds or capped or out_of_time():
            capped = capped or (bool(open_rows) and done < args.max_rounds)
            break
        more = min(max(2, args.rounds), args.max_rounds - done)
        again = {}
        for r in open_rows:
            exe_base, exe_head, _ = plan[r["exe"]]
            again.setdefault(r["exe"], (exe_base, exe_head, set()))[2].add(r["entry"])
        again = {k: (a, b, sorted(e)) for k, (a, b, e) in again.items()}
        progress(f"{len(open_rows)} unknown: {more} more rounds of " +
                 ", ".join(f"{k} ({', '.join(v[2])})" for k, v in sorted(again.items())))
        extra = rounds_data_fn(again, done + 1, more)
        # the new rounds carry only the re-run entries; others keep their rounds
        data = data + extra
        done += len(extra)
        capped = len(extra) < more
    env["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    notes.append("rounds are added only for benchmarks still unknown; the final decision uses all rounds of "
                 "each benchmark and one Holm correction across all benchmarks of this run")
    if capped:
        notes.append(f"time limit of {args.time_limit:g} s reached after {done} rounds: benchmarks still unknown "
                     "are listed and do not fail the gate")
    regressions = [r for r in rows if r["verdict"] == "regression"]
    failed = bool(regressions) or verdicts_fail(verdicts)
    return {"status": "fail" if failed else "pass", "base": sides["base"], "head": sides["head"],
            "verdicts": verdicts, "time_limit": args.time_limit, "time_limit_reached": capped,
            "threshold": args.threshold,
            "assure": 2 * args.threshold if getattr(args, "assure", None) is None else args.assure,
            "rounds": args.rounds, "max_rounds": args.max_rounds, "rounds_run": done,
            "min_time": args.min_time, "cpus": args.cpus, "bench": args.bench, "alpha": ALPHA,
            "correction": "holm", "test": "wilcoxon signed-rank on per-round log ratios",
            "interval": f"bootstrap percentile 95% of the median ({pairs.RESAMPLES} resamples, seed {pairs.SEED})",
            "environment": env, "accepted": accepted, "notes": notes,
            "time": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "benchmarks": [{k: v for k, v in r.items()} for r in rows]}


def source_of(root, rev, cache):
    """(source folder, cache folder of its builds) of a revision (None: the
    working tree itself)."""
    if rev is None:
        return root, cache / "worktree"
    sha = resolve(root, rev)
    src = cache / sha / "src"
    export_tree(root, sha, src)
    return src, cache / sha


def check_inputs(build, tests, src):
    """The repository files the check programs of `tests` are compiled
    from, relative to src: every source and header ninja recorded for their
    objects (ninja -t deps), plus every meson.build and meson_options.txt.
    None when ninja has no dependency record of one of them (not built by
    ninja here, or built before its log)."""
    p = subprocess.run(["ninja", "-C", str(build), "-t", "deps"], capture_output=True, text=True)
    if p.returncode != 0:
        return None
    build, src = pathlib.Path(build).resolve(), pathlib.Path(src).resolve()
    prefixes = {str(pathlib.Path(t["cmd"][0]).resolve().relative_to(build)) + ".p/" for t in tests
                if pathlib.Path(t["cmd"][0]).resolve().is_relative_to(build)}
    if len(prefixes) != len(tests):
        return None
    seen, files, current = set(), set(), None
    for line in p.stdout.splitlines():
        if line and not line[0].isspace():
            obj = line.split(":", 1)[0]
            current = next((x for x in prefixes if obj.startswith(x)), None)
            if current is not None:
                seen.add(current)
        elif current is not None and line.strip():
            f = (build / line.strip()).resolve()
            if f.is_relative_to(src):
                files.add(str(f.relative_to(src)))
    if seen != prefixes:
        return None
    return files


def changed_files(root, base_sha, head_rev):
    """Files that differ between base and head (head None: the working
    tree, untracked files included)."""
    if head_rev is None:
        out = git(root, "diff", "--name-only", base_sha).stdout.split("\n")
        out += git(root, "ls-files", "--others", "--exclude-standard").stdout.split("\n")
    else:
        out = git(root, "diff", "--name-only", base_sha, resolve(root, head_rev)).stdout.split("\n")
    return {f for f in out if f}


def side_verdicts(root, args, cache, log, sides, progress, t0):
    """The verdict diff of the run (verdict_changes with 'suites' and
    'seconds'), or None with --checks none."""
    if not args.checks:
        return None
    started = time.monotonic()
    suites = args.checks
    tag = "checks-" + "-".join(suites)

    def say(s):
        progress(f"[{time.monotonic() - t0:5.0f} s] verdicts: {s}")

    if args.head_checks:
        head_build = pathlib.Path(args.head_checks)
    else:
        src, folder = source_of(root, args.head, cache)
        say(f"build head's {', '.join(suites)} check programs")
        head_build = build_checks(src, folder / tag, suites, f"head {args.head or 'working tree'}", log, args.jobs,
                                  False)
    head_tests = check_tests(head_build, suites)
    if not head_tests:
        raise GateError(f"head: no check program of the suites {', '.join(suites)} in {head_build}")
    head_exp = expectations_of(head_tests, f"head {sides['head']['label']}")
    # base's expectations: when no file head's check programs are compiled
    # from (nor any build file) differs between base and head, base's check
    # programs are head's, and so are their expectations; otherwise base's
    # programs are built at -O0 and asked
    same_inputs = False
    if not args.base_checks:
        head_src = root if args.head is None or args.head_checks else source_of(root, args.head, cache)[0]
        inputs = check_inputs(head_build, head_tests, head_src)
        if inputs is not None:
            changed = changed_files(root, resolve(root, args.base), args.head)
            touched = sorted(f for f in changed if f in inputs or pathlib.PurePath(f).name in
                             ("meson.build", "meson_options.txt", "meson.options"))
            same_inputs = not touched
            if touched:
                say(f"{len(touched)} file(s) the check programs are built from differ from base "
                    f"(e.g. {', '.join(touched[:3])})")
    if args.base_checks:
        base_build = pathlib.Path(args.base_checks)
        base_exp = expectations_of(check_tests(base_build, suites), f"base {sides['base']['label']}")
    elif same_inputs:
        base_build = None
        base_exp = dict(head_exp)
        say("no file head's check programs are built from (sources, headers, meson files) differs from base: "
            "base's expectations are head's (base's check programs not built)")
    else:
        src, folder = source_of(root, args.base, cache)
        say(f"build base's {', '.join(suites)} check programs at -O0 (read for their --manifest only)")
        base_build = build_checks(src, folder / (tag + "-O0"), suites, f"base {args.base}", log, args.jobs, True)
        base_exp = expectations_of(check_tests(base_build, suites), f"base {sides['base']['label']}")
    if args.head_results:
        say(f"head's verdicts read from {args.head_results} (records of a run of the same build)")
        records, errors = report.load_records([args.head_results])
    else:
        say(f"run head's {len(head_tests)} check programs ({', '.join(t['name'] for t in head_tests)})")
        with tempfile.TemporaryDirectory(prefix="gauntlet-gate-checks-") as d:
            cache.mkdir(parents=True, exist_ok=True)
            records, errors = run_checks(head_tests, pathlib.Path(d) / "results", cache / "checks.log", say)
    v = verdict_changes(base_exp, head_exp, records, errors)
    v["suites"] = list(suites)
    v["seconds"] = round(time.monotonic() - started, 1)
    v["base_build"], v["head_build"] = (str(base_build) if base_build else None), str(head_build)
    v["base_expectations"] = ("base's check programs' --manifest" if base_build else
                              "head's (no input of the check programs differs from base)")
    say(f"{v['held']} held, {len(v['changed'])} changed, {len(v['declared'])} declared ({v['seconds']:.0f} s)")
    return v


def prepare(root, rev, cache, label, log, jobs, only=None):
    """(side description, build folder) for a revision (None: the working
    tree); only: the bench executables to compile (None: all)."""
    if rev is None:
        head = git(root, "rev-parse", "--short", "HEAD").stdout.strip()
        dirty = bool(git(root, "status", "--porcelain", "--untracked-files=no").stdout.strip())
        build = build_side(root, cache / "worktree" / "build", label, log, jobs, only=only)
        return {"label": f"working tree (HEAD {head}{', modified' if dirty else ''})", "rev": None,
                "commit": None, "source": str(root)}, build
    sha = resolve(root, rev)
    src = cache / sha / "src"
    export_tree(root, sha, src)
    build = build_side(src, cache / sha / "build", label, log, jobs, only=only)
    return {"label": f"{rev} ({sha[:10]})", "rev": rev, "commit": sha, "source": str(src)}, build


def make_plan(exes_base, exes_head, select):
    """{exe: (base exe, head exe, [entries])} of the executables and entries
    present on both sides; notes on what one side lacks."""
    notes, plan = [], {}
    for name in sorted(set(exes_base) | set(exes_head)):
        if name not in exes_base or name not in exes_head:
            notes.append(f"{name} only in {'head' if name in exes_head else 'base'}: not compared")
            continue
        mb, mh = manifest(exes_base[name]), manifest(exes_head[name])
        common = sorted(set(e for _, e in mb) & set(e for _, e in mh))
        comp = dict((e, c) for c, e in mh)
        for e in sorted(set(e for _, e in mb) ^ set(e for _, e in mh)):
            notes.append(f"{name}: entry {e} only on one side: not compared")
        if common:
            plan[name] = (exes_base[name], exes_head[name], [(comp.get(e, ""), e) for e in common])
    # --bench: entries whose 'exe/component/entry' it finds; if it finds none,
    # every entry runs and the regex filters the benchmarks' keys only
    if select is not None:
        narrowed = {k: (a, b, [e for c, e in es if select.search(f"{k}/{c}/{e}")]) for k, (a, b, es) in plan.items()}
        narrowed = {k: v for k, v in narrowed.items() if v[2]}
        if narrowed:
            notes.append("--bench selected entries (exe/component/entry): every benchmark of them is compared")
            return narrowed, notes
    return {k: (a, b, [e for _, e in es]) for k, (a, b, es) in plan.items()}, notes


def _range(kind, lo, hi, name):
    return pairs._range(kind, lo, hi, name)


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        self.exit(2, f"gate: {message}\n")


def parse_args(argv):
    ap = _Parser(prog="gate.py", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--base", help="base revision (required, except with --calibrate)")
    ap.add_argument("--head", help="head revision (default: the working tree)")
    ap.add_argument("--rounds", type=_range(int, 2, 1000, "--rounds"), default=10, help="first rounds (default 10)")
    ap.add_argument("--max-rounds", type=_range(int, 2, 1000, "--max-rounds"), default=30,
                    help="cap on rounds for unknown benchmarks (default 30)")
    ap.add_argument("--threshold", type=_range(float, 0.1, 100.0, "--threshold"), default=5.0,
                    help="percent (default 5)")
    ap.add_argument("--assure", type=_range(float, 0.1, 1000.0, "--assure"), default=None,
                    help="percent: a benchmark is gated only where a slowdown this large is detected in 95%% of "
                         "runs at its noise (its mde95), else it cannot gate (default twice --threshold)")
    ap.add_argument("--bench", help="regex: which benchmarks (exe/component/entry, else exe/entry/labels)")
    ap.add_argument("--out", default=str(ROOT / "reports" / "gate"))
    ap.add_argument("--cpus", default="0,1", help="taskset CPU list, empty for none (default 0,1)")
    ap.add_argument("--min-time", type=_range(float, 0.001, 60.0, "--min-time"), default=0.2)
    ap.add_argument("--root", default=str(ROOT), help=argparse.SUPPRESS)
    ap.add_argument("--cache", help=argparse.SUPPRESS)
    ap.add_argument("--accepted", help="accepted regressions file (default: gate/accepted.json of the head tree)")
    ap.add_argument("--base-build", help=argparse.SUPPRESS)  # tests: prebuilt folders
    ap.add_argument("--head-build", help="an existing build folder of head whose bench executables are used as they "
                                         "are (e.g. build/ after scripts/gauntlet test)")
    ap.add_argument("--exes", help="only these bench executables, comma-separated (built and run; default: all)")
    ap.add_argument("--checks", default="property,model",
                    help="meson suites whose check programs give the verdicts (default property,model; 'none': "
                         "no verdict diff)")
    ap.add_argument("--base-checks", help=argparse.SUPPRESS)  # tests: a prebuilt base checks folder
    ap.add_argument("--head-checks", help="an existing build folder of head with the --checks programs (not "
                                          "rebuilt; run unless --head-results)")
    ap.add_argument("--head-results", help="records of a run of --head-checks' programs (e.g. build/results after "
                                           "scripts/gauntlet test): head's verdicts are read, not run again")
    ap.add_argument("--baseline-pattern", default="gauntlet-baseline-*",
                    help="tags marking baselines (default gauntlet-baseline-*): head is also compared with the "
                         "most recent one on its history, so small slowdowns cannot pass one by one")
    ap.add_argument("--baseline-build", help=argparse.SUPPRESS)  # tests: a prebuilt baseline folder
    ap.add_argument("--no-baseline", action="store_true", help="no baseline comparison")
    ap.add_argument("--time-limit", type=_range(float, 0.0, 86400.0, "--time-limit"), default=0.0,
                    help="seconds from the start after which no round is started (0: none); benchmarks still "
                         "unknown then are listed and pass")
    ap.add_argument("--jobs", type=_range(int, 1, 256, "--jobs"), default=1, help="ninja -j (niced; default 1)")
    import calibrate
    calibrate.add_arguments(ap)
    args = ap.parse_args(argv)
    if not args.base and not args.calibrate:
        ap.error("--base REV is required (or --calibrate)")
    try:
        args.slowdowns = [float(x) for x in args.slowdowns.split(",") if x.strip()]
    except ValueError:
        ap.error(f"--slowdowns takes percentages such as 5,10,20, not '{args.slowdowns}'")
    if not args.slowdowns or any(not 0 < x <= 100 for x in args.slowdowns):
        ap.error(f"--slowdowns: each in (0, 100], not '{args.slowdowns}'")
    costs = {}
    for item in args.op_cost:
        entry, _, ns = item.partition("=")
        try:
            costs[entry] = float(ns)
        except ValueError:
            ap.error(f"--op-cost takes SHAPE=NS, not '{item}'")
        if not entry or not costs[entry] > 0:
            ap.error(f"--op-cost takes SHAPE=NS with NS > 0, not '{item}'")
    args.op_cost = costs
    if args.max_rounds < args.rounds:
        ap.error(f"--max-rounds {args.max_rounds} is below --rounds {args.rounds}")
    if args.cpus and not re.fullmatch(r"[0-9]+([,-][0-9]+)*", args.cpus):
        ap.error(f"--cpus takes a CPU list such as 0,1, not '{args.cpus}'")
    if args.bench:
        try:
            re.compile(args.bench)
        except re.error as err:
            ap.error(f"--bench '{args.bench}' is not a regular expression ({err})")
    out = pathlib.Path(args.out)
    if out.exists() and not out.is_dir():
        ap.error(f"--out {out} exists and is not a folder")
    if args.exes is not None:
        args.exes = {x.strip() for x in args.exes.split(",") if x.strip()}
        if not args.exes or any(not re.fullmatch(r"bench_[A-Za-z0-9_]+", x) for x in args.exes):
            ap.error("--exes takes bench executable names such as bench_lifecycle,bench_queues")
    if args.head_results and not args.head_checks:
        ap.error("--head-results needs --head-checks (the build whose programs wrote them)")
    if args.checks.strip() in ("", "none"):
        args.checks = []
    else:
        args.checks = sorted(set(s.strip() for s in args.checks.split(",") if s.strip()))
        bad = [s for s in args.checks if s not in CHECK_SUITES]
        if bad:
            ap.error(f"--checks: unknown suite '{bad[0]}' (one of: {', '.join(CHECK_SUITES)}, or none)")
    args.threshold /= 100
    if args.assure is not None:
        args.assure /= 100
        if args.assure < args.threshold:
            ap.error(f"--assure {args.assure * 100:g} is below --threshold {args.threshold * 100:g}: no benchmark "
                     "could be gated")
    return args


def find_baseline(root, head_rev, pattern):
    """(tag, commit) of the most recent baseline tag reachable from head
    (git describe --tags --match PATTERN --abbrev=0: the nearest tagged
    ancestor), or None when there is none."""
    p = git(root, "describe", "--tags", "--match", pattern, "--abbrev=0", head_rev or "HEAD")
    if p.returncode != 0 or not p.stdout.strip():
        return None
    tag = p.stdout.strip()
    return tag, resolve(root, tag)


def load_accepted_of(root, args):
    if args.accepted:
        try:
            text = pathlib.Path(args.accepted).read_text()
        except OSError as err:
            raise GateError(f"--accepted {args.accepted}: {err.strerror}") from None
        return load_accepted(text, args.accepted)
    if args.head is None:
        f = root / "gate" / "accepted.json"
        return load_accepted(f.read_text(), str(f)) if f.exists() else []
    p = git(root, "show", f"{resolve(root, args.head)}:gate/accepted.json")
    return load_accepted(p.stdout, f"{args.head}:gate/accepted.json") if p.returncode == 0 else []


def side_build(root, args, cache, log, side, rev, given, progress, t0):
    """(side description, bench build folder) of one side."""
    if given:
        return ({"label": f"{rev or 'working tree'} (prebuilt {given})", "rev": rev, "commit": None, "source": None},
                pathlib.Path(given))
    progress(f"[{time.monotonic() - t0:5.0f} s] build {side}: {rev or 'working tree'} (bench suite only; log {log})")
    return prepare(root, rev, cache, f"{side} {rev or 'working tree'}", log, args.jobs, args.exes)


def compare(args, sides, builds, accepted, verdicts, progress, t0, deadline, kind):
    """One comparison of head against a base side (the bench part of the
    gate) -> result dict."""
    exes = {side: {k: v for k, v in find_exes(b).items() if args.exes is None or k in args.exes}
            for side, b in builds.items()}
    for side in ("base", "head"):
        if not exes[side]:
            raise GateError(f"missing bench executables: none named bench_* under {builds[side] / 'bench'} "
                            f"({side} {sides[side]['label']})")
    select = re.compile(args.bench) if args.bench else None
    plan, notes = make_plan(exes["base"], exes["head"], select)
    args.bench_selected_entries = any(n.startswith("--bench selected entries") for n in notes)
    if not plan:
        raise GateError("nothing to compare: no bench executable and entry on both sides")
    env = environment(builds, args.cpus)
    print("environment:")
    for line in environment_lines(env):
        print("  " + line)
    progress(f"gate ({kind}): base {sides['base']['label']}, head {sides['head']['label']}; "
             + "; ".join(f"{k}: {', '.join(v[2])}" for k, v in sorted(plan.items())))
    with tempfile.TemporaryDirectory(prefix="gauntlet-gate-") as d:
        work = pathlib.Path(d)

        def rounds_fn(p, first, count):
            return run_rounds(p, first, count, args.min_time, args.cpus, work, progress, t0, deadline)

        result = gate(rounds_fn, plan, args, sides, env, accepted, progress, verdicts,
                      lambda: deadline is not None and time.monotonic() > deadline)
    result["notes"] = notes + result["notes"]
    result["comparison"] = kind
    return result


def finish(result, out, t0):
    write_outputs(result, out)
    print()
    for line in summary_lines(result):
        print(line)
    print(f"written: {out}/gate.json, summary.md, index.html, junit.xml ({time.monotonic() - t0:.0f} s)")


def main(argv=None):
    args = parse_args(argv)
    if argv is None:
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    root = pathlib.Path(args.root).resolve()
    cache = pathlib.Path(args.cache) if args.cache else root / "build-gate"
    t0 = time.monotonic()
    deadline = t0 + args.time_limit if args.time_limit else None

    def progress(s):
        print(s, flush=True)

    status = 0
    try:
        if git(root, "rev-parse", "--git-dir").returncode != 0:
            raise GateError(f"{root} is not a git checkout")
        if args.calibrate:
            import calibrate
            if args.head is not None:
                resolve(root, args.head)
            return calibrate.main(args, root, cache, progress)
        # every revision is resolved before anything is built
        base_sha = resolve(root, args.base)
        head_sha = resolve(root, args.head) if args.head is not None else None
        baseline = None if args.no_baseline else find_baseline(root, args.head, args.baseline_pattern)
        if baseline is not None and baseline[1] in (base_sha, head_sha):
            progress(f"baseline tag {baseline[0]} is the {'base' if baseline[1] == base_sha else 'head'} "
                     "itself: one comparison")
            baseline = None
        log = cache / "build.log"
        accepted = load_accepted_of(root, args)
        sides, builds = {}, {}
        sides["head"], builds["head"] = side_build(root, args, cache, log, "head", args.head, args.head_build,
                                                   progress, t0)
        sides["base"], builds["base"] = side_build(root, args, cache, log, "base", args.base, args.base_build,
                                                   progress, t0)
        verdicts = side_verdicts(root, args, cache, log, sides, progress, t0)
        for line in verdict_lines(verdicts):
            print("  " + line)
        result = compare(args, sides, builds, accepted, verdicts, progress, t0, deadline, "base")
        if baseline is not None:
            result["baseline"] = {"tag": baseline[0], "commit": baseline[1], "out": str(pathlib.Path(args.out) /
                                                                                      "baseline")}
        else:
            result["notes"].append(f"no baseline: no tag matching '{args.baseline_pattern}' on an ancestor of head"
                                   if not args.no_baseline else "no baseline comparison (--no-baseline)")
        finish(result, args.out, t0)
        status = 1 if result["status"] == "fail" else 0
        if baseline is not None:
            tag, sha = baseline
            print()
            progress(f"[{time.monotonic() - t0:5.0f} s] creeping regressions: head against the baseline tag "
                     f"{tag} ({sha[:10]}), the most recent baseline on head's history")
            bsides, bbuilds = dict(sides), dict(builds)
            bsides["base"], bbuilds["base"] = side_build(root, args, cache, log, "baseline", tag, args.baseline_build,
                                                            progress, t0)
            bsides["base"]["label"] = f"baseline tag {bsides['base']['label']}"
            bresult = compare(args, bsides, bbuilds, accepted, None, progress, t0, deadline, "baseline")
            bresult["notes"].append("verdict changes are gated against --base only")
            finish(bresult, pathlib.Path(args.out) / "baseline", t0)
            if bresult["status"] == "fail":
                status = 1
    except GateError as err:
        print(f"gate: {err}", file=sys.stderr)
        return err.status
    except KeyboardInterrupt:
        print("gate: interrupted", file=sys.stderr)
        return 130
    return status


if __name__ == "__main__":
    # Run as the module `gate`, the one scripts/calibrate.py imports, so that
    # a GateError raised there is the one caught here.
    import gate as gate_module

    sys.exit(gate_module.main())
