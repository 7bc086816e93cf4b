/* SPDX-License-Identifier: ISC */
/*
 * Random forest regression with quantile prediction intervals.  The
 * hyperparameters mean what they mean in scikit-learn's
 * RandomForestRegressor.  Fitting pre-bins every feature once into at most
 * 256 bins (exact when a feature has fewer distinct values) and searches
 * splits on per-node histograms; thresholds are midpoints between real
 * training values, so predicting from raw doubles routes training rows
 * exactly as fitting did.  Each tree draws from its own random stream, so
 * the forest is the same whatever the thread count.  Leaves keep the ranks
 * of their in-bag targets, which gives any quantile (Meinshausen 2006).
 */
#ifndef SC_FOREST_H
#define SC_FOREST_H

#include <stddef.h>
#include <stdint.h>

#include "sc_err.h"
#include "sc_table.h"

/* A count, a share, or (features only) a rule: as scikit-learn's int/float. */
enum sc_share_kind {
	SC_SHARE_COUNT,
	SC_SHARE_FRAC,
	SC_SHARE_SQRT,
	SC_SHARE_LOG2
};

struct sc_share {
	enum sc_share_kind kind;
	double value; /* count >= 1, or share in (0, 1] */
};

struct sc_forest_params {
	int trees;                         /* 1..100000; default 100 */
	int max_depth;                     /* 0: unlimited */
	struct sc_share min_samples_split; /* count >= 2 or share */
	long min_samples_leaf;             /* >= 1 */
	struct sc_share max_features;      /* default share 1.0 */
	int bootstrap;                     /* default 1 */
	struct sc_share max_samples;       /* default share 1.0 */
	uint64_t seed;                     /* default 0 */
	long interval_grid; /* 0: leaves keep exact target ranks; else
	                       ranks on a grid of this many targets */
	int bag_ranks;      /* 0: a leaf keeps the ranks of every training
	                       row reaching it; 1: of its tree's in-bag rows */
	long oob_rows;      /* 0: the out-of-bag RMSE covers every row; else
	                       this many rows, evenly spaced */
	int threads;        /* 0: every online CPU */
};

/* Fill p with the defaults of scikit-learn's RandomForestRegressor. */
void sc_forest_defaults(struct sc_forest_params *p);

/*
 * Parse s into *out: "sqrt" or "log2" (when names is non-zero), a number
 * with a '.' or an exponent as a share in (0, 1], else a count >= min.
 * Returns 0, or -1 with SC_EUSAGE saying what is wanted.
 */
int sc_share_parse(const char *s, int names, long min, struct sc_share *out,
    struct sc_err *e);

/* Check p for values out of range; 0, or -1 with SC_EUSAGE. */
int sc_forest_check(const struct sc_forest_params *p, struct sc_err *e);

struct sc_forest;

/*
 * Fit a forest to the features and target of t (borrowed, not kept).
 * Tree k draws from sc_rng_seed(seed, k) alone, first its bootstrap (the
 * max_samples draws of sc_rng_below(rows)), so a tree's bag can be
 * recomputed and the forest does not depend on the thread count.
 * Returns a forest the caller frees with sc_forest_free(), or NULL with
 * SC_EUSAGE (a parameter out of range for this table) or SC_EDATA (fewer
 * than 2 rows, more features than rows, a constant or missing target),
 * SC_EOS.
 */
struct sc_forest *sc_forest_fit(const struct sc_forest_params *p,
    const struct sc_table *t, struct sc_err *e);

/*
 * As sc_forest_fit() on sc_table_subset(t, rows, n) (rows borrowed, in
 * range, a row may repeat), without copying the table: the same forest,
 * bit for bit.  For cross-validation folds.  With mean_only the forest is
 * for mean predictions alone (sc_forest_predict*() give the same means):
 * no out-of-bag estimate (NaN) and leaves keep their in-bag ranks only,
 * which skips routing every out-of-bag row through every tree.
 */
struct sc_forest *sc_forest_fit_rows(const struct sc_forest_params *p,
    const struct sc_table *t, const size_t *rows, size_t n, int mean_only,
    struct sc_err *e);

/*
 * A table's features binned once, for many fits on the same rows (each
 * fold of a search, trial after trial): binning sorts every feature.
 * Rows as sc_forest_fit_rows() (NULL: every row of t); t and rows are
 * borrowed for the life of the result.  NULL with SC_EOS.
 */
struct sc_forest_binned;
struct sc_forest_binned *sc_forest_bin(const struct sc_table *t,
    const size_t *rows, size_t n, int threads, struct sc_err *e);
void sc_forest_binned_free(struct sc_forest_binned *);

/*
 * As sc_forest_fit_rows() on the table and rows b was binned from: the
 * same forest, bit for bit, without binning again.
 */
struct sc_forest *sc_forest_fit_binned(const struct sc_forest_params *p,
    const struct sc_forest_binned *b, int mean_only, struct sc_err *e);

/* Free f; NULL is a no-op. */
void sc_forest_free(struct sc_forest *f);

/*
 * The forest's parameters, its number of features, feature j's name, the
 * target's name and the number of trees (all borrowed from f).
 */
const struct sc_forest_params *sc_forest_params(const struct sc_forest *f);
size_t sc_forest_nfeatures(const struct sc_forest *f);
const char *sc_forest_feature(const struct sc_forest *f, size_t j);
const char *sc_forest_target(const struct sc_forest *f);
size_t sc_forest_ntrees(const struct sc_forest *f);

/* Out-of-bag RMSE, NaN when no row was ever out of bag. */
double sc_forest_oob_rmse(const struct sc_forest *f);

/* Impurity-based importance of feature j (they sum to 1, or all 0). */
double sc_forest_importance(const struct sc_forest *f, size_t j);

/*
 * Non-zero unless f was read without its leaves' ranks (sc_model_read_flags()
 * with SC_MODEL_NO_RANKS): then it predicts means only, quantiles,
 * intervals and writing it fail with SC_EUSAGE, and its trees' views
 * (sc_forest_tree()) may have no thresholds and no ranks (NULL).
 */
int sc_forest_has_ranks(const struct sc_forest *f);

/*
 * Non-zero unless f was read for predicting only (SC_MODEL_NO_RANKS or
 * SC_MODEL_PREDICT_ONLY): then writing it fails with SC_EUSAGE, and its
 * trees' views may have no thresholds (NULL).
 */
int sc_forest_writable(const struct sc_forest *f);

/*
 * The mean prediction for one row x (nfeatures doubles in the forest's
 * feature order): the average of the trees' leaf values.  The first
 * prediction from a forest lays it out for walking (any of these calls,
 * from any thread); NaN when that finds no memory.
 */
double sc_forest_predict(const struct sc_forest *f, const double *x);

/*
 * Quantiles q[0..nq) (each in [0, 1]) of the predictive distribution of
 * row x, into out[0..nq): weighted quantiles of the training targets in
 * the leaves x reaches.  Returns 0, or -1 with SC_EOS, or SC_EUSAGE when
 * f has no ranks.
 */
int sc_forest_quantiles(const struct sc_forest *f, const double *x,
    const double *q, size_t nq, double *out, struct sc_err *e);

/*
 * The mean prediction of row x and its central interval at level (in
 * (0, 1); 0.9 gives the 0.05 and 0.95 quantiles) from one walk of the
 * trees.  Returns 0, or -1 with SC_EUSAGE (level out of range, or f has
 * no ranks) or SC_EOS.
 */
int sc_forest_interval(const struct sc_forest *f, const double *x, double level,
    double *mean, double *lo, double *hi, struct sc_err *e);

/*
 * Predict every row of t, whose feature for forest feature j is column
 * map[j] (map NULL: the same order).  mean gets nrows values; when level
 * is in (0, 1) lo and hi get the (1-level)/2 and (1+level)/2 quantiles.
 * threads as in the parameters.  Returns 0, or -1 with SC_EOS, or
 * SC_EUSAGE when an interval is asked of a forest without ranks.
 */
int sc_forest_predict_table(const struct sc_forest *f, const struct sc_table *t,
    const size_t *map, double level, int threads, double *mean, double *lo,
    double *hi, struct sc_err *e);

/*
 * One tree as flat arrays, node 0 the root.  A split node sends x to left
 * when x[feature] <= threshold; a leaf has feature, left and right -1.
 * count[i] is the number of target ranks leaf i keeps (0 for a split
 * node); rank holds them leaf after leaf in node order, sorted within a
 * leaf, as indices into the forest's sorted distinct training targets.
 */
struct sc_forest_tree {
	size_t nodes;
	const int32_t *feature;
	const double *threshold;
	const int32_t *left, *right;
	const double *value;
	const uint32_t *count;
	size_t nranks;
	const uint32_t *rank;
};

/* View tree i (borrowed; valid while f lives). */
void sc_forest_tree(const struct sc_forest *f, size_t i,
    struct sc_forest_tree *out);

/* The sorted distinct training targets (borrowed) and their number. */
const double *sc_forest_targets(const struct sc_forest *f, size_t *n);

/*
 * Build a forest from parts (a model file): parameters, feature and target
 * names, the sorted distinct targets, OOB RMSE (NaN: none), importances
 * (nfeat values) and ntrees trees, all copied.  Every tree is validated:
 * sizes, finite numbers, feature and rank indices in range, children after
 * their parent and each node reached once.  Returns NULL with SC_EDATA
 * naming the tree and the field, or SC_EOS.
 */
struct sc_forest *sc_forest_assemble(const struct sc_forest_params *p,
    const char *const *features, size_t nfeat, const char *target,
    const double *targets, size_t ntargets, double oob_rmse,
    const double *importances, const struct sc_forest_tree *trees,
    size_t ntrees, struct sc_err *e);

#endif
