/* SPDX-License-Identifier: ISC */
/*
 * sc-split: turn daily OHLCV prices into the feature tables a forest
 * learns from.  It computes the named features and the next-day target for
 * every ticker, drops the warm-up days, and writes the last --test-days
 * days of each ticker to the test table and the rest to the training table.
 * Both tables are written atomically: on any error neither file is created
 * or changed.
 */
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "sc_cli.h"
#include "sc_features.h"
#include "sc_io.h"
#include "sc_log.h"
#include "sc_num.h"
#include "sc_split.h"

static void usage(FILE *, int) __attribute__((noreturn));
static void bad_usage(const char *, const char *) __attribute__((noreturn));

static void
usage(FILE *fp, int status)
{
	fputs("usage: sc-split [-hVv] [-f features] [-j threads] [-n days] "
	      "[-T target]\n"
	      "                -o train.csv -t test.csv [file]\n",
	    fp);
	if (status == EX_OK)
		fputs("  -f, --features LIST   comma-separated feature names "
		      "(see sc-split(1))\n"
		      "  -j, --threads N       tickers split at once (default: "
		      "every core)\n"
		      "  -n, --test-days N     test days per ticker (default "
		      "30)\n"
		      "  -T, --target KIND     logret (default) or close\n"
		      "  -o, --output FILE     training table (- for stdout)\n"
		      "  -t, --test FILE       test table (- for stdout)\n"
		      "  -v, --verbose         per-ticker counts on stderr\n"
		      "  -V, --version         print the version\n"
		      "default features: " SC_FEATURES_DEFAULT "\n",
		    fp);
	if (status == EX_OK)
		sc_cli_flush_stdout();
	exit(status);
}

static void
bad_usage(const char *fmt, const char *arg)
{
	warnx(fmt, arg);
	usage(stderr, EX_USAGE);
}

struct args {
	const char *features;
	const char *target;
	const char *train, *test, *input;
	long days;
	long threads; /* 0: every online CPU */
};

static void
parse_args(int argc, char *argv[], struct args *a)
{
	static const struct option longopts[] = {
		{ "features", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ "test-days", required_argument, NULL, 'n' },
		{ "threads", required_argument, NULL, 'j' },
		{ "output", required_argument, NULL, 'o' },
		{ "test", required_argument, NULL, 't' },
		{ "target", required_argument, NULL, 'T' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	while ((ch = getopt_long(argc, argv, "f:hj:n:o:t:T:vV", longopts,
	            NULL)) != -1)
		switch (ch) {
		case 'f':
			a->features = optarg;
			break;
		case 'h':
			usage(stdout, EX_OK);
		case 'j':
			a->threads =
			    sc_cli_long("threads", optarg, 1, 1024, usage);
			break;
		case 'n':
			if (sc_num_parse_long(optarg, 0, SC_SPLIT_MAX_TEST_DAYS,
			        &a->days) == -1)
				bad_usage("--test-days %s: want 0..100000",
				    optarg);
			break;
		case 'o':
			a->train = optarg;
			break;
		case 't':
			a->test = optarg;
			break;
		case 'T':
			a->target = optarg;
			break;
		case 'v':
			sc_cli_verbose();
			break;
		case 'V':
			sc_cli_version();
		default:
			usage(stderr, EX_USAGE);
		}
	if (argc - optind > 1)
		bad_usage("too many operands: %s", argv[optind + 1]);
	a->input = optind < argc ? argv[optind] : NULL;
	if (a->train == NULL)
		bad_usage("%s", "missing -o train.csv");
	if (a->test == NULL)
		bad_usage("%s", "missing -t test.csv");
	if (strcmp(a->train, "-") == 0 && strcmp(a->test, "-") == 0)
		bad_usage("%s", "-o and -t cannot both be stdout");
	if (sc_out_same(a->train, a->test)) /* ./X, ../dir/X, a link */
		bad_usage("-o and -t name the same file: %s", a->train);
}

static int
flush(struct sc_out *o, struct sc_err *e)
{
	FILE *fp = sc_out_fp(o);

	if (fflush(fp) == EOF || ferror(fp))
		return sc_err_errno(e, SC_EIO, errno, "%s", sc_out_name(o));
	return 0;
}

/* Split in into the two tables of a; returns the exit status. */
static int
split(const struct args *a, const struct sc_split_opts *opts, FILE *in,
    const char *inname)
{
	struct sc_out *otrain = NULL, *otest = NULL;
	struct sc_split_stats st;
	struct sc_err e = { 0 };
	int rc;

	if ((otrain = sc_out_open(a->train, &e)) == NULL ||
	    (otest = sc_out_open(a->test, &e)) == NULL) {
		sc_out_abort(otrain);
		return sc_cli_report(&e, NULL);
	}
	if (sc_split_run(in, sc_out_fp(otrain), sc_out_fp(otest), opts, &st,
	        &e) == -1) {
		sc_out_abort(otest);
		sc_out_abort(otrain);
		return sc_cli_report(&e, inname);
	}
	/*
	 * Two renames cannot be one atomic step, so flush both tables first:
	 * a full disk then fails before either file is replaced.
	 */
	if (flush(otrain, &e) == -1 || flush(otest, &e) == -1) {
		sc_out_abort(otest);
		sc_out_abort(otrain);
		return sc_cli_report(&e, NULL);
	}
	if ((rc = sc_out_commit(otest, &e)) == -1)
		sc_out_abort(otrain);
	else
		rc = sc_out_commit(otrain, &e);
	if (rc == -1)
		return sc_cli_report(&e, NULL);
	sc_log(SC_LOG_INFO,
	    "%zu tickers, %zu rows: %zu train, %zu test, %zu dropped",
	    st.tickers, st.rows, st.train, st.test, st.dropped);
	return EX_OK;
}

int
main(int argc, char *argv[])
{
	struct args a = { SC_FEATURES_DEFAULT, "logret", NULL, NULL, NULL, 30,
		0 };
	struct sc_split_opts opts = { 0 };
	struct sc_features *feat;
	struct sc_err e = { 0 };
	FILE *in = stdin;
	int status;

	sc_cli_init();
	parse_args(argc, argv, &a);
	if ((feat = sc_features_parse(a.features, &e)) == NULL)
		bad_usage("--features: %s", e.msg);
	if (sc_features_target_parse(a.target, &opts.target, &e) == -1) {
		sc_features_free(feat);
		bad_usage("--target: %s", e.msg);
	}
	opts.features = feat;
	opts.test_days = (size_t)a.days;
	if ((opts.threads = (size_t)a.threads) == 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		opts.threads = n < 1 ? 1 : n > 1024 ? 1024 : (size_t)n;
	}
	if (a.input == NULL || strcmp(a.input, "-") == 0)
		status = split(&a, &opts, stdin, "stdin");
	else if ((in = fopen(a.input, "r")) == NULL) {
		sc_err_errno(&e, SC_ENOINPUT, errno, "%s", a.input);
		status = sc_cli_report(&e, NULL);
	} else {
		status = split(&a, &opts, in, a.input);
		fclose(in);
	}
	sc_features_free(feat);
	if (status == EX_OK)
		sc_cli_flush_stdout();
	return status;
}
