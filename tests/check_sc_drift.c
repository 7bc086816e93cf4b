/* SPDX-License-Identifier: ISC */
/*
 * Drift statistics against hand-computed values, and the calibrated flags
 * on generated tables: a mean shift and a widened spread injected into two
 * columns are flagged, an unchanged column and an unchanged table are not.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <jansson.h>

#include "check_sc.h"
#include "sc_drift.h"
#include "sc_prom.h"
#include "sc_rng.h"

START_TEST(test_drift_stats_ks)
{
	const double a[] = { 1, 2, 3, 4 }, b[] = { 3, 4, 5, 6 };

	ck_assert_double_eq_tol(sc_drift_ks(a, 4, b, 4), 0.5, 1e-15);
	ck_assert_double_eq_tol(sc_drift_ks(a, 4, a, 4), 0, 1e-15);
	/* Disjoint samples: the statistic is 1. */
	ck_assert_double_eq_tol(sc_drift_ks(a, 2, b + 2, 2), 1, 1e-15);
}
END_TEST

START_TEST(test_drift_stats_wasserstein)
{
	const double a[] = { 0, 1 }, b[] = { 1, 2 }, c[] = { 0, 0, 3 };

	/* scipy.stats.wasserstein_distance([0,1],[1,2]) == 1.0 */
	ck_assert_double_eq_tol(sc_drift_wasserstein(a, 2, b, 2), 1, 1e-15);
	ck_assert_double_eq_tol(sc_drift_wasserstein(b, 2, b, 2), 0, 1e-15);
	/* ([0,1],[0,0,3]): |1/2-2/3| over [0,1] + |1-2/3| over [1,3] = 5/6 */
	ck_assert_double_eq_tol(sc_drift_wasserstein(a, 2, c, 3), 5.0 / 6,
	    1e-15);
}
END_TEST

START_TEST(test_drift_stats_psi)
{
	const double a[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 };
	const double b[] = { 0, 0, 1, 1 };
	double want;

	ck_assert_double_eq_tol(sc_drift_psi(a, 10, a, 10, 10), 0, 1e-15);
	/* Two bins cut at a[5] = 5: shares 0.6 and 0.4; b all in the first,
	 * its empty second bin gets the epsilon. */
	want = (1 - 0.6) * log(1 / 0.6) +
	    (SC_DRIFT_EPSILON - 0.4) * log(SC_DRIFT_EPSILON / 0.4);
	ck_assert_double_eq_tol(sc_drift_psi(a, 10, b, 4, 2), want, 1e-12);
}
END_TEST

static int
cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double normal(struct sc_rng *r);

/* The binary-search statistics equal the merges, ties included. */
START_TEST(test_drift_stats_fast)
{
	struct sc_rng r;
	double a[2000], b[60];
	long double cum[2001];
	size_t n, m, i, round;

	sc_rng_seed(&r, 42, 3);
	for (round = 0; round < 200; round++) {
		n = 1 + sc_rng_below(&r, 2000);
		m = 1 + sc_rng_below(&r, 60);
		for (i = 0; i < n; i++)
			a[i] = round % 2 ? floor(normal(&r) * 3) : normal(&r);
		for (i = 0; i < m; i++)
			b[i] = round % 2 ? floor(normal(&r) * 3 + 1)
			                 : normal(&r) * 2 + 0.5;
		qsort(a, n, sizeof(double), cmp_d);
		qsort(b, m, sizeof(double), cmp_d);
		cum[0] = 0;
		for (i = 0; i < n; i++)
			cum[i + 1] = cum[i] + a[i];
		ck_assert_double_eq_tol(sc_drift_ks_fast(a, n, b, m),
		    sc_drift_ks(a, n, b, m), 1e-12);
		ck_assert_double_eq_tol(sc_drift_wasserstein_fast(a, cum, n, b,
		                            m),
		    sc_drift_wasserstein(a, n, b, m), 1e-9);
	}
}
END_TEST

static double
normal(struct sc_rng *r)
{
	double u = sc_rng_double(r), v = sc_rng_double(r);

	return sqrt(-2 * log(1 - u)) * cos(2 * M_PI * v);
}

/*
 * A table of `days` dates of two tickers: columns same, shift, wide, all
 * N(0, 1), except that on the current rows shift has mean `mu` and wide
 * sd `sd`.
 */
static struct sc_table *
table(int first, int days, double mu, double sd, uint64_t seed)
{
	struct sc_table_opts o = { NULL, 1, 0 };
	struct sc_err e = { 0 };
	struct sc_table *t;
	struct sc_rng r;
	char *text = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);
	int d, k;

	sc_rng_seed(&r, seed, 1);
	fputs("date,ticker,same,shift,wide\n", fp);
	for (d = first; d < first + days; d++)
		for (k = 0; k < 2; k++)
			fprintf(fp, "2020-%02d-%02d,T%d,%.17g,%.17g,%.17g\n",
			    1 + d / 28, 1 + d % 28, k, normal(&r),
			    mu + normal(&r), sd * normal(&r));
	fclose(fp);
	fp = fmemopen(text, len, "r");
	t = sc_table_read(fp, &o, &e);
	ck_assert_msg(t != NULL, "%s", e.msg);
	fclose(fp);
	free(text);
	return t;
}

START_TEST(test_drift_flags_injected)
{
	struct sc_table *ref = table(0, 300, 0, 1, 7);
	struct sc_table *cur = table(300, 20, 1.5, 3, 8);
	struct sc_err e = { 0 };
	struct sc_drift *d = sc_drift_compute(ref, cur, NULL, &e);

	ck_assert_msg(d != NULL, "%s", e.msg);
	ck_assert_uint_eq(sc_drift_nfeatures(d), 3);
	ck_assert_str_eq(sc_drift_feature(d, 1), "shift");
	ck_assert_int_eq(sc_drift_drifted(d, 0), 0);
	ck_assert_int_eq(sc_drift_drifted(d, 1), 1);
	ck_assert_int_eq(sc_drift_drifted(d, 2), 1);
	ck_assert_double_eq_tol(sc_drift_share(d), 2.0 / 3, 1e-15);
	ck_assert(sc_drift_value(d, 1, SC_DRIFT_KS) >
	    sc_drift_threshold(d, 1, SC_DRIFT_KS));
	sc_drift_free(d);
	sc_table_free(ref);
	sc_table_free(cur);
}
END_TEST

START_TEST(test_drift_flags_none)
{
	struct sc_table *ref = table(0, 300, 0, 1, 7);
	struct sc_table *cur = table(300, 20, 0, 1, 8);
	struct sc_err e = { 0 };
	struct sc_drift *d = sc_drift_compute(ref, cur, NULL, &e);
	size_t j;

	ck_assert_msg(d != NULL, "%s", e.msg);
	for (j = 0; j < 3; j++)
		ck_assert_msg(!sc_drift_drifted(d, j), "%s flagged",
		    sc_drift_feature(d, j));
	ck_assert_double_eq(sc_drift_share(d), 0);
	sc_drift_free(d);
	sc_table_free(ref);
	sc_table_free(cur);
}
END_TEST

START_TEST(test_drift_json)
{
	struct sc_table *ref = table(0, 100, 0, 1, 7);
	struct sc_table *cur = table(100, 10, 0, 1, 8);
	struct sc_err e = { 0 };
	struct sc_drift *d = sc_drift_compute(ref, cur, NULL, &e);
	char *text = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);
	json_error_t je;
	json_t *j, *f;

	ck_assert_msg(d != NULL, "%s", e.msg);
	ck_assert_int_eq(sc_drift_write(d, fp, &e), 0);
	fclose(fp);
	j = json_loads(text, 0, &je);
	ck_assert_msg(j != NULL, "%s: %s", je.text, text);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "chunks")), 10);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "chunk_size")),
	    10);
	ck_assert_str_eq(json_string_value(json_object_get(j, "chunk_unit")),
	    "dates");
	ck_assert_int_eq(json_integer_value(json_object_get(j, "n_current")),
	    20);
	f = json_object_get(json_object_get(j, "features"), "wide");
	ck_assert(json_is_boolean(json_object_get(f, "drifted")));
	ck_assert(json_is_real(
	    json_object_get(json_object_get(f, "ks"), "threshold")));
	json_decref(j);
	free(text);
	sc_drift_free(d);
	sc_table_free(ref);
	sc_table_free(cur);
}
END_TEST

START_TEST(test_drift_json_model)
{
	struct sc_table *ref = table(0, 100, 0, 1, 7);
	struct sc_table *cur = table(100, 10, 0, 1, 8);
	struct sc_drift_opts o = { 0, "m/\"3\"", "2020-01-01", "2020-04-09" };
	struct sc_err e = { 0 };
	struct sc_drift *d = sc_drift_compute(ref, cur, &o, &e), *none;
	char *text = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);
	json_error_t je;
	json_t *j;

	ck_assert_msg(d != NULL, "%s", e.msg);
	ck_assert_int_eq(sc_drift_write(d, fp, &e), 0);
	fclose(fp);
	j = json_loads(text, 0, &je);
	ck_assert_msg(j != NULL, "%s: %s", je.text, text);
	ck_assert_str_eq(json_string_value(json_object_get(j, "model")),
	    "m/\"3\"");
	ck_assert_str_eq(json_string_value(json_object_get(j, "trained_from")),
	    "2020-01-01");
	ck_assert_str_eq(json_string_value(json_object_get(j, "trained_to")),
	    "2020-04-09");
	json_decref(j);
	free(text);
	sc_drift_free(d);
	/* Not a date, dates the wrong way round, a control character. */
	o.trained_to = "2020-02-30";
	ck_assert_ptr_null(none = sc_drift_compute(ref, cur, &o, &e));
	ck_assert_int_eq(e.code, SC_EUSAGE);
	ck_assert_ptr_nonnull(strstr(e.msg, "trained-to"));
	o.trained_to = "2019-12-31";
	ck_assert_ptr_null(none = sc_drift_compute(ref, cur, &o, &e));
	ck_assert_ptr_nonnull(strstr(e.msg, "is after"));
	o.trained_to = NULL;
	o.model = "m\n1";
	ck_assert_ptr_null(none = sc_drift_compute(ref, cur, &o, &e));
	ck_assert_ptr_nonnull(strstr(e.msg, "printable"));
	sc_table_free(ref);
	sc_table_free(cur);
}
END_TEST

START_TEST(test_drift_errors_short_reference)
{
	struct sc_table *ref = table(0, 50, 0, 1, 7);
	struct sc_table *cur = table(50, 20, 0, 1, 8);
	struct sc_err e = { 0 };

	/* 50 dates hold 2 chunks of 20: too few to calibrate. */
	ck_assert_ptr_null(sc_drift_compute(ref, cur, NULL, &e));
	ck_assert_int_eq(e.code, SC_EDATA);
	ck_assert_ptr_nonnull(
	    strstr(e.msg, "reference rows: 2 chunk(s) of 20 dates"));
	sc_table_free(ref);
	sc_table_free(cur);
}
END_TEST

START_TEST(test_drift_errors_missing_feature)
{
	struct sc_table_opts o = { NULL, 1, 0 };
	struct sc_table *ref = table(0, 100, 0, 1, 7), *cur;
	struct sc_err e = { 0 };
	FILE *fp = sc_test_str("date,ticker,same,shift\n2020-09-01,T0,1,2\n");

	cur = sc_table_read(fp, &o, &e);
	fclose(fp);
	ck_assert_ptr_nonnull(cur);
	ck_assert_ptr_null(sc_drift_compute(ref, cur, NULL, &e));
	ck_assert_int_eq(e.code, SC_EDATA);
	ck_assert_ptr_nonnull(strstr(e.msg, "wide"));
	sc_table_free(ref);
	sc_table_free(cur);
}
END_TEST

START_TEST(test_drift_prom)
{
	static const char good[] =
	    "{\"drift_share\": 0.5, \"features\": {\"ema_5\": "
	    "{\"drifted\": true, \"psi\": {\"value\": 1, \"threshold\": 2}, "
	    "\"ks\": {\"value\": 0.5, \"threshold\": null}, "
	    "\"wasserstein\": null}}}";
	static const char bad[] = "{\"drift_share\": \"x\"}";
	struct sc_err e = { 0 };
	struct sc_prom *p = sc_prom_create(&e);

	ck_assert_int_eq(sc_prom_from_json(p, good, sizeof(good) - 1, &e), 0);
	/* the share, psi's value and threshold, ks's value */
	ck_assert_uint_eq(sc_prom_count(p), 4);
	ck_assert_str_eq(sc_prom_label(p, 1, "feature"), "ema_5");
	ck_assert_str_eq(sc_prom_label(p, 1, "method"), "psi");
	sc_prom_free(p);
	p = sc_prom_create(&e);
	ck_assert_int_eq(sc_prom_from_json(p, bad, sizeof(bad) - 1, &e), -1);
	ck_assert_int_eq(e.code, SC_EDATA);
	sc_prom_free(p);
}
END_TEST

Suite *
sc_drift_suite(void)
{
	Suite *s = suite_create("drift");
	TCase *tc;

	tc = tcase_create("stats");
	tcase_add_test(tc, test_drift_stats_ks);
	tcase_add_test(tc, test_drift_stats_wasserstein);
	tcase_add_test(tc, test_drift_stats_psi);
	tcase_add_test(tc, test_drift_stats_fast);
	suite_add_tcase(s, tc);
	tc = tcase_create("flags");
	tcase_add_test(tc, test_drift_flags_injected);
	tcase_add_test(tc, test_drift_flags_none);
	tcase_add_test(tc, test_drift_json);
	tcase_add_test(tc, test_drift_json_model);
	tcase_add_test(tc, test_drift_prom);
	suite_add_tcase(s, tc);
	tc = tcase_create("errors");
	tcase_add_test(tc, test_drift_errors_short_reference);
	tcase_add_test(tc, test_drift_errors_missing_feature);
	suite_add_tcase(s, tc);
	return s;
}
