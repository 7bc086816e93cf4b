/* SPDX-License-Identifier: ISC */
/*
 * Quiet-by-default logging without printing from the library: lib/ calls
 * sc_log() and the message goes to the sink a program installed (the
 * programs install one that writes "prog: message" to stderr).  With no
 * sink, or below the level set, messages are dropped.  Every message is
 * cleaned by sc_err_clean() (registered secrets, URL passwords and
 * credential parameters shown as "***", control bytes escaped) before it
 * reaches the sink; still, never pass a secret on purpose.
 */
#ifndef SC_LOG_H
#define SC_LOG_H

enum sc_loglevel {
	SC_LOG_WARN = 0, /* shown unless -q */
	SC_LOG_INFO = 1, /* shown with -v */
	SC_LOG_DEBUG = 2 /* shown with -vv */
};

typedef void sc_log_sink(enum sc_loglevel, const char *msg, void *arg);

/* Install sink (NULL: drop everything) and the highest level it gets. */
void sc_log_set(sc_log_sink *sink, void *arg, enum sc_loglevel max);

/* Non-zero when a message at level would reach a sink. */
int sc_log_enabled(enum sc_loglevel);

/* Format a message, clean it, cut it to 1 KiB and hand it to the sink. */
void sc_log(enum sc_loglevel, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
