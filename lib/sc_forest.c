/* SPDX-License-Identifier: ISC */
/*
 * The forest as a model: parameters, prediction, quantiles, and assembly
 * from a model file's parts with full validation.  Growing trees lives in
 * sc_forest_fit.c.  Quantiles pool the rank lists of the leaves a row
 * reaches, each entry weighted 1/(leaf size), and find the weighted
 * quantile by a three-way quickselect: linear in the pooled entries, with
 * no sort, so an interval costs about as much as the tree walks.
 */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sc_forest_int.h"
#include "sc_num.h"

void
sc_forest_defaults(struct sc_forest_params *p)
{
	memset(p, 0, sizeof(*p));
	p->trees = 100;
	p->max_depth = 0;
	p->min_samples_split.kind = SC_SHARE_COUNT;
	p->min_samples_split.value = 2;
	p->min_samples_leaf = 1;
	p->max_features.kind = SC_SHARE_FRAC;
	p->max_features.value = 1.0;
	p->bootstrap = 1;
	p->max_samples.kind = SC_SHARE_FRAC;
	p->max_samples.value = 1.0;
	p->seed = 0;
	p->threads = 0;
}

int
sc_share_parse(const char *s, int names, long min, struct sc_share *out,
    struct sc_err *e)
{
	long n;
	double v;

	if (names && strcmp(s, "sqrt") == 0) {
		out->kind = SC_SHARE_SQRT;
		out->value = 0;
		return 0;
	}
	if (names && strcmp(s, "log2") == 0) {
		out->kind = SC_SHARE_LOG2;
		out->value = 0;
		return 0;
	}
	if (strpbrk(s, ".eE") != NULL) {
		if (sc_num_parse_range(s, 0, 1, &v) == -1 || v <= 0)
			return sc_err_set(e, SC_EUSAGE, 0,
			    "%.40s: want a "
			    "share in (0, 1]%s",
			    s,
			    names ? ", a count, "
			            "sqrt or log2"
			          : " or a count");
		out->kind = SC_SHARE_FRAC;
		out->value = v;
		return 0;
	}
	if (sc_num_parse_long(s, min, 1000000000L, &n) == -1)
		return sc_err_set(e, SC_EUSAGE, 0,
		    "%.40s: want a count >= %ld "
		    "or a share in (0, 1]%s",
		    s, min, names ? ", sqrt or log2" : "");
	out->kind = SC_SHARE_COUNT;
	out->value = (double)n;
	return 0;
}

static int
check_share(const struct sc_share *s, long min, const char *name,
    struct sc_err *e)
{
	if (s->kind == SC_SHARE_FRAC && !(s->value > 0 && s->value <= 1))
		return sc_err_set(e, SC_EUSAGE, 0, "%s: want a share in (0, 1]",
		    name);
	if (s->kind == SC_SHARE_COUNT &&
	    !(s->value >= min && s->value <= 1e9 &&
	        s->value == floor(s->value)))
		return sc_err_set(e, SC_EUSAGE, 0, "%s: want a count >= %ld",
		    name, min);
	return 0;
}

int
sc_forest_check(const struct sc_forest_params *p, struct sc_err *e)
{
	if (p->trees < 1 || p->trees > 100000)
		return sc_err_set(e, SC_EUSAGE, 0, "trees: want 1..100000");
	if (p->max_depth < 0 || p->max_depth > 100000)
		return sc_err_set(e, SC_EUSAGE, 0,
		    "max_depth: want 0 (no limit) or 1..100000");
	if (p->min_samples_leaf < 1 || p->min_samples_leaf > 1000000000L)
		return sc_err_set(e, SC_EUSAGE, 0,
		    "min_samples_leaf: want a count >= 1");
	if (p->threads < 0 || p->threads > 1024)
		return sc_err_set(e, SC_EUSAGE, 0, "threads: want 0..1024");
	if (p->min_samples_split.kind > SC_SHARE_FRAC ||
	    p->max_samples.kind > SC_SHARE_FRAC)
		return sc_err_set(e, SC_EUSAGE, 0,
		    "sqrt and log2 are for "
		    "max_features only");
	if (!p->bootstrap &&
	    (p->max_samples.kind != SC_SHARE_FRAC ||
	        p->max_samples.value != 1.0))
		return sc_err_set(e, SC_EUSAGE, 0,
		    "max_samples needs bootstrap");
	if (check_share(&p->min_samples_split, 2, "min_samples_split", e) ||
	    check_share(&p->max_features, 1, "max_features", e) ||
	    check_share(&p->max_samples, 1, "max_samples", e))
		return -1;
	return 0;
}

int
forest_threads(int threads)
{
	long n;

	if (threads > 0)
		return threads;
	n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : n > 1024 ? 1024 : (int)n;
}

struct pool {
	void (*fn)(void *, size_t);
	void *arg;
	size_t n;
	atomic_size_t next;
};

static void *
pool_worker(void *arg)
{
	struct pool *p = arg;
	size_t k;

	while ((k = atomic_fetch_add(&p->next, 1)) < p->n)
		p->fn(p->arg, k);
	return NULL;
}

int
forest_parallel(int threads, size_t n, void (*fn)(void *, size_t), void *arg,
    struct sc_err *e)
{
	struct pool p = { fn, arg, n, 0 };
	pthread_t *tid;
	int i, started = 0;

	threads = forest_threads(threads);
	if ((size_t)threads > n)
		threads = n > 0 ? (int)n : 1;
	if (threads == 1) {
		pool_worker(&p);
		return 0;
	}
	if ((tid = calloc((size_t)threads, sizeof(*tid))) == NULL)
		return sc_err_set(e, SC_EOS, 0, "out of memory");
	for (i = 0; i < threads - 1; i++)
		if (pthread_create(&tid[i], NULL, pool_worker, &p) == 0)
			started++;
	pool_worker(&p); /* this thread works too; covers any failed start */
	for (i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
	free(tid);
	return 0;
}

struct sc_forest *
forest_new(const struct sc_forest_params *p, const char *const *feat,
    size_t nfeat, const char *target, size_t ntrees, struct sc_err *e)
{
	struct sc_forest *f;
	size_t j;

	if ((f = calloc(1, sizeof(*f))) == NULL)
		goto oom;
	f->p = *p;
	f->oob = NAN;
	f->feat = calloc(nfeat, sizeof(*f->feat));
	f->imp = calloc(nfeat, sizeof(*f->imp));
	f->trees = calloc(ntrees ? ntrees : 1, sizeof(*f->trees));
	f->target = strdup(target);
	if (f->feat == NULL || f->imp == NULL || f->trees == NULL ||
	    f->target == NULL)
		goto oom;
	f->nfeat = nfeat;
	f->ntrees = ntrees;
	for (j = 0; j < nfeat; j++)
		if ((f->feat[j] = strdup(feat[j])) == NULL)
			goto oom;
	return f;
oom:
	sc_forest_free(f);
	sc_err_set(e, SC_EOS, 0, "out of memory");
	return NULL;
}

static void
tree_free(struct tree *t)
{
	free(t->feature);
	free(t->left);
	free(t->right);
	free(t->threshold);
	free(t->value);
	free(t->count);
	free(t->roff);
	free(t->rank);
	free(t->pn);
}

void
sc_forest_free(struct sc_forest *f)
{
	size_t i;

	if (f == NULL)
		return;
	for (i = 0; f->feat != NULL && i < f->nfeat; i++)
		free(f->feat[i]);
	for (i = 0; f->trees != NULL && i < f->ntrees; i++)
		tree_free(&f->trees[i]);
	free(f->feat);
	free(f->target);
	free(f->trees);
	free(f->ytab);
	free(f->imp);
	free(f);
}

const struct sc_forest_params *
sc_forest_params(const struct sc_forest *f)
{
	return &f->p;
}

size_t
sc_forest_nfeatures(const struct sc_forest *f)
{
	return f->nfeat;
}

const char *
sc_forest_feature(const struct sc_forest *f, size_t j)
{
	return j < f->nfeat ? f->feat[j] : NULL;
}

const char *
sc_forest_target(const struct sc_forest *f)
{
	return f->target;
}

size_t
sc_forest_ntrees(const struct sc_forest *f)
{
	return f->ntrees;
}

double
sc_forest_oob_rmse(const struct sc_forest *f)
{
	return f->oob;
}

double
sc_forest_importance(const struct sc_forest *f, size_t j)
{
	return j < f->nfeat ? f->imp[j] : 0;
}

double
sc_forest_predict(const struct sc_forest *f, const double *x)
{
	double sum = 0;
	size_t t;

	for (t = 0; t < f->ntrees; t++)
		sum += tree_walk(&f->trees[t], x)->thr;
	return sum / (double)f->ntrees;
}

struct qent {
	uint32_t rank;
	double w;
};

/* Scratch for quantiles: one row's leaves, and one bucket's entries. */
struct qbuf {
	uint32_t (*lf)[2]; /* per tree: rank offset, rank count */
	struct qent *tmp;
	size_t tcap;
};

#define QBUCKETS 256

static int
cmp_qent(const void *a, const void *b)
{
	uint32_t x = ((const struct qent *)a)->rank;
	uint32_t y = ((const struct qent *)b)->rank;

	return x < y ? -1 : x > y;
}

/* Sort e[0..n) by rank: insertion sort for the usual few. */
static void
sort_qent(struct qent *e, size_t n)
{
	struct qent x;
	size_t i, k;

	if (n > 32) {
		qsort(e, n, sizeof(*e), cmp_qent);
		return;
	}
	for (i = 1; i < n; i++) {
		x = e[i];
		for (k = i; k > 0 && e[k - 1].rank > x.rank; k--)
			e[k] = e[k - 1];
		e[k] = x;
	}
}

/* The entries of bucket [lo, hi] of ranks, from every leaf, into b->tmp. */
static int
gather(const struct sc_forest *f, const uint32_t (*lf)[2], uint32_t lo,
    uint32_t hi, size_t total, struct qbuf *b, size_t *m)
{
	const uint32_t *r;
	size_t t, j, k;
	double w;

	if (b->tcap < total) {
		struct qent *p = realloc(b->tmp, total * sizeof(*p));

		if (p == NULL)
			return -1;
		b->tmp = p;
		b->tcap = total;
	}
	for (t = 0, *m = 0; t < f->ntrees; t++) {
		r = f->trees[t].rank + lf[t][0];
		k = lf[t][1];
		w = 1.0 / (double)k;
		/* A leaf's ranks are sorted: skip to the bucket, stop after. */
		for (j = 0; j < k && r[j] < lo; j++)
			;
		for (; j < k && r[j] <= hi; j++) {
			b->tmp[*m].rank = r[j];
			b->tmp[(*m)++].w = w;
		}
	}
	return 0;
}

/*
 * For each target t[q] (a cumulative weight; the total is the number of
 * trees), the smallest rank whose cumulative weight over the leaves lf
 * reaches it.  One pass over the leaves' sorted rank lists spreads their
 * weights (1/leaf size) over QBUCKETS buckets of their rank range; a scan
 * of the buckets finds a target's bucket, and only that bucket's entries
 * are gathered and sorted.  Nothing is copied but one bucket.
 */
static int
leaf_quantiles(const struct sc_forest *f, const uint32_t (*lf)[2],
    const double *t, size_t nq, uint32_t *out, struct qbuf *b)
{
	double bw[QBUCKETS], acc, w;
	uint32_t rmin = UINT32_MAX, rmax = 0, span;
	const uint32_t *r;
	size_t i, q, bk, m, k, total = 0;
	int sh = 0;

	for (i = 0; i < f->ntrees; i++) {
		r = f->trees[i].rank + lf[i][0];
		k = lf[i][1];
		rmin = r[0] < rmin ? r[0] : rmin;
		rmax = r[k - 1] > rmax ? r[k - 1] : rmax;
		total += k;
	}
	for (span = rmax - rmin; (span >> sh) >= QBUCKETS; sh++)
		;
	memset(bw, 0, sizeof(bw));
	for (i = 0; i < f->ntrees; i++) {
		r = f->trees[i].rank + lf[i][0];
		w = 1.0 / (double)lf[i][1];
		for (k = 0; k < lf[i][1]; k++)
			bw[(r[k] - rmin) >> sh] += w;
	}
	for (q = 0; q < nq; q++) {
		for (bk = 0, acc = 0; bk < QBUCKETS && acc + bw[bk] < t[q];
		     bk++)
			acc += bw[bk];
		out[q] = rmax;
		if (bk == QBUCKETS)
			continue; /* rounding left the total short */
		if (gather(f, lf, rmin + ((uint32_t)bk << sh),
		        rmin + ((uint32_t)bk << sh) + ((1U << sh) - 1), total,
		        b, &m) == -1)
			return -1;
		sort_qent(b->tmp, m);
		for (i = 0; i < m; i++) {
			out[q] = b->tmp[i].rank;
			if ((acc += b->tmp[i].w) >= t[q])
				break;
		}
	}
	return 0;
}

/*
 * The leaves row x reaches, into b->lf, and the mean prediction into
 * *mean (one walk serves both); -1 when out of memory.
 */
static int
row_leaves(const struct sc_forest *f, const double *x, struct qbuf *b,
    double *mean)
{
	const struct pnode *p;
	double sum = 0;
	size_t t;

	if (b->lf == NULL &&
	    (b->lf = malloc(f->ntrees * sizeof(*b->lf))) == NULL)
		return -1;
	for (t = 0; t < f->ntrees; t++) {
		p = tree_walk(&f->trees[t], x);
		sum += p->thr;
		b->lf[t][0] = p->kids;
		b->lf[t][1] = (uint32_t)(-1 - p->feat);
	}
	*mean = sum / (double)f->ntrees;
	return 0;
}

static int
quantiles_buf(const struct sc_forest *f, const double *x, const double *q,
    size_t nq, double *out, double *mean, struct qbuf *b)
{
	double t[8];
	uint32_t r[8];
	size_t k, i, c;

	if (row_leaves(f, x, b, mean) == -1)
		return -1;
	for (k = 0; k < nq; k += c) {
		c = nq - k < 8 ? nq - k : 8;
		for (i = 0; i < c; i++)
			t[i] = q[k + i] * (double)f->ntrees;
		if (leaf_quantiles(f, (const uint32_t(*)[2])b->lf, t, c, r,
		        b) == -1)
			return -1;
		for (i = 0; i < c; i++)
			out[k + i] = f->ytab[r[i]];
	}
	return 0;
}

int
sc_forest_quantiles(const struct sc_forest *f, const double *x, const double *q,
    size_t nq, double *out, struct sc_err *e)
{
	struct qbuf b = { NULL, NULL, 0 };
	double mean;
	int rc = quantiles_buf(f, x, q, nq, out, &mean, &b);

	free(b.lf);
	free(b.tmp);
	if (rc == -1)
		return sc_err_set(e, SC_EOS, 0, "out of memory");
	return 0;
}

int
sc_forest_interval(const struct sc_forest *f, const double *x, double level,
    double *mean, double *lo, double *hi, struct sc_err *e)
{
	struct qbuf b = { NULL, NULL, 0 };
	double q[2] = { (1 - level) / 2, (1 + level) / 2 }, out[2];
	int rc;

	if (!(level > 0 && level < 1))
		return sc_err_set(e, SC_EUSAGE, 0,
		    "interval level %g: want a share in (0, 1)", level);
	rc = quantiles_buf(f, x, q, 2, out, mean, &b);
	free(b.lf);
	free(b.tmp);
	if (rc == -1)
		return sc_err_set(e, SC_EOS, 0, "out of memory");
	*lo = out[0];
	*hi = out[1];
	return 0;
}

#define PRED_CHUNK 2048

struct predjob {
	const struct sc_forest *f;
	const struct sc_table *t;
	const size_t *map;
	double q[2];
	double *mean, *lo, *hi;
	atomic_int failed;
};

/*
 * Walk m rows (row-major in x) tree after tree, so that a tree stays in
 * the cache for the whole chunk; sums are still added in tree order.
 * leaf (when not NULL) gets the leaf node of row i in tree t at t*m+i.
 */
void
tree_walk_rows(const struct tree *t, const double *x, size_t nf,
    const uint32_t *idx, size_t m, const struct pnode **out)
{
	const struct pnode *p[WALK_LANES], *pn = t->pn;
	const double *row[WALK_LANES];
	size_t i, r, nr;
	int busy;

	/* Walk WALK_LANES rows in lock step so that their loads overlap. */
	for (i = 0; i < m; i += WALK_LANES) {
		nr = m - i < WALK_LANES ? m - i : WALK_LANES;
		for (r = 0; r < nr; r++) {
			p[r] = pn;
			row[r] = x + (idx != NULL ? idx[i + r] : i + r) * nf;
		}
		do {
			busy = 0;
			for (r = 0; r < nr; r++)
				if (p[r]->feat >= 0) {
					p[r] = pn + p[r]->kids +
					    (row[r][p[r]->feat] > p[r]->thr);
					busy = 1;
				}
		} while (busy);
		for (r = 0; r < nr; r++)
			out[i + r] = p[r];
	}
}

/*
 * Walk m rows of x through every tree, adding leaf values in tree order
 * into sum; leaf (when not NULL) gets row i's leaf in tree t at i*T+t as
 * (rank offset, rank count), so pooling reads it in order.
 */
static void
walk_rows(const struct sc_forest *f, const double *x, size_t m, double *sum,
    uint32_t (*leaf)[2], const struct pnode **lp)
{
	size_t t, i, nt = f->ntrees;

	for (i = 0; i < m; i++)
		sum[i] = 0;
	for (t = 0; t < f->ntrees; t++) {
		tree_walk_rows(&f->trees[t], x, f->nfeat, NULL, m, lp);
		for (i = 0; i < m; i++) {
			sum[i] += lp[i]->thr;
			if (leaf != NULL) {
				leaf[i * nt + t][0] = lp[i]->kids;
				leaf[i * nt + t][1] =
				    (uint32_t)(-1 - lp[i]->feat);
			}
		}
	}
}

static int
chunk_quantiles(struct predjob *j, size_t first, size_t m, uint32_t (*leaf)[2],
    struct qbuf *b)
{
	const struct sc_forest *f = j->f;
	double tq[2] = { j->q[0] * (double)f->ntrees,
		j->q[1] * (double)f->ntrees };
	uint32_t r[2];
	size_t i;

	for (i = 0; i < m; i++) {
		if (leaf_quantiles(f,
		        (const uint32_t(*)[2])(leaf + i * f->ntrees), tq, 2, r,
		        b) == -1)
			return -1;
		j->lo[first + i] = f->ytab[r[0]];
		j->hi[first + i] = f->ytab[r[1]];
	}
	return 0;
}

static void
predict_chunk(void *arg, size_t k)
{
	struct predjob *j = arg;
	size_t nf = j->f->nfeat, n = sc_table_nrows(j->t), i, c, first, m;
	struct qbuf b = { NULL, NULL, 0 };
	double *x, *sum;
	uint32_t(*leaf)[2] = NULL;
	const struct pnode **lp;

	first = k * PRED_CHUNK;
	m = first + PRED_CHUNK < n ? PRED_CHUNK : n - first;
	x = malloc(m * nf * sizeof(*x));
	sum = malloc(m * sizeof(*sum));
	lp = malloc(m * sizeof(*lp));
	if (j->lo != NULL)
		leaf = malloc(m * j->f->ntrees * sizeof(*leaf));
	if (x == NULL || sum == NULL || lp == NULL ||
	    (j->lo != NULL && leaf == NULL)) {
		j->failed = 1;
		goto out;
	}
	for (c = 0; c < nf; c++) {
		const double *col =
		    sc_table_column(j->t, j->map ? j->map[c] : c);

		for (i = 0; i < m; i++)
			x[i * nf + c] = col[first + i];
	}
	walk_rows(j->f, x, m, sum, leaf, lp);
	for (i = 0; i < m; i++)
		j->mean[first + i] = sum[i] / (double)j->f->ntrees;
	if (leaf != NULL && chunk_quantiles(j, first, m, leaf, &b) == -1)
		j->failed = 1;
out:
	free(b.lf);
	free(b.tmp);
	free(x);
	free(sum);
	free(leaf);
	free(lp);
}

int
sc_forest_predict_table(const struct sc_forest *f, const struct sc_table *t,
    const size_t *map, double level, int threads, double *mean, double *lo,
    double *hi, struct sc_err *e)
{
	struct predjob j = { f, t, map, { 0, 0 }, mean, NULL, NULL, 0 };
	size_t n = sc_table_nrows(t);

	if (level > 0 && level < 1 && lo != NULL && hi != NULL) {
		j.q[0] = (1 - level) / 2;
		j.q[1] = (1 + level) / 2;
		j.lo = lo;
		j.hi = hi;
	}
	if (forest_parallel(threads, (n + PRED_CHUNK - 1) / PRED_CHUNK,
	        predict_chunk, &j, e) == -1)
		return -1;
	if (j.failed)
		return sc_err_set(e, SC_EOS, 0, "out of memory");
	return 0;
}

void
sc_forest_tree(const struct sc_forest *f, size_t i, struct sc_forest_tree *o)
{
	const struct tree *t = &f->trees[i];

	o->nodes = t->n;
	o->feature = t->feature;
	o->threshold = t->threshold;
	o->left = t->left;
	o->right = t->right;
	o->value = t->value;
	o->count = t->count;
	o->nranks = t->nranks;
	o->rank = t->rank;
}

const double *
sc_forest_targets(const struct sc_forest *f, size_t *n)
{
	*n = f->ny;
	return f->ytab;
}

/* Lay the tree out for walking: children side by side, depth first. */
static int
pack(struct tree *t)
{
	uint32_t *stack, top = 0, next = 1, p, i;

	t->pn = malloc(t->n * sizeof(*t->pn));
	stack = malloc(2 * t->n * sizeof(*stack));
	if (t->pn == NULL || stack == NULL) {
		free(stack);
		return -1;
	}
	stack[top++] = 0; /* pairs (node, packed position) */
	stack[top++] = 0;
	while (top > 0) {
		p = stack[--top];
		i = stack[--top];
		t->pn[p].feat = t->feature[i];
		if (t->feature[i] < 0) {
			t->pn[p].feat = -1 - (int32_t)t->count[i];
			t->pn[p].thr = t->value[i];
			t->pn[p].kids = t->roff[i];
			continue;
		}
		t->pn[p].thr = t->threshold[i];
		t->pn[p].kids = next;
		stack[top++] = (uint32_t)t->right[i];
		stack[top++] = next + 1;
		stack[top++] = (uint32_t)t->left[i];
		stack[top++] = next;
		next += 2;
	}
	free(stack);
	return 0;
}

int
tree_offsets(struct tree *t)
{
	size_t i;
	uint64_t off = 0;

	if ((t->roff = malloc((t->n ? t->n : 1) * sizeof(*t->roff))) == NULL)
		return -1;
	for (i = 0; i < t->n; i++) {
		t->roff[i] = (uint32_t)off;
		off += t->count[i];
		if (off > UINT32_MAX || t->count[i] >= INT32_MAX)
			return -1;
	}
	if (off != t->nranks || pack(t) == -1)
		return -1;
	free(t->roff); /* the leaves of the walking layout keep it */
	t->roff = NULL;
	return 0;
}

/* Check node i of tree ti; seen counts each node's parents. */
static int
check_node(const struct sc_forest_tree *s, size_t ti, size_t i, size_t nfeat,
    size_t ny, uint8_t *seen, struct sc_err *e)
{
	int32_t f = s->feature[i], l = s->left[i], r = s->right[i];

	if (!isfinite(s->threshold[i]) || !isfinite(s->value[i]))
		return sc_err_set(e, SC_EDATA, 0,
		    "tree %zu: node %zu: "
		    "threshold or value not a finite number",
		    ti, i);
	if (f < -1 || (f >= 0 && (size_t)f >= nfeat))
		return sc_err_set(e, SC_EDATA, 0,
		    "tree %zu: feature[%zu] = %d "
		    "out of range",
		    ti, i, (int)f);
	if (f == -1) {
		if (l != -1 || r != -1 || s->count[i] == 0)
			return sc_err_set(e, SC_EDATA, 0,
			    "tree %zu: leaf %zu: "
			    "wants left = right = -1 and count > 0",
			    ti, i);
		return 0;
	}
	if (l <= (int32_t)i || r <= (int32_t)i || (size_t)l >= s->nodes ||
	    (size_t)r >= s->nodes || l == r)
		return sc_err_set(e, SC_EDATA, 0,
		    "tree %zu: node %zu: children "
		    "%d, %d out of range",
		    ti, i, (int)l, (int)r);
	if (s->count[i] != 0)
		return sc_err_set(e, SC_EDATA, 0,
		    "tree %zu: split node %zu: "
		    "count must be 0",
		    ti, i);
	if (seen[l]++ || seen[r]++)
		return sc_err_set(e, SC_EDATA, 0,
		    "tree %zu: node %d has two "
		    "parents",
		    ti, (int)(seen[l] > 1 ? l : r));
	(void)ny;
	return 0;
}

static int
check_tree(const struct sc_forest_tree *s, size_t ti, size_t nfeat, size_t ny,
    struct sc_err *e)
{
	uint8_t *seen;
	size_t i, j, off = 0;
	int rc = -1;

	if (s->nodes == 0 || s->nodes > INT32_MAX)
		return sc_err_set(e, SC_EDATA, 0, "tree %zu: no nodes", ti);
	if ((seen = calloc(s->nodes, 1)) == NULL)
		return sc_err_set(e, SC_EOS, 0, "out of memory");
	for (i = 0; i < s->nodes; i++)
		if (check_node(s, ti, i, nfeat, ny, seen, e) == -1)
			goto out;
	for (i = 1; i < s->nodes; i++)
		if (seen[i] != 1) {
			sc_err_set(e, SC_EDATA, 0,
			    "tree %zu: node %zu is not "
			    "reached from the root",
			    ti, i);
			goto out;
		}
	for (i = 0; i < s->nodes; i++) {
		if (s->count[i] > s->nranks - off) {
			sc_err_set(e, SC_EDATA, 0,
			    "tree %zu: count: more than "
			    "the %zu ranks",
			    ti, s->nranks);
			goto out;
		}
		for (j = off; j < off + s->count[i]; j++)
			if (s->rank[j] >= ny ||
			    (j > off && s->rank[j] < s->rank[j - 1])) {
				sc_err_set(e, SC_EDATA, 0,
				    "tree %zu: rank[%zu] "
				    "out of range or out of order",
				    ti, j);
				goto out;
			}
		off += s->count[i];
	}
	if (off != s->nranks)
		sc_err_set(e, SC_EDATA, 0,
		    "tree %zu: count adds up to %zu, "
		    "not the %zu ranks",
		    ti, off, s->nranks);
	else
		rc = 0;
out:
	free(seen);
	return rc;
}

static int
copy_tree(struct tree *t, const struct sc_forest_tree *s)
{
	size_t n = s->nodes;

	t->n = t->cap = n;
	t->nranks = t->rcap = s->nranks;
	if ((t->feature = malloc(n * sizeof(int32_t))) == NULL ||
	    (t->left = malloc(n * sizeof(int32_t))) == NULL ||
	    (t->right = malloc(n * sizeof(int32_t))) == NULL ||
	    (t->threshold = malloc(n * sizeof(double))) == NULL ||
	    (t->value = malloc(n * sizeof(double))) == NULL ||
	    (t->count = malloc(n * sizeof(uint32_t))) == NULL ||
	    (t->rank = malloc((s->nranks ? s->nranks : 1) * 4)) == NULL)
		return -1;
	memcpy(t->feature, s->feature, n * sizeof(int32_t));
	memcpy(t->left, s->left, n * sizeof(int32_t));
	memcpy(t->right, s->right, n * sizeof(int32_t));
	memcpy(t->threshold, s->threshold, n * sizeof(double));
	memcpy(t->value, s->value, n * sizeof(double));
	memcpy(t->count, s->count, n * sizeof(uint32_t));
	memcpy(t->rank, s->rank, s->nranks * sizeof(uint32_t));
	return tree_offsets(t);
}

static int
check_parts(size_t nfeat, const double *ytab, size_t ny, double oob,
    const double *imp, size_t ntrees, struct sc_err *e)
{
	size_t i;

	if (nfeat == 0 || ntrees == 0 || ny == 0)
		return sc_err_set(e, SC_EDATA, 0,
		    "no features, no trees or no targets");
	for (i = 0; i < ny; i++)
		if (!isfinite(ytab[i]) || (i > 0 && !(ytab[i] > ytab[i - 1])))
			return sc_err_set(e, SC_EDATA, 0,
			    "targets[%zu]: not "
			    "finite or not increasing",
			    i);
	for (i = 0; i < nfeat; i++)
		if (!isfinite(imp[i]) || imp[i] < 0)
			return sc_err_set(e, SC_EDATA, 0,
			    "importances: bad value");
	if (!isnan(oob) && !(isfinite(oob) && oob >= 0))
		return sc_err_set(e, SC_EDATA, 0, "oob_rmse: bad value");
	return 0;
}

struct sc_forest *
sc_forest_assemble(const struct sc_forest_params *p,
    const char *const *features, size_t nfeat, const char *target,
    const double *ytab, size_t ny, double oob, const double *imp,
    const struct sc_forest_tree *trees, size_t ntrees, struct sc_err *e)
{
	struct sc_forest *f;
	size_t i;

	if (check_parts(nfeat, ytab, ny, oob, imp, ntrees, e) == -1)
		return NULL;
	if ((f = forest_new(p, features, nfeat, target, ntrees, e)) == NULL)
		return NULL;
	f->oob = oob;
	memcpy(f->imp, imp, nfeat * sizeof(*imp));
	if ((f->ytab = malloc(ny * sizeof(*ytab))) == NULL)
		goto oom;
	memcpy(f->ytab, ytab, ny * sizeof(*ytab));
	f->ny = ny;
	for (i = 0; i < ntrees; i++) {
		if (check_tree(&trees[i], i, nfeat, ny, e) == -1) {
			sc_forest_free(f);
			return NULL;
		}
		if (copy_tree(&f->trees[i], &trees[i]) == -1)
			goto oom;
	}
	return f;
oom:
	sc_forest_free(f);
	sc_err_set(e, SC_EOS, 0, "out of memory");
	return NULL;
}
