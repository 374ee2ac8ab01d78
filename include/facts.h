/* facts.h — the snapshot of one account that the collectors build and the
 * judge reads. Plain data, owned by the struct tw_facts that holds it.
 *
 * Data flows one way: event -> collect (all AWS I/O, fills tw_facts) ->
 * judge (pure: tw_facts + tw_params -> tw_verdict) -> report.
 *
 * Absent optional fields are NULL (strings) or carry a have_ flag; a zero
 * never stands for "unknown". Every read that could fail has a struct
 * tw_read saying whether it succeeded; transient failures never reach a
 * snapshot (the collectors turn them into an invocation error instead). */
#ifndef TW_FACTS_H
#define TW_FACTS_H

#include "tw.h"

#include <stddef.h>
#include <stdint.h>

/* The outcome of one read. */
enum tw_read_state {
    TW_READ_NOT_ATTEMPTED = 0, /* not needed, or impossible (see `message`) */
    TW_READ_OK,
    TW_READ_DENIED,    /* AccessDenied & co: permanent */
    TW_READ_NOT_FOUND, /* the resource no longer exists: permanent */
    TW_READ_FAILED,    /* another permanent error (invalid parameter, ...) */
};

struct tw_read {
    enum tw_read_state state;
    char action[64];   /* IAM action, e.g. "cloudtrail:GetTrailStatus" */
    char code[96];     /* AWS error code when not OK */
    char message[256]; /* AWS message, or why it was not attempted */
};

/* ---- CloudTrail ------------------------------------------------------------ */

enum tw_read_write { TW_RW_ALL = 0, TW_RW_READ_ONLY, TW_RW_WRITE_ONLY };

struct tw_basic_selector {
    enum tw_read_write read_write_type;    /* absent => All */
    int include_management_events;         /* absent => 1 */
    char **exclude_management_sources;     /* ExcludeManagementEventSources */
    size_t n_exclude_management_sources;
};

/* One of an advanced selector's FieldSelectors; lists may be empty. */
struct tw_field_selector {
    char *field; /* "eventCategory", "readOnly", "eventSource", ... */
    char **equals, **starts_with, **ends_with;
    char **not_equals, **not_starts_with, **not_ends_with;
    size_t n_equals, n_starts_with, n_ends_with;
    size_t n_not_equals, n_not_starts_with, n_not_ends_with;
};

struct tw_advanced_selector {
    char *name; /* may be NULL */
    struct tw_field_selector *fields;
    size_t n_fields;
};

/* One transformation of a metric filter (CloudWatch Logs allows exactly one). */
struct tw_dimension {
    char *name;
    char *value; /* alarms: the value; metric filters: the "$.field" it comes from */
};

struct tw_metric_filter {
    char *name;
    char *pattern;           /* "" is a valid, match-everything pattern */
    char *metric_name;
    char *metric_namespace;
    char *metric_value;      /* "1", "$.x", ... */
    int have_default_value;
    double default_value;
    struct tw_dimension *dimensions; /* metricTransformations[0].dimensions */
    size_t n_dimensions;
};

struct tw_trail {
    char *name;
    char *arn;
    char *home_region;
    char *owner_account;      /* from the ARN */
    int is_multi_region;
    int is_organization_trail;
    int has_custom_event_selectors;
    char *log_group_arn;      /* CloudWatchLogsLogGroupArn; NULL when not delivering */

    /* GetTrailStatus, asked in the home region by ARN. */
    struct tw_read status_read;
    int is_logging;
    char *latest_cwl_delivery_error;   /* NULL when none */
    int64_t latest_cwl_delivery_ms;    /* 0 when never delivered */

    /* GetEventSelectors: basic or advanced, never both. */
    struct tw_read selectors_read;
    struct tw_basic_selector *basic;
    size_t n_basic;
    struct tw_advanced_selector *advanced;
    size_t n_advanced;

    /* DescribeMetricFilters on the log group, all pages, in its region. */
    struct tw_read filters_read;
    struct tw_metric_filter *filters;
    size_t n_filters;
};

/* ---- CloudWatch ------------------------------------------------------------ */

/* A Metrics[] item of a metric-math alarm. */
struct tw_metric_query {
    char *id;
    int have_metric_stat;
    char *stat_namespace;     /* MetricStat.Metric.Namespace */
    char *stat_metric_name;   /* MetricStat.Metric.MetricName */
    struct tw_dimension *stat_dimensions;
    size_t n_stat_dimensions;
    char *expression;         /* NULL for a MetricStat item */
    int have_return_data;
    int return_data;
};

struct tw_alarm {
    char *name;
    char *arn;
    int actions_enabled;
    char **alarm_actions;
    size_t n_alarm_actions;
    char *state_value;        /* OK, ALARM, INSUFFICIENT_DATA */
    /* A single-metric alarm: set; a metric-math alarm: NULL and metrics[] set. */
    char *metric_name;
    char *namespace_;
    struct tw_dimension *dimensions;
    size_t n_dimensions;
    struct tw_metric_query *metrics;
    size_t n_metrics;
    char *statistic;
    char *comparison_operator;
    int have_threshold;
    double threshold;
    int have_evaluation_periods;
    int evaluation_periods;
    int have_datapoints_to_alarm;
    int datapoints_to_alarm;
    char *treat_missing_data;
};

/* DescribeAlarmsForMetric for one metric (name, namespace, dimensions). */
struct tw_alarm_lookup {
    char *region;
    char *metric_name;
    char *metric_namespace;
    struct tw_dimension *dimensions; /* as the filter emits them */
    size_t n_dimensions;
    struct tw_read read;             /* cloudwatch:DescribeAlarmsForMetric */
    struct tw_alarm *alarms;
    size_t n_alarms;
};

/* DescribeAlarms, all pages, read only when metric-math alarms must be
 * considered (no single-metric alarm qualified in that region). */
struct tw_region_alarms {
    char *region;
    struct tw_read read;             /* cloudwatch:DescribeAlarms */
    struct tw_alarm *alarms;         /* only alarms with metrics[] are kept */
    size_t n_alarms;
};

/* ---- SNS --------------------------------------------------------------------- */

#define TW_SNS_PENDING "PendingConfirmation"

struct tw_subscription {
    char *arn;      /* "PendingConfirmation" while unconfirmed */
    char *protocol;
    char *endpoint; /* may be NULL */
};

struct tw_topic {
    char *arn;
    struct tw_read read; /* sns:ListSubscriptionsByTopic, all pages */
    struct tw_subscription *subscriptions;
    size_t n_subscriptions;
};

/* ---- the snapshot ----------------------------------------------------------- */

struct tw_facts {
    char *account_id;  /* the evaluated account */
    char *region;      /* where DescribeTrails was asked */
    char *partition;   /* "aws", "aws-cn", "aws-us-gov" */

    struct tw_read trails_read; /* cloudtrail:DescribeTrails */
    struct tw_trail *trails;
    size_t n_trails;

    struct tw_alarm_lookup *alarm_lookups;
    size_t n_alarm_lookups;
    struct tw_region_alarms *region_alarms;
    size_t n_region_alarms;
    struct tw_topic *topics;
    size_t n_topics;
};

/* Frees everything a snapshot holds and zeroes it. NULL-safe. */
void tw_facts_cleanup(struct tw_facts *facts);
void tw_trail_cleanup(struct tw_trail *trail);
void tw_alarm_cleanup(struct tw_alarm *alarm);
void tw_metric_filter_cleanup(struct tw_metric_filter *filter);

/* Lookups by identity (NULL when the snapshot has none). */
const struct tw_alarm_lookup *tw_facts_find_alarm_lookup(const struct tw_facts *facts,
                                                         const char *region,
                                                         const char *metric_name,
                                                         const char *metric_namespace);
const struct tw_region_alarms *tw_facts_find_region_alarms(const struct tw_facts *facts,
                                                           const char *region);
const struct tw_topic *tw_facts_find_topic(const struct tw_facts *facts, const char *arn);

/* Sets a read's state and text (truncating). */
void tw_read_set(struct tw_read *read, enum tw_read_state state, const char *action,
                 const char *code, const char *message);

#endif
