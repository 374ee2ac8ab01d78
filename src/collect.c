/* collect.c — the audit's AWS reads, stage by stage (see collect.h).
 *
 * Stage 1  DescribeTrails (the function's region)
 * Stage 2  per trail, concurrently: GetTrailStatus and GetEventSelectors (home
 *          region, by ARN) and DescribeMetricFilters (the log group's region,
 *          all pages)
 * Stage 3  per metric of a qualifying filter on a qualifying trail (the
 *          judge's own tests, judge.h): DescribeAlarmsForMetric (one
 *          request whatever the number of alarms in the region); then, only
 *          in a region where none of those alarms can notify anyone,
 *          DescribeAlarms (all pages) for metric-math alarms
 * Stage 4  per SNS topic those alarms notify: ListSubscriptionsByTopic (all
 *          pages, the topic's own region)
 * Each stage waits only for the one before it: that is the critical path. */
#include "collect.h"

#include "arn.h"
#include "aws.h"
#include "awsproto.h"
#include "judge.h"
#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum s_kind { J_STATUS, J_SELECTORS, J_FILTERS, J_ALARMS_FOR_METRIC, J_ALARMS, J_SUBSCRIPTIONS };

static const char *const s_actions[] = {
    "cloudtrail:GetTrailStatus",          "cloudtrail:GetEventSelectors",
    "logs:DescribeMetricFilters",         "cloudwatch:DescribeAlarmsForMetric",
    "cloudwatch:DescribeAlarms",          "sns:ListSubscriptionsByTopic",
};

struct s_ctx {
    struct tw_facts *facts;
    struct tw_aws *aws;
    const struct tw_creds *creds;
    const struct tw_params *params;
};

/* One read and where its answer goes. */
struct s_job {
    struct tw_aws_call call;
    struct s_ctx *ctx;
    enum s_kind kind;
    size_t index;      /* into trails, alarm_lookups, region_alarms or topics */
    char *param;       /* log group name or topic ARN; owned */
    int parse_rc;
    struct tw_err parse_err;
};

static struct tw_read *s_read_of(struct s_job *j)
{
    struct tw_facts *f = j->ctx->facts;

    switch (j->kind) {
    case J_STATUS:
        return &f->trails[j->index].status_read;
    case J_SELECTORS:
        return &f->trails[j->index].selectors_read;
    case J_FILTERS:
        return &f->trails[j->index].filters_read;
    case J_ALARMS_FOR_METRIC:
        return &f->alarm_lookups[j->index].read;
    case J_ALARMS:
        return &f->region_alarms[j->index].read;
    case J_SUBSCRIPTIONS:
        break;
    }
    return &f->topics[j->index].read;
}

/* (Re)builds the request body, for the first page or the next. */
static int s_build(struct s_job *j, const char *next_token)
{
    struct tw_facts *f = j->ctx->facts;
    struct tw_buf *b = &j->call.body;
    struct tw_err *e = &j->parse_err;

    tw_buf_reset(b);
    switch (j->kind) {
    case J_STATUS:
        j->call.target = TW_TARGET_GET_TRAIL_STATUS;
        return tw_proto_get_trail_status_request(b, f->trails[j->index].arn, e);
    case J_SELECTORS:
        j->call.target = TW_TARGET_GET_EVENT_SELECTORS;
        return tw_proto_get_event_selectors_request(b, f->trails[j->index].arn, e);
    case J_FILTERS:
        j->call.target = TW_TARGET_DESCRIBE_METRIC_FILTERS;
        return tw_proto_describe_metric_filters_request(b, j->param, next_token, e);
    case J_ALARMS_FOR_METRIC: {
        const struct tw_alarm_lookup *l = &f->alarm_lookups[j->index];
        return tw_proto_describe_alarms_for_metric_request(b, l->metric_name, l->metric_namespace,
                                                           l->dimensions, l->n_dimensions, e);
    }
    case J_ALARMS:
        return tw_proto_describe_alarms_request(b, next_token, e);
    case J_SUBSCRIPTIONS:
        break;
    }
    return tw_proto_list_subscriptions_by_topic_request(b, j->param, next_token, e);
}

/* Parses one page into the snapshot; returns 1 to ask for the next page. */
static int s_on_done(struct tw_aws_call *call)
{
    struct s_job *j = call->user;
    struct tw_facts *f = j->ctx->facts;
    struct tw_span body = tw_buf_span(&call->response);
    char *next = NULL;
    int rc = TW_OK, again = 0;

    if (call->rc != TW_OK)
        return 0;
    switch (j->kind) {
    case J_STATUS:
        rc = tw_proto_parse_get_trail_status(&f->trails[j->index], body, &j->parse_err);
        break;
    case J_SELECTORS:
        rc = tw_proto_parse_get_event_selectors(&f->trails[j->index], body, &j->parse_err);
        break;
    case J_FILTERS: {
        struct tw_trail *t = &f->trails[j->index];
        rc = tw_proto_parse_describe_metric_filters(&t->filters, &t->n_filters, &next, body,
                                                    &j->parse_err);
        break;
    }
    case J_ALARMS_FOR_METRIC: {
        struct tw_alarm_lookup *l = &f->alarm_lookups[j->index];
        rc = tw_proto_parse_describe_alarms_for_metric(&l->alarms, &l->n_alarms, body,
                                                       &j->parse_err);
        break;
    }
    case J_ALARMS: {
        struct tw_region_alarms *r = &f->region_alarms[j->index];
        rc = tw_proto_parse_describe_alarms(&r->alarms, &r->n_alarms, &next, body, &j->parse_err);
        break;
    }
    case J_SUBSCRIPTIONS: {
        struct tw_topic *t = &f->topics[j->index];
        rc = tw_proto_parse_list_subscriptions_by_topic(&t->subscriptions, &t->n_subscriptions,
                                                        &next, body, &j->parse_err);
        break;
    }
    }
    if (rc != TW_OK) {
        j->parse_rc = rc;
    } else if (next) {
        if (call->pages >= TW_COLLECT_MAX_PAGES) {
            tw_err_set(&j->parse_err, "more than %d pages", TW_COLLECT_MAX_PAGES);
            j->parse_rc = TW_ETOOBIG;
        } else if ((rc = s_build(j, next)) != TW_OK) {
            j->parse_rc = rc;
        } else {
            again = 1;
        }
    }
    if (j->parse_rc == TW_OK && !again)
        tw_read_set(s_read_of(j), TW_READ_OK, s_actions[j->kind], NULL, NULL);
    free(next);
    return again;
}

static void s_job_init(struct s_job *j, struct s_ctx *ctx, enum s_kind kind, size_t index,
                       enum tw_service svc, const char *region, const char *operation)
{
    memset(j, 0, sizeof(*j));
    tw_aws_call_init(&j->call, svc, region, operation);
    j->call.creds = ctx->creds;
    j->call.on_done = s_on_done;
    j->call.user = j;
    j->ctx = ctx;
    j->kind = kind;
    j->index = index;
}

static void s_jobs_free(struct s_job *jobs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        tw_aws_call_cleanup(&jobs[i].call);
        free(jobs[i].param);
    }
    free(jobs);
}

/* A reply that could not be read names the call it answered. */
static void s_parse_failure(struct tw_err *err, const struct tw_aws_call *call,
                            const struct tw_err *parse_err)
{
    *err = *parse_err;
    tw_strlcpy(err->service, tw_endpoint_service_info(call->service)->signing_name,
               sizeof(err->service));
    tw_strlcpy(err->operation, call->operation, sizeof(err->operation));
    tw_strlcpy(err->request_id, call->err.request_id, sizeof(err->request_id));
    err->http_status = call->err.http_status;
    err->transient = 0;
    tw_err_prefix(err, "in %s", call->region);
}

/* Runs a stage. Permanent AWS errors become read states; anything else
 * (transient, a malformed answer) fails the collection. */
static int s_run_stage(struct s_ctx *ctx, struct s_job *jobs, size_t n, struct tw_err *err)
{
    struct tw_aws_call **calls;
    int rc = TW_OK;

    if (n == 0)
        return TW_OK;
    calls = calloc(n, sizeof(*calls));
    if (!calls) {
        tw_err_set(err, "out of memory");
        return TW_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        if ((rc = s_build(&jobs[i], NULL)) != TW_OK) {
            *err = jobs[i].parse_err;
            goto out;
        }
        calls[i] = &jobs[i].call;
    }
    if ((rc = tw_aws_run(ctx->aws, calls, n, err)) != TW_OK)
        goto out;
    for (size_t i = 0; i < n; i++) {
        struct s_job *j = &jobs[i];
        if (j->call.rc == TW_ETOOBIG) {
            /* Over the cap: not an answer AWS would send, and no verdict. */
            s_parse_failure(err, &j->call, &j->call.err);
            rc = TW_EPARSE;
            goto out;
        } else if (j->call.rc != TW_OK) {
            if (tw_aws_failure_is_transient(&j->call)) {
                *err = j->call.err;
                err->transient = 1;
                rc = j->call.rc;
                goto out;
            }
            tw_read_set(s_read_of(j),
                        tw_aws_error_is_access_denied(j->call.err.aws_code) ? TW_READ_DENIED
                        : tw_aws_error_is_not_found(j->call.err.aws_code)   ? TW_READ_NOT_FOUND
                                                                            : TW_READ_FAILED,
                        s_actions[j->kind], j->call.err.aws_code, j->call.err.msg);
        } else if (j->parse_rc != TW_OK) {
            s_parse_failure(err, &j->call, &j->parse_err);
            rc = j->parse_rc == TW_ENOMEM ? TW_ENOMEM : TW_EPARSE;
            goto out;
        }
    }
out:
    free(calls);
    return rc;
}

/* ---- stage 1 ----------------------------------------------------------------------- */

static int s_trails(struct s_ctx *ctx, const char *region, struct tw_err *err)
{
    struct tw_facts *f = ctx->facts;
    struct tw_aws_call call;
    struct tw_trail *trails = NULL;
    size_t n = 0, kept = 0;
    int rc;

    tw_aws_call_init(&call, TW_SVC_CLOUDTRAIL, region, "DescribeTrails");
    call.target = TW_TARGET_DESCRIBE_TRAILS;
    call.creds = ctx->creds;
    rc = tw_proto_describe_trails_request(&call.body, NULL, 0, 1, err);
    if (rc == TW_OK)
        rc = tw_aws_run1(ctx->aws, &call, err);
    if (rc != TW_OK && rc != TW_EAWS)
        goto out;
    if (rc == TW_EAWS) {
        if (tw_aws_failure_is_transient(&call)) {
            err->transient = 1;
            goto out;
        }
        tw_read_set(&f->trails_read,
                    tw_aws_error_is_access_denied(call.err.aws_code) ? TW_READ_DENIED
                                                                     : TW_READ_FAILED,
                    "cloudtrail:DescribeTrails", call.err.aws_code, call.err.msg);
        rc = TW_OK;
        goto out;
    }
    rc = tw_proto_parse_describe_trails(&trails, &n, tw_buf_span(&call.response), err);
    if (rc != TW_OK) {
        struct tw_err parse_err = *err;
        s_parse_failure(err, &call, &parse_err);
        goto out;
    }
    /* A multi-region trail is listed once per region it shadows into; with
     * includeShadowTrails the same ARN can only repeat, so keep the first. */
    for (size_t i = 0; i < n; i++) {
        int dup = 0;
        for (size_t k = 0; k < kept && !dup; k++)
            dup = strcmp(trails[k].arn, trails[i].arn) == 0;
        if (dup || kept >= TW_COLLECT_MAX_TRAILS) {
            tw_trail_cleanup(&trails[i]);
            continue;
        }
        if (kept != i) {
            trails[kept] = trails[i];
            memset(&trails[i], 0, sizeof(trails[i]));
        }
        kept++;
    }
    f->trails = trails;
    f->n_trails = kept;
    trails = NULL;
    tw_read_set(&f->trails_read, TW_READ_OK, "cloudtrail:DescribeTrails", NULL, NULL);
out:
    tw_proto_trails_free(trails, n);
    tw_aws_call_cleanup(&call);
    return rc;
}

/* ---- stage 2 ----------------------------------------------------------------------- */

/* "arn:aws:logs:us-east-1:111111111111:log-group:cloudtrail/main:*" gives
 * region, account and "cloudtrail/main". */
static int s_log_group(char **name, struct tw_arn *arn, const char *log_group_arn)
{
    struct tw_span type, id;
    size_t len;

    *name = NULL;
    if (tw_arn_parse(arn, tw_span_cstr(log_group_arn), NULL) != TW_OK ||
        !tw_span_eq_cstr(arn->service, "logs") || arn->region.len == 0 ||
        arn->region.len >= TW_REGION_MAX)
        return TW_EPARSE;
    tw_arn_resource_split(&type, &id, arn->resource);
    if (!tw_span_eq_cstr(type, "log-group") || id.len == 0)
        return TW_EPARSE;
    len = id.len;
    if (len >= 2 && id.ptr[len - 2] == ':' && id.ptr[len - 1] == '*')
        len -= 2;
    if (len == 0)
        return TW_EPARSE;
    *name = strndup(id.ptr, len);
    return *name ? TW_OK : TW_ENOMEM;
}

static int s_trail_details(struct s_ctx *ctx, struct tw_err *err)
{
    struct tw_facts *f = ctx->facts;
    struct s_job *jobs = calloc(f->n_trails * 3 + 1, sizeof(*jobs));
    size_t n = 0;
    int rc = TW_OK;

    if (!jobs) {
        tw_err_set(err, "out of memory");
        return TW_ENOMEM;
    }
    for (size_t i = 0; i < f->n_trails; i++) {
        struct tw_trail *t = &f->trails[i];
        const char *home = t->home_region ? t->home_region : f->region;
        struct tw_arn arn;
        char *group = NULL, region[TW_REGION_MAX];

        s_job_init(&jobs[n++], ctx, J_STATUS, i, TW_SVC_CLOUDTRAIL, home, "GetTrailStatus");
        s_job_init(&jobs[n++], ctx, J_SELECTORS, i, TW_SVC_CLOUDTRAIL, home, "GetEventSelectors");
        if (!t->log_group_arn)
            continue;
        rc = s_log_group(&group, &arn, t->log_group_arn);
        if (rc == TW_ENOMEM)
            goto out;
        if (rc != TW_OK) {
            tw_read_set(&t->filters_read, TW_READ_FAILED, "logs:DescribeMetricFilters",
                        "InvalidArn", "CloudWatchLogsLogGroupArn is not a log-group ARN");
            rc = TW_OK;
            continue;
        }
        if (!f->account_id || !tw_span_eq_cstr(arn.account, f->account_id)) {
            char why[160];
            snprintf(why, sizeof(why), "the log group belongs to account %.*s",
                     (int)arn.account.len, arn.account.ptr);
            tw_read_set(&t->filters_read, TW_READ_NOT_ATTEMPTED, "logs:DescribeMetricFilters",
                        NULL, why);
            free(group);
            continue;
        }
        snprintf(region, sizeof(region), "%.*s", (int)arn.region.len, arn.region.ptr);
        s_job_init(&jobs[n], ctx, J_FILTERS, i, TW_SVC_LOGS, region, "DescribeMetricFilters");
        jobs[n++].param = group;
    }
    rc = s_run_stage(ctx, jobs, n, err);
out:
    s_jobs_free(jobs, n);
    return rc;
}

/* ---- stage 3 ----------------------------------------------------------------------- */

static int s_log_group_region(char region[TW_REGION_MAX], const struct tw_trail *t)
{
    struct tw_arn arn;

    if (!t->log_group_arn || tw_arn_parse(&arn, tw_span_cstr(t->log_group_arn), NULL) != TW_OK ||
        arn.region.len == 0 || arn.region.len >= TW_REGION_MAX)
        return 0;
    snprintf(region, TW_REGION_MAX, "%.*s", (int)arn.region.len, arn.region.ptr);
    return 1;
}

static int s_alarm_lookups(struct s_ctx *ctx, struct tw_err *err)
{
    struct tw_facts *f = ctx->facts;
    size_t cap = 0;
    struct s_job *jobs = NULL;
    int rc = TW_OK;

    for (size_t i = 0; i < f->n_trails; i++)
        cap += f->trails[i].n_filters;
    if (cap == 0)
        return TW_OK;
    f->alarm_lookups = calloc(cap, sizeof(*f->alarm_lookups));
    jobs = calloc(cap, sizeof(*jobs));
    if (!f->alarm_lookups || !jobs) {
        free(jobs);
        tw_err_set(err, "out of memory");
        return TW_ENOMEM;
    }
    for (size_t i = 0; i < f->n_trails; i++) {
        const struct tw_trail *t = &f->trails[i];
        char region[TW_REGION_MAX];

        /* The judge reads no further than a trail that fails link 1. */
        if (t->filters_read.state != TW_READ_OK || !s_log_group_region(region, t) ||
            !tw_judge_trail_qualifies(t))
            continue;
        for (size_t k = 0; k < t->n_filters; k++) {
            const struct tw_metric_filter *mf = &t->filters[k];
            struct tw_alarm_lookup *l;

            if (!tw_judge_filter_qualifies(mf, ctx->params) ||
                tw_facts_find_alarm_lookup(f, region, mf->metric_name, mf->metric_namespace))
                continue;
            l = &f->alarm_lookups[f->n_alarm_lookups];
            l->region = tw_strdup(region);
            l->metric_name = tw_strdup(mf->metric_name);
            l->metric_namespace = tw_strdup(mf->metric_namespace);
            f->n_alarm_lookups++;
            if (!l->region || !l->metric_name || !l->metric_namespace) {
                rc = TW_ENOMEM;
                tw_err_set(err, "out of memory");
                goto out;
            }
            s_job_init(&jobs[f->n_alarm_lookups - 1], ctx, J_ALARMS_FOR_METRIC,
                       f->n_alarm_lookups - 1, TW_SVC_CLOUDWATCH, region,
                       "DescribeAlarmsForMetric");
        }
    }
    rc = s_run_stage(ctx, jobs, f->n_alarm_lookups, err);
out:
    s_jobs_free(jobs, f->n_alarm_lookups);
    return rc;
}

static int s_alarm_can_notify(const struct tw_alarm *a)
{
    if (!a->actions_enabled)
        return 0;
    for (size_t i = 0; i < a->n_alarm_actions; i++) {
        if (strncmp(a->alarm_actions[i], "arn:", 4) == 0 && strstr(a->alarm_actions[i], ":sns:"))
            return 1;
    }
    return 0;
}

/* Metric-math alarms are invisible to DescribeAlarmsForMetric: list the
 * region's alarms (all pages). With `all` == 0 only where no plain alarm
 * could notify anyone (the common broken case costs no extra round trip);
 * with `all` == 1 in every region not listed yet — the second pass, taken
 * only when the chain is not proven without them. */
static int s_math_alarms(struct s_ctx *ctx, int all, struct tw_err *err)
{
    struct tw_facts *f = ctx->facts;
    struct s_job *jobs;
    size_t n = 0;
    int rc;

    if (f->n_alarm_lookups == 0)
        return TW_OK;
    if (!f->region_alarms)
        f->region_alarms = calloc(f->n_alarm_lookups, sizeof(*f->region_alarms));
    jobs = calloc(f->n_alarm_lookups, sizeof(*jobs));
    if (!f->region_alarms || !jobs) {
        free(jobs);
        tw_err_set(err, "out of memory");
        return TW_ENOMEM;
    }
    for (size_t i = 0; i < f->n_alarm_lookups; i++) {
        const char *region = f->alarm_lookups[i].region;
        int needed = 1;

        if (tw_facts_find_region_alarms(f, region))
            continue;
        for (size_t k = 0; k < f->n_alarm_lookups && needed && !all; k++) {
            const struct tw_alarm_lookup *l = &f->alarm_lookups[k];
            if (strcmp(l->region, region) != 0 || l->read.state != TW_READ_OK)
                continue;
            for (size_t a = 0; a < l->n_alarms && needed; a++)
                needed = !s_alarm_can_notify(&l->alarms[a]);
        }
        if (!needed)
            continue;
        f->region_alarms[f->n_region_alarms].region = tw_strdup(region);
        if (!f->region_alarms[f->n_region_alarms].region) {
            s_jobs_free(jobs, n);
            tw_err_set(err, "out of memory");
            return TW_ENOMEM;
        }
        s_job_init(&jobs[n++], ctx, J_ALARMS, f->n_region_alarms, TW_SVC_CLOUDWATCH, region,
                   "DescribeAlarms");
        f->n_region_alarms++;
    }
    rc = s_run_stage(ctx, jobs, n, err);
    s_jobs_free(jobs, n);
    return rc;
}

/* ---- stage 4 ----------------------------------------------------------------------- */

static int s_add_topics_of(struct tw_facts *f, const struct tw_alarm *a)
{
    if (!s_alarm_can_notify(a))
        return TW_OK;
    for (size_t i = 0; i < a->n_alarm_actions; i++) {
        const char *arn = a->alarm_actions[i];
        struct tw_arn parsed;

        if (tw_arn_parse(&parsed, tw_span_cstr(arn), NULL) != TW_OK ||
            !tw_span_eq_cstr(parsed.service, "sns") || tw_facts_find_topic(f, arn) ||
            f->n_topics >= TW_COLLECT_MAX_TOPICS)
            continue;
        f->topics[f->n_topics].arn = tw_strdup(arn);
        if (!f->topics[f->n_topics].arn)
            return TW_ENOMEM;
        f->n_topics++;
    }
    return TW_OK;
}

/* Reads the subscriptions of every topic the snapshot's alarms notify that
 * has not been read yet. */
static int s_subscriptions(struct s_ctx *ctx, struct tw_err *err)
{
    struct tw_facts *f = ctx->facts;
    struct s_job *jobs = NULL;
    size_t n = 0;
    int rc = TW_OK;

    if (!f->topics)
        f->topics = calloc(TW_COLLECT_MAX_TOPICS, sizeof(*f->topics));
    if (!f->topics) {
        tw_err_set(err, "out of memory");
        return TW_ENOMEM;
    }
    for (size_t i = 0; i < f->n_alarm_lookups && rc == TW_OK; i++) {
        for (size_t a = 0; a < f->alarm_lookups[i].n_alarms && rc == TW_OK; a++)
            rc = s_add_topics_of(f, &f->alarm_lookups[i].alarms[a]);
    }
    for (size_t i = 0; i < f->n_region_alarms && rc == TW_OK; i++) {
        for (size_t a = 0; a < f->region_alarms[i].n_alarms && rc == TW_OK; a++)
            rc = s_add_topics_of(f, &f->region_alarms[i].alarms[a]);
    }
    if (rc == TW_OK && f->n_topics > 0 && !(jobs = calloc(f->n_topics, sizeof(*jobs))))
        rc = TW_ENOMEM;
    if (rc != TW_OK) {
        tw_err_set(err, "out of memory");
        return rc;
    }
    for (size_t i = 0; i < f->n_topics; i++) {
        struct tw_arn arn;
        char region[TW_REGION_MAX];

        if (f->topics[i].read.state != TW_READ_NOT_ATTEMPTED)
            continue; /* read in an earlier pass */
        /* s_add_topics_of kept only ARNs that parse. */
        tw_arn_parse(&arn, tw_span_cstr(f->topics[i].arn), NULL);
        snprintf(region, sizeof(region), "%.*s",
                 (int)(arn.region.len < TW_REGION_MAX ? arn.region.len : TW_REGION_MAX - 1),
                 arn.region.ptr);
        s_job_init(&jobs[n], ctx, J_SUBSCRIPTIONS, i, TW_SVC_SNS, region,
                   "ListSubscriptionsByTopic");
        jobs[n].param = tw_strdup(f->topics[i].arn);
        if (!jobs[n++].param) {
            rc = TW_ENOMEM;
            tw_err_set(err, "out of memory");
            goto out;
        }
    }
    rc = s_run_stage(ctx, jobs, n, err);
out:
    s_jobs_free(jobs, n);
    return rc;
}

/* Whether the snapshot so far already proves the chain. The judge is pure,
 * so asking it costs microseconds and no request. */
static int s_proven(const struct s_ctx *ctx)
{
    struct tw_verdict v;

    return tw_judge_account(&v, ctx->facts, ctx->params, NULL) == TW_OK &&
           v.compliance == TW_COMPLIANT;
}

int tw_collect_account(struct tw_facts *out, struct tw_aws *aws, const struct tw_creds *creds,
                       const char *region, const char *account_id,
                       const struct tw_params *params, struct tw_err *err)
{
    struct s_ctx ctx = { out, aws, creds, params };
    const char *partition = tw_endpoint_partition(region);
    int rc = TW_ENOMEM;

    memset(out, 0, sizeof(*out));
    out->account_id = tw_strdup(account_id);
    out->region = tw_strdup(region);
    out->partition = tw_strdup(partition ? partition : "aws");
    if (!out->account_id || !out->region || !out->partition) {
        tw_err_set(err, "out of memory");
        goto out;
    }
    if ((rc = s_trails(&ctx, region, err)) != TW_OK ||
        (rc = s_trail_details(&ctx, err)) != TW_OK ||
        (rc = s_alarm_lookups(&ctx, err)) != TW_OK ||
        (rc = s_math_alarms(&ctx, 0, err)) != TW_OK ||
        (rc = s_subscriptions(&ctx, err)) != TW_OK)
        goto out;
    /* A plain alarm that can notify saved the DescribeAlarms pages above; if
     * the chain is still not proven, a metric-math alarm may carry it. */
    if (!s_proven(&ctx) && ((rc = s_math_alarms(&ctx, 1, err)) != TW_OK ||
                            (rc = s_subscriptions(&ctx, err)) != TW_OK))
        goto out;
    tw_log_kv(TW_LOG_DEBUG, "collected", "region", region, NULL);
out:
    if (rc != TW_OK)
        tw_facts_cleanup(out);
    return rc;
}
