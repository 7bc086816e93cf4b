/* SPDX-License-Identifier: ISC */
/*
 * Calendar dates as day numbers: days since 1970-01-01 in the proleptic
 * Gregorian calendar, so comparing, sorting and stepping dates is integer
 * arithmetic and nothing depends on the machine's time zone.
 */
#ifndef SC_DATE_H
#define SC_DATE_H

#include <stddef.h>

/* Room for "YYYY-MM-DD" and its NUL. */
#define SC_DATE_BUFSZ 11

/* Day number of y-m-d (no range check; see sc_date_valid()). */
long sc_date_from_ymd(int y, int m, int d);

/* Split a day number into year, month (1-12) and day (1-31). */
void sc_date_to_ymd(long days, int *y, int *m, int *d);

/* Non-zero when y-m-d is a real date with 1 <= y <= 9999. */
int sc_date_valid(int y, int m, int d);

/*
 * Parse exactly "YYYY-MM-DD" (n bytes, need not be NUL-terminated) into a
 * day number.  Returns 0, or -1 for any other text or an impossible date.
 */
int sc_date_parse(const char *s, size_t n, long *days);

/* Write "YYYY-MM-DD" into buf (SC_DATE_BUFSZ bytes) and return buf. */
char *sc_date_fmt(long days, char *buf);

/* Day of the week: 0 Sunday .. 6 Saturday. */
int sc_date_wday(long days);

#endif
