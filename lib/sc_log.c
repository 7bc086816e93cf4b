/* SPDX-License-Identifier: ISC */
/*
 * The log sink is process-wide state set once by main() before any thread
 * starts, then only read, so no lock is needed.
 */
#include <stdarg.h>
#include <stdio.h>

#include "sc_err.h"
#include "sc_log.h"

static sc_log_sink *log_sink;
static void *log_arg;
static enum sc_loglevel log_max = SC_LOG_WARN;

void
sc_log_set(sc_log_sink *sink, void *arg, enum sc_loglevel max)
{
	log_sink = sink;
	log_arg = arg;
	log_max = max;
}

int
sc_log_enabled(enum sc_loglevel level)
{
	return log_sink != NULL && level <= log_max;
}

void
sc_log(enum sc_loglevel level, const char *fmt, ...)
{
	char big[4096], buf[1024];
	va_list ap;
	int n;

	if (!sc_log_enabled(level))
		return;
	va_start(ap, fmt);
	n = vsnprintf(big, sizeof(big), fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	/* Secrets out and control bytes escaped before the cut to 1 KiB. */
	sc_err_clean(buf, sizeof(buf), big,
	    (size_t)n < sizeof(big) ? (size_t)n : sizeof(big) - 1);
	log_sink(level, buf, log_arg);
}
