/* filter_cover.c — does a filter pattern match every CloudTrail configuration
 * change (CreateTrail, UpdateTrail, DeleteTrail, StartLogging, StopLogging
 * from cloudtrail.amazonaws.com), and if not, which record does it miss?
 *
 * JSON patterns: an exact decision. The language has no negation: a pattern
 * is && and || over atoms, so it is monotone in the atoms' truth. The class
 * fixes eventSource and eventName; every other field the pattern names is
 * free, and one record makes every atom on a free field false at once: each
 * named field present as an object holding its named children, a leaf as {}
 * (an atom whose selector reaches an object never matches; NOT EXISTS is
 * false for a present field; an index below an object is the wrong type).
 * Any record of the class with the same eventName makes the fixed atoms equal
 * and the free atoms no less true, so
 *     covered  <=>  that record matches, for each of the five names,
 * and a record that misses is itself the counterexample. No cap, no
 * approximation.
 *
 * That record is correct but unhelpful ("errorCode":{}), so a search looks
 * for a recognisable one first. For each named field, the pattern's atoms
 * split all values into finitely many classes no atom can tell apart:
 *   strings  a typical CloudTrail value, each glob's literal core and "";
 *            with a %regex% on the field, one string per realisable
 *            combination of memberships in its languages (tw_nfa_witnesses:
 *            subset construction over the union automaton);
 *   numbers  each constant, one strictly between neighbours, one below the
 *            least and one above the greatest;
 *   null, true, false, absent;
 *   object   holding the named children, array holding the indexed ones
 *            (shorter arrays = absent indices), {} for a leaf.
 * Representatives with equal truth for every atom of the field are merged. A
 * depth-first search assigns eventName, then the fields parents-first,
 * evaluating the pattern in three-valued (Kleene) logic after each choice:
 * a branch already true is cut, one already false is a counterexample
 * whatever the undecided fields hold. Where the witness search or the step
 * budget runs out, the fallback record above is used; the verdict never
 * depends on the search.
 *
 * Term patterns match the raw text of the record, which CloudTrail delivers
 * to CloudWatch Logs as compact JSON with its own key order. Sample records
 * (both orders of the two fixed keys, each excluded term placed in a field
 * and as a key) are tried first; "covered" additionally needs every required
 * term, and for each name one optional term, to lie inside a piece every
 * record contains verbatim: "eventSource":"cloudtrail.amazonaws.com" or
 * "eventName":"<name>" (or be a brace). Otherwise "not proven" (exact = 0):
 * an excluded term no sample shows may still occur in some record's text.
 *
 * Space-delimited patterns are never "covered": a CloudTrail record is a
 * single JSON object, and how it splits into blank-separated fields depends
 * on the free text inside it (any string may hold blanks), so no field
 * position or count is reliable. A sample record that the pattern misses is
 * reported when one exists; otherwise "not proven". */
#include "filter_int.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TW_COVER_SOURCE "cloudtrail.amazonaws.com"
#define TW_COVER_MAX_INDEX 64
#define TW_COVER_SEARCH_BUDGET 20000UL /* steps; past it the fallback record is used */

static const char *const s_names[] = { "CreateTrail", "UpdateTrail", "DeleteTrail", "StartLogging",
                                       "StopLogging" };

enum s_rep_kind {
    TW_REP_STRING,
    TW_REP_NUMBER,
    TW_REP_NULL,
    TW_REP_TRUE,
    TW_REP_FALSE,
    TW_REP_OBJECT,
    TW_REP_ARRAY,
};

#define TW_COVER_UNDECIDED (-1)
#define TW_COVER_ABSENT (-2)

struct s_rep {
    int kind;
    char *s; /* TW_REP_STRING, owned */
    size_t n;
    double num;
};

struct s_node {
    int prepared;          /* representatives built (lazily, on first visit) */
    int fixed;             /* eventSource / eventName: only the class's values */
    struct s_rep *reps;
    size_t nreps, repcap;
    int *order;            /* try order: rep index or TW_COVER_ABSENT */
    size_t norder;
    int *atoms;            /* atoms on this node */
    size_t natoms;
    unsigned char *truth;  /* nreps x natoms */
    int status;            /* TW_COVER_UNDECIDED, TW_COVER_ABSENT, or a rep index */
};

struct s_ctx {
    int oom;
    const struct tw_filter *f;
    struct s_node *nodes;  /* one per trie node */
    int *col;              /* atom -> column in its node's truth table */
    unsigned char *t_absent, *t_wrong; /* per atom */
    int *vars;
    size_t nvars;
    int name_node, source_node;
    unsigned long steps;
    int exhausted;
};

/* Kleene truth values; TW_K_FALSE/TRUE equal the evaluator's 0/1. */
enum { TW_K_FALSE = 0, TW_K_TRUE = 1, TW_K_UNKNOWN = 2 };

/* "$.a.b[0]" for messages. */
static void s_path(char *buf, size_t size, const struct tw_filter *f, int node)
{
    int chain[TW_FILTER_MAX_DEPTH + 1], depth = 0;
    size_t len;

    tw_strlcpy(buf, "$", size);
    for (int k = node; k > 0 && depth <= TW_FILTER_MAX_DEPTH; k = f->trie[k].parent)
        chain[depth++] = k;
    while (depth-- > 0) {
        const struct tw_ftrie *t = &f->trie[chain[depth]];
        len = strlen(buf);
        if (len + 2 >= size)
            return;
        if (t->kind == TW_FT_KEY)
            snprintf(buf + len, size - len, ".%s", tw_filter_str(f, t->key_off));
        else
            snprintf(buf + len, size - len, "[%lu]", t->index);
    }
}

static int s_root_child(const struct tw_filter *f, const char *key)
{
    for (int c = f->trie[0].first_child; c >= 0; c = f->trie[c].next_sibling)
        if (f->trie[c].kind == TW_FT_KEY && strcmp(tw_filter_str(f, f->trie[c].key_off), key) == 0)
            return c;
    return -1;
}

/* ---- representatives ------------------------------------------------------- */

static int s_add_rep(struct s_node *nd, int kind, const char *s, size_t n, double num)
{
    struct s_rep *r;

    if (tw_filter_grow((void **)&nd->reps, &nd->repcap, nd->nreps + 1, sizeof(*nd->reps)) != TW_OK)
        return TW_ENOMEM;
    r = &nd->reps[nd->nreps];
    memset(r, 0, sizeof(*r));
    r->kind = kind;
    r->num = num;
    if (kind == TW_REP_STRING) {
        r->s = malloc(n + 1);
        if (!r->s)
            return TW_ENOMEM;
        if (n)
            memcpy(r->s, s, n);
        r->s[n] = '\0';
        r->n = n;
    }
    nd->nreps++;
    return TW_OK;
}

static void s_rep_value(struct tw_fvalue *v, const struct s_rep *r)
{
    static const int map[] = { TW_VAL_STRING, TW_VAL_NUMBER, TW_VAL_NULL, TW_VAL_TRUE,
                               TW_VAL_FALSE,  TW_VAL_OBJECT, TW_VAL_ARRAY };
    memset(v, 0, sizeof(*v));
    v->type = map[r->kind];
    v->s = r->s;
    v->n = r->n;
    v->num = r->num;
}

/* A value a person would recognise in a CloudTrail record, for readable
 * counterexamples; any string would do. */
static const char *s_friendly(const struct tw_filter *f, int node)
{
    static const struct {
        const char *key, *value;
    } table[] = {
        { "errorCode", "AccessDenied" },
        { "errorMessage", "User is not authorized to perform this operation" },
        { "type", "IAMUser" },
        { "sourceIPAddress", "203.0.113.7" },
        { "awsRegion", "us-east-1" },
        { "userAgent", "aws-cli/2.15.0" },
        { "eventType", "AwsApiCall" },
        { "recipientAccountId", "111122223333" },
        { "accountId", "111122223333" },
        { "name", "management-events" },
        { "ARN", "arn:aws:cloudtrail:us-east-1:111122223333:trail/management-events" },
        { "arn", "arn:aws:iam::111122223333:user/alice" },
    };
    const struct tw_ftrie *t = &f->trie[node];

    if (t->kind == TW_FT_KEY)
        for (size_t k = 0; k < TW_ARRAY_LEN(table); k++)
            if (strcmp(tw_filter_str(f, t->key_off), table[k].key) == 0)
                return table[k].value;
    return "example";
}

static int s_finite(double x)
{
    return x == x && x - x == 0;
}

/* cJSON prints a double with "%1.15g" whenever that reads back *about*
 * equal, so a representative must be a value whose 15-digit form reads back
 * exactly, or the printed counterexample would hold a different number. */
static int s_prints_exactly(double v)
{
    char buf[64];

    snprintf(buf, sizeof(buf), "%1.15g", v);
    return s_finite(v) && strtod(buf, NULL) == v;
}

/* A short number strictly inside (lo, hi); either side may be open. The
 * shortest decimal near the middle that prints exactly, or 0 if the
 * interval holds none (adjacent doubles, or digits beyond 15). */
static int s_nice_between(double *out, const double *lo, const double *hi)
{
    double mid;

    if (lo && hi)
        mid = *lo / 2 + *hi / 2;
    else if (hi) /* below: halve towards 0, step down, or double away from it */
        mid = *hi >= 1 ? *hi / 2 : *hi > -1 ? *hi - 1 : *hi * 2;
    else
        mid = *lo <= -1 ? *lo / 2 : *lo < 1 ? *lo + 1 : *lo * 2;
    for (int digits = 1; digits <= 15; digits++) {
        char buf[64];
        double v;

        snprintf(buf, sizeof(buf), "%.*g", digits, mid);
        v = strtod(buf, NULL);
        if ((!lo || v > *lo) && (!hi || v < *hi) && s_prints_exactly(v)) {
            *out = v;
            return 1;
        }
    }
    return 0;
}

static int s_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Numbers: one below the least constant, each constant, one strictly
 * between neighbours, one above the greatest — when such a number can be
 * written in a record (see s_prints_exactly); a class that cannot only
 * costs readability, never the verdict. Sorts `nums`. */
static int s_numbers(struct s_node *nd, double *nums, size_t nn)
{
    double v;

    qsort(nums, nn, sizeof(*nums), s_cmp_double);
    if (s_nice_between(&v, NULL, &nums[0]) && s_add_rep(nd, TW_REP_NUMBER, NULL, 0, v) != TW_OK)
        return TW_ENOMEM;
    for (size_t k = 0; k < nn; k++) {
        if (k > 0 && nums[k] == nums[k - 1])
            continue;
        if (s_prints_exactly(nums[k]) && s_add_rep(nd, TW_REP_NUMBER, NULL, 0, nums[k]) != TW_OK)
            return TW_ENOMEM;
        if (k + 1 < nn && nums[k + 1] != nums[k] && s_nice_between(&v, &nums[k], &nums[k + 1]) &&
            s_add_rep(nd, TW_REP_NUMBER, NULL, 0, v) != TW_OK)
            return TW_ENOMEM;
    }
    if (s_nice_between(&v, &nums[nn - 1], NULL) && s_add_rep(nd, TW_REP_NUMBER, NULL, 0, v) != TW_OK)
        return TW_ENOMEM;
    return TW_OK;
}

/* Candidate scalars of a free node, in the order the search tries them. */
static int s_scalar_candidates(struct s_ctx *c, int node, struct s_node *nd)
{
    const struct tw_filter *f = c->f;
    struct tw_lang *langs = NULL;
    struct tw_witnesses w;
    double *nums = NULL;
    size_t nl = 0, nn = 0;
    int rc = TW_ENOMEM, regex = 0;
    const char *friendly = s_friendly(f, node);

    memset(&w, 0, sizeof(w));
    langs = calloc(nd->natoms + 1, sizeof(*langs));
    nums = calloc(nd->natoms + 1, sizeof(*nums));
    if (!langs || !nums)
        goto out;
    for (size_t k = 0; k < nd->natoms; k++) {
        const struct tw_fatom *a = &f->atoms[nd->atoms[k]];
        if (a->vkind == TW_FV_GLOB || a->vkind == TW_FV_REGEX)
            langs[nl++] = a->lang;
        regex |= a->vkind == TW_FV_REGEX;
        if (a->vkind == TW_FV_NUM) {
            if (s_finite(a->num)) /* inf only equals an overflowing event number */
                nums[nn++] = a->num;
        }
    }
    /* Kinds the field's atoms test come first: counterexamples then read
     * "readOnly": true rather than "readOnly": "example". Equal-truth
     * duplicates added later are merged away. */
    {
        int bools = 0, null = 0;
        for (size_t k = 0; k < nd->natoms; k++) {
            int op = f->atoms[nd->atoms[k]].op;
            bools |= op == TW_OP_IS_TRUE || op == TW_OP_IS_FALSE;
            null |= op == TW_OP_IS_NULL;
        }
        if (bools && (s_add_rep(nd, TW_REP_TRUE, NULL, 0, 0) != TW_OK ||
                      s_add_rep(nd, TW_REP_FALSE, NULL, 0, 0) != TW_OK))
            goto out;
        if (null && s_add_rep(nd, TW_REP_NULL, NULL, 0, 0) != TW_OK)
            goto out;
    }
    if (nn > 0 && s_numbers(nd, nums, nn) != TW_OK)
        goto out;
    if (s_add_rep(nd, TW_REP_STRING, friendly, strlen(friendly), 0) != TW_OK ||
        (strcmp(friendly, "example") != 0 && s_add_rep(nd, TW_REP_STRING, "example", 7, 0) != TW_OK))
        goto out;
    if (regex) {
        /* One string per realisable combination of memberships. An
         * incomplete set (budget hit) only costs readability. */
        if (tw_nfa_witnesses(&w, &f->nfa, langs, nl) != TW_OK)
            goto out;
        for (size_t k = 0; k < w.n; k++)
            if (s_add_rep(nd, TW_REP_STRING, w.w[k].s, w.w[k].n, 0) != TW_OK)
                goto out;
    } else {
        /* Globs only: each one's literal core is in its language, and "" and
         * the strings above are outside most; cheaper than the automaton
         * search and as good for finding a readable miss. */
        for (size_t k = 0; k < nd->natoms; k++) {
            const struct tw_fatom *a = &f->atoms[nd->atoms[k]];
            if (a->vkind == TW_FV_GLOB &&
                s_add_rep(nd, TW_REP_STRING, tw_filter_str(f, a->str_off), a->str_len, 0) != TW_OK)
                goto out;
        }
        if (nl > 0 && s_add_rep(nd, TW_REP_STRING, "", 0, 0) != TW_OK)
            goto out;
    }
    if (nn == 0 && s_add_rep(nd, TW_REP_NUMBER, NULL, 0, 0) != TW_OK)
        goto out;
    if (s_add_rep(nd, TW_REP_NULL, NULL, 0, 0) != TW_OK || s_add_rep(nd, TW_REP_TRUE, NULL, 0, 0) != TW_OK ||
        s_add_rep(nd, TW_REP_FALSE, NULL, 0, 0) != TW_OK)
        goto out;
    rc = TW_OK;
out:
    tw_witnesses_cleanup(&w);
    free(langs);
    free(nums);
    return rc;
}

static int s_truth_table(struct s_ctx *c, struct s_node *nd)
{
    nd->truth = calloc(nd->nreps * (nd->natoms ? nd->natoms : 1), 1);
    if (!nd->truth)
        return TW_ENOMEM;
    for (size_t r = 0; r < nd->nreps; r++) {
        struct tw_fvalue v;
        s_rep_value(&v, &nd->reps[r]);
        for (size_t k = 0; k < nd->natoms; k++)
            nd->truth[r * nd->natoms + k] =
                (unsigned char)tw_filter_atom_eval(c->f, &c->f->atoms[nd->atoms[k]], &v);
    }
    return TW_OK;
}

static int s_prepare_node(struct s_ctx *c, int node)
{
    const struct tw_filter *f = c->f;
    struct s_node *nd = &c->nodes[node];
    int has_key = 0, has_index = 0;
    size_t first_scalar;
    unsigned char *seen = NULL;

    if (nd->prepared)
        return TW_OK;
    nd->prepared = 1;

    for (int ch = f->trie[node].first_child; ch >= 0; ch = f->trie[ch].next_sibling) {
        if (f->trie[ch].kind == TW_FT_KEY)
            has_key = 1;
        else
            has_index = 1;
    }
    if (node == c->source_node || node == c->name_node) {
        nd->fixed = 1;
        if (node == c->source_node) {
            if (s_add_rep(nd, TW_REP_STRING, TW_COVER_SOURCE, strlen(TW_COVER_SOURCE), 0) != TW_OK)
                return TW_ENOMEM;
        } else {
            for (size_t k = 0; k < TW_ARRAY_LEN(s_names); k++)
                if (s_add_rep(nd, TW_REP_STRING, s_names[k], strlen(s_names[k]), 0) != TW_OK)
                    return TW_ENOMEM;
        }
    } else {
        if (has_key && s_add_rep(nd, TW_REP_OBJECT, NULL, 0, 0) != TW_OK)
            return TW_ENOMEM;
        if (has_index && s_add_rep(nd, TW_REP_ARRAY, NULL, 0, 0) != TW_OK)
            return TW_ENOMEM;
        if (s_scalar_candidates(c, node, nd) != TW_OK)
            return TW_ENOMEM;
        /* A container whose children the pattern does not name behaves like
         * a scalar no atom accepts; one of either kind is enough. */
        if (!has_key && s_add_rep(nd, TW_REP_OBJECT, NULL, 0, 0) != TW_OK)
            return TW_ENOMEM;
        if (!has_index && has_key && s_add_rep(nd, TW_REP_ARRAY, NULL, 0, 0) != TW_OK)
            return TW_ENOMEM;
    }
    if (s_truth_table(c, nd) != TW_OK)
        return TW_ENOMEM;
    /* Try order, merging scalar-like representatives with equal truth rows. */
    nd->order = malloc((nd->nreps + 1) * sizeof(int));
    seen = calloc(nd->nreps + 1, 1);
    if (!nd->order || !seen) {
        free(seen);
        return TW_ENOMEM;
    }
    first_scalar = nd->fixed ? 0 : (size_t)(has_key + has_index);
    for (size_t r = 0; r < nd->nreps; r++) {
        int dup = 0;
        if (r >= first_scalar && !nd->fixed)
            for (size_t q = first_scalar; q < r && !dup; q++)
                dup = seen[q] && memcmp(nd->truth + q * nd->natoms, nd->truth + r * nd->natoms,
                                        nd->natoms) == 0;
        if (!dup) {
            seen[r] = 1;
            nd->order[nd->norder++] = (int)r;
        }
    }
    if (!nd->fixed)
        nd->order[nd->norder++] = TW_COVER_ABSENT;
    free(seen);
    return TW_OK;
}

/* ---- three-valued evaluation ------------------------------------------------- */

/* Effective status of `node`: TW_COVER_UNDECIDED, TW_COVER_ABSENT, -3 (wrong type) or a
 * rep index of the node itself. */
#define TW_COVER_WRONG (-3)

static int s_effective(const struct s_ctx *c, int node)
{
    const struct tw_filter *f = c->f;
    int parent = f->trie[node].parent, ps, kind;

    if (node == 0)
        return TW_COVER_UNDECIDED; /* never asked */
    if (parent == 0) {
        kind = TW_REP_OBJECT;
    } else {
        ps = s_effective(c, parent);
        if (ps < 0)
            return ps == TW_COVER_UNDECIDED ? TW_COVER_UNDECIDED : ps; /* absent or wrong propagates */
        kind = c->nodes[parent].reps[ps].kind;
    }
    if (kind == TW_REP_OBJECT && f->trie[node].kind == TW_FT_KEY)
        return c->nodes[node].status;
    if (kind == TW_REP_ARRAY && f->trie[node].kind == TW_FT_INDEX) {
        if (f->trie[node].index > TW_COVER_MAX_INDEX)
            return TW_COVER_ABSENT; /* the representatives keep arrays short */
        return c->nodes[node].status;
    }
    return TW_COVER_WRONG;
}

static int s_eval3(const struct s_ctx *c, int e)
{
    const struct tw_fexpr *x = &c->f->expr[e];
    int res;

    if (x->kind == TW_FE_ATOM) {
        const struct tw_fatom *a = &c->f->atoms[x->atom];
        int st = s_effective(c, a->node);
        const struct s_node *nd = &c->nodes[a->node];
        if (st == TW_COVER_UNDECIDED)
            return TW_K_UNKNOWN;
        if (st == TW_COVER_ABSENT)
            return c->t_absent[x->atom];
        if (st == TW_COVER_WRONG)
            return c->t_wrong[x->atom];
        return nd->truth[(size_t)st * nd->natoms + (size_t)c->col[x->atom]];
    }
    res = x->kind == TW_FE_AND ? TW_K_TRUE : TW_K_FALSE;
    for (int ch = x->first; ch >= 0; ch = c->f->expr[ch].next) {
        int r = s_eval3(c, ch);
        if (x->kind == TW_FE_AND && r == TW_K_FALSE)
            return TW_K_FALSE;
        if (x->kind == TW_FE_OR && r == TW_K_TRUE)
            return TW_K_TRUE;
        if (r == TW_K_UNKNOWN)
            res = TW_K_UNKNOWN;
    }
    return res;
}

/* Array siblings: index i present and index j > i absent cannot both hold. */
static int s_index_allows(const struct s_ctx *c, int node, int status)
{
    const struct tw_filter *f = c->f;
    unsigned long idx = f->trie[node].index;
    int parent = f->trie[node].parent;

    if (f->trie[node].kind != TW_FT_INDEX)
        return 1;
    for (int s = f->trie[parent].first_child; s >= 0; s = f->trie[s].next_sibling) {
        int st = c->nodes[s].status;
        if (s == node || f->trie[s].kind != TW_FT_INDEX || st == TW_COVER_UNDECIDED)
            continue;
        if (f->trie[s].index < idx && st == TW_COVER_ABSENT && status != TW_COVER_ABSENT)
            return 0;
        if (f->trie[s].index > idx && st != TW_COVER_ABSENT && status == TW_COVER_ABSENT)
            return 0;
    }
    return 1;
}

/* 1: counterexample in c->nodes' statuses; 0: none below this point. */
static int s_search(struct s_ctx *c, size_t k)
{
    int r;

    if (++c->steps > TW_COVER_SEARCH_BUDGET) {
        c->exhausted = 1;
        return 0;
    }
    r = s_eval3(c, c->f->root);
    if (r == TW_K_TRUE)
        return 0;
    if (r == TW_K_FALSE)
        return 1;
    while (k < c->nvars && s_effective(c, c->vars[k]) != TW_COVER_UNDECIDED)
        k++;
    if (k >= c->nvars)
        return 0; /* cannot happen: every atom is decided once every field is */
    {
        int node = c->vars[k];
        struct s_node *nd = &c->nodes[node];
        if (s_prepare_node(c, node) != TW_OK) {
            c->oom = 1;
            c->exhausted = 1;
            return 0;
        }
        for (size_t o = 0; o < nd->norder && !c->exhausted; o++) {
            if (!s_index_allows(c, node, nd->order[o]))
                continue;
            nd->status = nd->order[o];
            if (s_search(c, k + 1))
                return 1;
        }
        nd->status = TW_COVER_UNDECIDED;
    }
    return 0;
}

/* ---- counterexample ------------------------------------------------------------------ */

static cJSON *s_build(const struct s_ctx *c, int node);

static int s_build_children(const struct s_ctx *c, int node, cJSON *obj)
{
    const struct tw_filter *f = c->f;

    for (int ch = f->trie[node].first_child; ch >= 0; ch = f->trie[ch].next_sibling) {
        cJSON *v;
        if (f->trie[ch].kind != TW_FT_KEY || ch == c->name_node || ch == c->source_node)
            continue;
        if (c->nodes[ch].status < 0)
            continue;
        v = s_build(c, ch);
        if (!v)
            return TW_ENOMEM;
        /* A field silently left out would change what the record proves. */
        if (!cJSON_AddItemToObject(obj, tw_filter_str(f, f->trie[ch].key_off), v)) {
            cJSON_Delete(v);
            return TW_ENOMEM;
        }
    }
    return TW_OK;
}

static cJSON *s_build(const struct s_ctx *c, int node)
{
    const struct tw_filter *f = c->f;
    const struct s_rep *r = &c->nodes[node].reps[c->nodes[node].status];
    cJSON *v = NULL;

    switch (r->kind) {
    case TW_REP_STRING:
        return cJSON_CreateString(r->s);
    case TW_REP_NUMBER:
        return cJSON_CreateNumber(r->num);
    case TW_REP_NULL:
        return cJSON_CreateNull();
    case TW_REP_TRUE:
        return cJSON_CreateTrue();
    case TW_REP_FALSE:
        return cJSON_CreateFalse();
    case TW_REP_OBJECT:
        v = cJSON_CreateObject();
        if (v && s_build_children(c, node, v) != TW_OK) {
            cJSON_Delete(v);
            v = NULL;
        }
        return v;
    default:
        break;
    }
    /* TW_REP_ARRAY: long enough for the highest present index, nulls elsewhere. */
    {
        long len = 0;
        v = cJSON_CreateArray();
        if (!v)
            return NULL;
        for (int ch = f->trie[node].first_child; ch >= 0; ch = f->trie[ch].next_sibling)
            if (f->trie[ch].kind == TW_FT_INDEX && c->nodes[ch].status >= 0 &&
                (long)f->trie[ch].index + 1 > len)
                len = (long)f->trie[ch].index + 1;
        for (long k = 0; k < len; k++) {
            cJSON *item = NULL;
            int named = 0;
            for (int ch = f->trie[node].first_child; ch >= 0 && !named;
                 ch = f->trie[ch].next_sibling)
                if (f->trie[ch].kind == TW_FT_INDEX && f->trie[ch].index == (unsigned long)k &&
                    c->nodes[ch].status >= 0) {
                    named = 1;
                    item = s_build(c, ch);
                }
            if (!named)
                item = cJSON_CreateNull();
            if (!item || !cJSON_AddItemToArray(v, item)) {
                cJSON_Delete(item);
                cJSON_Delete(v);
                return NULL;
            }
        }
    }
    return v;
}

static cJSON *s_base_event(const char *name)
{
    cJSON *ev = cJSON_CreateObject();

    if (!ev)
        return NULL;
    if (!cJSON_AddStringToObject(ev, "eventSource", TW_COVER_SOURCE) ||
        !cJSON_AddStringToObject(ev, "eventName", name)) {
        cJSON_Delete(ev);
        return NULL;
    }
    return ev;
}

/* Prints `ev`, re-parses the text and checks the pattern misses it. Returns
 * TW_OK and fills out->missed_event, TW_ERR if the check fails (a bug). */
static int s_emit_missed(struct tw_coverage *out, const struct tw_filter *f, const cJSON *ev,
                         struct tw_err *err)
{
    char *text = cJSON_PrintUnformatted(ev);
    cJSON *back;
    int rc = TW_ENOMEM, hit;

    if (!text) {
        tw_err_set(err, "out of memory printing a counterexample");
        return TW_ENOMEM;
    }
    back = cJSON_Parse(text);
    if (!back) {
        tw_err_set(err, "filter coverage self-check: counterexample is not valid JSON");
        rc = TW_ERR;
        goto out;
    }
    hit = tw_filter_match_json(f, back) || tw_filter_match_text(f, tw_span_cstr(text));
    cJSON_Delete(back);
    if (hit) {
        tw_err_set(err, "filter coverage self-check: the pattern matches its own counterexample "
                        "%.200s",
                   text);
        rc = TW_ERR;
        goto out;
    }
    out->covered = 0;
    out->exact = 1;
    if (tw_strlcpy(out->missed_event, text, sizeof(out->missed_event))) {
        out->missed_event[0] = '\0';
        snprintf(out->reason, sizeof(out->reason),
                 "the pattern misses some CloudTrail configuration changes (the example record is "
                 "too long to show)");
    }
    rc = TW_OK;
out:
    cJSON_free(text);
    return rc;
}

static void s_missed_reason(struct tw_coverage *out, const char *name, const char *detail)
{
    snprintf(out->reason, sizeof(out->reason), "the pattern misses %s events%s%s", name,
             detail[0] ? ", e.g. " : "", detail);
}

/* ---- JSON patterns -------------------------------------------------------------------- */

static void s_ctx_cleanup(struct s_ctx *c)
{
    if (c->nodes) {
        for (size_t i = 0; i < c->f->ntrie; i++) {
            struct s_node *nd = &c->nodes[i];
            for (size_t r = 0; r < nd->nreps; r++)
                free(nd->reps[r].s);
            free(nd->reps);
            free(nd->order);
            free(nd->atoms);
            free(nd->truth);
        }
    }
    free(c->nodes);
    free(c->col);
    free(c->t_absent);
    free(c->t_wrong);
    free(c->vars);
}

/* A short description of where the counterexample differs from the bare
 * record, for the reason line: the first named free field and its value. */
static void s_detail(char *buf, size_t size, const struct s_ctx *c)
{
    const struct tw_filter *f = c->f;

    buf[0] = '\0';
    for (size_t k = 0; k < c->nvars; k++) {
        int node = c->vars[k], st = c->nodes[node].status;
        char path[128];
        const struct s_rep *r;

        if (node == c->name_node || node == c->source_node || st < 0 ||
            f->trie[node].first_child >= 0 || s_effective(c, node) != st)
            continue;
        r = &c->nodes[node].reps[st];
        s_path(path, sizeof(path), f, node);
        switch (r->kind) {
        case TW_REP_STRING:
            snprintf(buf, size, "with %.60s = \"%.60s\"", path, r->s);
            break;
        case TW_REP_NUMBER:
            snprintf(buf, size, "with %.60s = %.15g", path, r->num);
            break;
        case TW_REP_NULL:
            snprintf(buf, size, "with %.60s = null", path);
            break;
        case TW_REP_TRUE:
        case TW_REP_FALSE:
            snprintf(buf, size, "with %.60s = %s", path, r->kind == TW_REP_TRUE ? "true" : "false");
            break;
        default:
            snprintf(buf, size, "with %.60s an %s", path, r->kind == TW_REP_OBJECT ? "object" : "array");
            break;
        }
        return;
    }
    /* No leaf holds a value: name a container, or else a missing field. */
    for (size_t k = 0; k < c->nvars; k++) {
        int node = c->vars[k], st = c->nodes[node].status;
        char path[128];

        if (node == c->name_node || node == c->source_node || st < 0 ||
            s_effective(c, node) != st)
            continue;
        s_path(path, sizeof(path), f, node);
        snprintf(buf, size, "with %.60s an %s", path,
                 c->nodes[node].reps[st].kind == TW_REP_ARRAY ? "array" : "object");
        return;
    }
    for (size_t k = 0; k < c->nvars; k++) {
        int node = c->vars[k];
        char path[128];
        if (node == c->name_node || node == c->source_node || f->trie[node].parent != 0)
            continue;
        s_path(path, sizeof(path), f, node);
        snprintf(buf, size, "without %.60s", path);
        return;
    }
}

/* The record that makes every atom on a free field false (see the top of
 * the file): named fields present, objects all the way down, leaves {}. */
static cJSON *s_false_value(const struct tw_filter *f, int node)
{
    cJSON *obj = cJSON_CreateObject();

    if (!obj)
        return NULL;
    for (int ch = f->trie[node].first_child; ch >= 0; ch = f->trie[ch].next_sibling) {
        cJSON *v;
        if (f->trie[ch].kind != TW_FT_KEY)
            continue; /* an index below an object: wrong type, false */
        v = s_false_value(f, ch);
        if (!v || !cJSON_AddItemToObject(obj, tw_filter_str(f, f->trie[ch].key_off), v)) {
            cJSON_Delete(v);
            cJSON_Delete(obj);
            return NULL;
        }
    }
    return obj;
}

static cJSON *s_false_event(const struct tw_filter *f, const char *name, int name_node,
                            int source_node)
{
    cJSON *ev = s_base_event(name);

    if (!ev)
        return NULL;
    for (int ch = f->trie[0].first_child; ch >= 0; ch = f->trie[ch].next_sibling) {
        cJSON *v;
        if (ch == name_node || ch == source_node || f->trie[ch].kind != TW_FT_KEY)
            continue;
        v = s_false_value(f, ch);
        if (!v || !cJSON_AddItemToObject(ev, tw_filter_str(f, f->trie[ch].key_off), v)) {
            cJSON_Delete(v);
            cJSON_Delete(ev);
            return NULL;
        }
    }
    return ev;
}

static int s_cover_json(struct tw_coverage *out, const struct tw_filter *f, int want_example,
                        struct tw_err *err)
{
    struct s_ctx c;
    cJSON *ev = NULL;
    int rc = TW_ENOMEM, found;
    size_t nv = 0, missed = TW_ARRAY_LEN(s_names);
    char detail[160];

    memset(&c, 0, sizeof(c));
    c.f = f;
    c.name_node = s_root_child(f, "eventName");
    c.source_node = s_root_child(f, "eventSource");

    /* The decision. */
    for (size_t k = 0; k < TW_ARRAY_LEN(s_names) && missed == TW_ARRAY_LEN(s_names); k++) {
        ev = s_false_event(f, s_names[k], c.name_node, c.source_node);
        if (!ev)
            goto oom;
        if (!tw_filter_match_json(f, ev))
            missed = k;
        cJSON_Delete(ev);
        ev = NULL;
    }
    if (missed == TW_ARRAY_LEN(s_names)) {
        out->covered = 1;
        out->exact = 1;
        tw_strlcpy(out->reason,
                   "matches every CreateTrail, UpdateTrail, DeleteTrail, StartLogging and "
                   "StopLogging record",
                   sizeof(out->reason));
        return TW_OK;
    }
    if (!want_example) {
        out->covered = 0;
        out->exact = 1;
        s_missed_reason(out, s_names[missed], "");
        return TW_OK;
    }

    /* Not covered: look for a counterexample a person recognises. */
    c.nodes = calloc(f->ntrie, sizeof(*c.nodes));
    c.col = calloc(f->natoms + 1, sizeof(int));
    c.t_absent = calloc(f->natoms + 1, 1);
    c.t_wrong = calloc(f->natoms + 1, 1);
    c.vars = calloc(f->ntrie + 1, sizeof(int));
    if (!c.nodes || !c.col || !c.t_absent || !c.t_wrong || !c.vars)
        goto oom;
    for (size_t i = 0; i < f->ntrie; i++)
        c.nodes[i].status = TW_COVER_UNDECIDED;
    for (size_t a = 0; a < f->natoms; a++) {
        struct s_node *nd = &c.nodes[f->atoms[a].node];
        struct tw_fvalue v;
        int *na = realloc(nd->atoms, (nd->natoms + 1) * sizeof(int));
        if (!na)
            goto oom;
        nd->atoms = na;
        c.col[a] = (int)nd->natoms;
        nd->atoms[nd->natoms++] = (int)a;
        memset(&v, 0, sizeof(v));
        v.type = TW_VAL_ABSENT;
        c.t_absent[a] = (unsigned char)tw_filter_atom_eval(f, &f->atoms[a], &v);
        v.type = TW_VAL_WRONG;
        c.t_wrong[a] = (unsigned char)tw_filter_atom_eval(f, &f->atoms[a], &v);
    }
    /* The fixed fields now; the others when the search first reaches them. */
    if ((c.name_node > 0 && s_prepare_node(&c, c.name_node) != TW_OK) ||
        (c.source_node > 0 && s_prepare_node(&c, c.source_node) != TW_OK))
        goto oom;
    /* eventName first (all five must match), then the selector tree in
     * creation order, which puts every parent before its children. */
    if (c.name_node > 0)
        c.vars[nv++] = c.name_node;
    if (c.source_node > 0)
        c.nodes[c.source_node].status = 0;
    for (size_t i = 1; i < f->ntrie; i++)
        if ((int)i != c.name_node && (int)i != c.source_node)
            c.vars[nv++] = (int)i;
    c.nvars = nv;

    found = s_search(&c, 0);
    if (c.oom)
        goto oom;
    if (found) {
        const char *name = c.name_node > 0 && c.nodes[c.name_node].status >= 0
                               ? c.nodes[c.name_node].reps[c.nodes[c.name_node].status].s
                               : s_names[0];
        ev = s_base_event(name);
        if (!ev || s_build_children(&c, 0, ev) != TW_OK)
            goto oom;
        s_detail(detail, sizeof(detail), &c);
        s_missed_reason(out, name, detail);
    } else {
        ev = s_false_event(f, s_names[missed], c.name_node, c.source_node);
        if (!ev)
            goto oom;
        s_missed_reason(out, s_names[missed], "with every field it names set to an object");
    }
    rc = s_emit_missed(out, f, ev, err);
    goto out;
oom:
    tw_err_set(err, "out of memory analysing a filter pattern");
    rc = TW_ENOMEM;
out:
    cJSON_Delete(ev);
    s_ctx_cleanup(&c);
    return rc;
}

/* ---- term and space-delimited patterns -------------------------------------------------- */

/* Sample records for `name`: the bare record in both key orders, then one
 * per probe value placed in errorCode, or used as a key. */
static cJSON *s_sample(const char *name, int variant, const char *probe)
{
    cJSON *ev;

    if (variant == 1) {
        ev = cJSON_CreateObject();
        if (ev && (!cJSON_AddStringToObject(ev, "eventName", name) ||
                   !cJSON_AddStringToObject(ev, "eventSource", TW_COVER_SOURCE))) {
            cJSON_Delete(ev);
            ev = NULL;
        }
        return ev;
    }
    ev = s_base_event(name);
    if (!ev || variant == 0)
        return ev;
    if (variant == 3 && (strcmp(probe, "eventName") == 0 || strcmp(probe, "eventSource") == 0))
        return ev; /* no duplicate keys: the bare record again */
    if ((variant == 2 && !cJSON_AddStringToObject(ev, "errorCode", probe)) ||
        (variant == 3 && !cJSON_AddNullToObject(ev, probe))) {
        cJSON_Delete(ev);
        return NULL;
    }
    return ev;
}

/* Tries sample records; on a miss fills *out (via s_emit_missed when
 * `want_example`) and sets *found. `probes` are extra strings to place in
 * records. */
static int s_try_samples(struct tw_coverage *out, const struct tw_filter *f, char **probes,
                         size_t nprobes, int want_example, int *found, struct tw_err *err)
{
    *found = 0;
    for (size_t k = 0; k < TW_ARRAY_LEN(s_names); k++) {
        for (size_t p = 0; p < 2 + 2 * nprobes; p++) {
            int variant = p < 2 ? (int)p : 2 + (int)((p - 2) % 2);
            const char *probe = p < 2 ? NULL : probes[(p - 2) / 2];
            cJSON *ev = s_sample(s_names[k], variant, probe);
            int hit;

            if (!ev) {
                tw_err_set(err, "out of memory building a sample record");
                return TW_ENOMEM;
            }
            hit = tw_filter_match_json(f, ev);
            if (!hit) {
                int rc;
                char detail[120];
                if (probe)
                    snprintf(detail, sizeof(detail), "with the text \"%.60s\" in the record",
                             probe);
                else
                    detail[0] = '\0';
                s_missed_reason(out, s_names[k], detail);
                out->covered = 0;
                out->exact = 1;
                rc = want_example ? s_emit_missed(out, f, ev, err) : TW_OK;
                cJSON_Delete(ev);
                *found = rc == TW_OK;
                return rc;
            }
            cJSON_Delete(ev);
        }
    }
    return TW_OK;
}

static int s_has_anchor(const struct tw_filter *f, const struct tw_lang *l)
{
    for (int s = l->lo; s < l->hi; s++)
        if (f->nfa.st[s].op == TW_NFA_BOL || f->nfa.st[s].op == TW_NFA_EOL)
            return 1;
    return 0;
}

/* Does every record named `name` contain term t, wherever its fields are? */
static int s_term_guaranteed(const struct tw_filter *f, const struct tw_fterm *t, const char *name)
{
    char piece[64];
    static const char source[] = "\"eventSource\":\"" TW_COVER_SOURCE "\"";
    int n = snprintf(piece, sizeof(piece), "\"eventName\":\"%s\"", name);

    if (n < 0 || (size_t)n >= sizeof(piece))
        return 0;
    if (t->regex)
        return !s_has_anchor(f, &t->lang) &&
               (tw_nfa_match(&f->nfa, &t->lang, piece, (size_t)n) == 1 ||
                tw_nfa_match(&f->nfa, &t->lang, source, sizeof(source) - 1) == 1);
    return tw_filter_contains(piece, (size_t)n, tw_filter_str(f, t->off), t->len) ||
           tw_filter_contains(source, sizeof(source) - 1, tw_filter_str(f, t->off), t->len) ||
           (t->len == 1 && (f->pool[t->off] == '{' || f->pool[t->off] == '}'));
}

static int s_cover_text(struct tw_coverage *out, const struct tw_filter *f, int want_example,
                        struct tw_err *err)
{
    char **probes = NULL;
    size_t nprobes = 0;
    int rc = TW_ENOMEM, found = 0, excluded = 0, proven = 1, optional_short = 0;

    probes = calloc(f->nterms + 2, sizeof(*probes));
    if (!probes)
        goto oom;
    for (size_t i = 0; i < f->nterms; i++) {
        const struct tw_fterm *t = &f->terms[i];
        if (f->kind != TW_FILTER_TERMS || t->mode != TW_TERM_EXCLUDED)
            continue;
        excluded = 1;
        if (!t->regex) {
            probes[nprobes] = tw_strdup(tw_filter_str(f, t->off));
            if (!probes[nprobes++])
                goto oom;
        } else {
            struct tw_witnesses w;
            if (tw_nfa_witnesses(&w, &f->nfa, &t->lang, 1) != TW_OK)
                goto oom;
            for (size_t k = 0; k < w.n; k++)
                if (w.w[k].v[0]) {
                    probes[nprobes] = tw_strdup(w.w[k].s);
                    if (!probes[nprobes++]) {
                        tw_witnesses_cleanup(&w);
                        goto oom;
                    }
                    break;
                }
            tw_witnesses_cleanup(&w);
        }
    }
    if (f->kind == TW_FILTER_DELIMITED) {
        /* Blanks inside a value shift every later field. */
        probes[nprobes] = tw_strdup("User is not authorized");
        if (!probes[nprobes++])
            goto oom;
    }
    rc = s_try_samples(out, f, probes, nprobes, want_example, &found, err);
    if (rc != TW_OK || found)
        goto out;
    out->covered = 0;
    out->exact = 0;
    if (f->kind == TW_FILTER_DELIMITED) {
        snprintf(out->reason, sizeof(out->reason),
                 "not proven: a space-delimited pattern cannot reliably match a CloudTrail record, "
                 "a single JSON object whose blank-separated fields depend on free text");
        goto out;
    }
    for (size_t k = 0; k < TW_ARRAY_LEN(s_names) && proven; k++) {
        int any_opt = 0, opt_ok = 0;
        for (size_t i = 0; i < f->nterms && proven; i++) {
            const struct tw_fterm *t = &f->terms[i];
            if (t->mode == TW_TERM_REQUIRED)
                proven = s_term_guaranteed(f, t, s_names[k]);
            else if (t->mode == TW_TERM_OPTIONAL) {
                any_opt = 1;
                opt_ok |= s_term_guaranteed(f, t, s_names[k]);
            }
        }
        if (proven && any_opt && !opt_ok) {
            proven = 0;
            optional_short = 1;
        }
    }
    if (proven && excluded) {
        snprintf(out->reason, sizeof(out->reason),
                 "not proven: an excluded term may appear in some record's free text");
    } else if (!proven) {
        snprintf(out->reason, sizeof(out->reason),
                 "not proven: %s the eventSource or eventName text every record carries",
                 optional_short ? "no ?optional term is part of" : "a required term is not part of");
    } else {
        out->covered = 1;
        out->exact = 1;
        snprintf(out->reason, sizeof(out->reason),
                 "every CloudTrail configuration change contains the pattern's terms in its "
                 "eventName or eventSource text");
    }
    goto out;
oom:
    tw_err_set(err, "out of memory analysing a filter pattern");
    rc = TW_ENOMEM;
out:
    if (probes)
        for (size_t i = 0; i < nprobes; i++)
            free(probes[i]);
    free(probes);
    return rc;
}

/* Both public entry points: the decision is the same code either way; only
 * the counterexample (search, print, self-check) depends on `want_example`. */
static int s_cover(struct tw_coverage *out, const struct tw_filter *f, int want_example,
                   struct tw_err *err)
{
    memset(out, 0, sizeof(*out));
    if (!f) {
        tw_err_set(err, "no filter pattern");
        return TW_ERR;
    }
    switch (f->kind) {
    case TW_FILTER_EMPTY:
        out->covered = 1;
        out->exact = 1;
        tw_strlcpy(out->reason, "an empty pattern matches every log event", sizeof(out->reason));
        return TW_OK;
    case TW_FILTER_JSON:
        return s_cover_json(out, f, want_example, err);
    default:
        return s_cover_text(out, f, want_example, err);
    }
}

int tw_filter_covers_trail_changes(struct tw_coverage *out, const struct tw_filter *f,
                                   struct tw_err *err)
{
    return s_cover(out, f, 1, err);
}

int tw_filter_decide_trail_changes(struct tw_coverage *out, const struct tw_filter *f,
                                   struct tw_err *err)
{
    return s_cover(out, f, 0, err);
}
