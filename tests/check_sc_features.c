/* SPDX-License-Identifier: ISC */
/*
 * Features: parsing names, each feature against values computed by hand
 * (and, for the EMA, with pandas' own adjust=False arithmetic step by step
 * in Python, embedded here as constants), and the last-day call against the
 * full table, bit for bit.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "check_sc.h"
#include "sc_date.h"
#include "sc_features.h"
#include "sc_ohlcv.h"

/* Thu 2025-01-02 .. Mon 2025-01-13, trading days only. */
static const char *const dates[] = { "2025-01-02", "2025-01-03", "2025-01-06",
	"2025-01-07", "2025-01-08", "2025-01-09", "2025-01-10", "2025-01-13" };
static const double closes[] = { 10, 11, 10.5, 12, 12, 11.5, 13, 12.5 };
#define NDAYS 8

static void
make_series(struct sc_ohlcv_series *s, const char *ticker)
{
	/* Volume: a zero on day 2 and a missing value on day 4. */
	const double vols[NDAYS] = { 100, 200, 0, 150, NAN, 300, 330, 165 };
	double v[SC_OHLCV_NCOLS];
	struct sc_err e = { 0 };
	long d;
	size_t i;

	memset(s, 0, sizeof(*s));
	strcpy(s->ticker, ticker);
	for (i = 0; i < NDAYS; i++) {
		ck_assert_int_eq(sc_date_parse(dates[i], 10, &d), 0);
		v[SC_OHLCV_OPEN] = v[SC_OHLCV_HIGH] = v[SC_OHLCV_LOW] = NAN;
		v[SC_OHLCV_ADJ_CLOSE] = NAN;
		v[SC_OHLCV_CLOSE] = closes[i];
		v[SC_OHLCV_VOLUME] = vols[i];
		ck_assert_int_eq(sc_ohlcv_series_add(s, d, v, &e), 0);
	}
}

/* Compute one feature over the fixture series into out[NDAYS]. */
static void
feature(const char *name, double *out)
{
	struct sc_ohlcv_series s;
	struct sc_err e = { 0 };
	struct sc_features *f = sc_features_parse(name, &e);

	ck_assert_msg(f != NULL, "%s: %s", name, e.msg);
	ck_assert_uint_eq(sc_features_count(f), 1);
	make_series(&s, "AAPL");
	ck_assert_int_eq(sc_features_compute(f, &s, out, &e), 0);
	sc_ohlcv_series_free(&s);
	sc_features_free(f);
}

/* want[] has NAN where the feature is undefined; tol 0 means exact. */
static void
check_feature(const char *name, const double *want, double tol)
{
	double got[NDAYS];
	size_t t;

	feature(name, got);
	for (t = 0; t < NDAYS; t++) {
		if (isnan(want[t])) {
			ck_assert_msg(isnan(got[t]),
			    "%s day %zu: %.17g, want NaN", name, t, got[t]);
			continue;
		}
		ck_assert_msg(fabs(got[t] - want[t]) <= tol,
		    "%s day %zu: %.17g, want %.17g", name, t, got[t], want[t]);
	}
}

START_TEST(test_features_parse_names)
{
	struct sc_err e = { 0 };
	struct sc_features *f = sc_features_parse(
	    " ema_5 ,ema_20_ratio,sma_3_ratio,ret_1,logret_5,vol_10,rsi_14,"
	    "volume_chg_1,dow,ticker_id",
	    &e);

	ck_assert_msg(f != NULL, "%s", e.msg);
	ck_assert_uint_eq(sc_features_count(f), 10);
	ck_assert_str_eq(sc_features_name(f, 0), "ema_5");
	ck_assert_str_eq(sc_features_name(f, 1), "ema_20_ratio");
	ck_assert_str_eq(sc_features_name(f, 9), "ticker_id");
	ck_assert_str_eq(sc_features_name(f, 10), "");
	ck_assert_uint_eq(sc_features_warmup(f), 19); /* ema_20 */
	ck_assert(sc_features_needs(f, SC_OHLCV_VOLUME));
	ck_assert(sc_features_needs(f, SC_OHLCV_CLOSE));
	ck_assert(!sc_features_needs(f, SC_OHLCV_OPEN));
	sc_features_free(f);
	f = sc_features_parse("ema_1,ret_1000,vol_2,dow", &e);
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(sc_features_warmup(f), 1000);
	sc_features_free(f);
	f = sc_features_parse("ema_3_lag_4,dow_lag_2,rsi_14_lag_1000", &e);
	ck_assert_msg(f != NULL, "%s", e.msg);
	ck_assert_str_eq(sc_features_name(f, 0), "ema_3_lag_4");
	ck_assert_uint_eq(sc_features_warmup(f), 1014);
	ck_assert(!sc_features_needs(f, SC_OHLCV_VOLUME));
	sc_features_free(f);
	sc_features_free(NULL);
}
END_TEST

START_TEST(test_features_parse_default)
{
	struct sc_err e = { 0 };
	struct sc_features *f = sc_features_parse(SC_FEATURES_DEFAULT, &e);

	ck_assert_msg(f != NULL, "%s", e.msg);
	ck_assert_str_eq(sc_features_name(f, 0), "ema_5");
	ck_assert_str_eq(sc_features_name(f, 1), "ema_10");
	ck_assert_str_eq(sc_features_name(f, 2), "ema_20");
	ck_assert_uint_eq(sc_features_warmup(f), 20); /* vol_20 */
	sc_features_free(f);
}
END_TEST

START_TEST(test_features_parse_errors)
{
	static const struct {
		const char *list, *msg;
	} bad[] = {
		{ "ema_5,foo", "unknown feature \"foo\"" },
		{ "ema_05",
		    "feature \"ema_05\": want ema_N with N in 1..1000" },
		{ "ema_0", "feature \"ema_0\": want ema_N with N in 1..1000" },
		{ "sma_1001_ratio",
		    "feature \"sma_1001_ratio\": want sma_N_ratio with N in "
		    "1..1000" },
		{ "vol_1", "feature \"vol_1\": want vol_N with N in 2..1000" },
		{ "ret_1_ratio", "feature \"ret_1_ratio\": want ret_N" },
		{ "ema_", "unknown feature \"ema_\"" },
		{ "ema_x", "unknown feature \"ema_x\"" },
		{ "rsi_-3", "unknown feature \"rsi_-3\"" },
		{ "EMA_5", "unknown feature \"EMA_5\"" },
		{ "ema_5,,ret_1", "empty feature name in list" },
		{ "ema_5,", "empty feature name in list" },
		{ "ema_5,ret_1,ema_5", "feature \"ema_5\" listed twice" },
		{ "", "no features given" },
		{ " ", "no features given" },
		{ "dow_1", "unknown feature \"dow_1\"" },
		{ "ret_1_lag_0",
		    "feature \"ret_1_lag_0\": want NAME_lag_K with K in "
		    "1..1000" },
		{ "ret_1_lag_", "want NAME_lag_K" },
		{ "ret_1_lag_x", "want NAME_lag_K" },
		{ "ret_1_lag_1001", "want NAME_lag_K" },
		{ "ret_1_lag", "feature \"ret_1_lag\": want ret_N" },
		{ "_lag_1", "unknown feature \"_lag_1\"" },
		{ "foo_lag_1", "unknown feature \"foo_lag_1\"" },
	};
	struct sc_err e = { 0 };
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_ptr_null(sc_features_parse(bad[i].list, &e));
		ck_assert_int_eq(e.code, SC_EUSAGE);
		ck_assert_msg(strstr(e.msg, bad[i].msg) != NULL,
		    "\"%s\": got \"%s\", want \"%s\"", bad[i].list, e.msg,
		    bad[i].msg);
	}
}
END_TEST

START_TEST(test_features_parse_from_names)
{
	static const char *const good[] = { "ema_5", "dow" };
	static const char *const bad[] = { "ema_5", "close" };
	struct sc_err e = { 0 };
	struct sc_features *f = sc_features_from_names(good, 2, &e);

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(sc_features_count(f), 2);
	sc_features_free(f);
	ck_assert_ptr_null(sc_features_from_names(bad, 2, &e));
	ck_assert_int_eq(e.code, SC_EDATA);
	ck_assert_str_eq(e.msg, "unknown feature \"close\"");
	ck_assert_ptr_null(sc_features_from_names(good, 0, &e));
	ck_assert_int_eq(e.code, SC_EDATA);
}
END_TEST

START_TEST(test_features_compute_ema)
{
	/* alpha = 1/2: exact in binary, so these are exact by hand. */
	const double ema3[NDAYS] = { NAN, NAN, 10.5, 11.25, 11.625, 11.5625,
		12.28125, 12.390625 };
	/* pandas ewm(span=5, adjust=False).mean() arithmetic, in Python. */
	const double ema5[NDAYS] = { NAN, NAN, NAN, NAN, 11.283950617283953,
		11.355967078189302, 11.903978052126202, 12.102652034750802 };
	const double ratio5[NDAYS] = { NAN, NAN, NAN, NAN, 0.06345733041575463,
		0.012683457148033872, 0.09207190596911707,
		0.03283147892778193 };
	const double ema1[NDAYS] = { 10, 11, 10.5, 12, 12, 11.5, 13, 12.5 };

	check_feature("ema_3", ema3, 0);
	check_feature("ema_5", ema5, 0);
	check_feature("ema_5_ratio", ratio5, 0);
	check_feature("ema_1", ema1, 0);
}
END_TEST

START_TEST(test_features_compute_sma)
{
	const double sma3[NDAYS] = { NAN, NAN, 10.5, 33.5 / 3, 11.5, 35.5 / 3,
		36.5 / 3, 37.0 / 3 };
	double ratio[NDAYS];
	size_t t;

	check_feature("sma_3", sma3, 1e-14);
	for (t = 0; t < NDAYS; t++)
		ratio[t] = closes[t] / sma3[t] - 1;
	check_feature("sma_3_ratio", ratio, 1e-14);
}
END_TEST

START_TEST(test_features_compute_returns)
{
	const double ret1[NDAYS] = { NAN, 0.1, -0.5 / 11, 1.5 / 10.5, 0,
		-0.5 / 12, 1.5 / 11.5, -0.5 / 13 };
	const double ret2[NDAYS] = { NAN, NAN, 0.05, 1.0 / 11, 1.5 / 10.5,
		-0.5 / 12, 1.0 / 12, 1.0 / 11.5 };
	double lr2[NDAYS];
	size_t t;

	check_feature("ret_1", ret1, 1e-15);
	check_feature("ret_2", ret2, 1e-15);
	for (t = 0; t < NDAYS; t++)
		lr2[t] = t < 2 ? NAN : log(closes[t] / closes[t - 2]);
	check_feature("logret_2", lr2, 0);
	lr2[2] = 0.04879016416943205; /* log(1.05), as printed by Python */
	check_feature("logret_2", lr2, 1e-16);
}
END_TEST

START_TEST(test_features_compute_vol)
{
	/* statistics.stdev() of the three daily log returns before day t. */
	const double vol3[NDAYS] = { NAN, NAN, NAN, 0.09486409143609277,
		0.09346412349765885, 0.09187853971163144, 0.08575266315982505,
		0.09440719276081834 };
	double r[NDAYS], m, ss, want[NDAYS];
	size_t t, i;

	check_feature("vol_3", vol3, 1e-15);
	/* The same by the definition, for vol_2. */
	for (t = 1; t < NDAYS; t++)
		r[t] = log(closes[t] / closes[t - 1]);
	for (t = 0; t < NDAYS; t++) {
		want[t] = NAN;
		if (t < 2)
			continue;
		m = (r[t - 1] + r[t]) / 2;
		for (ss = 0, i = t - 1; i <= t; i++)
			ss += (r[i] - m) * (r[i] - m);
		want[t] = sqrt(ss);
	}
	check_feature("vol_2", want, 1e-15);
}
END_TEST

START_TEST(test_features_compute_rsi)
{
	/*
	 * Changes +1, -0.5, +1.5, 0, -0.5, +1.5, -0.5.  Day 3: gains 2.5/3,
	 * losses 0.5/3, RS 5, RSI 100 - 100/6.  Day 4: (2.5/3*2+0)/3 and
	 * (0.5/3*2+0)/3, RS 5 again.  Day 5: gain 10/27, loss (2/9+0.5)/3
	 * = 13/54, RS 20/13, RSI 2000/33.
	 */
	const double rsi3[NDAYS] = { NAN, NAN, NAN, 100 - 100.0 / 6,
		100 - 100.0 / 6, 2000.0 / 33, 82.31292517006803,
		64.53333333333333 };

	check_feature("rsi_3", rsi3, 1e-12);
}
END_TEST

START_TEST(test_features_compute_rsi_flat)
{
	struct sc_ohlcv_series s;
	struct sc_err e = { 0 };
	struct sc_features *f = sc_features_parse("rsi_2", &e);
	double out[NDAYS];
	size_t t;

	make_series(&s, "X");
	for (t = 0; t < NDAYS; t++) /* flat, then rising */
		s.v[SC_OHLCV_CLOSE][t] = t < 4 ? 5 : 5 + (double)t;
	ck_assert_int_eq(sc_features_compute(f, &s, out, &e), 0);
	ck_assert_double_eq(out[2], 50);
	ck_assert_double_eq(out[3], 50);
	ck_assert_double_eq(out[4], 100);
	ck_assert_double_eq(out[7], 100);
	sc_ohlcv_series_free(&s);
	sc_features_free(f);
}
END_TEST

START_TEST(test_features_compute_volume)
{
	/* Volumes 100, 200, 0, 150, missing, 300, 330, 165. */
	const double chg1[NDAYS] = { NAN, 1, -1, NAN, NAN, NAN, 0.1, -0.5 };
	const double chg2[NDAYS] = { NAN, NAN, -1, -0.25, NAN, 1, NAN, -0.45 };

	check_feature("volume_chg_1", chg1, 1e-15);
	check_feature("volume_chg_2", chg2, 1e-15);
}
END_TEST

START_TEST(test_features_compute_lag)
{
	double base[NDAYS], want[NDAYS];
	size_t t;

	feature("logret_1", base);
	for (t = 0; t < NDAYS; t++)
		want[t] = t < 2 ? NAN : base[t - 1];
	check_feature("logret_1_lag_1", want, 0);
	feature("ema_3_ratio", base);
	for (t = 0; t < NDAYS; t++)
		want[t] = t < 5 ? NAN : base[t - 3];
	check_feature("ema_3_ratio_lag_3", want, 0);
	for (t = 0; t < NDAYS; t++)
		want[t] = t < 7 ? NAN : 3; /* Thursday */
	check_feature("dow_lag_7", want, 0);
	for (t = 0; t < NDAYS; t++)
		want[t] = NAN;
	check_feature("ret_1_lag_7", want, 0);
}
END_TEST

START_TEST(test_features_compute_calendar)
{
	/* Thu Fri Mon Tue Wed Thu Fri Mon, 0 = Monday. */
	const double dow[NDAYS] = { 3, 4, 0, 1, 2, 3, 4, 0 };
	/* FNV-1a("AAPL") = 0x89106b8b9f086ccb; its top 53 bits / 2^53. */
	const double id[NDAYS] = { 0.53540680083009, 0.53540680083009,
		0.53540680083009, 0.53540680083009, 0.53540680083009,
		0.53540680083009, 0.53540680083009, 0.53540680083009 };
	double other[NDAYS];
	struct sc_ohlcv_series s;
	struct sc_err e = { 0 };
	struct sc_features *f = sc_features_parse("ticker_id", &e);

	check_feature("dow", dow, 0);
	check_feature("ticker_id", id, 0);
	make_series(&s, "MSFT");
	ck_assert_int_eq(sc_features_compute(f, &s, other, &e), 0);
	ck_assert(other[0] != id[0] && other[0] >= 0 && other[0] < 1);
	sc_ohlcv_series_free(&s);
	sc_features_free(f);
}
END_TEST

/* A deterministic random walk of n days with volumes. */
static void
walk(struct sc_ohlcv_series *s, size_t n)
{
	uint64_t x = 42;
	double v[SC_OHLCV_NCOLS], c = 100;
	struct sc_err e = { 0 };
	size_t i;

	memset(s, 0, sizeof(*s));
	strcpy(s->ticker, "WALK");
	for (i = 0; i < n; i++) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		c *= 1 + ((double)(x >> 11) * 0x1p-53 - 0.5) * 0.04;
		v[SC_OHLCV_OPEN] = v[SC_OHLCV_HIGH] = v[SC_OHLCV_LOW] = c;
		v[SC_OHLCV_CLOSE] = v[SC_OHLCV_ADJ_CLOSE] = c;
		v[SC_OHLCV_VOLUME] = (double)(1000 + (x >> 54));
		ck_assert_int_eq(sc_ohlcv_series_add(s, 20000 + (long)i, v, &e),
		    0);
	}
}

START_TEST(test_features_last_equals_full)
{
	struct sc_err e = { 0 };
	struct sc_features *f = sc_features_parse(SC_FEATURES_DEFAULT
	    ",sma_7,rsi_3,vol_2,ret_3,ema_1_ratio,volume_chg_5,ema_7_lag_3",
	    &e);
	size_t n = 300, k = sc_features_count(f), m;
	double *full = malloc(n * k * sizeof(double));
	double *last = malloc(k * sizeof(double));
	struct sc_ohlcv_series s;

	walk(&s, n);
	ck_assert_int_eq(sc_features_compute(f, &s, full, &e), 0);
	/* Every prefix: the history as it stood on day m-1. */
	for (m = 1; m <= n; m++) {
		s.n = m;
		ck_assert_int_eq(sc_features_last(f, &s, last, &e), 0);
		ck_assert_msg(memcmp(last, full + (m - 1) * k,
		                  k * sizeof(double)) == 0,
		    "day %zu differs", m - 1);
	}
	ck_assert(!isnan(last[0]) && !isnan(last[k - 1]));
	s.n = 0;
	ck_assert_int_eq(sc_features_last(f, &s, last, &e), -1);
	ck_assert_int_eq(e.code, SC_EDATA);
	s.n = n;
	sc_ohlcv_series_free(&s);
	sc_features_free(f);
	free(full);
	free(last);
}
END_TEST

START_TEST(test_features_target_kinds)
{
	struct sc_err e = { 0 };
	enum sc_target t;

	ck_assert_int_eq(sc_features_target_parse("logret", &t, &e), 0);
	ck_assert_int_eq(t, SC_TARGET_LOGRET);
	ck_assert_int_eq(sc_features_target_parse("target_close_1", &t, &e), 0);
	ck_assert_int_eq(t, SC_TARGET_CLOSE);
	ck_assert_int_eq(sc_features_target_parse("close", &t, &e), 0);
	ck_assert_int_eq(t, SC_TARGET_CLOSE);
	ck_assert_int_eq(sc_features_target_parse("price", &t, &e), -1);
	ck_assert_int_eq(e.code, SC_EUSAGE);
	ck_assert_str_eq(sc_features_target_name(SC_TARGET_LOGRET),
	    "target_logret_1");
	ck_assert_str_eq(sc_features_target_name(SC_TARGET_CLOSE),
	    "target_close_1");
	ck_assert_double_eq(sc_features_target_value(SC_TARGET_LOGRET, 10,
	                        10 * M_E),
	    1);
	ck_assert_double_eq(sc_features_target_value(SC_TARGET_CLOSE, 10, 11),
	    11);
	ck_assert_double_eq_tol(sc_features_target_close(SC_TARGET_LOGRET, 10,
	                            log(1.1)),
	    11, 1e-12);
	ck_assert_double_eq(sc_features_target_close(SC_TARGET_CLOSE, 10, 12),
	    12);
}
END_TEST

Suite *
sc_features_suite(void)
{
	Suite *s = suite_create("features");
	TCase *tc;

	tc = tcase_create("parse");
	tcase_add_test(tc, test_features_parse_names);
	tcase_add_test(tc, test_features_parse_default);
	tcase_add_test(tc, test_features_parse_errors);
	tcase_add_test(tc, test_features_parse_from_names);
	suite_add_tcase(s, tc);
	tc = tcase_create("compute");
	tcase_add_test(tc, test_features_compute_ema);
	tcase_add_test(tc, test_features_compute_sma);
	tcase_add_test(tc, test_features_compute_returns);
	tcase_add_test(tc, test_features_compute_vol);
	tcase_add_test(tc, test_features_compute_rsi);
	tcase_add_test(tc, test_features_compute_rsi_flat);
	tcase_add_test(tc, test_features_compute_volume);
	tcase_add_test(tc, test_features_compute_lag);
	tcase_add_test(tc, test_features_compute_calendar);
	suite_add_tcase(s, tc);
	tc = tcase_create("last");
	tcase_add_test(tc, test_features_last_equals_full);
	suite_add_tcase(s, tc);
	tc = tcase_create("target");
	tcase_add_test(tc, test_features_target_kinds);
	suite_add_tcase(s, tc);
	return s;
}
