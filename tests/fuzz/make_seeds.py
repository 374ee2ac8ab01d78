"""Regenerates the seed corpora tests/fuzz/corpus/<target>/ from the test
fixtures (run from the repo root; idempotent):

    /usr/bin/python3 tests/fuzz/make_seeds.py

event    events/*.json, tests/events-bad/* (as is)
params   the ruleParameters of every sample event, plus hand-written cases
arn      every ARN found in the fixtures, plus hand-written cases
profile  selector byte + tests/fixtures/aws-config/credentials NUL config[...]
json     selector byte (fuzz_json.c) + tests/fixtures/wire/{cloudtrail,logs,config}/*
query    selector byte (fuzz_query.c) + tests/fixtures/wire/{cloudwatch,sns,sts}/*

The filter corpus is hand-written and left alone.
"""

import hashlib
import json
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
CORPUS = ROOT / "tests" / "fuzz" / "corpus"
WIRE = ROOT / "tests" / "fixtures" / "wire"


def put(target, name, data):
    d = CORPUS / target
    d.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    (d / name).write_bytes(data)


def events():
    for f in sorted((ROOT / "events").glob("*.json")):
        put("event", f.name, f.read_bytes())
    for f in sorted((ROOT / "tests" / "events-bad").iterdir()):
        if f.name != "expected.json":
            put("event", "bad-" + f.name, f.read_bytes())


def params():
    seen = set()
    for f in sorted((ROOT / "events").glob("*.json")) + sorted((ROOT / "tests" / "events-bad").iterdir()):
        try:
            rp = json.loads(f.read_bytes()).get("ruleParameters")
        except (ValueError, AttributeError):
            continue
        if isinstance(rp, str) and rp not in seen:
            seen.add(rp)
            put("params", "event-" + f.stem, rp)
    cases = {
        "empty-object": "{}",
        "strict-true": '{"Strict":"true"}',
        "strict-mixed-case": '{"Strict":"FaLsE"}',
        "strict-bool": '{"Strict":true}',
        "external": '{"ExternalMonitoring":"Splunk rule ct-changes \\u00e9"}',
        "external-blank": '{"ExternalMonitoring":"   "}',
        "role": '{"ExecutionRoleName":"TrailwatchAudit+=,.@_-"}',
        "role-too-long": '{"ExecutionRoleName":"%s"}' % ("R" * 65),
        "all": '{"Strict":"false","ExternalMonitoring":"x","ExecutionRoleName":"A"}',
        "duplicate": '{"Strict":"true","Strict":"false"}',
        "unknown": '{"strict":"true"}',
        "array": '["Strict"]',
        "control": '{"ExternalMonitoring":"a\\nb"}',
    }
    for k, v in cases.items():
        put("params", k, v)


ARN_RE = re.compile(rb"arn:[a-z-]+:[a-z0-9-]+:[a-z0-9-]*:[0-9a-z]*:[^\"<>\s,]+")


def arns():
    found = set()
    for f in list((ROOT / "tests" / "fixtures").rglob("*")) + list((ROOT / "events").glob("*")):
        if f.is_file():
            found.update(ARN_RE.findall(f.read_bytes()))
    for a in sorted(found)[:40]:
        put("arn", "fixture-" + hashlib.sha1(a).hexdigest()[:12], a)
    cases = {
        "role-path": b"arn:aws:iam::123456789012:role/aws-service-role/config.amazonaws.com/X\0Audit",
        "role-cn": b"arn:aws-cn:iam::123456789012:role/r\0TrailwatchAudit",
        "role-govcloud": b"arn:aws-us-gov:iam::123456789012:role/r\0" + b"R" * 64,
        "s3-no-account": b"arn:aws:s3:::bucket/key",
        "managed-policy": b"arn:aws:iam::aws:policy/ReadOnlyAccess",
        "log-group": b"arn:aws:logs:us-east-1:111122223333:log-group:CloudTrail/logs:*",
        "topic": b"arn:aws:sns:eu-west-1:111122223333:cis-alarms",
        "short": b"arn:aws:iam::1:role/x",
        "empty-resource": b"arn:aws:iam::123456789012:",
        "control": b"arn:aws:iam::123456789012:role/a\x01b",
        "not-arn": b"urn:aws:iam::123456789012:role/x",
    }
    for k, v in cases.items():
        put("arn", k, v)


def profiles():
    cfg = ROOT / "tests" / "fixtures" / "aws-config"
    cred = (cfg / "credentials").read_bytes()
    conf = (cfg / "config").read_bytes()
    conf_default = (cfg / "config-profile-default").read_bytes()
    profiles = {0: "unset", 1: "default", 2: "dev", 3: "local", 4: "spaced", 5: "Dev",
                6: "toolong", 7: "cfgonly"}
    for sel, name in profiles.items():
        put("profile", "fixtures-%s" % name, bytes([sel]) + cred + b"\0" + conf)
    put("profile", "config-profile-default", bytes([1]) + b"\0" + conf_default)
    put("profile", "no-config-file", bytes([2 | 8]) + cred)
    put("profile", "no-credentials-file", bytes([3 | 16]) + b"\0" + conf)
    put("profile", "secret-partial", bytes([1]) +
        b"[default]\naws_secret_access_key = S3cr3tSeed\n\0[default]\nregion=us-east-1\n")
    put("profile", "continuation", bytes([3]) + b"\0[profile local]\ns3 =\n  a = b\n\tc=d\n"
        b"services = x\n[services x]\nsts =\n  endpoint_url = http://h\n")


JSON_SEL = {"describe-trails": 0, "get-trail-status": 1, "get-event-selectors": 2,
            "describe-metric-filters": 3, "put-evaluations": 4, "error": 6}
QUERY_SEL = {"describe-alarms-for-metric": 1, "describe-alarms": 0,
             "list-subscriptions-by-topic": 2, "assume-role": 3, "get-caller-identity": 4,
             "error": 5}


def selector(table, stem):
    for prefix, sel in table.items():
        if stem.startswith(prefix):
            return sel
    raise SystemExit("no selector for %s" % stem)


def wire():
    for service in ("cloudtrail", "logs", "config"):
        for f in sorted((WIRE / service).iterdir()):
            sel = selector(JSON_SEL, f.stem)
            body = f.read_bytes()
            put("json", "%s-%s" % (service, f.stem), bytes([sel]) + body)
            put("json", "%s-%s-whole" % (service, f.stem), bytes([7]) + body)
            if sel == 4:
                put("json", "%s-%s-count" % (service, f.stem), bytes([5]) + body)
    for service in ("cloudwatch", "sns", "sts"):
        for f in sorted((WIRE / service).iterdir()):
            sel = selector(QUERY_SEL, f.stem)
            body = f.read_bytes()
            put("query", "%s-%s" % (service, f.stem), bytes([sel]) + body)
            put("query", "%s-%s-dom" % (service, f.stem), bytes([6]) + body)
            if sel == 0:
                put("query", "%s-%s-for-metric" % (service, f.stem), bytes([1]) + body)


if __name__ == "__main__":
    events()
    params()
    arns()
    profiles()
    wire()
    for d in sorted(CORPUS.iterdir()):
        print("%-8s %3d seeds" % (d.name, len(list(d.iterdir()))))
