/* SPDX-License-Identifier: ISC */
/*
 * sc-rmse: evaluate forecasts.  Reads a predictions CSV and writes the
 * metrics JSON: RMSE, MAE, MAPE, directional accuracy and skill against the
 * naive forecast (tomorrow's close = today's) with the Diebold-Mariano test
 * of the difference, and the coverage, width and interval score of the
 * prediction intervals, overall and per ticker.  A model that does not beat
 * the naive forecast has negative skill: the number the old system never
 * reported.
 */
#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <sysexits.h>

#include "sc_cli.h"
#include "sc_io.h"
#include "sc_log.h"
#include "sc_metrics.h"

static void
usage(FILE *fp, int status)
{
	fputs("usage: sc-rmse [-hVv] [--text] [-l level] [-o metrics.json] "
	      "[predictions.csv]\n",
	    fp);
	if (fp == stdout)
		fputs("\nReads a predictions CSV (asof,ticker,close,"
		      "predicted_close,actual_close,...\n"
		      "or any table with predicted and actual columns) and "
		      "writes metrics JSON:\n"
		      "n, rmse, mae, mape, directional_accuracy, naive_rmse, "
		      "skill = 1 - rmse/naive_rmse,\n"
		      "dm_stat, dm_pvalue, dm_pvalue_better (Diebold-Mariano "
		      "against the naive forecast),\n"
		      "interval_coverage, interval_width, interval_score, "
		      "overall and per ticker.\n"
		      "Rows without an actual value are skipped and counted; "
		      "none scored is exit 65.\n\n"
		      "  -l, --level L      the intervals' nominal level, for "
		      "the interval score;\n"
		      "                     default 0.9\n"
		      "  -o, --output FILE  write the JSON to FILE "
		      "(atomically) instead of stdout\n"
		      "      --text         a table for people instead of "
		      "JSON\n"
		      "  -v, --verbose      say how many rows were read\n"
		      "  -h, --help         this help\n"
		      "  -V, --version      print the version\n",
		    fp);
	if (fp == stdout)
		sc_cli_flush_stdout();
	exit(status);
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "level", required_argument, NULL, 'l' },
		{ "output", required_argument, NULL, 'o' },
		{ "text", no_argument, NULL, 't' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct sc_err e = { 0 };
	struct sc_metrics *m;
	struct sc_out *out;
	const char *output = "-", *input = "stdin";
	FILE *in = stdin;
	double level = SC_METRICS_LEVEL;
	char *end;
	int ch, text = 0;

	sc_cli_init();
	while ((ch = getopt_long(argc, argv, "hl:o:vV", longopts, NULL)) != -1)
		switch (ch) {
		case 'h':
			usage(stdout, EX_OK);
			break;
		case 'l':
			level = strtod(optarg, &end);
			if (end == optarg || *end != '\0' ||
			    !(level > 0 && level < 1))
				sc_cli_bad_value("level",
				    "want a number in (0, 1)", usage);
			break;
		case 'o':
			output = optarg;
			break;
		case 't':
			text = 1;
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
	if (optind < argc && (input = argv[optind])[0] != '-' &&
	    (in = fopen(input, "r")) == NULL)
		err(EX_NOINPUT, "%s", input);
	if ((m = sc_metrics_new(&e)) == NULL ||
	    sc_metrics_set_level(m, level, &e) == -1)
		sc_cli_fail(&e, NULL);
	if (sc_metrics_read(m, in, &e) == -1)
		sc_cli_fail(&e, input);
	sc_log(SC_LOG_INFO, "%s: %ld rows scored", input, sc_metrics_count(m));
	if (sc_metrics_count(m) == 0)
		errx(EX_DATAERR,
		    "%s: no row has both a prediction and an actual value: "
		    "nothing to score",
		    input);
	if ((out = sc_out_open(output, &e)) == NULL)
		sc_cli_fail(&e, NULL);
	if ((text ? sc_metrics_write_text(m, sc_out_fp(out), &e)
	          : sc_metrics_write(m, sc_out_fp(out), &e)) == -1) {
		sc_out_abort(out);
		sc_cli_fail(&e, output);
	}
	if (sc_out_commit(out, &e) == -1)
		sc_cli_fail(&e, NULL);
	sc_metrics_free(m);
	if (in != stdin)
		fclose(in);
	sc_cli_flush_stdout();
	return EX_OK;
}
