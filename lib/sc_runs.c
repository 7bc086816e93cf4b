/* SPDX-License-Identifier: ISC */
/*
 * Tables of runs and versions.  Everything is read through lib/sc_store
 * (local or S3) and bounded: a run record or metrics file of at most
 * MAX_RECORD bytes, a trials.jsonl of at most MAX_TRIALS.  The versions
 * come from the registry's index as sc-fetch models:/NAME builds it (from
 * the version objects, never a stale index.json).
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sc_buf.h"
#include "sc_registry.h"
#include "sc_runs.h"

#define MAX_RECORD (1L << 20)  /* bytes of meta.json or metrics.json */
#define MAX_TRIALS (16L << 20) /* bytes of trials.jsonl */
#define MAX_RUNS 100000        /* runs listed */

void
sc_runs_table_free(struct sc_runs_table *t)
{
	json_decref(t->rows);
	memset(t, 0, sizeof(*t));
}

static int
table_init(struct sc_runs_table *t, const char *const *cols, size_t n,
    struct sc_err *e)
{
	size_t i;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < n && i < SC_RUNS_MAX_COLS; i++)
		t->cols[i] = cols[i];
	t->ncols = i;
	if ((t->rows = json_array()) == NULL)
		return sc_err_set(e, SC_EOS, 0, "out of memory");
	return 0;
}

/*
 * An object of the store, whole, into *b (at most max bytes).  Returns 0,
 * 1 when it does not exist and missing_ok, or -1.
 */
static int
get_text(struct sc_store *st, const char *key, long max, int missing_ok,
    struct sc_buf *b, struct sc_err *e)
{
	if (sc_store_get_buf(st, key, (size_t)max, b, e) == 0)
		return 0;
	if (missing_ok && e->code == SC_ENOINPUT) {
		sc_err_clear(e);
		return 1;
	}
	return -1;
}

/*
 * The JSON object under key into *out; *out NULL and 0 when it does not
 * exist and missing_ok.  0 or -1 (SC_EDATA naming key:line:column).
 */
static int
get_object(struct sc_store *st, const char *key, int missing_ok, json_t **out,
    struct sc_err *e)
{
	struct sc_buf b = { 0 };
	json_error_t je;
	int rc;

	*out = NULL;
	if ((rc = get_text(st, key, MAX_RECORD, missing_ok, &b, e)) != 0) {
		sc_buf_free(&b);
		return rc == 1 ? 0 : -1;
	}
	*out = json_loadb(b.data ? b.data : "", b.len, JSON_REJECT_DUPLICATES,
	    &je);
	sc_buf_free(&b);
	if (*out == NULL)
		return sc_err_set(e, SC_EDATA, 0, "%s:%d:%d: %s", key, je.line,
		    je.column, je.text);
	if (!json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		return sc_err_set(e, SC_EDATA, 0, "%s: not a JSON object", key);
	}
	return 0;
}

/* A scalar member of o (string, number, boolean), else null. */
static json_t *
scalar(const json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (json_is_string(v) || json_is_number(v) || json_is_boolean(v))
		return json_incref(v);
	return json_null();
}

static int
set(json_t *row, const char *col, json_t *v, struct sc_err *e)
{
	if (json_object_set_new(row, col, v ? v : json_null()) == -1)
		return sc_err_set(e, SC_EOS, 0, "out of memory");
	return 0;
}

/* Run ids from the listing of runs/: runs/ID/meta.json keys. */
struct run_ids {
	char **id;
	size_t n, cap;
	struct sc_err *e;
};

static int
run_key(const char *key, uint64_t size, void *arg)
{
	struct run_ids *r = arg;
	const char *id = key + 5, *slash = strchr(id, '/');

	(void)size;
	if (slash == NULL || slash == id || strcmp(slash, "/meta.json") != 0)
		return 0;
	if (r->n == MAX_RUNS)
		return sc_err_set(r->e, SC_EDATA, 0, "runs/: more than %d runs",
		    MAX_RUNS);
	if (sc_buf_grow(&r->id, &r->cap, r->n + 1, sizeof(*r->id), r->e) == -1)
		return -1;
	if ((r->id[r->n] = strndup(id, (size_t)(slash - id))) == NULL)
		return sc_err_set(r->e, SC_EOS, 0, "out of memory");
	r->n++;
	return 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
run_row(struct sc_store *st, const char *id, json_t *rows, struct sc_err *e)
{
	char key[600];
	json_t *meta = NULL, *metrics = NULL, *row = NULL;
	int rc;

	snprintf(key, sizeof(key), "runs/%s/meta.json", id);
	if ((rc = get_object(st, key, 1, &meta, e)) == -1 || meta == NULL)
		return rc;
	snprintf(key, sizeof(key), "runs/%s/metrics.json", id);
	if ((rc = get_object(st, key, 1, &metrics, e)) == 0 &&
	    (row = json_object()) == NULL)
		rc = sc_err_set(e, SC_EOS, 0, "out of memory");
	if (rc == 0 &&
	    (set(row, "run", json_string(id), e) == -1 ||
	        set(row, "date", scalar(meta, "today"), e) == -1 ||
	        set(row, "tickers", scalar(meta, "tickers"), e) == -1 ||
	        set(row, "search", scalar(meta, "search"), e) == -1 ||
	        set(row, "trials", scalar(meta, "trials"), e) == -1 ||
	        set(row, "seed", scalar(meta, "seed"), e) == -1 ||
	        set(row, "cv_rmse", scalar(meta, "cv_rmse"), e) == -1 ||
	        set(row, "test_rmse", scalar(meta, "test_rmse"), e) == -1 ||
	        set(row, "skill", scalar(metrics, "skill"), e) == -1 ||
	        set(row, "model", scalar(meta, "registered_model"), e) == -1 ||
	        set(row, "version", scalar(meta, "registered_version"), e) ==
	            -1))
		rc = -1;
	if (rc == 0 && json_array_append(rows, row) == -1)
		rc = sc_err_set(e, SC_EOS, 0, "out of memory");
	json_decref(row);
	json_decref(meta);
	json_decref(metrics);
	return rc;
}

int
sc_runs_list(struct sc_store *st, struct sc_runs_table *t, struct sc_err *e)
{
	static const char *const cols[] = { "run", "date", "tickers", "search",
		"trials", "seed", "cv_rmse", "test_rmse", "skill", "model",
		"version" };
	struct run_ids r = { NULL, 0, 0, e };
	size_t i;
	int rc;

	if (table_init(t, cols, sizeof(cols) / sizeof(cols[0]), e) == -1)
		return -1;
	rc = sc_store_list(st, "runs/", run_key, &r, e);
	if (rc == 0 && r.n > 1)
		qsort(r.id, r.n, sizeof(*r.id), cmp_str);
	for (i = 0; rc == 0 && i < r.n; i++)
		rc = run_row(st, r.id[i], t->rows, e);
	for (i = 0; i < r.n; i++)
		free(r.id[i]);
	free(r.id);
	if (rc == -1)
		sc_runs_table_free(t);
	return rc;
}

/* The aliases pointing at version v, blank-separated ("" for none). */
static json_t *
aliases_of(const json_t *aliases, long v)
{
	struct sc_buf b = { 0 };
	struct sc_err ignored = { 0 };
	const char *name;
	json_t *it, *s;

	json_object_foreach((json_t *)aliases, name, it)
	{
		if (json_integer_value(it) == v)
			sc_buf_printf(&b, &ignored, "%s%s", b.len ? " " : "",
			    name);
	}
	s = json_string(b.data ? b.data : "");
	sc_buf_free(&b);
	return s;
}

static int
version_row(const json_t *ver, const json_t *aliases, json_t *rows,
    struct sc_err *e)
{
	const json_t *test = json_object_get(ver, "test");
	const json_t *tr = json_object_get(ver, "training");
	const char *sha = json_string_value(
	    json_object_get(json_object_get(ver, "model"), "sha256"));
	json_t *row = json_object();
	int rc = row == NULL ? sc_err_set(e, SC_EOS, 0, "out of memory") : 0;

	if (rc == 0 &&
	    (set(row, "version", scalar(ver, "version"), e) == -1 ||
	        set(row, "aliases",
	            aliases_of(aliases,
	                (long)json_integer_value(
	                    json_object_get(ver, "version"))),
	            e) == -1 ||
	        set(row, "registered", scalar(ver, "registered"), e) == -1 ||
	        set(row, "run", scalar(ver, "run_id"), e) == -1 ||
	        set(row, "cv_rmse", scalar(ver, "cv_rmse"), e) == -1 ||
	        set(row, "test_rmse", scalar(test, "rmse"), e) == -1 ||
	        set(row, "naive_rmse", scalar(test, "naive_rmse"), e) == -1 ||
	        set(row, "skill", scalar(test, "skill"), e) == -1 ||
	        set(row, "rows", scalar(tr, "rows"), e) == -1 ||
	        set(row, "date_from", scalar(tr, "date_from"), e) == -1 ||
	        set(row, "date_to", scalar(tr, "date_to"), e) == -1 ||
	        set(row, "sha256",
	            sha ? json_stringn(sha, strlen(sha) < 12 ? strlen(sha) : 12)
	                : json_null(),
	            e) == -1))
		rc = -1;
	if (rc == 0 && json_array_append(rows, row) == -1)
		rc = sc_err_set(e, SC_EOS, 0, "out of memory");
	json_decref(row);
	return rc;
}

int
sc_runs_versions(struct sc_store *st, const char *name, struct sc_runs_table *t,
    struct sc_err *e)
{
	static const char *const cols[] = { "version", "aliases", "registered",
		"run", "cv_rmse", "test_rmse", "naive_rmse", "skill", "rows",
		"date_from", "date_to", "sha256" };
	struct sc_model_ref r = { SC_MREF_INDEX, { 0 }, { 0 }, 0 };
	char *text = NULL;
	size_t len = 0, i;
	json_error_t je;
	json_t *idx = NULL, *it;
	FILE *mem;
	int rc;

	if (sc_registry_name_check(name, e) == -1 ||
	    table_init(t, cols, sizeof(cols) / sizeof(cols[0]), e) == -1)
		return -1;
	snprintf(r.name, sizeof(r.name), "%s", name);
	if ((mem = open_memstream(&text, &len)) == NULL) {
		sc_runs_table_free(t);
		return sc_err_errno(e, SC_EOS, errno, "memory stream");
	}
	rc = sc_registry_get(st, &r, mem, e);
	if (fclose(mem) == EOF && rc == 0)
		rc = sc_err_errno(e, SC_EOS, errno, "memory stream");
	if (rc == 0 && (idx = json_loadb(text, len, 0, &je)) == NULL)
		rc =
		    sc_err_set(e, SC_EDATA, 0, "models:/%s: %s", name, je.text);
	free(text);
	json_array_foreach(json_object_get(idx, "versions"), i, it)
	{
		if (rc == 0)
			rc = version_row(it, json_object_get(idx, "aliases"),
			    t->rows, e);
	}
	json_decref(idx);
	if (rc == -1)
		sc_runs_table_free(t);
	return rc;
}

/* Add o's members to flat as prefix+name; nested objects one level down. */
static int
flatten(json_t *flat, const char *prefix, const json_t *o, int depth,
    struct sc_err *e)
{
	char key[256];
	const char *k;
	json_t *v;
	char *s;

	json_object_foreach((json_t *)o, k, v)
	{
		snprintf(key, sizeof(key), "%s%s", prefix, k);
		if (json_is_object(v) && depth == 0) {
			snprintf(key, sizeof(key), "%s%s.", prefix, k);
			if (flatten(flat, key, v, 1, e) == -1)
				return -1;
			continue;
		}
		if (json_is_object(v) || json_is_array(v)) {
			if ((s = json_dumps(v, JSON_COMPACT)) == NULL)
				return sc_err_set(e, SC_EOS, 0,
				    "out of memory");
			json_object_set_new(flat, key, json_string(s));
			free(s);
		} else if (json_object_set(flat, key, v) == -1)
			return sc_err_set(e, SC_EOS, 0, "out of memory");
	}
	return 0;
}

/* The params of the best complete trial in trials.jsonl, or NULL. */
static int
best_params(struct sc_store *st, const char *id, json_t **out, struct sc_err *e)
{
	char key[600];
	struct sc_buf b = { 0 };
	double best = INFINITY, v;
	char *line, *save = NULL;
	json_t *t;
	int rc;

	*out = NULL;
	snprintf(key, sizeof(key), "runs/%s/trials.jsonl", id);
	if ((rc = get_text(st, key, MAX_TRIALS, 1, &b, e)) != 0) {
		sc_buf_free(&b);
		return rc == 1 ? 0 : -1;
	}
	for (line = b.data ? strtok_r(b.data, "\n", &save) : NULL; line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		if ((t = json_loads(line, 0, NULL)) == NULL)
			continue; /* not ours to judge: sc-tune wrote it */
		v = json_number_value(json_object_get(t, "value"));
		if (json_is_object(json_object_get(t, "params")) &&
		    json_is_number(json_object_get(t, "value")) &&
		    strcmp(json_string_value(json_object_get(t, "state"))
		            ? json_string_value(json_object_get(t, "state"))
		            : "",
		        "complete") == 0 &&
		    v < best) {
			best = v;
			json_decref(*out);
			*out = json_incref(json_object_get(t, "params"));
		}
		json_decref(t);
	}
	sc_buf_free(&b);
	return 0;
}

/* Everything diff compares for run id, flattened, into *out. */
static int
run_flat(struct sc_store *st, const char *id, json_t **out, struct sc_err *e)
{
	char key[600];
	json_t *meta = NULL, *metrics = NULL, *params = NULL, *flat;
	const char *k;
	json_t *v;
	int rc;

	*out = NULL;
	if (sc_registry_name_check(id, NULL) == -1)
		return sc_err_set(e, SC_EUSAGE, 0,
		    "run id \"%.80s\": want a letter or digit, then up to 63 "
		    "letters, digits, '_', '.' or '-'",
		    id);
	snprintf(key, sizeof(key), "runs/%s/meta.json", id);
	if (get_object(st, key, 0, &meta, e) == -1)
		return -1;
	snprintf(key, sizeof(key), "runs/%s/metrics.json", id);
	if ((flat = json_object()) == NULL)
		rc = sc_err_set(e, SC_EOS, 0, "out of memory");
	else if ((rc = flatten(flat, "", meta, 0, e)) == 0 &&
	    (rc = get_object(st, key, 1, &metrics, e)) == 0 &&
	    (rc = best_params(st, id, &params, e)) == 0) {
		json_object_foreach(metrics, k, v)
		{
			if (rc == 0 && !json_is_object(v) &&
			    !json_is_array(v)) {
				snprintf(key, sizeof(key), "test.%s", k);
				if (json_object_set(flat, key, v) == -1)
					rc = sc_err_set(e, SC_EOS, 0,
					    "out of memory");
			}
		}
		if (rc == 0 && params != NULL)
			rc = flatten(flat, "params.", params, 1, e);
	}
	json_decref(meta);
	json_decref(metrics);
	json_decref(params);
	if (rc == -1)
		json_decref(flat);
	else
		*out = flat;
	return rc;
}

/* Add a row what/a/b when the two differ (a missing member is null). */
static int
diff_row(json_t *rows, const char *what, json_t *a, json_t *b, struct sc_err *e)
{
	json_t *row;

	if (a == NULL)
		a = json_null();
	if (b == NULL)
		b = json_null();
	if (json_equal(a, b))
		return 0;
	if ((row = json_pack("{s:s, s:O, s:O}", "what", what, "a", a, "b",
	         b)) == NULL ||
	    json_array_append_new(rows, row) == -1)
		return sc_err_set(e, SC_EOS, 0, "out of memory");
	return 0;
}

int
sc_runs_diff(struct sc_store *st, const char *a, const char *b,
    struct sc_runs_table *t, struct sc_err *e)
{
	static const char *const cols[] = { "what", "a", "b" };
	json_t *fa = NULL, *fb = NULL, *v;
	const char *k;
	int rc;

	if (table_init(t, cols, 3, e) == -1)
		return -1;
	rc = run_flat(st, a, &fa, e);
	if (rc == 0)
		rc = run_flat(st, b, &fb, e);
	json_object_foreach(fa, k, v)
	{
		if (rc == 0)
			rc = diff_row(t->rows, k, v, json_object_get(fb, k), e);
	}
	json_object_foreach(fb, k, v)
	{
		if (rc == 0 && json_object_get(fa, k) == NULL)
			rc = diff_row(t->rows, k, NULL, v, e);
	}
	json_decref(fa);
	json_decref(fb);
	if (rc == -1)
		sc_runs_table_free(t);
	return rc;
}

/* A real that reads back exactly, in as few digits as that takes. */
static void
real_text(double x, char *buf, size_t n)
{
	int p;

	for (p = 15; p <= 17; p++) {
		snprintf(buf, n, "%.*g", p, x);
		if (strtod(buf, NULL) == x)
			return;
	}
}

/* The cell's text: "" (CSV) or "-" (text) for null. */
static void
cell_text(const json_t *v, enum sc_runs_format f, char *buf, size_t n)
{
	if (json_is_string(v))
		snprintf(buf, n, "%s", json_string_value(v));
	else if (json_is_integer(v))
		snprintf(buf, n, "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v) && f == SC_RUNS_TEXT)
		snprintf(buf, n, "%.6g", json_real_value(v));
	else if (json_is_real(v))
		real_text(json_real_value(v), buf, n);
	else if (json_is_true(v))
		snprintf(buf, n, "true");
	else if (json_is_false(v))
		snprintf(buf, n, "false");
	else
		snprintf(buf, n, "%s", f == SC_RUNS_TEXT ? "-" : "");
}

static int
put_csv(const char *s, int last, FILE *out)
{
	const char *p;

	if (strpbrk(s, ",\"\r\n") != NULL) {
		putc('"', out);
		for (p = s; *p; p++) {
			if (*p == '"')
				putc('"', out);
			putc(*p, out);
		}
		putc('"', out);
	} else
		fputs(s, out);
	return putc(last ? '\n' : ',', out);
}

static int
write_csv(const struct sc_runs_table *t, FILE *out)
{
	char buf[1024];
	size_t i, c;
	json_t *row;

	for (c = 0; c < t->ncols; c++)
		put_csv(t->cols[c], c + 1 == t->ncols, out);
	json_array_foreach(t->rows, i, row)
	{
		for (c = 0; c < t->ncols; c++) {
			cell_text(json_object_get(row, t->cols[c]), SC_RUNS_CSV,
			    buf, sizeof(buf));
			put_csv(buf, c + 1 == t->ncols, out);
		}
	}
	return 0;
}

static int
write_text(const struct sc_runs_table *t, FILE *out, struct sc_err *e)
{
	size_t w[SC_RUNS_MAX_COLS] = { 0 }, i, c, n;
	char buf[1024];
	json_t *row;

	for (c = 0; c < t->ncols; c++)
		w[c] = strlen(t->cols[c]);
	json_array_foreach(t->rows, i, row)
	{
		for (c = 0; c < t->ncols; c++) {
			cell_text(json_object_get(row, t->cols[c]),
			    SC_RUNS_TEXT, buf, sizeof(buf));
			if ((n = strlen(buf)) > w[c])
				w[c] = n;
		}
	}
	for (c = 0; c < t->ncols; c++)
		fprintf(out, "%-*s%s", c + 1 == t->ncols ? 0 : (int)w[c],
		    t->cols[c], c + 1 == t->ncols ? "\n" : "  ");
	json_array_foreach(t->rows, i, row)
	{
		for (c = 0; c < t->ncols; c++) {
			cell_text(json_object_get(row, t->cols[c]),
			    SC_RUNS_TEXT, buf, sizeof(buf));
			fprintf(out, "%-*s%s",
			    c + 1 == t->ncols ? 0 : (int)w[c], buf,
			    c + 1 == t->ncols ? "\n" : "  ");
		}
	}
	(void)e;
	return 0;
}

int
sc_runs_write(const struct sc_runs_table *t, enum sc_runs_format f, FILE *out,
    struct sc_err *e)
{
	if (f == SC_RUNS_JSON) {
		if (json_dumpf(t->rows, out, JSON_INDENT(1)) == -1 ||
		    putc('\n', out) == EOF)
			return sc_err_errno(e, SC_EIO, errno, "write");
		return 0;
	}
	if (f == SC_RUNS_CSV)
		write_csv(t, out);
	else
		write_text(t, out, e);
	if (ferror(out))
		return sc_err_errno(e, SC_EIO, errno, "write");
	return 0;
}
