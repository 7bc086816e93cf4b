/* SPDX-License-Identifier: ISC */
/*
 * Stooq's CSV download (https://stooq.com/q/d/l/?s=aapl.us&i=d), as pure
 * functions: the request URL, the judgement of an answer and the CSV
 * parser; and the fetch that puts them together over sc_source.  Stooq answers its errors ("No data", "Exceeded the daily hits
 * limit", an API-key or bot-check HTML page) with HTTP 200, so only a body
 * whose first line is a known header is ever parsed.
 */
#ifndef SC_STOOQ_H
#define SC_STOOQ_H

#include <stddef.h>

#include "sc_buf.h"
#include "sc_source.h"

/*
 * Append to b the daily CSV URL for symbol under base with d1/d2 set to
 * [from, to] and apikey (which must not be NULL).  The key is a secret:
 * never log the result unmasked.  Returns 0 or -1 (SC_EOS).
 */
int sc_stooq_url(struct sc_buf *b, const char *base, const char *symbol,
    long from, long to, const char *apikey, struct sc_err *);

/*
 * Judge an answer: OK for a CSV with rows, EMPTY for a header alone or an
 * empty body, NOT_FOUND for "No data", QUOTA for the daily hits limit,
 * BADKEY for an HTML page about the API key, BLOCKED for other HTML,
 * RETRY for 429, DOWN for 5xx, MALFORMED otherwise.  ctype may be NULL; a
 * one-line description goes to msg (size bytes).
 */
enum sc_market_class sc_stooq_classify(long status, const char *ctype,
    const char *body, size_t len, char *msg, size_t size);

/*
 * Parse a Stooq CSV (columns found by name; Volume optional; a UTF-8 BOM
 * and CRLF accepted) into out, keeping dates in [from, to]; rows without a
 * close are counted in out->nulls.  adj_close is missing (Stooq has none).
 * Returns 0, or -1 with SC_EPROTO naming the line, or SC_EOS.
 */
int sc_stooq_parse(const char *body, size_t len, long from, long to,
    struct sc_series *out, struct sc_err *);

/*
 * The Stooq source (sc_source_fetch_fn, no state): SC_ECONFIG naming
 * SC_STOOQ_APIKEY when the configuration has no key.
 */
int sc_stooq_fetch(struct sc_source *m, void *state, const char *label,
    const char *symbol, struct sc_series *out, struct sc_err *);

#endif
