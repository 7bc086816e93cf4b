/* SPDX-License-Identifier: ISC */
/*
 * Metric families and samples in memory, and the text format writer.
 * Samples keep their insertion order inside a family
 * and families theirs, so output is stable; a hash of (name, labels) finds
 * a duplicate series in constant time whatever the input size.  Labels of a
 * sample are kept sorted by name, so two spellings of one series compare
 * equal.  The text parser is in sc_prom_parse.c; the JSON and CSV
 * converters and stockcast's metric names are in sc_prom_conv.c.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sc_buf.h"
#include "sc_hash.h"
#include "sc_num.h"
#include "sc_prom.h"
#include "sc_prom_int.h"

const char *const sc_prom_type_names[] = { "untyped", "counter", "gauge",
	"summary", "histogram" };

struct sc_prom *
sc_prom_create(struct sc_err *e)
{
	struct sc_prom *p = calloc(1, sizeof(*p));

	if (p == NULL)
		sc_err_set(e, SC_EOS, 0, "out of memory");
	return p;
}

void
sc_prom_free(struct sc_prom *p)
{
	size_t i, j;

	if (p == NULL)
		return;
	for (i = 0; i < p->nfam; i++) {
		free(p->fam[i].name);
		free(p->fam[i].help);
	}
	for (i = 0; i < p->ns; i++) {
		for (j = 0; j < 2 * p->s[i].nlab; j++)
			free(p->s[i].lab[j]);
		free(p->s[i].lab);
		free(p->s[i].name);
	}
	free(p->fam);
	free(p->s);
	free(p->slot);
	free(p->fslot);
	free(p);
}

int
sc_prom_name_ok(const char *s)
{
	if (s == NULL || *s == '\0' || (*s >= '0' && *s <= '9'))
		return 0;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		        (*s >= '0' && *s <= '9') || *s == '_' || *s == ':'))
			return 0;
	return 1;
}

int
sc_prom_label_ok(const char *s)
{
	return sc_prom_name_ok(s) && strchr(s, ':') == NULL &&
	    strncmp(s, "__", 2) != 0;
}

/* Non-zero when s (n bytes) is well-formed UTF-8 without NUL. */
int
sc_prom_utf8_ok(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;

	while (p < end) {
		unsigned c = *p++, min;
		int more;

		if (c == 0)
			return 0;
		if (c < 0x80)
			continue;
		if (c >= 0xc2 && c <= 0xdf)
			more = 1, min = 0x80;
		else if (c >= 0xe0 && c <= 0xef)
			more = 2, min = 0x800;
		else if (c >= 0xf0 && c <= 0xf4)
			more = 3, min = 0x10000;
		else
			return 0;
		c &= 0x3f >> more;
		if (end - p < more)
			return 0;
		for (; more > 0; more--, p++) {
			if ((*p & 0xc0) != 0x80)
				return 0;
			c = (c << 6) | (*p & 0x3f);
		}
		if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
			return 0;
	}
	return 1;
}

/* The slot of the family called name (n bytes): free or holding it. */
static size_t
family_slot(const struct sc_prom *p, const char *name, size_t n)
{
	size_t i = (size_t)sc_hash_fnv1a(name, n) & (p->nfslot - 1);
	const char *f;

	while (p->fslot[i] != 0) {
		f = p->fam[p->fslot[i] - 1].name;
		if (strncmp(f, name, n) == 0 && f[n] == '\0')
			break;
		i = (i + 1) & (p->nfslot - 1);
	}
	return i;
}

static long
find_family_n(const struct sc_prom *p, const char *name, size_t n)
{
	size_t i;

	if (p->nfslot == 0)
		return -1;
	i = family_slot(p, name, n);
	return p->fslot[i] != 0 ? (long)p->fslot[i] - 1 : -1;
}

long
sc_prom_find_family(const struct sc_prom *p, const char *name)
{
	return find_family_n(p, name, strlen(name));
}

/* Make room for one more family in the name hash. */
static int
grow_families(struct sc_prom *p, struct sc_err *e)
{
	size_t n, i, *old = p->fslot;
	const char *name;

	if (2 * (p->nfam + 1) <= p->nfslot)
		return 0;
	n = p->nfslot ? 2 * p->nfslot : 64;
	if ((p->fslot = calloc(n, sizeof(*p->fslot))) == NULL) {
		p->fslot = old;
		return sc_err_set(e, SC_EOS, 0, "out of memory");
	}
	p->nfslot = n;
	for (i = 0; i < p->nfam; i++) {
		name = p->fam[i].name;
		p->fslot[family_slot(p, name, strlen(name))] = i + 1;
	}
	free(old);
	return 0;
}

int
sc_prom_new_family(struct sc_prom *p, const char *name, enum sc_prom_type type,
    const char *help, struct sc_err *e)
{
	struct family *f;

	if (grow_families(p, e) == -1)
		return -1;
	if (sc_buf_grow(&p->fam, &p->capfam, p->nfam + 1, sizeof(*p->fam), e) ==
	    -1)
		return -1;
	f = &p->fam[p->nfam];
	memset(f, 0, sizeof(*f));
	f->type = type;
	if ((f->name = strdup(name)) == NULL ||
	    (help != NULL && (f->help = strdup(help)) == NULL)) {
		free(f->name);
		return sc_err_set(e, SC_EOS, 0, "out of memory");
	}
	p->fslot[family_slot(p, name, strlen(name))] = ++p->nfam;
	return 0;
}

int
sc_prom_family(struct sc_prom *p, const char *name, enum sc_prom_type type,
    const char *help, struct sc_err *e)
{
	struct family *f;
	long i;

	if (!sc_prom_name_ok(name))
		return sc_err_set(e, SC_EDATA, 0,
		    "invalid metric name \"%.64s\"", name);
	if ((unsigned)type > SC_PROM_HISTOGRAM)
		return sc_err_set(e, SC_EINTERNAL, 0, "bad metric type");
	if (help != NULL &&
	    (strlen(help) > SC_PROM_MAX_VALUE ||
	        !sc_prom_utf8_ok(help, strlen(help))))
		return sc_err_set(e, SC_EDATA, 0,
		    "%s: HELP too long or not UTF-8", name);
	if (help == NULL)
		help = sc_prom_std_help(name);
	if ((i = sc_prom_find_family(p, name)) == -1)
		return sc_prom_new_family(p, name, type, help, e);
	f = &p->fam[i];
	if (f->type != type)
		return sc_err_set(e, SC_EDATA, 0, "%s: TYPE %s, already %s",
		    name, sc_prom_type_names[type],
		    sc_prom_type_names[f->type]);
	if (help != NULL && f->help != NULL && strcmp(help, f->help) != 0)
		return sc_err_set(e, SC_EDATA, 0,
		    "%s: a second, different HELP", name);
	if (help != NULL && f->help == NULL && (f->help = strdup(help)) == NULL)
		return sc_err_set(e, SC_EOS, 0, "out of memory");
	return 0;
}

/* The family a sample called name belongs to, made untyped when new. */
static long
family_of(struct sc_prom *p, const char *name, struct sc_err *e)
{
	static const char *const suffix[] = { "_bucket", "_sum", "_count" };
	size_t n = strlen(name), k, i;
	long f;

	if ((f = sc_prom_find_family(p, name)) != -1)
		return f;
	for (i = 0; i < 3; i++) {
		k = strlen(suffix[i]);
		if (n <= k || strcmp(name + n - k, suffix[i]) != 0)
			continue;
		f = find_family_n(p, name, n - k);
		if (f != -1 &&
		    (p->fam[f].type == SC_PROM_HISTOGRAM ||
		        (p->fam[f].type == SC_PROM_SUMMARY && i > 0)))
			return f;
	}
	if (sc_prom_new_family(p, name, SC_PROM_UNTYPED, sc_prom_std_help(name),
	        e) == -1)
		return -1;
	return (long)p->nfam - 1;
}

/* Continue hash h with string s and a separator byte no string holds. */
static uint64_t
fnv(uint64_t h, const char *s)
{
	return sc_hash_fnv1a_add(sc_hash_fnv1a_add(h, s, strlen(s)), "\xff", 1);
}

static int
same_series(const struct sample *a, const struct sample *b)
{
	size_t i;

	if (a->hash != b->hash || a->nlab != b->nlab ||
	    strcmp(a->name, b->name) != 0)
		return 0;
	for (i = 0; i < 2 * a->nlab; i++)
		if (strcmp(a->lab[i], b->lab[i]) != 0)
			return 0;
	return 1;
}

/* Find s in the hash; return its slot (free or holding a twin). */
static size_t
probe(const struct sc_prom *p, const struct sample *s)
{
	size_t i = (size_t)s->hash & (p->nslot - 1);

	while (p->slot[i] != 0 && !same_series(&p->s[p->slot[i] - 1], s))
		i = (i + 1) & (p->nslot - 1);
	return i;
}

static int
grow(struct sc_prom *p, struct sc_err *e)
{
	size_t n, i, *slot, *old = p->slot, oldn = p->nslot;

	if (sc_buf_grow(&p->s, &p->caps, p->ns + 1, sizeof(*p->s), e) == -1)
		return -1;
	if (2 * (p->ns + 1) <= p->nslot)
		return 0;
	n = p->nslot ? 2 * p->nslot : 64;
	if ((slot = calloc(n, sizeof(*slot))) == NULL)
		return sc_err_set(e, SC_EOS, 0, "out of memory");
	p->slot = slot;
	p->nslot = n;
	for (i = 0; i < oldn; i++)
		if (old[i] != 0)
			p->slot[probe(p, &p->s[old[i] - 1])] = old[i];
	free(old);
	return 0;
}

static void
free_labels(char **lab, size_t n)
{
	size_t i;

	for (i = 0; i < 2 * n; i++)
		free(lab[i]);
	free(lab);
}

/* Copy, check and sort the label pairs into s. */
static int
set_labels(struct sample *s, const char *const *labels, struct sc_err *e)
{
	size_t n = 0, i, j;

	while (labels != NULL && labels[2 * n] != NULL)
		if (labels[2 * n + 1] == NULL || ++n > SC_PROM_MAX_LABELS)
			return sc_err_set(e, SC_EDATA, 0, "%s: too many labels",
			    s->name);
	if (n > 0 && (s->lab = calloc(2 * n, sizeof(char *))) == NULL)
		return sc_err_set(e, SC_EOS, 0, "out of memory");
	for (i = 0; i < n; i++) {
		const char *k = labels[2 * i], *v = labels[2 * i + 1];

		if (!sc_prom_label_ok(k))
			return sc_err_set(e, SC_EDATA, 0,
			    "%s: invalid label name \"%.64s\"", s->name, k);
		if (strlen(v) > SC_PROM_MAX_VALUE ||
		    !sc_prom_utf8_ok(v, strlen(v)))
			return sc_err_set(e, SC_EDATA, 0,
			    "%s: label %s: value too long or not UTF-8",
			    s->name, k);
		/* Before any shifting: a pair moved up is in two slots until
		 * the new one is stored, and the error path frees each slot. */
		for (j = 0; j < i; j++)
			if (strcmp(s->lab[2 * j], k) == 0)
				return sc_err_set(e, SC_EDATA, 0,
				    "%s: label %s given twice", s->name, k);
		for (j = i; j > 0 && strcmp(s->lab[2 * (j - 1)], k) > 0; j--) {
			s->lab[2 * j] = s->lab[2 * (j - 1)];
			s->lab[2 * j + 1] = s->lab[2 * j - 1];
		}
		s->nlab++;
		s->lab[2 * j] = strdup(k);
		s->lab[2 * j + 1] = strdup(v);
		if (s->lab[2 * j] == NULL || s->lab[2 * j + 1] == NULL)
			return sc_err_set(e, SC_EOS, 0, "out of memory");
	}
	return 0;
}

/* A float as the text format has it: decimal, NaN, +Inf, -Inf. */
int
sc_prom_float(const char *s, double *v)
{
	if (strcasecmp(s, "nan") == 0)
		*v = NAN;
	else if (strcasecmp(s, "+inf") == 0 || strcasecmp(s, "inf") == 0)
		*v = INFINITY;
	else if (strcasecmp(s, "-inf") == 0)
		*v = -INFINITY;
	else
		return sc_num_parse(s, strlen(s), v);
	return 0;
}

/* A histogram bucket needs a float "le", a summary sample a "quantile". */
static int
check_kind(const struct family *f, const struct sample *s, struct sc_err *e)
{
	const char *want = NULL;
	size_t i;
	double v;

	if (f->type == SC_PROM_HISTOGRAM && strcmp(s->name, f->name) == 0)
		return sc_err_set(e, SC_EDATA, 0,
		    "%s: a histogram has only _bucket, _sum and _count samples",
		    s->name);
	if (f->type == SC_PROM_HISTOGRAM && strcmp(s->name, f->name) != 0 &&
	    strcmp(s->name + strlen(f->name), "_bucket") == 0)
		want = "le";
	if (f->type == SC_PROM_SUMMARY && strcmp(s->name, f->name) == 0)
		want = "quantile";
	if (want == NULL)
		return 0;
	for (i = 0; i < s->nlab; i++)
		if (strcmp(s->lab[2 * i], want) == 0)
			break;
	if (i == s->nlab || sc_prom_float(s->lab[2 * i + 1], &v) == -1)
		return sc_err_set(e, SC_EDATA, 0,
		    "%s: label %s missing or not a float", s->name, want);
	return 0;
}

int
sc_prom_add(struct sc_prom *p, const char *name, const char *const *labels,
    double value, struct sc_err *e)
{
	struct sample s = { 0 };
	size_t i, slot;
	long f;

	if (!sc_prom_name_ok(name))
		return sc_err_set(e, SC_EDATA, 0,
		    "invalid metric name \"%.64s\"", name);
	if ((s.name = strdup(name)) == NULL)
		return sc_err_set(e, SC_EOS, 0, "out of memory");
	s.value = value;
	if (set_labels(&s, labels, e) == -1 || grow(p, e) == -1 ||
	    (f = family_of(p, name, e)) == -1)
		goto fail;
	s.fam = (size_t)f;
	if (check_kind(&p->fam[f], &s, e) == -1)
		goto fail;
	s.hash = fnv(SC_FNV1A_INIT, name);
	for (i = 0; i < 2 * s.nlab; i++)
		s.hash = fnv(s.hash, s.lab[i]);
	slot = probe(p, &s);
	if (p->slot[slot] != 0) {
		sc_err_set(e, SC_EDATA, 0, "%s: the same series twice", name);
		goto fail;
	}
	p->s[p->ns++] = s;
	p->slot[slot] = p->ns;
	p->fam[f].has_samples = 1;
	return 0;
fail:
	free_labels(s.lab, s.nlab);
	free(s.name);
	return -1;
}

size_t
sc_prom_count(const struct sc_prom *p)
{
	return p->ns;
}

const char *
sc_prom_label(const struct sc_prom *p, size_t i, const char *name)
{
	size_t j;

	if (i >= p->ns)
		return NULL;
	for (j = 0; j < p->s[i].nlab; j++)
		if (strcmp(p->s[i].lab[2 * j], name) == 0)
			return p->s[i].lab[2 * j + 1];
	return NULL;
}

/* Append s escaped: backslash and newline always, '"' when quote. */
static int
put_escaped(struct sc_buf *b, const char *s, int quote, struct sc_err *e)
{
	const char *run = s;

	for (; *s != '\0'; s++) {
		const char *rep = *s == '\\' ? "\\\\"
		    : *s == '\n'             ? "\\n"
		    : (*s == '"' && quote)   ? "\\\""
		                             : NULL;

		if (rep == NULL)
			continue;
		if (sc_buf_add(b, run, (size_t)(s - run), e) == -1 ||
		    sc_buf_add(b, rep, 2, e) == -1)
			return -1;
		run = s + 1;
	}
	return sc_buf_add(b, run, (size_t)(s - run), e);
}

static int
dropped(const char *name, const char *const *drop)
{
	for (; drop != NULL && *drop != NULL; drop++)
		if (strcmp(*drop, name) == 0)
			return 1;
	return 0;
}

static int
put_sample(struct sc_buf *b, const struct sample *s, const char *const *drop,
    struct sc_err *e)
{
	char num[SC_NUM_BUFSZ];
	const char *v;
	size_t i;
	int open = 0;

	if (sc_buf_add(b, s->name, strlen(s->name), e) == -1)
		return -1;
	for (i = 0; i < s->nlab; i++) {
		if (dropped(s->lab[2 * i], drop))
			continue;
		if (sc_buf_printf(b, e, "%s%s=\"", open ? "," : "{",
		        s->lab[2 * i]) == -1 ||
		    put_escaped(b, s->lab[2 * i + 1], 1, e) == -1 ||
		    sc_buf_add(b, "\"", 1, e) == -1)
			return -1;
		open = 1;
	}
	if (isnan(s->value))
		v = "NaN";
	else if (isinf(s->value))
		v = s->value > 0 ? "+Inf" : "-Inf";
	else
		v = sc_num_fmt(s->value, num);
	return sc_buf_printf(b, e, "%s %s\n", open ? "}" : "", v);
}

struct ord {
	size_t fam;
	size_t i;
};

static int
cmp_ord(const void *a, const void *b)
{
	const struct ord *x = a, *y = b;

	if (x->fam != y->fam)
		return x->fam < y->fam ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

static int
put_head(struct sc_buf *b, const struct family *f, struct sc_err *e)
{
	if (f->help != NULL &&
	    (sc_buf_printf(b, e, "# HELP %s ", f->name) == -1 ||
	        put_escaped(b, f->help, 0, e) == -1 ||
	        sc_buf_add(b, "\n", 1, e) == -1))
		return -1;
	return sc_buf_printf(b, e, "# TYPE %s %s\n", f->name,
	    sc_prom_type_names[f->type]);
}

int
sc_prom_write_set(const struct sc_prom *p, struct sc_buf *b, const size_t *idx,
    size_t n, const char *const *drop, struct sc_err *e)
{
	struct ord *o;
	size_t k, last = (size_t)-1;
	int rc = -1;

	if ((o = malloc((n ? n : 1) * sizeof(*o))) == NULL)
		return sc_err_set(e, SC_EOS, 0, "out of memory");
	for (k = 0; k < n; k++) {
		if (idx[k] >= p->ns) {
			sc_err_set(e, SC_EINTERNAL, 0, "sample %zu of %zu",
			    idx[k], p->ns);
			goto out;
		}
		o[k].fam = p->s[idx[k]].fam;
		o[k].i = idx[k];
	}
	qsort(o, n, sizeof(*o), cmp_ord);
	for (k = 0; k < n; k++) {
		if (o[k].fam != last && put_head(b, &p->fam[o[k].fam], e) == -1)
			goto out;
		last = o[k].fam;
		if (put_sample(b, &p->s[o[k].i], drop, e) == -1)
			goto out;
	}
	rc = sc_buf_add(b, "", 0, e);
out:
	free(o);
	return rc;
}

int
sc_prom_write(const struct sc_prom *p, struct sc_buf *b,
    int (*keep)(const struct sc_prom *, size_t, void *), void *arg,
    const char *const *drop, struct sc_err *e)
{
	size_t *idx, i, n = 0;
	int rc;

	if ((idx = malloc((p->ns ? p->ns : 1) * sizeof(*idx))) == NULL)
		return sc_err_set(e, SC_EOS, 0, "out of memory");
	for (i = 0; i < p->ns; i++)
		if (keep == NULL || keep(p, i, arg))
			idx[n++] = i;
	rc = sc_prom_write_set(p, b, idx, n, drop, e);
	free(idx);
	return rc;
}
