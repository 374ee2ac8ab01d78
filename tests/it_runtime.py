"""Integration: the real bootstrap against the fake Runtime API.

One bootstrap process serves a series of invocations; for each we assert
exactly what it POSTed back. Run from the repo root:
    /usr/bin/python3 -m unittest tests.it_runtime
"""

import json
import os
import pathlib
import subprocess
import sys
import time
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from fake_runtime import FakeRuntime  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent
BOOTSTRAP = os.environ.get("TW_BOOTSTRAP", str(ROOT / "bootstrap"))
EVENTS = ROOT / "events"
BAD = ROOT / "tests" / "events-bad"


def event_bytes(name):
    return (EVENTS / name).read_bytes()


class RuntimeLoop(unittest.TestCase):
    def start(self, rt, extra_env=None):
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"),
               "AWS_LAMBDA_RUNTIME_API": rt.address,
               "TRAILWATCH_DRY_RUN": "true",
               "AWS_REGION": "us-east-1",
               "AWS_LAMBDA_LOG_FORMAT": "JSON"}
        env.update(extra_env or {})
        self.proc = subprocess.Popen([BOOTSTRAP], env=env, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
        self.addCleanup(self.stop_proc)
        return self.proc

    def stop_proc(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.out, self.err = self.proc.communicate(timeout=10)

    def assert_error(self, post, error_type):
        self.assertEqual(post.kind, "error")
        self.assertEqual(post.headers.get("Lambda-Runtime-Function-Error-Type"), error_type)
        doc = post.json()
        self.assertEqual(set(doc), {"errorMessage", "errorType", "stackTrace"})
        self.assertEqual(doc["errorType"], error_type)
        self.assertEqual(doc["stackTrace"], [])
        self.assertTrue(doc["errorMessage"])
        return doc

    def test_series_of_invocations_in_one_process(self):
        with FakeRuntime() as rt:
            ok1 = rt.queue(event_bytes("config-left-scope.json"), request_id="ok-1")
            bad = rt.queue(b'{"invokingEvent": ', request_id="malformed-1")
            uns = rt.queue(json.dumps({"version": "0", "detail-type": "EC2 Instance State-change Notification",
                                       "account": "111111111111", "time": "2026-11-27T06:00:00Z",
                                       "region": "us-east-1"}).encode(), request_id="unsupported-1")
            late = rt.queue(event_bytes("config-left-scope.json"), request_id="late-1",
                            deadline_ms=int(time.time() * 1000) - 1000)
            big = rt.queue(event_bytes("config-left-scope.json"), request_id="big-1",
                           response_status=413)
            ok2 = rt.queue(event_bytes("config-left-scope.json"), request_id="ok-2",
                           trace_id="Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1")
            self.start(rt)

            post = rt.wait_post(ok1.request_id)
            self.assertEqual(post.kind, "response")
            doc = post.json()
            self.assertEqual(doc["complianceType"], "NOT_APPLICABLE")
            self.assertEqual(doc["evaluations"], [{
                "ComplianceResourceType": "AWS::::Account",
                "ComplianceResourceId": "111111111111",
                "ComplianceType": "NOT_APPLICABLE",
                "Annotation": "the account is no longer in the rule's scope",
                "OrderingTimestamp": 1795770942.861}])
            self.assertEqual(doc["delivery"], {"target": "PutEvaluations", "sent": False,
                                               "testMode": False, "reason": "dry run"})

            msg = self.assert_error(rt.wait_post(bad.request_id), "Event.Invalid")["errorMessage"]
            self.assertIn("not valid JSON", msg)
            msg = self.assert_error(rt.wait_post(uns.request_id), "Event.Unsupported")["errorMessage"]
            self.assertIn("EC2 Instance State-change Notification", msg)
            msg = self.assert_error(rt.wait_post(late.request_id),
                                    "Invocation.DeadlineExceeded")["errorMessage"]
            self.assertIn("deadline", msg)

            # 413 on the response: the same invocation then gets an error report.
            posts = rt.wait_posts(lambda p: p.request_id == big.request_id, count=2)
            self.assertEqual([(p.kind, p.status) for p in posts], [("response", 413), ("error", 202)])
            self.assert_error(posts[1], "Response.TooLarge")

            self.assertEqual(rt.wait_post(ok2.request_id).kind, "response")
            # Every invocation was answered exactly once (plus the 413 retry as an error).
            self.assertEqual(len(rt.posts), 7)
            # One kept-alive connection to the Runtime API for the whole series.
            self.assertEqual(rt.connections, 1)
            self.assertIsNone(self.proc.poll(), "bootstrap must keep serving")

        self.stop_proc()
        lines = [json.loads(l) for l in self.err.decode().splitlines() if l.strip()]
        # Embedded-metric-format lines carry no level (Lambda reads them as INFO).
        emf = [l for l in lines if "_aws" in l]
        logs = [l for l in lines if "_aws" not in l]
        self.assertEqual([m["ComplianceType"] for m in emf], ["NOT_APPLICABLE"] * 3)
        self.assertTrue(logs)
        for line in logs:
            self.assertIn(line["level"], ("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"))
            self.assertIn("timestamp", line)
        verdicts = [l for l in logs if l["message"] == "verdict"]
        self.assertEqual({l["requestId"] for l in verdicts}, {"ok-1", "big-1", "ok-2"})

    def test_every_malformed_event_gets_an_error_report_then_the_next_is_served(self):
        expected = json.loads((BAD / "expected.json").read_text())
        self.assertGreaterEqual(len(expected), 20)
        with FakeRuntime() as rt:
            ids = {}
            for i, (name, etype) in enumerate(sorted(expected.items())):
                ids[name] = rt.queue((BAD / name).read_bytes(), request_id="bad-%d" % i).request_id
            # Larger than the 6 MB limit: refused without being parsed.
            huge = rt.queue(b'{"pad":"' + b"x" * (6 * 1024 * 1024 + 10) + b'"}', request_id="huge")
            last = rt.queue(event_bytes("config-left-scope.json"), request_id="after-all")
            self.start(rt)
            for name, etype in expected.items():
                with self.subTest(event=name):
                    self.assert_error(rt.wait_post(ids[name]), etype)
            msg = self.assert_error(rt.wait_post(huge.request_id), "Event.Invalid")["errorMessage"]
            self.assertIn("larger than", msg)
            self.assertEqual(rt.wait_post(last.request_id).kind, "response")
            self.assertIsNone(self.proc.poll())

    def test_protocol_errors_do_not_stop_the_loop(self):
        with FakeRuntime() as rt:
            # No request id: nothing can be answered; the next poll goes on.
            rt.queue(event_bytes("config-left-scope.json"), request_id="x",
                     headers={"Lambda-Runtime-Deadline-Ms": str(int(time.time() * 1000) + 30000)})
            bad_deadline = rt.queue(event_bytes("config-left-scope.json"), request_id="bad-deadline",
                                    headers={"Lambda-Runtime-Aws-Request-Id": "bad-deadline",
                                             "Lambda-Runtime-Deadline-Ms": "soon"})
            ok = rt.queue(event_bytes("config-left-scope.json"), request_id="ok")
            self.start(rt)
            self.assert_error(rt.wait_post(bad_deadline.request_id), "Runtime.InvalidInvocation")
            self.assertEqual(rt.wait_post(ok.request_id).kind, "response")
            self.assertEqual(rt.posts_for("x"), [])

    def test_without_dry_run_or_aws_the_report_step_fails_cleanly(self):
        # Without dry run and without an AWS endpoint the report step fails
        # cleanly: an error report, never a made-up success.
        with FakeRuntime() as rt:
            inv = rt.queue(event_bytes("config-left-scope.json"), request_id="no-dry")
            self.start(rt, {"TRAILWATCH_DRY_RUN": "false", "AWS_ACCESS_KEY_ID": "",
                            "AWS_SECRET_ACCESS_KEY": "", "AWS_REGION": "us-east-1",
                            "AWS_ENDPOINT_URL": "http://127.0.0.1:9"})
            post = rt.wait_post(inv.request_id)
            self.assertEqual(post.kind, "error")
            self.assertIsNone(self.proc.poll())

    def test_500_on_response_ends_the_process(self):
        with FakeRuntime() as rt:
            rt.queue(event_bytes("config-left-scope.json"), request_id="r500", response_status=500)
            proc = self.start(rt)
            proc.wait(timeout=20)
            self.assertNotEqual(proc.returncode, 0)
            self.assertEqual([(p.kind, p.status) for p in rt.posts_for("r500")], [("response", 500)])

    def test_unreachable_runtime_api_exits_after_three_polls(self):
        with FakeRuntime() as rt:
            address = rt.address
        proc = subprocess.run([BOOTSTRAP], env={"AWS_LAMBDA_RUNTIME_API": address},
                              capture_output=True, timeout=30)
        self.assertNotEqual(proc.returncode, 0)
        self.assertEqual(proc.stderr.decode().count("polling for the next invocation failed"), 3)


class LocalInvocation(unittest.TestCase):
    def run_local(self, *args):
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "AWS_REGION": "us-east-1",
               "HOME": "/nonexistent"}
        return subprocess.run([BOOTSTRAP, *args], capture_output=True, timeout=60, env=env)

    def test_usage_without_event_or_runtime(self):
        p = subprocess.run([BOOTSTRAP], capture_output=True, env={}, timeout=10)
        self.assertEqual(p.returncode, 2)
        self.assertIn(b"Usage: bootstrap", p.stderr)

    def test_help_and_version(self):
        p = self.run_local("--help")
        self.assertEqual(p.returncode, 0)
        self.assertIn(b"--event FILE", p.stdout)
        p = self.run_local("--version")
        self.assertEqual(p.returncode, 0)
        self.assertRegex(p.stdout.decode(), r"^trailwatch \d+\.\d+\.\d+ \(libcurl/")

    def test_left_scope_dry_run(self):
        p = self.run_local("--event", str(EVENTS / "config-left-scope.json"), "--dry-run")
        self.assertEqual(p.returncode, 0, p.stderr)
        doc = json.loads(p.stdout)
        self.assertEqual(doc["complianceType"], "NOT_APPLICABLE")
        self.assertEqual(len(doc["evaluations"]), 1)

    def test_malformed_event_fails_with_error_document(self):
        p = self.run_local("--event", str(BAD / "not-json.json"), "--dry-run")
        self.assertEqual(p.returncode, 1)
        self.assertEqual(json.loads(p.stdout)["errorType"], "Event.Invalid")

    def test_missing_file(self):
        p = self.run_local("--event", "/nonexistent/event.json")
        self.assertEqual(p.returncode, 1)
        self.assertIn("cannot open", json.loads(p.stdout)["errorMessage"])

    def test_every_sample_event_decodes(self):
        # Each sample is a supported trigger: whatever the outcome, it is never
        # an Event.* error.
        for f in sorted(EVENTS.glob("*.json")):
            with self.subTest(event=f.name):
                p = self.run_local("--event", str(f), "--dry-run")
                doc = json.loads(p.stdout)
                self.assertFalse(doc.get("errorType", "").startswith("Event."), doc)


if __name__ == "__main__":
    unittest.main()
