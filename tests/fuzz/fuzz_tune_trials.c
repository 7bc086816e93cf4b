/* SPDX-License-Identifier: ISC */
/*
 * Fuzz the trials JSONL that sc-tune --merge reads (lib/sc_tune_json.c):
 * read with the default space and a fixed search id; every trial read is
 * written back out and must read again.
 */
#include "fuzz.h"
#include "sc_tune.h"

#define ID "0123456789abcdef"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	struct sc_tune_space s;
	struct sc_tune *r = NULL, *r2 = NULL;
	struct sc_err e = { 0 };
	char *copy, *out = NULL;
	size_t len = 0, i;
	FILE *fp, *mem;

	if ((fp = fuzz_stream(data, n, &copy)) == NULL)
		return 0;
	sc_tune_space_defaults(&s);
	if (sc_tune_read_trials(&r, fp, &s, ID, &e) == 0 && r != NULL) {
		(void)sc_tune_best(r);
		if ((mem = open_memstream(&out, &len)) == NULL)
			abort();
		for (i = 0; i < sc_tune_ntrials(r); i++)
			if (sc_tune_write_trial(mem, &s, sc_tune_trial(r, i),
			        ID, &e) != 0)
				abort();
		fclose(mem);
		if (len > 0) {
			if ((mem = fmemopen(out, len, "r")) == NULL)
				abort();
			if (sc_tune_read_trials(&r2, mem, &s, ID, &e) != 0)
				abort(); /* we wrote what we cannot read */
			fclose(mem);
		}
		free(out);
		sc_tune_free(r2);
	}
	sc_tune_free(r);
	fclose(fp);
	free(copy);
	return 0;
}
