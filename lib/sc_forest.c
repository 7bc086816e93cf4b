/* SPDX-License-Identifier: ISC */
/*
 * The forest as a model: parameters, the thread pool, accessors, the
 * walking layout, and assembly from a model file's parts with full
 * validation (a loaded forest is checked as strictly as a file can be
 * wrong).  Growing trees lives in sc_forest_fit.c, prediction and
 * quantiles in sc_forest_predict.c.
 */
#include <sys/mman.h>

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
	pthread_mutex_init(&f->laying, NULL);
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

#define SLAB_MIN ((size_t)1 << 20) /* smaller: malloc does as well */
#define SLAB_ALIGN ((size_t)2 << 20)

struct sc_slab *
sc_slab_new(size_t cap)
{
#if defined(__SANITIZE_ADDRESS__)
	(void)cap;
	return NULL;
#else
	struct sc_slab *s;
	void *m;
	size_t len;

	if (cap < SLAB_MIN || cap > SIZE_MAX / 2 - SLAB_ALIGN ||
	    (s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	len = cap + SLAB_ALIGN;
	m = mmap(NULL, len, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (m == MAP_FAILED) {
		free(s);
		return NULL;
	}
	s->base = m;
	s->len = len;
	s->p = s->base +
	    (SLAB_ALIGN - (uintptr_t)s->base % SLAB_ALIGN) % SLAB_ALIGN;
	s->cap = cap;
	/*
	 * No transparent huge pages (MADV_HUGEPAGE): where the host takes
	 * back a guest's free 2 MB blocks (virtio-balloon free page
	 * reporting), a huge page's first touch is a fault on the host too.
	 * Measured on the bench host, each run after 4-5 s idle: the
	 * friedman1 fit 0.50-0.60 s of system time with them, 0.13-0.17
	 * without; sc-predict on its model 0.17-0.19 s wall, 0.15 without.
	 */
	return s;
#endif
}

void *
sc_slab_take(struct sc_slab *s, size_t n)
{
	size_t at;

	if (s == NULL || n > s->cap)
		return NULL;
	n = (n + 63) & ~(size_t)63;
	at = atomic_load(&s->used);
	do
		if (n > s->cap - at)
			return NULL;
	while (!atomic_compare_exchange_weak(&s->used, &at, at + n));
	return s->p + at;
}

void
sc_slab_free(struct sc_slab *s)
{
	struct sc_slab *next;

	for (; s != NULL; s = next) {
		next = s->next;
		munmap(s->base, s->len);
		free(s);
	}
}

static void
tree_free(struct tree *t)
{
	if (!(t->inslab & SLAB_TREE)) {
		free(t->feature);
		free(t->left);
		free(t->right);
		free(t->threshold);
		free(t->value);
		free(t->count);
	}
	free(t->roff);
	if (!(t->inslab & SLAB_RANK))
		free(t->rank);
	if (!(t->inslab & SLAB_NODES)) {
		free(t->cn);
		free(t->wn);
	}
	if (!(t->inslab & SLAB_LRANK))
		free(t->lr);
	if (!(t->inslab & SLAB_LVAL))
		free(t->lval);
	if (!(t->inslab & SLAB_LREF))
		free(t->lref);
	free(t->tidx);
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
	free(f->thr);
	free(f->toff);
	sc_slab_free(f->slab);
	pthread_mutex_destroy(&f->laying);
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

int
sc_forest_has_ranks(const struct sc_forest *f)
{
	return !f->noranks;
}

int
sc_forest_writable(const struct sc_forest *f)
{
	return !f->nowrite;
}

const double *
sc_forest_targets(const struct sc_forest *f, size_t *n)
{
	*n = f->ny;
	return f->ytab;
}

int
sc_forest_tree_offsets(struct tree *t)
{
	size_t i;
	uint64_t off = 0;

	for (i = 0; i < t->n; i++) {
		off += t->count[i];
		if (off > UINT32_MAX || t->count[i] >= INT32_MAX)
			return -1;
	}
	return off == t->nranks ? 0 : -1;
}

static uint64_t
dbits(double v)
{
	uint64_t u;

	memcpy(&u, &v, sizeof(u));
	return u;
}

/* The order of doubles by their bits (-0.0 before 0.0), as sorted. */
static uint64_t
order_key(double v)
{
	uint64_t u = dbits(v);

	return u ^ ((u >> 63) ? ~0ULL : 1ULL << 63);
}

/* The index of v (which is there) in the n sorted distinct doubles t. */
static uint32_t
thr_index(const double *t, size_t n, double v)
{
	uint64_t key = order_key(v);
	size_t lo = 0, hi = n;

	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (order_key(t[mid]) <= key)
			lo = mid;
		else
			hi = mid;
	}
	return (uint32_t)lo;
}

/* Every feature's sorted distinct thresholds, into f->thr and f->toff. */
static int
make_tables(struct sc_forest *f)
{
	size_t nf = f->nfeat, i, k, j, u, max = 0, *fill;
	uint64_t *tmp = NULL;
	int rc = -1;

	if ((f->toff = calloc(nf + 1, sizeof(*f->toff))) == NULL ||
	    (fill = calloc(nf + 1, sizeof(*fill))) == NULL)
		return -1;
	for (i = 0; i < f->ntrees; i++)
		for (k = 0; k < f->trees[i].n; k++)
			if (f->trees[i].feature[k] >= 0)
				fill[f->trees[i].feature[k] + 1]++;
	for (j = 0; j < nf; j++) {
		max = fill[j + 1] > max ? fill[j + 1] : max;
		fill[j + 1] += fill[j];
	}
	if ((f->thr = malloc((fill[nf] ? fill[nf] : 1) * sizeof(double))) ==
	        NULL ||
	    (tmp = malloc((max ? max : 1) * sizeof(*tmp))) == NULL)
		goto out;
	memcpy(f->toff, fill, (nf + 1) * sizeof(*fill));
	for (i = 0; i < f->ntrees; i++)
		for (k = 0; k < f->trees[i].n; k++)
			if (f->trees[i].feature[k] >= 0)
				f->thr[fill[f->trees[i].feature[k]]++] =
				    f->trees[i].threshold[k];
	/* Sort each feature's run, keep the distinct, close the gaps. */
	for (j = 0, u = 0; j < nf; j++) {
		double *v = f->thr + f->toff[j];
		size_t n = f->toff[j + 1] - f->toff[j], start = u;

		sc_forest_sort_doubles(v, tmp, n);
		for (k = 0; k < n; k++)
			if (u == start || dbits(v[k]) != dbits(f->thr[u - 1]))
				f->thr[u++] = v[k];
		f->toff[j] = start;
	}
	f->toff[nf] = u;
	rc = 0;
out:
	free(tmp);
	free(fill);
	return rc;
}

/*
 * Count the leaves before each word of lr (w words, their bits set); the
 * leaves in all.
 */
size_t
sc_forest_lrank_count(struct lrank *lr, size_t w)
{
	size_t k, at = 0;

	for (k = 0; k < w; k++) {
		lr[k].before = (uint32_t)at;
		at += pop32(lr[k].bits);
	}
	return at;
}

/*
 * Lay tree t out for walking: children side by side, depth first, leaves
 * numbered in the order of their places.
 */
static int
pack(int wide, const double *thr, const size_t *toff, struct tree *t)
{
	uint32_t *stack, *roff, *src, top = 0, next = 1, p, i, x;
	size_t w = (t->n + 31) / 32, nl;
	uint64_t off = 0;
	int32_t ft;

	for (i = 0; i < t->n; i++)
		t->nleaves += t->feature[i] < 0;
	if (wide)
		t->wn = malloc(t->n * sizeof(*t->wn));
	else
		t->cn = malloc(t->n * sizeof(*t->cn));
	nl = t->nleaves ? t->nleaves : 1;
	t->lval = malloc(nl * sizeof(*t->lval));
	t->lref = malloc(nl * sizeof(*t->lref));
	t->lr = calloc(w ? w : 1, sizeof(*t->lr));
	stack = malloc(2 * t->n * sizeof(*stack));
	roff = malloc(t->n * sizeof(*roff));
	src = malloc(t->n * sizeof(*src));
	if ((t->wn == NULL && t->cn == NULL) || t->lval == NULL ||
	    t->lref == NULL || t->lr == NULL || stack == NULL || roff == NULL ||
	    src == NULL) {
		free(stack);
		free(roff);
		free(src);
		return -1;
	}
	for (i = 0; i < t->n; i++) {
		roff[i] = (uint32_t)off;
		off += t->count[i];
	}
	stack[top++] = 0; /* pairs (node, packed position) */
	stack[top++] = 0;
	while (top > 0) {
		p = stack[--top];
		i = stack[--top];
		ft = t->feature[i];
		if (ft < 0) {
			src[p] = i;
			t->lr[p / 32].bits |= 1U << (p % 32);
			if (wide) {
				t->wn[p].feat = 0;
				t->wn[p].thr = WALK_LEAF32;
				t->wn[p].kids = p;
			} else {
				t->cn[p].feat = 0;
				t->cn[p].thr = WALK_LEAF16;
				t->cn[p].kids = p;
			}
			continue;
		}
		x = t->tidx != NULL
		    ? t->tidx[i]
		    : thr_index(thr + toff[ft], toff[ft + 1] - toff[ft],
		          t->threshold[i]);
		if (wide) {
			t->wn[p].feat = (uint32_t)ft;
			t->wn[p].thr = x;
			t->wn[p].kids = next;
		} else {
			t->cn[p].feat = (uint16_t)ft;
			t->cn[p].thr = (uint16_t)x;
			t->cn[p].kids = next;
		}
		stack[top++] = (uint32_t)t->right[i];
		stack[top++] = next + 1;
		stack[top++] = (uint32_t)t->left[i];
		stack[top++] = next;
		next += 2;
	}
	(void)sc_forest_lrank_count(t->lr, w);
	/* Leaves in the order of their places. */
	for (p = 0, nl = 0; p < t->n; p++)
		if (t->lr[p / 32].bits >> (p % 32) & 1) {
			i = src[p];
			t->lval[nl] = t->value[i];
			t->lref[nl][0] = roff[i];
			t->lref[nl++][1] = t->count[i];
		}
	free(stack);
	free(roff);
	free(src);
	free(t->tidx);
	t->tidx = NULL;
	return 0;
}

struct layjob {
	struct sc_forest *f;
	atomic_int failed;
};

static void
lay_job(void *arg, size_t k)
{
	struct layjob *J = arg;

	struct tree *t = &J->f->trees[k];

	/* A tree the reader laid out already is left as it is. */
	if (t->cn == NULL && t->wn == NULL &&
	    pack(J->f->wide, J->f->thr, J->f->toff, t) == -1)
		J->failed = 1;
}

int
sc_forest_wide(size_t nfeat, const size_t *toff)
{
	size_t j;

	/* A rank is at most the table's size; a leaf's index exceeds it. */
	if (nfeat > 0xffff)
		return 1;
	for (j = 0; j < nfeat; j++)
		if (toff[j + 1] - toff[j] >= WALK_LEAF16)
			return 1;
	return 0;
}

void
sc_forest_packed_free(struct tree *t)
{
	if (t == NULL)
		return;
	tree_free(t);
	free(t);
}

int
sc_forest_layout(struct sc_forest *f, int threads)
{
	struct layjob J = { f, 0 };
	struct sc_err e = { 0 };

	if (f->thr == NULL && make_tables(f) == -1)
		return -1;
	f->wide = sc_forest_wide(f->nfeat, f->toff);
	if (sc_forest_parallel(threads, f->ntrees, lay_job, &J, &e) == -1 ||
	    J.failed)
		return -1;
	atomic_store_explicit(&f->laid, 1, memory_order_release);
	return 0;
}

int
sc_forest_ready(const struct sc_forest *cf)
{
	/* The layout is a cache: making it changes nothing f says. */
	struct sc_forest *f = (struct sc_forest *)(uintptr_t)cf;
	int rc = 0;

	if (atomic_load_explicit(&f->laid, memory_order_acquire))
		return 0;
	pthread_mutex_lock(&f->laying);
	if (!atomic_load_explicit(&f->laid, memory_order_relaxed))
		rc = sc_forest_layout(f, f->p.threads);
	pthread_mutex_unlock(&f->laying);
	return rc;
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
		for (j = off; s->rank != NULL && j < off + s->count[i]; j++)
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
	    (s->rank != NULL &&
	        (t->rank = malloc((s->nranks ? s->nranks : 1) * 4)) == NULL))
		return -1;
	memcpy(t->feature, s->feature, n * sizeof(int32_t));
	memcpy(t->left, s->left, n * sizeof(int32_t));
	memcpy(t->right, s->right, n * sizeof(int32_t));
	memcpy(t->threshold, s->threshold, n * sizeof(double));
	memcpy(t->value, s->value, n * sizeof(double));
	memcpy(t->count, s->count, n * sizeof(uint32_t));
	if (s->rank != NULL)
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

/* Tree i of assemble() came laid out already. */
#define PACKED(i) (take && packed != NULL && packed[i] != NULL)

static struct sc_forest *
assemble(const struct sc_forest_params *p, const char *const *features,
    size_t nfeat, const char *target, const double *ytab, size_t ny, double oob,
    const double *imp, const struct sc_forest_tree *trees, size_t ntrees,
    int take, double *thr, size_t *toff, uint32_t *const *tidx,
    const char *checked, struct tree *const *packed, struct sc_err *e)
{
	struct sc_forest *f = NULL;
	size_t i;

	if (check_parts(nfeat, ytab, ny, oob, imp, ntrees, e) == -1 ||
	    (f = sc_forest_new(p, features, nfeat, target, ntrees, e)) ==
	        NULL) {
		for (i = 0; take && i < ntrees; i++) {
			free_view(&trees[i]);
			free(tidx != NULL ? tidx[i] : NULL);
			sc_forest_packed_free(
			    packed != NULL ? packed[i] : NULL);
		}
		free(thr);
		free(toff);
		return NULL;
	}
	/* Taken arrays belong to the forest at once, so freeing it frees them. */
	for (i = 0; take && i < ntrees; i++) {
		if (packed != NULL && packed[i] != NULL) {
			f->trees[i] = *packed[i];
			free(packed[i]);
			f->nowrite = 1;
			continue;
		}
		take_tree(&f->trees[i], &trees[i]);
		f->trees[i].tidx = tidx != NULL ? tidx[i] : NULL;
	}
	if (thr != NULL && toff != NULL) {
		f->thr = thr;
		f->toff = toff;
	} else {
		free(thr);
		free(toff);
		for (i = 0; take && i < ntrees; i++) {
			free(f->trees[i].tidx);
			f->trees[i].tidx = NULL;
		}
	}
	f->oob = oob;
	for (i = 0; i < ntrees; i++)
		if (PACKED(i) ? f->trees[i].rank == NULL
		              : trees[i].rank == NULL)
			f->noranks = f->nowrite = 1;
		else if (!PACKED(i) && trees[i].threshold == NULL)
			f->nowrite = 1;
	memcpy(f->imp, imp, nfeat * sizeof(*imp));
	if ((f->ytab = malloc(ny * sizeof(*ytab))) == NULL)
		goto oom;
	memcpy(f->ytab, ytab, ny * sizeof(*ytab));
	f->ny = ny;
	for (i = 0; i < ntrees; i++) {
		if (PACKED(i))
			continue; /* checked and laid out by the reader */
		if ((checked == NULL || !checked[i]) &&
		    check_tree(&trees[i], i, nfeat, ny, e) == -1) {
			sc_forest_free(f);
			return NULL;
		}
		if ((take ? sc_forest_tree_offsets(&f->trees[i])
		          : copy_tree(&f->trees[i], &trees[i])) == -1)
			goto oom;
	}
	if (sc_forest_layout(f, 0) == -1)
		goto oom;
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
	    ntrees, 0, NULL, NULL, NULL, NULL, NULL, e);
}

struct sc_forest *
sc_forest_assemble_take(const struct sc_forest_params *p,
    const char *const *features, size_t nfeat, const char *target,
    const double *ytab, size_t ny, double oob, const double *imp,
    const struct sc_forest_tree *trees, size_t ntrees, double *thr,
    size_t *toff, uint32_t *const *tidx, const char *checked,
    struct tree *const *packed, struct sc_err *e)
{
	return assemble(p, features, nfeat, target, ytab, ny, oob, imp, trees,
	    ntrees, 1, thr, toff, tidx, checked, packed, e);
}
