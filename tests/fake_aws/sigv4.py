"""SigV4 verification with botocore's signer, independent of trailwatch's.

For every request we rebuild a botocore AWSRequest from what arrived on the
wire (method, Host header, path, the signed headers' values as received, the
exact body bytes), compute the canonical request, string to sign and
signature with botocore.auth.SigV4Auth using the request's own X-Amz-Date,
and compare.  The headers signed are exactly those the client lists in
SignedHeaders, as AWS does (botocore's own signer would drop user-agent).
"""
import hashlib
import hmac
import re
import time

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.compat import HTTPHeaders
from botocore.credentials import Credentials

from . import timeutil
from .errors import generic

SKEW_SECONDS = 15 * 60
_ALGORITHM = "AWS4-HMAC-SHA256"
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


class AuthResult:
    """Who signed a request, and for which scope."""

    def __init__(self, key_id, key, region, service_name, date):
        self.key_id = key_id
        self.key = key                # state.Key
        self.region = region
        self.service_name = service_name
        self.date = date


class Authorization:
    """The parsed Authorization header."""

    def __init__(self, key_id, date, region, service, terminator, signed_headers, signature):
        self.key_id = key_id
        self.date = date
        self.region = region
        self.service = service
        self.terminator = terminator
        self.signed_headers = signed_headers
        self.signature = signature


def parse_authorization(value):
    """Authorization header -> Authorization, or raise ValueError(message)."""
    algorithm, _, rest = value.strip().partition(" ")
    if algorithm != _ALGORITHM:
        raise ValueError("Unsupported AWS 'algorithm': '%s'" % algorithm)
    fields = {}
    for part in rest.split(","):
        part = part.strip()
        if not part:
            continue
        name, eq, val = part.partition("=")
        if not eq:
            raise ValueError("'%s' not a valid key=value pair (missing equal-sign) in Authorization header: '%s'."
                             % (part, value))
        fields[name.strip()] = val.strip()
    missing = [n for n in ("Credential", "SignedHeaders", "Signature") if n not in fields]
    if missing:
        raise ValueError(" ".join("Authorization header requires '%s' parameter." % n for n in missing)
                         + " Authorization=%s" % value)
    scope = fields["Credential"].split("/")
    if len(scope) != 5:
        raise ValueError("Credential should be scoped to a valid region, not '%s'. " % fields["Credential"])
    return Authorization(scope[0], scope[1], scope[2], scope[3], scope[4],
                         fields["SignedHeaders"], fields["Signature"])


class _ServerSigner(SigV4Auth):
    """SigV4Auth whose signed header set is the one the client declared."""

    def __init__(self, credentials, service_name, region_name, signed_names):
        super().__init__(credentials, service_name, region_name)
        self._signed_names = signed_names

    def headers_to_sign(self, request):
        header_map = HTTPHeaders()
        for name in self._signed_names:
            for v in request.headers.get_all(name) or []:
                header_map[name] = v
        return header_map


class Verifier:
    """Checks a request's SigV4 signature against the fake's key store."""

    def __init__(self, state, *, check_clock_skew=True, require_signed_token=True):
        self.state = state
        self.check_clock_skew = check_clock_skew
        self.require_signed_token = require_signed_token

    def verify(self, service, method, scheme, path, headers, body, now=None):
        """headers: list of (name, value) in arrival order.  Returns AuthResult
        or raises AwsError (kind signature/incomplete/missing_auth/unknown_key/expired_token)."""
        if now is None:
            now = time.time()
        hdr = HTTPHeaders()
        for name, value in headers:
            hdr[name] = value
        auth_value = hdr.get("Authorization")
        if not auth_value:
            raise generic("missing_auth", service)
        try:
            auth = parse_authorization(auth_value)
        except ValueError as exc:
            raise generic("incomplete", service, str(exc))

        if auth.terminator != "aws4_request":
            raise generic("signature", service, "Credential should be scoped with a valid terminator: "
                                                "'aws4_request', not '%s'. " % auth.terminator)
        if auth.service != service.signing_name:
            raise generic("signature", service, "Credential should be scoped to correct service: '%s'. "
                                                % service.signing_name)
        amz_date = hdr.get("X-Amz-Date")
        if amz_date is None:
            raise generic("incomplete", service, "Authorization header requires existence of either a "
                                                 "'X-Amz-Date' or a 'Date' header. Authorization=%s" % auth_value)
        signed_at = timeutil.parse_amz_date(amz_date)
        if signed_at is None:
            raise generic("incomplete", service, "Date must be in ISO-8601 'basic format'. Got '%s'. See "
                                                 "http://en.wikipedia.org/wiki/ISO_8601" % amz_date)
        if auth.date != amz_date[:8]:
            raise generic("signature", service, "Date in Credential scope does not match YYYYMMDD from "
                          "ISO-8601 version of date from HTTP: '%s' != '%s', from '%s'."
                          % (auth.date, amz_date[:8], amz_date))

        key = self.state.find_key(auth.key_id)
        token = hdr.get("X-Amz-Security-Token")
        if key is None or (key.session_token or None) != (token or None):
            raise generic("unknown_key", service)
        if key.is_expired(now):
            raise generic("expired_token", service)

        signed_names = auth.signed_headers.split(";")
        if "host" not in signed_names:
            raise generic("signature", service, "'Host' or ':authority' must be a 'SignedHeader' in the "
                                                "AWS Authorization.")
        if "x-amz-date" not in signed_names:
            raise generic("signature", service, "'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization.")
        if token and self.require_signed_token and "x-amz-security-token" not in signed_names:
            raise generic("signature", service, "fake: X-Amz-Security-Token was sent but not signed "
                                                "(trailwatch signs it, PROTOCOLS.md 6).")
        for name in signed_names:
            if name not in hdr:
                raise generic("signature", service, "fake: signed header '%s' is not in the request." % name)

        content_sha = hdr.get("X-Amz-Content-SHA256")
        if content_sha is not None and content_sha != hashlib.sha256(body).hexdigest():
            raise generic("signature", service, "fake: X-Amz-Content-SHA256 does not match the body "
                                                "(UNSIGNED-PAYLOAD is S3-only).")

        if self.check_clock_skew:
            self._check_skew(service, amz_date, signed_at, now)

        host = hdr.get("Host", "")
        request = AWSRequest(method=method, url="%s://%s%s" % (scheme, host, path), data=body)
        request.headers = hdr
        request.context["timestamp"] = amz_date
        creds = Credentials(key.key_id, key.secret, key.session_token)
        signer = _ServerSigner(creds, auth.service, auth.region, signed_names)
        canonical = signer.canonical_request(request)
        string_to_sign = signer.string_to_sign(request, canonical)
        expected = signer.signature(string_to_sign, request)
        declared = signer.signed_headers(signer.headers_to_sign(request))
        if declared != auth.signed_headers or not hmac.compare_digest(expected, auth.signature):
            raise generic("signature", service, catalog_message(canonical, string_to_sign))
        return AuthResult(auth.key_id, key, auth.region, auth.service, auth.date)

    def _check_skew(self, service, amz_date, signed_at, now):
        if signed_at < now - SKEW_SECONDS:
            raise generic("signature", service, "Signature expired: %s is now earlier than %s (%s - 15 min.)"
                          % (amz_date, timeutil.amz_date(now - SKEW_SECONDS), timeutil.amz_date(now)))
        if signed_at > now + SKEW_SECONDS:
            raise generic("signature", service, "Signature not yet current: %s is still later than %s (%s + 15 min.)"
                          % (amz_date, timeutil.amz_date(now + SKEW_SECONDS), timeutil.amz_date(now)))


def catalog_message(canonical, string_to_sign):
    """AWS's SignatureDoesNotMatch text, with the canonical forms as some services add."""
    from .catalog import _MESSAGES
    return "%s\n\nThe Canonical String for this request should have been\n'%s'\n\n" \
           "The String-to-Sign should have been\n'%s'\n" % (_MESSAGES["signature"], canonical, string_to_sign)
