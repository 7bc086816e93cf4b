/* SPDX-License-Identifier: ISC */
/*
 * sc-fetch (store part): copy a store key, an s3:// object, a file:// URL
 * or a path to standard output, list the keys under a prefix, or print a
 * presigned URL.  Everything store-backed is in fetch_store(), so the
 * market-data sc-fetch can take it over unchanged.
 */
#include <sys/stat.h>

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "sc_cli.h"
#include "sc_config.h"
#include "sc_num.h"
#include "sc_store.h"

struct fetch_opts {
	int list;          /* list keys under the operand */
	int head;          /* print the operand and its size instead */
	const char *range; /* "bytes=A-B" of an s3:// object, or NULL */
	long presign;      /* > 0: print a presigned GET URL valid this long */
	int page_size;     /* ListObjectsV2 max-keys; 0: 1000 */
};

static void
usage(FILE *fp, int status)
{
	fprintf(fp,
	    "usage: sc-fetch [-hVv] [--head] [--presign SECONDS] [--range A-B] "
	    "SOURCE\n"
	    "       sc-fetch [-hVv] [--page-size N] -l PREFIX\n");
	if (fp == stdout)
		sc_cli_flush_stdout();
	exit(status);
}

static int
print_key(const char *key, uint64_t size, void *arg)
{
	(void)size;
	(void)arg;
	return puts(key) == EOF ? -1 : 0;
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

static int
print_size(FILE *out, const char *operand, uint64_t size, struct sc_err *e)
{
	if (fprintf(out, "%s\t%llu\n", operand, (unsigned long long)size) < 0)
		return sc_err_errno(e, SC_EIO, errno, "stdout");
	return 0;
}

/* A local file: copy it, list the directory, or print its size. */
static int
fetch_path(const struct sc_loc *l, const struct fetch_opts *fo, FILE *out,
    struct sc_err *e)
{
	struct sc_store *st;
	struct stat sb;
	FILE *fp;
	char buf[65536];
	size_t n;
	int rc = 0;

	if (fo->list) {
		if ((st = sc_store_open(l->path, NULL, e)) == NULL)
			return -1;
		rc = sc_store_list(st, "", print_key, NULL, e);
		sc_store_free(st);
		return rc;
	}
	if (fo->head) {
		if (stat(l->path, &sb) == -1)
			return sc_err_errno(e, SC_ENOINPUT, errno, "%s",
			    l->path);
		return print_size(out, l->path, (uint64_t)sb.st_size, e);
	}
	if ((fp = fopen(l->path, "rb")) == NULL)
		return sc_err_errno(e, SC_ENOINPUT, errno, "%s", l->path);
	while (rc == 0 && (n = fread(buf, 1, sizeof(buf), fp)) > 0)
		if (fwrite(buf, 1, n, out) != n)
			rc = sc_err_errno(e, SC_EIO, errno, "stdout");
	if (rc == 0 && ferror(fp))
		rc = sc_err_errno(e, SC_EIO, errno, "%s", l->path);
	fclose(fp);
	return rc;
}

/* --range and --presign: an s3:// object, not a store key. */
static int
fetch_s3_direct(const struct sc_s3_opts *so, const struct sc_loc *l,
    const struct fetch_opts *fo, FILE *out, struct sc_err *e)
{
	struct sc_buf url = { 0 };
	struct sc_s3 *s3;
	int rc;

	if (l->kind != SC_LOC_S3)
		return sc_err_set(e, SC_EUSAGE, 0,
		    "--range and --presign want s3://bucket/key");
	if ((s3 = sc_s3_new(so, e)) == NULL)
		return -1;
	if (fo->range != NULL)
		rc = sc_s3_get(s3, l->bucket, l->key, fo->range, out, e);
	else
		rc = sc_s3_presign(s3, "GET", l->bucket, l->key, fo->presign,
		    time(NULL), &url, e);
	if (rc == 0 && url.data != NULL && fprintf(out, "%s\n", url.data) < 0)
		rc = sc_err_errno(e, SC_EIO, errno, "stdout");
	sc_buf_free(&url);
	sc_s3_free(s3);
	return rc;
}

/*
 * Copy a store-backed operand (store key, s3://, file://, path) to out, or
 * list the keys under it, print its size, a byte range or a presigned URL,
 * as fo says.  Returns 0 or -1 with *e set; SC_EUSAGE for an operand that
 * is not store-backed.
 */
static int
fetch_store(const struct sc_config *cfg, const char *operand,
    const struct fetch_opts *fo, FILE *out, struct sc_err *e)
{
	struct sc_s3_opts so;
	struct sc_store *st = NULL;
	struct sc_loc l;
	const char *key;
	uint64_t size = 0;
	int rc;

	if (sc_loc_parse(operand, fo->list, &l, e) == -1)
		return -1;
	sc_store_s3_opts(cfg, &so);
	so.max_keys = fo->page_size;
	if (l.kind == SC_LOC_PATH)
		rc = fetch_path(&l, fo, out, e);
	else if (fo->range != NULL || fo->presign > 0)
		rc = fetch_s3_direct(&so, &l, fo, out, e);
	else if ((st = open_src(cfg, &l, &so, &key, e)) == NULL)
		rc = -1;
	else if (fo->list)
		rc = sc_store_list(st, key, print_key, NULL, e);
	else if (fo->head) {
		rc = sc_store_stat(st, key, &size, e);
		if (rc == 0)
			rc = print_size(out, operand, size, e);
	} else
		rc = sc_store_get(st, key, out, e);
	sc_store_free(st);
	sc_loc_free(&l);
	return rc;
}

/* Options with values: a range and a presign lifetime, checked. */
static void
parse_value(int ch, const char *arg, struct fetch_opts *fo, char *range,
    size_t size)
{
	double v;

	if (ch == 'R') {
		if (strspn(arg, "0123456789-") != strlen(arg) ||
		    strchr(arg, '-') == NULL || arg[0] == '-' ||
		    strlen(arg) > 40) {
			fprintf(stderr,
			    "sc-fetch: --range %s: want FIRST-[LAST]\n", arg);
			usage(stderr, EX_USAGE);
		}
		snprintf(range, size, "bytes=%s", arg);
		fo->range = range;
	} else if (ch == 'P') {
		if (sc_num_parse_range(arg, 1, 1000, &v) == -1 || v != (int)v) {
			fprintf(stderr,
			    "sc-fetch: --page-size %s: want 1 to 1000\n", arg);
			usage(stderr, EX_USAGE);
		}
		fo->page_size = (int)v;
	} else {
		if (sc_num_parse_range(arg, 1, 604800, &v) == -1 ||
		    v != (long)v) {
			fprintf(stderr,
			    "sc-fetch: --presign %s: want 1 to 604800 "
			    "seconds\n",
			    arg);
			usage(stderr, EX_USAGE);
		}
		fo->presign = (long)v;
	}
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "head", no_argument, NULL, 'H' },
		{ "help", no_argument, NULL, 'h' },
		{ "list", no_argument, NULL, 'l' },
		{ "page-size", required_argument, NULL, 'P' },
		{ "presign", required_argument, NULL, 'S' },
		{ "range", required_argument, NULL, 'R' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct fetch_opts fo = { 0 };
	char range[64];
	struct sc_config cfg;
	struct sc_err e = { 0 };
	int ch, status = EX_OK;

	sc_cli_init();
	while ((ch = getopt_long(argc, argv, "hlvV", longopts, NULL)) != -1)
		switch (ch) {
		case 'h':
			usage(stdout, EX_OK);
			break;
		case 'H':
			fo.head = 1;
			break;
		case 'l':
			fo.list = 1;
			break;
		case 'P':
		case 'R':
		case 'S':
			parse_value(ch, optarg, &fo, range, sizeof(range));
			break;
		case 'v':
			sc_cli_verbose();
			break;
		case 'V':
			sc_cli_version();
			break;
		default:
			usage(stderr, EX_USAGE);
		}
	if (argc - optind != 1) {
		fprintf(stderr, "sc-fetch: want one SOURCE\n");
		usage(stderr, EX_USAGE);
	}
	if (sc_config_load(&cfg, &e) == -1)
		sc_cli_fail(&e, NULL);
	if (fetch_store(&cfg, argv[optind], &fo, stdout, &e) == -1)
		status = sc_cli_report(&e, NULL);
	sc_config_free(&cfg);
	if (status == EX_OK)
		sc_cli_flush_stdout();
	return status;
}
