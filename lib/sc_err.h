/* SPDX-License-Identifier: ISC */
/*
 * Errors as values: the only way lib/ reports failure.  A failing call
 * returns -1 (or NULL) and fills a caller-owned struct sc_err with a code,
 * the 1-based input line when there is one, and a message without the
 * program name or a newline.  Programs map the code to a sysexits(3) status
 * with sc_exit_status().  The library never prints and never exits.
 */
#ifndef SC_ERR_H
#define SC_ERR_H

enum sc_errcode {
	SC_EOK = 0,
	SC_EUSAGE,     /* bad option or operand (64) */
	SC_EDATA,      /* malformed input data (65) */
	SC_ENOINPUT,   /* input, object or symbol not found (66) */
	SC_EUNAVAIL,   /* remote service unavailable after retries (69) */
	SC_EINTERNAL,  /* broken invariant: a bug (70) */
	SC_EOS,        /* out of memory or another OS failure (71) */
	SC_ECANTCREAT, /* cannot create an output (73) */
	SC_EIO,        /* a read or write failed (74) */
	SC_ETEMP,      /* retryable failure that outlasted its retries (75) */
	SC_EPROTO,     /* unparseable reply or unexpected 4xx (76) */
	SC_ENOPERM,    /* permission denied, HTTP 401/403 (77) */
	SC_ECONFIG     /* configuration missing or wrong (78) */
};

struct sc_err {
	enum sc_errcode code;
	long line;     /* 1-based input line; 0 if none */
	char msg[256]; /* no program name, no newline */
};

/*
 * Set *e (which may be NULL) to code, line and a printf-style message, and
 * return -1 so that a failure site reads
 *	return sc_err_set(e, SC_EDATA, n, "expected %d fields, got %d", w, g);
 * A message longer than the buffer is cut short with "...".
 */
int sc_err_set(struct sc_err *, enum sc_errcode, long, const char *, ...)
    __attribute__((format(printf, 4, 5)));

/* Like sc_err_set(), but appends ": " and strerror(errnum). */
int sc_err_errno(struct sc_err *, enum sc_errcode, int errnum, const char *,
    ...) __attribute__((format(printf, 4, 5)));

/*
 * Put "prefix: " in front of the message of an error already set, so a
 * caller can add the place it knows (a file or a column name).
 */
void sc_err_prefix(struct sc_err *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

/* Clear *e to "no error". */
void sc_err_clear(struct sc_err *);

/* The sysexits(3) status for e->code: 0 for SC_EOK, 70 for an unknown code. */
int sc_exit_status(const struct sc_err *);

/* A short name for a code ("data error", "not found", ...). */
const char *sc_err_name(enum sc_errcode);

#endif
