/* SPDX-License-Identifier: ISC */
/*
 * CSV reader on libcsv.  Input is fed to libcsv one physical line at a
 * time (a line longer than the read chunk in pieces), so the reader always
 * knows which line a record ends on.  libcsv's callbacks append fields to
 * an arena and completed records to a queue; sc_csv_read() pops the queue
 * and refills it only when empty, so the fields it hands out stay put.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <csv.h>

#include "sc_buf.h"
#include "sc_csv.h"
#include "sc_num.h"

#define CHUNK 65536

const struct sc_csv_limits sc_csv_default_limits = { 65536, 4096, 1 << 20 };

struct rec {
	size_t first; /* index of its first field */
	size_t n;     /* number of fields */
	long line;    /* line it ends on */
};

struct sc_csv {
	FILE *fp;
	struct csv_parser p;
	struct sc_csv_limits lim;
	char *arena; /* field bytes, each NUL-terminated */
	size_t alen, acap;
	size_t *off, *len; /* per field: offset into arena, length */
	size_t nf, fcap;
	size_t open_first; /* first field of the record being built */
	struct rec *recs;  /* completed records */
	size_t nrec, rcap, rhead;
	struct rec cur; /* the record handed out */
	int have_cur;
	long line;        /* lines fully fed so far */
	size_t rec_bytes; /* bytes fed since the last record ended */
	long rec_start;   /* the line the record being read began on */
	int eof;
	struct sc_err cberr; /* error raised inside a callback */
	int failed;
	char chunk[CHUNK];
	size_t clen, cpos;
	char **hdr; /* header names, or NULL */
	size_t nhdr;
	int bom_done; /* the first field was looked at for a UTF-8 BOM */
};

static int
no_space(unsigned char c)
{
	(void)c;
	return 0; /* keep blanks: a field is what is between the commas */
}

static void
cb_fail(struct sc_csv *r, enum sc_errcode code, const char *msg)
{
	if (r->failed)
		return;
	sc_err_set(&r->cberr, code, r->line + 1, "%s", msg);
	r->failed = 1;
}

static void
cb_field(void *s, size_t n, void *arg)
{
	struct sc_csv *r = arg;

	if (r->failed)
		return;
	/* A UTF-8 byte-order mark before the first field is no part of it. */
	if (!r->bom_done) {
		r->bom_done = 1;
		if (n >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0) {
			s = (char *)s + 3;
			n -= 3;
		}
	}
	if (n > r->lim.max_field) {
		char msg[64];

		snprintf(msg, sizeof(msg), "field longer than %zu bytes",
		    r->lim.max_field);
		cb_fail(r, SC_EDATA, msg);
		return;
	}
	if (r->nf - r->open_first >= r->lim.max_fields) {
		char msg[64];

		snprintf(msg, sizeof(msg), "more than %zu fields",
		    r->lim.max_fields);
		cb_fail(r, SC_EDATA, msg);
		return;
	}
	if (r->nf == r->fcap) {
		/* Two arrays, one capacity: both grow from it the same way. */
		size_t co = r->fcap, cl = r->fcap;

		if (sc_buf_grow(&r->off, &co, r->nf + 1, sizeof(*r->off),
		        NULL) == -1 ||
		    sc_buf_grow(&r->len, &cl, r->nf + 1, sizeof(*r->len),
		        NULL) == -1) {
			cb_fail(r, SC_EOS, "out of memory");
			return;
		}
		r->fcap = co;
	}
	if (sc_buf_grow(&r->arena, &r->acap, r->alen + n + 1, 1, NULL) == -1) {
		cb_fail(r, SC_EOS, "out of memory");
		return;
	}
	if (n > 0)
		memcpy(r->arena + r->alen, s, n);
	r->arena[r->alen + n] = '\0';
	r->off[r->nf] = r->alen;
	r->len[r->nf] = n;
	r->alen += n + 1;
	r->nf++;
}

static void
cb_record(int c, void *arg)
{
	struct sc_csv *r = arg;

	(void)c;
	if (r->failed)
		return;
	if (sc_buf_grow(&r->recs, &r->rcap, r->nrec + 1, sizeof(*r->recs),
	        NULL) == -1) {
		cb_fail(r, SC_EOS, "out of memory");
		return;
	}
	r->recs[r->nrec].first = r->open_first;
	r->recs[r->nrec].n = r->nf - r->open_first;
	r->recs[r->nrec].line = r->line + 1;
	r->nrec++;
	r->open_first = r->nf;
	r->rec_bytes = 0;
}

/* Drop handed-out records, keeping the fields of the one being built. */
static void
compact(struct sc_csv *r)
{
	size_t i, keep = r->nf - r->open_first, base;

	r->nrec = r->rhead = 0;
	r->have_cur = 0;
	if (keep == 0) {
		r->nf = r->open_first = 0;
		r->alen = 0;
		return;
	}
	base = r->off[r->open_first];
	memmove(r->arena, r->arena + base, r->alen - base);
	r->alen -= base;
	for (i = 0; i < keep; i++) {
		r->off[i] = r->off[r->open_first + i] - base;
		r->len[i] = r->len[r->open_first + i];
	}
	r->nf = keep;
	r->open_first = 0;
}

/* Feed the next piece of input (up to and including a newline). */
static int
feed(struct sc_csv *r, struct sc_err *e)
{
	char *nl;
	size_t n;
	int endline = 0;

	if (r->cpos == r->clen) {
		r->clen = fread(r->chunk, 1, sizeof(r->chunk), r->fp);
		r->cpos = 0;
		if (r->clen == 0) {
			if (ferror(r->fp))
				return sc_err_errno(e, SC_EIO, errno, "read");
			r->eof = 1;
			/*
			 * Lenient libcsv accepts a quote left open at the end
			 * (CSV_STRICT_FINI needs CSV_STRICT, which would refuse
			 * a stray quote in an unquoted field).  Its public
			 * state says so: 2 is FIELD_BEGUN in libcsv.c.
			 */
			if ((r->p.pstate == 2 && r->p.quoted) ||
			    csv_fini(&r->p, cb_field, cb_record, r) != 0)
				return sc_err_set(e, SC_EDATA, r->rec_start,
				    "unterminated quoted field: opened on this "
				    "line, not closed by the end of input");
			return r->failed ? (*e = r->cberr, -1) : 0;
		}
	}
	n = r->clen - r->cpos;
	if ((nl = memchr(r->chunk + r->cpos, '\n', n)) != NULL) {
		n = (size_t)(nl - (r->chunk + r->cpos)) + 1;
		endline = 1;
	}
	if (r->rec_bytes + n > r->lim.max_record)
		return sc_err_set(e, SC_EDATA, r->line + 1,
		    "record longer than %zu bytes", r->lim.max_record);
	if (r->rec_bytes == 0)
		r->rec_start = r->line + 1;
	r->rec_bytes += n;
	if (csv_parse(&r->p, r->chunk + r->cpos, n, cb_field, cb_record, r) !=
	        n &&
	    !r->failed)
		return sc_err_set(e, SC_EDATA, r->line + 1, "%s",
		    csv_strerror(csv_error(&r->p)));
	r->cpos += n;
	if (r->failed) {
		*e = r->cberr;
		return -1;
	}
	if (endline)
		r->line++;
	return 0;
}

static int
read_raw(struct sc_csv *r, struct sc_err *e)
{
	if (r->rhead == r->nrec) {
		compact(r);
		while (r->nrec == 0 && !r->eof)
			if (feed(r, e) == -1)
				return -1;
		if (r->nrec == 0)
			return 0;
	}
	r->cur = r->recs[r->rhead++];
	r->have_cur = 1;
	return 1;
}

static int
read_header(struct sc_csv *r, struct sc_err *e)
{
	size_t i, j;
	int rc;

	if ((rc = read_raw(r, e)) == -1)
		return -1;
	if (rc == 0)
		return sc_err_set(e, SC_EDATA, 1, "empty input: no header");
	if ((r->hdr = calloc(r->cur.n, sizeof(*r->hdr))) == NULL)
		return sc_err_set(e, SC_EOS, 0, "out of memory");
	r->nhdr = r->cur.n;
	for (i = 0; i < r->nhdr; i++) {
		const char *name = sc_csv_field(r, i);

		if ((r->hdr[i] = strdup(name)) == NULL)
			return sc_err_set(e, SC_EOS, 0, "out of memory");
		if (*name == '\0')
			return sc_err_set(e, SC_EDATA, r->cur.line,
			    "header: column %zu has no name", i + 1);
		for (j = 0; j < i; j++)
			if (strcmp(r->hdr[j], name) == 0)
				return sc_err_set(e, SC_EDATA, r->cur.line,
				    "header: column \"%.64s\" appears twice",
				    name);
	}
	return 0;
}

struct sc_csv *
sc_csv_open(FILE *fp, const struct sc_csv_limits *lim, int header,
    struct sc_err *e)
{
	struct sc_csv *r;

	if ((r = calloc(1, sizeof(*r))) == NULL) {
		sc_err_set(e, SC_EOS, 0, "out of memory");
		return NULL;
	}
	if (csv_init(&r->p, 0) != 0) {
		free(r);
		sc_err_set(e, SC_EOS, 0, "out of memory");
		return NULL;
	}
	csv_set_space_func(&r->p, no_space);
	r->fp = fp;
	r->lim = lim != NULL ? *lim : sc_csv_default_limits;
	if (header && read_header(r, e) == -1) {
		sc_csv_free(r);
		return NULL;
	}
	return r;
}

void
sc_csv_free(struct sc_csv *r)
{
	size_t i;

	if (r == NULL)
		return;
	csv_free(&r->p);
	for (i = 0; i < r->nhdr; i++)
		free(r->hdr[i]);
	free(r->hdr);
	free(r->arena);
	free(r->off);
	free(r->len);
	free(r->recs);
	free(r);
}

int
sc_csv_read(struct sc_csv *r, struct sc_err *e)
{
	int rc;

	if ((rc = read_raw(r, e)) != 1)
		return rc;
	if (r->hdr != NULL && r->cur.n != r->nhdr)
		return sc_err_set(e, SC_EDATA, r->cur.line,
		    "expected %zu fields, got %zu", r->nhdr, r->cur.n);
	return 1;
}

size_t
sc_csv_nfields(const struct sc_csv *r)
{
	return r->have_cur ? r->cur.n : 0;
}

const char *
sc_csv_field(const struct sc_csv *r, size_t i)
{
	if (!r->have_cur || i >= r->cur.n)
		return "";
	return r->arena + r->off[r->cur.first + i];
}

size_t
sc_csv_fieldlen(const struct sc_csv *r, size_t i)
{
	if (!r->have_cur || i >= r->cur.n)
		return 0;
	return r->len[r->cur.first + i];
}

long
sc_csv_line(const struct sc_csv *r)
{
	return r->have_cur ? r->cur.line : r->line;
}

size_t
sc_csv_ncols(const struct sc_csv *r)
{
	return r->nhdr;
}

const char *
sc_csv_colname(const struct sc_csv *r, size_t i)
{
	return i < r->nhdr ? r->hdr[i] : "";
}

long
sc_csv_col(const struct sc_csv *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->nhdr; i++)
		if (strcmp(r->hdr[i], name) == 0)
			return (long)i;
	return -1;
}

int
sc_csv_num(const struct sc_csv *r, size_t col, double *v, struct sc_err *e)
{
	const char *s = sc_csv_field(r, col);
	size_t n = sc_csv_fieldlen(r, col);

	if (n == 0)
		return 1;
	if (sc_num_parse(s, n, v) == -1)
		return sc_err_set(e, SC_EDATA, sc_csv_line(r),
		    "column \"%.64s\": not a number: \"%.40s%s\"",
		    col < r->nhdr ? r->hdr[col] : "?", s, n > 40 ? "..." : "");
	return 0;
}

void
sc_csv_put(FILE *fp, const char *s, size_t n, int sep)
{
	size_t i;
	int quote = n > 0 &&
	    (s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' ||
	        s[n - 1] == '\t');

	for (i = 0; i < n && !quote; i++)
		if (s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n')
			quote = 1;
	if (!quote)
		fwrite(s, 1, n, fp);
	else {
		putc('"', fp);
		for (i = 0; i < n; i++) {
			if (s[i] == '"')
				putc('"', fp);
			putc(s[i], fp);
		}
		putc('"', fp);
	}
	putc(sep, fp);
}

void
sc_csv_puts(FILE *fp, const char *s, int sep)
{
	sc_csv_put(fp, s, strlen(s), sep);
}

void
sc_csv_putnum(FILE *fp, double v, int sep)
{
	char buf[SC_NUM_BUFSZ + 1];
	int n = 0;

	/* One write for the number and its separator. */
	if (!isnan(v))
		n = sc_num_fmtn(v, buf);
	buf[n++] = (char)sep;
	fwrite(buf, 1, (size_t)n, fp);
}
