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

#include "sc_buf.h"
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
	double iv_width, iv_score;
	long dm_n; /* loss differentials (Welford's running mean and M2) */
	double dm_mean, dm_m2;
};

struct sc_metrics {
	struct acc all;
	struct acc *t;
	size_t nt, cap, last;
	double level; /* nominal interval level, for the interval score */
	char *model;  /* the model column, "mixed" if several */
};

struct sc_metrics *
sc_metrics_new(struct sc_err *e)
{
	struct sc_metrics *m = calloc(1, sizeof(*m));

	if (m == NULL)
		sc_err_set(e, SC_EOS, 0, "out of memory");
	else
		m->level = SC_METRICS_LEVEL;
	return m;
}

int
sc_metrics_set_level(struct sc_metrics *m, double level, struct sc_err *e)
{
	if (!(level > 0 && level < 1))
		return sc_err_set(e, SC_EUSAGE, 0,
		    "interval level %g: want a number in (0, 1)", level);
	m->level = level;
	return 0;
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
	if (sc_buf_grow(&m->t, &m->cap, m->nt + 1, sizeof(*m->t), NULL) == -1)
		goto oom;
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

/*
 * The interval (Winkler) score of [lo, hi] at level 1 - alpha for actual
 * y: the width plus 2 / alpha times the distance by which y falls outside.
 */
static double
winkler(double lo, double hi, double y, double alpha)
{
	double s = hi - lo;

	if (y < lo)
		s += 2 / alpha * (lo - y);
	else if (y > hi)
		s += 2 / alpha * (y - hi);
	return s;
}

static void
add(struct acc *a, double close, double pred, double actual, double lo,
    double hi, double level)
{
	double err = pred - actual, d, delta;

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
		d = err * err - (close - actual) * (close - actual);
		a->dm_n++;
		delta = d - a->dm_mean;
		a->dm_mean += delta / (double)a->dm_n;
		a->dm_m2 += delta * (d - a->dm_mean);
		/*
		 * A day with no move has no direction to get right, and a
		 * forecast of no move (the naive one) claims none.
		 */
		if (actual != close && pred != close) {
			a->dir_n++;
			a->dir_hit +=
			    sign(pred - close) == sign(actual - close);
		}
	}
	if (!isnan(lo) && !isnan(hi)) {
		a->iv_n++;
		a->iv_hit += actual >= lo && actual <= hi;
		a->iv_width += hi - lo;
		a->iv_score += winkler(lo, hi, actual, 1 - level);
	}
}

int
sc_metrics_add(struct sc_metrics *m, const char *ticker, double close,
    double pred, double actual, double lo, double hi, struct sc_err *e)
{
	struct acc *a;

	add(&m->all, close, pred, actual, lo, hi, m->level);
	if (ticker == NULL)
		return 0;
	if ((a = find(m, ticker, e)) == NULL)
		return -1;
	add(a, close, pred, actual, lo, hi, m->level);
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

/* The continued fraction of the incomplete beta function (modified Lentz). */
static double
betacf(double a, double b, double x)
{
	const double tiny = 1e-300;
	double c = 1, d = 1 - (a + b) * x / (a + 1), h, num, del;
	int m;

	d = 1 / (fabs(d) < tiny ? tiny : d);
	h = d;
	for (m = 1; m <= 500; m++) {
		num = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m));
		d = 1 + num * d;
		c = 1 + num / c;
		d = 1 / (fabs(d) < tiny ? tiny : d);
		c = fabs(c) < tiny ? tiny : c;
		h *= d * c;
		num = -(a + m) * (a + b + m) * x /
		    ((a + 2 * m) * (a + 2 * m + 1));
		d = 1 + num * d;
		c = 1 + num / c;
		d = 1 / (fabs(d) < tiny ? tiny : d);
		c = fabs(c) < tiny ? tiny : c;
		del = d * c;
		h *= del;
		if (fabs(del - 1) < 1e-16)
			break;
	}
	return h;
}

/* The regularised incomplete beta function I_x(a, b). */
static double
betai(double a, double b, double x)
{
	double bt;

	if (x <= 0)
		return 0;
	if (x >= 1)
		return 1;
	bt = exp(
	    lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x));
	if (x < (a + 1) / (a + b + 2))
		return bt * betacf(a, b, x) / a;
	return 1 - bt * betacf(b, a, 1 - x) / b;
}

double
sc_metrics_t_cdf(double t, double df)
{
	double tail;

	if (isnan(t) || !(df > 0))
		return NAN;
	if (isinf(t))
		return t > 0 ? 1 : 0;
	tail = 0.5 * betai(df / 2, 0.5, df / (df + t * t));
	return t > 0 ? 1 - tail : tail;
}

/*
 * The Diebold-Mariano statistic of one-step forecasts (h = 1, so the
 * long-run variance is the variance of the loss differential d = e^2 -
 * e_naive^2) with the Harvey-Leybourne-Newbold correction sqrt((n - 1) /
 * n), referred to Student's t with n - 1 degrees of freedom.  NaN when
 * fewer than 3 differentials or all equal.
 */
static double
dm_stat(const struct acc *a)
{
	double n = (double)a->dm_n, var;

	if (a->dm_n < 3)
		return NAN;
	var = a->dm_m2 / n;
	if (!(var > 0))
		return NAN;
	return a->dm_mean / sqrt(var / n) * sqrt((n - 1) / n);
}

static void
put_num(FILE *fp, const char *key, double v, int comma)
{
	char buf[SC_NUM_BUFSZ];

	fprintf(fp, "\"%s\": %s%s", key,
	    isfinite(v) ? sc_num_fmt(v, buf) : "null", comma ? ", " : "");
}

void
sc_metrics_json_str(FILE *fp, const char *s)
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

/*
 * dm_stat, its two-sided p-value dm_pvalue, and dm_pvalue_better, the
 * one-sided p-value of "the forecast's squared error is lower than the
 * naive one's".
 */
static void
put_dm(FILE *fp, const struct acc *a)
{
	double dm = dm_stat(a), df = (double)a->dm_n - 1, cdf;

	cdf = sc_metrics_t_cdf(dm, df);
	put_num(fp, "dm_stat", dm, 1);
	put_num(fp, "dm_pvalue", isnan(dm) ? NAN : 2 * fmin(cdf, 1 - cdf), 1);
	put_num(fp, "dm_pvalue_better", cdf, 0);
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
	    a->iv_n ? (double)a->iv_hit / (double)a->iv_n : NAN, 1);
	put_num(fp, "interval_width",
	    a->iv_n ? a->iv_width / (double)a->iv_n : NAN, 1);
	put_num(fp, "interval_score",
	    a->iv_n ? a->iv_score / (double)a->iv_n : NAN, 1);
	put_dm(fp, a);
}

int
sc_metrics_write(const struct sc_metrics *m, FILE *fp, struct sc_err *e)
{
	size_t i;

	fputs("{", fp);
	put_acc(fp, &m->all);
	fputs(", ", fp);
	put_num(fp, "interval_level", m->level, 0);
	fputs(", \"model\": ", fp);
	if (m->model != NULL)
		sc_metrics_json_str(fp, m->model);
	else
		fputs("null", fp);
	fputs(", \"tickers\": {", fp);
	for (i = 0; i < m->nt; i++) {
		fputs(i ? ",\n  " : "\n  ", fp);
		sc_metrics_json_str(fp, m->t[i].ticker);
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
	text_num(fp, 9, 4, a->iv_n ? a->iv_width / (double)a->iv_n : NAN);
	text_num(fp, 9, 4, a->iv_n ? a->iv_score / (double)a->iv_n : NAN);
	text_num(fp, 6, 3, sc_metrics_t_cdf(dm_stat(a), (double)a->dm_n - 1));
	putc('\n', fp);
}

int
sc_metrics_write_text(const struct sc_metrics *m, FILE *fp, struct sc_err *e)
{
	size_t i;

	fprintf(fp, "%-10s %5s %10s %10s %7s %8s %7s %7s %8s %9s %9s %6s\n",
	    "ticker", "n", "rmse", "naive", "skill", "mae", "mape%", "dir%",
	    "cover%", "width", "iscore", "p_dm");
	for (i = 0; i < m->nt; i++)
		text_row(fp, m->t[i].ticker, &m->t[i]);
	text_row(fp, "all", &m->all);
	if (ferror(fp))
		return sc_err_errno(e, SC_EIO, errno, "write");
	return 0;
}
