/* SPDX-License-Identifier: ISC */
/*
 * Fuzz the binary model form (lib/sc_model_bin.c, then the validation
 * both forms share).  An input is a payload: the harness frames it as
 * version 2 (magic, version and flags before it, its length and the
 * SHA-256 after), so the fuzzer tests the structure rather than the
 * checksum.  An input that starts with the
 * magic is read as it is, to test the header checks too.  The seeds in
 * tests/fuzz/corpus/modelbin/ are payloads of small valid models.  What
 * loads must predict, with quantiles, without reading out of bounds; and
 * so must what loads for predicting only (SC_MODEL_PREDICT_ONLY, as
 * sc-predict -i reads it) and without its ranks (SC_MODEL_NO_RANKS:
 * quantiles are refused).  Read whole and for predicting only, the
 * same bytes must be accepted or refused alike, and what loads must give
 * bit for bit the same means in all three readings.
 */
#include <math.h>

#include "fuzz.h"
#include "sc_hash.h"
#include "sc_model.h"

/* The mean of a fixed probe row; NaN when f is NULL. */
static double
probe(const struct sc_forest *f)
{
	double *x, y;
	size_t i, n;

	if (f == NULL)
		return NAN;
	n = sc_forest_nfeatures(f);
	if ((x = calloc(n + 1, sizeof(*x))) == NULL)
		abort();
	for (i = 0; i < n; i++)
		x[i] = i % 3 == 0 ? 0.5 : i % 3 == 1 ? -2 : 1e6;
	y = sc_forest_predict(f, x);
	free(x);
	return y;
}

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

/* buf read with flags, used; *y its probe's mean (NaN: refused). */
static int
read_as(const uint8_t *buf, size_t len, int flags, double *y)
{
	struct sc_err e = { 0 };
	struct sc_model *m;
	char *copy;
	FILE *fp;

	*y = NAN;
	if ((fp = fuzz_stream(buf, len, &copy)) == NULL)
		return -1;
	m = sc_model_read_flags(fp, flags, &e);
	fclose(fp);
	free(copy);
	if (m == NULL)
		return 0;
	use(sc_model_forest(m));
	*y = probe(sc_model_forest(m));
	sc_model_free(m);
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	static const char magic[] = "\211SCF\r\n\032\n";
	struct sc_err e = { 0 };
	uint8_t *buf, sum[32];
	size_t len = n, i;
	double y[3];
	int ok[3];

	if ((buf = malloc(n + 56)) == NULL)
		return 0;
	if (n >= 8 && memcmp(data, magic, 8) == 0)
		memcpy(buf, data, n);
	else {
		memcpy(buf, magic, 8);
		memset(buf + 8, 0, 8);
		buf[8] = 2; /* version 2, flags 0 */
		memcpy(buf + 16, data, n);
		for (i = 0; i < 8; i++)
			buf[16 + n + i] = (uint8_t)((uint64_t)n >> (8 * i));
		if (sc_hash_sha256(buf, n + 24, sum, &e) == -1) {
			free(buf);
			return 0;
		}
		memcpy(buf + n + 24, sum, 32);
		len = n + 56;
	}
	/*
	 * Whole, as sc-predict reads it with -i (each tree laid out as it is
	 * decoded), and without (no ranks).  The first two decode the same
	 * bytes, so they must agree on the verdict; all that load must give
	 * the very same means.
	 */
	ok[0] = read_as(buf, len, 0, &y[0]);
	ok[1] = read_as(buf, len, SC_MODEL_PREDICT_ONLY, &y[1]);
	ok[2] = read_as(buf, len, SC_MODEL_NO_RANKS, &y[2]);
	if (ok[0] >= 0 && ok[1] >= 0 && ok[0] != ok[1])
		abort();
	if (ok[0] == 1 && ok[1] == 1 && memcmp(&y[0], &y[1], sizeof(y[0])) != 0)
		abort();
	if (ok[0] == 1 && ok[2] >= 0 &&
	    (ok[2] != 1 || memcmp(&y[0], &y[2], sizeof(y[0])) != 0))
		abort();
	free(buf);
	return 0;
}
