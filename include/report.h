/* report.h — a verdict as Config evaluations and as the response document.
 *
 * The "evaluations" array of the response document holds exactly the objects
 * sent to PutEvaluations, so what a local run prints is what Config gets. */
#ifndef TW_REPORT_H
#define TW_REPORT_H

#include "tw.h"
#include "verdict.h"

#include <stdint.h>

struct cJSON;
struct tw_event;

/* One Config evaluation: the account is the evaluated resource. */
struct tw_evaluation {
    const char *resource_type; /* "AWS::::Account" */
    const char *resource_id;   /* the account id; borrowed */
    enum tw_compliance compliance;
    char annotation[TW_MAX_ANNOTATION + 1]; /* "" means: omit */
    int64_t ordering_time_ms;
};

/* How the verdict left (or did not leave) the function. */
struct tw_delivery {
    const char *target; /* "PutEvaluations", "PutExternalEvaluation" or "none" */
    int sent;
    int test_mode;
    const char *reason; /* why not sent, or NULL */
};

void tw_report_evaluation(struct tw_evaluation *out, const struct tw_verdict *v,
                          const struct tw_event *ev);

/* The JSON object PutEvaluations expects for one evaluation. NULL on ENOMEM. */
struct cJSON *tw_report_evaluation_json(const struct tw_evaluation *e);

/* Writes the response document into `out`. */
int tw_report_response(struct tw_buf *out, const struct tw_event *ev, const struct tw_verdict *v,
                       const struct tw_evaluation *evals, size_t n_evals,
                       const struct tw_delivery *delivery, struct tw_err *err);

/* The CloudWatch embedded-metric-format line for one audit: namespace
 * "trailwatch", dimension RuleName, metrics Compliant (1/0; absent for
 * NOT_APPLICABLE) and AuditDurationMs. */
int tw_report_emf(struct tw_buf *out, const char *rule_name, const struct tw_verdict *v,
                  int64_t duration_ms, int64_t timestamp_ms);

/* A short report for people: the chain with a mark per link, the reason at
 * the first broken one, the verdict and where it went. */
int tw_report_text(struct tw_buf *out, const struct tw_event *ev, const struct tw_verdict *v,
                   const struct tw_delivery *delivery);

#endif
