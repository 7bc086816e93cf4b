/* SPDX-License-Identifier: ISC */
/*
 * sc-tune: search the forest's hyperparameters by walk-forward
 * cross-validation inside the training table (the test set is never
 * read here: sc-predict and sc-rmse score it afterwards), write one JSON
 * line per trial on standard output, and with -o refit the best
 * parameters on the whole table and write the model with a tuning
 * record.  --shard runs one part of a random search; --merge joins the
 * parts' trials files and refits the best.  The model's calibration
 * (shrinkage against the naive forecast, conformal scores) comes from the
 * best trial's own cross-validation folds: the same folds and seed give
 * the same out-of-time predictions that scored it.
 */
#include <err.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "sc_cli.h"
#include "sc_forest.h"
#include "sc_io.h"
#include "sc_log.h"
#include "sc_model.h"
#include "sc_num.h"
#include "sc_table.h"
#include "sc_train.h"
#include "sc_tune.h"

enum {
	OPT_GAP = 256,
	OPT_PARAM,
	OPT_SPACE,
	OPT_SAMPLER,
	OPT_PRUNER,
	OPT_SEED,
	OPT_TIMEOUT,
	OPT_PROGRESS,
	OPT_NOPROGRESS,
	OPT_SHARD,
	OPT_MERGE,
	OPT_FORMAT
};

static const struct option longopts[] = { { "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "output", required_argument, NULL, 'o' },
	{ "target", required_argument, NULL, 't' },
	{ "threads", required_argument, NULL, 'j' },
	{ "trials", required_argument, NULL, 'n' },
	{ "folds", required_argument, NULL, 'k' },
	{ "gap", required_argument, NULL, OPT_GAP },
	{ "param", required_argument, NULL, OPT_PARAM },
	{ "space", required_argument, NULL, OPT_SPACE },
	{ "sampler", required_argument, NULL, OPT_SAMPLER },
	{ "pruner", required_argument, NULL, OPT_PRUNER },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "progress", no_argument, NULL, OPT_PROGRESS },
	{ "no-progress", no_argument, NULL, OPT_NOPROGRESS },
	{ "shard", required_argument, NULL, OPT_SHARD },
	{ "merge", no_argument, NULL, OPT_MERGE },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ NULL, 0, NULL, 0 } };

static enum sc_model_form form = SC_MODEL_JSON; /* --format */

struct run {
	struct sc_tune_opts o;
	struct sc_tune_space s;
	const char *out, *target;
	char id[17];
	int progress, merge, sampler_set, pruner_set;
};

static void __attribute__((noreturn)) usage(FILE *fp, int status)
{
	fputs("usage: sc-tune [-hVv] [-n trials] [-k folds] [--gap days] "
	      "[--param name=spec]...\n"
	      "\t[--space file.json] [--sampler tpe|random] "
	      "[--pruner median|none] [--seed N]\n"
	      "\t[--timeout seconds] [--[no-]progress] [--shard k/n] "
	      "[-j threads] [-t target]\n"
	      "\t[--format json|binary] [-o model.json] [file]\n"
	      "       sc-tune --merge [options] [-o model.json] "
	      "trials.jsonl... "
	      "< train.csv\n",
	    fp);
	if (fp == stdout)
		fputs("\nSearch a random forest's hyperparameters by "
		      "walk-forward cross-validation on\na training table "
		      "(file or stdin), write each trial as a JSON line on "
		      "stdout and\nthe best trial's refit model to -o "
		      "(sc-tune(1)):\n"
		      "  -n, --trials N          trials in the search "
		      "(default 50)\n"
		      "  -k, --folds N           folds, 2 to 100 (default "
		      "5)\n"
		      "  --gap DAYS              dates left out before each "
		      "validation block\n"
		      "                          (default 0)\n"
		      "  --param NAME=SPEC       replace or add a dimension "
		      "(trees=int:100:500,\n"
		      "                          max_features=float:0.1:1, "
		      "...)\n"
		      "  --space FILE            dimensions from a JSON "
		      "object of NAME: SPEC\n"
		      "  --sampler tpe|random    TPE as Optuna's default, or "
		      "random search\n"
		      "                          (default tpe)\n"
		      "  --pruner median|none    stop trials worse than the "
		      "median at a fold\n"
		      "                          (default median; none with "
		      "--shard and --merge)\n"
		      "  --seed N                seed of the sampler and the "
		      "forests (default 0)\n"
		      "  --timeout SECONDS       stop with the best so far "
		      "after this long\n"
		      "  --progress              one updating progress line on "
		      "stderr (default: when\n"
		      "                          stderr is a terminal)\n"
		      "  --no-progress           never show it\n"
		      "  --shard K/N             run only this machine's share "
		      "of the trials;\n"
		      "                          --merge joins the shards' "
		      "trials\n"
		      "  --merge                 read trials files, write them "
		      "in order, refit the\n"
		      "                          best\n"
		      "  -j, --threads N         threads for each fit "
		      "(default every core)\n"
		      "  -t, --target NAME       the target column (default "
		      "target, or the one\n"
		      "                          target_* column)\n"
		      "  -o, --output FILE       the best trial's refit "
		      "model, written atomically\n"
		      "  -v, --verbose           more messages on stderr\n"
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
want_shard(struct run *R, const char *s)
{
	char buf[64], *slash;

	snprintf(buf, sizeof(buf), "%s", s);
	if ((slash = strchr(buf, '/')) == NULL)
		bad_value("shard", "want k/n, 1 <= k <= n");
	*slash = '\0';
	R->o.nshard = want_long("shard", slash + 1, 1, 100000);
	R->o.shard = want_long("shard", buf, 1, R->o.nshard) - 1;
}

static void
space_file(struct run *R, const char *path)
{
	struct sc_err e = { 0 };
	FILE *fp;

	if ((fp = fopen(path, "r")) == NULL)
		err(EX_NOINPUT, "%s", path);
	if (sc_tune_space_read(&R->s, fp, &e) == -1) {
		fclose(fp);
		bad_value("space", e.msg);
	}
	fclose(fp);
}

static void
option(struct run *R, int ch)
{
	struct sc_err e = { 0 };
	double v;

	switch (ch) {
	case OPT_FORMAT:
		if (sc_model_form_parse(optarg, &form, &e) == -1)
			bad_value("format", e.msg);
		break;
	case 'n':
		R->o.trials = want_long("trials", optarg, 1, 1000000);
		break;
	case 'k':
		R->o.folds =
		    (int)want_long("folds", optarg, 2, SC_TUNE_MAXFOLDS);
		break;
	case OPT_GAP:
		R->o.gap = (int)want_long("gap", optarg, 0, 100000);
		break;
	case OPT_PARAM:
		if (sc_tune_space_parse(&R->s, optarg, &e) == -1)
			bad_value("param", e.msg);
		break;
	case OPT_SPACE:
		space_file(R, optarg);
		break;
	case OPT_SAMPLER:
		if (strcmp(optarg, "tpe") != 0 && strcmp(optarg, "random") != 0)
			bad_value("sampler", "want tpe or random");
		R->o.sampler = optarg[0] == 't' ? SC_TUNE_TPE : SC_TUNE_RANDOM;
		R->sampler_set = 1;
		break;
	case OPT_PRUNER:
		if (strcmp(optarg, "median") != 0 &&
		    strcmp(optarg, "none") != 0)
			bad_value("pruner", "want median or none");
		R->o.prune = optarg[0] == 'm';
		R->pruner_set = 1;
		break;
	case OPT_SEED:
		R->o.seed = (uint64_t)want_long("seed", optarg, 0, LONG_MAX);
		break;
	case OPT_TIMEOUT:
		if (sc_num_parse_range(optarg, 0, 1e9, &v) == -1 || v <= 0)
			bad_value("timeout", "want seconds > 0");
		R->o.timeout = v;
		break;
	case OPT_SHARD:
		want_shard(R, optarg);
		break;
	default:
		usage(stderr, EX_USAGE);
	}
}

static int
options(int argc, char *argv[], struct run *R)
{
	int ch;

	while ((ch = getopt_long(argc, argv, "hVvo:t:j:n:k:", longopts,
	            NULL)) != -1)
		switch (ch) {
		case 'h':
			usage(stdout, EX_OK);
		case 'V':
			sc_cli_version();
		case 'v':
			sc_cli_verbose();
			break;
		case 'o':
			R->out = optarg;
			break;
		case 't':
			R->target = optarg;
			break;
		case 'j':
			R->o.base.threads =
			    (int)want_long("threads", optarg, 1, 1024);
			break;
		case OPT_PROGRESS:
		case OPT_NOPROGRESS:
			R->progress = ch == OPT_PROGRESS ? 1 : -1;
			break;
		case OPT_MERGE:
			R->merge = 1;
			break;
		default:
			option(R, ch);
		}
	return optind;
}

/* After each trial: its JSON line on stdout, and the progress line. */
static void
on_trial(const struct sc_tune *r, const struct sc_tune_trial *tr, void *arg)
{
	struct run *R = arg;
	struct sc_err e = { 0 };
	const struct sc_tune_trial *b = sc_tune_best(r);
	double el = sc_tune_elapsed(r), n = (double)sc_tune_ntrials(r);
	long all = (R->o.trials - R->o.shard + R->o.nshard - 1) / R->o.nshard;

	if (sc_tune_write_trial(stdout, &R->s, tr, R->id, &e) == -1 ||
	    fflush(stdout) == EOF) {
		sc_cli_flush_stdout(); /* a write error: its cause, 74 */
		sc_cli_fail(&e, "stdout");
	}
	if (R->progress <= 0)
		return;
	fprintf(stderr,
	    "\rsc-tune: trial %.0f of %ld, best %.6g (trial %ld), "
	    "%.1f s, ETA %.1f s\033[K",
	    n, all, b ? b->value : 0.0, b ? b->number : -1L, el,
	    el / n * ((double)all - n));
}

/* Read the table from path, or from stdin when fromstdin. */
static struct sc_table *
read_table(struct run *R, const char *path, int fromstdin)
{
	struct sc_table_opts to = { R->target, 0, 0 };
	struct sc_err e = { 0 };
	struct sc_table *t;
	FILE *in = stdin;

	if (!fromstdin && (in = fopen(path, "r")) == NULL)
		err(EX_NOINPUT, "%s", path);
	if ((t = sc_table_read(in, &to, &e)) == NULL)
		sc_cli_fail(&e, path);
	if (in != stdin)
		fclose(in);
	return t;
}

static struct sc_tune *
merge(struct run *R, char **files, int n)
{
	struct sc_err e = { 0 };
	struct sc_tune *r = NULL;
	size_t i;
	FILE *fp;
	int k;

	if (n == 0) {
		warnx("--merge: no trials file");
		usage(stderr, EX_USAGE);
	}
	for (k = 0; k < n; k++) {
		if ((fp = fopen(files[k], "r")) == NULL)
			err(EX_NOINPUT, "%s", files[k]);
		if (sc_tune_read_trials(&r, fp, &R->s, R->id, &e) == -1)
			sc_cli_fail(&e, files[k]);
		fclose(fp);
	}
	for (i = 0; i < sc_tune_ntrials(r); i++)
		if (sc_tune_write_trial(stdout, &R->s, sc_tune_trial(r, i),
		        R->id, &e) == -1) {
			sc_cli_flush_stdout();
			sc_cli_fail(&e, "stdout");
		}
	return r;
}

/* Refit the best trial's parameters on t and write the model to R->out. */
static void
refit(struct run *R, const struct sc_table *t, const struct sc_tune *r)
{
	struct sc_err e = { 0 };
	struct sc_model_meta meta = { 0, NULL, NULL, NULL };
	struct sc_forest_params p;
	struct sc_forest *f;
	struct sc_calib cal;
	struct sc_out *o;
	json_t *rec;

	if (sc_tune_apply(&R->s, sc_tune_best(r)->x, &R->o.base, &p, &e) == -1)
		sc_cli_fail(&e, NULL);
	p.seed = R->o.seed;
	if ((f = sc_forest_fit(&p, t, &e)) == NULL)
		sc_cli_fail(&e, "refit");
	if ((rec = sc_tune_record(r, &R->s, &R->o)) == NULL)
		errx(EX_OSERR, "out of memory");
	if (!sc_train_forecasting(sc_table_target(t)))
		sc_log(SC_LOG_INFO,
		    "target \"%s\" is not a next-day forecast: no calibration; "
		    "sc-predict serves the forest's predictions",
		    sc_table_target(t) != NULL ? sc_table_target(t) : "");
	else {
		if (sc_train_calibrate(t, &p, R->o.folds, R->o.gap, NULL, &cal,
		        &e) == -1)
			sc_cli_fail(&e, "calibration");
		sc_log(SC_LOG_INFO,
		    "calibration from the best trial's folds: lambda %.4g, "
		    "validated skill %.4g over the naive forecast (t %.3g)%s",
		    cal.lambda, cal.skill, cal.tstat,
		    cal.lambda == 0
		        ? "; lambda 0: the naive forecast will be served"
		        : "");
		if (json_object_set_new(rec, "calibration",
		        sc_calib_to_json(&cal)) == -1)
			errx(EX_OSERR, "out of memory");
	}
	meta.rows = sc_table_nrows(t);
	sc_table_dates(t, &meta.date_from, &meta.date_to);
	meta.sha256 = sc_table_sha256(t);
	if ((o = sc_out_open(R->out, &e)) == NULL)
		sc_cli_fail(&e, NULL); /* the message names the file */
	if (sc_model_write_form(sc_out_fp(o), form, f, &meta, rec, p.threads,
	        &e) == -1) {
		sc_out_abort(o);
		sc_cli_fail(&e, R->out);
	}
	if (sc_out_commit(o, &e) == -1)
		sc_cli_fail(&e, R->out);
	json_decref(rec);
	sc_forest_free(f);
}

static void
summary(const struct run *R, const struct sc_tune *r, const struct sc_table *t)
{
	const struct sc_tune_trial *b = sc_tune_best(r);
	struct sc_err e = { 0 };
	size_t i, pruned = 0;
	/* the naive forecast's CV RMSE on the same folds, next to the best */
	double naive = R->merge
	    ? NAN
	    : sc_train_naive_cv_rmse(t, R->o.folds, R->o.gap, &e);

	for (i = 0; i < sc_tune_ntrials(r); i++)
		pruned += sc_tune_trial(r, i)->state == SC_TUNE_PRUNED;
	if (R->progress > 0)
		fputc('\n', stderr);
	fprintf(stderr,
	    "sc-tune: %zu trials (%zu pruned)%s in %.2f s; best: trial %ld, "
	    "CV RMSE %.6g over %d folds (target units)",
	    sc_tune_ntrials(r), pruned,
	    sc_tune_timed_out(r) ? ", stopped by --timeout" : "",
	    sc_tune_elapsed(r), b->number, b->value, b->nfolds);
	if (isfinite(naive))
		fprintf(stderr, "; the naive forecast's: %.6g", naive);
	fputc('\n', stderr);
}

int
main(int argc, char *argv[])
{
	struct run R;
	struct sc_err e = { 0 };
	struct sc_table *t;
	struct sc_tune *r;
	const char *inname;
	int i, fromstdin;

	sc_cli_init();
	memset(&R, 0, sizeof(R));
	sc_tune_defaults(&R.o);
	sc_tune_space_defaults(&R.s);
	i = options(argc, argv, &R);
	if (R.o.nshard > 1 && R.sampler_set && R.o.sampler == SC_TUNE_TPE)
		bad_value("shard",
		    "shards run a random search: TPE needs "
		    "the other shards' results");
	if (R.o.nshard > 1 || R.merge) {
		R.o.sampler = R.sampler_set ? R.o.sampler : SC_TUNE_RANDOM;
		R.o.prune = R.pruner_set ? R.o.prune : 0;
	}
	if (!R.merge && argc - i > 1) {
		warnx("one input file at most");
		usage(stderr, EX_USAGE);
	}
	R.progress = sc_cli_progress(R.progress > 0) && R.progress >= 0;
	fromstdin = R.merge || i == argc || strcmp(argv[i], "-") == 0;
	inname = fromstdin ? "stdin" : argv[i];
	if (R.out != NULL && sc_out_probe(R.out, &e) == -1) /* before work */
		sc_cli_fail(&e, NULL);
	t = read_table(&R, inname, fromstdin);
	sc_tune_search_id(t, &R.s, &R.o, R.id);
	if (R.merge)
		r = merge(&R, argv + i, argc - i);
	else if ((r = sc_tune_run(t, &R.s, &R.o, on_trial, &R, &e)) == NULL) {
		if (R.progress)
			fputc('\n', stderr);
		if (e.code == SC_EUSAGE) {
			warnx("%s", e.msg);
			usage(stderr, EX_USAGE);
		}
		sc_cli_fail(&e, inname);
	}
	if (sc_tune_best(r) == NULL)
		errx(EX_DATAERR, "no complete trial");
	summary(&R, r, t);
	if (R.out != NULL)
		refit(&R, t, r);
	sc_tune_free(r);
	sc_table_free(t);
	sc_cli_flush_stdout();
	return EX_OK;
}
