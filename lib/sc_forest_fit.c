/* SPDX-License-Identifier: ISC */
/*
 * Growing the forest.  Features are binned once (sc_forest_bins.c).  A
 * tree's bootstrap is a count per row, never a copy; its in-bag rows are
 * an array of (row, count, y) partitioned (stably, without branches)
 * node by node, depth first, from one of two arrays into the other.  A
 * node's split search fills one histogram per drawn feature in a single
 * pass over its rows and scans only the occupied bins (a 256-bit
 * occupancy mask), so small nodes cost what their rows cost, not 256
 * bins.  Threads take trees from an atomic
 * counter; each tree draws from its own stream (seed, tree index), and
 * importances and OOB sums are reduced in tree and row order, so the
 * forest is byte-identical whatever the thread count.
 */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "sc_buf.h"
#include "sc_forest_int.h"
#include "sc_rng.h"

struct oobl {
	uint32_t *row;
	double *val;
	size_t n, cap;
	int done;
};

struct ws;

struct fit {
	const struct sc_forest_params *p;
	struct sc_forest *f;
	const struct sc_table *t;
	const size_t *rows; /* row i of the fit is rows[i] of t; NULL: i */
	struct bins bins;
	const double *y;
	double *ybuf;  /* the targets of rows, when rows */
	size_t oobm;   /* rows the out-of-bag estimate covers (oob_at) */
	int mean_only; /* no out-of-bag estimate, in-bag ranks */
	uint32_t *yrank;
	uint32_t *byrank; /* rows in order of their target's rank */
	size_t n, nf, nsamp;
	long mtry, min_split, min_leaf;
	int subtract; /* keep full histograms of big nodes */
	int inl;      /* samples carry their bins (nf <= INLINE_BINS) */
	double *imp;  /* ntrees x nf */
	/*
	 * Out-of-bag sums, added tree after tree in tree order whatever
	 * thread finishes first: a finished tree's list waits in pend until
	 * the trees before it are in.
	 */
	pthread_mutex_t lock;
	size_t next;
	struct oobl *pend;
	double *oobsum;
	uint32_t *oobn;
	atomic_int failed;
	/*
	 * Kept from tree to tree, under lock, so that memory once touched is
	 * used again rather than mapped afresh (in this guest a page fault
	 * costs microseconds): lists the sums took in, idle workspaces, and
	 * (arena) slabs, in the forest's chain, that the trees'
	 * node arrays and ranks are carved from.
	 */
	struct oobl *spare;
	size_t nspare, spcap;
	struct ws **idle;
	size_t nidle, idcap;
	int arena;
};

#define ARENA_MIN ((size_t)8 << 20)    /* retained bytes that take an arena */
#define ARENA_CHUNK ((size_t)64 << 20) /* a slab of it */

#define INLINE_BINS 16 /* features whose bins a sample carries */
_Static_assert(BINS_PAD >= INLINE_BINS, "a row's bins are copied 16 at once");

/*
 * An in-bag row.  With at most INLINE_BINS features the sample carries
 * its row's bins, so the passes over a node's samples (histograms,
 * partition) read one contiguous array instead of a bin row each.
 */
struct samp {
	uint32_t row;
	uint32_t w; /* bootstrap count */
	double y;
	uint8_t b[INLINE_BINS];
};

struct hist {
	double s;    /* sum of w * y */
	uint64_t wc; /* sum of w, plus distinct rows << 32: one add for both */
};

#define HIST_ROW(w) ((uint64_t)(w) + (1ULL << 32))
#define DENSE_ROWS 512 /* nodes this big skip the occupancy mask */

/* A node's bootstrap weight and weighted target sum. */
struct nstat {
	double s;
	uint32_t w;
};

struct frame {
	struct nstat st;     /* the node's, from its parent's partition pass */
	int has_st;          /* 0 for the root: computed by a pass of its own */
	uint32_t start, end; /* samples */
	int side;            /* in W->s (0) or W->scr (1) */
	int32_t parent;      /* -1 for the root */
	int left;            /* the left child of parent */
	int depth;
	struct hist *h; /* every feature's histogram (big nodes), or NULL */
};

/*
 * Nodes of at least BIG_ROWS rows keep histograms of every feature when
 * max_features is half the features or more: a split then fills the
 * smaller child's and gets the larger one's by subtraction from the
 * parent's.  Smaller nodes fill only the drawn features, sparsely.
 */
#define BIG_ROWS 256

#define INV_MAX 4096 /* node weights that scan_hist() estimates scores in */

/*
 * A node as the out-of-bag rows walk it: bins up to lo go left, from hi
 * on right, the one bin between (if any) by the row's value.  A leaf
 * leads to itself (lo -1, hi 0: every bin right, none between).
 */
struct rnode {
	int32_t left, right, f;
	int16_t lo, hi;
};

struct split {
	int f, bin, next;
	double score;
	double sl;   /* the left child's weighted target sum */
	uint32_t wl; /* and weight, from the histogram */
	uint32_t cl; /* and rows */
};

struct ws {
	struct fit *F;
	struct sc_rng rng;
	struct tree *t; /* g, the tree being grown */
	struct tree g;  /* its node arrays only grow, tree after tree */
	double *imp;
	uint32_t *cnt;
	/*
	 * Samples: a node's are at [start, end) of one array and its
	 * children's at the same places of the other (frame.side).
	 */
	struct samp *s, *scr;
	struct hist *h; /* nf x NBINS */
	uint64_t *occ;  /* nf x 4 */
	int *perm, *batch;
	uint32_t *leafof; /* row -> leaf */
	uint32_t *o;      /* out-of-bag rows to route, in row order */
	struct rnode *rn; /* the tree's nodes as route_oob() walks them */
	size_t rncap;
	struct frame *stack;
	size_t sn, scap;
	struct hist **pool; /* spare full histograms */
	size_t npool, pcap;
	double inv[INV_MAX]; /* 1 / k; inv[0] unused */
};

/* The array that holds the samples of a node on side side. */
static inline struct samp *
samps(const struct ws *W, int side)
{
	return side ? W->scr : W->s;
}

/* The bins of sample s's row, nf of them. */
static inline const uint8_t *
row_bins(const struct ws *W, const struct samp *s)
{
	return W->F->inl ? s->b : W->F->bins.b + (size_t)s->row * W->F->nf;
}

/* Resize *p to n elements of size sz; 0, or -1 leaving *p as it was. */
static int
resize(void *pp, size_t n, size_t sz)
{
	void **p = pp, *q;

	if (n == 0)
		return 0;
	if ((q = realloc(*p, n * sz)) == NULL)
		return -1;
	*p = q;
	return 0;
}

static int
new_node(struct tree *t)
{
	size_t cap = t->cap ? t->cap * 2 : 256;

	if (t->n == t->cap) {
		if (resize(&t->feature, cap, sizeof(int32_t)) == -1 ||
		    resize(&t->left, cap, sizeof(int32_t)) == -1 ||
		    resize(&t->right, cap, sizeof(int32_t)) == -1 ||
		    resize(&t->threshold, cap, sizeof(double)) == -1 ||
		    resize(&t->value, cap, sizeof(double)) == -1 ||
		    resize(&t->count, cap, sizeof(uint32_t)) == -1)
			return -1;
		t->cap = cap;
	}
	t->feature[t->n] = t->left[t->n] = t->right[t->n] = -1;
	t->threshold[t->n] = t->value[t->n] = 0;
	t->count[t->n] = 0;
	return (int)t->n++;
}

/* Room in W->rn for node id; 0, or -1 when out of memory. */
static int
rn_room(struct ws *W, int id)
{
	return sc_buf_grow(&W->rn, &W->rncap, (size_t)id + 1, sizeof(*W->rn),
	    NULL);
}

/*
 * The node's samples end in leaf id (and the out-of-bag rows that reach
 * it, route_oob()); their ranks are kept after growth.
 */
static int
make_leaf(struct ws *W, const struct frame *fr, int id)
{
	const struct samp *S = samps(W, fr->side);
	size_t i;

	/*
	 * The bag's rows are read from W->s after growth: where the leaf's
	 * samples are in W->scr, their places in W->s are no node's now.
	 */
	for (i = fr->start; i < fr->end; i++) {
		W->leafof[S[i].row] = (uint32_t)id;
		W->s[i].row = S[i].row;
	}
	if (W->o != NULL) {
		if (rn_room(W, id) == -1)
			return -1;
		W->rn[id].f = 0;
		W->rn[id].lo = -1;
		W->rn[id].hi = 0;
	}
	return 0;
}

static void *arena_take(struct fit *F, size_t n, int *in, int bit);

/* Row k of the rows the out-of-bag estimate covers (k < F->oobm). */
static size_t
oob_at(const struct fit *F, size_t k)
{
	return F->oobm == F->n ? k : (size_t)((uint64_t)k * F->n / F->oobm);
}

/*
 * List the out-of-bag rows to route, in row order, into W->o: every one
 * when leaves keep every row's rank, else those the estimate covers.
 * Returns their number.
 */
static size_t
list_oob(struct ws *W)
{
	const struct fit *F = W->F;
	size_t m = F->p->bag_ranks ? F->oobm : F->n, k, i, at = 0;

	/* Written at at, kept when out of the bag: no branch (W->o has n). */
	for (k = 0; k < m; k++) {
		i = m == F->n ? k : oob_at(F, k);
		W->o[at] = (uint32_t)i;
		at += W->cnt[i] == 0;
	}
	return at;
}

/*
 * Node id splits feature f between bins lo and hi (both occupied in its
 * bag, none between) at thr, as prediction will: widen lo over the bins
 * whose values are all <= thr and hi over those all > thr, so that at
 * most the one bin that straddles thr is left between, whose rows need
 * their value (every training value of a bin is within its smallest and
 * largest).
 */
static int
rn_split(struct ws *W, int id, int f, unsigned lo, unsigned hi, double thr)
{
	const struct fit *F = W->F;
	const double *up = F->bins.upper + (size_t)f * NBINS;
	const double *dn = F->bins.lower + (size_t)f * NBINS;

	if (W->o == NULL)
		return 0;
	if (rn_room(W, id) == -1)
		return -1;
	while (lo + 1 < hi && up[lo + 1] <= thr)
		lo++;
	while (hi - 1 > lo && dn[hi - 1] > thr)
		hi--;
	W->rn[id].f = f;
	W->rn[id].lo = (int16_t)lo;
	W->rn[id].hi = (int16_t)hi;
	return 0;
}

#define RLANES 8 /* out-of-bag rows walked at once */

/*
 * The leaf of the grown tree that each of the n out-of-bag rows in W->o
 * reaches, into W->leafof: RLANES rows walk the tree together, their bins
 * read in row order, a node's step a select rather than a branch, until
 * all are at leaves (which lead to themselves).
 */
static void
route_oob(struct ws *W, size_t n)
{
	const struct fit *F = W->F;
	const struct tree *t = W->t;
	struct rnode *rn = W->rn;
	const uint8_t *bins = F->bins.b;
	size_t nf = F->nf, i, k, m;
	uint32_t row[RLANES];
	int32_t at[RLANES], to;
	int moving;

	if (n == 0)
		return;
	for (i = 0; i < t->n; i++) {
		rn[i].left = rn[i].lo < 0 ? (int32_t)i : t->left[i];
		rn[i].right = rn[i].lo < 0 ? (int32_t)i : t->right[i];
	}
	for (i = 0; i < n; i += m) {
		m = n - i < RLANES ? n - i : RLANES;
		for (k = 0; k < RLANES; k++) {
			row[k] = W->o[i + (k < m ? k : 0)];
			at[k] = 0;
		}
		do {
			moving = 0;
			for (k = 0; k < RLANES; k++) {
				const struct rnode *d = &rn[at[k]];
				int bin = bins[(size_t)row[k] * nf + d->f];
				int gl = bin <= d->lo;

				if ((unsigned)(bin - d->lo - 1) <
				    (unsigned)(d->hi - d->lo - 1)) {
					uint32_t r = row[k];
					const double *col =
					    sc_table_column(F->t, (size_t)d->f);

					gl = col[F->rows ? F->rows[r] : r] <=
					    t->threshold[at[k]];
				}
				to = gl ? d->left : d->right;
				moving |= to != at[k];
				at[k] = to;
			}
		} while (moving);
		for (k = 0; k < m; k++)
			W->leafof[row[k]] = (uint32_t)at[k];
	}
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Sort r[0..n) ascending: insertion sort for a leaf's usual few. */
static void
sort_ranks(uint32_t *r, size_t n)
{
	size_t i, k;
	uint32_t x;

	if (n > 32) {
		qsort(r, n, sizeof(*r), cmp_u32);
		return;
	}
	for (i = 1; i < n; i++) {
		x = r[i];
		for (k = i; k > 0 && r[k - 1] > x; k--)
			r[k] = r[k - 1];
		r[k] = x;
	}
}

/*
 * As keep_ranks() below, but only the tree's in-bag rows (each once): a
 * tree then keeps at most max_samples ranks, whatever the table's size.
 * Leaves are counted from the samples.  When the bag is most of the
 * table, the rows taken in order of their rank (F->byrank) fill each
 * leaf's list sorted; when it is a small part (max_samples on a big
 * table) that pass over every row would cost more than the tree, so the
 * bag's ranks go to their leaves as they come and each leaf's few are
 * sorted.  Equal ranks are equal numbers, so both give the same lists.
 */
static int
keep_bag_ranks(struct ws *W, size_t m)
{
	struct tree *t = W->t;
	size_t n = W->F->n, i, at;
	const uint32_t *yr = W->F->yrank, *by = W->F->byrank;
	uint32_t *pos, r;

	for (i = 0; i < m; i++)
		t->count[W->leafof[W->s[i].row]]++;
	if ((t->rank = arena_take(W->F, (m ? m : 1) * sizeof(*t->rank),
	         &t->inslab, SLAB_RANK)) == NULL &&
	    (t->rank = malloc((m ? m : 1) * sizeof(*t->rank))) == NULL)
		return -1;
	if ((pos = malloc(t->n * sizeof(*pos))) == NULL)
		return -1;
	t->nranks = t->rcap = m;
	for (i = 0, at = 0; i < t->n; i++) {
		pos[i] = (uint32_t)at;
		at += t->count[i];
	}
	if (m >= n / 8)
		for (i = 0; i < n; i++) {
			if (W->cnt[r = by[i]] > 0)
				t->rank[pos[W->leafof[r]]++] = yr[r];
		}
	else {
		for (i = 0; i < m; i++) {
			r = W->s[i].row;
			t->rank[pos[W->leafof[r]]++] = yr[r];
		}
		for (i = 0, at = 0; i < t->n; at += t->count[i++])
			sort_ranks(t->rank + at, t->count[i]);
	}
	free(pos);
	return 0;
}

/*
 * Give every leaf the ranks of the training rows that reach it, in-bag or
 * out of bag, each once (Meinshausen's quantile regression forest), in
 * node order and sorted within a leaf: a counting sort by leaf over the
 * rows taken in order of their rank, so each leaf's list comes out sorted.
 */
static int
keep_ranks(struct ws *W)
{
	struct tree *t = W->t;
	size_t n = W->F->n, i, at;
	const uint32_t *by = W->F->byrank;
	uint32_t *pos;

	for (i = 0; i < n; i++)
		t->count[W->leafof[i]]++;
	if ((t->rank = arena_take(W->F, n * sizeof(*t->rank), &t->inslab,
	         SLAB_RANK)) == NULL &&
	    (t->rank = malloc(n * sizeof(*t->rank))) == NULL)
		return -1;
	if ((pos = malloc(t->n * sizeof(*pos))) == NULL)
		return -1;
	for (i = 0, at = 0; i < t->n; i++) {
		pos[i] = (uint32_t)at;
		at += t->count[i];
	}
	for (i = 0; i < n; i++)
		t->rank[pos[W->leafof[by[i]]]++] = W->F->yrank[by[i]];
	t->nranks = t->rcap = n;
	free(pos);
	return 0;
}

/*
 * Histograms of the nb features in batch over samples [a, b).  A small
 * node marks the bins it fills in the occupancy mask as it goes; a big one
 * fills almost every bin, so its mask is made after, from the histogram,
 * and the pass saves a read-modify-write per row and feature.
 */
#define FILL_MAX 4 /* batch slots one pass over the samples fills */

/*
 * One pass: slots q0..q0+nb-1 of the batch (nb <= FILL_MAX).  Inlined
 * with nb and dense constants, so the slot loop unrolls and the mask's
 * test goes away; a row's bins as row_bins() finds them, with F->inl
 * read once rather than past every histogram store.
 */
static inline __attribute__((always_inline)) void
fill_rows(struct ws *W, const struct samp *S, int q0, int nb, size_t a,
    size_t b, int dense)
{
	const struct fit *F = W->F;
	const uint8_t *bm = F->bins.b;
	size_t i, nf = F->nf;
	int q, inl = F->inl, f[FILL_MAX];
	struct hist *hb[FILL_MAX];
	uint64_t *ob[FILL_MAX];

	for (q = 0; q < nb; q++) {
		f[q] = W->batch[q0 + q];
		hb[q] = W->h + (size_t)(q0 + q) * NBINS;
		ob[q] = W->occ + (size_t)(q0 + q) * 4;
	}
	for (i = a; i < b; i++) {
		const struct samp *s = &S[i];
		const uint8_t *rb = inl ? s->b : bm + (size_t)s->row * nf;
		double wy = s->w * s->y;
		uint64_t wc = HIST_ROW(s->w);
		unsigned k[FILL_MAX];

		/*
		 * The bins first: the stores below could alias them.  Both
		 * loops unrolled (nb is a constant here; -O2 alone keeps them).
		 */
#pragma GCC unroll 4
		for (q = 0; q < nb; q++)
			k[q] = rb[f[q]];
#pragma GCC unroll 4
		for (q = 0; q < nb; q++) {
			hb[q][k[q]].s += wy;
			hb[q][k[q]].wc += wc;
			if (!dense)
				ob[q][k[q] / 64] |= 1ULL << (k[q] % 64);
		}
	}
}

static void
fill_hist(struct ws *W, const struct samp *S, int nb, size_t a, size_t b)
{
	int q, n, dense = b - a >= DENSE_ROWS, bin;

	for (q = 0; q < nb; q += n) {
		n = nb - q < FILL_MAX ? nb - q : FILL_MAX;
		switch (n * 2 + dense) {
		case 2:
			fill_rows(W, S, q, 1, a, b, 0);
			break;
		case 3:
			fill_rows(W, S, q, 1, a, b, 1);
			break;
		case 4:
			fill_rows(W, S, q, 2, a, b, 0);
			break;
		case 5:
			fill_rows(W, S, q, 2, a, b, 1);
			break;
		case 6:
			fill_rows(W, S, q, 3, a, b, 0);
			break;
		case 7:
			fill_rows(W, S, q, 3, a, b, 1);
			break;
		case 8:
			fill_rows(W, S, q, 4, a, b, 0);
			break;
		default:
			fill_rows(W, S, q, 4, a, b, 1);
			break;
		}
	}
	for (q = 0; dense && q < nb; q++)
		for (bin = 0; bin < W->F->bins.nb[W->batch[q]]; bin++)
			if (W->h[q * NBINS + bin].wc != 0)
				W->occ[q * 4 + bin / 64] |= 1ULL << (bin % 64);
}

/*
 * Scan the occupied bins of batch slot q (feature j) for the best split of
 * a node of c rows, weight w and sum s; clear the histogram.  Returns the
 * number of occupied bins (1: constant in this node).
 *
 * A split's score takes two divisions, which cost most of a bin's scan.
 * In a node of weight w < INV_MAX (all but the few biggest) an estimate
 * by the reciprocals in W->inv comes first.  The two differ by under 8
 * units in the last place of the score (the estimate's terms take three
 * roundings, the score's two, the sums one more), or by a few of the
 * smallest subnormals when the terms are that small, so a split whose
 * estimate is below BAR(best) cannot beat it, and only the others are
 * scored exactly.  The splits found are the divisions' own.
 */
#define BAR(x) ((x)-fabs(x) * 0x1p-48 - 0x1p-1060)

static inline __attribute__((always_inline)) int
scan_bins(struct ws *W, int q, int j, uint32_t c, uint32_t w, double s,
    struct split *best, int est)
{
	long min_leaf = W->F->min_leaf;
	uint32_t cl = 0, wl = 0;
	double sl = 0, sr, score, bar;
	int word, bin, prev = -1, occupied = 0;
	uint64_t bits, *occ = W->occ + q * 4;
	struct hist *hq = W->h + (size_t)q * NBINS;
	const double *inv = W->inv;
	/* A copy: the clearing stores below could alias *best. */
	struct split b = *best;

	bar = BAR(b.score);

	for (word = 0; word < 4; word++) {
		bits = occ[word];
		occ[word] = 0;
		for (; bits != 0; bits &= bits - 1) {
			struct hist *h;

			bin = word * 64 + __builtin_ctzll(bits);
			h = &hq[bin];
			if (prev >= 0 && cl >= min_leaf && c - cl >= min_leaf) {
				sr = s - sl;
				if (est &&
				    sl * sl * inv[wl] + sr * sr * inv[w - wl] <
				        bar)
					goto next;
				score = sl * sl / wl + sr * sr / (w - wl);
				if (score > b.score) {
					b.f = j;
					b.bin = prev;
					b.next = bin;
					b.score = score;
					b.sl = sl;
					b.wl = wl;
					b.cl = cl;
					bar = BAR(score);
				}
			}
		next:
			cl += (uint32_t)(h->wc >> 32);
			wl += (uint32_t)h->wc;
			sl += h->s;
			h->s = 0;
			h->wc = 0;
			prev = bin;
			occupied++;
		}
	}
	*best = b;
	return occupied;
}

static int
scan_hist(struct ws *W, int q, int j, uint32_t c, uint32_t w, double s,
    struct split *best)
{
	return w < INV_MAX ? scan_bins(W, q, j, c, w, s, best, 1)
	                   : scan_bins(W, q, j, c, w, s, best, 0);
}

static int
grow_pool(struct ws *W)
{
	return sc_buf_grow(&W->pool, &W->pcap, W->npool + 1, sizeof(*W->pool),
	    NULL);
}

/* A zeroed histogram of every feature; NULL when out of memory. */
static struct hist *
hist_get(struct ws *W)
{
	size_t n = W->F->nf * NBINS;

	if (W->npool > 0) {
		struct hist *h = W->pool[--W->npool];

		memset(h, 0, n * sizeof(*h));
		return h;
	}
	return calloc(n, sizeof(struct hist));
}

/* Give h back to the pool (NULL is a no-op); freed if the pool is full. */
static void
hist_put(struct ws *W, struct hist *h)
{
	if (h == NULL)
		return;
	if (grow_pool(W) == -1)
		free(h);
	else
		W->pool[W->npool++] = h;
}

/* Histograms of every feature over samples S[a, b) into h. */
static void
fill_full(struct ws *W, struct hist *h, const struct samp *S, size_t a,
    size_t b)
{
	size_t nf = W->F->nf, i, f;
	int inl = W->F->inl;
	uint8_t kb[INLINE_BINS];

	for (i = a; i < b; i++) {
		const struct samp *s = &S[i];
		const uint8_t *rb = row_bins(W, s);
		double wy = s->w * s->y;
		uint64_t wc = HIST_ROW(s->w);
		unsigned k;

		/*
		 * Carried bins are copied out first: the histogram stores
		 * could change any byte, as the compiler sees them.
		 */
		if (inl) {
			memcpy(kb, rb, sizeof(kb));
			rb = kb;
		}
		for (f = 0; f < nf; f++) {
			k = rb[f];
			h[f * NBINS + k].s += wy;
			h[f * NBINS + k].wc += wc;
		}
	}
}

/* hp -= hs: the parent's histograms become the larger child's. */
static void
subtract(const struct ws *W, struct hist *hp, const struct hist *hs)
{
	size_t f;
	int k;

	for (f = 0; f < W->F->nf; f++)
		for (k = 0; k < W->F->bins.nb[f]; k++) {
			hp[f * NBINS + k].s -= hs[f * NBINS + k].s;
			hp[f * NBINS + k].wc -= hs[f * NBINS + k].wc;
		}
}

/* As scan_hist(), over a full histogram h of feature j, read only. */
static int
scan_full(const struct ws *W, const struct hist *h, int j, uint32_t c,
    uint32_t w, double s, struct split *best)
{
	long min_leaf = W->F->min_leaf;
	uint32_t cl = 0, wl = 0;
	double sl = 0, sr, score;
	int bin, prev = -1, occupied = 0;

	for (bin = 0; bin < W->F->bins.nb[j]; bin++) {
		if (h[bin].wc == 0)
			continue;
		if (prev >= 0 && cl >= min_leaf && c - cl >= min_leaf) {
			sr = s - sl;
			score = sl * sl / wl + sr * sr / (w - wl);
			if (score > best->score) {
				best->f = j;
				best->bin = prev;
				best->next = bin;
				best->score = score;
				best->sl = sl;
				best->wl = wl;
				best->cl = cl;
			}
		}
		cl += (uint32_t)(h[bin].wc >> 32);
		wl += (uint32_t)h[bin].wc;
		sl += h[bin].s;
		prev = bin;
		occupied++;
	}
	return occupied;
}

/* As find_split(), from the node's full histograms h. */
static int
find_split_full(struct ws *W, const struct hist *h, uint32_t c, uint32_t w,
    double s, struct split *best)
{
	size_t nf = W->F->nf, drawn = 0, r;
	long visited = 0;
	int x;

	best->f = -1;
	best->score = -INFINITY;
	while (visited < W->F->mtry && drawn < nf) {
		r = drawn + sc_rng_below(&W->rng, nf - drawn);
		x = W->perm[drawn];
		W->perm[drawn] = W->perm[r];
		W->perm[r] = x;
		x = W->perm[drawn++];
		if (scan_full(W, h + (size_t)x * NBINS, x, c, w, s, best) > 1)
			visited++;
	}
	return best->f >= 0;
}

/*
 * Find the best split of samples S[a, b): draw features without
 * replacement until mtry of them that vary in the node were searched
 * (constant ones do not count, as in scikit-learn).  1 when found.
 */
static int
find_split(struct ws *W, const struct samp *S, size_t a, size_t b, uint32_t w,
    double s, struct split *best)
{
	size_t nf = W->F->nf, drawn = 0;
	long visited = 0, mtry = W->F->mtry;
	int nb, q, r, x;

	best->f = -1;
	best->score = -INFINITY;
	while (visited < mtry && drawn < nf) {
		nb = (int)((size_t)(mtry - visited) < nf - drawn
		        ? (size_t)(mtry - visited)
		        : nf - drawn);
		for (q = 0; q < nb; q++) {
			r = (int)(drawn + q +
			    sc_rng_below(&W->rng, nf - drawn - q));
			x = W->perm[drawn + q];
			W->perm[drawn + q] = W->perm[r];
			W->perm[r] = x;
			W->batch[q] = W->perm[drawn + q];
		}
		fill_hist(W, S, nb, a, b);
		for (q = 0; q < nb; q++)
			if (scan_hist(W, q, W->batch[q], (uint32_t)(b - a), w,
			        s, best) > 1)
				visited++;
		drawn += nb;
	}
	return best->f >= 0;
}

static int
push(struct ws *W, uint32_t a, uint32_t b, int side, int32_t parent, int left,
    int depth, struct hist *h, const struct nstat *st)
{
	if (sc_buf_grow(&W->stack, &W->scap, W->sn + 1, sizeof(*W->stack),
	        NULL) == -1)
		return -1;
	W->stack[W->sn].start = a;
	W->stack[W->sn].end = b;
	W->stack[W->sn].side = side;
	W->stack[W->sn].parent = parent;
	W->stack[W->sn].left = left;
	W->stack[W->sn].h = h;
	W->stack[W->sn].has_st = st != NULL;
	if (st != NULL)
		W->stack[W->sn].st = *st;
	W->stack[W->sn++].depth = depth;
	return 0;
}

/*
 * The children's full histograms, when the larger child is big: fill the
 * smaller child's and subtract it from the parent's h, which becomes the
 * larger child's.  A child too small to use one gets NULL.
 */
static int
child_hists(struct ws *W, struct hist *h, const struct samp *S, size_t a,
    size_t mid, size_t b, struct hist **hl, struct hist **hr)
{
	size_t nl = mid - a, nr = b - mid;
	struct hist *hs;

	*hl = *hr = NULL;
	if (h == NULL)
		return 0;
	if ((nl > nr ? nl : nr) < BIG_ROWS) {
		hist_put(W, h);
		return 0;
	}
	if ((hs = hist_get(W)) == NULL) {
		hist_put(W, h);
		return -1;
	}
	fill_full(W, hs, S, nl <= nr ? a : mid, nl <= nr ? mid : b);
	subtract(W, h, hs);
	*hl = nl <= nr ? hs : h;
	*hr = nl <= nr ? h : hs;
	if (nl < BIG_ROWS) {
		hist_put(W, *hl);
		*hl = NULL;
	}
	if (nr < BIG_ROWS) {
		hist_put(W, *hr);
		*hr = NULL;
	}
	return 0;
}

/*
 * Stable partition of samples src[a, b) into dst[a, b): the nl whose bin
 * of feature f is at most bin first, the others after, each side in its
 * former order.  nl is known (the histogram counted it), so the right side
 * starts at a + nl and each sample is written once, at its side's cursor,
 * without a branch.  Returns the first right sample.
 */
static size_t
partition(const struct ws *W, const struct samp *src, struct samp *dst,
    size_t a, size_t b, int f, unsigned bin, size_t nl)
{
	size_t i, l = a, r = a + nl, nf = W->F->nf;
	const uint8_t *bins = W->F->bins.b;
	int inl = W->F->inl;

	/* F's fields in locals: the stores could change them, to the compiler. */
	for (i = a; i < b; i++) {
		int gl = (inl ? src[i].b[f] : bins[src[i].row * nf + f]) <= bin;

		dst[gl ? l : r] = src[i];
		l += (size_t)gl;
		r += (size_t)!gl;
	}
	return a + nl;
}

/*
 * Split node id at best: partition its samples and push the children, the
 * left on top, so nodes are numbered in depth-first preorder (as in
 * scikit-learn) and leaves, with their ranks, come in node order.
 */
static int
split_node(struct ws *W, const struct frame *fr, struct hist *h, int id,
    const struct split *best, const struct nstat *st, double gain)
{
	struct hist *hl, *hr;
	size_t i;
	struct tree *t = W->t;
	/* The children's sums: the histogram's at the split. */
	struct nstat sl = { best->sl, best->wl };
	struct nstat sr = { st->s - best->sl, st->w - best->wl };

	i = partition(W, samps(W, fr->side), samps(W, !fr->side), fr->start,
	    fr->end, best->f, (unsigned)best->bin, best->cl);
	t->feature[id] = best->f;
	t->value[id] = 0; /* only leaves' values predict: none kept here */
	t->threshold[id] =
	    sc_forest_bins_cut(&W->F->bins, best->f, best->bin, best->next);
	W->imp[best->f] += gain > 0 ? gain : 0;
	if (child_hists(W, h, samps(W, !fr->side), fr->start, i, fr->end, &hl,
	        &hr) == -1)
		return -1;
	if (push(W, (uint32_t)i, fr->end, !fr->side, id, 0, fr->depth + 1, hr,
	        &sr) == -1) {
		free(hl);
		free(hr);
		return -1;
	}
	if (push(W, fr->start, (uint32_t)i, !fr->side, id, 1, fr->depth + 1, hl,
	        &sl) == -1) {
		free(hl);
		return -1;
	}
	return rn_split(W, id, best->f, (unsigned)best->bin,
	    (unsigned)best->next, t->threshold[id]);
}

/*
 * Non-zero when the node's targets are all equal: a pass that stops at
 * the first target unlike the first, so the second or third sample in
 * almost every node.
 */
static int
constant_y(const struct ws *W, const struct frame *fr)
{
	const struct samp *S = samps(W, fr->side);
	size_t i;
	double y = S[fr->start].y;

	for (i = fr->start + 1; i < fr->end && S[i].y == y; i++)
		;
	return i >= fr->end;
}

static int
grow_node(struct ws *W, const struct frame *fr)
{
	const struct fit *F = W->F;
	const struct samp *S = samps(W, fr->side);
	uint32_t c = fr->end - fr->start, w = 0;
	double s = 0;
	struct hist *h = fr->h;
	struct split best = { -1, 0, 0, -INFINITY, 0, 0, 0 };
	struct nstat st;
	size_t i;
	int id, found;

	if ((id = new_node(W->t)) == -1) {
		free(h);
		return -1;
	}
	if (fr->parent >= 0)
		*(fr->left ? &W->t->left[fr->parent]
		           : &W->t->right[fr->parent]) = id;
	if (fr->has_st) {
		w = fr->st.w;
		s = fr->st.s;
	} else
		for (i = fr->start; i < fr->end; i++) {
			w += S[i].w;
			s += S[i].w * S[i].y;
		}
	W->t->value[id] = s / w;
	found = !((F->p->max_depth > 0 && fr->depth >= F->p->max_depth) ||
	    c < F->min_split || c < 2 * F->min_leaf || constant_y(W, fr));
	if (found && F->subtract && c >= BIG_ROWS) {
		if (h == NULL) {
			if ((h = hist_get(W)) == NULL)
				return -1;
			fill_full(W, h, S, fr->start, fr->end);
		}
		found = find_split_full(W, h, c, w, s, &best);
	} else if (found)
		found = find_split(W, S, fr->start, fr->end, w, s, &best);
	if (!found) {
		hist_put(W, h);
		return make_leaf(W, fr, id);
	}
	st.s = s;
	st.w = w;
	return split_node(W, fr, h, id, &best, &st, best.score - s * s / w);
}

/*
 * n bytes from the fit's arena, bit added to *in; NULL when the fit has
 * no arena (or the system no memory), and the caller uses malloc.
 */
static void *
arena_take(struct fit *F, size_t n, int *in, int bit)
{
	struct sc_slab *s;
	void *p = NULL;

	if (!F->arena)
		return NULL;
	pthread_mutex_lock(&F->lock);
	if ((p = sc_slab_take(F->f->slab, n)) == NULL &&
	    (s = sc_slab_new(n > ARENA_CHUNK ? n : ARENA_CHUNK)) != NULL) {
		s->next = F->f->slab;
		F->f->slab = s;
		p = sc_slab_take(s, n);
	}
	pthread_mutex_unlock(&F->lock);
	if (p != NULL)
		*in |= bit;
	return p;
}

/*
 * Copy the grown tree g into t at its size: one block of the arena, or
 * six of malloc; its ranks move over.
 */
static int
finish_tree(struct ws *W, struct tree *t)
{
	struct tree *g = &W->g;
	size_t n = g->n ? g->n : 1;
	unsigned char *b = arena_take(W->F, n * 32, &t->inslab, SLAB_TREE);

	if (b != NULL) {
		t->threshold = (void *)b;
		t->value = (void *)(b + n * 8);
		t->feature = (void *)(b + n * 16);
		t->left = (void *)(b + n * 20);
		t->right = (void *)(b + n * 24);
		t->count = (void *)(b + n * 28);
	} else if ((t->threshold = malloc(n * sizeof(double))) == NULL ||
	    (t->value = malloc(n * sizeof(double))) == NULL ||
	    (t->feature = malloc(n * sizeof(int32_t))) == NULL ||
	    (t->left = malloc(n * sizeof(int32_t))) == NULL ||
	    (t->right = malloc(n * sizeof(int32_t))) == NULL ||
	    (t->count = malloc(n * sizeof(uint32_t))) == NULL)
		return -1;
	memcpy(t->threshold, g->threshold, g->n * sizeof(double));
	memcpy(t->value, g->value, g->n * sizeof(double));
	memcpy(t->feature, g->feature, g->n * sizeof(int32_t));
	memcpy(t->left, g->left, g->n * sizeof(int32_t));
	memcpy(t->right, g->right, g->n * sizeof(int32_t));
	memcpy(t->count, g->count, g->n * sizeof(uint32_t));
	t->n = t->cap = g->n;
	t->rank = g->rank;
	t->nranks = g->nranks;
	t->rcap = g->rcap;
	t->inslab |= g->inslab & SLAB_RANK;
	g->rank = NULL;
	g->inslab = 0;
	return 0;
}

/* Draw the bootstrap of the tree and fill the samples; their number. */
static size_t
draw_samples(struct ws *W)
{
	const struct fit *F = W->F;
	/*
	 * In locals: the bins' byte stores below could change anything in
	 * memory as the compiler sees them, F's and W's fields among it.
	 */
	const uint8_t *bins = F->bins.b;
	const uint32_t *cnt = W->cnt;
	const double *y = F->y;
	struct samp *s = W->s;
	size_t i, m = 0, n = F->n, nf = F->nf;
	int inl = F->inl;

	if (!F->p->bootstrap)
		for (i = 0; i < F->n; i++)
			W->cnt[i] = 1;
	else
		for (i = 0; i < F->nsamp; i++)
			W->cnt[sc_rng_below(&W->rng, F->n)]++;
	/*
	 * Every row is written at m and kept (m moves on) when in the bag:
	 * no branch on a count that is 0 a third of the time at random.
	 * W->s has room for one more than the bag.  Carried bins go 16
	 * bytes at once (the bins are padded, BINS_PAD).
	 */
	for (i = 0; i < n; i++) {
		s[m].row = (uint32_t)i;
		s[m].w = cnt[i];
		if (inl)
			memcpy(s[m].b, bins + i * nf, INLINE_BINS);
		s[m].y = y[i];
		m += cnt[i] > 0;
	}
	return m;
}

/* Add tree k's list to the sums, then every waiting list that follows. */
static void
add_pending(struct fit *F)
{
	struct oobl *l;
	size_t i;

	while (F->next < (size_t)F->p->trees && F->pend[F->next].done) {
		l = &F->pend[F->next++];
		for (i = 0; i < l->n; i++) {
			F->oobsum[l->row[i]] += l->val[i];
			F->oobn[l->row[i]]++;
		}
		/* Kept for a later tree's list. */
		if (l->row != NULL &&
		    sc_buf_grow(&F->spare, &F->spcap, F->nspare + 1,
		        sizeof(*F->spare), NULL) == 0)
			F->spare[F->nspare++] = *l;
		else {
			free(l->row);
			free(l->val);
		}
		l->row = NULL;
		l->val = NULL;
	}
}

/* A spare list with room for n (under F->lock), or a new one; -1: none. */
static int
take_list(struct fit *F, struct oobl *l, size_t n)
{
	size_t i;

	pthread_mutex_lock(&F->lock);
	for (i = F->nspare; i > 0; i--)
		if (F->spare[i - 1].cap >= n)
			break;
	if (i > 0) {
		*l = F->spare[i - 1];
		F->spare[i - 1] = F->spare[--F->nspare];
	}
	pthread_mutex_unlock(&F->lock);
	if (i > 0)
		return 0;
	/* Room for the next trees' lists too, which differ a little. */
	l->cap = n + n / 16;
	l->row = malloc(l->cap * sizeof(*l->row));
	l->val = malloc(l->cap * sizeof(*l->val));
	if (l->row == NULL || l->val == NULL) {
		free(l->row);
		free(l->val);
		l->row = NULL;
		l->val = NULL;
		return -1;
	}
	return 0;
}

/*
 * Hand in tree k's out-of-bag predictions: of the rows the estimate covers
 * (oob_at), those out of the tree's bag, in row order.
 */
static int
commit_oob(struct ws *W, size_t k)
{
	struct fit *F = W->F;
	struct oobl l = { NULL, NULL, 0, 0, 1 };
	size_t i, j, at, noob = 0;

	for (j = 0; j < F->oobm && !F->mean_only; j++)
		noob += W->cnt[oob_at(F, j)] == 0;
	if (noob > 0) {
		if (take_list(F, &l, noob) == -1)
			return -1;
		l.n = noob;
		l.done = 1;
		/*
		 * Every row written at at, kept when out of the bag (no
		 * branch); every row of the estimate reached a leaf of this
		 * tree, in the bag or routed out of it.
		 */
		for (j = 0, at = 0; j < F->oobm && at < noob; j++) {
			i = oob_at(F, j);
			l.row[at] = (uint32_t)i;
			l.val[at] = W->t->value[W->leafof[i]];
			at += W->cnt[i] == 0;
		}
	}
	pthread_mutex_lock(&F->lock);
	F->pend[k] = l;
	add_pending(F);
	pthread_mutex_unlock(&F->lock);
	return 0;
}

/* Grow tree k into t. */
static int
grow_tree(struct ws *W, struct tree *t, size_t k)
{
	struct frame fr;
	size_t m, j, noob;
	double sum = 0;

	sc_rng_seed(&W->rng, W->F->p->seed, k);
	m = draw_samples(W);
	if (push(W, 0, (uint32_t)m, 0, -1, 0, 0, NULL, NULL) == -1)
		return -1;
	while (W->sn > 0) {
		fr = W->stack[--W->sn];
		if (grow_node(W, &fr) == -1)
			return -1;
	}
	/* Out-of-bag rows are routed down the grown tree. */
	noob = W->F->mean_only ? 0 : list_oob(W);
	route_oob(W, noob);
	if ((W->F->p->bag_ranks || W->F->mean_only ? keep_bag_ranks(W, m)
	                                           : keep_ranks(W)) == -1 ||
	    commit_oob(W, k) == -1 || finish_tree(W, t) == -1)
		return -1;
	/* The counts back to 0 for the next tree: the bag's rows only. */
	for (j = 0; j < m; j++)
		W->cnt[W->s[j].row] = 0;
	for (j = 0; j < W->F->nf; j++)
		sum += W->imp[j];
	for (j = 0; j < W->F->nf && sum > 0; j++)
		W->imp[j] /= sum;
	return sc_forest_tree_offsets(t);
}

static void
ws_free(struct ws *W)
{
	if (W == NULL)
		return;
	free(W->cnt);
	free(W->s);
	free(W->scr);
	free(W->h);
	free(W->occ);
	free(W->perm);
	free(W->batch);
	free(W->leafof);
	free(W->o);
	free(W->rn);
	while (W->sn > 0)
		free(W->stack[--W->sn].h);
	free(W->stack);
	while (W->npool > 0)
		free(W->pool[--W->npool]);
	free(W->pool);
	W->g.inslab &= SLAB_RANK; /* the node arrays are the workspace's */
	free(W->g.feature);
	free(W->g.left);
	free(W->g.right);
	free(W->g.threshold);
	free(W->g.value);
	free(W->g.count);
	if (!(W->g.inslab & SLAB_RANK))
		free(W->g.rank);
	free(W);
}

/* A workspace for growing trees of F; NULL when out of memory. */
static struct ws *
ws_new(struct fit *F)
{
	struct ws *W = calloc(1, sizeof(*W));
	size_t nf = F->nf, ns, k;

	if (W == NULL)
		return NULL;
	W->F = F;
	W->t = &W->g;
	W->inv[0] = 0;
	for (k = 1; k < INV_MAX; k++)
		W->inv[k] = 1.0 / (double)k;
	W->cnt = calloc(F->n ? F->n : 1, sizeof(*W->cnt));
	/* Distinct in-bag rows: at most the draws, at most the rows. */
	ns = F->p->bootstrap && F->nsamp < F->n ? F->nsamp : F->n;
	ns++; /* draw_samples() writes one past the bag */
	W->s = malloc(ns * sizeof(*W->s));
	W->scr = malloc(ns * sizeof(*W->scr));
	if (!F->mean_only)
		W->o = malloc(F->n * sizeof(*W->o));
	W->h = malloc(nf * NBINS * sizeof(*W->h));
	W->occ = malloc(nf * 4 * sizeof(*W->occ));
	W->perm = malloc(nf * sizeof(*W->perm));
	W->batch = malloc(nf * sizeof(*W->batch));
	W->leafof = malloc(F->n * sizeof(*W->leafof));
	if (W->leafof == NULL || W->cnt == NULL || W->s == NULL ||
	    W->scr == NULL || (!F->mean_only && W->o == NULL) || W->h == NULL ||
	    W->occ == NULL || W->perm == NULL || W->batch == NULL) {
		ws_free(W);
		return NULL;
	}
	return W;
}

/*
 * Grow tree k in an idle workspace (or a new one), which is then idle
 * again: its memory serves the next tree without new page faults.
 */
static void
tree_job(void *arg, size_t k)
{
	struct fit *F = arg;
	struct ws *W = NULL;
	size_t j, nf = F->nf;

	if (F->failed)
		return;
	pthread_mutex_lock(&F->lock);
	if (F->nidle > 0)
		W = F->idle[--F->nidle];
	pthread_mutex_unlock(&F->lock);
	if (W == NULL && (W = ws_new(F)) == NULL) {
		F->failed = 1;
		return;
	}
	/*
	 * What a tree finds: no counts (grow_tree() clears those it set),
	 * clear histograms, features in order.
	 */
	memset(W->h, 0, nf * NBINS * sizeof(*W->h));
	memset(W->occ, 0, nf * 4 * sizeof(*W->occ));
	for (j = 0; j < nf; j++)
		W->perm[j] = (int)j;
	W->g.n = 0;
	W->imp = F->imp + k * nf;
	if (grow_tree(W, &F->f->trees[k], k) == -1) {
		F->failed = 1;
		ws_free(W);
		return;
	}
	pthread_mutex_lock(&F->lock);
	if (sc_buf_grow(&F->idle, &F->idcap, F->nidle + 1, sizeof(*F->idle),
	        NULL) == 0) {
		F->idle[F->nidle++] = W;
		W = NULL;
	}
	pthread_mutex_unlock(&F->lock);
	ws_free(W);
}

/* The OOB RMSE from the sums: over rows some tree left out of its bag. */
static void
oob_rmse(struct fit *F)
{
	double sse = 0, d;
	size_t i, n = 0;

	for (i = 0; i < F->n; i++)
		if (F->oobn[i] > 0) {
			d = F->y[i] - F->oobsum[i] / F->oobn[i];
			sse += d * d;
			n++;
		}
	F->f->oob = F->p->bootstrap && n > 0 ? sqrt(sse / (double)n) : NAN;
}

/* F->byrank: the rows in order of their target's rank (a counting sort). */
static int
by_rank(struct fit *F, struct sc_err *e)
{
	uint32_t *pos;
	size_t i, at, c;

	F->byrank = malloc(F->n * sizeof(*F->byrank));
	pos = calloc(F->f->ny + 1, sizeof(*pos));
	if (F->byrank == NULL || pos == NULL) {
		free(pos);
		return sc_err_set(e, SC_EOS, 0, "out of memory");
	}
	for (i = 0; i < F->n; i++)
		pos[F->yrank[i]]++;
	for (i = 0, at = 0; i <= F->f->ny; i++) {
		c = pos[i];
		pos[i] = (uint32_t)at;
		at += c;
	}
	for (i = 0; i < F->n; i++)
		F->byrank[pos[F->yrank[i]]++] = (uint32_t)i;
	free(pos);
	return 0;
}

/*
 * Coarsen the ranks to a grid of g cells (g < ny): cell c holds the
 * distinct targets of ranks [c ny / g, (c + 1) ny / g) and stands for the
 * middle one, which becomes its entry of ytab.  Leaves then keep cells,
 * which code in fewer bits; a quantile is off by at most one cell.
 */
static void
to_grid(struct fit *F, size_t g)
{
	struct sc_forest *f = F->f;
	size_t u = f->ny, c, lo, hi, i;

	for (c = 0; c < g; c++) {
		lo = (size_t)(((uint64_t)c * u + g - 1) / g);
		hi = (size_t)(((uint64_t)(c + 1) * u + g - 1) / g);
		f->ytab[c] = f->ytab[lo + (hi - lo - 1) / 2];
	}
	f->ny = g;
	for (i = 0; i < F->n; i++)
		F->yrank[i] = (uint32_t)((uint64_t)F->yrank[i] * g / u);
}

/* The sorted distinct targets and each row's rank among them. */
static int
rank_targets(struct fit *F, struct sc_err *e)
{
	struct sc_forest *f = F->f;
	size_t i, u = 0, a, z, k;
	uint64_t *tmp;

	f->ytab = malloc(F->n * sizeof(double));
	F->yrank = malloc(F->n * sizeof(uint32_t));
	if (f->ytab == NULL || F->yrank == NULL)
		return sc_err_set(e, SC_EOS, 0, "out of memory");
	if ((tmp = malloc(F->n * sizeof(*tmp))) == NULL)
		return sc_err_set(e, SC_EOS, 0, "out of memory");
	memcpy(f->ytab, F->y, F->n * sizeof(double));
	sc_forest_sort_doubles(f->ytab, tmp, F->n);
	free(tmp);
	for (i = 0; i < F->n; i++)
		if (u == 0 || f->ytab[i] != f->ytab[u - 1])
			f->ytab[u++] = f->ytab[i];
	f->ny = u;
	/* Each row's rank: a search without branches (its target is there). */
	for (i = 0; i < F->n; i++) {
		const double y = F->y[i];

		for (a = 0, z = u; z > 1; z -= k) {
			k = z / 2;
			a = f->ytab[a + k] < y ? a + k : a;
		}
		F->yrank[i] = (uint32_t)(a + (f->ytab[a] < y));
	}
	if (F->p->interval_grid > 0 && u > (size_t)F->p->interval_grid)
		to_grid(F, (size_t)F->p->interval_grid);
	return by_rank(F, e);
}

/* Turn the parameters into counts for a table of n rows and nf features. */
static int
resolve(struct fit *F, struct sc_err *e)
{
	const struct sc_forest_params *p = F->p;
	double n = (double)F->n, nf = (double)F->nf, v;

	switch (p->max_features.kind) {
	case SC_SHARE_SQRT:
		v = floor(sqrt(nf));
		break;
	case SC_SHARE_LOG2:
		v = floor(log2(nf));
		break;
	case SC_SHARE_FRAC:
		v = floor(p->max_features.value * nf);
		break;
	default:
		if ((v = p->max_features.value) > nf)
			return sc_err_set(e, SC_EUSAGE, 0,
			    "max_features %.0f: "
			    "more than the %zu features",
			    v, F->nf);
	}
	F->mtry = v < 1 ? 1 : (long)v;
	/* Full histograms pay when half the features or more are tried. */
	F->subtract = (size_t)F->mtry * 2 >= F->nf && F->nf <= 512;
	F->inl = F->nf <= INLINE_BINS;
	v = p->min_samples_split.value;
	if (p->min_samples_split.kind == SC_SHARE_FRAC)
		v = ceil(v * n) < 2 ? 2 : ceil(v * n);
	F->min_split = (long)v;
	F->min_leaf = p->min_samples_leaf;
	v = p->max_samples.value;
	if (p->max_samples.kind == SC_SHARE_FRAC)
		v = round(v * n) < 1 ? 1 : round(v * n);
	else if (v > n)
		return sc_err_set(e, SC_EUSAGE, 0,
		    "max_samples %.0f: more "
		    "than the %zu rows",
		    v, F->n);
	F->nsamp = p->bootstrap ? (size_t)v : F->n;
	return 0;
}

static int
check_table(struct fit *F, const struct sc_table *t, struct sc_err *e)
{
	size_t i;

	if (sc_table_target(t) == NULL)
		return sc_err_set(e, SC_EDATA, 0, "no target column");
	if (F->n < 2)
		return sc_err_set(e, SC_EDATA, 0,
		    "%zu data rows: a forest "
		    "needs at least 2",
		    F->n);
	if (F->nf > F->n)
		return sc_err_set(e, SC_EDATA, 0,
		    "more features (%zu) than "
		    "rows (%zu)",
		    F->nf, F->n);
	for (i = 0; i < F->n; i++) {
		if (!isfinite(F->y[i]))
			return sc_err_set(e, SC_EDATA,
			    sc_table_line(t, F->rows ? F->rows[i] : i),
			    "column \"%.64s\": no target value",
			    sc_table_target(t));
		/* Sums of squares of such targets would overflow. */
		if (fabs(F->y[i]) > 1e100)
			return sc_err_set(e, SC_EDATA,
			    sc_table_line(t, F->rows ? F->rows[i] : i),
			    "column \"%.64s\": %g: beyond +-1e100",
			    sc_table_target(t), F->y[i]);
	}
	for (i = 1; i < F->n && F->y[i] == F->y[0]; i++)
		;
	if (i == F->n)
		return sc_err_set(e, SC_EDATA, 0,
		    "target \"%.64s\" is "
		    "constant: nothing to learn",
		    sc_table_target(t));
	return 0;
}

/* Average the per-tree importances in tree order, then normalise. */
static void
reduce_importances(struct fit *F)
{
	size_t k, j, nt = F->f->ntrees;
	double sum = 0;

	for (j = 0; j < F->nf; j++) {
		for (k = 0; k < nt; k++)
			F->f->imp[j] += F->imp[k * F->nf + j];
		F->f->imp[j] /= (double)nt;
		sum += F->f->imp[j];
	}
	for (j = 0; j < F->nf && sum > 0; j++)
		F->f->imp[j] /= sum;
}

static struct sc_forest *
fit(const struct sc_forest_params *p, const struct sc_table *t,
    const size_t *rows, size_t n, int mean_only, const struct bins *pre,
    struct sc_err *e)
{
	struct fit F;
	size_t k;
	int rc = -1;

	memset(&F, 0, sizeof(F));
	if (pre != NULL)
		F.bins = *pre; /* borrowed: not freed here */
	F.p = p;
	F.n = n;
	F.nf = sc_table_nfeatures(t);
	F.y = sc_table_y(t);
	F.t = t;
	F.rows = rows;
	F.mean_only = mean_only;
	F.oobm = p->oob_rows > 0 && (size_t)p->oob_rows < n
	    ? (size_t)p->oob_rows
	    : n;
	if (rows != NULL) {
		const double *y = sc_table_y(t);

		if ((F.ybuf = malloc((n ? n : 1) * sizeof(double))) == NULL) {
			sc_err_set(e, SC_EOS, 0, "out of memory");
			return NULL;
		}
		for (k = 0; k < n; k++) {
			if (rows[k] >= sc_table_nrows(t)) {
				free(F.ybuf);
				sc_err_set(e, SC_EINTERNAL, 0,
				    "row %zu out of range", rows[k]);
				return NULL;
			}
			F.ybuf[k] = y[rows[k]];
		}
		F.y = F.ybuf;
	}
	if (sc_forest_check(p, e) == -1 || check_table(&F, t, e) == -1 ||
	    resolve(&F, e) == -1) {
		free(F.ybuf);
		return NULL;
	}
	if ((F.f = sc_forest_new(p, sc_table_features(t), F.nf,
	         sc_table_target(t), (size_t)p->trees, e)) == NULL) {
		free(F.ybuf);
		return NULL;
	}
	F.imp = calloc((size_t)p->trees * F.nf, sizeof(double));
	F.pend = calloc((size_t)p->trees, sizeof(*F.pend));
	F.oobsum = calloc(F.n, sizeof(*F.oobsum));
	F.oobn = calloc(F.n, sizeof(*F.oobn));
	pthread_mutex_init(&F.lock, NULL);
	if (F.imp == NULL || F.pend == NULL || F.oobsum == NULL ||
	    F.oobn == NULL) {
		sc_err_set(e, SC_EOS, 0, "out of memory");
		goto out;
	}
	/* Ranks alone, 4 bytes a row a tree, say whether an arena pays. */
	F.arena = (size_t)p->trees * F.n >= ARENA_MIN / 4;
	if (rank_targets(&F, e) == -1 ||
	    (pre == NULL &&
	        sc_forest_bins_make(&F.bins, t, rows, n, p->threads, e) ==
	            -1) ||
	    sc_forest_parallel(p->threads, (size_t)p->trees, tree_job, &F, e) ==
	        -1)
		goto out;
	if (F.failed) {
		sc_err_set(e, SC_EOS, 0, "out of memory");
		goto out;
	}
	reduce_importances(&F);
	oob_rmse(&F);
	rc = 0;
out:
	for (k = 0; F.pend != NULL && k < (size_t)p->trees; k++) {
		free(F.pend[k].row);
		free(F.pend[k].val);
	}
	while (F.nspare > 0) {
		free(F.spare[--F.nspare].row);
		free(F.spare[F.nspare].val);
	}
	free(F.spare);
	while (F.nidle > 0)
		ws_free(F.idle[--F.nidle]);
	free(F.idle);
	pthread_mutex_destroy(&F.lock);
	free(F.pend);
	free(F.oobsum);
	free(F.oobn);
	if (pre == NULL)
		sc_forest_bins_free(&F.bins);
	free(F.imp);
	free(F.yrank);
	free(F.byrank);
	free(F.ybuf);
	if (rc == -1) {
		sc_forest_free(F.f);
		return NULL;
	}
	return F.f;
}

struct sc_forest *
sc_forest_fit(const struct sc_forest_params *p, const struct sc_table *t,
    struct sc_err *e)
{
	return fit(p, t, NULL, sc_table_nrows(t), 0, NULL, e);
}

struct sc_forest *
sc_forest_fit_rows(const struct sc_forest_params *p, const struct sc_table *t,
    const size_t *rows, size_t n, int mean_only, struct sc_err *e)
{
	return fit(p, t, rows, n, mean_only, NULL, e);
}

struct sc_forest *
sc_forest_fit_binned(const struct sc_forest_params *p,
    const struct sc_forest_binned *b, int mean_only, struct sc_err *e)
{
	return fit(p, b->b.t, b->b.rows, b->b.n, mean_only, &b->b, e);
}
