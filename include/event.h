/* event.h — every trigger trailwatch accepts, decoded into one struct.
 *
 * Accepted:
 *  - AWS Config custom-rule events (invokingEvent and ruleParameters are JSON
 *    documents inside JSON strings) of messageType ScheduledNotification,
 *    ConfigurationItemChangeNotification or
 *    OversizedConfigurationItemChangeNotification;
 *  - EventBridge "Scheduled Event" and "AWS API Call via CloudTrail" events.
 * Anything else is TW_EUNSUPPORTED; malformed input is TW_EPARSE (or
 * TW_ETOOBIG past TW_MAX_EVENT). The message in `err` says what was expected. */
#ifndef TW_EVENT_H
#define TW_EVENT_H

#include "tw.h"

#include <stdint.h>

/* Lambda's synchronous payload limit; asynchronous events are smaller. */
#define TW_MAX_EVENT (6u * 1024u * 1024u)

struct cJSON;

enum tw_trigger {
    TW_TRIGGER_CONFIG_PERIODIC,  /* ScheduledNotification */
    TW_TRIGGER_CONFIG_CHANGE,    /* ConfigurationItemChangeNotification */
    TW_TRIGGER_CONFIG_OVERSIZED, /* OversizedConfigurationItemChangeNotification */
    TW_TRIGGER_SCHEDULE,         /* EventBridge Scheduled Event */
    TW_TRIGGER_API_CALL,         /* EventBridge AWS API Call via CloudTrail */
};

struct tw_event {
    enum tw_trigger trigger;
    char *account_id;          /* the account to evaluate (12 digits) */
    int64_t ordering_time_ms;  /* Config: OrderingTimestamp; EventBridge: event time */

    /* Config events only (NULL / 0 otherwise). */
    char *result_token;        /* as sent; "TESTMODE" sets test_mode */
    int test_mode;
    int left_scope;            /* eventLeftScope: the verdict is NOT_APPLICABLE */
    char *config_rule_name;
    char *config_rule_arn;
    char *execution_role_arn;
    struct cJSON *rule_parameters; /* parsed object; NULL when absent or empty */
    char *resource_type;       /* change notifications: the item that changed */
    char *resource_id;

    /* EventBridge events only. */
    char *region;              /* the event's region */
    char *event_id;
    char *api_event_name;      /* API-call events: detail.eventName */
};

/* Parses one invocation payload. On success release *out with
 * tw_event_cleanup(); on failure *out is zeroed and `err` says why. */
int tw_event_parse(struct tw_event *out, struct tw_span body, struct tw_err *err);
void tw_event_cleanup(struct tw_event *ev);

int tw_event_is_config(const struct tw_event *ev);
/* "config-periodic", "config-change", ... for logs and the response. */
const char *tw_trigger_name(enum tw_trigger trigger);

#endif
