/* test_buf.c — capped buffers never truncate, errors compose. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tw.h"

#include <stdlib.h>
#include <string.h>

static void test_buf_append_and_cap(void **state)
{
    struct tw_buf b;

    (void)state;
    tw_buf_init(&b, 8);
    assert_string_equal(tw_buf_cstr(&b), "");
    assert_int_equal(tw_buf_append_cstr(&b, "abcd"), TW_OK);
    assert_int_equal(tw_buf_append_cstr(&b, "efgh"), TW_OK);
    assert_int_equal(b.len, 8);
    /* One byte past the cap fails and leaves the contents alone. */
    assert_int_equal(tw_buf_append_char(&b, 'i'), TW_ETOOBIG);
    assert_string_equal(tw_buf_cstr(&b), "abcdefgh");
    assert_int_equal(tw_buf_printf(&b, "%d", 1), TW_ETOOBIG);
    assert_int_equal(b.len, 8);
    tw_buf_reset(&b);
    assert_int_equal(tw_buf_printf(&b, "%s-%d", "x", 42), TW_OK);
    assert_string_equal(tw_buf_cstr(&b), "x-42");
    tw_buf_cleanup(&b);
    tw_buf_cleanup(&b); /* idempotent */
    assert_null(b.ptr);
}

static void test_buf_overflow_sizes(void **state)
{
    struct tw_buf b;

    (void)state;
    tw_buf_init(&b, 16);
    /* A length that would wrap size_t arithmetic is refused. */
    assert_int_equal(tw_buf_append(&b, "x", SIZE_MAX), TW_ETOOBIG);
    assert_int_equal(tw_buf_append(&b, "0123456789abcdef", 16), TW_OK);
    assert_int_equal(tw_buf_append(&b, "", 0), TW_OK);
    tw_buf_cleanup(&b);
}

static void test_buf_detach_and_secure(void **state)
{
    struct tw_buf b;
    char *p;

    (void)state;
    tw_buf_init(&b, 64);
    p = tw_buf_detach(&b);
    assert_string_equal(p, "");
    free(p);
    assert_int_equal(tw_buf_append_cstr(&b, "secret"), TW_OK);
    tw_buf_cleanup_secure(&b);
    assert_null(b.ptr);
    assert_int_equal(b.len, 0);
}

static void test_err_prefix_and_strlcpy(void **state)
{
    struct tw_err err;
    char small[4];

    (void)state;
    tw_err_clear(&err);
    tw_err_prefix(&err, "alone");
    assert_string_equal(err.msg, "alone");
    tw_err_set(&err, "inner %d", 7);
    tw_err_prefix(&err, "outer %s", "x");
    assert_string_equal(err.msg, "outer x: inner 7");
    tw_err_set(NULL, "ignored");
    assert_int_equal(tw_strlcpy(small, "abcdef", sizeof(small)), 1);
    assert_string_equal(small, "abc");
    assert_int_equal(tw_strlcpy(small, "ab", sizeof(small)), 0);
    assert_true(tw_span_eq_cstr(TW_SPAN_LIT("abc"), "abc"));
    assert_false(tw_span_eq_cstr(TW_SPAN_LIT("abc"), "abd"));
    assert_int_equal(tw_span_cstr(NULL).len, 0);
    /* A zero-size destination is never written; the return says whether
     * anything was lost. */
    small[0] = 'z';
    assert_int_equal(tw_strlcpy(small, "abc", 0), 1);
    assert_int_equal(tw_strlcpy(small, "", 0), 0);
    assert_int_equal(small[0], 'z');
    /* NULL-safe helpers. */
    assert_null(tw_strdup(NULL));
    tw_err_prefix(NULL, "ignored %d", 1);
    tw_buf_cleanup(NULL);
    tw_buf_cleanup_secure(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buf_append_and_cap),
        cmocka_unit_test(test_buf_overflow_sizes),
        cmocka_unit_test(test_buf_detach_and_secure),
        cmocka_unit_test(test_err_prefix_and_strlcpy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
