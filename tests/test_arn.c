/* test_arn.c — ARN syntax and resource splitting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "arn.h"

static void s_expect_span(size_t i, const char *field, struct tw_span got, const char *want)
{
    if (!tw_span_eq_cstr(got, want))
        fail_msg("case %zu: %s is \"%.*s\", want \"%s\"", i, field, (int)got.len, got.ptr, want);
}

static void test_arn_parse_valid(void **state)
{
    static const struct {
        const char *arn, *partition, *service, *region, *account, *resource, *type, *id;
    } cases[] = {
        { "arn:aws:logs:us-east-1:123456789012:log-group:CloudTrail/DefaultLogGroup:*", "aws", "logs",
          "us-east-1", "123456789012", "log-group:CloudTrail/DefaultLogGroup:*", "log-group",
          "CloudTrail/DefaultLogGroup:*" },
        { "arn:aws:cloudtrail:eu-west-1:123456789012:trail/org-trail", "aws", "cloudtrail", "eu-west-1",
          "123456789012", "trail/org-trail", "trail", "org-trail" },
        { "arn:aws-cn:sns:cn-north-1:123456789012:alarms", "aws-cn", "sns", "cn-north-1", "123456789012",
          "alarms", "", "alarms" },
        { "arn:aws-us-gov:iam::123456789012:role/a/b/c", "aws-us-gov", "iam", "", "123456789012",
          "role/a/b/c", "role", "a/b/c" },
        { "arn:aws:s3:::my-bucket/key", "aws", "s3", "", "", "my-bucket/key", "my-bucket", "key" },
        { "arn:aws:iam::aws:policy/ReadOnlyAccess", "aws", "iam", "", "aws", "policy/ReadOnlyAccess",
          "policy", "ReadOnlyAccess" },
        { "arn:aws:sns:us-east-1:123456789012:topic:with:colons", "aws", "sns", "us-east-1",
          "123456789012", "topic:with:colons", "topic", "with:colons" },
        { "arn:aws-iso:execute-api:us-iso-east-1:123456789012:a/b", "aws-iso", "execute-api",
          "us-iso-east-1", "123456789012", "a/b", "a", "b" },
    };

    (void)state;
    for (size_t i = 0; i < TW_ARRAY_LEN(cases); i++) {
        struct tw_arn a;
        struct tw_span type, id;
        struct tw_err err;

        tw_err_clear(&err);
        if (tw_arn_parse(&a, tw_span_cstr(cases[i].arn), &err) != TW_OK)
            fail_msg("case %zu: %s", i, err.msg);
        s_expect_span(i, "partition", a.partition, cases[i].partition);
        s_expect_span(i, "service", a.service, cases[i].service);
        s_expect_span(i, "region", a.region, cases[i].region);
        s_expect_span(i, "account", a.account, cases[i].account);
        s_expect_span(i, "resource", a.resource, cases[i].resource);
        tw_arn_resource_split(&type, &id, a.resource);
        s_expect_span(i, "type", type, cases[i].type);
        s_expect_span(i, "id", id, cases[i].id);
        /* Spans borrow from the input. */
        assert_true(a.resource.ptr >= cases[i].arn &&
                    a.resource.ptr + a.resource.len == cases[i].arn + strlen(cases[i].arn));
    }
}

static void test_arn_parse_invalid(void **state)
{
    static const struct {
        const char *arn, *msg;
    } cases[] = {
        { "", "not an ARN" },
        { "arn", "not an ARN" },
        { "arn:aws:iam::123456789012", "not an ARN" },
        { "urn:aws:iam::123456789012:role/x", "not an ARN" },
        { "ARN:aws:iam::123456789012:role/x", "not an ARN" },
        { "arn::iam::123456789012:role/x", "partition" },
        { "arn:AWS:iam::123456789012:role/x", "partition" },
        { "arn:aws1:iam::123456789012:role/x", "partition" },
        { "arn:aws::us-east-1:123456789012:x", "service" },
        { "arn:aws:IAM::123456789012:role/x", "service" },
        { "arn:aws:logs:US-EAST-1:123456789012:x", "region" },
        { "arn:aws:logs:us_east_1:123456789012:x", "region" },
        { "arn:aws:logs:us-east-1:12345678901:x", "account" },
        { "arn:aws:logs:us-east-1:1234567890123:x", "account" },
        { "arn:aws:logs:us-east-1:12345678901a:x", "account" },
        { "arn:aws:logs:us-east-1:123456789012:", "resource" },
        { "arn:aws:logs:us-east-1:123456789012:a\nb", "resource" },
        { "arn:aws:logs:us-east-1:123456789012:a\x7f", "resource" },
    };

    (void)state;
    for (size_t i = 0; i < TW_ARRAY_LEN(cases); i++) {
        struct tw_arn a;
        struct tw_err err;

        tw_err_clear(&err);
        if (tw_arn_parse(&a, tw_span_cstr(cases[i].arn), &err) != TW_EPARSE)
            fail_msg("case %zu (%s): parsed", i, cases[i].arn);
        if (!strstr(err.msg, cases[i].msg))
            fail_msg("case %zu: message \"%s\" lacks \"%s\"", i, err.msg, cases[i].msg);
        assert_null(a.partition.ptr); /* zeroed on failure */
    }
}

static void test_arn_limits(void **state)
{
    char *big = malloc(TW_ARN_MAX + 2);
    static const char head[] = "arn:aws:sns:us-east-1:123456789012:";
    struct tw_arn a;
    struct tw_err err;

    (void)state;
    assert_non_null(big);
    memcpy(big, head, sizeof(head) - 1);
    memset(big + sizeof(head) - 1, 't', TW_ARN_MAX - (sizeof(head) - 1));
    big[TW_ARN_MAX] = '\0';
    assert_int_equal(tw_arn_parse(&a, tw_span_cstr(big), &err), TW_OK);
    big[TW_ARN_MAX] = 't';
    big[TW_ARN_MAX + 1] = '\0';
    assert_int_equal(tw_arn_parse(&a, tw_span_cstr(big), &err), TW_EPARSE);
    free(big);

    /* A span need not be NUL-terminated. */
    assert_int_equal(tw_arn_parse(&a, (struct tw_span){ "arn:aws:sns:us-east-1:123456789012:topicXYZ", 40 },
                                  &err),
                     TW_OK);
    assert_true(tw_span_eq_cstr(a.resource, "topic"));
}

static void test_arn_predicates(void **state)
{
    (void)state;
    assert_true(tw_arn_partition_known(TW_SPAN_LIT("aws")));
    assert_true(tw_arn_partition_known(TW_SPAN_LIT("aws-cn")));
    assert_true(tw_arn_partition_known(TW_SPAN_LIT("aws-us-gov")));
    assert_false(tw_arn_partition_known(TW_SPAN_LIT("aws-iso")));
    assert_false(tw_arn_partition_known(TW_SPAN_LIT("")));
    assert_true(tw_arn_account_valid(TW_SPAN_LIT("000000000000")));
    assert_false(tw_arn_account_valid(TW_SPAN_LIT("aws")));
    assert_false(tw_arn_account_valid(TW_SPAN_LIT("12345678901x")));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_arn_parse_valid),
        cmocka_unit_test(test_arn_parse_invalid),
        cmocka_unit_test(test_arn_limits),
        cmocka_unit_test(test_arn_predicates),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
