/* test_awsproto_parse.c — every reply parser on canned AWS replies
 * (tests/fixtures/wire/), on wrong types and absent members, on every kind of
 * broken body, and on truncation at many offsets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "awsjson.h"
#include "awsproto.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *s_load(const char *rel, size_t *len)
{
    char path[256];
    FILE *f;
    long n;
    char *p;

    snprintf(path, sizeof(path), "tests/fixtures/wire/%s", rel);
    f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s (run from the repository root)", path);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    n = ftell(f);
    assert_true(n >= 0);
    rewind(f);
    p = malloc((size_t)n + 1);
    assert_non_null(p);
    assert_int_equal(fread(p, 1, (size_t)n, f), (size_t)n);
    p[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return p;
}

/* ---- one entry point per parser, checking the failure contract ------------------------------ */

enum s_kind {
    P_TRAILS,
    P_STATUS,
    P_SELECTORS,
    P_FILTERS,
    P_ALARMS,
    P_ALARMS_FOR_METRIC,
    P_SUBSCRIPTIONS,
    P_ASSUME_ROLE,
    P_CALLER,
    P_PUT_EVALUATIONS,
};

static const char *const s_kind_names[] = {
    "DescribeTrails",           "GetTrailStatus",    "GetEventSelectors",
    "DescribeMetricFilters",    "DescribeAlarms",    "DescribeAlarmsForMetric",
    "ListSubscriptionsByTopic", "AssumeRole",        "GetCallerIdentity",
    "PutEvaluations",
};

static int s_is_query(enum s_kind k)
{
    return k == P_ALARMS || k == P_ALARMS_FOR_METRIC || k == P_SUBSCRIPTIONS ||
           k == P_ASSUME_ROLE || k == P_CALLER;
}

/* Runs a parser with outputs that already hold something (a page from
 * before, a trail's earlier state), then checks: on failure, nothing changed
 * and err says which reply; on success, the old content is still first.
 * Returns the status and frees everything. */
static int s_run(enum s_kind kind, struct tw_span body, struct tw_err *err)
{
    int rc = TW_ERR;

    tw_err_clear(err);
    switch (kind) {
    case P_TRAILS: {
        struct tw_trail *t = calloc(1, sizeof(*t));
        size_t n = 1;
        assert_non_null(t);
        t->name = tw_strdup("earlier");
        rc = tw_proto_parse_describe_trails(&t, &n, body, err);
        assert_true(rc == TW_OK ? n >= 1 : n == 1);
        assert_string_equal(t[0].name, "earlier");
        tw_proto_trails_free(t, n);
        break;
    }
    case P_STATUS:
    case P_SELECTORS: {
        struct tw_trail t;
        memset(&t, 0, sizeof(t));
        t.is_logging = 7;
        t.latest_cwl_delivery_error = tw_strdup("old");
        t.basic = calloc(1, sizeof(*t.basic));
        assert_non_null(t.basic);
        t.n_basic = 1;
        t.basic[0].read_write_type = TW_RW_WRITE_ONLY;
        rc = kind == P_STATUS ? tw_proto_parse_get_trail_status(&t, body, err)
                              : tw_proto_parse_get_event_selectors(&t, body, err);
        if (rc != TW_OK) {
            assert_int_equal(t.is_logging, 7);
            assert_string_equal(t.latest_cwl_delivery_error, "old");
            assert_int_equal(t.n_basic, 1);
            assert_int_equal(t.basic[0].read_write_type, TW_RW_WRITE_ONLY);
        }
        tw_trail_cleanup(&t);
        break;
    }
    case P_FILTERS: {
        struct tw_metric_filter *f = calloc(1, sizeof(*f));
        size_t n = 1;
        char *next = (char *)"junk";
        assert_non_null(f);
        f->name = tw_strdup("earlier");
        rc = tw_proto_parse_describe_metric_filters(&f, &n, &next, body, err);
        assert_true(rc == TW_OK ? n >= 1 : (n == 1 && next == NULL));
        assert_string_equal(f[0].name, "earlier");
        free(next);
        tw_proto_filters_free(f, n);
        break;
    }
    case P_ALARMS:
    case P_ALARMS_FOR_METRIC: {
        struct tw_alarm *a = calloc(1, sizeof(*a));
        size_t n = 1;
        char *next = (char *)"junk";
        assert_non_null(a);
        a->name = tw_strdup("earlier");
        if (kind == P_ALARMS) {
            rc = tw_proto_parse_describe_alarms(&a, &n, &next, body, err);
        } else {
            next = NULL;
            rc = tw_proto_parse_describe_alarms_for_metric(&a, &n, body, err);
        }
        assert_true(rc == TW_OK ? n >= 1 : (n == 1 && next == NULL));
        assert_string_equal(a[0].name, "earlier");
        free(next);
        tw_proto_alarms_free(a, n);
        break;
    }
    case P_SUBSCRIPTIONS: {
        struct tw_subscription *s = calloc(1, sizeof(*s));
        size_t n = 1;
        char *next = (char *)"junk";
        assert_non_null(s);
        s->arn = tw_strdup("earlier");
        rc = tw_proto_parse_list_subscriptions_by_topic(&s, &n, &next, body, err);
        assert_true(rc == TW_OK ? n >= 1 : (n == 1 && next == NULL));
        assert_string_equal(s[0].arn, "earlier");
        free(next);
        tw_proto_subscriptions_free(s, n);
        break;
    }
    case P_ASSUME_ROLE: {
        struct tw_creds c;
        memset(&c, 0xA5, sizeof(c));
        rc = tw_proto_parse_assume_role(&c, body, err);
        if (rc != TW_OK)
            assert_true(c.access_key_id == NULL && c.secret_access_key == NULL &&
                        c.session_token == NULL && c.expiration == 0);
        tw_creds_cleanup(&c);
        break;
    }
    case P_CALLER: {
        char *account = (char *)"junk", *arn = (char *)"junk";
        rc = tw_proto_parse_get_caller_identity(&account, &arn, body, err);
        if (rc != TW_OK)
            assert_true(account == NULL && arn == NULL);
        free(account);
        free(arn);
        break;
    }
    case P_PUT_EVALUATIONS: {
        size_t n = 99;
        rc = tw_proto_parse_put_evaluations(&n, NULL, NULL, 0, body, err);
        if (rc != TW_OK)
            assert_int_equal(n, 0);
        break;
    }
    }
    if (rc != TW_OK && !strstr(err->msg, s_kind_names[kind]))
        fail_msg("%s: error message does not name the reply: \"%s\"", s_kind_names[kind],
                 err->msg);
    return rc;
}

/* ---- fixtures, field by field --------------------------------------------------------------- */

static struct tw_span s_span(char *p, size_t n)
{
    struct tw_span s = { p, n };
    return s;
}

static void test_describe_trails(void **state)
{
    struct tw_trail *t = NULL;
    struct tw_err err;
    size_t n = 0, len;
    char *body = s_load("cloudtrail/describe-trails.json", &len);

    (void)state;
    assert_int_equal(tw_proto_parse_describe_trails(&t, &n, s_span(body, len), &err), TW_OK);
    assert_int_equal(n, 3);
    assert_string_equal(t[0].name, "management-events");
    assert_string_equal(t[0].arn, "arn:aws:cloudtrail:us-east-1:111122223333:trail/management-events");
    assert_string_equal(t[0].home_region, "us-east-1");
    assert_string_equal(t[0].owner_account, "111122223333");
    assert_int_equal(t[0].is_multi_region, 1);
    assert_int_equal(t[0].is_organization_trail, 0);
    assert_int_equal(t[0].has_custom_event_selectors, 0);
    assert_string_equal(t[0].log_group_arn,
                        "arn:aws:logs:us-east-1:111122223333:log-group:CloudTrail/management-events:*");
    /* An organization trail seen from a member: the owner is the management account. */
    assert_string_equal(t[1].owner_account, "999988887777");
    assert_string_equal(t[1].home_region, "eu-west-1");
    assert_int_equal(t[1].is_organization_trail, 1);
    assert_int_equal(t[1].has_custom_event_selectors, 1);
    /* Old-style item: no CloudWatch Logs, flags absent read false. */
    assert_string_equal(t[2].name, "Trail1");
    assert_null(t[2].log_group_arn);
    assert_int_equal(t[2].is_multi_region, 0);
    assert_int_equal(t[2].is_organization_trail, 0);
    /* Not touched by DescribeTrails. */
    assert_int_equal(t[0].status_read.state, TW_READ_NOT_ATTEMPTED);
    assert_null(t[0].filters);
    free(body);

    /* A second (empty) reply appends nothing. */
    body = s_load("cloudtrail/describe-trails-empty.json", &len);
    assert_int_equal(tw_proto_parse_describe_trails(&t, &n, s_span(body, len), &err), TW_OK);
    assert_int_equal(n, 3);
    tw_proto_trails_free(t, n);
    free(body);
}

static void test_get_trail_status(void **state)
{
    struct tw_trail t;
    struct tw_err err;
    size_t len;
    char *body = s_load("cloudtrail/get-trail-status.json", &len);

    (void)state;
    memset(&t, 0, sizeof(t));
    assert_int_equal(tw_proto_parse_get_trail_status(&t, s_span(body, len), &err), TW_OK);
    assert_int_equal(t.is_logging, 1);
    assert_null(t.latest_cwl_delivery_error);
    assert_int_equal(t.latest_cwl_delivery_ms, 1732723320456LL);
    free(body);

    body = s_load("cloudtrail/get-trail-status-delivery-error.json", &len);
    assert_int_equal(tw_proto_parse_get_trail_status(&t, s_span(body, len), &err), TW_OK);
    assert_int_equal(t.is_logging, 0);
    assert_non_null(strstr(t.latest_cwl_delivery_error, "logs:PutLogEvents"));
    assert_int_equal(t.latest_cwl_delivery_ms, 1700000000000LL); /* an integer works too */
    free(body);

    /* Never delivered: no time, no error; the earlier error is replaced. */
    body = s_load("cloudtrail/get-trail-status-never.json", &len);
    assert_int_equal(tw_proto_parse_get_trail_status(&t, s_span(body, len), &err), TW_OK);
    assert_int_equal(t.is_logging, 1);
    assert_null(t.latest_cwl_delivery_error);
    assert_int_equal(t.latest_cwl_delivery_ms, 0);
    tw_trail_cleanup(&t);
    free(body);
}

static void test_get_event_selectors(void **state)
{
    struct tw_trail t;
    struct tw_err err;
    const struct tw_field_selector *f;
    size_t len;
    char *body = s_load("cloudtrail/get-event-selectors-basic.json", &len);

    (void)state;
    memset(&t, 0, sizeof(t));
    assert_int_equal(tw_proto_parse_get_event_selectors(&t, s_span(body, len), &err), TW_OK);
    assert_int_equal(t.n_basic, 3);
    assert_int_equal(t.n_advanced, 0);
    assert_int_equal(t.basic[0].read_write_type, TW_RW_ALL);
    assert_int_equal(t.basic[0].include_management_events, 1);
    assert_int_equal(t.basic[0].n_exclude_management_sources, 2);
    assert_string_equal(t.basic[0].exclude_management_sources[0], "kms.amazonaws.com");
    assert_string_equal(t.basic[0].exclude_management_sources[1], "rdsdata.amazonaws.com");
    assert_int_equal(t.basic[1].read_write_type, TW_RW_WRITE_ONLY);
    assert_int_equal(t.basic[1].include_management_events, 0);
    assert_int_equal(t.basic[1].n_exclude_management_sources, 0);
    /* Only ReadWriteType given: IncludeManagementEvents defaults to true. */
    assert_int_equal(t.basic[2].read_write_type, TW_RW_READ_ONLY);
    assert_int_equal(t.basic[2].include_management_events, 1);
    free(body);

    /* Advanced selectors replace the basic ones. */
    body = s_load("cloudtrail/get-event-selectors-advanced.json", &len);
    assert_int_equal(tw_proto_parse_get_event_selectors(&t, s_span(body, len), &err), TW_OK);
    assert_int_equal(t.n_basic, 0);
    assert_null(t.basic);
    assert_int_equal(t.n_advanced, 3);
    assert_string_equal(t.advanced[0].name, "Management events but KMS and RDS Data API");
    assert_int_equal(t.advanced[0].n_fields, 2);
    assert_string_equal(t.advanced[0].fields[0].field, "eventCategory");
    assert_int_equal(t.advanced[0].fields[0].n_equals, 1);
    assert_string_equal(t.advanced[0].fields[0].equals[0], "Management");
    assert_int_equal(t.advanced[0].fields[1].n_not_equals, 2);
    assert_string_equal(t.advanced[0].fields[1].not_equals[1], "rdsdata.amazonaws.com");
    assert_int_equal(t.advanced[1].n_fields, 4);
    assert_string_equal(t.advanced[1].fields[2].field, "readOnly");
    assert_string_equal(t.advanced[1].fields[2].equals[0], "false");
    f = &t.advanced[1].fields[3];
    assert_string_equal(f->field, "resources.ARN");
    assert_int_equal(f->n_starts_with, 1);
    assert_int_equal(f->n_ends_with, 1);
    assert_string_equal(f->ends_with[0], ".json");
    assert_int_equal(f->n_not_starts_with, 1);
    assert_int_equal(f->n_not_ends_with, 2);
    assert_string_equal(f->not_ends_with[1], ".swp");
    assert_int_equal(f->n_equals, 0);
    assert_null(f->equals);
    assert_null(t.advanced[2].name); /* Name is optional */
    tw_trail_cleanup(&t);
    free(body);
}

static void test_describe_metric_filters(void **state)
{
    struct tw_metric_filter *f = NULL;
    struct tw_err err;
    char *next = NULL;
    size_t n = 0, len;
    char *body = s_load("logs/describe-metric-filters-page1.json", &len);

    (void)state;
    assert_int_equal(tw_proto_parse_describe_metric_filters(&f, &n, &next, s_span(body, len), &err),
                     TW_OK);
    assert_int_equal(n, 2);
    assert_string_equal(next, "1/AAAAAKxVcyyj+Hbrx6wNAAAAAGhjbG91ZHRyYWlsLWNvbmZpZy1jaGFuZ2Vz");
    assert_string_equal(f[0].name, "cis-cloudtrail-config-changes");
    assert_memory_equal(f[0].pattern, "{ ($.eventName = CreateTrail) || ", 33);
    assert_string_equal(f[0].metric_name, "CloudTrailConfigChanges");
    assert_string_equal(f[0].metric_namespace, "CloudTrailMetrics");
    assert_string_equal(f[0].metric_value, "1");
    assert_int_equal(f[0].have_default_value, 0);
    assert_int_equal(f[0].n_dimensions, 0);
    assert_non_null(strchr(f[1].pattern, '\n')); /* stored patterns keep newlines */
    assert_string_equal(f[1].metric_value, "$.count");
    assert_int_equal(f[1].have_default_value, 1);
    assert_true(f[1].default_value == 0.0);
    assert_int_equal(f[1].n_dimensions, 2);
    assert_string_equal(f[1].dimensions[0].name, "EventSource");
    assert_string_equal(f[1].dimensions[0].value, "$.eventSource");
    assert_string_equal(f[1].dimensions[1].name, "User");
    assert_string_equal(f[1].dimensions[1].value, "$.userIdentity.arn");
    free(body);
    free(next);

    /* Page 2 appends; no filterPattern means "" (match everything); no token. */
    body = s_load("logs/describe-metric-filters-page2.json", &len);
    assert_int_equal(tw_proto_parse_describe_metric_filters(&f, &n, &next, s_span(body, len), &err),
                     TW_OK);
    assert_int_equal(n, 3);
    assert_null(next);
    assert_string_equal(f[0].name, "cis-cloudtrail-config-changes");
    assert_string_equal(f[2].name, "zz-everything");
    assert_string_equal(f[2].pattern, "");
    assert_true(f[2].default_value == -1.5);
    free(body);

    body = s_load("logs/describe-metric-filters-empty.json", &len);
    assert_int_equal(tw_proto_parse_describe_metric_filters(&f, &n, &next, s_span(body, len), &err),
                     TW_OK);
    assert_int_equal(n, 3);
    assert_null(next);
    free(body);
    tw_proto_filters_free(f, n);
}

static void test_describe_alarms_for_metric(void **state)
{
    struct tw_alarm *a = NULL;
    struct tw_err err;
    size_t n = 0, len;
    char *next = (char *)"junk";
    char *body = s_load("cloudwatch/describe-alarms-for-metric.xml", &len);

    (void)state;
    assert_int_equal(tw_proto_parse_describe_alarms_for_metric(&a, &n, s_span(body, len), &err),
                     TW_OK);
    assert_int_equal(n, 2);
    assert_string_equal(a[0].name, "cis-cloudtrail-config-changes");
    assert_string_equal(a[0].arn,
                        "arn:aws:cloudwatch:us-east-1:111122223333:alarm:cis-cloudtrail-config-changes");
    assert_int_equal(a[0].actions_enabled, 1);
    assert_int_equal(a[0].n_alarm_actions, 2); /* OK/InsufficientData actions are not mixed in */
    assert_string_equal(a[0].alarm_actions[0], "arn:aws:sns:us-east-1:111122223333:cis-alarms");
    assert_string_equal(a[0].alarm_actions[1], "arn:aws:sns:us-east-1:111122223333:secops-pager");
    assert_string_equal(a[0].state_value, "OK");
    assert_string_equal(a[0].metric_name, "CloudTrailConfigChanges");
    assert_string_equal(a[0].namespace_, "CloudTrailMetrics");
    assert_int_equal(a[0].n_dimensions, 0);
    assert_int_equal(a[0].n_metrics, 0);
    assert_string_equal(a[0].statistic, "Sum");
    assert_string_equal(a[0].comparison_operator, "GreaterThanOrEqualToThreshold");
    assert_int_equal(a[0].have_threshold, 1);
    assert_true(a[0].threshold == 1.0);
    assert_int_equal(a[0].have_evaluation_periods, 1);
    assert_int_equal(a[0].evaluation_periods, 1);
    assert_int_equal(a[0].have_datapoints_to_alarm, 1);
    assert_int_equal(a[0].datapoints_to_alarm, 1);
    assert_string_equal(a[0].treat_missing_data, "notBreaching");

    assert_string_equal(a[1].name, "cloudtrail-changes & friends");
    assert_int_equal(a[1].actions_enabled, 0);
    assert_int_equal(a[1].n_alarm_actions, 1);
    assert_int_equal(a[1].n_dimensions, 2);
    assert_string_equal(a[1].dimensions[0].name, "EventSource");
    assert_string_equal(a[1].dimensions[0].value, "cloudtrail.amazonaws.com");
    assert_string_equal(a[1].dimensions[1].name, "Region");
    assert_string_equal(a[1].dimensions[1].value, "us-east-1");
    assert_true(a[1].threshold == 0.5);
    assert_int_equal(a[1].evaluation_periods, 5);
    assert_int_equal(a[1].have_datapoints_to_alarm, 0); /* absent, not 0 */
    assert_null(a[1].treat_missing_data);
    tw_proto_alarms_free(a, n);

    /* The DescribeAlarms parser takes this reply too (same MetricAlarms shape). */
    a = NULL;
    n = 0;
    assert_int_equal(tw_proto_parse_describe_alarms(&a, &n, &next, s_span(body, len), &err), TW_OK);
    assert_int_equal(n, 2);
    assert_null(next);
    tw_proto_alarms_free(a, n);
    free(body);

    /* ... but not the other way round. */
    body = s_load("cloudwatch/describe-alarms.xml", &len);
    a = NULL;
    n = 0;
    assert_int_equal(tw_proto_parse_describe_alarms_for_metric(&a, &n, s_span(body, len), &err),
                     TW_EPARSE);
    assert_non_null(strstr(err.msg, "expected <DescribeAlarmsForMetricResponse>"));
    assert_null(a);
    free(body);
}

static void test_describe_alarms(void **state)
{
    struct tw_alarm *a = NULL;
    const struct tw_metric_query *q;
    struct tw_err err;
    char *next = NULL;
    size_t n = 0, len;
    char *body = s_load("cloudwatch/describe-alarms.xml", &len);

    (void)state;
    assert_int_equal(tw_proto_parse_describe_alarms(&a, &n, &next, s_span(body, len), &err), TW_OK);
    assert_int_equal(n, 2); /* the composite alarm is not a MetricAlarm */
    assert_string_equal(next, "eyJuZXh0IjoiemMtYWxhcm0iLCJ2IjoxfQ==");
    /* A metric-math alarm: no top-level metric, Metrics[] instead. */
    assert_string_equal(a[0].name, "cloudtrail-changes-anomaly");
    assert_null(a[0].metric_name);
    assert_null(a[0].namespace_);
    assert_null(a[0].statistic);
    assert_int_equal(a[0].n_metrics, 3);
    q = &a[0].metrics[0];
    assert_string_equal(q->id, "m1");
    assert_int_equal(q->have_metric_stat, 1);
    assert_string_equal(q->stat_namespace, "CloudTrailMetrics");
    assert_string_equal(q->stat_metric_name, "CloudTrailConfigChanges");
    assert_int_equal(q->n_stat_dimensions, 1);
    assert_string_equal(q->stat_dimensions[0].name, "EventSource");
    assert_string_equal(q->stat_dimensions[0].value, "cloudtrail.amazonaws.com");
    assert_null(q->expression);
    assert_int_equal(q->have_return_data, 1);
    assert_int_equal(q->return_data, 0);
    q = &a[0].metrics[1];
    assert_string_equal(q->id, "e1");
    assert_int_equal(q->have_metric_stat, 0);
    assert_null(q->stat_metric_name);
    assert_string_equal(q->expression, "FILL(m1, 0)");
    assert_int_equal(q->have_return_data, 1);
    assert_int_equal(q->return_data, 1);
    q = &a[0].metrics[2];
    assert_string_equal(q->stat_metric_name, "IncomingLogEvents");
    assert_int_equal(q->n_stat_dimensions, 0);
    assert_int_equal(q->have_return_data, 0); /* absent: AWS's default (true) is not invented */
    assert_string_equal(a[0].treat_missing_data, "missing");
    /* A plain alarm with an empty <AlarmActions/> and a percentile statistic. */
    assert_string_equal(a[1].name, "root-usage");
    assert_int_equal(a[1].n_alarm_actions, 0);
    assert_null(a[1].alarm_actions);
    assert_null(a[1].statistic);
    assert_true(a[1].threshold > 0.00099 && a[1].threshold < 0.00101);
    assert_string_equal(a[1].state_value, "ALARM");
    free(body);
    free(next);

    /* The last page appends nothing and has no token. */
    body = s_load("cloudwatch/describe-alarms-last.xml", &len);
    assert_int_equal(tw_proto_parse_describe_alarms(&a, &n, &next, s_span(body, len), &err), TW_OK);
    assert_int_equal(n, 2);
    assert_null(next);
    tw_proto_alarms_free(a, n);
    free(body);
}

static void test_list_subscriptions(void **state)
{
    struct tw_subscription *s = NULL;
    struct tw_err err;
    char *next = NULL;
    size_t n = 0, len;
    char *body = s_load("sns/list-subscriptions-by-topic.xml", &len);

    (void)state;
    assert_int_equal(tw_proto_parse_list_subscriptions_by_topic(&s, &n, &next, s_span(body, len),
                                                                &err),
                     TW_OK);
    assert_int_equal(n, 4);
    assert_string_equal(next, "QUFBQUFCWVRWRmRUWmpNME16UTJUVFE9");
    assert_string_equal(s[0].arn,
                        "arn:aws:sns:us-east-1:111122223333:cis-alarms:6b0e71bd-7e97-4d97-80ce-4a0994e55286");
    assert_string_equal(s[0].protocol, "email");
    assert_string_equal(s[0].endpoint, "secops@example.com");
    assert_string_equal(s[1].arn, TW_SNS_PENDING);
    assert_string_equal(s[1].endpoint, "new-hire@example.com");
    assert_string_equal(s[2].protocol, "lambda");
    assert_string_equal(s[3].endpoint, "https://hooks.example.com/sns?team=sec&prio=high");
    free(body);
    free(next);

    body = s_load("sns/list-subscriptions-by-topic-last.xml", &len);
    assert_int_equal(tw_proto_parse_list_subscriptions_by_topic(&s, &n, &next, s_span(body, len),
                                                                &err),
                     TW_OK);
    assert_int_equal(n, 4);
    assert_null(next);
    tw_proto_subscriptions_free(s, n);
    free(body);
}

static void test_sts(void **state)
{
    struct tw_creds c;
    struct tw_err err;
    char *account = NULL, *arn = NULL;
    size_t len;
    char *body = s_load("sts/assume-role.xml", &len);

    (void)state;
    assert_int_equal(tw_proto_parse_assume_role(&c, s_span(body, len), &err), TW_OK);
    assert_string_equal(c.access_key_id, "ASIAIOSFODNN7EXAMPLE");
    assert_string_equal(c.secret_access_key, "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY");
    assert_memory_equal(c.session_token, "IQoJb3JpZ2luX2VjEOz", 19);
    assert_true(strlen(c.session_token) > 300);
    assert_int_equal((int64_t)c.expiration, 1732724100); /* 2024-11-27T16:15:00Z */
    assert_string_equal(c.source, "sts:AssumeRole");
    tw_creds_cleanup(&c);
    free(body);

    body = s_load("sts/get-caller-identity.xml", &len);
    assert_int_equal(tw_proto_parse_get_caller_identity(&account, &arn, s_span(body, len), &err),
                     TW_OK);
    assert_string_equal(account, "111122223333");
    assert_string_equal(arn, "arn:aws:sts::111122223333:assumed-role/trailwatch-function-role/trailwatch");
    free(account);
    free(arn);
    free(body);
}

static void test_put_evaluations(void **state)
{
    struct tw_evaluation sent[3];
    unsigned char failed[3] = { 9, 9, 9 };
    struct tw_err err;
    size_t n = 99, len;
    char *body = s_load("config/put-evaluations-ok.json", &len);

    (void)state;
    memset(sent, 0, sizeof(sent));
    for (size_t i = 0; i < 3; i++) {
        sent[i].resource_type = "AWS::::Account";
        sent[i].resource_id = i == 1 ? "444455556666" : "111122223333";
        sent[i].compliance = i == 0 ? TW_COMPLIANT : TW_NON_COMPLIANT;
    }
    assert_int_equal(tw_proto_parse_put_evaluations(&n, failed, sent, 3, s_span(body, len), &err),
                     TW_OK);
    assert_int_equal(n, 0);
    assert_memory_equal(failed, "\0\0\0", 3);
    free(body);

    /* The failed item is the third sent (same type, id and compliance). */
    body = s_load("config/put-evaluations-failed.json", &len);
    assert_int_equal(tw_proto_parse_put_evaluations(&n, failed, sent, 3, s_span(body, len), &err),
                     TW_OK);
    assert_int_equal(n, 1);
    assert_memory_equal(failed, "\0\0\1", 3);
    /* Counting only. */
    assert_int_equal(tw_proto_parse_put_evaluations(&n, NULL, NULL, 0, s_span(body, len), &err),
                     TW_OK);
    assert_int_equal(n, 1);
    /* Nothing sent matches: a reply we cannot act on. */
    sent[2].compliance = TW_COMPLIANT;
    assert_int_equal(tw_proto_parse_put_evaluations(&n, failed, sent, 3, s_span(body, len), &err),
                     TW_EPARSE);
    assert_int_equal(n, 0);
    assert_memory_equal(failed, "\0\0\0", 3);
    assert_non_null(strstr(err.msg, "matches no evaluation sent"));
    free(body);
    /* Empty object: nothing failed. */
    assert_int_equal(tw_proto_parse_put_evaluations(&n, NULL, NULL, 0, tw_span_cstr("{}"), &err),
                     TW_OK);
    assert_int_equal(n, 0);
}

/* ---- wrong types, absent members ------------------------------------------------------------ */

#define ARN_T "\"TrailARN\":\"arn:aws:cloudtrail:us-east-1:111122223333:trail/x\""
#define CW_HEAD "<DescribeAlarmsResponse><DescribeAlarmsResult><MetricAlarms><member>"
#define CW_TAIL "</member></MetricAlarms></DescribeAlarmsResult></DescribeAlarmsResponse>"
#define CW_OK "<AlarmName>a</AlarmName><ActionsEnabled>true</ActionsEnabled>"
#define SNS_HEAD \
    "<ListSubscriptionsByTopicResponse><ListSubscriptionsByTopicResult><Subscriptions><member>"
#define SNS_TAIL "</member></Subscriptions></ListSubscriptionsByTopicResult></ListSubscriptionsByTopicResponse>"
#define STS_HEAD "<AssumeRoleResponse><AssumeRoleResult><Credentials>"
#define STS_TAIL "</Credentials></AssumeRoleResult></AssumeRoleResponse>"

static const struct {
    enum s_kind kind;
    const char *body;
    int rc;
    const char *msg; /* substring of err.msg on failure */
} s_cases[] = {
    /* DescribeTrails */
    { P_TRAILS, "{}", TW_OK, NULL },
    { P_TRAILS, "{\"trailList\":null}", TW_OK, NULL },
    { P_TRAILS, "{\"trailList\":[{\"Name\":\"x\"," ARN_T ",\"HomeRegion\":null,\"Unknown\":{\"a\":[1]}}]}",
      TW_OK, NULL },
    { P_TRAILS, "[]", TW_EPARSE, "not a JSON object" },
    { P_TRAILS, "{\"trailList\":{}}", TW_EPARSE, "\"trailList\" must be an array, not an object" },
    { P_TRAILS, "{\"trailList\":[1]}", TW_EPARSE, "trailList[0]: item is not an object" },
    { P_TRAILS, "{\"trailList\":[{\"Name\":5," ARN_T "}]}", TW_EPARSE,
      "trailList[0]: field \"Name\" must be a string, not a number" },
    { P_TRAILS, "{\"trailList\":[{\"Name\":\"x\"}]}", TW_EPARSE, "\"TrailARN\" is missing" },
    { P_TRAILS, "{\"trailList\":[{\"Name\":\"x\",\"TrailARN\":\"trail/x\"}]}", TW_EPARSE,
      "\"TrailARN\" is not an ARN" },
    { P_TRAILS, "{\"trailList\":[{\"Name\":\"x\",\"TrailARN\":\"arn:aws:cloudtrail:us-east-1::trail/x\"}]}",
      TW_EPARSE, "\"TrailARN\" is not an ARN with an account" },
    { P_TRAILS, "{\"trailList\":[{\"Name\":\"x\"," ARN_T ",\"IsMultiRegionTrail\":\"true\"}]}",
      TW_EPARSE, "\"IsMultiRegionTrail\" must be a boolean, not a string" },
    { P_TRAILS, "{\"trailList\":[{\"Name\":\"x\"," ARN_T ",\"IsOrganizationTrail\":1}]}", TW_EPARSE,
      "IsOrganizationTrail" },
    { P_TRAILS, "{\"trailList\":[{\"Name\":\"x\"," ARN_T ",\"CloudWatchLogsLogGroupArn\":[]}]}",
      TW_EPARSE, "CloudWatchLogsLogGroupArn" },
    /* GetTrailStatus */
    { P_STATUS, "{\"IsLogging\":false}", TW_OK, NULL },
    { P_STATUS, "{}", TW_EPARSE, "\"IsLogging\" is missing" },
    { P_STATUS, "{\"IsLogging\":\"true\"}", TW_EPARSE, "IsLogging" },
    { P_STATUS, "{\"IsLogging\":true,\"LatestCloudWatchLogsDeliveryTime\":\"soon\"}", TW_EPARSE,
      "LatestCloudWatchLogsDeliveryTime" },
    { P_STATUS, "{\"IsLogging\":true,\"LatestCloudWatchLogsDeliveryTime\":-5}", TW_EPARSE,
      "LatestCloudWatchLogsDeliveryTime" },
    { P_STATUS, "{\"IsLogging\":true,\"LatestCloudWatchLogsDeliveryError\":7}", TW_EPARSE,
      "LatestCloudWatchLogsDeliveryError" },
    /* GetEventSelectors */
    { P_SELECTORS, "{\"TrailARN\":\"x\"}", TW_OK, NULL },
    { P_SELECTORS, "{\"EventSelectors\":[],\"AdvancedEventSelectors\":[{\"FieldSelectors\":[]}]}",
      TW_OK, NULL },
    { P_SELECTORS, "{\"EventSelectors\":[{\"ReadWriteType\":\"Sometimes\"}]}", TW_EPARSE,
      "EventSelectors[0]: field \"ReadWriteType\" is \"Sometimes\"" },
    { P_SELECTORS, "{\"EventSelectors\":[{\"IncludeManagementEvents\":\"yes\"}]}", TW_EPARSE,
      "IncludeManagementEvents" },
    { P_SELECTORS, "{\"EventSelectors\":[{\"ExcludeManagementEventSources\":\"kms\"}]}", TW_EPARSE,
      "ExcludeManagementEventSources" },
    { P_SELECTORS, "{\"EventSelectors\":[{}],\"AdvancedEventSelectors\":[{\"FieldSelectors\":[]}]}",
      TW_EPARSE, "both" },
    { P_SELECTORS, "{\"AdvancedEventSelectors\":[{\"Name\":\"x\"}]}", TW_EPARSE,
      "AdvancedEventSelectors[0]: field \"FieldSelectors\" is missing" },
    { P_SELECTORS, "{\"AdvancedEventSelectors\":[{\"FieldSelectors\":[{\"Equals\":[\"x\"]}]}]}",
      TW_EPARSE, "FieldSelectors[0]: field \"Field\" is missing" },
    { P_SELECTORS,
      "{\"AdvancedEventSelectors\":[{\"FieldSelectors\":[{\"Field\":\"f\"},{\"Field\":\"g\","
      "\"NotEndsWith\":[\"a\",null]}]}]}",
      TW_EPARSE, "FieldSelectors[1]: field \"NotEndsWith\" item 1 must be a string, not null" },
    { P_SELECTORS, "{\"AdvancedEventSelectors\":{}}", TW_EPARSE, "AdvancedEventSelectors" },
    { P_SELECTORS, "{\"EventSelectors\":[1]}", TW_EPARSE, "EventSelectors[0]: item is not an object" },
    { P_SELECTORS, "{\"EventSelectors\":[{\"ReadWriteType\":5}]}", TW_EPARSE,
      "EventSelectors[0]: field \"ReadWriteType\" must be a string" },
    { P_SELECTORS, "{\"AdvancedEventSelectors\":[[]]}", TW_EPARSE,
      "AdvancedEventSelectors[0]: item is not an object" },
    { P_SELECTORS, "{\"AdvancedEventSelectors\":[{\"FieldSelectors\":[\"Field\"]}]}", TW_EPARSE,
      "FieldSelectors[0]: item is not an object" },
    /* DescribeMetricFilters */
    { P_FILTERS, "{\"metricFilters\":[],\"nextToken\":\"\"}", TW_OK, NULL },
    { P_FILTERS, "{\"metricFilters\":[{\"filterName\":\"f\"}]}", TW_EPARSE,
      "metricFilters[0]: field \"metricTransformations\" is missing" },
    { P_FILTERS, "{\"metricFilters\":[{\"filterName\":\"f\",\"metricTransformations\":[]}]}",
      TW_EPARSE, "must hold one object" },
    { P_FILTERS,
      "{\"metricFilters\":[{\"filterName\":\"f\",\"metricTransformations\":[{\"metricName\":\"m\","
      "\"metricNamespace\":\"n\",\"metricValue\":1}]}]}",
      TW_EPARSE, "metricTransformations[0]: field \"metricValue\" must be a string" },
    { P_FILTERS,
      "{\"metricFilters\":[{\"filterName\":\"f\",\"metricTransformations\":[{\"metricName\":\"m\","
      "\"metricNamespace\":\"n\",\"metricValue\":\"1\",\"defaultValue\":\"0\"}]}]}",
      TW_EPARSE, "defaultValue" },
    { P_FILTERS,
      "{\"metricFilters\":[{\"filterName\":\"f\",\"metricTransformations\":[{\"metricName\":\"m\","
      "\"metricNamespace\":\"n\",\"metricValue\":\"1\",\"dimensions\":{\"a\":1}}]}]}",
      TW_EPARSE, "\"dimensions\" entry \"a\" must be a string" },
    { P_FILTERS,
      "{\"metricFilters\":[{\"filterName\":\"f\",\"metricTransformations\":[{\"metricName\":\"m\","
      "\"metricNamespace\":\"n\",\"metricValue\":\"1\",\"dimensions\":[]}]}]}",
      TW_EPARSE, "\"dimensions\" must be an object" },
    { P_FILTERS, "{\"metricFilters\":[{\"metricTransformations\":[{}]}]}", TW_EPARSE, "filterName" },
    { P_FILTERS, "{\"metricFilters\":[null]}", TW_EPARSE, "metricFilters[0]: item is not an object" },
    { P_FILTERS,
      "{\"metricFilters\":[{\"filterName\":\"f\",\"metricTransformations\":[{\"metricName\":\"m\","
      "\"metricNamespace\":\"n\",\"metricValue\":\"1\",\"dimensions\":{}}]}]}",
      TW_OK, NULL },
    { P_FILTERS, "{\"metricFilters\":[],\"nextToken\":5}", TW_EPARSE, "nextToken" },
    { P_FILTERS, "{\"metricFilters\":[],\"nextToken\":\"tok\"} x", TW_EPARSE, "not one complete" },
    /* DescribeAlarms */
    { P_ALARMS, "<DescribeAlarmsResponse><DescribeAlarmsResult/></DescribeAlarmsResponse>", TW_OK,
      NULL },
    { P_ALARMS, CW_HEAD CW_OK "<Unknown><member>1</member></Unknown>" CW_TAIL, TW_OK, NULL },
    { P_ALARMS, CW_HEAD "<ActionsEnabled>true</ActionsEnabled>" CW_TAIL, TW_EPARSE,
      "MetricAlarms member 1: missing element <AlarmName>" },
    { P_ALARMS, CW_HEAD "<AlarmName>a</AlarmName>" CW_TAIL, TW_EPARSE,
      "missing element <ActionsEnabled>" },
    { P_ALARMS, CW_HEAD "<AlarmName>a</AlarmName><ActionsEnabled>yes</ActionsEnabled>" CW_TAIL,
      TW_EPARSE, "<ActionsEnabled> is not a boolean" },
    { P_ALARMS, CW_HEAD CW_OK "<Threshold>abc</Threshold>" CW_TAIL, TW_EPARSE,
      "<Threshold> is not a number" },
    { P_ALARMS, CW_HEAD CW_OK "<EvaluationPeriods>-1</EvaluationPeriods>" CW_TAIL, TW_EPARSE,
      "<EvaluationPeriods> is not an integer" },
    { P_ALARMS, CW_HEAD CW_OK "<Dimensions><member><Name>n</Name></member></Dimensions>" CW_TAIL,
      TW_EPARSE, "Dimensions member 1: missing element <Value>" },
    { P_ALARMS, CW_HEAD CW_OK "<Metrics><member><Expression>m1</Expression></member></Metrics>" CW_TAIL,
      TW_EPARSE, "Metrics member 1: missing element <Id>" },
    { P_ALARMS, CW_HEAD CW_OK "<Metrics><member><Id>m</Id><ReturnData>1</ReturnData></member></Metrics>"
      CW_TAIL, TW_EPARSE, "<ReturnData> is not a boolean" },
    { P_ALARMS, CW_HEAD CW_OK "<Metrics><member><Id>m</Id><MetricStat><Metric><Dimensions><member>"
      "<Value>v</Value></member></Dimensions></Metric></MetricStat></member></Metrics>" CW_TAIL,
      TW_EPARSE, "Metrics member 1: MetricStat: Dimensions member 1: missing element <Name>" },
    { P_ALARMS, "<ErrorResponse><Error><Code>Throttling</Code></Error></ErrorResponse>", TW_EPARSE,
      "expected <DescribeAlarmsResponse>, got <ErrorResponse>" },
    { P_ALARMS, "<DescribeAlarmsResponse><ResponseMetadata/></DescribeAlarmsResponse>", TW_EPARSE,
      "has no <DescribeAlarmsResult>" },
    { P_ALARMS_FOR_METRIC,
      "<DescribeAlarmsForMetricResponse><DescribeAlarmsForMetricResult><MetricAlarms/>"
      "</DescribeAlarmsForMetricResult></DescribeAlarmsForMetricResponse>",
      TW_OK, NULL },
    /* ListSubscriptionsByTopic */
    { P_SUBSCRIPTIONS, SNS_HEAD "<SubscriptionArn>PendingConfirmation</SubscriptionArn>"
      "<Protocol>email</Protocol>" SNS_TAIL, TW_OK, NULL },
    { P_SUBSCRIPTIONS, SNS_HEAD "<Protocol>email</Protocol>" SNS_TAIL, TW_EPARSE,
      "Subscriptions member 1: missing element <SubscriptionArn>" },
    { P_SUBSCRIPTIONS, SNS_HEAD "<SubscriptionArn>a</SubscriptionArn>" SNS_TAIL, TW_EPARSE,
      "missing element <Protocol>" },
    /* AssumeRole */
    { P_ASSUME_ROLE, STS_HEAD "<AccessKeyId>A</AccessKeyId><SecretAccessKey>S</SecretAccessKey>"
      "<SessionToken>T</SessionToken><Expiration>2024-11-27T16:15:00.123Z</Expiration>" STS_TAIL,
      TW_OK, NULL },
    { P_ASSUME_ROLE, STS_HEAD "<AccessKeyId>A</AccessKeyId><SecretAccessKey>S</SecretAccessKey>"
      "<Expiration>2024-11-27T16:15:00Z</Expiration>" STS_TAIL, TW_EPARSE, "<SessionToken>" },
    { P_ASSUME_ROLE, STS_HEAD "<AccessKeyId>A</AccessKeyId><SecretAccessKey>S</SecretAccessKey>"
      "<SessionToken>T</SessionToken><Expiration>tomorrow</Expiration>" STS_TAIL, TW_EPARSE,
      "Expiration" },
    { P_ASSUME_ROLE, STS_HEAD "<AccessKeyId>A B</AccessKeyId><SecretAccessKey>S</SecretAccessKey>"
      "<SessionToken>T</SessionToken><Expiration>2024-11-27T16:15:00Z</Expiration>" STS_TAIL,
      TW_EPARSE, "whitespace" },
    { P_ASSUME_ROLE, STS_HEAD "<AccessKeyId></AccessKeyId><SecretAccessKey>S</SecretAccessKey>"
      "<SessionToken>T</SessionToken><Expiration>2024-11-27T16:15:00Z</Expiration>" STS_TAIL,
      TW_EPARSE, "<AccessKeyId>" },
    /* GetCallerIdentity */
    { P_CALLER, "<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>a</Arn>"
      "</GetCallerIdentityResult></GetCallerIdentityResponse>", TW_EPARSE, "<Account>" },
    /* PutEvaluations */
    { P_PUT_EVALUATIONS, "{\"FailedEvaluations\":{}}", TW_EPARSE, "FailedEvaluations" },
    { P_PUT_EVALUATIONS, "{\"FailedEvaluations\":[1]}", TW_EPARSE,
      "FailedEvaluations[0] is not an object" },
    { P_PUT_EVALUATIONS, "", TW_EPARSE, "not one complete JSON value" },
};

static void test_parse_table(void **state)
{
    struct tw_err err;

    (void)state;
    for (size_t i = 0; i < TW_ARRAY_LEN(s_cases); i++) {
        int rc = s_run(s_cases[i].kind, tw_span_cstr(s_cases[i].body), &err);
        if (rc != s_cases[i].rc)
            fail_msg("case %zu (%s): rc %d, want %d; msg \"%s\"", i, s_kind_names[s_cases[i].kind],
                     rc, s_cases[i].rc, err.msg);
        if (s_cases[i].msg && !strstr(err.msg, s_cases[i].msg))
            fail_msg("case %zu: msg \"%s\" lacks \"%s\"", i, err.msg, s_cases[i].msg);
    }
}

/* Documented normalisations: "" tokens are no token, an empty log group ARN
 * delivers nowhere, an empty delivery error is no error. */
static void test_empty_members(void **state)
{
    static const char alarms[] =
        "<DescribeAlarmsResponse><DescribeAlarmsResult><MetricAlarms/><NextToken></NextToken>"
        "</DescribeAlarmsResult></DescribeAlarmsResponse>";
    static const char subs[] =
        "<ListSubscriptionsByTopicResponse><ListSubscriptionsByTopicResult><Subscriptions/>"
        "<NextToken/></ListSubscriptionsByTopicResult></ListSubscriptionsByTopicResponse>";
    struct tw_alarm *a = NULL;
    struct tw_subscription *sub = NULL;
    struct tw_trail *t = NULL, status;
    size_t n = 0;
    char *next = (char *)"junk";
    struct tw_err err;

    (void)state;
    tw_err_clear(&err);
    assert_int_equal(tw_proto_parse_describe_alarms(&a, &n, &next, tw_span_cstr(alarms), &err),
                     TW_OK);
    assert_int_equal(n, 0);
    assert_null(next);
    next = (char *)"junk";
    assert_int_equal(
        tw_proto_parse_list_subscriptions_by_topic(&sub, &n, &next, tw_span_cstr(subs), &err),
        TW_OK);
    assert_int_equal(n, 0);
    assert_null(next);

    assert_int_equal(tw_proto_parse_describe_trails(
                         &t, &n,
                         tw_span_cstr("{\"trailList\":[{\"Name\":\"x\"," ARN_T
                                      ",\"CloudWatchLogsLogGroupArn\":\"\"}]}"),
                         &err),
                     TW_OK);
    assert_int_equal(n, 1);
    assert_null(t[0].log_group_arn);
    tw_proto_trails_free(t, n);

    memset(&status, 0, sizeof(status));
    status.latest_cwl_delivery_error = tw_strdup("old");
    assert_int_equal(tw_proto_parse_get_trail_status(
                         &status,
                         tw_span_cstr("{\"IsLogging\":true,\"LatestCloudWatchLogsDeliveryError\":\"\"}"),
                         &err),
                     TW_OK);
    assert_int_equal(status.is_logging, 1);
    assert_null(status.latest_cwl_delivery_error);
    tw_trail_cleanup(&status);
}

/* ---- broken bodies ---------------------------------------------------------------------------- */

static void test_garbage(void **state)
{
    static const char *const json_bad[] = {
        "",
        "null",
        "\"string\"",
        "garbage",
        "\xff\xfe{\0}",
        "{\"trailList\":[{\"Name\":\"caf\xC3\"}]}",
        "<html><body>502 Bad Gateway</body></html>",
        "<ErrorResponse><Error><Code>X</Code></Error></ErrorResponse>",
        "{\"trailList\":[{\"Name\":\"half\",,\"IsLogging\":tru",
    };
    static const char *const xml_bad[] = {
        "",
        "garbage",
        "{\"MetricAlarms\":[]}",
        "<a>\xc3\x28</a>",
        "<r><member>half</Na\x01me></r",
        "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;\">]>"
        "<r>&b;</r>",
        "<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><r>&x;</r>",
        "<Other/>",
    };
    struct tw_err err;

    (void)state;
    for (int k = P_TRAILS; k <= P_PUT_EVALUATIONS; k++) {
        const char *const *bad = s_is_query((enum s_kind)k) ? xml_bad : json_bad;
        size_t n = s_is_query((enum s_kind)k) ? TW_ARRAY_LEN(xml_bad) : TW_ARRAY_LEN(json_bad);
        for (size_t i = 0; i < n; i++) {
            /* The one with an embedded NUL is 5 bytes long. */
            size_t len = bad[i][0] == '\xff' ? 5 : strlen(bad[i]);
            int rc = s_run((enum s_kind)k, (struct tw_span){ bad[i], len }, &err);
            if (rc != TW_EPARSE)
                fail_msg("%s, body %zu: rc %d (%s)", s_kind_names[k], i, rc, err.msg);
        }
    }
}

/* Every fixture cut short (many offsets): a clean TW_EPARSE, no crash, no
 * leak, outputs untouched; once only trailing whitespace is missing, TW_OK. */
static void test_truncation(void **state)
{
    static const struct {
        enum s_kind kind;
        const char *file;
    } fixtures[] = {
        { P_TRAILS, "cloudtrail/describe-trails.json" },
        { P_TRAILS, "cloudtrail/describe-trails-empty.json" },
        { P_STATUS, "cloudtrail/get-trail-status.json" },
        { P_STATUS, "cloudtrail/get-trail-status-delivery-error.json" },
        { P_SELECTORS, "cloudtrail/get-event-selectors-basic.json" },
        { P_SELECTORS, "cloudtrail/get-event-selectors-advanced.json" },
        { P_FILTERS, "logs/describe-metric-filters-page1.json" },
        { P_FILTERS, "logs/describe-metric-filters-page2.json" },
        { P_ALARMS_FOR_METRIC, "cloudwatch/describe-alarms-for-metric.xml" },
        { P_ALARMS, "cloudwatch/describe-alarms.xml" },
        { P_ALARMS, "cloudwatch/describe-alarms-last.xml" },
        { P_SUBSCRIPTIONS, "sns/list-subscriptions-by-topic.xml" },
        { P_SUBSCRIPTIONS, "sns/list-subscriptions-by-topic-last.xml" },
        { P_ASSUME_ROLE, "sts/assume-role.xml" },
        { P_CALLER, "sts/get-caller-identity.xml" },
        { P_PUT_EVALUATIONS, "config/put-evaluations-ok.json" },
        { P_PUT_EVALUATIONS, "config/put-evaluations-failed.json" },
    };
    struct tw_err err;
    size_t total = 0;

    (void)state;
    for (size_t f = 0; f < TW_ARRAY_LEN(fixtures); f++) {
        size_t len, full;
        char *body = s_load(fixtures[f].file, &len);

        full = len;
        while (full > 0 && strchr(" \t\r\n", body[full - 1]))
            full--;
        assert_int_equal(s_run(fixtures[f].kind, (struct tw_span){ body, len }, &err), TW_OK);
        for (size_t cut = 0; cut <= len; cut++) {
            /* Every offset near both ends, every 7th in between. */
            if (cut > 48 && cut + 48 < len && cut % 7 != 0)
                continue;
            /* A copy of exactly `cut` bytes, so a read past the end is caught. */
            char *part = malloc(cut ? cut : 1);
            int rc;
            assert_non_null(part);
            memcpy(part, body, cut);
            rc = s_run(fixtures[f].kind, (struct tw_span){ part, cut }, &err);
            if (cut < full && rc != TW_EPARSE)
                fail_msg("%s cut at %zu of %zu: rc %d", fixtures[f].file, cut, len, rc);
            if (cut >= full && rc != TW_OK)
                fail_msg("%s cut at %zu of %zu: rc %d (%s)", fixtures[f].file, cut, len, rc,
                         err.msg);
            free(part);
            total++;
        }
        free(body);
    }
    assert_true(total > 2000);
}

/* ---- caps ---------------------------------------------------------------------------------- */

static void test_caps(void **state)
{
    struct tw_buf b;
    struct tw_err err;

    (void)state;
    /* More than TW_PROTO_MAX_ITEMS trails in one reply. */
    tw_buf_init(&b, 4u << 20);
    assert_int_equal(tw_buf_append_cstr(&b, "{\"trailList\":["), TW_OK);
    for (int i = 0; i <= TW_PROTO_MAX_ITEMS; i++)
        assert_int_equal(tw_buf_append_cstr(&b, i ? ",{}" : "{}"), TW_OK);
    assert_int_equal(tw_buf_append_cstr(&b, "]}"), TW_OK);
    assert_int_equal(s_run(P_TRAILS, tw_buf_span(&b), &err), TW_ETOOBIG);
    assert_non_null(strstr(err.msg, "more than 10000 items"));
    tw_buf_reset(&b);

    /* More than TW_PROTO_MAX_LIST alarm actions. */
    assert_int_equal(tw_buf_append_cstr(&b, CW_HEAD CW_OK "<AlarmActions>"), TW_OK);
    for (int i = 0; i <= TW_PROTO_MAX_LIST; i++)
        assert_int_equal(tw_buf_append_cstr(&b, "<member>arn:aws:sns:x</member>"), TW_OK);
    assert_int_equal(tw_buf_append_cstr(&b, "</AlarmActions>" CW_TAIL), TW_OK);
    assert_int_equal(s_run(P_ALARMS, tw_buf_span(&b), &err), TW_ETOOBIG);
    assert_non_null(strstr(err.msg, "AlarmActions has more than 1000 members"));
    tw_buf_reset(&b);

    /* A string member longer than TW_JSON_MAX_STRING. */
    assert_int_equal(tw_buf_append_cstr(&b, "{\"IsLogging\":true,"
                                            "\"LatestCloudWatchLogsDeliveryError\":\""),
                     TW_OK);
    for (int i = 0; i <= TW_JSON_MAX_STRING / 16; i++)
        assert_int_equal(tw_buf_append_cstr(&b, "0123456789abcdef"), TW_OK);
    assert_int_equal(tw_buf_append_cstr(&b, "\"}"), TW_OK);
    assert_int_equal(s_run(P_STATUS, tw_buf_span(&b), &err), TW_ETOOBIG);
    tw_buf_cleanup(&b);

    /* More than TW_PROTO_MAX_LIST dimensions on a metric filter. */
    tw_buf_init(&b, 4u << 20);
    assert_int_equal(tw_buf_append_cstr(&b, "{\"metricFilters\":[{\"filterName\":\"f\","
                                            "\"metricTransformations\":[{\"metricName\":\"m\","
                                            "\"metricNamespace\":\"n\",\"metricValue\":\"1\","
                                            "\"dimensions\":{"),
                     TW_OK);
    for (int i = 0; i <= TW_PROTO_MAX_LIST; i++)
        assert_int_equal(tw_buf_printf(&b, "%s\"d%d\":\"$.x\"", i ? "," : "", i), TW_OK);
    assert_int_equal(tw_buf_append_cstr(&b, "}}]}]}"), TW_OK);
    assert_int_equal(s_run(P_FILTERS, tw_buf_span(&b), &err), TW_ETOOBIG);
    assert_non_null(strstr(err.msg, "\"dimensions\" has more than 1000 entries"));
    tw_buf_reset(&b);

    /* A dimension value longer than TW_JSON_MAX_STRING. */
    assert_int_equal(tw_buf_append_cstr(&b, "{\"metricFilters\":[{\"filterName\":\"f\","
                                            "\"metricTransformations\":[{\"metricName\":\"m\","
                                            "\"metricNamespace\":\"n\",\"metricValue\":\"1\","
                                            "\"dimensions\":{\"d\":\""),
                     TW_OK);
    for (int i = 0; i <= TW_JSON_MAX_STRING / 16; i++)
        assert_int_equal(tw_buf_append_cstr(&b, "0123456789abcdef"), TW_OK);
    assert_int_equal(tw_buf_append_cstr(&b, "\"}}]}]}"), TW_OK);
    assert_int_equal(s_run(P_FILTERS, tw_buf_span(&b), &err), TW_ETOOBIG);
    assert_non_null(strstr(err.msg, "\"dimensions\" has an over-long entry"));
    tw_buf_cleanup(&b);

    /* Pages accumulate up to TW_PROTO_MAX_TOTAL_ITEMS: one more item than
     * that is refused before the list is touched (the list here is only
     * counted, never read: the cap is checked first). */
    {
        struct tw_metric_filter *f = NULL;
        size_t n = TW_PROTO_MAX_TOTAL_ITEMS;
        char *next = NULL;
        size_t len;
        char *body = s_load("logs/describe-metric-filters-page2.json", &len);

        assert_int_equal(tw_proto_parse_describe_metric_filters(&f, &n, &next,
                                                                (struct tw_span){ body, len }, &err),
                         TW_ETOOBIG);
        assert_non_null(strstr(err.msg, "more than 100000 items over all pages"));
        assert_null(f);
        assert_int_equal(n, TW_PROTO_MAX_TOTAL_ITEMS);
        assert_null(next);
        free(body);
    }

    /* A body past TW_PROTO_MAX_BODY is refused before parsing. */
    assert_int_equal(s_run(P_FILTERS, (struct tw_span){ "{}", TW_PROTO_MAX_BODY + 1 }, &err),
                     TW_ETOOBIG);
    assert_int_equal(s_run(P_SUBSCRIPTIONS, (struct tw_span){ "<a/>", TW_PROTO_MAX_BODY + 1 }, &err),
                     TW_ETOOBIG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_describe_trails),
        cmocka_unit_test(test_get_trail_status),
        cmocka_unit_test(test_get_event_selectors),
        cmocka_unit_test(test_describe_metric_filters),
        cmocka_unit_test(test_describe_alarms_for_metric),
        cmocka_unit_test(test_describe_alarms),
        cmocka_unit_test(test_list_subscriptions),
        cmocka_unit_test(test_sts),
        cmocka_unit_test(test_put_evaluations),
        cmocka_unit_test(test_parse_table),
        cmocka_unit_test(test_empty_members),
        cmocka_unit_test(test_garbage),
        cmocka_unit_test(test_truncation),
        cmocka_unit_test(test_caps),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
