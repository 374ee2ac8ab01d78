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

/* The chain, link by link, of the trail that proved it or got furthest. */
enum tw_link_kind { TW_LINK_TRAIL, TW_LINK_FILTER, TW_LINK_ALARM, TW_LINK_TOPIC, TW_LINK_COUNT };

enum tw_link_state {
    TW_LINK_UNCHECKED = 0, /* not reached: an earlier link broke */
    TW_LINK_PROVEN,
    TW_LINK_BROKEN,
};

struct tw_link {
    enum tw_link_state state;
    char name[256];   /* trail / filter / alarm name, topic ARN */
    char detail[512]; /* proven: what was shown; broken: why, for people */
};

struct tw_verdict {
    enum tw_compliance compliance;
    char annotation[TW_MAX_ANNOTATION + 1]; /* what Config shows; <= 256 chars */
    char reason[1024];                      /* the same, unabridged, for logs and reports */
    struct tw_link links[TW_LINK_COUNT];    /* evidence for the chosen trail */
};

const char *tw_compliance_name(enum tw_compliance c);
const char *tw_link_kind_name(enum tw_link_kind k); /* "trail", "filter", ... */

#endif
