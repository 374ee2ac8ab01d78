/* fuzz_arn.c — libFuzzer target for ARNs (tw_arn_parse and friends) and the
 * assumed-role ARN built from one (tw_creds_role_arn).
 *
 * Input: ARN [ '\0' ROLE-NAME ]. Checks:
 *   - on failure *out is zeroed and err explains;
 *   - on success the five spans lie inside the input, in order, and
 *     "arn:" P ":" S ":" R ":" A ":" RESOURCE rebuilds the input exactly;
 *     each field obeys arn.h's syntax;
 *   - tw_arn_resource_split cuts at the first ':' or '/' and loses nothing;
 *   - tw_creds_role_arn succeeds only for IAM role ARNs of a known partition
 *     and gives "arn:<partition>:iam::<account>:role/<name>", leaving the
 *     buffer unchanged on failure. */
#include "arn.h"
#include "creds.h"
#include "fuzz_common.h"

static int s_inside(struct tw_span s, const char *base, size_t n)
{
    return s.ptr >= base && s.len <= n && s.ptr + s.len <= base + n;
}

static int s_all(struct tw_span s, const char *allowed_extra, int digits)
{
    for (size_t i = 0; i < s.len; i++) {
        char c = s.ptr[i];
        if (!((c >= 'a' && c <= 'z') || (digits && c >= '0' && c <= '9') ||
              (c != '\0' && strchr(allowed_extra, c))))
            return 0;
    }
    return 1;
}

static void s_check_split(struct tw_span resource)
{
    struct tw_span type = { NULL, 99 }, id = { NULL, 99 };
    size_t cut = resource.len;

    tw_arn_resource_split(&type, &id, resource);
    for (size_t i = 0; i < resource.len; i++)
        if (resource.ptr[i] == ':' || resource.ptr[i] == '/') {
            cut = i;
            break;
        }
    if (cut == resource.len) {
        FZ_CHECK(type.len == 0 && id.ptr == resource.ptr && id.len == resource.len);
    } else {
        FZ_CHECK(type.ptr == resource.ptr && type.len == cut);
        FZ_CHECK(id.ptr == resource.ptr + cut + 1 && id.len == resource.len - cut - 1);
    }
}

static void s_check_role(const char *arn, const char *role, const struct tw_arn *parsed, int ok)
{
    struct tw_buf out;
    struct tw_err err;
    int rc;

    tw_buf_init(&out, 4096);
    FZ_CHECK(tw_buf_append_cstr(&out, "x") == TW_OK);
    memset(&err, 0, sizeof(err));
    rc = tw_creds_role_arn(&out, arn, role, &err);
    if (rc != TW_OK) {
        fz_check_err(rc, &err);
        FZ_CHECK(strcmp(tw_buf_cstr(&out), "x") == 0);
    } else {
        char want[4096];
        FZ_CHECK(ok);
        FZ_CHECK(tw_arn_partition_known(parsed->partition));
        FZ_CHECK(tw_span_eq_cstr(parsed->service, "iam") && parsed->region.len == 0);
        FZ_CHECK(tw_arn_account_valid(parsed->account));
        snprintf(want, sizeof(want), "xarn:%.*s:iam::%.*s:role/%s", (int)parsed->partition.len,
                 parsed->partition.ptr, (int)parsed->account.len, parsed->account.ptr, role);
        FZ_CHECK(strcmp(tw_buf_cstr(&out), want) == 0);
        FZ_CHECK(strlen(role) >= 1 && strlen(role) <= 64);
    }
    tw_buf_cleanup(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct tw_arn zero;
    char *s = fz_cstr(data, size);
    const char *nul = memchr(s, '\0', size);
    size_t n = nul ? (size_t)(nul - s) : size;
    const char *role = nul ? nul + 1 : "Audit";
    struct tw_arn a;
    struct tw_err err;
    int rc;

    memset(&err, 0, sizeof(err));
    memset(&a, 0x5a, sizeof(a));
    rc = tw_arn_parse(&a, (struct tw_span){ s, n }, &err);
    if (rc != TW_OK) {
        fz_check_err(rc, &err);
        FZ_CHECK(rc == TW_EPARSE);
        FZ_CHECK(memcmp(&a, &zero, sizeof(a)) == 0);
    } else {
        char rebuilt[TW_ARN_MAX + 1];
        int m;

        FZ_CHECK(n <= TW_ARN_MAX);
        FZ_CHECK(s_inside(a.partition, s, n) && s_inside(a.service, s, n) &&
                 s_inside(a.region, s, n) && s_inside(a.account, s, n) &&
                 s_inside(a.resource, s, n));
        FZ_CHECK(a.partition.len > 0 && s_all(a.partition, "-", 0));
        FZ_CHECK(a.service.len > 0 && s_all(a.service, "-", 1));
        FZ_CHECK(s_all(a.region, "-", 1));
        FZ_CHECK(a.account.len == 0 || tw_span_eq_cstr(a.account, "aws") ||
                 tw_arn_account_valid(a.account));
        FZ_CHECK(a.resource.len > 0 && a.resource.ptr + a.resource.len == s + n);
        for (size_t i = 0; i < a.resource.len; i++)
            FZ_CHECK((unsigned char)a.resource.ptr[i] >= 0x20 && a.resource.ptr[i] != 0x7f);
        m = snprintf(rebuilt, sizeof(rebuilt), "arn:%.*s:%.*s:%.*s:%.*s:%.*s",
                     (int)a.partition.len, a.partition.ptr, (int)a.service.len, a.service.ptr,
                     (int)a.region.len, a.region.ptr, (int)a.account.len, a.account.ptr,
                     (int)a.resource.len, a.resource.ptr);
        FZ_CHECK(m >= 0 && (size_t)m == n && memcmp(rebuilt, s, n) == 0);
        s_check_split(a.resource);
        (void)tw_arn_partition_known(a.partition);
    }
    (void)tw_arn_account_valid((struct tw_span){ s, n });
    /* tw_creds_role_arn takes C strings: only when the ARN part has no NUL. */
    s_check_role(s, role, &a, rc == TW_OK);
    free(s);
    return 0;
}
