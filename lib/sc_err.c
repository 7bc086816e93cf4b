/* SPDX-License-Identifier: ISC */
/*
 * Errors as values.  Messages are formatted into a fixed buffer inside the
 * caller's struct, so reporting an error never allocates and can itself
 * never fail.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "sc_err.h"

static void
ellipsize(char *buf, size_t size, int n)
{
	if (n >= 0 && (size_t)n >= size && size > 4)
		memcpy(buf + size - 4, "...", 4);
}

int
sc_err_set(struct sc_err *e, enum sc_errcode code, long line, const char *fmt,
    ...)
{
	va_list ap;
	int n;

	if (e == NULL)
		return -1;
	e->code = code;
	e->line = line;
	va_start(ap, fmt);
	n = vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	ellipsize(e->msg, sizeof(e->msg), n);
	return -1;
}

int
sc_err_errno(struct sc_err *e, enum sc_errcode code, int errnum,
    const char *fmt, ...)
{
	va_list ap;
	size_t len;
	int n;

	if (e == NULL)
		return -1;
	e->code = code;
	e->line = 0;
	va_start(ap, fmt);
	n = vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	len = (size_t)n < sizeof(e->msg) ? (size_t)n : sizeof(e->msg) - 1;
	n = snprintf(e->msg + len, sizeof(e->msg) - len, ": %s",
	    strerror(errnum));
	ellipsize(e->msg, sizeof(e->msg), n < 0 ? n : (int)len + n);
	return -1;
}

void
sc_err_prefix(struct sc_err *e, const char *fmt, ...)
{
	char old[sizeof(e->msg)], pre[sizeof(e->msg)];
	va_list ap;
	int n;

	if (e == NULL)
		return;
	memcpy(old, e->msg, sizeof(old));
	va_start(ap, fmt);
	vsnprintf(pre, sizeof(pre), fmt, ap);
	va_end(ap);
	n = snprintf(e->msg, sizeof(e->msg), "%s: %s", pre, old);
	ellipsize(e->msg, sizeof(e->msg), n);
}

void
sc_err_clear(struct sc_err *e)
{
	if (e == NULL)
		return;
	e->code = SC_EOK;
	e->line = 0;
	e->msg[0] = '\0';
}

int
sc_exit_status(const struct sc_err *e)
{
	static const int status[] = {
		[SC_EOK] = EX_OK,
		[SC_EUSAGE] = EX_USAGE,
		[SC_EDATA] = EX_DATAERR,
		[SC_ENOINPUT] = EX_NOINPUT,
		[SC_EUNAVAIL] = EX_UNAVAILABLE,
		[SC_EINTERNAL] = EX_SOFTWARE,
		[SC_EOS] = EX_OSERR,
		[SC_ECANTCREAT] = EX_CANTCREAT,
		[SC_EIO] = EX_IOERR,
		[SC_ETEMP] = EX_TEMPFAIL,
		[SC_EPROTO] = EX_PROTOCOL,
		[SC_ENOPERM] = EX_NOPERM,
		[SC_ECONFIG] = EX_CONFIG,
	};

	if (e == NULL)
		return EX_OK;
	if ((unsigned)e->code >= sizeof(status) / sizeof(status[0]))
		return EX_SOFTWARE;
	return status[e->code];
}

const char *
sc_err_name(enum sc_errcode code)
{
	static const char *const names[] = {
		[SC_EOK] = "ok",
		[SC_EUSAGE] = "usage error",
		[SC_EDATA] = "data error",
		[SC_ENOINPUT] = "not found",
		[SC_EUNAVAIL] = "service unavailable",
		[SC_EINTERNAL] = "internal error",
		[SC_EOS] = "operating system error",
		[SC_ECANTCREAT] = "cannot create output",
		[SC_EIO] = "I/O error",
		[SC_ETEMP] = "temporary failure",
		[SC_EPROTO] = "protocol error",
		[SC_ENOPERM] = "permission denied",
		[SC_ECONFIG] = "configuration error",
	};

	if ((unsigned)code >= sizeof(names) / sizeof(names[0]))
		return "unknown error";
	return names[code];
}
