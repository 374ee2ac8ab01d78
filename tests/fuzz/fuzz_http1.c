/* fuzz_http1.c — libFuzzer target for the HTTP/1.1 response parser the
 * Runtime API client reads through (http1.h).
 *
 * Input: one byte that picks a piece size (0: the whole input at once), then
 * the bytes a server sent. Checks:
 *   - every failure explains itself (fz_check_err);
 *   - the parse fed in pieces and the parse fed at once agree exactly:
 *     outcome, status, keep-alive, the header lines and the body bytes, and
 *     how much input was consumed — a read() may end anywhere;
 *   - the body is never longer than the input, and a finished response
 *     consumes nothing more;
 *   - a success has a final status (200-599) and, if done, nothing the
 *     parser did not account for. */
#include "fuzz_common.h"
#include "http1.h"

struct sink {
    uint64_t hash;           /* FNV-1a of the header lines and body, in order */
    size_t n_headers, body_len;
};

/* Byte-wise, so a body delivered in other pieces hashes the same. */
static void s_mix(struct sink *s, const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        s->hash = (s->hash ^ (unsigned char)p[i]) * 1099511628211u;
}

static int s_header(void *user, const char *line, size_t len)
{
    struct sink *s = user;
    char v[64];

    FZ_CHECK(len > 0 && memchr(line, '\n', len) == NULL && memchr(line, '\r', len) == NULL);
    if (tw_http_header_value(v, sizeof(v), line, len, "Lambda-Runtime-Aws-Request-Id"))
        FZ_CHECK(memchr(v, '\0', sizeof(v)) != NULL && (v[0] == '\0' || (v[0] != ' ' && v[0] != '\t')));
    s->n_headers++;
    s_mix(s, line, len);
    s_mix(s, "\n", 1); /* a header is always one whole line */
    return 0;
}

static int s_body(void *user, const char *data, size_t len)
{
    struct sink *s = user;

    FZ_CHECK(len > 0);
    s->body_len += len;
    s_mix(s, data, len);
    return 0;
}

struct result {
    int rc, status, keep_alive, done;
    size_t used;
    struct sink sink;
};

static void s_parse(struct result *out, const char *data, size_t size, size_t step)
{
    struct tw_http1_response *r = calloc(1, sizeof(*r));
    struct tw_err err;
    size_t off = 0;

    FZ_CHECK(r != NULL);
    memset(out, 0, sizeof(*out));
    out->sink.hash = 14695981039346656037u;
    tw_err_clear(&err);
    r->on_header = s_header;
    r->on_body = s_body;
    r->user = &out->sink;
    tw_http1_response_init(r);
    out->rc = TW_OK;
    while (off < size && out->rc == TW_OK && !r->done) {
        size_t n = step && step < size - off ? step : size - off, used = 99999999;
        out->rc = tw_http1_feed(r, data + off, n, &used, &err);
        FZ_CHECK(used <= n);
        out->used += used;
        if (out->rc == TW_OK && used < n)
            FZ_CHECK(r->done);
        off += used;
        if (out->rc == TW_OK && !r->done)
            FZ_CHECK(used == n);
    }
    if (out->rc == TW_OK && r->done) {
        size_t used = 1;
        FZ_CHECK(tw_http1_feed(r, "x", 1, &used, &err) == TW_OK && used == 0);
    }
    if (out->rc == TW_OK && !r->done)
        out->rc = tw_http1_eof(r, &err);
    if (out->rc != TW_OK)
        fz_check_err(out->rc, &err);
    else
        FZ_CHECK(r->done && r->status >= 200 && r->status <= 599);
    FZ_CHECK(out->sink.body_len <= size);
    out->status = r->status;
    out->keep_alive = r->keep_alive;
    out->done = r->done;
    free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct result whole, pieces;
    size_t step;

    if (size < 1)
        return 0;
    step = data[0];
    s_parse(&whole, (const char *)data + 1, size - 1, 0);
    s_parse(&pieces, (const char *)data + 1, size - 1, step ? step : 1);
    FZ_CHECK((whole.rc == TW_OK) == (pieces.rc == TW_OK));
    if (whole.rc == TW_OK) {
        FZ_CHECK(whole.status == pieces.status && whole.keep_alive == pieces.keep_alive);
        FZ_CHECK(whole.used == pieces.used);
        FZ_CHECK(whole.sink.n_headers == pieces.sink.n_headers);
        FZ_CHECK(whole.sink.body_len == pieces.sink.body_len);
        FZ_CHECK(whole.sink.hash == pieces.sink.hash);
    }
    return 0;
}
