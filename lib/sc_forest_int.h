/* SPDX-License-Identifier: ISC */
/*
 * Private to the forest modules (sc_forest.c: the forest, the thread
 * pool, assembly from parts; sc_forest_bins.c: binning; sc_forest_fit.c:
 * growing trees; sc_forest_predict.c: prediction) and the model file
 * modules (sc_model.c: the JSON writer; sc_model_read.c: the JSON reader,
 * which assembles a forest from parts; sc_model_bin.c: the binary form,
 * both ways): the layout they share.
 */
#ifndef SC_FOREST_INT_H
#define SC_FOREST_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "sc_forest.h"
#include "sc_table.h"

/*
 * The walking layout.  Every feature's distinct thresholds are in one
 * sorted table (struct sc_forest: thr, toff), and a row is walked as its
 * ranks against those tables: rank r of value x on feature j is the
 * number of table entries below x, so x > table[k] exactly when r > k
 * (NaN has rank 0 and goes left, as x > thr is false for it).  The walk
 * then compares integers and a node takes 8 bytes: feature, threshold
 * index, and the index of its left child, the two children side by side.
 * A leaf is its own left child, with feature 0 and the largest threshold
 * index (no rank exceeds it), so a walk that has reached a leaf stays
 * there: rows walk in lanes without a branch per node.  Leaves are
 * numbered in the order of their places, so a leaf's number is the count
 * of leaves before its place, read off a bitmap of the places with a
 * count per 32 of them (struct lrank: a quarter of a byte a node, where a
 * number per node took four).  When a feature has more than 65,535
 * thresholds (or the forest more than 65,535 features) the wide layout of
 * 12 bytes a node is used instead.
 */
#define WALK_LEAF16 0xffffU
#define WALK_LEAF32 0xffffffffU

struct cnode {
	uint16_t feat, thr;
	uint32_t kids;
};

struct wnode {
	uint32_t feat, thr, kids;
};

/*
 * Places p of a tree's walking layout in words of 32: bit p % 32 of word
 * p / 32 is set when p holds a leaf; before counts the leaves in the
 * words before.
 */
struct lrank {
	uint32_t bits, before;
};

/*
 * Fill in lr[k].before for the w words of lr, their bits set; returns the
 * leaves in all.
 */
size_t sc_forest_lrank_count(struct lrank *lr, size_t w);

/*
 * The bits set in v, without the instruction (not in baseline x86-64,
 * where __builtin_popcount() is a library call).
 */
static inline uint32_t
pop32(uint32_t v)
{
	v = v - ((v >> 1) & 0x55555555U);
	v = (v & 0x33333333U) + ((v >> 2) & 0x33333333U);
	v = (v + (v >> 4)) & 0x0f0f0f0fU;
	return (v * 0x01010101U) >> 24;
}

/* The number of the leaf at place p: leaves at places before p. */
static inline uint32_t
leaf_number(const struct lrank *lr, uint32_t p)
{
	return lr[p / 32].before +
	    pop32(lr[p / 32].bits & ((1U << (p % 32)) - 1));
}

/*
 * Memory for the walking layout of a forest read for predicting (and a
 * fit's trees): one mapping that the threads decoding the trees carve
 * their arrays from, without a malloc per array.  A tree's arrays from it
 * are marked in its inslab bits and not freed with the tree; the mapping
 * goes with the forest (or the reader, when no forest took it).
 */
struct sc_slab {
	unsigned char *base, *p; /* the mapping; p its first aligned byte */
	size_t len, cap;         /* mapped; usable from p */
	atomic_size_t used;
	struct sc_slab *next; /* a fit's earlier slabs, freed with this one */
};

/*
 * A slab of cap bytes; NULL when mapping fails or cap is too small to
 * gain from (the caller then uses malloc).  Not under AddressSanitizer,
 * which cannot see inside one mapping.
 */
struct sc_slab *sc_slab_new(size_t cap);

/* n bytes of s, 64-byte aligned, never handed out twice; NULL when full. */
void *sc_slab_take(struct sc_slab *s, size_t n);

/* Free s and the slabs after it. */
void sc_slab_free(struct sc_slab *s);

/* Which of a tree's walking arrays are in a slab (struct tree: inslab). */
#define SLAB_NODES 1 /* cn or wn */
#define SLAB_LRANK 2
#define SLAB_LVAL 4
#define SLAB_RANK 8
#define SLAB_LREF 16
#define SLAB_TREE 32 /* feature, left, right, threshold, value, count */

struct tree {
	size_t n, cap;       /* nodes */
	struct cnode *cn;    /* the walking nodes (narrow forest), or */
	struct wnode *wn;    /* (wide forest) */
	struct lrank *lr;    /* which places hold leaves: (n + 31) / 32 */
	double *lval;        /* leaves' values by leaf number */
	uint32_t (*lref)[2]; /* and their ranks: offset, count (or NULL) */
	size_t nleaves;
	int32_t *feature, *left, *right;
	double *threshold, *value;
	uint32_t *count, *roff; /* ranks per leaf; their offset while packing */
	size_t nranks, rcap;
	uint32_t *rank;
	uint32_t *tidx; /* while laying out: given threshold indices */
	int inslab;     /* SLAB_* bits: arrays not to free */
};

struct sc_forest {
	struct sc_forest_params p;
	size_t nfeat;
	char **feat;
	char *target;
	size_t ntrees;
	struct tree *trees;
	double *ytab; /* sorted distinct targets */
	size_t ny;
	double oob;
	double *imp;
	double *thr;  /* feature j's sorted distinct thresholds: */
	size_t *toff; /* thr[toff[j]..toff[j + 1]) */
	int wide;     /* trees walk wnode, not cnode */
	int noranks;  /* read without the leaves' ranks: means only */
	int nowrite;  /* read for predicting only: no thresholds or ranks */
	/*
	 * The walking layout is made when first needed (sc_forest_ready()):
	 * a forest that is fitted only to be written never makes it.
	 */
	atomic_int laid;
	pthread_mutex_t laying;
	struct sc_slab *slab; /* the trees' walking arrays, when read so */
};

#define NBINS 256

/* Bytes past the last row's bins, so a row's can be read 16 at a time. */
#define BINS_PAD 16

struct bins {
	size_t n, nf;
	uint8_t *b;    /* n rows of nf bins, then BINS_PAD zero bytes */
	int *nb;       /* bins per feature */
	double *upper; /* nf x NBINS: largest value in a bin */
	double *lower; /* nf x NBINS: smallest value in a bin */
	const struct sc_table *t;
	const size_t *rows; /* row i of the fit is rows[i] of t; NULL: i */
	int failed;
};

/*
 * Bin every feature of t into B, with up to threads threads.  Returns 0,
 * or -1 with SC_EOS; B is freed with sc_forest_bins_free() either way.
 */
int sc_forest_bins_make(struct bins *B, const struct sc_table *t,
    const size_t *rows, size_t n, int threads, struct sc_err *e);
void sc_forest_bins_free(struct bins *B);

/* What sc_forest_bin() makes. */
struct sc_forest_binned {
	struct bins b;
};

/*
 * The threshold between bins a and b (> a) of feature j: the midpoint of
 * a's largest and b's smallest value, or a's largest when the midpoint
 * rounds onto b's.
 */
double sc_forest_bins_cut(const struct bins *B, int j, int a, int b);

/* Sort n finite doubles (radix sort; tmp holds n more). */
void sc_forest_sort_doubles(double *v, uint64_t *tmp, size_t n);

/* An empty forest with names copied; NULL with SC_EOS. */
struct sc_forest *sc_forest_new(const struct sc_forest_params *,
    const char *const *, size_t, const char *, size_t, struct sc_err *);

#define WALK_LANES 8 /* rows walked in lock step (fitting) */

/*
 * Check that tree t's counts add up to its ranks.  Returns -1 when they
 * do not (or are too many).
 */
int sc_forest_tree_offsets(struct tree *);

/*
 * Build the walking layout of every tree of f, with up to threads
 * threads: the threshold tables first (from the trees), then the nodes.
 * Returns 0, or -1 when out of memory.
 */
int sc_forest_layout(struct sc_forest *f, int threads);

/*
 * Lay f out for walking unless it is already (sc_forest_layout(), with
 * f's threads, once, whichever thread asks first): what every prediction
 * calls first.  Returns 0, or -1 when out of memory.
 */
int sc_forest_ready(const struct sc_forest *f);

/*
 * The rank of x against the n sorted thresholds t: how many are below x
 * (0 for a NaN).  Without a branch on the comparison: the step is taken
 * or not by a conditional move, so a search costs its loads only, not a
 * mispredicted branch a level (a row's values are as good as random).
 */
static inline uint32_t
thr_rank(const double *t, size_t n, double x)
{
	const double *b = t;
	size_t half;

	if (n == 0)
		return 0;
	while (n > 1) {
		half = n / 2;
		b = b[half] < x ? b + half : b;
		n -= half;
	}
	return (uint32_t)(b - t) + (*b < x);
}

/*
 * The checks sc_forest_assemble() makes of tree ti (s) for a forest of
 * nfeat features and ny targets: leaves, children in range, one parent
 * each, counts and ranks.  For checking a model one tree at a time
 * (sc_model_check).  0, or -1 with SC_EDATA naming the tree, or SC_EOS.
 */
int sc_forest_check_tree(const struct sc_forest_tree *s, size_t ti,
    size_t nfeat, size_t ny, struct sc_err *e);

/*
 * As sc_forest_assemble(), but the trees' arrays (each from malloc) are
 * taken, not copied: they belong to the forest, or are freed, whatever
 * happens, and the caller forgets them.  So are thr and toff, when not
 * NULL: the threshold tables (toff has nfeat + 1 offsets into thr; each
 * table sorted and distinct, every split's threshold in its table), and
 * tidx[i] (may be NULL): tree i's splits' indices in their tables, so
 * that the walking layout needs no search.  checked (may be NULL): non-zero
 * for a tree the caller has validated as fully as the forest would (the
 * binary reader, for a tree in preorder), which is then not checked again.
 * packed (may be NULL): packed[i], when not NULL, is tree i already laid
 * out for walking, taken in place of trees[i] (see below).
 */
struct sc_forest *sc_forest_assemble_take(const struct sc_forest_params *p,
    const char *const *features, size_t nfeat, const char *target,
    const double *ytab, size_t ny, double oob, const double *imp,
    const struct sc_forest_tree *trees, size_t ntrees, double *thr,
    size_t *toff, uint32_t *const *tidx, const char *checked,
    struct tree *const *packed, struct sc_err *e);

/*
 * Whether a forest of nfeat features with the threshold tables toff
 * (nfeat + 1 offsets) walks the wide layout (struct wnode).
 */
int sc_forest_wide(size_t nfeat, const size_t *toff);

/*
 * For a forest that only predicts, a reader may lay a tree out itself
 * (calloc'd): n, cap, the walking nodes (cn or wn, as sc_forest_wide()
 * says), lr, lval, lref (NULL when the ranks are not read) and nleaves
 * exactly as sc_forest_layout() would make
 * them from the tree, and rank, nranks and rcap (rank NULL: not read),
 * nothing else; checked as fully as the forest would check the tree.  It
 * is sc_forest_assemble_take()'s packed[i] (which then ignores trees[i],
 * tidx[i] and checked[i]); the forest cannot be written.
 * sc_forest_packed_free() frees one that no forest took.
 */
void sc_forest_packed_free(struct tree *t);

/* Run fn(arg, k) for k < n on up to threads threads; 0 or -1 (SC_EOS). */
int sc_forest_parallel(int threads, size_t n, void (*fn)(void *, size_t),
    void *arg, struct sc_err *);

/* Every online CPU when threads is 0. */
int sc_forest_threads(int threads);

#endif
