/* SPDX-License-Identifier: ISC */
/*
 * A growable byte buffer with an optional size limit, for HTTP bodies,
 * files read whole and text built piece by piece.  The bytes are always
 * followed by a NUL that is not counted in len, so text can be used as a C
 * string.  A zeroed struct is an empty buffer with no limit.  Also the one
 * growth step of every growable array (sc_buf_grow).
 */
#ifndef SC_BUF_H
#define SC_BUF_H

#include <stddef.h>
#include <stdio.h>

#include "sc_err.h"

struct sc_buf {
	char *data; /* owned; NULL while empty */
	size_t len;
	size_t cap;
	size_t limit; /* most bytes allowed; 0 means no limit */
};

/*
 * Append n bytes.  Returns 0, or -1 with SC_EOS when out of memory or
 * SC_EDATA when the limit would be passed (the buffer is left unchanged).
 */
int sc_buf_add(struct sc_buf *, const void *, size_t, struct sc_err *);

/* Append formatted text; as sc_buf_add(). */
int sc_buf_printf(struct sc_buf *, struct sc_err *, const char *, ...)
    __attribute__((format(printf, 3, 4)));

/* Drop the contents but keep the memory. */
void sc_buf_reset(struct sc_buf *);

/* Free the memory; the struct is an empty buffer again (limit kept). */
void sc_buf_free(struct sc_buf *);

/*
 * Read all of fp into b, bounded by b->limit.  name is used in messages.
 * Returns 0, or -1 with SC_EIO on a read error or SC_EDATA past the limit.
 */
int sc_buf_read(struct sc_buf *, FILE *, const char *name, struct sc_err *);

/*
 * Grow an array to hold at least want elements of sz bytes each.  pp is
 * the address of the array pointer (T **; NULL array with *cap 0 when
 * empty), cap the address of its capacity in elements.  The capacity
 * doubles (from SC_BUF_GROW_MIN) until it reaches want, so n appends cost
 * O(n).  Nothing happens when *cap >= want.  Returns 0 with *pp and *cap
 * updated together, or -1 with SC_EOS when the size overflows or memory
 * runs out: then *pp and *cap are left as they were (the old array is
 * still valid and still owned by the caller).
 */
int sc_buf_grow(void *pp, size_t *cap, size_t want, size_t sz, struct sc_err *);

#define SC_BUF_GROW_MIN 16

#endif
