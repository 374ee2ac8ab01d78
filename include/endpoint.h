/* endpoint.h — where each AWS call goes and how it is signed.
 *
 * Mirrors botocore's endpoint rule sets for the six services trailwatch
 * calls (PROTOCOLS.md §4): https://{prefix}.{region}.{dnsSuffix} in the aws,
 * aws-cn and aws-us-gov partitions; FIPS with the GovCloud exceptions;
 * dual-stack; STS regional (or legacy global); and the configured endpoint
 * overrides. With an override the request is still signed for the region it
 * is meant for, so one local endpoint can serve every region. */
#ifndef TW_ENDPOINT_H
#define TW_ENDPOINT_H

#include "tw.h"

struct tw_env;
struct tw_profile;

enum tw_service {
    TW_SVC_CLOUDTRAIL,
    TW_SVC_LOGS,
    TW_SVC_CLOUDWATCH,
    TW_SVC_SNS,
    TW_SVC_STS,
    TW_SVC_CONFIG,
    TW_SVC_COUNT
};

/* One row of the service table. */
struct tw_service_info {
    const char *service_id;      /* "CloudWatch Logs" (the model's serviceId) */
    const char *endpoint_prefix; /* "logs" */
    const char *signing_name;    /* "logs" */
    const char *env_suffix;      /* "CLOUDWATCH_LOGS": AWS_ENDPOINT_URL_<suffix> */
    const char *config_key;      /* "cloudwatch_logs": key in a [services] section */
};

/* The row for `svc`, or NULL when out of range. */
const struct tw_service_info *tw_endpoint_service_info(enum tw_service svc);

#define TW_REGION_MAX 64
#define TW_ENDPOINT_URL_MAX 512
#define TW_ENDPOINT_HOST_MAX 300

struct tw_endpoint {
    /* scheme://host[:port], no path and no trailing '/': requests go to
     * url + "/", and "/" is the path to sign. */
    char url[TW_ENDPOINT_URL_MAX];
    /* The Host header to sign AND send (set it explicitly in libcurl so the
     * two cannot differ): lowercase, port kept unless it is the scheme's
     * default, IPv6 literals in brackets, no user info. */
    char host[TW_ENDPOINT_HOST_MAX];
    char signing_region[TW_REGION_MAX];
    char signing_name[32];
    /* Where the URL came from, for logs: "AWS_ENDPOINT_URL_STS",
     * "AWS_ENDPOINT_URL", "config services section", "config endpoint_url"
     * or "default". */
    char source[48];
};

/* 1 if `region` is 1..TW_REGION_MAX-1 characters of [a-z0-9-] (it goes
 * into a host name). */
int tw_endpoint_region_valid(const char *region);

/* "aws", "aws-cn" (cn-*) or "aws-us-gov" (us-gov-*) for a valid region;
 * NULL for an invalid region or an ISO partition trailwatch does not
 * support (us-iso*, eu-isoe*). Other regions fall back to "aws" as in the
 * SDKs. */
const char *tw_endpoint_partition(const char *region);

/* Where to send a `svc` call for `region`. Settings are read from `env`
 * (NULL: the process environment) and then from `profile` (may be NULL):
 *   AWS_IGNORE_CONFIGURED_ENDPOINT_URLS / ignore_configured_endpoint_urls
 *   AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL, the profile's services
 *     section, the profile's endpoint_url — first one set wins, and FIPS
 *     and dual-stack are then ignored (botocore does the same);
 *   AWS_USE_FIPS_ENDPOINT / use_fips_endpoint
 *   AWS_USE_DUALSTACK_ENDPOINT / use_dualstack_endpoint
 *   AWS_STS_REGIONAL_ENDPOINTS / sts_regional_endpoints ("regional", the
 *     default, or "legacy": the 16 pre-2019 regions use
 *     https://sts.amazonaws.com signed as us-east-1). Region "aws-global"
 *     always means that global endpoint for STS.
 * Fails (TW_ERR, err says why) on an invalid or unsupported region, an
 * invalid sts_regional_endpoints value or an unusable override URL. */
int tw_endpoint_resolve(struct tw_endpoint *out, enum tw_service svc, const char *region,
                        const struct tw_env *env, const struct tw_profile *profile,
                        struct tw_err *err);

/* Sets out->url and out->host from an http(s) URL (an endpoint override),
 * leaving the other fields alone. Accepts "scheme://[userinfo@]host[:port][/]";
 * user info is dropped, a path other than "/", a query or a fragment is
 * refused. TW_ERR with err on anything else. */
int tw_endpoint_from_url(struct tw_endpoint *out, const char *url, struct tw_err *err);

/* The region to use: AWS_REGION, AWS_DEFAULT_REGION, then the profile's
 * `region`. TW_ENOTFOUND (err names all three) when none is set; TW_ERR for
 * an invalid one. */
int tw_endpoint_region(char out[TW_REGION_MAX], const struct tw_env *env,
                       const struct tw_profile *profile, struct tw_err *err);

#endif
