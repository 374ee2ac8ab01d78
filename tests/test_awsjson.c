/* test_awsjson.c — whole-body JSON parsing and the typed getters. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "awsjson.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

static void test_json_parse_whole(void **state)
{
    static const struct {
        const char *text;
        size_t len; /* 0: strlen */
        int ok;
    } cases[] = {
        { "{}", 0, 1 },
        { " {\"a\":1} \r\n\t", 0, 1 },
        { "[1,2]", 0, 1 },
        { "\"s\"", 0, 1 },
        { "{\"s\":\"caf\xC3\xA9 \xF0\x9F\x94\x94\"}", 0, 1 },
        { "\xEF\xBB\xBF{}", 0, 1 }, /* a UTF-8 BOM is tolerated (cJSON skips it) */
        { "", 0, 0 },
        { "   ", 0, 0 },
        { "{} {}", 0, 0 },
        { "{}x", 0, 0 },
        { "{\"a\":1", 0, 0 },
        { "{\"a\":tru", 0, 0 },
        { "{\"a\":\"\\ud800\"}", 0, 0 },         /* lone surrogate escape */
        { "{\"a\":\"\xC0\xAF\"}", 0, 0 },          /* overlong */
        { "{\"a\":\"\xED\xA0\x80\"}", 0, 0 },      /* encoded surrogate */
        { "{\"a\":\"\xF4\x90\x80\x80\"}", 0, 0 },  /* above U+10FFFF */
        { "{\"a\":\"\xE2\x82\"}", 0, 0 },          /* truncated sequence */
        { "{\"a\":\"x\0y\"}", 11, 0 },             /* NUL inside */
        { "{}\0", 3, 0 },
        { "\xff\xfe{}", 0, 0 },
        { "<html>502 Bad Gateway</html>", 0, 0 },
        { "{\"trailList\":[{\"Name\":\"half\",,\"IsLogging\":tru", 0, 0 },
    };

    (void)state;
    for (size_t i = 0; i < TW_ARRAY_LEN(cases); i++) {
        struct tw_span s = { cases[i].text, cases[i].len ? cases[i].len : strlen(cases[i].text) };
        cJSON *v = tw_json_parse_whole(s);
        if ((v != NULL) != cases[i].ok)
            fail_msg("case %zu: got %s", i, v ? "a value" : "NULL");
        cJSON_Delete(v);
    }
    assert_null(tw_json_parse_whole((struct tw_span){ NULL, 0 }));
}

static void test_json_utf8(void **state)
{
    (void)state;
    assert_true(tw_json_utf8_valid("", 0));
    assert_true(tw_json_utf8_valid("\xE2\x82\xAC\xF0\x90\x8D\x88\xED\x9F\xBF", 10));
    assert_false(tw_json_utf8_valid("\x80", 1));
    assert_false(tw_json_utf8_valid("\xC1\xBF", 2));
    assert_false(tw_json_utf8_valid("\xE0\x80\x80", 3));
    assert_false(tw_json_utf8_valid("\xF0\x80\x80\x80", 4));
    assert_false(tw_json_utf8_valid("\xF5\x80\x80\x80", 4));
    assert_false(tw_json_utf8_valid("\xE2\x28\xA1", 3));
    /* A bad third or fourth byte, after a good second one. */
    assert_false(tw_json_utf8_valid("\xE2\x82\x41", 3));
    assert_false(tw_json_utf8_valid("\xF0\x90\x8D\xC0", 4));
    assert_true(tw_json_utf8_valid("\xF0\x90\x8D\xBF", 4));
}

static cJSON *s_doc(const char *text)
{
    cJSON *v = tw_json_parse_whole(tw_span_cstr(text));

    assert_non_null(v);
    return v;
}

static void test_json_getters(void **state)
{
    cJSON *doc = s_doc("{\"s\":\"x\",\"n\":null,\"b\":true,\"i\":42,\"f\":1.5,\"neg\":-3,"
                       "\"big\":1e300,\"t\":1.732723205123E9,\"ts\":\"2024-11-27T16:00:05Z\","
                       "\"a\":[\"p\",\"q\"],\"mixed\":[\"p\",1],\"o\":{},\"e\":[]}");
    struct tw_err err;
    char *s = (char *)"junk";
    char **v = NULL;
    size_t n = 9;
    const cJSON *item = NULL;
    int b = 3, have = 9;
    double d = 0;
    int64_t i = 0;

    (void)state;
    tw_err_clear(&err);
    assert_int_equal(tw_json_get_string(&s, doc, "s", 1, &err), TW_OK);
    assert_string_equal(s, "x");
    free(s);
    assert_int_equal(tw_json_get_string(&s, doc, "absent", 0, &err), TW_OK);
    assert_null(s);
    assert_int_equal(tw_json_get_string(&s, doc, "n", 0, &err), TW_OK); /* null = absent */
    assert_null(s);
    assert_int_equal(tw_json_get_string(&s, doc, "n", 1, &err), TW_EPARSE);
    assert_int_equal(tw_json_get_string(&s, doc, "i", 0, &err), TW_EPARSE);
    assert_null(s);
    assert_string_equal(err.msg, "field \"i\" must be a string, not a number");

    assert_int_equal(tw_json_get_bool(&b, &have, doc, "b", &err), TW_OK);
    assert_int_equal(b, 1);
    assert_int_equal(have, 1);
    b = 3;
    assert_int_equal(tw_json_get_bool(&b, &have, doc, "absent", &err), TW_OK);
    assert_int_equal(b, 3);
    assert_int_equal(have, 0);
    assert_int_equal(tw_json_get_bool(&b, NULL, doc, "absent", &err), TW_EPARSE);
    assert_string_equal(err.msg, "field \"absent\" is missing (expected a boolean)");
    assert_int_equal(tw_json_get_bool(&b, &have, doc, "s", &err), TW_EPARSE);
    assert_string_equal(err.msg, "field \"s\" must be a boolean, not a string");

    assert_int_equal(tw_json_get_number(&d, &have, doc, "f", &err), TW_OK);
    assert_true(d == 1.5);
    assert_int_equal(tw_json_get_number(&d, &have, doc, "b", &err), TW_EPARSE);
    assert_int_equal(tw_json_get_int64(&i, &have, doc, "i", 0, 100, &err), TW_OK);
    assert_int_equal(i, 42);
    assert_int_equal(tw_json_get_int64(&i, NULL, doc, "neg", -5, 5, &err), TW_OK);
    assert_int_equal(i, -3);
    assert_int_equal(tw_json_get_int64(&i, &have, doc, "f", 0, 100, &err), TW_EPARSE);
    assert_int_equal(tw_json_get_int64(&i, &have, doc, "i", 0, 41, &err), TW_EPARSE);
    assert_int_equal(tw_json_get_int64(&i, &have, doc, "big", INT64_MIN, INT64_MAX, &err),
                     TW_EPARSE);
    assert_int_equal(tw_json_get_int64(&i, &have, doc, "absent", 0, 1, &err), TW_OK);
    assert_int_equal(have, 0);

    assert_int_equal(tw_json_get_time_ms(&i, &have, doc, "t", &err), TW_OK);
    assert_int_equal(i, 1732723205123LL);
    assert_int_equal(tw_json_get_time_ms(&i, &have, doc, "ts", &err), TW_OK);
    assert_int_equal(i, 1732723205000LL);
    assert_int_equal(tw_json_get_time_ms(&i, &have, doc, "neg", &err), TW_EPARSE);
    assert_int_equal(tw_json_get_time_ms(&i, &have, doc, "big", &err), TW_EPARSE);
    assert_int_equal(tw_json_get_time_ms(&i, &have, doc, "s", &err), TW_EPARSE);
    assert_int_equal(tw_json_get_time_ms(&i, &have, doc, "b", &err), TW_EPARSE);

    assert_int_equal(tw_json_get_array(&item, doc, "a", 1, 2, &err), TW_OK);
    assert_non_null(item);
    assert_int_equal(tw_json_get_array(&item, doc, "a", 1, 1, &err), TW_ETOOBIG);
    assert_null(item);
    assert_int_equal(tw_json_get_array(&item, doc, "o", 1, 5, &err), TW_EPARSE);
    assert_int_equal(tw_json_get_object(&item, doc, "o", 1, &err), TW_OK);
    assert_non_null(item);
    assert_int_equal(tw_json_get_object(&item, doc, "a", 1, &err), TW_EPARSE);
    assert_int_equal(tw_json_get_object(&item, doc, "absent", 0, &err), TW_OK);
    assert_null(item);

    assert_int_equal(tw_json_get_string_array(&v, &n, doc, "a", 10, &err), TW_OK);
    assert_int_equal(n, 2);
    assert_string_equal(v[0], "p");
    assert_string_equal(v[1], "q");
    tw_json_strv_free(v, n);
    assert_int_equal(tw_json_get_string_array(&v, &n, doc, "e", 10, &err), TW_OK);
    assert_null(v);
    assert_int_equal(n, 0);
    assert_int_equal(tw_json_get_string_array(&v, &n, doc, "mixed", 10, &err), TW_EPARSE);
    assert_null(v);
    assert_int_equal(n, 0);
    assert_string_equal(err.msg, "field \"mixed\" item 1 must be a string, not a number");
    assert_int_equal(tw_json_get_string_array(&v, &n, doc, "s", 10, &err), TW_EPARSE);
    assert_int_equal(tw_json_get_string_array(&v, &n, doc, "a", 1, &err), TW_ETOOBIG);
    tw_json_strv_free(NULL, 0);

    /* Not an object at all: every member is absent. */
    assert_int_equal(tw_json_get_string(&s, item, "x", 0, &err), TW_OK);
    cJSON_Delete(doc);
}

static void test_json_string_cap(void **state)
{
    size_t n = TW_JSON_MAX_STRING + 1;
    char *text = malloc(n + 16), *s = NULL;
    struct tw_err err;
    cJSON *doc;

    (void)state;
    assert_non_null(text);
    memcpy(text, "{\"s\":\"", 6);
    memset(text + 6, 'x', n);
    memcpy(text + 6 + n, "\"}", 3);
    doc = s_doc(text);
    assert_int_equal(tw_json_get_string(&s, doc, "s", 1, &err), TW_ETOOBIG);
    assert_null(s);
    cJSON_Delete(doc);
    /* Exactly at the cap is fine. */
    memcpy(text + 6 + n - 1, "\"}", 3);
    doc = s_doc(text);
    assert_int_equal(tw_json_get_string(&s, doc, "s", 1, &err), TW_OK);
    assert_int_equal(strlen(s), TW_JSON_MAX_STRING);
    free(s);
    cJSON_Delete(doc);

    /* An over-long item in a string array: TW_ETOOBIG, nothing returned. */
    {
        char **v = (char **)&s;
        size_t nv = 7;

        memcpy(text, "{\"a\":[\"p\",\"", 11);
        memset(text + 11, 'x', n);
        memcpy(text + 11 + n, "\"]}", 4);
        doc = s_doc(text);
        assert_int_equal(tw_json_get_string_array(&v, &nv, doc, "a", 10, &err), TW_ETOOBIG);
        assert_null(v);
        assert_int_equal(nv, 0);
        cJSON_Delete(doc);
    }
    free(text);
}

/* A number that overflows a double is not a number AWS meant. */
static void test_json_non_finite(void **state)
{
    cJSON *doc = s_doc("{\"inf\":1e999,\"ninf\":-1e999,\"ok\":1e308}");
    struct tw_err err;
    double d = 7;
    int have = 7;

    (void)state;
    tw_err_clear(&err);
    assert_int_equal(tw_json_get_number(&d, &have, doc, "inf", &err), TW_EPARSE);
    assert_string_equal(err.msg, "field \"inf\" is not a finite number");
    assert_int_equal(tw_json_get_number(&d, &have, doc, "ninf", &err), TW_EPARSE);
    assert_int_equal(tw_json_get_number(&d, &have, doc, "ok", &err), TW_OK);
    assert_true(d == 1e308);
    assert_int_equal(have, 1);
    cJSON_Delete(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_parse_whole),
        cmocka_unit_test(test_json_utf8),
        cmocka_unit_test(test_json_getters),
        cmocka_unit_test(test_json_string_cap),
        cmocka_unit_test(test_json_non_finite),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
