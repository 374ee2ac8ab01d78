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

#endif
