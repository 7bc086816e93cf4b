/* SPDX-License-Identifier: ISC */
/*
 * Reading anything the store can address, for sc-fetch: a store key
 * (raw/AAPL.csv under SC_STORE), an s3://bucket/key object, a file:// URL
 * or a path.  Besides copying the bytes it can list the keys under a
 * prefix, give an object's size, a byte range, or a presigned GET URL.
 * An http(s) URL is downloaded by sc_get_http().
 */
#ifndef SC_GET_H
#define SC_GET_H

#include <stdio.h>

#include "sc_config.h"
#include "sc_err.h"

struct sc_get_opts {
	int list;          /* list keys under the operand */
	int head;          /* print "operand<TAB>size" instead */
	const char *range; /* "bytes=A-B" of an s3:// object */
	long presign;      /* > 0: a presigned URL valid this long */
	int page_size;     /* ListObjectsV2 max-keys; 0: 1000 */
	long now;          /* the time for presigning (time(NULL)) */
};

/*
 * Write what operand addresses to out, as o says.  Returns 0, or -1 with
 * SC_EUSAGE (an operand or option combination that makes no sense),
 * SC_ENOINPUT, SC_ENOPERM, SC_ECONFIG (no credentials), SC_EUNAVAIL,
 * SC_ETEMP, SC_EPROTO, SC_EIO.
 */
int sc_get(const struct sc_config *, const char *operand,
    const struct sc_get_opts *, FILE *out, struct sc_err *);

/*
 * GET url (http or https, redirects followed) and copy a 2xx body to out
 * unchanged; 429, 5xx and network errors are retried as market data is.
 * The body is staged in a temporary file so a failed attempt leaves
 * nothing in out.  sleep may be NULL.  Returns 0, or -1 with SC_ENOINPUT
 * (404, 410), SC_ENOPERM (401, 403), SC_ETEMP (429 or timeouts after the
 * retries), SC_EUNAVAIL (5xx or network after the retries), SC_EPROTO
 * (another status), SC_EIO, SC_EOS.
 */
int sc_get_http(const struct sc_config *, const char *url, FILE *out,
    void (*sleep)(double), struct sc_err *);

#endif
