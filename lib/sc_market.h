/* SPDX-License-Identifier: ISC */
/*
 * Market data: daily bars from Yahoo, Stooq, Alpha Vantage or the offline
 * synthetic generator, written as one OHLCV CSV stream.  Each source is
 * three pure functions in its own module (build the URL, classify an
 * answer, parse a body) that are tested on saved bodies; this module holds
 * what they share (the bar, the series, the classification and its exit
 * code) and the one fetch loop that does transport, retries and the Yahoo
 * cookie-and-crumb dance around them.
 */
#ifndef SC_MARKET_H
#define SC_MARKET_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sc_config.h"
#include "sc_err.h"

/* One daily bar; a missing value is NaN. */
struct sc_bar {
	long day; /* exchange-local trading date, a day number */
	double open, high, low, close, adj_close;
	double volume; /* integral; a double holds 2^53 exactly */
};

/* The bars of one ticker; a zeroed struct is an empty series. */
struct sc_series {
	char ticker[64];
	struct sc_bar *bars; /* owned */
	size_t n, cap;
	size_t nulls; /* rows dropped because close was missing */
};

/* Append a bar; 0, or -1 with SC_EOS. */
int sc_series_add(struct sc_series *, const struct sc_bar *, struct sc_err *);

/*
 * Sort the bars by date; of two bars with the same date the later one in
 * the input is kept (Yahoo's live bar repeated after the day's final one).
 * Returns the number of bars removed.
 */
size_t sc_series_sort(struct sc_series *);

/* Free the bars; the struct is an empty series again. */
void sc_series_free(struct sc_series *);

/*
 * How an answer was judged, before any parsing.  Only SC_MARKET_OK goes to
 * a parser.  SC_MARKET_RETRY (HTTP 429, Alpha Vantage's burst limit) and
 * SC_MARKET_DOWN (5xx, "Will be right back") are retried with backoff.
 */
enum sc_market_class {
	SC_MARKET_OK,        /* data follows */
	SC_MARKET_EMPTY,     /* a valid answer with no bars in the window */
	SC_MARKET_NOT_FOUND, /* unknown symbol: 66 */
	SC_MARKET_RETRY,     /* transient rate limit: retried, then 75 */
	SC_MARKET_QUOTA,     /* daily quota used up: 75 at once */
	SC_MARKET_AUTH,      /* 401/403: cookie and crumb, then 77 */
	SC_MARKET_BADKEY,    /* API key missing or rejected: 78 */
	SC_MARKET_PREMIUM,   /* asked for a paid feature: 77 */
	SC_MARKET_BLOCKED,   /* an HTML page instead of data: 77 */
	SC_MARKET_DOWN,      /* 5xx or maintenance page: retried, then 69 */
	SC_MARKET_MALFORMED  /* unparseable or unexpected answer: 76 */
};

/* The error code (hence exit status) of a class; SC_EOK for OK/EMPTY. */
enum sc_errcode sc_market_errcode(enum sc_market_class);

/* A short name for a class ("rate limited", ...). */
const char *sc_market_class_name(enum sc_market_class);

/*
 * Copy the first bytes of an answer into msg (size bytes) as one printable
 * line: control characters become blanks, long text ends in "...".
 */
void sc_market_snippet(const char *body, size_t len, char *msg, size_t size);

/* Non-zero when the body looks like HTML (after blanks and a BOM). */
int sc_market_is_html(const char *body, size_t len);

/*
 * Write the OHLCV CSV header and the rows of n series, sorted by ticker
 * then date (series with the same ticker are merged; on a shared date the
 * earlier series wins).  Volume is printed as an integer, a missing value
 * as an empty field.  Returns 0, or -1 with SC_EOS or SC_EIO.
 */
int sc_market_write(FILE *, const struct sc_series *, size_t n,
    struct sc_err *);

/* Non-zero when source ("yahoo", "stooq", ...) is a market-data source. */
int sc_market_source_known(const char *source);

/*
 * Non-zero when symbol is acceptable: 1..32 bytes of [A-Za-z0-9.^=_&-].
 */
int sc_market_symbol_valid(const char *symbol);

struct sc_market_opts {
	const struct sc_config *cfg; /* borrowed and kept; URLs, keys, retry */
	long from, to;               /* inclusive day numbers */
	uint64_t seed;               /* synthetic data */
	void (*sleep)(double);       /* NULL: nanosleep (tests replace it) */
};

struct sc_market; /* a fetch session: HTTP client, Yahoo crumb */

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

/*
 * GET url (http or https, redirects followed) and copy a 2xx body to out
 * unchanged; 429, 5xx and network errors are retried as market data is.
 * The body is staged in a temporary file so a failed attempt leaves
 * nothing in out.  sleep may be NULL.  Returns 0, or -1 with SC_ENOINPUT
 * (404, 410), SC_ENOPERM (401, 403), SC_ETEMP (429 or timeouts after the
 * retries), SC_EUNAVAIL (5xx or network after the retries), SC_EPROTO
 * (another status), SC_EIO, SC_EOS.
 */
int sc_market_download(const struct sc_config *, const char *url, FILE *out,
    void (*sleep)(double), struct sc_err *);

#endif
