/* SPDX-License-Identifier: ISC */
/*
 * sc_tune's text: the trials JSONL (written by hand so every number is
 * the shortest text that reads back to the same double, and a search
 * repeated with the same seed gives the same bytes but for "duration"),
 * reading it back to merge shards, the search's identity, and the tuning
 * record of the model file.  Kept apart from the search because it is
 * all formats and checks.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sc_buf.h"
#include "sc_hash.h"
#include "sc_num.h"
#include "sc_tune_int.h"

static const char *
sampler_name(enum sc_tune_sampler s)
{
	return s == SC_TUNE_TPE ? "tpe" : "random";
}

/* A real that reads back as a real ("1.0", not "1"). */
static const char *
fmt_real(double v, char *buf)
{
	sc_num_fmt(v, buf);
	if (strpbrk(buf, ".en") == NULL)
		strcat(buf, ".0");
	return buf;
}

/* A dimension's spec text, as --param takes it, into b. */
static void
dim_spec(const struct sc_tune_dim *d, char *b, size_t n)
{
	char lo[SC_NUM_BUFSZ + 2], hi[SC_NUM_BUFSZ + 2];
	size_t i, at;

	if (d->kind == SC_TUNE_CAT) {
		at = (size_t)snprintf(b, n, "cat:");
		for (i = 0; i < d->ncat && at < n; i++)
			at += (size_t)snprintf(b + at, n - at, "%s%s",
			    i ? "," : "", d->cat[i]);
		return;
	}
	if (d->kind == SC_TUNE_INT)
		snprintf(b, n, "int:%s:%s%s", sc_num_fmt(d->lo, lo),
		    sc_num_fmt(d->hi, hi), d->log ? ":log" : "");
	else
		snprintf(b, n, "float:%s:%s%s", fmt_real(d->lo, lo),
		    fmt_real(d->hi, hi), d->log ? ":log" : "");
}

void
sc_tune_search_id(const struct sc_table *t, const struct sc_tune_space *s,
    const struct sc_tune_opts *o, char *buf)
{
	char b[4096], spec[512];
	size_t i, at;
	uint64_t h;

	at = (size_t)snprintf(b, sizeof(b), "%s|%s|%d|%d|%s|%llu|%ld",
	    sc_table_sha256(t), sc_table_target(t), o->folds, o->gap,
	    sampler_name(o->sampler), (unsigned long long)o->seed, o->trials);
	for (i = 0; i < s->n && at < sizeof(b); i++) {
		dim_spec(&s->d[i], spec, sizeof(spec));
		at += (size_t)snprintf(b + at, sizeof(b) - at, "|%s=%s",
		    s->d[i].name, spec);
	}
	h = sc_hash_fnv1a(b, strlen(b));
	snprintf(buf, 17, "%016llx", (unsigned long long)h);
}

static int
put_value(struct sc_buf *b, const struct sc_tune_dim *d, double v,
    struct sc_err *e)
{
	char n[SC_NUM_BUFSZ + 2];

	if (d->kind == SC_TUNE_CAT)
		return sc_buf_printf(b, e, "\"%s\"", d->cat[(size_t)v]);
	if (d->kind == SC_TUNE_INT)
		return sc_buf_printf(b, e, "%.0f", v);
	return sc_buf_printf(b, e, "%s", fmt_real(v, n));
}

static int
put_params(struct sc_buf *b, const struct sc_tune_space *s, const double *x,
    struct sc_err *e)
{
	size_t j;

	if (sc_buf_printf(b, e, "{") == -1)
		return -1;
	for (j = 0; j < s->n; j++)
		if (sc_buf_printf(b, e, "%s\"%s\":", j ? "," : "",
		        s->d[j].name) == -1 ||
		    put_value(b, &s->d[j], x[j], e) == -1)
			return -1;
	return sc_buf_printf(b, e, "}");
}

int
sc_tune_write_trial(FILE *fp, const struct sc_tune_space *s,
    const struct sc_tune_trial *tr, const char *id, struct sc_err *e)
{
	struct sc_buf b = { 0 };
	char n[SC_NUM_BUFSZ + 2];
	int i, rc = -1;

	if (sc_buf_printf(&b, e,
	        "{\"number\":%ld,\"state\":\"%s\",\"value\":%s,", tr->number,
	        tr->state == SC_TUNE_COMPLETE ? "complete" : "pruned",
	        fmt_real(tr->value, n)) == -1 ||
	    sc_buf_printf(&b, e, "\"params\":") == -1 ||
	    put_params(&b, s, tr->x, e) == -1 ||
	    sc_buf_printf(&b, e, ",\"folds\":[") == -1)
		goto out;
	for (i = 0; i < tr->nfolds; i++)
		if (sc_buf_printf(&b, e, "%s%s", i ? "," : "",
		        fmt_real(tr->fold[i], n)) == -1)
			goto out;
	if (sc_buf_printf(&b, e, "],\"search\":\"%s\",\"duration\":%.3f}\n", id,
	        tr->duration) == -1)
		goto out;
	if (fwrite(b.data, 1, b.len, fp) != b.len)
		rc = sc_err_set(e, SC_EIO, 0, "write failed");
	else
		rc = 0;
out:
	sc_buf_free(&b);
	return rc;
}

/* Value of dimension d from JSON v into *x; 0 or -1. */
static int
get_value(const struct sc_tune_dim *d, const json_t *v, double *x)
{
	size_t i;

	if (d->kind == SC_TUNE_CAT) {
		for (i = 0; json_is_string(v) && i < d->ncat; i++)
			if (strcmp(json_string_value(v), d->cat[i]) == 0) {
				*x = (double)i;
				return 0;
			}
		return -1;
	}
	if (!json_is_number(v))
		return -1;
	*x = json_number_value(v);
	if (d->kind == SC_TUNE_INT && !json_is_integer(v))
		return -1;
	return *x >= d->lo && *x <= d->hi ? 0 : -1;
}

/* Parse one trial object o into *tr; 0, or -1 with *why. */
static int
get_trial(const json_t *o, const struct sc_tune_space *s,
    struct sc_tune_trial *tr, const char **why)
{
	json_t *p = json_object_get(o, "params"),
	       *f = json_object_get(o, "folds");
	const char *st = json_string_value(json_object_get(o, "state"));
	size_t j;

	memset(tr, 0, sizeof(*tr));
	*why = "number, state, value, params or folds missing or wrong";
	if (!json_is_integer(json_object_get(o, "number")) || st == NULL ||
	    !json_is_object(p) || !json_is_array(f) || json_array_size(f) < 1 ||
	    json_array_size(f) > SC_TUNE_MAXFOLDS ||
	    (strcmp(st, "complete") != 0 && strcmp(st, "pruned") != 0) ||
	    !json_is_number(json_object_get(o, "value")))
		return -1;
	tr->number = (long)json_integer_value(json_object_get(o, "number"));
	tr->state = st[0] == 'c' ? SC_TUNE_COMPLETE : SC_TUNE_PRUNED;
	tr->value = json_number_value(json_object_get(o, "value"));
	tr->duration = json_number_value(json_object_get(o, "duration"));
	tr->nfolds = (int)json_array_size(f);
	for (j = 0; j < json_array_size(f); j++)
		if (!json_is_number(json_array_get(f, j)))
			return -1;
		else
			tr->fold[j] = json_number_value(json_array_get(f, j));
	*why = "params do not fit the search space";
	if (json_object_size(p) != s->n || tr->number < 0 ||
	    !isfinite(tr->value))
		return -1;
	for (j = 0; j < s->n; j++)
		if (get_value(&s->d[j], json_object_get(p, s->d[j].name),
		        &tr->x[j]) == -1)
			return -1;
	return 0;
}

static int
cmp_number(const void *a, const void *b)
{
	const struct sc_tune_trial *x = a, *y = b;

	return (x->number > y->number) - (x->number < y->number);
}

/* Sort by number, refuse duplicates, find the best again. */
static int
settle(struct sc_tune *r, struct sc_err *e)
{
	size_t i;

	if (r->n > 0) /* qsort(NULL, 0, ...) is undefined */
		qsort(r->t, r->n, sizeof(*r->t), cmp_number);
	r->best = -1;
	for (i = 0; i < r->n; i++) {
		if (i > 0 && r->t[i].number == r->t[i - 1].number)
			return sc_err_set(e, SC_EDATA, 0,
			    "trial %ld appears twice", r->t[i].number);
		if (r->t[i].state == SC_TUNE_COMPLETE &&
		    (r->best < 0 || r->t[i].value < r->t[r->best].value))
			r->best = (long)i;
	}
	return 0;
}

static int
push(struct sc_tune *r, const struct sc_tune_trial *tr)
{
	if (sc_buf_grow(&r->t, &r->cap, r->n + 1, sizeof(*r->t), NULL) == -1)
		return -1;
	r->t[r->n++] = *tr;
	return 0;
}

static int
read_line(struct sc_tune *r, const char *line, long ln,
    const struct sc_tune_space *s, const char *id, struct sc_err *e)
{
	struct sc_tune_trial tr;
	json_error_t je;
	json_t *o = json_loads(line, JSON_REJECT_DUPLICATES, &je);
	const char *why, *sid;
	int rc = 0;

	if (o == NULL || !json_is_object(o))
		rc = sc_err_set(e, SC_EDATA, ln, "not a JSON object%s%s",
		    o ? "" : ": ", o ? "" : je.text);
	else if ((sid = json_string_value(json_object_get(o, "search"))) ==
	        NULL ||
	    strcmp(sid, id) != 0)
		rc = sc_err_set(e, SC_EDATA, ln,
		    "trial of another search (%.16s, this one is %s): the "
		    "table, target, space, folds, gap, sampler, seed or "
		    "trials differ",
		    sid ? sid : "none", id);
	else if (get_trial(o, s, &tr, &why) == -1)
		rc = sc_err_set(e, SC_EDATA, ln, "%s", why);
	else if (push(r, &tr) == -1)
		rc = sc_err_set(e, SC_EOS, 0, "out of memory");
	json_decref(o);
	return rc;
}

int
sc_tune_read_trials(struct sc_tune **rp, FILE *fp,
    const struct sc_tune_space *s, const char *id, struct sc_err *e)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	long ln = 0;
	int rc = 0;

	if (*rp == NULL && (*rp = calloc(1, sizeof(**rp))) == NULL)
		return sc_err_set(e, SC_EOS, 0, "out of memory");
	while (rc == 0 && (len = getline(&line, &cap, fp)) != -1) {
		ln++;
		if (len > 1 << 20)
			rc = sc_err_set(e, SC_EDATA, ln, "line too long");
		else if (strspn(line, " \t\r\n") != (size_t)len)
			rc = read_line(*rp, line, ln, s, id, e);
	}
	free(line);
	if (rc == 0 && ferror(fp))
		rc = sc_err_set(e, SC_EIO, 0, "read error");
	return rc == 0 ? settle(*rp, e) : -1;
}

static json_t *
params_json(const struct sc_tune_space *s, const double *x)
{
	json_t *o = json_object();
	const struct sc_tune_dim *d;
	size_t j;

	for (j = 0; o != NULL && j < s->n; j++) {
		d = &s->d[j];
		json_object_set_new(o, d->name,
		    d->kind == SC_TUNE_CAT ? json_string(d->cat[(size_t)x[j]])
		        : d->kind == SC_TUNE_INT
		        ? json_integer((json_int_t)x[j])
		        : json_real(x[j]));
	}
	return o;
}

json_t *
sc_tune_record(const struct sc_tune *r, const struct sc_tune_space *s,
    const struct sc_tune_opts *o)
{
	const struct sc_tune_trial *b = sc_tune_best(r);
	json_t *t, *f, *sp;
	char spec[512];
	size_t i, pruned = 0;
	int k;

	if (b == NULL)
		return NULL;
	for (i = 0; i < r->n; i++)
		pruned += r->t[i].state == SC_TUNE_PRUNED;
	f = json_array();
	for (k = 0; f != NULL && k < b->nfolds; k++)
		json_array_append_new(f, json_real(b->fold[k]));
	sp = json_object();
	for (i = 0; sp != NULL && i < s->n; i++) {
		dim_spec(&s->d[i], spec, sizeof(spec));
		json_object_set_new(sp, s->d[i].name, json_string(spec));
	}
	t = json_pack("{s:f,s:i,s:i,s:s,s:I,s:I,s:I,s:I,s:b,s:I,s:o,s:o,s:o}",
	    "cv_rmse", b->value, "folds", o->folds, "gap", o->gap, "sampler",
	    sampler_name(o->sampler), "seed", (json_int_t)o->seed, "trials",
	    (json_int_t)r->n, "complete", (json_int_t)(r->n - pruned), "pruned",
	    (json_int_t)pruned, "timed_out", r->timed_out, "best_trial",
	    (json_int_t)b->number, "best_params", params_json(s, b->x),
	    "best_folds", f, "space", sp);
	return t == NULL ? NULL : json_pack("{s:o}", "tuning", t);
}
