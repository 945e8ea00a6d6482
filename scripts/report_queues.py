"""Queue section of the gauntlet report.

Reads the Google Benchmark JSON of build/bench/queues/bench_queues (stem
"bench_queues") and the queue verdict records (component "queue.*"), and
renders:

* per contract (spsc.bounded, mpmc.unbounded, ...), a throughput chart
  (items/s per entry and producer/consumer shape, every entry side by side)
  and a latency chart (round-trip p50/p99/p99.9 per entry) with the
  cache-line round trip of the same run drawn as the floor;
* the ratio table the queue issue asks for: in-house spsc_ring against Boost
  spsc_queue, in-house vyukov_mpmc_queue against atomic_queue and against
  moodycamel ConcurrentQueue, 1P1C throughput; a ratio >= 1.0 is "met";

Benchmark names (bench/queues/bench_queues.cpp):
  queue_throughput/<contract>/<entry>/<P>P<C>C   items_per_second
  queue_latency/<contract>/<entry>               p50_ns, p99_ns, p999_ns
  cacheline_roundtrip                            p50_ns, p99_ns, p999_ns

The module is imported by scripts/report.py, which calls `section`.
"""

from __future__ import annotations

import html
import pathlib

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

BENCH_STEM = "bench_queues"

# (label, in-house entry, peer entry, shape) — the performance bar.
RATIOS = [
    ("spsc_ring vs Boost spsc_queue", "spsc_ring", "boost_spsc_queue", "1P1C"),
    ("vyukov_mpmc_queue vs atomic_queue", "vyukov_mpmc_queue", "atomic_queue_b", "1P1C"),
    ("vyukov_mpmc_queue vs moodycamel ConcurrentQueue", "vyukov_mpmc_queue", "moodycamel_concurrent_queue", "1P1C"),
]


def parse_benchmarks(doc: dict) -> tuple[dict, dict, dict | None]:
    """Split a bench_queues JSON document into
    throughput[contract][entry][shape] = items/s,
    latency[contract][entry] = {"p50_ns", "p99_ns", "p999_ns"},
    floor = the cacheline_roundtrip latency dict (or None).
    Aggregates and benchmarks that reported an error are skipped; with
    repetitions, the first run of a name is kept."""
    throughput: dict = {}
    latency: dict = {}
    floor = None
    for b in doc.get("benchmarks", []):
        if b.get("run_type") == "aggregate" or b.get("error_occurred"):
            continue
        parts = b.get("name", "").split("/")
        if parts[0] == "queue_throughput" and len(parts) >= 4 and "items_per_second" in b:
            throughput.setdefault(parts[1], {}).setdefault(parts[2], {}).setdefault(parts[3], b["items_per_second"])
        elif parts[0] == "queue_latency" and len(parts) >= 3 and "p50_ns" in b:
            latency.setdefault(parts[1], {}).setdefault(parts[2], {k: b.get(k) for k in ("p50_ns", "p99_ns", "p999_ns")})
        elif parts[0] == "cacheline_roundtrip" and floor is None and "p50_ns" in b:
            floor = {k: b.get(k) for k in ("p50_ns", "p99_ns", "p999_ns")}
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


def plot_throughput(contract: str, entries: dict, path: pathlib.Path) -> None:
    """Grouped horizontal bars: one group per entry, one bar per shape."""
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
    fig.savefig(path, dpi=90)
    plt.close(fig)


def plot_latency(contract: str, entries: dict, floor: dict | None, path: pathlib.Path) -> None:
    """Grouped bars of p50/p99/p99.9 round-trip latency per entry, log scale,
    with the cache-line round trip p50 as a vertical floor line."""
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
    fig.savefig(path, dpi=90)
    plt.close(fig)


def section(records: list[dict], bench: dict[str, dict], assets: pathlib.Path) -> tuple[str, str]:
    """(html, markdown) of the queue section; charts are written into
    `assets` and referenced as assets/<file>.png."""
    assets = pathlib.Path(assets)
    assets.mkdir(parents=True, exist_ok=True)
    throughput, latency, floor = parse_benchmarks(bench.get(BENCH_STEM, {}))
    out = ["<h2>Queues</h2>"]
    md = ["## Queues", ""]
    if not throughput and not latency:
        out.append("<p>no queue benchmark results (run scripts/gauntlet report)</p>")
        md.append("no queue benchmark results")
    for contract in sorted(set(throughput) | set(latency)):
        out.append(f"<h3>queue.{html.escape(contract)}</h3>")
        if contract in throughput:
            name = f"queues-{contract}-throughput.png"
            plot_throughput(contract, throughput[contract], assets / name)
            out.append(f'<figure><img src="assets/{name}" alt="throughput {html.escape(contract)}">'
                       "<figcaption>items/s, 1 &lt;&lt; 20 items per iteration, producers on CPU 0, "
                       "consumers on CPU 1</figcaption></figure>")
        if contract in latency:
            name = f"queues-{contract}-latency.png"
            plot_latency(contract, latency[contract], floor, assets / name)
            out.append(f'<figure><img src="assets/{name}" alt="latency {html.escape(contract)}">'
                       "<figcaption>ping-pong round trip over two queues, two pinned threads; dashed: "
                       "one cache line ping-ponged (the floor)</figcaption></figure>")
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
    out.append("<h3>Performance bar: in-house / peer throughput (1P1C)</h3>")
    out.append('<table class="matrix"><tr><th>comparison</th><th>in-house</th><th>peer</th>'
               "<th>ratio</th><th>bar (&ge; 1.0)</th></tr>")
    md += ["### Performance bar: in-house / peer throughput (1P1C)", "",
           "| comparison | in-house | peer | ratio | bar (>= 1.0) |", "|---|---|---|---|---|"]
    for r in rows:
        ratio = "-" if r["ratio"] is None else f"{r['ratio']:.3f}"
        state = "not measured" if r["ratio"] is None else ("met" if r["met"] else "not met")
        cls = "na" if r["ratio"] is None else ("pass" if r["met"] else "mismatch")
        out.append(f"<tr><td>{html.escape(r['label'])}</td><td>{_fmt_rate(r['ours_items_per_s'])}</td>"
                   f"<td>{_fmt_rate(r['theirs_items_per_s'])}</td><td>{ratio}</td>"
                   f'<td class="{cls}">{state}</td></tr>')
        md.append(f"| {r['label']} | {_fmt_rate(r['ours_items_per_s'])} | {_fmt_rate(r['theirs_items_per_s'])} "
                  f"| {ratio} | {state} |")
    out.append("</table>")
    md.append("")

    md.append("")
    return "\n".join(out), "\n".join(md)
