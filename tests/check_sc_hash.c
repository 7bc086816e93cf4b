/* SPDX-License-Identifier: ISC */
/* SHA-256 and HMAC-SHA256: FIPS 180-2 and RFC 4231 vectors, streams. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "check_sc.h"
#include "sc_hash.h"

static void
hex_of(const uint8_t *h, char *out)
{
	sc_hash_hex(h, SC_SHA256_LEN, out);
}

START_TEST(test_hash_sha256_vectors)
{
	uint8_t h[SC_SHA256_LEN];
	char hex[SC_SHA256_HEX];

	ck_assert_int_eq(sc_hash_sha256("", 0, h, NULL), 0);
	hex_of(h, hex);
	ck_assert_str_eq(hex, SC_SHA256_EMPTY);
	ck_assert_int_eq(sc_hash_sha256("abc", 3, h, NULL), 0);
	hex_of(h, hex);
	ck_assert_str_eq(hex,
	    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9c"
	    "b410ff61f20015ad");
	ck_assert_int_eq(sc_hash_sha256("abcdbcdecdefdefgefghfghighijhijkijkljk"
	                                "lmklmnlmnomnop"
	                                "nopq",
	                     56, h, NULL),
	    0);
	hex_of(h, hex);
	ck_assert_str_eq(hex,
	    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167"
	    "f6ecedd419db06c1");
}
END_TEST

START_TEST(test_hash_sha256_incremental)
{
	struct sc_sha256 *s = sc_sha256_new(NULL);
	uint8_t h[SC_SHA256_LEN], one[SC_SHA256_LEN];
	char *buf = malloc(1000000);
	size_t i;

	ck_assert_ptr_nonnull(s);
	memset(buf, 'a', 1000000);
	for (i = 0; i < 1000000; i += 4096)
		ck_assert_int_eq(sc_sha256_update(s, buf + i,
		                     i + 4096 > 1000000 ? 1000000 - i : 4096,
		                     NULL),
		    0);
	ck_assert_int_eq(sc_sha256_final(s, h, NULL), 0);
	ck_assert_int_eq(sc_hash_sha256(buf, 1000000, one, NULL), 0);
	ck_assert_mem_eq(h, one, SC_SHA256_LEN);
	{
		char hex[SC_SHA256_HEX];

		hex_of(h, hex);
		/* FIPS 180-2: one million 'a'. */
		ck_assert_str_eq(hex,
		    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48"
		    "a497200e046d39ccc7112cd0");
	}
	sc_sha256_free(s);
	sc_sha256_free(NULL);
	free(buf);
}
END_TEST

/* A copy ends the bytes so far; the original goes on to more. */
START_TEST(test_hash_sha256_dup)
{
	static const char msg[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmn"
	                          "lmnomnopnopq";
	struct sc_sha256 *s = sc_sha256_new(NULL), *d;
	uint8_t a[SC_SHA256_LEN], b[SC_SHA256_LEN], want[SC_SHA256_LEN];

	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(sc_sha256_update(s, msg, 20, NULL), 0);
	ck_assert_ptr_nonnull(d = sc_sha256_dup(s, NULL));
	ck_assert_int_eq(sc_sha256_final(d, a, NULL), 0);
	ck_assert_int_eq(sc_hash_sha256(msg, 20, want, NULL), 0);
	ck_assert_mem_eq(a, want, SC_SHA256_LEN);
	ck_assert_int_eq(sc_sha256_update(s, msg + 20, strlen(msg) - 20, NULL),
	    0);
	ck_assert_int_eq(sc_sha256_final(s, b, NULL), 0);
	ck_assert_int_eq(sc_hash_sha256(msg, strlen(msg), want, NULL), 0);
	ck_assert_mem_eq(b, want, SC_SHA256_LEN);
	sc_sha256_free(d);
	sc_sha256_free(s);
}
END_TEST

START_TEST(test_hash_sha256_stream)
{
	FILE *fp = sc_test_str("Welcome to Amazon S3.");
	uint8_t h[SC_SHA256_LEN];
	char hex[SC_SHA256_HEX];
	uint64_t len = 0;

	ck_assert_int_eq(sc_hash_sha256_fp(fp, "test", h, &len, NULL), 0);
	hex_of(h, hex);
	ck_assert_str_eq(hex,
	    "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e4"
	    "2034a8b803f8b072");
	ck_assert(len == 21);
	fclose(fp);
}
END_TEST

START_TEST(test_hash_digests_md5)
{
	uint8_t h[SC_SHA256_LEN], m[SC_MD5_LEN];
	char hex[SC_SHA256_HEX];
	FILE *fp = sc_test_str("abc");
	uint64_t len = 0;

	ck_assert_int_eq(sc_hash_digests("abc", 3, h, m, NULL), 0);
	sc_hash_hex(m, sizeof(m), hex);
	ck_assert_str_eq(hex, "900150983cd24fb0d6963f7d28e17f72");
	memset(m, 0, sizeof(m));
	ck_assert_int_eq(sc_hash_digests_fp(fp, "t", h, m, &len, NULL), 0);
	sc_hash_hex(m, sizeof(m), hex);
	ck_assert_str_eq(hex, "900150983cd24fb0d6963f7d28e17f72");
	hex_of(h, hex);
	ck_assert_str_eq(hex,
	    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9c"
	    "b410ff61f20015ad");
	ck_assert(len == 3);
	fclose(fp);
}
END_TEST

START_TEST(test_hash_hmac_rfc4231)
{
	uint8_t key[20], h[SC_SHA256_LEN];
	char hex[SC_SHA256_HEX];

	memset(key, 0x0b, sizeof(key));
	ck_assert_int_eq(sc_hash_hmac(key, sizeof(key), "Hi There", 8, h, NULL),
	    0);
	hex_of(h, hex);
	ck_assert_str_eq(hex,
	    "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da7"
	    "26e9376c2e32cff7");
	ck_assert_int_eq(sc_hash_hmac("Jefe", 4, "what do ya want for nothing?",
	                     28, h, NULL),
	    0);
	hex_of(h, hex);
	ck_assert_str_eq(hex,
	    "5bdcc146bf60754e6a042426089575c75a003f089d273983"
	    "9dec58b964ec3843");
}
END_TEST

START_TEST(test_hash_hex_digits)
{
	const uint8_t b[] = { 0x00, 0x0f, 0xa0, 0xff };
	char hex[9];

	sc_hash_hex(b, sizeof(b), hex);
	ck_assert_str_eq(hex, "000fa0ff");
}
END_TEST

/* Published FNV-1a 64-bit test vectors (Landon Curt Noll's table). */
START_TEST(test_hash_fnv1a_vectors)
{
	ck_assert_uint_eq(sc_hash_fnv1a("", 0), 0xcbf29ce484222325ULL);
	ck_assert_uint_eq(sc_hash_fnv1a("a", 1), 0xaf63dc4c8601ec8cULL);
	ck_assert_uint_eq(sc_hash_fnv1a("b", 1), 0xaf63df4c8601f1a5ULL);
	ck_assert_uint_eq(sc_hash_fnv1a("foobar", 6), 0x85944171f73967e8ULL);
	ck_assert_uint_eq(SC_FNV1A_INIT, sc_hash_fnv1a(NULL, 0));
}
END_TEST

/* Continuing a hash equals hashing the concatenation. */
START_TEST(test_hash_fnv1a_add)
{
	uint64_t h;

	h = sc_hash_fnv1a_add(SC_FNV1A_INIT, "foo", 3);
	h = sc_hash_fnv1a_add(h, "", 0);
	h = sc_hash_fnv1a_add(h, "bar", 3);
	ck_assert_uint_eq(h, sc_hash_fnv1a("foobar", 6));
}
END_TEST

/* A range of a file by descriptor, and the rest of it, as the bytes'. */
START_TEST(test_hash_sha256_fd)
{
	static const char text[] = "0123456789abcdef";
	struct sc_err e = { 0 };
	uint8_t a[SC_SHA256_LEN], b[SC_SHA256_LEN];
	FILE *fp = tmpfile();

	ck_assert_uint_eq(fwrite(text, 1, 16, fp), 16);
	fflush(fp);
	ck_assert_int_eq(sc_hash_sha256_fd(fileno(fp), "t", 3, 5, a, &e), 0);
	ck_assert_int_eq(sc_hash_sha256(text + 3, 5, b, &e), 0);
	ck_assert(memcmp(a, b, sizeof(a)) == 0);
	ck_assert_int_eq(sc_hash_sha256_fd(fileno(fp), "t", 4, UINT64_MAX, a,
	                     &e),
	    0);
	ck_assert_int_eq(sc_hash_sha256(text + 4, 12, b, &e), 0);
	ck_assert(memcmp(a, b, sizeof(a)) == 0);
	fclose(fp);
	ck_assert_int_eq(sc_hash_sha256_fd(-1, "gone", 0, 1, a, &e), -1);
	ck_assert_int_eq(e.code, SC_EIO);
}
END_TEST

Suite *
sc_hash_suite(void)
{
	Suite *s = suite_create("hash");
	TCase *tc;

	tc = tcase_create("sha256");
	tcase_add_test(tc, test_hash_sha256_vectors);
	tcase_add_test(tc, test_hash_sha256_incremental);
	tcase_add_test(tc, test_hash_sha256_dup);
	tcase_add_test(tc, test_hash_sha256_stream);
	tcase_add_test(tc, test_hash_sha256_fd);
	tcase_add_test(tc, test_hash_digests_md5);
	suite_add_tcase(s, tc);
	tc = tcase_create("hmac");
	tcase_add_test(tc, test_hash_hmac_rfc4231);
	tcase_add_test(tc, test_hash_hex_digits);
	suite_add_tcase(s, tc);
	tc = tcase_create("fnv1a");
	tcase_add_test(tc, test_hash_fnv1a_vectors);
	tcase_add_test(tc, test_hash_fnv1a_add);
	suite_add_tcase(s, tc);
	return s;
}
