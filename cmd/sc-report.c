/* SPDX-License-Identifier: ISC */
/*
 * sc-report: the daily report page.  Reads the store (a directory or
 * s3://bucket/prefix: SC_STORE, or the operand) and writes one static,
 * self-contained HTML file: today's forecasts, forecast against actual,
 * metrics over time, the runs and the latest search, the registry, drift
 * and the champion's importances.  What MLflow's UI and a Grafana panel
 * gave the old system's users, as a file any browser (or an S3 static
 * website) serves, with no server behind it.
 */
#include <sys/stat.h>

#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "sc_cli.h"
#include "sc_config.h"
#include "sc_io.h"
#include "sc_log.h"
#include "sc_report.h"
#include "sc_store.h"

static void
usage(FILE *fp, int status)
{
	fputs("usage: sc-report [-hVv] [-d date] [-m model] [-n runs] "
	      "[-o report.html] [store]\n",
	    fp);
	if (fp == stdout)
		fputs("\nWrites one self-contained HTML page from the store "
		      "(SC_STORE, or the\n"
		      "operand: a directory or s3://bucket/prefix): "
		      "forecasts, forecast against\n"
		      "actual, metrics over time, runs, the latest search, "
		      "the registry, drift and\n"
		      "the champion's feature importances.\n\n"
		      "  -d, --date DATE    the report's day (YYYY-MM-DD); "
		      "newer objects are ignored\n"
		      "  -m, --model NAME   the registered model (stockcast)\n"
		      "  -n, --runs N       newest runs in the runs table, "
		      "1..10000 (50)\n"
		      "  -o, --output FILE  write to FILE (atomically) "
		      "instead of stdout\n"
		      "  -v, --verbose      say what was written, and retries\n"
		      "  -h, --help         this help\n"
		      "  -V, --version      print the version\n",
		    fp);
	if (fp == stdout)
		sc_cli_flush_stdout();
	exit(status);
}

/* A registry name as sc-push accepts it: [A-Za-z0-9][A-Za-z0-9_.-]*. */
static int
good_name(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n <= 64 && strchr("_.-", s[0]) == NULL &&
	    strspn(s,
	        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	        "0123456789_.-") == n;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "date", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ "model", required_argument, NULL, 'm' },
		{ "runs", required_argument, NULL, 'n' },
		{ "output", required_argument, NULL, 'o' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct sc_report_opts o = { NULL, "stockcast", NULL, 50 };
	struct sc_config cfg = { 0 };
	struct sc_err e = { 0 };
	struct sc_s3_opts so;
	struct sc_store *st;
	struct sc_out *out;
	struct stat sb;
	const char *output = "-";
	int ch;

	sc_cli_init();
	while (
	    (ch = getopt_long(argc, argv, "d:hm:n:o:vV", longopts, NULL)) != -1)
		switch (ch) {
		case 'd':
			o.date = optarg;
			break;
		case 'h':
			usage(stdout, EX_OK);
			break;
		case 'm':
			if (!good_name(optarg))
				sc_cli_bad_value("model",
				    "want [A-Za-z0-9][A-Za-z0-9_.-]*", usage);
			o.model = optarg;
			break;
		case 'n':
			o.max_runs =
			    (int)sc_cli_long("runs", optarg, 1, 10000, usage);
			break;
		case 'o':
			output = optarg;
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
	if (argc - optind > 1) {
		warnx("too many operands");
		usage(stderr, EX_USAGE);
	}
	if (sc_config_load(&cfg, &e) == -1)
		sc_cli_fail(&e, NULL);
	o.where = optind < argc ? argv[optind] : cfg.store;
	/* A local store that does not exist is a mistake, not an empty page. */
	if (strncmp(o.where, "s3://", 5) != 0 &&
	    stat(strncmp(o.where, "file://", 7) == 0 ? o.where + 7 : o.where,
	        &sb) == -1)
		err(EX_NOINPUT, "%s", o.where);
	sc_store_s3_opts(&cfg, &so);
	if ((st = sc_store_open(o.where, &so, &e)) == NULL)
		sc_cli_fail(&e, o.where);
	if ((out = sc_out_open(output, &e)) == NULL)
		sc_cli_fail(&e, NULL);
	if (sc_report_write(st, &o, sc_out_fp(out), &e) == -1) {
		sc_out_abort(out);
		sc_cli_fail(&e, NULL);
	}
	if (sc_out_commit(out, &e) == -1)
		sc_cli_fail(&e, NULL);
	sc_log(SC_LOG_INFO, "report of %s written to %s", o.where, output);
	sc_store_free(st);
	sc_config_free(&cfg);
	sc_cli_flush_stdout();
	return EX_OK;
}
