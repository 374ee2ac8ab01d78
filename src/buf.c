/* buf.c — capped buffers, spans and the error record. */
#include "tw.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void tw_err_clear(struct tw_err *err)
{
    if (err)
        memset(err, 0, sizeof(*err));
}

/* err->msg is one line: outside input quoted in it must not forge log lines. */
static void s_one_line(char *msg)
{
    for (; *msg; msg++) {
        if ((unsigned char)*msg < 0x20 || *msg == 0x7f)
            *msg = ' ';
    }
}

void tw_err_set(struct tw_err *err, const char *fmt, ...)
{
    va_list ap;

    if (!err)
        return;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    va_end(ap);
    s_one_line(err->msg);
}

void tw_err_prefix(struct tw_err *err, const char *fmt, ...)
{
    char joined[sizeof(err->msg) + 256];
    size_t n;
    va_list ap;

    if (!err)
        return;
    va_start(ap, fmt);
    vsnprintf(joined, 256, fmt, ap);
    va_end(ap);
    n = strlen(joined);
    if (err->msg[0]) {
        memcpy(joined + n, ": ", 3);
        tw_strlcpy(joined + n + 2, err->msg, sizeof(joined) - n - 2);
    }
    tw_strlcpy(err->msg, joined, sizeof(err->msg));
    s_one_line(err->msg);
}

struct tw_span tw_span_cstr(const char *s)
{
    struct tw_span sp = { s ? s : "", s ? strlen(s) : 0 };
    return sp;
}

int tw_span_eq_cstr(struct tw_span s, const char *c)
{
    size_t n = strlen(c);
    return s.len == n && (n == 0 || memcmp(s.ptr, c, n) == 0);
}

void tw_buf_init(struct tw_buf *buf, size_t max)
{
    buf->ptr = NULL;
    buf->len = 0;
    buf->cap = 0;
    buf->max = max;
}

void tw_buf_cleanup(struct tw_buf *buf)
{
    if (!buf)
        return;
    free(buf->ptr);
    buf->ptr = NULL;
    buf->len = 0;
    buf->cap = 0;
}

void tw_buf_cleanup_secure(struct tw_buf *buf)
{
    if (!buf)
        return;
    if (buf->ptr)
        OPENSSL_cleanse(buf->ptr, buf->cap);
    tw_buf_cleanup(buf);
}

void tw_buf_reset(struct tw_buf *buf)
{
    buf->len = 0;
    if (buf->ptr)
        buf->ptr[0] = '\0';
}

static int s_reserve(struct tw_buf *buf, size_t extra)
{
    size_t need, cap;
    char *p;

    if (extra > buf->max || buf->len > buf->max - extra)
        return TW_ETOOBIG;
    need = buf->len + extra + 1;
    if (need <= buf->cap)
        return TW_OK;
    cap = buf->cap ? buf->cap : 64;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    if (cap > buf->max + 1)
        cap = buf->max + 1;
    p = realloc(buf->ptr, cap);
    if (!p)
        return TW_ENOMEM;
    buf->ptr = p;
    buf->cap = cap;
    return TW_OK;
}

int tw_buf_append(struct tw_buf *buf, const void *data, size_t len)
{
    int rc = s_reserve(buf, len);

    if (rc != TW_OK)
        return rc;
    if (len)
        memcpy(buf->ptr + buf->len, data, len);
    buf->len += len;
    buf->ptr[buf->len] = '\0';
    return TW_OK;
}

int tw_buf_append_span(struct tw_buf *buf, struct tw_span s)
{
    return tw_buf_append(buf, s.ptr, s.len);
}

int tw_buf_append_cstr(struct tw_buf *buf, const char *s)
{
    return tw_buf_append(buf, s, strlen(s));
}

int tw_buf_append_char(struct tw_buf *buf, char c)
{
    return tw_buf_append(buf, &c, 1);
}

int tw_buf_vprintf(struct tw_buf *buf, const char *fmt, va_list ap)
{
    va_list ap2;
    int n, rc;

    va_copy(ap2, ap);
    n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return TW_ERR;
    rc = s_reserve(buf, (size_t)n);
    if (rc != TW_OK)
        return rc;
    vsnprintf(buf->ptr + buf->len, (size_t)n + 1, fmt, ap);
    buf->len += (size_t)n;
    return TW_OK;
}

int tw_buf_printf(struct tw_buf *buf, const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = tw_buf_vprintf(buf, fmt, ap);
    va_end(ap);
    return rc;
}

const char *tw_buf_cstr(const struct tw_buf *buf)
{
    return buf->ptr ? buf->ptr : "";
}

struct tw_span tw_buf_span(const struct tw_buf *buf)
{
    struct tw_span s = { tw_buf_cstr(buf), buf->len };
    return s;
}

char *tw_buf_detach(struct tw_buf *buf)
{
    char *p = buf->ptr;

    if (!p)
        p = calloc(1, 1);
    buf->ptr = NULL;
    buf->len = 0;
    buf->cap = 0;
    return p;
}

char *tw_strdup(const char *s)
{
    size_t n;
    char *p;

    if (!s)
        return NULL;
    n = strlen(s) + 1;
    p = malloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}

int tw_strlcpy(char *dst, const char *src, size_t dst_size)
{
    size_t n = strlen(src);

    if (dst_size == 0)
        return n > 0;
    if (n >= dst_size) {
        memcpy(dst, src, dst_size - 1);
        dst[dst_size - 1] = '\0';
        return 1;
    }
    memcpy(dst, src, n + 1);
    return 0;
}
