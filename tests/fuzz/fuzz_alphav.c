/* SPDX-License-Identifier: ISC */
/*
 * Fuzz the Alpha Vantage TIME_SERIES_DAILY JSON parser (lib/sc_alphav.c)
 * and its classifier.
 */
#include "fuzz.h"
#include "sc_alphav.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	struct sc_series s = { 0 };
	struct sc_err e = { 0 };
	char msg[160];
	const char *body = (const char *)data;

	(void)sc_alphav_classify(200, "application/json", body, n, msg,
	    sizeof(msg));
	(void)sc_alphav_classify(200, NULL, body, n, msg, sizeof(msg));
	if (sc_alphav_parse(body, n, -1000000, 1000000, &s, &e) == 0)
		(void)sc_series_sort(&s);
	sc_series_free(&s);
	(void)sc_alphav_parse(body, n, 20000, 20100, &s, &e);
	sc_series_free(&s);
	return 0;
}
