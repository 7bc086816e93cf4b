/* SPDX-License-Identifier: ISC */
/*
 * Calibration of a forecaster against the naive forecast ("tomorrow =
 * today"), from out-of-time validation pairs only: the model's predicted
 * change p and the realised change r of each validation row (a change is
 * the target minus the naive forecast: the log return itself for the
 * logret target, close[t+1] - close[t] for the close target).
 *
 * - Shrinkage: the served change is lambda * p, lambda in [0, 1].  lambda
 *   is the least-squares slope of r on p clamped to [0, 1], and it is 0
 *   unless the validated skill is positive: cross-fitted over the folds
 *   (each fold's pairs judged with the lambda fitted on the other folds),
 *   the squared-error gain over the naive forecast must be positive with a
 *   one-sided t statistic above SC_CALIB_TCRIT (5% level).  A random walk
 *   thus gets exactly the naive forecast.
 * - Normalised split-conformal intervals: scores |r - lambda p| / scale,
 *   scale = sigma (times the close for the close target), sigma a
 *   volatility known at forecast time (a feature, "vol_20" by default,
 *   floored); the served interval is the forecast +- q * scale with q the
 *   finite-sample conformal quantile, kept as SC_CALIB_GRID quantiles.
 * - Adaptive conformal inference (Gibbs and Candes 2021): the level used
 *   at each step moves with the errors so coverage recovers after a
 *   change of regime.
 * Pure arithmetic: no I/O, no allocation beyond what is documented.
 */
#ifndef SC_CALIB_H
#define SC_CALIB_H

#include <stddef.h>

#include <jansson.h>

#include "sc_err.h"

#define SC_CALIB_GRID 201        /* score quantiles at j / 200, j = 0..200 */
#define SC_CALIB_TCRIT 1.645     /* one-sided 5% for the skill test */
#define SC_CALIB_GAMMA 0.005     /* ACI step (Gibbs and Candes's choice) */
#define SC_CALIB_VOL "vol_20"    /* default volatility feature */
#define SC_CALIB_FLOOR_SHARE 0.1 /* sigma floor: share of median sigma */
#define SC_CALIB_NAMESZ 32

/* What a model carries to serve calibrated forecasts (the model's JSON). */
struct sc_calib {
	double lambda;     /* served change = lambda * predicted change */
	double skill;      /* 1 - MSE(served) / MSE(naive), cross-fitted */
	double tstat;      /* one-sided t statistic of the skill */
	double mse_naive;  /* validation MSE of the naive forecast */
	double mse_model;  /* of the unshrunk model (lambda 1) */
	double mse_drift;  /* of the drift forecast (mean past change) */
	double mse_served; /* of lambda * p, cross-fitted */
	size_t n;          /* validation pairs */
	int folds;         /* walk-forward folds they came from */
	char vol_feature[SC_CALIB_NAMESZ]; /* "" : sigma is 1 */
	double vol_floor;                  /* sigma = max(vol, floor) */
	size_t nscores;                    /* 0: no conformal scores */
	double score[SC_CALIB_GRID];       /* score quantiles, increasing */
	double gamma;                      /* ACI step */
};

/*
 * Fit c from n validation pairs: predicted change p[i], realised change
 * r[i], drift forecast d[i] (the mean change before the fold; may be NULL),
 * scale[i] (> 0; sigma or sigma x close; may be NULL for 1) and fold[i]
 * (0..folds-1, folds >= 2, pairs of one fold judged with a lambda fitted
 * on the others).  Fills every member but vol_feature and vol_floor,
 * which the caller sets.  Returns 0, or -1 with SC_EDATA (fewer than 2
 * pairs, a non-finite value, a scale not > 0, a fold out of range) or
 * SC_EOS.
 */
int sc_calib_fit(struct sc_calib *c, const double *p, const double *r,
    const double *d, const double *scale, const int *fold, size_t n, int folds,
    struct sc_err *e);

/* An uncalibrated record: lambda 0, no scores, the default gamma. */
void sc_calib_none(struct sc_calib *c);

/*
 * The floor for sigma: SC_CALIB_FLOOR_SHARE times the median of the n
 * finite positive values of vol (1e-12 at least; 1 when there are none).
 * vol is not changed.
 */
double sc_calib_floor(const double *vol, size_t n);

/* sigma of one row: max(vol, floor), or 1 when c has no volatility. */
double sc_calib_sigma(const struct sc_calib *c, double vol);

/*
 * The conformal half-width, in units of scale, for level in (0, 1):
 * the ceil((n + 1) level)-th smallest score, read off the grid by linear
 * interpolation
 * (the largest score when that rank exceeds n).  NaN when c has no
 * scores.
 */
double sc_calib_quantile(const struct sc_calib *c, double level);

/* Check c: sizes, finite numbers, lambda in [0, 1]; -1 with SC_EDATA. */
int sc_calib_check(const struct sc_calib *c, struct sc_err *e);

/*
 * One served forecast in target units.  naive is the naive forecast (0 for
 * a change target such as a log return, the close for a price target) and
 * unit what sigma is multiplied by (1, or the close): the mean is naive +
 * lambda (pred - naive); when level is in (0, 1) and c has scores, lo and
 * hi are mean -+ sc_calib_quantile(level) sigma unit, else NaN.
 */
void sc_calib_serve(const struct sc_calib *c, double naive, double unit,
    double pred, double vol, double level, double *mean, double *lo,
    double *hi);

/*
 * c as the model file's "calibration" member (docs/model-format.md), a
 * new reference; NULL out of memory.
 */
json_t *sc_calib_to_json(const struct sc_calib *c);

/*
 * Read and validate the "calibration" member j into c: every member
 * present with its type and no other, finite numbers, lambda in [0, 1],
 * SC_CALIB_GRID increasing scores.  Returns 0, or -1 with SC_EDATA naming
 * the member.
 */
int sc_calib_from_json(const json_t *j, struct sc_calib *c, struct sc_err *e);

/*
 * The calibration of a model from its top-level members (sc_model_extra()):
 * 1 when extra has a valid "calibration" (into c), 0 when it has none (c
 * gets sc_calib_none()), -1 with SC_EDATA when it is invalid.
 */
int sc_calib_from_extra(const json_t *extra, struct sc_calib *c,
    struct sc_err *e);

/*
 * Adaptive conformal inference: alpha_{t+1} = alpha_t + gamma (alpha -
 * err_t), err_t 1 when the realised value fell outside the interval of
 * level 1 - alpha_t, clamped to [SC_CALIB_ALPHA_MIN, SC_CALIB_ALPHA_MAX].
 */
#define SC_CALIB_ALPHA_MIN 0.001
#define SC_CALIB_ALPHA_MAX 0.999
struct sc_calib_aci {
	double target; /* alpha = 1 - nominal level */
	double alpha;  /* current alpha_t */
	double gamma;
};

/* Start at alpha = 1 - level. */
void sc_calib_aci_init(struct sc_calib_aci *a, double level, double gamma);

/* The level to use now: 1 - alpha_t. */
double sc_calib_aci_level(const struct sc_calib_aci *a);

/* Record whether the last interval missed (1) or covered (0). */
void sc_calib_aci_update(struct sc_calib_aci *a, int miss);

#endif
