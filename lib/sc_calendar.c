/* SPDX-License-Identifier: ISC */
/*
 * NYSE holidays by rule (NYSE Rule 7.2): a holiday on a Saturday is
 * observed the Friday before, except New Year's Day, which is then not
 * observed at all (the Friday ends an accounting year); a holiday on a
 * Sunday is observed the Monday after.  A day is tested against each rule
 * of its own year, and against New Year's Day of the next year for the
 * Saturday case, which needs no special code since it is never observed.
 */
#include <stddef.h>

#include "sc_calendar.h"
#include "sc_date.h"

/* Unscheduled full-day closures since 1990, ascending. */
static const struct {
	short y;
	char m, d;
} closures[] = {
	{ 1994, 4, 27 }, /* President Nixon's funeral */
	{ 2001, 9, 11 }, /* September 11 attacks, to 2001-09-14 */
	{ 2001, 9, 12 }, { 2001, 9, 13 }, { 2001, 9, 14 },
	{ 2004, 6, 11 },  /* President Reagan's funeral */
	{ 2007, 1, 2 },   /* President Ford's funeral */
	{ 2012, 10, 29 }, /* Hurricane Sandy */
	{ 2012, 10, 30 },
	{ 2018, 12, 5 }, /* President G. H. W. Bush's funeral */
	{ 2025, 1, 9 },  /* President Carter's funeral */
};

long
sc_calendar_easter(int y)
{
	int a = y % 19, b = y / 100, c = y % 100, d = b / 4, e = b % 4;
	int f = (b + 8) / 25, g = (b - f + 1) / 3;
	int h = (19 * a + b - d - g + 15) % 30;
	int i = c / 4, k = c % 4;
	int l = (32 + 2 * e + 2 * i - h - k) % 7;
	int m = (a + 11 * h + 22 * l) / 451;
	int month = (h + l - 7 * m + 114) / 31;
	int day = (h + l - 7 * m + 114) % 31 + 1;

	return sc_date_from_ymd(y, month, day);
}

/* The day of the n-th (1-based) weekday wd in y-m; n = 5 means the last. */
static long
nth_weekday(int y, int m, int wd, int n)
{
	long first = sc_date_from_ymd(y, m, 1), day;
	int yy, mm, dd;

	day = first + (wd - sc_date_wday(first) + 7) % 7 + (long)(n - 1) * 7;
	sc_date_to_ymd(day, &yy, &mm, &dd);
	if (mm != m)
		day -= 7;
	return day;
}

/* A fixed-date holiday moved off the weekend (Saturday to Friday). */
static long
observed(int y, int m, int d)
{
	long day = sc_date_from_ymd(y, m, d);

	switch (sc_date_wday(day)) {
	case 6:
		return day - 1;
	case 0:
		return day + 1;
	default:
		return day;
	}
}

static int
special_closure(int y, int m, int d)
{
	size_t i;

	for (i = 0; i < sizeof(closures) / sizeof(closures[0]); i++)
		if (closures[i].y == y && closures[i].m == m &&
		    closures[i].d == d)
			return 1;
	return 0;
}

int
sc_calendar_is_holiday(long day)
{
	int y, m, d, wd = sc_date_wday(day);

	if (wd == 0 || wd == 6)
		return 0;
	sc_date_to_ymd(day, &y, &m, &d);
	switch (m) {
	case 1:
		if ((d == 1 || (d == 2 && wd == 1)) ||
		    (y >= 1998 && day == nth_weekday(y, 1, 1, 3)))
			return 1;
		break;
	case 2:
		if (day == nth_weekday(y, 2, 1, 3))
			return 1;
		break;
	case 3:
	case 4:
		if (day == sc_calendar_easter(y) - 2)
			return 1;
		break;
	case 5:
		if (day == nth_weekday(y, 5, 1, 5))
			return 1;
		break;
	case 6:
		if (y >= 2022 && day == observed(y, 6, 19))
			return 1;
		break;
	case 7:
		if (day == observed(y, 7, 4))
			return 1;
		break;
	case 9:
		if (day == nth_weekday(y, 9, 1, 1))
			return 1;
		break;
	case 11:
		if (day == nth_weekday(y, 11, 4, 4))
			return 1;
		break;
	case 12:
		if (day == observed(y, 12, 25))
			return 1;
		break;
	default:
		break;
	}
	return special_closure(y, m, d);
}

int
sc_calendar_is_trading_day(long day)
{
	int wd = sc_date_wday(day);

	return wd != 0 && wd != 6 && !sc_calendar_is_holiday(day);
}

long
sc_calendar_next_trading_day(long day)
{
	do
		day++;
	while (!sc_calendar_is_trading_day(day));
	return day;
}

long
sc_calendar_prev_trading_day(long day)
{
	do
		day--;
	while (!sc_calendar_is_trading_day(day));
	return day;
}
