/* SPDX-License-Identifier: ISC */
/*
 * sc-predict: forecasts from a model.  Over a feature table (the test
 * window) it writes one prediction per row with the realised value beside
 * it; with --next it reads raw OHLCV history and forecasts each ticker's
 * next trading day, recomputing the model's features by name so serving
 * uses exactly the code training did.  The model column identifies the
 * model by the first 12 hex digits of the SHA-256 of its file, unless
 * --model-name says otherwise (the registry passes NAME@VERSION).  A
 * calibrated model is served as naive + lambda x its predicted change,
 * with conformal intervals; lambda 0 means the naive forecast, and that is
 * said on stderr and in the source column.
 */
#include <sys/stat.h>

#include <err.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "sc_buf.h"
#include "sc_calib.h"
#include "sc_cli.h"
#include "sc_hash.h"
#include "sc_io.h"
#include "sc_log.h"
#include "sc_model.h"
#include "sc_num.h"
#include "sc_predict.h"

static void
usage(FILE *fp, int status)
{
	fputs("usage: sc-predict [-hnVv] -m model.json [-i level] "
	      "[-M conformal|quantile] [--no-aci]\n"
	      "\t[-j threads] [-N name] [-o file] [input.csv]\n",
	    fp);
	if (fp == stdout) {
		fputs("\nWith a feature table (sc-split's test file, or any "
		      "table with the model's\n"
		      "feature columns) on input: one prediction per row, "
		      "the realised value beside it.\n"
		      "With --next and OHLCV history on input: one forecast "
		      "per ticker for the\n"
		      "trading day after its last row.  Output: "
		      "asof,date,ticker,close,\n"
		      "predicted_close,actual_close,lower,upper,model,source "
		      "(date: the day forecast;\n"
		      "source: model, or naive when the model's lambda is "
		      "0).\n\n"
		      "  -m, --model FILE      the model (sc-forest or "
		      "sc-tune output)\n"
		      "  -n, --next            forecast the next trading day "
		      "from OHLCV history\n"
		      "  -i, --interval LEVEL  prediction interval, e.g. 0.9 "
		      "\n"
		      "  -M, --interval-method M  conformal (default for "
		      "calibrated models) or\n"
		      "                        quantile (quantile "
		      "regression forest)\n"
		      "      --no-aci          conformal at the fixed level, "
		      "without adaptive (ACI) levels\n"
		      "  -j, --threads N       threads (default: all cores)\n"
		      "  -N, --model-name NAME the model column (default: "
		      "12 hex digits of its SHA-256)\n"
		      "  -o, --output FILE     write to FILE atomically "
		      "instead of stdout\n"
		      "  -v, --verbose         more on stderr\n"
		      "  -h, --help            this help\n"
		      "  -V, --version         print the version\n",
		    fp);
		sc_cli_flush_stdout();
	}
	exit(status);
}

/* The model's name: the first 12 hex digits of its file's SHA-256. */
static void
set_id(const uint8_t *sum, char *id)
{
	char hex[SC_SHA256_HEX];

	sc_hash_hex(sum, SC_SHA256_LEN, hex);
	memcpy(id, hex, 12);
	id[12] = '\0';
}

/*
 * Name the model file by its hash and parse it.  A regular file is hashed
 * by a second thread while it loads (the reader maps a binary model);
 * anything else (a pipe) is read whole first.  flags as
 * sc_model_read_flags() takes them.
 */
static struct sc_model *
load_model(const char *path, int flags, char *id, struct sc_err *e)
{
	struct sc_buf b = { 0 };
	struct sc_model *m = NULL;
	uint8_t sum[SC_SHA256_LEN];
	struct stat st;
	FILE *fp;

	if ((fp = fopen(path, "r")) == NULL)
		err(EX_NOINPUT, "%s", path);
	if (fstat(fileno(fp), &st) == 0 && S_ISREG(st.st_mode)) {
		if (st.st_size == 0)
			sc_err_set(e, SC_EDATA, 0, "empty model file");
		else if ((m = sc_model_read_hashed(fp, path, flags, sum, e)) !=
		    NULL)
			set_id(sum, id);
		goto out;
	}
	b.limit = SC_MODEL_MAXBYTES;
	if (sc_buf_read(&b, fp, path, e) == -1 ||
	    sc_hash_sha256(b.data, b.len, sum, e) == -1)
		goto out;
	set_id(sum, id);
	fclose(fp);
	if ((fp = fmemopen(b.data, b.len ? b.len : 1, "r")) == NULL) {
		sc_err_set(e, SC_EOS, 0, "out of memory");
		goto out;
	}
	if (b.len == 0)
		sc_err_set(e, SC_EDATA, 0, "empty model file");
	else
		m = sc_model_read_flags(fp, flags, e);
out:
	if (fp != NULL)
		fclose(fp);
	sc_buf_free(&b);
	return m;
}

/* Say plainly what will be served. */
static void
say_calibration(const struct sc_model *m, const struct sc_predict_opts *o)
{
	struct sc_err e = { 0 };
	struct sc_calib c;
	int rc = sc_calib_from_extra(sc_model_extra(m), &c, &e);

	if (rc == 0)
		sc_log(SC_LOG_INFO,
		    "no calibration in the model: serving the forest's "
		    "prediction%s",
		    o->interval > 0 ? " with quantile-forest intervals" : "");
	else if (rc == 1 && c.lambda == 0)
		sc_log(SC_LOG_WARN,
		    "lambda 0: the model showed no validated skill over the "
		    "naive forecast; serving the naive forecast (source "
		    "naive)");
	else if (rc == 1)
		sc_log(SC_LOG_INFO,
		    "lambda %.4g: serving naive + lambda x the model's "
		    "predicted change (validated skill %.4g)",
		    c.lambda, c.skill);
	if (rc == 1 && o->interval > 0)
		sc_log(SC_LOG_INFO, "%s intervals at %g%s",
		    o->method == SC_PREDICT_QUANTILE || c.nscores == 0
		        ? "quantile-forest"
		        : "conformal",
		    o->interval,
		    o->method == SC_PREDICT_CONFORMAL && c.nscores > 0 &&
		            !o->no_aci
		        ? ", the level adapted by ACI"
		        : "");
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "interval", required_argument, NULL, 'i' },
		{ "threads", required_argument, NULL, 'j' },
		{ "model", required_argument, NULL, 'm' },
		{ "model-name", required_argument, NULL, 'N' },
		{ "next", no_argument, NULL, 'n' },
		{ "interval-method", required_argument, NULL, 'M' },
		{ "no-aci", no_argument, NULL, 'A' },
		{ "output", required_argument, NULL, 'o' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct sc_predict_opts o = { 0, 0, NULL, SC_PREDICT_CONFORMAL, 0 };
	struct sc_err e = { 0 };
	struct sc_model *m;
	struct sc_out *out;
	const char *model = NULL, *output = "-", *input = "stdin";
	char id[16];
	FILE *in = stdin;
	long threads;
	int ch, next = 0, rc;

	sc_cli_init();
	while ((ch = getopt_long(argc, argv, "hi:j:m:M:N:no:vV", longopts,
	            NULL)) != -1)
		switch (ch) {
		case 'h':
			usage(stdout, EX_OK);
			break;
		case 'i':
			if (sc_num_parse_range(optarg, 1e-9, 1 - 1e-9,
			        &o.interval) == -1) {
				warnx("--interval %s: want a level between 0 "
				      "and 1, e.g. 0.9",
				    optarg);
				usage(stderr, EX_USAGE);
			}
			break;
		case 'j':
			if (sc_num_parse_long(optarg, 1, 1024, &threads) ==
			    -1) {
				warnx("--threads %s: want 1..1024", optarg);
				usage(stderr, EX_USAGE);
			}
			o.threads = (int)threads;
			break;
		case 'm':
			model = optarg;
			break;
		case 'N':
			o.model_name = optarg;
			break;
		case 'M':
			if (strcmp(optarg, "conformal") == 0)
				o.method = SC_PREDICT_CONFORMAL;
			else if (strcmp(optarg, "quantile") == 0)
				o.method = SC_PREDICT_QUANTILE;
			else {
				warnx("--interval-method %s: want conformal "
				      "or quantile",
				    optarg);
				usage(stderr, EX_USAGE);
			}
			break;
		case 'A':
			o.no_aci = 1;
			break;
		case 'n':
			next = 1;
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
	if (model == NULL) {
		warnx("no model: give -m model.json");
		usage(stderr, EX_USAGE);
	}
	if (argc - optind > 1) {
		warnx("too many operands");
		usage(stderr, EX_USAGE);
	}
	/*
	 * The model only predicts: without an interval the leaves' ranks are
	 * not even decoded, and the thresholds are kept as the walk's indices.
	 */
	if ((m = load_model(model,
	         o.interval > 0 && o.interval < 1 ? SC_MODEL_PREDICT_ONLY
	                                          : SC_MODEL_NO_RANKS,
	         id, &e)) == NULL)
		sc_cli_fail(&e, model);
	if (o.model_name == NULL)
		o.model_name = id;
	say_calibration(m, &o);
	if (optind < argc && strcmp(argv[optind], "-") != 0 &&
	    (in = fopen(input = argv[optind], "r")) == NULL)
		err(EX_NOINPUT, "%s", input);
	if ((out = sc_out_open(output, &e)) == NULL)
		sc_cli_fail(&e, NULL);
	rc = next ? sc_predict_next(m, in, sc_out_fp(out), &o, &e)
	          : sc_predict_table(m, in, sc_out_fp(out), &o, &e);
	if (rc == -1) {
		sc_out_abort(out);
		sc_cli_fail(&e, input);
	}
	if (sc_out_commit(out, &e) == -1)
		sc_cli_fail(&e, NULL);
	sc_model_free(m);
	if (in != stdin)
		fclose(in);
	sc_cli_flush_stdout();
	return EX_OK;
}
