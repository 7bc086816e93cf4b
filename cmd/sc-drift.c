/* SPDX-License-Identifier: ISC */
/*
 * sc-drift: has the model's input moved?  Reads the feature table a model
 * was trained on (the reference) and the features of recent days (the
 * current rows) and writes, per feature, the PSI, the Kolmogorov-Smirnov
 * statistic and the scaled Wasserstein distance, each with a threshold
 * calibrated on chunks of the reference, a drift flag, and the share of
 * features that drifted.  The error watch (sc-rmse) sees a broken model
 * after the fact; this sees the inputs leave familiar ground first.
 */
#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "sc_cli.h"
#include "sc_drift.h"
#include "sc_io.h"
#include "sc_log.h"
#include "sc_table.h"

static void
usage(FILE *fp, int status)
{
	fputs("usage: sc-drift [-hVv] [--text] [-b bins] [-m name/version]\n"
	      "                [--trained-from date] [--trained-to date] "
	      "[-o drift.json]\n"
	      "                reference.csv current.csv\n",
	    fp);
	if (fp == stdout)
		fputs("\nCompares the features of current.csv (recent days) "
		      "with reference.csv (the\n"
		      "model's training table): PSI, Kolmogorov-Smirnov and "
		      "Wasserstein-1 / sd per\n"
		      "feature, thresholds calibrated on chunks of the "
		      "reference (mean + 3 sd), a\n"
		      "drift flag per feature and the share of drifted "
		      "features, as JSON.\n"
		      "Either file may be - for standard input.\n\n"
		      "  -b, --bins N       PSI bins at the reference's "
		      "quantiles, 2..100 (10)\n"
		      "  -m, --model LABEL  the model the reference is from "
		      "(NAME/VERSION), kept in\n"
		      "                     the JSON\n"
		      "      --trained-from DATE, --trained-to DATE\n"
		      "                     the model's training dates, kept "
		      "in the JSON\n"
		      "  -o, --output FILE  write to FILE (atomically) instead "
		      "of stdout\n"
		      "      --text         a table for people instead of "
		      "JSON\n"
		      "  -v, --verbose      say what was read\n"
		      "  -h, --help         this help\n"
		      "  -V, --version      print the version\n",
		    fp);
	if (fp == stdout)
		sc_cli_flush_stdout();
	exit(status);
}

/* Read the feature table at path ("-": stdin); exits on failure. */
static struct sc_table *
load(const char *path, const char **name)
{
	struct sc_table_opts o = { NULL, 1, 0 };
	struct sc_err e = { 0 };
	struct sc_table *t;
	FILE *fp = stdin;

	*name = "stdin";
	if (strcmp(path, "-") != 0) {
		if ((fp = fopen(path, "r")) == NULL)
			err(EX_NOINPUT, "%s", path);
		*name = path;
	}
	t = sc_table_read(fp, &o, &e);
	if (fp != stdin)
		fclose(fp);
	if (t == NULL)
		sc_cli_fail(&e, *name);
	sc_log(SC_LOG_INFO, "%s: %zu rows, %zu features", *name,
	    sc_table_nrows(t), sc_table_nfeatures(t));
	return t;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "bins", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ "model", required_argument, NULL, 'm' },
		{ "output", required_argument, NULL, 'o' },
		{ "text", no_argument, NULL, 't' },
		{ "trained-from", required_argument, NULL, 'F' },
		{ "trained-to", required_argument, NULL, 'T' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct sc_drift_opts o = { SC_DRIFT_BINS, NULL, NULL, NULL };
	struct sc_err e = { 0 };
	struct sc_table *ref, *cur;
	struct sc_drift *d;
	struct sc_out *out;
	const char *output = "-", *name;
	int ch, text = 0;

	sc_cli_init();
	while (
	    (ch = getopt_long(argc, argv, "b:hm:o:vV", longopts, NULL)) != -1)
		switch (ch) {
		case 'b':
			o.bins =
			    (int)sc_cli_long("bins", optarg, 2, 100, usage);
			break;
		case 'F':
			o.trained_from = optarg;
			break;
		case 'h':
			usage(stdout, EX_OK);
			break;
		case 'm':
			o.model = optarg;
			break;
		case 'o':
			output = optarg;
			break;
		case 't':
			text = 1;
			break;
		case 'T':
			o.trained_to = optarg;
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
	if (argc - optind != 2) {
		warnx("want two operands: reference.csv current.csv");
		usage(stderr, EX_USAGE);
	}
	if (strcmp(argv[optind], "-") == 0 &&
	    strcmp(argv[optind + 1], "-") == 0)
		errx(EX_USAGE, "only one of the two tables can be stdin");
	ref = load(argv[optind], &name);
	cur = load(argv[optind + 1], &name);
	if ((d = sc_drift_compute(ref, cur, &o, &e)) == NULL)
		sc_cli_fail(&e, NULL);
	sc_log(SC_LOG_INFO, "%zu of %zu features drifted",
	    (size_t)(sc_drift_share(d) * (double)sc_drift_nfeatures(d) + 0.5),
	    sc_drift_nfeatures(d));
	if ((out = sc_out_open(output, &e)) == NULL)
		sc_cli_fail(&e, NULL);
	if ((text ? sc_drift_write_text(d, sc_out_fp(out), &e)
	          : sc_drift_write(d, sc_out_fp(out), &e)) == -1) {
		sc_out_abort(out);
		sc_cli_fail(&e, output);
	}
	if (sc_out_commit(out, &e) == -1)
		sc_cli_fail(&e, NULL);
	sc_drift_free(d);
	sc_table_free(ref);
	sc_table_free(cur);
	sc_cli_flush_stdout();
	return EX_OK;
}
