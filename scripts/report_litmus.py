"""Litmus section of the gauntlet report.

Reads the litmus verdict records (check == "litmus", one per shape x
memory-order annotation, written by build/litmus/litmus; the figures below
are the record's `metrics`) and renders, per test, the three answers side by
side:

* declared: the outcomes the C++ memory model allows and forbids (with the
  reference the catalogue cites);
* model: the outcomes Relacy's full search reached (allowed outcomes it never
  reached are a model-checker limitation, marked, neither pass nor fail);
* hardware: the outcome histogram on the machine that ran the suite, with the
  rate of the weak (non-SC) outcome and its 95% Wilson interval when seen.

Rows classified "interesting" (an allowed weak outcome seen on hardware) and
"limitation" are marked; mutant rows whose forbidden outcome was caught are
findings. One small-multiples figure shows every histogram, bars coloured by
the declared status of the outcome, a dot on the outcomes the model reached;
it is embedded in the page.

A litmus record that passed must carry metrics `allowed`, `forbidden`, `weak`
and `classification`; one that does not is an error naming its file.
The module is imported by scripts/report.py, which calls `section`.
"""

from __future__ import annotations

import html
import math

from report import ReportError, cell, field, figure_html, pyplot, status_of, where

CLASS_LABEL = {
    "pass": "pass",
    "interesting": "interesting",
    "limitation": "limitation",
    "forbidden-seen": "forbidden seen",
    "model-error": "model error",
}


REQUIRED_METRICS = {"allowed": list, "forbidden": list, "weak": list, "classification": str}


def flatten(rec: dict) -> dict:
    """One litmus record as a flat row: its metrics, plus implementation,
    origin, verdict, expected and status. Raises ReportError naming the file
    and field when a record that passed lacks a figure it must carry."""
    for name, types in REQUIRED_METRICS.items():
        field(rec, f"metrics.{name}", types, required=rec["verdict"] == "pass")
    hist = rec["metrics"].get("hardware_histogram")
    if hist is not None and (not isinstance(hist, dict) or
                             not all(isinstance(v, int) and not isinstance(v, bool) for v in hist.values())):
        raise ReportError(f"{where(rec)}: field 'metrics.hardware_histogram' is not an object of counts")
    row = dict(rec["metrics"])
    for k in ("component", "implementation", "origin", "verdict", "expected", "reason", "detail"):
        row[k] = rec[k]
    row["status"] = status_of(rec)
    return row


def litmus_records(records: list[dict]) -> list[dict]:
    """The litmus records (flattened, skips left out) in catalogue order
    (metrics "catalogue_index"; rows without one sort by name after them,
    mutants last)."""
    rows = [flatten(r) for r in records if r.get("check") == "litmus" and r.get("verdict") != "skip"]
    return sorted(rows, key=lambda r: (r.get("origin") == "mutant", r.get("catalogue_index", 1 << 30),
                                       r.get("implementation", "")))


def _fmt_count(n: float) -> str:
    """A count in compact form (12.3k, 4.5M)."""
    n = float(n)
    for unit, div in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if n >= div:
            return f"{n / div:.3g}{unit}"
    return f"{n:.0f}"


def _weak_summary(r: dict) -> str:
    """Hardware answer in one phrase: weak outcome count, rate and interval."""
    hist = r.get("hardware_histogram")
    if hist is None:
        return "not run"
    n = r.get("iterations", 0)
    weak = [w for w in r.get("weak", []) if w not in r.get("forbidden", [])]
    bad = [o for o, c in hist.items() if c and o not in r.get("allowed", [])]
    parts = []
    if bad:
        parts.append("FORBIDDEN seen: " + ", ".join(f"{o} x{hist[o]}" for o in bad))
    if r.get("classification") == "interesting":
        k = r.get("weak_count", sum(hist.get(w, 0) for w in weak))
        parts.append(
            f"weak {'/'.join(weak)}: {k}/{n} = {r.get('weak_rate', k / max(n, 1)):.3g} "
            f"[{r.get('ci_low', 0):.3g}, {r.get('ci_high', 1):.3g}]"
        )
    elif not bad:
        parts.append(f"no weak outcome in {_fmt_count(n)} runs")
    rate = r.get("rate_per_s", 0)
    parts.append(f"{_fmt_count(rate)} outcomes/s")
    return "; ".join(parts)


def _model_summary(r: dict) -> str:
    """Model answer in one phrase: outcomes reached, and the allowed ones missed."""
    reached = r.get("model_outcomes")
    if reached is None:
        return "not run"
    s = f"{len(reached)} reached"
    bad = [o for o in reached if o not in r.get("allowed", [])]
    if bad:
        s += "; FORBIDDEN reached: " + ", ".join(bad)
    missing = r.get("model_missing", [])
    if missing:
        s += "; never reached allowed " + ", ".join(missing)
    return s


def _declared_summary(r: dict) -> str:
    """Declared answer: the weak outcome and whether the C++ model allows it."""
    weak = r.get("weak", [])
    forb = r.get("forbidden", [])
    parts = [f"{w} {'forbidden' if w in forb else 'allowed'}" for w in weak]
    parts += [f"{f} forbidden" for f in forb if f not in weak]
    return "weak " + ", ".join(parts) if parts else "-"


def plot_histograms(rows: list[dict]) -> str:
    """One figure, one panel per test: bar per outcome (log count), coloured by
    declared status, a dot where the model reached the outcome. Returns the
    embedded figure's html, empty when there is nothing to draw."""
    rows = [r for r in rows if r.get("hardware_histogram") is not None]
    if not rows:
        return ""
    plt = pyplot()
    cols = 4
    nrows = math.ceil(len(rows) / cols)
    fig, axes = plt.subplots(nrows, cols, figsize=(3.4 * cols, 2.5 * nrows), squeeze=False)
    colour = {"allowed": "#7a9cc6", "weak": "#e8a33d", "forbidden": "#c0392b"}
    for ax, r in zip(axes.flat, rows):
        hist = r["hardware_histogram"]
        outcomes = sorted(set(hist) | set(r.get("allowed", [])) | set(r.get("forbidden", [])))
        counts = [hist.get(o, 0) for o in outcomes]
        kinds = [
            "forbidden" if o not in r.get("allowed", []) else "weak" if o in r.get("weak", []) else "allowed"
            for o in outcomes
        ]
        x = range(len(outcomes))
        ax.bar(x, [c + 1 for c in counts], color=[colour[k] for k in kinds], log=True)
        reached = set(r.get("model_outcomes") or [])
        top = max(counts + [1]) * 3
        for i, o in enumerate(outcomes):
            if o in reached:
                ax.plot(i, top, "k.", markersize=5)
        ax.set_ylim(0.8, top * 4)
        ax.set_xticks(list(x))
        ax.set_xticklabels(outcomes, rotation=90 if len(outcomes) > 4 else 0, fontsize=6)
        ax.tick_params(axis="y", labelsize=6)
        cls = r.get("classification", "")
        mark = {"interesting": " [interesting]", "limitation": " [limitation]", "forbidden-seen": " [FORBIDDEN]"}
        ax.set_title(r["implementation"] + mark.get(cls, ""), fontsize=7)
    for ax in list(axes.flat)[len(rows):]:
        ax.axis("off")
    fig.suptitle(
        "litmus outcome histograms (count+1, log): blue allowed, orange allowed weak, red forbidden; "
        "dot = reached by Relacy",
        fontsize=8,
    )
    fig.tight_layout(rect=(0, 0, 1, 0.97))
    return figure_html(fig, "litmus outcome histograms")


def section(records: list[dict]) -> tuple[str, str]:
    """Render the litmus section: (html fragment, markdown fragment)."""
    rows = litmus_records(records)
    if not rows:
        msg = "No litmus records (run build/litmus/litmus or `meson test --suite litmus`)."
        return f"<h2>Litmus memory-order suite</h2><p>{msg}</p>", f"## Litmus memory-order suite\n\n{msg}\n"

    chart = plot_histograms(rows)

    counts: dict[str, int] = {}
    for r in rows:
        counts[r.get("classification", "?")] = counts.get(r.get("classification", "?"), 0) + 1
    mismatches = [r for r in rows if r["status"] == "mismatch"]
    findings = [r for r in rows if r["status"] == "finding"]
    summary = ", ".join(f"{v} {CLASS_LABEL.get(k, k)}" for k, v in sorted(counts.items()))
    cpus = max((int(r.get("cpus", 0)) for r in rows), default=0)
    shared = [r["implementation"] for r in rows if int(r.get("threads", 0)) > int(r.get("cpus", 0)) > 0]

    h = ["<h2>Litmus memory-order suite</h2>"]
    h.append(
        f"<p>{len(rows)} tests: {html.escape(summary)}; {len(findings)} finding(s) (mutants caught); "
        f"{len(mismatches)} verdict(s) differ from their expectation. Hardware runs used {cpus} CPU(s)"
        + (f"; tests with more threads than CPUs share cores ({html.escape(', '.join(shared))})." if shared else ".")
        + " Verdict fail iff a forbidden outcome was seen on hardware or reached by the model. "
        "<b>interesting</b>: an allowed weak outcome seen on this hardware; "
        "<b>limitation</b>: the model checker never reached an allowed outcome (a gap of the tool).</p>"
    )
    h.append(
        '<table class="litmus"><tr><th>test</th><th>origin</th><th>program</th><th>declared (C++ model)</th>'
        "<th>model (Relacy)</th><th>hardware</th><th>class</th><th>verdict</th><th>reference</th></tr>"
    )
    style = {
        "interesting": "background:#fff3d6",
        "limitation": "background:#eef2f7",
        "forbidden-seen": "background:#f9d6d2",
        "model-error": "background:#f9d6d2",
    }
    for r in rows:
        cls = r.get("classification", "")
        verdict = f"{r['verdict']} (expected {r['expected']})"
        if r["status"] == "finding":
            verdict += " FINDING"
        elif r["status"] == "mismatch":
            verdict += " MISMATCH"
        cells = [
            r.get("implementation", ""),
            r.get("origin", ""),
            r.get("program", ""),
            _declared_summary(r),
            _model_summary(r),
            _weak_summary(r),
            CLASS_LABEL.get(cls, cls),
            verdict,
            r.get("reference", ""),
        ]
        h.append(
            f'<tr style="{style.get(cls, "")}">' + "".join(f"<td>{html.escape(str(c))}</td>" for c in cells) + "</tr>"
        )
    h.append("</table>")
    if chart:
        h.append(chart)

    m = ["## Litmus memory-order suite", ""]
    m.append(f"{len(rows)} tests: {summary}; {len(findings)} finding(s); {len(mismatches)} mismatch(es).")
    m.append("")
    m.append("| test | origin | declared | model (Relacy) | hardware | class | verdict |")
    m.append("|---|---|---|---|---|---|---|")
    for r in rows:
        cls = r.get("classification", "")
        mark = {"interesting": "**interesting**", "limitation": "_limitation_"}.get(cls, CLASS_LABEL.get(cls, cls))
        v = cell(r)[1]
        cells = [r.get("implementation", ""), r.get("origin", ""), _declared_summary(r), _model_summary(r),
                 _weak_summary(r), mark, v]
        m.append("| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |")
    if chart:
        m += ["", "(outcome histograms: see index.html)"]
    m.append("")
    return "\n".join(h), "\n".join(m)
