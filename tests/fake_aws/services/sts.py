"""STS (Query): GetCallerIdentity, AssumeRole.

Fixture: account["roles"][role_arn] = {"trusted_accounts": [...] or "*",
"max_session_duration": 3600, "external_id": optional, "session_token_length":
optional, "expire_after_s": optional (keys die early, Expiration unchanged)}.
AssumeRole mints a new key for the role's account; it signs later calls.
"""
import base64
import hashlib
import os
import secrets
import string
import time

from ..state import Key
from .base import error, parse_arn

_ALNUM = string.ascii_uppercase + string.digits


def get_caller_identity(ctx, params):
    return {"UserId": ctx.key.user_id, "Account": ctx.account_id, "Arn": ctx.key.arn}


def _denied(ctx, role_arn):
    return error("AccessDenied", "User: %s is not authorized to perform: sts:AssumeRole on resource: %s"
                 % (ctx.key.arn, role_arn), 403)


def assume_role(ctx, params):
    role_arn = params["RoleArn"]
    session = params["RoleSessionName"]
    duration = params.get("DurationSeconds", 3600)
    arn = parse_arn(role_arn)
    if arn is None or arn["service"] != "iam" or not arn["resource"].startswith("role/"):
        raise error("ValidationError", "%s is invalid" % role_arn)
    role = ((ctx.state.account(arn["account"]) or {}).get("roles") or {}).get(role_arn)
    trusted = (role or {}).get("trusted_accounts", [])
    if role is None or (trusted != "*" and ctx.account_id not in trusted):
        raise _denied(ctx, role_arn)
    if role.get("external_id") is not None and params.get("ExternalId") != role["external_id"]:
        raise _denied(ctx, role_arn)
    max_duration = 3600 if ctx.key.is_role_session else role.get("max_session_duration", 3600)
    if duration > max_duration:
        what = ("The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role "
                "chaining." if ctx.key.is_role_session else
                "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
        raise error("ValidationError", what)

    now = time.time()
    role_name = arn["resource"].rsplit("/", 1)[1]
    role_id = "AROA" + hashlib.sha1(role_arn.encode()).hexdigest()[:17].upper()
    token_len = int(role.get("session_token_length", 900))
    key = Key("ASIA" + "".join(secrets.choice(_ALNUM) for _ in range(16)),
              base64.b64encode(os.urandom(30)).decode(),
              arn["account"],
              session_token=base64.b64encode(os.urandom(token_len)).decode()[:token_len],
              arn="arn:aws:sts::%s:assumed-role/%s/%s" % (arn["account"], role_name, session),
              user_id="%s:%s" % (role_id, session),
              expires_at=now + role.get("expire_after_s", duration),
              role_arn=role_arn, session_name=session)
    ctx.state.add_key(key)
    ctx.state.record("assume_role_calls", {
        "time": now, "caller_account": ctx.account_id, "caller_arn": ctx.key.arn, "region": ctx.region,
        "role_arn": role_arn, "role_session_name": session, "duration_seconds": duration,
        "external_id": params.get("ExternalId"), "access_key_id": key.key_id, "request_id": ctx.request_id,
    })
    return {
        "Credentials": {"AccessKeyId": key.key_id, "SecretAccessKey": key.secret,
                        "SessionToken": key.session_token, "Expiration": now + duration},
        "AssumedRoleUser": {"AssumedRoleId": key.user_id, "Arn": key.arn},
        "PackedPolicySize": 0 if params.get("Policy") else None,
    }


OPERATIONS = {"GetCallerIdentity": get_caller_identity, "AssumeRole": assume_role}
RESOURCES = {"AssumeRole": lambda ctx, p: p.get("RoleArn")}
NO_AUTHZ = {"GetCallerIdentity"}      # needs no permission, cannot be denied
