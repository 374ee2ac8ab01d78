"""Integration: end-to-end verdicts of the real bootstrap against the fake AWS.

Each scenario builds an account fixture (tests/fake_aws), runs
`bootstrap --event FILE` against it and checks the verdict, the annotation
naming the broken link, that what the fake recorded for PutEvaluations is
exactly the `evaluations` of the response, that every request was signed
correctly and that no request carried a parameter the service model lacks.
Run from the repo root:
    TW_BOOTSTRAP=build/native/bootstrap /usr/bin/python3 -m unittest tests.it_audit -v
"""

import datetime
import json
import os
import pathlib
import re
import signal
import subprocess
import sys
import tempfile
import time
import unittest

ROOT = pathlib.Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
from tests.fake_aws import CIS_PATTERN, FakeAws, account_key, compliant_account, fixture  # noqa: E402

BOOTSTRAP = os.environ.get("TW_BOOTSTRAP", str(ROOT / "bootstrap"))
EVENTS = ROOT / "events"
SAMPLES = ROOT / "tests" / "fixtures" / "accounts"
ACCOUNT = "111111111111"
MANAGEMENT = "999999999999"
MEMBER = "222222222222"
REGION = "us-east-1"
OTHER_REGION = "eu-west-1"
FIVE = ("CreateTrail", "UpdateTrail", "DeleteTrail", "StartLogging", "StopLogging")
CHAIN_OPS = ("DescribeTrails", "GetTrailStatus", "GetEventSelectors", "DescribeMetricFilters",
             "DescribeAlarmsForMetric", "ListSubscriptionsByTopic")


# ---------------------------------------------------------------- helpers shared with it_client

def load_event(name="config-periodic.json", *, params=None, **changes):
    """An event from events/ as a dict; `params` becomes the ruleParameters JSON string."""
    ev = json.loads((EVENTS / name).read_text())
    if params is not None:
        ev["ruleParameters"] = json.dumps(params)
    ev.update(changes)
    return ev


def iso_epoch(text):
    """'2026-11-27T06:00:00.123Z' -> 1795759200.123 (what OrderingTimestamp must be)."""
    dt = datetime.datetime.strptime(text.replace("Z", "+0000"), "%Y-%m-%dT%H:%M:%S.%f%z")
    return round(dt.timestamp(), 3)


def event_time(ev):
    """The OrderingTimestamp an event must produce (PROTOCOLS.md §2.2)."""
    if "invokingEvent" not in ev:
        return iso_epoch(ev["time"].replace("Z", ".000Z"))
    inv = json.loads(ev["invokingEvent"])
    if inv["messageType"] == "ScheduledNotification":
        return iso_epoch(inv["notificationCreationTime"])
    item = inv.get("configurationItem") or inv.get("configurationItemSummary")
    return iso_epoch(item["configurationItemCaptureTime"])


class Run:
    """One finished bootstrap process."""

    def __init__(self, proc, wall, event):
        self.rc = proc.returncode
        self.stdout = proc.stdout.decode("utf-8", "replace")
        self.stderr = proc.stderr.decode("utf-8", "replace")
        self.wall = wall
        self.event = event
        try:
            self.doc = json.loads(self.stdout)
        except ValueError:
            self.doc = None

    def __repr__(self):
        return "Run(rc=%r, wall=%.2fs, stdout=%r, stderr tail=%r)" % (
            self.rc, self.wall, self.stdout[:2000], self.stderr[-2000:])


class BootstrapMixin:
    """Runs bootstrap against a FakeAws and checks what is common to every run.
    Mix into a unittest.TestCase."""

    def tmpdir(self):
        if not getattr(self, "_tmp", None):
            self._tmp = tempfile.TemporaryDirectory(prefix="tw-it-")
            self.addCleanup(self._tmp.cleanup)
        return pathlib.Path(self._tmp.name)

    def start_fake(self, fx):
        fake = FakeAws(fx).start()
        self.addCleanup(fake.stop)
        return fake

    def base_env(self, fake, account=ACCOUNT, region=REGION, creds=True):
        home = self.tmpdir() / "home"
        home.mkdir(exist_ok=True)
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home),
               "AWS_REGION": region, "AWS_ENDPOINT_URL": fake.url}
        if creds:
            key_id, secret, token = fake.credentials(account)
            env.update(AWS_ACCESS_KEY_ID=key_id, AWS_SECRET_ACCESS_KEY=secret)
            if token:
                env["AWS_SESSION_TOKEN"] = token
        return env

    def run_tw(self, fake, event=None, *, account=ACCOUNT, env=None, args=(), timeout_s=20,
               creds=True, dry_run=False, unset=()):
        """Runs bootstrap --event on `event` (a dict) with a minimal explicit environment."""
        event = event if event is not None else load_event()
        path = self.tmpdir() / ("event-%d.json" % time.monotonic_ns())
        path.write_text(json.dumps(event))
        full = self.base_env(fake, account=account, creds=creds)
        full.update(env or {})
        for name in unset:
            full.pop(name, None)
        argv = [BOOTSTRAP, "--event", str(path), "--timeout", str(timeout_s)] + list(args)
        if dry_run:
            argv.append("--dry-run")
        t0 = time.monotonic()
        proc = subprocess.run(argv, env=full, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              timeout=timeout_s + 30)
        run = Run(proc, time.monotonic() - t0, event)
        self.assertGreaterEqual(run.rc, 0, "bootstrap died of signal %s: %r"
                                % (signal.Signals(-run.rc).name if run.rc < 0 else "", run))
        return run

    # ---- assertions

    def assert_clean_wire(self, fake, run=None):
        """No rejected signature, no parameter the model lacks, no bug in the fake."""
        st = fake.stats()
        self.assertEqual(st["rejected_signatures"], 0, "auth failures %r; %r" % (st["auth_failures"], run))
        self.assertEqual(st["fake_bugs"], [], "fake_aws bug")
        unknown = [(e["operation"], e["unknown_params"]) for e in fake.request_log() if e["unknown_params"]]
        self.assertEqual(unknown, [], "parameters unknown to the service models")
        return st

    def assert_verdict(self, run, compliance, annotation):
        """exit 0, complianceType, annotation (a substring, or a compiled regex)."""
        self.assertEqual(run.rc, 0, run)
        self.assertIsNotNone(run.doc, run)
        self.assertEqual(run.doc["complianceType"], compliance, run.doc["annotation"])
        if hasattr(annotation, "search"):
            self.assertRegex(run.doc["annotation"], annotation)
        else:
            self.assertIn(annotation, run.doc["annotation"])
        self.assertLessEqual(len(run.doc["annotation"].encode()), 256)
        self.assertTrue(run.doc["reason"].startswith(run.doc["annotation"].rstrip(".")))
        return run.doc

    def assert_delivered(self, fake, run, account=ACCOUNT):
        """The fake recorded exactly one PutEvaluations, equal to the response's evaluations."""
        doc, ev = run.doc, run.event
        st = fake.stats()
        test_mode = ev.get("resultToken") == "TESTMODE"
        self.assertEqual(doc["delivery"], {"target": "PutEvaluations", "sent": True, "testMode": test_mode})
        self.assertEqual(len(st["put_evaluations"]), 1, st["put_evaluations"])
        rec = st["put_evaluations"][0]
        self.assertEqual(set(rec["body"]), {"Evaluations", "ResultToken", "TestMode"})
        self.assertEqual(rec["evaluations"], doc["evaluations"])
        self.assertEqual(rec["body"]["Evaluations"], doc["evaluations"])
        self.assertEqual(rec["result_token"], ev["resultToken"])
        self.assertIs(rec["test_mode"], test_mode)
        self.assertIs(rec["body"]["TestMode"], test_mode)
        self.assertEqual(rec["account"], account)
        self.assertEqual(rec["region"], REGION)
        self.assertEqual(doc["evaluations"], [{
            "ComplianceResourceType": "AWS::::Account",
            "ComplianceResourceId": ev["accountId"],
            "ComplianceType": doc["complianceType"],
            "Annotation": doc["annotation"],
            "OrderingTimestamp": event_time(ev)}])
        self.assertEqual(doc["accountId"], ev["accountId"])
        self.assertEqual(st["put_external_evaluations"], [])
        return rec

    def assert_error_doc(self, run, error_types):
        """exit 1 with a well-formed error document; error_types: one name or a tuple."""
        self.assertEqual(run.rc, 1, run)
        self.assertIsNotNone(run.doc, run)
        self.assertEqual(set(run.doc), {"errorMessage", "errorType", "stackTrace"}, run)
        self.assertEqual(run.doc["stackTrace"], [])
        self.assertTrue(run.doc["errorMessage"])
        if isinstance(error_types, str):
            error_types = (error_types,)
        self.assertIn(run.doc["errorType"], error_types, run.doc)
        return run.doc


def ops(fake):
    return fake.stats()["by_operation"]


def log_of(fake, operation):
    return [e for e in fake.request_log() if e["operation"] == operation]


# ---------------------------------------------------------------- fixture builders

def acct(account=ACCOUNT, region=REGION, **knobs):
    return compliant_account(account, region, **knobs)


def fx_of(a, **kw):
    return fixture(a, **kw)


def sample(name):
    return json.loads((SAMPLES / name).read_text())


def _alarm(a, region=REGION):
    return a["alarms"][region][0]


def _filters(a, region=REGION, group="CloudTrail/management-events"):
    return a["log_groups"][region][group]["metricFilters"]


def _trail(a, i=0):
    return a["trails"][i]


def fx_compliant():
    return fx_of(acct())


def fx_unrelated_alarms(n=500):
    a = acct()
    for i in range(n):
        a["alarms"][REGION].append({"AlarmName": "unrelated-%03d" % i, "MetricName": "CPUUtilization%d" % i,
                                    "Namespace": "AWS/EC2", "AlarmActions": [
                                        "arn:aws:sns:us-east-1:%s:ops" % ACCOUNT]})
    return fx_of(a)


MATH_ALARM = {
    "AlarmName": "cis-math-alarm",
    "ActionsEnabled": True,
    "AlarmActions": ["arn:aws:sns:us-east-1:%s:cis-alarms" % ACCOUNT],
    "EvaluationPeriods": 1,
    "Threshold": 1.0,
    "ComparisonOperator": "GreaterThanOrEqualToThreshold",
    "Metrics": [
        {"Id": "m1", "ReturnData": False,
         "MetricStat": {"Metric": {"Namespace": "CloudTrailMetrics", "MetricName": "CloudTrailConfigChanges"},
                        "Period": 300, "Stat": "Sum"}},
        {"Id": "e1", "Expression": "FILL(m1, 0)", "Label": "changes", "ReturnData": True},
    ],
}


def fx_math_alarm():
    a = acct()
    a["alarms"][REGION] = [dict(MATH_ALARM)]
    return fx_of(a)


def fx_paginated_everything():
    """Filters, alarms (metric math, so DescribeAlarms must page) and
    subscriptions each over >= 3 pages of 2; the real chain is last."""
    a = acct(filter_name="zz-cis-config-changes")
    for i in range(5):
        _filters(a).append({
            "filterName": "decoy-%02d" % i, "filterPattern": '{ $.eventName = "ConsoleLogin" }',
            "metricTransformations": [{"metricName": "Decoy%d" % i, "metricNamespace": "CloudTrailMetrics",
                                       "metricValue": "1"}]})
    math = dict(MATH_ALARM, AlarmName="zz-cis-math-alarm")
    a["alarms"][REGION] = [{"AlarmName": "decoy-alarm-%02d" % i, "MetricName": "Decoy%d" % i,
                            "Namespace": "CloudTrailMetrics",
                            "AlarmActions": ["arn:aws:sns:us-east-1:%s:cis-alarms" % ACCOUNT]}
                           for i in range(6)] + [math]
    topic = next(iter(a["topics"].values()))
    topic["subscriptions"][:0] = [{"Protocol": "email", "Endpoint": "pending%d@example.com" % i,
                                   "SubscriptionArn": "PendingConfirmation"} for i in range(4)]
    return fx_of(a, page_size={"DescribeMetricFilters": 2, "DescribeAlarms": 2, "ListSubscriptionsByTopic": 2})


def fx_cross_region(alarm_region=OTHER_REGION):
    """Trail homed in us-east-1 delivering to a log group in eu-west-1; filter,
    alarm and topic live in eu-west-1."""
    a = acct(region=OTHER_REGION)
    _trail(a)["HomeRegion"] = REGION
    if alarm_region != OTHER_REGION:
        a["alarms"] = {alarm_region: a["alarms"][OTHER_REGION]}
    return fx_of(a)


def fx_shadow_trail():
    """The only trail is homed in eu-west-1; the function runs in us-east-1."""
    return fx_of(acct(region=OTHER_REGION))


def fx_advanced(*field_selectors):
    a = acct()
    _trail(a)["AdvancedEventSelectors"] = [{"Name": "management", "FieldSelectors": list(field_selectors)}]
    return fx_of(a)


MGMT = {"Field": "eventCategory", "Equals": ["Management"]}

RESTRICTIVE = CIS_PATTERN[:-1].rstrip() + " && $.errorCode NOT EXISTS }"
REORDERED_QUOTED = ('{($.eventName="StopLogging")||\n  ($.eventName = "StartLogging") || '
                    '($.eventName = "DeleteTrail")||($.eventName=UpdateTrail) || ($.eventName = "CreateTrail")}')


def fx_filter(pattern):
    return fx_of(acct(filter_pattern=pattern))


def fx_alarm(**changes):
    a = acct()
    _alarm(a).update(changes)
    return fx_of(a)


def fx_no_trails():
    a = acct()
    a["trails"] = []
    return fx_of(a)


def fx_trail(**changes):
    a = acct()
    for k, v in changes.items():
        if v is None:
            _trail(a).pop(k, None)
        else:
            _trail(a)[k] = v
    return fx_of(a)


def fx_deny(*entries, **knobs):
    a = acct(**knobs)
    a["deny"] = list(entries)
    return fx_of(a)


def fx_two_trails():
    """A broken trail first (by name), then the one that proves the chain."""
    a = acct(trail_name="zz-good-trail")
    broken = json.loads(json.dumps(_trail(a)))
    broken.update(Name="aa-broken-trail", Status=dict(broken["Status"], IsLogging=False))
    a["trails"].insert(0, broken)
    return fx_of(a)


def fx_decoy_trails():
    """Three trails that fail link 1 (not logging, single-region, not logging),
    each with its own log group, CIS filter, alarm and topic, then the one that
    proves the chain: only its metric is worth an alarm lookup."""
    a = acct(trail_name="zz-good-trail")
    trails, groups, alarms = [], {}, []
    for i in range(3):
        d = acct(trail_name="decoy-%d" % i, log_group="CloudTrail/decoy-%d" % i, metric_name="DecoyChanges%d" % i,
                 alarm_name="decoy-alarm-%d" % i, is_logging=i == 1, multi_region=i != 1)
        trails += d["trails"]
        groups.update(d["log_groups"][REGION])
        alarms += d["alarms"][REGION]
    a["trails"] = trails + a["trails"]
    a["log_groups"][REGION].update(groups)
    a["alarms"][REGION] = alarms + a["alarms"][REGION]
    return fx_of(a)


def fx_dimensions():
    a = acct()
    _filters(a)[0]["metricTransformations"][0]["dimensions"] = {"user": "$.userIdentity.arn"}
    return fx_of(a)


def fx_session_token():
    f = fx_compliant()
    key_id = account_key(ACCOUNT)[0]
    f["keys"][key_id]["session_token"] = "IQoJb3JpZ2luX2VjEFAKE" + "x" * 300 + "/+=="
    return f


def fx_member_with_role():
    """Management account 999 runs the function; member 222 has its own
    compliant chain and a role TrailwatchAudit trusting 999."""
    mgmt = acct(MANAGEMENT, trail_name="mgmt-trail")
    member = acct(MEMBER, trail_name="member-trail")
    member["roles"] = {"arn:aws:iam::%s:role/TrailwatchAudit" % MEMBER: {"trusted_accounts": [MANAGEMENT]}}
    return fixture(mgmt, member)


def member_event(name="config-periodic.json", **kw):
    ev = load_event(name, **kw)
    ev["accountId"] = MEMBER
    ev["executionRoleArn"] = ("arn:aws:iam::%s:role/aws-service-role/config.amazonaws.com/"
                              "AWSServiceRoleForConfig" % MEMBER)
    inv = json.loads(ev["invokingEvent"])
    if "awsAccountId" in inv:
        inv["awsAccountId"] = MEMBER
        ev["invokingEvent"] = json.dumps(inv)
    return ev


def fx_cross_account_topic(allow=True):
    """The alarm notifies a central topic in account 333333333333."""
    a = acct()
    central = "arn:aws:sns:us-east-1:333333333333:central"
    _alarm(a)["AlarmActions"] = [central]
    topic = {"subscriptions": [{"Protocol": "email", "Endpoint": "soc@example.com"}]}
    if allow:
        topic["allow_accounts"] = [ACCOUNT]
    return fixture(a, {"id": "333333333333", "topics": {central: topic}})


def fx_second_sns_action_confirmed():
    """The alarm's first SNS action has only a pending subscriber; the second is confirmed."""
    a = acct()
    pending = "arn:aws:sns:us-east-1:%s:aa-pending" % ACCOUNT
    a["topics"][pending] = {"subscriptions": [{"Protocol": "email", "Endpoint": "new@example.com",
                                               "SubscriptionArn": "PendingConfirmation"}]}
    _alarm(a)["AlarmActions"].insert(0, pending)
    return fx_of(a)


def fx_second_alarm_qualifies():
    a = acct()
    disabled = json.loads(json.dumps(_alarm(a)))
    disabled.update(AlarmName="aa-disabled", ActionsEnabled=False)
    a["alarms"][REGION].insert(0, disabled)
    return fx_of(a)


def fx_org_trail_and_own_broken_trail():
    f = sample("org-member.json")
    own = acct(MEMBER, trail_name="member-own", is_logging=False)
    own.pop("id")
    own["org_management_account"] = MANAGEMENT
    f["accounts"][MEMBER] = own
    return f


def fx_long_multibyte_filter_name():
    """A 200-character non-ASCII filter name: the annotation must be cut at a
    UTF-8 boundary (the name starts at byte 32, so byte 253 is mid-character)."""
    return fx_of(acct(filter_name="\u00fc" * 200,
                      filter_pattern=CIS_PATTERN.replace(" || ($.eventName = UpdateTrail)", "")))


def fx_metric_value(value):
    a = acct()
    _filters(a)[0]["metricTransformations"][0]["metricValue"] = value
    return fx_of(a)


def fx_log_group_arn_without_star():
    a = acct()
    _trail(a)["CloudWatchLogsLogGroupArn"] = _trail(a)["CloudWatchLogsLogGroupArn"][:-2]
    return fx_of(a)


# ---------------------------------------------------------------- extra checks per scenario

def only_chain_ops(test, fake, run):
    """Exactly the 7 requests of the compliant single-trail account."""
    test.assertEqual(ops(fake), {op: 1 for op in CHAIN_OPS + ("PutEvaluations",)})
    test.assertEqual(fake.stats()["requests"], 7)


def paged_sample(test, fake, run):
    o = ops(fake)
    test.assertEqual(o["DescribeMetricFilters"], 3)          # 6 filters, pages of 2
    test.assertEqual(o["ListSubscriptionsByTopic"], 3)       # 5 subscriptions, pages of 2
    test.assertNotIn("DescribeAlarms", o)                    # a plain alarm qualified
    test.assertIn("1 confirmed subscriber", run.doc["chain"][3]["detail"])


def paged_everything(test, fake, run):
    o = ops(fake)
    test.assertEqual(o["DescribeMetricFilters"], 3)
    test.assertEqual(o["DescribeAlarms"], 4)                 # 7 alarms, pages of 2
    test.assertEqual(o["ListSubscriptionsByTopic"], 3)
    refused = [(e["operation"], e["code"]) for e in fake.request_log() if e["status"] != 200]
    test.assertEqual(refused, [], "every page request, next tokens included, was accepted")


def regions_are(**expected):
    def check(test, fake, run):
        seen = {}
        for e in fake.request_log():
            seen.setdefault(e["operation"], set()).add(e["region"])
        for op, region in expected.items():
            test.assertEqual(seen.get(op), {region}, op)
    return check


def counterexample_escapes(test, fake, run):
    """The counterexample in the reason is a record with one of the five
    eventNames that the restrictive pattern really drops: it has an errorCode."""
    m = re.search(r"misses (\w+) events \(e\.g\. (\{.*\})\)", run.doc["reason"])
    test.assertIsNotNone(m, run.doc["reason"])
    record = json.loads(m.group(2))
    test.assertEqual(record["eventName"], m.group(1))
    test.assertIn(record["eventName"], FIVE)
    test.assertIn("errorCode", record)
    test.assertIsNotNone(record["errorCode"])


def no_alarm_lookup(test, fake, run):
    test.assertNotIn("DescribeAlarmsForMetric", ops(fake))


def strict_detail(test, fake, run):
    test.assertIn("exact CIS pattern (Strict)", run.doc["chain"][1]["detail"])


def math_listed_once(test, fake, run):
    test.assertEqual(ops(fake).get("DescribeAlarms"), 1)


def math_found(test, fake, run):
    test.assertEqual(ops(fake).get("DescribeAlarms"), 1)
    test.assertIn("metric-math", run.doc["chain"][2]["detail"])


def left_scope_reads_nothing(test, fake, run):
    test.assertEqual(ops(fake), {"PutEvaluations": 1})


def all_unchecked(test, fake, run):
    test.assertEqual({c["state"] for c in run.doc["chain"]}, {"unchecked"})


def warning_kept(test, fake, run):
    test.assertIn("warning: latest CloudWatch Logs delivery error", run.doc["chain"][0]["detail"])


def assumed_role_signed_everything(test, fake, run):
    st = fake.stats()
    test.assertEqual(len(st["assume_role_calls"]), 1)
    call = st["assume_role_calls"][0]
    test.assertEqual(call["role_arn"], "arn:aws:iam::%s:role/TrailwatchAudit" % MEMBER)
    test.assertEqual(call["role_session_name"], "configLambdaExecution")
    test.assertEqual(call["duration_seconds"], 900)
    test.assertEqual(call["caller_account"], MANAGEMENT)
    assumed = call["access_key_id"]
    test.assertTrue(assumed.startswith("ASIA"))
    log = fake.request_log()
    test.assertEqual([e["operation"] for e in log if e["access_key_id"] != assumed], ["AssumeRole"])
    test.assertEqual({e["account"] for e in log if e["operation"] != "AssumeRole"}, {MEMBER})
    rec = st["put_evaluations"][0]
    test.assertEqual((rec["account"], rec["access_key_id"]), (MEMBER, assumed))


def session_token_used(test, fake, run):
    key_id = account_key(ACCOUNT)[0]
    test.assertEqual({e["access_key_id"] for e in fake.request_log()}, {key_id})
    test.assertEqual(fake.stats()["requests"], 7)


def org_member_reads(test, fake, run):
    # The management account's log group is not this account's to read.
    test.assertNotIn("DescribeMetricFilters", ops(fake))
    test.assertEqual(run.doc["chain"][0]["state"], "proven")


def first_trail_broken_second_proves(test, fake, run):
    test.assertEqual(run.doc["chain"][0]["name"], "zz-good-trail")
    test.assertEqual(ops(fake)["GetTrailStatus"], 2)


def alarms_only_for_the_qualifying_trail(test, fake, run):
    o = ops(fake)
    test.assertEqual((o["GetTrailStatus"], o["DescribeMetricFilters"]), (4, 4))
    test.assertEqual(o["DescribeAlarmsForMetric"], 1, "no alarm lookup for a trail that fails link 1")
    lookups = [e for e in fake.request_log() if e["operation"] == "DescribeAlarmsForMetric"]
    test.assertEqual(len(lookups), 1)


def cut_at_utf8_boundary(test, fake, run):
    ann, reason = run.doc["annotation"], run.doc["reason"]
    test.assertTrue(ann.endswith("..."), ann)
    test.assertGreater(len(reason.encode()), 256)
    test.assertNotIn("\ufffd", ann)
    test.assertTrue(reason.startswith(ann[:-3]))
    test.assertGreaterEqual(len(ann.encode()), 250)


def two_topics_read(test, fake, run):
    test.assertEqual(ops(fake)["ListSubscriptionsByTopic"], 2)


def topic_read_in_its_account(test, fake, run):
    e = log_of(fake, "ListSubscriptionsByTopic")
    test.assertEqual([(x["region"], x["account"]) for x in e], [(REGION, ACCOUNT)])


# ---------------------------------------------------------------- the scenario table

NC, C, NA = "NON_COMPLIANT", "COMPLIANT", "NOT_APPLICABLE"
COMPLIANT_TEXT = ("trail management-events -> filter cis-cloudtrail-config-changes -> "
                  "alarm cis-cloudtrail-config-changes -> topic cis-alarms (1 confirmed subscriber)")

# name: (fixture builder, event builder, expected ComplianceType, annotation substring or regex,
#        broken link or None, extra check or None, account whose keys run the function)
SCENARIOS = {
    "compliant": (fx_compliant, load_event, C, COMPLIANT_TEXT, None, only_chain_ops, ACCOUNT),
    "compliant_500_unrelated_alarms": (fx_unrelated_alarms, load_event, C, COMPLIANT_TEXT, None, only_chain_ops,
                                       ACCOUNT),
    "config_change_event": (fx_compliant, lambda: load_event("config-change.json"), C, COMPLIANT_TEXT, None,
                            None, ACCOUNT),
    "config_oversized_event": (fx_compliant, lambda: load_event("config-oversized.json"), C, COMPLIANT_TEXT, None,
                               None, ACCOUNT),
    "testmode_reaches_put_evaluations": (fx_compliant, lambda: load_event("config-testmode.json"), C,
                                         COMPLIANT_TEXT, None, None, ACCOUNT),
    "paginated_sample": (lambda: sample("paginated.json"), load_event, C,
                         "filter zz-cis-config-changes -> alarm zz-cis-alarm -> topic cis-alarms", None,
                         paged_sample, ACCOUNT),
    "paginated_filters_math_alarms_subscriptions": (
        fx_paginated_everything, load_event, C,
        "filter zz-cis-config-changes -> alarm zz-cis-math-alarm -> topic cis-alarms (1 confirmed subscriber)",
        None, paged_everything, ACCOUNT),
    "log_group_in_other_region": (
        fx_cross_region, load_event, C, "alarm cis-cloudtrail-config-changes -> topic cis-alarms", None,
        regions_are(DescribeTrails=REGION, GetTrailStatus=REGION, DescribeMetricFilters=OTHER_REGION,
                    DescribeAlarmsForMetric=OTHER_REGION, ListSubscriptionsByTopic=OTHER_REGION,
                    PutEvaluations=REGION), ACCOUNT),
    "alarm_in_function_region_not_log_group_region": (
        lambda: fx_cross_region(alarm_region=REGION), load_event, NC,
        "no alarm on metric CloudTrailMetrics/CloudTrailConfigChanges in eu-west-1", "alarm",
        regions_are(DescribeAlarmsForMetric=OTHER_REGION), ACCOUNT),
    "shadow_trail_homed_elsewhere": (
        fx_shadow_trail, load_event, C, "trail management-events -> filter", None,
        regions_are(DescribeTrails=REGION, GetTrailStatus=OTHER_REGION, GetEventSelectors=OTHER_REGION,
                    DescribeMetricFilters=OTHER_REGION), ACCOUNT),
    "advanced_selectors_management": (lambda: fx_advanced(MGMT), load_event, C, COMPLIANT_TEXT, None, None,
                                      ACCOUNT),
    "advanced_selectors_read_only": (
        lambda: fx_advanced(MGMT, {"Field": "readOnly", "Equals": ["true"]}), load_event, NC,
        "trail management-events does not record CreateTrail events", "trail", None, ACCOUNT),
    "advanced_selectors_write_only": (
        lambda: fx_advanced(MGMT, {"Field": "readOnly", "Equals": ["false"]}), load_event, NC,
        "trail management-events records no read-only management events", "trail", None, ACCOUNT),
    "advanced_selectors_exclude_cloudtrail": (
        lambda: fx_advanced(MGMT, {"Field": "eventSource", "NotEquals": ["cloudtrail.amazonaws.com"]}),
        load_event, NC, "does not record CreateTrail events", "trail", None, ACCOUNT),
    "basic_selectors_read_only": (
        lambda: fx_trail(EventSelectors=[{"ReadWriteType": "ReadOnly", "IncludeManagementEvents": True}]),
        load_event, NC, "records only read-only management events", "trail", None, ACCOUNT),
    "restrictive_filter": (
        lambda: fx_filter(RESTRICTIVE), load_event, NC,
        re.compile(r"^trail management-events: filter cis-cloudtrail-config-changes misses "
                   r"(CreateTrail|UpdateTrail|DeleteTrail|StartLogging|StopLogging) events \(e\.g\. \{"),
        "filter", counterexample_escapes, ACCOUNT),
    "restrictive_filter_sample": (
        lambda: sample("restrictive-filter.json"), load_event, NC, "misses StopLogging events (e.g. ",
        "filter", counterexample_escapes, ACCOUNT),
    "reordered_quoted_filter": (lambda: fx_filter(REORDERED_QUOTED), load_event, C, COMPLIANT_TEXT, None, None,
                                ACCOUNT),
    "reordered_quoted_filter_strict": (
        lambda: fx_filter(REORDERED_QUOTED), lambda: load_event(params={"Strict": "true"}), NC,
        "filter cis-cloudtrail-config-changes is not the exact CIS pattern (Strict)", "filter",
        no_alarm_lookup, ACCOUNT),
    "exact_cis_filter_strict": (fx_compliant, lambda: load_event(params={"Strict": "true"}), C, COMPLIANT_TEXT,
                                None, strict_detail, ACCOUNT),
    "filter_misses_an_event": (
        lambda: fx_filter(CIS_PATTERN.replace(" || ($.eventName = UpdateTrail)", "")), load_event, NC,
        "filter cis-cloudtrail-config-changes misses UpdateTrail events", "filter", None, ACCOUNT),
    "filter_emits_dimensions": (fx_dimensions, load_event, NC, "filter cis-cloudtrail-config-changes emits "
                                "dimensions (user)", "filter", no_alarm_lookup, ACCOUNT),
    "wrong_namespace": (lambda: sample("wrong-namespace.json"), load_event, NC,
                        "trail management-events: alarm cis-cloudtrail-config-changes watches CloudTrailConfigChanges "
                        "in namespace CISBenchmark, but the filter publishes to CloudTrailMetrics", "alarm",
                        math_listed_once, ACCOUNT),
    "no_alarm": (lambda: sample("no-alarm.json"), load_event, NC,
                 "no alarm on metric CloudTrailMetrics/CloudTrailConfigChanges in us-east-1", "alarm", None,
                 ACCOUNT),
    "metric_math_alarm": (fx_math_alarm, load_event, C,
                          "alarm cis-math-alarm -> topic cis-alarms (1 confirmed subscriber)", None, math_found,
                          ACCOUNT),
    "alarm_actions_disabled": (
        lambda: fx_alarm(ActionsEnabled=False), load_event, NC,
        "alarm cis-cloudtrail-config-changes has actions disabled (ActionsEnabled is false)", "alarm", None,
        ACCOUNT),
    "alarm_without_sns_action": (
        lambda: fx_alarm(AlarmActions=["arn:aws:lambda:us-east-1:%s:function:pager" % ACCOUNT]), load_event, NC,
        "alarm cis-cloudtrail-config-changes notifies no SNS topic (1 alarm action, none SNS)", "alarm", None,
        ACCOUNT),
    "alarm_threshold_not_reached_by_one_event": (
        lambda: fx_alarm(Threshold=2.0), load_event, NC,
        "alarm cis-cloudtrail-config-changes fires at Sum >= 2; one event gives 1", "alarm", None, ACCOUNT),
    "only_pending_subscriptions": (
        lambda: sample("pending-subscription.json"), load_event, NC,
        "trail management-events: topic cis-alarms has only pending subscriptions (1 awaiting confirmation)",
        "topic", None, ACCOUNT),
    "topic_without_subscribers": (
        lambda: fx_of(acct(subscription=None)), load_event, NC, "topic cis-alarms has no subscriptions", "topic",
        None, ACCOUNT),
    "no_trails": (fx_no_trails, load_event, NC, "no CloudTrail trail in this account", None, all_unchecked,
                  ACCOUNT),
    "trail_not_logging": (lambda: fx_of(acct(is_logging=False)), load_event, NC,
                          "trail management-events is not logging (IsLogging is false)", "trail", no_alarm_lookup,
                          ACCOUNT),
    "trail_single_region": (lambda: fx_of(acct(multi_region=False)), load_event, NC,
                            "trail management-events is single-region (IsMultiRegionTrail is false)", "trail",
                            no_alarm_lookup, ACCOUNT),
    "trail_without_log_group": (
        lambda: fx_trail(CloudWatchLogsLogGroupArn=None, CloudWatchLogsRoleArn=None), load_event, NC,
        "trail management-events does not deliver to CloudWatch Logs", "trail", None, ACCOUNT),
    "delivery_error_is_a_warning": (
        lambda: fx_of(acct(delivery_error="AccessDeniedException")), load_event, C,
        COMPLIANT_TEXT + "; warning: trail management-events reports CloudWatch Logs delivery error "
        "\"AccessDeniedException\"", None, warning_kept, ACCOUNT),
    "second_trail_proves_the_chain": (fx_two_trails, load_event, C, "trail zz-good-trail -> filter", None,
                                      first_trail_broken_second_proves, ACCOUNT),
    "trails_failing_link_1_get_no_alarm_lookup": (fx_decoy_trails, load_event, C, "trail zz-good-trail -> filter",
                                                  None, alarms_only_for_the_qualifying_trail, ACCOUNT),
    "org_trail_seen_from_member": (
        lambda: sample("org-member.json"), lambda: member_event(), NA,
        "organization trail org-trail is owned by account 999999999999: the check belongs there", None,
        org_member_reads, MEMBER),
    "denied_describe_metric_filters": (
        lambda: fx_deny("logs:DescribeMetricFilters"), load_event, NC,
        "trail management-events: logs:DescribeMetricFilters on log group CloudTrail/management-events in "
        "us-east-1 denied (AccessDeniedException)", "filter", None, ACCOUNT),
    "denied_get_event_selectors": (
        lambda: fx_deny("cloudtrail:GetEventSelectors"), load_event, NC,
        "trail management-events: cloudtrail:GetEventSelectors denied (AccessDeniedException)", "trail", None,
        ACCOUNT),
    "denied_describe_alarms_for_metric": (
        lambda: fx_deny("cloudwatch:DescribeAlarm*"), load_event, NC,
        "cloudwatch:DescribeAlarmsForMetric on metric CloudTrailMetrics/CloudTrailConfigChanges in us-east-1 "
        "denied (AccessDenied)", "alarm", None, ACCOUNT),
    "denied_list_subscriptions": (
        lambda: fx_deny({"action": "sns:ListSubscriptionsByTopic", "resource": "*:cis-alarms"}), load_event, NC,
        "sns:ListSubscriptionsByTopic on topic cis-alarms denied (AuthorizationError)", "topic", None, ACCOUNT),
    "denied_describe_trails": (
        lambda: fx_deny("cloudtrail:DescribeTrails"), load_event, NC,
        "cloudtrail:DescribeTrails denied (AccessDeniedException)", None, None, ACCOUNT),
    "external_monitoring_broken_chain": (
        lambda: sample("no-alarm.json"), lambda: load_event(params={"ExternalMonitoring": "Splunk SIEM"}), NA,
        "monitored by Splunk SIEM (declared by ExternalMonitoring); CloudWatch chain: trail management-events: "
        "no alarm on metric", "alarm", None, ACCOUNT),
    "external_monitoring_compliant_chain": (
        fx_compliant, lambda: load_event(params={"ExternalMonitoring": "Splunk SIEM"}), C, COMPLIANT_TEXT, None,
        None, ACCOUNT),
    "event_left_scope": (fx_compliant, lambda: load_event("config-left-scope.json"), NA,
                         "the account is no longer in the rule's scope", None, left_scope_reads_nothing, ACCOUNT),
    "cross_account_topic_allowed": (
        fx_cross_account_topic, load_event, C, "alarm cis-cloudtrail-config-changes -> topic central (1 confirmed "
        "subscriber)", None, topic_read_in_its_account, ACCOUNT),
    "cross_account_topic_unreadable": (
        lambda: fx_cross_account_topic(allow=False), load_event, NC,
        "sns:ListSubscriptionsByTopic on topic central denied (AuthorizationError)", "topic", None, ACCOUNT),
    "second_sns_action_confirmed": (fx_second_sns_action_confirmed, load_event, C, COMPLIANT_TEXT, None,
                                    two_topics_read, ACCOUNT),
    "second_alarm_qualifies": (fx_second_alarm_qualifies, load_event, C, COMPLIANT_TEXT, None, None, ACCOUNT),
    "wildcard_filter": (lambda: fx_filter('{ ($.eventName = "*Trail") || ($.eventName = "*Logging") }'), load_event,
                        C, COMPLIANT_TEXT, None, None, ACCOUNT),
    "event_source_guard_filter": (
        lambda: fx_filter("{ ($.eventSource = cloudtrail.amazonaws.com) && (" + CIS_PATTERN[1:-1] + ") }"),
        load_event, C, COMPLIANT_TEXT, None, None, ACCOUNT),
    "metric_value_not_constant": (
        lambda: fx_metric_value("$.requestParameters.count"), load_event, NC,
        "metric value \"$.requestParameters.count\" is not a constant", "alarm", None, ACCOUNT),
    "alarm_greater_than_zero": (lambda: fx_alarm(ComparisonOperator="GreaterThanThreshold", Threshold=0.0),
                                load_event, C, COMPLIANT_TEXT, None, None, ACCOUNT),
    "alarm_greater_than_one": (
        lambda: fx_alarm(ComparisonOperator="GreaterThanThreshold", Threshold=1.0), load_event, NC,
        "alarm cis-cloudtrail-config-changes fires at Sum > 1; one event gives 1", "alarm", None, ACCOUNT),
    "alarm_needs_three_datapoints": (
        lambda: fx_alarm(EvaluationPeriods=3), load_event, NC,
        "alarm cis-cloudtrail-config-changes needs 3 datapoints; one event gives 1", "alarm", None, ACCOUNT),
    "alarm_one_datapoint_of_three": (lambda: fx_alarm(EvaluationPeriods=3, DatapointsToAlarm=1), load_event, C,
                                     COMPLIANT_TEXT, None, None, ACCOUNT),
    "org_trail_and_own_broken_trail": (
        fx_org_trail_and_own_broken_trail, lambda: member_event(), NA,
        "organization trail org-trail is owned by account 999999999999", None, None, MEMBER),
    "log_group_arn_without_star": (fx_log_group_arn_without_star, load_event, C, COMPLIANT_TEXT, None, None,
                                   ACCOUNT),
    "long_multibyte_filter_name": (fx_long_multibyte_filter_name, load_event, NC,
                                   "trail management-events: filter \u00fc\u00fc\u00fc", "filter",
                                   cut_at_utf8_boundary, ACCOUNT),
    "session_token_credentials": (fx_session_token, load_event, C, COMPLIANT_TEXT, None, session_token_used,
                                  ACCOUNT),
    "assume_role_via_execution_role_name": (
        fx_member_with_role, lambda: member_event(params={"ExecutionRoleName": "TrailwatchAudit"}), C,
        "trail member-trail -> filter", None, assumed_role_signed_everything, MANAGEMENT),
}


TRIGGERS = {"ScheduledNotification": "config-periodic", "ConfigurationItemChangeNotification": "config-change",
            "OversizedConfigurationItemChangeNotification": "config-oversized"}


class AuditScenarios(BootstrapMixin, unittest.TestCase):
    """One test per row of SCENARIOS."""

    def check_scenario(self, name):
        build_fx, build_event, compliance, annotation, broken, extra, runner = SCENARIOS[name]
        fake = self.start_fake(build_fx())
        event = build_event()
        run = self.run_tw(fake, event, account=runner)
        doc = self.assert_verdict(run, compliance, annotation)
        self.assertEqual(doc["trigger"], TRIGGERS[json.loads(event["invokingEvent"])["messageType"]])
        self.assertEqual([c["link"] for c in doc["chain"]], ["trail", "filter", "alarm", "topic"])
        states = [c["state"] for c in doc["chain"]]
        if compliance == C:
            self.assertEqual(states, ["proven"] * 4)
        if broken:
            # The first link that is not proven is the one named, and it is broken.
            first = next(c for c in doc["chain"] if c["state"] != "proven")
            self.assertEqual((first["link"], first["state"]), (broken, "broken"), doc["chain"])
            self.assertTrue(first["detail"])
        self.assert_delivered(fake, run, account=event["accountId"])
        self.assert_clean_wire(fake, run)
        if extra:
            extra(self, fake, run)


def _make(name):
    def test(self):
        self.check_scenario(name)
    test.__name__ = "test_" + name
    test.__doc__ = "scenario: " + name
    return test


for _name in SCENARIOS:
    setattr(AuditScenarios, "test_" + _name, _make(_name))


class MathAlarmBehindPlainAlarm(BootstrapMixin, unittest.TestCase):
    """A metric-math alarm behind a plain alarm that cannot carry the chain."""

    def math_alarm_behind(self, plain_changes, extra=None):
        a = acct()
        _alarm(a).update(plain_changes)
        if extra:
            extra(a)
        a["alarms"][REGION].append(json.loads(json.dumps(MATH_ALARM)))
        fake = self.start_fake(fx_of(a))
        run = self.run_tw(fake, load_event())
        self.assert_clean_wire(fake, run)
        self.assert_verdict(run, C, "alarm cis-math-alarm -> topic cis-alarms (1 confirmed subscriber)")

    def test_math_alarm_found_when_the_plain_alarm_cannot_fire(self):
        """A plain alarm with Threshold 5 (never fires on one event) must not
        hide a qualifying metric-math alarm on the same metric."""
        self.math_alarm_behind({"Threshold": 5.0})

    def test_math_alarm_found_when_the_plain_alarms_topic_is_pending(self):
        """The plain alarm notifies a topic with only a pending subscription;
        the metric-math alarm notifying the confirmed topic carries the chain."""
        def pending(a):
            arn = "arn:aws:sns:us-east-1:%s:pending-only" % ACCOUNT
            a["topics"][arn] = {"subscriptions": [{"Protocol": "email", "Endpoint": "x@example.com",
                                                   "SubscriptionArn": "PendingConfirmation"}]}
            _alarm(a)["AlarmActions"] = [arn]
        self.math_alarm_behind({}, pending)


class Parameters(BootstrapMixin, unittest.TestCase):
    def test_invalid_rule_parameters_are_an_error_before_any_call(self):
        for params, text in (({"Strict": "yes"}, "Strict"), ({"Foo": "x"}, '"Foo"'),
                             ({"ExecutionRoleName": "bad/name"}, "ExecutionRoleName"),
                             ({"ExternalMonitoring": "x" * 129}, "ExternalMonitoring")):
            with self.subTest(params=params):
                fake = self.start_fake(fx_compliant())
                run = self.run_tw(fake, load_event(params=params))
                doc = self.assert_error_doc(run, "RuleParameters.Invalid")
                self.assertIn(text, doc["errorMessage"])
                self.assertEqual(fake.stats()["requests"], 0)
                fake.stop()


class Delivery(BootstrapMixin, unittest.TestCase):
    """Where the verdict goes for EventBridge triggers, and dry runs."""

    def test_eventbridge_schedule_with_rule_name_puts_external_evaluation(self):
        fake = self.start_fake(fx_compliant())
        ev = load_event("eventbridge-schedule.json")
        run = self.run_tw(fake, ev, env={"TRAILWATCH_CONFIG_RULE_NAME": "trailwatch-process-check"})
        doc = self.assert_verdict(run, C, COMPLIANT_TEXT)
        self.assertEqual(doc["delivery"], {"target": "PutExternalEvaluation", "sent": True, "testMode": False})
        st = self.assert_clean_wire(fake, run)
        self.assertEqual(st["put_evaluations"], [])
        self.assertEqual(len(st["put_external_evaluations"]), 1)
        rec = st["put_external_evaluations"][0]
        self.assertEqual(rec["config_rule_name"], "trailwatch-process-check")
        self.assertEqual(rec["account"], ACCOUNT)
        self.assertEqual([rec["evaluation"]], doc["evaluations"])
        self.assertEqual(doc["evaluations"][0]["OrderingTimestamp"], event_time(ev))
        self.assertEqual(doc["evaluations"][0]["ComplianceResourceId"], ACCOUNT)

    def test_eventbridge_schedule_without_rule_name_sends_nothing(self):
        fake = self.start_fake(fx_of(acct(is_logging=False)))
        run = self.run_tw(fake, load_event("eventbridge-schedule.json"))
        doc = self.assert_verdict(run, NC, "is not logging")
        self.assertEqual(doc["delivery"]["target"], "none")
        self.assertIs(doc["delivery"]["sent"], False)
        self.assertIn("TRAILWATCH_CONFIG_RULE_NAME", doc["delivery"]["reason"])
        st = self.assert_clean_wire(fake, run)
        self.assertEqual(st["put_evaluations"], [])
        self.assertEqual(st["put_external_evaluations"], [])
        self.assertNotIn("PutEvaluations", st["by_operation"])
        self.assertNotIn("PutExternalEvaluation", st["by_operation"])
        self.assertEqual(len(doc["evaluations"]), 1)

    def test_eventbridge_cloudtrail_api_call_with_rule_name(self):
        fake = self.start_fake(sample("no-alarm.json"))
        ev = load_event("eventbridge-cloudtrail-api-call.json")
        run = self.run_tw(fake, ev, env={"TRAILWATCH_CONFIG_RULE_NAME": "trailwatch-process-check"})
        doc = self.assert_verdict(run, NC, "no alarm on metric")
        st = self.assert_clean_wire(fake, run)
        self.assertEqual([r["evaluation"] for r in st["put_external_evaluations"]], doc["evaluations"])

    def test_dry_run_decides_but_sends_nothing(self):
        fake = self.start_fake(fx_compliant())
        run = self.run_tw(fake, load_event(), dry_run=True)
        doc = self.assert_verdict(run, C, COMPLIANT_TEXT)
        self.assertEqual(doc["delivery"], {"target": "PutEvaluations", "sent": False, "testMode": False,
                                           "reason": "dry run"})
        st = self.assert_clean_wire(fake, run)
        self.assertEqual(st["put_evaluations"], [])
        self.assertEqual(st["requests"], 6)

    def test_failed_evaluations_are_sent_again(self):
        a = acct()
        a["fail_evaluations"] = {"times": 1, "indexes": "all"}
        fake = self.start_fake(fx_of(a))
        run = self.run_tw(fake, load_event())
        doc = self.assert_verdict(run, C, COMPLIANT_TEXT)
        st = self.assert_clean_wire(fake, run)
        self.assertEqual(len(st["put_evaluations"]), 2)
        self.assertEqual(st["put_evaluations"][0]["failed"], doc["evaluations"])
        self.assertEqual(st["put_evaluations"][1]["failed"], [])
        self.assertEqual(st["put_evaluations"][1]["evaluations"], doc["evaluations"])
        self.assertIs(doc["delivery"]["sent"], True)


if __name__ == "__main__":
    unittest.main()
