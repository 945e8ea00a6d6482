#!/usr/bin/python3
"""The environment audit: the machine and builds a figure comes from.

Printed and stored by every gate run (scripts/gate.py: gate.json,
summary.md, index.html) and every report run (scripts/report.py:
environment.json, summary.md, index.html): CPU model, cores online and
usable, SMT, frequency governor, load average (1, 5, 15 min), kernel,
pinning, and per build folder the compiler and the build options that
matter for speed (buildtype, optimization, debug, b_ndebug, b_lto,
b_sanitize, cpp_std, suites, cpp_args, b_pgo) from meson-info. A load
average above the cores online adds a warning: the machine is shared.
"""

import json
import os
import pathlib
import platform
import re
import subprocess



def read_text(path):
    try:
        return pathlib.Path(path).read_text().strip()
    except OSError:
        return None


def meson_info(build):
    """(compiler, options) from a build folder's meson-info."""
    info = pathlib.Path(build) / "meson-info"
    compiler, options = None, {}
    try:
        comp = json.loads((info / "intro-compilers.json").read_text())
        c = comp.get("host", {}).get("cpp", {})
        version = c.get("full_version") or c.get("version", "?")
        compiler = f"{c.get('id', '?')} {version} ({' '.join(c.get('exelist', []))})"
    except (OSError, ValueError):
        pass
    try:
        wanted = {"buildtype", "optimization", "debug", "b_ndebug", "b_lto", "b_sanitize", "cpp_std", "suites",
                  "cpp_args", "b_pgo"}
        for o in json.loads((info / "intro-buildoptions.json").read_text()):
            if o.get("name") in wanted:
                options[o["name"]] = o.get("value")
    except (OSError, ValueError):
        pass
    if compiler is None:
        # meson 1.0 writes no intro-compilers.json: its log names the compiler
        log = read_text(pathlib.Path(build) / "meson-logs" / "meson-log.txt") or ""
        m = re.search(r"^C\+\+ compiler for the host machine: (.*)$", log, re.M)
        compiler = m.group(1) if m else None
    if compiler is None:
        p = subprocess.run(["c++", "--version"], capture_output=True, text=True)
        compiler = p.stdout.splitlines()[0] if p.returncode == 0 and p.stdout else "unknown"
    return compiler, options


def environment(builds, cpus):
    """The machine and builds the figures come from."""
    model = None
    for line in (read_text("/proc/cpuinfo") or "").splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    smt = read_text("/sys/devices/system/cpu/smt/active")
    siblings = read_text("/sys/devices/system/cpu/cpu0/topology/thread_siblings_list")
    env = {
        "cpu_model": model or platform.processor() or "unknown",
        "cores_online": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "smt": {"1": "on", "0": "off"}.get(smt, f"unknown (cpu0 siblings: {siblings})" if siblings else "unknown"),
        "governor": read_text("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor") or "not readable",
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "kernel": f"{platform.system()} {platform.release()} {platform.version()}",
        "pinned_cpus": cpus or "not pinned",
        "builds": {},
    }
    for side, build in builds.items():
        compiler, options = meson_info(build)
        env["builds"][side] = {"folder": str(build), "compiler": compiler, "options": options}
    return env


def environment_lines(env):
    lines = [f"cpu: {env['cpu_model']}; {env['cores_online']} cores online ({env['cpus_usable']} usable), "
             f"SMT {env['smt']}, governor {env['governor']}",
             f"load average (1, 5, 15 min): {env['load_average']}"
             + (f" at start, {env['load_average_end']} at end" if "load_average_end" in env else ""),
             f"kernel: {env['kernel']}", f"pinned to cpus: {env['pinned_cpus']}"]
    busy = max([env["load_average"][0]] + env.get("load_average_end", [])[:1])
    if env["cores_online"] and busy > env["cores_online"]:
        lines.append(f"warning: 1-minute load average {busy} above the {env['cores_online']} cores: the machine "
                     "is shared, expect wide intervals (more 'unknown' and 'cannot gate')")
    for side, b in env["builds"].items():
        opts = ", ".join(f"{k}={v}" for k, v in sorted(b["options"].items()))
        lines.append(f"{side} build: {b['compiler']}; {opts} ({b['folder']})")
    return lines
