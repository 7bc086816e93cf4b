/* SPDX-License-Identifier: ISC */
/*
 * sc-split as a library call: OHLCV in, two feature tables out (training
 * rows and the last test_days rows of each ticker).  It streams one ticker
 * at a time, so memory follows the longest history, not the input.
 */
#ifndef SC_SPLIT_H
#define SC_SPLIT_H

#include <stddef.h>
#include <stdio.h>

#include "sc_err.h"
#include "sc_features.h"

#define SC_SPLIT_MAX_TEST_DAYS 100000

struct sc_split_opts {
	const struct sc_features *features; /* borrowed */
	enum sc_target target;
	size_t test_days; /* 0: everything is training */
	size_t threads;   /* workers; 0 or 1: this thread alone */
};

struct sc_split_stats {
	size_t tickers;
	size_t rows;  /* OHLCV rows read */
	size_t train; /* rows written to each table */
	size_t test;
	size_t dropped; /* warm-up, incomplete and last rows */
};

/*
 * Read OHLCV CSV from in and write the feature tables
 * "date,ticker,close,<features>,<target>" to train and test (all three
 * borrowed, not closed).  Rows with any undefined feature (warm-up, a
 * missing volume) are dropped, and so is each ticker's last day, which has
 * no target yet.  Of the rest, the last test_days of each ticker go to
 * test, the others to train, in input order.  stats (may be NULL) gets the
 * counts.  Returns 0, or -1 with SC_EDATA (bad input as sc_ohlcv_next()
 * reports it, a feature needing a column the input lacks, no data rows, or
 * a ticker with no more than test_days complete rows), SC_EIO (a read
 * failed), SC_EOS.  The output, the error reported and (on success) the
 * counts are the same whatever the number of threads.  Write errors are left in ferror() for the caller's
 * flush to report with the file's name.  On error the outputs hold a
 * partial table: write them through sc_out_open() and abort.
 */
int sc_split_run(FILE *in, FILE *train, FILE *test,
    const struct sc_split_opts *, struct sc_split_stats *, struct sc_err *);

/*
 * Write the feature-table header for features f and target t to fp, as
 * sc_split_run() does; for programs that write such tables themselves.
 */
void sc_split_write_header(FILE *, const struct sc_features *f,
    enum sc_target t);

#endif
