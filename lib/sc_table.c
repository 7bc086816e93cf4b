/* SPDX-License-Identifier: ISC */
/*
 * Table reader.  The input stream is wrapped in a fopencookie(3) stream
 * that feeds every byte to a SHA-256 digest on its way to the CSV reader,
 * so hashing costs no second pass and no copy of the input.  Rows are
 * appended to one array per column that doubles in size with realloc()
 * (large blocks move by remapping, so growth copies nothing and never
 * holds two tables).  Labels (date, ticker) are interned: each distinct
 * text is stored once in a string arena, found through a hash table, and a
 * row keeps the 4-byte ids of its date and ticker, so a market of 25
 * million rows keeps a few thousand dates and tickers, not 25 million.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sc_buf.h"
#include "sc_csv.h"
#include "sc_hash.h"
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
	if (got > 0 && sc_sha256_update(h->md, buf, got, NULL) == -1) {
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

static int
grow_rows(struct sc_table *t, struct sc_err *e)
{
	size_t cap = t->cap ? t->cap * 2 : 1024, j;
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

/* Store the current record as row t->nrows. */
static int
add_row(struct sc_table *t, struct sc_csv *r, const int *role, struct sc_err *e)
{
	size_t i, j = 0, row = t->nrows, nc = sc_csv_ncols(r);
	long line = sc_csv_line(r);
	double v;
	int rc;

	if (row == SC_TABLE_MAXROWS)
		return sc_err_set(e, SC_EDATA, line, "more than %d rows",
		    SC_TABLE_MAXROWS);
	if (row == t->cap && grow_rows(t, e) == -1)
		return -1;
	t->y[row] = t->close[row] = NAN;
	t->date[row] = t->ticker[row] = NOLABEL;
	t->line[row] = line;
	for (i = 0; i < nc; i++) {
		switch (role[i]) {
		case ROLE_FEATURE:
			if ((rc = sc_csv_num(r, i, &v, e)) == -1)
				return -1;
			if (rc == 1)
				return sc_err_set(e, SC_EDATA, line,
				    "column \"%.64s\": empty cell",
				    sc_csv_colname(r, i));
			t->x[j++][row] = v;
			break;
		case ROLE_TARGET:
		case ROLE_CLOSE:
			if ((rc = sc_csv_num(r, i, &v, e)) == -1)
				return -1;
			if (rc == 1 && role[i] == ROLE_TARGET && !t->optional)
				return sc_err_set(e, SC_EDATA, line,
				    "column \"%.64s\": empty target",
				    sc_csv_colname(r, i));
			if (rc == 0)
				*(role[i] == ROLE_TARGET ? &t->y[row]
				                         : &t->close[row]) = v;
			break;
		case ROLE_DATE:
		case ROLE_TICKER:
			if (add_label_near(t, sc_csv_field(r, i),
			        sc_csv_fieldlen(r, i),
			        row == 0 ? NOLABEL
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
	t->nrows++;
	return 0;
}

static int
read_rows(struct sc_table *t, struct sc_csv *r, const int *role,
    struct sc_err *e)
{
	int rc;

	while ((rc = sc_csv_read(r, e)) == 1)
		if (add_row(t, r, role, e) == -1)
			return -1;
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

struct sc_table *
sc_table_read(FILE *fp, const struct sc_table_opts *opts, struct sc_err *e)
{
	return sc_table_read_only(fp, opts, NULL, 0, e);
}

struct sc_table *
sc_table_read_only(FILE *fp, const struct sc_table_opts *opts,
    const char *const *only, size_t nonly, struct sc_err *e)
{
	static const struct sc_table_opts defaults = { NULL, 0 };
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
	if ((h.md = sc_sha256_new(e)) == NULL)
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
	if (rc == 0 && (rc = sc_sha256_final(h.md, md, e)) == 0)
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
	size_t j;

	if (t == NULL)
		return;
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
	free(t);
}

size_t
sc_table_nrows(const struct sc_table *t)
{
	return t->nrows;
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
