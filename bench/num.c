/* SPDX-License-Identifier: ISC */
/*
 * Number parsing and printing of libsc next to the C library: the time per
 * value of sc_num_parse() against strtod() and of sc_num_fmt() and
 * sc_num_fmt17() against the snprintf() loop they replace, on the kinds of
 * numbers stockcast writes (prices with two decimals, computed features,
 * doubles of any bit pattern).  With --verify N it instead checks N random
 * values of each kind against strtod() and snprintf() and exits 1 on the
 * first difference.
 *
 * usage: num [--verify N] [N]
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sc_num.h"

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t
next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static double
from_bits(uint64_t b)
{
	double d;

	memcpy(&d, &b, sizeof(d));
	return d;
}

/* A value of kind k: 0 price, 1 computed feature, 2 any finite bits. */
static double
value(int k)
{
	double d;

	switch (k) {
	case 0:
		return (double)(next() % 5000000) / 100.0;
	case 1:
		return ((double)(next() >> 11) / 9007199254740992.0 - 0.5) *
		    0.2;
	default:
		do
			d = from_bits(next());
		while (!isfinite(d));
		return d;
	}
}

/* What sc_num_fmt() prints, the slow way. */
static void
ref_fmt(double v, char *buf)
{
	int p;

	for (p = 15; p <= 17; p++) {
		snprintf(buf, SC_NUM_BUFSZ, "%.*g", p, v);
		if (strtod(buf, NULL) == v)
			break;
	}
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int
verify(long n)
{
	char a[SC_NUM_BUFSZ], b[SC_NUM_BUFSZ];
	long i;
	int k;
	double v, p, d;

	for (k = 0; k < 3; k++)
		for (i = 0; i < n; i++) {
			v = value(k);
			ref_fmt(v, b);
			sc_num_fmt(v, a);
			if (strcmp(a, b) != 0) {
				fprintf(stderr, "fmt %a: %s, want %s\n", v, a,
				    b);
				return 1;
			}
			snprintf(b, sizeof(b), "%.17g", v);
			sc_num_fmt17(v, a);
			if (strcmp(a, b) != 0) {
				fprintf(stderr, "fmt17 %a: %s, want %s\n", v, a,
				    b);
				return 1;
			}
			snprintf(b, sizeof(b), "%.*g", 1 + (int)(i % 19), v);
			d = strtod(b, NULL);
			if (isinf(d) ? sc_num_parse(b, strlen(b), &p) != -1
			             : sc_num_parse(b, strlen(b), &p) != 0 ||
			            memcmp(&p, &d, sizeof(d)) != 0) {
				fprintf(stderr, "parse %s\n", b);
				return 1;
			}
		}
	printf("num: %ld values of each of 3 kinds: same text as snprintf, "
	       "same values as strtod\n",
	    n);
	return 0;
}

int
main(int argc, char **argv)
{
	static const char *kinds[3] = { "price", "feature", "any-bits" };
	char buf[SC_NUM_BUFSZ], **txt;
	long n = 1000000, i;
	int k;
	double *v, t0, t[6], sink = 0, d;

	if (argc == 3 && strcmp(argv[1], "--verify") == 0)
		return verify(atol(argv[2]));
	if (argc == 2)
		n = atol(argv[1]);
	if (n <= 0 || (v = calloc((size_t)n, sizeof(*v))) == NULL ||
	    (txt = calloc((size_t)n, sizeof(*txt))) == NULL)
		return 2;
	printf("kind,values,strtod_ns,sc_num_parse_ns,snprintf_loop_ns,"
	       "sc_num_fmt_ns,snprintf17_ns,sc_num_fmt17_ns\n");
	for (k = 0; k < 3; k++) {
		for (i = 0; i < n; i++) {
			v[i] = value(k);
			txt[i] = strdup(sc_num_fmt(v[i], buf));
			if (txt[i] == NULL)
				return 2;
		}
		t0 = now();
		for (i = 0; i < n; i++)
			sink += strtod(txt[i], NULL);
		t[0] = now() - t0;
		t0 = now();
		for (i = 0; i < n; i++)
			if (sc_num_parse(txt[i], strlen(txt[i]), &d) == 0)
				sink += d;
		t[1] = now() - t0;
		t0 = now();
		for (i = 0; i < n; i++) {
			ref_fmt(v[i], buf);
			sink += buf[0];
		}
		t[2] = now() - t0;
		t0 = now();
		for (i = 0; i < n; i++)
			sink += sc_num_fmt(v[i], buf)[0];
		t[3] = now() - t0;
		t0 = now();
		for (i = 0; i < n; i++)
			sink += snprintf(buf, sizeof(buf), "%.17g", v[i]);
		t[4] = now() - t0;
		t0 = now();
		for (i = 0; i < n; i++)
			sink += sc_num_fmt17(v[i], buf);
		t[5] = now() - t0;
		printf("%s,%ld,%.1f,%.1f,%.1f,%.1f,%.1f,%.1f\n", kinds[k], n,
		    t[0] * 1e9 / (double)n, t[1] * 1e9 / (double)n,
		    t[2] * 1e9 / (double)n, t[3] * 1e9 / (double)n,
		    t[4] * 1e9 / (double)n, t[5] * 1e9 / (double)n);
		for (i = 0; i < n; i++)
			free(txt[i]);
	}
	free(txt);
	free(v);
	return sink == 42.4242 ? 3 : 0;
}
