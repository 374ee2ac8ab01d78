/* handler.c — one invocation: event -> collect -> judge -> report. */
#include "handler.h"

#include "arn.h"
#include "awsproto.h"
#include "collect.h"
#include "event.h"
#include "facts.h"
#include "judge.h"
#include "log.h"
#include "params.h"
#include "report.h"
#include "timeutil.h"
#include "verdict.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The session name Config's RDK uses; shows in the member's CloudTrail. */
#define TW_ROLE_SESSION_NAME "configLambdaExecution"
#define TW_ROLE_SESSION_SECONDS 900
/* PutEvaluations: FailedEvaluations are sent again this many times. */
#define TW_PUT_EVALUATIONS_TRIES 3

void tw_app_init(struct tw_app *app, struct tw_transport transport, const struct tw_env *env)
{
    memset(app, 0, sizeof(*app));
    app->transport = transport;
    app->env = env;
    tw_creds_cache_init(&app->role_cache);
}

void tw_app_cleanup(struct tw_app *app)
{
    if (!app)
        return;
    tw_creds_cache_cleanup(&app->role_cache);
}

void tw_outcome_init(struct tw_outcome *out)
{
    memset(out, 0, sizeof(*out));
    tw_buf_init(&out->response, 6u * 1024u * 1024u);
    tw_buf_init(&out->text, 64u * 1024u);
}

void tw_outcome_cleanup(struct tw_outcome *out)
{
    if (!out)
        return;
    tw_buf_cleanup(&out->response);
    tw_buf_cleanup(&out->text);
}

void tw_outcome_fail(struct tw_outcome *out, const char *error_type, const struct tw_err *err)
{
    out->ok = 0;
    tw_strlcpy(out->error_type, error_type, sizeof(out->error_type));
    if (err && err != &out->err)
        out->err = *err;
    tw_buf_reset(&out->response);
    tw_buf_reset(&out->text);
}

/* Everything one invocation holds; released in one place. */
struct s_invocation {
    struct tw_app *app;
    struct tw_event ev;
    struct tw_params params;
    struct tw_aws aws;
    struct tw_profile *profile;
    struct tw_creds base_creds;       /* the function's own */
    const struct tw_creds *creds;     /* what signs: base or assumed */
    char region[TW_REGION_MAX];
    char partition[16];
    struct tw_facts facts;
    struct tw_verdict verdict;
    struct tw_evaluation eval;
    struct tw_delivery delivery;
    int64_t started_ms;               /* monotonic */
};

static const char *s_event_error_type(int rc)
{
    switch (rc) {
    case TW_EUNSUPPORTED:
        return "Event.Unsupported";
    case TW_ENOMEM:
        return "Runtime.OutOfMemory";
    default:
        return "Event.Invalid";
    }
}

/* The error type for a failed AWS call: transient ones tell Config to retry. */
static const char *s_aws_error_type(const struct tw_err *err)
{
    if (err->deadline)
        return "Invocation.DeadlineExceeded";
    if (err->http_status == 0 && !err->aws_code[0])
        return err->transient ? "AWS.Unreachable" : "AWS.RequestFailed";
    if (err->aws_code[0] && tw_aws_error_is_throttling(err->aws_code))
        return "AWS.Throttled";
    /* Expired, unknown or mis-signed credentials: nothing about the account. */
    if (err->aws_code[0] && tw_aws_error_is_bad_credentials(err->aws_code))
        return "AWS.CredentialsRejected";
    if (err->aws_code[0] && tw_aws_error_is_access_denied(err->aws_code))
        return "AWS.AccessDenied";
    return err->transient ? "AWS.Unavailable" : "AWS.Error";
}

/* rc is the call's: an answer over the size cap (TW_ETOOBIG) is not one AWS
 * sends, like a malformed one. */
static void s_fail_aws(struct tw_outcome *out, int rc, const struct tw_err *err, const char *what)
{
    struct tw_err e = *err;

    if (e.service[0] && e.aws_code[0])
        tw_err_prefix(&e, "%s: %s %s failed (%s)", what, e.service, e.operation, e.aws_code);
    else if (e.service[0])
        tw_err_prefix(&e, "%s: %s %s failed", what, e.service, e.operation);
    else
        tw_err_prefix(&e, "%s", what);
    tw_outcome_fail(out, rc == TW_ETOOBIG ? "AWS.InvalidResponse" : s_aws_error_type(err), &e);
}

static int s_pick_region(struct s_invocation *inv, struct tw_err *err)
{
    const char *partition;

    /* AWS_REGION, AWS_DEFAULT_REGION, then the profile's region. */
    if (tw_endpoint_region(inv->region, inv->app->env, inv->profile, err) != TW_OK) {
        if (!inv->ev.region || !tw_endpoint_region_valid(inv->ev.region))
            return TW_ERR;
        /* An EventBridge event names its region. */
        tw_strlcpy(inv->region, inv->ev.region, sizeof(inv->region));
    }
    partition = tw_endpoint_partition(inv->region);
    if (!partition) {
        tw_err_set(err, "region %s is in a partition trailwatch does not support", inv->region);
        return TW_EPARSE;
    }
    tw_strlcpy(inv->partition, partition, sizeof(inv->partition));
    return TW_OK;
}

/* With ExecutionRoleName, every call is signed by that role in the
 * evaluated account; the credentials are cached until shortly before they
 * expire (PROTOCOLS.md §2.4). */
static int s_assume_role(struct s_invocation *inv, struct tw_outcome *out)
{
    struct tw_buf role_arn;
    struct tw_aws_call call;
    struct tw_creds assumed;
    const struct tw_creds *cached;
    char account_role[160];
    const char *exec_arn;
    int rc = TW_ERR, call_rc;

    memset(&assumed, 0, sizeof(assumed));
    tw_buf_init(&role_arn, 2048);
    tw_aws_call_init(&call, TW_SVC_STS, inv->region, "AssumeRole");
    /* The role lives in the evaluated account (accountId), whatever
     * account Config's own executionRoleArn names. */
    snprintf(account_role, sizeof(account_role), "arn:%s:iam::%s:role/trailwatch", inv->partition,
             inv->ev.account_id);
    exec_arn = account_role;
    if (tw_creds_role_arn(&role_arn, exec_arn, inv->params.execution_role_name, &out->err) !=
        TW_OK) {
        tw_outcome_fail(out, "RuleParameters.Invalid", NULL);
        goto out;
    }
    cached = tw_creds_cache_get(&inv->app->role_cache, tw_buf_cstr(&role_arn),
                                (time_t)(inv->aws.now_ms() / 1000));
    if (cached) {
        inv->creds = cached;
        rc = TW_OK;
        goto out;
    }
    if (tw_proto_assume_role_request(&call.body, tw_buf_cstr(&role_arn), TW_ROLE_SESSION_NAME,
                                     TW_ROLE_SESSION_SECONDS, &out->err) != TW_OK) {
        tw_outcome_fail(out, "Runtime.RequestFailed", NULL);
        goto out;
    }
    call.creds = &inv->base_creds;
    if ((call_rc = tw_aws_run1(&inv->aws, &call, &out->err)) != TW_OK) {
        s_fail_aws(out, call_rc, &call.err, "assuming the execution role");
        goto out;
    }
    if (tw_proto_parse_assume_role(&assumed, tw_buf_span(&call.response), &out->err) != TW_OK ||
        tw_creds_cache_put(&inv->app->role_cache, tw_buf_cstr(&role_arn), &assumed,
                           &out->err) != TW_OK) {
        tw_err_prefix(&out->err, "sts AssumeRole answer");
        tw_outcome_fail(out, "AWS.InvalidResponse", NULL);
        goto out;
    }
    inv->creds = tw_creds_cache_get(&inv->app->role_cache, tw_buf_cstr(&role_arn),
                                    (time_t)(inv->aws.now_ms() / 1000));
    if (!inv->creds) {
        tw_err_set(&out->err, "the assumed role's credentials expire too soon to be used");
        tw_outcome_fail(out, "AWS.InvalidResponse", NULL);
        goto out;
    }
    tw_log_kv(TW_LOG_INFO, "assumed role", "roleArn", tw_buf_cstr(&role_arn), NULL);
    rc = TW_OK;
out:
    tw_creds_cleanup(&assumed);
    tw_aws_call_cleanup(&call);
    tw_buf_cleanup(&role_arn);
    return rc;
}

static int s_ensure_creds(struct s_invocation *inv, struct tw_outcome *out);

/* Sends the evaluations where the trigger wants them. */
static int s_deliver(struct s_invocation *inv, struct tw_outcome *out)
{
    struct tw_delivery *d = &inv->delivery;
    const char *rule = tw_env_get(inv->app->env, "TRAILWATCH_CONFIG_RULE_NAME");
    struct tw_aws_call call;
    int rc = TW_ERR;

    memset(d, 0, sizeof(*d));
    d->test_mode = inv->ev.test_mode;
    if (tw_event_is_config(&inv->ev)) {
        d->target = "PutEvaluations";
    } else if (rule) {
        d->target = "PutExternalEvaluation";
    } else {
        d->target = "none";
        d->reason = "EventBridge events carry no result token and "
                    "TRAILWATCH_CONFIG_RULE_NAME is not set";
        return TW_OK;
    }
    if (inv->app->dry_run) {
        d->reason = "dry run";
        return TW_OK;
    }
    if (s_ensure_creds(inv, out) != TW_OK)
        return TW_ERR;
    tw_aws_call_init(&call, TW_SVC_CONFIG, inv->region, d->target);
    call.creds = inv->creds;
    for (int attempt = 0; attempt < TW_PUT_EVALUATIONS_TRIES; attempt++) {
        size_t failed = 0;

        tw_buf_reset(&call.body);
        if (tw_event_is_config(&inv->ev)) {
            call.target = TW_TARGET_PUT_EVALUATIONS;
            rc = tw_proto_put_evaluations_request(&call.body, &inv->eval, 1,
                                                  inv->ev.result_token, inv->ev.test_mode,
                                                  &out->err);
        } else {
            call.target = TW_TARGET_PUT_EXTERNAL_EVALUATION;
            rc = tw_proto_put_external_evaluation_request(&call.body, rule, &inv->eval,
                                                          &out->err);
        }
        if (rc != TW_OK) {
            tw_outcome_fail(out, "Runtime.RequestFailed", NULL);
            goto out;
        }
        if ((rc = tw_aws_run1(&inv->aws, &call, &out->err)) != TW_OK) {
            s_fail_aws(out, rc, &call.err, "reporting the verdict");
            rc = TW_ERR;
            goto out;
        }
        if (!tw_event_is_config(&inv->ev)) {
            d->sent = 1;
            goto out;
        }
        if (tw_proto_parse_put_evaluations(&failed, NULL, NULL, 0, tw_buf_span(&call.response),
                                           &out->err) !=
            TW_OK) {
            tw_err_prefix(&out->err, "config PutEvaluations answer");
            tw_outcome_fail(out, "AWS.InvalidResponse", NULL);
            rc = TW_ERR;
            goto out;
        }
        if (failed == 0) {
            d->sent = 1;
            goto out;
        }
        tw_log(TW_LOG_WARN, "PutEvaluations reported %zu failed evaluation(s); sending again",
               failed);
    }
    tw_err_set(&out->err, "Config kept rejecting the evaluation (FailedEvaluations) after %d tries",
               TW_PUT_EVALUATIONS_TRIES);
    tw_outcome_fail(out, "AWS.EvaluationsFailed", NULL);
    rc = TW_ERR;
out:
    tw_aws_call_cleanup(&call);
    return rc;
}

static void s_log_verdict(const struct s_invocation *inv)
{
    const struct tw_verdict *v = &inv->verdict;

    for (int k = 0; k < TW_LINK_COUNT; k++) {
        const struct tw_link *l = &v->links[k];
        if (l->state == TW_LINK_UNCHECKED)
            continue;
        tw_log_kv(TW_LOG_DEBUG, "evidence", "link", tw_link_kind_name((enum tw_link_kind)k),
                  "state", l->state == TW_LINK_PROVEN ? "proven" : "broken", "name", l->name,
                  "detail", l->detail, NULL);
    }
    tw_log_kv(TW_LOG_INFO, "verdict", "complianceType", tw_compliance_name(v->compliance),
              "annotation", v->annotation, "reason", v->reason, NULL);
}

/* Credentials are read only when a call is about to be made, so a dry run
 * that needs no AWS call needs no credentials. Lambda's rotate: read anew on
 * every invocation. */
static int s_ensure_creds(struct s_invocation *inv, struct tw_outcome *out)
{
    if (inv->creds)
        return TW_OK;
    if (tw_creds_resolve(&inv->base_creds, inv->app->env, &out->err) != TW_OK) {
        tw_outcome_fail(out, "Credentials.Missing", NULL);
        return TW_ERR;
    }
    inv->aws.creds = &inv->base_creds;
    inv->creds = &inv->base_creds;
    if (inv->params.execution_role_name[0]) {
        /* Fail closed: with an execution role, only the assumed role may
         * sign the audit's calls — never the function's own credentials,
         * which would read another account. */
        inv->creds = NULL;
        if (s_assume_role(inv, out) != TW_OK)
            return TW_ERR;
        if (!inv->creds) {
            tw_err_set(&out->err, "no credentials after AssumeRole (a bug in trailwatch)");
            tw_outcome_fail(out, "Audit.Failed", NULL);
            return TW_ERR;
        }
    }
    inv->aws.creds = inv->creds;
    return TW_OK;
}

/* One embedded-metric-format line per verdict: CloudWatch turns it into
 * the Compliant and AuditDurationMs metrics without an API call. */
static void s_emit_metrics(const struct s_invocation *inv)
{
    const char *rule = inv->ev.config_rule_name;
    struct tw_buf line;

    if (!rule)
        rule = tw_env_get(inv->app->env, "TRAILWATCH_CONFIG_RULE_NAME");
    tw_buf_init(&line, 4096);
    if (tw_report_emf(&line, rule, &inv->verdict, tw_time_mono_ms() - inv->started_ms,
                      tw_time_now_ms()) == TW_OK)
        tw_log_raw(tw_buf_cstr(&line));
    tw_buf_cleanup(&line);
}

static void s_run(struct s_invocation *inv, struct tw_outcome *out, int64_t deadline_ms)
{
    int rc;

    if (tw_params_parse(&inv->params, inv->ev.rule_parameters, &out->err) != TW_OK) {
        tw_outcome_fail(out, "RuleParameters.Invalid", NULL);
        return;
    }
    if (tw_profile_load(&inv->profile, inv->app->env, &out->err) != TW_OK) {
        tw_outcome_fail(out, "Config.Invalid", NULL);
        return;
    }
    if (s_pick_region(inv, &out->err) != TW_OK) {
        tw_outcome_fail(out, "Config.NoRegion", NULL);
        return;
    }
    tw_aws_init(&inv->aws, inv->app->transport, inv->app->env, inv->profile);
    inv->aws.deadline_ms = deadline_ms;

    if (inv->ev.left_scope) {
        inv->verdict.compliance = TW_NOT_APPLICABLE;
        tw_strlcpy(inv->verdict.annotation, "the account is no longer in the rule's scope",
                   sizeof(inv->verdict.annotation));
        tw_strlcpy(inv->verdict.reason, inv->verdict.annotation, sizeof(inv->verdict.reason));
    } else {
        if (s_ensure_creds(inv, out) != TW_OK)
            return;
        rc = tw_collect_account(&inv->facts, &inv->aws, inv->creds, inv->region,
                                inv->ev.account_id, &inv->params, &out->err);
        if (rc != TW_OK) {
            if (rc == TW_EPARSE && out->err.service[0]) {
                tw_err_prefix(&out->err, "reading the account: %s %s answered with a body that "
                              "is not what AWS sends", out->err.service, out->err.operation);
                tw_outcome_fail(out, "AWS.InvalidResponse", NULL);
            } else if (out->err.service[0])
                s_fail_aws(out, rc, &out->err, "reading the account");
            else
                tw_outcome_fail(out, rc == TW_ETIMEOUT ? "Invocation.DeadlineExceeded"
                                                       : "Audit.Failed",
                                NULL);
            return;
        }
        if (tw_judge_account(&inv->verdict, &inv->facts, &inv->params, &out->err) != TW_OK) {
            tw_outcome_fail(out, "Audit.Failed", NULL);
            return;
        }
    }
    s_log_verdict(inv);
    tw_report_evaluation(&inv->eval, &inv->verdict, &inv->ev);
    if (s_deliver(inv, out) != TW_OK)
        return;
    if (tw_report_response(&out->response, &inv->ev, &inv->verdict, &inv->eval, 1,
                           &inv->delivery, &out->err) != TW_OK ||
        tw_report_text(&out->text, &inv->ev, &inv->verdict, &inv->delivery) != TW_OK) {
        tw_outcome_fail(out, "Runtime.ResponseFailed", NULL);
        return;
    }
    s_emit_metrics(inv);
    out->ok = 1;
}

void tw_handle_invocation(struct tw_outcome *out, struct tw_span body, int64_t deadline_ms,
                          struct tw_app *app)
{
    struct s_invocation inv;
    int rc;

    memset(&inv, 0, sizeof(inv));
    inv.app = app;
    inv.started_ms = tw_time_mono_ms();
    out->ok = 0;
    tw_err_clear(&out->err);
    tw_buf_reset(&out->response);
    rc = tw_event_parse(&inv.ev, body, &out->err);
    if (rc != TW_OK) {
        tw_outcome_fail(out, s_event_error_type(rc), NULL);
        return;
    }
    tw_log_kv(TW_LOG_INFO, "invocation", "trigger", tw_trigger_name(inv.ev.trigger), "accountId",
              inv.ev.account_id, "configRuleName", inv.ev.config_rule_name, NULL);
    if (deadline_ms && tw_time_now_ms() + TW_AWS_DEADLINE_RESERVE_MS >= deadline_ms) {
        tw_err_set(&out->err, "the invocation deadline has passed before the audit could start");
        tw_outcome_fail(out, "Invocation.DeadlineExceeded", NULL);
    } else {
        s_run(&inv, out, deadline_ms);
    }
    app->last_stats = inv.aws.stats;
    tw_facts_cleanup(&inv.facts);
    tw_creds_cleanup(&inv.base_creds);
    tw_profile_free(inv.profile);
    tw_event_cleanup(&inv.ev);
}
