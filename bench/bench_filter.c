/* bench_filter.c — how long does the audit spend on one metric filter?
 *
 * Times parse + coverage analysis of two realistic 1024-character patterns
 * (the filterPattern maximum): one that covers the CloudTrail changes (the
 * decision alone) and one that misses failed calls, so the counterexample
 * search runs too. Prints the median, 99th percentile and minimum over N runs
 * (default 10000) in microseconds, and the median time to evaluate the first
 * pattern on one CloudTrail record.
 *
 *   make -f bench/bench.mk bench-filter [BENCH_RUNS=10000]
 */
#include "filter.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char s_covered[] =
    "{ ($.eventSource = \"cloudtrail.amazonaws.com\") && (($.eventName = \"CreateTrail\") |"
    "| ($.eventName = \"UpdateTrail\") || ($.eventName = \"DeleteTrail\") || ($.eventName ="
    " \"StartLogging\") || ($.eventName = \"StopLogging\") || ($.eventName = \"PutEventSele"
    "ctors\") || ($.eventName = \"PutInsightSelectors\") || ($.eventName = \"AddTags\") || "
    "($.eventName = \"RemoveTags\") || ($.eventName = \"CreateEventDataStore\") || ($.event"
    "Name = \"UpdateEventDataStore\") || ($.eventName = \"DeleteEventDataStore\")) || (($.e"
    "ventSource = \"logs.amazonaws.com\") && (($.eventName = \"DeleteLogGroup\") || ($.even"
    "tName = \"DeleteMetricFilter\") || ($.eventName = \"PutMetricFilter\"))) || (($.errorC"
    "ode = \"*UnauthorizedOperation\") || ($.errorCode = \"AccessDenied*\")) || (($.userIde"
    "ntity.type = \"Root\") && ($.userIdentity.invokedBy NOT EXISTS) && ($.eventType != \"A"
    "wsServiceEvent\")) || ($.resources[0].ARN = \"arn:aws:cloudtrail:*\" && $.readOnly IS "
    "FALSE) || ($.requestParameters.trailName = %trail% && $.sourceIPAddress != \"10.*\" &&"
    " $.awsRegion = \"eu-west-111111111*\") }";

static const char s_missed[] =
    "{ ($.eventSource = \"cloudtrail.amazonaws.com\") && (($.eventName = \"CreateTrail\") |"
    "| ($.eventName = \"UpdateTrail\") || ($.eventName = \"DeleteTrail\") || ($.eventName ="
    " \"StartLogging\") || ($.eventName = \"StopLogging\") || ($.eventName = \"PutEventSele"
    "ctors\") || ($.eventName = \"PutInsightSelectors\") || ($.eventName = \"RemoveTags\") "
    "|| ($.eventName = \"CreateEventDataStore\") || ($.eventName = \"UpdateEventDataStore\""
    ") || ($.eventName = \"DeleteEventDataStore\")) && ($.errorCode NOT EXISTS) || (($.even"
    "tSource = \"logs.amazonaws.com\") && (($.eventName = \"DeleteLogGroup\") || ($.eventNa"
    "me = \"DeleteMetricFilter\") || ($.eventName = \"PutMetricFilter\"))) || (($.errorCode"
    " = \"*UnauthorizedOperation\") || ($.errorCode = \"AccessDenied*\")) || (($.userIdenti"
    "ty.type = \"Root\") && ($.userIdentity.invokedBy NOT EXISTS) && ($.eventType != \"AwsS"
    "erviceEvent\")) || ($.resources[0].ARN = \"arn:aws:cloudtrail:*\" && $.readOnly IS FAL"
    "SE) || ($.requestParameters.trailName = %trail% && $.sourceIPAddress != \"10.*\" && $."
    "awsRegion = \"eu-west-1111111111*\") }";

static const char s_record[] =
    "{\"eventVersion\":\"1.08\",\"userIdentity\":{\"type\":\"AssumedRole\",\"arn\":\"arn:aws:sts::"
    "111122223333:assumed-role/Admin/alice\"},\"eventTime\":\"2024-05-01T12:00:00Z\","
    "\"eventSource\":\"cloudtrail.amazonaws.com\",\"eventName\":\"StopLogging\",\"awsRegion\":"
    "\"us-east-1\",\"sourceIPAddress\":\"203.0.113.7\",\"requestParameters\":{\"name\":"
    "\"management-events\"},\"responseElements\":null,\"readOnly\":false,\"resources\":[{"
    "\"ARN\":\"arn:aws:cloudtrail:us-east-1:111122223333:trail/management-events\"}]}";

static double s_now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int s_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void s_report(const char *what, double *t, size_t n)
{
    qsort(t, n, sizeof(*t), s_cmp);
    printf("%-44s median %8.2f us   p99 %8.2f us   min %8.2f us   (%zu runs)\n", what,
           t[n / 2], t[(n * 99) / 100], t[0], n);
}

/* Parse + analyse `pattern` n times; returns 0, or 1 if the verdict is not
 * `want_covered` (a benchmark of a wrong answer is worthless). */
static int s_bench_cover(const char *what, const char *pattern, int want_covered, double *t,
                         size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct tw_filter *f = NULL;
        struct tw_coverage cov;
        struct tw_err err;
        double t0 = s_now_us();

        memset(&err, 0, sizeof(err));
        if (tw_filter_parse(&f, tw_span_cstr(pattern), &err) != TW_OK ||
            tw_filter_covers_trail_changes(&cov, f, &err) != TW_OK) {
            fprintf(stderr, "bench_filter: %s: %s\n", what, err.msg);
            tw_filter_free(f);
            return 1;
        }
        t[i] = s_now_us() - t0;
        tw_filter_free(f);
        if (cov.covered != want_covered) {
            fprintf(stderr, "bench_filter: %s: unexpected verdict: %s\n", what, cov.reason);
            return 1;
        }
    }
    s_report(what, t, n);
    return 0;
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? (size_t)strtoul(argv[1], NULL, 10) : 10000;
    double *t;
    struct tw_filter *f = NULL;
    struct tw_err err;
    cJSON *ev;
    int rc = 1;

    if (n == 0)
        n = 1;
    if (strlen(s_covered) != TW_FILTER_MAX_PATTERN || strlen(s_missed) != TW_FILTER_MAX_PATTERN) {
        fprintf(stderr, "bench_filter: patterns must be %d characters\n", TW_FILTER_MAX_PATTERN);
        return 1;
    }
    t = malloc(n * sizeof(*t));
    ev = cJSON_Parse(s_record);
    if (!t || !ev)
        goto out;
    if (s_bench_cover("parse + coverage, 1024 chars, covered", s_covered, 1, t, n) ||
        s_bench_cover("parse + coverage, 1024 chars, not covered", s_missed, 0, t, n))
        goto out;
    memset(&err, 0, sizeof(err));
    if (tw_filter_parse(&f, tw_span_cstr(s_covered), &err) != TW_OK)
        goto out;
    for (size_t i = 0; i < n; i++) {
        double t0 = s_now_us();
        if (tw_filter_match_json(f, ev) != 1) {
            fprintf(stderr, "bench_filter: the record should match\n");
            goto out;
        }
        t[i] = s_now_us() - t0;
    }
    s_report("match_json, one CloudTrail record", t, n);
    rc = 0;
out:
    tw_filter_free(f);
    cJSON_Delete(ev);
    free(t);
    return rc;
}
