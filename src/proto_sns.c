/* proto_sns.c — SNS (Query): ListSubscriptionsByTopic. */
#include "proto_int.h"

#include <stdlib.h>
#include <string.h>

int tw_proto_list_subscriptions_by_topic_request(struct tw_buf *out, const char *topic_arn,
                                                 const char *next_token, struct tw_err *err)
{
    static const char op[] = "ListSubscriptionsByTopic";
    struct tw_buf form;
    int rc;

    tw_buf_init(&form, out->max);
    if ((rc = tw_proto_need(topic_arn, op, "TopicArn", err)) != TW_OK ||
        (rc = tw_proto_form_start(&form, op, TW_QUERY_VERSION_SNS, err)) != TW_OK ||
        (rc = tw_form_add(&form, "TopicArn", topic_arn, err)) != TW_OK ||
        (next_token && next_token[0] &&
         (rc = tw_form_add(&form, "NextToken", next_token, err)) != TW_OK))
        goto out;
    rc = tw_proto_commit(out, &form, op, err);
out:
    tw_buf_cleanup(&form);
    return rc;
}

static int s_subscription(void *item, const struct tw_xml_node *m, struct tw_err *err)
{
    struct tw_subscription *sub = item;
    int rc;

    /* An unconfirmed subscription's ARN is the literal "PendingConfirmation". */
    if ((rc = tw_xml_get_string(&sub->arn, m, "SubscriptionArn", 1, err)) != TW_OK ||
        (rc = tw_xml_get_string(&sub->protocol, m, "Protocol", 1, err)) != TW_OK)
        return rc;
    return tw_xml_get_string(&sub->endpoint, m, "Endpoint", 0, err);
}

static void s_subscriptions_free(void *items, size_t n)
{
    tw_proto_subscriptions_free(items, n);
}

int tw_proto_parse_list_subscriptions_by_topic(struct tw_subscription **subs, size_t *n_subs,
                                               char **next_token, struct tw_span body,
                                               struct tw_err *err)
{
    static const struct tw_proto_xml_list spec = {
        "ListSubscriptionsByTopic", NULL, "Subscriptions", sizeof(struct tw_subscription),
        s_subscription, s_subscriptions_free
    };
    void *grown;
    size_t added;
    int rc = tw_proto_xml_list_page(&spec, &grown, *subs, *n_subs, &added, next_token, body, err);

    *subs = grown;
    *n_subs += added;
    return rc;
}
