"""Work-stealing deque section of the gauntlet report.

Reads the records of the deque entries (component "deque.work_stealing" and
"deque.work_stealing.bounded") and renders:

* the verdict table of every deque entry x check, origin beside the name
  (report.verdict_matrix: the same cells as the page's matrix);
* the kill-matrix rows of the deque mutants (report.kill_matrix over the
  deque records only: the same rows as the page's kill matrix);
* the findings in the published port and the peer: each of their records
  whose verdict is fail, with its detail and the start of its trace (the
  linearizability check's history, the property's shrunk sequence, the
  sanitizer's first frames), and whether the failure was expected;
* a chart of the benchmark figures, every non-mutant entry side by side, the
  peer hatched and labelled "(peer)": million items per second for the
  owner's push+pop in batches of 64, one push+pop, one thief's steals and
  the owner's pushes while a thief steals; and a table with the same figures
  plus the thief's share of the items (stolen_share) and the failed steals
  per item stolen (failed_steals_per_item).

The figures come from typed runs (metrics.runs) by their `benchmark` label
(bench/deque/bench_deque.cpp: "batch64", "single", "steal",
"owner_with_thief"), never by benchmark names. A bench record that passed
without runs, or a run without the figure its label promises, is an error
naming the file (and field). These are single runs; the issue's 4x claim
is decided by interleaved pairs (scripts/pairs.py run --pairs A,B).
The module is imported by scripts/report.py, which calls `section`.
"""

from __future__ import annotations

from report import ReportError, bench_runs, benchmarks_block, family, kill_matrix, verdict_matrix, where
from report_loop import (_order, _rate, _scaled, add_block, empty_section, entry_label, failing_records_block,
                         grouped_bars, opening)

FAMILY = "deque"
# (label `benchmark`, what the chart and table call it)
BENCHMARKS = (("batch64", "push+pop, batches of 64"), ("single", "push+pop, one at a time"),
              ("steal", "one thief's steals"), ("owner_with_thief", "owner, thief stealing"))
# optional counters, by benchmark: (counter, table heading)
EXTRAS = {"steal": ("failed_steals_per_item", "failed steals per item"),
          "owner_with_thief": ("stolen_share", "stolen share")}
FINDING_ORIGINS = ("published", "peer")
TRACE_LINES = 18
LINE_CHARS = 200


def _number(rec: dict, run: dict, i: int, name: str) -> float:
    """run[name] as a number, or a ReportError naming the file and field."""
    value = run.get(name)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ReportError(f"{where(rec)}: field 'metrics.runs[{i}].{name}' missing or not a number")
    return float(value)


def parse_records(records: list[dict]) -> dict:
    """entries[entry] = {"origin", benchmark: items/s, benchmark + ":" + counter: value}
    for every deque bench record that ran (keys present only when measured;
    with repetitions the first run of a kind is kept)."""
    entries: dict = {}
    for rec in records:
        if family(rec["component"]) != FAMILY or rec["check"] != "bench" or rec["verdict"] == "skip":
            continue
        for i, run in bench_runs(rec):
            kind = run.get("benchmark")
            if kind not in dict(BENCHMARKS):
                continue
            e = entries.setdefault(rec["implementation"], {"origin": rec["origin"]})
            if kind in e:
                continue
            e[kind] = _number(rec, run, i, "items_per_second")
            extra = EXTRAS.get(kind)
            if extra and extra[0] in run:
                e[f"{kind}:{extra[0]}"] = _number(rec, run, i, extra[0])
    return entries


def findings(records: list[dict]) -> tuple[str, str]:
    """(html, markdown): the failing records of the published port and the peer."""
    return failing_records_block(records, FINDING_ORIGINS, "the published port or the peer",
                                 trace_lines=TRACE_LINES, line_chars=LINE_CHARS)


def charts(entries: dict) -> tuple[list[str], list[str]]:
    """(figures' html, markdown lines) of the benchmark figures."""
    if not entries:
        return [], []
    names = _order(entries)
    kinds = [(k, lab) for k, lab in BENCHMARKS if any(k in entries[e] for e in names)]
    fig = grouped_bars(
        "deques: owner and thief throughput", names, [entries[e]["origin"] for e in names],
        [(lab, [_scaled(entries[e].get(k), 1e6) for e in names]) for k, lab in kinds],
        "million items/s (higher is better)",
        "owner on one pinned CPU, thief on the other; batches of 64 and single push+pop with no thief")
    extras = [(k, counter, head) for k, (counter, head) in EXTRAS.items()
              if any(f"{k}:{counter}" in entries[e] for e in names)]
    md = ["| entry | " + " | ".join(f"{lab} items/s" for _, lab in kinds)
          + "".join(f" | {head}" for _, _, head in extras) + " |",
          "|---|" + "---|" * (len(kinds) + len(extras))]
    for e in names:
        v = entries[e]
        cells = [_rate(v.get(k)) for k, _ in kinds]
        cells += ["-" if f"{k}:{c}" not in v else f"{v[f'{k}:{c}']:.3g}" for k, c, _ in extras]
        md.append(f"| {entry_label(e, v['origin'])} | " + " | ".join(cells) + " |")
    md.append("")
    return [fig], md


NOTE = ("Single runs, threads pinned; a difference between two entries here is not a result. "
        "<code>scripts/pairs.py run --pairs A,B --exe build/bench/deque/bench_deque</code> gives the median of "
        "interleaved fresh-process pairs with its interval (the issue's gate: chase_lev against mutex_deque, "
        "batches of 64).")


def section(records: list[dict]) -> tuple[str, str]:
    """(html, markdown) of the deque section, chart embedded."""
    ours = [r for r in records if family(r["component"]) == FAMILY]
    if not ours:
        return empty_section("Work-stealing deques", "deque")
    out, md = opening("Work-stealing deques")
    add_block(out, md, "Verdicts", *verdict_matrix(ours))
    add_block(out, md, "Mutants caught", *kill_matrix(ours))
    add_block(out, md, "Findings in the published port and the peer", *findings(ours))
    figures, fig_md = charts(parse_records(ours))
    b_html, b_md = benchmarks_block(figures, fig_md, "deque", NOTE)
    out += b_html
    md += b_md
    return "\n".join(out), "\n".join(md)
