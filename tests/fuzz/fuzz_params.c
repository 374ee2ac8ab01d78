/* fuzz_params.c — libFuzzer target for the rule parameters (tw_params_parse).
 *
 * Input: a JSON document (as Config's ruleParameters string holds). Whatever
 * cJSON makes of it is handed over, objects or not (tw_params_parse takes any
 * cJSON). Checks: failure zeroes the struct and explains; success gives
 * terminated fields within their caps, Strict is 0/1, a role name of
 * [A-Za-z0-9+=,.@_-]{1,64} and external text that is valid, visible,
 * control-free and at most 128 bytes. */
#include "fuzz_common.h"
#include "params.h"

#include <cjson/cJSON.h>

static int s_role_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           (c != '\0' && strchr("+=,.@_-", c) != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct tw_params zero;
    struct tw_params p;
    struct tw_err err;
    cJSON *doc;
    int rc;

    doc = cJSON_ParseWithLength((const char *)data, size);
    memset(&err, 0, sizeof(err));
    memset(&p, 0x5a, sizeof(p));
    rc = tw_params_parse(&p, doc, &err);
    if (rc != TW_OK) {
        fz_check_err(rc, &err);
        FZ_CHECK(memcmp(&p, &zero, sizeof(p)) == 0);
        FZ_CHECK(doc != NULL); /* no parameters at all is valid */
        cJSON_Delete(doc);
        return 0;
    }
    FZ_CHECK(p.strict == 0 || p.strict == 1);
    FZ_CHECK(memchr(p.external_monitoring, '\0', sizeof(p.external_monitoring)) != NULL);
    FZ_CHECK(memchr(p.execution_role_name, '\0', sizeof(p.execution_role_name)) != NULL);
    for (const char *c = p.execution_role_name; *c; c++)
        FZ_CHECK(s_role_char(*c));
    for (const char *c = p.external_monitoring; *c; c++)
        FZ_CHECK((unsigned char)*c >= 0x20 && *c != 0x7f);
    if (p.external_monitoring[0]) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(doc, "ExternalMonitoring");
        FZ_CHECK(cJSON_IsString(v) && strcmp(v->valuestring, p.external_monitoring) == 0);
    }
    if (p.execution_role_name[0]) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(doc, "ExecutionRoleName");
        FZ_CHECK(cJSON_IsString(v) && strcmp(v->valuestring, p.execution_role_name) == 0);
    }
    cJSON_Delete(doc);
    return 0;
}
