/* log.h — log lines for CloudWatch Logs, in Lambda's two formats.
 *
 * With AWS_LAMBDA_LOG_FORMAT=JSON every line is one JSON object:
 *   {"timestamp":"2026-11-27T17:14:49.123Z","level":"INFO","message":"...",
 *    "requestId":"...", <structured fields>}
 * otherwise a tab-separated text line:
 *   2026-11-27T17:14:49.123Z<TAB>INFO<TAB>requestId<TAB>message key=value ...
 * AWS_LAMBDA_LOG_LEVEL (TRACE..FATAL; missing or invalid => INFO) drops the
 * lines below it. Lines go to stderr unless a sink is set (tests).
 *
 * Never pass credentials, Authorization headers or whole events as fields. */
#ifndef TW_LOG_H
#define TW_LOG_H

#include "tw.h"

enum tw_log_level {
    TW_LOG_TRACE,
    TW_LOG_DEBUG,
    TW_LOG_INFO,
    TW_LOG_WARN,
    TW_LOG_ERROR,
    TW_LOG_FATAL,
};

enum tw_log_format { TW_LOG_TEXT, TW_LOG_JSON };

/* Receives each finished line (without the trailing newline). */
typedef void tw_log_sink_fn(void *ctx, enum tw_log_level level, const char *line, size_t len);

/* Reads AWS_LAMBDA_LOG_FORMAT and AWS_LAMBDA_LOG_LEVEL. Call once at start. */
void tw_log_init_from_env(void);
void tw_log_configure(enum tw_log_format format, enum tw_log_level min_level);
/* NULL restores stderr. */
void tw_log_set_sink(tw_log_sink_fn *sink, void *ctx);
/* The request id stamped on following lines; NULL or "" clears it. */
void tw_log_set_request_id(const char *request_id);
int tw_log_enabled(enum tw_log_level level);
/* Parses "INFO", "debug", ...; returns -1 for anything else. */
int tw_log_level_parse(const char *s);
const char *tw_log_level_name(enum tw_log_level level);

void tw_log(enum tw_log_level level, const char *fmt, ...) TW_PRINTF(2, 3);

/* A message with structured string fields: `fields` alternates key, value and
 * ends with NULL. A NULL value is skipped. */
void tw_log_kv(enum tw_log_level level, const char *message, ...);

/* Writes `line` as it is (an embedded-metric-format document, say): one
 * line, whatever the format and level. */
void tw_log_raw(const char *line);

#define tw_log_debug(...) tw_log(TW_LOG_DEBUG, __VA_ARGS__)
#define tw_log_info(...) tw_log(TW_LOG_INFO, __VA_ARGS__)
#define tw_log_warn(...) tw_log(TW_LOG_WARN, __VA_ARGS__)
#define tw_log_error(...) tw_log(TW_LOG_ERROR, __VA_ARGS__)

#endif
