/* cjson_fail.h — make one of cJSON's allocations fail, to drive the
 * out-of-memory paths of code that builds or prints JSON.
 *
 * Uses cJSON_InitHooks, so only allocations made by cJSON itself (objects,
 * strings, printing, parsing) are affected; everything else still uses
 * malloc. Blocks are still malloc'd and freed with free, so memory made
 * before or after a failure mixes freely. Not thread-safe (tests only).
 *
 * The usual sweep: for n = 1, 2, ... call cf_fail_at(n), run the code, and
 * stop at the first n for which cf_failed() is 0 (the code made fewer than n
 * allocations, so it ran to completion). */
#ifndef TW_CJSON_FAIL_H
#define TW_CJSON_FAIL_H

/* From now on the n-th cJSON allocation (1-based) returns NULL, and only
 * that one; n = 0 counts allocations without failing any. */
void cf_fail_at(unsigned long n);
/* cJSON back to malloc/free; the counters stay readable. */
void cf_reset(void);
/* Allocations cJSON asked for since cf_fail_at (the failed one included). */
unsigned long cf_allocations(void);
/* 1 if the injected failure has happened. */
int cf_failed(void);

#endif
