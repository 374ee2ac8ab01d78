/* arn.h — Amazon Resource Names: arn:<partition>:<service>:<region>:<account>:<resource>.
 *
 * Used for execution-role, trail, log-group and topic ARNs. Parsing never
 * allocates: every field is a span into the caller's string. */
#ifndef TW_ARN_H
#define TW_ARN_H

#include "tw.h"

/* Longest ARN accepted (IAM and most services document 2048). */
#define TW_ARN_MAX 2048

struct tw_arn {
    struct tw_span partition; /* "aws", "aws-cn", "aws-us-gov", ... */
    struct tw_span service;   /* "iam", "logs", "sns", ... */
    struct tw_span region;    /* empty for global services (IAM) */
    struct tw_span account;   /* 12 digits, "aws" (AWS-managed) or empty (S3) */
    struct tw_span resource;  /* everything after the fifth ':'; may hold ':' and '/' */
};

/* Splits `arn` into its fields; the spans borrow from `arn`. Checks syntax
 * only: "arn:" prefix, partition [a-z-]+, service [a-z0-9-]+, region
 * [a-z0-9-]*, account empty / "aws" / 12 digits, a non-empty resource
 * without control characters, at most TW_ARN_MAX bytes. It does not require a
 * known partition (see tw_arn_partition_known). Returns TW_OK or TW_EPARSE
 * (err names the field); on failure *out is zeroed. */
int tw_arn_parse(struct tw_arn *out, struct tw_span arn, struct tw_err *err);

/* 1 if `partition` is one trailwatch can reach: aws, aws-cn or aws-us-gov. */
int tw_arn_partition_known(struct tw_span partition);

/* 1 if `account` is exactly 12 ASCII digits. */
int tw_arn_account_valid(struct tw_span account);

/* Splits a resource at its first ':' or '/': "log-group:name:*" gives
 * type "log-group" and id "name:*"; "trail/t1" gives "trail" and "t1". A
 * resource with neither (an SNS topic name) gives an empty type and the whole
 * resource as id. Spans borrow from `resource`. Cannot fail. */
void tw_arn_resource_split(struct tw_span *type, struct tw_span *id, struct tw_span resource);

#endif
