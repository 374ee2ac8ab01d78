/* awsproto.h — the wire protocol of every AWS operation trailwatch calls:
 * request bodies, reply parsers and AWS error bodies. No I/O: bytes in,
 * structs out. The HTTP engine (aws.h) sends what the builders produce and
 * hands the 2xx bodies to the parsers.
 *
 * JSON 1.1 (CloudTrail, CloudWatch Logs, Config): POST /, Content-Type
 *   TW_PROTO_CT_JSON11, X-Amz-Target TW_TARGET_<OP>, body from cJSON.
 * Query (CloudWatch, SNS, STS): POST /, Content-Type TW_PROTO_CT_QUERY,
 *   body "Action=<Op>&Version=<ver>&..." with the members in model order,
 *   replies in XML (PROTOCOLS.md §3, §5; decision D1).
 *
 * Builders append to `out` (normally an empty buffer) and leave it unchanged
 * on failure (TW_ETOOBIG past out->max, TW_ERR for a missing required
 * argument, TW_ENOMEM).
 *
 * Parsers read one reply page. Unknown members are ignored; a member of the
 * wrong type, a missing required member, or a body that is not one complete
 * JSON value / XML document (truncated, garbage, invalid UTF-8, a DTD) is
 * TW_EPARSE with err->msg naming the reply and the member; counts and string
 * lengths are capped (TW_ETOOBIG). An absent optional member is left absent
 * (NULL string, have_ = 0), never turned into a zero.
 * List parsers APPEND to (*items, *n_items), so pages accumulate: start with
 * NULL / 0. On failure the list is unchanged (earlier pages stay, still owned
 * by the caller) and *next_token is NULL. A next token of "" counts as none. */
#ifndef TW_AWSPROTO_H
#define TW_AWSPROTO_H

#include "creds.h"
#include "facts.h"
#include "report.h"
#include "tw.h"

#include <stddef.h>

/* ---- wire constants --------------------------------------------------------------- */

#define TW_PROTO_CT_JSON11 "application/x-amz-json-1.1"
#define TW_PROTO_CT_QUERY "application/x-www-form-urlencoded; charset=utf-8"

#define TW_TARGET_CLOUDTRAIL "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101"
#define TW_TARGET_LOGS "Logs_20140328"
#define TW_TARGET_CONFIG "StarlingDoveService"
#define TW_TARGET_DESCRIBE_TRAILS TW_TARGET_CLOUDTRAIL ".DescribeTrails"
#define TW_TARGET_GET_TRAIL_STATUS TW_TARGET_CLOUDTRAIL ".GetTrailStatus"
#define TW_TARGET_GET_EVENT_SELECTORS TW_TARGET_CLOUDTRAIL ".GetEventSelectors"
#define TW_TARGET_DESCRIBE_METRIC_FILTERS TW_TARGET_LOGS ".DescribeMetricFilters"
#define TW_TARGET_PUT_EVALUATIONS TW_TARGET_CONFIG ".PutEvaluations"
#define TW_TARGET_PUT_EXTERNAL_EVALUATION TW_TARGET_CONFIG ".PutExternalEvaluation"

#define TW_QUERY_VERSION_CLOUDWATCH "2010-08-01"
#define TW_QUERY_VERSION_SNS "2010-03-31"
#define TW_QUERY_VERSION_STS "2011-06-15"

/* ---- caps ------------------------------------------------------------------------- */

#define TW_PROTO_MAX_BODY (16u * 1024u * 1024u) /* = TW_AWS_MAX_RESPONSE */
#define TW_PROTO_MAX_ITEMS 10000         /* items in one reply page */
#define TW_PROTO_MAX_TOTAL_ITEMS 100000  /* items accumulated over pages */
#define TW_PROTO_MAX_LIST 1000           /* nested lists: actions, dimensions, values */
#define TW_PROTO_MAX_EVALUATIONS 100     /* PutEvaluations per call */

/* ---- AWS error bodies --------------------------------------------------------------- */

/* JSON 1.1: {"__type":"prefix#Code:extra","message"|"Message":"..."}. The code
 * is botocore's: cut at the first ':', then the text after the last '#'.
 * On TW_OK err->aws_code holds the code and err->msg the message (control
 * characters blanked, truncated; "" when the body has none); err->service,
 * operation, http_status, request_id and transient are left alone.
 * TW_EPARSE when the body is not such an object (no usable __type): err is
 * then untouched and the caller reports the HTTP status alone. */
int tw_aws_parse_json_error(struct tw_err *err, struct tw_span body);

/* Query: <ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/>
 * </ErrorResponse>, also EC2's <Response><Errors><Error>..</Error></Errors>
 * <RequestID/></Response> and a bare <Error> root. Fills aws_code, msg and,
 * when the body has one, request_id. TW_EPARSE (err untouched) when the body
 * is not a recognisable error. */
int tw_aws_parse_query_error(struct tw_err *err, struct tw_span body);

/* Error-code classes (exact, case-sensitive; NULL or "" gives 0).
 * throttling: PROTOCOLS.md §8's list, as botocore's standard retry mode
 *   (LimitExceededException included, as botocore does, though in Config it
 *   is a real limit).
 * retryable: throttling plus RequestTimeout, RequestTimeoutException,
 *   PriorRequestNotComplete. 5xx statuses are the caller's to add.
 * access_denied: the caller's identity lacks permission on the resource —
 *   AccessDenied, AccessDeniedException, AuthorizationError (SNS),
 *   UnauthorizedOperation (EC2), UnauthorizedException. Not
 *   UnrecognizedClientException / InvalidClientTokenId: those mean the
 *   credentials themselves are bad (see bad_credentials), which says nothing
 *   about the account's configuration.
 * bad_credentials: unknown key, bad signature, expired token or request
 *   (ExpiredToken, ExpiredTokenException, InvalidClientTokenId,
 *   UnrecognizedClientException, SignatureDoesNotMatch,
 *   InvalidSignatureException, IncompleteSignature(Exception),
 *   MissingAuthenticationToken(Exception), RequestExpired,
 *   RequestTimeTooSkewed, InvalidAccessKeyId, AuthFailure).
 * not_found: the named resource does not exist — ResourceNotFoundException,
 *   TrailNotFoundException, NotFound (SNS), NotFoundException, NoSuchEntity,
 *   NoSuchEntityException, ResourceNotFound. (NoSuchConfigRuleException is
 *   a deployment error, not a vanished resource: not included.) */
int tw_aws_error_is_throttling(const char *code);
int tw_aws_error_is_retryable(const char *code);
int tw_aws_error_is_access_denied(const char *code);
int tw_aws_error_is_bad_credentials(const char *code);
int tw_aws_error_is_not_found(const char *code);

/* ---- form encoding (Query bodies) ---------------------------------------------------- */

/* Appends `s` percent-encoded: every byte but A-Z a-z 0-9 - _ . ~ becomes
 * uppercase %XX (space is %20, UTF-8 bytes are encoded one by one). On
 * failure `out` is unchanged. */
int tw_form_encode(struct tw_buf *out, struct tw_span s);

/* Appends "name=value" (both encoded), preceded by '&' unless `form` is
 * empty. A NULL value is sent as "name=" (botocore's empty list). On failure
 * `form` is unchanged. */
int tw_form_add(struct tw_buf *form, const char *name, const char *value, struct tw_err *err);

/* ---- request builders ---------------------------------------------------------------- */

/* CloudTrail DescribeTrails: {"trailNameList":[..],"includeShadowTrails":b};
 * trailNameList is omitted when n_names is 0. */
int tw_proto_describe_trails_request(struct tw_buf *out, const char *const *names, size_t n_names,
                                     int include_shadow_trails, struct tw_err *err);
/* CloudTrail GetTrailStatus {"Name":..} and GetEventSelectors
 * {"TrailName":..}: pass the trail ARN (shadow trails need it). */
int tw_proto_get_trail_status_request(struct tw_buf *out, const char *trail_arn,
                                      struct tw_err *err);
int tw_proto_get_event_selectors_request(struct tw_buf *out, const char *trail_arn,
                                         struct tw_err *err);
/* Logs DescribeMetricFilters {"logGroupName":..[,"nextToken":..]} (the
 * service's default page size, 50, is its maximum). `next_token` may be NULL. */
int tw_proto_describe_metric_filters_request(struct tw_buf *out, const char *log_group_name,
                                             const char *next_token, struct tw_err *err);
/* Config PutEvaluations {"Evaluations":[..],"ResultToken":..,"TestMode":b};
 * items from tw_report_evaluation_json(). 0..TW_PROTO_MAX_EVALUATIONS items
 * (more is TW_ETOOBIG). */
int tw_proto_put_evaluations_request(struct tw_buf *out, const struct tw_evaluation *evals,
                                     size_t n_evals, const char *result_token, int test_mode,
                                     struct tw_err *err);
/* Config PutExternalEvaluation {"ConfigRuleName":..,"ExternalEvaluation":{..}}. */
int tw_proto_put_external_evaluation_request(struct tw_buf *out, const char *config_rule_name,
                                             const struct tw_evaluation *e, struct tw_err *err);
/* CloudWatch DescribeAlarmsForMetric: MetricName, Namespace and every
 * dimension as Dimensions.member.N.Name / .Value (omitted when n_dims is 0). */
int tw_proto_describe_alarms_for_metric_request(struct tw_buf *out, const char *metric_name,
                                                const char *metric_namespace,
                                                const struct tw_dimension *dims, size_t n_dims,
                                                struct tw_err *err);
/* CloudWatch DescribeAlarms: AlarmTypes.member.1=MetricAlarm, MaxRecords=100
 * [, NextToken]. */
int tw_proto_describe_alarms_request(struct tw_buf *out, const char *next_token,
                                     struct tw_err *err);
/* SNS ListSubscriptionsByTopic: TopicArn [, NextToken]. */
int tw_proto_list_subscriptions_by_topic_request(struct tw_buf *out, const char *topic_arn,
                                                 const char *next_token, struct tw_err *err);
/* STS AssumeRole: RoleArn, RoleSessionName, DurationSeconds (omitted when 0). */
int tw_proto_assume_role_request(struct tw_buf *out, const char *role_arn,
                                 const char *session_name, int duration_seconds,
                                 struct tw_err *err);
/* STS GetCallerIdentity: Action and Version only. */
int tw_proto_get_caller_identity_request(struct tw_buf *out, struct tw_err *err);

/* ---- reply parsers ------------------------------------------------------------------- */

/* DescribeTrails: appends one struct tw_trail per trailList item (name,
 * arn, home_region, owner_account = the ARN's account, is_multi_region,
 * is_organization_trail, has_custom_event_selectors, log_group_arn).
 * Name and TrailARN (a parseable ARN with a 12-digit account) are required.
 * The three booleans read 0 when absent, as botocore consumers do (older
 * replies omit IsOrganizationTrail and HasCustomEventSelectors); an empty
 * CloudWatchLogsLogGroupArn is NULL. A missing trailList is an empty list.
 * Release items with tw_trail_cleanup (or all with tw_proto_trails_free). */
int tw_proto_parse_describe_trails(struct tw_trail **trails, size_t *n_trails,
                                   struct tw_span body, struct tw_err *err);

/* GetTrailStatus into `trail`: is_logging (IsLogging is required),
 * latest_cwl_delivery_error (NULL when absent or ""), latest_cwl_delivery_ms
 * (LatestCloudWatchLogsDeliveryTime, epoch seconds -> ms; 0 when absent).
 * On failure `trail` is unchanged. */
int tw_proto_parse_get_trail_status(struct tw_trail *trail, struct tw_span body,
                                    struct tw_err *err);

/* GetEventSelectors into `trail` (replacing its basic/advanced selectors):
 * EventSelectors -> basic (ReadWriteType ReadOnly|WriteOnly|All, absent All;
 * IncludeManagementEvents absent true; ExcludeManagementEventSources), or
 * AdvancedEventSelectors -> advanced (Name, FieldSelectors with Field
 * required and the six operator lists). Both non-empty is TW_EPARSE; an
 * unknown ReadWriteType is TW_EPARSE. On failure `trail` is unchanged. */
int tw_proto_parse_get_event_selectors(struct tw_trail *trail, struct tw_span body,
                                       struct tw_err *err);

/* DescribeMetricFilters: appends filters (filterName required; filterPattern
 * absent -> ""; metricTransformations[0] required with metricName,
 * metricNamespace, metricValue; defaultValue -> have_default_value;
 * dimensions map -> tw_dimension {key, "$.field"}); *next_token gets
 * nextToken (malloc'd) or NULL. Release items with tw_metric_filter_cleanup. */
int tw_proto_parse_describe_metric_filters(struct tw_metric_filter **filters, size_t *n_filters,
                                           char **next_token, struct tw_span body,
                                           struct tw_err *err);

/* DescribeAlarms (also accepts a DescribeAlarmsForMetric reply, whose
 * MetricAlarms have the same shape): appends MetricAlarms/member items
 * (CompositeAlarms are ignored); *next_token gets NextToken or NULL.
 * AlarmName and ActionsEnabled are required; the rest are optional (a
 * metric-math alarm has metrics[] and no metric_name). Release items with
 * tw_alarm_cleanup. */
int tw_proto_parse_describe_alarms(struct tw_alarm **alarms, size_t *n_alarms, char **next_token,
                                   struct tw_span body, struct tw_err *err);
/* DescribeAlarmsForMetric only (one page, no token). */
int tw_proto_parse_describe_alarms_for_metric(struct tw_alarm **alarms, size_t *n_alarms,
                                              struct tw_span body, struct tw_err *err);

/* ListSubscriptionsByTopic: appends Subscriptions/member items
 * (SubscriptionArn — TW_SNS_PENDING while unconfirmed — and Protocol
 * required, Endpoint optional); *next_token gets NextToken or NULL. Release
 * with tw_proto_subscriptions_free. */
int tw_proto_parse_list_subscriptions_by_topic(struct tw_subscription **subs, size_t *n_subs,
                                               char **next_token, struct tw_span body,
                                               struct tw_err *err);

/* AssumeRole: Credentials {AccessKeyId, SecretAccessKey, SessionToken,
 * Expiration (ISO 8601)} into *out via tw_creds_set (source
 * "sts:AssumeRole"). Every copy of the secret this function makes is wiped.
 * On failure *out is zeroed. */
int tw_proto_parse_assume_role(struct tw_creds *out, struct tw_span body, struct tw_err *err);

/* GetCallerIdentity: Account and Arn (both required, malloc'd). On failure
 * both are NULL. */
int tw_proto_parse_get_caller_identity(char **account, char **arn, struct tw_span body,
                                       struct tw_err *err);

/* PutEvaluations: *n_failed = the number of FailedEvaluations (absent: 0).
 * With `sent` (the n_sent evaluations of the request) and `failed` (an
 * array of n_sent flags), each failed item is matched to the first unmatched
 * sent evaluation with the same ComplianceResourceType, ComplianceResourceId
 * and ComplianceType and failed[i] is set to 1 (others 0): resend exactly
 * those. A failed item that matches nothing sent is TW_EPARSE. Pass NULL, NULL,
 * 0 to only count. */
int tw_proto_parse_put_evaluations(size_t *n_failed, unsigned char *failed,
                                   const struct tw_evaluation *sent, size_t n_sent,
                                   struct tw_span body, struct tw_err *err);

/* ---- releasing parsed lists ------------------------------------------------------------- */

/* Each cleans up n items and frees the array. NULL-safe. */
void tw_proto_trails_free(struct tw_trail *trails, size_t n);
void tw_proto_filters_free(struct tw_metric_filter *filters, size_t n);
void tw_proto_alarms_free(struct tw_alarm *alarms, size_t n);
void tw_proto_subscriptions_free(struct tw_subscription *subs, size_t n);

#endif
