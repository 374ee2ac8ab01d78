/* fuzz_query.c — libFuzzer target for the Query protocol's XML replies
 * (CloudWatch, SNS, STS), Query error bodies and the XML DOM under them
 * (awsproto.h, awsxml.h).
 *
 * Input: SELECTOR BODY. SELECTOR % 7 picks the parser:
 *   0 DescribeAlarms   1 DescribeAlarmsForMetric   2 ListSubscriptionsByTopic
 *   3 AssumeRole   4 GetCallerIdentity   5 tw_aws_parse_query_error
 *   6 tw_xml_parse + a walk of the tree with every typed getter
 * Seeds in tests/fuzz/corpus/query/ carry their selector byte.
 * Checks, beyond "no crash, no leak, no UB":
 *   - list parsers append (the same page twice gives twice the items); on
 *     failure the list is unchanged and *next_token is NULL;
 *   - AssumeRole zeroes *out on failure and gives non-empty keys on success;
 *   - GetCallerIdentity gives both strings or neither;
 *   - a Query error fills aws_code or leaves err untouched;
 *   - the DOM respects its caps (depth, name length, text per node) and an
 *     element with children has no text. */
#include "awsproto.h"
#include "awsxml.h"
#include "fuzz_common.h"

static void s_alarms(struct tw_span body, int for_metric)
{
    struct tw_alarm *a = NULL, *before;
    size_t n = 0, n1;
    char *next = (char *)"sentinel";
    struct tw_err err;
    int rc;

    memset(&err, 0, sizeof(err));
    if (for_metric)
        rc = tw_proto_parse_describe_alarms_for_metric(&a, &n, body, &err), next = NULL;
    else
        rc = tw_proto_parse_describe_alarms(&a, &n, &next, body, &err);
    if (rc != TW_OK) {
        fz_check_err(rc, &err);
        FZ_CHECK(a == NULL && n == 0 && next == NULL);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        FZ_CHECK(a[i].name != NULL);
        FZ_CHECK(a[i].actions_enabled == 0 || a[i].actions_enabled == 1);
        for (size_t k = 0; k < a[i].n_alarm_actions; k++)
            FZ_CHECK(a[i].alarm_actions[k] != NULL);
        for (size_t k = 0; k < a[i].n_dimensions; k++)
            FZ_CHECK(a[i].dimensions[k].name && a[i].dimensions[k].value);
    }
    FZ_CHECK(next == NULL || next[0] != '\0');
    free(next);
    n1 = n;
    before = a;
    next = (char *)"sentinel";
    if (for_metric)
        rc = tw_proto_parse_describe_alarms_for_metric(&a, &n, body, &err), next = NULL;
    else
        rc = tw_proto_parse_describe_alarms(&a, &n, &next, body, &err);
    FZ_CHECK(rc == TW_OK ? n == 2 * n1 : (n == n1 && a == before && next == NULL));
    free(next);
    tw_proto_alarms_free(a, n);
}

static void s_subscriptions(struct tw_span body)
{
    struct tw_subscription *s = NULL, *before;
    size_t n = 0, n1;
    char *next = (char *)"sentinel";
    struct tw_err err;
    int rc;

    memset(&err, 0, sizeof(err));
    rc = tw_proto_parse_list_subscriptions_by_topic(&s, &n, &next, body, &err);
    if (rc != TW_OK) {
        fz_check_err(rc, &err);
        FZ_CHECK(s == NULL && n == 0 && next == NULL);
        return;
    }
    for (size_t i = 0; i < n; i++)
        FZ_CHECK(s[i].arn != NULL && s[i].protocol != NULL);
    FZ_CHECK(next == NULL || next[0] != '\0');
    free(next);
    n1 = n;
    before = s;
    next = (char *)"sentinel";
    rc = tw_proto_parse_list_subscriptions_by_topic(&s, &n, &next, body, &err);
    FZ_CHECK(rc == TW_OK ? n == 2 * n1 : (n == n1 && s == before && next == NULL));
    free(next);
    tw_proto_subscriptions_free(s, n);
}

static void s_assume_role(struct tw_span body)
{
    static const struct tw_creds zero;
    struct tw_creds c;
    struct tw_err err;
    int rc;

    memset(&err, 0, sizeof(err));
    memset(&c, 0x5a, sizeof(c));
    rc = tw_proto_parse_assume_role(&c, body, &err);
    if (rc != TW_OK) {
        fz_check_err(rc, &err);
        FZ_CHECK(memcmp(&c, &zero, sizeof(c)) == 0);
        return;
    }
    FZ_CHECK(c.access_key_id && c.access_key_id[0]);
    FZ_CHECK(c.secret_access_key && c.secret_access_key[0]);
    FZ_CHECK(memchr(c.source, '\0', sizeof(c.source)) != NULL);
    tw_creds_cleanup(&c);
}

static void s_caller_identity(struct tw_span body)
{
    char *account = (char *)"x", *arn = (char *)"y";
    struct tw_err err;
    int rc;

    memset(&err, 0, sizeof(err));
    rc = tw_proto_parse_get_caller_identity(&account, &arn, body, &err);
    if (rc != TW_OK) {
        fz_check_err(rc, &err);
        FZ_CHECK(account == NULL && arn == NULL);
        return;
    }
    FZ_CHECK(account != NULL && arn != NULL);
    free(account);
    free(arn);
}

static void s_query_error(struct tw_span body)
{
    struct tw_err err, snap;
    int rc;

    memset(&err, 0, sizeof(err));
    tw_strlcpy(err.service, "sns", sizeof(err.service));
    err.http_status = 403;
    snap = err;
    rc = tw_aws_parse_query_error(&err, body);
    if (rc != TW_OK) {
        FZ_CHECK(rc == TW_EPARSE);
        FZ_CHECK(memcmp(&err, &snap, sizeof(err)) == 0);
        return;
    }
    FZ_CHECK(err.aws_code[0] != '\0');
    FZ_CHECK(memchr(err.aws_code, '\0', sizeof(err.aws_code)) != NULL);
    FZ_CHECK(memchr(err.msg, '\0', sizeof(err.msg)) != NULL);
    FZ_CHECK(memchr(err.request_id, '\0', sizeof(err.request_id)) != NULL);
    for (const char *c = err.msg; *c; c++)
        FZ_CHECK((unsigned char)*c >= 0x20 && *c != 0x7f);
    for (const char *c = err.aws_code; *c; c++)
        FZ_CHECK((unsigned char)*c >= 0x20 && *c != 0x7f);
    FZ_CHECK(strcmp(err.service, "sns") == 0 && err.http_status == 403);
}

static size_t s_walk(const struct tw_xml_node *n, int depth)
{
    static const char *const paths[] = { "", "member", "Error/Code", "a/b/c", "Credentials" };
    size_t count = 1;
    struct tw_err err;
    char *s = NULL;
    int64_t i;
    double d;
    int b, have;

    FZ_CHECK(depth <= TW_XML_MAX_DEPTH);
    FZ_CHECK(n->name != NULL && strlen(n->name) <= TW_XML_MAX_NAME);
    FZ_CHECK(n->n_children == 0 || n->text == NULL);
    FZ_CHECK(n->text_len <= TW_XML_MAX_TEXT);
    if (n->text)
        FZ_CHECK(n->text[n->text_len] == '\0');
    FZ_CHECK(tw_xml_text(n) != NULL);
    memset(&err, 0, sizeof(err));
    for (size_t p = 0; p < TW_ARRAY_LEN(paths); p++) {
        (void)tw_xml_path(n, paths[p]);
        if (tw_xml_get_string(&s, n, paths[p], 0, &err) == TW_OK)
            free(s);
        (void)tw_xml_get_bool(&b, &have, n, paths[p], &err);
        (void)tw_xml_get_int(&i, &have, n, paths[p], -5, INT64_MAX, &err);
        if (tw_xml_get_double(&d, &have, n, paths[p], &err) == TW_OK && have)
            FZ_CHECK(d == d && d - d == 0); /* finite */
    }
    for (size_t c = 0; c < n->n_children; c++) {
        FZ_CHECK(tw_xml_child(n, n->children[c].name) != NULL);
        count += s_walk(&n->children[c], depth + 1);
    }
    {
        size_t k = 0;
        const struct tw_xml_node *m;
        if (n->n_children)
            for (m = tw_xml_next(n, NULL, n->children[0].name); m;
                 m = tw_xml_next(n, m, n->children[0].name))
                k++;
        FZ_CHECK(k <= n->n_children);
    }
    return count;
}

static void s_dom(struct tw_span body)
{
    struct tw_xml_node *root = (struct tw_xml_node *)1;
    struct tw_err err;
    int rc;

    memset(&err, 0, sizeof(err));
    rc = tw_xml_parse(&root, body, &err);
    if (rc != TW_OK) {
        fz_check_err(rc, &err);
        FZ_CHECK(root == NULL);
        return;
    }
    FZ_CHECK(s_walk(root, 1) <= TW_XML_MAX_NODES);
    tw_xml_free(root);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct tw_span body;

    if (size < 1)
        return 0;
    body = (struct tw_span){ (const char *)data + 1, size - 1 };
    switch (data[0] % 7) {
    case 0: s_alarms(body, 0); break;
    case 1: s_alarms(body, 1); break;
    case 2: s_subscriptions(body); break;
    case 3: s_assume_role(body); break;
    case 4: s_caller_identity(body); break;
    case 5: s_query_error(body); break;
    default: s_dom(body); break;
    }
    return 0;
}
