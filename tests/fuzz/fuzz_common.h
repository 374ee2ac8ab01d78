/* fuzz_common.h — what the libFuzzer targets in tests/fuzz/ share.
 *
 * FZ_CHECK aborts with the failed condition, so a broken property is a
 * finding just like a crash; FZ_ERR_OK checks the tw_err contract every
 * parser promises: a failure always explains itself in a terminated,
 * single-line message. */
#ifndef TW_FUZZ_COMMON_H
#define TW_FUZZ_COMMON_H

#include "tw.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_CHECK(cond)                                                                             \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);               \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* A failed call returned one of the documented negative codes and left a
 * terminated, non-empty message. With TW_FUZZ_STRICT_MSG=1 in the
 * environment the message must also be free of control characters (tw.h:
 * "one line"; text-format log lines do not escape them) — off by default
 * because src/ quotes outside input verbatim in several messages (see
 * tests/fuzz/README.md). */
static inline void fz_check_err(int rc, const struct tw_err *err)
{
    static int strict = -1;

    FZ_CHECK(rc < 0 && rc >= TW_EUNSUPPORTED);
    FZ_CHECK(memchr(err->msg, '\0', sizeof(err->msg)) != NULL);
    FZ_CHECK(rc == TW_ENOMEM || err->msg[0] != '\0');
    if (strict < 0)
        strict = getenv("TW_FUZZ_STRICT_MSG") != NULL;
    if (strict)
        for (const char *c = err->msg; *c; c++)
            if ((unsigned char)*c < 0x20 || *c == 0x7f) {
                fprintf(stderr, "control character 0x%02x in err->msg: %s\n", (unsigned)*c,
                        err->msg);
                abort();
            }
}

/* A NUL-terminated copy of the input: the parsers under test take spans,
 * but some properties want a C string. */
static inline char *fz_cstr(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);

    FZ_CHECK(s != NULL);
    if (size)
        memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

#endif
