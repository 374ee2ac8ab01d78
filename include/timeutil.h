/* timeutil.h — the timestamp formats AWS speaks, without the C library's
 * locale- and timezone-dependent parsers. */
#ifndef TW_TIMEUTIL_H
#define TW_TIMEUTIL_H

#include "tw.h"

#include <stdint.h>
#include <time.h>

/* Parses an ISO 8601 / RFC 3339 UTC or offset timestamp such as
 * "2016-07-13T21:50:00.373Z", "2016-07-13T21:50:00Z" or
 * "2016-07-13T21:50:00+02:00" into milliseconds since the epoch.
 * TW_EPARSE for anything else, including out-of-range fields. */
int tw_time_parse_iso8601(int64_t *out_ms, const char *s);

/* "YYYYMMDDTHHMMSSZ" and "YYYY-MM-DDTHH:MM:SS.mmmZ"; `out` must hold 32 bytes. */
void tw_time_format_amz(char out[32], time_t t);
void tw_time_format_iso8601_ms(char out[32], int64_t ms);

/* Wall clock in milliseconds since the epoch (the only clock read here). */
int64_t tw_time_now_ms(void);
/* Monotonic clock in milliseconds, for measuring durations. */
int64_t tw_time_mono_ms(void);

#endif
