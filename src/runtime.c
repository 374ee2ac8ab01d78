/* runtime.c — Lambda Runtime API client: HTTP/1.1 over one kept-alive
 * loopback socket, parsed by http1.c.
 *
 * Not libcurl: curl_easy_init would initialise libcurl and OpenSSL before the
 * first GET /next, which is most of a cold start. libcurl is for AWS. */
#include "runtime.h"

#include "event.h"
#include "http1.h"
#include "log.h"
#include "timeutil.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#define TW_RUNTIME_PREFIX "/2018-06-01/runtime"
/* Connecting to the loopback Runtime API: fail fast. */
#define TW_RUNTIME_CONNECT_MS 1000
/* A POST (response, error report) and its answer, at most. The /next poll
 * has no limit: see runtime.h. */
#define TW_RUNTIME_POST_MS 10000

struct tw_runtime {
    int fd;          /* -1: not connected */
    char host[256];  /* as in AWS_LAMBDA_RUNTIME_API, for the Host header */
    char name[256];  /* the host part, brackets removed */
    char port[8];
};

/* What one request collects. A POST's answer body is never used: only
 * /next (inv set) keeps its body. */
struct s_exchange {
    struct tw_invocation *inv; /* /next only: headers and body land here */
    struct tw_buf body;
    int overflow;
    int bad_deadline;
};

void tw_invocation_init(struct tw_invocation *inv)
{
    memset(inv, 0, sizeof(*inv));
    tw_buf_init(&inv->event, TW_MAX_EVENT);
}

void tw_invocation_cleanup(struct tw_invocation *inv)
{
    if (!inv)
        return;
    tw_buf_cleanup(&inv->event);
    memset(inv, 0, sizeof(*inv));
}

/* host:port, [v6]:port. */
static int s_split_api(struct tw_runtime *rt, const char *api)
{
    const char *colon, *host = api, *host_end;
    size_t port_len;

    if (api[0] == '[') {
        host = api + 1;
        host_end = strchr(host, ']');
        if (!host_end || host_end[1] != ':')
            return TW_EPARSE;
        colon = host_end + 1;
    } else {
        colon = strrchr(api, ':');
        if (!colon || memchr(api, ':', (size_t)(colon - api)))
            return TW_EPARSE;
        host_end = colon;
    }
    port_len = strlen(colon + 1);
    if (host_end == host || (size_t)(host_end - host) >= sizeof(rt->name) || port_len == 0 ||
        port_len >= sizeof(rt->port) || strspn(colon + 1, "0123456789") != port_len ||
        atol(colon + 1) < 1 || atol(colon + 1) > 65535)
        return TW_EPARSE;
    memcpy(rt->name, host, (size_t)(host_end - host));
    rt->name[host_end - host] = '\0';
    memcpy(rt->port, colon + 1, port_len + 1);
    tw_strlcpy(rt->host, api, sizeof(rt->host));
    return TW_OK;
}

int tw_runtime_new(struct tw_runtime **out, const char *api, struct tw_err *err)
{
    struct tw_runtime *rt;

    *out = NULL;
    rt = calloc(1, sizeof(*rt));
    if (!rt)
        return TW_ENOMEM;
    rt->fd = -1;
    if (!api || !api[0] || strlen(api) > 200 || strpbrk(api, "/ \t\r\n?#@") ||
        s_split_api(rt, api) != TW_OK) {
        tw_err_set(err, "AWS_LAMBDA_RUNTIME_API must be host:port, got \"%.64s\"",
                   api ? api : "");
        free(rt);
        return TW_EPARSE;
    }
    *out = rt;
    return TW_OK;
}

static void s_disconnect(struct tw_runtime *rt)
{
    if (rt->fd >= 0)
        close(rt->fd);
    rt->fd = -1;
}

void tw_runtime_free(struct tw_runtime *rt)
{
    if (!rt)
        return;
    s_disconnect(rt);
    free(rt);
}

/* Milliseconds left before `deadline` (monotonic), or -1 for none. */
static int s_left(int64_t deadline)
{
    int64_t left;

    if (deadline < 0)
        return -1;
    left = deadline - tw_time_mono_ms();
    return left <= 0 ? 0 : left > 60000 ? 60000 : (int)left;
}

/* Waits until fd is ready for `events`; TW_ETIMEOUT past the deadline. */
static int s_wait_fd(int fd, short events, int64_t deadline)
{
    for (;;) {
        struct pollfd p = { fd, events, 0 };
        int left = s_left(deadline), n;

        if (left == 0)
            return TW_ETIMEOUT;
        n = poll(&p, 1, left);
        if (n > 0)
            return TW_OK;
        if (n < 0 && errno != EINTR)
            return TW_ERR;
    }
}

static int s_connect(struct tw_runtime *rt, struct tw_err *err)
{
    struct addrinfo hints, *res = NULL, *ai;
    int gai, fd = -1, rc = TW_ERR, one = 1;
    int64_t deadline = tw_time_mono_ms() + TW_RUNTIME_CONNECT_MS;

    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    gai = getaddrinfo(rt->name, rt->port, &hints, &res);
    if (gai != 0) {
        tw_err_set(err, "Runtime API %s: cannot resolve: %s", rt->host, gai_strerror(gai));
        return TW_ERR;
    }
    for (ai = res; ai; ai = ai->ai_next) {
        int so_err = 0;
        socklen_t len = sizeof(so_err);

        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
        if (fd < 0)
            continue;
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0 ||
            (errno == EINPROGRESS && s_wait_fd(fd, POLLOUT, deadline) == TW_OK &&
             getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_err, &len) == 0 && so_err == 0)) {
            rc = TW_OK;
            break;
        }
        tw_err_set(err, "Runtime API %s: cannot connect: %s", rt->host,
                   strerror(so_err ? so_err : errno ? errno : ETIMEDOUT));
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (rc != TW_OK)
        return TW_ERR;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    rt->fd = fd;
    return TW_OK;
}

static int s_send_all(int fd, struct iovec *iov, int n_iov, int64_t deadline)
{
    while (n_iov > 0) {
        struct msghdr msg;
        ssize_t n;

        memset(&msg, 0, sizeof(msg));
        msg.msg_iov = iov;
        msg.msg_iovlen = (size_t)n_iov;
        n = sendmsg(fd, &msg, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                int rc = s_wait_fd(fd, POLLOUT, deadline);
                if (rc != TW_OK)
                    return rc;
                continue;
            }
            return TW_ERR;
        }
        while (n_iov > 0 && (size_t)n >= iov->iov_len) {
            n -= (ssize_t)iov->iov_len;
            iov++, n_iov--;
        }
        if (n_iov > 0) {
            iov->iov_base = (char *)iov->iov_base + n;
            iov->iov_len -= (size_t)n;
        }
    }
    return TW_OK;
}

static int s_on_body(void *user, const char *data, size_t n)
{
    struct s_exchange *ex = user;

    if (ex->overflow)
        return 0; /* keep reading so the connection stays in step */
    if (tw_buf_append(&ex->body, data, n) != TW_OK) {
        ex->overflow = 1;
        tw_buf_cleanup(&ex->body);
    }
    return 0;
}

static int s_on_header(void *user, const char *line, size_t n)
{
    struct s_exchange *ex = user;
    struct tw_invocation *inv = ex->inv;
    char deadline[32];

    if (!inv)
        return 0;
    if (tw_http_header_value(deadline, sizeof(deadline), line, n, "Lambda-Runtime-Deadline-Ms")) {
        char *end;
        long long v = strtoll(deadline, &end, 10);
        if (end == deadline || *end != '\0' || v <= 0)
            ex->bad_deadline = 1;
        else
            inv->deadline_ms = v;
        return 0;
    }
    if (!tw_http_header_value(inv->request_id, sizeof(inv->request_id), line, n,
                              "Lambda-Runtime-Aws-Request-Id") &&
        !tw_http_header_value(inv->function_arn, sizeof(inv->function_arn), line, n,
                              "Lambda-Runtime-Invoked-Function-Arn"))
        tw_http_header_value(inv->trace_id, sizeof(inv->trace_id), line, n,
                             "Lambda-Runtime-Trace-Id");
    return 0;
}

/* Reads one response into `ex`. *got_any: a byte of it arrived. */
static int s_read_response(struct tw_runtime *rt, struct s_exchange *ex, long *status,
                           int64_t deadline, int *got_any, struct tw_err *err)
{
    struct tw_http1_response resp;
    char buf[16384];
    int rc;

    memset(&resp, 0, offsetof(struct tw_http1_response, line_));
    resp.on_header = s_on_header;
    resp.on_body = ex->inv ? s_on_body : NULL; /* NULL: read and discarded */
    resp.user = ex;
    tw_http1_response_init(&resp);
    *got_any = 0;
    while (!resp.done) {
        ssize_t n = recv(rt->fd, buf, sizeof(buf), 0);
        size_t used;

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if ((rc = s_wait_fd(rt->fd, POLLIN, deadline)) != TW_OK) {
                tw_err_set(err, rc == TW_ETIMEOUT ? "no answer in time" : "poll: %s",
                           strerror(errno));
                return rc;
            }
            continue;
        }
        if (n < 0) {
            tw_err_set(err, "%s", strerror(errno));
            return TW_ERR;
        }
        if (n == 0) {
            if ((rc = tw_http1_eof(&resp, err)) != TW_OK)
                return rc;
            break;
        }
        *got_any = 1;
        if ((rc = tw_http1_feed(&resp, buf, (size_t)n, &used, err)) != TW_OK)
            return rc;
        if (used < (size_t)n) {
            tw_err_set(err, "%zd bytes after the end of the HTTP response", n - (ssize_t)used);
            return TW_EPARSE;
        }
    }
    *status = resp.status;
    if (!resp.keep_alive)
        s_disconnect(rt);
    return TW_OK;
}

/* One request and its answer. A kept-alive connection the Runtime API has
 * closed meanwhile is detected by a failed send or an answer that never
 * began; then, and only then, the request goes once more on a new one. */
static int s_exchange(struct tw_runtime *rt, const char *what, const char *head, struct tw_span body,
                      struct s_exchange *ex, long *status, int64_t deadline, struct tw_err *err)
{
    for (int attempt = 0;; attempt++) {
        struct iovec iov[2];
        int fresh = rt->fd < 0, got_any = 0, rc;

        if (fresh && s_connect(rt, err) != TW_OK) {
            err->transient = 1;
            return TW_ERR;
        }
        iov[0].iov_base = (void *)(uintptr_t)head;
        iov[0].iov_len = strlen(head);
        iov[1].iov_base = (void *)(uintptr_t)body.ptr;
        iov[1].iov_len = body.len;
        rc = s_send_all(rt->fd, iov, body.len ? 2 : 1, deadline);
        if (rc == TW_OK)
            rc = s_read_response(rt, ex, status, deadline, &got_any, err);
        else
            tw_err_set(err, rc == TW_ETIMEOUT ? "sending timed out" : "send: %s", strerror(errno));
        if (rc == TW_OK)
            return TW_OK;
        s_disconnect(rt);
        if (fresh || got_any || attempt > 0 || rc == TW_ETIMEOUT) {
            tw_err_prefix(err, "Runtime API %s: ", what);
            err->transient = 1;
            return TW_ERR;
        }
        tw_log(TW_LOG_DEBUG, "Runtime API connection was closed; reconnecting");
    }
}

int tw_runtime_next(struct tw_runtime *rt, struct tw_invocation *inv, struct tw_err *err)
{
    struct s_exchange ex;
    char head[512];
    long status = 0;
    int rc;

    tw_invocation_cleanup(inv);
    tw_invocation_init(inv);
    memset(&ex, 0, sizeof(ex));
    ex.inv = inv;
    /* The event goes straight into the invocation's buffer. */
    ex.body = inv->event;
    snprintf(head, sizeof(head),
             "GET " TW_RUNTIME_PREFIX "/invocation/next HTTP/1.1\r\nHost: %s\r\n"
             "User-Agent: trailwatch/" TW_VERSION "\r\n\r\n",
             rt->host);
    /* No deadline: see the header comment. */
    rc = s_exchange(rt, "GET /invocation/next", head, TW_SPAN_LIT(""), &ex, &status, -1, err);
    inv->event = ex.body;
    inv->event_too_big = ex.overflow;
    if (rc != TW_OK)
        return rc;
    err->http_status = status;
    if (status != 200) {
        tw_err_set(err, "Runtime API GET /invocation/next answered HTTP %ld", status);
        return TW_ERR;
    }
    if (!inv->request_id[0]) {
        tw_err_set(err, "Runtime API sent an invocation without Lambda-Runtime-Aws-Request-Id");
        return TW_EPARSE;
    }
    /* The id goes into the URL of our answer: accept only what ids look like. */
    if (strspn(inv->request_id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.") !=
        strlen(inv->request_id)) {
        tw_err_set(err, "Runtime API sent a malformed Lambda-Runtime-Aws-Request-Id");
        inv->request_id[0] = '\0';
        return TW_EPARSE;
    }
    if (ex.bad_deadline) {
        tw_err_set(err, "Runtime API sent an invalid Lambda-Runtime-Deadline-Ms");
        return TW_EPARSE;
    }
    return TW_OK;
}

static int s_post(struct tw_runtime *rt, const char *path, struct tw_span body,
                  const char *error_type, struct tw_err *err)
{
    struct s_exchange ex;
    char head[1024], what[300];
    long status = 0;
    int rc;

    memset(&ex, 0, sizeof(ex));
    snprintf(head, sizeof(head),
             "POST " TW_RUNTIME_PREFIX "%s HTTP/1.1\r\nHost: %s\r\n"
             "User-Agent: trailwatch/" TW_VERSION "\r\n"
             "Content-Type: application/json\r\nContent-Length: %zu\r\n"
             "%s%s%s\r\n",
             path, rt->host, body.len, error_type ? "Lambda-Runtime-Function-Error-Type: " : "",
             error_type ? error_type : "", error_type ? "\r\n" : "");
    snprintf(what, sizeof(what), "POST %s", path);
    rc = s_exchange(rt, what, head, body, &ex, &status, tw_time_mono_ms() + TW_RUNTIME_POST_MS,
                    err);
    if (rc != TW_OK)
        return rc;
    err->http_status = status;
    if (status == 202 || status == 200)
        return TW_OK;
    if (status == 413) {
        tw_err_set(err, "Runtime API refused the response as too large (HTTP 413)");
        return TW_ETOOBIG;
    }
    tw_err_set(err, "Runtime API POST %s answered HTTP %ld", path, status);
    return TW_ERR;
}

int tw_runtime_respond(struct tw_runtime *rt, const char *request_id, struct tw_span body,
                       struct tw_err *err)
{
    char path[256];

    snprintf(path, sizeof(path), "/invocation/%s/response", request_id);
    return s_post(rt, path, body, NULL, err);
}

char *tw_runtime_error_body(const char *error_type, const char *message)
{
    cJSON *obj = cJSON_CreateObject();
    char *text = NULL;

    if (!obj)
        return NULL;
    if (cJSON_AddStringToObject(obj, "errorMessage", message ? message : "") &&
        cJSON_AddStringToObject(obj, "errorType", error_type) &&
        cJSON_AddArrayToObject(obj, "stackTrace"))
        text = cJSON_PrintUnformatted(obj);
    cJSON_Delete(obj);
    return text;
}

static int s_post_error(struct tw_runtime *rt, const char *path, const char *error_type,
                        const char *message, struct tw_err *err)
{
    char *body = tw_runtime_error_body(error_type, message);
    int rc;

    if (!body) {
        tw_err_set(err, "out of memory building the error document");
        return TW_ENOMEM;
    }
    rc = s_post(rt, path, tw_span_cstr(body), error_type, err);
    cJSON_free(body);
    return rc;
}

int tw_runtime_report_error(struct tw_runtime *rt, const char *request_id, const char *error_type,
                            const char *message, struct tw_err *err)
{
    char path[256];

    snprintf(path, sizeof(path), "/invocation/%s/error", request_id);
    return s_post_error(rt, path, error_type, message, err);
}

int tw_runtime_init_error(struct tw_runtime *rt, const char *error_type, const char *message,
                          struct tw_err *err)
{
    return s_post_error(rt, "/init/error", error_type, message, err);
}
