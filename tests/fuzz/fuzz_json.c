/* fuzz_json.c — libFuzzer target for the JSON 1.1 replies (CloudTrail,
 * CloudWatch Logs, Config), AWS JSON error bodies and the strict JSON
 * reader under them (awsproto.h, awsjson.h).
 *
 * Input: SELECTOR BODY. SELECTOR % 8 picks the parser:
 *   0 DescribeTrails   1 GetTrailStatus   2 GetEventSelectors
 *   3 DescribeMetricFilters   4 PutEvaluations (with three sent items)
 *   5 PutEvaluations (count only)   6 tw_aws_parse_json_error
 *   7 tw_json_parse_whole + the typed getters on every member
 * Seeds in tests/fuzz/corpus/json/ carry their selector byte.
 * Beyond "no crash, no leak, no UB" it checks awsproto.h's contract:
 *   - list parsers append: parsing the same page twice into one list gives
 *     twice the items; on failure the list is unchanged and *next_token NULL;
 *   - GetTrailStatus / GetEventSelectors leave the trail unchanged on failure
 *     and replace (not leak) earlier selectors on success;
 *   - PutEvaluations' failed[] flags are 0/1 and add up to n_failed;
 *   - a JSON error either fills aws_code (no '#' or ':' left in it) or
 *     leaves err untouched. */
#include "awsjson.h"
#include "awsproto.h"
#include "fuzz_common.h"

#include <cjson/cJSON.h>

static void s_zero_err(struct tw_err *err)
{
    memset(err, 0, sizeof(*err));
}

static void s_trails(struct tw_span body)
{
    struct tw_trail *t = NULL, *before;
    size_t n = 0, n1;
    struct tw_err err;
    int rc;

    s_zero_err(&err);
    rc = tw_proto_parse_describe_trails(&t, &n, body, &err);
    if (rc != TW_OK) {
        fz_check_err(rc, &err);
        FZ_CHECK(t == NULL && n == 0);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        FZ_CHECK(t[i].name && t[i].arn && t[i].owner_account);
        FZ_CHECK(strlen(t[i].owner_account) == 12);
        FZ_CHECK(!t[i].log_group_arn || t[i].log_group_arn[0]);
    }
    n1 = n;
    before = t;
    rc = tw_proto_parse_describe_trails(&t, &n, body, &err);
    FZ_CHECK(rc == TW_OK ? n == 2 * n1 : (n == n1 && t == before));
    tw_proto_trails_free(t, n);
}

static void s_trail_status(struct tw_span body)
{
    struct tw_trail t, snap;
    struct tw_err err;
    int rc;

    memset(&t, 0, sizeof(t));
    t.latest_cwl_delivery_ms = 42;
    snap = t;
    s_zero_err(&err);
    rc = tw_proto_parse_get_trail_status(&t, body, &err);
    if (rc != TW_OK) {
        fz_check_err(rc, &err);
        FZ_CHECK(memcmp(&t, &snap, sizeof(t)) == 0);
        return;
    }
    FZ_CHECK(t.is_logging == 0 || t.is_logging == 1);
    FZ_CHECK(!t.latest_cwl_delivery_error || t.latest_cwl_delivery_error[0]);
    FZ_CHECK(t.latest_cwl_delivery_ms >= 0 && t.latest_cwl_delivery_ms < INT64_C(100000000000000));
    /* A second reply replaces the first without leaking it. */
    snap = t;
    rc = tw_proto_parse_get_trail_status(&t, body, &err);
    FZ_CHECK(rc == TW_OK);
    FZ_CHECK(t.is_logging == snap.is_logging &&
             t.latest_cwl_delivery_ms == snap.latest_cwl_delivery_ms);
    tw_trail_cleanup(&t);
}

static void s_selectors(struct tw_span body)
{
    struct tw_trail t, snap;
    struct tw_err err;
    int rc;

    memset(&t, 0, sizeof(t));
    snap = t;
    s_zero_err(&err);
    rc = tw_proto_parse_get_event_selectors(&t, body, &err);
    if (rc != TW_OK) {
        fz_check_err(rc, &err);
        FZ_CHECK(memcmp(&t, &snap, sizeof(t)) == 0);
        return;
    }
    FZ_CHECK(t.n_basic == 0 || t.n_advanced == 0);
    snap = t;
    rc = tw_proto_parse_get_event_selectors(&t, body, &err);
    FZ_CHECK(rc == TW_OK);
    FZ_CHECK(t.n_basic == snap.n_basic && t.n_advanced == snap.n_advanced);
    tw_trail_cleanup(&t);
}

static void s_filters(struct tw_span body)
{
    struct tw_metric_filter *f = NULL, *before;
    size_t n = 0, n1;
    char *next = (char *)"sentinel";
    struct tw_err err;
    int rc;

    s_zero_err(&err);
    rc = tw_proto_parse_describe_metric_filters(&f, &n, &next, body, &err);
    if (rc != TW_OK) {
        fz_check_err(rc, &err);
        FZ_CHECK(f == NULL && n == 0 && next == NULL);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        FZ_CHECK(f[i].name && f[i].pattern && f[i].metric_name && f[i].metric_namespace &&
                 f[i].metric_value);
        for (size_t d = 0; d < f[i].n_dimensions; d++)
            FZ_CHECK(f[i].dimensions[d].name && f[i].dimensions[d].value);
    }
    FZ_CHECK(next == NULL || next[0] != '\0');
    free(next);
    n1 = n;
    before = f;
    next = (char *)"sentinel";
    rc = tw_proto_parse_describe_metric_filters(&f, &n, &next, body, &err);
    FZ_CHECK(rc == TW_OK ? n == 2 * n1 : (n == n1 && f == before && next == NULL));
    free(next);
    tw_proto_filters_free(f, n);
}

static void s_put_evaluations(struct tw_span body, int with_sent)
{
    struct tw_evaluation sent[3];
    unsigned char failed[3] = { 7, 7, 7 };
    size_t n = 99, sum = 0;
    struct tw_err err;
    int rc;

    memset(sent, 0, sizeof(sent));
    for (size_t i = 0; i < 3; i++) {
        sent[i].resource_type = "AWS::::Account";
        sent[i].resource_id = i == 1 ? "444455556666" : "111122223333";
        sent[i].compliance = i == 0 ? TW_COMPLIANT : TW_NON_COMPLIANT;
    }
    s_zero_err(&err);
    if (with_sent)
        rc = tw_proto_parse_put_evaluations(&n, failed, sent, 3, body, &err);
    else
        rc = tw_proto_parse_put_evaluations(&n, NULL, NULL, 0, body, &err);
    if (rc != TW_OK) {
        fz_check_err(rc, &err);
        FZ_CHECK(n == 0);
        if (with_sent)
            FZ_CHECK(failed[0] == 0 && failed[1] == 0 && failed[2] == 0);
        return;
    }
    FZ_CHECK(n <= TW_PROTO_MAX_EVALUATIONS);
    if (with_sent) {
        for (size_t i = 0; i < 3; i++) {
            FZ_CHECK(failed[i] <= 1);
            sum += failed[i];
        }
        FZ_CHECK(sum == n);
    }
}

static void s_json_error(struct tw_span body)
{
    struct tw_err err, snap;
    int rc;

    memset(&err, 0, sizeof(err));
    tw_strlcpy(err.service, "logs", sizeof(err.service));
    tw_strlcpy(err.operation, "DescribeMetricFilters", sizeof(err.operation));
    err.http_status = 400;
    snap = err;
    rc = tw_aws_parse_json_error(&err, body);
    if (rc != TW_OK) {
        FZ_CHECK(rc == TW_EPARSE);
        FZ_CHECK(memcmp(&err, &snap, sizeof(err)) == 0);
        return;
    }
    FZ_CHECK(memchr(err.aws_code, '\0', sizeof(err.aws_code)) != NULL);
    FZ_CHECK(memchr(err.msg, '\0', sizeof(err.msg)) != NULL);
    FZ_CHECK(strchr(err.aws_code, '#') == NULL && strchr(err.aws_code, ':') == NULL);
    for (const char *c = err.msg; *c; c++)
        FZ_CHECK((unsigned char)*c >= 0x20 && *c != 0x7f);
    FZ_CHECK(strcmp(err.service, "logs") == 0 && err.http_status == 400);
    (void)tw_aws_error_is_throttling(err.aws_code);
    (void)tw_aws_error_is_retryable(err.aws_code);
    (void)tw_aws_error_is_access_denied(err.aws_code);
    (void)tw_aws_error_is_bad_credentials(err.aws_code);
    (void)tw_aws_error_is_not_found(err.aws_code);
}

/* Every getter on every member of every object, to depth 4. */
static void s_walk(const cJSON *obj, int depth)
{
    const cJSON *m;

    if (depth > 4 || !cJSON_IsObject(obj))
        return;
    cJSON_ArrayForEach(m, obj)
    {
        struct tw_err err;
        char *s = NULL, **v = NULL;
        size_t nv = 0;
        int b, have;
        double d;
        int64_t i;
        const cJSON *sub;
        const char *name = m->string;

        if (!name)
            continue;
        memset(&err, 0, sizeof(err));
        if (tw_json_get_string(&s, obj, name, 1, &err) == TW_OK) {
            FZ_CHECK(s != NULL && tw_json_utf8_valid(s, strlen(s)));
            free(s);
        } else {
            FZ_CHECK(s == NULL);
        }
        (void)tw_json_get_bool(&b, &have, obj, name, &err);
        (void)tw_json_get_number(&d, &have, obj, name, &err);
        (void)tw_json_get_int64(&i, &have, obj, name, -1000, INT64_C(1) << 40, &err);
        i = -1;
        if (tw_json_get_time_ms(&i, &have, obj, name, &err) == TW_OK && have)
            FZ_CHECK(i >= 0 && i < INT64_C(100000000000000));
        if (tw_json_get_string_array(&v, &nv, obj, name, 50, &err) == TW_OK)
            tw_json_strv_free(v, nv);
        else
            FZ_CHECK(v == NULL && nv == 0);
        if (tw_json_get_array(&sub, obj, name, 0, 100, &err) == TW_OK && sub) {
            const cJSON *e;
            cJSON_ArrayForEach(e, sub) s_walk(e, depth + 1);
        }
        if (tw_json_get_object(&sub, obj, name, 0, &err) == TW_OK && sub)
            s_walk(sub, depth + 1);
    }
}

static void s_whole(struct tw_span body)
{
    cJSON *doc = tw_json_parse_whole(body);
    int valid = tw_json_utf8_valid(body.ptr, body.len);

    if (doc) {
        FZ_CHECK(body.len > 0 && valid && memchr(body.ptr, '\0', body.len) == NULL);
        s_walk(doc, 0);
        cJSON_Delete(doc);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct tw_span body;

    if (size < 1)
        return 0;
    body = (struct tw_span){ (const char *)data + 1, size - 1 };
    switch (data[0] % 8) {
    case 0: s_trails(body); break;
    case 1: s_trail_status(body); break;
    case 2: s_selectors(body); break;
    case 3: s_filters(body); break;
    case 4: s_put_evaluations(body, 1); break;
    case 5: s_put_evaluations(body, 0); break;
    case 6: s_json_error(body); break;
    default: s_whole(body); break;
    }
    return 0;
}
