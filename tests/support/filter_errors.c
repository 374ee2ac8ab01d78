/* filter_errors.c — see filter_errors.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "filter_errors.h"

#include "filter.h"

#include <stdlib.h>
#include <string.h>

size_t fe_error_column(const char *msg)
{
    if (strncmp(msg, "column ", 7) != 0)
        return 0;
    return (size_t)strtoul(msg + 7, NULL, 10);
}

void fe_check_syntax_errors(const struct fe_case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct tw_filter *f = (struct tw_filter *)&f; /* must be reset to NULL */
        struct tw_err err;
        int rc;

        tw_err_clear(&err);
        rc = tw_filter_parse(&f, tw_span_cstr(cases[i].pattern), &err);
        if (rc != TW_EPARSE)
            fail_msg("case %zu: %s parsed (rc %d)", i, cases[i].pattern, rc);
        assert_null(f);
        if (fe_error_column(err.msg) != cases[i].column)
            fail_msg("case %zu: %s: want column %zu, got \"%s\"", i, cases[i].pattern,
                     cases[i].column, err.msg);
        if (!strstr(err.msg, cases[i].says))
            fail_msg("case %zu: %s: message \"%s\" lacks \"%s\"", i, cases[i].pattern, err.msg,
                     cases[i].says);
    }
}
