/* test_timeutil.c — ISO 8601 in, epoch out, and AWS's formats. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "timeutil.h"

static const struct {
    const char *in;
    int rc;
    int64_t ms;
} s_cases[] = {
    { "1970-01-01T00:00:00Z", TW_OK, 0 },
    { "2016-07-13T21:50:00.373Z", TW_OK, 1468446600373LL },
    { "2016-07-13T21:50:00Z", TW_OK, 1468446600000LL },
    { "2016-07-13T23:50:00+02:00", TW_OK, 1468446600000LL },
    { "2016-07-13T19:50:00-0200", TW_OK, 1468446600000LL },
    { "2016-07-13T21:50:00.3Z", TW_OK, 1468446600300LL },
    { "2016-07-13T21:50:00.123456Z", TW_OK, 1468446600123LL },
    { "2024-02-29T00:00:00Z", TW_OK, 1709164800000LL },
    { "2023-02-29T00:00:00Z", TW_EPARSE, 0 },
    { "2016-13-01T00:00:00Z", TW_EPARSE, 0 },
    { "2016-07-13T24:00:00Z", TW_EPARSE, 0 },
    { "2016-07-13T21:50:00", TW_EPARSE, 0 },  /* no zone: ambiguous */
    { "2016-07-13", TW_EPARSE, 0 },
    { "2016-07-13T21:50:00.Z", TW_EPARSE, 0 },
    { "2016-07-13T21:50:00Zjunk", TW_EPARSE, 0 },
    { "", TW_EPARSE, 0 },
    /* Lower-case separators and a blank instead of 'T' are accepted. */
    { "2016-07-13 21:50:00z", TW_OK, 1468446600000LL },
    { "2016-07-13t21:50:00+00:00", TW_OK, 1468446600000LL },
    /* Broken time of day and broken zone offsets. */
    { "2016-07-13T21-50:00Z", TW_EPARSE, 0 },
    { "2016-07-13T21:5x:00Z", TW_EPARSE, 0 },
    { "2016-07-13T21:50:00+2:00", TW_EPARSE, 0 },
    { "2016-07-13T21:50:00+", TW_EPARSE, 0 },
    { "2016-07-13T21:50:00+24:00", TW_EPARSE, 0 },
    { "2016-07-13T21:50:00+01:60", TW_EPARSE, 0 },
    { "2016-07-13T21:50:00+01:0", TW_EPARSE, 0 },
    { "2016-07-13T21:50:00+23:59", TW_OK, 1468446600000LL - (23 * 60 + 59) * 60000LL },
};

static void test_parse_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < TW_ARRAY_LEN(s_cases); i++) {
        int64_t ms = -1;
        int rc = tw_time_parse_iso8601(&ms, s_cases[i].in);
        if (rc != s_cases[i].rc || (rc == TW_OK && ms != s_cases[i].ms))
            fail_msg("case %zu (%s): rc %d ms %lld", i, s_cases[i].in, rc, (long long)ms);
    }
    assert_int_equal(tw_time_parse_iso8601(&(int64_t){ 0 }, NULL), TW_EPARSE);
}

static void test_formats(void **state)
{
    char out[32];

    (void)state;
    tw_time_format_amz(out, (time_t)1440938160); /* the SigV4 suite's time */
    assert_string_equal(out, "20150830T123600Z");
    tw_time_format_iso8601_ms(out, 1468446600373LL);
    assert_string_equal(out, "2016-07-13T21:50:00.373Z");
    assert_true(tw_time_now_ms() > 1700000000000LL);
    assert_true(tw_time_mono_ms() >= 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_table),
        cmocka_unit_test(test_formats),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
