/* SPDX-License-Identifier: ISC */
/*
 * Fuzz the CSV reader (lib/sc_csv.c) with small limits, so that every
 * limit is reached often: every record read, every field looked at and
 * parsed as a number; with and without a header.
 */
#include "fuzz.h"
#include "sc_csv.h"

static void
run(const uint8_t *data, size_t n, int header)
{
	static const struct sc_csv_limits lim = { 64, 16, 256 };
	struct sc_err e = { 0 };
	struct sc_csv *r;
	char *copy;
	FILE *fp;
	size_t i, k = 0;
	double v;

	if ((fp = fuzz_stream(data, n, &copy)) == NULL)
		return;
	if ((r = sc_csv_open(fp, &lim, header, &e)) != NULL) {
		for (i = 0; i < sc_csv_ncols(r); i++)
			(void)sc_csv_col(r, sc_csv_colname(r, i));
		while (sc_csv_read(r, &e) == 1)
			for (i = 0; i < sc_csv_nfields(r); i++) {
				k += sc_csv_fieldlen(r, i) +
				    strlen(sc_csv_field(r, i));
				(void)sc_csv_num(r, i, &v, &e);
			}
		(void)sc_csv_line(r);
		sc_csv_free(r);
	}
	fclose(fp);
	free(copy);
	(void)k;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	run(data, n, 1);
	run(data, n, 0);
	return 0;
}
