/* test_event.c — decoding every trigger, and refusing what is not one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "event.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *s_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;

    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static const struct {
    const char *file;
    enum tw_trigger trigger;
    int test_mode, left_scope;
    int64_t ordering_ms;
    const char *resource_type; /* NULL: none */
} s_samples[] = {
    { "events/config-periodic.json", TW_TRIGGER_CONFIG_PERIODIC, 0, 0, 1795759200123LL, NULL },
    { "events/config-testmode.json", TW_TRIGGER_CONFIG_PERIODIC, 1, 0, 1795759200123LL, NULL },
    { "events/config-change.json", TW_TRIGGER_CONFIG_CHANGE, 0, 0, 1795770942861LL,
      "AWS::CloudTrail::Trail" },
    { "events/config-left-scope.json", TW_TRIGGER_CONFIG_CHANGE, 0, 1, 1795770942861LL,
      "AWS::CloudTrail::Trail" },
    { "events/config-oversized.json", TW_TRIGGER_CONFIG_OVERSIZED, 0, 0, 1795771201004LL,
      "AWS::CloudWatch::Alarm" },
    { "events/eventbridge-schedule.json", TW_TRIGGER_SCHEDULE, 0, 0, 1795759200000LL, NULL },
    { "events/eventbridge-cloudtrail-api-call.json", TW_TRIGGER_API_CALL, 0, 0, 1795771867000LL,
      NULL },
};

static void test_event_samples(void **state)
{
    (void)state;
    for (size_t i = 0; i < TW_ARRAY_LEN(s_samples); i++) {
        struct tw_event ev;
        struct tw_err err;
        size_t len;
        char *body = s_slurp(s_samples[i].file, &len);
        struct tw_span span = { body, len };
        int rc;

        tw_err_clear(&err);
        rc = tw_event_parse(&ev, span, &err);
        if (rc != TW_OK)
            fail_msg("%s: rc %d: %s", s_samples[i].file, rc, err.msg);
        assert_int_equal(ev.trigger, s_samples[i].trigger);
        assert_string_equal(ev.account_id, "111111111111");
        assert_int_equal(ev.test_mode, s_samples[i].test_mode);
        assert_int_equal(ev.left_scope, s_samples[i].left_scope);
        if (ev.ordering_time_ms != s_samples[i].ordering_ms)
            fail_msg("%s: ordering %lld, want %lld", s_samples[i].file,
                     (long long)ev.ordering_time_ms, (long long)s_samples[i].ordering_ms);
        if (s_samples[i].resource_type)
            assert_string_equal(ev.resource_type, s_samples[i].resource_type);
        else
            assert_null(ev.resource_type);
        if (tw_event_is_config(&ev)) {
            assert_non_null(ev.result_token);
            assert_string_equal(ev.config_rule_name, "trailwatch-cloudtrail-changes-monitored");
            assert_non_null(ev.execution_role_arn);
            assert_null(ev.rule_parameters); /* "{}" means none */
            assert_null(ev.region);
        } else {
            assert_null(ev.result_token);
            assert_string_equal(ev.region, "us-east-1");
        }
        if (ev.trigger == TW_TRIGGER_API_CALL)
            assert_string_equal(ev.api_event_name, "StopLogging");
        tw_event_cleanup(&ev);
        free(body);
    }
}

#define SCHED "{\\\"messageType\\\":\\\"ScheduledNotification\\\",\\\"notificationCreationTime\\\":\\\"2026-01-02T03:04:05Z\\\"}"

static const struct {
    const char *body;
    int want;
    const char *msg_part; /* expected in err.msg */
} s_inline[] = {
    { "{\"invokingEvent\":\"" SCHED "\",\"resultToken\":\"t\",\"accountId\":\"123456789012\"}",
      TW_OK, NULL },
    { "{\"invokingEvent\":\"" SCHED "\",\"resultToken\":\"t\",\"accountId\":\"123456789012\","
      "\"ruleParameters\":\"{\\\"Strict\\\":\\\"true\\\"}\"}",
      TW_OK, NULL },
    { "{\"invokingEvent\":\"" SCHED "\",\"resultToken\":\"\",\"accountId\":\"123456789012\"}",
      TW_EPARSE, "empty \"resultToken\"" },
    { "{\"invokingEvent\":\"" SCHED "\",\"resultToken\":\"t\",\"accountId\":\"12345678901a\"}",
      TW_EPARSE, "12 digits" },
    { "{\"invokingEvent\":\"" SCHED "\",\"resultToken\":\"t\",\"accountId\":\"123456789012\","
      "\"ruleParameters\":\"\"}",
      TW_OK, NULL },
    { "{\"invokingEvent\":\"" SCHED "\",\"resultToken\":\"t\",\"accountId\":\"123456789012\","
      "\"eventLeftScope\":1}",
      TW_EPARSE, "eventLeftScope" },
    { "{\"invokingEvent\":\"{\\\"messageType\\\":\\\"ScheduledNotification\\\","
      "\\\"notificationCreationTime\\\":\\\"2026-02-30T00:00:00Z\\\"}\",\"resultToken\":\"t\","
      "\"accountId\":\"123456789012\"}",
      TW_EPARSE, "ISO 8601" },
    { "{\"invokingEvent\":42,\"resultToken\":\"t\",\"accountId\":\"123456789012\"}", TW_EPARSE,
      "invokingEvent" },
    { "{\"detail-type\":\"Scheduled Event\",\"account\":\"123456789012\",\"region\":\"eu-west-1\","
      "\"time\":\"2026-01-02T03:04:05Z\"}",
      TW_OK, NULL },
    { "{\"detail-type\":\"Scheduled Event\",\"account\":123456789012,\"region\":\"eu-west-1\","
      "\"time\":\"2026-01-02T03:04:05Z\"}",
      TW_EPARSE, "\"account\" must be a string" },
    { "{\"detail-type\":\"Object Created\",\"account\":\"123456789012\"}", TW_EUNSUPPORTED,
      "Object Created" },
    { "{}", TW_EUNSUPPORTED, "neither" },
    { "null", TW_EPARSE, "JSON object" },
    { "\"text\"", TW_EPARSE, "JSON object" },
    { "{\"a\":1}x", TW_EPARSE, "not valid JSON" },
    /* Members of the right name but the wrong type. */
    { "{\"invokingEvent\":\"{\\\"messageType\\\":\\\"ConfigurationItemChangeNotification\\\","
      "\\\"configurationItem\\\":{\\\"configurationItemCaptureTime\\\":"
      "\\\"2026-01-02T03:04:05Z\\\",\\\"resourceType\\\":5}}\",\"resultToken\":\"t\","
      "\"accountId\":\"123456789012\"}",
      TW_EPARSE, "configurationItem field \"resourceType\" must be a string" },
    { "{\"detail-type\":\"AWS API Call via CloudTrail\",\"account\":\"123456789012\","
      "\"region\":\"eu-west-1\",\"time\":\"2026-01-02T03:04:05Z\",\"detail\":{\"eventName\":[]}}",
      TW_EPARSE, "detail field \"eventName\" must be a string" },
};

static void test_event_inline(void **state)
{
    (void)state;
    for (size_t i = 0; i < TW_ARRAY_LEN(s_inline); i++) {
        struct tw_event ev;
        struct tw_err err;
        int rc;

        tw_err_clear(&err);
        rc = tw_event_parse(&ev, tw_span_cstr(s_inline[i].body), &err);
        if (rc != s_inline[i].want)
            fail_msg("case %zu: rc %d, want %d (%s)", i, rc, s_inline[i].want, err.msg);
        if (s_inline[i].msg_part && !strstr(err.msg, s_inline[i].msg_part))
            fail_msg("case %zu: message \"%s\" lacks \"%s\"", i, err.msg, s_inline[i].msg_part);
        if (rc != TW_OK) {
            /* A failed parse leaves nothing behind. */
            assert_null(ev.account_id);
            assert_null(ev.result_token);
        }
        tw_event_cleanup(&ev);
    }
}

/* Names for out-of-range values never crash or mislead. */
static void test_event_names(void **state)
{
    (void)state;
    assert_string_equal(tw_trigger_name(TW_TRIGGER_CONFIG_PERIODIC), "config-periodic");
    assert_string_equal(tw_trigger_name(TW_TRIGGER_API_CALL), "api-call");
    assert_string_equal(tw_trigger_name((enum tw_trigger)99), "unknown");
    assert_string_equal(tw_trigger_name((enum tw_trigger)-1), "unknown");
    tw_event_cleanup(NULL);
}

static void test_event_rule_parameters_parsed(void **state)
{
    struct tw_event ev;
    struct tw_err err;
    const cJSON *strict;

    (void)state;
    tw_err_clear(&err);
    assert_int_equal(tw_event_parse(&ev, tw_span_cstr(s_inline[1].body), &err), TW_OK);
    assert_non_null(ev.rule_parameters);
    strict = cJSON_GetObjectItemCaseSensitive(ev.rule_parameters, "Strict");
    assert_true(cJSON_IsString(strict));
    assert_string_equal(strict->valuestring, "true");
    tw_event_cleanup(&ev);
}

static void test_event_too_big(void **state)
{
    struct tw_event ev;
    struct tw_err err;
    struct tw_span big = { "{}", (size_t)TW_MAX_EVENT + 1 };

    (void)state;
    tw_err_clear(&err);
    /* The size is checked before a byte is read. */
    assert_int_equal(tw_event_parse(&ev, big, &err), TW_ETOOBIG);
    assert_non_null(strstr(err.msg, "limit"));
}

/* Every file in tests/events-bad is refused with its expected class. */
static void test_event_bad_corpus(void **state)
{
    size_t len, n = 0;
    char *manifest = s_slurp("tests/events-bad/expected.json", &len);
    cJSON *root = cJSON_Parse(manifest), *item;

    (void)state;
    assert_non_null(root);
    cJSON_ArrayForEach(item, root)
    {
        char path[512];
        char *body;
        size_t blen;
        struct tw_event ev;
        struct tw_err err;
        int rc, want;

        snprintf(path, sizeof(path), "tests/events-bad/%s", item->string);
        body = s_slurp(path, &blen);
        tw_err_clear(&err);
        rc = tw_event_parse(&ev, (struct tw_span){ body, blen }, &err);
        want = strcmp(item->valuestring, "Event.Unsupported") == 0 ? TW_EUNSUPPORTED : TW_EPARSE;
        if (rc != want)
            fail_msg("%s: rc %d, want %d (%s)", item->string, rc, want, err.msg);
        assert_true(err.msg[0] != '\0');
        free(body);
        n++;
    }
    assert_true(n >= 20);
    cJSON_Delete(root);
    free(manifest);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_event_samples),
        cmocka_unit_test(test_event_inline),
        cmocka_unit_test(test_event_names),
        cmocka_unit_test(test_event_rule_parameters_parsed),
        cmocka_unit_test(test_event_too_big),
        cmocka_unit_test(test_event_bad_corpus),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
