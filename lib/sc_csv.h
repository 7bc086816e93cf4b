/* SPDX-License-Identifier: ISC */
/*
 * CSV tables on libcsv: a streaming, header-driven reader and a small
 * writer.  The reader pulls one record at a time (memory bounded by the
 * record size limit, whatever the file size), knows the physical line each
 * record ends on, and gives typed access to numeric cells with errors that
 * name the line and the column.  Quoting follows RFC 4180; like libcsv's
 * lenient mode it accepts a stray quote inside an unquoted field.
 */
#ifndef SC_CSV_H
#define SC_CSV_H

#include <stddef.h>
#include <stdio.h>

#include "sc_err.h"

struct sc_csv_limits {
	size_t max_field;  /* bytes in one field */
	size_t max_fields; /* fields in one record */
	size_t max_record; /* bytes in one record, quotes included */
};

/* The limits used when NULL is passed: 64 KiB, 4096, 1 MiB. */
extern const struct sc_csv_limits sc_csv_default_limits;

struct sc_csv;

/*
 * Start reading fp (borrowed; not closed).  When header is non-zero the
 * first record is read at once as the header: names must be non-empty and
 * unique, and every later record must have as many fields.  Returns NULL
 * with SC_EDATA (bad or missing header), SC_EIO or SC_EOS.
 */
struct sc_csv *sc_csv_open(FILE *fp, const struct sc_csv_limits *, int header,
    struct sc_err *);

/* Free r; NULL is a no-op. */
void sc_csv_free(struct sc_csv *);

/*
 * Read the next record.  Returns 1, 0 at end of input, or -1 with SC_EDATA
 * (a limit passed, an unterminated quote, a wrong field count), SC_EIO or
 * SC_EOS; e->line is the line the record ends on.  Blank lines are skipped.
 * The fields stay valid until the next call.
 */
int sc_csv_read(struct sc_csv *, struct sc_err *);

size_t sc_csv_nfields(const struct sc_csv *);

/* Field i of the current record, NUL-terminated; "" when i is too big. */
const char *sc_csv_field(const struct sc_csv *, size_t i);
size_t sc_csv_fieldlen(const struct sc_csv *, size_t i);

/* The line the current record ends on (1-based). */
long sc_csv_line(const struct sc_csv *);

/* The header: its size, names, and the index of a name (-1 if absent). */
size_t sc_csv_ncols(const struct sc_csv *);
const char *sc_csv_colname(const struct sc_csv *, size_t i);
long sc_csv_col(const struct sc_csv *, const char *name);

/*
 * Cell col of the current record as a number.  Returns 0 with *v set, 1
 * when the cell is empty (a missing value; *v untouched), or -1 with
 * SC_EDATA "column "close": not a number: "1,2x"" and the line.
 */
int sc_csv_num(const struct sc_csv *, size_t col, double *v, struct sc_err *);

/*
 * Write one field to fp, quoted when it holds a comma, a quote, CR or LF or
 * begins or ends with a blank, then sep (',' or '\n').
 */
void sc_csv_put(FILE *, const char *s, size_t n, int sep);

/* Write a NUL-terminated field, then sep. */
void sc_csv_puts(FILE *, const char *s, int sep);

/* Write a number in shortest round-trip form (empty when NaN), then sep. */
void sc_csv_putnum(FILE *, double v, int sep);

#endif
