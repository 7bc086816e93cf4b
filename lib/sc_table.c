/* SPDX-License-Identifier: ISC */
/*
 * Table reader.  A big regular file is read in parallel (below, "Reading
 * in parallel").  Otherwise the input stream is wrapped in a
 * fopencookie(3) stream that feeds every byte to a SHA-256 digest on its
 * way to the CSV reader, so hashing costs no second pass and no copy of
 * the input.  Rows are
 * appended to one array per column that doubles in size with realloc()
 * (large blocks move by remapping, so growth copies nothing and never
 * holds two tables).  Labels (date, ticker) are interned: each distinct
 * text is stored once in a string arena, found through a hash table, and a
 * row keeps the 4-byte ids of its date and ticker, so a market of 25
 * million rows keeps a few thousand dates and tickers, not 25 million.
 */
#define _GNU_SOURCE
#include <sys/stat.h>

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sc_buf.h"
#include "sc_csv.h"
#include "sc_hash.h"
#include "sc_num.h"
#include "sc_table.h"

enum {
	ROLE_FEATURE,
	ROLE_TARGET,
	ROLE_DATE,
	ROLE_TICKER,
	ROLE_CLOSE,
	ROLE_SKIP
};

struct sc_table {
	const char *const *only; /* while reading: the features wanted */
	size_t nonly;
	size_t nrows, cap, nfeat;
	char **feat;  /* feature names */
	char *target; /* NULL when none */
	double **x;   /* nfeat columns of cap doubles */
	double *y, *close;
	long *line;
	uint32_t *date, *ticker; /* label ids (NOLABEL: none) */
	size_t *loff;            /* label id -> offset into arena */
	size_t nlab, lcap;
	uint32_t *hslot; /* hash table of labels: id + 1, 0 empty */
	size_t hcap;
	char *arena;
	size_t alen, acap;
	size_t dmin, dmax; /* rows with the first and last date */
	int optional, has_date, has_ticker;
	size_t pieces; /* read in parallel from so many pieces; 0: serially */
	char sha[65];
};

#define NOLABEL UINT32_MAX

struct hashio {
	FILE *fp;
	struct sc_sha256 *md;
	int error;
};

static ssize_t
hash_read(void *cookie, char *buf, size_t n)
{
	struct hashio *h = cookie;
	size_t got = fread(buf, 1, n, h->fp);

	if (got == 0 && ferror(h->fp)) {
		h->error = 1;
		return -1;
	}
	if (got > 0 && h->md != NULL &&
	    sc_sha256_update(h->md, buf, got, NULL) == -1) {
		h->error = 1;
		return -1;
	}
	return (ssize_t)got;
}

/* Non-zero when column n may be a feature: any, or one of t->only. */
static int
wanted(const struct sc_table *t, const char *n)
{
	size_t i;

	if (t->only == NULL)
		return 1;
	for (i = 0; i < t->nonly; i++)
		if (t->only[i] != NULL && strcmp(t->only[i], n) == 0)
			return 1;
	return 0;
}

/* Decide the role of every column; fills t->feat and t->target. */
static int
pick_columns(struct sc_table *t, struct sc_csv *r,
    const struct sc_table_opts *o, int *role, struct sc_err *e)
{
	size_t i, nc = sc_csv_ncols(r), ncand = 0;
	long tcol = -1;
	char names[160] = "";

	if (o->target != NULL)
		tcol = sc_csv_col(r, o->target);
	else if ((tcol = sc_csv_col(r, "target")) == -1) {
		for (i = 0; i < nc; i++) {
			const char *n = sc_csv_colname(r, i);

			if (strncmp(n, "target_", 7) != 0)
				continue;
			if (ncand++ > 0)
				strncat(names, ", ",
				    sizeof(names) - strlen(names) - 1);
			strncat(names, n, sizeof(names) - strlen(names) - 1);
			tcol = (long)i;
		}
		if (ncand > 1)
			return sc_err_set(e, SC_EDATA, 1,
			    "several target "
			    "columns (%s): choose one with --target",
			    names);
	}
	if (tcol == -1 && !o->target_optional) {
		if (o->target != NULL)
			return sc_err_set(e, SC_EDATA, 1,
			    "no target column \"%.64s\"", o->target);
		return sc_err_set(e, SC_EDATA, 1,
		    "no target column (want "
		    "\"target\" or one \"target_*\"; or use --target)");
	}
	for (i = 0; i < nc; i++) {
		const char *n = sc_csv_colname(r, i);

		if ((long)i == tcol)
			role[i] = ROLE_TARGET;
		else if (strcmp(n, "date") == 0)
			role[i] = ROLE_DATE;
		else if (strcmp(n, "ticker") == 0)
			role[i] = ROLE_TICKER;
		else if (strcmp(n, "close") == 0)
			role[i] = ROLE_CLOSE;
		else if (strcmp(n, "target") == 0 ||
		    strncmp(n, "target_", 7) == 0 || !wanted(t, n))
			role[i] = ROLE_SKIP;
		else {
			role[i] = ROLE_FEATURE;
			if ((t->feat[t->nfeat++] = strdup(n)) == NULL)
				return sc_err_set(e, SC_EOS, 0,
				    "out of memory");
		}
	}
	if (tcol != -1 &&
	    (t->target = strdup(sc_csv_colname(r, (size_t)tcol))) == NULL)
		return sc_err_set(e, SC_EOS, 0, "out of memory");
	if (t->nfeat == 0)
		return sc_err_set(e, SC_EDATA, 1, "no feature column");
	return 0;
}

/* Room for cap rows in every column (cap >= the rows there are). */
static int
resize_rows(struct sc_table *t, size_t cap, struct sc_err *e)
{
	size_t j;
	double *x, *y, *c;
	long *l;
	uint32_t *d, *k;

	/* Twice the rows must still count in bytes of the widest column. */
	if (cap < t->cap || cap > SIZE_MAX / sizeof(double))
		return sc_err_set(e, SC_EOS, 0, "out of memory");
	if (t->x == NULL &&
	    (t->x = calloc(t->nfeat ? t->nfeat : 1, sizeof(*t->x))) == NULL)
		return sc_err_set(e, SC_EOS, 0, "out of memory");
	for (j = 0; j < t->nfeat; j++) {
		if ((x = realloc(t->x[j], cap * sizeof(*x))) == NULL)
			return sc_err_set(e, SC_EOS, 0, "out of memory");
		t->x[j] = x;
	}
	if ((y = realloc(t->y, cap * sizeof(*y))) != NULL)
		t->y = y;
	if ((c = realloc(t->close, cap * sizeof(*c))) != NULL)
		t->close = c;
	if ((l = realloc(t->line, cap * sizeof(*l))) != NULL)
		t->line = l;
	if ((d = realloc(t->date, cap * sizeof(*d))) != NULL)
		t->date = d;
	if ((k = realloc(t->ticker, cap * sizeof(*k))) != NULL)
		t->ticker = k;
	if (y == NULL || c == NULL || l == NULL || d == NULL || k == NULL)
		return sc_err_set(e, SC_EOS, 0, "out of memory");
	t->cap = cap;
	return 0;
}

static int
grow_rows(struct sc_table *t, struct sc_err *e)
{
	return resize_rows(t, t->cap ? t->cap * 2 : 1024, e);
}

/* The label with id k (a NUL-terminated string in the arena). */
static const char *
label(const struct sc_table *t, uint32_t k)
{
	return t->arena + t->loff[k];
}

/* The slot of text s[0..n) in the hash table: its label's, or an empty one. */
static size_t
label_slot(const struct sc_table *t, const char *s, size_t n)
{
	size_t h = (size_t)sc_hash_fnv1a(s, n) & (t->hcap - 1);
	const char *l;

	for (; t->hslot[h] != 0; h = (h + 1) & (t->hcap - 1)) {
		l = label(t, t->hslot[h] - 1);
		if (strlen(l) == n && memcmp(l, s, n) == 0)
			break;
	}
	return h;
}

static int
label_rehash(struct sc_table *t, struct sc_err *e)
{
	size_t cap = t->hcap ? t->hcap * 2 : 1024, k;
	uint32_t *old = t->hslot;
	const char *l;

	if ((t->hslot = calloc(cap, sizeof(*t->hslot))) == NULL) {
		t->hslot = old;
		return sc_err_set(e, SC_EOS, 0, "out of memory");
	}
	t->hcap = cap;
	for (k = 0; k < t->nlab; k++) {
		l = label(t, (uint32_t)k);
		t->hslot[label_slot(t, l, strlen(l))] = (uint32_t)k + 1;
	}
	free(old);
	return 0;
}

/* The id of label text s[0..n), added when new. */
static int
add_label(struct sc_table *t, const char *s, size_t n, uint32_t *id,
    struct sc_err *e)
{
	size_t h;

	if ((t->nlab + 1) * 2 > t->hcap && label_rehash(t, e) == -1)
		return -1;
	h = label_slot(t, s, n);
	if (t->hslot[h] != 0) {
		*id = t->hslot[h] - 1;
		return 0;
	}
	if (t->nlab >= NOLABEL - 1)
		return sc_err_set(e, SC_EDATA, 0, "too many distinct labels");
	if (sc_buf_grow(&t->loff, &t->lcap, t->nlab + 1, sizeof(*t->loff), e) ==
	        -1 ||
	    sc_buf_grow(&t->arena, &t->acap, t->alen + n + 1, 1, e) == -1)
		return -1;
	memcpy(t->arena + t->alen, s, n);
	t->arena[t->alen + n] = '\0';
	t->loff[t->nlab] = t->alen;
	t->alen += n + 1;
	t->hslot[h] = (uint32_t)t->nlab + 1;
	*id = (uint32_t)t->nlab++;
	return 0;
}

/* As add_label(), first trying the label of the row before (tickers). */
static int
add_label_near(struct sc_table *t, const char *s, size_t n, uint32_t prev,
    uint32_t *id, struct sc_err *e)
{
	const char *l;

	if (prev != NOLABEL) {
		l = label(t, prev);
		if (strlen(l) == n && memcmp(l, s, n) == 0) {
			*id = prev;
			return 0;
		}
	}
	return add_label(t, s, n, id, e);
}

/* A record's fields: text (not NUL-terminated) and length each. */
struct fields {
	const char **s;
	size_t *n;
	size_t cap;
};

/* The name of column i for a message (r: NULL when no reader has one). */
static const char *
col_name(const struct sc_csv *r, size_t i)
{
	return r != NULL ? sc_csv_colname(r, i) : "?";
}

/* Field i of f is not a number: its first 40 bytes in the message. */
static int
not_number(long line, const struct sc_csv *r, size_t i, const struct fields *f,
    struct sc_err *e)
{
	size_t n = f->n[i];

	return sc_err_set(e, SC_EDATA, line,
	    "column \"%.64s\": not a number: \"%.*s%s\"", col_name(r, i),
	    (int)(n > 40 ? 40 : n), f->s[i], n > 40 ? "..." : "");
}

/*
 * Store the nc fields f as row row of t, read on line line, their labels
 * in lab's (t's, or a piece's: then first is the piece's first row,
 * before which no row is of the same labels); r names the columns.
 */
static int
store_row(struct sc_table *t, struct sc_table *lab, size_t row, size_t first,
    long line, const struct fields *f, size_t nc, const int *role,
    const struct sc_csv *r, struct sc_err *e)
{
	size_t i, j = 0, n;
	double v;
	int rc;

	t->y[row] = t->close[row] = NAN;
	t->date[row] = t->ticker[row] = NOLABEL;
	t->line[row] = line;
	for (i = 0; i < nc; i++) {
		n = f->n[i];
		switch (role[i]) {
		case ROLE_FEATURE:
			if (n == 0)
				return sc_err_set(e, SC_EDATA, line,
				    "column \"%.64s\": empty cell",
				    col_name(r, i));
			if (sc_num_parse(f->s[i], n, &v) == -1)
				return not_number(line, r, i, f, e);
			t->x[j++][row] = v;
			break;
		case ROLE_TARGET:
		case ROLE_CLOSE:
			rc = n == 0 ? 1 : sc_num_parse(f->s[i], n, &v);
			if (rc == -1)
				return not_number(line, r, i, f, e);
			if (rc == 1 && role[i] == ROLE_TARGET && !t->optional)
				return sc_err_set(e, SC_EDATA, line,
				    "column \"%.64s\": empty target",
				    col_name(r, i));
			if (rc == 0)
				*(role[i] == ROLE_TARGET ? &t->y[row]
				                         : &t->close[row]) = v;
			break;
		case ROLE_DATE:
		case ROLE_TICKER:
			if (add_label_near(lab, f->s[i], n,
			        row == first ? NOLABEL
			                     : (role[i] == ROLE_DATE
			                               ? t->date
			                               : t->ticker)[row - 1],
			        role[i] == ROLE_DATE ? &t->date[row]
			                             : &t->ticker[row],
			        e) == -1)
				return -1;
			break;
		}
	}
	return 0;
}

/* Room in f for n fields; -1 when out of memory. */
static int
fields_room(struct fields *f, size_t n, struct sc_err *e)
{
	size_t c = f->cap;

	if (n <= f->cap)
		return 0;
	if (sc_buf_grow(&f->s, &c, n, sizeof(*f->s), e) == -1 ||
	    sc_buf_grow(&f->n, &f->cap, n, sizeof(*f->n), e) == -1)
		return -1;
	return 0;
}

static void
fields_free(struct fields *f)
{
	free(f->s);
	free(f->n);
}

/* Store the current record of r as row t->nrows (f: scratch). */
static int
add_row(struct sc_table *t, struct sc_csv *r, const int *role, struct fields *f,
    struct sc_err *e)
{
	size_t i, nc = sc_csv_nfields(r);

	if (t->nrows == SC_TABLE_MAXROWS)
		return sc_err_set(e, SC_EDATA, sc_csv_line(r),
		    "more than %d rows", SC_TABLE_MAXROWS);
	if ((t->nrows == t->cap && grow_rows(t, e) == -1) ||
	    fields_room(f, nc, e) == -1)
		return -1;
	for (i = 0; i < nc; i++) {
		f->s[i] = sc_csv_field(r, i);
		f->n[i] = sc_csv_fieldlen(r, i);
	}
	if (store_row(t, t, t->nrows, 0, sc_csv_line(r), f, nc, role, r, e) ==
	    -1)
		return -1;
	t->nrows++;
	return 0;
}

static int
read_rows(struct sc_table *t, struct sc_csv *r, const int *role,
    struct sc_err *e)
{
	struct fields f = { NULL, NULL, 0 };
	int rc;

	while ((rc = sc_csv_read(r, e)) == 1)
		if (add_row(t, r, role, &f, e) == -1) {
			rc = -1;
			break;
		}
	fields_free(&f);
	return rc;
}

static void
find_dates(struct sc_table *t)
{
	size_t i;

	t->dmin = t->dmax = 0;
	for (i = 1; i < t->nrows; i++) {
		const char *d = label(t, t->date[i]);

		if (t->date[i] == t->date[t->dmin] ||
		    t->date[i] == t->date[t->dmax])
			continue;
		if (strcmp(d, label(t, t->date[t->dmin])) < 0)
			t->dmin = i;
		if (strcmp(d, label(t, t->date[t->dmax])) > 0)
			t->dmax = i;
	}
}

static int
parse(struct sc_table *t, FILE *fp, const struct sc_table_opts *o,
    struct sc_err *e)
{
	struct sc_csv *r;
	int *role = NULL, rc = -1;
	size_t nc;

	if ((r = sc_csv_open(fp, NULL, 1, e)) == NULL)
		return -1;
	nc = sc_csv_ncols(r);
	t->feat = calloc(nc, sizeof(*t->feat));
	role = calloc(nc, sizeof(*role));
	if (t->feat == NULL || role == NULL) {
		sc_err_set(e, SC_EOS, 0, "out of memory");
		goto out;
	}
	if (pick_columns(t, r, o, role, e) == -1)
		goto out;
	t->has_date = sc_csv_col(r, "date") != -1;
	t->has_ticker = sc_csv_col(r, "ticker") != -1;
	if (grow_rows(t, e) == -1 || read_rows(t, r, role, e) == -1)
		goto out;
	if (t->has_date)
		find_dates(t);
	rc = 0;
out:
	free(role);
	sc_csv_free(r);
	return rc;
}

/* Free what t holds, not t. */
static void
table_clear(struct sc_table *t)
{
	size_t j;

	for (j = 0; j < t->nfeat; j++)
		free(t->feat[j]);
	free(t->feat);
	free(t->target);
	for (j = 0; t->x != NULL && j < t->nfeat; j++)
		free(t->x[j]);
	free(t->x);
	free(t->y);
	free(t->close);
	free(t->line);
	free(t->date);
	free(t->ticker);
	free(t->arena);
	free(t->loff);
	free(t->hslot);
}

/*
 * Reading in parallel.  A regular file of PIECE_MIN bytes or more a CPU,
 * with no double quote in it, is cut at line ends into a piece per online
 * CPU: without quotes a record is a run of bytes between line ends (CR or
 * LF, as libcsv ends records), so none spans two pieces and each piece's
 * records can be counted before any is parsed.  The table's columns are
 * then made at their final size and each piece is parsed by a thread of
 * its own straight into its rows, with its dates and tickers as labels
 * of its own; those are added to the table's in piece order, so every
 * label gets the id a serial read gives it, and the rows' ids are
 * renumbered.  Another thread computes the SHA-256 of the input.  Every
 * pass reads the file with pread(2) a block at a time, so memory holds
 * the table, not the file.  When anything is not as expected (a quote, a
 * piece that fails or yields other than the records counted in it) the
 * input goes through the serial reader, which gives its own result and
 * messages: both give the same table.
 */
#define PIECE_MIN ((size_t)1 << 20)
#define PIECES_MAX 64
#define BLOCK ((size_t)1 << 20) /* bytes a pread() */
#define CUT_WINDOW 65536        /* a cut's line end is looked for in it */

struct piece {
	int fd;
	off_t off;                /* in the file */
	size_t n;                 /* bytes */
	size_t first, rows;       /* its first row in the table; its records */
	long base;                /* line ends before it */
	long lines;               /* line ends in it */
	int quote;                /* a double quote seen */
	int ok;                   /* counted (or parsed) as expected */
	struct sc_table *t, *lab; /* the table; the piece's labels */
	const int *role;
	size_t ncols;
};

struct sumjob {
	int fd;
	off_t off;
	size_t n;
	uint8_t md[SC_SHA256_LEN];
	int rc;
};

static int
is_end(char c)
{
	return c == '\n' || c == '\r';
}

/* Exactly n bytes at off into buf; 0, or -1 (a read error or short). */
static int
pread_all(int fd, char *buf, size_t n, off_t off)
{
	ssize_t k;

	while (n > 0) {
		if ((k = pread(fd, buf, n, off)) <= 0) {
			if (k == -1 && errno == EINTR)
				continue;
			return -1;
		}
		buf += k;
		n -= (size_t)k;
		off += k;
	}
	return 0;
}

/*
 * Count the records of the n bytes at buf (runs between line ends: a byte
 * that is none after one that is, or first; *prev_end says whether the
 * byte before buf was) and the LFs.  Line by line with memchr: a line
 * without a CR is one record when it is not empty.
 */
static void
count_block(const char *buf, size_t n, int *prev_end, size_t *rows, long *lines)
{
	const char *p = buf, *end = buf + n, *nl, *le, *c;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		le = nl != NULL ? nl : end;
		if (memchr(p, '\r', (size_t)(le - p)) == NULL) {
			if (le > p) {
				*rows += (size_t)*prev_end;
				*prev_end = 0;
			}
		} else
			for (c = p; c < le; c++) {
				*rows += (size_t)(*prev_end > is_end(*c));
				*prev_end = is_end(*c);
			}
		if (nl == NULL)
			break;
		(*lines)++;
		*prev_end = 1;
		p = nl + 1;
	}
}

/* Count the piece's records and LFs (count_block), and look for a quote. */
static void
count_piece(struct piece *q)
{
	char *buf = malloc(BLOCK);
	size_t at, n, rows = 0;
	long lines = 0;
	int prev_end = 1;

	q->ok = 0;
	if (buf == NULL)
		return;
	for (at = 0; at < q->n && !q->quote; at += n) {
		n = q->n - at < BLOCK ? q->n - at : BLOCK;
		if (pread_all(q->fd, buf, n, q->off + (off_t)at) == -1) {
			free(buf);
			return;
		}
		q->quote = memchr(buf, '"', n) != NULL;
		count_block(buf, n, &prev_end, &rows, &lines);
	}
	free(buf);
	q->rows = rows;
	q->lines = lines;
	q->ok = !q->quote;
}

/*
 * The record [p, re) (no line end in it, no quote) into f: exactly nc
 * fields, the bytes between commas.  -1 for anything the serial reader
 * is to judge: a CR, another number of fields, a field or record beyond
 * sc_csv's limits.
 */
static int
split_record(const char *p, const char *re, size_t nc, struct fields *f)
{
	const struct sc_csv_limits *lim = &sc_csv_default_limits;
	const char *c;
	size_t k;

	if ((size_t)(re - p) > lim->max_record ||
	    memchr(p, '\r', (size_t)(re - p)) != NULL)
		return -1;
	for (k = 0;; p = c + 1) {
		c = memchr(p, ',', (size_t)(re - p));
		if (k == nc)
			return -1;
		f->s[k] = p;
		f->n[k] = (size_t)((c != NULL ? c : re) - p);
		if (f->n[k++] > lim->max_field)
			return -1;
		if (c == NULL)
			return k == nc ? 0 : -1;
	}
}

/*
 * Parse the piece's records straight from blocks of the file: without
 * quotes a field is the bytes between commas, as libcsv reads it.  A
 * record ends at LF or CRLF; its line is the LFs before it plus one.
 * Anything else (a lone CR, a record of other than ncols fields, a field
 * or record beyond sc_csv's limits, a bad cell, other than the records
 * counted) leaves q->ok 0, and the serial reader reads the input.
 */
static void
parse_piece(struct piece *q)
{
	const struct sc_csv_limits *lim = &sc_csv_default_limits;
	struct fields f = { NULL, NULL, 0 };
	struct sc_err e = { 0 };
	char *buf = malloc(2 * BLOCK), *p, *end, *nl, *re;
	size_t have = 0, at = 0, n, lim_at, row = q->first;
	size_t last_row = q->first + q->rows;
	long lines = q->base;
	int last;

	q->ok = 0;
	if (buf == NULL || fields_room(&f, q->ncols, &e) == -1)
		goto out;
	for (;;) {
		n = q->n - at < BLOCK ? q->n - at : BLOCK;
		if (n > 0 &&
		    pread_all(q->fd, buf + have, n, q->off + (off_t)at) == -1)
			goto out;
		at += n;
		have += n;
		last = at == q->n;
		/* Whole records only: up to the last LF, or to the end. */
		lim_at = have;
		if (!last) {
			for (nl = buf + have; nl > buf && nl[-1] != '\n'; nl--)
				;
			if (nl == buf) {
				if (have > lim->max_record)
					goto out;
				continue;
			}
			lim_at = (size_t)(nl - buf);
		}
		for (p = buf, end = buf + lim_at; p < end;) {
			if (*p == '\n') {
				lines++;
				p++;
				continue;
			}
			if (*p == '\r') {
				if (p + 1 == end || p[1] != '\n')
					goto out; /* a lone CR */
				p++;
				continue;
			}
			nl = memchr(p, '\n', (size_t)(end - p));
			re = nl != NULL ? nl : end;
			if (re > p && re[-1] == '\r')
				re--;
			if (row == last_row ||
			    split_record(p, re, q->ncols, &f) == -1 ||
			    store_row(q->t, q->lab, row, q->first, lines + 1,
			        &f, q->ncols, q->role, NULL, &e) == -1)
				goto out;
			row++;
			p = nl != NULL ? nl : end;
		}
		memmove(buf, buf + lim_at, have - lim_at);
		have -= lim_at;
		if (last)
			break;
	}
	q->ok = row == last_row && have == 0;
out:
	fields_free(&f);
	free(buf);
}

static void *
count_job(void *arg)
{
	count_piece(arg);
	return NULL;
}

static void *
parse_job(void *arg)
{
	parse_piece(arg);
	return NULL;
}

static void *
sum_job(void *arg)
{
	struct sumjob *S = arg;

	S->rc = sc_hash_sha256_fd(S->fd, "input", S->off, S->n, S->md, NULL);
	return NULL;
}

/* fn on every piece, a thread each (this one takes the first). */
static void
each_piece(void *(*fn)(void *), struct piece *q, size_t k)
{
	pthread_t tid[PIECES_MAX];
	int started[PIECES_MAX] = { 0 };
	size_t i;

	for (i = 1; i < k; i++)
		started[i] = pthread_create(&tid[i], NULL, fn, &q[i]) == 0;
	(void)fn(&q[0]);
	for (i = 1; i < k; i++)
		if (started[i])
			pthread_join(tid[i], NULL);
		else
			(void)fn(&q[i]);
}

/* Give piece labels' rows the table's ids: the labels in piece order. */
static int
merge_labels(struct sc_table *t, struct piece *q, size_t k, struct sc_err *e)
{
	uint32_t *map;
	size_t i, j, r;

	for (i = 0; i < k; i++) {
		struct sc_table *lab = q[i].lab;

		if ((map = malloc(
		         (lab->nlab ? lab->nlab : 1) * sizeof(*map))) == NULL)
			return sc_err_set(e, SC_EOS, 0, "out of memory");
		for (j = 0; j < lab->nlab; j++)
			if (add_label(t, label(lab, (uint32_t)j),
			        strlen(label(lab, (uint32_t)j)), &map[j],
			        e) == -1) {
				free(map);
				return -1;
			}
		for (r = q[i].first; r < q[i].first + q[i].rows; r++) {
			if (t->date[r] != NOLABEL)
				t->date[r] = map[t->date[r]];
			if (t->ticker[r] != NOLABEL)
				t->ticker[r] = map[t->ticker[r]];
		}
		free(map);
	}
	return 0;
}

static void
free_labels(struct sc_table *lab)
{
	if (lab == NULL)
		return;
	free(lab->loff);
	free(lab->hslot);
	free(lab->arena);
	free(lab);
}

/*
 * The header: the first record of the len bytes at off, as the serial
 * reader reads it, into a reader r (whose names pick_columns() reads);
 * *head gets the bytes up to its end, *lines the LFs among them.  0, or
 * -1 (the serial reader then).
 */
static int
read_header(int fd, off_t off, size_t len, struct sc_csv **r, size_t *head,
    long *lines)
{
	size_t n = len < BLOCK ? len : BLOCK, h;
	char *buf = malloc(n);
	struct sc_err e = { 0 };
	FILE *fp;

	*r = NULL;
	if (buf == NULL || pread_all(fd, buf, n, off) == -1) {
		free(buf);
		return -1;
	}
	for (h = 0; h < n && is_end(buf[h]); h++)
		;
	while (h < n && !is_end(buf[h]))
		h++;
	if (h == n || memchr(buf, '"', h) != NULL ||
	    (fp = fmemopen(buf, h, "r")) == NULL) {
		free(buf);
		return -1;
	}
	*r = sc_csv_open(fp, NULL, 1, &e);
	fclose(fp);
	for (*lines = 0, n = 0; n < h; n++)
		*lines += buf[n] == '\n';
	free(buf);
	*head = h;
	return *r != NULL ? 0 : -1;
}

/*
 * Where the piece after nominal byte cut starts: after the first LF at or
 * after it (len when none is left).  (size_t)-1 when it cannot be read.
 */
static size_t
find_cut(int fd, off_t off, size_t len, size_t cut)
{
	char buf[CUT_WINDOW];
	size_t n = len - cut < sizeof(buf) ? len - cut : sizeof(buf);
	char *nl;

	if (cut >= len)
		return len;
	if (pread_all(fd, buf, n, off + (off_t)cut) == -1)
		return (size_t)-1;
	if ((nl = memchr(buf, '\n', n)) == NULL)
		return n == len - cut ? len : (size_t)-1;
	return cut + (size_t)(nl - buf) + 1;
}

/*
 * The table of the len bytes of fd at off read in parallel, k pieces,
 * into t (fresh), as parse() would; the input's SHA-256 into md.  1 when
 * done, 0 when the serial reader is to read it (t then to be cleared),
 * -1 with e (out of memory).
 */
static int
parse_pieces(struct sc_table *t, int fd, off_t off, size_t len,
    const struct sc_table_opts *o, uint8_t *md, size_t k, struct sc_err *e)
{
	struct piece q[PIECES_MAX];
	struct sumjob S = { fd, off, len, { 0 }, -1 };
	struct sc_csv *r = NULL;
	struct sc_err pe = { 0 };
	pthread_t stid;
	int *role = NULL, rc = 0, summing = 0;
	size_t i, head, at, cut, nc, rows = 0;
	long before = 0;

	memset(q, 0, sizeof(q));
	if (o->no_hash)
		S.rc = 0;
	else
		summing = pthread_create(&stid, NULL, sum_job, &S) == 0;
	if (read_header(fd, off, len, &r, &head, &before) == -1)
		goto out;
	nc = sc_csv_ncols(r);
	t->feat = calloc(nc, sizeof(*t->feat));
	role = calloc(nc, sizeof(*role));
	if (t->feat == NULL || role == NULL ||
	    pick_columns(t, r, o, role, &pe) == -1)
		goto out;
	t->has_date = sc_csv_col(r, "date") != -1;
	t->has_ticker = sc_csv_col(r, "ticker") != -1;
	/* Pieces from the header's line end on, each cut after an LF. */
	for (i = 0, at = head; i < k && at < len; i++) {
		cut = i + 1 == k
		    ? len
		    : find_cut(fd, off, len, head + (len - head) / k * (i + 1));
		if (cut == (size_t)-1 || cut <= at)
			goto out;
		q[i].fd = fd;
		q[i].off = off + (off_t)at;
		q[i].n = cut - at;
		at = cut;
	}
	if ((k = i) < 2)
		goto out;
	each_piece(count_job, q, k);
	for (i = 0; i < k; i++) {
		if (!q[i].ok)
			goto out;
		q[i].first = rows;
		rows += q[i].rows;
		if (i > 0)
			q[i].base = q[i - 1].base + q[i - 1].lines;
		else /* the line ends up to the header's end */
			q[i].base = before;
		q[i].t = t;
		q[i].role = role;
		q[i].ncols = nc;
		if ((q[i].lab = calloc(1, sizeof(*q[i].lab))) == NULL) {
			rc = sc_err_set(e, SC_EOS, 0, "out of memory");
			goto out;
		}
	}
	if (rows > SC_TABLE_MAXROWS)
		goto out;
	if (resize_rows(t, rows ? rows : 1, e) == -1) {
		rc = -1;
		goto out;
	}
	each_piece(parse_job, q, k);
	for (i = 0; i < k; i++)
		if (!q[i].ok)
			goto out;
	t->nrows = rows;
	if (merge_labels(t, q, k, e) == -1) {
		rc = -1;
		goto out;
	}
	if (t->has_date)
		find_dates(t);
	t->pieces = k;
	rc = 1;
out:
	if (summing)
		pthread_join(stid, NULL);
	else if (!o->no_hash)
		(void)sum_job(&S);
	if (rc == 1 && S.rc == 0)
		memcpy(md, S.md, sizeof(S.md));
	else if (rc == 1)
		rc = 0; /* a read error: the serial reader names it */
	for (i = 0; i < PIECES_MAX; i++)
		free_labels(q[i].lab);
	free(role);
	sc_csv_free(r);
	return rc;
}

/*
 * Read fp in parallel when it can be (see above).  1 when done (t read,
 * or -1 in *rc with e), 0 when the serial reader is to read it; fp is
 * then where it was.
 */
static int
read_parallel(struct sc_table *t, FILE *fp, const struct sc_table_opts *o,
    uint8_t *md, int *rc, struct sc_err *e)
{
	struct stat st;
	off_t at = ftello(fp);
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t len, k;
	int fd = fileno(fp), got;

	if (fd == -1 || at == -1 || cpus < 2 || fstat(fd, &st) == -1 ||
	    !S_ISREG(st.st_mode) || st.st_size <= at)
		return 0;
	len = (size_t)(st.st_size - at);
	k = len / PIECE_MIN;
	k = k > (size_t)cpus ? (size_t)cpus : k;
	k = k > PIECES_MAX ? PIECES_MAX : k;
	if (k < 2)
		return 0;
	got = parse_pieces(t, fd, at, len, o, md, k, e);
	if (got == 0) {
		/* Back to fresh for the serial reader. */
		struct sc_table fresh;

		memset(&fresh, 0, sizeof(fresh));
		fresh.optional = t->optional;
		fresh.only = t->only;
		fresh.nonly = t->nonly;
		table_clear(t);
		*t = fresh;
		return 0;
	}
	*rc = got == 1 ? 0 : -1;
	if (got == 1)
		(void)fseeko(fp, st.st_size, SEEK_SET); /* read to its end */
	return 1;
}

struct sc_table *
sc_table_read(FILE *fp, const struct sc_table_opts *opts, struct sc_err *e)
{
	return sc_table_read_only(fp, opts, NULL, 0, e);
}

struct sc_table *
sc_table_read_only(FILE *fp, const struct sc_table_opts *opts,
    const char *const *only, size_t nonly, struct sc_err *e)
{
	static const struct sc_table_opts defaults = { NULL, 0, 0 };
	static const cookie_io_functions_t io = { hash_read, NULL, NULL, NULL };
	struct hashio h = { fp, NULL, 0 };
	struct sc_table *t;
	uint8_t md[SC_SHA256_LEN];
	FILE *hfp = NULL;
	int rc = -1;

	if (opts == NULL)
		opts = &defaults;
	if ((t = calloc(1, sizeof(*t))) == NULL) {
		sc_err_set(e, SC_EOS, 0, "out of memory");
		return NULL;
	}
	t->optional = opts->target_optional;
	t->only = only; /* borrowed for the read only */
	t->nonly = nonly;
	if (read_parallel(t, fp, opts, md, &rc, e)) {
		t->only = NULL;
		t->nonly = 0;
		if (rc == 0 && !opts->no_hash)
			sc_hash_hex(md, sizeof(md), t->sha);
		goto out;
	}
	if (!opts->no_hash && (h.md = sc_sha256_new(e)) == NULL)
		goto out;
	if ((hfp = fopencookie(&h, "r", io)) == NULL) {
		sc_err_set(e, SC_EOS, 0, "out of memory");
		goto out;
	}
	rc = parse(t, hfp, opts, e);
	t->only = NULL;
	t->nonly = 0;
	if (rc == 0 && h.error)
		rc = sc_err_set(e, SC_EIO, 0, "read error");
	if (rc == 0 && h.md != NULL && (rc = sc_sha256_final(h.md, md, e)) == 0)
		sc_hash_hex(md, sizeof(md), t->sha);
out:
	if (hfp != NULL)
		fclose(hfp);
	sc_sha256_free(h.md);
	if (rc == -1) {
		sc_table_free(t);
		return NULL;
	}
	return t;
}

void
sc_table_free(struct sc_table *t)
{
	if (t == NULL)
		return;
	table_clear(t);
	free(t);
}

size_t
sc_table_nrows(const struct sc_table *t)
{
	return t->nrows;
}

size_t
sc_table_pieces(const struct sc_table *t)
{
	return t->pieces;
}

size_t
sc_table_nfeatures(const struct sc_table *t)
{
	return t->nfeat;
}

const char *
sc_table_feature(const struct sc_table *t, size_t j)
{
	return j < t->nfeat ? t->feat[j] : NULL;
}

const char *const *
sc_table_features(const struct sc_table *t)
{
	return (const char *const *)t->feat;
}

long
sc_table_find(const struct sc_table *t, const char *name)
{
	size_t j;

	for (j = 0; j < t->nfeat; j++)
		if (strcmp(t->feat[j], name) == 0)
			return (long)j;
	return -1;
}

int
sc_table_map(const struct sc_table *t, const char *const *names, size_t n,
    size_t *map, struct sc_err *e)
{
	size_t k;
	long j;

	for (k = 0; k < n; k++) {
		if ((j = sc_table_find(t, names[k])) == -1)
			return sc_err_set(e, SC_EDATA, 1,
			    "no feature column \"%.64s\"", names[k]);
		map[k] = (size_t)j;
	}
	return 0;
}

const double *
sc_table_column(const struct sc_table *t, size_t j)
{
	return t->x[j];
}

const char *
sc_table_target(const struct sc_table *t)
{
	return t->target;
}

const double *
sc_table_y(const struct sc_table *t)
{
	return t->y;
}

const char *
sc_table_date(const struct sc_table *t, size_t i)
{
	return t->has_date && i < t->nrows ? label(t, t->date[i]) : NULL;
}

const char *
sc_table_ticker(const struct sc_table *t, size_t i)
{
	return t->has_ticker && i < t->nrows ? label(t, t->ticker[i]) : NULL;
}

double
sc_table_close(const struct sc_table *t, size_t i)
{
	return i < t->nrows ? t->close[i] : NAN;
}

long
sc_table_line(const struct sc_table *t, size_t i)
{
	return i < t->nrows ? t->line[i] : 0;
}

void
sc_table_dates(const struct sc_table *t, const char **from, const char **to)
{
	*from = *to = NULL;
	if (!t->has_date || t->nrows == 0)
		return;
	*from = label(t, t->date[t->dmin]);
	*to = label(t, t->date[t->dmax]);
}

const char *
sc_table_sha256(const struct sc_table *t)
{
	return t->sha;
}

/* Copy row r of t as row t2->nrows of t2 (room already made). */
static int
copy_row(struct sc_table *t2, const struct sc_table *t, size_t r,
    struct sc_err *e)
{
	size_t j, i = t2->nrows;
	const char *s;

	for (j = 0; j < t->nfeat; j++)
		t2->x[j][i] = t->x[j][r];
	t2->y[i] = t->y[r];
	t2->close[i] = t->close[r];
	t2->line[i] = t->line[r];
	t2->date[i] = t2->ticker[i] = NOLABEL;
	if (t->has_date) {
		s = label(t, t->date[r]);
		if (add_label_near(t2, s, strlen(s),
		        i > 0 ? t2->date[i - 1] : NOLABEL, &t2->date[i],
		        e) == -1)
			return -1;
	}
	if (t->has_ticker) {
		s = label(t, t->ticker[r]);
		if (add_label_near(t2, s, strlen(s),
		        i > 0 ? t2->ticker[i - 1] : NOLABEL, &t2->ticker[i],
		        e) == -1)
			return -1;
	}
	t2->nrows++;
	return 0;
}

struct sc_table *
sc_table_subset(const struct sc_table *t, const size_t *rows, size_t n,
    struct sc_err *e)
{
	struct sc_table *t2;
	size_t j;

	if ((t2 = calloc(1, sizeof(*t2))) == NULL ||
	    (t2->feat = calloc(t->nfeat + 1, sizeof(*t2->feat))) == NULL)
		goto oom;
	for (j = 0; j < t->nfeat; j++)
		if ((t2->feat[t2->nfeat++] = strdup(t->feat[j])) == NULL)
			goto oom;
	if (t->target != NULL && (t2->target = strdup(t->target)) == NULL)
		goto oom;
	t2->optional = t->optional;
	t2->has_date = t->has_date;
	t2->has_ticker = t->has_ticker;
	memcpy(t2->sha, t->sha, sizeof(t2->sha));
	while (t2->cap < n || t2->cap == 0)
		if (grow_rows(t2, e) == -1)
			goto fail;
	for (j = 0; j < n; j++) {
		if (rows[j] >= t->nrows) {
			sc_err_set(e, SC_EINTERNAL, 0, "row %zu out of range",
			    rows[j]);
			goto fail;
		}
		if (copy_row(t2, t, rows[j], e) == -1)
			goto fail;
	}
	if (t2->has_date && t2->nrows > 0)
		find_dates(t2);
	return t2;
oom:
	sc_err_set(e, SC_EOS, 0, "out of memory");
fail:
	sc_table_free(t2);
	return NULL;
}
