/* fuzz_profile.c — libFuzzer target for the shared credentials and config
 * files (tw_profile_load, tw_profile_get, tw_profile_service_get,
 * tw_creds_from_profile).
 *
 * creds.h has no buffer parser: the files are read by path. The target keeps
 * two memfds and points AWS_SHARED_CREDENTIALS_FILE / AWS_CONFIG_FILE at
 * /proc/self/fd/N through a fake tw_env, so nothing touches the disk.
 *
 * Input: SELECTOR CREDENTIALS-FILE [ '\0' CONFIG-FILE ]. SELECTOR's low three
 * bits pick AWS_PROFILE (unset, "default", "dev", "local", "a b", "Dev",
 * "x" * 129, "cfgonly"); bit 3 leaves AWS_CONFIG_FILE unset (and HOME unset,
 * so no config file is read); bit 4 does the same for the credentials file.
 * Checks: a profile that loads answers every getter (NULL or a terminated
 * string); credentials from it have non-empty keys without control
 * characters; and no error message ever carries the secret marker "S3cr3t"
 * that the seeds use as aws_secret_access_key values. */
#include "creds.h"
#include "fuzz_common.h"

#include <sys/mman.h>
#include <unistd.h>

struct s_env {
    const char *profile, *cred_path, *conf_path;
};

static const char *s_get(const char *name, void *ctx)
{
    const struct s_env *e = ctx;

    if (strcmp(name, "AWS_PROFILE") == 0)
        return e->profile;
    if (strcmp(name, "AWS_SHARED_CREDENTIALS_FILE") == 0)
        return e->cred_path;
    if (strcmp(name, "AWS_CONFIG_FILE") == 0)
        return e->conf_path;
    return NULL; /* HOME included: no ~/.aws fallback */
}

static int s_memfd(const char *name, char *path, size_t size)
{
    int fd = memfd_create(name, 0);

    FZ_CHECK(fd >= 0);
    snprintf(path, size, "/proc/self/fd/%d", fd);
    return fd;
}

static void s_fill(int fd, const uint8_t *data, size_t n)
{
    FZ_CHECK(ftruncate(fd, 0) == 0);
    FZ_CHECK(n == 0 || pwrite(fd, data, n, 0) == (ssize_t)n);
}

static void s_check_str(const char *s)
{
    if (s)
        FZ_CHECK(strlen(s) < TW_PROFILE_FILE_MAX);
}

static int s_clean(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return 0;
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const profiles[] = {
        NULL, "default", "dev", "local", "a b", "Dev",
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        "cfgonly",
    };
    static const char *const keys[] = { "region", "endpoint_url", "services", "use_fips_endpoint",
                                        "aws_access_key_id", "role_arn", "max_attempts",
                                        "ignore_configured_endpoint_urls" };
    static int cred_fd = -1, conf_fd = -1;
    static char cred_path[64], conf_path[64];
    struct s_env e;
    struct tw_env env = { s_get, &e };
    struct tw_profile *p = NULL;
    struct tw_creds creds;
    struct tw_err err;
    const uint8_t *nul;
    size_t cred_n, conf_n;
    int rc;

    if (size < 1 || size > 64 * 1024)
        return 0;
    if (cred_fd < 0) {
        cred_fd = s_memfd("credentials", cred_path, sizeof(cred_path));
        conf_fd = s_memfd("config", conf_path, sizeof(conf_path));
    }
    e.profile = profiles[data[0] & 7];
    e.conf_path = (data[0] & 8) ? NULL : conf_path;
    e.cred_path = (data[0] & 16) ? NULL : cred_path;
    data++;
    size--;
    nul = memchr(data, 0, size);
    cred_n = nul ? (size_t)(nul - data) : size;
    conf_n = nul ? size - cred_n - 1 : 0;
    s_fill(cred_fd, data, cred_n);
    s_fill(conf_fd, nul ? nul + 1 : data, conf_n);

    memset(&err, 0, sizeof(err));
    rc = tw_profile_load(&p, &env, &err);
    if (rc != TW_OK) {
        fz_check_err(rc, &err);
        FZ_CHECK(p == NULL);
        FZ_CHECK(rc == TW_EPARSE || rc == TW_ETOOBIG || rc == TW_ERR || rc == TW_ENOMEM);
        return 0;
    }
    FZ_CHECK(p != NULL);
    FZ_CHECK(strcmp(tw_profile_name(p), e.profile ? e.profile : "default") == 0);
    (void)tw_profile_exists(p);
    for (size_t i = 0; i < TW_ARRAY_LEN(keys); i++)
        s_check_str(tw_profile_get(p, keys[i]));
    s_check_str(tw_profile_service_get(p, "sts", "endpoint_url"));
    s_check_str(tw_profile_service_get(p, "cloudwatch_logs", "endpoint_url"));
    s_check_str(tw_profile_service_get(p, "s3", "max_concurrent_requests"));

    memset(&err, 0, sizeof(err));
    rc = tw_creds_from_profile(&creds, p, &err);
    if (rc == TW_OK) {
        FZ_CHECK(creds.access_key_id && creds.access_key_id[0] && s_clean(creds.access_key_id));
        FZ_CHECK(creds.secret_access_key && creds.secret_access_key[0] &&
                 s_clean(creds.secret_access_key));
        FZ_CHECK(!creds.session_token || s_clean(creds.session_token));
        FZ_CHECK(memchr(creds.source, '\0', sizeof(creds.source)) != NULL);
        tw_creds_cleanup(&creds);
        FZ_CHECK(creds.access_key_id == NULL && creds.secret_access_key == NULL);
    } else {
        static const struct tw_creds zero;
        fz_check_err(rc, &err);
        FZ_CHECK(memcmp(&creds, &zero, sizeof(creds)) == 0);
        FZ_CHECK(strstr(err.msg, "S3cr3t") == NULL);
    }
    tw_profile_free(p);
    return 0;
}
