/* filter_errors.h — one table-driven check for filter-pattern syntax errors,
 * shared by test_filter.c and test_filter_regex.c.
 *
 * Each case must fail tw_filter_parse with TW_EPARSE, leave the filter NULL,
 * and give a message that starts "column N" with the expected N and holds the
 * expected text. A failing case stops the test with its index and pattern. */
#ifndef TW_FILTER_ERRORS_H
#define TW_FILTER_ERRORS_H

#include <stddef.h>

struct fe_case {
    const char *pattern;
    size_t column; /* 1-based, as in the message */
    const char *says;
};

void fe_check_syntax_errors(const struct fe_case *cases, size_t n);

/* N of a message that starts "column N", else 0. */
size_t fe_error_column(const char *msg);

#endif
