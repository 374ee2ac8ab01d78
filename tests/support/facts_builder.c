/* facts_builder.c — see facts_builder.h. */
#include "facts_builder.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *s_grow(void *arr, size_t *n, size_t elem)
{
    char *p = realloc(arr, (*n + 1) * elem);

    if (!p) {
        fprintf(stderr, "facts_builder: out of memory\n");
        abort();
    }
    memset(p + *n * elem, 0, elem);
    (*n)++;
    return p;
}

char *fb_strdup(const char *s)
{
    char *d;

    if (!s)
        return NULL;
    d = strdup(s);
    if (!d) {
        fprintf(stderr, "facts_builder: out of memory\n");
        abort();
    }
    return d;
}

void fb_set(char **dst, const char *s)
{
    free(*dst);
    *dst = fb_strdup(s);
}

void fb_strv_add(char ***v, size_t *n, const char *s)
{
    *v = s_grow(*v, n, sizeof(**v));
    (*v)[*n - 1] = fb_strdup(s);
}

void fb_read(struct tw_read *r, enum tw_read_state state, const char *action, const char *code)
{
    tw_read_set(r, state, action, code, NULL);
}

struct tw_trail *fb_add_trail(struct tw_facts *f, const char *name, const char *home_region,
                              const char *log_group_arn)
{
    struct tw_trail *t;
    char arn[512];

    f->trails = s_grow(f->trails, &f->n_trails, sizeof(*f->trails));
    t = &f->trails[f->n_trails - 1];
    snprintf(arn, sizeof(arn), "arn:aws:cloudtrail:%s:%s:trail/%s", home_region,
             f->account_id ? f->account_id : FB_ACCOUNT, name);
    t->name = fb_strdup(name);
    t->arn = fb_strdup(arn);
    t->home_region = fb_strdup(home_region);
    t->owner_account = fb_strdup(f->account_id ? f->account_id : FB_ACCOUNT);
    t->is_multi_region = 1;
    t->log_group_arn = fb_strdup(log_group_arn);
    fb_read(&t->status_read, TW_READ_OK, "cloudtrail:GetTrailStatus", NULL);
    t->is_logging = 1;
    t->latest_cwl_delivery_ms = 1700000000000;
    fb_read(&t->selectors_read, TW_READ_OK, "cloudtrail:GetEventSelectors", NULL);
    fb_add_basic(t, TW_RW_ALL, 1);
    fb_read(&t->filters_read, TW_READ_OK, "logs:DescribeMetricFilters", NULL);
    return t;
}

void fb_clear_selectors(struct tw_trail *t)
{
    /* Reuse tw_trail_cleanup on a copy holding only the selectors. */
    struct tw_trail tmp;

    memset(&tmp, 0, sizeof(tmp));
    tmp.basic = t->basic;
    tmp.n_basic = t->n_basic;
    tmp.advanced = t->advanced;
    tmp.n_advanced = t->n_advanced;
    tw_trail_cleanup(&tmp);
    t->basic = NULL;
    t->n_basic = 0;
    t->advanced = NULL;
    t->n_advanced = 0;
}

struct tw_basic_selector *fb_add_basic(struct tw_trail *t, enum tw_read_write rw, int mgmt)
{
    struct tw_basic_selector *b;

    t->basic = s_grow(t->basic, &t->n_basic, sizeof(*t->basic));
    b = &t->basic[t->n_basic - 1];
    b->read_write_type = rw;
    b->include_management_events = mgmt;
    return b;
}

struct tw_advanced_selector *fb_add_advanced(struct tw_trail *t, const char *name)
{
    struct tw_advanced_selector *a;

    t->advanced = s_grow(t->advanced, &t->n_advanced, sizeof(*t->advanced));
    a = &t->advanced[t->n_advanced - 1];
    a->name = fb_strdup(name);
    return a;
}

struct tw_field_selector *fb_add_field(struct tw_advanced_selector *a, const char *field)
{
    struct tw_field_selector *fs;

    a->fields = s_grow(a->fields, &a->n_fields, sizeof(*a->fields));
    fs = &a->fields[a->n_fields - 1];
    fs->field = fb_strdup(field);
    return fs;
}

struct tw_field_selector *fb_add_cond(struct tw_advanced_selector *a, const char *field,
                                      const char *op, ...)
{
    struct tw_field_selector *fs = fb_add_field(a, field);
    char ***v;
    size_t *n;
    va_list ap;
    const char *s;

    if (strcmp(op, "Equals") == 0) {
        v = &fs->equals;
        n = &fs->n_equals;
    } else if (strcmp(op, "StartsWith") == 0) {
        v = &fs->starts_with;
        n = &fs->n_starts_with;
    } else if (strcmp(op, "EndsWith") == 0) {
        v = &fs->ends_with;
        n = &fs->n_ends_with;
    } else if (strcmp(op, "NotEquals") == 0) {
        v = &fs->not_equals;
        n = &fs->n_not_equals;
    } else if (strcmp(op, "NotStartsWith") == 0) {
        v = &fs->not_starts_with;
        n = &fs->n_not_starts_with;
    } else if (strcmp(op, "NotEndsWith") == 0) {
        v = &fs->not_ends_with;
        n = &fs->n_not_ends_with;
    } else {
        fprintf(stderr, "facts_builder: unknown operator %s\n", op);
        abort();
    }
    va_start(ap, op);
    while ((s = va_arg(ap, const char *)) != NULL)
        fb_strv_add(v, n, s);
    va_end(ap);
    return fs;
}

struct tw_metric_filter *fb_add_filter(struct tw_trail *t, const char *name, const char *pattern,
                                       const char *ns, const char *metric, const char *value)
{
    struct tw_metric_filter *m;

    t->filters = s_grow(t->filters, &t->n_filters, sizeof(*t->filters));
    m = &t->filters[t->n_filters - 1];
    m->name = fb_strdup(name);
    m->pattern = fb_strdup(pattern);
    m->metric_name = fb_strdup(metric);
    m->metric_namespace = fb_strdup(ns);
    m->metric_value = fb_strdup(value);
    return m;
}

void fb_add_dimension(struct tw_dimension **d, size_t *n, const char *name, const char *value)
{
    *d = s_grow(*d, n, sizeof(**d));
    (*d)[*n - 1].name = fb_strdup(name);
    (*d)[*n - 1].value = fb_strdup(value);
}

struct tw_alarm_lookup *fb_add_lookup(struct tw_facts *f, const char *region, const char *ns,
                                      const char *metric)
{
    struct tw_alarm_lookup *l;

    f->alarm_lookups = s_grow(f->alarm_lookups, &f->n_alarm_lookups, sizeof(*f->alarm_lookups));
    l = &f->alarm_lookups[f->n_alarm_lookups - 1];
    l->region = fb_strdup(region);
    l->metric_namespace = fb_strdup(ns);
    l->metric_name = fb_strdup(metric);
    fb_read(&l->read, TW_READ_OK, "cloudwatch:DescribeAlarmsForMetric", NULL);
    return l;
}

static struct tw_alarm *s_alarm(struct tw_alarm **arr, size_t *n, const char *name,
                                const char *region, const char *action)
{
    struct tw_alarm *a;
    char arn[512];

    *arr = s_grow(*arr, n, sizeof(**arr));
    a = &(*arr)[*n - 1];
    snprintf(arn, sizeof(arn), "arn:aws:cloudwatch:%s:%s:alarm:%s", region, FB_ACCOUNT, name);
    a->name = fb_strdup(name);
    a->arn = fb_strdup(arn);
    a->actions_enabled = 1;
    if (action)
        fb_strv_add(&a->alarm_actions, &a->n_alarm_actions, action);
    a->state_value = fb_strdup("OK");
    a->treat_missing_data = fb_strdup("notBreaching");
    return a;
}

struct tw_alarm *fb_add_alarm(struct tw_alarm_lookup *l, const char *name, const char *ns,
                              const char *metric, const char *action)
{
    struct tw_alarm *a = s_alarm(&l->alarms, &l->n_alarms, name, l->region, action);

    a->metric_name = fb_strdup(metric);
    a->namespace_ = fb_strdup(ns);
    a->statistic = fb_strdup("Sum");
    a->comparison_operator = fb_strdup("GreaterThanOrEqualToThreshold");
    a->have_threshold = 1;
    a->threshold = 1;
    a->have_evaluation_periods = 1;
    a->evaluation_periods = 1;
    return a;
}

struct tw_region_alarms *fb_add_region_alarms(struct tw_facts *f, const char *region)
{
    struct tw_region_alarms *r;

    f->region_alarms = s_grow(f->region_alarms, &f->n_region_alarms, sizeof(*f->region_alarms));
    r = &f->region_alarms[f->n_region_alarms - 1];
    r->region = fb_strdup(region);
    fb_read(&r->read, TW_READ_OK, "cloudwatch:DescribeAlarms", NULL);
    return r;
}

struct tw_alarm *fb_add_math_alarm(struct tw_region_alarms *r, const char *name, const char *ns,
                                   const char *metric, const char *action)
{
    struct tw_alarm *a = s_alarm(&r->alarms, &r->n_alarms, name, r->region, action);
    struct tw_metric_query *q;

    a->metrics = calloc(2, sizeof(*a->metrics));
    if (!a->metrics)
        abort();
    a->n_metrics = 2;
    q = &a->metrics[0];
    q->id = fb_strdup("m1");
    q->have_metric_stat = 1;
    q->stat_namespace = fb_strdup(ns);
    q->stat_metric_name = fb_strdup(metric);
    q->have_return_data = 1;
    q->return_data = 0;
    q = &a->metrics[1];
    q->id = fb_strdup("e1");
    q->expression = fb_strdup("FILL(m1, 0)");
    q->have_return_data = 1;
    q->return_data = 1;
    a->comparison_operator = fb_strdup("GreaterThanOrEqualToThreshold");
    a->have_threshold = 1;
    a->threshold = 1;
    a->have_evaluation_periods = 1;
    a->evaluation_periods = 1;
    return a;
}

struct tw_topic *fb_add_topic(struct tw_facts *f, const char *arn)
{
    struct tw_topic *t;

    f->topics = s_grow(f->topics, &f->n_topics, sizeof(*f->topics));
    t = &f->topics[f->n_topics - 1];
    t->arn = fb_strdup(arn);
    fb_read(&t->read, TW_READ_OK, "sns:ListSubscriptionsByTopic", NULL);
    return t;
}

void fb_add_subscription(struct tw_topic *t, const char *arn, const char *protocol)
{
    struct tw_subscription *s;

    t->subscriptions = s_grow(t->subscriptions, &t->n_subscriptions, sizeof(*t->subscriptions));
    s = &t->subscriptions[t->n_subscriptions - 1];
    s->arn = fb_strdup(arn);
    s->protocol = fb_strdup(protocol);
    s->endpoint = fb_strdup("secops@example.com");
}

void fb_compliant(struct tw_facts *f)
{
    struct tw_trail *t;
    struct tw_alarm_lookup *l;
    struct tw_topic *topic;

    memset(f, 0, sizeof(*f));
    f->account_id = fb_strdup(FB_ACCOUNT);
    f->region = fb_strdup(FB_REGION);
    f->partition = fb_strdup("aws");
    fb_read(&f->trails_read, TW_READ_OK, "cloudtrail:DescribeTrails", NULL);
    t = fb_add_trail(f, FB_TRAIL_NAME, FB_REGION, FB_LOG_GROUP_ARN);
    fb_add_filter(t, FB_FILTER_NAME, FB_CIS_PATTERN, FB_NS, FB_METRIC, "1");
    l = fb_add_lookup(f, FB_REGION, FB_NS, FB_METRIC);
    fb_add_alarm(l, FB_ALARM_NAME, FB_NS, FB_METRIC, FB_TOPIC_ARN);
    topic = fb_add_topic(f, FB_TOPIC_ARN);
    fb_add_subscription(topic, FB_SUB_ARN, "email");
}
