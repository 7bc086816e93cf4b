/* SPDX-License-Identifier: ISC */
/*
 * Metric families and samples in memory, the text format writer and the
 * text format parser.  Samples keep their insertion order inside a family
 * and families theirs, so output is stable; a hash of (name, labels) finds
 * a duplicate series in constant time whatever the input size.  Labels of a
 * sample are kept sorted by name, so two spellings of one series compare
 * equal.  The JSON and CSV converters are in sc_prom_conv.c.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sc_num.h"
#include "sc_prom.h"

struct family {
	char *name;
	enum sc_prom_type type;
	char *help;
	int has_samples;
	int typed;  /* a TYPE line was read */
	int helped; /* a HELP line was read */
};

struct sample {
	char *name;
	size_t fam;
	size_t nlab;
	char **lab; /* name, value, name, value, ... sorted by name */
	double value;
	uint64_t hash;
};

struct sc_prom {
	struct family *fam;
	size_t nfam, capfam;
	struct sample *s;
	size_t ns, caps;
	size_t *slot; /* open addressing: sample index + 1, 0 free */
	size_t nslot;
	size_t *fslot; /* the same for families by name */
	size_t nfslot;
};

static const struct std_metric {
	const char *name;
	const char *help;
} std_metrics[] = {
	{ "stockcast_rmse",
	    "Root mean squared error of the predicted close, "
	    "in price units." },
	{ "stockcast_mae",
	    "Mean absolute error of the predicted close, in "
	    "price units." },
	{ "stockcast_mape",
	    "Mean absolute percentage error of the predicted "
	    "close, as a ratio (0.01 is 1%)." },
	{ "stockcast_directional_accuracy",
	    "Share of forecasts that got the direction of the move right." },
	{ "stockcast_naive_rmse",
	    "RMSE of the naive forecast (tomorrow's "
	    "close is today's), in price units." },
	{ "stockcast_skill",
	    "Forecast skill 1 - rmse / naive_rmse; above 0 "
	    "beats the naive forecast." },
	{ "stockcast_interval_coverage",
	    "Share of actual closes inside the prediction interval." },
	{ "stockcast_interval_width",
	    "Mean width of the prediction intervals, in price units." },
	{ "stockcast_interval_score",
	    "Mean interval (Winkler) score of the prediction intervals, in "
	    "price units; lower is better." },
	{ "stockcast_interval_level",
	    "Nominal level of the prediction intervals (0.9 is 90%)." },
	{ "stockcast_dm_stat",
	    "Diebold-Mariano statistic of the forecast against the naive "
	    "one; negative is better." },
	{ "stockcast_dm_pvalue_better",
	    "One-sided Diebold-Mariano p-value of \"the forecast beats the "
	    "naive one\"." },
	{ "stockcast_eval_samples",
	    "Forecasts evaluated (rows with an actual close)." },
	{ "stockcast_eval_skipped_samples",
	    "Forecasts left out of the evaluation (no actual close yet)." },
	{ "stockcast_model_info",
	    "The model that made the forecasts, in the model label; always "
	    "1." },
	{ "stockcast_model_version",
	    "Registry version of the model that made the forecasts." },
	{ "stockcast_forecast_close",
	    "Forecast of the next trading day's "
	    "close." },
	{ "stockcast_forecast_lower",
	    "Lower bound of the forecast's prediction interval." },
	{ "stockcast_forecast_upper",
	    "Upper bound of the forecast's prediction interval." },
	{ "stockcast_last_close",
	    "Last observed close, the naive forecast of the next one." },
	{ "stockcast_actual_close", "Realised close of the forecast day." },
	{ "stockcast_forecast_asof_timestamp_seconds",
	    "Unix time (00:00 UTC) of the last trading day a forecast uses." },
	{ "stockcast_last_success_timestamp_seconds",
	    "Unix time of the job's last successful run." },
	{ "stockcast_last_run_duration_seconds",
	    "Duration of the job's last successful run in seconds." },
	{ "stock_forecast_test_rmse",
	    "Test RMSE of the forecast (the old system's name, kept)." },
	{ "stockcast_feature_drift",
	    "Drift statistic of a feature's recent values against the "
	    "model's training rows (method: psi, ks, wasserstein)." },
	{ "stockcast_feature_drift_threshold",
	    "Alarm threshold of the drift statistic, calibrated on chunks "
	    "of the training rows (mean + 3 sd)." },
	{ "stockcast_drift_share",
	    "Share of the model's features whose inputs drifted, 0..1." },
};

static const char *const type_names[] = { "untyped", "counter", "gauge",
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
static int
utf8_ok(const char *s, size_t n)
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

static size_t
name_hash(const char *name, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)name[i]) * 0x100000001b3ULL;
	return (size_t)h;
}

/* The slot of the family called name (n bytes): free or holding it. */
static size_t
family_slot(const struct sc_prom *p, const char *name, size_t n)
{
	size_t i = name_hash(name, n) & (p->nfslot - 1);
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

static long
find_family(const struct sc_prom *p, const char *name)
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

static const char *
std_help(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(std_metrics) / sizeof(std_metrics[0]); i++)
		if (strcmp(std_metrics[i].name, name) == 0)
			return std_metrics[i].help;
	return NULL;
}

static int
new_family(struct sc_prom *p, const char *name, enum sc_prom_type type,
    const char *help, struct sc_err *e)
{
	struct family *f;

	if (grow_families(p, e) == -1)
		return -1;
	if (p->nfam == p->capfam) {
		size_t cap = p->capfam ? 2 * p->capfam : 16;

		if ((f = realloc(p->fam, cap * sizeof(*f))) == NULL)
			return sc_err_set(e, SC_EOS, 0, "out of memory");
		p->fam = f;
		p->capfam = cap;
	}
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
	    (strlen(help) > SC_PROM_MAX_VALUE || !utf8_ok(help, strlen(help))))
		return sc_err_set(e, SC_EDATA, 0,
		    "%s: HELP too long or not UTF-8", name);
	if (help == NULL)
		help = std_help(name);
	if ((i = find_family(p, name)) == -1)
		return new_family(p, name, type, help, e);
	f = &p->fam[i];
	if (f->type != type)
		return sc_err_set(e, SC_EDATA, 0, "%s: TYPE %s, already %s",
		    name, type_names[type], type_names[f->type]);
	if (help != NULL && f->help != NULL && strcmp(help, f->help) != 0)
		return sc_err_set(e, SC_EDATA, 0,
		    "%s: a second, different HELP", name);
	if (help != NULL && f->help == NULL && (f->help = strdup(help)) == NULL)
		return sc_err_set(e, SC_EOS, 0, "out of memory");
	return 0;
}

int
sc_prom_std(struct sc_prom *p, const char *name, struct sc_err *e)
{
	const char *help = std_help(name);

	if (help == NULL)
		return sc_err_set(e, SC_EINTERNAL, 0,
		    "%s: not a stockcast metric", name);
	return sc_prom_family(p, name, SC_PROM_GAUGE, help, e);
}

/* The family a sample called name belongs to, made untyped when new. */
static long
family_of(struct sc_prom *p, const char *name, struct sc_err *e)
{
	static const char *const suffix[] = { "_bucket", "_sum", "_count" };
	size_t n = strlen(name), k, i;
	long f;

	if ((f = find_family(p, name)) != -1)
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
	if (new_family(p, name, SC_PROM_UNTYPED, std_help(name), e) == -1)
		return -1;
	return (long)p->nfam - 1;
}

static uint64_t
fnv(uint64_t h, const char *s)
{
	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return (h ^ 0xff) * 0x100000001b3ULL;
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
	struct sample *s;

	if (p->ns == p->caps) {
		n = p->caps ? 2 * p->caps : 32;
		if ((s = realloc(p->s, n * sizeof(*s))) == NULL)
			return sc_err_set(e, SC_EOS, 0, "out of memory");
		p->s = s;
		p->caps = n;
	}
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
		if (strlen(v) > SC_PROM_MAX_VALUE || !utf8_ok(v, strlen(v)))
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

static int parse_value(const char *, double *);

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
	if (i == s->nlab || parse_value(s->lab[2 * i + 1], &v) == -1)
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
	s.hash = fnv(0xcbf29ce484222325ULL, name);
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
	    type_names[f->type]);
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

/* A line being parsed: NUL-terminated copy, cursor. */
struct lex {
	char *s;
	char *p;
};

static void
blanks(struct lex *l)
{
	while (*l->p == ' ' || *l->p == '\t')
		l->p++;
}

/* Read a name token ([a-zA-Z0-9_:]*) into a NUL-terminated copy. */
static char *
token(struct lex *l, struct sc_err *e)
{
	const char *start = l->p;
	char *t;

	while ((*l->p >= 'a' && *l->p <= 'z') ||
	    (*l->p >= 'A' && *l->p <= 'Z') || (*l->p >= '0' && *l->p <= '9') ||
	    *l->p == '_' || *l->p == ':')
		l->p++;
	if ((t = strndup(start, (size_t)(l->p - start))) == NULL)
		sc_err_set(e, SC_EOS, 0, "out of memory");
	return t;
}

/*
 * Unescape the text at l->p up to end_ch (a '"' for a label value, NUL for
 * HELP) in place; quote says whether \" is a valid escape.
 */
static char *
unescape(struct lex *l, int end_ch, struct sc_err *e)
{
	char *out = l->p, *start = l->p;

	while (*l->p != end_ch) {
		if (*l->p == '\0') {
			sc_err_set(e, SC_EDATA, 0, "unterminated label value");
			return NULL;
		}
		if (*l->p != '\\') {
			*out++ = *l->p++;
			continue;
		}
		l->p++;
		if (*l->p == 'n')
			*out++ = '\n';
		else if (*l->p == '\\' || (*l->p == '"' && end_ch == '"'))
			*out++ = *l->p;
		else {
			sc_err_set(e, SC_EDATA, 0, "invalid escape \"\\%c\"",
			    *l->p ? *l->p : ' ');
			return NULL;
		}
		l->p++;
	}
	if (end_ch != '\0')
		l->p++;
	*out = '\0';
	if ((size_t)(out - start) > SC_PROM_MAX_VALUE) {
		sc_err_set(e, SC_EDATA, 0, "value longer than %d bytes",
		    SC_PROM_MAX_VALUE);
		return NULL;
	}
	return start;
}

static long
declare(struct sc_prom *p, const char *name, struct sc_err *e)
{
	long f;

	if (!sc_prom_name_ok(name))
		return sc_err_set(e, SC_EDATA, 0,
		    "invalid metric name \"%.64s\"", name);
	if ((f = find_family(p, name)) == -1) {
		if (new_family(p, name, SC_PROM_UNTYPED, std_help(name), e) ==
		    -1)
			return -1;
		f = (long)p->nfam - 1;
	}
	return f;
}

static int
parse_type(struct sc_prom *p, struct family *f, const char *t, struct sc_err *e)
{
	size_t i;

	(void)p;
	if (f->typed)
		return sc_err_set(e, SC_EDATA, 0, "%s: a second TYPE line",
		    f->name);
	if (f->has_samples)
		return sc_err_set(e, SC_EDATA, 0, "%s: TYPE after its samples",
		    f->name);
	for (i = 0; i <= SC_PROM_HISTOGRAM; i++)
		if (strcmp(t, type_names[i]) == 0) {
			f->type = (enum sc_prom_type)i;
			f->typed = 1;
			return 0;
		}
	return sc_err_set(e, SC_EDATA, 0, "%s: unknown TYPE \"%.32s\"", f->name,
	    t);
}

/* "# HELP name text", "# TYPE name type", or another comment. */
static int
parse_comment(struct sc_prom *p, struct lex *l, struct sc_err *e)
{
	char *kw, *name = NULL, *text, *help;
	int rc = -1, is_help;
	long f;

	l->p++;
	blanks(l);
	if ((kw = token(l, e)) == NULL)
		return -1;
	is_help = strcmp(kw, "HELP") == 0;
	if ((!is_help && strcmp(kw, "TYPE") != 0) ||
	    (*l->p != ' ' && *l->p != '\t')) {
		free(kw);
		return 0; /* a plain comment */
	}
	blanks(l);
	if ((name = token(l, e)) == NULL || (f = declare(p, name, e)) == -1)
		goto out;
	if (*l->p != '\0' && *l->p != ' ' && *l->p != '\t') {
		sc_err_set(e, SC_EDATA, 0, "invalid metric name in %s", kw);
		goto out;
	}
	if (*l->p != '\0')
		l->p++;
	if (!is_help) {
		text = l->p;
		while (*l->p != '\0' && *l->p != ' ' && *l->p != '\t')
			l->p++;
		*l->p = '\0';
		rc = parse_type(p, &p->fam[f], text, e);
	} else if (p->fam[f].helped)
		rc = sc_err_set(e, SC_EDATA, 0, "%s: a second HELP line", name);
	else if ((text = unescape(l, '\0', e)) != NULL) {
		if (!utf8_ok(text, strlen(text)))
			rc = sc_err_set(e, SC_EDATA, 0, "%s: HELP not UTF-8",
			    name);
		else if ((help = strdup(text)) == NULL)
			rc = sc_err_set(e, SC_EOS, 0, "out of memory");
		else {
			free(p->fam[f].help);
			p->fam[f].help = help;
			p->fam[f].helped = 1;
			rc = 0;
		}
	}
out:
	free(kw);
	free(name);
	return rc;
}

/* Parse {name="value",...} into lab (pairs pointing into the line). */
static int
parse_labels(struct lex *l, char **lab, struct sc_err *e)
{
	size_t n = 0;

	l->p++;
	for (;;) {
		blanks(l);
		if (*l->p == '}')
			break;
		if (n == SC_PROM_MAX_LABELS)
			return sc_err_set(e, SC_EDATA, 0, "more than %d labels",
			    SC_PROM_MAX_LABELS);
		lab[2 * n] = l->p;
		while ((*l->p >= 'a' && *l->p <= 'z') ||
		    (*l->p >= 'A' && *l->p <= 'Z') ||
		    (*l->p >= '0' && *l->p <= '9') || *l->p == '_')
			l->p++;
		if (l->p == lab[2 * n])
			return sc_err_set(e, SC_EDATA, 0, "invalid label name");
		if (*l->p == ' ' || *l->p == '\t') {
			*l->p++ = '\0';
			blanks(l);
		}
		if (*l->p != '=')
			return sc_err_set(e, SC_EDATA, 0,
			    "expected '=' after label name");
		*l->p++ = '\0';
		blanks(l);
		if (*l->p != '"')
			return sc_err_set(e, SC_EDATA, 0,
			    "expected '\"' before label value");
		l->p++;
		if ((lab[2 * n + 1] = unescape(l, '"', e)) == NULL)
			return -1;
		n++;
		blanks(l);
		if (*l->p == ',')
			l->p++;
		else if (*l->p != '}')
			return sc_err_set(e, SC_EDATA, 0,
			    "expected ',' or '}' after label value");
	}
	l->p++;
	lab[2 * n] = NULL;
	return 0;
}

/* A float as the text format has it: decimal, NaN, +Inf, -Inf. */
static int
parse_value(const char *s, double *v)
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

static int
parse_sample(struct sc_prom *p, struct lex *l, struct sc_err *e)
{
	char *lab[2 * SC_PROM_MAX_LABELS + 1], *name, *val;
	double v;
	int rc = -1;

	lab[0] = NULL;
	if ((name = token(l, e)) == NULL)
		return -1;
	if (*l->p == '{' && parse_labels(l, lab, e) == -1)
		goto out;
	if (*l->p == '\0') {
		sc_err_set(e, SC_EDATA, 0, "%.64s: no value", name);
		goto out;
	}
	if (*l->p != ' ' && *l->p != '\t') {
		sc_err_set(e, SC_EDATA, 0, "invalid metric name \"%.64s%.16s\"",
		    name, l->p);
		goto out;
	}
	blanks(l);
	val = l->p;
	while (*l->p != '\0' && *l->p != ' ' && *l->p != '\t')
		l->p++;
	if (*l->p != '\0')
		*l->p++ = '\0';
	blanks(l);
	if (*l->p != '\0')
		sc_err_set(e, SC_EDATA, 0,
		    "%s: a timestamp or junk after the value (the Pushgateway "
		    "refuses timestamps)",
		    name);
	else if (parse_value(val, &v) == -1)
		sc_err_set(e, SC_EDATA, 0, "%s: not a float: \"%.32s\"", name,
		    val);
	else
		rc = sc_prom_add(p, name, (const char *const *)lab, v, e);
out:
	free(name);
	return rc;
}

int
sc_prom_parse(struct sc_prom *p, const char *text, size_t len, struct sc_err *e)
{
	const char *s = text, *end = text + len, *nl;
	struct lex l;
	long line = 0;
	size_t n;
	int rc;

	for (; s < end; s = nl + 1) {
		line++;
		if ((nl = memchr(s, '\n', (size_t)(end - s))) == NULL)
			nl = end;
		if ((n = (size_t)(nl - s)) > SC_PROM_MAX_LINE)
			return sc_err_set(e, SC_EDATA, line,
			    "line longer than %d bytes", SC_PROM_MAX_LINE);
		if (memchr(s, '\0', n) != NULL)
			return sc_err_set(e, SC_EDATA, line, "a NUL byte");
		if ((l.s = strndup(s, n)) == NULL)
			return sc_err_set(e, SC_EOS, 0, "out of memory");
		l.p = l.s;
		blanks(&l);
		rc = 0;
		if (*l.p == '#')
			rc = parse_comment(p, &l, e);
		else if (*l.p != '\0')
			rc = parse_sample(p, &l, e);
		free(l.s);
		if (rc == -1) {
			if (e != NULL)
				e->line = line;
			return -1;
		}
	}
	return 0;
}
