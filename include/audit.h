/* audit.h — collect the account's facts and judge them.
 *
 * PLACEHOLDER until the audit issue lands: tw_audit_run() reports
 * TW_EUNSUPPORTED ("Audit.NotImplemented") and never invents a verdict. */
#ifndef TW_AUDIT_H
#define TW_AUDIT_H

#include "tw.h"

#include <stdint.h>

struct tw_event;
struct tw_verdict;

int tw_audit_run(struct tw_verdict *out, const struct tw_event *ev, int64_t deadline_ms,
                 struct tw_err *err);

#endif
