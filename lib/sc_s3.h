/* SPDX-License-Identifier: ISC */
/*
 * An S3 client on sc_http and sc_sigv4: objects are streamed to and from
 * FILEs (a 50 MB object never sits in memory), every request is signed
 * again on each attempt (a long backoff must not skew the clock), and
 * 429, 500, 502, 503, 504 and network failures are retried with
 * exponential backoff and full jitter, bounded in attempts and in time.
 * With an endpoint (MinIO, s3rver, a proxy) requests are path-style
 * (http://host:port/BUCKET/KEY); without one they go to AWS,
 * virtual-hosted (https://BUCKET.s3.REGION.amazonaws.com/KEY).
 */
#ifndef SC_S3_H
#define SC_S3_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "sc_buf.h"
#include "sc_err.h"
#include "sc_xml.h"

/* sc_s3_put() result when an If-None-Match or If-Match condition failed. */
#define SC_S3_PRECONDITION 1

struct sc_s3;

struct sc_s3_opts {
	const char *access_key;    /* borrowed: must outlive the client */
	const char *secret_key;    /* secret, borrowed */
	const char *session_token; /* secret, borrowed; NULL when none */
	const char *region;        /* NULL: us-east-1 */
	const char *endpoint;      /* "http://127.0.0.1:9000"; NULL: AWS */
	double timeout;            /* whole transfer, seconds; 0: 30 */
	double connect_timeout;    /* seconds; 0: 10 */
	int retry_max;             /* attempts in all; 0: 4 */
	double retry_base;         /* first backoff ceiling, seconds */
	double retry_cap;          /* most seconds for one wait; 0: 30 */
	double retry_budget;       /* most seconds of waiting; 0: 300 */
	uint64_t seed;             /* jitter seed */
	void (*sleep)(double);     /* NULL: nanosleep; tests replace it */
	int max_keys;              /* ListObjectsV2 page size; 0: 1000 */
};

enum sc_s3_cond {
	SC_S3_ALWAYS = 0,
	SC_S3_IF_NONE_MATCH, /* create only: If-None-Match: * */
	SC_S3_IF_MATCH       /* replace only this version: If-Match: etag */
};

/* What a PUT sends: data/len, or the whole of fp (seekable, from 0). */
struct sc_s3_body {
	const void *data;
	size_t len;
	FILE *fp;
	const char *content_type; /* NULL: application/octet-stream */
	enum sc_s3_cond cond;
	const char *etag; /* for SC_S3_IF_MATCH */
};

struct sc_s3_info {
	uint64_t size;
	char etag[80]; /* without quotes */
	char last_modified[64];
	char content_type[128];
};

/*
 * Create a client (the strings in opts are borrowed, not copied).  NULL
 * with SC_ECONFIG for a malformed endpoint or missing keys, or SC_EOS.
 */
struct sc_s3 *sc_s3_new(const struct sc_s3_opts *, struct sc_err *);

/* Free the client; NULL is a no-op. */
void sc_s3_free(struct sc_s3 *);

/*
 * Write the object (or the byte range "bytes=A-B" when range is not NULL)
 * to out.  A failure after part of the body was written is retried only
 * when out is seekable (it is rewound and truncated first).  Errors:
 * SC_ENOINPUT (NoSuchKey, NoSuchBucket, 404), SC_ENOPERM (403, with a hint),
 * SC_ETEMP (429, SlowDown), SC_EUNAVAIL (5xx or network, after the
 * retries), SC_EPROTO (other answers), SC_EIO (out not writable).
 */
int sc_s3_get(struct sc_s3 *, const char *bucket, const char *key,
    const char *range, FILE *out, struct sc_err *);

/*
 * Store an object, signed with the SHA-256 of its payload (a first pass
 * over fp).  *info (may be NULL) gets the new ETag.  A conditional PUT
 * whose retry gets 412 after an attempt with no answer checks whether the
 * object is its own (ETag = MD5 of the body) and then succeeds.  Returns 0,
 * SC_S3_PRECONDITION (with *e set, SC_ECANTCREAT) when the condition
 * failed (HTTP 412, or 409 for a concurrent conditional write), or -1 with
 * the errors of sc_s3_get().
 */
int sc_s3_put(struct sc_s3 *, const char *bucket, const char *key,
    const struct sc_s3_body *, struct sc_s3_info *info, struct sc_err *);

/* Size, ETag, Last-Modified and type of an object; errors as get. */
int sc_s3_head(struct sc_s3 *, const char *bucket, const char *key,
    struct sc_s3_info *, struct sc_err *);

/* Delete an object (S3 says yes for a missing one too). */
int sc_s3_delete(struct sc_s3 *, const char *bucket, const char *key,
    struct sc_err *);

/*
 * Call fn for every object whose key starts with prefix (NULL: all), page
 * after page in S3's order (UTF-8 binary).  fn returns 0 to go on or -1 to
 * stop (its error in *e).  Returns 0 or -1.
 */
int sc_s3_list(struct sc_s3 *, const char *bucket, const char *prefix,
    int (*fn)(const struct sc_xml_obj *, void *), void *arg, struct sc_err *);

/*
 * Append a presigned URL for method on the object, valid expires seconds
 * from now, to *url.  No request is made.  Returns 0 or -1 (SC_EUSAGE).
 */
int sc_s3_presign(struct sc_s3 *, const char *method, const char *bucket,
    const char *key, long expires, time_t now, struct sc_buf *url,
    struct sc_err *);

/*
 * Append the unsigned URL of an object (key NULL: the bucket) to *url, as
 * requests are sent: for tests and messages.  Returns 0 or -1.
 */
int sc_s3_url(const struct sc_s3 *, const char *bucket, const char *key,
    struct sc_buf *url, struct sc_err *);

/*
 * Turn a failed answer into *e: status is the HTTP status, body and len
 * the (possibly empty) body, what names the object ("s3://b/k").  The
 * message names S3's Code and Message with a hint for 403s, and never the
 * secret or the signature.  Returns -1, or SC_S3_PRECONDITION for 412.
 */
int sc_s3_error(long status, const char *body, size_t len, const char *what,
    struct sc_err *);

/* The HTTP status of the last answer (0: none), for messages and tests. */
long sc_s3_status(const struct sc_s3 *);

#endif
