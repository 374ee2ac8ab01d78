/* proto_cloudwatch.c — CloudWatch (Query, decision D1): DescribeAlarmsForMetric,
 * DescribeAlarms. */
#include "proto_int.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- requests ------------------------------------------------------------------------ */

int tw_proto_describe_alarms_for_metric_request(struct tw_buf *out, const char *metric_name,
                                                const char *metric_namespace,
                                                const struct tw_dimension *dims, size_t n_dims,
                                                struct tw_err *err)
{
    static const char op[] = "DescribeAlarmsForMetric";
    struct tw_buf form;
    char key[64];
    int rc;

    tw_buf_init(&form, out->max);
    if ((rc = tw_proto_need(metric_name, op, "MetricName", err)) != TW_OK ||
        (rc = tw_proto_need(metric_namespace, op, "Namespace", err)) != TW_OK)
        goto out;
    if (n_dims > 30) {
        /* CloudWatch's limit on a metric's dimensions. */
        tw_err_set(err, "%s request: %zu dimensions (at most 30)", op, n_dims);
        rc = TW_ETOOBIG;
        goto out;
    }
    /* Model order: MetricName, Namespace, Statistic, ExtendedStatistic, Dimensions, ... */
    if ((rc = tw_proto_form_start(&form, op, TW_QUERY_VERSION_CLOUDWATCH, err)) != TW_OK ||
        (rc = tw_form_add(&form, "MetricName", metric_name, err)) != TW_OK ||
        (rc = tw_form_add(&form, "Namespace", metric_namespace, err)) != TW_OK)
        goto out;
    for (size_t i = 0; i < n_dims; i++) {
        if ((rc = tw_proto_need(dims[i].name, op, "a dimension name", err)) != TW_OK ||
            (rc = tw_proto_need(dims[i].value, op, "a dimension value", err)) != TW_OK)
            goto out;
        snprintf(key, sizeof(key), "Dimensions.member.%zu.Name", i + 1);
        if ((rc = tw_form_add(&form, key, dims[i].name, err)) != TW_OK)
            goto out;
        snprintf(key, sizeof(key), "Dimensions.member.%zu.Value", i + 1);
        if ((rc = tw_form_add(&form, key, dims[i].value, err)) != TW_OK)
            goto out;
    }
    rc = tw_proto_commit(out, &form, op, err);
out:
    tw_buf_cleanup(&form);
    return rc;
}

int tw_proto_describe_alarms_request(struct tw_buf *out, const char *next_token,
                                     struct tw_err *err)
{
    static const char op[] = "DescribeAlarms";
    struct tw_buf form;
    int rc;

    tw_buf_init(&form, out->max);
    /* Model order: ..., AlarmTypes, ..., MaxRecords, NextToken. 100 is the
     * largest page CloudWatch serves. */
    if ((rc = tw_proto_form_start(&form, op, TW_QUERY_VERSION_CLOUDWATCH, err)) != TW_OK ||
        (rc = tw_form_add(&form, "AlarmTypes.member.1", "MetricAlarm", err)) != TW_OK ||
        (rc = tw_form_add(&form, "MaxRecords", "100", err)) != TW_OK ||
        (next_token && next_token[0] &&
         (rc = tw_form_add(&form, "NextToken", next_token, err)) != TW_OK))
        goto out;
    rc = tw_proto_commit(out, &form, op, err);
out:
    tw_buf_cleanup(&form);
    return rc;
}

/* ---- replies -------------------------------------------------------------------------- */

/* <Dimensions><member><Name/><Value/></member>...</Dimensions> */
static int s_dimensions(struct tw_dimension **out, size_t *out_n, const struct tw_xml_node *list,
                        struct tw_err *err)
{
    struct tw_dimension *d = NULL;
    size_t n = 0, i = 0;
    int rc;

    *out = NULL;
    *out_n = 0;
    rc = tw_proto_xml_count(&n, list, TW_PROTO_MAX_LIST, "Dimensions", err);
    if (rc != TW_OK || n == 0)
        return rc;
    d = calloc(n, sizeof(*d));
    if (!d) {
        tw_err_set(err, "out of memory");
        return TW_ENOMEM;
    }
    /* Handed over at once so a failure below is cleaned up with the alarm. */
    *out = d;
    *out_n = n;
    for (const struct tw_xml_node *m = tw_xml_next(list, NULL, "member"); m;
         m = tw_xml_next(list, m, "member"), i++) {
        if ((rc = tw_xml_get_string(&d[i].name, m, "Name", 1, err)) != TW_OK ||
            (rc = tw_xml_get_string(&d[i].value, m, "Value", 1, err)) != TW_OK) {
            tw_err_prefix(err, "Dimensions member %zu", i + 1);
            return rc;
        }
    }
    return TW_OK;
}

/* A Metrics member (MetricDataQuery). */
static int s_query(struct tw_metric_query *q, const struct tw_xml_node *m, struct tw_err *err)
{
    const struct tw_xml_node *stat = tw_xml_child(m, "MetricStat");
    int rc;

    if ((rc = tw_xml_get_string(&q->id, m, "Id", 1, err)) != TW_OK ||
        (rc = tw_xml_get_string(&q->expression, m, "Expression", 0, err)) != TW_OK ||
        (rc = tw_xml_get_bool(&q->return_data, &q->have_return_data, m, "ReturnData", err)) !=
            TW_OK)
        return rc;
    if (!stat)
        return TW_OK;
    q->have_metric_stat = 1;
    if ((rc = tw_xml_get_string(&q->stat_namespace, stat, "Metric/Namespace", 0, err)) !=
            TW_OK ||
        (rc = tw_xml_get_string(&q->stat_metric_name, stat, "Metric/MetricName", 0, err)) !=
            TW_OK ||
        (rc = s_dimensions(&q->stat_dimensions, &q->n_stat_dimensions,
                           tw_xml_path(stat, "Metric/Dimensions"), err)) != TW_OK) {
        tw_err_prefix(err, "MetricStat");
        return rc;
    }
    return TW_OK;
}

static int s_metrics(struct tw_alarm *a, const struct tw_xml_node *list, struct tw_err *err)
{
    size_t n = 0, i = 0;
    int rc;

    rc = tw_proto_xml_count(&n, list, TW_PROTO_MAX_LIST, "Metrics", err);
    if (rc != TW_OK || n == 0)
        return rc;
    a->metrics = calloc(n, sizeof(*a->metrics));
    if (!a->metrics) {
        tw_err_set(err, "out of memory");
        return TW_ENOMEM;
    }
    a->n_metrics = n;
    for (const struct tw_xml_node *m = tw_xml_next(list, NULL, "member"); m;
         m = tw_xml_next(list, m, "member"), i++) {
        if ((rc = s_query(&a->metrics[i], m, err)) != TW_OK) {
            tw_err_prefix(err, "Metrics member %zu", i + 1);
            return rc;
        }
    }
    return TW_OK;
}

static int s_alarm(struct tw_alarm *a, const struct tw_xml_node *m, struct tw_err *err)
{
    int64_t v = 0;
    int have = 0, rc;

    if ((rc = tw_xml_get_string(&a->name, m, "AlarmName", 1, err)) != TW_OK ||
        (rc = tw_xml_get_string(&a->arn, m, "AlarmArn", 0, err)) != TW_OK ||
        (rc = tw_xml_get_bool(&a->actions_enabled, NULL, m, "ActionsEnabled", err)) != TW_OK ||
        (rc = tw_proto_xml_strv(&a->alarm_actions, &a->n_alarm_actions,
                                tw_xml_child(m, "AlarmActions"), "AlarmActions", err)) != TW_OK ||
        (rc = tw_xml_get_string(&a->state_value, m, "StateValue", 0, err)) != TW_OK ||
        (rc = tw_xml_get_string(&a->metric_name, m, "MetricName", 0, err)) != TW_OK ||
        (rc = tw_xml_get_string(&a->namespace_, m, "Namespace", 0, err)) != TW_OK ||
        (rc = s_dimensions(&a->dimensions, &a->n_dimensions, tw_xml_child(m, "Dimensions"),
                           err)) != TW_OK ||
        (rc = s_metrics(a, tw_xml_child(m, "Metrics"), err)) != TW_OK ||
        (rc = tw_xml_get_string(&a->statistic, m, "Statistic", 0, err)) != TW_OK ||
        (rc = tw_xml_get_string(&a->comparison_operator, m, "ComparisonOperator", 0, err)) !=
            TW_OK ||
        (rc = tw_xml_get_double(&a->threshold, &a->have_threshold, m, "Threshold", err)) !=
            TW_OK ||
        (rc = tw_xml_get_string(&a->treat_missing_data, m, "TreatMissingData", 0, err)) != TW_OK)
        return rc;
    if ((rc = tw_xml_get_int(&v, &have, m, "EvaluationPeriods", 0, INT_MAX, err)) != TW_OK)
        return rc;
    a->have_evaluation_periods = have;
    a->evaluation_periods = have ? (int)v : 0;
    if ((rc = tw_xml_get_int(&v, &have, m, "DatapointsToAlarm", 0, INT_MAX, err)) != TW_OK)
        return rc;
    a->have_datapoints_to_alarm = have;
    a->datapoints_to_alarm = have ? (int)v : 0;
    return TW_OK;
}

static int s_alarm_item(void *item, const struct tw_xml_node *m, struct tw_err *err)
{
    return s_alarm(item, m, err);
}

static void s_alarms_free(void *items, size_t n)
{
    tw_proto_alarms_free(items, n);
}

static int s_parse_alarms(struct tw_alarm **alarms, size_t *n_alarms, char **next_token,
                          struct tw_span body, const char *op, const char *alt_op,
                          struct tw_err *err)
{
    const struct tw_proto_xml_list spec = { op, alt_op, "MetricAlarms", sizeof(struct tw_alarm),
                                            s_alarm_item, s_alarms_free };
    void *grown;
    size_t added;
    int rc = tw_proto_xml_list_page(&spec, &grown, *alarms, *n_alarms, &added, next_token, body,
                                    err);

    *alarms = grown;
    *n_alarms += added;
    return rc;
}

int tw_proto_parse_describe_alarms(struct tw_alarm **alarms, size_t *n_alarms, char **next_token,
                                   struct tw_span body, struct tw_err *err)
{
    return s_parse_alarms(alarms, n_alarms, next_token, body, "DescribeAlarms",
                          "DescribeAlarmsForMetric", err);
}

int tw_proto_parse_describe_alarms_for_metric(struct tw_alarm **alarms, size_t *n_alarms,
                                              struct tw_span body, struct tw_err *err)
{
    return s_parse_alarms(alarms, n_alarms, NULL, body, "DescribeAlarmsForMetric", NULL, err);
}
