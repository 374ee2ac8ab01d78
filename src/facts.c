/* facts.c — releasing and searching a snapshot. */
#include "facts.h"

#include <stdlib.h>
#include <string.h>

static void s_free_strv(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

static void s_free_dims(struct tw_dimension *d, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(d[i].name);
        free(d[i].value);
    }
    free(d);
}

void tw_metric_filter_cleanup(struct tw_metric_filter *f)
{
    if (!f)
        return;
    free(f->name);
    free(f->pattern);
    free(f->metric_name);
    free(f->metric_namespace);
    free(f->metric_value);
    s_free_dims(f->dimensions, f->n_dimensions);
    memset(f, 0, sizeof(*f));
}

void tw_trail_cleanup(struct tw_trail *t)
{
    if (!t)
        return;
    free(t->name);
    free(t->arn);
    free(t->home_region);
    free(t->owner_account);
    free(t->log_group_arn);
    free(t->latest_cwl_delivery_error);
    for (size_t i = 0; i < t->n_basic; i++)
        s_free_strv(t->basic[i].exclude_management_sources,
                    t->basic[i].n_exclude_management_sources);
    free(t->basic);
    for (size_t i = 0; i < t->n_advanced; i++) {
        struct tw_advanced_selector *a = &t->advanced[i];
        for (size_t j = 0; j < a->n_fields; j++) {
            struct tw_field_selector *f = &a->fields[j];
            free(f->field);
            s_free_strv(f->equals, f->n_equals);
            s_free_strv(f->starts_with, f->n_starts_with);
            s_free_strv(f->ends_with, f->n_ends_with);
            s_free_strv(f->not_equals, f->n_not_equals);
            s_free_strv(f->not_starts_with, f->n_not_starts_with);
            s_free_strv(f->not_ends_with, f->n_not_ends_with);
        }
        free(a->fields);
        free(a->name);
    }
    free(t->advanced);
    for (size_t i = 0; i < t->n_filters; i++)
        tw_metric_filter_cleanup(&t->filters[i]);
    free(t->filters);
    memset(t, 0, sizeof(*t));
}

void tw_alarm_cleanup(struct tw_alarm *a)
{
    if (!a)
        return;
    free(a->name);
    free(a->arn);
    s_free_strv(a->alarm_actions, a->n_alarm_actions);
    free(a->state_value);
    free(a->metric_name);
    free(a->namespace_);
    s_free_dims(a->dimensions, a->n_dimensions);
    for (size_t i = 0; i < a->n_metrics; i++) {
        struct tw_metric_query *q = &a->metrics[i];
        free(q->id);
        free(q->stat_namespace);
        free(q->stat_metric_name);
        s_free_dims(q->stat_dimensions, q->n_stat_dimensions);
        free(q->expression);
    }
    free(a->metrics);
    free(a->statistic);
    free(a->comparison_operator);
    free(a->treat_missing_data);
    memset(a, 0, sizeof(*a));
}

static void s_free_alarms(struct tw_alarm *a, size_t n)
{
    for (size_t i = 0; i < n; i++)
        tw_alarm_cleanup(&a[i]);
    free(a);
}

void tw_facts_cleanup(struct tw_facts *facts)
{
    if (!facts)
        return;
    free(facts->account_id);
    free(facts->region);
    free(facts->partition);
    for (size_t i = 0; i < facts->n_trails; i++)
        tw_trail_cleanup(&facts->trails[i]);
    free(facts->trails);
    for (size_t i = 0; i < facts->n_alarm_lookups; i++) {
        struct tw_alarm_lookup *l = &facts->alarm_lookups[i];
        free(l->region);
        free(l->metric_name);
        free(l->metric_namespace);
        s_free_dims(l->dimensions, l->n_dimensions);
        s_free_alarms(l->alarms, l->n_alarms);
    }
    free(facts->alarm_lookups);
    for (size_t i = 0; i < facts->n_region_alarms; i++) {
        free(facts->region_alarms[i].region);
        s_free_alarms(facts->region_alarms[i].alarms, facts->region_alarms[i].n_alarms);
    }
    free(facts->region_alarms);
    for (size_t i = 0; i < facts->n_topics; i++) {
        struct tw_topic *t = &facts->topics[i];
        for (size_t j = 0; j < t->n_subscriptions; j++) {
            free(t->subscriptions[j].arn);
            free(t->subscriptions[j].protocol);
            free(t->subscriptions[j].endpoint);
        }
        free(t->subscriptions);
        free(t->arn);
    }
    free(facts->topics);
    memset(facts, 0, sizeof(*facts));
}

static int s_eq(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

const struct tw_alarm_lookup *tw_facts_find_alarm_lookup(const struct tw_facts *facts,
                                                         const char *region,
                                                         const char *metric_name,
                                                         const char *metric_namespace)
{
    for (size_t i = 0; i < facts->n_alarm_lookups; i++) {
        const struct tw_alarm_lookup *l = &facts->alarm_lookups[i];
        if (s_eq(l->region, region) && s_eq(l->metric_name, metric_name) &&
            s_eq(l->metric_namespace, metric_namespace))
            return l;
    }
    return NULL;
}

const struct tw_region_alarms *tw_facts_find_region_alarms(const struct tw_facts *facts,
                                                           const char *region)
{
    for (size_t i = 0; i < facts->n_region_alarms; i++) {
        if (s_eq(facts->region_alarms[i].region, region))
            return &facts->region_alarms[i];
    }
    return NULL;
}

const struct tw_topic *tw_facts_find_topic(const struct tw_facts *facts, const char *arn)
{
    for (size_t i = 0; i < facts->n_topics; i++) {
        if (s_eq(facts->topics[i].arn, arn))
            return &facts->topics[i];
    }
    return NULL;
}

void tw_read_set(struct tw_read *read, enum tw_read_state state, const char *action,
                 const char *code, const char *message)
{
    read->state = state;
    tw_strlcpy(read->action, action ? action : "", sizeof(read->action));
    tw_strlcpy(read->code, code ? code : "", sizeof(read->code));
    tw_strlcpy(read->message, message ? message : "", sizeof(read->message));
}
