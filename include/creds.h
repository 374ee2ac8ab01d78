/* creds.h — AWS credentials, the environment they come from, the shared
 * config/credentials files, and the cache for assumed-role credentials.
 *
 * Sources, first hit wins (as the AWS SDKs):
 *   1. AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY [/ AWS_SESSION_TOKEN] — what
 *      Lambda provides; read again on every call because Lambda rotates them.
 *   2. the shared credentials file (AWS_SHARED_CREDENTIALS_FILE, default
 *      ~/.aws/credentials), section [<profile>];
 *   3. the shared config file (AWS_CONFIG_FILE, default ~/.aws/config),
 *      section [profile <profile>] ([default] for the default profile).
 * The profile is AWS_PROFILE, else "default". Only static keys are read:
 * role_arn/source_profile, SSO and credential_process profiles are reported
 * as unsupported.
 *
 * No function here ever writes a credential value into a struct tw_err. */
#ifndef TW_CREDS_H
#define TW_CREDS_H

#include "tw.h"

#include <time.h>

/* ---- environment --------------------------------------------------------- */

/* Returns the value of `name`, or NULL when unset. */
typedef const char *tw_getenv_fn(const char *name, void *ctx);

/* Where settings come from. Tests pass a fake; production passes NULL (or
 * TW_ENV_PROCESS), meaning getenv(3). */
struct tw_env {
    tw_getenv_fn *get;
    void *ctx;
};

#define TW_ENV_PROCESS ((const struct tw_env *)NULL)

/* The value of `name` through `env` (NULL env: the process environment).
 * An empty value counts as unset and gives NULL, as in botocore. */
const char *tw_env_get(const struct tw_env *env, const char *name);

/* 1 if `name` is set to "true" (any case), else 0 — botocore's ensure_boolean. */
int tw_env_flag(const char *value);

/* ---- credentials --------------------------------------------------------- */

#define TW_CREDS_SOURCE_MAX 64

struct tw_creds {
    char *access_key_id;     /* owned */
    char *secret_access_key; /* owned; wiped by tw_creds_cleanup */
    char *session_token;     /* owned, NULL when none; wiped by tw_creds_cleanup */
    time_t expiration;       /* 0 = does not expire */
    char source[TW_CREDS_SOURCE_MAX]; /* e.g. "environment", "credentials file, profile dev" */
};

/* Fills *out with copies of the given values. `token` may be NULL or "".
 * Rejects empty keys and control characters or whitespace in the key id and
 * control characters in secret and token (they travel in HTTP headers),
 * without echoing them. On failure *out is zeroed. */
int tw_creds_set(struct tw_creds *out, const char *access_key_id, const char *secret_access_key,
                 const char *session_token, time_t expiration, const char *source,
                 struct tw_err *err);

/* Deep copy; on failure *out is zeroed. */
int tw_creds_copy(struct tw_creds *out, const struct tw_creds *src, struct tw_err *err);

/* Wipes (OPENSSL_cleanse) and frees the secret and token, frees the key id
 * and zeroes the struct. NULL-safe, idempotent. */
void tw_creds_cleanup(struct tw_creds *creds);

/* From AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN.
 * TW_ENOTFOUND when neither key is set; TW_ERR when only one is. */
int tw_creds_from_env(struct tw_creds *out, const struct tw_env *env, struct tw_err *err);

struct tw_profile;

/* From the profile's static keys: aws_access_key_id, aws_secret_access_key,
 * aws_session_token (or the legacy aws_security_token), credentials file
 * first, then config file. TW_ENOTFOUND when neither file has keys for the
 * profile (err says which profile and which paths were read); TW_ERR for a
 * half-configured profile. */
int tw_creds_from_profile(struct tw_creds *out, const struct tw_profile *profile,
                          struct tw_err *err);

/* The whole chain: environment, then shared files (loaded only if the
 * environment has no keys). On TW_ENOTFOUND err->msg names the variables and
 * files it tried. On failure *out is zeroed. */
int tw_creds_resolve(struct tw_creds *out, const struct tw_env *env, struct tw_err *err);

/* ---- shared config and credentials files ---------------------------------- */

#define TW_PROFILE_FILE_MAX (1024 * 1024) /* larger files are refused */
#define TW_PROFILE_LINE_MAX 16384         /* longer lines are refused */
#define TW_PROFILE_NAME_MAX 128

/* Reads both shared files for the profile named by AWS_PROFILE (default
 * "default"). Missing files or HOME are not errors (Lambda has neither); a
 * file that cannot be read, exceeds the caps or is malformed is (TW_ERR,
 * TW_ETOOBIG, TW_EPARSE; err gives path and line, never the line's text).
 * A profile that names a `services` section absent from the config file is
 * TW_EPARSE, as in botocore. Release with tw_profile_free. */
int tw_profile_load(struct tw_profile **out, const struct tw_env *env, struct tw_err *err);
void tw_profile_free(struct tw_profile *profile); /* NULL-safe; wipes values */

const char *tw_profile_name(const struct tw_profile *profile);
/* 1 if either file has a section for this profile. */
int tw_profile_exists(const struct tw_profile *profile);

/* A property of the profile, e.g. "region", "endpoint_url",
 * "use_fips_endpoint". Both files are merged and the credentials file wins,
 * as botocore does. Keys are case-insensitive (pass them lowercase).
 * Borrowed; NULL when unset or when `profile` is NULL. */
const char *tw_profile_get(const struct tw_profile *profile, const char *key);

/* A sub-property of the profile's services section:
 *   [profile dev]            [services local]
 *   services = local         sts =
 *                              endpoint_url = http://127.0.0.1:4566
 * tw_profile_service_get(p, "sts", "endpoint_url") gives the URL. Config file
 * only. Borrowed; NULL when unset or when `profile` is NULL. */
const char *tw_profile_service_get(const struct tw_profile *profile, const char *service_key,
                                   const char *key);

/* ---- assumed-role credentials --------------------------------------------- */

/* The role trailwatch assumes in an evaluated account (PROTOCOLS.md §2.4):
 * the partition and account of `execution_role_arn` (Config's
 * executionRoleArn) with role name `role_name` (rule parameter
 * ExecutionRoleName); the IAM path is dropped:
 *   arn:aws:iam::123456789012:role/aws-service-role/config.amazonaws.com/X + "Audit"
 *   => arn:aws:iam::123456789012:role/Audit
 * Requires an IAM role ARN in aws, aws-cn or aws-us-gov with a 12-digit
 * account, and a role name of 1-64 characters [A-Za-z0-9+=,.@_-]. Appends to
 * `out`; on failure (TW_EPARSE, TW_ETOOBIG) `out` is unchanged. */
int tw_creds_role_arn(struct tw_buf *out, const char *execution_role_arn, const char *role_name,
                      struct tw_err *err);

/* Credentials are refreshed this long before they expire. */
#define TW_CREDS_REFRESH_SECONDS 300
#define TW_CREDS_CACHE_SLOTS 8

struct tw_creds_cache_slot {
    char *role_arn; /* NULL: slot free */
    struct tw_creds creds;
    unsigned long last_used;
};

/* Assumed-role credentials by role ARN, kept across invocations. Caller
 * embeds it; not thread-safe (one Lambda invocation at a time). */
struct tw_creds_cache {
    struct tw_creds_cache_slot slot[TW_CREDS_CACHE_SLOTS];
    unsigned long tick;
};

void tw_creds_cache_init(struct tw_creds_cache *cache);
/* Wipes and frees every entry. NULL-safe. */
void tw_creds_cache_cleanup(struct tw_creds_cache *cache);

/* Cached credentials for `role_arn` that are still good at `now`, i.e.
 * expiration == 0 or now < expiration - TW_CREDS_REFRESH_SECONDS; else NULL
 * (a stale entry is wiped). Borrowed: valid until the next put or cleanup. */
const struct tw_creds *tw_creds_cache_get(struct tw_creds_cache *cache, const char *role_arn,
                                          time_t now);

/* Stores a deep copy of `creds` under `role_arn`, replacing that role's entry
 * or, when full, the least recently used one. On failure the cache is
 * unchanged. */
int tw_creds_cache_put(struct tw_creds_cache *cache, const char *role_arn,
                       const struct tw_creds *creds, struct tw_err *err);

#endif
