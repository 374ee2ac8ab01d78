"""AwsError: what a handler raises to answer with an AWS error."""
from . import catalog


class AwsError(Exception):
    """An error reply.  ``code`` is the wire code (``<Code>`` / ``__type``).

    ``modeled`` marks errors from the service model (CloudTrail qualifies
    those in ``__type``); framework errors (auth, throttling) are bare.
    ``kind`` is set for generic errors (see catalog.generic).
    """

    def __init__(self, code, message, status=400, *, sender=True, modeled=True, kind=None):
        super().__init__("%s: %s" % (code, message))
        self.code = code
        self.message = message
        self.status = status
        self.sender = sender
        self.modeled = modeled
        self.kind = kind


def generic(kind, service, message=None, *, code=None, status=None):
    """AwsError for a framework-level error kind on a service."""
    c, s, default = catalog.generic(kind, service)
    code = code or c
    status = status or s
    return AwsError(code, message if message is not None else default, status,
                    sender=status < 500, modeled=False, kind=kind)
