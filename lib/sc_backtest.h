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
	double level; /* interval level in (0, 1); 0: no interval */
	enum sc_backtest_interval interval;
	int raw; /* serve the forest's own prediction: no calibration */
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

/* Fill o with the defaults: 30 days, refit 20, expanding, 0.9, conformal. */
void sc_backtest_defaults(struct sc_backtest_opts *o);

/*
 * Read OHLCV history from in (to its end) and write the predictions CSV
 * (asof,date,ticker,close,predicted_close,actual_close,lower,upper,model,
 * source) to out: for each ticker, one row per day of its last o->days
 * days, forecast from the rows before that day.  stats may be NULL.
 * Returns 0, or -1 with SC_EDATA (bad input with its line, a ticker whose
 * history is too short for the features and the days, no training row
 * before the first forecast), SC_EUSAGE (options out of range, or a
 * forest option that misfits a training set), SC_EIO, SC_EOS.  On error
 * out holds part of the output: write it through sc_out_open().
 */
int sc_backtest_run(FILE *in, FILE *out, const struct sc_backtest_opts *o,
    struct sc_backtest_stats *stats, struct sc_err *e);

#endif
