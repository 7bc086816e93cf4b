/* SPDX-License-Identifier: ISC */
/*
 * The bounded model check (lib/sc_model_check.c): it accepts what the
 * loader accepts, with the same header, refuses each kind of damage the
 * loader refuses, enforces its own limits, and agrees with the loader on
 * thousands of mutated models.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <jansson.h>

#include "check_sc.h"
#include "sc_calib.h"
#include "sc_forest.h"
#include "sc_hash.h"
#include "sc_model.h"
#include "sc_model_check.h"
#include "sc_rng.h"
#include "sc_table.h"

static struct sc_forest *
small_forest(int trees, size_t rows)
{
	struct sc_err e = { 0 };
	struct sc_forest_params p;
	struct sc_table *t;
	struct sc_forest *f;
	struct sc_rng r;
	char *buf = NULL;
	size_t len = 0, i;
	FILE *fp = open_memstream(&buf, &len);

	sc_rng_seed(&r, 3, 0);
	fprintf(fp, "date,ticker,a,b,c,target\n");
	for (i = 0; i < rows; i++) {
		double a = sc_rng_double(&r) / 3, b = sc_rng_double(&r) * 1e-7;
		double c = floor(sc_rng_double(&r) * 5);

		fprintf(fp, "2024-01-%02zu,T,%.17g,%.17g,%.17g,%.17g\n",
		    i % 28 + 1, a, b, c, a * 7 + c + sc_rng_double(&r) / 7);
	}
	fclose(fp);
	fp = fmemopen(buf, len, "r");
	t = sc_table_read(fp, NULL, &e);
	fclose(fp);
	free(buf);
	ck_assert_msg(t != NULL, "%s", e.msg);
	sc_forest_defaults(&p);
	p.trees = trees;
	p.threads = 1;
	p.max_features.kind = SC_SHARE_SQRT;
	f = sc_forest_fit(&p, t, &e);
	ck_assert_msg(f != NULL, "%s", e.msg);
	sc_table_free(t);
	return f;
}

/* A model with a tuning record and a calibration, as sc-tune writes. */
static char *
model_form(int trees, size_t rows, enum sc_model_form form, size_t *len)
{
	struct sc_err e = { 0 };
	struct sc_model_meta m = { 40, "2024-01-01", "2024-01-28",
		"00112233445566778899aabbccddeeff00112233445566778899aabbccddee"
		"ff" };
	struct sc_forest *f = small_forest(trees, rows);
	struct sc_calib cal;
	json_t *extra;
	char *buf = NULL;
	FILE *fp = open_memstream(&buf, len);

	sc_calib_none(&cal);
	cal.lambda = 0.25;
	extra = json_pack("{s:{s:i, s:f}, s:{s:i}, s:o}", "tuning", "trials", 7,
	    "best", 0.5, "cv", "folds", 3, "calibration",
	    sc_calib_to_json(&cal));
	ck_assert_ptr_nonnull(extra);
	ck_assert_int_eq(sc_model_write_form(fp, form, f, &m, extra, 1, &e), 0);
	fclose(fp);
	json_decref(extra);
	sc_forest_free(f);
	return buf;
}

static char *
model_text(int trees, size_t rows, size_t *len)
{
	return model_form(trees, rows, SC_MODEL_JSON, len);
}

/*
 * Seal a binary model again after a change: a valid length and SHA-256
 * of every byte before it in the trailer (version 2).
 */
static void
reseal(char *b, size_t len)
{
	uint64_t n = len - 56;
	int i;

	for (i = 0; i < 8; i++)
		b[len - 40 + i] = (char)(n >> (8 * i));
	ck_assert_int_eq(sc_hash_sha256(b, len - 32, (uint8_t *)b + len - 32,
	                     NULL),
	    0);
}

static FILE *
stream(const char *text, size_t len)
{
	return len > 0 ? fmemopen((void *)text, len, "r")
	               : fopen("/dev/null", "r");
}

static json_t *
check_text(const char *text, size_t len, struct sc_err *e)
{
	FILE *fp = stream(text, len);
	json_t *h;

	ck_assert_ptr_nonnull(fp);
	h = sc_model_check(fp, "m.json", e);
	fclose(fp);
	return h;
}

/* 1 when the loader reads text, else 0 (e says why). */
static int
loads(const char *text, size_t len, struct sc_err *e)
{
	FILE *fp = stream(text, len);
	struct sc_model *m = sc_model_read(fp, e);

	fclose(fp);
	sc_model_free(m);
	return m != NULL;
}

/* Both verdicts on text are the same; returns it (1: accepted). */
static int
agree(const char *text, size_t len, const char *what)
{
	struct sc_err e1 = { 0 }, e2 = { 0 };
	int full = loads(text, len, &e1);
	json_t *h = check_text(text, len, &e2);

	ck_assert_msg(full == (h != NULL),
	    "%s: the loader %s (%s), the check %s (%s)", what,
	    full ? "accepts" : "refuses", e1.msg, h ? "accepts" : "refuses",
	    e2.msg);
	if (h == NULL)
		ck_assert_msg(e2.code == SC_EDATA, "%s: %s", what, e2.msg);
	json_decref(h);
	return full;
}

START_TEST(test_model_check_valid_lineage)
{
	static const char *const keys[] = { "format", "version", "features",
		"target", "params", "training", "oob_rmse", "importances",
		"calibration", "cv", "tuning" };
	struct sc_err e = { 0 };
	size_t len, i;
	char *text = model_text(3, 60, &len);
	FILE *fp = stream(text, len);
	struct sc_model *m = sc_model_read(fp, &e);
	json_t *full, *h;

	fclose(fp);
	ck_assert_msg(m != NULL, "%s", e.msg);
	full = sc_model_head(m);
	h = check_text(text, len, &e);
	ck_assert_msg(h != NULL, "%s", e.msg);
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		ck_assert_msg(json_equal(json_object_get(h, keys[i]),
		                  json_object_get(full, keys[i])),
		    "member %s differs", keys[i]);
	ck_assert_uint_eq(json_object_size(h), sizeof(keys) / sizeof(keys[0]));
	ck_assert_ptr_null(json_object_get(h, "trees"));
	ck_assert_ptr_null(json_object_get(h, "targets"));
	json_decref(h);
	json_decref(full);
	sc_model_free(m);
	free(text);
}
END_TEST

/* Indented, keys escaped, members reordered, unknown members: accepted. */
START_TEST(test_model_check_valid_spelling)
{
	struct sc_err e = { 0 };
	size_t len;
	char *text = model_text(2, 50, &len), *out, *at, *esc;
	json_t *root = json_loads(text, 0, NULL), *re, *h, *t;
	const char *k;

	ck_assert_ptr_nonnull(root);
	json_object_set_new(root, "notes", json_pack("{s:[i,i]}", "x", 1, 2));
	json_object_set_new(json_array_get(json_object_get(root, "trees"), 1),
	    "extra", json_pack("[s,{s:n}]", "a", "b"));
	out = json_dumps(root, JSON_INDENT(3) | JSON_REAL_PRECISION(17));
	ck_assert_int_eq(agree(out, strlen(out), "indented"), 1);
	h = check_text(out, strlen(out), &e);
	ck_assert_ptr_null(json_object_get(h, "notes")); /* not kept */
	json_decref(h);
	free(out);
	/* The trees first: features and targets come after them. */
	re = json_object();
	json_object_set(re, "trees", json_object_get(root, "trees"));
	json_object_foreach(root, k, t)
	{
		if (strcmp(k, "trees") != 0)
			json_object_set(re, k, t);
	}
	out = json_dumps(re, JSON_COMPACT | JSON_REAL_PRECISION(17));
	ck_assert_int_eq(agree(out, strlen(out), "trees first"), 1);
	/* ...and a feature index out of range is still found. */
	json_array_set_new(json_object_get(json_array_get(json_object_get(re,
	                                                      "trees"),
	                                       0),
	                       "feature"),
	    0, json_integer(3));
	free(out);
	out = json_dumps(re, JSON_COMPACT | JSON_REAL_PRECISION(17));
	ck_assert_int_eq(agree(out, strlen(out), "trees first, bad feature"),
	    0);
	ck_assert_ptr_null(check_text(out, strlen(out), &e));
	ck_assert_msg(strstr(e.msg, "feature[0] = 3 out of range") != NULL,
	    "%s", e.msg);
	/* "tr\u0065es" is "trees". */
	at = strstr(text, "\"trees\":[");
	ck_assert_ptr_nonnull(at);
	esc = malloc(len + 16);
	snprintf(esc, len + 16, "%.*s\"tr\\u0065es\"%s", (int)(at - text), text,
	    at + 7);
	ck_assert_int_eq(agree(esc, strlen(esc), "escaped key"), 1);
	free(esc);
	free(out);
	json_decref(re);
	json_decref(root);
	free(text);
}
END_TEST

typedef void editfn(json_t *root, json_t *tree);

static void
set_int(json_t *tree, const char *k, size_t i, json_int_t v)
{
	json_array_set_new(json_object_get(tree, k), i, json_integer(v));
}

/* The loader and the check both refuse the edit, the check saying want. */
static void
refuses(editfn *fn, const char *want)
{
	struct sc_err e = { 0 };
	size_t len;
	char *text = model_text(2, 60, &len), *bad;
	json_t *root = json_loads(text, 0, NULL);

	ck_assert_ptr_nonnull(root);
	fn(root, json_array_get(json_object_get(root, "trees"), 0));
	bad = json_dumps(root, JSON_COMPACT | JSON_REAL_PRECISION(17));
	ck_assert_int_eq(agree(bad, strlen(bad), want), 0);
	ck_assert_ptr_null(check_text(bad, strlen(bad), &e));
	ck_assert_msg(strstr(e.msg, want) != NULL, "want %s: %s", want, e.msg);
	ck_assert_msg(strncmp(e.msg, "m.json: ", 8) == 0, "%s", e.msg);
	free(bad);
	free(text);
	json_decref(root);
}

static void
e_format(json_t *r, json_t *t)
{
	(void)t;
	json_object_set_new(r, "format", json_string("sklearn"));
}

static void
e_version(json_t *r, json_t *t)
{
	(void)t;
	json_object_set_new(r, "version", json_integer(2));
}

static void
e_self_child(json_t *r, json_t *t)
{
	(void)r;
	set_int(t, "left", 0, 0);
}

static void
e_child_range(json_t *r, json_t *t)
{
	(void)r;
	set_int(t, "right", 0, 100000);
}

static void
e_two_parents(json_t *r, json_t *t)
{
	json_t *right = json_object_get(t, "right");
	size_t i;

	(void)r;
	for (i = json_array_size(right); i-- > 1;)
		if (json_integer_value(json_array_get(right, i)) > 0) {
			set_int(t, "right", 0,
			    json_integer_value(json_array_get(right, i)));
			break;
		}
}

static void
e_unreached(json_t *r, json_t *t)
{
	json_t *a;

	(void)r;
	/* One more leaf that nobody points at. */
	json_array_append_new(json_object_get(t, "feature"), json_integer(-1));
	json_array_append_new(json_object_get(t, "threshold"), json_real(0));
	json_array_append_new(json_object_get(t, "left"), json_integer(-1));
	json_array_append_new(json_object_get(t, "right"), json_integer(-1));
	json_array_append_new(json_object_get(t, "value"), json_real(1));
	json_array_append_new(json_object_get(t, "count"), json_integer(1));
	a = json_object_get(t, "rank");
	json_array_append_new(a, json_integer(0));
}

static void
e_feature(json_t *r, json_t *t)
{
	(void)r;
	set_int(t, "feature", 0, 3);
}

static void
e_lengths(json_t *r, json_t *t)
{
	(void)r;
	json_array_remove(json_object_get(t, "threshold"), 0);
}

static void
e_rank(json_t *r, json_t *t)
{
	set_int(t, "rank", 0,
	    (json_int_t)json_array_size(json_object_get(r, "targets")));
}

static void
e_rank_order(json_t *r, json_t *t)
{
	json_t *c = json_object_get(t, "count"),
	       *rk = json_object_get(t, "rank");
	size_t i, off = 0, n;

	(void)r;
	/* The first leaf with two ranks or more gets them reversed. */
	for (i = 0; i < json_array_size(c); i++) {
		n = (size_t)json_integer_value(json_array_get(c, i));
		if (n >= 2 &&
		    json_integer_value(json_array_get(rk, off)) <
		        json_integer_value(json_array_get(rk, off + n - 1))) {
			json_t *a = json_copy(json_array_get(rk, off));

			json_array_set(rk, off,
			    json_array_get(rk, off + n - 1));
			json_array_set_new(rk, off + n - 1, a);
			return;
		}
		off += n;
	}
	ck_abort_msg("no leaf with two different ranks");
}

static void
e_count(json_t *r, json_t *t)
{
	json_t *c = json_object_get(t, "count");
	size_t i;

	(void)r;
	for (i = json_array_size(c); i-- > 0;)
		if (json_integer_value(json_array_get(c, i)) > 0) {
			set_int(t, "count", i,
			    json_integer_value(json_array_get(c, i)) + 1);
			break;
		}
}

static void
e_split_count(json_t *r, json_t *t)
{
	(void)r;
	set_int(t, "count", 0, 1);
}

static void
e_trees(json_t *r, json_t *t)
{
	(void)t;
	json_array_remove(json_object_get(r, "trees"), 1);
}

static void
e_leaf_param(json_t *r, json_t *t)
{
	(void)t;
	json_object_set_new(json_object_get(r, "params"), "min_samples_leaf",
	    json_integer(0));
}

static void
e_importance(json_t *r, json_t *t)
{
	(void)t;
	json_object_del(json_object_get(r, "importances"), "b");
}

static void
e_oob(json_t *r, json_t *t)
{
	(void)t;
	json_object_set_new(r, "oob_rmse", json_real(-1));
}

static void
e_value_type(json_t *r, json_t *t)
{
	(void)r;
	json_array_set_new(json_object_get(t, "value"), 0, json_string("1"));
}

static void
e_targets_order(json_t *r, json_t *t)
{
	(void)t;
	json_array_set_new(json_object_get(r, "targets"), 1, json_real(-1e300));
}

static void
e_no_targets(json_t *r, json_t *t)
{
	(void)t;
	json_object_del(r, "targets");
}

static void
e_leaf_threshold(json_t *r, json_t *t)
{
	json_t *fe = json_object_get(t, "feature");
	size_t i;

	(void)r;
	for (i = 0; i < json_array_size(fe); i++)
		if (json_integer_value(json_array_get(fe, i)) == -1) {
			json_array_set_new(json_object_get(t, "threshold"), i,
			    json_real(-0.0));
			break;
		}
}

static void
e_calibration(json_t *r, json_t *t)
{
	(void)t;
	json_object_set_new(json_object_get(r, "calibration"), "lambda",
	    json_real(7));
}

static void
e_sha(json_t *r, json_t *t)
{
	(void)t;
	json_object_set_new(json_object_get(r, "training"), "sha256",
	    json_string("xyz"));
}

START_TEST(test_model_check_errors_edited)
{
	refuses(e_format, "not a model: want \"format\"");
	refuses(e_version, "version");
	refuses(e_self_child, "tree 0: node 0: children");
	refuses(e_child_range, "children");
	refuses(e_two_parents, "two parents");
	refuses(e_unreached, "is not reached from the root");
	refuses(e_feature, "feature[0] = 3 out of range");
	refuses(e_lengths, "different lengths");
	refuses(e_rank, "rank");
	refuses(e_rank_order, "out of order");
	refuses(e_count, "count");
	refuses(e_split_count, "split node 0: count must be 0");
	refuses(e_trees, "not as many as params.trees");
	refuses(e_leaf_param, "min_samples_leaf");
	refuses(e_importance, "importances");
	refuses(e_oob, "oob_rmse");
	refuses(e_value_type, "tree 0: value[0]: not a number");
	refuses(e_targets_order, "targets[1]");
	refuses(e_no_targets, "targets: missing");
	refuses(e_leaf_threshold, "threshold 0");
	refuses(e_calibration, "calibration");
	refuses(e_sha, "sha256");
}
END_TEST

static void
refuses_text(const char *text, const char *want)
{
	struct sc_err e = { 0 };

	ck_assert_int_eq(agree(text, strlen(text), text), 0);
	ck_assert_ptr_null(check_text(text, strlen(text), &e));
	ck_assert_int_eq(e.code, SC_EDATA);
	ck_assert_msg(strstr(e.msg, want) != NULL, "want %s: %s", want, e.msg);
}

START_TEST(test_model_check_errors_syntax)
{
	refuses_text("{\"format\":\"sc-forest\"} x",
	    "m.json:1:24: not a valid JSON model: text after the model");
	refuses_text("{\"a\":1,\n\n  \"b\":[1,}", "m.json:3:10: ");
	refuses_text("", "m.json:1:1: not a valid JSON model: unexpected end");
	refuses_text("[1]", "'{' expected");
	refuses_text("{\"trees\":[],\"trees\":[]}", "trees: given twice");
	refuses_text("{\"targets\":[],\"targets\":[]}", "targets: given twice");
	refuses_text("{\"a\":1,\"\\u0061\":2}", "a: given twice");
	refuses_text("{\"targets\":[1,2,nan]}", "targets[2]: not a number");
	refuses_text("{\"targets\":[1,1e999]}", "targets[1]: not a finite");
	refuses_text("{\"targets\":[01]}", "bad number");
	refuses_text("{\"trees\":[{\"feature\":[1.5]}]}",
	    "tree 0: feature[0]: not an integer");
	refuses_text("{\"trees\":[{\"rank\":[-1]}]}",
	    "tree 0: rank[0]: not an integer");
	refuses_text("{\"trees\":[{\"left\":[99999999999999999999]}]}",
	    "tree 0: left[0]: not an integer");
	refuses_text("{\"trees\":[{\"left\":[]}]}", "an array is missing");
	refuses_text("{\"trees\":[{}]}", "tree 0: empty");
	refuses_text("{\"trees\":[{\"\":[1]}]}", "an array is missing");
	refuses_text("{\"\":1}", "not a model");
	/* An escaped tree member's name, then no name: freed once. */
	refuses_text("{\"trees\":[{\"fe\\u0061ture\":[0],1}]}",
	    "string expected");
	refuses_text("{\"trees\":[{\"left\":[],\"left\":[]}]}", "left twice");
	refuses_text("{\"x\":\"\\q\"}", "not a valid JSON model");
	refuses_text("{\"x\":\"a\nb\"}", "control character");
	refuses_text("{\"\\ud800\":1}", "not a valid JSON model");
	refuses_text("{\"x\":tru}", "value expected");
	refuses_text("{\"x\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
	             "["
	             "[[[[[[[[[[[[[[[[[[[[[[",
	    "nested too deep");
	refuses_text("{\"rmse\":1.5,\"n\":3}",
	    "m.json: not a model: want \"format\": \"sc-forest\"");
}
END_TEST

/* A text of n bytes: prefix, then c repeated, then suffix. */
static char *
big_text(const char *prefix, int c, size_t n, const char *suffix)
{
	size_t a = strlen(prefix), b = strlen(suffix);
	char *s = malloc(n + 1);

	ck_assert_ptr_nonnull(s);
	memcpy(s, prefix, a);
	memset(s + a, c, n - a - b);
	memcpy(s + n - b, suffix, b);
	s[n] = '\0';
	return s;
}

static void
over_limit(const char *text, const char *want)
{
	struct sc_err e = { 0 };

	ck_assert_ptr_null(check_text(text, strlen(text), &e));
	ck_assert_int_eq(e.code, SC_EDATA);
	ck_assert_msg(strstr(e.msg, want) != NULL, "want %s: %.200s", want,
	    e.msg);
}

START_TEST(test_model_check_limits)
{
	char *s, want[80];
	size_t n = (size_t)SC_MODEL_CHECK_MAX_MEMBER;

	/* A value of exactly the limit passes the limit (then: no format). */
	s = big_text("{\"x\":\"", 'a', n + 6, "\"}");
	over_limit(s, "not a model");
	free(s);
	s = big_text("{\"x\":\"", 'a', n + 7, "\"}");
	snprintf(want, sizeof(want), "not a valid model: x: longer than %ld",
	    SC_MODEL_CHECK_MAX_MEMBER);
	over_limit(s, want);
	free(s);
	s = big_text("{\"", 'k', (size_t)SC_MODEL_CHECK_MAX_KEY + 8, "\":1}");
	over_limit(s, "a member name longer than 1048576 bytes");
	free(s);
	s = big_text("{\"targets\":[0.", '1', SC_MODEL_CHECK_MAX_NUMBER + 20,
	    "]}");
	over_limit(s, "number longer than the check's limit");
	free(s);
}
END_TEST

/* The members but targets and trees are bounded together too. */
START_TEST(test_model_check_limits_head)
{
	size_t n = (size_t)SC_MODEL_CHECK_MAX_MEMBER - 16, i, k = 0;
	size_t total = 5 * (n + 16) + 16;
	char *s = malloc(total), want[80];

	ck_assert_ptr_nonnull(s);
	s[k++] = '{';
	for (i = 0; i < 5; i++) {
		k += (size_t)sprintf(s + k, "%s\"m%zu\":\"", i ? "," : "", i);
		memset(s + k, 'a', n);
		k += n;
		s[k++] = '"';
	}
	s[k++] = '}';
	s[k] = '\0';
	snprintf(want, sizeof(want),
	    "m4: the members but targets and trees "
	    "pass %ld bytes",
	    SC_MODEL_CHECK_MAX_HEAD);
	over_limit(s, want);
	free(s);
}
END_TEST

/*
 * Flip, overwrite, insert or cut bytes of a valid model, or edit its
 * numbers: the loader and the check give the same verdict every time.
 */
START_TEST(test_model_check_agree_mutated)
{
	static const char junk[] = "{}[],:\"-0123456789.eE ntfx\\";
	static const char *const nums[] = { "-1", "0", "1", "2", "-0.0",
		"1e400", "4294967296", "2147483648", "0.5", "3" };
	size_t len, cut, i, k, p, at;
	char *text = model_text(2, 40, &len), *copy = malloc(len + 32);
	int accepted = 0, refused = 0;
	struct sc_rng r;

	sc_rng_seed(&r, 15, 0);
	for (i = 0; i < 4000; i++) {
		memcpy(copy, text, len);
		cut = len;
		switch (i % 5) {
		case 0:
			copy[sc_rng_below(&r, len)] ^=
			    (char)(1 << sc_rng_below(&r, 8));
			break;
		case 1:
			for (k = 0; k < 2; k++)
				copy[sc_rng_below(&r, len)] =
				    junk[sc_rng_below(&r, sizeof(junk) - 1)];
			break;
		case 2:
			cut = sc_rng_below(&r, len);
			break;
		default:
			/* Replace a number after a '[' or ',' of the arrays
			 * with another, often a valid one. */
			p = strstr(text, "\"targets\"") - text +
			    sc_rng_below(&r,
			        len -
			            (size_t)(strstr(text, "\"targets\"") -
			                text));
			while (p < len && text[p] != ',' && text[p] != '[')
				p++;
			if (p + 1 >= len || !strchr("-0123456789", text[p + 1]))
				break;
			at = p + 1 + strspn(text + p + 1, "-+.eE0123456789");
			k = (size_t)sprintf(copy + p + 1, "%s",
			    nums[sc_rng_below(&r, 10)]);
			memcpy(copy + p + 1 + k, text + at, len - at);
			cut = p + 1 + k + len - at;
		}
		if (agree(copy, cut, "mutated"))
			accepted++;
		else
			refused++;
	}
	ck_assert_int_gt(refused, 2000);
	ck_assert_int_gt(accepted, 100);
	free(copy);
	free(text);
}
END_TEST

/* The binary form: the loader's header, and its damage refused. */
START_TEST(test_model_check_binary_valid)
{
	struct sc_err e = { 0 };
	size_t len, blen;
	char *text = model_text(3, 60, &len);
	char *bin = model_form(3, 60, SC_MODEL_BINARY, &blen);
	json_t *hj = check_text(text, len, &e), *hb;

	ck_assert_msg(hj != NULL, "%s", e.msg);
	hb = check_text(bin, blen, &e);
	ck_assert_msg(hb != NULL, "%s", e.msg);
	/* The same model in either form: the same header. */
	ck_assert(json_equal(hj, hb));
	ck_assert_int_eq(agree(bin, blen, "binary"), 1);
	bin[blen - 1] ^= 1;
	ck_assert_ptr_null(check_text(bin, blen, &e));
	ck_assert_msg(strstr(e.msg,
	                  "m.json: not a valid model: binary: checksum "
	                  "mismatch") != NULL,
	    "%s", e.msg);
	ck_assert_int_eq(agree(bin, blen / 2, "binary cut"), 0);
	json_decref(hj);
	json_decref(hb);
	free(bin);
	free(text);
}
END_TEST

/* Binary payloads damaged and resealed: the same verdict as the loader. */
START_TEST(test_model_check_binary_agree)
{
	size_t len, i, cut;
	char *bin = model_form(2, 40, SC_MODEL_BINARY, &len);
	char *copy = malloc(len);
	int accepted = 0, refused = 0;
	struct sc_rng r;

	sc_rng_seed(&r, 16, 0);
	for (i = 0; i < 3000; i++) {
		memcpy(copy, bin, len);
		cut = len;
		if (i % 4 == 3)
			cut = 56 + sc_rng_below(&r, len - 56);
		else
			copy[16 + sc_rng_below(&r, len - 56)] ^=
			    (char)(1 << sc_rng_below(&r, 8));
		reseal(copy, cut);
		if (agree(copy, cut, "binary mutated"))
			accepted++;
		else
			refused++;
	}
	ck_assert_int_gt(refused, 1000);
	ck_assert_int_gt(accepted, 10);
	free(copy);
	free(bin);
}
END_TEST

/* An I/O error is SC_EIO, not a verdict on the model. */
START_TEST(test_model_check_errors_io)
{
	struct sc_err e = { 0 };
	FILE *fp = fopen("/dev/null", "w");

	ck_assert_ptr_nonnull(fp);
	ck_assert_ptr_null(sc_model_check(fp, "m.json", &e));
	ck_assert_int_ne(e.code, SC_EOK);
	fclose(fp);
}
END_TEST

Suite *
sc_model_check_suite(void)
{
	Suite *s = suite_create("model_check");
	TCase *tc = tcase_create("valid");

	tcase_add_test(tc, test_model_check_valid_lineage);
	tcase_add_test(tc, test_model_check_valid_spelling);
	tcase_add_test(tc, test_model_check_binary_valid);
	suite_add_tcase(s, tc);
	tc = tcase_create("errors");
	tcase_add_test(tc, test_model_check_errors_edited);
	tcase_add_test(tc, test_model_check_errors_syntax);
	tcase_add_test(tc, test_model_check_errors_io);
	suite_add_tcase(s, tc);
	tc = tcase_create("limits");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_model_check_limits);
	tcase_add_test(tc, test_model_check_limits_head);
	suite_add_tcase(s, tc);
	tc = tcase_create("agree");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_model_check_agree_mutated);
	tcase_add_test(tc, test_model_check_binary_agree);
	suite_add_tcase(s, tc);
	return s;
}
