"""The six services the fake speaks, and the wire facts about each.

Routing keys: JSON 1.1 services by their X-Amz-Target prefix, Query
services by the SigV4 credential scope's service (the signing name).
"""

JSON = "json"
QUERY = "query"


class Service:
    def __init__(self, name, botocore_name, protocol, signing_name, *, target_prefix=None,
                 version=None, xmlns=None, message_key="message", type_prefix="",
                 iso_millis=True, action_prefix=None):
        self.name = name                      # short id used in faults/stats: "logs"
        self.botocore_name = botocore_name    # botocore model directory
        self.protocol = protocol
        self.signing_name = signing_name
        self.target_prefix = target_prefix    # JSON only
        self.version = version                # Query only
        self.xmlns = xmlns                    # Query only
        self.message_key = message_key        # JSON error body key
        self.type_prefix = type_prefix        # JSON modeled-error __type prefix
        self.iso_millis = iso_millis          # Query timestamps with .sssZ
        self.action_prefix = action_prefix or signing_name   # IAM action prefix

    def __repr__(self):
        return "<Service %s>" % self.name


SERVICES = {s.name: s for s in [
    # CloudTrail answers modeled errors with a qualified __type and "Message";
    # Logs and Config with a bare code and "message".  Clients must take the
    # text after '#' either way (PROTOCOLS.md 3.2), so the fake uses both.
    Service("cloudtrail", "cloudtrail", JSON, "cloudtrail",
            target_prefix="com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101",
            message_key="Message", type_prefix="com.amazonaws.cloudtrail.v20131101#"),
    Service("logs", "logs", JSON, "logs", target_prefix="Logs_20140328"),
    Service("config", "config", JSON, "config", target_prefix="StarlingDoveService"),
    Service("cloudwatch", "cloudwatch", QUERY, "monitoring", version="2010-08-01",
            xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/", action_prefix="cloudwatch"),
    Service("sns", "sns", QUERY, "sns", version="2010-03-31",
            xmlns="http://sns.amazonaws.com/doc/2010-03-31/", action_prefix="SNS"),
    Service("sts", "sts", QUERY, "sts", version="2011-06-15",
            xmlns="https://sts.amazonaws.com/doc/2011-06-15/", iso_millis=False),
]}

BY_TARGET_PREFIX = {s.target_prefix: s for s in SERVICES.values() if s.protocol == JSON}
BY_SIGNING_NAME = {s.signing_name: s for s in SERVICES.values()}
ALIASES = {"monitoring": "cloudwatch", "cloudwatchlogs": "logs", "configservice": "config"}


def lookup(name):
    """Service by short name, signing name or alias ("monitoring" -> cloudwatch)."""
    if name is None:
        return None
    key = name.lower()
    return SERVICES.get(ALIASES.get(key, key))


# Generic (non-modeled, framework-level) errors: kind -> per-protocol
# (code, HTTP status).  Per-service overrides in _OVERRIDES.
_GENERIC = {
    #  kind                 JSON 1.1                                   Query
    "signature":          (("InvalidSignatureException", 400),      ("SignatureDoesNotMatch", 403)),
    "incomplete":         (("IncompleteSignatureException", 400),   ("IncompleteSignature", 400)),
    "missing_auth":       (("MissingAuthenticationTokenException", 400), ("MissingAuthenticationToken", 403)),
    "unknown_key":        (("UnrecognizedClientException", 400),    ("InvalidClientTokenId", 403)),
    "expired_token":      (("ExpiredTokenException", 400),          ("ExpiredToken", 403)),
    "access_denied":      (("AccessDeniedException", 400),          ("AccessDenied", 403)),
    "throttle":           (("ThrottlingException", 400),            ("Throttling", 400)),
    "http500":            (("InternalFailure", 500),                ("InternalFailure", 500)),
    "http503":            (("ServiceUnavailable", 503),             ("ServiceUnavailable", 503)),
    "validation":         (("ValidationException", 400),            ("ValidationError", 400)),
    "unknown_operation":  (("UnknownOperationException", 400),      ("InvalidAction", 400)),
    "serialization":      (("SerializationException", 400),         ("MalformedQueryString", 400)),
    "missing_action":     (("UnknownOperationException", 400),      ("MissingAction", 400)),
}

_OVERRIDES = {
    ("sns", "access_denied"): ("AuthorizationError", 403),
    ("sns", "http500"): ("InternalError", 500),
    ("sns", "validation"): ("InvalidParameter", 400),
}

_MESSAGES = {
    "signature": "The request signature we calculated does not match the signature you provided. "
                 "Check your AWS Secret Access Key and signing method. Consult the service "
                 "documentation for details.",
    "missing_auth": "Missing Authentication Token",
    "unknown_key": "The security token included in the request is invalid.",
    "expired_token": "The security token included in the request is expired",
    "throttle": "Rate exceeded",
    "http500": "We encountered an internal error. Please try again.",
    "http503": "Service Unavailable",
}


def generic(kind, service):
    """(code, status, default message) of a framework error for a service."""
    if (service.name, kind) in _OVERRIDES:
        code, status = _OVERRIDES[(service.name, kind)]
    else:
        code, status = _GENERIC[kind][0 if service.protocol == JSON else 1]
    return code, status, _MESSAGES.get(kind, "")
