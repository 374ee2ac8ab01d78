/* test_runtime.c — the Runtime API client over a real loopback socket, against
 * a scripted server thread: what goes on the wire, kept-alive connections and
 * reconnects, framing of the answers, and answers that break the protocol.
 * (tests/it_runtime.py drives the whole bootstrap against the Python fake.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "event.h"
#include "runtime.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_STEPS 8

/* One request the server expects, and what it writes back. */
struct step {
    const char *reply;  /* NULL: reply_big */
    size_t reply_len;   /* 0: strlen(reply) */
    int close_after;    /* close the connection after replying */
};

struct server {
    int lfd;
    char api[64];
    struct step steps[MAX_STEPS];
    int n_steps;
    pthread_t thread;
    /* observed */
    char requests[MAX_STEPS][4096];
    int connections;
    char *reply_big;
    size_t reply_big_len;
};

/* Reads one request: head, then Content-Length bytes of body. */
static int s_read_request(int fd, char *out, size_t size)
{
    size_t got = 0;
    char *end = NULL;
    long clen = 0;

    while (!end) {
        ssize_t n = recv(fd, out + got, size - 1 - got, 0);
        if (n <= 0)
            return -1;
        got += (size_t)n;
        out[got] = '\0';
        end = strstr(out, "\r\n\r\n");
    }
    {
        const char *cl = strstr(out, "Content-Length: ");
        if (cl && cl < end)
            clen = strtol(cl + 16, NULL, 10);
    }
    while (got < (size_t)(end + 4 - out) + (size_t)clen) {
        ssize_t n = recv(fd, out + got, size - 1 - got, 0);
        if (n <= 0)
            return -1;
        got += (size_t)n;
        out[got] = '\0';
    }
    return 0;
}

static void *s_serve(void *arg)
{
    struct server *srv = arg;
    int fd = -1;

    for (int i = 0; i < srv->n_steps; i++) {
        const struct step *st = &srv->steps[i];
        const char *reply = st->reply ? st->reply : srv->reply_big;
        size_t len = st->reply ? (st->reply_len ? st->reply_len : strlen(st->reply))
                               : srv->reply_big_len;
        size_t off = 0;

        for (;;) {
            if (fd < 0) {
                fd = accept(srv->lfd, NULL, NULL);
                if (fd < 0)
                    return NULL;
                srv->connections++;
            }
            if (s_read_request(fd, srv->requests[i], sizeof(srv->requests[i])) == 0)
                break;
            close(fd); /* the client gave up on this connection */
            fd = -1;
        }
        while (off < len) {
            ssize_t n = send(fd, reply + off, len - off, MSG_NOSIGNAL);
            if (n <= 0)
                break;
            off += (size_t)n;
        }
        if (st->close_after) {
            close(fd);
            fd = -1;
        }
    }
    if (fd >= 0) {
        char drain[256];
        /* Hold the connection until the client closes it. */
        while (recv(fd, drain, sizeof(drain), 0) > 0)
            ;
        close(fd);
    }
    return NULL;
}

static void s_server_start(struct server *srv)
{
    struct sockaddr_in a;
    socklen_t len = sizeof(a);
    int one = 1;

    srv->lfd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(srv->lfd >= 0);
    setsockopt(srv->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(srv->lfd, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(listen(srv->lfd, 4), 0);
    assert_int_equal(getsockname(srv->lfd, (struct sockaddr *)&a, &len), 0);
    snprintf(srv->api, sizeof(srv->api), "127.0.0.1:%u", (unsigned)ntohs(a.sin_port));
    assert_int_equal(pthread_create(&srv->thread, NULL, s_serve, srv), 0);
}

static void s_server_join(struct server *srv)
{
    pthread_join(srv->thread, NULL);
    close(srv->lfd);
    free(srv->reply_big);
}

/* A server with its script, and a client connected to it. */
struct fixture {
    struct server srv;
    struct tw_runtime *rt;
    struct tw_invocation inv;
    struct tw_err err;
};

static struct fixture *s_fixture(void)
{
    struct fixture *fx = calloc(1, sizeof(*fx));

    assert_non_null(fx);
    return fx;
}

/* Starts the scripted server (fx->srv.steps filled in) and the client. */
static void s_open(struct fixture *fx, int n_steps)
{
    fx->srv.n_steps = n_steps;
    s_server_start(&fx->srv);
    tw_err_clear(&fx->err);
    tw_invocation_init(&fx->inv);
    assert_int_equal(tw_runtime_new(&fx->rt, fx->srv.api, &fx->err), TW_OK);
}

/* Closes the client (the server thread then ends); fx->srv stays readable. */
static void s_close(struct fixture *fx)
{
    tw_runtime_free(fx->rt);
    s_server_join(&fx->srv);
    tw_invocation_cleanup(&fx->inv);
}

#define NEXT_OK(id, body)                                                                   \
    "HTTP/1.1 200 OK\r\nLambda-Runtime-Aws-Request-Id: " id "\r\n"                         \
    "Lambda-Runtime-Deadline-Ms: 1700000000000\r\n"                                         \
    "Content-Length: " #body "\r\n\r\n"
#define ACCEPTED "HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\n" \
                 "Content-Length: 16\r\n\r\n{\"status\":\"OK\"}\n"

static void test_next_chunked_then_respond(void **state)
{
    struct fixture *fx = s_fixture();
    struct server *srv = &fx->srv;

    (void)state;
    srv->steps[0].reply = "HTTP/1.1 200 OK\r\nLambda-Runtime-Aws-Request-Id: req-1\r\n"
                          "Lambda-Runtime-Deadline-Ms: 1700000000123\r\n"
                          "Lambda-Runtime-Invoked-Function-Arn: arn:aws:lambda:us-east-1:1:function:f\r\n"
                          "Lambda-Runtime-Trace-Id: Root=1-2-3\r\n"
                          "Transfer-Encoding: chunked\r\n\r\n"
                          "5\r\n{\"a\":\r\n3\r\n42}\r\n0\r\n\r\n";
    srv->steps[1].reply = ACCEPTED;
    s_open(fx, 2);
    assert_int_equal(tw_runtime_next(fx->rt, &fx->inv, &fx->err), TW_OK);
    assert_string_equal(fx->inv.request_id, "req-1");
    assert_true(fx->inv.deadline_ms == 1700000000123LL);
    assert_string_equal(fx->inv.function_arn, "arn:aws:lambda:us-east-1:1:function:f");
    assert_string_equal(fx->inv.trace_id, "Root=1-2-3");
    assert_string_equal(tw_buf_cstr(&fx->inv.event), "{\"a\":42}");
    assert_false(fx->inv.event_too_big);
    assert_int_equal(tw_runtime_respond(fx->rt, fx->inv.request_id, TW_SPAN_LIT("{\"ok\":1}"),
                                        &fx->err),
                     TW_OK);
    s_close(fx);

    assert_int_equal(srv->connections, 1);
    assert_non_null(strstr(srv->requests[0], "GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\n"));
    assert_non_null(strstr(srv->requests[0], "\r\nHost: 127.0.0.1:"));
    assert_non_null(strstr(srv->requests[1], "POST /2018-06-01/runtime/invocation/req-1/response "
                                             "HTTP/1.1\r\n"));
    assert_non_null(strstr(srv->requests[1], "\r\nContent-Length: 8\r\n"));
    assert_non_null(strstr(srv->requests[1], "\r\nContent-Type: application/json\r\n"));
    assert_null(strstr(srv->requests[1], "Lambda-Runtime-Function-Error-Type"));
    assert_non_null(strstr(srv->requests[1], "\r\n\r\n{\"ok\":1}"));
    free(fx);
}

static void test_reconnects_when_the_server_dropped_the_connection(void **state)
{
    struct fixture *fx = s_fixture();
    struct server *srv = &fx->srv;

    (void)state;
    /* The first answer keeps the connection alive, then the server closes it
     * anyway (an idle timeout): the next request must go on a new one. The
     * second answer says Connection: close, which the client must honour. */
    srv->steps[0].reply = NEXT_OK("a", 2) "{}";
    srv->steps[0].close_after = 1;
    srv->steps[1].reply = "HTTP/1.1 202 Accepted\r\nConnection: close\r\nContent-Length: 0\r\n\r\n";
    srv->steps[1].close_after = 1;
    srv->steps[2].reply = NEXT_OK("b", 3) "{ }";
    s_open(fx, 3);
    assert_int_equal(tw_runtime_next(fx->rt, &fx->inv, &fx->err), TW_OK);
    usleep(20000); /* let the close arrive first */
    assert_int_equal(tw_runtime_respond(fx->rt, "a", TW_SPAN_LIT("{}"), &fx->err), TW_OK);
    assert_int_equal(tw_runtime_next(fx->rt, &fx->inv, &fx->err), TW_OK);
    assert_string_equal(fx->inv.request_id, "b");
    assert_string_equal(tw_buf_cstr(&fx->inv.event), "{ }");
    s_close(fx);
    assert_int_equal(srv->connections, 3);
    free(fx);
}

/* The next answer must fail with `rc` and a message holding `text`. */
static void s_expect_next(struct fixture *fx, int rc, const char *text)
{
    tw_err_clear(&fx->err);
    assert_int_equal(tw_runtime_next(fx->rt, &fx->inv, &fx->err), rc);
    if (text && !strstr(fx->err.msg, text))
        fail_msg("message \"%s\" lacks \"%s\"", fx->err.msg, text);
}

static void test_truncated_answer_is_an_error_then_recovers(void **state)
{
    struct fixture *fx = s_fixture();
    struct server *srv = &fx->srv;

    (void)state;
    srv->steps[0].reply = NEXT_OK("a", 100) "{\"cut";
    srv->steps[0].close_after = 1;
    srv->steps[1].reply = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}";
    srv->steps[2].reply = "HTTP/1.1 200 OK\r\nLambda-Runtime-Aws-Request-Id: c\r\n"
                          "Lambda-Runtime-Deadline-Ms: soon\r\nContent-Length: 2\r\n\r\n{}";
    srv->steps[3].reply = "HTTP/1.1 503 Busy\r\nContent-Length: 0\r\n\r\n";
    srv->steps[4].reply = "I am not HTTP\r\n";
    srv->steps[4].close_after = 1;
    s_open(fx, 5);
    /* Cut mid-body: an error, never a partial event. */
    s_expect_next(fx, TW_ERR, "truncated");
    assert_true(fx->err.transient);
    /* A new connection; an invocation without an id is a protocol error. */
    s_expect_next(fx, TW_EPARSE, "without Lambda-Runtime-Aws-Request-Id");
    s_expect_next(fx, TW_EPARSE, "Deadline-Ms");
    assert_string_equal(fx->inv.request_id, "c"); /* still answerable */
    s_expect_next(fx, TW_ERR, "HTTP 503");
    assert_int_equal(fx->err.http_status, 503);
    s_expect_next(fx, TW_ERR, "status line");
    s_close(fx);
    assert_int_equal(srv->connections, 2);
    free(fx);
}

static void test_oversized_event_is_flagged_and_the_connection_kept(void **state)
{
    struct fixture *fx = s_fixture();
    struct server *srv = &fx->srv;
    size_t body = (size_t)TW_MAX_EVENT + 1000;
    int head;

    (void)state;
    srv->reply_big = malloc(body + 256);
    assert_non_null(srv->reply_big);
    head = sprintf(srv->reply_big, NEXT_OK("big", %zu), body);
    memset(srv->reply_big + head, 'x', body);
    srv->reply_big_len = (size_t)head + body;
    srv->steps[0].reply = NULL;
    srv->steps[1].reply = NEXT_OK("small", 2) "{}";
    s_open(fx, 2);
    assert_int_equal(tw_runtime_next(fx->rt, &fx->inv, &fx->err), TW_OK);
    assert_string_equal(fx->inv.request_id, "big");
    assert_true(fx->inv.event_too_big);
    assert_int_equal(fx->inv.event.len, 0);
    /* The whole body was read: the same connection carries the next one. */
    assert_int_equal(tw_runtime_next(fx->rt, &fx->inv, &fx->err), TW_OK);
    assert_string_equal(fx->inv.request_id, "small");
    assert_false(fx->inv.event_too_big);
    s_close(fx);
    assert_int_equal(srv->connections, 1);
    free(fx);
}

static void test_post_statuses_and_error_reports(void **state)
{
    struct fixture *fx = s_fixture();
    struct server *srv = &fx->srv;

    (void)state;
    srv->steps[0].reply = "HTTP/1.1 413 Payload Too Large\r\nContent-Length: 0\r\n\r\n";
    srv->steps[1].reply = ACCEPTED;
    srv->steps[2].reply = "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n";
    s_open(fx, 3);
    assert_int_equal(tw_runtime_respond(fx->rt, "r", TW_SPAN_LIT("{}"), &fx->err), TW_ETOOBIG);
    tw_err_clear(&fx->err);
    assert_int_equal(tw_runtime_report_error(fx->rt, "r", "Response.TooLarge", "too \"big\"",
                                             &fx->err),
                     TW_OK);
    tw_err_clear(&fx->err);
    assert_int_equal(tw_runtime_init_error(fx->rt, "Runtime.Broken", "x", &fx->err), TW_ERR);
    assert_int_equal(fx->err.http_status, 500);
    s_close(fx);
    assert_non_null(strstr(srv->requests[1], "POST /2018-06-01/runtime/invocation/r/error "));
    assert_non_null(strstr(srv->requests[1], "\r\nLambda-Runtime-Function-Error-Type: "
                                             "Response.TooLarge\r\n"));
    assert_non_null(strstr(srv->requests[1], "{\"errorMessage\":\"too \\\"big\\\"\","
                                             "\"errorType\":\"Response.TooLarge\","
                                             "\"stackTrace\":[]}"));
    assert_non_null(strstr(srv->requests[2], "POST /2018-06-01/runtime/init/error "));
    free(fx);
}

static void test_api_address_forms(void **state)
{
    static const char *const bad[] = {
        "", "host", "host:", ":9001", "h:90x1", "[::1]9001", "a:b:c", "[::1", "h:1234567",
        "127.0.0.1:9001/x", "user@h:1", "h :1",
    };
    static const char *const good[] = { "127.0.0.1:9001", "localhost:9001", "[::1]:9001" };
    struct tw_runtime *rt;
    struct tw_err err;

    (void)state;
    for (size_t i = 0; i < TW_ARRAY_LEN(bad); i++) {
        tw_err_clear(&err);
        if (tw_runtime_new(&rt, bad[i], &err) != TW_EPARSE)
            fail_msg("accepted \"%s\"", bad[i]);
        assert_null(rt);
        assert_non_null(strstr(err.msg, "host:port"));
    }
    for (size_t i = 0; i < TW_ARRAY_LEN(good); i++) {
        tw_err_clear(&err);
        assert_int_equal(tw_runtime_new(&rt, good[i], &err), TW_OK);
        tw_runtime_free(rt);
    }
}

static void test_nobody_listening(void **state)
{
    struct sockaddr_in a;
    socklen_t len = sizeof(a);
    struct tw_runtime *rt;
    struct tw_invocation inv;
    struct tw_err err;
    char api[64];
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    (void)state;
    /* A port that was just free: bound, never listened on, closed. */
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    close(fd);
    snprintf(api, sizeof(api), "127.0.0.1:%u", (unsigned)ntohs(a.sin_port));
    tw_err_clear(&err);
    tw_invocation_init(&inv);
    assert_int_equal(tw_runtime_new(&rt, api, &err), TW_OK);
    assert_int_equal(tw_runtime_next(rt, &inv, &err), TW_ERR);
    assert_true(err.transient);
    assert_non_null(strstr(err.msg, "cannot connect"));
    tw_runtime_free(rt);
    tw_invocation_cleanup(&inv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_next_chunked_then_respond),
        cmocka_unit_test(test_reconnects_when_the_server_dropped_the_connection),
        cmocka_unit_test(test_truncated_answer_is_an_error_then_recovers),
        cmocka_unit_test(test_oversized_event_is_flagged_and_the_connection_kept),
        cmocka_unit_test(test_post_statuses_and_error_reports),
        cmocka_unit_test(test_api_address_forms),
        cmocka_unit_test(test_nobody_listening),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
