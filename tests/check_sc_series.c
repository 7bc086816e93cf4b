/* SPDX-License-Identifier: ISC */
/*
 * The series: sorting and de-duplication, and the OHLCV writer (order,
 * merging, number formats, write errors).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "sc_series.h"

static struct sc_bar
bar(long day, double close, double volume)
{
	struct sc_bar b = { day, close - 1, close + 1, close - 2, close, NAN,
		volume };

	return b;
}

START_TEST(test_series_sort_dedupe)
{
	struct sc_series s = { 0 };
	struct sc_bar b;

	b = bar(3, 30, 1);
	sc_series_add(&s, &b, NULL);
	b = bar(1, 10, 1);
	sc_series_add(&s, &b, NULL);
	b = bar(3, 31, 2); /* a later bar of day 3 wins */
	sc_series_add(&s, &b, NULL);
	b = bar(2, 20, 1);
	sc_series_add(&s, &b, NULL);
	ck_assert_uint_eq(sc_series_sort(&s), 1);
	ck_assert_uint_eq(s.n, 3);
	ck_assert_int_eq(s.bars[0].day, 1);
	ck_assert_int_eq(s.bars[2].day, 3);
	ck_assert_double_eq(s.bars[2].close, 31);
	ck_assert_uint_eq(sc_series_sort(&s), 0);
	sc_series_free(&s);
	ck_assert_ptr_null(s.bars);
	ck_assert_uint_eq(sc_series_sort(&s), 0);
}
END_TEST

START_TEST(test_series_write_sorted)
{
	struct sc_series s[3] = { { .ticker = "MSFT" }, { .ticker = "AAPL" },
		{ .ticker = "MSFT" } };
	struct sc_bar b;
	char *text = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);

	b = bar(20000, 10.5, 18565664997.0);
	sc_series_add(&s[0], &b, NULL);
	b = bar(20001, 1e-7, NAN);
	sc_series_add(&s[1], &b, NULL);
	b = bar(20000, 1500, 0);
	b.adj_close = 1499.25;
	sc_series_add(&s[1], &b, NULL);
	b = bar(20000, 99, 5); /* same ticker and date as s[0]: dropped */
	sc_series_add(&s[2], &b, NULL);
	b = bar(19999, 9, 5);
	sc_series_add(&s[2], &b, NULL);
	ck_assert_int_eq(sc_series_write(fp, s, 3, NULL), 0);
	fclose(fp);
	ck_assert_str_eq(text,
	    "date,ticker,open,high,low,close,adj_close,volume\n"
	    "2024-10-04,AAPL,1499,1501,1498,1500,1499.25,0\n"
	    "2024-10-05,AAPL,-0.9999999,1.0000001,-1.9999999,1e-07,,\n"
	    "2024-10-03,MSFT,8,10,7,9,,5\n"
	    "2024-10-04,MSFT,9.5,11.5,8.5,10.5,,18565664997\n");
	free(text);
	sc_series_free(&s[0]);
	sc_series_free(&s[1]);
	sc_series_free(&s[2]);
}
END_TEST

/*
 * A capacity whose doubled size in bytes wraps around: refused with
 * SC_EOS and nothing changes (a hand-written cap * 2 * size would ask
 * realloc for a few bytes and write past them).
 */
START_TEST(test_series_add_overflow)
{
	struct sc_series s = { .ticker = "AAPL" };
	struct sc_err e = { 0 };
	struct sc_bar b = bar(20000, 10, 1);
	size_t cap = SIZE_MAX / (2 * sizeof(struct sc_bar)) + 1;

	s.n = s.cap = cap;
	ck_assert_int_eq(sc_series_add(&s, &b, &e), -1);
	ck_assert_int_eq(e.code, SC_EOS);
	ck_assert_ptr_null(s.bars);
	ck_assert_uint_eq(s.cap, cap);
	ck_assert_uint_eq(s.n, cap);
}
END_TEST

START_TEST(test_series_write_error)
{
	struct sc_series s = { .ticker = "AAPL" };
	struct sc_err e = { 0 };
	struct sc_bar b = bar(20000, 10, 1);
	FILE *fp = fopen("/dev/full", "w");

	if (fp == NULL)
		return; /* no /dev/full here */
	ck_assert_int_eq(sc_series_add(&s, &b, &e), 0);
	setvbuf(fp, NULL, _IONBF, 0);
	ck_assert_int_eq(sc_series_write(fp, &s, 1, &e), -1);
	ck_assert_int_eq(e.code, SC_EIO);
	fclose(fp);
	sc_series_free(&s);
}
END_TEST

START_TEST(test_series_write_empty)
{
	char *text = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);

	ck_assert_int_eq(sc_series_write(fp, NULL, 0, NULL), 0);
	fclose(fp);
	ck_assert_str_eq(text,
	    "date,ticker,open,high,low,close,adj_close,volume\n");
	free(text);
}
END_TEST

Suite *
sc_series_suite(void)
{
	Suite *s = suite_create("series");
	TCase *tc;

	tc = tcase_create("series");
	tcase_add_test(tc, test_series_sort_dedupe);
	tcase_add_test(tc, test_series_add_overflow);
	suite_add_tcase(s, tc);
	tc = tcase_create("write");
	tcase_add_test(tc, test_series_write_sorted);
	tcase_add_test(tc, test_series_write_error);
	tcase_add_test(tc, test_series_write_empty);
	suite_add_tcase(s, tc);
	return s;
}
