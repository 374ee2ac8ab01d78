/* proto_config.c — AWS Config (JSON 1.1): PutEvaluations, PutExternalEvaluation. */
#include "proto_int.h"

#include <stdlib.h>
#include <string.h>

int tw_proto_put_evaluations_request(struct tw_buf *out, const struct tw_evaluation *evals,
                                     size_t n_evals, const char *result_token, int test_mode,
                                     struct tw_err *err)
{
    static const char op[] = "PutEvaluations";
    cJSON *doc = NULL, *list;
    int rc = TW_ENOMEM;

    if (n_evals > TW_PROTO_MAX_EVALUATIONS) {
        tw_err_set(err, "%s request: %zu evaluations (at most %d per call)", op, n_evals,
                   TW_PROTO_MAX_EVALUATIONS);
        return TW_ETOOBIG;
    }
    /* Config needs a non-null ResultToken; "TESTMODE" goes as is (D3). */
    if (!result_token) {
        tw_err_set(err, "%s request: ResultToken is required", op);
        return TW_ERR;
    }
    /* Model order: Evaluations, ResultToken, TestMode. */
    if (!(doc = cJSON_CreateObject()) || !(list = cJSON_AddArrayToObject(doc, "Evaluations")))
        goto out;
    for (size_t i = 0; i < n_evals; i++) {
        cJSON *e = tw_report_evaluation_json(&evals[i]);
        if (!e)
            goto out;
        if (!cJSON_AddItemToArray(list, e)) {
            cJSON_Delete(e);
            goto out;
        }
    }
    if (!cJSON_AddStringToObject(doc, "ResultToken", result_token) ||
        !cJSON_AddBoolToObject(doc, "TestMode", test_mode ? 1 : 0))
        goto out;
    rc = tw_proto_emit_json(out, doc, op, err);
out:
    if (rc == TW_ENOMEM)
        tw_err_set(err, "out of memory building the %s request", op);
    cJSON_Delete(doc);
    return rc;
}

int tw_proto_put_external_evaluation_request(struct tw_buf *out, const char *config_rule_name,
                                             const struct tw_evaluation *e, struct tw_err *err)
{
    static const char op[] = "PutExternalEvaluation";
    cJSON *doc = NULL, *item = NULL;
    int rc;

    if ((rc = tw_proto_need(config_rule_name, op, "ConfigRuleName", err)) != TW_OK)
        return rc;
    rc = TW_ENOMEM;
    /* ExternalEvaluation has Evaluation's members, in the same order. */
    if (!(doc = cJSON_CreateObject()) ||
        !cJSON_AddStringToObject(doc, "ConfigRuleName", config_rule_name) ||
        !(item = tw_report_evaluation_json(e)))
        goto out;
    if (!cJSON_AddItemToObject(doc, "ExternalEvaluation", item)) {
        cJSON_Delete(item);
        goto out;
    }
    rc = tw_proto_emit_json(out, doc, op, err);
out:
    if (rc == TW_ENOMEM)
        tw_err_set(err, "out of memory building the %s request", op);
    cJSON_Delete(doc);
    return rc;
}

/* Marks the first unmatched sent evaluation that `item` names. */
static int s_match(unsigned char *failed, const struct tw_evaluation *sent, size_t n_sent,
                   const cJSON *item, struct tw_err *err)
{
    char *type = NULL, *id = NULL, *compliance = NULL;
    int rc;

    if ((rc = tw_json_get_string(&type, item, "ComplianceResourceType", 1, err)) != TW_OK ||
        (rc = tw_json_get_string(&id, item, "ComplianceResourceId", 1, err)) != TW_OK ||
        (rc = tw_json_get_string(&compliance, item, "ComplianceType", 1, err)) != TW_OK)
        goto out;
    rc = TW_EPARSE;
    for (size_t j = 0; j < n_sent; j++) {
        if (!failed[j] && sent[j].resource_type && sent[j].resource_id &&
            strcmp(sent[j].resource_type, type) == 0 && strcmp(sent[j].resource_id, id) == 0 &&
            strcmp(tw_compliance_name(sent[j].compliance), compliance) == 0) {
            failed[j] = 1;
            rc = TW_OK;
            break;
        }
    }
    if (rc != TW_OK)
        tw_err_set(err, "matches no evaluation sent (%.40s %.64s %.20s)", type, id, compliance);
out:
    free(type);
    free(id);
    free(compliance);
    return rc;
}

int tw_proto_parse_put_evaluations(size_t *n_failed, unsigned char *failed,
                                   const struct tw_evaluation *sent, size_t n_sent,
                                   struct tw_span body, struct tw_err *err)
{
    static const char op[] = "PutEvaluations";
    cJSON *doc = NULL;
    const cJSON *list = NULL, *item;
    size_t n = 0;
    int rc;

    *n_failed = 0;
    if (failed && n_sent)
        memset(failed, 0, n_sent);
    rc = tw_proto_json_reply(&doc, body, op, err);
    if (rc != TW_OK)
        goto out;
    rc = tw_json_get_array(&list, doc, "FailedEvaluations", 0, TW_PROTO_MAX_EVALUATIONS, err);
    if (rc != TW_OK) {
        tw_err_prefix(err, "%s reply", op);
        goto out;
    }
    cJSON_ArrayForEach(item, list)
    {
        if (!cJSON_IsObject(item)) {
            tw_err_set(err, "%s reply: FailedEvaluations[%zu] is not an object", op, n);
            rc = TW_EPARSE;
            goto out;
        }
        if (failed && (rc = s_match(failed, sent, n_sent, item, err)) != TW_OK) {
            tw_err_prefix(err, "%s reply: FailedEvaluations[%zu]", op, n);
            goto out;
        }
        n++;
    }
    *n_failed = n;
out:
    if (rc != TW_OK && failed && n_sent)
        memset(failed, 0, n_sent);
    cJSON_Delete(doc);
    return rc;
}
