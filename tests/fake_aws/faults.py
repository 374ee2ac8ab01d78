"""Fault injection rules: which requests fail, how, and how many times."""
import fnmatch
import threading

# fault name -> what the dispatcher does with it
KINDS = (
    "throttle",       # service's throttling error (JSON ThrottlingException, Query Throttling)
    "http500",        # InternalFailure (SNS: InternalError), HTTP 500
    "http503",        # ServiceUnavailable, HTTP 503
    "access_denied",  # service's AccessDenied error
    "expired_token",  # ExpiredTokenException / ExpiredToken
    "reset",          # headers + half the body, then TCP RST
    "truncate",       # Content-Length N, fewer bytes, then FIN
    "delay",          # sleep delay_ms, then answer normally
    "invalid_body",   # HTTP 200 with a syntactically broken body
    "oversize",       # HTTP 200 with a valid body padded to size_mb MiB
)

_SHORTHAND = {"delay_ms": ("delay", "delay_ms", int), "oversize": ("oversize", "size_mb", float)}


class FaultRule:
    def __init__(self, fault, *, service=None, operation=None, times=1, account=None, region=None,
                 code=None, status=None, message=None, delay_ms=None, size_mb=None):
        name, _, arg = str(fault).partition(":")
        if name in _SHORTHAND and arg:
            name, attr, conv = _SHORTHAND[name]
            if attr == "delay_ms":
                delay_ms = conv(arg)
            else:
                size_mb = conv(arg)
        if name not in KINDS:
            raise ValueError("unknown fault %r (one of %s, delay_ms:N, oversize:N)" % (fault, ", ".join(KINDS)))
        if name == "delay" and delay_ms is None:
            raise ValueError("fault 'delay' needs delay_ms")
        self.fault = name
        self.service = service
        self.operation = operation
        self.times = int(times)
        self.account = account
        self.region = region
        self.code = code
        self.status = int(status) if status is not None else None
        self.message = message
        self.delay_ms = delay_ms
        self.size_mb = size_mb if size_mb is not None else 8.0
        self.hits = 0

    @classmethod
    def from_dict(cls, d):
        d = dict(d)
        return cls(d.pop("fault"), **d)

    def to_dict(self):
        return {k: v for k, v in vars(self).items() if v is not None}

    def matches(self, service, operation, account, region):
        def ok(pattern, value):
            return pattern in (None, "*") or fnmatch.fnmatchcase(str(value or ""), pattern)
        return (ok(self.service, service) and ok(self.operation, operation)
                and ok(self.account, account) and ok(self.region, region))


class FaultTable:
    """Ordered rules; the first live rule that matches a request applies to it."""

    def __init__(self, rules=()):
        self._lock = threading.Lock()
        self._rules = []
        for r in rules:
            self.add(r)

    def add(self, rule):
        if isinstance(rule, dict):
            rule = FaultRule.from_dict(rule)
        if rule.times == 0:
            return rule
        with self._lock:
            self._rules.append(rule)
        return rule

    def clear(self):
        with self._lock:
            self._rules.clear()

    def rules(self):
        with self._lock:
            return [r.to_dict() for r in self._rules]

    def take(self, service, operation, account, region):
        """The rule to apply to this request (consuming one of its times), or None."""
        with self._lock:
            for rule in self._rules:
                if rule.matches(service, operation, account, region):
                    rule.hits += 1
                    if rule.times > 0:
                        rule.times -= 1
                        if rule.times == 0:
                            self._rules.remove(rule)
                    return rule
        return None
