/* SPDX-License-Identifier: ISC */
/*
 * Strict number parsing and shortest round-trip printing.  The printer
 * tries 15, 16 and 17 significant digits in turn: 15 always gives the
 * shortest form when one of 15 or fewer digits exists (the rounding error of
 * a double is far below half a unit in the 15th digit), and 17 always
 * round-trips.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sc_num.h"

int
sc_num_parse(const char *s, size_t n, double *out)
{
	char buf[64], *end;
	size_t i;
	int digits = 0;
	double v;

	if (n == 0 || n >= sizeof(buf))
		return -1;
	/* Allow only [+-]digits[.digits][(e|E)[+-]digits]. */
	for (i = 0; i < n; i++) {
		char c = s[i];
		if (c >= '0' && c <= '9')
			digits++;
		else if (c != '+' && c != '-' && c != '.' && c != 'e' &&
		    c != 'E')
			return -1;
	}
	if (digits == 0)
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	errno = 0;
	v = strtod(buf, &end);
	if (end != buf + n)
		return -1;
	if (errno == ERANGE && (v == HUGE_VAL || v == -HUGE_VAL))
		return -1;
	if (!isfinite(v))
		return -1;
	*out = v;
	return 0;
}

int
sc_num_parse_long(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v;

	if (s == NULL || *s == '\0' || (*s != '-' && (*s < '0' || *s > '9')))
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (*end != '\0' || errno == ERANGE || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

int
sc_num_parse_range(const char *s, double lo, double hi, double *out)
{
	double v;

	if (s == NULL || sc_num_parse(s, strlen(s), &v) == -1)
		return -1;
	if (v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

char *
sc_num_fmt(double v, char *buf)
{
	int prec;

	if (isnan(v)) {
		strcpy(buf, "nan");
		return buf;
	}
	if (isinf(v)) {
		strcpy(buf, v < 0 ? "-inf" : "inf");
		return buf;
	}
	if (v == 0) {
		strcpy(buf, signbit(v) ? "-0" : "0");
		return buf;
	}
	for (prec = 15; prec <= 17; prec++) {
		snprintf(buf, SC_NUM_BUFSZ, "%.*g", prec, v);
		if (prec == 17 || strtod(buf, NULL) == v)
			break;
	}
	return buf;
}

uint64_t
sc_num_hash(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}
