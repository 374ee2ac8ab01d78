/* test_endpoint.c — endpoint resolution against botocore's rule sets for the
 * six services, the configured-endpoint overrides and Host derivation. The
 * environment is a fake; profiles come from tests/fixtures/aws-config. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "creds.h"
#include "endpoint.h"

#define FX "tests/fixtures/aws-config/"

struct s_fake_env {
    const char *kv[16]; /* name, value, ..., NULL */
};

static const char *s_fake_getenv(const char *name, void *ctx)
{
    const struct s_fake_env *fe = ctx;

    for (size_t i = 0; fe->kv[i]; i += 2)
        if (strcmp(fe->kv[i], name) == 0)
            return fe->kv[i + 1];
    return NULL;
}

static void test_service_table(void **state)
{
    /* PROTOCOLS.md §3.1 and §4. */
    static const struct {
        enum tw_service svc;
        const char *prefix, *signing, *env_suffix, *config_key;
    } want[] = {
        { TW_SVC_CLOUDTRAIL, "cloudtrail", "cloudtrail", "CLOUDTRAIL", "cloudtrail" },
        { TW_SVC_LOGS, "logs", "logs", "CLOUDWATCH_LOGS", "cloudwatch_logs" },
        { TW_SVC_CLOUDWATCH, "monitoring", "monitoring", "CLOUDWATCH", "cloudwatch" },
        { TW_SVC_SNS, "sns", "sns", "SNS", "sns" },
        { TW_SVC_STS, "sts", "sts", "STS", "sts" },
        { TW_SVC_CONFIG, "config", "config", "CONFIG_SERVICE", "config_service" },
    };

    (void)state;
    assert_int_equal(TW_ARRAY_LEN(want), TW_SVC_COUNT);
    for (size_t i = 0; i < TW_ARRAY_LEN(want); i++) {
        const struct tw_service_info *info = tw_endpoint_service_info(want[i].svc);
        assert_non_null(info);
        assert_string_equal(info->endpoint_prefix, want[i].prefix);
        assert_string_equal(info->signing_name, want[i].signing);
        assert_string_equal(info->env_suffix, want[i].env_suffix);
        assert_string_equal(info->config_key, want[i].config_key);
    }
    assert_null(tw_endpoint_service_info(TW_SVC_COUNT));
    assert_null(tw_endpoint_service_info((enum tw_service)-1));
}

struct s_case {
    const char *what;
    enum tw_service svc;
    const char *region;
    struct s_fake_env env; /* AWS_CONFIG_FILE + AWS_PROFILE load a profile */
    int want_rc;
    const char *url, *host, *signing_region, *source; /* on TW_OK; signing name is the service's */
    const char *msg;                                   /* on failure */
};

#define FIPS "AWS_USE_FIPS_ENDPOINT", "true"
#define DUAL "AWS_USE_DUALSTACK_ENDPOINT", "true"
#define PROFILE(name) "AWS_CONFIG_FILE", FX "config", "AWS_SHARED_CREDENTIALS_FILE", FX "credentials", \
                      "AWS_PROFILE", name

static const struct s_case s_cases[] = {
    /* Partitions. */
    { "aws", TW_SVC_CLOUDTRAIL, "us-east-1", { { NULL } }, TW_OK,
      "https://cloudtrail.us-east-1.amazonaws.com", "cloudtrail.us-east-1.amazonaws.com", "us-east-1", "default", NULL },
    { "aws, newer region", TW_SVC_CONFIG, "ap-southeast-5", { { NULL } }, TW_OK,
      "https://config.ap-southeast-5.amazonaws.com", "config.ap-southeast-5.amazonaws.com", "ap-southeast-5", "default", NULL },
    { "aws-cn", TW_SVC_LOGS, "cn-north-1", { { NULL } }, TW_OK,
      "https://logs.cn-north-1.amazonaws.com.cn", "logs.cn-north-1.amazonaws.com.cn", "cn-north-1", "default", NULL },
    { "aws-us-gov", TW_SVC_CLOUDWATCH, "us-gov-west-1", { { NULL } }, TW_OK,
      "https://monitoring.us-gov-west-1.amazonaws.com", "monitoring.us-gov-west-1.amazonaws.com", "us-gov-west-1", "default", NULL },
    /* FIPS. */
    { "fips aws", TW_SVC_SNS, "eu-west-1", { { FIPS, NULL } }, TW_OK,
      "https://sns-fips.eu-west-1.amazonaws.com", "sns-fips.eu-west-1.amazonaws.com", "eu-west-1", "default", NULL },
    { "fips aws-cn", TW_SVC_CONFIG, "cn-northwest-1", { { FIPS, NULL } }, TW_OK,
      "https://config-fips.cn-northwest-1.amazonaws.com.cn", "config-fips.cn-northwest-1.amazonaws.com.cn", "cn-northwest-1", "default", NULL },
    { "fips gov cloudtrail west", TW_SVC_CLOUDTRAIL, "us-gov-west-1", { { FIPS, NULL } }, TW_OK,
      "https://cloudtrail.us-gov-west-1.amazonaws.com", "cloudtrail.us-gov-west-1.amazonaws.com", "us-gov-west-1", "default", NULL },
    { "fips gov logs east", TW_SVC_LOGS, "us-gov-east-1", { { FIPS, NULL } }, TW_OK,
      "https://logs.us-gov-east-1.amazonaws.com", "logs.us-gov-east-1.amazonaws.com", "us-gov-east-1", "default", NULL },
    { "fips gov sns west", TW_SVC_SNS, "us-gov-west-1", { { FIPS, NULL } }, TW_OK,
      "https://sns.us-gov-west-1.amazonaws.com", "sns.us-gov-west-1.amazonaws.com", "us-gov-west-1", "default", NULL },
    { "fips gov cloudtrail, other gov region", TW_SVC_CLOUDTRAIL, "us-gov-south-1", { { FIPS, NULL } }, TW_OK,
      "https://cloudtrail-fips.us-gov-south-1.amazonaws.com", "cloudtrail-fips.us-gov-south-1.amazonaws.com", "us-gov-south-1", "default", NULL },
    { "fips gov config, any gov region", TW_SVC_CONFIG, "us-gov-south-1", { { FIPS, NULL } }, TW_OK,
      "https://config.us-gov-south-1.amazonaws.com", "config.us-gov-south-1.amazonaws.com", "us-gov-south-1", "default", NULL },
    { "fips gov sts", TW_SVC_STS, "us-gov-east-1", { { FIPS, NULL } }, TW_OK,
      "https://sts.us-gov-east-1.amazonaws.com", "sts.us-gov-east-1.amazonaws.com", "us-gov-east-1", "default", NULL },
    { "fips gov monitoring", TW_SVC_CLOUDWATCH, "us-gov-east-1", { { FIPS, NULL } }, TW_OK,
      "https://monitoring.us-gov-east-1.amazonaws.com", "monitoring.us-gov-east-1.amazonaws.com", "us-gov-east-1", "default", NULL },
    { "fips flag is case-insensitive", TW_SVC_STS, "us-east-2", { { "AWS_USE_FIPS_ENDPOINT", "TRUE", NULL } }, TW_OK,
      "https://sts-fips.us-east-2.amazonaws.com", "sts-fips.us-east-2.amazonaws.com", "us-east-2", "default", NULL },
    { "fips false", TW_SVC_STS, "us-east-2", { { "AWS_USE_FIPS_ENDPOINT", "false", NULL } }, TW_OK,
      "https://sts.us-east-2.amazonaws.com", "sts.us-east-2.amazonaws.com", "us-east-2", "default", NULL },
    /* Dual-stack. */
    { "dualstack aws", TW_SVC_CLOUDTRAIL, "us-east-1", { { DUAL, NULL } }, TW_OK,
      "https://cloudtrail.us-east-1.api.aws", "cloudtrail.us-east-1.api.aws", "us-east-1", "default", NULL },
    { "dualstack aws-cn", TW_SVC_LOGS, "cn-north-1", { { DUAL, NULL } }, TW_OK,
      "https://logs.cn-north-1.api.amazonwebservices.com.cn", "logs.cn-north-1.api.amazonwebservices.com.cn", "cn-north-1", "default", NULL },
    { "dualstack gov", TW_SVC_STS, "us-gov-west-1", { { DUAL, NULL } }, TW_OK,
      "https://sts.us-gov-west-1.api.aws", "sts.us-gov-west-1.api.aws", "us-gov-west-1", "default", NULL },
    { "fips + dualstack: no gov exception", TW_SVC_CLOUDTRAIL, "us-gov-west-1", { { FIPS, DUAL, NULL } }, TW_OK,
      "https://cloudtrail-fips.us-gov-west-1.api.aws", "cloudtrail-fips.us-gov-west-1.api.aws", "us-gov-west-1", "default", NULL },
    /* STS regional vs legacy global. */
    { "sts regional by default", TW_SVC_STS, "us-east-1", { { NULL } }, TW_OK,
      "https://sts.us-east-1.amazonaws.com", "sts.us-east-1.amazonaws.com", "us-east-1", "default", NULL },
    { "sts legacy, legacy region", TW_SVC_STS, "eu-west-1", { { "AWS_STS_REGIONAL_ENDPOINTS", "legacy", NULL } }, TW_OK,
      "https://sts.amazonaws.com", "sts.amazonaws.com", "us-east-1", "default", NULL },
    { "sts LEGACY, us-east-1", TW_SVC_STS, "us-east-1", { { "AWS_STS_REGIONAL_ENDPOINTS", "LEGACY", NULL } }, TW_OK,
      "https://sts.amazonaws.com", "sts.amazonaws.com", "us-east-1", "default", NULL },
    { "sts legacy, newer region stays regional", TW_SVC_STS, "af-south-1", { { "AWS_STS_REGIONAL_ENDPOINTS", "legacy", NULL } }, TW_OK,
      "https://sts.af-south-1.amazonaws.com", "sts.af-south-1.amazonaws.com", "af-south-1", "default", NULL },
    { "sts legacy ignored with fips", TW_SVC_STS, "us-east-1", { { "AWS_STS_REGIONAL_ENDPOINTS", "legacy", FIPS, NULL } }, TW_OK,
      "https://sts-fips.us-east-1.amazonaws.com", "sts-fips.us-east-1.amazonaws.com", "us-east-1", "default", NULL },
    { "sts legacy from the profile (its fips overridden by env)", TW_SVC_STS, "us-west-2",
      { { PROFILE("fips"), "AWS_USE_FIPS_ENDPOINT", "false", NULL } }, TW_OK,
      "https://sts.amazonaws.com", "sts.amazonaws.com", "us-east-1", "default", NULL },
    { "sts aws-global", TW_SVC_STS, "aws-global", { { NULL } }, TW_OK,
      "https://sts.amazonaws.com", "sts.amazonaws.com", "us-east-1", "default", NULL },
    { "legacy only concerns sts", TW_SVC_SNS, "us-east-1", { { "AWS_STS_REGIONAL_ENDPOINTS", "legacy", NULL } }, TW_OK,
      "https://sns.us-east-1.amazonaws.com", "sns.us-east-1.amazonaws.com", "us-east-1", "default", NULL },
    { "sts bad mode", TW_SVC_STS, "us-east-1", { { "AWS_STS_REGIONAL_ENDPOINTS", "global", NULL } }, TW_ERR,
      NULL, NULL, NULL, NULL, "\"regional\" or \"legacy\"" },
    /* Overrides: signed for the region asked for. */
    { "global override", TW_SVC_LOGS, "eu-west-1", { { "AWS_ENDPOINT_URL", "http://127.0.0.1:4566", NULL } }, TW_OK,
      "http://127.0.0.1:4566", "127.0.0.1:4566", "eu-west-1", "AWS_ENDPOINT_URL", NULL },
    { "service override beats global", TW_SVC_LOGS, "eu-west-1",
      { { "AWS_ENDPOINT_URL", "http://127.0.0.1:4566", "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS", "http://logs.local:8080", NULL } }, TW_OK,
      "http://logs.local:8080", "logs.local:8080", "eu-west-1", "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS", NULL },
    { "another service's override does not apply", TW_SVC_CLOUDTRAIL, "eu-west-1",
      { { "AWS_ENDPOINT_URL", "http://127.0.0.1:4566", "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS", "http://logs.local:8080", NULL } }, TW_OK,
      "http://127.0.0.1:4566", "127.0.0.1:4566", "eu-west-1", "AWS_ENDPOINT_URL", NULL },
    { "CONFIG_SERVICE suffix", TW_SVC_CONFIG, "us-west-2", { { "AWS_ENDPOINT_URL_CONFIG_SERVICE", "https://cfg.test", NULL } }, TW_OK,
      "https://cfg.test", "cfg.test", "us-west-2", "AWS_ENDPOINT_URL_CONFIG_SERVICE", NULL },
    { "override wins over fips, dualstack and sts legacy", TW_SVC_STS, "us-east-1",
      { { "AWS_ENDPOINT_URL_STS", "http://[::1]:4566", FIPS, DUAL, "AWS_STS_REGIONAL_ENDPOINTS", "legacy", NULL } }, TW_OK,
      "http://[::1]:4566", "[::1]:4566", "us-east-1", "AWS_ENDPOINT_URL_STS", NULL },
    { "ignore flag", TW_SVC_LOGS, "eu-west-1",
      { { "AWS_ENDPOINT_URL", "http://127.0.0.1:4566", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true", NULL } }, TW_OK,
      "https://logs.eu-west-1.amazonaws.com", "logs.eu-west-1.amazonaws.com", "eu-west-1", "default", NULL },
    { "config services section", TW_SVC_STS, "eu-west-1", { { PROFILE("local"), NULL } }, TW_OK,
      "http://localhost:4566", "localhost:4566", "eu-west-1", "config services section", NULL },
    { "config services section, default port dropped", TW_SVC_LOGS, "eu-west-1", { { PROFILE("local"), NULL } }, TW_OK,
      "https://logs.local", "logs.local", "eu-west-1", "config services section", NULL },
    { "config endpoint_url when the section has no entry", TW_SVC_CLOUDTRAIL, "eu-west-1", { { PROFILE("local"), NULL } }, TW_OK,
      "http://127.0.0.1:9000", "127.0.0.1:9000", "eu-west-1", "config endpoint_url", NULL },
    { "env global beats config services section", TW_SVC_STS, "eu-west-1",
      { { PROFILE("local"), "AWS_ENDPOINT_URL", "http://10.0.0.1:1234", NULL } }, TW_OK,
      "http://10.0.0.1:1234", "10.0.0.1:1234", "eu-west-1", "AWS_ENDPOINT_URL", NULL },
    { "ignore flag from the env disables config overrides", TW_SVC_STS, "eu-west-1",
      { { PROFILE("local"), "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true", NULL } }, TW_OK,
      "https://sts.eu-west-1.amazonaws.com", "sts.eu-west-1.amazonaws.com", "eu-west-1", "default", NULL },
    { "ignore flag from the config file", TW_SVC_SNS, "eu-west-1", { { PROFILE("ignore"), NULL } }, TW_OK,
      "https://sns.eu-west-1.amazonaws.com", "sns.eu-west-1.amazonaws.com", "eu-west-1", "default", NULL },
    { "fips from the config file", TW_SVC_SNS, "us-east-1", { { PROFILE("fips"), NULL } }, TW_OK,
      "https://sns-fips.us-east-1.amazonaws.com", "sns-fips.us-east-1.amazonaws.com", "us-east-1", "default", NULL },
    { "env beats the config file", TW_SVC_SNS, "us-east-1",
      { { PROFILE("fips"), "AWS_USE_FIPS_ENDPOINT", "false", NULL } }, TW_OK,
      "https://sns.us-east-1.amazonaws.com", "sns.us-east-1.amazonaws.com", "us-east-1", "default", NULL },
    { "bad override", TW_SVC_SNS, "us-east-1", { { "AWS_ENDPOINT_URL_SNS", "localhost:4566", NULL } }, TW_ERR,
      NULL, NULL, NULL, NULL, "SNS (from AWS_ENDPOINT_URL_SNS)" },
    /* Regions that must not reach a host name. */
    { "uppercase region", TW_SVC_SNS, "US-EAST-1", { { NULL } }, TW_ERR, NULL, NULL, NULL, NULL, "invalid region" },
    { "underscore", TW_SVC_SNS, "us_east_1", { { NULL } }, TW_ERR, NULL, NULL, NULL, NULL, "invalid region" },
    { "dot", TW_SVC_SNS, "evil.com", { { NULL } }, TW_ERR, NULL, NULL, NULL, NULL, "invalid region" },
    { "slash", TW_SVC_SNS, "us-east-1/x", { { NULL } }, TW_ERR, NULL, NULL, NULL, NULL, "invalid region" },
    { "empty", TW_SVC_SNS, "", { { NULL } }, TW_ERR, NULL, NULL, NULL, NULL, "invalid region" },
    { "null", TW_SVC_SNS, NULL, { { NULL } }, TW_ERR, NULL, NULL, NULL, NULL, "invalid region" },
    { "invalid region even with an override", TW_SVC_SNS, "bad region",
      { { "AWS_ENDPOINT_URL", "http://127.0.0.1:4566", NULL } }, TW_ERR, NULL, NULL, NULL, NULL, "invalid region" },
    { "iso partition", TW_SVC_SNS, "us-iso-east-1", { { NULL } }, TW_ERR, NULL, NULL, NULL, NULL, "partition" },
};

static void test_endpoint_resolve(void **state)
{
    (void)state;
    for (size_t i = 0; i < TW_ARRAY_LEN(s_cases); i++) {
        const struct s_case *c = &s_cases[i];
        struct s_fake_env fe = c->env;
        struct tw_env env = { s_fake_getenv, &fe };
        struct tw_profile *profile = NULL;
        struct tw_endpoint ep;
        struct tw_err err;
        int rc;

        tw_err_clear(&err);
        if (tw_env_get(&env, "AWS_CONFIG_FILE") && tw_profile_load(&profile, &env, &err) != TW_OK)
            fail_msg("%s: profile: %s", c->what, err.msg);
        rc = tw_endpoint_resolve(&ep, c->svc, c->region, &env, profile, &err);
        tw_profile_free(profile);
        if (rc != c->want_rc)
            fail_msg("%s: rc %d, want %d (%s)", c->what, rc, c->want_rc, err.msg);
        if (rc != TW_OK) {
            if (!strstr(err.msg, c->msg))
                fail_msg("%s: message \"%s\" lacks \"%s\"", c->what, err.msg, c->msg);
            assert_string_equal(ep.url, "");
            continue;
        }
        if (strcmp(ep.url, c->url) != 0 || strcmp(ep.host, c->host) != 0 ||
            strcmp(ep.signing_region, c->signing_region) != 0 || strcmp(ep.source, c->source) != 0)
            fail_msg("%s: got %s / %s / %s / %s, want %s / %s / %s / %s", c->what, ep.url, ep.host,
                     ep.signing_region, ep.source, c->url, c->host, c->signing_region, c->source);
        assert_string_equal(ep.signing_name, tw_endpoint_service_info(c->svc)->signing_name);
    }
}

static void test_endpoint_from_url(void **state)
{
    static const struct {
        const char *in, *url, *host; /* url NULL: refused */
    } cases[] = {
        { "http://127.0.0.1:4566", "http://127.0.0.1:4566", "127.0.0.1:4566" },
        { "http://127.0.0.1:4566/", "http://127.0.0.1:4566", "127.0.0.1:4566" },
        { "HTTPS://Example.COM:443/", "https://example.com", "example.com" },
        { "https://example.com:8443", "https://example.com:8443", "example.com:8443" },
        { "http://example.com:80", "http://example.com", "example.com" },
        { "https://example.com:80", "https://example.com:80", "example.com:80" },
        { "http://example.com:443", "http://example.com:443", "example.com:443" },
        { "http://example.com:", "http://example.com", "example.com" },
        { "http://[::1]:4566", "http://[::1]:4566", "[::1]:4566" },
        { "http://[FE80::1]", "http://[fe80::1]", "[fe80::1]" },
        { "https://[::ffff:10.0.0.1]:443", "https://[::ffff:10.0.0.1]", "[::ffff:10.0.0.1]" },
        { "http://user:pass@host.local:8080", "http://host.local:8080", "host.local:8080" },
        { "http://my_host.internal", "http://my_host.internal", "my_host.internal" },
        { "ftp://example.com", NULL, NULL },
        { "localhost:4566", NULL, NULL },
        { "http://", NULL, NULL },
        { "http://:4566", NULL, NULL },
        { "http://example.com/path", NULL, NULL },
        { "http://example.com?x=1", NULL, NULL },
        { "http://example.com#f", NULL, NULL },
        { "http://example.com:99999", NULL, NULL },
        { "http://example.com:0", NULL, NULL },
        { "http://example.com:12a", NULL, NULL },
        { "http://[::1", NULL, NULL },
        { "http://[]:80", NULL, NULL },
        { "http://[::1]x", NULL, NULL },
        { "http://[::g]", NULL, NULL },
        { "http://ex ample.com", NULL, NULL },
        { "http://example.com\r\nX-Evil: 1", NULL, NULL },
        { NULL, NULL, NULL },
    };

    (void)state;
    for (size_t i = 0; i < TW_ARRAY_LEN(cases); i++) {
        struct tw_endpoint ep;
        struct tw_err err;
        int rc;

        memset(&ep, 0, sizeof(ep));
        tw_err_clear(&err);
        rc = tw_endpoint_from_url(&ep, cases[i].in, &err);
        if (cases[i].url) {
            if (rc != TW_OK)
                fail_msg("case %zu (%s): %s", i, cases[i].in, err.msg);
            if (strcmp(ep.url, cases[i].url) != 0 || strcmp(ep.host, cases[i].host) != 0)
                fail_msg("case %zu: got %s / %s, want %s / %s", i, ep.url, ep.host, cases[i].url,
                         cases[i].host);
        } else {
            if (rc != TW_ERR)
                fail_msg("case %zu (%s): accepted as %s / %s", i, cases[i].in ? cases[i].in : "NULL",
                         ep.url, ep.host);
            assert_true(err.msg[0] != '\0');
        }
    }

    /* Host names: 291 bytes fit (with room for a port), 292 do not. */
    {
        char url[8 + 300 + 8];
        struct tw_endpoint ep;
        struct tw_err err;

        memcpy(url, "https://", 8);
        memset(url + 8, 'h', 291);
        strcpy(url + 8 + 291, ":8443");
        memset(&ep, 0, sizeof(ep));
        tw_err_clear(&err);
        assert_int_equal(tw_endpoint_from_url(&ep, url, &err), TW_OK);
        assert_string_equal(ep.url, url);
        assert_string_equal(ep.host, url + 8);
        memset(url + 8, 'h', 292);
        strcpy(url + 8 + 292, ":8443");
        tw_err_clear(&err);
        assert_int_equal(tw_endpoint_from_url(&ep, url, &err), TW_ERR);
        assert_non_null(strstr(err.msg, "has an overlong host"));
    }
}

/* A service outside the table is refused, not resolved to garbage. */
static void test_unknown_service(void **state)
{
    struct tw_endpoint ep;
    struct tw_err err;

    (void)state;
    tw_err_clear(&err);
    assert_null(tw_endpoint_service_info(TW_SVC_COUNT));
    assert_null(tw_endpoint_service_info((enum tw_service)-1));
    assert_int_equal(tw_endpoint_resolve(&ep, TW_SVC_COUNT, "us-east-1", NULL, NULL, &err), TW_ERR);
    assert_string_equal(err.msg, "unknown service 6");
    assert_string_equal(ep.url, "");
}

static void test_partition(void **state)
{
    static const struct {
        const char *region, *want;
    } cases[] = {
        { "us-east-1", "aws" },       { "eu-central-2", "aws" },      { "il-central-1", "aws" },
        { "aws-global", "aws" },      { "cn-north-1", "aws-cn" },     { "cn-northwest-1", "aws-cn" },
        { "us-gov-west-1", "aws-us-gov" }, { "us-gov-east-1", "aws-us-gov" },
        { "us-iso-east-1", NULL },    { "us-isob-east-1", NULL },    { "eu-isoe-west-1", NULL },
        { "Us-east-1", NULL },        { "", NULL },                  { NULL, NULL },
    };

    (void)state;
    for (size_t i = 0; i < TW_ARRAY_LEN(cases); i++) {
        const char *got = tw_endpoint_partition(cases[i].region);
        if (cases[i].want ? !got || strcmp(got, cases[i].want) != 0 : got != NULL)
            fail_msg("case %zu: got %s", i, got ? got : "(null)");
    }
    assert_true(tw_endpoint_region_valid("a"));
    assert_true(tw_endpoint_region_valid("0123456789012345678901234567890123456789012345678901234567890-a"));
    assert_false(tw_endpoint_region_valid("0123456789012345678901234567890123456789012345678901234567890-ab"));
}

static void test_region(void **state)
{
    static const struct {
        struct s_fake_env env;
        int want_rc;
        const char *want;
    } cases[] = {
        { { { "AWS_REGION", "eu-west-3", "AWS_DEFAULT_REGION", "eu-west-2", PROFILE("default"), NULL } }, TW_OK, "eu-west-3" },
        { { { "AWS_DEFAULT_REGION", "eu-west-2", PROFILE("default"), NULL } }, TW_OK, "eu-west-2" },
        { { { PROFILE("default"), NULL } }, TW_OK, "eu-west-1" },
        { { { PROFILE("cfgonly"), NULL } }, TW_OK, "us-gov-west-1" },
        { { { "HOME", FX "home", NULL } }, TW_OK, "sa-east-1" },
        { { { PROFILE("assume"), NULL } }, TW_ENOTFOUND, NULL },
        { { { NULL } }, TW_ENOTFOUND, NULL },
        { { { "AWS_REGION", "eu west 1", NULL } }, TW_ERR, NULL },
    };

    (void)state;
    for (size_t i = 0; i < TW_ARRAY_LEN(cases); i++) {
        struct s_fake_env fe = cases[i].env;
        struct tw_env env = { s_fake_getenv, &fe };
        struct tw_profile *profile = NULL;
        struct tw_err err;
        char region[TW_REGION_MAX];
        int rc;

        tw_err_clear(&err);
        assert_int_equal(tw_profile_load(&profile, &env, &err), TW_OK);
        rc = tw_endpoint_region(region, &env, profile, &err);
        tw_profile_free(profile);
        if (rc != cases[i].want_rc)
            fail_msg("case %zu: rc %d (%s)", i, rc, err.msg);
        if (rc == TW_OK)
            assert_string_equal(region, cases[i].want);
        else if (rc == TW_ENOTFOUND)
            assert_non_null(strstr(err.msg, "AWS_REGION or AWS_DEFAULT_REGION"));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_service_table),     cmocka_unit_test(test_endpoint_resolve),
        cmocka_unit_test(test_endpoint_from_url), cmocka_unit_test(test_unknown_service),
        cmocka_unit_test(test_partition),
        cmocka_unit_test(test_region),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
