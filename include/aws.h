/* aws.h — signed AWS calls, many in flight at once, with the SDKs' standard
 * retries, all bounded by the invocation deadline.
 *
 * A call names a service, a region and an operation and carries a ready
 * request body (see awsproto.h). tw_aws_run() resolves each endpoint, signs
 * with SigV4, sends the calls concurrently through the transport, retries
 * throttling, 5xx and connection errors with full-jitter exponential backoff
 * (never starting a retry that cannot finish before the deadline), and parses
 * AWS error bodies. It returns when every call has its final outcome.
 *
 * Pagination: a call's on_done hook may replace the body and return 1; the
 * call is then sent again, so pages of different resources still overlap. */
#ifndef TW_AWS_H
#define TW_AWS_H

#include "creds.h"
#include "endpoint.h"
#include "http.h"
#include "tw.h"

#include <stdint.h>

/* Response bodies above this are refused (a misbehaving endpoint cannot
 * exhaust memory). The largest legitimate page here is ~1 MB. */
#define TW_AWS_MAX_RESPONSE (16u * 1024u * 1024u)
#define TW_AWS_MAX_BODY (1024u * 1024u)

/* Time kept back from the deadline for posting the invocation's answer. */
#define TW_AWS_DEADLINE_RESERVE_MS 300

struct tw_aws_call;
typedef int tw_aws_done_fn(struct tw_aws_call *call);

struct tw_aws_call {
    /* in */
    enum tw_service service;
    char region[TW_REGION_MAX];
    const char *operation;        /* "DescribeTrails"; static storage */
    const char *target;           /* JSON 1.1: the X-Amz-Target value; Query: NULL */
    struct tw_buf body;           /* owned; TW_AWS_MAX_BODY */
    const struct tw_creds *creds; /* NULL: the client's default credentials */
    tw_aws_done_fn *on_done;      /* optional; 1 = send again (next page) */
    void *user;

    /* out: the final outcome */
    int rc;                       /* TW_OK for 2xx; TW_EAWS: see err.aws_code;
                                   * TW_ERR, TW_ETIMEOUT, TW_ETOOBIG: transport */
    struct tw_err err;            /* service, operation, status, code, request id,
                                   * transient */
    struct tw_buf response;       /* a 2xx body (borrowed from the transport buffer) */
    int attempts;                 /* of the last send */
    int pages;                    /* sends that reached on_done */

    /* private */
    int state_;
    int64_t not_before_ms_;
    int retry_cost_;
    struct tw_http_request http_;
    char url_[TW_ENDPOINT_URL_MAX + 2];
    char *lines_[8];
};

void tw_aws_call_init(struct tw_aws_call *call, enum tw_service service, const char *region,
                      const char *operation);
void tw_aws_call_cleanup(struct tw_aws_call *call); /* NULL-safe */

/* Counters a benchmark and tests read. */
struct tw_aws_stats {
    long requests;   /* HTTP requests sent, retries included */
    long retries;
    long throttled;
    int max_depth;   /* longest chain of requests that waited on each other */
};

struct tw_aws {
    struct tw_transport transport;
    const struct tw_env *env;
    const struct tw_profile *profile; /* NULL: none */
    const struct tw_creds *creds;     /* default credentials */
    int64_t deadline_ms;              /* wall clock; 0 = none */
    int max_attempts;                 /* AWS_MAX_ATTEMPTS, default 3 */
    int retry_quota;                  /* standard mode's token bucket */
    uint64_t rng;
    int64_t (*now_ms)(void);          /* wall clock; tests may replace it */
    void (*sleep_ms)(int64_t ms);     /* unused while requests are in flight */
    struct tw_aws_stats stats;
    int depth_base;                   /* depth before the current run */
};

/* Reads AWS_MAX_ATTEMPTS and AWS_RETRY_MODE through `env`. */
void tw_aws_init(struct tw_aws *c, struct tw_transport transport, const struct tw_env *env,
                 const struct tw_profile *profile);

/* Runs the calls to completion (see above). Returns TW_OK once every call
 * has its outcome in call->rc — which may be a failure — or TW_ERR / TW_ENOMEM
 * if the engine itself could not proceed. */
int tw_aws_run(struct tw_aws *c, struct tw_aws_call *const *calls, size_t n, struct tw_err *err);

/* One call, synchronously: tw_aws_run on a single call, returning call->rc
 * and copying call->err into err on failure. */
int tw_aws_run1(struct tw_aws *c, struct tw_aws_call *call, struct tw_err *err);

/* Whether a final failure says nothing about the account (retry the
 * invocation later): transport errors, deadline, throttling, 5xx, expired or
 * invalid credentials, bad signatures. */
int tw_aws_failure_is_transient(const struct tw_aws_call *call);

#endif
