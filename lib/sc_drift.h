/* SPDX-License-Identifier: ISC */
/*
 * Feature drift: how far the feature values of recent days (the current
 * rows) have moved from those a model was trained on (the reference rows).
 * Three statistics per feature: the population stability index (PSI) over
 * bins cut at the reference's quantiles, the two-sample Kolmogorov-Smirnov
 * statistic and the Wasserstein-1 distance divided by the reference's
 * standard deviation.  Each statistic's alarm threshold is calibrated on
 * the reference itself, as NannyML does: the reference is cut into chunks
 * the size of the current sample, each chunk is compared with the whole
 * reference, and the threshold is the chunk statistics' mean plus 3
 * standard deviations.  A feature has drifted when at least two of its
 * three statistics are above their thresholds.  docs/drift.md has the
 * details (bins, epsilon, chunking).
 */
#ifndef SC_DRIFT_H
#define SC_DRIFT_H

#include <stddef.h>
#include <stdio.h>

#include "sc_err.h"
#include "sc_table.h"

#define SC_DRIFT_BINS 10      /* default PSI bins */
#define SC_DRIFT_EPSILON 1e-4 /* PSI: share given to an empty bin */
#define SC_DRIFT_MIN_CHUNKS 3 /* reference chunks needed to calibrate */
#define SC_DRIFT_SIGMAS 3.0   /* threshold: mean + SIGMAS * sd */

enum sc_drift_method {
	SC_DRIFT_PSI,
	SC_DRIFT_KS,
	SC_DRIFT_WASSERSTEIN,
	SC_DRIFT_NMETHODS
};

#define SC_DRIFT_MODEL_MAX 128 /* longest model label kept */

struct sc_drift_opts {
	int bins; /* PSI bins, 2..100; 0 for SC_DRIFT_BINS */
	/*
	 * What the reference is, written to the JSON as given: the model
	 * label ("NAME/VERSION", printable ASCII, at most SC_DRIFT_MODEL_MAX
	 * bytes) and the dates it was trained on (YYYY-MM-DD); NULL when
	 * unknown.
	 */
	const char *model, *trained_from, *trained_to;
};

struct sc_drift;

/*
 * Compare cur with ref, feature by feature (ref's features; cur must hold
 * every one of them, in any column order).  Both tables are borrowed.
 * opts may be NULL.  Returns the result, which the caller frees with
 * sc_drift_free(), or NULL with SC_EDATA (no current row, a feature missing
 * from cur, a reference too short for SC_DRIFT_MIN_CHUNKS chunks) or
 * SC_EOS.
 */
struct sc_drift *sc_drift_compute(const struct sc_table *ref,
    const struct sc_table *cur, const struct sc_drift_opts *opts,
    struct sc_err *e);

/* Free d; NULL is a no-op. */
void sc_drift_free(struct sc_drift *d);

/* Features compared, and feature j's name (borrowed from ref). */
size_t sc_drift_nfeatures(const struct sc_drift *d);
const char *sc_drift_feature(const struct sc_drift *d, size_t j);

/* Feature j's statistic m, its threshold, and whether feature j drifted. */
double sc_drift_value(const struct sc_drift *d, size_t j,
    enum sc_drift_method m);
double sc_drift_threshold(const struct sc_drift *d, size_t j,
    enum sc_drift_method m);
int sc_drift_drifted(const struct sc_drift *d, size_t j);

/* Share of the features that drifted, 0..1. */
double sc_drift_share(const struct sc_drift *d);

/*
 * Write the drift JSON (docs/drift.md), or a table for people.  Returns 0,
 * or -1 with SC_EIO.
 */
int sc_drift_write(const struct sc_drift *d, FILE *fp, struct sc_err *e);
int sc_drift_write_text(const struct sc_drift *d, FILE *fp, struct sc_err *e);

/*
 * The statistics on two samples sorted ascending (a: the reference, n >= 1;
 * b: m >= 1).  The Wasserstein distance is not scaled here.  PSI uses bins
 * cut at a's quantiles (docs/drift.md).
 */
double sc_drift_ks(const double *a, size_t n, const double *b, size_t m);
double sc_drift_wasserstein(const double *a, size_t n, const double *b,
    size_t m);
double sc_drift_psi(const double *a, size_t n, const double *b, size_t m,
    int bins);

/*
 * The same KS and Wasserstein statistics in O(m log n) for a sample b
 * much smaller than a (a chunk or the current rows against the whole
 * reference): binary searches in a instead of a merge.  cum holds n + 1
 * prefix sums of a (cum[0] = 0, cum[i + 1] = cum[i] + a[i]).
 */
double sc_drift_ks_fast(const double *a, size_t n, const double *b, size_t m);
double sc_drift_wasserstein_fast(const double *a, const long double *cum,
    size_t n, const double *b, size_t m);

#endif
