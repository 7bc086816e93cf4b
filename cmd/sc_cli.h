/* SPDX-License-Identifier: ISC */
/*
 * What every program does the same way, kept out of libsc because it
 * prints and exits: the version line, the stderr log sink (-v), the
 * fatal-signal handler that removes half-written output files, reporting a
 * library error as "prog: place:line: message" with its sysexits status, and
 * the final check that stdout was really written.
 */
#ifndef SC_CLI_H
#define SC_CLI_H

#include <stdio.h>

#include "sc_err.h"
#include "sc_forest.h"

#define SC_VERSION "0.1.0"

/*
 * Every message to stderr goes through these (err(3) and warnx(3) below are
 * macros for them): "prog: msg", cleaned by sc_err_clean() so no registered
 * secret, URL password, credential parameter or control byte is printed.
 * sc_cli_err() exits 77 for EACCES and EPERM whatever the status asked.
 */
void sc_cli_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void sc_cli_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void sc_cli_errx(int, const char *, ...)
    __attribute__((format(printf, 2, 3), noreturn));
void sc_cli_err(int, const char *, ...)
    __attribute__((format(printf, 2, 3), noreturn));
#define warnx(...) sc_cli_warnx(__VA_ARGS__)
#define warn(...) sc_cli_warn(__VA_ARGS__)
#define errx(...) sc_cli_errx(__VA_ARGS__)
#define err(...) sc_cli_err(__VA_ARGS__)

/* Call first: installs the log sink and the signal handlers. */
void sc_cli_init(void);

/* One more -v: INFO after the first, DEBUG after the second. */
void sc_cli_verbose(void);

/* Print "prog (stockcast) VERSION" on stdout and exit 0. */
void sc_cli_version(void) __attribute__((noreturn));

/*
 * Report e as "prog: place:line: msg" (place may be NULL; the line only when
 * e->line > 0) and exit with sc_exit_status(e).
 */
void sc_cli_fail(const struct sc_err *, const char *place)
    __attribute__((noreturn));

/* Report e as sc_cli_fail() does, without exiting; returns the status. */
int sc_cli_report(const struct sc_err *, const char *place);

/* Flush stdout; on a write error (disk full, closed pipe) exit 74. */
void sc_cli_flush_stdout(void);

/* A program's usage(): print to fp and exit with status. */
typedef void sc_cli_usage_fn(FILE *fp, int status);

/*
 * Report a bad option value as "prog: --opt: why", then call
 * usage(stderr, 64), which does not return.
 */
void sc_cli_bad_value(const char *opt, const char *why, sc_cli_usage_fn *)
    __attribute__((noreturn));

/*
 * The integer in [lo, hi] that s spells; anything else is a bad value of
 * --opt ("x: want an integer in lo..hi") and ends the program as above.
 */
long sc_cli_long(const char *opt, const char *s, long lo, long hi,
    sc_cli_usage_fn *);

/* Non-zero when progress should be shown: --progress, or stderr a tty. */
int sc_cli_progress(int forced);

/*
 * sc-forest's forest options, shared: add SC_CLI_FOREST_LONGOPTS to a
 * program's long options and pass every option to sc_cli_forest_option(),
 * which sets p from a forest option and returns 1 (a bad value ends the
 * program through usage), or returns 0 for any other option.
 */
enum {
	SC_CLI_OPT_TREES = 0x200,
	SC_CLI_OPT_DEPTH,
	SC_CLI_OPT_SPLIT,
	SC_CLI_OPT_LEAF,
	SC_CLI_OPT_FEATURES,
	SC_CLI_OPT_NOBOOT,
	SC_CLI_OPT_SAMPLES,
	SC_CLI_OPT_SEED
};
#define SC_CLI_FOREST_LONGOPTS                                                 \
	{ "trees", required_argument, NULL, SC_CLI_OPT_TREES },                \
	    { "max-depth", required_argument, NULL, SC_CLI_OPT_DEPTH },        \
	    { "min-samples-split", required_argument, NULL,                    \
		    SC_CLI_OPT_SPLIT },                                        \
	    { "min-samples-leaf", required_argument, NULL, SC_CLI_OPT_LEAF },  \
	    { "max-features", required_argument, NULL, SC_CLI_OPT_FEATURES },  \
	    { "no-bootstrap", no_argument, NULL, SC_CLI_OPT_NOBOOT },          \
	    { "max-samples", required_argument, NULL, SC_CLI_OPT_SAMPLES },    \
	{                                                                      \
		"seed", required_argument, NULL, SC_CLI_OPT_SEED               \
	}
int sc_cli_forest_option(int ch, const char *arg, struct sc_forest_params *p,
    sc_cli_usage_fn *usage);

#endif
