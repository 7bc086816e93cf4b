/* SPDX-License-Identifier: ISC */
/*
 * The synthetic generator.  Randomness is lib/rng's xoshiro256**, the
 * seed its seed and the symbol's FNV hash its stream, so a path depends on
 * nothing else (not the window, not the machine's clock).  Every trading
 * day draws the same number of variates, and the path always starts at
 * the origin: generating 36 years to cut out one month costs well under a
 * millisecond per symbol.  The log price wanders around a trend anchored
 * at ANCHOR (2025-01-02) with a slow pull back to it (a half-life of about
 * two years), so decades of compounding never leave a symbol at a few
 * cents or in the millions: prices near the present are plausible, 20 to
 * 500 give or take the wander.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "sc_calendar.h"
#include "sc_hash.h"
#include "sc_rng.h"
#include "sc_source.h"
#include "sc_synth.h"

/* Uniform in (0, 1): never 0, so log() is safe. */
static double
unif(struct sc_rng *r)
{
	return ((double)(sc_rng_next(r) >> 11) + 0.5) / 9007199254740992.0;
}

/* Standard normal by Box-Muller; two uniforms per call, no caching. */
static double
normal(struct sc_rng *r)
{
	double u = unif(r), v = unif(r);

	return sqrt(-2 * log(u)) * cos(6.283185307179586 * v);
}

#define ANCHOR 20090L /* 2025-01-02 */
#define PULL 0.0014   /* mean reversion per trading day: ln 2 / 500 */

struct params {
	double price0, drift, var, alpha, beta, omega, jump_rate, logvol0;
};

/* The trend of the log price on day (drift is per trading day). */
static double
trend(const struct params *p, long day)
{
	return log(p->price0) +
	    p->drift * 252 * (double)(day - ANCHOR) / 365.25;
}

static void
draw_params(struct sc_rng *r, struct params *p)
{
	double sigma = 0.15 + 0.45 * unif(r);

	p->price0 = 30 * exp(log(500.0 / 30) * unif(r));
	p->var = sigma * sigma / 252;
	p->drift = (-0.02 + 0.12 * unif(r)) / 252; /* log drift per day */
	p->alpha = 0.04 + 0.08 * unif(r);
	p->beta = 0.975 - p->alpha - 0.02 * unif(r);
	p->omega = p->var * (1 - p->alpha - p->beta);
	p->jump_rate = 0.002 + 0.01 * unif(r);
	p->logvol0 = log(10.0) * (5.3 + 2.2 * unif(r));
}

static double
tick_round(double x)
{
	double q = x >= 1 ? 100 : 10000;
	double v = round(x * q) / q;

	return v > 0 ? v : 1 / q;
}

struct state {
	double close, h, eps, dev; /* dev: log close - trend */
};

/* Advance one trading day; fill b's prices and volume. */
static void
step(struct sc_rng *r, const struct params *p, struct state *s, long day,
    struct sc_bar *b)
{
	double z = normal(r), zg = normal(r), zh = normal(r), zl = normal(r);
	double zv = normal(r), u = unif(r), jz = normal(r);
	double sd, jump, ret, gap, open, close, hi, lo;

	s->h = p->omega + p->alpha * s->eps * s->eps + p->beta * s->h;
	if (s->h > 0.01) /* 10% daily sd: beyond that GARCH is noise */
		s->h = 0.01;
	sd = sqrt(s->h);
	s->eps = sd * z;
	jump = u < p->jump_rate ? -0.01 + 0.05 * jz : 0;
	s->dev = s->dev * (1 - PULL) - 0.5 * s->h + s->eps + jump;
	close = exp(trend(p, day) + s->dev);
	ret = log(close / s->close);
	gap = jump + 0.3 * sd * zg;
	open = s->close * exp(gap);
	hi = fmax(open, close) * exp(fabs(zh) * 0.5 * sd);
	lo = fmin(open, close) * exp(-fabs(zl) * 0.5 * sd);
	s->close = close;
	b->open = tick_round(open);
	b->close = tick_round(close);
	b->high = fmax(tick_round(hi), fmax(b->open, b->close));
	b->low = fmin(tick_round(lo), fmin(b->open, b->close));
	b->adj_close = b->close;
	b->volume = round(exp(p->logvol0 + 0.3 * zv +
	    0.6 * fmin(fabs(ret - p->drift) / sqrt(p->var), 6)));
}

int
sc_synth_series(const char *symbol, uint64_t seed, long from, long to,
    struct sc_series *out, struct sc_err *e)
{
	struct sc_rng r;
	struct params p;
	struct state s;
	struct sc_bar b;
	long day;

	if (!sc_market_symbol_valid(symbol))
		return sc_err_set(e, SC_EUSAGE, 0, "invalid symbol");
	snprintf(out->ticker, sizeof(out->ticker), "%s", symbol);
	sc_rng_seed(&r, seed, sc_hash_fnv1a(symbol, strlen(symbol)));
	draw_params(&r, &p);
	s.close = exp(trend(&p, SC_SYNTH_ORIGIN));
	s.h = p.var;
	s.eps = 0;
	s.dev = 0;
	if (to > SC_SYNTH_LAST)
		to = SC_SYNTH_LAST;
	for (day = SC_SYNTH_ORIGIN; day <= to; day++) {
		if (!sc_calendar_is_trading_day(day))
			continue;
		step(&r, &p, &s, day, &b);
		b.day = day;
		if (day >= from && sc_series_add(out, &b, e) == -1)
			return -1;
	}
	return 0;
}
