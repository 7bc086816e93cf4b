/* SPDX-License-Identifier: ISC */
/*
 * The binary model form (docs/model-format.md, "Binary form"): the same
 * model as the JSON form, member for member, in a fraction of the bytes.
 * Every number is written byte by byte, little-endian, never by copying a
 * struct; a SHA-256 at the end covers every byte before it.  The
 * small members (format, features, params, training, importances and any
 * member another tool added, "tuning" or "calibration") are one embedded
 * JSON object, the very object the JSON writer prints, so the two forms
 * convert into each other exactly.  Thresholds are indices into one sorted
 * table of distinct thresholds per feature, children are implied by the
 * depth-first preorder the fitter writes (or given when a tree is laid out
 * otherwise), and each leaf's sorted ranks are delta-coded in a bit stream
 * at the leaf's own width.  The reader checks the header, the checksum and
 * every count against the bytes left before it allocates, and hands the
 * arrays to the validation the JSON reader uses.
 */
#include <sys/mman.h>
#include <sys/stat.h>

#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sc_buf.h"
#include "sc_forest_int.h"
#include "sc_hash.h"
#include "sc_model.h"
#include "sc_model_int.h"

#define SLAB_SPAN(n) (((n) + 63) & ~(size_t)63) /* as sc_slab_take() */
#define HEAD_LEN 16                             /* magic, version, flags */
#define TAIL_LEN 40  /* payload length, SHA-256 of every byte before it */
#define HEAD1_LEN 56 /* version 1: magic, version, flags, length, SHA-256 */
#define MAX_FEATURES 4096
#define MAX_TREES 100000
#define LAY_CHILDREN 1    /* children given, not implied by preorder */
#define LAY_SPLITVALUES 2 /* split nodes' values stored */

/* Writing: a growable byte buffer that remembers running out of memory. */
struct bb {
	unsigned char *p;
	size_t n, cap;
	int oom;
};

static inline unsigned char *
bb_room(struct bb *b, size_t need)
{
	if (b->n + need <= b->cap && b->p != NULL)
		return b->p + b->n;
	if (b->oom)
		return NULL;
	if (sc_buf_grow(&b->p, &b->cap, b->n + need, 1, NULL) == -1) {
		b->oom = 1;
		return NULL;
	}
	return b->p + b->n;
}

static void
put_le(struct bb *b, uint64_t v, int bytes)
{
	unsigned char *d = bb_room(b, (size_t)bytes);
	int i;

	if (d == NULL)
		return;
	for (i = 0; i < bytes; i++)
		d[i] = (unsigned char)(v >> (8 * i));
	b->n += (size_t)bytes;
}

static void
put_var(struct bb *b, uint64_t v)
{
	unsigned char *d = bb_room(b, 10);
	size_t k = 0;

	if (d == NULL)
		return;
	while (v >= 0x80) {
		d[k++] = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	d[k++] = (unsigned char)v;
	b->n += k;
}

static uint64_t
dbits(double v)
{
	uint64_t u;

	memcpy(&u, &v, sizeof(u));
	return u;
}

static void
put_f64(struct bb *b, double v)
{
	put_le(b, dbits(v), 8);
}

static void
put_bytes(struct bb *b, const void *s, size_t n)
{
	unsigned char *d = bb_room(b, n);

	if (d != NULL) {
		memcpy(d, s, n);
		b->n += n;
	}
}

/*
 * Where the form goes: it is written as it is made, tree record after
 * tree record (put_trees()), hashed on the way, and the payload's length
 * and the hash go last, so the model is never whole in memory (at the
 * scale of docs/performance.md a model is gigabytes) and any stream takes
 * it.
 */
struct sink {
	FILE *fp;
	struct bb b;         /* made, not yet written */
	struct sc_sha256 *h; /* every byte written so far */
	uint64_t len;        /* bytes written */
	int failed;          /* a write or the hash failed: e says which */
	struct sc_err *e;
};

/* Write and hash n bytes. */
static void
sink_out(struct sink *k, const void *p, size_t n)
{
	if (k->failed || n == 0)
		return;
	if (sc_sha256_update(k->h, p, n, k->e) == -1)
		k->failed = 1;
	else if (fwrite(p, 1, n, k->fp) != n) {
		sc_err_set(k->e, SC_EIO, 0, "write failed");
		k->failed = 1;
	}
	k->len += n;
}

/* Write what b holds, keeping its memory for what comes. */
static void
sink_flush(struct sink *k)
{
	if (k->b.oom)
		return;
	sink_out(k, k->b.p, k->b.n);
	k->b.n = 0;
}

/* n bytes at p, after what b holds, without a copy. */
static void
sink_put(struct sink *k, const void *p, size_t n)
{
	sink_flush(k);
	sink_out(k, p, n);
}

/* A bit stream, least significant bit first. */
struct bits {
	struct bb *b;
	uint64_t acc;
	int n;
};

/* The low k (0..64) bits of v; whole bytes leave 4 at a time. */
static void
put_bits(struct bits *w, uint64_t v, int k)
{
	if (k == 0)
		return;
	if (k > 32) {
		put_bits(w, v & 0xffffffffU, 32);
		put_bits(w, v >> 32, k - 32);
		return;
	}
	w->acc |= (v & ((1ULL << k) - 1)) << w->n;
	w->n += k;
	if (w->n >= 32) {
		put_le(w->b, w->acc & 0xffffffffU, 4);
		w->acc >>= 32;
		w->n -= 32;
	}
}

static void
flush_bits(struct bits *w)
{
	while (w->n > 0) {
		put_le(w->b, w->acc & 0xff, 1);
		w->acc >>= 8;
		w->n -= 8;
	}
	w->acc = 0;
	w->n = 0;
}

static int
bitlen(uint64_t v)
{
	return v != 0 ? 64 - __builtin_clzll(v) : 0;
}

/* Bits of a leaf's first rank: enough for ny - 1, at least 1. */
static int
rank_bits(size_t ny)
{
	int k = bitlen(ny > 0 ? (uint64_t)ny - 1 : 0);

	return k > 0 ? k : 1;
}

/* Bytes of a threshold index into a table of c entries. */
static int
index_bytes(size_t c)
{
	return c <= 256 ? 1 : c <= 65536 ? 2 : 4;
}

/* The order of doubles by their bits, as the radix sort uses it. */
static uint64_t
order_key(double v)
{
	uint64_t u = dbits(v);

	return u ^ ((u >> 63) ? ~0ULL : 1ULL << 63);
}

/* Per feature: the sorted distinct thresholds of its split nodes. */
struct ttab {
	double *v;
	size_t n;
};

/*
 * A hash of a table's thresholds to their indices, so that a node's index
 * costs a probe or two, not a binary search through the table.
 */
struct tidx {
	uint32_t *slot; /* index + 1; 0 empty */
	int shift;      /* 64 - log2(slots) */
};

static size_t
tidx_home(const struct tidx *x, double v)
{
	return (size_t)((dbits(v) * 0x9e3779b97f4a7c15ULL) >> x->shift);
}

/* x for t's entries, with room for want entries (want >= t->n). */
static int
tidx_sized(struct tidx *x, const struct ttab *t, size_t want)
{
	size_t n = 16, i, h;
	int lg = 4;

	while (n < 2 * want) {
		n *= 2;
		lg++;
	}
	free(x->slot);
	x->shift = 64 - lg;
	if ((x->slot = calloc(n, sizeof(*x->slot))) == NULL)
		return -1;
	for (i = 0; i < t->n; i++) {
		for (h = tidx_home(x, t->v[i]); x->slot[h] != 0;
		     h = (h + 1) & (n - 1))
			;
		x->slot[h] = (uint32_t)i + 1;
	}
	return 0;
}

static int
tidx_make(struct tidx *x, const struct ttab *t)
{
	x->slot = NULL;
	return tidx_sized(x, t, t->n);
}

/* Add v to t (capacity *cap) unless x says it is there.  0 or -1. */
static int
add_distinct(struct ttab *t, size_t *cap, struct tidx *x, double v)
{
	size_t mask, h;

	if ((x->slot == NULL ||
	        2 * (t->n + 1) > ((size_t)1 << (64 - x->shift))) &&
	    tidx_sized(x, t, 2 * (t->n + 1)) == -1)
		return -1;
	mask = ((size_t)1 << (64 - x->shift)) - 1;
	for (h = tidx_home(x, v); x->slot[h] != 0; h = (h + 1) & mask)
		if (dbits(t->v[x->slot[h] - 1]) == dbits(v))
			return 0;
	if (sc_buf_grow(&t->v, cap, t->n + 1, sizeof(*t->v), NULL) == -1)
		return -1;
	t->v[t->n++] = v;
	x->slot[h] = (uint32_t)t->n;
	return 0;
}

/*
 * Per feature, the distinct thresholds of its split nodes, sorted (by
 * value, -0.0 before 0.0): one pass over the split nodes through a hash
 * of the thresholds seen (a fitted forest has a few thousand a feature
 * among millions of nodes), then a sort of the distinct ones alone.
 */
static int
make_tables(const struct sc_forest *f, struct ttab *tab)
{
	size_t nf = sc_forest_nfeatures(f), nt = sc_forest_ntrees(f);
	size_t *cap = calloc(nf ? nf : 1, sizeof(*cap)), i, k, j, max = 0;
	struct tidx *seen = calloc(nf ? nf : 1, sizeof(*seen));
	uint64_t *tmp = NULL;
	struct sc_forest_tree t;
	int rc = -1;

	if (cap == NULL || seen == NULL)
		goto out;
	for (i = 0; i < nt; i++) {
		sc_forest_tree(f, i, &t);
		for (k = 0; k < t.nodes; k++)
			if (t.feature[k] >= 0 &&
			    add_distinct(&tab[t.feature[k]], &cap[t.feature[k]],
			        &seen[t.feature[k]], t.threshold[k]) == -1)
				goto out;
	}
	for (j = 0; j < nf; j++)
		max = tab[j].n > max ? tab[j].n : max;
	if ((tmp = malloc((max ? max : 1) * sizeof(*tmp))) == NULL)
		goto out;
	for (j = 0; j < nf; j++) {
		if (tab[j].v == NULL &&
		    (tab[j].v = malloc(sizeof(double))) == NULL)
			goto out;
		sc_forest_sort_doubles(tab[j].v, tmp, tab[j].n);
	}
	rc = 0;
out:
	for (j = 0; seen != NULL && j < nf; j++)
		free(seen[j].slot);
	free(seen);
	free(tmp);
	free(cap);
	return rc;
}

/* The index of v, which is in t. */
static size_t
find_index(const struct ttab *t, const struct tidx *x, double v)
{
	size_t mask = ((size_t)1 << (64 - x->shift)) - 1;
	size_t h = tidx_home(x, v);

	while (x->slot[h] != 0 && dbits(t->v[x->slot[h] - 1]) != dbits(v))
		h = (h + 1) & mask;
	return x->slot[h] != 0 ? x->slot[h] - 1 : 0;
}

/*
 * Non-zero when tree t's children are those its depth-first preorder
 * implies: a split's left child right after it, its right child right
 * after its left subtree.
 */
static int
is_preorder(const struct sc_forest_tree *t, uint32_t *stack)
{
	size_t i, top = 0;

	for (i = 0; i < t->nodes; i++) {
		if (i > 0 && t->feature[i - 1] >= 0) {
			if ((size_t)t->left[i - 1] != i)
				return 0;
		} else if (i > 0) {
			if (top == 0 || (size_t)t->right[stack[top - 1]] != i)
				return 0;
			top--;
		}
		if (t->feature[i] >= 0)
			stack[top++] = (uint32_t)i;
	}
	return top == 0;
}

static int
write_tree(struct bb *b, const struct sc_forest_tree *t, const struct ttab *tab,
    const struct tidx *tix, size_t ny, uint32_t *stack)
{
	struct bb r = { NULL, 0, 0, 0 };
	struct bits w = { &r, 0, 0 };
	int pre = is_preorder(t, stack), rb = rank_bits(ny), wd, sv = 0;
	size_t i, k, off = 0;
	uint32_t c, maxd;

	/* Split nodes' values are stored only when one is not +0.0. */
	for (i = 0; i < t->nodes && !sv; i++)
		sv = t->feature[i] >= 0 && dbits(t->value[i]) != 0;
	put_var(b, t->nodes);
	put_var(b, t->nranks);
	put_le(b, (pre ? 0 : LAY_CHILDREN) | (sv ? LAY_SPLITVALUES : 0), 1);
	for (i = 0; i < t->nodes; i++)
		put_var(b, (uint64_t)(t->feature[i] + 1));
	for (i = 0; i < t->nodes; i++)
		if (t->feature[i] >= 0) {
			const struct ttab *d = &tab[t->feature[i]];

			put_le(b,
			    find_index(d, &tix[t->feature[i]], t->threshold[i]),
			    index_bytes(d->n));
		}
	for (i = 0; !pre && i < t->nodes; i++)
		if (t->feature[i] >= 0) {
			put_var(b, (uint64_t)t->left[i]);
			put_var(b, (uint64_t)t->right[i]);
		}
	for (i = 0; i < t->nodes; i++)
		if (sv || t->feature[i] < 0)
			put_f64(b, t->value[i]);
	for (i = 0; i < t->nodes; i++)
		if (t->feature[i] < 0)
			put_var(b, t->count[i]);
	for (i = 0; i < t->nodes; i++) {
		if (t->feature[i] >= 0)
			continue;
		c = t->count[i];
		for (k = 1, maxd = 0; k < c; k++)
			if (t->rank[off + k] - t->rank[off + k - 1] > maxd)
				maxd = t->rank[off + k] - t->rank[off + k - 1];
		wd = bitlen(maxd) > 0 ? bitlen(maxd) : 1;
		put_bits(&w, t->rank[off], rb);
		put_bits(&w, (uint64_t)wd - 1, 5);
		for (k = 1; k < c; k++)
			put_bits(&w, t->rank[off + k] - t->rank[off + k - 1],
			    wd);
		off += c;
	}
	flush_bits(&w);
	put_var(b, r.n);
	put_bytes(b, r.p, r.n);
	free(r.p);
	return r.oom ? -1 : 0;
}

/*
 * Tree records made in parallel and written in tree order as they come:
 * a ring of REC_RING records, the tree k's in slot k % REC_RING.  A
 * thread that finishes a record and finds no one writing becomes the
 * writer: it writes (and hashes) every record ready in order, the lock
 * let go while it does, so the other threads go on making the next ones.
 * A thread waits only for its slot, when the writer is REC_RING behind.
 */
#define REC_RING 32 /* records held at once */

struct recs {
	const struct sc_forest *f;
	const struct ttab *tab;
	const struct tidx *tix;
	size_t ny, nt;
	struct sink *K;
	struct bb out[REC_RING];
	int ready[REC_RING];
	size_t written; /* records written: the next to write */
	int writing;    /* a thread is writing */
	int failed;
	pthread_mutex_t lock;
	pthread_cond_t room;
};

/* Write the ready records in order (R->lock held, let go meanwhile). */
static void
rec_write(struct recs *R)
{
	struct bb *o;

	R->writing = 1;
	while (R->written < R->nt && R->ready[R->written % REC_RING] &&
	    !R->failed) {
		o = &R->out[R->written % REC_RING];
		pthread_mutex_unlock(&R->lock);
		put_var(&R->K->b, o->n);
		sink_put(R->K, o->p, o->n);
		pthread_mutex_lock(&R->lock);
		if (R->K->b.oom || R->K->failed)
			R->failed = 1;
		R->ready[R->written++ % REC_RING] = 0;
		pthread_cond_broadcast(&R->room);
	}
	R->writing = 0;
}

static void
rec_job(void *arg, size_t k)
{
	struct recs *R = arg;
	struct sc_forest_tree t;
	struct bb *o = &R->out[k % REC_RING];
	uint32_t *stack;
	int bad;

	pthread_mutex_lock(&R->lock);
	while (k >= R->written + REC_RING && !R->failed)
		pthread_cond_wait(&R->room, &R->lock);
	bad = R->failed;
	pthread_mutex_unlock(&R->lock);
	if (bad)
		return;
	sc_forest_tree(R->f, k, &t);
	o->n = 0;
	stack = malloc((t.nodes ? t.nodes : 1) * sizeof(*stack));
	bad = stack == NULL ||
	    write_tree(o, &t, R->tab, R->tix, R->ny, stack) == -1 || o->oom;
	free(stack);
	pthread_mutex_lock(&R->lock);
	if (bad) {
		R->failed = 1;
		pthread_cond_broadcast(&R->room);
	} else {
		R->ready[k % REC_RING] = 1;
		if (!R->writing)
			rec_write(R);
	}
	pthread_mutex_unlock(&R->lock);
}

/*
 * Every tree's record after its length, so trees load in parallel; the
 * records are made on the forest's threads, and written in tree order.
 */
static int
put_trees(struct sink *K, const struct sc_forest *f, const struct ttab *tab,
    size_t ny)
{
	struct recs *R = calloc(1, sizeof(*R));
	struct sc_err e = { 0 };
	size_t nt = sc_forest_ntrees(f), nf = sc_forest_nfeatures(f), i, k;
	struct tidx *tix = calloc(nf ? nf : 1, sizeof(*tix));
	int rc = 0;

	if (R == NULL || tix == NULL) {
		free(R);
		free(tix);
		return -1;
	}
	for (i = 0; i < nf && rc == 0; i++)
		rc = tidx_make(&tix[i], &tab[i]);
	pthread_mutex_init(&R->lock, NULL);
	pthread_cond_init(&R->room, NULL);
	R->f = f;
	R->tab = tab;
	R->tix = tix;
	R->ny = ny;
	R->nt = nt;
	R->K = K;
	put_var(&K->b, nt);
	if (rc == 0 &&
	    sc_forest_parallel(f->p.threads, nt, rec_job, R, &e) == -1)
		for (k = 0; k < nt; k++) /* no threads: one at a time */
			rec_job(R, k);
	if (rc == 0 && (R->failed || R->written < nt))
		rc = -1;
	for (k = 0; k < REC_RING; k++)
		free(R->out[k].p);
	pthread_cond_destroy(&R->room);
	pthread_mutex_destroy(&R->lock);
	free(R);
	for (i = 0; i < nf; i++)
		free(tix[i].slot);
	free(tix);
	return rc == 0 && !K->b.oom && !K->failed ? 0 : -1;
}

static int
payload(struct sink *K, const struct sc_forest *f,
    const struct sc_model_meta *m, const json_t *extra)
{
	struct bb *b = &K->b;
	size_t nf = sc_forest_nfeatures(f), ny;
	size_t i, k;
	const double *y = sc_forest_targets(f, &ny);
	struct ttab *tab = calloc(nf, sizeof(*tab));
	json_t *h = sc_model_header(f, m, extra);
	char *text = NULL;
	int rc = -1;

	if (tab == NULL || h == NULL ||
	    (text = json_dumps(h, JSON_COMPACT | JSON_REAL_PRECISION(17))) ==
	        NULL ||
	    make_tables(f, tab) == -1)
		goto out;
	put_var(b, strlen(text));
	put_bytes(b, text, strlen(text));
	put_var(b, nf);
	for (i = 0; i < nf; i++) {
		put_var(b, tab[i].n);
		for (k = 0; k < tab[i].n; k++)
			put_f64(b, tab[i].v[k]);
	}
	put_var(b, ny);
	for (i = 0; i < ny; i++)
		put_f64(b, y[i]);
	sink_flush(K);
	rc = put_trees(K, f, tab, ny);
out:
	for (i = 0; tab != NULL && i < nf; i++)
		free(tab[i].v);
	free(tab);
	free(text);
	json_decref(h);
	return rc;
}

int
sc_model_write_binary(FILE *fp, const struct sc_forest *f,
    const struct sc_model_meta *m, const json_t *extra, struct sc_err *e)
{
	uint8_t sum[SC_SHA256_LEN];
	struct sink K;
	int rc = -1;

	if (!sc_forest_writable(f))
		return sc_err_set(e, SC_EUSAGE, 0,
		    "model read for predicting only: cannot be written");
	memset(&K, 0, sizeof(K));
	K.fp = fp;
	K.e = e;
	if ((K.h = sc_sha256_new(e)) == NULL)
		return -1;
	put_bytes(&K.b, SC_MODEL_MAGIC, SC_MODEL_MAGIC_LEN);
	put_le(&K.b, SC_MODEL_BIN_VERSION, 4);
	put_le(&K.b, 0, 4); /* flags */
	if (payload(&K, f, m, extra) == -1 || K.b.oom) {
		if (!K.failed)
			sc_err_set(e, SC_EOS, 0, "out of memory");
		goto out;
	}
	put_le(&K.b, K.len + K.b.n - HEAD_LEN, 8); /* the payload's length */
	sink_flush(&K);
	if (K.b.oom && !K.failed)
		sc_err_set(e, SC_EOS, 0, "out of memory");
	if (K.b.oom || K.failed || sc_sha256_final(K.h, sum, e) == -1)
		goto out;
	if (fwrite(sum, 1, sizeof(sum), fp) != sizeof(sum) || ferror(fp)) {
		sc_err_set(e, SC_EIO, 0, "write failed");
		goto out;
	}
	rc = 0;
out:
	sc_sha256_free(K.h);
	free(K.b.p);
	return rc;
}

/* Reading: a cursor over the payload that names what it reads. */
struct rd {
	const unsigned char *p, *end;
	struct sc_err *e;
};

static int
short_file(struct rd *r, const char *what)
{
	return sc_err_set(r->e, SC_EDATA, 0, "model: binary: %s: truncated",
	    what);
}

static inline int
get_le(struct rd *r, int bytes, uint64_t *v, const char *what)
{
	const unsigned char *p = r->p;

	*v = 0;
	if (r->end - p < bytes)
		return short_file(r, what);
	/* The usual widths as single loads (a threshold index, a double). */
	if (bytes == 1)
		*v = p[0];
	else if (bytes == 2)
		*v = (uint64_t)p[0] | (uint64_t)p[1] << 8;
	else if (bytes == 4)
		*v = (uint64_t)p[0] | (uint64_t)p[1] << 8 |
		    (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24;
	else if (bytes == 8)
		*v = (uint64_t)p[0] | (uint64_t)p[1] << 8 |
		    (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24 |
		    (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 |
		    (uint64_t)p[6] << 48 | (uint64_t)p[7] << 56;
	else
		for (int i = 0; i < bytes; i++)
			*v |= (uint64_t)p[i] << (8 * i);
	r->p += bytes;
	return 0;
}

/* get_var() past its first byte: the long form, and every refusal. */
static int
get_var_long(struct rd *r, uint64_t max, uint64_t *v, const char *what)
{
	int shift = 0;
	unsigned char c;

	*v = 0;
	do {
		if (r->p >= r->end)
			return short_file(r, what);
		c = *r->p++;
		if (shift == 63 && (c & 0x7e) != 0)
			return sc_err_set(r->e, SC_EDATA, 0,
			    "model: binary: %s: number too large", what);
		*v |= (uint64_t)(c & 0x7f) << shift;
		shift += 7;
	} while ((c & 0x80) && shift < 64);
	if (c & 0x80 || (c == 0 && shift > 7))
		return sc_err_set(r->e, SC_EDATA, 0,
		    "model: binary: %s: bad number", what);
	if (*v > max)
		return sc_err_set(r->e, SC_EDATA, 0,
		    "model: binary: %s: %llu out of range", what,
		    (unsigned long long)*v);
	return 0;
}

/*
 * An unsigned LEB128 number of at most max, in its shortest form; the
 * common case of one byte (a feature, a count, a child) inline.
 */
static inline int
get_var(struct rd *r, uint64_t max, uint64_t *v, const char *what)
{
	if (r->p < r->end && *r->p < 0x80 && *r->p <= max) {
		*v = *r->p++;
		return 0;
	}
	return get_var_long(r, max, v, what);
}

static size_t
left(const struct rd *r)
{
	return (size_t)(r->end - r->p);
}

static inline int
get_f64(struct rd *r, double *v, const char *what)
{
	uint64_t u;

	if (get_le(r, 8, &u, what) == -1)
		return -1;
	memcpy(v, &u, sizeof(*v));
	return 0;
}

/* An array of n doubles, n checked against the bytes left first. */
static int
get_f64s(struct rd *r, size_t n, double **out, const char *what)
{
	size_t i;

	if (n > left(r) / 8)
		return short_file(r, what);
	if ((*out = malloc((n ? n : 1) * sizeof(double))) == NULL)
		return sc_err_set(r->e, SC_EOS, 0, "out of memory");
	for (i = 0; i < n; i++)
		(void)get_f64(r, &(*out)[i], what);
	return 0;
}

/* Reading the rank bit stream: a 64-bit window refilled a byte at a time. */
struct bitr {
	const unsigned char *p, *end;
	uint64_t acc;
	int n; /* bits in acc */
};

/* Eight bytes from p, least significant first, whatever the host's order. */
static inline uint64_t
load_le64(const unsigned char *p)
{
	return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 |
	    (uint64_t)p[3] << 24 | (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 |
	    (uint64_t)p[6] << 48 | (uint64_t)p[7] << 56;
}

/*
 * The next k (0..32) bits into *v; -1 when the stream ends first.  With
 * eight bytes left the window is filled by one load: the bits it takes
 * past the whole bytes it counts are the stream's own next bits, in their
 * places, so the next fill ORs the same bits over them.
 */
static inline int
get_bits(struct bitr *b, int k, uint64_t *v)
{
	if (b->n < k) {
		if (b->end - b->p >= 8) {
			b->acc |= load_le64(b->p) << b->n;
			b->p += (63 - b->n) >> 3;
			b->n |= 56;
		}
		while (b->n <= 56 && b->p < b->end) {
			b->acc |= (uint64_t)*b->p++ << b->n;
			b->n += 8;
		}
		if (b->n < k)
			return -1;
	}
	*v = k == 0 ? 0 : b->acc & (~0ULL >> (64 - k));
	b->acc = k == 64 ? 0 : b->acc >> k;
	b->n -= k;
	return 0;
}

static int
tree_err(struct rd *r, size_t ti, const char *why)
{
	return sc_err_set(r->e, SC_EDATA, 0, "model: binary: tree %zu: %s", ti,
	    why);
}

/* Children from the preorder layout; -1 when it is not a tree. */
static int
preorder_children(struct tarr *a, uint32_t *stack)
{
	size_t i, n = a->n[0], top = 0;

	for (i = 0; i < n; i++) {
		a->left[i] = a->right[i] = -1;
		if (i > 0 && a->feature[i - 1] >= 0)
			a->left[i - 1] = (int32_t)i;
		else if (i > 0) {
			if (top == 0)
				return -1;
			a->right[stack[--top]] = (int32_t)i;
		}
		if (a->feature[i] >= 0)
			stack[top++] = (uint32_t)i;
	}
	return top == 0 ? 0 : -1;
}

/*
 * The rank bit stream of a tree into rank: count[0..n) gives each leaf's
 * ranks in order (0 for a split, which has none), already checked to add
 * up to what rank holds.
 */
static int
read_ranks(struct rd *r, size_t ti, const uint32_t *count, size_t n,
    uint32_t *rank, size_t ny)
{
	struct bitr b;
	uint64_t nb, v, wd;
	size_t i, k, off = 0;
	int rb = rank_bits(ny);

	if (get_var(r, left(r), &nb, "rank bits") == -1)
		return -1;
	b.p = r->p;
	b.end = r->p + nb;
	b.acc = 0;
	b.n = 0;
	r->p += nb;
	for (i = 0; i < n; i++) {
		if (count[i] == 0)
			continue;
		if (get_bits(&b, rb, &v) == -1 || get_bits(&b, 5, &wd) == -1)
			return tree_err(r, ti, "rank bits: truncated");
		if (v >= ny)
			return tree_err(r, ti, "rank out of range");
		rank[off] = (uint32_t)v;
		for (k = 1; k < count[i]; k++) {
			uint64_t d;

			if (get_bits(&b, (int)wd + 1, &d) == -1)
				return tree_err(r, ti, "rank bits: truncated");
			if (d >= ny - rank[off + k - 1])
				return tree_err(r, ti, "rank out of range");
			rank[off + k] = rank[off + k - 1] + (uint32_t)d;
		}
		off += count[i];
	}
	/* Only the zero padding of the last byte may be left. */
	if (b.p != b.end || b.n >= 8 || b.acc != 0)
		return tree_err(r, ti, "rank bits: bytes left over");
	return 0;
}

/* A tree record's node and rank counts and its layout. */
static int
tree_head(struct rd *r, size_t ti, const size_t *budget, uint64_t *nodes,
    uint64_t *nranks, uint64_t *lay)
{
	/* A node takes at least 2 bytes (its kind, a threshold or a count). */
	if (get_var(r, budget[0], nodes, "nodes") == -1 ||
	    get_var(r, budget[1], nranks, "ranks") == -1 ||
	    get_le(r, 1, lay, "layout") == -1)
		return -1;
	if (*nodes == 0 || *nodes > left(r) / 2)
		return tree_err(r, ti, "node count out of range");
	if (*lay > (LAY_CHILDREN | LAY_SPLITVALUES))
		return tree_err(r, ti, "unknown layout");
	return 0;
}

static int
read_tree(struct rd *r, size_t ti, struct tarr *a, const struct ttab *tab,
    size_t nf, size_t ny, int ranks, int thr_values, size_t *budget)
{
	uint64_t nodes, nranks, lay, v;
	uint32_t *stack = NULL;
	size_t i, n, leaves = 0, sum = 0;
	int rc = -1, thr;

	if (tree_head(r, ti, budget, &nodes, &nranks, &lay) == -1)
		return -1;
	/*
	 * Predicting only: a tree in preorder needs no threshold values (the
	 * walk has the indices, the check is done here); the view then has
	 * none.
	 */
	thr = thr_values || (lay & LAY_CHILDREN);
	n = (size_t)nodes;
	a->n[0] = a->n[1] = a->n[2] = a->n[3] = a->n[4] = a->n[5] = n;
	a->n[6] = (size_t)nranks;
	if ((a->feature = malloc(n * 4)) == NULL ||
	    (a->left = malloc(n * 4)) == NULL ||
	    (a->right = malloc(n * 4)) == NULL ||
	    (thr && (a->threshold = calloc(n, 8)) == NULL) ||
	    (a->value = malloc(n * 8)) == NULL ||
	    (a->count = calloc(n, 4)) == NULL ||
	    (a->tidx = calloc(n, 4)) == NULL || (stack = malloc(n * 4)) == NULL)
		goto oom;
	for (i = 0; i < n; i++) {
		if (get_var(r, nf, &v, "feature") == -1)
			goto out;
		a->feature[i] = (int32_t)v - 1;
		leaves += v == 0;
	}
	for (i = 0; i < n; i++)
		if (a->feature[i] >= 0) {
			const struct ttab *d = &tab[a->feature[i]];

			if (get_le(r, index_bytes(d->n), &v, "threshold") == -1)
				goto out;
			if (v >= d->n) {
				tree_err(r, ti, "threshold index out of range");
				goto out;
			}
			if (thr)
				a->threshold[i] = d->v[v];
			a->tidx[i] = (uint32_t)v;
		}
	if (!(lay & LAY_CHILDREN)) {
		if (preorder_children(a, stack) == -1) {
			tree_err(r, ti, "not a tree in preorder");
			goto out;
		}
	} else
		for (i = 0; i < n; i++) {
			a->left[i] = a->right[i] = -1;
			if (a->feature[i] < 0)
				continue;
			if (get_var(r, INT32_MAX, &v, "left") == -1)
				goto out;
			a->left[i] = (int32_t)v;
			if (get_var(r, INT32_MAX, &v, "right") == -1)
				goto out;
			a->right[i] = (int32_t)v;
		}
	for (i = 0; i < n; i++) {
		a->value[i] = 0;
		if ((lay & LAY_SPLITVALUES || a->feature[i] < 0) &&
		    get_f64(r, &a->value[i], "value") == -1)
			goto out;
		if (!isfinite(a->value[i])) {
			sc_err_set(r->e, SC_EDATA, 0,
			    "model: tree %zu: node %zu: threshold or value not "
			    "a finite number",
			    ti, i);
			goto out;
		}
	}
	for (i = 0; i < n; i++)
		if (a->feature[i] < 0) {
			if (get_var(r, UINT32_MAX, &v, "count") == -1)
				goto out;
			if (v == 0) {
				tree_err(r, ti, "a leaf without ranks");
				goto out;
			}
			a->count[i] = (uint32_t)v;
			sum += (size_t)v;
		}
	/* Each rank after a leaf's first takes at least one bit. */
	if (sum != nranks || nranks - leaves > left(r) * 8) {
		tree_err(r, ti, "counts do not add up to the ranks");
		goto out;
	}
	if (!ranks) {
		/* Not wanted: the stream is skipped, not decoded. */
		if (get_var(r, left(r), &v, "rank bits") == -1)
			goto out;
		r->p += v;
	} else if ((a->rank = malloc((nranks ? nranks : 1) * 4)) == NULL)
		goto oom;
	else if (read_ranks(r, ti, a->count, n, a->rank, ny) == -1)
		goto out;
	budget[0] -= n;
	budget[1] -= (size_t)nranks;
	/*
	 * A tree in preorder is now known to be what the forest's own check
	 * wants: children from the preorder (each node but the root one
	 * parent's child, after it), leaves without children, threshold +0.0
	 * and at least one rank, splits without ranks and with thresholds from
	 * a finite table, features in range, values finite, ranks sorted
	 * below ny (or not read), adding up.  The forest skips that check.
	 */
	a->checked = !(lay & LAY_CHILDREN);
	rc = 0;
	goto out;
oom:
	sc_err_set(r->e, SC_EOS, 0, "out of memory");
out:
	free(stack);
	return rc;
}

/* Node p of the walking layout: a split, or a leaf (its own child). */
static inline void
walk_node(struct tree *t, size_t p, uint32_t feat, uint32_t kids)
{
	if (t->wn != NULL) {
		t->wn[p].feat = feat;
		t->wn[p].thr = WALK_LEAF32; /* a leaf's, or until the split's */
		t->wn[p].kids = kids;
	} else {
		t->cn[p].feat = (uint16_t)feat;
		t->cn[p].thr = WALK_LEAF16;
		t->cn[p].kids = kids;
	}
}

/*
 * Predicting only, a tree in preorder straight into the walking layout
 * (sc_forest_int.h), as sc_forest_layout() would lay it out: a node's
 * place is known once its parent's is (a split's children are the next
 * free pair, the left one next in preorder, the right one after the left
 * subtree), so each column is written where the walk reads it and leaves
 * are numbered in preorder, and the arrays read_tree() fills are never
 * made.  It refuses exactly what read_tree() refuses (a refused tree is
 * read again by read_tree() for its message).  Returns 0 with a->packed,
 * 1 for a tree with its children given (read_tree() reads it), or -1.
 */
/* n bytes from slab s (adding bit to *in), or else from malloc. */
static void *
walk_alloc(struct sc_slab *s, size_t n, int *in, int bit)
{
	void *p = sc_slab_take(s, n);

	if (p != NULL) {
		*in |= bit;
		return p;
	}
	return malloc(n ? n : 1);
}

static int
read_walk(struct rd *r, size_t ti, struct tarr *a, const struct ttab *tab,
    size_t nf, size_t ny, int ranks, int wide, size_t *budget,
    struct sc_slab *slab)
{
	const unsigned char *start = r->p;
	uint64_t nodes, nranks, lay, v;
	int32_t *feat = NULL;
	uint32_t *pos = NULL, *stack = NULL, *lc = NULL, *lk = NULL, kids = 0;
	struct tree *t = NULL;
	size_t i, n, w, top = 0, next = 1, nl = 0, sum = 0;
	double x;
	int rc = -1, ok = 1;

	if (tree_head(r, ti, budget, &nodes, &nranks, &lay) == -1)
		return -1;
	if (lay & LAY_CHILDREN) {
		r->p = start;
		return 1;
	}
	n = (size_t)nodes;
	w = (n + 31) / 32;
	if ((feat = malloc(n * sizeof(*feat))) == NULL ||
	    (pos = malloc(n * sizeof(*pos))) == NULL ||
	    (stack = malloc(n * sizeof(*stack))) == NULL ||
	    (t = calloc(1, sizeof(*t))) == NULL ||
	    (wide ? (t->wn = walk_alloc(slab, n * sizeof(*t->wn), &t->inslab,
	                 SLAB_NODES)) == NULL
	          : (t->cn = walk_alloc(slab, n * sizeof(*t->cn), &t->inslab,
	                 SLAB_NODES)) == NULL) ||
	    (t->lr = walk_alloc(slab, w * sizeof(*t->lr), &t->inslab,
	         SLAB_LRANK)) == NULL)
		goto oom;
	memset(t->lr, 0, w * sizeof(*t->lr));
	/* Features, and each node's place while the preorder holds. */
	for (i = 0; i < n; i++) {
		if (get_var(r, nf, &v, "feature") == -1)
			goto out;
		feat[i] = (int32_t)v - 1;
		nl += v == 0;
		if (!ok)
			continue;
		if (i == 0)
			pos[i] = 0;
		else if (feat[i - 1] >= 0)
			pos[i] = kids; /* the left child */
		else if (top > 0)
			pos[i] = stack[--top]; /* the right child of a split */
		else {
			ok = 0; /* nodes after a whole tree */
			continue;
		}
		if (v == 0) {
			walk_node(t, pos[i], 0, pos[i]);
			t->lr[pos[i] / 32].bits |= 1U << (pos[i] % 32);
			continue;
		}
		if (next + 2 > n) {
			ok = 0; /* more splits than leaves can close */
			continue;
		}
		kids = (uint32_t)next;
		walk_node(t, pos[i], (uint32_t)v - 1, kids);
		stack[top++] = kids + 1;
		next += 2;
	}
	ok = ok && top == 0 && sc_forest_lrank_count(t->lr, w) == nl;
	for (i = 0; i < n; i++)
		if (feat[i] >= 0) {
			const struct ttab *d = &tab[feat[i]];

			if (get_le(r, index_bytes(d->n), &v, "threshold") == -1)
				goto out;
			if (v >= d->n) {
				tree_err(r, ti, "threshold index out of range");
				goto out;
			}
			if (ok && wide)
				t->wn[pos[i]].thr = (uint32_t)v;
			else if (ok)
				t->cn[pos[i]].thr = (uint16_t)v;
		}
	if (!ok) {
		tree_err(r, ti, "not a tree in preorder");
		goto out;
	}
	/*
	 * Leaves come in preorder and are numbered in the order of their
	 * places: lk[k] is the number of the k-th in preorder.
	 */
	t->nleaves = nl;
	if ((t->lval = walk_alloc(slab, nl * sizeof(*t->lval), &t->inslab,
	         SLAB_LVAL)) == NULL ||
	    (ranks &&
	        (t->lref = walk_alloc(slab, nl * sizeof(*t->lref), &t->inslab,
	             SLAB_LREF)) == NULL) ||
	    (lc = malloc((nl ? nl : 1) * sizeof(*lc))) == NULL ||
	    (lk = malloc((nl ? nl : 1) * sizeof(*lk))) == NULL)
		goto oom;
	for (i = 0, nl = 0; i < n; i++) {
		x = 0;
		if ((lay & LAY_SPLITVALUES || feat[i] < 0) &&
		    get_f64(r, &x, "value") == -1)
			goto out;
		if (!isfinite(x)) {
			sc_err_set(r->e, SC_EDATA, 0,
			    "model: tree %zu: node %zu: threshold or value not "
			    "a finite number",
			    ti, i);
			goto out;
		}
		if (feat[i] < 0) {
			lk[nl] = leaf_number(t->lr, pos[i]);
			t->lval[lk[nl++]] = x;
		}
	}
	for (i = 0; i < nl; i++) {
		if (get_var(r, UINT32_MAX, &v, "count") == -1)
			goto out;
		if (v == 0) {
			tree_err(r, ti, "a leaf without ranks");
			goto out;
		}
		if (t->lref != NULL) {
			t->lref[lk[i]][0] = (uint32_t)sum;
			t->lref[lk[i]][1] = (uint32_t)v;
		}
		lc[i] = (uint32_t)v;
		sum += (size_t)v;
	}
	if (sum != nranks || nranks - nl > left(r) * 8) {
		tree_err(r, ti, "counts do not add up to the ranks");
		goto out;
	}
	if (!ranks) {
		if (get_var(r, left(r), &v, "rank bits") == -1)
			goto out;
		r->p += v;
	} else if ((t->rank = walk_alloc(slab, (size_t)nranks * 4, &t->inslab,
	                SLAB_RANK)) == NULL)
		goto oom;
	else if (read_ranks(r, ti, lc, nl, t->rank, ny) == -1)
		goto out;
	budget[0] -= n;
	budget[1] -= (size_t)nranks;
	t->n = t->cap = n;
	t->nranks = t->rcap = (size_t)nranks;
	a->n[0] = n;
	a->n[6] = (size_t)nranks;
	a->checked = 1;
	a->packed = t;
	t = NULL;
	rc = 0;
	goto out;
oom:
	sc_err_set(r->e, SC_EOS, 0, "out of memory");
out:
	sc_forest_packed_free(t);
	free(feat);
	free(pos);
	free(stack);
	free(lc);
	free(lk);
	return rc;
}

/*
 * The threshold tables, into one array (P->thr, offsets P->toff) that the
 * forest takes as it is; tab[j] points at feature j's.
 */
static int
read_tables(struct rd *r, struct ttab *tab, size_t nf, struct parsed *P)
{
	const unsigned char *at = r->p;
	uint64_t c;
	size_t j, k, total = 0;

	/* The sizes first (every count checked against the bytes left). */
	for (j = 0; j < nf; j++) {
		if (get_var(r, left(r) / 8, &c, "thresholds") == -1)
			return -1;
		r->p += (size_t)c * 8;
		total += (size_t)c;
	}
	r->p = at;
	if ((P->thr = malloc((total ? total : 1) * sizeof(double))) == NULL ||
	    (P->toff = malloc((nf + 1) * sizeof(size_t))) == NULL)
		return sc_err_set(r->e, SC_EOS, 0, "out of memory");
	for (j = 0, total = 0; j < nf; j++) {
		(void)get_var(r, left(r) / 8, &c, "thresholds");
		P->toff[j] = total;
		tab[j].v = P->thr + total;
		tab[j].n = (size_t)c;
		for (k = 0; k < tab[j].n; k++)
			(void)get_f64(r, &tab[j].v[k], "thresholds");
		total += tab[j].n;
		for (k = 0; k < tab[j].n; k++)
			if (!isfinite(tab[j].v[k]) ||
			    (k > 0 &&
			        order_key(tab[j].v[k]) <=
			            order_key(tab[j].v[k - 1])))
				return sc_err_set(r->e, SC_EDATA, 0,
				    "model: binary: thresholds of feature "
				    "%zu: not finite or not increasing",
				    j);
	}
	P->toff[nf] = total;
	return 0;
}

/* The embedded JSON object: every member but targets and trees. */
static int
read_head(struct rd *r, struct parsed *P)
{
	json_error_t je;
	uint64_t n;

	if (get_var(r, left(r), &n, "header") == -1)
		return -1;
	P->root = json_loadb((const char *)r->p, (size_t)n,
	    JSON_REJECT_DUPLICATES, &je);
	r->p += n;
	if (P->root == NULL || !json_is_object(P->root))
		return sc_err_set(r->e, SC_EDATA, 0,
		    "model: binary: header: not a JSON object: %s",
		    P->root == NULL ? je.text : "");
	if (json_object_get(P->root, "targets") != NULL ||
	    json_object_get(P->root, "trees") != NULL)
		return sc_err_set(r->e, SC_EDATA, 0,
		    "model: binary: header: targets or trees in it");
	return 0;
}

/*
 * Give back the pages of a file mapping that starts at base (page-aligned;
 * NULL: not a mapping) before p: they are read again from the page cache
 * if need be, and a check of a big file keeps a small RSS.
 */
static void
drop_before(const unsigned char *base, const unsigned char *p)
{
	long pg = sysconf(_SC_PAGESIZE);
	size_t n;

	if (base == NULL || pg <= 0)
		return;
	n = (size_t)(p - base) / (size_t)pg * (size_t)pg;
	if (n > 0)
		(void)madvise((void *)base, n, MADV_DONTNEED);
}

/*
 * The framing of the binary form in buf[0..len) (the magic checked): the
 * version (*ver), the flags and the payload's length, and the payload into
 * *r.  Version 2 is the header, the payload and the trailer; version 1
 * (before 2026-12) a header with the length and the payload's SHA-256
 * and the payload.  0, or -1 with SC_EDATA.
 */
static int
frame(const unsigned char *buf, size_t len, struct rd *r, int *ver,
    struct sc_err *e)
{
	struct rd h = { buf + SC_MODEL_MAGIC_LEN, buf + len, e };
	uint64_t v, flags, plen;
	size_t head, tail;

	if (len < HEAD_LEN)
		return sc_err_set(e, SC_EDATA, 0,
		    "model: binary: header: truncated");
	(void)get_le(&h, 4, &v, "version");
	(void)get_le(&h, 4, &flags, "flags");
	if (v != 1 && v != SC_MODEL_BIN_VERSION)
		return sc_err_set(e, SC_EDATA, 0,
		    "model: binary: version %llu, not 1 or %d (a model from "
		    "another release?)",
		    (unsigned long long)v, SC_MODEL_BIN_VERSION);
	if (flags != 0)
		return sc_err_set(e, SC_EDATA, 0,
		    "model: binary: unknown flags");
	head = v == 1 ? HEAD1_LEN : HEAD_LEN;
	tail = v == 1 ? 0 : TAIL_LEN;
	if (len < head + tail)
		return sc_err_set(e, SC_EDATA, 0,
		    "model: binary: %s: truncated",
		    v == 1 ? "header" : "trailer");
	h.p = v == 1 ? buf + 16 : buf + len - TAIL_LEN;
	(void)get_le(&h, 8, &plen, "length");
	if (plen != len - head - tail)
		return sc_err_set(e, SC_EDATA, 0,
		    "model: binary: %zu payload bytes, the %s says %llu "
		    "(truncated?)",
		    len - head - tail, v == 1 ? "header" : "trailer",
		    (unsigned long long)plen);
	r->p = buf + head;
	r->end = buf + len - tail;
	r->e = e;
	*ver = (int)v;
	return 0;
}

/*
 * The checksum of the framed binary form buf[0..len) of version ver:
 * version 2's covers every byte before it, so the one pass that checks it
 * also gives the SHA-256 of the whole file into file_sum (when not NULL;
 * *summed set); version 1's covers the payload only.  A MiB at a time,
 * giving back the pages of a mapping from base (may be NULL) as it goes.
 * 0, or -1 with SC_EDATA ("checksum mismatch") or SC_EOS.
 */
static int
verify(const unsigned char *buf, size_t len, int ver, const unsigned char *base,
    uint8_t *file_sum, int *summed, struct sc_err *e)
{
	const unsigned char *p = ver == 1 ? buf + HEAD1_LEN : buf;
	const unsigned char *want = ver == 1 ? buf + 24 : buf + len - 32;
	size_t n = ver == 1 ? len - HEAD1_LEN : len - 32, k, c;
	struct sc_sha256 *h = sc_sha256_new(e), *d = NULL;
	uint8_t sum[SC_SHA256_LEN];
	int rc = h == NULL ? -1 : 0;

	for (k = 0; rc == 0 && k < n; k += c) {
		c = n - k < ((size_t)1 << 20) ? n - k : (size_t)1 << 20;
		rc = sc_sha256_update(h, p + k, c, e);
		drop_before(base, p + k + c);
	}
	if (rc == 0 && ver != 1 && file_sum != NULL &&
	    (d = sc_sha256_dup(h, e)) == NULL)
		rc = -1;
	if (rc == 0)
		rc = sc_sha256_final(h, sum, e);
	if (rc == 0 && memcmp(sum, want, sizeof(sum)) != 0)
		rc = sc_err_set(e, SC_EDATA, 0,
		    "model: binary: checksum mismatch (a damaged file)");
	if (rc == 0 && d != NULL &&
	    (rc = sc_sha256_update(d, want, SC_SHA256_LEN, e)) == 0 &&
	    (rc = sc_sha256_final(d, file_sum, e)) == 0)
		*summed = 1;
	sc_sha256_free(h);
	sc_sha256_free(d);
	return rc;
}

/* verify() on a thread of its own, beside the decoding. */
struct vjob {
	const unsigned char *buf;
	size_t len;
	int ver, rc, summed;
	uint8_t *file_sum;
	struct sc_err e;
};

static void *
verify_job(void *arg)
{
	struct vjob *V = arg;

	V->rc = verify(V->buf, V->len, V->ver, NULL, V->file_sum, &V->summed,
	    &V->e);
	return NULL;
}

/* Decoding the trees' records in parallel. */
struct trec {
	const unsigned char *p, *end;
};

struct tjob {
	struct parsed *P;
	const struct ttab *tab;
	size_t nf;
	int wide; /* the forest's walking layout (sc_forest_wide()) */
	struct trec *rec;
	int *rc;
};

/* Free what a refused tree's decoding left, for a second reading. */
static void
tarr_clear(struct tarr *a)
{
	free(a->feature);
	free(a->left);
	free(a->right);
	free(a->threshold);
	free(a->value);
	free(a->count);
	free(a->rank);
	free(a->tidx);
	sc_forest_packed_free(a->packed);
	memset(a, 0, sizeof(*a));
}

/* Tree k's record into *a: all of it, nothing after. */
static int
read_record(struct tjob *J, size_t k, struct tarr *a, struct sc_err *e)
{
	struct rd r = { J->rec[k].p, J->rec[k].end, e };
	size_t budget[2] = { SC_MODEL_MAXNODES, SC_MODEL_MAXRANKS };

	if (read_tree(&r, k, a, J->tab, J->nf, J->P->ny, !J->P->no_ranks,
	        !J->P->no_thr, budget) == -1)
		return -1;
	if (r.p != r.end)
		return tree_err(&r, k, "bytes left in its record");
	return 0;
}

/*
 * Tree k's record into *a: predicting only, laid out for walking at once
 * (read_walk()) unless its children are given.
 */
static int
read_record_walk(struct tjob *J, size_t k, struct tarr *a, struct sc_err *e)
{
	struct rd r = { J->rec[k].p, J->rec[k].end, e };
	size_t budget[2] = { SC_MODEL_MAXNODES, SC_MODEL_MAXRANKS };
	int rc = read_walk(&r, k, a, J->tab, J->nf, J->P->ny, !J->P->no_ranks,
	    J->wide, budget, J->P->slab);

	if (rc == 1)
		return read_record(J, k, a, e);
	if (rc == -1)
		return -1;
	if (r.p != r.end)
		return tree_err(&r, k, "bytes left in its record");
	return 0;
}

static void
tree_job(void *arg, size_t k)
{
	struct tjob *J = arg;
	struct tarr *a = &J->P->trees[k];
	struct sc_err e = { 0 };

	if ((J->P->no_thr ? read_record_walk(J, k, a, &e)
	                  : read_record(J, k, a, &e)) == 0)
		J->rc[k] = 0;
	else
		J->rc[k] = e.code == SC_EOS ? 2 : 1;
}

int
sc_model_bin_parse(const unsigned char *buf, size_t len, struct parsed *P,
    struct sc_err *e)
{
	struct rd r;
	size_t budget[2] = { SC_MODEL_MAXNODES, SC_MODEL_MAXRANKS };
	size_t want, nsz;
	struct ttab *tab = NULL;
	struct tjob J;
	struct vjob V;
	pthread_t vt;
	uint64_t nf = 0, ny, nt, j;
	int rc = -1, ver, verifying;

	memset(&J, 0, sizeof(J));
	memset(&V, 0, sizeof(V));
	if (frame(buf, len, &r, &ver, e) == -1)
		return -1;
	/*
	 * The checksum is checked beside the decoding, which refuses any
	 * garbage by itself; a mismatch is then the error, whatever the
	 * decoding made of the bytes.
	 */
	V.buf = buf;
	V.len = len;
	V.ver = ver;
	V.file_sum = P->file_sum;
	verifying = pthread_create(&vt, NULL, verify_job, &V) == 0;
	if (!verifying)
		(void)verify_job(&V);
	if (read_head(&r, P) == -1 ||
	    get_var(&r, MAX_FEATURES, &nf, "features") == -1)
		goto out;
	if ((tab = calloc(nf ? nf : 1, sizeof(*tab))) == NULL) {
		sc_err_set(e, SC_EOS, 0, "out of memory");
		goto out;
	}
	if (read_tables(&r, tab, (size_t)nf, P) == -1 ||
	    get_var(&r, SC_MODEL_MAXRANKS, &ny, "targets") == -1 ||
	    get_f64s(&r, (size_t)ny, &P->ytab, "targets") == -1)
		goto out;
	P->ny = (size_t)ny;
	P->have_targets = 1;
	if (get_var(&r, MAX_TREES, &nt, "trees") == -1)
		goto out;
	if (nt > left(&r) / 12) {
		short_file(&r, "trees");
		goto out;
	}
	if ((P->trees = calloc(nt ? nt : 1, sizeof(*P->trees))) == NULL) {
		sc_err_set(e, SC_EOS, 0, "out of memory");
		goto out;
	}
	P->have_trees = 1;
	P->ntrees = (size_t)nt; /* whatever is read is freed with P */
	if ((J.rec = calloc(nt ? nt : 1, sizeof(*J.rec))) == NULL ||
	    (J.rc = calloc(nt ? nt : 1, sizeof(*J.rc))) == NULL) {
		sc_err_set(e, SC_EOS, 0, "out of memory");
		goto out;
	}
	/* The records, and the nodes and ranks in all, before any decoding. */
	J.wide = sc_forest_wide((size_t)nf, P->toff);
	nsz = J.wide ? sizeof(struct wnode) : sizeof(struct cnode);
	for (j = 0, want = 0; j < nt; j++) {
		struct rd t;
		uint64_t n, nodes, nranks;

		if (get_var(&r, left(&r), &n, "tree length") == -1)
			goto out;
		t.p = J.rec[j].p = r.p;
		t.end = J.rec[j].end = r.p + n;
		t.e = e;
		r.p += n;
		if (get_var(&t, budget[0], &nodes, "nodes") == -1 ||
		    get_var(&t, budget[1], &nranks, "ranks") == -1)
			goto out;
		budget[0] -= (size_t)nodes;
		budget[1] -= (size_t)nranks;
		/* What read_walk() takes, a leaf counted for every node. */
		want += SLAB_SPAN((size_t)nodes * nsz) +
		    SLAB_SPAN(
		        ((size_t)nodes + 31) / 32 * sizeof(struct lrank)) +
		    SLAB_SPAN((size_t)nodes * sizeof(double)) +
		    SLAB_SPAN(P->no_ranks ? 0 : (size_t)nodes * 8) +
		    SLAB_SPAN(P->no_ranks ? 0 : (size_t)nranks * 4);
	}
	if (r.p != r.end) {
		sc_err_set(e, SC_EDATA, 0,
		    "model: binary: bytes after the last tree");
		goto out;
	}
	J.P = P;
	J.tab = tab;
	J.nf = (size_t)nf;
	if (P->no_thr)
		P->slab = sc_slab_new(want);
	if (sc_forest_parallel(0, (size_t)nt, tree_job, &J, e) == -1)
		goto out;
	/* The first tree refused, read again for its message: deterministic. */
	for (j = 0; j < nt; j++)
		if (J.rc[j] == 2) {
			sc_err_set(e, SC_EOS, 0, "out of memory");
			goto out;
		} else if (J.rc[j] != 0) {
			tarr_clear(&P->trees[j]);
			if (read_record(&J, (size_t)j, &P->trees[j], e) == 0)
				sc_err_set(e, SC_EDATA, 0,
				    "model: binary: tree %zu refused",
				    (size_t)j);
			goto out;
		}
	/* The features the trees index are the header's. */
	if (json_array_size(json_object_get(P->root, "features")) != nf) {
		sc_err_set(e, SC_EDATA, 0,
		    "model: binary: threshold tables not one per feature");
		goto out;
	}
	rc = 0;
out:
	if (verifying)
		pthread_join(vt, NULL);
	if (V.rc == -1) {
		*e = V.e;
		rc = -1;
	}
	P->summed = rc == 0 && V.summed;
	free(tab); /* the tables are P's */
	free(J.rec);
	free(J.rc);
	return rc;
}

/* The targets: finite and increasing (check_parts), not kept. */
static int
check_targets(struct rd *r, size_t ny)
{
	double v, prev = 0;
	size_t i;

	if (ny > left(r) / 8)
		return short_file(r, "targets");
	for (i = 0; i < ny; i++) {
		(void)get_f64(r, &v, "targets");
		if (!isfinite(v) || (i > 0 && !(v > prev)))
			return sc_err_set(r->e, SC_EDATA, 0,
			    "model: targets[%zu]: not finite or not increasing",
			    i);
		prev = v;
	}
	return 0;
}

/* Tree k's record decoded and checked as sc_model_build() would, then freed. */
static int
check_record(struct tjob *J, size_t k, size_t ny, struct sc_err *e)
{
	struct tarr *a = &J->P->trees[0];
	struct sc_forest_tree v;
	int rc;

	rc = read_record(J, k, a, e);
	if (rc == 0) {
		v.nodes = a->n[0];
		v.feature = a->feature;
		v.threshold = a->threshold;
		v.left = a->left;
		v.right = a->right;
		v.value = a->value;
		v.count = a->count;
		v.nranks = a->n[6];
		v.rank = a->rank;
		if ((rc = sc_forest_check_tree(&v, k, J->nf, ny, e)) == -1 &&
		    e->code == SC_EDATA)
			sc_err_prefix(e, "model");
	}
	tarr_clear(a);
	return rc;
}

int
sc_model_bin_check(const unsigned char *buf, size_t len,
    const unsigned char *base, json_t **root, size_t *ntrees, size_t *ny,
    struct sc_err *e)
{
	struct rd r;
	size_t budget[2] = { SC_MODEL_MAXNODES, SC_MODEL_MAXRANKS };
	struct parsed P;
	struct tarr one;
	struct ttab *tab = NULL;
	struct tjob J;
	uint64_t nf = 0, nt = 0, j;
	int rc = -1, ver, summed = 0;

	memset(&P, 0, sizeof(P));
	memset(&J, 0, sizeof(J));
	memset(&one, 0, sizeof(one));
	*root = NULL;
	if (frame(buf, len, &r, &ver, e) == -1 ||
	    verify(buf, len, ver, base, NULL, &summed, e) == -1 ||
	    read_head(&r, &P) == -1 ||
	    get_var(&r, MAX_FEATURES, &nf, "features") == -1)
		goto out;
	if ((tab = calloc(nf ? nf : 1, sizeof(*tab))) == NULL) {
		sc_err_set(e, SC_EOS, 0, "out of memory");
		goto out;
	}
	if (read_tables(&r, tab, (size_t)nf, &P) == -1 ||
	    get_var(&r, SC_MODEL_MAXRANKS, &j, "targets") == -1 ||
	    check_targets(&r, (size_t)j) == -1)
		goto out;
	*ny = (size_t)j;
	if (get_var(&r, MAX_TREES, &nt, "trees") == -1)
		goto out;
	if (nt > left(&r) / 12) {
		short_file(&r, "trees");
		goto out;
	}
	/* As sc_model_bin_parse(): the records and the budget first... */
	if ((J.rec = calloc(nt ? nt : 1, sizeof(*J.rec))) == NULL) {
		sc_err_set(e, SC_EOS, 0, "out of memory");
		goto out;
	}
	for (j = 0; j < nt; j++) {
		struct rd t;
		uint64_t n, nodes, nranks;

		if (get_var(&r, left(&r), &n, "tree length") == -1)
			goto out;
		t.p = J.rec[j].p = r.p;
		t.end = J.rec[j].end = r.p + n;
		t.e = e;
		r.p += n;
		if (get_var(&t, budget[0], &nodes, "nodes") == -1 ||
		    get_var(&t, budget[1], &nranks, "ranks") == -1)
			goto out;
		budget[0] -= (size_t)nodes;
		budget[1] -= (size_t)nranks;
		drop_before(base, t.p); /* a page or two of each record */
	}
	if (r.p != r.end) {
		sc_err_set(e, SC_EDATA, 0,
		    "model: binary: bytes after the last tree");
		goto out;
	}
	/* ...then each tree in turn, in one tarr, nothing kept after it. */
	P.trees = &one;
	P.ny = *ny;
	J.P = &P;
	J.tab = tab;
	J.nf = (size_t)nf;
	for (j = 0; j < nt; j++) {
		if (check_record(&J, (size_t)j, *ny, e) == -1)
			goto out;
		drop_before(base, J.rec[j].end);
	}
	if (json_array_size(json_object_get(P.root, "features")) != nf) {
		sc_err_set(e, SC_EDATA, 0,
		    "model: binary: threshold tables not one per feature");
		goto out;
	}
	*ntrees = (size_t)nt;
	*root = json_incref(P.root);
	rc = 0;
out:
	free(tab); /* the tables are P's */
	free(J.rec);
	P.trees = NULL;
	sc_model_parsed_free(&P);
	return rc;
}
