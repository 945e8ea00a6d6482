#!/usr/bin/python3
"""The gate measured as a benchmark of itself: `scripts/gauntlet gate --calibrate`.

What it measures on the machine it runs on: the gate's false-alarm rate per
gate run (A against A: the same build on both sides) and its detection rate
for slowdowns of 5%, 10% and 20% injected into four benchmarks of different
shapes, with the minimum detectable effect per benchmark (detected about
half the time, and mde95: in 95% of runs) and the share of benchmarks that
cannot be gated here.

The injected slowdown: a build of the bench suite with the meson option
-Dgate_delay=true (bench/gate_delay.hpp; off by default, absent from normal
builds), where GAUNTLET_GATE_DELAY=ENTRY=NS adds a calibrated busy delay of
NS nanoseconds to each operation of one entry. A shape is one benchmark
(an entry and a --benchmark_filter that runs just that benchmark, in
processes of its own), so each calibrated benchmark receives its nominal
slowdown: a delay sized on packed_lifecycle's one-thread benchmark
delivered +9.4% there but +2.9% to its two-thread benchmark. The four
shapes (SHAPES, keyed by id everywhere: costs, delays, sizing, the sides of
rounds.json, replays, detection):

  single-thread             single-thread operation: bench_lifecycle
                            packed_lifecycle, lifecycle_enter_exit threads:1
  two-thread-word           two-thread contended word: bench_lifecycle
                            packed_lifecycle, lifecycle_enter_exit threads:2
  two-thread-queue          two-thread queue: bench_queues spsc_ring,
                            queue_throughput 1P1C
  loop-ping-pong            loop ping-pong: bench_loop coalescing_loop,
                            loop_ping_pong

NS for a slowdown of s is s times the benchmark's operation cost measured first
without a delay (the fastest of three runs per shape: ns per item, or the
median round trip), times the shape's delivery scale: a busy delay does not
slow an operation by its own length (measured: 10% nominal showed +4.1% on
packed_lifecycle and +4.8% on coalescing_loop; the spin overlaps the
operation's own latency, and on a shared machine its calibration and the
cost are taken at different moments), so before recording, SIZING_PAIRS
interleaved pairs (no delay, PROBE% nominal delay) measure what the probe
delivers, and every delay is scaled by PROBE / delivered (between 1/4 and
4; left at 1 within 10%); SIZING_PAIRS more pairs at the scaled probe
correct the scale once (a delay's effect need not be proportional to it).
Then each level (5, 10, 20%) is probed on its own from that scale, and
rescaled and probed once more when it delivered more than 25% off its
nominal slowdown; the probe closest to nominal is kept (size_levels: the
loop's 20% delay had delivered less than its 10% one when all levels shared
one scale). The scale, every probe's delivered slowdown and the slowdown
the recorded rounds then show are reported beside the nominal one.

Recording: --recordings separate recordings (default 3, so drift between
them is in the data), each of --recording-rounds rounds; a round runs, for
each shape, five fresh pinned processes back to back: A1, A2 (no delay) and
B5, B10, B20 (the delays), in an order rotated from round to round. Pairs:
(A1, A2) is an A/A pair, (A1, Bs) an s% pair, always from the same round.
The recordings of one run follow each other; --append FILE adds recordings
made later (another run, keeping the earlier delays) to a previous
calibration's rounds.json, so that hours of drift can be in the data.

Rates: never from an assumed distribution. A replay is one gate run decided
by the gate's own code (gate.gate: its first --rounds rounds, more rounds for
the benchmarks still unknown up to --max-rounds, Holm across every benchmark
of the run, the threshold), fed with real recorded rounds drawn without
replacement from all recordings, pairs kept intact. For an A/A replay every
shape's pairs are (A1, A2); for an s% replay of shape X, X's benchmark's
pairs are (A1, Bs) and the other shapes' (A1, A2), as a real gate run with
one slowed benchmark would see. --replays replays per figure (default 200,
fixed seed). False alarm: an A/A replay whose gate fails (any regression).
Detection, per figure of the slowed shape's benchmark: its verdict is
regression.
Replays reuse the same recorded rounds, so they are not independent: the
Wilson 95% intervals printed are nominal (too narrow); the number of
recorded rounds is the honest sample size and is printed.

Minimum detectable effect per benchmark: the median, over the A/A replays,
of the gate's mde (threshold plus the interval's half-width at the rounds
the replay used: detected about half the time) and of its mde95 (detected in
95% of runs); "cannot gate here": a benchmark the gate declares 'cannot
gate' in most A/A replays (the gate gates a benchmark only where its noise,
projected to --max-rounds, lets it detect twice the threshold in 95% of
runs; gate.decide). A benchmark still gateable with an mde95 above 10% (an
--assure above 10%) is flagged: 10% not assured there. The share of A/A replays in which the
gate found a benchmark multimodal (gated on its fast mode) is listed too.

Outputs (--out/calibration): calibration.json, summary.md, rounds.json (every
recorded figure, so the replays can be redone; its sides keyed by shape id).
--replay-rounds replays with the shapes of the calibration.json beside the
file; files written when shapes were keyed by entry (one process per entry
running all its filtered benchmarks) are read that way (the entry is the
id), but --append refuses them (their delays fit no current shape).
"""

import argparse
import datetime
import json
import math
import os
import pathlib
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import gate  # noqa: E402

# A shape is one calibrated benchmark: id (the key of its costs, delays,
# sizing and recorded sides), name, executable, entry, a --benchmark_filter
# that runs just that benchmark (one process per shape, so the delay sized
# for it is the one it runs with), the labels its records carry (the gate's
# benchmarks of the shape are those with these labels), and the figure that
# gives the cost of one operation (a rate: ns = 1e9 / figure; a figure in
# ns: itself; the ping-pong's median round trip, as its rate counter also
# holds the loop's sleeps). Two shapes may share an entry (GAUNTLET_GATE_DELAY
# names the entry; each process runs one shape's benchmark only).
# inject: "spin" (the default: a busy delay of NS ns per operation) or
# "repeat" (bench/gate_delay.hpp's ENTRY=xF: the operation itself done once
# more, uncounted, F times per operation; its delays are fractions F, sized
# from a cost of one operation). The contended word takes a repeat: a spin
# beside it delivered +3.1% for a nominal 10% (cal8), as a spinning thread
# leaves the other the word's cache line.
SHAPES = [
    {"id": "single-thread", "shape": "single-thread operation", "exe": "bench_lifecycle",
     "entry": "packed_lifecycle", "filter": "lifecycle_enter_exit/.*/threads:1$",
     "labels": {"benchmark": "enter_exit", "threads": 1}, "cost_figure": "items_per_second"},
    {"id": "two-thread-word", "shape": "two-thread contended word", "exe": "bench_lifecycle",
     "entry": "packed_lifecycle", "filter": "lifecycle_enter_exit/.*/threads:2$",
     "labels": {"benchmark": "enter_exit", "threads": 2}, "cost_figure": "items_per_second",
     "inject": "repeat"},
    {"id": "two-thread-queue", "shape": "two-thread queue", "exe": "bench_queues", "entry": "spsc_ring",
     "filter": "queue_throughput/.*/1P1C/", "labels": {"benchmark": "throughput", "producers": 1, "consumers": 1},
     "cost_figure": "items_per_second"},
    {"id": "loop-ping-pong", "shape": "loop ping-pong", "exe": "bench_loop", "entry": "coalescing_loop",
     "filter": "loop_ping_pong/", "labels": {"benchmark": "ping_pong"}, "cost_figure": "p50_ns"},
]


def normalise_shape(sh):
    """A shape as stored in calibration.json, with id and labels. Files
    written before shapes named one benchmark keyed everything by entry and
    ran every benchmark of the entry's filter in one process: there the id
    is the entry and the labels are those of the cost figure only for the
    cost, none for membership (every benchmark of the entry's process)."""
    sh = dict(sh)
    if "id" not in sh:
        sh["id"] = sh["entry"]
        sh.setdefault("labels", {})
    return sh


def cost_labels(sh):
    return sh.get("cost_labels", sh.get("labels", {}))


def of_shape(sh, exe, entry, labels):
    """Whether the benchmark (exe, entry, labels: a dict) is one of the shape's."""
    return exe == sh["exe"] and entry == sh["entry"] and \
        all(labels.get(k) == v for k, v in sh.get("labels", {}).items())


def shape_runs(sh, runs):
    """The runs of {(exe, entry, labels): run} that are the shape's."""
    return {k: v for k, v in runs.items() if of_shape(sh, k[0], k[1], dict(k[2]))}
SEED = 20261128


def wilson(k, n, z=1.96):
    """Wilson score interval of k successes in n trials."""
    if n == 0:
        return (0.0, 1.0)
    p = k / n
    d = 1 + z * z / n
    c = (p + z * z / (2 * n)) / d
    h = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return (max(0.0, c - h), min(1.0, c + h))


# --------------------------------------------------------------------------
# recording


def repeats(shape):
    """Whether the shape's delay is a repeat (a fraction), not a spin (ns)."""
    return shape.get("inject", "spin") == "repeat"


def delay_spec(shape, delay):
    """The GAUNTLET_GATE_DELAY value of a delay of the shape."""
    return f"{shape['entry']}=x{delay:.5f}" if repeats(shape) else f"{shape['entry']}={delay:.3f}"


def delay_text(shape, delay):
    """A delay in words: ns, or the repeat's share of extra operations."""
    if repeats(shape):
        return f"{delay * 100:.1f}% more operations (one in {1 / delay:.1f} done twice)" if delay > 0 else "none"
    return f"{delay:.2f} ns"


def run_one(exe, shape, delay_ns, min_time, cpus, folder, log):
    """One fresh process of one shape's benchmark (its entry, its filter),
    with the delay (None: no delay; a fraction for a repeat shape).
    -> {(exe, entry, labels): run}."""
    import subprocess
    folder.mkdir(parents=True)
    cmd = (["taskset", "-c", cpus] if cpus else []) + [str(exe), "--entry", shape["entry"],
                                                      f"--benchmark_filter={shape['filter']}",
                                                      f"--benchmark_min_time={min_time}"]
    env = dict(os.environ, GAUNTLET_RESULTS_DIR=str(folder))
    env.pop("GAUNTLET_GATE_DELAY", None)
    if delay_ns:
        env["GAUNTLET_GATE_DELAY"] = delay_spec(shape, delay_ns)
    with open(log, "ab") as out:
        out.write(("$ " + ("GAUNTLET_GATE_DELAY=" + env["GAUNTLET_GATE_DELAY"] + " " if delay_ns else "")
                   + " ".join(cmd) + "\n").encode())
        out.flush()
        p = subprocess.run(cmd, env=env, stdout=out, stderr=subprocess.STDOUT)
    if p.returncode != 0:
        raise gate.GateError(f"{' '.join(cmd)} exited with status {p.returncode} (output: {log})", 1)
    return gate.read_folder(folder, exe.name)


def op_cost_ns(runs, shape):
    """ns per operation from a no-delay run's cost figure."""
    for (_, _, labels), run in runs.items():
        d = dict(labels)
        if all(d.get(k) == v for k, v in cost_labels(shape).items()):
            v = run.get(shape["cost_figure"])
            if isinstance(v, (int, float)) and v > 0:
                return float(v) if shape["cost_figure"].endswith("_ns") else 1e9 / v
    raise gate.GateError(f"{shape['shape']}: {shape['exe']} {shape['entry']}: no {shape['cost_figure']} in a run "
                         f"with labels {cost_labels(shape)} (cannot size the delay)", 1)


def encode_runs(runs):
    return [{"exe": e, "entry": n, "labels": [list(x) for x in labels], "run": run}
            for (e, n, labels), run in sorted(runs.items(), key=lambda kv: repr(kv[0]))]


def decode_runs(items):
    return {(i["exe"], i["entry"], tuple(tuple(x) for x in i["labels"])): i["run"] for i in items}


SIZING_PAIRS = 7
PROBE = 20.0


def probe_pairs(exe, shape, delay_ns, tag, min_time, cpus, work, log, run, seen, pairs=SIZING_PAIRS):
    """`pairs` interleaved pairs of fresh processes (no delay, the delay)
    -> (delivered, ratios): the median cost ratio - 1 over the pairs, and
    over only the pairs fast on both sides when the gate's mode split finds
    the benchmark multimodal in them (slow-mode processes do not measure the
    delay, as they do not measure the code; gate.mode_split) with at least
    MIN_ROUNDS such pairs. Every no-delay cost is appended to `seen`."""
    a, b = [], []
    for k in range(pairs):
        a.append(op_cost_ns(run(exe, shape, None, min_time, cpus, work / "sizing" / f"{shape['id']}.{tag}A{k}", log),
                            shape))
        b.append(op_cost_ns(run(exe, shape, delay_ns, min_time, cpus, work / "sizing" / f"{shape['id']}.{tag}B{k}",
                                log), shape))
    seen.extend(a)
    ratios = [y / x for x, y in zip(a, b)]
    keep = range(len(ratios))
    m = gate.mode_split(a, b, False)
    if m:
        fast = [k for k in keep if m["fast_base"][k] and m["fast_head"][k]]
        if len(fast) >= gate.MIN_ROUNDS:
            keep = fast
    return float(np.median([ratios[k] for k in keep])) - 1, ratios


def delivery_scale(exe, shape, cost, min_time, cpus, work, log, run=run_one, seen=None, pairs=SIZING_PAIRS):
    """What a PROBE% nominal delay delivers (probe_pairs), then once more at
    the scaled probe to correct the first estimate: -> {probe, delivered
    (the first probe's), scale (within [1/4, 4]; 1 when the first probe was
    within 10%), delivered_scaled (what the scaled probe delivered),
    pair_ratios, scaled_pair_ratios}."""
    seen = [] if seen is None else seen

    def probe(factor, tag):
        return probe_pairs(exe, shape, cost * PROBE / 100 * factor, tag, min_time, cpus, work, log, run, seen, pairs)

    def clamp(x):
        return min(4.0, max(0.25, x))

    delivered, ratios = probe(1.0, "")
    scale = 4.0 if delivered <= PROBE / 400 else clamp(PROBE / 100 / delivered)
    if abs(scale - 1) < 0.1:
        return {"probe": PROBE, "delivered": delivered, "scale": 1.0, "delivered_scaled": delivered,
                "pair_ratios": ratios, "scaled_pair_ratios": ratios}
    # the delivered share need not be proportional: correct once at the scaled delay
    again, ratios2 = probe(scale, "s")
    if again > PROBE / 400:
        scale = clamp(scale * PROBE / 100 / again)
    return {"probe": PROBE, "delivered": delivered, "scale": scale, "delivered_scaled": again,
            "pair_ratios": ratios, "scaled_pair_ratios": ratios2}


LEVEL_TRIES = 2  # probes per slowdown level after the PROBE sizing
LEVEL_TOLERANCE = 0.25  # a level's probe within this share of its nominal slowdown is kept


def size_levels(exe, shape, cost, scale, slowdowns, min_time, cpus, work, log, run=run_one, seen=None,
                pairs=SIZING_PAIRS):
    """Each slowdown level sized on its own: a delay's effect is not
    proportional to it (measured: the loop's 20% delay delivered less than
    its 10% one, and the two-thread word +7.8% at 10%, when every level was
    one scale times its share). Per level s, from the PROBE sizing's scale:
    probe_pairs at the level's delay; when what it delivered is off s by
    more than LEVEL_TOLERANCE of s, the factor is rescaled by s / delivered
    (within [1/4, 16] of the cost share) and probed again, up to LEVEL_TRIES
    probes; the probe that delivered closest to s is kept. -> {s: {factor,
    delivered, probes: [[factor, delivered], ...]}}. The recorded rounds,
    not these probes, give the slowdown reported."""
    seen = [] if seen is None else seen
    out = {}
    for s in slowdowns:
        factor, probes = scale, []
        for k in range(LEVEL_TRIES):
            delivered, _ = probe_pairs(exe, shape, cost * s / 100 * factor, f"L{s:g}.{k}", min_time, cpus, work, log,
                                       run, seen, pairs)
            probes.append([factor, delivered])
            if abs(delivered - s / 100) <= LEVEL_TOLERANCE * s / 100:
                break
            if delivered <= s / 400:
                factor = min(16.0, factor * 4)
            else:
                factor = min(16.0, max(0.25, factor * (s / 100) / delivered))
        best = min(probes, key=lambda fd: abs(fd[1] - s / 100))
        out[s] = {"factor": best[0], "delivered": best[1], "probes": probes}
    return out


def record(exes, shapes, slowdowns, recordings, rounds, min_time, cpus, work, progress, t0, run=run_one,
           fixed=None, first=1, given=None, sizing=None, pairs=SIZING_PAIRS):
    """-> (costs {shape id: ns}, delays {shape id: {s: ns}}, recorded rounds
    [{recording, round, sides: {shape id: {side: runs}}}]). fixed: (costs,
    delays) of earlier recordings, kept (--append); first: the number of the
    first recording; given: {shape id or entry: ns} operation costs given
    (--op-cost); sizing: a dict filled with each shape's delivery_scale."""
    log = work / "runs.log"
    costs, delays = fixed if fixed else ({}, {})
    for sh in shapes if not fixed else []:
        i = sh["id"]
        if given and (i in given or sh["entry"] in given):
            costs[i] = given.get(i, given.get(sh["entry"]))
            how = "--op-cost"
        else:
            # the fastest of three runs without a delay (interference only adds:
            # on a loaded machine a loop's ping-pong may sleep between trips)
            costs[i] = float(np.min([op_cost_ns(run(exes[sh["exe"]], sh, None, min_time, cpus,
                                                    work / "cost" / f"{i}.{k}", log), sh) for k in range(3)]))
            how = "fastest of 3 runs"
        for attempt in (1, 2) if not repeats(sh) else ():
            seen = []
            # what a delay is a share of: the cost in ns, or one operation
            unit = 1.0 if repeats(sh) else costs[i]
            z = delivery_scale(exes[sh["exe"]], sh, unit, min_time, cpus, work / f"try{attempt}", log, run, seen,
                               pairs)
            z["levels"] = size_levels(exes[sh["exe"]], sh, unit, z["scale"], slowdowns, min_time, cpus,
                                      work / f"try{attempt}", log, run, seen, pairs)
            # a cost taken while the benchmark sat in a slow mode sizes every
            # delay for that mode (measured: the loop's cost taken at 26 340 ns
            # against 861 ns in its fast mode, a 10% delay then +46%): when a
            # no-delay run of the sizing was faster by the gate's MODE_GAP,
            # the cost is taken from it and the sizing redone, once
            if attempt == 2 or how == "--op-cost" or not seen or min(seen) * gate.MODE_GAP > costs[i]:
                break
            progress(f"[{time.monotonic() - t0:5.0f} s] {sh['shape']}: the cost {costs[i]:.1f} ns was taken in a "
                     f"slow mode (a no-delay run of the sizing took {min(seen):.1f} ns): sized again from that")
            how = f"a sizing run's, the first cost ({costs[i]:.1f} ns) being a slow mode's"
            costs[i] = float(min(seen))
        if repeats(sh):
            # not probed: one more operation costs one operation, so a share
            # s of repeats is a slowdown s by construction; the recorded
            # rounds show what it delivered (probes of 7 pairs of the
            # contended word, about +-10% each, had sized the 10% level at
            # 3% more operations, delivering +2.6%)
            z = {"probe": None, "delivered": None, "scale": 1.0, "delivered_scaled": None, "pair_ratios": [],
                 "scaled_pair_ratios": [], "unscaled": "a repeat: one extra operation per operation is a 100% "
                                                        "slowdown by construction, so it is not probed",
                 "levels": {s: {"factor": 1.0, "delivered": None, "probes": []} for s in slowdowns}}
        if sizing is not None:
            sizing[i] = z
        delays[i] = {s: (1.0 if repeats(sh) else costs[i]) * s / 100 * z["levels"][s]["factor"] for s in slowdowns}
        progress(f"[{time.monotonic() - t0:5.0f} s] {sh['shape']}: {sh['exe']} {sh['entry']} {sh['filter']}: "
                 f"{costs[i]:.1f} ns per operation ({how}); "
                 + (f"a {PROBE:g}% delay delivered {z['delivered'] * 100:+.1f}%, "
                    f"{z['delivered_scaled'] * 100:+.1f}% once scaled: scale {z['scale']:.2f}; per level (delay, "
                    "what its kept probe delivered) "
                    + ", ".join(f"{s:g}%: {delay_text(sh, ns)}, {z['levels'][s]['delivered'] * 100:+.1f}%"
                                for s, ns in delays[i].items())
                    if not z.get("unscaled") else
                    f"{z['unscaled']}; per level: " + ", ".join(f"{s:g}%: {delay_text(sh, ns)}"
                                                                 for s, ns in delays[i].items())))
    sides = ["A1", "A2"] + [f"B{s:g}" for s in slowdowns]
    out = []
    for r in range(first, first + recordings):
        progress(f"[{time.monotonic() - t0:5.0f} s] recording {r} ({r - first + 1} of {recordings} now): "
                 f"{rounds} rounds")
        for i in range(1, rounds + 1):
            k = (i - 1) % len(sides)
            order = sides[k:] + sides[:k]
            if i % 2 == 0:
                order.reverse()
            got = {}
            for sh in shapes:
                got[sh["id"]] = {}
                for side in order:
                    ns = None if side.startswith("A") else delays[sh["id"]][float(side[1:])]
                    folder = work / f"rec{r}" / f"round{i:03d}" / sh["id"] / side
                    got[sh["id"]][side] = run(exes[sh["exe"]], sh, ns, min_time, cpus, folder, log)
            out.append({"recording": r, "round": i, "sides": got})
    return costs, delays, out


# --------------------------------------------------------------------------
# replaying the gate's decision


class _Args:
    def __init__(self, rounds, max_rounds, threshold):
        self.rounds, self.max_rounds, self.threshold = rounds, max_rounds, threshold
        self.assure = None  # the gate's default: twice the threshold
        self.bench, self.time_limit, self.min_time, self.cpus = None, 0.0, 0.0, ""


def replay(recorded, shapes, slowed, side, order, rounds, max_rounds, threshold):
    """One gate run on recorded rounds taken in `order` (indices, used
    without replacement): shape `slowed` (an id) compared (A1, side), every
    other shape (A1, A2); slowed None: A/A throughout. -> gate result."""
    pos = [0]

    def rounds_fn(plan, first, count):
        wanted = {(exe, e) for exe, (_, _, es) in plan.items() for e in es}
        got = []
        while len(got) < count and pos[0] < len(order):
            rec = recorded[order[pos[0]]]
            pos[0] += 1
            base, head = {}, {}
            for sh in shapes:
                if (sh["exe"], sh["entry"]) not in wanted:
                    continue
                s = rec["sides"][sh["id"]]
                base.update(shape_runs(sh, s["A1"]))
                head.update(shape_runs(sh, s[side] if sh["id"] == slowed else s["A2"]))
            got.append((base, head))
        return got

    plan = {}
    for sh in shapes:  # two shapes may share an executable, or an entry
        es = plan.setdefault(sh["exe"], (None, None, []))[2]
        if sh["entry"] not in es:
            es.append(sh["entry"])
    sides = {"base": {"label": "A1"}, "head": {"label": side}}
    return gate.gate(rounds_fn, plan, _Args(rounds, max_rounds, threshold), sides, {}, [], progress=lambda s: None)


def rates(recorded, shapes, slowdowns, rounds, max_rounds, threshold, replays, seed=SEED, progress=print):
    """The calibration figures from recorded rounds (see the module text)."""
    rng = np.random.default_rng(seed)
    n = len(recorded)
    if n < rounds:
        raise gate.GateError(f"{n} recorded rounds are fewer than the gate's --rounds {rounds}: record more")
    out = {"replays": replays, "recorded_rounds": n, "rounds": rounds, "max_rounds": max_rounds,
           "threshold": threshold}
    # A/A
    alarms, changes, per_row = 0, 0, {}
    for _ in range(replays):
        res = replay(recorded, shapes, None, "A2", list(rng.permutation(n)), rounds, max_rounds, threshold)
        alarms += res["status"] == "fail"
        changes += any(b["verdict"] in ("regression", "improvement") for b in res["benchmarks"])
        for b in res["benchmarks"]:
            row = per_row.setdefault((b["key"], b["figure"]), {"mde": [], "mde95": [], "cannot": 0, "n": 0,
                                                                "verdicts": {}, "multimodal": 0})
            row["mde"].append(b["mde"])
            row["mde95"].append(b["mde95"])
            row["multimodal"] += bool(b.get("modes"))
            row["n"] += 1
            row["cannot"] += b["verdict"] == "cannot gate"
            row["verdicts"][b["verdict"]] = row["verdicts"].get(b["verdict"], 0) + 1
    out["aa"] = {"false_alarms": alarms, "any_change": changes, "rate": alarms / replays,
                 "interval": wilson(alarms, replays)}
    bench = {}
    for (key, figure), row in sorted(per_row.items()):
        bench[f"{key} ({figure})"] = {"mde": float(np.median(row["mde"])), "mde95": float(np.median(row["mde95"])),
                                      "cannot_gate_share": row["cannot"] / row["n"],
                                      "gateable": row["cannot"] * 2 < row["n"], "aa_verdicts": row["verdicts"],
                                      "multimodal_share": row["multimodal"] / row["n"]}
    out["benchmarks"] = bench
    progress(f"A/A: {alarms} false alarms in {replays} replayed gate runs")
    # detection
    out["detection"] = []
    for sh in shapes:
        for s in slowdowns:
            side = f"B{s:g}"
            hits, seen, achieved, verdicts = {}, {}, {}, {}
            for _ in range(replays):
                res = replay(recorded, shapes, sh["id"], side, list(rng.permutation(n)), rounds, max_rounds,
                             threshold)
                for b in res["benchmarks"]:
                    if not of_shape(sh, b["exe"], b["entry"], b["labels"]):
                        continue
                    k = f"{b['key']} ({b['figure']})"
                    seen[k] = seen.get(k, 0) + 1
                    hits[k] = hits.get(k, 0) + (b["verdict"] == "regression")
                    v = verdicts.setdefault(k, {})
                    v[b["verdict"]] = v.get(b["verdict"], 0) + 1
            # the slowdown the recorded rounds show (all of them, median cost ratio)
            for k, ratios in measured_slowdown(recorded, sh, side).items():
                achieved[k] = ratios
            for k in sorted(seen):
                out["detection"].append({"id": sh["id"], "shape": sh["shape"], "entry": sh["entry"], "slowdown": s,
                                         "benchmark": k,
                                         "detected": hits[k], "replays": seen[k], "rate": hits[k] / seen[k],
                                         "interval": wilson(hits[k], seen[k]),
                                         "measured_slowdown": achieved.get(k),
                                         "gateable": bench.get(k, {}).get("gateable", False),
                                         "mde95": bench.get(k, {}).get("mde95"), "verdicts": verdicts[k],
                                         # the runs in which the gate did not declare it cannot gate
                                         "gated_runs": seen[k] - verdicts[k].get("cannot gate", 0)})
            progress(f"{sh['shape']} ({sh['id']}), {s:g}%: " + ", ".join(
                f"{hits[k]}/{seen[k]}" for k in sorted(seen)))
    gateable = [d for d in out["detection"] if d["gateable"]]
    out["cannot_gate_share"] = (sum(1 for b in bench.values() if not b["gateable"]) / len(bench)) if bench else 0.0
    out["done_when"] = {
        "aa_at_most_1_in_20": out["aa"]["rate"] <= 1 / 20,
        "detect_10pct_at_least_19_in_20_every_gateable": all(d["rate"] >= 19 / 20 for d in gateable
                                                             if d["slowdown"] == 10) and
        any(d["slowdown"] == 10 for d in gateable),
        # the same bar read per gate run: of the runs in which the gate
        # declared the benchmark gateable (did not say cannot gate), the
        # share that detected the 10%, for every benchmark
        "detect_10pct_at_least_19_in_20_runs_declaring_it_gateable": all(
            d["detected"] >= 19 / 20 * d["gated_runs"] for d in out["detection"] if d["slowdown"] == 10) and
        any(d["slowdown"] == 10 for d in out["detection"]),
        # 10% slowdowns the gate called same: passed silently
        "ten_pct_called_same": sum(d["verdicts"].get("same", 0) for d in out["detection"] if d["slowdown"] == 10),
    }
    return out


def measured_slowdown(recorded, shape, side):
    """{benchmark key (figure): median cost ratio side/A1 over every
    recorded round}."""
    rounds = [(shape_runs(shape, r["sides"][shape["id"]]["A1"]), shape_runs(shape, r["sides"][shape["id"]][side]))
              for r in recorded]
    return {f"{row['key']} ({row['figure']})": float(np.median(row["cost_ratios"]))
            for row in gate.cost_rows(rounds)}


def summary_lines(cal):
    r = cal["rates"]
    aa = r["aa"]
    lines = [f"gate calibration: {cal['recordings']} recordings ({cal['recording_rounds']} rounds each in the "
             f"last run), {r['recorded_rounds']} recorded rounds of {', '.join(s['shape'] + ' (' + s['id'] + ')' for s in cal['shapes'])}",
             f"rates estimated by replaying the gate's decision (its rounds {r['rounds']}, cap {r['max_rounds']}, "
             f"threshold {r['threshold'] * 100:g}%, Holm across every benchmark of the run) on {r['replays']} "
             "resampled subsets of the real recorded rounds per figure, pairs kept intact (rounds drawn without "
             "replacement within a replay from all recordings); never from an assumed distribution. Replays "
             "share rounds: the Wilson 95% intervals are nominal (too narrow).",
             f"measured on: {cal['environment']['cpu_model']}, {cal['environment']['cores_online']} cores, load "
             f"{cal['environment']['load_average']} at start, {cal['environment'].get('load_average_end')} at end "
             "(a shared, noisy machine when the load exceeds the cores)",
             "",
             f"A/A false alarms per gate run: {aa['false_alarms']} of {r['replays']} "
             f"({aa['rate'] * 100:.1f}%, interval {aa['interval'][0] * 100:.1f}-{aa['interval'][1] * 100:.1f}%); "
             f"any significant change (regression or improvement): {aa['any_change']} of {r['replays']}",
             "", "injected slowdowns (operation cost without delay, delay per operation):"]
    for sh in cal["shapes"]:
        z = cal.get("sizing", {}).get(sh["id"])
        lines.append(f"  {sh['shape']} ({sh['id']}): {sh['exe']} {sh['entry']} {sh.get('filter', '')}: "
                     f"{cal['costs'][sh['id']]:.1f} ns per operation"
                     + ("; injected as a repeat (the operation done once more, uncounted, a share of the time)"
                        if repeats(sh) else "")
                     + ("; delays " + ", ".join(f"{float(k):g}%: {delay_text(sh, v)}"
                                                for k, v in cal.get("delays", {}).get(sh["id"], {}).items())
                        if cal.get("delays", {}).get(sh["id"]) else "")
                     + (f"; {z['unscaled']}" if z and z.get("unscaled") else "")
                     + (f"; a {z['probe']:g}% delay delivered {z['delivered'] * 100:+.1f}% in {len(z['pair_ratios'])} "
                        f"pairs"
                        + (f", {z['delivered_scaled'] * 100:+.1f}% once scaled" if "delivered_scaled" in z else "")
                        + f", so delays x{z['scale']:.2f}"
                        + ("; each level then probed on its own (kept probe: level delivered factor): "
                           + ", ".join(f"{float(k):g}% {v['delivered'] * 100:+.1f}% x{v['factor']:.2f}"
                                       for k, v in z["levels"].items()) if z.get("levels") else "")
                        if z and not z.get("unscaled") else ""))
    lines.append("")
    lines.append("detection rate per benchmark of the slowed shape (nominal slowdown; measured = median cost ratio "
                 "over all recorded rounds; mde95 = the slowdown the gate detects in 95% of runs at the A/A noise):")
    for d in r["detection"]:
        m = d["measured_slowdown"]
        lines.append(f"  {d['slowdown']:>4g}%  {d['detected']:>4}/{d['replays']:<4} "
                     f"({d['rate'] * 100:5.1f}%, {d['interval'][0] * 100:.1f}-{d['interval'][1] * 100:.1f}%)  "
                     f"measured {'?' if m is None else f'{(m - 1) * 100:+.1f}%'}  "
                     + (f"mde95 {d['mde95'] * 100:.1f}%  " if d.get("mde95") is not None else "") +
                     f"{'gateable' if d['gateable'] else 'CANNOT GATE'}  {d['benchmark']}"
                     + (f"  ({d['detected']}/{d['gated_runs']} of the runs not declaring it cannot gate; misses: "
                        + ", ".join(f"{n} {v}" for v, n in sorted(d["verdicts"].items())
                                                  if v != "regression") + ")"
                        if d.get("verdicts") and d["detected"] < d["replays"] else ""))
    lines.append("")
    lines.append(f"minimum detectable effect per benchmark (A/A noise; median over the A/A replays: mde detected "
                 f"about half the time, mde95 in 95% of runs), share of A/A replays that found it multimodal (gated "
                 f"on its fast mode), and 'cannot gate here' share ({r['cannot_gate_share'] * 100:.0f}% of "
                 f"benchmarks cannot be gated here):")
    for k, b in r["benchmarks"].items():
        lines.append(f"  mde {b['mde'] * 100:6.1f}%  mde95 {b.get('mde95', float('nan')) * 100:6.1f}%  multimodal in "
                     f"{b.get('multimodal_share', 0) * 100:5.1f}%  cannot gate in {b['cannot_gate_share'] * 100:5.1f}% "
                     f"of A/A replays{'' if b['gateable'] else ' -> CANNOT GATE HERE'}"
                     f"{' (10% not assured: mde95 above 10%)' if b['gateable'] and b.get('mde95', 0) > 0.10 else ''}"
                     f"  {k}")
    dw = r["done_when"]
    lines.append("")
    lines.append(f"A/A at most 1 in 20: {'yes' if dw['aa_at_most_1_in_20'] else 'NO'}; 10% detected in at least "
                 f"19 of 20 for every gateable benchmark: "
                 f"{'yes' if dw['detect_10pct_at_least_19_in_20_every_gateable'] else 'NO'} (gateable: not "
                 f"'cannot gate' in most A/A replays; every replay of it counted)")
    if "detect_10pct_at_least_19_in_20_runs_declaring_it_gateable" in dw:
        lines.append(f"10% detected in at least 19 of 20 of the runs in which the gate declared the benchmark "
                     f"gateable, for every benchmark: "
                     f"{'yes' if dw['detect_10pct_at_least_19_in_20_runs_declaring_it_gateable'] else 'NO'}; "
                     f"10% slowdowns the gate called same (passed silently): {dw['ten_pct_called_same']}")
    return lines


def write(cal, recorded, out):
    out = pathlib.Path(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "calibration.json").write_text(json.dumps(cal, indent=1) + "\n")
    (out / "rounds.json").write_text(json.dumps([{"recording": r["recording"], "round": r["round"],
                                                  "sides": {e: {s: encode_runs(v) for s, v in sides.items()}
                                                            for e, sides in r["sides"].items()}}
                                                 for r in recorded]) + "\n")
    (out / "summary.md").write_text("# Gate calibration\n\n```\n" + "\n".join(summary_lines(cal)) + "\n```\n\n"
                                    "## Environment\n\n```\n" + "\n".join(gate.environment_lines(cal["environment"]))
                                    + "\n```\n")


def load_rounds(path):
    try:
        doc = json.loads(pathlib.Path(path).read_text())
    except (OSError, ValueError) as err:
        raise gate.GateError(f"--replay-rounds {path}: {err}") from None
    return [{"recording": r["recording"], "round": r["round"],
             "sides": {e: {s: decode_runs(v) for s, v in sides.items()} for e, sides in r["sides"].items()}}
            for r in doc]


def check_sides(recorded, shapes, path):
    """Every recorded round holds each shape's sides (keyed by shape id)."""
    ids = {sh["id"] for sh in shapes}
    for r in recorded:
        if set(r["sides"]) != ids:
            raise gate.GateError(f"--replay-rounds {path}: round {r['round']} of recording {r['recording']} holds "
                                 f"{', '.join(sorted(r['sides']))}, but its calibration.json names the shapes "
                                 f"{', '.join(sorted(ids))}")


def main(args, root, cache, progress=print):
    """gate.py --calibrate. -> exit status."""
    t0 = time.monotonic()
    slowdowns = args.slowdowns
    out = pathlib.Path(args.out) / "calibration"
    if args.replay_rounds:
        recorded = load_rounds(args.replay_rounds)
        try:
            prev = json.loads((pathlib.Path(args.replay_rounds).parent / "calibration.json").read_text())
        except (OSError, ValueError) as err:
            raise gate.GateError(f"--replay-rounds: its calibration.json beside it: {err}") from None
        costs, delays, env = prev["costs"], prev["delays"], prev["environment"]
        recordings, per = prev["recordings"], prev["recording_rounds"]
        sizing = prev.get("sizing", {})
        # the shapes the rounds were recorded with (older files: keyed by entry)
        shapes = [normalise_shape(sh) for sh in prev["shapes"]]
        check_sides(recorded, shapes, args.replay_rounds)
    else:
        if args.delay_build:
            build = pathlib.Path(args.delay_build)
            label = f"prebuilt {build}"
        else:
            src, folder = gate.source_of(root, args.head, cache)
            progress(f"[{time.monotonic() - t0:5.0f} s] build {args.head or 'working tree'} with -Dgate_delay=true "
                     f"(bench_lifecycle, bench_queues, bench_loop; log {cache / 'build.log'})")
            build = gate.build_side(src, folder / "build-delay", "calibration build", cache / "build.log", args.jobs,
                                    ["-Dgate_delay=true"], {sh["exe"] for sh in SHAPES})
            label = f"{args.head or 'working tree'} -Dgate_delay=true"
        exes = gate.find_exes(build)
        missing = [sh["exe"] for sh in SHAPES if sh["exe"] not in exes]
        if missing:
            raise gate.GateError(f"missing bench executables: {', '.join(missing)} under {build / 'bench'}")
        env = gate.environment({"calibration": build}, args.cpus)
        env["build_label"] = label
        print("environment:")
        for line in gate.environment_lines(env):
            print("  " + line)
        recordings, per = args.recordings, args.recording_rounds
        earlier, fixed, first = [], None, 1
        if args.append:
            # more recordings at another time, with the delays of the earlier ones
            earlier = load_rounds(args.append)
            try:
                prev = json.loads((pathlib.Path(args.append).parent / "calibration.json").read_text())
            except (OSError, ValueError) as err:
                raise gate.GateError(f"--append: its calibration.json beside it: {err}") from None
            if any("id" not in sh for sh in prev["shapes"]):
                raise gate.GateError(f"--append: {args.append} was recorded with one shape per entry (keyed by "
                                     "entry, before shapes named one benchmark each): its delays do not fit the "
                                     "current shapes; record a new calibration")
            if [sh["id"] for sh in prev["shapes"]] != [sh["id"] for sh in SHAPES]:
                raise gate.GateError(f"--append: {args.append} has the shapes "
                                     f"{', '.join(sh['id'] for sh in prev['shapes'])}, not "
                                     f"{', '.join(sh['id'] for sh in SHAPES)}: record a new calibration")
            changed = [sh["id"] for sh, old in zip(SHAPES, prev["shapes"]) if repeats(sh) != repeats(old)]
            if changed:
                raise gate.GateError(f"--append: {args.append} injected {', '.join(changed)} another way (a spin "
                                     "in ns, now a repeat, or the reverse): its delays do not fit; record a new "
                                     "calibration")
            if [float(x) for x in prev["slowdowns"]] != slowdowns:
                raise gate.GateError(f"--append: the earlier recordings injected {prev['slowdowns']}, not {slowdowns}")
            fixed = (prev["costs"], {e: {float(k): ns for k, ns in v.items()} for e, v in prev["delays"].items()})
            first = max(r["recording"] for r in earlier) + 1
            env["earlier_environments"] = prev.get("environments", [prev["environment"]])
            progress(f"appending to {len(earlier)} recorded rounds of recordings 1..{first - 1} "
                     f"({args.append}); their delays are kept")
        with tempfile.TemporaryDirectory(prefix="gauntlet-calibrate-") as d:
            sizing = dict(prev.get("sizing", {})) if args.append else {}
            shapes = SHAPES
            costs, delays, recorded = record(exes, SHAPES, slowdowns, recordings, per, args.min_time, args.cpus,
                                             pathlib.Path(d), progress, t0, fixed=fixed, first=first,
                                             given=args.op_cost, sizing=sizing, pairs=args.sizing_pairs)
        recorded = earlier + recorded
        recordings = first - 1 + recordings
        env["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
        delays = {e: {f"{s:g}": ns for s, ns in v.items()} for e, v in delays.items()}
    progress(f"[{time.monotonic() - t0:5.0f} s] replaying the gate's decision: {args.replays} replays per figure")
    r = rates(recorded, shapes, slowdowns, args.rounds, args.max_rounds, args.threshold, args.replays,
              progress=lambda s: progress(f"[{time.monotonic() - t0:5.0f} s] {s}"))
    cal = {"time": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
           "shapes": shapes, "slowdowns": slowdowns, "recordings": recordings, "recording_rounds": per,
           "min_time": args.min_time, "costs": costs, "delays": delays, "sizing": sizing, "environment": env,
           "rates": r,
           "method": "replays of gate.gate on resampled subsets of the recorded rounds, pairs intact"}
    write(cal, recorded, out)
    print()
    for line in summary_lines(cal):
        print(line)
    print(f"written: {out}/calibration.json, summary.md, rounds.json ({time.monotonic() - t0:.0f} s)")
    return 0


def add_arguments(ap):
    ap.add_argument("--calibrate", action="store_true",
                    help="measure the gate's false-alarm and detection rates here (scripts/calibrate.py)")
    ap.add_argument("--recordings", type=gate._range(int, 1, 100, "--recordings"), default=3,
                    help="calibration: separate recordings (default 3)")
    ap.add_argument("--recording-rounds", type=gate._range(int, 1, 10000, "--recording-rounds"), default=20,
                    help="calibration: rounds per recording (default 20)")
    ap.add_argument("--slowdowns", default="5,10,20", help="calibration: injected slowdowns, percent (default 5,10,20)")
    ap.add_argument("--replays", type=gate._range(int, 1, 100000, "--replays"), default=200,
                    help="calibration: replayed gate runs per figure (default 200)")
    ap.add_argument("--sizing-pairs", type=gate._range(int, 1, 100, "--sizing-pairs"), default=SIZING_PAIRS,
                    help=f"calibration: interleaved pairs per sizing probe (default {SIZING_PAIRS})")
    ap.add_argument("--delay-build", help=argparse.SUPPRESS)  # tests: a prebuilt -Dgate_delay=true folder
    ap.add_argument("--op-cost", action="append", default=[], metavar="SHAPE=NS",
                    help="calibration: size a shape's delays from NS ns per operation instead of measuring it; "
                         "SHAPE is a shape id (" + ", ".join(sh["id"] for sh in SHAPES) + ") or an entry (each "
                         "of its shapes) (repeatable; e.g. when a loaded machine keeps a loop asleep between trips)")
    ap.add_argument("--append", help="calibration: add recordings to a previous calibration's rounds.json (its "
                                     "delays kept), so recordings made at different times are replayed together")
    ap.add_argument("--replay-rounds", help="calibration: replay a previous calibration's rounds.json (no recording)")
