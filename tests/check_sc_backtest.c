/* SPDX-License-Identifier: ISC */
/* The backtest: shape of its output, determinism, and no look-ahead. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "check_sc.h"
#include "sc_backtest.h"
#include "sc_date.h"

#define NDAYS 260
#define DAY0 18262L /* 2020-01-01 */

/*
 * OHLCV text of tickers A and B, NDAYS consecutive days each, a random
 * walk from a fixed linear congruential stream.  From day cut on, every
 * price is multiplied by poison (1: the clean history) and the volume
 * scrambled: a future the backtest must not see.
 */
static char *
history(size_t cut, double poison)
{
	char *text = NULL, date[SC_DATE_BUFSZ];
	size_t len = 0, i, t;
	FILE *fp = open_memstream(&text, &len);
	unsigned long long x = 42;

	fputs("date,ticker,open,high,low,close,adj_close,volume\n", fp);
	for (t = 0; t < 2; t++) {
		double p = t ? 50 : 100;

		for (i = 0; i < NDAYS; i++) {
			double u, m = i >= cut ? poison : 1;
			long vol;

			x = x * 6364136223846793005ULL + 1442695040888963407ULL;
			u = (double)(x >> 11) / 9007199254740992.0;
			p *= 1 + (u - 0.5) * 0.04;
			vol = 1000000 + (long)(u * 1000);
			if (i >= cut && poison != 1)
				vol = 7 + (long)(u * 1e9);
			fprintf(fp, "%s,%s,%.4f,%.4f,%.4f,%.4f,%.4f,%ld\n",
			    sc_date_fmt(DAY0 + (long)i, date), t ? "B" : "A",
			    p * m * 0.998, p * m * 1.01, p * m * 0.99, p * m,
			    p * m, vol);
		}
	}
	fclose(fp);
	return text;
}

static void
opts(struct sc_backtest_opts *o, struct sc_features **fs)
{
	struct sc_err e = { 0 };

	sc_backtest_defaults(o);
	*fs = sc_features_parse(SC_FEATURES_DEFAULT, &e);
	ck_assert_ptr_nonnull(*fs);
	o->features = *fs;
	o->days = 60;
	o->refit = 15;
	o->forest.trees = 10;
	o->forest.threads = 1;
}

/* Run the backtest on text; the output, or NULL with *e set. */
static char *
run(const char *text, const struct sc_backtest_opts *o,
    struct sc_backtest_stats *st, struct sc_err *e)
{
	FILE *in = sc_test_str(text);
	char *out = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&out, &len);
	int rc = sc_backtest_run(in, fp, o, st, e);

	fclose(fp);
	fclose(in);
	if (rc == -1) {
		free(out);
		return NULL;
	}
	return out;
}

/* Line n (0 is the header) of text, copied into buf. */
static const char *
line(const char *text, size_t n, char *buf, size_t size)
{
	const char *p = text, *nl;

	while (n-- > 0 && p != NULL)
		if ((p = strchr(p, '\n')) != NULL)
			p++;
	ck_assert_ptr_nonnull(p);
	nl = strchr(p, '\n');
	snprintf(buf, size, "%.*s", (int)(nl ? nl - p : (long)strlen(p)), p);
	return buf;
}

START_TEST(test_backtest_run_shape)
{
	struct sc_backtest_opts o;
	struct sc_backtest_stats st;
	struct sc_features *fs;
	struct sc_err e = { 0 };
	char *text = history(NDAYS, 1), *out, buf[256];
	size_t n = 0;
	const char *p;

	opts(&o, &fs);
	out = run(text, &o, &st, &e);
	ck_assert_msg(out != NULL, "%s", e.msg);
	for (p = out; (p = strchr(p, '\n')) != NULL; p++)
		n++;
	ck_assert_uint_eq(n, 1 + 2 * 60);
	ck_assert_str_eq(line(out, 0, buf, sizeof(buf)),
	    "asof,date,ticker,close,predicted_close,actual_close,lower,upper,"
	    "model,source");
	/* Day 200 (2020-07-19) is A's first forecast, made on day 199. */
	ck_assert_ptr_nonnull(
	    strstr(line(out, 1, buf, sizeof(buf)), "2020-07-18,2020-07-19,A,"));
	ck_assert_ptr_nonnull(strstr(line(out, 61, buf, sizeof(buf)),
	    "2020-07-18,2020-07-19,B,"));
	ck_assert_uint_eq(st.tickers, 2);
	ck_assert_uint_eq(st.forecasts, 120);
	ck_assert_uint_eq(st.refits, 4); /* 60 dates, refit every 15 */
	ck_assert_str_eq(st.first, "2020-07-19");
	ck_assert_str_eq(st.last, "2020-09-16");
	free(out);
	free(text);
	sc_features_free(fs);
}
END_TEST

START_TEST(test_backtest_run_deterministic)
{
	struct sc_backtest_opts o;
	struct sc_features *fs;
	struct sc_err e = { 0 };
	char *text = history(NDAYS, 1), *a, *b;

	opts(&o, &fs);
	o.interval = SC_BACKTEST_QUANTILE;
	a = run(text, &o, NULL, &e);
	o.forest.threads = 2;
	b = run(text, &o, NULL, &e);
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_str_eq(a, b);
	free(a);
	free(b);
	free(text);
	sc_features_free(fs);
}
END_TEST

/* The columns a forecast's author knew: all but actual_close. */
static void
known(const char *row, char *buf, size_t size)
{
	const char *p = row;
	size_t i, k = 0;

	for (i = 0; *p != '\0' && k + 1 < size; p++) {
		if (*p == ',')
			i++;
		if (i != 5)
			buf[k++] = *p;
	}
	buf[k] = '\0';
}

static void
poisoned(enum sc_backtest_interval iv, int raw)
{
	struct sc_backtest_opts o;
	struct sc_features *fs;
	struct sc_err e = { 0 };
	/* Day 230 is the 31st forecast day of each ticker. */
	char *clean = history(NDAYS, 1), *dirty = history(230, 7.5);
	char *a, *b, ra[256], rb[256], ka[256], kb[256];
	size_t i, same = 0, changed = 0;

	opts(&o, &fs);
	o.interval = iv;
	o.raw = raw;
	a = run(clean, &o, NULL, &e);
	ck_assert_msg(a != NULL, "%s", e.msg);
	b = run(dirty, &o, NULL, &e);
	ck_assert_msg(b != NULL, "%s", e.msg);
	for (i = 1; i <= 120; i++) {
		size_t day = 200 + (i - 1) % 60;

		known(line(a, i, ra, sizeof(ra)), ka, sizeof(ka));
		/* Every forecast has its interval (no empty cell). */
		ck_assert_msg(strstr(ra, ",,") == NULL, "%s", ra);
		known(line(b, i, rb, sizeof(rb)), kb, sizeof(kb));
		if (day <= 230) {
			ck_assert_msg(strcmp(ka, kb) == 0,
			    "forecast of day %zu changed:\n%s\n%s", day, ka,
			    kb);
			same++;
		} else
			changed += strcmp(ka, kb) != 0;
	}
	ck_assert_uint_eq(same, 62);
	/* The poison is real: every later forecast moved. */
	ck_assert_uint_eq(changed, 58);
	free(a);
	free(b);
	free(clean);
	free(dirty);
	sc_features_free(fs);
}

START_TEST(test_backtest_causal_quantile)
{
	poisoned(SC_BACKTEST_QUANTILE, 1);
}
END_TEST

START_TEST(test_backtest_causal_conformal)
{
	poisoned(SC_BACKTEST_CONFORMAL, 0);
}
END_TEST

/*
 * Tickers A and B, n days: Gaussian log returns of sd 0.01 up to day
 * jump, then 0.03 (a regime change), from the same stream.
 */
static char *
regime(size_t n, size_t jump)
{
	char *text = NULL, date[SC_DATE_BUFSZ];
	size_t len = 0, i, t;
	FILE *fp = open_memstream(&text, &len);
	unsigned long long x = 7;

	fputs("date,ticker,open,high,low,close,adj_close,volume\n", fp);
	for (t = 0; t < 2; t++) {
		double p = 100, u1, u2, z;

		for (i = 0; i < n; i++) {
			x = x * 6364136223846793005ULL + 1442695040888963407ULL;
			u1 = ((double)(x >> 11) + 1) / 9007199254740993.0;
			x = x * 6364136223846793005ULL + 1442695040888963407ULL;
			u2 = (double)(x >> 11) / 9007199254740992.0;
			z = sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
			p *= exp(z * (i < jump ? 0.01 : 0.03));
			fprintf(fp, "%s,%s,%.6f,%.6f,%.6f,%.6f,%.6f,%d\n",
			    sc_date_fmt(DAY0 + (long)i, date), t ? "B" : "A", p,
			    p * 1.01, p * 0.99, p, p, 1000000);
		}
	}
	fclose(fp);
	return text;
}

/* Coverage of the rows of out whose day index (from DAY0) is in [a, b). */
static double
coverage(const char *out, long a, long b)
{
	const char *p = strchr(out, '\n');
	char row[256], *f[10], *save = NULL;
	long day, hit = 0, n = 0;
	size_t k;

	while (p != NULL && p[1] != '\0') {
		const char *nl = strchr(++p, '\n');

		snprintf(row, sizeof(row), "%.*s",
		    (int)(nl ? nl - p : (long)strlen(p)), p);
		/* asof,date,ticker,close,predicted,actual,lower,upper,... */
		for (k = 0; k < 10; k++)
			f[k] = strtok_r(k ? NULL : row, ",", &save);
		ck_assert_ptr_nonnull(f[7]);
		ck_assert(sc_date_parse(f[1], strlen(f[1]), &day) == 0);
		if (day - DAY0 >= a && day - DAY0 < b) {
			double y = strtod(f[5], NULL);

			n++;
			hit +=
			    y >= strtod(f[6], NULL) && y <= strtod(f[7], NULL);
		}
		p = nl;
	}
	ck_assert_int_gt(n, 0);
	return (double)hit / (double)n;
}

/*
 * Normalised conformal intervals hold their level in the calm stretch and
 * after the volatility triples alike; the quantile forest's, fitted on
 * calm days, do not.
 */
START_TEST(test_backtest_coverage_regime)
{
	struct sc_backtest_opts o;
	struct sc_features *fs;
	struct sc_err e = { 0 };
	char *text = regime(1000, 700), *out;
	double calm, wild;

	opts(&o, &fs);
	o.days = 600; /* days 400..999: 300 calm, 300 volatile a ticker */
	o.refit = 20;
	o.forest.trees = 20;
	o.forest.threads = 0;
	out = run(text, &o, NULL, &e);
	ck_assert_msg(out != NULL, "%s", e.msg);
	calm = coverage(out, 400, 700);
	wild = coverage(out, 700, 1000);
	ck_assert_msg(calm >= 0.86 && calm <= 0.94, "calm coverage %g", calm);
	ck_assert_msg(wild >= 0.86 && wild <= 0.94, "volatile coverage %g",
	    wild);
	free(out);
	o.interval = SC_BACKTEST_QUANTILE;
	out = run(text, &o, NULL, &e);
	ck_assert_ptr_nonnull(out);
	/* The control: the first weeks of the new regime are badly missed. */
	ck_assert_msg(coverage(out, 700, 760) < 0.8, "quantile coverage %g",
	    coverage(out, 700, 760));
	free(out);
	free(text);
	sc_features_free(fs);
}
END_TEST

START_TEST(test_backtest_errors_short)
{
	struct sc_backtest_opts o;
	struct sc_features *fs;
	struct sc_err e = { 0 };
	char *text = history(NDAYS, 1);

	opts(&o, &fs);
	o.days = NDAYS - 10; /* less than the warm-up left */
	ck_assert_ptr_null(run(text, &o, NULL, &e));
	ck_assert_int_eq(e.code, SC_EDATA);
	ck_assert_ptr_nonnull(strstr(e.msg, "A: 260 days of history"));
	o.days =
	    NDAYS - 21; /* the first asof is the warm-up day: no training */
	ck_assert_ptr_null(run(text, &o, NULL, &e));
	ck_assert_int_eq(e.code, SC_EDATA);
	ck_assert_msg(strstr(e.msg, "training rows before") != NULL, "%s",
	    e.msg);
	o.days = 60;
	o.refit = 0;
	ck_assert_ptr_null(run(text, &o, NULL, &e));
	ck_assert_int_eq(e.code, SC_EUSAGE);
	o.refit = 5;
	ck_assert_ptr_null(run("", &o, NULL, &e));
	ck_assert_int_eq(e.code, SC_EDATA);
	ck_assert_ptr_null(
	    run("date,ticker,open,high,low,close,adj_close,volume\n"
	        "2020-01-01,A,1,1,1,1,1,1\n2020-01-01,A,1,1,1,1,1,1\n",
	        &o, NULL, &e));
	ck_assert_int_eq(e.code, SC_EDATA);
	ck_assert_int_eq(e.line, 3);
	free(text);
	sc_features_free(fs);
}
END_TEST

Suite *
sc_backtest_suite(void)
{
	Suite *s = suite_create("backtest");
	TCase *tc;

	tc = tcase_create("run");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_backtest_run_shape);
	tcase_add_test(tc, test_backtest_run_deterministic);
	suite_add_tcase(s, tc);
	tc = tcase_create("causal");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_backtest_causal_quantile);
	tcase_add_test(tc, test_backtest_causal_conformal);
	suite_add_tcase(s, tc);
	tc = tcase_create("coverage");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_backtest_coverage_regime);
	suite_add_tcase(s, tc);
	tc = tcase_create("errors");
	tcase_add_test(tc, test_backtest_errors_short);
	suite_add_tcase(s, tc);
	return s;
}
