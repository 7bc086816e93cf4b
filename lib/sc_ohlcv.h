/* SPDX-License-Identifier: ISC */
/*
 * Daily OHLCV price streams (date,ticker,open,high,low,close,adj_close,
 * volume), read one ticker at a time.  The stream is sorted by ticker then
 * date, so a ticker's rows are contiguous and the reader holds only the
 * ticker being read: memory follows the longest history, not the file.
 * Every row is validated as it is read (order, duplicates, dates, numbers,
 * positive prices, a close on every row), so later stages can trust a
 * series completely; a missing optional value is kept as NaN.
 */
#ifndef SC_OHLCV_H
#define SC_OHLCV_H

#include <stddef.h>
#include <stdio.h>

#include "sc_err.h"

/* The value columns, in the order of the OHLCV header. */
enum sc_ohlcv_col {
	SC_OHLCV_OPEN = 0,
	SC_OHLCV_HIGH,
	SC_OHLCV_LOW,
	SC_OHLCV_CLOSE,
	SC_OHLCV_ADJ_CLOSE,
	SC_OHLCV_VOLUME,
	SC_OHLCV_NCOLS
};

#define SC_OHLCV_TICKER_MAX 64    /* bytes in a ticker name */
#define SC_OHLCV_MAX_ROWS 1000000 /* rows in one ticker's history */

/*
 * One ticker's history: n rows in date order.  v[c][i] is column c on day
 * i, NaN when the cell was empty (close never is).  Plain data: a zeroed
 * struct is an empty series; free the arrays with sc_ohlcv_series_free().
 */
struct sc_ohlcv_series {
	char ticker[SC_OHLCV_TICKER_MAX + 1];
	size_t n;
	size_t cap;
	long *date; /* day numbers (sc_date.h) */
	double *v[SC_OHLCV_NCOLS];
	long first_line; /* input lines of rows 0 and n-1 */
	long last_line;
};

/*
 * Append one day to s.  vals holds SC_OHLCV_NCOLS values (NaN: missing).
 * No validation here (the reader validates).  Returns 0, or -1 with
 * SC_EOS, or SC_EDATA past SC_OHLCV_MAX_ROWS rows.
 */
int sc_ohlcv_series_add(struct sc_ohlcv_series *, long date, const double *vals,
    struct sc_err *);

/* Forget the rows but keep the memory (ticker cleared too). */
void sc_ohlcv_series_reset(struct sc_ohlcv_series *);

/* Free the arrays; the struct is an empty series again. */
void sc_ohlcv_series_free(struct sc_ohlcv_series *);

/* The header name of column c ("open", ..., "volume"). */
const char *sc_ohlcv_colname(enum sc_ohlcv_col c);

struct sc_ohlcv;

/*
 * Start reading OHLCV CSV from fp (borrowed, not closed) and read its
 * header.  Columns are found by name; date, ticker and close are required,
 * the other value columns may be absent (their values are then NaN) and
 * unknown columns are ignored.  The caller owns the result and frees it
 * with sc_ohlcv_free().  Errors: SC_EDATA (empty input, bad header, a
 * required column missing), SC_EIO, SC_EOS.
 */
struct sc_ohlcv *sc_ohlcv_open(FILE *fp, struct sc_err *);

/* Free r; NULL is a no-op. */
void sc_ohlcv_free(struct sc_ohlcv *);

/*
 * Non-zero when the header has value column c, so a caller can refuse
 * early a computation that needs a column the input lacks.
 */
int sc_ohlcv_has(const struct sc_ohlcv *, enum sc_ohlcv_col c);

/*
 * Read the next ticker's whole history into *s (reset first; its memory is
 * reused).  Returns 1, 0 at the end of input (s then empty), or -1 with
 * SC_EDATA and the line: bad ticker or date, a number that does not parse,
 * a missing or non-positive close, a non-positive open, high, low or
 * adj_close, a negative volume, a duplicate date, dates out of order, or
 * tickers out of order ("AAPL 2025-01-03: duplicate date"); or SC_EIO,
 * SC_EOS.  Errors are sticky: later calls fail the same way.
 */
int sc_ohlcv_next(struct sc_ohlcv *, struct sc_ohlcv_series *s,
    struct sc_err *);

/* The number of data rows read so far. */
size_t sc_ohlcv_rows(const struct sc_ohlcv *);

/* Write the OHLCV header line to fp. */
void sc_ohlcv_write_header(FILE *);

/*
 * Write the rows of s to fp in OHLCV form (numbers shortest round-trip,
 * NaN as an empty field).  Write errors show in ferror(fp).
 */
void sc_ohlcv_write(FILE *, const struct sc_ohlcv_series *);

#endif
