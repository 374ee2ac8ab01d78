"""CloudTrail: DescribeTrails, GetTrailStatus, GetEventSelectors.

Visibility, as AWS does it:
- a trail is seen in its home region, and - when multi-region - as a shadow
  trail in every other region;
- an organization trail of the account named by ``org_management_account``
  is seen by the member account as a shadow trail;
- names resolve only to the caller's own trails homed in the request's
  region; anything else must be asked for by ARN, which works from any region.
"""
import re

from .base import error, parse_arn

_FAKE_KEYS = ("Status", "EventSelectors", "AdvancedEventSelectors")
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{2,127}$")
DEFAULT_EVENT_SELECTORS = [{"ReadWriteType": "All", "IncludeManagementEvents": True,
                            "DataResources": [], "ExcludeManagementEventSources": []}]


def trail_arn(owner, trail):
    return trail.get("TrailARN") or "arn:aws:cloudtrail:%s:%s:trail/%s" % (trail["HomeRegion"], owner, trail["Name"])


def _candidates(ctx):
    """(owner, trail) for every trail the caller can ever see."""
    for trail in ctx.account.get("trails", []):
        yield ctx.account_id, trail
    mgmt = ctx.account.get("org_management_account")
    if mgmt and mgmt != ctx.account_id:
        for trail in (ctx.state.account(mgmt) or {}).get("trails", []):
            if trail.get("IsOrganizationTrail"):
                yield mgmt, trail


def _seen_here(ctx, trail):
    return trail["HomeRegion"] == ctx.region or bool(trail.get("IsMultiRegionTrail"))


def _is_shadow(ctx, owner, trail):
    return owner != ctx.account_id or trail["HomeRegion"] != ctx.region


def _has_custom_selectors(trail):
    if trail.get("AdvancedEventSelectors") is not None:
        return True
    sel = trail.get("EventSelectors")
    return sel is not None and [_basic_selector(s) for s in sel] != DEFAULT_EVENT_SELECTORS


def _trail_out(owner, trail):
    out = {k: v for k, v in trail.items() if k not in _FAKE_KEYS}
    out.setdefault("S3BucketName", "aws-cloudtrail-logs-%s" % owner)
    out.setdefault("IncludeGlobalServiceEvents", True)
    out.setdefault("IsMultiRegionTrail", False)
    out["TrailARN"] = trail_arn(owner, trail)
    out.setdefault("LogFileValidationEnabled", False)
    out.setdefault("HasCustomEventSelectors", _has_custom_selectors(trail))
    out.setdefault("HasInsightSelectors", False)
    out.setdefault("IsOrganizationTrail", False)
    return out


def _not_found(ctx, name):
    return error("TrailNotFoundException", "Unknown trail: %s for the user: %s" % (name, ctx.account_id))


def resolve(ctx, name):
    """(owner, trail) for GetTrailStatus/GetEventSelectors' Name/TrailName."""
    if name.startswith("arn:"):
        arn = parse_arn(name)
        if arn is None or arn["service"] != "cloudtrail" or not arn["resource"].startswith("trail/"):
            raise error("CloudTrailARNInvalidException",
                        "%s is not a valid CloudTrail ARN. Trail ARNs must match the format "
                        "arn:aws:cloudtrail:region:account:trail/name." % name)
        for owner, trail in _candidates(ctx):
            if trail_arn(owner, trail) == name:       # an ARN works from any region
                return owner, trail
        raise _not_found(ctx, name)
    if not _NAME_RE.match(name):
        raise error("InvalidTrailNameException",
                    "Trail name must start with a letter or number, be 3 to 128 characters, and contain "
                    "only letters, numbers, periods, underscores and dashes.")
    for trail in ctx.account.get("trails", []):
        if trail["Name"] == name and trail["HomeRegion"] == ctx.region:
            return ctx.account_id, trail
    raise _not_found(ctx, name)


def describe_trails(ctx, params):
    include_shadow = params.get("includeShadowTrails", True)
    names = params.get("trailNameList") or []
    found = []
    if names:
        for name in names:
            for owner, trail in _candidates(ctx):
                if name.startswith("arn:"):
                    hit = trail_arn(owner, trail) == name
                else:
                    hit = owner == ctx.account_id and trail["Name"] == name and trail["HomeRegion"] == ctx.region
                if hit and (owner, trail) not in found:
                    found.append((owner, trail))
    else:
        home = [(o, t) for o, t in _candidates(ctx) if _seen_here(ctx, t) and not _is_shadow(ctx, o, t)]
        shadow = [(o, t) for o, t in _candidates(ctx) if _seen_here(ctx, t) and _is_shadow(ctx, o, t)]
        found = home + (shadow if include_shadow else [])
    return {"trailList": [_trail_out(o, t) for o, t in found]}


def get_trail_status(ctx, params):
    _, trail = resolve(ctx, params["Name"])
    status = dict(trail.get("Status") or {})
    status.setdefault("IsLogging", True)
    return status


def _basic_selector(sel):
    out = dict(sel)
    out.setdefault("ReadWriteType", "All")
    out.setdefault("IncludeManagementEvents", True)
    out.setdefault("DataResources", [])
    out.setdefault("ExcludeManagementEventSources", [])
    return out


def get_event_selectors(ctx, params):
    owner, trail = resolve(ctx, params["TrailName"])
    out = {"TrailARN": trail_arn(owner, trail)}
    if trail.get("AdvancedEventSelectors") is not None:
        out["AdvancedEventSelectors"] = trail["AdvancedEventSelectors"]
    else:
        out["EventSelectors"] = [_basic_selector(s) for s in (trail.get("EventSelectors") or DEFAULT_EVENT_SELECTORS)]
    return out


OPERATIONS = {
    "DescribeTrails": describe_trails,
    "GetTrailStatus": get_trail_status,
    "GetEventSelectors": get_event_selectors,
}

RESOURCES = {
    "GetTrailStatus": lambda ctx, p: p.get("Name"),
    "GetEventSelectors": lambda ctx, p: p.get("TrailName"),
}
