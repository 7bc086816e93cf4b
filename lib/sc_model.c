/* SPDX-License-Identifier: ISC */
/*
 * The JSON model writer, and the model object's accessors (the readers
 * are sc_model_read.c and, for the binary form, sc_model_bin.c).  Doubles
 * in the tree arrays are written with "%.17g", which reads back to the
 * same double; integers with a small converter.  Trees are formatted into per-thread buffers a batch at
 * a time and written in tree order, so the output does not depend on the
 * thread count and memory stays at a few trees' worth.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sc_buf.h"
#include "sc_forest_int.h"
#include "sc_model.h"
#include "sc_model_int.h"
#include "sc_num.h"

static const char *const known[] = { "format", "version", "features", "target",
	"params", "training", "oob_rmse", "importances", "targets", "trees",
	NULL };

int
sc_model_known(const char *k)
{
	int i;

	for (i = 0; known[i] != NULL; i++)
		if (strcmp(known[i], k) == 0)
			return 1;
	return 0;
}

/* A growable text buffer for one tree, without error plumbing. */
struct tbuf {
	char *p;
	size_t n, cap;
	int oom;
};

static char *
tb_room(struct tbuf *b, size_t need)
{
	if (sc_buf_grow(&b->p, &b->cap, b->n + need, 1, NULL) == -1) {
		b->oom = 1;
		return NULL;
	}
	return b->p + b->n;
}

static void
tb_str(struct tbuf *b, const char *s)
{
	size_t n = strlen(s);
	char *p = tb_room(b, n);

	if (p != NULL) {
		memcpy(p, s, n);
		b->n += n;
	}
}

static void
tb_int(struct tbuf *b, long long v, int comma)
{
	char tmp[24], *p = tmp + sizeof(tmp), *d;
	unsigned long long u =
	    v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
	size_t n;

	do
		*--p = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	if (v < 0)
		*--p = '-';
	n = (size_t)(tmp + sizeof(tmp) - p);
	if ((d = tb_room(b, n + 1)) == NULL)
		return;
	if (comma)
		*d++ = ',';
	memcpy(d, p, n);
	b->n += n + (comma != 0);
}

static void
tb_real(struct tbuf *b, double v, int comma)
{
	char *d = tb_room(b, 34);
	int n;

	if (d == NULL)
		return;
	if (comma)
		*d++ = ',';
	n = sc_num_fmt17(v, d);
	/* Keep it a JSON real: "3" would read back as an integer. */
	if (memchr(d, '.', (size_t)n) == NULL &&
	    memchr(d, 'e', (size_t)n) == NULL) {
		d[n++] = '.';
		d[n++] = '0';
	}
	b->n += (size_t)n + (comma != 0);
}

static void
tb_ints(struct tbuf *b, const char *key, const int32_t *a, const uint32_t *u,
    size_t n)
{
	size_t i;

	tb_str(b, key);
	for (i = 0; i < n; i++)
		tb_int(b, a != NULL ? a[i] : (long long)u[i], i > 0);
	tb_str(b, "]");
}

static void
tb_reals(struct tbuf *b, const char *key, const double *a, size_t n)
{
	size_t i;

	tb_str(b, key);
	for (i = 0; i < n; i++)
		tb_real(b, a[i], i > 0);
	tb_str(b, "]");
}

static void
format_tree(struct tbuf *b, const struct sc_forest *f, size_t i)
{
	struct sc_forest_tree t;

	sc_forest_tree(f, i, &t);
	tb_str(b, i > 0 ? ",{" : "{");
	tb_ints(b, "\"feature\":[", t.feature, NULL, t.nodes);
	tb_reals(b, ",\"threshold\":[", t.threshold, t.nodes);
	tb_ints(b, ",\"left\":[", t.left, NULL, t.nodes);
	tb_ints(b, ",\"right\":[", t.right, NULL, t.nodes);
	tb_reals(b, ",\"value\":[", t.value, t.nodes);
	tb_ints(b, ",\"count\":[", NULL, t.count, t.nodes);
	tb_ints(b, ",\"rank\":[", NULL, t.rank, t.nranks);
	tb_str(b, "}");
}

struct wjob {
	const struct sc_forest *f;
	size_t first;
	struct tbuf *buf;
};

static void
format_job(void *arg, size_t k)
{
	struct wjob *j = arg;

	j->buf[k].n = 0;
	format_tree(&j->buf[k], j->f, j->first + k);
}

/* Write the trees in batches of nt, formatted in parallel. */
static int
write_trees(FILE *fp, const struct sc_forest *f, int threads, struct sc_err *e)
{
	int nt = sc_forest_threads(threads);
	struct tbuf *buf = calloc((size_t)nt, sizeof(*buf));
	struct wjob j = { f, 0, buf };
	size_t k, batch;
	int rc = 0;

	if (buf == NULL)
		return sc_err_set(e, SC_EOS, 0, "out of memory");
	for (j.first = 0; rc == 0 && j.first < f->ntrees; j.first += batch) {
		batch = f->ntrees - j.first < (size_t)nt ? f->ntrees - j.first
		                                         : (size_t)nt;
		if ((rc = sc_forest_parallel(nt, batch, format_job, &j, e)) ==
		    -1)
			break;
		for (k = 0; k < batch && rc == 0; k++) {
			if (buf[k].oom)
				rc = sc_err_set(e, SC_EOS, 0, "out of memory");
			else if (fwrite(buf[k].p, 1, buf[k].n, fp) != buf[k].n)
				rc = sc_err_set(e, SC_EIO, 0, "write failed");
		}
	}
	for (k = 0; k < (size_t)nt; k++)
		free(buf[k].p);
	free(buf);
	return rc;
}

static json_t *
share_json(const struct sc_share *s)
{
	switch (s->kind) {
	case SC_SHARE_SQRT:
		return json_string("sqrt");
	case SC_SHARE_LOG2:
		return json_string("log2");
	case SC_SHARE_FRAC:
		return json_real(s->value);
	default:
		return json_integer((json_int_t)s->value);
	}
}

static json_t *
str_or_null(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}

static json_t *
num_or_null(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static json_t *
header_json(const struct sc_forest *f, const struct sc_model_meta *m)
{
	const struct sc_forest_params *p = &f->p;
	json_t *o = json_object(), *feat = json_array(), *imp = json_object();
	json_t *par, *tr;
	size_t j;

	for (j = 0; j < f->nfeat; j++) {
		json_array_append_new(feat, json_string(f->feat[j]));
		json_object_set_new(imp, f->feat[j], json_real(f->imp[j]));
	}
	par = json_pack("{s:i, s:o, s:o, s:I, s:o, s:b, s:o, s:I}", "trees",
	    p->trees, "max_depth",
	    p->max_depth > 0 ? json_integer(p->max_depth) : json_null(),
	    "min_samples_split", share_json(&p->min_samples_split),
	    "min_samples_leaf", (json_int_t)p->min_samples_leaf, "max_features",
	    share_json(&p->max_features), "bootstrap", p->bootstrap,
	    "max_samples",
	    p->bootstrap ? share_json(&p->max_samples) : json_null(), "seed",
	    (json_int_t)p->seed);
	tr = json_pack("{s:I, s:o, s:o, s:o}", "rows", (json_int_t)m->rows,
	    "date_from", str_or_null(m->date_from), "date_to",
	    str_or_null(m->date_to), "sha256", str_or_null(m->sha256));
	/* Only when set, so models fitted without it keep their bytes. */
	if (p->interval_grid > 0)
		json_object_set_new(par, "interval_grid",
		    json_integer((json_int_t)p->interval_grid));
	if (p->bag_ranks)
		json_object_set_new(par, "leaf_ranks", json_string("bag"));
	if (p->oob_rows > 0)
		json_object_set_new(par, "oob_rows",
		    json_integer((json_int_t)p->oob_rows));
	json_object_set_new(o, "format", json_string("sc-forest"));
	json_object_set_new(o, "version", json_integer(SC_MODEL_VERSION));
	json_object_set_new(o, "features", feat);
	json_object_set_new(o, "target", json_string(f->target));
	json_object_set_new(o, "params", par);
	json_object_set_new(o, "training", tr);
	json_object_set_new(o, "oob_rmse", num_or_null(f->oob));
	json_object_set_new(o, "importances", imp);
	return o;
}

/* Add the members of extra the format does not own; -1 out of memory. */
static int
add_extra(json_t *o, const json_t *extra)
{
	const char *k;
	json_t *v;

	if (extra == NULL || !json_is_object(extra))
		return 0;
	json_object_foreach((json_t *)extra, k, v)
	{
		if (!sc_model_known(k) && json_object_set(o, k, v) == -1)
			return -1;
	}
	return 0;
}

json_t *
sc_model_header(const struct sc_forest *f, const struct sc_model_meta *m,
    const json_t *extra)
{
	json_t *o = header_json(f, m);

	if (o != NULL && add_extra(o, extra) == -1) {
		json_decref(o);
		return NULL;
	}
	return o;
}

int
sc_model_write(FILE *fp, const struct sc_forest *f,
    const struct sc_model_meta *m, const json_t *extra, int threads,
    struct sc_err *e)
{
	json_t *o;
	struct tbuf b = { NULL, 0, 0, 0 };
	char *head = NULL;
	size_t len;
	int rc = -1;

	if (!sc_forest_writable(f))
		return sc_err_set(e, SC_EUSAGE, 0,
		    "model read for predicting only: cannot be written");
	o = sc_model_header(f, m, extra);

	if (o == NULL ||
	    (head = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(17))) ==
	        NULL) {
		sc_err_set(e, SC_EOS, 0, "out of memory");
		goto out;
	}
	len = strlen(head);
	tb_reals(&b, ",\"targets\":[", f->ytab, f->ny);
	if (b.oom) {
		sc_err_set(e, SC_EOS, 0, "out of memory");
		goto out;
	}
	/* The header without its closing brace, then the big arrays. */
	if (fwrite(head, 1, len - 1, fp) != len - 1 ||
	    fwrite(b.p, 1, b.n, fp) != b.n ||
	    fputs(",\"trees\":[", fp) == EOF) {
		sc_err_set(e, SC_EIO, 0, "write failed");
		goto out;
	}
	if (write_trees(fp, f, threads, e) == -1)
		goto out;
	if (fputs("]}\n", fp) == EOF || ferror(fp)) {
		sc_err_set(e, SC_EIO, 0, "write failed");
		goto out;
	}
	rc = 0;
out:
	free(b.p);
	free(head);
	json_decref(o);
	return rc;
}

int
sc_model_form_parse(const char *s, enum sc_model_form *out, struct sc_err *e)
{
	if (strcmp(s, "json") == 0)
		*out = SC_MODEL_JSON;
	else if (strcmp(s, "binary") == 0)
		*out = SC_MODEL_BINARY;
	else
		return sc_err_set(e, SC_EUSAGE, 0, "%.40s: want json or binary",
		    s);
	return 0;
}

int
sc_model_write_form(FILE *fp, enum sc_model_form form,
    const struct sc_forest *f, const struct sc_model_meta *m,
    const json_t *extra, int threads, struct sc_err *e)
{
	if (form == SC_MODEL_BINARY)
		return sc_model_write_binary(fp, f, m, extra, e);
	return sc_model_write(fp, f, m, extra, threads, e);
}

void
sc_model_free(struct sc_model *m)
{
	if (m == NULL)
		return;
	sc_forest_free(m->f);
	free(m->from);
	free(m->to);
	free(m->sha);
	json_decref(m->extra);
	free(m);
}

const struct sc_forest *
sc_model_forest(const struct sc_model *m)
{
	return m->f;
}

const struct sc_model_meta *
sc_model_meta(const struct sc_model *m)
{
	return &m->meta;
}

json_t *
sc_model_extra(const struct sc_model *m)
{
	return m->extra;
}

json_t *
sc_model_head(const struct sc_model *m)
{
	return sc_model_header(m->f, &m->meta, m->extra);
}

int
sc_model_is_binary(const void *p, size_t n)
{
	return n >= SC_MODEL_MAGIC_LEN &&
	    memcmp(p, SC_MODEL_MAGIC, SC_MODEL_MAGIC_LEN) == 0;
}
