/* SPDX-License-Identifier: ISC */
/*
 * Checking a JSON model in bounded memory.  sc_model_read() holds the
 * whole text and every tree's arrays (several times the file's size); the
 * registry only needs the verdict and the header.  So this scanner copies
 * the loader's grammar (sc_model_read.c: the same string, number and
 * literal rules, the same depth limit, the same keys) over a 64 KiB
 * window of the file.  Small members are captured and handed to jansson
 * and then to the loader's own header checks (sc_model_head_check).  A
 * tree's arrays are scanned once for their syntax and element ranges,
 * remembering where each starts; then six cursors walk feature, threshold,
 * left, right, count and rank side by side, node by node, with the checks
 * of sc_forest.c's check_tree and one bit per node for "one parent each".
 * Feature indexes and ranks are checked against the feature and target
 * counts at the end, since those members may come after the trees.  The
 * binary form is sc_model_bin.c's to check (sc_model_bin_check), from a
 * mapping whose pages are given back as it goes.
 */
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sc_buf.h"
#include "sc_model.h"
#include "sc_model_check.h"
#include "sc_model_int.h"

#define RBUF 65536 /* the reader's window */
#define CBUF 8192  /* one cursor's window */
#define MAX_DEPTH 64
#define NUMBUF (SC_MODEL_CHECK_MAX_NUMBER + 1)

enum { A_FEAT, A_THR, A_LEFT, A_RIGHT, A_VALUE, A_COUNT, A_RANK, A_N };

static const char *const tkeys[] = { "feature", "threshold", "left", "right",
	"value", "count", "rank" };

/* Members kept for the caller (the lineage) and the header checks. */
static const char *const kept[] = { "format", "version", "features", "target",
	"params", "training", "oob_rmse", "importances", "calibration", "cv",
	"tuning", NULL };

struct cur {
	off_t next; /* file offset after the window */
	size_t len, pos;
	unsigned char buf[CBUF];
};

/* Where the largest feature index or rank was seen. */
struct maxat {
	long long v;
	size_t tree, i;
};

struct chk {
	FILE *fp;
	const char *in; /* the model's name in messages */
	struct sc_err *e;
	off_t start, base; /* the model's first byte; buf[0]'s offset */
	size_t len, pos;
	int eof, ioerr;
	struct sc_buf *cap; /* consumed bytes go here when not NULL */
	size_t capmax;
	int capover; /* 1: past capmax, 2: out of memory */
	struct maxat feat, rank;
	size_t ntrees, ny, budget[2];
	long head; /* bytes of the small members so far */
	int have_trees, have_targets;
	json_t *root, *names; /* kept members; names of the others */
	struct cur cur[A_N];
	unsigned char buf[RBUF];
};

/* One tree's arrays: where each starts ('['), and its length. */
struct tinfo {
	off_t at[A_N];
	size_t n[A_N];
};

/* SC_EDATA: "IN: not a valid model: " and the message. */
static int
fail(struct chk *c, const char *fmt, ...)
{
	char msg[sizeof(c->e->msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return sc_err_set(c->e, SC_EDATA, 0, "%s: not a valid model: %s", c->in,
	    msg);
}

static int
fill(struct chk *c)
{
	size_t n;

	if (c->eof)
		return 0;
	c->base += (off_t)c->len;
	c->pos = c->len = 0;
	if (fseeko(c->fp, c->base, SEEK_SET) == -1) {
		c->ioerr = errno ? errno : EIO;
		c->eof = 1;
		return 0;
	}
	n = fread(c->buf, 1, RBUF, c->fp);
	if (n == 0) {
		if (ferror(c->fp))
			c->ioerr = errno ? errno : EIO;
		c->eof = 1;
	}
	c->len = n;
	return n > 0;
}

static inline int
peek(struct chk *c)
{
	if (c->pos == c->len && !fill(c))
		return EOF;
	return c->buf[c->pos];
}

static void
capture(struct chk *c, unsigned char b)
{
	if (c->capover)
		return;
	if (c->cap->len >= c->capmax)
		c->capover = 1;
	else if (sc_buf_add(c->cap, &b, 1, NULL) == -1)
		c->capover = 2;
}

/* Consume the byte peek() returned. */
static inline void
adv(struct chk *c)
{
	if (c->cap != NULL)
		capture(c, c->buf[c->pos]);
	c->pos++;
}

static off_t
here(const struct chk *c)
{
	return c->base + (off_t)c->pos;
}

/* A syntax error at file offset at: the line and column, as the loader. */
static int
syntax_at(struct chk *c, off_t at, const char *what)
{
	long line = 1, col = 1;
	off_t o = c->start;
	size_t n, i;

	if (c->ioerr)
		return sc_err_errno(c->e, SC_EIO, c->ioerr, "%s", c->in);
	while (o < at && fseeko(c->fp, o, SEEK_SET) == 0 &&
	    (n = fread(c->buf, 1, RBUF, c->fp)) > 0) {
		for (i = 0; i < n && o < at; i++, o++)
			if (c->buf[i] == '\n') {
				line++;
				col = 1;
			} else
				col++;
	}
	c->len = c->pos = 0; /* the window is gone: nothing reads on */
	c->eof = 1;
	return sc_err_set(c->e, SC_EDATA, 0,
	    "%s:%ld:%ld: not a valid JSON model: %s", c->in, line, col, what);
}

static int
syntax(struct chk *c, const char *what)
{
	return syntax_at(c, here(c), what);
}

static void
skip_ws(struct chk *c)
{
	int b;

	while ((b = peek(c)) == ' ' || b == '\t' || b == '\n' || b == '\r')
		adv(c);
}

static int
eat(struct chk *c, int ch)
{
	skip_ws(c);
	if (peek(c) == ch) {
		adv(c);
		return 1;
	}
	return 0;
}

static int
want(struct chk *c, int ch)
{
	char what[24];

	if (eat(c, ch))
		return 0;
	snprintf(what, sizeof(what), "'%c' expected", ch);
	return syntax(c, peek(c) != EOF ? what : "unexpected end of input");
}

/*
 * A string's raw bytes (escapes as they are), into raw when not NULL, at
 * most SC_MODEL_CHECK_MAX_KEY of them.  As the loader: a control byte is
 * refused, the byte after a backslash is taken whatever it is.
 */
static int
scan_string(struct chk *c, struct sc_buf *raw)
{
	int b, esc = 0;

	skip_ws(c);
	if (peek(c) != '"')
		return syntax(c, "string expected");
	adv(c);
	while ((b = peek(c)) != '"' || esc) {
		if (b == EOF)
			return syntax(c, "unterminated string");
		if (b < 0x20 && !esc)
			return syntax(c, "control character in a string");
		esc = !esc && b == '\\';
		adv(c);
		if (raw == NULL)
			continue;
		if (raw->len == (size_t)SC_MODEL_CHECK_MAX_KEY)
			return fail(c, "a member name longer than %ld bytes",
			    SC_MODEL_CHECK_MAX_KEY);
		if (sc_buf_add(raw, (char[]){ (char)b }, 1, c->e) == -1)
			return -1;
	}
	adv(c);
	return 0;
}

static void
put(char *out, size_t *n, int b)
{
	if (out != NULL && *n < SC_MODEL_CHECK_MAX_NUMBER)
		out[*n] = (char)b;
	(*n)++;
}

static int
digits(struct chk *c, char *out, size_t *n)
{
	int b, any = 0;

	while ((b = peek(c)) >= '0' && b <= '9') {
		put(out, n, b);
		adv(c);
		any = 1;
	}
	return any;
}

/*
 * A number by JSON's grammar, its text into out (NUMBUF bytes) when not
 * NULL; *isint when it has no fraction or exponent.
 */
static int
scan_number(struct chk *c, char *out, int *isint)
{
	size_t n = 0;
	int b;

	skip_ws(c);
	*isint = 1;
	if (peek(c) == '-') {
		put(out, &n, '-');
		adv(c);
	}
	if (peek(c) == '0') {
		put(out, &n, '0');
		adv(c);
	} else if (!digits(c, out, &n))
		return syntax(c, "number expected");
	if (peek(c) == '.') {
		put(out, &n, '.');
		adv(c);
		*isint = 0;
		if (!digits(c, out, &n))
			return syntax(c, "digit expected");
	}
	if ((b = peek(c)) == 'e' || b == 'E') {
		put(out, &n, b);
		adv(c);
		*isint = 0;
		if ((b = peek(c)) == '+' || b == '-') {
			put(out, &n, b);
			adv(c);
		}
		if (!digits(c, out, &n))
			return syntax(c, "digit expected");
	}
	if ((b = peek(c)) != EOF && (isalnum(b) || b == '.'))
		return syntax(c, "bad number"); /* "01", "1x", "1.2.3" */
	if (out != NULL && n > SC_MODEL_CHECK_MAX_NUMBER)
		return syntax(c, "number longer than the check's limit");
	if (out != NULL)
		out[n] = '\0';
	return 0;
}

static int
scan_literal(struct chk *c, const char *lit)
{
	for (; *lit != '\0'; lit++) {
		if (peek(c) != (unsigned char)*lit)
			return syntax(c, "value expected");
		adv(c);
	}
	return 0;
}

/* Skip one value of any kind, nested at most MAX_DEPTH deep. */
static int
skip_value(struct chk *c, int depth)
{
	int isint;

	skip_ws(c);
	if (depth > MAX_DEPTH)
		return syntax(c, "nested too deep");
	switch (peek(c)) {
	case EOF:
		return syntax(c, "unexpected end of input");
	case '"':
		return scan_string(c, NULL);
	case '{':
		adv(c);
		if (eat(c, '}'))
			return 0;
		do
			if (scan_string(c, NULL) == -1 || want(c, ':') == -1 ||
			    skip_value(c, depth + 1) == -1)
				return -1;
		while (eat(c, ','));
		return want(c, '}');
	case '[':
		adv(c);
		if (eat(c, ']'))
			return 0;
		do
			if (skip_value(c, depth + 1) == -1)
				return -1;
		while (eat(c, ','));
		return want(c, ']');
	case 't':
		return scan_literal(c, "true");
	case 'f':
		return scan_literal(c, "false");
	case 'n':
		return scan_literal(c, "null");
	default:
		return scan_number(c, NULL, &isint);
	}
}

/* The integer in s (JSON integer grammar already checked), in [lo, hi]. */
static int
to_int(const char *s, long long lo, long long hi, long long *out)
{
	int neg = *s == '-';
	unsigned long long v = 0, lim;

	lim = neg ? 0ULL - (unsigned long long)lo : (unsigned long long)hi;
	for (s += neg; *s != '\0'; s++) {
		v = v * 10 + (unsigned long long)(*s - '0');
		if (v > lim)
			return -1;
	}
	*out = neg ? -(long long)v : (long long)v;
	return lo < 0 || !neg || v == 0 ? 0 : -1;
}

/*
 * Non-zero when the number s (JSON grammar checked) is finite for
 * strtod(3) without asking it: no exponent and fewer than 300 digits
 * before the point.  strtod is a good part of the check's time.
 */
static int
surely_finite(const char *s)
{
	size_t n = strcspn(s, ".eE");

	return n < 300 &&
	    (s[n] == '\0' || (s[n] == '.' && strpbrk(s + n, "eE") == NULL));
}

/*
 * Tree ti's array k: its syntax and elements (integers in range, finite
 * numbers), at most max of them; where it starts into t.  The largest
 * feature index and rank are remembered for the checks at the end.
 */
static int
scan_array(struct chk *c, size_t ti, int k, struct tinfo *t, size_t max)
{
	char num[NUMBUF], *end;
	struct maxat *m = k == A_FEAT ? &c->feat : k == A_RANK ? &c->rank : 0;
	long long v, lo = k >= A_COUNT ? 0 : -1;
	long long hi = k >= A_COUNT ? UINT32_MAX : INT32_MAX;
	size_t *n = &t->n[k];
	int isint, b;

	skip_ws(c);
	t->at[k] = here(c);
	*n = 0;
	if (want(c, '[') == -1)
		return -1;
	if (eat(c, ']'))
		return 0;
	do {
		skip_ws(c);
		if ((b = peek(c)) != '-' && !(b >= '0' && b <= '9'))
			return fail(c, "tree %zu: %s[%zu]: not a number", ti,
			    tkeys[k], *n);
		if (scan_number(c, num, &isint) == -1)
			return -1;
		if (k == A_THR || k == A_VALUE) {
			if (!surely_finite(num) &&
			    (!isfinite(strtod(num, &end)) || *end != '\0'))
				return fail(c,
				    "tree %zu: %s[%zu]: not a finite "
				    "number",
				    ti, tkeys[k], *n);
		} else if (!isint || to_int(num, lo, hi, &v) == -1)
			return fail(c,
			    "tree %zu: %s[%zu]: not an integer in range", ti,
			    tkeys[k], *n);
		else if (m != NULL && v > m->v)
			*m = (struct maxat){ v, ti, *n };
		if (*n == max)
			return fail(c, "tree %zu: %s: too long", ti, tkeys[k]);
		(*n)++;
	} while (eat(c, ','));
	return want(c, ']');
}

/* The next byte of cursor k, or EOF. */
static int
cur_peek(struct chk *c, struct cur *k)
{
	if (k->pos == k->len) {
		if (fseeko(c->fp, k->next, SEEK_SET) == -1)
			return EOF;
		k->len = fread(k->buf, 1, CBUF, c->fp);
		k->pos = 0;
		k->next += (off_t)k->len;
		if (k->len == 0)
			return EOF;
	}
	return k->buf[k->pos];
}

/* The next number of an array already checked, as text in out (NUMBUF). */
static int
cur_next(struct chk *c, struct cur *k, char *out)
{
	size_t n = 0;
	int b;

	while (
	    (b = cur_peek(c, k)) != EOF && b != '-' && !(b >= '0' && b <= '9'))
		k->pos++; /* '[', blanks and commas */
	while ((b = cur_peek(c, k)) != EOF && n < SC_MODEL_CHECK_MAX_NUMBER &&
	    ((b >= '0' && b <= '9') || b == '-' || b == '+' || b == '.' ||
	        b == 'e' || b == 'E')) {
		out[n++] = (char)b;
		k->pos++;
	}
	out[n] = '\0';
	if (n == 0)
		return sc_err_set(c->e, SC_EIO, 0,
		    "%s: changed while it was checked", c->in);
	return 0;
}

/* The next integer of array k (checked: at most 10 digits). */
static long long
cur_int(struct chk *c, int k, int *rc)
{
	char num[NUMBUF], *s = num;
	long long v = 0;

	if (cur_next(c, &c->cur[k], num) == -1) {
		*rc = -1;
		return 0;
	}
	for (s += *s == '-'; *s >= '0' && *s <= '9'; s++)
		v = v * 10 + (*s - '0');
	return num[0] == '-' ? -v : v;
}

/* Node i: sc_forest.c's check_node but for the feature's upper bound. */
static int
check_node(struct chk *c, size_t ti, size_t i, size_t nodes, uint8_t *seen,
    long long *count)
{
	char num[NUMBUF];
	long long f, l, r;
	double thr;
	int rc = 0;

	f = cur_int(c, A_FEAT, &rc);
	l = cur_int(c, A_LEFT, &rc);
	r = cur_int(c, A_RIGHT, &rc);
	*count = cur_int(c, A_COUNT, &rc);
	if (rc == -1 || cur_next(c, &c->cur[A_THR], num) == -1)
		return -1;
	if (f == -1) {
		thr = strtod(num, NULL);
		if (l != -1 || r != -1 || *count == 0 || thr != 0 ||
		    signbit(thr))
			return fail(c,
			    "tree %zu: leaf %zu: wants left = right = "
			    "-1, threshold 0 and count > 0",
			    ti, i);
		return 0;
	}
	if (l <= (long long)i || r <= (long long)i || l >= (long long)nodes ||
	    r >= (long long)nodes || l == r)
		return fail(c,
		    "tree %zu: node %zu: children %lld, %lld out of "
		    "range",
		    ti, i, l, r);
	if (*count != 0)
		return fail(c, "tree %zu: split node %zu: count must be 0", ti,
		    i);
	if (seen[l / 8] & (1U << (l % 8)) || seen[r / 8] & (1U << (r % 8)))
		return fail(c, "tree %zu: node %lld has two parents", ti,
		    seen[l / 8] & (1U << (l % 8)) ? l : r);
	seen[l / 8] |= (uint8_t)(1U << (l % 8));
	seen[r / 8] |= (uint8_t)(1U << (r % 8));
	return 0;
}

/* The count[i] ranks of node i from *off on: within range, in order. */
static int
check_ranks(struct chk *c, size_t ti, long long count, size_t nranks,
    size_t *off)
{
	long long prev = 0, v;
	size_t j;
	int rc = 0;

	if ((size_t)count > nranks - *off)
		return fail(c, "tree %zu: count: more than the %zu ranks", ti,
		    nranks);
	for (j = *off; j < *off + (size_t)count; j++) {
		v = cur_int(c, A_RANK, &rc);
		if (rc == -1)
			return -1;
		if (j > *off && v < prev)
			return fail(c,
			    "tree %zu: rank[%zu] out of range or out "
			    "of order",
			    ti, j);
		prev = v;
	}
	*off += (size_t)count;
	return 0;
}

/* Walk tree ti's arrays side by side: sc_forest.c's check_tree. */
static int
check_tree(struct chk *c, size_t ti, const struct tinfo *t)
{
	size_t i, nodes = t->n[A_FEAT], off = 0;
	long long count;
	uint8_t *seen;
	int k, rc = -1;

	if (nodes == 0)
		return fail(c, "tree %zu: no nodes", ti);
	if ((seen = calloc((nodes + 7) / 8, 1)) == NULL)
		return sc_err_set(c->e, SC_EOS, 0, "out of memory");
	for (k = 0; k < A_N; k++) {
		c->cur[k].next = t->at[k];
		c->cur[k].len = c->cur[k].pos = 0;
	}
	for (i = 0; i < nodes; i++)
		if (check_node(c, ti, i, nodes, seen, &count) == -1 ||
		    check_ranks(c, ti, count, t->n[A_RANK], &off) == -1)
			goto out;
	for (i = 1; i < nodes; i++)
		if (!(seen[i / 8] & (1U << (i % 8)))) {
			fail(c,
			    "tree %zu: node %zu is not reached from the "
			    "root",
			    ti, i);
			goto out;
		}
	if (off != t->n[A_RANK])
		fail(c, "tree %zu: count adds up to %zu, not the %zu ranks", ti,
		    off, t->n[A_RANK]);
	else
		rc = 0;
out:
	free(seen);
	return rc;
}

/*
 * A member name: its raw bytes, decoded by jansson when they have an
 * escape or when decode is set (the loader decodes every small member's
 * name, which checks its UTF-8).  *dec is a new reference or NULL.
 */
static int
key_text(struct chk *c, struct sc_buf *raw, int decode, json_t **dec)
{
	json_error_t je;
	off_t at = here(c);

	*dec = NULL;
	/* An empty name has no buffer yet (memchr(NULL) is undefined). */
	if (!decode &&
	    (raw->len == 0 || memchr(raw->data, '\\', raw->len) == NULL))
		return 0;
	if (sc_buf_add(raw, "\"", 1, c->e) == -1)
		return -1;
	memmove(raw->data + 1, raw->data, raw->len - 1);
	raw->data[0] = '"';
	if (sc_buf_add(raw, "\"", 1, c->e) == -1)
		return -1;
	if ((*dec = json_loadb(raw->data, raw->len, JSON_DECODE_ANY, &je)) ==
	    NULL)
		return syntax_at(c, at, je.text);
	return 0;
}

/* The name in raw (not NUL-terminated) or dec is s. */
static int
is_key(const struct sc_buf *raw, const json_t *dec, const char *s)
{
	if (dec != NULL)
		return strcmp(json_string_value(dec), s) == 0;
	return raw->len == strlen(s) && memcmp(raw->data, s, raw->len) == 0;
}

static int
scan_tree(struct chk *c, size_t ti)
{
	struct sc_buf raw = { 0 };
	struct tinfo t;
	json_t *dec = NULL;
	unsigned seen = 0;
	int k, rc = -1;

	memset(&t, 0, sizeof(t));
	if (want(c, '{') == -1)
		return -1;
	if (eat(c, '}'))
		return fail(c, "tree %zu: empty", ti);
	do {
		sc_buf_reset(&raw);
		json_decref(dec);
		/* The next name may not be read (fuzz_model_check). */
		dec = NULL;
		if (scan_string(c, &raw) == -1 ||
		    key_text(c, &raw, 0, &dec) == -1 || want(c, ':') == -1)
			goto out;
		for (k = 0; k < A_N; k++)
			if (is_key(&raw, dec, tkeys[k]))
				break;
		if (k == A_N) {
			if (skip_value(c, 1) == -1)
				goto out;
			continue;
		}
		if (seen & (1U << k)) {
			fail(c, "tree %zu: %s twice", ti, tkeys[k]);
			goto out;
		}
		seen |= 1U << k;
		if (scan_array(c, ti, k, &t,
		        k == A_RANK ? c->budget[1] : c->budget[0]) == -1)
			goto out;
	} while (eat(c, ','));
	if (seen != 0x7f) {
		fail(c, "tree %zu: an array is missing", ti);
		goto out;
	}
	if (want(c, '}') == -1)
		goto out;
	for (k = 1; k < A_RANK; k++)
		if (t.n[k] != t.n[0]) {
			fail(c, "tree %zu: arrays of different lengths", ti);
			goto out;
		}
	c->budget[0] -= t.n[0];
	c->budget[1] -= t.n[A_RANK];
	rc = check_tree(c, ti, &t);
out:
	json_decref(dec);
	sc_buf_free(&raw);
	return rc;
}

static int
scan_trees(struct chk *c)
{
	if (c->have_trees++)
		return fail(c, "trees: given twice");
	if (want(c, '[') == -1)
		return -1;
	if (eat(c, ']'))
		return 0;
	do {
		if (c->ntrees == 100000)
			return fail(c, "trees: more than 100000");
		if (scan_tree(c, c->ntrees++) == -1)
			return -1;
	} while (eat(c, ','));
	return want(c, ']');
}

/* "targets": finite, increasing, at most SC_MODEL_MAXRANKS; only counted. */
static int
scan_targets(struct chk *c)
{
	char num[NUMBUF], *end;
	double v, prev = 0;
	int isint, b;

	if (c->have_targets++)
		return fail(c, "targets: given twice");
	if (want(c, '[') == -1)
		return -1;
	if (eat(c, ']'))
		return 0;
	do {
		skip_ws(c);
		if ((b = peek(c)) != '-' && !(b >= '0' && b <= '9'))
			return fail(c, "targets[%zu]: not a number", c->ny);
		if (scan_number(c, num, &isint) == -1)
			return -1;
		v = strtod(num, &end);
		if (*end != '\0' || !isfinite(v))
			return fail(c, "targets[%zu]: not a finite number",
			    c->ny);
		if (c->ny == SC_MODEL_MAXRANKS)
			return fail(c, "targets: too long");
		if (c->ny > 0 && !(v > prev))
			return fail(c,
			    "targets[%zu]: not finite or not increasing",
			    c->ny);
		prev = v;
		c->ny++;
	} while (eat(c, ','));
	return want(c, ']');
}

static int
is_kept(const char *k)
{
	int i;

	for (i = 0; kept[i] != NULL; i++)
		if (strcmp(kept[i], k) == 0)
			return 1;
	return 0;
}

/* Any other member: its text through jansson, kept or only its name. */
static int
scan_small(struct chk *c, const char *key, size_t klen)
{
	struct sc_buf val = { 0 };
	json_error_t je;
	json_t *v = NULL;
	off_t at;
	int rc = -1;

	skip_ws(c);
	at = here(c);
	c->cap = &val;
	c->capmax = (size_t)SC_MODEL_CHECK_MAX_MEMBER;
	c->capover = 0;
	rc = skip_value(c, 1);
	c->cap = NULL;
	if (rc == -1)
		goto out;
	rc = -1;
	if (c->capover == 2) {
		sc_err_set(c->e, SC_EOS, 0, "out of memory");
		goto out;
	}
	if (c->capover ||
	    (c->head += (long)(val.len + klen)) > SC_MODEL_CHECK_MAX_HEAD) {
		fail(c,
		    c->capover ? "%.64s: longer than %ld bytes"
		               : "%.64s: the members but targets and trees "
		                 "pass %ld bytes",
		    key,
		    c->capover ? SC_MODEL_CHECK_MAX_MEMBER
		               : SC_MODEL_CHECK_MAX_HEAD);
		goto out;
	}
	v = json_loadb(val.data, val.len,
	    JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &je);
	if (v == NULL) {
		syntax_at(c, at + (je.position > 0 ? je.position - 1 : 0),
		    je.text);
		goto out;
	}
	if (json_object_get(c->root, key) != NULL ||
	    json_object_get(c->names, key) != NULL)
		fail(c, "%.64s: given twice", key);
	else if (json_object_set(is_kept(key) ? c->root : c->names, key,
	             is_kept(key) ? v : json_null()) == -1)
		sc_err_set(c->e, SC_EOS, 0, "out of memory");
	else
		rc = 0;
out:
	json_decref(v);
	sc_buf_free(&val);
	return rc;
}

static int
scan_member(struct chk *c)
{
	struct sc_buf raw = { 0 };
	json_t *dec = NULL;
	int rc = -1, special;

	if (scan_string(c, &raw) == -1)
		goto out;
	special = is_key(&raw, NULL, "trees") || is_key(&raw, NULL, "targets");
	if (key_text(c, &raw, !special, &dec) == -1 || want(c, ':') == -1)
		goto out;
	if (is_key(&raw, dec, "trees"))
		rc = scan_trees(c);
	else if (is_key(&raw, dec, "targets"))
		rc = scan_targets(c);
	else
		rc = scan_small(c, json_string_value(dec),
		    strlen(json_string_value(dec)));
out:
	json_decref(dec);
	sc_buf_free(&raw);
	return rc;
}

/* Strip the loader's "model: " from a message in e, for fail(). */
static const char *
bare(const struct chk *c)
{
	return c->e->msg + (strncmp(c->e->msg, "model: ", 7) ? 0 : 7);
}

/* The checks the loader makes once everything is read (build()). */
static int
check_end(struct chk *c)
{
	const json_t *fmt = json_object_get(c->root, "format");
	size_t nfeat, ntrees;

	if (!json_is_string(fmt) ||
	    strcmp(json_string_value(fmt), "sc-forest") != 0)
		return sc_err_set(c->e, SC_EDATA, 0,
		    "%s: not a model: want \"format\": \"sc-forest\"", c->in);
	if (sc_model_head_check(c->root, &nfeat, &ntrees, c->e) == -1) {
		if (c->e->code != SC_EDATA)
			return -1;
		/* The loader's "model: params: ..." */
		return fail(c, "%s", bare(c));
	}
	if (!c->have_targets)
		return fail(c, "targets: missing");
	if (!c->have_trees || c->ntrees != ntrees)
		return fail(c,
		    "trees: missing, or not as many as params.trees");
	if (c->ny == 0)
		return fail(c, "no features, no trees or no targets");
	if (c->feat.v >= (long long)nfeat)
		return fail(c, "tree %zu: feature[%zu] = %lld out of range",
		    c->feat.tree, c->feat.i, c->feat.v);
	if (c->rank.v >= (long long)c->ny)
		return fail(c,
		    "tree %zu: rank[%zu] out of range or out of order",
		    c->rank.tree, c->rank.i);
	return 0;
}

/*
 * The binary form: mapped when fp is a regular file (pages given back as
 * they are checked), else read whole; sc_model_bin_check() checks it one
 * tree at a time, and the header as the JSON form's.
 */
static int
check_binary(struct chk *c)
{
	struct sc_buf b = { NULL, 0, 0, SC_MODEL_MAXBYTES };
	const unsigned char *buf, *base = NULL;
	void *map = MAP_FAILED;
	json_t *root = NULL;
	struct stat st;
	size_t len, mlen = 0;
	int fd = fileno(c->fp), rc;

	if (fd != -1 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    st.st_size > c->start &&
	    (uintmax_t)(st.st_size - c->start) <= SC_MODEL_MAXBYTES) {
		mlen = (size_t)st.st_size;
		map = mmap(NULL, mlen, PROT_READ, MAP_PRIVATE, fd, 0);
	}
	if (map != MAP_FAILED) {
		base = map;
		buf = base + c->start;
		len = mlen - (size_t)c->start;
	} else {
		if (fseeko(c->fp, c->start, SEEK_SET) == -1)
			return sc_err_errno(c->e, SC_EIO, errno, "%s", c->in);
		if (sc_buf_read(&b, c->fp, c->in, c->e) == -1)
			return -1;
		buf = (const unsigned char *)b.data;
		len = b.len;
	}
	rc =
	    sc_model_bin_check(buf, len, base, &root, &c->ntrees, &c->ny, c->e);
	if (map != MAP_FAILED)
		munmap(map, mlen);
	sc_buf_free(&b);
	if (rc == -1)
		return c->e->code == SC_EDATA ? fail(c, "%s", bare(c)) : -1;
	json_decref(c->root);
	c->root = root;
	c->have_trees = c->have_targets = 1;
	return check_end(c);
}

static int
check(struct chk *c)
{
	unsigned char magic[SC_MODEL_MAGIC_LEN];
	size_t n;

	if (fseeko(c->fp, c->start, SEEK_SET) == -1)
		return sc_err_errno(c->e, SC_EIO, errno, "%s", c->in);
	n = fread(magic, 1, sizeof(magic), c->fp);
	if (sc_model_is_binary(magic, n))
		return check_binary(c);
	if (want(c, '{') == -1)
		return -1;
	if (!eat(c, '}')) {
		do
			if (scan_member(c) == -1)
				return -1;
		while (eat(c, ','));
		if (want(c, '}') == -1)
			return -1;
	}
	skip_ws(c);
	if (peek(c) != EOF)
		return syntax(c, "text after the model");
	if (c->ioerr)
		return sc_err_errno(c->e, SC_EIO, c->ioerr, "%s", c->in);
	return check_end(c);
}

json_t *
sc_model_check(FILE *fp, const char *in, struct sc_err *e)
{
	struct chk *c;
	json_t *root = NULL;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		sc_err_set(e, SC_EOS, 0, "out of memory");
		return NULL;
	}
	c->fp = fp;
	c->in = in;
	c->e = e;
	c->feat.v = c->rank.v = -1;
	c->budget[0] = SC_MODEL_MAXNODES;
	c->budget[1] = SC_MODEL_MAXRANKS;
	if ((c->start = c->base = ftello(fp)) == -1)
		sc_err_errno(e, SC_EIO, errno, "%s", in);
	else if ((c->root = json_object()) == NULL ||
	    (c->names = json_object()) == NULL)
		sc_err_set(e, SC_EOS, 0, "out of memory");
	else if (check(c) == 0)
		root = json_incref(c->root);
	json_decref(c->root);
	json_decref(c->names);
	free(c);
	return root;
}
