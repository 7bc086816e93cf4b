/* SPDX-License-Identifier: ISC */
/* Forecast metrics against hand-computed values. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <jansson.h>

#include "check_sc.h"
#include "sc_metrics.h"

/* Run the CSV text through the metrics and parse the JSON they write. */
static json_t *
metrics_of(const char *csv, struct sc_err *e)
{
	struct sc_metrics *m = sc_metrics_new(e);
	FILE *in = sc_test_str(csv);
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	json_error_t je;
	json_t *j = NULL;

	if (sc_metrics_read(m, in, e) == 0) {
		ck_assert_int_eq(sc_metrics_write(m, out, e), 0);
		fflush(out);
		j = json_loads(text, 0, &je);
		ck_assert_msg(j != NULL, "bad JSON: %s: %s", je.text, text);
	}
	fclose(out);
	free(text);
	fclose(in);
	sc_metrics_free(m);
	return j;
}

static double
num(json_t *obj, const char *path)
{
	char key[64], *dot;
	json_t *v;

	snprintf(key, sizeof(key), "%s", path);
	while ((dot = strchr(key, '/')) != NULL) {
		*dot = '\0';
		obj = json_object_get(obj, key);
		memmove(key, dot + 1, strlen(dot + 1) + 1);
	}
	v = json_object_get(obj, key);
	ck_assert_msg(v != NULL, "no %s", path);
	return json_is_null(v) ? NAN : json_number_value(v);
}

START_TEST(test_metrics_values_hand)
{
	/*
	 * AAPL: errors +2 and -1; naive errors -2 and +3; directions: up/up
	 * (hit), down/up (miss).  MSFT: error 0.5, naive 1, down/down.
	 */
	const char *csv =
	    "asof,ticker,close,predicted_close,actual_close,lower,upper,model\n"
	    "2025-01-02,AAPL,100,104,102,101,103,m\n"
	    "2025-01-03,AAPL,102,101,105,,,m\n"
	    "2025-01-06,AAPL,105,106,,,,m\n"
	    "2025-01-02,MSFT,50,49.5,49,49.2,50,m\n";
	struct sc_err e = { 0 };
	json_t *j = metrics_of(csv, &e);

	ck_assert_ptr_nonnull(j);
	ck_assert_double_eq(num(j, "n"), 3);
	ck_assert_double_eq(num(j, "skipped"), 1);
	ck_assert_double_eq_tol(num(j, "rmse"), sqrt((4 + 16 + 0.25) / 3.0),
	    1e-15);
	ck_assert_double_eq_tol(num(j, "mae"), (2 + 4 + 0.5) / 3.0, 1e-15);
	ck_assert_double_eq_tol(num(j, "mape"),
	    (2 / 102.0 + 4 / 105.0 + 0.5 / 49) / 3, 1e-15);
	ck_assert_double_eq_tol(num(j, "directional_accuracy"), 2 / 3.0, 1e-15);
	ck_assert_double_eq_tol(num(j, "naive_rmse"), sqrt((4 + 9 + 1) / 3.0),
	    1e-15);
	ck_assert_double_eq_tol(num(j, "skill"),
	    1 - sqrt(20.25 / 3) / sqrt(14 / 3.0), 1e-15);
	ck_assert_double_eq_tol(num(j, "interval_coverage"), 0.5, 1e-15);
	ck_assert_double_eq(num(j, "tickers/AAPL/n"), 2);
	ck_assert_double_eq(num(j, "tickers/AAPL/skipped"), 1);
	ck_assert_double_eq_tol(num(j, "tickers/AAPL/rmse"), sqrt(10), 1e-15);
	ck_assert_double_eq_tol(num(j, "tickers/MSFT/skill"), 0.5, 1e-15);
	ck_assert_str_eq(json_string_value(json_object_get(j, "model")), "m");
	json_decref(j);
}
END_TEST

START_TEST(test_metrics_values_dm_interval)
{
	/*
	 * The rows of test_metrics_values_hand.  Loss differentials e^2 -
	 * e_naive^2: 4 - 4 = 0, 16 - 9 = 7, 0.25 - 1 = -0.75.  Intervals:
	 * [101, 103] holds 102 (score = width 2); [49.2, 50] misses 49 by
	 * 0.2: 0.8 + 2 / 0.1 * 0.2 = 4.8.
	 */
	const char *csv =
	    "asof,ticker,close,predicted_close,actual_close,lower,upper,model\n"
	    "2025-01-02,AAPL,100,104,102,101,103,m\n"
	    "2025-01-03,AAPL,102,101,105,,,m\n"
	    "2025-01-06,AAPL,105,106,,,,m\n"
	    "2025-01-02,MSFT,50,49.5,49,49.2,50,m\n";
	struct sc_err e = { 0 };
	json_t *j = metrics_of(csv, &e);
	double mean = 6.25 / 3, var, dm, cdf;

	var = ((0 - mean) * (0 - mean) + (7 - mean) * (7 - mean) +
	          (-0.75 - mean) * (-0.75 - mean)) /
	    3;
	dm = mean / sqrt(var / 3) * sqrt(2 / 3.0);
	/* Student's t with 2 degrees of freedom has a closed form. */
	cdf = 0.5 + dm / (2 * sqrt(2 + dm * dm));
	ck_assert_ptr_nonnull(j);
	ck_assert_double_eq_tol(dm, 0.84419, 1e-4);
	ck_assert_double_eq_tol(num(j, "dm_stat"), dm, 1e-12);
	ck_assert_double_eq_tol(num(j, "dm_pvalue_better"), cdf, 1e-12);
	ck_assert_double_eq_tol(num(j, "dm_pvalue"), 2 * (1 - cdf), 1e-12);
	ck_assert_double_eq_tol(num(j, "interval_coverage"), 0.5, 1e-15);
	ck_assert_double_eq_tol(num(j, "interval_width"), 1.4, 1e-12);
	ck_assert_double_eq_tol(num(j, "interval_score"), 3.4, 1e-12);
	ck_assert_double_eq_tol(num(j, "interval_level"), 0.9, 1e-15);
	ck_assert_double_eq_tol(num(j, "tickers/MSFT/interval_score"), 4.8,
	    1e-12);
	/* Fewer than 3 differentials: no test. */
	ck_assert(isnan(num(j, "tickers/AAPL/dm_stat")));
	ck_assert(isnan(num(j, "tickers/MSFT/dm_pvalue")));
	json_decref(j);
}
END_TEST

START_TEST(test_metrics_values_level)
{
	struct sc_metrics *m = sc_metrics_new(NULL);
	struct sc_err e = { 0 };
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	json_t *j;

	ck_assert_int_eq(sc_metrics_set_level(m, 1, &e), -1);
	ck_assert_int_eq(e.code, SC_EUSAGE);
	ck_assert_int_eq(sc_metrics_set_level(m, 0.5, &e), 0);
	/* A miss by 1 at level 0.5 costs 2 / 0.5 = 4 beside width 2. */
	ck_assert_int_eq(sc_metrics_add(m, "A", 10, 10, 12, 9, 11, &e), 0);
	ck_assert_int_eq(sc_metrics_write(m, out, &e), 0);
	fclose(out);
	j = json_loads(text, 0, NULL);
	ck_assert_double_eq_tol(num(j, "interval_score"), 6, 1e-12);
	ck_assert_double_eq_tol(num(j, "interval_coverage"), 0, 1e-15);
	json_decref(j);
	free(text);
	sc_metrics_free(m);
}
END_TEST

START_TEST(test_metrics_values_t_cdf)
{
	double t;

	/* Closed forms: df 1 is Cauchy, df 2 is t / (2 sqrt(2 + t^2)). */
	for (t = -6; t <= 6; t += 0.75) {
		ck_assert_double_eq_tol(sc_metrics_t_cdf(t, 1),
		    0.5 + atan(t) / M_PI, 1e-12);
		ck_assert_double_eq_tol(sc_metrics_t_cdf(t, 2),
		    0.5 + t / (2 * sqrt(2 + t * t)), 1e-12);
	}
	/* Tables: t(10) 0.975 quantile 2.228139, t(30) 0.95 is 1.697261. */
	ck_assert_double_eq_tol(sc_metrics_t_cdf(2.228139, 10), 0.975, 1e-6);
	ck_assert_double_eq_tol(sc_metrics_t_cdf(-1.697261, 30), 0.05, 1e-6);
	/* Large df: the normal, 1.959964 -> 0.975. */
	ck_assert_double_eq_tol(sc_metrics_t_cdf(1.959964, 1e7), 0.975, 1e-6);
	ck_assert(isnan(sc_metrics_t_cdf(NAN, 3)));
	ck_assert(isnan(sc_metrics_t_cdf(1, 0)));
}
END_TEST

START_TEST(test_metrics_values_generic)
{
	/* A generic table: no close, so no naive baseline and no skill. */
	struct sc_err e = { 0 };
	json_t *j = metrics_of("id,predicted,actual\n1,1,2\n2,3,1\n", &e);

	ck_assert_ptr_nonnull(j);
	ck_assert_double_eq_tol(num(j, "rmse"), sqrt(2.5), 1e-15);
	ck_assert(isnan(num(j, "naive_rmse")));
	ck_assert(isnan(num(j, "skill")));
	ck_assert(isnan(num(j, "directional_accuracy")));
	ck_assert_int_eq(json_object_size(json_object_get(j, "tickers")), 0);
	json_decref(j);
}
END_TEST

START_TEST(test_metrics_values_mixed_models)
{
	struct sc_err e = { 0 };
	json_t *j = metrics_of("ticker,predicted,actual,model\n"
	                       "A,1,1,x\nA,1,1,y\n",
	    &e);

	ck_assert_str_eq(json_string_value(json_object_get(j, "model")),
	    "mixed");
	json_decref(j);
}
END_TEST

START_TEST(test_metrics_errors_bad_cell)
{
	struct sc_err e = { 0 };

	ck_assert_ptr_null(metrics_of("ticker,close,predicted_close,"
	                              "actual_close\nA,1,2,3\nA,1,x2,3\n",
	    &e));
	ck_assert_int_eq(e.code, SC_EDATA);
	ck_assert_int_eq(e.line, 3);
	ck_assert_str_eq(e.msg,
	    "column \"predicted_close\": not a number: \"x2\"");
	ck_assert_ptr_null(metrics_of("ticker,predicted_close\nA,1\n", &e));
	ck_assert_ptr_nonnull(strstr(e.msg, "actual_close"));
	ck_assert_ptr_null(metrics_of("ticker,predicted,actual\nA,,3\n", &e));
	ck_assert_ptr_nonnull(strstr(e.msg, "empty prediction"));
	ck_assert_ptr_null(metrics_of("a,b\n1\n", &e));
}
END_TEST

/* tests/bad-input: a date that is no date is bad input, not a label. */
START_TEST(test_metrics_errors_bad_date)
{
	struct sc_err e = { 0 };
	json_t *j;

	ck_assert_ptr_null(metrics_of("asof,ticker,close,predicted_close,"
	                              "actual_close\n2025-01-02,A,1,2,3\n"
	                              "2025-13-45,A,1,2,3\n",
	    &e));
	ck_assert_int_eq(e.code, SC_EDATA);
	ck_assert_int_eq(e.line, 3);
	ck_assert_str_eq(e.msg,
	    "column \"asof\": not a date (want YYYY-MM-DD): \"2025-13-45\"");
	j = metrics_of("date,predicted,actual\n,1,2\n2025-01-02,1,2\n", &e);
	ck_assert_ptr_nonnull(j);
	json_decref(j);
}
END_TEST

Suite *
sc_metrics_suite(void)
{
	Suite *s = suite_create("metrics");
	TCase *tc;

	tc = tcase_create("values");
	tcase_add_test(tc, test_metrics_values_hand);
	tcase_add_test(tc, test_metrics_values_dm_interval);
	tcase_add_test(tc, test_metrics_values_level);
	tcase_add_test(tc, test_metrics_values_t_cdf);
	tcase_add_test(tc, test_metrics_values_generic);
	tcase_add_test(tc, test_metrics_values_mixed_models);
	suite_add_tcase(s, tc);
	tc = tcase_create("errors");
	tcase_add_test(tc, test_metrics_errors_bad_cell);
	tcase_add_test(tc, test_metrics_errors_bad_date);
	suite_add_tcase(s, tc);
	return s;
}
