"""The fake's world: accounts, keys, recorded calls, page sizes, tokens.

A State is built from a fixture dict (see README.md).  It is shared by all
server threads; mutations hold ``self.lock``.
"""
import base64
import copy
import fnmatch
import hashlib
import hmac
import json
import os
import threading
import time

from . import fixture_check
from .faults import FaultTable

DEFAULT_PAGE_SIZE = {
    "DescribeMetricFilters": 50,
    "DescribeAlarms": 50,
    "ListSubscriptionsByTopic": 100,
}


class Key:
    """An access key the fake accepts."""

    def __init__(self, key_id, secret, account, *, session_token=None, arn=None, user_id=None,
                 expired=False, expires_at=None, role_arn=None, session_name=None):
        self.key_id = key_id
        self.secret = secret
        self.account = account
        self.session_token = session_token
        self.arn = arn or "arn:aws:iam::%s:user/trailwatch-%s" % (account, key_id[-4:].lower())
        self.user_id = user_id or "AIDA" + hashlib.sha1(key_id.encode()).hexdigest()[:17].upper()
        self.expired = expired
        self.expires_at = expires_at
        self.role_arn = role_arn
        self.session_name = session_name

    def is_expired(self, now=None):
        if self.expired:
            return True
        return self.expires_at is not None and (now or time.time()) >= self.expires_at

    @property
    def is_role_session(self):
        return self.role_arn is not None


class FixtureError(ValueError):
    pass


class State:
    def __init__(self, fixture=None):
        fixture = copy.deepcopy(fixture or {})
        self.lock = threading.RLock()
        self.fixture = fixture
        self.accounts = fixture.get("accounts", {})
        self.page_size = dict(DEFAULT_PAGE_SIZE)
        self.page_size.update(fixture.get("page_size", {}))
        self.settings = fixture.get("settings", {})
        self.faults = FaultTable(fixture.get("faults", []))
        self.keys = {}
        for key_id, k in fixture.get("keys", {}).items():
            self.keys[key_id] = Key(key_id, k["secret"], k["account"], session_token=k.get("session_token"),
                                    arn=k.get("arn"), user_id=k.get("user_id"), expired=k.get("expired", False))
        self.put_evaluations = []
        self.put_external_evaluations = []
        self.assume_role_calls = []
        self._token_secret = os.urandom(16)
        self._validate()

    @classmethod
    def from_file(cls, path):
        with open(path, encoding="utf-8") as f:
            return cls(json.load(f))

    def _validate(self):
        for key in self.keys.values():
            if key.account not in self.accounts:
                raise FixtureError("key %s maps to unknown account %s" % (key.key_id, key.account))
        for acct_id, acct in self.accounts.items():
            for trail in acct.get("trails", []):
                if "Name" not in trail or "HomeRegion" not in trail:
                    raise FixtureError("account %s: a trail needs Name and HomeRegion" % acct_id)
                if trail.get("EventSelectors") is not None and trail.get("AdvancedEventSelectors") is not None:
                    raise FixtureError("trail %s: EventSelectors or AdvancedEventSelectors, never both"
                                       % trail["Name"])
            mgmt = acct.get("org_management_account")
            if mgmt is not None and mgmt not in self.accounts:
                raise FixtureError("account %s: org_management_account %s not in fixture" % (acct_id, mgmt))
        try:
            fixture_check.check(self.accounts)
        except ValueError as exc:
            raise FixtureError(str(exc)) from None

    # ------------------------------------------------------------------ keys

    def find_key(self, key_id):
        with self.lock:
            return self.keys.get(key_id)

    def add_key(self, key):
        with self.lock:
            self.keys[key.key_id] = key
        return key

    def account(self, account_id):
        return self.accounts.get(account_id)

    # ------------------------------------------------------------------ access control

    def is_denied(self, account_id, service, operation, region, resource):
        """True if the account's ``deny`` list covers this call.

        Entries: "Operation", "service:Operation" (globs allowed), or
        {"action": ..., "region": ..., "resource": ...}.
        """
        acct = self.accounts.get(account_id) or {}
        for entry in acct.get("deny", []):
            if isinstance(entry, str):
                entry = {"action": entry}
            action = entry.get("action", "*")
            svc_pat, sep, op_pat = action.rpartition(":")
            if sep and not fnmatch.fnmatch(service.lower(), svc_pat.lower()):
                continue
            if not fnmatch.fnmatchcase(operation, op_pat):
                continue
            if entry.get("region") and not fnmatch.fnmatchcase(region, entry["region"]):
                continue
            if entry.get("resource") and not fnmatch.fnmatchcase(resource or "", entry["resource"]):
                continue
            return True
        return False

    # ------------------------------------------------------------------ pagination

    def page_size_for(self, operation):
        return int(self.page_size.get(operation, 100))

    def _fingerprint(self, operation, account, region, params):
        blob = json.dumps([operation, account, region, params], sort_keys=True, default=str)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]

    def mint_token(self, operation, account, region, params, offset):
        payload = json.dumps({"o": offset, "f": self._fingerprint(operation, account, region, params)},
                             separators=(",", ":")).encode()
        mac = hmac.new(self._token_secret, payload, hashlib.sha256).digest()[:12]
        return base64.b64encode(mac + payload).decode()

    def read_token(self, operation, account, region, params, token):
        """Offset encoded in ``token``, or None if it is not a token we minted
        for this very operation, caller and parameter set."""
        try:
            raw = base64.b64decode(token.encode(), validate=True)
            mac, payload = raw[:12], raw[12:]
            if not hmac.compare_digest(mac, hmac.new(self._token_secret, payload, hashlib.sha256).digest()[:12]):
                return None
            data = json.loads(payload)
        except (ValueError, TypeError):
            return None
        if data.get("f") != self._fingerprint(operation, account, region, params):
            return None
        offset = data.get("o")
        return offset if isinstance(offset, int) and offset > 0 else None

    # ------------------------------------------------------------------ records

    def record(self, kind, entry):
        with self.lock:
            getattr(self, kind).append(entry)
