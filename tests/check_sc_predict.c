/* SPDX-License-Identifier: ISC */
/*
 * Predictions end to end inside one process: synthetic prices, sc-split's
 * tables, a fitted and reloaded model, then table and next-day forecasts.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "check_sc.h"
#include "sc_date.h"
#include "sc_features.h"
#include "sc_forest.h"
#include "sc_market.h"
#include "sc_model.h"
#include "sc_predict.h"
#include "sc_split.h"
#include "sc_synth.h"
#include "sc_table.h"
#include "sc_train.h"

struct fixture {
	char *ohlcv, *train, *test, *model;
	size_t nohlcv, ntrain, ntest, nmodel;
};

static struct fixture fx;

/* Two synthetic tickers for 2025, split, fitted, and the model written. */
static void
setup(void)
{
	struct sc_series s[2];
	struct sc_split_opts so = { 0 };
	struct sc_forest_params p;
	struct sc_err e = { 0 };
	struct sc_table *t;
	struct sc_forest *f;
	struct sc_model_meta meta = { 0 };
	FILE *fp, *in, *tr, *te;
	const char *syms[2] = { "AAA", "BBB" };
	int i;

	memset(&fx, 0, sizeof(fx));
	memset(s, 0, sizeof(s));
	for (i = 0; i < 2; i++)
		ck_assert_int_eq(sc_synth_series(syms[i], 3,
		                     sc_date_from_ymd(2025, 1, 1),
		                     sc_date_from_ymd(2025, 12, 31), &s[i], &e),
		    0);
	fp = open_memstream(&fx.ohlcv, &fx.nohlcv);
	ck_assert_int_eq(sc_market_write(fp, s, 2, &e), 0);
	fclose(fp);
	sc_series_free(&s[0]);
	sc_series_free(&s[1]);

	so.features = sc_features_parse(SC_FEATURES_DEFAULT, &e);
	so.target = SC_TARGET_LOGRET;
	so.test_days = 30;
	in = fmemopen(fx.ohlcv, fx.nohlcv, "r");
	tr = open_memstream(&fx.train, &fx.ntrain);
	te = open_memstream(&fx.test, &fx.ntest);
	ck_assert_int_eq(sc_split_run(in, tr, te, &so, NULL, &e), 0);
	fclose(in);
	fclose(tr);
	fclose(te);
	sc_features_free((struct sc_features *)so.features);

	in = fmemopen(fx.train, fx.ntrain, "r");
	t = sc_table_read(in, NULL, &e);
	ck_assert_msg(t != NULL, "%s", e.msg);
	fclose(in);
	sc_forest_defaults(&p);
	p.trees = 30;
	p.min_samples_leaf = 5;
	f = sc_forest_fit(&p, t, &e);
	ck_assert_msg(f != NULL, "%s", e.msg);
	meta.rows = sc_table_nrows(t);
	fp = open_memstream(&fx.model, &fx.nmodel);
	ck_assert_int_eq(sc_model_write(fp, f, &meta, NULL, 1, &e), 0);
	fclose(fp);
	sc_forest_free(f);
	sc_table_free(t);
}

static void
teardown(void)
{
	free(fx.ohlcv);
	free(fx.train);
	free(fx.test);
	free(fx.model);
}

/*
 * Replace the fixture's model by one fitted with sc_train and carrying its
 * calibration; lambda, when >= 0, overrides the fitted one.
 */
static struct sc_calib fx_cal; /* what calibrate() wrote */

static void
calibrate(double lambda)
{
	struct sc_err e = { 0 };
	struct sc_train_opts o;
	struct sc_model_meta meta = { 0 };
	struct sc_calib c;
	struct sc_table *t;
	struct sc_forest *f;
	json_t *extra;
	FILE *fp = fmemopen(fx.train, fx.ntrain, "r");

	t = sc_table_read(fp, NULL, &e);
	fclose(fp);
	ck_assert_ptr_nonnull(t);
	sc_train_defaults(&o);
	o.forest.trees = 30;
	o.forest.min_samples_leaf = 5;
	f = sc_train(t, &o, &c, &e);
	ck_assert_msg(f != NULL, "%s", e.msg);
	ck_assert_uint_gt(c.nscores, 0);
	ck_assert_str_eq(c.vol_feature, "vol_20");
	if (lambda >= 0)
		c.lambda = lambda;
	fx_cal = c;
	extra = json_object();
	json_object_set_new(extra, "calibration", sc_calib_to_json(&c));
	meta.rows = sc_table_nrows(t);
	sc_table_dates(t, &meta.date_from, &meta.date_to);
	free(fx.model);
	fp = open_memstream(&fx.model, &fx.nmodel);
	ck_assert_int_eq(sc_model_write(fp, f, &meta, extra, 1, &e), 0);
	fclose(fp);
	json_decref(extra);
	sc_forest_free(f);
	sc_table_free(t);
}

static struct sc_model *
load(void)
{
	struct sc_err e = { 0 };
	FILE *fp = fmemopen(fx.model, fx.nmodel, "r");
	struct sc_model *m = sc_model_read(fp, &e);

	ck_assert_msg(m != NULL, "%s", e.msg);
	fclose(fp);
	return m;
}

/* Run a prediction over text; return the output (caller frees) or NULL. */
static char *
run(int next, const char *text, size_t n, double interval, struct sc_err *e)
{
	struct sc_predict_opts o = { interval, 1, "m1", SC_PREDICT_CONFORMAL,
		0 };
	struct sc_model *m = load();
	FILE *in = fmemopen((void *)text, n, "r");
	char *out = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&out, &len);
	int rc;

	rc = next ? sc_predict_next(m, in, fp, &o, e)
	          : sc_predict_table(m, in, fp, &o, e);
	fclose(fp);
	fclose(in);
	sc_model_free(m);
	if (rc == -1) {
		free(out);
		return NULL;
	}
	return out;
}

static size_t
lines(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		n += *s == '\n';
	return n;
}

START_TEST(test_predict_table_rows)
{
	struct sc_err e = { 0 };
	char *out = run(0, fx.test, fx.ntest, 0.9, &e);
	char asof[16], day[16], tk[16], model[16], src[16];
	double c, pred, act, lo, hi;
	const char *row;

	ck_assert_msg(out != NULL, "%s", e.msg);
	ck_assert_uint_eq(lines(out), 61);
	ck_assert(strncmp(out,
	              "asof,date,ticker,close,predicted_close,"
	              "actual_close,lower,upper,model,source\n",
	              74) == 0);
	row = strchr(out, '\n') + 1;
	ck_assert_int_eq(sscanf(row,
	                     "%10[^,],%10[^,],%3[^,],%lf,%lf,%lf,%lf,%lf,"
	                     "%15[^,],%15s",
	                     asof, day, tk, &c, &pred, &act, &lo, &hi, model,
	                     src),
	    10);
	ck_assert_str_eq(tk, "AAA");
	ck_assert_str_eq(model, "m1");
	/* no calibration in this model: the forest's forecast is served */
	ck_assert_str_eq(src, "model");
	ck_assert(strcmp(day, asof) > 0);
	ck_assert(lo <= pred && pred <= hi);
	/* The realised close has at most 2 decimals, like the prices. */
	ck_assert_double_eq(act, round(act * 100) / 100);
	free(out);
}
END_TEST

START_TEST(test_predict_next_equals_table)
{
	struct sc_err e = { 0 };
	char *next, *table, *cut, *p;
	const char *last_test_row;
	size_t n;

	/* Cut the history after the last test day of AAA (its last row
	 * minus one), so --next must give the table's forecast for it. */
	p = strstr(fx.ohlcv, "\n2025-12-31,AAA,");
	ck_assert_ptr_nonnull(p);
	n = (size_t)(p - fx.ohlcv) + 1;
	cut = strndup(fx.ohlcv, n);
	next = run(1, cut, n, 0, &e);
	ck_assert_msg(next != NULL, "%s", e.msg);
	table = run(0, fx.test, fx.ntest, 0, &e);
	ck_assert_ptr_nonnull(table);
	last_test_row = strstr(table, "\n2025-12-30,2025-12-31,AAA,");
	ck_assert_ptr_nonnull(last_test_row);
	last_test_row++;
	p = strchr(next, '\n') + 1;
	/* Same asof, day, ticker, close and prediction; actual empty in
	 * next. */
	ck_assert(strncmp(p, last_test_row, 26) == 0);
	{
		double a = 0, b = 0;

		ck_assert_int_eq(sscanf(p, "%*[^,],%*[^,],%*[^,],%*[^,],%lf",
		                     &a),
		    1);
		ck_assert_int_eq(sscanf(last_test_row,
		                     "%*[^,],%*[^,],%*[^,],%*[^,],%lf", &b),
		    1);
		ck_assert(a == b);
	}
	free(cut);
	free(next);
	free(table);
}
END_TEST

START_TEST(test_predict_errors_missing_columns)
{
	struct sc_err e = { 0 };
	const char *text = "date,ticker,close,ema_5\n2025-01-02,AAA,1,1\n";

	ck_assert_ptr_null(run(0, text, strlen(text), 0, &e));
	ck_assert_int_eq(e.code, SC_EDATA);
	ck_assert_ptr_nonnull(strstr(e.msg, "lacks 16 of the model's 17"));
	ck_assert_ptr_nonnull(strstr(e.msg, "\"ema_10\""));
	ck_assert_ptr_nonnull(strstr(e.msg, " more"));
	ck_assert_ptr_null(strstr(e.msg, "\"ema_5\""));
}
END_TEST

START_TEST(test_predict_errors_next_short_history)
{
	struct sc_err e = { 0 };
	const char *text = "date,ticker,open,high,low,close,adj_close,volume\n"
	                   "2025-01-02,AAA,1,1,1,1,1,10\n";

	ck_assert_ptr_null(run(1, text, strlen(text), 0, &e));
	ck_assert_int_eq(e.code, SC_EDATA);
	ck_assert_ptr_nonnull(strstr(e.msg, "AAA: 1 days of history"));
}
END_TEST

/* Field k (0-based) of a CSV row as a double, or the text into buf. */
static double
field(const char *row, int k, char *buf, size_t n)
{
	size_t len;

	for (; k > 0; k--)
		row = strchr(row, ',') + 1;
	len = strcspn(row, ",\n");
	snprintf(buf, n, "%.*s", (int)len, row);
	return strtod(buf, NULL);
}

/* With lambda 0 every forecast is the naive one, exactly: the close. */
START_TEST(test_predict_calibrated_lambda_zero_is_naive)
{
	struct sc_err e = { 0 };
	char *out, *row, buf[64];
	size_t rows = 0;

	calibrate(-1);
	out = run(0, fx.test, fx.ntest, 0.9, &e);
	ck_assert_msg(out != NULL, "%s", e.msg);
	/* the synthetic prices are a random walk: nothing to predict */
	for (row = strchr(out, '\n') + 1; *row != '\0';
	     row = strchr(row, '\n') + 1, rows++) {
		double c = field(row, 3, buf, sizeof(buf));

		ck_assert(field(row, 4, buf, sizeof(buf)) == c);
		ck_assert(field(row, 6, buf, sizeof(buf)) < c);
		ck_assert(field(row, 7, buf, sizeof(buf)) > c);
		field(row, 9, buf, sizeof(buf));
		ck_assert_str_eq(buf, "naive");
	}
	ck_assert_uint_eq(rows, 60);
	free(out);
	out = run(1, fx.ohlcv, fx.nohlcv, 0.9, &e);
	ck_assert_msg(out != NULL, "%s", e.msg);
	row = strchr(out, '\n') + 1;
	ck_assert(
	    field(row, 4, buf, sizeof(buf)) == field(row, 3, buf, sizeof(buf)));
	field(row, 9, buf, sizeof(buf));
	ck_assert_str_eq(buf, "naive");
	free(out);
}
END_TEST

/* lambda 0.5 halves the model's predicted log return. */
START_TEST(test_predict_calibrated_shrinks)
{
	struct sc_err e = { 0 };
	char *raw, *half, *r1, *r2, buf[64];
	double c, p1, p2;

	raw = run(0, fx.test, fx.ntest, 0, &e);
	ck_assert_ptr_nonnull(raw);
	calibrate(0.5);
	half = run(0, fx.test, fx.ntest, 0, &e);
	ck_assert_msg(half != NULL, "%s", e.msg);
	r1 = strchr(raw, '\n') + 1;
	r2 = strchr(half, '\n') + 1;
	c = field(r1, 3, buf, sizeof(buf));
	p1 = field(r1, 4, buf, sizeof(buf));
	p2 = field(r2, 4, buf, sizeof(buf));
	ck_assert(p1 != c);
	ck_assert_double_eq_tol(log(p2 / c), 0.5 * log(p1 / c), 1e-9);
	field(r2, 9, buf, sizeof(buf));
	ck_assert_str_eq(buf, "model");
	free(raw);
	free(half);
}
END_TEST

/* ACI moves the level: after replayed days the band differs. */
START_TEST(test_predict_calibrated_aci_replay)
{
	struct sc_err e = { 0 };
	struct sc_predict_opts o = { 0.9, 1, "m1", SC_PREDICT_CONFORMAL, 0 };
	char *out[3] = { NULL, NULL, NULL }, buf[64];
	double w[3];
	int k;

	calibrate(0);
	for (k = 0; k < 3; k++) {
		struct sc_model *m = load();
		FILE *in = fmemopen(fx.ohlcv, fx.nohlcv, "r");
		size_t len = 0;
		FILE *fp = open_memstream(&out[k], &len);
		const char *row;

		o.no_aci = k == 1;
		o.method = k == 2 ? SC_PREDICT_QUANTILE : SC_PREDICT_CONFORMAL;
		ck_assert_int_eq(sc_predict_next(m, in, fp, &o, &e), 0);
		fclose(fp);
		fclose(in);
		sc_model_free(m);
		row = strchr(out[k], '\n') + 1;
		w[k] = field(row, 7, buf, sizeof(buf)) -
		    field(row, 6, buf, sizeof(buf));
		ck_assert(w[k] > 0);
		free(out[k]);
	}
	ck_assert(w[0] != w[1]);
	ck_assert(w[1] != w[2]);
}
END_TEST

/*
 * --next computes the volatility (vol_20) exactly as the feature table
 * has it: at a fixed level (no ACI) the band of the last test day is the
 * same from the history cut after that day as from the table.
 */
START_TEST(test_predict_calibrated_next_band_equals_table)
{
	struct sc_err e = { 0 };
	struct sc_predict_opts o = { 0.9, 1, "m1", SC_PREDICT_CONFORMAL, 1 };
	char *out[2] = { NULL, NULL }, buf[64];
	const char *row[2];
	const char *p = strstr(fx.ohlcv, "\n2025-12-31,AAA,");
	size_t n, len;
	int k;

	ck_assert_ptr_nonnull(p);
	n = (size_t)(p - fx.ohlcv) + 1;
	calibrate(0.5);
	for (k = 0; k < 2; k++) {
		struct sc_model *m = load();
		FILE *in = k == 0 ? fmemopen(fx.ohlcv, n, "r")
		                  : fmemopen(fx.test, fx.ntest, "r");
		FILE *fp = open_memstream(&out[k], &len);

		ck_assert_int_eq(k == 0 ? sc_predict_next(m, in, fp, &o, &e)
		                        : sc_predict_table(m, in, fp, &o, &e),
		    0);
		fclose(fp);
		fclose(in);
		sc_model_free(m);
	}
	row[0] = strstr(out[0], "\n2025-12-30,2025-12-31,AAA,");
	row[1] = strstr(out[1], "\n2025-12-30,2025-12-31,AAA,");
	ck_assert_ptr_nonnull(row[0]);
	ck_assert_ptr_nonnull(row[1]);
	for (k = 4; k <= 7; k++)
		if (k != 5) /* actual_close: empty with --next */
			ck_assert(field(row[0] + 1, k, buf, sizeof(buf)) ==
			    field(row[1] + 1, k, buf, sizeof(buf)));
	/* the band is not the plain one: sigma moved it off width 0 */
	ck_assert(field(row[0] + 1, 7, buf, sizeof(buf)) >
	    field(row[0] + 1, 6, buf, sizeof(buf)));
	free(out[0]);
	free(out[1]);
}
END_TEST

/* The calibration survives the model file bit for bit. */
START_TEST(test_predict_calibrated_roundtrip)
{
	struct sc_err e = { 0 };
	struct sc_calib c;
	struct sc_model *m;

	calibrate(0.25);
	m = load();
	ck_assert_int_eq(sc_calib_from_extra(sc_model_extra(m), &c, &e), 1);
	ck_assert(memcmp(&c, &fx_cal, sizeof(c)) == 0);
	ck_assert(c.lambda == 0.25);
	sc_model_free(m);
}
END_TEST

/* A tampered calibration is refused by the model reader. */
START_TEST(test_predict_calibrated_tampered)
{
	struct sc_err e = { 0 };
	char *p;
	FILE *fp;

	calibrate(0);
	p = strstr(fx.model, "\"lambda\":0.0");
	ck_assert_ptr_nonnull(p);
	memcpy(p, "\"lambda\":7.0", 12);
	fp = fmemopen(fx.model, fx.nmodel, "r");
	ck_assert_ptr_null(sc_model_read(fp, &e));
	fclose(fp);
	ck_assert_int_eq(e.code, SC_EDATA);
	ck_assert_ptr_nonnull(strstr(e.msg, "lambda"));
}
END_TEST

Suite *
sc_predict_suite(void)
{
	Suite *s = suite_create("predict");
	TCase *tc;

	tc = tcase_create("table");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_predict_table_rows);
	tcase_add_test(tc, test_predict_next_equals_table);
	suite_add_tcase(s, tc);
	tc = tcase_create("calibrated");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_predict_calibrated_lambda_zero_is_naive);
	tcase_add_test(tc, test_predict_calibrated_shrinks);
	tcase_add_test(tc, test_predict_calibrated_aci_replay);
	tcase_add_test(tc, test_predict_calibrated_next_band_equals_table);
	tcase_add_test(tc, test_predict_calibrated_tampered);
	tcase_add_test(tc, test_predict_calibrated_roundtrip);
	suite_add_tcase(s, tc);
	tc = tcase_create("errors");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_predict_errors_missing_columns);
	tcase_add_test(tc, test_predict_errors_next_short_history);
	suite_add_tcase(s, tc);
	return s;
}
