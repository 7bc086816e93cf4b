/* SPDX-License-Identifier: ISC */
/*
 * Yahoo Finance chart API v8, as pure functions: the request URL, the
 * judgement of an answer (status, content type, body) and the parser of a
 * chart body into daily bars dated in the exchange's own time zone.  The
 * transport and the cookie-and-crumb retry live in sc_market.c.
 */
#ifndef SC_YAHOO_H
#define SC_YAHOO_H

#include <stddef.h>

#include "sc_buf.h"
#include "sc_market.h"

/*
 * Append to b the chart URL for symbol under base ("https://query2...")
 * covering the local dates [from, to] with a day of margin on each side,
 * daily bars, dividends and splits, and &crumb= when crumb is not NULL.
 * Returns 0 or -1 (SC_EOS, SC_EDATA past b's limit).
 */
int sc_yahoo_url(struct sc_buf *b, const char *base, const char *symbol,
    long from, long to, const char *crumb, struct sc_err *);

/*
 * Judge a chart answer.  ctype may be NULL.  Yahoo's own error text
 * ("No data found, symbol may be delisted") or the start of an unexpected
 * body goes to msg (size bytes).  Returns SC_MARKET_OK only for a JSON
 * chart with a result holding timestamps.
 */
enum sc_market_class sc_yahoo_classify(long status, const char *ctype,
    const char *body, size_t len, char *msg, size_t size);

/*
 * Judge a /v1/test/getcrumb answer and copy a usable crumb into crumb.
 * "Too Many Requests", an HTML page or an empty body is SC_MARKET_RETRY.
 */
enum sc_market_class sc_yahoo_crumb(long status, const char *body, size_t len,
    char *crumb, size_t size);

/*
 * Parse a chart body into out (empty on entry): meta.symbol becomes the
 * ticker when it is a valid symbol; each timestamp is dated in
 * meta.exchangeTimezoneName loaded from tzdir (NULL: the system's), or by
 * meta.gmtoffset if that zone is unknown; bars stamped at 22:00 or 23:00
 * local are moved to the next day (Yahoo's DST slip); rows without a
 * close are dropped and counted in out->nulls; only dates in [from, to]
 * are kept; a repeated date keeps the later bar.  Returns 0, or -1 with
 * SC_EPROTO for a body that is not a well-formed chart (bad JSON, arrays
 * of different lengths, a non-number) or SC_EOS.
 */
int sc_yahoo_parse(const char *body, size_t len, long from, long to,
    const char *tzdir, struct sc_series *out, struct sc_err *);

/*
 * Whether the answer was given while a regular session was still open:
 * meta.currentTradingPeriod.regular's [start, end) holds
 * meta.regularMarketTime (the time of the latest price, the answer's own
 * clock).  Then the bar of that session is not a daily close yet: its
 * "close" is the latest price.  Returns 1 and the session's exchange-local
 * date in *day (dated as sc_yahoo_parse dates bars), or 0 when the session
 * had closed, had not begun, or the answer does not say (fields absent or
 * not integers, no result, not JSON).  tzdir as for sc_yahoo_parse.
 */
int sc_yahoo_open_day(const char *body, size_t len, const char *tzdir,
    long *day);

#endif
