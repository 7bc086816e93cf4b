/* SPDX-License-Identifier: ISC */
/*
 * Fuzz the Yahoo chart JSON parser (lib/sc_yahoo.c): the classifier, the
 * crumb reader and the parser over the whole date range and a narrow one.
 */
#include "fuzz.h"
#include "sc_yahoo.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	struct sc_series s = { 0 };
	struct sc_err e = { 0 };
	char msg[160], crumb[64];
	const char *body = (const char *)data;

	(void)sc_yahoo_classify(200, "application/json", body, n, msg,
	    sizeof(msg));
	(void)sc_yahoo_classify(404, NULL, body, n, msg, sizeof(msg));
	(void)sc_yahoo_crumb(200, body, n, crumb, sizeof(crumb));
	if (sc_yahoo_parse(body, n, -1000000, 1000000, NULL, &s, &e) == 0)
		(void)sc_series_sort(&s);
	sc_series_free(&s);
	(void)sc_yahoo_parse(body, n, 20000, 20100, NULL, &s, &e);
	sc_series_free(&s);
	return 0;
}
