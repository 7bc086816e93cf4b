/* SPDX-License-Identifier: ISC */
/*
 * Store-backed reads.  The operand is parsed once (sc_loc_parse) into a
 * store key, an S3 object or a local path; keys go through lib/store so
 * local and S3 stores behave alike, while ranges and presigned URLs are S3
 * features and go to lib/s3 directly.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sc_buf.h"
#include "sc_get.h"
#include "sc_s3.h"
#include "sc_store.h"

static int
print_key(const char *key, uint64_t size, void *arg)
{
	(void)size;
	return fprintf(arg, "%s\n", key) < 0 ? -1 : 0;
}

static int
print_size(FILE *out, const char *operand, uint64_t size, struct sc_err *e)
{
	if (fprintf(out, "%s\t%llu\n", operand, (unsigned long long)size) < 0)
		return sc_err_errno(e, SC_EIO, errno, "write");
	return 0;
}

/* The store an operand lives in, and its key (or prefix) there. */
static struct sc_store *
open_src(const struct sc_config *cfg, const struct sc_loc *l,
    const struct sc_s3_opts *so, const char **key, struct sc_err *e)
{
	char where[300];

	*key = l->key;
	if (l->kind == SC_LOC_KEY)
		return sc_store_open(cfg->store, so, e);
	snprintf(where, sizeof(where), "s3://%s", l->bucket);
	return sc_store_open(where, so, e);
}

/* A local file: copy it, list the directory, or print its size. */
static int
get_path(const struct sc_loc *l, const struct sc_get_opts *o, FILE *out,
    struct sc_err *e)
{
	struct sc_store *st;
	struct stat sb;
	char buf[65536];
	size_t n;
	FILE *fp;
	int rc = 0;

	if (o->list) {
		if ((st = sc_store_open(l->path, NULL, e)) == NULL)
			return -1;
		rc = sc_store_list(st, "", print_key, out, e);
		sc_store_free(st);
		return rc;
	}
	if (o->head) {
		if (stat(l->path, &sb) == -1)
			return sc_err_errno(e, SC_ENOINPUT, errno, "%s",
			    l->path);
		return print_size(out, l->path, (uint64_t)sb.st_size, e);
	}
	fp = strcmp(l->path, "-") == 0 ? stdin : fopen(l->path, "rb");
	if (fp == NULL)
		return sc_err_errno(e, SC_ENOINPUT, errno, "%s", l->path);
	while (rc == 0 && (n = fread(buf, 1, sizeof(buf), fp)) > 0)
		if (fwrite(buf, 1, n, out) != n)
			rc = sc_err_errno(e, SC_EIO, errno, "write");
	if (rc == 0 && ferror(fp))
		rc = sc_err_errno(e, SC_EIO, errno, "%s", l->path);
	if (fp != stdin)
		fclose(fp);
	return rc;
}

/* --range and --presign: an s3:// object, not a store key. */
static int
get_s3_direct(const struct sc_s3_opts *so, const struct sc_loc *l,
    const struct sc_get_opts *o, FILE *out, struct sc_err *e)
{
	struct sc_buf url = { 0 };
	struct sc_s3 *s3;
	int rc;

	if (l->kind != SC_LOC_S3)
		return sc_err_set(e, SC_EUSAGE, 0,
		    "--range and --presign want s3://bucket/key");
	if ((s3 = sc_s3_new(so, e)) == NULL)
		return -1;
	if (o->range != NULL)
		rc = sc_s3_get(s3, l->bucket, l->key, o->range, out, e);
	else
		rc = sc_s3_presign(s3, "GET", l->bucket, l->key, o->presign,
		    o->now, &url, e);
	if (rc == 0 && url.data != NULL && fprintf(out, "%s\n", url.data) < 0)
		rc = sc_err_errno(e, SC_EIO, errno, "write");
	sc_buf_free(&url);
	sc_s3_free(s3);
	return rc;
}

int
sc_get(const struct sc_config *cfg, const char *operand,
    const struct sc_get_opts *o, FILE *out, struct sc_err *e)
{
	struct sc_s3_opts so;
	struct sc_store *st = NULL;
	struct sc_loc l;
	const char *key;
	uint64_t size = 0;
	int rc;

	if (strcmp(operand, "-") == 0) { /* stdin */
		struct sc_loc in = { SC_LOC_PATH, NULL, NULL, (char *)"-" };

		return get_path(&in, o, out, e);
	}
	if (sc_loc_parse(operand, o->list, &l, e) == -1)
		return -1;
	sc_store_s3_opts(cfg, &so);
	so.max_keys = o->page_size;
	if (l.kind == SC_LOC_PATH)
		rc = get_path(&l, o, out, e);
	else if (o->range != NULL || o->presign > 0)
		rc = get_s3_direct(&so, &l, o, out, e);
	else if ((st = open_src(cfg, &l, &so, &key, e)) == NULL)
		rc = -1;
	else if (o->list)
		rc = sc_store_list(st, key, print_key, out, e);
	else if (o->head) {
		rc = sc_store_stat(st, key, &size, e);
		if (rc == 0)
			rc = print_size(out, operand, size, e);
	} else
		rc = sc_store_get(st, key, out, e);
	sc_store_free(st);
	sc_loc_free(&l);
	return rc;
}
