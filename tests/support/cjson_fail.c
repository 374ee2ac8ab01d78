/* cjson_fail.c — see cjson_fail.h. */
#include "cjson_fail.h"

#include <cjson/cJSON.h>
#include <stdlib.h>

static unsigned long s_fail_at, s_count;
static int s_failed;

static void *s_malloc(size_t n)
{
    s_count++;
    if (s_count == s_fail_at) {
        s_failed = 1;
        return NULL;
    }
    return malloc(n);
}

static void s_free(void *p)
{
    free(p);
}

void cf_fail_at(unsigned long n)
{
    cJSON_Hooks hooks = { s_malloc, s_free };

    s_fail_at = n;
    s_count = 0;
    s_failed = 0;
    cJSON_InitHooks(&hooks);
}

void cf_reset(void)
{
    cJSON_InitHooks(NULL);
}

unsigned long cf_allocations(void)
{
    return s_count;
}

int cf_failed(void)
{
    return s_failed;
}
