"""The memory-order sweep: weaken every order at every call site, one at a
time, and say which ones the model checks show necessary.

The model programs (models/*/*_model) run over primitives/relacy_world.hpp,
whose every atomic operation and fence knows its call site. Two environment
variables drive it (the header states them): GAUNTLET_SWEEP_SITES makes a run
list every site it executes, GAUNTLET_SWEEP_WEAKEN makes one site run with a
weaker order. The programs are compiled once; this script only runs them:

1. discovery: each selected entry's model check, run as written, listing its
   sites (file, line, column, operation, declared order); sites in scenario
   code (models/) are not the component's and are left out;
2. weakening: for each site and each strictly weaker legal order (a load:
   seq_cst > acquire > relaxed; a store: seq_cst > release > relaxed; an RMW
   or a compare_exchange's success: seq_cst > acq_rel > acquire, release >
   relaxed; a compare_exchange's failure order as a site of its own: seq_cst
   > acquire > relaxed; a fence: seq_cst > acq_rel > acquire, release >
   removed), the entry's model check with that one site weakened. Each
   site's weakest order runs first; the orders between run only where it
   was caught (where it passes, they are recorded as passing by
   implication: in the C++ model a weaker order allows every execution a
   stronger one does; --every-order runs them all);
3. classification per site: `necessary` (its weakest order, relaxed or a
   removed fence, is caught: the killing scenario and a trace excerpt are
   kept, with the weakest orders that still pass), `not shown necessary`
   (every weaker order passes every scenario), `relaxed` (nothing weaker);
4. agreement with the hand-written order mutants: a mutant entry's sites
   are compared with the in-house or published entry of its component that
   shares most of them; a site whose order the mutant weakens (or a fence it
   does not execute) is the weakening it stands for, and the sweep's verdict
   on that weakening of the base entry must equal the mutant's model
   expectation.

Every run is appended to <state>/runs.jsonl as it ends (keyed by the program
binary's digest, so a rebuilt program starts afresh); a rerun skips what is
done. One `sweep` record per swept entry is written to the results folder
(verdict fail when its unweakened check fails, a run ends without a verdict,
or a hand mutant of it disagrees), and <state>/sweep.json holds every site.

    /usr/bin/python3 scripts/sweep.py --build build [--entry GLOB] [--jobs N]
"""

from __future__ import annotations

import argparse
import concurrent.futures
import fnmatch
import hashlib
import json
import os
import pathlib
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time

PROGRAMS = ("models/lifecycle/lifecycle_model", "models/queues/queue_model", "models/deque/deque_model",
            "models/loop/loop_model", "models/loop/signal_model", "models/pq/pq_model", "models/pool/pool_model")
SWEPT_ORIGINS = ("in-house",)  # swept by default; --entry may name any entry whose model check passes
BASE_ORIGINS = ("in-house", "published", "seed")  # what a mutant may be a weakening of

# strictly weaker legal orders, strongest first
LADDERS = {
    "load": {"seq_cst": ["acquire", "relaxed"], "acquire": ["relaxed"], "consume": ["relaxed"]},
    "wait": {"seq_cst": ["acquire", "relaxed"], "acquire": ["relaxed"], "consume": ["relaxed"]},
    "store": {"seq_cst": ["release", "relaxed"], "release": ["relaxed"]},
    "rmw": {"seq_cst": ["acq_rel", "acquire", "release", "relaxed"], "acq_rel": ["acquire", "release", "relaxed"],
            "acquire": ["relaxed"], "release": ["relaxed"], "consume": ["relaxed"]},
    "cas_failure": {"seq_cst": ["acquire", "relaxed"], "acquire": ["relaxed"], "consume": ["relaxed"]},
    "fence": {"seq_cst": ["acq_rel", "acquire", "release", "removed"], "acq_rel": ["acquire", "release", "removed"],
              "acquire": ["removed"], "release": ["removed"], "consume": ["removed"]},
}
LADDERS["cas"] = LADDERS["rmw"]
# partial order of strength: order -> the orders it is at least as strong as
WEAKER_OR_EQUAL = {
    "seq_cst": {"seq_cst", "acq_rel", "acquire", "release", "consume", "relaxed", "removed"},
    "acq_rel": {"acq_rel", "acquire", "release", "consume", "relaxed", "removed"},
    "acquire": {"acquire", "consume", "relaxed", "removed"},
    "consume": {"consume", "relaxed", "removed"},
    "release": {"release", "relaxed", "removed"},
    "relaxed": {"relaxed", "removed"},
    "removed": {"removed"},
}
TRACE_LINES = 14
ROOT = pathlib.Path(__file__).resolve().parents[1]
# a site's note: `// sweep: TEXT` (every site of the statement) or
# `// sweep(OP[,OP]): TEXT` (the named operations only), in the comment block
# just above the statement or trailing its first line
NOTE = re.compile(r"//\s*sweep(?:\(([a-z_, ]+)\))?:\s*(.*)$")


class UsageError(Exception):
    """Bad input: the message names it; the command exits 2."""


def weaker_orders(op: str, order: str) -> list[str]:
    """The strictly weaker legal orders of an operation, strongest first."""
    return list(LADDERS.get(op, {}).get(order, []))


def site_key(site: dict) -> str:
    """OP@FILE:LINE:COLUMN, the form GAUNTLET_SWEEP_WEAKEN takes."""
    return f"{site['op']}@{site['file']}:{site['line']}:{site['column']}"


def short_file(path: str) -> str:
    """A source path from its project folder on (primitives/..., models/...)."""
    for top in ("primitives/", "models/", "loop/"):
        i = path.rfind("/" + top)
        if i >= 0:
            return path[i + 1:]
        if path.startswith(top):
            return path
    return path


def component_site(site: dict) -> bool:
    """A site in a component's own code, not in a scenario or in the world."""
    f = short_file(site["file"])
    return not f.startswith("models/") and not f.endswith("relacy_world.hpp")


def failure_cap(success: str) -> str:
    """The strongest failure order Relacy accepts beside a success order."""
    return {"relaxed": "relaxed", "release": "relaxed", "consume": "consume", "acquire": "acquire",
            "acq_rel": "acquire"}.get(success, "seq_cst")


def classify(op: str, declared: str, outcomes: dict) -> dict:
    """A site's class from its weakenings' verdicts.

    outcomes: order -> "pass" | "fail" | "error" for the orders tried (a
    missing order means not run yet; an error is a run without a verdict). Returns {"class", "weakest_passing" (list, minimal
    passing orders, the declared one included), "caught" (orders caught),
    "complete" (every weaker order has a verdict), "monotone" (no order
    passes while a stronger one is caught)}."""
    ladder = weaker_orders(op, declared)
    if not ladder:
        return {"class": "relaxed", "weakest_passing": [declared], "caught": [], "complete": True, "monotone": True}
    complete = all(outcomes.get(o) in ("pass", "fail") for o in ladder)  # "error": a run without a verdict
    passing = [declared] + [o for o in ladder if outcomes.get(o) == "pass"]
    caught = [o for o in ladder if outcomes.get(o) == "fail"]
    minimal = [o for o in passing if not any(p != o and p in WEAKER_OR_EQUAL[o] for p in passing)]
    monotone = not any(p in WEAKER_OR_EQUAL[c] and p != c for c in caught for p in passing)
    bottom = ladder[-1]
    cls = "necessary" if outcomes.get(bottom) == "fail" else "not shown necessary"
    if not complete and cls != "necessary":
        cls = "pending"
    return {"class": cls, "weakest_passing": minimal, "caught": caught, "complete": complete, "monotone": monotone}


def trace_excerpt(trace: str, lines: int = TRACE_LINES) -> str:
    """The replay line and the last lines of a model trace (its failing step)."""
    rows = trace.splitlines()
    if len(rows) <= lines + 1:
        return trace
    return "\n".join(rows[:1] + ["[...]"] + rows[-lines:])


# --------------------------------------------------------------------------
# running the model programs


def digest(path: pathlib.Path) -> str:
    """sha1 of a program binary: runs of another build are not reused."""
    h = hashlib.sha1()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()[:16]


def list_entries(exe: pathlib.Path) -> list[dict]:
    """Every entry of a model program: name, component, origin, model expectation."""
    manifest = subprocess.run([str(exe), "--manifest"], capture_output=True, text=True, check=True).stdout
    listing = subprocess.run([str(exe), "--list"], capture_output=True, text=True, check=True).stdout
    origins = {}
    for line in listing.splitlines():
        parts = line.split()
        if len(parts) >= 4:
            origins[parts[0]] = parts[2]
    entries = []
    for line in manifest.splitlines():
        m = json.loads(line)
        entries.append({"name": m["implementation"], "component": m["component"], "expected": m["expected"],
                        "origin": origins.get(m["implementation"], "?")})
    return entries


# model processes under way: an interrupted sweep ends them (its finished
# runs are in runs.jsonl; a rerun goes on from there)
RUNNING: set = set()
RUNNING_LOCK = threading.Lock()


def stop_running() -> None:
    """Kills every model process still running (ours, by pid)."""
    with RUNNING_LOCK:
        for proc in RUNNING:
            if proc.poll() is None:
                proc.kill()


def run_tracked(cmd: list[str], env: dict) -> tuple[int, str, str, float]:
    """Runs one check program, kept in RUNNING while it runs (an interrupted
    sweep ends it): -> (exit status, stdout, stderr, seconds)."""
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    with RUNNING_LOCK:
        RUNNING.add(proc)
    try:
        stdout, stderr = proc.communicate()
    finally:
        with RUNNING_LOCK:
            RUNNING.discard(proc)
    return proc.returncode, stdout, stderr, time.monotonic() - t0


def read_sites(path: pathlib.Path) -> list[dict]:
    """The sites a run listed (GAUNTLET_SWEEP_SITES), function names cut at their template arguments."""
    sites = []
    if path.exists():
        for line in path.read_text().splitlines():
            s = json.loads(line)
            s["function"] = s.get("function", "").split(" [with ")[0]
            sites.append(s)
    return sites


def run_model(exe: pathlib.Path, entry: dict, sites_to: pathlib.Path | None = None, weaken: str | None = None,
              extra: list[str] | None = None) -> dict:
    """One model run of one entry; returns {verdict, detail, trace, scenario, seconds, replay}.

    A weakened run also lists its sites: unless the weakened site ran with
    the weakened order, the run has no verdict ("error"), so a stale or
    mistyped site never passes as a weakening that nothing caught."""
    env = dict(os.environ)
    env.pop("GAUNTLET_SWEEP_SITES", None)
    env.pop("GAUNTLET_SWEEP_WEAKEN", None)
    with tempfile.TemporaryDirectory(prefix="sweep-") as tmp:
        env["GAUNTLET_RESULTS_DIR"] = tmp
        if weaken is not None and sites_to is None:
            sites_to = pathlib.Path(tmp) / "applied.jsonl"
        if sites_to is not None:
            env["GAUNTLET_SWEEP_SITES"] = str(sites_to)
        if weaken is not None:
            env["GAUNTLET_SWEEP_WEAKEN"] = weaken
        cmd = ["nice", "-n", "19", str(exe), "--entry", entry["name"]] + (extra or [])
        status, stdout, stderr, seconds = run_tracked(cmd, env)
        records = list(pathlib.Path(tmp).glob("model.*.json"))
        replay = (f"GAUNTLET_SWEEP_WEAKEN='{weaken}' " if weaken else "") + " ".join(
            [str(exe), "--entry", entry["name"]] + (extra or []))
        if status == 2 or len(records) != 1:
            return {"verdict": "error", "detail": f"exit {status}: {(stderr or stdout)[-400:]}",
                    "trace": "", "scenario": "", "seconds": seconds, "replay": replay}
        rec = json.loads(records[0].read_text())
        if weaken is not None:
            key, order = weaken.rsplit("=", 1)
            if not any(site_key(x) == key and x["order"] == order for x in read_sites(sites_to)):
                return {"verdict": "error", "detail": f"{key} never ran with {order}: the site is not in this build",
                        "trace": "", "scenario": "", "seconds": seconds, "replay": replay}
        return {"verdict": rec["verdict"], "detail": rec["detail"], "trace": trace_excerpt(rec["trace"]),
                "scenario": rec.get("metrics", {}).get("scenario", ""), "seconds": seconds, "replay": replay}


class State:
    """runs.jsonl: one line per finished run, appended as it ends."""

    def __init__(self, folder: pathlib.Path):
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / "runs.jsonl"
        self.lock = threading.Lock()
        self.done: dict[tuple, dict] = {}
        if self.path.exists():
            for line in self.path.read_text().splitlines():
                try:
                    row = json.loads(line)
                except json.JSONDecodeError:
                    continue  # a line cut by an interruption
                self.done[self.key(row)] = row

    @staticmethod
    def key(row: dict) -> tuple:
        return (row["binary"], row["entry"], row.get("site", ""), row.get("order", ""))

    def get(self, binary: str, entry: str, site: str = "", order: str = "") -> dict | None:
        return self.done.get((binary, entry, site, order))

    def add(self, row: dict) -> None:
        with self.lock:
            self.done[self.key(row)] = row
            with open(self.path, "a") as f:
                f.write(json.dumps(row) + "\n")


class Progress:
    """Counts finished runs and estimates the time left.

    With a cost per run (a weakening costs at most its entry's unweakened
    run: a caught weakening stops at the first failure), the estimate is the
    cost left over the jobs, scaled by how fast the costs done so far went;
    without (discovery), the mean time per run so far."""

    def __init__(self, total_cost: float | None, jobs: int, runs: int):
        self.total, self.left, self.jobs, self.runs, self.done = total_cost, total_cost, jobs, runs, 0
        self.t0 = time.monotonic()
        self.lock = threading.Lock()

    def finished(self, cost: float | None, what: str) -> None:
        with self.lock:
            self.done += 1
            elapsed = time.monotonic() - self.t0
            if self.total is None or not self.total:
                left = elapsed / self.done * (self.runs - self.done)
            else:
                self.left = max(0.0, self.left - (cost or 0.0))
                spent = self.total - self.left
                # elapsed per unit of cost done so far, once enough is done to say
                rate = elapsed / spent if spent > 0 and self.done >= 4 else 1.0 / self.jobs
                left = self.left * rate
            print(f"[{self.done}/{self.runs} {elapsed:6.0f} s, about {left / 60:.1f} min left] {what}", flush=True)


def parallel(jobs: int, tasks: list, fn) -> list:
    """fn over tasks on `jobs` threads (each runs one model process); results in order."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(fn, tasks))


# --------------------------------------------------------------------------
# the sweep


def discover(state: State, jobs: int, targets: list[dict]) -> None:
    """Runs each target entry once as written, recording its sites."""
    todo = [t for t in targets if state.get(t["binary"], t["name"]) is None]
    progress = Progress(None, jobs, len(todo))

    def one(t):
        with tempfile.TemporaryDirectory(prefix="sweep-sites-") as tmp:
            sites_file = pathlib.Path(tmp) / "sites.jsonl"
            out = run_model(t["exe"], t, sites_to=sites_file, extra=t["extra"])
            sites = read_sites(sites_file)
        row = {"binary": t["binary"], "entry": t["name"], "program": t["program"], "component": t["component"],
               "origin": t["origin"], "expected": t["expected"], "sites": sites, **out}
        state.add(row)
        progress.finished(None, f"discovered {t['name']}: {len(sites)} sites, {out['verdict']} in {out['seconds']:.1f} s")

    parallel(jobs, todo, one)


def weakenings(state: State, target: dict) -> list[tuple[dict, str]]:
    """(site, order) for every component site of a discovered entry and every weaker order."""
    row = state.get(target["binary"], target["name"])
    out = []
    for s in row["sites"]:
        if component_site(s) and site_selected(target, s):
            out += [(s, o) for o in weaker_orders(s["op"], s["order"])]
    return out


def site_selected(target: dict, site: dict) -> bool:
    """--site GLOBs, matched against OP@FILE:LINE:COLUMN and the site's function."""
    globs = target.get("sites_glob") or []
    return not globs or any(fnmatch.fnmatchcase(site_key(site), g) or fnmatch.fnmatchcase(site.get("function", ""), g)
                            for g in globs)


def run_weakenings(state: State, jobs: int, plan: list[tuple[dict, dict, str]]) -> None:
    """Runs every (target, site, order) not yet done, in parallel, with progress."""
    todo = [(t, s, o) for t, s, o in plan if state.get(t["binary"], t["name"], site_key(s), o) is None]
    costs = {}
    for t, _, _ in todo:
        costs[t["name"]] = state.get(t["binary"], t["name"])["seconds"]
    progress = Progress(sum(costs[t["name"]] for t, _, _ in todo), jobs, len(todo))

    def one(task):
        t, s, o = task
        key = site_key(s)
        out = run_model(t["exe"], t, weaken=f"{key}={o}", extra=t["extra"])
        state.add({"binary": t["binary"], "entry": t["name"], "site": key, "order": o, **out})
        progress.finished(costs[t["name"]], f"{t['name']} {short_file(s['file'])}:{s['line']} {s['op']} "
                                            f"{s['order']} -> {o}: {out['verdict']} ({out['seconds']:.1f} s)")

    parallel(jobs, todo, one)


def site_table(state: State, target: dict) -> list[dict]:
    """Every component site of a swept entry with its class."""
    row = state.get(target["binary"], target["name"])
    rows = []
    for s in row["sites"]:
        if not component_site(s) or not site_selected(target, s):
            continue
        key = site_key(s)
        outcomes, killers = {}, {}
        for o in weaker_orders(s["op"], s["order"]):
            r = state.get(target["binary"], target["name"], key, o)
            if r is None:
                continue
            outcomes[o] = "fail" if r["verdict"] == "fail" else "pass" if r["verdict"] == "pass" else "error"
            if r["verdict"] == "fail":
                killers[o] = {"scenario": r["scenario"], "detail": r["detail"], "trace": r["trace"],
                              "replay": r["replay"]}
        ladder = weaker_orders(s["op"], s["order"])
        implied = []
        if ladder and outcomes.get(ladder[-1]) == "pass":
            implied = [o for o in ladder if o not in outcomes]
            outcomes.update({o: "pass" for o in implied})
        c = classify(s["op"], s["order"], outcomes)
        errors = [o for o, v in outcomes.items() if v == "error"]
        bottom = weaker_orders(s["op"], s["order"])[-1] if weaker_orders(s["op"], s["order"]) else None
        killer = killers.get(bottom) or (next(iter(killers.values())) if killers else None)
        rows.append({"file": short_file(s["file"]), "line": s["line"], "column": s["column"], "op": s["op"],
                     "function": s.get("function", ""),
                     "declared": s["order"], "site": key, **c, "outcomes": outcomes, "implied": implied,
                     "errors": errors,
                     "killer": killer})
    rows.sort(key=lambda r: (r["file"], r["line"], r["column"], r["op"]))
    return rows


def site_notes(path: pathlib.Path, line: int) -> list[tuple[set | None, str]]:
    """The `sweep:` notes of the statement holding a call site: (operations
    or None for all, text) each, from the comment block just above the
    statement (a statement may start lines above the site) and from a comment
    trailing the statement's first line or the site's line."""
    try:
        rows = path.read_text().splitlines()
    except OSError:
        return []
    i = line - 1
    if not 0 <= i < len(rows):
        return []

    def code(r: str) -> bool:
        t = r.strip()
        return bool(t) and not t.startswith("//")

    def opens(r: str) -> int:
        c = r.split("//")[0]
        return c.count("(") - c.count(")")

    # the statement's first line: climb lines that do not end a statement,
    # and lines that leave a parenthesis open (a for header's `;`)
    start = i
    while start > 0 and code(rows[start - 1]):
        above = rows[start - 1].split("//")[0].rstrip()
        if above.endswith((";", "{", "}")) and opens(above) <= 0:
            break
        start -= 1
    block = []
    j = start - 1
    while j >= 0 and rows[j].strip().startswith("//"):
        block.insert(0, rows[j].strip())
        j -= 1
    for k in sorted({start, i}):
        if "//" in rows[k]:
            block.append("//" + rows[k].split("//", 1)[1])
    notes, cur = [], None
    for r in block:
        m = NOTE.search(r)
        if m:
            ops = {o.strip() for o in m.group(1).split(",")} if m.group(1) else None
            cur = [ops, m.group(2).strip()]
            notes.append(cur)
        elif cur is not None and r.startswith("//") and r[2:].strip():
            cur[1] += " " + r[2:].strip()
        else:
            cur = None
    return [(ops, text) for ops, text in notes]


def note_for(site: dict) -> str | None:
    """The note that resolves a site (`sweep(OP)` for its operation first, then `sweep:`)."""
    notes = site_notes(ROOT / site["file"], site["line"])
    for ops, text in notes:
        if ops and site["op"] in ops:
            return text
    for ops, text in notes:
        if ops is None:
            return text
    return None


def resolve(tables: dict[str, list[dict]]) -> None:
    """Gives every `not shown necessary` site its resolution, in place.

    tables: entry -> site_table rows. A site (file:line:column, operation)
    that another swept entry's scenarios show necessary is resolved by that
    scenario; otherwise by its `sweep:` note at the site (why the order is
    needed beyond what the checks can show, or why it is as declared). A
    site with neither is unresolved (`resolution` None): its record fails."""
    killers = {}
    for entry, rows in tables.items():
        for r in rows:
            if r["class"] == "necessary":
                killers.setdefault((r["file"], r["line"], r["column"], r["op"]), (entry, r))
    for entry, rows in tables.items():
        for r in rows:
            if r["class"] != "not shown necessary":
                continue
            other = killers.get((r["file"], r["line"], r["column"], r["op"]))
            if other is not None:
                k = other[1].get("killer") or {}
                r["resolution"] = {"how": "scenario",
                                   "text": f"necessary in {other[0]}'s scenarios ({k.get('scenario', '?')})"}
                continue
            text = note_for(r)
            r["resolution"] = {"how": "note", "text": text} if text else None


def find_base(mutant: dict, bases: list[dict]) -> tuple[dict | None, list[dict]]:
    """The base entry a mutant weakens, and the weakenings it stands for.

    The base is the entry of the same component and program sharing most
    call sites at the same order with the mutant (ties: the one with fewest
    sites the mutant lacks). A weakening is a shared site whose order the
    mutant declares weaker, or a fence of the base the mutant never runs.
    A compare_exchange whose success order the mutant weakens and whose
    failure order follows by Relacy's rule counts once (the success site)."""
    msites = {site_key(s): s for s in mutant["sites"] if component_site(s)}
    mpairs = {(site_key(s), s["order"]) for s in mutant["sites"] if component_site(s)}
    best, best_score = None, None
    for b in bases:
        if b["component"] != mutant["component"] or b["program"] != mutant["program"]:
            continue
        bpairs = {(site_key(s), s["order"]) for s in b["sites"] if component_site(s)}
        same, shared = len(bpairs & mpairs), len({k for k, _ in bpairs} & set(msites))
        score = (same, shared, -len({k for k, _ in bpairs} - set(msites)))
        if shared and (best_score is None or score > best_score):
            best, best_score = b, score
    if best is None:
        return None, []
    found = []
    for s in best["sites"]:
        if not component_site(s):
            continue
        k = site_key(s)
        m = msites.get(k)
        if m is None:
            if s["op"] == "fence":
                found.append({"site": s, "order": "removed"})
            continue
        if m["order"] != s["order"] and m["order"] in WEAKER_OR_EQUAL[s["order"]]:
            found.append({"site": s, "order": m["order"]})
    # a failure order lowered only by the success order's weakening is implied by it
    succ = {(f["site"]["file"], f["site"]["line"], f["site"]["column"]): f for f in found if f["site"]["op"] == "cas"}
    kept = []
    for f in found:
        s = f["site"]
        if s["op"] == "cas_failure":
            c = succ.get((s["file"], s["line"], s["column"]))
            if c is not None:
                cap = failure_cap(c["order"])
                if f["order"] == (cap if s["order"] not in WEAKER_OR_EQUAL[cap] else s["order"]):
                    continue
        kept.append(f)
    return best, kept


def agreement(state: State, jobs: int, discovered: list[dict]) -> list[dict]:
    """Each hand-written order mutant against the sweep's verdict on its weakening."""
    rows_by = {t["name"]: state.get(t["binary"], t["name"]) | {"target": t} for t in discovered}
    bases = [r for r in rows_by.values() if r["origin"] in BASE_ORIGINS and r["verdict"] == "pass"]
    mutants = [r for r in rows_by.values() if r["origin"] == "mutant"]
    plan, out = [], []
    for m in mutants:
        base, found = find_base(m, bases)
        if base is None or not found:
            continue  # not an order mutant: its defect is not a weaker order at a site
        out.append({"mutant": m["entry"], "component": m["component"], "expected": m["expected"],
                    "base": base["entry"], "weakenings": found, "target": base["target"]})
        plan += [(base["target"], f["site"], f["order"]) for f in found]
    run_weakenings(state, jobs, plan)
    for a in out:
        t = a.pop("target")
        runs = [state.get(t["binary"], t["name"], site_key(f["site"]), f["order"]) for f in a["weakenings"]]
        caught = [r for r in runs if r["verdict"] == "fail"]
        held = a["expected"] in ("pass", "fail")
        if any(r["verdict"] not in ("pass", "fail") for r in runs):
            a["sweep"], a["agrees"] = "error", False
            a["detail"] = "; ".join(r["detail"] for r in runs if r["verdict"] not in ("pass", "fail"))
        elif caught or len(runs) == 1:
            # several sites: one caught alone is caught together too (each
            # weakening only adds executions)
            r = caught[0] if caught else runs[0]
            a["sweep"] = r["verdict"]
            a["replay"], a["scenario"], a["detail"] = r["replay"], r["scenario"], r["detail"]
            a["agrees"] = (r["verdict"] == a["expected"]) if held else None
        else:
            # several sites, each passing alone: the sweep weakens one site
            # at a time, so it cannot decide the mutant
            a["sweep"], a["agrees"] = "undecided", None
            a["detail"] = "each of its weakenings passes alone; the sweep does not weaken sites together"
        a["weakenings"] = [{"file": short_file(f["site"]["file"]), "line": f["site"]["line"],
                            "column": f["site"]["column"], "op": f["site"]["op"], "declared": f["site"]["order"],
                            "order": f["order"]} for f in a["weakenings"]]
    return out


def sweep_record(target: dict, disc: dict, sites: list[dict], agree: list[dict], seconds: float) -> dict:
    """One `sweep` record (report.py's record shape) for a swept entry; `seconds`: its runs' total."""
    mine = [a for a in agree if a["base"] == target["name"]]
    problems = []
    if disc["verdict"] != "pass":
        problems.append(f"the unweakened model check gives {disc['verdict']}: {disc['detail']}")
    errors = [f"{s['site']} -> {o}" for s in sites for o in s["errors"]]
    if errors:
        problems.append("runs without a verdict: " + ", ".join(errors))
    pending = [s["site"] for s in sites if s["class"] == "pending"]
    if pending:
        problems.append(f"{len(pending)} site(s) not swept yet")
    unresolved = [f"{s['file']}:{s['line']} {s['op']}" for s in sites
                  if s["class"] == "not shown necessary" and not s.get("resolution")]
    if unresolved:
        problems.append(f"{len(unresolved)} not-shown-necessary site(s) with no scenario and no `sweep:` note at "
                        "the site: " + ", ".join(unresolved))
    for a in mine:
        if a["agrees"] is False:
            problems.append(f"disagrees with mutant {a['mutant']} (expected {a['expected']}, sweep {a['sweep']})")
    counts = {c: sum(1 for s in sites if s["class"] == c) for c in ("necessary", "not shown necessary", "relaxed")}
    ordered = [s for s in sites if s["class"] != "relaxed"]
    exact = [s for s in ordered if s["weakest_passing"] == [s["declared"]] and s["class"] == "necessary"
             and s["complete"]]
    nsn = [s for s in sites if s["class"] == "not shown necessary"]
    by = {h: sum(1 for s in nsn if (s.get("resolution") or {}).get("how") == h) for h in ("scenario", "note")}
    summary = (f"{len(sites)} sites: {counts['necessary']} necessary, {counts['not shown necessary']} not shown "
               f"necessary ({by['scenario']} necessary in another entry's scenarios, {by['note']} with a note "
               f"at the site, {len(unresolved)} unresolved), {counts['relaxed']} relaxed; {len(exact)} of "
               f"{len(ordered)} declared orders shown necessary; {len(mine)} hand mutant(s) compared")
    return {
        "component": target["component"], "implementation": target["name"], "origin": target["origin"],
        "check": "sweep", "verdict": "fail" if problems else "pass", "expected": "pass", "reason": "",
        "status": "mismatch" if problems else "ok",
        "detail": "; ".join(problems) if problems else summary, "trace": "",
        "seed": "0", "seconds": round(seconds, 1),
        "metrics": {"sites": sites, "mutants": mine, "counts": counts, "declared_necessary": len(exact),
                    "declared_ordered": len(ordered), "summary": summary,
                    "blind_spots": "Relacy makes stores visible in execution order (no LB, 2+2W or S outcomes): a "
                                   "weakening that only such an execution shows passes"},
    }


def write_record(folder: pathlib.Path, rec: dict) -> pathlib.Path:
    """Atomically writes results/sweep.<component>.<implementation>.json."""
    folder.mkdir(parents=True, exist_ok=True)
    name = f"sweep.{rec['component']}.{rec['implementation']}.json".replace("/", "_").replace(" ", "_")
    tmp = folder / f".{name}.tmp{os.getpid()}"
    tmp.write_text(json.dumps(rec) + "\n")
    os.replace(tmp, folder / name)
    return folder / name


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="scripts/gauntlet sweep", description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="Sweeps the in-house entries by default; --entry may name any entry whose "
                                        "model check passes (its sites are swept) or a mutant (compared only).")
    ap.add_argument("--build", default="build", help="build folder holding the model programs (default build)")
    ap.add_argument("--entry", action="append", default=[], metavar="GLOB",
                    help="only entries whose name matches (repeatable; shell glob)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="model runs at once (default: cores)")
    ap.add_argument("--state", default=None, help="folder of runs.jsonl and sweep.json (default BUILD/sweep)")
    ap.add_argument("--results", default=None,
                    help="folder the sweep records go to (default BUILD/sweep/results, which `gauntlet report` reads)")
    ap.add_argument("--no-mutants", action="store_true", help="skip the agreement with the hand mutants")
    ap.add_argument("--every-order", action="store_true",
                    help="run every weaker order of every site; by default a site whose weakest order passes "
                         "is not run at the orders between (they are recorded as passing by implication: a "
                         "weaker order allows every execution a stronger one does)")
    ap.add_argument("--site", action="append", default=[], metavar="GLOB",
                    help="only sites whose OP@FILE:LINE:COLUMN or function matches (repeatable)")
    ap.add_argument("--tsan-build", default=None, metavar="DIR",
                    help="also run each `not shown necessary` site's ThreadSanitizer stress, the site at its "
                         "weakest order, from this sweep build (clang, -Db_sanitize=thread, -Dsweep_world=true; "
                         "scripts/sweep_tsan.py)")
    ap.add_argument("--tsan-args", default="", metavar="ARGS",
                    help="extra options for every ThreadSanitizer stress run, e.g. '--rounds 12'")
    ap.add_argument("--model-args", default="", metavar="ARGS",
                    help="extra options for every model run, e.g. '--executions 2000' (a smaller search: "
                         "a short sweep; the record says so)")
    try:
        args = ap.parse_args(argv)
    except SystemExit as e:
        return int(e.code or 0)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        return sweep(args)
    except UsageError as e:
        print(f"gauntlet sweep: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("gauntlet sweep: interrupted; finished runs are kept, a rerun goes on", file=sys.stderr)
        return 130
    finally:
        stop_running()


def sweep(args) -> int:
    """The command: discovery, weakening, agreement, records. Exit 1 when a record fails."""
    build = pathlib.Path(args.build)
    if args.jobs < 1:
        raise UsageError(f"--jobs {args.jobs}: must be at least 1")
    if not build.is_dir():
        raise UsageError(f"--build {build}: not a folder")
    exes = [(p, build / p) for p in PROGRAMS if (build / p).is_file()]
    if not exes:
        raise UsageError(f"--build {build}: no model program (build with -Dsuites=model: {', '.join(PROGRAMS)})")
    state = State(pathlib.Path(args.state) if args.state else build / "sweep")
    results = pathlib.Path(args.results) if args.results else build / "sweep" / "results"
    tsan = None
    if args.tsan_build:  # the ThreadSanitizer half: scripts/sweep_tsan.py
        import sweep_tsan
        try:
            tsan = sweep_tsan.TsanSweep(args.tsan_build, state.path.parent, args.jobs, args.tsan_args)
        except sweep_tsan.BadInput as e:
            raise UsageError(str(e)) from e

    def selected(name):
        return any(fnmatch.fnmatchcase(name, g) for g in args.entry) if args.entry else None

    extra = args.model_args.split()
    extra_key = ("+" + " ".join(extra)) if extra else ""
    targets, others = [], []
    for program, exe in exes:
        binary = digest(exe)
        for e in list_entries(exe):
            t = {**e, "program": program, "exe": exe, "binary": binary + extra_key, "extra": extra,
                 "sites_glob": args.site}
            sel = selected(e["name"])
            if e["expected"] == "skip":
                continue
            if sel is True or (sel is None and e["origin"] in SWEPT_ORIGINS):
                (targets if e["expected"] == "pass" and e["origin"] != "mutant" else others).append(t)
            elif e["origin"] in BASE_ORIGINS or e["origin"] == "mutant":
                others.append(t)
    if args.entry and not targets and not any(selected(t["name"]) for t in others):
        raise UsageError(f"no entry matches {', '.join(args.entry)}")
    if args.entry and not targets:
        raise UsageError(f"{', '.join(args.entry)}: no selected entry has a passing model check to sweep")
    components = {t["component"] for t in targets}
    # mutants of the swept components and the bases they may weaken
    compared = [] if args.no_mutants else [
        o for o in others if o["component"] in components and (selected(o["name"]) is not False)]
    t0 = time.monotonic()
    print(f"sweep: {len(targets)} entries to sweep, {len(compared)} more for the mutant comparison; "
          f"{args.jobs} jobs; state {state.path}", flush=True)
    discover(state, args.jobs, targets + compared)
    swept = [t for t in targets if state.get(t["binary"], t["name"])["verdict"] == "pass"]
    plan = [(t, s, o) for t in swept for s, o in weakenings(state, t)]
    if args.every_order:
        print(f"sweep: {len(plan)} weakenings", flush=True)
        run_weakenings(state, args.jobs, plan)
    else:
        # first each site's weakest order; the orders between only where it was caught
        bottom = [(t, s, o) for t, s, o in plan if o == weaker_orders(s["op"], s["order"])[-1]]
        print(f"sweep: {len(bottom)} sites, each at its weakest order (of {len(plan)} weakenings)", flush=True)
        run_weakenings(state, args.jobs, bottom)
        caught = {(t["name"], site_key(s)) for t, s, o in bottom
                  if (state.get(t["binary"], t["name"], site_key(s), o) or {}).get("verdict") == "fail"}
        between = [(t, s, o) for t, s, o in plan if (t["name"], site_key(s)) in caught and (t, s, o) not in bottom]
        print(f"sweep: {len(between)} weakenings between the declared and the weakest order of the "
              f"{len(caught)} caught sites", flush=True)
        run_weakenings(state, args.jobs, between)
    agree = [] if args.no_mutants else agreement(state, args.jobs, targets + compared)
    tables = {t["name"]: site_table(state, t) for t in swept}
    if tsan is not None:  # a ThreadSanitizer catch makes a site necessary before resolution
        tsan.run(sweep_tsan.plan_for(state, targets, tables))
        tables = {t["name"]: tsan.annotate(t, tables[t["name"]]) for t in swept}
    out, failed = {"entries": [], "mutants": agree}, 0
    resolve(tables)
    for t in targets:
        disc = state.get(t["binary"], t["name"])
        sites = tables.get(t["name"], [])
        seconds = sum(r["seconds"] for k, r in state.done.items() if k[0] == t["binary"] and k[1] == t["name"])
        rec = sweep_record(t, disc, sites, agree, seconds)
        if tsan is not None:
            tsan.amend(rec, t)
        if extra:
            rec["metrics"]["model_args"] = " ".join(extra)
            rec["detail"] += f" (short search: {' '.join(extra)})"
        failed += rec["verdict"] == "fail"
        write_record(results, rec)
        out["entries"].append(rec)
        print(f"{t['name']}: {rec['verdict']}: {rec['detail']}", flush=True)
    for a in agree:
        word = {True: "agrees", False: "DISAGREES", None: "not held" if a["sweep"] != "undecided" else "undecided"}[
            a["agrees"]]
        w = ", ".join(f"{x['file']}:{x['line']} {x['op']} {x['declared']}->{x['order']}" for x in a["weakenings"])
        print(f"mutant {a['mutant']} = {a['base']} with {w}: expected {a['expected']}, sweep {a['sweep']}: {word}")
    (state.path.parent / "sweep.json").write_text(json.dumps(out, indent=1) + "\n")
    print(f"sweep: done in {time.monotonic() - t0:.0f} s; records in {results}", flush=True)
    return 1 if failed or any(a["agrees"] is False for a in agree) else 0


if __name__ == "__main__":
    sys.exit(main())
