"""CloudWatch (Query): DescribeAlarms, DescribeAlarmsForMetric.

Fixture: account["alarms"][region] = [MetricAlarm-shaped dicts]; an entry
with "AlarmRule" is a composite alarm.  Missing members get AWS-like
defaults; empty action lists are sent as <AlarmActions/>.
"""
from .base import error

_ALARM_TYPES = ("MetricAlarm", "CompositeAlarm")


def _is_composite(alarm):
    return "AlarmRule" in alarm


def normalize(ctx, alarm):
    out = dict(alarm)
    out.setdefault("AlarmArn", "arn:aws:cloudwatch:%s:%s:alarm:%s" % (ctx.region, ctx.account_id, alarm["AlarmName"]))
    out.setdefault("AlarmConfigurationUpdatedTimestamp", "now-30d")
    out.setdefault("ActionsEnabled", True)
    for key in ("OKActions", "AlarmActions", "InsufficientDataActions"):
        out.setdefault(key, [])
    out.setdefault("StateValue", "OK")
    out.setdefault("StateReason", "Threshold Crossed: no datapoints were received for 1 period and 1 missing "
                                  "datapoint was treated as [NonBreaching].")
    out.setdefault("StateUpdatedTimestamp", "now-1d")
    if _is_composite(out):
        return out
    out.setdefault("Dimensions", [])
    if "Metrics" not in out:
        out.setdefault("Statistic", "Sum")
        out.setdefault("Period", 300)
    out.setdefault("EvaluationPeriods", 1)
    out.setdefault("Threshold", 1.0)
    out.setdefault("ComparisonOperator", "GreaterThanOrEqualToThreshold")
    return out


def _alarms(ctx):
    items = ctx.account.get("alarms", {}).get(ctx.region, [])
    return sorted((normalize(ctx, a) for a in items), key=lambda a: a["AlarmName"])


def _has_action_prefix(alarm, prefix):
    return any(a.startswith(prefix) for key in ("OKActions", "AlarmActions", "InsufficientDataActions")
               for a in alarm.get(key, []))


def describe_alarms(ctx, params):
    names = params.get("AlarmNames")
    prefix = params.get("AlarmNamePrefix")
    if names and prefix is not None:
        raise error("InvalidParameterCombination", "AlarmNames and AlarmNamePrefix cannot be specified together.")
    types = params.get("AlarmTypes") or ["MetricAlarm"]
    for t in types:
        if t not in _ALARM_TYPES:
            raise error("ValidationError", "1 validation error detected: Value '%s' at 'alarmTypes' failed to "
                        "satisfy constraint: Member must satisfy enum value set: [CompositeAlarm, MetricAlarm]" % t)
    if params.get("ChildrenOfAlarmName") or params.get("ParentsOfAlarmName"):
        raise error("ValidationError", "fake: ChildrenOfAlarmName/ParentsOfAlarmName are not supported")

    items = [a for a in _alarms(ctx)
             if ("CompositeAlarm" if _is_composite(a) else "MetricAlarm") in types]
    if names:
        items = [a for a in items if a["AlarmName"] in names]
    if prefix is not None:
        items = [a for a in items if a["AlarmName"].startswith(prefix)]
    if params.get("StateValue"):
        items = [a for a in items if a["StateValue"] == params["StateValue"]]
    if params.get("ActionPrefix"):
        items = [a for a in items if _has_action_prefix(a, params["ActionPrefix"])]

    page_size = min(params.get("MaxRecords", 50), ctx.state.page_size_for(ctx.operation))
    listing = {k: v for k, v in params.items() if k not in ("NextToken", "MaxRecords")}
    page, token = ctx.paginate(items, params.get("NextToken"), page_size, listing,
                               lambda: error("InvalidNextToken", "The service returned an invalid NextToken."))
    out = {"MetricAlarms": [a for a in page if not _is_composite(a)],
           "CompositeAlarms": [a for a in page if _is_composite(a)]}
    if token:
        out["NextToken"] = token
    return out


def _dims(dims):
    return sorted((d["Name"], d["Value"]) for d in dims or [])


def describe_alarms_for_metric(ctx, params):
    want_dims = _dims(params.get("Dimensions"))
    out = []
    for a in _alarms(ctx):
        if _is_composite(a) or "Metrics" in a:
            continue                       # no composite or metric-math alarms here
        if a.get("MetricName") != params["MetricName"] or a.get("Namespace") != params["Namespace"]:
            continue
        if _dims(a.get("Dimensions")) != want_dims:
            continue
        if any(params.get(k) is not None and a.get(k) != params[k]
               for k in ("Statistic", "ExtendedStatistic", "Period", "Unit")):
            continue
        out.append(a)
    return {"MetricAlarms": out}


OPERATIONS = {
    "DescribeAlarms": describe_alarms,
    "DescribeAlarmsForMetric": describe_alarms_for_metric,
}
RESOURCES = {}
