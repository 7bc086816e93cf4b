/* SPDX-License-Identifier: ISC */
/*
 * sc-fetch: read anything addressable and write it to stdout.  Market data
 * operands (yahoo:, stooq:, alphavantage:, synthetic:) become one OHLCV CSV
 * stream sorted by ticker and date; a store key, s3:// object, path,
 * file:// or http(s):// URL is copied byte for byte (lib/get), and a store
 * prefix can be listed.  One failing symbol does not lose the others: their
 * rows are written, each failure is reported, and the exit status is the
 * first failure's.
 */
#include <sys/types.h>

#include <ctype.h>
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "sc_buf.h"
#include "sc_cli.h"
#include "sc_config.h"
#include "sc_date.h"
#include "sc_get.h"
#include "sc_http.h"
#include "sc_io.h"
#include "sc_log.h"
#include "sc_market.h"
#include "sc_num.h"
#include "sc_registry.h"
#include "sc_runs.h"
#include "sc_store.h"

enum kind { K_MARKET, K_URL, K_STORE, K_MODEL, K_UNKNOWN };

struct fetch {
	struct sc_config cfg;
	long from, to;
	uint64_t seed;
	FILE *out;
	const char *outname;      /* "stdout" or the -o file */
	struct sc_get_opts get;   /* --list, --head, --range, --presign */
	int status;               /* the first failure's exit status */
	int include_open;         /* --include-open: keep a live Yahoo bar */
	int runs, versions, diff; /* --runs, --versions, --diff */
	int format;               /* --text, --csv, --json: 1 + the format */
};

static void usage(FILE *, int) __attribute__((noreturn));

static void
usage(FILE *fp, int status)
{
	fputs("usage: sc-fetch [-hVv] [--from DATE] [--to DATE] [--seed N] "
	      "[--include-open]\n"
	      "                [-o FILE] SOURCE...\n"
	      "       sc-fetch [-hVv] [--head] [--range A-B] [--presign "
	      "SECONDS] "
	      "[-o FILE] OBJECT...\n"
	      "       sc-fetch [-hVv] [--page-size N] -l PREFIX\n"
	      "       sc-fetch [-hVv] [-o FILE] "
	      "models:/NAME[/VERSION | /latest | @ALIAS]\n"
	      "       sc-fetch [-hVv] [--text|--csv|--json] [-o FILE] "
	      "--runs [--diff RUN RUN]\n"
	      "       sc-fetch [-hVv] [--text|--csv|--json] [-o FILE] "
	      "[--versions] models:/NAME\n",
	    fp);
	if (fp == stdout)
		fputs("\nSources (several symbols: yahoo:AAPL,MSFT):\n"
		      "  yahoo:SYMBOL[,...]         Yahoo Finance chart API, "
		      "daily bars\n"
		      "  stooq:SYMBOL[,...]         Stooq CSV (needs "
		      "SC_STOOQ_APIKEY)\n"
		      "  alphavantage:SYMBOL[,...]  Alpha Vantage daily (needs "
		      "ALPHAVANTAGE_API_KEY)\n"
		      "  synthetic:SYMBOL[,...]     SYNTHETIC data, not real "
		      "prices: offline,\n"
		      "                             deterministic from symbol "
		      "and --seed\n"
		      "  KEY                        a key of the store "
		      "(SC_STORE, default ./store)\n"
		      "  s3://BUCKET/KEY            an S3 object (AWS_* "
		      "variables)\n"
		      "  PATH, file://PATH, -       a file, copied unchanged\n"
		      "  https://URL, http://URL    a download, copied "
		      "unchanged\n"
		      "  models:/NAME/VERSION       a registered model "
		      "(also /latest, @ALIAS);\n"
		      "  models:/NAME               its index: versions, "
		      "aliases, lineage (JSON)\n"
		      "\nTables (--csv by default with --runs and --versions; "
		      "--text aligned for a\nterminal, --json an array of "
		      "objects):\n"
		      "  --runs                     the runs of the store: id, "
		      "date, tickers, search,\n"
		      "                             trials, seed, CV and test "
		      "RMSE, skill, version\n"
		      "  --runs --diff RUN RUN      what differs between two "
		      "runs: record, test\n"
		      "                             metrics, best trial's "
		      "hyperparameters\n"
		      "  --versions models:/NAME    the versions: aliases, "
		      "run, "
		      "metrics, lineage\n"
		      "                             (also models:/NAME with "
		      "--text, --csv or --json)\n"
		      "\nObjects: --head prints KEY<TAB>SIZE, --range A-B a "
		      "byte range of an s3://\nobject, --presign SECONDS a "
		      "presigned GET URL; -l PREFIX lists keys.\n"
		      "\nDates are YYYY-MM-DD, inclusive; --from defaults to "
		      "January 1st of this\nyear and --to to today (UTC). "
		      "Output: date,ticker,open,high,low,close,\n"
		      "adj_close,volume sorted by ticker and date.  A Yahoo "
		      "bar whose session\nis still open is left out (its close "
		      "is the latest price); --include-open\nkeeps it.\n"
		      "\nAlso (sc-fetch(1)): -o, --output FILE writes "
		      "atomically to FILE; -v, --verbose\nreports rows and "
		      "retries on stderr; -h, --help; -V, --version.\n",
		    fp);
	if (fp == stdout)
		sc_cli_flush_stdout();
	exit(status);
}

/* Where an operand goes. */
static enum kind
operand_kind(const char *op)
{
	const char *colon = strchr(op, ':');
	char src[16];

	if (colon != NULL && (size_t)(colon - op) < sizeof(src)) {
		memcpy(src, op, (size_t)(colon - op));
		src[colon - op] = '\0';
		if (sc_market_source_known(src))
			return K_MARKET;
	}
	if (strncmp(op, "http://", 7) == 0 || strncmp(op, "https://", 8) == 0)
		return K_URL;
	if (strncmp(op, "s3://", 5) == 0 || strncmp(op, "file://", 7) == 0)
		return K_STORE;
	if (sc_registry_is_uri(op))
		return K_MODEL;
	/* Any other "scheme:" is unknown; the rest are paths or keys. */
	if (colon != NULL && strcspn(op, "/") > (size_t)(colon - op))
		return K_UNKNOWN;
	return K_STORE;
}

/* Check the symbols of a market operand before any request is made. */
static void
check_symbols(const char *op)
{
	const char *p = strchr(op, ':') + 1, *q;
	char sym[40];

	do {
		q = strchr(p, ',');
		if (q == NULL)
			q = p + strlen(p);
		snprintf(sym, sizeof(sym), "%.*s",
		    (int)(q - p < 39 ? q - p : 39), p);
		if (!sc_market_symbol_valid(sym) || q - p > 32) {
			warnx("%s: invalid symbol \"%s\"", op, sym);
			usage(stderr, EX_USAGE);
		}
		p = q + 1;
	} while (*q != '\0');
}

static void
failed(struct fetch *f, const struct sc_err *e)
{
	int status = sc_cli_report(e, NULL);

	if (f->status == EX_OK)
		f->status = status;
}

/* Fetch every symbol of every market operand, then write them sorted. */
/* Report e; a write error is the output's, whichever layer saw it. */
static int
raw_failed(struct fetch *f, struct sc_err *e)
{
	int werr = errno;

	if (e->code == SC_EIO && ferror(f->out))
		sc_err_errno(e, SC_EIO, werr, "%s", f->outname);
	return sc_cli_report(e, NULL);
}

static int
dispatch_market(struct fetch *f, char **ops, int n)
{
	struct sc_market_opts mo = { &f->cfg, f->from, f->to, f->seed, NULL };
	struct sc_series *series = NULL;
	struct sc_market *m;
	struct sc_err e = { 0 };
	size_t ns = 0, scap = 0, nfail = 0, i;
	char *copy, *sym, *save, *colon;
	int k, rc = -1;

	if ((m = sc_market_new(&mo, &e)) == NULL)
		sc_cli_fail(&e, NULL);
	sc_market_include_open(m, f->include_open);
	for (k = 0; k < n; k++) {
		if ((copy = strdup(ops[k])) == NULL)
			err(EX_OSERR, NULL);
		colon = strchr(copy, ':');
		*colon = '\0';
		for (sym = strtok_r(colon + 1, ",", &save); sym != NULL;
		     sym = strtok_r(NULL, ",", &save)) {
			if (sc_buf_grow(&series, &scap, ns + 1, sizeof(*series),
			        NULL) == -1)
				err(EX_OSERR, NULL);
			memset(&series[ns], 0, sizeof(*series));
			if (sc_market_fetch(m, copy, sym, &series[ns], &e) ==
			    -1) {
				failed(f, &e);
				nfail++;
			}
			ns++;
		}
		free(copy);
	}
	if (ns > nfail && sc_series_write(f->out, series, ns, &e) == 0)
		rc = 0;
	else if (ns > nfail && f->status == EX_OK)
		f->status = raw_failed(f, &e); /* "OUTPUT: cause" */
	if (nfail > 0 && ns > 1)
		warnx("%zu of %zu symbols failed%s", nfail, ns,
		    rc == 0 ? "; the others were written" : "");
	for (i = 0; i < ns; i++)
		sc_series_free(&series[i]);
	free(series);
	sc_market_free(m);
	return rc;
}

/* A registry URI: a model version's bytes, or a model's index. */
static int
fetch_model(struct fetch *f, const char *op)
{
	struct sc_err e = { 0 };

	if (f->get.list || f->get.head || f->get.range != NULL ||
	    f->get.presign > 0) {
		warnx("%s: --list, --head, --range and --presign are not for "
		      "models:/ URIs",
		    op);
		usage(stderr, EX_USAGE);
	}
	if (sc_registry_fetch_uri(&f->cfg, op, f->out, &e) == -1)
		return raw_failed(f, &e);
	return EX_OK;
}

static int
dispatch_raw(struct fetch *f, char **ops, int n)
{
	struct sc_err e = { 0 };
	int k, status;

	for (k = 0; k < n; k++) {
		if (operand_kind(ops[k]) == K_MODEL)
			status = fetch_model(f, ops[k]);
		else if (operand_kind(ops[k]) == K_URL)
			status =
			    sc_get_http(&f->cfg, ops[k], f->out, NULL, &e) == 0
			    ? EX_OK
			    : raw_failed(f, &e);
		else
			status =
			    sc_get(&f->cfg, ops[k], &f->get, f->out, &e) == 0
			    ? EX_OK
			    : raw_failed(f, &e);
		if (status != EX_OK)
			return status;
	}
	return EX_OK;
}

static long
parse_date(const char *opt, const char *s)
{
	long d;

	if (sc_date_parse(s, strlen(s), &d) == -1) {
		warnx("--%s %s: want a date YYYY-MM-DD", opt, s);
		usage(stderr, EX_USAGE);
	}
	return d;
}

/* FIRST-[LAST], decimal, LAST not before FIRST ("5-2" is no range). */
static int
range_ok(const char *arg)
{
	unsigned long long a, b;
	char *end;

	if (strlen(arg) > 40 || !isdigit((unsigned char)arg[0]))
		return 0;
	errno = 0;
	a = strtoull(arg, &end, 10);
	if (errno != 0 || *end != '-')
		return 0;
	if (end[1] == '\0')
		return 1;
	if (!isdigit((unsigned char)end[1]))
		return 0;
	b = strtoull(end + 1, &end, 10);
	return errno == 0 && *end == '\0' && b >= a;
}

/* Options with values: a range, a page size, a presign lifetime. */
static void
parse_value(int ch, const char *arg, struct sc_get_opts *o, char *range,
    size_t size)
{
	long v;

	if (ch == 'R') {
		if (!range_ok(arg)) {
			warnx("--range %s: want FIRST-[LAST]", arg);
			usage(stderr, EX_USAGE);
		}
		snprintf(range, size, "bytes=%s", arg);
		o->range = range;
	} else if (ch == 'P') {
		if (sc_num_parse_long(arg, 1, 1000, &v) == -1) {
			warnx("--page-size %s: want 1 to 1000", arg);
			usage(stderr, EX_USAGE);
		}
		o->page_size = (int)v;
	} else {
		if (sc_num_parse_long(arg, 1, 604800, &v) == -1) {
			warnx("--presign %s: want 1 to 604800 seconds", arg);
			usage(stderr, EX_USAGE);
		}
		o->presign = v;
	}
}

/* Parse the options into f and *output; returns optind. */
static int
parse_options(int argc, char *argv[], struct fetch *f, const char **output)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "seed", required_argument, NULL, 's' },
		{ "output", required_argument, NULL, 'o' },
		{ "head", no_argument, NULL, 'H' },
		{ "list", no_argument, NULL, 'l' },
		{ "page-size", required_argument, NULL, 'P' },
		{ "presign", required_argument, NULL, 'S' },
		{ "range", required_argument, NULL, 'R' },
		{ "include-open", no_argument, NULL, 'I' },
		{ "runs", no_argument, NULL, 'U' },
		{ "versions", no_argument, NULL, 'W' },
		{ "diff", no_argument, NULL, 'D' },
		{ "text", no_argument, NULL, 1 + SC_RUNS_TEXT },
		{ "csv", no_argument, NULL, 1 + SC_RUNS_CSV },
		{ "json", no_argument, NULL, 1 + SC_RUNS_JSON },
		{ NULL, 0, NULL, 0 },
	};
	static char range[64];
	long seed;
	int ch;

	while ((ch = getopt_long(argc, argv, "hlVvo:", longopts, NULL)) != -1)
		switch (ch) {
		case 'h':
			usage(stdout, EX_OK);
		case 'V':
			sc_cli_version();
		case 'v':
			sc_cli_verbose();
			break;
		case 'f':
			f->from = parse_date("from", optarg);
			break;
		case 't':
			f->to = parse_date("to", optarg);
			break;
		case 's':
			if (sc_num_parse_long(optarg, 0, 0x7fffffffffffffffL,
			        &seed) == -1) {
				warnx("--seed %s: want a non-negative integer",
				    optarg);
				usage(stderr, EX_USAGE);
			}
			f->seed = (uint64_t)seed;
			break;
		case 'o':
			*output = optarg;
			break;
		case 'H':
			f->get.head = 1;
			break;
		case 'l':
			f->get.list = 1;
			break;
		case 'I':
			f->include_open = 1;
			break;
		case 'P':
		case 'R':
		case 'S':
			parse_value(ch, optarg, &f->get, range, sizeof(range));
			break;
		case 'U':
			f->runs = 1;
			break;
		case 'W':
			f->versions = 1;
			break;
		case 'D':
			f->diff = 1;
			break;
		case 1 + SC_RUNS_TEXT:
		case 1 + SC_RUNS_CSV:
		case 1 + SC_RUNS_JSON:
			if (f->format != 0 && f->format != ch) {
				warnx("--text, --csv and --json exclude each "
				      "other");
				usage(stderr, EX_USAGE);
			}
			f->format = ch;
			break;
		default:
			usage(stderr, EX_USAGE);
		}
	return optind;
}

/*
 * The table options: --runs (or --runs --diff A B), --versions
 * models:/NAME, or models:/NAME with a format.  Returns 1 when a table is
 * wanted (after the usage checks), else 0.
 */
static int
table_wanted(struct fetch *f, char **ops, int n)
{
	struct sc_model_ref r;
	struct sc_err e = { 0 };

	if (f->diff && !f->runs) {
		warnx("--diff compares runs: --runs --diff RUN RUN");
		usage(stderr, EX_USAGE);
	}
	if (f->runs && f->versions) {
		warnx("--runs and --versions exclude each other");
		usage(stderr, EX_USAGE);
	}
	if (!f->runs && !f->versions && f->format == 0)
		return 0;
	if (f->get.list || f->get.head || f->get.range != NULL ||
	    f->get.presign > 0) {
		warnx("--list, --head, --range and --presign are not for "
		      "tables");
		usage(stderr, EX_USAGE);
	}
	if (f->runs && n != (f->diff ? 2 : 0)) {
		warnx(f->diff ? "--runs --diff wants two run ids"
		              : "--runs takes no operand");
		usage(stderr, EX_USAGE);
	}
	if (!f->runs &&
	    (n != 1 || sc_registry_parse(ops[0], &r, &e) == -1 ||
	        r.kind != SC_MREF_INDEX)) {
		warnx("%s wants one models:/NAME (or use --runs)",
		    f->versions ? "--versions" : "--text, --csv and --json");
		usage(stderr, EX_USAGE);
	}
	return 1;
}

/* Build the table asked for and write it; returns the exit status. */
static int
fetch_table(struct fetch *f, char **ops)
{
	struct sc_runs_table t = { { 0 }, 0, NULL };
	struct sc_model_ref r;
	struct sc_s3_opts so;
	struct sc_store *st;
	struct sc_err e = { 0 };
	enum sc_runs_format fmt =
	    f->format ? (enum sc_runs_format)(f->format - 1) : SC_RUNS_CSV;
	int rc;

	sc_store_s3_opts(&f->cfg, &so);
	if ((st = sc_store_open(f->cfg.store, &so, &e)) == NULL)
		return sc_cli_report(&e, NULL);
	if (f->runs && f->diff)
		rc = sc_runs_diff(st, ops[0], ops[1], &t, &e);
	else if (f->runs)
		rc = sc_runs_list(st, &t, &e);
	else if ((rc = sc_registry_parse(ops[0], &r, &e)) == 0)
		rc = sc_runs_versions(st, r.name, &t, &e);
	if (rc == 0)
		rc = sc_runs_write(&t, fmt, f->out, &e);
	sc_runs_table_free(&t);
	sc_store_free(st);
	return rc == 0 ? EX_OK : sc_cli_report(&e, NULL);
}

/* Usage errors in the operands, before anything is fetched. */
static int
check_operands(char **ops, int n)
{
	int k, nmarket = 0;
	enum kind kind;

	if (n == 0) {
		warnx("no source given");
		usage(stderr, EX_USAGE);
	}
	for (k = 0; k < n; k++)
		if ((kind = operand_kind(ops[k])) == K_MARKET) {
			check_symbols(ops[k]);
			nmarket++;
		} else if (kind == K_UNKNOWN) {
			warnx("%s: unknown source", ops[k]);
			usage(stderr, EX_USAGE);
		}
	if (nmarket > 0 && nmarket < n) {
		warnx("market data and other sources cannot be mixed");
		usage(stderr, EX_USAGE);
	}
	return nmarket;
}

int
main(int argc, char *argv[])
{
	struct fetch f = { 0 };
	struct sc_err e = { 0 };
	struct sc_out *out;
	const char *output = "-";
	long today = (long)(time(NULL) / 86400);
	int k, nmarket, table, y, m, d, rc;

	sc_cli_init();
	sc_date_to_ymd(today, &y, &m, &d);
	f.from = sc_date_from_ymd(y, 1, 1);
	f.to = today;
	f.get.now = (long)time(NULL);
	k = parse_options(argc, argv, &f, &output);
	argc -= k;
	argv += k;
	if (f.from > f.to) {
		warnx("--from is after --to");
		usage(stderr, EX_USAGE);
	}
	table = table_wanted(&f, argv, argc);
	nmarket = table ? 0 : check_operands(argv, argc);
	if (nmarket > 0 &&
	    (f.get.list || f.get.head || f.get.range != NULL ||
	        f.get.presign > 0)) {
		warnx("--list, --head, --range and --presign are for objects, "
		      "not market data");
		usage(stderr, EX_USAGE);
	}
	if (sc_config_load(&f.cfg, &e) == -1)
		sc_cli_fail(&e, NULL);
	if ((out = sc_out_open(output, &e)) == NULL)
		sc_cli_fail(&e, NULL);
	f.out = sc_out_fp(out);
	f.outname = sc_out_name(out);
	if (table)
		rc = f.status = fetch_table(&f, argv);
	else if (nmarket > 0)
		rc = dispatch_market(&f, argv, argc) == 0 ? EX_OK : -1;
	else
		rc = f.status = dispatch_raw(&f, argv, argc);
	if (rc != EX_OK) {
		/* Already reported (a write error on stdout too): once. */
		sc_out_abort(out);
		sc_config_free(&f.cfg);
		return f.status;
	}
	if (sc_out_commit(out, &e) == -1)
		sc_cli_fail(&e, NULL);
	sc_config_free(&f.cfg);
	sc_cli_flush_stdout();
	return f.status;
}
