/* SPDX-License-Identifier: ISC */
/*
 * Fuzz the binary model form (lib/sc_model_bin.c, then the validation
 * both forms share).  An input is a payload: the harness puts the header
 * in front of it (magic, version, length, SHA-256), so the fuzzer tests
 * the structure rather than the checksum.  An input that starts with the
 * magic is read as it is, to test the header checks too.  The seeds in
 * tests/fuzz/corpus/modelbin/ are payloads of small valid models.  What
 * loads must predict, with quantiles, without reading out of bounds; and
 * so must what loads for predicting only (SC_MODEL_PREDICT_ONLY, as
 * sc-predict -i reads it) and without its ranks (SC_MODEL_NO_RANKS:
 * quantiles are refused).
 */
#include <math.h>

#include "fuzz.h"
#include "sc_hash.h"
#include "sc_model.h"

static void
use(const struct sc_forest *f)
{
	static const double q[] = { 0, 0.05, 0.5, 0.95, 1 };
	struct sc_err e = { 0 };
	double *x, out[5], mean, lo, hi;
	size_t i, n = sc_forest_nfeatures(f);

	if ((x = calloc(n + 1, sizeof(*x))) == NULL)
		return;
	(void)sc_forest_predict(f, x);
	for (i = 0; i < n; i++)
		x[i] = i % 2 ? NAN : -1e300;
	(void)sc_forest_quantiles(f, x, q, 5, out, &e);
	(void)sc_forest_interval(f, x, 0.9, &mean, &lo, &hi, &e);
	free(x);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	static const char magic[] = "\211SCF\r\n\032\n";
	struct sc_err e = { 0 };
	struct sc_model *m;
	uint8_t *buf, sum[32];
	size_t len = n, i;
	char *copy;
	FILE *fp;

	if ((buf = malloc(n + 56)) == NULL)
		return 0;
	if (n >= 8 && memcmp(data, magic, 8) == 0)
		memcpy(buf, data, n);
	else {
		memcpy(buf, magic, 8);
		memset(buf + 8, 0, 16);
		buf[8] = 1; /* version 1, flags 0 */
		for (i = 0; i < 8; i++)
			buf[16 + i] = (uint8_t)((uint64_t)n >> (8 * i));
		memcpy(buf + 56, data, n);
		if (sc_hash_sha256(buf + 56, n, sum, &e) == -1) {
			free(buf);
			return 0;
		}
		memcpy(buf + 24, sum, 32);
		len = n + 56;
	}
	if ((fp = fuzz_stream(buf, len, &copy)) != NULL) {
		if ((m = sc_model_read(fp, &e)) != NULL) {
			use(sc_model_forest(m));
			sc_model_free(m);
		}
		fclose(fp);
		free(copy);
	}
	/* Again as sc-predict reads it with -i, and without. */
	for (i = 0; i < 2; i++) {
		if ((fp = fuzz_stream(buf, len, &copy)) == NULL)
			break;
		if ((m = sc_model_read_flags(fp,
		         i == 0 ? SC_MODEL_PREDICT_ONLY : SC_MODEL_NO_RANKS,
		         &e)) != NULL) {
			use(sc_model_forest(m));
			sc_model_free(m);
		}
		fclose(fp);
		free(copy);
	}
	free(buf);
	return 0;
}
