/* SPDX-License-Identifier: ISC */
/*
 * Forecasts from a model: over a feature table (the test window, or any
 * numeric table), or for the next trading day from raw OHLCV history.  The
 * next-day path recomputes the model's features by name through
 * lib/features, the code sc-split used to build the training table, so
 * serving cannot drift from training.  A predicted log return is turned
 * back into a price.
 *
 * A model with a "calibration" member (sc_calib.h) is served calibrated:
 * the forecast is the naive one plus lambda times the model's predicted
 * change (exactly the naive forecast when lambda is 0: source "naive"),
 * and the interval is conformal, the forecast +- a score quantile times
 * the volatility known at forecast time, at a level that adaptive
 * conformal inference (ACI) moves with the misses of earlier forecasts.
 * A model without one is served as the forest predicts, with
 * quantile-forest intervals (docs/calibration.md).
 */
#ifndef SC_PREDICT_H
#define SC_PREDICT_H

#include <stdio.h>

#include "sc_err.h"
#include "sc_model.h"

enum sc_predict_method {
	SC_PREDICT_CONFORMAL = 0, /* calibrated models; else quantile */
	SC_PREDICT_QUANTILE       /* quantile-forest intervals */
};

/* Most days --next replays ACI over, the latest ones. */
#define SC_PREDICT_MAXREPLAY 5000

struct sc_predict_opts {
	double interval;        /* level in (0, 1), or 0: no interval */
	int threads;            /* 0: all cores */
	const char *model_name; /* the model column's value */
	enum sc_predict_method method;
	int no_aci; /* conformal at the fixed level, no ACI */
};

/*
 * Read a feature table from in and write predictions to out: the
 * predictions CSV of docs/formats.md when the model's target is a known
 * next-day target and the table has a close column, else the row labels
 * then predicted,actual[,lower,upper].  Every model feature must be a
 * column of the table: SC_EDATA names all that are missing; so must the
 * calibration's volatility feature for conformal intervals.  ACI runs per
 * ticker over the rows in table order (sc-split writes each ticker's rows
 * together, in date order), each row's level set by the misses of the
 * ticker's earlier rows whose actual value is known.  Returns 0, or -1
 * with SC_EDATA (and the line; an invalid calibration), SC_EIO, SC_EOS.
 */
int sc_predict_table(const struct sc_model *, FILE *in, FILE *out,
    const struct sc_predict_opts *, struct sc_err *);

/*
 * Read OHLCV history from in and write one forecast per ticker, for the
 * trading day after its last row, to out (predictions CSV, actual_close
 * empty).  With conformal intervals, ACI is replayed first over the
 * ticker's days after the model's training end date (training.date_to; at
 * most SC_PREDICT_MAXREPLAY): each of those days forecast from the rows
 * up to the day before, its miss judged against the realised close, so
 * the level comes from the history alone and no state is kept between
 * runs (a model without a training end date gets the fixed level).  Returns 0, or -1 with SC_EDATA for a model whose features are
 * not computable from prices, a ticker with too short a history, or bad
 * input (with the line); SC_EIO, SC_EOS.
 */
int sc_predict_next(const struct sc_model *, FILE *in, FILE *out,
    const struct sc_predict_opts *, struct sc_err *);

#endif
