/* SPDX-License-Identifier: ISC */
/*
 * Tables for comparing training runs and registered versions without jq:
 * the runs of a store (runs/RUN_ID/meta.json and metrics.json), the
 * versions of a registered model (their aliases and lineage), and the
 * differences between two runs (their records, test metrics and best
 * trial's hyperparameters).  A table is a list of columns and rows of
 * JSON values (string, number or null); sc_runs_write() renders it as an
 * aligned text table for terminals, CSV or JSON for scripts.  The struct
 * sc_err * of every function here must not be NULL.
 */
#ifndef SC_RUNS_H
#define SC_RUNS_H

#include <stdio.h>

#include <jansson.h>

#include "sc_err.h"
#include "sc_store.h"

#define SC_RUNS_MAX_COLS 16

struct sc_runs_table {
	const char *cols[SC_RUNS_MAX_COLS]; /* column names, static strings */
	size_t ncols;
	json_t *rows; /* array of objects, members named by cols */
};

enum sc_runs_format {
	SC_RUNS_TEXT, /* aligned columns, reals to 6 significant digits */
	SC_RUNS_CSV,  /* RFC 4180, a header line, reals that read back exact */
	SC_RUNS_JSON  /* an array of objects, one per row */
};

/*
 * The runs of the store, sorted by run id: run, date (the run's SC_TODAY),
 * tickers, search, trials, seed, cv_rmse, test_rmse, skill (from the
 * run's metrics.json), model and version (what it was registered as, if
 * it was).  A run without meta.json (still training) is left out.
 * Returns 0, or -1 with SC_EDATA naming a record that is not a JSON
 * object, or the store's errors.
 */
int sc_runs_list(struct sc_store *, struct sc_runs_table *, struct sc_err *);

/*
 * The versions of models:/name, oldest first: version, aliases (blank-
 * separated), registered, run, cv_rmse, test_rmse, naive_rmse, skill,
 * rows, date_from, date_to and sha256 (the model's, 12 hex digits).
 * Returns 0, or -1 with SC_ENOINPUT (no such model) or as
 * sc_registry_get().
 */
int sc_runs_versions(struct sc_store *, const char *name,
    struct sc_runs_table *, struct sc_err *);

/*
 * The members in which runs a and b differ: what, a and b; "what" is a
 * member of meta.json (nested members as register.promoted), "test." and
 * a member of metrics.json, or "params." and a hyperparameter of the
 * run's best complete trial (trials.jsonl).  Returns 0, or -1 with
 * SC_EUSAGE (a malformed run id), SC_ENOINPUT (no such run), SC_EDATA or
 * the store's errors.
 */
int sc_runs_diff(struct sc_store *, const char *a, const char *b,
    struct sc_runs_table *, struct sc_err *);

/* Write t to out as f says.  Returns 0, or -1 with SC_EIO or SC_EOS. */
int sc_runs_write(const struct sc_runs_table *t, enum sc_runs_format f,
    FILE *out, struct sc_err *);

/* Free what t owns. */
void sc_runs_table_free(struct sc_runs_table *t);

#endif
