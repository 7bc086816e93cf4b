/* SPDX-License-Identifier: ISC */
/*
 * Shrinkage against the naive forecast, normalised split-conformal score
 * quantiles and adaptive conformal inference (sc_calib.h).  Cross-fitting
 * keeps the skill honest: lambda is fitted on some folds and judged on
 * another, so a model with nothing to add does not win by fitting noise;
 * the t test on the per-pair gains then asks for a gain larger than luck.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sc_calib.h"

static double
clamp01(double x)
{
	return x < 0 ? 0 : x > 1 ? 1 : x;
}

/* Least-squares slope of r on p through 0, clamped to [0, 1]. */
static double
slope(double spr, double spp)
{
	return spp > 0 ? clamp01(spr / spp) : 0;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

void
sc_calib_none(struct sc_calib *c)
{
	memset(c, 0, sizeof(*c));
	c->gamma = SC_CALIB_GAMMA;
	c->vol_floor = 1;
}

static int
check_pairs(const double *p, const double *r, const double *d,
    const double *scale, const int *fold, size_t n, int folds, struct sc_err *e)
{
	size_t i;

	if (n < 2 || folds < 2)
		return sc_err_set(e, SC_EDATA, 0,
		    "calibration: %zu validation pairs in %d folds: want at "
		    "least 2 of each",
		    n, folds);
	for (i = 0; i < n; i++) {
		if (!isfinite(p[i]) || !isfinite(r[i]) ||
		    (d != NULL && !isfinite(d[i])))
			return sc_err_set(e, SC_EDATA, 0,
			    "calibration: pair %zu: not a finite number", i);
		if (scale != NULL && !(scale[i] > 0 && isfinite(scale[i])))
			return sc_err_set(e, SC_EDATA, 0,
			    "calibration: pair %zu: scale %g is not > 0", i,
			    scale[i]);
		if (fold[i] < 0 || fold[i] >= folds)
			return sc_err_set(e, SC_EDATA, 0,
			    "calibration: pair %zu: fold %d out of 0..%d", i,
			    fold[i], folds - 1);
	}
	return 0;
}

/*
 * The cross-fitted gains over the naive forecast: pair i judged with the
 * slope fitted on the other folds.  Sets c->tstat and c->mse_served (of
 * the cross-fitted forecast); returns the mean gain, or NaN out of memory.
 */
static double
crossfit(struct sc_calib *c, const double *p, const double *r, const int *fold,
    size_t n, int folds)
{
	double *spr = calloc((size_t)folds, sizeof(double));
	double *spp = calloc((size_t)folds, sizeof(double));
	double tpr = 0, tpp = 0, sum = 0, sum2 = 0, sse = 0, g, m, v, u;
	size_t i;

	if (spr == NULL || spp == NULL) {
		free(spr);
		free(spp);
		return NAN;
	}
	for (i = 0; i < n; i++) {
		spr[fold[i]] += p[i] * r[i];
		spp[fold[i]] += p[i] * p[i];
		tpr += p[i] * r[i];
		tpp += p[i] * p[i];
	}
	for (i = 0; i < n; i++) {
		double lam = slope(tpr - spr[fold[i]], tpp - spp[fold[i]]);

		u = r[i] - lam * p[i];
		g = r[i] * r[i] - u * u;
		sse += u * u;
		sum += g;
		sum2 += g * g;
	}
	free(spr);
	free(spp);
	m = sum / (double)n;
	v = (sum2 - (double)n * m * m) / (double)(n - 1);
	c->tstat = v > 0 ? m / sqrt(v / (double)n) : 0;
	c->mse_served = sse / (double)n;
	return m;
}

/*
 * The grid of score quantiles: score[j] is the linearly interpolated
 * (type 7) quantile of the sorted scores s at j / 200, so s[k] is found at
 * k / (n - 1) of the way and order statistics between knots come back
 * closely.
 */
static int
fill_scores(struct sc_calib *c, const double *p, const double *r,
    const double *scale, size_t n)
{
	double *s = malloc(n * sizeof(*s)), h;
	size_t i, j, k;

	if (s == NULL)
		return -1;
	for (i = 0; i < n; i++)
		s[i] = fabs(r[i] - c->lambda * p[i]) /
		    (scale != NULL ? scale[i] : 1);
	qsort(s, n, sizeof(*s), cmp_double);
	for (j = 0; j < SC_CALIB_GRID; j++) {
		h = (double)(n - 1) * (double)j / (SC_CALIB_GRID - 1);
		k = (size_t)h;
		c->score[j] = k + 1 < n
		    ? s[k] + (h - (double)k) * (s[k + 1] - s[k])
		    : s[n - 1];
	}
	c->nscores = n;
	free(s);
	return 0;
}

int
sc_calib_fit(struct sc_calib *c, const double *p, const double *r,
    const double *d, const double *scale, const int *fold, size_t n, int folds,
    struct sc_err *e)
{
	double spr = 0, spp = 0, sn = 0, sm = 0, sd = 0, gain;
	size_t i;

	if (check_pairs(p, r, d, scale, fold, n, folds, e) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		double dd = d != NULL ? d[i] : 0;

		spr += p[i] * r[i];
		spp += p[i] * p[i];
		sn += r[i] * r[i];
		sm += (r[i] - p[i]) * (r[i] - p[i]);
		sd += (r[i] - dd) * (r[i] - dd);
	}
	c->n = n;
	c->folds = folds;
	c->gamma = SC_CALIB_GAMMA;
	c->mse_naive = sn / (double)n;
	c->mse_model = sm / (double)n;
	c->mse_drift = sd / (double)n;
	gain = crossfit(c, p, r, fold, n, folds);
	if (isnan(gain))
		return sc_err_set(e, SC_EOS, 0, "out of memory");
	if (gain > 0 && c->tstat > SC_CALIB_TCRIT && c->mse_naive > 0) {
		c->lambda = slope(spr, spp);
		c->skill = 1 - c->mse_served / c->mse_naive;
	} else {
		c->lambda = 0;
		c->skill = 0;
		c->mse_served = c->mse_naive;
	}
	if (c->lambda == 0)
		c->skill = 0;
	if (fill_scores(c, p, r, scale, n) == -1)
		return sc_err_set(e, SC_EOS, 0, "out of memory");
	return 0;
}

double
sc_calib_floor(const double *vol, size_t n)
{
	double *v = malloc((n + 1) * sizeof(*v)), f;
	size_t i, k = 0;

	if (v == NULL)
		return 1e-12;
	for (i = 0; i < n; i++)
		if (isfinite(vol[i]) && vol[i] > 0)
			v[k++] = vol[i];
	if (k == 0) {
		free(v);
		return 1;
	}
	qsort(v, k, sizeof(*v), cmp_double);
	f = SC_CALIB_FLOOR_SHARE * v[k / 2];
	free(v);
	return f > 1e-12 ? f : 1e-12;
}

double
sc_calib_sigma(const struct sc_calib *c, double vol)
{
	if (c->vol_feature[0] == '\0')
		return 1;
	return isfinite(vol) && vol > c->vol_floor ? vol : c->vol_floor;
}

double
sc_calib_quantile(const struct sc_calib *c, double level)
{
	double k, x, frac;
	size_t j;

	if (c->nscores == 0)
		return NAN;
	k = ceil(((double)c->nscores + 1) * level); /* 1-based rank */
	if (k >= (double)c->nscores || c->nscores == 1)
		return c->score[SC_CALIB_GRID - 1];
	if (k <= 1)
		return c->score[0];
	x = (k - 1) / ((double)c->nscores - 1) * (SC_CALIB_GRID - 1);
	j = (size_t)x;
	frac = x - (double)j;
	if (j + 1 >= SC_CALIB_GRID)
		return c->score[SC_CALIB_GRID - 1];
	return c->score[j] + frac * (c->score[j + 1] - c->score[j]);
}

int
sc_calib_check(const struct sc_calib *c, struct sc_err *e)
{
	const double *v[] = { &c->lambda, &c->skill, &c->tstat, &c->mse_naive,
		&c->mse_model, &c->mse_drift, &c->mse_served, &c->vol_floor,
		&c->gamma };
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		if (!isfinite(*v[i]))
			return sc_err_set(e, SC_EDATA, 0,
			    "calibration: a number is not finite");
	if (c->lambda < 0 || c->lambda > 1)
		return sc_err_set(e, SC_EDATA, 0,
		    "calibration: lambda %g is outside [0, 1]", c->lambda);
	if (!(c->vol_floor > 0))
		return sc_err_set(e, SC_EDATA, 0,
		    "calibration: vol_floor must be > 0");
	if (c->gamma < 0 || c->gamma > 1)
		return sc_err_set(e, SC_EDATA, 0,
		    "calibration: aci gamma %g is outside [0, 1]", c->gamma);
	if (c->mse_naive < 0 || c->mse_model < 0 || c->mse_drift < 0 ||
	    c->mse_served < 0 || c->skill > 1)
		return sc_err_set(e, SC_EDATA, 0,
		    "calibration: a mean squared error is negative");
	if (memchr(c->vol_feature, '\0', sizeof(c->vol_feature)) == NULL)
		return sc_err_set(e, SC_EDATA, 0,
		    "calibration: volatility feature name too long");
	for (i = 0; c->nscores > 0 && i < SC_CALIB_GRID; i++)
		if (!isfinite(c->score[i]) || c->score[i] < 0 ||
		    (i > 0 && c->score[i] < c->score[i - 1]))
			return sc_err_set(e, SC_EDATA, 0,
			    "calibration: score %zu is not a finite number "
			    ">= 0 and >= the one before",
			    i);
	return 0;
}

void
sc_calib_aci_init(struct sc_calib_aci *a, double level, double gamma)
{
	a->target = 1 - level;
	a->alpha = a->target;
	a->gamma = gamma;
}

double
sc_calib_aci_level(const struct sc_calib_aci *a)
{
	return 1 - a->alpha;
}

void
sc_calib_aci_update(struct sc_calib_aci *a, int miss)
{
	a->alpha += a->gamma * (a->target - (miss ? 1 : 0));
	if (a->alpha < SC_CALIB_ALPHA_MIN)
		a->alpha = SC_CALIB_ALPHA_MIN;
	if (a->alpha > SC_CALIB_ALPHA_MAX)
		a->alpha = SC_CALIB_ALPHA_MAX;
}

void
sc_calib_serve(const struct sc_calib *c, double naive, double unit, double pred,
    double vol, double level, double *mean, double *lo, double *hi)
{
	double q, half;

	/* lambda 0 must give the naive forecast bit for bit. */
	*mean = c->lambda > 0 ? naive + c->lambda * (pred - naive) : naive;
	*lo = *hi = NAN;
	if (!(level > 0 && level < 1) || c->nscores == 0)
		return;
	q = sc_calib_quantile(c, level);
	half = q * sc_calib_sigma(c, vol) * unit;
	*lo = *mean - half;
	*hi = *mean + half;
}
