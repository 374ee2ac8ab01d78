/* http.c — the libcurl multi transport (see http.h). */
#include "http.h"

#include "log.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* At most this many parallel connections to one host (AWS service endpoint). */
#define TW_HTTP_MAX_HOST_CONNECTIONS 8L
/* The CA store is parsed once and kept this long (seconds). */
#define TW_HTTP_CA_CACHE_SECONDS (24L * 3600L)

struct tw_http {
    CURLM *multi;
    char *ca_bundle; /* NULL: no HTTPS */
    long connections;
};

struct s_easy {
    CURL *curl;
    struct curl_slist *headers;
    struct tw_http_request *req;
    int overflow;
};

void tw_http_request_init(struct tw_http_request *req)
{
    memset(req, 0, sizeof(*req));
    tw_buf_init(&req->response, 0);
}

void tw_http_request_cleanup(struct tw_http_request *req)
{
    if (!req)
        return;
    tw_buf_cleanup(&req->response);
}

static char *s_pick_ca_bundle(void)
{
    static const char *const env_names[] = { "AWS_CA_BUNDLE", "SSL_CERT_FILE" };
    static const char *const paths[] = {
        "/etc/pki/tls/certs/ca-bundle.crt",   /* Amazon Linux, provided.al2023 */
        "/etc/ssl/certs/ca-certificates.crt", /* Debian, Ubuntu */
    };

    for (size_t i = 0; i < TW_ARRAY_LEN(env_names); i++) {
        const char *v = getenv(env_names[i]);
        if (v && v[0]) {
            tw_log_kv(TW_LOG_DEBUG, "CA bundle", "path", v, "from", env_names[i], NULL);
            return tw_strdup(v);
        }
    }
    for (size_t i = 0; i < TW_ARRAY_LEN(paths); i++) {
        if (access(paths[i], R_OK) == 0) {
            tw_log_kv(TW_LOG_DEBUG, "CA bundle", "path", paths[i], NULL);
            return tw_strdup(paths[i]);
        }
    }
    tw_log(TW_LOG_WARN, "no CA bundle found (set AWS_CA_BUNDLE): HTTPS requests will be refused");
    return NULL;
}

int tw_http_new(struct tw_http **out, struct tw_err *err)
{
    struct tw_http *h = calloc(1, sizeof(*h));

    *out = NULL;
    if (!h)
        return TW_ENOMEM;
    h->multi = curl_multi_init();
    if (!h->multi) {
        free(h);
        tw_err_set(err, "curl_multi_init failed");
        return TW_ENOMEM;
    }
    curl_multi_setopt(h->multi, CURLMOPT_MAX_HOST_CONNECTIONS, TW_HTTP_MAX_HOST_CONNECTIONS);
    h->ca_bundle = s_pick_ca_bundle();
    *out = h;
    return TW_OK;
}

void tw_http_free(struct tw_http *h)
{
    if (!h)
        return;
    curl_multi_cleanup(h->multi);
    free(h->ca_bundle);
    free(h);
}

const char *tw_http_ca_bundle(const struct tw_http *h)
{
    return h->ca_bundle;
}

long tw_http_connections_opened(const struct tw_http *h)
{
    return h->connections;
}

static size_t s_on_body(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    struct s_easy *e = userdata;
    size_t n = size * nmemb;

    if (tw_buf_append(&e->req->response, ptr, n) != TW_OK) {
        e->overflow = 1;
        return 0; /* aborts the transfer */
    }
    return n;
}

static int s_header_value(const char *line, size_t len, const char *name, char *dst, size_t size)
{
    size_t nlen = strlen(name), vlen;
    const char *v;

    if (len <= nlen || line[nlen] != ':' || strncasecmp(line, name, nlen) != 0)
        return 0;
    v = line + nlen + 1;
    vlen = len - nlen - 1;
    while (vlen && (*v == ' ' || *v == '\t'))
        v++, vlen--;
    while (vlen && (v[vlen - 1] == '\r' || v[vlen - 1] == '\n' || v[vlen - 1] == ' '))
        vlen--;
    if (vlen >= size)
        vlen = size - 1;
    memcpy(dst, v, vlen);
    dst[vlen] = '\0';
    return 1;
}

static size_t s_on_header(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    struct s_easy *e = userdata;
    size_t n = size * nmemb;

    if (!s_header_value(ptr, n, "x-amzn-RequestId", e->req->request_id,
                        sizeof(e->req->request_id)))
        s_header_value(ptr, n, "x-amz-request-id", e->req->request_id,
                       sizeof(e->req->request_id));
    return n;
}

static void s_easy_free(struct s_easy *e)
{
    if (!e)
        return;
    curl_easy_cleanup(e->curl);
    curl_slist_free_all(e->headers);
    free(e);
}

static int s_start(void *ctx, struct tw_http_request *req, struct tw_err *err)
{
    struct tw_http *h = ctx;
    struct s_easy *e = calloc(1, sizeof(*e));
    long timeout = req->timeout_ms > 0 ? (long)req->timeout_ms : 1L;
    int rc = TW_ENOMEM;

    req->rc = TW_ERR;
    req->status = 0;
    req->request_id[0] = '\0';
    req->error[0] = '\0';
    req->new_connection = 0;
    tw_buf_cleanup(&req->response);
    tw_buf_init(&req->response, req->max_response);
    if (!e || !(e->curl = curl_easy_init()))
        goto out;
    e->req = req;
    if (strncasecmp(req->url, "https://", 8) == 0 && !h->ca_bundle) {
        tw_err_set(err, "no CA bundle to verify %s (set AWS_CA_BUNDLE); refusing to send", req->url);
        rc = TW_ERR;
        goto out;
    }
    for (size_t i = 0; i < req->n_headers; i++) {
        struct curl_slist *l;
        if (strpbrk(req->headers[i], "\r\n")) {
            tw_err_set(err, "header with a line break refused");
            rc = TW_ERR;
            goto out;
        }
        l = curl_slist_append(e->headers, req->headers[i]);
        if (!l)
            goto out;
        e->headers = l;
    }
    /* libcurl would add these; they are not signed, so switch them off. */
    if (!(e->headers = curl_slist_append(e->headers, "Expect:")) ||
        !(e->headers = curl_slist_append(e->headers, "Accept:")))
        goto out;

    curl_easy_setopt(e->curl, CURLOPT_URL, req->url);
    curl_easy_setopt(e->curl, CURLOPT_PRIVATE, e);
    curl_easy_setopt(e->curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e->curl, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
    curl_easy_setopt(e->curl, CURLOPT_POST, 1L);
    curl_easy_setopt(e->curl, CURLOPT_POSTFIELDS, req->body.ptr);
    curl_easy_setopt(e->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body.len);
    curl_easy_setopt(e->curl, CURLOPT_HTTPHEADER, e->headers);
    curl_easy_setopt(e->curl, CURLOPT_TIMEOUT_MS, timeout);
    curl_easy_setopt(e->curl, CURLOPT_CONNECTTIMEOUT_MS, timeout < 3000 ? timeout : 3000L);
    curl_easy_setopt(e->curl, CURLOPT_WRITEFUNCTION, s_on_body);
    curl_easy_setopt(e->curl, CURLOPT_WRITEDATA, e);
    curl_easy_setopt(e->curl, CURLOPT_HEADERFUNCTION, s_on_header);
    curl_easy_setopt(e->curl, CURLOPT_HEADERDATA, e);
    curl_easy_setopt(e->curl, CURLOPT_USERAGENT, "trailwatch/" TW_VERSION);
    curl_easy_setopt(e->curl, CURLOPT_PROTOCOLS_STR, "http,https");
    /* Verification stays on; only the trust store is chosen here. */
    curl_easy_setopt(e->curl, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(e->curl, CURLOPT_SSL_VERIFYHOST, 2L);
    if (h->ca_bundle) {
        curl_easy_setopt(e->curl, CURLOPT_CAINFO, h->ca_bundle);
        curl_easy_setopt(e->curl, CURLOPT_CAPATH, NULL);
        curl_easy_setopt(e->curl, CURLOPT_CA_CACHE_TIMEOUT, TW_HTTP_CA_CACHE_SECONDS);
    }
    if (curl_multi_add_handle(h->multi, e->curl) != CURLM_OK) {
        tw_err_set(err, "curl_multi_add_handle failed");
        rc = TW_ERR;
        goto out;
    }
    req->priv_ = e;
    return TW_OK;
out:
    if (rc == TW_ENOMEM)
        tw_err_set(err, "out of memory starting a request");
    s_easy_free(e);
    return rc;
}

static struct tw_http_request *s_finish(struct tw_http *h, CURL *curl, CURLcode result)
{
    struct s_easy *e = NULL;
    struct tw_http_request *req;
    long opened = 0;

    curl_easy_getinfo(curl, CURLINFO_PRIVATE, (char **)&e);
    req = e->req;
    curl_easy_getinfo(curl, CURLINFO_NUM_CONNECTS, &opened);
    req->new_connection = opened > 0;
    h->connections += opened;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &req->status);
    if (result == CURLE_OK) {
        req->rc = TW_OK;
    } else if (e->overflow) {
        req->rc = TW_ETOOBIG;
        snprintf(req->error, sizeof(req->error), "response larger than %zu bytes",
                 req->max_response);
    } else if (result == CURLE_OPERATION_TIMEDOUT) {
        req->rc = TW_ETIMEOUT;
        snprintf(req->error, sizeof(req->error), "%s", curl_easy_strerror(result));
    } else {
        req->rc = TW_ERR;
        snprintf(req->error, sizeof(req->error), "%s", curl_easy_strerror(result));
    }
    curl_multi_remove_handle(h->multi, curl);
    req->priv_ = NULL;
    s_easy_free(e);
    return req;
}

static struct tw_http_request *s_next_done(struct tw_http *h)
{
    CURLMsg *msg;
    int left;

    while ((msg = curl_multi_info_read(h->multi, &left)) != NULL) {
        if (msg->msg == CURLMSG_DONE)
            return s_finish(h, msg->easy_handle, msg->data.result);
    }
    return NULL;
}

static struct tw_http_request *s_wait(void *ctx, int64_t timeout_ms)
{
    struct tw_http *h = ctx;
    struct tw_http_request *done;
    int running = 0;

    curl_multi_perform(h->multi, &running);
    if ((done = s_next_done(h)) != NULL)
        return done;
    if (timeout_ms > 0) {
        curl_multi_poll(h->multi, NULL, 0, timeout_ms > 60000 ? 60000 : (int)timeout_ms, NULL);
        curl_multi_perform(h->multi, &running);
    }
    return s_next_done(h);
}

struct tw_transport tw_http_transport(struct tw_http *h)
{
    struct tw_transport t = { s_start, s_wait, h };
    return t;
}
