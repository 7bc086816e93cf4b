/* SPDX-License-Identifier: ISC */
/*
 * Prometheus text format: names, escaping, writing, parsing and refusing
 * bad text, the metrics JSON and predictions CSV converters, detection.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "sc_prom.h"

/* Parse text into a new set and write it back; NULL with *e on failure. */
static char *
roundtrip(const char *text, enum sc_prom_input fmt, struct sc_err *e)
{
	struct sc_prom *p = sc_prom_create(e);
	struct sc_buf b = { 0 };

	ck_assert_ptr_nonnull(p);
	if (sc_prom_load(p, text, strlen(text), fmt, e) == -1 ||
	    sc_prom_write(p, &b, NULL, NULL, NULL, e) == -1) {
		sc_prom_free(p);
		sc_buf_free(&b);
		return NULL;
	}
	sc_prom_free(p);
	return b.data != NULL ? b.data : strdup("");
}

/* Expect text to be refused with SC_EDATA on line (0: any line). */
static void
refused(const char *text, long line, const char *needle)
{
	struct sc_err e = { 0 };
	char *out = roundtrip(text, SC_PROM_IN_TEXT, &e);

	ck_assert_msg(out == NULL, "accepted: %s", text);
	ck_assert_int_eq(e.code, SC_EDATA);
	if (line > 0)
		ck_assert_int_eq(e.line, line);
	ck_assert_msg(strstr(e.msg, needle) != NULL, "message \"%s\" lacks %s",
	    e.msg, needle);
}

START_TEST(test_prom_names_valid)
{
	ck_assert(sc_prom_name_ok("stockcast_rmse"));
	ck_assert(sc_prom_name_ok("a:b_c9"));
	ck_assert(sc_prom_name_ok("_x"));
	ck_assert(!sc_prom_name_ok(""));
	ck_assert(!sc_prom_name_ok("9a"));
	ck_assert(!sc_prom_name_ok("a-b"));
	ck_assert(!sc_prom_name_ok("a b"));
	ck_assert(!sc_prom_name_ok("é"));
	ck_assert(sc_prom_label_ok("ticker"));
	ck_assert(sc_prom_label_ok("_t"));
	ck_assert(!sc_prom_label_ok("__name__"));
	ck_assert(!sc_prom_label_ok("a:b"));
	ck_assert(!sc_prom_label_ok("1a"));
	ck_assert(!sc_prom_label_ok(""));
}
END_TEST

START_TEST(test_prom_write_escaping)
{
	struct sc_err e = { 0 };
	struct sc_prom *p = sc_prom_create(&e);
	struct sc_buf b = { 0 };
	const char *lab[] = { "z", "a\\b\"c\nd", "a", "x", NULL };

	ck_assert_int_eq(sc_prom_family(p, "m", SC_PROM_GAUGE,
	                     "back\\slash\nnew \"q\"", &e),
	    0);
	ck_assert_int_eq(sc_prom_add(p, "m", lab, 0.1, &e), 0);
	ck_assert_int_eq(sc_prom_add(p, "m", NULL, NAN, &e), 0);
	ck_assert_int_eq(sc_prom_add(p, "u", NULL, -INFINITY, &e), 0);
	ck_assert_int_eq(sc_prom_write(p, &b, NULL, NULL, NULL, &e), 0);
	ck_assert_str_eq(b.data,
	    "# HELP m back\\\\slash\\nnew \"q\"\n"
	    "# TYPE m gauge\n"
	    "m{a=\"x\",z=\"a\\\\b\\\"c\\nd\"} 0.1\n"
	    "m NaN\n"
	    "# TYPE u untyped\n"
	    "u -Inf\n");
	sc_buf_free(&b);
	sc_prom_free(p);
}
END_TEST

static int
keep_ticker(const struct sc_prom *p, size_t i, void *arg)
{
	const char *t = sc_prom_label(p, i, "ticker");

	return t != NULL && strcmp(t, arg) == 0;
}

START_TEST(test_prom_write_filter)
{
	struct sc_err e = { 0 };
	struct sc_prom *p = sc_prom_create(&e);
	struct sc_buf b = { 0 };
	const char *a[] = { "ticker", "A", "k", "1", NULL };
	const char *bb[] = { "ticker", "B", NULL };
	const char *drop[] = { "ticker", NULL };

	ck_assert_int_eq(sc_prom_std(p, "stockcast_rmse", &e), 0);
	ck_assert_int_eq(sc_prom_add(p, "stockcast_rmse", a, 1, &e), 0);
	ck_assert_int_eq(sc_prom_add(p, "stockcast_rmse", bb, 2, &e), 0);
	ck_assert_int_eq(sc_prom_add(p, "other", bb, 3, &e), 0);
	ck_assert_int_eq(sc_prom_write(p, &b, keep_ticker, (void *)"A", drop,
	                     &e),
	    0);
	ck_assert_str_eq(b.data,
	    "# HELP stockcast_rmse Root mean squared error of the predicted "
	    "close, in price units.\n"
	    "# TYPE stockcast_rmse gauge\n"
	    "stockcast_rmse{k=\"1\"} 1\n");
	ck_assert_str_eq(sc_prom_label(p, 1, "ticker"), "B");
	ck_assert_ptr_null(sc_prom_label(p, 1, "k"));
	ck_assert_ptr_null(sc_prom_label(p, 9, "k"));
	sc_buf_free(&b);
	sc_prom_free(p);
}
END_TEST

START_TEST(test_prom_add_errors)
{
	struct sc_err e = { 0 };
	struct sc_prom *p = sc_prom_create(&e);
	const char *l1[] = { "b", "1", "a", "2", NULL };
	const char *l2[] = { "a", "2", "b", "1", NULL };
	const char *bad[] = { "__x", "1", NULL };
	const char *twice[] = { "a", "1", "a", "2", NULL };
	const char *utf[] = { "a", "\xc3\x28", NULL };

	ck_assert_int_eq(sc_prom_add(p, "m", l1, 1, &e), 0);
	ck_assert_int_eq(sc_prom_add(p, "m", l2, 1, &e), -1);
	ck_assert_int_eq(e.code, SC_EDATA);
	ck_assert_ptr_nonnull(strstr(e.msg, "same series"));
	ck_assert_int_eq(sc_prom_add(p, "m", bad, 1, &e), -1);
	ck_assert_int_eq(sc_prom_add(p, "m", twice, 1, &e), -1);
	ck_assert_int_eq(sc_prom_add(p, "m", utf, 1, &e), -1);
	ck_assert_int_eq(sc_prom_add(p, "m-1", NULL, 1, &e), -1);
	ck_assert_int_eq(sc_prom_family(p, "m", SC_PROM_COUNTER, NULL, &e), -1);
	ck_assert_int_eq(sc_prom_std(p, "nope", &e), -1);
	ck_assert_int_eq(e.code, SC_EINTERNAL);
	ck_assert_uint_eq(sc_prom_count(p), 1);
	sc_prom_free(p);
}
END_TEST

START_TEST(test_prom_add_many)
{
	struct sc_err e = { 0 };
	struct sc_prom *p = sc_prom_create(&e);
	char v[16];
	const char *lab[] = { "i", v, NULL };
	int i;

	for (i = 0; i < 5000; i++) {
		snprintf(v, sizeof(v), "%d", i);
		ck_assert_int_eq(sc_prom_add(p, "m", lab, i, &e), 0);
	}
	snprintf(v, sizeof(v), "%d", 4321);
	ck_assert_int_eq(sc_prom_add(p, "m", lab, 0, &e), -1);
	ck_assert_uint_eq(sc_prom_count(p), 5000);
	sc_prom_free(p);
}
END_TEST

/* Many families: found by name, histograms by base name, in order. */
START_TEST(test_prom_add_families)
{
	struct sc_err e = { 0 };
	struct sc_prom *p = sc_prom_create(&e);
	struct sc_buf b = { 0 };
	const char *le[] = { "le", "+Inf", NULL };
	char name[32];
	int i;

	for (i = 0; i < 20000; i++) {
		snprintf(name, sizeof(name), "m%d", i);
		ck_assert_int_eq(sc_prom_add(p, name, NULL, i, &e), 0);
	}
	ck_assert_int_eq(sc_prom_family(p, "h", SC_PROM_HISTOGRAM, NULL, &e),
	    0);
	ck_assert_int_eq(sc_prom_add(p, "h_bucket", le, 1, &e), 0);
	ck_assert_int_eq(sc_prom_add(p, "m19999", NULL, 0, &e), -1);
	ck_assert_int_eq(sc_prom_family(p, "m123", SC_PROM_GAUGE, NULL, &e),
	    -1);
	ck_assert_int_eq(sc_prom_write(p, &b, NULL, NULL, NULL, &e), 0);
	ck_assert_ptr_nonnull(strstr(b.data,
	    "\n# TYPE m19999 untyped\n"
	    "m19999 19999\n"
	    "# TYPE h histogram\n"
	    "h_bucket{le=\"+Inf\"} 1\n"));
	ck_assert(strncmp(b.data, "# TYPE m0 untyped\nm0 0\n", 23) == 0);
	sc_buf_free(&b);
	sc_prom_free(p);
}
END_TEST

START_TEST(test_prom_parse_valid)
{
	struct sc_err e = { 0 };
	char *out = roundtrip("# a comment\n"
	                      "\n"
	                      "# HELP x the \\\\ help\\n\n"
	                      "# TYPE x counter\n"
	                      "x{b=\"2\", a = \"q\\\"\\\\\\n\",} 1.5e3\n"
	                      "  x 7\t\n"
	                      "# TYPE h histogram\n"
	                      "h_bucket{le=\"+Inf\"} 3\n"
	                      "h_sum 4\n"
	                      "h_count 3\n"
	                      "y NaN\n"
	                      "z{a=\"/\"} -Inf",
	    SC_PROM_IN_TEXT, &e);

	ck_assert_msg(out != NULL, "%ld: %s", e.line, e.msg);
	ck_assert_str_eq(out,
	    "# HELP x the \\\\ help\\n\n"
	    "# TYPE x counter\n"
	    "x{a=\"q\\\"\\\\\\n\",b=\"2\"} 1500\n"
	    "x 7\n"
	    "# TYPE h histogram\n"
	    "h_bucket{le=\"+Inf\"} 3\n"
	    "h_sum 4\n"
	    "h_count 3\n"
	    "# TYPE y untyped\n"
	    "y NaN\n"
	    "# TYPE z untyped\n"
	    "z{a=\"/\"} -Inf\n");
	free(out);
}
END_TEST

START_TEST(test_prom_parse_std_help)
{
	struct sc_err e = { 0 };
	char *out = roundtrip("# TYPE stockcast_skill gauge\n"
	                      "stockcast_skill{ticker=\"A\"} 0.5\n",
	    SC_PROM_IN_TEXT, &e);

	ck_assert_ptr_nonnull(out);
	ck_assert_ptr_nonnull(strstr(out, "# HELP stockcast_skill Forecast"));
	free(out);
}
END_TEST

START_TEST(test_prom_parse_errors)
{
	static char long_line[SC_PROM_MAX_LINE + 16];

	refused("a 1\nb 2 1700000000\n", 2, "timestamp");
	refused("a{x=\"1\",y=\"2\"} 1\na{y=\"2\",x=\"1\"} 3\n", 2,
	    "same series");
	refused("# TYPE a gauge\n# TYPE a gauge\na 1\n", 2, "second TYPE");
	refused("a 1\n# TYPE a gauge\n", 2, "TYPE after");
	refused("# HELP a x\n# HELP a y\n", 2, "second HELP");
	refused("# TYPE a gaug\n", 1, "unknown TYPE");
	refused("a-b 1\n", 1, "invalid metric name");
	refused("1a 1\n", 1, "invalid metric name");
	refused("{a=\"1\"} 1\n", 1, "invalid metric name");
	refused("a{__x=\"1\"} 1\n", 1, "invalid label name");
	refused("a{1x=\"1\"} 1\n", 1, "invalid label name");
	refused("a{x=\"\\t\"} 1\n", 1, "invalid escape");
	refused("a{x=\"1} 1\n", 1, "unterminated");
	refused("a{x=1} 1\n", 1, "expected '\"'");
	refused("a{x=\"1\" y=\"2\"} 1\n", 1, "expected ','");
	refused("a 1,5\n", 1, "not a float");
	refused("a 0x10\n", 1, "not a float");
	refused("a\n", 1, "no value");
	refused("a{x=\"\xff\"} 1\n", 1, "UTF-8");
	refused("# TYPE h histogram\nh_bucket{le=\" 1\"} 1\n", 2, "label le");
	refused("# TYPE h histogram\nh_bucket 1\n", 2, "label le");
	refused("# TYPE h histogram\nh 1\n", 2, "only _bucket");
	refused("# TYPE s summary\ns{quantile=\"x\"} 1\n", 2, "quantile");
	memset(long_line, 'a', sizeof(long_line) - 1);
	refused(long_line, 1, "longer than");
}
END_TEST

static const char METRICS[] =
    "{\"n\": 60, \"skipped\": 2, \"rmse\": 1.25, \"mae\": 0.5,\n"
    " \"mape\": 0.011, \"directional_accuracy\": null, \"naive_rmse\": 1.5,"
    " \"skill\": 0.1, \"model\": \"stockcast/7\", \"extra\": [1],\n"
    " \"tickers\": {\"AAPL\": {\"n\": 30, \"rmse\": 2, \"skill\": -0.25},"
    " \"BRK/B\": {\"n\": 30, \"rmse\": 0.5, \"naive_rmse\": null}}}\n";

START_TEST(test_prom_json_convert)
{
	struct sc_err e = { 0 };
	char *out = roundtrip(METRICS, SC_PROM_IN_JSON, &e);

	ck_assert_msg(out != NULL, "%s", e.msg);
	ck_assert_ptr_nonnull(strstr(out,
	    "\nstockcast_rmse 1.25\n"
	    "stockcast_rmse{ticker=\"AAPL\"} 2\n"
	    "stockcast_rmse{ticker=\"BRK/B\"} 0.5\n"));
	ck_assert_ptr_nonnull(strstr(out, "\nstockcast_eval_samples 60\n"));
	ck_assert_ptr_nonnull(
	    strstr(out, "\nstockcast_skill{ticker=\"AAPL\"} -0.25\n"));
	ck_assert_ptr_nonnull(strstr(out,
	    "\nstock_forecast_test_rmse{job=\"stock_forecast_evaluator\"} "
	    "1.25\n"));
	ck_assert_ptr_nonnull(
	    strstr(out, "\nstockcast_model_info{model=\"stockcast/7\"} 1\n"));
	ck_assert_ptr_nonnull(
	    strstr(out, "\nstockcast_model_version{model=\"stockcast\"} 7\n"));
	ck_assert_ptr_null(strstr(out, "directional_accuracy "));
	ck_assert_ptr_null(
	    strstr(out, "stockcast_naive_rmse{ticker=\"BRK/B\"}"));
	ck_assert_ptr_nonnull(strstr(out, "# TYPE stockcast_rmse gauge\n"));
	free(out);
}
END_TEST

START_TEST(test_prom_json_errors)
{
	struct sc_err e = { 0 };

	ck_assert_ptr_null(
	    roundtrip("{\"n\": 1,\n \"rmse\": }", SC_PROM_IN_JSON, &e));
	ck_assert_int_eq(e.code, SC_EDATA);
	ck_assert_int_eq(e.line, 2);
	ck_assert_ptr_null(roundtrip("[1]", SC_PROM_IN_JSON, &e));
	ck_assert_ptr_nonnull(strstr(e.msg, "not a metrics object"));
	ck_assert_ptr_null(
	    roundtrip("{\"n\": 1, \"rmse\": \"1\"}", SC_PROM_IN_JSON, &e));
	ck_assert_ptr_nonnull(strstr(e.msg, "\"rmse\": not a number"));
	ck_assert_ptr_null(
	    roundtrip("{\"n\": 1, \"n\": 2}", SC_PROM_IN_JSON, &e));
	ck_assert_ptr_null(
	    roundtrip("{\"n\": 1, \"tickers\": {\"A\": {\"rmse\":"
	              " true}}}",
	        SC_PROM_IN_JSON, &e));
	ck_assert_ptr_nonnull(strstr(e.msg, "tickers.A\"rmse\""));
	ck_assert_ptr_null(
	    roundtrip("{\"n\": 1, \"tickers\": [1]}", SC_PROM_IN_JSON, &e));
	ck_assert_ptr_null(
	    roundtrip("{\"n\": 1, \"model\": 3}", SC_PROM_IN_JSON, &e));
}
END_TEST

static const char PREDICTIONS[] =
    "asof,ticker,close,predicted_close,actual_close,lower,upper,model\n"
    "2026-11-23,AAPL,100,101,102,99,103,models:/stockcast/3\n"
    "2026-11-24,AAPL,102,103.5,,,,models:/stockcast/3\n"
    "2026-11-24,MSFT,400,401,,395,407,models:/stockcast/3\n"
    "2026-11-20,AAPL,90,91,92,,,models:/stockcast/2\n";

START_TEST(test_prom_csv_convert)
{
	struct sc_err e = { 0 };
	char *out = roundtrip(PREDICTIONS, SC_PROM_IN_CSV, &e);

	ck_assert_msg(out != NULL, "%ld: %s", e.line, e.msg);
	ck_assert_ptr_nonnull(strstr(out,
	    "\nstockcast_forecast_close{ticker=\"AAPL\"} 103.5\n"
	    "stockcast_forecast_close{ticker=\"MSFT\"} 401\n"));
	ck_assert_ptr_nonnull(
	    strstr(out, "\nstockcast_forecast_lower{ticker=\"MSFT\"} 395\n"));
	ck_assert_ptr_null(strstr(out, "forecast_lower{ticker=\"AAPL\"}"));
	ck_assert_ptr_null(strstr(out, "stockcast_actual_close"));
	ck_assert_ptr_nonnull(
	    strstr(out, "\nstockcast_last_close{ticker=\"AAPL\"} 102\n"));
	/* 2026-11-24 is day 20781 since 1970-01-01. */
	ck_assert_ptr_nonnull(strstr(out,
	    "\nstockcast_forecast_asof_timestamp_seconds{ticker=\"AAPL\"} "
	    "1795478400\n"));
	ck_assert_ptr_nonnull(
	    strstr(out, "\nstockcast_model_version{model=\"stockcast\"} 3\n"));
	ck_assert_ptr_null(strstr(out, "stockcast/2"));
	free(out);
}
END_TEST

START_TEST(test_prom_csv_errors)
{
	struct sc_err e = { 0 };

	ck_assert_ptr_null(
	    roundtrip("date,ticker,predicted\n", SC_PROM_IN_CSV, &e));
	ck_assert_ptr_nonnull(strstr(e.msg, "asof, ticker and"));
	ck_assert_ptr_null(roundtrip("asof,ticker,predicted_close\n"
	                             "2026-11-24,A,1\n2026-13-01,A,2\n",
	    SC_PROM_IN_CSV, &e));
	ck_assert_int_eq(e.line, 3);
	ck_assert_ptr_nonnull(strstr(e.msg, "not a date"));
	ck_assert_ptr_null(roundtrip("asof,ticker,predicted_close\n"
	                             "2026-11-24,A,1\n2026-11-24,A,2\n",
	    SC_PROM_IN_CSV, &e));
	ck_assert_ptr_nonnull(strstr(e.msg, "twice"));
	ck_assert_ptr_null(roundtrip("asof,ticker,predicted_close\n"
	                             "2026-11-24,A,\n",
	    SC_PROM_IN_CSV, &e));
	ck_assert_ptr_nonnull(strstr(e.msg, "empty"));
	ck_assert_ptr_null(roundtrip("asof,ticker,predicted_close\n"
	                             "2026-11-24,A,1x\n",
	    SC_PROM_IN_CSV, &e));
	ck_assert_int_eq(e.line, 2);
	ck_assert_ptr_null(roundtrip("asof,ticker,predicted_close\n"
	                             "2026-11-24,,1\n",
	    SC_PROM_IN_CSV, &e));
}
END_TEST

START_TEST(test_prom_detect_formats)
{
	ck_assert_int_eq(sc_prom_detect("  \n{\"n\":1}", 10), SC_PROM_IN_JSON);
	ck_assert_int_eq(sc_prom_detect("asof,ticker\n", 12), SC_PROM_IN_CSV);
	ck_assert_int_eq(sc_prom_detect("# HELP a,b\n", 11), SC_PROM_IN_TEXT);
	ck_assert_int_eq(sc_prom_detect("a{x=\"1,2\"} 1\n", 13),
	    SC_PROM_IN_TEXT);
	ck_assert_int_eq(sc_prom_detect("a 1\n", 4), SC_PROM_IN_TEXT);
	ck_assert_int_eq(sc_prom_detect("", 0), SC_PROM_IN_TEXT);
}
END_TEST

/*
 * Found by tests/fuzz/fuzz_prom.c: a label given twice after one that
 * sorted later was freed twice on the error path.
 */
START_TEST(test_prom_parse_dup_label_after_shift)
{
	refused("i{se=\"\",s=\"\",r=\"\\\\\",r=\"\\\\b\"} +Inf\n", 1,
	    "label r given twice");
	refused("a{z=\"1\",y=\"2\",x=\"3\",y=\"4\"} 1\n", 1,
	    "label y given twice");
	refused("a{b=\"1\",a=\"2\",b=\"3\"} 1\n", 1, "label b given twice");
}
END_TEST

Suite *
sc_prom_suite(void)
{
	Suite *s = suite_create("prom");
	TCase *tc;

	tc = tcase_create("names");
	tcase_add_test(tc, test_prom_names_valid);
	suite_add_tcase(s, tc);
	tc = tcase_create("write");
	tcase_add_test(tc, test_prom_write_escaping);
	tcase_add_test(tc, test_prom_write_filter);
	suite_add_tcase(s, tc);
	tc = tcase_create("add");
	tcase_add_test(tc, test_prom_add_errors);
	tcase_add_test(tc, test_prom_add_many);
	tcase_add_test(tc, test_prom_add_families);
	suite_add_tcase(s, tc);
	tc = tcase_create("parse");
	tcase_add_test(tc, test_prom_parse_valid);
	tcase_add_test(tc, test_prom_parse_std_help);
	tcase_add_test(tc, test_prom_parse_errors);
	tcase_add_test(tc, test_prom_parse_dup_label_after_shift);
	suite_add_tcase(s, tc);
	tc = tcase_create("json");
	tcase_add_test(tc, test_prom_json_convert);
	tcase_add_test(tc, test_prom_json_errors);
	suite_add_tcase(s, tc);
	tc = tcase_create("csv");
	tcase_add_test(tc, test_prom_csv_convert);
	tcase_add_test(tc, test_prom_csv_errors);
	suite_add_tcase(s, tc);
	tc = tcase_create("detect");
	tcase_add_test(tc, test_prom_detect_formats);
	suite_add_tcase(s, tc);
	return s;
}
