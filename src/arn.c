/* arn.c — ARN syntax (AWS General Reference, "Amazon Resource Names"). */
#include "arn.h"

#include <string.h>

/* 1 if every byte of s is in [a-z0-9-]. */
static int s_is_lower_alnum_dash(struct tw_span s)
{
    for (size_t i = 0; i < s.len; i++) {
        char c = s.ptr[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
            return 0;
    }
    return 1;
}

static int s_is_lower_dash(struct tw_span s)
{
    for (size_t i = 0; i < s.len; i++)
        if (!((s.ptr[i] >= 'a' && s.ptr[i] <= 'z') || s.ptr[i] == '-'))
            return 0;
    return 1;
}

int tw_arn_account_valid(struct tw_span account)
{
    if (account.len != 12)
        return 0;
    for (size_t i = 0; i < account.len; i++)
        if (account.ptr[i] < '0' || account.ptr[i] > '9')
            return 0;
    return 1;
}

int tw_arn_partition_known(struct tw_span partition)
{
    return tw_span_eq_cstr(partition, "aws") || tw_span_eq_cstr(partition, "aws-cn") ||
           tw_span_eq_cstr(partition, "aws-us-gov");
}

/* Takes the text up to the next ':' off the front of *rest. */
static int s_take_field(struct tw_span *field, struct tw_span *rest)
{
    const char *colon = rest->len ? memchr(rest->ptr, ':', rest->len) : NULL;
    size_t n;

    if (!colon)
        return 0;
    n = (size_t)(colon - rest->ptr);
    field->ptr = rest->ptr;
    field->len = n;
    rest->ptr += n + 1;
    rest->len -= n + 1;
    return 1;
}

int tw_arn_parse(struct tw_arn *out, struct tw_span arn, struct tw_err *err)
{
    struct tw_arn a;
    struct tw_span rest = arn, prefix;
    const char *bad = NULL;

    memset(out, 0, sizeof(*out));
    memset(&a, 0, sizeof(a));
    if (arn.len > TW_ARN_MAX) {
        tw_err_set(err, "ARN is longer than %d bytes", TW_ARN_MAX);
        return TW_EPARSE;
    }
    if (!s_take_field(&prefix, &rest) || !tw_span_eq_cstr(prefix, "arn") ||
        !s_take_field(&a.partition, &rest) || !s_take_field(&a.service, &rest) ||
        !s_take_field(&a.region, &rest) || !s_take_field(&a.account, &rest)) {
        tw_err_set(err, "not an ARN (want arn:partition:service:region:account:resource): \"%.*s\"",
                   (int)(arn.len > 200 ? 200 : arn.len), arn.ptr);
        return TW_EPARSE;
    }
    a.resource = rest;
    if (a.partition.len == 0 || !s_is_lower_dash(a.partition))
        bad = "partition";
    else if (a.service.len == 0 || !s_is_lower_alnum_dash(a.service))
        bad = "service";
    else if (!s_is_lower_alnum_dash(a.region))
        bad = "region";
    else if (a.account.len != 0 && !tw_span_eq_cstr(a.account, "aws") &&
             !tw_arn_account_valid(a.account))
        bad = "account";
    else if (a.resource.len == 0)
        bad = "resource";
    if (!bad) {
        for (size_t i = 0; i < a.resource.len; i++) {
            unsigned char c = (unsigned char)a.resource.ptr[i];
            if (c < 0x20 || c == 0x7f) {
                bad = "resource";
                break;
            }
        }
    }
    if (bad) {
        tw_err_set(err, "ARN has an invalid %s: \"%.*s\"", bad, (int)(arn.len > 200 ? 200 : arn.len),
                   arn.ptr);
        return TW_EPARSE;
    }
    *out = a;
    return TW_OK;
}

void tw_arn_resource_split(struct tw_span *type, struct tw_span *id, struct tw_span resource)
{
    for (size_t i = 0; i < resource.len; i++) {
        if (resource.ptr[i] == ':' || resource.ptr[i] == '/') {
            type->ptr = resource.ptr;
            type->len = i;
            id->ptr = resource.ptr + i + 1;
            id->len = resource.len - i - 1;
            return;
        }
    }
    type->ptr = resource.ptr;
    type->len = 0;
    *id = resource;
}
