/* SPDX-License-Identifier: ISC */
/*
 * sc-backtest: the forecasts the pipeline would have made over the last
 * days of a price history, refitting the model every few days, each
 * forecast from the rows before its day only.  OHLCV on standard input,
 * the predictions CSV of sc-predict on standard output, so sc-rmse scores
 * hundreds of days instead of the 30 of one test window.
 */
#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "sc_backtest.h"
#include "sc_cli.h"
#include "sc_io.h"
#include "sc_log.h"

enum {
	OPT_METHOD = 256,
	OPT_RAW,
	OPT_PROGRESS,
	OPT_NOPROGRESS,
	OPT_NOACI,
	OPT_RECAL,
	OPT_TRIALS
};

static const struct option longopts[] = {
	{ "days", required_argument, NULL, 'd' },
	{ "features", required_argument, NULL, 'f' },
	{ "folds", required_argument, NULL, 'k' },
	{ "help", no_argument, NULL, 'h' },
	{ "interval", required_argument, NULL, 'i' },
	{ "interval-method", required_argument, NULL, OPT_METHOD },
	{ "threads", required_argument, NULL, 'j' },
	{ "model-name", required_argument, NULL, 'N' },
	{ "no-aci", no_argument, NULL, OPT_NOACI },
	{ "output", required_argument, NULL, 'o' },
	{ "progress", no_argument, NULL, OPT_PROGRESS },
	{ "no-progress", no_argument, NULL, OPT_NOPROGRESS },
	{ "refit", required_argument, NULL, 'r' },
	{ "recalibrate", required_argument, NULL, OPT_RECAL },
	{ "raw", no_argument, NULL, OPT_RAW },
	{ "target", required_argument, NULL, 'T' },
	{ "trials", required_argument, NULL, OPT_TRIALS },
	{ "verbose", no_argument, NULL, 'v' },
	{ "version", no_argument, NULL, 'V' },
	{ "window", required_argument, NULL, 'w' },
	SC_CLI_FOREST_LONGOPTS,
	{ NULL, 0, NULL, 0 },
};

static void __attribute__((noreturn)) usage(FILE *fp, int status)
{
	fputs("usage: sc-backtest [-hVv] [-d days] [-r refit] [-w window] "
	      "[-f features]\n"
	      "\t[-T logret|close] [-k folds] [-i level] "
	      "[--interval-method conformal|quantile]\n"
	      "\t[--recalibrate M] [--trials N] [--no-aci] [--raw]\n"
	      "\t[--trees N] [--max-depth N] [--min-samples-split N|F] "
	      "[--min-samples-leaf N]\n"
	      "\t[--max-features sqrt|log2|F|N] [--no-bootstrap] "
	      "[--max-samples N|F] [--seed N]\n"
	      "\t[-j threads] [-N name] [--[no-]progress] [-o predictions.csv] "
	      "[file]\n",
	    fp);
	if (fp == stdout)
		sc_cli_flush_stdout();
	exit(status);
}

static double
want_level(const char *s)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || *end != '\0' || !(v >= 0 && v < 1))
		sc_cli_bad_value("interval", "want a level in [0, 1)", usage);
	return v;
}

struct run {
	struct sc_backtest_opts o;
	struct sc_features *fs;
	const char *flist, *out;
	int progress, method;
};

static void
options(int argc, char *argv[], struct run *R)
{
	struct sc_err e = { 0 };
	int ch;

	while ((ch = getopt_long(argc, argv,
	            "d:f:hi:j:k:N:o:r:T:vVw:", longopts, NULL)) != -1) {
		if (sc_cli_forest_option(ch, optarg, &R->o.forest, usage))
			continue;
		switch (ch) {
		case 'd':
			R->o.days = (size_t)sc_cli_long("days", optarg, 1,
			    SC_BACKTEST_MAX_DAYS, usage);
			break;
		case 'f':
			R->flist = optarg;
			break;
		case 'h':
			usage(stdout, EX_OK);
		case 'i':
			R->o.level = want_level(optarg);
			break;
		case 'j':
			R->o.forest.threads =
			    (int)sc_cli_long("threads", optarg, 1, 1024, usage);
			break;
		case 'k':
			R->o.folds =
			    (int)sc_cli_long("folds", optarg, 2, 100, usage);
			break;
		case 'N':
			R->o.model_name = optarg;
			break;
		case 'o':
			R->out = optarg;
			break;
		case 'r':
			R->o.refit = (size_t)sc_cli_long("refit", optarg, 1,
			    SC_BACKTEST_MAX_DAYS, usage);
			break;
		case 'T':
			if (sc_features_target_parse(optarg, &R->o.target,
			        &e) == -1)
				sc_cli_bad_value("target", e.msg, usage);
			break;
		case 'v':
			sc_cli_verbose();
			break;
		case 'V':
			sc_cli_version();
		case 'w':
			R->o.window = (size_t)sc_cli_long("window", optarg, 1,
			    10000000, usage);
			break;
		case OPT_METHOD:
			if (strcmp(optarg, "conformal") == 0)
				R->o.interval = SC_BACKTEST_CONFORMAL;
			else if (strcmp(optarg, "quantile") == 0)
				R->o.interval = SC_BACKTEST_QUANTILE;
			else
				sc_cli_bad_value("interval-method",
				    "want conformal or quantile", usage);
			R->method = 1;
			break;
		case OPT_RECAL:
			R->o.recalibrate = (size_t)sc_cli_long("recalibrate",
			    optarg, 1, SC_BACKTEST_MAX_DAYS, usage);
			break;
		case OPT_TRIALS:
			R->o.trials =
			    sc_cli_long("trials", optarg, 0, 100000, usage);
			break;
		case OPT_NOACI:
			R->o.aci = 0;
			break;
		case OPT_RAW:
			R->o.raw = 1;
			break;
		case OPT_PROGRESS:
		case OPT_NOPROGRESS:
			R->progress = ch == OPT_PROGRESS ? 1 : -1;
			break;
		default:
			usage(stderr, EX_USAGE);
		}
	}
}

static void
on_refit(void *arg, size_t done, size_t total)
{
	(void)arg;
	fprintf(stderr, "\rsc-backtest: refit %zu of %zu\033[K%s", done, total,
	    done == total ? "\n" : "");
}

int
main(int argc, char *argv[])
{
	struct sc_err e = { 0 };
	struct sc_backtest_stats st;
	struct run R = { 0 };
	struct sc_out *out;
	const char *inname = "stdin";
	FILE *in = stdin;

	sc_cli_init();
	sc_backtest_defaults(&R.o);
	R.o.days = 250;
	R.flist = SC_FEATURES_DEFAULT;
	R.out = "-";
	options(argc, argv, &R);
	if (R.o.raw && !R.method)
		R.o.interval = SC_BACKTEST_QUANTILE;
	if (argc - optind > 1) {
		warnx("one input file at most");
		usage(stderr, EX_USAGE);
	}
	if ((R.fs = sc_features_parse(R.flist, &e)) == NULL)
		sc_cli_bad_value("features", e.msg, usage);
	R.o.features = R.fs;
	if (sc_forest_check(&R.o.forest, &e) == -1)
		sc_cli_bad_value("options", e.msg, usage);
	if (sc_cli_progress(R.progress > 0) && R.progress >= 0)
		R.o.progress = on_refit;
	if (optind < argc && strcmp(argv[optind], "-") != 0) {
		inname = argv[optind];
		if ((in = fopen(inname, "r")) == NULL)
			err(EX_NOINPUT, "%s", inname);
	}
	if ((out = sc_out_open(R.out, &e)) == NULL)
		sc_cli_fail(&e, NULL);
	if (sc_backtest_run(in, sc_out_fp(out), &R.o, &st, &e) == -1) {
		sc_out_abort(out);
		if (e.code == SC_EUSAGE) {
			warnx("%s", e.msg);
			usage(stderr, EX_USAGE);
		}
		sc_cli_fail(&e,
		    e.code == SC_EIO && e.line == 0 && strcmp(R.out, "-") != 0
		        ? R.out
		        : inname);
	}
	if (sc_out_commit(out, &e) == -1)
		sc_cli_fail(&e, NULL);
	sc_log(SC_LOG_INFO,
	    "%zu tickers, %zu forecasts from %s to %s, %zu refits "
	    "(last on %zu rows), mean lambda %.3g, %zu naive",
	    st.tickers, st.forecasts, st.first, st.last, st.refits,
	    st.train_rows, st.lambda_mean, st.naive);
	if (in != stdin)
		fclose(in);
	sc_features_free(R.fs);
	sc_cli_flush_stdout();
	return EX_OK;
}
