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

#define NEXT_OK(id, body)                                                                   \
    "HTTP/1.1 200 OK\r\nLambda-Runtime-Aws-Request-Id: " id "\r\n"                         \
    "Lambda-Runtime-Deadline-Ms: 1700000000000\r\n"                                         \
    "Content-Length: " #body "\r\n\r\n"
#define ACCEPTED "HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\n" \
                 "Content-Length: 16\r\n\r\n{\"status\":\"OK\"}\n"

static void test_next_chunked_then_respond(void **state)
{
    struct server srv = { 0 };
    struct tw_runtime *rt;
    struct tw_invocation inv;
    struct tw_err err;

    (void)state;
    srv.steps[0].reply = "HTTP/1.1 200 OK\r\nLambda-Runtime-Aws-Request-Id: req-1\r\n"
                         "Lambda-Runtime-Deadline-Ms: 1700000000123\r\n"
                         "Lambda-Runtime-Invoked-Function-Arn: arn:aws:lambda:us-east-1:1:function:f\r\n"
                         "Lambda-Runtime-Trace-Id: Root=1-2-3\r\n"
                         "Transfer-Encoding: chunked\r\n\r\n"
                         "5\r\n{\"a\":\r\n3\r\n42}\r\n0\r\n\r\n";
    srv.steps[1].reply = ACCEPTED;
    srv.n_steps = 2;
    s_server_start(&srv);
    tw_err_clear(&err);
    tw_invocation_init(&inv);
    assert_int_equal(tw_runtime_new(&rt, srv.api, &err), TW_OK);
    assert_int_equal(tw_runtime_next(rt, &inv, &err), TW_OK);
    assert_string_equal(inv.request_id, "req-1");
    assert_true(inv.deadline_ms == 1700000000123LL);
    assert_string_equal(inv.function_arn, "arn:aws:lambda:us-east-1:1:function:f");
    assert_string_equal(inv.trace_id, "Root=1-2-3");
    assert_string_equal(tw_buf_cstr(&inv.event), "{\"a\":42}");
    assert_false(inv.event_too_big);
    assert_int_equal(tw_runtime_respond(rt, inv.request_id, TW_SPAN_LIT("{\"ok\":1}"), &err),
                     TW_OK);
    tw_runtime_free(rt); /* closes the connection: the server thread ends */
    s_server_join(&srv);

    assert_int_equal(srv.connections, 1);
    assert_non_null(strstr(srv.requests[0], "GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\n"));
    assert_non_null(strstr(srv.requests[0], "\r\nHost: 127.0.0.1:"));
    assert_non_null(strstr(srv.requests[1], "POST /2018-06-01/runtime/invocation/req-1/response "
                                            "HTTP/1.1\r\n"));
    assert_non_null(strstr(srv.requests[1], "\r\nContent-Length: 8\r\n"));
    assert_non_null(strstr(srv.requests[1], "\r\nContent-Type: application/json\r\n"));
    assert_null(strstr(srv.requests[1], "Lambda-Runtime-Function-Error-Type"));
    assert_non_null(strstr(srv.requests[1], "\r\n\r\n{\"ok\":1}"));
    tw_invocation_cleanup(&inv);
}

static void test_reconnects_when_the_server_dropped_the_connection(void **state)
{
    struct server srv = { 0 };
    struct tw_runtime *rt;
    struct tw_invocation inv;
    struct tw_err err;

    (void)state;
    /* The first answer keeps the connection alive, then the server closes it
     * anyway (an idle timeout): the next request must go on a new one. The
     * second answer says Connection: close, which the client must honour. */
    srv.steps[0].reply = NEXT_OK("a", 2) "{}";
    srv.steps[0].close_after = 1;
    srv.steps[1].reply = "HTTP/1.1 202 Accepted\r\nConnection: close\r\nContent-Length: 0\r\n\r\n";
    srv.steps[1].close_after = 1;
    srv.steps[2].reply = NEXT_OK("b", 3) "{ }";
    srv.n_steps = 3;
    s_server_start(&srv);
    tw_err_clear(&err);
    tw_invocation_init(&inv);
    assert_int_equal(tw_runtime_new(&rt, srv.api, &err), TW_OK);
    assert_int_equal(tw_runtime_next(rt, &inv, &err), TW_OK);
    usleep(20000); /* let the close arrive first */
    assert_int_equal(tw_runtime_respond(rt, "a", TW_SPAN_LIT("{}"), &err), TW_OK);
    assert_int_equal(tw_runtime_next(rt, &inv, &err), TW_OK);
    assert_string_equal(inv.request_id, "b");
    assert_string_equal(tw_buf_cstr(&inv.event), "{ }");
    tw_runtime_free(rt);
    s_server_join(&srv);
    assert_int_equal(srv.connections, 3);
    tw_invocation_cleanup(&inv);
}

static void test_truncated_answer_is_an_error_then_recovers(void **state)
{
    struct server srv = { 0 };
    struct tw_runtime *rt;
    struct tw_invocation inv;
    struct tw_err err;

    (void)state;
    srv.steps[0].reply = NEXT_OK("a", 100) "{\"cut";
    srv.steps[0].close_after = 1;
    srv.steps[1].reply = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}";
    srv.steps[2].reply = "HTTP/1.1 200 OK\r\nLambda-Runtime-Aws-Request-Id: c\r\n"
                         "Lambda-Runtime-Deadline-Ms: soon\r\nContent-Length: 2\r\n\r\n{}";
    srv.steps[3].reply = "HTTP/1.1 503 Busy\r\nContent-Length: 0\r\n\r\n";
    srv.steps[4].reply = "I am not HTTP\r\n";
    srv.steps[4].close_after = 1;
    srv.n_steps = 5;
    s_server_start(&srv);
    tw_invocation_init(&inv);
    tw_err_clear(&err);
    assert_int_equal(tw_runtime_new(&rt, srv.api, &err), TW_OK);
    /* Cut mid-body: an error, never a partial event. */
    assert_int_equal(tw_runtime_next(rt, &inv, &err), TW_ERR);
    assert_non_null(strstr(err.msg, "truncated"));
    assert_true(err.transient);
    /* A new connection; an invocation without an id is a protocol error. */
    tw_err_clear(&err);
    assert_int_equal(tw_runtime_next(rt, &inv, &err), TW_EPARSE);
    assert_non_null(strstr(err.msg, "without Lambda-Runtime-Aws-Request-Id"));
    tw_err_clear(&err);
    assert_int_equal(tw_runtime_next(rt, &inv, &err), TW_EPARSE);
    assert_non_null(strstr(err.msg, "Deadline-Ms"));
    assert_string_equal(inv.request_id, "c"); /* still answerable */
    tw_err_clear(&err);
    assert_int_equal(tw_runtime_next(rt, &inv, &err), TW_ERR);
    assert_int_equal(err.http_status, 503);
    tw_err_clear(&err);
    assert_int_equal(tw_runtime_next(rt, &inv, &err), TW_ERR);
    assert_non_null(strstr(err.msg, "status line"));
    tw_runtime_free(rt);
    s_server_join(&srv);
    assert_int_equal(srv.connections, 2);
    tw_invocation_cleanup(&inv);
}

static void test_oversized_event_is_flagged_and_the_connection_kept(void **state)
{
    struct server srv = { 0 };
    struct tw_runtime *rt;
    struct tw_invocation inv;
    struct tw_err err;
    size_t body = (size_t)TW_MAX_EVENT + 1000;
    int head;

    (void)state;
    srv.reply_big = malloc(body + 256);
    assert_non_null(srv.reply_big);
    head = sprintf(srv.reply_big, NEXT_OK("big", %zu), body);
    memset(srv.reply_big + head, 'x', body);
    srv.reply_big_len = (size_t)head + body;
    srv.steps[0].reply = NULL;
    srv.steps[1].reply = NEXT_OK("small", 2) "{}";
    srv.n_steps = 2;
    s_server_start(&srv);
    tw_invocation_init(&inv);
    tw_err_clear(&err);
    assert_int_equal(tw_runtime_new(&rt, srv.api, &err), TW_OK);
    assert_int_equal(tw_runtime_next(rt, &inv, &err), TW_OK);
    assert_string_equal(inv.request_id, "big");
    assert_true(inv.event_too_big);
    assert_int_equal(inv.event.len, 0);
    /* The whole body was read: the same connection carries the next one. */
    assert_int_equal(tw_runtime_next(rt, &inv, &err), TW_OK);
    assert_string_equal(inv.request_id, "small");
    assert_false(inv.event_too_big);
    tw_runtime_free(rt);
    s_server_join(&srv);
    assert_int_equal(srv.connections, 1);
    tw_invocation_cleanup(&inv);
}

static void test_post_statuses_and_error_reports(void **state)
{
    struct server srv = { 0 };
    struct tw_runtime *rt;
    struct tw_err err;

    (void)state;
    srv.steps[0].reply = "HTTP/1.1 413 Payload Too Large\r\nContent-Length: 0\r\n\r\n";
    srv.steps[1].reply = ACCEPTED;
    srv.steps[2].reply = "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n";
    srv.n_steps = 3;
    s_server_start(&srv);
    tw_err_clear(&err);
    assert_int_equal(tw_runtime_new(&rt, srv.api, &err), TW_OK);
    assert_int_equal(tw_runtime_respond(rt, "r", TW_SPAN_LIT("{}"), &err), TW_ETOOBIG);
    tw_err_clear(&err);
    assert_int_equal(tw_runtime_report_error(rt, "r", "Response.TooLarge", "too \"big\"", &err),
                     TW_OK);
    tw_err_clear(&err);
    assert_int_equal(tw_runtime_init_error(rt, "Runtime.Broken", "x", &err), TW_ERR);
    assert_int_equal(err.http_status, 500);
    tw_runtime_free(rt);
    s_server_join(&srv);
    assert_non_null(strstr(srv.requests[1], "POST /2018-06-01/runtime/invocation/r/error "));
    assert_non_null(strstr(srv.requests[1], "\r\nLambda-Runtime-Function-Error-Type: "
                                            "Response.TooLarge\r\n"));
    assert_non_null(strstr(srv.requests[1], "{\"errorMessage\":\"too \\\"big\\\"\","
                                            "\"errorType\":\"Response.TooLarge\","
                                            "\"stackTrace\":[]}"));
    assert_non_null(strstr(srv.requests[2], "POST /2018-06-01/runtime/init/error "));
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
