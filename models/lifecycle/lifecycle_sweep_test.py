#!/usr/bin/python3
"""A short sweep of packed_lifecycle: the sweep machinery end to end.

Runs scripts/sweep.py on the lifecycle model program of this build, for
packed_lifecycle's sites in leave() (its fetch_sub) and the hand mutant
mutant_packed_relaxed_exit, and holds what must come out:

* a malformed GAUNTLET_SWEEP_WEAKEN stops the program with status 2, a
  well-formed one (a weaker fence, a file name holding a colon) does not;
* discovery lists leave()'s one site with file, line, column, operation
  and declared order;
* leave()'s fetch_sub (release) weakened to relaxed is caught: the site is
  `necessary`, with a killing scenario and a trace; its weakest passing
  order is release. A world whose override did nothing would leave the site
  `not shown necessary` (and the run checks the weakened order ran);
* the hand mutant is matched to exactly that weakening, and the sweep's
  verdict on it agrees with the mutant's model expectation (fail).

Usage: lifecycle_sweep_test.py LIFECYCLE_MODEL_EXECUTABLE
"""

import json
import os
import pathlib
import subprocess
import sys
import tempfile

HERE = pathlib.Path(__file__).resolve()
SWEEP = HERE.parents[2] / "scripts" / "sweep.py"


def fail(msg: str) -> int:
    print(f"lifecycle_sweep_test: FAIL: {msg}")
    return 1


def main() -> int:
    exe = pathlib.Path(sys.argv[1]).resolve()
    build = exe.parents[2]  # BUILD/models/lifecycle/lifecycle_model
    # a malformed override is an error (exit 2), never a run with nothing weakened
    for bad in ("rmw@f.hpp:12=relaxed", "load@f.hpp:12:3=removed", "lod@f.hpp:12:3=relaxed", "load@f.hpp:1:2=weak",
                "fence@f.hpp:1:2=relaxed"):
        env = dict(os.environ, GAUNTLET_SWEEP_WEAKEN=bad)
        p = subprocess.run([str(exe), "--list"], env=env, capture_output=True, text=True)
        if p.returncode != 2 or "GAUNTLET_SWEEP_WEAKEN" not in p.stderr:
            return fail(f"GAUNTLET_SWEEP_WEAKEN='{bad}' gave exit {p.returncode}, not 2 with a message")
    for good in ("fence@f.hpp:1:2=acq_rel", "fence@f.hpp:1:2=removed", "cas_failure@a:b.hpp:3:4=relaxed"):
        env = dict(os.environ, GAUNTLET_SWEEP_WEAKEN=good)
        p = subprocess.run([str(exe), "--list"], env=env, capture_output=True, text=True)
        if p.returncode != 0:
            return fail(f"GAUNTLET_SWEEP_WEAKEN='{good}' refused: {p.stderr.strip()}")
    with tempfile.TemporaryDirectory(prefix="sweep-quick-") as tmp:
        cmd = [sys.executable, str(SWEEP), "--build", str(build), "--entry", "packed_lifecycle",
               "--entry", "mutant_packed_relaxed_exit", "--site", "*::leave()",
               "--state", f"{tmp}/state", "--results", f"{tmp}/results", "--jobs", "2"]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        print(proc.stdout[-4000:], proc.stderr[-2000:])
        if proc.returncode != 0:
            return fail(f"sweep exited {proc.returncode}")
        out = json.loads(pathlib.Path(f"{tmp}/state/sweep.json").read_text())
        recs = list(pathlib.Path(f"{tmp}/results").glob("sweep.lifecycle.packed_lifecycle.json"))
        if len(recs) != 1:
            return fail("no sweep record for packed_lifecycle")
    entries = {e["implementation"]: e for e in out["entries"]}
    if "packed_lifecycle" not in entries:
        return fail("packed_lifecycle not swept")
    sites = entries["packed_lifecycle"]["metrics"]["sites"]
    if len(sites) != 1 or any(s["file"].startswith("models/") for s in sites):
        return fail(f"expected the one site of leave(), got {[s['site'] for s in sites]}")
    exit_site = [s for s in sites if s["function"].endswith("::leave()")]
    if len(exit_site) != 1:
        return fail("leave()'s fetch_sub was not discovered")
    s = exit_site[0]
    if (s["op"], s["declared"]) != ("rmw", "release"):
        return fail(f"leave()'s fetch_sub declared {s['op']} {s['declared']}, not rmw release")
    if s["class"] != "necessary" or s["weakest_passing"] != ["release"]:
        return fail(f"leave()'s fetch_sub classified {s['class']} (weakest passing {s['weakest_passing']}): the "
                    "weakening to relaxed was not caught")
    if not s["killer"] or not s["killer"]["scenario"] or not s["killer"]["trace"]:
        return fail("the killing run has no scenario or trace")
    agree = [a for a in out["mutants"] if a["mutant"] == "mutant_packed_relaxed_exit"]
    if len(agree) != 1:
        return fail("mutant_packed_relaxed_exit was not matched to a weakening")
    a = agree[0]
    w = a["weakenings"]
    if len(w) != 1 or (w[0]["line"], w[0]["op"], w[0]["order"]) != (s["line"], "rmw", "relaxed"):
        return fail(f"mutant_packed_relaxed_exit matched {w}, not leave()'s fetch_sub to relaxed")
    if a["agrees"] is not True:
        return fail(f"sweep {a['sweep']} disagrees with the mutant's expectation {a['expected']}")
    print("lifecycle_sweep_test: ok: leave()'s fetch_sub is necessary (killed by "
          f"'{s['killer']['scenario']}'), agreeing with mutant_packed_relaxed_exit")
    return 0


if __name__ == "__main__":
    sys.exit(main())
