/* SPDX-License-Identifier: ISC */
/* Time zones: names, TZif files, the POSIX footer rule, local dates. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <check.h>

#include "sc_date.h"
#include "sc_tz.h"

static int64_t
utc(int y, int m, int d, int hh, int mm, int ss)
{
	return (int64_t)sc_date_from_ymd(y, m, d) * 86400 + hh * 3600 +
	    mm * 60 + ss;
}

static struct sc_tz *
zone(const char *name)
{
	struct sc_err e = { 0 };
	struct sc_tz *z = sc_tz_load(name, NULL, &e);

	ck_assert_msg(z != NULL, "%s: %s", name, e.msg);
	return z;
}

START_TEST(test_tz_name_valid_cases)
{
	ck_assert(sc_tz_name_valid("America/New_York"));
	ck_assert(sc_tz_name_valid("Etc/GMT+5"));
	ck_assert(sc_tz_name_valid("America/Port-au-Prince"));
	ck_assert(sc_tz_name_valid("UTC"));
	ck_assert(!sc_tz_name_valid(""));
	ck_assert(!sc_tz_name_valid("../../etc/passwd"));
	ck_assert(!sc_tz_name_valid("America/../../x"));
	ck_assert(!sc_tz_name_valid("/etc/localtime"));
	ck_assert(!sc_tz_name_valid("America/New York"));
	ck_assert(!sc_tz_name_valid(".hidden"));
	ck_assert(!sc_tz_name_valid("a%2e"));
	ck_assert(!sc_tz_name_valid("Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	                            "aaaaaaaaaaaaaaaaaaaaaaaaa"));
}
END_TEST

START_TEST(test_tz_load_errors)
{
	struct sc_err e = { 0 };

	ck_assert_ptr_null(sc_tz_load("No/Such_Zone", NULL, &e));
	ck_assert_int_eq(e.code, SC_ENOINPUT);
	ck_assert_ptr_null(sc_tz_load("../etc/passwd", NULL, &e));
	ck_assert_int_eq(e.code, SC_EUSAGE);
	/* a file that is not TZif */
	if (sc_tz_load("stooq-ok.csv", "data/market", &e) == NULL &&
	    e.code == SC_ENOINPUT)
		ck_assert_ptr_null(
		    sc_tz_load("stooq-ok.csv", "tests/data/market", &e));
	ck_assert_int_eq(e.code, SC_EDATA);
	sc_tz_free(NULL);
}
END_TEST

START_TEST(test_tz_offset_new_york)
{
	struct sc_tz *z = zone("America/New_York");

	ck_assert_int_eq(sc_tz_offset(z, utc(2025, 1, 15, 12, 0, 0)), -18000);
	ck_assert_int_eq(sc_tz_offset(z, utc(2025, 7, 15, 12, 0, 0)), -14400);
	/* 2025-03-09 02:00 EST = 07:00Z */
	ck_assert_int_eq(sc_tz_offset(z, utc(2025, 3, 9, 6, 59, 59)), -18000);
	ck_assert_int_eq(sc_tz_offset(z, utc(2025, 3, 9, 7, 0, 0)), -14400);
	/* far past the table: the footer rule */
	ck_assert_int_eq(sc_tz_offset(z, utc(2100, 7, 1, 0, 0, 0)), -14400);
	ck_assert_int_eq(sc_tz_offset(z, utc(2100, 12, 1, 0, 0, 0)), -18000);
	ck_assert_int_eq(sc_tz_offset(z, utc(2100, 11, 7, 5, 59, 59)), -14400);
	ck_assert_int_eq(sc_tz_offset(z, utc(2100, 11, 7, 6, 0, 0)), -18000);
	/* a Yahoo bar at 09:30 New York */
	ck_assert_int_eq(sc_tz_local_day(z, 1577975400, NULL),
	    sc_date_from_ymd(2020, 1, 2));
	sc_tz_free(z);
}
END_TEST

START_TEST(test_tz_offset_sydney)
{
	struct sc_tz *z = zone("Australia/Sydney");
	long sec;

	ck_assert_int_eq(sc_tz_local_day(z, utc(2025, 1, 6, 23, 0, 0), &sec),
	    sc_date_from_ymd(2025, 1, 7));
	ck_assert_int_eq(sec, 10 * 3600);
	ck_assert_int_eq(sc_tz_offset(z, utc(2100, 1, 15, 0, 0, 0)), 39600);
	ck_assert_int_eq(sc_tz_offset(z, utc(2100, 7, 15, 0, 0, 0)), 36000);
	sc_tz_free(z);
}
END_TEST

/* Compare with the C library (setenv is fine in a forked test). */
START_TEST(test_tz_offset_matches_libc)
{
	static const char *const zones[] = { "America/New_York",
		"Europe/London", "Europe/Berlin", "Australia/Sydney",
		"Asia/Jakarta", "America/Sao_Paulo", "Asia/Kolkata",
		"Pacific/Chatham", "America/St_Johns", "UTC" };
	uint64_t x = 12345;
	size_t i, k;

	for (i = 0; i < sizeof(zones) / sizeof(zones[0]); i++) {
		struct sc_tz *z = zone(zones[i]);

		setenv("TZ", zones[i], 1);
		tzset();
		for (k = 0; k < 20000; k++) {
			struct tm tm;
			time_t t;

			x = x * 6364136223846793005ULL + 1442695040888963407ULL;
			/* 1901 .. 2099 */
			t = (time_t)((int64_t)(x >> 33) % 6280000000LL -
			    2140000000LL);
			localtime_r(&t, &tm);
			ck_assert_msg(sc_tz_offset(z, t) == tm.tm_gmtoff,
			    "%s at %lld: %ld != %ld", zones[i], (long long)t,
			    sc_tz_offset(z, t), (long)tm.tm_gmtoff);
		}
		sc_tz_free(z);
	}
}
END_TEST

START_TEST(test_tz_posix_rules)
{
	struct sc_err e = { 0 };
	struct sc_tz *z = sc_tz_posix("EST5EDT,M3.2.0,M11.1.0", &e);

	ck_assert_ptr_nonnull(z);
	ck_assert_int_eq(sc_tz_offset(z, utc(2030, 3, 10, 6, 59, 59)), -18000);
	ck_assert_int_eq(sc_tz_offset(z, utc(2030, 3, 10, 7, 0, 0)), -14400);
	sc_tz_free(z);
	z = sc_tz_posix("<+0530>-5:30", &e);
	ck_assert_ptr_nonnull(z);
	ck_assert_int_eq(sc_tz_offset(z, 0), 19800);
	sc_tz_free(z);
	z = sc_tz_posix("<-03>3<-02>,M3.5.0/-2,M10.5.0/-1", &e);
	ck_assert_ptr_nonnull(z);
	ck_assert_int_eq(sc_tz_offset(z, utc(2030, 7, 1, 0, 0, 0)), -7200);
	ck_assert_int_eq(sc_tz_offset(z, utc(2030, 12, 1, 0, 0, 0)), -10800);
	sc_tz_free(z);
	z = sc_tz_posix("AEST-10AEDT,M10.1.0,M4.1.0/3", &e);
	ck_assert_int_eq(sc_tz_offset(z, utc(2030, 1, 1, 0, 0, 0)), 39600);
	ck_assert_int_eq(sc_tz_offset(z, utc(2030, 6, 1, 0, 0, 0)), 36000);
	sc_tz_free(z);
	ck_assert_ptr_null(sc_tz_posix("X", &e));
	ck_assert_int_eq(e.code, SC_EDATA);
	ck_assert_ptr_null(sc_tz_posix("EST5EDT,M13.1.0,M11.1.0", &e));
	ck_assert_ptr_null(sc_tz_posix("EST5EDT,M3.2.0", &e));
}
END_TEST

Suite *
sc_tz_suite(void)
{
	Suite *s = suite_create("tz");
	TCase *tc;

	tc = tcase_create("names");
	tcase_add_test(tc, test_tz_name_valid_cases);
	tcase_add_test(tc, test_tz_load_errors);
	suite_add_tcase(s, tc);
	tc = tcase_create("offsets");
	tcase_add_test(tc, test_tz_offset_new_york);
	tcase_add_test(tc, test_tz_offset_sydney);
	tcase_add_test(tc, test_tz_offset_matches_libc);
	suite_add_tcase(s, tc);
	tc = tcase_create("posix");
	tcase_add_test(tc, test_tz_posix_rules);
	suite_add_tcase(s, tc);
	return s;
}
