/* SPDX-License-Identifier: ISC */
/* Alpha Vantage: URL, the HTTP-200 error texts, parsing, key redaction. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "sc_alphav.h"
#include "sc_buf.h"
#include "sc_date.h"

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
classify(const char *name, char *msg)
{
	size_t len;
	char *body = fixture(name, &len);
	enum sc_market_class c =
	    sc_alphav_classify(200, "application/json", body, len, msg, 200);

	free(body);
	return c;
}

START_TEST(test_alphav_url_build)
{
	struct sc_buf b = { 0 };

	ck_assert_int_eq(sc_alphav_url(&b, "https://www.alphavantage.co",
	                     "TSCO.LON", 0, "KEY", NULL),
	    0);
	ck_assert_str_eq(b.data,
	    "https://www.alphavantage.co/query?function=TIME_SERIES_DAILY"
	    "&symbol=TSCO.LON&outputsize=compact&datatype=json&apikey=KEY");
	sc_buf_free(&b);
}
END_TEST

START_TEST(test_alphav_classify_texts)
{
	char msg[200];

	ck_assert_int_eq(classify("alphav-ok.json", msg), SC_MARKET_OK);
	ck_assert_int_eq(classify("alphav-quota.json", msg), SC_MARKET_QUOTA);
	ck_assert_ptr_null(strstr(msg, "SECRETKEY123"));
	ck_assert_ptr_nonnull(strstr(msg, "API key as ***"));
	ck_assert_int_eq(classify("alphav-burst.json", msg), SC_MARKET_RETRY);
	ck_assert_int_eq(classify("alphav-invalid.json", msg),
	    SC_MARKET_NOT_FOUND);
	ck_assert_ptr_nonnull(strstr(msg, "Invalid API call"));
	ck_assert_int_eq(classify("alphav-badkey.json", msg), SC_MARKET_BADKEY);
	ck_assert_int_eq(classify("alphav-premium.json", msg),
	    SC_MARKET_PREMIUM);
	ck_assert_int_eq(classify("alphav-note.json", msg), SC_MARKET_RETRY);
	ck_assert_int_eq(classify("alphav-truncated.json", msg),
	    SC_MARKET_MALFORMED);
	ck_assert_int_eq(classify("yahoo-blocked.html", msg),
	    SC_MARKET_BLOCKED);
	ck_assert_int_eq(sc_alphav_classify(200, NULL, "{\"x\":1}", 7, msg,
	                     200),
	    SC_MARKET_MALFORMED);
	ck_assert_int_eq(sc_alphav_classify(200, NULL,
	                     "{\"Time Series (Daily)\":{}}", 26, msg, 200),
	    SC_MARKET_EMPTY);
	ck_assert_int_eq(sc_alphav_classify(503, NULL, "", 0, msg, 200),
	    SC_MARKET_DOWN);
}
END_TEST

START_TEST(test_alphav_parse_ok)
{
	struct sc_series s = { 0 };
	struct sc_err e = { 0 };
	size_t len;
	char *body = fixture("alphav-ok.json", &len);

	ck_assert_int_eq(sc_alphav_parse(body, len, day("2025-03-04"),
	                     day("2025-03-31"), &s, &e),
	    0);
	ck_assert_uint_eq(s.n, 2);
	ck_assert_int_eq(s.bars[0].day, day("2025-03-04"));
	ck_assert_int_eq(s.bars[1].day, day("2025-03-05"));
	ck_assert_double_eq(s.bars[1].close, 101.37);
	ck_assert_double_eq(s.bars[0].volume, 2411873);
	ck_assert(isnan(s.bars[0].adj_close));
	sc_series_free(&s);
	free(body);
}
END_TEST

START_TEST(test_alphav_parse_errors)
{
	struct sc_series s = { 0 };
	struct sc_err e = { 0 };
	size_t len;
	char *body = fixture("alphav-truncated.json", &len);
	const char *bad = "{\"Time Series (Daily)\":{\"2025-03-05\":"
	                  "{\"4. close\":\"1x\"}}}";

	ck_assert_int_eq(sc_alphav_parse(body, len, 0, 100000, &s, &e), -1);
	ck_assert_int_eq(e.code, SC_EPROTO);
	free(body);
	ck_assert_int_eq(sc_alphav_parse(bad, strlen(bad), 0, 100000, &s, &e),
	    -1);
	ck_assert_int_eq(e.code, SC_EPROTO);
	bad = "{\"Time Series (Daily)\":{\"2025-02-30\":{}}}";
	ck_assert_int_eq(sc_alphav_parse(bad, strlen(bad), 0, 100000, &s, &e),
	    -1);
	bad = "{\"Information\":\"x\"}";
	ck_assert_int_eq(sc_alphav_parse(bad, strlen(bad), 0, 100000, &s, &e),
	    -1);
	sc_series_free(&s);
}
END_TEST

/* Every prefix of every fixture: judged and parsed without a crash. */
START_TEST(test_alphav_robust_prefixes)
{
	static const char *const names[] = { "alphav-ok.json",
		"alphav-quota.json", "alphav-badkey.json" };
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
			(void)sc_alphav_classify(200, NULL, copy, n, msg,
			    sizeof(msg));
			if (sc_alphav_parse(copy, n, 0, 100000, &s, &e) == -1)
				ck_assert_int_ne(e.code, SC_EOK);
			sc_series_free(&s);
			free(copy);
		}
		free(body);
	}
}
END_TEST

Suite *
sc_alphav_suite(void)
{
	Suite *s = suite_create("alphav");
	TCase *tc;

	tc = tcase_create("url");
	tcase_add_test(tc, test_alphav_url_build);
	suite_add_tcase(s, tc);
	tc = tcase_create("classify");
	tcase_add_test(tc, test_alphav_classify_texts);
	suite_add_tcase(s, tc);
	tc = tcase_create("parse");
	tcase_add_test(tc, test_alphav_parse_ok);
	tcase_add_test(tc, test_alphav_parse_errors);
	suite_add_tcase(s, tc);
	tc = tcase_create("robust");
	tcase_add_test(tc, test_alphav_robust_prefixes);
	suite_add_tcase(s, tc);
	return s;
}
