/* SPDX-License-Identifier: ISC */
/*
 * HTTP on libcurl, one attempt at a time.  A request either buffers the
 * response body (bounded by max_body) or streams a 2xx body to a FILE while
 * still buffering error bodies, so callers can read S3's or Yahoo's error
 * text.  Retrying is the caller's decision (it knows which answers are
 * worth another try); struct sc_retry gives the bounded exponential backoff
 * with full jitter that every client uses.  TLS verification is always on.
 */
#ifndef SC_HTTP_H
#define SC_HTTP_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sc_buf.h"
#include "sc_err.h"

struct sc_http; /* one connection cache and cookie jar */

struct sc_http_opts {
	double timeout;         /* whole transfer, seconds */
	double connect_timeout; /* seconds */
	const char *user_agent; /* NULL: "stockcast/VERSION" */
	int cookies;            /* keep cookies between requests */
	int compressed;         /* ask for gzip/deflate */
	int http2;              /* HTTP/2 over TLS when offered */
};

struct sc_http_req {
	const char *method; /* "GET", "PUT", ...; NULL is GET */
	const char *url;
	const char *const *headers; /* "Name: value", NULL-terminated */
	const void *body;           /* request body in memory, or */
	FILE *body_fp;              /* streamed from here (rewound first) */
	uint64_t body_len;          /* bytes of either */
	FILE *out_fp;               /* stream a 2xx body here, or NULL */
	size_t max_body;            /* bound on a buffered body; 0: 16 MiB */
	int follow;                 /* follow up to 5 redirects */
};

struct sc_http_resp {
	long status;           /* 0 when no answer came */
	struct sc_buf body;    /* buffered body (not a streamed one) */
	struct sc_buf headers; /* raw response headers, bounded */
	uint64_t streamed;     /* bytes written to out_fp */
	char url[512];         /* effective URL (after redirects) */
};

/* Create a client; NULL with SC_EOS.  Free with sc_http_free(). */
struct sc_http *sc_http_new(const struct sc_http_opts *, struct sc_err *);
void sc_http_free(struct sc_http *);

/*
 * Perform one request.  Any HTTP status is success here (check
 * resp->status); -1 means no usable answer: SC_ETEMP for a timeout,
 * SC_EUNAVAIL for a refused or reset connection or a DNS failure,
 * SC_EPROTO for a body past max_body (or a Content-Length announcing one),
 * SC_EIO when out_fp cannot be written.  resp is reset first and must be
 * released with sc_http_resp_free().
 */
int sc_http_do(struct sc_http *, const struct sc_http_req *,
    struct sc_http_resp *, struct sc_err *);

void sc_http_resp_free(struct sc_http_resp *);

/*
 * Copy the value of the last response header called name (any case) into
 * buf; returns its length, or -1 when absent.
 */
int sc_http_header(const struct sc_http_resp *, const char *name, char *buf,
    size_t size);

/* Percent-encode s for a URL (RFC 3986 unreserved kept; '/' kept if keep_slash). */
int sc_http_escape(struct sc_buf *, const char *s, int keep_slash,
    struct sc_err *);

/*
 * Bounded retries with exponential backoff and full jitter: wait a random
 * time in [0, min(cap, base * 2^attempt)], or what Retry-After asked for
 * when that is larger (still at most cap).  The sleep function can be
 * replaced by tests.
 */
struct sc_retry {
	int max;               /* attempts in all, >= 1 */
	double base;           /* seconds */
	double cap;            /* most seconds for one wait */
	double budget;         /* most seconds of waiting in all; 0: no bound */
	uint64_t state;        /* jitter RNG state; seed it (any value) */
	double waited;         /* seconds waited so far */
	void (*sleep)(double); /* NULL: nanosleep */
};

/*
 * After failed attempt number attempt (1-based): return 1 after sleeping
 * when another attempt may follow, 0 when the retries are used up.
 * retry_after is the server's Retry-After in seconds, or a negative value.
 */
int sc_retry_wait(struct sc_retry *, int attempt, double retry_after);

/* Parse a Retry-After header of resp (seconds or HTTP date); -1 if none. */
double sc_http_retry_after(const struct sc_http_resp *);

#endif
