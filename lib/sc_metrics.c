/* SPDX-License-Identifier: ISC */
/*
 * Metrics are sums kept per ticker (and overall) so a pass over any number
 * of rows needs memory only for the tickers.  Tickers are kept in order of
 * first appearance and looked up through the last one used, then a linear
 * search: predictions come grouped by ticker, so the common case is O(1).
 * The JSON is written by hand so every number is the shortest text that
 * reads back to the same double.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sc_csv.h"
#include "sc_date.h"
#include "sc_metrics.h"
#include "sc_num.h"

struct acc {
	char *ticker;
	long n, skipped;
	double se, ae, ape, naive_se;
	long ape_n, naive_n;
	long dir_n, dir_hit;
	long iv_n, iv_hit;
};

struct sc_metrics {
	struct acc all;
	struct acc *t;
	size_t nt, cap, last;
	char *model; /* the model column, "mixed" if several */
};

struct sc_metrics *
sc_metrics_new(struct sc_err *e)
{
	struct sc_metrics *m = calloc(1, sizeof(*m));

	if (m == NULL)
		sc_err_set(e, SC_EOS, 0, "out of memory");
	return m;
}

void
sc_metrics_free(struct sc_metrics *m)
{
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < m->nt; i++)
		free(m->t[i].ticker);
	free(m->t);
	free(m->model);
	free(m);
}

static struct acc *
find(struct sc_metrics *m, const char *ticker, struct sc_err *e)
{
	struct acc *a;
	size_t i;

	if (m->nt > 0 && strcmp(m->t[m->last].ticker, ticker) == 0)
		return &m->t[m->last];
	for (i = 0; i < m->nt; i++)
		if (strcmp(m->t[i].ticker, ticker) == 0) {
			m->last = i;
			return &m->t[i];
		}
	if (m->nt == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 16;

		if ((a = realloc(m->t, cap * sizeof(*a))) == NULL)
			goto oom;
		m->t = a;
		m->cap = cap;
	}
	a = &m->t[m->nt];
	memset(a, 0, sizeof(*a));
	if ((a->ticker = strdup(ticker)) == NULL)
		goto oom;
	m->last = m->nt++;
	return a;
oom:
	sc_err_set(e, SC_EOS, 0, "out of memory");
	return NULL;
}

static int
sign(double v)
{
	return (v > 0) - (v < 0);
}

static void
add(struct acc *a, double close, double pred, double actual, double lo,
    double hi)
{
	double err = pred - actual;

	if (isnan(actual)) {
		a->skipped++;
		return;
	}
	a->n++;
	a->se += err * err;
	a->ae += fabs(err);
	if (actual != 0) {
		a->ape += fabs(err / actual);
		a->ape_n++;
	}
	if (!isnan(close)) {
		a->naive_se += (close - actual) * (close - actual);
		a->naive_n++;
		/* A day with no move has no direction to get right. */
		if (actual != close) {
			a->dir_n++;
			a->dir_hit +=
			    sign(pred - close) == sign(actual - close);
		}
	}
	if (!isnan(lo) && !isnan(hi)) {
		a->iv_n++;
		a->iv_hit += actual >= lo && actual <= hi;
	}
}

int
sc_metrics_add(struct sc_metrics *m, const char *ticker, double close,
    double pred, double actual, double lo, double hi, struct sc_err *e)
{
	struct acc *a;

	add(&m->all, close, pred, actual, lo, hi);
	if (ticker == NULL)
		return 0;
	if ((a = find(m, ticker, e)) == NULL)
		return -1;
	add(a, close, pred, actual, lo, hi);
	return 0;
}

long
sc_metrics_count(const struct sc_metrics *m)
{
	return m->all.n;
}

static int
note_model(struct sc_metrics *m, const char *model, struct sc_err *e)
{
	if (*model == '\0' ||
	    (m->model != NULL && strcmp(m->model, model) == 0))
		return 0;
	free(m->model);
	m->model = strdup(m->model == NULL ? model : "mixed");
	if (m->model == NULL)
		return sc_err_set(e, SC_EOS, 0, "out of memory");
	return 0;
}

struct cols {
	long date, ticker, close, pred, actual, lo, hi, model;
};

static int
find_cols(const struct sc_csv *r, struct cols *c, struct sc_err *e)
{
	c->date = sc_csv_col(r, "asof");
	if (c->date == -1)
		c->date = sc_csv_col(r, "date");
	c->ticker = sc_csv_col(r, "ticker");
	c->close = sc_csv_col(r, "close");
	c->pred = sc_csv_col(r, "predicted_close");
	c->actual = sc_csv_col(r, "actual_close");
	if (c->pred == -1)
		c->pred = sc_csv_col(r, "predicted");
	if (c->actual == -1)
		c->actual = sc_csv_col(r, "actual");
	c->lo = sc_csv_col(r, "lower");
	c->hi = sc_csv_col(r, "upper");
	c->model = sc_csv_col(r, "model");
	if (c->pred == -1)
		return sc_err_set(e, SC_EDATA, 1,
		    "no \"predicted_close\" or \"predicted\" column");
	if (c->actual == -1)
		return sc_err_set(e, SC_EDATA, 1,
		    "no \"actual_close\" or \"actual\" column");
	return 0;
}

/* A non-empty date cell must be a date, or the rows are not predictions. */
static int
date_ok(const struct sc_csv *r, long col, struct sc_err *e)
{
	long day;
	size_t n;

	if (col == -1 || (n = sc_csv_fieldlen(r, (size_t)col)) == 0)
		return 0;
	if (sc_date_parse(sc_csv_field(r, (size_t)col), n, &day) == -1)
		return sc_err_set(e, SC_EDATA, sc_csv_line(r),
		    "column \"%s\": not a date (want YYYY-MM-DD): \"%.40s\"",
		    sc_csv_colname(r, (size_t)col),
		    sc_csv_field(r, (size_t)col));
	return 0;
}

/* Cell col as a number, NaN when the column is absent or the cell empty. */
static int
cell(const struct sc_csv *r, long col, double *v, struct sc_err *e)
{
	int rc;

	*v = NAN;
	if (col == -1)
		return 0;
	if ((rc = sc_csv_num(r, (size_t)col, v, e)) == -1)
		return -1;
	if (rc == 1)
		*v = NAN;
	return 0;
}

int
sc_metrics_read(struct sc_metrics *m, FILE *fp, struct sc_err *e)
{
	struct sc_csv *r;
	struct cols c;
	double close, pred, actual, lo, hi;
	int rc;

	if ((r = sc_csv_open(fp, NULL, 1, e)) == NULL)
		return -1;
	if (find_cols(r, &c, e) == -1)
		goto fail;
	while ((rc = sc_csv_read(r, e)) == 1) {
		if (date_ok(r, c.date, e) == -1 ||
		    cell(r, c.close, &close, e) == -1 ||
		    cell(r, c.pred, &pred, e) == -1 ||
		    cell(r, c.actual, &actual, e) == -1 ||
		    cell(r, c.lo, &lo, e) == -1 || cell(r, c.hi, &hi, e) == -1)
			goto fail;
		if (isnan(pred) && !isnan(actual)) {
			sc_err_set(e, SC_EDATA, sc_csv_line(r),
			    "column \"%s\": empty prediction",
			    sc_csv_colname(r, (size_t)c.pred));
			goto fail;
		}
		if (sc_metrics_add(m,
		        c.ticker == -1 ? NULL
		                       : sc_csv_field(r, (size_t)c.ticker),
		        close, pred, actual, lo, hi, e) == -1)
			goto fail;
		if (c.model != -1 &&
		    note_model(m, sc_csv_field(r, (size_t)c.model), e) == -1)
			goto fail;
	}
	sc_csv_free(r);
	return rc;
fail:
	sc_csv_free(r);
	return -1;
}

static void
put_num(FILE *fp, const char *key, double v, int comma)
{
	char buf[SC_NUM_BUFSZ];

	fprintf(fp, "\"%s\": %s%s", key,
	    isfinite(v) ? sc_num_fmt(v, buf) : "null", comma ? ", " : "");
}

static void
put_str(FILE *fp, const char *s)
{
	putc('"', fp);
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(fp, "\\%c", c);
		else if (c < 0x20)
			fprintf(fp, "\\u%04x", c);
		else
			putc(c, fp);
	}
	putc('"', fp);
}

static void
put_acc(FILE *fp, const struct acc *a)
{
	double rmse = a->n ? sqrt(a->se / (double)a->n) : NAN;
	double naive =
	    a->naive_n ? sqrt(a->naive_se / (double)a->naive_n) : NAN;

	fprintf(fp, "\"n\": %ld, \"skipped\": %ld, ", a->n, a->skipped);
	put_num(fp, "rmse", rmse, 1);
	put_num(fp, "mae", a->n ? a->ae / (double)a->n : NAN, 1);
	put_num(fp, "mape", a->ape_n ? a->ape / (double)a->ape_n : NAN, 1);
	put_num(fp, "directional_accuracy",
	    a->dir_n ? (double)a->dir_hit / (double)a->dir_n : NAN, 1);
	put_num(fp, "naive_rmse", naive, 1);
	put_num(fp, "skill", naive > 0 ? 1 - rmse / naive : NAN, 1);
	put_num(fp, "interval_coverage",
	    a->iv_n ? (double)a->iv_hit / (double)a->iv_n : NAN, 0);
}

int
sc_metrics_write(const struct sc_metrics *m, FILE *fp, struct sc_err *e)
{
	size_t i;

	fputs("{", fp);
	put_acc(fp, &m->all);
	fputs(", \"model\": ", fp);
	if (m->model != NULL)
		put_str(fp, m->model);
	else
		fputs("null", fp);
	fputs(", \"tickers\": {", fp);
	for (i = 0; i < m->nt; i++) {
		fputs(i ? ",\n  " : "\n  ", fp);
		put_str(fp, m->t[i].ticker);
		fputs(": {", fp);
		put_acc(fp, &m->t[i]);
		fputs("}", fp);
	}
	fputs(m->nt ? "\n}}\n" : "}}\n", fp);
	if (ferror(fp))
		return sc_err_errno(e, SC_EIO, errno, "write");
	return 0;
}

/* A number right-aligned in width columns after one blank, "-" if NaN. */
static void
text_num(FILE *fp, int width, int prec, double v)
{
	if (isfinite(v))
		fprintf(fp, " %*.*f", width, prec, v);
	else
		fprintf(fp, " %*s", width, "-");
}

static void
text_row(FILE *fp, const char *name, const struct acc *a)
{
	double rmse = a->n ? sqrt(a->se / (double)a->n) : NAN;
	double naive =
	    a->naive_n ? sqrt(a->naive_se / (double)a->naive_n) : NAN;

	fprintf(fp, "%-10.10s %5ld", name, a->n);
	text_num(fp, 10, 4, rmse);
	text_num(fp, 10, 4, naive);
	text_num(fp, 7, 3, naive > 0 ? 1 - rmse / naive : NAN);
	text_num(fp, 8, 4, a->n ? a->ae / (double)a->n : NAN);
	text_num(fp, 7, 2, a->ape_n ? 100 * a->ape / (double)a->ape_n : NAN);
	text_num(fp, 7, 1,
	    a->dir_n ? 100 * (double)a->dir_hit / (double)a->dir_n : NAN);
	text_num(fp, 8, 1,
	    a->iv_n ? 100 * (double)a->iv_hit / (double)a->iv_n : NAN);
	putc('\n', fp);
}

int
sc_metrics_write_text(const struct sc_metrics *m, FILE *fp, struct sc_err *e)
{
	size_t i;

	fprintf(fp, "%-10s %5s %10s %10s %7s %8s %7s %7s %8s\n", "ticker", "n",
	    "rmse", "naive", "skill", "mae", "mape%", "dir%", "cover%");
	for (i = 0; i < m->nt; i++)
		text_row(fp, m->t[i].ticker, &m->t[i]);
	text_row(fp, "all", &m->all);
	if (ferror(fp))
		return sc_err_errno(e, SC_EIO, errno, "write");
	return 0;
}
