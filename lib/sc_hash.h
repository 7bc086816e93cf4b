/* SPDX-License-Identifier: ISC */
/*
 * SHA-256 and HMAC-SHA256 through OpenSSL 3's EVP interface, for SigV4
 * signing, payload checksums and the SHA-256 of a model's training input;
 * and the one 64-bit FNV-1a, a fast non-cryptographic hash for seeds and
 * hash tables.
 * The incremental context is opaque so a stream can be hashed while it is
 * copied (stdin spooled to a temporary file is hashed on the way).
 */
#ifndef SC_HASH_H
#define SC_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "sc_err.h"

#define SC_SHA256_LEN 32
#define SC_SHA256_HEX 65 /* 64 hex digits and a NUL */

/* The hex SHA-256 of no bytes, S3's payload hash of an empty body. */
#define SC_SHA256_EMPTY                                                        \
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

struct sc_sha256; /* an incremental SHA-256 */

/* Start a hash; NULL with SC_EOS.  Free with sc_sha256_free(). */
struct sc_sha256 *sc_sha256_new(struct sc_err *);

/* Add n bytes.  Returns 0, or -1 with SC_EOS when libcrypto fails. */
int sc_sha256_update(struct sc_sha256 *, const void *, size_t, struct sc_err *);

/*
 * A second context in h's state, so that bytes hashed once can end two
 * hashes (the bytes so far, and those and more).  NULL with SC_EOS.
 */
struct sc_sha256 *sc_sha256_dup(const struct sc_sha256 *h, struct sc_err *);

/* Finish into out[32]; the context can then only be freed.  0 or -1. */
int sc_sha256_final(struct sc_sha256 *, uint8_t *out, struct sc_err *);

/* Free the context; NULL is a no-op. */
void sc_sha256_free(struct sc_sha256 *);

/* SHA-256 of a buffer into out[32].  Returns 0, or -1 with SC_EOS. */
int sc_hash_sha256(const void *, size_t, uint8_t *out, struct sc_err *);

/*
 * SHA-256 of everything fp yields from its current position to the end
 * into out[32]; *len (may be NULL) gets the byte count.  name is used in
 * messages.  Returns 0, or -1 with SC_EIO on a read error.
 */
int sc_hash_sha256_fp(FILE *, const char *name, uint8_t *out, uint64_t *len,
    struct sc_err *);

/*
 * SHA-256 of at most len bytes of fd from offset off (to its end when it
 * is shorter; UINT64_MAX: to its end) into out[32], read with pread(2) a
 * MiB at a time, so threads can hash a file beside other readers of it.
 * Returns 0, or -1 with SC_EIO naming name, or SC_EOS.
 */
int sc_hash_sha256_fd(int fd, const char *name, off_t off, uint64_t len,
    uint8_t *out, struct sc_err *e);

#define SC_MD5_LEN 16

/*
 * As sc_hash_sha256_fp(), and also the MD5 into md5[16] (S3's ETag of an
 * object stored by one PUT, used to recognise our own upload).
 */
int sc_hash_digests_fp(FILE *, const char *name, uint8_t *sha256, uint8_t *md5,
    uint64_t *len, struct sc_err *);

/* SHA-256 and MD5 of a buffer, as sc_hash_digests_fp(). */
int sc_hash_digests(const void *, size_t, uint8_t *sha256, uint8_t *md5,
    struct sc_err *);

/* HMAC-SHA256 of data under key into out[32].  Returns 0, or -1. */
int sc_hash_hmac(const void *key, size_t keylen, const void *data,
    size_t datalen, uint8_t *out, struct sc_err *);

/* Write n bytes as 2n lower-case hex digits and a NUL into hex. */
void sc_hash_hex(const uint8_t *, size_t n, char *hex);

/* The FNV-1a 64-bit offset basis: the hash of no bytes. */
#define SC_FNV1A_INIT 0xcbf29ce484222325ULL

/* The 64-bit FNV-1a hash of n bytes (stable: seeds from symbol names). */
uint64_t sc_hash_fnv1a(const void *, size_t n);

/*
 * Continue an FNV-1a hash h (SC_FNV1A_INIT to start) with n more bytes:
 * hashing a then b this way equals sc_hash_fnv1a() of their concatenation.
 */
uint64_t sc_hash_fnv1a_add(uint64_t h, const void *, size_t n);

#endif
