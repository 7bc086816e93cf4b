/* SPDX-License-Identifier: ISC */
/*
 * The store: one interface over a local directory and an S3 prefix, named
 * by SC_STORE ("./store" or "s3://bucket/prefix").  Every write is all or
 * nothing: a local write goes to a temporary file that is fsynced and
 * renamed (or linked, for an exclusive create), an S3 write is one PUT.
 * Keys are relative, '/'-separated and validated the same way for both
 * backends, so a key can never leave the store's directory.
 */
#ifndef SC_STORE_H
#define SC_STORE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sc_config.h"
#include "sc_err.h"
#include "sc_s3.h"

#define SC_STORE_EXCL 1   /* put flag: create only, never replace */
#define SC_STORE_EXISTS 1 /* put result: SC_STORE_EXCL and the key exists */
#define SC_STORE_MAX_KEY 1024
/* The largest object one put writes: S3's limit for a single PUT, 5 GiB. */
#define SC_STORE_MAX_OBJECT (5ULL << 30)

struct sc_store;

/*
 * Open the store at location: "s3://bucket[/prefix]", "file:///dir" or a
 * directory path (created on the first write).  s3 gives the S3 settings
 * (borrowed, must outlive the store); NULL refuses S3 with SC_ECONFIG.
 * Returns a store to free with sc_store_free(), or NULL with SC_EUSAGE for
 * a malformed location, SC_ECONFIG (no credentials), SC_EOS.
 */
struct sc_store *sc_store_open(const char *location,
    const struct sc_s3_opts *s3, struct sc_err *);

/*
 * Fill *o with the S3 settings of a loaded configuration: credentials,
 * region, endpoint, timeouts and retries.  The strings stay c's.
 */
void sc_store_s3_opts(const struct sc_config *c, struct sc_s3_opts *o);

/*
 * Lower the largest object a put writes (default and ceiling
 * SC_STORE_MAX_OBJECT; 0 means the default).  A put of more is refused with
 * SC_EDATA and leaves nothing behind.
 */
void sc_store_set_max_object(struct sc_store *, uint64_t max);

/* Free the store; NULL is a no-op. */
void sc_store_free(struct sc_store *);

/*
 * Check a key: 1 to 1024 bytes, relative, segments separated by single
 * '/', no segment empty or starting with '.' (so no "." or "..", and no
 * clash with temporary files), no control character or backslash.
 * Returns 0, or -1 with SC_EUSAGE naming the problem.
 */
int sc_store_key_check(const char *key, struct sc_err *);

/*
 * Copy the object under key to out.  Returns 0, or -1 with SC_ENOINPUT
 * when it does not exist, SC_EUSAGE for a bad key, SC_EIO, or the S3
 * errors of sc_s3_get().
 */
int sc_store_get(struct sc_store *, const char *key, FILE *out,
    struct sc_err *);

struct sc_buf;

/*
 * Read the object under key whole into *b, at most max bytes (a larger
 * object is SC_EDATA, named by key).  Returns 0, or -1 with the errors of
 * sc_store_get() (SC_ENOINPUT when it does not exist), SC_EOS.
 */
int sc_store_get_buf(struct sc_store *, const char *key, size_t max,
    struct sc_buf *b, struct sc_err *);

/*
 * Store everything read from in (any stream: a pipe is spooled to a
 * temporary file first on S3, so the upload is signed with its SHA-256
 * and can be retried).  flags SC_STORE_EXCL: create only.  Returns 0,
 * SC_STORE_EXISTS (with *e set, SC_ECANTCREAT) when SC_STORE_EXCL and the
 * key exists, or -1; a failure leaves nothing under the key.
 */
int sc_store_put(struct sc_store *, const char *key, FILE *in, int flags,
    struct sc_err *);

/* As sc_store_put(), from len bytes in memory. */
int sc_store_put_buf(struct sc_store *, const char *key, const void *,
    size_t len, int flags, struct sc_err *);

/*
 * Replace the object under key only while its ETag is still etag (S3
 * If-Match, for read-modify-write of an index).  Returns 0,
 * SC_STORE_EXISTS (SC_ECANTCREAT) when the object changed or is gone, or
 * -1; SC_EUSAGE on a local store, which has no ETags.
 */
int sc_store_put_if_match(struct sc_store *, const char *key, FILE *in,
    const char *etag, struct sc_err *);

/*
 * Call fn(key, size, arg) for every key starting with prefix ("" or NULL:
 * all), in byte order, keys relative to the store.  fn returns 0 to go on,
 * -1 to stop.  Returns 0 or -1.
 */
int sc_store_list(struct sc_store *, const char *prefix,
    int (*fn)(const char *key, uint64_t size, void *arg), void *arg,
    struct sc_err *);

/* Delete key; a missing key is not an error (as on S3).  0 or -1. */
int sc_store_delete(struct sc_store *, const char *key, struct sc_err *);

/*
 * The size of the object under key into *size.  Returns 0, or -1 with
 * SC_ENOINPUT when it does not exist, SC_EUSAGE, SC_EIO or S3 errors.
 */
int sc_store_stat(struct sc_store *, const char *key, uint64_t *size,
    struct sc_err *);

/* 1 when key exists, 0 when not, -1 on error. */
int sc_store_exists(struct sc_store *, const char *key, struct sc_err *);

/* What an operand of sc-fetch or sc-push names. */
enum sc_loc_kind {
	SC_LOC_KEY,  /* a key in the store named by SC_STORE */
	SC_LOC_S3,   /* s3://bucket/key */
	SC_LOC_PATH, /* a local file: file:// URL or a path */
};

struct sc_loc {
	enum sc_loc_kind kind;
	char *bucket; /* SC_LOC_S3 */
	char *key;    /* SC_LOC_KEY, SC_LOC_S3 (may be "" for a bucket) */
	char *path;   /* SC_LOC_PATH */
};

/*
 * Parse an operand: "s3://bucket/key", "file:///path" (percent-decoded),
 * a path starting with '/', "./" or "../" (or "." or ".."), or else a store
 * key (checked with sc_store_key_check(); when prefix is set, a listing
 * prefix: "" for the whole store, or a key with a final '/').  Another
 * "scheme:" is SC_EUSAGE.  Free with sc_loc_free().
 */
int sc_loc_parse(const char *, int prefix, struct sc_loc *, struct sc_err *);

/* Free what *l owns and zero it. */
void sc_loc_free(struct sc_loc *);

#endif
