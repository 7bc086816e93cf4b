/* SPDX-License-Identifier: ISC */
/*
 * The split: row counts and order, headers, targets, the bad inputs, and
 * the promise sc-predict --next relies on: the features of a history's
 * last day equal the row sc-split writes for that day once the next day
 * is known.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "check_sc.h"
#include "sc_csv.h"
#include "sc_date.h"
#include "sc_features.h"
#include "sc_ohlcv.h"
#include "sc_split.h"

/* OHLCV text: tickers[i] with ndays[i] days of a deterministic walk. */
static char *
ohlcv_text(const char *const *tickers, const size_t *ndays, size_t nt)
{
	char *text = NULL, d[SC_DATE_BUFSZ];
	size_t len = 0, i, j;
	FILE *fp = open_memstream(&text, &len);
	uint64_t x = 7;
	double c;

	fputs("date,ticker,open,high,low,close,adj_close,volume\n", fp);
	for (i = 0; i < nt; i++)
		for (c = 50, j = 0; j < ndays[i]; j++) {
			x = x * 6364136223846793005ULL + 1442695040888963407ULL;
			c *= 1 + ((double)(x >> 11) * 0x1p-53 - 0.5) * 0.05;
			fprintf(fp, "%s,%s,%.6f,%.6f,%.6f,%.6f,%.6f,%d\n",
			    sc_date_fmt(20089 + (long)j, d), tickers[i], c,
			    c * 1.01, c * 0.99, c, c, 1000 + (int)(x >> 55));
		}
	fclose(fp);
	return text;
}

struct result {
	char *train, *test;
	size_t ntrain, ntest;
	struct sc_split_stats st;
	struct sc_err e;
	int rc;
};

static void
run_j(const char *in, const char *features, enum sc_target target, size_t days,
    size_t threads, struct result *res)
{
	struct sc_split_opts o = { 0 };
	FILE *fin = sc_test_str(in), *ftrain, *ftest;

	memset(res, 0, sizeof(*res));
	o.features = sc_features_parse(features, &res->e);
	ck_assert_ptr_nonnull(o.features);
	o.target = target;
	o.test_days = days;
	o.threads = threads;
	ftrain = open_memstream(&res->train, &res->ntrain);
	ftest = open_memstream(&res->test, &res->ntest);
	res->rc = sc_split_run(fin, ftrain, ftest, &o, &res->st, &res->e);
	fclose(ftrain);
	fclose(ftest);
	fclose(fin);
	sc_features_free((struct sc_features *)o.features);
}

static void
run(const char *in, const char *features, enum sc_target target, size_t days,
    struct result *res)
{
	run_j(in, features, target, days, 1, res);
}

static void
result_free(struct result *res)
{
	free(res->train);
	free(res->test);
}

static size_t
lines(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		n += *s == '\n';
	return n;
}

START_TEST(test_split_run_counts)
{
	static const char *const tickers[] = { "AAPL", "MSFT" };
	static const size_t ndays[] = { 100, 60 };
	char *in = ohlcv_text(tickers, ndays, 2);
	struct result res;

	run(in, "ema_3,ret_1,dow", SC_TARGET_LOGRET, 10, &res);
	ck_assert_msg(res.rc == 0, "%s", res.e.msg);
	ck_assert_str_eq(strtok(res.test, "\n"),
	    "date,ticker,close,ema_3,ret_1,dow,target_logret_1");
	ck_assert_uint_eq(lines(res.test + strlen(res.test) + 1), 2 * 10);
	/* Warm-up 2 (ema_3), minus the last day, minus 10 test days. */
	ck_assert_uint_eq(lines(res.train),
	    1 + (100 - 2 - 1 - 10) + (60 - 2 - 1 - 10));
	ck_assert_uint_eq(res.st.tickers, 2);
	ck_assert_uint_eq(res.st.rows, 160);
	ck_assert_uint_eq(res.st.train, 87 + 47);
	ck_assert_uint_eq(res.st.test, 20);
	ck_assert_uint_eq(res.st.dropped, 6);
	result_free(&res);
	free(in);
}
END_TEST

START_TEST(test_split_run_rows)
{
	static const char in[] =
	    "date,ticker,close,volume\n"
	    "2025-01-02,AAPL,10,1\n2025-01-03,AAPL,11,1\n"
	    "2025-01-06,AAPL,12.5,1\n2025-01-07,AAPL,12,1\n"
	    "2025-01-02,MSFT,20,1\n2025-01-03,MSFT,19,1\n"
	    "2025-01-06,MSFT,21,1\n2025-01-07,MSFT,22,1\n";
	struct result res;

	run(in, "ret_1", SC_TARGET_CLOSE, 1, &res);
	ck_assert_msg(res.rc == 0, "%s", res.e.msg);
	ck_assert_str_eq(res.train,
	    "date,ticker,close,ret_1,target_close_1\n"
	    "2025-01-03,AAPL,11,0.10000000000000009,12.5\n"
	    "2025-01-03,MSFT,19,-0.050000000000000044,21\n");
	ck_assert_str_eq(res.test,
	    "date,ticker,close,ret_1,target_close_1\n"
	    "2025-01-06,AAPL,12.5,0.13636363636363646,12\n"
	    "2025-01-06,MSFT,21,0.10526315789473695,22\n");
	result_free(&res);
	run(in, "ret_1", SC_TARGET_LOGRET, 0, &res);
	ck_assert_msg(res.rc == 0, "%s", res.e.msg);
	ck_assert_uint_eq(lines(res.train), 5);
	ck_assert_uint_eq(lines(res.test), 1);
	ck_assert_ptr_nonnull(strstr(res.train,
	    "2025-01-03,MSFT,19,-0.050000000000000044,0.10008345855698263\n"
	    "2025-01-06,MSFT,21,0.10526315789473695,0.04652001563489291\n"));
	result_free(&res);
}
END_TEST

START_TEST(test_split_run_drops_incomplete)
{
	/* A missing volume drops its day and the next (volume_chg_1). */
	static const char in[] = "date,ticker,close,volume\n"
	                         "2025-01-02,A,10,1\n2025-01-03,A,11,2\n"
	                         "2025-01-06,A,12,\n2025-01-07,A,13,4\n"
	                         "2025-01-08,A,14,5\n2025-01-09,A,15,5\n";
	struct result res;

	run(in, "volume_chg_1", SC_TARGET_LOGRET, 1, &res);
	ck_assert_msg(res.rc == 0, "%s", res.e.msg);
	ck_assert_str_eq(res.train,
	    "date,ticker,close,volume_chg_1,target_logret_1\n"
	    "2025-01-03,A,11,1,0.0870113769896297\n");
	ck_assert_ptr_nonnull(strstr(res.test, "\n2025-01-08,A,14,0.25,"));
	ck_assert_uint_eq(res.st.dropped, 4);
	result_free(&res);
}
END_TEST

START_TEST(test_split_errors)
{
	static const char *const tickers[] = { "AAPL", "SHORT" };
	static const size_t ndays[] = { 50, 12 };
	char *in = ohlcv_text(tickers, ndays, 2);
	struct result res;

	/* 12 days - warm-up 2 - the last = 9 complete: not more than 9. */
	run(in, "ema_3", SC_TARGET_LOGRET, 9, &res);
	ck_assert_int_eq(res.rc, -1);
	ck_assert_int_eq(res.e.code, SC_EDATA);
	ck_assert_int_eq(res.e.line, 63);
	ck_assert_str_eq(res.e.msg,
	    "SHORT: 12 rows give 9 complete days with a target, need more "
	    "than 9 (test days) after a warm-up of 2");
	result_free(&res);
	run(in, "ema_3", SC_TARGET_LOGRET, 8, &res);
	ck_assert_int_eq(res.rc, 0);
	result_free(&res);
	free(in);

	run("date,ticker,close\n2025-01-02,A,1\n", "volume_chg_1",
	    SC_TARGET_LOGRET, 1, &res);
	ck_assert_int_eq(res.rc, -1);
	ck_assert_int_eq(res.e.line, 1);
	ck_assert_str_eq(res.e.msg,
	    "header: no \"volume\" column, which the features need");
	result_free(&res);
	run("date,ticker,close\n", "ret_1", SC_TARGET_LOGRET, 1, &res);
	ck_assert_int_eq(res.rc, -1);
	ck_assert_str_eq(res.e.msg, "no data rows after the header");
	result_free(&res);
	run("date,ticker,close\n2025-01-02,A,1\n2025-01-02,A,2\n", "ret_1",
	    SC_TARGET_LOGRET, 1, &res);
	ck_assert_int_eq(res.rc, -1);
	ck_assert_int_eq(res.e.line, 3);
	ck_assert_str_eq(res.e.msg,
	    "A 2025-01-02: duplicate date (also on "
	    "the previous row)");
	result_free(&res);
}
END_TEST

/* Parse the data row of table text whose first two fields are date,ticker. */
static int
find_row(const char *text, const char *date, const char *ticker, double *v,
    size_t nv)
{
	FILE *fp = sc_test_str(text);
	struct sc_err e = { 0 };
	struct sc_csv *r = sc_csv_open(fp, NULL, 1, &e);
	size_t j;
	int found = 0;

	while (!found && sc_csv_read(r, &e) == 1) {
		if (strcmp(sc_csv_field(r, 0), date) != 0 ||
		    strcmp(sc_csv_field(r, 1), ticker) != 0)
			continue;
		ck_assert_uint_eq(sc_csv_nfields(r), nv + 2);
		for (j = 0; j < nv; j++)
			ck_assert_int_eq(sc_csv_num(r, j + 2, &v[j], &e), 0);
		found = 1;
	}
	sc_csv_free(r);
	fclose(fp);
	return found;
}

START_TEST(test_split_last_matches_row)
{
	/*
	 * Serving on day T (history up to T) must see exactly the features
	 * training sees for T once T+1 is known: check every ticker's last
	 * day of the truncated history against the row sc-split wrote.
	 */
	static const char *const tickers[] = { "AAPL", "BRK-B", "MSFT" };
	static const size_t ndays[] = { 120, 90, 200 };
	char *in = ohlcv_text(tickers, ndays, 3), d[SC_DATE_BUFSZ];
	struct sc_err e = { 0 };
	struct sc_features *f = sc_features_parse(SC_FEATURES_DEFAULT, &e);
	size_t k = sc_features_count(f), j, checked = 0;
	double *want = malloc(k * sizeof(double));
	double *row = malloc((k + 2) * sizeof(double));
	struct sc_ohlcv_series s = { 0 };
	FILE *fp = sc_test_str(in);
	struct sc_ohlcv *r = sc_ohlcv_open(fp, &e);
	struct result res;

	run(in, SC_FEATURES_DEFAULT, SC_TARGET_LOGRET, 30, &res);
	ck_assert_msg(res.rc == 0, "%s", res.e.msg);
	while (sc_ohlcv_next(r, &s, &e) == 1) {
		s.n--; /* the history as it stood the day before */
		ck_assert_int_eq(sc_features_last(f, &s, want, &e), 0);
		ck_assert(find_row(res.test, sc_date_fmt(s.date[s.n - 1], d),
		    s.ticker, row, k + 2));
		ck_assert_double_eq(row[0], s.v[SC_OHLCV_CLOSE][s.n - 1]);
		for (j = 0; j < k; j++)
			ck_assert_msg(row[j + 1] == want[j],
			    "%s %s: %.17g, want %.17g", s.ticker,
			    sc_features_name(f, j), row[j + 1], want[j]);
		s.n++;
		checked++;
	}
	ck_assert_uint_eq(checked, 3);
	sc_ohlcv_free(r);
	sc_ohlcv_series_free(&s);
	fclose(fp);
	sc_features_free(f);
	result_free(&res);
	free(want);
	free(row);
	free(in);
}
END_TEST

/*
 * The same tables and error at 1, 2, 3, 4 and 7 threads, and the same
 * counts when it succeeds.
 */
static void
same_at_threads(const char *in, size_t days)
{
	static const size_t threads[] = { 2, 3, 4, 7 };
	struct result one, many;
	size_t i;

	run_j(in, SC_FEATURES_DEFAULT, SC_TARGET_LOGRET, days, 1, &one);
	for (i = 0; i < sizeof(threads) / sizeof(threads[0]); i++) {
		run_j(in, SC_FEATURES_DEFAULT, SC_TARGET_LOGRET, days,
		    threads[i], &many);
		ck_assert_int_eq(many.rc, one.rc);
		ck_assert_int_eq(many.e.code, one.e.code);
		ck_assert_int_eq(many.e.line, one.e.line);
		ck_assert_str_eq(many.e.msg, one.e.msg);
		ck_assert_uint_eq(many.ntrain, one.ntrain);
		ck_assert_uint_eq(many.ntest, one.ntest);
		ck_assert(memcmp(many.train, one.train, one.ntrain) == 0);
		ck_assert(memcmp(many.test, one.test, one.ntest) == 0);
		if (one.rc == -1) { /* the reader may have gone further */
			result_free(&many);
			continue;
		}
		ck_assert_uint_eq(many.st.tickers, one.st.tickers);
		ck_assert_uint_eq(many.st.rows, one.st.rows);
		ck_assert_uint_eq(many.st.train, one.st.train);
		ck_assert_uint_eq(many.st.test, one.st.test);
		ck_assert_uint_eq(many.st.dropped, one.st.dropped);
		result_free(&many);
	}
	result_free(&one);
}

START_TEST(test_split_threads_same)
{
	char *names[41], *in;
	const char *tk[41];
	size_t nd[41], i;
	struct result res;

	for (i = 0; i < 41; i++) {
		names[i] = malloc(8);
		snprintf(names[i], 8, "T%03zu", i);
		tk[i] = names[i];
		nd[i] = 40 + (i * 37) % 260;
	}
	in = ohlcv_text(tk, nd, 41);
	run_j(in, SC_FEATURES_DEFAULT, SC_TARGET_LOGRET, 5, 4, &res);
	ck_assert_msg(res.rc == 0, "%s", res.e.msg);
	ck_assert_uint_eq(res.st.tickers, 41);
	result_free(&res);
	same_at_threads(in, 5);
	/* T003 has 40 + 111 days; at 120 test days it fails, and so do the
	 * 40-day ones before it: the first in input order is reported. */
	same_at_threads(in, 120);
	run_j(in, SC_FEATURES_DEFAULT, SC_TARGET_LOGRET, 120, 4, &res);
	ck_assert_int_eq(res.rc, -1);
	ck_assert_int_eq(res.e.code, SC_EDATA);
	ck_assert_ptr_nonnull(strstr(res.e.msg, "T000: "));
	result_free(&res);
	free(in);
	for (i = 0; i < 41; i++)
		free(names[i]);
}
END_TEST

/* A bad line after many good tickers, and after a failing one. */
START_TEST(test_split_threads_bad_input)
{
	const char *tk[30];
	char names[30][8], *in, *bad;
	size_t nd[30], i, len;
	struct result res;

	for (i = 0; i < 30; i++) {
		snprintf(names[i], sizeof(names[i]), "T%03zu", i);
		tk[i] = names[i];
		nd[i] = 80;
	}
	nd[25] = 20; /* too short for 30 test days */
	in = ohlcv_text(tk, nd, 30);
	len = strlen(in);
	bad = malloc(len + 64);
	/* A junk close on line 1 + 20 * 80 + 7, in ticker T020. */
	memcpy(bad, in, len + 1);
	{
		char *p = bad;
		size_t l;

		for (l = 1; l < 1 + 20 * 80 + 7; l++)
			p = strchr(p, '\n') + 1;
		p = strchr(strchr(strchr(strchr(strchr(p, ',') + 1, ',') + 1,
		                      ',') +
		                   1,
		               ',') +
		            1,
		        ',') +
		    1;
		*p = 'x';
	}
	run_j(bad, SC_FEATURES_DEFAULT, SC_TARGET_LOGRET, 30, 1, &res);
	ck_assert_int_eq(res.rc, -1);
	ck_assert_int_eq(res.e.line, 1 + 20 * 80 + 7);
	result_free(&res);
	same_at_threads(bad, 30);
	/* The short ticker T025 is before nothing bad: its error stands. */
	same_at_threads(in, 30);
	run_j(in, SC_FEATURES_DEFAULT, SC_TARGET_LOGRET, 30, 3, &res);
	ck_assert_int_eq(res.rc, -1);
	ck_assert_int_eq(res.e.line, 1 + 25 * 80 + 20);
	result_free(&res);
	free(bad);
	free(in);
}
END_TEST

Suite *
sc_split_suite(void)
{
	Suite *s = suite_create("split");
	TCase *tc;

	tc = tcase_create("run");
	tcase_add_test(tc, test_split_run_counts);
	tcase_add_test(tc, test_split_run_rows);
	tcase_add_test(tc, test_split_run_drops_incomplete);
	suite_add_tcase(s, tc);
	tc = tcase_create("errors");
	tcase_add_test(tc, test_split_errors);
	suite_add_tcase(s, tc);
	tc = tcase_create("threads");
	tcase_add_test(tc, test_split_threads_same);
	tcase_add_test(tc, test_split_threads_bad_input);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	tc = tcase_create("last");
	tcase_add_test(tc, test_split_last_matches_row);
	suite_add_tcase(s, tc);
	return s;
}
