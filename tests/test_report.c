/* test_report.c — evaluations, the response document, EMF and text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cjson_fail.h"
#include "event.h"
#include "report.h"

#include <cjson/cJSON.h>
#include <string.h>

static void s_event(struct tw_event *ev)
{
    memset(ev, 0, sizeof(*ev));
    ev->trigger = TW_TRIGGER_CONFIG_PERIODIC;
    ev->account_id = (char *)(uintptr_t) "123456789012";
    ev->ordering_time_ms = 1795759200123LL;
}

static void s_verdict(struct tw_verdict *v, enum tw_compliance c, const char *annotation)
{
    memset(v, 0, sizeof(*v));
    v->compliance = c;
    strcpy(v->annotation, annotation);
    strcpy(v->reason, annotation);
    v->links[TW_LINK_TRAIL].state = TW_LINK_PROVEN;
    strcpy(v->links[TW_LINK_TRAIL].name, "main");
    v->links[TW_LINK_FILTER].state = TW_LINK_BROKEN;
    strcpy(v->links[TW_LINK_FILTER].name, "cis");
    strcpy(v->links[TW_LINK_FILTER].detail, "misses StopLogging");
}

static void test_evaluation_and_response(void **state)
{
    struct tw_event ev;
    struct tw_verdict v;
    struct tw_evaluation e;
    struct tw_delivery d = { "PutEvaluations", 1, 0, NULL };
    struct tw_buf out;
    cJSON *doc, *item, *expected;

    (void)state;
    s_event(&ev);
    s_verdict(&v, TW_NON_COMPLIANT, "trail main: filter cis misses StopLogging");
    tw_report_evaluation(&e, &v, &ev);
    tw_buf_init(&out, 1 << 20);
    assert_int_equal(tw_report_response(&out, &ev, &v, &e, 1, &d, NULL), TW_OK);
    doc = cJSON_Parse(tw_buf_cstr(&out));
    assert_non_null(doc);
    assert_string_equal(cJSON_GetObjectItem(doc, "complianceType")->valuestring, "NON_COMPLIANT");
    item = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "evaluations"), 0);
    expected = tw_report_evaluation_json(&e);
    /* The response carries exactly what PutEvaluations gets. */
    assert_true(cJSON_Compare(item, expected, 1));
    assert_string_equal(cJSON_GetObjectItem(item, "ComplianceResourceType")->valuestring,
                        "AWS::::Account");
    assert_true(cJSON_GetObjectItem(item, "OrderingTimestamp")->valuedouble == 1795759200.123);
    item = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "chain"), 1);
    assert_string_equal(cJSON_GetObjectItem(item, "state")->valuestring, "broken");
    assert_string_equal(cJSON_GetObjectItem(item, "detail")->valuestring, "misses StopLogging");
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "delivery"), "sent")));
    cJSON_Delete(expected);
    cJSON_Delete(doc);
    tw_buf_cleanup(&out);
}

static void test_empty_annotation_is_omitted(void **state)
{
    struct tw_event ev;
    struct tw_verdict v;
    struct tw_evaluation e;
    cJSON *obj;

    (void)state;
    s_event(&ev);
    s_verdict(&v, TW_COMPLIANT, "");
    tw_report_evaluation(&e, &v, &ev);
    obj = tw_report_evaluation_json(&e);
    /* Config rejects an empty Annotation: it must be absent. */
    assert_null(cJSON_GetObjectItem(obj, "Annotation"));
    cJSON_Delete(obj);
}

static void test_emf(void **state)
{
    struct tw_verdict v;
    struct tw_buf out;
    cJSON *doc, *dir;

    (void)state;
    tw_buf_init(&out, 4096);
    s_verdict(&v, TW_COMPLIANT, "ok");
    assert_int_equal(tw_report_emf(&out, "my-rule", &v, 42, 1700000000000LL), TW_OK);
    doc = cJSON_Parse(tw_buf_cstr(&out));
    assert_non_null(doc);
    dir = cJSON_GetArrayItem(
        cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "_aws"), "CloudWatchMetrics"), 0);
    assert_string_equal(cJSON_GetObjectItem(dir, "Namespace")->valuestring, "trailwatch");
    assert_string_equal(
        cJSON_GetArrayItem(cJSON_GetArrayItem(cJSON_GetObjectItem(dir, "Dimensions"), 0), 0)
            ->valuestring,
        "RuleName");
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(dir, "Metrics")), 2);
    assert_string_equal(cJSON_GetObjectItem(doc, "RuleName")->valuestring, "my-rule");
    assert_int_equal(cJSON_GetObjectItem(doc, "Compliant")->valueint, 1);
    assert_int_equal(cJSON_GetObjectItem(doc, "AuditDurationMs")->valueint, 42);
    cJSON_Delete(doc);

    /* NOT_APPLICABLE is neither compliant nor not: no Compliant metric. */
    s_verdict(&v, TW_NOT_APPLICABLE, "na");
    assert_int_equal(tw_report_emf(&out, NULL, &v, 1, 1700000000000LL), TW_OK);
    doc = cJSON_Parse(tw_buf_cstr(&out));
    assert_null(cJSON_GetObjectItem(doc, "Compliant"));
    assert_string_equal(cJSON_GetObjectItem(doc, "RuleName")->valuestring, "none");
    cJSON_Delete(doc);
    tw_buf_cleanup(&out);
}

static void test_text_report(void **state)
{
    struct tw_event ev;
    struct tw_verdict v;
    struct tw_delivery d = { "PutEvaluations", 0, 1, "dry run" };
    struct tw_buf out;

    (void)state;
    s_event(&ev);
    s_verdict(&v, TW_NON_COMPLIANT, "trail main: filter cis misses StopLogging");
    tw_buf_init(&out, 4096);
    assert_int_equal(tw_report_text(&out, &ev, &v, &d), TW_OK);
    assert_non_null(strstr(tw_buf_cstr(&out), "  [ok ] trail  main\n"));
    assert_non_null(strstr(tw_buf_cstr(&out), "  [XX ] filter cis\n           misses StopLogging\n"));
    assert_non_null(strstr(tw_buf_cstr(&out), "  [ - ] alarm"));
    assert_non_null(strstr(tw_buf_cstr(&out), "=> NON_COMPLIANT: trail main"));
    assert_non_null(
        strstr(tw_buf_cstr(&out), "sent to Config: PutEvaluations (not sent, test mode: dry run)"));
    tw_buf_cleanup(&out);
}

/* Unknown enum values never read as a pass. */
static void test_names(void **state)
{
    (void)state;
    assert_string_equal(tw_compliance_name(TW_COMPLIANT), "COMPLIANT");
    assert_string_equal(tw_compliance_name(TW_NON_COMPLIANT), "NON_COMPLIANT");
    assert_string_equal(tw_compliance_name(TW_NOT_APPLICABLE), "NOT_APPLICABLE");
    assert_string_equal(tw_compliance_name((enum tw_compliance)42), "NON_COMPLIANT");
    assert_string_equal(tw_link_kind_name(TW_LINK_TOPIC), "topic");
    assert_string_equal(tw_link_kind_name(TW_LINK_COUNT), "link");
    assert_string_equal(tw_link_kind_name((enum tw_link_kind)-1), "link");
}

/* Every allocation failure inside cJSON is TW_ENOMEM with a message, never a
 * partial document; the first run with no failure injected is complete. */
static void test_response_out_of_memory(void **state)
{
    struct tw_event ev;
    struct tw_verdict v;
    struct tw_evaluation e[2];
    struct tw_delivery d = { "PutEvaluations", 0, 1, "dry run" };
    struct tw_buf out;
    struct tw_err err;
    unsigned long n;
    int rc;

    (void)state;
    s_event(&ev);
    s_verdict(&v, TW_NON_COMPLIANT, "trail main: filter cis misses StopLogging");
    tw_report_evaluation(&e[0], &v, &ev);
    tw_report_evaluation(&e[1], &v, &ev);
    tw_buf_init(&out, 1 << 20);
    for (n = 1;; n++) {
        tw_err_clear(&err);
        cf_fail_at(n);
        rc = tw_report_response(&out, &ev, &v, e, 2, &d, &err);
        cf_reset();
        if (!cf_failed())
            break;
        if (rc != TW_ENOMEM)
            fail_msg("allocation %lu failed: rc %d, want TW_ENOMEM", n, rc);
        assert_string_equal(err.msg, "out of memory building the response document");
    }
    assert_int_equal(rc, TW_OK);
    assert_true(n > 20); /* the sweep reached every object of the document */
    {
        cJSON *doc = cJSON_Parse(tw_buf_cstr(&out));
        assert_non_null(doc);
        assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(doc, "evaluations")), 2);
        assert_string_equal(
            cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "delivery"), "reason")->valuestring,
            "dry run");
        cJSON_Delete(doc);
    }
    tw_buf_cleanup(&out);
}

static void test_response_too_large(void **state)
{
    struct tw_event ev;
    struct tw_verdict v;
    struct tw_evaluation e;
    struct tw_delivery d = { "none", 0, 0, NULL };
    struct tw_buf out;
    struct tw_err err;

    (void)state;
    s_event(&ev);
    s_verdict(&v, TW_COMPLIANT, "ok");
    tw_report_evaluation(&e, &v, &ev);
    tw_buf_init(&out, 64);
    tw_err_clear(&err);
    assert_int_equal(tw_report_response(&out, &ev, &v, &e, 1, &d, &err), TW_ETOOBIG);
    assert_string_equal(err.msg, "response document too large");
    tw_buf_cleanup(&out);
}

static void test_evaluation_json_out_of_memory(void **state)
{
    struct tw_event ev;
    struct tw_verdict v;
    struct tw_evaluation e;
    cJSON *obj;
    unsigned long n;

    (void)state;
    s_event(&ev);
    s_verdict(&v, TW_COMPLIANT, "with an annotation");
    tw_report_evaluation(&e, &v, &ev);
    for (n = 1;; n++) {
        cf_fail_at(n);
        obj = tw_report_evaluation_json(&e);
        cf_reset();
        if (!cf_failed())
            break;
        assert_null(obj);
    }
    assert_non_null(obj);
    assert_true(n > 5);
    assert_string_equal(cJSON_GetObjectItem(obj, "Annotation")->valuestring, "with an annotation");
    cJSON_Delete(obj);
}

static void test_emf_out_of_memory(void **state)
{
    static const enum tw_compliance kinds[] = { TW_COMPLIANT, TW_NOT_APPLICABLE };
    struct tw_verdict v;
    struct tw_buf out;

    (void)state;
    tw_buf_init(&out, 4096);
    for (size_t k = 0; k < TW_ARRAY_LEN(kinds); k++) {
        unsigned long n;
        int rc;

        s_verdict(&v, kinds[k], "x");
        for (n = 1;; n++) {
            tw_buf_reset(&out);
            cf_fail_at(n);
            rc = tw_report_emf(&out, "rule", &v, 5, 1700000000000LL);
            cf_reset();
            if (!cf_failed())
                break;
            if (rc != TW_ENOMEM)
                fail_msg("kind %zu, allocation %lu failed: rc %d", k, n, rc);
            assert_int_equal(out.len, 0);
        }
        assert_int_equal(rc, TW_OK);
        assert_true(n > 10);
        {
            cJSON *doc = cJSON_Parse(tw_buf_cstr(&out));
            assert_non_null(doc);
            assert_int_equal(cJSON_GetObjectItem(doc, "Compliant") != NULL,
                             kinds[k] == TW_COMPLIANT);
            cJSON_Delete(doc);
        }
    }
    /* A buffer too small for the line. */
    tw_buf_cleanup(&out);
    tw_buf_init(&out, 16);
    s_verdict(&v, TW_COMPLIANT, "x");
    assert_int_equal(tw_report_emf(&out, "rule", &v, 5, 1700000000000LL), TW_ETOOBIG);
    tw_buf_cleanup(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_evaluation_and_response),
        cmocka_unit_test(test_empty_annotation_is_omitted),
        cmocka_unit_test(test_emf),
        cmocka_unit_test(test_text_report),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_response_out_of_memory),
        cmocka_unit_test(test_response_too_large),
        cmocka_unit_test(test_evaluation_json_out_of_memory),
        cmocka_unit_test(test_emf_out_of_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
