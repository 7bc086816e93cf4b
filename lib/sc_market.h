/* SPDX-License-Identifier: ISC */
/*
 * Market data: daily bars from Yahoo, Stooq, Alpha Vantage or the offline
 * synthetic generator, into series (sc_series) that sc-fetch writes as
 * one OHLCV CSV stream.  Each source is a module of its own (build the URL,
 * classify an answer, parse a body: pure functions tested on saved
 * bodies, and a fetch that puts them together over the transport of
 * sc_source); this module is the fetch session and the loop that finds a
 * source by name in a table of sources and calls its fetch.
 */
#ifndef SC_MARKET_H
#define SC_MARKET_H

#include <stdint.h>

#include "sc_config.h"
#include "sc_err.h"
#include "sc_series.h"
#include "sc_source.h"

/* Non-zero when source ("yahoo", "stooq", ...) is a market-data source. */
int sc_market_source_known(const char *source);

struct sc_market_opts {
	const struct sc_config *cfg; /* borrowed and kept; URLs, keys, retry */
	long from, to;               /* inclusive day numbers */
	uint64_t seed;               /* synthetic data */
	void (*sleep)(double);       /* NULL: nanosleep (tests replace it) */
};

struct sc_market; /* a fetch session: HTTP client, the sources' state */

/*
 * Start a session.  The caller owns the result (sc_market_free()).  NULL
 * with SC_EUSAGE when from > to, or SC_EOS.
 */
struct sc_market *sc_market_new(const struct sc_market_opts *, struct sc_err *);
void sc_market_free(struct sc_market *);

/*
 * Keep (on != 0) or leave out (the default) a Yahoo bar whose regular
 * session was still open when Yahoo answered (sc_yahoo_open_day): its
 * close is the latest price, not the day's close.
 */
void sc_market_include_open(struct sc_market *, int on);

/*
 * Fetch the bars of symbol from source into *out (which must be empty),
 * sorted by date and cut to [from, to].  Retries 429 and 5xx answers and
 * network errors with backoff (honouring Retry-After), refreshes Yahoo's
 * cookie and crumb once on 401/403.  Returns 0, or -1 with the class's
 * error code and a message that never contains an API key: SC_ENOINPUT,
 * SC_ETEMP, SC_ENOPERM, SC_ECONFIG (missing key, naming the variable),
 * SC_EUNAVAIL, SC_EPROTO, SC_EUSAGE (unknown source, bad symbol), SC_EOS.
 */
int sc_market_fetch(struct sc_market *, const char *source, const char *symbol,
    struct sc_series *out, struct sc_err *);

#endif
