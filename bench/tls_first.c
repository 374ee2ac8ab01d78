/* tls_first.c — how long does the first HTTPS request of a process take?
 *
 *   tls_first URL
 *
 * Linked statically against the shipped objects (src/http.c and what it
 * needs), so it runs trailwatch's own transport: the trust store chosen by
 * http.c (AWS_CA_BUNDLE, SSL_CERT_FILE, embedded Amazon roots, system bundle),
 * libcurl's multi interface, OpenSSL. In a fresh process it times
 *
 *   init   tw_http_new (it only picks the trust store; nothing is loaded)
 *   first  one POST to URL on a new connection: libcurl and OpenSSL
 *          initialisation (done at the first request), TCP, TLS handshake
 *          with the trust store parsed for the first time, request, answer
 *   second one more POST, reusing the connection
 *
 * and prints one line of JSON (milliseconds; cpu_ms is the process's CPU time
 * over init + first). Any HTTP answer counts: the fake AWS answers an
 * unsigned POST with 400, which is fine here. Exit status 1 if a request
 * fails. */
#include "http.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static double s_ms(clockid_t clock)
{
    struct timespec t;

    clock_gettime(clock, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* Sends one empty POST and waits for its answer (at most 10 s). */
static int s_post(struct tw_transport *t, const char *url, long *status, char *error, size_t size)
{
    struct tw_http_request req;
    struct tw_err err;
    int rc;

    tw_err_clear(&err);
    tw_http_request_init(&req);
    req.url = url;
    req.body = TW_SPAN_LIT("");
    req.timeout_ms = 10000;
    req.max_response = 1u << 20;
    rc = t->start(t->ctx, &req, &err);
    if (rc != TW_OK) {
        snprintf(error, size, "%s", err.msg);
    } else {
        struct tw_http_request *done = NULL;
        for (int i = 0; i < 1000 && !done; i++)
            done = t->wait(t->ctx, 100);
        rc = done ? done->rc : TW_ETIMEOUT;
        snprintf(error, size, "%s", done ? done->error : "no answer");
    }
    *status = req.status;
    tw_http_request_cleanup(&req);
    return rc;
}

int main(int argc, char **argv)
{
    struct tw_http *http = NULL;
    struct tw_transport t;
    struct tw_err err;
    double t0, c0, t1, t2, c2, t3;
    long status1 = 0, status2 = 0;
    char error[sizeof(err.msg)] = "";
    int rc;

    if (argc != 2) {
        fputs("usage: tls_first URL\n", stderr);
        return 2;
    }
    tw_err_clear(&err);
    t0 = s_ms(CLOCK_MONOTONIC);
    c0 = s_ms(CLOCK_PROCESS_CPUTIME_ID);
    if (tw_http_new(&http, &err) != TW_OK) {
        fprintf(stderr, "tls_first: cannot set up HTTP: %s\n", err.msg);
        return 1;
    }
    t = tw_http_transport(http);
    t1 = s_ms(CLOCK_MONOTONIC);
    rc = s_post(&t, argv[1], &status1, error, sizeof(error));
    t2 = s_ms(CLOCK_MONOTONIC);
    c2 = s_ms(CLOCK_PROCESS_CPUTIME_ID);
    if (rc == TW_OK)
        rc = s_post(&t, argv[1], &status2, error, sizeof(error));
    t3 = s_ms(CLOCK_MONOTONIC);
    if (rc != TW_OK) {
        fprintf(stderr, "tls_first: %s: %s\n", argv[1], error);
    } else {
        printf("{\"init_ms\": %.3f, \"first_ms\": %.3f, \"second_ms\": %.3f, \"cpu_ms\": %.3f, "
               "\"status\": %ld, \"connections\": %ld}\n",
               t1 - t0, t2 - t1, t3 - t2, c2 - c0, status1, tw_http_connections_opened(http));
    }
    tw_http_free(http);
    return rc == TW_OK ? 0 : 1;
}
