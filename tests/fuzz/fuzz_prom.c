/* SPDX-License-Identifier: ISC */
/*
 * Fuzz the Prometheus text parser (lib/sc_prom_parse.c) and the other inputs
 * sc-push converts (metrics JSON, predictions CSV): what parses is written
 * back out, and the text written must parse again.
 */
#include "fuzz.h"
#include "sc_prom.h"

static void
run(const char *text, size_t n, enum sc_prom_input fmt)
{
	struct sc_err e = { 0 };
	struct sc_buf b = { 0 };
	struct sc_prom *p, *q;

	if ((p = sc_prom_create(&e)) == NULL)
		return;
	if (sc_prom_load(p, text, n, fmt, &e) == 0 &&
	    sc_prom_write(p, &b, NULL, NULL, NULL, &e) == 0) {
		if ((q = sc_prom_create(&e)) != NULL) {
			if (sc_prom_parse(q, b.data == NULL ? "" : b.data,
			        b.len, &e) != 0)
				abort(); /* we wrote what we cannot read */
			sc_prom_free(q);
		}
	}
	sc_buf_free(&b);
	sc_prom_free(p);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	const char *text = (const char *)data;

	run(text, n, SC_PROM_IN_TEXT);
	run(text, n, sc_prom_detect(text, n));
	return 0;
}
