/* main.c — wiring only: options, then the Runtime API loop or one local run. */
#include "handler.h"
#include "http.h"
#include "lambda.h"
#include "log.h"
#include "runtime.h"
#include "timeutil.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TW_DEFAULT_LOCAL_TIMEOUT_S 60

static void s_usage(FILE *f)
{
    fputs("Usage: bootstrap [--event FILE [--dry-run] [--format json|text] [--timeout SECONDS]]\n"
          "       bootstrap --help | --version\n"
          "\n"
          "trailwatch: an AWS Config rule proving that CloudTrail configuration changes are\n"
          "monitored (CIS AWS Foundations; Security Hub CloudWatch.5).\n"
          "\n"
          "As a Lambda function (provided.al2023) it serves the Runtime API named by\n"
          "AWS_LAMBDA_RUNTIME_API. Locally:\n"
          "  --event FILE     run one invocation on the event in FILE ('-' for stdin); the\n"
          "                   response document goes to stdout, logs to stderr; exit 0 when\n"
          "                   the invocation succeeded\n"
          "  --dry-run        decide the verdict but send nothing to AWS Config (also:\n"
          "                   TRAILWATCH_DRY_RUN=true in the function's environment)\n"
          "  --format FMT     json (default): the response document; text: a short report\n"
          "  --timeout SEC    the invocation deadline for --event (default 60)\n"
          "  --help, --version\n",
          f);
}

/* Reads at most `max` bytes; one more means the file is too big. */
static int s_read_file(struct tw_buf *out, const char *path, size_t max, struct tw_err *err)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    char chunk[65536];
    size_t n;
    int rc = TW_OK;

    tw_buf_init(out, max);
    if (!f) {
        tw_err_set(err, "cannot open %s: %s", path, strerror(errno));
        return TW_ERR;
    }
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        if ((rc = tw_buf_append(out, chunk, n)) != TW_OK) {
            tw_err_set(err, "%s is larger than %zu bytes", path, max);
            break;
        }
    }
    if (rc == TW_OK && ferror(f)) {
        tw_err_set(err, "cannot read %s: %s", path, strerror(errno));
        rc = TW_ERR;
    }
    if (f != stdin)
        fclose(f);
    return rc;
}

static int s_run_local(const char *path, long timeout_s, int text, struct tw_app *app)
{
    struct tw_outcome outcome;
    struct tw_buf event;
    struct tw_err err;
    int status;

    tw_err_clear(&err);
    tw_outcome_init(&outcome);
    tw_log_set_request_id("local");
    if (s_read_file(&event, path, 6u * 1024u * 1024u, &err) != TW_OK) {
        tw_outcome_fail(&outcome, "Event.Invalid", &err);
    } else {
        tw_handle_invocation(&outcome, tw_buf_span(&event),
                             tw_time_now_ms() + (int64_t)timeout_s * 1000, app);
    }
    if (outcome.ok && text) {
        fwrite(outcome.text.ptr, 1, outcome.text.len, stdout);
        status = 0;
    } else if (outcome.ok) {
        fwrite(outcome.response.ptr, 1, outcome.response.len, stdout);
        fputc('\n', stdout);
        status = 0;
    } else {
        char *doc = tw_runtime_error_body(outcome.error_type, outcome.err.msg);
        tw_log_kv(TW_LOG_ERROR, "invocation failed", "errorType", outcome.error_type,
                  "errorMessage", outcome.err.msg, NULL);
        if (doc)
            puts(doc);
        free(doc);
        status = 1;
    }
    tw_buf_cleanup(&event);
    tw_outcome_cleanup(&outcome);
    return status;
}

int main(int argc, char **argv)
{
    const char *event_path = NULL, *api;
    long timeout_s = TW_DEFAULT_LOCAL_TIMEOUT_S;
    int dry_run = 0, text = 0, status;
    struct tw_http *http = NULL;
    struct tw_app app;
    struct tw_err err;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            s_usage(stdout);
            return 0;
        } else if (strcmp(a, "--version") == 0) {
            printf("trailwatch %s (%s)\n", TW_VERSION, curl_version());
            return 0;
        } else if (strcmp(a, "--event") == 0 && i + 1 < argc) {
            event_path = argv[++i];
        } else if (strcmp(a, "--format") == 0 && i + 1 < argc) {
            const char *f = argv[++i];
            if (strcmp(f, "text") != 0 && strcmp(f, "json") != 0) {
                fprintf(stderr, "bootstrap: --format takes json or text\n");
                return 2;
            }
            text = strcmp(f, "text") == 0;
        } else if (strcmp(a, "--dry-run") == 0) {
            dry_run = 1;
        } else if (strcmp(a, "--timeout") == 0 && i + 1 < argc) {
            char *end;
            timeout_s = strtol(argv[++i], &end, 10);
            if (*end || timeout_s <= 0 || timeout_s > 900) {
                fprintf(stderr, "bootstrap: --timeout takes 1 to 900 seconds\n");
                return 2;
            }
        } else {
            fprintf(stderr, "bootstrap: unknown or incomplete option '%s'\n\n", a);
            s_usage(stderr);
            return 2;
        }
    }

    api = getenv("AWS_LAMBDA_RUNTIME_API");
    if (!event_path && (!api || !api[0])) {
        fputs("bootstrap: neither --event nor AWS_LAMBDA_RUNTIME_API is set\n\n", stderr);
        s_usage(stderr);
        return 2;
    }

    tw_log_init_from_env();
    /* A deployment can run report-only while it is being tried out. */
    if (getenv("TRAILWATCH_DRY_RUN") && strcmp(getenv("TRAILWATCH_DRY_RUN"), "true") == 0)
        dry_run = 1;
    tw_err_clear(&err);
    if (tw_http_new(&http, &err) != TW_OK) {
        tw_log_kv(TW_LOG_FATAL, "cannot set up HTTP", "error", err.msg, NULL);
        return 1;
    }
    tw_app_init(&app, tw_http_transport(http), TW_ENV_PROCESS);
    app.dry_run = dry_run;
    if (event_path)
        status = s_run_local(event_path, timeout_s, text, &app);
    else
        status = tw_lambda_serve(api, &app);
    tw_app_cleanup(&app);
    tw_http_free(http);
    return status;
}
