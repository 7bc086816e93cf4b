/* SPDX-License-Identifier: ISC */
/*
 * Time zones from the system's TZif files (/usr/share/zoneinfo), read by
 * this module itself: the exchange-local date of a Yahoo timestamp must not
 * depend on the machine's zone, and setenv("TZ") + localtime_r() would
 * change process-wide state under other threads.  A loaded zone is an
 * immutable value, so one may be shared between threads.  Transitions come
 * from the 64-bit (version 2+) section; instants after the last transition
 * follow the POSIX TZ rule in the file's footer.
 */
#ifndef SC_TZ_H
#define SC_TZ_H

#include <stdint.h>

#include "sc_err.h"

/* The system zone directory used when dir is NULL. */
#define SC_TZ_DIR "/usr/share/zoneinfo"

struct sc_tz;

/*
 * Non-zero when name is an acceptable zone name: 1..64 bytes of
 * [A-Za-z0-9_+-/], not starting with '/', and no ".." component.
 */
int sc_tz_name_valid(const char *name);

/*
 * Load zone name ("America/New_York", "UTC") from dir (NULL: SC_TZ_DIR).
 * The caller owns the result; free it with sc_tz_free().  Errors:
 * SC_EUSAGE for an invalid name, SC_ENOINPUT when there is no such zone,
 * SC_EDATA for a file that is not TZif (or larger than 256 KiB), SC_EOS.
 */
struct sc_tz *sc_tz_load(const char *name, const char *dir, struct sc_err *);

/*
 * Parse a POSIX TZ rule ("EST5EDT,M3.2.0,M11.1.0") into a zone with no
 * transitions.  Caller owns the result; NULL with SC_EDATA when malformed.
 */
struct sc_tz *sc_tz_posix(const char *rule, struct sc_err *);

/* Free z; NULL is a no-op. */
void sc_tz_free(struct sc_tz *);

/*
 * The zone's offset from UTC in seconds (east positive) at instant t
 * (seconds since the epoch; keep |t| below 2^50 so that the date
 * arithmetic cannot overflow).
 */
long sc_tz_offset(const struct sc_tz *, int64_t t);

/*
 * The local calendar date (a day number, see sc_date.h) of instant t, and
 * in *sec (when not NULL) the local seconds since midnight.
 */
long sc_tz_local_day(const struct sc_tz *, int64_t t, long *sec);

#endif
