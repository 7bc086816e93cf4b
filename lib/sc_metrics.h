/* SPDX-License-Identifier: ISC */
/*
 * Forecast evaluation in one streaming pass: RMSE, MAE, MAPE, directional
 * accuracy, the naive (tomorrow = today) RMSE and skill = 1 - rmse /
 * naive_rmse, the Diebold-Mariano test of the forecast against the naive
 * one, overall and per ticker, plus the coverage, mean width and interval
 * (Winkler) score of the prediction interval when one is given.  Memory is
 * per ticker, not per row.
 */
#ifndef SC_METRICS_H
#define SC_METRICS_H

#include <stdio.h>

#include "sc_err.h"

/* The interval level assumed when none is set (sc-predict's default). */
#define SC_METRICS_LEVEL 0.9

struct sc_metrics;

/* A new, empty accumulator; NULL with SC_EOS.  Free with sc_metrics_free(). */
struct sc_metrics *sc_metrics_new(struct sc_err *);
void sc_metrics_free(struct sc_metrics *);

/*
 * The nominal level of the intervals to be added (0.9 for 90%), which the
 * interval score needs: a miss costs 2 / (1 - level) times its distance.
 * Set it before adding rows.  Returns 0, or -1 with SC_EUSAGE outside (0, 1).
 */
int sc_metrics_set_level(struct sc_metrics *, double level, struct sc_err *);

/*
 * Add one forecast.  ticker may be NULL (no per-ticker figures); close is
 * the last observed value (NaN when unknown: no naive baseline, no
 * direction); actual NaN means "not known yet": the row is counted as
 * skipped.  lower/upper NaN when there is no interval.  Returns 0, or -1
 * with SC_EOS.
 */
int sc_metrics_add(struct sc_metrics *, const char *ticker, double close,
    double predicted, double actual, double lower, double upper,
    struct sc_err *);

/*
 * Read a predictions CSV (asof,date,ticker,close,predicted_close,
 * actual_close,lower,upper,model,source, columns found by name, date and
 * source optional; or a generic table with predicted and actual columns)
 * and add every row.  Returns 0, or -1 with SC_EDATA and
 * the line for a missing column or a malformed cell, SC_EIO, SC_EOS.
 */
int sc_metrics_read(struct sc_metrics *, FILE *, struct sc_err *);

/*
 * The distribution function of Student's t with df degrees of freedom at
 * t (the Diebold-Mariano p-values use it); NaN for NaN t or df <= 0.
 */
double sc_metrics_t_cdf(double t, double df);

/* Rows added with an actual value (overall). */
long sc_metrics_count(const struct sc_metrics *);

/*
 * Write the metrics JSON object (format in docs/formats.md); undefined
 * figures are null.  Returns 0, or -1 with SC_EIO.
 */
int sc_metrics_write(const struct sc_metrics *, FILE *, struct sc_err *);

/*
 * Write the same figures as a table for people: one line per ticker and
 * one for all, with the naive baseline beside the model.  Returns 0, or -1
 * with SC_EIO.
 */
int sc_metrics_write_text(const struct sc_metrics *, FILE *, struct sc_err *);

/*
 * Write s to fp as a JSON string: quotes and backslashes escaped, control
 * bytes as \u00XX, other bytes as they are (the callers' text is UTF-8
 * already).  The writers of metrics-style JSON share it.
 */
void sc_metrics_json_str(FILE *fp, const char *s);

#endif
