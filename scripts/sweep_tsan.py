"""The ThreadSanitizer half of the memory-order sweep.

scripts/sweep.py classifies every call site through the Relacy model
programs. For each site classed `not shown necessary`, this module runs the
entry's ThreadSanitizer stress in a sweep build (meson -Dsweep_world=true,
clang + -Db_sanitize=thread, suites stress), whose native world looks every
atomic order up by call site (primitives/native_world.hpp,
primitives/sweep_sites.hpp), with that one site at its weakest order (the
weakest order the model lets pass). ThreadSanitizer sees what Relacy cannot:
plain data (not a World::var), an allocation or a constructor's write as a
write, and the real memory of a real run.

Per site: `caught` (the weakened stress gives a ThreadSanitizer report; its
excerpt is kept), `passed` (the weakened run passes: no proof, a stress run
samples schedules), `not run` (the unweakened stress never executes the site,
e.g. a world specialisation replaces the code in the native world, or the
site is a fence, which ThreadSanitizer does not model), `error` (no verdict:
the entry has no passing ThreadSanitizer stress, the two builds' sites do not
match, the weakened site never ran weakened, the program gave no record, or
the weakened stress failed twice without a ThreadSanitizer report: a stress
check's failure is rerun once, since some of them are schedule-dependent and
fail now and then as written). A caught site becomes `necessary`, with killer
`tsan`; an error fails the entry's sweep record, a `not run` does not.

Sites are carried from the gcc-built model programs to the clang-built
stress programs by rank (`match_site`; primitives/sweep_sites.hpp states
why columns differ): same file, line and operation, and the k-th column of
that operation on that line in one build is the k-th in the other.

    /usr/bin/python3 scripts/sweep.py --build build --tsan-build build-sweep-tsan [--tsan-args '--rounds 12']
"""

from __future__ import annotations

import json
import os
import pathlib
import re
import subprocess
import tempfile
import time

import sweep as sw

PROGRAMS = ("stress/lifecycle/lifecycle_stress", "stress/queues/queue_stress", "stress/deque/deque_stress",
            "stress/loop/loop_stress", "stress/loop/signal_stress", "stress/pq/pq_stress", "stress/pool/pool_stress")
OPS = ("load", "store", "rmw", "cas", "cas_failure", "fence", "wait")
ORDERS = ("relaxed", "acquire", "release", "acq_rel", "seq_cst", "removed")
ROOT = pathlib.Path(__file__).resolve().parents[1]
REPORT_LINES = 24


class BadInput(Exception):
    """Bad --tsan-build or --tsan-args: sweep.py exits 2 with the message."""


# --------------------------------------------------------------------------
# sites: the rules of primitives/sweep_sites.hpp, and the match between builds


def strip_relative(path: str) -> str:
    """The path with its leading "./" and "../" components cut."""
    while True:
        if path.startswith("./"):
            path = path[2:]
        elif path.startswith("../"):
            path = path[3:]
        else:
            return path


def project_tail(path: str) -> str | None:
    """The path from its last `primitives/` component, or None."""
    if path.startswith("primitives/"):
        found = path
    else:
        found = None
    i = path.rfind("/primitives/")
    return path[i + 1:] if i >= 0 else found


def same_file(a: str, b: str) -> bool:
    """One file (sweep_sites.hpp's same_file): equal, or the shorter is the longer's tail after a '/', or both
    lie under a `primitives/` folder and agree from their last one."""
    a, b = strip_relative(a), strip_relative(b)
    if a == b:
        return True
    if len(a) != len(b):
        longer, shorter = (a, b) if len(a) > len(b) else (b, a)
        cut = len(longer) - len(shorter)
        if longer[cut - 1] == "/" and longer[cut:] == shorter:
            return True
    ta, tb = project_tail(a), project_tail(b)
    return ta is not None and ta == tb


def parse_weaken(value: str) -> dict:
    """GAUNTLET_SWEEP_WEAKEN's OP@FILE:LINE:COLUMN=ORDER, as the worlds parse it; ValueError names the fault."""
    at, eq = value.find("@"), value.rfind("=")
    if at < 0 or eq < at:
        raise ValueError("no OP@ or =ORDER")
    op, order, loc = value[:at], value[eq + 1:], value[at + 1:eq]
    if op not in OPS:
        raise ValueError("unknown operation")
    if order not in ORDERS:
        raise ValueError("unknown order")
    if order == "removed" and op != "fence":
        raise ValueError("only a fence can be removed")
    if op == "fence" and order == "relaxed":
        raise ValueError("a relaxed fence is no fence: use removed")
    parts = loc.rsplit(":", 2)
    if len(parts) != 3 or not parts[0]:
        raise ValueError("no FILE:LINE:COLUMN")
    file, line, column = parts
    if not line.isdigit() or int(line) == 0:
        raise ValueError("bad line")
    if not column.isdigit():
        raise ValueError("bad column")
    return {"op": op, "file": file, "line": int(line), "column": int(column), "order": order}


def names_site(override: dict, site: dict) -> bool:
    """Whether the world applies a parsed override to an operation at `site` (sweep_sites.hpp's order_at)."""
    return (override["op"] == site["op"] and override["line"] == site["line"]
            and override["column"] == site["column"] and same_file(override["file"], site["file"]))


def match_site(site: dict, own: list[dict], other: list[dict]) -> tuple[dict | None, str]:
    """The site of the other build that is `site` of its own build, or (None, why not).

    Same file (same_file), line and operation; among the columns of that
    operation on that line, the k-th in `own` is the k-th in `other`. No
    match when the other build lists none there, or a different number."""
    def there(sites):
        return sorted({s["column"] for s in sites if s["op"] == site["op"] and s["line"] == site["line"]
                       and same_file(s["file"], site["file"])})

    mine, theirs = there(own), there(other)
    where = f"{site['op']} at {sw.short_file(site['file'])}:{site['line']}"
    if site["column"] not in mine:
        return None, f"{where}:{site['column']} is not in its own build's list"
    if not theirs:
        return None, f"{where}: not executed in the other build"
    if len(mine) != len(theirs):
        return None, (f"{where}: {len(mine)} such site(s) on the line (columns {mine}) against {len(theirs)} "
                      f"(columns {theirs}) in the other build: no match by rank")
    column = theirs[mine.index(site["column"])]
    for s in other:
        if s["op"] == site["op"] and s["line"] == site["line"] and s["column"] == column and \
                same_file(s["file"], site["file"]):
            return s, ""
    return None, f"{where}: no match"  # not reached: `theirs` came from `other`


def report_excerpt(output: str, lines: int = REPORT_LINES, frames: int = 5) -> str:
    """The first ThreadSanitizer report of a run's output, each stack cut to its first frames (build ids
    dropped) and its SUMMARY line; without a report, the output's tail."""
    rows = output.splitlines()
    start = next((i for i, r in enumerate(rows) if "WARNING: ThreadSanitizer" in r), None)
    if start is None:
        return "\n".join(rows[-lines:])
    out = []
    for r in rows[start:]:
        m = re.match(r"\s+#(\d+) ", r)
        if m and int(m.group(1)) >= frames:
            continue
        if r.strip() and not r.startswith("="):
            out.append(re.sub(r" \(BuildId: [0-9a-f]+\)", "", r))
        if r.startswith("SUMMARY: ThreadSanitizer"):
            break
    if len(out) > lines:
        out = out[:lines - 2] + ["[...]", out[-1]]
    return "\n".join(out)


def tsan_report(run: dict) -> bool:
    """Whether a failed stress run failed with a ThreadSanitizer report (not its own check)."""
    return run["verdict"] == "fail" and run.get("detail", "").startswith("ThreadSanitizer")


def tsan_outcome(run: dict) -> str:
    """caught | passed | error, from a weakened stress run."""
    if run["verdict"] == "pass":
        return "passed"
    return "caught" if tsan_report(run) else "error"


def annotate_site(site: dict, result: dict) -> dict:
    """A site row of sweep.site_table with its ThreadSanitizer result; a caught one becomes `necessary`."""
    site = dict(site, tsan=result)
    if result["outcome"] != "caught":
        return site
    outcomes = dict(site.get("outcomes", {}), **{result["order"]: "fail"})
    c = sw.classify(site["op"], site["declared"], outcomes)
    site.update(c)
    site["outcomes"] = outcomes
    site["model_class"] = "not shown necessary"
    site["killed_by"] = "tsan"
    first = (result.get("detail") or "").split(" (body:")[0]
    site["killer"] = {"check": "tsan", "scenario": "ThreadSanitizer stress", "detail": first,
                      "trace": result.get("report", ""), "replay": result.get("replay", "")}
    return site


# --------------------------------------------------------------------------
# running the stress programs

# the stress processes run through sweep.py's run_tracked, so an
# interrupted sweep ends them as it ends its model processes
stop_running = sw.stop_running


def stress_env() -> dict:
    env = dict(os.environ)
    env.pop("GAUNTLET_SWEEP_SITES", None)
    env.pop("GAUNTLET_SWEEP_WEAKEN", None)
    env.setdefault("TSAN_OPTIONS", f"halt_on_error=0 exitcode=66 suppressions={ROOT / 'stress' / 'tsan.supp'}")
    return env


def run_stress(exe: pathlib.Path, entry: str, sites_to: pathlib.Path | None = None, weaken: str | None = None,
               extra: list[str] | None = None) -> dict:
    """One ThreadSanitizer stress run of one entry; {verdict, detail, report, seconds, replay, sites}.

    A weakened run lists its sites too: unless the weakened site ran with the
    weakened order, the run has no verdict ("error")."""
    env = stress_env()
    with tempfile.TemporaryDirectory(prefix="sweep-tsan-") as tmp:
        env["GAUNTLET_RESULTS_DIR"] = tmp
        if sites_to is None:
            sites_to = pathlib.Path(tmp) / "sites.jsonl"
        env["GAUNTLET_SWEEP_SITES"] = str(sites_to)
        if weaken is not None:
            env["GAUNTLET_SWEEP_WEAKEN"] = weaken
        cmd = ["nice", "-n", "19", str(exe), "--entry", entry] + (extra or [])
        status, stdout, stderr, seconds = sw.run_tracked(cmd, env)
        seconds = round(seconds, 1)
        replay = (f"GAUNTLET_SWEEP_WEAKEN='{weaken}' " if weaken else "") + " ".join(
            [str(exe), "--entry", entry] + (extra or []))
        sites = sw.read_sites(sites_to)
        records = list(pathlib.Path(tmp).glob("tsan.*.json"))
        if status == 2 or len(records) != 1:
            return {"verdict": "error", "detail": f"exit {status}: {(stderr or stdout)[-400:]}",
                    "report": "", "seconds": seconds, "replay": replay, "sites": sites}
        rec = json.loads(records[0].read_text())
        if weaken is not None:
            w = parse_weaken(weaken)
            if not any(names_site(w, s) and s["order"] == w["order"] for s in sites):
                return {"verdict": "error", "detail": f"{weaken.rsplit('=', 1)[0]} never ran with {w['order']}",
                        "report": "", "seconds": seconds, "replay": replay, "sites": sites}
        report = report_excerpt(rec.get("trace", "")) if rec["verdict"] == "fail" else ""
        return {"verdict": rec["verdict"], "detail": rec["detail"], "report": report, "seconds": seconds,
                "replay": replay, "sites": sites}


def list_entries(exe: pathlib.Path) -> dict[str, str]:
    """entry -> its ThreadSanitizer expectation, from a stress program's manifest."""
    out = subprocess.run([str(exe), "--manifest"], capture_output=True, text=True, env=stress_env())
    if out.returncode != 0:
        raise BadInput(f"{exe} --manifest: exit {out.returncode}: {out.stderr.strip()[-300:]}")
    rows = [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]
    if any(r["check"] != "tsan" for r in rows):
        raise BadInput(f"{exe}: not a ThreadSanitizer build (its check is not tsan)")
    return {r["implementation"]: r["expected"] for r in rows}


class TsanSweep:
    """The ThreadSanitizer runs of one sweep: baselines, then one weakened run per site."""

    def __init__(self, build: str, state_folder: pathlib.Path, jobs: int, extra: str = ""):
        self.build = pathlib.Path(build)
        if not self.build.is_dir():
            raise BadInput(f"--tsan-build {build}: not a folder")
        self.exes = {}
        for p in PROGRAMS:
            exe = self.build / p
            if exe.is_file():
                self.exes[p] = exe
        if not self.exes:
            raise BadInput(f"--tsan-build {build}: no stress program (configure with clang, -Db_sanitize=thread "
                           f"-Db_lundef=false -Dsuites=stress -Dsweep_world=true)")
        probe = subprocess.run([str(next(iter(self.exes.values()))), "--list"], capture_output=True, text=True,
                               env=dict(stress_env(), GAUNTLET_SWEEP_WEAKEN="bad"))
        if probe.returncode != 2 or "GAUNTLET_SWEEP_WEAKEN" not in probe.stderr:
            raise BadInput(f"--tsan-build {build}: its native world does not read GAUNTLET_SWEEP_WEAKEN "
                           f"(configure it with -Dsweep_world=true)")
        self.jobs, self.extra = jobs, extra.split()
        self.state = sw.State(state_folder / "tsan")
        self.where: dict[str, tuple] = {}  # entry -> (program, exe, binary key, expectation)
        for p, exe in self.exes.items():
            key = sw.digest(exe) + (("+" + " ".join(self.extra)) if self.extra else "")
            for name, expected in list_entries(exe).items():
                self.where.setdefault(name, (p, exe, key, expected))
        self.results: dict[tuple, dict] = {}  # (entry, model site key) -> tsan result
        self.seconds = 0.0

    def baseline(self, entry: str) -> dict | None:
        w = self.where.get(entry)
        return self.state.get(w[2], entry) if w else None

    def run(self, plan: list[tuple[dict, dict, list[dict]]]) -> None:
        """plan: (target, site row, the target's model sites) for every site to try."""
        t0 = time.monotonic()
        try:
            self._run(plan)
        finally:
            stop_running()
            self.seconds = time.monotonic() - t0

    def _run(self, plan) -> None:
        entries = sorted({t["name"] for t, _, _ in plan if t["name"] in self.where})
        todo = [e for e in entries if self.baseline(e) is None]
        print(f"sweep, ThreadSanitizer: {len(plan)} site(s) of {len(entries)} entries; {len(todo)} unweakened "
              f"run(s) first", flush=True)
        progress = sw.Progress(None, self.jobs, len(todo))

        def base(entry):
            p, exe, key, expected = self.where[entry]
            out = run_stress(exe, entry, extra=self.extra)
            self.state.add({"binary": key, "entry": entry, "program": p, "expected": expected, **out})
            progress.finished(None, f"tsan {entry} unweakened: {len(out['sites'])} sites, {out['verdict']} "
                                    f"({out['seconds']:.1f} s)")

        sw.parallel(self.jobs, todo, base)
        runs, order_of = [], {}
        for t, s, model_sites in plan:
            key = (t["name"], s["site"])
            bottom = sw.weaker_orders(s["op"], s["declared"])[-1]
            res = {"order": bottom, "outcome": "error", "detail": "", "site": "", "report": "", "replay": "",
                   "seconds": 0.0}
            self.results[key] = res
            b = self.baseline(t["name"])
            if t["name"] not in self.where:
                res["detail"] = "no ThreadSanitizer stress program lists this entry"
            elif s["op"] == "fence":
                res["outcome"], res["detail"] = "not run", "ThreadSanitizer does not model atomic_thread_fence"
            elif b["expected"] != "pass":
                res["detail"] = f"not run: the entry's ThreadSanitizer stress is expected {b['expected']}"
            elif b["verdict"] != "pass":
                res["detail"] = f"not run: the unweakened ThreadSanitizer stress gives {b['verdict']}: {b['detail']}"
            else:
                model_site = next((x for x in model_sites if sw.site_key(x) == s["site"]), None)
                other, why = match_site(model_site, model_sites, b["sites"]) if model_site else (None, "not listed")
                if other is None and why.endswith("not executed in the other build"):
                    res["outcome"] = "not run"
                    res["detail"] = f"the unweakened ThreadSanitizer stress never executes it ({why})"
                elif other is None:
                    res["detail"] = f"no matching site in the ThreadSanitizer build: {why}"
                else:
                    res["site"] = sw.site_key(other)
                    runs.append((t["name"], res["site"], bottom))
                    order_of[key] = (t["name"], res["site"], bottom)
        todo = [r for r in dict.fromkeys(runs) if self.state.get(self.where[r[0]][2], r[0], r[1], r[2]) is None]
        print(f"sweep, ThreadSanitizer: {len(todo)} weakened run(s)", flush=True)
        progress = sw.Progress(None, self.jobs, len(todo))

        def one(task):
            entry, site, order = task
            p, exe, key, _ = self.where[entry]
            out = run_stress(exe, entry, weaken=f"{site}={order}", extra=self.extra)
            if out["verdict"] == "fail" and not tsan_report(out):
                # the stress's own check failed, no ThreadSanitizer report: once more
                again = run_stress(exe, entry, weaken=f"{site}={order}", extra=self.extra)
                again["first_run"] = out["detail"]
                again["seconds"] = round(again["seconds"] + out["seconds"], 1)
                out = again
                if out["verdict"] == "fail" and not tsan_report(out):
                    out["detail"] = (f"failed twice without a ThreadSanitizer report: {out['first_run']}; then "
                                     f"{out['detail']}")
            out.pop("sites")
            self.state.add({"binary": key, "entry": entry, "site": site, "order": order, **out})
            op, where = site.split("@", 1)
            progress.finished(None, f"tsan {entry} {op} {sw.short_file(where)} -> {order}: {tsan_outcome(out)} "
                                    f"({out['seconds']:.1f} s)")

        sw.parallel(self.jobs, todo, one)
        for key, (entry, site, order) in order_of.items():
            row = self.state.get(self.where[entry][2], entry, site, order)
            self.results[key].update({"outcome": tsan_outcome(row), "detail": row["detail"],
                                      "report": row.get("report", ""), "replay": row["replay"],
                                      "seconds": row["seconds"], **({"first_run": row["first_run"]}
                                                                    if "first_run" in row else {})})

    def annotate(self, target: dict, sites: list[dict]) -> list[dict]:
        """The site rows of one entry, each tried site with its `tsan` result."""
        return [annotate_site(s, self.results[(target["name"], s["site"])])
                if (target["name"], s["site"]) in self.results else s for s in sites]

    def amend(self, rec: dict, target: dict) -> None:
        """The entry's sweep record gains the ThreadSanitizer figures; a run without a verdict fails it."""
        tried = [s["tsan"] for s in rec["metrics"]["sites"] if "tsan" in s]
        counts = {o: sum(1 for r in tried if r["outcome"] == o) for o in ("caught", "passed", "not run", "error")}
        b = self.baseline(target["name"])
        rec["metrics"]["tsan"] = {"build": str(self.build), "tried": len(tried), **counts,
                                  "seconds": round(sum(r["seconds"] for r in tried) + (b["seconds"] if b else 0), 1),
                                  "args": " ".join(self.extra)}
        if not tried:
            return
        text = (f"ThreadSanitizer: {len(tried)} not-shown-necessary site(s) tried, {counts['caught']} caught, "
                f"{counts['passed']} passed, {counts['not run']} not run, {counts['error']} without a verdict")
        rec["metrics"]["summary"] += "; " + text
        if counts["error"]:
            if rec["verdict"] == "pass":
                rec["verdict"], rec["status"], rec["detail"] = "fail", "mismatch", text
            else:
                rec["detail"] += "; " + text
        elif rec["verdict"] == "pass":
            rec["detail"] = rec["metrics"]["summary"]


def plan_for(state: sw.State, targets: list[dict], tables: dict[str, list[dict]]) -> list[tuple]:
    """(target, site row, model sites) for every `not shown necessary` site of the swept entries."""
    plan = []
    for t in targets:
        disc = state.get(t["binary"], t["name"])
        if not disc or disc["verdict"] != "pass":
            continue
        for s in tables.get(t["name"], []):
            if s["class"] == "not shown necessary":
                plan.append((t, s, disc["sites"]))
    return plan
