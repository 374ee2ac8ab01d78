/* aws.c — signing, concurrency, retries and errors for AWS calls (aws.h). */
#include "aws.h"

#include "awsproto.h"
#include "log.h"
#include "sigv4.h"
#include "timeutil.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Standard retry mode (PROTOCOLS.md §8). */
#define TW_RETRY_QUOTA_MAX 500
#define TW_RETRY_COST 5
#define TW_RETRY_COST_TIMEOUT 10
#define TW_RETRY_MAX_BACKOFF_MS 20000
/* A retry is only started if at least this much time would remain for it. */
#define TW_RETRY_MIN_ATTEMPT_MS 250

enum s_state { S_IDLE = 0, S_WAITING, S_IN_FLIGHT, S_DONE };

void tw_aws_call_init(struct tw_aws_call *call, enum tw_service service, const char *region,
                      const char *operation)
{
    memset(call, 0, sizeof(*call));
    call->service = service;
    tw_strlcpy(call->region, region ? region : "", sizeof(call->region));
    call->operation = operation;
    tw_buf_init(&call->body, TW_AWS_MAX_BODY);
    tw_buf_init(&call->response, 0);
    tw_http_request_init(&call->http_);
}

static void s_free_lines(struct tw_aws_call *call)
{
    for (size_t i = 0; i < TW_ARRAY_LEN(call->lines_); i++) {
        if (call->lines_[i]) {
            /* Authorization and token lines are credentials. */
            OPENSSL_cleanse(call->lines_[i], strlen(call->lines_[i]));
            free(call->lines_[i]);
            call->lines_[i] = NULL;
        }
    }
}

void tw_aws_call_cleanup(struct tw_aws_call *call)
{
    if (!call)
        return;
    s_free_lines(call);
    tw_buf_cleanup(&call->body);
    tw_http_request_cleanup(&call->http_);
    tw_buf_init(&call->response, 0);
}

static int64_t s_default_now(void)
{
    return tw_time_now_ms();
}

void tw_aws_init(struct tw_aws *c, struct tw_transport transport, const struct tw_env *env,
                 const struct tw_profile *profile)
{
    const char *mode = tw_env_get(env, "AWS_RETRY_MODE");
    const char *attempts = tw_env_get(env, "AWS_MAX_ATTEMPTS");
    long v;
    char *end;

    memset(c, 0, sizeof(*c));
    c->transport = transport;
    c->env = env;
    c->profile = profile;
    c->now_ms = s_default_now;
    /* botocore: legacy mode defaults to 5 attempts, standard and adaptive to 3. */
    c->max_attempts = mode && strcasecmp(mode, "legacy") == 0 ? 5 : 3;
    if (!attempts && profile)
        attempts = tw_profile_get(profile, "max_attempts");
    if (attempts) {
        v = strtol(attempts, &end, 10);
        if (*end == '\0' && v >= 1 && v <= 20)
            c->max_attempts = (int)v;
        else
            tw_log_kv(TW_LOG_WARN, "AWS_MAX_ATTEMPTS ignored (expected 1 to 20)", "value",
                      attempts, NULL);
    }
    c->retry_quota = TW_RETRY_QUOTA_MAX;
    if (RAND_bytes((unsigned char *)&c->rng, sizeof(c->rng)) != 1 || c->rng == 0)
        c->rng = (uint64_t)tw_time_mono_ms() | 1u;
}

/* xorshift64*: jitter needs no cryptographic strength. */
static double s_rand01(struct tw_aws *c)
{
    uint64_t x = c->rng;

    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    c->rng = x;
    return (double)((x * 0x2545F4914F6CDD1DULL) >> 11) / 9007199254740992.0;
}

static int s_is_json(enum tw_service s)
{
    return s == TW_SVC_CLOUDTRAIL || s == TW_SVC_LOGS || s == TW_SVC_CONFIG;
}

static char *s_line(const char *name, struct tw_span value)
{
    struct tw_buf b;

    tw_buf_init(&b, 64 * 1024);
    if (tw_buf_printf(&b, "%s: %.*s", name, (int)value.len, value.ptr) != TW_OK) {
        tw_buf_cleanup_secure(&b);
        return NULL;
    }
    return tw_buf_detach(&b);
}

/* Builds URL and signed headers for the next attempt of `call`. */
static int s_prepare(struct tw_aws *c, struct tw_aws_call *call, struct tw_err *err)
{
    const struct tw_creds *creds = call->creds ? call->creds : c->creds;
    struct tw_endpoint ep;
    struct tw_sigv4_header hdrs[3];
    struct tw_sigv4_header added[TW_SIGV4_ADDED_MAX];
    struct tw_sigv4_request sreq;
    struct tw_sigv4_params sp;
    struct tw_sigv4_result res;
    const char *ctype = s_is_json(call->service) ? "application/x-amz-json-1.1"
                                                 : "application/x-www-form-urlencoded; charset=utf-8";
    size_t n = 0, n_added;
    int rc;

    s_free_lines(call);
    tw_sigv4_result_init(&res);
    if (!creds) {
        tw_err_set(err, "no AWS credentials");
        return TW_ERR;
    }
    rc = tw_endpoint_resolve(&ep, call->service, call->region, c->env, c->profile, err);
    if (rc != TW_OK)
        return rc;
    if (tw_strlcpy(call->url_, ep.url, sizeof(call->url_) - 1)) {
        tw_err_set(err, "endpoint URL too long");
        return TW_ETOOBIG;
    }
    memcpy(call->url_ + strlen(call->url_), "/", 2);
    hdrs[n++] = (struct tw_sigv4_header){ TW_SPAN_LIT("Host"), tw_span_cstr(ep.host) };
    hdrs[n++] = (struct tw_sigv4_header){ TW_SPAN_LIT("Content-Type"), tw_span_cstr(ctype) };
    if (call->target)
        hdrs[n++] = (struct tw_sigv4_header){ TW_SPAN_LIT("X-Amz-Target"),
                                              tw_span_cstr(call->target) };
    memset(&sreq, 0, sizeof(sreq));
    sreq.method = TW_SPAN_LIT("POST");
    sreq.path = TW_SPAN_LIT("/");
    sreq.headers = hdrs;
    sreq.n_headers = n;
    sreq.body = tw_buf_span(&call->body);
    memset(&sp, 0, sizeof(sp));
    sp.region = tw_span_cstr(ep.signing_region);
    sp.service = tw_span_cstr(ep.signing_name);
    sp.creds = creds;
    sp.now = (time_t)(c->now_ms() / 1000);
    sp.normalize_path = 1;
    rc = tw_sigv4_sign(&res, &sreq, &sp, err);
    if (rc != TW_OK)
        goto out;
    n_added = tw_sigv4_result_headers(added, &res);
    rc = TW_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        char name[64];
        snprintf(name, sizeof(name), "%.*s", (int)hdrs[i].name.len, hdrs[i].name.ptr);
        if (!(call->lines_[i] = s_line(name, hdrs[i].value)))
            goto out;
    }
    for (size_t i = 0; i < n_added; i++) {
        char name[64];
        snprintf(name, sizeof(name), "%.*s", (int)added[i].name.len, added[i].name.ptr);
        if (!(call->lines_[n + i] = s_line(name, added[i].value)))
            goto out;
    }
    call->http_.url = call->url_;
    call->http_.headers = (const char *const *)call->lines_;
    call->http_.n_headers = n + n_added;
    call->http_.body = tw_buf_span(&call->body);
    call->http_.max_response = TW_AWS_MAX_RESPONSE;
    call->http_.user = call;
    rc = TW_OK;
out:
    tw_sigv4_result_cleanup(&res);
    return rc;
}

int tw_aws_failure_is_transient(const struct tw_aws_call *call)
{
    if (call->rc == TW_OK)
        return 0;
    if (call->rc != TW_EAWS)
        return 1;
    return call->err.transient || tw_aws_error_is_bad_credentials(call->err.aws_code);
}

/* AWS error messages are logged and returned: keep credentials out of them.
 * Signature errors of several services quote the canonical request, whose
 * x-amz-security-token line holds the session token: cut the message where
 * such a quote begins, and anywhere a credential (or its first 12
 * characters) appears. */
static void s_redact(char *msg, size_t size, const struct tw_creds *creds)
{
    static const char *const quotes[] = { "canonical", "x-amz-security-token", "authorization:",
                                          "string to sign", "string-to-sign" };
    const char *secrets[3] = { NULL, NULL, NULL };
    char *cut = NULL;

    for (size_t i = 0; i < TW_ARRAY_LEN(quotes); i++) {
        char *p = strcasestr(msg, quotes[i]);
        if (p && (!cut || p < cut))
            cut = p;
    }
    if (creds) {
        secrets[0] = creds->secret_access_key;
        secrets[1] = creds->session_token;
    }
    for (size_t i = 0; i < TW_ARRAY_LEN(secrets); i++) {
        char probe[13];
        char *p;

        if (!secrets[i] || strlen(secrets[i]) < sizeof(probe) - 1)
            continue;
        memcpy(probe, secrets[i], sizeof(probe) - 1);
        probe[sizeof(probe) - 1] = '\0';
        p = strstr(msg, probe);
        if (p && (!cut || p < cut))
            cut = p;
    }
    if (cut)
        tw_strlcpy(cut, "[redacted]", size - (size_t)(cut - msg));
}

/* Fills call->rc and call->err from the finished attempt. Returns 1 when the
 * failure may be retried. */
static int s_classify(struct tw_aws *c, struct tw_aws_call *call)
{
    struct tw_http_request *h = &call->http_;
    struct tw_err *e = &call->err;
    struct tw_span body = tw_buf_span(&h->response);

    tw_err_clear(e);
    tw_strlcpy(e->service, tw_endpoint_service_info(call->service)->signing_name, sizeof(e->service));
    tw_strlcpy(e->operation, call->operation, sizeof(e->operation));
    e->http_status = h->status;
    tw_strlcpy(e->request_id, h->request_id, sizeof(e->request_id));
    if (h->rc != TW_OK) {
        /* A status line may have arrived before the connection broke: that
         * is still a network failure, not an answer. */
        e->http_status = 0;
        call->rc = h->rc;
        /* An untrusted certificate stays untrusted: no retry, no "later". */
        e->transient = h->rc != TW_ETOOBIG && !h->untrusted;
        if (h->rc == TW_ETIMEOUT) {
            /* The request had all the time left before the deadline. */
            e->deadline = 1;
            tw_err_set(e, "no answer before the invocation deadline (%s)",
                       h->error[0] ? h->error : "timed out");
        } else {
            tw_err_set(e, "%s", h->error[0] ? h->error : "request failed");
        }
        return h->rc == TW_ERR && !h->untrusted; /* connection errors; a timeout had all the time */
    }
    if (h->status >= 200 && h->status < 300) {
        call->rc = TW_OK;
        return 0;
    }
    call->rc = TW_EAWS;
    if ((s_is_json(call->service) ? tw_aws_parse_json_error(e, body)
                                  : tw_aws_parse_query_error(e, body)) != TW_OK)
        tw_err_set(e, "HTTP %ld with an unreadable error body", h->status);
    if (!e->request_id[0])
        tw_strlcpy(e->request_id, h->request_id, sizeof(e->request_id));
    s_redact(e->msg, sizeof(e->msg), call->creds ? call->creds : c->creds);
    e->transient = h->status >= 500 || h->status == 429 ||
                   (e->aws_code[0] && tw_aws_error_is_retryable(e->aws_code));
    return e->transient;
}

static int64_t s_remaining(const struct tw_aws *c)
{
    if (!c->deadline_ms)
        return 3600 * 1000;
    return c->deadline_ms - TW_AWS_DEADLINE_RESERVE_MS - c->now_ms();
}

/* Sends the next attempt; on local failure finishes the call. */
static void s_send(struct tw_aws *c, struct tw_aws_call *call)
{
    int64_t left = s_remaining(c);
    int rc;

    if (left <= 0) {
        call->rc = TW_ETIMEOUT;
        call->err.transient = 1;
        call->err.deadline = 1;
        tw_err_set(&call->err, "the invocation deadline left no time for this request");
        call->state_ = S_DONE;
        return;
    }
    tw_err_clear(&call->err);
    rc = s_prepare(c, call, &call->err);
    if (rc == TW_OK) {
        call->http_.timeout_ms = left;
        rc = c->transport.start(c->transport.ctx, &call->http_, &call->err);
    }
    if (rc != TW_OK) {
        call->rc = rc;
        tw_strlcpy(call->err.service, tw_endpoint_service_info(call->service)->signing_name,
                   sizeof(call->err.service));
        tw_strlcpy(call->err.operation, call->operation, sizeof(call->err.operation));
        call->state_ = S_DONE;
        return;
    }
    call->attempts++;
    c->stats.requests++;
    call->state_ = S_IN_FLIGHT;
}

/* Standard mode: full jitter, capped, paid for from the retry quota, and
 * only when the retry can still finish before the deadline. */
static int s_schedule_retry(struct tw_aws *c, struct tw_aws_call *call)
{
    int cost = call->rc == TW_ETIMEOUT ? TW_RETRY_COST_TIMEOUT : TW_RETRY_COST;
    int64_t cap, delay;

    if (call->attempts >= c->max_attempts)
        return 0;
    if (c->retry_quota < cost) {
        tw_err_prefix(&call->err, "retry quota exhausted");
        return 0;
    }
    cap = (int64_t)1000 << (call->attempts - 1 < 5 ? call->attempts - 1 : 5);
    if (cap > TW_RETRY_MAX_BACKOFF_MS)
        cap = TW_RETRY_MAX_BACKOFF_MS;
    delay = (int64_t)(s_rand01(c) * (double)cap);
    if (delay + TW_RETRY_MIN_ATTEMPT_MS > s_remaining(c)) {
        tw_err_prefix(&call->err, "no retry: it could not finish before the deadline");
        return 0;
    }
    c->retry_quota -= cost;
    call->retry_cost_ = cost;
    call->not_before_ms_ = c->now_ms() + delay;
    call->state_ = S_WAITING;
    c->stats.retries++;
    if (call->err.aws_code[0] && tw_aws_error_is_throttling(call->err.aws_code))
        c->stats.throttled++;
    tw_log_kv(TW_LOG_DEBUG, "retrying", "operation", call->operation, "region", call->region,
              "code", call->err.aws_code[0] ? call->err.aws_code : NULL, "error", call->err.msg,
              NULL);
    return 1;
}

static void s_finish_attempt(struct tw_aws *c, struct tw_aws_call *call)
{
    int retryable = s_classify(c, call);

    if (call->rc == TW_OK) {
        /* A success refunds what its retry cost, or one token. */
        c->retry_quota += call->retry_cost_ ? call->retry_cost_ : 1;
        if (c->retry_quota > TW_RETRY_QUOTA_MAX)
            c->retry_quota = TW_RETRY_QUOTA_MAX;
        call->retry_cost_ = 0;
        call->response = call->http_.response;
        call->pages++;
        if (call->on_done && call->on_done(call) == 1) {
            call->attempts = 0;
            call->state_ = S_IDLE; /* next page */
            return;
        }
        call->state_ = S_DONE;
        return;
    }
    if (retryable && s_schedule_retry(c, call))
        return;
    call->state_ = S_DONE;
    if (call->on_done)
        call->on_done(call);
}

int tw_aws_run(struct tw_aws *c, struct tw_aws_call *const *calls, size_t n, struct tw_err *err)
{
    size_t open = n;
    int *sends = calloc(n ? n : 1, sizeof(int)); /* sequential sends per call: depth */
    int depth = 0;

    if (!sends) {
        tw_err_set(err, "out of memory");
        return TW_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        calls[i]->state_ = S_IDLE;
        calls[i]->attempts = 0;
        calls[i]->pages = 0;
        calls[i]->retry_cost_ = 0;
    }
    while (open > 0) {
        int64_t now = c->now_ms(), wait_ms = 60000;
        struct tw_http_request *done;
        int in_flight = 0;

        for (size_t i = 0; i < n; i++) {
            struct tw_aws_call *call = calls[i];
            if (call->state_ == S_WAITING && now >= call->not_before_ms_)
                call->state_ = S_IDLE;
            if (call->state_ == S_IDLE) {
                s_send(c, call);
                if (call->state_ == S_IN_FLIGHT && ++sends[i] > depth)
                    depth = sends[i];
                if (call->state_ == S_DONE)
                    open--;
            }
            if (call->state_ == S_IN_FLIGHT)
                in_flight++;
            if (call->state_ == S_WAITING && call->not_before_ms_ - now < wait_ms)
                wait_ms = call->not_before_ms_ - now;
        }
        if (open == 0)
            break;
        if (!in_flight) {
            /* Only backoff timers are pending. */
            if (wait_ms > 0) {
                if (c->sleep_ms)
                    c->sleep_ms(wait_ms);
                else
                    c->transport.wait(c->transport.ctx, wait_ms);
            }
            continue;
        }
        done = c->transport.wait(c->transport.ctx, wait_ms < 1 ? 1 : wait_ms);
        if (!done)
            continue;
        for (size_t i = 0; i < n; i++) {
            if (&calls[i]->http_ == done) {
                s_finish_attempt(c, calls[i]);
                if (calls[i]->state_ == S_DONE)
                    open--;
                break;
            }
        }
    }
    free(sends);
    if (c->depth_base + depth > c->stats.max_depth)
        c->stats.max_depth = c->depth_base + depth;
    c->depth_base += depth;
    return TW_OK;
}

int tw_aws_run1(struct tw_aws *c, struct tw_aws_call *call, struct tw_err *err)
{
    struct tw_aws_call *one[1] = { call };
    int rc = tw_aws_run(c, one, 1, err);

    if (rc != TW_OK)
        return rc;
    if (call->rc != TW_OK && err)
        *err = call->err;
    return call->rc;
}
