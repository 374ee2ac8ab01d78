/* params.h — the rule parameters (Config's ruleParameters / InputParameters).
 *
 *   Strict              "true" | "false" (default): require the exact CIS text
 *                       of the metric filter, as Security Hub does
 *   ExternalMonitoring  free text naming the SIEM or EventBridge rule that
 *                       watches the trail instead (1-128 chars); makes the
 *                       verdict NOT_APPLICABLE and the annotation says so
 *   ExecutionRoleName   IAM role name to assume in the evaluated account
 *                       (organization rules), 1-64 chars [A-Za-z0-9+=,.@_-]
 *
 * Values are strings (Config passes every parameter as a string). An unknown
 * name or a bad value is TW_EPARSE with a message listing the accepted ones. */
#ifndef TW_PARAMS_H
#define TW_PARAMS_H

#include "tw.h"

struct cJSON;

struct tw_params {
    int strict;
    char external_monitoring[129];  /* "" when not set */
    char execution_role_name[65];   /* "" when not set */
};

/* `obj` is the parsed ruleParameters object or NULL (no parameters).
 * On failure *out is zeroed. */
int tw_params_parse(struct tw_params *out, const struct cJSON *obj, struct tw_err *err);

#endif
