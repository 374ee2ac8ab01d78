/* endpoint.c — endpoint resolution for trailwatch's six services, a
 * hand-written equivalent of their botocore endpoint-rule-set-1.json files
 * (boto/botocore botocore/data/<service>/<version>/) and partitions.json. */
#include "endpoint.h"

#include "creds.h"

#include <stdio.h>
#include <string.h>

/* How FIPS behaves in aws-us-gov, where the plain host is already FIPS. */
enum s_gov_fips {
    S_GOV_FIPS_HOST,       /* always {prefix}-fips.{region}... */
    S_GOV_EAST_WEST_PLAIN, /* plain host in us-gov-east-1 and us-gov-west-1 only */
    S_GOV_PLAIN,           /* plain host in every aws-us-gov region */
};

static const struct {
    struct tw_service_info info;
    enum s_gov_fips gov_fips;
} s_services[TW_SVC_COUNT] = {
    [TW_SVC_CLOUDTRAIL] = { { "CloudTrail", "cloudtrail", "cloudtrail", "CLOUDTRAIL", "cloudtrail" },
                            S_GOV_EAST_WEST_PLAIN },
    [TW_SVC_LOGS] = { { "CloudWatch Logs", "logs", "logs", "CLOUDWATCH_LOGS", "cloudwatch_logs" },
                      S_GOV_EAST_WEST_PLAIN },
    [TW_SVC_CLOUDWATCH] = { { "CloudWatch", "monitoring", "monitoring", "CLOUDWATCH", "cloudwatch" },
                            S_GOV_PLAIN },
    [TW_SVC_SNS] = { { "SNS", "sns", "sns", "SNS", "sns" }, S_GOV_EAST_WEST_PLAIN },
    [TW_SVC_STS] = { { "STS", "sts", "sts", "STS", "sts" }, S_GOV_PLAIN },
    [TW_SVC_CONFIG] = { { "Config Service", "config", "config", "CONFIG_SERVICE", "config_service" },
                        S_GOV_PLAIN },
};

static const struct {
    const char *name, *dns_suffix, *dualstack_dns_suffix;
} s_partitions[] = {
    { "aws", "amazonaws.com", "api.aws" },
    { "aws-cn", "amazonaws.com.cn", "api.amazonwebservices.com.cn" },
    { "aws-us-gov", "amazonaws.com", "api.aws" },
};

/* Regions where AWS_STS_REGIONAL_ENDPOINTS=legacy still means the global
 * endpoint (the UseGlobalEndpoint branch of the STS rule set). */
static const char *const s_sts_legacy_regions[] = {
    "ap-northeast-1", "ap-south-1",   "ap-southeast-1", "ap-southeast-2",
    "aws-global",     "ca-central-1", "eu-central-1",   "eu-north-1",
    "eu-west-1",      "eu-west-2",    "eu-west-3",      "sa-east-1",
    "us-east-1",      "us-east-2",    "us-west-1",      "us-west-2",
};

const struct tw_service_info *tw_endpoint_service_info(enum tw_service svc)
{
    if ((int)svc < 0 || svc >= TW_SVC_COUNT)
        return NULL;
    return &s_services[svc].info;
}

static int s_starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static char s_lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

int tw_endpoint_region_valid(const char *region)
{
    size_t n;

    if (!region)
        return 0;
    n = strlen(region);
    if (n == 0 || n >= TW_REGION_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = region[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
            return 0;
    }
    return 1;
}

static size_t s_partition_index(const char *region)
{
    if (s_starts(region, "cn-") || strcmp(region, "aws-cn-global") == 0)
        return 1;
    if (s_starts(region, "us-gov-") || strcmp(region, "aws-us-gov-global") == 0)
        return 2;
    return 0;
}

const char *tw_endpoint_partition(const char *region)
{
    if (!tw_endpoint_region_valid(region))
        return NULL;
    /* aws-iso, aws-iso-b, aws-iso-e, aws-iso-f: other DNS suffixes, not supported. */
    if (s_starts(region, "us-iso") || s_starts(region, "eu-isoe") ||
        s_starts(region, "aws-iso"))
        return NULL;
    return s_partitions[s_partition_index(region)].name;
}

/* ---- override URLs ------------------------------------------------------------------ */

static int s_istarts(const char *s, const char *lower_prefix)
{
    for (; *lower_prefix; s++, lower_prefix++)
        if (s_lower(*s) != *lower_prefix)
            return 0;
    return 1;
}

static int s_host_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_';
}

int tw_endpoint_from_url(struct tw_endpoint *out, const char *url, struct tw_err *err)
{
    const char *scheme, *auth, *end, *at, *host, *host_end, *port = NULL;
    char host_lc[TW_ENDPOINT_HOST_MAX];
    size_t host_len, port_len = 0;
    unsigned long port_num = 0;
    int https, n;

    if (!url) {
        tw_err_set(err, "endpoint URL is empty");
        return TW_ERR;
    }
    if (s_istarts(url, "https://")) {
        https = 1;
        scheme = "https";
        auth = url + 8;
    } else if (s_istarts(url, "http://")) {
        https = 0;
        scheme = "http";
        auth = url + 7;
    } else {
        tw_err_set(err, "endpoint URL \"%.200s\" must start with http:// or https://", url);
        return TW_ERR;
    }
    end = auth + strcspn(auth, "/?#");
    if (!(end[0] == '\0' || (end[0] == '/' && end[1] == '\0'))) {
        tw_err_set(err, "endpoint URL \"%.200s\" must not have a path, query or fragment", url);
        return TW_ERR;
    }
    /* Like botocore's _host_from_url: user info is not part of the host. */
    host = auth;
    for (at = auth; at < end; at++)
        if (*at == '@')
            host = at + 1;
    if (host < end && *host == '[') {
        host_end = memchr(host, ']', (size_t)(end - host));
        if (!host_end || host_end == host + 1) {
            tw_err_set(err, "endpoint URL \"%.200s\" has a malformed IPv6 address", url);
            return TW_ERR;
        }
        for (const char *p = host + 1; p < host_end; p++) {
            char c = s_lower(*p);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || c == ':' || c == '.')) {
                tw_err_set(err, "endpoint URL \"%.200s\" has a malformed IPv6 address", url);
                return TW_ERR;
            }
        }
        host_end++;
    } else {
        host_end = host;
        while (host_end < end && *host_end != ':')
            host_end++;
        if (host_end == host) {
            tw_err_set(err, "endpoint URL \"%.200s\" has no host", url);
            return TW_ERR;
        }
        for (const char *p = host; p < host_end; p++) {
            if (!s_host_char(s_lower(*p))) {
                tw_err_set(err, "endpoint URL \"%.200s\" has an invalid host name", url);
                return TW_ERR;
            }
        }
    }
    if (host_end < end) {
        if (*host_end != ':') {
            tw_err_set(err, "endpoint URL \"%.200s\" has text after the host", url);
            return TW_ERR;
        }
        port = host_end + 1;
        port_len = (size_t)(end - port);
        for (size_t i = 0; i < port_len; i++) {
            if (port[i] < '0' || port[i] > '9' || i >= 5) {
                tw_err_set(err, "endpoint URL \"%.200s\" has an invalid port", url);
                return TW_ERR;
            }
            port_num = port_num * 10 + (unsigned long)(port[i] - '0');
        }
        if (port_len > 0 && (port_num == 0 || port_num > 65535)) {
            tw_err_set(err, "endpoint URL \"%.200s\" has an invalid port", url);
            return TW_ERR;
        }
    }
    host_len = (size_t)(host_end - host);
    if (host_len >= sizeof(host_lc) - 8) {
        tw_err_set(err, "endpoint URL \"%.200s\" has an overlong host", url);
        return TW_ERR;
    }
    for (size_t i = 0; i < host_len; i++)
        host_lc[i] = s_lower(host[i]);
    host_lc[host_len] = '\0';
    /* An empty port ("host:") or the scheme's default is not sent in Host. */
    if (port_len > 0 && port_num != (https ? 443UL : 80UL))
        n = snprintf(out->host, sizeof(out->host), "%s:%lu", host_lc, port_num);
    else
        n = snprintf(out->host, sizeof(out->host), "%s", host_lc);
    if (n < 0 || (size_t)n >= sizeof(out->host)) {
        tw_err_set(err, "endpoint URL \"%.200s\" has an overlong host", url);
        return TW_ERR;
    }
    snprintf(out->url, sizeof(out->url), "%s://%s", scheme, out->host);
    return TW_OK;
}

/* ---- resolution ---------------------------------------------------------------------- */

/* A setting from the environment, else from the profile. */
static const char *s_setting(const struct tw_env *env, const struct tw_profile *profile,
                             const char *env_name, const char *config_key)
{
    const char *v = tw_env_get(env, env_name);

    return v ? v : tw_profile_get(profile, config_key);
}

static int s_in(const char *s, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(s, list[i]) == 0)
            return 1;
    return 0;
}

static int s_ieq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (s_lower(*a) != s_lower(*b))
            return 0;
    return *a == *b;
}

/* The configured endpoint URL, in botocore's ConfiguredEndpointProvider order. */
static const char *s_configured_url(const struct tw_env *env, const struct tw_profile *profile,
                                    const struct tw_service_info *info, char *source,
                                    size_t source_size)
{
    char name[64];
    const char *v;

    snprintf(name, sizeof(name), "AWS_ENDPOINT_URL_%s", info->env_suffix);
    if ((v = tw_env_get(env, name)) != NULL) {
        tw_strlcpy(source, name, source_size);
        return v;
    }
    if ((v = tw_env_get(env, "AWS_ENDPOINT_URL")) != NULL) {
        tw_strlcpy(source, "AWS_ENDPOINT_URL", source_size);
        return v;
    }
    if ((v = tw_profile_service_get(profile, info->config_key, "endpoint_url")) != NULL) {
        tw_strlcpy(source, "config services section", source_size);
        return v;
    }
    if ((v = tw_profile_get(profile, "endpoint_url")) != NULL) {
        tw_strlcpy(source, "config endpoint_url", source_size);
        return v;
    }
    return NULL;
}

int tw_endpoint_resolve(struct tw_endpoint *out, enum tw_service svc, const char *region,
                        const struct tw_env *env, const struct tw_profile *profile,
                        struct tw_err *err)
{
    const struct tw_service_info *info = tw_endpoint_service_info(svc);
    const char *partition, *url, *sts_mode, *dns;
    struct tw_endpoint e;
    size_t pi;
    int fips, dualstack, n, plain_gov;

    memset(out, 0, sizeof(*out));
    memset(&e, 0, sizeof(e));
    if (!info) {
        tw_err_set(err, "unknown service %d", (int)svc);
        return TW_ERR;
    }
    if (!tw_endpoint_region_valid(region)) {
        tw_err_set(err, "%s: invalid region \"%.64s\" (want [a-z0-9-]+)", info->service_id,
                   region ? region : "");
        return TW_ERR;
    }
    tw_strlcpy(e.signing_name, info->signing_name, sizeof(e.signing_name));
    tw_strlcpy(e.signing_region, region, sizeof(e.signing_region));

    if (!tw_env_flag(s_setting(env, profile, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
                               "ignore_configured_endpoint_urls"))) {
        url = s_configured_url(env, profile, info, e.source, sizeof(e.source));
        if (url) {
            if (tw_endpoint_from_url(&e, url, err) != TW_OK) {
                tw_err_prefix(err, "%s (from %s)", info->service_id, e.source);
                return TW_ERR;
            }
            *out = e;
            return TW_OK;
        }
    }

    partition = tw_endpoint_partition(region);
    if (!partition) {
        tw_err_set(err, "%s: region \"%s\" is in a partition trailwatch does not support",
                   info->service_id, region);
        return TW_ERR;
    }
    pi = s_partition_index(region);
    fips = tw_env_flag(s_setting(env, profile, "AWS_USE_FIPS_ENDPOINT", "use_fips_endpoint"));
    dualstack = tw_env_flag(
        s_setting(env, profile, "AWS_USE_DUALSTACK_ENDPOINT", "use_dualstack_endpoint"));
    tw_strlcpy(e.source, "default", sizeof(e.source));

    if (svc == TW_SVC_STS) {
        sts_mode = s_setting(env, profile, "AWS_STS_REGIONAL_ENDPOINTS", "sts_regional_endpoints");
        if (sts_mode && !s_ieq(sts_mode, "regional") && !s_ieq(sts_mode, "legacy")) {
            tw_err_set(err, "AWS_STS_REGIONAL_ENDPOINTS / sts_regional_endpoints must be "
                            "\"regional\" or \"legacy\"");
            return TW_ERR;
        }
        if (!fips && !dualstack &&
            (strcmp(region, "aws-global") == 0 ||
             (sts_mode && s_ieq(sts_mode, "legacy") &&
              s_in(region, s_sts_legacy_regions, TW_ARRAY_LEN(s_sts_legacy_regions))))) {
            tw_strlcpy(e.host, "sts.amazonaws.com", sizeof(e.host));
            tw_strlcpy(e.url, "https://sts.amazonaws.com", sizeof(e.url));
            tw_strlcpy(e.signing_region, "us-east-1", sizeof(e.signing_region));
            *out = e;
            return TW_OK;
        }
    }

    dns = dualstack ? s_partitions[pi].dualstack_dns_suffix : s_partitions[pi].dns_suffix;
    plain_gov = pi == 2 && !dualstack &&
                (s_services[svc].gov_fips == S_GOV_PLAIN ||
                 (s_services[svc].gov_fips == S_GOV_EAST_WEST_PLAIN &&
                  (strcmp(region, "us-gov-east-1") == 0 || strcmp(region, "us-gov-west-1") == 0)));
    n = snprintf(e.host, sizeof(e.host), "%s%s.%s.%s", info->endpoint_prefix,
                 fips && !plain_gov ? "-fips" : "", region, dns);
    if (n < 0 || (size_t)n >= sizeof(e.host)) {
        tw_err_set(err, "%s: host name too long", info->service_id);
        return TW_ERR;
    }
    snprintf(e.url, sizeof(e.url), "https://%s", e.host);
    *out = e;
    return TW_OK;
}

int tw_endpoint_region(char out[TW_REGION_MAX], const struct tw_env *env,
                       const struct tw_profile *profile, struct tw_err *err)
{
    const char *v = tw_env_get(env, "AWS_REGION"), *from = "AWS_REGION";

    out[0] = '\0';
    if (!v) {
        v = tw_env_get(env, "AWS_DEFAULT_REGION");
        from = "AWS_DEFAULT_REGION";
    }
    if (!v) {
        v = tw_profile_get(profile, "region");
        from = "the profile's region";
    }
    if (!v) {
        tw_err_set(err, "no region: set AWS_REGION or AWS_DEFAULT_REGION, or region in the "
                        "profile \"%s\"",
                   profile ? tw_profile_name(profile) : "default");
        return TW_ENOTFOUND;
    }
    if (!tw_endpoint_region_valid(v)) {
        tw_err_set(err, "%s is not a valid region (want [a-z0-9-]+)", from);
        return TW_ERR;
    }
    tw_strlcpy(out, v, TW_REGION_MAX);
    return TW_OK;
}
