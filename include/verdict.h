/* verdict.h — what an audit concludes, before it becomes Config evaluations. */
#ifndef TW_VERDICT_H
#define TW_VERDICT_H

#include "tw.h"

/* Config's ComplianceType values a custom rule may send (never
 * INSUFFICIENT_DATA: Config rejects it from custom rules). */
enum tw_compliance {
    TW_COMPLIANT,
    TW_NON_COMPLIANT,
    TW_NOT_APPLICABLE,
};

/* Config allows 256 characters of annotation. */
#define TW_MAX_ANNOTATION 256

struct tw_verdict {
    enum tw_compliance compliance;
    char annotation[TW_MAX_ANNOTATION + 1];
};

const char *tw_compliance_name(enum tw_compliance c);

#endif
