/* SPDX-License-Identifier: ISC */
/*
 * Daily bars of one ticker in memory, and the OHLCV CSV they are written
 * as.  Every market-data source fills a series; sc-fetch writes them.  The
 * series knows nothing of where its bars came from, so the sources, the
 * fetch loop and the tests that build price histories all share it.
 */
#ifndef SC_SERIES_H
#define SC_SERIES_H

#include <stddef.h>
#include <stdio.h>

#include "sc_err.h"

/* One daily bar; a missing value is NaN. */
struct sc_bar {
	long day; /* exchange-local trading date, a day number */
	double open, high, low, close, adj_close;
	double volume; /* integral; a double holds 2^53 exactly */
};

/* The bars of one ticker; a zeroed struct is an empty series. */
struct sc_series {
	char ticker[64];
	struct sc_bar *bars; /* owned */
	size_t n, cap;
	size_t nulls; /* rows dropped because close was missing */
};

/* Append a bar; 0, or -1 with SC_EOS. */
int sc_series_add(struct sc_series *, const struct sc_bar *, struct sc_err *);

/*
 * Sort the bars by date; of two bars with the same date the later one in
 * the input is kept (Yahoo's live bar repeated after the day's final one).
 * Returns the number of bars removed.
 */
size_t sc_series_sort(struct sc_series *);

/* Free the bars; the struct is an empty series again. */
void sc_series_free(struct sc_series *);

/*
 * Write the OHLCV CSV header and the rows of n series, sorted by ticker
 * then date (series with the same ticker are merged; on a shared date the
 * earlier series wins).  Volume is printed as an integer, a missing value
 * as an empty field.  Returns 0, or -1 with SC_EOS or SC_EIO.
 */
int sc_series_write(FILE *, const struct sc_series *, size_t n,
    struct sc_err *);

#endif
