/* awsproto.c — AWS error bodies, form encoding and what the per-service
 * proto_*.c files share. */
#include "proto_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- error bodies ------------------------------------------------------------------ */

/* Copies at most dst_size-1 bytes of src[0..n), blanking control characters
 * (one line for people and logs) and never cutting a UTF-8 sequence. */
static void s_copy_clean(char *dst, size_t dst_size, const char *src, size_t n)
{
    size_t i;

    if (n > dst_size - 1) {
        n = dst_size - 1;
        /* Back off continuation bytes so the cut lands between characters. */
        while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
            n--;
    }
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)src[i];
        dst[i] = (c < 0x20 || c == 0x7F) ? ' ' : (char)c;
    }
    dst[i] = '\0';
}

int tw_aws_parse_json_error(struct tw_err *err, struct tw_span body)
{
    cJSON *doc = tw_json_parse_whole(body);
    const cJSON *type, *msg;
    const char *code, *cut, *hash, *text = "";
    size_t len;
    int rc = TW_EPARSE;

    if (!cJSON_IsObject(doc))
        goto out;
    type = cJSON_GetObjectItemCaseSensitive(doc, "__type");
    if (!cJSON_IsString(type) || !type->valuestring)
        goto out;
    /* botocore: "a.b#Code:http://..." -> cut at the first ':', keep what
     * follows the last '#'. */
    code = type->valuestring;
    cut = strchr(code, ':');
    len = cut ? (size_t)(cut - code) : strlen(code);
    hash = NULL;
    for (size_t i = 0; i < len; i++) {
        if (code[i] == '#')
            hash = code + i;
    }
    if (hash) {
        len -= (size_t)(hash + 1 - code);
        code = hash + 1;
    }
    if (len == 0)
        goto out;
    msg = cJSON_GetObjectItemCaseSensitive(doc, "message");
    if (!cJSON_IsString(msg))
        msg = cJSON_GetObjectItemCaseSensitive(doc, "Message");
    if (cJSON_IsString(msg) && msg->valuestring)
        text = msg->valuestring;
    if (err) {
        s_copy_clean(err->aws_code, sizeof(err->aws_code), code, len);
        s_copy_clean(err->msg, sizeof(err->msg), text, strlen(text));
    }
    rc = TW_OK;
out:
    cJSON_Delete(doc);
    return rc;
}

int tw_aws_parse_query_error(struct tw_err *err, struct tw_span body)
{
    struct tw_xml_node *root = NULL;
    const struct tw_xml_node *e = NULL, *rid = NULL;
    const char *code, *msg;
    int rc = TW_EPARSE;

    if (body.len > TW_PROTO_MAX_BODY || tw_xml_parse(&root, body, NULL) != TW_OK)
        goto out;
    if (strcmp(root->name, "ErrorResponse") == 0) {
        e = tw_xml_child(root, "Error");
        rid = tw_xml_child(root, "RequestId");
    } else if (strcmp(root->name, "Response") == 0) {
        /* EC2 style, with RequestID spelt so. */
        e = tw_xml_path(root, "Errors/Error");
        rid = tw_xml_child(root, "RequestID");
        if (!rid)
            rid = tw_xml_child(root, "RequestId");
    } else if (strcmp(root->name, "Error") == 0) {
        e = root;
    }
    if (!rid)
        rid = tw_xml_child(e, "RequestId");
    code = tw_xml_text(tw_xml_child(e, "Code"));
    if (!code || !code[0])
        goto out;
    msg = tw_xml_text(tw_xml_child(e, "Message"));
    if (err) {
        s_copy_clean(err->aws_code, sizeof(err->aws_code), code, strlen(code));
        s_copy_clean(err->msg, sizeof(err->msg), msg ? msg : "", msg ? strlen(msg) : 0);
        if (rid && tw_xml_text(rid)[0])
            s_copy_clean(err->request_id, sizeof(err->request_id), tw_xml_text(rid),
                         strlen(tw_xml_text(rid)));
    }
    rc = TW_OK;
out:
    tw_xml_free(root);
    return rc;
}

static int s_in(const char *code, const char *const *list, size_t n)
{
    if (!code || !code[0])
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(code, list[i]) == 0)
            return 1;
    }
    return 0;
}

int tw_aws_error_is_throttling(const char *code)
{
    /* botocore/retries/standard.py ThrottlingErrorDetector (PROTOCOLS.md §8). */
    static const char *const codes[] = {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottledException",
        "TooManyRequestsException",
        "ProvisionedThroughputExceededException",
        "TransactionInProgressException",
        "RequestLimitExceeded",
        "BandwidthLimitExceeded",
        "LimitExceededException",
        "RequestThrottled",
        "SlowDown",
        "EC2ThrottledException",
    };

    return s_in(code, codes, TW_ARRAY_LEN(codes));
}

int tw_aws_error_is_retryable(const char *code)
{
    /* botocore TransientRetryableChecker's codes; statuses are the caller's. */
    static const char *const codes[] = {
        "RequestTimeout",
        "RequestTimeoutException",
        "PriorRequestNotComplete",
    };

    return tw_aws_error_is_throttling(code) || s_in(code, codes, TW_ARRAY_LEN(codes));
}

int tw_aws_error_is_access_denied(const char *code)
{
    static const char *const codes[] = {
        "AccessDenied",          "AccessDeniedException", "AuthorizationError",
        "UnauthorizedOperation", "UnauthorizedException",
    };

    return s_in(code, codes, TW_ARRAY_LEN(codes));
}

int tw_aws_error_is_bad_credentials(const char *code)
{
    static const char *const codes[] = {
        "ExpiredToken",
        "ExpiredTokenException",
        "InvalidClientTokenId",
        "UnrecognizedClientException",
        "SignatureDoesNotMatch",
        "InvalidSignatureException",
        "IncompleteSignature",
        "IncompleteSignatureException",
        "MissingAuthenticationToken",
        "MissingAuthenticationTokenException",
        "RequestExpired",
        "RequestTimeTooSkewed",
        "InvalidAccessKeyId",
        "AuthFailure",
    };

    return s_in(code, codes, TW_ARRAY_LEN(codes));
}

int tw_aws_error_is_not_found(const char *code)
{
    static const char *const codes[] = {
        "ResourceNotFoundException",
        "TrailNotFoundException",
        "NotFound",
        "NotFoundException",
        "NoSuchEntity",
        "NoSuchEntityException",
        "ResourceNotFound",
    };

    return s_in(code, codes, TW_ARRAY_LEN(codes));
}

/* ---- form encoding ------------------------------------------------------------------- */

static void s_truncate(struct tw_buf *buf, size_t len)
{
    buf->len = len;
    if (buf->ptr)
        buf->ptr[len] = '\0';
}

int tw_form_encode(struct tw_buf *out, struct tw_span s)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t mark = out->len;
    int rc = TW_OK;

    for (size_t i = 0; i < s.len && rc == TW_OK; i++) {
        unsigned char c = (unsigned char)s.ptr[i];
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '~') {
            rc = tw_buf_append_char(out, (char)c);
        } else {
            char esc[3] = { '%', hex[c >> 4], hex[c & 15] };
            rc = tw_buf_append(out, esc, sizeof(esc));
        }
    }
    if (rc != TW_OK)
        s_truncate(out, mark);
    return rc;
}

int tw_form_add(struct tw_buf *form, const char *name, const char *value, struct tw_err *err)
{
    size_t mark = form->len;
    int rc = TW_OK;

    if (form->len > 0)
        rc = tw_buf_append_char(form, '&');
    if (rc == TW_OK)
        rc = tw_form_encode(form, tw_span_cstr(name));
    if (rc == TW_OK)
        rc = tw_buf_append_char(form, '=');
    if (rc == TW_OK && value)
        rc = tw_form_encode(form, tw_span_cstr(value));
    if (rc != TW_OK) {
        s_truncate(form, mark);
        if (rc == TW_ETOOBIG)
            tw_err_set(err, "request body would exceed %zu bytes (at %s)", form->max, name);
        else
            tw_err_set(err, "out of memory building a request body");
    }
    return rc;
}

/* ---- shared by the proto_*.c files ------------------------------------------------------ */

int tw_proto_commit(struct tw_buf *out, const struct tw_buf *built, const char *op,
                    struct tw_err *err)
{
    int rc = tw_buf_append_span(out, tw_buf_span(built));

    if (rc == TW_ETOOBIG)
        tw_err_set(err, "%s request body would exceed %zu bytes", op, out->max);
    else if (rc != TW_OK)
        tw_err_set(err, "out of memory building the %s request", op);
    return rc;
}

int tw_proto_emit_json(struct tw_buf *out, const cJSON *doc, const char *op, struct tw_err *err)
{
    char *text = cJSON_PrintUnformatted(doc);
    int rc;

    if (!text) {
        tw_err_set(err, "out of memory building the %s request", op);
        return TW_ENOMEM;
    }
    rc = tw_buf_append_cstr(out, text);
    if (rc == TW_ETOOBIG)
        tw_err_set(err, "%s request body would exceed %zu bytes", op, out->max);
    else if (rc != TW_OK)
        tw_err_set(err, "out of memory building the %s request", op);
    cJSON_free(text);
    return rc;
}

int tw_proto_form_start(struct tw_buf *form, const char *action, const char *version,
                        struct tw_err *err)
{
    int rc = tw_form_add(form, "Action", action, err);

    return rc == TW_OK ? tw_form_add(form, "Version", version, err) : rc;
}

int tw_proto_need(const char *s, const char *op, const char *what, struct tw_err *err)
{
    if (s && s[0])
        return TW_OK;
    tw_err_set(err, "%s request: %s is required", op, what);
    return TW_ERR;
}

int tw_proto_json_reply(cJSON **out, struct tw_span body, const char *op, struct tw_err *err)
{
    cJSON *doc;

    *out = NULL;
    if (body.len > TW_PROTO_MAX_BODY) {
        tw_err_set(err, "%s reply of %zu bytes is too large", op, body.len);
        return TW_ETOOBIG;
    }
    doc = tw_json_parse_whole(body);
    if (!doc) {
        tw_err_set(err, "%s reply is not one complete JSON value in UTF-8 (%zu bytes)", op,
                    body.len);
        return TW_EPARSE;
    }
    if (!cJSON_IsObject(doc)) {
        cJSON_Delete(doc);
        tw_err_set(err, "%s reply is not a JSON object", op);
        return TW_EPARSE;
    }
    *out = doc;
    return TW_OK;
}

int tw_proto_xml_reply(struct tw_xml_node **root, const struct tw_xml_node **result,
                       struct tw_span body, const char *op, const char *alt_op,
                       struct tw_err *err)
{
    const char *ops[2] = { op, alt_op };
    struct tw_xml_node *doc = NULL;
    char name[96];
    int rc;

    *root = NULL;
    *result = NULL;
    if (body.len > TW_PROTO_MAX_BODY) {
        tw_err_set(err, "%s reply of %zu bytes is too large", op, body.len);
        return TW_ETOOBIG;
    }
    rc = tw_xml_parse(&doc, body, err);
    if (rc != TW_OK) {
        tw_err_prefix(err, "%s reply", op);
        return rc;
    }
    for (size_t i = 0; i < 2 && ops[i]; i++) {
        snprintf(name, sizeof(name), "%sResponse", ops[i]);
        if (strcmp(doc->name, name) != 0)
            continue;
        snprintf(name, sizeof(name), "%sResult", ops[i]);
        *result = tw_xml_child(doc, name);
        if (!*result) {
            tw_err_set(err, "%s reply: <%sResponse> has no <%s>", op, ops[i], name);
            tw_xml_free(doc);
            return TW_EPARSE;
        }
        *root = doc;
        return TW_OK;
    }
    tw_err_set(err, "%s reply: expected <%sResponse>, got <%.64s>", op, op, doc->name);
    tw_xml_free(doc);
    return TW_EPARSE;
}

int tw_proto_xml_count(size_t *out, const struct tw_xml_node *list, size_t max, const char *what,
                       struct tw_err *err)
{
    size_t n = 0;

    *out = 0;
    for (const struct tw_xml_node *m = tw_xml_next(list, NULL, "member"); m;
         m = tw_xml_next(list, m, "member")) {
        if (++n > max) {
            tw_err_set(err, "%s has more than %zu members", what, max);
            return TW_ETOOBIG;
        }
    }
    *out = n;
    return TW_OK;
}

int tw_proto_xml_strv(char ***out, size_t *out_n, const struct tw_xml_node *list,
                      const char *what, struct tw_err *err)
{
    char **v = NULL;
    size_t n = 0, i = 0;
    int rc;

    *out = NULL;
    *out_n = 0;
    rc = tw_proto_xml_count(&n, list, TW_PROTO_MAX_LIST, what, err);
    if (rc != TW_OK || n == 0)
        return rc;
    v = calloc(n, sizeof(*v));
    if (!v)
        goto nomem;
    for (const struct tw_xml_node *m = tw_xml_next(list, NULL, "member"); m;
         m = tw_xml_next(list, m, "member")) {
        v[i] = tw_strdup(tw_xml_text(m));
        if (!v[i++])
            goto nomem;
    }
    *out = v;
    *out_n = n;
    return TW_OK;
nomem:
    tw_json_strv_free(v, n);
    tw_err_set(err, "out of memory");
    return TW_ENOMEM;
}

int tw_proto_json_token(char **out, const cJSON *obj, const char *name, struct tw_err *err)
{
    int rc = tw_json_get_string(out, obj, name, 0, err);

    if (rc == TW_OK && *out && !(*out)[0]) {
        free(*out);
        *out = NULL;
    }
    return rc;
}

int tw_proto_xml_token(char **out, const struct tw_xml_node *result, const char *name,
                       struct tw_err *err)
{
    int rc = tw_xml_get_string(out, result, name, 0, err);

    if (rc == TW_OK && *out && !(*out)[0]) {
        free(*out);
        *out = NULL;
    }
    return rc;
}

int tw_proto_concat(void **out, void *dst, size_t n_dst, const void *src, size_t n_src,
                    size_t elem, const char *op, struct tw_err *err)
{
    char *p;

    *out = dst;
    if (n_src == 0)
        return TW_OK;
    if (n_dst > TW_PROTO_MAX_TOTAL_ITEMS || n_src > TW_PROTO_MAX_TOTAL_ITEMS - n_dst) {
        tw_err_set(err, "%s: more than %d items over all pages", op, TW_PROTO_MAX_TOTAL_ITEMS);
        return TW_ETOOBIG;
    }
    p = realloc(dst, (n_dst + n_src) * elem);
    if (!p) {
        tw_err_set(err, "out of memory");
        return TW_ENOMEM;
    }
    memcpy(p + n_dst * elem, src, n_src * elem);
    *out = p;
    return TW_OK;
}

int tw_proto_xml_list_page(const struct tw_proto_xml_list *spec, void **grown, void *items,
                           size_t n_items, size_t *n_added, char **next_token,
                           struct tw_span body, struct tw_err *err)
{
    struct tw_xml_node *root = NULL;
    const struct tw_xml_node *result, *list;
    char *tmp = NULL, *token = NULL;
    size_t n = 0, i = 0;
    int rc;

    *grown = items;
    *n_added = 0;
    if (next_token)
        *next_token = NULL;
    rc = tw_proto_xml_reply(&root, &result, body, spec->op, spec->alt_op, err);
    if (rc != TW_OK)
        goto out;
    list = tw_xml_child(result, spec->list);
    if ((rc = tw_proto_xml_count(&n, list, TW_PROTO_MAX_ITEMS, spec->list, err)) != TW_OK ||
        (next_token && (rc = tw_proto_xml_token(&token, result, "NextToken", err)) != TW_OK)) {
        tw_err_prefix(err, "%s reply", spec->op);
        goto out;
    }
    if (n > 0 && !(tmp = calloc(n, spec->elem))) {
        tw_err_set(err, "out of memory");
        rc = TW_ENOMEM;
        goto out;
    }
    for (const struct tw_xml_node *m = tw_xml_next(list, NULL, "member"); m;
         m = tw_xml_next(list, m, "member"), i++) {
        if ((rc = spec->parse(tmp + i * spec->elem, m, err)) != TW_OK) {
            tw_err_prefix(err, "%s reply: %s member %zu", spec->op, spec->list, i + 1);
            goto out;
        }
    }
    rc = tw_proto_concat(grown, items, n_items, tmp, n, spec->elem, spec->op, err);
    if (rc != TW_OK)
        goto out;
    *n_added = n;
    free(tmp); /* the items now live in *grown */
    tmp = NULL;
    if (next_token) {
        *next_token = token;
        token = NULL;
    }
out:
    if (tmp)
        spec->free_items(tmp, n);
    free(token);
    tw_xml_free(root);
    return rc;
}

/* ---- releasing parsed lists ----------------------------------------------------------- */

void tw_proto_trails_free(struct tw_trail *trails, size_t n)
{
    for (size_t i = 0; trails && i < n; i++)
        tw_trail_cleanup(&trails[i]);
    free(trails);
}

void tw_proto_filters_free(struct tw_metric_filter *filters, size_t n)
{
    for (size_t i = 0; filters && i < n; i++)
        tw_metric_filter_cleanup(&filters[i]);
    free(filters);
}

void tw_proto_alarms_free(struct tw_alarm *alarms, size_t n)
{
    for (size_t i = 0; alarms && i < n; i++)
        tw_alarm_cleanup(&alarms[i]);
    free(alarms);
}

void tw_proto_subscriptions_free(struct tw_subscription *subs, size_t n)
{
    for (size_t i = 0; subs && i < n; i++) {
        free(subs[i].arn);
        free(subs[i].protocol);
        free(subs[i].endpoint);
    }
    free(subs);
}
