/* SPDX-License-Identifier: ISC */
/*
 * Pushing metrics to a Prometheus Pushgateway.  The samples of a struct
 * sc_prom are split into groups, one per job and ticker: a sample's own
 * job label (the old system's stock_forecast_test_rmse has one) or the
 * default job, and its ticker label or none.  Each group goes to
 * /metrics/job/<job>[/ticker/<ticker>]{/<label>/<value>} with PUT (replace
 * the group) or POST (merge by metric name).  The group without a ticker,
 * which holds the run's success timestamp and duration, is pushed last, so
 * a run that failed half-way never records a success.  With one_group the
 * tickers share the job's group (ticker labels stay in the body): one
 * request, for universes of thousands of tickers, where the Pushgateway's
 * per-push consistency check over every group gets slow.  Network errors, 429
 * and 5xx are retried with the caller's struct sc_retry; 400 is
 * SC_EPROTO carrying the gateway's own message.
 */
#ifndef SC_PUSHGW_H
#define SC_PUSHGW_H

#include "sc_buf.h"
#include "sc_err.h"
#include "sc_http.h"
#include "sc_prom.h"

struct sc_pushgw_opts {
	const char *url;           /* gateway base URL, http(s)://host:port */
	const char *job;           /* default job */
	const char *const *labels; /* more grouping labels: k, v, ..., NULL */
	int replace;               /* PUT each group; else POST (merge) */
	int dry_run;               /* build and log every request, send none */
	int one_group;             /* no ticker groups: one group per job */
};

/*
 * Check opts before any request: an http[s]://host[:port][/path] URL with
 * no query, fragment, space or control byte (the job path is appended to
 * it), a non-empty job, grouping label names valid and not job or ticker
 * (those come from the job option and the data), the job and every value
 * valid UTF-8.  0 or -1 with SC_EUSAGE.
 */
int sc_pushgw_check(const struct sc_pushgw_opts *, struct sc_err *);

/*
 * Append the URL of one group to b: base (trailing slashes dropped), then
 * /metrics/job/<job>, /ticker/<ticker> unless ticker is NULL, and each
 * pair of labels.  A value holding '/' or empty is written the
 * Pushgateway's way, "<name>@base64/<URL-safe base64>" ("@base64/=" for an
 * empty one); other values are percent-encoded.  0 or -1 (SC_EOS).
 *	sc_pushgw_url(&b, "http://h:9091", "a/b", NULL, NULL, &e);
 *	-> http://h:9091/metrics/job@base64/YS9i
 */
int sc_pushgw_url(struct sc_buf *, const char *base, const char *job,
    const char *ticker, const char *const *labels, struct sc_err *);

/*
 * Add stockcast_last_success_timestamp_seconds = now and, when duration
 * >= 0, stockcast_last_run_duration_seconds = duration, without labels
 * (so they land in the job's group).  0 or -1 (SC_EDATA when the input
 * already had them, SC_EOS).
 */
int sc_pushgw_success(struct sc_prom *, double now, double duration,
    struct sc_err *);

/*
 * Send one request with body (len bytes) to url, retrying network errors,
 * 429 and 5xx as r allows.  Returns the HTTP status (2xx), or -1 with
 * SC_EUNAVAIL (unreachable or 5xx after the retries), SC_ETEMP (timeouts or
 * 429 after the retries), SC_EPROTO (400 and other 4xx, with the gateway's
 * message), SC_ENOPERM (401, 403).  Credentials in url never appear in a
 * message.
 */
int sc_pushgw_send(struct sc_http *, struct sc_retry *, const char *method,
    const char *url, const char *body, size_t len, struct sc_err *);

/*
 * Push every group of p as opts says (see the top of this file); with
 * opts->dry_run nothing is sent and h may be NULL.  Returns the number of
 * groups pushed, or -1 as sc_pushgw_send() (groups before the failing one
 * stay pushed; the job group, pushed last, is not).
 */
int sc_pushgw_push(struct sc_http *h, struct sc_retry *r,
    const struct sc_pushgw_opts *opts, const struct sc_prom *p,
    struct sc_err *);

/* Delete the group of job and labels (DELETE, 202); as sc_pushgw_send(). */
int sc_pushgw_delete(struct sc_http *h, struct sc_retry *r,
    const struct sc_pushgw_opts *opts, const char *ticker, struct sc_err *);

#endif
