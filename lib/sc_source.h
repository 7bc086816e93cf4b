/* SPDX-License-Identifier: ISC */
/*
 * What every market-data source shares, below the sources and below the
 * fetch loop that walks them (sc_market): the judgement of an answer (a
 * class and its exit code), the helpers the classifiers use, and the
 * transport a source fetches through: one HTTP client per session, retries
 * of 429, 5xx and network errors with backoff, and messages scrubbed of
 * the API keys.  The classification keeps its sc_market_ names: it is the
 * vocabulary of market data, used by the sources, sc-fetch and their
 * tests alike.
 */
#ifndef SC_SOURCE_H
#define SC_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "sc_config.h"
#include "sc_err.h"
#include "sc_http.h"
#include "sc_series.h"

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
 * Non-zero when symbol is acceptable: 1..32 bytes of [A-Za-z0-9.^=_&-].
 */
int sc_market_symbol_valid(const char *symbol);

/* What a session fetches (sc_market_opts, as the sources see it). */
struct sc_source_opts {
	const struct sc_config *cfg; /* borrowed and kept; URLs, keys, retry */
	long from, to;               /* inclusive day numbers */
	uint64_t seed;               /* synthetic data */
	void (*sleep)(double);       /* NULL: nanosleep (tests replace it) */
};

/*
 * A fetch session as a source sees it.  The owner (sc_market) sets o,
 * jitter and include_open and calls sc_source_close() at the end; the
 * client is made by the first request.
 */
struct sc_source {
	struct sc_source_opts o;
	struct sc_http *http; /* owned */
	uint64_t jitter;      /* the state of the backoff's jitter */
	int include_open;     /* keep a bar whose session was still open */
};

/* Free the session's client; the session can be used again. */
void sc_source_close(struct sc_source *);

/*
 * A source's fetch: the bars of symbol into out (empty on entry), sorted by
 * date and cut to [o.from, o.to]; label ("yahoo:AAPL") starts every
 * message.  state is the source's own zeroed memory, kept for the
 * session's life (NULL when the source asks for none).  Returns 0, or -1
 * with an error as sc_market_fetch() describes.
 */
typedef int sc_source_fetch_fn(struct sc_source *, void *state,
    const char *label, const char *symbol, struct sc_series *out,
    struct sc_err *);

/* A classifier: sc_yahoo_classify, sc_stooq_classify, ... */
typedef enum sc_market_class sc_source_classify_fn(long, const char *,
    const char *, size_t, char *, size_t);

/* A final answer: the response (owned) and its judgement. */
struct sc_source_answer {
	struct sc_http_resp resp;
	enum sc_market_class c;
	char msg[200];
};

/*
 * One GET of url (redirects followed when follow is non-zero), as
 * sc_http_do(), with label before the message and the API keys of the
 * configuration out of it.  Returns 0 or -1.
 */
int sc_source_request(struct sc_source *, const char *label, const char *url,
    int follow, struct sc_http_resp *, struct sc_err *);

/*
 * Ask url until the answer is neither RETRY nor DOWN nor a network error,
 * or the attempts are used up (then -1 with the last reason, or 0 with the
 * last RETRY or DOWN answer in a).  a->resp is freed by the caller
 * (sc_http_resp_free).
 */
int sc_source_ask(struct sc_source *, const char *label, const char *url,
    sc_source_classify_fn *, struct sc_source_answer *a, struct sc_err *);

/* Turn a final answer into 0 (OK, EMPTY) or the class's error. */
int sc_source_verdict(struct sc_source *, const char *label,
    const struct sc_source_answer *, struct sc_err *);

/*
 * sc_err_set(e, code, 0, fmt, label, a, b) with the API keys of the
 * configuration replaced by "***"; returns -1.
 */
int sc_source_fail(struct sc_source *, struct sc_err *, enum sc_errcode code,
    const char *fmt, const char *label, const char *a, const char *b);

#endif
