/* SPDX-License-Identifier: ISC */
/*
 * Fuzz the Stooq CSV parser (lib/sc_stooq.c) and its classifier.
 */
#include "fuzz.h"
#include "sc_stooq.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	struct sc_series s = { 0 };
	struct sc_err e = { 0 };
	char msg[160];
	const char *body = (const char *)data;

	(void)sc_stooq_classify(200, "text/csv", body, n, msg, sizeof(msg));
	(void)sc_stooq_classify(200, NULL, body, n, msg, sizeof(msg));
	if (sc_stooq_parse(body, n, -1000000, 1000000, &s, &e) == 0)
		(void)sc_series_sort(&s);
	sc_series_free(&s);
	(void)sc_stooq_parse(body, n, 20000, 20100, &s, &e);
	sc_series_free(&s);
	return 0;
}
