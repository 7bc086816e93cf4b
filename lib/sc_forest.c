/* SPDX-License-Identifier: ISC */
/*
 * The forest as a model: parameters, the thread pool, accessors, the
 * walking layout, and assembly from a model file's parts with full
 * validation (a loaded forest is checked as strictly as a file can be
 * wrong).  Growing trees lives in sc_forest_fit.c, prediction and
 * quantiles in sc_forest_predict.c.
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
	if (p->interval_grid != 0 &&
	    (p->interval_grid < 16 || p->interval_grid > 16777216))
		return sc_err_set(e, SC_EUSAGE, 0,
		    "interval_grid: want 0 (exact) or 16..16777216");
	if (p->bag_ranks != 0 && p->bag_ranks != 1)
		return sc_err_set(e, SC_EUSAGE, 0,
		    "leaf_ranks: want all or bag");
	if (p->oob_rows < 0 || p->oob_rows > 1000000000L)
		return sc_err_set(e, SC_EUSAGE, 0,
		    "oob_rows: want 0 (every row) or a count");
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
sc_forest_threads(int threads)
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
sc_forest_parallel(int threads, size_t n, void (*fn)(void *, size_t), void *arg,
    struct sc_err *e)
{
	struct pool p = { fn, arg, n, 0 };
	pthread_t *tid;
	int i, started = 0;

	threads = sc_forest_threads(threads);
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
sc_forest_new(const struct sc_forest_params *p, const char *const *feat,
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
sc_forest_tree_offsets(struct tree *t)
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
		/* +0.0 exactly, so that both model forms hold the same. */
		if (l != -1 || r != -1 || s->count[i] == 0 ||
		    s->threshold[i] != 0 || signbit(s->threshold[i]))
			return sc_err_set(e, SC_EDATA, 0,
			    "tree %zu: leaf %zu: "
			    "wants left = right = -1, threshold 0 and "
			    "count > 0",
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

int
sc_forest_check_tree(const struct sc_forest_tree *s, size_t ti, size_t nfeat,
    size_t ny, struct sc_err *e)
{
	return check_tree(s, ti, nfeat, ny, e);
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
	return sc_forest_tree_offsets(t);
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

/* Free the arrays of view s, which the caller gave away. */
static void
free_view(const struct sc_forest_tree *s)
{
	free((void *)s->feature);
	free((void *)s->left);
	free((void *)s->right);
	free((void *)s->threshold);
	free((void *)s->value);
	free((void *)s->count);
	free((void *)s->rank);
}

/* Give tree t the arrays of view s (malloc'ed; t frees them). */
static void
take_tree(struct tree *t, const struct sc_forest_tree *s)
{
	t->n = t->cap = s->nodes;
	t->nranks = t->rcap = s->nranks;
	t->feature = (int32_t *)s->feature;
	t->left = (int32_t *)s->left;
	t->right = (int32_t *)s->right;
	t->threshold = (double *)s->threshold;
	t->value = (double *)s->value;
	t->count = (uint32_t *)s->count;
	t->rank = (uint32_t *)s->rank;
}

static struct sc_forest *
assemble(const struct sc_forest_params *p, const char *const *features,
    size_t nfeat, const char *target, const double *ytab, size_t ny, double oob,
    const double *imp, const struct sc_forest_tree *trees, size_t ntrees,
    int take, struct sc_err *e)
{
	struct sc_forest *f = NULL;
	size_t i;

	if (check_parts(nfeat, ytab, ny, oob, imp, ntrees, e) == -1 ||
	    (f = sc_forest_new(p, features, nfeat, target, ntrees, e)) ==
	        NULL) {
		for (i = 0; take && i < ntrees; i++)
			free_view(&trees[i]);
		return NULL;
	}
	/* Taken arrays belong to the forest at once, so freeing it frees them. */
	for (i = 0; take && i < ntrees; i++)
		take_tree(&f->trees[i], &trees[i]);
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
		if ((take ? sc_forest_tree_offsets(&f->trees[i])
		          : copy_tree(&f->trees[i], &trees[i])) == -1)
			goto oom;
	}
	return f;
oom:
	sc_forest_free(f);
	sc_err_set(e, SC_EOS, 0, "out of memory");
	return NULL;
}

struct sc_forest *
sc_forest_assemble(const struct sc_forest_params *p,
    const char *const *features, size_t nfeat, const char *target,
    const double *ytab, size_t ny, double oob, const double *imp,
    const struct sc_forest_tree *trees, size_t ntrees, struct sc_err *e)
{
	return assemble(p, features, nfeat, target, ytab, ny, oob, imp, trees,
	    ntrees, 0, e);
}

struct sc_forest *
sc_forest_assemble_take(const struct sc_forest_params *p,
    const char *const *features, size_t nfeat, const char *target,
    const double *ytab, size_t ny, double oob, const double *imp,
    const struct sc_forest_tree *trees, size_t ntrees, struct sc_err *e)
{
	return assemble(p, features, nfeat, target, ytab, ny, oob, imp, trees,
	    ntrees, 1, e);
}
