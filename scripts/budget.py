#!/usr/bin/python3
"""The quick tier's time against its budget, one row per suite.

`scripts/gauntlet test` must finish within 15 minutes from a cold clone on 2
cores. This prints, per step, the seconds it took and its budget, and marks
a step over budget (the exit status stays 0: only test failures fail a run).

Suite times are the sums of the test durations meson recorded in
<build>/meson-logs/testlog.json (tests of a suite may run in parallel, so a
sum can exceed the wall time the suite took).

The sanitizer builds have rows of their own: "tsan" is the ThreadSanitizer
build's compile plus every test time of build-tsan/; "asan-build" is the
AddressSanitizer/UBSan build's compile and "asan" every test time of
build-asan/. The step budgets are ceilings per step, not shares that add up
to the total; the total is the wall time of the whole run.

  budget.py --step build=212 --testlog build/meson-logs/testlog.json \\
            --step tsan=95 --testlog-into tsan=build-tsan/meson-logs/testlog.json \\
            --step asan-build=80 --testlog-into asan=build-asan/meson-logs/testlog.json --total 760
"""

import argparse
import json
import pathlib
import sys

# Ceilings per step, set from measured runs with room for a noisier machine
# (2026-11-29, fresh clone, 798 s in all: build 229 s, stress 117 s with the
# deque duel, which the previous 120 s stress ceiling no longer covered; the
# build ceiling came down from 300 s when Relacy's engine was compiled once
# per scenario).
BUDGET = {"build": 270, "property": 90, "model": 150, "litmus": 60, "stress": 140, "bench": 60, "scripts": 30,
          "tsan": 240, "asan-build": 240, "asan": 150}
TOTAL_BUDGET = 900


def suite_seconds(testlog):
    """{suite: summed duration} from a meson testlog.json (one JSON object
    per line; the suite is read from the name 'project:suite / test')."""
    out = {}
    for line in pathlib.Path(testlog).read_text().splitlines():
        if not line.strip():
            continue
        t = json.loads(line)
        name = t.get("name", "")
        suite = name.split(" / ", 1)[0].split(":", 1)[-1] if " / " in name else "?"
        suite = suite.split("+", 1)[0]
        out[suite] = out.get(suite, 0.0) + float(t.get("duration") or 0.0)
    return out


def table(rows, total=None):
    """rows: [(step, seconds)] -> lines; a step without a budget shows '-'."""
    lines = [f"{'step':<22} {'seconds':>8} {'budget':>7}"]
    for step, secs in rows:
        budget = BUDGET.get(step)
        mark = "  OVER BUDGET" if budget is not None and secs > budget else ""
        lines.append(f"{step:<22} {secs:>8.1f} {budget if budget is not None else '-':>7}{mark}")
    if total is not None:
        mark = "  OVER BUDGET" if total > TOTAL_BUDGET else ""
        lines.append(f"{'total (wall)':<22} {total:>8.1f} {TOTAL_BUDGET:>7}{mark}")
    return lines


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--step", action="append", default=[], metavar="NAME=SECONDS", help="a measured step")
    ap.add_argument("--testlog", action="append", default=[], metavar="FILE", help="one row per suite")
    ap.add_argument("--testlog-into", action="append", default=[], metavar="STEP=FILE",
                    help="add every suite's time of FILE to STEP (the TSan build's tests into tsan, "
                         "the ASan/UBSan build's into asan)")
    ap.add_argument("--total", type=float, help="wall seconds of the whole run")
    args = ap.parse_args(argv)
    rows = {}
    for s in args.step:
        name, _, secs = s.partition("=")
        rows[name] = rows.get(name, 0.0) + float(secs)
    try:
        for f in args.testlog:
            if pathlib.Path(f).exists():
                for suite, secs in suite_seconds(f).items():
                    rows[suite] = rows.get(suite, 0.0) + secs
        for s in args.testlog_into:
            step, _, f = s.partition("=")
            if pathlib.Path(f).exists():
                rows[step] = rows.get(step, 0.0) + sum(suite_seconds(f).values())
    except (OSError, ValueError) as err:
        print(f"budget: cannot read a testlog: {err}", file=sys.stderr)
    order = list(BUDGET)
    for line in table(sorted(rows.items(), key=lambda kv: (order.index(kv[0]) if kv[0] in order else 99, kv[0])),
                      args.total):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
