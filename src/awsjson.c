/* awsjson.c — strict whole-body JSON parsing and typed member reads. */
#include "awsjson.h"

#include "timeutil.h"

#include <cjson/cJSON.h>
#include <math.h> /* isfinite only: the build does not link libm */
#include <stdlib.h>
#include <string.h>

int tw_json_utf8_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;

    while (i < n) {
        unsigned c = p[i];
        size_t k;
        unsigned lo = 0x80, hi = 0xBF;

        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF) {
            k = 1;
        } else if (c >= 0xE0 && c <= 0xEF) {
            k = 2;
            if (c == 0xE0)
                lo = 0xA0; /* overlong */
            else if (c == 0xED)
                hi = 0x9F; /* UTF-16 surrogates */
        } else if (c >= 0xF0 && c <= 0xF4) {
            k = 3;
            if (c == 0xF0)
                lo = 0x90; /* overlong */
            else if (c == 0xF4)
                hi = 0x8F; /* above U+10FFFF */
        } else {
            return 0;
        }
        if (n - i - 1 < k)
            return 0;
        if (p[i + 1] < lo || p[i + 1] > hi)
            return 0;
        for (size_t j = 2; j <= k; j++) {
            if (p[i + j] < 0x80 || p[i + j] > 0xBF)
                return 0;
        }
        i += k + 1;
    }
    return 1;
}

cJSON *tw_json_parse_whole(struct tw_span body)
{
    const char *end = NULL;
    cJSON *v;

    if (!body.ptr || body.len == 0)
        return NULL;
    /* cJSON stops at a NUL and does not check UTF-8; JSON text must be UTF-8. */
    if (memchr(body.ptr, '\0', body.len) || !tw_json_utf8_valid(body.ptr, body.len))
        return NULL;
    v = cJSON_ParseWithLengthOpts(body.ptr, body.len, &end, 0);
    if (!v)
        return NULL;
    for (; end && end < body.ptr + body.len; end++) {
        if (*end != ' ' && *end != '\t' && *end != '\n' && *end != '\r') {
            cJSON_Delete(v);
            return NULL;
        }
    }
    return v;
}

void tw_json_strv_free(char **v, size_t n)
{
    if (!v)
        return;
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

/* The member, or NULL when absent or null. */
static const cJSON *s_member(const cJSON *obj, const char *name)
{
    const cJSON *item = cJSON_IsObject(obj) ? cJSON_GetObjectItemCaseSensitive(obj, name) : NULL;

    return item && !cJSON_IsNull(item) ? item : NULL;
}

static const char *s_kind(const cJSON *item)
{
    if (cJSON_IsString(item))
        return "a string";
    if (cJSON_IsNumber(item))
        return "a number";
    if (cJSON_IsBool(item))
        return "a boolean";
    if (cJSON_IsArray(item))
        return "an array";
    if (cJSON_IsObject(item))
        return "an object";
    return "null";
}

static int s_wrong(const cJSON *item, const char *name, const char *want, struct tw_err *err)
{
    tw_err_set(err, "field \"%s\" must be %s, not %s", name, want, s_kind(item));
    return TW_EPARSE;
}

static int s_missing(const char *name, const char *want, struct tw_err *err)
{
    tw_err_set(err, "field \"%s\" is missing (expected %s)", name, want);
    return TW_EPARSE;
}

/* Copies a string value, enforcing TW_JSON_MAX_STRING. */
static int s_dup(char **out, const cJSON *item, const char *name, struct tw_err *err)
{
    size_t n = strlen(item->valuestring);

    if (n > TW_JSON_MAX_STRING) {
        tw_err_set(err, "field \"%s\" is longer than %d bytes", name, TW_JSON_MAX_STRING);
        return TW_ETOOBIG;
    }
    *out = malloc(n + 1);
    if (!*out) {
        tw_err_set(err, "out of memory");
        return TW_ENOMEM;
    }
    memcpy(*out, item->valuestring, n + 1);
    return TW_OK;
}

int tw_json_get_string(char **out, const cJSON *obj, const char *name, int required,
                       struct tw_err *err)
{
    const cJSON *item = s_member(obj, name);

    *out = NULL;
    if (!item)
        return required ? s_missing(name, "a string", err) : TW_OK;
    if (!cJSON_IsString(item) || !item->valuestring)
        return s_wrong(item, name, "a string", err);
    return s_dup(out, item, name, err);
}

int tw_json_get_bool(int *out, int *have, const cJSON *obj, const char *name,
                     struct tw_err *err)
{
    const cJSON *item = s_member(obj, name);

    if (have)
        *have = 0;
    if (!item)
        return have ? TW_OK : s_missing(name, "a boolean", err);
    if (!cJSON_IsBool(item))
        return s_wrong(item, name, "a boolean", err);
    *out = cJSON_IsTrue(item) ? 1 : 0;
    if (have)
        *have = 1;
    return TW_OK;
}

int tw_json_get_number(double *out, int *have, const cJSON *obj, const char *name,
                       struct tw_err *err)
{
    const cJSON *item = s_member(obj, name);

    if (have)
        *have = 0;
    if (!item)
        return have ? TW_OK : s_missing(name, "a number", err);
    if (!cJSON_IsNumber(item))
        return s_wrong(item, name, "a number", err);
    if (!isfinite(item->valuedouble)) {
        tw_err_set(err, "field \"%s\" is not a finite number", name);
        return TW_EPARSE;
    }
    *out = item->valuedouble;
    if (have)
        *have = 1;
    return TW_OK;
}

int tw_json_get_int64(int64_t *out, int *have, const cJSON *obj, const char *name, int64_t min,
                      int64_t max, struct tw_err *err)
{
    double d = 0.0;
    int h = 0, rc = tw_json_get_number(&d, have ? &h : NULL, obj, name, err);

    if (have)
        *have = 0;
    if (rc != TW_OK || (have && !h))
        return rc;
    /* 2^53: beyond it a double no longer holds every integer. */
    if (!(d >= -9007199254740992.0 && d <= 9007199254740992.0) || (double)(int64_t)d != d ||
        d < (double)min || d > (double)max) {
        tw_err_set(err, "field \"%s\" is not an integer in [%lld, %lld]", name, (long long)min,
                   (long long)max);
        return TW_EPARSE;
    }
    *out = (int64_t)d;
    if (have)
        *have = 1;
    return TW_OK;
}

int tw_json_get_time_ms(int64_t *out, int *have, const cJSON *obj, const char *name,
                        struct tw_err *err)
{
    const cJSON *item = s_member(obj, name);
    int64_t ms;

    if (have)
        *have = 0;
    if (!item)
        return have ? TW_OK : s_missing(name, "a timestamp", err);
    if (cJSON_IsNumber(item)) {
        double s = item->valuedouble;
        if (!(s >= 0.0 && s < 1e11)) {
            tw_err_set(err, "field \"%s\" is not a plausible epoch timestamp", name);
            return TW_EPARSE;
        }
        ms = (int64_t)(s * 1000.0 + 0.5); /* s >= 0: rounds to the nearest ms */
    } else if (cJSON_IsString(item) && item->valuestring) {
        if (tw_time_parse_iso8601(&ms, item->valuestring) != TW_OK || ms < 0 ||
            ms >= INT64_C(100000000000000)) {
            tw_err_set(err, "field \"%s\" is not an ISO 8601 timestamp", name);
            return TW_EPARSE;
        }
    } else {
        return s_wrong(item, name, "a timestamp (epoch seconds)", err);
    }
    *out = ms;
    if (have)
        *have = 1;
    return TW_OK;
}

static size_t s_count(const cJSON *arr, size_t stop)
{
    size_t n = 0;

    for (const cJSON *c = arr->child; c && n <= stop; c = c->next)
        n++;
    return n;
}

int tw_json_get_array(const cJSON **out, const cJSON *obj, const char *name, int required,
                      size_t max_items, struct tw_err *err)
{
    const cJSON *item = s_member(obj, name);

    *out = NULL;
    if (!item)
        return required ? s_missing(name, "an array", err) : TW_OK;
    if (!cJSON_IsArray(item))
        return s_wrong(item, name, "an array", err);
    if (s_count(item, max_items) > max_items) {
        tw_err_set(err, "field \"%s\" has more than %zu items", name, max_items);
        return TW_ETOOBIG;
    }
    *out = item;
    return TW_OK;
}

int tw_json_get_object(const cJSON **out, const cJSON *obj, const char *name, int required,
                       struct tw_err *err)
{
    const cJSON *item = s_member(obj, name);

    *out = NULL;
    if (!item)
        return required ? s_missing(name, "an object", err) : TW_OK;
    if (!cJSON_IsObject(item))
        return s_wrong(item, name, "an object", err);
    *out = item;
    return TW_OK;
}

int tw_json_get_string_array(char ***out, size_t *out_n, const cJSON *obj, const char *name,
                             size_t max_items, struct tw_err *err)
{
    const cJSON *arr = NULL;
    char **v = NULL;
    size_t n = 0, i = 0;
    int rc;

    *out = NULL;
    *out_n = 0;
    rc = tw_json_get_array(&arr, obj, name, 0, max_items, err);
    if (rc != TW_OK || !arr)
        return rc;
    n = s_count(arr, max_items);
    if (n == 0)
        return TW_OK;
    v = calloc(n, sizeof(*v));
    if (!v) {
        tw_err_set(err, "out of memory");
        return TW_ENOMEM;
    }
    for (const cJSON *c = arr->child; c; c = c->next, i++) {
        if (!cJSON_IsString(c) || !c->valuestring) {
            tw_err_set(err, "field \"%s\" item %zu must be a string, not %s", name, i,
                       s_kind(c));
            rc = TW_EPARSE;
            goto out;
        }
        rc = s_dup(&v[i], c, name, err);
        if (rc != TW_OK)
            goto out;
    }
    *out = v;
    *out_n = n;
    v = NULL;
out:
    tw_json_strv_free(v, n);
    return rc;
}
