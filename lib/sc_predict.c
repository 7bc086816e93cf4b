/* SPDX-License-Identifier: ISC */
/*
 * Predictions.  A table is predicted in one batch call (threads, one pass
 * over the trees per row); the next-day forecast computes each ticker's
 * last-day features with sc_features_last(), the same code as the full
 * computation sc-split ran, and predicts that one row.  Calibration
 * (sc_calib.h) is applied to each row after the forest's prediction: the
 * forest itself is never changed, so a model without calibration predicts
 * exactly as before.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sc_buf.h"
#include "sc_calendar.h"
#include "sc_calib.h"
#include "sc_csv.h"
#include "sc_date.h"
#include "sc_features.h"
#include "sc_log.h"
#include "sc_ohlcv.h"
#include "sc_predict.h"
#include "sc_table.h"
#include "sc_train.h"

static const char HEADER[] = "asof,date,ticker,close,predicted_close,"
                             "actual_close,lower,upper,model,source\n";

/* How one model is served: its forest, calibration and the options. */
struct server {
	const struct sc_forest *f;
	const char *target;
	struct sc_calib cal;
	int calibrated; /* the model has a calibration */
	int iv;         /* an interval is wanted */
	int conformal;  /* conformal intervals (else quantile) */
	int aci;        /* the level moves with ACI */
	double level;
};

static int
server_init(struct server *S, const struct sc_model *m,
    const struct sc_predict_opts *o, struct sc_err *e)
{
	int rc;

	memset(S, 0, sizeof(*S));
	S->f = sc_model_forest(m);
	S->target = sc_forest_target(S->f);
	if ((rc = sc_calib_from_extra(sc_model_extra(m), &S->cal, e)) == -1) {
		sc_err_prefix(e, "model");
		return -1;
	}
	S->calibrated = rc == 1;
	S->iv = o->interval > 0 && o->interval < 1;
	S->level = S->iv ? o->interval : 0;
	S->conformal = S->iv && S->calibrated && S->cal.nscores > 0 &&
	    o->method == SC_PREDICT_CONFORMAL;
	S->aci = S->conformal && !o->no_aci;
	return 0;
}

/* Needs the volatility column: conformal intervals scaled by a feature. */
static int
needs_vol(const struct server *S)
{
	return S->conformal && S->cal.vol_feature[0] != '\0';
}

/*
 * Serve one row in target units: pred is the forest's mean, qlo and qhi
 * its quantile interval (NaN when not wanted), close the row's close, vol
 * the volatility feature, level the conformal level.  Returns 1 when the
 * model's prediction is served, 0 when it is the naive forecast.
 */
static int
serve(const struct server *S, double pred, double qlo, double qhi, double close,
    double vol, double level, double out[3])
{
	double naive, unit;

	if (!S->calibrated) {
		out[0] = pred;
		out[1] = qlo;
		out[2] = qhi;
		return 1;
	}
	sc_train_naive(S->target, close, &naive, &unit);
	sc_calib_serve(&S->cal, naive, unit, pred, vol,
	    S->conformal ? level : 0, &out[0], &out[1], &out[2]);
	if (S->iv && !S->conformal) {
		/* the forest's band, moved onto the served forecast */
		out[1] = out[0] + (qlo - pred);
		out[2] = out[0] + (qhi - pred);
	}
	return S->cal.lambda > 0;
}

/* The trading day after asof, as text ("" when asof is not a date). */
static void
forecast_day(const char *asof, char *buf)
{
	long d;

	buf[0] = '\0';
	if (asof != NULL && sc_date_parse(asof, strlen(asof), &d) == 0)
		sc_date_fmt(sc_calendar_next_trading_day(d), buf);
}

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
    const double *const res[3], const int *src, int iv, const char *model)
{
	const double *y = sc_table_y(t);
	char day[SC_DATE_BUFSZ];
	size_t i, n = sc_table_nrows(t);

	fputs(HEADER, out);
	for (i = 0; i < n; i++) {
		double c = sc_table_close(t, i);

		put_label(out, sc_table_date(t, i), ',');
		forecast_day(sc_table_date(t, i), day);
		sc_csv_puts(out, day, ',');
		put_label(out, sc_table_ticker(t, i), ',');
		sc_csv_putnum(out, c, ',');
		sc_csv_putnum(out, sc_features_target_close(kind, c, res[0][i]),
		    ',');
		sc_csv_putnum(out, y != NULL ? realised(kind, c, y[i]) : NAN,
		    ',');
		sc_csv_putnum(out,
		    iv ? sc_features_target_close(kind, c, res[1][i]) : NAN,
		    ',');
		sc_csv_putnum(out,
		    iv ? sc_features_target_close(kind, c, res[2][i]) : NAN,
		    ',');
		sc_csv_puts(out, model, ',');
		sc_csv_puts(out, src[i] ? "model" : "naive", '\n');
	}
}

/* Rows of a generic table: its labels, then predicted and actual. */
static void
write_generic(FILE *out, const struct sc_table *t, const double *const res[3],
    int iv)
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
		sc_csv_putnum(out, res[0][i], ',');
		sc_csv_putnum(out, y != NULL ? y[i] : NAN, iv ? ',' : '\n');
		if (iv) {
			sc_csv_putnum(out, res[1][i], ',');
			sc_csv_putnum(out, res[2][i], '\n');
		}
	}
}

static int
same_ticker(const struct sc_table *t, size_t i, size_t j)
{
	const char *a = sc_table_ticker(t, i), *b = sc_table_ticker(t, j);

	return a == NULL || b == NULL || strcmp(a, b) == 0;
}

/*
 * Serve every row of t from the forest's mean and quantiles (in res[0..2]
 * on entry, the served values on return), ACI per ticker in table order.
 */
static int
serve_table(const struct server *S, const struct sc_table *t, double *res[3],
    int *src, struct sc_err *e)
{
	struct sc_calib_aci a;
	const double *y = sc_table_y(t), *vol = NULL;
	size_t i, n = sc_table_nrows(t);
	double out[3];
	long vc;

	if (needs_vol(S)) {
		if ((vc = sc_table_find(t, S->cal.vol_feature)) == -1)
			return sc_err_set(e, SC_EDATA, 1,
			    "the input lacks the column \"%s\", the "
			    "volatility the model's conformal intervals are "
			    "scaled by (or use the quantile interval method)",
			    S->cal.vol_feature);
		vol = sc_table_column(t, (size_t)vc);
	}
	if (S->calibrated && S->target != NULL &&
	    strcmp(S->target, "target_close_1") == 0 && n > 0 &&
	    isnan(sc_table_close(t, 0)))
		return sc_err_set(e, SC_EDATA, 1,
		    "the input has no close column: the naive forecast of "
		    "the close target is the close");
	for (i = 0; i < n; i++) {
		if (i == 0 || !same_ticker(t, i, i - 1))
			sc_calib_aci_init(&a, S->level, S->cal.gamma);
		src[i] = serve(S, res[0][i], res[1][i], res[2][i],
		    sc_table_close(t, i), vol != NULL ? vol[i] : NAN,
		    S->aci ? sc_calib_aci_level(&a) : S->level, out);
		res[0][i] = out[0];
		res[1][i] = out[1];
		res[2][i] = out[2];
		if (S->aci && y != NULL && !isnan(y[i]))
			sc_calib_aci_update(&a,
			    !(y[i] >= out[1] && y[i] <= out[2]));
	}
	return 0;
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
	struct sc_table_opts topts = { sc_forest_target(f), 1, 1 };
	struct sc_table *t = NULL;
	struct server S;
	enum sc_target kind;
	const char **names = NULL;
	double *res[3] = { NULL, NULL, NULL };
	size_t *map = NULL, n, nf = sc_forest_nfeatures(f);
	int *src = NULL, rc = -1;

	if (server_init(&S, m, o, e) == -1 ||
	    (names = feature_names(f, e)) == NULL)
		return -1;
	/* Only the model's features are read: other columns, text or not,
	 * are ignored. */
	if ((t = sc_table_read_only(in, &topts, names, nf, e)) == NULL) {
		free(names);
		return -1;
	}
	if (check_columns(f, t, e) == -1)
		goto out;
	n = sc_table_nrows(t);
	map = calloc(nf + 1, sizeof(*map));
	res[0] = calloc(n + 1, sizeof(double));
	res[1] = calloc(n + 1, sizeof(double));
	res[2] = calloc(n + 1, sizeof(double));
	src = calloc(n + 1, sizeof(*src));
	if (names == NULL || map == NULL || res[0] == NULL || res[1] == NULL ||
	    res[2] == NULL || src == NULL) {
		sc_err_set(e, SC_EOS, 0, "out of memory");
		goto out;
	}
	if (sc_table_map(t, names, nf, map, e) == -1 ||
	    sc_forest_predict_table(f, t, map, S.iv ? o->interval : 0,
	        o->threads, res[0], res[1], res[2], e) == -1)
		goto out;
	if (!S.iv)
		for (size_t i = 0; i < n; i++)
			res[1][i] = res[2][i] = NAN;
	if (serve_table(&S, t, res, src, e) == -1)
		goto out;
	if (sc_features_target_parse(sc_forest_target(f), &kind, NULL) == 0 &&
	    n > 0 && !isnan(sc_table_close(t, 0)))
		write_prices(out, t, kind, (const double *const *)res, src,
		    S.iv, o->model_name);
	else
		write_generic(out, t, (const double *const *)res, S.iv);
	if (ferror(out))
		sc_err_errno(e, SC_EIO, errno, "write");
	else
		rc = 0;
out:
	free(names);
	free(map);
	free(res[0]);
	free(res[1]);
	free(res[2]);
	free(src);
	sc_table_free(t);
	return rc;
}

/* One ticker's history with its features computed on every day. */
struct hist {
	const struct sc_ohlcv_series *s;
	const double *x;   /* s->n rows of k features */
	const double *vol; /* s->n values, or NULL */
	size_t k;
};

/* Forecast day t of h (from its row t) in target units; see serve(). */
static int
forecast_at(const struct server *S, const struct hist *h, size_t t,
    enum sc_target kind, double level, double out[3], struct sc_err *e)
{
	const double *x = h->x + t * h->k;
	double q[2], iv[2] = { NAN, NAN };

	if (S->iv && !S->conformal) {
		levels(S->level, q);
		if (sc_forest_quantiles(S->f, x, q, 2, iv, e) == -1)
			return -1;
	}
	(void)kind;
	return serve(S, sc_forest_predict(S->f, x), iv[0], iv[1],
	    h->s->v[SC_OHLCV_CLOSE][t], h->vol != NULL ? h->vol[t] : NAN, level,
	    out);
}

static int
row_complete(const struct hist *h, size_t t)
{
	size_t j;

	for (j = 0; j < h->k; j++)
		if (!isfinite(h->x[t * h->k + j]))
			return 0;
	return 1;
}

/*
 * ACI replayed over the days of h after the training end (the model's
 * date_to): forecast each from its row, judge it by the next close.
 */
static int
replay(const struct server *S, const struct hist *h, long after,
    enum sc_target kind, struct sc_calib_aci *a, struct sc_err *e)
{
	const double *c = h->s->v[SC_OHLCV_CLOSE];
	size_t t = 0, n = h->s->n, days = 0, missed = 0;
	double out[3], y;
	int miss;

	sc_calib_aci_init(a, S->level, S->cal.gamma);
	/* without a training end, replaying could judge in-sample days */
	if (!S->aci || n < 2 || after == LONG_MIN)
		return 0;
	while (t < n - 1 && h->s->date[t] <= after)
		t++;
	if (n - 1 - t > SC_PREDICT_MAXREPLAY)
		t = n - 1 - SC_PREDICT_MAXREPLAY;
	for (; t < n - 1; t++) {
		if (!row_complete(h, t) || !(c[t] > 0) || !(c[t + 1] > 0) ||
		    (h->vol != NULL && isnan(h->vol[t])))
			continue;
		if (forecast_at(S, h, t, kind, sc_calib_aci_level(a), out, e) ==
		    -1)
			return -1;
		y = sc_features_target_value(kind, c[t], c[t + 1]);
		miss = !(y >= out[1] && y <= out[2]);
		sc_calib_aci_update(a, miss);
		days++;
		missed += (size_t)miss;
	}
	sc_log(SC_LOG_INFO,
	    "%s: ACI replayed over %zu days after the training end, %zu "
	    "outside the interval: level %.4g",
	    h->s->ticker, days, missed, sc_calib_aci_level(a));
	return 0;
}

/* The row of one ticker's next-day forecast. */
static int
forecast(const struct server *S, const struct hist *h, enum sc_target kind,
    long after, FILE *out, const struct sc_predict_opts *o, struct sc_err *e)
{
	char date[SC_DATE_BUFSZ];
	const struct sc_ohlcv_series *s = h->s;
	struct sc_calib_aci a;
	double res[3], c = s->v[SC_OHLCV_CLOSE][s->n - 1];
	size_t j, last = s->n - 1;
	int src;

	for (j = 0; j < h->k; j++)
		if (!isfinite(h->x[last * h->k + j]))
			return sc_err_set(e, SC_EDATA, s->last_line,
			    "%s %s: feature \"%s\" is undefined on the last "
			    "day (a missing or zero value?)",
			    s->ticker, sc_date_fmt(s->date[last], date),
			    sc_forest_feature(S->f, j));
	if (replay(S, h, after, kind, &a, e) == -1)
		return -1;
	if ((src = forecast_at(S, h, last, kind,
	         S->aci ? sc_calib_aci_level(&a) : S->level, res, e)) == -1)
		return -1;
	sc_csv_puts(out, sc_date_fmt(s->date[last], date), ',');
	sc_csv_puts(out,
	    sc_date_fmt(sc_calendar_next_trading_day(s->date[last]), date),
	    ',');
	sc_csv_puts(out, s->ticker, ',');
	sc_csv_putnum(out, c, ',');
	sc_csv_putnum(out, sc_features_target_close(kind, c, res[0]), ',');
	sc_csv_putnum(out, NAN, ',');
	sc_csv_putnum(out,
	    S->iv ? sc_features_target_close(kind, c, res[1]) : NAN, ',');
	sc_csv_putnum(out,
	    S->iv ? sc_features_target_close(kind, c, res[2]) : NAN, ',');
	sc_csv_puts(out, o->model_name, ',');
	sc_csv_puts(out, src ? "model" : "naive", '\n');
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

/* The features of every day of s, and the volatility when needed. */
static int
compute(const struct sc_features *fs, const struct sc_features *vs,
    const struct sc_ohlcv_series *s, double **x, double **vol, struct sc_err *e)
{
	size_t k = sc_features_count(fs);

	free(*x);
	free(*vol);
	*vol = NULL;
	if ((*x = malloc((s->n * k + 1) * sizeof(double))) == NULL ||
	    (vs != NULL &&
	        (*vol = malloc((s->n + 1) * sizeof(double))) == NULL))
		return sc_err_set(e, SC_EOS, 0, "out of memory");
	if (sc_features_compute(fs, s, *x, e) == -1 ||
	    (vs != NULL && sc_features_compute(vs, s, *vol, e) == -1))
		return -1;
	return 0;
}

/* The model's features, and the calibration's volatility feature. */
static int
parse_features(const struct server *S, struct sc_features **fs,
    struct sc_features **vs, struct sc_err *e)
{
	const char **names;

	if ((names = feature_names(S->f, e)) == NULL)
		return -1;
	*fs = sc_features_from_names(names, sc_forest_nfeatures(S->f), e);
	free(names);
	if (*fs != NULL && needs_vol(S)) {
		const char *v = S->cal.vol_feature;

		*vs = sc_features_from_names(&v, 1, e);
	}
	if (*fs == NULL || (needs_vol(S) && *vs == NULL)) {
		sc_err_prefix(e, "model");
		return -1;
	}
	return 0;
}

/* The model's training end as a day number (LONG_MIN: none). */
static long
training_end(const struct sc_model *m)
{
	const char *to = sc_model_meta(m)->date_to;
	long d;

	if (to == NULL || sc_date_parse(to, strlen(to), &d) == -1)
		return LONG_MIN;
	return d;
}

int
sc_predict_next(const struct sc_model *m, FILE *in, FILE *out,
    const struct sc_predict_opts *o, struct sc_err *e)
{
	struct sc_ohlcv_series s = { 0 };
	struct sc_features *fs = NULL, *vs = NULL;
	struct sc_ohlcv *r = NULL;
	struct server S;
	struct hist h;
	enum sc_target kind;
	double *x = NULL, *vol = NULL;
	size_t nt = 0;
	int rc = -1, got;

	if (server_init(&S, m, o, e) == -1)
		return -1;
	if (sc_features_target_parse(S.target, &kind, NULL) == -1)
		return sc_err_set(e, SC_EDATA, 0,
		    "the model predicts \"%s\", not a next-day target of "
		    "sc-split: --next needs a model trained on sc-split's "
		    "feature table",
		    S.target);
	if (parse_features(&S, &fs, &vs, e) == -1)
		goto out;
	if ((r = sc_ohlcv_open(in, e)) == NULL ||
	    need_columns(r, fs, e) == -1 ||
	    (vs != NULL && need_columns(r, vs, e) == -1))
		goto out;
	fputs(HEADER, out);
	while ((got = sc_ohlcv_next(r, &s, e)) == 1) {
		if (s.n <= sc_features_warmup(fs)) {
			sc_err_set(e, SC_EDATA, s.last_line,
			    "%s: %zu days of history; the model's features "
			    "need more than %zu",
			    s.ticker, s.n, sc_features_warmup(fs));
			goto out;
		}
		if (compute(fs, vs, &s, &x, &vol, e) == -1)
			goto out;
		h.s = &s;
		h.x = x;
		h.vol = vol;
		h.k = sc_features_count(fs);
		if (forecast(&S, &h, kind, training_end(m), out, o, e) == -1)
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
	sc_features_free(vs);
	free(x);
	free(vol);
	return rc;
}
