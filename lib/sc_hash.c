/* SPDX-License-Identifier: ISC */
/*
 * Hashing on libcrypto's EVP interface (the OpenSSL 3 way: no deprecated
 * SHA256_* calls).  HMAC uses the one-shot HMAC() with EVP_sha256(), which
 * keeps no state between calls, so signing is safe from any thread.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "sc_hash.h"

struct sc_sha256 {
	EVP_MD_CTX *ctx;
};

struct sc_sha256 *
sc_sha256_new(struct sc_err *e)
{
	struct sc_sha256 *h;

	if ((h = calloc(1, sizeof(*h))) == NULL ||
	    (h->ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL) != 1) {
		sc_sha256_free(h);
		sc_err_set(e, SC_EOS, 0, "SHA-256: cannot start a hash");
		return NULL;
	}
	return h;
}

struct sc_sha256 *
sc_sha256_dup(const struct sc_sha256 *h, struct sc_err *e)
{
	struct sc_sha256 *d;

	if ((d = calloc(1, sizeof(*d))) == NULL ||
	    (d->ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_MD_CTX_copy_ex(d->ctx, h->ctx) != 1) {
		sc_sha256_free(d);
		sc_err_set(e, SC_EOS, 0, "SHA-256: cannot copy a hash");
		return NULL;
	}
	return d;
}

int
sc_sha256_update(struct sc_sha256 *h, const void *p, size_t n, struct sc_err *e)
{
	if (n > 0 && EVP_DigestUpdate(h->ctx, p, n) != 1)
		return sc_err_set(e, SC_EOS, 0, "SHA-256: update failed");
	return 0;
}

int
sc_sha256_final(struct sc_sha256 *h, uint8_t *out, struct sc_err *e)
{
	unsigned int len = 0;

	if (EVP_DigestFinal_ex(h->ctx, out, &len) != 1 || len != SC_SHA256_LEN)
		return sc_err_set(e, SC_EOS, 0, "SHA-256: final failed");
	return 0;
}

void
sc_sha256_free(struct sc_sha256 *h)
{
	if (h == NULL)
		return;
	EVP_MD_CTX_free(h->ctx);
	free(h);
}

int
sc_hash_sha256(const void *p, size_t n, uint8_t *out, struct sc_err *e)
{
	unsigned int len = 0;

	if (EVP_Digest(p, n, out, &len, EVP_sha256(), NULL) != 1 ||
	    len != SC_SHA256_LEN)
		return sc_err_set(e, SC_EOS, 0, "SHA-256 failed");
	return 0;
}

int
sc_hash_sha256_fp(FILE *fp, const char *name, uint8_t *out, uint64_t *len,
    struct sc_err *e)
{
	struct sc_sha256 *h;
	char buf[65536];
	uint64_t total = 0;
	size_t n;
	int rc = 0;

	if ((h = sc_sha256_new(e)) == NULL)
		return -1;
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0) {
		total += n;
		if ((rc = sc_sha256_update(h, buf, n, e)) == -1)
			break;
	}
	if (rc == 0 && ferror(fp))
		rc = sc_err_errno(e, SC_EIO, errno, "%s", name);
	if (rc == 0)
		rc = sc_sha256_final(h, out, e);
	sc_sha256_free(h);
	if (rc == 0 && len != NULL)
		*len = total;
	return rc;
}

int
sc_hash_sha256_fd(int fd, const char *name, off_t off, uint64_t len,
    uint8_t *out, struct sc_err *e)
{
	struct sc_sha256 *h = sc_sha256_new(e);
	static const size_t chunk = (size_t)1 << 20;
	char *buf = malloc(chunk);
	ssize_t k = 0;
	int rc = h == NULL ? -1 : 0;

	if (rc == 0 && buf == NULL)
		rc = sc_err_set(e, SC_EOS, 0, "out of memory");
	while (rc == 0 && len > 0) {
		k = pread(fd, buf, len < chunk ? (size_t)len : chunk, off);
		if (k == -1 && errno == EINTR)
			continue;
		if (k == -1)
			rc = sc_err_errno(e, SC_EIO, errno, "%s", name);
		if (k <= 0)
			break;
		rc = sc_sha256_update(h, buf, (size_t)k, e);
		off += k;
		len -= (uint64_t)k;
	}
	if (rc == 0)
		rc = sc_sha256_final(h, out, e);
	sc_sha256_free(h);
	free(buf);
	return rc;
}

int
sc_hash_digests_fp(FILE *fp, const char *name, uint8_t *sha256, uint8_t *md5,
    uint64_t *len, struct sc_err *e)
{
	EVP_MD_CTX *m = EVP_MD_CTX_new();
	struct sc_sha256 *h = sc_sha256_new(e);
	char buf[65536];
	uint64_t total = 0;
	unsigned int mlen = 0;
	size_t n;
	int rc = 0;

	if (h == NULL || m == NULL ||
	    EVP_DigestInit_ex(m, EVP_md5(), NULL) != 1)
		rc = sc_err_set(e, SC_EOS, 0, "MD5: cannot start a hash");
	while (rc == 0 && (n = fread(buf, 1, sizeof(buf), fp)) > 0) {
		total += n;
		rc = sc_sha256_update(h, buf, n, e);
		if (rc == 0 && EVP_DigestUpdate(m, buf, n) != 1)
			rc = sc_err_set(e, SC_EOS, 0, "MD5: update failed");
	}
	if (rc == 0 && ferror(fp))
		rc = sc_err_errno(e, SC_EIO, errno, "%s", name);
	if (rc == 0)
		rc = sc_sha256_final(h, sha256, e);
	if (rc == 0 && EVP_DigestFinal_ex(m, md5, &mlen) != 1)
		rc = sc_err_set(e, SC_EOS, 0, "MD5: final failed");
	sc_sha256_free(h);
	EVP_MD_CTX_free(m);
	if (rc == 0 && len != NULL)
		*len = total;
	return rc;
}

int
sc_hash_digests(const void *p, size_t n, uint8_t *sha256, uint8_t *md5,
    struct sc_err *e)
{
	unsigned int len = 0;

	if (sc_hash_sha256(p, n, sha256, e) == -1)
		return -1;
	if (EVP_Digest(p, n, md5, &len, EVP_md5(), NULL) != 1 ||
	    len != SC_MD5_LEN)
		return sc_err_set(e, SC_EOS, 0, "MD5 failed");
	return 0;
}

int
sc_hash_hmac(const void *key, size_t keylen, const void *data, size_t datalen,
    uint8_t *out, struct sc_err *e)
{
	unsigned int len = 0;

	if (keylen > (size_t)INT32_MAX ||
	    HMAC(EVP_sha256(), key, (int)keylen, data, datalen, out, &len) ==
	        NULL ||
	    len != SC_SHA256_LEN)
		return sc_err_set(e, SC_EOS, 0, "HMAC-SHA256 failed");
	return 0;
}

void
sc_hash_hex(const uint8_t *p, size_t n, char *hex)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		hex[2 * i] = digits[p[i] >> 4];
		hex[2 * i + 1] = digits[p[i] & 15];
	}
	hex[2 * n] = '\0';
}

uint64_t
sc_hash_fnv1a_add(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ s[i]) * 0x100000001b3ULL;
	return h;
}

uint64_t
sc_hash_fnv1a(const void *p, size_t n)
{
	return sc_hash_fnv1a_add(SC_FNV1A_INIT, p, n);
}
