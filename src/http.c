/* http.c — the libcurl multi transport (see http.h). */
#include "http.h"

#include "http1.h"
#include "log.h"

#include <curl/curl.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#ifdef TW_HAVE_AMAZON_ROOTS
/* Generated at build time from Debian's ca-certificates (see the Makefile):
 * TW_AMAZON_ROOTS_COUNT and tw_amazon_roots_pem, the PEM text of Amazon Root
 * CA 1-4 and Starfield Services Root Certificate Authority - G2. */
#include "amazon_roots.h"
#endif

/* At most this many parallel connections to one host (AWS service endpoint). */
#define TW_HTTP_MAX_HOST_CONNECTIONS 8L
/* The CA store is parsed once and kept this long (seconds). */
#define TW_HTTP_CA_CACHE_SECONDS (24L * 3600L)
/* Finished easy handles kept for the next requests (one per connection). */
#define TW_HTTP_IDLE_HANDLES 8

struct s_easy;

struct tw_http {
    CURLM *multi;             /* NULL until the first request (s_ready) */
    int curl_global;          /* curl_global_init succeeded: clean up at free */
    char *ca_bundle;          /* NULL: none found */
    int ca_named;             /* ca_bundle is from AWS_CA_BUNDLE or SSL_CERT_FILE */
    int proxy_env;            /* a proxy variable is set: a proxy may re-sign TLS */
    X509_STORE *amazon_roots; /* built at the first request that needs it */
    struct s_easy *idle[TW_HTTP_IDLE_HANDLES];
    size_t n_idle;
    long connections;
};

struct s_easy {
    CURL *curl;
    struct curl_slist *headers;
    struct tw_http_request *req;
    int overflow;
    int amazon_roots;            /* this request trusts only the embedded roots */
    char errbuf[CURL_ERROR_SIZE]; /* libcurl's detail, e.g. why verification failed */
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

static char *s_pick_ca_bundle(int *named)
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
            *named = 1;
            return tw_strdup(v);
        }
    }
    *named = 0;
    for (size_t i = 0; i < TW_ARRAY_LEN(paths); i++) {
        if (access(paths[i], R_OK) == 0) {
            tw_log_kv(TW_LOG_DEBUG, "CA bundle", "path", paths[i], NULL);
            return tw_strdup(paths[i]);
        }
    }
    tw_log(TW_LOG_WARN, "no CA bundle found (set AWS_CA_BUNDLE): %s",
#ifdef TW_HAVE_AMAZON_ROOTS
           "HTTPS requests will be refused, except to AWS endpoints (embedded roots)");
#else
           "HTTPS requests will be refused");
#endif
    return NULL;
}

/* A proxy from the environment (libcurl honours these) may be one that
 * re-signs TLS with a private CA, which only the system bundle would know. */
static int s_proxy_env(void)
{
    static const char *const names[] = { "https_proxy", "HTTPS_PROXY", "all_proxy",
                                          "ALL_PROXY" };

    for (size_t i = 0; i < TW_ARRAY_LEN(names); i++) {
        const char *v = getenv(names[i]);
        if (v && v[0])
            return 1;
    }
    return 0;
}

#ifdef TW_HAVE_AMAZON_ROOTS
/* 1 when `url` (https://...) is on a host of the commercial partition
 * ("aws"): *.amazonaws.com outside GovCloud, including FIPS and VPC endpoint
 * names. Their certificates chain to Amazon Trust Services roots. aws-cn
 * (*.amazonaws.com.cn), aws-us-gov, the ISO partitions and dual-stack *.api.aws
 * hosts keep the bundle: their chains are not confirmed here. */
static int s_is_aws_commercial(const char *url)
{
    static const char suffix[] = ".amazonaws.com";
    const size_t slen = sizeof(suffix) - 1;
    const char *host = url + 8, *end = host + strcspn(host, ":/?#@");
    size_t len = (size_t)(end - host);

    if (*end == '@' || len <= slen || strncasecmp(end - slen, suffix, slen) != 0)
        return 0;
    for (const char *p = host; p + 7 <= end; p++) {
        if (strncasecmp(p, "us-gov-", 7) == 0)
            return 0;
    }
    return 1;
}

/* Parses the embedded roots once; the store then lives as long as `h`. */
static int s_load_amazon_roots(struct tw_http *h, struct tw_err *err)
{
    X509_STORE *store;
    int rc = TW_OK;

    if (h->amazon_roots)
        return TW_OK;
    store = X509_STORE_new();
    for (size_t i = 0; i < TW_AMAZON_ROOTS_COUNT && store && rc == TW_OK; i++) {
        BIO *bio = BIO_new_mem_buf(tw_amazon_roots_pem[i], -1);
        X509 *cert = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;

        if (!cert || !X509_STORE_add_cert(store, cert))
            rc = TW_ERR;
        X509_free(cert);
        BIO_free(bio);
    }
    if (!store || rc != TW_OK) {
        ERR_clear_error();
        X509_STORE_free(store);
        tw_err_set(err, "cannot load the embedded Amazon root CAs; refusing to send");
        return TW_ERR;
    }
    tw_log(TW_LOG_DEBUG, "trusting the embedded Amazon Trust Services roots for AWS endpoints");
    h->amazon_roots = store;
    return TW_OK;
}

/* CURLOPT_SSL_CTX_FUNCTION: libcurl makes an SSL_CTX per connection; give it
 * the shared store of Amazon roots (a reference, not a copy). libcurl then
 * loads nothing itself (CAINFO and CAPATH are NULL) and only sets its usual
 * verification flags on the store. */
static CURLcode s_use_amazon_roots(CURL *curl, void *ssl_ctx, void *userptr)
{
    (void)curl;
    SSL_CTX_set1_cert_store(ssl_ctx, userptr);
    return CURLE_OK;
}
#endif

/* Chooses the trust store of one HTTPS request: the bundle named by
 * AWS_CA_BUNDLE / SSL_CERT_FILE; else, for AWS's commercial endpoints, the
 * embedded Amazon roots (5 certificates instead of parsing ~140); else the
 * system bundle. libcurl keeps a parsed bundle in the multi handle
 * (CURLOPT_CA_CACHE_TIMEOUT), so each is parsed once per process. */
static int s_set_trust(struct tw_http *h, struct s_easy *e, const char *url, struct tw_err *err)
{
    CURL *curl = e->curl;

#ifdef TW_HAVE_AMAZON_ROOTS
    if (!h->ca_named && !h->proxy_env && s_is_aws_commercial(url)) {
        if (s_load_amazon_roots(h, err) != TW_OK)
            return TW_ERR;
        if (curl_easy_setopt(curl, CURLOPT_SSL_CTX_FUNCTION, s_use_amazon_roots) != CURLE_OK) {
            tw_err_set(err, "libcurl cannot take a TLS trust store (not built with OpenSSL)");
            return TW_ERR;
        }
        curl_easy_setopt(curl, CURLOPT_SSL_CTX_DATA, h->amazon_roots);
        curl_easy_setopt(curl, CURLOPT_CAINFO, NULL);
        curl_easy_setopt(curl, CURLOPT_CAPATH, NULL);
        curl_easy_setopt(curl, CURLOPT_CA_CACHE_TIMEOUT, 0L);
        e->amazon_roots = 1;
        return TW_OK;
    }
#endif
    if (!h->ca_bundle) {
        tw_err_set(err, "no CA bundle to verify %s (set AWS_CA_BUNDLE); refusing to send", url);
        return TW_ERR;
    }
    curl_easy_setopt(curl, CURLOPT_CAINFO, h->ca_bundle);
    curl_easy_setopt(curl, CURLOPT_CAPATH, NULL);
    curl_easy_setopt(curl, CURLOPT_CA_CACHE_TIMEOUT, TW_HTTP_CA_CACHE_SECONDS);
    return TW_OK;
}

/* Nothing that costs is done here: a cold start reaches the Runtime API's
 * first GET /next without having loaded OpenSSL's tables or libcurl's state
 * (about 40 page faults, a millisecond or more under Firecracker). s_ready
 * does that at the first request, which is the first invocation's. */
int tw_http_new(struct tw_http **out, struct tw_err *err)
{
    struct tw_http *h = calloc(1, sizeof(*h));

    (void)err;
    *out = NULL;
    if (!h)
        return TW_ENOMEM;
    h->ca_bundle = s_pick_ca_bundle(&h->ca_named);
    h->proxy_env = s_proxy_env();
    *out = h;
    return TW_OK;
}

/* OpenSSL, libcurl and the multi handle, once per process. Not thread-safe
 * (neither is curl_global_init): the transport has one caller. */
static int s_ready(struct tw_http *h, struct tw_err *err)
{
    if (h->multi)
        return TW_OK;
    if (!h->curl_global) {
        /* Before libcurl initialises OpenSSL: skip the error-string tables,
         * the config file and the legacy cipher name table. (Digests stay:
         * certificate verification needs them.) */
        OPENSSL_init_ssl(OPENSSL_INIT_NO_LOAD_SSL_STRINGS | OPENSSL_INIT_NO_LOAD_CRYPTO_STRINGS |
                             OPENSSL_INIT_NO_ADD_ALL_CIPHERS | OPENSSL_INIT_NO_LOAD_CONFIG,
                         NULL);
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
            tw_err_set(err, "curl_global_init failed");
            return TW_ERR;
        }
        h->curl_global = 1;
    }
    h->multi = curl_multi_init();
    if (!h->multi) {
        tw_err_set(err, "curl_multi_init failed");
        return TW_ENOMEM;
    }
    curl_multi_setopt(h->multi, CURLMOPT_MAX_HOST_CONNECTIONS, TW_HTTP_MAX_HOST_CONNECTIONS);
    return TW_OK;
}

static void s_easy_free(struct s_easy *e);

void tw_http_free(struct tw_http *h)
{
    if (!h)
        return;
    while (h->n_idle > 0)
        s_easy_free(h->idle[--h->n_idle]);
    if (h->multi)
        curl_multi_cleanup(h->multi);
    X509_STORE_free(h->amazon_roots);
    free(h->ca_bundle);
    if (h->curl_global)
        curl_global_cleanup();
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

static size_t s_on_header(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    struct s_easy *e = userdata;
    size_t n = size * nmemb;

    if (!tw_http_header_value(e->req->request_id, sizeof(e->req->request_id), ptr, n,
                              "x-amzn-RequestId"))
        tw_http_header_value(e->req->request_id, sizeof(e->req->request_id), ptr, n,
                             "x-amz-request-id");
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

/* An easy handle for a new request: a finished one, reset, when there is one.
 * Reuse saves libcurl's per-handle allocations (musl returns them to the
 * kernel at once) and keeps the handle's TLS session cache. */
static struct s_easy *s_easy_get(struct tw_http *h)
{
    struct s_easy *e;

    if (h->n_idle > 0) {
        e = h->idle[--h->n_idle];
        curl_easy_reset(e->curl);
        return e;
    }
    e = calloc(1, sizeof(*e));
    if (e && !(e->curl = curl_easy_init())) {
        free(e);
        e = NULL;
    }
    return e;
}

static void s_easy_put(struct tw_http *h, struct s_easy *e)
{
    if (!e)
        return;
    curl_slist_free_all(e->headers);
    e->headers = NULL;
    e->req = NULL;
    e->overflow = 0;
    e->amazon_roots = 0;
    if (h->n_idle < TW_HTTP_IDLE_HANDLES)
        h->idle[h->n_idle++] = e;
    else
        s_easy_free(e);
}

static int s_start(void *ctx, struct tw_http_request *req, struct tw_err *err)
{
    struct tw_http *h = ctx;
    struct s_easy *e;
    long timeout = req->timeout_ms > 0 ? (long)req->timeout_ms : 1L;
    int rc = TW_ENOMEM;

    if ((rc = s_ready(h, err)) != TW_OK)
        return rc;
    e = s_easy_get(h);
    rc = TW_ENOMEM;

    req->rc = TW_ERR;
    req->status = 0;
    req->request_id[0] = '\0';
    req->error[0] = '\0';
    req->new_connection = 0;
    req->untrusted = 0;
    tw_buf_cleanup(&req->response);
    tw_buf_init(&req->response, req->max_response);
    if (!e)
        goto out;
    e->req = req;
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
    e->errbuf[0] = '\0';
    curl_easy_setopt(e->curl, CURLOPT_ERRORBUFFER, e->errbuf);
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
    /* Over TLS libcurl copies each request into an upload buffer allocated per
     * transfer (64 KiB by default), which musl maps and unmaps every time. Our
     * requests are a few KiB; a bigger one just goes out in 16 KiB pieces. */
    curl_easy_setopt(e->curl, CURLOPT_UPLOAD_BUFFERSIZE, 16384L);
    /* Verification stays on; only the trust store is chosen here. */
    curl_easy_setopt(e->curl, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(e->curl, CURLOPT_SSL_VERIFYHOST, 2L);
    if (strncasecmp(req->url, "https://", 8) == 0 && s_set_trust(h, e, req->url, err) != TW_OK) {
        rc = TW_ERR;
        goto out;
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
    s_easy_put(h, e);
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
    req->untrusted = result == CURLE_PEER_FAILED_VERIFICATION ||
                     result == CURLE_SSL_CACERT_BADFILE;
    if (result == CURLE_OK) {
        req->rc = TW_OK;
    } else if (e->overflow) {
        req->rc = TW_ETOOBIG;
        snprintf(req->error, sizeof(req->error), "response larger than %zu bytes",
                 req->max_response);
    } else if (result == CURLE_OPERATION_TIMEDOUT) {
        req->rc = TW_ETIMEOUT;
        snprintf(req->error, sizeof(req->error), "%s", curl_easy_strerror(result));
    } else if (result == CURLE_PEER_FAILED_VERIFICATION && e->amazon_roots) {
        req->rc = TW_ERR;
        snprintf(req->error, sizeof(req->error),
                 "%.140s (only the Amazon Trust Services roots are trusted for AWS endpoints; "
                 "set AWS_CA_BUNDLE to name another bundle)",
                 e->errbuf[0] ? e->errbuf : curl_easy_strerror(result));
    } else {
        req->rc = TW_ERR;
        snprintf(req->error, sizeof(req->error), "%s",
                 e->errbuf[0] ? e->errbuf : curl_easy_strerror(result));
    }
    curl_multi_remove_handle(h->multi, curl);
    req->priv_ = NULL;
    s_easy_put(h, e);
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

    if (!h->multi)
        return NULL; /* nothing was started */
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
