/* filter_eval.c — does a filter pattern match a log event, as CloudWatch
 * Logs would decide it?
 *
 * Documented behaviour (FilterAndPatternSyntax.html, archived as
 * awsdocs/amazon-cloudwatch-logs-user-guide doc_source/FilterAndPatternSyntax.md):
 *   - a selector must reach a value node; "both {$.users = 1} and
 *     {$.users != 1} will fail to match" when users is an array;
 *   - IS NULL "will only be true if the specified object is set to null";
 *     NOT EXISTS "will only be true if specified object does not exist";
 *   - "*Event" matches PutEvent, "Event*" matches EventId, "Ev*ent will only
 *     match the actual string Ev*ent";
 *   - numbers compare numerically with = != < > <= >=;
 *   - terms are case-sensitive substrings; all plain terms must appear,
 *     "-term" must not, "?a ?b" needs one of them.
 *
 * Undocumented cases, decided so that the pattern matches *less* (the JSON
 * language has no negation, only && and || over atoms, so making an atom
 * false can only shrink what a pattern matches, and a coverage proof built on
 * these choices also holds for any more generous reading AWS may have):
 *   - != on an absent field, on null/true/false, or across types is false;
 *   - a number constant never equals or differs from a JSON string, even
 *     "400" for 400; a quoted or wildcard string never compares with a JSON
 *     number, except the lone "*" (documented for { $.latency = * });
 *   - NOT EXISTS is false when the path runs through a scalar or the wrong
 *     kind of container ($.eventName.x, $.obj[0]); true only for a missing
 *     key, an index past the end, or a missing ancestor;
 *   - regexes never match numbers; in a term pattern, plain and ?optional
 *     terms together need all plain terms and one optional term. */
#include "filter_int.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

int tw_filter_contains(const char *hay, size_t hn, const char *needle, size_t nn)
{
    if (nn == 0)
        return 1;
    if (hn < nn)
        return 0;
    for (size_t i = 0; i + nn <= hn; i++) {
        const char *p = memchr(hay + i, needle[0], hn - nn - i + 1);
        if (!p)
            return 0;
        i = (size_t)(p - hay);
        if (memcmp(p, needle, nn) == 0)
            return 1;
    }
    return 0;
}

static int s_glob(const struct tw_filter *f, const struct tw_fatom *a, const char *s, size_t n)
{
    const char *core = tw_filter_str(f, a->str_off);
    size_t cn = a->str_len;

    if (!a->lead && !a->trail)
        return n == cn && memcmp(s, core, cn) == 0;
    if (a->lead && !a->trail)
        return n >= cn && memcmp(s + n - cn, core, cn) == 0;
    if (!a->lead && a->trail)
        return n >= cn && memcmp(s, core, cn) == 0;
    return tw_filter_contains(s, n, core, cn);
}

static int s_compare(int op, double x, double c)
{
    switch (op) {
    case TW_OP_EQ:
        return x == c;
    case TW_OP_NE:
        return x != c;
    case TW_OP_LT:
        return x < c;
    case TW_OP_GT:
        return x > c;
    case TW_OP_LE:
        return x <= c;
    case TW_OP_GE:
        return x >= c;
    default:
        return 0;
    }
}

/* = or != over a string-valued test result m (1/0/-1 for out of memory). */
static int s_eq_ne(int op, int m)
{
    if (m < 0)
        return 0;
    return op == TW_OP_EQ ? m : op == TW_OP_NE ? !m : 0;
}

int tw_filter_atom_eval(const struct tw_filter *f, const struct tw_fatom *a,
                        const struct tw_fvalue *v)
{
    switch (a->op) {
    case TW_OP_NOT_EXISTS:
        return v->type == TW_VAL_ABSENT;
    case TW_OP_IS_NULL:
        return v->type == TW_VAL_NULL;
    case TW_OP_IS_TRUE:
        return v->type == TW_VAL_TRUE;
    case TW_OP_IS_FALSE:
        return v->type == TW_VAL_FALSE;
    default:
        break;
    }
    if (v->type == TW_VAL_STRING) {
        if (a->vkind == TW_FV_GLOB)
            return s_eq_ne(a->op, s_glob(f, a, v->s, v->n));
        if (a->vkind == TW_FV_REGEX)
            return s_eq_ne(a->op, tw_nfa_match(&f->nfa, &a->lang, v->s, v->n));
        return 0;
    }
    if (v->type == TW_VAL_NUMBER) {
        if (a->vkind == TW_FV_NUM)
            return s_compare(a->op, v->num, a->num);
        /* Only the lone "*" ("**" is a string pattern: the narrower reading). */
        if (a->vkind == TW_FV_GLOB && a->str_len == 0 && a->lead && !a->trail)
            return a->op == TW_OP_EQ;
        return 0;
    }
    return 0;
}

/* ---- JSON patterns ----------------------------------------------------------- */

static void s_resolve(struct tw_fvalue *out, const struct tw_filter *f, int node, const cJSON *root)
{
    int chain[TW_FILTER_MAX_DEPTH + 1];
    int depth = 0;
    const cJSON *cur = root;

    memset(out, 0, sizeof(*out));
    for (int k = node; k > 0 && depth <= TW_FILTER_MAX_DEPTH; k = f->trie[k].parent)
        chain[depth++] = k;
    while (depth-- > 0) {
        const struct tw_ftrie *t = &f->trie[chain[depth]];
        const cJSON *next;

        if (t->kind == TW_FT_KEY && cJSON_IsObject(cur)) {
            next = cJSON_GetObjectItemCaseSensitive(cur, tw_filter_str(f, t->key_off));
        } else if (t->kind == TW_FT_INDEX && cJSON_IsArray(cur)) {
            next = t->index <= 100000000UL ? cJSON_GetArrayItem(cur, (int)t->index) : NULL;
        } else {
            out->type = TW_VAL_WRONG;
            return;
        }
        if (!next) {
            out->type = TW_VAL_ABSENT;
            return;
        }
        cur = next;
    }
    if (cJSON_IsString(cur) && cur->valuestring) {
        out->type = TW_VAL_STRING;
        out->s = cur->valuestring;
        out->n = strlen(cur->valuestring);
    } else if (cJSON_IsNumber(cur)) {
        out->type = TW_VAL_NUMBER;
        out->num = cur->valuedouble;
    } else if (cJSON_IsNull(cur)) {
        out->type = TW_VAL_NULL;
    } else if (cJSON_IsTrue(cur)) {
        out->type = TW_VAL_TRUE;
    } else if (cJSON_IsFalse(cur)) {
        out->type = TW_VAL_FALSE;
    } else if (cJSON_IsObject(cur)) {
        out->type = TW_VAL_OBJECT;
    } else if (cJSON_IsArray(cur)) {
        out->type = TW_VAL_ARRAY;
    } else {
        out->type = TW_VAL_WRONG;
    }
}

static int s_expr_json(const struct tw_filter *f, int e, const cJSON *root)
{
    const struct tw_fexpr *x = &f->expr[e];

    if (x->kind == TW_FE_ATOM) {
        const struct tw_fatom *a = &f->atoms[x->atom];
        struct tw_fvalue v;
        s_resolve(&v, f, a->node, root);
        return tw_filter_atom_eval(f, a, &v);
    }
    for (int c = x->first; c >= 0; c = f->expr[c].next) {
        int r = s_expr_json(f, c, root);
        if (x->kind == TW_FE_AND && !r)
            return 0;
        if (x->kind == TW_FE_OR && r)
            return 1;
    }
    return x->kind == TW_FE_AND;
}

/* ---- terms ------------------------------------------------------------------------ */

int tw_filter_terms_match(const struct tw_filter *f, const char *text, size_t n)
{
    int any_optional = 0, optional_hit = 0;

    for (size_t i = 0; i < f->nterms; i++) {
        const struct tw_fterm *t = &f->terms[i];
        int hit;

        if (t->regex) {
            hit = tw_nfa_match(&f->nfa, &t->lang, text, n);
            if (hit < 0) /* out of memory: the answer that matches less */
                hit = t->mode == TW_TERM_EXCLUDED;
        } else {
            hit = tw_filter_contains(text, n, tw_filter_str(f, t->off), t->len);
        }
        switch (t->mode) {
        case TW_TERM_REQUIRED:
            if (!hit)
                return 0;
            break;
        case TW_TERM_EXCLUDED:
            if (hit)
                return 0;
            break;
        default:
            any_optional = 1;
            optional_hit |= hit;
            break;
        }
    }
    return !any_optional || optional_hit;
}

/* ---- space-delimited ---------------------------------------------------------- */

struct s_fields {
    struct tw_span *v;
    size_t n;
    const size_t *bind; /* field index per slot, or SIZE_MAX */
};

static int s_split(struct s_fields *out, const char *s, size_t n)
{
    size_t cap = 0;

    out->v = NULL;
    out->n = 0;
    for (int pass = 0; pass < 2; pass++) {
        size_t i = 0, count = 0;
        while (i < n) {
            size_t start, end;
            while (i < n && (s[i] == ' ' || s[i] == '\t'))
                i++;
            if (i >= n)
                break;
            if (s[i] == '"' || s[i] == '[') {
                const char *close = memchr(s + i + 1, s[i] == '"' ? '"' : ']', n - i - 1);
                start = i + 1;
                end = close ? (size_t)(close - s) : n;
                i = close ? end + 1 : n;
            } else {
                start = i;
                while (i < n && s[i] != ' ' && s[i] != '\t')
                    i++;
                end = i;
            }
            if (pass == 1) {
                out->v[count].ptr = s + start;
                out->v[count].len = end - start;
            }
            count++;
        }
        if (pass == 0) {
            cap = count;
            if (cap == 0)
                return TW_OK;
            out->v = calloc(cap, sizeof(*out->v));
            if (!out->v)
                return TW_ENOMEM;
        } else {
            out->n = count;
        }
    }
    return TW_OK;
}

static int s_delim_atom(const struct tw_filter *f, const struct tw_fatom *a,
                        const struct s_fields *fl)
{
    const char *name = tw_filter_str(f, a->name_off);

    for (size_t k = 0; k < f->nslots; k++) {
        const struct tw_fslot *sl = &f->slots[k];
        struct tw_span v;
        double d;

        if (sl->ellipsis || sl->name_len != a->name_len ||
            memcmp(tw_filter_str(f, sl->name_off), name, a->name_len) != 0)
            continue;
        if (fl->bind[k] == SIZE_MAX)
            return 0;
        v = fl->v[fl->bind[k]];
        if (a->vkind == TW_FV_NUM)
            return tw_filter_number(v.ptr, v.len, &d) && s_compare(a->op, d, a->num);
        if (a->vkind == TW_FV_REGEX)
            return s_eq_ne(a->op, tw_nfa_match(&f->nfa, &a->lang, v.ptr, v.len));
        return s_eq_ne(a->op, s_glob(f, a, v.ptr, v.len));
    }
    return 0; /* names no field of the pattern */
}

static int s_expr_delim(const struct tw_filter *f, int e, const struct s_fields *fl)
{
    const struct tw_fexpr *x = &f->expr[e];

    if (x->kind == TW_FE_ATOM)
        return s_delim_atom(f, &f->atoms[x->atom], fl);
    for (int c = x->first; c >= 0; c = f->expr[c].next) {
        int r = s_expr_delim(f, c, fl);
        if (x->kind == TW_FE_AND && !r)
            return 0;
        if (x->kind == TW_FE_OR && r)
            return 1;
    }
    return x->kind == TW_FE_AND;
}

static int s_delim_match(const struct tw_filter *f, const char *s, size_t n)
{
    struct s_fields fl;
    size_t *bind = NULL, named = 0, ell = SIZE_MAX;
    int rc = 0;

    if (s_split(&fl, s, n) != TW_OK)
        return 0;
    for (size_t k = 0; k < f->nslots; k++) {
        if (f->slots[k].ellipsis)
            ell = k;
        else
            named++;
    }
    if (ell == SIZE_MAX ? fl.n != named : fl.n < named)
        goto out;
    bind = malloc((f->nslots ? f->nslots : 1) * sizeof(*bind));
    if (!bind)
        goto out;
    for (size_t k = 0; k < f->nslots; k++) {
        if (k == ell)
            bind[k] = SIZE_MAX;
        else if (ell == SIZE_MAX || k < ell)
            bind[k] = k;
        else
            bind[k] = fl.n - (f->nslots - k);
    }
    fl.bind = bind;
    rc = 1;
    for (size_t k = 0; k < f->nslots && rc; k++)
        if (f->slots[k].cond >= 0)
            rc = s_expr_delim(f, f->slots[k].cond, &fl);
out:
    free(bind);
    free(fl.v);
    return rc;
}

/* ---- entry points -------------------------------------------------------------- */

int tw_filter_match_json(const struct tw_filter *f, const struct cJSON *event)
{
    char *text;
    int r;

    if (!f || !event)
        return 0;
    switch (f->kind) {
    case TW_FILTER_EMPTY:
        return 1;
    case TW_FILTER_JSON:
        return s_expr_json(f, f->root, event);
    default:
        break;
    }
    text = cJSON_PrintUnformatted(event);
    if (!text)
        return 0;
    r = tw_filter_match_text(f, tw_span_cstr(text));
    cJSON_free(text);
    return r;
}

int tw_filter_match_text(const struct tw_filter *f, struct tw_span message)
{
    const char *s = message.ptr ? message.ptr : "";
    size_t n = message.ptr ? message.len : 0;
    cJSON *doc;
    int r;

    if (!f)
        return 0;
    switch (f->kind) {
    case TW_FILTER_EMPTY:
        return 1;
    case TW_FILTER_TERMS:
        return tw_filter_terms_match(f, s, n);
    case TW_FILTER_DELIMITED:
        return s_delim_match(f, s, n);
    default:
        break;
    }
    /* Whole message must be one JSON value (trailing blanks allowed). */
    {
        const char *end = NULL;
        doc = cJSON_ParseWithLengthOpts(s, n, &end, 0);
        if (!doc)
            return 0;
        while (end && end < s + n && (*end == ' ' || *end == '\t' || *end == '\n' || *end == '\r'))
            end++;
        if (!end || end != s + n) {
            cJSON_Delete(doc);
            return 0;
        }
    }
    r = s_expr_json(f, f->root, doc);
    cJSON_Delete(doc);
    return r;
}
