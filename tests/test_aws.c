/* test_aws.c — the call engine against a scripted transport and clock:
 * retries, backoff, quota, deadline, pagination, signing headers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "aws.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One scripted answer. */
struct s_answer {
    int rc;       /* transport outcome */
    long status;
    const char *body;
};

struct s_fake {
    const struct s_answer *script;
    size_t n_script, next;
    struct tw_http_request *pending[16];
    size_t n_pending;
    int64_t now;
    int64_t slept;
    size_t max_in_flight;
    char last_headers[4096];
};

static struct s_fake s_f;

static int64_t s_now(void)
{
    return s_f.now;
}

static void s_sleep(int64_t ms)
{
    s_f.now += ms;
    s_f.slept += ms;
}

static int s_start(void *ctx, struct tw_http_request *req, struct tw_err *err)
{
    (void)ctx;
    (void)err;
    s_f.last_headers[0] = '\0';
    for (size_t i = 0; i < req->n_headers; i++) {
        strncat(s_f.last_headers, req->headers[i],
                sizeof(s_f.last_headers) - strlen(s_f.last_headers) - 2);
        strcat(s_f.last_headers, "\n");
    }
    s_f.pending[s_f.n_pending++] = req;
    if (s_f.n_pending > s_f.max_in_flight)
        s_f.max_in_flight = s_f.n_pending;
    return TW_OK;
}

static struct tw_http_request *s_wait(void *ctx, int64_t timeout_ms)
{
    struct tw_http_request *req;
    const struct s_answer *a;

    (void)ctx;
    if (s_f.n_pending == 0) {
        s_f.now += timeout_ms;
        return NULL;
    }
    req = s_f.pending[0];
    for (size_t i = 1; i < s_f.n_pending; i++)
        s_f.pending[i - 1] = s_f.pending[i];
    s_f.n_pending--;
    a = &s_f.script[s_f.next < s_f.n_script ? s_f.next : s_f.n_script - 1];
    s_f.next++;
    s_f.now += 10; /* every exchange takes 10 ms */
    req->rc = a->rc;
    req->status = a->status;
    tw_buf_cleanup(&req->response);
    tw_buf_init(&req->response, req->max_response);
    if (a->body)
        assert_int_equal(tw_buf_append_cstr(&req->response, a->body), TW_OK);
    if (a->rc != TW_OK)
        snprintf(req->error, sizeof(req->error), "scripted failure");
    return req;
}

static const char *s_max_attempts_env;

static const char *s_getenv(const char *name, void *ctx)
{
    (void)ctx;
    if (strcmp(name, "AWS_ENDPOINT_URL") == 0)
        return "http://127.0.0.1:4566";
    if (strcmp(name, "AWS_MAX_ATTEMPTS") == 0)
        return s_max_attempts_env;
    return NULL;
}

static const struct tw_env s_env = { s_getenv, NULL };
static struct tw_creds s_creds;

static void s_setup_client(struct tw_aws *c, const struct s_answer *script, size_t n)
{
    struct tw_transport t = { s_start, s_wait, NULL };

    memset(&s_f, 0, sizeof(s_f));
    s_f.script = script;
    s_f.n_script = n;
    s_f.now = 1767225600000LL; /* 2026-01-01 */
    tw_aws_init(c, t, &s_env, NULL);
    c->now_ms = s_now;
    c->sleep_ms = s_sleep;
    c->creds = &s_creds;
    c->deadline_ms = s_f.now + 60000;
}

static int s_group_setup(void **state)
{
    (void)state;
    return tw_creds_set(&s_creds, "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                        "session-token-value", 0, "test", NULL);
}

static int s_group_teardown(void **state)
{
    (void)state;
    tw_creds_cleanup(&s_creds);
    return 0;
}

#define THROTTLE_JSON "{\"__type\":\"ThrottlingException\",\"message\":\"Rate exceeded\"}"
#define DENIED_JSON "{\"__type\":\"AccessDeniedException\",\"message\":\"no\"}"
#define THROTTLE_XML                                                                      \
    "<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate "      \
    "exceeded</Message></Error><RequestId>r-1</RequestId></ErrorResponse>"

static int s_run_one(struct tw_aws *c, enum tw_service svc, struct tw_aws_call *call)
{
    tw_aws_call_init(call, svc, "us-east-1", "Op");
    call->target = svc == TW_SVC_LOGS ? "Logs_20140328.Op" : NULL;
    assert_int_equal(tw_buf_append_cstr(&call->body, "{}"), TW_OK);
    return tw_aws_run1(c, call, NULL);
}

static void test_success_first_try_and_signed_headers(void **state)
{
    static const struct s_answer script[] = { { TW_OK, 200, "{\"ok\":true}" } };
    struct tw_aws c;
    struct tw_aws_call call;

    (void)state;
    s_setup_client(&c, script, 1);
    assert_int_equal(s_run_one(&c, TW_SVC_LOGS, &call), TW_OK);
    assert_string_equal(tw_buf_cstr(&call.response), "{\"ok\":true}");
    assert_int_equal(call.attempts, 1);
    assert_int_equal(c.stats.requests, 1);
    assert_non_null(strstr(s_f.last_headers, "Host: 127.0.0.1:4566\n"));
    assert_non_null(strstr(s_f.last_headers, "X-Amz-Target: Logs_20140328.Op\n"));
    assert_non_null(strstr(s_f.last_headers, "Content-Type: application/x-amz-json-1.1\n"));
    assert_non_null(strstr(s_f.last_headers, "X-Amz-Security-Token: session-token-value\n"));
    assert_non_null(strstr(s_f.last_headers, "X-Amz-Date: 20260101T000000Z\n"));
    /* Signed for the region it is meant for, though sent to the override. */
    assert_non_null(strstr(s_f.last_headers,
                           "Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/"
                           "us-east-1/logs/aws4_request, SignedHeaders=content-type;host;"
                           "x-amz-date;x-amz-security-token;x-amz-target, Signature="));
    tw_aws_call_cleanup(&call);
}

static void test_throttling_then_success(void **state)
{
    static const struct s_answer script[] = {
        { TW_OK, 400, THROTTLE_JSON },
        { TW_OK, 400, THROTTLE_JSON },
        { TW_OK, 200, "{}" },
    };
    struct tw_aws c;
    struct tw_aws_call call;

    (void)state;
    s_setup_client(&c, script, 3);
    assert_int_equal(s_run_one(&c, TW_SVC_LOGS, &call), TW_OK);
    assert_int_equal(call.attempts, 3);
    assert_int_equal(c.stats.retries, 2);
    assert_int_equal(c.stats.throttled, 2);
    /* Full jitter: the waits are below 1 s then 2 s. */
    assert_true(s_f.slept < 3000);
    tw_aws_call_cleanup(&call);
}

static void test_throttling_forever_gives_up_transient(void **state)
{
    static const struct s_answer script[] = { { TW_OK, 400, THROTTLE_JSON } };
    struct tw_aws c;
    struct tw_aws_call call;

    (void)state;
    s_setup_client(&c, script, 1);
    assert_int_equal(s_run_one(&c, TW_SVC_LOGS, &call), TW_EAWS);
    assert_int_equal(call.attempts, 3); /* AWS_MAX_ATTEMPTS default */
    assert_string_equal(call.err.aws_code, "ThrottlingException");
    assert_string_equal(call.err.operation, "Op");
    assert_string_equal(call.err.service, "logs");
    assert_int_equal(call.err.http_status, 400);
    assert_true(call.err.transient);
    assert_true(tw_aws_failure_is_transient(&call));
    tw_aws_call_cleanup(&call);
}

static void test_access_denied_is_permanent(void **state)
{
    static const struct s_answer script[] = { { TW_OK, 400, DENIED_JSON } };
    struct tw_aws c;
    struct tw_aws_call call;

    (void)state;
    s_setup_client(&c, script, 1);
    assert_int_equal(s_run_one(&c, TW_SVC_LOGS, &call), TW_EAWS);
    assert_int_equal(call.attempts, 1);
    assert_string_equal(call.err.aws_code, "AccessDeniedException");
    assert_false(tw_aws_failure_is_transient(&call));
    tw_aws_call_cleanup(&call);
}

static void test_5xx_and_connection_errors_are_retried(void **state)
{
    static const struct s_answer script[] = {
        { TW_OK, 503, "" },
        { TW_ERR, 0, NULL },
        { TW_OK, 200, "<ok/>" },
    };
    struct tw_aws c;
    struct tw_aws_call call;

    (void)state;
    s_setup_client(&c, script, 3);
    assert_int_equal(s_run_one(&c, TW_SVC_CLOUDWATCH, &call), TW_OK);
    assert_int_equal(call.attempts, 3);
    assert_non_null(strstr(s_f.last_headers,
                           "Content-Type: application/x-www-form-urlencoded; charset=utf-8\n"));
    assert_null(strstr(s_f.last_headers, "X-Amz-Target"));
    tw_aws_call_cleanup(&call);
}

static void test_query_throttling_is_retried(void **state)
{
    static const struct s_answer script[] = {
        { TW_OK, 400, THROTTLE_XML },
        { TW_OK, 200, "<ok/>" },
    };
    struct tw_aws c;
    struct tw_aws_call call;

    (void)state;
    s_setup_client(&c, script, 2);
    assert_int_equal(s_run_one(&c, TW_SVC_SNS, &call), TW_OK);
    assert_int_equal(call.attempts, 2);
    assert_int_equal(c.stats.throttled, 1);
    tw_aws_call_cleanup(&call);
}

static void test_no_retry_past_the_deadline(void **state)
{
    static const struct s_answer script[] = { { TW_OK, 500, "" } };
    struct tw_aws c;
    struct tw_aws_call call;

    (void)state;
    s_setup_client(&c, script, 1);
    /* 400 ms left, 300 of them reserved: no backoff plus attempt fits. */
    c.deadline_ms = s_f.now + 400;
    assert_int_equal(s_run_one(&c, TW_SVC_LOGS, &call), TW_EAWS);
    assert_int_equal(call.attempts, 1);
    assert_true(call.err.transient);
    assert_non_null(strstr(call.err.msg, "deadline"));
    assert_true(s_f.now <= c.deadline_ms);
    tw_aws_call_cleanup(&call);
}

static void test_deadline_already_gone_sends_nothing(void **state)
{
    static const struct s_answer script[] = { { TW_OK, 200, "{}" } };
    struct tw_aws c;
    struct tw_aws_call call;

    (void)state;
    s_setup_client(&c, script, 1);
    c.deadline_ms = s_f.now + 100;
    assert_int_equal(s_run_one(&c, TW_SVC_LOGS, &call), TW_ETIMEOUT);
    assert_int_equal(c.stats.requests, 0);
    assert_true(tw_aws_failure_is_transient(&call));
    tw_aws_call_cleanup(&call);
}

/* A transport failure is not an answer, even if a status line had arrived;
 * a transport timeout means the deadline (requests get all the time left). */
static void test_transport_failures_are_not_answers(void **state)
{
    static const struct s_answer broken[] = { { TW_ERR, 200, NULL } };
    static const struct s_answer slow[] = { { TW_ETIMEOUT, 0, NULL } };
    struct tw_aws c;
    struct tw_aws_call call;

    (void)state;
    s_setup_client(&c, broken, 1);
    assert_int_equal(s_run_one(&c, TW_SVC_LOGS, &call), TW_ERR);
    assert_int_equal(call.attempts, 3);
    assert_int_equal(call.err.http_status, 0);
    assert_true(call.err.transient);
    assert_false(call.err.deadline);
    tw_aws_call_cleanup(&call);

    s_setup_client(&c, slow, 1);
    c.deadline_ms = s_f.now + 60000;
    assert_int_equal(s_run_one(&c, TW_SVC_LOGS, &call), TW_ETIMEOUT);
    assert_int_equal(call.attempts, 1); /* no time was left to retry in */
    assert_true(call.err.deadline);
    assert_true(call.err.transient);
    assert_non_null(strstr(call.err.msg, "no answer before the invocation deadline"));
    tw_aws_call_cleanup(&call);
}

static void test_retry_quota_exhausted(void **state)
{
    static const struct s_answer script[] = { { TW_OK, 503, "" } };
    struct tw_aws c;
    struct tw_aws_call call;

    (void)state;
    s_setup_client(&c, script, 1);
    c.retry_quota = 4; /* a retry costs 5 */
    assert_int_equal(s_run_one(&c, TW_SVC_LOGS, &call), TW_EAWS);
    assert_int_equal(call.attempts, 1);
    assert_non_null(strstr(call.err.msg, "quota"));
    tw_aws_call_cleanup(&call);
}

static int s_pages_left;

static int s_next_page(struct tw_aws_call *call)
{
    if (call->rc != TW_OK || s_pages_left == 0)
        return 0;
    s_pages_left--;
    tw_buf_reset(&call->body);
    return tw_buf_append_cstr(&call->body, "{\"nextToken\":\"t\"}") == TW_OK;
}

static void test_pagination_and_concurrency(void **state)
{
    static const struct s_answer script[] = { { TW_OK, 200, "{}" } };
    struct tw_aws c;
    struct tw_aws_call calls[3];
    struct tw_aws_call *ptrs[3] = { &calls[0], &calls[1], &calls[2] };

    (void)state;
    s_setup_client(&c, script, 1);
    for (int i = 0; i < 3; i++) {
        tw_aws_call_init(&calls[i], TW_SVC_LOGS, "eu-west-1", "Op");
        assert_int_equal(tw_buf_append_cstr(&calls[i].body, "{}"), TW_OK);
    }
    calls[0].on_done = s_next_page;
    s_pages_left = 2;
    assert_int_equal(tw_aws_run(&c, ptrs, 3, NULL), TW_OK);
    for (int i = 0; i < 3; i++)
        assert_int_equal(calls[i].rc, TW_OK);
    assert_int_equal(calls[0].pages, 3);
    assert_int_equal(c.stats.requests, 5);
    /* All three were in flight together; the paged one set the depth. */
    assert_int_equal(s_f.max_in_flight, 3);
    assert_int_equal(c.stats.max_depth, 3);
    for (int i = 0; i < 3; i++)
        tw_aws_call_cleanup(&calls[i]);
}

static void test_max_attempts_from_env(void **state)
{
    static const struct s_answer script[] = { { TW_OK, 503, "" } };
    struct tw_aws c;
    struct tw_aws_call call;

    (void)state;
    s_max_attempts_env = "5";
    s_setup_client(&c, script, 1);
    s_max_attempts_env = NULL;
    assert_int_equal(c.max_attempts, 5);
    assert_int_equal(s_run_one(&c, TW_SVC_LOGS, &call), TW_EAWS);
    assert_int_equal(call.attempts, 5);
    tw_aws_call_cleanup(&call);
    /* Out of range: the default stays. */
    s_max_attempts_env = "0";
    s_setup_client(&c, script, 1);
    s_max_attempts_env = NULL;
    assert_int_equal(c.max_attempts, 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_success_first_try_and_signed_headers),
        cmocka_unit_test(test_throttling_then_success),
        cmocka_unit_test(test_throttling_forever_gives_up_transient),
        cmocka_unit_test(test_access_denied_is_permanent),
        cmocka_unit_test(test_5xx_and_connection_errors_are_retried),
        cmocka_unit_test(test_query_throttling_is_retried),
        cmocka_unit_test(test_no_retry_past_the_deadline),
        cmocka_unit_test(test_deadline_already_gone_sends_nothing),
        cmocka_unit_test(test_transport_failures_are_not_answers),
        cmocka_unit_test(test_retry_quota_exhausted),
        cmocka_unit_test(test_pagination_and_concurrency),
        cmocka_unit_test(test_max_attempts_from_env),
    };
    return cmocka_run_group_tests(tests, s_group_setup, s_group_teardown);
}
