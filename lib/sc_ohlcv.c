/* SPDX-License-Identifier: ISC */
/*
 * OHLCV reader and writer.  The reader keeps one row of look-ahead: the
 * first row of the next ticker ends the current series and is held until
 * the next call.  Each row is checked on its own (ticker, date, numbers,
 * signs), then against the row before it (date order, ticker order), so an
 * error names the first line where the stream goes wrong.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sc_buf.h"
#include "sc_csv.h"
#include "sc_date.h"
#include "sc_num.h"
#include "sc_ohlcv.h"

static const char *const colnames[SC_OHLCV_NCOLS] = { "open", "high", "low",
	"close", "adj_close", "volume" };

struct row {
	char ticker[SC_OHLCV_TICKER_MAX + 1];
	long date;
	double v[SC_OHLCV_NCOLS];
	long line;
};

struct sc_ohlcv {
	struct sc_csv *csv;
	long cdate, cticker;
	long col[SC_OHLCV_NCOLS]; /* -1 when absent */
	struct row ahead;         /* the held row */
	int have_ahead;
	size_t rows;
	int failed;
	struct sc_err err; /* the sticky error */
};

const char *
sc_ohlcv_colname(enum sc_ohlcv_col c)
{
	return (unsigned)c < SC_OHLCV_NCOLS ? colnames[c] : "?";
}

/*
 * Room for one more row in every column.  The columns share s->cap: each
 * grows from the same capacity to the same size (sc_buf_grow on a copy),
 * and s->cap changes only once all of them have.
 */
static int
grow(struct sc_ohlcv_series *s, struct sc_err *e)
{
	size_t cap = s->cap, want = s->n + 1, c;

	if (sc_buf_grow(&s->date, &cap, want, sizeof(*s->date), e) == -1)
		return -1;
	for (c = 0; c < SC_OHLCV_NCOLS; c++) {
		size_t vcap = s->cap;

		if (sc_buf_grow(&s->v[c], &vcap, want, sizeof(*s->v[c]), e) ==
		    -1)
			return -1;
	}
	s->cap = cap;
	return 0;
}

int
sc_ohlcv_series_add(struct sc_ohlcv_series *s, long date, const double *vals,
    struct sc_err *e)
{
	int c;

	if (s->n >= SC_OHLCV_MAX_ROWS)
		return sc_err_set(e, SC_EDATA, 0,
		    "%s: more than %d rows for one ticker", s->ticker,
		    SC_OHLCV_MAX_ROWS);
	if (s->n == s->cap && grow(s, e) == -1)
		return -1;
	s->date[s->n] = date;
	for (c = 0; c < SC_OHLCV_NCOLS; c++)
		s->v[c][s->n] = vals[c];
	s->n++;
	return 0;
}

void
sc_ohlcv_series_reset(struct sc_ohlcv_series *s)
{
	s->n = 0;
	s->ticker[0] = '\0';
	s->first_line = s->last_line = 0;
}

void
sc_ohlcv_series_free(struct sc_ohlcv_series *s)
{
	int c;

	free(s->date);
	for (c = 0; c < SC_OHLCV_NCOLS; c++)
		free(s->v[c]);
	memset(s, 0, sizeof(*s));
}

struct sc_ohlcv *
sc_ohlcv_open(FILE *fp, struct sc_err *e)
{
	struct sc_ohlcv *r;
	int c;

	if ((r = calloc(1, sizeof(*r))) == NULL) {
		sc_err_set(e, SC_EOS, 0, "out of memory");
		return NULL;
	}
	if ((r->csv = sc_csv_open(fp, NULL, 1, e)) == NULL)
		goto fail;
	r->cdate = sc_csv_col(r->csv, "date");
	r->cticker = sc_csv_col(r->csv, "ticker");
	for (c = 0; c < SC_OHLCV_NCOLS; c++)
		r->col[c] = sc_csv_col(r->csv, colnames[c]);
	if (r->cdate < 0 || r->cticker < 0 || r->col[SC_OHLCV_CLOSE] < 0) {
		sc_err_set(e, SC_EDATA, 1, "header: no \"%s\" column",
		    r->cdate < 0         ? "date"
		        : r->cticker < 0 ? "ticker"
		                         : "close");
		goto fail;
	}
	return r;
fail:
	sc_ohlcv_free(r);
	return NULL;
}

void
sc_ohlcv_free(struct sc_ohlcv *r)
{
	if (r == NULL)
		return;
	sc_csv_free(r->csv);
	free(r);
}

int
sc_ohlcv_has(const struct sc_ohlcv *r, enum sc_ohlcv_col c)
{
	return (unsigned)c < SC_OHLCV_NCOLS && r->col[c] >= 0;
}

size_t
sc_ohlcv_rows(const struct sc_ohlcv *r)
{
	return r->rows;
}

static int
parse_ticker(struct sc_ohlcv *r, struct row *w, struct sc_err *e)
{
	const char *t = sc_csv_field(r->csv, (size_t)r->cticker);
	size_t i, n = sc_csv_fieldlen(r->csv, (size_t)r->cticker);

	if (n == 0)
		return sc_err_set(e, SC_EDATA, w->line,
		    "column \"ticker\": empty");
	if (n > SC_OHLCV_TICKER_MAX)
		return sc_err_set(e, SC_EDATA, w->line,
		    "column \"ticker\": longer than %d bytes: \"%.40s...\"",
		    SC_OHLCV_TICKER_MAX, t);
	for (i = 0; i < n; i++)
		if ((unsigned char)t[i] <= ' ' || t[i] == 0x7f)
			return sc_err_set(e, SC_EDATA, w->line,
			    "column \"ticker\": blank or control character in "
			    "\"%.64s\"",
			    t);
	memcpy(w->ticker, t, n);
	w->ticker[n] = '\0';
	return 0;
}

static int
parse_date(struct sc_ohlcv *r, struct row *w, struct sc_err *e)
{
	const char *s = sc_csv_field(r->csv, (size_t)r->cdate);
	size_t n = sc_csv_fieldlen(r->csv, (size_t)r->cdate);

	if (sc_date_parse(s, n, &w->date) == -1)
		return sc_err_set(e, SC_EDATA, w->line,
		    "column \"date\": not a date (want YYYY-MM-DD): \"%.40s\"",
		    s);
	return 0;
}

/* Parse the value cells and check their signs. */
static int
parse_values(struct sc_ohlcv *r, struct row *w, struct sc_err *e)
{
	char d[SC_DATE_BUFSZ], num[SC_NUM_BUFSZ];
	int c, rc;

	for (c = 0; c < SC_OHLCV_NCOLS; c++) {
		w->v[c] = NAN;
		if (r->col[c] < 0)
			continue;
		rc = sc_csv_num(r->csv, (size_t)r->col[c], &w->v[c], e);
		if (rc == -1)
			return -1;
		if (rc == 1 && c == SC_OHLCV_CLOSE)
			return sc_err_set(e, SC_EDATA, w->line,
			    "%s %s: column \"close\": missing (every row needs "
			    "a close)",
			    w->ticker, sc_date_fmt(w->date, d));
		if (rc == 1)
			continue;
		if (c == SC_OHLCV_VOLUME ? w->v[c] < 0 : w->v[c] <= 0)
			return sc_err_set(e, SC_EDATA, w->line,
			    "%s %s: column \"%s\": %s: %s", w->ticker,
			    sc_date_fmt(w->date, d), colnames[c],
			    c == SC_OHLCV_VOLUME ? "negative" : "not positive",
			    sc_num_fmt(w->v[c], num));
	}
	return 0;
}

/* Read and check the next row into r->ahead: 1, 0 at the end, or -1. */
static int
read_row(struct sc_ohlcv *r, struct sc_err *e)
{
	struct row *w = &r->ahead;
	int rc;

	if ((rc = sc_csv_read(r->csv, e)) != 1)
		return rc;
	w->line = sc_csv_line(r->csv);
	if (parse_ticker(r, w, e) == -1 || parse_date(r, w, e) == -1 ||
	    parse_values(r, w, e) == -1)
		return -1;
	r->rows++;
	r->have_ahead = 1;
	return 1;
}

/* Check that the held row may follow the last row of s. */
static int
check_order(const struct sc_ohlcv_series *s, const struct row *w,
    struct sc_err *e)
{
	char d[SC_DATE_BUFSZ], p[SC_DATE_BUFSZ];
	int cmp = strcmp(w->ticker, s->ticker);

	if (cmp < 0)
		return sc_err_set(e, SC_EDATA, w->line,
		    "ticker \"%s\" after \"%s\": rows must be sorted by ticker "
		    "then date",
		    w->ticker, s->ticker);
	if (cmp > 0)
		return 0;
	if (w->date == s->date[s->n - 1])
		return sc_err_set(e, SC_EDATA, w->line,
		    "%s %s: duplicate date (also on the previous row)",
		    w->ticker, sc_date_fmt(w->date, d));
	if (w->date < s->date[s->n - 1])
		return sc_err_set(e, SC_EDATA, w->line,
		    "%s %s: date not after the previous row (%s)", w->ticker,
		    sc_date_fmt(w->date, d), sc_date_fmt(s->date[s->n - 1], p));
	return 0;
}

static int
take_ahead(struct sc_ohlcv *r, struct sc_ohlcv_series *s, struct sc_err *e)
{
	if (sc_ohlcv_series_add(s, r->ahead.date, r->ahead.v, e) == -1) {
		e->line = r->ahead.line;
		return -1;
	}
	if (s->n == 1)
		s->first_line = r->ahead.line;
	s->last_line = r->ahead.line;
	r->have_ahead = 0;
	return 0;
}

static int
next_series(struct sc_ohlcv *r, struct sc_ohlcv_series *s, struct sc_err *e)
{
	int rc;

	sc_ohlcv_series_reset(s);
	if (!r->have_ahead && (rc = read_row(r, e)) != 1)
		return rc;
	memcpy(s->ticker, r->ahead.ticker, sizeof(s->ticker));
	if (take_ahead(r, s, e) == -1)
		return -1;
	while ((rc = read_row(r, e)) == 1) {
		if (check_order(s, &r->ahead, e) == -1)
			return -1;
		if (strcmp(r->ahead.ticker, s->ticker) != 0)
			return 1;
		if (take_ahead(r, s, e) == -1)
			return -1;
	}
	return rc == 0 ? 1 : -1;
}

int
sc_ohlcv_next(struct sc_ohlcv *r, struct sc_ohlcv_series *s, struct sc_err *e)
{
	int rc;

	if (r->failed) {
		if (e != NULL)
			*e = r->err;
		return -1;
	}
	if ((rc = next_series(r, s, &r->err)) == -1) {
		r->failed = 1;
		sc_ohlcv_series_reset(s);
		if (e != NULL)
			*e = r->err;
	}
	return rc;
}

void
sc_ohlcv_write_header(FILE *fp)
{
	fputs("date,ticker,open,high,low,close,adj_close,volume\n", fp);
}

void
sc_ohlcv_write(FILE *fp, const struct sc_ohlcv_series *s)
{
	char d[SC_DATE_BUFSZ];
	size_t i;
	int c;

	for (i = 0; i < s->n; i++) {
		sc_csv_puts(fp, sc_date_fmt(s->date[i], d), ',');
		sc_csv_puts(fp, s->ticker, ',');
		for (c = 0; c < SC_OHLCV_NCOLS; c++)
			sc_csv_putnum(fp, s->v[c][i],
			    c + 1 < SC_OHLCV_NCOLS ? ',' : '\n');
	}
}
