/* SPDX-License-Identifier: ISC */
/*
 * A numeric table read from CSV: the feature table of DESIGN.md or any
 * numeric CSV with a target column.  Columns "date", "ticker" and "close"
 * are row labels, one column is the target, every other column is a
 * feature.  Features are stored column-major as doubles, exactly as
 * parsed, so a model threshold compares the same way at predict time as
 * in training.  The reader also hashes (SHA-256) every byte it reads, for
 * the model's record of its training input, unless told not to
 * (no_hash: prediction records no input).
 */
#ifndef SC_TABLE_H
#define SC_TABLE_H

#include <stddef.h>
#include <stdio.h>

#include "sc_err.h"

/* Most data rows a table may hold (row numbers are 32-bit in a forest). */
#define SC_TABLE_MAXROWS 100000000

struct sc_table_opts {
	const char *target;  /* NULL: "target" or the one "target_*" */
	int target_optional; /* prediction: target absent or empty */
	int no_hash;         /* skip the SHA-256: sc_table_sha256() is "" */
};

struct sc_table;

/*
 * Read a whole CSV table with a header from fp (borrowed, read to its
 * end).  opts may be NULL (target required, found by name).  Columns named
 * "target" or "target_*" other than the target are never features.
 * Returns a table the caller frees with sc_table_free(), or NULL with
 * SC_EDATA (no target or several candidates, no feature column, a feature
 * cell empty or not a finite number, a missing target when required, too
 * many rows; e->line set where there is one), SC_EIO or SC_EOS.
 */
struct sc_table *sc_table_read(FILE *fp, const struct sc_table_opts *opts,
    struct sc_err *e);

/*
 * As sc_table_read(), but only the columns named in only (n names, e.g. a
 * model's features) are read as features; every other column is skipped
 * unread, text or not.
 */
struct sc_table *sc_table_read_only(FILE *fp, const struct sc_table_opts *opts,
    const char *const *only, size_t n, struct sc_err *e);

/* Free t; NULL is a no-op. */
void sc_table_free(struct sc_table *t);

/* The number of data rows, and of feature columns. */
size_t sc_table_nrows(const struct sc_table *t);

/*
 * How many pieces t was read from in parallel: a regular file of 1 MiB a
 * CPU or more without a double quote is cut at line ends into a piece per
 * CPU, each parsed by a thread, to the very table a serial read gives; 0
 * when it was read serially.
 */
size_t sc_table_pieces(const struct sc_table *t);
size_t sc_table_nfeatures(const struct sc_table *t);

/* Name of feature j (borrowed). */
const char *sc_table_feature(const struct sc_table *t, size_t j);

/* The feature names as an array of nfeatures strings (borrowed). */
const char *const *sc_table_features(const struct sc_table *t);

/* Index of feature name, or -1. */
long sc_table_find(const struct sc_table *t, const char *name);

/*
 * Fill map[k] with the feature index of names[k] for k < n, so a model's
 * features can be read from a table whose columns come in another order.
 * Returns 0, or -1 with SC_EDATA naming the first missing column.
 */
int sc_table_map(const struct sc_table *t, const char *const *names, size_t n,
    size_t *map, struct sc_err *e);

/* Column j of the features: nrows doubles (borrowed). */
const double *sc_table_column(const struct sc_table *t, size_t j);

/* The target's name, or NULL when the table has none (prediction). */
const char *sc_table_target(const struct sc_table *t);

/* The target values: nrows doubles, NaN where unknown (borrowed). */
const double *sc_table_y(const struct sc_table *t);

/*
 * Row i's labels (borrowed): date and ticker are NULL when the table has
 * no such column, close is NaN when absent or empty.
 */
const char *sc_table_date(const struct sc_table *t, size_t i);
const char *sc_table_ticker(const struct sc_table *t, size_t i);
double sc_table_close(const struct sc_table *t, size_t i);

/* The input line row i ended on (1-based, the header is line 1). */
long sc_table_line(const struct sc_table *t, size_t i);

/*
 * Earliest and latest "date" label (by text, so ISO dates sort right), or
 * NULL for both when there is no date column or no row (borrowed).
 */
void sc_table_dates(const struct sc_table *t, const char **from,
    const char **to);

/*
 * A new table of rows rows[0..n) of t, in that order (a row may repeat),
 * sharing nothing with t: features, target, labels and input lines are
 * copied, the SHA-256 is t's (the bytes the rows came from).  For
 * cross-validation folds.  The caller frees it with sc_table_free().
 * Returns NULL with SC_EOS, or SC_EINTERNAL for a row out of range.
 */
struct sc_table *sc_table_subset(const struct sc_table *t, const size_t *rows,
    size_t n, struct sc_err *e);

/* SHA-256 of every byte read, as 64 lowercase hex digits (borrowed). */
const char *sc_table_sha256(const struct sc_table *t);

#endif
