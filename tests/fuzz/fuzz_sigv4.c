/* SPDX-License-Identifier: ISC */
/*
 * Fuzz SigV4 canonicalisation (lib/sc_sigv4.c).  The input is split on
 * newlines into method, host, path, then name=value lines: those before a
 * blank line are the query, the rest headers.  Each request is signed in
 * the header form and presigned; a path is also encoded on its own.
 */
#include "fuzz.h"
#include "sc_sigv4.h"

#define MAXKV 32

static size_t
split(char *s, char **lines, size_t max)
{
	size_t n = 0;
	char *nl;

	while (n < max) {
		lines[n++] = s;
		if ((nl = strchr(s, '\n')) == NULL)
			break;
		*nl = '\0';
		s = nl + 1;
	}
	return n;
}

static size_t
kvs(char **lines, size_t n, struct sc_sigv4_kv *kv, size_t *used)
{
	size_t k = 0;
	char *eq;

	while (*used < n && lines[*used][0] != '\0' && k < MAXKV) {
		kv[k].name = lines[*used];
		kv[k].value = NULL;
		if ((eq = strchr(lines[*used], '=')) != NULL) {
			*eq = '\0';
			kv[k].value = eq + 1;
		}
		k++, (*used)++;
	}
	if (*used < n)
		(*used)++; /* the blank line */
	return k;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	struct sc_sigv4_key key = { "AKIDEXAMPLE",
		"wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", NULL, "us-east-1",
		"s3", 1440938160 };
	struct sc_sigv4_kv q[MAXKV], h[MAXKV];
	struct sc_sigv4_req r = { 0 };
	struct sc_sigv4_out o = { 0 };
	struct sc_err e = { 0 };
	struct sc_buf b = { 0 };
	char *s, *lines[3 + 2 * MAXKV + 2];
	size_t nl, used = 3;

	if (n > 65536 || (s = malloc(n + 1)) == NULL)
		return 0;
	memcpy(s, data, n);
	s[n] = '\0';
	nl = split(s, lines, sizeof(lines) / sizeof(lines[0]));
	r.method = lines[0];
	r.host = nl > 1 ? lines[1] : "example.amazonaws.com";
	r.path = nl > 2 ? lines[2] : "/";
	r.query = q;
	r.nquery = kvs(lines, nl, q, &used);
	r.headers = h;
	r.nheaders = kvs(lines, nl, h, &used);
	r.content_sha256 = n & 1;
	r.token_after = (n & 2) != 0;
	if (n & 4)
		key.session_token = "token";
	(void)sc_sigv4_sign(&key, &r, &o, &e);
	sc_sigv4_out_free(&o);
	memset(&o, 0, sizeof(o));
	r.payload_hash = "UNSIGNED-PAYLOAD";
	(void)sc_sigv4_presign(&key, &r, 3600, &o, &e);
	sc_sigv4_out_free(&o);
	(void)sc_sigv4_encode(&b, r.path, 1, &e);
	(void)sc_sigv4_encode(&b, r.method, 0, &e);
	sc_buf_free(&b);
	free(s);
	return 0;
}
