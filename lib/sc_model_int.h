/* SPDX-License-Identifier: ISC */
/*
 * Private to sc_model.c (writing) and sc_model_read.c (parsing and
 * validating): the model object and the names the format owns.
 */
#ifndef SC_MODEL_INT_H
#define SC_MODEL_INT_H

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
int model_known(const char *k);

#endif
