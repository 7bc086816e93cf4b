/* SPDX-License-Identifier: ISC */
/*
 * Fuzz sc-tune's --param specs (lib/sc_tune_space.c): each line of the
 * input is one "name=kind:lo:hi[:log]" or "name=cat:a,b" given in turn to
 * the default space; whatever is accepted must give a space every value of
 * whose corners applies to the forest parameters.
 */
#include "fuzz.h"
#include "sc_tune.h"

/* The space's corners (every dimension at lo, then at hi) must apply. */
static void
corners(const struct sc_tune_space *s)
{
	struct sc_forest_params base, p;
	struct sc_err e = { 0 };
	double x[SC_TUNE_MAXPARAMS];
	size_t i;
	int hi;

	sc_forest_defaults(&base);
	for (hi = 0; hi <= 1; hi++) {
		for (i = 0; i < s->n; i++) {
			const struct sc_tune_dim *d = &s->d[i];

			if (d->kind == SC_TUNE_CAT)
				x[i] = hi && d->ncat > 0 ? (double)(d->ncat - 1)
				                         : 0;
			else
				x[i] = hi ? d->hi : d->lo;
		}
		if (sc_tune_apply(s, x, &base, &p, &e) != 0 &&
		    e.code != SC_EUSAGE)
			abort(); /* only a usage error may refuse a corner */
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	struct sc_tune_space s;
	struct sc_err e = { 0 };
	char *text = malloc(n + 1), *line, *save = NULL;

	if (text == NULL)
		return 0;
	memcpy(text, data, n);
	text[n] = '\0';
	sc_tune_space_defaults(&s);
	for (line = strtok_r(text, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save))
		if (sc_tune_space_parse(&s, line, &e) == 0 &&
		    s.n > SC_TUNE_MAXPARAMS)
			abort();
	corners(&s);
	free(text);
	return 0;
}
