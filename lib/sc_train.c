/* SPDX-License-Identifier: ISC */
/*
 * Fit and calibrate (sc_train.h).  The folds are sc_tune's, so sc-tune's
 * best trial and sc-forest validate the same way; each fold is fitted on
 * its training rows by index (no copy of the table) and predicts its
 * validation rows, and only those out-of-time predictions reach
 * sc_calib_fit().
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sc_train.h"
#include "sc_tune.h"

void
sc_train_defaults(struct sc_train_opts *o)
{
	memset(o, 0, sizeof(*o));
	sc_forest_defaults(&o->forest);
	o->folds = 5;
}

void
sc_train_naive(const char *target, double close, double *naive, double *unit)
{
	if (target != NULL && strcmp(target, "target_close_1") == 0) {
		*naive = close;
		*unit = close;
	} else {
		*naive = 0;
		*unit = 1;
	}
}

int
sc_train_forecasting(const char *target)
{
	return target != NULL &&
	    (strcmp(target, "target_logret_1") == 0 ||
	        strcmp(target, "target_close_1") == 0);
}

double
sc_train_naive_rmse(const struct sc_table *t)
{
	const double *y = sc_table_y(t);
	const char *target = sc_table_target(t);
	double sum = 0, naive, unit, d;
	size_t i, n = 0, rows = sc_table_nrows(t);

	for (i = 0; i < rows; i++) {
		sc_train_naive(target, sc_table_close(t, i), &naive, &unit);
		d = y[i] - naive;
		if (!isfinite(d))
			continue;
		sum += d * d;
		n++;
	}
	return n > 0 ? sqrt(sum / (double)n) : NAN;
}

double
sc_train_naive_cv_rmse(const struct sc_table *t, int folds, int gap,
    struct sc_err *e)
{
	struct sc_tune_folds *F = sc_tune_folds_make(t, folds, gap, e);
	const double *y = sc_table_y(t);
	const char *target = sc_table_target(t);
	const size_t *tr, *va;
	size_t ntr, nva, j;
	double mean = 0, sum, naive, unit, d;
	int i, k;

	if (F == NULL)
		return NAN;
	k = sc_tune_folds_n(F);
	for (i = 0; i < k; i++) {
		sc_tune_folds_get(F, i, &tr, &ntr, &va, &nva);
		for (sum = 0, j = 0; j < nva; j++) {
			sc_train_naive(target, sc_table_close(t, va[j]), &naive,
			    &unit);
			d = y[va[j]] - naive;
			sum += d * d;
		}
		mean += nva > 0 ? sqrt(sum / (double)nva) : 0;
	}
	sc_tune_folds_free(F);
	return k > 0 ? mean / k : NAN;
}

/* The pairs of all folds, in fold order. */
struct pairs {
	double *p, *r, *d, *vol, *scale;
	int *fold;
	size_t n;
};

static void
pairs_free(struct pairs *P)
{
	free(P->p);
	free(P->r);
	free(P->d);
	free(P->vol);
	free(P->scale);
	free(P->fold);
}

/* The mean change over rows tr[0..n) of t: the fold's drift forecast. */
static double
drift(const struct sc_table *t, const size_t *tr, size_t n)
{
	const double *y = sc_table_y(t);
	double s = 0, naive, unit;
	size_t i;

	for (i = 0; i < n; i++) {
		sc_train_naive(sc_table_target(t), sc_table_close(t, tr[i]),
		    &naive, &unit);
		s += y[tr[i]] - naive;
	}
	return n > 0 ? s / (double)n : 0;
}

/* Rows of a validation fold predicted at a time (a small copy each). */
#define VA_CHUNK 65536

/*
 * The forest's mean prediction of rows va[0..nva) of t into out: through
 * small copies of VA_CHUNK rows, so the fold's rows are never copied
 * whole, with the very sums sc_forest_predict_table() makes on a copy.
 */
static int
predict_rows(const struct sc_forest *f, const struct sc_table *t,
    const size_t *va, size_t nva, int threads, double *out, struct sc_err *e)
{
	struct sc_table *c;
	size_t at, m;
	int rc;

	for (at = 0; at < nva; at += m) {
		m = nva - at < VA_CHUNK ? nva - at : VA_CHUNK;
		if ((c = sc_table_subset(t, va + at, m, e)) == NULL)
			return -1;
		rc = sc_forest_predict_table(f, c, NULL, 0, threads, out + at,
		    NULL, NULL, e);
		sc_table_free(c);
		if (rc == -1)
			return -1;
	}
	return 0;
}

/*
 * Fit fold k on its training rows and add its validation pairs to P.  The
 * fold is fitted on rows of t by index (sc_forest_fit_rows), not on a copy,
 * for its mean predictions only (no out-of-bag estimate, which nothing
 * reads).
 */
static int
run_fold(const struct sc_table *t, const struct sc_tune_folds *F, int k,
    const struct sc_forest_params *p, long volcol, struct pairs *P,
    struct sc_err *e)
{
	const size_t *tr, *va;
	size_t ntr, nva, i;
	struct sc_forest *f = NULL;
	const double *y = sc_table_y(t);
	double d, naive, unit;
	int rc = -1;

	sc_tune_folds_get(F, k, &tr, &ntr, &va, &nva);
	if ((f = sc_forest_fit_rows(p, t, tr, ntr, 1, e)) == NULL ||
	    predict_rows(f, t, va, nva, p->threads, P->p + P->n, e) == -1) {
		sc_err_prefix(e, "validation fold %d", k);
		goto out;
	}
	d = drift(t, tr, ntr);
	for (i = 0; i < nva; i++) {
		size_t at = P->n + i;

		sc_train_naive(sc_table_target(t), sc_table_close(t, va[i]),
		    &naive, &unit);
		P->p[at] -= naive;
		P->r[at] = y[va[i]] - naive;
		P->d[at] = d;
		P->vol[at] =
		    volcol >= 0 ? sc_table_column(t, (size_t)volcol)[va[i]] : 1;
		P->scale[at] = unit;
		P->fold[at] = k;
	}
	P->n += nva;
	rc = 0;
out:
	sc_forest_free(f);
	return rc;
}

/* Scale = max(vol, floor) x unit, the floor from the validation rows. */
static int
finish_scales(struct sc_calib *c, struct pairs *P, long volcol,
    struct sc_err *e)
{
	size_t i;

	c->vol_floor = volcol >= 0 ? sc_calib_floor(P->vol, P->n) : 1;
	for (i = 0; i < P->n; i++) {
		P->scale[i] *= sc_calib_sigma(c, P->vol[i]);
		if (!(P->scale[i] > 0) || !isfinite(P->scale[i]))
			return sc_err_set(e, SC_EDATA, 0,
			    "validation row %zu: the naive forecast's scale "
			    "(the close) is not a positive number",
			    i);
	}
	return 0;
}

int
sc_train_calibrate(const struct sc_table *t, const struct sc_forest_params *p,
    int folds, int gap, const char *vol_feature, struct sc_calib *c,
    struct sc_err *e)
{
	struct sc_tune_folds *F;
	struct pairs P = { 0 };
	size_t n = sc_table_nrows(t);
	const char *target = sc_table_target(t);
	long volcol;
	int k, rc = -1;

	sc_calib_none(c);
	if (vol_feature == NULL)
		vol_feature = SC_CALIB_VOL;
	if (strlen(vol_feature) >= SC_CALIB_NAMESZ)
		return sc_err_set(e, SC_EUSAGE, 0,
		    "volatility feature name too long");
	volcol = vol_feature[0] != '\0' ? sc_table_find(t, vol_feature) : -1;
	if (volcol >= 0)
		strcpy(c->vol_feature, vol_feature);
	if (target != NULL && strcmp(target, "target_close_1") == 0 && n > 0 &&
	    isnan(sc_table_close(t, 0)))
		return sc_err_set(e, SC_EDATA, 0,
		    "the close target needs a close column: the naive "
		    "forecast is the close");
	if ((F = sc_tune_folds_make(t, folds, gap, e)) == NULL)
		return -1;
	P.p = malloc((n + 1) * sizeof(double));
	P.r = malloc((n + 1) * sizeof(double));
	P.d = malloc((n + 1) * sizeof(double));
	P.vol = malloc((n + 1) * sizeof(double));
	P.scale = malloc((n + 1) * sizeof(double));
	P.fold = malloc((n + 1) * sizeof(int));
	if (P.p == NULL || P.r == NULL || P.d == NULL || P.vol == NULL ||
	    P.scale == NULL || P.fold == NULL) {
		sc_err_set(e, SC_EOS, 0, "out of memory");
		goto out;
	}
	for (k = 0; k < folds; k++)
		if (run_fold(t, F, k, p, volcol, &P, e) == -1)
			goto out;
	if (finish_scales(c, &P, volcol, e) == -1 ||
	    sc_calib_fit(c, P.p, P.r, P.d, P.scale, P.fold, P.n, folds, e) ==
	        -1)
		goto out;
	rc = 0;
out:
	pairs_free(&P);
	sc_tune_folds_free(F);
	return rc;
}

struct sc_forest *
sc_train(const struct sc_table *t, const struct sc_train_opts *o,
    struct sc_calib *c, struct sc_err *e)
{
	struct sc_forest *f;

	struct sc_tune_folds *F = NULL;
	struct sc_err fe = { 0 };

	if ((f = sc_forest_fit(&o->forest, t, e)) == NULL)
		return NULL;
	if (o->folds > 0 && sc_train_forecasting(sc_table_target(t)) &&
	    (F = sc_tune_folds_make(t, o->folds, o->gap, &fe)) == NULL &&
	    fe.code != SC_EDATA) {
		*e = fe;
		sc_forest_free(f);
		return NULL;
	}
	sc_tune_folds_free(F);
	if (F == NULL) {
		sc_calib_none(c);
		return f;
	}
	if (sc_train_calibrate(t, &o->forest, o->folds, o->gap, o->vol_feature,
	        c, e) == -1) {
		sc_forest_free(f);
		return NULL;
	}
	return f;
}
