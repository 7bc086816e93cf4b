/* SPDX-License-Identifier: ISC */
/*
 * Model file writer and reader.  Doubles in the tree arrays are written
 * with "%.17g", which reads back to the same double; integers with a
 * small converter.  Trees are formatted into per-thread buffers a batch at
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

static const char *const known[] = { "format", "version", "features", "target",
	"params", "training", "oob_rmse", "importances", "targets", "trees",
	NULL };

struct sc_model {
	struct sc_forest *f;
	struct sc_model_meta meta;
	char *from, *to, *sha;
	json_t *extra;
};

static int
is_known(const char *k)
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
	if (b->n + need > b->cap) {
		size_t cap = b->cap ? b->cap : 65536;
		char *p;

		while (cap < b->n + need)
			cap *= 2;
		if ((p = realloc(b->p, cap)) == NULL) {
			b->oom = 1;
			return NULL;
		}
		b->p = p;
		b->cap = cap;
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

static const uint64_t pow10[23] = { 1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL,
	100000ULL, 1000000ULL, 10000000ULL, 100000000ULL, 1000000000ULL,
	10000000000ULL, 100000000000ULL, 1000000000000ULL, 10000000000000ULL,
	100000000000000ULL, 1000000000000000ULL, 10000000000000000ULL,
	100000000000000000ULL, 1000000000000000000ULL, 10000000000000000000ULL,
	0, 0, 0 };

/* 10^k as a 128-bit integer, k <= 22. */
static unsigned __int128
p10(int k)
{
	return k <= 19 ? (unsigned __int128)pow10[k]
	               : (unsigned __int128)pow10[19] * pow10[k - 19];
}

/*
 * The 17 significant digits of |v| correctly rounded, as printf("%.17g")
 * finds them, by exact 128-bit arithmetic: v = m 2^e, so the digits are
 * m 10^k / 2^-e rounded half to even.  Handles 1e-6 <= |v| < 2^52 (prices,
 * returns, thresholds); returns 0 for the rest, which go to snprintf.
 */
static int
digits17(double v, uint64_t *q17, int *x10)
{
	uint64_t bits, m;
	unsigned __int128 p, q, rem, half;
	int e, k, x, tries;

	memcpy(&bits, &v, sizeof(bits));
	e = (int)((bits >> 52) & 0x7ff);
	if (e == 0 || e == 0x7ff)
		return 0;
	m = (bits & ((1ULL << 52) - 1)) | (1ULL << 52);
	e -= 1075;
	if (e >= 0 || e < -126)
		return 0;
	x = (int)floor(log10(fabs(v)));
	for (tries = 0; tries < 3; tries++) {
		if ((k = 16 - x) < 0 || k > 22)
			return 0;
		p = (unsigned __int128)m * p10(k);
		q = p >> -e;
		/* The exponent goes by the value before rounding. */
		if (q >= pow10[17]) {
			x++;
			continue;
		}
		if (q < pow10[16]) {
			x--;
			continue;
		}
		rem = p - (q << -e);
		half = (unsigned __int128)1 << (-e - 1);
		if (rem > half || (rem == half && (q & 1)))
			q++;
		if (q == pow10[17]) { /* 99...9.5 rounds up to 10...0 */
			q = pow10[16];
			x++;
		}
		*q17 = (uint64_t)q;
		*x10 = x;
		return 1;
	}
	return 0;
}

/* Write v as "%.17g" does into d (>= 32 bytes); returns the length. */
static int
fmt17(double v, char *d)
{
	char dig[18];
	uint64_t q;
	int x, n = 0, i, last;

	if (!digits17(v, &q, &x))
		return snprintf(d, 30, "%.17g", v);
	for (i = 16; i >= 0; i--, q /= 10)
		dig[i] = (char)('0' + q % 10);
	for (last = 16; last > 0 && dig[last] == '0'; last--)
		;
	if (v < 0)
		d[n++] = '-';
	if (x < -4) {
		d[n++] = dig[0];
		if (last > 0)
			d[n++] = '.';
		for (i = 1; i <= last; i++)
			d[n++] = dig[i];
		return n + sprintf(d + n, "e-%02d", -x);
	}
	if (x < 0) {
		d[n++] = '0';
		d[n++] = '.';
		for (i = -1; i > x; i--)
			d[n++] = '0';
		for (i = 0; i <= last; i++)
			d[n++] = dig[i];
		return n;
	}
	for (i = 0; i <= x; i++)
		d[n++] = dig[i];
	if (last > x)
		d[n++] = '.';
	for (i = x + 1; i <= last; i++)
		d[n++] = dig[i];
	return n;
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
	n = fmt17(v, d);
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
	int nt = forest_threads(threads);
	struct tbuf *buf = calloc((size_t)nt, sizeof(*buf));
	struct wjob j = { f, 0, buf };
	size_t k, batch;
	int rc = 0;

	if (buf == NULL)
		return sc_err_set(e, SC_EOS, 0, "out of memory");
	for (j.first = 0; rc == 0 && j.first < f->ntrees; j.first += batch) {
		batch = f->ntrees - j.first < (size_t)nt ? f->ntrees - j.first
		                                         : (size_t)nt;
		if ((rc = forest_parallel(nt, batch, format_job, &j, e)) == -1)
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
	json_object_foreach((json_t *)extra, k,
	    v) if (!is_known(k) && json_object_set(o, k, v) == -1) return -1;
	return 0;
}

int
sc_model_write(FILE *fp, const struct sc_forest *f,
    const struct sc_model_meta *m, const json_t *extra, int threads,
    struct sc_err *e)
{
	json_t *o = header_json(f, m);
	struct tbuf b = { NULL, 0, 0, 0 };
	char *head = NULL;
	size_t len;
	int rc = -1;

	if (o == NULL || add_extra(o, extra) == -1 ||
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

/* Reading: every accessor checks the type and names what is wrong. */

static int
bad(struct sc_err *e, const char *what, const char *why)
{
	return sc_err_set(e, SC_EDATA, 0, "model: %s: %s", what, why);
}

static int
get_share(json_t *v, int names, long min, struct sc_share *s, const char *what,
    struct sc_err *e)
{
	const char *str = json_string_value(v);

	if (names && str != NULL && strcmp(str, "sqrt") == 0)
		s->kind = SC_SHARE_SQRT;
	else if (names && str != NULL && strcmp(str, "log2") == 0)
		s->kind = SC_SHARE_LOG2;
	else if (json_is_integer(v) && json_integer_value(v) >= min &&
	    json_integer_value(v) <= 1000000000) {
		s->kind = SC_SHARE_COUNT;
		s->value = (double)json_integer_value(v);
	} else if (json_is_real(v) && json_real_value(v) > 0 &&
	    json_real_value(v) <= 1) {
		s->kind = SC_SHARE_FRAC;
		s->value = json_real_value(v);
	} else
		return bad(e, what, "want a count or a share in (0, 1]");
	return 0;
}

static int
get_int(json_t *o, const char *k, long long lo, long long hi, long long *out,
    struct sc_err *e)
{
	json_t *v = json_object_get(o, k);

	if (!json_is_integer(v) || json_integer_value(v) < lo ||
	    json_integer_value(v) > hi)
		return bad(e, k, "missing or not an integer in range");
	*out = json_integer_value(v);
	return 0;
}

static int
read_params(json_t *root, struct sc_forest_params *p, struct sc_err *e)
{
	json_t *o = json_object_get(root, "params"), *v;
	long long x;

	sc_forest_defaults(p);
	if (!json_is_object(o))
		return bad(e, "params", "missing or not an object");
	if (get_int(o, "trees", 1, 100000, &x, e) == -1)
		return -1;
	p->trees = (int)x;
	v = json_object_get(o, "max_depth");
	if (!json_is_null(v)) {
		if (get_int(o, "max_depth", 1, 100000, &x, e) == -1)
			return -1;
		p->max_depth = (int)x;
	}
	if (get_int(o, "min_samples_leaf", 1, 1000000000, &x, e) == -1)
		return -1;
	p->min_samples_leaf = (long)x;
	if (get_int(o, "seed", 0, INT64_MAX, &x, e) == -1)
		return -1;
	p->seed = (uint64_t)x;
	if (!json_is_boolean(v = json_object_get(o, "bootstrap")))
		return bad(e, "bootstrap", "missing or not true or false");
	p->bootstrap = json_is_true(v);
	if (get_share(json_object_get(o, "min_samples_split"), 0, 2,
	        &p->min_samples_split, "min_samples_split", e) == -1 ||
	    get_share(json_object_get(o, "max_features"), 1, 1,
	        &p->max_features, "max_features", e) == -1)
		return -1;
	v = json_object_get(o, "max_samples");
	if (p->bootstrap && !json_is_null(v) &&
	    get_share(v, 0, 1, &p->max_samples, "max_samples", e) == -1)
		return -1;
	return sc_forest_check(p, e) == -1 ? bad(e, "params", e->msg) : 0;
}

static int
get_optstr(json_t *o, const char *k, char **out, struct sc_err *e)
{
	json_t *v = json_object_get(o, k);

	*out = NULL;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v) || json_string_length(v) > 256)
		return bad(e, k, "not a short string or null");
	if ((*out = strdup(json_string_value(v))) == NULL)
		return sc_err_set(e, SC_EOS, 0, "out of memory");
	return 0;
}

static int
read_training(json_t *root, struct sc_model *m, struct sc_err *e)
{
	json_t *o = json_object_get(root, "training");
	long long rows;
	size_t i;

	if (!json_is_object(o))
		return bad(e, "training", "missing or not an object");
	if (get_int(o, "rows", 0, INT64_MAX, &rows, e) == -1 ||
	    get_optstr(o, "date_from", &m->from, e) == -1 ||
	    get_optstr(o, "date_to", &m->to, e) == -1 ||
	    get_optstr(o, "sha256", &m->sha, e) == -1)
		return -1;
	if (m->sha != NULL) {
		for (i = 0; m->sha[i] != '\0'; i++)
			if (strchr("0123456789abcdef", m->sha[i]) == NULL)
				break;
		if (i != 64 || m->sha[i] != '\0')
			return bad(e, "sha256", "want 64 lowercase hex digits");
	}
	m->meta.rows = (size_t)rows;
	m->meta.date_from = m->from;
	m->meta.date_to = m->to;
	m->meta.sha256 = m->sha;
	return 0;
}

/* A JSON array of at most max numbers (ints: integers in [lo, hi]). */
static json_t *
get_array(json_t *o, const char *k, size_t ti, size_t max, struct sc_err *e)
{
	json_t *a = json_object_get(o, k);

	if (!json_is_array(a) || json_array_size(a) > max) {
		sc_err_set(e, SC_EDATA, 0,
		    "model: tree %zu: %s: missing, not "
		    "an array or too long",
		    ti, k);
		return NULL;
	}
	return a;
}

static int
to_ints(json_t *a, const char *k, size_t ti, long long lo, long long hi,
    int32_t *s, uint32_t *u, struct sc_err *e)
{
	size_t i, n = json_array_size(a);
	json_t *v;
	long long x;

	for (i = 0; i < n; i++) {
		v = json_array_get(a, i);
		if (!json_is_integer(v) || (x = json_integer_value(v)) < lo ||
		    x > hi)
			return sc_err_set(e, SC_EDATA, 0,
			    "model: tree %zu: "
			    "%s[%zu]: not an integer in range",
			    ti, k, i);
		if (s != NULL)
			s[i] = (int32_t)x;
		else
			u[i] = (uint32_t)x;
	}
	return 0;
}

static int
to_reals(json_t *a, const char *k, size_t ti, double *d, struct sc_err *e)
{
	size_t i, n = json_array_size(a);
	json_t *v;

	for (i = 0; i < n; i++) {
		v = json_array_get(a, i);
		if (!json_is_number(v) || !isfinite(json_number_value(v)))
			return sc_err_set(e, SC_EDATA, 0,
			    "model: tree %zu: "
			    "%s[%zu]: not a finite number",
			    ti, k, i);
		d[i] = json_number_value(v);
	}
	return 0;
}

struct tarr {
	int32_t *feature, *left, *right;
	double *threshold, *value;
	uint32_t *count, *rank;
};

static void
tarr_free(struct tarr *a)
{
	free(a->feature);
	free(a->left);
	free(a->right);
	free(a->threshold);
	free(a->value);
	free(a->count);
	free(a->rank);
}

static int
read_tree(json_t *o, size_t ti, size_t *budget, struct tarr *a,
    struct sc_forest_tree *t, struct sc_err *e)
{
	json_t *fe, *th, *le, *ri, *va, *co, *ra;
	size_t n;

	if (!json_is_object(o))
		return sc_err_set(e, SC_EDATA, 0,
		    "model: tree %zu: not an "
		    "object",
		    ti);
	if ((fe = get_array(o, "feature", ti, budget[0], e)) == NULL)
		return -1;
	n = json_array_size(fe);
	if ((th = get_array(o, "threshold", ti, n, e)) == NULL ||
	    (le = get_array(o, "left", ti, n, e)) == NULL ||
	    (ri = get_array(o, "right", ti, n, e)) == NULL ||
	    (va = get_array(o, "value", ti, n, e)) == NULL ||
	    (co = get_array(o, "count", ti, n, e)) == NULL ||
	    (ra = get_array(o, "rank", ti, budget[1], e)) == NULL)
		return -1;
	if (json_array_size(th) != n || json_array_size(le) != n ||
	    json_array_size(ri) != n || json_array_size(va) != n ||
	    json_array_size(co) != n)
		return sc_err_set(e, SC_EDATA, 0,
		    "model: tree %zu: arrays of "
		    "different lengths",
		    ti);
	budget[0] -= n;
	budget[1] -= json_array_size(ra);
	a->feature = malloc((n + 1) * sizeof(int32_t));
	a->left = malloc((n + 1) * sizeof(int32_t));
	a->right = malloc((n + 1) * sizeof(int32_t));
	a->threshold = malloc((n + 1) * sizeof(double));
	a->value = malloc((n + 1) * sizeof(double));
	a->count = malloc((n + 1) * sizeof(uint32_t));
	a->rank = malloc((json_array_size(ra) + 1) * sizeof(uint32_t));
	if (a->feature == NULL || a->left == NULL || a->right == NULL ||
	    a->threshold == NULL || a->value == NULL || a->count == NULL ||
	    a->rank == NULL)
		return sc_err_set(e, SC_EOS, 0, "out of memory");
	if (to_ints(fe, "feature", ti, -1, INT32_MAX, a->feature, NULL, e) ||
	    to_ints(le, "left", ti, -1, INT32_MAX, a->left, NULL, e) ||
	    to_ints(ri, "right", ti, -1, INT32_MAX, a->right, NULL, e) ||
	    to_ints(co, "count", ti, 0, UINT32_MAX, NULL, a->count, e) ||
	    to_ints(ra, "rank", ti, 0, UINT32_MAX, NULL, a->rank, e) ||
	    to_reals(th, "threshold", ti, a->threshold, e) ||
	    to_reals(va, "value", ti, a->value, e))
		return -1;
	t->nodes = n;
	t->feature = a->feature;
	t->threshold = a->threshold;
	t->left = a->left;
	t->right = a->right;
	t->value = a->value;
	t->count = a->count;
	t->nranks = json_array_size(ra);
	t->rank = a->rank;
	return 0;
}

static int
read_names(json_t *root, const char ***names, size_t *n, struct sc_err *e)
{
	json_t *a = json_object_get(root, "features"), *v;
	size_t i, j;

	if (!json_is_array(a) || json_array_size(a) == 0 ||
	    json_array_size(a) > 4096)
		return bad(e, "features", "missing, empty or too long");
	*n = json_array_size(a);
	if ((*names = calloc(*n, sizeof(**names))) == NULL)
		return sc_err_set(e, SC_EOS, 0, "out of memory");
	for (i = 0; i < *n; i++) {
		v = json_array_get(a, i);
		if (!json_is_string(v) || json_string_length(v) == 0 ||
		    json_string_length(v) > 256)
			return bad(e, "features", "want non-empty names");
		(*names)[i] = json_string_value(v);
		for (j = 0; j < i; j++)
			if (strcmp((*names)[j], (*names)[i]) == 0)
				return bad(e, "features", "a name twice");
	}
	return 0;
}

static int
read_numbers(json_t *root, const char **names, size_t nf, double **imp,
    double **ytab, size_t *ny, double *oob, struct sc_err *e)
{
	json_t *o = json_object_get(root, "importances"), *a, *v;
	size_t i;

	if (!json_is_object(o) || json_object_size(o) != nf)
		return bad(e, "importances", "want one number per feature");
	a = json_object_get(root, "targets");
	if (!json_is_array(a) || json_array_size(a) > SC_MODEL_MAXRANKS)
		return bad(e, "targets", "missing or not an array");
	*ny = json_array_size(a);
	*imp = malloc((nf + 1) * sizeof(double));
	*ytab = malloc((*ny + 1) * sizeof(double));
	if (*imp == NULL || *ytab == NULL)
		return sc_err_set(e, SC_EOS, 0, "out of memory");
	for (i = 0; i < nf; i++) {
		if (!json_is_number(v = json_object_get(o, names[i])))
			return bad(e, "importances",
			    "want one number per "
			    "feature");
		(*imp)[i] = json_number_value(v);
	}
	for (i = 0; i < *ny; i++) {
		if (!json_is_number(v = json_array_get(a, i)))
			return bad(e, "targets", "want numbers");
		(*ytab)[i] = json_number_value(v);
	}
	v = json_object_get(root, "oob_rmse");
	if (json_is_null(v))
		*oob = NAN;
	else if (json_is_number(v))
		*oob = json_number_value(v);
	else
		return bad(e, "oob_rmse", "missing or not a number or null");
	return 0;
}

static int
check_head(json_t *root, struct sc_err *e)
{
	json_t *v;

	if (!json_is_object(root))
		return bad(e, "top level", "not an object");
	v = json_object_get(root, "format");
	if (!json_is_string(v) ||
	    strcmp(json_string_value(v), "sc-forest") != 0)
		return bad(e, "format", "not \"sc-forest\"");
	v = json_object_get(root, "version");
	if (!json_is_integer(v) || json_integer_value(v) != SC_MODEL_VERSION)
		return bad(e, "version",
		    "not 1 (a model from another release?)");
	if (!json_is_string(json_object_get(root, "target")))
		return bad(e, "target", "missing or not a string");
	return 0;
}

/* Build the forest from a checked header; trees read one at a time. */
static int
build(json_t *root, struct sc_model *m, struct sc_err *e)
{
	struct sc_forest_params p;
	const char **names = NULL;
	double *imp = NULL, *ytab = NULL, oob = NAN;
	size_t nf = 0, ny = 0, nt = 0, i,
	       budget[2] = { SC_MODEL_MAXNODES, SC_MODEL_MAXRANKS };
	json_t *trees = json_object_get(root, "trees");
	struct tarr *arr = NULL;
	struct sc_forest_tree *tv = NULL;
	int rc = -1;

	if (read_params(root, &p, e) == -1 || read_training(root, m, e) == -1 ||
	    read_names(root, &names, &nf, e) == -1 ||
	    read_numbers(root, names, nf, &imp, &ytab, &ny, &oob, e) == -1)
		goto out;
	if (!json_is_array(trees) ||
	    json_array_size(trees) != (size_t)p.trees) {
		bad(e, "trees", "missing, or not as many as params.trees");
		goto out;
	}
	nt = json_array_size(trees);
	arr = calloc(nt, sizeof(*arr));
	tv = calloc(nt, sizeof(*tv));
	if (arr == NULL || tv == NULL) {
		sc_err_set(e, SC_EOS, 0, "out of memory");
		goto out;
	}
	for (i = 0; i < nt; i++)
		if (read_tree(json_array_get(trees, i), i, budget, &arr[i],
		        &tv[i], e) == -1)
			goto out;
	m->f = sc_forest_assemble(&p, names, nf,
	    json_string_value(json_object_get(root, "target")), ytab, ny, oob,
	    imp, tv, nt, e);
	if (m->f == NULL && e->code == SC_EDATA)
		sc_err_prefix(e, "model");
	rc = m->f == NULL ? -1 : 0;
out:
	for (i = 0; arr != NULL && i < nt; i++)
		tarr_free(&arr[i]);
	free(arr);
	free(tv);
	free(names);
	free(imp);
	free(ytab);
	return rc;
}

static int
keep_extra(json_t *root, struct sc_model *m, struct sc_err *e)
{
	const char *k;
	json_t *v;

	if ((m->extra = json_object()) == NULL)
		return sc_err_set(e, SC_EOS, 0, "out of memory");
	json_object_foreach(root, k, v) if (!is_known(k) &&
	    json_object_set(m->extra, k, v) == -1) return sc_err_set(e, SC_EOS,
	    0, "out of memory");
	return 0;
}

struct sc_model *
sc_model_read(FILE *fp, struct sc_err *e)
{
	struct sc_buf b = { NULL, 0, 0, SC_MODEL_MAXBYTES };
	struct sc_model *m;
	json_error_t je;
	json_t *root = NULL;
	int rc = -1;

	if ((m = calloc(1, sizeof(*m))) == NULL) {
		sc_err_set(e, SC_EOS, 0, "out of memory");
		return NULL;
	}
	if (sc_buf_read(&b, fp, "model", e) == -1)
		goto out;
	root = json_loadb(b.data != NULL ? b.data : "", b.len,
	    JSON_REJECT_DUPLICATES, &je);
	sc_buf_free(&b);
	if (root == NULL) {
		sc_err_set(e, SC_EDATA, je.line > 0 ? je.line : 0,
		    "model: not JSON: column %d: %s", je.column, je.text);
		goto out;
	}
	if (check_head(root, e) == -1 || build(root, m, e) == -1 ||
	    keep_extra(root, m, e) == -1)
		goto out;
	rc = 0;
out:
	json_decref(root);
	if (rc == -1) {
		sc_model_free(m);
		return NULL;
	}
	return m;
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
