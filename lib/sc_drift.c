/* SPDX-License-Identifier: ISC */
/*
 * Drift statistics and their calibration on reference chunks.  Every
 * statistic works on sorted samples: KS and Wasserstein-1 walk the two
 * empirical distribution functions together in one merge, PSI counts by
 * binary search over at most 99 bin edges.  The reference is sorted once
 * per feature; each chunk (a slice of the reference the size of the
 * current sample) is gathered and sorted, so the cost is O(n log n) per
 * feature whatever the number of chunks.  Chunks follow dates when both
 * tables have a date column, because the current rows are "every ticker
 * over the last D dates" and a chunk must look like that to be a fair
 * yardstick; otherwise they are runs of consecutive rows.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sc_date.h"
#include "sc_drift.h"
#include "sc_metrics.h"
#include "sc_num.h"

static const char *const method_names[SC_DRIFT_NMETHODS] = { "psi", "ks",
	"wasserstein" };

struct feat {
	double value[SC_DRIFT_NMETHODS];
	double threshold[SC_DRIFT_NMETHODS];
	int drifted;
};

struct sc_drift {
	const struct sc_table *ref; /* borrowed, for the names */
	size_t nf, nref, ncur;
	size_t chunk_size, nchunks;
	int by_date, bins;
	char ref_from[16], ref_to[16], cur_from[16], cur_to[16];
	char model[SC_DRIFT_MODEL_MAX + 1], trained_from[16], trained_to[16];
	size_t ndrifted;
	struct feat *f;
};

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

double
sc_drift_ks(const double *a, size_t n, const double *b, size_t m)
{
	size_t i = 0, j = 0;
	double d = 0, x, diff;

	while (i < n && j < m) {
		x = a[i] < b[j] ? a[i] : b[j];
		while (i < n && a[i] == x)
			i++;
		while (j < m && b[j] == x)
			j++;
		diff = fabs((double)i / (double)n - (double)j / (double)m);
		if (diff > d)
			d = diff;
	}
	/* One sample is used up: the other's CDF climbs to 1 from here. */
	diff = fabs((double)i / (double)n - (double)j / (double)m);
	return diff > d ? diff : d;
}

double
sc_drift_wasserstein(const double *a, size_t n, const double *b, size_t m)
{
	size_t i = 0, j = 0;
	double w = 0, x, next;

	/* The area between the two step functions, one step at a time. */
	while (i < n || j < m) {
		if (i < n && (j == m || a[i] <= b[j]))
			x = a[i];
		else
			x = b[j];
		while (i < n && a[i] == x)
			i++;
		while (j < m && b[j] == x)
			j++;
		if (i == n && j == m)
			break;
		if (i < n && (j == m || a[i] <= b[j]))
			next = a[i];
		else
			next = b[j];
		w += fabs((double)i / (double)n - (double)j / (double)m) *
		    (next - x);
	}
	return w;
}

/* Bin edges at a's quantiles, ascending, duplicates removed; the count. */
static size_t
edges_of(const double *a, size_t n, int bins, double *edge)
{
	size_t k, ne = 0;
	double v;

	for (k = 1; k < (size_t)bins; k++) {
		v = a[k * n / (size_t)bins];
		if (ne == 0 || v > edge[ne - 1])
			edge[ne++] = v;
	}
	return ne;
}

/* The bin of x: the number of edges below it ((e[k-1], e[k]] is bin k). */
static size_t
bin_of(const double *edge, size_t ne, double x)
{
	size_t lo = 0, hi = ne, mid;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (edge[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static double
share(size_t count, size_t n)
{
	double p = (double)count / (double)n;

	return p < SC_DRIFT_EPSILON ? SC_DRIFT_EPSILON : p;
}

/* PSI of b against reference shares pa over the bins of edge. */
static double
psi_edges(const double *edge, size_t ne, const double *pa, const double *b,
    size_t m)
{
	size_t cnt[100] = { 0 }, k, i;
	double psi = 0, pb;

	for (i = 0; i < m; i++)
		cnt[bin_of(edge, ne, b[i])]++;
	for (k = 0; k <= ne; k++) {
		pb = share(cnt[k], m);
		psi += (pb - pa[k]) * log(pb / pa[k]);
	}
	return psi;
}

/* Reference shares per bin into pa (ne + 1 of them). */
static void
ref_shares(const double *edge, size_t ne, const double *a, size_t n, double *pa)
{
	size_t cnt[100] = { 0 }, k, i;

	for (i = 0; i < n; i++)
		cnt[bin_of(edge, ne, a[i])]++;
	for (k = 0; k <= ne; k++)
		pa[k] = share(cnt[k], n);
}

double
sc_drift_psi(const double *a, size_t n, const double *b, size_t m, int bins)
{
	double edge[99], pa[100];
	size_t ne;

	if (bins < 2 || bins > 100)
		bins = SC_DRIFT_BINS;
	ne = edges_of(a, n, bins, edge);
	ref_shares(edge, ne, a, n, pa);
	return psi_edges(edge, ne, pa, b, m);
}

/* Sample standard deviation (divisor n - 1); NaN below 2 values. */
static double
stdev(const double *x, size_t n)
{
	double mean = 0, ss = 0;
	size_t i;

	if (n < 2)
		return NAN;
	for (i = 0; i < n; i++)
		mean += x[i];
	mean /= (double)n;
	for (i = 0; i < n; i++)
		ss += (x[i] - mean) * (x[i] - mean);
	return sqrt(ss / (double)(n - 1));
}

/* The number of a[0..n) below x (strict) or at most x. */
static size_t
count_below(const double *a, size_t n, double x, int or_equal)
{
	size_t lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (a[mid] < x || (or_equal && a[mid] == x))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

double
sc_drift_ks_fast(const double *a, size_t n, const double *b, size_t m)
{
	size_t k = 0, k2;
	double d = (double)count_below(a, n, b[0], 0) / (double)n, c, fa;

	/*
	 * Between two distinct values of b, F_b is a constant c and F_a
	 * climbs: the gap is largest at one end, F_a(b_k) or F_a just
	 * below the next value.
	 */
	while (k < m) {
		for (k2 = k; k2 < m && b[k2] == b[k]; k2++)
			;
		c = (double)k2 / (double)m;
		fa = (double)count_below(a, n, b[k], 1) / (double)n;
		d = fmax(d, fabs(fa - c));
		fa = k2 < m ? (double)count_below(a, n, b[k2], 0) / (double)n
		            : 1;
		d = fmax(d, fabs(fa - c));
		k = k2;
	}
	return d;
}

/* The integral of F_a over [l, r), from the prefix sums cum of a. */
static long double
integral(const double *a, const long double *cum, size_t n, double l, double r)
{
	size_t i, j;

	if (!(l < r))
		return 0;
	i = count_below(a, n, l, 1);
	j = count_below(a, n, r, 0);
	if (j < i)
		j = i;
	return ((long double)i * ((long double)r - l) +
	           (long double)(j - i) * r - (cum[j] - cum[i])) /
	    (long double)n;
}

/* The integral of |F_a - c| over [l, r), c = k / m. */
static long double
area(const double *a, const long double *cum, size_t n, double l, double r,
    size_t k, size_t m)
{
	/* F_a(x) >= c from x = a[q - 1] on, q the least count >= c n. */
	size_t q = (k * n + m - 1) / m;
	long double c = (long double)k / (long double)m;
	double s = q == 0 ? l : a[q - 1];

	s = s < l ? l : s > r ? r : s;
	return c * ((long double)s - l) - integral(a, cum, n, l, s) +
	    integral(a, cum, n, s, r) - c * ((long double)r - s);
}

double
sc_drift_wasserstein_fast(const double *a, const long double *cum, size_t n,
    const double *b, size_t m)
{
	size_t k = 0, k2;
	long double w;
	double last = fmax(a[n - 1], b[m - 1]);

	w = integral(a, cum, n, fmin(a[0], b[0]), b[0]);
	while (k < m) {
		for (k2 = k; k2 < m && b[k2] == b[k]; k2++)
			;
		w += area(a, cum, n, b[k], k2 < m ? b[k2] : last, k2, m);
		k = k2;
	}
	return (double)w;
}

/* The three statistics of sorted b against sorted a; W over sd. */
static void
stats(const double *a, const long double *cum, size_t n, double sd,
    const double *edge, size_t ne, const double *pa, const double *b, size_t m,
    double *out)
{
	out[SC_DRIFT_PSI] = psi_edges(edge, ne, pa, b, m);
	out[SC_DRIFT_KS] = sc_drift_ks_fast(a, n, b, m);
	out[SC_DRIFT_WASSERSTEIN] = sd > 0 && isfinite(sd)
	    ? sc_drift_wasserstein_fast(a, cum, n, b, m) / sd
	    : NAN;
}

/*
 * Chunk of every reference row (SIZE_MAX: left out) into chunk[]; sets
 * d->chunk_size and d->nchunks.  Chunks end at the newest row, so the
 * partial chunk left over holds the oldest dates (or rows).
 */
static int
make_chunks(struct sc_drift *d, const struct sc_table *ref,
    const struct sc_table *cur, size_t *chunk, struct sc_err *e)
{
	const char **u = NULL, **found;
	size_t i, nu = 0, ncd = 0, off;

	d->by_date =
	    sc_table_date(ref, 0) != NULL && sc_table_date(cur, 0) != NULL;
	if (!d->by_date) {
		d->chunk_size = d->ncur;
		d->nchunks = d->nref / d->ncur;
		off = d->nref % d->ncur;
		for (i = 0; i < d->nref; i++)
			chunk[i] = i < off ? SIZE_MAX : (i - off) / d->ncur;
		return 0;
	}
	if ((u = malloc(
	         (d->nref > d->ncur ? d->nref : d->ncur) * sizeof(*u))) == NULL)
		return sc_err_set(e, SC_EOS, 0, "out of memory");
	for (i = 0; i < d->ncur; i++)
		u[i] = sc_table_date(cur, i);
	qsort(u, d->ncur, sizeof(*u), cmp_str);
	for (i = 0; i < d->ncur; i++)
		if (i == 0 || strcmp(u[i - 1], u[i]) != 0)
			ncd++;
	for (i = 0; i < d->nref; i++)
		u[i] = sc_table_date(ref, i);
	qsort(u, d->nref, sizeof(*u), cmp_str);
	for (i = 0; i < d->nref; i++)
		if (nu == 0 || strcmp(u[nu - 1], u[i]) != 0)
			u[nu++] = u[i];
	d->chunk_size = ncd;
	d->nchunks = nu / ncd;
	off = nu % ncd;
	for (i = 0; i < d->nref; i++) {
		const char *key = sc_table_date(ref, i);
		size_t k;

		found = bsearch(&key, u, nu, sizeof(*u), cmp_str);
		k = (size_t)(found - u);
		chunk[i] = k < off ? SIZE_MAX : (k - off) / ncd;
	}
	free(u);
	return 0;
}

/* Row indices of the reference grouped by chunk: start[c]..start[c+1]. */
static int
group_rows(const size_t *chunk, size_t n, size_t nchunks, size_t **rows,
    size_t **start, struct sc_err *e)
{
	size_t i, c, *fill;

	*rows = malloc((n ? n : 1) * sizeof(**rows));
	*start = calloc(nchunks + 1, sizeof(**start));
	fill = calloc(nchunks + 1, sizeof(*fill));
	if (*rows == NULL || *start == NULL || fill == NULL) {
		free(fill);
		return sc_err_set(e, SC_EOS, 0, "out of memory");
	}
	for (i = 0; i < n; i++)
		if (chunk[i] != SIZE_MAX)
			(*start)[chunk[i] + 1]++;
	for (c = 0; c < nchunks; c++)
		(*start)[c + 1] += (*start)[c];
	for (i = 0; i < n; i++)
		if (chunk[i] != SIZE_MAX)
			(*rows)[(*start)[chunk[i]] + fill[chunk[i]]++] = i;
	free(fill);
	return 0;
}

struct work {
	double *a, *b, *c, *cs; /* reference, current, chunk, chunk stats */
	long double *cum;       /* prefix sums of a: cum[i] = a[0] + ... */
	size_t *rows, *start;
	double edge[99], pa[100];
};

/* mean + SIGMAS * sd of the finite values among x[0..n). */
static double
threshold_of(double *x, size_t n)
{
	size_t i, k = 0;
	double mean = 0, sd;

	for (i = 0; i < n; i++)
		if (isfinite(x[i]))
			x[k++] = x[i];
	if (k == 0)
		return NAN;
	for (i = 0; i < k; i++)
		mean += x[i];
	mean /= (double)k;
	sd = k > 1 ? stdev(x, k) : 0;
	return mean + SC_DRIFT_SIGMAS * sd;
}

static void
feature(struct sc_drift *d, struct work *w, const double *rcol,
    const double *ccol, struct feat *f)
{
	size_t ne, c, i, len, mth, votes = 0;
	double sd, st[SC_DRIFT_NMETHODS];

	memcpy(w->a, rcol, d->nref * sizeof(double));
	qsort(w->a, d->nref, sizeof(double), cmp_double);
	memcpy(w->b, ccol, d->ncur * sizeof(double));
	qsort(w->b, d->ncur, sizeof(double), cmp_double);
	sd = stdev(rcol, d->nref);
	w->cum[0] = 0;
	for (i = 0; i < d->nref; i++)
		w->cum[i + 1] = w->cum[i] + w->a[i];
	ne = edges_of(w->a, d->nref, d->bins, w->edge);
	ref_shares(w->edge, ne, w->a, d->nref, w->pa);
	stats(w->a, w->cum, d->nref, sd, w->edge, ne, w->pa, w->b, d->ncur,
	    f->value);
	for (c = 0; c < d->nchunks; c++) {
		len = w->start[c + 1] - w->start[c];
		for (i = 0; i < len; i++)
			w->c[i] = rcol[w->rows[w->start[c] + i]];
		qsort(w->c, len, sizeof(double), cmp_double);
		stats(w->a, w->cum, d->nref, sd, w->edge, ne, w->pa, w->c, len,
		    st);
		for (mth = 0; mth < SC_DRIFT_NMETHODS; mth++)
			w->cs[mth * d->nchunks + c] = st[mth];
	}
	for (mth = 0; mth < SC_DRIFT_NMETHODS; mth++) {
		f->threshold[mth] =
		    threshold_of(w->cs + mth * d->nchunks, d->nchunks);
		if (f->value[mth] > f->threshold[mth])
			votes++;
	}
	f->drifted = votes >= 2;
}

static void
label_dates(const struct sc_table *t, char *from, char *to)
{
	const char *a, *b;

	sc_table_dates(t, &a, &b);
	snprintf(from, 16, "%s", a ? a : "");
	snprintf(to, 16, "%s", b ? b : "");
}

/* A YYYY-MM-DD date or NULL into out (16 bytes); -1 when not a date. */
static int
copy_date(char *out, const char *s, const char *what, struct sc_err *e)
{
	long days;

	if (s == NULL)
		return 0;
	if (strlen(s) != 10 || sc_date_parse(s, 10, &days) == -1)
		return sc_err_set(e, SC_EUSAGE, 0, "%s: want a date YYYY-MM-DD",
		    what);
	memcpy(out, s, 11);
	return 0;
}

/* The reference's model label and training dates, checked. */
static int
check_labels(struct sc_drift *d, const struct sc_drift_opts *o,
    struct sc_err *e)
{
	const char *s;

	if (o->model != NULL) {
		if (*o->model == '\0' || strlen(o->model) > SC_DRIFT_MODEL_MAX)
			return sc_err_set(e, SC_EUSAGE, 0,
			    "model: want 1 to %d characters",
			    SC_DRIFT_MODEL_MAX);
		for (s = o->model; *s != '\0'; s++)
			if (*s < 0x20 || *s > 0x7e)
				return sc_err_set(e, SC_EUSAGE, 0,
				    "model: want printable ASCII");
		memcpy(d->model, o->model, strlen(o->model) + 1);
	}
	if (copy_date(d->trained_from, o->trained_from, "trained-from", e) ==
	        -1 ||
	    copy_date(d->trained_to, o->trained_to, "trained-to", e) == -1)
		return -1;
	if (*d->trained_from != '\0' && *d->trained_to != '\0' &&
	    strcmp(d->trained_from, d->trained_to) > 0)
		return sc_err_set(e, SC_EUSAGE, 0,
		    "trained-from %s is after trained-to %s", d->trained_from,
		    d->trained_to);
	return 0;
}

static int
check_inputs(struct sc_drift *d, const struct sc_table *ref,
    const struct sc_table *cur, const struct sc_drift_opts *o, struct sc_err *e)
{
	d->bins = o != NULL && o->bins != 0 ? o->bins : SC_DRIFT_BINS;
	if (d->bins < 2 || d->bins > 100)
		return sc_err_set(e, SC_EUSAGE, 0, "bins %d: want 2..100",
		    d->bins);
	if (o != NULL && check_labels(d, o, e) == -1)
		return -1;
	if (d->ncur == 0)
		return sc_err_set(e, SC_EDATA, 0, "current rows: none");
	if (d->nref < 2)
		return sc_err_set(e, SC_EDATA, 0,
		    "reference rows: fewer than 2");
	if ((sc_table_date(ref, 0) == NULL) != (sc_table_date(cur, 0) == NULL))
		return sc_err_set(e, SC_EDATA, 0,
		    "one table has a date column and the other not");
	return 0;
}

static void
free_work(struct work *w)
{
	free(w->a);
	free(w->b);
	free(w->c);
	free(w->cs);
	free(w->cum);
	free(w->rows);
	free(w->start);
}

static int
compute(struct sc_drift *d, const struct sc_table *ref,
    const struct sc_table *cur, struct sc_err *e)
{
	struct work w = { 0 };
	size_t *map = NULL, *chunk = NULL, j;
	int rc = -1;

	if ((map = malloc(d->nf * sizeof(*map))) == NULL ||
	    (chunk = malloc(d->nref * sizeof(*chunk))) == NULL) {
		sc_err_set(e, SC_EOS, 0, "out of memory");
		goto out;
	}
	if (sc_table_map(cur, sc_table_features(ref), d->nf, map, e) == -1) {
		char why[sizeof(e->msg)];

		snprintf(why, sizeof(why), "%s", e->msg);
		sc_err_set(e, SC_EDATA, 0, "current rows: %s", why);
		goto out;
	}
	if (make_chunks(d, ref, cur, chunk, e) == -1)
		goto out;
	if (d->nchunks < SC_DRIFT_MIN_CHUNKS) {
		sc_err_set(e, SC_EDATA, 0,
		    "reference rows: %zu chunk(s) of %zu %s (the current "
		    "sample's size), at least %d needed to calibrate",
		    d->nchunks, d->chunk_size, d->by_date ? "dates" : "rows",
		    SC_DRIFT_MIN_CHUNKS);
		goto out;
	}
	if (group_rows(chunk, d->nref, d->nchunks, &w.rows, &w.start, e) == -1)
		goto out;
	w.a = malloc(d->nref * sizeof(double));
	w.b = malloc(d->ncur * sizeof(double));
	w.c = malloc(d->nref * sizeof(double));
	w.cs = malloc(SC_DRIFT_NMETHODS * d->nchunks * sizeof(double));
	w.cum = malloc((d->nref + 1) * sizeof(long double));
	d->f = calloc(d->nf ? d->nf : 1, sizeof(*d->f));
	if (w.a == NULL || w.b == NULL || w.c == NULL || w.cs == NULL ||
	    w.cum == NULL || d->f == NULL) {
		sc_err_set(e, SC_EOS, 0, "out of memory");
		goto out;
	}
	for (j = 0; j < d->nf; j++) {
		feature(d, &w, sc_table_column(ref, j),
		    sc_table_column(cur, map[j]), &d->f[j]);
		d->ndrifted += d->f[j].drifted != 0;
	}
	rc = 0;
out:
	free_work(&w);
	free(map);
	free(chunk);
	return rc;
}

struct sc_drift *
sc_drift_compute(const struct sc_table *ref, const struct sc_table *cur,
    const struct sc_drift_opts *opts, struct sc_err *e)
{
	struct sc_drift *d = calloc(1, sizeof(*d));

	if (d == NULL) {
		sc_err_set(e, SC_EOS, 0, "out of memory");
		return NULL;
	}
	d->ref = ref;
	d->nf = sc_table_nfeatures(ref);
	d->nref = sc_table_nrows(ref);
	d->ncur = sc_table_nrows(cur);
	if (check_inputs(d, ref, cur, opts, e) == -1 ||
	    compute(d, ref, cur, e) == -1) {
		sc_drift_free(d);
		return NULL;
	}
	label_dates(ref, d->ref_from, d->ref_to);
	label_dates(cur, d->cur_from, d->cur_to);
	return d;
}

void
sc_drift_free(struct sc_drift *d)
{
	if (d == NULL)
		return;
	free(d->f);
	free(d);
}

size_t
sc_drift_nfeatures(const struct sc_drift *d)
{
	return d->nf;
}

const char *
sc_drift_feature(const struct sc_drift *d, size_t j)
{
	return sc_table_feature(d->ref, j);
}

double
sc_drift_value(const struct sc_drift *d, size_t j, enum sc_drift_method m)
{
	return d->f[j].value[m];
}

double
sc_drift_threshold(const struct sc_drift *d, size_t j, enum sc_drift_method m)
{
	return d->f[j].threshold[m];
}

int
sc_drift_drifted(const struct sc_drift *d, size_t j)
{
	return d->f[j].drifted;
}

double
sc_drift_share(const struct sc_drift *d)
{
	return d->nf ? (double)d->ndrifted / (double)d->nf : 0;
}

static void
put_num(FILE *fp, double v)
{
	char buf[SC_NUM_BUFSZ];

	fputs(isfinite(v) ? sc_num_fmt(v, buf) : "null", fp);
}

static void
put_date(FILE *fp, const char *key, const char *v)
{
	fprintf(fp, "\"%s\": ", key);
	if (*v == '\0')
		fputs("null", fp);
	else
		sc_metrics_json_str(fp, v);
	fputs(", ", fp);
}

static void
put_feature(FILE *fp, const struct sc_drift *d, size_t j)
{
	const struct feat *f = &d->f[j];
	int m;

	sc_metrics_json_str(fp, sc_drift_feature(d, j));
	fprintf(fp, ": {\"drifted\": %s", f->drifted ? "true" : "false");
	for (m = 0; m < SC_DRIFT_NMETHODS; m++) {
		fprintf(fp, ", \"%s\": {\"value\": ", method_names[m]);
		put_num(fp, f->value[m]);
		fputs(", \"threshold\": ", fp);
		put_num(fp, f->threshold[m]);
		fprintf(fp, ", \"drifted\": %s}",
		    f->value[m] > f->threshold[m] ? "true" : "false");
	}
	putc('}', fp);
}

int
sc_drift_write(const struct sc_drift *d, FILE *fp, struct sc_err *e)
{
	size_t j;

	fputs("{", fp);
	put_date(fp, "model", d->model);
	put_date(fp, "trained_from", d->trained_from);
	put_date(fp, "trained_to", d->trained_to);
	fprintf(fp, "\"n_reference\": %zu, \"n_current\": %zu, ", d->nref,
	    d->ncur);
	put_date(fp, "reference_from", d->ref_from);
	put_date(fp, "reference_to", d->ref_to);
	put_date(fp, "current_from", d->cur_from);
	put_date(fp, "current_to", d->cur_to);
	fprintf(fp,
	    "\"chunk_unit\": \"%s\", \"chunk_size\": %zu, \"chunks\": %zu, "
	    "\"bins\": %d, \"epsilon\": ",
	    d->by_date ? "dates" : "rows", d->chunk_size, d->nchunks, d->bins);
	put_num(fp, SC_DRIFT_EPSILON);
	fputs(", \"sigmas\": ", fp);
	put_num(fp, SC_DRIFT_SIGMAS);
	fprintf(fp,
	    ", \"n_features\": %zu, \"drifted\": %zu, \"drift_share\": ", d->nf,
	    d->ndrifted);
	put_num(fp, sc_drift_share(d));
	fputs(", \"features\": {", fp);
	for (j = 0; j < d->nf; j++) {
		fputs(j ? ",\n  " : "\n  ", fp);
		put_feature(fp, d, j);
	}
	fputs(d->nf ? "\n}}\n" : "}}\n", fp);
	if (ferror(fp))
		return sc_err_errno(e, SC_EIO, errno, "write");
	return 0;
}

static void
text_num(FILE *fp, double v, double thr)
{
	if (isfinite(v))
		fprintf(fp, " %7.4f%c", v, v > thr ? '*' : ' ');
	else
		fprintf(fp, " %7s ", "-");
	if (isfinite(thr))
		fprintf(fp, " %7.4f", thr);
	else
		fprintf(fp, " %7s", "-");
}

int
sc_drift_write_text(const struct sc_drift *d, FILE *fp, struct sc_err *e)
{
	size_t j;
	int m;

	fprintf(fp, "%-20s %8s %7s %8s %7s %8s %7s  %s\n", "feature", "psi",
	    "limit", "ks", "limit", "w1/sd", "limit", "drifted");
	for (j = 0; j < d->nf; j++) {
		fprintf(fp, "%-20.20s", sc_drift_feature(d, j));
		for (m = 0; m < SC_DRIFT_NMETHODS; m++)
			text_num(fp, d->f[j].value[m], d->f[j].threshold[m]);
		fprintf(fp, "  %s\n", d->f[j].drifted ? "yes" : "no");
	}
	fprintf(fp,
	    "%zu of %zu features drifted (share %.3f); %zu reference rows, "
	    "%zu current; %zu chunks of %zu %s\n",
	    d->ndrifted, d->nf, sc_drift_share(d), d->nref, d->ncur, d->nchunks,
	    d->chunk_size, d->by_date ? "dates" : "rows");
	if (*d->model != '\0' || *d->trained_from != '\0' ||
	    *d->trained_to != '\0')
		fprintf(fp, "reference: %s trained %s to %s\n",
		    *d->model ? d->model : "a model",
		    *d->trained_from ? d->trained_from : "?",
		    *d->trained_to ? d->trained_to : "?");
	if (ferror(fp))
		return sc_err_errno(e, SC_EIO, errno, "write");
	return 0;
}
