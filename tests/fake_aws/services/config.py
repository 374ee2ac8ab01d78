"""AWS Config (JSON 1.1 StarlingDoveService): PutEvaluations, PutExternalEvaluation.

Every call is recorded with account and region.  Account knobs:
"valid_result_tokens": [...] (others -> InvalidResultTokenException),
"config_rules": [...] (PutExternalEvaluation names outside -> NoSuchConfigRuleException),
"fail_evaluations": {"times": N, "indexes": [..] | "all"} (FailedEvaluations to return).
"""
import time

from .base import error

_CUSTOM_RULE_TYPES = ("COMPLIANT", "NON_COMPLIANT", "NOT_APPLICABLE")


def _check_compliance(ev, where):
    if ev["ComplianceType"] not in _CUSTOM_RULE_TYPES:
        raise error("InvalidParameterValueException",
                    "The value %s for %s is not valid for a custom rule. Valid values are COMPLIANT, "
                    "NON_COMPLIANT and NOT_APPLICABLE." % (ev["ComplianceType"], where))


def _take_failures(ctx, evaluations):
    with ctx.state.lock:
        spec = ctx.account.get("fail_evaluations")
        if not spec or spec.get("times", 1) == 0:
            return []
        if spec.get("times", 1) > 0:
            spec["times"] = spec.get("times", 1) - 1
        idx = spec.get("indexes", "all")
    if idx == "all":
        idx = range(len(evaluations))
    return [evaluations[i] for i in idx if 0 <= i < len(evaluations)]


def put_evaluations(ctx, params, raw):
    evaluations = params.get("Evaluations", [])
    for i, ev in enumerate(evaluations):
        _check_compliance(ev, "evaluations.%d.member.complianceType" % (i + 1))
    valid = ctx.account.get("valid_result_tokens")
    test_mode = params.get("TestMode", False)
    if valid is not None and not test_mode and params["ResultToken"] not in valid:
        raise error("InvalidResultTokenException", "The resultToken provided is invalid")
    failed = _take_failures(ctx, evaluations)
    ctx.state.record("put_evaluations", {
        "time": time.time(), "account": ctx.account_id, "region": ctx.region, "access_key_id": ctx.key.key_id,
        "request_id": ctx.request_id, "result_token": params["ResultToken"], "test_mode": test_mode,
        "evaluations": evaluations, "body": raw, "failed": failed,
    })
    return {"FailedEvaluations": failed}


def put_external_evaluation(ctx, params, raw):
    ev = params["ExternalEvaluation"]
    _check_compliance(ev, "externalEvaluation.complianceType")
    rules = ctx.account.get("config_rules")
    if rules is not None and params["ConfigRuleName"] not in rules:
        raise error("NoSuchConfigRuleException", "The ConfigRule '%s' provided in the request is invalid. "
                    "Please check the configRule name" % params["ConfigRuleName"])
    ctx.state.record("put_external_evaluations", {
        "time": time.time(), "account": ctx.account_id, "region": ctx.region, "access_key_id": ctx.key.key_id,
        "request_id": ctx.request_id, "config_rule_name": params["ConfigRuleName"], "evaluation": ev, "body": raw,
    })
    return {}


OPERATIONS = {"PutEvaluations": put_evaluations, "PutExternalEvaluation": put_external_evaluation}
RESOURCES = {"PutExternalEvaluation": lambda ctx, p: p.get("ConfigRuleName")}
WANTS_RAW = {"PutEvaluations", "PutExternalEvaluation"}
