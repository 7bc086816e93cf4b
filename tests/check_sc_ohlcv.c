/* SPDX-License-Identifier: ISC */
/*
 * OHLCV reader: columns by name, missing values, one ticker at a time with
 * memory for one history, every kind of bad row with its line, and the
 * writer read back.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "check_sc.h"
#include "sc_date.h"
#include "sc_ohlcv.h"

#define HDR "date,ticker,open,high,low,close,adj_close,volume\n"

START_TEST(test_ohlcv_read_tickers)
{
	/* Columns shuffled, an extra one, empty optional cells. */
	FILE *fp = sc_test_str("volume,close,note,ticker,date,open\n"
	                       "100,10.5,x,AAPL,2025-01-02,10\n"
	                       ",11,,AAPL,2025-01-03,\n"
	                       "\n"
	                       "7,20,y,MSFT,2025-01-02,19.5\n");
	struct sc_ohlcv_series s = { 0 };
	struct sc_err e = { 0 };
	struct sc_ohlcv *r = sc_ohlcv_open(fp, &e);
	char d[SC_DATE_BUFSZ];

	ck_assert_msg(r != NULL, "%s", e.msg);
	ck_assert(sc_ohlcv_has(r, SC_OHLCV_OPEN));
	ck_assert(!sc_ohlcv_has(r, SC_OHLCV_HIGH));
	ck_assert(sc_ohlcv_has(r, SC_OHLCV_VOLUME));
	ck_assert_int_eq(sc_ohlcv_next(r, &s, &e), 1);
	ck_assert_str_eq(s.ticker, "AAPL");
	ck_assert_uint_eq(s.n, 2);
	ck_assert_str_eq(sc_date_fmt(s.date[1], d), "2025-01-03");
	ck_assert_double_eq(s.v[SC_OHLCV_CLOSE][0], 10.5);
	ck_assert_double_eq(s.v[SC_OHLCV_OPEN][0], 10);
	ck_assert(isnan(s.v[SC_OHLCV_OPEN][1]));
	ck_assert(isnan(s.v[SC_OHLCV_VOLUME][1]));
	ck_assert(isnan(s.v[SC_OHLCV_HIGH][0]));
	ck_assert_int_eq(s.first_line, 2);
	ck_assert_int_eq(s.last_line, 3);
	ck_assert_int_eq(sc_ohlcv_next(r, &s, &e), 1);
	ck_assert_str_eq(s.ticker, "MSFT");
	ck_assert_uint_eq(s.n, 1);
	ck_assert_int_eq(s.first_line, 5);
	ck_assert_double_eq(s.v[SC_OHLCV_VOLUME][0], 7);
	ck_assert_int_eq(sc_ohlcv_next(r, &s, &e), 0);
	ck_assert_uint_eq(s.n, 0);
	ck_assert_int_eq(sc_ohlcv_next(r, &s, &e), 0);
	ck_assert_uint_eq(sc_ohlcv_rows(r), 3);
	sc_ohlcv_free(r);
	sc_ohlcv_free(NULL);
	sc_ohlcv_series_free(&s);
	fclose(fp);
}
END_TEST

START_TEST(test_ohlcv_read_header_only)
{
	FILE *fp = sc_test_str(HDR);
	struct sc_ohlcv_series s = { 0 };
	struct sc_err e = { 0 };
	struct sc_ohlcv *r = sc_ohlcv_open(fp, &e);

	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(sc_ohlcv_next(r, &s, &e), 0);
	ck_assert_uint_eq(sc_ohlcv_rows(r), 0);
	sc_ohlcv_free(r);
	fclose(fp);
}
END_TEST

START_TEST(test_ohlcv_read_streams)
{
	/* 500 tickers of 100 days: the series never holds more than one. */
	size_t i, j, ntick = 500, ndays = 100;
	char *text = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);
	struct sc_ohlcv_series s = { 0 };
	struct sc_err e = { 0 };
	struct sc_ohlcv *r;
	char d[SC_DATE_BUFSZ];

	fputs(HDR, fp);
	for (i = 0; i < ntick; i++)
		for (j = 0; j < ndays; j++)
			fprintf(fp, "%s,T%04zu,1,2,0.5,%zu,1,10\n",
			    sc_date_fmt(20000 + (long)j, d), i, j + 1);
	fclose(fp);
	fp = sc_test_str(text);
	r = sc_ohlcv_open(fp, &e);
	for (i = 0; i < ntick; i++) {
		ck_assert_int_eq(sc_ohlcv_next(r, &s, &e), 1);
		ck_assert_uint_eq(s.n, ndays);
		ck_assert_double_eq(s.v[SC_OHLCV_CLOSE][ndays - 1],
		    (double)ndays);
		ck_assert_uint_le(s.cap, 256);
	}
	ck_assert_int_eq(sc_ohlcv_next(r, &s, &e), 0);
	ck_assert_uint_eq(sc_ohlcv_rows(r), ntick * ndays);
	sc_ohlcv_free(r);
	sc_ohlcv_series_free(&s);
	fclose(fp);
	free(text);
}
END_TEST

/* Read text to the end; return the first error (code SC_EOK if none). */
static struct sc_err
read_all(const char *text)
{
	FILE *fp = sc_test_str(text);
	struct sc_ohlcv_series s = { 0 };
	struct sc_err e = { 0 };
	struct sc_ohlcv *r = sc_ohlcv_open(fp, &e);
	int rc;

	if (r != NULL) {
		while ((rc = sc_ohlcv_next(r, &s, &e)) == 1)
			;
		if (rc == 0)
			sc_err_clear(&e);
	}
	sc_ohlcv_free(r);
	sc_ohlcv_series_free(&s);
	fclose(fp);
	return e;
}

#define ROW1 "2025-01-02,AAPL,1,2,0.5,1.5,1.4,100\n"
#define ROW2 "2025-01-03,AAPL,1,2,0.5,1.5,1.4,100\n"

START_TEST(test_ohlcv_errors_rows)
{
	static const struct {
		const char *text;
		long line;
		const char *msg;
	} bad[] = {
		{ HDR ROW1 ROW2 ROW1, 4,
		    "AAPL 2025-01-02: date not after the previous row "
		    "(2025-01-03)" },
		{ HDR ROW1 ROW2 ROW2, 4, "AAPL 2025-01-03: duplicate date" },
		{ HDR "2025-01-02,MSFT,1,2,0.5,1.5,1.4,100\n" ROW1, 3,
		    "ticker \"AAPL\" after \"MSFT\": rows must be sorted by "
		    "ticker then date" },
		{ HDR ROW1 "2025-01-03,AAPL,1,2,0.5,-1.5,1.4,100\n", 3,
		    "AAPL 2025-01-03: column \"close\": not positive: -1.5" },
		{ HDR ROW1 "2025-01-03,AAPL,1,2,0.5,0,1.4,100\n", 3,
		    "AAPL 2025-01-03: column \"close\": not positive: 0" },
		{ HDR "2025-01-03,AAPL,-1,2,0.5,1,1.4,100\n", 2,
		    "AAPL 2025-01-03: column \"open\": not positive: -1" },
		{ HDR "2025-01-03,AAPL,1,2,0.5,1,1.4,-100\n", 2,
		    "AAPL 2025-01-03: column \"volume\": negative: -100" },
		{ HDR ROW1 "2025-01-03,AAPL,1,2,0.5,,1.4,100\n", 3,
		    "AAPL 2025-01-03: column \"close\": missing" },
		{ HDR "2025-02-30,AAPL,1,2,0.5,1,1.4,100\n", 2,
		    "column \"date\": not a date (want YYYY-MM-DD): "
		    "\"2025-02-30\"" },
		{ HDR "2025/01/02,AAPL,1,2,0.5,1,1.4,100\n", 2,
		    "column \"date\": not a date" },
		{ HDR ROW1 "2025-01-03,AAPL,1,2,0.5,\"1,2x\",1.4,100\n", 3,
		    "column \"close\": not a number: \"1,2x\"" },
		{ HDR "2025-01-03,AAPL,1,2,0.5,nan,1.4,100\n", 2,
		    "column \"close\": not a number: \"nan\"" },
		{ HDR "2025-01-03,AAPL,1,2,0.5,1,1.4,1e999\n", 2,
		    "column \"volume\": not a number" },
		{ HDR "2025-01-03,,1,2,0.5,1,1.4,100\n", 2,
		    "column \"ticker\": empty" },
		{ HDR "2025-01-03,AA PL,1,2,0.5,1,1.4,100\n", 2,
		    "column \"ticker\": blank or control character in \"AA "
		    "PL\"" },
		{ HDR "2025-01-03,AAPL,1,2,0.5,1,1.4\n", 2,
		    "expected 8 fields, got 7" },
		{ "date,ticker,open\n", 1, "header: no \"close\" column" },
		{ "ticker,close\n", 1, "header: no \"date\" column" },
		{ "date,close\n", 1, "header: no \"ticker\" column" },
		{ "", 1, "empty input: no header" },
	};
	struct sc_err e;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		e = read_all(bad[i].text);
		ck_assert_msg(e.code == SC_EDATA, "case %zu: code %d", i,
		    e.code);
		ck_assert_msg(e.line == bad[i].line, "case %zu: line %ld", i,
		    e.line);
		ck_assert_msg(strstr(e.msg, bad[i].msg) != NULL,
		    "case %zu: got \"%s\", want \"%s\"", i, e.msg, bad[i].msg);
	}
}
END_TEST

START_TEST(test_ohlcv_errors_sticky)
{
	FILE *fp = sc_test_str(HDR ROW2 ROW1 ROW2);
	struct sc_ohlcv_series s = { 0 };
	struct sc_err e = { 0 };
	struct sc_ohlcv *r = sc_ohlcv_open(fp, &e);

	ck_assert_int_eq(sc_ohlcv_next(r, &s, &e), -1);
	ck_assert_int_eq(e.line, 3);
	ck_assert_uint_eq(s.n, 0);
	sc_err_clear(&e);
	ck_assert_int_eq(sc_ohlcv_next(r, &s, &e), -1);
	ck_assert_int_eq(e.line, 3);
	ck_assert_int_eq(e.code, SC_EDATA);
	sc_ohlcv_free(r);
	sc_ohlcv_series_free(&s);
	fclose(fp);
}
END_TEST

START_TEST(test_ohlcv_write_roundtrip)
{
	static const char in[] =
	    HDR "2025-01-02,AAPL,1.1,2,0.5,1.5,1.4000000000000001,100\n"
	        "2025-01-03,AAPL,,,,0.1,,\n"
	        "2025-01-02,BRK-B,300.25,301,299,300.5,300.5,12345678\n";
	FILE *fp = sc_test_str(in), *out;
	struct sc_ohlcv_series s = { 0 };
	struct sc_err e = { 0 };
	struct sc_ohlcv *r = sc_ohlcv_open(fp, &e);
	char *text = NULL;
	size_t len = 0;

	out = open_memstream(&text, &len);
	sc_ohlcv_write_header(out);
	while (sc_ohlcv_next(r, &s, &e) == 1)
		sc_ohlcv_write(out, &s);
	fclose(out);
	ck_assert_str_eq(text, in);
	sc_ohlcv_free(r);
	sc_ohlcv_series_free(&s);
	fclose(fp);
	free(text);
}
END_TEST

Suite *
sc_ohlcv_suite(void)
{
	Suite *s = suite_create("ohlcv");
	TCase *tc;

	tc = tcase_create("read");
	tcase_add_test(tc, test_ohlcv_read_tickers);
	tcase_add_test(tc, test_ohlcv_read_header_only);
	tcase_add_test(tc, test_ohlcv_read_streams);
	suite_add_tcase(s, tc);
	tc = tcase_create("errors");
	tcase_add_test(tc, test_ohlcv_errors_rows);
	tcase_add_test(tc, test_ohlcv_errors_sticky);
	suite_add_tcase(s, tc);
	tc = tcase_create("write");
	tcase_add_test(tc, test_ohlcv_write_roundtrip);
	suite_add_tcase(s, tc);
	return s;
}
