/* SPDX-License-Identifier: ISC */
/*
 * Prediction: the mean of the trees' leaf values, and quantiles of the
 * training targets in the leaves a row reaches (Meinshausen's quantile
 * regression forest).  A table's rows become ranks against the forest's
 * threshold tables (sc_forest_int.h), so the walk compares integers on
 * 8-byte nodes; they go through the forest in chunks as large as the
 * threads allow (a tree is read from memory once per chunk), tree after
 * tree, eight rows walking in lock step without a branch per node so
 * that their memory loads overlap (friedman1's 40,000 rows, ranks and
 * walk on one thread: sixteen rows reached through pointers 0.142 s,
 * sixteen in feature-major blocks 0.112 s, eight 0.093 s).  A quantile
 * reads the reached leaves' sorted rank lists in place, spreads their
 * weights over buckets and sorts only the one bucket that holds the
 * answer (on friedman1 an interval costs about as much again as the
 * walk).
 */
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "sc_forest_int.h"

/*
 * The number of the leaf of tree t that row x reaches, comparing x with
 * the thresholds.
 */
static uint32_t
tree_leaf(const struct sc_forest *f, const struct tree *t, const double *x)
{
	const double *thr = f->thr;
	const size_t *to = f->toff;
	uint32_t at = 0, j;

	if (f->wide) {
		while (t->wn[at].kids != at) {
			j = t->wn[at].feat;
			at = t->wn[at].kids +
			    (x[j] > thr[to[j] + t->wn[at].thr]);
		}
	} else
		while (t->cn[at].kids != at) {
			j = t->cn[at].feat;
			at = t->cn[at].kids +
			    (x[j] > thr[to[j] + t->cn[at].thr]);
		}
	return leaf_number(t->lr, at);
}

double
sc_forest_predict(const struct sc_forest *f, const double *x)
{
	double sum = 0;
	size_t t;

	if (sc_forest_ready(f) == -1)
		return NAN;
	for (t = 0; t < f->ntrees; t++)
		sum += f->trees[t].lval[tree_leaf(f, &f->trees[t], x)];
	return sum / (double)f->ntrees;
}

struct qent {
	uint32_t rank;
	double w;
};

/* Scratch for quantiles: one row's leaves, and one bucket's entries. */
struct qbuf {
	uint32_t (*lf)[2]; /* per tree: rank offset, rank count */
	struct qent *tmp;
	size_t tcap;
};

#define QBUCKETS 256

static int
cmp_qent(const void *a, const void *b)
{
	uint32_t x = ((const struct qent *)a)->rank;
	uint32_t y = ((const struct qent *)b)->rank;

	return x < y ? -1 : x > y;
}

/* Sort e[0..n) by rank: insertion sort for the usual few. */
static void
sort_qent(struct qent *e, size_t n)
{
	struct qent x;
	size_t i, k;

	if (n > 32) {
		qsort(e, n, sizeof(*e), cmp_qent);
		return;
	}
	for (i = 1; i < n; i++) {
		x = e[i];
		for (k = i; k > 0 && e[k - 1].rank > x.rank; k--)
			e[k] = e[k - 1];
		e[k] = x;
	}
}

/* The entries of bucket [lo, hi] of ranks, from every leaf, into b->tmp. */
static int
gather(const struct sc_forest *f, const uint32_t (*lf)[2], uint32_t lo,
    uint32_t hi, size_t total, struct qbuf *b, size_t *m)
{
	const uint32_t *r;
	size_t t, j, k;
	double w;

	if (b->tcap < total) {
		struct qent *p = realloc(b->tmp, total * sizeof(*p));

		if (p == NULL)
			return -1;
		b->tmp = p;
		b->tcap = total;
	}
	for (t = 0, *m = 0; t < f->ntrees; t++) {
		r = f->trees[t].rank + lf[t][0];
		k = lf[t][1];
		w = 1.0 / (double)k;
		/* A leaf's ranks are sorted: skip to the bucket, stop after. */
		for (j = 0; j < k && r[j] < lo; j++)
			;
		for (; j < k && r[j] <= hi; j++) {
			b->tmp[*m].rank = r[j];
			b->tmp[(*m)++].w = w;
		}
	}
	return 0;
}

/*
 * For each target t[q] (a cumulative weight; the total is the number of
 * trees), the smallest rank whose cumulative weight over the leaves lf
 * reaches it.  One pass over the leaves' sorted rank lists spreads their
 * weights (1/leaf size) over QBUCKETS buckets of their rank range; a scan
 * of the buckets finds a target's bucket, and only that bucket's entries
 * are gathered and sorted.  Nothing is copied but one bucket.
 */
static int
leaf_quantiles(const struct sc_forest *f, const uint32_t (*lf)[2],
    const double *t, size_t nq, uint32_t *out, struct qbuf *b)
{
	double bw[QBUCKETS], acc, w;
	uint32_t rmin = UINT32_MAX, rmax = 0, span;
	const uint32_t *r;
	size_t i, q, bk, m, k, total = 0;
	int sh = 0;

	for (i = 0; i < f->ntrees; i++) {
		r = f->trees[i].rank + lf[i][0];
		k = lf[i][1];
		rmin = r[0] < rmin ? r[0] : rmin;
		rmax = r[k - 1] > rmax ? r[k - 1] : rmax;
		total += k;
	}
	for (span = rmax - rmin; (span >> sh) >= QBUCKETS; sh++)
		;
	memset(bw, 0, sizeof(bw));
	for (i = 0; i < f->ntrees; i++) {
		r = f->trees[i].rank + lf[i][0];
		w = 1.0 / (double)lf[i][1];
		for (k = 0; k < lf[i][1]; k++)
			bw[(r[k] - rmin) >> sh] += w;
	}
	for (q = 0; q < nq; q++) {
		for (bk = 0, acc = 0; bk < QBUCKETS && acc + bw[bk] < t[q];
		     bk++)
			acc += bw[bk];
		out[q] = rmax;
		if (bk == QBUCKETS)
			continue; /* rounding left the total short */
		if (gather(f, lf, rmin + ((uint32_t)bk << sh),
		        rmin + ((uint32_t)bk << sh) + ((1U << sh) - 1), total,
		        b, &m) == -1)
			return -1;
		sort_qent(b->tmp, m);
		for (i = 0; i < m; i++) {
			out[q] = b->tmp[i].rank;
			if ((acc += b->tmp[i].w) >= t[q])
				break;
		}
	}
	return 0;
}

/*
 * The leaves row x reaches, into b->lf, and the mean prediction into
 * *mean (one walk serves both); -1 when out of memory.
 */
static int
row_leaves(const struct sc_forest *f, const double *x, struct qbuf *b,
    double *mean)
{
	uint32_t k;
	double sum = 0;
	size_t t;

	if (b->lf == NULL &&
	    (b->lf = malloc(f->ntrees * sizeof(*b->lf))) == NULL)
		return -1;
	for (t = 0; t < f->ntrees; t++) {
		k = tree_leaf(f, &f->trees[t], x);
		sum += f->trees[t].lval[k];
		b->lf[t][0] = f->trees[t].lref[k][0];
		b->lf[t][1] = f->trees[t].lref[k][1];
	}
	*mean = sum / (double)f->ntrees;
	return 0;
}

static int
quantiles_buf(const struct sc_forest *f, const double *x, const double *q,
    size_t nq, double *out, double *mean, struct qbuf *b)
{
	double t[8];
	uint32_t r[8];
	size_t k, i, c;

	if (row_leaves(f, x, b, mean) == -1)
		return -1;
	for (k = 0; k < nq; k += c) {
		c = nq - k < 8 ? nq - k : 8;
		for (i = 0; i < c; i++)
			t[i] = q[k + i] * (double)f->ntrees;
		if (leaf_quantiles(f, (const uint32_t(*)[2])b->lf, t, c, r,
		        b) == -1)
			return -1;
		for (i = 0; i < c; i++)
			out[k + i] = f->ytab[r[i]];
	}
	return 0;
}

static int
no_ranks(struct sc_err *e)
{
	return sc_err_set(e, SC_EUSAGE, 0,
	    "no intervals: the model was read without its leaves' ranks");
}

int
sc_forest_quantiles(const struct sc_forest *f, const double *x, const double *q,
    size_t nq, double *out, struct sc_err *e)
{
	struct qbuf b = { NULL, NULL, 0 };
	double mean;
	int rc;

	if (f->noranks)
		return no_ranks(e);
	if (sc_forest_ready(f) == -1)
		return sc_err_set(e, SC_EOS, 0, "out of memory");
	rc = quantiles_buf(f, x, q, nq, out, &mean, &b);

	free(b.lf);
	free(b.tmp);
	if (rc == -1)
		return sc_err_set(e, SC_EOS, 0, "out of memory");
	return 0;
}

int
sc_forest_interval(const struct sc_forest *f, const double *x, double level,
    double *mean, double *lo, double *hi, struct sc_err *e)
{
	struct qbuf b = { NULL, NULL, 0 };
	double q[2] = { (1 - level) / 2, (1 + level) / 2 }, out[2];
	int rc;

	if (!(level > 0 && level < 1))
		return sc_err_set(e, SC_EUSAGE, 0,
		    "interval level %g: want a share in (0, 1)", level);
	if (f->noranks)
		return no_ranks(e);
	if (sc_forest_ready(f) == -1)
		return sc_err_set(e, SC_EOS, 0, "out of memory");
	rc = quantiles_buf(f, x, q, 2, out, mean, &b);
	free(b.lf);
	free(b.tmp);
	if (rc == -1)
		return sc_err_set(e, SC_EOS, 0, "out of memory");
	*lo = out[0];
	*hi = out[1];
	return 0;
}

/*
 * Rows per chunk: a tree is read from memory once per chunk, so a thread
 * takes as many rows as it can (the rows over the threads), up to
 * PRED_CHUNK_MAX.
 */
#define PRED_CHUNK_MIN 1024
#define PRED_CHUNK_MAX 65536
/* Rows walked in lock step so that their loads overlap; 4, 6, 10, 12, 16
 * and 32 were slower on friedman1. */
#define LANES 8

struct predjob {
	const struct sc_forest *f;
	const struct sc_table *t;
	const size_t *map;
	double q[2];
	double *mean, *lo, *hi;
	size_t chunk; /* rows */
	atomic_int failed;
};

/*
 * Walk m rows of ranks xb through the nodes of a tree; out[i] gets the
 * place of row i's leaf.  The rows come in blocks of LANES, each block
 * feature-major (rank of feature j of the block's row r at j * LANES +
 * r; m a multiple of LANES, the last block padded), so that a lane finds
 * its row's value at a fixed offset from the feature's: the lanes' loop
 * unrolled, nothing but the node and the value is loaded per step.  The
 * narrow and the wide layout walk alike, one function each.
 */
#define WALK_ROWS(name, node_t, rank_t)                                        \
	static void name(const node_t *pn, const rank_t *xb, size_t nf,        \
	    size_t m, uint32_t *out)                                           \
	{                                                                      \
		uint32_t at[LANES], nx;                                        \
		size_t i, r;                                                   \
		unsigned moved;                                                \
                                                                               \
		for (i = 0; i < m; i += LANES) {                               \
			const rank_t *blk = xb + i * nf;                       \
                                                                               \
			for (r = 0; r < LANES; r++)                            \
				at[r] = 0;                                     \
			/* A leaf leads to itself: no branch but the last. */  \
			do {                                                   \
				moved = 0;                                     \
				_Pragma("GCC unroll 8") for (r = 0; r < LANES; \
				                             r++)              \
				{                                              \
					const node_t *p = &pn[at[r]];          \
                                                                               \
					nx = p->kids +                         \
					    (blk[p->feat * LANES + r] >        \
					        p->thr);                       \
					moved |= nx != at[r];                  \
					at[r] = nx;                            \
				}                                              \
			} while (moved);                                       \
			for (r = 0; r < LANES; r++)                            \
				out[i + r] = at[r];                            \
		}                                                              \
	}

WALK_ROWS(walk_narrow, struct cnode, uint16_t)
WALK_ROWS(walk_wide, struct wnode, uint32_t)

/* The m places p[i] of leaves of lr become the leaves' numbers. */
static void
to_leaves(const struct lrank *lr, uint32_t *p, size_t m)
{
	size_t i;

	for (i = 0; i < m; i++)
		p[i] = leaf_number(lr, p[i]);
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
/* As to_leaves(), with the CPU's population count (baseline x86-64 has none). */
__attribute__((target("popcnt"))) static void
to_leaves_popcnt(const struct lrank *lr, uint32_t *p, size_t m)
{
	size_t i;
	uint32_t w;

	for (i = 0; i < m; i++) {
		w = p[i] / 32;
		p[i] = lr[w].before +
		    (uint32_t)__builtin_popcount(
		        lr[w].bits & ((1U << (p[i] % 32)) - 1));
	}
}
#endif

/* The fastest to_leaves() this CPU runs. */
static void (*leaves_fn(void))(const struct lrank *, uint32_t *, size_t)
{
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
	if (__builtin_cpu_supports("popcnt"))
		return to_leaves_popcnt;
#endif
	return to_leaves;
}

/*
 * Walk m rows of ranks xb (mp in whole blocks of LANES, see WALK_ROWS)
 * through every tree, tree after tree so that a
 * tree stays in the cache for the whole chunk, adding leaf values in tree
 * order into sum; leaf (when not NULL) gets row i's leaf in tree t at
 * i*T+t as (rank offset, rank count), so pooling reads it in order.
 */
static void
walk_rows(const struct sc_forest *f, const void *xb, size_t m, size_t mp,
    double *sum, uint32_t (*leaf)[2], uint32_t *lp)
{
	void (*leaves)(const struct lrank *, uint32_t *, size_t) = leaves_fn();
	const struct tree *tr;
	size_t t, i, nt = f->ntrees;

	for (i = 0; i < m; i++)
		sum[i] = 0;
	for (t = 0; t < f->ntrees; t++) {
		tr = &f->trees[t];
		if (f->wide)
			walk_wide(tr->wn, xb, f->nfeat, mp, lp);
		else
			walk_narrow(tr->cn, xb, f->nfeat, mp, lp);
		leaves(tr->lr, lp, m);
		for (i = 0; i < m; i++)
			sum[i] += tr->lval[lp[i]];
		for (i = 0; leaf != NULL && i < m; i++) {
			leaf[i * nt + t][0] = tr->lref[lp[i]][0];
			leaf[i * nt + t][1] = tr->lref[lp[i]][1];
		}
	}
}

static int
chunk_quantiles(struct predjob *j, size_t first, size_t m, uint32_t (*leaf)[2],
    struct qbuf *b)
{
	const struct sc_forest *f = j->f;
	double tq[2] = { j->q[0] * (double)f->ntrees,
		j->q[1] * (double)f->ntrees };
	uint32_t r[2];
	size_t i;

	for (i = 0; i < m; i++) {
		if (leaf_quantiles(f,
		        (const uint32_t(*)[2])(leaf + i * f->ntrees), tq, 2, r,
		        b) == -1)
			return -1;
		j->lo[first + i] = f->ytab[r[0]];
		j->hi[first + i] = f->ytab[r[1]];
	}
	return 0;
}

static void
predict_chunk(void *arg, size_t k)
{
	struct predjob *j = arg;
	size_t nf = j->f->nfeat, n = sc_table_nrows(j->t), i, c, first, m, mp;
	struct qbuf b = { NULL, NULL, 0 };
	const struct sc_forest *f = j->f;
	double *sum;
	uint32_t(*leaf)[2] = NULL, *x = NULL, *lp;
	uint16_t *x16 = NULL;

	first = k * j->chunk;
	m = first + j->chunk < n ? j->chunk : n - first;
	mp = (m + LANES - 1) / LANES * LANES; /* whole blocks of rows */
	/* A narrow forest's ranks are below 65,535: two bytes each. */
	if (f->wide)
		x = calloc(mp * nf, sizeof(*x));
	else
		x16 = calloc(mp * nf, sizeof(*x16));
	sum = malloc(mp * sizeof(*sum));
	lp = malloc(mp * sizeof(*lp));
	if (j->lo != NULL)
		leaf = malloc(m * j->f->ntrees * sizeof(*leaf));
	if ((x == NULL && x16 == NULL) || sum == NULL || lp == NULL ||
	    (j->lo != NULL && leaf == NULL)) {
		j->failed = 1;
		goto out;
	}
	/*
	 * Each value as its rank against its feature's thresholds, in
	 * blocks of LANES rows, feature-major (see WALK_ROWS).
	 */
	for (c = 0; c < nf; c++) {
		const double *col =
		    sc_table_column(j->t, j->map ? j->map[c] : c);
		const double *tv = f->thr + f->toff[c];
		size_t tn = f->toff[c + 1] - f->toff[c], at;

		for (i = 0; i < m; i++) {
			at = (i / LANES * nf + c) * LANES + i % LANES;
			if (x != NULL)
				x[at] = thr_rank(tv, tn, col[first + i]);
			else
				x16[at] =
				    (uint16_t)thr_rank(tv, tn, col[first + i]);
		}
	}
	walk_rows(j->f, x != NULL ? (const void *)x : (const void *)x16, m, mp,
	    sum, leaf, lp);
	for (i = 0; i < m; i++)
		j->mean[first + i] = sum[i] / (double)j->f->ntrees;
	if (leaf != NULL && chunk_quantiles(j, first, m, leaf, &b) == -1)
		j->failed = 1;
out:
	free(b.lf);
	free(b.tmp);
	free(x);
	free(x16);
	free(sum);
	free(leaf);
	free(lp);
}

int
sc_forest_predict_table(const struct sc_forest *f, const struct sc_table *t,
    const size_t *map, double level, int threads, double *mean, double *lo,
    double *hi, struct sc_err *e)
{
	struct predjob j = { f, t, map, { 0, 0 }, mean, NULL, NULL, 0, 0 };
	size_t n = sc_table_nrows(t);

	if (level > 0 && level < 1 && lo != NULL && hi != NULL) {
		if (f->noranks)
			return no_ranks(e);
		j.q[0] = (1 - level) / 2;
		j.q[1] = (1 + level) / 2;
		j.lo = lo;
		j.hi = hi;
	}
	if (sc_forest_ready(f) == -1)
		return sc_err_set(e, SC_EOS, 0, "out of memory");
	threads = sc_forest_threads(threads);
	j.chunk = (n + (size_t)threads - 1) / (size_t)threads;
	j.chunk = j.chunk < PRED_CHUNK_MIN ? PRED_CHUNK_MIN
	    : j.chunk > PRED_CHUNK_MAX     ? PRED_CHUNK_MAX
	                                   : j.chunk;
	if (sc_forest_parallel(threads, (n + j.chunk - 1) / j.chunk,
	        predict_chunk, &j, e) == -1)
		return -1;
	if (j.failed)
		return sc_err_set(e, SC_EOS, 0, "out of memory");
	return 0;
}
