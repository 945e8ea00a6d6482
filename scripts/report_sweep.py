"""Memory-order sweep section of the gauntlet report.

Reads the `sweep` records (one per swept entry, written by scripts/sweep.py)
and renders, per component:

* one table of call sites per swept entry: file:line, operation, declared
  order, class (necessary / not shown necessary / relaxed), the weakest
  orders that still pass, and the killer of the weakest order (scenario and
  the first line of Relacy's result);
* where the sweep ran the ThreadSanitizer half (sweep.py --tsan-build), the
  outcome of each `not shown necessary` site's ThreadSanitizer stress at its
  weakest order (caught / passed / not run / error); a caught site is `necessary` with
  killer `tsan`;
* the share of declared orders shown necessary: a site whose every weaker
  order is caught, over the sites that have a weaker order;
* the hand-written order mutants beside the sweep's verdict on the same
  weakening of their base entry, and whether the two agree.

A sweep record without `metrics.sites`, or a site without the fields the
table needs, is an error naming the file and field. The module is imported
by scripts/report.py, which calls `section`.
"""

from __future__ import annotations

import html
import re

from report import ReportError, where

SITE_FIELDS = ("file", "line", "op", "declared", "class", "weakest_passing")
CLASSES = ("necessary", "not shown necessary", "relaxed", "pending")


def parse_records(records: list[dict]) -> dict:
    """components[component] = [(record, sites, mutants)] for every sweep record."""
    out: dict[str, list] = {}
    for r in records:
        if r["check"] != "sweep":
            continue
        sites = r["metrics"].get("sites")
        if not isinstance(sites, list):
            raise ReportError(f"{where(r)}: field 'metrics.sites' missing or not a list")
        for i, s in enumerate(sites):
            for f in SITE_FIELDS:
                if f not in s:
                    raise ReportError(f"{where(r)}: field 'metrics.sites[{i}].{f}' missing")
            if s["class"] not in CLASSES:
                raise ReportError(f"{where(r)}: field 'metrics.sites[{i}].class' is '{s['class']}'")
        mutants = r["metrics"].get("mutants", [])
        out.setdefault(r["component"], []).append((r, sites, mutants))
    return out


def killer_text(site: dict) -> str:
    """The killing scenario and the first line of the failing run's detail (`tsan: ...` for ThreadSanitizer)."""
    k = site.get("killer")
    if not k:
        return ""
    first = (k.get("detail") or "").split(" in scenario")[0]
    if k.get("check") == "tsan":
        return "tsan: " + re.sub(r" \(pid=\d+\)", "", first)
    return f"{k.get('scenario', '')}: {first}".strip(": ")


def resolution_text(site: dict) -> str:
    """How a `not shown necessary` site is resolved: another entry's scenario, a note at the site, or not."""
    if site["class"] != "not shown necessary":
        return ""
    r = site.get("resolution")
    if not r:
        return "UNRESOLVED: no scenario shows it and no note at the site says why"
    return ("scenario: " if r.get("how") == "scenario" else "note: ") + r.get("text", "")


def tsan_text(site: dict) -> str:
    """The ThreadSanitizer outcome of a site at its weakest order, or empty where none was run."""
    t = site.get("tsan")
    if not t:
        return ""
    if t["outcome"] in ("error", "not run"):
        return f"{t['outcome']}: {t.get('detail', '')[:120]}"
    return f"{t['outcome']} ({t['order']})"


def share(sites: list[dict]) -> tuple[int, int]:
    """(declared orders shown necessary, sites with a weaker order)."""
    ordered = [s for s in sites if s["class"] != "relaxed"]
    exact = [s for s in ordered if s["class"] == "necessary" and s["weakest_passing"] == [s["declared"]]
             and s.get("complete", True)]
    return len(exact), len(ordered)


def site_rows(sites: list[dict]) -> tuple[str, str]:
    """(html, markdown) table of one entry's sites."""
    tsan = any("tsan" in s for s in sites)
    head = ("site", "operation", "declared", "class", "weakest passing", "killer of the weakest order") + (
        ("ThreadSanitizer",) if tsan else ()) + ("resolution",)
    h = ["<table><tr>" + "".join(f"<th>{c}</th>" for c in head) + "</tr>"]
    md = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for s in sites:
        cells = (f"{s['file']}:{s['line']}", s["op"], s["declared"], s["class"], ", ".join(s["weakest_passing"]),
                 killer_text(s)) + ((tsan_text(s),) if tsan else ()) + (resolution_text(s),)
        cls = {"necessary": "ok", "not shown necessary": "finding"}.get(s["class"], "")
        h.append(f'<tr class="{cls}">' + "".join(f"<td>{html.escape(str(c))}</td>" for c in cells) + "</tr>")
        md.append("| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |")
    h.append("</table>")
    return "\n".join(h), "\n".join(md)


def mutant_rows(mutants: list[dict]) -> tuple[str, str]:
    """(html, markdown) table: hand mutant, its weakening, expectation, sweep verdict, agreement."""
    head = ("mutant", "weakening of the base", "model expectation", "sweep", "agrees")
    h = ["<table><tr>" + "".join(f"<th>{c}</th>" for c in head) + "</tr>"]
    md = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for m in mutants:
        w = "; ".join(f"{x['file']}:{x['line']} {x['op']} {x['declared']} -> {x['order']}" for x in m["weakenings"])
        agrees = {True: "yes", False: "NO", None: "not held"}[m.get("agrees")]
        cells = (m["mutant"], f"{m['base']}: {w}", m["expected"], m.get("sweep", ""), agrees)
        h.append("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in cells) + "</tr>")
        md.append("| " + " | ".join(str(c) for c in cells) + " |")
    h.append("</table>")
    return "\n".join(h), "\n".join(md)


def section(records: list[dict]) -> tuple[str, str]:
    """(html, markdown) of the sweep section."""
    comps = parse_records(records)
    out = ["<h2>Memory-order sweep</h2>"]
    md = ["## Memory-order sweep", ""]
    if not comps:
        out.append("<p>no sweep records (scripts/gauntlet sweep writes them)</p>")
        md += ["no sweep records (scripts/gauntlet sweep writes them)", ""]
        return "\n".join(out), "\n".join(md)
    note = ("Each order at each call site is weakened alone and the entry's model scenarios rerun. Relacy makes "
            "stores visible in execution order (no LB, 2+2W or S outcomes): a weakening only such an execution "
            "shows passes, so `not shown necessary` is no proof an order can be relaxed. Where the ThreadSanitizer "
            "column is filled, each `not shown necessary` site's ThreadSanitizer stress ran once with the site at "
            "its weakest order: `caught` makes it necessary (killer tsan); `passed` is one run, no proof.")
    out.append(f"<p>{html.escape(note)}</p>")
    md += [note, ""]
    all_exact = all_ordered = 0
    for comp in sorted(comps):
        out.append(f"<h3>{html.escape(comp)}</h3>")
        md += [f"### {comp}", ""]
        for rec, sites, mutants in sorted(comps[comp], key=lambda x: x[0]["implementation"]):
            exact, ordered = share(sites)
            all_exact += exact
            all_ordered += ordered
            pct = f"{100 * exact / ordered:.0f}%" if ordered else "none to weaken"
            line = (f"{rec['implementation']} ({rec['verdict']}): {len(sites)} sites; declared orders shown "
                    f"necessary: {exact} of {ordered} ({pct})")
            t = rec["metrics"].get("tsan")
            if t and t.get("tried"):
                line += (f"; ThreadSanitizer: {t['tried']} tried, {t['caught']} caught, {t['passed']} passed, "
                         f"{t.get('not run', 0)} not run, {t['error']} without a verdict")
            out.append(f"<h4>{html.escape(line)}</h4>")
            md += [f"#### {line}", ""]
            if rec["verdict"] != "pass":
                out.append(f'<p class="mismatch">{html.escape(rec["detail"])}</p>')
                md += [f"**{rec['detail']}**", ""]
            t_html, t_md = site_rows(sites)
            out.append(t_html)
            md += [t_md, ""]
            if mutants:
                m_html, m_md = mutant_rows(mutants)
                out += ["<p>hand-written order mutants of this entry</p>", m_html]
                md += ["hand-written order mutants of this entry:", "", m_md, ""]
    total = f"all swept entries: {all_exact} of {all_ordered} declared orders shown necessary"
    out.append(f"<p>{html.escape(total)}</p>")
    md += [total, ""]
    return "\n".join(out), "\n".join(md)
