#!/usr/bin/python3
"""Build the gauntlet report from one or more results folders.

A results folder holds one JSON record per implementation x check (written by
primitives/verdict.hpp) and Google Benchmark JSON files under bench/. The
report is reports/latest/index.html (verdict matrix, findings with their
traces, mutant kill matrix, benchmark charts and the component sections of
scripts/report_<name>.py), summary.md for CI logs and results.json, the list
of every record.

Exit status: 0 when every verdict matches its expectation, 1 when one does
not (or no record was found), 2 on bad arguments.
"""

import argparse
import html
import importlib
import json
import pathlib
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

CHECK_ORDER = ["property", "linearizability", "model", "stress", "tsan", "litmus", "bench"]
SECTIONS = ["report_queues", "report_litmus"]


def load_records(folders):
    """Return every verdict record found in the given results folders."""
    records = []
    for folder in folders:
        folder = pathlib.Path(folder)
        if not folder.is_dir():
            print(f"report: warning: no results folder {folder}", file=sys.stderr)
            continue
        for path in sorted(folder.glob("*.json")):
            for line in path.read_text().splitlines():
                if line.strip():
                    try:
                        records.append(json.loads(line))
                    except json.JSONDecodeError as err:
                        print(f"report: warning: {path}: {err}", file=sys.stderr)
    return records


def load_bench(folders):
    """Return {file stem: Google Benchmark JSON} for every bench/*.json file."""
    bench = {}
    for folder in folders:
        for path in sorted(pathlib.Path(folder).glob("bench/*.json")):
            try:
                bench[path.stem] = json.loads(path.read_text())
            except json.JSONDecodeError as err:
                print(f"report: warning: {path}: {err}", file=sys.stderr)
    return bench


def matches(rec):
    """True when the record's verdict is what its catalogue entry expects."""
    return rec.get("expected") in ("n/a", rec.get("verdict"))


def anchor(rec):
    """A stable HTML id for one record's trace."""
    return "trace-" + "-".join(
        str(rec.get(k, "")).replace("/", "_").replace(".", "_") for k in ("check", "component", "implementation"))


def cell_class(rec):
    """CSS class of a verdict-matrix cell."""
    if not matches(rec):
        return "mismatch"
    if rec.get("expected") == "n/a":
        return "unheld"  # reported, but the catalogue holds the entry to nothing here
    return "finding" if rec["verdict"] == "fail" else "pass"


def verdict_matrix(records):
    """(html, markdown) tables: implementation x check, findings marked."""
    checks = [c for c in CHECK_ORDER if any(r["check"] == c for r in records)]
    checks += sorted({r["check"] for r in records} - set(checks))
    rows = {}
    for r in records:
        if r["component"] == "litmus":
            continue
        rows.setdefault((r["component"], r["implementation"], r.get("origin", "")), {})[r["check"]] = r
    out = ['<table class="matrix"><tr><th>component</th><th>implementation</th><th>origin</th>']
    out += [f"<th>{html.escape(c)}</th>" for c in checks] + ["</tr>"]
    md = ["| component | implementation | origin | " + " | ".join(checks) + " |",
          "|---|---|---|" + "---|" * len(checks)]
    for (comp, impl, origin), by_check in sorted(rows.items()):
        out.append(f"<tr><td>{html.escape(comp)}</td><td>{html.escape(impl)}</td><td>{html.escape(origin)}</td>")
        cells = []
        for c in checks:
            r = by_check.get(c)
            if r is None:
                out.append('<td class="na">-</td>')
                cells.append("-")
                continue
            label = r["verdict"] + ("" if r["expected"] in ("n/a", r["verdict"]) else f" (expected {r['expected']})")
            if cell_class(r) == "finding":
                label = "finding"
            elif cell_class(r) == "unheld":
                label = f"{r['verdict']} (not held)"
            link = f'<a href="#{anchor(r)}">{html.escape(label)}</a>' if r.get("trace") else html.escape(label)
            out.append(f'<td class="{cell_class(r)}" title="{html.escape(r.get("detail", ""))}">{link}</td>')
            cells.append({"pass": "pass", "finding": "**finding**", "unheld": label,
                          "mismatch": f"**MISMATCH** ({label})"}[cell_class(r)])
        out.append("</tr>")
        md.append(f"| {comp} | {impl} | {origin} | " + " | ".join(cells) + " |")
    out.append("</table>")
    return "\n".join(out), "\n".join(md)


def kill_matrix(records):
    """(html, markdown): every mutant x check, caught or survived."""
    mutants = {}
    for r in records:
        if r.get("origin") == "mutant":
            mutants.setdefault((r["component"], r["implementation"]), {})[r["check"]] = r
    if not mutants:
        return "", ""
    checks = [c for c in CHECK_ORDER if any(c in m for m in mutants.values())]
    out = ['<table class="matrix"><tr><th>mutant</th>'] + [f"<th>{c}</th>" for c in checks] + ["<th>caught?</th></tr>"]
    md = ["| mutant | " + " | ".join(checks) + " | caught? |", "|---|" + "---|" * (len(checks) + 1)]
    for (comp, impl), by_check in sorted(mutants.items()):
        cells, mcells = [], []
        for c in checks:
            r = by_check.get(c)
            if r is None:
                state = "-"
            elif r["verdict"] == "fail":
                state = "caught" if r.get("expected") == "fail" else "caught (not held)"
            else:
                state = "survived"
            cls = {"caught": "finding", "caught (not held)": "unheld", "survived": "na", "-": "na"}[state]
            cells.append(f'<td class="{cls}">{state}</td>')
            mcells.append(state)
        # caught: by a check whose catalogue expectation holds it to failing
        caught = any(r["verdict"] == "fail" and r.get("expected") == "fail" for r in by_check.values())
        out.append(f"<tr><td>{html.escape(comp)}/{html.escape(impl)}</td>" + "".join(cells)
                   + f'<td class="{"pass" if caught else "mismatch"}">{"yes" if caught else "SURVIVED ALL"}</td></tr>')
        md.append(f"| {comp}/{impl} | " + " | ".join(mcells) + f" | {'yes' if caught else '**survived all**'} |")
    out.append("</table>")
    return "\n".join(out), "\n".join(md)


def bench_charts(bench, assets, skip=("bench_queues",)):
    """One bar chart per benchmark family (name before the first '/'), of
    items/s where reported, else real time; returns html."""
    parts = []
    for stem, doc in sorted(bench.items()):
        if stem in skip:
            continue
        families = {}
        for b in doc.get("benchmarks", []):
            if b.get("run_type") == "aggregate" or b.get("error_occurred"):
                continue
            family, _, rest = b["name"].partition("/")
            families.setdefault(family, []).append((rest, b))
        for family, runs in sorted(families.items()):
            use_items = all("items_per_second" in b for _, b in runs)
            labels = [rest for rest, _ in runs]
            values = [b["items_per_second"] / 1e6 if use_items else b["real_time"] for _, b in runs]
            unit = "million items/s" if use_items else runs[0][1].get("time_unit", "ns")
            fig, ax = plt.subplots(figsize=(7, 0.45 * len(labels) + 1.2))
            ax.barh(labels, values, color="#4a7ab5")
            ax.set_xlabel(unit)
            ax.set_title(family)
            ax.invert_yaxis()
            fig.tight_layout()
            name = f"{stem}-{family}.png".replace("/", "_")
            fig.savefig(assets / name, dpi=90)
            plt.close(fig)
            parts.append(f'<figure><img src="assets/{name}" alt="{html.escape(family)}">'
                         f"<figcaption>{html.escape(family)} ({html.escape(unit)}; same run, threads pinned)</figcaption></figure>")
    return "\n".join(parts)


CSS = """
body{font-family:sans-serif;margin:2em;max-width:1400px}
table.matrix{border-collapse:collapse;font-size:13px}
table.matrix td,table.matrix th{border:1px solid #ccc;padding:3px 8px}
td.pass{background:#dff0d8} td.finding{background:#fcf8e3;font-weight:bold}
td.mismatch{background:#f2dede;font-weight:bold} td.na{color:#999}
td.unheld{background:#eee;color:#555;font-style:italic}
pre{background:#f6f6f6;padding:8px;overflow:auto;max-height:400px;font-size:12px}
figure{display:inline-block;margin:8px}
"""


def build(records, bench, out):
    """Write index.html, summary.md, results.json into `out`; return the
    number of verdicts that differ from their expectation."""
    out.mkdir(parents=True, exist_ok=True)
    assets = out / "assets"
    assets.mkdir(exist_ok=True)
    mismatched = [r for r in records if not matches(r)]
    findings = [r for r in records if matches(r) and r["verdict"] == "fail"]
    matrix_html, matrix_md = verdict_matrix(records)
    kill_html, kill_md = kill_matrix(records)
    sections_html, sections_md = [], []
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
    for mod_name in SECTIONS:
        try:
            mod = importlib.import_module(mod_name)
        except ImportError:
            continue
        try:
            h, m = mod.section(records, bench, assets)
        except Exception as err:  # a broken section must not hide the verdicts
            h, m = f"<p>section {mod_name} failed: {html.escape(repr(err))}</p>", f"section {mod_name} failed: {err}"
            mismatched.append({"component": mod_name, "implementation": "-", "check": "report",
                               "verdict": "fail", "expected": "pass", "detail": repr(err)})
        sections_html.append(h)
        sections_md.append(m)
    status = "every verdict matches its expectation" if not mismatched else f"{len(mismatched)} verdict(s) differ from expectation"
    traces = []
    for r in sorted(findings + mismatched, key=lambda r: (r["component"], r["implementation"], r["check"])):
        if r.get("trace"):
            traces.append(f'<h3 id="{anchor(r)}">{html.escape(r["check"])}: {html.escape(r["component"])} / '
                          f'{html.escape(r["implementation"])}</h3><p>{html.escape(r.get("detail", ""))}</p>'
                          f"<pre>{html.escape(r['trace'])}</pre>")
    page = f"""<!doctype html><html><head><meta charset="utf-8"><title>gauntlet report</title>
<style>{CSS}</style></head><body>
<h1>gauntlet report</h1>
<p><b>{html.escape(status)}</b>: {len(records)} verdicts, {len(findings)} findings (expected failures of seeds and mutants).</p>
<h2>Verdict matrix</h2>
<p>Green: pass as expected. Yellow: a finding, the check fails as the catalogue expects (click for the trace or counterexample). Red: a verdict that differs from its expectation. Grey "(not held)": the check ran but the entry's catalogue expectation is n/a there (a verdict that depends on the schedule, or a promise the entry does not make; its comment says which).</p>
{matrix_html}
<h2>Mutant kill matrix</h2>
{kill_html or '<p>no mutants</p>'}
{''.join(sections_html)}
<h2>Benchmarks</h2>
{bench_charts(bench, assets)}
<h2>Findings and mismatches</h2>
{''.join(traces) or '<p>none</p>'}
</body></html>
"""
    (out / "index.html").write_text(page)
    md = [f"# gauntlet summary\n\n**{status}**: {len(records)} verdicts, {len(findings)} findings.\n",
          "## Verdict matrix\n", matrix_md, "\n## Mutant kill matrix\n", kill_md or "no mutants", ""]
    md += sections_md
    if mismatched:
        md.append("\n## Mismatches\n")
        md += [f"- {r['check']} {r['component']}/{r['implementation']}: got {r['verdict']}, expected {r['expected']}: {r.get('detail', '')}"
               for r in mismatched]
    (out / "summary.md").write_text("\n".join(md) + "\n")
    (out / "results.json").write_text(json.dumps(records, indent=1) + "\n")
    return len(mismatched)


def main(argv=None):
    """Command line entry point."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("results", nargs="+", help="results folders (records *.json, bench/*.json)")
    ap.add_argument("--out", default="reports/latest", help="output folder (default: reports/latest)")
    args = ap.parse_args(argv)
    records = load_records(args.results)
    if not records:
        print("report: no verdict records found in " + ", ".join(args.results), file=sys.stderr)
        return 1
    bench = load_bench(args.results)
    out = pathlib.Path(args.out)
    bad = build(records, bench, out)
    print(f"report: {len(records)} verdicts, {bad} mismatched")
    print(f"report: {(out / 'index.html').resolve()}")
    print(f"report: {(out / 'summary.md').resolve()}")
    print(f"report: {(out / 'results.json').resolve()}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
