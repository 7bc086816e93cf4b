/* SPDX-License-Identifier: ISC */
/*
 * Fuzz the bounded model check (lib/sc_model_check.c) against the model
 * loader: on any input the two must give the same verdict, except where
 * the check refuses past one of its own limits (SC_MODEL_CHECK_MAX_*),
 * which the loader does not have.  A disagreement aborts, so libFuzzer
 * keeps the input as a crash.  An input whose first byte is 0 is the
 * payload of a binary model: the harness frames the rest as version 2
 * (magic, version, flags; length, SHA-256), as fuzz_modelbin does, so that
 * the structure is tested rather than the checksum; any other input is
 * given as it is (JSON, or a binary model with its own header).
 */
#include <string.h>

#include "fuzz.h"
#include "sc_hash.h"
#include "sc_model.h"
#include "sc_model_check.h"

/* The bytes to check: data as it is, or a binary model around data + 1. */
static uint8_t *
model_bytes(const uint8_t *data, size_t n, size_t *len)
{
	static const char magic[] = "\211SCF\r\n\032\n";
	uint8_t *buf = malloc(n + 56);
	size_t i;

	if (buf == NULL)
		return NULL;
	if (n == 0 || data[0] != 0) {
		memcpy(buf, data, n);
		*len = n;
		return buf;
	}
	n--;
	memcpy(buf, magic, 8);
	memset(buf + 8, 0, 8);
	buf[8] = 2; /* version 2, flags 0 */
	memcpy(buf + 16, data + 1, n);
	for (i = 0; i < 8; i++)
		buf[16 + n + i] = (uint8_t)((uint64_t)n >> (8 * i));
	if (sc_hash_sha256(buf, n + 24, buf + n + 24, NULL) == -1) {
		free(buf);
		return NULL;
	}
	*len = n + 56;
	return buf;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	struct sc_err e1 = { 0 }, e2 = { 0 };
	struct sc_model *m = NULL;
	json_t *h = NULL;
	uint8_t *buf;
	size_t len;
	char *copy;
	FILE *fp;
	int limit, ran = 0;

	if ((buf = model_bytes(data, n, &len)) == NULL)
		return 0;
	if ((fp = fuzz_stream(buf, len, &copy)) != NULL) {
		h = sc_model_check(fp, "fuzz", &e2);
		fclose(fp);
		ran++;
		free(copy);
	}
	if ((fp = fuzz_stream(buf, len, &copy)) != NULL) {
		m = sc_model_read(fp, &e1);
		fclose(fp);
		ran++;
		free(copy);
	}
	free(buf);
	limit = h == NULL &&
	    (strstr(e2.msg, "longer than") != NULL ||
	        strstr(e2.msg, "limit") != NULL ||
	        strstr(e2.msg, " pass ") != NULL || e2.code == SC_EOS);
	if (ran == 2 && !limit && (m != NULL) != (h != NULL))
		abort();
	json_decref(h);
	sc_model_free(m);
	return 0;
}
