/* SPDX-License-Identifier: ISC */
/*
 * What the report reads from the store: key listings, whole objects into
 * memory (each bounded, checked by size before the transfer), JSON, and
 * predictions CSVs by column name, so files from before the date and
 * source columns still read.  An object that is absent is not an error
 * here: the section says so.  A malformed one is, named by its key.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sc_buf.h"
#include "sc_csv.h"
#include "sc_report_int.h"

struct listing {
	struct sc_rp_keys *keys;
	size_t cap;
	struct sc_err *e;
};

static int
add_key(const char *key, uint64_t size, void *arg)
{
	struct listing *l = arg;
	struct sc_rp_keys *k = l->keys;

	(void)size;
	if (k->n == SC_RP_MAX_KEYS)
		return sc_err_set(l->e, SC_EDATA, 0,
		    "more than %d keys under one prefix", SC_RP_MAX_KEYS);
	if (sc_buf_grow(&k->k, &l->cap, k->n + 1, sizeof(*k->k), l->e) == -1)
		return -1;
	if ((k->k[k->n] = strdup(key)) == NULL)
		return sc_err_set(l->e, SC_EOS, 0, "out of memory");
	k->n++;
	return 0;
}

static int
cmp_key(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
sc_rp_list(struct sc_store *st, const char *prefix, struct sc_rp_keys *k,
    struct sc_err *e)
{
	struct listing l = { k, 0, e };

	k->k = NULL;
	k->n = 0;
	if (sc_store_list(st, prefix, add_key, &l, e) == -1) {
		sc_rp_keys_free(k);
		return -1;
	}
	if (k->n > 1)
		qsort(k->k, k->n, sizeof(*k->k), cmp_key);
	return 0;
}

void
sc_rp_keys_free(struct sc_rp_keys *k)
{
	size_t i;

	for (i = 0; i < k->n; i++)
		free(k->k[i]);
	free(k->k);
	k->k = NULL;
	k->n = 0;
}

int
sc_rp_get(struct sc_store *st, const char *key, long max, char **buf,
    size_t *len, struct sc_err *e)
{
	uint64_t size;
	FILE *fp;

	*buf = NULL;
	*len = 0;
	/* A key made from untrusted text (a run id) can be no key at all. */
	if (sc_store_key_check(key, e) == -1)
		return 1;
	if (sc_store_stat(st, key, &size, e) == -1)
		return e->code == SC_ENOINPUT ? 1 : -1;
	if (size > (uint64_t)max)
		return sc_err_set(e, SC_EDATA, 0,
		    "%s: larger than %ld bytes (%llu)", key, max,
		    (unsigned long long)size);
	if ((fp = open_memstream(buf, len)) == NULL)
		return sc_err_errno(e, SC_EOS, errno, "memory stream");
	if (sc_store_get(st, key, fp, e) == -1) {
		fclose(fp);
		free(*buf);
		*buf = NULL;
		return e->code == SC_ENOINPUT ? 1 : -1;
	}
	if (fclose(fp) == EOF || *len > (size_t)max) {
		free(*buf);
		*buf = NULL;
		return sc_err_set(e, SC_EDATA, 0, "%s: larger than %ld bytes",
		    key, max);
	}
	return 0;
}

int
sc_rp_json(struct sc_store *st, const char *key, long max, json_t **out,
    struct sc_err *e)
{
	json_error_t je;
	char *buf;
	size_t len;
	int rc;

	*out = NULL;
	if ((rc = sc_rp_get(st, key, max, &buf, &len, e)) != 0)
		return rc;
	*out = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
	free(buf);
	if (*out == NULL)
		return sc_err_set(e, SC_EDATA, 0, "%s:%d: JSON: %s", key,
		    je.line, je.text);
	return 0;
}

struct pcols {
	long asof, date, ticker, model, source, close, pred, actual, lo, hi;
};

static char *
dup_col(struct sc_csv *r, long col)
{
	return strdup(col == -1 ? "" : sc_csv_field(r, (size_t)col));
}

static int
num_col(struct sc_csv *r, long col, double *v, const char *key,
    struct sc_err *e)
{
	*v = NAN;
	if (col == -1 || sc_csv_num(r, (size_t)col, v, e) != -1)
		return 0;
	{
		char why[sizeof(e->msg)];

		snprintf(why, sizeof(why), "%s", e->msg);
		return sc_err_set(e, SC_EDATA, 0, "%s:%ld: %s", key,
		    sc_csv_line(r), why);
	}
}

static int
pred_row(struct sc_csv *r, const struct pcols *c, struct sc_rp_pred *p,
    const char *key, struct sc_err *e)
{
	memset(p, 0, sizeof(*p));
	p->asof = dup_col(r, c->asof);
	p->date = dup_col(r, c->date);
	p->ticker = dup_col(r, c->ticker);
	p->model = dup_col(r, c->model);
	p->source = dup_col(r, c->source);
	if (p->asof == NULL || p->date == NULL || p->ticker == NULL ||
	    p->model == NULL || p->source == NULL)
		return sc_err_set(e, SC_EOS, 0, "out of memory");
	if (num_col(r, c->close, &p->close, key, e) == -1 ||
	    num_col(r, c->pred, &p->pred, key, e) == -1 ||
	    num_col(r, c->actual, &p->actual, key, e) == -1 ||
	    num_col(r, c->lo, &p->lo, key, e) == -1 ||
	    num_col(r, c->hi, &p->hi, key, e) == -1)
		return -1;
	return 0;
}

static void
free_row(struct sc_rp_pred *p)
{
	free(p->asof);
	free(p->date);
	free(p->ticker);
	free(p->model);
	free(p->source);
}

static int
read_rows(struct sc_csv *r, const struct pcols *c, struct sc_rp_preds *p,
    const char *key, struct sc_err *e)
{
	size_t cap = 0;
	int got;

	while ((got = sc_csv_read(r, e)) == 1) {
		if (sc_buf_grow(&p->r, &cap, p->n + 1, sizeof(*p->r), e) == -1)
			return -1;
		if (pred_row(r, c, &p->r[p->n], key, e) == -1) {
			free_row(&p->r[p->n]);
			return -1;
		}
		p->n++;
	}
	if (got == -1) {
		char why[sizeof(e->msg)];

		snprintf(why, sizeof(why), "%s", e->msg);
		return sc_err_set(e, e->code, 0, "%s:%ld: %s", key, e->line,
		    why);
	}
	return 0;
}

int
sc_rp_preds_read(struct sc_store *st, const char *key, struct sc_rp_preds *p,
    struct sc_err *e)
{
	struct sc_csv *r = NULL;
	struct pcols c;
	char *buf;
	size_t len;
	FILE *fp;
	int rc;

	memset(p, 0, sizeof(*p));
	if ((rc = sc_rp_get(st, key, SC_RP_MAX_OBJECT, &buf, &len, e)) != 0)
		return rc;
	if (len == 0) {
		free(buf);
		return sc_err_set(e, SC_EDATA, 0,
		    "%s:1: empty input: no header", key);
	}
	if ((fp = fmemopen(buf, len, "r")) == NULL) {
		free(buf);
		return sc_err_errno(e, SC_EOS, errno, "memory stream");
	}
	rc = -1;
	if ((r = sc_csv_open(fp, NULL, 1, e)) == NULL) {
		char why[sizeof(e->msg)];

		snprintf(why, sizeof(why), "%s", e->msg);
		sc_err_set(e, SC_EDATA, 0, "%s:1: %s", key, why);
		goto out;
	}
	c.asof = sc_csv_col(r, "asof");
	c.date = sc_csv_col(r, "date");
	c.ticker = sc_csv_col(r, "ticker");
	c.model = sc_csv_col(r, "model");
	c.source = sc_csv_col(r, "source");
	c.close = sc_csv_col(r, "close");
	c.pred = sc_csv_col(r, "predicted_close");
	c.actual = sc_csv_col(r, "actual_close");
	c.lo = sc_csv_col(r, "lower");
	c.hi = sc_csv_col(r, "upper");
	p->has_date = c.date != -1;
	p->has_source = c.source != -1;
	if (c.asof == -1 || c.ticker == -1 || c.pred == -1) {
		sc_err_set(e, SC_EDATA, 0,
		    "%s:1: a predictions CSV needs columns asof, ticker and "
		    "predicted_close",
		    key);
		goto out;
	}
	rc = read_rows(r, &c, p, key, e);
out:
	sc_csv_free(r);
	fclose(fp);
	free(buf);
	if (rc == -1)
		sc_rp_preds_free(p);
	return rc;
}

void
sc_rp_preds_free(struct sc_rp_preds *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		free_row(&p->r[i]);
	free(p->r);
	memset(p, 0, sizeof(*p));
}

void
sc_rp_key_date(const char *key, char *buf)
{
	const char *slash = strrchr(key, '/'), *s = slash ? slash + 1 : key;

	buf[0] = '\0';
	if (strlen(s) >= 10 && s[4] == '-' && s[7] == '-') {
		memcpy(buf, s, 10);
		buf[10] = '\0';
	}
}

const char *
sc_rp_latest(const struct sc_rp_keys *k, const char *prefix, const char *ext,
    const char *upto)
{
	size_t i = k->n, pl = strlen(prefix), el = strlen(ext), kl;
	char d[11];

	while (i-- > 0) {
		kl = strlen(k->k[i]);
		if (strncmp(k->k[i], prefix, pl) != 0 || kl != pl + 10 + el ||
		    strcmp(k->k[i] + kl - el, ext) != 0)
			continue;
		sc_rp_key_date(k->k[i], d);
		if (d[0] == '\0' || (*upto != '\0' && strcmp(d, upto) > 0))
			continue;
		return k->k[i];
	}
	return NULL;
}
