/* SPDX-License-Identifier: ISC */
/*
 * Strict number parsing and shortest round-trip printing, both on one
 * table of 128-bit powers of ten (sc_num_pow10.h: 10^k ~ T 2^s, T rounded
 * down) and both with an exact fallback, so that their results are always
 * those of strtod() and printf().
 *
 * Parsing (after the method of Eisel and Lemire): a number of at most 19
 * significant digits w 10^q is exact in double arithmetic when w < 2^53
 * and |q| <= 22 (one exact operand, one rounding).  Otherwise the 192-bit
 * product of w (shifted to the top of 64 bits) and T bounds the value
 * from below within less than 2^64 units of its last 128 bits; when that
 * bound settles the rounding of the 53-bit significand the result is
 * built from it, and the rare undecided case (and subnormals, more digits,
 * exponents off the table) goes to strtod().
 *
 * Printing: the text is printf("%.15g") when that reads back to v, else
 * "%.16g" when that does, else "%.17g" (15 always gives the shortest form
 * when one of 15 or fewer digits exists, because the rounding error of a
 * double is far below half a unit in the 15th digit).  One product of the
 * significand and a table power gives V = |v| 10^k with 17 integer digits
 * and 64 fraction bits, exact within 2 units of its last bit, and so the
 * three roundings and, from half an ulp scaled the same way, the three
 * round-trip tests (is the rounded decimal within half an ulp of v?), each
 * by bounds in the manner of Grisu, Ryu and Schubfach.  A decision the
 * bounds leave open (an exact tie, a decimal on the edge of the interval)
 * goes to the exact path: 128-bit integer arithmetic for 1e-6 <= |v| <
 * 2^52, else snprintf(), each checked with strtod().
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sc_num.h"
#include "sc_num_pow10.h"

typedef unsigned __int128 u128;

/* Powers of ten exact as doubles. */
static const double exact10[23] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8,
	1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20,
	1e21, 1e22 };

static const uint64_t pow10[20] = { 1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL,
	100000ULL, 1000000ULL, 10000000ULL, 100000000ULL, 1000000000ULL,
	10000000000ULL, 100000000000ULL, 1000000000000ULL, 10000000000000ULL,
	100000000000000ULL, 1000000000000000ULL, 10000000000000000ULL,
	100000000000000000ULL, 1000000000000000000ULL,
	10000000000000000000ULL };

/* 10^k for 0 <= k <= 55 is exact in the table (5^k < 2^128). */
#define EXACT_MAX 55

static double
from_bits(uint64_t b)
{
	double d;

	memcpy(&d, &b, sizeof(d));
	return d;
}

/* The reference: the character whitelist, then strtod() on a copy. */
static int
parse_slow(const char *s, size_t n, double *out)
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

/*
 * w 10^q (w > 0, at most 19 digits) as a double: 0 with *out set, -1 when
 * it overflows, 1 when this path cannot decide.
 */
static int
parse_fast(uint64_t w, int q, int neg, double *out)
{
	const uint64_t *t;
	uint64_t m, sign = neg ? 1ULL << 63 : 0;
	u128 lo, p2, rhi, half;
	int l, s, b, e2, up;

	if (w <= (1ULL << 53) && q >= -22 && q <= 22) {
		double d = (double)w;
		d = q < 0 ? d / exact10[-q] : d * exact10[q];
		*out = neg ? -d : d;
		return 0;
	}
	if (q < SC_POW10_MIN || q > SC_POW10_MAX)
		return 1;
	t = sc_pow10_sig[q - SC_POW10_MIN];
	s = sc_pow10_exp[q - SC_POW10_MIN];
	l = __builtin_clzll(w);
	w <<= l;
	/* P = w T (192 bits): p2 its top 128 bits; the value is P 2^(s-l)
	 * up to less than w < 2^64 units of P. */
	lo = (u128)w * t[1];
	p2 = (u128)w * t[0] + (lo >> 64);
	/* b: the bits below the significand's last bit (P >= 2^190). */
	b = (int)(p2 >> 127) ? 139 : 138;
	m = (uint64_t)(p2 >> (b - 64));
	rhi = p2 & (((u128)1 << (b - 64)) - 1);
	half = (u128)1 << (b - 65);
	if (q >= 0 && q <= EXACT_MAX) { /* P is the value: round exactly */
		if (rhi != half || (uint64_t)lo != 0)
			up = rhi >= half && !(rhi == half && (uint64_t)lo == 0);
		else
			up = (int)(m & 1);
	} else if (rhi >= half) /* the value is above P */
		up = 1;
	else if (rhi + 1 < half)
		up = 0;
	else
		return 1;
	if (up && ++m == (1ULL << 53)) {
		m = 1ULL << 52;
		b++;
	}
	e2 = b + s - l + 1075; /* the biased exponent */
	if (e2 >= 2047)
		return -1;
	if (e2 <= 0)
		return 1;
	*out =
	    from_bits(sign | ((uint64_t)e2 << 52) | (m & ((1ULL << 52) - 1)));
	return 0;
}

/*
 * The value of the eight ASCII digits at s into *v, when all eight are
 * digits (1), else 0.  One 64-bit word, its bytes in string order from
 * the least significant, whatever the host's order: each byte's high
 * nibble is 3 and stays 3 when 6 is added ('0'..'9' exactly), then pairs,
 * quads and the eight are combined by three multiplications.
 */
static inline int
eight_digits(const char *s, uint32_t *v)
{
	uint64_t x = 0;
	int k;

	for (k = 0; k < 8; k++)
		x |= (uint64_t)(unsigned char)s[k] << (8 * k);
	if (((x & 0xF0F0F0F0F0F0F0F0ULL) |
	        (((x + 0x0606060606060606ULL) & 0xF0F0F0F0F0F0F0F0ULL) >> 4)) !=
	    0x3333333333333333ULL)
		return 0;
	x = (x & 0x0F0F0F0F0F0F0F0FULL) * 2561 >> 8;
	x = (x & 0x00FF00FF00FF00FFULL) * 6553601 >> 16;
	*v = (uint32_t)((x & 0x0000FFFF0000FFFFULL) * 42949672960001ULL >> 32);
	return 1;
}

/*
 * The digits from s[*i] on (at most n) into w (up to 19 significant ones;
 * *sig counts them all, leading zeros aside), *digits and, for a fraction,
 * *q (one less a digit): eight at a time while they fit.
 */
static inline void
digit_run(const char *s, size_t n, size_t *i, uint64_t *w, int *sig,
    int *digits, int *q, int frac)
{
	uint32_t e8;

	while (*i < n && s[*i] >= '0' && s[*i] <= '9') {
		if (*w != 0 && *sig <= 11 && n - *i >= 8 &&
		    eight_digits(s + *i, &e8)) {
			*w = *w * 100000000 + e8;
			*sig += 8;
			*digits += 8;
			*q -= frac ? 8 : 0;
			*i += 8;
			continue;
		}
		(*digits)++;
		*q -= frac;
		if ((*w != 0 || s[*i] != '0') && (*sig)++ < 19)
			*w = *w * 10 + (uint64_t)(s[*i] - '0');
		(*i)++;
	}
}

int
sc_num_parse(const char *s, size_t n, double *out)
{
	size_t i = 0;
	uint64_t w = 0;
	int neg = 0, q = 0, sig = 0, digits = 0, ex = 0, exneg = 0, r;

	if (n == 0 || n >= 64)
		return -1;
	if (s[0] == '+' || s[0] == '-')
		neg = s[i++] == '-';
	digit_run(s, n, &i, &w, &sig, &digits, &q, 0);
	if (sig > 19)
		return parse_slow(s, n, out);
	if (i < n && s[i] == '.') {
		i++;
		digit_run(s, n, &i, &w, &sig, &digits, &q, 1);
	}
	if (digits == 0)
		return -1;
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			exneg = s[i++] == '-';
		if (i == n || s[i] < '0' || s[i] > '9')
			return -1;
		for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			if (ex < 100000)
				ex = ex * 10 + (s[i] - '0');
	}
	if (i != n)
		return -1;
	if (sig > 19)
		return parse_slow(s, n, out);
	if (w == 0) {
		*out = neg ? -0.0 : 0.0;
		return 0;
	}
	q += exneg ? -ex : ex;
	r = parse_fast(w, q, neg, out);
	return r == 1 ? parse_slow(s, n, out) : r;
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

/* 10^k as a 128-bit integer, k <= 38. */
static u128
p10(int k)
{
	return k <= 19 ? (u128)pow10[k] : (u128)pow10[19] * pow10[k - 19];
}

/*
 * The exact path.  The first n (1..17) significant digits of |v|
 * correctly rounded, half to even, as *q in [10^(n-1), 10^n), and the
 * decimal exponent of the first digit as *x.  Handles 1e-6 <= |v| < 2^52;
 * returns 0 for the rest.
 */
static int
sig_digits(double v, int n, uint64_t *q, int *x)
{
	uint64_t bits, m;
	u128 p, d, rem, half;
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
		p = (u128)m * p10(k);
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
		half = (u128)1 << (-e - 1);
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

/* "00" to "99". */
static const char pairs[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233"
    "34353637383940414243444546474849505152535455565758596061626364656667"
    "6869707172737475767778798081828384858687888990919293949596979899";

/* Write n digits q with exponent x as printf("%.<n>g") does; the length. */
static int
put_g(int neg, uint64_t q, int x, int n, char *d)
{
	char dig[20];
	int len = 0, i, last = n - 1, ax;

	if (q == pow10[n]) { /* 99...9.5 rounded up to 10...0 */
		q = pow10[n - 1];
		x++;
	}

	/* Drop the trailing zeros (%g does), then write two digits a step. */
	while (q % 100000000 == 0) {
		q /= 100000000;
		last -= 8;
	}
	if (q % 10000 == 0) {
		q /= 10000;
		last -= 4;
	}
	if (q % 100 == 0) {
		q /= 100;
		last -= 2;
	}
	if (q % 10 == 0) {
		q /= 10;
		last -= 1;
	}
	for (i = last; i > 0; i -= 2, q /= 100) {
		dig[i] = pairs[2 * (q % 100) + 1];
		dig[i - 1] = pairs[2 * (q % 100)];
	}
	if (i == 0)
		dig[0] = (char)('0' + q);
	if (neg)
		d[len++] = '-';
	if (x < -4 || x >= n) {
		d[len++] = dig[0];
		if (last > 0)
			d[len++] = '.';
		for (i = 1; i <= last; i++)
			d[len++] = dig[i];
		d[len++] = 'e';
		d[len++] = x < 0 ? '-' : '+';
		ax = x < 0 ? -x : x;
		if (ax >= 100)
			d[len++] = (char)('0' + ax / 100);
		d[len++] = (char)('0' + ax / 10 % 10);
		d[len++] = (char)('0' + ax % 10);
		d[len] = '\0';
		return len;
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
		d[len++] = i <= last ? dig[i] : '0';
	if (last > x)
		d[len++] = '.';
	for (i = x + 1; i <= last; i++)
		d[len++] = dig[i];
	d[len] = '\0';
	return len;
}

/* printf("%.<n>g", v) into buf (SC_NUM_BUFSZ bytes) exactly; the length. */
static int
fmt_g(double v, int n, char *buf)
{
	uint64_t q;
	int x;

	if (sig_digits(v, n, &q, &x))
		return put_g(v < 0, q, x, n, buf);
	return snprintf(buf, SC_NUM_BUFSZ, "%.*g", n, v);
}

/* The exact path of sc_num_fmt(). */
static void
fmt_slow(double v, char *buf)
{
	int prec;

	for (prec = 15; prec <= 17; prec++) {
		fmt_g(v, prec, buf);
		if (prec == 17 || strtod(buf, NULL) == v)
			break;
	}
}

/* The bound on the error of V and H, in units of their last bit. */
#define SLACK 4

/* |v| 10^k: V (64 fraction bits) and half an ulp scaled alike. */
struct scaled {
	u128 u;    /* V, rounded down */
	u128 hu;   /* half an ulp of v times 10^k, rounded down */
	int exact; /* u is V exactly */
};

/* floor(n log10 2), a first guess at the decimal exponent. */
static int
log10_pow2(int n)
{
	return n >= 0 ? (int)(((long long)n * 78913) >> 18)
	              : -(int)((((long long)-n * 78913) + 262143) >> 18);
}

/* m 2^e 10^k into *sv; 0, or -1 when off the table or the fixed point. */
static int
scale(uint64_t m, int e, int k, struct scaled *sv)
{
	const uint64_t *t;
	u128 lo, p2;
	uint64_t p0, low;
	int s, sh;

	if (k < SC_POW10_MIN || k > SC_POW10_MAX)
		return -1;
	t = sc_pow10_sig[k - SC_POW10_MIN];
	s = sc_pow10_exp[k - SC_POW10_MIN];
	lo = (u128)m * t[1];
	p2 = (u128)m * t[0] + (lo >> 64);
	p0 = (uint64_t)lo;
	sh = -(e + s) - 64; /* V 2^64 = (p2 2^64 + p0) 2^-sh */
	if (sh <= 0 || sh >= 127)
		return -1;
	if (sh < 64) {
		if ((p2 >> (64 + sh)) != 0)
			return -1;
		sv->u = (p2 << (64 - sh)) | (p0 >> sh);
		low = p0 & ((1ULL << sh) - 1);
	} else {
		sv->u = p2 >> (sh - 64);
		low = p0 | (uint64_t)(p2 & (((u128)1 << (sh - 64)) - 1));
	}
	sv->exact = k >= 0 && k <= EXACT_MAX && low == 0;
	sv->hu = (((u128)t[0] << 64) | t[1]) >> (sh + 1);
	return 0;
}

/*
 * Round V to n digits (V has 17 integer digits): *q, with *x bumped when
 * it rounds up to 10^n.  0, or -1 when the bounds leave it open.
 */
static inline int
round_n(const struct scaled *sv, int n, uint64_t *q)
{
	uint64_t whole = (uint64_t)(sv->u >> 64), div = pow10[17 - n];
	u128 rem, half;
	int up;

	*q = whole / div;
	rem = ((u128)(whole % div) << 64) | (uint64_t)sv->u;
	half = (u128)div << 63;
	if (sv->exact)
		up = rem > half || (rem == half && (*q & 1));
	else if (rem >= half) /* the true V is above u */
		up = 1;
	else if (rem + SLACK <= half)
		up = 0;
	else
		return -1;
	*q += (uint64_t)up;
	return 0;
}

/*
 * Does the decimal q 10^(17-n) (in units of V) read back to v?  1 or 0,
 * or -1 when the bounds leave it open.  lowhalf: the gap below v is half
 * the gap above (v is a power of two).
 */
static inline int
reads_back(const struct scaled *sv, uint64_t q, int n, int lowhalf)
{
	u128 dv = (u128)(q * pow10[17 - n]) << 64, d, h;

	if (dv >= sv->u) {
		d = dv - sv->u;
		if (d <= 2 * SLACK)
			return 1;
		if (d < sv->hu)
			return 1;
		return d >= sv->hu + 2 * SLACK ? 0 : -1;
	}
	d = sv->u - dv;
	h = lowhalf ? sv->hu >> 1 : sv->hu;
	if (d + 2 * SLACK <= h)
		return 1;
	return d >= h + 2 * SLACK ? 0 : -1;
}

/*
 * The fast path: printf("%.17g", v) when only is set, else the text of
 * sc_num_fmt(); the length, or -1 to take the exact path.  v is finite
 * and not zero.
 */
static int
fmt_fast(double v, int only17, char *buf)
{
	struct scaled sv;
	uint64_t bits, m, q, whole;
	int be, e, e2, x, j, tries, lowhalf, r;

	memcpy(&bits, &v, sizeof(bits));
	be = (int)((bits >> 52) & 0x7ff);
	m = bits & ((1ULL << 52) - 1);
	if (be == 0) {
		e = -1074;
	} else {
		m |= 1ULL << 52;
		e = be - 1075;
	}
	lowhalf = be > 1 && m == (1ULL << 52);
	/* x: the decimal exponent of |v|, by its binary one and the next
	 * power of ten (a guess: a wrong one costs another try). */
	e2 = e + 63 - __builtin_clzll(m);
	x = log10_pow2(e2);
	j = x + 1 - SC_POW10_MIN;
	if (j < SC_POW10_MAX - SC_POW10_MIN &&
	    (e2 > sc_pow10_exp[j] + 127 ||
	        (e2 == sc_pow10_exp[j] + 127 &&
	            m << __builtin_clzll(m) >= sc_pow10_sig[j][0])))
		x++;
	for (tries = 0;; tries++) {
		if (tries == 3 || scale(m, e, 16 - x, &sv) == -1)
			return -1;
		whole = (uint64_t)(sv.u >> 64);
		if (whole >= pow10[17])
			x++;
		else if (whole < pow10[16])
			x--;
		else
			break;
	}
	if (!only17) {
		if (round_n(&sv, 15, &q) == -1 ||
		    (r = reads_back(&sv, q, 15, lowhalf)) == -1)
			return -1;
		if (r == 1)
			return put_g(v < 0, q, x, 15, buf);
		if (round_n(&sv, 16, &q) == -1 ||
		    (r = reads_back(&sv, q, 16, lowhalf)) == -1)
			return -1;
		if (r == 1)
			return put_g(v < 0, q, x, 16, buf);
	}
	if (round_n(&sv, 17, &q) == -1)
		return -1;
	return put_g(v < 0, q, x, 17, buf);
}

int
sc_num_fmt17(double v, char *buf)
{
	int len;

	if (isfinite(v) && v != 0 && (len = fmt_fast(v, 1, buf)) >= 0)
		return len;
	return fmt_g(v, 17, buf);
}

int
sc_num_fmtn(double v, char *buf)
{
	int len;

	if (isnan(v)) {
		strcpy(buf, "nan");
		return 3;
	}
	if (isinf(v)) {
		strcpy(buf, v < 0 ? "-inf" : "inf");
		return v < 0 ? 4 : 3;
	}
	if (v == 0) {
		strcpy(buf, signbit(v) ? "-0" : "0");
		return signbit(v) ? 2 : 1;
	}
	if ((len = fmt_fast(v, 0, buf)) >= 0)
		return len;
	fmt_slow(v, buf);
	return (int)strlen(buf);
}

char *
sc_num_fmt(double v, char *buf)
{
	sc_num_fmtn(v, buf);
	return buf;
}
