"""Integration: the fault matrix, operation x fault, through the Runtime API loop.

For each AWS operation the audit calls, ONE long-lived bootstrap serves one
invocation per fault, in sequence, through the fake Runtime API
(tests/fake_runtime.py), against its own fake AWS (tests/fake_aws) with the
fault injected on that operation only. Then a clean invocation on the same
process must come back COMPLIANT, with exactly one PutEvaluations recorded.

Operations (rows):
  cloudtrail DescribeTrails, GetTrailStatus, GetEventSelectors
  logs DescribeMetricFilters
  cloudwatch DescribeAlarmsForMetric
  cloudwatch DescribeAlarms     on an account whose only alarm is a metric-math
                                one (the compliant account's plain alarm makes
                                that listing unnecessary, src/collect.c)
  sns ListSubscriptionsByTopic
  config PutEvaluations
  sts AssumeRole                the organization variant (ExecutionRoleName);
                                a new role name per invocation, because
                                assumed credentials are cached across
                                invocations until shortly before they expire

Faults (columns) and the outcome each must have:
  throttling / 500 / 503 / reset mid-body / truncated body, once
                        retried: response COMPLIANT, PutEvaluations recorded
  throttling forever    error AWS.Throttled
  500 / 503 forever     error AWS.Unavailable
  reset / truncated forever
                        error AWS.Unreachable (a broken exchange, even when
                        its status line had arrived)
  AccessDenied          on a read: NON_COMPLIANT naming the denied action,
                        delivered; on PutEvaluations or AssumeRole: error
                        AWS.AccessDenied
  expired token         error AWS.CredentialsRejected
  invalid JSON / XML    error AWS.InvalidResponse
  slower than the deadline (a 3 s deadline, a 4.5 s reply)
                        error Invocation.DeadlineExceeded
A PutEvaluations whose reply is cut off or late has run on the fake: it is
recorded (COMPLIANT, since the reads proved the chain) once per send.

For every cell: the invocation is answered exactly once, with the expected
kind of POST and its type or verdict; it is answered before its deadline;
the faulted operation was sent the expected number of times (retried ones
3 times, the default AWS_MAX_ATTEMPTS); nothing COMPLIANT reaches the
response or the fake's recorded PutEvaluations unless the chain was proven;
and the process is still alive. The rows run concurrently (each its own fake
AWS, fake runtime and bootstrap), so the cells that wait (backoff, the slow
reply) cost the time of one row, not of the grid. Run from the repo root:
    TW_BOOTSTRAP=build/native/bootstrap /usr/bin/python3 -m unittest tests.it_faults -v
"""

import json
import os
import pathlib
import re
import subprocess
import sys
import tempfile
import threading
import time
import unittest

ROOT = pathlib.Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
from tests import it_runtime  # noqa: E402
from tests.fake_aws import FakeAws  # noqa: E402
from tests.fake_runtime import FakeRuntime  # noqa: E402
from tests.it_audit import (ACCOUNT, BOOTSTRAP, CHAIN_OPS, COMPLIANT_TEXT, MANAGEMENT, MEMBER,  # noqa: E402
                            REGION, event_time, fx_compliant, fx_math_alarm, fx_member_with_role,
                            load_event, member_event)

C, NC = "COMPLIANT", "NON_COMPLIANT"
DEADLINE_MS = 10_000       # room for 3 attempts and their backoff (at most 1 s + 2 s)
SLOW_DEADLINE_MS = 3_000   # the slow-reply cell's deadline ...
SLOW_REPLY_MS = 4_500      # ... and its reply, slower than all of it
ROLE = "TrailwatchAudit"   # + the invocation's number, for the AssumeRole row

RECOVERED, DENIED, CLEAN = "recovered", "denied", "clean"


class Fault:
    """One column: the rule injected on the row's operation, the outcome, and
    how many times the operation must have been sent."""

    def __init__(self, name, rule, outcome, sends, deadline_ms=DEADLINE_MS):
        self.name, self.rule, self.outcome, self.sends = name, rule, outcome, sends
        self.deadline_ms = deadline_ms

    @property
    def kind(self):
        return self.rule["fault"] if self.rule else None

    @property
    def slug(self):
        return re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-")


UNAVAILABLE = ("AWS.Unavailable",)
CUT_OFF = ("AWS.Unreachable",)   # a transport failure, whether or not the status line had arrived
FAULTS = [
    Fault("throttling then success", dict(fault="throttle", times=1), RECOVERED, 2),
    Fault("throttling forever", dict(fault="throttle", times=-1), ("AWS.Throttled",), 3),
    Fault("500 then success", dict(fault="http500", times=1), RECOVERED, 2),
    Fault("503 then success", dict(fault="http503", times=1), RECOVERED, 2),
    Fault("500 forever", dict(fault="http500", times=-1), UNAVAILABLE, 3),
    Fault("503 forever", dict(fault="http503", times=-1), UNAVAILABLE, 3),
    Fault("reset mid-body then success", dict(fault="reset", times=1), RECOVERED, 2),
    Fault("reset mid-body forever", dict(fault="reset", times=-1), CUT_OFF, 3),
    Fault("truncated body then success", dict(fault="truncate", times=1), RECOVERED, 2),
    Fault("truncated body forever", dict(fault="truncate", times=-1), CUT_OFF, 3),
    Fault("access denied", dict(fault="access_denied", times=-1), DENIED, 1),
    Fault("expired token", dict(fault="expired_token", times=-1), ("AWS.CredentialsRejected",), 1),
    Fault("invalid body", dict(fault="invalid_body", times=-1), ("AWS.InvalidResponse",), 1),
    Fault("slower than the deadline", dict(fault="delay", delay_ms=SLOW_REPLY_MS, times=-1),
          ("Invocation.DeadlineExceeded",), 1, deadline_ms=SLOW_DEADLINE_MS),
]
AFTER_ALL = Fault("clean, after all faults", None, CLEAN, 1)
# Faults after which the operation has run on the fake although its reply was
# lost: a PutEvaluations sent that way is recorded.
RAN_ANYWAY = ("reset", "truncate", "delay")


def fx_org_roles():
    """fx_member_with_role plus one role per invocation (TrailwatchAudit00, ...)."""
    f = fx_member_with_role()
    roles = f["accounts"][MEMBER]["roles"]
    for i in range(len(FAULTS) + 1):
        roles["arn:aws:iam::%s:role/%s%02d" % (MEMBER, ROLE, i)] = {"trusted_accounts": [MANAGEMENT]}
    return f


class Row:
    """One operation: the account it is faulted in, and what a denial of it means."""

    def __init__(self, service, operation, *, denied=None, fx=fx_compliant, annotation=COMPLIANT_TEXT,
                 extra_ops=(), org=False):
        self.service, self.operation = service, operation
        self.signing_name = "monitoring" if service == "cloudwatch" else service   # as error messages name it
        self.denied = denied          # (action, code, broken link or None) for a read; None: an error
        self.fx = fx
        self.annotation = annotation  # in a COMPLIANT answer
        self.ops = dict.fromkeys(CHAIN_OPS + ("PutEvaluations",) + tuple(extra_ops), 1)  # a clean audit
        self.org = org
        self.runner = MANAGEMENT if org else ACCOUNT
        self.evaluated = MEMBER if org else ACCOUNT

    def event(self, i):
        if self.org:
            return member_event(params={"ExecutionRoleName": "%s%02d" % (ROLE, i)})
        return load_event()


ROWS = [
    # No trail was listed, so no link is broken: the annotation names the call (as in test_judge.c).
    Row("cloudtrail", "DescribeTrails", denied=("cloudtrail:DescribeTrails", "AccessDeniedException", None)),
    Row("cloudtrail", "GetTrailStatus", denied=("cloudtrail:GetTrailStatus", "AccessDeniedException", "trail")),
    Row("cloudtrail", "GetEventSelectors",
        denied=("cloudtrail:GetEventSelectors", "AccessDeniedException", "trail")),
    Row("logs", "DescribeMetricFilters", denied=("logs:DescribeMetricFilters", "AccessDeniedException", "filter")),
    Row("cloudwatch", "DescribeAlarmsForMetric",
        denied=("cloudwatch:DescribeAlarmsForMetric", "AccessDenied", "alarm")),
    Row("cloudwatch", "DescribeAlarms", denied=("cloudwatch:DescribeAlarms", "AccessDenied", "alarm"),
        fx=fx_math_alarm, annotation="alarm cis-math-alarm -> topic cis-alarms (1 confirmed subscriber)",
        extra_ops=("DescribeAlarms",)),
    Row("sns", "ListSubscriptionsByTopic",
        denied=("sns:ListSubscriptionsByTopic", "AuthorizationError", "topic")),
    Row("config", "PutEvaluations"),
    Row("sts", "AssumeRole", fx=fx_org_roles, annotation=COMPLIANT_TEXT.replace("management-events", "member-trail"),
        extra_ops=("AssumeRole",), org=True),
]


# ---------------------------------------------------------------- driving one row

class Cell:
    """What one invocation did, as seen by the fake runtime and the fake AWS."""

    def __init__(self, fault, event, request_id, deadline_ms):
        self.fault, self.event, self.request_id, self.deadline_ms = fault, event, request_id, deadline_ms
        self.posts, self.alive, self.stats, self.log = [], None, None, []


class Column:
    """One row's run: its cells by fault name, and how it ended."""

    def __init__(self, row):
        self.row = row
        self.cells = {}
        self.error = None           # an exception that stopped the run
        self.runtime_connections = None
        self.stderr = ""

    def tail(self, n=3000):
        return self.stderr[-n:]


def _quiet(fake, timeout_s):
    """Waits until every request the fake has started has finished (a slow
    reply is still sleeping when the bootstrap has given up on it)."""
    end = time.monotonic() + timeout_s
    while fake.stats()["requests"] != len(fake.request_log()):
        if time.monotonic() > end:
            raise TimeoutError("fake AWS still busy after %.0f s" % timeout_s)
        time.sleep(0.05)


def _wait_answer(rt, proc, request_id, timeout_s):
    """The invocation's final post; raises if the bootstrap exits first."""
    end = time.monotonic() + timeout_s
    while True:
        try:
            return rt.wait_post(request_id, timeout=0.5)
        except TimeoutError:
            if proc.poll() is not None:
                raise RuntimeError("bootstrap exited with %s before answering %s" % (proc.returncode, request_id))
            if time.monotonic() > end:
                raise


def _run_cell(row, i, fault, fake, rt, proc):
    _quiet(fake, SLOW_REPLY_MS / 1000 + 5)
    fake.clear_faults()
    fake.reset_stats()
    if fault.rule:
        fake.inject(service=row.service, operation=row.operation, **fault.rule)
    event = row.event(i)
    deadline_ms = int(time.time() * 1000) + fault.deadline_ms
    cell = Cell(fault, event, "%s-%02d-%s" % (row.operation, i, fault.slug), deadline_ms)
    rt.queue(json.dumps(event).encode(), request_id=cell.request_id, deadline_ms=deadline_ms)
    _wait_answer(rt, proc, cell.request_id, fault.deadline_ms / 1000 + 15)
    cell.alive = proc.poll() is None
    _quiet(fake, SLOW_REPLY_MS / 1000 + 5)   # so a late PutEvaluations counts here, not in the next cell
    cell.posts = rt.posts_for(cell.request_id)
    cell.stats, cell.log = fake.stats(), fake.request_log()
    return cell


def run_column(row, workdir):
    col = Column(row)
    err_path = pathlib.Path(workdir) / ("%s.stderr" % row.operation)
    try:
        with FakeAws(row.fx()) as fake, FakeRuntime() as rt:
            # The bootstrap's kept-alive connection is reset when it is killed.
            rt._server.handle_error = lambda request, address: None
            key_id, secret, token = fake.credentials(row.runner)
            env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(workdir),
                   "AWS_LAMBDA_RUNTIME_API": rt.address, "AWS_REGION": REGION, "AWS_ENDPOINT_URL": fake.url,
                   "AWS_ACCESS_KEY_ID": key_id, "AWS_SECRET_ACCESS_KEY": secret,
                   "AWS_LAMBDA_LOG_FORMAT": "JSON"}
            if token:
                env["AWS_SESSION_TOKEN"] = token
            with open(err_path, "wb") as err:
                proc = subprocess.Popen([BOOTSTRAP], env=env, stdout=subprocess.DEVNULL, stderr=err)
            try:
                for i, fault in enumerate(FAULTS + [AFTER_ALL]):
                    col.cells[fault.name] = _run_cell(row, i, fault, fake, rt, proc)
            finally:
                col.runtime_connections = rt.connections
                if proc.poll() is None:
                    proc.kill()
                proc.wait(timeout=10)
    except Exception as exc:  # reported by the row's test, with the bootstrap's log
        col.error = "%s: %s" % (type(exc).__name__, exc)
    col.stderr = err_path.read_text(errors="replace") if err_path.exists() else ""
    return col


# ---------------------------------------------------------------- the tests

class FaultMatrix(unittest.TestCase):
    """One test per operation, one subTest per fault. setUpClass runs every
    row at once; the tests check what each invocation did."""

    @classmethod
    def setUpClass(cls):
        work = tempfile.TemporaryDirectory(prefix="tw-faults-")
        cls.addClassCleanup(work.cleanup)
        cls.columns = {}

        def run(row):
            cls.columns[row.operation] = run_column(row, work.name)

        threads = [threading.Thread(target=run, args=(row,), name="faults-" + row.operation, daemon=True)
                   for row in ROWS]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=300)

    # ---- the checks of one cell

    def why(self, col, cell):
        return "request %s; posts %r; bootstrap log tail:\n%s" % (
            cell.request_id, [(p.kind, p.status, p.body[:300]) for p in cell.posts], col.tail())

    def check_cell(self, col, cell):
        row, fault, why = col.row, cell.fault, self.why(col, cell)
        self.assertTrue(cell.alive, "the bootstrap exited; " + why)
        self.assertEqual(len(cell.posts), 1, "answered exactly once; " + why)
        post = cell.posts[0]
        self.assertEqual(post.status, 202, why)
        self.assertLess(post.received * 1000, cell.deadline_ms,
                        "answered %.0f ms after the deadline; %s" % (post.received * 1000 - cell.deadline_ms, why))
        if fault.kind == "delay":
            self.assertGreater(post.received * 1000, cell.deadline_ms - 1500,
                               "it waited for the slow reply until close to the deadline; " + why)
        self.assertEqual(cell.stats["fake_bugs"], [], "fake_aws bug")
        self.assertEqual(cell.stats["rejected_signatures"], 0, cell.stats["auth_failures"])
        sent = [(e["status"], e["code"], e["fault"]) for e in cell.log if e["operation"] == row.operation]
        self.assertEqual(len(sent), fault.sends, "%s sent %d times: %r; %s" % (row.operation, len(sent), sent, why))
        if fault.kind:
            self.assertEqual(sent[0][2], fault.kind, "the fault was applied")

        denied_read = fault.outcome == DENIED and row.denied
        if fault.outcome in (RECOVERED, CLEAN):
            self.check_compliant(col, cell, post)
        elif denied_read:
            self.check_denied_read(col, cell, post)
        else:
            self.check_error(col, cell, post, ("AWS.AccessDenied",) if fault.outcome == DENIED else fault.outcome)

        # Nothing COMPLIANT unless proven: only the PutEvaluations row proves
        # the chain in a failing cell (its reads all succeeded).
        proven = fault.outcome in (RECOVERED, CLEAN) or row.operation == "PutEvaluations"
        delivered = [e["ComplianceType"] for rec in cell.stats["put_evaluations"] for e in rec["evaluations"]]
        if not proven:
            self.assertNotIn(C, delivered, "COMPLIANT recorded though not proven; " + why)
            if post.kind == "response":
                self.assertNotEqual(post.json()["complianceType"], C, "COMPLIANT answered though not proven")

    def evaluation(self, col, cell, compliance, annotation):
        return [{"ComplianceResourceType": "AWS::::Account", "ComplianceResourceId": col.row.evaluated,
                 "ComplianceType": compliance, "Annotation": annotation,
                 "OrderingTimestamp": event_time(cell.event)}]

    def check_recorded(self, col, cell, evaluations, count):
        """The fake recorded `count` PutEvaluations, each carrying `evaluations`."""
        recs = cell.stats["put_evaluations"]
        self.assertEqual(len(recs), count, "PutEvaluations recorded: %r" % recs)
        for rec in recs:
            self.assertEqual(rec["evaluations"], evaluations)
            self.assertEqual(rec["result_token"], cell.event["resultToken"])
            self.assertEqual(rec["account"], col.row.evaluated)
        self.assertEqual(cell.stats["put_external_evaluations"], [])

    def check_compliant(self, col, cell, post):
        row, why = col.row, self.why(col, cell)
        self.assertEqual(post.kind, "response", why)
        doc = post.json()
        self.assertEqual(doc["complianceType"], C, doc["annotation"])
        self.assertIn(row.annotation, doc["annotation"])
        self.assertEqual(doc["delivery"], {"target": "PutEvaluations", "sent": True, "testMode": False})
        self.assertEqual(doc["evaluations"], self.evaluation(col, cell, C, doc["annotation"]))
        # A PutEvaluations whose reply was lost had been recorded: sent again, recorded twice.
        twice = row.operation == "PutEvaluations" and cell.fault.kind in RAN_ANYWAY
        self.check_recorded(col, cell, doc["evaluations"], 2 if twice else 1)
        if cell.fault.outcome == CLEAN:
            self.assertEqual(cell.stats["by_operation"], row.ops, "a clean audit after the faults")
            self.assertEqual(cell.stats["faults_injected"], 0)

    def check_denied_read(self, col, cell, post):
        action, code, link = col.row.denied
        self.assertEqual(post.kind, "response", self.why(col, cell))
        doc = post.json()
        self.assertEqual(doc["complianceType"], NC, doc["annotation"])
        # "<action>[ on <what>] denied (<code>)": the denial of this very action.
        self.assertRegex(doc["annotation"], r"%s( [^:]+)? denied \(%s\)" % (re.escape(action), code))
        broken = [c["link"] for c in doc["chain"] if c["state"] == "broken"]
        self.assertEqual(broken, [link] if link else [], doc["chain"])
        self.assertEqual(doc["delivery"], {"target": "PutEvaluations", "sent": True, "testMode": False})
        self.assertEqual(doc["evaluations"], self.evaluation(col, cell, NC, doc["annotation"]))
        self.check_recorded(col, cell, doc["evaluations"], 1)

    def check_error(self, col, cell, post, error_types):
        row, why = col.row, self.why(col, cell)
        self.assertEqual(post.kind, "error", why)
        error_type = post.json().get("errorType")
        self.assertIn(error_type, error_types, why)
        doc = it_runtime.RuntimeLoop.assert_error(self, post, error_type)
        if error_type.startswith("AWS."):
            self.assertIn("%s %s" % (row.signing_name, row.operation), doc["errorMessage"])
        if row.operation == "PutEvaluations":
            # The audit proved the chain; only the delivery failed. A request
            # whose reply was lost (or came too late) had been recorded.
            ran = cell.fault.sends if cell.fault.kind in RAN_ANYWAY else 0
            self.check_recorded(col, cell, self.evaluation(col, cell, C, row.annotation), ran)
        else:
            self.check_recorded(col, cell, None, 0)

    # ---- one test per row

    def check_row(self, operation):
        col = self.columns.get(operation)
        self.assertIsNotNone(col, "the row did not finish")
        for fault in FAULTS + [AFTER_ALL]:
            with self.subTest(operation=operation, fault=fault.name):
                cell = col.cells.get(fault.name)
                self.assertIsNotNone(cell, "not run: %s\n%s" % (col.error, col.tail()))
                self.check_cell(col, cell)
        self.assertIsNone(col.error, col.tail())
        self.assertEqual(col.runtime_connections, 1, "one kept-alive Runtime API connection for the whole row")


def _test_of(operation):
    def test(self):
        self.check_row(operation)
    test.__doc__ = "%s: every fault, then a clean invocation, in one process" % operation
    return test


for _row in ROWS:
    setattr(FaultMatrix, "test_" + re.sub(r"(?<!^)(?=[A-Z])", "_", _row.operation).lower(), _test_of(_row.operation))


if __name__ == "__main__":
    unittest.main()
