/* SPDX-License-Identifier: ISC */
/*
 * The fetch loop: a table of sources, each a name, its fetch and the size
 * of the state it keeps in a session (Yahoo's crumb).  Adding a source is
 * a module of its own and a row here; the loop checks the symbol, calls
 * the source's fetch and names the ticker.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sc_alphav.h"
#include "sc_log.h"
#include "sc_market.h"
#include "sc_stooq.h"
#include "sc_synth.h"
#include "sc_yahoo.h"

/* The synthetic generator as a source (sc_source_fetch_fn). */
static int
fetch_synth(struct sc_source *m, void *state, const char *label,
    const char *symbol, struct sc_series *out, struct sc_err *e)
{
	(void)state;
	(void)label;
	return sc_synth_series(symbol, m->o.seed, m->o.from, m->o.to, out, e);
}

static const struct source {
	const char *name; /* the scheme of SC_SOURCE */
	sc_source_fetch_fn *fetch;
	size_t state_size; /* zeroed memory kept per session, or 0 */
} sources[] = {
	{ "yahoo", sc_yahoo_fetch, sizeof(struct sc_yahoo_state) },
	{ "stooq", sc_stooq_fetch, 0 },
	{ "alphavantage", sc_alphav_fetch, 0 },
	{ "synthetic", fetch_synth, 0 },
};

#define NSOURCES (sizeof(sources) / sizeof(sources[0]))

struct sc_market {
	struct sc_source src;
	void *state[NSOURCES]; /* each source's own, sources[i].state_size */
};

static const struct source *
find_source(const char *name)
{
	size_t i;

	for (i = 0; i < NSOURCES; i++)
		if (strcmp(name, sources[i].name) == 0)
			return &sources[i];
	return NULL;
}

int
sc_market_source_known(const char *source)
{
	return find_source(source) != NULL;
}

struct sc_market *
sc_market_new(const struct sc_market_opts *o, struct sc_err *e)
{
	struct sc_market *m;
	size_t i;

	if (o->from > o->to) {
		sc_err_set(e, SC_EUSAGE, 0, "--from is after --to");
		return NULL;
	}
	if ((m = calloc(1, sizeof(*m))) == NULL) {
		sc_err_set(e, SC_EOS, 0, "out of memory");
		return NULL;
	}
	m->src.o.cfg = o->cfg;
	m->src.o.from = o->from;
	m->src.o.to = o->to;
	m->src.o.seed = o->seed;
	m->src.o.sleep = o->sleep;
	m->src.jitter = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	for (i = 0; i < NSOURCES; i++)
		if (sources[i].state_size > 0 &&
		    (m->state[i] = calloc(1, sources[i].state_size)) == NULL) {
			sc_market_free(m);
			sc_err_set(e, SC_EOS, 0, "out of memory");
			return NULL;
		}
	return m;
}

void
sc_market_include_open(struct sc_market *m, int on)
{
	m->src.include_open = on != 0;
}

void
sc_market_free(struct sc_market *m)
{
	size_t i;

	if (m == NULL)
		return;
	sc_source_close(&m->src);
	for (i = 0; i < NSOURCES; i++)
		if (m->state[i] != NULL) {
			/* a crumb is a credential */
			explicit_bzero(m->state[i], sources[i].state_size);
			free(m->state[i]);
		}
	free(m);
}

int
sc_market_fetch(struct sc_market *m, const char *source, const char *symbol,
    struct sc_series *out, struct sc_err *e)
{
	const struct source *src;
	char label[128];
	int rc;

	snprintf(label, sizeof(label), "%.20s:%.40s", source, symbol);
	if ((src = find_source(source)) == NULL)
		return sc_err_set(e, SC_EUSAGE, 0, "%s: unknown source", label);
	if (!sc_market_symbol_valid(symbol))
		return sc_err_set(e, SC_EUSAGE, 0,
		    "%s: invalid symbol (want 1..32 of A-Z a-z 0-9 . ^ = _ & "
		    "-)",
		    label);
	rc =
	    src->fetch(&m->src, m->state[src - sources], label, symbol, out, e);
	if (rc == -1) {
		sc_series_free(out);
		return -1;
	}
	if (out->ticker[0] == '\0')
		snprintf(out->ticker, sizeof(out->ticker), "%s", symbol);
	if (out->nulls > 0)
		sc_log(SC_LOG_INFO, "%s: %zu null rows dropped", label,
		    out->nulls);
	sc_log(SC_LOG_INFO, "%s: %zu rows", label, out->n);
	return 0;
}
