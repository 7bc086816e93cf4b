/* SPDX-License-Identifier: ISC */
/*
 * The samplers and the pruner of sc_tune.  TPE follows Optuna's default
 * independent TPESampler (3.x): 10 random start-up trials, then per
 * parameter the finished trials are ranked (complete ones by value, then
 * pruned ones by the last fold reached and their value there), the best
 * gamma(n) = min(ceil(n / 10), 25) form the "below" density l(x) and the
 * rest the "above" density g(x), each a Parzen estimator of truncated
 * Gaussians plus a prior component (the middle of the range, sigma the
 * range, weight 1); 24 candidates are drawn from l and the one with the
 * largest l(x) / g(x) wins.  Bandwidths are the larger gap to a
 * neighbour (endpoints not considered) clipped by the "magic clip" to at
 * least range / min(100, 1 + components); integers are Gaussians
 * integrated over their unit cell, log dimensions live in log space,
 * categories are smoothed histograms.  Every draw of trial k comes from
 * the stream (seed, k), so the sampler is deterministic.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sc_rng.h"
#include "sc_tune.h"

#define STARTUP 10
#define CANDIDATES 24
#define STREAM_SALT 0x7470655f73616d70ULL /* "tpe_samp" */

static double
ndtr(double x)
{
	return 0.5 * erfc(-x / M_SQRT2);
}

/* The standard normal quantile: Acklam's rational fit, one Halley step. */
static double
ndtri(double p)
{
	static const double a[] = { -3.969683028665376e+01,
		2.209460984245205e+02, -2.759285104469687e+02,
		1.383577518672690e+02, -3.066479806614716e+01,
		2.506628277459239e+00 };
	static const double b[] = { -5.447609879822406e+01,
		1.615858368580409e+02, -1.556989798598866e+02,
		6.680131188771972e+01, -1.328068155288572e+01 };
	static const double c[] = { -7.784894002430293e-03,
		-3.223964580411365e-01, -2.400758277161838e+00,
		-2.549732539343734e+00, 4.374664141464968e+00,
		2.938163982698783e+00 };
	static const double d[] = { 7.784695709041462e-03,
		3.224671290700398e-01, 2.445134137142996e+00,
		3.754408661907416e+00 };
	double q, r, x, u;

	if (p <= 0)
		return -HUGE_VAL;
	if (p >= 1)
		return HUGE_VAL;
	if (p < 0.02425 || p > 1 - 0.02425) {
		q = sqrt(-2 * log(p < 0.5 ? p : 1 - p));
		x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) *
		            q +
		        c[5]) /
		    ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
		if (p > 0.5)
			x = -x;
	} else {
		q = p - 0.5;
		r = q * q;
		x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) *
		            r +
		        a[5]) *
		    q /
		    (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) *
		            r +
		        1);
	}
	u = (ndtr(x) - p) * sqrt(2 * M_PI) * exp(x * x / 2);
	return x - u / (1 + x * u / 2);
}

/* The standard normal mass between a and b (a < b), without cancellation. */
static double
mass(double a, double b)
{
	if (b <= 0)
		return ndtr(b) - ndtr(a);
	if (a >= 0)
		return ndtr(-a) - ndtr(-b);
	return 1 - ndtr(a) - ndtr(-b);
}

/* A standard normal draw truncated to [a, b], by the inverse CDF. */
static double
truncnorm(struct sc_rng *r, double a, double b)
{
	double pa, pb, x;

	if (a >= 0)
		return -truncnorm(r, -b, -a);
	pa = ndtr(a);
	pb = ndtr(b);
	x = ndtri(pa + sc_rng_double(r) * (pb - pa));
	return x < a ? a : x > b ? b : x;
}

/* A dimension's Parzen bounds (log space where it is log). */
static void
bounds(const struct sc_tune_dim *d, double *low, double *high)
{
	double lo = d->lo, hi = d->hi;

	if (d->kind == SC_TUNE_INT) {
		lo -= 0.5;
		hi += 0.5;
	}
	*low = d->log ? log(lo) : lo;
	*high = d->log ? log(hi) : hi;
}

/* From the sampling space back to a value of the dimension. */
static double
untransform(const struct sc_tune_dim *d, double s)
{
	double v = d->log ? exp(s) : s;

	if (d->kind == SC_TUNE_INT)
		v = nearbyint(d->log ? v : v - d->lo) + (d->log ? 0 : d->lo);
	return v < d->lo ? d->lo : v > d->hi ? d->hi : v;
}

static double
sample_random(const struct sc_tune_dim *d, struct sc_rng *r)
{
	double low, high;

	if (d->kind == SC_TUNE_CAT)
		return (double)sc_rng_below(r, d->ncat);
	bounds(d, &low, &high);
	return untransform(d, low + sc_rng_double(r) * (high - low));
}

/* A Parzen estimator of one dimension: m observations and the prior. */
struct parzen {
	size_t n;  /* components: observations + prior */
	double *w; /* weights, summing to 1 */
	double *mu, *sigma;
	double *cw; /* categories: n rows of ncat probabilities */
	double low, high;
};

/* Optuna's default_weights: flat for the 25 newest, a ramp before. */
static void
weights(double *w, size_t m)
{
	size_t i, nr = m < 25 ? 0 : m - 25;

	for (i = 0; i < m; i++)
		w[i] = 1;
	for (i = 0; i < nr; i++)
		w[i] = nr == 1 ? 1.0 / (double)m
		               : 1.0 / (double)m +
		        (1 - 1.0 / (double)m) * (double)i / (double)(nr - 1);
}

static int
cmp_dbl_idx(const void *a, const void *b)
{
	const double *x = a, *y = b;

	return x[0] < y[0] ? -1
	    : x[0] > y[0]  ? 1
	                   : (x[1] > y[1]) - (x[1] < y[1]);
}

/* Bandwidths: the larger gap to a neighbour, magic clip, prior's = range. */
static void
bandwidths(struct parzen *P, double *tmp)
{
	size_t i, n = P->n, k;
	double *ep = tmp + 2 * n, range = P->high - P->low, s, lo, minsig;

	for (i = 0; i < n; i++) {
		tmp[2 * i] = P->mu[i];
		tmp[2 * i + 1] = (double)i;
	}
	qsort(tmp, n, 2 * sizeof(double), cmp_dbl_idx);
	ep[0] = P->low;
	for (i = 0; i < n; i++)
		ep[i + 1] = tmp[2 * i];
	ep[n + 1] = P->high;
	minsig = range / (n + 1 < 100 ? (double)(n + 1) : 100.0);
	for (i = 0; i < n; i++) {
		lo = ep[i + 1] - ep[i];
		s = ep[i + 2] - ep[i + 1];
		if (s < lo)
			s = lo;
		if (n >= 2 && i == 0)
			s = ep[2] - ep[1];
		else if (n >= 2 && i == n - 1)
			s = ep[n] - ep[n - 1];
		s = s < minsig ? minsig : s > range ? range : s;
		k = (size_t)tmp[2 * i + 1];
		P->sigma[k] = s;
	}
	P->sigma[n - 1] = range;
}

/* Build the estimator of values v[idx[0..m)] of dimension d. */
static int
parzen_make(struct parzen *P, const struct sc_tune_dim *d,
    const struct sc_tune_trial *h, const size_t *idx, size_t m, int j)
{
	size_t i, c, n = m + 1;
	double sum = 0, *tmp;

	memset(P, 0, sizeof(*P));
	P->n = n;
	P->w = malloc(n * sizeof(double));
	P->mu = malloc(n * sizeof(double));
	P->sigma = malloc(n * sizeof(double));
	P->cw =
	    d->kind == SC_TUNE_CAT ? calloc(n * d->ncat, sizeof(double)) : NULL;
	tmp = malloc((3 * n + 2) * sizeof(double));
	if (P->w == NULL || P->mu == NULL || P->sigma == NULL || tmp == NULL ||
	    (d->kind == SC_TUNE_CAT && P->cw == NULL)) {
		free(tmp);
		return -1;
	}
	weights(P->w, m);
	P->w[m] = 1;
	for (i = 0; i < n; i++)
		sum += P->w[i];
	for (i = 0; i < n; i++)
		P->w[i] /= sum;
	if (d->kind == SC_TUNE_CAT) {
		for (i = 0; i < n; i++) {
			for (c = 0; c < d->ncat; c++)
				P->cw[i * d->ncat + c] = 1.0 / (double)n;
			if (i < m)
				P->cw[i * d->ncat + (size_t)h[idx[i]].x[j]] +=
				    1;
			for (sum = 0, c = 0; c < d->ncat; c++)
				sum += P->cw[i * d->ncat + c];
			for (c = 0; c < d->ncat; c++)
				P->cw[i * d->ncat + c] /= sum;
		}
	} else {
		bounds(d, &P->low, &P->high);
		for (i = 0; i < m; i++)
			P->mu[i] =
			    d->log ? log(h[idx[i]].x[j]) : h[idx[i]].x[j];
		P->mu[m] = 0.5 * (P->low + P->high);
		bandwidths(P, tmp);
	}
	free(tmp);
	return 0;
}

static void
parzen_free(struct parzen *P)
{
	free(P->w);
	free(P->mu);
	free(P->sigma);
	free(P->cw);
}

static size_t
pick(const double *p, size_t n, size_t stride, double u)
{
	size_t i;
	double c = 0;

	for (i = 0; i + 1 < n; i++)
		if ((c += p[i * stride]) > u)
			return i;
	return n - 1;
}

static double
parzen_sample(const struct parzen *P, const struct sc_tune_dim *d,
    struct sc_rng *r)
{
	size_t k = pick(P->w, P->n, 1, sc_rng_double(r));
	double mu, s;

	if (d->kind == SC_TUNE_CAT)
		return (double)pick(P->cw + k * d->ncat, d->ncat, 1,
		    sc_rng_double(r));
	mu = P->mu[k];
	s = P->sigma[k];
	return untransform(d,
	    mu + s * truncnorm(r, (P->low - mu) / s, (P->high - mu) / s));
}

/* log of the estimator's density (integers: mass of the cell) at v. */
static double
parzen_logpdf(const struct parzen *P, const struct sc_tune_dim *d, double v)
{
	size_t k;
	double best = -HUGE_VAL, sum = 0, *lp, x, a, b, mu, s, z;

	if (d->kind == SC_TUNE_CAT) {
		for (k = 0; k < P->n; k++)
			sum += P->w[k] * P->cw[k * d->ncat + (size_t)v];
		return sum > 0 ? log(sum) : -HUGE_VAL;
	}
	if ((lp = malloc(P->n * sizeof(double))) == NULL)
		return NAN;
	x = d->log ? log(v) : v;
	for (k = 0; k < P->n; k++) {
		mu = P->mu[k];
		s = P->sigma[k];
		a = (P->low - mu) / s;
		b = (P->high - mu) / s;
		if (d->kind == SC_TUNE_INT && !d->log) {
			z = mass((fmax(x - 0.5, P->low) - mu) / s,
			    (fmin(x + 0.5, P->high) - mu) / s);
			lp[k] = log(z) - log(mass(a, b));
		} else {
			z = (x - mu) / s;
			lp[k] = -0.5 * z * z - 0.5 * log(2 * M_PI) - log(s) -
			    log(mass(a, b));
		}
		lp[k] += log(P->w[k]);
		if (lp[k] > best)
			best = lp[k];
	}
	for (k = 0; k < P->n && isfinite(best); k++)
		sum += exp(lp[k] - best);
	free(lp);
	return isfinite(best) ? best + log(sum) : best;
}

/* Rank key of a finished trial: complete first, then by last fold. */
static int
cmp_rank(const void *pa, const void *pb)
{
	const double *a = pa, *b = pb;
	int i;

	for (i = 0; i < 3; i++)
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	return 0;
}

/* Split h into the best gamma(n) (below) and the rest, each in order. */
static int
split_trials(const struct sc_tune_trial *h, size_t nh, size_t *below,
    size_t *nb, size_t *above, size_t *na)
{
	double *key = malloc(nh * 3 * sizeof(double));
	char *in = calloc(nh, 1);
	size_t i, g = (nh + 9) / 10;

	if (key == NULL || in == NULL) {
		free(key);
		free(in);
		return -1;
	}
	if (g > 25)
		g = 25;
	for (i = 0; i < nh; i++) {
		key[3 * i] = h[i].state == SC_TUNE_COMPLETE
		    ? -HUGE_VAL
		    : -(double)(h[i].nfolds - 1);
		key[3 * i + 1] = h[i].value;
		key[3 * i + 2] = (double)i;
	}
	qsort(key, nh, 3 * sizeof(double), cmp_rank);
	for (i = 0; i < g; i++)
		in[(size_t)key[3 * i + 2]] = 1;
	*nb = *na = 0;
	for (i = 0; i < nh; i++)
		if (in[i])
			below[(*nb)++] = i;
		else
			above[(*na)++] = i;
	free(key);
	free(in);
	return 0;
}

/* One TPE draw of dimension j; random when memory runs out. */
static double
tpe_dim(const struct sc_tune_space *s, int j, const struct sc_tune_trial *h,
    const size_t *below, size_t nb, const size_t *above, size_t na,
    struct sc_rng *r)
{
	const struct sc_tune_dim *d = &s->d[j];
	struct parzen l, g;
	double best = 0, bs = -HUGE_VAL, c, sc;
	int i;

	if (parzen_make(&l, d, h, below, nb, j) == -1 ||
	    parzen_make(&g, d, h, above, na, j) == -1) {
		parzen_free(&l);
		parzen_free(&g);
		return sample_random(d, r);
	}
	for (i = 0; i < CANDIDATES; i++) {
		c = parzen_sample(&l, d, r);
		sc = parzen_logpdf(&l, d, c) - parzen_logpdf(&g, d, c);
		if (i == 0 || sc > bs) {
			bs = sc;
			best = c;
		}
	}
	parzen_free(&l);
	parzen_free(&g);
	return best;
}

void
sc_tpe_sample(const struct sc_tune_space *s, enum sc_tune_sampler smp,
    uint64_t seed, long number, const struct sc_tune_trial *h, size_t nh,
    double *x)
{
	struct sc_rng r;
	size_t j, nb, na, *below = NULL, *above = NULL;
	int tpe = smp == SC_TUNE_TPE && nh >= STARTUP;

	sc_rng_seed(&r, seed ^ STREAM_SALT, (uint64_t)number);
	if (tpe) {
		below = malloc(nh * sizeof(size_t));
		above = malloc(nh * sizeof(size_t));
		if (below == NULL || above == NULL ||
		    split_trials(h, nh, below, &nb, above, &na) == -1)
			tpe = 0;
	}
	for (j = 0; j < s->n; j++)
		x[j] = tpe ? tpe_dim(s, (int)j, h, below, nb, above, na, &r)
		           : sample_random(&s->d[j], &r);
	free(below);
	free(above);
}

static int
cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int
sc_tune_prune(const struct sc_tune_trial *h, size_t nh, int fold, double value)
{
	double v[256], *p = v, med, sum;
	size_t i, n = 0;
	int k, verdict;

	for (i = 0; i < nh; i++)
		n += h[i].state == SC_TUNE_COMPLETE && h[i].nfolds > fold;
	if (n < 5)
		return 0;
	if (n > 256 && (p = malloc(n * sizeof(double))) == NULL)
		return 0;
	for (i = 0, n = 0; i < nh; i++) {
		if (h[i].state != SC_TUNE_COMPLETE || h[i].nfolds <= fold)
			continue;
		for (sum = 0, k = 0; k <= fold; k++)
			sum += h[i].fold[k];
		p[n++] = sum / (fold + 1);
	}
	qsort(p, n, sizeof(double), cmp_dbl);
	med = n % 2 ? p[n / 2] : 0.5 * (p[n / 2 - 1] + p[n / 2]);
	verdict = value > med;
	if (p != v)
		free(p);
	return verdict;
}
