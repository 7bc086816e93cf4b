/* SPDX-License-Identifier: ISC */
/*
 * The daily report: one self-contained HTML page built from what the
 * store holds (forecasts, evaluations, backtests, runs and their searches,
 * the registry, drift, the champion's feature importances).  The page
 * needs no network and no script (a small inline one adds sorting): its
 * charts are inline SVG drawn here.  Every number on it is read from a
 * store object, never recomputed, so the page cannot disagree with the
 * files; a chart only places those numbers.  docs/report.md describes the
 * sections.
 */
#ifndef SC_REPORT_H
#define SC_REPORT_H

#include <stdio.h>

#include "sc_err.h"
#include "sc_store.h"

struct sc_report_opts {
	const char *date;  /* "YYYY-MM-DD": newer objects ignored; NULL: all */
	const char *model; /* registry name; NULL: "stockcast" */
	const char *where; /* the store's name shown on the page, or NULL */
	int max_runs;      /* newest runs in the table; 0: 50 */
};

/*
 * Write the page for the store st (borrowed) to out.  Returns 0, or -1
 * with SC_EDATA naming the store key and line of a malformed object
 * ("evaluations/2026-11-27.json:1: JSON: ..."), the store's errors
 * (SC_EIO, SC_ENOPERM, SC_EUNAVAIL, ...), or SC_EOS.  On failure part of
 * the page may have been written: write to a temporary file (sc_out).
 */
int sc_report_write(struct sc_store *st, const struct sc_report_opts *o,
    FILE *out, struct sc_err *e);

#endif
