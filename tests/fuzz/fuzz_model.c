/* SPDX-License-Identifier: ISC */
/*
 * Fuzz the model loader (lib/sc_model_read.c, its own JSON scanner plus
 * jansson for the header, then sc_forest_assemble's checks of every
 * tree): what loads must predict, with quantiles, without reading out of
 * bounds, whatever its child and feature indexes said.
 */
#include <math.h>

#include "fuzz.h"
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
		x[i] = i % 2 ? NAN : 1e300;
	(void)sc_forest_predict(f, x);
	(void)sc_forest_quantiles(f, x, q, 5, out, &e);
	(void)sc_forest_interval(f, x, 0.9, &mean, &lo, &hi, &e);
	for (i = 0; i < n; i++) {
		(void)sc_forest_feature(f, i);
		(void)sc_forest_importance(f, i);
	}
	(void)sc_forest_target(f);
	(void)sc_forest_oob_rmse(f);
	free(x);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	struct sc_err e = { 0 };
	struct sc_model *m;
	char *copy;
	FILE *fp;

	if ((fp = fuzz_stream(data, n, &copy)) == NULL)
		return 0;
	if ((m = sc_model_read(fp, &e)) != NULL) {
		use(sc_model_forest(m));
		(void)sc_model_meta(m);
		sc_model_free(m);
	}
	fclose(fp);
	free(copy);
	return 0;
}
