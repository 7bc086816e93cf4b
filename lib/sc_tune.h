/* SPDX-License-Identifier: ISC */
/*
 * Hyperparameter search for the forest, scored by walk-forward
 * cross-validation inside the training table only (the old system chose
 * by test-set RMSE, so its figure was optimistic).  Folds cut the sorted
 * distinct dates into consecutive blocks (TimeSeriesSplit on dates, so a
 * day's tickers never straddle a cut); trials run one after another, each
 * fit using every core, and every random choice of trial k comes from its
 * own stream (seed, k), so a search repeats exactly whatever the thread
 * count.  Samplers: independent TPE as Optuna's default (sc_tpe.c) and
 * random; a median pruner stops a trial at a fold.
 */
#ifndef SC_TUNE_H
#define SC_TUNE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "sc_err.h"
#include "sc_forest.h"
#include "sc_table.h"

#define SC_TUNE_MAXPARAMS 8
#define SC_TUNE_MAXCAT 16
#define SC_TUNE_MAXFOLDS 100

enum sc_tune_kind { SC_TUNE_INT, SC_TUNE_FLOAT, SC_TUNE_CAT };

/* One dimension of the space; a value is a double (a category: its index). */
struct sc_tune_dim {
	char name[24];
	enum sc_tune_kind kind;
	double lo, hi;
	int log;
	size_t ncat;
	char cat[SC_TUNE_MAXCAT][24];
};

struct sc_tune_space {
	size_t n;
	struct sc_tune_dim d[SC_TUNE_MAXPARAMS];
};

/*
 * The default space (the old system's, plus two): trees int 50..300,
 * max_depth int 3..10, min_samples_split float 0.01..0.1 (a share),
 * min_samples_leaf int 1..32 log, max_features float 0.1..1.0.
 */
void sc_tune_space_defaults(struct sc_tune_space *s);

/*
 * Add or replace a dimension from "name=int:lo:hi[:log]",
 * "name=float:lo:hi[:log]" or "name=cat:a,b,c".  Names: trees, max_depth,
 * min_samples_split, min_samples_leaf, max_features, max_samples,
 * bootstrap.  Returns 0, or -1 with SC_EUSAGE saying what is wrong (an
 * unknown name, a bound out of the parameter's range, lo above hi, log
 * with lo <= 0, a category the parameter cannot take).
 */
int sc_tune_space_parse(struct sc_tune_space *s, const char *spec,
    struct sc_err *e);

/*
 * Add or replace dimensions from a JSON object {"name": "int:lo:hi", ...}
 * read from fp.  Returns 0, or -1 with SC_EUSAGE (as above, or not such
 * an object).
 */
int sc_tune_space_read(struct sc_tune_space *s, FILE *fp, struct sc_err *e);

/*
 * Set the forest parameters of dimension values x (s->n doubles) on top
 * of base into *p.  Returns 0, or -1 with SC_EUSAGE.
 */
int sc_tune_apply(const struct sc_tune_space *s, const double *x,
    const struct sc_forest_params *base, struct sc_forest_params *p,
    struct sc_err *e);

/*
 * Walk-forward folds: the distinct dates of t (its "date" labels sorted
 * by text; rows in table order when there is no date column) are cut into
 * k + 1 blocks of n / (k + 1) dates, the remainder going to the first;
 * fold i trains on the dates before block i + 1, less the gap dates just
 * before it, and validates on block i + 1.
 */
struct sc_tune_folds;

/*
 * Make k folds (2..SC_TUNE_MAXFOLDS) of t with gap dates (>= 0) between
 * training and validation.  The caller frees the result with
 * sc_tune_folds_free().  Returns NULL with SC_EDATA (too few dates for k
 * blocks and the gap) or SC_EOS.
 */
struct sc_tune_folds *sc_tune_folds_make(const struct sc_table *t, int k,
    int gap, struct sc_err *e);

/* Free f; NULL is a no-op. */
void sc_tune_folds_free(struct sc_tune_folds *f);

/* The number of folds, and fold i's rows of t (borrowed, in table order). */
int sc_tune_folds_n(const struct sc_tune_folds *f);
void sc_tune_folds_get(const struct sc_tune_folds *f, int i,
    const size_t **train, size_t *ntrain, const size_t **valid, size_t *nvalid);

enum sc_tune_state { SC_TUNE_COMPLETE, SC_TUNE_PRUNED };
enum sc_tune_sampler { SC_TUNE_TPE, SC_TUNE_RANDOM };

struct sc_tune_trial {
	long number;
	enum sc_tune_state state;
	double value; /* mean RMSE over its folds (pruned: those it ran) */
	int nfolds;   /* folds run */
	double fold[SC_TUNE_MAXFOLDS];
	double x[SC_TUNE_MAXPARAMS];
	double duration; /* seconds */
};

struct sc_tune_opts {
	long trials;    /* the whole search's */
	int folds, gap; /* 5, 0 */
	enum sc_tune_sampler sampler;
	uint64_t seed;                /* sampler and forest seed */
	int prune;                    /* the median pruner */
	double timeout;               /* seconds; 0: none */
	long shard, nshard;           /* run trials number % nshard == shard */
	struct sc_forest_params base; /* threads, and what the space omits */
};

/* Defaults: 50 trials, 5 folds, no gap, TPE, seed 0, pruning, no shard. */
void sc_tune_defaults(struct sc_tune_opts *o);

/*
 * The sampler's next point for trial number, given the finished trials
 * h[0..nh) (complete or pruned), into x.  TPE falls back to random for its
 * first 10 trials.  Deterministic in (seed, number, h).
 */
void sc_tpe_sample(const struct sc_tune_space *s, enum sc_tune_sampler smp,
    uint64_t seed, long number, const struct sc_tune_trial *h, size_t nh,
    double *x);

/*
 * The median pruner's verdict after fold `fold` of a trial whose running
 * mean RMSE is value: prune (1) when at least 5 trials of h are complete
 * and value exceeds the median of their running means at that fold.
 */
int sc_tune_prune(const struct sc_tune_trial *h, size_t nh, int fold,
    double value);

struct sc_tune;

/* Called after each finished trial, with the search so far. */
typedef void sc_tune_cb(const struct sc_tune *, const struct sc_tune_trial *,
    void *arg);

/*
 * Run the search over t (borrowed) and space s: trials in order of their
 * numbers, calling cb (may be NULL) after each.  The caller frees the
 * result with sc_tune_free().  Returns NULL with SC_EDATA (too few dates,
 * a fit the table refuses), SC_EUSAGE (a parameter out of range for the
 * table) or SC_EOS.
 */
struct sc_tune *sc_tune_run(const struct sc_table *t,
    const struct sc_tune_space *s, const struct sc_tune_opts *o, sc_tune_cb *cb,
    void *arg, struct sc_err *e);

/* Free r; NULL is a no-op. */
void sc_tune_free(struct sc_tune *r);

/* Trials finished, trial i (borrowed), the best complete one (NULL: none). */
size_t sc_tune_ntrials(const struct sc_tune *r);
const struct sc_tune_trial *sc_tune_trial(const struct sc_tune *r, size_t i);
const struct sc_tune_trial *sc_tune_best(const struct sc_tune *r);

/* Non-zero when the timeout stopped the search; its seconds so far. */
int sc_tune_timed_out(const struct sc_tune *r);
double sc_tune_elapsed(const struct sc_tune *r);

/*
 * A 16-hex-digit identity of the search (table SHA-256, target, space,
 * folds, gap, sampler, seed, trials) into buf (17 bytes): shards of one
 * search share it, and merge refuses trials of another.
 */
void sc_tune_search_id(const struct sc_table *t, const struct sc_tune_space *s,
    const struct sc_tune_opts *o, char *buf);

/*
 * Append trial tr as one JSON line (DESIGN.md's trials JSONL) to fp.
 * Returns 0, or -1 with SC_EIO.
 */
int sc_tune_write_trial(FILE *fp, const struct sc_tune_space *s,
    const struct sc_tune_trial *tr, const char *id, struct sc_err *e);

/*
 * Read trials JSONL from fp (name for messages) into a result for merge:
 * trials of search id only, appended to *r (created when NULL).  Returns
 * 0, or -1 with SC_EDATA (not JSON, another search, a duplicate number, a
 * value out of the space; e->line set) or SC_EOS.
 */
int sc_tune_read_trials(struct sc_tune **r, FILE *fp,
    const struct sc_tune_space *s, const char *id, struct sc_err *e);

/*
 * The "tuning" record for the model file: {"tuning": {cv_rmse, folds,
 * gap, sampler, seed, trials, complete, pruned, timed_out, best_trial,
 * best_params, best_folds, space}}, new reference.  NULL when out of
 * memory or without a best trial.
 */
json_t *sc_tune_record(const struct sc_tune *r, const struct sc_tune_space *s,
    const struct sc_tune_opts *o);

#endif
