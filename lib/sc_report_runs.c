/* SPDX-License-Identifier: ISC */
/*
 * The report's model sections: the runs as MLflow's compare view shows
 * them, the latest hyperparameter search (optimisation history and each
 * parameter against the objective), the registry (versions, aliases,
 * champion history, lineage) and the champion's feature importances.
 * The runs come from runs/ID/meta.json (train.sh and register.sh write
 * them), the registry from models/NAME/index.json, the search from the
 * run's trials.jsonl.  At most SC_RP_MAX_RUNS run records are read: the last
 * ones in key order.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sc_buf.h"
#include "sc_report_int.h"

#define SC_RP_MAX_RUNS 500         /* meta.json objects read */
#define SC_RP_MAX_TRIALS 100000    /* lines of one trials.jsonl */
#define DIR_MEMBER "sc-report:dir" /* added to each meta.json read */

static const char *
jstr(const json_t *o, const char *k)
{
	const json_t *v = json_object_get(o, k);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static int
cmp_started(const void *a, const void *b)
{
	const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	const char *s = jstr(x, "started"), *t = jstr(y, "started");
	int c = strcmp(t ? t : "", s ? s : "");

	if (c != 0)
		return c;
	s = jstr(x, "run_id");
	t = jstr(y, "run_id");
	return strcmp(t ? t : "", s ? s : "");
}

/* Is key "runs/ID/meta.json" with one segment ID? */
static int
is_meta(const char *k)
{
	size_t n = strlen(k);
	const char *slash;

	if (strncmp(k, "runs/", 5) != 0 || n < 16 ||
	    strcmp(k + n - 10, "/meta.json") != 0)
		return 0;
	slash = strchr(k + 5, '/');
	return slash == k + n - 10;
}

int
sc_rp_load_runs(struct sc_rp_ctx *c)
{
	struct sc_rp_keys k = { NULL, 0 };
	char key[SC_STORE_MAX_KEY + 1];
	size_t i, first = 0, nm = 0;
	json_t *j;
	int rc;

	snprintf(key, sizeof(key), "models/%s/index.json", c->model);
	if (sc_rp_json(c->st, key, SC_RP_MAX_OBJECT, &c->index, c->e) == -1)
		return -1;
	if (sc_rp_list(c->st, "runs/", &k, c->e) == -1)
		return -1;
	for (i = 0; i < k.n; i++)
		nm += is_meta(k.k[i]);
	if ((c->metas = calloc(nm ? nm : 1, sizeof(*c->metas))) == NULL) {
		sc_rp_keys_free(&k);
		return sc_err_set(c->e, SC_EOS, 0, "out of memory");
	}
	for (i = 0; i < k.n && nm > SC_RP_MAX_RUNS; i++)
		if (is_meta(k.k[i]) && nm-- > SC_RP_MAX_RUNS)
			first = i + 1;
	for (i = first; i < k.n; i++) {
		if (!is_meta(k.k[i]))
			continue;
		if ((rc = sc_rp_json(c->st, k.k[i], SC_RP_MAX_OBJECT, &j,
		         c->e)) == -1) {
			sc_rp_keys_free(&k);
			return -1;
		}
		if (rc == 1)
			continue;
		if (!json_is_object(j) || jstr(j, "run_id") == NULL ||
		    (*c->date && jstr(j, "today") != NULL &&
		        strcmp(jstr(j, "today"), c->date) > 0)) {
			json_decref(j);
			continue;
		}
		/* The run's directory names its other files, whatever its
		 * meta.json says. */
		json_object_set_new(j, DIR_MEMBER,
		    json_stringn(k.k[i] + 5, strlen(k.k[i]) - 15));
		c->metas[c->nmeta++] = j;
	}
	sc_rp_keys_free(&k);
	qsort(c->metas, c->nmeta, sizeof(*c->metas), cmp_started);
	return 0;
}

/* The registry version whose run_id is id, or NULL. */
static const json_t *
version_of(const struct sc_rp_ctx *c, const char *id)
{
	const json_t *v;
	size_t i;

	json_array_foreach(json_object_get(c->index, "versions"), i, v)
	{
		const char *r = jstr(v, "run_id");

		if (r != NULL && strcmp(r, id) == 0)
			return v;
	}
	return NULL;
}

/* "name=value, ..." of a JSON object, escaped. */
static void
params_text(FILE *fp, const json_t *p)
{
	const char *k;
	const json_t *v;
	int first = 1;

	json_object_foreach((json_t *)p, k, v)
	{
		fputs(first ? "" : ", ", fp);
		first = 0;
		sc_rp_esc(fp, k);
		putc('=', fp);
		if (json_is_number(v))
			sc_rp_num(fp, json_number_value(v));
		else if (json_is_string(v))
			sc_rp_esc(fp, json_string_value(v));
		else if (json_is_boolean(v))
			fputs(json_is_true(v) ? "true" : "false", fp);
		else
			fputs("&ndash;", fp);
	}
}

struct trials {
	json_t **t;
	size_t n;
};

static void
trials_free(struct trials *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		json_decref(t->t[i]);
	free(t->t);
	t->t = NULL;
	t->n = 0;
}

/* runs/ID/trials.jsonl: 0, 1 when absent, -1. */
static int
trials_read(struct sc_rp_ctx *c, const char *id, struct trials *t)
{
	char key[SC_STORE_MAX_KEY + 1], *buf, *line, *nl;
	json_error_t je;
	size_t len, cap = 0;
	json_t *j;
	long ln = 0;
	int rc;

	t->t = NULL;
	t->n = 0;
	snprintf(key, sizeof(key), "runs/%s/trials.jsonl", id);
	if ((rc = sc_rp_get(c->st, key, SC_RP_MAX_OBJECT, &buf, &len, c->e)) !=
	    0)
		return rc;
	for (line = buf; line < buf + len; line = nl + 1) {
		if ((nl = memchr(line, '\n', (size_t)(buf + len - line))) ==
		    NULL)
			nl = buf + len;
		ln++;
		if (nl == line)
			continue;
		if ((j = json_loadb(line, (size_t)(nl - line), 0, &je)) ==
		        NULL ||
		    !json_is_object(j)) {
			json_decref(j);
			free(buf);
			trials_free(t);
			return sc_err_set(c->e, SC_EDATA, 0,
			    "%s:%ld: not a JSON object", key, ln);
		}
		if (t->n == cap && t->n < SC_RP_MAX_TRIALS) {
			if (sc_buf_grow(&t->t, &cap, t->n + 1, sizeof(*t->t),
			        c->e) == -1) {
				json_decref(j);
				free(buf);
				trials_free(t);
				return -1;
			}
		}
		if (t->n < cap)
			t->t[t->n++] = j;
		else
			json_decref(j);
	}
	free(buf);
	return 0;
}

static double
jnum(const json_t *o, const char *k)
{
	const json_t *v = json_object_get(o, k);

	return json_is_number(v) ? json_number_value(v) : NAN;
}

static int
is_complete(const json_t *t)
{
	const char *s = jstr(t, "state");

	return s != NULL && strcmp(s, "complete") == 0;
}

/* The parameters of the complete trial with the lowest value. */
static const json_t *
best_params(const struct trials *t)
{
	const json_t *best = NULL;
	size_t i;

	for (i = 0; i < t->n; i++)
		if (is_complete(t->t[i]) && isfinite(jnum(t->t[i], "value")) &&
		    (best == NULL ||
		        jnum(t->t[i], "value") < jnum(best, "value")))
			best = t->t[i];
	return best ? json_object_get(best, "params") : NULL;
}

/* The parameters cell of a run: registered, fixed, or the search's best. */
static int
run_params(struct sc_rp_ctx *c, const json_t *m, const json_t *ver)
{
	const char *fa = jstr(m, "forest_args"), *s = jstr(m, "search");
	struct trials t;
	const json_t *p;
	int rc;

	fputs("<td class=\"params\">", c->fp);
	if (ver != NULL && json_is_object(json_object_get(ver, "params")))
		params_text(c->fp, json_object_get(ver, "params"));
	else if (fa != NULL)
		sc_rp_esc(c->fp, fa);
	else if (s != NULL && strcmp(s, "none") != 0) {
		if ((rc = trials_read(c, jstr(m, DIR_MEMBER), &t)) == -1)
			return -1;
		if ((p = best_params(&t)) != NULL)
			params_text(c->fp, p);
		else
			fputs("&ndash;", c->fp);
		trials_free(&t);
	} else
		fputs("&ndash;", c->fp);
	fputs("</td>", c->fp);
	return 0;
}

static int
run_row(struct sc_rp_ctx *c, const json_t *m)
{
	const char *id = jstr(m, "run_id");
	const json_t *ver = version_of(c, id), *reg;
	char key[SC_STORE_MAX_KEY + 1];
	json_t *met = NULL;

	snprintf(key, sizeof(key), "runs/%s/metrics.json", jstr(m, DIR_MEMBER));
	if (sc_rp_json(c->st, key, SC_RP_MAX_OBJECT, &met, c->e) == -1)
		return -1;
	fputs("<tr>", c->fp);
	sc_rp_td(c->fp, id);
	sc_rp_td(c->fp, jstr(m, "started"));
	sc_rp_td(c->fp, jstr(m, "search"));
	sc_rp_td_json(c->fp, json_object_get(m, "trials"));
	if (run_params(c, m, ver) == -1) {
		json_decref(met);
		return -1;
	}
	sc_rp_td_json(c->fp, json_object_get(m, "cv_rmse"));
	sc_rp_td_json(c->fp, json_object_get(m, "test_rmse"));
	sc_rp_td_json(c->fp, json_object_get(met, "skill"));
	sc_rp_td_json(c->fp,
	    ver != NULL ? json_object_get(ver, "version")
	                : json_object_get(m, "registered_version"));
	reg = json_object_get(m, "register");
	sc_rp_td_json(c->fp, json_object_get(reg, "promoted"));
	fputs("</tr>\n", c->fp);
	json_decref(met);
	return 0;
}

int
sc_rp_sec_runs(struct sc_rp_ctx *c)
{
	static const char *const head[] = { "run", "started", "search",
		"trials", "parameters", "CV RMSE", "test RMSE", "test skill",
		"version", "made champion", NULL };
	size_t i;

	sc_rp_section(c->fp, "runs", "Runs");
	if (c->nmeta == 0) {
		sc_rp_note(c->fp,
		    "No runs (runs/ID/meta.json) yet: run train.");
		fputs("</section>\n", c->fp);
		return 0;
	}
	sc_rp_note(c->fp,
	    "Newest first, from runs/ID/meta.json and "
	    "runs/ID/metrics.json; parameters of a registered run "
	    "from the registry, of a search from its best trial.");
	sc_rp_table(c->fp, "t-runs", head);
	for (i = 0; i < c->nmeta && i < (size_t)c->max_runs; i++)
		if (run_row(c, c->metas[i]) == -1)
			return -1;
	sc_rp_table_end(c->fp);
	fputs("</section>\n", c->fp);
	return 0;
}

/* The names of every trial's parameters, in order of first appearance. */
static json_t *
param_names(const struct trials *t)
{
	json_t *names = json_object();
	const char *k;
	json_t *v;
	size_t i;

	for (i = 0; names != NULL && i < t->n; i++)
		json_object_foreach(json_object_get(t->t[i], "params"), k, v)
		{
			json_object_set_new(names, k, json_true());
		}
	return names;
}

static void
history_chart(struct sc_rp_ctx *c, const struct trials *t, double *v)
{
	size_t n = t->n, i;
	double *x = v, *done = v + n, *pruned = v + 2 * n, *best = v + 3 * n;
	double b = INFINITY;
	char id[32];
	struct sc_rp_series s[3] = {
		{ "complete", x, done, NULL, NULL, n, SC_RP_POINTS, 0 },
		{ "pruned", x, pruned, NULL, NULL, n, SC_RP_POINTS, 6 },
		{ "best so far", x, best, NULL, NULL, n, SC_RP_STEP, 1 },
	};
	struct sc_rp_chart ch = { id, "Optimisation history: CV RMSE per trial",
		"trial number", "CV RMSE", 0, NAN, s, 3 };

	for (i = 0; i < n; i++) {
		double val = jnum(t->t[i], "value");

		x[i] = jnum(t->t[i], "number");
		done[i] = is_complete(t->t[i]) ? val : NAN;
		pruned[i] = is_complete(t->t[i]) ? NAN : val;
		if (is_complete(t->t[i]) && val < b)
			b = val;
		best[i] = isfinite(b) ? b : NAN;
	}
	snprintf(id, sizeof(id), "chart-%d", ++c->charts);
	sc_rp_chart(c->fp, &ch);
}

static void
param_chart(struct sc_rp_ctx *c, const struct trials *t, const char *name,
    double *v)
{
	size_t n = t->n, i;
	double *x = v, *done = v + n, *pruned = v + 2 * n;
	char id[32], label[200];
	struct sc_rp_series s[2] = {
		{ "complete", x, done, NULL, NULL, n, SC_RP_POINTS, 0 },
		{ "pruned", x, pruned, NULL, NULL, n, SC_RP_POINTS, 6 },
	};
	struct sc_rp_chart ch = { id, label, name, "CV RMSE", 0, NAN, s, 2 };

	for (i = 0; i < n; i++) {
		double val = jnum(t->t[i], "value");

		x[i] = jnum(json_object_get(t->t[i], "params"), name);
		done[i] = is_complete(t->t[i]) ? val : NAN;
		pruned[i] = is_complete(t->t[i]) ? NAN : val;
	}
	snprintf(id, sizeof(id), "chart-%d", ++c->charts);
	snprintf(label, sizeof(label), "%.120s against the objective", name);
	sc_rp_chart(c->fp, &ch);
}

static void
trials_table(struct sc_rp_ctx *c, const struct trials *t)
{
	const char *head[] = { "trial", "state", "CV RMSE", "parameters",
		"seconds", NULL };
	size_t i;

	sc_rp_table(c->fp, "t-trials", head);
	for (i = 0; i < t->n; i++) {
		fprintf(c->fp, "<tr%s>",
		    is_complete(t->t[i]) ? "" : " class=\"mut\"");
		sc_rp_td_json(c->fp, json_object_get(t->t[i], "number"));
		sc_rp_td_json(c->fp, json_object_get(t->t[i], "state"));
		sc_rp_td_json(c->fp, json_object_get(t->t[i], "value"));
		fputs("<td class=\"params\">", c->fp);
		params_text(c->fp, json_object_get(t->t[i], "params"));
		fputs("</td>", c->fp);
		sc_rp_td_json(c->fp, json_object_get(t->t[i], "duration"));
		fputs("</tr>\n", c->fp);
	}
	sc_rp_table_end(c->fp);
}

int
sc_rp_sec_search(struct sc_rp_ctx *c)
{
	const json_t *m = NULL;
	struct trials t = { NULL, 0 };
	const char *k, *s;
	json_t *names, *v;
	double *buf;
	size_t i;
	int rc;

	sc_rp_section(c->fp, "search", "Latest hyperparameter search");
	for (i = 0; i < c->nmeta && m == NULL; i++)
		if ((s = jstr(c->metas[i], "search")) != NULL &&
		    strcmp(s, "none") != 0)
			m = c->metas[i];
	rc = m != NULL ? trials_read(c, jstr(m, DIR_MEMBER), &t) : 1;
	if (rc == -1)
		return -1;
	if (rc == 1 || t.n == 0) {
		trials_free(&t);
		sc_rp_note(c->fp, "No search yet (a run with trials.jsonl).");
		fputs("</section>\n", c->fp);
		return 0;
	}
	fputs("<p class=\"note\">From <code>runs/", c->fp);
	sc_rp_esc(c->fp, jstr(m, DIR_MEMBER));
	fputs("/trials.jsonl</code>; pruned trials (stopped after some "
	      "folds) in grey.</p>\n",
	    c->fp);
	if ((buf = malloc(4 * t.n * sizeof(double))) == NULL ||
	    (names = param_names(&t)) == NULL) {
		free(buf);
		trials_free(&t);
		return sc_err_set(c->e, SC_EOS, 0, "out of memory");
	}
	history_chart(c, &t, buf);
	fputs("<h3>Each parameter against the objective</h3>\n"
	      "<div class=\"grid2\">\n",
	    c->fp);
	json_object_foreach(names, k, v)
	{
		param_chart(c, &t, k, buf);
	}
	fputs("</div>\n<h3>Trials</h3>\n", c->fp);
	trials_table(c, &t);
	fputs("</section>\n", c->fp);
	json_decref(names);
	free(buf);
	trials_free(&t);
	return 0;
}

/* The aliases naming version ver, comma-separated, into the cell. */
static void
aliases_cell(FILE *fp, const json_t *aliases, const json_t *ver)
{
	const char *a;
	const json_t *v;
	int first = 1;

	fputs("<td>", fp);
	json_object_foreach((json_t *)aliases, a, v)
	{
		if (!json_equal((json_t *)v, (json_t *)ver))
			continue;
		fputs(first ? "" : ", ", fp);
		first = 0;
		sc_rp_esc(fp, a);
	}
	fputs("</td>", fp);
}

/* The first 12 hex digits of a sha256 member, with the whole in title. */
static void
sha_cell(FILE *fp, const json_t *o)
{
	const char *s = jstr(o, "sha256");
	char shortid[13];

	if (s == NULL) {
		sc_rp_td(fp, NULL);
		return;
	}
	snprintf(shortid, sizeof(shortid), "%s", s);
	fputs("<td><code title=\"", fp);
	sc_rp_esc(fp, s);
	fputs("\">", fp);
	sc_rp_esc(fp, shortid);
	fputs("</code></td>", fp);
}

static void
versions_table(struct sc_rp_ctx *c)
{
	static const char *const head[] = { "version", "registered", "run",
		"target", "training rows", "training from", "training to",
		"training data", "model", "CV RMSE", "test RMSE", "test skill",
		"aliases", NULL };
	const json_t *v, *tr, *test;
	size_t i, n = json_array_size(json_object_get(c->index, "versions"));

	sc_rp_table(c->fp, "t-versions", head);
	for (i = n; i-- > 0;) {
		v = json_array_get(json_object_get(c->index, "versions"), i);
		tr = json_object_get(v, "training");
		test = json_object_get(v, "test");
		fputs("<tr>", c->fp);
		sc_rp_td_json(c->fp, json_object_get(v, "version"));
		sc_rp_td(c->fp, jstr(v, "registered"));
		sc_rp_td(c->fp, jstr(v, "run_id"));
		sc_rp_td(c->fp, jstr(v, "target"));
		sc_rp_td_json(c->fp, json_object_get(tr, "rows"));
		sc_rp_td(c->fp, jstr(tr, "date_from"));
		sc_rp_td(c->fp, jstr(tr, "date_to"));
		sha_cell(c->fp, tr);
		sha_cell(c->fp, json_object_get(v, "model"));
		sc_rp_td_json(c->fp, json_object_get(v, "cv_rmse"));
		sc_rp_td_json(c->fp, json_object_get(test, "rmse"));
		sc_rp_td_json(c->fp, json_object_get(test, "skill"));
		aliases_cell(c->fp, json_object_get(c->index, "aliases"),
		    json_object_get(v, "version"));
		fputs("</tr>\n", c->fp);
	}
	sc_rp_table_end(c->fp);
}

static int
cmp_at(const void *a, const void *b)
{
	const json_t *x = json_object_get(*(json_t *const *)a, "register");
	const json_t *y = json_object_get(*(json_t *const *)b, "register");
	const char *s = jstr(x, "at"), *t = jstr(y, "at");

	return strcmp(s ? s : "", t ? t : "");
}

static int
champion_history(struct sc_rp_ctx *c)
{
	static const char *const head[] = { "at", "run", "version", "rule",
		"made champion", "champion before", "why", NULL };
	json_t **h = calloc(c->nmeta ? c->nmeta : 1, sizeof(*h));
	const json_t *r;
	size_t i, n = 0;

	if (h == NULL)
		return sc_err_set(c->e, SC_EOS, 0, "out of memory");
	for (i = 0; i < c->nmeta; i++) {
		r = json_object_get(c->metas[i], "register");
		if (json_is_object(r) && jstr(r, "model") != NULL &&
		    strcmp(jstr(r, "model"), c->model) == 0)
			h[n++] = c->metas[i];
	}
	qsort(h, n, sizeof(*h), cmp_at);
	fputs("<h3>Champion history</h3>\n", c->fp);
	sc_rp_note(c->fp,
	    "Every registration and the champion rule's verdict, "
	    "oldest first (runs/ID/meta.json, member register).");
	sc_rp_table(c->fp, "t-champion", head);
	for (i = 0; i < n; i++) {
		r = json_object_get(h[i], "register");
		fputs("<tr>", c->fp);
		sc_rp_td(c->fp, jstr(r, "at"));
		sc_rp_td(c->fp, jstr(h[i], "run_id"));
		sc_rp_td_json(c->fp,
		    json_object_get(h[i], "registered_version"));
		sc_rp_td(c->fp, jstr(r, "rule"));
		sc_rp_td_json(c->fp, json_object_get(r, "promoted"));
		sc_rp_td_json(c->fp, json_object_get(r, "champion_version"));
		sc_rp_td(c->fp, jstr(r, "why"));
		fputs("</tr>\n", c->fp);
	}
	sc_rp_table_end(c->fp);
	free(h);
	return 0;
}

int
sc_rp_sec_registry(struct sc_rp_ctx *c)
{
	static const char *const head[] = { "alias", "version", NULL };
	const char *a;
	json_t *v;

	sc_rp_section(c->fp, "registry", "Registry");
	if (c->index == NULL) {
		sc_rp_note(c->fp,
		    "No registry index for this model yet: run "
		    "register.");
		fputs("</section>\n", c->fp);
		return 0;
	}
	fputs("<p class=\"note\">From <code>models/", c->fp);
	sc_rp_esc(c->fp, c->model);
	fputs("/index.json</code>. Lineage: each version's run, the "
	      "SHA-256 of its training data and of the model file.</p>\n"
	      "<h3>Versions</h3>\n",
	    c->fp);
	versions_table(c);
	fputs("<h3>Aliases</h3>\n", c->fp);
	sc_rp_table(c->fp, "t-aliases", head);
	json_object_foreach(json_object_get(c->index, "aliases"), a, v)
	{
		fputs("<tr>", c->fp);
		sc_rp_td(c->fp, a);
		sc_rp_td_json(c->fp, v);
		fputs("</tr>\n", c->fp);
	}
	sc_rp_table_end(c->fp);
	if (champion_history(c) == -1)
		return -1;
	fputs("</section>\n", c->fp);
	return 0;
}

struct imp {
	const char *name;
	double v;
};

static int
cmp_imp(const void *a, const void *b)
{
	const struct imp *x = a, *y = b;

	return (x->v < y->v) - (x->v > y->v);
}

static void
bars(struct sc_rp_ctx *c, const struct imp *im, size_t n)
{
	double max = 0, y;
	size_t i;

	for (i = 0; i < n; i++)
		max = fmax(max, im[i].v);
	fprintf(c->fp,
	    "<figure class=\"chart\" id=\"chart-%d\">\n"
	    "<svg class=\"chart\" viewBox=\"0 0 640 %zu\" role=\"img\" "
	    "data-points=\"%zu\" aria-label=\"Feature importances of the "
	    "champion\">\n",
	    ++c->charts, 20 * n + 10, n);
	for (i = 0; i < n; i++) {
		y = 5 + 20.0 * (double)i;
		fprintf(c->fp, "<text class=\"ty\" x=\"156\" y=\"%.0f\">",
		    y + 13);
		sc_rp_esc(c->fp, im[i].name);
		fprintf(c->fp,
		    "</text><rect class=\"p0\" x=\"160\" "
		    "y=\"%.0f\" width=\"%.1f\" height=\"14\"/>\n",
		    y, max > 0 ? im[i].v / max * 420 : 0);
	}
	fputs("</svg>\n<figcaption>Feature importances of the champion "
	      "(mean decrease in squared error, summing to 1)</figcaption>\n"
	      "</figure>\n",
	    c->fp);
}

static int
show_importances(struct sc_rp_ctx *c, json_t *imp)
{
	static const char *const head[] = { "feature", "importance", NULL };
	struct imp *im = calloc(json_object_size(imp) + 1, sizeof(*im));
	const char *k;
	json_t *v;
	size_t n = 0, i;

	if (im == NULL)
		return sc_err_set(c->e, SC_EOS, 0, "out of memory");
	json_object_foreach(imp, k, v)
	{
		if (!json_is_number(v))
			continue;
		im[n].name = k;
		im[n++].v = json_number_value(v);
	}
	qsort(im, n, sizeof(*im), cmp_imp);
	bars(c, im, n);
	sc_rp_table(c->fp, "t-importances", head);
	for (i = 0; i < n; i++) {
		fputs("<tr>", c->fp);
		sc_rp_td(c->fp, im[i].name);
		sc_rp_td_num(c->fp, im[i].v);
		fputs("</tr>\n", c->fp);
	}
	sc_rp_table_end(c->fp);
	free(im);
	return 0;
}

int
sc_rp_sec_importances(struct sc_rp_ctx *c)
{
	const json_t *ver =
	    json_object_get(json_object_get(c->index, "aliases"), "champion");
	char key[SC_STORE_MAX_KEY + 1];
	json_t *model = NULL, *imp;
	int rc;

	sc_rp_section(c->fp, "importances",
	    "Feature importances of the champion");
	if (!json_is_integer(ver)) {
		sc_rp_note(c->fp, "No champion yet.");
		fputs("</section>\n", c->fp);
		return 0;
	}
	snprintf(key, sizeof(key), "models/%s/%lld/model.json", c->model,
	    (long long)json_integer_value(ver));
	if ((rc = sc_rp_json(c->st, key, SC_RP_MAX_MODEL, &model, c->e)) == -1)
		return -1;
	imp = json_object_get(model, "importances");
	if (rc == 1 || !json_is_object(imp)) {
		sc_rp_note(c->fp,
		    "The champion's model file holds no "
		    "importances.");
	} else {
		sc_rp_from(c->fp, key);
		rc = show_importances(c, imp);
	}
	json_decref(model);
	fputs("</section>\n", c->fp);
	return rc == -1 ? -1 : 0;
}
