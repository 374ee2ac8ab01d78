"""SNS (Query): ListSubscriptionsByTopic.

Fixture: account["topics"][topic_arn] = {"subscriptions": [{Protocol, Endpoint,
SubscriptionArn?, Owner?}], "allow_accounts": [other accounts that may read it]}.
The topic lives in the account and region named by its ARN.
"""
import uuid

from .base import error, parse_arn


def _invalid(what):
    return error("InvalidParameter", "Invalid parameter: %s" % what)


def _subscription(topic_arn, owner, i, sub):
    out = {"SubscriptionArn": "%s:%s" % (topic_arn, uuid.uuid5(uuid.NAMESPACE_URL, "%s#%d" % (topic_arn, i))),
           "Owner": owner, "TopicArn": topic_arn}
    out.update(sub)
    return out


def list_subscriptions_by_topic(ctx, params):
    topic_arn = params["TopicArn"]
    arn = parse_arn(topic_arn)
    if arn is None or arn["service"] != "sns" or not arn["resource"] or ":" in arn["resource"]:
        raise _invalid("TopicArn")
    if arn["region"] != ctx.region:
        raise _invalid("TopicArn")
    owner = arn["account"]
    topic = ((ctx.state.account(owner) or {}).get("topics") or {}).get(topic_arn)
    if topic is None:
        raise error("NotFound", "Topic does not exist", 404)
    if owner != ctx.account_id and ctx.account_id not in topic.get("allow_accounts", []):
        raise error("AuthorizationError",
                    "User: %s is not authorized to perform: SNS:ListSubscriptionsByTopic on resource: %s "
                    "because no resource-based policy allows the SNS:ListSubscriptionsByTopic action"
                    % (ctx.key.arn, topic_arn), 403)
    subs = [_subscription(topic_arn, owner, i, s) for i, s in enumerate(topic.get("subscriptions", []))]
    page, token = ctx.paginate(subs, params.get("NextToken"), ctx.state.page_size_for(ctx.operation),
                               {"TopicArn": topic_arn}, lambda: _invalid("NextToken"))
    out = {"Subscriptions": page}
    if token:
        out["NextToken"] = token
    return out


OPERATIONS = {"ListSubscriptionsByTopic": list_subscriptions_by_topic}
RESOURCES = {"ListSubscriptionsByTopic": lambda ctx, p: p.get("TopicArn")}
