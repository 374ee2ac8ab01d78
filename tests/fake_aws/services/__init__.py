"""Operation handlers, one module per service.

A handler takes (ctx, params) - or (ctx, params, raw_json) when listed in the
module's WANTS_RAW - and returns a dict in the operation's output shape, or
raises AwsError.  RESOURCES gives the resource a ``deny`` entry is matched
against; NO_AUTHZ lists operations that need no permission.
"""
from . import cloudtrail, cloudwatch, config, logs, sns, sts

MODULES = {
    "cloudtrail": cloudtrail,
    "logs": logs,
    "config": config,
    "cloudwatch": cloudwatch,
    "sns": sns,
    "sts": sts,
}


def handler(service_name, operation):
    return getattr(MODULES[service_name], "OPERATIONS", {}).get(operation)


def resource(service_name, operation, ctx, params):
    fn = getattr(MODULES[service_name], "RESOURCES", {}).get(operation)
    return (fn(ctx, params) if fn else None) or "*"


def needs_authz(service_name, operation):
    return operation not in getattr(MODULES[service_name], "NO_AUTHZ", set())


def wants_raw(service_name, operation):
    return operation in getattr(MODULES[service_name], "WANTS_RAW", set())
