/* audit.c — placeholder: see audit.h. */
#include "audit.h"

#include "verdict.h"

#include <string.h>

int tw_audit_run(struct tw_verdict *out, const struct tw_event *ev, int64_t deadline_ms,
                 struct tw_err *err)
{
    (void)ev;
    (void)deadline_ms;
    memset(out, 0, sizeof(*out));
    tw_err_set(err, "the account audit is not implemented in this build; no verdict was made");
    return TW_EUNSUPPORTED;
}
