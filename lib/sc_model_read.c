/* SPDX-License-Identifier: ISC */
/*
 * Model file reader.  A forest holds millions of numbers, and a jansson
 * value per number would cost gigabytes and many seconds, so the reader
 * scans the JSON itself: the big arrays ("targets" and the trees) go
 * straight into C arrays, checked as they are read, and every other
 * top-level member (the small header and members other tools add) is
 * handed to jansson as its own piece of text.  Then the header is
 * validated and the forest assembled, which validates every tree.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sc_buf.h"
#include "sc_calib.h"
#include "sc_forest_int.h"
#include "sc_hash.h"
#include "sc_model.h"
#include "sc_model_int.h"

#define MAX_DEPTH 64

/* Reading the header: every accessor checks the type and names what is wrong. */

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
	if (json_object_get(o, "interval_grid") != NULL) {
		if (get_int(o, "interval_grid", 16, 16777216, &x, e) == -1)
			return -1;
		p->interval_grid = (long)x;
	}
	if ((v = json_object_get(o, "leaf_ranks")) != NULL) {
		if (!json_is_string(v) ||
		    (strcmp(json_string_value(v), "bag") != 0 &&
		        strcmp(json_string_value(v), "all") != 0))
			return bad(e, "leaf_ranks", "want \"all\" or \"bag\"");
		p->bag_ranks = strcmp(json_string_value(v), "bag") == 0;
	}
	if (json_object_get(o, "oob_rows") != NULL) {
		if (get_int(o, "oob_rows", 1, 1000000000, &x, e) == -1)
			return -1;
		p->oob_rows = (long)x;
	}
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

/* The JSON scanner: a cursor over the whole file (NUL-terminated). */
struct jp {
	const char *buf, *p, *end;
	struct sc_err *e;
};

static int
syntax(struct jp *j, const char *what)
{
	const char *q, *ls = j->buf;
	long line = 1;

	for (q = j->buf; q < j->p; q++)
		if (*q == '\n') {
			line++;
			ls = q + 1;
		}
	return sc_err_set(j->e, SC_EDATA, line,
	    "model: not JSON: column %ld: %s", (long)(j->p - ls) + 1, what);
}

static void
skip_ws(struct jp *j)
{
	while (j->p < j->end &&
	    (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

static int
eat(struct jp *j, char c)
{
	skip_ws(j);
	if (j->p < j->end && *j->p == c) {
		j->p++;
		return 1;
	}
	return 0;
}

static int
want(struct jp *j, char c)
{
	char what[24];

	if (eat(j, c))
		return 0;
	snprintf(what, sizeof(what), "'%c' expected", c);
	return syntax(j, j->p < j->end ? what : "unexpected end of input");
}

/* A string's raw contents (escapes left as they are) in *s, *n. */
static int
scan_string(struct jp *j, const char **s, size_t *n)
{
	skip_ws(j);
	if (j->p >= j->end || *j->p != '"')
		return syntax(j, "string expected");
	*s = ++j->p;
	while (j->p < j->end && *j->p != '"') {
		if ((unsigned char)*j->p < 0x20)
			return syntax(j, "control character in a string");
		if (*j->p == '\\')
			j->p++;
		j->p++;
	}
	if (j->p >= j->end)
		return syntax(j, "unterminated string");
	*n = (size_t)(j->p++ - *s);
	return 0;
}

static int
digits(struct jp *j)
{
	const char *s = j->p;

	while (j->p < j->end && isdigit((unsigned char)*j->p))
		j->p++;
	return j->p > s;
}

/* A number by JSON's grammar; *isint when it has no fraction or exponent. */
static int
scan_number(struct jp *j, const char **s, int *isint)
{
	skip_ws(j);
	*s = j->p;
	*isint = 1;
	if (j->p < j->end && *j->p == '-')
		j->p++;
	if (j->p < j->end && *j->p == '0')
		j->p++;
	else if (!digits(j))
		return syntax(j, "number expected");
	if (j->p < j->end && *j->p == '.') {
		j->p++;
		*isint = 0;
		if (!digits(j))
			return syntax(j, "digit expected");
	}
	if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
		j->p++;
		*isint = 0;
		if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
			j->p++;
		if (!digits(j))
			return syntax(j, "digit expected");
	}
	if (j->p < j->end && (isalnum((unsigned char)*j->p) || *j->p == '.'))
		return syntax(j, "bad number"); /* "01", "1x", "1.2.3" */
	return 0;
}

static int
scan_literal(struct jp *j, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(j->end - j->p) < n || memcmp(j->p, lit, n) != 0)
		return syntax(j, "value expected");
	j->p += n;
	return 0;
}

/*
 * The key s (n raw bytes) in buf: as it is, or decoded by jansson when it
 * has escapes.  A key too long for buf is cut (it matches nothing).
 */
static int
key_text(struct jp *j, const char *s, size_t n, char *buf, size_t size)
{
	json_error_t je;
	json_t *k;

	if (memchr(s, '\\', n) == NULL) {
		snprintf(buf, size, "%.*s", (int)n, s);
		return 0;
	}
	if ((k = json_loadb(s - 1, n + 2, JSON_DECODE_ANY, &je)) == NULL)
		return syntax(j, je.text);
	snprintf(buf, size, "%s", json_string_value(k));
	json_decref(k);
	return 0;
}

/* Skip one value of any kind, nested at most MAX_DEPTH deep. */
static int
skip_value(struct jp *j, int depth)
{
	const char *s;
	size_t n;
	int isint;

	skip_ws(j);
	if (depth > MAX_DEPTH)
		return syntax(j, "nested too deep");
	if (j->p >= j->end)
		return syntax(j, "unexpected end of input");
	switch (*j->p) {
	case '"':
		return scan_string(j, &s, &n);
	case '{':
		j->p++;
		if (eat(j, '}'))
			return 0;
		do
			if (scan_string(j, &s, &n) == -1 ||
			    want(j, ':') == -1 ||
			    skip_value(j, depth + 1) == -1)
				return -1;
		while (eat(j, ','));
		return want(j, '}');
	case '[':
		j->p++;
		if (eat(j, ']'))
			return 0;
		do
			if (skip_value(j, depth + 1) == -1)
				return -1;
		while (eat(j, ','));
		return want(j, ']');
	case 't':
		return scan_literal(j, "true");
	case 'f':
		return scan_literal(j, "false");
	case 'n':
		return scan_literal(j, "null");
	default:
		return scan_number(j, &s, &isint);
	}
}

/* Make room for one more element of size sz in *v (n used, *cap room). */
static int
grow(void *pv, size_t n, size_t *cap, size_t sz)
{
	return sc_buf_grow(pv, cap, n + 1, sz, NULL);
}

/* Non-zero when the next token starts a number. */
static int
number_next(struct jp *j)
{
	skip_ws(j);
	return j->p < j->end && (*j->p == '-' || isdigit((unsigned char)*j->p));
}

/* The integer in s..end (JSON integer grammar already checked). */
static int
to_int(const char *s, const char *end, long long lo, long long hi,
    long long *out)
{
	int neg = *s == '-';
	unsigned long long v = 0, lim;

	lim = neg ? 0ULL - (unsigned long long)lo : (unsigned long long)hi;
	for (s += neg; s < end; s++) {
		v = v * 10 + (unsigned long long)(*s - '0');
		if (v > lim)
			return -1;
	}
	*out = neg ? -(long long)v : (long long)v;
	return lo < 0 || !neg || v == 0 ? 0 : -1;
}

/*
 * An array of integers in [lo, hi] into *out (int32_t when is_signed,
 * else uint32_t), at most max of them; where names it in messages.
 */
static int
parse_ints(struct jp *j, const char *where, long long lo, long long hi,
    int is_signed, void **out, size_t *n, size_t max)
{
	size_t cap = 0;
	const char *s;
	long long v;
	int isint;

	*n = 0;
	if (want(j, '[') == -1)
		return -1;
	if (eat(j, ']'))
		return 0;
	do {
		if (!number_next(j))
			return sc_err_set(j->e, SC_EDATA, 0,
			    "model: %s[%zu]: "
			    "not a number",
			    where, *n);
		if (scan_number(j, &s, &isint) == -1)
			return -1;
		if (!isint || to_int(s, j->p, lo, hi, &v) == -1)
			return sc_err_set(j->e, SC_EDATA, 0,
			    "model: %s[%zu]: "
			    "not an integer in range",
			    where, *n);
		if (*n == max)
			return sc_err_set(j->e, SC_EDATA, 0,
			    "model: %s: too long", where);
		if (grow(out, *n, &cap, 4) == -1)
			return sc_err_set(j->e, SC_EOS, 0, "out of memory");
		if (is_signed)
			((int32_t *)*out)[(*n)++] = (int32_t)v;
		else
			((uint32_t *)*out)[(*n)++] = (uint32_t)v;
	} while (eat(j, ','));
	return want(j, ']');
}

/* An array of finite numbers into *out, at most max of them. */
static int
parse_reals(struct jp *j, const char *where, double **out, size_t *n,
    size_t max)
{
	size_t cap = 0;
	const char *s;
	char *end;
	double v;
	int isint;

	*n = 0;
	if (want(j, '[') == -1)
		return -1;
	if (eat(j, ']'))
		return 0;
	do {
		if (!number_next(j))
			return sc_err_set(j->e, SC_EDATA, 0,
			    "model: %s[%zu]: "
			    "not a number",
			    where, *n);
		if (scan_number(j, &s, &isint) == -1)
			return -1;
		v = strtod(s, &end);
		if (end != j->p || !isfinite(v))
			return sc_err_set(j->e, SC_EDATA, 0,
			    "model: %s[%zu]: "
			    "not a finite number",
			    where, *n);
		if (*n == max)
			return sc_err_set(j->e, SC_EDATA, 0,
			    "model: %s: too long", where);
		if (grow(out, *n, &cap, sizeof(double)) == -1)
			return sc_err_set(j->e, SC_EOS, 0, "out of memory");
		(*out)[(*n)++] = v;
	} while (eat(j, ','));
	return want(j, ']');
}

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
	free(a->tidx);
	sc_forest_packed_free(a->packed);
}

static const char *const tkeys[] = { "feature", "threshold", "left", "right",
	"value", "count", "rank" };

/* Member k of a tree object (an index into tkeys) into a. */
static int
parse_member(struct jp *j, struct tarr *a, int k, const char *where,
    size_t *budget)
{
	size_t max = k == 6 ? budget[1] : budget[0];

	switch (k) {
	case 0:
		return parse_ints(j, where, -1, INT32_MAX, 1,
		    (void **)&a->feature, &a->n[k], max);
	case 1:
		return parse_reals(j, where, &a->threshold, &a->n[k], max);
	case 2:
		return parse_ints(j, where, -1, INT32_MAX, 1, (void **)&a->left,
		    &a->n[k], max);
	case 3:
		return parse_ints(j, where, -1, INT32_MAX, 1,
		    (void **)&a->right, &a->n[k], max);
	case 4:
		return parse_reals(j, where, &a->value, &a->n[k], max);
	case 5:
		return parse_ints(j, where, 0, UINT32_MAX, 0,
		    (void **)&a->count, &a->n[k], max);
	default:
		return parse_ints(j, where, 0, UINT32_MAX, 0, (void **)&a->rank,
		    &a->n[k], max);
	}
}

/* One tree object; budget holds the nodes and ranks still allowed. */
static int
parse_tree(struct jp *j, size_t ti, struct tarr *a, size_t *budget)
{
	unsigned seen = 0;
	const char *s;
	char where[48], key[16];
	size_t n;
	int k;

	if (want(j, '{') == -1)
		return -1;
	if (!eat(j, '}'))
		do {
			if (scan_string(j, &s, &n) == -1 ||
			    key_text(j, s, n, key, sizeof(key)) == -1 ||
			    want(j, ':') == -1)
				return -1;
			for (k = 0; k < 7; k++)
				if (strcmp(tkeys[k], key) == 0)
					break;
			if (k == 7) {
				if (skip_value(j, 1) == -1)
					return -1;
				continue;
			}
			if (seen & (1U << k))
				return sc_err_set(j->e, SC_EDATA, 0,
				    "model: tree "
				    "%zu: %s twice",
				    ti, tkeys[k]);
			seen |= 1U << k;
			snprintf(where, sizeof(where), "tree %zu: %s", ti,
			    tkeys[k]);
			if (parse_member(j, a, k, where, budget) == -1)
				return -1;
		} while (eat(j, ','));
	else
		return sc_err_set(j->e, SC_EDATA, 0, "model: tree %zu: empty",
		    ti);
	if (seen != 0x7f || want(j, '}') == -1)
		return seen != 0x7f ? sc_err_set(j->e, SC_EDATA, 0,
		                          "model: "
		                          "tree %zu: an array is missing",
		                          ti)
		                    : -1;
	for (k = 1; k < 6; k++)
		if (a->n[k] != a->n[0])
			return sc_err_set(j->e, SC_EDATA, 0,
			    "model: tree %zu: "
			    "arrays of different lengths",
			    ti);
	budget[0] -= a->n[0];
	budget[1] -= a->n[6];
	return 0;
}

void
sc_model_parsed_free(struct parsed *P)
{
	size_t i;

	for (i = 0; i < P->ntrees; i++)
		tarr_free(&P->trees[i]);
	free(P->trees);
	free(P->ytab);
	free(P->thr);
	free(P->toff);
	sc_slab_free(P->slab);
	json_decref(P->root);
}

static int
parse_trees(struct jp *j, struct parsed *P)
{
	size_t budget[2] = { SC_MODEL_MAXNODES, SC_MODEL_MAXRANKS };

	if (want(j, '[') == -1)
		return -1;
	if (eat(j, ']'))
		return 0;
	do {
		if (P->ntrees == 100000)
			return sc_err_set(j->e, SC_EDATA, 0,
			    "model: trees: more than 100000");
		if (grow(&P->trees, P->ntrees, &P->tcap, sizeof(*P->trees)) ==
		    -1)
			return sc_err_set(j->e, SC_EOS, 0, "out of memory");
		memset(&P->trees[P->ntrees], 0, sizeof(*P->trees));
		P->ntrees++;
		if (parse_tree(j, P->ntrees - 1, &P->trees[P->ntrees - 1],
		        budget) == -1)
			return -1;
	} while (eat(j, ','));
	return want(j, ']');
}

/* A member other than the big arrays: its text goes through jansson. */
static int
parse_small(struct jp *j, struct parsed *P, const char *key, size_t klen)
{
	json_error_t je;
	json_t *k, *v;
	const char *s;
	int rc;

	/* The key too, so that escapes in it are decoded as JSON says. */
	k = json_loadb(key - 1, klen + 2, JSON_DECODE_ANY, &je);
	skip_ws(j);
	s = j->p;
	if (k == NULL || skip_value(j, 1) == -1) {
		json_decref(k);
		return k == NULL ? syntax(j, je.text) : -1;
	}
	v = json_loadb(s, (size_t)(j->p - s),
	    JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &je);
	if (v == NULL) {
		json_decref(k);
		j->p = s + (je.position > 0 ? je.position - 1 : 0);
		return syntax(j, je.text);
	}
	if (json_object_get(P->root, json_string_value(k)) != NULL)
		rc = sc_err_set(j->e, SC_EDATA, 0, "model: %.64s: given twice",
		    json_string_value(k));
	else
		rc = json_object_set_new(P->root, json_string_value(k), v) == -1
		    ? sc_err_set(j->e, SC_EOS, 0, "out of memory")
		    : 0;
	if (rc == -1)
		json_decref(v);
	json_decref(k);
	return rc;
}

static int
parse_member_top(struct jp *j, struct parsed *P)
{
	const char *key;
	char name[16];
	size_t n;

	if (scan_string(j, &key, &n) == -1 ||
	    key_text(j, key, n, name, sizeof(name)) == -1 || want(j, ':') == -1)
		return -1;
	if (strcmp(name, "trees") == 0) {
		if (P->have_trees++)
			return sc_err_set(j->e, SC_EDATA, 0,
			    "model: trees: given twice");
		return parse_trees(j, P);
	}
	if (strcmp(name, "targets") == 0) {
		if (P->have_targets++)
			return sc_err_set(j->e, SC_EDATA, 0,
			    "model: targets: given twice");
		return parse_reals(j, "targets", &P->ytab, &P->ny,
		    SC_MODEL_MAXRANKS);
	}
	return parse_small(j, P, key, n);
}

/* Scan the whole text: one object, nothing after it. */
static int
parse(const char *text, size_t len, struct parsed *P, struct sc_err *e)
{
	struct jp j = { text, text, text + len, e };

	if ((P->root = json_object()) == NULL)
		return sc_err_set(e, SC_EOS, 0, "out of memory");
	if (want(&j, '{') == -1)
		return -1;
	if (!eat(&j, '}')) {
		do
			if (parse_member_top(&j, P) == -1)
				return -1;
		while (eat(&j, ','));
		if (want(&j, '}') == -1)
			return -1;
	}
	skip_ws(&j);
	if (j.p != j.end)
		return syntax(&j, "text after the model");
	return 0;
}

static int
read_numbers(json_t *root, const char **names, size_t nf, double **imp,
    double *oob, struct sc_err *e)
{
	json_t *o = json_object_get(root, "importances"), *v;
	size_t i;

	if (!json_is_object(o) || json_object_size(o) != nf)
		return bad(e, "importances", "want one number per feature");
	if ((*imp = malloc((nf + 1) * sizeof(double))) == NULL)
		return sc_err_set(e, SC_EOS, 0, "out of memory");
	for (i = 0; i < nf; i++) {
		if (!json_is_number(v = json_object_get(o, names[i])))
			return bad(e, "importances",
			    "want one number per feature");
		(*imp)[i] = json_number_value(v);
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
build(struct parsed *P, struct sc_model *m, struct sc_err *e)
{
	struct sc_forest_params p;
	struct sc_forest_tree *tv = NULL;
	uint32_t **tidx = NULL;
	struct tree **packed = NULL;
	char *checked = NULL;
	const char **names = NULL;
	double *imp = NULL, oob = NAN;
	size_t nf = 0, i;
	int rc = -1;

	if (check_head(P->root, e) == -1 || read_params(P->root, &p, e) == -1 ||
	    read_training(P->root, m, e) == -1 ||
	    read_names(P->root, &names, &nf, e) == -1 ||
	    read_numbers(P->root, names, nf, &imp, &oob, e) == -1)
		goto out;
	if (!P->have_targets) {
		bad(e, "targets", "missing");
		goto out;
	}
	if (!P->have_trees || P->ntrees != (size_t)p.trees) {
		bad(e, "trees", "missing, or not as many as params.trees");
		goto out;
	}
	if ((tv = calloc(P->ntrees, sizeof(*tv))) == NULL ||
	    (tidx = calloc(P->ntrees, sizeof(*tidx))) == NULL ||
	    (packed = calloc(P->ntrees, sizeof(*packed))) == NULL ||
	    (checked = calloc(P->ntrees, 1)) == NULL) {
		sc_err_set(e, SC_EOS, 0, "out of memory");
		goto out;
	}
	for (i = 0; i < P->ntrees; i++) {
		struct tarr *a = &P->trees[i];

		tv[i].nodes = a->n[0];
		tv[i].feature = a->feature;
		tv[i].threshold = a->threshold;
		tv[i].left = a->left;
		tv[i].right = a->right;
		tv[i].value = a->value;
		tv[i].count = a->count;
		tv[i].nranks = a->n[6];
		tv[i].rank = a->rank;
		tidx[i] = a->tidx;
		checked[i] = (char)a->checked;
		packed[i] = a->packed;
	}
	/* The forest takes the arrays: no copy of a model's biggest part. */
	m->f = sc_forest_assemble_take(&p, names, nf,
	    json_string_value(json_object_get(P->root, "target")), P->ytab,
	    P->ny, oob, imp, tv, P->ntrees, P->thr, P->toff,
	    P->thr != NULL ? tidx : NULL, checked, packed, e);
	for (i = 0; i < P->ntrees; i++)
		memset(&P->trees[i], 0, sizeof(P->trees[i]));
	P->thr = NULL;
	P->toff = NULL;
	if (m->f != NULL) { /* the trees' walking arrays may be in it */
		m->f->slab = P->slab;
		P->slab = NULL;
	}
	if (m->f == NULL && e->code == SC_EDATA)
		sc_err_prefix(e, "model");
	rc = m->f == NULL ? -1 : 0;
out:
	free(tv);
	free(tidx);
	free(packed);
	free(checked);
	free(names);
	free(imp);
	return rc;
}

static int
keep_extra(json_t *root, struct sc_model *m, struct sc_err *e)
{
	struct sc_calib cal;
	const char *k;
	json_t *v;

	if ((m->extra = json_object()) == NULL)
		return sc_err_set(e, SC_EOS, 0, "out of memory");
	json_object_foreach(root, k, v)
	{
		if (!sc_model_known(k) && json_object_set(m->extra, k, v) == -1)
			return sc_err_set(e, SC_EOS, 0, "out of memory");
	}
	/* A tampered calibration would change every forecast: refuse it. */
	if (sc_calib_from_extra(m->extra, &cal, e) == -1) {
		sc_err_prefix(e, "model");
		return -1;
	}
	return 0;
}

int
sc_model_head_check(json_t *root, size_t *nfeat, size_t *ntrees,
    struct sc_err *e)
{
	struct sc_forest_params p;
	struct sc_model m;
	struct sc_calib cal;
	const char **names = NULL;
	double *imp = NULL, oob = NAN;
	size_t nf = 0, i;
	int rc = -1;

	memset(&m, 0, sizeof(m));
	if (check_head(root, e) == -1 || read_params(root, &p, e) == -1 ||
	    read_training(root, &m, e) == -1 ||
	    read_names(root, &names, &nf, e) == -1 ||
	    read_numbers(root, names, nf, &imp, &oob, e) == -1)
		goto out;
	/* What sc_forest_assemble's check_parts says of the same numbers. */
	for (i = 0; i < nf; i++)
		if (!isfinite(imp[i]) || imp[i] < 0) {
			bad(e, "importances", "bad value");
			goto out;
		}
	if (!isnan(oob) && !(isfinite(oob) && oob >= 0)) {
		bad(e, "oob_rmse", "bad value");
		goto out;
	}
	if (sc_calib_from_extra(root, &cal, e) == -1) {
		sc_err_prefix(e, "model");
		goto out;
	}
	*nfeat = nf;
	*ntrees = (size_t)p.trees;
	rc = 0;
out:
	free(names);
	free(imp);
	free(m.from);
	free(m.to);
	free(m.sha);
	return rc;
}

int
sc_model_build(struct parsed *P, struct sc_model *m, struct sc_err *e)
{
	if (build(P, m, e) == -1 || keep_extra(P->root, m, e) == -1)
		return -1;
	return 0;
}

/*
 * A binary model in a regular file is mapped, not read: its pages come
 * from the page cache as they are parsed, with no copy and nothing to
 * clear.  1 when done (m built, or e set), 0 when fp is not a regular
 * file or does not hold the binary form (fp is left where it was).
 */
static int
read_mapped(FILE *fp, struct sc_model *m, int flags, uint8_t *sum, int *summed,
    int *rc, struct sc_err *e)
{
	struct parsed P;
	struct stat st;
	off_t at = ftello(fp);
	size_t len;
	void *map;
	int fd = fileno(fp);

	if (fd == -1 || at == -1 || fstat(fd, &st) == -1 ||
	    !S_ISREG(st.st_mode) || st.st_size <= at ||
	    (uintmax_t)(st.st_size - at) > SC_MODEL_MAXBYTES)
		return 0;
	len = (size_t)(st.st_size - at);
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED)
		return 0;
	if (!sc_model_is_binary((const char *)map + at, len)) {
		munmap(map, (size_t)st.st_size);
		return 0;
	}
	memset(&P, 0, sizeof(P));
	P.no_ranks = (flags & SC_MODEL_NO_RANKS) != 0;
	P.no_thr = (flags & (SC_MODEL_NO_RANKS | SC_MODEL_PREDICT_ONLY)) != 0;
	P.file_sum = sum;
	*rc = sc_model_bin_parse((const unsigned char *)map + at, len, &P, e);
	*summed = P.summed;
	munmap(map, (size_t)st.st_size);
	if (*rc == 0)
		*rc = sc_model_build(&P, m, e);
	sc_model_parsed_free(&P);
	(void)fseeko(fp, 0, SEEK_END); /* read to its end, as read() would */
	return 1;
}

struct sc_model *
sc_model_read(FILE *fp, struct sc_err *e)
{
	return sc_model_read_flags(fp, 0, e);
}

/*
 * As sc_model_read_flags(); a binary model of version 2 also gives its
 * file's SHA-256 into sum (when not NULL) and sets *summed.
 */
static struct sc_model *
read_model(FILE *fp, int flags, uint8_t *sum, int *summed, struct sc_err *e)
{
	struct sc_buf b = { NULL, 0, 0, SC_MODEL_MAXBYTES };
	struct parsed P;
	struct sc_model *m;
	int rc = -1;

	memset(&P, 0, sizeof(P));
	*summed = 0;
	if ((m = calloc(1, sizeof(*m))) == NULL) {
		sc_err_set(e, SC_EOS, 0, "out of memory");
		return NULL;
	}
	if (read_mapped(fp, m, flags, sum, summed, &rc, e)) {
		if (rc == -1)
			goto out;
		return m;
	}
	if (sc_buf_read(&b, fp, "model", e) == -1)
		goto out;
	/* The binary form starts with its magic, never valid JSON. */
	if (sc_model_is_binary(b.data, b.len)) {
		P.no_ranks = (flags & SC_MODEL_NO_RANKS) != 0;
		P.no_thr =
		    (flags & (SC_MODEL_NO_RANKS | SC_MODEL_PREDICT_ONLY)) != 0;
		P.file_sum = sum;
		if (sc_model_bin_parse((const unsigned char *)b.data, b.len, &P,
		        e) == -1)
			goto out;
		*summed = P.summed;
	} else if (parse(b.data != NULL ? b.data : "", b.len, &P, e) == -1)
		goto out;
	sc_buf_free(&b);
	if (sc_model_build(&P, m, e) == -1)
		goto out;
	rc = 0;
out:
	sc_buf_free(&b);
	sc_model_parsed_free(&P);
	if (rc == -1) {
		sc_model_free(m);
		return NULL;
	}
	return m;
}

struct sc_model *
sc_model_read_flags(FILE *fp, int flags, struct sc_err *e)
{
	int summed;

	return read_model(fp, flags, NULL, &summed, e);
}

/* Hashing a file by its descriptor (pread), beside the reading. */
struct hjob {
	int fd;
	const char *name;
	uint8_t *sum;
	int rc;
	struct sc_err e;
};

static void *
hash_job(void *arg)
{
	struct hjob *h = arg;

	h->rc = sc_hash_sha256_fd(h->fd, h->name, 0, UINT64_MAX, h->sum, &h->e);
	return NULL;
}

struct sc_model *
sc_model_read_hashed(FILE *fp, const char *name, int flags, uint8_t *sum,
    struct sc_err *e)
{
	struct hjob h = { fileno(fp), name, sum, -1, { 0 } };
	unsigned char head[12];
	struct sc_model *m;
	pthread_t tid;
	int started, summed;

	if (h.fd == -1) {
		sc_err_set(e, SC_EINTERNAL, 0, "%s: no descriptor", name);
		return NULL;
	}
	/* Version 2 of the binary form: its checksum's pass gives the hash. */
	if (pread(h.fd, head, sizeof(head), 0) == (ssize_t)sizeof(head) &&
	    sc_model_is_binary((const char *)head, sizeof(head)) &&
	    head[8] == SC_MODEL_BIN_VERSION && head[9] == 0 && head[10] == 0 &&
	    head[11] == 0) {
		m = read_model(fp, flags, sum, &summed, e);
		if (m == NULL || summed)
			return m;
		(void)hash_job(&h); /* it changed under us: hash it anyway */
	} else {
		started = pthread_create(&tid, NULL, hash_job, &h) == 0;
		m = sc_model_read_flags(fp, flags, e);
		if (started)
			pthread_join(tid, NULL);
		else
			(void)hash_job(&h);
	}
	if (h.rc == -1 && m != NULL) {
		sc_model_free(m);
		*e = h.e;
		return NULL;
	}
	return m;
}
