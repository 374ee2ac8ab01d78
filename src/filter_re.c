/* filter_re.c — byte automata for filter-pattern values: globs ("*x*"),
 * the documented %regex% subset, Thompson simulation, and the witness search
 * the coverage analysis uses to find one string per combination of
 * memberships.
 *
 * Regex dialect (FilterAndPatternSyntax.html, "Supported regular expressions"):
 * letters, digits, '_ # = @ / ; , - :' and blanks as literals; operators
 * '^ $ ? [ ] { } | \ * + .'; no parentheses, so '|' separates whole branches.
 * The engine is Java's by all appearances; trailwatch implements the subset
 * with Java meanings, except that '$' is only the end of input (Java also
 * accepts it before a final line terminator). Matching is a search: the
 * regex may match anywhere in the value, like %AUTHORIZED% matching
 * "UNAUTHORIZED" in the documentation. Simulation is linear in the input: no
 * backtracking, so hostile patterns cannot stall an audit. */
#include "filter_int.h"

#include <stdlib.h>
#include <string.h>

#define TW_WITNESS_MAX_STATES 1024  /* subsets explored */
#define TW_WITNESS_MAX_WORK 300000UL /* automaton-state visits: ~2 ms worst case */
#define TW_NFA_SMALL 512

void tw_charset_add(struct tw_charset *cs, unsigned char c)
{
    cs->w[c >> 6] |= (uint64_t)1 << (c & 63);
}

int tw_charset_has(const struct tw_charset *cs, unsigned char c)
{
    return (int)((cs->w[c >> 6] >> (c & 63)) & 1);
}

static void s_charset_range(struct tw_charset *cs, unsigned lo, unsigned hi)
{
    for (unsigned c = lo; c <= hi; c++)
        tw_charset_add(cs, (unsigned char)c);
}

static void s_charset_invert(struct tw_charset *cs)
{
    for (int i = 0; i < 4; i++)
        cs->w[i] = ~cs->w[i];
}

static void s_charset_or(struct tw_charset *a, const struct tw_charset *b)
{
    for (int i = 0; i < 4; i++)
        a->w[i] |= b->w[i];
}

int tw_filter_grow(void **p, size_t *cap, size_t need, size_t elem)
{
    size_t ncap;
    void *np;

    if (need <= *cap)
        return TW_OK;
    ncap = *cap ? *cap : 8;
    while (ncap < need)
        ncap *= 2;
    if (ncap > SIZE_MAX / elem)
        return TW_ENOMEM;
    np = realloc(*p, ncap * elem);
    if (!np)
        return TW_ENOMEM;
    *p = np;
    *cap = ncap;
    return TW_OK;
}

void tw_nfa_cleanup(struct tw_nfa *nfa)
{
    if (!nfa)
        return;
    free(nfa->st);
    free(nfa->sets);
    memset(nfa, 0, sizeof(*nfa));
}

/* Appends a state; returns its index or -1 (out of memory or over the cap). */
static int s_state(struct tw_nfa *nfa, int op, int out, int out1, int set)
{
    struct tw_nfa_state *s;

    if (nfa->n >= TW_FILTER_MAX_NFA)
        return -1;
    if (tw_filter_grow((void **)&nfa->st, &nfa->cap, nfa->n + 1, sizeof(*nfa->st)) != TW_OK)
        return -1;
    s = &nfa->st[nfa->n];
    s->op = op;
    s->out = out;
    s->out1 = out1;
    s->set = set;
    return (int)nfa->n++;
}

static int s_set(struct tw_nfa *nfa, const struct tw_charset *cs)
{
    /* Sets repeat a lot (one per literal byte); reuse the last few. */
    size_t from = nfa->nsets > 16 ? nfa->nsets - 16 : 0;

    for (size_t i = from; i < nfa->nsets; i++)
        if (memcmp(&nfa->sets[i], cs, sizeof(*cs)) == 0)
            return (int)i;
    if (tw_filter_grow((void **)&nfa->sets, &nfa->setcap, nfa->nsets + 1, sizeof(*nfa->sets)) !=
        TW_OK)
        return -1;
    nfa->sets[nfa->nsets] = *cs;
    return (int)nfa->nsets++;
}

static int s_any_set(struct tw_nfa *nfa)
{
    struct tw_charset cs;

    memset(&cs, 0xff, sizeof(cs));
    return s_set(nfa, &cs);
}

/* "Σ*" loop: SPLIT(out = SET any -> SPLIT, out1 = next). Returns the SPLIT. */
static int s_any_loop(struct tw_nfa *nfa, int next)
{
    int any = s_any_set(nfa), split, set;

    if (any < 0)
        return -1;
    split = s_state(nfa, TW_NFA_SPLIT, -1, next, -1);
    if (split < 0)
        return -1;
    set = s_state(nfa, TW_NFA_SET, split, -1, any);
    if (set < 0)
        return -1;
    nfa->st[split].out = set;
    return split;
}

int tw_nfa_glob(struct tw_lang *out, struct tw_nfa *nfa, const char *lit, size_t n, int lead,
                int trail)
{
    int lo = (int)nfa->n, next, cur;

    /* Built back to front so every state knows its successor. */
    next = s_state(nfa, TW_NFA_MATCH, -1, -1, -1);
    if (next < 0)
        return TW_ENOMEM;
    if (trail && (next = s_any_loop(nfa, next)) < 0)
        return TW_ENOMEM;
    for (size_t i = n; i-- > 0;) {
        struct tw_charset cs;
        int set;

        memset(&cs, 0, sizeof(cs));
        tw_charset_add(&cs, (unsigned char)lit[i]);
        set = s_set(nfa, &cs);
        if (set < 0)
            return TW_ENOMEM;
        cur = s_state(nfa, TW_NFA_SET, next, -1, set);
        if (cur < 0)
            return TW_ENOMEM;
        next = cur;
    }
    if (lead && (next = s_any_loop(nfa, next)) < 0)
        return TW_ENOMEM;
    out->start = next;
    out->lo = lo;
    out->hi = (int)nfa->n;
    return TW_OK;
}

/* ---- regex compiler ------------------------------------------------------ */

struct s_ilist {
    int *v;
    size_t n, cap;
};

static int s_ilist_push(struct s_ilist *l, int x)
{
    if (tw_filter_grow((void **)&l->v, &l->cap, l->n + 1, sizeof(int)) != TW_OK)
        return TW_ENOMEM;
    l->v[l->n++] = x;
    return TW_OK;
}

/* A reference to an unpatched edge: state * 2 + (0: out, 1: out1). */
static void s_patch(struct tw_nfa *nfa, const struct s_ilist *l, int target)
{
    for (size_t i = 0; i < l->n; i++) {
        struct tw_nfa_state *s = &nfa->st[l->v[i] >> 1];
        if (l->v[i] & 1)
            s->out1 = target;
        else
            s->out = target;
    }
}

struct s_re {
    struct tw_nfa *nfa;
    const char *p;
    size_t n, i, col0;
    struct tw_err *err;
    int rc;
};

static int s_re_fail(struct s_re *re, size_t at, const char *what)
{
    if (re->rc == TW_OK) {
        tw_err_set(re->err, "column %zu: %s", re->col0 + at, what);
        re->rc = TW_EPARSE;
    }
    return re->rc;
}

static int s_re_oom(struct s_re *re)
{
    if (re->rc == TW_OK) {
        if (re->nfa->n >= TW_FILTER_MAX_NFA) {
            tw_err_set(re->err, "column %zu: regex expands to more than %d automaton states",
                       re->col0, TW_FILTER_MAX_NFA);
            re->rc = TW_EPARSE;
        } else {
            tw_err_set(re->err, "out of memory compiling a regex");
            re->rc = TW_ENOMEM;
        }
    }
    return re->rc;
}

/* The documented character repertoire of a %regex%, plus the blank and ':'
 * that AWS's own examples use (CDK regexValue "bind: address already in use"). */
static int s_re_char_ok(unsigned char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return 1;
    return c != 0 && strchr("_#=@/;,-: ^$?[]{}|\\*+.", c) != NULL;
}

/* Class escapes \d \w \s and their negations. Returns 1 if `c` was one. */
static int s_re_class_escape(struct tw_charset *cs, char c)
{
    struct tw_charset t;
    char lower = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);

    memset(&t, 0, sizeof(t));
    if (lower == 'd') {
        s_charset_range(&t, '0', '9');
    } else if (lower == 'w') {
        s_charset_range(&t, 'a', 'z');
        s_charset_range(&t, 'A', 'Z');
        s_charset_range(&t, '0', '9');
        tw_charset_add(&t, '_');
    } else if (lower == 's') {
        tw_charset_add(&t, ' ');
        s_charset_range(&t, '\t', '\r');
    } else {
        return 0;
    }
    if (c != lower) /* \D \W \S */
        s_charset_invert(&t);
    s_charset_or(cs, &t);
    return 1;
}

/* An escaped single character: \t \n \r \f, or punctuation taken literally.
 * Returns the byte, or -1 for an unsupported escape. */
static int s_re_escape_char(char c)
{
    switch (c) {
    case 't':
        return '\t';
    case 'n':
        return '\n';
    case 'r':
        return '\r';
    case 'f':
        return '\f';
    default:
        break;
    }
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return -1;
    return (unsigned char)c;
}

/* Parses "[...]" starting at re->i (on '['). */
static int s_re_class(struct s_re *re, struct tw_charset *cs)
{
    size_t open = re->i;
    int neg = 0, first = 1;

    memset(cs, 0, sizeof(*cs));
    re->i++;
    if (re->i < re->n && re->p[re->i] == '^') {
        neg = 1;
        re->i++;
    }
    for (;;) {
        int lo, hi;
        size_t item = re->i;

        if (re->i >= re->n)
            return s_re_fail(re, open, "unterminated '[' in regex");
        if (re->p[re->i] == ']' && !first)
            break;
        first = 0;
        if (re->p[re->i] == '[')
            return s_re_fail(re, re->i, "nested '[' in a regex character class is not supported");
        if (re->p[re->i] == '\\') {
            if (re->i + 1 >= re->n)
                return s_re_fail(re, re->i, "regex ends with '\\'");
            if (s_re_class_escape(cs, re->p[re->i + 1])) {
                re->i += 2;
                continue;
            }
            lo = s_re_escape_char(re->p[re->i + 1]);
            if (lo < 0)
                return s_re_fail(re, re->i, "unsupported escape in regex");
            re->i += 2;
        } else {
            lo = (unsigned char)re->p[re->i++];
        }
        hi = lo;
        if (re->i + 1 < re->n && re->p[re->i] == '-' && re->p[re->i + 1] != ']') {
            re->i++;
            if (re->p[re->i] == '\\') {
                if (re->i + 1 >= re->n)
                    return s_re_fail(re, re->i, "regex ends with '\\'");
                hi = s_re_escape_char(re->p[re->i + 1]);
                if (hi < 0)
                    return s_re_fail(re, re->i, "unsupported escape in a regex range");
                re->i += 2;
            } else if (re->p[re->i] == '[') {
                return s_re_fail(re, re->i,
                                 "nested '[' in a regex character class is not supported");
            } else {
                hi = (unsigned char)re->p[re->i++];
            }
            if (hi < lo)
                return s_re_fail(re, item, "regex range out of order");
        }
        s_charset_range(cs, (unsigned)lo, (unsigned)hi);
    }
    re->i++; /* ']' */
    if (neg)
        s_charset_invert(cs);
    return TW_OK;
}

static int s_re_number(struct s_re *re, long *out)
{
    long v = 0;
    size_t start = re->i;

    while (re->i < re->n && re->p[re->i] >= '0' && re->p[re->i] <= '9') {
        if (v <= TW_FILTER_MAX_REPEAT)
            v = v * 10 + (re->p[re->i] - '0');
        re->i++;
    }
    if (re->i == start)
        return 0;
    *out = v;
    return 1;
}

/* Quantifier after an atom: sets min and max (max -1 = unbounded). */
static int s_re_quant(struct s_re *re, long *min, long *max)
{
    char c;
    size_t at;

    *min = 1;
    *max = 1;
    if (re->i >= re->n)
        return TW_OK;
    at = re->i;
    c = re->p[re->i];
    if (c == '*') {
        *min = 0;
        *max = -1;
        re->i++;
    } else if (c == '+') {
        *max = -1;
        re->i++;
    } else if (c == '?') {
        *min = 0;
        re->i++;
    } else if (c == '{') {
        re->i++;
        if (!s_re_number(re, min))
            return s_re_fail(re, at, "'{' in a regex must start a repeat like {2} or {1,3}");
        *max = *min;
        if (re->i < re->n && re->p[re->i] == ',') {
            re->i++;
            if (!s_re_number(re, max))
                *max = -1;
        }
        if (re->i >= re->n || re->p[re->i] != '}')
            return s_re_fail(re, at, "'{' in a regex must start a repeat like {2} or {1,3}");
        re->i++;
        if (*min > TW_FILTER_MAX_REPEAT || *max > TW_FILTER_MAX_REPEAT)
            return s_re_fail(re, at, "regex repeat count above 1000");
        if (*max >= 0 && *max < *min)
            return s_re_fail(re, at, "regex repeat {m,n} has n < m");
    } else {
        return TW_OK;
    }
    /* Lazy quantifiers match the same strings; possessive ones do not. */
    if (re->i < re->n && re->p[re->i] == '?')
        re->i++;
    else if (re->i < re->n && re->p[re->i] == '+')
        return s_re_fail(re, re->i, "possessive regex quantifiers are not supported");
    if (re->i < re->n && strchr("*+?{", re->p[re->i]))
        return s_re_fail(re, re->i, "regex quantifier follows another quantifier");
    return TW_OK;
}

/* Compiles one piece (atom + quantifier); patches `pend` to its entry and
 * replaces `pend` with its dangling edges. */
static int s_re_piece(struct s_re *re, struct s_ilist *pend, struct s_ilist *outs, int *entry)
{
    struct tw_nfa *nfa = re->nfa;
    struct tw_charset cs;
    long min, max;
    int set = -1, assert_op = -1, first = -1;
    size_t at = re->i;
    char c = re->p[re->i];

    memset(&cs, 0, sizeof(cs));
    if (c == '^' || c == '$') {
        assert_op = c == '^' ? TW_NFA_BOL : TW_NFA_EOL;
        re->i++;
    } else if (c == '.') {
        memset(&cs, 0xff, sizeof(cs));
        cs.w[0] &= ~(((uint64_t)1 << '\n') | ((uint64_t)1 << '\r'));
        re->i++;
    } else if (c == '[') {
        if (s_re_class(re, &cs) != TW_OK)
            return re->rc;
    } else if (c == '\\') {
        int e;
        if (re->i + 1 >= re->n)
            return s_re_fail(re, re->i, "regex ends with '\\'");
        if (!s_re_class_escape(&cs, re->p[re->i + 1])) {
            e = s_re_escape_char(re->p[re->i + 1]);
            if (e < 0)
                return s_re_fail(re, re->i, "unsupported escape in regex");
            tw_charset_add(&cs, (unsigned char)e);
        }
        re->i += 2;
    } else if (c == '*' || c == '+' || c == '?') {
        return s_re_fail(re, re->i, "regex quantifier has nothing to repeat");
    } else if (c == '{') {
        return s_re_fail(re, re->i, "regex '{' has nothing to repeat");
    } else {
        tw_charset_add(&cs, (unsigned char)c);
        re->i++;
    }
    if (s_re_quant(re, &min, &max) != TW_OK)
        return re->rc;
    outs->n = 0;
    if (assert_op >= 0) {
        int st;
        if (min != 1 || max != 1)
            return s_re_fail(re, at, "regex anchor '^' or '$' cannot be repeated");
        st = s_state(nfa, assert_op, -1, -1, -1);
        if (st < 0 || s_ilist_push(outs, st * 2) != TW_OK)
            return s_re_oom(re);
        first = st;
    } else {
        int prev = -1;

        set = s_set(nfa, &cs);
        if (set < 0)
            return s_re_oom(re);
        for (long k = 0; k < min; k++) {
            int st = s_state(nfa, TW_NFA_SET, -1, -1, set);
            if (st < 0)
                return s_re_oom(re);
            if (prev >= 0)
                nfa->st[prev].out = st;
            else
                first = st;
            prev = st;
        }
        if (max < 0) {
            int split = s_state(nfa, TW_NFA_SPLIT, -1, -1, -1), loop;
            if (split < 0)
                return s_re_oom(re);
            loop = s_state(nfa, TW_NFA_SET, split, -1, set);
            if (loop < 0)
                return s_re_oom(re);
            nfa->st[split].out = loop;
            if (prev >= 0)
                nfa->st[prev].out = split;
            else
                first = split;
            if (s_ilist_push(outs, split * 2 + 1) != TW_OK)
                return s_re_oom(re);
        } else {
            for (long k = min; k < max; k++) {
                int split = s_state(nfa, TW_NFA_SPLIT, -1, -1, -1), st;
                if (split < 0)
                    return s_re_oom(re);
                st = s_state(nfa, TW_NFA_SET, -1, -1, set);
                if (st < 0)
                    return s_re_oom(re);
                nfa->st[split].out = st;
                if (prev >= 0)
                    nfa->st[prev].out = split;
                else
                    first = split;
                if (s_ilist_push(outs, split * 2 + 1) != TW_OK)
                    return s_re_oom(re);
                prev = st;
            }
            if (prev >= 0 && s_ilist_push(outs, prev * 2) != TW_OK)
                return s_re_oom(re);
        }
    }
    if (first < 0) /* x{0} or x{0,0}: nothing */
        return TW_OK;
    s_patch(nfa, pend, first);
    if (*entry < 0)
        *entry = first;
    pend->n = 0;
    for (size_t k = 0; k < outs->n; k++)
        if (s_ilist_push(pend, outs->v[k]) != TW_OK)
            return s_re_oom(re);
    return TW_OK;
}

int tw_nfa_regex(struct tw_lang *out, struct tw_nfa *nfa, const char *p, size_t n, size_t col0,
                 struct tw_err *err)
{
    struct s_re re = { nfa, p, n, 0, col0, err, TW_OK };
    struct s_ilist pend = { NULL, 0, 0 }, outs = { NULL, 0, 0 }, join = { NULL, 0, 0 };
    struct s_ilist entries = { NULL, 0, 0 };
    int lo = (int)nfa->n, pre, any, alt, post, match;

    for (size_t k = 0; k < n; k++)
        if (!s_re_char_ok((unsigned char)p[k])) {
            if (p[k] == '(' || p[k] == ')')
                s_re_fail(&re, k, "parentheses are not supported in a %regex%");
            else
                s_re_fail(&re, k, "character not allowed in a %regex% (documented: letters, "
                                  "digits, _ # = @ / ; , - and ^ $ ? [ ] { } | \\ * + .)");
            goto out;
        }
    /* Search: Σ* (branch | branch ...) Σ*. */
    any = s_any_set(nfa);
    pre = s_state(nfa, TW_NFA_SPLIT, -1, -1, -1);
    if (any < 0 || pre < 0 || s_state(nfa, TW_NFA_SET, pre, -1, any) < 0) {
        s_re_oom(&re);
        goto out;
    }
    nfa->st[pre].out = pre + 1;
    for (;;) {
        int entry = -1;

        pend.n = 0;
        while (re.i < n && p[re.i] != '|')
            if (s_re_piece(&re, &pend, &outs, &entry) != TW_OK)
                goto out;
        if (entry < 0) { /* empty branch: straight to the join */
            if (s_ilist_push(&entries, -1) != TW_OK) {
                s_re_oom(&re);
                goto out;
            }
        } else if (s_ilist_push(&entries, entry) != TW_OK) {
            s_re_oom(&re);
            goto out;
        }
        for (size_t k = 0; k < pend.n; k++)
            if (s_ilist_push(&join, pend.v[k]) != TW_OK) {
                s_re_oom(&re);
                goto out;
            }
        if (re.i >= n)
            break;
        re.i++; /* '|' */
    }
    /* Alternation: a chain of SPLITs, one per branch but the last. */
    alt = entries.v[entries.n - 1];
    if (alt < 0) {
        alt = s_state(nfa, TW_NFA_SPLIT, -1, -1, -1); /* epsilon placeholder */
        if (alt < 0 || s_ilist_push(&join, alt * 2) != TW_OK || s_ilist_push(&join, alt * 2 + 1)) {
            s_re_oom(&re);
            goto out;
        }
    }
    for (size_t k = entries.n - 1; k-- > 0;) {
        int split = s_state(nfa, TW_NFA_SPLIT, entries.v[k], alt, -1);
        if (split < 0) {
            s_re_oom(&re);
            goto out;
        }
        if (entries.v[k] < 0 && s_ilist_push(&join, split * 2) != TW_OK) {
            s_re_oom(&re);
            goto out;
        }
        alt = split;
    }
    nfa->st[pre].out1 = alt;
    match = s_state(nfa, TW_NFA_MATCH, -1, -1, -1);
    if (match < 0 || (post = s_any_loop(nfa, match)) < 0) {
        s_re_oom(&re);
        goto out;
    }
    s_patch(nfa, &join, post);
    out->start = pre;
    out->lo = lo;
    out->hi = (int)nfa->n;
out:
    free(pend.v);
    free(outs.v);
    free(join.v);
    free(entries.v);
    return re.rc;
}

/* ---- simulation ------------------------------------------------------------ */

/* Adds everything reachable by epsilon edges to `bits` (indices relative to
 * l->lo). `stack` holds at least hi - lo ints. */
static void s_closure(const struct tw_nfa *nfa, const struct tw_lang *l, uint64_t *bits,
                      int *stack, int at_begin, int at_end)
{
    size_t sp = 0, words = ((size_t)(l->hi - l->lo) + 63) / 64;

    for (size_t w = 0; w < words; w++)
        for (uint64_t m = bits[w]; m; m &= m - 1)
            stack[sp++] = (int)(w * 64 + (size_t)__builtin_ctzll(m));
    while (sp > 0) {
        const struct tw_nfa_state *s = &nfa->st[l->lo + stack[--sp]];
        int next[2] = { -1, -1 };

        if (s->op == TW_NFA_SPLIT) {
            next[0] = s->out;
            next[1] = s->out1;
        } else if ((s->op == TW_NFA_BOL && at_begin) || (s->op == TW_NFA_EOL && at_end)) {
            next[0] = s->out;
        }
        for (int k = 0; k < 2; k++) {
            size_t r;
            if (next[k] < 0)
                continue;
            r = (size_t)(next[k] - l->lo);
            if (!((bits[r >> 6] >> (r & 63)) & 1)) {
                bits[r >> 6] |= (uint64_t)1 << (r & 63);
                stack[sp++] = (int)r;
            }
        }
    }
}

/* next = states reached from `cur` by consuming c (before closure). */
static void s_step(const struct tw_nfa *nfa, const struct tw_lang *l, const uint64_t *cur,
                   uint64_t *next, size_t words, unsigned char c)
{
    memset(next, 0, words * sizeof(uint64_t));
    for (size_t w = 0; w < words; w++) {
        uint64_t m = cur[w];
        while (m) {
            int b = __builtin_ctzll(m);
            const struct tw_nfa_state *s = &nfa->st[l->lo + (int)(w * 64) + b];
            m &= m - 1;
            if (s->op == TW_NFA_SET && tw_charset_has(&nfa->sets[s->set], c)) {
                size_t r = (size_t)(s->out - l->lo);
                next[r >> 6] |= (uint64_t)1 << (r & 63);
            }
        }
    }
}

static int s_match_state(const struct tw_nfa *nfa, const struct tw_lang *l)
{
    for (int i = l->lo; i < l->hi; i++)
        if (nfa->st[i].op == TW_NFA_MATCH)
            return i - l->lo;
    return -1;
}

int tw_nfa_match(const struct tw_nfa *nfa, const struct tw_lang *l, const char *s, size_t n)
{
    uint64_t small[2][TW_NFA_SMALL / 64];
    int small_stack[TW_NFA_SMALL];
    size_t size = (size_t)(l->hi - l->lo), words = (size + 63) / 64;
    uint64_t *cur = small[0], *next = small[1], *heap = NULL;
    int *stack = small_stack, *heap_stack = NULL, rc = 0, m = s_match_state(nfa, l);

    if (m < 0)
        return 0;
    if (size > TW_NFA_SMALL) {
        heap = calloc(words * 2, sizeof(uint64_t));
        heap_stack = malloc(size * sizeof(int));
        if (!heap || !heap_stack) {
            rc = -1;
            goto out;
        }
        cur = heap;
        next = heap + words;
        stack = heap_stack;
    }
    memset(cur, 0, words * sizeof(uint64_t));
    cur[(size_t)(l->start - l->lo) >> 6] |= (uint64_t)1 << ((size_t)(l->start - l->lo) & 63);
    s_closure(nfa, l, cur, stack, 1, n == 0);
    for (size_t i = 0; i < n; i++) {
        uint64_t *t;
        int any = 0;

        s_step(nfa, l, cur, next, words, (unsigned char)s[i]);
        s_closure(nfa, l, next, stack, 0, i + 1 == n);
        t = cur;
        cur = next;
        next = t;
        for (size_t w = 0; w < words && !any; w++)
            any = cur[w] != 0;
        if (!any)
            break;
    }
    rc = (int)((cur[(size_t)m >> 6] >> ((size_t)m & 63)) & 1);
out:
    free(heap);
    free(heap_stack);
    return rc;
}

/* ---- witness search ------------------------------------------------------------
 *
 * Subset construction over the union of the languages, explored breadth
 * first: every string drives the union automaton into one reachable subset,
 * and all strings reaching the same subset belong to the same languages. So
 * one string per reachable subset (the BFS path to it) realises every
 * combination of memberships that exists. Bytes are grouped by the sets that
 * contain them; one byte per group is enough, and the nicest-looking byte is
 * chosen so counterexamples stay readable. NUL is left out: no event string
 * held by cJSON can contain it, and no pattern can single it out (control
 * characters are rejected), so it always shares a group with 0x01. */

struct s_bfs {
    const struct tw_nfa *nfa;
    const struct tw_lang *langs;
    size_t nl;
    size_t *woff, words;
    uint64_t *sets; /* nstates * words */
    int *parent;
    unsigned char *sym;
    size_t nstates, cap;
    int *hash;
    size_t hcap;
    int *stack;
    uint64_t *tmp;
};

static int s_rank(unsigned c)
{
    if (c >= 'a' && c <= 'z')
        return 0;
    if (c >= 'A' && c <= 'Z')
        return 1;
    if (c >= '0' && c <= '9')
        return 2;
    if (c > ' ' && c < 0x7f && c != '"' && c != '\\')
        return 3;
    if (c == ' ')
        return 4;
    if (c < 0x80)
        return 5;
    return 6;
}

static uint64_t s_hash(const uint64_t *w, size_t n)
{
    uint64_t h = 1469598103934665603ULL;

    for (size_t i = 0; i < n; i++) {
        h ^= w[i];
        h *= 1099511628211ULL;
        h ^= h >> 29;
    }
    return h;
}

/* Doubles the state arrays and rebuilds the hash table (kept at most half
 * full). Returns TW_OK, or -1 at the budget or out of memory. */
static int s_bfs_grow(struct s_bfs *b)
{
    size_t ncap = b->cap ? b->cap * 2 : 32, hcap;
    uint64_t *sets;
    int *parent, *hash;
    unsigned char *sym;

    if (b->cap >= TW_WITNESS_MAX_STATES)
        return -1;
    if (ncap > TW_WITNESS_MAX_STATES)
        ncap = TW_WITNESS_MAX_STATES;
    hcap = 2 * ncap + 1;
    sets = realloc(b->sets, ncap * b->words * sizeof(uint64_t));
    if (sets)
        b->sets = sets;
    parent = realloc(b->parent, ncap * sizeof(int));
    if (parent)
        b->parent = parent;
    sym = realloc(b->sym, ncap);
    if (sym)
        b->sym = sym;
    hash = malloc(hcap * sizeof(int));
    if (!sets || !parent || !sym || !hash) {
        free(hash);
        return -1;
    }
    for (size_t i = 0; i < hcap; i++)
        hash[i] = -1;
    for (size_t k = 0; k < b->nstates; k++) {
        size_t slot = (size_t)(s_hash(b->sets + k * b->words, b->words) % hcap);
        while (hash[slot] >= 0)
            slot = (slot + 1) % hcap;
        hash[slot] = (int)k;
    }
    free(b->hash);
    b->hash = hash;
    b->hcap = hcap;
    b->cap = ncap;
    return TW_OK;
}

/* Finds or adds the subset in b->tmp. Returns its index, or -1 when the
 * budget is reached (or memory runs out). */
static int s_bfs_intern(struct s_bfs *b, int parent, unsigned char sym, int *added)
{
    uint64_t h = s_hash(b->tmp, b->words);
    size_t slot;

    *added = 0;
    if (b->nstates >= b->cap / 2 + b->cap / 4 && b->cap < TW_WITNESS_MAX_STATES &&
        s_bfs_grow(b) != TW_OK && b->nstates >= b->cap)
        return -1;
    slot = (size_t)(h % b->hcap);
    while (b->hash[slot] >= 0) {
        int k = b->hash[slot];
        if (memcmp(b->sets + (size_t)k * b->words, b->tmp, b->words * sizeof(uint64_t)) == 0)
            return k;
        slot = (slot + 1) % b->hcap;
    }
    if (b->nstates >= b->cap)
        return -1;
    memcpy(b->sets + b->nstates * b->words, b->tmp, b->words * sizeof(uint64_t));
    b->parent[b->nstates] = parent;
    b->sym[b->nstates] = sym;
    b->hash[slot] = (int)b->nstates;
    *added = 1;
    return (int)b->nstates++;
}

static int s_witness_add(struct tw_witnesses *out, struct s_bfs *b, int state,
                         const unsigned char *vec)
{
    struct tw_witness *w;
    size_t len = 0;

    for (int k = state; b->parent[k] >= 0; k = b->parent[k])
        len++;
    if (tw_filter_grow((void **)&out->w, &out->cap, out->n + 1, sizeof(*out->w)) != TW_OK)
        return TW_ENOMEM;
    w = &out->w[out->n];
    w->s = malloc(len + 1);
    w->v = malloc(b->nl ? b->nl : 1);
    if (!w->s || !w->v) {
        free(w->s);
        free(w->v);
        return TW_ENOMEM;
    }
    w->n = len;
    w->s[len] = '\0';
    for (int k = state; b->parent[k] >= 0; k = b->parent[k])
        w->s[--len] = (char)b->sym[k];
    memcpy(w->v, vec, b->nl);
    out->n++;
    return TW_OK;
}

void tw_witnesses_cleanup(struct tw_witnesses *w)
{
    if (!w)
        return;
    for (size_t i = 0; i < w->n; i++) {
        free(w->w[i].s);
        free(w->w[i].v);
    }
    free(w->w);
    memset(w, 0, sizeof(*w));
}

int tw_nfa_witnesses(struct tw_witnesses *out, const struct tw_nfa *nfa, const struct tw_lang *langs,
                     size_t nl)
{
    struct s_bfs b;
    unsigned char group[256], rep[256], *vec = NULL, *seen = NULL;
    int *mstate = NULL;
    size_t ngroups = 0, maxsize = 0, total = 0, head = 0;
    unsigned long work = 0;
    int rc = TW_ENOMEM;

    memset(&b, 0, sizeof(b));
    memset(out, 0, sizeof(*out));
    out->complete = 1;
    b.nfa = nfa;
    b.langs = langs;
    b.nl = nl;
    b.woff = calloc(nl + 1, sizeof(size_t));
    mstate = calloc(nl + 1, sizeof(int));
    vec = calloc(nl + 1, 1);
    if (!b.woff || !mstate || !vec)
        goto out;
    for (size_t i = 0; i < nl; i++) {
        size_t size = (size_t)(langs[i].hi - langs[i].lo);
        b.woff[i] = b.words;
        b.words += (size + 63) / 64;
        total += size;
        if (size > maxsize)
            maxsize = size;
        mstate[i] = s_match_state(nfa, &langs[i]);
    }
    if (b.words == 0)
        b.words = 1;
    b.stack = malloc((maxsize + 1) * sizeof(int));
    b.tmp = calloc(b.words * 2, sizeof(uint64_t));
    seen = calloc(nfa->nsets + 1, 1);
    if (!b.stack || !b.tmp || !seen || s_bfs_grow(&b) != TW_OK)
        goto out;

    /* Alphabet: refine one group of bytes 1..255 by every set in use. */
    memset(group, 0, sizeof(group));
    ngroups = 1;
    for (size_t i = 0; i < nl; i++)
        for (int s = langs[i].lo; s < langs[i].hi; s++) {
            unsigned char remap[256][2];
            size_t n2 = 0;
            if (nfa->st[s].op != TW_NFA_SET || seen[nfa->st[s].set])
                continue;
            seen[nfa->st[s].set] = 1;
            memset(remap, 0xff, sizeof(remap));
            for (unsigned c = 1; c < 256; c++) {
                int in = tw_charset_has(&nfa->sets[nfa->st[s].set], (unsigned char)c);
                if (remap[group[c]][in] == 0xff)
                    remap[group[c]][in] = (unsigned char)n2++;
            }
            for (unsigned c = 1; c < 256; c++)
                group[c] = remap[group[c]][tw_charset_has(&nfa->sets[nfa->st[s].set],
                                                          (unsigned char)c)];
            ngroups = n2;
        }
    for (size_t g = 0; g < ngroups; g++)
        rep[g] = 0;
    for (unsigned c = 1; c < 256; c++) {
        unsigned char g = group[c];
        if (rep[g] == 0 || s_rank(c) < s_rank(rep[g]))
            rep[g] = (unsigned char)c;
    }

    /* Start subset. */
    {
        int added;
        memset(b.tmp, 0, b.words * sizeof(uint64_t));
        for (size_t i = 0; i < nl; i++) {
            size_t r = (size_t)(langs[i].start - langs[i].lo);
            uint64_t *w = b.tmp + b.woff[i];
            w[r >> 6] |= (uint64_t)1 << (r & 63);
            s_closure(nfa, &langs[i], w, b.stack, 1, 0);
        }
        s_bfs_intern(&b, -1, 0, &added);
    }
    while (head < b.nstates) {
        size_t cur = head++;
        int known = 0;

        /* Memberships of the strings reaching `cur`. */
        for (size_t i = 0; i < nl; i++) {
            uint64_t *w = b.tmp + b.words; /* scratch half */
            size_t words_i = ((size_t)(langs[i].hi - langs[i].lo) + 63) / 64;
            memcpy(w, b.sets + cur * b.words + b.woff[i], words_i * sizeof(uint64_t));
            s_closure(nfa, &langs[i], w, b.stack, cur == 0, 1);
            vec[i] = mstate[i] >= 0 && ((w[(size_t)mstate[i] >> 6] >> ((size_t)mstate[i] & 63)) & 1);
        }
        work += out->n * (nl / 8 + 1);
        for (size_t k = 0; k < out->n && !known; k++)
            known = memcmp(out->w[k].v, vec, nl) == 0;
        if (!known && s_witness_add(out, &b, (int)cur, vec) != TW_OK)
            goto out;
        for (size_t g = 0; g < ngroups; g++) {
            int added;

            work += total + 1;
            if (work > TW_WITNESS_MAX_WORK) {
                out->complete = 0;
                rc = TW_OK;
                goto out;
            }
            for (size_t i = 0; i < nl; i++) {
                size_t words_i = ((size_t)(langs[i].hi - langs[i].lo) + 63) / 64;
                uint64_t *w = b.tmp + b.woff[i];
                s_step(nfa, &langs[i], b.sets + cur * b.words + b.woff[i], w, words_i, rep[g]);
                s_closure(nfa, &langs[i], w, b.stack, 0, 0);
            }
            if (s_bfs_intern(&b, (int)cur, rep[g], &added) < 0) {
                out->complete = 0;
                rc = TW_OK;
                goto out;
            }
        }
    }
    rc = TW_OK;
out:
    if (rc != TW_OK)
        tw_witnesses_cleanup(out);
    free(b.woff);
    free(b.sets);
    free(b.parent);
    free(b.sym);
    free(b.hash);
    free(b.stack);
    free(b.tmp);
    free(mstate);
    free(vec);
    free(seen);
    return rc;
}
