#!/usr/bin/python3
"""Unit tests of scripts/report.py on small fixture folders of records.

Run: /usr/bin/python3 scripts/test_report.py
"""

import contextlib
import io
import json
import pathlib
import re
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import report  # noqa: E402


def rec(impl, check, verdict, expected, origin="in-house", component="lifecycle", trace="", reason="",
        metrics=None, **kw):
    """A record as the harness writes it (status from the one rule)."""
    if expected in ("flaky", "skip") and not reason:
        reason = "fixture reason"
    r = {"component": component, "implementation": impl, "origin": origin, "check": check,
         "verdict": verdict, "expected": expected, "reason": reason, "status": "",
         "detail": f"{check} detail of {impl}", "trace": trace or f"replay: prog --entry '{impl}' --seed 1",
         "seed": "1", "seconds": 0.5, "metrics": metrics if metrics is not None else {}}
    r["status"] = report.status_of(r)
    r.update(kw)
    return r


SEARCHES = {"searches": [{"scenario": "1 worker", "mode": "context bound", "bound": 2, "executions": 1234},
                         {"scenario": "2 workers", "mode": "random", "seed": "7", "budget": 5000,
                          "executions": 5000}],
            "executions": 6234, "blind_spots": "Relacy makes stores visible in execution order"}
LIN = {"histories": 3000, "overlapping_histories": 1286, "inconclusive_histories": 3}
RUNS = {"runs": [
    {"benchmark": "enter_exit", "threads": 1, "aggregate": "", "iterations": 1000, "real_ns": 12.5, "cpu_ns": 12.4},
    {"benchmark": "enter_exit", "threads": 2, "aggregate": "", "iterations": 1000, "real_ns": 30.0, "cpu_ns": 29.0},
    {"benchmark": "enter_exit", "threads": 2, "aggregate": "mean", "iterations": 3, "real_ns": 31.0, "cpu_ns": 30.0},
]}


def fixture():
    """A small complete run: lifecycle entries, a seed finding, two mutants
    (one caught by model only), flaky and skipped records."""
    return [
        rec("packed", "property", "pass", "pass"),
        rec("packed", "model", "pass", "pass", metrics=SEARCHES),
        rec("packed", "stress", "pass", "pass"),
        rec("packed", "bench", "pass", "pass", metrics=RUNS),
        rec("packed", "linearizability", "skip", "skip", reason="lifecycles promise no linearizable history"),
        rec("seed_svc", "model", "fail", "fail", "seed", trace="replay: m\nDEADLOCK at seed_atomic_service.hpp(40)",
            metrics=SEARCHES),
        rec("seed_svc", "stress", "fail", "flaky", "seed", reason="needs a rare interleaving"),
        rec("mutant_a", "model", "fail", "fail", "mutant", metrics=SEARCHES),
        rec("mutant_a", "stress", "pass", "pass", "mutant"),
        rec("mutant_a", "property", "pass", "pass", "mutant"),
        rec("q", "linearizability", "pass", "pass", component="queue.mpmc.bounded", metrics=LIN),
        rec("q.mut", "linearizability", "fail", "fail", "mutant", component="queue.mpmc.bounded",
            metrics=dict(LIN, histories=10)),
    ]


def manifest_of(records):
    return "".join(json.dumps({k: r[k] for k in ("check", "component", "implementation", "expected")}) + "\n"
                   for r in records)


class Folder:
    """A results folder with one file per record, a manifest and an output folder."""

    def __init__(self, records, manifest=None):
        self.tmp = tempfile.TemporaryDirectory()
        self.root = pathlib.Path(self.tmp.name)
        self.results = self.root / "results"
        self.results.mkdir()
        for r in records:
            self.write(r)
        self.manifest = self.root / "manifest.jsonl"
        self.manifest.write_text(manifest_of(records if manifest is None else manifest))
        self.out = self.root / "reports" / "latest"

    def path(self, r):
        return self.results / f"{r['check']}.{r['component']}.{r['implementation']}.json"

    def write(self, r):
        self.path(r).write_text(json.dumps(r) + "\n")

    def run(self, *extra):
        """report.main -> (exit status, stdout, stderr)."""
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = report.main([str(self.results), "--out", str(self.out), "--expect", str(self.manifest),
                                  *extra])
        return status, out.getvalue(), err.getvalue()

    def text(self, name):
        return (self.out / name).read_text()

    def first_lines(self):
        md = self.text("summary.md").splitlines()[0]
        page = re.sub(r"<[^>]+>", "", re.search(r'<p class="headline[^"]*">.*?</p>', self.text("index.html")).group(0))
        return md, page

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.tmp.cleanup()


unittest.TestCase.maxDiff = 2000
unittest.TestCase.longMessage = False


class StatusRuleTest(unittest.TestCase):
    def test_the_rule(self):
        table = {("pass", "pass"): "ok", ("fail", "fail"): "finding", ("fail", "pass"): "mismatch",
                 ("pass", "fail"): "mismatch", ("skip", "pass"): "mismatch", ("skip", "fail"): "mismatch",
                 ("pass", "flaky"): "flaky", ("fail", "flaky"): "flaky", ("skip", "skip"): "skipped",
                 ("pass", "skip"): "skipped"}
        for (verdict, expected), status in table.items():
            self.assertEqual(report.status_of({"verdict": verdict, "expected": expected}), status,
                             (verdict, expected))

    def test_sections_use_the_same_rule(self):
        import report_litmus
        import report_queues
        self.assertIs(report_litmus.status_of, report.status_of)
        self.assertIs(report_queues.ReportError, report.ReportError)


class CompleteRunTest(unittest.TestCase):
    def test_complete_run_exits_zero_and_writes_every_output(self):
        with Folder(fixture()) as f:
            status, out, err = f.run()
            self.assertEqual(status, 0, err)
            md, page = f.first_lines()
            self.assertEqual(md, "complete: 12 records, 0 mismatch(es)")
            self.assertEqual(page, md)
            self.assertIn("report: complete", out)
            self.assertEqual(len(json.loads(f.text("results.json"))), 12)
            self.assertEqual(sorted(p.name for p in f.out.iterdir()),
                             ["environment.json", "index.html", "junit.xml", "results.json", "summary.md"])

    def test_environment_audit_is_printed_and_stored(self):
        with Folder(fixture()) as f:
            status, out, err = f.run()
            self.assertEqual(status, 0, err)
            env = json.loads(f.text("environment.json"))
            for k in ("cpu_model", "cores_online", "smt", "governor", "load_average", "kernel", "builds"):
                self.assertIn(k, env)
            self.assertIn("report: environment:", out)
            self.assertIn("report:   cpu: ", out)
            self.assertIn("load average (1, 5, 15 min)", f.text("summary.md").split("## Environment", 1)[1])
            self.assertIn("kernel: ", f.text("index.html").split("<h2>Environment</h2>", 1)[1])

    def test_page_is_self_contained(self):
        with Folder(fixture()) as f:
            f.run()
            page = f.text("index.html")
            imgs = re.findall(r'<img[^>]*src="([^"]*)"', page)
            self.assertTrue(imgs, "the lifecycle benchmark chart is embedded")
            for src in imgs:
                self.assertTrue(src.startswith("data:image/png;base64,"), src[:40])
            self.assertNotRegex(page, r'<link[^>]*href=|<script[^>]*src=')

    def test_vocabulary(self):
        with Folder(fixture()) as f:
            f.run()
            for name in ("index.html", "summary.md"):
                text = f.text(name)
                self.assertNotIn("n/a", text)
                self.assertNotIn("(not held)", text)
                self.assertNotIn("caught (not held)", text)
                self.assertIn("fail (flaky)", text)
                self.assertIn("skip", text)
                self.assertIn("fail (finding)", text)

    def test_model_searches_and_linearizability_shown(self):
        with Folder(fixture()) as f:
            f.run()
            md = f.text("summary.md")
            self.assertIn("1 worker: context bound (bound 2), 1.23k executions", md)
            self.assertIn("2 workers: random (seed 7, budget 5000), 5k executions", md)
            self.assertIn("What the model checker cannot see: Relacy makes stores visible", md)
            self.assertIn("| queue.mpmc.bounded | q | pass | 3000 | 1286 (43%) | 3 (0%) |", md)
            self.assertIn("context bound/random 6.23k", f.text("index.html"))

    def test_kill_matrix_marks_columns_without_power(self):
        with Folder(fixture()) as f:
            f.run()
            md = f.text("summary.md")
            self.assertIn("No demonstrated power (lifecycle): property, stress.", md)
            self.assertIn("Not a column here: bench", md)
            self.assertIn("| lifecycle/mutant_a | survived | caught | survived | yes |", md)
            self.assertNotIn("linearizability (no demonstrated power)", md)
            self.assertIn("stress (no demonstrated power)", md)
            self.assertNotIn("model (no demonstrated power)", md)
            self.assertIn("no demonstrated power", f.text("index.html"))

    def test_survivor(self):
        html, md = report.kill_matrix([rec("m", "property", "pass", "pass", "mutant")])
        self.assertIn("SURVIVED ALL", html)
        self.assertIn("**survived all**", md)
        self.assertIn("No demonstrated power (lifecycle): property", md)

    def test_junit_has_one_case_per_entry_and_check(self):
        records = fixture() + [rec("bad", "stress", "fail", "pass", trace="replay: x\nboom")]
        with Folder(records) as f:
            status, _, _ = f.run()
            self.assertEqual(status, 1)
            root = ET.fromstring(f.text("junit.xml"))
            cases = root.findall(".//testcase")
            self.assertEqual(len(cases), 13)
            by_name = {(c.get("classname"), c.get("name")): c for c in cases}
            bad = by_name[("lifecycle", "bad.stress")]
            self.assertEqual(bad.find("failure").get("message"), "got fail, expected pass: stress detail of bad")
            self.assertIn("boom", bad.find("failure").text)
            skipped = by_name[("lifecycle", "packed.linearizability")].find("skipped")
            self.assertEqual(skipped.get("message"), "skip: lifecycles promise no linearizable history")
            flaky = by_name[("lifecycle", "seed_svc.stress")].find("skipped")
            self.assertEqual(flaky.get("message"), "flaky (fail): needs a rare interleaving")
            finding = by_name[("lifecycle", "seed_svc.model")]
            self.assertIsNone(finding.find("failure"))
            self.assertIn("finding", finding.find("system-out").text)
            suite = root.find("testsuite")
            self.assertEqual((suite.get("tests"), suite.get("failures"), suite.get("skipped")), ("13", "1", "2"))

    def test_mismatch_both_ways(self):
        records = [rec("a", "stress", "fail", "pass"), rec("s", "property", "pass", "fail", "seed")]
        with Folder(records) as f:
            status, _, _ = f.run()
            self.assertEqual(status, 1)
            md, _ = f.first_lines()
            self.assertEqual(md, "complete: 2 records, 2 mismatch(es)")
            self.assertIn("MISMATCH: fail, expected pass", f.text("summary.md"))


class IncompleteInputTest(unittest.TestCase):
    def test_missing_expected_record(self):
        records = fixture()
        with Folder(records[:-1], manifest=records) as f:
            status, _, err = f.run()
            self.assertEqual(status, 1)
            md, page = f.first_lines()
            self.assertTrue(md.startswith("INCOMPLETE: 1 expected record(s) missing"), md)
            self.assertEqual(page, md)
            self.assertIn("missing: linearizability queue.mpmc.bounded q.mut", err)
            error = [c for c in ET.fromstring(f.text("junit.xml")).iter("testcase") if c.find("error") is not None]
            self.assertEqual([(c.get("classname"), c.get("name")) for c in error],
                             [("queue.mpmc.bounded", "q.mut.linearizability")])

    def assert_unreadable(self, content, *needles):
        records = fixture()
        with Folder(records) as f:
            victim = f.path(records[2])
            victim.write_text(content)
            status, _, err = f.run()
            self.assertEqual(status, 1)
            self.assertNotIn("Traceback", err)
            md, _ = f.first_lines()
            self.assertIn("INCOMPLETE", md)
            self.assertIn("1 input(s) unreadable", md)
            self.assertIn("1 expected record(s) missing", md)
            line = [x for x in err.splitlines() if x.startswith("report: error:")]
            self.assertEqual(len(line), 1, err)
            self.assertIn(str(victim), line[0])
            for n in needles:
                self.assertIn(n, line[0])
            self.assertIn(str(victim), f.text("summary.md"))

    def test_truncated_record(self):
        full = json.dumps(fixture()[2])
        self.assert_unreadable(full[: len(full) // 2], "not valid JSON (truncated?)")

    def test_empty_record(self):
        self.assert_unreadable("", "empty file")

    def test_non_object_record(self):
        self.assert_unreadable("[1, 2]\n", "not a JSON object")

    def test_record_missing_a_field(self):
        r = fixture()[2]
        del r["verdict"]
        self.assert_unreadable(json.dumps(r), "field 'verdict' missing")

    def test_record_with_a_wrong_type(self):
        r = dict(fixture()[2], seconds="fast")
        self.assert_unreadable(json.dumps(r), "field 'seconds' has the wrong type (str)")

    def test_record_with_an_unknown_word(self):
        r = dict(fixture()[2], expected="n/a")
        self.assert_unreadable(json.dumps(r), "field 'expected' is 'n/a'")

    def test_status_disagreement(self):
        r = dict(fixture()[2], status="finding")
        self.assert_unreadable(json.dumps(r), "field 'status' is 'finding' but verdict pass against expected pass is 'ok'")

    def test_flaky_without_reason(self):
        r = dict(fixture()[6], reason="")
        self.assert_unreadable(json.dumps(r), "field 'reason' is empty")

    def test_section_input_missing_a_field(self):
        records = fixture()
        records[3] = rec("packed", "bench", "pass", "pass", metrics={})
        with Folder(records) as f:
            status, _, err = f.run()
            self.assertEqual(status, 1)
            self.assertIn(f"{f.path(records[3])}: field 'metrics.runs' missing", err)
            self.assertIn("INCOMPLETE", f.first_lines()[0])

    def test_model_pass_without_searches(self):
        records = fixture()
        records[1] = rec("packed", "model", "pass", "pass", metrics={})
        with Folder(records) as f:
            status, _, err = f.run()
            self.assertEqual(status, 1)
            self.assertIn("field 'metrics.searches' missing", err)

    def test_missing_results_folder(self):
        with Folder(fixture()) as f:
            out, err = io.StringIO(), io.StringIO()
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                status = report.main([str(f.root / "nosuch"), "--out", str(f.out)])
            self.assertEqual(status, 1)
            self.assertIn("nosuch: results folder missing", err.getvalue())

    def test_stale_and_extra_records(self):
        records = fixture()
        manifest = [dict(r) for r in records]
        manifest[0]["expected"] = "fail"
        with Folder(records + [rec("extra", "stress", "pass", "pass")], manifest=manifest) as f:
            status, _, err = f.run()
            self.assertEqual(status, 1)
            self.assertIn("property.lifecycle.packed.json: expected 'pass' but the manifest says 'fail'", err)
            self.assertIn("stress.lifecycle.extra.json: not in the manifest", err)

    def test_bad_manifest_is_a_usage_error(self):
        with Folder(fixture()) as f:
            f.manifest.write_text('{"check": "model"}\n')
            status, _, err = f.run()
            self.assertEqual(status, 2)
            self.assertIn("manifest.jsonl:1: field 'component' missing", err)
            self.assertFalse(f.out.exists())


class SanitizerBuildsTest(unittest.TestCase):
    """Records from the three build directories (build/, build-tsan/,
    build-asan/), one results folder each, make one report."""

    RECORDS = {
        "build": [rec("packed", "stress", "pass", "pass"), rec("m", "stress", "pass", "pass", "mutant")],
        "build-tsan": [rec("packed", "tsan", "pass", "pass"), rec("m", "tsan", "pass", "pass", "mutant")],
        "build-asan": [rec("packed", "asan", "pass", "pass"),
                       rec("m", "asan", "fail", "fail", "mutant",
                           trace="replay: lifecycle_asan --entry 'm' --seed 1\n"
                                 "ERROR: AddressSanitizer: heap-use-after-free")],
    }

    def run_report(self, root, drop=()):
        folders = []
        for build, records in self.RECORDS.items():
            results = root / build / "results"
            results.mkdir(parents=True)
            for r in records:
                if (r["check"], r["implementation"]) not in drop:
                    (results / f"{r['check']}.{r['component']}.{r['implementation']}.json").write_text(json.dumps(r))
            folders.append(str(results))
        manifest = root / "manifest.jsonl"
        manifest.write_text(manifest_of([r for records in self.RECORDS.values() for r in records]))
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = report.main([*folders, "--out", str(root / "latest"), "--expect", str(manifest)])
        return status, err.getvalue()

    def test_asan_is_a_column_like_tsan(self):
        with tempfile.TemporaryDirectory() as d:
            root = pathlib.Path(d)
            status, err = self.run_report(root)
            self.assertEqual(status, 0, err)
            md = (root / "latest" / "summary.md").read_text()
            page = (root / "latest" / "index.html").read_text()
            self.assertEqual(md.splitlines()[0], "complete: 6 records, 0 mismatch(es)")
            self.assertIn("| component | implementation | origin | stress | tsan | asan |", md)
            self.assertIn("| lifecycle/m | survived | survived | caught | yes |", md)
            self.assertIn("No demonstrated power (lifecycle): stress, tsan.", md)
            self.assertNotIn("asan (no demonstrated power)", md)
            self.assertIn("AddressSanitizer: heap-use-after-free", page)
            cases = {(c.get("classname"), c.get("name")): c
                     for c in ET.fromstring((root / "latest" / "junit.xml").read_text()).iter("testcase")}
            self.assertEqual(len(cases), 6)
            self.assertIn(("lifecycle", "packed.asan"), cases)
            self.assertIsNone(cases[("lifecycle", "m.asan")].find("failure"))
            self.assertIn("finding", cases[("lifecycle", "m.asan")].find("system-out").text)

    def test_missing_asan_record_makes_the_report_incomplete(self):
        with tempfile.TemporaryDirectory() as d:
            root = pathlib.Path(d)
            status, err = self.run_report(root, drop={("asan", "packed")})
            self.assertEqual(status, 1)
            self.assertIn("missing: asan lifecycle packed", err)
            self.assertTrue((root / "latest" / "summary.md").read_text().startswith("INCOMPLETE"))


class PublishTest(unittest.TestCase):
    def test_out_is_an_existing_file(self):
        with Folder(fixture()) as f:
            f.out.parent.mkdir(parents=True)
            f.out.write_text("x")
            status, _, err = f.run()
            self.assertEqual(status, 2)
            self.assertEqual(err.strip().count("\n"), 0)
            self.assertIn("exists and is not a folder", err)

    def test_replaces_previous_report_whole(self):
        with Folder(fixture()) as f:
            f.out.mkdir(parents=True)
            (f.out / "old-chart.png").write_text("stale")
            self.assertEqual(f.run()[0], 0)
            self.assertFalse((f.out / "old-chart.png").exists())
            self.assertEqual([p.name for p in f.out.parent.iterdir()], ["latest"])

    def test_interrupted_render_leaves_previous_report(self):
        with Folder(fixture()) as f:
            self.assertEqual(f.run()[0], 0)
            before = {p.name: p.read_bytes() for p in f.out.iterdir()}
            original = report.render

            def interrupted(records, out, *a, **kw):
                (pathlib.Path(out) / "index.html").write_text("half")
                raise KeyboardInterrupt

            report.render = interrupted
            try:
                with self.assertRaises(KeyboardInterrupt):
                    f.run()
            finally:
                report.render = original
            self.assertEqual({p.name: p.read_bytes() for p in f.out.iterdir()}, before)
            self.assertEqual([p.name for p in f.out.parent.iterdir()], ["latest"])


if __name__ == "__main__":
    unittest.main()
