/* proto_logs.c — CloudWatch Logs (JSON 1.1): DescribeMetricFilters. */
#include "proto_int.h"

#include <stdlib.h>
#include <string.h>

int tw_proto_describe_metric_filters_request(struct tw_buf *out, const char *log_group_name,
                                             const char *next_token, struct tw_err *err)
{
    cJSON *doc;
    int rc;

    if ((rc = tw_proto_need(log_group_name, "DescribeMetricFilters", "logGroupName", err)) !=
        TW_OK)
        return rc;
    doc = cJSON_CreateObject();
    /* Model order: logGroupName, filterNamePrefix, nextToken, limit. */
    if (!doc || !cJSON_AddStringToObject(doc, "logGroupName", log_group_name) ||
        (next_token && next_token[0] && !cJSON_AddStringToObject(doc, "nextToken", next_token))) {
        cJSON_Delete(doc);
        tw_err_set(err, "out of memory building the DescribeMetricFilters request");
        return TW_ENOMEM;
    }
    rc = tw_proto_emit_json(out, doc, "DescribeMetricFilters", err);
    cJSON_Delete(doc);
    return rc;
}

/* metricTransformations[].dimensions: {"Name": "$.field", ...}. */
static int s_dimensions(struct tw_metric_filter *f, const cJSON *t, struct tw_err *err)
{
    const cJSON *map = NULL, *item;
    size_t n = 0, i = 0;
    int rc;

    rc = tw_json_get_object(&map, t, "dimensions", 0, err);
    if (rc != TW_OK || !map)
        return rc;
    cJSON_ArrayForEach(item, map)
    {
        if (++n > TW_PROTO_MAX_LIST) {
            tw_err_set(err, "field \"dimensions\" has more than %d entries", TW_PROTO_MAX_LIST);
            return TW_ETOOBIG;
        }
    }
    if (n == 0)
        return TW_OK;
    f->dimensions = calloc(n, sizeof(*f->dimensions));
    if (!f->dimensions) {
        tw_err_set(err, "out of memory");
        return TW_ENOMEM;
    }
    f->n_dimensions = n;
    cJSON_ArrayForEach(item, map)
    {
        if (!cJSON_IsString(item) || !item->valuestring || !item->string) {
            tw_err_set(err, "field \"dimensions\" entry \"%.64s\" must be a string",
                       item->string ? item->string : "");
            return TW_EPARSE;
        }
        if (strlen(item->string) > TW_JSON_MAX_STRING ||
            strlen(item->valuestring) > TW_JSON_MAX_STRING) {
            tw_err_set(err, "field \"dimensions\" has an over-long entry");
            return TW_ETOOBIG;
        }
        f->dimensions[i].name = tw_strdup(item->string);
        f->dimensions[i].value = tw_strdup(item->valuestring);
        if (!f->dimensions[i].name || !f->dimensions[i].value) {
            tw_err_set(err, "out of memory");
            return TW_ENOMEM;
        }
        i++;
    }
    return TW_OK;
}

static int s_filter(struct tw_metric_filter *f, const cJSON *obj, struct tw_err *err)
{
    const cJSON *list = NULL, *t;
    int rc;

    if (!cJSON_IsObject(obj)) {
        tw_err_set(err, "item is not an object");
        return TW_EPARSE;
    }
    if ((rc = tw_json_get_string(&f->name, obj, "filterName", 1, err)) != TW_OK ||
        (rc = tw_json_get_string(&f->pattern, obj, "filterPattern", 0, err)) != TW_OK ||
        (rc = tw_json_get_array(&list, obj, "metricTransformations", 1, TW_PROTO_MAX_LIST,
                                err)) != TW_OK)
        return rc;
    if (!f->pattern && !(f->pattern = tw_strdup(""))) {
        tw_err_set(err, "out of memory");
        return TW_ENOMEM;
    }
    /* CloudWatch Logs allows exactly one transformation per filter. */
    t = list->child;
    if (!cJSON_IsObject(t)) {
        tw_err_set(err, "field \"metricTransformations\" must hold one object");
        return TW_EPARSE;
    }
    if ((rc = tw_json_get_string(&f->metric_name, t, "metricName", 1, err)) != TW_OK ||
        (rc = tw_json_get_string(&f->metric_namespace, t, "metricNamespace", 1, err)) != TW_OK ||
        (rc = tw_json_get_string(&f->metric_value, t, "metricValue", 1, err)) != TW_OK ||
        (rc = tw_json_get_number(&f->default_value, &f->have_default_value, t, "defaultValue",
                                 err)) != TW_OK ||
        (rc = s_dimensions(f, t, err)) != TW_OK) {
        tw_err_prefix(err, "metricTransformations[0]");
        return rc;
    }
    return TW_OK;
}

int tw_proto_parse_describe_metric_filters(struct tw_metric_filter **filters, size_t *n_filters,
                                           char **next_token, struct tw_span body,
                                           struct tw_err *err)
{
    cJSON *doc = NULL;
    const cJSON *list = NULL, *item;
    struct tw_metric_filter *tmp = NULL;
    char *token = NULL;
    void *grown;
    size_t n = 0, i = 0;
    int rc;

    *next_token = NULL;
    rc = tw_proto_json_reply(&doc, body, "DescribeMetricFilters", err);
    if (rc != TW_OK)
        goto out;
    if ((rc = tw_json_get_array(&list, doc, "metricFilters", 0, TW_PROTO_MAX_ITEMS, err)) !=
            TW_OK ||
        (rc = tw_proto_json_token(&token, doc, "nextToken", err)) != TW_OK) {
        tw_err_prefix(err, "DescribeMetricFilters reply");
        goto out;
    }
    n = list ? (size_t)cJSON_GetArraySize(list) : 0;
    if (n > 0 && !(tmp = calloc(n, sizeof(*tmp)))) {
        tw_err_set(err, "out of memory");
        rc = TW_ENOMEM;
        goto out;
    }
    cJSON_ArrayForEach(item, list)
    {
        if ((rc = s_filter(&tmp[i], item, err)) != TW_OK) {
            tw_err_prefix(err, "DescribeMetricFilters reply: metricFilters[%zu]", i);
            goto out;
        }
        i++;
    }
    rc = tw_proto_concat(&grown, *filters, *n_filters, tmp, n, sizeof(*tmp),
                         "DescribeMetricFilters", err);
    if (rc != TW_OK)
        goto out;
    *filters = grown;
    *n_filters += n;
    free(tmp);
    tmp = NULL;
    *next_token = token;
    token = NULL;
out:
    tw_proto_filters_free(tmp, n);
    free(token);
    cJSON_Delete(doc);
    return rc;
}
