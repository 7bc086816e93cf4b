/* SPDX-License-Identifier: ISC */
/*
 * Writing to anything the store can address, for sc-push: a store key, an
 * s3://bucket/key object, a file:// URL or a path, all or nothing (a failed
 * upload leaves nothing half-written under the name), optionally only when
 * absent (the building block of concurrency-safe registration) or only
 * while unchanged (If-Match), or deleting it.
 */
#ifndef SC_PUT_H
#define SC_PUT_H

#include <stdio.h>

#include "sc_config.h"
#include "sc_err.h"

enum sc_put_mode {
	SC_PUT_REPLACE = 0, /* create or replace */
	SC_PUT_CREATE,      /* create only (If-None-Match: *, link(2)) */
	SC_PUT_IF_MATCH,    /* replace only while the ETag is etag */
	SC_PUT_DELETE       /* remove it */
};

/*
 * Write everything read from in to dest (or delete it), as mode says.
 * Returns 0; SC_STORE_EXISTS (with e set to SC_ECANTCREAT) when the object
 * exists (SC_PUT_CREATE) or changed (SC_PUT_IF_MATCH); or -1 with the
 * store's errors (SC_EUSAGE for a bad destination, SC_ECONFIG, SC_ENOPERM,
 * SC_EUNAVAIL, SC_ETEMP, SC_EIO, ...).
 */
int sc_put(const struct sc_config *, const char *dest, FILE *in,
    enum sc_put_mode, const char *etag, struct sc_err *);

#endif
