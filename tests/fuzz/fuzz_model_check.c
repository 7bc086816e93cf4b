/* SPDX-License-Identifier: ISC */
/*
 * Fuzz the bounded model check (lib/sc_model_check.c) against the model
 * loader: on any input the two must give the same verdict, except where
 * the check refuses past one of its own limits (SC_MODEL_CHECK_MAX_*),
 * which the loader does not have.  A disagreement aborts, so libFuzzer
 * keeps the input as a crash.
 */
#include <string.h>

#include "fuzz.h"
#include "sc_model.h"
#include "sc_model_check.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	struct sc_err e1 = { 0 }, e2 = { 0 };
	struct sc_model *m;
	json_t *h;
	char *copy;
	FILE *fp;
	int limit;

	if ((fp = fuzz_stream(data, n, &copy)) == NULL)
		return 0;
	h = sc_model_check(fp, "fuzz", &e2);
	fclose(fp);
	free(copy);
	if ((fp = fuzz_stream(data, n, &copy)) == NULL) {
		json_decref(h);
		return 0;
	}
	m = sc_model_read(fp, &e1);
	fclose(fp);
	free(copy);
	limit = h == NULL &&
	    (strstr(e2.msg, "longer than") != NULL ||
	        strstr(e2.msg, "limit") != NULL ||
	        strstr(e2.msg, " pass ") != NULL);
	/* The binary form is the loader's alone: the check refuses it. */
	if (!limit && !sc_model_is_binary(data, n) &&
	    (m != NULL) != (h != NULL))
		abort();
	if (h == NULL && e2.code != SC_EDATA && e2.code != SC_EOS)
		abort();
	json_decref(h);
	sc_model_free(m);
	return 0;
}
