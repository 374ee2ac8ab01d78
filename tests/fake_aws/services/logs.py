"""CloudWatch Logs: DescribeMetricFilters.

Fixture: account["log_groups"][region][group_name] = {"creationTime": ...,
"metricFilters": [{filterName, filterPattern, metricTransformations, creationTime?}]}.
"""
from .. import timeutil
from .base import error


def _invalid(message):
    return error("InvalidParameterException", message)


def _filters(ctx, group_name, group):
    group_created = group.get("creationTime", "now-90d")
    for f in group.get("metricFilters", []):
        out = dict(f)
        out["logGroupName"] = group_name
        out["creationTime"] = int(timeutil.to_epoch(f.get("creationTime", group_created)) * 1000)
        out["metricTransformations"] = [dict({"metricValue": "1"}, **t) for t in f.get("metricTransformations", [])]
        yield out


def describe_metric_filters(ctx, params):
    group_name = params.get("logGroupName")
    prefix = params.get("filterNamePrefix")
    metric_name = params.get("metricName")
    namespace = params.get("metricNamespace")
    if prefix is not None and group_name is None:
        raise _invalid("If filterNamePrefix is specified, logGroupName must also be specified.")
    if (metric_name is None) != (namespace is None):
        raise _invalid("metricName and metricNamespace must be specified together.")

    groups = ctx.account.get("log_groups", {}).get(ctx.region, {})
    if group_name is not None:
        if group_name not in groups:
            raise error("ResourceNotFoundException", "The specified log group does not exist.")
        items = list(_filters(ctx, group_name, groups[group_name]))
        items.sort(key=lambda f: f["filterName"])
    else:
        items = [f for name in sorted(groups) for f in _filters(ctx, name, groups[name])]
        items.sort(key=lambda f: (f["logGroupName"], f["filterName"]))
    if prefix is not None:
        items = [f for f in items if f["filterName"].startswith(prefix)]
    if metric_name is not None:
        items = [f for f in items if any(t["metricName"] == metric_name and t["metricNamespace"] == namespace
                                         for t in f["metricTransformations"])]

    page_size = min(params.get("limit", 50), ctx.state.page_size_for(ctx.operation))
    listing = {k: v for k, v in params.items() if k not in ("nextToken", "limit")}
    page, token = ctx.paginate(items, params.get("nextToken"), page_size, listing,
                               lambda: _invalid("The specified nextToken is invalid."))
    out = {"metricFilters": page}
    if token:
        out["nextToken"] = token
    return out


OPERATIONS = {"DescribeMetricFilters": describe_metric_filters}
RESOURCES = {"DescribeMetricFilters": lambda ctx, p: p.get("logGroupName")}
