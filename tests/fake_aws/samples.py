"""The sample fixtures shipped in tests/fixtures/accounts/, built here.

    /usr/bin/python3 -m tests.fake_aws.samples --write tests/fixtures/accounts

The self-tests check the committed JSON files equal what this module builds.
"""
import argparse
import json
import os

from .builders import CIS_PATTERN, compliant_account, fixture

REGION = "us-east-1"
ACCOUNT = "111111111111"
MANAGEMENT = "999999999999"
MEMBER = "222222222222"


def compliant():
    return fixture(compliant_account(ACCOUNT, REGION))


def no_alarm():
    acct = compliant_account(ACCOUNT, REGION)
    acct["alarms"] = {}
    return fixture(acct)


def pending_subscription():
    return fixture(compliant_account(ACCOUNT, REGION, subscription="pending"))


def restrictive_filter():
    pattern = CIS_PATTERN[:-1].rstrip() + " && $.errorCode NOT EXISTS }"
    return fixture(compliant_account(ACCOUNT, REGION, filter_pattern=pattern))


def wrong_namespace():
    return fixture(compliant_account(ACCOUNT, REGION, alarm_namespace="CISBenchmark"))


def org_member():
    """Management account's organization trail covers a member that has no
    trail of its own; the member trusts the management account's auditor
    with role TrailwatchAudit."""
    mgmt = compliant_account(MANAGEMENT, REGION, trail_name="org-trail", organization=True)
    member = {"id": MEMBER, "org_management_account": MANAGEMENT,
              "roles": {"arn:aws:iam::%s:role/TrailwatchAudit" % MEMBER: {"trusted_accounts": [MANAGEMENT]}}}
    return fixture(mgmt, member)


def paginated():
    """The compliant chain hidden on the last pages: 5 decoy filters, 5
    decoy alarms, 4 decoy subscriptions, and page sizes of 2."""
    acct = compliant_account(ACCOUNT, REGION, filter_name="zz-cis-config-changes", alarm_name="zz-cis-alarm")
    group = acct["log_groups"][REGION]["CloudTrail/management-events"]
    for i in range(5):
        group["metricFilters"].append({
            "filterName": "decoy-%02d" % i, "filterPattern": '{ $.eventName = "ConsoleLogin" }',
            "metricTransformations": [{"metricName": "Decoy%d" % i, "metricNamespace": "CloudTrailMetrics",
                                       "metricValue": "1"}]})
        acct["alarms"][REGION].append({"AlarmName": "decoy-alarm-%02d" % i, "MetricName": "Decoy%d" % i,
                                       "Namespace": "CloudTrailMetrics"})
    topic = next(iter(acct["topics"].values()))
    topic["subscriptions"][:0] = [{"Protocol": "email", "Endpoint": "pending%d@example.com" % i,
                                   "SubscriptionArn": "PendingConfirmation"} for i in range(4)]
    return fixture(acct, page_size={"DescribeMetricFilters": 2, "DescribeAlarms": 2, "ListSubscriptionsByTopic": 2})


SAMPLES = {
    "compliant.json": compliant,
    "no-alarm.json": no_alarm,
    "pending-subscription.json": pending_subscription,
    "restrictive-filter.json": restrictive_filter,
    "wrong-namespace.json": wrong_namespace,
    "org-member.json": org_member,
    "paginated.json": paginated,
}


def render(name):
    return json.dumps(SAMPLES[name](), indent=2, sort_keys=False) + "\n"


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--write", metavar="DIR", required=True)
    args = ap.parse_args(argv)
    for name in SAMPLES:
        with open(os.path.join(args.write, name), "w", encoding="utf-8") as f:
            f.write(render(name))
        print(os.path.join(args.write, name))


if __name__ == "__main__":
    main()
