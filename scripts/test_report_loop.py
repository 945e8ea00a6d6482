#!/usr/bin/python3
"""Unit tests of scripts/report_loop.py on small loop, timer and dispatch records.

Run: /usr/bin/python3 scripts/test_report_loop.py
"""

import pathlib
import re
import sys
import tempfile
import unittest
from unittest import mock

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

import report  # noqa: E402
from report_fixtures import bench_run, record  # noqa: E402
import report_loop  # noqa: E402

IMG = '<img src="data:image/png;base64,'


def _rec(*args, **kw):
    if len(args) < 6:  # (impl, check, verdict, expected, origin, component, ...)
        kw.setdefault("component", "loop")
    return record(*args, **kw)


def _run(benchmark, **fields):
    return bench_run(benchmark, None, **fields)


def _loop_runs(p50, tps1, tps2, idle, wake=True):
    w = {"wake_writes_per_post": 0.5} if wake else {}
    return [_run("ping_pong", name="loop_ping_pong/x/manual_time", p50_ns=p50, p99_ns=p50 * 2, p999_ns=p50 * 10,
                 round_trips_per_second=1e9 / p50),
            _run("post_flood", producers=1, tasks_per_second=tps1, **w),
            _run("post_flood", producers=2, tasks_per_second=tps2, **w),
            _run("post_flood", producers=2, tasks_per_second=1.0, aggregate="mean"),
            _run("idle_cpu", loop_cpu_us_per_s=idle)]


def _bench(impl, runs, origin="in-house", component="loop", verdict="pass"):
    return _rec(impl, "bench", verdict, "pass" if verdict != "skip" else "skip", origin, component,
                metrics={"runs": runs})


PROPERTY_TRACE = """replay: loop_property --entry 'coalescing_loop.bad_order' --seed 20240611
Using configuration: max_success=200 seed=1

- coalescing_loop.bad_order runs tasks in the contract's order
Falsifiable after 20 tests and 4 shrinks

std::tuple<std::vector<std::pair<unsigned char, unsigned char>>>:
([(3, 0), (3, 0)])

../properties/loop/loop_property.hpp:178:
RC_ASSERT(got == want)

Expands to:
<???> == <???>

Log:
script:
  #0 post (top level)
  #1 post (top level)
reference ran [#0 #1], refused []
entry ran     [#1 #0], refused []
"""

MODEL_TRACE = ("replay: loop_model --entry 'coalescing_loop.no_recheck' --seed 0\nscenario\n"
               "DEADLOCK (deadlock detected)\niteration: 7\n\nexecution history (60):\n"
               + "".join(f"[{i}] {i % 2}: atomic load, value=0, order=relaxed, in f() {'x' * 300}\n" for i in range(60))
               + "[60] 0: DEADLOCK (deadlock detected), in wake_event::wait()\n\nthread 0:\n"
               + "".join(f"[{i}] 0: per-thread repeat\n" for i in range(30)))

LOOPS = [
    _bench("coalescing_loop", _loop_runs(900.0, 11e6, 12e6, 95.0)),
    _bench("polling_loop", _loop_runs(190.0, 11.5e6, 10.5e6, 998000.0), origin="seed"),
    _bench("libuv_loop", _loop_runs(3600.0, 11.4e6, 11.1e6, 120.0, wake=False), origin="peer"),
    _bench("coalescing_loop.no_recheck", [], origin="mutant", verdict="skip"),
    _rec("coalescing_loop", "property"),
    _rec("coalescing_loop", "model", metrics={"searches": [{"scenario": "s", "mode": "full", "executions": 9}]}),
    _rec("coalescing_loop", "tsan"),
    _rec("libuv_loop", "property", origin="peer"),
    _rec("coalescing_loop.bad_order", "property", "fail", "fail", "mutant", trace=PROPERTY_TRACE,
         detail="a script whose order differs from the reference (shrunk; in the trace)"),
    _rec("coalescing_loop.no_recheck", "model", "fail", "fail", "mutant", trace=MODEL_TRACE,
         detail="DEADLOCK in the post vs sleep search"),
    _rec("coalescing_loop.no_recheck", "stress", "fail", "flaky", "mutant"),
    _rec("cacheline_roundtrip", "bench", component="reference",
         metrics={"runs": [_run("latency", p50_ns=80.0, p99_ns=100.0, p999_ns=180.0)]}),
    _rec("spsc_ring", "bench", component="queue.spsc.bounded",
         metrics={"runs": [_run("throughput", producers=1, consumers=1, items_per_second=3e7)]}),
]

COMING = [
    _bench("coalescing_loop.micro", [_run("microtask_drain", items_per_second=5e7),
                                     _run("timer_lateness", p50_ns=2000.0, p99_ns=9000.0)]),
    _bench("timer_heap", [_run("timer_insert", items_per_second=2e7), _run("timer_fire", items_per_second=1e7),
                          _run("timer_cancel", items_per_second=3e7)], component="timer"),
    _bench("timer_wheel", [_run("timer_insert", items_per_second=4e7), _run("timer_fire", items_per_second=3e7)],
           component="timer"),
    _rec("timer_wheel", "property", component="timer"),
    _bench("task_dispatch", [_run("dispatch", dispatch=k + ("_prealloc" if pre else ""),
                                  timed="dispatch_only" if pre else "whole_task",
                                  allocations_per_task=0 if pre or k == "tagged_union" else 1, items_per_second=v)
                             for k, pre, v in (("tagged_union", False, 4e8), ("virtual_call", False, 1e8),
                                               ("std_function", False, 0.5e8), ("tagged_union", True, 6e8),
                                               ("virtual_call", True, 5e8), ("std_function", True, 2.5e8))],
           component="dispatch"),
]


def _capture_figures():
    """Patch report_loop.figure_html: record each figure's title, y labels
    and which bars are hatched, then embed it as report.figure_html does."""
    seen = []
    real = report.figure_html

    def capture(fig, alt, caption=""):
        ax = fig.axes[0]
        seen.append({"title": ax.get_title(), "labels": [t.get_text() for t in ax.get_yticklabels()],
                     "hatched": sum(1 for p in ax.patches if p.get_hatch()),
                     "bars": sum(1 for p in ax.patches if p.get_visible()), "log": ax.get_xscale() == "log"})
        return real(fig, alt, caption)

    return seen, mock.patch.object(report_loop, "figure_html", capture)


class ParseTest(unittest.TestCase):
    def test_reads_typed_labels(self):
        data = report_loop.parse_records(LOOPS)
        loops = data["loops"]
        self.assertEqual(sorted(loops), ["coalescing_loop", "libuv_loop", "polling_loop"])  # mutant skipped
        self.assertEqual(loops["coalescing_loop"]["ping_pong"]["p999_ns"], 9000.0)
        self.assertEqual(loops["coalescing_loop"]["post_flood"], {1: 11e6, 2: 12e6})  # aggregate left out
        self.assertEqual(loops["coalescing_loop"]["wake_writes_per_post"], {1: 0.5, 2: 0.5})
        self.assertNotIn("wake_writes_per_post", loops["libuv_loop"])
        self.assertEqual(loops["polling_loop"]["idle_cpu"], 998000.0)
        self.assertEqual(loops["libuv_loop"]["origin"], "peer")
        self.assertEqual(data["floor"], 80.0)
        self.assertEqual(data["timers"], {})
        self.assertEqual(data["dispatch"], {})

    def test_names_are_not_parsed(self):
        runs = [_run("idle_cpu", name="loop_ping_pong/other_loop/manual_time", loop_cpu_us_per_s=5.0)]
        loops = report_loop.parse_records([_bench("mutex_loop", runs)])["loops"]
        self.assertEqual(loops, {"mutex_loop": {"origin": "in-house", "idle_cpu": 5.0}})

    def test_coming_benchmarks_by_label(self):
        data = report_loop.parse_records(LOOPS + COMING)
        self.assertEqual(data["loops"]["coalescing_loop.micro"]["microtask_drain"], 5e7)
        self.assertEqual(data["loops"]["coalescing_loop.micro"]["timer_lateness"], {"p50_ns": 2000.0, "p99_ns": 9000.0})
        self.assertEqual(data["timers"]["timer_heap"]["timer_cancel"], 3e7)
        self.assertNotIn("timer_cancel", data["timers"]["timer_wheel"])
        self.assertEqual(data["dispatch"][("task_dispatch", "virtual_call_prealloc")],
                         {"origin": "in-house", "items_per_second": 5e8, "timed": "dispatch_only",
                          "allocations_per_task": 0.0})
        self.assertEqual(len(data["dispatch"]), 6)

    def test_dispatch_runs_in_any_record_by_label(self):
        runs = [_run("latency", p50_ns=80.0, p99_ns=100.0, p999_ns=180.0),
                _run("dispatch", dispatch="tagged_union", items_per_second=4e8)]
        data = report_loop.parse_records([_rec("cacheline_roundtrip", "bench", component="reference",
                                               metrics={"runs": runs})])
        self.assertEqual(data["dispatch"], {("cacheline_roundtrip", "tagged_union"): {
            "origin": "in-house", "items_per_second": 4e8, "timed": None, "allocations_per_task": None}})
        self.assertEqual(data["floor"], 80.0)
        with self.assertRaisesRegex(report.ReportError, r"field 'metrics\.runs\[0\]\.dispatch' missing"):
            report_loop.parse_records([_bench("task_dispatch", [_run("dispatch", items_per_second=1.0)],
                                              component="dispatch")])

    def test_pass_without_runs_is_an_error_naming_the_file(self):
        rec = _bench("coalescing_loop", [])
        del rec["metrics"]["runs"]
        with self.assertRaisesRegex(report.ReportError, r"^bench\.loop\.coalescing_loop\.json: field 'metrics\.runs' missing"):
            report_loop.parse_records([rec])
        with self.assertRaisesRegex(report.ReportError, r"^bench\.loop\.coalescing_loop\.json: .*no run without error"):
            report_loop.parse_records([_bench("coalescing_loop", [_run("ping_pong", error="boom")])])
        with self.assertRaisesRegex(report.ReportError, r"^bench\.loop\.coalescing_loop\.json: field 'metrics\.runs' missing"):
            report_loop.section([rec])

    def test_timer_pass_without_runs_is_an_error(self):
        rec = _bench("timer_heap", [], component="timer")
        rec["metrics"] = {}
        with self.assertRaisesRegex(report.ReportError, r"^bench\.timer\.timer_heap\.json: field 'metrics\.runs'"):
            report_loop.parse_records([rec])

    def test_missing_counter_names_file_and_field(self):
        runs = [_run("ping_pong", p50_ns=1.0, p99_ns=2.0)]
        with self.assertRaisesRegex(report.ReportError,
                                    r"^bench\.loop\.mutex_loop\.json: field 'metrics\.runs\[0\]\.p999_ns' missing"):
            report_loop.parse_records([_bench("mutex_loop", runs)])
        runs = [_run("post_flood", tasks_per_second=1.0)]
        with self.assertRaisesRegex(report.ReportError, r"field 'metrics\.runs\[0\]\.producers' missing"):
            report_loop.parse_records([_bench("mutex_loop", runs)])

    def test_failed_bench_without_runs_is_shown_not_an_error(self):
        rec = _bench("mutex_loop", [], verdict="fail")
        rec.update(expected="fail", metrics={})
        rec["status"] = report.status_of(rec)
        self.assertEqual(report_loop.parse_records([rec])["loops"], {})
        html, _ = report_loop.section([rec])
        self.assertIn("no loop benchmark runs", html)


class CounterexampleTest(unittest.TestCase):
    def test_property_counterexample_is_shown_whole(self):
        html, md = report_loop.counterexamples(LOOPS)
        self.assertIn("property: loop / coalescing_loop.bad_order (mutant): ", html)
        self.assertIn("expected (finding)", html)
        self.assertIn("reference ran [#0 #1], refused []", html)
        self.assertIn("entry ran     [#1 #0], refused []", html)
        self.assertIn("  #1 post (top level)", md)
        self.assertIn(f'href="#{report.anchor(LOOPS[8])}"', html)
        self.assertNotIn("coalescing_loop.no_recheck (mutant): flaky", html)  # stress is not a counterexample

    def test_model_counterexample_is_trimmed_to_the_history(self):
        text = report_loop.trim_trace(MODEL_TRACE)
        lines = text.splitlines()
        self.assertEqual(lines[0], "replay: loop_model --entry 'coalescing_loop.no_recheck' --seed 0")
        self.assertIn("DEADLOCK (deadlock detected)", lines)
        self.assertIn("[60] 0: DEADLOCK (deadlock detected), in wake_event::wait()", lines)
        self.assertNotIn("per-thread repeat", text)
        self.assertRegex(text, r"… \d+ lines left out …")
        self.assertTrue(all(len(line) <= report_loop.LINE_CHARS + 2 for line in lines))
        self.assertLess(len(lines), report_loop.HEAD_LINES + report_loop.TAIL_LINES + 3)

    def test_counterexample_ends_at_the_entry_line_in_either_layout(self):
        tail = "\nunrelated line after the log\n" * 40
        for entry in ("entry ran     [#1 #0], refused []", "entry     ran [#1 #0], refused [], cancels []"):
            trace = PROPERTY_TRACE.replace("entry ran     [#1 #0], refused []", entry) + tail
            text = report_loop.trim_trace(trace)
            self.assertIn(entry, text)
            self.assertIn("reference ran [#0 #1]", text)
            self.assertNotIn("unrelated line", text)
            self.assertTrue(text.endswith("more lines in the full trace …"))

    def test_unexpected_failure_says_so(self):
        rec = _rec("mutex_loop", "property", "fail", "pass", trace=PROPERTY_TRACE)
        html, _ = report_loop.counterexamples([rec])
        self.assertIn("UNEXPECTED (MISMATCH: expected pass)", html)
        rec = _rec("mutex_loop", "model", "fail", "flaky", trace="replay: x\nUSER ASSERT FAILED")
        html, _ = report_loop.counterexamples([rec])
        self.assertIn("flaky (recorded, not held)", html)

    def test_none(self):
        html, _ = report_loop.counterexamples([_rec("mutex_loop", "property")])
        self.assertIn("No loop or timer entry fails", html)


class SectionTest(unittest.TestCase):
    def test_section_renders_table_counterexamples_charts_and_note(self):
        seen, patch = _capture_figures()
        with patch:
            html, md = report_loop.section(LOOPS)
        self.assertTrue(html.startswith("<h2>Event loops</h2>"))
        # the verdict table: loop entries only, origin beside the name, the page's cells
        table = html[html.index('<table class="matrix">'):html.index("</table>")]
        self.assertIn("<td>libuv_loop</td><td>peer</td>", table)
        self.assertIn("<td>coalescing_loop.bad_order</td><td>mutant</td>", table)
        self.assertIn('class="finding"', table)
        self.assertNotIn("spsc_ring", table)
        self.assertNotIn("cacheline_roundtrip", table)
        self.assertIn("| loop | coalescing_loop | in-house |", md)
        # counterexamples
        self.assertIn("entry ran     [#1 #0]", html)
        self.assertIn("model: loop / coalescing_loop.no_recheck (mutant)", html)
        # charts: ping-pong, post flood, idle CPU; nothing for what is not measured
        self.assertEqual(html.count(IMG), 3)
        self.assertNotIn('src="assets', html)
        self.assertEqual([f["title"] for f in seen],
                         ["loop: ping-pong round trip", "loop: post flood", "loop: CPU burnt while idle"])
        self.assertEqual([f["log"] for f in seen], [True, False, True])
        # every variant and the peer side by side, the peer marked and hatched
        for f in seen:
            self.assertEqual(f["labels"], ["coalescing_loop", "polling_loop", "libuv_loop (peer)"])
        self.assertEqual([f["hatched"] for f in seen], [3, 2, 1])  # the peer's bars only
        self.assertIn("| libuv_loop (peer) | 3600 / 7200 / 36000 |", md)
        self.assertIn("| coalescing_loop | 900 / 1800 / 9000 | 1.11M | 11M / 12M | 0.5 / 0.5 | 95 |", md)
        self.assertNotIn("microtasks/s", md)  # a column nothing measured is left out
        # the single-run note
        self.assertIn("<code>scripts/gauntlet bench --pairs A,B</code>", html)
        self.assertIn("`scripts/gauntlet bench --pairs A,B`", md)

    def test_coming_benchmarks_get_their_charts(self):
        seen, patch = _capture_figures()
        with patch:
            html, md = report_loop.section(LOOPS + COMING)
        self.assertEqual(html.count(IMG), 7)
        titles = [f["title"] for f in seen]
        self.assertEqual(titles[3:], ["loop: microtask drain", "loop: timer lateness", "timers: insert, fire, cancel",
                                      "dispatch: heterogeneous tasks"])
        self.assertEqual(seen[5]["labels"], ["timer_heap", "timer_wheel"])
        # one group per design, whole task and dispatch only side by side
        self.assertEqual(seen[6]["labels"], ["std_function", "tagged_union", "virtual_call"])
        self.assertEqual(seen[6]["bars"], 6)
        self.assertIn("<td>timer</td><td>timer_wheel</td><td>in-house</td>", html)
        self.assertIn("| timer_heap | 20M | 10M | 30M |", md)
        self.assertIn("| coalescing_loop.micro | - | - | - | - | - | 50M | 2000 / 9000 |", md)
        self.assertIn("| timer_wheel | 40M | 30M | - |", md)
        self.assertIn("| tagged_union | whole task | 400M | 0 |", md)
        self.assertIn("| std_function_prealloc | dispatch only | 250M | 0 |", md)
        self.assertIn("| virtual_call | whole task | 100M | 1 |", md)

    def test_section_without_loop_records(self):
        html, md = report_loop.section([LOOPS[-1], LOOPS[-2]])
        self.assertIn("no loop or timer records", html)
        self.assertNotIn(IMG, html)

    def test_registered_in_the_report(self):
        self.assertIn("report_loop", report.SECTIONS)
        self.assertIs(report_loop.ReportError, report.ReportError)
        with tempfile.TemporaryDirectory() as tmp:
            _, _, errors = report.render([dict(r) for r in LOOPS], tmp)
            page = (pathlib.Path(tmp) / "index.html").read_text()
        self.assertEqual(errors, [])
        self.assertIn("<h2>Event loops</h2>", page)
        section = page[page.index("<h2>Event loops</h2>"):]
        section = section[:section.index("<h2>", 5)]
        self.assertEqual(section.count(IMG), 3)
        self.assertEqual(len(re.findall(r"<pre>", section)), 2)

    def test_report_names_the_file_of_a_passed_bench_without_runs(self):
        rec = _bench("coalescing_loop", [])
        del rec["metrics"]["runs"]
        with tempfile.TemporaryDirectory() as tmp:
            _, _, errors = report.render([rec], tmp)
        self.assertTrue(any(e.startswith("bench.loop.coalescing_loop.json: field 'metrics.runs' missing")
                            for e in errors), errors)



class ReactorTables(unittest.TestCase):
    """Backpressure (stress metrics), fairness (property metrics) and stall
    cost (bench runs) reach the loop section."""

    def records(self):
        water = _rec("coalescing_loop", "stress", metrics={
            "high_water_mark": 64, "peak_queued": 63, "told_full": 12345, "offers_per_run": 3.5,
            "drain_per_second": 4.5e5})
        fair = _rec("coalescing_loop", "property", metrics={
            "fairness_reposts_before_timer": 0, "fairness_reposts_before_io": 50,
            "fairness_microtasks_before_timer": 0, "fairness_microtasks_before_io": 1000})
        stall = _bench("coalescing_loop", [
            _run("stall_cost", intruder=k, p50_ns=1000.0, p99_ns=2000.0, p999_ns=1.05e6, p9999_ns=1.1e6,
                 max_ns=1.2e6, stalls_per_second=190.0) for k in ("none", "blocking", "cas_loop")])
        return [water, fair, stall]

    def test_tables_show_the_figures(self):
        recs = self.records()
        out, md = report_loop.reactor_tables(recs, report_loop.parse_records(recs))
        text = "\n".join(out)
        for heading in ("Backpressure", "Fairness", "Stalls"):
            self.assertIn(f"<h3>{heading}</h3>", text)
        self.assertIn("<td>63</td>", text)          # peak queued
        self.assertIn("<td>50</td>", text)          # re-posts before the fd: above its bound of 1, shown
        self.assertIn("1 ms blocking call every 5 ms", text)
        self.assertIn("<td>1.05e+03</td>", text)    # p99.9 of 1.05 ms, in µs
        self.assertIn("| coalescing_loop |", "\n".join(md))

    def test_section_includes_them(self):
        html, _ = report_loop.section(self.records())
        self.assertIn("<h3>Backpressure</h3>", html)
        self.assertIn("<h3>Stalls</h3>", html)

    def test_nothing_measured_nothing_shown(self):
        recs = [_rec("coalescing_loop", "stress")]
        out, md = report_loop.reactor_tables(recs, report_loop.parse_records(recs))
        self.assertEqual(out, [])
        self.assertEqual(md, [])

if __name__ == "__main__":
    unittest.main()
