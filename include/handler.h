/* handler.h — one invocation, end to end: event -> collect -> judge -> report.
 *
 * The Runtime API loop and local `--event` runs both go through
 * tw_handle_invocation(); only how the outcome is delivered differs. */
#ifndef TW_HANDLER_H
#define TW_HANDLER_H

#include "aws.h"
#include "creds.h"
#include "tw.h"

#include <stdint.h>

/* What lives as long as the process: connections, assumed-role credentials. */
struct tw_app {
    int dry_run;                      /* decide, return, log; send nothing to Config */
    struct tw_transport transport;    /* the network (tw_http in production) */
    const struct tw_env *env;         /* TW_ENV_PROCESS in production */
    struct tw_creds_cache role_cache; /* AssumeRole results, across invocations */
    struct tw_aws_stats last_stats;   /* of the last invocation */
};

void tw_app_init(struct tw_app *app, struct tw_transport transport, const struct tw_env *env);
void tw_app_cleanup(struct tw_app *app);

/* Either a response document (ok) or an error report for Lambda. */
struct tw_outcome {
    int ok;
    char error_type[64];    /* "Category.Reason", e.g. "Event.Invalid" */
    struct tw_err err;      /* err.msg is the errorMessage */
    struct tw_buf response; /* ok: the JSON response document */
    struct tw_buf text;     /* ok: the same verdict as a short report for people */
};

void tw_outcome_init(struct tw_outcome *out);
void tw_outcome_cleanup(struct tw_outcome *out);
/* Turns `out` into an error report. */
void tw_outcome_fail(struct tw_outcome *out, const char *error_type, const struct tw_err *err);

/* Runs one invocation. `deadline_ms` is the wall-clock time (ms since the
 * epoch) by which everything, retries included, must be over. Always fills
 * `out`, as a response or as an error report; never a guessed verdict. */
void tw_handle_invocation(struct tw_outcome *out, struct tw_span event, int64_t deadline_ms,
                          struct tw_app *app);

#endif
