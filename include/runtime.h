/* runtime.h — a small client for the Lambda Runtime API (2018-06-01).
 *
 * One libcurl handle and so one kept-alive connection to
 * http://$AWS_LAMBDA_RUNTIME_API. The /next poll has no total timeout: Lambda
 * freezes the sandbox between invocations, and a timer would fire on thaw. */
#ifndef TW_RUNTIME_H
#define TW_RUNTIME_H

#include "tw.h"

#include <stdint.h>

/* The Runtime API answers 413 above this many response bytes. */
#define TW_MAX_RESPONSE 6291556u

struct tw_runtime;

struct tw_invocation {
    char request_id[128];   /* Lambda-Runtime-Aws-Request-Id */
    int64_t deadline_ms;    /* Lambda-Runtime-Deadline-Ms; 0 if the header was absent */
    char function_arn[256]; /* Lambda-Runtime-Invoked-Function-Arn */
    char trace_id[512];     /* Lambda-Runtime-Trace-Id */
    struct tw_buf event;    /* the payload; capped, see event_too_big */
    int event_too_big;      /* the payload exceeded the cap and was not kept */
};

/* `api` is host:port as in AWS_LAMBDA_RUNTIME_API. */
int tw_runtime_new(struct tw_runtime **out, const char *api, struct tw_err *err);
void tw_runtime_free(struct tw_runtime *rt); /* NULL-safe */

void tw_invocation_init(struct tw_invocation *inv);
void tw_invocation_cleanup(struct tw_invocation *inv);

/* Blocks until the next invocation. TW_EPARSE when the answer breaks the
 * protocol (no request id, bad deadline): the caller may poll again.
 * TW_ERR for a failed request or a non-200 answer. `inv` is reset first. */
int tw_runtime_next(struct tw_runtime *rt, struct tw_invocation *inv, struct tw_err *err);

/* Posts the invocation's response. TW_ETOOBIG when the Runtime API answered
 * 413 (report an error instead); TW_ERR with err->http_status 500 means the
 * container is broken and the process should exit. */
int tw_runtime_respond(struct tw_runtime *rt, const char *request_id, struct tw_span body,
                       struct tw_err *err);

/* Posts {"errorMessage","errorType","stackTrace":[]} for an invocation, with
 * the Lambda-Runtime-Function-Error-Type header. Same failures as respond. */
int tw_runtime_report_error(struct tw_runtime *rt, const char *request_id, const char *error_type,
                            const char *message, struct tw_err *err);

/* Posts a start-up failure to /runtime/init/error. */
int tw_runtime_init_error(struct tw_runtime *rt, const char *error_type, const char *message,
                          struct tw_err *err);

/* The error document, built with cJSON so the message is always escaped.
 * Returns a malloc'd string or NULL. */
char *tw_runtime_error_body(const char *error_type, const char *message);

#endif
