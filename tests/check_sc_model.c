/* SPDX-License-Identifier: ISC */
/*
 * Model file: exact round trip of every number, unknown members kept,
 * rejection of bad files, and no crash on flipped or truncated bytes.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <jansson.h>

#include "check_sc.h"
#include "sc_calib.h"
#include "sc_forest.h"
#include "sc_forest_int.h"
#include "sc_hash.h"
#include "sc_model.h"
#include "sc_rng.h"
#include "sc_table.h"

static struct sc_forest *
small_forest_on(int trees, size_t rows, int threads)
{
	struct sc_err e = { 0 };
	struct sc_forest_params p;
	struct sc_table *t;
	struct sc_forest *f;
	struct sc_rng r;
	char *buf = NULL;
	size_t len = 0, i;
	FILE *fp = open_memstream(&buf, &len);

	sc_rng_seed(&r, 1, 0);
	fprintf(fp, "date,ticker,a,b,c,target\n");
	for (i = 0; i < rows; i++) {
		/* Awkward doubles: thresholds and means need 17 digits. */
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
	p.threads = threads;
	p.max_features.kind = SC_SHARE_SQRT;
	/* The bigger test forests keep their ranks on a grid of targets. */
	p.interval_grid = rows > 100 ? 64 : 0;
	f = sc_forest_fit(&p, t, &e);
	ck_assert_msg(f != NULL, "%s", e.msg);
	sc_table_free(t);
	return f;
}

static struct sc_forest *
small_forest(int trees, size_t rows)
{
	return small_forest_on(trees, rows, 2);
}

static char *
write_model(const struct sc_forest *f, const json_t *extra, size_t *len)
{
	struct sc_err e = { 0 };
	struct sc_model_meta m = { 40, "2024-01-01", "2024-01-28",
		"00112233445566778899aabbccddeeff00112233445566778899aabbccddee"
		"ff" };
	char *buf = NULL;
	FILE *fp = open_memstream(&buf, len);

	ck_assert_int_eq(sc_model_write(fp, f, &m, extra, 2, &e), 0);
	fclose(fp);
	return buf;
}

static struct sc_model *
read_model(const char *text, size_t len, struct sc_err *e)
{
	FILE *fp = len > 0 ? fmemopen((void *)text, len, "r")
	                   : fopen("/dev/null", "r");
	struct sc_model *m = sc_model_read(fp, e);

	fclose(fp);
	return m;
}

static char *
write_binary(const struct sc_forest *f, const json_t *extra, size_t *len)
{
	struct sc_err e = { 0 };
	struct sc_model_meta m = { 40, "2024-01-01", "2024-01-28",
		"00112233445566778899aabbccddeeff00112233445566778899aabbccddee"
		"ff" };
	char *buf = NULL;
	FILE *fp = open_memstream(&buf, len);

	ck_assert_int_eq(sc_model_write_binary(fp, f, &m, extra, &e), 0);
	fclose(fp);
	return buf;
}

/* Write model m again in form, into a new buffer. */
static char *
rewrite(const struct sc_model *m, enum sc_model_form form, size_t *len)
{
	struct sc_err e = { 0 };
	char *buf = NULL;
	FILE *fp = open_memstream(&buf, len);

	ck_assert_int_eq(sc_model_write_form(fp, form, sc_model_forest(m),
	                     sc_model_meta(m), sc_model_extra(m), 1, &e),
	    0);
	fclose(fp);
	return buf;
}

/*
 * Seal a binary model again after a change: a valid length and SHA-256,
 * in the trailer (version 2: of every byte before it) or the header
 * (version 1: of the payload, bytes 56..).
 */
static void
reseal(char *b, size_t len)
{
	struct sc_err e = { 0 };
	uint8_t sum[32];
	uint64_t n = len - 56;
	int i;

	if (b[8] == 1) {
		for (i = 0; i < 8; i++)
			b[16 + i] = (char)(n >> (8 * i));
		ck_assert_int_eq(sc_hash_sha256(b + 56, len - 56, sum, &e), 0);
		memcpy(b + 24, sum, 32);
		return;
	}
	for (i = 0; i < 8; i++)
		b[len - 40 + i] = (char)(n >> (8 * i));
	ck_assert_int_eq(sc_hash_sha256(b, len - 32, sum, &e), 0);
	memcpy(b + len - 32, sum, 32);
}

/*
 * The binary model b (version 2: header, payload, trailer) in version 1 of
 * the form, as releases before 2026-12 wrote it: a 56-byte header with the
 * payload's length and SHA-256, then the same payload.
 */
static char *
to_version1(const char *b, size_t len)
{
	char *v1 = malloc(len);

	ck_assert_ptr_nonnull(v1);
	memcpy(v1, b, 16);
	v1[8] = 1;
	memcpy(v1 + 56, b + 16, len - 56);
	reseal(v1, len);
	return v1;
}

static void
same_tree(const struct sc_forest_tree *a, const struct sc_forest_tree *b)
{
	size_t n = a->nodes;

	ck_assert_uint_eq(a->nodes, b->nodes);
	ck_assert_uint_eq(a->nranks, b->nranks);
	ck_assert(memcmp(a->feature, b->feature, n * 4) == 0);
	ck_assert(memcmp(a->left, b->left, n * 4) == 0);
	ck_assert(memcmp(a->right, b->right, n * 4) == 0);
	ck_assert(memcmp(a->count, b->count, n * 4) == 0);
	ck_assert(memcmp(a->rank, b->rank, a->nranks * 4) == 0);
	/* Bit for bit: the doubles read back exactly. */
	ck_assert(memcmp(a->threshold, b->threshold, n * 8) == 0);
	ck_assert(memcmp(a->value, b->value, n * 8) == 0);
}

START_TEST(test_model_roundtrip_exact)
{
	struct sc_err e = { 0 };
	struct sc_forest *f = small_forest(7, 200);
	struct sc_forest_tree a, b;
	struct sc_model *m;
	const struct sc_forest *g;
	const double *ya, *yb;
	size_t len, len2, na, nb, k;
	char *text = write_model(f, NULL, &len), *again;
	double x[3] = { 0.1, 3e-8, 2 };

	m = read_model(text, len, &e);
	ck_assert_msg(m != NULL, "%s", e.msg);
	g = sc_model_forest(m);
	ck_assert_uint_eq(sc_forest_ntrees(g), 7);
	for (k = 0; k < 7; k++) {
		sc_forest_tree(f, k, &a);
		sc_forest_tree(g, k, &b);
		same_tree(&a, &b);
	}
	ya = sc_forest_targets(f, &na);
	yb = sc_forest_targets(g, &nb);
	ck_assert_uint_eq(na, nb);
	ck_assert(memcmp(ya, yb, na * 8) == 0);
	ck_assert(sc_forest_predict(f, x) == sc_forest_predict(g, x));
	ck_assert(sc_forest_oob_rmse(f) == sc_forest_oob_rmse(g));
	ck_assert(sc_forest_importance(f, 1) == sc_forest_importance(g, 1));
	ck_assert_str_eq(sc_forest_target(g), "target");
	ck_assert_str_eq(sc_forest_feature(g, 2), "c");
	ck_assert_str_eq(sc_model_meta(m)->date_to, "2024-01-28");
	ck_assert_uint_eq(sc_model_meta(m)->rows, 40);
	ck_assert_int_eq(sc_forest_params(g)->max_features.kind, SC_SHARE_SQRT);
	ck_assert_int_eq(sc_forest_params(g)->interval_grid, 64);
	ck_assert_ptr_nonnull(strstr(text, "\"seed\":0,\"interval_grid\":64}"));
	/* Written again, the file is the same bytes. */
	again = write_model(g, NULL, &len2);
	ck_assert_uint_eq(len, len2);
	ck_assert(memcmp(text, again, len) == 0);
	free(again);
	free(text);
	sc_model_free(m);
	sc_forest_free(f);
}
END_TEST

/*
 * A feature no split uses, the last one: its threshold table is empty and
 * starts one past the end of the forest's (fuzz_model found the sort
 * reading there; ASan sees it).  Fitted and read back, the same means.
 */
START_TEST(test_model_unused_last_feature)
{
	struct sc_err e = { 0 };
	struct sc_forest_params p;
	struct sc_table *t;
	struct sc_forest *f;
	struct sc_model *m;
	char *buf = NULL, *text;
	size_t len = 0, i;
	FILE *fp = open_memstream(&buf, &len);
	double x[2] = { 0.3, 1 };

	fprintf(fp, "date,ticker,a,b,target\n");
	for (i = 0; i < 60; i++)
		fprintf(fp, "2024-01-%02zu,T,%zu,1,%zu\n", i % 28 + 1, i % 7,
		    i % 7 * 3);
	fclose(fp);
	fp = fmemopen(buf, len, "r");
	t = sc_table_read(fp, NULL, &e);
	fclose(fp);
	free(buf);
	ck_assert_msg(t != NULL, "%s", e.msg);
	sc_forest_defaults(&p);
	p.trees = 3;
	p.threads = 1;
	f = sc_forest_fit(&p, t, &e);
	ck_assert_msg(f != NULL, "%s", e.msg);
	sc_table_free(t);
	ck_assert(sc_forest_importance(f, 1) == 0);
	text = write_model(f, NULL, &len);
	m = read_model(text, len, &e);
	ck_assert_msg(m != NULL, "%s", e.msg);
	ck_assert(sc_forest_predict(f, x) ==
	    sc_forest_predict(sc_model_forest(m), x));
	free(text);
	sc_model_free(m);
	sc_forest_free(f);
}
END_TEST

START_TEST(test_model_roundtrip_extra)
{
	struct sc_err e = { 0 };
	struct sc_forest *f = small_forest(2, 60);
	json_t *extra = json_pack("{s:{s:i,s:f}, s:s, s:i}", "tuning", "trials",
	    50, "best", 1.25, "meta", "x", "version", 99);
	size_t len, len2;
	char *text = write_model(f, extra, &len), *again;
	struct sc_model *m = read_model(text, len, &e);
	json_t *got;

	ck_assert_msg(m != NULL, "%s", e.msg);
	got = sc_model_extra(m);
	ck_assert_int_eq(json_integer_value(
	                     json_object_get(json_object_get(got, "tuning"),
	                         "trials")),
	    50);
	ck_assert_str_eq(json_string_value(json_object_get(got, "meta")), "x");
	/* The format's own "version" is never overridden. */
	ck_assert_ptr_null(json_object_get(got, "version"));
	again = write_model(sc_model_forest(m), got, &len2);
	ck_assert_uint_eq(len, len2);
	ck_assert(memcmp(text, again, len) == 0);
	free(again);
	free(text);
	json_decref(extra);
	sc_model_free(m);
	sc_forest_free(f);
}
END_TEST

/* Edit a valid model with fn, then expect the reader to refuse it. */
typedef void editfn(json_t *root, json_t *tree0);

static void
rejects(editfn *fn, const char *want)
{
	struct sc_err e = { 0 };
	struct sc_forest *f = small_forest(2, 60);
	size_t len;
	char *text = write_model(f, NULL, &len), *bad;
	json_t *root = json_loads(text, 0, NULL);
	struct sc_model *m;

	ck_assert_ptr_nonnull(root);
	fn(root, json_array_get(json_object_get(root, "trees"), 0));
	bad = json_dumps(root, JSON_COMPACT | JSON_REAL_PRECISION(17));
	m = read_model(bad, strlen(bad), &e);
	ck_assert_msg(m == NULL, "accepted a model edited for \"%s\"", want);
	ck_assert_int_eq(e.code, SC_EDATA);
	ck_assert_msg(strstr(e.msg, want) != NULL, "message: %s", e.msg);
	free(bad);
	free(text);
	json_decref(root);
	sc_forest_free(f);
}

static void
set_int(json_t *tree, const char *k, size_t i, json_int_t v)
{
	json_array_set_new(json_object_get(tree, k), i, json_integer(v));
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
	/* Point the root's right at the right child of the last split. */
	for (i = json_array_size(right); i-- > 1;)
		if (json_integer_value(json_array_get(right, i)) > 0) {
			set_int(t, "right", 0,
			    json_integer_value(json_array_get(right, i)));
			break;
		}
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
e_count(json_t *r, json_t *t)
{
	json_t *c = json_object_get(t, "count");
	size_t i;

	(void)r;
	/* The last leaf, so the ranks run out rather than fall out of order. */
	for (i = json_array_size(c); i-- > 0;)
		if (json_integer_value(json_array_get(c, i)) > 0) {
			set_int(t, "count", i,
			    json_integer_value(json_array_get(c, i)) + 1);
			break;
		}
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
e_leaf_threshold(json_t *r, json_t *t)
{
	json_t *fe = json_object_get(t, "feature");
	size_t i;

	(void)r;
	for (i = 0; i < json_array_size(fe); i++)
		if (json_integer_value(json_array_get(fe, i)) == -1) {
			json_array_set_new(json_object_get(t, "threshold"), i,
			    json_real(0.5));
			break;
		}
}

START_TEST(test_model_errors_edited)
{
	rejects(e_format, "format");
	rejects(e_version, "version");
	rejects(e_self_child, "children");
	rejects(e_child_range, "children");
	rejects(e_two_parents, "two parents");
	rejects(e_feature, "feature");
	rejects(e_lengths, "different lengths");
	rejects(e_rank, "rank");
	rejects(e_count, "count");
	rejects(e_trees, "trees");
	rejects(e_leaf_param, "min_samples_leaf");
	rejects(e_importance, "importances");
	rejects(e_value_type, "value[0]: not a number");
	rejects(e_targets_order, "targets");
	rejects(e_leaf_threshold, "threshold 0");
}
END_TEST

/* Any valid JSON spelling of a model reads: indented, keys escaped. */
START_TEST(test_model_roundtrip_spelling)
{
	struct sc_err e = { 0 };
	struct sc_forest *f = small_forest(3, 80);
	struct sc_forest_tree a, b;
	size_t len, k;
	char *text = write_model(f, NULL, &len), *pretty, *esc, *at;
	json_t *root = json_loads(text, 0, NULL);
	struct sc_model *m;
	double x[3] = { 0.3, 5e-8, 4 };

	json_object_set_new(root, "tuning", json_pack("{s:i}", "trials", 3));
	pretty = json_dumps(root, JSON_INDENT(2) | JSON_REAL_PRECISION(17));
	m = read_model(pretty, strlen(pretty), &e);
	ck_assert_msg(m != NULL, "%s", e.msg);
	for (k = 0; k < 3; k++) {
		sc_forest_tree(f, k, &a);
		sc_forest_tree(sc_model_forest(m), k, &b);
		same_tree(&a, &b);
	}
	ck_assert(sc_forest_predict(f, x) ==
	    sc_forest_predict(sc_model_forest(m), x));
	ck_assert_ptr_nonnull(json_object_get(sc_model_extra(m), "tuning"));
	sc_model_free(m);
	/* An escaped key is the same key: "tr\u0065es" is "trees". */
	at = strstr(text, "\"trees\":[");
	ck_assert_ptr_nonnull(at);
	esc = malloc(len + 16);
	snprintf(esc, len + 16, "%.*s\"tr\\u0065es\"%s", (int)(at - text), text,
	    at + 7);
	m = read_model(esc, strlen(esc), &e);
	ck_assert_msg(m != NULL, "%s", e.msg);
	sc_model_free(m);
	free(esc);
	free(pretty);
	free(text);
	json_decref(root);
	sc_forest_free(f);
}
END_TEST

static void
refuses_text(const char *text, const char *want)
{
	struct sc_err e = { 0 };

	ck_assert_ptr_null(read_model(text, strlen(text), &e));
	ck_assert_int_eq(e.code, SC_EDATA);
	ck_assert_msg(strstr(e.msg, want) != NULL, "message: %s", e.msg);
}

START_TEST(test_model_errors_syntax)
{
	refuses_text("{\"format\":\"sc-forest\"} x", "text after the model");
	refuses_text("{\"trees\":[],\"trees\":[]}", "trees: given twice");
	refuses_text("{\"a\":1,\"\\u0061\":2}", "a: given twice");
	refuses_text("{\"targets\":[1,2,nan]}", "targets[2]: not a number");
	refuses_text("{\"targets\":[1,1e999]}", "targets[1]: not a finite");
	refuses_text("{\"targets\":[01]}", "not JSON");
	refuses_text("{\"trees\":[{\"feature\":[1.5]}]}",
	    "tree 0: feature[0]: not an integer");
	refuses_text("{\"trees\":[{\"rank\":[-1]}]}",
	    "tree 0: rank[0]: not an integer");
	refuses_text("{\"trees\":[{\"left\":[99999999999999999999]}]}",
	    "tree 0: left[0]: not an integer");
	refuses_text("{\"trees\":[{\"left\":[]}]}", "an array is missing");
	refuses_text("{\"x\":\"\\q\"}", "not JSON");
	refuses_text("{\"x\":\"a\nb\"}", "control character");
	refuses_text("{\"x\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
	             "["
	             "[[[[[[[[[[[[[[[[[[[[[[",
	    "nested too deep");
}
END_TEST

START_TEST(test_model_errors_truncated)
{
	struct sc_err e = { 0 };
	struct sc_forest *f = small_forest(2, 60);
	size_t len;
	char *text = write_model(f, NULL, &len);

	ck_assert_ptr_null(read_model(text, len / 2, &e));
	ck_assert_int_eq(e.code, SC_EDATA);
	ck_assert_msg(strstr(e.msg, "not JSON") != NULL, "%s", e.msg);
	ck_assert_int_eq(e.line, 1);
	ck_assert_ptr_null(read_model("", 0, &e));
	ck_assert_int_eq(e.code, SC_EDATA);
	ck_assert_ptr_null(read_model("[1]", 3, &e));
	ck_assert_int_eq(e.code, SC_EDATA);
	free(text);
	sc_forest_free(f);
}
END_TEST

/* Flip, overwrite or cut bytes of a valid model: refused or read, never a crash. */
START_TEST(test_model_errors_fuzz)
{
	static const char junk[] = "{}[],:\"-0123456789.eE ntfx\\";
	struct sc_err e = { 0 };
	struct sc_forest *f = small_forest(2, 40);
	struct sc_model *m;
	struct sc_rng r;
	size_t len, cut, i, k;
	char *text = write_model(f, NULL, &len), *copy = malloc(len);
	int refused = 0;

	sc_rng_seed(&r, 77, 0);
	for (i = 0; i < 3000; i++) {
		memcpy(copy, text, len);
		cut = len;
		switch (i % 3) {
		case 0:
			copy[sc_rng_below(&r, len)] ^=
			    (char)(1 << sc_rng_below(&r, 8));
			break;
		case 1:
			for (k = 0; k < 3; k++)
				copy[sc_rng_below(&r, len)] =
				    junk[sc_rng_below(&r, sizeof(junk) - 1)];
			break;
		default:
			cut = sc_rng_below(&r, len);
		}
		if ((m = read_model(copy, cut, &e)) == NULL) {
			ck_assert_int_eq(e.code, SC_EDATA);
			refused++;
		} else {
			double x[3] = { 0.2, 1e-8, 1 };

			(void)sc_forest_predict(sc_model_forest(m), x);
			sc_model_free(m);
		}
	}
	ck_assert_int_gt(refused, 2000);
	free(copy);
	free(text);
	sc_forest_free(f);
}
END_TEST

/* A valid calibration member (the reader validates it) with lambda. */
static json_t *
calib_json(double lambda)
{
	struct sc_calib c;

	sc_calib_none(&c);
	c.lambda = lambda;
	return sc_calib_to_json(&c);
}

/* Binary form: the same model, and conversions are exact both ways. */
/*
 * A binary model read without its ranks (sc-predict without -i) predicts
 * the same means, refuses quantiles and writing, skips the rank stream's
 * contents but not its length.
 */
START_TEST(test_model_binary_noranks)
{
	struct sc_err e = { 0 };
	struct sc_forest *f = small_forest(7, 200);
	struct sc_model *m;
	size_t blen, len2, i;
	char *bin = write_binary(f, NULL, &blen), *out = NULL;
	double x[3], q[2] = { 0.05, 0.95 }, o[2], mean, lo, hi;
	struct sc_rng r;
	FILE *fp;

	fp = fmemopen(bin, blen, "r");
	m = sc_model_read_flags(fp, SC_MODEL_NO_RANKS, &e);
	fclose(fp);
	ck_assert_msg(m != NULL, "%s", e.msg);
	ck_assert(!sc_forest_has_ranks(sc_model_forest(m)));
	ck_assert(sc_forest_has_ranks(f));
	sc_rng_seed(&r, 5, 0);
	for (i = 0; i < 200; i++) {
		x[0] = sc_rng_double(&r) / 3;
		x[1] = sc_rng_double(&r) * 1e-7;
		x[2] = floor(sc_rng_double(&r) * 5);
		ck_assert(sc_forest_predict(f, x) ==
		    sc_forest_predict(sc_model_forest(m), x));
	}
	ck_assert_int_eq(sc_forest_quantiles(sc_model_forest(m), x, q, 2, o,
	                     &e),
	    -1);
	ck_assert_int_eq(e.code, SC_EUSAGE);
	ck_assert_int_eq(sc_forest_interval(sc_model_forest(m), x, 0.9, &mean,
	                     &lo, &hi, &e),
	    -1);
	ck_assert_int_eq(e.code, SC_EUSAGE);
	fp = open_memstream(&out, &len2);
	ck_assert_int_eq(sc_model_write_form(fp, SC_MODEL_BINARY,
	                     sc_model_forest(m), sc_model_meta(m),
	                     sc_model_extra(m), 1, &e),
	    -1);
	ck_assert_int_eq(e.code, SC_EUSAGE);
	fclose(fp);
	free(out);
	sc_model_free(m);
	/* The rank stream's last byte changed: its contents are not read. */
	bin[blen - 1] = (char)0xff;
	reseal(bin, blen);
	fp = fmemopen(bin, blen, "r");
	m = sc_model_read_flags(fp, SC_MODEL_NO_RANKS, &e);
	fclose(fp);
	ck_assert_msg(m != NULL, "%s", e.msg);
	ck_assert(sc_forest_predict(f, x) ==
	    sc_forest_predict(sc_model_forest(m), x));
	sc_model_free(m);
	/* One byte short: the stream's length is still checked. */
	reseal(bin, blen - 1);
	fp = fmemopen(bin, blen - 1, "r");
	ck_assert(sc_model_read_flags(fp, SC_MODEL_NO_RANKS, &e) == NULL);
	fclose(fp);
	ck_assert_int_eq(e.code, SC_EDATA);
	free(bin);
	sc_forest_free(f);
}
END_TEST

/*
 * A binary model read for predicting only gives the same means and
 * quantiles, has its ranks, and refuses to be written.
 */
static void
predict_only(int trees, size_t rows, int slab)
{
	struct sc_err e = { 0 };
	struct sc_forest *f = small_forest(trees, rows);
	struct sc_model *m, *mn;
	const struct sc_forest *g;
	size_t blen, len2, i;
	char *bin = write_binary(f, NULL, &blen), *out = NULL;
	double x[3], q[2] = { 0.05, 0.95 }, o[2], o2[2];
	struct sc_rng r;
	FILE *fp;

	fp = fmemopen(bin, blen, "r");
	m = sc_model_read_flags(fp, SC_MODEL_PREDICT_ONLY, &e);
	fclose(fp);
	ck_assert_msg(m != NULL, "%s", e.msg);
	fp = fmemopen(bin, blen, "r");
	mn = sc_model_read_flags(fp, SC_MODEL_NO_RANKS, &e);
	fclose(fp);
	ck_assert_msg(mn != NULL, "%s", e.msg);
	g = sc_model_forest(m);
	ck_assert(sc_forest_has_ranks(g));
	ck_assert(!sc_forest_writable(g));
	ck_assert(sc_forest_writable(f));
#if !defined(__SANITIZE_ADDRESS__)
	/* A big forest's walking arrays, ranks too, are in one slab. */
	ck_assert_int_eq(g->slab != NULL, slab);
	ck_assert_int_eq(g->trees[trees - 1].inslab,
	    slab ? SLAB_NODES | SLAB_LRANK | SLAB_LVAL | SLAB_LREF | SLAB_RANK
	         : 0);
#else
	(void)slab;
#endif
	sc_rng_seed(&r, 6, 0);
	for (i = 0; i < 200; i++) {
		x[0] = sc_rng_double(&r) / 3;
		x[1] = sc_rng_double(&r) * 1e-7;
		x[2] = floor(sc_rng_double(&r) * 5);
		ck_assert(sc_forest_predict(f, x) == sc_forest_predict(g, x));
		ck_assert(sc_forest_predict(f, x) ==
		    sc_forest_predict(sc_model_forest(mn), x));
		ck_assert_int_eq(sc_forest_quantiles(f, x, q, 2, o, &e), 0);
		ck_assert_int_eq(sc_forest_quantiles(g, x, q, 2, o2, &e), 0);
		ck_assert(o[0] == o2[0] && o[1] == o2[1]);
	}
	fp = open_memstream(&out, &len2);
	ck_assert_int_eq(sc_model_write_form(fp, SC_MODEL_JSON, g,
	                     sc_model_meta(m), sc_model_extra(m), 1, &e),
	    -1);
	ck_assert_int_eq(e.code, SC_EUSAGE);
	fclose(fp);
	free(out);
	sc_model_free(m);
	sc_model_free(mn);
	free(bin);
	sc_forest_free(f);
}

START_TEST(test_model_binary_predict_only)
{
	predict_only(7, 200, 0);
	/* 60 trees of about 4,000 nodes: a slab of about 7 MB. */
	predict_only(60, 3000, 1);
}
END_TEST

/*
 * A model file read with the SHA-256 of the whole file: version 2 by the
 * checksum's own pass, version 1 and JSON by a thread beside the reading.
 */
START_TEST(test_model_read_hashed)
{
	struct sc_err e = { 0 };
	struct sc_forest *f = small_forest(5, 200);
	size_t blen, jlen, k;
	char *bin = write_binary(f, NULL, &blen);
	char *v1 = to_version1(bin, blen), *json = write_model(f, NULL, &jlen);
	const char *form[3] = { bin, v1, json };
	size_t flen[3] = { blen, blen, jlen };
	uint8_t want[32], got[32];
	double x[3] = { 0.1, 3e-8, 2 };
	struct sc_model *m;

	for (k = 0; k < 3; k++) {
		FILE *fp = tmpfile();

		ck_assert(fp != NULL);
		ck_assert_uint_eq(fwrite(form[k], 1, flen[k], fp), flen[k]);
		ck_assert_int_eq(fflush(fp), 0);
		rewind(fp);
		ck_assert_int_eq(sc_hash_sha256(form[k], flen[k], want, &e), 0);
		memset(got, 0, sizeof(got));
		m = sc_model_read_hashed(fp, "tmp",
		    k == 0 ? SC_MODEL_NO_RANKS : 0, got, &e);
		ck_assert_msg(m != NULL, "%s", e.msg);
		ck_assert_msg(memcmp(want, got, 32) == 0, "form %zu", k);
		ck_assert(sc_forest_predict(f, x) ==
		    sc_forest_predict(sc_model_forest(m), x));
		sc_model_free(m);
		fclose(fp);
	}
	free(json);
	free(v1);
	free(bin);
	sc_forest_free(f);
}
END_TEST

static void refuses_binary(const char *b, size_t len, const char *want);

/*
 * Version 1 of the binary form still reads, to the same model (the same
 * predictions and quantiles, written again as version 2 byte for byte),
 * and a changed byte of it is a checksum mismatch.
 */
START_TEST(test_model_binary_version1)
{
	struct sc_err e = { 0 };
	struct sc_forest *f = small_forest(4, 150);
	size_t blen, len2;
	char *bin = write_binary(f, NULL, &blen), *v1 = to_version1(bin, blen);
	char *again;
	double x[3] = { 0.3, 1e-8, 1 }, q[2] = { 0.05, 0.95 }, o1[2], o2[2];
	struct sc_model *m;

	ck_assert_int_eq(bin[8], 2);
	m = read_model(v1, blen, &e);
	ck_assert_msg(m != NULL, "%s", e.msg);
	ck_assert(sc_forest_predict(f, x) ==
	    sc_forest_predict(sc_model_forest(m), x));
	ck_assert_int_eq(sc_forest_quantiles(f, x, q, 2, o1, &e), 0);
	ck_assert_int_eq(sc_forest_quantiles(sc_model_forest(m), x, q, 2, o2,
	                     &e),
	    0);
	ck_assert(memcmp(o1, o2, sizeof(o1)) == 0);
	again = rewrite(m, SC_MODEL_BINARY, &len2);
	ck_assert_uint_eq(len2, blen);
	ck_assert(memcmp(again, bin, blen) == 0);
	free(again);
	sc_model_free(m);
	v1[blen / 2] ^= 4;
	refuses_binary(v1, blen, "checksum");
	v1[blen / 2] ^= 4;
	refuses_binary(v1, blen - 1, "truncated");
	free(v1);
	free(bin);
	sc_forest_free(f);
}
END_TEST

START_TEST(test_model_binary_roundtrip)
{
	struct sc_err e = { 0 };
	struct sc_forest *f = small_forest(7, 200);
	json_t *extra = json_pack("{s:{s:i}, s:o, s:s}", "tuning", "trials", 50,
	    "calibration", calib_json(0.25), "zz_unknown", "kept");
	struct sc_forest_tree a, b;
	struct sc_model *m, *mj;
	size_t blen, jlen, len2, k;
	char *bin = write_binary(f, extra, &blen);
	char *json = write_model(f, extra, &jlen), *again;
	double x[3] = { 0.1, 3e-8, 2 }, q[3] = { 0.05, 0.5, 0.95 }, o1[3],
	       o2[3];

	ck_assert(memcmp(bin, "\211SCF\r\n\032\n", 8) == 0);
	ck_assert_uint_lt(blen, jlen / 2);
	m = read_model(bin, blen, &e);
	ck_assert_msg(m != NULL, "%s", e.msg);
	{
		/* the calibration survives the binary form */
		struct sc_calib c;

		ck_assert_int_eq(sc_calib_from_extra(sc_model_extra(m), &c, &e),
		    1);
		ck_assert(c.lambda == 0.25);
	}
	for (k = 0; k < 7; k++) {
		sc_forest_tree(f, k, &a);
		sc_forest_tree(sc_model_forest(m), k, &b);
		same_tree(&a, &b);
	}
	ck_assert(sc_forest_predict(f, x) ==
	    sc_forest_predict(sc_model_forest(m), x));
	ck_assert_int_eq(sc_forest_quantiles(f, x, q, 3, o1, &e), 0);
	ck_assert_int_eq(sc_forest_quantiles(sc_model_forest(m), x, q, 3, o2,
	                     &e),
	    0);
	ck_assert(memcmp(o1, o2, sizeof(o1)) == 0);
	ck_assert_str_eq(sc_model_meta(m)->sha256 + 60, "eeff");
	ck_assert(json_equal(sc_model_extra(m), extra));
	/* binary -> JSON: the bytes the JSON writer makes. */
	again = rewrite(m, SC_MODEL_JSON, &len2);
	ck_assert_uint_eq(len2, jlen);
	ck_assert(memcmp(again, json, jlen) == 0);
	free(again);
	/* JSON -> binary: byte-identical to the first binary file. */
	mj = read_model(json, jlen, &e);
	ck_assert_msg(mj != NULL, "%s", e.msg);
	again = rewrite(mj, SC_MODEL_BINARY, &len2);
	ck_assert_uint_eq(len2, blen);
	ck_assert(memcmp(again, bin, blen) == 0);
	free(again);
	sc_model_free(mj);
	sc_model_free(m);
	json_decref(extra);
	free(json);
	free(bin);
	sc_forest_free(f);
}
END_TEST

/*
 * The binary form is written as its records are made, its length and
 * SHA-256 last, into anything: a file (at its position when the write
 * began), memory, a file opened to append.  The bytes are the same, over
 * more trees than the ring of records holds; a file that cannot be
 * written fails with SC_EIO.
 */
START_TEST(test_model_binary_streamed)
{
	struct sc_err e = { 0 };
	struct sc_model_meta m = { 40, "2024-01-01", "2024-01-28",
		"00112233445566778899aabbccddeeff00112233445566778899aabbccddee"
		"ff" };
	struct sc_forest *f = small_forest(70, 120);
	size_t blen, n;
	char *bin = write_binary(f, NULL, &blen), *got = malloc(blen + 8);
	char path[] = "/tmp/check_sc_model.XXXXXX";
	FILE *fp = tmpfile();
	int fd;

	ck_assert_ptr_nonnull(fp);
	ck_assert_int_eq(fputs("head", fp) >= 0, 1);
	ck_assert_int_eq(sc_model_write_binary(fp, f, &m, NULL, &e), 0);
	ck_assert_int_eq(fputs("tail", fp) >= 0, 1);
	rewind(fp);
	n = fread(got, 1, blen + 8, fp);
	fclose(fp);
	ck_assert_uint_eq(n, blen + 8);
	ck_assert(memcmp(got, "head", 4) == 0);
	ck_assert(memcmp(got + 4, bin, blen) == 0);
	ck_assert(memcmp(got + 4 + blen, "tail", 4) == 0);
	/* Appending: the same bytes. */
	ck_assert_int_ge(fd = mkstemp(path), 0);
	close(fd);
	fp = fopen(path, "a");
	ck_assert_int_eq(sc_model_write_binary(fp, f, &m, NULL, &e), 0);
	fclose(fp);
	fp = fopen(path, "r");
	n = fread(got, 1, blen + 8, fp);
	ck_assert_uint_eq(n, blen);
	ck_assert(memcmp(got, bin, blen) == 0);
	/* Open for reading only: the write fails, and says so. */
	ck_assert_int_eq(sc_model_write_binary(fp, f, &m, NULL, &e), -1);
	ck_assert_int_eq(e.code, SC_EIO);
	fclose(fp);
	unlink(path);
	free(got);
	free(bin);
	sc_forest_free(f);
}
END_TEST

/*
 * The records are made on the forest's threads and written in tree order
 * as they are ready, at most a ring of 32 held: the same bytes from 1, 2,
 * 3 or 7 threads over 75 trees (the ring goes round twice).
 */
START_TEST(test_model_binary_threads)
{
	size_t blen, n;
	struct sc_forest *f = small_forest_on(75, 120, 1);
	char *bin = write_binary(f, NULL, &blen), *got;
	int threads[] = { 2, 3, 7 };
	size_t i;

	sc_forest_free(f);
	for (i = 0; i < sizeof(threads) / sizeof(threads[0]); i++) {
		f = small_forest_on(75, 120, threads[i]);
		got = write_binary(f, NULL, &n);
		ck_assert_uint_eq(n, blen);
		ck_assert_msg(memcmp(got, bin, blen) == 0, "%d threads",
		    threads[i]);
		free(got);
		sc_forest_free(f);
	}
	free(bin);
}
END_TEST

/*
 * A tree whose nodes are not in depth-first preorder (children given
 * explicitly), -0.0 next to 0.0 as thresholds, a leaf of equal ranks:
 * JSON -> binary -> JSON gives the same text.
 */
START_TEST(test_model_binary_layout)
{
	static const char text[] =
	    "{\"format\":\"sc-forest\",\"version\":1,\"features\":[\"a\","
	    "\"b\"],\"target\":\"y\",\"params\":{\"trees\":2,\"max_depth\":"
	    "null,\"min_samples_split\":2,\"min_samples_leaf\":1,"
	    "\"max_features\":1.0,\"bootstrap\":false,\"max_samples\":null,"
	    "\"seed\":0},\"training\":{\"rows\":4,\"date_from\":null,"
	    "\"date_to\":null,\"sha256\":null},\"oob_rmse\":null,"
	    "\"importances\":{\"a\":0.5,\"b\":0.5},\"provenance\":{\"x\":1},"
	    "\"targets\":[-1.5,0.25,3.0],\"trees\":[{\"feature\":[1,-1,0,-1,"
	    "-1],\"threshold\":[-0.0,0.0,0.0,0.0,0.0],\"left\":[2,-1,4,-1,-1],"
	    "\"right\":[1,-1,3,-1,-1],\"value\":[1.0,2.0,3.0,-4.0,5e-300],"
	    "\"count\":[0,2,0,1,3],\"rank\":[0,2,1,0,0,2]},{\"feature\":[-1],"
	    "\"threshold\":[0.0],\"left\":[-1],\"right\":[-1],\"value\":[1.0]"
	    ",\"count\":[1],\"rank\":[2]}]}\n";
	struct sc_err e = { 0 };
	struct sc_model *m = read_model(text, strlen(text), &e), *mb;
	size_t blen, len;
	char *bin, *json;
	double x[2] = { 0, -0.0 };

	ck_assert_msg(m != NULL, "%s", e.msg);
	bin = rewrite(m, SC_MODEL_BINARY, &blen);
	mb = read_model(bin, blen, &e);
	ck_assert_msg(mb != NULL, "%s", e.msg);
	json = rewrite(mb, SC_MODEL_JSON, &len);
	ck_assert_uint_eq(len, strlen(text));
	ck_assert_msg(memcmp(json, text, len) == 0, "%.*s", (int)len, json);
	ck_assert(sc_forest_predict(sc_model_forest(m), x) ==
	    sc_forest_predict(sc_model_forest(mb), x));
	free(json);
	free(bin);
	sc_model_free(mb);
	sc_model_free(m);
}
END_TEST

static void
refuses_binary(const char *b, size_t len, const char *want)
{
	struct sc_err e = { 0 };

	ck_assert_ptr_null(read_model(b, len, &e));
	ck_assert_int_eq(e.code, SC_EDATA);
	ck_assert_msg(strstr(e.msg, want) != NULL, "message: %s", e.msg);
}

START_TEST(test_model_binary_errors)
{
	struct sc_forest *f = small_forest(2, 60);
	size_t len, cut;
	char *bin = write_binary(f, NULL, &len), *copy = malloc(len + 8);

	/* Cut anywhere: refused, the header or the length says so. */
	for (cut = 8; cut < len; cut += cut < 80 ? 1 : 37)
		refuses_binary(bin, cut, "binary");
	memcpy(copy, bin, len);
	copy[len / 2] ^= 4;
	refuses_binary(copy, len, "checksum");
	memcpy(copy, bin, len);
	copy[8] = 3;
	refuses_binary(copy, len, "version 3");
	memcpy(copy, bin, len);
	copy[12] = 1;
	refuses_binary(copy, len, "flags");
	memcpy(copy, bin, len);
	copy[len] = 0;
	reseal(copy, len + 1);
	refuses_binary(copy, len + 1, "bytes after");
	/* The embedded header is validated as the JSON one. */
	memcpy(copy, bin, len);
	for (cut = 16; cut + 11 < len; cut++)
		if (memcmp(copy + cut, "\"sc-forest\"", 11) == 0)
			break;
	ck_assert_uint_lt(cut + 11, len);
	copy[cut + 5] = 'X';
	reseal(copy, len);
	refuses_binary(copy, len, "format");
	free(copy);
	free(bin);
	sc_forest_free(f);
}
END_TEST

/*
 * Flip, overwrite or cut bytes of a valid binary model and seal it again
 * (so the checksum passes and the structure is what is tested): every
 * result is refused with a data error or is a valid forest, never a crash.
 */
START_TEST(test_model_binary_fuzz)
{
	struct sc_err e = { 0 };
	struct sc_forest *f = small_forest(2, 40);
	struct sc_model *m;
	struct sc_rng r;
	size_t len, cut, i, k;
	char *bin = write_binary(f, NULL, &len), *copy = malloc(len);
	int refused = 0;

	sc_rng_seed(&r, 78, 0);
	for (i = 0; i < 3000; i++) {
		memcpy(copy, bin, len);
		cut = len;
		switch (i % 3) {
		case 0:
			copy[16 + sc_rng_below(&r, len - 56)] ^=
			    (char)(1 << sc_rng_below(&r, 8));
			break;
		case 1:
			for (k = 0; k < 3; k++)
				copy[16 + sc_rng_below(&r, len - 56)] =
				    (char)sc_rng_below(&r, 256);
			break;
		default:
			cut = 56 + sc_rng_below(&r, len - 56);
		}
		reseal(copy, cut);
		if ((m = read_model(copy, cut, &e)) == NULL) {
			ck_assert_int_eq(e.code, SC_EDATA);
			refused++;
		} else {
			double x[3] = { 0.2, 1e-8, 1 }, mean, lo, hi;

			(void)sc_forest_predict(sc_model_forest(m), x);
			(void)sc_forest_interval(sc_model_forest(m), x, 0.9,
			    &mean, &lo, &hi, &e);
			sc_model_free(m);
		}
	}
	ck_assert_int_gt(refused, 1500);
	free(copy);
	free(bin);
	sc_forest_free(f);
}
END_TEST

Suite *
sc_model_suite(void)
{
	Suite *s = suite_create("model");
	TCase *tc;

	tc = tcase_create("roundtrip");
	tcase_add_test(tc, test_model_roundtrip_exact);
	tcase_add_test(tc, test_model_roundtrip_extra);
	tcase_add_test(tc, test_model_roundtrip_spelling);
	tcase_add_test(tc, test_model_binary_roundtrip);
	tcase_add_test(tc, test_model_binary_streamed);
	tcase_add_test(tc, test_model_binary_threads);
	tcase_add_test(tc, test_model_binary_noranks);
	tcase_add_test(tc, test_model_binary_predict_only);
	tcase_add_test(tc, test_model_read_hashed);
	tcase_add_test(tc, test_model_binary_version1);
	tcase_add_test(tc, test_model_binary_layout);
	tcase_set_timeout(tc, 60); /* a 60-tree forest, under sanitizers */
	suite_add_tcase(s, tc);
	tc = tcase_create("errors");
	tcase_add_test(tc, test_model_errors_edited);
	tcase_add_test(tc, test_model_errors_truncated);
	tcase_add_test(tc, test_model_errors_syntax);
	tcase_add_test(tc, test_model_errors_fuzz);
	tcase_add_test(tc, test_model_binary_errors);
	tcase_add_test(tc, test_model_binary_fuzz);
	tcase_add_test(tc, test_model_unused_last_feature);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}
