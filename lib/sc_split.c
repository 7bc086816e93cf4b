/* SPDX-License-Identifier: ISC */
/*
 * The split: per ticker, compute the feature matrix, keep the days whose
 * features and target are all finite, and send the last test_days of them
 * to the test table.  Splitting each ticker at its own last days (rather
 * than at one calendar date) gives every ticker the same test length even
 * when histories end on different days.  The feature matrix is reused from
 * ticker to ticker.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sc_csv.h"
#include "sc_date.h"
#include "sc_log.h"
#include "sc_ohlcv.h"
#include "sc_split.h"

struct state {
	const struct sc_split_opts *o;
	struct sc_split_stats *st;
	size_t k;    /* features */
	double *x;   /* n * k feature matrix */
	size_t xcap; /* doubles allocated */
	FILE *train, *test;
};

void
sc_split_write_header(FILE *fp, const struct sc_features *f, enum sc_target t)
{
	size_t j;

	fputs("date,ticker,close,", fp);
	for (j = 0; j < sc_features_count(f); j++)
		sc_csv_puts(fp, sc_features_name(f, j), ',');
	sc_csv_puts(fp, sc_features_target_name(t), '\n');
}

/* Non-zero when day t has a next day and every value is finite. */
static int
complete(const struct state *z, const struct sc_ohlcv_series *s, size_t t)
{
	const double *c = s->v[SC_OHLCV_CLOSE];
	const double *row = z->x + t * z->k;
	size_t j;

	if (t + 1 >= s->n ||
	    !isfinite(sc_features_target_value(z->o->target, c[t], c[t + 1])))
		return 0;
	for (j = 0; j < z->k; j++)
		if (!isfinite(row[j]))
			return 0;
	return 1;
}

static void
write_row(FILE *fp, const struct state *z, const struct sc_ohlcv_series *s,
    size_t t)
{
	const double *c = s->v[SC_OHLCV_CLOSE];
	char d[SC_DATE_BUFSZ];
	size_t j;

	sc_csv_puts(fp, sc_date_fmt(s->date[t], d), ',');
	sc_csv_puts(fp, s->ticker, ',');
	sc_csv_putnum(fp, c[t], ',');
	for (j = 0; j < z->k; j++)
		sc_csv_putnum(fp, z->x[t * z->k + j], ',');
	sc_csv_putnum(fp,
	    sc_features_target_value(z->o->target, c[t], c[t + 1]), '\n');
}

static int
compute(struct state *z, const struct sc_ohlcv_series *s, struct sc_err *e)
{
	size_t need = s->n * z->k;

	if (need > z->xcap) {
		double *x = realloc(z->x, need * sizeof(*x));

		if (x == NULL)
			return sc_err_set(e, SC_EOS, 0, "out of memory");
		z->x = x;
		z->xcap = need;
	}
	return sc_features_compute(z->o->features, s, z->x, e);
}

static int
split_one(struct state *z, const struct sc_ohlcv_series *s, struct sc_err *e)
{
	size_t t, m = 0, ntrain, seen = 0;

	if (compute(z, s, e) == -1)
		return -1;
	for (t = 0; t < s->n; t++)
		m += complete(z, s, t);
	if (m <= z->o->test_days)
		return sc_err_set(e, SC_EDATA, s->last_line,
		    "%s: %zu rows give %zu complete days with a target, need "
		    "more than %zu (test days) after a warm-up of %zu",
		    s->ticker, s->n, m, z->o->test_days,
		    sc_features_warmup(z->o->features));
	ntrain = m - z->o->test_days;
	for (t = 0; t < s->n; t++) {
		if (!complete(z, s, t))
			continue;
		write_row(seen < ntrain ? z->train : z->test, z, s, t);
		seen++;
	}
	z->st->tickers++;
	z->st->train += ntrain;
	z->st->test += z->o->test_days;
	z->st->dropped += s->n - m;
	sc_log(SC_LOG_INFO, "%s: %zu rows, %zu train, %zu test, %zu dropped",
	    s->ticker, s->n, ntrain, z->o->test_days, s->n - m);
	return 0;
}

/* Refuse a feature list that needs a column the input does not have. */
static int
check_columns(const struct sc_ohlcv *r, const struct sc_features *f,
    struct sc_err *e)
{
	int c;

	for (c = 0; c < SC_OHLCV_NCOLS; c++)
		if (sc_features_needs(f, c) && !sc_ohlcv_has(r, c))
			return sc_err_set(e, SC_EDATA, 1,
			    "header: no \"%s\" column, which the features "
			    "need",
			    sc_ohlcv_colname(c));
	return 0;
}

int
sc_split_run(FILE *in, FILE *train, FILE *test, const struct sc_split_opts *o,
    struct sc_split_stats *stats, struct sc_err *e)
{
	struct sc_split_stats dummy = { 0 };
	struct sc_ohlcv_series s = { 0 };
	struct state z = { 0 };
	struct sc_ohlcv *r;
	int rc;

	z.o = o;
	z.st = stats != NULL ? stats : &dummy;
	memset(z.st, 0, sizeof(*z.st));
	z.k = sc_features_count(o->features);
	z.train = train;
	z.test = test;
	if ((r = sc_ohlcv_open(in, e)) == NULL)
		return -1;
	if ((rc = check_columns(r, o->features, e)) == 0) {
		sc_split_write_header(train, o->features, o->target);
		sc_split_write_header(test, o->features, o->target);
		while ((rc = sc_ohlcv_next(r, &s, e)) == 1)
			if ((rc = split_one(&z, &s, e)) == -1)
				break;
	}
	z.st->rows = sc_ohlcv_rows(r);
	if (rc == 0 && z.st->rows == 0)
		rc =
		    sc_err_set(e, SC_EDATA, 0, "no data rows after the header");
	sc_ohlcv_series_free(&s);
	sc_ohlcv_free(r);
	free(z.x);
	return rc == 0 ? 0 : -1;
}
