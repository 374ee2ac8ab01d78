/* proto_sts.c — STS (Query): AssumeRole, GetCallerIdentity. */
#include "proto_int.h"

#include "timeutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int tw_proto_assume_role_request(struct tw_buf *out, const char *role_arn,
                                 const char *session_name, int duration_seconds,
                                 struct tw_err *err)
{
    static const char op[] = "AssumeRole";
    struct tw_buf form;
    char seconds[24];
    int rc;

    tw_buf_init(&form, out->max);
    if ((rc = tw_proto_need(role_arn, op, "RoleArn", err)) != TW_OK ||
        (rc = tw_proto_need(session_name, op, "RoleSessionName", err)) != TW_OK)
        goto out;
    if (duration_seconds < 0) {
        tw_err_set(err, "%s request: DurationSeconds %d is negative", op, duration_seconds);
        rc = TW_ERR;
        goto out;
    }
    snprintf(seconds, sizeof(seconds), "%d", duration_seconds);
    /* Model order: RoleArn, RoleSessionName, PolicyArns, Policy, DurationSeconds, ... */
    if ((rc = tw_proto_form_start(&form, op, TW_QUERY_VERSION_STS, err)) != TW_OK ||
        (rc = tw_form_add(&form, "RoleArn", role_arn, err)) != TW_OK ||
        (rc = tw_form_add(&form, "RoleSessionName", session_name, err)) != TW_OK ||
        (duration_seconds > 0 &&
         (rc = tw_form_add(&form, "DurationSeconds", seconds, err)) != TW_OK))
        goto out;
    rc = tw_proto_commit(out, &form, op, err);
out:
    tw_buf_cleanup(&form);
    return rc;
}

int tw_proto_get_caller_identity_request(struct tw_buf *out, struct tw_err *err)
{
    static const char op[] = "GetCallerIdentity";
    struct tw_buf form;
    int rc;

    tw_buf_init(&form, out->max);
    rc = tw_proto_form_start(&form, op, TW_QUERY_VERSION_STS, err);
    if (rc == TW_OK)
        rc = tw_proto_commit(out, &form, op, err);
    tw_buf_cleanup(&form);
    return rc;
}

int tw_proto_parse_assume_role(struct tw_creds *out, struct tw_span body, struct tw_err *err)
{
    static const char op[] = "AssumeRole";
    static const char *const names[] = { "AccessKeyId", "SecretAccessKey", "SessionToken",
                                         "Expiration" };
    struct tw_xml_node *root = NULL;
    const struct tw_xml_node *result, *c;
    const char *v[4];
    int64_t ms = 0;
    int rc;

    memset(out, 0, sizeof(*out));
    rc = tw_proto_xml_reply(&root, &result, body, op, NULL, err);
    if (rc != TW_OK)
        goto out;
    c = tw_xml_child(result, "Credentials");
    /* Borrowed texts: tw_creds_set makes the only copies, and the tree is
     * wiped when freed. */
    for (size_t i = 0; i < TW_ARRAY_LEN(names); i++) {
        v[i] = tw_xml_text(tw_xml_child(c, names[i]));
        if (!v[i] || !v[i][0]) {
            tw_err_set(err, "%s reply: no <Credentials>/<%s>", op, names[i]);
            rc = TW_EPARSE;
            goto out;
        }
    }
    if (tw_time_parse_iso8601(&ms, v[3]) != TW_OK || ms <= 0) {
        tw_err_set(err, "%s reply: Expiration \"%.40s\" is not an ISO 8601 time", op, v[3]);
        rc = TW_EPARSE;
        goto out;
    }
    rc = tw_creds_set(out, v[0], v[1], v[2], (time_t)(ms / 1000), "sts:AssumeRole", err);
    if (rc == TW_ERR)
        rc = TW_EPARSE; /* a key or token tw_creds_set refuses is a bad reply */
    if (rc != TW_OK)
        tw_err_prefix(err, "%s reply", op);
out:
    tw_xml_free(root);
    return rc;
}

int tw_proto_parse_get_caller_identity(char **account, char **arn, struct tw_span body,
                                       struct tw_err *err)
{
    static const char op[] = "GetCallerIdentity";
    struct tw_xml_node *root = NULL;
    const struct tw_xml_node *result;
    char *a = NULL, *r = NULL;
    int rc;

    *account = NULL;
    *arn = NULL;
    rc = tw_proto_xml_reply(&root, &result, body, op, NULL, err);
    if (rc != TW_OK)
        goto out;
    if ((rc = tw_xml_get_string(&a, result, "Account", 1, err)) != TW_OK ||
        (rc = tw_xml_get_string(&r, result, "Arn", 1, err)) != TW_OK) {
        tw_err_prefix(err, "%s reply", op);
        goto out;
    }
    *account = a;
    *arn = r;
    a = r = NULL;
out:
    free(a);
    free(r);
    tw_xml_free(root);
    return rc;
}
