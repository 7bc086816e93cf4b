/* SPDX-License-Identifier: ISC */
/*
 * Synthetic data: the same bars for the same (symbol, seed, date) whatever
 * the window, other bars for another seed or symbol, consistent OHLC,
 * trading days only, plausible statistics, and speed.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <check.h>

#include "sc_calendar.h"
#include "sc_date.h"
#include "sc_synth.h"

static long
day(const char *s)
{
	long d;

	ck_assert_int_eq(sc_date_parse(s, strlen(s), &d), 0);
	return d;
}

static void
gen(const char *sym, uint64_t seed, const char *from, const char *to,
    struct sc_series *s)
{
	struct sc_err e = { 0 };

	memset(s, 0, sizeof(*s));
	ck_assert_int_eq(sc_synth_series(sym, seed, day(from), day(to), s, &e),
	    0);
}

START_TEST(test_synth_determinism_windows)
{
	struct sc_series a, b;
	size_t i, k;

	gen("AAPL", 7, "2020-01-01", "2024-12-31", &a);
	gen("AAPL", 7, "2024-06-01", "2025-03-31", &b);
	ck_assert_str_eq(a.ticker, "AAPL");
	ck_assert_uint_gt(a.n, 1000);
	for (k = 0; k < a.n && a.bars[k].day != b.bars[0].day; k++)
		;
	ck_assert_uint_lt(k, a.n);
	for (i = 0; k + i < a.n; i++)
		ck_assert_mem_eq(&a.bars[k + i], &b.bars[i], sizeof(b.bars[i]));
	sc_series_free(&a);
	sc_series_free(&b);
	gen("AAPL", 7, "2024-06-03", "2024-06-03", &a);
	ck_assert_uint_eq(a.n, 1);
	sc_series_free(&a);
}
END_TEST

START_TEST(test_synth_determinism_seed)
{
	struct sc_series a, b, c;

	gen("AAPL", 1, "2025-01-01", "2025-01-31", &a);
	gen("AAPL", 2, "2025-01-01", "2025-01-31", &b);
	gen("MSFT", 1, "2025-01-01", "2025-01-31", &c);
	ck_assert_uint_eq(a.n, b.n);
	ck_assert_double_ne(a.bars[0].close, b.bars[0].close);
	ck_assert_double_ne(a.bars[0].close, c.bars[0].close);
	sc_series_free(&b);
	gen("AAPL", 1, "2025-01-01", "2025-01-31", &b);
	ck_assert_mem_eq(a.bars, b.bars, a.n * sizeof(*a.bars));
	sc_series_free(&a);
	sc_series_free(&b);
	sc_series_free(&c);
}
END_TEST

START_TEST(test_synth_bars_consistent)
{
	static const char *const syms[] = { "AAPL", "MSFT", "X", "BRK-B",
		"^GSPC", "Q1", "Q2", "Q3" };
	size_t i, k;

	for (k = 0; k < sizeof(syms) / sizeof(syms[0]); k++) {
		struct sc_series s;

		gen(syms[k], 42, "1990-01-01", "2026-12-31", &s);
		ck_assert_uint_gt(s.n, 9000);
		for (i = 0; i < s.n; i++) {
			const struct sc_bar *b = &s.bars[i];

			ck_assert(sc_calendar_is_trading_day(b->day));
			ck_assert(i == 0 || b->day > s.bars[i - 1].day);
			ck_assert(b->low > 0);
			ck_assert(b->high >= fmax(b->open, b->close));
			ck_assert(b->low <= fmin(b->open, b->close));
			ck_assert(b->adj_close == b->close);
			ck_assert(
			    b->volume >= 1 && b->volume == floor(b->volume));
		}
		ck_assert_int_eq(s.bars[0].day, SC_SYNTH_ORIGIN);
		ck_assert(s.bars[0].close > 0);
		sc_series_free(&s);
	}
}
END_TEST

/* Daily log returns: heavy tails and volatility clustering. */
START_TEST(test_synth_stylised_facts)
{
	struct sc_series s;
	double m = 0, v = 0, k4 = 0, ac = 0, prev = 0, r;
	size_t i, n;

	gen("STAT", 3, "1990-01-01", "2026-12-31", &s);
	n = s.n - 1;
	for (i = 1; i < s.n; i++)
		m += log(s.bars[i].close / s.bars[i - 1].close) / (double)n;
	for (i = 1; i < s.n; i++) {
		r = log(s.bars[i].close / s.bars[i - 1].close) - m;
		v += r * r / (double)n;
		k4 += r * r * r * r / (double)n;
	}
	for (i = 1; i < s.n; i++) {
		r = log(s.bars[i].close / s.bars[i - 1].close) - m;
		if (i > 1)
			ac += (r * r - v) * (prev * prev - v);
		prev = r;
	}
	ac /= (double)(n - 1) * (k4 - v * v);
	/* annualised volatility in the drawn range */
	ck_assert(sqrt(v * 252) > 0.10 && sqrt(v * 252) < 0.80);
	/* A normal law has kurtosis 3, estimated from 9,000 returns with a
	 * standard error of sqrt(24/9000) = 0.05: 3.25 is 5 errors above. */
	ck_assert_msg(k4 / (v * v) > 3.25, "kurtosis %g", k4 / (v * v));
	ck_assert_msg(ac > 0.03, "squared-return autocorrelation %g", ac);
	sc_series_free(&s);
}
END_TEST

/* Decades of compounding leave prices near the present plausible. */
START_TEST(test_synth_bars_plausible_levels)
{
	struct sc_err e = { 0 };
	char sym[16];
	int k;

	for (k = 0; k < 200; k++) {
		struct sc_series s = { 0 };
		double lo = HUGE_VAL, hi = 0;
		size_t i;

		snprintf(sym, sizeof(sym), "S%d", k);
		ck_assert_int_eq(sc_synth_series(sym, 0,
		                     sc_date_from_ymd(2020, 1, 1),
		                     sc_date_from_ymd(2030, 12, 31), &s, &e),
		    0);
		for (i = 0; i < s.n; i++) {
			lo = fmin(lo, s.bars[i].close);
			hi = fmax(hi, s.bars[i].close);
		}
		ck_assert_msg(lo >= 1 && hi <= 5000, "%s: %g..%g", sym, lo, hi);
		sc_series_free(&s);
	}
}
END_TEST

START_TEST(test_synth_speed)
{
	static const char *const syms[] = { "A", "B", "C", "D", "E", "F" };
	struct timespec t0, t1;
	const char *pre;
	size_t k;
	double ms;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (k = 0; k < 6; k++) {
		struct sc_series s;

		gen(syms[k], 0, "1990-01-01", "2025-12-31", &s);
		ck_assert_uint_gt(s.n, 9000);
		sc_series_free(&s);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	/* About 20 ms at -O2; valgrind and sanitizers are 10-50 times slower. */
	pre = getenv("LD_PRELOAD");
	if ((pre != NULL && strstr(pre, "vgpreload") != NULL) ||
	    getenv("SC_SANITIZED") != NULL)
		fprintf(stderr, "synth speed: %g ms (instrumented)\n", ms);
	else
		ck_assert_msg(ms < 500, "%g ms", ms);
}
END_TEST

START_TEST(test_synth_errors)
{
	struct sc_series s = { 0 };
	struct sc_err e = { 0 };

	ck_assert_int_eq(sc_synth_series("A B", 0, 0, 1, &s, &e), -1);
	ck_assert_int_eq(e.code, SC_EUSAGE);
	ck_assert_int_eq(sc_synth_series("A", 0, 0, 7000, &s, &e), 0);
	ck_assert_uint_eq(s.n, 0); /* before the origin */
	sc_series_free(&s);
}
END_TEST

Suite *
sc_synth_suite(void)
{
	Suite *s = suite_create("synth");
	TCase *tc;

	tc = tcase_create("determinism");
	tcase_add_test(tc, test_synth_determinism_windows);
	tcase_add_test(tc, test_synth_determinism_seed);
	suite_add_tcase(s, tc);
	tc = tcase_create("bars");
	tcase_add_test(tc, test_synth_bars_consistent);
	tcase_add_test(tc, test_synth_bars_plausible_levels);
	tcase_add_test(tc, test_synth_stylised_facts);
	tcase_add_test(tc, test_synth_errors);
	suite_add_tcase(s, tc);
	tc = tcase_create("speed");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_synth_speed);
	suite_add_tcase(s, tc);
	return s;
}
