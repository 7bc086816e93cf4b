/* SPDX-License-Identifier: ISC */
/*
 * Forest: split search against a brute-force reference, tree invariants,
 * determinism across thread counts, OOB RMSE against a direct
 * computation, interval coverage, the fast walk against a reference walk,
 * and bad input.
 */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "check_sc.h"
#include "sc_forest.h"
#include "sc_forest_int.h"
#include "sc_model.h"
#include "sc_rng.h"
#include "sc_table.h"

/* A table of n rows and nf features; the callback fills one row. */
typedef double rowfn(struct sc_rng *, double *x, size_t nf);

static struct sc_table *
make_table(size_t n, size_t nf, rowfn *fn, uint64_t seed)
{
	struct sc_err e = { 0 };
	struct sc_rng rng;
	struct sc_table *t;
	char *buf = NULL;
	size_t len = 0, i, j;
	double x[64], y;
	FILE *fp = open_memstream(&buf, &len);

	sc_rng_seed(&rng, seed, 0);
	for (j = 0; j < nf; j++)
		fprintf(fp, "x%zu,", j);
	fprintf(fp, "target\n");
	for (i = 0; i < n; i++) {
		y = fn(&rng, x, nf);
		for (j = 0; j < nf; j++)
			fprintf(fp, "%.17g,", x[j]);
		fprintf(fp, "%.17g\n", y);
	}
	fclose(fp);
	fp = fmemopen(buf, len, "r");
	t = sc_table_read(fp, NULL, &e);
	fclose(fp);
	free(buf);
	ck_assert_msg(t != NULL, "%s", e.msg);
	return t;
}

/* Coarse values (few distinct, so the bins are exact), a noisy target. */
static double
coarse_row(struct sc_rng *r, double *x, size_t nf)
{
	size_t j;

	for (j = 0; j < nf; j++)
		x[j] = floor(sc_rng_double(r) * 40) / 8;
	return x[0] * x[0] - 2 * x[1] + (nf > 2 ? x[2] : 0) + sc_rng_double(r);
}

/* A smooth function with Gaussian-like noise (sum of uniforms). */
static double
noisy_row(struct sc_rng *r, double *x, size_t nf)
{
	double noise = 0;
	size_t j;
	int k;

	for (j = 0; j < nf; j++)
		x[j] = sc_rng_double(r);
	for (k = 0; k < 12; k++)
		noise += sc_rng_double(r);
	return 10 * sin(3 * x[0]) + 5 * x[1] + (noise - 6) * 1.0;
}

static void
params(struct sc_forest_params *p, int trees, int threads)
{
	sc_forest_defaults(p);
	p->trees = trees;
	p->threads = threads;
}

/* The leaf of tree tr for row x, by the flat arrays. */
static size_t
leaf_of(const struct sc_forest_tree *tr, const double *x)
{
	size_t i = 0;

	while (tr->feature[i] >= 0)
		i = (size_t)(x[tr->feature[i]] <= tr->threshold[i]
		        ? tr->left[i]
		        : tr->right[i]);
	return i;
}

static void
row_of(const struct sc_table *t, size_t i, double *x)
{
	size_t j;

	for (j = 0; j < sc_table_nfeatures(t); j++)
		x[j] = sc_table_column(t, j)[i];
}

struct bf {
	const struct sc_table *t;
	const int *in; /* rows in the node */
	size_t n;
	long min_leaf;
};

/* Score of splitting the node's rows by x[f] <= thr; -INF if not valid. */
static double
score_at(const struct bf *b, size_t f, double thr)
{
	const double *x = sc_table_column(b->t, f), *y = sc_table_y(b->t);
	double sl = 0, sr = 0;
	long nl = 0, nr = 0;
	size_t i;

	for (i = 0; i < b->n; i++) {
		if (x[b->in[i]] <= thr) {
			sl += y[b->in[i]];
			nl++;
		} else {
			sr += y[b->in[i]];
			nr++;
		}
	}
	if (nl < b->min_leaf || nr < b->min_leaf)
		return -INFINITY;
	return sl * sl / nl + sr * sr / nr;
}

static int
cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The best score over every feature and every distinct-value cut. */
static double
brute_best(const struct bf *b)
{
	double best = -INFINITY, sc, *v = malloc((b->n + 1) * sizeof(*v));
	size_t f, i;

	for (f = 0; f < sc_table_nfeatures(b->t); f++) {
		const double *x = sc_table_column(b->t, f);

		for (i = 0; i < b->n; i++)
			v[i] = x[b->in[i]];
		qsort(v, b->n, sizeof(*v), cmp_dbl);
		/* Cut after each distinct value but the largest. */
		for (i = 0; i + 1 < b->n; i++)
			if (v[i] != v[i + 1] &&
			    (sc = score_at(b, f, v[i])) > best)
				best = sc;
	}
	free(v);
	return best;
}

START_TEST(test_forest_split_brute_force)
{
	struct sc_err e = { 0 };
	struct sc_forest_params p;
	struct sc_forest_tree tr;
	/* Small tables, and big ones whose nodes keep full histograms. */
	struct sc_table *t =
	    make_table(_i < 6 ? 120 : 3000, 4, coarse_row, 7 + _i);
	struct sc_forest *f;
	size_t n = sc_table_nrows(t), node, i, checked = 0;
	int *in = malloc(n * sizeof(*in)), *depth;
	double x[8], best, got, tol;
	struct bf b = { t, in, 0, 3 };

	params(&p, 1, 1);
	p.bootstrap = 0;
	p.max_depth = 4;
	p.min_samples_leaf = 3;
	p.seed = (uint64_t)_i;
	f = sc_forest_fit(&p, t, &e);
	ck_assert_msg(f != NULL, "%s", e.msg);
	sc_forest_tree(f, 0, &tr);
	depth = calloc(tr.nodes, sizeof(*depth));
	for (node = 0; node < tr.nodes; node++)
		if (tr.feature[node] >= 0)
			depth[tr.left[node]] = depth[tr.right[node]] =
			    depth[node] + 1;
	for (node = 0; node < tr.nodes; node++) {
		/* The rows that reach node: walk each row from the root. */
		for (i = 0, b.n = 0; i < n; i++) {
			size_t k = 0;

			row_of(t, i, x);
			while (k != node && tr.feature[k] >= 0)
				k = (size_t)(x[tr.feature[k]] <= tr.threshold[k]
				        ? tr.left[k]
				        : tr.right[k]);
			if (k == node)
				in[b.n++] = (int)i;
		}
		best = brute_best(&b);
		tol = 1e-9 * (1 + fabs(best));
		if (tr.feature[node] >= 0) {
			got = score_at(&b, (size_t)tr.feature[node],
			    tr.threshold[node]);
			ck_assert_msg(got >= best - tol,
			    "node %zu: score %.17g "
			    "< brute force %.17g",
			    node, got, best);
			checked++;
		} else if (depth[node] < p.max_depth && b.n >= 6) {
			const double *y = sc_table_y(t);
			int constant = 1;

			for (i = 1; i < b.n; i++)
				constant &= y[in[i]] == y[in[0]];
			ck_assert_msg(constant || isinf(best),
			    "leaf %zu could "
			    "split: %.17g",
			    node, best);
		}
	}
	ck_assert_uint_gt(checked, 3);
	free(depth);
	free(in);
	sc_forest_free(f);
	sc_table_free(t);
}
END_TEST

/* Every leaf holds at least min_samples_leaf rows; no leaf is too deep. */
START_TEST(test_forest_tree_invariants)
{
	struct sc_err e = { 0 };
	struct sc_forest_params p;
	struct sc_forest_tree tr;
	struct sc_table *t = make_table(400, 5, noisy_row, 3);
	struct sc_forest *f;
	size_t k, i, node, *rows;
	int *depth, maxd = 0;
	double x[8];

	params(&p, 8, 2);
	p.bootstrap = _i == 0;
	p.max_depth = 6;
	p.min_samples_leaf = 4;
	p.max_features.value = 0.5;
	f = sc_forest_fit(&p, t, &e);
	ck_assert_msg(f != NULL, "%s", e.msg);
	for (k = 0; k < sc_forest_ntrees(f); k++) {
		sc_forest_tree(f, k, &tr);
		depth = calloc(tr.nodes, sizeof(*depth));
		rows = calloc(tr.nodes, sizeof(*rows));
		for (node = 0; node < tr.nodes; node++) {
			if (tr.feature[node] < 0) {
				ck_assert_uint_ge(tr.count[node], 4);
				continue;
			}
			depth[tr.left[node]] = depth[tr.right[node]] =
			    depth[node] + 1;
			maxd = depth[node] + 1 > maxd ? depth[node] + 1 : maxd;
		}
		for (node = 0; node < tr.nodes; node++)
			ck_assert_int_le(depth[node], 6);
		/*
		 * Every training row, in the bag or not, is kept in the leaf
		 * that prediction routes it to (the quantile leaves).
		 */
		for (i = 0; i < sc_table_nrows(t); i++) {
			row_of(t, i, x);
			rows[leaf_of(&tr, x)]++;
		}
		for (node = 0; node < tr.nodes; node++)
			if (tr.feature[node] < 0)
				ck_assert_uint_eq(rows[node], tr.count[node]);
		free(depth);
		free(rows);
	}
	ck_assert_int_eq(maxd, 6);
	sc_forest_free(f);
	sc_table_free(t);
}
END_TEST

/* f written in form, in memory; *len its size. */
static char *
model_form(const struct sc_forest *f, enum sc_model_form form, size_t *len)
{
	struct sc_err e = { 0 };
	struct sc_model_meta m = { 10, NULL, NULL, NULL };
	char *buf = NULL;
	FILE *fp = open_memstream(&buf, len);

	ck_assert_int_eq(sc_model_write_form(fp, form, f, &m, NULL, 1, &e), 0);
	fclose(fp);
	return buf;
}

static char *
model_text(const struct sc_forest *f, size_t *len)
{
	return model_form(f, SC_MODEL_JSON, len);
}

START_TEST(test_forest_determinism_threads)
{
	struct sc_err e = { 0 };
	struct sc_forest_params p;
	struct sc_table *t = make_table(600, 6, noisy_row, 11);
	struct sc_forest *f;
	char *ref = NULL, *s;
	size_t rlen = 0, len;
	int threads;

	for (threads = 1; threads <= 4; threads++) {
		params(&p, 12, threads);
		p.max_features.kind = SC_SHARE_SQRT;
		p.seed = 42;
		f = sc_forest_fit(&p, t, &e);
		ck_assert_msg(f != NULL, "%s", e.msg);
		s = model_text(f, &len);
		if (ref == NULL) {
			ref = s;
			rlen = len;
		} else {
			ck_assert_uint_eq(len, rlen);
			ck_assert_msg(memcmp(s, ref, len) == 0,
			    "%d threads: another model", threads);
			free(s);
		}
		sc_forest_free(f);
	}
	/* Another seed gives another forest. */
	p.seed = 43;
	f = sc_forest_fit(&p, t, &e);
	s = model_text(f, &len);
	ck_assert(len != rlen || memcmp(s, ref, len) != 0);
	free(s);
	free(ref);
	sc_forest_free(f);
	sc_table_free(t);
}
END_TEST

/*
 * A fit big enough for an arena (trees x rows at least 2 million) keeps
 * its trees' node arrays and ranks in huge-page slabs, and the forest is
 * the same bit for bit on one thread or three, each thread's workspace
 * growing several trees in turn (and so reused).
 */
START_TEST(test_forest_arena)
{
	struct sc_err e = { 0 };
	struct sc_forest_params p;
	struct sc_table *t = make_table(70000, 3, noisy_row, 5);
	struct sc_forest *f[2];
	char *b[2];
	size_t len[2], k;
	int i;

	for (i = 0; i < 2; i++) {
		params(&p, 30, i == 0 ? 1 : 3);
		p.min_samples_leaf = 20;
		f[i] = sc_forest_fit(&p, t, &e);
		ck_assert_msg(f[i] != NULL, "%s", e.msg);
		b[i] = model_form(f[i], SC_MODEL_BINARY, &len[i]);
	}
	ck_assert_uint_eq(len[0], len[1]);
	ck_assert_msg(memcmp(b[0], b[1], len[0]) == 0,
	    "3 threads: another forest");
	for (k = 0; k < 30; k++) {
		const struct tree *tr = &f[1]->trees[k];

#if !defined(__SANITIZE_ADDRESS__)
		/* No slab under AddressSanitizer: it cannot see inside one. */
		ck_assert_int_eq(tr->inslab, SLAB_TREE | SLAB_RANK);
#endif
		ck_assert_uint_eq(tr->nranks, 70000);
	}
#if !defined(__SANITIZE_ADDRESS__)
	ck_assert(f[0]->slab != NULL && f[1]->slab != NULL);
#endif
	/* Predictions from the arena's trees equal the other fit's. */
	ck_assert(sc_forest_predict(f[0], (double[]){ 0.3, 0.6, 0.1 }) ==
	    sc_forest_predict(f[1], (double[]){ 0.3, 0.6, 0.1 }));
	for (i = 0; i < 2; i++) {
		free(b[i]);
		sc_forest_free(f[i]);
	}
	sc_table_free(t);
}
END_TEST

/*
 * A fit on rows by index is the fit on a copy of those rows, bit for bit:
 * rows in another order, repeated and left out, with bins from continuous
 * values (more than 256 distinct) and from coarse ones, with every kind
 * of leaf ranks.
 */
START_TEST(test_forest_fit_rows_same)
{
	struct sc_err e = { 0 };
	struct sc_forest_params p;
	struct sc_table *t = make_table(900, 5,
	                    _i == 0 ? noisy_row : coarse_row, 17),
	                *c;
	struct sc_forest *f, *g;
	struct sc_forest_binned *bn;
	struct sc_forest_tree tr;
	size_t rows[700], i, j, k, at, la, lb;
	char *a, *b;

	for (i = 0; i < 700; i++)
		rows[i] = (i * 7919 + 13) % 880; /* shuffled, some twice */
	params(&p, 15, 2);
	p.max_samples.kind = SC_SHARE_FRAC;
	p.max_samples.value = 0.5;
	p.bag_ranks = _i == 1;
	p.interval_grid = _i == 1 ? 64 : 0;
	p.min_samples_leaf = _i == 1 ? 6 : 1; /* leaves of several ranks */
	c = sc_table_subset(t, rows, 700, &e);
	ck_assert_msg(c != NULL, "%s", e.msg);
	f = sc_forest_fit(&p, c, &e);
	ck_assert_msg(f != NULL, "%s", e.msg);
	g = sc_forest_fit_rows(&p, t, rows, 700, 0, &e);
	ck_assert_msg(g != NULL, "%s", e.msg);
	a = model_text(f, &la);
	b = model_text(g, &lb);
	ck_assert_uint_eq(la, lb);
	ck_assert_msg(memcmp(a, b, la) == 0, "another forest from the rows");
	free(b);
	/* Binned once, fitted twice: the same forest each time. */
	bn = sc_forest_bin(t, rows, 700, 2, &e);
	ck_assert_msg(bn != NULL, "%s", e.msg);
	for (k = 0; k < 2; k++) {
		sc_forest_free(g);
		g = sc_forest_fit_binned(&p, bn, 0, &e);
		ck_assert_msg(g != NULL, "%s", e.msg);
		b = model_text(g, &lb);
		ck_assert_uint_eq(la, lb);
		ck_assert_msg(memcmp(a, b, la) == 0, "another forest binned");
		free(b);
	}
	free(a);
	/* For means only: the same means, no out-of-bag estimate. */
	sc_forest_free(g);
	g = sc_forest_fit_rows(&p, t, rows, 700, 1, &e);
	ck_assert_msg(g != NULL, "%s", e.msg);
	ck_assert(isnan(sc_forest_oob_rmse(g)));
	for (i = 0; i < 900; i++) {
		double x[5];

		row_of(t, i, x);
		ck_assert(sc_forest_predict(f, x) == sc_forest_predict(g, x));
	}
	/* Each leaf's in-bag ranks sorted; binned, the same forest. */
	for (k = 0; k < sc_forest_ntrees(g); k++) {
		sc_forest_tree(g, k, &tr);
		for (i = 0, at = 0; i < tr.nodes; i++) {
			for (j = 1; tr.feature[i] < 0 && j < tr.count[i]; j++)
				ck_assert_uint_le(tr.rank[at + j - 1],
				    tr.rank[at + j]);
			at += tr.feature[i] < 0 ? tr.count[i] : 0;
		}
		ck_assert_uint_eq(at, tr.nranks);
	}
	a = model_text(g, &la);
	sc_forest_free(g);
	g = sc_forest_fit_binned(&p, bn, 1, &e);
	ck_assert_msg(g != NULL, "%s", e.msg);
	b = model_text(g, &lb);
	ck_assert_uint_eq(la, lb);
	ck_assert_msg(memcmp(a, b, la) == 0, "another mean-only forest binned");
	free(a);
	free(b);
	sc_forest_binned_free(bn);
	sc_forest_free(f);
	sc_forest_free(g);
	/* A row out of range is refused. */
	rows[3] = 900;
	ck_assert(sc_forest_fit_rows(&p, t, rows, 700, 0, &e) == NULL);
	ck_assert_int_eq(e.code, SC_EINTERNAL);
	sc_table_free(c);
	sc_table_free(t);
}
END_TEST

/*
 * Recompute the OOB RMSE from the trees and each tree's bootstrap, drawn
 * again from its documented stream: n draws of sc_rng_below(n) from
 * sc_rng_seed(seed, tree index).
 */
START_TEST(test_forest_oob_direct)
{
	struct sc_err e = { 0 };
	struct sc_forest_params p;
	struct sc_forest_tree tr;
	struct sc_table *t = make_table(300, 4, noisy_row, 5);
	struct sc_forest *f;
	size_t n = sc_table_nrows(t), k, i, used = 0;
	/* All rows, or 12 draws: the out-of-bag rows then far outnumber
	 * the samples. */
	size_t draws = _i == 0 ? n : 12;
	/* Loop 2: the estimate covers 50 rows, k n / 50 for k < 50. */
	size_t cover = _i == 2 ? 50 : n;
	unsigned *cnt = malloc(n * sizeof(*cnt)), *m = calloc(n, sizeof(*m));
	double *sum = calloc(n, sizeof(*sum)), x[8], sse = 0;
	const double *y = sc_table_y(t);
	struct sc_rng rng;

	params(&p, _i == 0 ? 25 : 60, 2);
	p.seed = 9;
	if (_i == 2) {
		p.oob_rows = (long)cover;
		p.bag_ranks = 1;
	}
	if (_i >= 1) {
		p.max_samples.kind = SC_SHARE_COUNT;
		p.max_samples.value = (double)draws;
	}
	f = sc_forest_fit(&p, t, &e);
	ck_assert_msg(f != NULL, "%s", e.msg);
	for (k = 0; k < sc_forest_ntrees(f); k++) {
		sc_forest_tree(f, k, &tr);
		memset(cnt, 0, n * sizeof(*cnt));
		sc_rng_seed(&rng, 9, k);
		for (i = 0; i < draws; i++)
			cnt[sc_rng_below(&rng, n)]++;
		for (size_t c = 0; c < cover; c++)
			if (cnt[i = c * n / cover] == 0) {
				row_of(t, i, x);
				sum[i] += tr.value[leaf_of(&tr, x)];
				m[i]++;
			}
	}
	for (i = 0; i < n; i++)
		if (m[i] > 0) {
			sse += (y[i] - sum[i] / m[i]) * (y[i] - sum[i] / m[i]);
			used++;
		}
	ck_assert_uint_gt(used, cover * 9 / 10);
	ck_assert_double_eq_tol(sc_forest_oob_rmse(f), sqrt(sse / used), 1e-12);
	free(cnt);
	free(m);
	free(sum);
	sc_forest_free(f);
	sc_table_free(t);
}
END_TEST

/* Fit on one sample of a noisy function; cover a fresh sample. */
static double
coverage(long min_leaf, double level, long grid, int bag, double *rmse)
{
	struct sc_err e = { 0 };
	struct sc_forest_params p;
	struct sc_table *tr = make_table(3000, 3, noisy_row, 21);
	struct sc_table *te = make_table(2000, 3, noisy_row, 22);
	struct sc_forest *f;
	size_t n = sc_table_nrows(te), i, in = 0;
	double *m = malloc(n * sizeof(*m)), *lo = malloc(n * sizeof(*lo));
	double *hi = malloc(n * sizeof(*hi)), sse = 0;
	const double *y = sc_table_y(te);

	params(&p, 100, 2);
	p.min_samples_leaf = min_leaf;
	p.interval_grid = grid;
	p.bag_ranks = bag;
	f = sc_forest_fit(&p, tr, &e);
	ck_assert_msg(f != NULL, "%s", e.msg);
	if (bag) {
		size_t k, t, at;
		struct sc_forest_tree tv;

		/* Each tree keeps its in-bag rows only (about 63%), sorted. */
		for (t = 0; t < 100; t++) {
			sc_forest_tree(f, t, &tv);
			ck_assert(
			    tv.nranks > 3000 / 2 && tv.nranks < 3000 * 3 / 4);
			for (k = 0, at = 0; k < tv.nodes; k++) {
				ck_assert(
				    tv.feature[k] >= 0 || tv.count[k] > 0);
				for (size_t r = 1; r < tv.count[k]; r++)
					ck_assert(tv.rank[at + r - 1] <=
					    tv.rank[at + r]);
				at += tv.count[k];
			}
			ck_assert_uint_eq(at, tv.nranks);
		}
	}
	if (grid > 0) {
		size_t ny, k, t;
		const double *ytab = sc_forest_targets(f, &ny);
		struct sc_forest_tree tv;

		ck_assert_uint_eq(ny, (size_t)grid);
		for (k = 1; k < ny; k++)
			ck_assert(ytab[k] > ytab[k - 1]);
		/* Split nodes keep no value; only leaves' values predict. */
		for (t = 0; t < 3; t++) {
			sc_forest_tree(f, t, &tv);
			for (k = 0; k < tv.nodes; k++)
				ck_assert(
				    tv.feature[k] < 0 || tv.value[k] == 0);
		}
	}
	ck_assert_int_eq(sc_forest_predict_table(f, te, NULL, level, 2, m, lo,
	                     hi, &e),
	    0);
	for (i = 0; i < n; i++) {
		ck_assert(lo[i] <= hi[i]);
		in += y[i] >= lo[i] && y[i] <= hi[i];
		sse += (y[i] - m[i]) * (y[i] - m[i]);
	}
	*rmse = sqrt(sse / n);
	free(m);
	free(lo);
	free(hi);
	sc_forest_free(f);
	sc_table_free(tr);
	sc_table_free(te);
	return (double)in / n;
}

START_TEST(test_forest_intervals_coverage)
{
	static const long leaf[] = { 5, 10 };
	double rmse, c = coverage(leaf[_i], 0.9, 0, 0, &rmse);

	if (getenv("SC_TEST_VERBOSE") != NULL)
		fprintf(stderr,
		    "min_samples_leaf %ld: 90%% interval covers "
		    "%.3f, rmse %.3f\n",
		    leaf[_i], c, rmse);
	ck_assert_msg(c >= 0.85 && c <= 0.95,
	    "90%% interval covers %.3f "
	    "(rmse %.3f)",
	    c, rmse);
}
END_TEST

/*
 * Ranks on a grid of 256 targets (of 3000): the same means (leaf values
 * are exact), and interval coverage within a point of the exact ranks'.
 */
START_TEST(test_forest_intervals_grid)
{
	double r0, r1, c0 = coverage(5, 0.9, 0, 0, &r0),
	               c1 = coverage(5, 0.9, 256, 0, &r1);

	if (getenv("SC_TEST_VERBOSE") != NULL)
		fprintf(stderr,
		    "90%% interval covers %.4f exact, %.4f on a "
		    "grid of 256\n",
		    c0, c1);
	ck_assert(r0 == r1);
	ck_assert_msg(fabs(c1 - c0) <= 0.01, "exact %.3f, grid %.3f", c0, c1);
}
END_TEST

/*
 * Leaves keep their tree's in-bag rows only: the same means (leaf values
 * do not depend on the ranks kept), and interval coverage near the
 * exact ranks' (each leaf pools about 63% as many targets).
 */
START_TEST(test_forest_intervals_bag)
{
	double r0, r1, c0 = coverage(10, 0.9, 0, 0, &r0),
	               c1 = coverage(10, 0.9, 0, 1, &r1);

	if (getenv("SC_TEST_VERBOSE") != NULL)
		fprintf(stderr,
		    "90%% interval covers %.4f with every row's rank, %.4f "
		    "with in-bag ranks\n",
		    c0, c1);
	ck_assert(r0 == r1);
	ck_assert_msg(fabs(c1 - c0) <= 0.03, "all %.3f, bag %.3f", c0, c1);
}
END_TEST

/*
 * With in-bag ranks, each leaf keeps exactly the ranks of its tree's bag
 * rows that reach it, sorted: on distinct targets (a rank names its row),
 * every rank's row walks to its leaf, no row twice, at most max_samples
 * in all.  Loop 0: a bag of 3,600 of 4,000 rows (ranks filled in rank
 * order); loop 1: 300 rows, under an eighth (each leaf's few sorted).
 */
START_TEST(test_forest_bag_ranks_leaves)
{
	struct sc_err e = { 0 };
	struct sc_forest_params p;
	struct sc_table *t = make_table(4000, 3, noisy_row, 17);
	struct sc_forest_tree tr;
	struct sc_forest *f;
	const double *ytab;
	double x[3];
	size_t ny, n = sc_table_nrows(t), k, i, l, at, seen, *row;
	char *used;

	params(&p, 6, 2);
	p.min_samples_leaf = 20; /* leaves of many rows to sort */
	p.bag_ranks = 1;
	p.interval_grid = 0;
	p.max_samples.kind = SC_SHARE_COUNT;
	p.max_samples.value = _i == 0 ? 3600 : 300;
	f = sc_forest_fit(&p, t, &e);
	ck_assert_msg(f != NULL, "%s", e.msg);
	ytab = sc_forest_targets(f, &ny);
	ck_assert_uint_eq(ny, n); /* distinct targets */
	/* The row of each rank. */
	ck_assert((row = malloc(ny * sizeof(*row))) != NULL);
	for (i = 0; i < n; i++) {
		const double *b = ytab, y = sc_table_y(t)[i];
		size_t lo = 0, hi = ny;

		while (lo < hi)
			if (b[(lo + hi) / 2] < y)
				lo = (lo + hi) / 2 + 1;
			else
				hi = (lo + hi) / 2;
		row[lo] = i;
	}
	for (k = 0; k < 6; k++) {
		sc_forest_tree(f, k, &tr);
		ck_assert_uint_le(tr.nranks, (size_t)p.max_samples.value);
		ck_assert((used = calloc(n, 1)) != NULL);
		for (l = 0, at = 0, seen = 0; l < tr.nodes; l++)
			for (i = 0; i < tr.count[l]; i++, at++) {
				size_t r = row[tr.rank[at]], j;

				if (i > 0)
					ck_assert_uint_lt(tr.rank[at - 1],
					    tr.rank[at]);
				for (j = 0; j < 3; j++)
					x[j] = sc_table_column(t, j)[r];
				ck_assert_uint_eq(leaf_of(&tr, x), l);
				ck_assert(!used[r]);
				used[r] = 1;
				seen++;
			}
		ck_assert_uint_eq(seen, tr.nranks);
		ck_assert_uint_gt(seen, (size_t)p.max_samples.value / 2);
		free(used);
	}
	free(row);
	sc_forest_free(f);
	sc_table_free(t);
}
END_TEST

/* One row through the public calls agrees with the table call. */
START_TEST(test_forest_predict_row)
{
	struct sc_err e = { 0 };
	struct sc_forest_params p;
	struct sc_table *t = make_table(500, 3, noisy_row, 8);
	struct sc_forest *f;
	size_t n = sc_table_nrows(t), i, map[3] = { 0, 1, 2 };
	double *m = malloc(n * sizeof(*m)), *lo = malloc(n * sizeof(*lo));
	double *hi = malloc(n * sizeof(*hi)), x[3];
	/* As the table call computes them, to the last bit. */
	double q[3] = { (1 - 0.9) / 2, 0.5, (1 + 0.9) / 2 };
	double out[3];

	params(&p, 30, 2);
	f = sc_forest_fit(&p, t, &e);
	ck_assert_int_eq(sc_forest_predict_table(f, t, map, 0.9, 3, m, lo, hi,
	                     &e),
	    0);
	for (i = 0; i < n; i += 7) {
		row_of(t, i, x);
		ck_assert(sc_forest_predict(f, x) == m[i]);
		ck_assert_int_eq(sc_forest_quantiles(f, x, q, 3, out, &e), 0);
		ck_assert(out[0] == lo[i] && out[2] == hi[i]);
		ck_assert(out[0] <= out[1] && out[1] <= out[2]);
		ck_assert_int_eq(sc_forest_interval(f, x, 0.9, &out[1], &out[0],
		                     &out[2], &e),
		    0);
		ck_assert(out[1] == m[i] && out[0] == lo[i] && out[2] == hi[i]);
	}
	ck_assert_int_eq(sc_forest_interval(f, x, 1.0, &out[1], &out[0],
	                     &out[2], &e),
	    -1);
	ck_assert_int_eq(e.code, SC_EUSAGE);
	/* Quantiles 0 and 1 are the smallest and largest pooled targets. */
	q[0] = 0;
	q[1] = 1;
	ck_assert_int_eq(sc_forest_quantiles(f, x, q, 2, out, &e), 0);
	ck_assert(out[0] <= lo[i - 7] && out[1] >= hi[i - 7]);
	ck_assert(sc_forest_importance(f, 0) > sc_forest_importance(f, 2));
	free(m);
	free(lo);
	free(hi);
	sc_forest_free(f);
	sc_table_free(t);
}
END_TEST

/*
 * A fitted forest is laid out for walking by its first prediction: four
 * threads predicting at once from a fresh forest agree with a forest that
 * was laid out first, and whichever call comes first (table, row,
 * quantiles, interval) gives what it gives after.
 */
struct first {
	const struct sc_forest *f;
	const struct sc_table *t;
	double *out;
};

static void *
first_rows(void *arg)
{
	struct first *w = arg;
	double x[3];
	size_t i;

	for (i = 0; i < sc_table_nrows(w->t); i++) {
		row_of(w->t, i, x);
		w->out[i] = sc_forest_predict(w->f, x);
	}
	return NULL;
}

START_TEST(test_forest_first_predict)
{
	struct sc_err e = { 0 };
	struct sc_forest_params p;
	struct sc_table *t = make_table(400, 3, noisy_row, 11);
	struct sc_forest *ref, *f;
	struct first w[4];
	pthread_t tid[4];
	size_t n = sc_table_nrows(t), i, k, map[3] = { 0, 1, 2 };
	double *m = malloc(n * sizeof(*m)), *lo = malloc(n * sizeof(*lo));
	double *hi = malloc(n * sizeof(*hi)), x[3], q[2] = { 0.05, 0.95 };
	double out[2], ro[2], mean, a, b;

	params(&p, 20, 2);
	ref = sc_forest_fit(&p, t, &e);
	ck_assert_ptr_nonnull(ref);
	ck_assert_int_eq(sc_forest_predict_table(ref, t, map, 0.9, 1, m, lo, hi,
	                     &e),
	    0);
	f = sc_forest_fit(&p, t, &e);
	for (k = 0; k < 4; k++) {
		w[k].f = f;
		w[k].t = t;
		w[k].out = malloc(n * sizeof(double));
		ck_assert_int_eq(pthread_create(&tid[k], NULL, first_rows,
		                     &w[k]),
		    0);
	}
	for (k = 0; k < 4; k++) {
		pthread_join(tid[k], NULL);
		for (i = 0; i < n; i++)
			ck_assert(w[k].out[i] == m[i]);
		free(w[k].out);
	}
	sc_forest_free(f);
	/* Quantiles first, then interval first. */
	row_of(t, 5, x);
	f = sc_forest_fit(&p, t, &e);
	ck_assert_int_eq(sc_forest_quantiles(f, x, q, 2, out, &e), 0);
	ck_assert_int_eq(sc_forest_quantiles(ref, x, q, 2, ro, &e), 0);
	ck_assert(out[0] == ro[0] && out[1] == ro[1]);
	sc_forest_free(f);
	f = sc_forest_fit(&p, t, &e);
	ck_assert_int_eq(sc_forest_interval(f, x, 0.9, &mean, &a, &b, &e), 0);
	ck_assert(mean == m[5] && a == lo[5] && b == hi[5]);
	sc_forest_free(f);
	free(m);
	free(lo);
	free(hi);
	sc_forest_free(ref);
	sc_table_free(t);
}
END_TEST

/* A random tree in preorder, for the walk against a reference. */
struct rtree {
	int32_t *feat, *left, *right;
	double *thr, *val;
	uint32_t *cnt, *rank;
	size_t n, nr;
};

static void
rt_alloc(struct rtree *t, size_t nodes)
{
	t->feat = malloc(nodes * sizeof(*t->feat));
	t->left = malloc(nodes * sizeof(*t->left));
	t->right = malloc(nodes * sizeof(*t->right));
	t->thr = malloc(nodes * sizeof(*t->thr));
	t->val = malloc(nodes * sizeof(*t->val));
	t->cnt = malloc(nodes * sizeof(*t->cnt));
	t->rank = malloc(3 * nodes * sizeof(*t->rank));
	t->n = t->nr = 0;
	ck_assert(t->feat != NULL && t->left != NULL && t->right != NULL &&
	    t->thr != NULL && t->val != NULL && t->cnt != NULL &&
	    t->rank != NULL);
}

static void
rt_free(struct rtree *t)
{
	free(t->feat);
	free(t->left);
	free(t->right);
	free(t->thr);
	free(t->val);
	free(t->cnt);
	free(t->rank);
}

/* A leaf with a value of its own and 1 to 3 sorted ranks below ny. */
static size_t
rt_leaf(struct rtree *t, struct sc_rng *r, size_t ny)
{
	size_t i = t->n++, k, c = 1 + (size_t)sc_rng_below(r, 3);
	uint32_t lo = 0;

	t->feat[i] = t->left[i] = t->right[i] = -1;
	t->thr[i] = 0;
	t->val[i] = (double)i + sc_rng_double(r);
	t->cnt[i] = (uint32_t)c;
	for (k = 0; k < c; k++) {
		lo += (uint32_t)sc_rng_below(r, ny - lo);
		t->rank[t->nr++] = lo;
	}
	return i;
}

/* Random splits on thresholds drawn from pool, down to depth. */
static size_t
rt_grow(struct rtree *t, struct sc_rng *r, int depth, size_t nf,
    const double *pool, size_t np, size_t ny)
{
	size_t i;

	if (depth == 0 || (depth < 6 && sc_rng_below(r, 4) == 0))
		return rt_leaf(t, r, ny);
	i = t->n++;
	t->feat[i] = (int32_t)sc_rng_below(r, nf);
	t->thr[i] = pool[sc_rng_below(r, np)];
	t->val[i] = 0;
	t->cnt[i] = 0;
	t->left[i] = (int32_t)rt_grow(t, r, depth - 1, nf, pool, np, ny);
	t->right[i] = (int32_t)rt_grow(t, r, depth - 1, nf, pool, np, ny);
	return i;
}

/* A search tree on feature 0 over the sorted thresholds v[lo..hi). */
static size_t
rt_bst(struct rtree *t, struct sc_rng *r, const double *v, size_t lo, size_t hi,
    size_t ny)
{
	size_t i, mid = lo + (hi - lo) / 2;

	if (lo >= hi)
		return rt_leaf(t, r, ny);
	i = t->n++;
	t->feat[i] = 0;
	t->thr[i] = v[mid];
	t->val[i] = 0;
	t->cnt[i] = 0;
	t->left[i] = (int32_t)rt_bst(t, r, v, lo, mid, ny);
	t->right[i] = (int32_t)rt_bst(t, r, v, mid + 1, hi, ny);
	return i;
}

/* The reference walk: right when x > threshold (NaN goes left), else left. */
static double
rt_walk(const struct rtree *t, const double *x)
{
	size_t i = 0;

	while (t->feat[i] >= 0)
		i = (size_t)(x[t->feat[i]] > t->thr[i] ? t->right[i]
		                                       : t->left[i]);
	return t->val[i];
}

/*
 * The fast walk (rows as ranks against threshold tables, compact nodes,
 * rows in lanes) against a straightforward walk of the node arrays, on
 * random forests: values tied with thresholds, -0.0 and 0.0, NaN (one row
 * at a time; a table holds no NaN), and (loop 3) a feature with more than
 * 65,535 thresholds, which takes the wide layout.
 */
START_TEST(test_forest_walk_reference)
{
	static const char *const names[] = { "a", "b", "c", "d" };
	enum { NT = 7, NROWS = 3000, NF = 4, NY = 40, WIDE = 70000 };
	struct sc_err e = { 0 };
	struct sc_forest_params p;
	struct sc_forest_tree tv[NT];
	struct rtree rt[NT];
	struct sc_rng r;
	struct sc_forest *f;
	struct sc_table *tab;
	double pool[40], ytab[NY], imp[NF] = { 0.25, 0.25, 0.25, 0.25 };
	double *x = malloc(NROWS * NF * sizeof(*x)), *wv = NULL, sum;
	double *m = malloc(NROWS * sizeof(*m)), *lo = malloc(NROWS * 8);
	double *hi = malloc(NROWS * 8), q[2] = { 0.05, 0.95 }, out[2];
	size_t i, k, map[NF] = { 0, 1, 2, 3 }, np = 0;
	struct sc_model_meta meta = { NROWS, NULL, NULL, NULL };
	char *buf = NULL;
	size_t len = 0;
	FILE *fp;

	sc_rng_seed(&r, 77, (uint64_t)_i);
	for (i = 0; i < NY; i++)
		ytab[i] = (double)i * 0.5 - 3;
	pool[np++] = -0.0;
	pool[np++] = 0.0;
	while (np < 40)
		pool[np++] = (double)sc_rng_below(&r, 16) / 4 - 2;
	if (_i == 3) {
		/* Distinct thresholds around 0, -0.0 and 0.0 among them. */
		ck_assert((wv = malloc(WIDE * sizeof(*wv))) != NULL);
		for (i = 0; i < WIDE; i++)
			wv[i] = ((double)i - WIDE / 2) / 8192;
		wv[WIDE / 2 - 1] = -0.0;
	}
	for (k = 0; k < NT; k++) {
		rt_alloc(&rt[k], _i == 3 && k == 0 ? 2 * WIDE + 1 : 4096);
		if (_i == 3 && k == 0)
			(void)rt_bst(&rt[k], &r, wv, 0, WIDE, NY);
		else
			(void)rt_grow(&rt[k], &r, 3 + 2 * (int)_i, NF, pool, np,
			    NY);
		tv[k].nodes = rt[k].n;
		tv[k].feature = rt[k].feat;
		tv[k].threshold = rt[k].thr;
		tv[k].left = rt[k].left;
		tv[k].right = rt[k].right;
		tv[k].value = rt[k].val;
		tv[k].count = rt[k].cnt;
		tv[k].nranks = rt[k].nr;
		tv[k].rank = rt[k].rank;
	}
	sc_forest_defaults(&p);
	p.trees = NT;
	f = sc_forest_assemble(&p, names, NF, "y", ytab, NY, NAN, imp, tv, NT,
	    &e);
	ck_assert_msg(f != NULL, "%s", e.msg);
	/* Rows: ties with the thresholds, signed zeros, values between. */
	fp = open_memstream(&buf, &len);
	fprintf(fp, "a,b,c,d,target\n");
	for (i = 0; i < NROWS; i++) {
		for (k = 0; k < NF; k++) {
			double *v = &x[i * NF + k];

			switch (sc_rng_below(&r, 4)) {
			case 0:
				*v = pool[sc_rng_below(&r, np)];
				break;
			case 1:
				*v = wv != NULL ? wv[sc_rng_below(&r, WIDE)]
				                : -0.0;
				break;
			default:
				*v = sc_rng_double(&r) * 5 - 2.5;
			}
			fprintf(fp, "%.17g,", *v);
		}
		fprintf(fp, "0\n");
	}
	fclose(fp);
	fp = fmemopen(buf, len, "r");
	tab = sc_table_read(fp, NULL, &e);
	fclose(fp);
	ck_assert_msg(tab != NULL, "%s", e.msg);
	ck_assert_int_eq(sc_forest_predict_table(f, tab, map, 0.9, 2, m, lo, hi,
	                     &e),
	    0);
	for (i = 0; i < NROWS; i++) {
		for (k = 0, sum = 0; k < NT; k++)
			sum += rt_walk(&rt[k], &x[i * NF]);
		sum /= NT;
		ck_assert_msg(m[i] == sum, "row %zu: %a, not %a", i, m[i], sum);
		ck_assert(sc_forest_predict(f, &x[i * NF]) == sum);
		ck_assert_int_eq(sc_forest_quantiles(f, &x[i * NF], q, 2, out,
		                     &e),
		    0);
		ck_assert(out[0] == lo[i] && out[1] == hi[i]);
		/* A missing value goes left, in both walks. */
		x[i * NF + i % NF] = NAN;
		for (k = 0, sum = 0; k < NT; k++)
			sum += rt_walk(&rt[k], &x[i * NF]);
		ck_assert(sc_forest_predict(f, &x[i * NF]) == sum / NT);
	}
	/*
	 * The binary form read for predicting only lays each tree out as it
	 * decodes it (narrow and, loop 3, wide): the same means and bands.
	 */
	free(buf);
	buf = NULL;
	fp = open_memstream(&buf, &len);
	ck_assert_int_eq(sc_model_write_form(fp, SC_MODEL_BINARY, f, &meta,
	                     NULL, 2, &e),
	    0);
	fclose(fp);
	for (k = 0; k < 2; k++) {
		struct sc_model *mo;
		double *m2 = malloc(NROWS * 8), *lo2 = malloc(NROWS * 8);
		double *hi2 = malloc(NROWS * 8);

		fp = fmemopen(buf, len, "r");
		mo = sc_model_read_flags(fp,
		    k == 0 ? SC_MODEL_PREDICT_ONLY : SC_MODEL_NO_RANKS, &e);
		fclose(fp);
		ck_assert_msg(mo != NULL, "%s", e.msg);
		ck_assert_int_eq(sc_forest_predict_table(sc_model_forest(mo),
		                     tab, map, k == 0 ? 0.9 : 0, 2, m2, lo2,
		                     hi2, &e),
		    0);
		for (i = 0; i < NROWS; i++) {
			ck_assert(memcmp(&m2[i], &m[i], sizeof(m[i])) == 0);
			ck_assert(
			    k == 1 || (lo2[i] == lo[i] && hi2[i] == hi[i]));
		}
		sc_model_free(mo);
		free(m2);
		free(lo2);
		free(hi2);
	}
	for (k = 0; k < NT; k++)
		rt_free(&rt[k]);
	sc_table_free(tab);
	sc_forest_free(f);
	free(buf);
	free(wv);
	free(x);
	free(m);
	free(lo);
	free(hi);
}
END_TEST

static struct sc_table *
text_table(const char *s)
{
	struct sc_err e = { 0 };
	FILE *fp = sc_test_str(s);
	struct sc_table *t = sc_table_read(fp, NULL, &e);

	fclose(fp);
	ck_assert_msg(t != NULL, "%s", e.msg);
	return t;
}

static void
fit_fails(const char *csv, const struct sc_forest_params *p,
    enum sc_errcode code, const char *msg)
{
	struct sc_err e = { 0 };
	struct sc_table *t = text_table(csv);

	ck_assert_ptr_null(sc_forest_fit(p, t, &e));
	ck_assert_int_eq(e.code, code);
	ck_assert_msg(strstr(e.msg, msg) != NULL, "message: %s", e.msg);
	sc_table_free(t);
}

START_TEST(test_forest_errors_data)
{
	struct sc_forest_params p;

	params(&p, 5, 1);
	fit_fails("a,target\n", &p, SC_EDATA, "at least 2");
	fit_fails("a,target\n1,2\n", &p, SC_EDATA, "at least 2");
	fit_fails("a,target\n1,2\n2,2\n3,2\n", &p, SC_EDATA, "constant");
	fit_fails("a,b,c,target\n1,2,3,4\n2,3,4,5\n", &p, SC_EDATA,
	    "more features (3) than rows (2)");
	p.max_features.kind = SC_SHARE_COUNT;
	p.max_features.value = 3;
	fit_fails("a,b,target\n1,2,3\n2,3,4\n3,4,5\n", &p, SC_EUSAGE,
	    "more than the 2 features");
	params(&p, 5, 1);
	p.max_samples.kind = SC_SHARE_COUNT;
	p.max_samples.value = 9;
	fit_fails("a,target\n1,2\n2,3\n3,4\n", &p, SC_EUSAGE,
	    "more than the 3 rows");
	params(&p, 0, 1);
	fit_fails("a,target\n1,2\n2,3\n3,4\n", &p, SC_EUSAGE, "trees");
}
END_TEST

START_TEST(test_forest_errors_params)
{
	struct sc_err e = { 0 };
	struct sc_forest_params p;
	struct sc_share s;

	ck_assert_int_eq(sc_share_parse("sqrt", 1, 1, &s, &e), 0);
	ck_assert_int_eq(s.kind, SC_SHARE_SQRT);
	ck_assert_int_eq(sc_share_parse("0.25", 0, 2, &s, &e), 0);
	ck_assert(s.kind == SC_SHARE_FRAC && s.value == 0.25);
	ck_assert_int_eq(sc_share_parse("1.0", 0, 2, &s, &e), 0);
	ck_assert(s.kind == SC_SHARE_FRAC && s.value == 1.0);
	ck_assert_int_eq(sc_share_parse("3", 0, 2, &s, &e), 0);
	ck_assert(s.kind == SC_SHARE_COUNT && s.value == 3);
	ck_assert_int_eq(sc_share_parse("1", 0, 2, &s, &e), -1);
	ck_assert_int_eq(e.code, SC_EUSAGE);
	ck_assert_int_eq(sc_share_parse("sqrt", 0, 2, &s, &e), -1);
	ck_assert_int_eq(sc_share_parse("1.5", 1, 1, &s, &e), -1);
	ck_assert_int_eq(sc_share_parse("0.0", 1, 1, &s, &e), -1);
	ck_assert_int_eq(sc_share_parse("x", 1, 1, &s, &e), -1);
	ck_assert_int_eq(sc_share_parse("nan", 1, 1, &s, &e), -1);
	params(&p, 10, 1);
	ck_assert_int_eq(sc_forest_check(&p, &e), 0);
	p.bootstrap = 0;
	p.max_samples.value = 0.5;
	ck_assert_int_eq(sc_forest_check(&p, &e), -1);
	params(&p, 10, 1);
	p.min_samples_leaf = 0;
	ck_assert_int_eq(sc_forest_check(&p, &e), -1);
	params(&p, 10, -1);
	ck_assert_int_eq(sc_forest_check(&p, &e), -1);
	params(&p, 10, 1);
	p.interval_grid = 15;
	ck_assert_int_eq(sc_forest_check(&p, &e), -1);
	ck_assert_msg(strstr(e.msg, "interval_grid") != NULL, "%s", e.msg);
	p.interval_grid = 16;
	ck_assert_int_eq(sc_forest_check(&p, &e), 0);
}
END_TEST

Suite *
sc_forest_suite(void)
{
	Suite *s = suite_create("forest");
	TCase *tc;

	tc = tcase_create("split");
	tcase_add_loop_test(tc, test_forest_split_brute_force, 0, 9);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	tc = tcase_create("tree");
	tcase_add_loop_test(tc, test_forest_tree_invariants, 0, 2);
	suite_add_tcase(s, tc);
	tc = tcase_create("determinism");
	tcase_add_test(tc, test_forest_determinism_threads);
	tcase_add_loop_test(tc, test_forest_fit_rows_same, 0, 2);
	suite_add_tcase(s, tc);
	tc = tcase_create("arena");
	tcase_add_test(tc, test_forest_arena);
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);
	tc = tcase_create("oob");
	tcase_add_loop_test(tc, test_forest_oob_direct, 0, 3);
	suite_add_tcase(s, tc);
	tc = tcase_create("intervals");
	tcase_add_test(tc, test_forest_intervals_grid);
	tcase_add_test(tc, test_forest_intervals_bag);
	tcase_add_loop_test(tc, test_forest_bag_ranks_leaves, 0, 2);
	tcase_add_loop_test(tc, test_forest_intervals_coverage, 0, 2);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	tc = tcase_create("predict");
	tcase_add_test(tc, test_forest_predict_row);
	tcase_add_test(tc, test_forest_first_predict);
	tcase_add_loop_test(tc, test_forest_walk_reference, 0, 4);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	tc = tcase_create("errors");
	tcase_add_test(tc, test_forest_errors_data);
	tcase_add_test(tc, test_forest_errors_params);
	suite_add_tcase(s, tc);
	return s;
}
