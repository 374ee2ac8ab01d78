/* filter.h — CloudWatch Logs filter patterns: parse, evaluate, and decide
 * whether a metric filter catches every CloudTrail configuration change.
 *
 * Pure code: no I/O, no clock, no environment. Grammar and sources are in
 * PROTOCOLS.md §7; the documented syntax is
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html
 * (archived as awsdocs/amazon-cloudwatch-logs-user-guide doc_source/FilterAndPatternSyntax.md).
 *
 * Pattern forms (case-sensitive, at most TW_FILTER_MAX_PATTERN bytes):
 *   ""  or only whitespace             matches every event
 *   { $.a.b[0] = "x*" && ... }          JSON: = != < > <= >=, IS NULL/TRUE/FALSE,
 *                                        NOT EXISTS, && binds tighter than ||, ( ),
 *                                        %regex% values (at most 2 per pattern)
 *   ERROR "a phrase" ?opt -excluded     terms: substring tests on the raw message
 *   [ip, user, ..., status = 4*]        space-delimited fields
 *
 * Documented, and easy to get wrong:
 *   - a selector that reaches an object or array never matches, not even
 *     with != ("both {$.users = 1} and {$.users != 1} will fail");
 *   - IS NULL is true only for a JSON null, NOT EXISTS only for a missing field;
 *   - '*' is a wildcard only as the first and/or last character of a value
 *     ("Ev*ent will only match the actual string Ev*ent");
 *   - numbers compare as numbers (400 = 400.0 = 4e2); { $.latency = * }
 *     matches a number.
 * Undocumented, decided so the pattern matches *fewer* events (the JSON
 * language is monotone, so a coverage proof never leans on a guess):
 *   - != on an absent field, null, a boolean or across types is false
 *     ("{ $.errorCode != X }" misses every successful call);
 *   - a number constant never matches a JSON string (not even "400" for 400),
 *     a string constant never a JSON number (except the lone "*"), a regex
 *     never a number;
 *   - NOT EXISTS is false when the path runs through a scalar or the wrong
 *     container ($.eventName.x, an index into an object);
 *   - terms mixing ?optional and plain terms need all plain terms AND one
 *     optional term; '*' in a term is literal.
 * Other choices: %regex% is a search (as %AUTHORIZED% matching UNAUTHORIZED
 * in the documentation), Java-like, '$' = end of input; a backslash makes the
 * next character literal inside quotes; a space-delimited pattern allows one
 * "...", needs exactly as many fields without it, splits on runs of blanks,
 * and "..." and [...] group a field; an empty element is an unnamed field
 * (the documented [..., status_code=4*,]).
 */
#ifndef TW_FILTER_H
#define TW_FILTER_H

#include "tw.h"

struct cJSON; /* <cjson/cJSON.h> */

#define TW_FILTER_MAX_PATTERN 1024 /* filterPattern length limit (PutMetricFilter) */
#define TW_FILTER_MAX_REGEX 2      /* "%regex%" terms per pattern (documented quota) */

enum tw_filter_kind {
    TW_FILTER_EMPTY = 0, /* matches everything */
    TW_FILTER_JSON,
    TW_FILTER_TERMS,
    TW_FILTER_DELIMITED,
};

struct tw_filter; /* a parsed pattern; immutable after parse, safe to share */

/* Parses `pattern`. On success *out is a new filter (release with
 * tw_filter_free). On failure returns TW_EPARSE with err->msg
 * "column N: <what is wrong>" where N is the 1-based byte offset into the
 * pattern (a newline counts as one column), or TW_ENOMEM; *out is NULL. */
int tw_filter_parse(struct tw_filter **out, struct tw_span pattern, struct tw_err *err);
void tw_filter_free(struct tw_filter *f); /* NULL-safe */
enum tw_filter_kind tw_filter_kind(const struct tw_filter *f);

/* 1 if the pattern matches the log event, else 0 (also 0 for NULL input).
 * _json: the event as a parsed document; term and space-delimited patterns
 * are applied to its compact JSON text (cJSON_PrintUnformatted).
 * _text: the raw message; a JSON pattern matches only a message that parses
 * as JSON. Neither keeps any pointer. */
int tw_filter_match_json(const struct tw_filter *f, const struct cJSON *event);
int tw_filter_match_text(const struct tw_filter *f, struct tw_span message);

/* Result of tw_filter_covers_trail_changes. */
struct tw_coverage {
    int covered;            /* 1: proven to match every event of the class */
    int exact;              /* 1: the verdict is decided (proof or counterexample);
                             * 0: "not proven" (term and space-delimited
                             * patterns only) */
    char missed_event[768]; /* when covered == 0 && exact == 1: a compact JSON
                             * CloudTrail record the pattern misses (verified by
                             * tw_filter_match_json), or "" in the rare case it
                             * does not fit (long constants); otherwise "" */
    char reason[256];       /* one line for people */
};

/* Decides whether `f` matches every CloudTrail record with eventSource
 * "cloudtrail.amazonaws.com" and eventName CreateTrail, UpdateTrail,
 * DeleteTrail, StartLogging or StopLogging, every other field being free
 * (absent, null, true/false, any string, number, object or array).
 *
 * JSON patterns are decided exactly (with respect to tw_filter_match_json):
 * the language is monotone (&& and || over atoms), and one record per name
 * makes every atom on a free field false (each named field an object, leaves
 * {}), so the pattern covers the class iff it matches those five records.
 * When it does not, a search over representative values of the named fields
 * (each constant, a string in every cell of the wildcard/regex languages,
 * numbers at and between the constants, null, true, false, absent, objects
 * and arrays holding the named children) finds a recognisable counterexample
 * such as {"eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging",
 * "errorCode":"AccessDenied"}; if its budget runs out, the all-objects record
 * is returned instead.
 *
 * Term patterns are run against the compact JSON text of sample records
 * (CloudTrail delivers compact JSON); "covered" needs every required term, and
 * for each name one ?optional term, inside `"eventSource":"cloudtrail.amazonaws.com"`
 * or `"eventName":"<name>"`, and no -excluded term; an excluded term that no
 * sample shows gives "not proven" (exact = 0). Space-delimited patterns are
 * never "covered": a CloudTrail record is one JSON object whose split into
 * blank-separated fields depends on free text, so positions and counts are
 * not reliable ("not proven" unless a sample record is missed).
 *
 * Every counterexample is re-parsed and re-evaluated before it is returned;
 * if that self-check fails the function returns TW_ERR (a bug, not a
 * verdict). Returns TW_OK with *out filled, TW_ENOMEM, or TW_ERR. */
int tw_filter_covers_trail_changes(struct tw_coverage *out, const struct tw_filter *f,
                                   struct tw_err *err);

/* The decision of tw_filter_covers_trail_changes, without the counterexample:
 * out->covered and out->exact are what that function sets, out->reason names
 * the first missed eventName (or says why it is not proven), and
 * out->missed_event is always "". No counterexample is searched for, printed
 * or re-checked, so this costs a few evaluations of the pattern (the five
 * decisive records, or the term samples) where the full analysis may search
 * for a recognisable record. For ranking many filters before explaining one,
 * and for callers that only need to know whether a filter qualifies.
 * Returns TW_OK, TW_ENOMEM or TW_ERR. */
int tw_filter_decide_trail_changes(struct tw_coverage *out, const struct tw_filter *f,
                                   struct tw_err *err);

/* 1 if `pattern` equals the CIS reference pattern
 * { ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging) }
 * once all whitespace is removed from both (Security Hub CloudWatch.5's test). */
int tw_filter_is_cis_exact(struct tw_span pattern);

#endif
