/* creds.c — credentials from the environment and the shared files, the
 * shared-file reader, and the assumed-role cache.
 *
 * The file grammar follows the SDK reference ("Shared config and credentials
 * files", "Format of the config file") and its cross-SDK parser tests:
 * full-line comments start with '#' or ';'; in a value, a '#' or ';' after
 * whitespace starts a comment; indented lines continue the previous value, or,
 * when that value was empty, hold "key = value" sub-properties (the
 * [services name] blocks). Keys are case-insensitive as in botocore, whose
 * RawConfigParser lowercases them; section names are case-sensitive. */
#include "creds.h"

#include "arn.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define S_PATH_MAX 4096

/* ---- environment --------------------------------------------------------- */

const char *tw_env_get(const struct tw_env *env, const char *name)
{
    const char *v = (env && env->get) ? env->get(name, env->ctx) : getenv(name);

    return (v && v[0]) ? v : NULL;
}

static char s_lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static int s_ieq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (s_lower(*a) != s_lower(*b))
            return 0;
    return *a == *b;
}

int tw_env_flag(const char *value)
{
    return value && s_ieq(value, "true");
}

/* ---- credentials --------------------------------------------------------- */

static void s_free_secret(char *s)
{
    if (s) {
        OPENSSL_cleanse(s, strlen(s));
        free(s);
    }
}

/* 1 if `v` has no control characters (and, unless allow_space, no spaces). */
static int s_header_safe(const char *v, int allow_space)
{
    for (; *v; v++) {
        unsigned char c = (unsigned char)*v;
        if (c < 0x20 || c == 0x7f || (!allow_space && c == ' '))
            return 0;
    }
    return 1;
}

void tw_creds_cleanup(struct tw_creds *creds)
{
    if (!creds)
        return;
    free(creds->access_key_id);
    s_free_secret(creds->secret_access_key);
    s_free_secret(creds->session_token);
    memset(creds, 0, sizeof(*creds));
}

int tw_creds_set(struct tw_creds *out, const char *access_key_id, const char *secret_access_key,
                 const char *session_token, time_t expiration, const char *source,
                 struct tw_err *err)
{
    struct tw_creds c;
    const char *what = NULL;
    int rc = TW_ERR;

    memset(out, 0, sizeof(*out));
    memset(&c, 0, sizeof(c));
    if (!source)
        source = "credentials";
    if (!access_key_id || !access_key_id[0])
        what = "the access key id is empty";
    else if (!secret_access_key || !secret_access_key[0])
        what = "the secret access key is empty";
    else if (!s_header_safe(access_key_id, 0))
        what = "the access key id contains whitespace or control characters";
    else if (!s_header_safe(secret_access_key, 0))
        what = "the secret access key contains whitespace or control characters";
    else if (session_token && !s_header_safe(session_token, 0))
        what = "the session token contains whitespace or control characters";
    if (what) {
        tw_err_set(err, "%s: %s", source, what);
        goto out;
    }
    c.access_key_id = tw_strdup(access_key_id);
    c.secret_access_key = tw_strdup(secret_access_key);
    if (session_token && session_token[0])
        c.session_token = tw_strdup(session_token);
    if (!c.access_key_id || !c.secret_access_key ||
        (session_token && session_token[0] && !c.session_token)) {
        tw_err_set(err, "%s: out of memory", source);
        rc = TW_ENOMEM;
        goto out;
    }
    c.expiration = expiration;
    tw_strlcpy(c.source, source, sizeof(c.source));
    *out = c;
    memset(&c, 0, sizeof(c));
    rc = TW_OK;
out:
    tw_creds_cleanup(&c);
    return rc;
}

int tw_creds_copy(struct tw_creds *out, const struct tw_creds *src, struct tw_err *err)
{
    return tw_creds_set(out, src->access_key_id, src->secret_access_key, src->session_token,
                        src->expiration, src->source, err);
}

int tw_creds_from_env(struct tw_creds *out, const struct tw_env *env, struct tw_err *err)
{
    const char *id = tw_env_get(env, "AWS_ACCESS_KEY_ID");
    const char *secret = tw_env_get(env, "AWS_SECRET_ACCESS_KEY");

    memset(out, 0, sizeof(*out));
    if (!id && !secret) {
        tw_err_set(err, "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set");
        return TW_ENOTFOUND;
    }
    if (!id || !secret) {
        tw_err_set(err, "%s is set but %s is not", id ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY",
                   id ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID");
        return TW_ERR;
    }
    return tw_creds_set(out, id, secret, tw_env_get(env, "AWS_SESSION_TOKEN"), 0, "environment", err);
}

/* ---- shared files: model ------------------------------------------------- */

enum s_kind {
    S_KIND_IGNORED,  /* [sso-session x], [foo] in the config file, invalid names */
    S_KIND_PLAIN,    /* credentials [name]; config [default] */
    S_KIND_PROFILE,  /* config [profile name] */
    S_KIND_SERVICES, /* config [services name] */
};

struct s_section {
    enum s_kind kind;
    char *name;
};

struct s_prop {
    size_t section;
    char *key;    /* lowercase */
    char *subkey; /* lowercase; NULL for a top-level property */
    char *value;  /* may be a secret: freed with s_free_secret */
};

struct s_file {
    char path[S_PATH_MAX]; /* "" when not looked for (no HOME) */
    int present;           /* the file existed and was read */
    int is_config;
    struct s_section *sec;
    size_t n_sec, cap_sec;
    struct s_prop *prop;
    size_t n_prop, cap_prop;
};

struct tw_profile {
    char name[TW_PROFILE_NAME_MAX + 1];
    struct s_file cred, conf;
};

static void s_file_cleanup(struct s_file *f)
{
    for (size_t i = 0; i < f->n_sec; i++)
        free(f->sec[i].name);
    for (size_t i = 0; i < f->n_prop; i++) {
        free(f->prop[i].key);
        free(f->prop[i].subkey);
        s_free_secret(f->prop[i].value);
    }
    free(f->sec);
    free(f->prop);
    f->sec = NULL;
    f->prop = NULL;
    f->n_sec = f->cap_sec = f->n_prop = f->cap_prop = 0;
}

void tw_profile_free(struct tw_profile *profile)
{
    if (!profile)
        return;
    s_file_cleanup(&profile->cred);
    s_file_cleanup(&profile->conf);
    free(profile);
}

static char *s_dup_span(struct tw_span s, int lower)
{
    char *p = malloc(s.len + 1);

    if (!p)
        return NULL;
    for (size_t i = 0; i < s.len; i++)
        p[i] = lower ? s_lower(s.ptr[i]) : s.ptr[i];
    p[s.len] = '\0';
    return p;
}

static int s_add_section(struct s_file *f, enum s_kind kind, struct tw_span name)
{
    if (f->n_sec == f->cap_sec) {
        size_t cap = f->cap_sec ? f->cap_sec * 2 : 8;
        struct s_section *p = realloc(f->sec, cap * sizeof(*p));
        if (!p)
            return TW_ENOMEM;
        f->sec = p;
        f->cap_sec = cap;
    }
    f->sec[f->n_sec].kind = kind;
    f->sec[f->n_sec].name = s_dup_span(name, 0);
    if (!f->sec[f->n_sec].name)
        return TW_ENOMEM;
    f->n_sec++;
    return TW_OK;
}

/* `subkey` is NULL for a top-level property. */
static int s_add_prop(struct s_file *f, size_t section, struct tw_span key,
                      const struct tw_span *subkey, struct tw_span value)
{
    struct s_prop *pr;

    if (f->n_prop == f->cap_prop) {
        size_t cap = f->cap_prop ? f->cap_prop * 2 : 16;
        struct s_prop *p = realloc(f->prop, cap * sizeof(*p));
        if (!p)
            return TW_ENOMEM;
        f->prop = p;
        f->cap_prop = cap;
    }
    pr = &f->prop[f->n_prop];
    memset(pr, 0, sizeof(*pr));
    pr->section = section;
    pr->key = s_dup_span(key, 1);
    pr->subkey = subkey ? s_dup_span(*subkey, 1) : NULL;
    pr->value = s_dup_span(value, 0);
    if (!pr->key || !pr->value || (subkey && !pr->subkey)) {
        free(pr->key);
        free(pr->subkey);
        s_free_secret(pr->value);
        return TW_ENOMEM;
    }
    f->n_prop++;
    return TW_OK;
}

/* Last value wins, as in the SDKs ("duplicate properties use the last one"). */
static const char *s_find(const struct s_file *f, enum s_kind kind, const char *section,
                          const char *key, const char *subkey)
{
    const char *found = NULL;

    for (size_t i = 0; i < f->n_prop; i++) {
        const struct s_prop *p = &f->prop[i];
        const struct s_section *s = &f->sec[p->section];

        if (s->kind != kind || strcmp(s->name, section) != 0 || strcmp(p->key, key) != 0)
            continue;
        if (subkey ? (!p->subkey || strcmp(p->subkey, subkey) != 0) : p->subkey != NULL)
            continue;
        found = p->value;
    }
    return found;
}

static int s_has_section(const struct s_file *f, enum s_kind kind, const char *name)
{
    for (size_t i = 0; i < f->n_sec; i++)
        if (f->sec[i].kind == kind && strcmp(f->sec[i].name, name) == 0)
            return 1;
    return 0;
}

/* Which sections hold profile `name` in `f`. In the config file a
 * [profile default] section, where present, hides [default]. */
static enum s_kind s_profile_kind(const struct s_file *f, const char *name)
{
    if (!f->is_config)
        return S_KIND_PLAIN;
    if (strcmp(name, "default") == 0 && !s_has_section(f, S_KIND_PROFILE, "default"))
        return S_KIND_PLAIN;
    return S_KIND_PROFILE;
}

static const char *s_profile_prop(const struct s_file *f, const char *name, const char *key)
{
    const char *v = s_find(f, s_profile_kind(f, name), name, key, NULL);

    return (v && v[0]) ? v : NULL;
}

/* ---- shared files: parser ------------------------------------------------ */

struct s_parser {
    struct s_file *f;
    size_t line_no;
    int have_section;
    size_t section;   /* index into f->sec */
    int have_prop;    /* an indented line may continue it */
    int prop_nested;  /* its value was empty: indented lines are sub-properties */
    int prop_skip;    /* it is not stored (ignored section or invalid name) */
    size_t prop;      /* index into f->prop when stored */
};

static int s_is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static struct tw_span s_trim(struct tw_span s)
{
    while (s.len && s_is_blank(s.ptr[0])) {
        s.ptr++;
        s.len--;
    }
    while (s.len && s_is_blank(s.ptr[s.len - 1]))
        s.len--;
    return s;
}

/* Profile names: the characters the SDK reference allows. */
static int s_valid_name(struct tw_span s)
{
    if (s.len == 0 || s.len > TW_PROFILE_NAME_MAX)
        return 0;
    for (size_t i = 0; i < s.len; i++) {
        char c = s.ptr[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              strchr("-_/.%@:+", c)))
            return 0;
    }
    return 1;
}

static int s_valid_key(struct tw_span s)
{
    for (size_t i = 0; i < s.len; i++) {
        char c = s.ptr[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return 0;
    }
    return s.len > 0;
}

/* "prefix<blank>rest": sets *rest to the trimmed remainder. */
static int s_has_prefix_word(struct tw_span s, const char *prefix, struct tw_span *rest)
{
    size_t n = strlen(prefix);

    if (s.len <= n || memcmp(s.ptr, prefix, n) != 0 || !s_is_blank(s.ptr[n]))
        return 0;
    rest->ptr = s.ptr + n;
    rest->len = s.len - n;
    *rest = s_trim(*rest);
    return 1;
}

static int s_parse_error(const struct s_parser *ps, struct tw_err *err, const char *what)
{
    tw_err_set(err, "%s line %zu: %s", ps->f->path, ps->line_no, what);
    return TW_EPARSE;
}

static int s_parse_section(struct s_parser *ps, struct tw_span line, struct tw_err *err)
{
    const char *close = memchr(line.ptr, ']', line.len);
    struct tw_span inner, rest, name;
    enum s_kind kind = S_KIND_IGNORED;

    if (!close)
        return s_parse_error(ps, err, "a section header must end with ']'");
    rest.ptr = close + 1;
    rest.len = line.len - (size_t)(rest.ptr - line.ptr);
    rest = s_trim(rest);
    if (rest.len && rest.ptr[0] != '#' && rest.ptr[0] != ';')
        return s_parse_error(ps, err, "unexpected text after ']'");
    inner.ptr = line.ptr + 1;
    inner.len = (size_t)(close - inner.ptr);
    inner = s_trim(inner);
    name = inner;
    if (ps->f->is_config) {
        if (tw_span_eq_cstr(inner, "default"))
            kind = S_KIND_PLAIN;
        else if (s_has_prefix_word(inner, "profile", &name))
            kind = S_KIND_PROFILE;
        else if (s_has_prefix_word(inner, "services", &name))
            kind = S_KIND_SERVICES;
    } else if (!s_has_prefix_word(inner, "profile", &rest)) {
        /* The credentials file has no "profile " prefix; sections with one are ignored. */
        kind = S_KIND_PLAIN;
    }
    if (!s_valid_name(name))
        kind = S_KIND_IGNORED;
    if (s_add_section(ps->f, kind, name) != TW_OK)
        return TW_ENOMEM;
    ps->have_section = 1;
    ps->section = ps->f->n_sec - 1;
    ps->have_prop = 0;
    return TW_OK;
}

/* Cuts a value at the first '#' or ';' that follows whitespace. */
static struct tw_span s_strip_comment(struct tw_span v)
{
    for (size_t i = 1; i < v.len; i++) {
        if ((v.ptr[i] == '#' || v.ptr[i] == ';') && s_is_blank(v.ptr[i - 1])) {
            v.len = i;
            break;
        }
    }
    return s_trim(v);
}

static int s_parse_property(struct s_parser *ps, struct tw_span line, struct tw_err *err)
{
    const char *eq;
    struct tw_span key, value;

    if (!ps->have_section)
        return s_parse_error(ps, err, "a property before the first [section]");
    eq = memchr(line.ptr, '=', line.len);
    if (!eq)
        return s_parse_error(ps, err, "expected '=' in a property");
    key.ptr = line.ptr;
    key.len = (size_t)(eq - line.ptr);
    key = s_trim(key);
    if (key.len == 0)
        return s_parse_error(ps, err, "a property without a name");
    value.ptr = eq + 1;
    value.len = (size_t)(line.ptr + line.len - value.ptr);
    value = s_strip_comment(value);
    ps->have_prop = 1;
    ps->prop_nested = value.len == 0;
    ps->prop_skip = ps->f->sec[ps->section].kind == S_KIND_IGNORED || !s_valid_key(key);
    if (ps->prop_skip)
        return TW_OK;
    if (s_add_prop(ps->f, ps->section, key, NULL, value) != TW_OK)
        return TW_ENOMEM;
    ps->prop = ps->f->n_prop - 1;
    return TW_OK;
}

static int s_parse_continuation(struct s_parser *ps, struct tw_span line, struct tw_err *err)
{
    struct tw_span t = s_trim(line), key, value;
    struct s_prop *parent;
    const char *eq;

    if (!ps->have_section)
        return s_parse_error(ps, err, "an indented line before the first [section]");
    if (!ps->have_prop)
        return s_parse_error(ps, err, "an indented line that continues no property");
    if (ps->prop_nested) {
        eq = memchr(t.ptr, '=', t.len);
        if (!eq)
            return s_parse_error(ps, err, "expected '=' in a sub-property");
        key.ptr = t.ptr;
        key.len = (size_t)(eq - t.ptr);
        key = s_trim(key);
        if (key.len == 0)
            return s_parse_error(ps, err, "a sub-property without a name");
        value.ptr = eq + 1;
        value.len = (size_t)(t.ptr + t.len - value.ptr);
        value = s_trim(value);
        if (ps->prop_skip || !s_valid_key(key))
            return TW_OK;
        parent = &ps->f->prop[ps->prop];
        return s_add_prop(ps->f, ps->section, tw_span_cstr(parent->key), &key, value);
    }
    if (ps->prop_skip)
        return TW_OK;
    /* A continued value: "value\ncontinuation" (SDK parser tests). */
    parent = &ps->f->prop[ps->prop];
    {
        size_t old = strlen(parent->value);
        char *p = malloc(old + 1 + t.len + 1);

        if (!p)
            return TW_ENOMEM;
        memcpy(p, parent->value, old);
        p[old] = '\n';
        memcpy(p + old + 1, t.ptr, t.len);
        p[old + 1 + t.len] = '\0';
        s_free_secret(parent->value);
        parent->value = p;
    }
    return TW_OK;
}

static int s_parse(struct s_file *f, struct tw_span text, struct tw_err *err)
{
    struct s_parser ps;
    size_t pos = 0;
    int rc;

    memset(&ps, 0, sizeof(ps));
    ps.f = f;
    while (pos < text.len) {
        const char *nl = memchr(text.ptr + pos, '\n', text.len - pos);
        size_t end = nl ? (size_t)(nl - text.ptr) : text.len;
        struct tw_span line = { text.ptr + pos, end - pos }, t;

        pos = end + 1;
        ps.line_no++;
        if (line.len && line.ptr[line.len - 1] == '\r')
            line.len--;
        if (line.len > TW_PROFILE_LINE_MAX)
            return s_parse_error(&ps, err, "line too long");
        if (memchr(line.ptr, '\0', line.len))
            return s_parse_error(&ps, err, "a NUL byte");
        t = s_trim(line);
        if (t.len == 0 || t.ptr[0] == '#' || t.ptr[0] == ';')
            continue;
        if (line.ptr[0] == '[')
            rc = s_parse_section(&ps, line, err);
        else if (s_is_blank(line.ptr[0]))
            rc = s_parse_continuation(&ps, line, err);
        else
            rc = s_parse_property(&ps, line, err);
        if (rc == TW_ENOMEM)
            tw_err_set(err, "out of memory reading %s", f->path);
        if (rc != TW_OK)
            return rc;
    }
    return TW_OK;
}

/* Reads and parses f->path; a missing file leaves f empty. The file's bytes
 * may hold secrets: they are read once into an exact-size buffer (no realloc
 * copies left behind) and cleansed. */
static int s_load_file(struct s_file *f, struct tw_err *err)
{
    FILE *fp = NULL;
    struct stat st;
    char *text = NULL;
    size_t size = 0, got;
    int rc = TW_ERR;

    if (!f->path[0])
        return TW_OK;
    fp = fopen(f->path, "r");
    if (!fp) {
        if (errno == ENOENT || errno == ENOTDIR)
            return TW_OK;
        tw_err_set(err, "cannot open %s: %s", f->path, strerror(errno));
        return TW_ERR;
    }
    if (fstat(fileno(fp), &st) != 0 || !S_ISREG(st.st_mode)) {
        tw_err_set(err, "%s is not a regular file", f->path);
        goto out;
    }
    if (st.st_size > TW_PROFILE_FILE_MAX) {
        tw_err_set(err, "%s is larger than %d bytes", f->path, TW_PROFILE_FILE_MAX);
        rc = TW_ETOOBIG;
        goto out;
    }
    size = (size_t)st.st_size;
    text = malloc(size + 1);
    if (!text) {
        tw_err_set(err, "out of memory reading %s", f->path);
        rc = TW_ENOMEM;
        goto out;
    }
    got = fread(text, 1, size, fp);
    if (ferror(fp)) {
        tw_err_set(err, "cannot read %s", f->path);
        goto out;
    }
    f->present = 1;
    rc = s_parse(f, (struct tw_span){ text, got }, err);
out:
    if (text) {
        OPENSSL_cleanse(text, size);
        free(text);
    }
    fclose(fp);
    return rc;
}

/* The file named by `var` ("~/" expanded), else $HOME/.aws/<leaf>; "" when
 * neither is available. */
static int s_file_path(char *out, size_t size, const struct tw_env *env, const char *var,
                       const char *leaf, struct tw_err *err)
{
    const char *v = tw_env_get(env, var), *home = tw_env_get(env, "HOME");
    int n;

    out[0] = '\0';
    if (v && v[0] == '~' && (v[1] == '/' || v[1] == '\0')) {
        if (!home) {
            tw_err_set(err, "%s starts with ~ but HOME is not set", var);
            return TW_ERR;
        }
        n = snprintf(out, size, "%s%s", home, v + 1);
    } else if (v) {
        n = snprintf(out, size, "%s", v);
    } else if (home) {
        n = snprintf(out, size, "%s/.aws/%s", home, leaf);
    } else {
        return TW_OK;
    }
    if (n < 0 || (size_t)n >= size) {
        out[0] = '\0';
        tw_err_set(err, "the path of the shared %s file is too long", leaf);
        return TW_ERR;
    }
    return TW_OK;
}

int tw_profile_load(struct tw_profile **out, const struct tw_env *env, struct tw_err *err)
{
    struct tw_profile *p;
    const char *name, *services;
    int rc = TW_ERR;

    *out = NULL;
    p = calloc(1, sizeof(*p));
    if (!p) {
        tw_err_set(err, "out of memory");
        return TW_ENOMEM;
    }
    p->conf.is_config = 1;
    name = tw_env_get(env, "AWS_PROFILE");
    if (!name)
        name = "default";
    if (tw_strlcpy(p->name, name, sizeof(p->name))) {
        tw_err_set(err, "AWS_PROFILE is longer than %d bytes", TW_PROFILE_NAME_MAX);
        goto out;
    }
    rc = s_file_path(p->cred.path, sizeof(p->cred.path), env, "AWS_SHARED_CREDENTIALS_FILE",
                     "credentials", err);
    if (rc == TW_OK)
        rc = s_file_path(p->conf.path, sizeof(p->conf.path), env, "AWS_CONFIG_FILE", "config", err);
    if (rc == TW_OK)
        rc = s_load_file(&p->cred, err);
    if (rc == TW_OK)
        rc = s_load_file(&p->conf, err);
    if (rc != TW_OK)
        goto out;
    services = tw_profile_get(p, "services");
    if (services && !s_has_section(&p->conf, S_KIND_SERVICES, services)) {
        tw_err_set(err, "profile \"%s\" names services section \"%s\", which %s does not define",
                   p->name, services, p->conf.path[0] ? p->conf.path : "the config file");
        rc = TW_EPARSE;
        goto out;
    }
    *out = p;
    p = NULL;
    rc = TW_OK;
out:
    tw_profile_free(p);
    return rc;
}

const char *tw_profile_name(const struct tw_profile *profile)
{
    return profile->name;
}

int tw_profile_exists(const struct tw_profile *profile)
{
    return s_has_section(&profile->cred, S_KIND_PLAIN, profile->name) ||
           s_has_section(&profile->conf, s_profile_kind(&profile->conf, profile->name),
                         profile->name);
}

const char *tw_profile_get(const struct tw_profile *profile, const char *key)
{
    const char *v;

    if (!profile)
        return NULL;
    v = s_profile_prop(&profile->cred, profile->name, key);
    return v ? v : s_profile_prop(&profile->conf, profile->name, key);
}

const char *tw_profile_service_get(const struct tw_profile *profile, const char *service_key,
                                   const char *key)
{
    const char *services = tw_profile_get(profile, "services"), *v;

    if (!services)
        return NULL;
    v = s_find(&profile->conf, S_KIND_SERVICES, services, service_key, key);
    return (v && v[0]) ? v : NULL;
}

/* ---- credentials from the shared files ------------------------------------ */

static int s_creds_from_file(struct tw_creds *out, const struct s_file *f, const char *name,
                             const char *what, struct tw_err *err)
{
    const char *id = s_profile_prop(f, name, "aws_access_key_id");
    const char *secret = s_profile_prop(f, name, "aws_secret_access_key");
    const char *token = s_profile_prop(f, name, "aws_session_token");
    char source[TW_CREDS_SOURCE_MAX];

    if (!token)
        token = s_profile_prop(f, name, "aws_security_token"); /* legacy name, still read by botocore */
    if (!id && !secret)
        return TW_ENOTFOUND;
    if (!id || !secret) {
        tw_err_set(err, "profile \"%s\" in %s has %s but no %s", name, f->path,
                   id ? "aws_access_key_id" : "aws_secret_access_key",
                   id ? "aws_secret_access_key" : "aws_access_key_id");
        return TW_ERR;
    }
    if (snprintf(source, sizeof(source), "%s, profile %s", what, name) < 0)
        source[0] = '\0';
    return tw_creds_set(out, id, secret, token, 0, source, err);
}

/* "path", "path (missing)" or, with no path, what was not set. */
static void s_describe(char *out, size_t size, const struct s_file *f, const char *var)
{
    if (!f->path[0])
        snprintf(out, size, "no file (HOME and %s are not set)", var);
    else
        snprintf(out, size, "%s%s", f->path, f->present ? "" : " (missing)");
}

/* Why the profile gave no keys, naming files but no values. */
static void s_explain_missing(const struct tw_profile *p, struct tw_err *err)
{
    static const char *const unsupported[] = { "role_arn", "credential_process", "sso_session",
                                               "sso_start_url", "web_identity_token_file" };
    char cred[S_PATH_MAX + 64], conf[S_PATH_MAX + 64];

    for (size_t i = 0; i < TW_ARRAY_LEN(unsupported); i++) {
        if (tw_profile_get(p, unsupported[i])) {
            tw_err_set(err,
                       "profile \"%s\" gets credentials through %s, which trailwatch does not "
                       "support; export static keys instead (aws configure export-credentials "
                       "--profile %s --format env)",
                       p->name, unsupported[i], p->name);
            return;
        }
    }
    if (!p->cred.path[0] && !p->conf.path[0]) {
        tw_err_set(err, "no shared files read for profile \"%s\" (HOME, "
                        "AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE are not set)",
                   p->name);
        return;
    }
    s_describe(cred, sizeof(cred), &p->cred, "AWS_SHARED_CREDENTIALS_FILE");
    s_describe(conf, sizeof(conf), &p->conf, "AWS_CONFIG_FILE");
    tw_err_set(err, "profile \"%s\" %s in %s or %s", p->name,
               tw_profile_exists(p) ? "has no aws_access_key_id/aws_secret_access_key"
                                    : "is not defined",
               cred, conf);
}

int tw_creds_from_profile(struct tw_creds *out, const struct tw_profile *profile,
                          struct tw_err *err)
{
    int rc;

    memset(out, 0, sizeof(*out));
    rc = s_creds_from_file(out, &profile->cred, profile->name, "credentials file", err);
    if (rc == TW_ENOTFOUND)
        rc = s_creds_from_file(out, &profile->conf, profile->name, "config file", err);
    if (rc == TW_ENOTFOUND)
        s_explain_missing(profile, err);
    return rc;
}

int tw_creds_resolve(struct tw_creds *out, const struct tw_env *env, struct tw_err *err)
{
    struct tw_profile *p = NULL;
    int rc = tw_creds_from_env(out, env, err);

    if (rc != TW_ENOTFOUND)
        return rc;
    rc = tw_profile_load(&p, env, err);
    if (rc == TW_OK)
        rc = tw_creds_from_profile(out, p, err);
    if (rc == TW_ENOTFOUND)
        tw_err_prefix(err, "no AWS credentials (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are "
                           "not set)");
    tw_profile_free(p);
    return rc;
}

/* ---- assumed roles --------------------------------------------------------- */

static int s_valid_role_name(const char *name)
{
    size_t n = strlen(name);

    if (n == 0 || n > 64)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              strchr("+=,.@_-", c)))
            return 0;
    }
    return 1;
}

int tw_creds_role_arn(struct tw_buf *out, const char *execution_role_arn, const char *role_name,
                      struct tw_err *err)
{
    struct tw_arn arn;
    struct tw_span type, id;
    const char *bad = NULL;
    int rc;

    if (!execution_role_arn || !role_name) {
        tw_err_set(err, "role ARN: executionRoleArn and ExecutionRoleName are required");
        return TW_EPARSE;
    }
    rc = tw_arn_parse(&arn, tw_span_cstr(execution_role_arn), err);
    if (rc != TW_OK) {
        tw_err_prefix(err, "executionRoleArn");
        return rc;
    }
    tw_arn_resource_split(&type, &id, arn.resource);
    if (!tw_arn_partition_known(arn.partition))
        bad = "is in an unknown partition";
    else if (!tw_span_eq_cstr(arn.service, "iam") || arn.region.len != 0)
        bad = "is not an IAM ARN";
    else if (!tw_arn_account_valid(arn.account))
        bad = "has no 12-digit account";
    else if (!tw_span_eq_cstr(type, "role") || arn.resource.ptr[type.len] != '/' || id.len == 0)
        bad = "is not a role ARN";
    if (bad) {
        tw_err_set(err, "executionRoleArn %s: \"%.*s\"", bad,
                   (int)(strlen(execution_role_arn) > 200 ? 200 : strlen(execution_role_arn)),
                   execution_role_arn);
        return TW_EPARSE;
    }
    if (!s_valid_role_name(role_name)) {
        tw_err_set(err, "ExecutionRoleName must be 1-64 characters of A-Z a-z 0-9 + = , . @ _ -");
        return TW_EPARSE;
    }
    rc = tw_buf_printf(out, "arn:%.*s:iam::%.*s:role/%s", (int)arn.partition.len, arn.partition.ptr,
                       (int)arn.account.len, arn.account.ptr, role_name);
    if (rc != TW_OK)
        tw_err_set(err, "role ARN does not fit");
    return rc;
}

void tw_creds_cache_init(struct tw_creds_cache *cache)
{
    memset(cache, 0, sizeof(*cache));
}

static void s_slot_clear(struct tw_creds_cache_slot *slot)
{
    free(slot->role_arn);
    tw_creds_cleanup(&slot->creds);
    memset(slot, 0, sizeof(*slot));
}

void tw_creds_cache_cleanup(struct tw_creds_cache *cache)
{
    if (!cache)
        return;
    for (size_t i = 0; i < TW_CREDS_CACHE_SLOTS; i++)
        s_slot_clear(&cache->slot[i]);
    cache->tick = 0;
}

static struct tw_creds_cache_slot *s_slot_find(struct tw_creds_cache *cache, const char *role_arn)
{
    for (size_t i = 0; i < TW_CREDS_CACHE_SLOTS; i++)
        if (cache->slot[i].role_arn && strcmp(cache->slot[i].role_arn, role_arn) == 0)
            return &cache->slot[i];
    return NULL;
}

const struct tw_creds *tw_creds_cache_get(struct tw_creds_cache *cache, const char *role_arn,
                                          time_t now)
{
    struct tw_creds_cache_slot *slot = s_slot_find(cache, role_arn);
    time_t exp;

    if (!slot)
        return NULL;
    exp = slot->creds.expiration;
    if (exp != 0 && now >= exp - TW_CREDS_REFRESH_SECONDS) {
        s_slot_clear(slot);
        return NULL;
    }
    slot->last_used = ++cache->tick;
    return &slot->creds;
}

int tw_creds_cache_put(struct tw_creds_cache *cache, const char *role_arn,
                       const struct tw_creds *creds, struct tw_err *err)
{
    struct tw_creds_cache_slot *slot = s_slot_find(cache, role_arn), fresh;
    int rc;

    for (size_t i = 0; !slot && i < TW_CREDS_CACHE_SLOTS; i++)
        if (!cache->slot[i].role_arn)
            slot = &cache->slot[i];
    if (!slot) { /* full: evict the least recently used */
        slot = &cache->slot[0];
        for (size_t i = 1; i < TW_CREDS_CACHE_SLOTS; i++)
            if (cache->slot[i].last_used < slot->last_used)
                slot = &cache->slot[i];
    }
    memset(&fresh, 0, sizeof(fresh));
    rc = tw_creds_copy(&fresh.creds, creds, err);
    if (rc != TW_OK)
        return rc;
    fresh.role_arn = tw_strdup(role_arn);
    if (!fresh.role_arn) {
        tw_creds_cleanup(&fresh.creds);
        tw_err_set(err, "out of memory");
        return TW_ENOMEM;
    }
    fresh.last_used = ++cache->tick;
    s_slot_clear(slot);
    *slot = fresh;
    return TW_OK;
}
