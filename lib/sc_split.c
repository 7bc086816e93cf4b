/* SPDX-License-Identifier: ISC */
/*
 * The split: per ticker, compute the feature matrix, keep the days whose
 * features and target are all finite, and send the last test_days of them
 * to the test table.  Splitting each ticker at its own last days (rather
 * than at one calendar date) gives every ticker the same test length even
 * when histories end on different days.  The feature matrix is reused from
 * ticker to ticker.
 *
 * With threads > 1 the tickers, which are independent, are split by a pool
 * of workers: this thread reads one ticker at a time into a ring of
 * 2 x threads slots, a worker computes its features and formats its rows
 * into two memory streams, and this thread writes the slots out in input
 * order, so the output (and the first error reported) is the one thread's,
 * byte for byte, and memory follows the ring's tickers, not the input.
 */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sc_buf.h"
#include "sc_csv.h"
#include "sc_date.h"
#include "sc_log.h"
#include "sc_ohlcv.h"
#include "sc_split.h"

struct state {
	const struct sc_split_opts *o;
	struct sc_split_stats *st;
	size_t k;    /* features */
	double *x;   /* n * k feature matrix */
	size_t xcap; /* doubles allocated */
	FILE *train, *test;
};

void
sc_split_write_header(FILE *fp, const struct sc_features *f, enum sc_target t)
{
	size_t j;

	fputs("date,ticker,close,", fp);
	for (j = 0; j < sc_features_count(f); j++)
		sc_csv_puts(fp, sc_features_name(f, j), ',');
	sc_csv_puts(fp, sc_features_target_name(t), '\n');
}

/* Non-zero when day t has a next day and every value is finite. */
static int
complete(const struct state *z, const struct sc_ohlcv_series *s, size_t t)
{
	const double *c = s->v[SC_OHLCV_CLOSE];
	const double *row = z->x + t * z->k;
	size_t j;

	if (t + 1 >= s->n ||
	    !isfinite(sc_features_target_value(z->o->target, c[t], c[t + 1])))
		return 0;
	for (j = 0; j < z->k; j++)
		if (!isfinite(row[j]))
			return 0;
	return 1;
}

static void
write_row(FILE *fp, const struct state *z, const struct sc_ohlcv_series *s,
    size_t t)
{
	const double *c = s->v[SC_OHLCV_CLOSE];
	char d[SC_DATE_BUFSZ];
	size_t j;

	sc_csv_puts(fp, sc_date_fmt(s->date[t], d), ',');
	sc_csv_puts(fp, s->ticker, ',');
	sc_csv_putnum(fp, c[t], ',');
	for (j = 0; j < z->k; j++)
		sc_csv_putnum(fp, z->x[t * z->k + j], ',');
	sc_csv_putnum(fp,
	    sc_features_target_value(z->o->target, c[t], c[t + 1]), '\n');
}

static int
compute(struct state *z, const struct sc_ohlcv_series *s, struct sc_err *e)
{
	size_t need = s->n * z->k;

	if (sc_buf_grow(&z->x, &z->xcap, need, sizeof(*z->x), e) == -1)
		return -1;
	return sc_features_compute(z->o->features, s, z->x, e);
}

/*
 * Split s into train and test: the feature matrix in *x (*xcap doubles,
 * grown as needed), the rows written, *ntrain and *m (complete days) set.
 */
static int
split_series(struct state *z, const struct sc_ohlcv_series *s, FILE *train,
    FILE *test, size_t *ntrain, size_t *m, struct sc_err *e)
{
	size_t t, seen = 0;

	*m = 0;
	if (compute(z, s, e) == -1)
		return -1;
	for (t = 0; t < s->n; t++)
		*m += complete(z, s, t);
	if (*m <= z->o->test_days)
		return sc_err_set(e, SC_EDATA, s->last_line,
		    "%s: %zu rows give %zu complete days with a target, need "
		    "more than %zu (test days) after a warm-up of %zu",
		    s->ticker, s->n, *m, z->o->test_days,
		    sc_features_warmup(z->o->features));
	*ntrain = *m - z->o->test_days;
	for (t = 0; t < s->n; t++) {
		if (!complete(z, s, t))
			continue;
		write_row(seen < *ntrain ? train : test, z, s, t);
		seen++;
	}
	return 0;
}

/* Count a split ticker, in input order. */
static void
tally(struct state *z, const struct sc_ohlcv_series *s, size_t ntrain, size_t m)
{
	z->st->tickers++;
	z->st->train += ntrain;
	z->st->test += z->o->test_days;
	z->st->dropped += s->n - m;
	sc_log(SC_LOG_INFO, "%s: %zu rows, %zu train, %zu test, %zu dropped",
	    s->ticker, s->n, ntrain, z->o->test_days, s->n - m);
}

static int
split_one(struct state *z, const struct sc_ohlcv_series *s, struct sc_err *e)
{
	size_t ntrain = 0, m = 0;

	if (split_series(z, s, z->train, z->test, &ntrain, &m, e) == -1)
		return -1;
	tally(z, s, ntrain, m);
	return 0;
}

/* One ticker in the ring. */
struct job {
	struct sc_ohlcv_series s;
	char *text[2]; /* its train and test rows */
	size_t len[2];
	size_t ntrain, m;
	int rc, done;
	struct sc_err err;
};

struct pool {
	pthread_mutex_t mu;
	pthread_cond_t work, done;
	struct job *ring;
	size_t cap;
	size_t head, next, tail; /* to write, to take, to fill */
	int stop;
	struct state *z; /* options and counts; x is per worker */
};

/* Split j into its two memory streams. */
static void
run_job(struct state *w, struct job *j)
{
	FILE *fp[2];
	int i;

	j->rc = 0;
	for (i = 0; i < 2; i++) {
		free(j->text[i]);
		j->text[i] = NULL;
		j->len[i] = 0;
		if ((fp[i] = open_memstream(&j->text[i], &j->len[i])) == NULL) {
			if (i == 1)
				fclose(fp[0]);
			j->rc = sc_err_set(&j->err, SC_EOS, 0, "out of memory");
			return;
		}
	}
	j->rc =
	    split_series(w, &j->s, fp[0], fp[1], &j->ntrain, &j->m, &j->err);
	for (i = 0; i < 2; i++)
		if ((fclose(fp[i]) == EOF || j->text[i] == NULL) && j->rc == 0)
			j->rc = sc_err_set(&j->err, SC_EOS, 0, "out of memory");
}

static void *
worker(void *arg)
{
	struct pool *p = arg;
	struct state w = *p->z;
	struct job *j;

	w.x = NULL;
	w.xcap = 0;
	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (p->next == p->tail && !p->stop)
			pthread_cond_wait(&p->work, &p->mu);
		if (p->next == p->tail)
			break;
		j = &p->ring[p->next++ % p->cap];
		pthread_mutex_unlock(&p->mu);
		run_job(&w, j);
		pthread_mutex_lock(&p->mu);
		j->done = 1;
		pthread_cond_broadcast(&p->done);
	}
	pthread_mutex_unlock(&p->mu);
	free(w.x);
	return NULL;
}

/* Wait for the oldest ticker, write it out and free its slot. */
static int
write_oldest(struct pool *p, struct sc_err *e)
{
	struct job *j = &p->ring[p->head % p->cap];

	pthread_mutex_lock(&p->mu);
	while (!j->done)
		pthread_cond_wait(&p->done, &p->mu);
	pthread_mutex_unlock(&p->mu);
	p->head++;
	if (j->rc == -1) {
		*e = j->err;
		return -1;
	}
	fwrite(j->text[0], 1, j->len[0], p->z->train);
	fwrite(j->text[1], 1, j->len[1], p->z->test);
	tally(p->z, &j->s, j->ntrain, j->m);
	return 0;
}

/* Read, split on threads workers and write every ticker; 0, 1 or -1. */
static int
split_parallel(struct state *z, struct sc_ohlcv *r, size_t threads,
    struct sc_err *e)
{
	struct pool p = { 0 };
	pthread_t *tid;
	struct sc_err rerr = { 0 };
	size_t i, started = 0;
	int rc = 0, rrc = 0;

	p.z = z;
	p.cap = 2 * threads;
	if ((p.ring = calloc(p.cap, sizeof(*p.ring))) == NULL ||
	    (tid = calloc(threads, sizeof(*tid))) == NULL) {
		free(p.ring);
		return sc_err_set(e, SC_EOS, 0, "out of memory");
	}
	pthread_mutex_init(&p.mu, NULL);
	pthread_cond_init(&p.work, NULL);
	pthread_cond_init(&p.done, NULL);
	for (i = 0; i < threads; i++)
		if (pthread_create(&tid[i], NULL, worker, &p) == 0)
			started++;
	if (started == 0)
		rc = sc_err_set(e, SC_EOS, 0, "cannot start a thread");
	while (rc == 0) {
		struct job *j;

		if (p.tail - p.head == p.cap &&
		    (rc = write_oldest(&p, e)) == -1)
			break;
		j = &p.ring[p.tail % p.cap];
		if ((rrc = sc_ohlcv_next(r, &j->s, &rerr)) != 1)
			break;
		pthread_mutex_lock(&p.mu);
		j->done = 0;
		p.tail++;
		pthread_cond_signal(&p.work);
		pthread_mutex_unlock(&p.mu);
	}
	/* An earlier ticker's error comes before a later read error. */
	while (rc == 0 && p.head < p.tail)
		rc = write_oldest(&p, e);
	if (rc == 0 && rrc == -1) {
		*e = rerr;
		rc = -1;
	}
	pthread_mutex_lock(&p.mu);
	p.next = p.tail; /* after an error, the queued tickers are not needed */
	p.stop = 1;
	pthread_cond_broadcast(&p.work);
	pthread_mutex_unlock(&p.mu);
	for (i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
	for (i = 0; i < p.cap; i++) {
		sc_ohlcv_series_free(&p.ring[i].s);
		free(p.ring[i].text[0]);
		free(p.ring[i].text[1]);
	}
	pthread_cond_destroy(&p.done);
	pthread_cond_destroy(&p.work);
	pthread_mutex_destroy(&p.mu);
	free(tid);
	free(p.ring);
	return rc;
}

/* Refuse a feature list that needs a column the input does not have. */
static int
check_columns(const struct sc_ohlcv *r, const struct sc_features *f,
    struct sc_err *e)
{
	int c;

	for (c = 0; c < SC_OHLCV_NCOLS; c++)
		if (sc_features_needs(f, c) && !sc_ohlcv_has(r, c))
			return sc_err_set(e, SC_EDATA, 1,
			    "header: no \"%s\" column, which the features "
			    "need",
			    sc_ohlcv_colname(c));
	return 0;
}

int
sc_split_run(FILE *in, FILE *train, FILE *test, const struct sc_split_opts *o,
    struct sc_split_stats *stats, struct sc_err *e)
{
	struct sc_split_stats dummy = { 0 };
	struct sc_ohlcv_series s = { 0 };
	struct state z = { 0 };
	struct sc_ohlcv *r;
	int rc;

	z.o = o;
	z.st = stats != NULL ? stats : &dummy;
	memset(z.st, 0, sizeof(*z.st));
	z.k = sc_features_count(o->features);
	z.train = train;
	z.test = test;
	if ((r = sc_ohlcv_open(in, e)) == NULL)
		return -1;
	if ((rc = check_columns(r, o->features, e)) == 0) {
		sc_split_write_header(train, o->features, o->target);
		sc_split_write_header(test, o->features, o->target);
		if (o->threads > 1)
			rc = split_parallel(&z, r, o->threads, e);
		else
			while ((rc = sc_ohlcv_next(r, &s, e)) == 1)
				if ((rc = split_one(&z, &s, e)) == -1)
					break;
	}
	z.st->rows = sc_ohlcv_rows(r);
	if (rc == 0 && z.st->rows == 0)
		rc =
		    sc_err_set(e, SC_EDATA, 0, "no data rows after the header");
	sc_ohlcv_series_free(&s);
	sc_ohlcv_free(r);
	free(z.x);
	return rc == 0 ? 0 : -1;
}
