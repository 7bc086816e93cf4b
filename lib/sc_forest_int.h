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

#include <stddef.h>
#include <stdint.h>

#include "sc_forest.h"
#include "sc_table.h"

/*
 * The walking layout: 16 bytes a node, the two children side by side.  A
 * split keeps its threshold and the index of its left child; a leaf has
 * feature -1 - (its number of ranks), its value in thr and the offset of
 * its ranks in kids, so a quantile needs nothing but the leaf's pnode.
 */
struct pnode {
	double thr;
	int32_t feat;
	uint32_t kids;
};

struct tree {
	size_t n, cap;    /* nodes */
	struct pnode *pn; /* n nodes, for walking */
	int32_t *feature, *left, *right;
	double *threshold, *value;
	uint32_t *count, *roff; /* ranks per leaf; their offset while packing */
	size_t nranks, rcap;
	uint32_t *rank;
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
};

#define NBINS 256

struct bins {
	size_t n, nf;
	uint8_t *b;    /* n rows of nf bins */
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

/* The packed leaf of tree t that row x reaches. */
static inline const struct pnode *
tree_walk(const struct tree *t, const double *x)
{
	const struct pnode *pn = t->pn, *p = pn;

	while (p->feat >= 0)
		p = pn + p->kids + (x[p->feat] > p->thr);
	return p;
}

#define WALK_LANES 8 /* rows walked in lock step */

/*
 * Finish a tree: fill roff from count and build the walking layout.
 * Returns -1 when out of memory or the ranks do not add up.
 */
int sc_forest_tree_offsets(struct tree *);

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
 * happens, and the caller forgets them.
 */
struct sc_forest *sc_forest_assemble_take(const struct sc_forest_params *p,
    const char *const *features, size_t nfeat, const char *target,
    const double *ytab, size_t ny, double oob, const double *imp,
    const struct sc_forest_tree *trees, size_t ntrees, struct sc_err *e);

/* Run fn(arg, k) for k < n on up to threads threads; 0 or -1 (SC_EOS). */
int sc_forest_parallel(int threads, size_t n, void (*fn)(void *, size_t),
    void *arg, struct sc_err *);

/* Every online CPU when threads is 0. */
int sc_forest_threads(int threads);

#endif
