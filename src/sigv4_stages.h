/* sigv4_stages.h — the SigV4 stages one by one, for tests (as aws-c-auth's
 * private/aws_signing.h). Production code calls tw_sigv4_sign only. */
#ifndef TW_SIGV4_STAGES_H
#define TW_SIGV4_STAGES_H

#include "sigv4.h"

/* "YYYYMMDDTHHMMSSZ" for `t` (UTC). TW_ERR if `t` is outside years 0-9999. */
int tw_sigv4_amz_date(char out[17], time_t t);

/* Lowercase hex SHA-256 of `data`. */
int tw_sigv4_hex_sha256(char out[65], struct tw_span data);

/* Appends the canonical request for `req` to `out`: method, canonical URI
 * (normalised when `normalize_path`), canonical query, canonical headers,
 * signed headers and `payload_hash`. `req->headers` is the complete set to
 * sign (X-Amz-Date and, with a token, X-Amz-Security-Token included). When
 * `signed_headers` is not NULL the "a;b;c" list is appended to it too.
 * On failure the buffers may hold partial output. */
int tw_sigv4_canonical_request(struct tw_buf *out, struct tw_buf *signed_headers,
                               const struct tw_sigv4_request *req, int normalize_path,
                               const char *payload_hash, struct tw_err *err);

/* Appends "AWS4-HMAC-SHA256\n<amz_date>\n<date>/<region>/<service>/aws4_request\n<hex sha256>". */
int tw_sigv4_string_to_sign(struct tw_buf *out, struct tw_span canonical_request,
                            const char *amz_date, struct tw_span region, struct tw_span service,
                            struct tw_err *err);

/* The hex signature of `string_to_sign` with the key derived from `secret`
 * for the date part of `amz_date`, `region` and `service`. Wipes every key it
 * derives. */
int tw_sigv4_signature(char out[65], struct tw_span secret, const char *amz_date,
                       struct tw_span region, struct tw_span service,
                       struct tw_span string_to_sign, struct tw_err *err);

#endif
