#!/usr/bin/python3
"""Which meson tests a gauntlet run executes, and which records it expects.

For every build directory given (--build LABEL=DIR; scripts/gauntlet passes
gcc=build, tsan=build-tsan and asan=build-asan), reads the registered tests
(`meson introspect --tests`), finds the check executables among them (their
--help offers --manifest; unit tests do not), asks each for its manifest
with the run's --entry globs, and keeps the tests the selection wants:

  * --check NAME: check executables whose manifest names one of the checks
    (tsan records come from the ThreadSanitizer build, asan records from the
    AddressSanitizer/UBSan build);
  * --entry GLOB: check executables with at least one matching entry;
  * with neither, every test (unit tests and scripts too);
  * --exclude-suite S: tests of suite S are not run by `meson test` (their
    executables are still planned, e.g. the benchmark pass of a report).

Writes into --out: <label>.tests (test names for `meson test`), <label>.bench
(the bench check executables, for a benchmark pass) and manifest.jsonl (one
JSON object per expected record, from every planned check executable).

Exit status: 0; 1 when an executable's --manifest fails; 2 when the
selection matches nothing or on bad arguments (one line each).
"""

import argparse
import json
import os
import pathlib
import subprocess
import sys

CHECKS = ("property", "linearizability", "model", "stress", "tsan", "asan", "progress", "bench", "litmus")


class PlanError(Exception):
    """One line for the user."""


def introspect(build):
    """The tests registered in `build`: list of {name, suite, cmd, env}."""
    try:
        p = subprocess.run(["meson", "introspect", "--tests", str(build)], capture_output=True, text=True,
                           timeout=120)
    except (OSError, subprocess.TimeoutExpired) as err:
        raise PlanError(f"meson introspect --tests {build}: {err}") from None
    if p.returncode != 0:
        raise PlanError(f"meson introspect --tests {build} failed: {(p.stderr or p.stdout).strip()[:200]}")
    tests = []
    for t in json.loads(p.stdout):
        suites = [s.split(":", 1)[-1] for s in t.get("suite", [])]
        tests.append({"name": t["name"], "suite": suites[0] if suites else "", "cmd": t["cmd"],
                      "env": t.get("env") or {}})
    return tests


def is_check_executable(test):
    """True when the test's program is a harness check executable."""
    try:
        p = subprocess.run([test["cmd"][0], "--help"], capture_output=True, text=True, timeout=60,
                           env=dict(os.environ, **test["env"]))
    except (OSError, subprocess.TimeoutExpired):
        return False
    return p.returncode == 0 and "--manifest" in p.stdout + p.stderr


def manifest(test, entries):
    """The records the test's executable would write (list of dicts); empty
    when its entries match none of the globs."""
    cmd = list(test["cmd"]) + ["--manifest"]
    for g in entries:
        cmd += ["--entry", g]
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=dict(os.environ, **test["env"]))
    except (OSError, subprocess.TimeoutExpired) as err:
        raise PlanError(f"{test['name']}: --manifest: {err}") from None
    if p.returncode == 2 and entries and "no entry matches" in p.stderr:
        return []
    if p.returncode != 0:
        first = (p.stderr or p.stdout).strip().splitlines()
        raise PlanError(f"{test['name']}: {' '.join(cmd)} exited with status {p.returncode}"
                        + (f": {first[0]}" if first else ""))
    out = []
    for n, line in enumerate(p.stdout.splitlines(), 1):
        if not line.strip():
            continue
        try:
            doc = json.loads(line)
        except json.JSONDecodeError:
            raise PlanError(f"{test['name']}: --manifest line {n} is not JSON: {line[:80]}") from None
        if not isinstance(doc, dict) or not all(isinstance(doc.get(k), str)
                                                for k in ("check", "component", "implementation", "expected")):
            raise PlanError(f"{test['name']}: --manifest line {n} lacks check/component/implementation/expected")
        out.append(doc)
    return out


def plan(builds, entries, checks, exclude_suites, probe=is_check_executable, get_manifest=manifest,
         list_tests=introspect):
    """{label: {"tests": [names], "bench": [exe]}}, manifest lines."""
    result, lines = {}, []
    selective = bool(entries or checks)
    for label, build in builds:
        tests, bench = [], []
        for t in list_tests(build):
            if t["suite"] == "scripts" or not probe(t):
                if not selective and t["suite"] not in exclude_suites:
                    tests.append(t["name"])
                continue
            records = get_manifest(t, entries)
            if checks:
                records = [r for r in records if r["check"] in checks]
            if not records:
                continue
            lines += records
            if any(r["check"] == "bench" for r in records):
                bench.append(t["cmd"][0])
            if t["suite"] not in exclude_suites:
                tests.append(t["name"])
        result[label] = {"tests": tests, "bench": bench}
    return result, lines


def main(argv=None):
    """Command line entry point."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", action="append", required=True, metavar="LABEL=DIR")
    ap.add_argument("--entry", action="append", default=[], metavar="GLOB")
    ap.add_argument("--check", action="append", default=[], choices=CHECKS)
    ap.add_argument("--exclude-suite", action="append", default=[], metavar="SUITE")
    ap.add_argument("--out", required=True, metavar="DIR")
    args = ap.parse_args(argv)
    builds = []
    for b in args.build:
        label, sep, d = b.partition("=")
        if not sep or not label or not d:
            ap.error(f"--build takes LABEL=DIR, not '{b}'")
        builds.append((label, pathlib.Path(d)))
    try:
        result, lines = plan(builds, args.entry, set(args.check), set(args.exclude_suite))
    except PlanError as err:
        print(f"gauntlet: {err}", file=sys.stderr)
        return 1
    if not lines and not any(v["tests"] for v in result.values()):
        what = []
        if args.entry:
            what.append("--entry " + " --entry ".join(args.entry))
        if args.check:
            what.append("--check " + " --check ".join(args.check))
        print(f"gauntlet: the selection {' '.join(what) or '(everything)'} matches nothing "
              "(see <check executable> --list)", file=sys.stderr)
        return 2
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for label, v in result.items():
        (out / f"{label}.tests").write_text("".join(n + "\n" for n in v["tests"]))
        (out / f"{label}.bench").write_text("".join(n + "\n" for n in v["bench"]))
        print(f"plan: {label}: {len(v['tests'])} test(s), {len(v['bench'])} bench executable(s)")
    (out / "manifest.jsonl").write_text("".join(json.dumps(r) + "\n" for r in lines))
    print(f"plan: {len(lines)} expected record(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
