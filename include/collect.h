/* collect.h — all of the audit's AWS reads: one account's snapshot.
 *
 * Requests that do not depend on each other run concurrently: trails, then
 * every trail's status, selectors and metric filters at once, then the
 * alarms of every qualifying filter, then the subscriptions of every topic
 * those alarms notify. Permanent errors (AccessDenied, a vanished resource)
 * are recorded in the snapshot for the judge; a transient one (throttling
 * that outlived the retries, 5xx, network, the deadline, expired credentials)
 * aborts the collection: no snapshot, no verdict. */
#ifndef TW_COLLECT_H
#define TW_COLLECT_H

#include "facts.h"
#include "params.h"

struct tw_aws;
struct tw_creds;

/* Caps on what one audit follows (pages per listing, topics). */
#define TW_COLLECT_MAX_PAGES 1000
#define TW_COLLECT_MAX_TRAILS 500
#define TW_COLLECT_MAX_TOPICS 100

/* Builds the snapshot of `account_id` as seen from `region` with `creds`.
 * TW_OK: *out is filled (release with tw_facts_cleanup). Otherwise *out is
 * empty and `err` describes the failed call (err->transient set). */
int tw_collect_account(struct tw_facts *out, struct tw_aws *aws, const struct tw_creds *creds,
                       const char *region, const char *account_id,
                       const struct tw_params *params, struct tw_err *err);

#endif
