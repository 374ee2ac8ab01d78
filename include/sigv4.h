/* sigv4.h — AWS Signature Version 4, signature in the Authorization header.
 *
 * Canonicalisation follows botocore's auth.py (SigV4Auth) and passes the 38
 * cases of the aws-c-auth SigV4 test suite (tests/sigv4-test-suite). The
 * signer never reads a clock: the caller passes the time. Stages are exposed
 * in src/sigv4_stages.h for the tests. */
#ifndef TW_SIGV4_H
#define TW_SIGV4_H

#include "tw.h"

#include <time.h>

struct tw_creds;

/* A header as name and value; both borrowed. */
struct tw_sigv4_header {
    struct tw_span name;
    struct tw_span value;
};

/* The request as it will be sent, before signing. */
struct tw_sigv4_request {
    struct tw_span method; /* "POST" */
    /* The path as sent on the wire ("/" for every trailwatch call). The
     * signer percent-encodes it once more, which is SigV4's double encoding
     * for services other than S3. Empty means "/". */
    struct tw_span path;
    /* The query string without '?', as sent; may be empty. Each name and
     * value is percent-decoded and re-encoded; '+' is taken literally
     * (encode spaces as %20). */
    struct tw_span query;
    /* Must include Host, exactly as it will be sent (tw_endpoint gives it).
     * Must not include Authorization, X-Amz-Date, X-Amz-Security-Token or
     * X-Amz-Content-Sha256: the signer adds those. The HTTP layer must reject
     * CR/LF in values before sending; the signer only folds whitespace. */
    const struct tw_sigv4_header *headers;
    size_t n_headers;
    struct tw_span body; /* exactly the bytes sent */
};

struct tw_sigv4_params {
    struct tw_span region;  /* signing region, e.g. "us-east-1" */
    struct tw_span service; /* signing name, e.g. "logs" */
    const struct tw_creds *creds;
    time_t now;         /* signing time (UTC seconds) */
    int normalize_path; /* 1: drop "." and ".." segments and empty segments (all but S3) */
    int sign_body;      /* 1: add and sign X-Amz-Content-Sha256 (S3-style) */
};

#define TW_SIGV4_MAX_HEADERS 64       /* caller headers per request */
#define TW_SIGV4_MAX_HEADER_NAME 128  /* bytes */
#define TW_SIGV4_MAX_QUERY_PARAMS 256
#define TW_SIGV4_MAX_CANONICAL (256 * 1024) /* canonical request, body excluded */
#define TW_SIGV4_ADDED_MAX 4                /* headers the signer adds */

/* What signing produced. Embed it, init it, clean it up. */
struct tw_sigv4_result {
    char amz_date[17];     /* "20150830T123600Z" */
    char payload_hash[65]; /* lowercase hex SHA-256 of the body */
    char signature[65];    /* lowercase hex */
    int signed_body;       /* X-Amz-Content-Sha256 was added */
    struct tw_buf token;   /* copy of the session token ("" for none); wiped on cleanup */
    struct tw_buf authorization;
};

void tw_sigv4_result_init(struct tw_sigv4_result *result);
/* Wipes the token and Authorization copies; NULL-safe, idempotent. */
void tw_sigv4_result_cleanup(struct tw_sigv4_result *result);

/* Signs `req` at p->now with p->creds for p->region/p->service. With a session
 * token, X-Amz-Security-Token is added before signing and is signed. The
 * "AWS4"+secret copy, every derived key and the canonical request (which
 * holds the token) are wiped before return. *out must have been initialised
 * (tw_sigv4_result_init); what it held is released first. On success it
 * holds the result; on failure it is empty and err says why (TW_ERR for bad
 * input, TW_ETOOBIG past TW_SIGV4_MAX_CANONICAL, TW_ENOMEM). */
int tw_sigv4_sign(struct tw_sigv4_result *out, const struct tw_sigv4_request *req,
                  const struct tw_sigv4_params *p, struct tw_err *err);

/* After a successful sign: the headers to add to the request, in this order:
 * X-Amz-Security-Token (with a token), X-Amz-Date, x-amz-content-sha256
 * (with sign_body), Authorization. Fills `out` and returns how many. The
 * spans point into `result`: valid until it is cleaned up or moved. The
 * token and Authorization are credentials: never log them, and wipe copies
 * (e.g. "Name: value" lines for libcurl) when done. */
size_t tw_sigv4_result_headers(struct tw_sigv4_header out[TW_SIGV4_ADDED_MAX],
                               const struct tw_sigv4_result *result);

#endif
