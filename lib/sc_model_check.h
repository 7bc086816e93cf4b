/* SPDX-License-Identifier: ISC */
/*
 * A check of a model file in bounded memory, for the registry: the same
 * verdict as sc_model_read() (the same grammar, the same header checks,
 * the same checks of every tree), but the file is read in fixed chunks
 * and no forest is built, so memory does not grow with the model.  The
 * header goes through the loader's own validation; each tree of the JSON
 * form is scanned once for its syntax and ranges, then walked node by
 * node with one small cursor per array over the same file; the binary
 * form is mapped and checked one tree at a time (docs/registry.md).
 */
#ifndef SC_MODEL_CHECK_H
#define SC_MODEL_CHECK_H

#include <stdio.h>

#include <jansson.h>

#include "sc_err.h"

/* Limits of the check (the loader has none of the first four). */
#define SC_MODEL_CHECK_MAX_MEMBER (16L << 20) /* bytes of a member's value */
#define SC_MODEL_CHECK_MAX_HEAD (64L << 20)   /* all members but the arrays */
#define SC_MODEL_CHECK_MAX_KEY (1L << 20)     /* bytes of a member name */
#define SC_MODEL_CHECK_MAX_NUMBER 512         /* bytes of a number in arrays */

/*
 * Check the model in fp (either form), from its current position to its
 * end; fp must be seekable (a file, a tmpfile(3), fmemopen(3)) because
 * each tree is read twice.  Returns the model's header: the members the format owns
 * but "targets" and "trees", plus "calibration", "cv" and "tuning" when
 * present (a new reference, the caller decrefs it; the other members are
 * validated and dropped).  NULL with SC_EDATA for anything sc_model_read()
 * would refuse and for the limits above, named after in:
 * "in:LINE:COLUMN: not a valid JSON model: ..." for the syntax,
 * "in: not a model: want ..." without "format": "sc-forest", else
 * "in: not a valid model: tree 3: node 7: children 2, 9 out of range";
 * SC_EIO or SC_EOS.  Memory (JSON): about 120 KiB, one bit per node of
 * the tree being checked, and one member's value and its jansson form;
 * (binary, mapped when fp is a regular file, else read whole): the
 * threshold tables and one tree's arrays.
 */
json_t *sc_model_check(FILE *fp, const char *in, struct sc_err *e);

#endif
