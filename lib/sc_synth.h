/* SPDX-License-Identifier: ISC */
/*
 * Synthetic daily OHLCV, offline and deterministic: NOT market data.  A
 * price path per (symbol, seed) follows geometric Brownian motion with
 * GARCH(1,1) volatility clustering and Poisson jumps, over NYSE trading
 * days from a fixed origin (SC_SYNTH_ORIGIN), and the requested window is
 * cut out of it.  So the bar of a given date is the same whatever window
 * is asked for, and overlapping (incremental) fetches agree.
 */
#ifndef SC_SYNTH_H
#define SC_SYNTH_H

#include <stdint.h>

#include "sc_series.h"

/* The first day of every synthetic path: 1990-01-02 (a day number). */
#define SC_SYNTH_ORIGIN 7306L

/* The last day the generator will produce: 2199-12-31. */
#define SC_SYNTH_LAST 84005L

/*
 * Fill out (empty on entry) with the synthetic bars of symbol for the
 * trading days in [from, to] (clipped to [SC_SYNTH_ORIGIN, SC_SYNTH_LAST]).
 * Per symbol and seed: start price 20..500, annual volatility 15..60%,
 * drift, GARCH persistence, jump rate and volume level are drawn from a
 * hash.  Prices are rounded to cents (to 1/10000 below 1), high >=
 * max(open, close), low <= min(open, close), low > 0; adj_close equals
 * close (no dividends); volume is lognormal and rises with |return|.
 * Returns 0, or -1 with SC_EUSAGE (invalid symbol) or SC_EOS.
 */
int sc_synth_series(const char *symbol, uint64_t seed, long from, long to,
    struct sc_series *out, struct sc_err *);

#endif
