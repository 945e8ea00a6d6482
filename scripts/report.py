#!/usr/bin/python3
"""Build the gauntlet report from one or more results folders.

A results folder holds one record per entry x check, each a file
<check>.<component>.<implementation>.json written by the check harness
(primitives/harness/record.hpp). With --expect, a manifest (one JSON object
per line: check, component, implementation, expected; the check executables
print it with --manifest) says which records the run must have produced.

The report folder (default reports/latest) gets:
  index.html    one self-contained page (charts embedded): verdict matrix,
                model searches, linearizability histories, kill matrices,
                component sections (scripts/report_<name>.py), benchmark
                charts, findings and mismatches with their traces
  summary.md    the same in Markdown for CI logs
  results.json  every record read
  junit.xml     one test case per entry x check
  environment.json  the environment audit (scripts/audit.py: CPU, cores,
                SMT, governor, load, kernel, each results folder's build
                compiler and options), also printed and at the end of
                summary.md and index.html
The report is written to a temporary folder next to it and moved into place
only when complete; the previous report stays as it was until then.

The first line of summary.md and of index.html says "complete" or
"INCOMPLETE" (records missing or unreadable) and the number of mismatches.

Exit status: 0 when complete and every verdict holds its expectation; 1 when
incomplete, a record or section input is unreadable, or a verdict mismatches;
2 on bad arguments (--out an existing file, unreadable manifest).
"""

import argparse
import base64
import ctypes
import ctypes.util
import html
import importlib
import io
import json
import math
import os
import pathlib
import re
import shutil
import signal
import sys
import xml.etree.ElementTree as ET

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from audit import environment, environment_lines  # noqa: E402

CHECK_ORDER = ["property", "linearizability", "model", "stress", "tsan", "asan", "progress", "bench", "litmus", "sweep"]
ORIGINS = ("in-house", "seed", "published", "peer", "mutant")
VERDICTS = ("pass", "fail", "skip")
EXPECTS = ("pass", "fail", "flaky", "skip")
STATUSES = ("ok", "finding", "mismatch", "flaky", "skipped")
SECTIONS = ["report_queues", "report_loop", "report_deque", "report_pq", "report_pool", "report_litmus", "report_sweep"]
# components a section module draws its own benchmark charts for
SECTION_BENCH_PREFIXES = ("queue.", "reference", "loop", "timer", "dispatch", "deque.", "pq.", "pool")

# field -> (python types, allowed values or None)
REQUIRED = {
    "component": (str, None),
    "implementation": (str, None),
    "origin": (str, ORIGINS),
    "check": (str, tuple(CHECK_ORDER)),
    "verdict": (str, VERDICTS),
    "expected": (str, EXPECTS),
    "reason": (str, None),
    "status": (str, STATUSES),
    "detail": (str, None),
    "trace": (str, None),
    "seed": (str, None),
    "seconds": ((int, float), None),
    "metrics": (dict, None),
}


class ReportError(Exception):
    """An input the report cannot use; the message names the file (and field)."""


# --------------------------------------------------------------------------
# the one comparison rule


def status_of(rec):
    """How a record's verdict compares with its expectation: the rule of
    primitives/harness/expectation.hpp (status_of), stated once in Python.

    expected skip -> skipped; expected flaky -> flaky (recorded, not held);
    verdict skip while pass/fail was expected -> mismatch; verdict equal to
    the expectation -> finding when it is fail, ok when it is pass; any other
    verdict -> mismatch."""
    expected, verdict = rec["expected"], rec["verdict"]
    if expected == "skip":
        return "skipped"
    if expected == "flaky":
        return "flaky"
    if verdict == "skip":
        return "mismatch"
    held = (expected == "pass") == (verdict == "pass")
    if not held:
        return "mismatch"
    return "finding" if verdict == "fail" else "ok"


# --------------------------------------------------------------------------
# reading


def where(rec):
    """The file a record was read from (for error messages)."""
    return rec.get("_file", "<record>")


def field(rec, path, types, required=True):
    """rec's field at dotted `path` ("metrics.histories"), checked against
    `types`; None when absent and not required. Raises ReportError naming the
    file and the field."""
    value = rec
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            if required:
                raise ReportError(f"{where(rec)}: field '{path}' missing")
            return None
        value = value[part]
    if isinstance(value, bool) and bool not in (types if isinstance(types, tuple) else (types,)):
        raise ReportError(f"{where(rec)}: field '{path}' has the wrong type (bool)")
    if not isinstance(value, types):
        raise ReportError(f"{where(rec)}: field '{path}' has the wrong type ({type(value).__name__})")
    return value


def validate(rec, path):
    """Check one parsed record; raise ReportError naming `path` and the
    field on the first problem. Returns the record with `_file` set."""
    if not isinstance(rec, dict):
        raise ReportError(f"{path}: not a JSON object")
    rec["_file"] = str(path)
    for name, (types, allowed) in REQUIRED.items():
        value = field(rec, name, types)
        if allowed is not None and value not in allowed:
            raise ReportError(f"{path}: field '{name}' is '{value}', not one of {', '.join(allowed)}")
    if rec["expected"] in ("flaky", "skip") and not rec["reason"].strip():
        raise ReportError(f"{path}: field 'reason' is empty; an expectation '{rec['expected']}' needs its reason")
    if isinstance(rec["seconds"], float) and not math.isfinite(rec["seconds"]):
        raise ReportError(f"{path}: field 'seconds' is not a finite number")
    computed = status_of(rec)
    if computed != rec["status"]:
        raise ReportError(f"{path}: field 'status' is '{rec['status']}' but verdict {rec['verdict']} against "
                          f"expected {rec['expected']} is '{computed}'")
    return rec


def read_record(path):
    """One record file -> validated dict. Raises ReportError naming the file."""
    path = pathlib.Path(path)
    try:
        text = path.read_text()
    except (OSError, UnicodeDecodeError) as err:
        raise ReportError(f"{path}: cannot read: {err}") from None
    if not text.strip():
        raise ReportError(f"{path}: empty file")
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as err:
        raise ReportError(f"{path}: not valid JSON (truncated?): {err}") from None
    return validate(doc, path)


def key(rec):
    """(check, component, implementation): what identifies a record."""
    return (rec["check"], rec["component"], rec["implementation"])


def load_records(folders):
    """Read every record in the given results folders.

    Returns (records, errors): errors are one-line messages naming the file
    (a missing folder, an unreadable or invalid record, a duplicate).
    Files whose name starts with '.' are the writer's temporary files and
    are not records."""
    records, errors, seen = [], [], {}
    for folder in folders:
        folder = pathlib.Path(folder)
        if not folder.is_dir():
            errors.append(f"{folder}: results folder missing")
            continue
        for path in sorted(folder.glob("*.json")):
            try:
                rec = read_record(path)
            except ReportError as err:
                errors.append(str(err))
                continue
            if key(rec) in seen:
                errors.append(f"{path}: duplicate of {seen[key(rec)]} ({' '.join(key(rec))})")
                continue
            seen[key(rec)] = path
            records.append(rec)
    return records, errors


def load_manifest(path):
    """The manifest -> {(check, component, implementation): expected}.
    Raises ReportError naming the file and line."""
    path = pathlib.Path(path)
    try:
        lines = path.read_text().splitlines()
    except (OSError, UnicodeDecodeError) as err:
        raise ReportError(f"{path}: cannot read manifest: {err}") from None
    expected = {}
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            doc = json.loads(line)
        except json.JSONDecodeError as err:
            raise ReportError(f"{path}:{n}: not valid JSON: {err}") from None
        if not isinstance(doc, dict):
            raise ReportError(f"{path}:{n}: not a JSON object")
        for name in ("check", "component", "implementation", "expected"):
            if not isinstance(doc.get(name), str):
                raise ReportError(f"{path}:{n}: field '{name}' missing")
        expected[(doc["check"], doc["component"], doc["implementation"])] = doc["expected"]
    return expected


def reconcile(records, manifest):
    """Compare the records with the manifest.

    Returns (kept records, missing keys, errors, warnings): a record whose
    expectation differs from the manifest's is an error (a stale record);
    a record the manifest does not list is left out with a warning, except
    a `sweep` record (scripts/sweep.py: its own command, never planned)."""
    kept, errors, warnings = [], [], []
    have = set()
    for rec in records:
        k = key(rec)
        if k not in manifest and rec["check"] == "sweep":
            kept.append(rec)
            continue
        if k not in manifest:
            warnings.append(f"{where(rec)}: not in the manifest (left out of this report)")
            continue
        if manifest[k] != rec["expected"]:
            errors.append(f"{where(rec)}: expected '{rec['expected']}' but the manifest says '{manifest[k]}' "
                          "(stale record?)")
            continue
        have.add(k)
        kept.append(rec)
    missing = sorted(k for k in manifest if k not in have)
    return kept, missing, errors, warnings


# --------------------------------------------------------------------------
# rendering helpers


def figure_html(fig, alt, caption=""):
    """A matplotlib figure embedded as a PNG data: URI (the page stays one
    self-contained file). Closes the figure."""
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90)
    plt.close(fig)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    cap = f"<figcaption>{caption}</figcaption>" if caption else ""
    return (f'<figure><img src="data:image/png;base64,{data}" alt="{html.escape(alt)}" style="max-width:100%">'
            f"{cap}</figure>")


def pyplot():
    """matplotlib.pyplot with the Agg backend."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def anchor(rec):
    """A stable HTML id for one record's trace."""
    return "trace-" + re.sub(r"[^A-Za-z0-9_-]", "_", "-".join(key(rec)))


def short_count(n):
    """12.3k, 4.5M."""
    n = float(n)
    for unit, div in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if abs(n) >= div:
            return f"{n / div:.3g}{unit}"
    return f"{n:.0f}"


def model_searches(rec):
    """The model record's searches (list of dicts), checked. A pass verdict
    must say what search it rests on; a fail (a crash) may carry none."""
    need = rec["verdict"] == "pass"
    searches = field(rec, "metrics.searches", list, required=need)
    if searches is None:
        return []
    for i, s in enumerate(searches):
        if not isinstance(s, dict):
            raise ReportError(f"{where(rec)}: field 'metrics.searches[{i}]' is not an object")
        for name, types in (("scenario", str), ("mode", str), ("executions", int)):
            if not isinstance(s.get(name), types) or isinstance(s.get(name), bool):
                raise ReportError(f"{where(rec)}: field 'metrics.searches[{i}].{name}' missing or not a {types.__name__}")
    return searches


def search_phrase(s):
    """'full, 1.2k executions' / 'context bound 2, ...' / 'random seed 7, ...'."""
    mode = s["mode"]
    if "bound" in s:
        mode += f" (bound {s['bound']})"
    if s["mode"] == "random":
        mode += f" (seed {s.get('seed', '?')}, budget {s.get('budget', '?')})"
    n = s["executions"]
    return f"{s['scenario']}: {mode}, {short_count(n)} execution{'' if n == 1 else 's'}"


def model_cell_note(rec):
    """Compact search note for the verdict matrix: 'full 1.2k'."""
    try:
        searches = model_searches(rec)
    except ReportError:
        return ""
    modes = sorted({s["mode"] for s in searches})
    total = sum(s["executions"] for s in searches)
    return f"{'/'.join(modes)} {short_count(total)}" if searches else ""


# --------------------------------------------------------------------------
# tables


def ordered_checks(records):
    """Checks present, in the project's column order."""
    present = {r["check"] for r in records}
    return [c for c in CHECK_ORDER if c in present]


def cell(rec):
    """(css class, label) of a record in a matrix: the vocabulary is
    pass / fail / flaky / skip, plus finding and MISMATCH."""
    st = status_of(rec)
    if st == "ok":
        return "pass", "pass"
    if st == "finding":
        return "finding", "fail (finding)"
    if st == "skipped":
        return "skipped", "skip"
    if st == "flaky":
        return "flaky", f"{rec['verdict']} (flaky)"
    return "mismatch", f"MISMATCH: {rec['verdict']}, expected {rec['expected']}"


def verdict_matrix(records):
    """(html, markdown): implementation x check, one cell per record."""
    records = [r for r in records if r["check"] != "litmus"]
    checks = ordered_checks(records)
    rows = {}
    for r in records:
        rows.setdefault((r["component"], r["implementation"], r["origin"]), {})[r["check"]] = r
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
                out.append('<td class="absent">-</td>')
                cells.append("-")
                continue
            cls, label = cell(r)
            note = model_cell_note(r) if c == "model" and r["verdict"] != "skip" else ""
            title = r["detail"] + (f" [{r['reason']}]" if r["reason"] else "")
            text = html.escape(label) + (f'<br><small>{html.escape(note)}</small>' if note else "")
            if r["trace"] and cls in ("finding", "mismatch", "flaky"):
                text = f'<a href="#{anchor(r)}">{text}</a>'
            out.append(f'<td class="{cls}" title="{html.escape(title)}">{text}</td>')
            md_label = {"pass": "pass", "finding": "**fail (finding)**", "skipped": "skip",
                        "flaky": label, "mismatch": f"**{label}**"}[cls]
            cells.append(md_label + (f" ({note})" if note else ""))
        out.append("</tr>")
        md.append(f"| {comp} | {impl} | {origin} | " + " | ".join(cells) + " |")
    out.append("</table>")
    return "\n".join(out), "\n".join(md)


def family(component):
    """The component kind: 'queue.mpmc.bounded' -> 'queue'."""
    return component.split(".", 1)[0]


# Checks that are measurements, not correctness checks: no mutant is meant to
# fail them, so the kill matrix leaves them out and says why.
NOT_KILL_CHECKS = {"bench": "a measurement, not a correctness check; mutants are not timed (a broken "
                            "variant's speed is no result)",
                   "sweep": "weakens the swept entries' own orders; the hand mutants are compared with it in the "
                            "sweep section, not run by it"}


def kill_matrix(records):
    """(html, markdown): per component kind, every mutant x check. A check
    column that no mutant of the kind fails (held: expected fail) has no
    demonstrated power, and both tables say so."""
    kinds = {}
    for r in records:
        kinds.setdefault(family(r["component"]), []).append(r)
    out, md = [], []
    for kind, recs in sorted(kinds.items()):
        mutants = {}
        for r in recs:
            if r["origin"] == "mutant":
                mutants.setdefault((r["component"], r["implementation"]), {})[r["check"]] = r
        # a check every entry of the kind skips is not a column of the kind;
        # a measurement is not a correctness check (NOT_KILL_CHECKS)
        checks = [c for c in ordered_checks([r for r in recs if r["verdict"] != "skip"])
                  if c not in NOT_KILL_CHECKS]
        power = {c: any(m.get(c) is not None and status_of(m[c]) == "finding" for m in mutants.values())
                 for c in checks}
        out.append(f"<h3>{html.escape(kind)}</h3>")
        md.append(f"### {kind}\n")
        if not mutants:
            out.append("<p>no mutants: no check column of this kind has demonstrated power</p>")
            md.append("no mutants: no check column of this kind has demonstrated power\n")
            continue
        head = "".join(f"<th>{html.escape(c)}" + ("" if power[c] else '<br><span class="nopower">no demonstrated power</span>')
                       + "</th>" for c in checks)
        out.append(f'<table class="matrix"><tr><th>mutant</th>{head}<th>caught?</th></tr>')
        md.append("| mutant | " + " | ".join(c if power[c] else f"{c} (no demonstrated power)" for c in checks)
                  + " | caught? |")
        md.append("|---|" + "---|" * (len(checks) + 1))
        for (comp, impl), by_check in sorted(mutants.items()):
            cells, mcells = [], []
            for c in checks:
                r = by_check.get(c)
                if r is None:
                    state, cls = "-", "absent"
                else:
                    st = status_of(r)
                    if st == "finding":
                        state, cls = "caught", "finding"
                    elif st == "skipped":
                        state, cls = "skip", "skipped"
                    elif st == "flaky":
                        state, cls = f"{r['verdict']} (flaky)", "flaky"
                    elif st == "mismatch":
                        state, cls = f"MISMATCH: {r['verdict']}, expected {r['expected']}", "mismatch"
                    else:
                        state, cls = "survived", "absent"
                cells.append(f'<td class="{cls}">{html.escape(state)}</td>')
                mcells.append(state)
            caught = any(status_of(r) == "finding" for r in by_check.values())
            out.append(f"<tr><td>{html.escape(comp)}/{html.escape(impl)}</td>" + "".join(cells)
                       + f'<td class="{"pass" if caught else "mismatch"}">{"yes" if caught else "SURVIVED ALL"}</td></tr>')
            md.append(f"| {comp}/{impl} | " + " | ".join(mcells) + f" | {'yes' if caught else '**survived all**'} |")
        out.append("</table>")
        weak = [c for c in checks if not power[c]]
        if weak:
            out.append(f"<p>No demonstrated power ({html.escape(kind)}): {html.escape(', '.join(weak))}: no mutant "
                       "of this kind fails these checks as its expectation says.</p>")
            md.append(f"\nNo demonstrated power ({kind}): {', '.join(weak)}.")
        md.append("")
    for c, why in NOT_KILL_CHECKS.items():
        out.append(f"<p>Not a column here: {html.escape(c)}: {html.escape(why)}.</p>")
        md.append(f"Not a column here: {c}: {why}.")
    return "\n".join(out), "\n".join(md)


def model_table(records):
    """(html, markdown): per model record, the searches its verdict rests on,
    and the model checker's blind spots (stated once)."""
    rows = sorted((r for r in records if r["check"] == "model" and r["verdict"] != "skip"), key=key)
    if not rows:
        return "", ""
    out = ['<table class="matrix"><tr><th>component</th><th>implementation</th><th>verdict</th>'
           "<th>scenario</th><th>mode</th><th>bound / seed, budget</th><th>executions</th></tr>"]
    md = ["| component | implementation | verdict | searches |", "|---|---|---|---|"]
    blind = []
    for r in rows:
        searches = model_searches(r)
        spots = field(r, "metrics.blind_spots", (str, list), required=False)
        for s in [spots] if isinstance(spots, str) else (spots or []):
            if isinstance(s, str) and s not in blind:
                blind.append(s)
        cls, label = cell(r)
        span = max(1, len(searches))
        first = (f'<td rowspan="{span}">{html.escape(r["component"])}</td><td rowspan="{span}">'
                 f'{html.escape(r["implementation"])}</td><td rowspan="{span}" class="{cls}">{html.escape(label)}</td>')
        if not searches:
            out.append(f'<tr>{first}<td colspan="4">no search recorded ({html.escape(r["detail"])})</td></tr>')
        for i, s in enumerate(searches):
            extra = []
            if "bound" in s:
                extra.append(f"bound {s['bound']}")
            if "seed" in s:
                extra.append(f"seed {s['seed']}")
            if "budget" in s:
                extra.append(f"budget {s['budget']}")
            out.append(f"<tr>{first if i == 0 else ''}<td>{html.escape(str(s['scenario']))}</td>"
                       f"<td>{html.escape(str(s['mode']))}</td><td>{html.escape(', '.join(extra)) or '-'}</td>"
                       f"<td>{s['executions']}</td></tr>")
        md.append(f"| {r['component']} | {r['implementation']} | {label} | "
                  + ("; ".join(search_phrase(s) for s in searches) or "no search recorded") + " |")
    out.append("</table>")
    if blind:
        out.append("<p><b>What the model checker cannot see:</b> " + " ".join(html.escape(b) for b in blind) + "</p>")
        md.append("\nWhat the model checker cannot see: " + " ".join(blind))
    return "\n".join(out), "\n".join(md) + "\n"


def linearizability_table(records):
    """(html, markdown): histories checked per linearizability record."""
    rows = sorted((r for r in records if r["check"] == "linearizability" and r["verdict"] != "skip"), key=key)
    if not rows:
        return "", ""
    out = ['<table class="matrix"><tr><th>component</th><th>implementation</th><th>verdict</th><th>histories</th>'
           "<th>overlapping</th><th>inconclusive (over budget)</th></tr>"]
    md = ["| component | implementation | verdict | histories | overlapping | inconclusive |", "|---|---|---|---|---|---|"]
    for r in rows:
        need = r["verdict"] == "pass"
        figures = [field(r, f"metrics.{n}", int, required=need)
                   for n in ("histories", "overlapping_histories", "inconclusive_histories")]
        total = figures[0]

        def share(n):
            if n is None:
                return "-"
            return f"{n} ({n / total:.0%})" if total else str(n)

        cells = ["-" if figures[0] is None else str(figures[0]), share(figures[1]), share(figures[2])]
        cls, label = cell(r)
        out.append(f"<tr><td>{html.escape(r['component'])}</td><td>{html.escape(r['implementation'])}</td>"
                   f'<td class="{cls}">{html.escape(label)}</td>' + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
        md.append(f"| {r['component']} | {r['implementation']} | {label} | " + " | ".join(cells) + " |")
    out.append("</table>")
    return "\n".join(out), "\n".join(md) + "\n"


# --------------------------------------------------------------------------
# benchmarks (components without a section of their own)

MEASUREMENTS = {"real_ns", "cpu_ns", "iterations", "error", "aggregate"}


def is_measurement(name, value):
    """True for a run's figures (times, counters), False for its labels."""
    return (name in MEASUREMENTS or name.endswith("_ns") or name.endswith("_per_second")
            or isinstance(value, float))


def bench_runs(rec):
    """The record's benchmark runs (metrics.runs) as (index, run) pairs,
    errors and aggregates left out. A pass verdict must carry at least one
    run; a run without real_ns or iterations is an error naming the field."""
    runs = field(rec, "metrics.runs", list, required=rec["verdict"] == "pass")
    if runs is None:
        return []
    out = []
    for i, run in enumerate(runs):
        if not isinstance(run, dict):
            raise ReportError(f"{where(rec)}: field 'metrics.runs[{i}]' is not an object")
        for name in ("real_ns", "iterations"):
            if not isinstance(run.get(name), (int, float)):
                raise ReportError(f"{where(rec)}: field 'metrics.runs[{i}].{name}' missing")
        if run.get("error") or run.get("aggregate"):
            continue
        out.append((i, run))
    if rec["verdict"] == "pass" and not out:
        raise ReportError(f"{where(rec)}: field 'metrics.runs' holds no run without error")
    return out


def run_labels(run):
    """A run's labels as a sorted tuple of (name, value)."""
    # `name` is Google Benchmark's name (it holds the entry's): not a label
    return tuple(sorted((k, v) for k, v in run.items() if k != "name" and not is_measurement(k, v)))


def label_text(labels):
    """'benchmark=enter_exit threads=2' -> 'enter_exit, threads 2'."""
    parts = []
    for k, v in labels:
        parts.append(str(v) if k == "benchmark" else f"{k} {v}")
    return ", ".join(parts)


def bench_charts(records):
    """(html, markdown): for each component without a section of its own, a
    bar chart per benchmark (label 'benchmark'), one bar per entry and
    remaining labels: items/s where reported, else real time per iteration."""
    by_comp = {}
    for r in records:
        if r["check"] != "bench" or r["verdict"] == "skip" or r["component"].startswith(SECTION_BENCH_PREFIXES):
            continue
        for _, run in bench_runs(r):
            labels = run_labels(run)
            bench = dict(labels).get("benchmark", "benchmark")
            rest = tuple((k, v) for k, v in labels if k != "benchmark")
            by_comp.setdefault((r["component"], str(bench)), []).append((r["implementation"], rest, run))
    out, md = [], []
    for (comp, bench), rows in sorted(by_comp.items()):
        seen = set()
        rows = [x for x in rows if (x[0], x[1]) not in seen and not seen.add((x[0], x[1]))]
        use_items = all("items_per_second" in run for _, _, run in rows)
        unit = "million items/s (higher is better)" if use_items else "ns per iteration (lower is better)"
        labels = [impl + (f" [{label_text(rest)}]" if rest else "") for impl, rest, _ in rows]
        values = [run["items_per_second"] / 1e6 if use_items else run["real_ns"] for _, _, run in rows]
        plt = pyplot()
        fig, ax = plt.subplots(figsize=(7.5, 0.35 * len(labels) + 1.2))
        ax.barh(labels, values, color="#4a7ab5")
        ax.set_xlabel(unit)
        ax.set_title(f"{comp}: {bench}")
        ax.invert_yaxis()
        ax.tick_params(axis="y", labelsize=7)
        fig.tight_layout()
        out.append(figure_html(fig, f"{comp} {bench}", html.escape(f"{comp}: {bench}, {unit}; one run each, threads pinned")))
        md.append(f"### {comp}: {bench}\n\n| entry | {unit} |\n|---|---|")
        md += [f"| {lab} | {val:.4g} |" for lab, val in zip(labels, values)]
        md.append("")
    return "\n".join(out), "\n".join(md)


# --------------------------------------------------------------------------
# junit


_XML_BAD = re.compile(r"[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml_text(s):
    """Text XML 1.0 can carry (control characters dropped)."""
    return _XML_BAD.sub("", s)


def benchmarks_block(figures, fig_md, what, note):
    """A section's "Benchmarks" part: its figures, or a line saying there
    were no `what` benchmark runs, then the note. Returns (html lines,
    markdown lines)."""
    out, md = ["<h3>Benchmarks</h3>"], ["### Benchmarks", ""]
    if figures:
        out += figures
        md += fig_md
    else:
        out.append(f"<p>no {what} benchmark runs</p>")
        md += [f"no {what} benchmark runs", ""]
    out.append(f"<p>{note}</p>")
    md += [note.replace("<code>", "`").replace("</code>", "`"), ""]
    return out, md


def junit_xml(records, missing, errors):
    """One JUnit test case per entry x check: classname the component, name
    implementation.check. A mismatch is a failure with the detail (trace as
    its text); skip and flaky are skipped with the reason; a missing or
    unreadable record is an error."""
    suite = ET.Element("testsuite", name="gauntlet")
    failures = skipped = errs = 0
    for r in sorted(records, key=key):
        tc = ET.SubElement(suite, "testcase", classname=r["component"], name=f"{r['implementation']}.{r['check']}",
                           time=f"{float(r['seconds']):.3f}")
        st = status_of(r)
        if st == "mismatch":
            failures += 1
            f = ET.SubElement(tc, "failure", message=_xml_text(
                f"got {r['verdict']}, expected {r['expected']}: {r['detail']}"), type="mismatch")
            f.text = _xml_text(r["trace"])
        elif st in ("skipped", "flaky"):
            skipped += 1
            word = "skip" if st == "skipped" else f"flaky ({r['verdict']})"
            ET.SubElement(tc, "skipped", message=_xml_text(f"{word}: {r['reason']}"))
        else:
            out = ET.SubElement(tc, "system-out")
            out.text = _xml_text(("finding: " if st == "finding" else "") + r["detail"])
    for check, comp, impl in missing:
        errs += 1
        tc = ET.SubElement(suite, "testcase", classname=comp, name=f"{impl}.{check}", time="0")
        ET.SubElement(tc, "error", message="record missing: the run did not produce it", type="missing")
    for i, msg in enumerate(errors):
        errs += 1
        tc = ET.SubElement(suite, "testcase", classname="report", name=f"input.{i + 1}", time="0")
        ET.SubElement(tc, "error", message=_xml_text(msg), type="unreadable")
    total = len(records) + len(missing) + len(errors)
    suite.set("tests", str(total))
    suite.set("failures", str(failures))
    suite.set("errors", str(errs))
    suite.set("skipped", str(skipped))
    root = ET.Element("testsuites", tests=str(total), failures=str(failures), errors=str(errs))
    root.append(suite)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


# --------------------------------------------------------------------------
# the report

CSS = """
body{font-family:sans-serif;margin:2em;max-width:1400px}
table.matrix,table.litmus{border-collapse:collapse;font-size:13px}
table.matrix td,table.matrix th,table.litmus td,table.litmus th{border:1px solid #ccc;padding:3px 8px}
td.pass{background:#dff0d8} td.finding{background:#fcf8e3;font-weight:bold}
td.mismatch{background:#f2dede;font-weight:bold} td.absent{color:#999}
td.skipped{color:#777} td.flaky{background:#eee;color:#555;font-style:italic} td.notmet{background:#f7e1c8}
.nopower{color:#a94442;font-size:11px;font-weight:normal}
p.headline{font-size:18px;font-weight:bold} p.incomplete{color:#a94442}
pre{background:#f6f6f6;padding:8px;overflow:auto;max-height:400px;font-size:12px}
figure{display:inline-block;margin:8px}
"""


def headline(n_records, missing, errors, mismatched):
    """The first line of summary.md and index.html."""
    if missing or errors:
        parts = []
        if missing:
            parts.append(f"{len(missing)} expected record(s) missing")
        if errors:
            parts.append(f"{len(errors)} input(s) unreadable")
        return (f"INCOMPLETE: {', '.join(parts)}; {len(mismatched)} mismatch(es) among {n_records} records")
    return f"complete: {n_records} records, {len(mismatched)} mismatch(es)"


def render(records, out, missing=(), errors=(), warnings=(), env=None):
    """Write index.html, summary.md, results.json and junit.xml into the
    folder `out` (which must exist). Section and input errors found while
    rendering are added to `errors`. Returns (headline, mismatches, errors)."""
    errors = list(errors)
    missing = list(missing)
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
    records = sorted(records, key=key)

    def guarded(name, fn):
        try:
            return fn()
        except ReportError as err:
            errors.append(str(err))
            msg = f"{name}: {err}"
        except Exception as err:  # a broken section must not hide the verdicts
            msg = f"{name} failed: {err!r}"
            errors.append(msg)
        return f'<p class="incomplete">{html.escape(msg)}</p>', msg

    matrix_html, matrix_md = guarded("verdict matrix", lambda: verdict_matrix(records))
    kill_html, kill_md = guarded("kill matrix", lambda: kill_matrix(records))
    model_html, model_md = guarded("model searches", lambda: model_table(records))
    lin_html, lin_md = guarded("linearizability", lambda: linearizability_table(records))
    sections_html, sections_md = [], []
    for mod_name in SECTIONS:
        mod = importlib.import_module(mod_name)
        h, m = guarded(f"section {mod_name}", lambda mod=mod: mod.section(records))
        sections_html.append(h)
        sections_md.append(m)
    bench_html, bench_md = guarded("benchmarks", lambda: bench_charts(records))

    mismatched = [r for r in records if status_of(r) == "mismatch"]
    findings = [r for r in records if status_of(r) == "finding"]
    flaky = [r for r in records if status_of(r) == "flaky"]
    skipped = [r for r in records if status_of(r) == "skipped"]
    first = headline(len(records), missing, errors, mismatched)
    counts = (f"{len(records)} records: {len(records) - len(mismatched) - len(findings) - len(flaky) - len(skipped)} pass, "
              f"{len(findings)} findings (expected failures), {len(flaky)} flaky (recorded, not held), "
              f"{len(skipped)} skip, {len(mismatched)} mismatch(es)")

    traces = []
    for r in sorted(mismatched + findings + [r for r in flaky if r["verdict"] == "fail"], key=key):
        if r["trace"]:
            word = {"mismatch": "MISMATCH", "finding": "finding", "flaky": "flaky"}[status_of(r)]
            traces.append(f'<h3 id="{anchor(r)}">{word}: {html.escape(r["check"])}: {html.escape(r["component"])} / '
                          f'{html.escape(r["implementation"])}</h3><p>{html.escape(r["detail"])}</p>'
                          f"<pre>{html.escape(r['trace'])}</pre>")
    problems = ""
    if missing or errors:
        items = [f"<li>missing: {html.escape(' '.join(k))}</li>" for k in missing]
        items += [f"<li>{html.escape(e)}</li>" for e in errors]
        problems = f'<h2>Incomplete input</h2><ul class="incomplete">{"".join(items)}</ul>'
    warn_html = ""
    if warnings:
        warn_html = "<h2>Warnings</h2><ul>" + "".join(f"<li>{html.escape(w)}</li>" for w in warnings) + "</ul>"
    page = f"""<!doctype html><html><head><meta charset="utf-8"><title>gauntlet report</title>
<style>{CSS}</style></head><body>
<p class="headline{' incomplete' if missing or errors else ''}">{html.escape(first)}</p>
<h1>gauntlet report</h1>
<p>{html.escape(counts)}.</p>
{problems}
<h2>Verdict matrix</h2>
<p>Vocabulary: <b>pass</b>, <b>fail</b>, <b>flaky</b> (runs, recorded, not held; reason in the tooltip), <b>skip</b>
(does not run; reason in the tooltip). Green: pass as expected. Yellow: a finding, the check fails as the catalogue
expects (click for the trace or counterexample). Red: a verdict that differs from its expectation. Model cells
show the search mode and executions.</p>
{matrix_html}
<h2>Mutant kill matrix</h2>
{kill_html}
<h2>Model searches</h2>
{model_html or '<p>no model records</p>'}
<h2>Linearizability histories</h2>
{lin_html or '<p>no linearizability records</p>'}
{''.join(sections_html)}
<h2>Benchmarks</h2>
{bench_html or '<p>no other benchmark records</p>'}
<h2>Findings, flaky failures and mismatches</h2>
{''.join(traces) or '<p>none</p>'}
{warn_html}
<h2>Environment</h2>
<pre>{html.escape(chr(10).join(environment_lines(env)) if env else 'not recorded')}</pre>
</body></html>
"""
    md = [first, "", "# gauntlet summary", "", counts + ".", ""]
    if missing or errors:
        md += ["## Incomplete input", ""] + [f"- missing: {' '.join(k)}" for k in missing] + [f"- {e}" for e in errors] + [""]
    md += ["## Verdict matrix", "", matrix_md, "", "## Mutant kill matrix", "", kill_md, "",
           "## Model searches", "", model_md or "no model records", "",
           "## Linearizability histories", "", lin_md or "no linearizability records", ""]
    md += sections_md
    md += ["", "## Benchmarks", "", bench_md or "no other benchmark records", ""]
    if mismatched:
        md += ["## Mismatches", ""]
        md += [f"- {r['check']} {r['component']}/{r['implementation']}: got {r['verdict']}, expected {r['expected']}: "
               f"{r['detail']} ({r['_file']})" for r in mismatched]
    if warnings:
        md += ["", "## Warnings", ""] + [f"- {w}" for w in warnings]
    if env:
        md += ["", "## Environment", "", "```", *environment_lines(env), "```"]
    out = pathlib.Path(out)
    if env:
        (out / "environment.json").write_text(json.dumps(env, indent=1) + "\n")
    (out / "index.html").write_text(page)
    (out / "summary.md").write_text("\n".join(md) + "\n")
    public = [{k: v for k, v in r.items() if k != "_file"} for r in records]
    (out / "results.json").write_text(json.dumps(public, indent=1) + "\n")
    (out / "junit.xml").write_text(junit_xml(records, missing, errors))
    return first, len(mismatched), errors


def _exchange(a, b):
    """Atomically swap two directories (Linux renameat2 RENAME_EXCHANGE).
    Returns False when the system cannot."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    return fn(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0


def publish(tmp, out):
    """Move the finished report folder `tmp` to `out`, replacing a previous
    report at once (swap) where the system allows."""
    tmp, out = pathlib.Path(tmp), pathlib.Path(out)
    if not out.exists():
        os.rename(tmp, out)
        return
    if _exchange(tmp, out):
        shutil.rmtree(tmp)  # now the previous report
        return
    old = out.with_name(f".{out.name}.old-{os.getpid()}")
    os.rename(out, old)
    os.rename(tmp, out)
    shutil.rmtree(old)


def build(records, out, missing=(), errors=(), warnings=(), env=None):
    """Render into a temporary folder beside `out` and move it into place.
    Returns (headline, mismatches, errors)."""
    out = pathlib.Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp-{os.getpid()}")
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir()
    try:
        result = render(records, tmp, missing, errors, warnings, env)
        publish(tmp, out)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return result


def main(argv=None):
    """Command line entry point."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("results", nargs="+", help="results folders (one record *.json per entry x check)")
    ap.add_argument("--out", default="reports/latest", help="report folder (default: reports/latest)")
    ap.add_argument("--expect", metavar="FILE",
                    help="manifest: one JSON object per line (check, component, implementation, expected)")
    args = ap.parse_args(argv)
    if argv is None:
        # SIGTERM (scripts/gauntlet stopping a run) unwinds like Ctrl-C: the
        # temporary folder is removed and the previous report stays.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    out = pathlib.Path(args.out)
    if out.exists() and not out.is_dir():
        print(f"report: --out {out} exists and is not a folder", file=sys.stderr)
        return 2
    manifest = None
    if args.expect:
        try:
            manifest = load_manifest(args.expect)
        except ReportError as err:
            print(f"report: {err}", file=sys.stderr)
            return 2
    # the environment audit: the machine, and each results folder's build
    # (its parent, when it is a meson build folder)
    builds = {}
    for folder in args.results:
        parent = pathlib.Path(folder).resolve().parent
        if (parent / "meson-info").is_dir():
            builds[parent.name] = parent
    env = environment(builds, os.environ.get("GAUNTLET_PINNED_CPUS", ""))
    print("report: environment:")
    for line in environment_lines(env):
        print("report:   " + line)
    records, errors = load_records(args.results)
    missing, warnings = [], []
    if manifest is not None:
        records, missing, more, warnings = reconcile(records, manifest)
        errors += more
    elif not records and not errors:
        errors.append("no record found in " + ", ".join(args.results))
    try:
        first, bad, errors = build(records, out, missing, errors, warnings, env)
    except OSError as err:
        print(f"report: cannot write {out}: {err}", file=sys.stderr)
        return 1
    for e in errors:
        print(f"report: error: {e}", file=sys.stderr)
    for k in missing[:20]:
        print(f"report: missing: {' '.join(k)}", file=sys.stderr)
    if len(missing) > 20:
        print(f"report: ... and {len(missing) - 20} more missing (see summary.md)", file=sys.stderr)
    for w in warnings:
        print(f"report: warning: {w}", file=sys.stderr)
    print(f"report: {first}")
    for name in ("index.html", "summary.md", "results.json", "junit.xml", "environment.json"):
        print(f"report: {(out / name).resolve()}")
    return 0 if not bad and not errors and not missing else 1


if __name__ == "__main__":
    # Run as the module `report`, the one the section modules import, so that
    # ReportError raised in a section is the one caught here.
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
    import report

    sys.exit(report.main())
