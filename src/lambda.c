/* lambda.c — the Runtime API loop. */
#include "lambda.h"

#include "event.h"
#include "log.h"
#include "runtime.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Like aws-lambda-cpp: give up after this many failed polls in a row. */
#define TW_MAX_POLL_FAILURES 3

static void s_set_trace_id(const char *trace_id)
{
    /* provided.* runtimes must set this themselves for the X-Ray SDKs. */
    if (trace_id && trace_id[0])
        setenv("_X_AMZN_TRACE_ID", trace_id, 1);
    else
        unsetenv("_X_AMZN_TRACE_ID");
}

/* Answers one invocation. Returns TW_OK, or TW_ERR when the Runtime API
 * answered 500 (or could not be reached) and the process must end. */
static int s_answer(struct tw_runtime *rt, const struct tw_invocation *inv,
                    struct tw_outcome *outcome)
{
    struct tw_err err;
    int rc;

    tw_err_clear(&err);
    if (outcome->ok) {
        rc = tw_runtime_respond(rt, inv->request_id, tw_buf_span(&outcome->response), &err);
        if (rc == TW_ETOOBIG) {
            tw_err_set(&outcome->err, "the response document (%zu bytes) exceeds Lambda's limit",
                       outcome->response.len);
            tw_outcome_fail(outcome, "Response.TooLarge", NULL);
        } else if (rc != TW_OK) {
            tw_log_kv(TW_LOG_ERROR, "posting the response failed", "error", err.msg, NULL);
            return TW_ERR;
        }
    }
    if (!outcome->ok) {
        tw_log_kv(TW_LOG_ERROR, "invocation failed", "errorType", outcome->error_type,
                  "errorMessage", outcome->err.msg, NULL);
        tw_err_clear(&err);
        rc = tw_runtime_report_error(rt, inv->request_id, outcome->error_type, outcome->err.msg,
                                     &err);
        if (rc != TW_OK) {
            tw_log_kv(TW_LOG_ERROR, "posting the error report failed", "error", err.msg, NULL);
            return TW_ERR;
        }
    }
    return TW_OK;
}

int tw_lambda_serve(const char *api, struct tw_app *app)
{
    struct tw_runtime *rt = NULL;
    struct tw_invocation inv;
    struct tw_outcome outcome;
    struct tw_err err;
    int failures = 0, status = 1;

    tw_err_clear(&err);
    tw_invocation_init(&inv);
    tw_outcome_init(&outcome);
    if (tw_runtime_new(&rt, api, &err) != TW_OK) {
        tw_log_kv(TW_LOG_FATAL, "cannot start the runtime client", "error", err.msg, NULL);
        goto out;
    }
    for (;;) {
        int rc;

        tw_err_clear(&err);
        tw_log_set_request_id(NULL);
        rc = tw_runtime_next(rt, &inv, &err);
        if (rc != TW_OK) {
            tw_log_kv(TW_LOG_ERROR, "polling for the next invocation failed", "error", err.msg,
                      NULL);
            if (rc == TW_EPARSE && inv.request_id[0]) {
                /* A bad header on an identifiable invocation: answer it. */
                tw_outcome_fail(&outcome, "Runtime.InvalidInvocation", &err);
                if (s_answer(rt, &inv, &outcome) != TW_OK)
                    goto out;
            }
            if (++failures >= TW_MAX_POLL_FAILURES)
                goto out;
            continue;
        }
        failures = 0;
        tw_log_set_request_id(inv.request_id);
        s_set_trace_id(inv.trace_id);
        tw_outcome_cleanup(&outcome);
        tw_outcome_init(&outcome);
        if (inv.event_too_big) {
            tw_err_set(&outcome.err, "the event is larger than %u bytes", (unsigned)TW_MAX_EVENT);
            tw_outcome_fail(&outcome, "Event.Invalid", NULL);
        } else {
            tw_handle_invocation(&outcome, tw_buf_span(&inv.event), inv.deadline_ms, app);
        }
        if (s_answer(rt, &inv, &outcome) != TW_OK)
            goto out;
    }
out:
    tw_outcome_cleanup(&outcome);
    tw_invocation_cleanup(&inv);
    tw_runtime_free(rt);
    return status;
}
