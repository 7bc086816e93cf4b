/* SPDX-License-Identifier: ISC */
/*
 * The model file: a forest and its record (training rows, date range,
 * SHA-256 of the training input), format "sc-forest" version 1
 * (docs/model-format.md), in one of two forms that hold the same model:
 * one JSON object, for people and tools, or a compact checksummed binary
 * form that loads in a fraction of the time.  The JSON writer streams the
 * tree arrays itself, formatting trees in parallel, because a forest
 * holds millions of numbers and a jansson value per number would cost
 * gigabytes; the small header goes through jansson.  The reader tells the
 * forms apart by the binary form's magic bytes, scans either, and
 * validates everything before building the forest; top-level members it
 * does not know (a tuning record, a calibration) are kept and written
 * back, in either form.
 */
#ifndef SC_MODEL_H
#define SC_MODEL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "sc_err.h"
#include "sc_forest.h"

#define SC_MODEL_VERSION 1
#define SC_MODEL_BIN_VERSION 2              /* the binary form's layout */
#define SC_MODEL_MAXBYTES ((size_t)4 << 30) /* largest file read */
#define SC_MODEL_MAXNODES 50000000          /* nodes in all trees */
#define SC_MODEL_MAXRANKS 1000000000        /* leaf ranks in all trees */

/* What the file records about the training data; strings may be NULL. */
struct sc_model_meta {
	size_t rows;
	const char *date_from, *date_to; /* earliest, latest date label */
	const char *sha256;              /* 64 hex digits */
};

/*
 * Write forest f with meta m as one line of JSON to fp, using up to
 * threads threads (0: all) to format trees.  extra (may be NULL) is an
 * object whose members are added at the top level (a "tuning" record);
 * members that clash with the format's own names are skipped.  Returns 0,
 * or -1 with SC_EIO (write failed) or SC_EOS.
 */
int sc_model_write(FILE *fp, const struct sc_forest *f,
    const struct sc_model_meta *m, const json_t *extra, int threads,
    struct sc_err *e);

/*
 * Write the same model in the binary form (docs/model-format.md): the
 * JSON header object embedded as it is, thresholds as indices into one
 * table per feature, the leaves' ranks delta-coded, a SHA-256 of it all.
 * Returns 0, or -1 with SC_EIO or SC_EOS.
 */
int sc_model_write_binary(FILE *fp, const struct sc_forest *f,
    const struct sc_model_meta *m, const json_t *extra, struct sc_err *e);

enum sc_model_form { SC_MODEL_JSON, SC_MODEL_BINARY };

/* "json" or "binary" into *out; 0, or -1 with SC_EUSAGE. */
int sc_model_form_parse(const char *s, enum sc_model_form *out,
    struct sc_err *e);

/* sc_model_write() or sc_model_write_binary(), as form says. */
int sc_model_write_form(FILE *fp, enum sc_model_form form,
    const struct sc_forest *f, const struct sc_model_meta *m,
    const json_t *extra, int threads, struct sc_err *e);

struct sc_model;

/*
 * Read and validate a model from fp (read to its end, at most
 * SC_MODEL_MAXBYTES), in either form: the binary form when it starts
 * with its magic bytes, else JSON.  The caller frees the result with
 * sc_model_free().  Returns NULL with SC_EDATA (not JSON: the line and
 * column; a binary file truncated, damaged (checksum) or of another
 * version; wrong format or version; a field missing, of the wrong type or
 * out of range, named with its tree), SC_EIO or SC_EOS.
 */
struct sc_model *sc_model_read(FILE *fp, struct sc_err *e);

/*
 * As sc_model_read(); with SC_MODEL_NO_RANKS in flags a binary model's
 * leaf ranks (most of its bytes) are neither decoded nor kept, for a
 * program that predicts means only: the file is still checked whole
 * (checksum, header, every count against the bytes, every node), but the
 * rank stream's contents are not, and the forest gives no quantiles and
 * cannot be written (sc_forest_has_ranks()).  A JSON model is read whole.
 */
#define SC_MODEL_NO_RANKS 1
/*
 * With SC_MODEL_PREDICT_ONLY a binary model's split thresholds are kept
 * only as the indices into its threshold tables that the walk compares
 * (not also as doubles), for a program that predicts means and intervals
 * and writes no model: the forest then cannot be written
 * (sc_forest_writable()).  The file is checked as without the flag.
 * SC_MODEL_NO_RANKS implies it.
 */
#define SC_MODEL_PREDICT_ONLY 2
struct sc_model *sc_model_read_flags(FILE *fp, int flags, struct sc_err *e);

/*
 * As sc_model_read_flags(), fp a regular file at its start (name in
 * messages), and the SHA-256 of the whole file into sum[32]: for the
 * binary form of version 2 by the pass that checks its checksum (which
 * covers every byte before it), for any other in a second thread while
 * the model loads (the file read again by its descriptor).  NULL as
 * sc_model_read_flags() says, or SC_EIO when the file cannot be hashed.
 */
struct sc_model *sc_model_read_hashed(FILE *fp, const char *name, int flags,
    uint8_t *sum, struct sc_err *e);

/* Free m and its forest; NULL is a no-op. */
void sc_model_free(struct sc_model *m);

/* The forest (borrowed; lives as long as m). */
const struct sc_forest *sc_model_forest(const struct sc_model *m);

/* The training record (borrowed; lives as long as m). */
const struct sc_model_meta *sc_model_meta(const struct sc_model *m);

/*
 * The top-level members the reader did not know, as an object (borrowed;
 * never NULL), to pass back to sc_model_write() as extra.
 */
json_t *sc_model_extra(const struct sc_model *m);

/*
 * The model's top-level object as the JSON form has it, but for the big
 * "targets" and "trees" (a new reference; NULL when out of memory): the
 * header of either form, for tools that read the record (the registry).
 */
json_t *sc_model_head(const struct sc_model *m);

/* Non-zero when the n bytes at p start the binary form (its magic). */
int sc_model_is_binary(const void *p, size_t n);

#endif
