/* SPDX-License-Identifier: ISC */
/*
 * The NYSE trading calendar: which days the exchange is open for a full or
 * shortened session.  Closed are weekends, the nine regular holidays with
 * their observance rules (Juneteenth from 2022, Good Friday from Easter),
 * and the unscheduled closures since 1990 (national days of mourning,
 * 9/11, Hurricane Sandy).  Rules are computed, not tabulated, so the
 * calendar has no end year; early closes count as trading days.  Days are
 * day numbers (sc_date.h); every function is pure and thread-safe.
 */
#ifndef SC_CALENDAR_H
#define SC_CALENDAR_H

/* The day number of Easter Sunday in year y (Gregorian computus). */
long sc_calendar_easter(int y);

/*
 * Non-zero when day is an NYSE holiday or special closure falling on a
 * weekday (a holiday observed on another day counts on the observed day).
 */
int sc_calendar_is_holiday(long day);

/* Non-zero when the NYSE is open on day: a weekday and no holiday. */
int sc_calendar_is_trading_day(long day);

/* The first trading day strictly after day. */
long sc_calendar_next_trading_day(long day);

/* The last trading day strictly before day. */
long sc_calendar_prev_trading_day(long day);

#endif
