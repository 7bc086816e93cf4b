/* SPDX-License-Identifier: ISC */
/*
 * Fuzz sc-tune's --space file (lib/sc_tune_space.c, a JSON object of
 * specs): read over the default space; what is accepted stays within the
 * table's bounds.
 */
#include "fuzz.h"
#include "sc_tune.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	struct sc_tune_space s;
	struct sc_err e = { 0 };
	char *copy;
	FILE *fp;
	size_t i;

	if ((fp = fuzz_stream(data, n, &copy)) == NULL)
		return 0;
	sc_tune_space_defaults(&s);
	if (sc_tune_space_read(&s, fp, &e) == 0) {
		if (s.n > SC_TUNE_MAXPARAMS)
			abort();
		for (i = 0; i < s.n; i++)
			if (s.d[i].kind != SC_TUNE_CAT &&
			    !(s.d[i].lo <= s.d[i].hi))
				abort(); /* lo above hi was accepted */
	}
	fclose(fp);
	free(copy);
	return 0;
}
