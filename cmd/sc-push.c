/* SPDX-License-Identifier: ISC */
/*
 * sc-push: send results where they are kept or watched.  With a DEST it
 * writes stdin to a store key, an s3:// object, a file:// URL or a path,
 * all or nothing (lib/put); --if-none-match creates only, the building
 * block of concurrency-safe model registration.  With --job it pushes
 * metrics to a Prometheus Pushgateway: sc-rmse's metrics JSON, a
 * predictions CSV or Prometheus text, validated before any request, one
 * group per job and ticker, then the job's success timestamp and run
 * duration (lib/prom, lib/pushgw).  models:/NAME registers stdin as a new
 * version of a model and prints its number; --alias points an alias at a
 * version, --delete removes one (lib/registry).  Which of these options
 * go together is decided here, before the configuration is loaded.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "sc_buf.h"
#include "sc_cli.h"
#include "sc_config.h"
#include "sc_http.h"
#include "sc_log.h"
#include "sc_num.h"
#include "sc_prom.h"
#include "sc_pushgw.h"
#include "sc_put.h"
#include "sc_registry.h"
#include "sc_store.h"

#define MAX_INPUT (16u << 20) /* bytes of metrics on stdin */
#define MAX_LABELS 16         /* --label options */

struct gw_args {
	const char *gateway; /* NULL: SC_PUSHGATEWAY_URL */
	const char *job;
	const char *labels[2 * MAX_LABELS + 1];
	int nlabels;
	int replace;
	int dry_run;
	int one_group;
	double duration;    /* < 0: not given */
	double started;     /* Unix time the run began; < 0: not given */
	const char *format; /* auto, json, csv, prom */
};

static void
usage(FILE *fp, int status)
{
	fprintf(fp,
	    "usage: sc-push [-hVv] [--if-match ETAG | --if-none-match] DEST "
	    "< data\n"
	    "       sc-push [-hVv] --delete DEST\n"
	    "       sc-push [-hVv] [--run-id ID] [--metrics FILE] "
	    "[--cv-rmse X] models:/NAME\n"
	    "       sc-push [-hVv] --alias ALIAS "
	    "models:/NAME/VERSION|/latest|@ALIAS\n"
	    "       sc-push [-hVv] --delete models:/NAME@ALIAS\n"
	    "       sc-push [-hnVv] [-g url] -j job [-l name=value]... "
	    "[--replace | --merge]\n"
	    "               [--one-group] [-d seconds | -s unixtime] "
	    "[-f format] < metrics\n");
	if (fp == stdout)
		fputs("\nDEST: a store key (under SC_STORE, default ./store), "
		      "s3://BUCKET/KEY, file://PATH\n"
		      "or a path.  With -j/--job, stdin's metrics go to the "
		      "Pushgateway at --gateway\n"
		      "or SC_PUSHGATEWAY_URL; -n prints them instead.\n"
		      "\nOptions (sc-push(1)):\n"
		      "  --if-none-match         create DEST only; 73 when it "
		      "exists\n"
		      "  --if-match ETAG         replace DEST only while its "
		      "ETag is ETAG (S3)\n"
		      "  --delete                delete DEST, or an alias "
		      "(models:/NAME@ALIAS)\n"
		      "  --run-id ID             lineage of a registration: "
		      "the run it came from\n"
		      "  --metrics FILE          ... the run's test metrics "
		      "(sc-rmse's JSON)\n"
		      "  --cv-rmse X             ... and its CV RMSE\n"
		      "  --alias ALIAS           point ALIAS at the version "
		      "named\n"
		      "  -j, --job JOB           push stdin's metrics to the "
		      "Pushgateway as JOB\n"
		      "  -g, --gateway URL       the Pushgateway (default "
		      "SC_PUSHGATEWAY_URL)\n"
		      "  -l, --label NAME=VALUE  one more grouping label "
		      "(repeatable)\n"
		      "  --replace, --merge      PUT each group (the default) "
		      "or POST (merge)\n"
		      "  --one-group             one group per job, not one "
		      "per ticker\n"
		      "  -d, --duration SECONDS  the run's duration\n"
		      "  -s, --started UNIXTIME  the run's start (the duration "
		      "is computed)\n"
		      "  -f, --format FORMAT     auto (default), json, csv or "
		      "prom\n"
		      "  -n, --dry-run           print the metrics instead of "
		      "pushing them\n"
		      "  -v, --verbose           more messages on stderr\n"
		      "  -h, --help              this help\n"
		      "  -V, --version           print the version\n",
		    fp);
	if (fp == stdout)
		sc_cli_flush_stdout();
	exit(status);
}

static void
bad_usage(const char *fmt, const char *arg)
{
	warnx(fmt, arg);
	usage(stderr, EX_USAGE);
}

static double
now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)(ts.tv_nsec / 1000000) / 1000;
}

/* The --format name as an input kind; -1 for "auto", -2 when unknown. */
static int
input_format(const char *name)
{
	if (strcmp(name, "auto") == 0)
		return -1;
	if (strcmp(name, "json") == 0)
		return SC_PROM_IN_JSON;
	if (strcmp(name, "csv") == 0)
		return SC_PROM_IN_CSV;
	if (strcmp(name, "prom") == 0)
		return SC_PROM_IN_TEXT;
	return -2;
}

/*
 * Read, convert and validate stdin, then add the success metrics (the run
 * succeeded when its output, our input, was complete); exits on bad input.
 */
static struct sc_prom *
read_metrics(const struct gw_args *a)
{
	struct sc_buf in = { .limit = MAX_INPUT };
	struct sc_prom *p;
	struct sc_err e = { 0 };
	int fmt = input_format(a->format);
	double now, duration = a->duration;

	if (fmt == -2)
		bad_usage("--format %s: want auto, json, csv or prom",
		    a->format);
	if (sc_buf_read(&in, stdin, "stdin", &e) == -1)
		sc_cli_fail(&e, NULL); /* the message names stdin */
	if (fmt == -1)
		fmt = (int)sc_prom_detect(in.data ? in.data : "", in.len);
	now = now_seconds();
	if (a->started >= 0)
		duration = now > a->started
		    ? round((now - a->started) * 1000) / 1000
		    : 0;
	if ((p = sc_prom_create(&e)) == NULL ||
	    sc_prom_load(p, in.data ? in.data : "", in.len,
	        (enum sc_prom_input)fmt, &e) == -1 ||
	    sc_pushgw_success(p, now, duration, &e) == -1) {
		sc_buf_free(&in);
		sc_prom_free(p);
		sc_cli_fail(&e, "stdin");
	}
	sc_buf_free(&in);
	return p;
}

/*
 * Push stdin's metrics to the gateway, or print them with --dry-run.
 * Returns the exit status.
 */
static int
push_gateway(const struct gw_args *a, const struct sc_config *cfg)
{
	struct sc_pushgw_opts o = { 0 };
	struct sc_retry r = { 0 };
	struct sc_http_opts ho = { 0 };
	struct sc_http *h = NULL;
	struct sc_buf text = { 0 };
	struct sc_prom *p;
	struct sc_err e = { 0 };
	int n, status = EX_OK;

	o.url = a->gateway != NULL ? a->gateway : cfg->pushgateway_url;
	o.job = a->job;
	o.labels = a->labels;
	o.replace = a->replace;
	o.dry_run = a->dry_run;
	o.one_group = a->one_group;
	if (o.url == NULL && !a->dry_run)
		bad_usage("%s",
		    "no gateway: give --gateway or set "
		    "SC_PUSHGATEWAY_URL");
	if (o.url == NULL)
		o.url = "http://localhost:9091";
	if (sc_pushgw_check(&o, &e) == -1)
		bad_usage("%s", e.msg);
	p = read_metrics(a);
	if (a->dry_run) {
		if (sc_prom_write(p, &text, NULL, NULL, NULL, &e) == -1 ||
		    sc_pushgw_push(NULL, NULL, &o, p, &e) == -1)
			status = sc_cli_report(&e, NULL);
		else
			fwrite(text.data, 1, text.len, stdout);
		goto out;
	}
	ho.timeout = cfg->http_timeout;
	ho.connect_timeout = cfg->http_connect_timeout;
	r.max = cfg->retry_max;
	r.base = cfg->retry_base;
	r.cap = cfg->retry_cap;
	r.state = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	if ((h = sc_http_new(&ho, &e)) == NULL ||
	    (n = sc_pushgw_push(h, &r, &o, p, &e)) == -1)
		status = sc_cli_report(&e, NULL);
	else
		sc_log(SC_LOG_INFO, "pushed %d groups for job %s", n, o.job);
out:
	sc_buf_free(&text);
	sc_http_free(h);
	sc_prom_free(p);
	return status;
}

/* Write stdin to dest, or delete it; returns the exit status. */
static int
push_store(const struct sc_config *cfg, const char *dest, enum sc_put_mode mode,
    const char *etag)
{
	struct sc_err e = { 0 };

	if (sc_put(cfg, dest, stdin, mode, etag, &e) != 0)
		return sc_cli_report(&e, NULL);
	return EX_OK;
}

/*
 * A DEST that is one of the registry's own keys (models/NAME/3/model.json
 * as a store key, or as s3:// under SC_STORE): writing, replacing or
 * deleting it by hand makes a version without lineage or an alias the
 * index does not know, so it is refused (64), except --if-none-match,
 * which can never replace what exists and only gets a warning.
 */
static void
check_registry_key(const struct sc_config *cfg, const char *dest,
    enum sc_put_mode mode)
{
	char name[SC_REGISTRY_MAX_NAME + 1];
	const char *key = NULL;
	size_t n = strlen(cfg->store);
	struct sc_loc l;

	if (strncmp(dest, "s3://", 5) == 0) {
		if (strncmp(cfg->store, "s3://", 5) == 0 &&
		    strncmp(dest, cfg->store, n) == 0 && dest[n] == '/')
			key = dest + n + 1;
	} else if (sc_loc_parse(dest, 0, &l, NULL) == 0) {
		if (l.kind == SC_LOC_KEY)
			key = dest;
		sc_loc_free(&l);
	}
	if (key == NULL || !sc_registry_key_owned(key, name, sizeof(name)))
		return;
	if (mode == SC_PUT_CREATE) {
		fprintf(stderr,
		    "sc-push: warning: %s is a key of the model registry: "
		    "created without lineage; sc-push models:/%s registers "
		    "a version with its lineage and index\n",
		    dest, name);
		return;
	}
	fprintf(stderr,
	    "sc-push: %s is a key of the model registry: register with "
	    "\"sc-push models:/%s < model.json\" (the version gets its "
	    "lineage and the index), move an alias with \"--alias ALIAS "
	    "models:/%s/VERSION\", remove one with \"--delete "
	    "models:/%s@ALIAS\"\n",
	    dest, name, name, name);
	exit(EX_USAGE);
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
	else if (ch == 'I')
		m->reg.run_id = arg;
	else if (ch == 'T')
		m->reg.metrics = arg;
	else if (sc_num_parse_range(arg, 0, HUGE_VAL, &m->reg.cv_rmse) == -1)
		bad_usage("--cv-rmse %s: want a number >= 0", arg);
}

/*
 * The rules of a models:/ URI, checked before the configuration is loaded:
 * a registration names models:/NAME and may carry its lineage (--run-id,
 * --metrics, --cv-rmse); --alias points at a version, --delete removes an
 * alias, and these two exclude each other and the lineage.  Parses uri
 * into *r; a broken rule exits 64.
 */
static void
check_model_usage(const char *uri, const struct model_opts *m, int del,
    struct sc_model_ref *r)
{
	struct sc_err e = { 0 };

	if (sc_registry_parse(uri, r, &e) == -1)
		sc_cli_fail(&e, NULL);
	if ((del || m->alias != NULL) &&
	    ((del && m->alias != NULL) || m->reg.run_id != NULL ||
	        m->reg.metrics != NULL || isfinite(m->reg.cv_rmse)))
		errx(EX_USAGE,
		    "%s: --run-id, --metrics and --cv-rmse are for a "
		    "registration, --alias and --delete exclude each other",
		    uri);
	if (del && r->kind != SC_MREF_ALIAS)
		errx(EX_USAGE,
		    "%s: --delete removes an alias (models:/NAME@ALIAS); "
		    "versions are never deleted",
		    uri);
	if (m->alias != NULL && r->kind == SC_MREF_INDEX)
		errx(EX_USAGE,
		    "%s: --alias wants a version: models:/NAME/VERSION, "
		    "/latest or @ALIAS",
		    uri);
	if (!del && m->alias == NULL && r->kind != SC_MREF_INDEX)
		errx(EX_USAGE,
		    "%s: register with models:/%s (the version is chosen), "
		    "or give --alias",
		    uri, r->name);
}

/*
 * Register stdin as a version of r's model and print its number, or point
 * --alias at r's version, or delete r's alias.  Returns the exit status.
 */
static int
push_model(const struct sc_config *cfg, const struct sc_model_ref *r,
    struct model_opts *m, int del)
{
	struct sc_registry_result res;
	struct sc_err e = { 0 };
	struct sc_store *st;
	int rc;

	m->reg.now = time(NULL);
	m->reg.input = "stdin";
	m->reg.validate = 1;
	if ((st = sc_registry_open(cfg, &e)) == NULL)
		return sc_cli_report(&e, NULL);
	if (del)
		rc = sc_registry_delete(st, r->name, r->alias, &res, &e);
	else if (m->alias != NULL)
		rc = sc_registry_alias(st, r->name, m->alias, r, &res, &e);
	else if ((rc = sc_registry_register(st, r->name, stdin, &m->reg, &res,
	              &e)) == 0 &&
	    printf("%ld\n", res.version) < 0)
		rc = sc_err_errno(&e, SC_EIO, errno, "write");
	sc_store_free(st);
	return rc == -1 ? sc_cli_report(&e, NULL) : EX_OK;
}

static void
add_label(struct gw_args *a, char *arg)
{
	char *eq = strchr(arg, '=');

	if (eq == NULL || eq == arg)
		bad_usage("--label %s: want name=value", arg);
	if (a->nlabels == MAX_LABELS)
		bad_usage("--label %s: too many labels", arg);
	*eq = '\0';
	a->labels[2 * a->nlabels] = arg;
	a->labels[2 * a->nlabels + 1] = eq + 1;
	a->nlabels++;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "alias", required_argument, NULL, 'A' },
		{ "cv-rmse", required_argument, NULL, 'C' },
		{ "metrics", required_argument, NULL, 'T' },
		{ "run-id", required_argument, NULL, 'I' },
		{ "delete", no_argument, NULL, 'D' },
		{ "if-match", required_argument, NULL, 'E' },
		{ "if-none-match", no_argument, NULL, 'N' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "duration", required_argument, NULL, 'd' },
		{ "format", required_argument, NULL, 'f' },
		{ "gateway", required_argument, NULL, 'g' },
		{ "help", no_argument, NULL, 'h' },
		{ "job", required_argument, NULL, 'j' },
		{ "label", required_argument, NULL, 'l' },
		{ "merge", no_argument, NULL, 'M' },
		{ "one-group", no_argument, NULL, 'O' },
		{ "replace", no_argument, NULL, 'R' },
		{ "started", required_argument, NULL, 's' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct gw_args a = { .replace = 1,
		.duration = -1,
		.started = -1,
		.format = "auto" };
	struct sc_config cfg = { 0 };
	struct sc_err e = { 0 };
	struct model_opts model = { NULL, { NULL, NULL, NAN, 0, NULL, 0 }, 0 };
	struct sc_model_ref ref;
	enum sc_put_mode mode = SC_PUT_REPLACE;
	const char *etag = NULL;
	int ch, status, nmodes = 0, gateway_opts = 0, is_model;

	sc_cli_init();
	while ((ch = getopt_long(argc, argv, "d:f:g:hj:l:ns:Vv", longopts,
	            NULL)) != -1)
		switch (ch) {
		case 'A':
		case 'C':
		case 'I':
		case 'T':
			model_option(ch, optarg, &model);
			break;
		case 'D':
			mode = SC_PUT_DELETE;
			nmodes++;
			break;
		case 'E':
			if (*optarg == '\0' || strlen(optarg) > 80 ||
			    strchr(optarg, '"') != NULL)
				bad_usage("--if-match %s: want an ETag without "
				          "quotes",
				    optarg);
			mode = SC_PUT_IF_MATCH;
			etag = optarg;
			nmodes++;
			break;
		case 'N':
			mode = SC_PUT_CREATE;
			nmodes++;
			break;
		case 'd':
			if (sc_num_parse_range(optarg, 0, 1e9, &a.duration) ==
			    -1)
				bad_usage("--duration %s: want seconds >= 0",
				    optarg);
			break;
		case 'f':
			a.format = optarg;
			break;
		case 'g':
			a.gateway = optarg;
			break;
		case 'h':
			usage(stdout, EX_OK);
			break;
		case 'j':
			a.job = optarg;
			break;
		case 'l':
			add_label(&a, optarg);
			break;
		case 'M':
			a.replace = 0;
			break;
		case 'n':
			a.dry_run = 1;
			break;
		case 'O':
			a.one_group = 1;
			break;
		case 'R':
			a.replace = 1;
			break;
		case 's':
			if (sc_num_parse_range(optarg, 0, 1e11, &a.started) ==
			    -1)
				bad_usage("--started %s: want a Unix time",
				    optarg);
			break;
		case 'V':
			sc_cli_version();
		case 'v':
			sc_cli_verbose();
			break;
		default:
			usage(stderr, EX_USAGE);
		}
	gateway_opts = a.job != NULL || a.gateway != NULL || a.dry_run ||
	    a.nlabels > 0 || a.one_group || a.duration >= 0 || a.started >= 0 ||
	    strcmp(a.format, "auto") != 0;
	if (nmodes > 1)
		bad_usage("%s",
		    "--delete, --if-match and --if-none-match "
		    "exclude each other");
	if (gateway_opts && optind != argc)
		bad_usage("unexpected operand %s: metrics go to the gateway",
		    argv[optind]);
	if (gateway_opts && nmodes > 0)
		bad_usage("%s",
		    "--delete, --if-match and --if-none-match are "
		    "for a DEST, not the gateway");
	if (gateway_opts && a.job == NULL)
		bad_usage("%s", "--job is required");
	if (!gateway_opts && argc - optind != 1)
		bad_usage("%s", "want one DEST, or --job for the gateway");
	if (!gateway_opts &&
	    (sc_registry_is_uri(argv[optind])
	            ? mode == SC_PUT_CREATE || mode == SC_PUT_IF_MATCH
	            : model.any))
		bad_usage("%s",
		    "--alias, --run-id, --metrics and --cv-rmse "
		    "are for models:/ URIs, --if-match and "
		    "--if-none-match are not");
	if (gateway_opts && model.any)
		bad_usage("%s",
		    "--alias, --run-id, --metrics and --cv-rmse "
		    "are for models:/ URIs");
	is_model = !gateway_opts && sc_registry_is_uri(argv[optind]);
	if (is_model)
		check_model_usage(argv[optind], &model, mode == SC_PUT_DELETE,
		    &ref);
	if (sc_config_load(&cfg, &e) == -1)
		sc_cli_fail(&e, NULL);
	if (!gateway_opts && !is_model)
		check_registry_key(&cfg, argv[optind], mode);
	if (is_model)
		status = push_model(&cfg, &ref, &model, mode == SC_PUT_DELETE);
	else
		status = gateway_opts
		    ? push_gateway(&a, &cfg)
		    : push_store(&cfg, argv[optind], mode, etag);
	sc_config_free(&cfg);
	if (status == EX_OK)
		sc_cli_flush_stdout();
	return status;
}
