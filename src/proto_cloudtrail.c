/* proto_cloudtrail.c — CloudTrail (JSON 1.1): DescribeTrails, GetTrailStatus,
 * GetEventSelectors. */
#include "proto_int.h"

#include "arn.h"

#include <stdlib.h>
#include <string.h>

/* ---- requests ------------------------------------------------------------------------ */

int tw_proto_describe_trails_request(struct tw_buf *out, const char *const *names, size_t n_names,
                                     int include_shadow_trails, struct tw_err *err)
{
    cJSON *doc = cJSON_CreateObject(), *list;
    int rc = TW_ENOMEM;

    if (!doc)
        goto out;
    if (n_names > 0) {
        if (!(list = cJSON_AddArrayToObject(doc, "trailNameList")))
            goto out;
        for (size_t i = 0; i < n_names; i++) {
            cJSON *s;
            if ((rc = tw_proto_need(names[i], "DescribeTrails", "a trail name", err)) != TW_OK)
                goto out;
            rc = TW_ENOMEM;
            if (!(s = cJSON_CreateString(names[i])))
                goto out;
            if (!cJSON_AddItemToArray(list, s)) {
                cJSON_Delete(s);
                goto out;
            }
        }
    }
    if (!cJSON_AddBoolToObject(doc, "includeShadowTrails", include_shadow_trails ? 1 : 0))
        goto out;
    rc = tw_proto_emit_json(out, doc, "DescribeTrails", err);
out:
    if (rc == TW_ENOMEM)
        tw_err_set(err, "out of memory building the DescribeTrails request");
    cJSON_Delete(doc);
    return rc;
}

static int s_one_string(struct tw_buf *out, const char *op, const char *member, const char *value,
                        struct tw_err *err)
{
    cJSON *doc;
    int rc;

    if ((rc = tw_proto_need(value, op, member, err)) != TW_OK)
        return rc;
    doc = cJSON_CreateObject();
    if (!doc || !cJSON_AddStringToObject(doc, member, value)) {
        cJSON_Delete(doc);
        tw_err_set(err, "out of memory building the %s request", op);
        return TW_ENOMEM;
    }
    rc = tw_proto_emit_json(out, doc, op, err);
    cJSON_Delete(doc);
    return rc;
}

int tw_proto_get_trail_status_request(struct tw_buf *out, const char *trail_arn,
                                      struct tw_err *err)
{
    return s_one_string(out, "GetTrailStatus", "Name", trail_arn, err);
}

int tw_proto_get_event_selectors_request(struct tw_buf *out, const char *trail_arn,
                                         struct tw_err *err)
{
    return s_one_string(out, "GetEventSelectors", "TrailName", trail_arn, err);
}

/* ---- DescribeTrails ----------------------------------------------------------------- */

/* The account of a trail ARN: arn:aws:cloudtrail:us-east-1:111122223333:trail/name. */
static int s_owner(char **out, const char *trail_arn, struct tw_err *err)
{
    struct tw_arn arn;
    struct tw_err e;

    *out = NULL;
    tw_err_clear(&e);
    if (tw_arn_parse(&arn, tw_span_cstr(trail_arn), &e) != TW_OK ||
        !tw_arn_account_valid(arn.account)) {
        tw_err_set(err, "field \"TrailARN\" is not an ARN with an account (\"%.80s\")",
                   trail_arn);
        return TW_EPARSE;
    }
    *out = malloc(arn.account.len + 1);
    if (!*out) {
        tw_err_set(err, "out of memory");
        return TW_ENOMEM;
    }
    memcpy(*out, arn.account.ptr, arn.account.len);
    (*out)[arn.account.len] = '\0';
    return TW_OK;
}

static int s_trail(struct tw_trail *t, const cJSON *obj, struct tw_err *err)
{
    int rc, have;

    if (!cJSON_IsObject(obj)) {
        tw_err_set(err, "item is not an object");
        return TW_EPARSE;
    }
    if ((rc = tw_json_get_string(&t->name, obj, "Name", 1, err)) != TW_OK ||
        (rc = tw_json_get_string(&t->arn, obj, "TrailARN", 1, err)) != TW_OK ||
        (rc = tw_json_get_string(&t->home_region, obj, "HomeRegion", 0, err)) != TW_OK ||
        (rc = tw_json_get_string(&t->log_group_arn, obj, "CloudWatchLogsLogGroupArn", 0, err)) !=
            TW_OK ||
        (rc = s_owner(&t->owner_account, t->arn, err)) != TW_OK)
        return rc;
    /* Absent booleans read false (t is zeroed), as botocore's users read a
     * missing key; old replies lack IsOrganizationTrail and
     * HasCustomEventSelectors. */
    if ((rc = tw_json_get_bool(&t->is_multi_region, &have, obj, "IsMultiRegionTrail", err)) !=
            TW_OK ||
        (rc = tw_json_get_bool(&t->is_organization_trail, &have, obj, "IsOrganizationTrail",
                               err)) != TW_OK ||
        (rc = tw_json_get_bool(&t->has_custom_event_selectors, &have, obj,
                               "HasCustomEventSelectors", err)) != TW_OK)
        return rc;
    if (t->log_group_arn && !t->log_group_arn[0]) {
        free(t->log_group_arn); /* "" delivers nowhere */
        t->log_group_arn = NULL;
    }
    return TW_OK;
}

int tw_proto_parse_describe_trails(struct tw_trail **trails, size_t *n_trails,
                                   struct tw_span body, struct tw_err *err)
{
    cJSON *doc = NULL;
    const cJSON *list = NULL, *item;
    struct tw_trail *tmp = NULL;
    void *grown;
    size_t n = 0, i = 0;
    int rc;

    rc = tw_proto_json_reply(&doc, body, "DescribeTrails", err);
    if (rc != TW_OK)
        goto out;
    rc = tw_json_get_array(&list, doc, "trailList", 0, TW_PROTO_MAX_ITEMS, err);
    if (rc != TW_OK) {
        tw_err_prefix(err, "DescribeTrails reply");
        goto out;
    }
    n = (size_t)cJSON_GetArraySize(list);
    if (n == 0)
        goto out;
    tmp = calloc(n, sizeof(*tmp));
    if (!tmp) {
        tw_err_set(err, "out of memory");
        rc = TW_ENOMEM;
        goto out;
    }
    cJSON_ArrayForEach(item, list)
    {
        rc = s_trail(&tmp[i], item, err);
        if (rc != TW_OK) {
            tw_err_prefix(err, "DescribeTrails reply: trailList[%zu]", i);
            goto out;
        }
        i++;
    }
    rc = tw_proto_concat(&grown, *trails, *n_trails, tmp, n, sizeof(*tmp), "DescribeTrails", err);
    if (rc != TW_OK)
        goto out;
    *trails = grown;
    *n_trails += n;
    free(tmp);
    tmp = NULL;
out:
    tw_proto_trails_free(tmp, n);
    cJSON_Delete(doc);
    return rc;
}

/* ---- GetTrailStatus ----------------------------------------------------------------- */

int tw_proto_parse_get_trail_status(struct tw_trail *trail, struct tw_span body,
                                    struct tw_err *err)
{
    cJSON *doc = NULL;
    char *error = NULL;
    int is_logging = 0, have = 0;
    int64_t ms = 0;
    int rc;

    rc = tw_proto_json_reply(&doc, body, "GetTrailStatus", err);
    if (rc != TW_OK)
        goto out;
    if ((rc = tw_json_get_bool(&is_logging, NULL, doc, "IsLogging", err)) != TW_OK ||
        (rc = tw_json_get_string(&error, doc, "LatestCloudWatchLogsDeliveryError", 0, err)) !=
            TW_OK ||
        (rc = tw_json_get_time_ms(&ms, &have, doc, "LatestCloudWatchLogsDeliveryTime", err)) !=
            TW_OK) {
        tw_err_prefix(err, "GetTrailStatus reply");
        goto out;
    }
    if (error && !error[0]) {
        free(error);
        error = NULL;
    }
    trail->is_logging = is_logging;
    free(trail->latest_cwl_delivery_error);
    trail->latest_cwl_delivery_error = error;
    error = NULL;
    trail->latest_cwl_delivery_ms = have ? ms : 0;
out:
    free(error);
    cJSON_Delete(doc);
    return rc;
}

/* ---- GetEventSelectors --------------------------------------------------------------- */

static void s_free_basic(struct tw_basic_selector *b, size_t n)
{
    for (size_t i = 0; b && i < n; i++)
        tw_json_strv_free(b[i].exclude_management_sources, b[i].n_exclude_management_sources);
    free(b);
}

static void s_free_fields(struct tw_field_selector *f, size_t n)
{
    for (size_t i = 0; f && i < n; i++) {
        free(f[i].field);
        tw_json_strv_free(f[i].equals, f[i].n_equals);
        tw_json_strv_free(f[i].starts_with, f[i].n_starts_with);
        tw_json_strv_free(f[i].ends_with, f[i].n_ends_with);
        tw_json_strv_free(f[i].not_equals, f[i].n_not_equals);
        tw_json_strv_free(f[i].not_starts_with, f[i].n_not_starts_with);
        tw_json_strv_free(f[i].not_ends_with, f[i].n_not_ends_with);
    }
    free(f);
}

static void s_free_advanced(struct tw_advanced_selector *a, size_t n)
{
    for (size_t i = 0; a && i < n; i++) {
        free(a[i].name);
        s_free_fields(a[i].fields, a[i].n_fields);
    }
    free(a);
}

static int s_basic(struct tw_basic_selector *b, const cJSON *obj, struct tw_err *err)
{
    char *rw = NULL;
    int rc, have;

    if (!cJSON_IsObject(obj)) {
        tw_err_set(err, "item is not an object");
        return TW_EPARSE;
    }
    rc = tw_json_get_string(&rw, obj, "ReadWriteType", 0, err);
    if (rc != TW_OK)
        return rc;
    if (!rw || strcmp(rw, "All") == 0) {
        b->read_write_type = TW_RW_ALL;
    } else if (strcmp(rw, "ReadOnly") == 0) {
        b->read_write_type = TW_RW_READ_ONLY;
    } else if (strcmp(rw, "WriteOnly") == 0) {
        b->read_write_type = TW_RW_WRITE_ONLY;
    } else {
        tw_err_set(err, "field \"ReadWriteType\" is \"%.40s\", not ReadOnly, WriteOnly or All", rw);
        free(rw);
        return TW_EPARSE;
    }
    free(rw);
    b->include_management_events = 1;
    rc = tw_json_get_bool(&b->include_management_events, &have, obj, "IncludeManagementEvents",
                          err);
    if (rc != TW_OK)
        return rc;
    return tw_json_get_string_array(&b->exclude_management_sources,
                                    &b->n_exclude_management_sources, obj,
                                    "ExcludeManagementEventSources", TW_PROTO_MAX_LIST, err);
}

static int s_field(struct tw_field_selector *f, const cJSON *obj, struct tw_err *err)
{
    int rc;

    if (!cJSON_IsObject(obj)) {
        tw_err_set(err, "item is not an object");
        return TW_EPARSE;
    }
    if ((rc = tw_json_get_string(&f->field, obj, "Field", 1, err)) != TW_OK ||
        (rc = tw_json_get_string_array(&f->equals, &f->n_equals, obj, "Equals",
                                       TW_PROTO_MAX_LIST, err)) != TW_OK ||
        (rc = tw_json_get_string_array(&f->starts_with, &f->n_starts_with, obj, "StartsWith",
                                       TW_PROTO_MAX_LIST, err)) != TW_OK ||
        (rc = tw_json_get_string_array(&f->ends_with, &f->n_ends_with, obj, "EndsWith",
                                       TW_PROTO_MAX_LIST, err)) != TW_OK ||
        (rc = tw_json_get_string_array(&f->not_equals, &f->n_not_equals, obj, "NotEquals",
                                       TW_PROTO_MAX_LIST, err)) != TW_OK ||
        (rc = tw_json_get_string_array(&f->not_starts_with, &f->n_not_starts_with, obj,
                                       "NotStartsWith", TW_PROTO_MAX_LIST, err)) != TW_OK ||
        (rc = tw_json_get_string_array(&f->not_ends_with, &f->n_not_ends_with, obj,
                                       "NotEndsWith", TW_PROTO_MAX_LIST, err)) != TW_OK)
        return rc;
    return TW_OK;
}

static int s_advanced(struct tw_advanced_selector *a, const cJSON *obj, struct tw_err *err)
{
    const cJSON *list = NULL, *item;
    size_t i = 0;
    int rc;

    if (!cJSON_IsObject(obj)) {
        tw_err_set(err, "item is not an object");
        return TW_EPARSE;
    }
    if ((rc = tw_json_get_string(&a->name, obj, "Name", 0, err)) != TW_OK ||
        (rc = tw_json_get_array(&list, obj, "FieldSelectors", 1, TW_PROTO_MAX_LIST, err)) !=
            TW_OK)
        return rc;
    a->n_fields = (size_t)cJSON_GetArraySize(list);
    if (a->n_fields == 0)
        return TW_OK;
    a->fields = calloc(a->n_fields, sizeof(*a->fields));
    if (!a->fields) {
        a->n_fields = 0;
        tw_err_set(err, "out of memory");
        return TW_ENOMEM;
    }
    cJSON_ArrayForEach(item, list)
    {
        rc = s_field(&a->fields[i], item, err);
        if (rc != TW_OK) {
            tw_err_prefix(err, "FieldSelectors[%zu]", i);
            return rc;
        }
        i++;
    }
    return TW_OK;
}

int tw_proto_parse_get_event_selectors(struct tw_trail *trail, struct tw_span body,
                                       struct tw_err *err)
{
    cJSON *doc = NULL;
    const cJSON *basic = NULL, *adv = NULL, *item;
    struct tw_basic_selector *b = NULL;
    struct tw_advanced_selector *a = NULL;
    size_t nb = 0, na = 0, i;
    int rc;

    rc = tw_proto_json_reply(&doc, body, "GetEventSelectors", err);
    if (rc != TW_OK)
        goto out;
    if ((rc = tw_json_get_array(&basic, doc, "EventSelectors", 0, TW_PROTO_MAX_LIST, err)) !=
            TW_OK ||
        (rc = tw_json_get_array(&adv, doc, "AdvancedEventSelectors", 0, TW_PROTO_MAX_LIST,
                                err)) != TW_OK) {
        tw_err_prefix(err, "GetEventSelectors reply");
        goto out;
    }
    nb = basic ? (size_t)cJSON_GetArraySize(basic) : 0;
    na = adv ? (size_t)cJSON_GetArraySize(adv) : 0;
    if (nb > 0 && na > 0) {
        tw_err_set(err, "GetEventSelectors reply has both EventSelectors and "
                        "AdvancedEventSelectors");
        rc = TW_EPARSE;
        goto out;
    }
    if ((nb && !(b = calloc(nb, sizeof(*b)))) || (na && !(a = calloc(na, sizeof(*a))))) {
        tw_err_set(err, "out of memory");
        rc = TW_ENOMEM;
        goto out;
    }
    i = 0;
    cJSON_ArrayForEach(item, basic)
    {
        if ((rc = s_basic(&b[i], item, err)) != TW_OK) {
            tw_err_prefix(err, "GetEventSelectors reply: EventSelectors[%zu]", i);
            goto out;
        }
        i++;
    }
    i = 0;
    cJSON_ArrayForEach(item, adv)
    {
        if ((rc = s_advanced(&a[i], item, err)) != TW_OK) {
            tw_err_prefix(err, "GetEventSelectors reply: AdvancedEventSelectors[%zu]", i);
            goto out;
        }
        i++;
    }
    s_free_basic(trail->basic, trail->n_basic);
    s_free_advanced(trail->advanced, trail->n_advanced);
    trail->basic = b;
    trail->n_basic = nb;
    trail->advanced = a;
    trail->n_advanced = na;
    b = NULL;
    a = NULL;
out:
    s_free_basic(b, nb);
    s_free_advanced(a, na);
    cJSON_Delete(doc);
    return rc;
}
