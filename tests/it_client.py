"""Integration: the AWS client's failure behaviour, end to end.

The real bootstrap against the fake AWS with injected faults: throttling,
5xx, denied calls, broken and oversized replies, resets, slow answers past
the deadline, shared-file profiles, assumed roles, expired credentials, and
that no credential ever reaches stdout or stderr. Run from the repo root:
    TW_BOOTSTRAP=build/native/bootstrap /usr/bin/python3 -m unittest tests.it_client -v
"""

import base64
import copy
import json
import os
import pathlib
import socket
import sys
import unittest

ROOT = pathlib.Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
from tests.fake_aws import account_key  # noqa: E402
from tests.it_audit import (ACCOUNT, COMPLIANT_TEXT, MANAGEMENT, MEMBER, BootstrapMixin,  # noqa: E402
                            acct, fx_compliant, fx_member_with_role, fx_of, load_event, log_of,
                            member_event, ops)

C, NC = "COMPLIANT", "NON_COMPLIANT"
ROLE_ARN = "arn:aws:iam::%s:role/TrailwatchAudit" % MEMBER


def random_token(n=600):
    """A session token that looks like STS's: random base64, so any window of it is unique."""
    return base64.b64encode(os.urandom(n)).decode()[:n]


def fx_with_token(token):
    f = fx_compliant()
    f["keys"][account_key(ACCOUNT)[0]]["session_token"] = token
    return f


class ClientCase(BootstrapMixin, unittest.TestCase):
    def compliant_and_delivered(self, fake, run):
        self.assert_verdict(run, C, COMPLIANT_TEXT)
        self.assert_delivered(fake, run)
        return self.assert_clean_wire(fake, run)

    def error_not_verdict(self, fake, run, error_types, *, message=None):
        doc = self.assert_error_doc(run, error_types)
        if message:
            self.assertIn(message, doc["errorMessage"])
        st = fake.stats()
        self.assertEqual(st["put_evaluations"], [], "an error must not report a verdict")
        self.assertEqual(st["put_external_evaluations"], [])
        self.assertEqual(st["fake_bugs"], [])
        return doc

    def statuses(self, fake, operation):
        return [(e["status"], e["code"]) for e in log_of(fake, operation)]


class Retries(ClientCase):
    def test_throttling_then_success(self):
        fake = self.start_fake(fx_compliant())
        fake.inject("throttle", service="logs", operation="DescribeMetricFilters", times=2)
        fake.inject("throttle", service="sns", operation="ListSubscriptionsByTopic", times=1,
                    code="Throttled", status=429)
        run = self.run_tw(fake, load_event(), env={"AWS_MAX_ATTEMPTS": "3"})
        st = self.compliant_and_delivered(fake, run)
        self.assertEqual(st["faults_injected"], 3)
        self.assertEqual(self.statuses(fake, "DescribeMetricFilters"),
                         [(400, "ThrottlingException"), (400, "ThrottlingException"), (200, None)])
        self.assertEqual(self.statuses(fake, "ListSubscriptionsByTopic"), [(429, "Throttled"), (200, None)])
        self.assertEqual(st["requests"], 10)

    def test_throttling_forever_is_an_error_before_the_deadline(self):
        fake = self.start_fake(fx_compliant())
        fake.inject("throttle", service="cloudtrail", operation="DescribeTrails", times=-1)
        run = self.run_tw(fake, load_event(), timeout_s=8)
        self.error_not_verdict(fake, run, "AWS.Throttled", message="DescribeTrails")
        self.assertEqual(ops(fake), {"DescribeTrails": 3})      # the default: 3 attempts
        self.assertLess(run.wall, 8)

    def test_throttling_forever_with_many_attempts_stops_at_the_deadline(self):
        fake = self.start_fake(fx_compliant())
        fake.inject("throttle", service="sns", times=-1)
        run = self.run_tw(fake, load_event(), timeout_s=3, env={"AWS_MAX_ATTEMPTS": "20"})
        doc = self.error_not_verdict(fake, run, ("AWS.Throttled", "Invocation.DeadlineExceeded"))
        self.assertIn("ListSubscriptionsByTopic", doc["errorMessage"])
        self.assertLess(run.wall, 3.3, "the invocation must answer before its deadline")
        self.assertGreaterEqual(ops(fake)["ListSubscriptionsByTopic"], 2)
        self.assertLess(ops(fake)["ListSubscriptionsByTopic"], 20)

    def test_max_attempts_one_means_no_retry(self):
        fake = self.start_fake(fx_compliant())
        fake.inject("throttle", service="cloudwatch", times=1)
        run = self.run_tw(fake, load_event(), env={"AWS_MAX_ATTEMPTS": "1"})
        self.error_not_verdict(fake, run, "AWS.Throttled", message="DescribeAlarmsForMetric")
        self.assertEqual(ops(fake)["DescribeAlarmsForMetric"], 1)

    def test_assume_role_throttled_then_success(self):
        fake = self.start_fake(fx_member_with_role())
        fake.inject("throttle", service="sts", operation="AssumeRole", times=1)
        run = self.run_tw(fake, member_event(params={"ExecutionRoleName": "TrailwatchAudit"}), account=MANAGEMENT)
        self.assert_verdict(run, C, "trail member-trail -> filter")
        self.assert_delivered(fake, run, account=MEMBER)
        self.assert_clean_wire(fake, run)
        self.assertEqual(self.statuses(fake, "AssumeRole"), [(400, "Throttling"), (200, None)])
        self.assertEqual(len(fake.stats()["assume_role_calls"]), 1)

    def test_endpoint_not_listening(self):
        # A bound but not listening port: connections are refused, and no one else can take it.
        sock = socket.socket()
        self.addCleanup(sock.close)
        sock.bind(("127.0.0.1", 0))
        fake = self.start_fake(fx_compliant())
        run = self.run_tw(fake, load_event(), env={"AWS_ENDPOINT_URL": "http://127.0.0.1:%d" % sock.getsockname()[1],
                                                   "AWS_MAX_ATTEMPTS": "2"})
        self.error_not_verdict(fake, run, "AWS.Unreachable", message="DescribeTrails")
        self.assertEqual(fake.stats()["requests"], 0)
        self.assertLess(run.wall, 5)

    def test_5xx_then_success(self):
        fake = self.start_fake(fx_compliant())
        fake.inject("http500", service="cloudtrail", operation="GetTrailStatus")
        fake.inject("http503", service="cloudwatch", operation="DescribeAlarmsForMetric")
        fake.inject("http503", service="config", operation="PutEvaluations")
        run = self.run_tw(fake, load_event())
        self.compliant_and_delivered(fake, run)     # exactly one PutEvaluations recorded
        self.assertEqual(self.statuses(fake, "GetTrailStatus"), [(500, "InternalFailure"), (200, None)])
        self.assertEqual(self.statuses(fake, "DescribeAlarmsForMetric"), [(503, "ServiceUnavailable"), (200, None)])
        self.assertEqual(self.statuses(fake, "PutEvaluations"), [(503, "ServiceUnavailable"), (200, None)])

    def test_5xx_forever_is_an_error(self):
        fake = self.start_fake(fx_compliant())
        fake.inject("http500", service="sns", times=-1)
        run = self.run_tw(fake, load_event(), env={"AWS_MAX_ATTEMPTS": "2"})
        self.error_not_verdict(fake, run, "AWS.Unavailable", message="ListSubscriptionsByTopic")
        self.assertEqual(self.statuses(fake, "ListSubscriptionsByTopic"), [(500, "InternalError")] * 2)

    def test_permanent_access_denied_is_a_verdict_naming_the_action(self):
        for service, operation, action, code, link in (
                ("cloudwatch", "DescribeAlarmsForMetric", "cloudwatch:DescribeAlarmsForMetric", "AccessDenied",
                 "alarm"),
                ("sns", "ListSubscriptionsByTopic", "sns:ListSubscriptionsByTopic", "AuthorizationError", "topic"),
                ("cloudtrail", "GetTrailStatus", "cloudtrail:GetTrailStatus", "AccessDeniedException", "trail")):
            with self.subTest(operation=operation):
                fake = self.start_fake(fx_compliant())
                fake.inject("access_denied", service=service, operation=operation, times=-1)
                run = self.run_tw(fake, load_event())
                doc = self.assert_verdict(run, NC, "%s" % action)
                self.assertIn("denied (%s)" % code, doc["annotation"])
                broken = [c["link"] for c in doc["chain"] if c["state"] == "broken"]
                self.assertEqual(broken, [link])
                self.assert_delivered(fake, run)
                self.assert_clean_wire(fake, run)
                self.assertEqual(ops(fake)[operation], 1, "a denied call is not retried")
                fake.stop()


class BrokenReplies(ClientCase):
    """Replies that end early, do not parse, or are too big: a clean error
    document (exit 1, never a signal) or a successful retry."""

    def test_truncated_json_and_xml_bodies(self):
        for service, operation in (("logs", "DescribeMetricFilters"), ("cloudwatch", "DescribeAlarmsForMetric")):
            with self.subTest(operation=operation):
                fake = self.start_fake(fx_compliant())
                fake.inject("truncate", service=service, operation=operation, times=-1)
                run = self.run_tw(fake, load_event(), env={"AWS_MAX_ATTEMPTS": "2"})
                self.error_not_verdict(fake, run, "AWS.Unreachable", message=operation)
                self.assertEqual(ops(fake)[operation], 2, "a cut-off reply is retried")
                fake.stop()

    def test_truncated_once_is_retried(self):
        fake = self.start_fake(fx_compliant())
        fake.inject("truncate", service="sns", times=1)
        run = self.run_tw(fake, load_event())
        self.compliant_and_delivered(fake, run)
        self.assertEqual(ops(fake)["ListSubscriptionsByTopic"], 2)

    def test_invalid_json_and_xml_bodies(self):
        for service, operation in (("cloudtrail", "DescribeTrails"), ("cloudtrail", "GetTrailStatus"),
                                   ("logs", "DescribeMetricFilters"), ("cloudwatch", "DescribeAlarmsForMetric"),
                                   ("sns", "ListSubscriptionsByTopic"), ("config", "PutEvaluations")):
            with self.subTest(operation=operation):
                fake = self.start_fake(fx_compliant())
                fake.inject("invalid_body", service=service, operation=operation, times=-1)
                run = self.run_tw(fake, load_event())
                doc = self.assert_error_doc(run, ("AWS.InvalidResponse", "Audit.Failed"))
                self.assertIn(operation, doc["errorMessage"])
                self.assertEqual(fake.stats()["fake_bugs"], [])
                if operation != "PutEvaluations":
                    self.assertEqual(fake.stats()["put_evaluations"], [])
                fake.stop()

    def test_invalid_reply_during_collection_is_typed_like_one_at_delivery(self):
        """A malformed reply is AWS.InvalidResponse whichever call met it, never
        Audit.Failed (which would blame trailwatch itself)."""
        fake = self.start_fake(fx_compliant())
        fake.inject("invalid_body", service="cloudtrail", operation="DescribeTrails", times=-1)
        run = self.run_tw(fake, load_event())
        self.assert_error_doc(run, "AWS.InvalidResponse")

    def test_connection_reset_mid_body_is_retried(self):
        fake = self.start_fake(fx_compliant())
        fake.inject("reset", service="logs", operation="DescribeMetricFilters", times=1)
        run = self.run_tw(fake, load_event())
        self.compliant_and_delivered(fake, run)
        self.assertEqual(ops(fake)["DescribeMetricFilters"], 2)
        self.assertEqual([e["fault"] for e in log_of(fake, "DescribeMetricFilters")], ["reset", None])

    def test_connection_reset_forever_is_an_error(self):
        fake = self.start_fake(fx_compliant())
        fake.inject("reset", service="cloudtrail", operation="GetEventSelectors", times=-1)
        run = self.run_tw(fake, load_event(), env={"AWS_MAX_ATTEMPTS": "2"})
        self.error_not_verdict(fake, run, "AWS.Unreachable", message="GetEventSelectors")
        self.assertEqual(ops(fake)["GetEventSelectors"], 2)

    def test_oversized_body_is_refused(self):
        """Over the 16 MiB cap, whichever call: AWS.InvalidResponse, asked once."""
        for service, operation in (("cloudtrail", "DescribeTrails"), ("logs", "DescribeMetricFilters"),
                                   ("config", "PutEvaluations")):
            with self.subTest(operation=operation):
                fake = self.start_fake(fx_compliant())
                fake.inject("oversize", service=service, operation=operation, size_mb=17, times=-1)
                run = self.run_tw(fake, load_event())
                doc = self.assert_error_doc(run, "AWS.InvalidResponse")
                self.assertIn(operation, doc["errorMessage"])
                self.assertIn("16777216", doc["errorMessage"])
                self.assertEqual(ops(fake)[operation], 1, "a too-large reply is not asked for again")
                if operation != "PutEvaluations":
                    self.assertEqual(fake.stats()["put_evaluations"], [], "no verdict without the answer")
                fake.stop()

    def test_large_body_under_the_limit_is_read(self):
        fake = self.start_fake(fx_compliant())
        fake.inject("oversize", service="cloudwatch", operation="DescribeAlarmsForMetric", size_mb=8)
        run = self.run_tw(fake, load_event())
        self.compliant_and_delivered(fake, run)

    def test_reply_slower_than_the_deadline(self):
        fake = self.start_fake(fx_compliant())
        fake.inject("delay", service="logs", operation="DescribeMetricFilters", delay_ms=10000, times=-1)
        run = self.run_tw(fake, load_event(), timeout_s=3)
        doc = self.error_not_verdict(fake, run, "Invocation.DeadlineExceeded", message="DescribeMetricFilters")
        self.assertIn("no answer before the invocation deadline", doc["errorMessage"])
        self.assertLess(run.wall, 3.5, "answered within about the 3 s deadline")
        self.assertGreater(run.wall, 2.0, "it waited for the reply until close to the deadline")

    def test_stage_calls_run_concurrently(self):
        """11 trails, 150 ms per reply: 37 requests would take >= 5.5 s one
        after the other; stage by stage the critical path is 5 replies."""
        a = acct(trail_name="zz-good")
        for i in range(10):
            t = copy.deepcopy(a["trails"][0])
            t["Name"] = "broken-%02d" % i
            t["Status"] = dict(t["Status"], IsLogging=False)
            a["trails"].insert(0, t)
        fake = self.start_fake(fx_of(a))
        fake.latency_ms = 150
        run = self.run_tw(fake, load_event())
        self.assert_verdict(run, C, "trail zz-good -> filter")
        self.assert_delivered(fake, run)
        self.assert_clean_wire(fake, run)
        self.assertEqual(fake.stats()["requests"], 37)
        self.assertLess(run.wall, 3.0)

    def test_compliant_run_reuses_connections(self):
        fake = self.start_fake(fx_compliant())
        run = self.run_tw(fake, load_event())
        st = self.compliant_and_delivered(fake, run)
        self.assertEqual(st["requests"], 7)
        self.assertLessEqual(st["connections"], 3, "kept-alive connections are reused across stages")


class Credentials(ClientCase):
    def write_files(self, credentials, config=""):
        d = self.tmpdir()
        (d / "credentials").write_text(credentials)
        (d / "config").write_text(config)
        return {"AWS_SHARED_CREDENTIALS_FILE": str(d / "credentials"), "AWS_CONFIG_FILE": str(d / "config")}

    def test_shared_file_profile(self):
        key_id, secret = account_key(ACCOUNT)
        files = self.write_files("[default]\naws_access_key_id = AKIADEFAULTNOTTHISONE\n"
                                 "aws_secret_access_key = nope\n\n"
                                 "[dev]\naws_access_key_id = %s\naws_secret_access_key = %s\n" % (key_id, secret))
        fake = self.start_fake(fx_compliant())
        run = self.run_tw(fake, load_event(), creds=False, env=dict(files, AWS_PROFILE="dev"))
        self.compliant_and_delivered(fake, run)
        self.assertEqual({e["access_key_id"] for e in fake.request_log()}, {key_id})

    def test_shared_file_profile_with_session_token_and_config_profile(self):
        key_id, secret = account_key(ACCOUNT)
        token = random_token(200)
        files = self.write_files("", "[profile dev]\nregion = us-east-1\naws_access_key_id = %s\n"
                                     "aws_secret_access_key = %s\naws_session_token = %s\n" % (key_id, secret, token))
        fake = self.start_fake(fx_with_token(token))
        run = self.run_tw(fake, load_event(), creds=False, env=dict(files, AWS_PROFILE="dev"), unset=("AWS_REGION",))
        self.compliant_and_delivered(fake, run)

    def test_missing_profile_names_where_it_looked(self):
        key_id, secret = account_key(ACCOUNT)
        files = self.write_files("[dev]\naws_access_key_id = %s\naws_secret_access_key = %s\n" % (key_id, secret))
        fake = self.start_fake(fx_compliant())
        run = self.run_tw(fake, load_event(), creds=False, env=dict(files, AWS_PROFILE="prod"))
        doc = self.error_not_verdict(fake, run, "Credentials.Missing")
        self.assertIn('"prod"', doc["errorMessage"])
        self.assertIn(files["AWS_SHARED_CREDENTIALS_FILE"], doc["errorMessage"])
        self.assertIn(files["AWS_CONFIG_FILE"], doc["errorMessage"])
        self.assertNotIn(secret, run.stdout + run.stderr)
        self.assertEqual(fake.stats()["requests"], 0)

    def test_no_credentials_anywhere(self):
        fake = self.start_fake(fx_compliant())
        run = self.run_tw(fake, load_event(), creds=False)
        doc = self.error_not_verdict(fake, run, "Credentials.Missing")
        self.assertIn("AWS_ACCESS_KEY_ID", doc["errorMessage"])
        self.assertIn(str(self.tmpdir() / "home" / ".aws" / "credentials"), doc["errorMessage"])
        self.assertEqual(fake.stats()["requests"], 0)

    def test_assume_role_denied_is_an_error(self):
        f = fx_member_with_role()
        f["accounts"][MEMBER]["roles"][ROLE_ARN]["trusted_accounts"] = ["444444444444"]
        fake = self.start_fake(f)
        run = self.run_tw(fake, member_event(params={"ExecutionRoleName": "TrailwatchAudit"}), account=MANAGEMENT)
        doc = self.error_not_verdict(fake, run, "AWS.AccessDenied", message="AssumeRole")
        self.assertIn(ROLE_ARN, doc["errorMessage"])
        self.assertEqual(ops(fake), {"AssumeRole": 1}, "nothing is read with the function's own credentials")
        self.assertEqual(fake.stats()["assume_role_calls"], [])

    def test_expired_credentials_are_an_error_not_a_verdict(self):
        key_id = account_key(ACCOUNT)[0]
        for name, build in (("access key", fx_compliant), ("session token", lambda: fx_with_token(random_token()))):
            with self.subTest(credentials=name):
                f = build()
                f["keys"][key_id]["expired"] = True
                fake = self.start_fake(f)
                run = self.run_tw(fake, load_event())
                doc = self.error_not_verdict(fake, run, "AWS.CredentialsRejected",
                                             message="ExpiredToken")
                self.assertEqual(fake.stats()["auth_failures"], {"ExpiredTokenException": 1})
                self.assertNotIn("complianceType", doc)
                fake.stop()

    def test_token_expiring_mid_audit_is_an_error(self):
        fake = self.start_fake(fx_compliant())
        fake.inject("expired_token", service="sns", times=-1)
        run = self.run_tw(fake, load_event())
        self.error_not_verdict(fake, run, "AWS.CredentialsRejected",
                               message="ExpiredToken")
        self.assertEqual(ops(fake)["ListSubscriptionsByTopic"], 1)

    def test_assumed_role_credentials_already_expired(self):
        f = fx_member_with_role()
        f["accounts"][MEMBER]["roles"][ROLE_ARN]["expire_after_s"] = 0
        fake = self.start_fake(f)
        run = self.run_tw(fake, member_event(params={"ExecutionRoleName": "TrailwatchAudit"}), account=MANAGEMENT)
        self.error_not_verdict(fake, run, "AWS.CredentialsRejected",
                               message="ExpiredToken")
        self.assertEqual(len(fake.stats()["assume_role_calls"]), 1)

    def test_expired_token_has_one_error_type_whichever_call_meets_it(self):
        """ExpiredToken is AWS.CredentialsRejected on the first call and on a
        later stage alike."""
        types = []
        for fault in (dict(service="cloudtrail", operation="DescribeTrails"), dict(service="sns")):
            fake = self.start_fake(fx_compliant())
            fake.inject("expired_token", times=-1, **fault)
            run = self.run_tw(fake, load_event())
            types.append(self.assert_error_doc(run, "AWS.CredentialsRejected")["errorType"])
            fake.stop()
        self.assertEqual(types[0], types[1])

    def test_session_token_missing_from_the_environment(self):
        fake = self.start_fake(fx_with_token(random_token()))
        run = self.run_tw(fake, load_event(), unset=("AWS_SESSION_TOKEN",))
        self.error_not_verdict(fake, run, "AWS.CredentialsRejected", message="UnrecognizedClientException")


class Secrets(ClientCase):
    """No credential value ever appears on stdout or stderr, at any log level,
    in either log format."""

    WINDOW = 20

    def assert_no_secret(self, text, secrets, where):
        for label, value in secrets.items():
            if not value:
                continue
            self.assertNotIn(value, text, "%s leaked (%s)" % (label, where))
            # Nor any piece of it long enough to matter.
            for i in range(0, max(1, len(value) - self.WINDOW + 1), 7):
                piece = value[i:i + self.WINDOW]
                self.assertNotIn(piece, text, "part of %s leaked (%s): %r" % (label, where, piece))

    def secrets_of(self, fake, env):
        out = {"secret key": env.get("AWS_SECRET_ACCESS_KEY"), "session token": env.get("AWS_SESSION_TOKEN")}
        for key in fake.state.keys.values():
            if key.is_role_session:
                out["assumed secret " + key.key_id] = key.secret
                out["assumed token " + key.key_id] = key.session_token
        return out

    def scenarios(self):
        token = random_token()

        def with_token():
            return fx_with_token(token), load_event(), ACCOUNT, [], {}

        def retries():
            return (fx_with_token(token), load_event(), ACCOUNT,
                    [dict(fault="throttle", service="logs", times=1), dict(fault="reset", service="sns", times=1),
                     dict(fault="http503", service="config", times=1)], {})

        def denied():
            return fx_with_token(token), load_event(), ACCOUNT, [dict(fault="access_denied", service="sns",
                                                                       times=-1)], {}

        def fails():
            return (fx_with_token(token), load_event(), ACCOUNT,
                    [dict(fault="throttle", service="cloudtrail", operation="DescribeTrails", times=-1)],
                    {"AWS_MAX_ATTEMPTS": "1"})

        def assumed():
            return (fx_member_with_role(), member_event(params={"ExecutionRoleName": "TrailwatchAudit"}), MANAGEMENT,
                    [dict(fault="throttle", service="cloudwatch", times=1)], {})

        def assumed_then_fails():
            return (fx_member_with_role(), member_event(params={"ExecutionRoleName": "TrailwatchAudit"}), MANAGEMENT,
                    [dict(fault="expired_token", service="sns", times=-1)], {})

        return {"session token": with_token, "retries": retries, "denied": denied, "error": fails,
                "assumed role": assumed, "assumed role then error": assumed_then_fails}

    def test_no_credential_in_any_output(self):
        debug_lines = 0
        combos = ((("Text", "trace"), ("JSON", "debug")), (("JSON", "trace"), ("Text", "debug")))
        for i, (name, build) in enumerate(self.scenarios().items()):
            # Each scenario in both formats; over the scenarios, every format x level.
            for fmt, level in combos[i % 2]:
                with self.subTest(scenario=name, format=fmt, level=level):
                    f, ev, runner, faults, env = build()
                    fake = self.start_fake(f)
                    for rule in faults:
                        fake.inject(**rule)
                    env = dict(env, AWS_LAMBDA_LOG_FORMAT=fmt, AWS_LAMBDA_LOG_LEVEL=level)
                    run = self.run_tw(fake, ev, account=runner, env=env)
                    self.assertIn(run.rc, (0, 1), run)
                    self.assertIsNotNone(run.doc, run)
                    self.assertTrue(run.stderr.strip(), "logs were written")
                    if fmt == "JSON":
                        levels = {json.loads(line).get("level") for line in run.stderr.splitlines()
                                  if line.startswith("{") and '"level"' in line}
                        self.assertIn("DEBUG", levels)
                    debug_lines += run.stderr.count("DEBUG")
                    used = self.base_env(fake, account=runner)
                    self.assert_no_secret(run.stdout + run.stderr, self.secrets_of(fake, used),
                                          "%s, %s, %s" % (name, fmt, level))
                    if "assumed" in name:
                        self.assertTrue(any(k.is_role_session for k in fake.state.keys.values()))
                    fake.stop()
        self.assertGreater(debug_lines, 0)

    def test_signature_mismatch_message_does_not_leak_the_session_token(self):
        """A SignatureDoesNotMatch whose message quotes the canonical request
        (as several AWS services send it, x-amz-security-token line included)
        reaches the error document and the log redacted."""
        token = random_token()
        fake = self.start_fake(fx_with_token(token))
        key_id, secret = account_key(ACCOUNT)
        run = self.run_tw(fake, load_event(), env={"AWS_SECRET_ACCESS_KEY": "wrong" + secret[5:]})
        self.assert_error_doc(run, "AWS.CredentialsRejected")
        self.assertEqual(fake.stats()["auth_failures"], {"InvalidSignatureException": 1})
        self.assert_no_secret(run.stdout + run.stderr, {"session token": token}, "signature mismatch")


if __name__ == "__main__":
    unittest.main()
