/* test_creds.c — credential chain, shared-file reader, role ARN and cache.
 * The environment is a fake (no HOME unless a case sets it), so the real
 * ~/.aws of whoever runs the tests is never read. Runs from the repo root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "creds.h"

#define FX "tests/fixtures/aws-config/"
#define NO_FILE "tests/fixtures/aws-config/does-not-exist"

/* ---- fake environment --------------------------------------------------------------- */

/* NULL-terminated name, value, name, value, ... */
struct s_fake_env {
    const char *kv[24];
};

static const char *s_fake_getenv(const char *name, void *ctx)
{
    const struct s_fake_env *fe = ctx;

    for (size_t i = 0; fe->kv[i]; i += 2)
        if (strcmp(fe->kv[i], name) == 0)
            return fe->kv[i + 1];
    return NULL;
}

/* Every secret and token in the fixtures: none may ever reach an error message. */
static const char *const s_secrets[] = {
    "secret-cred-default", "secret-cred-dev",     "token-cred-dev",
    "secret-spaced",       "secret-ignored",      "S3cr3tPartialDoNotLeak",
    "secret-case",         "secret-config-dev",   "secret-config-only",
    "token-config-only-legacy-name", "secret-ignored-too", "secret-local",
    "secret-home",         "secret-hidden",       "env-secret",
    "env-token",           "SeCrEtInABadLine",
};

static void s_assert_no_secret(const char *what, const char *msg)
{
    for (size_t i = 0; i < TW_ARRAY_LEN(s_secrets); i++)
        if (strstr(msg, s_secrets[i]))
            fail_msg("%s: message leaks \"%s\": %s", what, s_secrets[i], msg);
}

/* ---- the chain ---------------------------------------------------------------------- */

struct s_chain_case {
    const char *what;
    struct s_fake_env env;
    int want_rc;
    const char *akid, *secret, *token, *source; /* on TW_OK */
    const char *msg[4];                        /* substrings of err.msg otherwise */
};

#define FILES "AWS_SHARED_CREDENTIALS_FILE", FX "credentials", "AWS_CONFIG_FILE", FX "config"
#define NO_FILES "AWS_SHARED_CREDENTIALS_FILE", NO_FILE "/credentials", "AWS_CONFIG_FILE", NO_FILE "/config"

static const struct s_chain_case s_chain[] = {
    { "environment", { { "AWS_ACCESS_KEY_ID", "AKIDENV", "AWS_SECRET_ACCESS_KEY", "env-secret", NO_FILES, NULL } },
      TW_OK, "AKIDENV", "env-secret", NULL, "environment", { NULL } },
    { "environment with token",
      { { "AWS_ACCESS_KEY_ID", "AKIDENV", "AWS_SECRET_ACCESS_KEY", "env-secret", "AWS_SESSION_TOKEN", "env-token", NULL } },
      TW_OK, "AKIDENV", "env-secret", "env-token", "environment", { NULL } },
    { "environment beats the files",
      { { "AWS_ACCESS_KEY_ID", "AKIDENV", "AWS_SECRET_ACCESS_KEY", "env-secret", "AWS_PROFILE", "dev", FILES, NULL } },
      TW_OK, "AKIDENV", "env-secret", NULL, "environment", { NULL } },
    { "empty environment values count as unset",
      { { "AWS_ACCESS_KEY_ID", "", "AWS_SECRET_ACCESS_KEY", "", "AWS_SESSION_TOKEN", "", FILES, NULL } },
      TW_OK, "AKIDCREDDEFAULT", "secret-cred-default", NULL, "credentials file, profile default", { NULL } },
    { "key id without secret",
      { { "AWS_ACCESS_KEY_ID", "AKIDENV", FILES, NULL } },
      TW_ERR, NULL, NULL, NULL, NULL, { "AWS_SECRET_ACCESS_KEY is not", NULL } },
    { "secret without key id",
      { { "AWS_SECRET_ACCESS_KEY", "env-secret", FILES, NULL } },
      TW_ERR, NULL, NULL, NULL, NULL, { "AWS_ACCESS_KEY_ID is not", NULL } },
    { "default profile, credentials file, inline comment dropped", { { FILES, NULL } },
      TW_OK, "AKIDCREDDEFAULT", "secret-cred-default", NULL, "credentials file, profile default", { NULL } },
    { "AWS_PROFILE: credentials file beats config file", { { "AWS_PROFILE", "dev", FILES, NULL } },
      TW_OK, "AKIDCREDDEV", "secret-cred-dev", "token-cred-dev", "credentials file, profile dev", { NULL } },
    { "[profile x] in the config file, legacy token name", { { "AWS_PROFILE", "cfgonly", FILES, NULL } },
      TW_OK, "AKIDCONFIGONLY", "secret-config-only", "token-config-only-legacy-name",
      "config file, profile cfgonly", { NULL } },
    { "section name is trimmed", { { "AWS_PROFILE", "spaced", FILES, NULL } },
      TW_OK, "AKIDSPACED", "secret-spaced", NULL, "credentials file, profile spaced", { NULL } },
    { "keys are case-insensitive", { { "AWS_PROFILE", "CaseKeys", FILES, NULL } },
      TW_OK, "AKIDCASE", "secret-case", NULL, "credentials file, profile CaseKeys", { NULL } },
    { "[profile x] in credentials and [x] in config are ignored", { { "AWS_PROFILE", "prefixed", FILES, NULL } },
      TW_ENOTFOUND, NULL, NULL, NULL, NULL,
      { "profile \"prefixed\" has no aws_access_key_id", FX "credentials", FX "config", NULL } },
    { "[profile default] hides [default] in the config file",
      { { "AWS_SHARED_CREDENTIALS_FILE", NO_FILE, "AWS_CONFIG_FILE", FX "config-profile-default", NULL } },
      TW_ENOTFOUND, NULL, NULL, NULL, NULL, { "profile \"default\" has no", NULL } },
    { "half a key pair in a file", { { "AWS_PROFILE", "partial", FILES, NULL } },
      TW_ERR, NULL, NULL, NULL, NULL, { "profile \"partial\"", "no aws_access_key_id", NULL } },
    { "missing profile", { { "AWS_PROFILE", "nosuch", FILES, NULL } },
      TW_ENOTFOUND, NULL, NULL, NULL, NULL,
      { "AWS_ACCESS_KEY_ID", "profile \"nosuch\" is not defined", FX "credentials", FX "config" } },
    { "role_arn profile is unsupported", { { "AWS_PROFILE", "assume", FILES, NULL } },
      TW_ENOTFOUND, NULL, NULL, NULL, NULL, { "role_arn", "export-credentials", NULL } },
    { "missing everything", { { NO_FILES, NULL } },
      TW_ENOTFOUND, NULL, NULL, NULL, NULL,
      { "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set", NO_FILE "/credentials (missing)",
        NO_FILE "/config (missing)", "profile \"default\"" } },
    { "no HOME and no file variables", { { NULL } },
      TW_ENOTFOUND, NULL, NULL, NULL, NULL,
      { "AWS_SECRET_ACCESS_KEY", "HOME, AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE are not set", NULL } },
    { "no HOME, only a config file", { { "AWS_CONFIG_FILE", FX "config", "AWS_PROFILE", "prefixed", NULL } },
      TW_ENOTFOUND, NULL, NULL, NULL, NULL,
      { "no file (HOME and AWS_SHARED_CREDENTIALS_FILE are not set) or " FX "config", NULL } },
    { "HOME/.aws/credentials", { { "HOME", FX "home", NULL } },
      TW_OK, "AKIDHOME", "secret-home", NULL, "credentials file, profile default", { NULL } },
    { "~ in AWS_SHARED_CREDENTIALS_FILE",
      { { "HOME", FX "home", "AWS_SHARED_CREDENTIALS_FILE", "~/.aws/credentials", "AWS_CONFIG_FILE", NO_FILE, NULL } },
      TW_OK, "AKIDHOME", "secret-home", NULL, "credentials file, profile default", { NULL } },
    { "custom paths beat HOME",
      { { "HOME", FX "home", "AWS_PROFILE", "dev", FILES, NULL } },
      TW_OK, "AKIDCREDDEV", "secret-cred-dev", "token-cred-dev", "credentials file, profile dev", { NULL } },
};

static void test_creds_chain(void **state)
{
    (void)state;
    for (size_t i = 0; i < TW_ARRAY_LEN(s_chain); i++) {
        const struct s_chain_case *c = &s_chain[i];
        struct s_fake_env fe = c->env;
        struct tw_env env = { s_fake_getenv, &fe };
        struct tw_creds creds;
        struct tw_err err;
        int rc;

        tw_err_clear(&err);
        rc = tw_creds_resolve(&creds, &env, &err);
        if (rc != c->want_rc)
            fail_msg("%s: rc %d, want %d (%s)", c->what, rc, c->want_rc, err.msg);
        if (rc == TW_OK) {
            assert_string_equal(creds.access_key_id, c->akid);
            assert_string_equal(creds.secret_access_key, c->secret);
            if (c->token)
                assert_string_equal(creds.session_token, c->token);
            else
                assert_null(creds.session_token);
            assert_int_equal(creds.expiration, 0);
            if (strcmp(creds.source, c->source) != 0)
                fail_msg("%s: source \"%s\", want \"%s\"", c->what, creds.source, c->source);
        } else {
            assert_null(creds.access_key_id);
            for (size_t k = 0; k < TW_ARRAY_LEN(c->msg) && c->msg[k]; k++)
                if (!strstr(err.msg, c->msg[k]))
                    fail_msg("%s: message \"%s\" lacks \"%s\"", c->what, err.msg, c->msg[k]);
            s_assert_no_secret(c->what, err.msg);
        }
        tw_creds_cleanup(&creds);
        assert_null(creds.secret_access_key);
    }
}

/* ---- profile lookups ------------------------------------------------------------------ */

static struct tw_profile *s_load(struct s_fake_env *fe)
{
    struct tw_env env = { s_fake_getenv, fe };
    struct tw_profile *p = NULL;
    struct tw_err err;

    tw_err_clear(&err);
    if (tw_profile_load(&p, &env, &err) != TW_OK)
        fail_msg("load: %s", err.msg);
    return p;
}

static void test_profile_lookups(void **state)
{
    static const struct {
        const char *profile, *config, *service_key, *key, *want;
    } cases[] = {
        { "default", FX "config", NULL, "region", "eu-west-1" },
        { "dev", FX "config", NULL, "region", "eu-central-1" },
        { "dev", FX "config", NULL, "aws_access_key_id", "AKIDCREDDEV" }, /* merged: credentials win */
        { "default", FX "config-profile-default", NULL, "region", "us-west-2" },
        { "local", FX "config", NULL, "endpoint_url", "http://127.0.0.1:9000" },
        { "local", FX "config", NULL, "s3", NULL },
        { "local", FX "config", NULL, "max_concurrent_requests", NULL },
        { "local", FX "config", "sts", "endpoint_url", "http://LOCALHOST:4566/" },
        { "local", FX "config", "cloudwatch_logs", "endpoint_url", "https://logs.local:443" },
        { "local", FX "config", "cloudwatch_logs", "max_attempts", "3" },
        { "local", FX "config", "cloudtrail", "endpoint_url", NULL },
        { "dev", FX "config", "sts", "endpoint_url", NULL },
        { "nosuch", FX "config", NULL, "region", NULL },
        { "corp", FX "config", NULL, "sso_region", NULL }, /* [sso-session corp] is no profile */
    };

    (void)state;
    for (size_t i = 0; i < TW_ARRAY_LEN(cases); i++) {
        struct s_fake_env fe = { { "AWS_PROFILE", cases[i].profile, "AWS_CONFIG_FILE", cases[i].config,
                                   "AWS_SHARED_CREDENTIALS_FILE", FX "credentials", NULL } };
        struct tw_profile *p = s_load(&fe);
        const char *got = cases[i].service_key
                              ? tw_profile_service_get(p, cases[i].service_key, cases[i].key)
                              : tw_profile_get(p, cases[i].key);

        if (cases[i].want ? !got || strcmp(got, cases[i].want) != 0 : got != NULL)
            fail_msg("case %zu (%s %s): got \"%s\", want \"%s\"", i, cases[i].profile, cases[i].key,
                     got ? got : "(null)", cases[i].want ? cases[i].want : "(null)");
        assert_string_equal(tw_profile_name(p), cases[i].profile);
        tw_profile_free(p);
    }
    assert_null(tw_profile_get(NULL, "region"));
    assert_null(tw_profile_service_get(NULL, "sts", "endpoint_url"));
}

/* ---- the grammar, one small file per case ------------------------------------------------- */

static void s_write(const char *path, const char *text)
{
    FILE *fp = fopen(path, "wb");

    assert_non_null(fp);
    assert_int_equal(fwrite(text, 1, strlen(text), fp), strlen(text));
    assert_int_equal(fclose(fp), 0);
}

static void test_profile_grammar(void **state)
{
    static const struct {
        const char *text;
        const char *key, *want; /* profile "foo", config file */
        int want_rc;
        const char *msg; /* on failure */
    } cases[] = {
        { "[profile foo]\nname = value", "name", "value", TW_OK, NULL },
        { "[profile foo]\r\nname = value\r\n", "name", "value", TW_OK, NULL },
        { "[profile foo]\nname = val=ue", "name", "val=ue", TW_OK, NULL },
        { "[profile foo]\nname \t=  \tvalue \t", "name", "value", TW_OK, NULL },
        { "[profile foo]\nname = value # comment", "name", "value", TW_OK, NULL },
        { "[profile foo]\nname = value\t; comment", "name", "value", TW_OK, NULL },
        { "[profile foo]\nname = value#not-a-comment", "name", "value#not-a-comment", TW_OK, NULL },
        { "# c\n; c\n[profile foo] # c\nname = v", "name", "v", TW_OK, NULL },
        { "[profile foo];c\nname = v", "name", "v", TW_OK, NULL },
        { "[profile \tfoo \t]\nname = v", "name", "v", TW_OK, NULL },
        { "[   profile foo    ]\nname = v", "name", "v", TW_OK, NULL },
        { "[profile\tfoo]\nname = v", "name", "v", TW_OK, NULL },
        { "[profilefoo]\nname = v", "name", NULL, TW_OK, NULL },
        { "[foo]\nname = v", "name", NULL, TW_OK, NULL },
        { "[profile foo]\nname = value\n -continued\n\t-and more", "name", "value\n-continued\n-and more",
          TW_OK, NULL },
        { "[profile foo]\nname = a\n[profile foo]\nname = b", "name", "b", TW_OK, NULL },
        { "[profile foo]\nname = a\nname = b", "name", "b", TW_OK, NULL },
        { "[profile foo]\nin valid = x\nname = v", "name", "v", TW_OK, NULL },
        { "[profile in valid]\nname = x\n[profile foo]\nname = v", "name", "v", TW_OK, NULL },
        { "[profile foo]\nNAME = v", "name", "v", TW_OK, NULL },
        { "[profile foo]\nname =", "name", NULL, TW_OK, NULL },
        /* Sections with an empty name are not profiles. */
        { "[profile ]\nname = x\n[profile foo]\nname = v", "name", "v", TW_OK, NULL },
        { "[ ]\nname = x\n[profile foo]\nname = v", "name", "v", TW_OK, NULL },
        /* What hangs off an ignored property is ignored with it. */
        { "[profile foo]\nin valid =\n k = x\nname = v", "name", "v", TW_OK, NULL },
        { "[profile foo]\nin valid = x\n continued\nname = v", "name", "v", TW_OK, NULL },
        { "[profile foo]\nname = v\ns3 =\n in valid = x", "name", "v", TW_OK, NULL },
        { "\n\t \n[profile foo]\n\t\nname = v\n \t\n", "name", "v", TW_OK, NULL },
        { "name = value", NULL, NULL, TW_EPARSE, "line 1" },
        { "[profile foo\nname = v", NULL, NULL, TW_EPARSE, "line 1" },
        { "[profile foo] junk\n", NULL, NULL, TW_EPARSE, "after ']'" },
        { "[profile foo]\nkey : value", NULL, NULL, TW_EPARSE, "line 2" },
        { "[profile foo]\n= value", NULL, NULL, TW_EPARSE, "without a name" },
        { "[profile foo]\n -continued", NULL, NULL, TW_EPARSE, "line 2" },
        { " -continued", NULL, NULL, TW_EPARSE, "line 1" },
        { "[profile foo]\nname = v\n[profile foo]\n -continued", NULL, NULL, TW_EPARSE, "line 4" },
        { "[profile foo]\ns3 =\n invalid", NULL, NULL, TW_EPARSE, "sub-property" },
        { "[profile foo]\ns3 =\n = v", NULL, NULL, TW_EPARSE, "sub-property without a name" },
        { "[profile foo]\nservices = nowhere", NULL, NULL, TW_EPARSE, "services section \"nowhere\"" },
        /* The offending line holds a secret: the message gives its number only. */
        { "[profile foo]\naws_secret_access_key : SeCrEtInABadLine", NULL, NULL, TW_EPARSE, "line 2" },
    };
    char path[] = "/tmp/tw_test_creds_XXXXXX";
    int fd = mkstemp(path);

    (void)state;
    assert_true(fd >= 0);
    close(fd);
    for (size_t i = 0; i < TW_ARRAY_LEN(cases); i++) {
        struct s_fake_env fe = { { "AWS_PROFILE", "foo", "AWS_CONFIG_FILE", path,
                                   "AWS_SHARED_CREDENTIALS_FILE", NO_FILE, NULL } };
        struct tw_env env = { s_fake_getenv, &fe };
        struct tw_profile *p = NULL;
        struct tw_err err;
        int rc;

        s_write(path, cases[i].text);
        tw_err_clear(&err);
        rc = tw_profile_load(&p, &env, &err);
        if (rc != cases[i].want_rc)
            fail_msg("case %zu: rc %d, want %d (%s)", i, rc, cases[i].want_rc, err.msg);
        if (rc == TW_OK) {
            const char *got = tw_profile_get(p, cases[i].key);
            if (cases[i].want ? !got || strcmp(got, cases[i].want) != 0 : got != NULL)
                fail_msg("case %zu: got \"%s\", want \"%s\"", i, got ? got : "(null)",
                         cases[i].want ? cases[i].want : "(null)");
        } else {
            assert_null(p);
            if (!strstr(err.msg, cases[i].msg) || !strstr(err.msg, path))
                fail_msg("case %zu: message \"%s\" lacks \"%s\" or the path", i, err.msg, cases[i].msg);
            s_assert_no_secret("grammar", err.msg);
        }
        tw_profile_free(p);
    }
    unlink(path);
}

/* Size caps: an over-long line and an over-large file are refused. */
static void test_profile_caps(void **state)
{
    char path[] = "/tmp/tw_test_caps_XXXXXX";
    int fd = mkstemp(path);
    size_t big = TW_PROFILE_FILE_MAX + 1, line = TW_PROFILE_LINE_MAX + 16;
    char *text = malloc(big + 1);
    struct s_fake_env fe = { { "AWS_CONFIG_FILE", path, "AWS_SHARED_CREDENTIALS_FILE", NO_FILE, NULL } };
    struct tw_env env = { s_fake_getenv, &fe };
    struct tw_profile *p = NULL;
    struct tw_err err;

    (void)state;
    assert_true(fd >= 0);
    close(fd);
    assert_non_null(text);
    memcpy(text, "[default]\nx = ", 14);
    memset(text + 14, 'a', line);
    text[14 + line] = '\0';
    s_write(path, text);
    tw_err_clear(&err);
    assert_int_equal(tw_profile_load(&p, &env, &err), TW_EPARSE);
    assert_non_null(strstr(err.msg, "line 2: line too long"));

    memset(text, '#', big);
    text[big] = '\0';
    s_write(path, text);
    tw_err_clear(&err);
    assert_int_equal(tw_profile_load(&p, &env, &err), TW_ETOOBIG);
    assert_null(p);

    /* A NUL byte: refused at its line, the text after it never read as a value. */
    {
        static const char nul[] = "[default]\nx = a\0b\n";
        FILE *fp = fopen(path, "wb");
        assert_non_null(fp);
        assert_int_equal(fwrite(nul, 1, sizeof(nul) - 1, fp), sizeof(nul) - 1);
        assert_int_equal(fclose(fp), 0);
    }
    tw_err_clear(&err);
    assert_int_equal(tw_profile_load(&p, &env, &err), TW_EPARSE);
    assert_null(p);
    assert_non_null(strstr(err.msg, "line 2: a NUL byte"));

    /* A path that cannot be opened (not merely missing) is an error. */
    {
        char name[320];
        memcpy(name, "tests/", 6);
        memset(name + 6, 'n', 300);
        name[306] = '\0';
        fe.kv[1] = name;
        tw_err_clear(&err);
        assert_int_equal(tw_profile_load(&p, &env, &err), TW_ERR);
        assert_null(p);
        assert_non_null(strstr(err.msg, "cannot open tests/nnn"));
    }

    /* A directory where a file should be. */
    fe.kv[1] = "tests/fixtures/aws-config";
    tw_err_clear(&err);
    assert_int_equal(tw_profile_load(&p, &env, &err), TW_ERR);
    assert_non_null(strstr(err.msg, "not a regular file"));
    free(text);
    unlink(path);
}

/* The environment that names the files and the profile is checked. */
static void test_profile_env_errors(void **state)
{
    char long_home[5000], long_profile[TW_PROFILE_NAME_MAX + 2];
    struct tw_profile *p = NULL;
    struct tw_err err;

    (void)state;
    memset(long_home, 'h', sizeof(long_home) - 1);
    long_home[0] = '/';
    long_home[sizeof(long_home) - 1] = '\0';
    memset(long_profile, 'p', sizeof(long_profile) - 1);
    long_profile[sizeof(long_profile) - 1] = '\0';
    {
        const struct {
            const char *what;
            struct s_fake_env env;
            const char *msg;
        } cases[] = {
            { "~ without HOME", { { "AWS_SHARED_CREDENTIALS_FILE", "~/creds", NULL } },
              "AWS_SHARED_CREDENTIALS_FILE starts with ~ but HOME is not set" },
            { "~ in the config path without HOME",
              { { "AWS_SHARED_CREDENTIALS_FILE", NO_FILE, "AWS_CONFIG_FILE", "~", NULL } },
              "AWS_CONFIG_FILE starts with ~ but HOME is not set" },
            { "HOME too long for a path", { { "HOME", long_home, NULL } },
              "the path of the shared credentials file is too long" },
            { "AWS_PROFILE too long", { { "AWS_PROFILE", long_profile, NO_FILES, NULL } },
              "AWS_PROFILE is longer than 128 bytes" },
        };

        for (size_t i = 0; i < TW_ARRAY_LEN(cases); i++) {
            struct s_fake_env fe = cases[i].env;
            struct tw_env env = { s_fake_getenv, &fe };
            struct tw_creds creds;

            tw_err_clear(&err);
            if (tw_profile_load(&p, &env, &err) != TW_ERR)
                fail_msg("%s: loaded", cases[i].what);
            assert_null(p);
            if (!strstr(err.msg, cases[i].msg))
                fail_msg("%s: message \"%s\" lacks \"%s\"", cases[i].what, err.msg, cases[i].msg);
            /* The chain stops there too, rather than guessing another file. */
            tw_err_clear(&err);
            assert_int_equal(tw_creds_resolve(&creds, &env, &err), TW_ERR);
            assert_null(creds.access_key_id);
            assert_non_null(strstr(err.msg, cases[i].msg));
        }
    }
    /* Exactly 128 bytes is a valid (if missing) profile. */
    long_profile[TW_PROFILE_NAME_MAX] = '\0';
    {
        struct s_fake_env fe = { { "AWS_PROFILE", long_profile, NO_FILES, NULL } };
        struct tw_env env = { s_fake_getenv, &fe };

        tw_err_clear(&err);
        assert_int_equal(tw_profile_load(&p, &env, &err), TW_OK);
        assert_string_equal(tw_profile_name(p), long_profile);
        assert_int_equal(tw_profile_exists(p), 0);
        tw_profile_free(p);
    }
}

/* ---- set / copy --------------------------------------------------------------------- */

static void test_creds_set(void **state)
{
    static const struct {
        const char *id, *secret, *token;
        int want_rc;
    } cases[] = {
        { "AKID", "secret", NULL, TW_OK },
        { "AKID", "secret", "", TW_OK },
        { "AKID", "secret", "token", TW_OK },
        { "", "secret", NULL, TW_ERR },
        { "AKID", "", NULL, TW_ERR },
        { NULL, "secret", NULL, TW_ERR },
        { "AK ID", "secret", NULL, TW_ERR },
        { "AKID", "sec\nret", NULL, TW_ERR },
        { "AKID", "secret", "tok\r\nen", TW_ERR },
    };
    struct tw_err err;

    (void)state;
    for (size_t i = 0; i < TW_ARRAY_LEN(cases); i++) {
        struct tw_creds c, copy;
        int rc;

        tw_err_clear(&err);
        rc = tw_creds_set(&c, cases[i].id, cases[i].secret, cases[i].token, 42, "unit", &err);
        if (rc != cases[i].want_rc)
            fail_msg("case %zu: rc %d (%s)", i, rc, err.msg);
        if (rc != TW_OK) {
            assert_null(c.access_key_id);
            assert_null(strstr(err.msg, "sec\nret"));
            assert_null(strstr(err.msg, "tok\r\nen"));
            continue;
        }
        assert_int_equal(tw_creds_copy(&copy, &c, &err), TW_OK);
        assert_string_equal(copy.access_key_id, cases[i].id);
        assert_string_equal(copy.secret_access_key, cases[i].secret);
        assert_true(copy.secret_access_key != c.secret_access_key);
        if (cases[i].token && cases[i].token[0])
            assert_string_equal(copy.session_token, cases[i].token);
        else
            assert_null(copy.session_token);
        assert_int_equal(copy.expiration, 42);
        assert_string_equal(copy.source, "unit");
        tw_creds_cleanup(&c);
        tw_creds_cleanup(&copy);
        tw_creds_cleanup(&copy); /* idempotent */
    }
    tw_creds_cleanup(NULL);

    /* Without a source the credentials are still labelled. */
    {
        struct tw_creds c;
        assert_int_equal(tw_creds_set(&c, "AKID", "secret", NULL, 0, NULL, &err), TW_OK);
        assert_string_equal(c.source, "credentials");
        tw_creds_cleanup(&c);
    }
}

/* ---- role ARN ----------------------------------------------------------------------- */

static void test_role_arn(void **state)
{
    static const struct {
        const char *exec_arn, *name, *want; /* want NULL: TW_EPARSE */
    } cases[] = {
        { "arn:aws:iam::123456789012:role/config-role", "TrailwatchAudit",
          "arn:aws:iam::123456789012:role/TrailwatchAudit" },
        { "arn:aws:iam::123456789012:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig",
          "TrailwatchAudit", "arn:aws:iam::123456789012:role/TrailwatchAudit" },
        { "arn:aws-cn:iam::210987654321:role/x", "A+=,.@_-z", "arn:aws-cn:iam::210987654321:role/A+=,.@_-z" },
        { "arn:aws-us-gov:iam::123456789012:role/p/q/r", "Audit", "arn:aws-us-gov:iam::123456789012:role/Audit" },
        { "arn:aws-iso:iam::123456789012:role/x", "Audit", NULL },
        { "arn:aws:sts::123456789012:role/x", "Audit", NULL },
        { "arn:aws:iam:us-east-1:123456789012:role/x", "Audit", NULL },
        { "arn:aws:iam::12345678901:role/x", "Audit", NULL },
        { "arn:aws:iam::aws:role/x", "Audit", NULL },
        { "arn:aws:iam::123456789012:user/x", "Audit", NULL },
        { "arn:aws:iam::123456789012:role/", "Audit", NULL },
        { "arn:aws:iam::123456789012:role:x", "Audit", NULL },
        { "arn:aws:iam::123456789012:role/x", "", NULL },
        { "arn:aws:iam::123456789012:role/x", "bad name", NULL },
        { "arn:aws:iam::123456789012:role/x", "a/b", NULL },
        { "arn:aws:iam::123456789012:role/x",
          "A234567890123456789012345678901234567890123456789012345678901234X", NULL },
        { "not-an-arn", "Audit", NULL },
        { NULL, "Audit", NULL },
        { "arn:aws:iam::123456789012:role/x", NULL, NULL },
    };
    struct tw_err err;

    (void)state;
    for (size_t i = 0; i < TW_ARRAY_LEN(cases); i++) {
        struct tw_buf out;
        int rc;

        tw_buf_init(&out, 2048);
        assert_int_equal(tw_buf_append_cstr(&out, ">"), TW_OK);
        tw_err_clear(&err);
        rc = tw_creds_role_arn(&out, cases[i].exec_arn, cases[i].name, &err);
        if (cases[i].want) {
            if (rc != TW_OK)
                fail_msg("case %zu: %s", i, err.msg);
            assert_string_equal(tw_buf_cstr(&out) + 1, cases[i].want);
        } else {
            if (rc != TW_EPARSE)
                fail_msg("case %zu: rc %d, want TW_EPARSE", i, rc);
            assert_string_equal(tw_buf_cstr(&out), ">"); /* unchanged */
            assert_true(err.msg[0] != '\0');
        }
        tw_buf_cleanup(&out);
    }

    /* A buffer too small for the ARN: TW_ETOOBIG, the buffer unchanged. */
    {
        struct tw_buf out;

        tw_buf_init(&out, 30);
        assert_int_equal(tw_buf_append_cstr(&out, ">"), TW_OK);
        tw_err_clear(&err);
        assert_int_equal(tw_creds_role_arn(&out, "arn:aws:iam::123456789012:role/x", "Audit", &err),
                         TW_ETOOBIG);
        assert_string_equal(err.msg, "role ARN does not fit");
        assert_string_equal(tw_buf_cstr(&out), ">");
        tw_buf_cleanup(&out);
    }
}

/* ---- cache ---------------------------------------------------------------------------- */

static void test_cache(void **state)
{
    static const char role_a[] = "arn:aws:iam::111111111111:role/A";
    static const char role_b[] = "arn:aws:iam::222222222222:role/B";
    const time_t exp = 1000000;
    struct tw_creds_cache cache;
    struct tw_creds c;
    const struct tw_creds *got;
    struct tw_err err;
    char role[64];

    (void)state;
    tw_err_clear(&err);
    tw_creds_cache_init(&cache);
    assert_null(tw_creds_cache_get(&cache, role_a, 0));
    assert_int_equal(tw_creds_set(&c, "ASIAA", "secret-a", "token-a", exp, "AssumeRole", &err), TW_OK);
    assert_int_equal(tw_creds_cache_put(&cache, role_a, &c, &err), TW_OK);
    tw_creds_cleanup(&c); /* the cache holds its own copy */

    /* Good until 300 s before expiry, then gone. */
    got = tw_creds_cache_get(&cache, role_a, exp - TW_CREDS_REFRESH_SECONDS - 1);
    assert_non_null(got);
    assert_string_equal(got->access_key_id, "ASIAA");
    assert_string_equal(got->session_token, "token-a");
    assert_null(tw_creds_cache_get(&cache, role_b, 0));
    assert_null(tw_creds_cache_get(&cache, role_a, exp - TW_CREDS_REFRESH_SECONDS));
    assert_null(tw_creds_cache_get(&cache, role_a, 0)); /* the stale entry was dropped */

    /* Replacing a role's entry; expiration 0 never goes stale. */
    assert_int_equal(tw_creds_set(&c, "ASIAB1", "s1", NULL, exp, "x", &err), TW_OK);
    assert_int_equal(tw_creds_cache_put(&cache, role_b, &c, &err), TW_OK);
    tw_creds_cleanup(&c);
    assert_int_equal(tw_creds_set(&c, "ASIAB2", "s2", NULL, 0, "x", &err), TW_OK);
    assert_int_equal(tw_creds_cache_put(&cache, role_b, &c, &err), TW_OK);
    tw_creds_cleanup(&c);
    got = tw_creds_cache_get(&cache, role_b, (time_t)4000000000);
    assert_non_null(got);
    assert_string_equal(got->access_key_id, "ASIAB2");

    /* Full: the least recently used entry goes. role_b was used last. */
    for (int i = 0; i < TW_CREDS_CACHE_SLOTS - 1; i++) {
        snprintf(role, sizeof(role), "arn:aws:iam::123456789012:role/R%d", i);
        assert_int_equal(tw_creds_set(&c, "ASIAR", "s", NULL, 0, "x", &err), TW_OK);
        assert_int_equal(tw_creds_cache_put(&cache, role, &c, &err), TW_OK);
        tw_creds_cleanup(&c);
    }
    assert_non_null(tw_creds_cache_get(&cache, role_b, 0)); /* touch: now most recent */
    assert_int_equal(tw_creds_set(&c, "ASIAN", "s", NULL, 0, "x", &err), TW_OK);
    assert_int_equal(tw_creds_cache_put(&cache, "arn:aws:iam::123456789012:role/New", &c, &err), TW_OK);
    tw_creds_cleanup(&c);
    assert_non_null(tw_creds_cache_get(&cache, role_b, 0));
    assert_null(tw_creds_cache_get(&cache, "arn:aws:iam::123456789012:role/R0", 0));
    assert_non_null(tw_creds_cache_get(&cache, "arn:aws:iam::123456789012:role/R1", 0));
    assert_non_null(tw_creds_cache_get(&cache, "arn:aws:iam::123456789012:role/New", 0));

    /* Credentials that cannot be copied are refused; the cache is unchanged. */
    {
        struct tw_creds bad;
        memset(&bad, 0, sizeof(bad));
        bad.secret_access_key = (char *)"s";
        tw_err_clear(&err);
        assert_int_equal(tw_creds_cache_put(&cache, role_b, &bad, &err), TW_ERR);
        assert_true(err.msg[0] != '\0');
        got = tw_creds_cache_get(&cache, role_b, (time_t)4000000000);
        assert_non_null(got);
        assert_string_equal(got->access_key_id, "ASIAB2");
    }

    tw_creds_cache_cleanup(&cache);
    assert_null(tw_creds_cache_get(&cache, role_b, 0));
    tw_creds_cache_cleanup(NULL);
}

static void test_env_helpers(void **state)
{
    struct s_fake_env fe = { { "SET", "x", "EMPTY", "", NULL } };
    struct tw_env env = { s_fake_getenv, &fe };

    (void)state;
    assert_string_equal(tw_env_get(&env, "SET"), "x");
    assert_null(tw_env_get(&env, "EMPTY"));
    assert_null(tw_env_get(&env, "UNSET"));
    assert_true(tw_env_flag("true"));
    assert_true(tw_env_flag("TRUE"));
    assert_false(tw_env_flag("1"));
    assert_false(tw_env_flag("yes"));
    assert_false(tw_env_flag(NULL));
    assert_false(tw_env_flag("truex"));
    /* NULL env: the process environment. */
    assert_int_equal(setenv("TW_TEST_CREDS_PROBE", "p", 1), 0);
    assert_string_equal(tw_env_get(TW_ENV_PROCESS, "TW_TEST_CREDS_PROBE"), "p");
    unsetenv("TW_TEST_CREDS_PROBE");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_creds_chain),   cmocka_unit_test(test_profile_lookups),
        cmocka_unit_test(test_profile_grammar), cmocka_unit_test(test_profile_caps),
        cmocka_unit_test(test_profile_env_errors),
        cmocka_unit_test(test_creds_set),     cmocka_unit_test(test_role_arn),
        cmocka_unit_test(test_cache),         cmocka_unit_test(test_env_helpers),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
