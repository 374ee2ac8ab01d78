/* test_awsproto.c — AWS error bodies, form encoding and request bodies. The
 * reply parsers are in test_awsproto_parse.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "awsproto.h"
#include "cjson_fail.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *s_load(const char *rel, size_t *len)
{
    char path[256];
    FILE *f;
    long n;
    char *p;

    snprintf(path, sizeof(path), "tests/fixtures/wire/%s", rel);
    f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s (run from the repository root)", path);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    n = ftell(f);
    assert_true(n >= 0);
    rewind(f);
    p = malloc((size_t)n + 1);
    assert_non_null(p);
    assert_int_equal(fread(p, 1, (size_t)n, f), (size_t)n);
    p[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return p;
}

/* ---- error bodies ------------------------------------------------------------------------ */

/* A record as aws.c prepares it before parsing: the parser must keep these. */
static void s_prefilled(struct tw_err *e)
{
    tw_err_clear(e);
    tw_strlcpy(e->service, "cloudtrail", sizeof(e->service));
    tw_strlcpy(e->operation, "GetTrailStatus", sizeof(e->operation));
    tw_strlcpy(e->request_id, "from-header", sizeof(e->request_id));
    e->http_status = 400;
}

static void test_json_error_bodies(void **state)
{
    static const struct {
        const char *body;
        int rc;
        const char *code, *msg;
    } cases[] = {
        { "{\"__type\":\"com.amazon.coral.service#AccessDeniedException\",\"Message\":\"User: x\"}",
          TW_OK, "AccessDeniedException", "User: x" },
        { "{\"__type\":\"AccessDeniedException\",\"message\":\"m\"}", TW_OK,
          "AccessDeniedException", "m" },
        { "{\"__type\":\"ThrottlingException:http://internal.amazon.com/coral/"
          "com.amazon.coral.availability/\",\"message\":\"Rate exceeded\"}",
          TW_OK, "ThrottlingException", "Rate exceeded" },
        /* Cut at ':' first, then after the last '#' (botocore's order). */
        { "{\"__type\":\"com.amazon.coral.validate#ValidationException:http://x#y\"}", TW_OK,
          "ValidationException", "" },
        { "{\"__type\":\"a#b#Code\"}", TW_OK, "Code", "" },
        { "{\"message\":\"lower wins\",\"Message\":\"upper\",\"__type\":\"X\"}", TW_OK, "X",
          "lower wins" },
        { "{\"__type\":\"X\",\"message\":5,\"Message\":\"upper\"}", TW_OK, "X", "upper" },
        { "{\"__type\":\"X\",\"message\":\"two\\nlines\\tand\\u0001ctl\"}", TW_OK, "X",
          "two lines and ctl" },
        { "  {\"__type\":\"X\"}\n", TW_OK, "X", "" },
        { "{\"message\":\"no type\"}", TW_EPARSE, NULL, NULL },
        { "{\"__type\":\"\"}", TW_EPARSE, NULL, NULL },
        { "{\"__type\":\"prefix#\"}", TW_EPARSE, NULL, NULL },
        { "{\"__type\":\":x\"}", TW_EPARSE, NULL, NULL },
        { "{\"__type\":5}", TW_EPARSE, NULL, NULL },
        { "[\"__type\"]", TW_EPARSE, NULL, NULL },
        { "", TW_EPARSE, NULL, NULL },
        { "<html><body><h1>502 Bad Gateway</h1></body></html>", TW_EPARSE, NULL, NULL },
        { "{\"__type\":\"X\",\"message\":\"trunc", TW_EPARSE, NULL, NULL },
        { "{\"__type\":\"X\xff\"}", TW_EPARSE, NULL, NULL },
    };
    struct tw_err e;

    (void)state;
    for (size_t i = 0; i < TW_ARRAY_LEN(cases); i++) {
        int rc;
        s_prefilled(&e);
        tw_strlcpy(e.msg, "untouched", sizeof(e.msg));
        rc = tw_aws_parse_json_error(&e, tw_span_cstr(cases[i].body));
        if (rc != cases[i].rc)
            fail_msg("case %zu: rc %d", i, rc);
        if (rc == TW_OK && (strcmp(e.aws_code, cases[i].code) || strcmp(e.msg, cases[i].msg)))
            fail_msg("case %zu: code \"%s\" msg \"%s\"", i, e.aws_code, e.msg);
        if (rc != TW_OK && (e.aws_code[0] || strcmp(e.msg, "untouched")))
            fail_msg("case %zu: err changed on failure", i);
        if (strcmp(e.service, "cloudtrail") || strcmp(e.operation, "GetTrailStatus") ||
            strcmp(e.request_id, "from-header") || e.http_status != 400)
            fail_msg("case %zu: unrelated fields changed", i);
    }
    assert_int_equal(tw_aws_parse_json_error(NULL, tw_span_cstr("{\"__type\":\"X\"}")), TW_OK);
}

static void test_json_error_fixtures(void **state)
{
    static const struct {
        const char *file, *code, *msg_start;
    } cases[] = {
        { "cloudtrail/error-trail-not-found.json", "TrailNotFoundException", "Unknown trail: " },
        { "logs/error-resource-not-found.json", "ResourceNotFoundException",
          "The specified log group does not exist." },
        { "logs/error-throttling.json", "ThrottlingException", "Rate exceeded" },
        { "config/error-access-denied.json", "AccessDeniedException", "User: arn:aws:sts::" },
        { "config/error-invalid-result-token.json", "InvalidResultTokenException",
          "The resultToken provided is invalid" },
    };
    struct tw_err e;

    (void)state;
    for (size_t i = 0; i < TW_ARRAY_LEN(cases); i++) {
        size_t len;
        char *body = s_load(cases[i].file, &len);
        tw_err_clear(&e);
        assert_int_equal(tw_aws_parse_json_error(&e, (struct tw_span){ body, len }), TW_OK);
        assert_string_equal(e.aws_code, cases[i].code);
        assert_memory_equal(e.msg, cases[i].msg_start, strlen(cases[i].msg_start));
        free(body);
    }
}

static void test_json_error_long_message(void **state)
{
    /* 300 two-byte characters: the cut must fall between characters. */
    char body[2048];
    size_t n = 0;
    struct tw_err e;

    (void)state;
    n += (size_t)snprintf(body, sizeof(body), "{\"__type\":\"X\",\"message\":\"ab");
    for (int i = 0; i < 300; i++) {
        body[n++] = '\xC3';
        body[n++] = '\xA9';
    }
    memcpy(body + n, "\"}", 3);
    tw_err_clear(&e);
    assert_int_equal(tw_aws_parse_json_error(&e, tw_span_cstr(body)), TW_OK);
    /* "ab" + 254 characters = 510 bytes; 511 would split the 255th. */
    assert_int_equal(strlen(e.msg), 510);
    assert_memory_equal(e.msg + 508, "\xC3\xA9", 2);
}

static void test_query_error_bodies(void **state)
{
    static const struct {
        const char *file; /* or NULL and body */
        const char *body;
        int rc;
        const char *code, *msg_start, *request_id;
    } cases[] = {
        { "cloudwatch/error-throttling.xml", NULL, TW_OK, "Throttling", "Rate exceeded",
          "3e8f2a1b-9c4d-4e5f-a6b7-c8d9e0f1a2b3" },
        { "sns/error-authorization.xml", NULL, TW_OK, "AuthorizationError",
          "User: arn:aws:sts::111122223333:assumed-role/TrailwatchAudit",
          "9dd01905-5012-5f99-8663-4b3ecd0dfaef" },
        { "sts/error-expired-token.xml", NULL, TW_OK, "ExpiredToken",
          "The security token included in the request is expired",
          "5f1c1e4e-8d4a-4b0c-9e2f-6a7b8c9d0e1f" },
        { "sts/error-ec2-style.xml", NULL, TW_OK, "UnauthorizedOperation",
          "You are not authorized", "ea966190-f9aa-478e-9ede-cb5432daacc0" },
        { NULL, "<Error><Code>NoSuchKey</Code><Message>m</Message><RequestId>r1</RequestId></Error>",
          TW_OK, "NoSuchKey", "m", "r1" },
        /* EC2 style with the id spelt RequestId, as some Query services do. */
        { NULL, "<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>slow down"
                "</Message></Error></Errors><RequestId>r2</RequestId></Response>",
          TW_OK, "RequestLimitExceeded", "slow down", "r2" },
        /* No RequestId in the body: the header's stays. */
        { NULL, "<ErrorResponse><Error><Code>InvalidNextToken</Code></Error></ErrorResponse>",
          TW_OK, "InvalidNextToken", "", "from-header" },
        { NULL, "<ErrorResponse><Error><Code>X</Code><Message>a\nb</Message></Error>"
                "<RequestId></RequestId></ErrorResponse>",
          TW_OK, "X", "a b", "from-header" },
        { NULL, "<ErrorResponse><Error><Message>no code</Message></Error></ErrorResponse>",
          TW_EPARSE, NULL, NULL, NULL },
        { NULL, "<ErrorResponse><Error><Code></Code></Error></ErrorResponse>", TW_EPARSE, NULL,
          NULL, NULL },
        { NULL, "<DescribeAlarmsResponse><DescribeAlarmsResult/></DescribeAlarmsResponse>",
          TW_EPARSE, NULL, NULL, NULL },
        { NULL, "<ErrorResponse><Error><Code>Throttling</Code>", TW_EPARSE, NULL, NULL, NULL },
        { NULL, "{\"__type\":\"Throttling\"}", TW_EPARSE, NULL, NULL, NULL },
        { NULL, "", TW_EPARSE, NULL, NULL, NULL },
        { NULL, "<!DOCTYPE e [<!ENTITY x \"Throttling\">]><Error><Code>&x;</Code></Error>",
          TW_EPARSE, NULL, NULL, NULL },
    };
    struct tw_err e;

    (void)state;
    for (size_t i = 0; i < TW_ARRAY_LEN(cases); i++) {
        size_t len = 0;
        char *body = cases[i].file ? s_load(cases[i].file, &len) : NULL;
        struct tw_span s = body ? (struct tw_span){ body, len } : tw_span_cstr(cases[i].body);
        int rc;

        s_prefilled(&e);
        tw_strlcpy(e.msg, "untouched", sizeof(e.msg));
        rc = tw_aws_parse_query_error(&e, s);
        if (rc != cases[i].rc)
            fail_msg("case %zu: rc %d", i, rc);
        if (rc == TW_OK &&
            (strcmp(e.aws_code, cases[i].code) ||
             strncmp(e.msg, cases[i].msg_start, strlen(cases[i].msg_start)) ||
             strcmp(e.request_id, cases[i].request_id)))
            fail_msg("case %zu: code \"%s\" msg \"%s\" id \"%s\"", i, e.aws_code, e.msg,
                     e.request_id);
        if (rc != TW_OK && (e.aws_code[0] || strcmp(e.msg, "untouched") ||
                            strcmp(e.request_id, "from-header")))
            fail_msg("case %zu: err changed on failure", i);
        if (strcmp(e.service, "cloudtrail") || e.http_status != 400)
            fail_msg("case %zu: unrelated fields changed", i);
        free(body);
    }
}

static void test_error_classes(void **state)
{
    static const struct {
        const char *code;
        int throttling, retryable, denied, creds, not_found;
    } cases[] = {
        { "Throttling", 1, 1, 0, 0, 0 },
        { "ThrottlingException", 1, 1, 0, 0, 0 },
        { "ThrottledException", 1, 1, 0, 0, 0 },
        { "RequestThrottledException", 1, 1, 0, 0, 0 },
        { "TooManyRequestsException", 1, 1, 0, 0, 0 },
        { "ProvisionedThroughputExceededException", 1, 1, 0, 0, 0 },
        { "TransactionInProgressException", 1, 1, 0, 0, 0 },
        { "RequestLimitExceeded", 1, 1, 0, 0, 0 },
        { "BandwidthLimitExceeded", 1, 1, 0, 0, 0 },
        { "LimitExceededException", 1, 1, 0, 0, 0 },
        { "RequestThrottled", 1, 1, 0, 0, 0 },
        { "SlowDown", 1, 1, 0, 0, 0 },
        { "EC2ThrottledException", 1, 1, 0, 0, 0 },
        { "RequestTimeout", 0, 1, 0, 0, 0 },
        { "RequestTimeoutException", 0, 1, 0, 0, 0 },
        { "PriorRequestNotComplete", 0, 1, 0, 0, 0 },
        { "AccessDenied", 0, 0, 1, 0, 0 },
        { "AccessDeniedException", 0, 0, 1, 0, 0 },
        { "AuthorizationError", 0, 0, 1, 0, 0 },
        { "UnauthorizedOperation", 0, 0, 1, 0, 0 },
        { "UnrecognizedClientException", 0, 0, 0, 1, 0 },
        { "InvalidClientTokenId", 0, 0, 0, 1, 0 },
        { "ExpiredToken", 0, 0, 0, 1, 0 },
        { "ExpiredTokenException", 0, 0, 0, 1, 0 },
        { "SignatureDoesNotMatch", 0, 0, 0, 1, 0 },
        { "InvalidSignatureException", 0, 0, 0, 1, 0 },
        { "ResourceNotFoundException", 0, 0, 0, 0, 1 },
        { "TrailNotFoundException", 0, 0, 0, 0, 1 },
        { "NotFound", 0, 0, 0, 0, 1 },
        { "NotFoundException", 0, 0, 0, 0, 1 },
        { "NoSuchEntity", 0, 0, 0, 0, 1 },
        { "NoSuchConfigRuleException", 0, 0, 0, 0, 0 },
        { "InternalFailure", 0, 0, 0, 0, 0 }, /* 5xx: the status decides */
        { "InvalidParameterValueException", 0, 0, 0, 0, 0 },
        { "throttling", 0, 0, 0, 0, 0 }, /* exact case */
        { "", 0, 0, 0, 0, 0 },
    };

    (void)state;
    for (size_t i = 0; i < TW_ARRAY_LEN(cases); i++) {
        const char *c = cases[i].code;
        if (tw_aws_error_is_throttling(c) != cases[i].throttling ||
            tw_aws_error_is_retryable(c) != cases[i].retryable ||
            tw_aws_error_is_access_denied(c) != cases[i].denied ||
            tw_aws_error_is_bad_credentials(c) != cases[i].creds ||
            tw_aws_error_is_not_found(c) != cases[i].not_found)
            fail_msg("code \"%s\" misclassified", c);
    }
    assert_false(tw_aws_error_is_throttling(NULL));
    assert_false(tw_aws_error_is_retryable(NULL));
    assert_false(tw_aws_error_is_access_denied(NULL));
    assert_false(tw_aws_error_is_bad_credentials(NULL));
    assert_false(tw_aws_error_is_not_found(NULL));
}

/* ---- form encoding ------------------------------------------------------------------------- */

static void test_form_encoding(void **state)
{
    static const struct {
        const char *in, *out;
    } cases[] = {
        { "", "" },
        { "AZaz09-_.~", "AZaz09-_.~" },
        { "a b", "a%20b" },
        { "a+b", "a%2Bb" },
        { "arn:aws:sns:us-east-1:111122223333:t", "arn%3Aaws%3Asns%3Aus-east-1%3A111122223333%3At" },
        { "k/e=y&x", "k%2Fe%3Dy%26x" },
        { "*'()!%\"", "%2A%27%28%29%21%25%22" },
        { "caf\xC3\xA9 \xE2\x82\xAC", "caf%C3%A9%20%E2%82%AC" },
        { "\x01\x7F\xFF", "%01%7F%FF" },
    };
    struct tw_buf b;
    struct tw_err err;

    (void)state;
    tw_buf_init(&b, 1024);
    for (size_t i = 0; i < TW_ARRAY_LEN(cases); i++) {
        tw_buf_reset(&b);
        assert_int_equal(tw_form_encode(&b, tw_span_cstr(cases[i].in)), TW_OK);
        if (strcmp(tw_buf_cstr(&b), cases[i].out))
            fail_msg("case %zu: got \"%s\"", i, tw_buf_cstr(&b));
    }
    tw_buf_reset(&b);
    assert_int_equal(tw_form_add(&b, "Action", "X", &err), TW_OK);
    assert_int_equal(tw_form_add(&b, "Empty.List", NULL, &err), TW_OK);
    assert_int_equal(tw_form_add(&b, "Dimensions.member.1.Value", "a b", &err), TW_OK);
    assert_string_equal(tw_buf_cstr(&b), "Action=X&Empty.List=&Dimensions.member.1.Value=a%20b");
    tw_buf_cleanup(&b);

    /* Past the cap: nothing half-written is left behind. */
    tw_buf_init(&b, 12);
    assert_int_equal(tw_form_add(&b, "A", "1", &err), TW_OK);
    assert_int_equal(tw_form_add(&b, "B", "a b c", &err), TW_ETOOBIG);
    assert_string_equal(tw_buf_cstr(&b), "A=1");
    assert_non_null(strstr(err.msg, "12 bytes"));
    assert_int_equal(tw_form_encode(&b, tw_span_cstr("         ")), TW_ETOOBIG);
    assert_string_equal(tw_buf_cstr(&b), "A=1");
    tw_buf_cleanup(&b);
}

/* ---- request builders ------------------------------------------------------------------------ */

static struct tw_evaluation s_eval(enum tw_compliance c, const char *annotation, int64_t ms)
{
    struct tw_evaluation e;

    memset(&e, 0, sizeof(e));
    e.resource_type = "AWS::::Account";
    e.resource_id = "111122223333";
    e.compliance = c;
    tw_strlcpy(e.annotation, annotation, sizeof(e.annotation));
    e.ordering_time_ms = ms;
    return e;
}

static void s_want(int rc, struct tw_buf *b, const char *want)
{
    if (rc != TW_OK)
        fail_msg("builder failed (%d) for %s", rc, want);
    if (strcmp(tw_buf_cstr(b), want))
        fail_msg("got  %s\nwant %s", tw_buf_cstr(b), want);
    tw_buf_reset(b);
}

static void test_json_builders(void **state)
{
    static const char *const names[] = { "t1", "arn:aws:cloudtrail:us-east-1:111122223333:trail/t2" };
    struct tw_evaluation ev[2];
    struct tw_buf b;
    struct tw_err err;

    (void)state;
    tw_err_clear(&err);
    tw_buf_init(&b, 64 * 1024);
    s_want(tw_proto_describe_trails_request(&b, NULL, 0, 1, &err), &b,
           "{\"includeShadowTrails\":true}");
    s_want(tw_proto_describe_trails_request(&b, names, 2, 0, &err), &b,
           "{\"trailNameList\":[\"t1\",\"arn:aws:cloudtrail:us-east-1:111122223333:trail/t2\"],"
           "\"includeShadowTrails\":false}");
    s_want(tw_proto_get_trail_status_request(
               &b, "arn:aws:cloudtrail:eu-west-1:999988887777:trail/org-trail", &err),
           &b, "{\"Name\":\"arn:aws:cloudtrail:eu-west-1:999988887777:trail/org-trail\"}");
    s_want(tw_proto_get_event_selectors_request(&b, "a\"b\\c\n\xC3\xA9", &err), &b,
           "{\"TrailName\":\"a\\\"b\\\\c\\n\xC3\xA9\"}");
    s_want(tw_proto_describe_metric_filters_request(&b, "CloudTrail/management-events", NULL,
                                                    &err),
           &b, "{\"logGroupName\":\"CloudTrail/management-events\"}");
    s_want(tw_proto_describe_metric_filters_request(&b, "CloudTrail/management-events", "",
                                                    &err),
           &b, "{\"logGroupName\":\"CloudTrail/management-events\"}");
    s_want(tw_proto_describe_metric_filters_request(&b, "g", "1/AA+b==", &err), &b,
           "{\"logGroupName\":\"g\",\"nextToken\":\"1/AA+b==\"}");

    ev[0] = s_eval(TW_NON_COMPLIANT, "No alarm", 1732723200000);
    ev[1] = s_eval(TW_COMPLIANT, "", 1732723200123);
    s_want(tw_proto_put_evaluations_request(&b, ev, 2, "TESTMODE", 1, &err), &b,
           "{\"Evaluations\":[{\"ComplianceResourceType\":\"AWS::::Account\","
           "\"ComplianceResourceId\":\"111122223333\",\"ComplianceType\":\"NON_COMPLIANT\","
           "\"Annotation\":\"No alarm\",\"OrderingTimestamp\":1732723200},"
           "{\"ComplianceResourceType\":\"AWS::::Account\",\"ComplianceResourceId\":\"111122223333\","
           "\"ComplianceType\":\"COMPLIANT\",\"OrderingTimestamp\":1732723200.123}],"
           "\"ResultToken\":\"TESTMODE\",\"TestMode\":true}");
    s_want(tw_proto_put_evaluations_request(&b, NULL, 0, "tok", 0, &err), &b,
           "{\"Evaluations\":[],\"ResultToken\":\"tok\",\"TestMode\":false}");
    s_want(tw_proto_put_external_evaluation_request(&b, "trailwatch", &ev[0], &err), &b,
           "{\"ConfigRuleName\":\"trailwatch\",\"ExternalEvaluation\":{"
           "\"ComplianceResourceType\":\"AWS::::Account\",\"ComplianceResourceId\":\"111122223333\","
           "\"ComplianceType\":\"NON_COMPLIANT\",\"Annotation\":\"No alarm\","
           "\"OrderingTimestamp\":1732723200}}");
    tw_buf_cleanup(&b);
}

static void test_query_builders(void **state)
{
    static const struct tw_dimension dims[] = {
        { (char *)"EventSource", (char *)"cloudtrail.amazonaws.com" },
        { (char *)"Team", (char *)"Sec Ops ~\xC3\xA9" },
    };
    struct tw_buf b;
    struct tw_err err;

    (void)state;
    tw_err_clear(&err);
    tw_buf_init(&b, 64 * 1024);
    /* As botocore's QuerySerializer, but spaces as %20 (botocore's urlencode sends '+'). */
    s_want(tw_proto_describe_alarms_for_metric_request(&b, "CloudTrailConfigChanges",
                                                       "CloudTrailMetrics", dims, 2, &err),
           &b,
           "Action=DescribeAlarmsForMetric&Version=2010-08-01&MetricName=CloudTrailConfigChanges"
           "&Namespace=CloudTrailMetrics&Dimensions.member.1.Name=EventSource"
           "&Dimensions.member.1.Value=cloudtrail.amazonaws.com&Dimensions.member.2.Name=Team"
           "&Dimensions.member.2.Value=Sec%20Ops%20~%C3%A9");
    s_want(tw_proto_describe_alarms_for_metric_request(&b, "M", "N", NULL, 0, &err), &b,
           "Action=DescribeAlarmsForMetric&Version=2010-08-01&MetricName=M&Namespace=N");
    s_want(tw_proto_describe_alarms_request(&b, NULL, &err), &b,
           "Action=DescribeAlarms&Version=2010-08-01&AlarmTypes.member.1=MetricAlarm"
           "&MaxRecords=100");
    s_want(tw_proto_describe_alarms_request(&b, "eyJ+/==", &err), &b,
           "Action=DescribeAlarms&Version=2010-08-01&AlarmTypes.member.1=MetricAlarm"
           "&MaxRecords=100&NextToken=eyJ%2B%2F%3D%3D");
    s_want(tw_proto_list_subscriptions_by_topic_request(
               &b, "arn:aws:sns:us-east-1:111122223333:cis-alarms", NULL, &err),
           &b,
           "Action=ListSubscriptionsByTopic&Version=2010-03-31"
           "&TopicArn=arn%3Aaws%3Asns%3Aus-east-1%3A111122223333%3Acis-alarms");
    s_want(tw_proto_list_subscriptions_by_topic_request(&b, "arn:t", "QUFB+/==", &err), &b,
           "Action=ListSubscriptionsByTopic&Version=2010-03-31&TopicArn=arn%3At"
           "&NextToken=QUFB%2B%2F%3D%3D");
    s_want(tw_proto_assume_role_request(&b, "arn:aws:iam::111122223333:role/TrailwatchAudit",
                                        "configLambdaExecution", 900, &err),
           &b,
           "Action=AssumeRole&Version=2011-06-15"
           "&RoleArn=arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2FTrailwatchAudit"
           "&RoleSessionName=configLambdaExecution&DurationSeconds=900");
    s_want(tw_proto_assume_role_request(&b, "arn:r", "s", 0, &err), &b,
           "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Ar&RoleSessionName=s");
    s_want(tw_proto_get_caller_identity_request(&b, &err), &b,
           "Action=GetCallerIdentity&Version=2011-06-15");
    tw_buf_cleanup(&b);
}

static void test_builder_failures(void **state)
{
    struct tw_evaluation ev[TW_PROTO_MAX_EVALUATIONS + 1];
    struct tw_dimension many[31];
    struct tw_buf b, small;
    struct tw_err err;
    const char *null_name[] = { NULL };

    (void)state;
    tw_err_clear(&err);
    for (size_t i = 0; i < TW_ARRAY_LEN(ev); i++)
        ev[i] = s_eval(TW_COMPLIANT, "", 0);
    for (size_t i = 0; i < TW_ARRAY_LEN(many); i++)
        many[i] = (struct tw_dimension){ (char *)"n", (char *)"v" };
    tw_buf_init(&b, 64 * 1024);
    assert_int_equal(tw_buf_append_cstr(&b, "keep"), TW_OK);

    assert_int_equal(tw_proto_put_evaluations_request(&b, ev, TW_ARRAY_LEN(ev), "t", 0, &err),
                     TW_ETOOBIG);
    assert_int_equal(tw_proto_put_evaluations_request(&b, ev, 1, NULL, 0, &err), TW_ERR);
    assert_int_equal(tw_proto_put_external_evaluation_request(&b, "", ev, &err), TW_ERR);
    assert_int_equal(tw_proto_get_trail_status_request(&b, NULL, &err), TW_ERR);
    assert_non_null(strstr(err.msg, "GetTrailStatus request: Name is required"));
    assert_int_equal(tw_proto_get_event_selectors_request(&b, "", &err), TW_ERR);
    assert_int_equal(tw_proto_describe_trails_request(&b, null_name, 1, 1, &err), TW_ERR);
    assert_int_equal(tw_proto_describe_metric_filters_request(&b, NULL, NULL, &err), TW_ERR);
    assert_int_equal(tw_proto_describe_alarms_for_metric_request(&b, "m", NULL, NULL, 0, &err),
                     TW_ERR);
    assert_int_equal(tw_proto_describe_alarms_for_metric_request(&b, "m", "n", many, 31, &err),
                     TW_ETOOBIG);
    many[0].value = NULL;
    assert_int_equal(tw_proto_describe_alarms_for_metric_request(&b, "m", "n", many, 1, &err),
                     TW_ERR);
    assert_int_equal(tw_proto_list_subscriptions_by_topic_request(&b, NULL, "x", &err), TW_ERR);
    assert_int_equal(tw_proto_assume_role_request(&b, "arn", NULL, 900, &err), TW_ERR);
    assert_int_equal(tw_proto_assume_role_request(&b, "arn", "s", -1, &err), TW_ERR);
    assert_string_equal(tw_buf_cstr(&b), "keep"); /* untouched by every failure */

    /* Appending: an existing body stays in front (callers pass an empty one). */
    assert_int_equal(tw_proto_get_caller_identity_request(&b, &err), TW_OK);
    assert_string_equal(tw_buf_cstr(&b), "keepAction=GetCallerIdentity&Version=2011-06-15");

    /* Past the buffer's cap: TW_ETOOBIG and the buffer unchanged. */
    tw_buf_init(&small, 20);
    assert_int_equal(tw_buf_append_cstr(&small, "x"), TW_OK);
    assert_int_equal(tw_proto_describe_alarms_request(&small, NULL, &err), TW_ETOOBIG);
    assert_int_equal(tw_proto_get_trail_status_request(&small, "arn:aws:cloudtrail:x", &err),
                     TW_ETOOBIG);
    assert_int_equal(tw_proto_put_evaluations_request(&small, ev, 1, "t", 0, &err), TW_ETOOBIG);
    assert_non_null(strstr(err.msg, "PutEvaluations request body would exceed 20 bytes"));
    assert_string_equal(tw_buf_cstr(&small), "x");
    tw_buf_cleanup(&small);

    /* A body that fits the cap alone but not after what the buffer holds. */
    tw_buf_init(&small, 60);
    assert_int_equal(tw_buf_append_cstr(&small, "0123456789012345678901234567890123456789"), TW_OK);
    assert_int_equal(tw_proto_get_caller_identity_request(&small, &err), TW_ETOOBIG);
    assert_string_equal(err.msg, "GetCallerIdentity request body would exceed 60 bytes");
    assert_int_equal(small.len, 40);
    tw_buf_cleanup(&small);
    tw_buf_cleanup(&b);
}

/* The JSON builders, one per index; 0 past the last. */
static int s_json_builder(int which, struct tw_buf *b, struct tw_err *err, const char **op)
{
    static const char *const names[] = { "t1", "t2", "t3" };
    struct tw_evaluation ev[3];

    ev[0] = s_eval(TW_NON_COMPLIANT, "No alarm", 1732723200000);
    ev[1] = s_eval(TW_COMPLIANT, "", 1732723200123);
    ev[2] = s_eval(TW_NOT_APPLICABLE, "n/a", 1732723200456);
    switch (which) {
    case 0:
        *op = "DescribeTrails";
        return tw_proto_describe_trails_request(b, names, 3, 1, err);
    case 1:
        *op = "GetTrailStatus";
        return tw_proto_get_trail_status_request(b, "arn:aws:cloudtrail:x", err);
    case 2:
        *op = "GetEventSelectors";
        return tw_proto_get_event_selectors_request(b, "arn:aws:cloudtrail:x", err);
    case 3:
        *op = "DescribeMetricFilters";
        return tw_proto_describe_metric_filters_request(b, "group", "token", err);
    case 4:
        *op = "PutEvaluations";
        return tw_proto_put_evaluations_request(b, ev, 3, "TESTMODE", 1, err);
    case 5:
        *op = "PutExternalEvaluation";
        return tw_proto_put_external_evaluation_request(b, "trailwatch", &ev[0], err);
    default:
        *op = NULL;
        return TW_OK;
    }
}

/* Every allocation failure inside cJSON is TW_ENOMEM naming the request, and
 * the buffer keeps exactly what it held. */
static void test_json_builders_out_of_memory(void **state)
{
    struct tw_buf b, ref;
    struct tw_err err;
    const char *op;

    (void)state;
    tw_buf_init(&b, 64 * 1024);
    tw_buf_init(&ref, 64 * 1024);
    for (int which = 0; s_json_builder(which, &ref, &err, &op) == TW_OK && op; which++) {
        unsigned long n;
        int rc;
        char want[128];

        snprintf(want, sizeof(want), "out of memory building the %s request", op);
        for (n = 1;; n++) {
            tw_buf_reset(&b);
            assert_int_equal(tw_buf_append_cstr(&b, "keep"), TW_OK);
            tw_err_clear(&err);
            cf_fail_at(n);
            rc = s_json_builder(which, &b, &err, &op);
            cf_reset();
            if (!cf_failed())
                break;
            if (rc != TW_ENOMEM)
                fail_msg("%s: allocation %lu failed: rc %d (%s)", op, n, rc, err.msg);
            assert_string_equal(err.msg, want);
            assert_string_equal(tw_buf_cstr(&b), "keep");
        }
        /* With nothing failing, the same body as an uninstrumented run. */
        assert_int_equal(rc, TW_OK);
        assert_true(n > 2);
        assert_string_equal(tw_buf_cstr(&b) + 4, tw_buf_cstr(&ref));
        tw_buf_reset(&ref);
    }
    tw_buf_cleanup(&b);
    tw_buf_cleanup(&ref);
}

static void test_targets(void **state)
{
    (void)state;
    assert_string_equal(TW_TARGET_DESCRIBE_TRAILS,
                        "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.DescribeTrails");
    assert_string_equal(TW_TARGET_GET_TRAIL_STATUS,
                        "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.GetTrailStatus");
    assert_string_equal(TW_TARGET_GET_EVENT_SELECTORS,
                        "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.GetEventSelectors");
    assert_string_equal(TW_TARGET_DESCRIBE_METRIC_FILTERS, "Logs_20140328.DescribeMetricFilters");
    assert_string_equal(TW_TARGET_PUT_EVALUATIONS, "StarlingDoveService.PutEvaluations");
    assert_string_equal(TW_TARGET_PUT_EXTERNAL_EVALUATION,
                        "StarlingDoveService.PutExternalEvaluation");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_error_bodies),
        cmocka_unit_test(test_json_error_fixtures),
        cmocka_unit_test(test_json_error_long_message),
        cmocka_unit_test(test_query_error_bodies),
        cmocka_unit_test(test_error_classes),
        cmocka_unit_test(test_form_encoding),
        cmocka_unit_test(test_json_builders),
        cmocka_unit_test(test_query_builders),
        cmocka_unit_test(test_builder_failures),
        cmocka_unit_test(test_json_builders_out_of_memory),
        cmocka_unit_test(test_targets),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
