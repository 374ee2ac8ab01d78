"""Early, readable errors for fixtures whose objects the models would refuse.

Fixture objects use the AWS member names of the matching shapes (Trail,
MetricFilter, MetricAlarm, Subscription, ...); a misspelt member is reported
when the State is built rather than as a 500 at request time.
"""
from . import wire


class _Shapes:
    def __init__(self):
        ct = wire.service_model("cloudtrail")
        self.trail = ct.shape_for("Trail")
        self.status = ct.operation_model("GetTrailStatus").output_shape
        self.selector = ct.shape_for("EventSelector")
        self.advanced = ct.shape_for("AdvancedEventSelector")
        self.filter = wire.service_model("logs").shape_for("MetricFilter")
        cw = wire.service_model("cloudwatch")
        self.alarm = cw.shape_for("MetricAlarm")
        self.composite = cw.shape_for("CompositeAlarm")
        self.subscription = wire.service_model("sns").shape_for("Subscription")


def _keys(shape, obj, where, extra=()):
    if not isinstance(obj, dict):
        raise ValueError("%s: expected an object" % where)
    unknown = set(obj) - set(shape.members) - set(extra)
    if unknown:
        raise ValueError("%s: unknown member(s) %s (shape %s)" % (where, sorted(unknown), shape.name))
    for name, value in obj.items():
        member = shape.members.get(name)
        if member is None or value is None:
            continue
        if member.type_name == "structure":
            _keys(member, value, "%s.%s" % (where, name))
        elif member.type_name == "list" and member.member.type_name == "structure":
            for i, item in enumerate(value):
                _keys(member.member, item, "%s.%s[%d]" % (where, name, i))


def check(accounts):
    """Raise ValueError naming the first object the models would refuse."""
    s = _Shapes()
    for acct_id, acct in accounts.items():
        at = "accounts.%s" % acct_id
        for i, trail in enumerate(acct.get("trails", [])):
            w = "%s.trails[%d]" % (at, i)
            _keys(s.trail, trail, w, extra=("Status", "EventSelectors", "AdvancedEventSelectors"))
            if trail.get("Status") is not None:
                _keys(s.status, trail["Status"], w + ".Status")
            for j, sel in enumerate(trail.get("EventSelectors") or []):
                _keys(s.selector, sel, "%s.EventSelectors[%d]" % (w, j))
            for j, sel in enumerate(trail.get("AdvancedEventSelectors") or []):
                _keys(s.advanced, sel, "%s.AdvancedEventSelectors[%d]" % (w, j))
        for region, groups in acct.get("log_groups", {}).items():
            for name, group in groups.items():
                for j, f in enumerate(group.get("metricFilters", [])):
                    _keys(s.filter, f, "%s.log_groups.%s.%s.metricFilters[%d]" % (at, region, name, j))
        for region, alarms in acct.get("alarms", {}).items():
            for j, a in enumerate(alarms):
                shape = s.composite if "AlarmRule" in a else s.alarm
                _keys(shape, a, "%s.alarms.%s[%d]" % (at, region, j))
                if "AlarmName" not in a:
                    raise ValueError("%s.alarms.%s[%d]: AlarmName is required" % (at, region, j))
        for arn, topic in acct.get("topics", {}).items():
            for j, sub in enumerate(topic.get("subscriptions", [])):
                _keys(s.subscription, sub, "%s.topics.%s.subscriptions[%d]" % (at, arn, j))
