/* handler.c — one invocation: event -> collect -> judge -> report. */
#include "handler.h"

#include "audit.h"
#include "event.h"
#include "log.h"
#include "report.h"
#include "timeutil.h"
#include "verdict.h"

#include <string.h>

/* Leave this much of the invocation for posting the answer. */
#define TW_DEADLINE_RESERVE_MS 200

void tw_outcome_init(struct tw_outcome *out)
{
    memset(out, 0, sizeof(*out));
    tw_buf_init(&out->response, 6u * 1024u * 1024u);
}

void tw_outcome_cleanup(struct tw_outcome *out)
{
    if (!out)
        return;
    tw_buf_cleanup(&out->response);
}

void tw_outcome_fail(struct tw_outcome *out, const char *error_type, const struct tw_err *err)
{
    out->ok = 0;
    tw_strlcpy(out->error_type, error_type, sizeof(out->error_type));
    if (err && err != &out->err)
        out->err = *err;
    tw_buf_reset(&out->response);
}

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

/* Sends the evaluations where the trigger wants them. PLACEHOLDER until the
 * AWS client lands: only dry runs can deliver. */
static int s_deliver(struct tw_delivery *out, const struct tw_event *ev,
                     const struct tw_evaluation *evals, size_t n, const struct tw_handler_opts *opts,
                     struct tw_err *err)
{
    (void)evals;
    (void)n;
    memset(out, 0, sizeof(*out));
    out->target = tw_event_is_config(ev) ? "PutEvaluations" : "none";
    out->test_mode = ev->test_mode;
    if (!tw_event_is_config(ev)) {
        out->reason = "EventBridge events carry no result token";
        return TW_OK;
    }
    if (opts->dry_run) {
        out->reason = "dry run";
        return TW_OK;
    }
    tw_err_set(err, "PutEvaluations is not implemented in this build");
    return TW_EUNSUPPORTED;
}

void tw_handle_invocation(struct tw_outcome *out, struct tw_span body, int64_t deadline_ms,
                          const struct tw_handler_opts *opts)
{
    struct tw_event ev;
    struct tw_verdict verdict;
    struct tw_evaluation eval;
    struct tw_delivery delivery;
    int rc;

    out->ok = 0;
    tw_err_clear(&out->err);
    rc = tw_event_parse(&ev, body, &out->err);
    if (rc != TW_OK) {
        tw_outcome_fail(out, s_event_error_type(rc), NULL);
        return;
    }
    tw_log_kv(TW_LOG_INFO, "invocation", "trigger", tw_trigger_name(ev.trigger), "accountId",
              ev.account_id, "configRuleName", ev.config_rule_name, NULL);
    if (deadline_ms && tw_time_now_ms() + TW_DEADLINE_RESERVE_MS >= deadline_ms) {
        tw_err_set(&out->err, "the invocation deadline has passed before the audit could start");
        tw_outcome_fail(out, "Invocation.DeadlineExceeded", NULL);
        goto out;
    }

    memset(&verdict, 0, sizeof(verdict));
    if (ev.left_scope) {
        verdict.compliance = TW_NOT_APPLICABLE;
        tw_strlcpy(verdict.annotation, "the account is no longer in the rule's scope",
                   sizeof(verdict.annotation));
    } else if ((rc = tw_audit_run(&verdict, &ev, deadline_ms, &out->err)) != TW_OK) {
        tw_outcome_fail(out, rc == TW_EUNSUPPORTED ? "Audit.NotImplemented" : "Audit.Failed",
                        NULL);
        goto out;
    }

    tw_report_evaluation(&eval, &verdict, &ev);
    if ((rc = s_deliver(&delivery, &ev, &eval, 1, opts, &out->err)) != TW_OK) {
        tw_outcome_fail(out, rc == TW_EUNSUPPORTED ? "Report.NotImplemented" : "Report.Failed",
                        NULL);
        goto out;
    }
    if (tw_report_response(&out->response, &ev, &verdict, &eval, 1, &delivery, &out->err) !=
        TW_OK) {
        tw_outcome_fail(out, "Runtime.ResponseFailed", NULL);
        goto out;
    }
    tw_log_kv(TW_LOG_INFO, "verdict", "complianceType", tw_compliance_name(verdict.compliance),
              "annotation", verdict.annotation, NULL);
    out->ok = 1;
out:
    tw_event_cleanup(&ev);
}
