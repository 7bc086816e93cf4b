/* SPDX-License-Identifier: ISC */
/*
 * Program-side helpers shared by every sc-* program.  The program name
 * comes from glibc's program_invocation_short_name, as err(3) uses it.
 */
#include <err.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "sc_cli.h"
#include "sc_io.h"
#include "sc_log.h"
#include "sc_num.h"

extern char *program_invocation_short_name;

static enum sc_loglevel verbosity = SC_LOG_WARN;

/*
 * Every line a program writes to stderr comes here: "prog: msg", with
 * ": strerror(errnum)" when errnum is not 0, cleaned (secrets out, control
 * bytes escaped) before it is cut to a line of 2 KiB.
 */
static void
vsay(int errnum, const char *fmt, va_list ap)
{
	char big[8192], line[2048];
	int n;

	n = vsnprintf(big, sizeof(big), fmt, ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof(big))
		n = sizeof(big) - 1;
	if (errnum != 0)
		snprintf(big + n, sizeof(big) - (size_t)n, ": %s",
		    strerror(errnum));
	sc_err_clean(line, sizeof(line), big, strlen(big));
	fflush(stdout);
	fprintf(stderr, "%s: %s\n", program_invocation_short_name, line);
}

void
sc_cli_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(0, fmt, ap);
	va_end(ap);
}

void
sc_cli_warn(const char *fmt, ...)
{
	int errnum = errno;
	va_list ap;

	va_start(ap, fmt);
	vsay(errnum, fmt, ap);
	va_end(ap);
}

void
sc_cli_errx(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(0, fmt, ap);
	va_end(ap);
	exit(status);
}

void
sc_cli_err(int status, const char *fmt, ...)
{
	int errnum = errno;
	va_list ap;

	/* Permission is refused the same way everywhere (77). */
	if (errnum == EACCES || errnum == EPERM)
		status = EX_NOPERM;
	va_start(ap, fmt);
	vsay(errnum, fmt, ap);
	va_end(ap);
	exit(status);
}

static void
stderr_sink(enum sc_loglevel level, const char *msg, void *arg)
{
	(void)level;
	(void)arg;
	sc_cli_warnx("%s", msg);
}

static void
on_fatal_signal(int sig)
{
	sc_out_cleanup_signal();
	signal(sig, SIG_DFL);
	raise(sig);
}

void
sc_cli_init(void)
{
	static const int sigs[] = { SIGHUP, SIGINT, SIGTERM, SIGPIPE };
	struct sigaction sa;
	size_t i;

	sc_log_set(stderr_sink, NULL, verbosity);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_fatal_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
	/* Past a file-size limit (ulimit -f) write(2) fails with EFBIG, which
	 * is reported and exits 74 with the temporary file removed, instead
	 * of a kill that leaves it behind. */
	signal(SIGXFSZ, SIG_IGN);
}

void
sc_cli_verbose(void)
{
	if (verbosity < SC_LOG_DEBUG)
		verbosity++;
	sc_log_set(stderr_sink, NULL, verbosity);
}

void
sc_cli_version(void)
{
	printf("%s (stockcast) %s\n", program_invocation_short_name,
	    SC_VERSION);
	sc_cli_flush_stdout();
	exit(EX_OK);
}

int
sc_cli_report(const struct sc_err *e, const char *place)
{
	const char *msg = e->msg[0] != '\0' ? e->msg : sc_err_name(e->code);

	if (place != NULL && e->line > 0)
		warnx("%s:%ld: %s", place, e->line, msg);
	else if (place != NULL)
		warnx("%s: %s", place, msg);
	else if (e->line > 0)
		warnx("line %ld: %s", e->line, msg);
	else
		warnx("%s", msg);
	return sc_exit_status(e);
}

void
sc_cli_fail(const struct sc_err *e, const char *place)
{
	int status = sc_cli_report(e, place);

	exit(status == EX_OK ? EX_SOFTWARE : status);
}

void
sc_cli_flush_stdout(void)
{
	if (fflush(stdout) == EOF || ferror(stdout)) {
		/* errno says why when fflush failed; a stream already in error
		 * from an earlier write may not set it. */
		if (errno == 0)
			errx(EX_IOERR, "stdout: write error");
		err(EX_IOERR, "stdout");
	}
}

int
sc_cli_progress(int forced)
{
	return forced || isatty(STDERR_FILENO);
}

void
sc_cli_bad_value(const char *opt, const char *why, sc_cli_usage_fn *usage)
{
	warnx("--%s: %s", opt, why);
	usage(stderr, EX_USAGE);
	exit(EX_USAGE); /* usage() does not return; this says so */
}

long
sc_cli_long(const char *opt, const char *s, long lo, long hi,
    sc_cli_usage_fn *usage)
{
	char why[80];
	long v;

	if (sc_num_parse_long(s, lo, hi, &v) == -1) {
		snprintf(why, sizeof(why), "%.20s: want an integer in %ld..%ld",
		    s, lo, hi);
		sc_cli_bad_value(opt, why, usage);
	}
	return v;
}

/* The forest options of sc-forest, for every program that fits forests. */
int
sc_cli_forest_option(int ch, const char *arg, struct sc_forest_params *p,
    sc_cli_usage_fn *usage)
{
	struct sc_err e = { 0 };
	struct sc_share *sh = NULL;
	const char *name = NULL;
	int names = 0;
	long min = 1;

	switch (ch) {
	case SC_CLI_OPT_TREES:
		p->trees = (int)sc_cli_long("trees", arg, 1, 100000, usage);
		return 1;
	case SC_CLI_OPT_DEPTH:
		p->max_depth =
		    (int)sc_cli_long("max-depth", arg, 1, 100000, usage);
		return 1;
	case SC_CLI_OPT_LEAF:
		p->min_samples_leaf =
		    sc_cli_long("min-samples-leaf", arg, 1, 1000000000L, usage);
		return 1;
	case SC_CLI_OPT_NOBOOT:
		p->bootstrap = 0;
		return 1;
	case SC_CLI_OPT_SEED:
		p->seed =
		    (uint64_t)sc_cli_long("seed", arg, 0, LONG_MAX, usage);
		return 1;
	case SC_CLI_OPT_SPLIT:
		name = "min-samples-split";
		sh = &p->min_samples_split;
		min = 2;
		break;
	case SC_CLI_OPT_FEATURES:
		name = "max-features";
		sh = &p->max_features;
		names = 1;
		break;
	case SC_CLI_OPT_SAMPLES:
		name = "max-samples";
		sh = &p->max_samples;
		break;
	default:
		return 0;
	}
	if (sc_share_parse(arg, names, min, sh, &e) == -1)
		sc_cli_bad_value(name, e.msg, usage);
	return 1;
}
