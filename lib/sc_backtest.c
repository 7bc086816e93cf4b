/* SPDX-License-Identifier: ISC */
/*
 * The backtest holds the whole history in memory twice: as series (for
 * the forecasts' features and the actual closes) and as the one feature
 * table sc-split makes of it (for training).  Each table row is mapped to
 * its ticker and day, so a refit takes exactly the rows whose target day
 * came before the refit date, and a forecast for day i of a ticker reads
 * a view of the series cut to its first i rows.  Refit dates are every
 * refit-th distinct forecast date, shared by all tickers, since one model
 * serves them all as in the daily pipeline.  Adaptive conformal state is
 * per ticker: each ticker's days are one sequence of hits and misses.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sc_backtest.h"
#include "sc_buf.h"
#include "sc_csv.h"
#include "sc_date.h"
#include "sc_ohlcv.h"
#include "sc_split.h"
#include "sc_table.h"
#include "sc_tune.h"

static const char HEADER[] = "asof,date,ticker,close,predicted_close,"
                             "actual_close,lower,upper,model,source\n";

/* One forecast, kept until the output is written ticker by ticker. */
struct fc {
	double pred, lo, hi;
	int naive;
};

struct bt {
	const struct sc_backtest_opts *o;
	struct sc_ohlcv_series *s; /* ns series, input order */
	size_t ns;
	struct sc_table *t;       /* the feature table of every series */
	size_t *row_tk, *row_pos; /* table row -> series and asof day */
	long *dates;              /* distinct days of all series, sorted */
	size_t ndates;
	long *fdates; /* distinct forecast days, sorted */
	size_t nf;
	size_t *first;                  /* first forecast day of each series */
	struct fc **out;                /* per series, days forecasts */
	double *x;                      /* one row of features */
	struct sc_calib_aci *aci;       /* per series */
	int aci_on;                     /* aci initialised */
	struct sc_calib calib;          /* the last calibration */
	struct sc_forest_params params; /* the last search's best, or o's */
	size_t nrefit;                  /* refits so far */
};

void
sc_backtest_defaults(struct sc_backtest_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->target = SC_TARGET_LOGRET;
	o->days = 30;
	o->refit = 20;
	sc_forest_defaults(&o->forest);
	o->folds = 5;
	o->recalibrate = 5;
	o->level = 0.9;
	o->aci = 1;
	o->interval = SC_BACKTEST_CONFORMAL;
	o->model_name = "backtest";
}

static int
oom(struct sc_err *e)
{
	return sc_err_set(e, SC_EOS, 0, "out of memory");
}

/* Every series of the input, in input order. */
static int
read_series(struct bt *b, FILE *in, struct sc_err *e)
{
	struct sc_ohlcv *r;
	size_t cap = 0;
	int got, c;

	if ((r = sc_ohlcv_open(in, e)) == NULL)
		return -1;
	for (c = 0; c < SC_OHLCV_NCOLS; c++)
		if (sc_features_needs(b->o->features, (enum sc_ohlcv_col)c) &&
		    !sc_ohlcv_has(r, (enum sc_ohlcv_col)c)) {
			sc_ohlcv_free(r);
			return sc_err_set(e, SC_EDATA, 1,
			    "header: no \"%s\" column, which the features "
			    "need",
			    sc_ohlcv_colname((enum sc_ohlcv_col)c));
		}
	for (;;) {
		if (sc_buf_grow(&b->s, &cap, b->ns + 1, sizeof(*b->s), NULL) ==
		    -1) {
			sc_ohlcv_free(r);
			return oom(e);
		}
		memset(&b->s[b->ns], 0, sizeof(b->s[b->ns]));
		if ((got = sc_ohlcv_next(r, &b->s[b->ns], e)) != 1)
			break;
		b->ns++;
	}
	sc_ohlcv_series_free(&b->s[b->ns]);
	sc_ohlcv_free(r);
	if (got == 0 && b->ns == 0)
		return sc_err_set(e, SC_EDATA, 1,
		    "no data rows: nothing to "
		    "backtest");
	return got;
}

/*
 * The training table of the whole input, as sc-split writes it: the
 * series go back to OHLCV text (every number in its shortest round-trip
 * form, so sc-split reads back the same doubles) and through sc-split's
 * code.  The input itself is read once, as a stream, so a malformed
 * record is refused at the CSV reader's bound, not after buffering it.
 */
static int
build_table(struct bt *b, struct sc_err *e)
{
	struct sc_split_opts so = { b->o->features, b->o->target, 0, 1 };
	struct sc_table_opts to = { NULL, 0, 0 };
	char *obuf = NULL, *tbuf = NULL, *nbuf = NULL;
	size_t olen = 0, tlen = 0, nlen = 0, i;
	FILE *ohlcv, *in = NULL, *train, *none, *tin;
	int rc = -1;

	ohlcv = open_memstream(&obuf, &olen);
	train = open_memstream(&tbuf, &tlen);
	none = open_memstream(&nbuf, &nlen);
	if (ohlcv == NULL || train == NULL || none == NULL) {
		oom(e);
		goto out;
	}
	sc_ohlcv_write_header(ohlcv);
	for (i = 0; i < b->ns; i++)
		sc_ohlcv_write(ohlcv, &b->s[i]);
	if (fflush(ohlcv) == EOF || ferror(ohlcv) ||
	    (in = fmemopen(obuf, olen, "r")) == NULL) {
		oom(e);
		goto out;
	}
	if (sc_split_run(in, train, none, &so, NULL, e) == -1) {
		sc_err_prefix(e, "feature table");
		goto out;
	}
	if (fflush(train) == EOF) {
		oom(e);
		goto out;
	}
	if ((tin = fmemopen(tbuf, tlen, "r")) == NULL) {
		oom(e);
		goto out;
	}
	to.target = sc_features_target_name(b->o->target);
	b->t = sc_table_read(tin, &to, e);
	fclose(tin);
	if (b->t != NULL)
		rc = 0;
	else
		sc_err_prefix(e, "feature table");
out:
	if (in != NULL)
		fclose(in);
	if (ohlcv != NULL)
		fclose(ohlcv);
	if (train != NULL)
		fclose(train);
	if (none != NULL)
		fclose(none);
	free(obuf);
	free(tbuf);
	free(nbuf);
	return rc;
}

/* Map each table row to its series and day: both come in input order. */
static int
map_rows(struct bt *b, struct sc_err *e)
{
	size_t r, n = sc_table_nrows(b->t), tk = 0, pos = 0;
	const char *d, *tick;
	long day;

	b->row_tk = calloc(n + 1, sizeof(*b->row_tk));
	b->row_pos = calloc(n + 1, sizeof(*b->row_pos));
	if (b->row_tk == NULL || b->row_pos == NULL)
		return oom(e);
	for (r = 0; r < n; r++) {
		d = sc_table_date(b->t, r);
		tick = sc_table_ticker(b->t, r);
		if (d == NULL || tick == NULL ||
		    sc_date_parse(d, strlen(d), &day) == -1)
			return sc_err_set(e, SC_EINTERNAL, 0,
			    "feature table row %zu: no date or ticker", r);
		while (tk < b->ns && strcmp(b->s[tk].ticker, tick) != 0) {
			tk++;
			pos = 0;
		}
		while (
		    tk < b->ns && pos < b->s[tk].n && b->s[tk].date[pos] < day)
			pos++;
		if (tk == b->ns || pos + 1 >= b->s[tk].n ||
		    b->s[tk].date[pos] != day)
			return sc_err_set(e, SC_EINTERNAL, 0,
			    "feature table row %zu: %s %s not in the history",
			    r, tick, d);
		b->row_tk[r] = tk;
		b->row_pos[r] = pos;
	}
	return 0;
}

static int
cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return (x > y) - (x < y);
}

/* Sort and remove duplicates; returns the new length. */
static size_t
uniq(long *v, size_t n)
{
	size_t i, k = 0;

	qsort(v, n, sizeof(*v), cmp_long);
	for (i = 0; i < n; i++)
		if (k == 0 || v[k - 1] != v[i])
			v[k++] = v[i];
	return k;
}

/* The forecast days of each ticker, and the distinct days overall. */
static int
plan(struct bt *b, struct sc_err *e)
{
	size_t tk, i, total = 0, nf = 0, nd = 0, w;

	w = sc_features_warmup(b->o->features);
	for (tk = 0; tk < b->ns; tk++)
		total += b->s[tk].n;
	b->first = calloc(b->ns, sizeof(*b->first));
	b->out = calloc(b->ns, sizeof(*b->out));
	b->dates = calloc(total + 1, sizeof(*b->dates));
	b->fdates = calloc(b->ns * b->o->days + 1, sizeof(*b->fdates));
	b->aci = calloc(b->ns, sizeof(*b->aci));
	if (b->first == NULL || b->out == NULL || b->dates == NULL ||
	    b->fdates == NULL || b->aci == NULL)
		return oom(e);
	for (tk = 0; tk < b->ns; tk++) {
		const struct sc_ohlcv_series *s = &b->s[tk];

		/* Day i is forecast from day i - 1, which needs warm-up. */
		if (s->n < b->o->days + w + 1)
			return sc_err_set(e, SC_EDATA, s->last_line,
			    "%s: %zu days of history; %zu forecast days "
			    "need more than %zu (the features' warm-up is "
			    "%zu days)",
			    s->ticker, s->n, b->o->days, b->o->days + w, w);
		b->first[tk] = s->n - b->o->days;
		if ((b->out[tk] = calloc(b->o->days, sizeof(struct fc))) ==
		    NULL)
			return oom(e);
		for (i = 0; i < s->n; i++)
			b->dates[nd++] = s->date[i];
		for (i = b->first[tk]; i < s->n; i++)
			b->fdates[nf++] = s->date[i];
	}
	b->ndates = uniq(b->dates, nd);
	b->nf = uniq(b->fdates, nf);
	return 0;
}

/* Index of day d in the sorted distinct days (d is one of them). */
static size_t
date_index(const struct bt *b, long d)
{
	size_t lo = 0, hi = b->ndates;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (b->dates[mid] < d)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * The rows a refit on day r may learn from: those whose target day (the
 * next day of the row's ticker) is before r, and with a window, not
 * before the window-th distinct day before r.
 */
static struct sc_table *
training_rows(const struct bt *b, long r, struct sc_err *e)
{
	size_t i, n = sc_table_nrows(b->t), k = 0, ri;
	size_t *rows = calloc(n + 1, sizeof(*rows));
	long from = LONG_MIN;
	struct sc_table *sub;
	char buf[SC_DATE_BUFSZ];

	if (rows == NULL) {
		oom(e);
		return NULL;
	}
	if (b->o->window > 0) {
		ri = date_index(b, r);
		from = b->dates[ri > b->o->window ? ri - b->o->window : 0];
	}
	for (i = 0; i < n; i++) {
		long td = b->s[b->row_tk[i]].date[b->row_pos[i] + 1];

		if (td < r && td >= from)
			rows[k++] = i;
	}
	if (k < 2) {
		free(rows);
		sc_err_set(e, SC_EDATA, 0,
		    "%zu training rows before %s: the history before the "
		    "first forecast day is too short",
		    k, sc_date_fmt(r, buf));
		return NULL;
	}
	sub = sc_table_subset(b->t, rows, k, e);
	free(rows);
	return sub;
}

/* The model of one refit. */
struct fit {
	struct sc_forest *f;
	struct sc_calib c;
	long vol; /* index of the volatility feature, -1: none */
};

/* sc-tune's search on t: its best parameters into b->params. */
static int
search(struct bt *b, const struct sc_table *t, struct sc_err *e)
{
	struct sc_tune_space sp;
	struct sc_tune_opts to;
	struct sc_tune *r;
	const struct sc_tune_trial *best;
	int rc = -1;

	sc_tune_space_defaults(&sp);
	sc_tune_defaults(&to);
	to.trials = b->o->trials;
	to.folds = b->o->folds;
	to.seed = b->o->forest.seed;
	to.base = b->o->forest;
	if ((r = sc_tune_run(t, &sp, &to, NULL, NULL, e)) == NULL)
		return -1;
	if ((best = sc_tune_best(r)) == NULL)
		sc_err_set(e, SC_EDATA, 0, "the search completed no trial");
	else if (sc_tune_apply(&sp, best->x, &b->o->forest, &b->params, e) == 0)
		rc = 0;
	sc_tune_free(r);
	return rc;
}

/*
 * Walk-forward folds inside training sets that grow by a few days a refit
 * barely change, so the calibration is refitted on every recalibrate-th
 * refit only: a full calibration costs about 2.5 more forest fits.
 */
static int
fit(struct bt *b, const struct sc_table *t, struct fit *m, struct sc_err *e)
{
	struct sc_train_opts to;
	size_t j;
	int calibrate = b->o->raw || b->nrefit % b->o->recalibrate == 0;

	if (b->nrefit == 0)
		b->params = b->o->forest;
	if (calibrate && b->o->trials > 0 && search(b, t, e) == -1)
		return -1;
	sc_train_defaults(&to);
	to.forest = b->params;
	to.folds = b->o->raw ? 0 : b->o->folds;
	if (calibrate) {
		if ((m->f = sc_train(t, &to, &m->c, e)) == NULL)
			return -1;
		b->calib = m->c;
	} else {
		if ((m->f = sc_forest_fit(&to.forest, t, e)) == NULL)
			return -1;
		m->c = b->calib;
	}
	b->nrefit++;
	if (b->o->raw)
		m->c.lambda = 1;
	m->vol = -1;
	for (j = 0; j < sc_features_count(b->o->features); j++)
		if (strcmp(sc_forest_feature(m->f, j),
		        sc_features_name(b->o->features, j)) != 0)
			return sc_err_set(e, SC_EINTERNAL, 0,
			    "feature %zu: the table has \"%s\", the list "
			    "\"%s\"",
			    j, sc_forest_feature(m->f, j),
			    sc_features_name(b->o->features, j));
	for (j = 0; j < sc_features_count(b->o->features); j++)
		if (m->c.vol_feature[0] != '\0' &&
		    strcmp(m->c.vol_feature,
		        sc_features_name(b->o->features, j)) == 0)
			m->vol = (long)j;
	return 0;
}

/* The forecast for day i of series tk, from the rows before it. */
static int
forecast(struct bt *b, const struct fit *m, size_t tk, size_t i,
    struct sc_err *e)
{
	const struct sc_backtest_opts *o = b->o;
	struct sc_ohlcv_series cut = b->s[tk];
	struct fc *fc = &b->out[tk][i - b->first[tk]];
	double c = b->s[tk].v[SC_OHLCV_CLOSE][i - 1], naive, unit, p, q[2];
	double iv[2], mean, vol, level = o->level, y;
	size_t j;
	char buf[SC_DATE_BUFSZ];

	cut.n = i; /* the view ends on the asof day: no later row exists */
	if (sc_features_last(o->features, &cut, b->x, e) == -1)
		return -1;
	for (j = 0; j < sc_features_count(o->features); j++)
		if (!isfinite(b->x[j]))
			return sc_err_set(e, SC_EDATA, b->s[tk].last_line,
			    "%s %s: feature \"%s\" is undefined (a missing "
			    "or zero value?)",
			    cut.ticker, sc_date_fmt(cut.date[i - 1], buf),
			    sc_features_name(o->features, j));
	sc_train_naive(sc_features_target_name(o->target), c, &naive, &unit);
	p = sc_forest_predict(m->f, b->x);
	vol = m->vol >= 0 ? b->x[m->vol] : NAN;
	if (o->interval == SC_BACKTEST_CONFORMAL && o->aci && level > 0)
		level = sc_calib_aci_level(&b->aci[tk]);
	sc_calib_serve(&m->c, naive, unit, p, vol,
	    o->interval == SC_BACKTEST_CONFORMAL ? level : 0, &mean, &iv[0],
	    &iv[1]);
	fc->pred = sc_features_target_close(o->target, c, mean);
	fc->naive = m->c.lambda == 0;
	fc->lo = sc_features_target_close(o->target, c, iv[0]);
	fc->hi = sc_features_target_close(o->target, c, iv[1]);
	if (o->level > 0 && o->interval == SC_BACKTEST_CONFORMAL && o->aci &&
	    !isnan(fc->lo)) {
		/*
		 * The day's actual close is known on day i, the asof of the
		 * next forecast: the miss feeds the next level only.
		 */
		y = b->s[tk].v[SC_OHLCV_CLOSE][i];
		sc_calib_aci_update(&b->aci[tk], y < fc->lo || y > fc->hi);
	}
	if (o->level > 0 && o->interval == SC_BACKTEST_QUANTILE) {
		q[0] = (1 - o->level) / 2;
		q[1] = (1 + o->level) / 2;
		if (sc_forest_quantiles(m->f, b->x, q, 2, iv, e) == -1)
			return -1;
		fc->lo = sc_features_target_close(o->target, c, iv[0]);
		fc->hi = sc_features_target_close(o->target, c, iv[1]);
	}
	return 0;
}

/* Refit on day F[k] and forecast the days of F[k .. k + refit). */
static int
block(struct bt *b, size_t k, struct sc_backtest_stats *st, struct sc_err *e)
{
	struct fit m;
	struct sc_table *t;
	long d0 = b->fdates[k], d1;
	size_t tk, i, end = k + b->o->refit;
	int rc = -1;

	memset(&m, 0, sizeof(m));
	d1 = b->fdates[(end < b->nf ? end : b->nf) - 1];
	if ((t = training_rows(b, d0, e)) == NULL)
		return -1;
	st->train_rows = sc_table_nrows(t);
	if (fit(b, t, &m, e) == -1)
		goto out;
	st->refits++;
	st->lambda_mean += m.c.lambda;
	if (!b->aci_on) {
		for (tk = 0; tk < b->ns; tk++)
			sc_calib_aci_init(&b->aci[tk], b->o->level, m.c.gamma);
		b->aci_on = 1;
	}
	for (tk = 0; tk < b->ns; tk++)
		for (i = b->first[tk]; i < b->s[tk].n; i++) {
			if (b->s[tk].date[i] < d0 || b->s[tk].date[i] > d1)
				continue;
			if (forecast(b, &m, tk, i, e) == -1)
				goto out;
			st->forecasts++;
			st->naive += m.c.lambda == 0;
		}
	rc = 0;
out:
	sc_forest_free(m.f);
	sc_table_free(t);
	return rc;
}

static void
write_rows(const struct bt *b, FILE *out)
{
	char asof[SC_DATE_BUFSZ], day[SC_DATE_BUFSZ];
	size_t tk, i;

	fputs(HEADER, out);
	for (tk = 0; tk < b->ns; tk++) {
		const struct sc_ohlcv_series *s = &b->s[tk];

		for (i = b->first[tk]; i < s->n; i++) {
			const struct fc *fc = &b->out[tk][i - b->first[tk]];

			sc_csv_puts(out, sc_date_fmt(s->date[i - 1], asof),
			    ',');
			sc_csv_puts(out, sc_date_fmt(s->date[i], day), ',');
			sc_csv_puts(out, s->ticker, ',');
			sc_csv_putnum(out, s->v[SC_OHLCV_CLOSE][i - 1], ',');
			sc_csv_putnum(out, fc->pred, ',');
			sc_csv_putnum(out, s->v[SC_OHLCV_CLOSE][i], ',');
			sc_csv_putnum(out, fc->lo, ',');
			sc_csv_putnum(out, fc->hi, ',');
			sc_csv_puts(out, b->o->model_name, ',');
			sc_csv_puts(out, fc->naive ? "naive" : "model", '\n');
		}
	}
}

static int
check_opts(const struct sc_backtest_opts *o, struct sc_err *e)
{
	if (o->features == NULL || sc_features_count(o->features) == 0)
		return sc_err_set(e, SC_EUSAGE, 0, "no features");
	if (o->days < 1 || o->days > SC_BACKTEST_MAX_DAYS)
		return sc_err_set(e, SC_EUSAGE, 0, "days %zu: want 1..%d",
		    o->days, SC_BACKTEST_MAX_DAYS);
	if (o->refit < 1)
		return sc_err_set(e, SC_EUSAGE, 0, "refit: want >= 1");
	if (o->level != 0 && !(o->level > 0 && o->level < 1))
		return sc_err_set(e, SC_EUSAGE, 0,
		    "interval level %g: want (0, 1)", o->level);
	if (o->recalibrate < 1)
		return sc_err_set(e, SC_EUSAGE, 0, "recalibrate: want >= 1");
	if (!o->raw && (o->folds < 2 || o->folds > 100))
		return sc_err_set(e, SC_EUSAGE, 0, "folds %d: want 2..100",
		    o->folds);
	if (o->raw && o->interval == SC_BACKTEST_CONFORMAL && o->level > 0)
		return sc_err_set(e, SC_EUSAGE, 0,
		    "conformal intervals need the calibration that --raw "
		    "leaves out: add --interval-method quantile");
	return sc_forest_check(&o->forest, e);
}

static void
bt_free(struct bt *b)
{
	size_t i;

	for (i = 0; i < b->ns; i++) {
		sc_ohlcv_series_free(&b->s[i]);
		if (b->out != NULL)
			free(b->out[i]);
	}
	free(b->s);
	sc_table_free(b->t);
	free(b->row_tk);
	free(b->row_pos);
	free(b->dates);
	free(b->fdates);
	free(b->first);
	free(b->out);
	free(b->x);
	free(b->aci);
}

int
sc_backtest_run(FILE *in, FILE *out, const struct sc_backtest_opts *o,
    struct sc_backtest_stats *stats, struct sc_err *e)
{
	struct sc_backtest_stats st = { 0 };
	struct bt b = { 0 };
	size_t k, nb;
	int rc = -1;

	if (check_opts(o, e) == -1)
		return -1;
	b.o = o;
	if (read_series(&b, in, e) == -1)
		goto out;
	b.x = calloc(sc_features_count(o->features) + 1, sizeof(*b.x));
	if (b.x == NULL) {
		oom(e);
		goto out;
	}
	if (plan(&b, e) == -1 || build_table(&b, e) == -1 ||
	    map_rows(&b, e) == -1)
		goto out;
	nb = (b.nf + o->refit - 1) / o->refit;
	for (k = 0; k < nb; k++) {
		if (block(&b, k * o->refit, &st, e) == -1)
			goto out;
		if (o->progress != NULL)
			o->progress(o->progress_arg, k + 1, nb);
	}
	write_rows(&b, out);
	if (ferror(out)) {
		sc_err_errno(e, SC_EIO, errno, "write");
		goto out;
	}
	st.tickers = b.ns;
	if (st.refits > 0)
		st.lambda_mean /= (double)st.refits;
	sc_date_fmt(b.fdates[0], st.first);
	sc_date_fmt(b.fdates[b.nf - 1], st.last);
	if (stats != NULL)
		*stats = st;
	rc = 0;
out:
	bt_free(&b);
	return rc;
}
