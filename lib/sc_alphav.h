/* SPDX-License-Identifier: ISC */
/*
 * Alpha Vantage TIME_SERIES_DAILY, as pure functions: the request URL, the
 * judgement of an answer and the JSON parser; and the fetch that puts them
 * together over sc_source.  Every Alpha Vantage error
 * arrives with HTTP 200 as a JSON object keyed "Error Message",
 * "Information" or "Note", told apart by their text; only an object with
 * "Time Series (Daily)" is data.
 */
#ifndef SC_ALPHAV_H
#define SC_ALPHAV_H

#include <stddef.h>

#include "sc_buf.h"
#include "sc_source.h"

/*
 * Append to b the TIME_SERIES_DAILY URL for symbol under base, with
 * outputsize=full when full is non-zero (a premium feature on free keys)
 * and apikey (a secret: never log the result unmasked).  Returns 0 or -1.
 */
int sc_alphav_url(struct sc_buf *b, const char *base, const char *symbol,
    int full, const char *apikey, struct sc_err *);

/*
 * Judge an answer: OK (with bars), EMPTY (no bars), NOT_FOUND ("Invalid
 * API call": unknown symbol), RETRY (the per-second burst limit, 429),
 * QUOTA (the daily limit), PREMIUM (outputsize=full on a free key),
 * BADKEY (missing, invalid or demo key), BLOCKED (HTML), DOWN (5xx),
 * MALFORMED.  A one-line description goes to msg, with the key Alpha
 * Vantage echoes ("detected your API key as ...") replaced by "***".
 */
enum sc_market_class sc_alphav_classify(long status, const char *ctype,
    const char *body, size_t len, char *msg, size_t size);

/*
 * Parse a TIME_SERIES_DAILY body into out, keeping dates in [from, to]
 * (any key order), sorted by date; adj_close is missing.  Returns 0, or -1
 * with SC_EPROTO (bad JSON, a bad date or number) or SC_EOS.
 */
int sc_alphav_parse(const char *body, size_t len, long from, long to,
    struct sc_series *out, struct sc_err *);

/*
 * The Alpha Vantage source (sc_source_fetch_fn, no state): the full
 * history when the window is longer than the compact 100 days, falling
 * back to compact (with a warning) on a free key; SC_ECONFIG naming
 * ALPHAVANTAGE_API_KEY when the configuration has no key.
 */
int sc_alphav_fetch(struct sc_source *m, void *state, const char *label,
    const char *symbol, struct sc_series *out, struct sc_err *);

#endif
