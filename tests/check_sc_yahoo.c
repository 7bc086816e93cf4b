/* SPDX-License-Identifier: ISC */
/*
 * Yahoo chart v8: URL, classification and parsing on saved bodies, and
 * every real capture in ../shared/yahoo-captures against its expected CSV
 * (numerically: the expected files write 1500 as "1500.0").
 */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "check_sc.h"
#include "sc_buf.h"
#include "sc_csv.h"
#include "sc_date.h"
#include "sc_yahoo.h"

/* Read a file whole; NULL when it cannot be read. */
static char *
slurp(const char *path, size_t *len)
{
	struct sc_buf b = { 0 };
	FILE *fp = fopen(path, "rb");

	if (fp == NULL)
		return NULL;
	if (sc_buf_read(&b, fp, path, NULL) == -1 ||
	    sc_buf_add(&b, "", 0, NULL) == -1) {
		fclose(fp);
		sc_buf_free(&b);
		return NULL;
	}
	fclose(fp);
	*len = b.len;
	return b.data;
}

/* A fixture of tests/data/market, from the top or from tests/. */
static char *
fixture(const char *name, size_t *len)
{
	char path[256];
	char *s;

	snprintf(path, sizeof(path), "data/market/%s", name);
	if ((s = slurp(path, len)) != NULL)
		return s;
	snprintf(path, sizeof(path), "tests/data/market/%s", name);
	s = slurp(path, len);
	ck_assert_msg(s != NULL, "fixture %s missing", name);
	return s;
}

static long
day(const char *s)
{
	long d;

	ck_assert_int_eq(sc_date_parse(s, strlen(s), &d), 0);
	return d;
}

static enum sc_market_class
classify_file(long status, const char *ctype, const char *name, char *msg)
{
	size_t len;
	char *body = fixture(name, &len);
	enum sc_market_class c =
	    sc_yahoo_classify(status, ctype, body, len, msg, 200);

	free(body);
	return c;
}

START_TEST(test_yahoo_url_escapes)
{
	struct sc_buf b = { 0 };

	ck_assert_int_eq(sc_yahoo_url(&b, "http://127.0.0.1:9/", "^GSPC",
	                     day("2025-01-02"), day("2025-01-03"), NULL, NULL),
	    0);
	ck_assert_str_eq(b.data,
	    "http://127.0.0.1:9/v8/finance/chart/%5EGSPC?period1=1735689600"
	    "&period2=1736035200&interval=1d&events=div%2Csplits"
	    "&includePrePost=false");
	sc_buf_reset(&b);
	ck_assert_int_eq(sc_yahoo_url(&b, "https://x", "EURUSD=X", 0, 0,
	                     "a/b.c", NULL),
	    0);
	ck_assert_ptr_nonnull(strstr(b.data, "/chart/EURUSD%3DX?"));
	ck_assert_ptr_nonnull(strstr(b.data, "&crumb=a%2Fb.c"));
	sc_buf_free(&b);
}
END_TEST

START_TEST(test_yahoo_classify_bodies)
{
	char msg[200];

	ck_assert_int_eq(classify_file(200, "application/json",
	                     "yahoo-nulls.json", msg),
	    SC_MARKET_OK);
	ck_assert_int_eq(classify_file(404, NULL, "yahoo-notfound.json", msg),
	    SC_MARKET_NOT_FOUND);
	ck_assert_str_eq(msg, "No data found, symbol may be delisted");
	ck_assert_int_eq(classify_file(200, NULL, "yahoo-notfound.json", msg),
	    SC_MARKET_NOT_FOUND);
	ck_assert_int_eq(classify_file(401, NULL, "yahoo-unauthorized.json",
	                     msg),
	    SC_MARKET_AUTH);
	ck_assert_int_eq(classify_file(200, NULL, "yahoo-empty.json", msg),
	    SC_MARKET_EMPTY);
	ck_assert_int_eq(classify_file(200, "text/html; charset=utf-8",
	                     "yahoo-blocked.html", msg),
	    SC_MARKET_BLOCKED);
	ck_assert_int_eq(classify_file(200, NULL, "yahoo-down.html", msg),
	    SC_MARKET_DOWN);
	ck_assert_int_eq(classify_file(200, "application/json",
	                     "yahoo-truncated.json", msg),
	    SC_MARKET_MALFORMED);
}
END_TEST

/* 100000 nested arrays: refused at jansson's depth limit, and said so. */
START_TEST(test_yahoo_classify_deep_nesting)
{
	struct sc_series out = { 0 };
	struct sc_err e = { 0 };
	size_t n = 100000;
	char msg[200], *body = malloc(2 * n);

	ck_assert_ptr_nonnull(body);
	memset(body, '[', n);
	memset(body + n, ']', n);
	ck_assert_int_eq(sc_yahoo_classify(200, "application/json", body, 2 * n,
	                     msg, sizeof(msg)),
	    SC_MARKET_MALFORMED);
	ck_assert_msg(strstr(msg, "maximum parsing depth") != NULL, "%s", msg);
	ck_assert_int_eq(sc_yahoo_parse(body, 2 * n, 0, 30000, NULL, &out, &e),
	    -1);
	sc_series_free(&out);
	free(body);
}
END_TEST

START_TEST(test_yahoo_classify_status)
{
	char msg[200];

	ck_assert_int_eq(sc_yahoo_classify(429, "text/plain",
	                     "Too Many Requests", 17, msg, sizeof(msg)),
	    SC_MARKET_RETRY);
	ck_assert_int_eq(sc_yahoo_classify(200, "text/plain",
	                     "Edge: Too Many Requests", 23, msg, sizeof(msg)),
	    SC_MARKET_RETRY);
	ck_assert_int_eq(sc_yahoo_classify(503, NULL, "", 0, msg, sizeof(msg)),
	    SC_MARKET_DOWN);
	ck_assert_int_eq(sc_yahoo_classify(403, NULL, "x", 1, msg, sizeof(msg)),
	    SC_MARKET_AUTH);
	ck_assert_int_eq(sc_yahoo_classify(404, NULL, "", 0, msg, sizeof(msg)),
	    SC_MARKET_NOT_FOUND);
	ck_assert_int_eq(sc_yahoo_classify(418, NULL, "{}", 2, msg,
	                     sizeof(msg)),
	    SC_MARKET_MALFORMED);
	ck_assert_int_eq(sc_yahoo_classify(200, NULL, "{}", 2, msg,
	                     sizeof(msg)),
	    SC_MARKET_MALFORMED);
}
END_TEST

START_TEST(test_yahoo_crumb_cases)
{
	char c[80];

	ck_assert_int_eq(sc_yahoo_crumb(200, "Phb0wzVdPs6", 11, c, sizeof(c)),
	    SC_MARKET_OK);
	ck_assert_str_eq(c, "Phb0wzVdPs6");
	ck_assert_int_eq(sc_yahoo_crumb(200, "Edge: Too Many Requests", 23, c,
	                     sizeof(c)),
	    SC_MARKET_RETRY);
	ck_assert_int_eq(sc_yahoo_crumb(200, "", 0, c, sizeof(c)),
	    SC_MARKET_RETRY);
	ck_assert_int_eq(sc_yahoo_crumb(200, "<html>x</html>", 14, c,
	                     sizeof(c)),
	    SC_MARKET_RETRY);
	ck_assert_int_eq(sc_yahoo_crumb(401, "{}", 2, c, sizeof(c)),
	    SC_MARKET_AUTH);
	ck_assert_int_eq(sc_yahoo_crumb(200, "a b", 3, c, sizeof(c)),
	    SC_MARKET_MALFORMED);
}
END_TEST

START_TEST(test_yahoo_parse_nulls)
{
	struct sc_series s = { 0 };
	struct sc_err e = { 0 };
	size_t len;
	char *body = fixture("yahoo-nulls.json", &len);

	ck_assert_int_eq(sc_yahoo_parse(body, len, day("2025-03-01"),
	                     day("2025-03-31"), NULL, &s, &e),
	    0);
	ck_assert_str_eq(s.ticker, "ACME");
	ck_assert_uint_eq(s.n, 2);
	ck_assert_uint_eq(s.nulls, 1);
	ck_assert_int_eq(s.bars[0].day, day("2025-03-03"));
	ck_assert_int_eq(s.bars[1].day, day("2025-03-05"));
	ck_assert_double_eq(s.bars[0].open, 99.5);
	ck_assert_double_eq(s.bars[0].adj_close, 100.08999633789062);
	ck_assert_double_eq(s.bars[1].volume, 3120450);
	sc_series_free(&s);
	/* the window is by local date, inclusive */
	ck_assert_int_eq(sc_yahoo_parse(body, len, day("2025-03-04"),
	                     day("2025-03-04"), NULL, &s, &e),
	    0);
	ck_assert_uint_eq(s.n, 0);
	sc_series_free(&s);
	free(body);
}
END_TEST

START_TEST(test_yahoo_parse_duplicate_final)
{
	struct sc_series s = { 0 };
	size_t len;
	char *body = fixture("yahoo-duplicate-final.json", &len);

	ck_assert_int_eq(sc_yahoo_parse(body, len, 0, 100000, NULL, &s, NULL),
	    0);
	ck_assert_uint_eq(s.n, 3);
	ck_assert_int_eq(s.bars[2].day, day("2025-03-05"));
	ck_assert_double_eq(s.bars[2].close, 101.37);
	ck_assert_double_eq(s.bars[2].volume, 3120450);
	sc_series_free(&s);
	free(body);
}
END_TEST

START_TEST(test_yahoo_parse_local_date)
{
	struct sc_series s = { 0 };
	size_t len;
	char *body = fixture("yahoo-sydney.json", &len);

	/* 23:00 UTC on the 6th is 10:00 on the 7th in Sydney */
	ck_assert_int_eq(sc_yahoo_parse(body, len, 0, 100000, NULL, &s, NULL),
	    0);
	ck_assert_uint_eq(s.n, 2);
	ck_assert_int_eq(s.bars[0].day, day("2025-01-07"));
	ck_assert_int_eq(s.bars[1].day, day("2025-01-08"));
	sc_series_free(&s);
	free(body);
}
END_TEST

START_TEST(test_yahoo_parse_errors)
{
	struct sc_series s = { 0 };
	struct sc_err e = { 0 };
	size_t len;
	char *body;

	body = fixture("yahoo-truncated.json", &len);
	ck_assert_int_eq(sc_yahoo_parse(body, len, 0, 100000, NULL, &s, &e),
	    -1);
	ck_assert_int_eq(e.code, SC_EPROTO);
	free(body);
	body = fixture("yahoo-mismatch.json", &len);
	ck_assert_int_eq(sc_yahoo_parse(body, len, 0, 100000, NULL, &s, &e),
	    -1);
	ck_assert_int_eq(e.code, SC_EPROTO);
	ck_assert_ptr_nonnull(strstr(e.msg, "lengths"));
	free(body);
	body = fixture("yahoo-empty.json", &len);
	ck_assert_int_eq(sc_yahoo_parse(body, len, 0, 100000, NULL, &s, &e), 0);
	ck_assert_uint_eq(s.n, 0);
	free(body);
	sc_series_free(&s);
	body = "{\"chart\":{\"result\":[{\"meta\":{\"gmtoffset\":0},"
	       "\"timestamp\":[1],\"indicators\":{\"quote\":[{\"close\":"
	       "[\"1\"]}]}}]}}";
	ck_assert_int_eq(sc_yahoo_parse(body, strlen(body), 0, 100000, NULL, &s,
	                     &e),
	    -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "not a number"));
	body = "{\"chart\":{\"result\":[{\"meta\":{\"gmtoffset\":0},"
	       "\"timestamp\":[9223372036854775807],\"indicators\":{"
	       "\"quote\":[{\"close\":[1]}]}}]}}";
	ck_assert_int_eq(sc_yahoo_parse(body, strlen(body), 0, 100000, NULL, &s,
	                     &e),
	    -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "plausible"));
	sc_series_free(&s);
}
END_TEST

/*
 * A bar whose regular session was still open at the answer's time
 * (currentTradingPeriod.regular holds regularMarketTime) is reported; the
 * same answer after the close, a capture-like answer without the fields,
 * and junk are not.
 */
START_TEST(test_yahoo_open_session)
{
	struct sc_series s = { 0 };
	size_t len;
	long d = -1;
	char *body = fixture("yahoo-open.json", &len);

	ck_assert_int_eq(sc_yahoo_open_day(body, len, NULL, &d), 1);
	ck_assert_int_eq(d, day("2025-03-05"));
	/* the parser itself still reads every bar */
	ck_assert_int_eq(sc_yahoo_parse(body, len, 0, 100000, NULL, &s, NULL),
	    0);
	ck_assert_uint_eq(s.n, 3);
	ck_assert_int_eq(s.bars[2].day, d);
	sc_series_free(&s);
	free(body);
	body = fixture("yahoo-closed.json", &len);
	d = -1;
	ck_assert_int_eq(sc_yahoo_open_day(body, len, NULL, &d), 0);
	ck_assert_int_eq(d, -1);
	free(body);
	body = fixture("yahoo-duplicate-final.json", &len);
	ck_assert_int_eq(sc_yahoo_open_day(body, len, NULL, &d), 0);
	free(body);
	ck_assert_int_eq(sc_yahoo_open_day("{", 1, NULL, &d), 0);
	ck_assert_int_eq(sc_yahoo_open_day("{}", 2, NULL, &d), 0);
	body = "{\"chart\":{\"result\":[{\"meta\":{\"gmtoffset\":0,"
	       "\"regularMarketTime\":\"5\",\"currentTradingPeriod\":{"
	       "\"regular\":{\"start\":0,\"end\":10}}}}]}}";
	ck_assert_int_eq(sc_yahoo_open_day(body, strlen(body), NULL, &d), 0);
	/* no known zone: gmtoffset dates it (UTC+1: 23:30 UTC is the 2nd) */
	body = "{\"chart\":{\"result\":[{\"meta\":{\"gmtoffset\":3600,"
	       "\"regularMarketTime\":90000,\"currentTradingPeriod\":{"
	       "\"regular\":{\"start\":84600,\"end\":100000}}}}]}}";
	ck_assert_int_eq(sc_yahoo_open_day(body, strlen(body), NULL, &d), 1);
	ck_assert_int_eq(d, 1);
}
END_TEST

/* Compare a parsed series with an expected CSV, numerically. */
static void
compare(const char *json, const char *csv, const char *name)
{
	struct sc_series s = { 0 };
	struct sc_err e = { 0 };
	struct sc_csv *r;
	size_t len, i = 0, k;
	char *body = slurp(json, &len), date[SC_DATE_BUFSZ];
	FILE *fp = fopen(csv, "r");

	ck_assert_ptr_nonnull(body);
	ck_assert_ptr_nonnull(fp);
	ck_assert_msg(sc_yahoo_parse(body, len, 0, 200000, NULL, &s, &e) == 0,
	    "%s: %s", name, e.msg);
	r = sc_csv_open(fp, NULL, 1, &e);
	ck_assert_ptr_nonnull(r);
	while (sc_csv_read(r, &e) == 1) {
		ck_assert_msg(i < s.n, "%s: too few rows", name);
		ck_assert_str_eq(sc_date_fmt(s.bars[i].day, date),
		    sc_csv_field(r, 0));
		ck_assert_str_eq(s.ticker, sc_csv_field(r, 1));
		for (k = 2; k < 8; k++) {
			const double *v = &s.bars[i].open;
			double want = NAN,
			       got = k == 7 ? s.bars[i].volume : v[k - 2];

			sc_csv_num(r, k, &want, &e);
			ck_assert_msg((isnan(want) && isnan(got)) ||
			        want == got,
			    "%s: row %zu column %zu: %.17g != %.17g", name,
			    i + 1, k, got, want);
		}
		i++;
	}
	ck_assert_msg(i == s.n, "%s: %zu rows, want %zu", name, s.n, i);
	sc_csv_free(r);
	fclose(fp);
	free(body);
	sc_series_free(&s);
}

START_TEST(test_yahoo_captures_expected)
{
	const char *shared = sc_test_shared();
	char dir[512], json[1024], csv[1024];
	struct dirent *d;
	DIR *dp;
	int n = 0;

	if (shared == NULL) {
		fprintf(stderr, "skipped: no shared test data\n");
		return;
	}
	snprintf(dir, sizeof(dir), "%s/yahoo-captures", shared);
	if ((dp = opendir(dir)) == NULL) {
		fprintf(stderr, "skipped: %s absent\n", dir);
		return;
	}
	while ((d = readdir(dp)) != NULL) {
		size_t len = strlen(d->d_name);

		if (len < 14 ||
		    strcmp(d->d_name + len - 13, ".expected.csv") != 0)
			continue;
		snprintf(csv, sizeof(csv), "%s/%s", dir, d->d_name);
		snprintf(json, sizeof(json), "%s/%.*s.json", dir,
		    (int)(len - 13), d->d_name);
		compare(json, csv, d->d_name);
		n++;
	}
	closedir(dp);
	ck_assert_int_ge(n, 20);
}
END_TEST

START_TEST(test_yahoo_captures_errors)
{
	static const struct {
		const char *file;
		long status;
		enum sc_market_class want;
	} cases[] = {
		{ "historical-via-chart-SI-2020-01-01-to-2020-01-03.json", 404,
		    SC_MARKET_NOT_FOUND },
		{ "chart-BEKE-2020-01-01-to-2020-01-03.json", 400,
		    SC_MARKET_NOT_FOUND },
		{ "chart-APS.AX-2020-01-01-to-2020-01-03.json", 200,
		    SC_MARKET_EMPTY },
		{ "chart-^VXAPL-2020-01-01-to-2020-01-03.json", 200,
		    SC_MARKET_EMPTY },
		{ "chart-notimestamp-quotes-length.fake.json", 200,
		    SC_MARKET_MALFORMED },
		{ "chart-AAPL.json", 200, SC_MARKET_OK },
	};
	const char *shared = sc_test_shared();
	char path[1024], msg[200];
	size_t i, len;
	char *body;

	if (shared == NULL) {
		fprintf(stderr, "skipped: no shared test data\n");
		return;
	}
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(path, sizeof(path), "%s/yahoo-captures/%s", shared,
		    cases[i].file);
		if ((body = slurp(path, &len)) == NULL) {
			fprintf(stderr, "skipped: %s absent\n", path);
			continue;
		}
		ck_assert_msg(sc_yahoo_classify(cases[i].status,
		                  "application/json", body, len, msg,
		                  sizeof(msg)) == cases[i].want,
		    "%s", cases[i].file);
		free(body);
	}
}
END_TEST

/* Every prefix of every fixture: judged and parsed without a crash. */
START_TEST(test_yahoo_robust_prefixes)
{
	static const char *const names[] = { "yahoo-nulls.json",
		"yahoo-duplicate-final.json", "yahoo-empty.json",
		"yahoo-notfound.json", "yahoo-sydney.json" };
	char msg[200];
	size_t i, n, len;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char *body = fixture(names[i], &len);

		for (n = 0; n <= len; n++) {
			struct sc_series s = { 0 };
			struct sc_err e = { 0 };
			char *copy = malloc(n + 1);

			memcpy(copy, body, n);
			copy[n] = '\0';
			(void)sc_yahoo_classify(200, NULL, copy, n, msg,
			    sizeof(msg));
			if (sc_yahoo_parse(copy, n, 0, 100000, NULL, &s, &e) ==
			    -1)
				ck_assert_int_ne(e.code, SC_EOK);
			sc_series_free(&s);
			free(copy);
		}
		free(body);
	}
}
END_TEST

Suite *
sc_yahoo_suite(void)
{
	Suite *s = suite_create("yahoo");
	TCase *tc;

	tc = tcase_create("url");
	tcase_add_test(tc, test_yahoo_url_escapes);
	suite_add_tcase(s, tc);
	tc = tcase_create("classify");
	tcase_add_test(tc, test_yahoo_classify_bodies);
	tcase_add_test(tc, test_yahoo_classify_status);
	tcase_add_test(tc, test_yahoo_classify_deep_nesting);
	tcase_add_test(tc, test_yahoo_crumb_cases);
	suite_add_tcase(s, tc);
	tc = tcase_create("parse");
	tcase_add_test(tc, test_yahoo_parse_nulls);
	tcase_add_test(tc, test_yahoo_parse_duplicate_final);
	tcase_add_test(tc, test_yahoo_parse_local_date);
	tcase_add_test(tc, test_yahoo_parse_errors);
	tcase_add_test(tc, test_yahoo_open_session);
	suite_add_tcase(s, tc);
	tc = tcase_create("captures");
	tcase_add_test(tc, test_yahoo_captures_expected);
	tcase_add_test(tc, test_yahoo_captures_errors);
	suite_add_tcase(s, tc);
	tc = tcase_create("robust");
	tcase_add_test(tc, test_yahoo_robust_prefixes);
	suite_add_tcase(s, tc);
	return s;
}
