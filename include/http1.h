/* http1.h — an incremental HTTP/1.1 response parser, without I/O.
 *
 * The Lambda Runtime API client (runtime.c) talks plain HTTP/1.1 over one
 * loopback socket and feeds what it reads through this parser; libcurl is
 * kept for the AWS endpoints only, so a cold start reaches its first
 * GET /next without initialising libcurl or OpenSSL.
 *
 * It reads one response (interim 1xx responses are skipped): the status
 * line, header lines handed to a callback, then a body framed by
 * Content-Length, by chunked transfer coding, or by the end of the
 * connection. Everything from outside is capped: a line at
 * TW_HTTP1_MAX_LINE, the whole head at TW_HTTP1_MAX_HEAD, chunk sizes and
 * Content-Length to what fits in 63 bits. A protocol violation is TW_EPARSE
 * with the reason in err, never a guess. */
#ifndef TW_HTTP1_H
#define TW_HTTP1_H

#include "tw.h"

#include <stddef.h>
#include <stdint.h>

#define TW_HTTP1_MAX_LINE 8192
#define TW_HTTP1_MAX_HEAD (64 * 1024)

/* Called once per header line (no CR/LF; folded lines are refused). A
 * non-zero return stops the parse with TW_ERR. */
typedef int (*tw_http1_header_fn)(void *user, const char *line, size_t len);
/* Called with each piece of the (de-chunked) body, in order. */
typedef int (*tw_http1_body_fn)(void *user, const char *data, size_t len);

struct tw_http1_response {
    /* in */
    tw_http1_header_fn on_header; /* may be NULL */
    tw_http1_body_fn on_body;     /* may be NULL: the body is discarded */
    void *user;
    int head_request;             /* the request was HEAD: no body follows */

    /* out */
    int status;                   /* of the final (non-1xx) response */
    int keep_alive;               /* the connection may carry another request */
    int done;                     /* the response ended */

    /* private */
    int state_;
    int chunked_;
    int have_length_;
    uint64_t remaining_;
    size_t head_bytes_;
    size_t line_len_;
    char line_[TW_HTTP1_MAX_LINE];
};

void tw_http1_response_init(struct tw_http1_response *r);

/* Feeds `len` bytes just read. Sets *used to how many were consumed: all of
 * them, or fewer when the response ended (the rest would belong to a
 * response nobody asked for). TW_EPARSE on a protocol violation. */
int tw_http1_feed(struct tw_http1_response *r, const char *data, size_t len, size_t *used,
                  struct tw_err *err);

/* The peer closed the connection. TW_OK when that ends the response (a body
 * framed by the connection's end); TW_EPARSE with "truncated" otherwise. */
int tw_http1_eof(struct tw_http1_response *r, struct tw_err *err);

/* When `line` (a raw header line, `len` bytes, CRLF included or not) is the
 * header `name` (case-insensitive), copies its trimmed value into dst
 * (truncated to size-1, NUL-terminated) and returns 1; else returns 0. */
int tw_http_header_value(char *dst, size_t size, const char *line, size_t len, const char *name);

#endif
