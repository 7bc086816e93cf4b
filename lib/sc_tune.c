/* SPDX-License-Identifier: ISC */
/*
 * The search: walk-forward folds by date, the trial loop (sample, fit each
 * fold on its own copy of the training rows, score the validation rows,
 * prune), the trials JSONL, merging shards, and the model's tuning
 * record.  Fold tables are copied once (sc_table_subset) and binned once
 * (sc_forest_bin), and reused by every trial; fold fits are for means only.  Trials run in sequence and each fit uses every core: on
 * small tables a fit is short and the trees already keep the cores busy,
 * and TPE needs the previous trials' results anyway.  The forest seed is
 * the same for every trial (common random numbers: two trials differ by
 * their parameters, not their luck), and the refit uses it too.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sc_buf.h"
#include "sc_hash.h"
#include "sc_num.h"
#include "sc_tune_int.h"

struct sc_tune_folds {
	int k;
	size_t *train[SC_TUNE_MAXFOLDS], ntrain[SC_TUNE_MAXFOLDS];
	size_t *valid[SC_TUNE_MAXFOLDS], nvalid[SC_TUNE_MAXFOLDS];
};

/* A distinct date: its text (borrowed from the table), hash and first id. */
struct dslot {
	const char *s;
	uint64_t h;
	size_t id;
};

static int
cmp_dslot(const void *a, const void *b)
{
	return strcmp(((const struct dslot *)a)->s,
	    ((const struct dslot *)b)->s);
}

/* Double the hash table h[0..*cap) of distinct dates (empty: s NULL). */
static int
dslot_grow(struct dslot **h, size_t *cap)
{
	size_t ncap = *cap * 2, i, j;
	struct dslot *nh = calloc(ncap, sizeof(*nh));

	if (nh == NULL)
		return -1;
	for (i = 0; i < *cap; i++)
		if ((*h)[i].s != NULL) {
			for (j = (*h)[i].h & (ncap - 1); nh[j].s != NULL;
			     j = (j + 1) & (ncap - 1))
				;
			nh[j] = (*h)[i];
		}
	free(*h);
	*h = nh;
	*cap = ncap;
	return 0;
}

/*
 * Each row's date index among the sorted distinct dates; their number.
 * One pass with a hash table of the distinct dates (a few thousand for
 * decades of trading days) gives each row its date's id in order of first
 * sight; only the distinct dates are sorted, then the ids become ranks.
 * Time linear in the rows, memory in the dates (di is the caller's).
 */
static int
date_index(const struct sc_table *t, size_t *di, size_t *nd)
{
	size_t n = sc_table_nrows(t), cap = 1024, u = 0, i, j, *rank = NULL;
	struct dslot *h = calloc(cap, sizeof(*h)), *d = NULL;
	const char *s;
	uint64_t hv;

	if (h == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		s = sc_table_date(t, i);
		hv = sc_hash_fnv1a(s, strlen(s));
		for (j = hv & (cap - 1); h[j].s != NULL;
		     j = (j + 1) & (cap - 1))
			if (h[j].h == hv &&
			    (h[j].s == s || strcmp(h[j].s, s) == 0))
				break;
		if (h[j].s != NULL) {
			di[i] = h[j].id;
			continue;
		}
		h[j] = (struct dslot){ s, hv, u };
		di[i] = u++;
		if (u * 2 > cap && dslot_grow(&h, &cap) == -1)
			goto oom;
	}
	d = malloc((u + 1) * sizeof(*d));
	rank = malloc((u + 1) * sizeof(*rank));
	if (d == NULL || rank == NULL)
		goto oom;
	for (i = j = 0; i < cap; i++)
		if (h[i].s != NULL)
			d[j++] = h[i];
	qsort(d, u, sizeof(*d), cmp_dslot);
	for (i = 0; i < u; i++)
		rank[d[i].id] = i;
	for (i = 0; i < n; i++)
		di[i] = rank[di[i]];
	free(h);
	free(d);
	free(rank);
	*nd = u;
	return 0;
oom:
	free(h);
	free(d);
	free(rank);
	return -1;
}

static int
fill_fold(struct sc_tune_folds *f, int i, const size_t *di, size_t n,
    size_t tend, size_t vstart, size_t vend)
{
	size_t r;

	f->train[i] = malloc((n + 1) * sizeof(size_t));
	f->valid[i] = malloc((n + 1) * sizeof(size_t));
	if (f->train[i] == NULL || f->valid[i] == NULL)
		return -1;
	for (r = 0; r < n; r++)
		if (di[r] < tend)
			f->train[i][f->ntrain[i]++] = r;
		else if (di[r] >= vstart && di[r] < vend)
			f->valid[i][f->nvalid[i]++] = r;
	return 0;
}

struct sc_tune_folds *
sc_tune_folds_make(const struct sc_table *t, int k, int gap, struct sc_err *e)
{
	struct sc_tune_folds *f;
	size_t n = sc_table_nrows(t), nd = n, b, i, *di;
	int rc = 0;

	if (k < 2 || k > SC_TUNE_MAXFOLDS || gap < 0) {
		sc_err_set(e, SC_EUSAGE, 0, "folds: want 2..%d, gap >= 0",
		    SC_TUNE_MAXFOLDS);
		return NULL;
	}
	f = calloc(1, sizeof(*f));
	di = malloc((n + 1) * sizeof(*di));
	if (f == NULL || di == NULL)
		goto oom;
	f->k = k;
	if (sc_table_date(t, 0) != NULL) {
		if (date_index(t, di, &nd) == -1)
			goto oom;
	} else
		for (i = 0; i < n; i++)
			di[i] = i;
	b = nd / (size_t)(k + 1);
	if (b < 1 || nd - (size_t)k * b <= (size_t)gap + 1) {
		sc_err_set(e, SC_EDATA, 0,
		    "%zu %s: too few for %d folds with a gap of %d", nd,
		    sc_table_date(t, 0) ? "dates" : "rows", k, gap);
		free(di);
		sc_tune_folds_free(f);
		return NULL;
	}
	for (i = 0; i < (size_t)k && rc == 0; i++) {
		size_t vs = nd - ((size_t)k - i) * b;

		rc = fill_fold(f, (int)i, di, n, vs - (size_t)gap, vs, vs + b);
	}
	free(di);
	di = NULL;
	if (rc == 0)
		return f;
oom:
	free(di);
	sc_tune_folds_free(f);
	sc_err_set(e, SC_EOS, 0, "out of memory");
	return NULL;
}

void
sc_tune_folds_free(struct sc_tune_folds *f)
{
	int i;

	if (f == NULL)
		return;
	for (i = 0; i < f->k; i++) {
		free(f->train[i]);
		free(f->valid[i]);
	}
	free(f);
}

int
sc_tune_folds_n(const struct sc_tune_folds *f)
{
	return f->k;
}

void
sc_tune_folds_get(const struct sc_tune_folds *f, int i, const size_t **train,
    size_t *ntrain, const size_t **valid, size_t *nvalid)
{
	*train = f->train[i];
	*ntrain = f->ntrain[i];
	*valid = f->valid[i];
	*nvalid = f->nvalid[i];
}

void
sc_tune_defaults(struct sc_tune_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->trials = 50;
	o->folds = 5;
	o->sampler = SC_TUNE_TPE;
	o->prune = 1;
	o->nshard = 1;
	sc_forest_defaults(&o->base);
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int
add_trial(struct sc_tune *r, const struct sc_tune_trial *tr)
{
	const struct sc_tune_trial *b;

	if (sc_buf_grow(&r->t, &r->cap, r->n + 1, sizeof(*r->t), NULL) == -1)
		return -1;
	r->t[r->n] = *tr;
	b = r->best >= 0 ? &r->t[r->best] : NULL;
	if (tr->state == SC_TUNE_COMPLETE &&
	    (b == NULL || tr->value < b->value ||
	        (tr->value == b->value && tr->number < b->number)))
		r->best = (long)r->n;
	r->n++;
	return 0;
}

/*
 * The fold tables: training and validation copies of each fold's rows,
 * and the training rows binned once for every trial (NULL: too few rows
 * to fit, which the fit reports).
 */
struct ftabs {
	int k;
	struct sc_table *tr[SC_TUNE_MAXFOLDS], *va[SC_TUNE_MAXFOLDS];
	struct sc_forest_binned *bin[SC_TUNE_MAXFOLDS];
	double *pred;
};

static void
ftabs_free(struct ftabs *F)
{
	int i;

	for (i = 0; i < F->k; i++) {
		sc_forest_binned_free(F->bin[i]);
		sc_table_free(F->tr[i]);
		sc_table_free(F->va[i]);
	}
	free(F->pred);
}

static int
ftabs_make(struct ftabs *F, const struct sc_table *t,
    const struct sc_tune_opts *o, struct sc_err *e)
{
	struct sc_tune_folds *f;
	const size_t *tr, *va;
	size_t ntr, nva, most = 0;
	int i;

	memset(F, 0, sizeof(*F));
	if ((f = sc_tune_folds_make(t, o->folds, o->gap, e)) == NULL)
		return -1;
	F->k = f->k;
	for (i = 0; i < f->k; i++) {
		sc_tune_folds_get(f, i, &tr, &ntr, &va, &nva);
		if ((F->tr[i] = sc_table_subset(t, tr, ntr, e)) == NULL ||
		    (F->va[i] = sc_table_subset(t, va, nva, e)) == NULL ||
		    (ntr >= 2 &&
		        (F->bin[i] = sc_forest_bin(F->tr[i], NULL, ntr,
		             o->base.threads, e)) == NULL))
			break;
		most = nva > most ? nva : most;
	}
	sc_tune_folds_free(f);
	if (i < F->k ||
	    (F->pred = malloc((most + 1) * sizeof(double))) == NULL) {
		if (i == F->k)
			sc_err_set(e, SC_EOS, 0, "out of memory");
		return -1;
	}
	return 0;
}

/* Fit p on fold i and return the validation RMSE in *rmse. */
static int
fold_rmse(struct ftabs *F, int i, const struct sc_forest_params *p,
    double *rmse, struct sc_err *e)
{
	struct sc_forest *f;
	const double *y = sc_table_y(F->va[i]);
	size_t r, n = sc_table_nrows(F->va[i]);
	double sse = 0, d;

	/* Means alone: no out-of-bag estimate, no ranks of every row. */
	if ((f = F->bin[i] != NULL
	            ? sc_forest_fit_binned(p, F->bin[i], 1, e)
	            : sc_forest_fit_rows(p, F->tr[i], NULL,
	                  sc_table_nrows(F->tr[i]), 1, e)) == NULL)
		return -1;
	if (sc_forest_predict_table(f, F->va[i], NULL, 0, p->threads, F->pred,
	        NULL, NULL, e) == -1) {
		sc_forest_free(f);
		return -1;
	}
	sc_forest_free(f);
	for (r = 0; r < n; r++) {
		d = F->pred[r] - y[r];
		sse += d * d;
	}
	*rmse = sqrt(sse / (double)n);
	return 0;
}

/*
 * Run trial tr (number and x set) fold by fold.  Returns 1 when done, 0
 * when the deadline passed first (the trial is dropped), -1 on error.
 */
static int
run_trial(struct sc_tune *r, struct ftabs *F, const struct sc_tune_space *s,
    const struct sc_tune_opts *o, struct sc_tune_trial *tr, double deadline,
    struct sc_err *e)
{
	struct sc_forest_params p;
	double t0 = now(), sum = 0;
	int i;

	if (sc_tune_apply(s, tr->x, &o->base, &p, e) == -1)
		return -1;
	p.seed = o->seed;
	tr->state = SC_TUNE_COMPLETE;
	for (i = 0; i < F->k; i++) {
		if (deadline > 0 && now() > deadline && r->best >= 0)
			return 0;
		if (fold_rmse(F, i, &p, &tr->fold[i], e) == -1) {
			sc_err_prefix(e, "trial %ld, fold %d", tr->number, i);
			return -1;
		}
		sum += tr->fold[i];
		tr->nfolds = i + 1;
		tr->value = sum / (i + 1);
		if (o->prune && i + 1 < F->k &&
		    sc_tune_prune(r->t, r->n, i, tr->value)) {
			tr->state = SC_TUNE_PRUNED;
			break;
		}
	}
	tr->duration = now() - t0;
	return 1;
}

struct sc_tune *
sc_tune_run(const struct sc_table *t, const struct sc_tune_space *s,
    const struct sc_tune_opts *o, sc_tune_cb *cb, void *arg, struct sc_err *e)
{
	struct sc_tune *r = calloc(1, sizeof(*r));
	struct sc_tune_trial tr;
	struct ftabs F;
	double t0 = now(), deadline = o->timeout > 0 ? t0 + o->timeout : 0;
	long k;
	int rc = 0;

	if (r == NULL) {
		sc_err_set(e, SC_EOS, 0, "out of memory");
		return NULL;
	}
	r->best = -1;
	if (ftabs_make(&F, t, o, e) == -1) {
		ftabs_free(&F);
		sc_tune_free(r);
		return NULL;
	}
	for (k = o->shard; k < o->trials; k += o->nshard) {
		memset(&tr, 0, sizeof(tr));
		tr.number = k;
		sc_tpe_sample(s, o->sampler, o->seed, k, r->t, r->n, tr.x);
		if ((rc = run_trial(r, &F, s, o, &tr, deadline, e)) != 1)
			break;
		if (add_trial(r, &tr) == -1) {
			rc = sc_err_set(e, SC_EOS, 0, "out of memory");
			break;
		}
		r->elapsed = now() - t0;
		if (cb != NULL)
			cb(r, &tr, arg);
		if (deadline > 0 && now() > deadline &&
		    k + o->nshard < o->trials) {
			r->timed_out = 1;
			break;
		}
	}
	r->timed_out |= rc == 0;
	r->elapsed = now() - t0;
	ftabs_free(&F);
	if (rc == -1) {
		sc_tune_free(r);
		return NULL;
	}
	return r;
}

void
sc_tune_free(struct sc_tune *r)
{
	if (r == NULL)
		return;
	free(r->t);
	free(r);
}

size_t
sc_tune_ntrials(const struct sc_tune *r)
{
	return r->n;
}

const struct sc_tune_trial *
sc_tune_trial(const struct sc_tune *r, size_t i)
{
	return i < r->n ? &r->t[i] : NULL;
}

const struct sc_tune_trial *
sc_tune_best(const struct sc_tune *r)
{
	return r->best >= 0 ? &r->t[r->best] : NULL;
}

int
sc_tune_timed_out(const struct sc_tune *r)
{
	return r->timed_out;
}

double
sc_tune_elapsed(const struct sc_tune *r)
{
	return r->elapsed;
}
