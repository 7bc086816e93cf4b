/* SPDX-License-Identifier: ISC */
/*
 * The series and its CSV writer.  Sorting keeps the later of two bars of a
 * date (bars are tagged with their input position: qsort is not stable);
 * the writer merges the series of one ticker and keeps the earlier
 * operand's bar of a date.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sc_buf.h"
#include "sc_csv.h"
#include "sc_date.h"
#include "sc_num.h"
#include "sc_series.h"

int
sc_series_add(struct sc_series *s, const struct sc_bar *b, struct sc_err *e)
{
	if (sc_buf_grow(&s->bars, &s->cap, s->n + 1, sizeof(*s->bars), e) == -1)
		return -1;
	s->bars[s->n++] = *b;
	return 0;
}

struct tagged {
	struct sc_bar b;
	size_t i;
};

static int
cmp_tagged(const void *a, const void *b)
{
	const struct tagged *x = a, *y = b;

	if (x->b.day != y->b.day)
		return x->b.day < y->b.day ? -1 : 1;
	return (x->i > y->i) - (x->i < y->i);
}

size_t
sc_series_sort(struct sc_series *s)
{
	struct tagged *t;
	size_t i, k, n = s->n;

	for (i = 1; i < n; i++)
		if (s->bars[i - 1].day >= s->bars[i].day)
			break;
	if (i >= n)
		return 0;
	if ((t = malloc(n * sizeof(*t))) != NULL) {
		for (i = 0; i < n; i++)
			t[i].b = s->bars[i], t[i].i = i;
		qsort(t, n, sizeof(*t), cmp_tagged);
		for (i = 0; i < n; i++)
			s->bars[i] = t[i].b;
		free(t);
	} else /* out of memory: a stable insertion sort needs none */
		for (i = 1; i < n; i++) {
			struct sc_bar b = s->bars[i];

			for (k = i; k > 0 && s->bars[k - 1].day > b.day; k--)
				s->bars[k] = s->bars[k - 1];
			s->bars[k] = b;
		}
	for (i = k = 0; i < n; i++) {
		if (i + 1 < n && s->bars[i + 1].day == s->bars[i].day)
			continue; /* the later bar of a date wins */
		s->bars[k++] = s->bars[i];
	}
	s->n = k;
	return n - k;
}

void
sc_series_free(struct sc_series *s)
{
	free(s->bars);
	memset(s, 0, sizeof(*s));
}

/* Writing */

struct rowref {
	const struct sc_series *s;
	size_t idx; /* series index, then bar index */
	const struct sc_bar *b;
};

static int
cmp_row(const void *a, const void *b)
{
	const struct rowref *x = a, *y = b;
	int c = strcmp(x->s->ticker, y->s->ticker);

	if (c != 0)
		return c;
	if (x->b->day != y->b->day)
		return x->b->day < y->b->day ? -1 : 1;
	return (x->idx > y->idx) - (x->idx < y->idx);
}

static void
put_volume(FILE *fp, double v)
{
	char buf[SC_NUM_BUFSZ];

	if (isnan(v))
		return;
	if (fabs(v) < 9e15 && v == floor(v))
		fprintf(fp, "%lld", (long long)v);
	else
		fputs(sc_num_fmt(v, buf), fp);
}

static void
put_row(FILE *fp, const struct rowref *r)
{
	char d[SC_DATE_BUFSZ];

	sc_csv_puts(fp, sc_date_fmt(r->b->day, d), ',');
	sc_csv_puts(fp, r->s->ticker, ',');
	sc_csv_putnum(fp, r->b->open, ',');
	sc_csv_putnum(fp, r->b->high, ',');
	sc_csv_putnum(fp, r->b->low, ',');
	sc_csv_putnum(fp, r->b->close, ',');
	sc_csv_putnum(fp, r->b->adj_close, ',');
	put_volume(fp, r->b->volume);
	fputc('\n', fp);
}

int
sc_series_write(FILE *fp, const struct sc_series *s, size_t n, struct sc_err *e)
{
	struct rowref *rows;
	size_t i, j, k = 0, total = 0;

	for (i = 0; i < n; i++)
		total += s[i].n;
	if ((rows = calloc(total ? total : 1, sizeof(*rows))) == NULL)
		return sc_err_set(e, SC_EOS, 0, "out of memory");
	for (i = 0; i < n; i++)
		for (j = 0; j < s[i].n; j++) {
			rows[k].s = &s[i];
			rows[k].idx = i;
			rows[k++].b = &s[i].bars[j];
		}
	qsort(rows, total, sizeof(*rows), cmp_row);
	errno = 0; /* so that a failed write's errno can be told */
	fputs("date,ticker,open,high,low,close,adj_close,volume\n", fp);
	for (k = 0; k < total; k++) {
		if (k > 0 && rows[k].b->day == rows[k - 1].b->day &&
		    strcmp(rows[k].s->ticker, rows[k - 1].s->ticker) == 0)
			continue; /* same ticker and date from a later operand */
		put_row(fp, &rows[k]);
	}
	free(rows);
	if (ferror(fp) && errno != 0)
		return sc_err_errno(e, SC_EIO, errno, "write error");
	if (ferror(fp))
		return sc_err_set(e, SC_EIO, 0, "write error");
	return 0;
}
