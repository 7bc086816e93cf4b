/* SPDX-License-Identifier: ISC */
/*
 * sc-forest: fit a random forest regressor to a feature table and write
 * the model.  One fit, no search (sc-tune searches).  The table comes on
 * standard input or from a file, the model JSON goes to standard output
 * or, atomically, to the file of -o.  The hyperparameters are scikit-learn
 * RandomForestRegressor's, with the same defaults, except that the seed
 * is fixed (0) so that a run can be repeated.  By default it also
 * validates the forest walk-forward inside the table and stores the
 * calibration (shrinkage against the naive forecast, conformal scores) that
 * sc-predict serves; --no-validation skips that (lambda 0: the naive
 * forecast is served).
 */
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "sc_cli.h"
#include "sc_forest.h"
#include "sc_io.h"
#include "sc_log.h"
#include "sc_model.h"
#include "sc_num.h"
#include "sc_table.h"
#include "sc_train.h"

enum {
	OPT_TREES = 256,
	OPT_DEPTH,
	OPT_SPLIT,
	OPT_LEAF,
	OPT_FEATURES,
	OPT_NOBOOT,
	OPT_SAMPLES,
	OPT_SEED,
	OPT_FOLDS,
	OPT_NOVALID,
	OPT_VOL,
	OPT_FORMAT,
	OPT_CONVERT,
	OPT_GRID,
	OPT_RANKS,
	OPT_OOBROWS
};

static const struct option longopts[] = { { "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "output", required_argument, NULL, 'o' },
	{ "target", required_argument, NULL, 't' },
	{ "threads", required_argument, NULL, 'j' },
	{ "trees", required_argument, NULL, OPT_TREES },
	{ "max-depth", required_argument, NULL, OPT_DEPTH },
	{ "min-samples-split", required_argument, NULL, OPT_SPLIT },
	{ "min-samples-leaf", required_argument, NULL, OPT_LEAF },
	{ "max-features", required_argument, NULL, OPT_FEATURES },
	{ "no-bootstrap", no_argument, NULL, OPT_NOBOOT },
	{ "max-samples", required_argument, NULL, OPT_SAMPLES },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "folds", required_argument, NULL, OPT_FOLDS },
	{ "no-validation", no_argument, NULL, OPT_NOVALID },
	{ "vol-feature", required_argument, NULL, OPT_VOL },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "convert", required_argument, NULL, OPT_CONVERT },
	{ "interval-grid", required_argument, NULL, OPT_GRID },
	{ "leaf-ranks", required_argument, NULL, OPT_RANKS },
	{ "oob-rows", required_argument, NULL, OPT_OOBROWS },
	{ NULL, 0, NULL, 0 } };

static enum sc_model_form form = SC_MODEL_JSON; /* --format */
static const char *convert;                     /* --convert MODEL */

static void __attribute__((noreturn)) usage(FILE *fp, int status)
{
	fputs("usage: sc-forest [-hVv] [--trees N] [--max-depth N] "
	      "[--min-samples-split N|F]\n"
	      "\t[--min-samples-leaf N] [--max-features sqrt|log2|F|N] "
	      "[--no-bootstrap]\n"
	      "\t[--max-samples N|F] [--seed N] [--folds N] "
	      "[--no-validation]\n"
	      "\t[--vol-feature name] [-j threads] [-t target] "
	      "[-o model.json] [file]\n"
	      "\t[--interval-grid N] [--leaf-ranks all|bag] "
	      "[--oob-rows N]\n\t[--format json|binary]\n"
	      "       sc-forest --convert model [--format json|binary] "
	      "[-o out]\n",
	    fp);
	if (fp == stdout)
		fputs("\nFit a random forest to a table with a target column "
		      "(file or stdin) and write\nthe model as JSON "
		      "(sc-forest(1); the defaults are scikit-learn's):\n"
		      "  --trees N               trees, 1 to 100000 "
		      "(default 100)\n"
		      "  --max-depth N           deepest level of a tree "
		      "(default no limit)\n"
		      "  --min-samples-split N|F rows a node needs to be "
		      "split, a count or a share\n"
		      "                          (default 2)\n"
		      "  --min-samples-leaf N    rows a leaf may hold at "
		      "least (default 1; 5 or more\n"
		      "                          when prediction intervals "
		      "matter)\n"
		      "  --max-features X        features tried per split: "
		      "sqrt, log2, a share F or\n"
		      "                          a count N (default 1.0: "
		      "all)\n"
		      "  --no-bootstrap          every tree sees every row "
		      "once (no OOB RMSE)\n"
		      "  --max-samples N|F       bootstrap draws per tree "
		      "(default all rows)\n"
		      "  --seed N                seed of every random choice "
		      "(default 0)\n"
		      "  -j, --threads N         threads (default every "
		      "online CPU)\n"
		      "  -t, --target NAME       the target column (default "
		      "target, or the one\n"
		      "                          target_* column)\n"
		      "  -o, --output FILE       the model, written "
		      "atomically (default stdout)\n"
		      "  -v, --verbose           rows, timings and OOB RMSE "
		      "on stderr\n"
		      "  -h, --help              this help\n"
		      "  -V, --version           print the version\n",
		    fp);
	if (fp == stdout)
		sc_cli_flush_stdout();
	exit(status);
}

static void __attribute__((noreturn))
bad_value(const char *opt, const char *why)
{
	sc_cli_bad_value(opt, why, usage);
}

static long
want_long(const char *opt, const char *s, long lo, long hi)
{
	return sc_cli_long(opt, s, lo, hi, usage);
}

static void
want_share(const char *opt, const char *s, int names, long min,
    struct sc_share *out)
{
	struct sc_err e = { 0 };

	if (sc_share_parse(s, names, min, out, &e) == -1)
		bad_value(opt, e.msg);
}

/* Parse the options into o; returns the index of the first operand. */
static int
options(int argc, char *argv[], struct sc_train_opts *o, const char **target,
    const char **out)
{
	struct sc_forest_params *p = &o->forest;
	int ch;

	while (
	    (ch = getopt_long(argc, argv, "hVvo:t:j:", longopts, NULL)) != -1)
		switch (ch) {
		case 'h':
			usage(stdout, EX_OK);
		case 'V':
			sc_cli_version();
		case 'v':
			sc_cli_verbose();
			break;
		case 'o':
			*out = optarg;
			break;
		case 't':
			*target = optarg;
			break;
		case 'j':
			p->threads = (int)want_long("threads", optarg, 1, 1024);
			break;
		case OPT_TREES:
			p->trees = (int)want_long("trees", optarg, 1, 100000);
			break;
		case OPT_DEPTH:
			p->max_depth =
			    (int)want_long("max-depth", optarg, 1, 100000);
			break;
		case OPT_SPLIT:
			want_share("min-samples-split", optarg, 0, 2,
			    &p->min_samples_split);
			break;
		case OPT_LEAF:
			p->min_samples_leaf = want_long("min-samples-leaf",
			    optarg, 1, 1000000000L);
			break;
		case OPT_FEATURES:
			want_share("max-features", optarg, 1, 1,
			    &p->max_features);
			break;
		case OPT_NOBOOT:
			p->bootstrap = 0;
			break;
		case OPT_SAMPLES:
			want_share("max-samples", optarg, 0, 1,
			    &p->max_samples);
			break;
		case OPT_FORMAT: {
			struct sc_err e = { 0 };

			if (sc_model_form_parse(optarg, &form, &e) == -1)
				bad_value("format", e.msg);
			break;
		}
		case OPT_GRID:
			p->interval_grid =
			    want_long("interval-grid", optarg, 0, 16777216);
			break;
		case OPT_RANKS:
			if (strcmp(optarg, "all") != 0 &&
			    strcmp(optarg, "bag") != 0)
				bad_value("leaf-ranks", "want all or bag");
			p->bag_ranks = strcmp(optarg, "bag") == 0;
			break;
		case OPT_OOBROWS:
			p->oob_rows =
			    want_long("oob-rows", optarg, 0, 1000000000L);
			break;
		case OPT_CONVERT:
			convert = optarg;
			break;
		case OPT_SEED:
			p->seed =
			    (uint64_t)want_long("seed", optarg, 0, LONG_MAX);
			break;
		case OPT_FOLDS:
			o->folds = (int)want_long("folds", optarg, 2, 100);
			break;
		case OPT_NOVALID:
			o->folds = 0;
			break;
		case OPT_VOL:
			if (strlen(optarg) >= SC_CALIB_NAMESZ)
				bad_value("vol-feature", "too long a name");
			o->vol_feature = optarg;
			break;
		default:
			usage(stderr, EX_USAGE);
		}
	return optind;
}

/* --convert: read a model in either form, write it in the one asked. */
static int
convert_model(const char *inpath, const char *outpath)
{
	struct sc_err e = { 0 };
	struct sc_model *m;
	struct sc_out *o;
	FILE *in = stdin;

	if (strcmp(inpath, "-") != 0 && (in = fopen(inpath, "r")) == NULL)
		err(EX_NOINPUT, "%s", inpath);
	if ((m = sc_model_read(in, &e)) == NULL)
		sc_cli_fail(&e, inpath);
	if (in != stdin)
		fclose(in);
	if ((o = sc_out_open(outpath, &e)) == NULL)
		sc_cli_fail(&e, NULL);
	if (sc_model_write_form(sc_out_fp(o), form, sc_model_forest(m),
	        sc_model_meta(m), sc_model_extra(m), 0, &e) == -1) {
		sc_out_abort(o);
		sc_cli_fail(&e, strcmp(outpath, "-") == 0 ? "stdout" : outpath);
	}
	if (sc_out_commit(o, &e) == -1)
		sc_cli_fail(&e, NULL);
	sc_model_free(m);
	sc_cli_flush_stdout();
	return EX_OK;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Say what the calibration means for the forecasts. */
static void
log_calib(const struct sc_calib *c, const char *target)
{
	if (!sc_train_forecasting(target)) {
		sc_log(SC_LOG_INFO,
		    "target \"%s\" is not a next-day forecast "
		    "(target_logret_1, target_close_1): no naive forecast to "
		    "calibrate against; sc-predict serves the forest's "
		    "predictions",
		    target != NULL ? target : "");
		return;
	}
	if (c->folds == 0) {
		sc_log(SC_LOG_WARN,
		    "no validation (--no-validation, or too few dates for "
		    "the folds): lambda 0, sc-predict serves the naive "
		    "forecast with quantile-forest intervals");
		return;
	}
	sc_log(SC_LOG_INFO,
	    "validation: %zu out-of-time pairs in %d folds, MSE (target "
	    "units) naive %.6g, "
	    "model %.6g, drift %.6g; lambda %.4g, skill %.4g (t %.3g)",
	    c->n, c->folds, c->mse_naive, c->mse_model, c->mse_drift, c->lambda,
	    c->skill, c->tstat);
	if (c->lambda == 0)
		sc_log(SC_LOG_INFO,
		    "lambda 0: no validated skill over the naive forecast; "
		    "sc-predict will serve the naive forecast");
}

/* Write f with its record and calibration to outpath, atomically. */
static void
write_model(const char *outpath, const struct sc_forest *f,
    const struct sc_table *t, const struct sc_calib *c, int threads)
{
	struct sc_model_meta meta = { 0, NULL, NULL, NULL };
	struct sc_err e = { 0 };
	json_t *extra = json_object(), *cj = NULL;
	struct sc_out *o;

	/* a plain regression target has no naive forecast to calibrate on */
	if (extra == NULL ||
	    (sc_train_forecasting(sc_table_target(t)) &&
	        ((cj = sc_calib_to_json(c)) == NULL ||
	            json_object_set_new(extra, "calibration", cj) == -1)))
		errx(EX_OSERR, "out of memory");
	meta.rows = sc_table_nrows(t);
	sc_table_dates(t, &meta.date_from, &meta.date_to);
	meta.sha256 = sc_table_sha256(t);
	if ((o = sc_out_open(outpath, &e)) == NULL)
		sc_cli_fail(&e, NULL); /* the message names the file */
	if (sc_model_write_form(sc_out_fp(o), form, f, &meta, extra, threads,
	        &e) == -1) {
		int werr = errno; /* the write's cause, before abort */

		sc_out_abort(o);
		json_decref(extra);
		if (e.code == SC_EIO && werr != 0)
			sc_err_set(&e, SC_EIO, 0, "%s", strerror(werr));
		sc_cli_fail(&e, strcmp(outpath, "-") == 0 ? "stdout" : outpath);
	}
	if (sc_out_commit(o, &e) == -1)
		sc_cli_fail(&e, NULL);
	json_decref(extra);
}

int
main(int argc, char *argv[])
{
	struct sc_err e = { 0 };
	struct sc_train_opts to;
	struct sc_table_opts topts = { NULL, 0, 0 };
	struct sc_calib cal;
	const char *outpath = "-", *inname = "stdin";
	struct sc_forest *f;
	struct sc_table *t;
	FILE *in = stdin;
	double t0, t1, t2;
	int i;

	sc_cli_init();
	sc_train_defaults(&to);
	i = options(argc, argv, &to, &topts.target, &outpath);
	if (argc - i > 1 || (convert != NULL && argc - i > 0)) {
		warnx(convert != NULL ? "--convert takes no other input"
		                      : "one input file at most");
		usage(stderr, EX_USAGE);
	}
	if (convert != NULL)
		return convert_model(convert, outpath);
	if (sc_forest_check(&to.forest, &e) == -1)
		bad_value("options", e.msg);
	if (argc - i == 1 && strcmp(argv[i], "-") != 0) {
		inname = argv[i];
		if ((in = fopen(inname, "r")) == NULL)
			err(EX_NOINPUT, "%s", inname);
	}
	if (sc_out_probe(outpath, &e) == -1) /* before the work */
		sc_cli_fail(&e, NULL);
	t0 = now();
	if ((t = sc_table_read(in, &topts, &e)) == NULL)
		sc_cli_fail(&e, inname);
	if (in != stdin)
		fclose(in);
	t1 = now();
	if ((f = sc_train(t, &to, &cal, &e)) == NULL) {
		if (e.code ==
		    SC_EUSAGE) { /* an option that misfits the table */
			warnx("%s", e.msg);
			usage(stderr, EX_USAGE);
		}
		sc_cli_fail(&e, inname);
	}
	t2 = now();
	sc_log(SC_LOG_INFO,
	    "%zu rows, %zu features: read %.3f s, %s %.3f s, OOB RMSE %.6g "
	    "(in time, %s; the naive forecast's on the same rows %.6g)",
	    sc_table_nrows(t), sc_table_nfeatures(t), t1 - t0,
	    cal.folds > 0 ? "fit and validate" : "fit", t2 - t1,
	    sc_forest_oob_rmse(f),
	    sc_table_target(t) != NULL &&
	            strcmp(sc_table_target(t), "target_close_1") == 0
	        ? "price"
	        : "target units",
	    sc_train_naive_rmse(t));
	write_model(outpath, f, t, &cal, to.forest.threads);
	log_calib(&cal, sc_table_target(t));
	sc_log(SC_LOG_INFO, "model written in %.3f s", now() - t2);
	sc_forest_free(f);
	sc_table_free(t);
	sc_cli_flush_stdout();
	return EX_OK;
}
