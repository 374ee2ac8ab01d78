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

int tw_proto_parse_list_subscriptions_by_topic(struct tw_subscription **subs, size_t *n_subs,
                                               char **next_token, struct tw_span body,
                                               struct tw_err *err)
{
    static const char op[] = "ListSubscriptionsByTopic";
    struct tw_xml_node *root = NULL;
    const struct tw_xml_node *result, *list;
    struct tw_subscription *tmp = NULL;
    char *token = NULL;
    void *grown;
    size_t n = 0, i = 0;
    int rc;

    *next_token = NULL;
    rc = tw_proto_xml_reply(&root, &result, body, op, NULL, err);
    if (rc != TW_OK)
        goto out;
    list = tw_xml_child(result, "Subscriptions");
    if ((rc = tw_proto_xml_count(&n, list, TW_PROTO_MAX_ITEMS, "Subscriptions", err)) != TW_OK ||
        (rc = tw_proto_xml_token(&token, result, "NextToken", err)) != TW_OK) {
        tw_err_prefix(err, "%s reply", op);
        goto out;
    }
    if (n > 0 && !(tmp = calloc(n, sizeof(*tmp)))) {
        tw_err_set(err, "out of memory");
        rc = TW_ENOMEM;
        goto out;
    }
    for (const struct tw_xml_node *m = tw_xml_next(list, NULL, "member"); m;
         m = tw_xml_next(list, m, "member"), i++) {
        /* An unconfirmed subscription's ARN is the literal "PendingConfirmation". */
        if ((rc = tw_xml_get_string(&tmp[i].arn, m, "SubscriptionArn", 1, err)) != TW_OK ||
            (rc = tw_xml_get_string(&tmp[i].protocol, m, "Protocol", 1, err)) != TW_OK ||
            (rc = tw_xml_get_string(&tmp[i].endpoint, m, "Endpoint", 0, err)) != TW_OK) {
            tw_err_prefix(err, "%s reply: Subscriptions member %zu", op, i + 1);
            goto out;
        }
    }
    rc = tw_proto_concat(&grown, *subs, *n_subs, tmp, n, sizeof(*tmp), op, err);
    if (rc != TW_OK)
        goto out;
    *subs = grown;
    *n_subs += n;
    free(tmp);
    tmp = NULL;
    *next_token = token;
    token = NULL;
out:
    tw_proto_subscriptions_free(tmp, n);
    free(token);
    tw_xml_free(root);
    return rc;
}
