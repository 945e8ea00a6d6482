"""Event-loop section of the gauntlet report.

Reads the records of the loop entries (component "loop") and, when present,
of the timer entries (component "timer"), and renders:

* the verdict table of every loop and timer entry x check, origin beside the
  name (report.verdict_matrix: the same cells as the page's matrix);
* the ordering counterexamples: for each loop or timer record whose property
  or model verdict is fail (expected, flaky or not), the start of its trace
  and the shrunk counterexample (the property's script and its "reference
  ran [...]" / "entry ran [...]" lines; the model's assertion and the end of
  its execution history), trimmed, with whether the failure was expected;
* charts with every variant and the peer (libuv_loop) side by side, the peer
  hatched and its label suffixed "(peer)": ping-pong round trip p50/p99/p99.9
  (log scale, the cache-line round trip as the floor when measured),
  post-flood tasks/s for 1 and 2 producers, CPU burnt while idle (log
  scale), and when measured microtask drain items/s, timer lateness
  p50/p99, timer insert/fire/cancel items/s per timer entry, and dispatch
  tasks/s per design, whole task and dispatch only side by side.

The figures come from typed runs (metrics.runs), by their labels, never by
benchmark names: `benchmark` "ping_pong" (p50_ns, p99_ns, p999_ns,
round_trips_per_second), "post_flood" with `producers` (tasks_per_second,
wake_writes_per_post where the entry can count its wake-up writes),
"idle_cpu" (loop_cpu_us_per_s), "microtask_drain" (items_per_second),
"timer_lateness" (p50_ns, p99_ns); "timer_insert", "timer_fire",
"timer_cancel" (items_per_second); "dispatch" with `dispatch` naming the
variant and, when given, `timed` ("whole_task", "dispatch_only") and
`allocations_per_task` (items_per_second), in whichever bench record
carries them (bench_dispatch's: component "dispatch").

Charts are embedded in the page (report.figure_html). A bench record that
passed without runs, or a run without the figure its label promises, is an
error naming the file (and field). These are single runs;
`scripts/gauntlet bench --pairs A,B` gives medians of interleaved pairs.
The module is imported by scripts/report.py, which calls `section`.
"""

from __future__ import annotations

import html
import re

from report import (ReportError, anchor, bench_runs, benchmarks_block, family, figure_html, pyplot, status_of,
                    verdict_matrix, where)

FAMILIES = ("loop", "timer", "signal_ring")
LOOP_PERCENTILES = (("p50_ns", "p50"), ("p99_ns", "p99"), ("p999_ns", "p99.9"))
LATENESS_PERCENTILES = (("p50_ns", "p50"), ("p99_ns", "p99"))
STALL_FIGURES = (("p50_ns", "p50"), ("p99_ns", "p99"), ("p999_ns", "p99.9"), ("p9999_ns", "p99.99"),
                 ("max_ns", "worst"), ("stalls_per_second", "stalls named / s"))
STALL_INTRUDERS = (("none", "none"), ("blocking", "1 ms blocking call every 5 ms"),
                   ("cas_loop", "contended CAS loop every 5 ms"))
TIMER_OPS = (("timer_insert", "insert"), ("timer_fire", "fire"), ("timer_cancel", "cancel"))
COLOURS = ("#4a7ab5", "#d98c3f", "#b5474a", "#6aa56a", "#9467bd")
PEER_HATCH = "///"

# trimming of a counterexample shown in the section (the full trace is in
# the page's findings list)
HEAD_LINES = 6
TAIL_LINES = 24
LINE_CHARS = 220


def _number(rec: dict, run: dict, i: int, name: str) -> float:
    """run[name] as a number, or a ReportError naming the file and field."""
    value = run.get(name)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ReportError(f"{where(rec)}: field 'metrics.runs[{i}].{name}' missing or not a number")
    return float(value)


def _label(rec: dict, run: dict, i: int, name: str, types: type | tuple) -> object:
    """run[name], a label, or a ReportError naming the file and field."""
    value = run.get(name)
    if isinstance(value, bool) or not isinstance(value, types):
        raise ReportError(f"{where(rec)}: field 'metrics.runs[{i}].{name}' missing or of the wrong type")
    return value


def _timed(rec: dict) -> bool:
    return rec["check"] == "bench" and rec["verdict"] != "skip"


def parse_records(records: list[dict]) -> dict:
    """The figures of the loop, timer and dispatch bench runs:

    loops[entry]    = {"origin", "ping_pong": {p50_ns, p99_ns, p999_ns[, round_trips_per_second]},
                       "post_flood": {producers: tasks/s}, "wake_writes_per_post": {producers: x},
                       "idle_cpu": µs/s, "microtask_drain": items/s, "timer_lateness": {p50_ns, p99_ns}}
                      (keys present only when measured)
    timers[entry]   = {"origin", "timer_insert" / "timer_fire" / "timer_cancel": items/s}
    dispatch[(entry, variant)] = {"origin", "items_per_second", "timed" (label, or None),
                                  "allocations_per_task" (or None)}
    floor           = the cache-line round trip p50 in ns (record "reference"), or None

    Runs with an error or an aggregate are left out (report.bench_runs);
    with repetitions the first run of a kind is kept."""
    loops: dict = {}
    timers: dict = {}
    dispatch: dict = {}
    floor = None
    for rec in records:
        if not _timed(rec):
            continue
        entry, origin = rec["implementation"], rec["origin"]
        is_loop = family(rec["component"]) == "loop"
        is_reference = rec["component"] == "reference"
        if not (is_loop or is_reference or family(rec["component"]) in ("timer", "dispatch")):
            # other components may carry dispatch or timer runs; read them by
            # label, and leave their bench_runs checks to their own sections
            runs = rec.get("metrics", {}).get("runs")
            if not isinstance(runs, list) or not any(
                    isinstance(r, dict) and (r.get("benchmark") == "dispatch"
                                             or r.get("benchmark") in dict(TIMER_OPS)) for r in runs):
                continue
        for i, run in bench_runs(rec):
            kind = run.get("benchmark")
            if is_reference and kind in ("latency", "cacheline_roundtrip") and "p50_ns" in run:
                if floor is None:
                    floor = _number(rec, run, i, "p50_ns")
            elif kind == "dispatch":
                variant = _label(rec, run, i, "dispatch", str)
                if (entry, variant) not in dispatch:
                    timed = run.get("timed")
                    allocations = run.get("allocations_per_task")
                    dispatch[(entry, variant)] = {
                        "origin": origin, "items_per_second": _number(rec, run, i, "items_per_second"),
                        "timed": timed if isinstance(timed, str) else None,
                        "allocations_per_task": _number(rec, run, i, "allocations_per_task")
                        if allocations is not None else None}
            elif kind in dict(TIMER_OPS):
                t = timers.setdefault(entry, {"origin": origin})
                t.setdefault(kind, _number(rec, run, i, "items_per_second"))
            elif not is_loop:
                continue
            elif kind == "ping_pong":
                e = loops.setdefault(entry, {"origin": origin})
                if "ping_pong" not in e:
                    figures = {k: _number(rec, run, i, k) for k, _ in LOOP_PERCENTILES}
                    if "round_trips_per_second" in run:
                        figures["round_trips_per_second"] = _number(rec, run, i, "round_trips_per_second")
                    e["ping_pong"] = figures
            elif kind == "post_flood":
                e = loops.setdefault(entry, {"origin": origin})
                producers = _label(rec, run, i, "producers", int)
                e.setdefault("post_flood", {}).setdefault(producers, _number(rec, run, i, "tasks_per_second"))
                if "wake_writes_per_post" in run:
                    e.setdefault("wake_writes_per_post", {}).setdefault(
                        producers, _number(rec, run, i, "wake_writes_per_post"))
            elif kind == "idle_cpu":
                e = loops.setdefault(entry, {"origin": origin})
                e.setdefault("idle_cpu", _number(rec, run, i, "loop_cpu_us_per_s"))
            elif kind == "microtask_drain":
                e = loops.setdefault(entry, {"origin": origin})
                e.setdefault("microtask_drain", _number(rec, run, i, "items_per_second"))
            elif kind == "timer_lateness":
                e = loops.setdefault(entry, {"origin": origin})
                e.setdefault("timer_lateness", {k: _number(rec, run, i, k) for k, _ in LATENESS_PERCENTILES})
            elif kind == "stall_cost":
                e = loops.setdefault(entry, {"origin": origin})
                intruder = _label(rec, run, i, "intruder", str)
                e.setdefault("stall_cost", {}).setdefault(
                    intruder, {k: _number(rec, run, i, k) for k, _ in STALL_FIGURES})
    return {"loops": loops, "timers": timers, "dispatch": dispatch, "floor": floor}


# --------------------------------------------------------------------------
# counterexamples


def counterexample_records(records: list[dict]) -> list[dict]:
    """Loop and timer records failing their property or model check, in key order."""
    rows = [r for r in records if family(r["component"]) in FAMILIES and r["check"] in ("property", "model")
            and r["verdict"] == "fail"]
    return sorted(rows, key=lambda r: (r["component"], r["implementation"], r["check"]))


def expectation_phrase(rec: dict) -> str:
    """Whether the failure was expected, in the report's vocabulary."""
    st = status_of(rec)
    if st == "finding":
        return "expected (finding)"
    if st == "flaky":
        return "flaky (recorded, not held)"
    if st == "skipped":
        return "expected skip; ran and failed"
    return f"UNEXPECTED (MISMATCH: expected {rec['expected']})"


# the entry's side of a property counterexample: "entry ran     [#1 #0], ..."
# or "entry     ran [#1 #0], refused [], cancels [...]"
ENTRY_RAN = re.compile(r"\s*entry\s+ran\b")


def opening(title: str) -> tuple[list[str], list[str]]:
    """A component section's first lines: (html lines, markdown lines)."""
    return [f"<h2>{html.escape(title)}</h2>"], [f"## {title}", ""]


def empty_section(title: str, noun: str) -> tuple[str, str]:
    """(html, markdown) of a component section with no records of its own."""
    out, md = opening(title)
    out.append(f"<p>no {html.escape(noun)} records</p>")
    md += [f"no {noun} records", ""]
    return "\n".join(out), "\n".join(md)


def add_block(out: list[str], md: list[str], title: str, block_html: str, block_md: str) -> None:
    """Appends a titled block (an h3 and its table or text) to a section's html and markdown lines."""
    out += [f"<h3>{html.escape(title)}</h3>", block_html]
    md += [f"### {title}", "", block_md, ""]


def failing_records_block(records: list[dict], origins: tuple, what: str, label: str = "origin",
                          traces: bool = True, trace_lines: int = 18, line_chars: int = 200) -> tuple[str, str]:
    """(html, markdown): the failing records of the given origins (a seed's
    or paper's port, a peer), each titled check: entry (its `label` field)
    with its expectation, its detail and, with `traces`, the first
    `trace_lines` lines of its trace (long lines clipped, the rest counted).
    `what` names them when there is none: "No check fails on <what>."."""
    rows = sorted((r for r in records if r["origin"] in origins and r["verdict"] == "fail"),
                  key=lambda r: (r["origin"], r["implementation"], r["check"]))
    if not rows:
        return f"<p>No check fails on {what}.</p>", f"No check fails on {what}.\n"
    out, md = [], []
    for r in rows:
        title = f"{r['check']}: {r['implementation']} ({r[label]})"
        phrase = expectation_phrase(r)
        cls = {"finding": "finding", "flaky": "flaky", "mismatch": "mismatch"}.get(status_of(r), "skipped")
        head = f"<h4>{html.escape(title)}: <span class=\"{cls}\">{html.escape(phrase)}</span></h4>" \
               f"<p>{html.escape(r['detail'])}</p>"
        if not traces:
            out.append(head)
            md.append(f"#### {title}: {phrase}\n\n{r['detail']}\n")
            continue
        lines = r["trace"].rstrip().splitlines()
        kept = [line if len(line) <= line_chars else line[:line_chars] + " …" for line in lines[:trace_lines]]
        if len(lines) > trace_lines:
            kept.append(f"… {len(lines) - trace_lines} more lines in the full trace …")
        body = "\n".join(kept) if r["trace"].strip() else "(no trace recorded)"
        out.append(head + f"<pre>{html.escape(body)}</pre>")
        md.append(f"#### {title}: {phrase}\n\n{r['detail']}\n\n```\n{body}\n```\n")
    return "\n".join(out), "\n".join(md)


def _clip(line: str) -> str:
    return line if len(line) <= LINE_CHARS else line[:LINE_CHARS] + " …"


def counterexample_end(lines: list[str]) -> int:
    """Where a trace's counterexample ends: after the last "entry ran" line
    of a property trace (ENTRY_RAN); at the end of a model trace's execution history
    (the per-thread histories after it repeat it); else the end."""
    ran = [n for n, line in enumerate(lines) if ENTRY_RAN.match(line)]
    if ran:
        return ran[-1] + 1
    for n, line in enumerate(lines):
        if line.startswith("execution history"):
            for m in range(n + 1, len(lines)):
                if not lines[m].strip():
                    return m
            break
    return len(lines)


def trim_trace(trace: str) -> str:
    """The part of a trace worth reading in the section: the first lines
    (replay command, what failed) and the shrunk counterexample at its end
    (counterexample_end), long lines clipped, the middle left out with a
    count."""
    lines = trace.rstrip().splitlines()
    end = counterexample_end(lines)
    if end <= HEAD_LINES + TAIL_LINES:
        kept = lines[:end]
    else:
        start = max(HEAD_LINES, end - TAIL_LINES)
        kept = lines[:HEAD_LINES] + [f"… {start - HEAD_LINES} lines left out …"] + lines[start:end]
    if end < len(lines):
        kept.append(f"… {len(lines) - end} more lines in the full trace …")
    return "\n".join(_clip(line) for line in kept)


def counterexamples(records: list[dict]) -> tuple[str, str]:
    """(html, markdown) of the ordering counterexamples."""
    rows = counterexample_records(records)
    if not rows:
        return ("<p>No loop or timer entry fails its property or model check.</p>",
                "No loop or timer entry fails its property or model check.\n")
    out, md = [], []
    for r in rows:
        title = f"{r['check']}: {r['component']} / {r['implementation']} ({r['origin']})"
        phrase = expectation_phrase(r)
        link = ""
        if r["trace"] and status_of(r) in ("finding", "mismatch", "flaky"):
            link = f' <a href="#{anchor(r)}">full trace</a>'
        cls = {"finding": "finding", "flaky": "flaky", "mismatch": "mismatch"}.get(status_of(r), "skipped")
        body = trim_trace(r["trace"]) if r["trace"].strip() else "(no trace recorded)"
        out.append(f"<h4>{html.escape(title)}: <span class=\"{cls}\">{html.escape(phrase)}</span></h4>"
                   f"<p>{html.escape(r['detail'])}{link}</p><pre>{html.escape(body)}</pre>")
        md.append(f"#### {title}: {phrase}\n\n{r['detail']}\n\n```\n{body}\n```\n")
    return "\n".join(out), "\n".join(md)


# --------------------------------------------------------------------------
# charts


def entry_label(name: str, origin: str) -> str:
    """A chart's label for an entry: the peer's says so."""
    return f"{name} (peer)" if origin == "peer" else name


def _order(entries: dict) -> list[str]:
    """Entries in chart order: ours by name, then the peers."""
    return sorted(entries, key=lambda e: (entries[e]["origin"] == "peer", e))


def grouped_bars(title: str, names: list[str], origins: list[str], series: list[tuple[str, list]],
                 xlabel: str, caption: str, log: bool = False, floor: tuple[float, str] | None = None) -> str:
    """Horizontal bars, one group per name, one bar per series (label,
    values; None for not measured). Peer bars are hatched and their labels
    say "(peer)". Returns the embedded figure's html."""
    plt = pyplot()
    n = max(1, len(series))
    fig, ax = plt.subplots(figsize=(8.5 if n > 1 or floor else 7.5, 0.3 * len(names) * n + 1.5))
    height = 0.8 / n
    for s, (label, values) in enumerate(series):
        ys = [k + s * height for k in range(len(names))]
        vals = [v if v is not None else 0 for v in values]
        if log:
            vals = [max(v, 1e-3) for v in vals]
        bars = ax.barh(ys, vals, height=height, label=label if n > 1 else None, color=COLOURS[s % len(COLOURS)])
        for bar, origin, v in zip(bars, origins, values):
            if origin == "peer":
                bar.set_hatch(PEER_HATCH)
                bar.set_edgecolor("black")
            if v is None:
                bar.set_visible(False)
    if floor:
        ax.axvline(floor[0], color="black", linestyle="--", linewidth=1, label=floor[1])
    if log:
        ax.set_xscale("log")
        measured = [v for _, values in series for v in values if v]
        if measured:  # every bar starts well left of its end
            ax.set_xlim(left=min(measured + ([floor[0]] if floor else [])) / 3)
    ax.set_yticks([k + height * (n - 1) / 2 for k in range(len(names))])
    ax.set_yticklabels([entry_label(nm, o) for nm, o in zip(names, origins)])
    for tick, origin in zip(ax.get_yticklabels(), origins):
        if origin == "peer":
            tick.set_fontstyle("italic")
    ax.invert_yaxis()
    ax.set_xlabel(xlabel)
    ax.set_title(title)
    if n > 1 or floor:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, borderaxespad=0)
    fig.tight_layout()
    return figure_html(fig, title, html.escape(caption + "; hatched, \"(peer)\": the peer; single runs"))


def _fmt(x: float | None, scale: float = 1.0, digits: str = ".3g") -> str:
    return "-" if x is None else format(x / scale, digits)


def _rate(x: float | None) -> str:
    """A per-second figure in millions: '2.69M', or a dash."""
    return "-" if x is None else f"{x / 1e6:.3g}M"


def loop_charts(data: dict) -> tuple[list[str], list[str]]:
    """(figures' html, markdown lines) for the loop entries."""
    loops, floor = data["loops"], data["floor"]
    out, md = [], []
    if not loops:
        return out, md

    def with_(k):
        return {e: v for e, v in loops.items() if k in v}

    pp = with_("ping_pong")
    if pp:
        names = _order(pp)
        out.append(grouped_bars(
            "loop: ping-pong round trip", names, [pp[e]["origin"] for e in names],
            [(lab, [pp[e]["ping_pong"][k] for e in names]) for k, lab in LOOP_PERCENTILES],
            "round trip (post, run, seen), ns (log; lower is better)",
            "one task posted from a pinned thread and waited for, then the next",
            log=True, floor=(floor, f"cache-line round trip p50 ({floor:.0f} ns)") if floor else None))
    pf = with_("post_flood")
    if pf:
        names = _order(pf)
        shapes = sorted({p for e in names for p in pf[e]["post_flood"]})
        out.append(grouped_bars(
            "loop: post flood", names, [pf[e]["origin"] for e in names],
            [(f"{p} producer{'s' if p != 1 else ''}", [_scaled(pf[e]["post_flood"].get(p), 1e6) for e in names])
             for p in shapes],
            "million tasks/s (higher is better)", "producers posting as fast as they can while the loop runs the tasks"))
    idle = with_("idle_cpu")
    if idle:
        names = _order(idle)
        out.append(grouped_bars(
            "loop: CPU burnt while idle", names, [idle[e]["origin"] for e in names],
            [("idle", [idle[e]["idle_cpu"] for e in names])],
            "loop thread CPU µs per second idle (log; lower is better)",
            "the loop kept alive with nothing to run", log=True))
    micro = with_("microtask_drain")
    if micro:
        names = _order(micro)
        out.append(grouped_bars(
            "loop: microtask drain", names, [micro[e]["origin"] for e in names],
            [("microtasks", [_scaled(micro[e]["microtask_drain"], 1e6) for e in names])],
            "million items/s (higher is better)", "microtasks run per second"))
    late = with_("timer_lateness")
    if late:
        names = _order(late)
        out.append(grouped_bars(
            "loop: timer lateness", names, [late[e]["origin"] for e in names],
            [(lab, [late[e]["timer_lateness"][k] for e in names]) for k, lab in LATENESS_PERCENTILES],
            "time past the deadline, ns (log; lower is better)", "how late a timer runs", log=True))

    def cells(v: dict) -> dict:
        p = v.get("ping_pong", {})
        flood = v.get("post_flood", {})
        wake = v.get("wake_writes_per_post", {})
        tl = v.get("timer_lateness", {})
        return {
            "ping-pong p50 / p99 / p99.9 ns": " / ".join(_fmt(p.get(k), digits=".0f") for k, _ in LOOP_PERCENTILES)
            if p else "-",
            "round trips/s": _rate(p.get("round_trips_per_second")),
            "post flood 1P / 2P tasks/s": f"{_rate(flood.get(1))} / {_rate(flood.get(2))}" if flood else "-",
            "wake writes per post 1P / 2P": f"{_fmt(wake.get(1), digits='.2g')} / {_fmt(wake.get(2), digits='.2g')}"
            if wake else "-",
            "idle CPU µs/s": _fmt(v.get("idle_cpu"), digits=".0f"),
            "microtasks/s": _rate(v.get("microtask_drain")),
            "timer lateness p50 / p99 ns": " / ".join(_fmt(tl.get(k), digits=".0f") for k, _ in LATENESS_PERCENTILES)
            if tl else "-",
        }

    rows = {e: cells(loops[e]) for e in _order(loops)}
    # a column no entry measured is left out
    columns = [c for c in next(iter(rows.values())) if any(r[c] != "-" for r in rows.values())]
    md += ["| entry | " + " | ".join(columns) + " |", "|---|" + "---|" * len(columns)]
    md += [f"| {entry_label(e, loops[e]['origin'])} | " + " | ".join(r[c] for c in columns) + " |"
           for e, r in rows.items()]
    md.append("")
    return out, md


def _scaled(x: float | None, scale: float) -> float | None:
    return None if x is None else x / scale


def timer_charts(data: dict) -> tuple[list[str], list[str]]:
    """(figures' html, markdown lines) for the timer entries."""
    timers = data["timers"]
    if not timers:
        return [], []
    names = _order(timers)
    ops = [(k, lab) for k, lab in TIMER_OPS if any(k in timers[e] for e in names)]
    fig = grouped_bars(
        "timers: insert, fire, cancel", names, [timers[e]["origin"] for e in names],
        [(lab, [_scaled(timers[e].get(k), 1e6) for e in names]) for k, lab in ops],
        "million items/s (higher is better)", "timer operations per second per timer entry")
    md = ["| timer entry | " + " | ".join(f"{lab} items/s" for _, lab in ops) + " |", "|---|" + "---|" * len(ops)]
    for e in names:
        md.append(f"| {entry_label(e, timers[e]['origin'])} | "
                  + " | ".join(_rate(timers[e].get(k)) for k, _ in ops) + " |")
    md.append("")
    return [fig], md


DISPATCH_ONLY_SUFFIX = "_prealloc"


def dispatch_design(variant: str, timed: str | None) -> str:
    """The design a dispatch variant measures: bench_dispatch names the
    dispatch-only timing of design D "D_prealloc" (label `timed`
    "dispatch_only"), and the whole-task timing D."""
    if timed == "dispatch_only" and variant.endswith(DISPATCH_ONLY_SUFFIX):
        return variant[:-len(DISPATCH_ONLY_SUFFIX)]
    return variant


def dispatch_charts(data: dict) -> tuple[list[str], list[str]]:
    """(figures' html, markdown lines) for the dispatch runs: one group per
    design, one bar per way of timing it (label `timed`) when the runs say."""
    dispatch = data["dispatch"]
    if not dispatch:
        return [], []
    entries = {e for e, _ in dispatch}
    timings = sorted({d["timed"] for d in dispatch.values() if d["timed"]},
                     key=lambda t: ({"whole_task": 0, "dispatch_only": 1}.get(t, 2), t))
    groups: dict = {}
    for (entry, variant), d in dispatch.items():
        design = dispatch_design(variant, d["timed"])
        g = groups.setdefault((entry, design), {"origin": d["origin"]})
        g[d["timed"]] = d["items_per_second"]
    keys = sorted(groups, key=lambda k: (groups[k]["origin"] == "peer", k))
    names = [design if len(entries) == 1 else f"{e}: {design}" for e, design in keys]
    series = [(t.replace("_", " ") if t else "items/s", [_scaled(groups[k].get(t), 1e6) for k in keys])
              for t in (timings + ([None] if any(None in g for g in groups.values()) else []))]
    fig = grouped_bars(
        "dispatch: heterogeneous tasks", names, [groups[k]["origin"] for k in keys], series,
        "million tasks/s (higher is better)",
        "one queue of tasks of five types in random order, run through each design" if timings else
        "tasks dispatched per second by how the task is called")
    md = ["| dispatch | timed | tasks/s | allocations per task |", "|---|---|---|---|"]
    for (entry, variant) in sorted(dispatch, key=lambda k: (dispatch[k]["origin"] == "peer", k)):
        d = dispatch[(entry, variant)]
        name = variant if len(entries) == 1 else f"{entry}: {variant}"
        md.append(f"| {entry_label(name, d['origin'])} | {(d['timed'] or '-').replace('_', ' ')} "
                  f"| {_rate(d['items_per_second'])} | {_fmt(d['allocations_per_task'], digits='.3g')} |")
    md.append("")
    return [fig], md


# --------------------------------------------------------------------------
# the reactor's edges: backpressure, fairness, stalls

def _metric(rec: dict, name: str):
    value = rec.get("metrics", {}).get(name) if isinstance(rec.get("metrics"), dict) else None
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _table(headers: list[str], rows: list[list[str]]) -> tuple[str, str]:
    h = ["<table class='matrix'><tr>" + "".join(f"<th>{html.escape(x)}</th>" for x in headers) + "</tr>"]
    for r in rows:
        h.append("<tr>" + "".join(f"<td>{html.escape(x)}</td>" for x in r) + "</tr>")
    h.append("</table>")
    md = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    md += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(h), "\n".join(md)


def reactor_tables(records: list[dict], data: dict) -> tuple[list[str], list[str]]:
    """Backpressure (stress), fairness (property) and stall cost (bench)
    tables of the loop entries, where their records carry the figures."""
    out, md = [], []
    loops = [r for r in records if family(r["component"]) == "loop"]
    water = [r for r in loops if r["check"] == "stress" and _metric(r, "peak_queued") is not None]
    if water:
        rows = [[r["implementation"], _fmt(_metric(r, "high_water_mark")), _fmt(_metric(r, "peak_queued")),
                 _fmt(_metric(r, "told_full")), _fmt(_metric(r, "offers_per_run")),
                 _rate(_metric(r, "drain_per_second"))] for r in sorted(water, key=lambda r: r["implementation"])]
        h, m = _table(["entry", "high-water mark", "peak queued", "told full", "offers per task run",
                       "drained / s"], rows)
        intro = ("Backpressure under flood (stress): two posters offer tasks of 2 µs to a loop with a high-water "
                 "mark of 64; the peak of queued tasks must stay at or below the mark.")
        out += ["<h3>Backpressure</h3>", f"<p>{intro}</p>", h]
        md += ["### Backpressure", "", intro, "", m, ""]
    fair = [r for r in loops if r["check"] == "property" and _metric(r, "fairness_reposts_before_timer") is not None]
    if fair:
        def cell(r, k):
            v = _metric(r, k)
            return "n/a" if v is None else f"{v:g}"
        rows = [[r["implementation"], cell(r, "fairness_reposts_before_timer"), cell(r, "fairness_reposts_before_io"),
                 cell(r, "fairness_microtasks_before_timer"), cell(r, "fairness_microtasks_before_io")]
                for r in sorted(fair, key=lambda r: r["implementation"])]
        h, m = _table(["entry", "turns of a re-posting task before a due timer (bound 1)",
                       "... before a readable fd (bound 1)", "microtasks of a 1000-flood before the timer",
                       "... before the fd"], rows)
        intro = ("Fairness (property): how long a due 0 ms timer and a readable fd wait behind a task that re-posts "
                 "itself and behind a microtask flood (the drain runs to empty by contract: its bound is the "
                 "flood's length). n/a: the entry reads no fds.")
        out += ["<h3>Fairness</h3>", f"<p>{intro}</p>", h]
        md += ["### Fairness", "", intro, "", m, ""]
    stall = {e: v["stall_cost"] for e, v in data["loops"].items() if "stall_cost" in v}
    if stall:
        rows = []
        for e in sorted(stall):
            for k, label in STALL_INTRUDERS:
                f = stall[e].get(k)
                if f is None:
                    continue
                rows.append([e, label] + [_fmt(f[n], 1.0 if n == "stalls_per_second" else 1e3)
                                          for n, _ in STALL_FIGURES])
        h, m = _table(["entry", "intruder"] + [f"{lab} (µs)" if n != "stalls_per_second" else lab
                                               for n, lab in STALL_FIGURES], rows)
        intro = ("The cost of one blocking task (bench stall_cost, single runs): the ping-pong client's round trips "
                 "while a task holding the loop about 1 ms lands every 5 ms, and what the stall detector (quota "
                 "0.5 ms, Seastar's) named.")
        out += ["<h3>Stalls</h3>", f"<p>{intro}</p>", h]
        md += ["### Stalls", "", intro, "", m, ""]
    return out, md


# --------------------------------------------------------------------------
# the section

NOTE = ("Single runs, threads pinned; a difference between two entries here is not a result. "
        "<code>scripts/gauntlet bench --pairs A,B</code> gives the median of interleaved fresh-process pairs "
        "with its interval.")


def section(records: list[dict]) -> tuple[str, str]:
    """(html, markdown) of the event-loop section, charts embedded."""
    ours = [r for r in records if family(r["component"]) in FAMILIES]
    data = parse_records(records)
    if not ours and not data["dispatch"]:
        return empty_section("Event loops", "loop or timer")
    out, md = opening("Event loops")
    if ours:
        table_html, table_md = verdict_matrix(ours)
        out += ["<h3>Verdicts: loop and timer entries</h3>", table_html]
        md += ["### Verdicts: loop and timer entries", "", table_md, ""]
        cx_html, cx_md = counterexamples(ours)
        out += ["<h3>Ordering counterexamples</h3>",
                "<p>Property and model failures of loop and timer entries: the shrunk script with the order the "
                "reference ran it in and the order the entry ran it in, or the model checker's failed assertion "
                "and the end of its execution history (trimmed).</p>", cx_html]
        md += ["### Ordering counterexamples", "", cx_md, ""]
    figures, fig_md = [], []
    for fn in (loop_charts, timer_charts, dispatch_charts):
        h, m = fn(data)
        figures += h
        fig_md += m
    r_html, r_md = reactor_tables(records, data)
    out += r_html
    md += r_md
    b_html, b_md = benchmarks_block(figures, fig_md, "loop", NOTE)
    out += b_html
    md += b_md
    return "\n".join(out), "\n".join(md)
