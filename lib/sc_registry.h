/* SPDX-License-Identifier: ISC */
/*
 * The model registry, on the store (local or S3): models:/NAME names a
 * model, models:/NAME/3 a version, models:/NAME/latest the newest and
 * models:/NAME@champion an alias.  The truth is in objects that are only
 * ever created, never rewritten: version N exists when the exclusive
 * create of models/NAME/N/meta.json (its lineage: the claim of the number)
 * and then of models/NAME/N/model.json succeeded.  A registration that
 * loses the race for N moves on to N+1.  Aliases are one small object
 * each.  index.json is a summary derived from those objects, rewritten
 * after each change and checked again after the write, so the last writer
 * always leaves it complete (docs/registry.md).  The struct sc_err * of
 * every function here must not be NULL.
 */
#ifndef SC_REGISTRY_H
#define SC_REGISTRY_H

#include <stdio.h>
#include <time.h>

#include "sc_config.h"
#include "sc_err.h"
#include "sc_store.h"

#define SC_REGISTRY_MAX_NAME 64          /* bytes of a name or an alias */
#define SC_REGISTRY_MAX_VERSION 99999999 /* highest version number */
#define SC_REGISTRY_MAX_MODEL (1L << 30) /* bytes of a model file */

enum sc_model_kind {
	SC_MREF_INDEX,   /* models:/NAME */
	SC_MREF_LATEST,  /* models:/NAME/latest */
	SC_MREF_VERSION, /* models:/NAME/3 */
	SC_MREF_ALIAS    /* models:/NAME@champion */
};

struct sc_model_ref {
	enum sc_model_kind kind;
	char name[SC_REGISTRY_MAX_NAME + 1];
	char alias[SC_REGISTRY_MAX_NAME + 1]; /* SC_MREF_ALIAS */
	long version;                         /* SC_MREF_VERSION */
};

/* Lineage that does not come from the model file itself. */
struct sc_registry_opts {
	const char *run_id;  /* --run-id; NULL: none */
	const char *metrics; /* path of sc-rmse's metrics JSON; NULL: none */
	double cv_rmse;      /* --cv-rmse; NaN: none */
	time_t now;          /* registration time */
	const char *input;   /* name of the model stream in messages */
	int validate;        /* run the model loader first (sc-push does) */
};

/* What a push did, beyond its status. */
struct sc_registry_result {
	long version;            /* registered, or an alias's target */
	int index_stale;         /* the version exists, index.json lags */
	struct sc_err index_err; /* why, when index_stale */
	int run_recorded;        /* runs/RUN_ID/meta.json names the version */
};

/* 1 when s is a registry URI ("models:..."), else 0. */
int sc_registry_is_uri(const char *s);

/*
 * 1 when key, a store key relative to the store's root, is one the
 * registry owns (models/NAME/N/..., models/NAME/aliases/..., or
 * models/NAME/index.json), with NAME copied to name (size n); else 0.
 * Writing such a key with the plain store commands would make a version
 * without lineage or an alias the index does not know.
 */
int sc_registry_key_owned(const char *key, char *name, size_t n);

/*
 * Check a model name: [A-Za-z0-9][A-Za-z0-9_.-]{0,63}.  An alias:
 * [a-z][a-z0-9_-]{0,63}, not "latest".  Returns 0, or -1 with SC_EUSAGE.
 */
int sc_registry_name_check(const char *name, struct sc_err *);
int sc_registry_alias_check(const char *alias, struct sc_err *);

/*
 * Parse "models:/NAME", "models:/NAME/latest", "models:/NAME/N" or
 * "models:/NAME@ALIAS" into *r.  Returns 0, or -1 with SC_EUSAGE.
 */
int sc_registry_parse(const char *uri, struct sc_model_ref *r, struct sc_err *);

/*
 * Register the model read from in (a JSON object with "format":
 * "sc-forest") under name, with its lineage, as the next free version,
 * and bring index.json up to date.  With a run id whose record
 * runs/RUN_ID/meta.json is in the store, the record gets
 * "registered_model", "registered_version" and "registered_at" (a failure
 * there is a warning, res->run_recorded 0).  *res gets the version; a failure to
 * update the index after the version was created is not a failure of the
 * call but sets res->index_stale.  Returns 0, or -1 with SC_EUSAGE (bad
 * name), SC_EDATA (not a model, bad metrics file, too large), SC_ENOINPUT
 * (no metrics file), SC_ETEMP (no free number after many tries) or the
 * store's errors.
 */
int sc_registry_register(struct sc_store *, const char *name, FILE *in,
    const struct sc_registry_opts *, struct sc_registry_result *res,
    struct sc_err *);

/*
 * The version r names (latest, a number or an alias) into *version; it
 * must exist.  Returns 0, or -1 with SC_ENOINPUT naming what is missing,
 * SC_EUSAGE for SC_MREF_INDEX, or the store's errors.
 */
int sc_registry_resolve(struct sc_store *, const struct sc_model_ref *r,
    long *version, struct sc_err *);

/*
 * Write the model file r names to out, byte for byte; for SC_MREF_INDEX
 * the index JSON, built from the version and alias objects (so it is
 * never stale).  Returns 0, or -1 as sc_registry_resolve(), SC_EIO.
 */
int sc_registry_get(struct sc_store *, const struct sc_model_ref *r, FILE *out,
    struct sc_err *);

/*
 * Point alias at the version target names (latest, a number or another
 * alias of the same model; it must exist, and an alias can move), then
 * update index.json.  target is borrowed and must not be NULL.  *res (may
 * be NULL) gets the version; a failure to update the index sets
 * res->index_stale but is not a failure of the call.  Returns 0, or -1
 * with SC_EUSAGE (bad name or alias, a target of another model),
 * SC_ENOINPUT (no such version or alias) or the store's errors.
 */
int sc_registry_alias(struct sc_store *, const char *name, const char *alias,
    const struct sc_model_ref *target, struct sc_registry_result *res,
    struct sc_err *);

/*
 * Delete alias of model name (models:/NAME@ALIAS; it must exist; versions
 * are never deleted), then update index.json, as sc_registry_alias().
 * Returns 0, or -1 with SC_EUSAGE, SC_ENOINPUT or the store's errors.
 */
int sc_registry_delete(struct sc_store *, const char *name, const char *alias,
    struct sc_registry_result *res, struct sc_err *);

/*
 * Rewrite models/NAME/index.json from the objects.  Returns 0, or -1 with
 * SC_ENOINPUT (no such model), SC_ETEMP (it kept changing) or the store's.
 */
int sc_registry_refresh(struct sc_store *, const char *name, struct sc_err *);

/*
 * Open the store the registry of c lives on (SC_STORE), for the calls
 * above.  The caller owns the store and frees it with sc_store_free(); it
 * borrows c's strings, so c must outlive it.  Returns NULL with
 * sc_store_open()'s errors (SC_EUSAGE, SC_ECONFIG, SC_EOS).
 *
 *	if ((st = sc_registry_open(&cfg, &e)) == NULL ||
 *	    sc_registry_register(st, "aapl", stdin, &o, &res, &e) == -1) ...
 */
struct sc_store *sc_registry_open(const struct sc_config *c, struct sc_err *);

/*
 * For sc-fetch: open the store of c and write what uri names to out.
 * Errors as sc_registry_get(), plus sc_store_open()'s.
 */
int sc_registry_fetch_uri(const struct sc_config *c, const char *uri, FILE *out,
    struct sc_err *);

#endif
