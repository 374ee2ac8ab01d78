/* report.c — evaluations and the response document. */
#include "report.h"

#include "event.h"

#include <cjson/cJSON.h>
#include <string.h>

#define TW_ACCOUNT_RESOURCE_TYPE "AWS::::Account"

const char *tw_compliance_name(enum tw_compliance c)
{
    switch (c) {
    case TW_COMPLIANT:
        return "COMPLIANT";
    case TW_NON_COMPLIANT:
        return "NON_COMPLIANT";
    case TW_NOT_APPLICABLE:
        return "NOT_APPLICABLE";
    }
    return "NON_COMPLIANT";
}

void tw_report_evaluation(struct tw_evaluation *out, const struct tw_verdict *v,
                          const struct tw_event *ev)
{
    memset(out, 0, sizeof(*out));
    out->resource_type = TW_ACCOUNT_RESOURCE_TYPE;
    out->resource_id = ev->account_id;
    out->compliance = v->compliance;
    tw_strlcpy(out->annotation, v->annotation, sizeof(out->annotation));
    out->ordering_time_ms = ev->ordering_time_ms;
}

cJSON *tw_report_evaluation_json(const struct tw_evaluation *e)
{
    cJSON *obj = cJSON_CreateObject();

    if (!obj)
        return NULL;
    if (!cJSON_AddStringToObject(obj, "ComplianceResourceType", e->resource_type) ||
        !cJSON_AddStringToObject(obj, "ComplianceResourceId", e->resource_id) ||
        !cJSON_AddStringToObject(obj, "ComplianceType", tw_compliance_name(e->compliance)) ||
        (e->annotation[0] && !cJSON_AddStringToObject(obj, "Annotation", e->annotation)) ||
        /* Config takes OrderingTimestamp as epoch seconds; keep the milliseconds. */
        !cJSON_AddNumberToObject(obj, "OrderingTimestamp", (double)e->ordering_time_ms / 1000.0)) {
        cJSON_Delete(obj);
        return NULL;
    }
    return obj;
}

const char *tw_link_kind_name(enum tw_link_kind k)
{
    static const char *const names[TW_LINK_COUNT] = { "trail", "filter", "alarm", "topic" };

    return (unsigned)k < TW_LINK_COUNT ? names[k] : "link";
}

/* The evidence, link by link, for people and tooling. */
static int s_add_chain(cJSON *doc, const struct tw_verdict *v)
{
    cJSON *chain = cJSON_AddArrayToObject(doc, "chain");

    if (!chain)
        return TW_ENOMEM;
    for (int k = 0; k < TW_LINK_COUNT; k++) {
        const struct tw_link *l = &v->links[k];
        const char *state = l->state == TW_LINK_PROVEN   ? "proven"
                            : l->state == TW_LINK_BROKEN ? "broken"
                                                         : "unchecked";
        cJSON *item = cJSON_CreateObject();

        if (!item || !cJSON_AddItemToArray(chain, item) ||
            !cJSON_AddStringToObject(item, "link", tw_link_kind_name((enum tw_link_kind)k)) ||
            !cJSON_AddStringToObject(item, "state", state) ||
            (l->name[0] && !cJSON_AddStringToObject(item, "name", l->name)) ||
            (l->detail[0] && !cJSON_AddStringToObject(item, "detail", l->detail)))
            return TW_ENOMEM;
    }
    return TW_OK;
}

int tw_report_response(struct tw_buf *out, const struct tw_event *ev, const struct tw_verdict *v,
                       const struct tw_evaluation *evals, size_t n_evals,
                       const struct tw_delivery *delivery, struct tw_err *err)
{
    cJSON *doc = cJSON_CreateObject(), *arr, *del;
    char *text = NULL;
    int rc = TW_ENOMEM;

    if (!doc)
        goto out;
    if (!cJSON_AddStringToObject(doc, "trigger", tw_trigger_name(ev->trigger)) ||
        !cJSON_AddStringToObject(doc, "accountId", ev->account_id) ||
        !cJSON_AddStringToObject(doc, "complianceType", tw_compliance_name(v->compliance)) ||
        !cJSON_AddStringToObject(doc, "annotation", v->annotation) ||
        !cJSON_AddStringToObject(doc, "reason", v->reason[0] ? v->reason : v->annotation) ||
        s_add_chain(doc, v) != TW_OK || !(arr = cJSON_AddArrayToObject(doc, "evaluations")))
        goto out;
    for (size_t i = 0; i < n_evals; i++) {
        cJSON *e = tw_report_evaluation_json(&evals[i]);
        if (!e || !cJSON_AddItemToArray(arr, e)) {
            cJSON_Delete(e);
            goto out;
        }
    }
    if (!(del = cJSON_AddObjectToObject(doc, "delivery")) ||
        !cJSON_AddStringToObject(del, "target", delivery->target) ||
        !cJSON_AddBoolToObject(del, "sent", delivery->sent) ||
        !cJSON_AddBoolToObject(del, "testMode", delivery->test_mode) ||
        (delivery->reason && !cJSON_AddStringToObject(del, "reason", delivery->reason)))
        goto out;
    text = cJSON_PrintUnformatted(doc);
    if (!text)
        goto out;
    tw_buf_reset(out);
    rc = tw_buf_append_cstr(out, text);
    if (rc != TW_OK)
        tw_err_set(err, "response document too large");
out:
    if (rc == TW_ENOMEM)
        tw_err_set(err, "out of memory building the response document");
    cJSON_free(text);
    cJSON_Delete(doc);
    return rc;
}

int tw_report_emf(struct tw_buf *out, const char *rule_name, const struct tw_verdict *v,
                  int64_t duration_ms, int64_t timestamp_ms)
{
    cJSON *doc = cJSON_CreateObject(), *aws, *cwm, *dir, *dims, *set, *metrics, *m;
    char *text = NULL;
    int rc = TW_ENOMEM;

    if (!doc || !(aws = cJSON_AddObjectToObject(doc, "_aws")) ||
        !cJSON_AddNumberToObject(aws, "Timestamp", (double)timestamp_ms) ||
        !(cwm = cJSON_AddArrayToObject(aws, "CloudWatchMetrics")))
        goto out;
    if (!(dir = cJSON_CreateObject()) || !cJSON_AddItemToArray(cwm, dir) ||
        !cJSON_AddStringToObject(dir, "Namespace", "trailwatch") ||
        !(dims = cJSON_AddArrayToObject(dir, "Dimensions")) || !(set = cJSON_CreateArray()) ||
        !cJSON_AddItemToArray(dims, set) ||
        !cJSON_AddItemToArray(set, cJSON_CreateString("RuleName")) ||
        !(metrics = cJSON_AddArrayToObject(dir, "Metrics")))
        goto out;
    if (v->compliance != TW_NOT_APPLICABLE) {
        if (!(m = cJSON_CreateObject()) || !cJSON_AddItemToArray(metrics, m) ||
            !cJSON_AddStringToObject(m, "Name", "Compliant") ||
            !cJSON_AddStringToObject(m, "Unit", "None"))
            goto out;
    }
    if (!(m = cJSON_CreateObject()) || !cJSON_AddItemToArray(metrics, m) ||
        !cJSON_AddStringToObject(m, "Name", "AuditDurationMs") ||
        !cJSON_AddStringToObject(m, "Unit", "Milliseconds") ||
        !cJSON_AddStringToObject(doc, "RuleName", rule_name && rule_name[0] ? rule_name : "none") ||
        !cJSON_AddStringToObject(doc, "ComplianceType", tw_compliance_name(v->compliance)) ||
        !cJSON_AddNumberToObject(doc, "AuditDurationMs", (double)duration_ms))
        goto out;
    if (v->compliance != TW_NOT_APPLICABLE &&
        !cJSON_AddNumberToObject(doc, "Compliant", v->compliance == TW_COMPLIANT ? 1 : 0))
        goto out;
    if (!(text = cJSON_PrintUnformatted(doc)))
        goto out;
    tw_buf_reset(out);
    rc = tw_buf_append_cstr(out, text);
out:
    cJSON_free(text);
    cJSON_Delete(doc);
    return rc;
}

int tw_report_text(struct tw_buf *out, const struct tw_event *ev, const struct tw_verdict *v,
                   const struct tw_delivery *delivery)
{
    static const char *const marks[] = { " - ", "ok ", "XX " };
    int rc;

    tw_buf_reset(out);
    rc = tw_buf_printf(out, "account %s (%s)\n", ev->account_id, tw_trigger_name(ev->trigger));
    for (int k = 0; k < TW_LINK_COUNT && rc == TW_OK; k++) {
        const struct tw_link *l = &v->links[k];
        rc = tw_buf_printf(out, "  [%s] %-6s %s\n", marks[l->state],
                           tw_link_kind_name((enum tw_link_kind)k), l->name);
        if (rc == TW_OK && l->state == TW_LINK_BROKEN && l->detail[0])
            rc = tw_buf_printf(out, "           %s\n", l->detail);
    }
    if (rc == TW_OK)
        rc = tw_buf_printf(out, "  => %s: %s\n", tw_compliance_name(v->compliance),
                           v->reason[0] ? v->reason : v->annotation);
    if (rc == TW_OK)
        rc = tw_buf_printf(out, "  sent to Config: %s (%s%s%s%s)\n", delivery->target,
                           delivery->sent ? "sent" : "not sent",
                           delivery->test_mode ? ", test mode" : "",
                           delivery->reason ? ": " : "", delivery->reason ? delivery->reason : "");
    return rc;
}
