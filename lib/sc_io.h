/* SPDX-License-Identifier: ISC */
/*
 * Atomic output files: write to a temporary file in the same directory,
 * flush, fsync, rename over the target, fsync the directory.  A crash, a
 * full disk or an error half-way leaves the previous file intact and no
 * half-written one under the target's name.  The path "-" is stdout,
 * written directly.
 */
#ifndef SC_IO_H
#define SC_IO_H

#include <stdio.h>

#include "sc_err.h"

struct sc_out;

/*
 * Start writing path ("-" for stdout).  A path ending in '/' is refused (it
 * names a directory); a symbolic link is followed, so its target is
 * replaced and the link stays.  The caller owns the result and must end it
 * with sc_out_commit() or sc_out_abort().  Errors: SC_ECANTCREAT.
 */
struct sc_out *sc_out_open(const char *path, struct sc_err *);

/*
 * Check before long work that path can be written as sc_out_open() would
 * (its directory exists and takes a temporary file; not "name/"), leaving
 * nothing behind.  stdout, devices and FIFOs are not probed.  Returns 0,
 * or -1 with sc_out_open()'s error.
 */
int sc_out_probe(const char *path, struct sc_err *);

/*
 * Non-zero when outputs a and b would be the same file: the same device and
 * inode when both exist (./X, ../dir/X, a link to X), else the same name in
 * the same directory, links followed.  "-" is only the same as "-".
 */
int sc_out_same(const char *a, const char *b);

/*
 * path with the symbolic links of its last component followed (the file
 * an output through it writes; it need not exist), as a copy the caller
 * frees; NULL when out of memory.
 */
char *sc_out_target(const char *path);

/* The stream to write to; borrowed, valid until commit or abort. */
FILE *sc_out_fp(struct sc_out *);

/* The name to use in messages ("stdout" for "-"). */
const char *sc_out_name(const struct sc_out *);

/*
 * Flush, fsync and rename into place, then free o.  Returns 0, or -1 with
 * SC_EIO (the temporary file is removed and the target left as it was).
 */
int sc_out_commit(struct sc_out *, struct sc_err *);

/* Discard what was written and free o; NULL is a no-op. */
void sc_out_abort(struct sc_out *);

/*
 * Remove every temporary file still open, for a fatal-signal handler:
 * async-signal-safe (only unlink(2)), and leaves the bookkeeping alone.
 */
void sc_out_cleanup_signal(void);

/*
 * mkstemp(3) for another module's temporary file (the store's), with the
 * name registered for sc_out_cleanup_signal() before any signal can come
 * in.  Returns the descriptor and sets *slot (-1 when the table of 16 is
 * full: the file is then not removed by a signal), or -1 with errno set.
 * Call sc_out_untrack(*slot) once the file is renamed or unlinked.
 */
int sc_out_mkstemp(char *tmpl, int *slot);

/* Forget a name sc_out_mkstemp() registered; -1 is a no-op. */
void sc_out_untrack(int slot);

#endif
