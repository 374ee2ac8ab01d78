/* event.c — decoding Config and EventBridge invocation payloads. */
#include "event.h"

#include "timeutil.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

static const char *const s_trigger_names[] = {
    "config-periodic", "config-change", "config-oversized", "schedule", "api-call",
};

const char *tw_trigger_name(enum tw_trigger trigger)
{
    if ((unsigned)trigger >= TW_ARRAY_LEN(s_trigger_names))
        return "unknown";
    return s_trigger_names[trigger];
}

int tw_event_is_config(const struct tw_event *ev)
{
    return ev->trigger == TW_TRIGGER_CONFIG_PERIODIC || ev->trigger == TW_TRIGGER_CONFIG_CHANGE ||
           ev->trigger == TW_TRIGGER_CONFIG_OVERSIZED;
}

void tw_event_cleanup(struct tw_event *ev)
{
    if (!ev)
        return;
    free(ev->account_id);
    free(ev->result_token);
    free(ev->config_rule_name);
    free(ev->config_rule_arn);
    free(ev->execution_role_arn);
    cJSON_Delete(ev->rule_parameters);
    free(ev->resource_type);
    free(ev->resource_id);
    free(ev->region);
    free(ev->event_id);
    free(ev->api_event_name);
    memset(ev, 0, sizeof(*ev));
}

/* A string member: absent is fine unless `required`; present must be a string. */
static int s_get_string(char **out, const cJSON *obj, const char *where, const char *name,
                        int required, struct tw_err *err)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, name);

    *out = NULL;
    if (!item || cJSON_IsNull(item)) {
        if (!required)
            return TW_OK;
        tw_err_set(err, "%s has no \"%s\" (expected a string)", where, name);
        return TW_EPARSE;
    }
    if (!cJSON_IsString(item)) {
        tw_err_set(err, "%s field \"%s\" must be a string", where, name);
        return TW_EPARSE;
    }
    *out = tw_strdup(item->valuestring);
    return *out ? TW_OK : TW_ENOMEM;
}

static int s_get_time(int64_t *out_ms, const cJSON *obj, const char *where, const char *name,
                      struct tw_err *err)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, name);

    if (!cJSON_IsString(item)) {
        tw_err_set(err, "%s has no \"%s\" (expected an ISO 8601 timestamp string)", where, name);
        return TW_EPARSE;
    }
    if (tw_time_parse_iso8601(out_ms, item->valuestring) != TW_OK) {
        tw_err_set(err, "%s field \"%s\" is not an ISO 8601 timestamp", where, name);
        return TW_EPARSE;
    }
    return TW_OK;
}

static int s_valid_account(const char *s)
{
    size_t n = 0;

    for (; s[n]; n++) {
        if (s[n] < '0' || s[n] > '9')
            return 0;
    }
    return n == 12;
}

/* ruleParameters: a JSON object serialized into a string; absent, null, ""
 * and "{}" all mean no parameters. */
static int s_parse_rule_parameters(struct tw_event *ev, const cJSON *root, struct tw_err *err)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(root, "ruleParameters");
    cJSON *params;

    if (!item || cJSON_IsNull(item))
        return TW_OK;
    if (!cJSON_IsString(item)) {
        tw_err_set(err, "\"ruleParameters\" must be a string holding a JSON object");
        return TW_EPARSE;
    }
    if (item->valuestring[0] == '\0')
        return TW_OK;
    params = cJSON_Parse(item->valuestring);
    if (!cJSON_IsObject(params)) {
        cJSON_Delete(params);
        tw_err_set(err, "\"ruleParameters\" is not a JSON object inside a string");
        return TW_EPARSE;
    }
    if (!params->child) {
        cJSON_Delete(params);
        return TW_OK;
    }
    ev->rule_parameters = params;
    return TW_OK;
}

static int s_parse_config(struct tw_event *ev, const cJSON *root, struct tw_err *err)
{
    const cJSON *inv_str = cJSON_GetObjectItemCaseSensitive(root, "invokingEvent");
    const cJSON *scope = cJSON_GetObjectItemCaseSensitive(root, "eventLeftScope");
    const cJSON *msg, *item;
    cJSON *inv = NULL;
    int rc = TW_EPARSE;

    if (!cJSON_IsString(inv_str)) {
        tw_err_set(err, "\"invokingEvent\" must be a string holding a JSON object");
        goto out;
    }
    inv = cJSON_Parse(inv_str->valuestring);
    if (!cJSON_IsObject(inv)) {
        tw_err_set(err, "\"invokingEvent\" is not a JSON object inside a string");
        goto out;
    }
    msg = cJSON_GetObjectItemCaseSensitive(inv, "messageType");
    if (!cJSON_IsString(msg)) {
        tw_err_set(err, "invokingEvent has no \"messageType\" string");
        goto out;
    }
    if (strcmp(msg->valuestring, "ScheduledNotification") == 0) {
        ev->trigger = TW_TRIGGER_CONFIG_PERIODIC;
        if ((rc = s_get_time(&ev->ordering_time_ms, inv, "invokingEvent",
                             "notificationCreationTime", err)) != TW_OK)
            goto out;
    } else if (strcmp(msg->valuestring, "ConfigurationItemChangeNotification") == 0 ||
               strcmp(msg->valuestring, "OversizedConfigurationItemChangeNotification") == 0) {
        int oversized = msg->valuestring[0] == 'O';
        const char *key = oversized ? "configurationItemSummary" : "configurationItem";

        ev->trigger = oversized ? TW_TRIGGER_CONFIG_OVERSIZED : TW_TRIGGER_CONFIG_CHANGE;
        item = cJSON_GetObjectItemCaseSensitive(inv, key);
        if (!cJSON_IsObject(item)) {
            tw_err_set(err, "%s has no \"%s\" object", msg->valuestring, key);
            rc = TW_EPARSE;
            goto out;
        }
        if ((rc = s_get_time(&ev->ordering_time_ms, item, key, "configurationItemCaptureTime",
                             err)) != TW_OK ||
            (rc = s_get_string(&ev->resource_type, item, key, "resourceType", 0, err)) != TW_OK ||
            (rc = s_get_string(&ev->resource_id, item, key, "resourceId", 0, err)) != TW_OK)
            goto out;
    } else {
        tw_err_set(err,
                   "Config messageType \"%.64s\" is not supported (expected "
                   "ScheduledNotification, ConfigurationItemChangeNotification or "
                   "OversizedConfigurationItemChangeNotification)",
                   msg->valuestring);
        rc = TW_EUNSUPPORTED;
        goto out;
    }

    if (scope && !cJSON_IsBool(scope) && !cJSON_IsNull(scope)) {
        tw_err_set(err, "\"eventLeftScope\" must be true or false");
        rc = TW_EPARSE;
        goto out;
    }
    ev->left_scope = cJSON_IsTrue(scope);
    if ((rc = s_get_string(&ev->result_token, root, "Config event", "resultToken", 1, err)) ||
        (rc = s_get_string(&ev->account_id, root, "Config event", "accountId", 1, err)) ||
        (rc = s_get_string(&ev->config_rule_name, root, "Config event", "configRuleName", 0,
                           err)) ||
        (rc = s_get_string(&ev->config_rule_arn, root, "Config event", "configRuleArn", 0, err)) ||
        (rc = s_get_string(&ev->execution_role_arn, root, "Config event", "executionRoleArn", 0,
                           err)) ||
        (rc = s_parse_rule_parameters(ev, root, err)))
        goto out;
    if (ev->result_token[0] == '\0') {
        tw_err_set(err, "Config event has an empty \"resultToken\"");
        rc = TW_EPARSE;
        goto out;
    }
    ev->test_mode = strcmp(ev->result_token, "TESTMODE") == 0;
    rc = TW_OK;
out:
    cJSON_Delete(inv);
    return rc;
}

static int s_parse_eventbridge(struct tw_event *ev, const cJSON *root, const char *detail_type,
                               struct tw_err *err)
{
    const char *where = "EventBridge event";
    const cJSON *detail;
    int rc;

    if (strcmp(detail_type, "Scheduled Event") == 0) {
        ev->trigger = TW_TRIGGER_SCHEDULE;
    } else if (strcmp(detail_type, "AWS API Call via CloudTrail") == 0) {
        ev->trigger = TW_TRIGGER_API_CALL;
    } else {
        tw_err_set(err,
                   "EventBridge detail-type \"%.64s\" is not supported (expected \"Scheduled "
                   "Event\" or \"AWS API Call via CloudTrail\")",
                   detail_type);
        return TW_EUNSUPPORTED;
    }
    if ((rc = s_get_string(&ev->account_id, root, where, "account", 1, err)) ||
        (rc = s_get_string(&ev->region, root, where, "region", 1, err)) ||
        (rc = s_get_string(&ev->event_id, root, where, "id", 0, err)) ||
        (rc = s_get_time(&ev->ordering_time_ms, root, where, "time", err)))
        return rc;
    if (ev->trigger == TW_TRIGGER_API_CALL) {
        detail = cJSON_GetObjectItemCaseSensitive(root, "detail");
        if (!cJSON_IsObject(detail)) {
            tw_err_set(err, "API-call event has no \"detail\" object");
            return TW_EPARSE;
        }
        if ((rc = s_get_string(&ev->api_event_name, detail, "detail", "eventName", 0, err)))
            return rc;
    }
    return TW_OK;
}

/* cJSON stops at the end of the first value; trailing bytes other than
 * whitespace make the document invalid. */
static cJSON *s_parse_whole(struct tw_span body)
{
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(body.ptr, body.len, &end, 0);

    if (!root)
        return NULL;
    while (end < body.ptr + body.len && strchr(" \t\r\n", *end) && *end)
        end++;
    if (end != body.ptr + body.len) {
        cJSON_Delete(root);
        return NULL;
    }
    return root;
}

int tw_event_parse(struct tw_event *out, struct tw_span body, struct tw_err *err)
{
    cJSON *root = NULL;
    const cJSON *dt;
    int rc = TW_EPARSE;

    memset(out, 0, sizeof(*out));
    if (body.len > TW_MAX_EVENT) {
        tw_err_set(err, "event is %zu bytes; the limit is %u", body.len, TW_MAX_EVENT);
        return TW_ETOOBIG;
    }
    root = s_parse_whole(body);
    if (!root) {
        tw_err_set(err, "event is not valid JSON");
        goto out;
    }
    if (!cJSON_IsObject(root)) {
        tw_err_set(err, "event must be a JSON object");
        goto out;
    }
    dt = cJSON_GetObjectItemCaseSensitive(root, "detail-type");
    if (cJSON_GetObjectItemCaseSensitive(root, "invokingEvent")) {
        rc = s_parse_config(out, root, err);
    } else if (cJSON_IsString(dt)) {
        rc = s_parse_eventbridge(out, root, dt->valuestring, err);
    } else {
        tw_err_set(err, "event is neither an AWS Config rule event (no \"invokingEvent\") nor an "
                        "EventBridge event (no \"detail-type\")");
        rc = TW_EUNSUPPORTED;
        goto out;
    }
    if (rc == TW_OK && !s_valid_account(out->account_id)) {
        tw_err_set(err, "account id \"%.32s\" is not 12 digits", out->account_id);
        rc = TW_EPARSE;
    }
out:
    cJSON_Delete(root);
    if (rc != TW_OK)
        tw_event_cleanup(out);
    return rc;
}
