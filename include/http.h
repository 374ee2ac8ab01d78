/* http.h — concurrent HTTPS requests over kept-alive connections.
 *
 * The AWS client talks to the network only through struct tw_transport, a
 * function table: production uses libcurl's multi interface (tw_http), unit
 * tests can plug in a fake without linker tricks.
 *
 * The libcurl transport lives as long as the process, so connections, DNS
 * answers, TLS sessions and the parsed CA store survive warm invocations. */
#ifndef TW_HTTP_H
#define TW_HTTP_H

#include "tw.h"

#include <stdint.h>

/* One request and, once finished, its answer. The caller owns it and keeps
 * it alive until it is returned by wait(). */
struct tw_http_request {
    /* in */
    const char *url;
    const char *const *headers; /* "Name: value" lines, no CR/LF */
    size_t n_headers;
    struct tw_span body;        /* always POSTed */
    int64_t timeout_ms;         /* the whole exchange, connect included */
    size_t max_response;        /* larger answers fail with TW_ETOOBIG */
    void *user;

    /* out, valid once wait() returned the request */
    int rc;                     /* TW_OK: an HTTP answer was read (any status);
                                 * TW_ERR: connection failed or broke;
                                 * TW_ETIMEOUT; TW_ETOOBIG */
    long status;
    struct tw_buf response;
    char request_id[96];        /* x-amzn-RequestId or x-amz-request-id */
    char error[256];            /* transport failure, for people */
    int new_connection;         /* 1 if this exchange opened a connection */
    int untrusted;              /* TW_ERR because TLS verification failed (or the CA
                                 * file is unusable): retrying cannot help */

    void *priv_;                /* the transport's */
};

void tw_http_request_init(struct tw_http_request *req);
void tw_http_request_cleanup(struct tw_http_request *req);

struct tw_transport {
    /* Starts `req`. Fails only for bad input or resource exhaustion. */
    int (*start)(void *ctx, struct tw_http_request *req, struct tw_err *err);
    /* Waits at most timeout_ms for a request to finish and returns it, or
     * NULL when none finished in time. */
    struct tw_http_request *(*wait)(void *ctx, int64_t timeout_ms);
    void *ctx;
};

struct tw_http;

/* Chooses the CA bundle for TLS (see tw_http_ca_bundle) and sets up a curl
 * multi handle. */
int tw_http_new(struct tw_http **out, struct tw_err *err);
void tw_http_free(struct tw_http *http); /* NULL-safe */
struct tw_transport tw_http_transport(struct tw_http *http);

/* Connections opened since tw_http_new (for the benchmark and tests). */
long tw_http_connections_opened(const struct tw_http *http);

/* The CA bundle file: AWS_CA_BUNDLE, then SSL_CERT_FILE, then the first
 * that exists of /etc/pki/tls/certs/ca-bundle.crt (Amazon Linux) and
 * /etc/ssl/certs/ca-certificates.crt (Debian); NULL when none. Endpoints of
 * the aws partition (*.amazonaws.com, not GovCloud) trust only the embedded
 * Amazon Trust Services roots unless a bundle was named or a proxy is set;
 * everything else uses this file, and HTTPS without any trust store is
 * refused, never sent unverified. */
const char *tw_http_ca_bundle(const struct tw_http *http);

#endif
