/* SPDX-License-Identifier: ISC */
/*
 * Private to sc_tune.c (the search) and sc_tune_json.c (trials JSONL,
 * merging, the tuning record): the layout of a search's result.
 */
#ifndef SC_TUNE_INT_H
#define SC_TUNE_INT_H

#include "sc_tune.h"

struct sc_tune {
	struct sc_tune_trial
	    *t; /* in the order they finished (merge: by number) */
	size_t n, cap;
	long best; /* index into t of the best complete trial, -1: none */
	int timed_out;
	double elapsed;
};

#endif
