/* SPDX-License-Identifier: ISC */
/*
 * Strict number parsing and shortest round-trip printing.  The printer
 * tries 15, 16 and 17 significant digits in turn: 15 always gives the
 * shortest form when one of 15 or fewer digits exists (the rounding error of
 * a double is far below half a unit in the 15th digit), and 17 always
 * round-trips.  The digits come from exact 128-bit integer arithmetic
 * (v = m 2^e, so its first n digits are m 10^k / 2^-e rounded half to
 * even), which is what printf("%.*g") computes but several times faster;
 * values outside the range it handles go to snprintf.
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

static const uint64_t pow10[20] = { 1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL,
	100000ULL, 1000000ULL, 10000000ULL, 100000000ULL, 1000000000ULL,
	10000000000ULL, 100000000000ULL, 1000000000000ULL, 10000000000000ULL,
	100000000000000ULL, 1000000000000000ULL, 10000000000000000ULL,
	100000000000000000ULL, 1000000000000000000ULL,
	10000000000000000000ULL };

/* 10^k as a 128-bit integer, k <= 38. */
static unsigned __int128
p10(int k)
{
	return k <= 19 ? (unsigned __int128)pow10[k]
	               : (unsigned __int128)pow10[19] * pow10[k - 19];
}

/*
 * The first n (1..17) significant digits of |v| correctly rounded, half to
 * even, as *q in [10^(n-1), 10^n), and the decimal exponent of the first
 * digit as *x.  Handles 1e-6 <= |v| < 2^52; returns 0 for the rest.
 */
static int
sig_digits(double v, int n, uint64_t *q, int *x)
{
	uint64_t bits, m;
	unsigned __int128 p, d, rem, half;
	int e, k, tries;

	memcpy(&bits, &v, sizeof(bits));
	e = (int)((bits >> 52) & 0x7ff);
	if (e == 0 || e == 0x7ff)
		return 0;
	m = (bits & ((1ULL << 52) - 1)) | (1ULL << 52);
	e -= 1075;
	if (e >= 0 || e < -126 || fabs(v) < 1e-6)
		return 0;
	*x = (int)floor(log10(fabs(v)));
	for (tries = 0; tries < 3; tries++) {
		if ((k = n - 1 - *x) < 0 || k > 22)
			return 0;
		p = (unsigned __int128)m * p10(k);
		d = p >> -e;
		/* The exponent goes by the value before rounding. */
		if (d >= pow10[n]) {
			(*x)++;
			continue;
		}
		if (d < pow10[n - 1]) {
			(*x)--;
			continue;
		}
		rem = p - (d << -e);
		half = (unsigned __int128)1 << (-e - 1);
		if (rem > half || (rem == half && (d & 1)))
			d++;
		if (d == pow10[n]) { /* 99...9.5 rounds up to 10...0 */
			d = pow10[n - 1];
			(*x)++;
		}
		*q = (uint64_t)d;
		return 1;
	}
	return 0;
}

/* Write n digits q with exponent x as printf("%.<n>g") does; the length. */
static int
put_g(int neg, uint64_t q, int x, int n, char *d)
{
	char dig[20] = { 0 };
	int len = 0, i, last;

	for (i = n - 1; i >= 0; i--, q /= 10)
		dig[i] = (char)('0' + q % 10);
	for (last = n - 1; last > 0 && dig[last] == '0'; last--)
		;
	if (neg)
		d[len++] = '-';
	if (x < -4 || x >= n) {
		d[len++] = dig[0];
		if (last > 0)
			d[len++] = '.';
		for (i = 1; i <= last; i++)
			d[len++] = dig[i];
		return len +
		    sprintf(d + len, "e%c%02d", x < 0 ? '-' : '+',
		        x < 0 ? -x : x);
	}
	if (x < 0) {
		d[len++] = '0';
		d[len++] = '.';
		for (i = -1; i > x; i--)
			d[len++] = '0';
		for (i = 0; i <= last; i++)
			d[len++] = dig[i];
		d[len] = '\0';
		return len;
	}
	for (i = 0; i <= x; i++)
		d[len++] = dig[i];
	if (last > x)
		d[len++] = '.';
	for (i = x + 1; i <= last; i++)
		d[len++] = dig[i];
	d[len] = '\0';
	return len;
}

/* printf("%.<n>g", v) into buf (SC_NUM_BUFSZ bytes); the length. */
static int
fmt_g(double v, int n, char *buf)
{
	uint64_t q;
	int x;

	if (sig_digits(v, n, &q, &x))
		return put_g(v < 0, q, x, n, buf);
	return snprintf(buf, SC_NUM_BUFSZ, "%.*g", n, v);
}

int
sc_num_fmt17(double v, char *buf)
{
	return fmt_g(v, 17, buf);
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
		fmt_g(v, prec, buf);
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
