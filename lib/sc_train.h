/* SPDX-License-Identifier: ISC */
/*
 * Training with calibration: fit a forest on a feature table and, from an
 * internal walk-forward validation by date (sc_tune's folds: every
 * validation date is after every training date of its fold), the
 * out-of-time predictions that fit the shrinkage lambda and the conformal
 * scores (sc_calib.h).  Never in-sample or out-of-bag predictions: those
 * flatter the model.  sc-forest, sc-tune and sc-backtest share this code.
 */
#ifndef SC_TRAIN_H
#define SC_TRAIN_H

#include "sc_calib.h"
#include "sc_err.h"
#include "sc_forest.h"
#include "sc_table.h"

struct sc_train_opts {
	struct sc_forest_params forest;
	int folds;               /* walk-forward folds 2..100; 0: none */
	int gap;                 /* dates left out before each fold; 0 */
	const char *vol_feature; /* NULL: SC_CALIB_VOL; "": sigma 1 */
};

/* Defaults: scikit-learn's forest, 5 folds, no gap, "vol_20". */
void sc_train_defaults(struct sc_train_opts *o);

/*
 * The naive forecast and the unit of sigma for a row with close `close`
 * of a table whose target is named target: for "target_close_1" both are
 * the close (a price target); for any other target (a log return, or a
 * change) 0 and 1.
 */
void sc_train_naive(const char *target, double close, double *naive,
    double *unit);

/*
 * 1 when target names a next-day forecast that sc-split makes
 * ("target_logret_1", "target_close_1"), whose naive forecast (tomorrow =
 * today) is the yardstick of calibration; 0 for any other column (NULL
 * too), a plain regression target with no naive forecast: such a forest
 * is not calibrated and sc-predict serves its predictions.
 */
int sc_train_forecasting(const char *target);

/*
 * The RMSE of the naive forecast (sc_train_naive) over the rows of t, in
 * the target's units: the yardstick printed next to an in-time figure such
 * as the out-of-bag RMSE.  Rows whose target or naive forecast is not
 * finite are left out; NaN when none is left.
 */
double sc_train_naive_rmse(const struct sc_table *t);

/*
 * The naive forecast's cross-validated RMSE on the walk-forward folds of
 * sc_tune (folds, gap as sc_tune_folds_make): the mean over the folds of
 * its RMSE on each fold's validation rows, computed as sc_tune computes a
 * trial's value, so the two sit side by side.  NaN with e set (SC_EDATA:
 * too few dates; SC_EOS).
 */
double sc_train_naive_cv_rmse(const struct sc_table *t, int folds, int gap,
    struct sc_err *e);

/*
 * Walk-forward validate forest parameters p on t (borrowed): fit each of
 * `folds` folds (gap as sc_tune_folds_make), predict its validation rows,
 * and fit c from those out-of-time pairs (sc_calib_fit), the drift of a
 * fold being the mean change of its training rows.  The volatility is
 * column vol_feature of t (NULL: SC_CALIB_VOL); when t has no such column
 * sigma is 1 (plain split conformal) and c->vol_feature is "".  Returns 0,
 * or -1 with SC_EDATA (too few dates, a close target without a close
 * column, a fit the table refuses), SC_EUSAGE, SC_EOS.
 */
int sc_train_calibrate(const struct sc_table *t,
    const struct sc_forest_params *p, int folds, int gap,
    const char *vol_feature, struct sc_calib *c, struct sc_err *e);

/*
 * Fit a forest on all of t and calibrate it.  With o->folds 0, when t has
 * too few dates for the folds, or when its target is not a forecast
 * (sc_train_forecasting() 0), there is no validation: c gets
 * sc_calib_none() (lambda 0, no scores, c->folds 0) and the caller should
 * say so.  The caller frees the
 * forest with sc_forest_free().  Returns NULL with the errors of
 * sc_forest_fit() and sc_train_calibrate().
 */
struct sc_forest *sc_train(const struct sc_table *t,
    const struct sc_train_opts *o, struct sc_calib *c, struct sc_err *e);

#endif
