/* filter_int.h — internals shared by filter_parse.c, filter_re.c,
 * filter_eval.c and filter_cover.c. Not for other modules. */
#ifndef TW_FILTER_INT_H
#define TW_FILTER_INT_H

#include "filter.h"

#include <stddef.h>
#include <stdint.h>

#define TW_FILTER_MAX_NESTING 64     /* parentheses; real patterns use 1-2 */
#define TW_FILTER_MAX_REPEAT 1000    /* {n,m} bound in a regex */
#define TW_FILTER_MAX_NFA 16384      /* automaton states per pattern */
#define TW_FILTER_MAX_DEPTH 128      /* selector components */

/* ---- automata (filter_re.c) ------------------------------------------- */

struct tw_charset {
    uint64_t w[4];
};

enum tw_nfa_op {
    TW_NFA_SET,   /* consume one byte in sets[set], go to out */
    TW_NFA_SPLIT, /* epsilon to out and out1 */
    TW_NFA_BOL,   /* epsilon to out, only at offset 0 */
    TW_NFA_EOL,   /* epsilon to out, only at the end of the input */
    TW_NFA_MATCH,
};

struct tw_nfa_state {
    int op;
    int out, out1;
    int set;
};

struct tw_nfa {
    struct tw_nfa_state *st;
    size_t n, cap;
    struct tw_charset *sets;
    size_t nsets, setcap;
};

/* One language: states [lo, hi) of the pool, entered at `start`. */
struct tw_lang {
    int start, lo, hi;
};

void tw_charset_add(struct tw_charset *cs, unsigned char c);
int tw_charset_has(const struct tw_charset *cs, unsigned char c);

void tw_nfa_cleanup(struct tw_nfa *nfa);
/* Glob: `lit` must match whole, optional leading/trailing "any string". */
int tw_nfa_glob(struct tw_lang *out, struct tw_nfa *nfa, const char *lit, size_t n, int lead,
                int trail);
/* Compiles regex text (between the % signs) as a search. TW_EPARSE with
 * err "column N: ..." where N counts from `col0` (column of the first byte). */
int tw_nfa_regex(struct tw_lang *out, struct tw_nfa *nfa, const char *re, size_t n, size_t col0,
                 struct tw_err *err);
/* 1 match, 0 no match, -1 out of memory. */
int tw_nfa_match(const struct tw_nfa *nfa, const struct tw_lang *l, const char *s, size_t n);

/* Witness search: for a set of languages, one string for each combination of
 * memberships that any string realises (up to budget). */
struct tw_witness {
    char *s;          /* NUL-terminated, owned */
    size_t n;
    unsigned char *v; /* membership per language */
};
struct tw_witnesses {
    struct tw_witness *w;
    size_t n, cap;
    int complete; /* 0: a budget ran out, some combination may be missing */
};
int tw_nfa_witnesses(struct tw_witnesses *out, const struct tw_nfa *nfa, const struct tw_lang *langs,
                     size_t nlangs);
void tw_witnesses_cleanup(struct tw_witnesses *w);

/* ---- parsed pattern ----------------------------------------------------- */

/* A node of the selector trie; [0] is the root ($). */
enum tw_ftrie_kind { TW_FT_ROOT, TW_FT_KEY, TW_FT_INDEX };
struct tw_ftrie {
    int kind;
    int parent, first_child, next_sibling;
    size_t key_off, key_len; /* TW_FT_KEY: into the string pool */
    unsigned long index;     /* TW_FT_INDEX */
    int depth;
};

enum tw_fop {
    TW_OP_EQ,
    TW_OP_NE,
    TW_OP_LT,
    TW_OP_GT,
    TW_OP_LE,
    TW_OP_GE,
    TW_OP_IS_NULL,
    TW_OP_IS_TRUE,
    TW_OP_IS_FALSE,
    TW_OP_NOT_EXISTS,
};

enum tw_fval {
    TW_FV_NONE,  /* IS ..., NOT EXISTS */
    TW_FV_NUM,   /* plain number */
    TW_FV_GLOB,  /* string, maybe with leading/trailing '*' */
    TW_FV_REGEX, /* %...% */
};

struct tw_fatom {
    int op, vkind;
    int node;                /* JSON: trie node */
    size_t name_off, name_len; /* delimited: field name referenced */
    double num;
    size_t str_off, str_len; /* glob core (unescaped) in the pool */
    int lead, trail;         /* glob wildcards */
    int quoted;
    struct tw_lang lang;     /* GLOB and REGEX */
    size_t col;              /* 1-based column of the selector / field */
};

enum tw_fexpr_kind { TW_FE_AND, TW_FE_OR, TW_FE_ATOM };
struct tw_fexpr {
    int kind;
    int atom;                /* TW_FE_ATOM */
    int first, last, next;   /* children list (AND/OR), sibling link */
};

enum tw_fterm_mode { TW_TERM_REQUIRED, TW_TERM_OPTIONAL, TW_TERM_EXCLUDED };
struct tw_fterm {
    int mode;
    int regex;
    size_t off, len; /* literal text in the pool */
    struct tw_lang lang;
};

struct tw_fslot {
    int ellipsis;
    size_t name_off, name_len;
    int cond; /* expression index or -1 */
};

struct tw_filter {
    int kind;
    char *pool; /* strings; grows */
    size_t pool_len, pool_cap;
    struct tw_ftrie *trie;
    size_t ntrie, trie_cap;
    struct tw_fatom *atoms;
    size_t natoms, atom_cap;
    struct tw_fexpr *expr;
    size_t nexpr, expr_cap;
    int root; /* JSON: expression index */
    struct tw_fterm *terms;
    size_t nterms, term_cap;
    struct tw_fslot *slots;
    size_t nslots, slot_cap;
    struct tw_nfa nfa;
};

/* Grows *p (elements of `elem` bytes) to hold at least `need`. */
int tw_filter_grow(void **p, size_t *cap, size_t need, size_t elem);

/* 1 and *out set if s[0..n) is a number in the documented syntax
 * (sign, digits, optional fraction and exponent); else 0. */
int tw_filter_number(const char *s, size_t n, double *out);

/* ---- evaluation (filter_eval.c) ----------------------------------------- */

enum tw_fvalue_type {
    TW_VAL_ABSENT, /* the path ends at a missing key or index */
    TW_VAL_WRONG,  /* the path runs through a scalar, or the wrong container */
    TW_VAL_NULL,
    TW_VAL_TRUE,
    TW_VAL_FALSE,
    TW_VAL_STRING,
    TW_VAL_NUMBER,
    TW_VAL_OBJECT,
    TW_VAL_ARRAY,
};
struct tw_fvalue {
    int type;
    const char *s;
    size_t n;
    double num;
};

/* Truth of one atom for the value its selector reached: 1, 0, or 0 when an
 * automaton runs out of memory. The single source of truth for both the
 * evaluator and the coverage analysis. */
int tw_filter_atom_eval(const struct tw_filter *f, const struct tw_fatom *a,
                        const struct tw_fvalue *v);
/* 1 if the term pattern matches `text`. */
int tw_filter_terms_match(const struct tw_filter *f, const char *text, size_t n);
/* 1 if `needle` occurs in `hay`. */
int tw_filter_contains(const char *hay, size_t hn, const char *needle, size_t nn);

static inline const char *tw_filter_str(const struct tw_filter *f, size_t off)
{
    return f->pool + off;
}

#endif
