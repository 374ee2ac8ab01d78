/* test_params.c — every accepted and rejected form of the rule parameters. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "params.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#define ACCEPTED_LIST "accepted: Strict (\"true\" or \"false\"), ExternalMonitoring"

struct pcase {
    const char *json; /* the ruleParameters object; NULL: no parameters */
    int want_rc;
    int strict;
    const char *external;
    const char *role;
    const char *err_substr; /* failures: in err.msg */
};

static const struct pcase s_cases[] = {
    /* accepted */
    { NULL, TW_OK, 0, "", "", NULL },
    { "{}", TW_OK, 0, "", "", NULL },
    { "{\"Strict\":\"true\"}", TW_OK, 1, "", "", NULL },
    { "{\"Strict\":\"false\"}", TW_OK, 0, "", "", NULL },
    { "{\"Strict\":\"TRUE\"}", TW_OK, 1, "", "", NULL },
    { "{\"Strict\":\"True\"}", TW_OK, 1, "", "", NULL },
    { "{\"Strict\":\"False\"}", TW_OK, 0, "", "", NULL },
    { "{\"ExternalMonitoring\":\"Splunk ES rule CT-1\"}", TW_OK, 0, "Splunk ES rule CT-1", "",
      NULL },
    { "{\"ExternalMonitoring\":\"x\"}", TW_OK, 0, "x", "", NULL },
    { "{\"ExternalMonitoring\":\"Sécurité \\u2013 SIEM \\ud83d\\udd12\"}", TW_OK, 0,
      "S\xc3\xa9" "curit\xc3\xa9 \xe2\x80\x93 SIEM \xf0\x9f\x94\x92", "", NULL },
    { "{\"ExecutionRoleName\":\"TrailwatchAudit\"}", TW_OK, 0, "", "TrailwatchAudit", NULL },
    { "{\"ExecutionRoleName\":\"a+b=c,d.e@f_g-h\"}", TW_OK, 0, "", "a+b=c,d.e@f_g-h", NULL },
    { "{\"ExecutionRoleName\":\"R\"}", TW_OK, 0, "", "R", NULL },
    { "{\"Strict\":\"true\",\"ExternalMonitoring\":\"EventBridge rule ct\","
      "\"ExecutionRoleName\":\"Audit\"}",
      TW_OK, 1, "EventBridge rule ct", "Audit", NULL },
    /* rejected names */
    { "{\"strict\":\"true\"}", TW_EPARSE, 0, "", "", "unknown rule parameter \"strict\"" },
    { "{\"Foo\":\"bar\"}", TW_EPARSE, 0, "", "", "unknown rule parameter \"Foo\"; " ACCEPTED_LIST },
    { "{\"\":\"x\"}", TW_EPARSE, 0, "", "", "unknown rule parameter \"\"" },
    { "{\"Strict\":\"true\",\"Strict\":\"false\"}", TW_EPARSE, 0, "", "", "given twice" },
    /* rejected shapes */
    { "[]", TW_EPARSE, 0, "", "", "must be a JSON object" },
    { "\"Strict\"", TW_EPARSE, 0, "", "", "must be a JSON object" },
    { "{\"Strict\":true}", TW_EPARSE, 0, "", "", "Strict must be a JSON string" },
    { "{\"Strict\":1}", TW_EPARSE, 0, "", "", "Strict must be a JSON string" },
    { "{\"ExternalMonitoring\":null}", TW_EPARSE, 0, "", "", "ExternalMonitoring must be a JSON string" },
    { "{\"ExecutionRoleName\":[\"a\"]}", TW_EPARSE, 0, "", "", "ExecutionRoleName must be a JSON string" },
    /* rejected Strict values */
    { "{\"Strict\":\"yes\"}", TW_EPARSE, 0, "", "", "Strict must be \"true\" or \"false\", not \"yes\"" },
    { "{\"Strict\":\"1\"}", TW_EPARSE, 0, "", "", "not \"1\"" },
    { "{\"Strict\":\"\"}", TW_EPARSE, 0, "", "", "not \"\"" },
    { "{\"Strict\":\" true\"}", TW_EPARSE, 0, "", "", "not \" true\"" },
    { "{\"Strict\":\"truee\"}", TW_EPARSE, 0, "", "", "not \"truee\"" },
    /* rejected ExternalMonitoring values */
    { "{\"ExternalMonitoring\":\"\"}", TW_EPARSE, 0, "", "", "ExternalMonitoring must be 1-128 bytes" },
    { "{\"ExternalMonitoring\":\"   \"}", TW_EPARSE, 0, "", "", "ExternalMonitoring must be" },
    { "{\"ExternalMonitoring\":\"a\\nb\"}", TW_EPARSE, 0, "", "", "without control characters" },
    { "{\"ExternalMonitoring\":\"a\\tb\"}", TW_EPARSE, 0, "", "", "without control characters" },
    { "{\"ExternalMonitoring\":\"a\\u007fb\"}", TW_EPARSE, 0, "", "", "without control characters" },
    { "{\"ExternalMonitoring\":\"a\\u0085b\"}", TW_EPARSE, 0, "", "", "without control characters" },
    /* rejected ExecutionRoleName values */
    { "{\"ExecutionRoleName\":\"\"}", TW_EPARSE, 0, "", "", "ExecutionRoleName must be an IAM role name" },
    { "{\"ExecutionRoleName\":\"path/Role\"}", TW_EPARSE, 0, "", "", "not \"path/Role\"" },
    { "{\"ExecutionRoleName\":\"arn:aws:iam::111111111111:role/Audit\"}", TW_EPARSE, 0, "", "",
      "no path" },
    { "{\"ExecutionRoleName\":\"has space\"}", TW_EPARSE, 0, "", "", "not \"has space\"" },
    { "{\"ExecutionRoleName\":\"r\\u00f4le\"}", TW_EPARSE, 0, "", "", "must be an IAM role name" },
};

static void s_run(const struct pcase *c, size_t i)
{
    cJSON *doc = c->json ? cJSON_Parse(c->json) : NULL;
    struct tw_params p;
    struct tw_err err;
    int rc;

    if (c->json && !doc)
        fail_msg("case %zu: bad test JSON %s", i, c->json);
    tw_err_clear(&err);
    memset(&p, 0x5a, sizeof(p)); /* garbage: must be overwritten either way */
    rc = tw_params_parse(&p, doc, &err);
    cJSON_Delete(doc);
    if (rc != c->want_rc)
        fail_msg("case %zu %s: rc %d, want %d (%s)", i, c->json ? c->json : "NULL", rc,
                 c->want_rc, err.msg);
    if (rc == TW_OK) {
        if (p.strict != c->strict || strcmp(p.external_monitoring, c->external) != 0 ||
            strcmp(p.execution_role_name, c->role) != 0)
            fail_msg("case %zu %s: got strict=%d external=\"%s\" role=\"%s\"", i, c->json,
                     p.strict, p.external_monitoring, p.execution_role_name);
    } else {
        struct tw_params zero;
        memset(&zero, 0, sizeof(zero));
        if (memcmp(&p, &zero, sizeof(p)) != 0)
            fail_msg("case %zu %s: *out not zeroed on failure", i, c->json);
        if (!strstr(err.msg, c->err_substr))
            fail_msg("case %zu %s: error \"%s\" lacks \"%s\"", i, c->json, err.msg, c->err_substr);
        if (!strstr(err.msg, "accepted: Strict"))
            fail_msg("case %zu %s: error \"%s\" does not list the accepted parameters", i,
                     c->json, err.msg);
    }
}

static void test_params_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < TW_ARRAY_LEN(s_cases); i++)
        s_run(&s_cases[i], i);
}

/* Length limits, exactly at and one past the edge. */
static void test_params_lengths(void **state)
{
    char value[300], json[400];
    struct pcase c;

    (void)state;
    memset(&c, 0, sizeof(c));
    /* ExternalMonitoring: 128 bytes accepted, 129 refused. */
    memset(value, 'e', 128);
    value[128] = '\0';
    snprintf(json, sizeof(json), "{\"ExternalMonitoring\":\"%s\"}", value);
    c = (struct pcase){ json, TW_OK, 0, value, "", NULL };
    s_run(&c, 1000);
    value[128] = 'e';
    value[129] = '\0';
    snprintf(json, sizeof(json), "{\"ExternalMonitoring\":\"%s\"}", value);
    c = (struct pcase){ json, TW_EPARSE, 0, "", "", "(got 129 bytes)" };
    s_run(&c, 1001);
    /* 42 three-byte characters = 126 bytes accepted; 43 = 129 refused. */
    for (size_t i = 0; i < 43; i++)
        memcpy(value + 3 * i, "\xe2\x82\xac", 3);
    value[3 * 42] = '\0';
    snprintf(json, sizeof(json), "{\"ExternalMonitoring\":\"%s\"}", value);
    c = (struct pcase){ json, TW_OK, 0, value, "", NULL };
    s_run(&c, 1002);
    value[3 * 42] = '\xe2';
    value[3 * 43] = '\0';
    snprintf(json, sizeof(json), "{\"ExternalMonitoring\":\"%s\"}", value);
    c = (struct pcase){ json, TW_EPARSE, 0, "", "", "(got 129 bytes)" };
    s_run(&c, 1003);
    /* ExecutionRoleName: 64 accepted, 65 refused. */
    memset(value, 'r', 64);
    value[64] = '\0';
    snprintf(json, sizeof(json), "{\"ExecutionRoleName\":\"%s\"}", value);
    c = (struct pcase){ json, TW_OK, 0, "", value, NULL };
    s_run(&c, 1004);
    value[64] = 'r';
    value[65] = '\0';
    snprintf(json, sizeof(json), "{\"ExecutionRoleName\":\"%s\"}", value);
    c = (struct pcase){ json, TW_EPARSE, 0, "", "", "must be an IAM role name" };
    s_run(&c, 1005);
}

/* Invalid UTF-8 cannot come through cJSON_Parse of \u escapes; build it directly. */
static void test_params_bad_utf8(void **state)
{
    static const char *const bad[] = {
        "\xc3",             /* truncated */
        "\xc0\xaf",         /* overlong */
        "\xed\xa0\x80",     /* surrogate */
        "\xf4\x90\x80\x80", /* above U+10FFFF */
        "\xff",
    };
    (void)state;
    for (size_t i = 0; i < TW_ARRAY_LEN(bad); i++) {
        cJSON *doc = cJSON_CreateObject();
        struct tw_params p;
        struct tw_err err;

        assert_non_null(doc);
        assert_non_null(cJSON_AddStringToObject(doc, "ExternalMonitoring", bad[i]));
        tw_err_clear(&err);
        assert_int_equal(tw_params_parse(&p, doc, &err), TW_EPARSE);
        assert_non_null(strstr(err.msg, "UTF-8"));
        cJSON_Delete(doc);
    }
}

/* A hostile parameter name cannot put control characters into the error. */
static void test_params_error_is_printable(void **state)
{
    cJSON *doc = cJSON_CreateObject();
    struct tw_params p;
    struct tw_err err;
    char longname[200];

    (void)state;
    assert_non_null(doc);
    assert_non_null(cJSON_AddStringToObject(doc, "Str\nict\x1b[31m", "true"));
    tw_err_clear(&err);
    assert_int_equal(tw_params_parse(&p, doc, &err), TW_EPARSE);
    for (const char *s = err.msg; *s; s++)
        assert_true((unsigned char)*s >= 0x20 && *s != 0x7f);
    assert_non_null(strstr(err.msg, "\"Str?ict?[31m\""));
    cJSON_Delete(doc);

    memset(longname, 'n', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = '\0';
    doc = cJSON_CreateObject();
    assert_non_null(doc);
    assert_non_null(cJSON_AddStringToObject(doc, longname, "x"));
    assert_int_equal(tw_params_parse(&p, doc, &err), TW_EPARSE);
    assert_non_null(strstr(err.msg, "nnn...\""));
    assert_non_null(strstr(err.msg, "accepted: Strict"));
    cJSON_Delete(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_params_table),
        cmocka_unit_test(test_params_lengths),
        cmocka_unit_test(test_params_bad_utf8),
        cmocka_unit_test(test_params_error_is_printable),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
