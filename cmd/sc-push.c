/* SPDX-License-Identifier: ISC */
/*
 * sc-push: write standard input to a store key, an s3:// object, a
 * file:// URL or a path, all or nothing: a failed upload leaves nothing
 * half-written under the name.  --if-none-match creates only (S3
 * If-None-Match: *, a local link(2)), the building block of
 * concurrency-safe model registration.  models:/NAME registers standard
 * input as a new version of a model and prints its number; --alias points
 * an alias at a version (lib/registry).  (Pushing metrics to a Pushgateway
 * lives in the monitoring part of sc-push.)
 */
#include <getopt.h>
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "sc_cli.h"
#include "sc_config.h"
#include "sc_num.h"
#include "sc_registry.h"
#include "sc_store.h"

static void
usage(FILE *fp, int status)
{
	fprintf(fp,
	    "usage: sc-push [-hVv] [--if-match ETAG | --if-none-match] DEST\n"
	    "       sc-push [-hVv] --delete DEST\n"
	    "       sc-push [-hVv] [--run-id ID] [--metrics FILE] "
	    "[--cv-rmse X] models:/NAME\n"
	    "       sc-push [-hVv] --alias ALIAS "
	    "models:/NAME/VERSION|/latest|@ALIAS\n"
	    "       sc-push [-hVv] --delete models:/NAME@ALIAS\n");
	if (fp == stdout)
		sc_cli_flush_stdout();
	exit(status);
}

/* Open the store DEST lives in and set *key to DEST's key in it. */
static struct sc_store *
open_dest(const struct sc_config *cfg, const struct sc_loc *l,
    const struct sc_s3_opts *so, char **key, struct sc_err *e)
{
	char *copy, *dir, where[300];
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
		if ((copy = strdup(l->path)) == NULL)
			return NULL;
		*key = strdup(basename(copy));
		strcpy(copy, l->path);
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

/*
 * Write stdin to dest (or delete it).  Returns 0, -1 or SC_STORE_EXISTS,
 * with *e set on failure.
 */
static int
push(const struct sc_config *cfg, const char *dest, int flags, int del,
    const char *etag, struct sc_err *e)
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
	if ((st = open_dest(cfg, &l, &so, &key, e)) == NULL)
		goto out;
	if (key == NULL) {
		sc_err_set(e, SC_EOS, 0, "out of memory");
		goto out;
	}
	if (del)
		rc = sc_store_delete(st, key, e);
	else if (etag != NULL)
		rc = sc_store_put_if_match(st, key, stdin, etag, e);
	else
		rc = sc_store_put(st, key, stdin, flags, e);
out:
	if (rc == -1 && e->code == SC_EIO && strstr(e->msg, dest) == NULL)
		sc_err_prefix(e, "%s", dest);
	free(key);
	sc_store_free(st);
	sc_loc_free(&l);
	return rc;
}

/* Registry options: --alias, --run-id, --metrics, --cv-rmse. */
struct model_opts {
	const char *alias;
	struct sc_registry_opts reg;
	int any; /* one of them was given */
};

static void
model_option(int ch, const char *arg, struct model_opts *m)
{
	m->any = 1;
	if (ch == 'A')
		m->alias = arg;
	else if (ch == 'R')
		m->reg.run_id = arg;
	else if (ch == 'm')
		m->reg.metrics = arg;
	else if (sc_num_parse_range(arg, 0, HUGE_VAL, &m->reg.cv_rmse) == -1) {
		fprintf(stderr, "sc-push: --cv-rmse %s: want a number >= 0\n",
		    arg);
		usage(stderr, EX_USAGE);
	}
}

/* Register stdin as a version of models:/NAME, or set or delete an alias. */
static int
push_model(const struct sc_config *cfg, const char *uri, struct model_opts *m,
    int del)
{
	struct sc_registry_result res;
	struct sc_err e = { 0 };

	m->reg.now = time(NULL);
	m->reg.input = "stdin";
	if (sc_registry_push_uri(cfg, uri, m->alias, del, &m->reg, stdin,
	        stdout, &res, &e) == -1)
		return sc_cli_report(&e, NULL);
	return EX_OK;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "alias", required_argument, NULL, 'A' },
		{ "cv-rmse", required_argument, NULL, 'C' },
		{ "delete", no_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ "if-match", required_argument, NULL, 'M' },
		{ "if-none-match", no_argument, NULL, 'N' },
		{ "metrics", required_argument, NULL, 'm' },
		{ "run-id", required_argument, NULL, 'R' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct model_opts model = { NULL, { NULL, NULL, NAN, 0, NULL }, 0 };
	struct sc_config cfg;
	struct sc_err e = { 0 };
	const char *etag = NULL;
	int ch, flags = 0, del = 0, status = EX_OK;

	sc_cli_init();
	while ((ch = getopt_long(argc, argv, "hvV", longopts, NULL)) != -1)
		switch (ch) {
		case 'h':
			usage(stdout, EX_OK);
			break;
		case 'A':
		case 'C':
		case 'm':
		case 'R':
			model_option(ch, optarg, &model);
			break;
		case 'D':
			del = 1;
			break;
		case 'M':
			if (*optarg == '\0' || strlen(optarg) > 80 ||
			    strchr(optarg, '"') != NULL) {
				fprintf(stderr,
				    "sc-push: --if-match %s: want an ETag "
				    "without quotes\n",
				    optarg);
				usage(stderr, EX_USAGE);
			}
			etag = optarg;
			break;
		case 'N':
			flags |= SC_STORE_EXCL;
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
	if (del + (flags != 0) + (etag != NULL) > 1) {
		fprintf(stderr,
		    "sc-push: --delete, --if-match and --if-none-match "
		    "exclude each other\n");
		usage(stderr, EX_USAGE);
	}
	if (argc - optind != 1) {
		fprintf(stderr, "sc-push: want one DEST\n");
		usage(stderr, EX_USAGE);
	}
	if (sc_registry_is_uri(argv[optind]) ? flags != 0 || etag != NULL
	                                     : model.any) {
		fprintf(stderr,
		    "sc-push: --alias, --run-id, --metrics and --cv-rmse are "
		    "for models:/ URIs, --if-match and --if-none-match are "
		    "not\n");
		usage(stderr, EX_USAGE);
	}
	if (sc_config_load(&cfg, &e) == -1)
		sc_cli_fail(&e, NULL);
	if (sc_registry_is_uri(argv[optind]))
		status = push_model(&cfg, argv[optind], &model, del);
	else if (push(&cfg, argv[optind], flags, del, etag, &e) != 0)
		status = sc_cli_report(&e, NULL);
	sc_config_free(&cfg);
	if (status == EX_OK)
		sc_cli_flush_stdout();
	return status;
}
