/* judge.c — "CloudTrail configuration changes are monitored", decided from a
 * snapshot. Pure: no I/O, no clock, no environment. It allocates only through
 * the filter engine and to read the eventName out of a counterexample.
 *
 * THE CHAIN. For each trail (deduplicated by ARN: a multi-region trail is
 * listed once per region as a shadow) four links must hold; the account is
 * COMPLIANT when one trail proves all four, trying every qualifying filter x
 * qualifying alarm x SNS topic of that alarm.
 *
 * 1. Trail, in this order:
 *    - GetTrailStatus read, IsLogging;
 *    - IsMultiRegionTrail;
 *    - GetEventSelectors read, and the selectors record every management
 *      event, read and write, including the five trail-change events.
 *      Selectors of either kind are OR-ed by CloudTrail (an event is logged
 *      when any selector takes it), so each requirement may be met by a
 *      different selector:
 *      Basic: the five events (write events from cloudtrail.amazonaws.com)
 *        need a selector with IncludeManagementEvents and ReadWriteType All
 *        or WriteOnly that does not list cloudtrail.amazonaws.com in
 *        ExcludeManagementEventSources; read events need one with
 *        IncludeManagementEvents and ReadWriteType All or ReadOnly. (One
 *        selector "All" meets both; "ReadOnly" + "WriteOnly" together do too.)
 *      Advanced: only selectors whose eventCategory field selects
 *        "Management" count (a selector without eventCategory is invalid and
 *        counts for nothing). Each field selector is evaluated as the
 *        CloudTrail User Guide, "How CloudTrail evaluates multiple conditions
 *        for a field", says: the SELECT operators (Equals, StartsWith,
 *        EndsWith) are OR-ed, none at all selects everything; the DESELECT
 *        operators (NotEquals, NotStartsWith, NotEndsWith) drop the event if
 *        any one matches; the two groups are AND-ed; all field selectors of
 *        one advanced selector are AND-ed. Comparisons are exact and
 *        case-sensitive. Each of the five events is the record
 *          eventCategory=Management eventSource=cloudtrail.amazonaws.com
 *          eventName=<name> eventType=AwsApiCall readOnly=false
 *        and must be taken by some such selector. A condition on any other
 *        field (userIdentity.arn, sessionCredentialFromConsole, errorCode,
 *        resources.*, ...) depends on who calls or on what, so it makes the
 *        selector "not proven" for the event (unless the same selector
 *        certainly excludes it anyway). Read events: some selector's
 *        eventCategory and readOnly fields must take readOnly=true (CIS wants
 *        read and write: a selector without a readOnly field takes both; the
 *        brief's "no readOnly field" generalised to the OR of selectors).
 *        Other fields are not examined for read events: the check is about
 *        the five write events; this only refuses write-only trails.
 *    - CloudWatchLogsLogGroupArn set and a valid logs ARN with a region.
 *    LatestCloudWatchLogsDeliveryError is a warning in the link's detail
 *    (and the COMPLIANT annotation), not a failure.
 *    A read that is DENIED / NOT_FOUND / FAILED / NOT_ATTEMPTED breaks the
 *    link naming the IAM action: "trail main: cloudtrail:GetEventSelectors
 *    denied (AccessDeniedException)".
 * 2. Filter, on the trail's log group: DescribeMetricFilters read. A filter
 *    qualifies when its pattern parses and tw_filter_covers_trail_changes
 *    proves it catches all five events (with Strict: tw_filter_is_cis_exact
 *    instead), it has a metric name and namespace, and its transformation
 *    emits no dimensions (each dimension value is a metric of its own, so no
 *    single dimensionless alarm sees all five events). With none, the reason
 *    comes from the filter that got closest, in this order: emits dimensions,
 *    not the exact CIS text (Strict), not proven (the engine approximated),
 *    misses an event (with the engine's verified counterexample), does not
 *    parse, has no metric; ties go to the first filter.
 * 3. Alarm, in the LOG GROUP's region (from its ARN, not the trail's home
 *    region), on the filter's metric:
 *    - single-metric alarms from the DescribeAlarmsForMetric lookup with the
 *      same MetricName and Namespace and no dimensions;
 *    - metric-math alarms from DescribeAlarms of that region whose Metrics[]
 *      hold a MetricStat on that namespace and name without dimensions.
 *      Their expression and threshold are NOT analysed: the MetricStat alone
 *      qualifies them (documented weakness: "m1 * 0 > 1" would pass).
 *    An alarm qualifies when ActionsEnabled, AlarmActions hold an SNS topic
 *    ARN (arn:<partition>:sns:<region>:<12 digits>:<name>), and, for
 *    single-metric alarms, one matching event fires it: the operator is
 *    GreaterThanOrEqualToThreshold (d >= threshold) or GreaterThanThreshold
 *    (d > threshold), where d = 1 for SampleCount and otherwise the filter's
 *    metricValue when it is a numeric constant (one event in a period gives
 *    that value for Sum, Average, Minimum, Maximum and percentiles); and
 *    DatapointsToAlarm (default EvaluationPeriods, default 1) <= 1. Other
 *    operators, a missing threshold (anomaly bands) or a "$.field" metric
 *    value are "not proven". Reasons are ranked by how far an alarm got:
 *    wrong dimensions < actions disabled < no SNS action < does not fire; a
 *    failed lookup read outranks them all (single-metric alarms unseen).
 * 4. Topic: every SNS ARN of a qualifying alarm, in order. The
 *    ListSubscriptionsByTopic read must be OK, and at least one subscription
 *    must have a real subscription ARN: one that parses as an sns ARN
 *    ("PendingConfirmation", "Deleted", NULL or "" do not). The first
 *    topic's failure is reported.
 *
 * VERDICTS.
 *   COMPLIANT: some trail proves the chain (even another account's
 *     organization trail: the evidence is the evidence). Annotation:
 *     "trail main -> filter cis-ct -> alarm a -> topic alerts (1 confirmed
 *     subscriber)"; ExternalMonitoring does not change it.
 *   NOT_APPLICABLE, chain not proven, first match wins:
 *     (b) ExternalMonitoring set: "monitored by <text> (declared by
 *         ExternalMonitoring); CloudWatch chain: <first broken link>";
 *     (a) an organization trail owned by another account exists:
 *         "organization trail T is owned by account N: the check belongs there".
 *   NON_COMPLIANT otherwise: the trail that proved the most links (ties: the
 *     first) and its first broken link: "trail main: filter f misses ...";
 *     "no CloudTrail trail in this account"; a failed DescribeTrails read
 *     names cloudtrail:DescribeTrails.
 * `reason` holds the full text (<= 1023 bytes), the annotation the same cut
 * to 256 bytes at a UTF-8 boundary with "..." appended; links[] hold the
 * chosen trail's evidence. Errors (not verdicts): TW_ENOMEM, and TW_ERR when
 * the filter engine's self-check fails. */
#include "judge.h"

#include "arn.h"
#include "filter.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_CT_SOURCE "cloudtrail.amazonaws.com"

static const char *const s_events[] = { "CreateTrail", "UpdateTrail", "DeleteTrail",
                                        "StartLogging", "StopLogging" };

/* ---- text ------------------------------------------------------------------ */

/* Ends `s` after at most max - 3 bytes, at a UTF-8 boundary, with "...";
 * `s` must hold at least max - 3 bytes and max must be >= 3. */
static void s_mark_cut(char *s, size_t max)
{
    size_t n = max - 3;

    while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
        n--;
    memcpy(s + n, "...", 4);
}

static void s_vappend(char *dst, size_t size, const char *fmt, va_list ap) TW_PRINTF(3, 0);

/* Appends formatted text; on overflow cuts at a UTF-8 boundary with "...". */
static void s_vappend(char *dst, size_t size, const char *fmt, va_list ap)
{
    size_t used = strlen(dst);
    int n;

    if (used + 1 >= size)
        return;
    n = vsnprintf(dst + used, size - used, fmt, ap);
    if (n >= 0 && (size_t)n >= size - used) {
        /* vsnprintf stopped mid-text, maybe mid-character: mark it. */
        s_mark_cut(dst, size - 1);
    }
}

static void s_append(char *dst, size_t size, const char *fmt, ...) TW_PRINTF(3, 4);
static void s_append(char *dst, size_t size, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    s_vappend(dst, size, fmt, ap);
    va_end(ap);
}

static void s_set(char *dst, size_t size, const char *fmt, ...) TW_PRINTF(3, 4);
static void s_set(char *dst, size_t size, const char *fmt, ...)
{
    va_list ap;

    dst[0] = '\0';
    va_start(ap, fmt);
    s_vappend(dst, size, fmt, ap);
    va_end(ap);
}

static const char *s_or(const char *s, const char *dflt)
{
    return s && s[0] ? s : dflt;
}

static int s_eq(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

/* "<action>[ <what>] denied (Code): message" for a read that is not OK. */
static void s_read_text(char *dst, size_t size, const struct tw_read *r, const char *action,
                        const char *what)
{
    const char *verb = "failed";

    switch (r->state) {
    case TW_READ_DENIED:
        verb = "denied";
        break;
    case TW_READ_NOT_FOUND:
        verb = "found nothing";
        break;
    case TW_READ_NOT_ATTEMPTED:
        verb = "was not attempted";
        break;
    case TW_READ_FAILED:
    case TW_READ_OK:
        break;
    }
    s_append(dst, size, "%s%s%s %s", s_or(r->action, action), what ? " " : "", what ? what : "",
             verb);
    if (r->code[0])
        s_append(dst, size, " (%s)", r->code);
    if (r->message[0])
        s_append(dst, size, ": %s", r->message);
}

/* ---- the chain of one trail -------------------------------------------------- */

struct s_chain {
    int depth; /* links proven, 0-4 */
    struct tw_link links[TW_LINK_COUNT];
    size_t confirmed; /* subscribers of the proving topic */
    char warning[256];
};

struct s_loggroup {
    char region[64];
    char name[512]; /* "cloudtrail/main", without the ARN's ":*" */
};

static void s_broken(struct s_chain *ch, enum tw_link_kind k, const char *name)
{
    ch->links[k].state = TW_LINK_BROKEN;
    if (name)
        s_set(ch->links[k].name, sizeof(ch->links[k].name), "%s", name);
}

static void s_proven(struct s_chain *ch, enum tw_link_kind k, const char *name)
{
    ch->links[k].state = TW_LINK_PROVEN;
    s_set(ch->links[k].name, sizeof(ch->links[k].name), "%s", name ? name : "");
    ch->depth++;
}

/* ---- link 1: the trail --------------------------------------------------------- */

/* 1 if `v` is taken by one field selector (User Guide semantics, see top);
 * else 0 with `why` saying which operator refused it. */
static int s_field_takes(const struct tw_field_selector *fs, const char *v, char *why, size_t n)
{
    int selected = fs->n_equals + fs->n_starts_with + fs->n_ends_with == 0;
    size_t vl = strlen(v);

    for (size_t i = 0; !selected && i < fs->n_equals; i++)
        selected = s_eq(fs->equals[i], v);
    for (size_t i = 0; !selected && i < fs->n_starts_with; i++)
        selected = fs->starts_with[i] && strncmp(v, fs->starts_with[i], strlen(fs->starts_with[i])) == 0;
    for (size_t i = 0; !selected && i < fs->n_ends_with; i++) {
        size_t sl = fs->ends_with[i] ? strlen(fs->ends_with[i]) : 0;
        selected = fs->ends_with[i] && sl <= vl && memcmp(v + vl - sl, fs->ends_with[i], sl) == 0;
    }
    if (!selected) {
        s_set(why, n, "%s does not select \"%s\"", s_or(fs->field, "?"), v);
        return 0;
    }
    for (size_t i = 0; i < fs->n_not_equals; i++) {
        if (s_eq(fs->not_equals[i], v)) {
            s_set(why, n, "%s NotEquals \"%s\"", s_or(fs->field, "?"), v);
            return 0;
        }
    }
    for (size_t i = 0; i < fs->n_not_starts_with; i++) {
        const char *p = fs->not_starts_with[i];
        if (p && strncmp(v, p, strlen(p)) == 0) {
            s_set(why, n, "%s NotStartsWith \"%s\"", s_or(fs->field, "?"), p);
            return 0;
        }
    }
    for (size_t i = 0; i < fs->n_not_ends_with; i++) {
        const char *p = fs->not_ends_with[i];
        size_t sl = p ? strlen(p) : 0;
        if (p && sl <= vl && memcmp(v + vl - sl, p, sl) == 0) {
            s_set(why, n, "%s NotEndsWith \"%s\"", s_or(fs->field, "?"), p);
            return 0;
        }
    }
    return 1;
}

static int s_field_empty(const struct tw_field_selector *fs)
{
    return fs->n_equals + fs->n_starts_with + fs->n_ends_with + fs->n_not_equals +
               fs->n_not_starts_with + fs->n_not_ends_with == 0;
}

enum s_take { S_TAKES, S_EXCLUDES, S_UNKNOWN };

/* A CloudTrail record as far as advanced selectors can see it. NULL
 * event_name: a read event (only eventCategory and readOnly examined). */
struct s_probe {
    const char *event_name;
    const char *read_only;
};

static const struct tw_field_selector *s_find_field(const struct tw_advanced_selector *sel,
                                                    const char *field)
{
    for (size_t i = 0; i < sel->n_fields; i++)
        if (s_eq(sel->fields[i].field, field))
            return &sel->fields[i];
    return NULL;
}

/* 1 if the selector's (required) eventCategory field selects management events. */
static int s_selector_is_mgmt(const struct tw_advanced_selector *sel)
{
    const struct tw_field_selector *fs = s_find_field(sel, "eventCategory");
    char why[8];

    return fs && s_field_takes(fs, "Management", why, sizeof(why));
}

static enum s_take s_selector_takes(const struct tw_advanced_selector *sel,
                                    const struct s_probe *p, char *why, size_t n)
{
    enum s_take res = S_TAKES;
    char unknown[256] = "";

    for (size_t i = 0; i < sel->n_fields; i++) {
        const struct tw_field_selector *fs = &sel->fields[i];
        const char *f = fs->field ? fs->field : "";
        const char *v = NULL;

        if (strcmp(f, "eventCategory") == 0)
            v = "Management";
        else if (strcmp(f, "readOnly") == 0)
            v = p->read_only;
        else if (!p->event_name)
            continue; /* read probe: only category and readOnly */
        else if (strcmp(f, "eventSource") == 0)
            v = S_CT_SOURCE;
        else if (strcmp(f, "eventName") == 0)
            v = p->event_name;
        else if (strcmp(f, "eventType") == 0)
            v = "AwsApiCall";
        if (!v) {
            /* A free field: any condition on it depends on the caller. */
            if (!s_field_empty(fs) && res == S_TAKES) {
                res = S_UNKNOWN;
                s_set(unknown, sizeof(unknown),
                      "a condition on %s, which depends on the caller or the resource",
                      f[0] ? f : "(unnamed field)");
            }
            continue;
        }
        if (!s_field_takes(fs, v, why, n))
            return S_EXCLUDES; /* certain, whatever the free fields say */
    }
    if (res == S_UNKNOWN)
        s_set(why, n, "%s", unknown);
    return res;
}

static void s_selector_label(char *dst, size_t n, const struct tw_advanced_selector *sel, size_t i)
{
    if (sel->name && sel->name[0])
        s_set(dst, n, "advanced selector \"%s\"", sel->name);
    else
        s_set(dst, n, "advanced selector #%zu", i + 1);
}

/* 1 if advanced selectors record the five events and read events; else 0
 * with the link detail set. */
static int s_check_advanced(char *detail, size_t dn, const char *tname, const struct tw_trail *t)
{
    size_t n_mgmt = 0;
    char label[300], why[300];

    for (size_t i = 0; i < t->n_advanced; i++)
        n_mgmt += (size_t)s_selector_is_mgmt(&t->advanced[i]);
    if (n_mgmt == 0) {
        s_set(detail, dn,
              "trail %s records no management events (no advanced selector has eventCategory "
              "Equals \"Management\")",
              tname);
        return 0;
    }
    for (size_t e = 0; e < TW_ARRAY_LEN(s_events); e++) {
        struct s_probe p = { s_events[e], "false" };
        int taken = 0;
        size_t first_ex = SIZE_MAX, first_unk = SIZE_MAX;
        char why_ex[300] = "", why_unk[300] = "";

        for (size_t i = 0; i < t->n_advanced && !taken; i++) {
            const struct tw_advanced_selector *sel = &t->advanced[i];
            enum s_take r;

            if (!s_selector_is_mgmt(sel))
                continue;
            r = s_selector_takes(sel, &p, why, sizeof(why));
            if (r == S_TAKES)
                taken = 1;
            else if (r == S_UNKNOWN && first_unk == SIZE_MAX) {
                first_unk = i;
                s_set(why_unk, sizeof(why_unk), "%s", why);
            } else if (r == S_EXCLUDES && first_ex == SIZE_MAX) {
                first_ex = i;
                s_set(why_ex, sizeof(why_ex), "%s", why);
            }
        }
        if (taken)
            continue;
        if (first_unk != SIZE_MAX) {
            s_selector_label(label, sizeof(label), &t->advanced[first_unk], first_unk);
            s_set(detail, dn, "trail %s is not proven to record %s events (%s: %s)", tname,
                  s_events[e], label, why_unk);
        } else {
            s_selector_label(label, sizeof(label), &t->advanced[first_ex], first_ex);
            s_set(detail, dn, "trail %s does not record %s events (%s: %s)", tname, s_events[e],
                  label, why_ex);
        }
        return 0;
    }
    {
        struct s_probe p = { NULL, "true" };
        size_t first = SIZE_MAX;
        char first_why[300] = "";

        for (size_t i = 0; i < t->n_advanced; i++) {
            if (!s_selector_is_mgmt(&t->advanced[i]))
                continue;
            if (s_selector_takes(&t->advanced[i], &p, why, sizeof(why)) == S_TAKES)
                return 1;
            if (first == SIZE_MAX) {
                first = i;
                s_set(first_why, sizeof(first_why), "%s", why);
            }
        }
        s_selector_label(label, sizeof(label), &t->advanced[first], first);
        s_set(detail, dn,
              "trail %s records no read-only management events (%s: %s); CIS wants read and "
              "write",
              tname, label, first_why);
    }
    return 0;
}

static int s_basic_excludes_ct(const struct tw_basic_selector *b)
{
    for (size_t i = 0; i < b->n_exclude_management_sources; i++)
        if (s_eq(b->exclude_management_sources[i], S_CT_SOURCE))
            return 1;
    return 0;
}

static int s_check_basic(char *detail, size_t dn, const char *tname, const struct tw_trail *t)
{
    int any_mgmt = 0, write = 0, read = 0, excluded = 0;

    for (size_t i = 0; i < t->n_basic; i++) {
        const struct tw_basic_selector *b = &t->basic[i];
        if (!b->include_management_events)
            continue;
        any_mgmt = 1;
        if (b->read_write_type != TW_RW_READ_ONLY) {
            if (s_basic_excludes_ct(b))
                excluded = 1;
            else
                write = 1;
        }
        if (b->read_write_type != TW_RW_WRITE_ONLY)
            read = 1;
    }
    if (t->n_basic == 0)
        s_set(detail, dn, "trail %s has no event selectors: it records no management events",
              tname);
    else if (!any_mgmt)
        s_set(detail, dn,
              "trail %s records no management events (IncludeManagementEvents is false)", tname);
    else if (!write && excluded)
        s_set(detail, dn,
              "trail %s does not record CloudTrail's own events (ExcludeManagementEventSources "
              "lists " S_CT_SOURCE ")",
              tname);
    else if (!write)
        s_set(detail, dn,
              "trail %s records only read-only management events (ReadWriteType ReadOnly)",
              tname);
    else if (!read)
        s_set(detail, dn,
              "trail %s records only write-only management events (ReadWriteType WriteOnly); "
              "CIS wants read and write",
              tname);
    else
        return 1;
    return 0;
}

/* Fills the trail link; 1 when proven (and *lg set). */
static int s_check_trail(struct s_chain *ch, struct s_loggroup *lg, const struct tw_trail *t)
{
    struct tw_link *l = &ch->links[TW_LINK_TRAIL];
    const char *tname = s_or(t->name, s_or(t->arn, "(unnamed)"));
    struct tw_arn arn;
    struct tw_span type, id;
    struct tw_err aerr;

    s_broken(ch, TW_LINK_TRAIL, tname);
    if (t->status_read.state != TW_READ_OK) {
        s_set(l->detail, sizeof(l->detail), "trail %s: ", tname);
        s_read_text(l->detail, sizeof(l->detail), &t->status_read, "cloudtrail:GetTrailStatus",
                    NULL);
        return 0;
    }
    if (!t->is_logging) {
        s_set(l->detail, sizeof(l->detail), "trail %s is not logging (IsLogging is false)", tname);
        return 0;
    }
    if (!t->is_multi_region) {
        s_set(l->detail, sizeof(l->detail),
              "trail %s is single-region (IsMultiRegionTrail is false)", tname);
        return 0;
    }
    if (t->selectors_read.state != TW_READ_OK) {
        s_set(l->detail, sizeof(l->detail), "trail %s: ", tname);
        s_read_text(l->detail, sizeof(l->detail), &t->selectors_read,
                    "cloudtrail:GetEventSelectors", NULL);
        return 0;
    }
    /* CloudTrail never returns both kinds; advanced ones replace basic ones. */
    if (t->n_advanced > 0 ? !s_check_advanced(l->detail, sizeof(l->detail), tname, t)
                          : !s_check_basic(l->detail, sizeof(l->detail), tname, t))
        return 0;
    if (!t->log_group_arn || !t->log_group_arn[0]) {
        s_set(l->detail, sizeof(l->detail),
              "trail %s does not deliver to CloudWatch Logs (no CloudWatchLogsLogGroupArn)",
              tname);
        return 0;
    }
    tw_err_clear(&aerr);
    if (tw_arn_parse(&arn, tw_span_cstr(t->log_group_arn), &aerr) != TW_OK ||
        !tw_span_eq_cstr(arn.service, "logs") || arn.region.len == 0 ||
        arn.region.len >= sizeof(lg->region)) {
        s_set(l->detail, sizeof(l->detail),
              "trail %s delivers to \"%s\", not a CloudWatch Logs group ARN with a region", tname,
              t->log_group_arn);
        return 0;
    }
    tw_arn_resource_split(&type, &id, arn.resource);
    if (id.len >= 2 && id.ptr[id.len - 2] == ':' && id.ptr[id.len - 1] == '*')
        id.len -= 2;
    memcpy(lg->region, arn.region.ptr, arn.region.len);
    lg->region[arn.region.len] = '\0';
    s_set(lg->name, sizeof(lg->name), "%.*s", (int)id.len, id.ptr);

    s_proven(ch, TW_LINK_TRAIL, tname);
    s_set(l->detail, sizeof(l->detail),
          "logging, multi-region, records all management events; delivers to log group %s in %s",
          lg->name, lg->region);
    if (t->latest_cwl_delivery_error && t->latest_cwl_delivery_error[0]) {
        s_append(l->detail, sizeof(l->detail),
                 "; warning: latest CloudWatch Logs delivery error \"%s\"",
                 t->latest_cwl_delivery_error);
        s_set(ch->warning, sizeof(ch->warning),
              "warning: trail %s reports CloudWatch Logs delivery error \"%s\"", tname,
              t->latest_cwl_delivery_error);
    }
    return 1;
}

/* ---- link 4: the topic ---------------------------------------------------------- */

static void s_topic_name(char *dst, size_t n, const char *topic_arn)
{
    struct tw_arn arn;

    if (tw_arn_parse(&arn, tw_span_cstr(topic_arn), NULL) == TW_OK)
        s_set(dst, n, "%.*s", (int)arn.resource.len, arn.resource.ptr);
    else
        s_set(dst, n, "%s", topic_arn);
}

/* 1 for a subscription ARN (not "PendingConfirmation", "Deleted", ""). */
static int s_real_subscription(const char *arn)
{
    struct tw_arn a;

    return arn && tw_arn_parse(&a, tw_span_cstr(arn), NULL) == TW_OK &&
           tw_span_eq_cstr(a.service, "sns");
}

/* Fills the topic link for `topic_arn`; 1 when proven. */
static int s_check_topic(struct tw_link *l, size_t *confirmed, const struct tw_facts *facts,
                         const char *topic_arn)
{
    const struct tw_topic *t = tw_facts_find_topic(facts, topic_arn);
    char name[256], what[300];
    size_t ok = 0, pending = 0;
    const char *protocol = NULL;

    memset(l, 0, sizeof(*l));
    l->state = TW_LINK_BROKEN;
    s_set(l->name, sizeof(l->name), "%s", topic_arn);
    s_topic_name(name, sizeof(name), topic_arn);
    s_set(what, sizeof(what), "on topic %s", name);
    if (!t) {
        s_set(l->detail, sizeof(l->detail),
              "topic %s was not read (sns:ListSubscriptionsByTopic)", name);
        return 0;
    }
    if (t->read.state != TW_READ_OK) {
        s_read_text(l->detail, sizeof(l->detail), &t->read, "sns:ListSubscriptionsByTopic", what);
        return 0;
    }
    for (size_t i = 0; i < t->n_subscriptions; i++) {
        const struct tw_subscription *s = &t->subscriptions[i];
        if (s_real_subscription(s->arn)) {
            if (!ok++)
                protocol = s->protocol;
        } else if (s_eq(s->arn, TW_SNS_PENDING)) {
            pending++;
        }
    }
    if (ok) {
        l->state = TW_LINK_PROVEN;
        *confirmed = ok;
        s_set(l->detail, sizeof(l->detail), "%zu confirmed subscriber%s (first: %s)", ok,
              ok == 1 ? "" : "s", s_or(protocol, "unknown protocol"));
        return 1;
    }
    if (pending && pending == t->n_subscriptions)
        s_set(l->detail, sizeof(l->detail),
              "topic %s has only pending subscriptions (%zu awaiting confirmation)", name, pending);
    else if (t->n_subscriptions)
        s_set(l->detail, sizeof(l->detail),
              "topic %s has no confirmed subscriptions (%zu listed, %zu pending)", name,
              t->n_subscriptions, pending);
    else
        s_set(l->detail, sizeof(l->detail), "topic %s has no subscriptions", name);
    return 0;
}

/* ---- link 3: the alarm ------------------------------------------------------------ */

static int s_sns_topic_arn(const char *action)
{
    struct tw_arn a;
    struct tw_span type, id;

    if (!action || tw_arn_parse(&a, tw_span_cstr(action), NULL) != TW_OK)
        return 0;
    tw_arn_resource_split(&type, &id, a.resource);
    return tw_span_eq_cstr(a.service, "sns") && a.region.len > 0 &&
           tw_arn_account_valid(a.account) && type.len == 0 && id.len > 0;
}

/* The metric value as a finite number; 0 when it is "$.field" or not a number. */
static int s_metric_constant(double *out, const char *v)
{
    char *end = NULL;
    double d;

    if (!v || !v[0] || v[0] == ' ')
        return 0;
    d = strtod(v, &end);
    if (!end || *end || !isfinite(d))
        return 0;
    *out = d;
    return 1;
}

/* Stages an alarm can reach; the reason of the furthest one is reported. */
enum s_stage { S_AL_DIMENSIONS, S_AL_DISABLED, S_AL_NO_SNS, S_AL_NO_FIRE, S_AL_OK };

/* Checks one candidate alarm; returns its stage and sets `why` below S_AL_OK. */
static enum s_stage s_alarm_stage(char *why, size_t n, const struct tw_alarm *a, int single,
                                  const struct tw_metric_filter *mf)
{
    const char *name = s_or(a->name, "(unnamed)");
    size_t sns = 0;
    double d, th;
    int dta;
    const char *op = a->comparison_operator;
    const char *stat = s_or(a->statistic, "the statistic");

    if (single && a->n_dimensions > 0) {
        s_set(why, n, "alarm %s watches the metric with dimensions (%s=%s), which filter %s never emits",
              name, s_or(a->dimensions[0].name, "?"), s_or(a->dimensions[0].value, "?"),
              s_or(mf->name, "?"));
        return S_AL_DIMENSIONS;
    }
    if (!a->actions_enabled) {
        s_set(why, n, "alarm %s has actions disabled (ActionsEnabled is false)", name);
        return S_AL_DISABLED;
    }
    for (size_t i = 0; i < a->n_alarm_actions; i++)
        sns += (size_t)s_sns_topic_arn(a->alarm_actions[i]);
    if (!sns) {
        s_set(why, n, "alarm %s notifies no SNS topic (%zu alarm action%s, none SNS)", name,
              a->n_alarm_actions, a->n_alarm_actions == 1 ? "" : "s");
        return S_AL_NO_SNS;
    }
    if (!single)
        return S_AL_OK; /* metric math: expression and threshold not analysed */
    if (!s_eq(op, "GreaterThanOrEqualToThreshold") && !s_eq(op, "GreaterThanThreshold")) {
        s_set(why, n,
              "alarm %s uses %s; only GreaterThanOrEqualToThreshold or GreaterThanThreshold is "
              "proven to fire on one event",
              name, s_or(op, "no comparison operator"));
        return S_AL_NO_FIRE;
    }
    if (!a->have_threshold) {
        s_set(why, n, "alarm %s has no static threshold; not proven to fire on one event", name);
        return S_AL_NO_FIRE;
    }
    th = a->threshold;
    if (s_eq(a->statistic, "SampleCount")) {
        d = 1;
    } else if (!s_metric_constant(&d, mf->metric_value)) {
        s_set(why, n,
              "alarm %s: filter %s's metric value \"%s\" is not a constant, so what one event "
              "gives is not proven (use a constant or SampleCount)",
              name, s_or(mf->name, "?"), s_or(mf->metric_value, ""));
        return S_AL_NO_FIRE;
    }
    if (s_eq(op, "GreaterThanThreshold") ? !(d > th) : !(d >= th)) {
        s_set(why, n, "alarm %s fires at %s %s %g; one event gives %g", name, stat,
              s_eq(op, "GreaterThanThreshold") ? ">" : ">=", th, d);
        return S_AL_NO_FIRE;
    }
    dta = a->have_datapoints_to_alarm ? a->datapoints_to_alarm
          : a->have_evaluation_periods ? a->evaluation_periods
                                       : 1;
    if (dta > 1) {
        s_set(why, n, "alarm %s needs %d datapoints; one event gives 1", name, dta);
        return S_AL_NO_FIRE;
    }
    return S_AL_OK;
}

static int s_math_watches(const struct tw_alarm *a, const struct tw_metric_filter *mf)
{
    for (size_t i = 0; i < a->n_metrics; i++) {
        const struct tw_metric_query *q = &a->metrics[i];
        if (q->have_metric_stat && q->n_stat_dimensions == 0 &&
            s_eq(q->stat_namespace, mf->metric_namespace) &&
            s_eq(q->stat_metric_name, mf->metric_name))
            return 1;
    }
    return 0;
}

/* State of the alarm + topic search for one filter. */
struct s_alarm_search {
    int complete;
    int have_qualified;         /* an alarm qualified but no topic proved */
    struct tw_link alarm, topic; /* of the proof, or of the first qualified alarm */
    size_t confirmed;
    int best_stage;             /* -1: no candidate alarm seen */
    char best_why[512];
    char best_name[256];
};

static void s_try_alarm(struct s_alarm_search *s, const struct tw_facts *facts,
                        const struct tw_alarm *a, int single, const struct tw_metric_filter *mf)
{
    char why[512] = "";
    enum s_stage st = s_alarm_stage(why, sizeof(why), a, single, mf);

    if (s->complete)
        return;
    if (st != S_AL_OK) {
        if ((int)st > s->best_stage) {
            s->best_stage = (int)st;
            s_set(s->best_why, sizeof(s->best_why), "%s", why);
            s_set(s->best_name, sizeof(s->best_name), "%s", s_or(a->name, ""));
        }
        return;
    }
    for (size_t i = 0; i < a->n_alarm_actions; i++) {
        struct tw_link topic;
        size_t confirmed = 0;

        if (!s_sns_topic_arn(a->alarm_actions[i]))
            continue;
        if (s_check_topic(&topic, &confirmed, facts, a->alarm_actions[i]) || !s->have_qualified) {
            memset(&s->alarm, 0, sizeof(s->alarm));
            s->alarm.state = TW_LINK_PROVEN;
            s_set(s->alarm.name, sizeof(s->alarm.name), "%s", s_or(a->name, ""));
            if (single)
                s_set(s->alarm.detail, sizeof(s->alarm.detail),
                      "on %s/%s: %s %s %g fires on one event; notifies SNS",
                      mf->metric_namespace, mf->metric_name, s_or(a->statistic, "statistic"),
                      s_eq(a->comparison_operator, "GreaterThanThreshold") ? ">" : ">=",
                      a->threshold);
            else
                s_set(s->alarm.detail, sizeof(s->alarm.detail),
                      "metric-math alarm reading %s/%s (expression and threshold not analysed); "
                      "notifies SNS",
                      mf->metric_namespace, mf->metric_name);
            s->topic = topic;
            s->have_qualified = 1;
            if (topic.state == TW_LINK_PROVEN) {
                s->complete = 1;
                s->confirmed = confirmed;
                return;
            }
        }
    }
}

/* Fills the alarm and topic links for one qualifying filter. */
static void s_check_alarms(struct s_chain *ch, const struct tw_facts *facts,
                           const struct s_loggroup *lg, const struct tw_metric_filter *mf)
{
    const struct tw_alarm_lookup *lk =
        tw_facts_find_alarm_lookup(facts, lg->region, mf->metric_name, mf->metric_namespace);
    const struct tw_region_alarms *ra = tw_facts_find_region_alarms(facts, lg->region);
    struct tw_link *al = &ch->links[TW_LINK_ALARM];
    struct s_alarm_search s;

    memset(&s, 0, sizeof(s));
    s.best_stage = -1;
    if (lk && lk->read.state == TW_READ_OK) {
        for (size_t i = 0; i < lk->n_alarms && !s.complete; i++) {
            const struct tw_alarm *a = &lk->alarms[i];
            if (s_eq(a->metric_name, mf->metric_name) && s_eq(a->namespace_, mf->metric_namespace))
                s_try_alarm(&s, facts, a, 1, mf);
        }
    }
    if (ra && ra->read.state == TW_READ_OK) {
        for (size_t i = 0; i < ra->n_alarms && !s.complete; i++) {
            const struct tw_alarm *a = &ra->alarms[i];
            if (a->n_metrics > 0 && s_math_watches(a, mf))
                s_try_alarm(&s, facts, a, 0, mf);
        }
    }
    if (s.have_qualified) {
        *al = s.alarm;
        ch->depth++;
        ch->links[TW_LINK_TOPIC] = s.topic;
        if (s.complete) {
            ch->depth++;
            ch->confirmed = s.confirmed;
        }
        return;
    }
    s_broken(ch, TW_LINK_ALARM, NULL);
    al->detail[0] = '\0';
    if (!lk) {
        s_set(al->detail, sizeof(al->detail),
              "alarms on metric %s/%s in %s were not read (cloudwatch:DescribeAlarmsForMetric)",
              mf->metric_namespace, mf->metric_name, lg->region);
    } else if (lk->read.state != TW_READ_OK) {
        char what[300];
        s_set(what, sizeof(what), "on metric %s/%s in %s", mf->metric_namespace, mf->metric_name,
              lg->region);
        s_read_text(al->detail, sizeof(al->detail), &lk->read,
                    "cloudwatch:DescribeAlarmsForMetric", what);
    } else if (s.best_stage >= 0) {
        s_set(al->name, sizeof(al->name), "%s", s.best_name);
        s_set(al->detail, sizeof(al->detail), "%s", s.best_why);
    } else {
        s_set(al->detail, sizeof(al->detail), "no alarm on metric %s/%s in %s",
              mf->metric_namespace, mf->metric_name, lg->region);
        /* The classic mistake peers accept: the right metric name in
         * another namespace. Name it, so the fix is obvious. */
        for (size_t i = 0; ra && ra->read.state == TW_READ_OK && i < ra->n_alarms; i++) {
            const struct tw_alarm *a = &ra->alarms[i];
            if (a->metric_name && a->namespace_ && strcmp(a->metric_name, mf->metric_name) == 0 &&
                strcmp(a->namespace_, mf->metric_namespace) != 0) {
                s_set(al->name, sizeof(al->name), "%s", a->name);
                s_set(al->detail, sizeof(al->detail),
                      "alarm %s watches %s in namespace %s, but the filter publishes to %s", a->name,
                      a->metric_name, a->namespace_, mf->metric_namespace);
                break;
            }
        }
        if (ra && ra->read.state != TW_READ_OK && ra->read.state != TW_READ_NOT_ATTEMPTED) {
            s_append(al->detail, sizeof(al->detail), " (metric-math alarms unknown: ");
            s_read_text(al->detail, sizeof(al->detail), &ra->read, "cloudwatch:DescribeAlarms",
                        NULL);
            s_append(al->detail, sizeof(al->detail), ")");
        }
    }
}

/* ---- link 2: the filter ----------------------------------------------------------- */

/* How close a non-qualifying filter came; the closest one is reported. */
enum s_frank { S_F_NO_METRIC, S_F_PARSE, S_F_MISSES, S_F_NOT_PROVEN, S_F_NOT_EXACT,
               S_F_DIMENSIONS, S_F_OK };

/* The eventName of a counterexample record, or NULL. */
static void s_missed_name(char *dst, size_t n, const char *record)
{
    cJSON *doc = cJSON_Parse(record);
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(doc, "eventName");

    s_set(dst, n, "%s", cJSON_IsString(name) && name->valuestring ? name->valuestring : "some");
    cJSON_Delete(doc);
}

/* Ranks one filter and says why in `why`. With `explain` == 0 the coverage
 * is only decided (tw_filter_decide_trail_changes): the rank is the same, but
 * a filter that misses events is not given a counterexample. */
static int s_classify_filter(enum s_frank *rank, char *why, size_t n,
                             const struct tw_metric_filter *mf, const struct tw_params *params,
                             int explain, struct tw_err *err)
{
    const char *name = s_or(mf->name, "(unnamed)");
    const char *pattern = mf->pattern ? mf->pattern : "";
    struct tw_filter *f = NULL;
    struct tw_coverage cov;
    struct tw_err perr;
    int rc;

    if (!mf->metric_name || !mf->metric_namespace) {
        *rank = S_F_NO_METRIC;
        s_set(why, n, "filter %s has no metric transformation", name);
        return TW_OK;
    }
    tw_err_clear(&perr);
    rc = tw_filter_parse(&f, tw_span_cstr(pattern), &perr);
    if (rc == TW_ENOMEM) {
        tw_err_set(err, "out of memory parsing the pattern of filter %s", name);
        return TW_ENOMEM;
    }
    if (rc != TW_OK) {
        *rank = S_F_PARSE;
        s_set(why, n, "filter %s has a pattern that does not parse (%s)", name,
              s_or(perr.msg, "syntax error"));
        return TW_OK;
    }
    if (params->strict) {
        if (!tw_filter_is_cis_exact(tw_span_cstr(pattern))) {
            *rank = S_F_NOT_EXACT;
            s_set(why, n, "filter %s is not the exact CIS pattern (Strict)", name);
            goto out;
        }
    } else {
        memset(&cov, 0, sizeof(cov));
        rc = explain ? tw_filter_covers_trail_changes(&cov, f, err)
                     : tw_filter_decide_trail_changes(&cov, f, err);
        if (rc != TW_OK) {
            tw_err_prefix(err, "filter %s", name);
            goto out;
        }
        if (!cov.covered && cov.exact) {
            char ev[64];
            *rank = S_F_MISSES;
            if (!explain) {
                s_set(why, n, "filter %s: %s", name, cov.reason);
                goto out;
            }
            s_missed_name(ev, sizeof(ev), cov.missed_event);
            s_set(why, n, "filter %s misses %s events (e.g. %s)", name, ev, cov.missed_event);
            goto out;
        }
        if (!cov.covered) {
            *rank = S_F_NOT_PROVEN;
            s_set(why, n, "filter %s is not proven to catch every trail change (%s)", name,
                  s_or(cov.reason, "the analysis had to approximate"));
            goto out;
        }
    }
    if (mf->n_dimensions > 0) {
        *rank = S_F_DIMENSIONS;
        s_set(why, n,
              "filter %s emits dimensions (%s): each dimension value is a metric of its own, so "
              "no single alarm is proven to see all five events",
              name, s_or(mf->dimensions[0].name, "?"));
        goto out;
    }
    *rank = S_F_OK;
out:
    tw_filter_free(f);
    return rc;
}

/* Fills links 2-4 of a trail whose link 1 is proven. */
static int s_check_filters(struct s_chain *ch, const struct tw_facts *facts,
                           const struct tw_trail *t, const struct s_loggroup *lg,
                           const struct tw_params *params, struct tw_err *err)
{
    struct tw_link *fl = &ch->links[TW_LINK_FILTER];
    enum s_frank best = S_F_NO_METRIC;
    int have_best = 0;
    struct s_chain keep; /* the deepest alarm search so far */

    memset(&keep, 0, sizeof(keep));
    keep.depth = -1;
    s_broken(ch, TW_LINK_FILTER, NULL);
    if (t->filters_read.state != TW_READ_OK) {
        char what[600];
        s_set(what, sizeof(what), "on log group %s in %s", lg->name, lg->region);
        s_read_text(fl->detail, sizeof(fl->detail), &t->filters_read,
                    "logs:DescribeMetricFilters", what);
        return TW_OK;
    }
    if (t->n_filters == 0) {
        s_set(fl->detail, sizeof(fl->detail), "log group %s has no metric filters", lg->name);
        return TW_OK;
    }
    /* Every filter is ranked on the decision alone; a miss that becomes the
     * reported one is analysed again for its counterexample (the other ranks
     * read the same either way): with many filters on the group, most miss,
     * and the annotation quotes one. */
    for (size_t i = 0; i < t->n_filters; i++) {
        const struct tw_metric_filter *mf = &t->filters[i];
        enum s_frank rank, again;
        char why[512] = "";
        struct s_chain c;
        int rc = s_classify_filter(&rank, why, sizeof(why), mf, params, 0, err);

        if (rc != TW_OK)
            return rc;
        if (rank != S_F_OK) {
            if (!have_best || rank > best) {
                if (rank == S_F_MISSES) {
                    rc = s_classify_filter(&again, why, sizeof(why), mf, params, 1, err);
                    if (rc != TW_OK)
                        return rc;
                    if (again != rank) {
                        tw_err_set(err, "filter %s: coverage self-check: the decision and the "
                                        "analysis disagree", s_or(mf->name, "(unnamed)"));
                        return TW_ERR;
                    }
                }
                best = rank;
                have_best = 1;
                s_set(fl->name, sizeof(fl->name), "%s", s_or(mf->name, ""));
                s_set(fl->detail, sizeof(fl->detail), "%s", why);
            }
            continue;
        }
        c = *ch;
        s_proven(&c, TW_LINK_FILTER, s_or(mf->name, ""));
        s_set(c.links[TW_LINK_FILTER].detail, sizeof(c.links[TW_LINK_FILTER].detail),
              params->strict ? "the exact CIS pattern (Strict); metric %s/%s"
                             : "proven to match every CreateTrail, UpdateTrail, DeleteTrail, "
                               "StartLogging and StopLogging event; metric %s/%s",
              mf->metric_namespace, mf->metric_name);
        s_check_alarms(&c, facts, lg, mf);
        if (c.depth > keep.depth)
            keep = c;
        if (c.depth == TW_LINK_COUNT)
            break;
    }
    if (keep.depth >= 0)
        *ch = keep;
    return TW_OK;
}

static int s_judge_trail(struct s_chain *ch, const struct tw_facts *facts,
                         const struct tw_trail *t, const struct tw_params *params,
                         struct tw_err *err)
{
    struct s_loggroup lg;

    memset(ch, 0, sizeof(*ch));
    memset(&lg, 0, sizeof(lg));
    if (!s_check_trail(ch, &lg, t))
        return TW_OK;
    return s_check_filters(ch, facts, t, &lg, params, err);
}

int tw_judge_trail_qualifies(const struct tw_trail *t)
{
    struct s_chain ch;
    struct s_loggroup lg;

    memset(&ch, 0, sizeof(ch));
    memset(&lg, 0, sizeof(lg));
    return s_check_trail(&ch, &lg, t);
}

int tw_judge_filter_qualifies(const struct tw_metric_filter *mf, const struct tw_params *params)
{
    enum s_frank rank = S_F_NO_METRIC;
    char why[512];
    struct tw_err err;

    tw_err_clear(&err);
    if (s_classify_filter(&rank, why, sizeof(why), mf, params, 0, &err) != TW_OK)
        return 1;
    return rank == S_F_OK;
}

/* ---- the verdict -------------------------------------------------------------------- */

/* 1 if an earlier entry has the same ARN (a shadow listing of the same trail). */
static int s_is_duplicate(const struct tw_facts *facts, size_t i)
{
    for (size_t j = 0; j < i; j++)
        if (s_eq(facts->trails[j].arn, facts->trails[i].arn))
            return 1;
    return 0;
}

/* The non-compliance text for the furthest chain. */
static void s_broken_text(char *dst, size_t n, const struct s_chain *ch)
{
    for (int k = 0; k < TW_LINK_COUNT; k++) {
        const struct tw_link *l = &ch->links[k];
        if (l->state != TW_LINK_BROKEN)
            continue;
        if (k == TW_LINK_TRAIL)
            s_set(dst, n, "%s", l->detail); /* trail details name the trail */
        else
            s_set(dst, n, "trail %s: %s", ch->links[TW_LINK_TRAIL].name, l->detail);
        return;
    }
    s_set(dst, n, "trail %s: chain not proven", ch->links[TW_LINK_TRAIL].name);
}

/* The annotation is the reason, cut to 256 bytes at a UTF-8 boundary. */
static void s_finish(struct tw_verdict *out, enum tw_compliance c)
{
    size_t n = strlen(out->reason);

    out->compliance = c;
    if (n <= TW_MAX_ANNOTATION) {
        memcpy(out->annotation, out->reason, n + 1);
        return;
    }
    memcpy(out->annotation, out->reason, TW_MAX_ANNOTATION);
    s_mark_cut(out->annotation, TW_MAX_ANNOTATION);
}

int tw_judge_account(struct tw_verdict *out, const struct tw_facts *facts,
                     const struct tw_params *params, struct tw_err *err)
{
    static const struct tw_params s_defaults;
    struct s_chain best, cur;
    char chain_text[sizeof(out->reason)] = "";
    const struct tw_trail *org = NULL;
    size_t n_unique = 0;
    int have_best = 0;

    memset(out, 0, sizeof(*out));
    memset(&best, 0, sizeof(best));
    if (!params)
        params = &s_defaults;

    if (facts->trails_read.state != TW_READ_OK) {
        s_read_text(chain_text, sizeof(chain_text), &facts->trails_read,
                    "cloudtrail:DescribeTrails", NULL);
    } else {
        for (size_t i = 0; i < facts->n_trails; i++) {
            const struct tw_trail *t = &facts->trails[i];
            int rc;

            if (s_is_duplicate(facts, i))
                continue;
            n_unique++;
            if (!org && t->is_organization_trail && t->owner_account && facts->account_id &&
                strcmp(t->owner_account, facts->account_id) != 0)
                org = t;
            rc = s_judge_trail(&cur, facts, t, params, err);
            if (rc != TW_OK)
                return rc;
            if (!have_best || cur.depth > best.depth) {
                best = cur;
                have_best = 1;
            }
            if (cur.depth == TW_LINK_COUNT)
                break;
        }
        if (have_best && best.depth == TW_LINK_COUNT) {
            char topic[256];

            memcpy(out->links, best.links, sizeof(out->links));
            s_topic_name(topic, sizeof(topic), best.links[TW_LINK_TOPIC].name);
            s_set(out->reason, sizeof(out->reason),
                  "trail %s -> filter %s -> alarm %s -> topic %s (%zu confirmed subscriber%s)",
                  best.links[TW_LINK_TRAIL].name, best.links[TW_LINK_FILTER].name,
                  best.links[TW_LINK_ALARM].name, topic, best.confirmed,
                  best.confirmed == 1 ? "" : "s");
            if (best.warning[0])
                s_append(out->reason, sizeof(out->reason), "; %s", best.warning);
            s_finish(out, TW_COMPLIANT);
            return TW_OK;
        }
        if (n_unique == 0)
            s_set(chain_text, sizeof(chain_text), "no CloudTrail trail in this account");
        else
            s_broken_text(chain_text, sizeof(chain_text), &best);
        if (have_best)
            memcpy(out->links, best.links, sizeof(out->links));
    }

    if (params->external_monitoring[0]) {
        s_set(out->reason, sizeof(out->reason),
              "monitored by %s (declared by ExternalMonitoring); CloudWatch chain: %s",
              params->external_monitoring, chain_text);
        s_finish(out, TW_NOT_APPLICABLE);
    } else if (org) {
        s_set(out->reason, sizeof(out->reason),
              "organization trail %s is owned by account %s: the check belongs there",
              s_or(org->name, s_or(org->arn, "(unnamed)")), org->owner_account);
        s_finish(out, TW_NOT_APPLICABLE);
    } else {
        s_set(out->reason, sizeof(out->reason), "%s", chain_text);
        s_finish(out, TW_NON_COMPLIANT);
    }
    return TW_OK;
}
