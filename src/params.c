/* params.c — the rule parameters (Config's ruleParameters / InputParameters).
 *
 * Choices where Config and the brief are silent:
 *   - Parameter names are case-sensitive ("Strict", not "strict"): Config keys
 *     are, and a misspelt name must fail loudly rather than be ignored.
 *   - Strict accepts "true" / "false" in any letter case ("True", "FALSE"):
 *     people type these into the console; nothing else (no "1", "yes",
 *     no surrounding blanks).
 *   - Every value must be a JSON string, as Config sends them; a JSON true
 *     or number means the parameters were hand-built and is refused.
 *   - An empty string is a bad value, never "not set": an empty
 *     ExecutionRoleName silently falling back to the function's own account
 *     would judge the wrong account.
 *   - Lengths are bytes of UTF-8 (the fields are byte arrays); text must be
 *     valid UTF-8 without control characters, because it ends up in the
 *     annotation and in log lines. ExternalMonitoring must hold a visible
 *     character (all blanks is refused).
 *   - A name given twice is refused (cJSON keeps both; which would win?). */
#include "params.h"

#include <cjson/cJSON.h>
#include <string.h>

#define S_MAX_EXTERNAL 128 /* sizeof external_monitoring - 1 */
#define S_MAX_ROLE 64      /* IAM RoleName limit */

#define S_ACCEPTED                                                                          \
    "accepted: Strict (\"true\" or \"false\"), ExternalMonitoring (1-128 bytes of text), " \
    "ExecutionRoleName (IAM role name, 1-64 of A-Z a-z 0-9 + = , . @ _ -)"

/* Copies at most 64 bytes of `s` into `out`, printable ASCII only, so a
 * hostile name cannot forge log lines through err->msg. */
static void s_printable(char *out, size_t out_size, const char *s)
{
    size_t o = 0;

    for (size_t i = 0; s[i] && o + 4 < out_size && i < 64; i++) {
        unsigned char c = (unsigned char)s[i];
        out[o++] = (c >= 0x20 && c < 0x7f && c != '"') ? (char)c : '?';
    }
    if (s[0] && strlen(s) > 64 && o + 4 < out_size) {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o] = '\0';
}

static int s_ieq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char x = *a, y = *b;
        if (x >= 'A' && x <= 'Z')
            x = (char)(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z')
            y = (char)(y - 'A' + 'a');
        if (x != y)
            return 0;
    }
    return *a == *b;
}

/* 1 if `s` is well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF)
 * without C0/C1-range control bytes or DEL. */
static int s_text_ok(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;

    while (*p) {
        unsigned char c = *p;
        size_t n;
        uint32_t cp;

        if (c < 0x20 || c == 0x7f)
            return 0;
        if (c < 0x80) {
            p++;
            continue;
        }
        if (c >= 0xc2 && c <= 0xdf) {
            n = 1;
            cp = c & 0x1fu;
        } else if (c >= 0xe0 && c <= 0xef) {
            n = 2;
            cp = c & 0x0fu;
        } else if (c >= 0xf0 && c <= 0xf4) {
            n = 3;
            cp = c & 0x07u;
        } else {
            return 0;
        }
        for (size_t i = 1; i <= n; i++) {
            if ((p[i] & 0xc0) != 0x80)
                return 0;
            cp = (cp << 6) | (p[i] & 0x3fu);
        }
        if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
            (cp >= 0xd800 && cp <= 0xdfff) || (cp >= 0x80 && cp <= 0x9f))
            return 0;
        p += n + 1;
    }
    return 1;
}

static int s_has_visible(const char *s)
{
    for (; *s; s++)
        if (*s != ' ')
            return 1;
    return 0;
}

static int s_role_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           strchr("+=,.@_-", c) != NULL;
}

static int s_parse_strict(struct tw_params *p, const char *v, struct tw_err *err)
{
    if (s_ieq(v, "true"))
        p->strict = 1;
    else if (s_ieq(v, "false"))
        p->strict = 0;
    else {
        char shown[80];
        s_printable(shown, sizeof(shown), v);
        tw_err_set(err, "rule parameter Strict must be \"true\" or \"false\", not \"%s\"; %s",
                   shown, S_ACCEPTED);
        return TW_EPARSE;
    }
    return TW_OK;
}

static int s_parse_external(struct tw_params *p, const char *v, struct tw_err *err)
{
    size_t n = strlen(v);

    if (n == 0 || n > S_MAX_EXTERNAL || !s_text_ok(v) || !s_has_visible(v)) {
        tw_err_set(err,
                   "rule parameter ExternalMonitoring must be 1-%d bytes of UTF-8 text without "
                   "control characters (got %zu bytes); %s",
                   S_MAX_EXTERNAL, n, S_ACCEPTED);
        return TW_EPARSE;
    }
    memcpy(p->external_monitoring, v, n + 1);
    return TW_OK;
}

static int s_parse_role(struct tw_params *p, const char *v, struct tw_err *err)
{
    size_t n = strlen(v);
    int ok = n >= 1 && n <= S_MAX_ROLE;

    for (size_t i = 0; ok && i < n; i++)
        ok = s_role_char(v[i]);
    if (!ok) {
        char shown[80];
        s_printable(shown, sizeof(shown), v);
        tw_err_set(err,
                   "rule parameter ExecutionRoleName must be an IAM role name (1-%d of A-Z a-z "
                   "0-9 + = , . @ _ -, no path), not \"%s\"; %s",
                   S_MAX_ROLE, shown, S_ACCEPTED);
        return TW_EPARSE;
    }
    memcpy(p->execution_role_name, v, n + 1);
    return TW_OK;
}

int tw_params_parse(struct tw_params *out, const struct cJSON *obj, struct tw_err *err)
{
    static const char *const names[] = { "Strict", "ExternalMonitoring", "ExecutionRoleName" };
    struct tw_params p;
    int seen[TW_ARRAY_LEN(names)] = { 0 };
    int rc = TW_EPARSE;

    memset(out, 0, sizeof(*out));
    memset(&p, 0, sizeof(p));
    if (!obj) {
        rc = TW_OK;
        goto out;
    }
    if (!cJSON_IsObject(obj)) {
        tw_err_set(err, "rule parameters must be a JSON object; %s", S_ACCEPTED);
        goto out;
    }
    for (const cJSON *item = obj->child; item; item = item->next) {
        const char *key = item->string ? item->string : "";
        size_t which = TW_ARRAY_LEN(names);
        char shown[80];

        for (size_t i = 0; i < TW_ARRAY_LEN(names); i++)
            if (strcmp(key, names[i]) == 0)
                which = i;
        if (which == TW_ARRAY_LEN(names)) {
            s_printable(shown, sizeof(shown), key);
            tw_err_set(err, "unknown rule parameter \"%s\"; %s", shown, S_ACCEPTED);
            goto out;
        }
        if (seen[which]++) {
            tw_err_set(err, "rule parameter %s is given twice; %s", names[which], S_ACCEPTED);
            goto out;
        }
        if (!cJSON_IsString(item) || !item->valuestring) {
            tw_err_set(err, "rule parameter %s must be a JSON string (Config passes strings); %s",
                       names[which], S_ACCEPTED);
            goto out;
        }
        if (which == 0 && s_parse_strict(&p, item->valuestring, err) != TW_OK)
            goto out;
        if (which == 1 && s_parse_external(&p, item->valuestring, err) != TW_OK)
            goto out;
        if (which == 2 && s_parse_role(&p, item->valuestring, err) != TW_OK)
            goto out;
    }
    rc = TW_OK;
out:
    if (rc == TW_OK)
        *out = p;
    return rc;
}
