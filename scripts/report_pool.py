"""Work-pool section of the gauntlet report.

Reads the records of the pool entries (component "pool") and of the
pool-to-loop bridge pairs (component "pool.bridge") and renders:

* the verdict table of every pool entry x check and of every bridge pair x
  check (report.verdict_matrix: the same cells as the page's matrix);
* the kill-matrix rows of the pool and bridge mutants (report.kill_matrix
  over these records only);
* the fairness figures the property check records per entry: hand-offs of
  the ping-pong pair before the third job ran (hog_handoffs_before_third)
  and chain jobs before the outside job ran (outside_jobs_before), against
  the stated bound (bound);
* the findings of the peer: each of its records whose verdict is fail, with
  its detail, and whether the failure was expected;
* a chart of the benchmark figures, every non-mutant pool side by side, the
  peer hatched and labelled "(peer)": million jobs per second for spawn
  from outside, spawn from inside a worker, yield-many, ping-pong and
  chained spawn, and the same figures as a table.

Figures come from typed runs (metrics.runs) by their `benchmark` label
(bench/pool/bench_pool.cpp), never by benchmark names; a bench record that
passed without runs, or a run without items_per_second, is an error naming
the file (and field). These are single runs: claims between two pools are
made with interleaved pairs (scripts/pairs.py run --pairs A,B).
The module is imported by scripts/report.py, which calls `section`.
"""

from __future__ import annotations

import html

from report import ReportError, bench_runs, benchmarks_block, family, kill_matrix, status_of, verdict_matrix, where
from report_loop import (_order, _rate, _scaled, add_block, empty_section, entry_label, expectation_phrase,
                         failing_records_block, grouped_bars, opening)

FAMILY = "pool"
BRIDGE = "pool.bridge"
BENCHMARKS = (("spawn_outside", "spawn from outside"), ("spawn_inside", "spawn from inside"),
              ("yield_many", "yield-many"), ("ping_pong", "ping-pong"), ("chained_spawn", "chained spawn"))
LATENCY = "bridge_latency"
PERCENTILES = (("p50_ns", "p50"), ("p99_ns", "p99"), ("p999_ns", "p99.9"))
FAIRNESS = (("hog_handoffs_before_third", "ping-pong hog: hand-offs before the third job"),
            ("outside_jobs_before", "outside progress: chain jobs before the outside job"))


def _number(rec: dict, run: dict, i: int, name: str) -> float:
    value = run.get(name)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ReportError(f"{where(rec)}: field 'metrics.runs[{i}].{name}' missing or not a number")
    return float(value)


def parse_records(records: list[dict]) -> dict:
    """entries[entry] = {"origin", benchmark: jobs/s ...} for every pool bench
    record that ran, and entries[pair] = {"origin", "latency:p50_ns" ...} for
    every bridge pair's bench record that ran (bridge_latency; the first run
    of a kind is kept)."""
    entries: dict = {}
    for rec in records:
        if rec["component"] not in (FAMILY, BRIDGE) or rec["check"] != "bench" or rec["verdict"] == "skip":
            continue
        for i, run in bench_runs(rec):
            kind = run.get("benchmark")
            if kind == LATENCY and rec["component"] == BRIDGE:
                e = entries.setdefault(rec["implementation"], {"origin": rec["origin"]})
                for q, _ in PERCENTILES:
                    e.setdefault(f"latency:{q}", _number(rec, run, i, q))
                continue
            if kind not in dict(BENCHMARKS) or rec["component"] != FAMILY:
                continue
            e = entries.setdefault(rec["implementation"], {"origin": rec["origin"]})
            if kind not in e:
                e[kind] = _number(rec, run, i, "items_per_second")
    return entries


def _held(rec: dict) -> str:
    """How a record's verdict compares with its expectation, pass or fail."""
    st = status_of(rec)
    if st == "ok":
        return "as expected"
    if st == "mismatch":
        return f"MISMATCH: expected {rec['expected']}"
    return expectation_phrase(rec)


def fairness(records: list[dict]) -> tuple[str, str]:
    """(html, markdown): the property check's fairness figures per entry."""
    rows = []
    for rec in sorted(records, key=lambda r: (r["origin"] == "mutant", r["origin"] == "peer", r["implementation"])):
        if rec["component"] != FAMILY or rec["check"] != "property" or rec["verdict"] == "skip":
            continue
        m = rec.get("metrics") or {}
        cells = []
        for key, _ in FAIRNESS:
            v = m.get(key)
            cells.append("-" if isinstance(v, bool) or not isinstance(v, (int, float)) else str(int(v)))
        bound = m.get("bound")
        rows.append((rec, cells, "-" if not isinstance(bound, (int, float)) else str(int(bound))))
    if not rows:
        return "<p>no pool property records</p>", "no pool property records\n"
    head = ["entry"] + [lab for _, lab in FAIRNESS] + ["bound", "verdict"]
    md = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out = ["<table><tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in head) + "</tr>"]
    for rec, cells, bound in rows:
        verdict = f"{rec['verdict']} ({_held(rec)})"
        name = entry_label(rec["implementation"], rec["origin"])
        md.append(f"| {name} | " + " | ".join(cells) + f" | {bound} | {verdict} |")
        out.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in [name, *cells, bound, verdict]) + "</tr>")
    out.append("</table>")
    note = ("A dash: not recorded (the scenario stopped earlier: a stranded job). "
            "Counts, not times: the machine's load does not move them.")
    return "\n".join(out) + f"<p>{note}</p>", "\n".join(md) + f"\n\n{note}\n"


def peer_findings(records: list[dict]) -> tuple[str, str]:
    """(html, markdown): the peer's failing records, by entry (component)."""
    return failing_records_block(records, ("peer",), "the peer", label="component", traces=False)


def charts(entries: dict) -> tuple[list[str], list[str]]:
    pools = {e: v for e, v in entries.items() if any(k in v for k, _ in BENCHMARKS)}
    pairs = {e: v for e, v in entries.items() if f"latency:{PERCENTILES[0][0]}" in v}
    figs: list[str] = []
    md: list[str] = []
    if pools:
        names = _order(pools)
        kinds = [(k, lab) for k, lab in BENCHMARKS if any(k in pools[e] for e in names)]
        figs.append(grouped_bars(
            "work pools: jobs per second", names, [pools[e]["origin"] for e in names],
            [(lab, [_scaled(pools[e].get(k), 1e6) for e in names]) for k, lab in kinds],
            "million jobs/s (higher is better)",
            "2 workers; wall time from the first submission to the end of the drain"))
        md += ["| entry | " + " | ".join(f"{lab} jobs/s" for _, lab in kinds) + " |", "|---|" + "---|" * len(kinds)]
        for e in names:
            md.append(f"| {entry_label(e, pools[e]['origin'])} | "
                      + " | ".join(_rate(pools[e].get(k)) for k, _ in kinds) + " |")
        md.append("")
    if pairs:
        md += [LATENCY_TITLE, "", "| pair | " + " | ".join(lab for _, lab in PERCENTILES) + " |",
               "|---|" + "---|" * len(PERCENTILES)]
        for e in _order(pairs):
            md.append(f"| {entry_label(e, pairs[e]['origin'])} | "
                      + " | ".join(f"{pairs[e][f'latency:{q}'] / 1e3:.3g}" for q, _ in PERCENTILES) + " |")
        md.append("")
        figs.append(_md_table_html(md[md.index(LATENCY_TITLE) + 2:]))
    return figs, md


LATENCY_TITLE = ("Submit-to-completion through the bridge, per pool x loop pair (work_task: schedule() to "
                 "then(); promise_task: to the reaction), microseconds:")


def _md_table_html(lines: list[str]) -> str:
    rows = [[c.strip() for c in l.strip("|").split("|")] for l in lines if l.startswith("|") and "---" not in l]
    if not rows:
        return ""
    head, body = rows[0], rows[1:]
    return (f"<p>{html.escape(LATENCY_TITLE)}</p><table><tr>"
            + "".join(f"<th>{html.escape(h)}</th>" for h in head) + "</tr>"
            + "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>" for r in body)
            + "</table>")


NOTE = ("Single runs; a difference between two entries here is not a result. "
        "<code>scripts/pairs.py run --pairs A,B --exe build/bench/pool/bench_pool</code> gives the median of "
        "interleaved fresh-process pairs with its interval (the issue's gate: work_stealing against "
        "global_queue and tbb, spawn from inside).")


def section(records: list[dict]) -> tuple[str, str]:
    """(html, markdown) of the pool section, chart embedded."""
    ours = [r for r in records if family(r["component"]) == FAMILY]
    if not ours:
        return empty_section("Work pools", "pool")
    out, md = opening("Work pools")
    pools = [r for r in ours if r["component"] == FAMILY]
    bridge = [r for r in ours if r["component"] == BRIDGE]
    for title, recs in (("Verdicts: pools", pools), ("Verdicts: the bridge to the loop", bridge)):
        if recs:
            add_block(out, md, title, *verdict_matrix(recs))
    add_block(out, md, "Mutants caught", *kill_matrix(ours))
    add_block(out, md, "Fairness (property check)", *fairness(ours))
    add_block(out, md, "Findings in the peer", *peer_findings(ours))
    figures, fig_md = charts(parse_records(ours))
    b_html, b_md = benchmarks_block(figures, fig_md, "pool", NOTE)
    out += b_html
    md += b_md
    return "\n".join(out), "\n".join(md)
