/* http1.c — an incremental HTTP/1.1 response parser (RFC 9112), no I/O. */
#include "http1.h"

#include <string.h>
#include <strings.h>

enum {
    S_STATUS,     /* the status line */
    S_HEADER,     /* header lines up to the empty line */
    S_BODY_LEN,   /* remaining_ bytes of a Content-Length body */
    S_BODY_EOF,   /* everything until the peer closes */
    S_CHUNK_SIZE, /* a chunk-size line */
    S_CHUNK_DATA, /* remaining_ bytes of chunk data */
    S_CHUNK_END,  /* the CRLF after chunk data */
    S_TRAILER,    /* trailer lines up to the empty line */
    S_DONE
};

/* Content-Length and chunk sizes above this are refused (2^60 bytes). */
#define S_MAX_DIGITS_DEC 18
#define S_MAX_DIGITS_HEX 15

void tw_http1_response_init(struct tw_http1_response *r)
{
    tw_http1_header_fn on_header = r->on_header;
    tw_http1_body_fn on_body = r->on_body;
    void *user = r->user;
    int head_request = r->head_request;

    memset(r, 0, offsetof(struct tw_http1_response, line_));
    r->on_header = on_header;
    r->on_body = on_body;
    r->user = user;
    r->head_request = head_request;
    r->state_ = S_STATUS;
}

int tw_http_header_value(char *dst, size_t size, const char *line, size_t len, const char *name)
{
    size_t nlen = strlen(name), vlen;
    const char *v;

    if (len <= nlen || line[nlen] != ':' || strncasecmp(line, name, nlen) != 0)
        return 0;
    v = line + nlen + 1;
    vlen = len - nlen - 1;
    while (vlen && (*v == ' ' || *v == '\t'))
        v++, vlen--;
    while (vlen && (v[vlen - 1] == '\r' || v[vlen - 1] == '\n' || v[vlen - 1] == ' ' ||
                    v[vlen - 1] == '\t'))
        vlen--;
    if (vlen >= size)
        vlen = size - 1;
    memcpy(dst, v, vlen);
    dst[vlen] = '\0';
    return 1;
}

/* Does the comma-separated list `v` hold `token` (case-insensitive)? Only
 * the last element when `last_only`. */
static int s_has_token(const char *v, const char *token, int last_only)
{
    size_t tlen = strlen(token);
    int found = 0;

    while (*v) {
        size_t n;
        while (*v == ' ' || *v == '\t' || *v == ',')
            v++;
        n = strcspn(v, ",");
        while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
            n--;
        if (n == 0 && !*v)
            break;
        found = n == tlen && strncasecmp(v, token, tlen) == 0;
        if (found && !last_only)
            return 1;
        v += n;
        while (*v && *v != ',')
            v++;
    }
    return found;
}

static int s_digits(uint64_t *out, const char *s, int hex, struct tw_err *err, const char *what)
{
    size_t n = 0, max = hex ? S_MAX_DIGITS_HEX : S_MAX_DIGITS_DEC;
    uint64_t v = 0;

    for (; s[n]; n++) {
        char c = s[n];
        unsigned d;
        if (c >= '0' && c <= '9')
            d = (unsigned)(c - '0');
        else if (hex && c >= 'a' && c <= 'f')
            d = (unsigned)(c - 'a' + 10);
        else if (hex && c >= 'A' && c <= 'F')
            d = (unsigned)(c - 'A' + 10);
        else
            break;
        if (n >= max) {
            tw_err_set(err, "HTTP %s too large", what);
            return TW_EPARSE;
        }
        v = v * (hex ? 16u : 10u) + d;
    }
    if (n == 0) {
        tw_err_set(err, "HTTP %s is not a number", what);
        return TW_EPARSE;
    }
    /* A chunk size may carry extensions (";name=value"), nothing else may. */
    if (s[n] && !(hex && (s[n] == ';' || s[n] == ' ' || s[n] == '\t'))) {
        tw_err_set(err, "HTTP %s is not a number", what);
        return TW_EPARSE;
    }
    *out = v;
    return TW_OK;
}

static int s_status_line(struct tw_http1_response *r, const char *l, size_t len,
                         struct tw_err *err)
{
    /* HTTP/1.x SP 3DIGIT [SP reason] */
    if (len < 12 || memcmp(l, "HTTP/1.", 7) != 0 || l[7] < '0' || l[7] > '9' || l[8] != ' ' ||
        l[9] < '1' || l[9] > '5' || l[10] < '0' || l[10] > '9' || l[11] < '0' || l[11] > '9' ||
        (len > 12 && l[12] != ' ')) {
        tw_err_set(err, "not an HTTP/1.x status line");
        return TW_EPARSE;
    }
    r->status = (l[9] - '0') * 100 + (l[10] - '0') * 10 + (l[11] - '0');
    r->keep_alive = l[7] != '0';
    return TW_OK;
}

static int s_header_line(struct tw_http1_response *r, const char *l, size_t len,
                         struct tw_err *err)
{
    const char *colon = memchr(l, ':', len);
    char value[256];

    if (l[0] == ' ' || l[0] == '\t') {
        tw_err_set(err, "folded HTTP header line");
        return TW_EPARSE;
    }
    if (!colon || colon == l || strcspn(l, " \t") < (size_t)(colon - l)) {
        tw_err_set(err, "malformed HTTP header line");
        return TW_EPARSE;
    }
    if (tw_http_header_value(value, sizeof(value), l, len, "Content-Length")) {
        uint64_t v;
        if (s_digits(&v, value, 0, err, "Content-Length") != TW_OK)
            return TW_EPARSE;
        if (r->have_length_ && v != r->remaining_) {
            tw_err_set(err, "conflicting HTTP Content-Length headers");
            return TW_EPARSE;
        }
        r->have_length_ = 1;
        r->remaining_ = v;
    } else if (tw_http_header_value(value, sizeof(value), l, len, "Transfer-Encoding")) {
        if (!s_has_token(value, "chunked", 1)) {
            tw_err_set(err, "unsupported HTTP transfer coding");
            return TW_EPARSE;
        }
        r->chunked_ = 1;
    } else if (tw_http_header_value(value, sizeof(value), l, len, "Connection")) {
        if (s_has_token(value, "close", 0))
            r->keep_alive = 0;
        else if (s_has_token(value, "keep-alive", 0))
            r->keep_alive = 1;
    }
    if (r->on_header && r->on_header(r->user, l, len) != 0) {
        tw_err_set(err, "HTTP header refused");
        return TW_ERR;
    }
    return TW_OK;
}

/* The empty line after the headers: decide how the body is framed. */
static int s_end_of_head(struct tw_http1_response *r, struct tw_err *err)
{
    if (r->status < 200) {
        if (r->status == 101) {
            tw_err_set(err, "unexpected HTTP 101 Switching Protocols");
            return TW_EPARSE;
        }
        size_t head_bytes = r->head_bytes_; /* the cap covers interim heads too */
        tw_http1_response_init(r);          /* an interim answer: the real one follows */
        r->head_bytes_ = head_bytes;
        return TW_OK;
    }
    if (r->chunked_ && r->have_length_) {
        tw_err_set(err, "HTTP response with both Content-Length and Transfer-Encoding");
        return TW_EPARSE;
    }
    if (r->head_request || r->status == 204 || r->status == 304) {
        r->state_ = S_DONE;
    } else if (r->chunked_) {
        r->state_ = S_CHUNK_SIZE;
    } else if (r->have_length_) {
        r->state_ = r->remaining_ ? S_BODY_LEN : S_DONE;
    } else {
        r->state_ = S_BODY_EOF;
        r->keep_alive = 0;
    }
    return TW_OK;
}

/* One complete line (CR/LF stripped) in the state that reads lines. */
static int s_line(struct tw_http1_response *r, const char *l, size_t len, struct tw_err *err)
{
    uint64_t size;

    switch (r->state_) {
    case S_STATUS:
        if (len == 0 && r->head_bytes_ <= 2)
            return TW_OK; /* tolerate one stray CRLF before the status line */
        if (len == 0) {
            tw_err_set(err, "not an HTTP/1.x status line");
            return TW_EPARSE;
        }
        if (s_status_line(r, l, len, err) != TW_OK)
            return TW_EPARSE;
        r->state_ = S_HEADER;
        return TW_OK;
    case S_HEADER:
        return len == 0 ? s_end_of_head(r, err) : s_header_line(r, l, len, err);
    case S_CHUNK_SIZE:
        if (s_digits(&size, l, 1, err, "chunk size") != TW_OK)
            return TW_EPARSE;
        r->remaining_ = size;
        r->state_ = size ? S_CHUNK_DATA : S_TRAILER;
        return TW_OK;
    case S_CHUNK_END:
        if (len != 0) {
            tw_err_set(err, "HTTP chunk longer than its size");
            return TW_EPARSE;
        }
        r->state_ = S_CHUNK_SIZE;
        return TW_OK;
    case S_TRAILER:
        if (len == 0)
            r->state_ = S_DONE; /* trailer fields are read and ignored */
        return TW_OK;
    default:
        tw_err_set(err, "HTTP parser in a bad state");
        return TW_ERR;
    }
}

static int s_body(struct tw_http1_response *r, const char *p, size_t n, struct tw_err *err)
{
    if (n && r->on_body && r->on_body(r->user, p, n) != 0) {
        tw_err_set(err, "HTTP body refused");
        return TW_ERR;
    }
    return TW_OK;
}

int tw_http1_feed(struct tw_http1_response *r, const char *data, size_t len, size_t *used,
                  struct tw_err *err)
{
    size_t i = 0;
    int rc = TW_OK;

    while (i < len && r->state_ != S_DONE && rc == TW_OK) {
        size_t n = len - i;

        if (r->state_ == S_BODY_EOF || r->state_ == S_BODY_LEN || r->state_ == S_CHUNK_DATA) {
            if (r->state_ != S_BODY_EOF && n > r->remaining_)
                n = (size_t)r->remaining_;
            rc = s_body(r, data + i, n, err);
            i += n;
            if (r->state_ != S_BODY_EOF && (r->remaining_ -= n) == 0)
                r->state_ = r->state_ == S_BODY_LEN ? S_DONE : S_CHUNK_END;
            continue;
        }
        /* A line: collect up to LF. */
        {
            const char *lf = memchr(data + i, '\n', n);
            size_t take = lf ? (size_t)(lf - (data + i)) + 1 : n;
            int in_head = r->state_ == S_STATUS || r->state_ == S_HEADER ||
                          r->state_ == S_TRAILER;

            if (r->line_len_ + take > sizeof(r->line_)) {
                tw_err_set(err, "HTTP line longer than %d bytes", TW_HTTP1_MAX_LINE);
                rc = TW_EPARSE;
                break;
            }
            if (in_head && (r->head_bytes_ += take) > TW_HTTP1_MAX_HEAD) {
                tw_err_set(err, "HTTP head larger than %d bytes", TW_HTTP1_MAX_HEAD);
                rc = TW_EPARSE;
                break;
            }
            memcpy(r->line_ + r->line_len_, data + i, take);
            r->line_len_ += take;
            i += take;
            if (!lf)
                continue;
            {
                size_t l = r->line_len_ - 1; /* drop LF, then an optional CR */
                if (l && r->line_[l - 1] == '\r')
                    l--;
                if (memchr(r->line_, '\0', l) || memchr(r->line_, '\r', l)) {
                    tw_err_set(err, "control character in an HTTP line");
                    rc = TW_EPARSE;
                    break;
                }
                r->line_[l] = '\0';
                r->line_len_ = 0;
                rc = s_line(r, r->line_, l, err);
            }
        }
    }
    if (r->state_ == S_DONE)
        r->done = 1;
    *used = i;
    return rc;
}

int tw_http1_eof(struct tw_http1_response *r, struct tw_err *err)
{
    if (r->state_ == S_BODY_EOF || r->state_ == S_DONE) {
        r->state_ = S_DONE;
        r->done = 1;
        r->keep_alive = 0;
        return TW_OK;
    }
    if (r->state_ == S_STATUS && r->head_bytes_ == 0)
        tw_err_set(err, "connection closed before an HTTP response");
    else
        tw_err_set(err, "HTTP response truncated: connection closed mid-message");
    return TW_EPARSE;
}
