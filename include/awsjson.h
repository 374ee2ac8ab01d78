/* awsjson.h — strict JSON reading for AWS JSON 1.1 replies, on cJSON.
 *
 * The getters tell "absent" from "wrong type": a member that is missing or
 * JSON null is absent (as botocore reads it); a member of the wrong type is
 * TW_EPARSE with a message naming it. Callers add context (which item of
 * which reply) with tw_err_prefix. */
#ifndef TW_AWSJSON_H
#define TW_AWSJSON_H

#include "tw.h"

#include <stddef.h>
#include <stdint.h>

struct cJSON;

/* Longest string member accepted (bytes); longer is TW_ETOOBIG. */
#define TW_JSON_MAX_STRING (64 * 1024)

/* Parses `body` as exactly one JSON value followed by nothing but
 * whitespace. The body must be valid UTF-8 without NUL bytes. Returns the
 * value (free with cJSON_Delete) or NULL for anything else, including an
 * empty body. */
struct cJSON *tw_json_parse_whole(struct tw_span body);

/* 1 if the n bytes at s are well-formed UTF-8 (no overlongs, surrogates or
 * code points above U+10FFFF), else 0. */
int tw_json_utf8_valid(const char *s, size_t n);

/* A copy of the string member `name` of `obj`; absent gives *out = NULL,
 * which is TW_EPARSE when `required`. Wrong type: TW_EPARSE; longer than
 * TW_JSON_MAX_STRING: TW_ETOOBIG; TW_ENOMEM. On failure *out is NULL. */
int tw_json_get_string(char **out, const struct cJSON *obj, const char *name, int required,
                       struct tw_err *err);

/* Scalars. Absent: with `have` non-NULL *have = 0 and *out is left alone
 * (preset the default); with `have` NULL the member is required (TW_EPARSE).
 * Wrong type or out of range: TW_EPARSE, *out unchanged. */
int tw_json_get_bool(int *out, int *have, const struct cJSON *obj, const char *name,
                     struct tw_err *err);
int tw_json_get_number(double *out, int *have, const struct cJSON *obj, const char *name,
                       struct tw_err *err);
/* An integral number within [min, max] (and within +-2^53, exact in a double). */
int tw_json_get_int64(int64_t *out, int *have, const struct cJSON *obj, const char *name,
                      int64_t min, int64_t max, struct tw_err *err);
/* A JSON 1.1 timestamp as milliseconds since the epoch: epoch seconds,
 * possibly fractional (botocore also accepts an ISO 8601 string: so do we).
 * Seconds must lie in [0, 1e11). */
int tw_json_get_time_ms(int64_t *out, int *have, const struct cJSON *obj, const char *name,
                        struct tw_err *err);

/* The array / object member `name`, borrowed from `obj`. Absent gives
 * *out = NULL (TW_EPARSE when `required`); wrong type: TW_EPARSE. An array
 * with more than `max_items` elements is TW_ETOOBIG. */
int tw_json_get_array(const struct cJSON **out, const struct cJSON *obj, const char *name,
                      int required, size_t max_items, struct tw_err *err);
int tw_json_get_object(const struct cJSON **out, const struct cJSON *obj, const char *name,
                       int required, struct tw_err *err);

/* A copied array of strings (absent or null: *out = NULL, *out_n = 0). Any
 * element that is not a string is TW_EPARSE, naming the index; more than
 * `max_items` elements or an over-long string is TW_ETOOBIG. Release with
 * tw_json_strv_free. On failure *out is NULL and *out_n 0. */
int tw_json_get_string_array(char ***out, size_t *out_n, const struct cJSON *obj,
                             const char *name, size_t max_items, struct tw_err *err);

/* Frees n strings and the array. NULL-safe. */
void tw_json_strv_free(char **v, size_t n);

#endif
