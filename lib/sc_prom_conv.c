/* SPDX-License-Identifier: ISC */
/*
 * The converters of sc_prom.h: sc-rmse's metrics JSON, sc-drift's drift
 * JSON and sc-predict's predictions CSV into stockcast's gauges, and the input detection that
 * chooses between them and Prometheus text.  Kept apart from sc_prom.c
 * because they are policy (which figure becomes which metric, which row of
 * a ticker counts) while sc_prom.c and sc_prom_parse.c are the format.
 * stockcast's metric names and help texts are the table below
 * (sc_prom_std, sc_prom_std_help), so the Pushgateway sees one HELP and
 * TYPE per name whichever program pushed it.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "sc_buf.h"
#include "sc_csv.h"
#include "sc_date.h"
#include "sc_num.h"
#include "sc_prom.h"

#define MAX_TICKER 128 /* bytes in a ticker label value */
#define MAX_MODEL 256  /* bytes in a model label value */
#define MAX_MODELS 64  /* distinct models in one predictions CSV */

static const struct std_metric {
	const char *name;
	const char *help;
} std_metrics[] = {
	{ "stockcast_rmse",
	    "Root mean squared error of the predicted close, "
	    "in price units." },
	{ "stockcast_mae",
	    "Mean absolute error of the predicted close, in "
	    "price units." },
	{ "stockcast_mape",
	    "Mean absolute percentage error of the predicted "
	    "close, as a ratio (0.01 is 1%)." },
	{ "stockcast_directional_accuracy",
	    "Share of forecasts that got the direction of the move right." },
	{ "stockcast_naive_rmse",
	    "RMSE of the naive forecast (tomorrow's "
	    "close is today's), in price units." },
	{ "stockcast_skill",
	    "Forecast skill 1 - rmse / naive_rmse; above 0 "
	    "beats the naive forecast." },
	{ "stockcast_interval_coverage",
	    "Share of actual closes inside the prediction interval." },
	{ "stockcast_interval_width",
	    "Mean width of the prediction intervals, in price units." },
	{ "stockcast_interval_score",
	    "Mean interval (Winkler) score of the prediction intervals, in "
	    "price units; lower is better." },
	{ "stockcast_interval_level",
	    "Nominal level of the prediction intervals (0.9 is 90%)." },
	{ "stockcast_dm_stat",
	    "Diebold-Mariano statistic of the forecast against the naive "
	    "one; negative is better." },
	{ "stockcast_dm_pvalue_better",
	    "One-sided Diebold-Mariano p-value of \"the forecast beats the "
	    "naive one\"." },
	{ "stockcast_eval_samples",
	    "Forecasts evaluated (rows with an actual close)." },
	{ "stockcast_eval_skipped_samples",
	    "Forecasts left out of the evaluation (no actual close yet)." },
	{ "stockcast_model_info",
	    "The model that made the forecasts, in the model label; always "
	    "1." },
	{ "stockcast_model_version",
	    "Registry version of the model that made the forecasts." },
	{ "stockcast_forecast_close",
	    "Forecast of the next trading day's "
	    "close." },
	{ "stockcast_forecast_lower",
	    "Lower bound of the forecast's prediction interval." },
	{ "stockcast_forecast_upper",
	    "Upper bound of the forecast's prediction interval." },
	{ "stockcast_last_close",
	    "Last observed close, the naive forecast of the next one." },
	{ "stockcast_actual_close", "Realised close of the forecast day." },
	{ "stockcast_forecast_asof_timestamp_seconds",
	    "Unix time (00:00 UTC) of the last trading day a forecast uses." },
	{ "stockcast_last_success_timestamp_seconds",
	    "Unix time of the job's last successful run." },
	{ "stockcast_last_run_duration_seconds",
	    "Duration of the job's last successful run in seconds." },
	{ "stock_forecast_test_rmse",
	    "Test RMSE of the forecast (the old system's name, kept)." },
	{ "stockcast_feature_drift",
	    "Drift statistic of a feature's recent values against the "
	    "model's training rows (method: psi, ks, wasserstein)." },
	{ "stockcast_feature_drift_threshold",
	    "Alarm threshold of the drift statistic, calibrated on chunks "
	    "of the training rows (mean + 3 sd)." },
	{ "stockcast_drift_share",
	    "Share of the model's features whose inputs drifted, 0..1." },
};

const char *
sc_prom_std_help(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(std_metrics) / sizeof(std_metrics[0]); i++)
		if (strcmp(std_metrics[i].name, name) == 0)
			return std_metrics[i].help;
	return NULL;
}

int
sc_prom_std(struct sc_prom *p, const char *name, struct sc_err *e)
{
	const char *help = sc_prom_std_help(name);

	if (help == NULL)
		return sc_err_set(e, SC_EINTERNAL, 0,
		    "%s: not a stockcast metric", name);
	return sc_prom_family(p, name, SC_PROM_GAUGE, help, e);
}

static const struct field {
	const char *key;
	const char *metric;
} fields[] = {
	{ "n", "stockcast_eval_samples" },
	{ "skipped", "stockcast_eval_skipped_samples" },
	{ "rmse", "stockcast_rmse" },
	{ "mae", "stockcast_mae" },
	{ "mape", "stockcast_mape" },
	{ "directional_accuracy", "stockcast_directional_accuracy" },
	{ "naive_rmse", "stockcast_naive_rmse" },
	{ "skill", "stockcast_skill" },
	{ "interval_coverage", "stockcast_interval_coverage" },
	{ "interval_width", "stockcast_interval_width" },
	{ "interval_score", "stockcast_interval_score" },
	{ "interval_level", "stockcast_interval_level" },
	{ "dm_stat", "stockcast_dm_stat" },
	{ "dm_pvalue_better", "stockcast_dm_pvalue_better" },
};

/* Add gauge metric = v with an optional ticker label. */
static int
gauge(struct sc_prom *p, const char *metric, const char *ticker, double v,
    struct sc_err *e)
{
	const char *lab[] = { "ticker", ticker, NULL };

	if (sc_prom_std(p, metric, e) == -1)
		return -1;
	return sc_prom_add(p, metric, ticker != NULL ? lab : NULL, v, e);
}

/* "NAME/VERSION" or "models:/NAME/VERSION": the version, or -1. */
static long
model_version(const char *model, char *name, size_t size)
{
	const char *sep = strrchr(model, '/'), *start = model;
	long v;

	if (sep == NULL || sep == model ||
	    sc_num_parse_long(sep + 1, 0, 1000000000L, &v) == -1)
		return -1;
	if (strncmp(start, "models:/", 8) == 0)
		start += 8;
	if (sep <= start || (size_t)(sep - start) >= size)
		return -1;
	memcpy(name, start, (size_t)(sep - start));
	name[sep - start] = '\0';
	return v;
}

/*
 * stockcast_model_info{model="M"} 1, and stockcast_model_version{model=
 * "NAME"} V when M names a registry version.
 */
static int
model_metrics(struct sc_prom *p, const char *model, struct sc_err *e)
{
	char name[MAX_MODEL + 1];
	const char *lab[] = { "model", model, NULL };
	long v;

	if (*model == '\0')
		return 0;
	if (strlen(model) > MAX_MODEL)
		return sc_err_set(e, SC_EDATA, 0, "model name longer than %d",
		    MAX_MODEL);
	if (sc_prom_std(p, "stockcast_model_info", e) == -1 ||
	    sc_prom_add(p, "stockcast_model_info", lab, 1, e) == -1)
		return -1;
	if ((v = model_version(model, name, sizeof(name))) == -1)
		return 0;
	lab[1] = name;
	if (sc_prom_std(p, "stockcast_model_version", e) == -1)
		return -1;
	return sc_prom_add(p, "stockcast_model_version", lab, (double)v, e);
}

static int
figures(struct sc_prom *p, json_t *obj, const char *ticker, struct sc_err *e)
{
	json_t *v;
	size_t i;

	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		v = json_object_get(obj, fields[i].key);
		if (v == NULL || json_is_null(v))
			continue;
		if (!json_is_number(v))
			return sc_err_set(e, SC_EDATA, 0,
			    "%s%s\"%s\": not a number or null",
			    ticker ? "tickers." : "", ticker ? ticker : "",
			    fields[i].key);
		if (gauge(p, fields[i].metric, ticker, json_number_value(v),
		        e) == -1)
			return -1;
	}
	return 0;
}

static int
tickers(struct sc_prom *p, json_t *obj, struct sc_err *e)
{
	const char *sym;
	json_t *t;

	if (obj == NULL || json_is_null(obj))
		return 0;
	if (!json_is_object(obj))
		return sc_err_set(e, SC_EDATA, 0, "\"tickers\": not an object");
	json_object_foreach(obj, sym, t)
	{
		if (*sym == '\0' || strlen(sym) > MAX_TICKER)
			return sc_err_set(e, SC_EDATA, 0,
			    "\"tickers\": empty or too long ticker");
		if (!json_is_object(t))
			return sc_err_set(e, SC_EDATA, 0,
			    "tickers.%s: not an object", sym);
		if (figures(p, t, sym, e) == -1)
			return -1;
	}
	return 0;
}

/* One feature's statistics from sc-drift's JSON ("psi": {"value": ...}). */
static int
drift_feature(struct sc_prom *p, const char *feat, json_t *f, struct sc_err *e)
{
	static const char *const methods[] = { "psi", "ks", "wasserstein" };
	static const char *const keys[][2] = {
		{ "value", "stockcast_feature_drift" },
		{ "threshold", "stockcast_feature_drift_threshold" },
	};
	const char *lab[] = { "feature", feat, "method", NULL, NULL };
	json_t *m, *v;
	size_t i, k;

	if (!json_is_object(f))
		return sc_err_set(e, SC_EDATA, 0,
		    "features.%.64s: not an object", feat);
	for (i = 0; i < 3; i++) {
		if ((m = json_object_get(f, methods[i])) == NULL ||
		    json_is_null(m))
			continue;
		lab[3] = methods[i];
		for (k = 0; k < 2; k++) {
			v = json_object_get(m, keys[k][0]);
			if (v == NULL || json_is_null(v))
				continue;
			if (!json_is_number(v))
				return sc_err_set(e, SC_EDATA, 0,
				    "features.%.64s.%s.%s: not a number or "
				    "null",
				    feat, methods[i], keys[k][0]);
			if (sc_prom_std(p, keys[k][1], e) == -1 ||
			    sc_prom_add(p, keys[k][1], lab,
			        json_number_value(v), e) == -1)
				return -1;
		}
	}
	return 0;
}

/* sc-drift's JSON: the share, then every feature's statistics. */
static int
from_drift(struct sc_prom *p, json_t *root, struct sc_err *e)
{
	json_t *share = json_object_get(root, "drift_share"), *feats, *f;
	const char *name;

	if (!json_is_number(share))
		return sc_err_set(e, SC_EDATA, 0,
		    "\"drift_share\": not a number");
	if (sc_prom_std(p, "stockcast_drift_share", e) == -1 ||
	    sc_prom_add(p, "stockcast_drift_share", NULL,
	        json_number_value(share), e) == -1)
		return -1;
	feats = json_object_get(root, "features");
	if (feats == NULL || json_is_null(feats))
		return 0;
	if (!json_is_object(feats))
		return sc_err_set(e, SC_EDATA, 0,
		    "\"features\": not an object");
	json_object_foreach(feats, name, f)
	{
		if (*name == '\0' || strlen(name) > MAX_TICKER)
			return sc_err_set(e, SC_EDATA, 0,
			    "\"features\": empty or too long feature name");
		if (drift_feature(p, name, f, e) == -1)
			return -1;
	}
	return 0;
}

int
sc_prom_from_json(struct sc_prom *p, const char *text, size_t len,
    struct sc_err *e)
{
	const char *legacy[] = { "job", "stock_forecast_evaluator", NULL };
	json_error_t je;
	json_t *root, *v;
	int rc = -1;

	if ((root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je)) == NULL)
		return sc_err_set(e, SC_EDATA, je.line, "JSON: %s", je.text);
	if (json_is_object(root) &&
	    json_object_get(root, "drift_share") != NULL) {
		rc = from_drift(p, root, e);
		goto out;
	}
	if (!json_is_object(root) ||
	    !json_is_number(json_object_get(root, "n"))) {
		sc_err_set(e, SC_EDATA, 0,
		    "not a metrics object (no number \"n\")");
		goto out;
	}
	if (figures(p, root, NULL, e) == -1)
		goto out;
	v = json_object_get(root, "rmse");
	if (json_is_number(v) &&
	    (sc_prom_std(p, "stock_forecast_test_rmse", e) == -1 ||
	        sc_prom_add(p, "stock_forecast_test_rmse", legacy,
	            json_number_value(v), e) == -1))
		goto out;
	v = json_object_get(root, "model");
	if (v != NULL && !json_is_null(v) && !json_is_string(v)) {
		sc_err_set(e, SC_EDATA, 0, "\"model\": not a string or null");
		goto out;
	}
	if (json_is_string(v) &&
	    model_metrics(p, json_string_value(v), e) == -1)
		goto out;
	rc = tickers(p, json_object_get(root, "tickers"), e);
out:
	json_decref(root);
	return rc;
}

struct row {
	char *ticker;
	char *model;
	long asof;
	double close, pred, actual, lo, hi;
};

struct cols {
	long asof, ticker, close, pred, actual, lo, hi, model;
};

static int
find_cols(struct sc_csv *r, struct cols *c, struct sc_err *e)
{
	c->asof = sc_csv_col(r, "asof");
	c->ticker = sc_csv_col(r, "ticker");
	c->pred = sc_csv_col(r, "predicted_close");
	c->close = sc_csv_col(r, "close");
	c->actual = sc_csv_col(r, "actual_close");
	c->lo = sc_csv_col(r, "lower");
	c->hi = sc_csv_col(r, "upper");
	c->model = sc_csv_col(r, "model");
	if (c->asof == -1 || c->ticker == -1 || c->pred == -1)
		return sc_err_set(e, SC_EDATA, 1,
		    "predictions CSV needs columns asof, ticker and "
		    "predicted_close");
	return 0;
}

/* Optional number: NaN when the column is absent or the cell empty. */
static int
cell(struct sc_csv *r, long col, double *v, struct sc_err *e)
{
	*v = NAN;
	if (col == -1)
		return 0;
	return sc_csv_num(r, (size_t)col, v, e) == -1 ? -1 : 0;
}

/* Read the current record into *w (strings borrowed from r). */
static int
read_row(struct sc_csv *r, const struct cols *c, struct row *w,
    struct sc_err *e)
{
	const char *t = sc_csv_field(r, (size_t)c->ticker);
	long line = sc_csv_line(r);
	int rc;

	if (*t == '\0' || strlen(t) > MAX_TICKER)
		return sc_err_set(e, SC_EDATA, line,
		    "column \"ticker\": empty or too long");
	if (sc_date_parse(sc_csv_field(r, (size_t)c->asof),
	        sc_csv_fieldlen(r, (size_t)c->asof), &w->asof) == -1)
		return sc_err_set(e, SC_EDATA, line,
		    "column \"asof\": not a date: \"%.32s\"",
		    sc_csv_field(r, (size_t)c->asof));
	if ((rc = sc_csv_num(r, (size_t)c->pred, &w->pred, e)) == -1)
		return -1;
	if (rc == 1)
		return sc_err_set(e, SC_EDATA, line,
		    "column \"predicted_close\": empty");
	if (cell(r, c->close, &w->close, e) == -1 ||
	    cell(r, c->actual, &w->actual, e) == -1 ||
	    cell(r, c->lo, &w->lo, e) == -1 || cell(r, c->hi, &w->hi, e) == -1)
		return -1;
	w->ticker = (char *)t;
	w->model = c->model == -1 ? (char *)""
	                          : (char *)sc_csv_field(r, (size_t)c->model);
	return 0;
}

/* Keep w as the ticker's row when it is the latest; copies the strings. */
static int
keep_row(struct row **rows, size_t *n, size_t *cap, const struct row *w,
    long line, struct sc_err *e)
{
	struct row *t = NULL;
	size_t i;

	for (i = 0; i < *n && t == NULL; i++)
		if (strcmp((*rows)[i].ticker, w->ticker) == 0)
			t = &(*rows)[i];
	if (t != NULL && t->asof == w->asof)
		return sc_err_set(e, SC_EDATA, line,
		    "ticker %.32s twice for one asof", w->ticker);
	if (t != NULL && t->asof > w->asof)
		return 0;
	if (t == NULL) {
		if (sc_buf_grow(rows, cap, *n + 1, sizeof(**rows), e) == -1)
			return -1;
		t = &(*rows)[(*n)++];
		if ((t->ticker = strdup(w->ticker)) == NULL) {
			(*n)--;
			return sc_err_set(e, SC_EOS, 0, "out of memory");
		}
		t->model = NULL;
	}
	free(t->model);
	t->asof = w->asof;
	t->close = w->close;
	t->pred = w->pred;
	t->actual = w->actual;
	t->lo = w->lo;
	t->hi = w->hi;
	if ((t->model = strdup(w->model)) == NULL)
		return sc_err_set(e, SC_EOS, 0, "out of memory");
	return 0;
}

static int
emit_row(struct sc_prom *p, const struct row *w, struct sc_err *e)
{
	const struct {
		const char *metric;
		double v;
	} g[] = {
		{ "stockcast_forecast_close", w->pred },
		{ "stockcast_forecast_lower", w->lo },
		{ "stockcast_forecast_upper", w->hi },
		{ "stockcast_last_close", w->close },
		{ "stockcast_actual_close", w->actual },
		{ "stockcast_forecast_asof_timestamp_seconds",
		    (double)w->asof * 86400 },
	};
	size_t i;

	for (i = 0; i < sizeof(g) / sizeof(g[0]); i++)
		if (isfinite(g[i].v) &&
		    gauge(p, g[i].metric, w->ticker, g[i].v, e) == -1)
			return -1;
	return 0;
}

/* Every row's gauges, then each distinct model once. */
static int
emit_rows(struct sc_prom *p, const struct row *rows, size_t n, struct sc_err *e)
{
	size_t i, j;

	for (i = 0; i < n; i++)
		if (emit_row(p, &rows[i], e) == -1)
			return -1;
	for (i = 0; i < n; i++) {
		for (j = 0; j < i; j++)
			if (strcmp(rows[j].model, rows[i].model) == 0)
				break;
		if (j == i && model_metrics(p, rows[i].model, e) == -1)
			return -1;
	}
	return 0;
}

int
sc_prom_from_csv(struct sc_prom *p, const char *text, size_t len,
    struct sc_err *e)
{
	struct row *rows = NULL, w;
	struct sc_csv *r = NULL;
	struct cols c;
	size_t n = 0, cap = 0, i;
	FILE *fp;
	int rc = -1, got;

	if (len == 0)
		return sc_err_set(e, SC_EDATA, 1, "empty predictions CSV");
	if ((fp = fmemopen((void *)text, len, "r")) == NULL)
		return sc_err_set(e, SC_EOS, 0, "out of memory");
	if ((r = sc_csv_open(fp, NULL, 1, e)) == NULL ||
	    find_cols(r, &c, e) == -1)
		goto out;
	while ((got = sc_csv_read(r, e)) == 1)
		if (read_row(r, &c, &w, e) == -1 ||
		    keep_row(&rows, &n, &cap, &w, sc_csv_line(r), e) == -1)
			goto out;
	if (got == 0)
		rc = emit_rows(p, rows, n, e);
out:
	for (i = 0; i < n; i++) {
		free(rows[i].ticker);
		free(rows[i].model);
	}
	free(rows);
	sc_csv_free(r);
	fclose(fp);
	return rc;
}

enum sc_prom_input
sc_prom_detect(const char *text, size_t len)
{
	const char *p = text, *end = text + len, *nl;

	if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		p++;
	if (p == end || *p == '#')
		return SC_PROM_IN_TEXT;
	if (*p == '{')
		return SC_PROM_IN_JSON;
	if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
		nl = end;
	if (memchr(p, ',', (size_t)(nl - p)) != NULL &&
	    memchr(p, ' ', (size_t)(nl - p)) == NULL &&
	    memchr(p, '{', (size_t)(nl - p)) == NULL)
		return SC_PROM_IN_CSV;
	return SC_PROM_IN_TEXT;
}

int
sc_prom_load(struct sc_prom *p, const char *text, size_t len,
    enum sc_prom_input fmt, struct sc_err *e)
{
	switch (fmt) {
	case SC_PROM_IN_JSON:
		return sc_prom_from_json(p, text, len, e);
	case SC_PROM_IN_CSV:
		return sc_prom_from_csv(p, text, len, e);
	default:
		return sc_prom_parse(p, text, len, e);
	}
}
