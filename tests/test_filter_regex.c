/* test_filter_regex.c — the %regex% dialect of filter patterns (filter_re.c):
 * class escapes, character classes, escapes, bounded and lazy repeats, empty
 * branches, anchors, every syntax error with its column, the automaton cap,
 * and the witness search the coverage analysis relies on.
 *
 * The dialect is the documented subset ("Supported regular expressions
 * (regex) syntax" in FilterAndPatternSyntax.html) with Java meanings; see the
 * top of src/filter_re.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "filter_errors.h"
#include "filter_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct tw_filter *s_parse(const char *pattern)
{
    struct tw_filter *f = NULL;
    struct tw_err err;
    int rc;

    tw_err_clear(&err);
    rc = tw_filter_parse(&f, tw_span_cstr(pattern), &err);
    if (rc != TW_OK)
        fail_msg("parse failed (%d) for %s: %s", rc, pattern, err.msg);
    assert_non_null(f);
    return f;
}

/* ---- matching ------------------------------------------------------------------------ */

struct s_case {
    const char *pattern, *message;
    int want;
};

static const struct s_case s_match_cases[] = {
    /* \d \D */
    { "%\\d{3}%", "status 404 returned", 1 },
    { "%\\d{3}%", "status 40x returned", 0 },
    { "%^\\d+$%", "12345", 1 },
    { "%^\\d+$%", "123a5", 0 },
    { "%\\D%", "12a", 1 },
    { "%\\D%", "123", 0 },
    /* \w \W: letters, digits and '_' */
    { "%^\\w+$%", "ab_9Z", 1 },
    { "%^\\w+$%", "ab-9", 0 },
    { "%\\W%", "a-b", 1 },
    { "%\\W%", "ab_9", 0 },
    /* \s \S: blank, \t \n \v \f \r */
    { "%a\\sb%", "a b", 1 },
    { "%a\\sb%", "a\tb", 1 },
    { "%a\\sb%", "a\x0b" "b", 1 },
    { "%a\\sb%", "a_b", 0 },
    { "%\\S%", "  x ", 1 },
    { "%\\S%", " \t ", 0 },
    /* Classes: negation, escapes inside, a literal '-' at the end. */
    { "%[^a-z]%", "abC", 1 },
    { "%[^a-z]%", "abc", 0 },
    { "%^[\\d]+$%", "0042", 1 },
    { "%^[\\d]+$%", "0x42", 0 },
    { "%^[\\w-]+$%", "a-b_c", 1 },
    { "%^[\\w-]+$%", "a b", 0 },
    { "%^[a\\-z]+$%", "a-z-a", 1 },
    { "%^[a\\-z]+$%", "abz", 0 },
    { "%[\\t]%", "a\tb", 1 },
    { "%[\\t]%", "a b", 0 },
    { "%^[^\\s]+$%", "one", 1 },
    { "%^[^\\s]+$%", "one two", 0 },
    /* A range whose upper bound is escaped: '*' (0x2a) to '/' (0x2f). */
    { "%^[*-\\/]+$%", "+,-./*", 1 },
    { "%^[*-\\/]+$%", "+a", 0 },
    /* ']' first in a class is literal. */
    { "%[]]%", "a]b", 1 },
    { "%[]]%", "a[b", 0 },
    /* Escapes of control characters. */
    { "%a\\tb%", "a\tb", 1 },
    { "%a\\tb%", "a b", 0 },
    { "%1\\n2%", "line1\n2", 1 },
    { "%a\\rb%", "a\rb", 1 },
    { "%a\\fb%", "a\fb", 1 },
    { "%a\\fb%", "a\nb", 0 },
    /* '.' is any byte but a line terminator. */
    { "%^a.b$%", "a\nb", 0 },
    { "%^a.b$%", "a\xc3" "b", 1 },
    /* Repeats: {n,} unbounded, {n,m} with n > 0, {0}, lazy forms. */
    { "%^a{2,}$%", "aa", 1 },
    { "%^a{2,}$%", "aaaaaaa", 1 },
    { "%^a{2,}$%", "a", 0 },
    { "%^a{1,3}$%", "a", 1 },
    { "%^a{1,3}$%", "aaa", 1 },
    { "%^a{1,3}$%", "aaaa", 0 },
    { "%^a{1,3}$%", "", 0 },
    { "%^xa{0}y$%", "xy", 1 },
    { "%^xa{0}y$%", "xay", 0 },
    { "%^xa{0,0}y$%", "xy", 1 },
    { "%^a{2}?$%", "aa", 1 },
    { "%^a{2}?$%", "aaa", 0 },
    { "%^a+?b$%", "aaab", 1 },
    { "%^a*?b$%", "b", 1 },
    { "%^ab??c$%", "ac", 1 },
    { "%^ab??c$%", "abbc", 0 },
    /* Empty branches match the empty string, so the search matches anything. */
    { "%x|%", "nothing like it", 1 },
    { "%|x%", "nothing like it", 1 },
    { "%^q|%", "", 1 },
    /* Anchors: '^' only at offset 0, '$' only at the end of the input. */
    { "%^$%", "", 1 },
    { "%^$%", "x", 0 },
    { "%^ab%", "xab", 0 },
    { "%^ab%", "abx", 1 },
    { "%b$%", "ab\n", 0 },
    { "%z$|^a%", "abc", 1 },
    { "%z$|^a%", "bcz", 1 },
    { "%z$|^a%", "bca", 0 },
    /* The same dialect inside a JSON pattern; regexes never match numbers. */
    { "{ $.code = %^\\d{3}$% }", "{\"code\":\"404\"}", 1 },
    { "{ $.code = %^\\d{3}$% }", "{\"code\":404}", 0 },
    { "{ $.code != %^\\w+$% }", "{\"code\":\"a b\"}", 1 },
    { "{ $.code != %^\\w+$% }", "{\"code\":\"ab\"}", 0 },
};

static void test_regex_matching(void **state)
{
    (void)state;
    for (size_t i = 0; i < TW_ARRAY_LEN(s_match_cases); i++) {
        struct tw_filter *f = s_parse(s_match_cases[i].pattern);
        const char *msg = s_match_cases[i].message;
        int got = tw_filter_match_text(f, (struct tw_span){ msg, strlen(msg) });

        if (got != s_match_cases[i].want)
            fail_msg("case %zu: %s on \"%s\": got %d, want %d", i, s_match_cases[i].pattern, msg,
                     got, s_match_cases[i].want);
        tw_filter_free(f);
    }
}

/* A language of more than 512 states is simulated on the heap; the answer is
 * the same. */
static void test_regex_large_language(void **state)
{
    char msg[702];
    struct tw_filter *f;

    (void)state;
    f = s_parse("%^a{600}b?$%");
    memset(msg, 'a', sizeof(msg));
    msg[600] = '\0';
    assert_int_equal(tw_filter_match_text(f, tw_span_cstr(msg)), 1);
    msg[600] = 'b';
    msg[601] = '\0';
    assert_int_equal(tw_filter_match_text(f, tw_span_cstr(msg)), 1);
    msg[600] = 'a';
    assert_int_equal(tw_filter_match_text(f, tw_span_cstr(msg)), 0); /* 601 a's */
    msg[599] = '\0';
    assert_int_equal(tw_filter_match_text(f, tw_span_cstr(msg)), 0); /* 599 a's */
    tw_filter_free(f);
}

/* ---- syntax errors ------------------------------------------------------------------- */

static const struct fe_case s_error_cases[] = {
    { "%[abc%", 2, "unterminated '['" },
    { "%[a[b]%", 4, "nested '['" },
    { "%[a-[]%", 5, "nested '['" },
    { "%[a\\%", 4, "ends with '\\'" },
    { "%[a-\\%", 5, "ends with '\\'" },
    { "%ab\\%", 4, "ends with '\\'" },
    { "%[\\q]%", 3, "unsupported escape in regex" },
    { "%[a-\\q]%", 5, "unsupported escape in a regex range" },
    { "%[z-\\a]%", 5, "unsupported escape in a regex range" },
    { "%[z-\\-]%", 3, "out of order" },
    { "%a{x}%", 3, "must start a repeat" },
    { "%a{2,3%", 3, "must start a repeat" },
    { "%a{,3}%", 3, "must start a repeat" },
    { "%a{1001}%", 3, "above 1000" },
    { "%a{1,99999999999}%", 3, "above 1000" },
    { "%a++%", 4, "possessive" },
    { "%a{2}+%", 6, "possessive" },
    { "%a?*%", 4, "follows another quantifier" },
    { "%{2}%", 2, "'{' has nothing to repeat" },
    { "%x|+%", 4, "nothing to repeat" },
    { "%^*%", 2, "cannot be repeated" },
    { "%a$?%", 3, "cannot be repeated" },
    { "{ $.a = %x\\y% }", 11, "unsupported escape" },
    { "ERROR %[0-9%", 8, "unterminated '['" },
};

static void test_regex_syntax_errors(void **state)
{
    (void)state;
    fe_check_syntax_errors(s_error_cases, TW_ARRAY_LEN(s_error_cases));
}

/* The automaton is capped (TW_FILTER_MAX_NFA states): a regex that expands
 * past it, or a glob that no longer fits after one, is a parse error that
 * names the cap, never an allocation failure. */
static void test_regex_state_cap(void **state)
{
    char pattern[TW_FILTER_MAX_PATTERN + 1], want[64];
    struct tw_filter *f = NULL;
    struct tw_err err;
    size_t len;

    (void)state;
    /* 17 x 1000 states in one regex. */
    len = (size_t)snprintf(pattern, sizeof(pattern), "{ $.a = %%");
    for (int k = 0; k < 17; k++)
        len += (size_t)snprintf(pattern + len, sizeof(pattern) - len, "[ab]{1000}");
    snprintf(pattern + len, sizeof(pattern) - len, "%% }");
    tw_err_clear(&err);
    assert_int_equal(tw_filter_parse(&f, tw_span_cstr(pattern), &err), TW_EPARSE);
    assert_null(f);
    snprintf(want, sizeof(want), "more than %d automaton states", TW_FILTER_MAX_NFA);
    assert_non_null(strstr(err.msg, want));
    assert_int_equal(fe_error_column(err.msg), 10); /* the regex's first byte */

    /* 16 x 1000 fit; then a 500-byte glob does not. */
    len = (size_t)snprintf(pattern, sizeof(pattern), "{ $.a = %%");
    for (int k = 0; k < 16; k++)
        len += (size_t)snprintf(pattern + len, sizeof(pattern) - len, "[ab]{1000}");
    len += (size_t)snprintf(pattern + len, sizeof(pattern) - len, "%% || $.b = ");
    memset(pattern + len, 'x', 500);
    len += 500;
    snprintf(pattern + len, sizeof(pattern) - len, " }");
    assert_true(strlen(pattern) <= TW_FILTER_MAX_PATTERN);
    tw_err_clear(&err);
    assert_int_equal(tw_filter_parse(&f, tw_span_cstr(pattern), &err), TW_EPARSE);
    assert_null(f);
    assert_non_null(strstr(err.msg, "pattern too large"));
    /* The column of the value that did not fit: just after "$.b = ". */
    assert_int_equal(fe_error_column(err.msg), (size_t)(strstr(pattern, "$.b") - pattern) + 7);

    /* 16 x 1000 alone is accepted and still matches. */
    len = (size_t)snprintf(pattern, sizeof(pattern), "%%^");
    for (int k = 0; k < 16; k++)
        len += (size_t)snprintf(pattern + len, sizeof(pattern) - len, "a{0,500}");
    snprintf(pattern + len, sizeof(pattern) - len, "b%%");
    f = s_parse(pattern);
    assert_int_equal(tw_filter_match_text(f, tw_span_cstr("aaaab")), 1);
    assert_int_equal(tw_filter_match_text(f, tw_span_cstr("aaaac")), 0);
    tw_filter_free(f);
}

/* ---- automata and the witness search, directly --------------------------------------- */

/* Every witness is in exactly the languages its vector says. */
static void s_check_witnesses(const struct tw_nfa *nfa, const struct tw_lang *langs, size_t nl,
                              const struct tw_witnesses *w)
{
    for (size_t k = 0; k < w->n; k++) {
        assert_int_equal(strlen(w->w[k].s), w->w[k].n);
        for (size_t i = 0; i < nl; i++)
            if (tw_nfa_match(nfa, &langs[i], w->w[k].s, w->w[k].n) != w->w[k].v[i])
                fail_msg("witness \"%s\": membership of language %zu is %d, match says %d",
                         w->w[k].s, i, w->w[k].v[i],
                         tw_nfa_match(nfa, &langs[i], w->w[k].s, w->w[k].n));
        /* No two witnesses realise the same combination. */
        for (size_t j = 0; j < k; j++)
            assert_true(memcmp(w->w[j].v, w->w[k].v, nl) != 0);
    }
}

static void test_witnesses_globs(void **state)
{
    struct tw_nfa nfa;
    struct tw_lang langs[2];
    struct tw_witnesses w;
    int seen[4] = { 0, 0, 0, 0 };

    (void)state;
    memset(&nfa, 0, sizeof(nfa));
    /* "*Trail" and "Create*": all four combinations exist. */
    assert_int_equal(tw_nfa_glob(&langs[0], &nfa, "Trail", 5, 1, 0), TW_OK);
    assert_int_equal(tw_nfa_glob(&langs[1], &nfa, "Create", 6, 0, 1), TW_OK);
    assert_int_equal(tw_nfa_match(&nfa, &langs[0], "CreateTrail", 11), 1);
    assert_int_equal(tw_nfa_match(&nfa, &langs[1], "CreateTrail", 11), 1);
    assert_int_equal(tw_nfa_match(&nfa, &langs[0], "Trails", 6), 0);
    assert_int_equal(tw_nfa_witnesses(&w, &nfa, langs, 2), TW_OK);
    assert_int_equal(w.complete, 1);
    assert_int_equal(w.n, 4);
    s_check_witnesses(&nfa, langs, 2, &w);
    for (size_t k = 0; k < w.n; k++)
        seen[w.w[k].v[0] * 2 + w.w[k].v[1]] = 1;
    assert_memory_equal(seen, ((int[4]){ 1, 1, 1, 1 }), sizeof(seen));
    tw_witnesses_cleanup(&w);
    assert_null(w.w);
    assert_int_equal(w.n, 0);
    tw_witnesses_cleanup(NULL);

    /* Two globs that exclude each other: no string is in both. */
    memset(&seen, 0, sizeof(seen));
    assert_int_equal(tw_nfa_glob(&langs[0], &nfa, "ab", 2, 0, 0), TW_OK);
    assert_int_equal(tw_nfa_glob(&langs[1], &nfa, "abc", 3, 0, 0), TW_OK);
    assert_int_equal(tw_nfa_witnesses(&w, &nfa, langs, 2), TW_OK);
    assert_int_equal(w.complete, 1);
    assert_int_equal(w.n, 3);
    s_check_witnesses(&nfa, langs, 2, &w);
    for (size_t k = 0; k < w.n; k++)
        seen[w.w[k].v[0] * 2 + w.w[k].v[1]] = 1;
    assert_int_equal(seen[3], 0);
    tw_witnesses_cleanup(&w);

    /* No languages: the empty string is the one witness. */
    assert_int_equal(tw_nfa_witnesses(&w, &nfa, NULL, 0), TW_OK);
    assert_int_equal(w.complete, 1);
    assert_int_equal(w.n, 1);
    assert_string_equal(w.w[0].s, "");
    tw_witnesses_cleanup(&w);

    tw_nfa_cleanup(&nfa);
    assert_null(nfa.st);
    assert_int_equal(nfa.n, 0);
    tw_nfa_cleanup(NULL);
}

/* A language whose subset automaton is far larger than the search budget:
 * the search stops, says so (complete = 0), and what it found is still
 * correct. */
static void test_witnesses_budget(void **state)
{
    static const char re[] = "a[ab]{14}$";
    struct tw_nfa nfa;
    struct tw_lang langs[2];
    struct tw_witnesses w;
    struct tw_err err;

    (void)state;
    memset(&nfa, 0, sizeof(nfa));
    tw_err_clear(&err);
    assert_int_equal(tw_nfa_regex(&langs[0], &nfa, re, strlen(re), 1, &err), TW_OK);
    assert_int_equal(tw_nfa_glob(&langs[1], &nfa, "b", 1, 1, 1), TW_OK);
    assert_int_equal(tw_nfa_witnesses(&w, &nfa, langs, 2), TW_OK);
    assert_int_equal(w.complete, 0);
    assert_true(w.n >= 1);
    s_check_witnesses(&nfa, langs, 2, &w);
    tw_witnesses_cleanup(&w);

    /* With a 900-state language beside it, the work budget runs out first. */
    {
        char *lit = malloc(900);
        assert_non_null(lit);
        memset(lit, 'b', 900);
        assert_int_equal(tw_nfa_glob(&langs[1], &nfa, lit, 900, 1, 1), TW_OK);
        free(lit);
    }
    assert_true(langs[1].hi - langs[1].lo > 900);
    assert_int_equal(tw_nfa_witnesses(&w, &nfa, langs, 2), TW_OK);
    assert_int_equal(w.complete, 0);
    assert_true(w.n >= 1);
    s_check_witnesses(&nfa, langs, 2, &w);
    tw_witnesses_cleanup(&w);

    /* The same language alone, with a smaller window, is searched fully:
     * both memberships are realised. */
    tw_nfa_cleanup(&nfa);
    assert_int_equal(tw_nfa_regex(&langs[0], &nfa, "a[ab]{3}$", 9, 1, &err), TW_OK);
    assert_int_equal(tw_nfa_witnesses(&w, &nfa, langs, 1), TW_OK);
    assert_int_equal(w.complete, 1);
    assert_int_equal(w.n, 2);
    s_check_witnesses(&nfa, langs, 1, &w);
    tw_witnesses_cleanup(&w);
    tw_nfa_cleanup(&nfa);
}

/* Regex compilation errors report columns from col0. */
static void test_regex_columns_from_col0(void **state)
{
    struct tw_nfa nfa;
    struct tw_lang l;
    struct tw_err err;

    (void)state;
    memset(&nfa, 0, sizeof(nfa));
    tw_err_clear(&err);
    assert_int_equal(tw_nfa_regex(&l, &nfa, "ab(", 3, 100, &err), TW_EPARSE);
    assert_int_equal(fe_error_column(err.msg), 102);
    assert_non_null(strstr(err.msg, "parentheses"));
    tw_err_clear(&err);
    assert_int_equal(tw_nfa_regex(&l, &nfa, "a\"b", 3, 7, &err), TW_EPARSE);
    assert_int_equal(fe_error_column(err.msg), 8);
    assert_non_null(strstr(err.msg, "not allowed"));
    tw_nfa_cleanup(&nfa);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_regex_matching),        cmocka_unit_test(test_regex_large_language),
        cmocka_unit_test(test_regex_syntax_errors),   cmocka_unit_test(test_regex_state_cap),
        cmocka_unit_test(test_witnesses_globs),       cmocka_unit_test(test_witnesses_budget),
        cmocka_unit_test(test_regex_columns_from_col0),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
