"""Concise fixture builders for tests.

    acct = compliant_account("111111111111", "us-east-1")
    acct["alarms"]["us-east-1"][0]["ActionsEnabled"] = False     # tweak
    fx = fixture(acct)                   # adds an access key per account
    key_id, secret = account_key("111111111111")
"""
import copy
import hashlib

CIS_PATTERN = ("{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || "
               "($.eventName = StartLogging) || ($.eventName = StopLogging) }")


def account_key(account_id):
    """Deterministic (access key id, secret) for an account's fixture key."""
    key_id = "AKIAFAKE" + account_id[-12:].rjust(12, "0")
    secret = hashlib.sha256(("fake-secret-" + account_id).encode()).hexdigest()[:40]
    return key_id, secret


def compliant_account(account_id="111111111111", region="us-east-1", *,
                      trail_name="management-events", log_group="CloudTrail/management-events",
                      filter_name="cis-cloudtrail-config-changes", filter_pattern=CIS_PATTERN,
                      metric_name="CloudTrailConfigChanges", namespace="CloudTrailMetrics",
                      alarm_name="cis-cloudtrail-config-changes", alarm_namespace=None, alarm_metric=None,
                      topic_name="cis-alarms", subscription="confirmed", endpoint="secops@example.com",
                      multi_region=True, is_logging=True, actions_enabled=True,
                      delivery_error=None, organization=False):
    """One account that satisfies the CIS control in ``region``:
    multi-region trail -> log group -> CIS metric filter -> alarm -> SNS topic
    with one confirmed email subscription.  Knobs break single links;
    ``subscription`` is "confirmed", "pending" or None (no subscriber)."""
    topic_arn = "arn:aws:sns:%s:%s:%s" % (region, account_id, topic_name)
    status = {"IsLogging": is_logging, "LatestDeliveryTime": "now-5m", "StartLoggingTime": "now-30d",
              "LatestCloudWatchLogsDeliveryTime": "now-2m", "LatestDigestDeliveryTime": "now-1h",
              "TimeLoggingStarted": "2024-01-01T00:00:00Z"}
    if not is_logging:
        status["StopLoggingTime"] = "now-1d"
        status["TimeLoggingStopped"] = "2024-06-01T00:00:00Z"
    if delivery_error:
        status["LatestCloudWatchLogsDeliveryError"] = delivery_error
    subs = []
    if subscription is not None:
        sub = {"Protocol": "email", "Endpoint": endpoint}
        if subscription == "pending":
            sub["SubscriptionArn"] = "PendingConfirmation"
        subs.append(sub)
    return {
        "id": account_id,
        "trails": [{
            "Name": trail_name,
            "HomeRegion": region,
            "IsMultiRegionTrail": multi_region,
            "IsOrganizationTrail": organization,
            "S3BucketName": "aws-cloudtrail-logs-%s-trail" % account_id,
            "IncludeGlobalServiceEvents": True,
            "LogFileValidationEnabled": True,
            "CloudWatchLogsLogGroupArn": "arn:aws:logs:%s:%s:log-group:%s:*" % (region, account_id, log_group),
            "CloudWatchLogsRoleArn": "arn:aws:iam::%s:role/CloudTrail_CloudWatchLogs_Role" % account_id,
            "Status": status,
        }],
        "log_groups": {region: {log_group: {"creationTime": "now-90d", "metricFilters": [{
            "filterName": filter_name,
            "filterPattern": filter_pattern,
            "metricTransformations": [{"metricName": metric_name, "metricNamespace": namespace,
                                       "metricValue": "1"}],
            "creationTime": "now-60d",
        }]}}},
        "alarms": {region: [{
            "AlarmName": alarm_name,
            "AlarmDescription": "CIS: CloudTrail configuration changes",
            "ActionsEnabled": actions_enabled,
            "AlarmActions": [topic_arn],
            "MetricName": alarm_metric or metric_name,
            "Namespace": alarm_namespace or namespace,
            "Statistic": "Sum",
            "Period": 300,
            "EvaluationPeriods": 1,
            "Threshold": 1.0,
            "ComparisonOperator": "GreaterThanOrEqualToThreshold",
            "TreatMissingData": "notBreaching",
        }]},
        "topics": {topic_arn: {"subscriptions": subs}},
    }


def fixture(*accounts, page_size=None, faults=None, settings=None):
    """Top-level fixture with one access key per account (see account_key).
    An account dict may carry its id under "id" (removed here)."""
    out = {"keys": {}, "accounts": {}}
    for acct in accounts:
        acct = copy.deepcopy(acct)
        account_id = acct.pop("id")
        key_id, secret = account_key(account_id)
        out["keys"][key_id] = {"secret": secret, "account": account_id}
        out["accounts"][account_id] = acct
    if page_size:
        out["page_size"] = dict(page_size)
    if faults:
        out["faults"] = list(faults)
    if settings:
        out["settings"] = dict(settings)
    return out


def empty_account(account_id):
    """An account with nothing configured."""
    return {"id": account_id}
