/* facts_builder.h — concise snapshots for judge tests.
 *
 * fb_compliant() builds an account that proves the whole chain; a test then
 * breaks one knob. Every string is copied; the snapshot owns everything and
 * is released with tw_facts_cleanup(). Allocation failure aborts (tests only).
 *
 * Pointers returned by fb_add_* point into arrays that grow with realloc: a
 * later fb_add_* of the same kind on the same parent invalidates them. */
#ifndef TW_FACTS_BUILDER_H
#define TW_FACTS_BUILDER_H

#include "facts.h"

#define FB_ACCOUNT "111111111111"
#define FB_REGION "us-east-1"
#define FB_TRAIL_NAME "main"
#define FB_LOG_GROUP_ARN "arn:aws:logs:us-east-1:111111111111:log-group:cloudtrail/main:*"
#define FB_FILTER_NAME "cis-ct"
#define FB_NS "CloudTrailMetrics"
#define FB_METRIC "CloudTrailChanges"
#define FB_ALARM_NAME "cis-ct-alarm"
#define FB_TOPIC_ARN "arn:aws:sns:us-east-1:111111111111:alerts"
#define FB_SUB_ARN "arn:aws:sns:us-east-1:111111111111:alerts:0b7a3c1e-6f2d-4a55-9c1e-2f1d0e9a8b7c"
#define FB_CIS_PATTERN                                                                        \
    "{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = "         \
    "DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging) }"

/* The compliant account described above: trail "main" (home us-east-1,
 * multi-region, logging, one basic selector All) -> log group cloudtrail/main
 * in us-east-1 -> filter "cis-ct" (CIS pattern, CloudTrailMetrics/
 * CloudTrailChanges, value "1") -> alarm "cis-ct-alarm" (Sum >= 1, one
 * period, actions enabled) in the us-east-1 lookup -> topic "alerts" with one
 * confirmed email subscriber. *f is overwritten. */
void fb_compliant(struct tw_facts *f);

/* Shortcuts into fb_compliant()'s snapshot. */
#define FB_TRAIL(f) (&(f)->trails[0])
#define FB_FILTER(f) (&(f)->trails[0].filters[0])
#define FB_LOOKUP(f) (&(f)->alarm_lookups[0])
#define FB_ALARM(f) (&(f)->alarm_lookups[0].alarms[0])
#define FB_TOPIC(f) (&(f)->topics[0])

char *fb_strdup(const char *s); /* NULL stays NULL */
void fb_set(char **dst, const char *s); /* frees the old value */
void fb_strv_add(char ***v, size_t *n, const char *s);
void fb_read(struct tw_read *r, enum tw_read_state state, const char *action, const char *code);

/* A trail named `name` owned by f->account_id, ARN
 * arn:aws:cloudtrail:<home>:<account>:trail/<name>; logging, multi-region,
 * one basic selector All, every read OK, no filters. log_group_arn may be NULL. */
struct tw_trail *fb_add_trail(struct tw_facts *f, const char *name, const char *home_region,
                              const char *log_group_arn);
/* Drops the trail's selectors (basic and advanced). */
void fb_clear_selectors(struct tw_trail *t);
struct tw_basic_selector *fb_add_basic(struct tw_trail *t, enum tw_read_write rw, int mgmt);
struct tw_advanced_selector *fb_add_advanced(struct tw_trail *t, const char *name);
struct tw_field_selector *fb_add_field(struct tw_advanced_selector *a, const char *field);
/* A field selector with one operator: op is "Equals", "StartsWith", "EndsWith",
 * "NotEquals", "NotStartsWith" or "NotEndsWith"; values end with NULL. */
struct tw_field_selector *fb_add_cond(struct tw_advanced_selector *a, const char *field,
                                      const char *op, ...);

struct tw_metric_filter *fb_add_filter(struct tw_trail *t, const char *name, const char *pattern,
                                       const char *ns, const char *metric, const char *value);
void fb_add_dimension(struct tw_dimension **d, size_t *n, const char *name, const char *value);

struct tw_alarm_lookup *fb_add_lookup(struct tw_facts *f, const char *region, const char *ns,
                                      const char *metric);
/* A single-metric alarm: Sum >= 1, EvaluationPeriods 1, actions enabled,
 * AlarmActions = { action } (none when NULL). */
struct tw_alarm *fb_add_alarm(struct tw_alarm_lookup *l, const char *name, const char *ns,
                              const char *metric, const char *action);
struct tw_region_alarms *fb_add_region_alarms(struct tw_facts *f, const char *region);
/* A metric-math alarm "e1 = m1" whose m1 is a MetricStat on ns/metric. */
struct tw_alarm *fb_add_math_alarm(struct tw_region_alarms *r, const char *name, const char *ns,
                                   const char *metric, const char *action);

struct tw_topic *fb_add_topic(struct tw_facts *f, const char *arn);
void fb_add_subscription(struct tw_topic *t, const char *arn, const char *protocol);

#endif
