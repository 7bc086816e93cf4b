/* SPDX-License-Identifier: ISC */
/*
 * Feature computation.  Each kind of feature has one function that fills a
 * whole column (every day of a series, at a given stride); the full table
 * writes the columns into a row-major matrix and the last-day call writes
 * one column at a time into scratch and keeps its last value.  Recursive
 * features (EMA, Wilder's RSI) depend on the whole history anyway, so there
 * is nothing to save by a separate last-day formula, and one function per
 * kind is what makes training and serving values identical bit for bit
 * (ISO C mode keeps the compiler from contracting a*b+c differently in two
 * places).  Windowed sums are recomputed per window rather than slid, so
 * no rounding error accumulates over a long history.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sc_date.h"
#include "sc_features.h"
#include "sc_hash.h"

enum kind {
	K_EMA,
	K_EMA_RATIO,
	K_SMA,
	K_SMA_RATIO,
	K_RET,
	K_LOGRET,
	K_VOL,
	K_RSI,
	K_VOLUME_CHG,
	K_DOW,
	K_TICKER_ID
};

#define FEAT_NAME_LEN 32

struct feat {
	enum kind kind;
	long n;   /* window; 0 when none */
	long lag; /* days back; 0 for today */
	char name[FEAT_NAME_LEN];
};

struct sc_features {
	struct feat *f;
	size_t nf;
	size_t warmup;
};

/* The kinds with a window, by name prefix: "<prefix>_<N>[_ratio]". */
static const struct {
	const char *prefix;
	enum kind kind;
	int ratio; /* kind of "_ratio" form, or -1 */
	long nmin;
} windowed[] = {
	{ "ema", K_EMA, K_EMA_RATIO, 1 },
	{ "sma", K_SMA, K_SMA_RATIO, 1 },
	{ "ret", K_RET, -1, 1 },
	{ "logret", K_LOGRET, -1, 1 },
	{ "vol", K_VOL, -1, 2 },
	{ "rsi", K_RSI, -1, 1 },
	{ "volume_chg", K_VOLUME_CHG, -1, 1 },
};

#define NWINDOWED (sizeof(windowed) / sizeof(windowed[0]))

/* First day on which a feature is defined, before any lag. */
static size_t
base_warmup(const struct feat *f)
{
	switch (f->kind) {
	case K_EMA:
	case K_EMA_RATIO:
	case K_SMA:
	case K_SMA_RATIO:
		return (size_t)f->n - 1;
	case K_DOW:
	case K_TICKER_ID:
		return 0;
	default:
		return (size_t)f->n;
	}
}

/* First day on which a feature is defined. */
static size_t
feat_warmup(const struct feat *f)
{
	return base_warmup(f) + (size_t)f->lag;
}

/* Parse a decimal N without sign or leading zero; -1 if malformed. */
static long
parse_n(const char *s, size_t len)
{
	long v = 0;
	size_t i;

	if (len == 0 || len > 6 || s[0] == '0')
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* Is s (len bytes) the word w? */
static int
is(const char *s, size_t len, const char *w)
{
	return strlen(w) == len && memcmp(s, w, len) == 0;
}

/* Parse the base name s (len bytes, no lag suffix) into f->kind, f->n. */
static int
parse_base(const char *s, size_t len, struct feat *f, enum sc_errcode code,
    struct sc_err *e)
{
	size_t i, pl, rest;
	long n;

	if (is(s, len, "dow") || is(s, len, "ticker_id")) {
		f->kind = s[0] == 'd' ? K_DOW : K_TICKER_ID;
		return 0;
	}
	for (i = 0; i < NWINDOWED; i++) {
		pl = strlen(windowed[i].prefix);
		if (len <= pl + 1 || strncmp(s, windowed[i].prefix, pl) != 0 ||
		    s[pl] != '_' || s[pl + 1] < '0' || s[pl + 1] > '9')
			continue;
		rest = len - pl - 1;
		f->kind = windowed[i].kind;
		if (windowed[i].ratio >= 0 && rest > 6 &&
		    memcmp(s + len - 6, "_ratio", 6) == 0) {
			f->kind = (enum kind)windowed[i].ratio;
			rest -= 6;
		}
		if ((n = parse_n(s + pl + 1, rest)) == -1 ||
		    n < windowed[i].nmin || n > SC_FEATURES_MAX_N)
			return sc_err_set(e, code, 0,
			    "feature \"%s\": want %s_N%s with N in %ld..%d",
			    f->name, windowed[i].prefix,
			    f->kind != windowed[i].kind ? "_ratio" : "",
			    windowed[i].nmin, SC_FEATURES_MAX_N);
		f->n = n;
		return 0;
	}
	return sc_err_set(e, code, 0, "unknown feature \"%s\"", f->name);
}

/*
 * Parse the name s (len bytes) into *f: a base name, optionally followed
 * by "_lag_K".  code is the error code to use.
 */
static int
parse_name(const char *s, size_t len, struct feat *f, enum sc_errcode code,
    struct sc_err *e)
{
	size_t blen = len, i;

	if (len == 0)
		return sc_err_set(e, code, 0, "empty feature name in list");
	if (len >= FEAT_NAME_LEN)
		return sc_err_set(e, code, 0, "unknown feature \"%.40s%s\"", s,
		    len > 40 ? "..." : "");
	memcpy(f->name, s, len);
	f->name[len] = '\0';
	f->n = f->lag = 0;
	for (i = len; i >= 5 && blen == len; i--)
		if (memcmp(s + i - 5, "_lag_", 5) == 0)
			blen = i - 5;
	if (blen < len) {
		f->lag = parse_n(s + blen + 5, len - blen - 5);
		if (f->lag < 1 || f->lag > SC_FEATURES_MAX_N)
			return sc_err_set(e, code, 0,
			    "feature \"%s\": want NAME_lag_K with K in 1..%d",
			    f->name, SC_FEATURES_MAX_N);
	}
	return parse_base(s, blen, f, code, e);
}

static struct sc_features *
spec_new(size_t n, enum sc_errcode code, struct sc_err *e)
{
	struct sc_features *fs;

	if (n == 0) {
		sc_err_set(e, code, 0, "no features given");
		return NULL;
	}
	if (n > SC_FEATURES_MAX) {
		sc_err_set(e, code, 0, "more than %d features",
		    SC_FEATURES_MAX);
		return NULL;
	}
	if ((fs = calloc(1, sizeof(*fs))) == NULL ||
	    (fs->f = calloc(n, sizeof(*fs->f))) == NULL) {
		free(fs);
		sc_err_set(e, SC_EOS, 0, "out of memory");
		return NULL;
	}
	return fs;
}

/* Add the name s (len bytes) to fs; check it is new. */
static int
spec_add(struct sc_features *fs, const char *s, size_t len,
    enum sc_errcode code, struct sc_err *e)
{
	struct feat *f = &fs->f[fs->nf];
	size_t i, w;

	if (parse_name(s, len, f, code, e) == -1)
		return -1;
	for (i = 0; i < fs->nf; i++)
		if (strcmp(fs->f[i].name, f->name) == 0)
			return sc_err_set(e, code, 0,
			    "feature \"%s\" listed twice", f->name);
	if ((w = feat_warmup(f)) > fs->warmup)
		fs->warmup = w;
	fs->nf++;
	return 0;
}

struct sc_features *
sc_features_parse(const char *list, struct sc_err *e)
{
	struct sc_features *fs;
	const char *p, *a, *b;
	size_t n = 1;

	for (p = list; *p != '\0'; p++)
		n += *p == ',';
	if (strspn(list, " \t") == strlen(list))
		n = 0;
	if ((fs = spec_new(n, SC_EUSAGE, e)) == NULL)
		return NULL;
	for (p = list;; p++) {
		a = p;
		if ((p = strchr(a, ',')) == NULL)
			p = a + strlen(a);
		b = p;
		while (a < b && (*a == ' ' || *a == '\t'))
			a++;
		while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
			b--;
		if (spec_add(fs, a, (size_t)(b - a), SC_EUSAGE, e) == -1) {
			sc_features_free(fs);
			return NULL;
		}
		if (*p == '\0')
			return fs;
	}
}

struct sc_features *
sc_features_from_names(const char *const *names, size_t n, struct sc_err *e)
{
	struct sc_features *fs;
	size_t i;

	if ((fs = spec_new(n, SC_EDATA, e)) == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		if (spec_add(fs, names[i], strlen(names[i]), SC_EDATA, e) ==
		    -1) {
			sc_features_free(fs);
			return NULL;
		}
	return fs;
}

void
sc_features_free(struct sc_features *fs)
{
	if (fs == NULL)
		return;
	free(fs->f);
	free(fs);
}

size_t
sc_features_count(const struct sc_features *fs)
{
	return fs->nf;
}

const char *
sc_features_name(const struct sc_features *fs, size_t i)
{
	return i < fs->nf ? fs->f[i].name : "";
}

size_t
sc_features_warmup(const struct sc_features *fs)
{
	return fs->warmup;
}

int
sc_features_needs(const struct sc_features *fs, enum sc_ohlcv_col c)
{
	size_t i;

	if (c == SC_OHLCV_CLOSE)
		return 1; /* every day needs a close, as the target does */
	for (i = 0; i < fs->nf; i++)
		if (c == SC_OHLCV_VOLUME && fs->f[i].kind == K_VOLUME_CHG)
			return 1;
	return 0;
}

/*
 * The column functions.  Each writes dst[t * stride] for every day t of s,
 * NaN where the feature is undefined.
 */

/* pandas ewm(span=N, adjust=False).mean(), step by step as pandas does. */
static void
col_ema(const struct feat *f, const struct sc_ohlcv_series *s, double *dst,
    size_t stride)
{
	const double *c = s->v[SC_OHLCV_CLOSE];
	double alpha = 2.0 / ((double)f->n + 1.0), old = 1.0 - alpha, w;
	size_t t;

	if (s->n == 0)
		return;
	w = c[0];
	for (t = 0; t < s->n; t++) {
		if (t > 0 && w != c[t])
			w = (old * w + alpha * c[t]) / (old + alpha);
		dst[t * stride] = t + 1 < (size_t)f->n ? NAN : w;
	}
}

static void
col_sma(const struct feat *f, const struct sc_ohlcv_series *s, double *dst,
    size_t stride)
{
	const double *c = s->v[SC_OHLCV_CLOSE];
	size_t t, i, n = (size_t)f->n;
	double sum;

	for (t = 0; t < s->n; t++) {
		if (t + 1 < n) {
			dst[t * stride] = NAN;
			continue;
		}
		sum = 0;
		for (i = t + 1 - n; i <= t; i++)
			sum += c[i];
		dst[t * stride] = sum / (double)n;
	}
}

/* close / average - 1, over the average already in dst. */
static void
to_ratio(const struct sc_ohlcv_series *s, double *dst, size_t stride)
{
	const double *c = s->v[SC_OHLCV_CLOSE];
	size_t t;

	for (t = 0; t < s->n; t++)
		dst[t * stride] = c[t] / dst[t * stride] - 1.0;
}

static void
col_ret(const struct feat *f, const struct sc_ohlcv_series *s, double *dst,
    size_t stride)
{
	const double *c = s->v[SC_OHLCV_CLOSE];
	size_t t, n = (size_t)f->n;

	for (t = 0; t < s->n; t++)
		if (t < n)
			dst[t * stride] = NAN;
		else if (f->kind == K_RET)
			dst[t * stride] = c[t] / c[t - n] - 1.0;
		else
			dst[t * stride] = log(c[t] / c[t - n]);
}

/* Sample standard deviation of the daily log returns of days t-N+1..t. */
static void
col_vol(const struct feat *f, const struct sc_ohlcv_series *s, double *dst,
    size_t stride)
{
	const double *c = s->v[SC_OHLCV_CLOSE];
	size_t t, i, n = (size_t)f->n;
	double mean, ss, r;

	for (t = 0; t < s->n; t++) {
		if (t < n) {
			dst[t * stride] = NAN;
			continue;
		}
		mean = 0;
		for (i = t + 1 - n; i <= t; i++)
			mean += log(c[i] / c[i - 1]);
		mean /= (double)n;
		ss = 0;
		for (i = t + 1 - n; i <= t; i++) {
			r = log(c[i] / c[i - 1]) - mean;
			ss += r * r;
		}
		dst[t * stride] = sqrt(ss / (double)(n - 1));
	}
}

static double
rsi_of(double gain, double loss)
{
	if (loss == 0)
		return gain == 0 ? 50.0 : 100.0;
	return 100.0 - 100.0 / (1.0 + gain / loss);
}

/* Wilder's RSI: simple averages over days 1..N, then (a*(N-1)+x)/N. */
static void
col_rsi(const struct feat *f, const struct sc_ohlcv_series *s, double *dst,
    size_t stride)
{
	const double *c = s->v[SC_OHLCV_CLOSE];
	size_t t, n = (size_t)f->n;
	double gain = 0, loss = 0, d, nd = (double)n;

	for (t = 0; t < s->n; t++) {
		d = t > 0 ? c[t] - c[t - 1] : 0;
		if (t < n) {
			gain += d > 0 ? d : 0;
			loss += d < 0 ? -d : 0;
			dst[t * stride] = NAN;
			continue;
		}
		if (t == n) {
			gain = (gain + (d > 0 ? d : 0)) / nd;
			loss = (loss + (d < 0 ? -d : 0)) / nd;
		} else {
			gain = (gain * (nd - 1) + (d > 0 ? d : 0)) / nd;
			loss = (loss * (nd - 1) + (d < 0 ? -d : 0)) / nd;
		}
		dst[t * stride] = rsi_of(gain, loss);
	}
}

static void
col_volume_chg(const struct feat *f, const struct sc_ohlcv_series *s,
    double *dst, size_t stride)
{
	const double *v = s->v[SC_OHLCV_VOLUME];
	size_t t, n = (size_t)f->n;

	for (t = 0; t < s->n; t++)
		/* NaN compares false: a missing volume gives NaN too. */
		if (t >= n && v[t - n] > 0 && v[t] >= 0)
			dst[t * stride] = v[t] / v[t - n] - 1.0;
		else
			dst[t * stride] = NAN;
}

static void
col_calendar(const struct feat *f, const struct sc_ohlcv_series *s, double *dst,
    size_t stride)
{
	uint64_t h = sc_hash_fnv1a(s->ticker, strlen(s->ticker));
	/* The top 53 bits of the hash as a fraction in [0, 1): exact. */
	double id = (double)(h >> 11) * 0x1p-53;
	size_t t;

	for (t = 0; t < s->n; t++)
		dst[t * stride] = f->kind == K_TICKER_ID
		    ? id
		    : (double)((sc_date_wday(s->date[t]) + 6) % 7);
}

static void
base_column(const struct feat *f, const struct sc_ohlcv_series *s, double *dst,
    size_t stride)
{
	switch (f->kind) {
	case K_EMA:
	case K_EMA_RATIO:
		col_ema(f, s, dst, stride);
		if (f->kind == K_EMA_RATIO)
			to_ratio(s, dst, stride);
		break;
	case K_SMA:
	case K_SMA_RATIO:
		col_sma(f, s, dst, stride);
		if (f->kind == K_SMA_RATIO)
			to_ratio(s, dst, stride);
		break;
	case K_RET:
	case K_LOGRET:
		col_ret(f, s, dst, stride);
		break;
	case K_VOL:
		col_vol(f, s, dst, stride);
		break;
	case K_RSI:
		col_rsi(f, s, dst, stride);
		break;
	case K_VOLUME_CHG:
		col_volume_chg(f, s, dst, stride);
		break;
	case K_DOW:
	case K_TICKER_ID:
		col_calendar(f, s, dst, stride);
		break;
	}
}

/* Move a column K days later: day t gets day t-K's value. */
static void
shift(const struct sc_ohlcv_series *s, size_t k, double *dst, size_t stride)
{
	size_t t;

	for (t = s->n; t-- > 0;)
		dst[t * stride] = t >= k ? dst[(t - k) * stride] : NAN;
}

static void
column(const struct feat *f, const struct sc_ohlcv_series *s, double *dst,
    size_t stride)
{
	base_column(f, s, dst, stride);
	if (f->lag > 0)
		shift(s, (size_t)f->lag, dst, stride);
}

int
sc_features_compute(const struct sc_features *fs,
    const struct sc_ohlcv_series *s, double *out, struct sc_err *e)
{
	size_t j;

	(void)e;
	for (j = 0; j < fs->nf; j++)
		column(&fs->f[j], s, out + j, fs->nf);
	return 0;
}

int
sc_features_last(const struct sc_features *fs, const struct sc_ohlcv_series *s,
    double *out, struct sc_err *e)
{
	double *col;
	size_t j;

	if (s->n == 0)
		return sc_err_set(e, SC_EDATA, 0, "%s: no rows", s->ticker);
	if ((col = malloc(s->n * sizeof(*col))) == NULL)
		return sc_err_set(e, SC_EOS, 0, "out of memory");
	for (j = 0; j < fs->nf; j++) {
		column(&fs->f[j], s, col, 1);
		out[j] = col[s->n - 1];
	}
	free(col);
	return 0;
}

static const char *const target_names[] = { "target_logret_1",
	"target_close_1" };

int
sc_features_target_parse(const char *s, enum sc_target *t, struct sc_err *e)
{
	if (strcmp(s, "logret") == 0 || strcmp(s, target_names[0]) == 0)
		*t = SC_TARGET_LOGRET;
	else if (strcmp(s, "close") == 0 || strcmp(s, target_names[1]) == 0)
		*t = SC_TARGET_CLOSE;
	else
		return sc_err_set(e, SC_EUSAGE, 0,
		    "unknown target \"%.64s\": want logret or close", s);
	return 0;
}

const char *
sc_features_target_name(enum sc_target t)
{
	return t == SC_TARGET_CLOSE ? target_names[1] : target_names[0];
}

double
sc_features_target_value(enum sc_target t, double c, double next)
{
	return t == SC_TARGET_CLOSE ? next : log(next / c);
}

double
sc_features_target_close(enum sc_target t, double c, double predicted)
{
	return t == SC_TARGET_CLOSE ? predicted : c * exp(predicted);
}
