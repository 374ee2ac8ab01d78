/* sigv4.c — AWS Signature Version 4 in the Authorization header, after
 * botocore's auth.py (SigV4Auth). PROTOCOLS.md §6 has the rules; the
 * aws-c-auth suite in tests/sigv4-test-suite checks them. */
#include "sigv4.h"

#include "creds.h"
#include "sigv4_stages.h"

#include <limits.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdlib.h>
#include <string.h>

#define S_ALGORITHM "AWS4-HMAC-SHA256"
#define S_SECRET_MAX 256 /* AWS secret keys are 40 characters */
#define S_SCOPE_PART_MAX 64

/* Appending to a capped buffer fails only with TW_ETOOBIG or TW_ENOMEM. */
#define TW_TRY_BUF(expr)                 \
    do {                                 \
        rc = (expr);                     \
        if (rc != TW_OK) {               \
            s_buf_error(err, rc);        \
            goto out;                    \
        }                                \
    } while (0)

/* botocore's SIGNED_HEADERS_BLACKLIST plus hop-by-hop headers that proxies
 * and libcurl may add, drop or rewrite after signing. */
static const char *const s_unsigned_headers[] = {
    "connection",        "expect", "keep-alive", "proxy-authenticate", "proxy-authorization",
    "te",                "trailer", "transfer-encoding", "upgrade", "user-agent",
    "x-amzn-trace-id",
};

/* Added by the signer; a caller that sets one is confused. */
static const char *const s_signer_headers[] = {
    "authorization",
    "x-amz-date",
    "x-amz-security-token",
    "x-amz-content-sha256",
};

static void s_buf_error(struct tw_err *err, int rc)
{
    if (rc == TW_ENOMEM)
        tw_err_set(err, "out of memory while signing");
    else
        tw_err_set(err, "request too large to sign (canonical request over %d bytes)",
                   TW_SIGV4_MAX_CANONICAL);
}

static void s_hex(char *out, const unsigned char *in, size_t n)
{
    static const char digits[] = "0123456789abcdef";

    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * n] = '\0';
}

static char s_lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static int s_span_ieq(struct tw_span s, const char *lower)
{
    size_t n = strlen(lower);

    if (s.len != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (s_lower(s.ptr[i]) != lower[i])
            return 0;
    return 1;
}

static int s_in_list(struct tw_span name, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s_span_ieq(name, list[i]))
            return 1;
    return 0;
}

/* ---- encoding ---------------------------------------------------------------- */

static int s_is_unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.' || c == '~';
}

/* Appends `c`, percent-encoded (uppercase hex) unless unreserved or an allowed '/'. */
static int s_append_encoded(struct tw_buf *out, unsigned char c, int keep_slash)
{
    static const char digits[] = "0123456789ABCDEF";
    char enc[3] = { '%', digits[c >> 4], digits[c & 15] };

    if (s_is_unreserved(c) || (keep_slash && c == '/'))
        return tw_buf_append_char(out, (char)c);
    return tw_buf_append(out, enc, sizeof(enc));
}

static int s_append_uri_encoded(struct tw_buf *out, struct tw_span s, int keep_slash)
{
    int rc = TW_OK;

    for (size_t i = 0; i < s.len && rc == TW_OK; i++)
        rc = s_append_encoded(out, (unsigned char)s.ptr[i], keep_slash);
    return rc;
}

static int s_hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes %XX escapes (a stray '%' stays literal) and encodes the result, so
 * "%E1%88%B4", "%e1%88%b4" and the raw UTF-8 bytes all canonicalise alike. */
static int s_append_reencoded(struct tw_buf *out, struct tw_span s)
{
    int rc = TW_OK;

    for (size_t i = 0; i < s.len && rc == TW_OK; i++) {
        unsigned char c = (unsigned char)s.ptr[i];
        int hi, lo;

        if (c == '%' && i + 2 < s.len && (hi = s_hexval(s.ptr[i + 1])) >= 0 &&
            (lo = s_hexval(s.ptr[i + 2])) >= 0) {
            c = (unsigned char)(hi * 16 + lo);
            i += 2;
        }
        rc = s_append_encoded(out, c, 0);
    }
    return rc;
}

/* ---- canonical URI ------------------------------------------------------------- */

/* botocore utils.remove_dot_segments: drop empty and "." segments, let ".."
 * remove the previous one, keep a leading and (if anything is left) a
 * trailing '/'. Then encode each segment. */
static int s_append_normalized_path(struct tw_buf *out, struct tw_span path)
{
    struct tw_span *seg;
    size_t n = 0, cap = 1, start = 0;
    size_t mark = out->len;
    int rc = TW_OK;

    for (size_t i = 0; i < path.len; i++)
        cap += path.ptr[i] == '/';
    seg = calloc(cap, sizeof(*seg));
    if (!seg)
        return TW_ENOMEM;
    for (size_t i = 0; i <= path.len; i++) {
        struct tw_span s;

        if (i < path.len && path.ptr[i] != '/')
            continue;
        s.ptr = path.ptr + start;
        s.len = i - start;
        start = i + 1;
        if (s.len == 0 || tw_span_eq_cstr(s, "."))
            continue;
        if (tw_span_eq_cstr(s, "..")) {
            if (n > 0)
                n--;
            continue;
        }
        seg[n++] = s;
    }
    if (path.ptr[0] == '/')
        rc = tw_buf_append_char(out, '/');
    for (size_t i = 0; i < n && rc == TW_OK; i++) {
        if (i > 0)
            rc = tw_buf_append_char(out, '/');
        if (rc == TW_OK)
            rc = s_append_uri_encoded(out, seg[i], 0);
    }
    if (rc == TW_OK && n > 0 && path.ptr[path.len - 1] == '/')
        rc = tw_buf_append_char(out, '/');
    if (rc == TW_OK && out->len == mark)
        rc = tw_buf_append_char(out, '/');
    free(seg);
    return rc;
}

static int s_append_canonical_uri(struct tw_buf *out, struct tw_span path, int normalize)
{
    if (path.len == 0)
        return tw_buf_append_char(out, '/');
    if (normalize)
        return s_append_normalized_path(out, path);
    return s_append_uri_encoded(out, path, 1);
}

/* ---- canonical query ------------------------------------------------------------ */

/* Offsets into one buffer of encoded names and values (it may move while it
 * grows); `base` is filled in once it is complete so qsort needs no context. */
struct s_param {
    const char *base;
    size_t name_off, name_len, value_off, value_len;
};

static int s_bytes_cmp(const char *a, size_t an, const char *b, size_t bn)
{
    int c = memcmp(a, b, an < bn ? an : bn);

    if (c != 0)
        return c;
    return an < bn ? -1 : an > bn;
}

static int s_param_cmp(const void *x, const void *y)
{
    const struct s_param *a = x, *b = y;
    int c = s_bytes_cmp(a->base + a->name_off, a->name_len, b->base + b->name_off, b->name_len);

    return c ? c : s_bytes_cmp(a->base + a->value_off, a->value_len, b->base + b->value_off,
                               b->value_len);
}

static int s_append_canonical_query(struct tw_buf *out, struct tw_span query, struct tw_err *err)
{
    struct s_param *params = NULL;
    struct tw_buf enc;
    size_t n = 0, max = 1, pos = 0;
    int rc = TW_OK;

    if (query.len == 0)
        return TW_OK;
    tw_buf_init(&enc, TW_SIGV4_MAX_CANONICAL);
    for (size_t i = 0; i < query.len; i++)
        max += query.ptr[i] == '&';
    if (max > TW_SIGV4_MAX_QUERY_PARAMS) {
        tw_err_set(err, "query string has more than %d parameters", TW_SIGV4_MAX_QUERY_PARAMS);
        return TW_ERR;
    }
    params = calloc(max, sizeof(*params));
    if (!params)
        TW_TRY_BUF(TW_ENOMEM);
    while (pos <= query.len) {
        const char *amp = memchr(query.ptr + pos, '&', query.len - pos);
        size_t end = amp ? (size_t)(amp - query.ptr) : query.len;
        struct tw_span piece = { query.ptr + pos, end - pos }, name = piece, value = { "", 0 };
        const char *eq = memchr(piece.ptr, '=', piece.len);

        pos = end + 1;
        if (piece.len == 0)
            continue;
        if (eq) {
            name.len = (size_t)(eq - piece.ptr);
            value.ptr = eq + 1;
            value.len = piece.len - name.len - 1;
        }
        params[n].name_off = enc.len;
        TW_TRY_BUF(s_append_reencoded(&enc, name));
        params[n].name_len = enc.len - params[n].name_off;
        params[n].value_off = enc.len;
        TW_TRY_BUF(s_append_reencoded(&enc, value));
        params[n].value_len = enc.len - params[n].value_off;
        n++;
    }
    for (size_t i = 0; i < n; i++)
        params[i].base = tw_buf_cstr(&enc);
    qsort(params, n, sizeof(*params), s_param_cmp);
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            TW_TRY_BUF(tw_buf_append_char(out, '&'));
        TW_TRY_BUF(tw_buf_append(out, params[i].base + params[i].name_off, params[i].name_len));
        TW_TRY_BUF(tw_buf_append_char(out, '='));
        TW_TRY_BUF(tw_buf_append(out, params[i].base + params[i].value_off, params[i].value_len));
    }
out:
    free(params);
    tw_buf_cleanup(&enc);
    return rc;
}

/* ---- canonical headers ---------------------------------------------------------- */

struct s_hdr {
    char name[TW_SIGV4_MAX_HEADER_NAME + 1]; /* lowercase */
    struct tw_span value;
    size_t index; /* position in the request: duplicates keep their order */
};

static int s_hdr_cmp(const void *x, const void *y)
{
    const struct s_hdr *a = x, *b = y;
    int c = strcmp(a->name, b->name);

    if (c != 0)
        return c;
    return a->index < b->index ? -1 : a->index > b->index;
}

static int s_is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* Trims and squeezes whitespace runs (folded lines included) to one space,
 * as botocore's ' '.join(value.split()). */
static int s_append_squeezed(struct tw_buf *out, struct tw_span v)
{
    int rc = TW_OK, started = 0, pending = 0;

    for (size_t i = 0; i < v.len && rc == TW_OK; i++) {
        if (s_is_space(v.ptr[i])) {
            pending = started;
            continue;
        }
        if (pending)
            rc = tw_buf_append_char(out, ' ');
        if (rc == TW_OK)
            rc = tw_buf_append_char(out, v.ptr[i]);
        pending = 0;
        started = 1;
    }
    return rc;
}

static int s_valid_header_name(struct tw_span name)
{
    if (name.len == 0 || name.len > TW_SIGV4_MAX_HEADER_NAME)
        return 0;
    for (size_t i = 0; i < name.len; i++) {
        unsigned char c = (unsigned char)name.ptr[i];
        if (c <= 0x20 || c >= 0x7f || c == ':')
            return 0;
    }
    return 1;
}

int tw_sigv4_canonical_request(struct tw_buf *out, struct tw_buf *signed_headers,
                               const struct tw_sigv4_request *req, int normalize_path,
                               const char *payload_hash, struct tw_err *err)
{
    struct s_hdr *h = NULL;
    struct tw_buf list;
    size_t n = 0;
    int rc = TW_ERR, have_host = 0;

    tw_buf_init(&list, TW_SIGV4_MAX_CANONICAL);
    if (req->method.len == 0) {
        tw_err_set(err, "request has no method");
        goto out;
    }
    if (req->n_headers > TW_SIGV4_MAX_HEADERS + TW_SIGV4_ADDED_MAX) {
        tw_err_set(err, "request has more than %d headers", TW_SIGV4_MAX_HEADERS);
        goto out;
    }
    h = calloc(req->n_headers ? req->n_headers : 1, sizeof(*h));
    if (!h)
        TW_TRY_BUF(TW_ENOMEM);
    for (size_t i = 0; i < req->n_headers; i++) {
        struct tw_span name = req->headers[i].name;

        if (!s_valid_header_name(name)) {
            tw_err_set(err, "header %zu has an empty, overlong or invalid name", i);
            rc = TW_ERR;
            goto out;
        }
        if (s_in_list(name, s_unsigned_headers, TW_ARRAY_LEN(s_unsigned_headers)))
            continue;
        for (size_t k = 0; k < name.len; k++)
            h[n].name[k] = s_lower(name.ptr[k]);
        have_host |= s_span_ieq(name, "host");
        h[n].value = req->headers[i].value;
        h[n].index = i;
        n++;
    }
    if (!have_host) {
        tw_err_set(err, "request has no Host header");
        rc = TW_ERR;
        goto out;
    }
    qsort(h, n, sizeof(*h), s_hdr_cmp);

    TW_TRY_BUF(tw_buf_append_span(out, req->method));
    TW_TRY_BUF(tw_buf_append_char(out, '\n'));
    TW_TRY_BUF(s_append_canonical_uri(out, req->path, normalize_path));
    TW_TRY_BUF(tw_buf_append_char(out, '\n'));
    rc = s_append_canonical_query(out, req->query, err);
    if (rc != TW_OK)
        goto out;
    TW_TRY_BUF(tw_buf_append_char(out, '\n'));
    for (size_t i = 0; i < n; i++) {
        if (i == 0 || strcmp(h[i].name, h[i - 1].name) != 0) {
            if (i > 0) {
                TW_TRY_BUF(tw_buf_append_char(out, '\n'));
                TW_TRY_BUF(tw_buf_append_char(&list, ';'));
            }
            TW_TRY_BUF(tw_buf_append_cstr(out, h[i].name));
            TW_TRY_BUF(tw_buf_append_char(out, ':'));
            TW_TRY_BUF(tw_buf_append_cstr(&list, h[i].name));
        } else {
            /* Repeated header: values joined with ',' in request order. */
            TW_TRY_BUF(tw_buf_append_char(out, ','));
        }
        TW_TRY_BUF(s_append_squeezed(out, h[i].value));
    }
    TW_TRY_BUF(tw_buf_append(out, "\n\n", 2));
    TW_TRY_BUF(tw_buf_append_span(out, tw_buf_span(&list)));
    TW_TRY_BUF(tw_buf_append_char(out, '\n'));
    TW_TRY_BUF(tw_buf_append_cstr(out, payload_hash));
    if (signed_headers)
        TW_TRY_BUF(tw_buf_append_span(signed_headers, tw_buf_span(&list)));
    rc = TW_OK;
out:
    free(h);
    tw_buf_cleanup(&list);
    return rc;
}

/* ---- string to sign and signature ------------------------------------------------ */

int tw_sigv4_amz_date(char out[17], time_t t)
{
    struct tm tm;

    out[0] = '\0';
    if (!gmtime_r(&t, &tm) || tm.tm_year < -1900 || tm.tm_year > 9999 - 1900)
        return TW_ERR;
    if (strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm) != 16) {
        out[0] = '\0';
        return TW_ERR;
    }
    return TW_OK;
}

int tw_sigv4_hex_sha256(char out[65], struct tw_span data)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;

    out[0] = '\0';
    if (!EVP_Digest(data.len ? data.ptr : "", data.len, md, &n, EVP_sha256(), NULL) || n != 32)
        return TW_ERR;
    s_hex(out, md, 32);
    return TW_OK;
}

static int s_scope_part_valid(struct tw_span s)
{
    if (s.len == 0 || s.len > S_SCOPE_PART_MAX)
        return 0;
    for (size_t i = 0; i < s.len; i++) {
        char c = s.ptr[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
            return 0;
    }
    return 1;
}

int tw_sigv4_string_to_sign(struct tw_buf *out, struct tw_span canonical_request,
                            const char *amz_date, struct tw_span region, struct tw_span service,
                            struct tw_err *err)
{
    char hash[65];
    int rc;

    if (strlen(amz_date) != 16 || !s_scope_part_valid(region) || !s_scope_part_valid(service)) {
        tw_err_set(err, "string to sign: bad date, region or service");
        return TW_ERR;
    }
    if (tw_sigv4_hex_sha256(hash, canonical_request) != TW_OK) {
        tw_err_set(err, "SHA-256 failed");
        return TW_ERR;
    }
    rc = tw_buf_printf(out, S_ALGORITHM "\n%s\n%.8s/%.*s/%.*s/aws4_request\n%s", amz_date, amz_date,
                       (int)region.len, region.ptr, (int)service.len, service.ptr, hash);
    if (rc != TW_OK)
        s_buf_error(err, rc);
    return rc;
}

static int s_hmac(unsigned char out[32], const void *key, size_t key_len, const void *data,
                  size_t len)
{
    unsigned int n = 0;

    if (key_len > INT_MAX)
        return TW_ERR;
    if (!HMAC(EVP_sha256(), key, (int)key_len, len ? data : (const void *)"", len, out, &n) ||
        n != 32)
        return TW_ERR;
    return TW_OK;
}

int tw_sigv4_signature(char out[65], struct tw_span secret, const char *amz_date,
                       struct tw_span region, struct tw_span service,
                       struct tw_span string_to_sign, struct tw_err *err)
{
    unsigned char key[4 + S_SECRET_MAX];
    unsigned char k_date[32], k_region[32], k_service[32], k_signing[32], sig[32];
    int rc = TW_ERR;

    out[0] = '\0';
    if (secret.len == 0 || secret.len > S_SECRET_MAX || strlen(amz_date) < 8) {
        tw_err_set(err, "signature: empty or overlong secret, or bad date");
        goto out;
    }
    memcpy(key, "AWS4", 4);
    memcpy(key + 4, secret.ptr, secret.len);
    if (s_hmac(k_date, key, 4 + secret.len, amz_date, 8) != TW_OK ||
        s_hmac(k_region, k_date, 32, region.ptr, region.len) != TW_OK ||
        s_hmac(k_service, k_region, 32, service.ptr, service.len) != TW_OK ||
        s_hmac(k_signing, k_service, 32, "aws4_request", 12) != TW_OK ||
        s_hmac(sig, k_signing, 32, string_to_sign.ptr, string_to_sign.len) != TW_OK) {
        tw_err_set(err, "HMAC-SHA256 failed");
        goto out;
    }
    s_hex(out, sig, sizeof(sig));
    rc = TW_OK;
out:
    OPENSSL_cleanse(key, sizeof(key));
    OPENSSL_cleanse(k_date, sizeof(k_date));
    OPENSSL_cleanse(k_region, sizeof(k_region));
    OPENSSL_cleanse(k_service, sizeof(k_service));
    OPENSSL_cleanse(k_signing, sizeof(k_signing));
    OPENSSL_cleanse(sig, sizeof(sig));
    return rc;
}

/* ---- signing ------------------------------------------------------------------------ */

void tw_sigv4_result_init(struct tw_sigv4_result *result)
{
    memset(result, 0, sizeof(*result));
    tw_buf_init(&result->token, TW_SIGV4_MAX_CANONICAL);
    tw_buf_init(&result->authorization, 4096);
}

void tw_sigv4_result_cleanup(struct tw_sigv4_result *result)
{
    if (!result)
        return;
    tw_buf_cleanup_secure(&result->token);
    tw_buf_cleanup_secure(&result->authorization);
    tw_sigv4_result_init(result);
}

/* An upper bound of the canonical request, so its buffer is allocated once
 * and no realloc leaves a stray copy of the session token in freed memory. */
static size_t s_canonical_estimate(const struct tw_sigv4_request *req)
{
    size_t est = 256 + req->method.len + 3 * req->path.len + 3 * req->query.len;

    for (size_t i = 0; i < req->n_headers; i++)
        est += 2 * req->headers[i].name.len + req->headers[i].value.len + 3;
    return est > TW_SIGV4_MAX_CANONICAL ? TW_SIGV4_MAX_CANONICAL : est;
}

int tw_sigv4_sign(struct tw_sigv4_result *out, const struct tw_sigv4_request *req,
                  const struct tw_sigv4_params *p, struct tw_err *err)
{
    const struct tw_creds *c = p->creds;
    struct tw_sigv4_result r;
    struct tw_sigv4_header *all = NULL;
    struct tw_sigv4_request full;
    struct tw_buf creq, sts, signed_headers;
    size_t n;
    int rc = TW_ERR;

    tw_sigv4_result_cleanup(out);
    tw_sigv4_result_init(&r);
    tw_buf_init(&creq, TW_SIGV4_MAX_CANONICAL);
    tw_buf_init(&sts, 1024);
    tw_buf_init(&signed_headers, TW_SIGV4_MAX_CANONICAL);
    if (!c || !c->access_key_id || !c->secret_access_key) {
        tw_err_set(err, "no credentials to sign with");
        goto out;
    }
    if (!s_scope_part_valid(p->region) || !s_scope_part_valid(p->service)) {
        tw_err_set(err, "signing region and service must be 1-%d characters of [a-z0-9-]",
                   S_SCOPE_PART_MAX);
        goto out;
    }
    if (req->n_headers > TW_SIGV4_MAX_HEADERS) {
        tw_err_set(err, "request has more than %d headers", TW_SIGV4_MAX_HEADERS);
        goto out;
    }
    for (size_t i = 0; i < req->n_headers; i++) {
        if (s_in_list(req->headers[i].name, s_signer_headers, TW_ARRAY_LEN(s_signer_headers))) {
            tw_err_set(err, "header %.*s is set by the signer, not the caller",
                       (int)req->headers[i].name.len, req->headers[i].name.ptr);
            goto out;
        }
    }
    if (tw_sigv4_amz_date(r.amz_date, p->now) != TW_OK ||
        tw_sigv4_hex_sha256(r.payload_hash, req->body) != TW_OK) {
        tw_err_set(err, "signing time out of range or SHA-256 failed");
        goto out;
    }
    if (c->session_token && c->session_token[0])
        TW_TRY_BUF(tw_buf_append_cstr(&r.token, c->session_token));

    all = calloc(req->n_headers + TW_SIGV4_ADDED_MAX, sizeof(*all));
    if (!all)
        TW_TRY_BUF(TW_ENOMEM);
    if (req->n_headers)
        memcpy(all, req->headers, req->n_headers * sizeof(*all));
    n = req->n_headers;
    all[n].name = TW_SPAN_LIT("X-Amz-Date");
    all[n++].value = (struct tw_span){ r.amz_date, 16 };
    if (p->sign_body) {
        all[n].name = TW_SPAN_LIT("x-amz-content-sha256");
        all[n++].value = (struct tw_span){ r.payload_hash, 64 };
        r.signed_body = 1;
    }
    if (r.token.len) {
        all[n].name = TW_SPAN_LIT("X-Amz-Security-Token");
        all[n++].value = tw_buf_span(&r.token);
    }
    full = *req;
    full.headers = all;
    full.n_headers = n;

    /* Reserve the whole canonical request up front, then start it empty. */
    TW_TRY_BUF(tw_buf_printf(&creq, "%*s", (int)s_canonical_estimate(&full), ""));
    tw_buf_reset(&creq);
    rc = tw_sigv4_canonical_request(&creq, &signed_headers, &full, p->normalize_path,
                                    r.payload_hash, err);
    if (rc == TW_OK)
        rc = tw_sigv4_string_to_sign(&sts, tw_buf_span(&creq), r.amz_date, p->region, p->service,
                                     err);
    if (rc == TW_OK)
        rc = tw_sigv4_signature(r.signature, tw_span_cstr(c->secret_access_key), r.amz_date,
                                p->region, p->service, tw_buf_span(&sts), err);
    if (rc != TW_OK)
        goto out;
    TW_TRY_BUF(tw_buf_printf(&r.authorization,
                             S_ALGORITHM " Credential=%s/%.8s/%.*s/%.*s/aws4_request, "
                                         "SignedHeaders=%s, Signature=%s",
                             c->access_key_id, r.amz_date, (int)p->region.len, p->region.ptr,
                             (int)p->service.len, p->service.ptr, tw_buf_cstr(&signed_headers),
                             r.signature));
    *out = r;
    tw_sigv4_result_init(&r);
    rc = TW_OK;
out:
    tw_sigv4_result_cleanup(&r);
    free(all);
    tw_buf_cleanup_secure(&creq);
    tw_buf_cleanup(&sts);
    tw_buf_cleanup(&signed_headers);
    return rc;
}

size_t tw_sigv4_result_headers(struct tw_sigv4_header out[TW_SIGV4_ADDED_MAX],
                               const struct tw_sigv4_result *result)
{
    size_t n = 0;

    if (result->token.len) {
        out[n].name = TW_SPAN_LIT("X-Amz-Security-Token");
        out[n++].value = tw_buf_span(&result->token);
    }
    out[n].name = TW_SPAN_LIT("X-Amz-Date");
    out[n++].value = (struct tw_span){ result->amz_date, strlen(result->amz_date) };
    if (result->signed_body) {
        out[n].name = TW_SPAN_LIT("x-amz-content-sha256");
        out[n++].value = (struct tw_span){ result->payload_hash, strlen(result->payload_hash) };
    }
    out[n].name = TW_SPAN_LIT("Authorization");
    out[n++].value = tw_buf_span(&result->authorization);
    return n;
}
