/* SPDX-License-Identifier: ISC */
/* The NYSE calendar: holidays by rule, observance, special closures. */
#include <string.h>

#include <check.h>

#include "sc_calendar.h"
#include "sc_date.h"

static long
day(const char *s)
{
	long d;

	ck_assert_int_eq(sc_date_parse(s, strlen(s), &d), 0);
	return d;
}

START_TEST(test_calendar_easter_known)
{
	ck_assert_int_eq(sc_calendar_easter(2024), day("2024-03-31"));
	ck_assert_int_eq(sc_calendar_easter(2025), day("2025-04-20"));
	ck_assert_int_eq(sc_calendar_easter(2026), day("2026-04-05"));
	ck_assert_int_eq(sc_calendar_easter(2038), day("2038-04-25"));
	ck_assert_int_eq(sc_calendar_easter(2008), day("2008-03-23"));
}
END_TEST

START_TEST(test_calendar_holidays_2025)
{
	static const char *const closed[] = { "2025-01-01", "2025-01-09",
		"2025-01-20", "2025-02-17", "2025-04-18", "2025-05-26",
		"2025-06-19", "2025-07-04", "2025-09-01", "2025-11-27",
		"2025-12-25" };
	long d, from = day("2025-01-01"), to = day("2025-12-31");
	size_t i;
	int n = 0;

	for (i = 0; i < sizeof(closed) / sizeof(closed[0]); i++)
		ck_assert_msg(!sc_calendar_is_trading_day(day(closed[i])), "%s",
		    closed[i]);
	for (d = from; d <= to; d++)
		n += sc_calendar_is_trading_day(d);
	ck_assert_int_eq(n, 250); /* NYSE 2025: 250 sessions */
}
END_TEST

START_TEST(test_calendar_observance)
{
	/* 2022-01-01 was a Saturday: no closure on Friday 2021-12-31 */
	ck_assert(sc_calendar_is_trading_day(day("2021-12-31")));
	/* 2023-01-01 a Sunday: closed Monday 2023-01-02 */
	ck_assert(!sc_calendar_is_trading_day(day("2023-01-02")));
	/* 2020-07-04 a Saturday: closed Friday 2020-07-03 */
	ck_assert(!sc_calendar_is_trading_day(day("2020-07-03")));
	/* 2022-06-19 a Sunday: closed Monday 2022-06-20 */
	ck_assert(!sc_calendar_is_trading_day(day("2022-06-20")));
	/* Juneteenth before 2022 was a trading day */
	ck_assert(sc_calendar_is_trading_day(day("2021-06-18")));
	/* 2021-12-25 a Saturday: closed Friday 2021-12-24 */
	ck_assert(!sc_calendar_is_trading_day(day("2021-12-24")));
	/* MLK day from 1998 only */
	ck_assert(sc_calendar_is_trading_day(day("1997-01-20")));
	ck_assert(!sc_calendar_is_trading_day(day("1998-01-19")));
	/* special closures */
	ck_assert(!sc_calendar_is_trading_day(day("2001-09-11")));
	ck_assert(!sc_calendar_is_trading_day(day("2012-10-30")));
	ck_assert(!sc_calendar_is_trading_day(day("2018-12-05")));
	/* day after Thanksgiving is open (early close) */
	ck_assert(sc_calendar_is_trading_day(day("2025-11-28")));
	ck_assert(!sc_calendar_is_holiday(day("2025-11-29"))); /* Saturday */
}
END_TEST

START_TEST(test_calendar_next_prev)
{
	ck_assert_int_eq(sc_calendar_next_trading_day(day("2025-04-17")),
	    day("2025-04-21")); /* over Good Friday and a weekend */
	ck_assert_int_eq(sc_calendar_next_trading_day(day("2025-12-24")),
	    day("2025-12-26"));
	ck_assert_int_eq(sc_calendar_next_trading_day(day("2025-11-21")),
	    day("2025-11-24"));
	ck_assert_int_eq(sc_calendar_next_trading_day(day("2026-12-31")),
	    day("2027-01-04"));
	ck_assert_int_eq(sc_calendar_prev_trading_day(day("2025-01-02")),
	    day("2024-12-31"));
	ck_assert_int_eq(sc_calendar_prev_trading_day(day("2025-01-10")),
	    day("2025-01-08"));
}
END_TEST

START_TEST(test_calendar_session_counts)
{
	static const struct {
		int y, n;
	} years[] = { { 2019, 252 }, { 2020, 253 }, { 2021, 252 },
		{ 2022, 251 }, { 2023, 250 }, { 2024, 252 } };
	size_t i;

	for (i = 0; i < sizeof(years) / sizeof(years[0]); i++) {
		long d, to = sc_date_from_ymd(years[i].y, 12, 31);
		int n = 0;

		for (d = sc_date_from_ymd(years[i].y, 1, 1); d <= to; d++)
			n += sc_calendar_is_trading_day(d);
		ck_assert_msg(n == years[i].n, "%d: %d sessions, want %d",
		    years[i].y, n, years[i].n);
	}
}
END_TEST

Suite *
sc_calendar_suite(void)
{
	Suite *s = suite_create("calendar");
	TCase *tc;

	tc = tcase_create("easter");
	tcase_add_test(tc, test_calendar_easter_known);
	suite_add_tcase(s, tc);
	tc = tcase_create("holidays");
	tcase_add_test(tc, test_calendar_holidays_2025);
	tcase_add_test(tc, test_calendar_observance);
	tcase_add_test(tc, test_calendar_session_counts);
	suite_add_tcase(s, tc);
	tc = tcase_create("step");
	tcase_add_test(tc, test_calendar_next_prev);
	suite_add_tcase(s, tc);
	return s;
}
