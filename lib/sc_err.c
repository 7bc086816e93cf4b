/* SPDX-License-Identifier: ISC */
/*
 * Errors as values.  Messages are formatted into a fixed buffer inside the
 * caller's struct, so reporting an error never allocates and can itself
 * never fail.  Every message is cleaned on its way in (sc_err_clean()):
 * secrets out first, then control bytes escaped, and only then cut to size,
 * so that no cut can leave part of a secret behind.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>

#include "sc_err.h"

#define MAX_SECRETS 16
#define BIG 4096 /* a message as formatted, before cleaning */

/* Set once by main() before any thread starts, then only read. */
static char *secrets[MAX_SECRETS];
static size_t nsecrets;

int
sc_err_secret(const char *s)
{
	size_t i;

	if (s == NULL || strlen(s) < SC_ERR_SECRET_MIN)
		return 0;
	for (i = 0; i < nsecrets; i++)
		if (strcmp(secrets[i], s) == 0)
			return 0;
	if (nsecrets == MAX_SECRETS || (secrets[nsecrets] = strdup(s)) == NULL)
		return -1;
	nsecrets++;
	return 0;
}

void
sc_err_secret_clear(void)
{
	while (nsecrets > 0) {
		nsecrets--;
		explicit_bzero(secrets[nsecrets], strlen(secrets[nsecrets]));
		free(secrets[nsecrets]);
		secrets[nsecrets] = NULL;
	}
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* The byte n hex digits at p spell, or -1. */
static int
hexbyte(const char *p, const char *end, int n)
{
	int v = 0, d, i;

	if (end - p < n)
		return -1;
	for (i = 0; i < n; i++) {
		if ((d = hexval((unsigned char)p[i])) == -1)
			return -1;
		v = v * 16 + d;
	}
	return v;
}

/*
 * How many bytes at m spell the byte c: raw, percent-encoded (any case,
 * and encoded twice as %25XX), '+' for a space, JSON's \/ and \u00XX;
 * 0 if none.
 */
static size_t
spells(const char *m, const char *end, unsigned char c)
{
	if ((unsigned char)*m == c)
		return 1;
	if (*m == '%' && hexbyte(m + 1, end, 2) == c)
		return 3;
	if (*m == '%' && end - m >= 5 && m[1] == '2' && m[2] == '5' &&
	    hexbyte(m + 3, end, 2) == c)
		return 5;
	if (*m == '+' && c == ' ')
		return 1;
	if (*m == '\\' && end - m >= 2 && m[1] == '/' && c == '/')
		return 2;
	if (*m == '\\' && end - m >= 6 && m[1] == 'u' &&
	    hexbyte(m + 2, end, 4) == c)
		return 6;
	return 0;
}

/* Non-zero when p is where a text was cut: its end, or "..." there. */
static int
cut_at(const char *p, const char *end)
{
	return p == end || (end - p >= 3 && memcmp(p, "...", 3) == 0);
}

/*
 * The length of the form of secret s that starts at m, or 0.  A text cut
 * inside a secret ends with a prefix of it (maybe inside an escape, maybe
 * then "..."): 4 bytes of a secret there count as the secret, so no cut
 * leaks part of one.
 */
static size_t
secret_at(const char *m, const char *end, const char *s)
{
	const char *p = m, *q;
	size_t k, n, slen = strlen(s);

	for (k = 0; k < slen; k++) {
		if (p == end || (n = spells(p, end, (unsigned char)s[k])) == 0)
			break;
		p += n;
	}
	if (k == slen)
		return (size_t)(p - m);
	if (k < 4)
		return 0;
	q = p;
	if (q < end && (*q == '%' || *q == '\\'))
		while (q < end && q - p < 5 && !cut_at(q, end))
			q++;
	return cut_at(q, end) ? (size_t)(q - m) : 0;
}

/* Names whose value is a credential wherever it shows: name=, name: ... */
static const char *const cred_names[] = { "X-Amz-Security-Token",
	"X-Amz-Signature", "X-Amz-Credential", "Signature", "Credential",
	"token", "access_token", "apikey", "api_key", "password", "passwd",
	"secret", "sig", "AWSAccessKeyId", "SecurityToken", NULL };

static int
value_end(int c)
{
	return c == '\0' || c == '&' || c == '"' || c == '\'' || c == '<' ||
	    c == '#' || c == ',' || c == ';' || isspace(c);
}

/*
 * The length of a credential's value at m, when m - 1 ends one of
 * cred_names used as a parameter (?name=, &name=, " name=", name: in a
 * header, <name> in XML); 0 otherwise.  start is the message's first byte.
 */
static size_t
cred_value_at(const char *start, const char *m, const char *end)
{
	const char *const *n;
	const char *p, *w;
	size_t len;
	char sep;

	if (m == start)
		return 0;
	sep = m[-1];
	if (sep != '=' && sep != ':' && sep != '>' &&
	    !(sep == ' ' && m - start >= 2 && m[-2] == ':'))
		return 0;
	p = sep == ' ' ? m - 2 : m - 1; /* the separator */
	for (n = cred_names; *n != NULL; n++) {
		len = strlen(*n);
		if ((size_t)(p - start) < len ||
		    strncasecmp(p - len, *n, len) != 0)
			continue;
		/* The name must stand alone: not the end of a longer word. */
		w = p - len; /* the name's first byte */
		if (w > start &&
		    (isalnum((unsigned char)w[-1]) || w[-1] == '_' ||
		        w[-1] == '-' || w[-1] == '/'))
			continue;
		/* "token:" in prose is not a header; values never start
		 * with a space here. */
		if ((sep == ':' || sep == ' ') && p - len != start &&
		    strncasecmp(*n, "X-Amz-", 6) != 0)
			continue;
		break;
	}
	if (*n == NULL)
		return 0;
	for (p = m; p < end && !value_end((unsigned char)*p); p++)
		;
	return (size_t)(p - m);
}

/*
 * The length of the password at m in scheme://user:PASSWORD@host, when m
 * follows the ':' of a URL's user part; 0 otherwise.
 */
static size_t
url_password_at(const char *start, const char *m, const char *end)
{
	const char *p, *at;

	if (m == start || m[-1] != ':')
		return 0;
	/* Walk back over the user name to "://". */
	for (p = m - 1; p > start && strchr("/?#@ \t\"'<>", p[-1]) == NULL; p--)
		;
	if (p - start < 3 || memcmp(p - 3, "://", 3) != 0 || p == m - 1)
		return 0;
	for (at = m; at < end && strchr("/?#@ \t\"'<>", *at) == NULL; at++)
		;
	if (at == end || *at != '@')
		return 0;
	return (size_t)(at - m);
}

/* The length of a secret at m, of any kind, or 0. */
static size_t
secret_len(const char *start, const char *m, const char *end)
{
	size_t i, n;

	if ((n = cred_value_at(start, m, end)) > 0 ||
	    (n = url_password_at(start, m, end)) > 0)
		return n;
	for (i = 0; i < nsecrets; i++)
		if ((n = secret_at(m, end, secrets[i])) > 0)
			return n;
	return 0;
}

size_t
sc_err_clean(char *out, size_t size, const char *in, size_t len)
{
	const char *m = in, *end = in + len;
	size_t n = 0, k, w;
	char esc[8];
	const char *piece;
	int cut = 0;

	if (size == 0)
		return 0;
	while (m < end && !cut) {
		if ((k = secret_len(in, m, end)) > 0) {
			piece = "***";
			w = 3;
			m += k;
		} else if ((unsigned char)*m < 0x20 || *m == 0x7f) {
			snprintf(esc, sizeof(esc), "\\x%02x",
			    (unsigned char)*m);
			piece = esc;
			w = 4;
			m++;
		} else {
			piece = m;
			w = 1;
			m++;
		}
		if (n + w >= size) {
			cut = 1;
			break;
		}
		memcpy(out + n, piece, w);
		n += w;
	}
	if (cut && size > 4) {
		/* Cut at a piece's edge, never inside an escape or "***". */
		if (n > size - 4)
			n = size - 4;
		memcpy(out + n, "...", 3);
		n += 3;
	}
	out[n] = '\0';
	return n;
}

/* Format into big, clean into out (of size) and return the length. */
static size_t
vclean(char *out, size_t size, const char *fmt, va_list ap)
{
	char big[BIG];
	int n;

	n = vsnprintf(big, sizeof(big), fmt, ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof(big))
		n = sizeof(big) - 1;
	return sc_err_clean(out, size, big, (size_t)n);
}

int
sc_err_set(struct sc_err *e, enum sc_errcode code, long line, const char *fmt,
    ...)
{
	va_list ap;

	if (e == NULL)
		return -1;
	e->code = code;
	e->line = line;
	va_start(ap, fmt);
	vclean(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return -1;
}

int
sc_err_errno(struct sc_err *e, enum sc_errcode code, int errnum,
    const char *fmt, ...)
{
	char cause[128];
	va_list ap;
	size_t room, len;

	if (e == NULL)
		return -1;
	/* Permission is refused the same way everywhere (77). */
	e->code = errnum == EACCES || errnum == EPERM ? SC_ENOPERM : code;
	e->line = 0;
	snprintf(cause, sizeof(cause), ": %s", strerror(errnum));
	/* The cause always fits: the place gives way when the whole is too
	 * long ("File name too long" must survive a long name). */
	room = sizeof(e->msg) - strlen(cause);
	va_start(ap, fmt);
	len = vclean(e->msg, room, fmt, ap);
	va_end(ap);
	memcpy(e->msg + len, cause, strlen(cause) + 1);
	return -1;
}

void
sc_err_prefix(struct sc_err *e, const char *fmt, ...)
{
	char old[sizeof(e->msg)], pre[sizeof(e->msg)];
	size_t olen, plen, room, max = sizeof(e->msg) - 1;
	va_list ap;

	if (e == NULL)
		return;
	memcpy(old, e->msg, sizeof(old));
	olen = strlen(old);
	/* The prefix gives way to the message when both do not fit, but
	 * keeps a readable start. */
	room = max - 2 > olen + 64 ? max - 2 - olen + 1 : 64;
	va_start(ap, fmt);
	plen = vclean(pre, room, fmt, ap);
	va_end(ap);
	memcpy(e->msg, pre, plen);
	memcpy(e->msg + plen, ": ", 2);
	if (plen + 2 + olen > max) {
		olen = max - plen - 2;
		memcpy(old + olen - 3, "...", 3);
	}
	memcpy(e->msg + plen + 2, old, olen);
	e->msg[plen + 2 + olen] = '\0';
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
