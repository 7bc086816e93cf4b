/* SPDX-License-Identifier: ISC */
/* Stooq CSV: URL, classification of its HTTP-200 errors, parsing. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "sc_buf.h"
#include "sc_date.h"
#include "sc_stooq.h"

static char *
fixture(const char *name, size_t *len)
{
	static const char *const dirs[] = { "data/market",
		"tests/data/market" };
	struct sc_buf b = { 0 };
	char path[256];
	size_t i;
	FILE *fp = NULL;

	for (i = 0; i < 2 && fp == NULL; i++) {
		snprintf(path, sizeof(path), "%s/%s", dirs[i], name);
		fp = fopen(path, "rb");
	}
	ck_assert_msg(fp != NULL, "fixture %s missing", name);
	ck_assert_int_eq(sc_buf_read(&b, fp, name, NULL), 0);
	ck_assert_int_eq(sc_buf_add(&b, "", 0, NULL), 0);
	fclose(fp);
	*len = b.len;
	return b.data;
}

static long
day(const char *s)
{
	long d;

	ck_assert_int_eq(sc_date_parse(s, strlen(s), &d), 0);
	return d;
}

static enum sc_market_class
classify(long status, const char *name, char *msg)
{
	size_t len;
	char *body = fixture(name, &len);
	enum sc_market_class c =
	    sc_stooq_classify(status, "text/plain", body, len, msg, 200);

	free(body);
	return c;
}

START_TEST(test_stooq_url_build)
{
	struct sc_buf b = { 0 };

	ck_assert_int_eq(sc_stooq_url(&b, "https://stooq.com/", "aapl.us",
	                     day("2025-03-03"), day("2025-03-05"), "k&y", NULL),
	    0);
	ck_assert_str_eq(b.data,
	    "https://stooq.com/q/d/l/?s=aapl.us&i=d&d1=20250303&d2=20250305"
	    "&apikey=k%26y");
	sc_buf_free(&b);
}
END_TEST

START_TEST(test_stooq_classify_bodies)
{
	char msg[200];

	ck_assert_int_eq(classify(200, "stooq-ok.csv", msg), SC_MARKET_OK);
	ck_assert_int_eq(classify(200, "stooq-index-crlf.csv", msg),
	    SC_MARKET_OK);
	ck_assert_int_eq(classify(200, "stooq-nodata.txt", msg),
	    SC_MARKET_NOT_FOUND);
	ck_assert_str_eq(msg, "No data");
	ck_assert_int_eq(classify(200, "stooq-limit.txt", msg),
	    SC_MARKET_QUOTA);
	ck_assert_int_eq(classify(200, "stooq-apikey.html", msg),
	    SC_MARKET_BADKEY);
	ck_assert_int_eq(classify(200, "yahoo-blocked.html", msg),
	    SC_MARKET_BLOCKED);
	ck_assert_int_eq(classify(429, "stooq-ok.csv", msg), SC_MARKET_RETRY);
	ck_assert_int_eq(classify(502, "stooq-ok.csv", msg), SC_MARKET_DOWN);
	ck_assert_int_eq(classify(200, "alphav-ok.json", msg),
	    SC_MARKET_MALFORMED);
	ck_assert_int_eq(sc_stooq_classify(200, NULL, "", 0, msg, 200),
	    SC_MARKET_EMPTY);
	ck_assert_int_eq(sc_stooq_classify(200, NULL,
	                     "Date,Open,High,Low,Close,Volume\r\n", 33, msg,
	                     200),
	    SC_MARKET_EMPTY);
}
END_TEST

START_TEST(test_stooq_parse_ok)
{
	struct sc_series s = { 0 };
	struct sc_err e = { 0 };
	size_t len;
	char *body = fixture("stooq-nulls.csv", &len);

	ck_assert_int_eq(sc_stooq_parse(body, len, day("2025-03-01"),
	                     day("2025-03-04"), &s, &e),
	    0);
	ck_assert_uint_eq(s.n, 2);
	ck_assert_uint_eq(s.nulls, 1);
	ck_assert_double_eq(s.bars[1].close, 99.87);
	ck_assert_double_eq(s.bars[1].volume, 2411873);
	ck_assert(isnan(s.bars[1].adj_close));
	sc_series_free(&s);
	free(body);
	body = fixture("stooq-index-crlf.csv", &len);
	ck_assert_int_eq(sc_stooq_parse(body, len, 0, 100000, &s, &e), 0);
	ck_assert_uint_eq(s.n, 2);
	ck_assert_uint_eq(s.nulls, 1);
	ck_assert_double_eq(s.bars[0].open, 5954.5);
	ck_assert(isnan(s.bars[0].volume));
	sc_series_free(&s);
	free(body);
}
END_TEST

START_TEST(test_stooq_parse_errors)
{
	struct sc_series s = { 0 };
	struct sc_err e = { 0 };
	size_t len;
	char *body = fixture("stooq-truncated.csv", &len);

	ck_assert_int_eq(sc_stooq_parse(body, len, 0, 100000, &s, &e), -1);
	ck_assert_int_eq(e.code, SC_EPROTO);
	ck_assert_int_eq(e.line, 3);
	sc_series_free(&s);
	free(body);
	body = "Date,Open,High,Low,Close\n2025-13-01,1,1,1,1\n";
	ck_assert_int_eq(sc_stooq_parse(body, strlen(body), 0, 100000, &s, &e),
	    -1);
	ck_assert_int_eq(e.line, 2);
	body = "Date,Open,High,Low,Close\n2025-03-01,1,1,1,x\n";
	ck_assert_int_eq(sc_stooq_parse(body, strlen(body), 0, 100000, &s, &e),
	    -1);
	ck_assert_int_eq(e.code, SC_EPROTO);
	sc_series_free(&s);
}
END_TEST

/* Every prefix of every fixture: judged and parsed without a crash. */
START_TEST(test_stooq_robust_prefixes)
{
	static const char *const names[] = { "stooq-ok.csv",
		"stooq-index-crlf.csv", "stooq-nulls.csv" };
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
			(void)sc_stooq_classify(200, NULL, copy, n, msg,
			    sizeof(msg));
			if (sc_stooq_parse(copy, n, 0, 100000, &s, &e) == -1)
				ck_assert_int_ne(e.code, SC_EOK);
			sc_series_free(&s);
			free(copy);
		}
		free(body);
	}
}
END_TEST

Suite *
sc_stooq_suite(void)
{
	Suite *s = suite_create("stooq");
	TCase *tc;

	tc = tcase_create("url");
	tcase_add_test(tc, test_stooq_url_build);
	suite_add_tcase(s, tc);
	tc = tcase_create("classify");
	tcase_add_test(tc, test_stooq_classify_bodies);
	suite_add_tcase(s, tc);
	tc = tcase_create("parse");
	tcase_add_test(tc, test_stooq_parse_ok);
	tcase_add_test(tc, test_stooq_parse_errors);
	suite_add_tcase(s, tc);
	tc = tcase_create("robust");
	tcase_add_test(tc, test_stooq_robust_prefixes);
	suite_add_tcase(s, tc);
	return s;
}
