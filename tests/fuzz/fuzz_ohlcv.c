/* SPDX-License-Identifier: ISC */
/*
 * Fuzz OHLCV validation (lib/sc_ohlcv.c): every ticker's history read and
 * written back, until the end or the first (sticky) error.
 */
#include "fuzz.h"
#include "sc_ohlcv.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	struct sc_ohlcv_series s = { 0 };
	struct sc_err e = { 0 };
	struct sc_ohlcv *r;
	FILE *fp, *null;
	char *copy;
	int c;

	if ((fp = fuzz_stream(data, n, &copy)) == NULL)
		return 0;
	null = fopen("/dev/null", "w");
	if ((r = sc_ohlcv_open(fp, &e)) != NULL) {
		for (c = 0; c < SC_OHLCV_NCOLS; c++)
			(void)sc_ohlcv_has(r, c);
		while (sc_ohlcv_next(r, &s, &e) == 1)
			if (null != NULL)
				sc_ohlcv_write(null, &s);
		/* sticky: a second call after an error fails again */
		(void)sc_ohlcv_next(r, &s, &e);
		(void)sc_ohlcv_rows(r);
		sc_ohlcv_free(r);
	}
	sc_ohlcv_series_free(&s);
	if (null != NULL)
		fclose(null);
	fclose(fp);
	free(copy);
	return 0;
}
