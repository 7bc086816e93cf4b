/* SPDX-License-Identifier: ISC */
/*
 * Forecasts from a model: over a feature table (the test window, or any
 * numeric table), or for the next trading day from raw OHLCV history.  The
 * next-day path recomputes the model's features by name through
 * lib/features, the code sc-split used to build the training table, so
 * serving cannot drift from training.  A predicted log return is turned
 * back into a price.
 */
#ifndef SC_PREDICT_H
#define SC_PREDICT_H

#include <stdio.h>

#include "sc_err.h"
#include "sc_model.h"

struct sc_predict_opts {
	double interval;        /* level in (0, 1), or 0: no interval */
	int threads;            /* 0: all cores */
	const char *model_name; /* the model column's value */
};

/*
 * Read a feature table from in and write predictions to out: the
 * predictions CSV of docs/formats.md when the model's target is a known
 * next-day target and the table has a close column, else the row labels
 * then predicted,actual[,lower,upper].  Every model feature must be a
 * column of the table: SC_EDATA names all that are missing.  Returns 0, or
 * -1 with SC_EDATA (and the line), SC_EIO, SC_EOS.
 */
int sc_predict_table(const struct sc_model *, FILE *in, FILE *out,
    const struct sc_predict_opts *, struct sc_err *);

/*
 * Read OHLCV history from in and write one forecast per ticker, for the
 * trading day after its last row, to out (predictions CSV, actual_close
 * empty).  Returns 0, or -1 with SC_EDATA for a model whose features are
 * not computable from prices, a ticker with too short a history, or bad
 * input (with the line); SC_EIO, SC_EOS.
 */
int sc_predict_next(const struct sc_model *, FILE *in, FILE *out,
    const struct sc_predict_opts *, struct sc_err *);

#endif
