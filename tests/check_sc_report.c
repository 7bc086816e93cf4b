/* SPDX-License-Identifier: ISC */
/*
 * The report page from small stores in a temporary directory: an empty
 * store still gives the whole page; names with markup from the store are
 * text; the report's date picks the objects; a malformed object fails the
 * report, named by its key.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "check_sc.h"
#include "sc_report.h"
#include "sc_report_int.h"
#include "sc_store.h"

static char dir[] = "/tmp/check-report.XXXXXX";
static struct sc_store *st;

static void
setup(void)
{
	struct sc_err e = { 0 };

	strcpy(dir, "/tmp/check-report.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	st = sc_store_open(dir, NULL, &e);
	ck_assert_msg(st != NULL, "%s", e.msg);
}

static void
teardown(void)
{
	char cmd[128];

	sc_store_free(st);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static void
put(const char *key, const char *text)
{
	struct sc_err e = { 0 };

	ck_assert_msg(sc_store_put_buf(st, key, text, strlen(text), 0, &e) == 0,
	    "%s: %s", key, e.msg);
}

/* The page for the store; NULL when the report failed (e set). */
static char *
page(const char *date, struct sc_err *e)
{
	struct sc_report_opts o = { date, "m", NULL, 0 };
	char *text = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);
	int rc = sc_report_write(st, &o, fp, e);

	fclose(fp);
	if (rc == -1) {
		free(text);
		return NULL;
	}
	return text;
}

static int
count(const char *hay, const char *needle)
{
	int n = 0;

	for (; (hay = strstr(hay, needle)) != NULL; hay++)
		n++;
	return n;
}

START_TEST(test_report_page_empty_store)
{
	struct sc_err e = { 0 };
	char *p = page(NULL, &e);

	ck_assert_msg(p != NULL, "%s", e.msg);
	ck_assert_ptr_nonnull(strstr(p, "<!DOCTYPE html>"));
	ck_assert_ptr_nonnull(strstr(p, "name=\"viewport\""));
	ck_assert_ptr_nonnull(strstr(p, "No forecasts"));
	ck_assert_ptr_nonnull(strstr(p, "No runs"));
	ck_assert_ptr_nonnull(strstr(p, "No champion yet"));
	ck_assert_int_eq(count(p, "<script"), 1);
	ck_assert_int_eq(count(p, "<section"), 11);
	ck_assert_ptr_nonnull(strstr(p, "</html>\n"));
	free(p);
}
END_TEST

static const char evil_pred[] =
    "asof,date,ticker,close,predicted_close,actual_close,lower,upper,"
    "model,source\n"
    "2026-01-02,2026-01-05,<script>alert(1)</script>,10,11,,9,12,m/1,"
    "model\n"
    "2026-01-02,2026-01-05,\"A&B\",20,20,,19,21,m/1,naive\n";
static const char evil_eval[] =
    "asof,ticker,close,predicted_close,actual_close,lower,upper,model\n"
    "2025-12-30,<script>alert(1)</script>,10,10.5,10.2,9,12,m/1\n"
    "2025-12-31,<script>alert(1)</script>,10.2,10.1,10.4,9,12,m/1\n";
static const char evil_meta[] =
    "{\"run_id\": \"<b>run</b>\", \"started\": \"2026-01-01T00:00:00Z\","
    " \"search\": \"sc-tune\", \"trials\": 2, \"cv_rmse\": 0.5,"
    " \"test_rmse\": 1.5}";
static const char evil_trials[] =
    "{\"number\":0,\"state\":\"complete\",\"value\":0.5,"
    "\"params\":{\"<i>p</i>\":3}}\n"
    "{\"number\":1,\"state\":\"pruned\",\"value\":0.7,"
    "\"params\":{\"<i>p</i>\":5}}\n";

START_TEST(test_report_page_escapes)
{
	struct sc_err e = { 0 };
	char *p;

	put("predictions/2026-01-02.csv", evil_pred);
	put("evaluations/2026-01-02.csv", evil_eval);
	put("runs/r1/meta.json", evil_meta);
	put("runs/r1/trials.jsonl", evil_trials);
	p = page("2026-01-02", &e);
	ck_assert_msg(p != NULL, "%s", e.msg);
	ck_assert_int_eq(count(p, "<script"), 1);
	ck_assert_int_eq(count(p, "&lt;script&gt;alert(1)&lt;/script&gt;"), 3);
	ck_assert_ptr_null(strstr(p, "<b>run"));
	ck_assert_ptr_nonnull(strstr(p, "&lt;b&gt;run&lt;/b&gt;"));
	ck_assert_ptr_null(strstr(p, "<i>p"));
	ck_assert_ptr_nonnull(strstr(p, "&lt;i&gt;p&lt;/i&gt;=3"));
	ck_assert_ptr_nonnull(strstr(p, "A&amp;B"));
	/* the naive fallback is marked, the forecast day shown */
	ck_assert_ptr_nonnull(strstr(p, "<td>naive</td>"));
	ck_assert_ptr_nonnull(strstr(p, "<td>2026-01-05</td>"));
	/* the ticker's chart: 2 actual and 2 forecast points */
	ck_assert_ptr_nonnull(strstr(p, "data-points=\"4\""));
	free(p);
}
END_TEST

START_TEST(test_report_page_date)
{
	struct sc_err e = { 0 };
	char *p;

	put("predictions/2026-01-02.csv", evil_pred);
	put("predictions/2026-01-06.csv",
	    "asof,ticker,predicted_close\n2026-01-06,NEWER,1\n");
	p = page("2026-01-05", &e);
	ck_assert_msg(p != NULL, "%s", e.msg);
	ck_assert_ptr_nonnull(strstr(p, "predictions/2026-01-02.csv"));
	ck_assert_ptr_null(strstr(p, "NEWER"));
	free(p);
	put("evaluations/2026-01-02-backtest.csv", evil_eval);
	p = page(NULL, &e);
	ck_assert_ptr_nonnull(strstr(p, "NEWER"));
	/* without backtests/, evaluate's fresh backtest is shown */
	ck_assert_ptr_nonnull(strstr(p, "evaluations/2026-01-02-backtest.csv"));
	/* an old file without date and source still renders */
	ck_assert_ptr_nonnull(strstr(p, "predates the source column"));
	free(p);
}
END_TEST

START_TEST(test_report_errors_bad_json)
{
	struct sc_err e = { 0 };

	put("evaluations/2026-01-02.json", "{\"n\": 3,");
	ck_assert_ptr_null(page(NULL, &e));
	ck_assert_int_eq(e.code, SC_EDATA);
	ck_assert_msg(strncmp(e.msg,
	                  "evaluations/2026-01-02.json:1: JSON:", 36) == 0,
	    "%s", e.msg);
}
END_TEST

START_TEST(test_report_errors_bad_csv)
{
	struct sc_err e = { 0 };

	put("evaluations/2026-01-02.csv",
	    "asof,ticker,predicted_close\n2026-01-02,A,1\n2026-01-03,A,x\n");
	ck_assert_ptr_null(page(NULL, &e));
	ck_assert_int_eq(e.code, SC_EDATA);
	ck_assert_msg(strstr(e.msg, "evaluations/2026-01-02.csv:3: ") == e.msg,
	    "%s", e.msg);
}
END_TEST

START_TEST(test_report_errors_bad_date)
{
	struct sc_err e = { 0 };

	ck_assert_ptr_null(page("2026-13-01", &e));
	ck_assert_int_eq(e.code, SC_EUSAGE);
}
END_TEST

START_TEST(test_report_html_escape)
{
	char *text = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);

	sc_rp_esc(fp, "<a href=\"x\">'&'</a>\x01");
	fclose(fp);
	ck_assert_str_eq(text,
	    "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;&#xFFFD;");
	free(text);
}
END_TEST

/* The x tick labels of a chart, each once: no date twice, no "-0". */
START_TEST(test_report_html_ticks)
{
	static const double day[1] = { 20784 }, y[1] = { 1.5 };
	static const double tx[6] = { 0, 1, 2, 3, 4, 5 },
	                    ty[6] = { 3, 2, 2.5, 1, 4, 2 };
	struct sc_rp_series sd = { "one day", day, y, NULL, NULL, 1,
		SC_RP_POINTS, 0 };
	struct sc_rp_series st = { "trials", tx, ty, NULL, NULL, 6,
		SC_RP_POINTS, 0 };
	struct sc_rp_chart cd = { NULL, "dates", NULL, NULL, 1, NAN, &sd, 1 };
	struct sc_rp_chart ct = { NULL, "trials", NULL, NULL, 0, NAN, &st, 1 };
	char *text = NULL, *p, *q, seen[64][16];
	size_t len = 0, n = 0, i;
	FILE *fp = open_memstream(&text, &len);

	ck_assert_uint_eq(sc_rp_chart(fp, &cd), 1);
	ck_assert_uint_eq(sc_rp_chart(fp, &ct), 6);
	fclose(fp);
	ck_assert_ptr_null(strstr(text, ">-0<"));
	ck_assert_ptr_nonnull(strstr(text, ">2026-11-27<"));
	for (p = text; (p = strstr(p, "<text class=\"tx")) != NULL; p = q) {
		p = strchr(p, '>') + 1;
		q = strchr(p, '<');
		ck_assert_int_lt((int)(q - p), 16);
		ck_assert_uint_lt(n, 64);
		memcpy(seen[n], p, (size_t)(q - p));
		seen[n][q - p] = '\0';
		for (i = 0; i < n; i++)
			ck_assert_str_ne(seen[i], seen[n]);
		n++;
	}
	ck_assert_uint_ge(n, 6);
	free(text);
}
END_TEST

Suite *
sc_report_suite(void)
{
	Suite *s = suite_create("report");
	TCase *tc;

	tc = tcase_create("page");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_report_page_empty_store);
	tcase_add_test(tc, test_report_page_escapes);
	tcase_add_test(tc, test_report_page_date);
	suite_add_tcase(s, tc);
	tc = tcase_create("errors");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_report_errors_bad_json);
	tcase_add_test(tc, test_report_errors_bad_csv);
	tcase_add_test(tc, test_report_errors_bad_date);
	suite_add_tcase(s, tc);
	tc = tcase_create("html");
	tcase_add_test(tc, test_report_html_escape);
	tcase_add_test(tc, test_report_html_ticks);
	suite_add_tcase(s, tc);
	return s;
}
