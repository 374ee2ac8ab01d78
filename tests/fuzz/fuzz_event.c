/* fuzz_event.c — libFuzzer target for the invocation event (tw_event_parse)
 * and the rule parameters it carries (tw_params_parse).
 *
 * Input: the raw invocation payload, as the Runtime API hands it over.
 * Beyond "no crash, no leak, no UB" it checks the contract of event.h:
 *   - on failure the struct is zeroed and err explains (one line);
 *   - on success the account is 12 digits, the trigger has a name, Config
 *     fields are set only for Config triggers, EventBridge ones only for
 *     EventBridge triggers, and TESTMODE sets test_mode;
 *   - parsing is deterministic (a second parse gives the same fields). */
#include "event.h"
#include "fuzz_common.h"
#include "params.h"

#include <cjson/cJSON.h>

static int s_streq(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

static void s_check_ok(const struct tw_event *ev)
{
    const char *name = tw_trigger_name(ev->trigger);

    FZ_CHECK(name != NULL && name[0] != '\0');
    FZ_CHECK(ev->account_id != NULL && strlen(ev->account_id) == 12);
    for (size_t i = 0; i < 12; i++)
        FZ_CHECK(ev->account_id[i] >= '0' && ev->account_id[i] <= '9');
    if (tw_event_is_config(ev)) {
        FZ_CHECK(ev->trigger == TW_TRIGGER_CONFIG_PERIODIC ||
                 ev->trigger == TW_TRIGGER_CONFIG_CHANGE ||
                 ev->trigger == TW_TRIGGER_CONFIG_OVERSIZED);
        FZ_CHECK(ev->region == NULL && ev->event_id == NULL && ev->api_event_name == NULL);
        FZ_CHECK(ev->test_mode == (ev->result_token && strcmp(ev->result_token, "TESTMODE") == 0));
        FZ_CHECK(ev->rule_parameters == NULL || cJSON_IsObject(ev->rule_parameters));
    } else {
        FZ_CHECK(ev->trigger == TW_TRIGGER_SCHEDULE || ev->trigger == TW_TRIGGER_API_CALL);
        FZ_CHECK(ev->result_token == NULL && ev->test_mode == 0 && ev->left_scope == 0);
        FZ_CHECK(ev->rule_parameters == NULL);
        FZ_CHECK(ev->trigger == TW_TRIGGER_API_CALL || ev->api_event_name == NULL);
    }
}

static void s_check_params(const struct cJSON *obj)
{
    struct tw_params p;
    struct tw_err err;
    int rc;

    memset(&err, 0, sizeof(err));
    memset(&p, 0x5a, sizeof(p));
    rc = tw_params_parse(&p, obj, &err);
    if (rc != TW_OK) {
        static const struct tw_params zero;
        fz_check_err(rc, &err);
        FZ_CHECK(memcmp(&p, &zero, sizeof(p)) == 0);
        return;
    }
    FZ_CHECK(p.strict == 0 || p.strict == 1);
    FZ_CHECK(memchr(p.external_monitoring, '\0', sizeof(p.external_monitoring)) != NULL);
    FZ_CHECK(memchr(p.execution_role_name, '\0', sizeof(p.execution_role_name)) != NULL);
    for (const char *c = p.execution_role_name; *c; c++)
        FZ_CHECK(((unsigned char)*c & 0x80) == 0 && (unsigned char)*c > 0x20);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct tw_event ev, again;
    struct tw_err err;
    struct tw_span body = { (const char *)data, size };
    int rc, rc2;

    memset(&err, 0, sizeof(err));
    memset(&ev, 0x5a, sizeof(ev));
    rc = tw_event_parse(&ev, body, &err);
    if (rc != TW_OK) {
        static const struct tw_event zero;
        fz_check_err(rc, &err);
        FZ_CHECK(rc == TW_EPARSE || rc == TW_EUNSUPPORTED || rc == TW_ETOOBIG || rc == TW_ENOMEM);
        FZ_CHECK(memcmp(&ev, &zero, sizeof(ev)) == 0);
        tw_event_cleanup(&ev); /* idempotent on a zeroed struct */
        return 0;
    }
    s_check_ok(&ev);
    s_check_params(ev.rule_parameters);

    memset(&err, 0, sizeof(err));
    rc2 = tw_event_parse(&again, body, &err);
    FZ_CHECK(rc2 == TW_OK);
    FZ_CHECK(again.trigger == ev.trigger && again.ordering_time_ms == ev.ordering_time_ms);
    FZ_CHECK(s_streq(again.account_id, ev.account_id));
    FZ_CHECK(s_streq(again.result_token, ev.result_token));
    FZ_CHECK(s_streq(again.resource_id, ev.resource_id));
    FZ_CHECK(s_streq(again.api_event_name, ev.api_event_name));
    tw_event_cleanup(&again);
    tw_event_cleanup(&ev);
    return 0;
}
