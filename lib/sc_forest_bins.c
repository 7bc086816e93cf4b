/* SPDX-License-Identifier: ISC */
/*
 * Binning, once per fit: each feature's values are sorted (a radix sort
 * of their bits) and cut into at most 256 bins of about equal row counts;
 * a feature with at most 256 distinct values gets one bin per value, so
 * its splits are exact.  Bins are stored row-major as bytes so that a
 * node's rows bring all their bins in one cache line.  Each bin keeps its
 * smallest and largest training value, from which split thresholds are
 * made.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sc_forest_int.h"

/*
 * Sort n finite doubles: an LSD radix sort on their bits made monotonic,
 * a byte at a time, skipping bytes all keys share.  tmp holds n more.
 */
void
sc_forest_sort_doubles(double *v, uint64_t *tmp, size_t n)
{
	uint64_t *a = (uint64_t *)(void *)v, *b = tmp, *t, k;
	size_t cnt[256], i, sum, c;
	int shift;

	if (n < 2) /* nothing to order; v may be one past an array's end */
		return;
	for (i = 0; i < n; i++)
		a[i] ^= (a[i] >> 63) ? ~0ULL : 1ULL << 63;
	for (shift = 0; shift < 64; shift += 8) {
		memset(cnt, 0, sizeof(cnt));
		for (i = 0; i < n; i++)
			cnt[(a[i] >> shift) & 0xff]++;
		if (cnt[(a[0] >> shift) & 0xff] == n)
			continue;
		for (i = 0, sum = 0; i < 256; i++) {
			c = cnt[i];
			cnt[i] = sum;
			sum += c;
		}
		for (i = 0; i < n; i++)
			b[cnt[(a[i] >> shift) & 0xff]++] = a[i];
		t = a;
		a = b;
		b = t;
	}
	for (i = 0; i < n; i++) {
		k = a[i];
		k ^= (k >> 63) ? 1ULL << 63 : ~0ULL;
		memcpy(&v[i], &k, sizeof(k));
	}
}

/* Choose the bins of feature j and bin its column. */
static void
bin_feature(void *arg, size_t j)
{
	struct bins *B = arg;
	const double *col = sc_table_column(B->t, j);
	double *v, *up = B->upper + j * NBINS, *lo = B->lower + j * NBINS;
	double pad[NBINS];
	size_t n = B->n, i, u = 0, k, nb = 0, a, z;
	uint64_t *tmp = malloc(n * sizeof(*tmp));

	if ((v = malloc(n * sizeof(*v))) == NULL || tmp == NULL) {
		free(v);
		free(tmp);
		B->failed = 1;
		return;
	}
	if (B->rows == NULL)
		memcpy(v, col, n * sizeof(*v));
	else
		for (i = 0; i < n; i++)
			v[i] = col[B->rows[i]];
	sc_forest_sort_doubles(v, tmp, n);
	free(tmp);
	for (i = 0; i < n && u <= NBINS; i++)
		if (i == 0 || v[i] != v[i - 1])
			u++;
	if (u <= NBINS) {
		/* Few distinct values: one bin each, so the bins are exact. */
		for (i = 0; i < n; i++)
			if (i == 0 || v[i] != v[i - 1]) {
				up[nb] = lo[nb] = v[i];
				nb++;
			}
	} else {
		for (k = 1; k <= NBINS; k++) {
			double e = v[k == NBINS ? n - 1 : (k * n) / NBINS - 1];

			if (nb == 0 || e > up[nb - 1])
				up[nb++] = e;
		}
		for (k = 0, i = 0; k < nb; k++) {
			lo[k] = v[i];
			while (i < n && v[i] <= up[k])
				i++;
		}
	}
	free(v);
	B->nb[j] = (int)nb;
	/*
	 * A value's bin is the first whose largest value is >= it: eight
	 * halving steps without branches over the bounds padded to NBINS.
	 */
	for (k = 0; k < NBINS; k++)
		pad[k] = k < nb ? up[k] : INFINITY;
	for (i = 0; i < n; i++) {
		double x = col[B->rows != NULL ? B->rows[i] : i];

		for (a = 0, z = NBINS / 2; z > 0; z /= 2)
			a += pad[a + z - 1] < x ? z : 0;
		B->b[i * B->nf + j] = (uint8_t)a;
	}
}

int
sc_forest_bins_make(struct bins *B, const struct sc_table *t,
    const size_t *rows, size_t n, int threads, struct sc_err *e)
{
	B->n = n;
	B->rows = rows;
	B->nf = sc_table_nfeatures(t);
	B->t = t;
	if ((B->b = malloc(B->n * B->nf + BINS_PAD)) != NULL)
		memset(B->b + B->n * B->nf, 0, BINS_PAD);
	B->nb = calloc(B->nf, sizeof(*B->nb));
	B->upper = malloc(B->nf * NBINS * sizeof(double));
	B->lower = malloc(B->nf * NBINS * sizeof(double));
	if (B->b == NULL || B->nb == NULL || B->upper == NULL ||
	    B->lower == NULL)
		return sc_err_set(e, SC_EOS, 0, "out of memory");
	if (sc_forest_parallel(threads, B->nf, bin_feature, B, e) == -1)
		return -1;
	if (B->failed)
		return sc_err_set(e, SC_EOS, 0, "out of memory");
	return 0;
}

void
sc_forest_bins_free(struct bins *B)
{
	free(B->b);
	free(B->nb);
	free(B->upper);
	free(B->lower);
}

struct sc_forest_binned *
sc_forest_bin(const struct sc_table *t, const size_t *rows, size_t n,
    int threads, struct sc_err *e)
{
	struct sc_forest_binned *b = calloc(1, sizeof(*b));

	if (b == NULL) {
		sc_err_set(e, SC_EOS, 0, "out of memory");
		return NULL;
	}
	if (sc_forest_bins_make(&b->b, t, rows, n, threads, e) == -1) {
		sc_forest_binned_free(b);
		return NULL;
	}
	return b;
}

void
sc_forest_binned_free(struct sc_forest_binned *b)
{
	if (b == NULL)
		return;
	sc_forest_bins_free(&b->b);
	free(b);
}

double
sc_forest_bins_cut(const struct bins *B, int j, int a, int b)
{
	double x = B->upper[j * NBINS + a], y = B->lower[j * NBINS + b];
	double m = x + (y - x) / 2;

	return m >= x && m < y ? m : x;
}
