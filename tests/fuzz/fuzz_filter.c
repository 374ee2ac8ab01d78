/* fuzz_filter.c — libFuzzer target for the filter-pattern engine.
 *
 * Input: PATTERN [ '\0' MESSAGE ]. Without a NUL the message is a CloudTrail
 * record. Beyond "no crash, no leak, no UB" it checks properties that
 * catch wrong answers:
 *   - a parse error names a column inside the pattern (or one past it);
 *   - a JSON pattern gives the same answer on the text and on the parsed doc;
 *   - every glob atom's direct matcher agrees with its automaton;
 *   - every witness string really has the memberships reported for it;
 *   - coverage never fails its self-check (TW_ERR), a counterexample is
 *     missed and belongs to the class, and a "covered" pattern matches a
 *     battery of records of the class. */
#include "filter_int.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define S_CHECK(cond)                                                                              \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "fuzz_filter: check failed: %s (line %d)\n", #cond, __LINE__);         \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

static const char *const s_names[] = { "CreateTrail", "UpdateTrail", "DeleteTrail", "StartLogging",
                                       "StopLogging" };

static void s_check_error(const struct tw_err *err, size_t len)
{
    unsigned long col;

    S_CHECK(strncmp(err->msg, "column ", 7) == 0);
    col = strtoul(err->msg + 7, NULL, 10);
    S_CHECK(col >= 1 && col <= len + 1);
}

static void s_check_globs(const struct tw_filter *f, const char *msg, size_t n)
{
    for (size_t i = 0; i < f->natoms; i++) {
        const struct tw_fatom *a = &f->atoms[i];
        struct tw_fvalue v;
        int m, r;

        if (a->vkind != TW_FV_GLOB || (a->op != TW_OP_EQ && a->op != TW_OP_NE))
            continue;
        memset(&v, 0, sizeof(v));
        v.type = TW_VAL_STRING;
        v.s = msg;
        v.n = n;
        m = tw_nfa_match(&f->nfa, &a->lang, msg, n);
        r = tw_filter_atom_eval(f, a, &v);
        if (m >= 0)
            S_CHECK(r == (a->op == TW_OP_EQ ? m : !m));
    }
}

static void s_check_witnesses(const struct tw_filter *f)
{
    struct tw_lang langs[4];
    struct tw_witnesses w;
    size_t nl = 0;

    for (size_t i = 0; i < f->natoms && nl < 4; i++)
        if (f->atoms[i].vkind == TW_FV_GLOB || f->atoms[i].vkind == TW_FV_REGEX)
            langs[nl++] = f->atoms[i].lang;
    for (size_t i = 0; i < f->nterms && nl < 4; i++)
        if (f->terms[i].regex)
            langs[nl++] = f->terms[i].lang;
    if (nl == 0 || tw_nfa_witnesses(&w, &f->nfa, langs, nl) != TW_OK)
        return;
    for (size_t k = 0; k < w.n; k++) {
        S_CHECK(strlen(w.w[k].s) == w.w[k].n);
        for (size_t i = 0; i < nl; i++) {
            int m = tw_nfa_match(&f->nfa, &langs[i], w.w[k].s, w.w[k].n);
            if (m >= 0)
                S_CHECK(m == w.w[k].v[i]);
        }
    }
    tw_witnesses_cleanup(&w);
}

static cJSON *s_probe(const char *name, int variant)
{
    char text[600];

    switch (variant) {
    case 0:
        snprintf(text, sizeof(text),
                 "{\"eventSource\":\"cloudtrail.amazonaws.com\",\"eventName\":\"%s\"}", name);
        break;
    case 1:
        snprintf(text, sizeof(text),
                 "{\"eventName\":\"%s\",\"eventSource\":\"cloudtrail.amazonaws.com\",\"a\":[1,"
                 "{\"b\":null}],\"errorCode\":\"AccessDenied\"}",
                 name);
        break;
    default:
        snprintf(text, sizeof(text),
                 "{\"eventVersion\":\"1.08\",\"userIdentity\":{\"type\":\"Root\"},\"eventSource\":"
                 "\"cloudtrail.amazonaws.com\",\"eventName\":\"%s\",\"awsRegion\":\"us-east-1\","
                 "\"sourceIPAddress\":\"10.0.0.1\",\"requestParameters\":{\"name\":\"t\"},"
                 "\"resources\":[{\"ARN\":\"arn\"}],\"readOnly\":false,\"x\":5}",
                 name);
        break;
    }
    return cJSON_Parse(text);
}

static void s_check_coverage(const struct tw_filter *f)
{
    struct tw_coverage cov;
    struct tw_err err;
    int rc;

    memset(&err, 0, sizeof(err));
    rc = tw_filter_covers_trail_changes(&cov, f, &err);
    if (rc == TW_ENOMEM)
        return;
    if (rc != TW_OK) {
        fprintf(stderr, "fuzz_filter: coverage rc %d: %s\n", rc, err.msg);
        abort();
    }
    S_CHECK(cov.reason[0] != '\0');
    {
        /* The decision alone agrees with the analysis. */
        struct tw_coverage dec;
        rc = tw_filter_decide_trail_changes(&dec, f, &err);
        if (rc == TW_ENOMEM)
            return;
        S_CHECK(rc == TW_OK);
        S_CHECK(dec.covered == cov.covered && dec.exact == cov.exact);
        S_CHECK(dec.missed_event[0] == '\0');
    }
    if (cov.covered) {
        S_CHECK(cov.exact == 1);
        S_CHECK(cov.missed_event[0] == '\0');
        for (size_t k = 0; k < TW_ARRAY_LEN(s_names); k++)
            for (int v = 0; v < 3; v++) {
                cJSON *ev = s_probe(s_names[k], v);
                S_CHECK(ev != NULL);
                S_CHECK(tw_filter_match_json(f, ev) == 1);
                cJSON_Delete(ev);
            }
    } else if (cov.exact && cov.missed_event[0]) {
        cJSON *ev = cJSON_Parse(cov.missed_event);
        const cJSON *src, *name;
        int in_class = 0;

        S_CHECK(ev != NULL);
        src = cJSON_GetObjectItemCaseSensitive(ev, "eventSource");
        name = cJSON_GetObjectItemCaseSensitive(ev, "eventName");
        S_CHECK(cJSON_IsString(src) && strcmp(src->valuestring, "cloudtrail.amazonaws.com") == 0);
        S_CHECK(cJSON_IsString(name));
        for (size_t k = 0; k < TW_ARRAY_LEN(s_names); k++)
            in_class |= strcmp(name->valuestring, s_names[k]) == 0;
        S_CHECK(in_class);
        S_CHECK(tw_filter_match_json(f, ev) == 0);
        S_CHECK(tw_filter_match_text(f, tw_span_cstr(cov.missed_event)) == 0);
        cJSON_Delete(ev);
    } else {
        S_CHECK(cov.missed_event[0] == '\0');
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char record[] =
        "{\"eventVersion\":\"1.08\",\"userIdentity\":{\"type\":\"IAMUser\",\"arn\":\"arn:aws:iam::"
        "111122223333:user/alice\"},\"eventSource\":\"cloudtrail.amazonaws.com\",\"eventName\":"
        "\"StopLogging\",\"errorCode\":\"AccessDenied\",\"resources\":[{\"ARN\":\"arn:aws:"
        "cloudtrail:us-east-1:111122223333:trail/t\"}],\"latency\":5.5}";
    const char *p = (const char *)data, *msg = record;
    const char *nul = memchr(data, 0, size);
    size_t plen = size, mlen = sizeof(record) - 1;
    struct tw_filter *f = NULL;
    struct tw_err err;
    int rc, r;
    cJSON *doc;

    if (nul) {
        plen = (size_t)(nul - p);
        msg = nul + 1;
        mlen = size - plen - 1;
    }
    memset(&err, 0, sizeof(err));
    rc = tw_filter_parse(&f, (struct tw_span){ p, plen }, &err);
    if (rc != TW_OK) {
        S_CHECK(f == NULL);
        if (rc == TW_EPARSE)
            s_check_error(&err, plen);
        return 0;
    }
    S_CHECK(f != NULL);
    (void)tw_filter_is_cis_exact((struct tw_span){ p, plen });

    r = tw_filter_match_text(f, (struct tw_span){ msg, mlen });
    S_CHECK(r == 0 || r == 1);
    {
        const char *end = NULL;
        doc = cJSON_ParseWithLengthOpts(msg, mlen, &end, 0);
        if (doc) {
            int j = tw_filter_match_json(f, doc);
            S_CHECK(j == 0 || j == 1);
            if (tw_filter_kind(f) == TW_FILTER_JSON && end == msg + mlen)
                S_CHECK(j == r);
            cJSON_Delete(doc);
        }
    }
    /* Globs on a NUL-free prefix of the message (cJSON strings hold no NUL). */
    s_check_globs(f, msg, strnlen(msg, mlen));
    s_check_witnesses(f);
    s_check_coverage(f);
    tw_filter_free(f);
    return 0;
}
