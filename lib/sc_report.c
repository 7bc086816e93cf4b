/* SPDX-License-Identifier: ISC */
/*
 * The page and its data sections: today's forecasts, forecast against
 * actual over the evaluation and backtest windows, RMSE, skill and
 * coverage over time, and drift.  The run, search, registry and
 * importance sections are in sc_report_runs.c.  Each section reads its
 * objects, says which key it shows ("From evaluations/2026-11-27.csv"),
 * and says so plainly when the store has none, so a young store still
 * gives a whole page.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sc_date.h"
#include "sc_report.h"
#include "sc_report_int.h"

void
sc_rp_section(FILE *fp, const char *id, const char *title)
{
	fprintf(fp, "<section id=\"%s\">\n<h2>", id);
	sc_rp_esc(fp, title);
	fputs("</h2>\n", fp);
}

void
sc_rp_note(FILE *fp, const char *text)
{
	fputs("<p class=\"note\">", fp);
	sc_rp_esc(fp, text);
	fputs("</p>\n", fp);
}

void
sc_rp_from(FILE *fp, const char *key)
{
	fputs("<p class=\"note\">From <code>", fp);
	sc_rp_esc(fp, key);
	fputs("</code>.</p>\n", fp);
}

/* The day number of "YYYY-MM-DD", or NaN. */
static double
day_of(const char *s)
{
	long d;

	if (s == NULL || sc_date_parse(s, strlen(s), &d) == -1)
		return NAN;
	return (double)d;
}

static int
sec_forecasts(struct sc_rp_ctx *c, const struct sc_rp_keys *keys)
{
	static const char *const head[] = { "ticker", "as of", "forecast for",
		"close", "forecast", "lower", "upper", "source", "model",
		NULL };
	const char *key = sc_rp_latest(keys, "predictions/", ".csv", c->date);
	struct sc_rp_preds p;
	size_t i;
	int rc;

	sc_rp_section(c->fp, "forecasts", "Forecasts");
	if (key == NULL || (rc = sc_rp_preds_read(c->st, key, &p, c->e)) == 1) {
		sc_rp_note(c->fp,
		    "No forecasts (predictions/DATE.csv) in the "
		    "store yet: run inference.");
		fputs("</section>\n", c->fp);
		return 0;
	}
	if (rc == -1)
		return -1;
	sc_rp_from(c->fp, key);
	if (!p.has_source)
		sc_rp_note(c->fp,
		    "This file predates the source column: "
		    "whether a forecast is the model's or the naive "
		    "fallback is not recorded.");
	sc_rp_table(c->fp, "t-forecasts", head);
	for (i = 0; i < p.n; i++) {
		const struct sc_rp_pred *r = &p.r[i];

		fprintf(c->fp, "<tr%s>",
		    strcmp(r->source, "naive") == 0 ? " class=\"yes\"" : "");
		sc_rp_td(c->fp, r->ticker);
		sc_rp_td(c->fp, r->asof);
		sc_rp_td(c->fp, r->date);
		sc_rp_td_num(c->fp, r->close);
		sc_rp_td_num(c->fp, r->pred);
		sc_rp_td_num(c->fp, r->lo);
		sc_rp_td_num(c->fp, r->hi);
		sc_rp_td(c->fp, r->source);
		sc_rp_td(c->fp, r->model);
		fputs("</tr>\n", c->fp);
	}
	sc_rp_table_end(c->fp);
	if (p.has_source)
		sc_rp_note(c->fp,
		    "source \"naive\" (highlighted): the model's "
		    "shrinkage is 0, so the served forecast is the "
		    "last close.");
	fputs("</section>\n", c->fp);
	sc_rp_preds_free(&p);
	return 0;
}

/* One ticker's rows of p (indices idx[0..n)) as a chart. */
static int
ticker_chart(struct sc_rp_ctx *c, const struct sc_rp_preds *p,
    const size_t *idx, size_t n, const char *what)
{
	double *v = malloc(5 * (n ? n : 1) * sizeof(double));
	double *x, *act, *pr, *lo, *hi;
	struct sc_rp_series s[2];
	struct sc_rp_chart ch;
	char id[32], label[256];
	size_t i;

	if (v == NULL)
		return sc_err_set(c->e, SC_EOS, 0, "out of memory");
	x = v;
	act = v + n;
	pr = v + 2 * n;
	lo = v + 3 * n;
	hi = v + 4 * n;
	for (i = 0; i < n; i++) {
		const struct sc_rp_pred *r = &p->r[idx[i]];

		x[i] = day_of(p->has_date && *r->date ? r->date : r->asof);
		act[i] = r->actual;
		pr[i] = r->pred;
		lo[i] = r->lo;
		hi[i] = r->hi;
	}
	s[0] = (struct sc_rp_series){ "actual close", x, act, NULL, NULL, n,
		SC_RP_LINE, 5 };
	s[1] = (struct sc_rp_series){ "forecast and interval", x, pr, lo, hi, n,
		SC_RP_LINEPOINTS, 0 };
	snprintf(id, sizeof(id), "chart-%d", ++c->charts);
	snprintf(label, sizeof(label), "%s: %s", p->r[idx[0]].ticker, what);
	ch = (struct sc_rp_chart){ id, label,
		p->has_date ? "the day forecast" : "as-of day", "close", 1, NAN,
		s, 2 };
	sc_rp_chart(c->fp, &ch);
	free(v);
	return 0;
}

/* Forecast against actual per ticker, from a predictions CSV with actuals. */
static int
sec_window(struct sc_rp_ctx *c, const char *key, const char *id,
    const char *title, const char *what, const char *none)
{
	struct sc_rp_preds p;
	size_t i, j, n, *idx;
	char *done;
	int rc = 0;

	sc_rp_section(c->fp, id, title);
	if (key == NULL || (rc = sc_rp_preds_read(c->st, key, &p, c->e)) == 1) {
		sc_rp_note(c->fp, none);
		fputs("</section>\n", c->fp);
		return 0;
	}
	if (rc == -1)
		return -1;
	sc_rp_from(c->fp, key);
	idx = malloc((p.n ? p.n : 1) * sizeof(*idx));
	done = calloc(p.n ? p.n : 1, 1);
	if (idx == NULL || done == NULL)
		rc = sc_err_set(c->e, SC_EOS, 0, "out of memory");
	fputs("<div class=\"grid2\">\n", c->fp);
	for (i = 0; rc == 0 && i < p.n; i++) {
		if (done[i])
			continue;
		for (j = i, n = 0; j < p.n; j++)
			if (!done[j] &&
			    strcmp(p.r[j].ticker, p.r[i].ticker) == 0) {
				done[j] = 1;
				idx[n++] = j;
			}
		rc = ticker_chart(c, &p, idx, n, what);
	}
	fputs("</div>\n</section>\n", c->fp);
	free(idx);
	free(done);
	sc_rp_preds_free(&p);
	return rc;
}

static double
jnum(const json_t *o, const char *k)
{
	const json_t *v = json_object_get(o, k);

	return json_is_number(v) ? json_number_value(v) : NAN;
}

/* Every DATE.json under prefix up to the report's date, oldest first. */
static int
dated_json(struct sc_rp_ctx *c, const struct sc_rp_keys *keys,
    const char *prefix, json_t ***out, char ***which, size_t *n)
{
	size_t i, pl = strlen(prefix);
	char d[11];
	int rc;

	*n = 0;
	*out = calloc(keys->n ? keys->n : 1, sizeof(**out));
	*which = calloc(keys->n ? keys->n : 1, sizeof(**which));
	if (*out == NULL || *which == NULL)
		return sc_err_set(c->e, SC_EOS, 0, "out of memory");
	for (i = 0; i < keys->n; i++) {
		const char *k = keys->k[i];

		sc_rp_key_date(k, d);
		if (strncmp(k, prefix, pl) != 0 || strlen(k) != pl + 15 ||
		    strcmp(k + pl + 10, ".json") != 0 || d[0] == '\0' ||
		    (*c->date && strcmp(d, c->date) > 0))
			continue;
		if ((rc = sc_rp_json(c->st, k, SC_RP_MAX_OBJECT, &(*out)[*n],
		         c->e)) == -1)
			return -1;
		if (rc == 0)
			(*which)[(*n)++] = keys->k[i];
	}
	return 0;
}

static void
free_jsons(json_t **j, char **which, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		json_decref(j[i]);
	free(j);
	free(which);
}

static void
metric_chart(struct sc_rp_ctx *c, const double *x, const double *a,
    const char *an, const double *b, const char *bn, size_t n,
    const char *label, double hline)
{
	struct sc_rp_series s[2] = {
		{ an, x, a, NULL, NULL, n, SC_RP_LINEPOINTS, 0 },
		{ bn, x, b, NULL, NULL, n, SC_RP_LINEPOINTS, 4 },
	};
	struct sc_rp_chart ch = { NULL, label, "evaluation day", NULL, 1, hline,
		s, b != NULL ? 2 : 1 };
	char id[32];

	snprintf(id, sizeof(id), "chart-%d", ++c->charts);
	ch.id = id;
	sc_rp_chart(c->fp, &ch);
}

static void
metrics_table(struct sc_rp_ctx *c, json_t **j, char **which, size_t n)
{
	static const char *const head[] = { "day", "n", "RMSE", "naive RMSE",
		"skill", "coverage", "interval score", "MAE",
		"directional accuracy", "DM p-value (better)", "model", NULL };
	char d[11];
	size_t i;

	sc_rp_table(c->fp, "t-metrics", head);
	for (i = n; i-- > 0;) {
		sc_rp_key_date(which[i], d);
		fputs("<tr>", c->fp);
		sc_rp_td(c->fp, d);
		sc_rp_td_json(c->fp, json_object_get(j[i], "n"));
		sc_rp_td_json(c->fp, json_object_get(j[i], "rmse"));
		sc_rp_td_json(c->fp, json_object_get(j[i], "naive_rmse"));
		sc_rp_td_json(c->fp, json_object_get(j[i], "skill"));
		sc_rp_td_json(c->fp,
		    json_object_get(j[i], "interval_coverage"));
		sc_rp_td_json(c->fp, json_object_get(j[i], "interval_score"));
		sc_rp_td_json(c->fp, json_object_get(j[i], "mae"));
		sc_rp_td_json(c->fp,
		    json_object_get(j[i], "directional_accuracy"));
		sc_rp_td_json(c->fp, json_object_get(j[i], "dm_pvalue_better"));
		sc_rp_td_json(c->fp, json_object_get(j[i], "model"));
		fputs("</tr>\n", c->fp);
	}
	sc_rp_table_end(c->fp);
}

static int
sec_metrics(struct sc_rp_ctx *c, const struct sc_rp_keys *keys)
{
	json_t **j;
	char **which, d[11];
	double *v;
	size_t n, i;

	sc_rp_section(c->fp, "metrics", "RMSE, skill and coverage over time");
	if (dated_json(c, keys, "evaluations/", &j, &which, &n) == -1)
		goto fail;
	if (n == 0) {
		sc_rp_note(c->fp,
		    "No evaluations (evaluations/DATE.json) yet: "
		    "run evaluate.");
		goto done;
	}
	if ((v = malloc(5 * n * sizeof(double))) == NULL) {
		sc_err_set(c->e, SC_EOS, 0, "out of memory");
		goto fail;
	}
	for (i = 0; i < n; i++) {
		sc_rp_key_date(which[i], d);
		v[i] = day_of(d);
		v[n + i] = jnum(j[i], "rmse");
		v[2 * n + i] = jnum(j[i], "naive_rmse");
		v[3 * n + i] = jnum(j[i], "skill");
		v[4 * n + i] = jnum(j[i], "interval_coverage");
	}
	sc_rp_note(c->fp,
	    "All tickers together, from every evaluations/DATE.json "
	    "(newest first in the table).");
	fputs("<div class=\"grid2\">\n", c->fp);
	metric_chart(c, v, v + n, "RMSE", v + 2 * n, "naive RMSE", n,
	    "RMSE against the naive forecast", NAN);
	metric_chart(c, v, v + 3 * n, "skill", NULL, NULL, n,
	    "Skill (above 0 beats the naive forecast)", 0);
	metric_chart(c, v, v + 4 * n, "interval coverage", NULL, NULL, n,
	    "Share of actual closes inside the interval", NAN);
	fputs("</div>\n", c->fp);
	metrics_table(c, j, which, n);
	free(v);
done:
	fputs("</section>\n", c->fp);
	free_jsons(j, which, n);
	return 0;
fail:
	free_jsons(j, which, n);
	return -1;
}

static void
drift_row(FILE *fp, const char *name, const json_t *f)
{
	static const char *const m[] = { "psi", "ks", "wasserstein" };
	size_t k;

	fprintf(fp, "<tr%s>",
	    json_is_true(json_object_get(f, "drifted")) ? " class=\"yes\""
	                                                : "");
	sc_rp_td(fp, name);
	sc_rp_td_json(fp, json_object_get(f, "drifted"));
	for (k = 0; k < 3; k++) {
		const json_t *s = json_object_get(f, m[k]);

		sc_rp_td_json(fp, json_object_get(s, "value"));
		sc_rp_td_json(fp, json_object_get(s, "threshold"));
	}
	fputs("</tr>\n", fp);
}

static void
drift_summary(FILE *fp, const json_t *d)
{
	static const char *const k[] = { "model", "trained_from", "trained_to",
		"drift_share", "drifted", "n_features", "reference_from",
		"reference_to", "current_from", "current_to", "chunks",
		"chunk_size", "chunk_unit", NULL };
	static const char *const head[] = { "compared with", "trained from",
		"trained to", "share drifted", "drifted", "features",
		"reference from", "reference to", "current from", "current to",
		"chunks", "chunk size", "chunk unit", NULL };
	size_t i;

	sc_rp_table(fp, "t-drift-summary", head);
	fputs("<tr>", fp);
	for (i = 0; k[i] != NULL; i++)
		sc_rp_td_json(fp, json_object_get(d, k[i]));
	fputs("</tr>\n", fp);
	sc_rp_table_end(fp);
}

static int
sec_drift(struct sc_rp_ctx *c, const struct sc_rp_keys *keys)
{
	static const char *const head[] = { "feature", "drifted", "PSI",
		"PSI threshold", "KS", "KS threshold", "Wasserstein / sd",
		"W threshold", NULL };
	json_t **j, *d, *f;
	char **which, day[11];
	const char *name;
	double *v;
	size_t n, i;

	sc_rp_section(c->fp, "drift", "Feature drift");
	if (dated_json(c, keys, "drift/", &j, &which, &n) == -1) {
		free_jsons(j, which, n);
		return -1;
	}
	if (n == 0) {
		sc_rp_note(c->fp,
		    "No drift check (drift/DATE.json) yet: run "
		    "scripts/drift.sh.");
		goto done;
	}
	d = j[n - 1];
	sc_rp_from(c->fp, which[n - 1]);
	drift_summary(c->fp, d);
	sc_rp_table(c->fp, "t-drift", head);
	json_object_foreach(json_object_get(d, "features"), name, f)
	{
		drift_row(c->fp, name, f);
	}
	sc_rp_table_end(c->fp);
	sc_rp_note(c->fp,
	    "A feature drifted when two of its three statistics "
	    "are above their thresholds, calibrated on chunks of "
	    "the training rows (mean + 3 sd).");
	if (n > 1 && (v = malloc(2 * n * sizeof(double))) != NULL) {
		for (i = 0; i < n; i++) {
			sc_rp_key_date(which[i], day);
			v[i] = day_of(day);
			v[n + i] = jnum(j[i], "drift_share");
		}
		metric_chart(c, v, v + n, "share drifted", NULL, NULL, n,
		    "Share of drifted features over time", 0.3);
		free(v);
	}
done:
	fputs("</section>\n", c->fp);
	free_jsons(j, which, n);
	return 0;
}

static void
page_head(struct sc_rp_ctx *c, const struct sc_report_opts *o)
{
	static const char *const nav[][2] = { { "forecasts", "Forecasts" },
		{ "evaluation", "Evaluation window" }, { "served", "Served" },
		{ "backtest", "Backtest" }, { "metrics", "Metrics over time" },
		{ "runs", "Runs" }, { "search", "Latest search" },
		{ "registry", "Registry" }, { "drift", "Drift" },
		{ "importances", "Importances" } };
	char title[128];
	size_t i;

	snprintf(title, sizeof(title), "stockcast report %s",
	    *c->date ? c->date : "");
	sc_rp_page_start(c->fp, title);
	fputs("<header>\n<h1>", c->fp);
	sc_rp_esc(c->fp, title);
	fputs("</h1>\n<p class=\"note\">Model <code>", c->fp);
	sc_rp_esc(c->fp, c->model);
	fputs("</code>", c->fp);
	if (o->where != NULL) {
		fputs(", store <code>", c->fp);
		sc_rp_esc(c->fp, o->where);
		fputs("</code>", c->fp);
	}
	fputs(". Every figure on this page is read from a store object "
	      "named beside it; nothing is recomputed.</p>\n<nav><ul>",
	    c->fp);
	for (i = 0; i < sizeof(nav) / sizeof(nav[0]); i++)
		fprintf(c->fp, "<li><a href=\"#%s\">%s</a></li>", nav[i][0],
		    nav[i][1]);
	fputs("</ul></nav>\n</header>\n<main>\n", c->fp);
}

static void
glance_row(FILE *fp, const char *what, const json_t *v, const char *from)
{
	fputs("<tr>", fp);
	sc_rp_td(fp, what);
	sc_rp_td_json(fp, v);
	fputs("<td><code>", fp);
	sc_rp_esc(fp, from);
	fputs("</code></td></tr>\n", fp);
}

/* The latest headline figures, each with the object it comes from. */
static int
sec_glance(struct sc_rp_ctx *c, const struct sc_rp_keys *k)
{
	static const char *const head[] = { "figure", "value", "from", NULL };
	const char *ek = sc_rp_latest(&k[1], "evaluations/", ".json", c->date);
	const char *dk = sc_rp_latest(&k[3], "drift/", ".json", c->date);
	char ik[SC_STORE_MAX_KEY + 1];
	json_t *ev = NULL, *dr = NULL;

	if ((ek != NULL &&
	        sc_rp_json(c->st, ek, SC_RP_MAX_OBJECT, &ev, c->e) == -1) ||
	    (dk != NULL &&
	        sc_rp_json(c->st, dk, SC_RP_MAX_OBJECT, &dr, c->e) == -1)) {
		json_decref(ev);
		return -1;
	}
	snprintf(ik, sizeof(ik), "models/%s/index.json", c->model);
	sc_rp_section(c->fp, "glance", "At a glance");
	sc_rp_table(c->fp, "t-glance", head);
	if (c->index != NULL)
		glance_row(c->fp, "champion version",
		    json_object_get(json_object_get(c->index, "aliases"),
		        "champion"),
		    ik);
	if (ev != NULL) {
		glance_row(c->fp, "RMSE", json_object_get(ev, "rmse"), ek);
		glance_row(c->fp, "naive RMSE",
		    json_object_get(ev, "naive_rmse"), ek);
		glance_row(c->fp, "skill", json_object_get(ev, "skill"), ek);
		glance_row(c->fp, "interval coverage",
		    json_object_get(ev, "interval_coverage"), ek);
	}
	if (dr != NULL)
		glance_row(c->fp, "share of drifted features",
		    json_object_get(dr, "drift_share"), dk);
	sc_rp_table_end(c->fp);
	fputs("</section>\n", c->fp);
	json_decref(ev);
	json_decref(dr);
	return 0;
}

/* backtests/DATE.csv, or else evaluate's fresh backtest. */
static const char *
backtest_key(const struct sc_rp_ctx *c, const struct sc_rp_keys *k)
{
	const char *key = sc_rp_latest(&k[2], "backtests/", ".csv", c->date);

	return key != NULL
	    ? key
	    : sc_rp_latest(&k[1], "evaluations/", "-backtest.csv", c->date);
}

static int
list_all(struct sc_rp_ctx *c, struct sc_rp_keys *k)
{
	static const char *const pre[] = { "predictions/", "evaluations/",
		"backtests/", "drift/" };
	size_t i;

	for (i = 0; i < 4; i++)
		if (sc_rp_list(c->st, pre[i], &k[i], c->e) == -1)
			return -1;
	return 0;
}

static void
free_ctx(struct sc_rp_ctx *c, struct sc_rp_keys *k)
{
	size_t i;

	for (i = 0; i < 4; i++)
		sc_rp_keys_free(&k[i]);
	for (i = 0; i < c->nmeta; i++)
		json_decref(c->metas[i]);
	free(c->metas);
	json_decref(c->index);
}

int
sc_report_write(struct sc_store *st, const struct sc_report_opts *o, FILE *out,
    struct sc_err *e)
{
	struct sc_rp_keys k[4] = { { NULL, 0 } };
	struct sc_rp_ctx c = { 0 };
	int rc = -1;

	c.st = st;
	c.fp = out;
	c.e = e;
	c.date = o != NULL && o->date != NULL ? o->date : "";
	c.model = o != NULL && o->model != NULL ? o->model : "stockcast";
	c.max_runs = o != NULL && o->max_runs > 0 ? o->max_runs : 50;
	if (*c.date != '\0' && isnan(day_of(c.date))) {
		sc_err_set(e, SC_EUSAGE, 0, "date %.32s: want YYYY-MM-DD",
		    c.date);
		goto out;
	}
	if (list_all(&c, k) == -1 || sc_rp_load_runs(&c) == -1)
		goto out;
	page_head(&c, o != NULL ? o : &(struct sc_report_opts){ 0 });
	if (sec_glance(&c, k) == -1 || sec_forecasts(&c, &k[0]) == -1 ||
	    sec_window(&c, sc_rp_latest(&k[1], "evaluations/", ".csv", c.date),
	        "evaluation", "Forecast against actual: evaluation window",
	        "evaluation window",
	        "No evaluation (evaluations/DATE.csv) yet: run evaluate.") ==
	        -1 ||
	    sec_window(&c,
	        sc_rp_latest(&k[1], "evaluations/", "-served.csv", c.date),
	        "served", "Served forecasts against actual", "served",
	        "No served forecasts scored yet "
	        "(evaluations/DATE-served.csv).") == -1 ||
	    sec_window(&c, backtest_key(&c, k), "backtest",
	        "Forecast against actual: backtest", "backtest",
	        "No backtest yet (backtests/DATE.csv or "
	        "evaluations/DATE-backtest.csv).") == -1 ||
	    sec_metrics(&c, &k[1]) == -1 || sc_rp_sec_runs(&c) == -1 ||
	    sc_rp_sec_search(&c) == -1 || sc_rp_sec_registry(&c) == -1 ||
	    sec_drift(&c, &k[3]) == -1 || sc_rp_sec_importances(&c) == -1)
		goto out;
	fputs("</main>\n", out);
	sc_rp_page_end(out);
	rc = 0;
out:
	free_ctx(&c, k);
	return rc;
}
