/* SPDX-License-Identifier: ISC */
/*
 * Predictions.  A table is predicted in one batch call (threads, one pass
 * over the trees per row); the next-day forecast computes each ticker's
 * last-day features with sc_features_last(), the same code as the full
 * computation sc-split ran, and predicts that one row.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sc_buf.h"
#include "sc_csv.h"
#include "sc_date.h"
#include "sc_features.h"
#include "sc_ohlcv.h"
#include "sc_predict.h"
#include "sc_table.h"

static const char HEADER[] =
    "asof,ticker,close,predicted_close,actual_close,lower,upper,model\n";

/* Quantile levels of an interval, e.g. 0.9 -> 0.05 and 0.95. */
static void
levels(double interval, double q[2])
{
	q[0] = (1 - interval) / 2;
	q[1] = (1 + interval) / 2;
}

/*
 * Name the model features the table lacks, in one message: all of them
 * while they fit, then how many more.
 */
static int
check_columns(const struct sc_forest *f, const struct sc_table *t,
    struct sc_err *e)
{
	struct sc_buf b = { 0 };
	size_t j, n = sc_forest_nfeatures(f), missing = 0, named = 0;

	for (j = 0; j < n; j++) {
		if (sc_table_find(t, sc_forest_feature(f, j)) != -1)
			continue;
		missing++;
		if (b.len > 150)
			continue;
		named++;
		if (sc_buf_printf(&b, NULL, "%s\"%s\"", named > 1 ? ", " : "",
		        sc_forest_feature(f, j)) == -1)
			break;
	}
	if (missing == 0) {
		sc_buf_free(&b);
		return 0;
	}
	if (missing > named)
		(void)sc_buf_printf(&b, NULL, " and %zu more", missing - named);
	sc_err_set(e, SC_EDATA, 1,
	    "the input lacks %zu of the model's %zu feature columns: %s",
	    missing, n, b.data != NULL ? b.data : "");
	sc_buf_free(&b);
	return -1;
}

static void
put_label(FILE *fp, const char *s, int sep)
{
	sc_csv_puts(fp, s != NULL ? s : "", sep);
}

/*
 * The realised close from a log-return target: c * exp(y) carries a last-
 * digit error (13.620000000000001 for 13.62); prices have far fewer than 15
 * significant digits, so rounding to 15 gives the close back exactly.
 */
static double
realised(enum sc_target kind, double c, double y)
{
	char buf[32];

	if (isnan(y))
		return NAN;
	snprintf(buf, sizeof(buf), "%.15g",
	    sc_features_target_close(kind, c, y));
	return strtod(buf, NULL);
}

/* Rows in the predictions CSV form (a next-day target with a close). */
static void
write_prices(FILE *out, const struct sc_table *t, enum sc_target kind,
    const double *mean, const double *lo, const double *hi, int iv,
    const char *model)
{
	const double *y = sc_table_y(t);
	size_t i, n = sc_table_nrows(t);

	fputs(HEADER, out);
	for (i = 0; i < n; i++) {
		double c = sc_table_close(t, i);

		put_label(out, sc_table_date(t, i), ',');
		put_label(out, sc_table_ticker(t, i), ',');
		sc_csv_putnum(out, c, ',');
		sc_csv_putnum(out, sc_features_target_close(kind, c, mean[i]),
		    ',');
		sc_csv_putnum(out, y != NULL ? realised(kind, c, y[i]) : NAN,
		    ',');
		sc_csv_putnum(out,
		    iv ? sc_features_target_close(kind, c, lo[i]) : NAN, ',');
		sc_csv_putnum(out,
		    iv ? sc_features_target_close(kind, c, hi[i]) : NAN, ',');
		sc_csv_puts(out, model, '\n');
	}
}

/* Rows of a generic table: its labels, then predicted and actual. */
static void
write_generic(FILE *out, const struct sc_table *t, const double *mean,
    const double *lo, const double *hi, int iv)
{
	const double *y = sc_table_y(t);
	size_t i, n = sc_table_nrows(t);
	int has_date = n > 0 && sc_table_date(t, 0) != NULL;
	int has_ticker = n > 0 && sc_table_ticker(t, 0) != NULL;
	int has_close = n > 0 && !isnan(sc_table_close(t, 0));

	if (has_date)
		fputs("date,", out);
	if (has_ticker)
		fputs("ticker,", out);
	if (has_close)
		fputs("close,", out);
	fputs(iv ? "predicted,actual,lower,upper\n" : "predicted,actual\n",
	    out);
	for (i = 0; i < n; i++) {
		if (has_date)
			put_label(out, sc_table_date(t, i), ',');
		if (has_ticker)
			put_label(out, sc_table_ticker(t, i), ',');
		if (has_close)
			sc_csv_putnum(out, sc_table_close(t, i), ',');
		sc_csv_putnum(out, mean[i], ',');
		sc_csv_putnum(out, y != NULL ? y[i] : NAN, iv ? ',' : '\n');
		if (iv) {
			sc_csv_putnum(out, lo[i], ',');
			sc_csv_putnum(out, hi[i], '\n');
		}
	}
}

/* The model's feature names as an array (caller frees the array only). */
static const char **
feature_names(const struct sc_forest *f, struct sc_err *e)
{
	size_t j, n = sc_forest_nfeatures(f);
	const char **names = calloc(n + 1, sizeof(*names));

	if (names == NULL) {
		sc_err_set(e, SC_EOS, 0, "out of memory");
		return NULL;
	}
	for (j = 0; j < n; j++)
		names[j] = sc_forest_feature(f, j);
	return names;
}

int
sc_predict_table(const struct sc_model *m, FILE *in, FILE *out,
    const struct sc_predict_opts *o, struct sc_err *e)
{
	const struct sc_forest *f = sc_model_forest(m);
	struct sc_table_opts topts = { sc_forest_target(f), 1 };
	struct sc_table *t;
	enum sc_target kind;
	const char **names = NULL;
	double *mean = NULL, *lo = NULL, *hi = NULL;
	size_t *map = NULL, n, nf = sc_forest_nfeatures(f);
	int iv = o->interval > 0 && o->interval < 1, rc = -1;

	if ((t = sc_table_read(in, &topts, e)) == NULL)
		return -1;
	if (check_columns(f, t, e) == -1)
		goto out;
	n = sc_table_nrows(t);
	names = feature_names(f, e);
	map = calloc(nf + 1, sizeof(*map));
	mean = calloc(n + 1, sizeof(*mean));
	lo = calloc(n + 1, sizeof(*lo));
	hi = calloc(n + 1, sizeof(*hi));
	if (names == NULL || map == NULL || mean == NULL || lo == NULL ||
	    hi == NULL) {
		sc_err_set(e, SC_EOS, 0, "out of memory");
		goto out;
	}
	if (sc_table_map(t, names, nf, map, e) == -1 ||
	    sc_forest_predict_table(f, t, map, iv ? o->interval : 0, o->threads,
	        mean, lo, hi, e) == -1)
		goto out;
	if (sc_features_target_parse(sc_forest_target(f), &kind, NULL) == 0 &&
	    n > 0 && !isnan(sc_table_close(t, 0)))
		write_prices(out, t, kind, mean, lo, hi, iv, o->model_name);
	else
		write_generic(out, t, mean, lo, hi, iv);
	if (ferror(out))
		sc_err_errno(e, SC_EIO, errno, "write");
	else
		rc = 0;
out:
	free(names);
	free(map);
	free(mean);
	free(lo);
	free(hi);
	sc_table_free(t);
	return rc;
}

/* The row of one ticker's next-day forecast. */
static int
forecast(const struct sc_forest *f, const struct sc_features *fs,
    const struct sc_ohlcv_series *s, enum sc_target kind, double *x, FILE *out,
    const struct sc_predict_opts *o, struct sc_err *e)
{
	char date[SC_DATE_BUFSZ];
	double q[2], iv[2] = { NAN, NAN }, c = s->v[SC_OHLCV_CLOSE][s->n - 1];
	size_t j, k = sc_features_count(fs);

	if (s->n <= sc_features_warmup(fs))
		return sc_err_set(e, SC_EDATA, s->last_line,
		    "%s: %zu days of history; the model's features need "
		    "more than %zu",
		    s->ticker, s->n, sc_features_warmup(fs));
	if (sc_features_last(fs, s, x, e) == -1)
		return -1;
	for (j = 0; j < k; j++)
		if (!isfinite(x[j]))
			return sc_err_set(e, SC_EDATA, s->last_line,
			    "%s %s: feature \"%s\" is undefined on the last "
			    "day (a missing or zero value?)",
			    s->ticker, sc_date_fmt(s->date[s->n - 1], date),
			    sc_features_name(fs, j));
	if (o->interval > 0 && o->interval < 1) {
		levels(o->interval, q);
		if (sc_forest_quantiles(f, x, q, 2, iv, e) == -1)
			return -1;
		iv[0] = sc_features_target_close(kind, c, iv[0]);
		iv[1] = sc_features_target_close(kind, c, iv[1]);
	}
	sc_csv_puts(out, sc_date_fmt(s->date[s->n - 1], date), ',');
	sc_csv_puts(out, s->ticker, ',');
	sc_csv_putnum(out, c, ',');
	sc_csv_putnum(out,
	    sc_features_target_close(kind, c, sc_forest_predict(f, x)), ',');
	sc_csv_putnum(out, NAN, ',');
	sc_csv_putnum(out, iv[0], ',');
	sc_csv_putnum(out, iv[1], ',');
	sc_csv_puts(out, o->model_name, '\n');
	return 0;
}

/* Refuse OHLCV input that lacks a column the features read. */
static int
need_columns(const struct sc_ohlcv *r, const struct sc_features *fs,
    struct sc_err *e)
{
	int c;

	for (c = 0; c < SC_OHLCV_NCOLS; c++)
		if (sc_features_needs(fs, (enum sc_ohlcv_col)c) &&
		    !sc_ohlcv_has(r, (enum sc_ohlcv_col)c))
			return sc_err_set(e, SC_EDATA, 1,
			    "header: no \"%s\" column, which the model's "
			    "features need (is this OHLCV history?)",
			    sc_ohlcv_colname((enum sc_ohlcv_col)c));
	return 0;
}

int
sc_predict_next(const struct sc_model *m, FILE *in, FILE *out,
    const struct sc_predict_opts *o, struct sc_err *e)
{
	const struct sc_forest *f = sc_model_forest(m);
	struct sc_ohlcv_series s = { 0 };
	struct sc_features *fs = NULL;
	struct sc_ohlcv *r = NULL;
	const char **names;
	enum sc_target kind;
	double *x = NULL;
	size_t nt = 0;
	int rc = -1, got;

	if (sc_features_target_parse(sc_forest_target(f), &kind, NULL) == -1)
		return sc_err_set(e, SC_EDATA, 0,
		    "the model predicts \"%s\", not a next-day target of "
		    "sc-split: --next needs a model trained on sc-split's "
		    "feature table",
		    sc_forest_target(f));
	if ((names = feature_names(f, e)) == NULL)
		return -1;
	fs = sc_features_from_names(names, sc_forest_nfeatures(f), e);
	free(names);
	if (fs == NULL) {
		sc_err_prefix(e, "model");
		return -1;
	}
	if ((x = calloc(sc_features_count(fs) + 1, sizeof(*x))) == NULL) {
		sc_err_set(e, SC_EOS, 0, "out of memory");
		goto out;
	}
	if ((r = sc_ohlcv_open(in, e)) == NULL || need_columns(r, fs, e) == -1)
		goto out;
	fputs(HEADER, out);
	while ((got = sc_ohlcv_next(r, &s, e)) == 1) {
		if (forecast(f, fs, &s, kind, x, out, o, e) == -1)
			goto out;
		nt++;
	}
	if (got == 0 && nt == 0)
		sc_err_set(e, SC_EDATA, 1, "no data rows: nothing to forecast");
	else if (got == 0 && ferror(out))
		sc_err_errno(e, SC_EIO, errno, "write");
	else if (got == 0)
		rc = 0;
out:
	sc_ohlcv_series_free(&s);
	sc_ohlcv_free(r);
	sc_features_free(fs);
	free(x);
	return rc;
}
