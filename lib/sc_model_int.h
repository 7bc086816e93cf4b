/* SPDX-License-Identifier: ISC */
/*
 * Private to the model modules: sc_model.c (the JSON writer and the
 * model object), sc_model_read.c (the JSON reader, and the validation and
 * assembly both readers share) and sc_model_bin.c (the binary form).
 */
#ifndef SC_MODEL_INT_H
#define SC_MODEL_INT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "sc_forest.h"
#include "sc_model.h"

struct sc_model {
	struct sc_forest *f;
	struct sc_model_meta meta;
	char *from, *to, *sha;
	json_t *extra;
};

/* Non-zero when k is a top-level member the format owns. */
int sc_model_known(const char *k);

/*
 * The top-level JSON object without "targets" and "trees": the format's
 * own members in their fixed order, then the members of extra (may be
 * NULL) the format does not own, in extra's order.  NULL when out of
 * memory.  Both forms write exactly this object, so they convert exactly.
 */
json_t *sc_model_header(const struct sc_forest *f,
    const struct sc_model_meta *m, const json_t *extra);

struct tree; /* sc_forest_int.h */

/* One tree's arrays as read, before validation. */
struct tarr {
	int32_t *feature, *left, *right;
	double *threshold, *value;
	uint32_t *count, *rank;
	uint32_t *tidx; /* binary: splits' threshold indices in the tables */
	int checked;    /* binary: as valid as the forest's check wants */
	struct tree *packed; /* binary, predicting only: the tree laid out
	                        for walking (sc_forest_int.h), the arrays
	                        above then NULL */
	size_t n[7]; /* lengths of feature, threshold, left, right, value,
	                   count, rank */
};

/* What a reader gives: the small members and the big arrays. */
struct parsed {
	json_t *root; /* every top-level member but targets and trees */
	struct tarr *trees;
	size_t ntrees, tcap;
	double *ytab;
	size_t ny;
	int have_targets, have_trees;
	int no_ranks; /* binary form: skip the ranks (SC_MODEL_NO_RANKS) */
	int no_thr;   /* binary form: no threshold doubles (predicting only) */
	double *thr;  /* binary form: the threshold tables, feature j's */
	size_t *toff; /* at thr[toff[j]..toff[j + 1]) */
	struct sc_slab *slab; /* binary form, predicting: the walking arrays */
	uint8_t *file_sum;    /* binary form 2: the whole file's SHA-256 into
	                         it when not NULL, and summed set */
	int summed;
};

void sc_model_parsed_free(struct parsed *P);

/*
 * Validate P's header and assemble m's forest from P's trees (which
 * validates every tree), and keep the members the format does not own.
 * 0, or -1 with SC_EDATA naming what is wrong, or SC_EOS.
 */
int sc_model_build(struct parsed *P, struct sc_model *m, struct sc_err *e);

/*
 * The checks sc_model_build() makes of a header root (every top-level
 * member but targets and trees): format, version, params, training,
 * features, importances, oob_rmse and a calibration, for
 * sc_model_check(), which checks the trees itself.  *nfeat gets the number
 * of features, *ntrees params.trees.  0, or -1 with SC_EDATA or SC_EOS.
 */
int sc_model_head_check(json_t *root, size_t *nfeat, size_t *ntrees,
    struct sc_err *e);

#define SC_MODEL_MAGIC "\211SCF\r\n\032\n" /* 8 bytes: the binary form */
#define SC_MODEL_MAGIC_LEN 8

/* Parse the binary form in buf[0..len) into P; 0 or -1 (SC_EDATA, SC_EOS). */
int sc_model_bin_parse(const unsigned char *buf, size_t len, struct parsed *P,
    struct sc_err *e);

/*
 * Check the binary form in buf[0..len) as sc_model_bin_parse() and
 * sc_model_build()'s tree checks would, one tree at a time, keeping none
 * (sc_model_check).  base (may be NULL) is the page-aligned start of the
 * file mapping buf is in: pages already read are given back.  *root gets
 * the embedded header (a new reference), *ntrees and *ny the numbers of
 * trees and targets; the header's own checks are the caller's
 * (sc_model_head_check).  0 or -1 (SC_EDATA, SC_EOS).
 */
int sc_model_bin_check(const unsigned char *buf, size_t len,
    const unsigned char *base, json_t **root, size_t *ntrees, size_t *ny,
    struct sc_err *e);

#endif
