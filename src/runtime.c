/* runtime.c — Lambda Runtime API client over one reused libcurl handle. */
#include "runtime.h"

#include "event.h"
#include "http.h"
#include "log.h"

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define TW_RUNTIME_PREFIX "/2018-06-01/runtime"

struct tw_runtime {
    CURL *curl;
    char base[300]; /* http://host:port/2018-06-01/runtime */
};

/* What one request collects. */
struct s_exchange {
    struct tw_invocation *inv; /* /next only: headers land here */
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

int tw_runtime_new(struct tw_runtime **out, const char *api, struct tw_err *err)
{
    struct tw_runtime *rt;

    *out = NULL;
    if (!api || !api[0] || strlen(api) > 200 || strpbrk(api, "/ \t\r\n?#@")) {
        tw_err_set(err, "AWS_LAMBDA_RUNTIME_API must be host:port, got \"%.64s\"",
                   api ? api : "");
        return TW_EPARSE;
    }
    rt = calloc(1, sizeof(*rt));
    if (!rt)
        return TW_ENOMEM;
    snprintf(rt->base, sizeof(rt->base), "http://%s" TW_RUNTIME_PREFIX, api);
    rt->curl = curl_easy_init();
    if (!rt->curl) {
        free(rt);
        tw_err_set(err, "curl_easy_init failed");
        return TW_ENOMEM;
    }
    *out = rt;
    return TW_OK;
}

void tw_runtime_free(struct tw_runtime *rt)
{
    if (!rt)
        return;
    curl_easy_cleanup(rt->curl);
    free(rt);
}

static size_t s_on_body(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    struct s_exchange *ex = userdata;
    size_t n = size * nmemb;

    if (ex->overflow)
        return n; /* keep reading so the connection stays in step */
    if (tw_buf_append(&ex->body, ptr, n) != TW_OK) {
        ex->overflow = 1;
        tw_buf_cleanup(&ex->body);
    }
    return n;
}

static size_t s_on_header(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    struct s_exchange *ex = userdata;
    size_t n = size * nmemb;
    struct tw_invocation *inv = ex->inv;
    char deadline[32];

    if (!inv)
        return n;
    if (tw_http_header_value(deadline, sizeof(deadline), ptr, n, "Lambda-Runtime-Deadline-Ms")) {
        char *end;
        long long v = strtoll(deadline, &end, 10);
        if (end == deadline || *end != '\0' || v <= 0)
            ex->bad_deadline = 1;
        else
            inv->deadline_ms = v;
        return n;
    }
    if (!tw_http_header_value(inv->request_id, sizeof(inv->request_id), ptr, n,
                              "Lambda-Runtime-Aws-Request-Id") &&
        !tw_http_header_value(inv->function_arn, sizeof(inv->function_arn), ptr, n,
                              "Lambda-Runtime-Invoked-Function-Arn"))
        tw_http_header_value(inv->trace_id, sizeof(inv->trace_id), ptr, n,
                             "Lambda-Runtime-Trace-Id");
    return n;
}

static void s_common_opts(CURL *h, const char *url, struct s_exchange *ex)
{
    curl_easy_reset(h);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    /* The Runtime API is local: never through a proxy from the environment. */
    curl_easy_setopt(h, CURLOPT_PROXY, "");
    curl_easy_setopt(h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 1000L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, s_on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, ex);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, s_on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, ex);
}

static int s_perform(struct tw_runtime *rt, const char *what, long *status, struct tw_err *err)
{
    CURLcode cc = curl_easy_perform(rt->curl);

    *status = 0;
    if (cc != CURLE_OK) {
        tw_err_set(err, "Runtime API %s: %s", what, curl_easy_strerror(cc));
        err->transient = 1;
        return TW_ERR;
    }
    curl_easy_getinfo(rt->curl, CURLINFO_RESPONSE_CODE, status);
    if (err)
        err->http_status = *status;
    return TW_OK;
}

int tw_runtime_next(struct tw_runtime *rt, struct tw_invocation *inv, struct tw_err *err)
{
    struct s_exchange ex;
    char url[400];
    long status;
    int rc;

    tw_invocation_cleanup(inv);
    tw_invocation_init(inv);
    memset(&ex, 0, sizeof(ex));
    ex.inv = inv;
    /* The event goes straight into the invocation's buffer. */
    ex.body = inv->event;
    snprintf(url, sizeof(url), "%s/invocation/next", rt->base);
    s_common_opts(rt->curl, url, &ex);
    /* No total timeout: see the header comment. */
    curl_easy_setopt(rt->curl, CURLOPT_TIMEOUT, 0L);
    rc = s_perform(rt, "GET /invocation/next", &status, err);
    inv->event = ex.body;
    inv->event_too_big = ex.overflow;
    if (rc != TW_OK)
        return rc;
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
    struct curl_slist *hdrs = NULL;
    char url[600], type_hdr[128];
    long status;
    int rc;

    memset(&ex, 0, sizeof(ex));
    tw_buf_init(&ex.body, 64 * 1024);
    snprintf(url, sizeof(url), "%s%s", rt->base, path);
    s_common_opts(rt->curl, url, &ex);
    curl_easy_setopt(rt->curl, CURLOPT_TIMEOUT_MS, 10000L);
    curl_easy_setopt(rt->curl, CURLOPT_POST, 1L);
    curl_easy_setopt(rt->curl, CURLOPT_POSTFIELDS, body.ptr);
    curl_easy_setopt(rt->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body.len);
    hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
    hdrs = curl_slist_append(hdrs, "Expect:");
    hdrs = curl_slist_append(hdrs, "Transfer-Encoding:");
    if (error_type) {
        snprintf(type_hdr, sizeof(type_hdr), "Lambda-Runtime-Function-Error-Type: %s",
                 error_type);
        hdrs = curl_slist_append(hdrs, type_hdr);
    }
    curl_easy_setopt(rt->curl, CURLOPT_HTTPHEADER, hdrs);
    rc = s_perform(rt, path, &status, err);
    curl_slist_free_all(hdrs);
    tw_buf_cleanup(&ex.body);
    if (rc != TW_OK)
        return rc;
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
