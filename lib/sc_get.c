/* SPDX-License-Identifier: ISC */
/*
 * Store-backed reads.  The operand is parsed once (sc_loc_parse) into a
 * store key, an S3 object or a local path; keys go through lib/store so
 * local and S3 stores behave alike, while ranges and presigned URLs are S3
 * features and go to lib/s3 directly.  A plain http(s) URL is a download
 * with the retries of market data (sc_get_http).
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sc_buf.h"
#include "sc_get.h"
#include "sc_http.h"
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

static int
status_error(long status, const char *url, struct sc_err *e)
{
	enum sc_errcode code = SC_EPROTO;

	if (status == 404 || status == 410)
		code = SC_ENOINPUT;
	else if (status == 401 || status == 403)
		code = SC_ENOPERM;
	else if (status == 429)
		code = SC_ETEMP;
	else if (status >= 500)
		code = SC_EUNAVAIL;
	return sc_err_set(e, code, 0, "%.200s: HTTP %ld", url, status);
}

static int
copy_stage(FILE *tmp, FILE *out, struct sc_err *e)
{
	char buf[65536];
	size_t n;

	rewind(tmp);
	while ((n = fread(buf, 1, sizeof(buf), tmp)) > 0)
		if (fwrite(buf, 1, n, out) != n)
			return sc_err_set(e, SC_EIO, 0, "write error");
	return ferror(tmp) ? sc_err_set(e, SC_EIO, 0, "temporary file") : 0;
}

int
sc_get_http(const struct sc_config *cfg, const char *url, FILE *out,
    void (*sleep)(double), struct sc_err *e)
{
	/* No Accept-Encoding: the bytes as the server keeps them. */
	struct sc_http_opts ho = { cfg->http_timeout, cfg->http_connect_timeout,
		NULL, 0, 0, 1 };
	struct sc_retry rt = { cfg->retry_max > 0 ? cfg->retry_max : 1,
		cfg->retry_base, cfg->retry_cap, 0, (uint64_t)time(NULL), 0,
		sleep };
	struct sc_http_req req = { 0 };
	struct sc_http_resp resp = { 0 };
	struct sc_http *h;
	FILE *tmp;
	int attempt, rc = -1;

	if ((tmp = tmpfile()) == NULL)
		return sc_err_errno(e, SC_EIO, errno, "temporary file");
	if ((h = sc_http_new(&ho, e)) == NULL) {
		fclose(tmp);
		return -1;
	}
	req.url = url;
	req.out_fp = tmp;
	req.follow = 1;
	for (attempt = 1;; attempt++) {
		rewind(tmp);
		if (ftruncate(fileno(tmp), 0) == -1) {
			sc_err_errno(e, SC_EIO, errno, "temporary file");
			break;
		}
		if (sc_http_do(h, &req, &resp, e) == 0 && resp.status >= 200 &&
		    resp.status < 300) {
			rc = fflush(tmp) == EOF
			    ? sc_err_errno(e, SC_EIO, errno, "temporary file")
			    : copy_stage(tmp, out, e);
			break;
		}
		if (resp.status != 0)
			status_error(resp.status, url, e);
		if (e->code != SC_ETEMP && e->code != SC_EUNAVAIL)
			break;
		if (!sc_retry_wait(&rt, attempt, sc_http_retry_after(&resp)))
			break;
	}
	sc_http_resp_free(&resp);
	sc_http_free(h);
	fclose(tmp);
	return rc;
}
