/* SPDX-License-Identifier: ISC */
/*
 * The search space of sc_tune: what each forest parameter may range
 * over, parsed from "name=int:lo:hi[:log]", "name=float:lo:hi[:log]" or
 * "name=cat:a,b,c" (or a JSON object of such specs), checked against the
 * parameter's own range so that a bad spec fails before any fit, and
 * turned into forest parameters.  An integer dimension of a share-or-count
 * parameter (min_samples_split, max_features, max_samples) is a count, a
 * float one a share, as scikit-learn tells int from float.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sc_num.h"
#include "sc_tune.h"

enum { P_TREES, P_DEPTH, P_SPLIT, P_LEAF, P_FEAT, P_SAMP, P_BOOT };

/* Each parameter's name, its integer range and its share range. */
static const struct pdef {
	const char *name;
	double ilo, ihi; /* integers allowed (ilo > ihi: none) */
	int share;       /* floats in (0, 1] allowed */
	int names;       /* sqrt, log2 (max_features) or true, false */
} pdefs[] = { { "trees", 1, 100000, 0, 0 }, { "max_depth", 1, 100000, 0, 0 },
	{ "min_samples_split", 2, 1e9, 1, 0 },
	{ "min_samples_leaf", 1, 1e9, 0, 0 }, { "max_features", 1, 1e9, 1, 1 },
	{ "max_samples", 1, 1e9, 1, 0 }, { "bootstrap", 1, 0, 0, 2 } };

#define NPDEFS (sizeof(pdefs) / sizeof(pdefs[0]))

static int
pindex(const char *name)
{
	size_t i;

	for (i = 0; i < NPDEFS; i++)
		if (strcmp(pdefs[i].name, name) == 0)
			return (int)i;
	return -1;
}

static void
add_dim(struct sc_tune_space *s, const char *name, enum sc_tune_kind k,
    double lo, double hi, int log)
{
	struct sc_tune_dim *d = &s->d[s->n++];

	memset(d, 0, sizeof(*d));
	snprintf(d->name, sizeof(d->name), "%s", name);
	d->kind = k;
	d->lo = lo;
	d->hi = hi;
	d->log = log;
}

void
sc_tune_space_defaults(struct sc_tune_space *s)
{
	memset(s, 0, sizeof(*s));
	add_dim(s, "trees", SC_TUNE_INT, 50, 300, 0);
	add_dim(s, "max_depth", SC_TUNE_INT, 3, 10, 0);
	add_dim(s, "min_samples_split", SC_TUNE_FLOAT, 0.01, 0.1, 0);
	add_dim(s, "min_samples_leaf", SC_TUNE_INT, 1, 32, 1);
	add_dim(s, "max_features", SC_TUNE_FLOAT, 0.1, 1.0, 0);
}

/* Is category text c a value parameter p can take? */
static int
cat_ok(const struct pdef *p, const char *c)
{
	struct sc_share sh;

	if (p->names == 2)
		return strcmp(c, "true") == 0 || strcmp(c, "false") == 0;
	if (p->share || p->names)
		return sc_share_parse(c, p->names, (long)p->ilo, &sh, NULL) ==
		    0;
	return strpbrk(c, ".eE") == NULL &&
	    sc_num_parse_long(c, (long)p->ilo, (long)p->ihi, &(long){ 0 }) == 0;
}

static int
parse_cat(struct sc_tune_dim *d, const struct pdef *p, char *list,
    struct sc_err *e)
{
	char *c, *save = NULL;
	size_t i;

	for (c = strtok_r(list, ",", &save); c != NULL;
	     c = strtok_r(NULL, ",", &save)) {
		if (d->ncat == SC_TUNE_MAXCAT || strlen(c) >= sizeof(d->cat[0]))
			return sc_err_set(e, SC_EUSAGE, 0,
			    "%s: at most %d categories of at most %zu bytes",
			    d->name, SC_TUNE_MAXCAT, sizeof(d->cat[0]) - 1);
		if (!cat_ok(p, c))
			return sc_err_set(e, SC_EUSAGE, 0,
			    "%s: \"%.24s\" is not a value it can take", d->name,
			    c);
		for (i = 0; i < d->ncat; i++)
			if (strcmp(d->cat[i], c) == 0)
				return sc_err_set(e, SC_EUSAGE, 0,
				    "%s: \"%s\" twice", d->name, c);
		strcpy(d->cat[d->ncat++], c);
	}
	if (d->ncat == 0)
		return sc_err_set(e, SC_EUSAGE, 0, "%s: no category", d->name);
	d->kind = SC_TUNE_CAT;
	d->hi = (double)d->ncat - 1;
	return 0;
}

/* Parse "lo:hi[:log]" of a numeric dimension and check it against p. */
static int
parse_range(struct sc_tune_dim *d, const struct pdef *p, char *r,
    struct sc_err *e)
{
	char *lo = r, *hi, *lg;
	int isint = d->kind == SC_TUNE_INT;

	if ((hi = strchr(lo, ':')) == NULL)
		return sc_err_set(e, SC_EUSAGE, 0, "%s: want lo:hi[:log]",
		    d->name);
	*hi++ = '\0';
	if ((lg = strchr(hi, ':')) != NULL) {
		*lg++ = '\0';
		if (strcmp(lg, "log") != 0)
			return sc_err_set(e, SC_EUSAGE, 0,
			    "%s: \"%.16s\": want \"log\" or nothing", d->name,
			    lg);
		d->log = 1;
	}
	if (sc_num_parse(lo, strlen(lo), &d->lo) == -1 ||
	    sc_num_parse(hi, strlen(hi), &d->hi) == -1 ||
	    (isint && (d->lo != floor(d->lo) || d->hi != floor(d->hi))))
		return sc_err_set(e, SC_EUSAGE, 0, "%s: bounds not %s", d->name,
		    isint ? "integers" : "numbers");
	if (isint ? d->lo > d->hi : !(d->lo < d->hi))
		return sc_err_set(e, SC_EUSAGE, 0, "%s: lo above hi", d->name);
	if (isint && (p->ilo > p->ihi || d->lo < p->ilo || d->hi > p->ihi))
		return sc_err_set(e, SC_EUSAGE, 0,
		    "%s: as an integer wants %.0f..%.0f", d->name, p->ilo,
		    p->ihi);
	if (!isint && (!p->share || !(d->lo > 0) || d->hi > 1))
		return sc_err_set(e, SC_EUSAGE, 0, "%s: %s", d->name,
		    p->share ? "a share wants bounds in (0, 1]"
		             : "is not a share: use int");
	if (d->log && !(d->lo > 0))
		return sc_err_set(e, SC_EUSAGE, 0, "%s: log wants lo > 0",
		    d->name);
	return 0;
}

int
sc_tune_space_parse(struct sc_tune_space *s, const char *spec, struct sc_err *e)
{
	struct sc_tune_dim d;
	char buf[512], *eq, *ty, *rest;
	size_t i;
	int p, rc;

	memset(&d, 0, sizeof(d));
	if (strlen(spec) >= sizeof(buf))
		return sc_err_set(e, SC_EUSAGE, 0, "too long");
	strcpy(buf, spec);
	if ((eq = strchr(buf, '=')) == NULL || (rest = strchr(eq, ':')) == NULL)
		return sc_err_set(e, SC_EUSAGE, 0,
		    "%.40s: want name=int|float|cat:...", spec);
	*eq = '\0';
	ty = eq + 1;
	*rest++ = '\0';
	if ((p = pindex(buf)) == -1)
		return sc_err_set(e, SC_EUSAGE, 0,
		    "%.40s: unknown parameter \"%.24s\"", spec, buf);
	strcpy(d.name, pdefs[p].name); /* a known name, shorter than d.name */
	if (strcmp(ty, "cat") == 0)
		rc = parse_cat(&d, &pdefs[p], rest, e);
	else if (strcmp(ty, "int") == 0 || strcmp(ty, "float") == 0) {
		d.kind = ty[0] == 'i' ? SC_TUNE_INT : SC_TUNE_FLOAT;
		rc = parse_range(&d, &pdefs[p], rest, e);
	} else
		rc = sc_err_set(e, SC_EUSAGE, 0,
		    "%.40s: type \"%.8s\": want int, float or cat", spec, ty);
	if (rc == -1)
		return -1;
	for (i = 0; i < s->n && strcmp(s->d[i].name, d.name) != 0; i++)
		;
	if (i == SC_TUNE_MAXPARAMS)
		return sc_err_set(e, SC_EUSAGE, 0, "too many parameters");
	s->d[i] = d;
	if (i == s->n)
		s->n++;
	return 0;
}

int
sc_tune_space_read(struct sc_tune_space *s, FILE *fp, struct sc_err *e)
{
	json_error_t je;
	json_t *o = json_loadf(fp, JSON_REJECT_DUPLICATES, &je), *v;
	const char *k;
	char spec[600];

	if (o == NULL || !json_is_object(o)) {
		json_decref(o);
		return sc_err_set(e, SC_EUSAGE, o ? 0 : je.line,
		    "want a JSON object {\"name\": \"int:lo:hi\", ...}%s%s",
		    o ? "" : ": ", o ? "" : je.text);
	}
	json_object_foreach(o, k, v)
	{
		if (!json_is_string(v) ||
		    snprintf(spec, sizeof(spec), "%s=%s", k,
		        json_string_value(v)) >= (int)sizeof(spec) ||
		    sc_tune_space_parse(s, spec, e) == -1) {
			if (!json_is_string(v))
				sc_err_set(e, SC_EUSAGE, 0,
				    "\"%.24s\": want a string", k);
			json_decref(o);
			return -1;
		}
	}
	json_decref(o);
	return 0;
}

/* A share-or-count parameter from value v of dimension d. */
static int
share_of(const struct sc_tune_dim *d, double v, int names, struct sc_share *out,
    struct sc_err *e)
{
	if (d->kind == SC_TUNE_CAT)
		return sc_share_parse(d->cat[(size_t)v], names, 1, out, e);
	out->kind = d->kind == SC_TUNE_INT ? SC_SHARE_COUNT : SC_SHARE_FRAC;
	out->value = v;
	return 0;
}

/* An integer parameter's value from value v of dimension d. */
static double
int_of(const struct sc_tune_dim *d, double v)
{
	return d->kind == SC_TUNE_CAT ? strtod(d->cat[(size_t)v], NULL) : v;
}

int
sc_tune_apply(const struct sc_tune_space *s, const double *x,
    const struct sc_forest_params *base, struct sc_forest_params *p,
    struct sc_err *e)
{
	size_t i;
	const struct sc_tune_dim *d;

	*p = *base;
	for (i = 0; i < s->n; i++) {
		d = &s->d[i];
		switch (pindex(d->name)) {
		case P_TREES:
			p->trees = (int)int_of(d, x[i]);
			break;
		case P_DEPTH:
			p->max_depth = (int)int_of(d, x[i]);
			break;
		case P_LEAF:
			p->min_samples_leaf = (long)int_of(d, x[i]);
			break;
		case P_SPLIT:
			if (share_of(d, x[i], 0, &p->min_samples_split, e))
				return -1;
			break;
		case P_FEAT:
			if (share_of(d, x[i], 1, &p->max_features, e))
				return -1;
			break;
		case P_SAMP:
			if (share_of(d, x[i], 0, &p->max_samples, e))
				return -1;
			break;
		case P_BOOT:
			p->bootstrap =
			    strcmp(d->cat[(size_t)x[i]], "true") == 0;
			break;
		}
	}
	if (p->min_samples_split.kind == SC_SHARE_COUNT &&
	    p->min_samples_split.value < 2)
		p->min_samples_split.value = 2;
	if (!p->bootstrap) {
		p->max_samples.kind = SC_SHARE_FRAC;
		p->max_samples.value = 1.0;
	}
	return sc_forest_check(p, e);
}
