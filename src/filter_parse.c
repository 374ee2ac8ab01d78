/* filter_parse.c — CloudWatch Logs filter-pattern parser.
 *
 * One pass of recursive descent over the documented grammar (PROTOCOLS.md
 * §7, FilterAndPatternSyntax.html). Errors name the 1-based column of the
 * offending byte and what would fix it. The parser is deliberately a little
 * stricter than "anything AWS might accept" only where the documentation says
 * so (unquoted values with '@', '$', '\'); an unparseable stored filter ends
 * as "not proven", never as a false "covered". */
#include "filter_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct s_parser {
    struct tw_filter *f;
    const char *p;
    size_t n, i;
    struct tw_err *err;
    int rc;
    int depth;
    int nregex;
    int ellipses;
};

static int s_fail(struct s_parser *ps, size_t at, const char *fmt, ...) TW_PRINTF(3, 4);

static int s_fail(struct s_parser *ps, size_t at, const char *fmt, ...)
{
    char what[400];
    va_list ap;

    if (ps->rc != TW_OK)
        return ps->rc;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    tw_err_set(ps->err, "column %zu: %s", at + 1, what);
    ps->rc = TW_EPARSE;
    return ps->rc;
}

static int s_oom(struct s_parser *ps)
{
    if (ps->rc == TW_OK) {
        tw_err_set(ps->err, "out of memory parsing a filter pattern");
        ps->rc = TW_ENOMEM;
    }
    return ps->rc;
}

static int s_is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static int s_is_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static void s_skip(struct s_parser *ps)
{
    while (ps->i < ps->n && s_is_space(ps->p[ps->i]))
        ps->i++;
}

static int s_at(const struct s_parser *ps, const char *lit)
{
    size_t k = strlen(lit);
    return ps->n - ps->i >= k && memcmp(ps->p + ps->i, lit, k) == 0;
}

/* Describes the byte at `at` for messages: 'x', "end of pattern", "a newline". */
static const char *s_what(const struct s_parser *ps, size_t at, char buf[16])
{
    unsigned char c;

    if (at >= ps->n)
        return "the end of the pattern";
    c = (unsigned char)ps->p[at];
    if (c == '\n')
        return "a newline";
    if (c == '\t')
        return "a tab";
    if (c < 0x20 || c >= 0x7f)
        snprintf(buf, 16, "byte 0x%02x", c);
    else if (c == '\'')
        snprintf(buf, 16, "\"'\"");
    else
        snprintf(buf, 16, "'%c'", c);
    return buf;
}

/* Appends bytes + NUL to the pool; returns the offset via *off. */
static int s_pool_add(struct tw_filter *f, const char *s, size_t n, size_t *off)
{
    if (tw_filter_grow((void **)&f->pool, &f->pool_cap, f->pool_len + n + 1, 1) != TW_OK)
        return TW_ENOMEM;
    if (n)
        memcpy(f->pool + f->pool_len, s, n);
    f->pool[f->pool_len + n] = '\0';
    *off = f->pool_len;
    f->pool_len += n + 1;
    return TW_OK;
}

static int s_new_expr(struct s_parser *ps, int kind, int atom)
{
    struct tw_filter *f = ps->f;
    struct tw_fexpr *e;

    if (tw_filter_grow((void **)&f->expr, &f->expr_cap, f->nexpr + 1, sizeof(*f->expr)) != TW_OK) {
        s_oom(ps);
        return -1;
    }
    e = &f->expr[f->nexpr];
    e->kind = kind;
    e->atom = atom;
    e->first = e->last = e->next = -1;
    return (int)f->nexpr++;
}

static void s_add_child(struct tw_filter *f, int parent, int child)
{
    struct tw_fexpr *p = &f->expr[parent];

    if (p->last < 0)
        p->first = child;
    else
        f->expr[p->last].next = child;
    p->last = child;
}

/* Joins `a` and `b` under `kind`, reusing `a` when it already is such a node
 * built by this chain (`owned`). */
static int s_join(struct s_parser *ps, int kind, int a, int b, int *owned)
{
    int n;

    if (*owned) {
        s_add_child(ps->f, a, b);
        return a;
    }
    n = s_new_expr(ps, kind, -1);
    if (n < 0)
        return -1;
    s_add_child(ps->f, n, a);
    s_add_child(ps->f, n, b);
    *owned = 1;
    return n;
}

static int s_trie_child(struct s_parser *ps, int parent, int kind, const char *key, size_t klen,
                        unsigned long index)
{
    struct tw_filter *f = ps->f;
    struct tw_ftrie *t;
    int prev = -1;

    for (int c = f->trie[parent].first_child; c >= 0; c = f->trie[c].next_sibling) {
        t = &f->trie[c];
        if (t->kind == kind &&
            (kind == TW_FT_KEY ? (t->key_len == klen && memcmp(f->pool + t->key_off, key, klen) == 0)
                               : t->index == index))
            return c;
        prev = c;
    }
    if (tw_filter_grow((void **)&f->trie, &f->trie_cap, f->ntrie + 1, sizeof(*f->trie)) != TW_OK) {
        s_oom(ps);
        return -1;
    }
    t = &f->trie[f->ntrie];
    memset(t, 0, sizeof(*t));
    t->kind = kind;
    t->parent = parent;
    t->first_child = t->next_sibling = -1;
    t->index = index;
    t->depth = f->trie[parent].depth + 1;
    if (kind == TW_FT_KEY && s_pool_add(f, key, klen, &t->key_off) != TW_OK) {
        s_oom(ps);
        return -1;
    }
    t->key_len = klen;
    if (prev < 0)
        f->trie[parent].first_child = (int)f->ntrie;
    else
        f->trie[prev].next_sibling = (int)f->ntrie;
    return (int)f->ntrie++;
}

static int s_new_atom(struct s_parser *ps, struct tw_fatom **out)
{
    struct tw_filter *f = ps->f;

    if (tw_filter_grow((void **)&f->atoms, &f->atom_cap, f->natoms + 1, sizeof(*f->atoms)) !=
        TW_OK)
        return s_oom(ps);
    *out = &f->atoms[f->natoms];
    memset(*out, 0, sizeof(**out));
    (*out)->node = -1;
    f->natoms++;
    return TW_OK;
}

/* Number grammar of the documentation: optional sign, integer or decimal,
 * optional exponent ("10e-3", "+1000", "55.5"). */
static int s_number_syntax(const char *s, size_t n)
{
    size_t i = 0, digits = 0;

    if (i < n && (s[i] == '+' || s[i] == '-'))
        i++;
    while (i < n && s[i] >= '0' && s[i] <= '9') {
        i++;
        digits++;
    }
    if (i < n && s[i] == '.') {
        i++;
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            i++;
            digits++;
        }
    }
    if (digits == 0)
        return 0;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        size_t e = 0;
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            i++;
            e++;
        }
        if (e == 0)
            return 0;
    }
    return i == n;
}

int tw_filter_number(const char *s, size_t n, double *out)
{
    char buf[128];

    if (n == 0 || n >= sizeof(buf) || !s_number_syntax(s, n))
        return 0;
    memcpy(buf, s, n);
    buf[n] = '\0';
    /* strtod reads '.' as the decimal point in the "C" locale, which a
     * Lambda bootstrap never leaves (nothing calls setlocale). */
    *out = strtod(buf, NULL);
    return 1;
}

/* Reads a "..." string at ps->i (on the quote). Backslash makes the next
 * byte literal. Fills the atom's glob fields. */
static int s_quoted(struct s_parser *ps, struct tw_fatom *a, int wildcards)
{
    char bytes[TW_FILTER_MAX_PATTERN];
    unsigned char esc[TW_FILTER_MAX_PATTERN];
    size_t open = ps->i, n = 0, lead = 0, trail = 0;

    ps->i++;
    for (;;) {
        if (ps->i >= ps->n)
            return s_fail(ps, open, "unterminated string: add the closing '\"'");
        if (ps->p[ps->i] == '"')
            break;
        esc[n] = 0;
        if (ps->p[ps->i] == '\\') {
            if (ps->i + 1 >= ps->n)
                return s_fail(ps, open, "unterminated string: add the closing '\"'");
            ps->i++;
            esc[n] = 1;
        }
        bytes[n++] = ps->p[ps->i++];
    }
    ps->i++;
    if (wildcards) {
        lead = n > 0 && bytes[0] == '*' && !esc[0];
        trail = n > lead && bytes[n - 1] == '*' && !esc[n - 1];
    }
    a->quoted = 1;
    a->vkind = TW_FV_GLOB;
    a->lead = (int)lead;
    a->trail = (int)trail;
    if (s_pool_add(ps->f, bytes + lead, n - lead - trail, &a->str_off) != TW_OK)
        return s_oom(ps);
    a->str_len = n - lead - trail;
    return TW_OK;
}

static int s_regex(struct s_parser *ps, struct tw_lang *lang)
{
    size_t open = ps->i, start;

    ps->i++;
    start = ps->i;
    while (ps->i < ps->n && ps->p[ps->i] != '%')
        ps->i++;
    if (ps->i >= ps->n)
        return s_fail(ps, open, "unterminated %%regex%%: add the closing '%%'");
    if (ps->i == start)
        return s_fail(ps, open, "empty %%regex%%");
    if (++ps->nregex > TW_FILTER_MAX_REGEX)
        return s_fail(ps, open, "more than %d %%regex%% terms in one pattern (AWS limit)",
                      TW_FILTER_MAX_REGEX);
    ps->rc = tw_nfa_regex(lang, &ps->f->nfa, ps->p + start, ps->i - start, start + 1, ps->err);
    ps->i++;
    return ps->rc;
}

/* Unquoted value: letters, digits and _ . * + - : / (the documentation's
 * examples: UpdateTrail, 123.123.*, 4*, +1000, 10e-3). */
static int s_unquoted_ok(char c)
{
    return s_is_alnum(c) || (c != 0 && strchr("_.*+-:/", c) != NULL);
}

/* A comparison value after `op`. `stops` ends an unquoted token. */
static int s_value(struct s_parser *ps, struct tw_fatom *a, const char *opname, const char *stops)
{
    size_t start;
    char tmp[16];

    s_skip(ps);
    a->col = ps->i + 1;
    if (ps->i < ps->n && ps->p[ps->i] == '=' && strcmp(opname, "=") == 0)
        return s_fail(ps, ps->i, "'==' is not an operator: use '='");
    if (ps->i < ps->n && ps->p[ps->i] == '!' && strcmp(opname, "=") == 0)
        return s_fail(ps, ps->i, "'=!' is not an operator: use '!=' for \"not equal\"");
    if (ps->i >= ps->n || strchr(stops, ps->p[ps->i]))
        return s_fail(ps, ps->i, "expected a value after '%s', found %s", opname,
                      s_what(ps, ps->i, tmp));
    if (ps->p[ps->i] == '"') {
        if (s_quoted(ps, a, 1) != TW_OK)
            return ps->rc;
    } else if (ps->p[ps->i] == '%') {
        a->vkind = TW_FV_REGEX;
        if (s_regex(ps, &a->lang) != TW_OK)
            return ps->rc;
        return TW_OK;
    } else {
        size_t n;
        start = ps->i;
        while (ps->i < ps->n && !s_is_space(ps->p[ps->i]) && !strchr(stops, ps->p[ps->i]) &&
               ps->p[ps->i] != '"' && ps->p[ps->i] != '%')
            ps->i++;
        n = ps->i - start;
        for (size_t k = start; k < ps->i; k++)
            if (!s_unquoted_ok(ps->p[k]))
                return s_fail(ps, k,
                              "%s may only appear inside double quotes: write the value as "
                              "\"...\"",
                              s_what(ps, k, tmp));
        if (tw_filter_number(ps->p + start, n, &a->num)) {
            a->vkind = TW_FV_NUM;
            if (s_pool_add(ps->f, ps->p + start, n, &a->str_off) != TW_OK)
                return s_oom(ps);
            a->str_len = n;
            return TW_OK;
        }
        a->vkind = TW_FV_GLOB;
        a->lead = ps->p[start] == '*';
        a->trail = n > (size_t)a->lead && ps->p[ps->i - 1] == '*';
        if (s_pool_add(ps->f, ps->p + start + a->lead, n - (size_t)a->lead - (size_t)a->trail,
                       &a->str_off) != TW_OK)
            return s_oom(ps);
        a->str_len = n - (size_t)a->lead - (size_t)a->trail;
    }
    if (tw_nfa_glob(&a->lang, &ps->f->nfa, tw_filter_str(ps->f, a->str_off), a->str_len, a->lead,
                    a->trail) != TW_OK) {
        if (ps->f->nfa.n >= TW_FILTER_MAX_NFA)
            return s_fail(ps, a->col - 1, "pattern too large: more than %d automaton states",
                          TW_FILTER_MAX_NFA);
        return s_oom(ps);
    }
    return TW_OK;
}

/* Operator at ps->i; returns TW_OP_* or -1. */
static int s_operator(struct s_parser *ps, const char **name)
{
    static const struct {
        const char *lit;
        int op;
    } ops[] = { { "!=", TW_OP_NE }, { "<=", TW_OP_LE }, { ">=", TW_OP_GE },
                { "=", TW_OP_EQ },  { "<", TW_OP_LT },  { ">", TW_OP_GT } };

    for (size_t k = 0; k < TW_ARRAY_LEN(ops); k++)
        if (s_at(ps, ops[k].lit)) {
            ps->i += strlen(ops[k].lit);
            *name = ops[k].lit;
            return ops[k].op;
        }
    return -1;
}

static int s_check_relational(struct s_parser *ps, const struct tw_fatom *a, const char *opname)
{
    if (a->op >= TW_OP_LT && a->op <= TW_OP_GE && a->vkind != TW_FV_NUM)
        return s_fail(ps, a->col - 1, "'%s' compares numbers; this value is not a number", opname);
    return TW_OK;
}

static size_t s_word(struct s_parser *ps)
{
    size_t start = ps->i;
    while (ps->i < ps->n && s_is_alnum(ps->p[ps->i]))
        ps->i++;
    return ps->i - start;
}

static int s_word_is(const struct s_parser *ps, size_t start, size_t len, const char *w)
{
    return len == strlen(w) && memcmp(ps->p + start, w, len) == 0;
}

static int s_word_is_ci(const struct s_parser *ps, size_t start, size_t len, const char *w)
{
    if (len != strlen(w))
        return 0;
    for (size_t k = 0; k < len; k++) {
        char c = ps->p[start + k];
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        if (c != w[k])
            return 0;
    }
    return 1;
}

/* $.a.b[0] — returns the trie node or -1. */
static int s_selector(struct s_parser *ps)
{
    int node = 0, depth = 0;
    char tmp[16];

    ps->i++; /* '$' */
    if (ps->i >= ps->n || ps->p[ps->i] != '.') {
        s_fail(ps, ps->i, "a selector is '$.' followed by a property name, found %s",
               s_what(ps, ps->i, tmp));
        return -1;
    }
    while (ps->i < ps->n && (ps->p[ps->i] == '.' || ps->p[ps->i] == '[')) {
        if (++depth > TW_FILTER_MAX_DEPTH) {
            s_fail(ps, ps->i, "selector deeper than %d levels", TW_FILTER_MAX_DEPTH);
            return -1;
        }
        if (ps->p[ps->i] == '.') {
            size_t start = ++ps->i;
            while (ps->i < ps->n &&
                   (s_is_alnum(ps->p[ps->i]) || ps->p[ps->i] == '-' || ps->p[ps->i] == '_'))
                ps->i++;
            if (ps->i == start) {
                s_fail(ps, ps->i,
                       "expected a property name (letters, digits, '-', '_') after '.', "
                       "found %s",
                       s_what(ps, ps->i, tmp));
                return -1;
            }
            node = s_trie_child(ps, node, TW_FT_KEY, ps->p + start, ps->i - start, 0);
        } else {
            size_t open = ps->i++, start = ps->i;
            unsigned long idx = 0;
            while (ps->i < ps->n && ps->p[ps->i] >= '0' && ps->p[ps->i] <= '9') {
                if (idx <= 100000000UL)
                    idx = idx * 10 + (unsigned long)(ps->p[ps->i] - '0');
                ps->i++;
            }
            if (ps->i == start || ps->i >= ps->n || ps->p[ps->i] != ']') {
                s_fail(ps, open, "an array index is written [N] with N a number, like $.a[0]");
                return -1;
            }
            if (idx > 100000000UL) {
                s_fail(ps, start, "array index too large");
                return -1;
            }
            ps->i++;
            node = s_trie_child(ps, node, TW_FT_INDEX, NULL, 0, idx);
        }
        if (node < 0)
            return -1;
    }
    if (ps->i < ps->n && !s_is_space(ps->p[ps->i]) && !strchr("=!<>)}&|", ps->p[ps->i])) {
        s_fail(ps, ps->i,
               "%s cannot appear in a selector: property names hold letters, digits, '-' "
               "and '_'",
               s_what(ps, ps->i, tmp));
        return -1;
    }
    return node;
}

static int s_comparison(struct s_parser *ps)
{
    struct tw_fatom *a;
    const char *opname = NULL;
    size_t sel = ps->i, wstart, wlen;
    int node, op, ai;
    char tmp[16];

    node = s_selector(ps);
    if (node < 0)
        return -1;
    if (s_new_atom(ps, &a) != TW_OK)
        return -1;
    ai = (int)ps->f->natoms - 1;
    a->node = node;
    a->col = sel + 1;
    s_skip(ps);
    op = s_operator(ps, &opname);
    if (op >= 0) {
        a->op = op;
        if (s_value(ps, a, opname, "(){}&|=!<>") != TW_OK)
            return -1;
        if (s_check_relational(ps, a, opname) != TW_OK)
            return -1;
        return s_new_expr(ps, TW_FE_ATOM, ai);
    }
    wstart = ps->i;
    wlen = s_word(ps);
    if (s_word_is(ps, wstart, wlen, "IS")) {
        size_t w2;
        s_skip(ps);
        wstart = ps->i;
        w2 = s_word(ps);
        if (s_word_is(ps, wstart, w2, "NULL"))
            a->op = TW_OP_IS_NULL;
        else if (s_word_is(ps, wstart, w2, "TRUE"))
            a->op = TW_OP_IS_TRUE;
        else if (s_word_is(ps, wstart, w2, "FALSE"))
            a->op = TW_OP_IS_FALSE;
        else if (s_word_is(ps, wstart, w2, "NOT")) {
            s_fail(ps, wstart,
                   "'IS NOT' is not supported: use NOT EXISTS, IS NULL, IS TRUE or IS FALSE");
            return -1;
        } else {
            s_fail(ps, wstart, "expected NULL, TRUE or FALSE after IS (upper case)");
            return -1;
        }
    } else if (s_word_is(ps, wstart, wlen, "NOT")) {
        size_t w2;
        s_skip(ps);
        wstart = ps->i;
        w2 = s_word(ps);
        if (!s_word_is(ps, wstart, w2, "EXISTS")) {
            s_fail(ps, wstart, "expected EXISTS after NOT (upper case)");
            return -1;
        }
        a->op = TW_OP_NOT_EXISTS;
    } else if (s_word_is(ps, wstart, wlen, "EXISTS")) {
        s_fail(ps, wstart,
               "only NOT EXISTS is supported; to require a string or number use '= *'");
        return -1;
    } else if (s_word_is_ci(ps, wstart, wlen, "IS") || s_word_is_ci(ps, wstart, wlen, "NOT") ||
               s_word_is_ci(ps, wstart, wlen, "EXISTS")) {
        s_fail(ps, wstart, "keywords are case-sensitive: write IS, NOT EXISTS in capitals");
        return -1;
    } else {
        s_fail(ps, wstart,
               "expected an operator (=, !=, <, >, <=, >=), IS or NOT EXISTS after the "
               "selector, found %s",
               s_what(ps, wstart, tmp));
        return -1;
    }
    a->vkind = TW_FV_NONE;
    return s_new_expr(ps, TW_FE_ATOM, ai);
}

static int s_or(struct s_parser *ps);

static int s_unary(struct s_parser *ps)
{
    char tmp[16];

    s_skip(ps);
    if (ps->i < ps->n && ps->p[ps->i] == '(') {
        size_t open = ps->i;
        int e;
        if (++ps->depth > TW_FILTER_MAX_NESTING) {
            s_fail(ps, ps->i, "parentheses nested deeper than %d", TW_FILTER_MAX_NESTING);
            return -1;
        }
        ps->i++;
        e = s_or(ps);
        if (e < 0)
            return -1;
        s_skip(ps);
        if (ps->i >= ps->n || ps->p[ps->i] != ')') {
            if (ps->i < ps->n && ps->p[ps->i] != '}')
                s_fail(ps, ps->i, "expected '&&', '||' or ')', found %s%s",
                       s_what(ps, ps->i, tmp),
                       s_is_alnum(ps->p[ps->i]) ? " (quote values that contain blanks)" : "");
            else
                s_fail(ps, open, "'(' is never closed: add ')'");
            return -1;
        }
        ps->i++;
        ps->depth--;
        return e;
    }
    if (ps->i < ps->n && ps->p[ps->i] == '$')
        return s_comparison(ps);
    if (ps->i < ps->n && ps->p[ps->i] == '}')
        s_fail(ps, ps->i, "expected a condition before '}'");
    else
        s_fail(ps, ps->i, "expected a condition like $.eventName = X or '(', found %s",
               s_what(ps, ps->i, tmp));
    return -1;
}

static int s_chain(struct s_parser *ps, int kind)
{
    const char *tok = kind == TW_FE_OR ? "||" : "&&";
    int owned = 0, a;

    a = kind == TW_FE_OR ? s_chain(ps, TW_FE_AND) : s_unary(ps);
    if (a < 0)
        return -1;
    for (;;) {
        int b;
        s_skip(ps);
        if (!s_at(ps, tok))
            return a;
        ps->i += 2;
        b = kind == TW_FE_OR ? s_chain(ps, TW_FE_AND) : s_unary(ps);
        if (b < 0)
            return -1;
        a = s_join(ps, kind, a, b, &owned);
        if (a < 0)
            return -1;
    }
}

static int s_or(struct s_parser *ps)
{
    return s_chain(ps, TW_FE_OR);
}

static int s_json(struct s_parser *ps)
{
    char tmp[16];
    size_t open;

    s_skip(ps);
    open = ps->i;
    ps->i++; /* '{' */
    s_skip(ps);
    if (ps->i < ps->n && ps->p[ps->i] == '}')
        return s_fail(ps, ps->i, "empty JSON pattern: put a condition between '{' and '}'");
    ps->f->root = s_or(ps);
    if (ps->f->root < 0)
        return ps->rc != TW_OK ? ps->rc : s_oom(ps);
    s_skip(ps);
    if (ps->i >= ps->n)
        return s_fail(ps, open, "'{' is never closed: end the JSON pattern with '}'");
    if (ps->p[ps->i] != '}') {
        char c = ps->p[ps->i];
        if (c == '&' && !s_at(ps, "&&"))
            return s_fail(ps, ps->i, "AND is written '&&'");
        if (c == '|' && !s_at(ps, "||"))
            return s_fail(ps, ps->i, "OR is written '||'");
        if (c == ')')
            return s_fail(ps, ps->i, "')' without a matching '('");
        return s_fail(ps, ps->i, "expected '&&', '||' or '}', found %s%s", s_what(ps, ps->i, tmp),
                      s_is_alnum(c) ? " (quote values that contain blanks)" : "");
    }
    ps->i++;
    s_skip(ps);
    if (ps->i < ps->n)
        return s_fail(ps, ps->i, "unexpected %s after the closing '}'", s_what(ps, ps->i, tmp));
    return TW_OK;
}

/* ---- terms: ERROR "a phrase" ?opt -excl %re% ------------------------------ */

static int s_terms(struct s_parser *ps)
{
    struct tw_filter *f = ps->f;
    char tmp[16];

    for (;;) {
        struct tw_fterm *t;
        int mode = TW_TERM_REQUIRED;
        size_t at;

        s_skip(ps);
        if (ps->i >= ps->n)
            return TW_OK;
        at = ps->i;
        if (ps->p[ps->i] == '?' || ps->p[ps->i] == '-') {
            mode = ps->p[ps->i] == '?' ? TW_TERM_OPTIONAL : TW_TERM_EXCLUDED;
            ps->i++;
            if (ps->i >= ps->n || s_is_space(ps->p[ps->i]))
                return s_fail(ps, at, "'%c' must be directly followed by the term it applies to",
                              ps->p[at]);
        }
        if (tw_filter_grow((void **)&f->terms, &f->term_cap, f->nterms + 1, sizeof(*f->terms)) !=
            TW_OK)
            return s_oom(ps);
        t = &f->terms[f->nterms];
        memset(t, 0, sizeof(*t));
        t->mode = mode;
        if (ps->p[ps->i] == '"') {
            struct tw_fatom a;
            memset(&a, 0, sizeof(a));
            if (s_quoted(ps, &a, 0) != TW_OK)
                return ps->rc;
            t->off = a.str_off;
            t->len = a.str_len;
        } else if (ps->p[ps->i] == '%') {
            t->regex = 1;
            if (s_regex(ps, &t->lang) != TW_OK)
                return ps->rc;
        } else {
            size_t start = ps->i;
            while (ps->i < ps->n && !s_is_space(ps->p[ps->i])) {
                if (ps->p[ps->i] == '"')
                    return s_fail(ps, ps->i,
                                  "'\"' inside a term: quote the whole phrase instead");
                ps->i++;
            }
            if (s_pool_add(f, ps->p + start, ps->i - start, &t->off) != TW_OK)
                return s_oom(ps);
            t->len = ps->i - start;
        }
        f->nterms++;
        if (ps->i < ps->n && !s_is_space(ps->p[ps->i]))
            return s_fail(ps, ps->i, "expected a blank between terms, found %s",
                          s_what(ps, ps->i, tmp));
    }
}

/* ---- space-delimited: [a, b = x, ..., c > 1] ------------------------------ */

static int s_delim_cmp(struct s_parser *ps, size_t name_off, size_t name_len)
{
    struct tw_fatom *a;
    const char *opname = NULL;
    int op, ai;
    size_t at;
    char tmp[16];

    s_skip(ps);
    at = ps->i;
    if (ps->i < ps->n && (s_is_alnum(ps->p[ps->i]) || ps->p[ps->i] == '_')) {
        size_t start = ps->i;
        while (ps->i < ps->n && (s_is_alnum(ps->p[ps->i]) || ps->p[ps->i] == '_'))
            ps->i++;
        if (s_pool_add(ps->f, ps->p + start, ps->i - start, &name_off) != TW_OK) {
            s_oom(ps);
            return -1;
        }
        name_len = ps->i - start;
        s_skip(ps);
    }
    op = s_operator(ps, &opname);
    if (op < 0) {
        s_fail(ps, ps->i, "expected a comparison (=, !=, <, >, <=, >=), found %s",
               s_what(ps, ps->i, tmp));
        return -1;
    }
    if (s_new_atom(ps, &a) != TW_OK)
        return -1;
    ai = (int)ps->f->natoms - 1;
    a->op = op;
    a->name_off = name_off;
    a->name_len = name_len;
    a->col = at + 1;
    if (s_value(ps, a, opname, ",]&|=!<>") != TW_OK || s_check_relational(ps, a, opname) != TW_OK)
        return -1;
    return s_new_expr(ps, TW_FE_ATOM, ai);
}

static int s_delim_chain(struct s_parser *ps, int kind, size_t name_off, size_t name_len)
{
    const char *tok = kind == TW_FE_OR ? "||" : "&&";
    int owned = 0, a;

    a = kind == TW_FE_OR ? s_delim_chain(ps, TW_FE_AND, name_off, name_len)
                         : s_delim_cmp(ps, name_off, name_len);
    if (a < 0)
        return -1;
    for (;;) {
        int b;
        s_skip(ps);
        if (!s_at(ps, tok))
            return a;
        ps->i += 2;
        b = kind == TW_FE_OR ? s_delim_chain(ps, TW_FE_AND, name_off, name_len)
                             : s_delim_cmp(ps, name_off, name_len);
        if (b < 0)
            return -1;
        a = s_join(ps, kind, a, b, &owned);
        if (a < 0)
            return -1;
    }
}

static int s_delimited(struct s_parser *ps)
{
    struct tw_filter *f = ps->f;
    size_t open;
    char tmp[16];

    s_skip(ps);
    open = ps->i++;
    s_skip(ps);
    if (ps->i < ps->n && ps->p[ps->i] == ']') {
        ps->i++; /* [] */
        goto end;
    }
    for (;;) {
        struct tw_fslot *slot;
        size_t start;

        s_skip(ps);
        if (ps->i >= ps->n)
            return s_fail(ps, open, "'[' is never closed: end the pattern with ']'");
        if (tw_filter_grow((void **)&f->slots, &f->slot_cap, f->nslots + 1, sizeof(*f->slots)) !=
            TW_OK)
            return s_oom(ps);
        slot = &f->slots[f->nslots];
        memset(slot, 0, sizeof(*slot));
        slot->cond = -1;
        if (ps->p[ps->i] == ',' || ps->p[ps->i] == ']') {
            /* An empty element is an unnamed field: the documented
             * [..., request=*.html*, status_code=4*,] ends with one ($7). */
            f->nslots++;
        } else if (s_at(ps, "...")) {
            if (++ps->ellipses > 1)
                return s_fail(ps, ps->i, "only one '...' per pattern is supported");
            slot->ellipsis = 1;
            ps->i += 3;
            f->nslots++;
        } else {
            start = ps->i;
            while (ps->i < ps->n && (s_is_alnum(ps->p[ps->i]) || ps->p[ps->i] == '_'))
                ps->i++;
            if (ps->i == start)
                return s_fail(ps, ps->i, "expected a field name or '...', found %s",
                              s_what(ps, ps->i, tmp));
            if (s_pool_add(f, ps->p + start, ps->i - start, &slot->name_off) != TW_OK)
                return s_oom(ps);
            slot->name_len = ps->i - start;
            f->nslots++;
            s_skip(ps);
            if (ps->i < ps->n && ps->p[ps->i] != ',' && ps->p[ps->i] != ']') {
                size_t noff = f->slots[f->nslots - 1].name_off;
                size_t nlen = f->slots[f->nslots - 1].name_len;
                int cond;
                /* The condition starts with the field's own name: "b = 4*". */
                ps->i = start;
                cond = s_delim_chain(ps, TW_FE_OR, noff, nlen);
                if (cond < 0)
                    return ps->rc != TW_OK ? ps->rc : s_oom(ps);
                f->slots[f->nslots - 1].cond = cond;
            }
        }
        s_skip(ps);
        if (ps->i >= ps->n)
            return s_fail(ps, open, "'[' is never closed: end the pattern with ']'");
        if (ps->p[ps->i] == ']')
            break;
        if (ps->p[ps->i] != ',')
            return s_fail(ps, ps->i, "expected ',' or ']' between fields, found %s",
                          s_what(ps, ps->i, tmp));
        ps->i++;
    }
    ps->i++;
end:
    s_skip(ps);
    if (ps->i < ps->n)
        return s_fail(ps, ps->i, "unexpected %s after the closing ']'", s_what(ps, ps->i, tmp));
    return TW_OK;
}

/* ---- lifecycle ------------------------------------------------------------ */

void tw_filter_free(struct tw_filter *f)
{
    if (!f)
        return;
    free(f->pool);
    free(f->trie);
    free(f->atoms);
    free(f->expr);
    free(f->terms);
    free(f->slots);
    tw_nfa_cleanup(&f->nfa);
    free(f);
}

enum tw_filter_kind tw_filter_kind(const struct tw_filter *f)
{
    return f ? (enum tw_filter_kind)f->kind : TW_FILTER_EMPTY;
}

int tw_filter_parse(struct tw_filter **out, struct tw_span pattern, struct tw_err *err)
{
    struct s_parser ps;
    struct tw_filter *f = NULL;
    size_t first;
    char tmp[16];

    *out = NULL;
    memset(&ps, 0, sizeof(ps));
    ps.p = pattern.ptr ? pattern.ptr : "";
    ps.n = pattern.ptr ? pattern.len : 0;
    ps.err = err;
    if (ps.n > TW_FILTER_MAX_PATTERN) {
        s_fail(&ps, TW_FILTER_MAX_PATTERN, "pattern is longer than %d characters",
               TW_FILTER_MAX_PATTERN);
        goto out;
    }
    for (size_t k = 0; k < ps.n; k++) {
        unsigned char c = (unsigned char)ps.p[k];
        if ((c < 0x20 && !s_is_space((char)c)) || c == 0x7f) {
            s_fail(&ps, k, "control character %s in the pattern", s_what(&ps, k, tmp));
            goto out;
        }
    }
    f = calloc(1, sizeof(*f));
    if (!f) {
        s_oom(&ps);
        goto out;
    }
    ps.f = f;
    f->root = -1;
    if (tw_filter_grow((void **)&f->trie, &f->trie_cap, 1, sizeof(*f->trie)) != TW_OK) {
        s_oom(&ps);
        goto out;
    }
    memset(f->trie, 0, sizeof(*f->trie));
    f->trie[0].kind = TW_FT_ROOT;
    f->trie[0].parent = f->trie[0].first_child = f->trie[0].next_sibling = -1;
    f->ntrie = 1;
    s_skip(&ps);
    first = ps.i;
    ps.i = 0;
    if (first >= ps.n) {
        f->kind = TW_FILTER_EMPTY;
    } else if (ps.p[first] == '{') {
        f->kind = TW_FILTER_JSON;
        s_json(&ps);
    } else if (ps.p[first] == '[') {
        f->kind = TW_FILTER_DELIMITED;
        s_delimited(&ps);
    } else {
        f->kind = TW_FILTER_TERMS;
        s_terms(&ps);
    }
out:
    if (ps.rc != TW_OK) {
        tw_filter_free(f);
        return ps.rc;
    }
    *out = f;
    return TW_OK;
}

int tw_filter_is_cis_exact(struct tw_span pattern)
{
    static const char cis[] =
        "{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || "
        "($.eventName = DeleteTrail) || ($.eventName = StartLogging) || "
        "($.eventName = StopLogging) }";
    size_t i = 0, k = 0, n = pattern.ptr ? pattern.len : 0;

    for (;;) {
        while (i < n && s_is_space(pattern.ptr[i]))
            i++;
        while (cis[k] && s_is_space(cis[k]))
            k++;
        if (i >= n || !cis[k])
            return i >= n && !cis[k];
        if (pattern.ptr[i] != cis[k])
            return 0;
        i++;
        k++;
    }
}
