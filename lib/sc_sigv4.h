/* SPDX-License-Identifier: ISC */
/*
 * AWS Signature Version 4 with S3's rules, as a pure function of its
 * inputs: the clock is a parameter, so the AWS test suite's fixed time
 * (20150830T123600Z) reproduces the published signatures.  The caller gives
 * the raw (unencoded) path and query; the signer encodes each path segment
 * once, never normalises "//" or "." (S3 keys may contain them), sorts and
 * encodes the query, and lower-cases, trims and collapses the headers.
 * What it returns (canonical request, URL query, Authorization value) is
 * exactly what goes on the wire, so the URL sent is the URL signed.
 *
 *	struct sc_sigv4_kv q[] = { { "list-type", "2" }, { "prefix", "a b" } };
 *	req.path = "/bucket"; req.query = q; req.nquery = 2;
 *	-> canonical query "list-type=2&prefix=a%20b", sent as the URL query.
 */
#ifndef SC_SIGV4_H
#define SC_SIGV4_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "sc_buf.h"
#include "sc_err.h"

struct sc_sigv4_kv {
	const char *name;
	const char *value; /* NULL is the empty value */
};

/* Who signs, where and when.  All borrowed; secrets are never copied. */
struct sc_sigv4_key {
	const char *access_key;
	const char *secret_key;    /* secret */
	const char *session_token; /* secret; NULL when none */
	const char *region;
	const char *service; /* "s3" */
	time_t now;          /* request time (UTC seconds) */
};

struct sc_sigv4_req {
	const char *method;
	const char *host; /* Host header value: "host" or "host:port" */
	const char *path; /* raw, starts with '/'; segments encoded here */
	const struct sc_sigv4_kv *query; /* raw names and values */
	size_t nquery;
	const struct sc_sigv4_kv *headers; /* more headers to sign */
	size_t nheaders;
	const char *payload_hash; /* hex SHA-256 or "UNSIGNED-PAYLOAD";
	                             NULL: SHA-256 of no bytes */
	int content_sha256;       /* header form: sign x-amz-content-sha256
	                             (S3 needs it; the generic suite not) */
	int token_after;          /* session token sent but not signed */
};

struct sc_sigv4_out {
	struct sc_buf creq;  /* canonical request */
	struct sc_buf sts;   /* string to sign */
	struct sc_buf query; /* encoded query to send after '?' (presign:
	                        with X-Amz-Signature); may be empty */
	struct sc_buf path;  /* encoded path to send */
	struct sc_buf auth;  /* Authorization value (header form) */
	char amz_date[17];   /* X-Amz-Date value, YYYYMMDDTHHMMSSZ */
	char signature[65];  /* hex */
};

/*
 * Sign a request in the header form.  Fills *out, which must be zeroed or
 * hold an earlier result (released first); the caller releases it with
 * sc_sigv4_out_free().  The caller then sends
 * "X-Amz-Date: out->amz_date", "X-Amz-Content-Sha256: <payload hash>" when
 * content_sha256, "X-Amz-Security-Token" when there is a token, and
 * "Authorization: out->auth", to the URL out->path "?" out->query.
 * Returns 0, or -1 with SC_EUSAGE for a bad input (no host, a path without
 * '/', a header name with a space or colon) or SC_EOS.
 */
int sc_sigv4_sign(const struct sc_sigv4_key *, const struct sc_sigv4_req *,
    struct sc_sigv4_out *, struct sc_err *);

/*
 * Sign in the query form (a presigned URL valid for expires seconds, 1 to
 * 604800): out->query holds every X-Amz-* parameter and X-Amz-Signature.
 * S3 wants payload_hash "UNSIGNED-PAYLOAD".  Errors as sc_sigv4_sign().
 */
int sc_sigv4_presign(const struct sc_sigv4_key *, const struct sc_sigv4_req *,
    long expires, struct sc_sigv4_out *, struct sc_err *);

/* Release the buffers of *out and zero it. */
void sc_sigv4_out_free(struct sc_sigv4_out *);

/*
 * The signing key HMAC(HMAC(HMAC(HMAC("AWS4" secret, date), region),
 * service), "aws4_request") into out[32]; date is YYYYMMDD.  0 or -1.
 */
int sc_sigv4_signing_key(const char *secret, const char *date,
    const char *region, const char *service, uint8_t *out, struct sc_err *);

/*
 * Append s percent-encoded as SigV4 wants: RFC 3986 unreserved characters
 * kept, every other byte "%XX" in upper-case hex, '/' kept when
 * keep_slash.  Returns 0, or -1 with SC_EOS.
 */
int sc_sigv4_encode(struct sc_buf *, const char *s, int keep_slash,
    struct sc_err *);

#endif
