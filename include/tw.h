/* tw.h — the few types every trailwatch module shares: status codes, the
 * caller-owned error record, borrowed spans and capped owned buffers.
 *
 * Conventions (see README "Code layout"): fallible functions return TW_OK (0)
 * or a negative enum tw_status and write human detail into a struct tw_err the
 * caller owns; outputs come first, then inputs, then `err`. */
#ifndef TW_H
#define TW_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__)
#define TW_NODISCARD __attribute__((warn_unused_result))
#define TW_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define TW_NODISCARD
#define TW_PRINTF(a, b)
#endif

#define TW_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

enum tw_status {
    TW_OK = 0,
    TW_ERR = -1,       /* anything else; see err->msg */
    TW_ENOTFOUND = -2, /* a named thing does not exist */
    TW_ETOOBIG = -3,   /* a hard size cap would be exceeded */
    TW_EPARSE = -4,    /* input is not in the expected format */
    TW_EAWS = -5,      /* an AWS service answered with an error; see err->aws_code */
    TW_ETIMEOUT = -6,  /* the invocation deadline would be or was passed */
    TW_ENOMEM = -7,    /* an allocation failed */
    TW_EUNSUPPORTED = -8, /* well-formed input of a kind we do not handle */
};

/* Detail of a failure. Caller-owned, usually on the stack; zero it (or call
 * tw_err_clear) before use. Fields that do not apply stay empty / 0. No field
 * ever holds a credential. */
struct tw_err {
    char msg[512];         /* one line a person can act on */
    char service[24];      /* AWS failures: e.g. "cloudtrail" */
    char operation[48];    /* AWS failures: e.g. "DescribeTrails" */
    char aws_code[96];     /* AWS error code, e.g. "AccessDeniedException" */
    char request_id[96];   /* AWS request id, when the service sent one */
    long http_status;      /* 0 when no (complete) HTTP answer was read */
    int transient;         /* 1: throttling, 5xx, network, deadline — may succeed later */
    int deadline;          /* 1: the invocation's deadline cut the request short */
};

void tw_err_clear(struct tw_err *err);
/* printf into err->msg (truncating); NULL-safe. Leaves the other fields alone. */
void tw_err_set(struct tw_err *err, const char *fmt, ...) TW_PRINTF(2, 3);
/* Prepends "prefix: " to err->msg, keeping the rest; NULL-safe. */
void tw_err_prefix(struct tw_err *err, const char *fmt, ...) TW_PRINTF(2, 3);

/* A borrowed run of bytes; never freed through the span. */
struct tw_span {
    const char *ptr;
    size_t len;
};

#define TW_SPAN_LIT(s) ((struct tw_span){ (s), sizeof(s) - 1 })
struct tw_span tw_span_cstr(const char *s); /* NULL gives an empty span */
int tw_span_eq_cstr(struct tw_span s, const char *c);

/* An owned, always NUL-terminated byte buffer with a hard cap `max` (bytes,
 * excluding the terminator). Appending past `max` fails with TW_ETOOBIG and
 * leaves the buffer unchanged; it never truncates. */
struct tw_buf {
    char *ptr; /* NULL until the first append */
    size_t len, cap, max;
};

void tw_buf_init(struct tw_buf *buf, size_t max);
void tw_buf_cleanup(struct tw_buf *buf);        /* NULL-safe; leaves buf empty */
void tw_buf_cleanup_secure(struct tw_buf *buf); /* cleanses the bytes, then frees */
void tw_buf_reset(struct tw_buf *buf);          /* len = 0, keeps the memory */
TW_NODISCARD int tw_buf_append(struct tw_buf *buf, const void *data, size_t len);
TW_NODISCARD int tw_buf_append_span(struct tw_buf *buf, struct tw_span s);
TW_NODISCARD int tw_buf_append_cstr(struct tw_buf *buf, const char *s);
TW_NODISCARD int tw_buf_append_char(struct tw_buf *buf, char c);
TW_NODISCARD int tw_buf_printf(struct tw_buf *buf, const char *fmt, ...) TW_PRINTF(2, 3);
TW_NODISCARD int tw_buf_vprintf(struct tw_buf *buf, const char *fmt, va_list ap) TW_PRINTF(2, 0);
/* The contents as a C string ("" for an unused buffer); borrowed. */
const char *tw_buf_cstr(const struct tw_buf *buf);
struct tw_span tw_buf_span(const struct tw_buf *buf);
/* Hands the allocation to the caller (who frees it) and leaves buf empty.
 * Never returns NULL unless allocation fails. */
char *tw_buf_detach(struct tw_buf *buf);

/* strdup that returns NULL for NULL input. */
char *tw_strdup(const char *s);
/* Copies at most dst_size-1 bytes and always terminates; returns 1 if it
 * had to truncate. */
int tw_strlcpy(char *dst, const char *src, size_t dst_size);

#endif
