/* test_log.c — both log formats, levels, and structured fields. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "log.h"

#include <cjson/cJSON.h>
#include <string.h>

struct s_capture {
    char lines[8][1024];
    int n;
};

static void s_sink(void *ctx, enum tw_log_level level, const char *line, size_t len)
{
    struct s_capture *c = ctx;

    (void)level;
    if (c->n < 8) {
        size_t n = len < 1023 ? len : 1023;
        memcpy(c->lines[c->n], line, n);
        c->lines[c->n][n] = '\0';
        c->n++;
    }
}

static void test_log_json_lines(void **state)
{
    struct s_capture cap = { 0 };
    cJSON *obj;

    (void)state;
    tw_log_set_sink(s_sink, &cap);
    tw_log_configure(TW_LOG_JSON, TW_LOG_INFO);
    tw_log_set_request_id("req-1");
    tw_log_kv(TW_LOG_WARN, "verdict \"quoted\"", "complianceType", "COMPLIANT", "skipped", NULL,
              "annotation", "a\nb", NULL);
    tw_log(TW_LOG_DEBUG, "dropped below INFO");
    assert_int_equal(cap.n, 1);
    obj = cJSON_Parse(cap.lines[0]);
    assert_non_null(obj);
    assert_string_equal(cJSON_GetObjectItem(obj, "level")->valuestring, "WARN");
    assert_string_equal(cJSON_GetObjectItem(obj, "message")->valuestring, "verdict \"quoted\"");
    assert_string_equal(cJSON_GetObjectItem(obj, "requestId")->valuestring, "req-1");
    assert_string_equal(cJSON_GetObjectItem(obj, "complianceType")->valuestring, "COMPLIANT");
    assert_string_equal(cJSON_GetObjectItem(obj, "annotation")->valuestring, "a\nb");
    assert_null(cJSON_GetObjectItem(obj, "skipped"));
    assert_true(strlen(cJSON_GetObjectItem(obj, "timestamp")->valuestring) == 24);
    cJSON_Delete(obj);
    tw_log_set_request_id(NULL);
    tw_log_set_sink(NULL, NULL);
}

static void test_log_text_lines(void **state)
{
    struct s_capture cap = { 0 };

    (void)state;
    tw_log_set_sink(s_sink, &cap);
    tw_log_configure(TW_LOG_TEXT, TW_LOG_DEBUG);
    tw_log_kv(TW_LOG_DEBUG, "ca bundle", "path", "/etc/ssl/certs/ca-certificates.crt", "note",
              "two words", NULL);
    assert_int_equal(cap.n, 1);
    assert_non_null(strstr(cap.lines[0], "\tDEBUG\t-\tca bundle path=/etc/ssl/certs/"));
    assert_non_null(strstr(cap.lines[0], " note=\"two words\""));
    tw_log_set_sink(NULL, NULL);
    tw_log_configure(TW_LOG_TEXT, TW_LOG_INFO);
}

static void test_log_levels(void **state)
{
    (void)state;
    assert_int_equal(tw_log_level_parse("debug"), TW_LOG_DEBUG);
    assert_int_equal(tw_log_level_parse("FATAL"), TW_LOG_FATAL);
    assert_int_equal(tw_log_level_parse("warning"), TW_LOG_WARN);
    assert_int_equal(tw_log_level_parse("verbose"), -1);
    assert_int_equal(tw_log_level_parse(NULL), -1);
    tw_log_configure(TW_LOG_TEXT, TW_LOG_ERROR);
    assert_false(tw_log_enabled(TW_LOG_WARN));
    assert_true(tw_log_enabled(TW_LOG_FATAL));
    tw_log_configure(TW_LOG_TEXT, TW_LOG_INFO);
    assert_string_equal(tw_log_level_name(TW_LOG_WARN), "WARN");
    assert_string_equal(tw_log_level_name(TW_LOG_FATAL), "FATAL");
    assert_string_equal(tw_log_level_name((enum tw_log_level)42), "INFO");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_log_json_lines),
        cmocka_unit_test(test_log_text_lines),
        cmocka_unit_test(test_log_levels),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
