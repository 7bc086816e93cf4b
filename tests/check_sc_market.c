/* SPDX-License-Identifier: ISC */
/*
 * The shared market-data layer: classes and exit codes, snippets, and a
 * fetch session on the offline synthetic source (the series and its
 * writer are tested in check_sc_series.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "sc_config.h"
#include "sc_date.h"
#include "sc_market.h"

START_TEST(test_market_classes_codes)
{
	ck_assert_int_eq(sc_market_errcode(SC_MARKET_OK), SC_EOK);
	ck_assert_int_eq(sc_market_errcode(SC_MARKET_EMPTY), SC_EOK);
	ck_assert_int_eq(sc_market_errcode(SC_MARKET_NOT_FOUND), SC_ENOINPUT);
	ck_assert_int_eq(sc_market_errcode(SC_MARKET_RETRY), SC_ETEMP);
	ck_assert_int_eq(sc_market_errcode(SC_MARKET_QUOTA), SC_ETEMP);
	ck_assert_int_eq(sc_market_errcode(SC_MARKET_AUTH), SC_ENOPERM);
	ck_assert_int_eq(sc_market_errcode(SC_MARKET_BLOCKED), SC_ENOPERM);
	ck_assert_int_eq(sc_market_errcode(SC_MARKET_BADKEY), SC_ECONFIG);
	ck_assert_int_eq(sc_market_errcode(SC_MARKET_DOWN), SC_EUNAVAIL);
	ck_assert_int_eq(sc_market_errcode(SC_MARKET_MALFORMED), SC_EPROTO);
	ck_assert_str_eq(sc_market_class_name(SC_MARKET_QUOTA),
	    "daily quota exhausted");
}
END_TEST

START_TEST(test_market_snippet_html)
{
	char msg[16];

	sc_market_snippet("a\r\n\tb  c", 8, msg, sizeof(msg));
	ck_assert_str_eq(msg, "a b c");
	sc_market_snippet("0123456789abcdefghij", 20, msg, sizeof(msg));
	ck_assert_str_eq(msg, "0123456789ab...");
	ck_assert(sc_market_is_html("\xef\xbb\xbf \n<!DOCTYPE html>", 20));
	ck_assert(sc_market_is_html("<HTML><body>", 12));
	ck_assert(!sc_market_is_html("{\"a\":1}", 7));
	ck_assert(!sc_market_is_html("<", 1));
	ck_assert(sc_market_symbol_valid("BRK-B"));
	ck_assert(sc_market_symbol_valid("^GSPC"));
	ck_assert(sc_market_symbol_valid("EURUSD=X"));
	ck_assert(!sc_market_symbol_valid(""));
	ck_assert(!sc_market_symbol_valid("A/B"));
	ck_assert(!sc_market_symbol_valid("A B"));
	ck_assert(!sc_market_symbol_valid("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456"));
	ck_assert(sc_market_source_known("alphavantage"));
	ck_assert(!sc_market_source_known("s3"));
}
END_TEST

START_TEST(test_market_fetch_synthetic)
{
	struct sc_config cfg = { 0 };
	struct sc_market_opts o = { &cfg, 0, 0, 5, NULL };
	struct sc_series s = { 0 };
	struct sc_err e = { 0 };
	struct sc_market *m;

	o.from = sc_date_from_ymd(2025, 1, 1);
	o.to = sc_date_from_ymd(2025, 1, 31);
	m = sc_market_new(&o, &e);
	ck_assert_ptr_nonnull(m);
	ck_assert_int_eq(sc_market_fetch(m, "synthetic", "AAPL", &s, &e), 0);
	ck_assert_uint_eq(s.n, 20);
	ck_assert_str_eq(s.ticker, "AAPL");
	sc_series_free(&s);
	ck_assert_int_eq(sc_market_fetch(m, "nope", "AAPL", &s, &e), -1);
	ck_assert_int_eq(e.code, SC_EUSAGE);
	ck_assert_int_eq(sc_market_fetch(m, "yahoo", "A/B", &s, &e), -1);
	ck_assert_int_eq(e.code, SC_EUSAGE);
	ck_assert_int_eq(sc_market_fetch(m, "stooq", "aapl.us", &s, &e), -1);
	ck_assert_int_eq(e.code, SC_ECONFIG);
	ck_assert_ptr_nonnull(strstr(e.msg, "SC_STOOQ_APIKEY"));
	ck_assert_int_eq(sc_market_fetch(m, "alphavantage", "IBM", &s, &e), -1);
	ck_assert_int_eq(e.code, SC_ECONFIG);
	ck_assert_ptr_nonnull(strstr(e.msg, "ALPHAVANTAGE_API_KEY"));
	sc_market_free(m);
	sc_market_free(NULL);
	o.from = o.to + 1;
	ck_assert_ptr_null(sc_market_new(&o, &e));
	ck_assert_int_eq(e.code, SC_EUSAGE);
}
END_TEST

Suite *
sc_market_suite(void)
{
	Suite *s = suite_create("market");
	TCase *tc;

	tc = tcase_create("classes");
	tcase_add_test(tc, test_market_classes_codes);
	tcase_add_test(tc, test_market_snippet_html);
	suite_add_tcase(s, tc);
	tc = tcase_create("fetch");
	tcase_add_test(tc, test_market_fetch_synthetic);
	suite_add_tcase(s, tc);
	return s;
}
