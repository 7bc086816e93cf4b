/* SPDX-License-Identifier: ISC */
/*
 * sc_train: the walk-forward calibration end to end on sc-split tables.
 * A random walk (the synthetic source) must get lambda 0, the naive
 * forecast; an AR(1) in returns, which the lagged-return features can
 * predict, must get a clearly positive lambda and skill.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "sc_date.h"
#include "sc_features.h"
#include "sc_market.h"
#include "sc_rng.h"
#include "sc_split.h"
#include "sc_synth.h"
#include "sc_table.h"
#include "sc_train.h"
#include "sc_tune.h"

/* The training table sc-split makes of series s[0..n) (default features). */
static struct sc_table *
table_of(struct sc_series *s, size_t n, enum sc_target target)
{
	struct sc_split_opts so = { 0 };
	struct sc_err e = { 0 };
	struct sc_table *t;
	char *ohlcv = NULL, *train = NULL, *test = NULL;
	size_t nohlcv = 0, ntrain = 0, ntest = 0;
	FILE *fp, *tr, *te;

	fp = open_memstream(&ohlcv, &nohlcv);
	ck_assert_int_eq(sc_market_write(fp, s, n, &e), 0);
	fclose(fp);
	so.features = sc_features_parse(SC_FEATURES_DEFAULT, &e);
	so.target = target;
	fp = fmemopen(ohlcv, nohlcv, "r");
	tr = open_memstream(&train, &ntrain);
	te = open_memstream(&test, &ntest);
	ck_assert_msg(sc_split_run(fp, tr, te, &so, NULL, &e) == 0, "%s",
	    e.msg);
	fclose(fp);
	fclose(tr);
	fclose(te);
	sc_features_free((struct sc_features *)so.features);
	fp = fmemopen(train, ntrain, "r");
	t = sc_table_read(fp, NULL, &e);
	ck_assert_msg(t != NULL, "%s", e.msg);
	fclose(fp);
	free(ohlcv);
	free(train);
	free(test);
	return t;
}

static double
gauss(struct sc_rng *g)
{
	double u = sc_rng_double(g), v = sc_rng_double(g);

	if (u < 1e-300)
		u = 1e-300;
	return sqrt(-2 * log(u)) * cos(2 * M_PI * v);
}

/* ndays weekdays of closes whose log returns are AR(1) with phi. */
static void
ar1_series(struct sc_series *s, const char *ticker, uint64_t seed, double phi,
    size_t ndays)
{
	struct sc_err e = { 0 };
	struct sc_rng g;
	struct sc_bar b;
	long day = sc_date_from_ymd(2015, 1, 5);
	double c = 100, ret = 0;
	size_t i;

	memset(s, 0, sizeof(*s));
	snprintf(s->ticker, sizeof(s->ticker), "%s", ticker);
	sc_rng_seed(&g, seed, 0);
	for (i = 0; i < ndays; i++, day++) {
		if (sc_date_wday(day) == 6)
			day += 2;
		else if (sc_date_wday(day) == 0)
			day += 1;
		ret = phi * ret + 0.01 * gauss(&g);
		c *= exp(ret);
		b.day = day;
		b.open = b.high = b.low = b.close = b.adj_close = c;
		b.volume = 1000000 + (double)(i % 7) * 1000;
		ck_assert_int_eq(sc_series_add(s, &b, &e), 0);
	}
}

static void
small_forest(struct sc_train_opts *o)
{
	sc_train_defaults(o);
	o->forest.trees = 40;
	o->forest.min_samples_leaf = 20;
	o->forest.max_features.kind = SC_SHARE_FRAC;
	o->forest.max_features.value = 0.5;
}

START_TEST(test_train_random_walk_lambda_zero)
{
	static const char *const syms[] = { "RWA", "RWB" };
	struct sc_series s[2];
	struct sc_train_opts o;
	struct sc_err e = { 0 };
	struct sc_calib c;
	struct sc_forest *f;
	struct sc_table *t;
	uint64_t seed = (uint64_t)_i;
	int i;

	memset(s, 0, sizeof(s));
	for (i = 0; i < 2; i++)
		ck_assert_int_eq(sc_synth_series(syms[i], seed,
		                     sc_date_from_ymd(2018, 1, 1),
		                     sc_date_from_ymd(2023, 12, 31), &s[i], &e),
		    0);
	t = table_of(s, 2, SC_TARGET_LOGRET);
	small_forest(&o);
	f = sc_train(t, &o, &c, &e);
	ck_assert_msg(f != NULL, "%s", e.msg);
	ck_assert_msg(c.lambda == 0, "seed %d: lambda %g skill %g t %g",
	    (int)seed, c.lambda, c.skill, c.tstat);
	ck_assert(c.skill == 0);
	ck_assert_str_eq(c.vol_feature, "vol_20");
	ck_assert(c.vol_floor > 0);
	ck_assert_uint_gt(c.nscores, 1000);
	ck_assert_int_eq(c.folds, 5);
	ck_assert(sc_calib_quantile(&c, 0.9) > 0.5);
	sc_forest_free(f);
	sc_table_free(t);
	sc_series_free(&s[0]);
	sc_series_free(&s[1]);
}
END_TEST

START_TEST(test_train_ar1_lambda_positive)
{
	struct sc_series s[2];
	struct sc_train_opts o;
	struct sc_err e = { 0 };
	struct sc_calib c;
	struct sc_table *t;

	ar1_series(&s[0], "ARA", 1, 0.4, 1500);
	ar1_series(&s[1], "ARB", 2, 0.4, 1500);
	t = table_of(s, 2, SC_TARGET_LOGRET);
	small_forest(&o);
	ck_assert_msg(sc_train_calibrate(t, &o.forest, 5, 0, NULL, &c, &e) == 0,
	    "%s", e.msg);
	ck_assert_msg(c.lambda > 0.5, "lambda %g skill %g t %g", c.lambda,
	    c.skill, c.tstat);
	ck_assert_msg(c.skill > 0.05, "skill %g", c.skill);
	ck_assert(c.mse_served < c.mse_naive);
	ck_assert(c.tstat > SC_CALIB_TCRIT);
	sc_table_free(t);
	sc_series_free(&s[0]);
	sc_series_free(&s[1]);
}
END_TEST

/*
 * The close target: a forest predicting a price level cannot follow a
 * wandering price out of time, so the validation must not trust it; the
 * scores are in units of sigma x close.
 */
START_TEST(test_train_close_target)
{
	struct sc_series s[2];
	struct sc_train_opts o;
	struct sc_err e = { 0 };
	struct sc_calib c;
	struct sc_table *t;

	ar1_series(&s[0], "ARA", 1, 0.4, 1500);
	ar1_series(&s[1], "ARB", 2, 0.4, 1500);
	t = table_of(s, 2, SC_TARGET_CLOSE);
	small_forest(&o);
	ck_assert_msg(sc_train_calibrate(t, &o.forest, 5, 0, NULL, &c, &e) == 0,
	    "%s", e.msg);
	ck_assert(c.lambda == 0);
	ck_assert(c.mse_model > c.mse_naive);
	/* the naive forecast's RMSE in prices: that of close[t+1] - close[t] */
	{
		const double *y = sc_table_y(t);
		double sum = 0, d;
		size_t i;

		for (i = 0; i < sc_table_nrows(t); i++) {
			d = y[i] - sc_table_close(t, i);
			sum += d * d;
		}
		ck_assert_double_eq_tol(sc_train_naive_rmse(t),
		    sqrt(sum / (double)sc_table_nrows(t)), 1e-9);
		ck_assert(sc_train_naive_rmse(t) > 0.1);
	}
	/* |close change| / (close x vol_20) is of order 1, not of a price */
	ck_assert(
	    sc_calib_quantile(&c, 0.9) > 0.5 && sc_calib_quantile(&c, 0.9) < 5);
	sc_table_free(t);
	sc_series_free(&s[0]);
	sc_series_free(&s[1]);
}
END_TEST

START_TEST(test_train_no_validation)
{
	struct sc_series s;
	struct sc_train_opts o;
	struct sc_err e = { 0 };
	struct sc_calib c;
	struct sc_forest *f;
	struct sc_table *t;

	ar1_series(&s, "ARA", 1, 0.4, 400);
	t = table_of(&s, 1, SC_TARGET_LOGRET);
	small_forest(&o);
	o.folds = 0;
	f = sc_train(t, &o, &c, &e);
	ck_assert_ptr_nonnull(f);
	ck_assert(c.lambda == 0);
	ck_assert_uint_eq(c.nscores, 0);
	sc_forest_free(f);
	/* log-return target: the naive forecast is 0, its RMSE that of y */
	{
		const double *y = sc_table_y(t);
		double sum = 0;
		size_t i;

		for (i = 0; i < sc_table_nrows(t); i++)
			sum += y[i] * y[i];
		ck_assert_double_eq_tol(sc_train_naive_rmse(t),
		    sqrt(sum / (double)sc_table_nrows(t)), 1e-12);
		ck_assert(sc_train_naive_rmse(t) > 0.005 &&
		    sc_train_naive_rmse(t) < 0.05);
	}
	/* no such volatility column: sigma 1 */
	ck_assert(sc_train_calibrate(t, &o.forest, 3, 0, "vol_7", &c, &e) == 0);
	ck_assert_str_eq(c.vol_feature, "");
	ck_assert(sc_calib_sigma(&c, 0.5) == 1);
	/* too long a gap for the dates */
	ck_assert(
	    sc_train_calibrate(t, &o.forest, 5, 1000, NULL, &c, &e) == -1);
	ck_assert_int_eq(e.code, SC_EDATA);
	sc_table_free(t);
	sc_series_free(&s);
}
END_TEST

/*
 * The naive forecast's CV RMSE is the mean of its per-fold RMSEs on the
 * walk-forward folds, as a trial's value: checked against the folds
 * directly.
 */
START_TEST(test_train_naive_cv_rmse)
{
	struct sc_series s;
	struct sc_err e = { 0 };
	struct sc_table *t;
	struct sc_tune_folds *F;
	const size_t *tr, *va;
	size_t ntr, nva, j;
	double want = 0, sum, got;
	int i;

	ar1_series(&s, "ARA", 3, 0.0, 600);
	t = table_of(&s, 1, SC_TARGET_LOGRET);
	F = sc_tune_folds_make(t, 4, 2, &e);
	ck_assert_ptr_nonnull(F);
	for (i = 0; i < sc_tune_folds_n(F); i++) {
		sc_tune_folds_get(F, i, &tr, &ntr, &va, &nva);
		for (sum = 0, j = 0; j < nva; j++)
			sum += sc_table_y(t)[va[j]] * sc_table_y(t)[va[j]];
		want += sqrt(sum / (double)nva);
	}
	want /= sc_tune_folds_n(F);
	sc_tune_folds_free(F);
	got = sc_train_naive_cv_rmse(t, 4, 2, &e);
	ck_assert_double_eq_tol(got, want, 1e-15);
	ck_assert(got > 0.008 && got < 0.012); /* daily deviation 0.01 */
	/* too many folds for the dates: NaN and SC_EDATA */
	ck_assert(isnan(sc_train_naive_cv_rmse(t, 5, 1000, &e)));
	ck_assert_int_eq(e.code, SC_EDATA);
	sc_table_free(t);
	sc_series_free(&s);
}
END_TEST

START_TEST(test_train_naive)
{
	double naive, unit;

	sc_train_naive("target_close_1", 12.5, &naive, &unit);
	ck_assert(naive == 12.5 && unit == 12.5);
	sc_train_naive("target_logret_1", 12.5, &naive, &unit);
	ck_assert(naive == 0 && unit == 1);
}
END_TEST

Suite *
sc_train_suite(void)
{
	Suite *s = suite_create("train");
	TCase *tc;

	tc = tcase_create("calibrate");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_train_random_walk_lambda_zero, 1, 4);
	tcase_add_test(tc, test_train_ar1_lambda_positive);
	tcase_add_test(tc, test_train_close_target);
	tcase_add_test(tc, test_train_no_validation);
	tcase_add_test(tc, test_train_naive);
	tcase_add_test(tc, test_train_naive_cv_rmse);
	suite_add_tcase(s, tc);
	return s;
}
