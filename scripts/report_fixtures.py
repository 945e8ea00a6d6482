"""Records and benchmark runs as the check programs write them, for the
report scripts' unit tests (test_report_*.py)."""

import report


def record(impl, check, verdict="pass", expected="pass", origin="in-house", component="c", trace="", metrics=None,
           reason="", detail=""):
    """One check record of entry `impl`, its status derived as the report
    derives it; an expectation that needs a reason gets one."""
    if expected in ("flaky", "skip") and not reason:
        reason = "fixture reason"
    r = {"component": component, "implementation": impl, "origin": origin, "check": check, "verdict": verdict,
         "expected": expected, "reason": reason, "status": "", "detail": detail or f"{check} detail of {impl}",
         "trace": trace or f"replay: prog --entry '{impl}' --seed 1", "seed": "1", "seconds": 1.0,
         "metrics": metrics if metrics is not None else {},
         "_file": f"{check}.{component}.{impl}.json"}
    r["status"] = report.status_of(r)
    return r


def bench_run(benchmark, labels=None, cpu_ns=1e6, **fields):
    """One Google Benchmark run as bench records carry it: `labels` are the
    component's own (thieves, producers, workers), `fields` its figures."""
    r = {"benchmark": benchmark, **(labels or {}), "threads": 1, "aggregate": "", "iterations": 10, "real_ns": 1e6,
         "cpu_ns": cpu_ns}
    r.update(fields)
    return r
