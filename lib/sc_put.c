/* SPDX-License-Identifier: ISC */
/*
 * Store-backed writes.  A path is written through a local store opened on
 * its directory, so files get the same temp-fsync-rename treatment as keys.
 */
#include <errno.h>
#include <libgen.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sc_io.h"
#include "sc_put.h"
#include "sc_store.h"

/* Open the store dest lives in and set *key to dest's key in it. */
static struct sc_store *
open_dest(const struct sc_config *cfg, const struct sc_loc *l,
    const struct sc_s3_opts *so, enum sc_put_mode mode, char **key,
    struct sc_err *e)
{
	char *copy, *target, *dir, where[300];
	struct sc_store *st;

	switch (l->kind) {
	case SC_LOC_KEY:
		*key = strdup(l->key);
		st = sc_store_open(cfg->store, so, e);
		break;
	case SC_LOC_S3:
		snprintf(where, sizeof(where), "s3://%s", l->bucket);
		*key = strdup(l->key);
		st = sc_store_open(where, so, e);
		break;
	default:
		/* A write through a link writes its target (as sc_out does);
		 * a delete removes the link itself, as rm(1) does. */
		if ((copy = mode == SC_PUT_DELETE
		            ? strdup(l->path)
		            : sc_out_target(l->path)) == NULL)
			return NULL;
		if ((target = strdup(copy)) == NULL) {
			free(copy);
			return NULL;
		}
		*key = strdup(basename(target));
		free(target);
		dir = dirname(copy);
		/* The directory as a path, never as a store key. */
		snprintf(where, sizeof(where), "%s%s",
		    dir[0] == '/' || dir[0] == '.' ? "" : "./", dir);
		st = sc_store_open(where, so, e);
		free(copy);
		break;
	}
	return st;
}

int
sc_put(const struct sc_config *cfg, const char *dest, FILE *in,
    enum sc_put_mode mode, const char *etag, struct sc_err *e)
{
	struct sc_s3_opts so;
	struct sc_store *st = NULL;
	struct sc_loc l;
	char *key = NULL;
	int rc = -1;

	sc_store_s3_opts(cfg, &so);
	if (sc_loc_parse(dest, 0, &l, e) == -1)
		return -1;
	if (l.kind == SC_LOC_S3 && sc_store_key_check(l.key, e) == -1)
		goto out;
	/* "dir/name/" names a directory: never the file name. */
	if (l.kind == SC_LOC_PATH && *l.path != '\0' &&
	    l.path[strlen(l.path) - 1] == '/') {
		sc_err_errno(e, SC_ECANTCREAT, EISDIR, "%s", dest);
		goto out;
	}
	if ((st = open_dest(cfg, &l, &so, mode, &key, e)) == NULL)
		goto out;
	sc_store_set_max_object(st, (uint64_t)cfg->max_object);
	if (key == NULL) {
		sc_err_set(e, SC_EOS, 0, "out of memory");
		goto out;
	}
	switch (mode) {
	case SC_PUT_DELETE:
		rc = sc_store_delete(st, key, e);
		break;
	case SC_PUT_IF_MATCH:
		rc = sc_store_put_if_match(st, key, in, etag, e);
		break;
	default:
		rc = sc_store_put(st, key, in,
		    mode == SC_PUT_CREATE ? SC_STORE_EXCL : 0, e);
		break;
	}
out:
	if (rc == -1 && e->code == SC_EIO && strstr(e->msg, dest) == NULL)
		sc_err_prefix(e, "%s", dest);
	free(key);
	sc_store_free(st);
	sc_loc_free(&l);
	return rc;
}
