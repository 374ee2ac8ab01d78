/* judge.h — the verdict, as a pure function of a snapshot and the parameters.
 *
 * No I/O, no clock, no environment: every branch is testable from a literal
 * struct tw_facts. See README "How verdicts are decided". */
#ifndef TW_JUDGE_H
#define TW_JUDGE_H

#include "facts.h"
#include "params.h"
#include "verdict.h"

/* Fills *out. Returns TW_OK, or TW_ENOMEM / TW_ERR (a bug in the filter
 * engine's self-check) with `err` set — never a guessed verdict. */
int tw_judge_account(struct tw_verdict *out, const struct tw_facts *facts,
                     const struct tw_params *params, struct tw_err *err);

/* The judge's own tests for links 1 and 2, for the collector: alarms are
 * looked up only for filters these accept, so no request is made for
 * evidence the verdict cannot use. The trail test needs its status and
 * event selectors read. A filter whose analysis fails (out of memory) is
 * accepted: the judge meets the same failure and reports it. */
int tw_judge_trail_qualifies(const struct tw_trail *t);
int tw_judge_filter_qualifies(const struct tw_metric_filter *mf, const struct tw_params *params);

#endif
