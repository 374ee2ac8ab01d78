/* test_judge.c — the verdict, branch by branch, from hand-made snapshots.
 *
 * Each case starts from fb_compliant() (a complete chain: trail main ->
 * filter cis-ct -> alarm cis-ct-alarm -> topic alerts), breaks or changes one
 * thing, and states the ComplianceType, a substring of the annotation and the
 * first broken link of the reported chain (NONE: no link broken). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "facts_builder.h"
#include "judge.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NONE (-1)
#define OTHER_ACCOUNT "999999999999"
#define EU_LOG_GROUP_ARN "arn:aws:logs:eu-west-1:111111111111:log-group:cloudtrail/main:*"
#define LAMBDA_ARN "arn:aws:lambda:us-east-1:111111111111:function:page-oncall"
#define REORDERED_PATTERN                                                                     \
    "{ ($.eventName = StopLogging) || ($.eventName = StartLogging) || ($.eventName = "        \
    "DeleteTrail) || ($.eventName = UpdateTrail) || ($.eventName = CreateTrail) }"
#define NO_STOP_PATTERN                                                                       \
    "{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = "         \
    "DeleteTrail) || ($.eventName = StartLogging) }"

/* ---- mutations ------------------------------------------------------------------- */

static void m_none(struct tw_facts *f, struct tw_params *p)
{
    (void)f;
    (void)p;
}

static void m_shadow_compliant(struct tw_facts *f, struct tw_params *p)
{
    /* DescribeTrails lists a multi-region trail once more as a shadow. */
    struct tw_trail *t;

    (void)p;
    t = fb_add_trail(f, FB_TRAIL_NAME, FB_REGION, FB_LOG_GROUP_ARN);
    t->is_logging = 0;
}

static void m_shadow_broken(struct tw_facts *f, struct tw_params *p)
{
    (void)p;
    FB_TRAIL(f)->is_logging = 0;
    fb_add_trail(f, FB_TRAIL_NAME, FB_REGION, FB_LOG_GROUP_ARN)->is_logging = 0;
}

static struct tw_advanced_selector *s_adv_mgmt(struct tw_facts *f, const char *name)
{
    struct tw_advanced_selector *a;

    fb_clear_selectors(FB_TRAIL(f));
    a = fb_add_advanced(FB_TRAIL(f), name);
    fb_add_cond(a, "eventCategory", "Equals", "Management", NULL);
    return a;
}

static void m_adv_all(struct tw_facts *f, struct tw_params *p)
{
    (void)p;
    s_adv_mgmt(f, "Management events");
}

static void m_adv_not_kms(struct tw_facts *f, struct tw_params *p)
{
    (void)p;
    fb_add_cond(s_adv_mgmt(f, "mgmt"), "eventSource", "NotEquals", "kms.amazonaws.com",
                "rdsdata.amazonaws.com", NULL);
}

static void m_adv_read_only(struct tw_facts *f, struct tw_params *p)
{
    (void)p;
    fb_add_cond(s_adv_mgmt(f, "reads"), "readOnly", "Equals", "true", NULL);
}

static void m_adv_write_only(struct tw_facts *f, struct tw_params *p)
{
    (void)p;
    fb_add_cond(s_adv_mgmt(f, "writes"), "readOnly", "Equals", "false", NULL);
}

static void m_adv_read_plus_write(struct tw_facts *f, struct tw_params *p)
{
    struct tw_advanced_selector *a;

    (void)p;
    fb_add_cond(s_adv_mgmt(f, "writes"), "readOnly", "Equals", "false", NULL);
    a = fb_add_advanced(FB_TRAIL(f), "reads");
    fb_add_cond(a, "eventCategory", "Equals", "Management", NULL);
    fb_add_cond(a, "readOnly", "Equals", "true", NULL);
}

static void m_adv_not_cloudtrail(struct tw_facts *f, struct tw_params *p)
{
    (void)p;
    fb_add_cond(s_adv_mgmt(f, "mgmt"), "eventSource", "NotEquals", "cloudtrail.amazonaws.com",
                NULL);
}

static void m_adv_not_stop(struct tw_facts *f, struct tw_params *p)
{
    (void)p;
    fb_add_cond(s_adv_mgmt(f, "mgmt"), "eventName", "NotEquals", "StopLogging", NULL);
}

static void m_adv_not_starts_stop(struct tw_facts *f, struct tw_params *p)
{
    (void)p;
    fb_add_cond(s_adv_mgmt(f, "mgmt"), "eventName", "NotStartsWith", "Stop", NULL);
}

static void m_adv_only_create(struct tw_facts *f, struct tw_params *p)
{
    (void)p;
    fb_add_cond(s_adv_mgmt(f, "mgmt"), "eventName", "StartsWith", "Create", NULL);
}

static void m_adv_split_by_name(struct tw_facts *f, struct tw_params *p)
{
    /* Selectors are OR-ed: one takes CreateTrail, the other everything else. */
    struct tw_advanced_selector *a;

    (void)p;
    fb_add_cond(s_adv_mgmt(f, "create"), "eventName", "Equals", "CreateTrail", NULL);
    a = fb_add_advanced(FB_TRAIL(f), "rest");
    fb_add_cond(a, "eventCategory", "Equals", "Management", NULL);
    fb_add_cond(a, "eventName", "NotEquals", "CreateTrail", NULL);
}

static void m_adv_event_type(struct tw_facts *f, struct tw_params *p)
{
    (void)p;
    fb_add_cond(s_adv_mgmt(f, "mgmt"), "eventType", "NotEquals", "AwsApiCall", NULL);
}

static void m_adv_caller(struct tw_facts *f, struct tw_params *p)
{
    (void)p;
    fb_add_cond(s_adv_mgmt(f, "mgmt"), "userIdentity.arn", "NotStartsWith",
                "arn:aws:sts::111111111111:assumed-role/scanner", NULL);
}

static void m_adv_data_only(struct tw_facts *f, struct tw_params *p)
{
    struct tw_advanced_selector *a;

    (void)p;
    fb_clear_selectors(FB_TRAIL(f));
    a = fb_add_advanced(FB_TRAIL(f), "s3");
    fb_add_cond(a, "eventCategory", "Equals", "Data", NULL);
    fb_add_cond(a, "resources.type", "Equals", "AWS::S3::Object", NULL);
}

static void m_basic_read_only(struct tw_facts *f, struct tw_params *p)
{
    (void)p;
    FB_TRAIL(f)->basic[0].read_write_type = TW_RW_READ_ONLY;
}

static void m_basic_write_only(struct tw_facts *f, struct tw_params *p)
{
    (void)p;
    FB_TRAIL(f)->basic[0].read_write_type = TW_RW_WRITE_ONLY;
}

static void m_basic_read_plus_write(struct tw_facts *f, struct tw_params *p)
{
    (void)p;
    FB_TRAIL(f)->basic[0].read_write_type = TW_RW_WRITE_ONLY;
    fb_add_basic(FB_TRAIL(f), TW_RW_READ_ONLY, 1);
}

static void m_basic_no_mgmt(struct tw_facts *f, struct tw_params *p)
{
    (void)p;
    FB_TRAIL(f)->basic[0].include_management_events = 0;
}

static void m_basic_exclude_ct(struct tw_facts *f, struct tw_params *p)
{
    struct tw_basic_selector *b = &FB_TRAIL(f)->basic[0];

    (void)p;
    fb_strv_add(&b->exclude_management_sources, &b->n_exclude_management_sources,
                "cloudtrail.amazonaws.com");
}

static void m_basic_exclude_kms(struct tw_facts *f, struct tw_params *p)
{
    struct tw_basic_selector *b = &FB_TRAIL(f)->basic[0];

    (void)p;
    fb_strv_add(&b->exclude_management_sources, &b->n_exclude_management_sources,
                "kms.amazonaws.com");
}

static void m_no_selectors(struct tw_facts *f, struct tw_params *p)
{
    (void)p;
    fb_clear_selectors(FB_TRAIL(f));
}

static void m_not_logging(struct tw_facts *f, struct tw_params *p)
{
    (void)p;
    FB_TRAIL(f)->is_logging = 0;
}

static void m_single_region(struct tw_facts *f, struct tw_params *p)
{
    (void)p;
    FB_TRAIL(f)->is_multi_region = 0;
}

static void m_no_log_group(struct tw_facts *f, struct tw_params *p)
{
    (void)p;
    fb_set(&FB_TRAIL(f)->log_group_arn, NULL);
}

static void m_bad_log_group(struct tw_facts *f, struct tw_params *p)
{
    (void)p;
    fb_set(&FB_TRAIL(f)->log_group_arn, "cloudtrail/main");
}

static void m_delivery_error(struct tw_facts *f, struct tw_params *p)
{
    (void)p;
    fb_set(&FB_TRAIL(f)->latest_cwl_delivery_error, "AccessDenied");
}

/* A second trail "second" whose chain is complete; the first one is broken. */
static void m_second_trail_proves(struct tw_facts *f, struct tw_params *p)
{
    struct tw_trail *t;

    (void)p;
    FB_TRAIL(f)->is_multi_region = 0;
    t = fb_add_trail(f, "second", FB_REGION, FB_LOG_GROUP_ARN);
    fb_add_filter(t, "cis-ct-2", FB_CIS_PATTERN, FB_NS, FB_METRIC, "1");
}

static void m_second_trail_further(struct tw_facts *f, struct tw_params *p)
{
    struct tw_trail *t;

    (void)p;
    FB_TRAIL(f)->is_multi_region = 0;
    t = fb_add_trail(f, "second", FB_REGION, FB_LOG_GROUP_ARN);
    fb_add_filter(t, "cis-ct-2", FB_CIS_PATTERN, FB_NS, FB_METRIC, "1");
    fb_set(&FB_TOPIC(f)->subscriptions[0].arn, TW_SNS_PENDING);
}

static void m_eu_log_group(struct tw_facts *f, struct tw_params *p)
{
    /* Home region us-east-1, log group (and its alarm) in eu-west-1. */
    struct tw_alarm_lookup *l;

    (void)p;
    fb_set(&FB_TRAIL(f)->log_group_arn, EU_LOG_GROUP_ARN);
    fb_set(&FB_LOOKUP(f)->region, "eu-west-1");
    l = FB_LOOKUP(f);
    fb_set(&l->alarms[0].arn, "arn:aws:cloudwatch:eu-west-1:111111111111:alarm:cis-ct-alarm");
}

static void m_eu_log_group_alarm_home(struct tw_facts *f, struct tw_params *p)
{
    /* The alarm exists only in the trail's home region: it cannot see the metric. */
    (void)p;
    fb_set(&FB_TRAIL(f)->log_group_arn, EU_LOG_GROUP_ARN);
    fb_add_lookup(f, "eu-west-1", FB_NS, FB_METRIC);
}

static void m_wrong_namespace(struct tw_facts *f, struct tw_params *p)
{
    (void)p;
    fb_set(&FB_ALARM(f)->namespace_, "CISBenchmark");
}

static void m_lookup_missing(struct tw_facts *f, struct tw_params *p)
{
    (void)p;
    fb_set(&FB_LOOKUP(f)->metric_namespace, "CISBenchmark");
}

static void s_empty_lookup(struct tw_facts *f)
{
    struct tw_alarm_lookup *l = FB_LOOKUP(f);

    for (size_t i = 0; i < l->n_alarms; i++)
        tw_alarm_cleanup(&l->alarms[i]);
    free(l->alarms);
    l->alarms = NULL;
    l->n_alarms = 0;
}

/* DescribeAlarmsForMetric finds nothing; the region's alarm list shows the
 * same metric name under another namespace: the annotation names it. */
static void m_wrong_namespace_named(struct tw_facts *f, struct tw_params *p)
{
    struct tw_alarm *a;

    (void)p;
    s_empty_lookup(f);
    a = fb_add_math_alarm(fb_add_region_alarms(f, FB_REGION), "x", FB_NS, FB_METRIC, NULL);
    tw_alarm_cleanup(a);
    fb_set(&a->name, "cis-wrong-ns");
    fb_set(&a->metric_name, FB_METRIC);
    fb_set(&a->namespace_, "CISBenchmark");
    a->actions_enabled = 1;
    fb_strv_add(&a->alarm_actions, &a->n_alarm_actions, FB_TOPIC_ARN);
}

static void m_math_alarm(struct tw_facts *f, struct tw_params *p)
{
    (void)p;
    s_empty_lookup(f);
    fb_add_math_alarm(fb_add_region_alarms(f, FB_REGION), "cis-math", FB_NS, FB_METRIC,
                      FB_TOPIC_ARN);
}

static void m_math_alarm_other_metric(struct tw_facts *f, struct tw_params *p)
{
    (void)p;
    s_empty_lookup(f);
    fb_add_math_alarm(fb_add_region_alarms(f, FB_REGION), "cis-math", FB_NS, "ConsoleSignIns",
                      FB_TOPIC_ARN);
}

static void m_math_alarm_dimensions(struct tw_facts *f, struct tw_params *p)
{
    struct tw_alarm *a;

    (void)p;
    s_empty_lookup(f);
    a = fb_add_math_alarm(fb_add_region_alarms(f, FB_REGION), "cis-math", FB_NS, FB_METRIC,
                          FB_TOPIC_ARN);
    fb_add_dimension(&a->metrics[0].stat_dimensions, &a->metrics[0].n_stat_dimensions,
                     "Region", "us-east-1");
}

static void m_math_alarm_disabled(struct tw_facts *f, struct tw_params *p)
{
    (void)p;
    s_empty_lookup(f);
    fb_add_math_alarm(fb_add_region_alarms(f, FB_REGION), "cis-math", FB_NS, FB_METRIC,
                      FB_TOPIC_ARN)
        ->actions_enabled = 0;
}

static void m_region_alarms_denied(struct tw_facts *f, struct tw_params *p)
{
    struct tw_region_alarms *r;

    (void)p;
    s_empty_lookup(f);
    r = fb_add_region_alarms(f, FB_REGION);
    fb_read(&r->read, TW_READ_DENIED, "cloudwatch:DescribeAlarms", "AccessDenied");
}

static void m_actions_disabled(struct tw_facts *f, struct tw_params *p)
{
    (void)p;
    FB_ALARM(f)->actions_enabled = 0;
}

static void m_lambda_action(struct tw_facts *f, struct tw_params *p)
{
    struct tw_alarm *a = FB_ALARM(f);

    (void)p;
    fb_set(&a->alarm_actions[0], LAMBDA_ARN);
    fb_strv_add(&a->alarm_actions, &a->n_alarm_actions,
                "arn:aws:automate:us-east-1:ec2:stop");
}

static void m_alarm_dimensions(struct tw_facts *f, struct tw_params *p)
{
    struct tw_alarm *a = FB_ALARM(f);

    (void)p;
    fb_add_dimension(&a->dimensions, &a->n_dimensions, "Region", "us-east-1");
}

static void m_threshold_5(struct tw_facts *f, struct tw_params *p)
{
    (void)p;
    FB_ALARM(f)->threshold = 5;
}

static void m_sample_count_field_value(struct tw_facts *f, struct tw_params *p)
{
    (void)p;
    fb_set(&FB_FILTER(f)->metric_value, "$.requestParameters.count");
    fb_set(&FB_ALARM(f)->statistic, "SampleCount");
}

static void m_sample_count_threshold_2(struct tw_facts *f, struct tw_params *p)
{
    (void)p;
    fb_set(&FB_ALARM(f)->statistic, "SampleCount");
    fb_set(&FB_FILTER(f)->metric_value, "7");
    FB_ALARM(f)->threshold = 2;
}

static void m_field_value_sum(struct tw_facts *f, struct tw_params *p)
{
    (void)p;
    fb_set(&FB_FILTER(f)->metric_value, "$.requestParameters.count");
}

static void m_value_10_threshold_5(struct tw_facts *f, struct tw_params *p)
{
    (void)p;
    fb_set(&FB_FILTER(f)->metric_value, "10");
    FB_ALARM(f)->threshold = 5;
}

static void m_datapoints_2(struct tw_facts *f, struct tw_params *p)
{
    (void)p;
    FB_ALARM(f)->evaluation_periods = 2;
    FB_ALARM(f)->have_datapoints_to_alarm = 1;
    FB_ALARM(f)->datapoints_to_alarm = 2;
}

static void m_eval_periods_3(struct tw_facts *f, struct tw_params *p)
{
    (void)p;
    FB_ALARM(f)->evaluation_periods = 3;
}

static void m_one_of_three(struct tw_facts *f, struct tw_params *p)
{
    (void)p;
    FB_ALARM(f)->evaluation_periods = 3;
    FB_ALARM(f)->have_datapoints_to_alarm = 1;
    FB_ALARM(f)->datapoints_to_alarm = 1;
}

static void m_greater_than_0(struct tw_facts *f, struct tw_params *p)
{
    (void)p;
    fb_set(&FB_ALARM(f)->comparison_operator, "GreaterThanThreshold");
    FB_ALARM(f)->threshold = 0;
}

static void m_greater_than_1(struct tw_facts *f, struct tw_params *p)
{
    (void)p;
    fb_set(&FB_ALARM(f)->comparison_operator, "GreaterThanThreshold");
}

static void m_less_than(struct tw_facts *f, struct tw_params *p)
{
    (void)p;
    fb_set(&FB_ALARM(f)->comparison_operator, "LessThanThreshold");
}

static void m_no_threshold(struct tw_facts *f, struct tw_params *p)
{
    (void)p;
    FB_ALARM(f)->have_threshold = 0;
}

static void m_pending_only(struct tw_facts *f, struct tw_params *p)
{
    (void)p;
    fb_set(&FB_TOPIC(f)->subscriptions[0].arn, TW_SNS_PENDING);
}

static void m_no_subscriptions(struct tw_facts *f, struct tw_params *p)
{
    struct tw_topic *t = FB_TOPIC(f);

    (void)p;
    free(t->subscriptions[0].arn);
    free(t->subscriptions[0].protocol);
    free(t->subscriptions[0].endpoint);
    free(t->subscriptions);
    t->subscriptions = NULL;
    t->n_subscriptions = 0;
}

static void m_deleted_subscription(struct tw_facts *f, struct tw_params *p)
{
    (void)p;
    fb_set(&FB_TOPIC(f)->subscriptions[0].arn, "Deleted");
    fb_add_subscription(FB_TOPIC(f), NULL, "sms");
}

static void m_topic_denied(struct tw_facts *f, struct tw_params *p)
{
    (void)p;
    fb_read(&FB_TOPIC(f)->read, TW_READ_DENIED, "sns:ListSubscriptionsByTopic",
            "AuthorizationError");
}

static void m_topic_not_read(struct tw_facts *f, struct tw_params *p)
{
    (void)p;
    fb_set(&FB_TOPIC(f)->arn, "arn:aws:sns:us-east-1:111111111111:other");
}

static void m_second_topic_confirmed(struct tw_facts *f, struct tw_params *p)
{
    /* First action: a topic with only a pending subscription; second: confirmed. */
    struct tw_alarm *a = FB_ALARM(f);
    struct tw_topic *t;

    (void)p;
    fb_set(&a->alarm_actions[0], "arn:aws:sns:us-east-1:111111111111:pending");
    fb_strv_add(&a->alarm_actions, &a->n_alarm_actions, FB_TOPIC_ARN);
    t = fb_add_topic(f, "arn:aws:sns:us-east-1:111111111111:pending");
    fb_add_subscription(t, TW_SNS_PENDING, "email");
}

static void m_second_alarm_proves(struct tw_facts *f, struct tw_params *p)
{
    (void)p;
    FB_ALARM(f)->actions_enabled = 0;
    fb_add_alarm(FB_LOOKUP(f), "cis-ct-alarm-2", FB_NS, FB_METRIC, FB_TOPIC_ARN);
}

static void m_org_member(struct tw_facts *f, struct tw_params *p)
{
    /* Seen from a member: the organization trail of the management account,
     * whose log group lives there (its filters cannot be read from here). */
    struct tw_trail *t = FB_TRAIL(f);

    (void)p;
    fb_set(&t->name, "org-main");
    fb_set(&t->arn, "arn:aws:cloudtrail:us-east-1:999999999999:trail/org-main");
    fb_set(&t->owner_account, OTHER_ACCOUNT);
    fb_set(&t->log_group_arn, "arn:aws:logs:us-east-1:999999999999:log-group:org-trail:*");
    t->is_organization_trail = 1;
    fb_read(&t->filters_read, TW_READ_NOT_FOUND, "logs:DescribeMetricFilters",
            "ResourceNotFoundException");
}

static void m_org_member_own_proves(struct tw_facts *f, struct tw_params *p)
{
    struct tw_trail *t;

    m_org_member(f, p);
    t = fb_add_trail(f, "own", FB_REGION, FB_LOG_GROUP_ARN);
    fb_add_filter(t, "own-filter", FB_CIS_PATTERN, FB_NS, FB_METRIC, "1");
}

static void m_org_own_account(struct tw_facts *f, struct tw_params *p)
{
    /* The management account's own organization trail is judged like any other. */
    (void)p;
    FB_TRAIL(f)->is_organization_trail = 1;
    FB_TRAIL(f)->is_logging = 0;
}

static void m_trails_denied(struct tw_facts *f, struct tw_params *p)
{
    (void)p;
    tw_read_set(&f->trails_read, TW_READ_DENIED, "cloudtrail:DescribeTrails",
                "AccessDeniedException", "User is not authorized to perform cloudtrail:DescribeTrails");
}

static void m_no_trails(struct tw_facts *f, struct tw_params *p)
{
    (void)p;
    for (size_t i = 0; i < f->n_trails; i++)
        tw_trail_cleanup(&f->trails[i]);
    f->n_trails = 0;
}

static void m_status_denied(struct tw_facts *f, struct tw_params *p)
{
    (void)p;
    fb_read(&FB_TRAIL(f)->status_read, TW_READ_DENIED, "cloudtrail:GetTrailStatus",
            "AccessDeniedException");
}

static void m_selectors_denied(struct tw_facts *f, struct tw_params *p)
{
    (void)p;
    fb_read(&FB_TRAIL(f)->selectors_read, TW_READ_DENIED, "cloudtrail:GetEventSelectors",
            "AccessDeniedException");
}

static void m_filters_denied(struct tw_facts *f, struct tw_params *p)
{
    (void)p;
    fb_read(&FB_TRAIL(f)->filters_read, TW_READ_DENIED, "logs:DescribeMetricFilters",
            "AccessDeniedException");
}

static void m_log_group_gone(struct tw_facts *f, struct tw_params *p)
{
    (void)p;
    fb_read(&FB_TRAIL(f)->filters_read, TW_READ_NOT_FOUND, "logs:DescribeMetricFilters",
            "ResourceNotFoundException");
}

static void m_lookup_denied(struct tw_facts *f, struct tw_params *p)
{
    (void)p;
    fb_read(&FB_LOOKUP(f)->read, TW_READ_DENIED, "cloudwatch:DescribeAlarmsForMetric",
            "AccessDenied");
}

static void m_no_filters(struct tw_facts *f, struct tw_params *p)
{
    struct tw_trail *t = FB_TRAIL(f);

    (void)p;
    tw_metric_filter_cleanup(&t->filters[0]);
    t->n_filters = 0;
}

static void m_misses_stop(struct tw_facts *f, struct tw_params *p)
{
    (void)p;
    fb_set(&FB_FILTER(f)->pattern, NO_STOP_PATTERN);
}

static void m_error_code_trap(struct tw_facts *f, struct tw_params *p)
{
    (void)p;
    fb_set(&FB_FILTER(f)->pattern,
           "{ (($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = "
           "DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging)) && "
           "$.errorCode != \"AccessDenied*\" }");
}

static void m_parse_error(struct tw_facts *f, struct tw_params *p)
{
    (void)p;
    fb_set(&FB_FILTER(f)->pattern, "{ ($.eventName = CreateTrail ");
}

static void m_not_proven(struct tw_facts *f, struct tw_params *p)
{
    /* filter.h: space-delimited patterns are never "covered", only "not proven". */
    (void)p;
    fb_set(&FB_FILTER(f)->pattern, "[version, ...]");
}

static void m_empty_pattern(struct tw_facts *f, struct tw_params *p)
{
    (void)p;
    fb_set(&FB_FILTER(f)->pattern, "");
}

static void m_filter_dimensions(struct tw_facts *f, struct tw_params *p)
{
    struct tw_metric_filter *m = FB_FILTER(f);

    (void)p;
    fb_add_dimension(&m->dimensions, &m->n_dimensions, "EventName", "$.eventName");
}

static void m_best_filter_reported(struct tw_facts *f, struct tw_params *p)
{
    /* A parse error, then a filter with dimensions: the latter is reported. */
    struct tw_trail *t = FB_TRAIL(f);
    struct tw_metric_filter *m;

    (void)p;
    fb_set(&t->filters[0].pattern, "{ $.eventName = ");
    m = fb_add_filter(t, "by-name", FB_CIS_PATTERN, FB_NS, "ByName", "1");
    fb_add_dimension(&m->dimensions, &m->n_dimensions, "EventName", "$.eventName");
}

static void m_best_filter_explained(struct tw_facts *f, struct tw_params *p)
{
    /* Filters are ranked on the decision alone; the one reported is analysed
     * again for its counterexample: here the second of 42 (the first does not
     * parse, 40 more miss the same way after it and are not reported). */
    struct tw_trail *t = FB_TRAIL(f);

    (void)p;
    fb_set(&t->filters[0].pattern, "{ $.eventName = ");
    fb_add_filter(t, "late-miss", NO_STOP_PATTERN, FB_NS, "Late", "1");
    for (int i = 0; i < 40; i++)
        fb_add_filter(t, "other-miss", "{ $.eventName = CreateTrail }", FB_NS, "Other", "1");
}

static void m_second_filter_qualifies(struct tw_facts *f, struct tw_params *p)
{
    /* First filter misses; second one qualifies and has the alarm. */
    struct tw_trail *t = FB_TRAIL(f);

    (void)p;
    fb_set(&t->filters[0].pattern, NO_STOP_PATTERN);
    fb_set(&t->filters[0].metric_name, "Partial");
    fb_add_filter(t, "cis-ct-good", REORDERED_PATTERN, FB_NS, FB_METRIC, "1");
}

static void m_reordered(struct tw_facts *f, struct tw_params *p)
{
    (void)p;
    fb_set(&FB_FILTER(f)->pattern, REORDERED_PATTERN);
}

static void m_reordered_strict(struct tw_facts *f, struct tw_params *p)
{
    m_reordered(f, p);
    p->strict = 1;
}

static void m_exact_strict(struct tw_facts *f, struct tw_params *p)
{
    (void)f;
    p->strict = 1;
}

static void m_external_broken(struct tw_facts *f, struct tw_params *p)
{
    m_not_logging(f, p);
    tw_strlcpy(p->external_monitoring, "Splunk ES rule CT-1", sizeof(p->external_monitoring));
}

static void m_external_proven(struct tw_facts *f, struct tw_params *p)
{
    (void)f;
    tw_strlcpy(p->external_monitoring, "Splunk ES rule CT-1", sizeof(p->external_monitoring));
}

static void m_external_no_trails(struct tw_facts *f, struct tw_params *p)
{
    m_trails_denied(f, p);
    tw_strlcpy(p->external_monitoring, "EventBridge rule ct-changes",
               sizeof(p->external_monitoring));
}

/* ---- the table -------------------------------------------------------------------- */

struct jcase {
    const char *name;
    void (*mutate)(struct tw_facts *f, struct tw_params *p);
    enum tw_compliance want;
    const char *substr; /* in the annotation */
    int broken;         /* first broken link of the reported chain, or NONE */
};

#define C TW_COMPLIANT
#define NC TW_NON_COMPLIANT
#define NA TW_NOT_APPLICABLE
#define L_TRAIL TW_LINK_TRAIL
#define L_FILTER TW_LINK_FILTER
#define L_ALARM TW_LINK_ALARM
#define L_TOPIC TW_LINK_TOPIC

static const struct jcase s_cases[] = {
    { "compliant", m_none, C,
      "trail main -> filter cis-ct -> alarm cis-ct-alarm -> topic alerts (1 confirmed subscriber)",
      NONE },
    /* trail link */
    { "shadow trail, compliant", m_shadow_compliant, C, "trail main -> filter cis-ct", NONE },
    { "shadow trail, broken", m_shadow_broken, NC, "trail main is not logging", L_TRAIL },
    { "advanced: all management", m_adv_all, C, "trail main -> filter cis-ct", NONE },
    { "advanced: eventSource NotEquals kms", m_adv_not_kms, C, "-> topic alerts", NONE },
    { "advanced: readOnly true", m_adv_read_only, NC,
      "trail main does not record CreateTrail events (advanced selector \"reads\": readOnly does "
      "not select \"false\")",
      L_TRAIL },
    { "advanced: readOnly false", m_adv_write_only, NC,
      "trail main records no read-only management events (advanced selector \"writes\"",
      L_TRAIL },
    { "advanced: read + write selectors", m_adv_read_plus_write, C, "-> topic alerts", NONE },
    { "advanced: NotEquals cloudtrail", m_adv_not_cloudtrail, NC,
      "eventSource NotEquals \"cloudtrail.amazonaws.com\"", L_TRAIL },
    { "advanced: eventName NotEquals StopLogging", m_adv_not_stop, NC,
      "trail main does not record StopLogging events (advanced selector \"mgmt\": eventName "
      "NotEquals \"StopLogging\")",
      L_TRAIL },
    { "advanced: eventName NotStartsWith Stop", m_adv_not_starts_stop, NC,
      "StopLogging events (advanced selector \"mgmt\": eventName NotStartsWith \"Stop\")",
      L_TRAIL },
    { "advanced: eventName StartsWith Create", m_adv_only_create, NC,
      "does not record UpdateTrail events (advanced selector \"mgmt\": eventName does not "
      "select \"UpdateTrail\")",
      L_TRAIL },
    { "advanced: split across selectors", m_adv_split_by_name, C, "-> topic alerts", NONE },
    { "advanced: eventType NotEquals AwsApiCall", m_adv_event_type, NC,
      "eventType NotEquals \"AwsApiCall\"", L_TRAIL },
    { "advanced: userIdentity.arn condition", m_adv_caller, NC,
      "trail main is not proven to record CreateTrail events (advanced selector \"mgmt\": a "
      "condition on userIdentity.arn",
      L_TRAIL },
    { "advanced: data events only", m_adv_data_only, NC, "trail main records no management events",
      L_TRAIL },
    { "basic: ReadOnly", m_basic_read_only, NC,
      "trail main records only read-only management events (ReadWriteType ReadOnly)", L_TRAIL },
    { "basic: WriteOnly", m_basic_write_only, NC,
      "trail main records only write-only management events", L_TRAIL },
    { "basic: ReadOnly + WriteOnly", m_basic_read_plus_write, C, "-> topic alerts", NONE },
    { "basic: IncludeManagementEvents false", m_basic_no_mgmt, NC,
      "IncludeManagementEvents is false", L_TRAIL },
    { "basic: excludes cloudtrail.amazonaws.com", m_basic_exclude_ct, NC,
      "ExcludeManagementEventSources", L_TRAIL },
    { "basic: excludes kms only", m_basic_exclude_kms, C, "-> topic alerts", NONE },
    { "no event selectors", m_no_selectors, NC, "has no event selectors", L_TRAIL },
    { "not logging", m_not_logging, NC, "trail main is not logging", L_TRAIL },
    { "single region", m_single_region, NC, "trail main is single-region", L_TRAIL },
    { "no log group", m_no_log_group, NC, "trail main does not deliver to CloudWatch Logs",
      L_TRAIL },
    { "log group ARN invalid", m_bad_log_group, NC, "not a CloudWatch Logs group ARN", L_TRAIL },
    { "delivery error is a warning", m_delivery_error, C,
      "(1 confirmed subscriber); warning: trail main reports CloudWatch Logs delivery error "
      "\"AccessDenied\"",
      NONE },
    { "two trails, second proves", m_second_trail_proves, C,
      "trail second -> filter cis-ct-2 -> alarm cis-ct-alarm -> topic alerts", NONE },
    { "two trails, second got further", m_second_trail_further, NC,
      "trail second: topic alerts has only pending subscriptions", L_TOPIC },
    /* regions and metric identity */
    { "log group in another region", m_eu_log_group, C, "-> alarm cis-ct-alarm", NONE },
    { "alarm only in the home region", m_eu_log_group_alarm_home, NC,
      "trail main: no alarm on metric CloudTrailMetrics/CloudTrailChanges in eu-west-1",
      L_ALARM },
    { "wrong namespace", m_wrong_namespace, NC,
      "no alarm on metric CloudTrailMetrics/CloudTrailChanges in us-east-1", L_ALARM },
    { "same metric name, other namespace", m_wrong_namespace_named, NC,
      "trail main: alarm cis-wrong-ns watches CloudTrailChanges in namespace CISBenchmark, but "
      "the filter publishes to CloudTrailMetrics",
      L_ALARM },
    { "alarm lookup missing", m_lookup_missing, NC,
      "alarms on metric CloudTrailMetrics/CloudTrailChanges in us-east-1 were not read",
      L_ALARM },
    { "alarm with dimensions", m_alarm_dimensions, NC,
      "alarm cis-ct-alarm watches the metric with dimensions (Region=us-east-1)", L_ALARM },
    { "metric-math alarm", m_math_alarm, C, "-> alarm cis-math -> topic alerts", NONE },
    { "metric-math on another metric", m_math_alarm_other_metric, NC,
      "no alarm on metric CloudTrailMetrics/CloudTrailChanges", L_ALARM },
    { "metric-math with dimensions", m_math_alarm_dimensions, NC, "no alarm on metric",
      L_ALARM },
    { "metric-math actions disabled", m_math_alarm_disabled, NC,
      "alarm cis-math has actions disabled", L_ALARM },
    { "DescribeAlarms denied", m_region_alarms_denied, NC,
      "(metric-math alarms unknown: cloudwatch:DescribeAlarms denied (AccessDenied))", L_ALARM },
    /* alarm qualification */
    { "actions disabled", m_actions_disabled, NC,
      "trail main: alarm cis-ct-alarm has actions disabled", L_ALARM },
    { "Lambda and EC2 actions only", m_lambda_action, NC,
      "alarm cis-ct-alarm notifies no SNS topic (2 alarm actions, none SNS)", L_ALARM },
    { "threshold 5, value 1", m_threshold_5, NC,
      "alarm cis-ct-alarm fires at Sum >= 5; one event gives 1", L_ALARM },
    { "value 10, threshold 5", m_value_10_threshold_5, C, "-> alarm cis-ct-alarm", NONE },
    { "SampleCount with a $.field value", m_sample_count_field_value, C, "-> alarm cis-ct-alarm",
      NONE },
    { "SampleCount >= 2", m_sample_count_threshold_2, NC,
      "alarm cis-ct-alarm fires at SampleCount >= 2; one event gives 1", L_ALARM },
    { "Sum of a $.field value", m_field_value_sum, NC,
      "metric value \"$.requestParameters.count\" is not a constant", L_ALARM },
    { "DatapointsToAlarm 2", m_datapoints_2, NC,
      "alarm cis-ct-alarm needs 2 datapoints; one event gives 1", L_ALARM },
    { "EvaluationPeriods 3", m_eval_periods_3, NC, "needs 3 datapoints", L_ALARM },
    { "1 out of 3 datapoints", m_one_of_three, C, "-> alarm cis-ct-alarm", NONE },
    { "GreaterThanThreshold 0", m_greater_than_0, C, "-> alarm cis-ct-alarm", NONE },
    { "GreaterThanThreshold 1", m_greater_than_1, NC, "fires at Sum > 1; one event gives 1",
      L_ALARM },
    { "LessThanThreshold", m_less_than, NC, "alarm cis-ct-alarm uses LessThanThreshold", L_ALARM },
    { "no static threshold", m_no_threshold, NC, "alarm cis-ct-alarm has no static threshold",
      L_ALARM },
    { "second alarm proves", m_second_alarm_proves, C, "-> alarm cis-ct-alarm-2 -> topic alerts",
      NONE },
    /* topic */
    { "pending only", m_pending_only, NC,
      "trail main: topic alerts has only pending subscriptions", L_TOPIC },
    { "no subscriptions", m_no_subscriptions, NC, "topic alerts has no subscriptions", L_TOPIC },
    { "Deleted and ARN-less subscriptions", m_deleted_subscription, NC,
      "topic alerts has no confirmed subscriptions", L_TOPIC },
    { "topic read denied", m_topic_denied, NC,
      "sns:ListSubscriptionsByTopic on topic alerts denied (AuthorizationError)", L_TOPIC },
    { "topic not in the snapshot", m_topic_not_read, NC, "topic alerts was not read", L_TOPIC },
    { "second topic confirmed", m_second_topic_confirmed, C, "-> topic alerts (1 confirmed",
      NONE },
    /* organization trails */
    { "organization trail from a member", m_org_member, NA,
      "organization trail org-main is owned by account 999999999999: the check belongs there",
      L_FILTER },
    { "member with its own complete trail", m_org_member_own_proves, C, "trail own -> filter",
      NONE },
    { "management account's org trail", m_org_own_account, NC, "trail main is not logging",
      L_TRAIL },
    /* read failures, step by step */
    { "DescribeTrails denied", m_trails_denied, NC,
      "cloudtrail:DescribeTrails denied (AccessDeniedException): User is not authorized", NONE },
    { "no trails", m_no_trails, NC, "no CloudTrail trail in this account", NONE },
    { "GetTrailStatus denied", m_status_denied, NC,
      "trail main: cloudtrail:GetTrailStatus denied (AccessDeniedException)", L_TRAIL },
    { "GetEventSelectors denied", m_selectors_denied, NC,
      "trail main: cloudtrail:GetEventSelectors denied (AccessDeniedException)", L_TRAIL },
    { "DescribeMetricFilters denied", m_filters_denied, NC,
      "trail main: logs:DescribeMetricFilters on log group cloudtrail/main in us-east-1 denied "
      "(AccessDeniedException)",
      L_FILTER },
    { "log group not found", m_log_group_gone, NC,
      "logs:DescribeMetricFilters on log group cloudtrail/main in us-east-1 found nothing "
      "(ResourceNotFoundException)",
      L_FILTER },
    { "DescribeAlarmsForMetric denied", m_lookup_denied, NC,
      "cloudwatch:DescribeAlarmsForMetric on metric CloudTrailMetrics/CloudTrailChanges in "
      "us-east-1 denied (AccessDenied)",
      L_ALARM },
    /* filters */
    { "no metric filters", m_no_filters, NC, "trail main: log group cloudtrail/main has no metric filters",
      L_FILTER },
    { "filter misses StopLogging", m_misses_stop, NC,
      "trail main: filter cis-ct misses StopLogging events (e.g. {\"eventSource\":"
      "\"cloudtrail.amazonaws.com\",\"eventName\":\"StopLogging\"})",
      L_FILTER },
    { "errorCode != trap", m_error_code_trap, NC,
      "\"errorCode\":\"AccessDenied\"})", L_FILTER },
    { "pattern does not parse", m_parse_error, NC,
      "filter cis-ct has a pattern that does not parse (column", L_FILTER },
    { "pattern not proven", m_not_proven, NC,
      "filter cis-ct is not proven to catch every trail change (", L_FILTER },
    { "empty pattern", m_empty_pattern, C, "-> filter cis-ct ->", NONE },
    { "filter with dimensions", m_filter_dimensions, NC,
      "filter cis-ct emits dimensions (EventName)", L_FILTER },
    { "closest filter reported", m_best_filter_reported, NC, "filter by-name emits dimensions",
      L_FILTER },
    { "closest filter explained", m_best_filter_explained, NC,
      "trail main: filter late-miss misses StopLogging events (e.g. {\"eventSource\":"
      "\"cloudtrail.amazonaws.com\",\"eventName\":\"StopLogging\"})",
      L_FILTER },
    { "second filter qualifies", m_second_filter_qualifies, C, "-> filter cis-ct-good ->", NONE },
    /* Strict */
    { "reordered, Strict off", m_reordered, C, "-> filter cis-ct ->", NONE },
    { "reordered, Strict on", m_reordered_strict, NC,
      "trail main: filter cis-ct is not the exact CIS pattern (Strict)", L_FILTER },
    { "exact, Strict on", m_exact_strict, C, "-> filter cis-ct ->", NONE },
    /* ExternalMonitoring */
    { "external monitoring, broken chain", m_external_broken, NA,
      "monitored by Splunk ES rule CT-1 (declared by ExternalMonitoring); CloudWatch chain: "
      "trail main is not logging",
      L_TRAIL },
    { "external monitoring, proven chain", m_external_proven, C,
      "trail main -> filter cis-ct -> alarm cis-ct-alarm -> topic alerts", NONE },
    { "external monitoring, DescribeTrails denied", m_external_no_trails, NA,
      "monitored by EventBridge rule ct-changes (declared by ExternalMonitoring); CloudWatch "
      "chain: cloudtrail:DescribeTrails denied",
      NONE },
};

/* 1 if s is well-formed UTF-8 (enough for checking cuts). */
static int s_utf8_valid(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;

    while (*p) {
        size_t n = *p < 0x80 ? 0 : (*p & 0xe0) == 0xc0 ? 1 : (*p & 0xf0) == 0xe0 ? 2
                             : (*p & 0xf8) == 0xf0     ? 3
                                                       : 9;
        if (n == 9)
            return 0;
        for (size_t i = 1; i <= n; i++)
            if ((p[i] & 0xc0) != 0x80)
                return 0;
        p += n + 1;
    }
    return 1;
}

static int s_first_broken(const struct tw_verdict *v)
{
    for (int k = 0; k < TW_LINK_COUNT; k++)
        if (v->links[k].state == TW_LINK_BROKEN)
            return k;
    return NONE;
}

static void test_judge_table(void **state)
{
    int failures = 0;

    (void)state;
    for (size_t i = 0; i < TW_ARRAY_LEN(s_cases); i++) {
        const struct jcase *c = &s_cases[i];
        struct tw_facts f;
        struct tw_params p;
        struct tw_verdict v;
        struct tw_err err;
        int rc, broken;

        memset(&p, 0, sizeof(p));
        tw_err_clear(&err);
        fb_compliant(&f);
        c->mutate(&f, &p);
        rc = tw_judge_account(&v, &f, &p, &err);
        tw_facts_cleanup(&f);
        if (rc != TW_OK) {
            print_error("case %zu \"%s\": rc %d (%s)\n", i, c->name, rc, err.msg);
            failures++;
            continue;
        }
        broken = s_first_broken(&v);
        if (v.compliance != c->want || !strstr(v.annotation, c->substr) || broken != c->broken ||
            strlen(v.annotation) > TW_MAX_ANNOTATION || !s_utf8_valid(v.annotation) ||
            strncmp(v.reason, v.annotation, strlen(v.annotation)) != 0) {
            print_error("case %zu \"%s\": got %s, broken link %d, \"%s\"\n"
                        "  want %s, broken link %d, \"...%s...\"\n",
                        i, c->name, tw_compliance_name(v.compliance), broken, v.annotation,
                        tw_compliance_name(c->want), c->broken, c->substr);
            failures++;
        }
        if (c->want == TW_COMPLIANT) {
            for (int k = 0; k < TW_LINK_COUNT; k++) {
                if (v.links[k].state != TW_LINK_PROVEN || !v.links[k].name[0] ||
                    !v.links[k].detail[0]) {
                    print_error("case %zu \"%s\": link %s not proven with evidence\n", i,
                                c->name, tw_link_kind_name((enum tw_link_kind)k));
                    failures++;
                }
            }
        }
    }
    if (failures)
        fail_msg("%d of %zu judge cases failed", failures, TW_ARRAY_LEN(s_cases));
}

/* The links of a chain broken at the alarm: proven, proven, broken, unchecked. */
static void test_judge_links(void **state)
{
    struct tw_facts f;
    struct tw_params p;
    struct tw_verdict v;
    struct tw_err err;

    (void)state;
    memset(&p, 0, sizeof(p));
    fb_compliant(&f);
    FB_ALARM(&f)->actions_enabled = 0;
    assert_int_equal(tw_judge_account(&v, &f, &p, &err), TW_OK);
    tw_facts_cleanup(&f);
    assert_int_equal(v.links[TW_LINK_TRAIL].state, TW_LINK_PROVEN);
    assert_string_equal(v.links[TW_LINK_TRAIL].name, "main");
    assert_non_null(strstr(v.links[TW_LINK_TRAIL].detail, "log group cloudtrail/main in us-east-1"));
    assert_int_equal(v.links[TW_LINK_FILTER].state, TW_LINK_PROVEN);
    assert_string_equal(v.links[TW_LINK_FILTER].name, "cis-ct");
    assert_int_equal(v.links[TW_LINK_ALARM].state, TW_LINK_BROKEN);
    assert_string_equal(v.links[TW_LINK_ALARM].name, "cis-ct-alarm");
    assert_int_equal(v.links[TW_LINK_TOPIC].state, TW_LINK_UNCHECKED);
    assert_string_equal(v.reason, v.annotation);

    /* A compliant chain names the topic by ARN in its link. */
    fb_compliant(&f);
    assert_int_equal(tw_judge_account(&v, &f, NULL, &err), TW_OK); /* NULL params: defaults */
    tw_facts_cleanup(&f);
    assert_int_equal(v.compliance, TW_COMPLIANT);
    assert_string_equal(v.links[TW_LINK_TOPIC].name, FB_TOPIC_ARN);
    assert_non_null(strstr(v.links[TW_LINK_TOPIC].detail, "1 confirmed subscriber"));
}

/* A very long filter name (3-byte characters) forces the annotation cut. */
static void test_judge_truncation(void **state)
{
    struct tw_facts f;
    struct tw_verdict v;
    struct tw_err err;
    char name[3 * 120 + 1];
    size_t n;

    (void)state;
    for (size_t i = 0; i < 120; i++)
        memcpy(name + 3 * i, "\xe2\x82\xac", 3); /* U+20AC EURO SIGN */
    name[sizeof(name) - 1] = '\0';
    fb_compliant(&f);
    fb_set(&FB_FILTER(&f)->name, name);
    assert_int_equal(tw_judge_account(&v, &f, NULL, &err), TW_OK);
    tw_facts_cleanup(&f);
    assert_int_equal(v.compliance, TW_COMPLIANT);
    n = strlen(v.annotation);
    assert_true(n <= TW_MAX_ANNOTATION);
    assert_true(n >= TW_MAX_ANNOTATION - 5);
    assert_true(s_utf8_valid(v.annotation));
    assert_string_equal(v.annotation + n - 3, "...");
    /* The cut is a prefix of the full reason, which keeps everything. */
    assert_true(strlen(v.reason) > TW_MAX_ANNOTATION);
    assert_memory_equal(v.reason, v.annotation, n - 3);
    assert_non_null(strstr(v.reason, "-> topic alerts (1 confirmed subscriber)"));

    /* Same with a long ASCII name on a NON_COMPLIANT verdict. */
    memset(name, 'x', sizeof(name) - 1);
    fb_compliant(&f);
    fb_set(&FB_FILTER(&f)->name, name);
    fb_set(&FB_FILTER(&f)->pattern, NO_STOP_PATTERN);
    assert_int_equal(tw_judge_account(&v, &f, NULL, &err), TW_OK);
    tw_facts_cleanup(&f);
    assert_int_equal(v.compliance, TW_NON_COMPLIANT);
    assert_int_equal(strlen(v.annotation), TW_MAX_ANNOTATION);
    assert_string_equal(v.annotation + TW_MAX_ANNOTATION - 3, "...");
}

/* The verdict does not depend on which listing of a shadow trail comes first
 * when they agree, and a deduplicated trail is judged once. */
static void test_judge_shadow_dedup(void **state)
{
    struct tw_facts f;
    struct tw_verdict v;
    struct tw_err err;

    (void)state;
    fb_compliant(&f);
    FB_TRAIL(&f)->is_logging = 0;
    /* A different trail with the same name in another region is not a shadow. */
    fb_add_trail(&f, FB_TRAIL_NAME, "eu-west-1", FB_LOG_GROUP_ARN);
    fb_add_filter(&f.trails[1], "cis-ct", FB_CIS_PATTERN, FB_NS, FB_METRIC, "1");
    assert_int_equal(tw_judge_account(&v, &f, NULL, &err), TW_OK);
    tw_facts_cleanup(&f);
    assert_int_equal(v.compliance, TW_COMPLIANT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_judge_table),
        cmocka_unit_test(test_judge_links),
        cmocka_unit_test(test_judge_truncation),
        cmocka_unit_test(test_judge_shadow_dedup),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
