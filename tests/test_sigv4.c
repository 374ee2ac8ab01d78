/* test_sigv4.c — the SigV4 signer against every case of the aws-c-auth suite
 * (tests/sigv4-test-suite/v4, or $TW_SIGV4_SUITE), stage by stage, plus the
 * behaviour trailwatch relies on beyond the suite. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <cjson/cJSON.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "creds.h"
#include "sigv4.h"
#include "sigv4_stages.h"

#define S_SUITE_DEFAULT "tests/sigv4-test-suite/v4"
#define S_SUITE_CASES 38 /* the suite as shipped; fewer means a broken copy */
#define S_MAX_HEADERS 32

/* ---- helpers -------------------------------------------------------------------- */

/* Whole file, NUL-terminated; NULL if it cannot be read. */
static char *s_slurp(const char *dir, const char *name, size_t *len_out)
{
    char path[1024];
    FILE *fp;
    char *buf = NULL;
    size_t cap = 0, len = 0, n;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    do {
        if (len + 4096 + 1 > cap) {
            char *p;
            cap = (len + 4096 + 1) * 2;
            p = realloc(buf, cap);
            if (!p) {
                free(buf);
                fclose(fp);
                return NULL;
            }
            buf = p;
        }
        n = fread(buf + len, 1, 4096, fp);
        len += n;
    } while (n > 0);
    fclose(fp);
    buf[len] = '\0';
    if (len_out)
        *len_out = len;
    return buf;
}

/* The expected-output files have no trailing newline; tolerate one anyway. */
static void s_chomp(char *s)
{
    size_t n = strlen(s);

    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
        s[--n] = '\0';
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm),
 * so the test needs no timegm(). */
static long s_days_from_civil(long y, long m, long d)
{
    long era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static time_t s_parse_iso8601(const char *s)
{
    int y, mo, d, h, mi, sec;

    if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2dZ", &y, &mo, &d, &h, &mi, &sec) != 6)
        return (time_t)-1;
    return (time_t)(s_days_from_civil(y, mo, d) * 86400L + h * 3600L + mi * 60L + sec);
}

/* request.txt: request line, header lines (indented lines continue the
 * previous value), a blank line, the body. Spans point into `raw`. */
struct s_request {
    struct tw_span method, path, query, body;
    struct tw_sigv4_header hdr[S_MAX_HEADERS];
    struct tw_span line[S_MAX_HEADERS * 4]; /* raw header lines, for the signed request */
    size_t n_hdr, n_line;
};

static int s_parse_request(struct s_request *r, const char *raw, size_t len)
{
    const char *eol = memchr(raw, '\n', len), *sp1, *sp2 = NULL, *target, *q;
    size_t pos;

    memset(r, 0, sizeof(*r));
    if (!eol)
        return -1;
    sp1 = memchr(raw, ' ', (size_t)(eol - raw));
    for (const char *p = eol; p > raw; p--)
        if (p[-1] == ' ') {
            sp2 = p - 1;
            break;
        }
    if (!sp1 || !sp2 || sp2 <= sp1)
        return -1;
    r->method = (struct tw_span){ raw, (size_t)(sp1 - raw) };
    target = sp1 + 1;
    q = memchr(target, '?', (size_t)(sp2 - target));
    r->path = (struct tw_span){ target, (size_t)((q ? q : sp2) - target) };
    if (q)
        r->query = (struct tw_span){ q + 1, (size_t)(sp2 - q - 1) };
    pos = (size_t)(eol - raw) + 1;
    while (pos < len) {
        const char *nl = memchr(raw + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - raw) : len;
        struct tw_span line = { raw + pos, end - pos };

        if (line.len == 0) {
            r->body = (struct tw_span){ raw + end + 1, len - end - 1 };
            break;
        }
        if (r->n_line == TW_ARRAY_LEN(r->line))
            return -1;
        r->line[r->n_line++] = line;
        if (line.ptr[0] == ' ' || line.ptr[0] == '\t') {
            struct tw_span *v;
            if (r->n_hdr == 0)
                return -1;
            v = &r->hdr[r->n_hdr - 1].value;
            v->len = (size_t)(line.ptr + line.len - v->ptr); /* value runs on, '\n's included */
        } else {
            const char *colon = memchr(line.ptr, ':', line.len);
            if (!colon || r->n_hdr == S_MAX_HEADERS)
                return -1;
            r->hdr[r->n_hdr].name = (struct tw_span){ line.ptr, (size_t)(colon - line.ptr) };
            r->hdr[r->n_hdr].value = (struct tw_span){ colon + 1, (size_t)(line.ptr + line.len - colon - 1) };
            r->n_hdr++;
        }
        pos = end + 1;
    }
    return 0;
}

static int s_check(const char *test, const char *stage, const char *got, const char *want)
{
    if (strcmp(got, want) == 0)
        return 0;
    print_error("%s: %s differs\n--- want\n%s\n--- got\n%s\n", test, stage, want, got);
    return 1;
}

/* ---- the suite ---------------------------------------------------------------------- */

/* Runs one case dir; returns the number of mismatching stages (0 = pass). */
static int s_run_case(const char *dir, const char *name)
{
    char *ctx_text = NULL, *raw = NULL, *want_creq = NULL, *want_sts = NULL, *want_sig = NULL,
         *want_signed = NULL;
    cJSON *ctx = NULL;
    struct s_request req;
    struct tw_sigv4_request sreq, full;
    struct tw_sigv4_params params;
    struct tw_sigv4_result res;
    struct tw_sigv4_header all[S_MAX_HEADERS + TW_SIGV4_ADDED_MAX], added[TW_SIGV4_ADDED_MAX];
    struct tw_creds creds;
    struct tw_err err;
    struct tw_buf creq, sts, signed_req;
    char sig[65];
    const cJSON *cred, *token;
    size_t raw_len = 0, n_added, n_all;
    int bad = 0, omit_token;

    memset(&creds, 0, sizeof(creds));
    tw_err_clear(&err);
    tw_sigv4_result_init(&res);
    tw_buf_init(&creq, 1 << 20);
    tw_buf_init(&sts, 1 << 20);
    tw_buf_init(&signed_req, 1 << 20);

    ctx_text = s_slurp(dir, "context.json", NULL);
    raw = s_slurp(dir, "request.txt", &raw_len);
    want_creq = s_slurp(dir, "header-canonical-request.txt", NULL);
    want_sts = s_slurp(dir, "header-string-to-sign.txt", NULL);
    want_sig = s_slurp(dir, "header-signature.txt", NULL);
    want_signed = s_slurp(dir, "header-signed-request.txt", NULL);
    if (!ctx_text || !raw || !want_creq || !want_sts || !want_sig || !want_signed) {
        print_error("%s: a suite file is missing\n", name);
        bad++;
        goto out;
    }
    s_chomp(want_creq);
    s_chomp(want_sts);
    s_chomp(want_sig);
    ctx = cJSON_Parse(ctx_text);
    cred = cJSON_GetObjectItemCaseSensitive(ctx, "credentials");
    if (!ctx || !cred || s_parse_request(&req, raw, raw_len) != 0) {
        print_error("%s: cannot parse context.json or request.txt\n", name);
        bad++;
        goto out;
    }
    token = cJSON_GetObjectItemCaseSensitive(cred, "token");
    omit_token = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(ctx, "omit_session_token"));
    /* omit_session_token (post-sts-header-after): the token is sent but not
     * signed. trailwatch always signs it, so sign without it and add it to
     * the request afterwards, which is what that case checks. */
    if (tw_creds_set(&creds,
                     cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(cred, "access_key_id")),
                     cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(cred, "secret_access_key")),
                     omit_token ? NULL : cJSON_GetStringValue(token), 0, "suite", &err) != TW_OK) {
        print_error("%s: credentials: %s\n", name, err.msg);
        bad++;
        goto out;
    }

    memset(&sreq, 0, sizeof(sreq));
    sreq.method = req.method;
    sreq.path = req.path;
    sreq.query = req.query;
    sreq.headers = req.hdr;
    sreq.n_headers = req.n_hdr;
    sreq.body = req.body;
    memset(&params, 0, sizeof(params));
    params.region = tw_span_cstr(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ctx, "region")));
    params.service = tw_span_cstr(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ctx, "service")));
    params.creds = &creds;
    params.now = s_parse_iso8601(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ctx, "timestamp")));
    params.normalize_path = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(ctx, "normalize"));
    params.sign_body = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(ctx, "sign_body"));

    if (tw_sigv4_sign(&res, &sreq, &params, &err) != TW_OK) {
        print_error("%s: sign failed: %s\n", name, err.msg);
        bad++;
        goto out;
    }
    bad += s_check(name, "signature (tw_sigv4_sign)", res.signature, want_sig);

    /* Stage by stage, over the request plus every header the signer added
     * except Authorization. */
    n_added = tw_sigv4_result_headers(added, &res);
    memcpy(all, req.hdr, req.n_hdr * sizeof(all[0]));
    n_all = req.n_hdr;
    for (size_t i = 0; i < n_added; i++)
        if (!tw_span_eq_cstr(added[i].name, "Authorization"))
            all[n_all++] = added[i];
    full = sreq;
    full.headers = all;
    full.n_headers = n_all;
    if (tw_sigv4_canonical_request(&creq, NULL, &full, params.normalize_path, res.payload_hash,
                                   &err) != TW_OK ||
        tw_sigv4_string_to_sign(&sts, tw_buf_span(&creq), res.amz_date, params.region,
                                params.service, &err) != TW_OK ||
        tw_sigv4_signature(sig, tw_span_cstr(creds.secret_access_key), res.amz_date, params.region,
                           params.service, tw_buf_span(&sts), &err) != TW_OK) {
        print_error("%s: a stage failed: %s\n", name, err.msg);
        bad++;
        goto out;
    }
    bad += s_check(name, "canonical request", tw_buf_cstr(&creq), want_creq);
    bad += s_check(name, "string to sign", tw_buf_cstr(&sts), want_sts);
    bad += s_check(name, "signature (stage)", sig, want_sig);

    /* The signed request: the original lines, then what the signer adds. */
    assert_int_equal(tw_buf_append(&signed_req, raw, (size_t)(strchr(raw, '\n') - raw) + 1), TW_OK);
    for (size_t i = 0; i < req.n_line; i++) {
        assert_int_equal(tw_buf_append_span(&signed_req, req.line[i]), TW_OK);
        assert_int_equal(tw_buf_append_char(&signed_req, '\n'), TW_OK);
    }
    if (omit_token)
        assert_int_equal(tw_buf_printf(&signed_req, "X-Amz-Security-Token:%s\n",
                                       cJSON_GetStringValue(token)),
                         TW_OK);
    for (size_t i = 0; i < n_added; i++)
        assert_int_equal(tw_buf_printf(&signed_req, "%.*s:%.*s\n", (int)added[i].name.len,
                                       added[i].name.ptr, (int)added[i].value.len,
                                       added[i].value.ptr),
                         TW_OK);
    assert_int_equal(tw_buf_append_char(&signed_req, '\n'), TW_OK);
    assert_int_equal(tw_buf_append_span(&signed_req, req.body), TW_OK);
    bad += s_check(name, "signed request", tw_buf_cstr(&signed_req), want_signed);
out:
    cJSON_Delete(ctx);
    tw_creds_cleanup(&creds);
    tw_sigv4_result_cleanup(&res);
    tw_buf_cleanup(&creq);
    tw_buf_cleanup(&sts);
    tw_buf_cleanup(&signed_req);
    free(ctx_text);
    free(raw);
    free(want_creq);
    free(want_sts);
    free(want_sig);
    free(want_signed);
    return bad;
}

static int s_name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_sigv4_suite(void **state)
{
    const char *suite = getenv("TW_SIGV4_SUITE");
    char *names[128];
    size_t n = 0, failed = 0;
    DIR *d;
    struct dirent *e;

    (void)state;
    if (!suite || !suite[0])
        suite = S_SUITE_DEFAULT;
    d = opendir(suite);
    if (!d)
        fail_msg("cannot open the SigV4 suite at %s (run from the repo root or set TW_SIGV4_SUITE)",
                 suite);
    while ((e = readdir(d)) != NULL) {
        char ctx_path[1024];
        struct stat st;

        if (e->d_name[0] == '.')
            continue;
        snprintf(ctx_path, sizeof(ctx_path), "%s/%s/context.json", suite, e->d_name);
        if (stat(ctx_path, &st) != 0)
            continue;
        if (n == TW_ARRAY_LEN(names))
            fail_msg("more than %zu cases", TW_ARRAY_LEN(names));
        names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof(names[0]), s_name_cmp);
    for (size_t i = 0; i < n; i++) {
        char dir[1024];

        snprintf(dir, sizeof(dir), "%s/%s", suite, names[i]);
        if (s_run_case(dir, names[i]) != 0)
            failed++;
        free(names[i]);
    }
    print_message("SigV4 suite: %zu cases, %zu passed\n", n, n - failed);
    if (n < S_SUITE_CASES)
        fail_msg("only %zu SigV4 cases found in %s, want %d", n, suite, S_SUITE_CASES);
    assert_int_equal(failed, 0);
}

/* ---- beyond the suite ------------------------------------------------------------ */

static const char s_akid[] = "AKIDEXAMPLE";
static const char s_secret[] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
static const time_t s_2015_08_30 = 1440938160; /* 2015-08-30T12:36:00Z */

/* Signs and returns the canonical request rebuilt from the result. */
static void s_sign_and_canon(struct tw_sigv4_result *res, struct tw_buf *creq,
                             const struct tw_sigv4_request *req, const struct tw_creds *creds,
                             int normalize)
{
    struct tw_sigv4_params p = { TW_SPAN_LIT("us-east-1"), TW_SPAN_LIT("service"), creds,
                                 s_2015_08_30, normalize, 0 };
    struct tw_sigv4_header all[16], added[TW_SIGV4_ADDED_MAX];
    struct tw_sigv4_request full = *req;
    struct tw_err err;
    size_t n = req->n_headers, k;

    tw_err_clear(&err);
    if (tw_sigv4_sign(res, req, &p, &err) != TW_OK)
        fail_msg("sign: %s", err.msg);
    memcpy(all, req->headers, n * sizeof(all[0]));
    k = tw_sigv4_result_headers(added, res);
    for (size_t i = 0; i < k; i++)
        if (!tw_span_eq_cstr(added[i].name, "Authorization"))
            all[n++] = added[i];
    full.headers = all;
    full.n_headers = n;
    assert_int_equal(tw_sigv4_canonical_request(creq, NULL, &full, normalize, res->payload_hash, &err),
                     TW_OK);
}

static void test_sigv4_canonical_details(void **state)
{
    static const struct {
        const char *path, *query;
        int normalize;
        const char *want_uri, *want_query;
    } cases[] = {
        /* The wire path is encoded once more (non-S3 double encoding). */
        { "/a%20b/", "", 1, "/a%2520b/", "" },
        { "/a b", "", 0, "/a%20b", "" },
        { "", "", 1, "/", "" },
        { "/./..", "", 1, "/", "" },
        { "/a/b/../c//d/", "", 1, "/a/c/d/", "" },
        { "/", "b=2&a=1&a=0", 1, "/", "a=0&a=1&b=2" },
        { "/", "k&j=", 1, "/", "j=&k=" },
        { "/", "x=a+b&y=%e1%88%b4&z=%zz", 1, "/", "x=a%2Bb&y=%E1%88%B4&z=%25zz" },
        { "/", "q=a b&&", 1, "/", "q=a%20b" },
        { "/", "Action=ListTopics&Version=2010-03-31", 1, "/", "Action=ListTopics&Version=2010-03-31" },
        /* A relative path normalises to the root, and nothing above it. */
        { ".", "", 1, "/", "" },
        { "a/..", "", 1, "/", "" },
    };
    struct tw_sigv4_header hdr[] = { { TW_SPAN_LIT("Host"), TW_SPAN_LIT("example.amazonaws.com") } };
    struct tw_creds creds;
    struct tw_err err;

    (void)state;
    tw_err_clear(&err);
    assert_int_equal(tw_creds_set(&creds, s_akid, s_secret, NULL, 0, "t", &err), TW_OK);
    for (size_t i = 0; i < TW_ARRAY_LEN(cases); i++) {
        struct tw_sigv4_request req = { TW_SPAN_LIT("GET"), tw_span_cstr(cases[i].path),
                                        tw_span_cstr(cases[i].query), hdr, 1, { "", 0 } };
        struct tw_sigv4_result res;
        struct tw_buf creq, want;

        tw_sigv4_result_init(&res);
        tw_buf_init(&creq, 1 << 16);
        tw_buf_init(&want, 1 << 16);
        s_sign_and_canon(&res, &creq, &req, &creds, cases[i].normalize);
        assert_int_equal(tw_buf_printf(&want, "GET\n%s\n%s\n", cases[i].want_uri, cases[i].want_query),
                         TW_OK);
        if (strncmp(tw_buf_cstr(&creq), tw_buf_cstr(&want), want.len) != 0)
            fail_msg("case %zu: canonical request starts\n%s\nwant\n%s", i, tw_buf_cstr(&creq),
                     tw_buf_cstr(&want));
        tw_buf_cleanup(&want);
        tw_buf_cleanup(&creq);
        tw_sigv4_result_cleanup(&res);
    }
    tw_creds_cleanup(&creds);
}

/* A trailwatch-shaped call: JSON 1.1 POST with a session token. The expected
 * signature was computed independently (Python hmac/hashlib, botocore's
 * algorithm) for these exact bytes. */
static void test_sigv4_trailwatch_request(void **state)
{
    static const char body[] = "{\"includeShadowTrails\":true}";
    struct tw_sigv4_header hdr[] = {
        { TW_SPAN_LIT("Host"), TW_SPAN_LIT("cloudtrail.eu-west-1.amazonaws.com") },
        { TW_SPAN_LIT("Content-Type"), TW_SPAN_LIT("application/x-amz-json-1.1") },
        { TW_SPAN_LIT("X-Amz-Target"),
          TW_SPAN_LIT("com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.DescribeTrails") },
        { TW_SPAN_LIT("User-Agent"), TW_SPAN_LIT("trailwatch/0.1.0") },
        { TW_SPAN_LIT("X-Amzn-Trace-Id"), TW_SPAN_LIT("Root=1-5759e988-bd862e3fe1be46a994272793") },
        { TW_SPAN_LIT("Content-Length"), TW_SPAN_LIT("28") },
    };
    struct tw_sigv4_request req = { TW_SPAN_LIT("POST"), TW_SPAN_LIT("/"), { "", 0 }, hdr,
                                    TW_ARRAY_LEN(hdr), { body, sizeof(body) - 1 } };
    struct tw_sigv4_params p = { TW_SPAN_LIT("eu-west-1"), TW_SPAN_LIT("cloudtrail"), NULL,
                                 1767225600 /* 2026-01-01T00:00:00Z */, 1, 0 };
    struct tw_sigv4_header added[TW_SIGV4_ADDED_MAX];
    struct tw_sigv4_result res;
    struct tw_creds creds;
    struct tw_err err;
    size_t n;

    (void)state;
    tw_err_clear(&err);
    tw_sigv4_result_init(&res);
    assert_int_equal(tw_creds_set(&creds, "ASIAEXAMPLEEXAMPLE", s_secret, "FwoGZXIvYXdzEXAMPLETOKEN//+=",
                                  0, "t", &err),
                     TW_OK);
    p.creds = &creds;
    assert_int_equal(tw_sigv4_sign(&res, &req, &p, &err), TW_OK);
    n = tw_sigv4_result_headers(added, &res);
    assert_int_equal(n, 3);
    assert_true(tw_span_eq_cstr(added[0].name, "X-Amz-Security-Token"));
    assert_true(tw_span_eq_cstr(added[0].value, "FwoGZXIvYXdzEXAMPLETOKEN//+="));
    assert_true(tw_span_eq_cstr(added[1].name, "X-Amz-Date"));
    assert_true(tw_span_eq_cstr(added[1].value, "20260101T000000Z"));
    assert_true(tw_span_eq_cstr(added[2].name, "Authorization"));
    assert_string_equal(
        tw_buf_cstr(&res.authorization),
        "AWS4-HMAC-SHA256 Credential=ASIAEXAMPLEEXAMPLE/20260101/eu-west-1/cloudtrail/aws4_request, "
        "SignedHeaders=content-length;content-type;host;x-amz-date;x-amz-security-token;x-amz-target, "
        "Signature=7c3b25961f101bb5765d085cb1a429d49119009beb58d826604c8f11d132f3bc");
    tw_sigv4_result_cleanup(&res);
    /* Cleanup empties the result, so a reused result cannot leak the token. */
    assert_int_equal(res.token.len, 0);
    assert_null(res.token.ptr);
    tw_creds_cleanup(&creds);
}

static void test_sigv4_rejects(void **state)
{
    struct tw_sigv4_header with_host[] = { { TW_SPAN_LIT("Host"), TW_SPAN_LIT("h") } };
    struct tw_sigv4_header no_host[] = { { TW_SPAN_LIT("Content-Type"), TW_SPAN_LIT("x") } };
    struct tw_sigv4_header date[] = { { TW_SPAN_LIT("Host"), TW_SPAN_LIT("h") },
                                      { TW_SPAN_LIT("x-AMZ-date"), TW_SPAN_LIT("20150830T123600Z") } };
    struct tw_sigv4_header auth[] = { { TW_SPAN_LIT("Host"), TW_SPAN_LIT("h") },
                                      { TW_SPAN_LIT("Authorization"), TW_SPAN_LIT("x") } };
    struct tw_sigv4_header colon[] = { { TW_SPAN_LIT("Host"), TW_SPAN_LIT("h") },
                                       { TW_SPAN_LIT("Bad:Name"), TW_SPAN_LIT("x") } };
    const struct {
        const char *what;
        const struct tw_sigv4_header *h;
        size_t n;
        const char *region;
        int no_creds;
        const char *msg_part;
    } cases[] = {
        { "no host", no_host, 1, "us-east-1", 0, "Host" },
        { "caller sets X-Amz-Date", date, 2, "us-east-1", 0, "x-AMZ-date" },
        { "caller sets Authorization", auth, 2, "us-east-1", 0, "Authorization" },
        { "colon in a header name", colon, 2, "us-east-1", 0, "invalid name" },
        { "no credentials", with_host, 1, "us-east-1", 1, "no credentials" },
        { "empty region", with_host, 1, "", 0, "region" },
        { "region with a slash", with_host, 1, "us/east", 0, "region" },
    };
    struct tw_creds creds;
    struct tw_err err;

    (void)state;
    tw_err_clear(&err);
    assert_int_equal(tw_creds_set(&creds, s_akid, s_secret, NULL, 0, "t", &err), TW_OK);
    for (size_t i = 0; i < TW_ARRAY_LEN(cases); i++) {
        struct tw_sigv4_request req = { TW_SPAN_LIT("GET"), TW_SPAN_LIT("/"), { "", 0 }, cases[i].h,
                                        cases[i].n, { "", 0 } };
        struct tw_sigv4_params p = { tw_span_cstr(cases[i].region), TW_SPAN_LIT("sts"),
                                     cases[i].no_creds ? NULL : &creds, s_2015_08_30, 1, 0 };
        struct tw_sigv4_result res;
        int rc;

        tw_sigv4_result_init(&res);
        tw_err_clear(&err);
        rc = tw_sigv4_sign(&res, &req, &p, &err);
        if (rc == TW_OK)
            fail_msg("%s: signed", cases[i].what);
        if (!strstr(err.msg, cases[i].msg_part))
            fail_msg("%s: message \"%s\" lacks \"%s\"", cases[i].what, err.msg, cases[i].msg_part);
        if (strstr(err.msg, s_secret))
            fail_msg("%s: message holds the secret", cases[i].what);
        assert_int_equal(res.authorization.len, 0);
        tw_sigv4_result_cleanup(&res);
    }
    tw_creds_cleanup(&creds);
}

/* Hop-by-hop and agent headers are not signed; the rest are. */
static void test_sigv4_unsigned_headers(void **state)
{
    struct tw_sigv4_header hdr[] = {
        { TW_SPAN_LIT("Host"), TW_SPAN_LIT("sts.amazonaws.com") },
        { TW_SPAN_LIT("Connection"), TW_SPAN_LIT("keep-alive") },
        { TW_SPAN_LIT("Expect"), TW_SPAN_LIT("100-continue") },
        { TW_SPAN_LIT("Keep-Alive"), TW_SPAN_LIT("timeout=5") },
        { TW_SPAN_LIT("Proxy-Authorization"), TW_SPAN_LIT("Basic x") },
        { TW_SPAN_LIT("Transfer-Encoding"), TW_SPAN_LIT("chunked") },
        { TW_SPAN_LIT("TE"), TW_SPAN_LIT("trailers") },
        { TW_SPAN_LIT("Upgrade"), TW_SPAN_LIT("h2c") },
        { TW_SPAN_LIT("User-Agent"), TW_SPAN_LIT("curl") },
        { TW_SPAN_LIT("X-Amzn-Trace-Id"), TW_SPAN_LIT("Root=1") },
        { TW_SPAN_LIT("Content-Type"), TW_SPAN_LIT("application/x-www-form-urlencoded; charset=utf-8") },
    };
    struct tw_sigv4_request req = { TW_SPAN_LIT("POST"), TW_SPAN_LIT("/"), { "", 0 }, hdr,
                                    TW_ARRAY_LEN(hdr), TW_SPAN_LIT("Action=GetCallerIdentity&Version=2011-06-15") };
    struct tw_sigv4_result res;
    struct tw_buf creq;
    struct tw_creds creds;
    struct tw_err err;

    (void)state;
    tw_err_clear(&err);
    tw_sigv4_result_init(&res);
    tw_buf_init(&creq, 1 << 16);
    assert_int_equal(tw_creds_set(&creds, s_akid, s_secret, NULL, 0, "t", &err), TW_OK);
    s_sign_and_canon(&res, &creq, &req, &creds, 1);
    assert_non_null(strstr(tw_buf_cstr(&res.authorization),
                           "SignedHeaders=content-type;host;x-amz-date, "));
    assert_null(strstr(tw_buf_cstr(&creq), "user-agent"));
    assert_non_null(strstr(tw_buf_cstr(&creq),
                           "content-type:application/x-www-form-urlencoded; charset=utf-8\n"));
    tw_buf_cleanup(&creq);
    tw_sigv4_result_cleanup(&res);
    tw_creds_cleanup(&creds);
}

/* Sizes and counts past the signer's caps are refused with a reason, and
 * nothing is signed. */
struct s_limit_case {
    const char *what;
    struct tw_span method, query;
    size_t n_headers;
    time_t now;
    int big_value;
    int rc;
    const char *msg_part;
};

static void test_sigv4_limits(void **state)
{
    struct tw_sigv4_header hdr[TW_SIGV4_MAX_HEADERS + TW_SIGV4_ADDED_MAX + 1];
    char long_name[TW_SIGV4_MAX_HEADER_NAME + 2];
    char *big_value, *query;
    struct tw_creds creds;
    struct tw_err err;
    size_t qlen = 0;

    (void)state;
    tw_err_clear(&err);
    assert_int_equal(tw_creds_set(&creds, s_akid, s_secret, NULL, 0, "t", &err), TW_OK);
    big_value = malloc(TW_SIGV4_MAX_CANONICAL);
    assert_non_null(big_value);
    memset(big_value, 'v', TW_SIGV4_MAX_CANONICAL);
    /* 257 parameters: "p=1&p=1&...". */
    query = malloc(4 * (TW_SIGV4_MAX_QUERY_PARAMS + 1) + 1);
    assert_non_null(query);
    for (int i = 0; i <= TW_SIGV4_MAX_QUERY_PARAMS; i++)
        qlen += (size_t)sprintf(query + qlen, "%sp=1", i ? "&" : "");
    hdr[0] = (struct tw_sigv4_header){ TW_SPAN_LIT("Host"), TW_SPAN_LIT("h") };
    for (size_t i = 1; i < TW_ARRAY_LEN(hdr); i++)
        hdr[i] = (struct tw_sigv4_header){ TW_SPAN_LIT("X-Extra"), TW_SPAN_LIT("1") };

    {
        const struct s_limit_case cases[] = {
            { "65 headers", TW_SPAN_LIT("GET"), { "", 0 }, TW_SIGV4_MAX_HEADERS + 1, s_2015_08_30,
              0, TW_ERR, "more than 64 headers" },
            { "64 headers", TW_SPAN_LIT("GET"), { "", 0 }, TW_SIGV4_MAX_HEADERS, s_2015_08_30, 0,
              TW_OK, NULL },
            { "no method", { "", 0 }, { "", 0 }, 1, s_2015_08_30, 0, TW_ERR, "no method" },
            { "257 query parameters", TW_SPAN_LIT("GET"), { query, qlen }, 1, s_2015_08_30, 0,
              TW_ERR, "more than 256 parameters" },
            { "256 query parameters", TW_SPAN_LIT("GET"), { query, qlen - 4 }, 1, s_2015_08_30, 0,
              TW_OK, NULL },
            { "year 10000", TW_SPAN_LIT("GET"), { "", 0 }, 1, (time_t)253402300800LL, 0, TW_ERR,
              "signing time out of range" },
            { "canonical request over the cap", TW_SPAN_LIT("GET"), { "", 0 }, 2, s_2015_08_30, 1,
              TW_ETOOBIG, "request too large to sign" },
        };

        for (size_t i = 0; i < TW_ARRAY_LEN(cases); i++) {
            struct tw_sigv4_request req = { cases[i].method, TW_SPAN_LIT("/"), cases[i].query, hdr,
                                            cases[i].n_headers, { "", 0 } };
            struct tw_sigv4_params p = { TW_SPAN_LIT("us-east-1"), TW_SPAN_LIT("sts"), &creds,
                                         cases[i].now, 1, 0 };
            struct tw_sigv4_result res;
            int rc;

            if (cases[i].big_value)
                hdr[1].value = (struct tw_span){ big_value, TW_SIGV4_MAX_CANONICAL };
            tw_sigv4_result_init(&res);
            tw_err_clear(&err);
            rc = tw_sigv4_sign(&res, &req, &p, &err);
            hdr[1].value = TW_SPAN_LIT("1");
            if (rc != cases[i].rc)
                fail_msg("%s: rc %d, want %d (%s)", cases[i].what, rc, cases[i].rc, err.msg);
            if (rc == TW_OK) {
                assert_true(res.authorization.len > 0);
            } else {
                if (!strstr(err.msg, cases[i].msg_part))
                    fail_msg("%s: message \"%s\" lacks \"%s\"", cases[i].what, err.msg,
                             cases[i].msg_part);
                assert_int_equal(res.authorization.len, 0);
            }
            tw_sigv4_result_cleanup(&res);
        }
    }

    /* The canonical stage: header names empty or longer than 128 bytes are
     * invalid; it takes the signer's own headers on top of the caller's 64. */
    {
        struct tw_sigv4_header bad[] = { { TW_SPAN_LIT("Host"), TW_SPAN_LIT("h") },
                                         { { "", 0 }, TW_SPAN_LIT("x") } };
        struct tw_sigv4_request req = { TW_SPAN_LIT("GET"), TW_SPAN_LIT("/"), { "", 0 }, bad, 2,
                                        { "", 0 } };
        struct tw_buf out;

        tw_buf_init(&out, 1 << 16);
        assert_int_equal(tw_sigv4_canonical_request(&out, NULL, &req, 1, "h", &err), TW_ERR);
        assert_non_null(strstr(err.msg, "header 1 has an empty, overlong or invalid name"));
        memset(long_name, 'x', sizeof(long_name) - 1);
        long_name[sizeof(long_name) - 1] = '\0';
        bad[1].name = tw_span_cstr(long_name);
        tw_buf_reset(&out);
        assert_int_equal(tw_sigv4_canonical_request(&out, NULL, &req, 1, "h", &err), TW_ERR);
        assert_non_null(strstr(err.msg, "header 1 has an empty, overlong or invalid name"));
        long_name[TW_SIGV4_MAX_HEADER_NAME] = '\0'; /* exactly 128 bytes: fine */
        bad[1].name = tw_span_cstr(long_name);
        tw_buf_reset(&out);
        assert_int_equal(tw_sigv4_canonical_request(&out, NULL, &req, 1, "h", &err), TW_OK);

        req.headers = hdr;
        req.n_headers = TW_SIGV4_MAX_HEADERS + TW_SIGV4_ADDED_MAX;
        tw_buf_reset(&out);
        assert_int_equal(tw_sigv4_canonical_request(&out, NULL, &req, 1, "h", &err), TW_OK);
        req.n_headers++;
        tw_buf_reset(&out);
        assert_int_equal(tw_sigv4_canonical_request(&out, NULL, &req, 1, "h", &err), TW_ERR);
        assert_non_null(strstr(err.msg, "more than 64 headers"));
        tw_buf_cleanup(&out);
    }
    free(query);
    free(big_value);
    tw_creds_cleanup(&creds);
    tw_sigv4_result_cleanup(NULL);
}

/* The stages check their own inputs. */
static void test_sigv4_stage_inputs(void **state)
{
    char date[17], sig[65], secret[258];
    struct tw_buf out;
    struct tw_err err;

    (void)state;
    tw_err_clear(&err);
    /* Years past 9999 and before year 0 have no amz date. */
    assert_int_equal(tw_sigv4_amz_date(date, (time_t)253402300799LL), TW_OK);
    assert_string_equal(date, "99991231T235959Z");
    assert_int_equal(tw_sigv4_amz_date(date, (time_t)253402300800LL), TW_ERR);
    assert_string_equal(date, "");
    assert_int_equal(tw_sigv4_amz_date(date, (time_t)-62167219201LL), TW_ERR);
    assert_string_equal(date, "");

    tw_buf_init(&out, 1024);
    assert_int_equal(tw_sigv4_string_to_sign(&out, TW_SPAN_LIT("x"), "20150830T123600Z",
                                             TW_SPAN_LIT("us-east-1"), TW_SPAN_LIT("iam"), &err),
                     TW_OK);
    assert_string_equal(tw_buf_cstr(&out), "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/iam/"
                                           "aws4_request\n"
                                           "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881");
    tw_buf_reset(&out);
    assert_int_equal(tw_sigv4_string_to_sign(&out, TW_SPAN_LIT("x"), "20150830", TW_SPAN_LIT("us-east-1"),
                                             TW_SPAN_LIT("iam"), &err),
                     TW_ERR);
    assert_non_null(strstr(err.msg, "bad date, region or service"));
    assert_int_equal(tw_sigv4_string_to_sign(&out, TW_SPAN_LIT("x"), "20150830T123600Z",
                                             TW_SPAN_LIT("US-EAST-1"), TW_SPAN_LIT("iam"), &err),
                     TW_ERR);
    assert_int_equal(out.len, 0);
    /* A buffer too small for the string to sign. */
    tw_buf_cleanup(&out);
    tw_buf_init(&out, 32);
    assert_int_equal(tw_sigv4_string_to_sign(&out, TW_SPAN_LIT("x"), "20150830T123600Z",
                                             TW_SPAN_LIT("us-east-1"), TW_SPAN_LIT("iam"), &err),
                     TW_ETOOBIG);
    assert_non_null(strstr(err.msg, "request too large to sign"));
    tw_buf_cleanup(&out);

    /* Secrets: empty or longer than 256 bytes; dates shorter than YYYYMMDD. */
    assert_int_equal(tw_sigv4_signature(sig, TW_SPAN_LIT(""), "20150830T123600Z",
                                        TW_SPAN_LIT("us-east-1"), TW_SPAN_LIT("iam"),
                                        TW_SPAN_LIT("x"), &err),
                     TW_ERR);
    assert_string_equal(sig, "");
    assert_non_null(strstr(err.msg, "empty or overlong secret"));
    memset(secret, 's', sizeof(secret));
    assert_int_equal(tw_sigv4_signature(sig, (struct tw_span){ secret, 257 }, "20150830T123600Z",
                                        TW_SPAN_LIT("us-east-1"), TW_SPAN_LIT("iam"),
                                        TW_SPAN_LIT("x"), &err),
                     TW_ERR);
    assert_int_equal(tw_sigv4_signature(sig, (struct tw_span){ secret, 256 }, "20150830T123600Z",
                                        TW_SPAN_LIT("us-east-1"), TW_SPAN_LIT("iam"),
                                        TW_SPAN_LIT("x"), &err),
                     TW_OK);
    assert_int_equal(strlen(sig), 64);
    assert_int_equal(tw_sigv4_signature(sig, tw_span_cstr(s_secret), "2015083",
                                        TW_SPAN_LIT("us-east-1"), TW_SPAN_LIT("iam"),
                                        TW_SPAN_LIT("x"), &err),
                     TW_ERR);
    assert_string_equal(sig, "");
}

/* The signer uses the time it is given, nothing else. */
static void test_sigv4_time_injected(void **state)
{
    static const struct {
        time_t t;
        const char *date;
    } cases[] = {
        { 0, "19700101T000000Z" },
        { 1440938160, "20150830T123600Z" },
        { 951782400, "20000229T000000Z" },
        { 4102444799, "20991231T235959Z" },
    };

    (void)state;
    for (size_t i = 0; i < TW_ARRAY_LEN(cases); i++) {
        char out[17];
        assert_int_equal(tw_sigv4_amz_date(out, cases[i].t), TW_OK);
        assert_string_equal(out, cases[i].date);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sigv4_suite),
        cmocka_unit_test(test_sigv4_canonical_details),
        cmocka_unit_test(test_sigv4_trailwatch_request),
        cmocka_unit_test(test_sigv4_rejects),
        cmocka_unit_test(test_sigv4_unsigned_headers),
        cmocka_unit_test(test_sigv4_time_injected),
        cmocka_unit_test(test_sigv4_limits),
        cmocka_unit_test(test_sigv4_stage_inputs),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
