"""Priority-queue section of the gauntlet report.

Reads the records of the priority-queue entries (components "pq.strict" and
"pq.relaxed") and of the loop-fed ones ("pq_loop.strict", "pq_loop.relaxed":
the queues feeding coalescing_loop) and renders:

* the verdict table of every priority-queue entry x check, origin beside the
  name (report.verdict_matrix: the same cells as the page's matrix);
* the kill-matrix rows of the priority-queue mutants (report.kill_matrix over
  these records only);
* the findings in the seed's port and the peer: each of their records whose
  verdict is fail, with its detail and the start of its trace;
* the throughput / rank-error trade-off as a chart: one point per non-mutant
  entry, x the one-producer-one-consumer throughput (bench, label benchmark
  "1p1c"), y the mean rank error of its pops (the property check's exact,
  sequential figure, metrics.rank_error.mean), the peer drawn hollow and
  labelled "(peer)"; and a table with both throughputs (1P1C and the
  oversubscribed 2P1C), the sequential pop latency (p50, p99), the exact
  sequential rank error (mean, max) and the stress check's certain
  concurrent rank error (metrics.rank_error.certain: mean, max);
* the loop-fed table: per entry and check (stress, tsan), the turns the high
  task waited behind the flood (metrics.max_lag_turns, the worst round) and
  the verdict.

The figures come from typed runs (metrics.runs) by their `benchmark` label
(bench/pq/bench_pq.cpp: "1p1c", "2p1c", "pop_latency") and from typed
metrics, never from names. A bench record that passed without runs, or a
run or a metric without the figure it promises, is an error naming the file
and field. Bench figures are single runs; the issue's throughput gate is
decided by interleaved pairs (scripts/pairs.py run --pairs A,B).
The module is imported by scripts/report.py, which calls `section`.
"""

from __future__ import annotations

import html

from report import (ReportError, bench_runs, benchmarks_block, family, figure_html, kill_matrix, pyplot, status_of,
                    verdict_matrix, where)
from report_loop import (_order, _rate, add_block, empty_section, entry_label, expectation_phrase,
                         failing_records_block, opening)

FAMILY = "pq"
LOOP_FAMILY = "pq_loop"  # the loop-fed entries (stress/pq/pq_loop.cpp)
THROUGHPUT = (("1p1c", "1P1C"), ("2p1c", "2P1C (oversubscribed)"))
FINDING_ORIGINS = ("seed", "peer")
TRACE_LINES = 18
LINE_CHARS = 200


def _number(rec: dict, value, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ReportError(f"{where(rec)}: field '{field}' missing or not a number")
    return float(value)


def _rank(rec: dict, block, field: str) -> tuple[float, float]:
    """(mean, max) of a rank-error block, or a ReportError naming the field."""
    if not isinstance(block, dict):
        raise ReportError(f"{where(rec)}: field '{field}' missing or not an object")
    return (_number(rec, block.get("mean"), f"{field}.mean"), _number(rec, block.get("max"), f"{field}.max"))


def parse_records(records: list[dict]) -> dict:
    """entries[entry] = {"origin", "1p1c", "2p1c": items/s, "p50_ns", "p99_ns",
    "rank_mean", "rank_max" (property, sequential), "stress_mean",
    "stress_max" (stress, certain)}; keys present only when measured. A
    failing property or stress record without figures (a crash, a hang) is
    left out; a passing one without them is an error."""
    entries: dict = {}
    for rec in records:
        if family(rec["component"]) != FAMILY or rec["verdict"] == "skip" or rec["origin"] == "mutant":
            continue
        e = entries.setdefault(rec["implementation"], {"origin": rec["origin"]})
        m = rec.get("metrics") or {}
        if rec["check"] == "bench":
            for i, run in bench_runs(rec):
                kind = run.get("benchmark")
                if kind in dict(THROUGHPUT) and kind not in e:
                    e[kind] = _number(rec, run.get("items_per_second"), f"metrics.runs[{i}].items_per_second")
                elif kind == "pop_latency" and "p50_ns" not in e:
                    e["p50_ns"] = _number(rec, run.get("p50_ns"), f"metrics.runs[{i}].p50_ns")
                    e["p99_ns"] = _number(rec, run.get("p99_ns"), f"metrics.runs[{i}].p99_ns")
        elif rec["verdict"] == "fail" and "rank_error" not in m:
            continue  # a crash or a hang records no figures
        elif rec["check"] == "property":
            e["rank_mean"], e["rank_max"] = _rank(rec, m.get("rank_error"), "metrics.rank_error")
        elif rec["check"] == "stress":
            block = m.get("rank_error")
            certain = block.get("certain") if isinstance(block, dict) else None
            e["stress_mean"], e["stress_max"] = _rank(rec, certain, "metrics.rank_error.certain")
    return {k: v for k, v in entries.items() if len(v) > 1}


def findings(records: list[dict]) -> tuple[str, str]:
    """(html, markdown): the failing records of the seed's port and the peer."""
    return failing_records_block(records, FINDING_ORIGINS, "the seed's port or the peer",
                                 trace_lines=TRACE_LINES, line_chars=LINE_CHARS)


def tradeoff_chart(entries: dict, names: list[str]) -> str:
    """Throughput (1P1C) against mean rank error, one point per entry."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7.5, 4.2))
    by_x = sorted(names, key=lambda n: entries[n]["1p1c"])  # neighbours on the x axis get different heights
    for n in names:
        k = by_x.index(n)
        v = entries[n]
        x, y = v["1p1c"] / 1e6, v["rank_mean"]
        peer = v["origin"] == "peer"
        ax.scatter([x], [y], s=60, facecolors="none" if peer else "#4a7ab5", edgecolors="#4a7ab5")
        ax.annotate(entry_label(n, v["origin"]), (x, y), textcoords="offset points", xytext=(6, 4 + 11 * (k % 3)), fontsize=8)  # staggered: points may be close
    ax.set_yscale("symlog", linthresh=0.1)
    ax.set_xlabel("1P1C throughput, million items/s (higher is better)")
    ax.set_ylabel("mean rank error per pop (lower is better)")
    ax.set_title("priority queues: throughput against rank error")
    ax.grid(True, linewidth=0.3)
    fig.tight_layout()
    return figure_html(fig, "priority queues: throughput against rank error", html.escape(
        "x: one producer, one consumer, pinned, single run; y: exact mean rank error of a sequential run "
        "(property check, 64 priorities); hollow, \"(peer)\": the peer"))


def _f(x, digits=".3g") -> str:
    return "-" if x is None else format(x, digits)


def charts(entries: dict) -> tuple[list[str], list[str]]:
    """(figures' html, markdown lines)."""
    if not entries:
        return [], []
    names = _order(entries)
    plotted = [n for n in names if "1p1c" in entries[n] and "rank_mean" in entries[n]]
    figs = [tradeoff_chart(entries, plotted)] if plotted else []
    md = ["| entry | 1P1C items/s | 2P1C items/s (oversubscribed) | pop p50 ns | pop p99 ns "
          "| rank error mean (sequential) | max | certain rank error mean (stress) | max |",
          "|---|---|---|---|---|---|---|---|---|"]
    for n in names:
        v = entries[n]
        md.append(f"| {entry_label(n, v['origin'])} | {_rate(v.get('1p1c'))} | {_rate(v.get('2p1c'))} "
                  f"| {_f(v.get('p50_ns'))} | {_f(v.get('p99_ns'))} | {_f(v.get('rank_mean'))} "
                  f"| {_f(v.get('rank_max'))} | {_f(v.get('stress_mean'))} | {_f(v.get('stress_max'))} |")
    md.append("")
    if not figs:
        return [], md
    return figs, md


NOTE = ("Single runs, threads pinned; a difference between two entries here is not a result. "
        "<code>scripts/pairs.py run --pairs A,B --exe build/bench/pq/bench_pq</code> gives the median of "
        "interleaved fresh-process pairs with its interval (the issue's gate: the best in-house strict entry "
        "against tbb_priority_queue, 1P1C). The stress check's rank error is a lower bound over every "
        "linearization of its recorded history.")


def loop_table(records: list[dict]) -> tuple[str, str]:
    """(html, markdown) of the loop-fed lag table, or empty strings."""
    rows = []
    for r in sorted((r for r in records if family(r["component"]) == LOOP_FAMILY and r["verdict"] != "skip"),
                    key=lambda r: (r["origin"] == "peer", r["implementation"], r["check"])):
        lag = (r.get("metrics") or {}).get("max_lag_turns")
        if lag is not None:
            lag = _number(r, lag, "metrics.max_lag_turns")
        st = status_of(r)
        said = {"ok": "as expected", "finding": "expected (finding)"}.get(st) or expectation_phrase(r)
        rows.append((entry_label(r["implementation"], r["origin"]), r["check"], "-" if lag is None else f"{lag:g}",
                     r["verdict"], said))
    if not rows:
        return "", ""
    head = ["entry", "check", "max lag (turns)", "verdict", "expected"]
    md = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    md += ["| " + " | ".join(row) + " |" for row in rows]
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    table = ("<table><tr>" + "".join(f"<th>{h}</th>" for h in head) + "</tr>" + body + "</table>")
    note = ("A high task pushed behind a flood of low ones, the loop popping one per turn: a strict queue must run "
            "it within 1 turn after the turn its push returned in; a relaxed queue's lag is recorded.")
    return (f"<h3>Feeding the loop</h3><p>{note}</p>{table}",
            "\n".join(["### Feeding the loop", "", note, ""] + md + [""]))


def section(records: list[dict]) -> tuple[str, str]:
    """(html, markdown) of the priority-queue section, chart embedded."""
    ours = [r for r in records if family(r["component"]) in (FAMILY, LOOP_FAMILY)]
    if not ours:
        return empty_section("Priority queues", "priority-queue")
    out, md = opening("Priority queues")
    add_block(out, md, "Verdicts", *verdict_matrix(ours))
    add_block(out, md, "Mutants caught", *kill_matrix(ours))
    l_html, l_md = loop_table(ours)
    if l_html:
        out.append(l_html)
        md.append(l_md)
    add_block(out, md, "Findings in the seed's port and the peer", *findings(ours))
    figures, fig_md = charts(parse_records(ours))
    if fig_md and not figures:
        fig_md = []
    b_html, b_md = benchmarks_block(figures, fig_md, "priority-queue", NOTE)
    out += b_html
    md += b_md
    return "\n".join(out), "\n".join(md)
