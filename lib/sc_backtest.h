/* SPDX-License-Identifier: ISC */
/*
 * Backtest: the forecasts a model would have made, day by day, over the
 * last days of a price history, each from the rows before its day only.
 * The model is refit every few days on an expanding (or sliding) window of
 * the rows whose target was known by then, with the feature table sc-split
 * builds for training, and each forecast's features are computed on the
 * history cut just after its asof day, with the code sc-predict --next
 * runs: a backtest scores what serving would have said, and it cannot see
 * the future because the future is not in the arrays it reads.
 */
#ifndef SC_BACKTEST_H
#define SC_BACKTEST_H

#include <stddef.h>
#include <stdio.h>

#include "sc_err.h"
#include "sc_features.h"
#include "sc_forest.h"
#include "sc_train.h"

#define SC_BACKTEST_MAX_DAYS 100000

/* Where the prediction intervals come from. */
enum sc_backtest_interval {
	SC_BACKTEST_CONFORMAL = 0, /* calibrated, normalised, adaptive */
	SC_BACKTEST_QUANTILE       /* the forest's quantiles */
};

struct sc_backtest_opts {
	const struct sc_features *features; /* borrowed */
	enum sc_target target;
	size_t days;   /* forecast days per ticker, 1..SC_BACKTEST_MAX_DAYS */
	size_t refit;  /* refit every refit forecast dates (>= 1) */
	size_t window; /* train on targets of the last window dates; 0: all */
	struct sc_forest_params forest;
	int folds;   /* walk-forward folds of each calibration (>= 2) */
	long trials; /* > 0: sc-tune's search of that many trials before each
	              * calibration, whose best parameters serve until the next */
	size_t recalibrate; /* calibrate on every recalibrate-th refit */
	double level;       /* interval level in (0, 1); 0: no interval */
	enum sc_backtest_interval interval;
	int aci; /* adapt the conformal level day by day (default 1) */
	/* The old default: the forest's own prediction (lambda 1) and its
	 * quantile intervals, no calibration. */
	int raw;
	const char *model_name; /* the model column's value */
	/* Called after each refit's forecasts (may be NULL); no I/O here. */
	void (*progress)(void *arg, size_t done, size_t total);
	void *progress_arg;
};

struct sc_backtest_stats {
	size_t tickers;
	size_t forecasts;
	size_t refits;
	size_t naive;       /* forecasts that fell back to the naive one */
	double lambda_mean; /* mean shrinkage over the refits */
	size_t train_rows;  /* rows of the last refit */
	char first[11], last[11]; /* first and last forecast date */
};

/*
 * Fill o with the defaults: 30 days, refit 20, expanding window, the
 * forest of sc_forest_defaults(), 5 folds, recalibrate every 5th refit,
 * 0.9, conformal with ACI.
 */
void sc_backtest_defaults(struct sc_backtest_opts *o);

/*
 * Read OHLCV history from in (to its end) and write the predictions CSV
 * (asof,date,ticker,close,predicted_close,actual_close,lower,upper,model,
 * source) to out: for each ticker, one row per day of its last o->days
 * days, forecast from the rows before that day.  Every refit fits a
 * forest; every recalibrate-th one is sc_train()'s (the forest and its
 * calibration from walk-forward validation inside the training rows), the
 * refits between keep the last calibration.  With trials, each
 * calibration is preceded by sc-tune's search over the training rows
 * (default space, forest as the base, the same folds) and uses its best
 * parameters, as do the refits up to the next one.  The forecast is naive + lambda x the predicted change
 * (source "naive" when lambda is 0), the conformal interval is scaled by
 * the volatility of the asof day, and with aci its level moves after each
 * of the ticker's hits and misses (sc_calib_aci).  stats may be NULL.
 * Returns 0, or -1 with SC_EDATA (bad input with its line, a ticker whose
 * history is too short for the features and the days, no training row
 * before the first forecast), SC_EUSAGE (options out of range, or a
 * forest option that misfits a training set), SC_EIO, SC_EOS.  On error
 * out holds part of the output: write it through sc_out_open().
 */
int sc_backtest_run(FILE *in, FILE *out, const struct sc_backtest_opts *o,
    struct sc_backtest_stats *stats, struct sc_err *e);

#endif
