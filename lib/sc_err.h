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
	char msg[512]; /* no program name, no newline, no secret */
};

/*
 * Set *e (which may be NULL) to code, line and a printf-style message, and
 * return -1 so that a failure site reads
 *	return sc_err_set(e, SC_EDATA, n, "expected %d fields, got %d", w, g);
 * The message is cleaned as sc_err_clean() does, so no message holds a
 * secret or a control byte, and a message longer than the buffer is cut
 * short with "..." after that.
 */
int sc_err_set(struct sc_err *, enum sc_errcode, long, const char *, ...)
    __attribute__((format(printf, 4, 5)));

/*
 * Like sc_err_set(), but appends ": " and strerror(errnum), which always
 * survives a cut (the formatted part gives way).  EACCES and EPERM set
 * SC_ENOPERM (77) whatever the code asked: permission is refused the same
 * way everywhere.
 */
int sc_err_errno(struct sc_err *, enum sc_errcode, int errnum, const char *,
    ...) __attribute__((format(printf, 4, 5)));

/*
 * Put "prefix: " in front of the message of an error already set, so a
 * caller can add the place it knows (a file or a column name).
 */
void sc_err_prefix(struct sc_err *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * Secrets.  A program registers every secret it holds (sc_config_load()
 * does it for the configuration's keys and tokens) before any thread
 * starts; from then on every message made here, and every message
 * cleaned with sc_err_clean(), shows "***" in place of:
 *   - a registered secret, raw or encoded: percent-encoded (any case, or
 *     twice as %25XX), '+' for a space, JSON's \/ and \u00XX, and a cut
 *     message's last bytes when they begin one (4 bytes and half of it);
 *   - the password of scheme://user:PASSWORD@host;
 *   - the value of a credential parameter or header (X-Amz-Signature,
 *     X-Amz-Security-Token, X-Amz-Credential, token, apikey, api_key,
 *     password, secret, sig, Signature=, Credential=...).
 * Secrets shorter than SC_ERR_SECRET_MIN bytes are not registered (hiding
 * them would mangle every message).  The copy is kept until
 * sc_err_secret_clear().  Returns 0, or -1 when the table (16) is full or
 * out of memory.
 */
#define SC_ERR_SECRET_MIN 6
int sc_err_secret(const char *);

/* Forget (and wipe) every registered secret. */
void sc_err_secret_clear(void);

/*
 * Copy len bytes of in to out (of size bytes, NUL-terminated) with every
 * secret replaced by "***" and every control byte written as \xNN, then cut
 * to size with "..." (never inside a replacement).  Returns the length.
 */
size_t sc_err_clean(char *out, size_t size, const char *in, size_t len);

/* Clear *e to "no error". */
void sc_err_clear(struct sc_err *);

/* The sysexits(3) status for e->code: 0 for SC_EOK, 70 for an unknown code. */
int sc_exit_status(const struct sc_err *);

/* A short name for a code ("data error", "not found", ...). */
const char *sc_err_name(enum sc_errcode);

#endif
