/* SPDX-License-Identifier: ISC */
/*
 * Numbers in and out.  Parsing is strict (no leading blanks, no hex, no
 * "inf" or "nan", the whole string consumed) because a CSV cell that
 * strtod() half-accepts is a silent wrong model later.  Printing gives the
 * shortest text that reads back to the same double, so prices, thresholds
 * and metrics round-trip exactly.
 */
#ifndef SC_NUM_H
#define SC_NUM_H

#include <stddef.h>
#include <stdint.h>

/* Room for any double printed by sc_num_fmt(), with its NUL. */
#define SC_NUM_BUFSZ 32

/*
 * Parse the decimal number s (n bytes; it need not be NUL-terminated) into
 * *out.  Returns 0, or -1 for empty text, junk, hex, inf, nan, or a value
 * out of the double range.  The C locale's '.' is the decimal point.
 */
int sc_num_parse(const char *s, size_t n, double *out);

/* Parse a base-10 integer in [lo, hi] from NUL-terminated s; 0 or -1. */
int sc_num_parse_long(const char *s, long lo, long hi, long *out);

/* Parse a double in [lo, hi] from NUL-terminated s; 0 or -1. */
int sc_num_parse_range(const char *s, double lo, double hi, double *out);

/*
 * Write the shortest decimal form of v that reads back to v into buf
 * (SC_NUM_BUFSZ bytes) and return buf.  Integral values print without a
 * point ("1500"); NaN prints "nan" and infinities "inf" / "-inf" (callers
 * that write data never pass those).
 */
char *sc_num_fmt(double v, char *buf);

/* sc_num_fmt() that returns the length of the text instead. */
int sc_num_fmtn(double v, char *buf);

/*
 * Write v exactly as printf("%.17g", v) does (it always reads back to v),
 * only faster, into buf (SC_NUM_BUFSZ bytes); returns the length.
 */
int sc_num_fmt17(double v, char *buf);

#endif
