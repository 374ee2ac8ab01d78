/* log.c — text and JSON log lines (see log.h). */
#include "log.h"

#include "timeutil.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* Process-wide by nature: one stderr, one current invocation. */
static struct {
    enum tw_log_format format;
    enum tw_log_level min_level;
    tw_log_sink_fn *sink;
    void *sink_ctx;
    char request_id[128];
} s_log = { TW_LOG_TEXT, TW_LOG_INFO, NULL, NULL, "" };

static const char *const s_level_names[] = { "TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL" };

const char *tw_log_level_name(enum tw_log_level level)
{
    if ((unsigned)level >= TW_ARRAY_LEN(s_level_names))
        return "INFO";
    return s_level_names[level];
}

int tw_log_level_parse(const char *s)
{
    if (!s)
        return -1;
    for (size_t i = 0; i < TW_ARRAY_LEN(s_level_names); i++) {
        if (strcasecmp(s, s_level_names[i]) == 0)
            return (int)i;
    }
    if (strcasecmp(s, "WARNING") == 0)
        return TW_LOG_WARN;
    return -1;
}

void tw_log_configure(enum tw_log_format format, enum tw_log_level min_level)
{
    s_log.format = format;
    s_log.min_level = min_level;
}

void tw_log_init_from_env(void)
{
    const char *fmt = getenv("AWS_LAMBDA_LOG_FORMAT");
    int level = tw_log_level_parse(getenv("AWS_LAMBDA_LOG_LEVEL"));

    tw_log_configure(fmt && strcasecmp(fmt, "JSON") == 0 ? TW_LOG_JSON : TW_LOG_TEXT,
                     level < 0 ? TW_LOG_INFO : (enum tw_log_level)level);
}

void tw_log_set_sink(tw_log_sink_fn *sink, void *ctx)
{
    s_log.sink = sink;
    s_log.sink_ctx = ctx;
}

void tw_log_set_request_id(const char *request_id)
{
    tw_strlcpy(s_log.request_id, request_id ? request_id : "", sizeof(s_log.request_id));
}

int tw_log_enabled(enum tw_log_level level)
{
    return level >= s_log.min_level;
}

static void s_timestamp(char out[32])
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    tw_time_format_iso8601_ms(out, (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

static void s_emit(enum tw_log_level level, const char *line, size_t len)
{
    if (s_log.sink) {
        s_log.sink(s_log.sink_ctx, level, line, len);
        return;
    }
    /* One fwrite per line keeps lines whole in CloudWatch. */
    fwrite(line, 1, len, stderr);
    fputc('\n', stderr);
    fflush(stderr);
}

/* Text fields are key=value; values with spaces are quoted. */
static void s_append_text_field(struct tw_buf *line, const char *key, const char *value)
{
    int quote = strpbrk(value, " \t\"") != NULL || value[0] == '\0';
    int rc = tw_buf_printf(line, quote ? " %s=\"%s\"" : " %s=%s", key, value);

    (void)rc; /* a line cut short by the cap still gets written */
}

static void s_write(enum tw_log_level level, const char *message, va_list *fields)
{
    char ts[40];
    struct tw_buf line;

    s_timestamp(ts);
    tw_buf_init(&line, 256 * 1024);
    if (s_log.format == TW_LOG_JSON) {
        cJSON *obj = cJSON_CreateObject();
        char *text;

        if (!obj)
            return;
        cJSON_AddStringToObject(obj, "timestamp", ts);
        cJSON_AddStringToObject(obj, "level", tw_log_level_name(level));
        cJSON_AddStringToObject(obj, "message", message);
        if (s_log.request_id[0])
            cJSON_AddStringToObject(obj, "requestId", s_log.request_id);
        if (fields) {
            const char *k, *v;
            while ((k = va_arg(*fields, const char *)) != NULL) {
                v = va_arg(*fields, const char *);
                if (v && !cJSON_GetObjectItemCaseSensitive(obj, k))
                    cJSON_AddStringToObject(obj, k, v);
            }
        }
        text = cJSON_PrintUnformatted(obj);
        cJSON_Delete(obj);
        if (text) {
            s_emit(level, text, strlen(text));
            cJSON_free(text);
        }
        return;
    }
    if (tw_buf_printf(&line, "%s\t%s\t%s\t%s", ts, tw_log_level_name(level),
                      s_log.request_id[0] ? s_log.request_id : "-", message) == TW_OK &&
        fields) {
        const char *k, *v;
        while ((k = va_arg(*fields, const char *)) != NULL) {
            v = va_arg(*fields, const char *);
            if (v)
                s_append_text_field(&line, k, v);
        }
    }
    s_emit(level, tw_buf_cstr(&line), line.len);
    tw_buf_cleanup(&line);
}

void tw_log(enum tw_log_level level, const char *fmt, ...)
{
    char message[2048];
    va_list ap;

    if (!tw_log_enabled(level))
        return;
    va_start(ap, fmt);
    vsnprintf(message, sizeof(message), fmt, ap);
    va_end(ap);
    s_write(level, message, NULL);
}

void tw_log_kv(enum tw_log_level level, const char *message, ...)
{
    va_list ap;

    if (!tw_log_enabled(level))
        return;
    va_start(ap, message);
    s_write(level, message, &ap);
    va_end(ap);
}

void tw_log_raw(const char *line)
{
    s_emit(TW_LOG_INFO, line, strlen(line));
}
