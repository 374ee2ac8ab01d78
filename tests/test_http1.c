/* test_http1.c — the HTTP/1.1 response parser the Runtime API client reads
 * through: framing (Content-Length, chunked, until close), interim answers,
 * keep-alive, caps, and every way a response can be malformed or cut short.
 * Each well-formed case is also fed in every two-piece split and byte by
 * byte: a read() may end anywhere. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "http1.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sink {
    char headers[4096];
    char body[8192];
    size_t body_len;
    int n_headers;
    int refuse_header;
};

static int s_header(void *user, const char *line, size_t len)
{
    struct sink *s = user;
    size_t used = strlen(s->headers);

    s->n_headers++;
    if (used + len + 2 >= sizeof(s->headers))
        return s->refuse_header; /* counted, not kept (test_caps) */
    memcpy(s->headers + used, line, len);
    s->headers[used + len] = '|';
    s->headers[used + len + 1] = '\0';
    return s->refuse_header;
}

static int s_body(void *user, const char *data, size_t len)
{
    struct sink *s = user;

    assert_true(s->body_len + len <= sizeof(s->body));
    memcpy(s->body + s->body_len, data, len);
    s->body_len += len;
    return 0;
}

static void s_start(struct tw_http1_response *r, struct sink *s)
{
    memset(s, 0, sizeof(*s));
    memset(r, 0, sizeof(*r));
    r->on_header = s_header;
    r->on_body = s_body;
    r->user = s;
    tw_http1_response_init(r);
}

/* Feeds `wire` in pieces of at most `step` bytes (0: split once at `cut`),
 * then EOF when `eof`. Returns the first failing status, else TW_OK; *used
 * totals what the parser consumed. */
static int s_feed(struct tw_http1_response *r, const char *wire, size_t len, size_t cut,
                  size_t step, int eof, size_t *total, struct tw_err *err)
{
    size_t off = 0;

    *total = 0;
    while (off < len && !r->done) {
        size_t n = step ? step : (off < cut ? cut - off : len - off), used = 0;
        int rc;
        if (n > len - off)
            n = len - off;
        rc = tw_http1_feed(r, wire + off, n, &used, err);
        *total += used;
        if (rc != TW_OK)
            return rc;
        if (used < n)
            break;
        off += n;
    }
    if (eof && !r->done)
        return tw_http1_eof(r, err);
    return TW_OK;
}

/* Every split of `wire` gives the same status, headers and body. */
static void s_check_all_splits(const char *wire, int eof, int status, const char *headers,
                               const char *body, size_t body_len, int keep_alive,
                               size_t consumed)
{
    size_t len = strlen(wire);

    for (size_t mode = 0; mode <= len + 1; mode++) {
        struct tw_http1_response r;
        struct sink s;
        struct tw_err err;
        size_t total;
        /* mode 0: byte by byte; 1..len: one cut; len+1: all at once */
        size_t step = mode == 0 ? 1 : 0, cut = mode == 0 ? 0 : mode;

        tw_err_clear(&err);
        s_start(&r, &s);
        if (s_feed(&r, wire, len, cut, step, eof, &total, &err) != TW_OK)
            fail_msg("split %zu of %s: %s", mode, wire, err.msg);
        assert_true(r.done);
        assert_int_equal(r.status, status);
        assert_string_equal(s.headers, headers);
        assert_int_equal(s.body_len, body_len);
        assert_memory_equal(s.body, body, body_len);
        assert_int_equal(r.keep_alive, keep_alive);
        assert_int_equal(total, consumed);
    }
}

static void test_content_length(void **state)
{
    const char *w = "HTTP/1.1 200 OK\r\nLambda-Runtime-Aws-Request-Id: r1\r\n"
                    "Content-Length: 11\r\n\r\n{\"a\":\"b c\"}";

    (void)state;
    s_check_all_splits(w, 0, 200, "Lambda-Runtime-Aws-Request-Id: r1|Content-Length: 11|",
                       "{\"a\":\"b c\"}", 11, 1, strlen(w));
}

static void test_chunked_with_extensions_and_trailers(void **state)
{
    const char *w = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                    "4;ext=1\r\nWiki\r\n5\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n"
                    "0\r\nX-Trailer: t\r\n\r\n";

    (void)state;
    s_check_all_splits(w, 0, 200, "Transfer-Encoding: chunked|", "Wikipedia in\r\n\r\nchunks.",
                       23, 1, strlen(w));
}

static void test_body_until_close(void **state)
{
    const char *w = "HTTP/1.1 200 OK\r\nX: y\r\n\r\nall of it";

    (void)state;
    /* No framing: the body runs to the end of the connection, which ends
     * keep-alive. */
    s_check_all_splits(w, 1, 200, "X: y|", "all of it", 9, 0, strlen(w));
}

static void test_no_body_statuses_and_http10(void **state)
{
    const char *w204 = "HTTP/1.1 204 No Content\r\nX: y\r\n\r\n";
    const char *w10 = "HTTP/1.0 202 Accepted\r\nContent-Length: 2\r\n\r\nok";
    const char *w10ka = "HTTP/1.0 202 Accepted\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n";
    const char *wclose = "HTTP/1.1 202 Accepted\r\nConnection: Keep-Alive, close\r\n"
                         "Content-Length: 0\r\n\r\n";

    (void)state;
    s_check_all_splits(w204, 0, 204, "X: y|", "", 0, 1, strlen(w204));
    s_check_all_splits(w10, 0, 202, "Content-Length: 2|", "ok", 2, 0, strlen(w10));
    s_check_all_splits(w10ka, 0, 202, "Connection: keep-alive|Content-Length: 0|", "", 0, 1,
                       strlen(w10ka));
    s_check_all_splits(wclose, 0, 202, "Connection: Keep-Alive, close|Content-Length: 0|", "", 0, 0,
                       strlen(wclose));
}

static void test_interim_responses_are_skipped(void **state)
{
    const char *w = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: x\r\n\r\n"
                    "HTTP/1.1 413 Payload Too Large\r\nContent-Length: 3\r\n\r\nbig";

    (void)state;
    /* Interim headers reach the callback; status and body are the final answer's. */
    s_check_all_splits(w, 0, 413, "Link: x|Content-Length: 3|", "big", 3, 1, strlen(w));
}

static void test_stops_at_the_end_of_the_response(void **state)
{
    const char *w = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\n";
    struct tw_http1_response r;
    struct sink s;
    struct tw_err err;
    size_t used;

    (void)state;
    tw_err_clear(&err);
    s_start(&r, &s);
    assert_int_equal(tw_http1_feed(&r, w, strlen(w), &used, &err), TW_OK);
    assert_true(r.done);
    assert_int_equal(used, strlen(w) - strlen("HTTP/1.1 200 OK\r\n"));
    /* Once done, nothing more is consumed. */
    assert_int_equal(tw_http1_feed(&r, "x", 1, &used, &err), TW_OK);
    assert_int_equal(used, 0);
    assert_int_equal(tw_http1_eof(&r, &err), TW_OK);
}

static void test_head_request_has_no_body(void **state)
{
    const char *w = "HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n";
    struct tw_http1_response r;
    struct tw_err err;
    size_t used;

    (void)state;
    tw_err_clear(&err);
    memset(&r, 0, sizeof(r));
    r.head_request = 1;
    tw_http1_response_init(&r);
    assert_int_equal(r.head_request, 1);
    assert_int_equal(tw_http1_feed(&r, w, strlen(w), &used, &err), TW_OK);
    assert_true(r.done);
    assert_int_equal(used, strlen(w));
}

struct bad_case {
    const char *wire;
    int eof;
    const char *error; /* a substring of the message */
};

static void test_malformed_and_truncated(void **state)
{
    static const struct bad_case cases[] = {
        { "", 1, "closed before an HTTP response" },
        { "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", 1, "truncated" },
        { "HTTP/1.1 200 OK\r\nContent-Le", 1, "truncated" },
        { "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab", 1, "truncated" },
        { "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n", 1, "truncated" },
        { "HTTP/2 200\r\n\r\n", 0, "status line" },
        { "HTTP/1.1 20 OK\r\n\r\n", 0, "status line" },
        { "HTTP/1.1 200OK\r\n\r\n", 0, "status line" },
        { "HTTP/1.1 600 Huh\r\n\r\n", 0, "status line" },
        { "\r\n\r\nHTTP/1.1 200 OK\r\n\r\n", 0, "status line" },
        { "SSH-2.0-OpenSSH\r\n", 0, "status line" },
        { "HTTP/1.1 200 OK\r\n folded\r\n\r\n", 0, "folded" },
        { "HTTP/1.1 200 OK\r\nno colon\r\n\r\n", 0, "malformed HTTP header" },
        { "HTTP/1.1 200 OK\r\n: empty name\r\n\r\n", 0, "malformed HTTP header" },
        { "HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n", 0, "malformed HTTP header" },
        { "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", 0, "Content-Length is not a number" },
        { "HTTP/1.1 200 OK\r\nContent-Length: 1 2\r\n\r\n", 0, "Content-Length is not a number" },
        { "HTTP/1.1 200 OK\r\nContent-Length: 0x10\r\n\r\n", 0, "not a number" },
        { "HTTP/1.1 200 OK\r\nContent-Length: 9999999999999999999\r\n\r\n", 0, "too large" },
        { "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 0, "conflicting" },
        { "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", 0, "transfer coding" },
        { "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", 0, "transfer coding" },
        { "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n", 0,
          "both Content-Length and Transfer-Encoding" },
        { "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 0, "chunk size" },
        { "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1000000000000000\r\n", 0,
          "too large" },
        { "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n", 0, "longer than" },
        { "HTTP/1.1 101 Switching Protocols\r\n\r\n", 0, "101" },
        { "HTTP/1.1 200 OK\r\nX: a\rb\r\n\r\n", 0, "control character" },
    };

    (void)state;
    for (size_t i = 0; i < TW_ARRAY_LEN(cases); i++) {
        struct tw_http1_response r;
        struct sink s;
        struct tw_err err;
        size_t total;
        int rc;

        tw_err_clear(&err);
        s_start(&r, &s);
        rc = s_feed(&r, cases[i].wire, strlen(cases[i].wire), 0, 0, cases[i].eof, &total, &err);
        if (rc != TW_EPARSE || !strstr(err.msg, cases[i].error))
            fail_msg("case %zu (%s): rc %d, message \"%s\", want \"%s\"", i, cases[i].wire, rc,
                     err.msg, cases[i].error);
        assert_false(r.done);
    }
}

static void test_caps(void **state)
{
    struct tw_http1_response r;
    struct sink s;
    struct tw_err err;
    char *wire;
    size_t used, n;

    (void)state;
    /* One line longer than TW_HTTP1_MAX_LINE, even without its LF yet. */
    wire = malloc(TW_HTTP1_MAX_LINE + 64);
    assert_non_null(wire);
    n = (size_t)sprintf(wire, "HTTP/1.1 200 OK\r\nX: ");
    memset(wire + n, 'a', TW_HTTP1_MAX_LINE);
    tw_err_clear(&err);
    s_start(&r, &s);
    assert_int_equal(tw_http1_feed(&r, wire, n + TW_HTTP1_MAX_LINE, &used, &err), TW_EPARSE);
    assert_non_null(strstr(err.msg, "longer than"));
    free(wire);

    /* Many short header lines: the head as a whole is capped, interim heads
     * included. */
    tw_err_clear(&err);
    s_start(&r, &s);
    assert_int_equal(tw_http1_feed(&r, "HTTP/1.1 100 Continue\r\n", 23, &used, &err), TW_OK);
    {
        int rc = TW_OK;
        for (int i = 0; i < 10000 && rc == TW_OK; i++) {
            const char *h = i % 100 == 99 ? "\r\nHTTP/1.1 100 Continue\r\n" : "X-Filler: 0123456789\r\n";
            rc = tw_http1_feed(&r, h, strlen(h), &used, &err);
        }
        assert_int_equal(rc, TW_EPARSE);
        assert_non_null(strstr(err.msg, "head larger than"));
    }
    assert_true(s.n_headers < TW_HTTP1_MAX_HEAD / 20);
}

static void test_callbacks_can_refuse(void **state)
{
    struct tw_http1_response r;
    struct sink s;
    struct tw_err err;
    size_t used;
    const char *w = "HTTP/1.1 200 OK\r\nX: y\r\nContent-Length: 0\r\n\r\n";

    (void)state;
    tw_err_clear(&err);
    s_start(&r, &s);
    s.refuse_header = 1;
    assert_int_equal(tw_http1_feed(&r, w, strlen(w), &used, &err), TW_ERR);
    assert_int_equal(s.n_headers, 1);
    assert_false(r.done);
}

static void test_header_value(void **state)
{
    char v[8];

    (void)state;
    assert_int_equal(tw_http_header_value(v, sizeof(v), "content-LENGTH: \t 42 \r\n", 23,
                                          "Content-Length"), 1);
    assert_string_equal(v, "42");
    /* A longer name with the same prefix is another header. */
    assert_int_equal(tw_http_header_value(v, sizeof(v), "Content-Lengths: 1", 18,
                                          "Content-Length"), 0);
    assert_int_equal(tw_http_header_value(v, sizeof(v), "X:", 2, "X"), 1);
    assert_string_equal(v, "");
    /* Truncated to the destination, still terminated. */
    assert_int_equal(tw_http_header_value(v, sizeof(v), "X: 0123456789", 13, "X"), 1);
    assert_string_equal(v, "0123456");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_content_length),
        cmocka_unit_test(test_chunked_with_extensions_and_trailers),
        cmocka_unit_test(test_body_until_close),
        cmocka_unit_test(test_no_body_statuses_and_http10),
        cmocka_unit_test(test_interim_responses_are_skipped),
        cmocka_unit_test(test_stops_at_the_end_of_the_response),
        cmocka_unit_test(test_head_request_has_no_body),
        cmocka_unit_test(test_malformed_and_truncated),
        cmocka_unit_test(test_caps),
        cmocka_unit_test(test_callbacks_can_refuse),
        cmocka_unit_test(test_header_value),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
