"""Queue section of the gauntlet report.

Reads the queue bench records (check "bench", component "queue.<contract>")
and their typed runs (metrics.runs: one object per Google Benchmark run with
the labels the C++ gives: `benchmark` "throughput" or "latency", `producers`,
`consumers`; figures `items_per_second`, `p50_ns`, `p99_ns`, `p999_ns`), never
benchmark names, and renders:

* per contract (spsc.bounded, mpmc.unbounded, ...), a throughput chart
  (items/s per entry and producer/consumer shape, every entry side by side)
  and a latency chart (round-trip p50/p99/p99.9 per entry), with the
  cache-line round trip (the bench record of component "reference", or a
  run labelled `benchmark` "cacheline_roundtrip") drawn as the floor;
* the ratio table the queue issue asks for: in-house spsc_ring against Boost
  spsc_queue, in-house vyukov_mpmc_queue against atomic_queue and against
  moodycamel ConcurrentQueue, 1P1C throughput; a ratio >= 1.0 is "met".
  These are single runs; `scripts/gauntlet bench --pairs A,B` gives a ratio
  with an interval from interleaved runs.

Charts are embedded in the page (report.figure_html). A bench record that
passed without the runs it should carry is an error naming its file.
The module is imported by scripts/report.py, which calls `section`.
"""

from __future__ import annotations

import html

from report import ReportError, bench_runs, figure_html, pyplot, where

# (label, in-house entry, peer entry, shape) — the performance bar.
RATIOS = [
    ("spsc_ring vs Boost spsc_queue", "spsc_ring", "boost_spsc_queue", "1P1C"),
    ("vyukov_mpmc_queue vs atomic_queue", "vyukov_mpmc_queue", "atomic_queue_b", "1P1C"),
    ("vyukov_mpmc_queue vs moodycamel ConcurrentQueue", "vyukov_mpmc_queue", "moodycamel_concurrent_queue", "1P1C"),
]

PERCENTILES = ("p50_ns", "p99_ns", "p999_ns")


def _number(rec: dict, run: dict, i: int, name: str) -> float:
    """run[name] as a number, or a ReportError naming the file and field."""
    value = run.get(name)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ReportError(f"{where(rec)}: field 'metrics.runs[{i}].{name}' missing or not a number")
    return float(value)


def _count(rec: dict, run: dict, i: int, name: str) -> int:
    """run[name] as an int (a thread count label)."""
    value = run.get(name)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ReportError(f"{where(rec)}: field 'metrics.runs[{i}].{name}' missing or not an integer")
    return value


def parse_records(records: list[dict]) -> tuple[dict, dict, dict | None]:
    """From the queue bench records:
    throughput[contract][entry][shape] = items/s ("1P1C" from the labels),
    latency[contract][entry] = {"p50_ns", "p99_ns", "p999_ns"},
    floor = the cache-line round trip percentiles (or None).
    Runs with an error or an aggregate are left out (report.bench_runs);
    with repetitions, the first run of a shape is kept."""
    throughput: dict = {}
    latency: dict = {}
    floor = None
    for rec in records:
        if rec["check"] == "bench" and rec["component"] == "reference" and rec["verdict"] != "skip":
            for i, run in bench_runs(rec):
                if floor is None and "p50_ns" in run:
                    floor = {k: _number(rec, run, i, k) for k in PERCENTILES}
            continue
        if rec["check"] != "bench" or not rec["component"].startswith("queue.") or rec["verdict"] == "skip":
            continue
        contract = rec["component"][len("queue."):]
        entry = rec["implementation"]
        for i, run in bench_runs(rec):
            kind = run.get("benchmark")
            if kind == "throughput":
                shape = f"{_count(rec, run, i, 'producers')}P{_count(rec, run, i, 'consumers')}C"
                throughput.setdefault(contract, {}).setdefault(entry, {}).setdefault(
                    shape, _number(rec, run, i, "items_per_second"))
            elif kind == "latency":
                latency.setdefault(contract, {}).setdefault(entry, {k: _number(rec, run, i, k) for k in PERCENTILES})
            elif kind == "cacheline_roundtrip" and floor is None:
                floor = {k: _number(rec, run, i, k) for k in PERCENTILES}
    return throughput, latency, floor


def ratio_rows(throughput: dict) -> list[dict]:
    """The issue's ratios: in-house / peer 1P1C items/s, for the entries
    present in the run (searched across contracts). A row with a missing
    side has ratio None."""
    by_entry: dict = {}
    for contract, entries in throughput.items():
        for entry, shapes in entries.items():
            by_entry[entry] = shapes
    rows = []
    for label, ours, theirs, shape in RATIOS:
        a = by_entry.get(ours, {}).get(shape)
        b = by_entry.get(theirs, {}).get(shape)
        ratio = a / b if a and b else None
        rows.append({"label": label, "ours": ours, "theirs": theirs, "shape": shape,
                     "ours_items_per_s": a, "theirs_items_per_s": b, "ratio": ratio,
                     "met": ratio is not None and ratio >= 1.0})
    return rows


def _fmt_rate(x: float | None) -> str:
    """items/s in millions, or a dash."""
    return "-" if not x else f"{x / 1e6:.1f} M/s"


def plot_throughput(contract: str, entries: dict) -> str:
    """Grouped horizontal bars: one group per entry, one bar per shape;
    returns the embedded figure's html."""
    plt = pyplot()
    names = sorted(entries)
    shapes = sorted({s for e in entries.values() for s in e})
    fig, ax = plt.subplots(figsize=(7.5, 0.5 * len(names) * max(1, len(shapes)) + 1.4))
    height = 0.8 / max(1, len(shapes))
    colours = ["#4a7ab5", "#d98c3f", "#6aa56a", "#9467bd"]
    for i, shape in enumerate(shapes):
        ys = [n + i * height for n in range(len(names))]
        vals = [entries[e].get(shape, 0) / 1e6 for e in names]
        ax.barh(ys, vals, height=height, label=shape, color=colours[i % len(colours)])
    ax.set_yticks([n + height * (len(shapes) - 1) / 2 for n in range(len(names))])
    ax.set_yticklabels(names)
    ax.invert_yaxis()
    ax.set_xlabel("million items/s (higher is better)")
    ax.set_title(f"queue.{contract}: throughput")
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    return figure_html(fig, f"throughput {contract}",
                       "items/s per producer/consumer shape, producers and consumers pinned; one run each")


def plot_latency(contract: str, entries: dict, floor: dict | None) -> str:
    """Grouped bars of p50/p99/p99.9 round-trip latency per entry, log scale,
    with the cache-line round trip p50 as a vertical floor line; returns the
    embedded figure's html."""
    plt = pyplot()
    names = sorted(entries)
    keys = [("p50_ns", "p50"), ("p99_ns", "p99"), ("p999_ns", "p99.9")]
    fig, ax = plt.subplots(figsize=(7.5, 0.6 * len(names) * 3 * 0.5 + 1.6))
    height = 0.8 / len(keys)
    colours = ["#4a7ab5", "#d98c3f", "#b5474a"]
    for i, (key, label) in enumerate(keys):
        ys = [n + i * height for n in range(len(names))]
        vals = [max(entries[e].get(key) or 0, 1e-3) for e in names]
        ax.barh(ys, vals, height=height, label=label, color=colours[i])
    if floor and floor.get("p50_ns"):
        ax.axvline(floor["p50_ns"], color="black", linestyle="--", linewidth=1,
                   label=f"cache-line round trip p50 ({floor['p50_ns']:.0f} ns)")
    ax.set_xscale("log")
    ax.set_yticks([n + height for n in range(len(names))])
    ax.set_yticklabels(names)
    ax.invert_yaxis()
    ax.set_xlabel("round-trip latency, ns (log; lower is better)")
    ax.set_title(f"queue.{contract}: ping-pong round trip")
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    return figure_html(fig, f"latency {contract}",
                       "ping-pong round trip over two queues, two pinned threads"
                       + ("; dashed: one cache line ping-ponged (the floor)" if floor else ""))


def section(records: list[dict]) -> tuple[str, str]:
    """(html, markdown) of the queue section, charts embedded."""
    throughput, latency, floor = parse_records(records)
    out = ["<h2>Queues</h2>"]
    md = ["## Queues", ""]
    if not throughput and not latency:
        out.append("<p>no queue benchmark records</p>")
        md.append("no queue benchmark records")
    for contract in sorted(set(throughput) | set(latency)):
        out.append(f"<h3>queue.{html.escape(contract)}</h3>")
        if contract in throughput:
            out.append(plot_throughput(contract, throughput[contract]))
        if contract in latency:
            out.append(plot_latency(contract, latency[contract], floor))
        md.append(f"### queue.{contract}")
        md.append("")
        md.append("| entry | " + " | ".join(["throughput", "p50 ns", "p99 ns", "p99.9 ns"]) + " |")
        md.append("|---|---|---|---|---|")
        for entry in sorted(set(throughput.get(contract, {})) | set(latency.get(contract, {}))):
            shapes = throughput.get(contract, {}).get(entry, {})
            tp = ", ".join(f"{s} {_fmt_rate(v)}" for s, v in sorted(shapes.items())) or "-"
            lat = latency.get(contract, {}).get(entry, {})
            cells = [f"{lat[k]:.0f}" if lat.get(k) is not None else "-" for k in ("p50_ns", "p99_ns", "p999_ns")]
            md.append(f"| {entry} | {tp} | " + " | ".join(cells) + " |")
        md.append("")
    if floor:
        md.append(f"Cache-line round trip (floor): p50 {floor['p50_ns']:.0f} ns, p99 {floor['p99_ns']:.0f} ns, "
                  f"p99.9 {floor['p999_ns']:.0f} ns.")
        md.append("")

    rows = ratio_rows(throughput)
    out.append("<h3>Performance bar: in-house / peer throughput (1P1C, single runs)</h3>")
    out.append('<table class="matrix"><tr><th>comparison</th><th>in-house</th><th>peer</th>'
               "<th>ratio</th><th>bar (&ge; 1.0)</th></tr>")
    md += ["### Performance bar: in-house / peer throughput (1P1C, single runs)", "",
           "| comparison | in-house | peer | ratio | bar (>= 1.0) |", "|---|---|---|---|---|"]
    for r in rows:
        ratio = "-" if r["ratio"] is None else f"{r['ratio']:.3f}"
        state = "not measured" if r["ratio"] is None else ("met" if r["met"] else "not met")
        cls = "absent" if r["ratio"] is None else ("pass" if r["met"] else "notmet")
        out.append(f"<tr><td>{html.escape(r['label'])}</td><td>{_fmt_rate(r['ours_items_per_s'])}</td>"
                   f"<td>{_fmt_rate(r['theirs_items_per_s'])}</td><td>{ratio}</td>"
                   f'<td class="{cls}">{state}</td></tr>')
        md.append(f"| {r['label']} | {_fmt_rate(r['ours_items_per_s'])} | {_fmt_rate(r['theirs_items_per_s'])} "
                  f"| {ratio} | {state} |")
    out.append("</table>")
    out.append("<p>Single runs; <code>scripts/gauntlet bench --pairs A,B</code> measures a ratio with its interval "
               "from interleaved fresh-process pairs.</p>")
    md.append("")
    return "\n".join(out), "\n".join(md)
