/* handler.h — one invocation, end to end: event -> collect -> judge -> report.
 *
 * The Runtime API loop and local `--event` runs both go through
 * tw_handle_invocation(); only how the outcome is delivered differs. */
#ifndef TW_HANDLER_H
#define TW_HANDLER_H

#include "tw.h"

#include <stdint.h>

struct tw_handler_opts {
    int dry_run; /* compute and return the verdict, but send nothing to Config */
};

/* Either a response document (ok) or an error report for Lambda. */
struct tw_outcome {
    int ok;
    char error_type[64];  /* "Category.Reason", e.g. "Event.Invalid" */
    struct tw_err err;    /* err.msg is the errorMessage */
    struct tw_buf response; /* ok: the JSON response document */
};

void tw_outcome_init(struct tw_outcome *out);
void tw_outcome_cleanup(struct tw_outcome *out);
/* Turns `out` into an error report. */
void tw_outcome_fail(struct tw_outcome *out, const char *error_type, const struct tw_err *err);

/* Runs one invocation. `deadline_ms` is the wall-clock time (ms since the
 * epoch) by which everything, retries included, must be over. Never fails
 * without filling `out` as an error report. */
void tw_handle_invocation(struct tw_outcome *out, struct tw_span event, int64_t deadline_ms,
                          const struct tw_handler_opts *opts);

#endif
