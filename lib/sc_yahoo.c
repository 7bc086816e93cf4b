/* SPDX-License-Identifier: ISC */
/*
 * Yahoo chart v8 bodies.  The classifier reads the body as JSON only when
 * it does not look like HTML or a plain-text rate-limit line, and keys off
 * chart.error before the status (Yahoo has sent "Not Found" with 200 as
 * well as 404).  The parser trusts nothing: every array must have the
 * timestamp array's length and every element must be a number or null.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "sc_date.h"
#include "sc_http.h"
#include "sc_log.h"
#include "sc_tz.h"
#include "sc_yahoo.h"

int
sc_yahoo_url(struct sc_buf *b, const char *base, const char *symbol, long from,
    long to, const char *crumb, struct sc_err *e)
{
	size_t blen = strlen(base);

	while (blen > 0 && base[blen - 1] == '/')
		blen--;
	if (sc_buf_printf(b, e, "%.*s/v8/finance/chart/", (int)blen, base) ==
	        -1 ||
	    sc_http_escape(b, symbol, 0, e) == -1 ||
	    sc_buf_printf(b, e,
	        "?period1=%lld&period2=%lld&interval=1d"
	        "&events=div%%2Csplits&includePrePost=false",
	        (long long)(from - 1) * 86400,
	        (long long)(to + 2) * 86400) == -1)
		return -1;
	if (crumb != NULL &&
	    (sc_buf_printf(b, e, "&crumb=") == -1 ||
	        sc_http_escape(b, crumb, 0, e) == -1))
		return -1;
	return 0;
}

static int
contains(const char *body, size_t len, const char *needle)
{
	size_t n = strlen(needle), i;

	for (i = 0; i + n <= len; i++)
		if (strncasecmp(body + i, needle, n) == 0)
			return 1;
	return 0;
}

static enum sc_market_class
classify_error(json_t *err, long status, char *msg, size_t size)
{
	const char *code = json_string_value(json_object_get(err, "code"));
	const char *desc =
	    json_string_value(json_object_get(err, "description"));

	if (desc == NULL)
		desc = code != NULL ? code : "error";
	sc_market_snippet(desc, strlen(desc), msg, size);
	if (code == NULL)
		return SC_MARKET_MALFORMED;
	if (strcasecmp(code, "Not Found") == 0 ||
	    strcasecmp(code, "Bad Request") == 0)
		return SC_MARKET_NOT_FOUND;
	if (strcasecmp(code, "Unauthorized") == 0 ||
	    strcasecmp(code, "Forbidden") == 0 || status == 401 ||
	    status == 403)
		return SC_MARKET_AUTH;
	if (strcasecmp(code, "Too Many Requests") == 0 || status == 429)
		return SC_MARKET_RETRY;
	if (status >= 500)
		return SC_MARKET_DOWN;
	return SC_MARKET_MALFORMED;
}

/* A result without timestamps is an empty window if its quote is empty. */
static enum sc_market_class
classify_result(json_t *res, char *msg, size_t size)
{
	json_t *quote, *v;
	const char *key;

	if (json_object_get(res, "timestamp") != NULL)
		return SC_MARKET_OK;
	quote =
	    json_array_get(json_object_get(json_object_get(res, "indicators"),
	                       "quote"),
	        0);
	json_object_foreach(quote, key, v)
	{
		if (json_is_array(v) && json_array_size(v) > 0) {
			snprintf(msg, size, "quote arrays without timestamps");
			return SC_MARKET_MALFORMED;
		}
	}
	return SC_MARKET_EMPTY;
}

static enum sc_market_class
classify_status(long status, const char *body, size_t len, char *msg,
    size_t size)
{
	sc_market_snippet(body, len, msg, size);
	if (status == 429)
		return SC_MARKET_RETRY;
	if (status >= 500)
		return SC_MARKET_DOWN;
	if (status == 401 || status == 403)
		return SC_MARKET_AUTH;
	if (status == 404)
		return SC_MARKET_NOT_FOUND;
	if (status >= 300 && status < 400) {
		/* The chart API redirects only to a consent or login page. */
		snprintf(msg, size,
		    "redirected (HTTP %ld), probably to a "
		    "consent page",
		    status);
		return SC_MARKET_BLOCKED;
	}
	return SC_MARKET_MALFORMED;
}

enum sc_market_class
sc_yahoo_classify(long status, const char *ctype, const char *body, size_t len,
    char *msg, size_t size)
{
	enum sc_market_class c;
	json_t *root, *chart, *err, *res;
	json_error_t je;

	msg[0] = '\0';
	if (status == 429 ||
	    contains(body, len < 200 ? len : 200, "Too Many Requests")) {
		sc_market_snippet(body, len, msg, size);
		return SC_MARKET_RETRY;
	}
	if (sc_market_is_html(body, len) ||
	    (ctype != NULL && strncasecmp(ctype, "text/html", 9) == 0)) {
		if (contains(body, len, "Will be right back") ||
		    status >= 500) {
			snprintf(msg, size, "Yahoo is down (maintenance page)");
			return SC_MARKET_DOWN;
		}
		snprintf(msg, size,
		    "an HTML page instead of data (blocked, or a consent "
		    "page)");
		return SC_MARKET_BLOCKED;
	}
	if ((root = json_loadb(body, len, 0, &je)) == NULL)
		return status >= 200 && status < 300
		    ? (snprintf(msg, size,
		           "not valid JSON: line %d column %d: %s", je.line,
		           je.column, je.text),
		          SC_MARKET_MALFORMED)
		    : classify_status(status, body, len, msg, size);
	chart = json_object_get(root, "chart");
	if (chart == NULL)
		chart = json_object_get(root, "finance");
	err = json_object_get(chart, "error");
	res = json_array_get(json_object_get(chart, "result"), 0);
	if (json_is_object(err))
		c = classify_error(err, status, msg, size);
	else if (status < 200 || status >= 300)
		c = classify_status(status, body, len, msg, size);
	else if (!json_is_object(res)) {
		snprintf(msg, size, "no chart result in the answer");
		c = SC_MARKET_MALFORMED;
	} else
		c = classify_result(res, msg, size);
	json_decref(root);
	return c;
}

enum sc_market_class
sc_yahoo_crumb(long status, const char *body, size_t len, char *crumb,
    size_t size)
{
	size_t i;

	crumb[0] = '\0';
	if (status == 429 || len == 0 || contains(body, len, "Too Many") ||
	    sc_market_is_html(body, len))
		return SC_MARKET_RETRY;
	if (status == 401 || status == 403)
		return SC_MARKET_AUTH;
	if (status >= 500)
		return SC_MARKET_DOWN;
	if (status < 200 || status >= 300 || len >= size || len > 64)
		return SC_MARKET_MALFORMED;
	for (i = 0; i < len; i++)
		if (body[i] <= ' ' || body[i] > '~' || body[i] == '<')
			return SC_MARKET_MALFORMED;
	memcpy(crumb, body, len);
	crumb[len] = '\0';
	return SC_MARKET_OK;
}

/* Element i of a value array as a double; NaN for null; -1 for junk. */
static int
element(json_t *arr, size_t i, double *v)
{
	json_t *x;

	if (arr == NULL) {
		*v = NAN;
		return 0;
	}
	x = json_array_get(arr, i);
	if (json_is_null(x)) {
		*v = NAN;
		return 0;
	}
	if (!json_is_number(x))
		return -1;
	*v = json_number_value(x);
	return isfinite(*v) ? 0 : -1;
}

struct chart {
	json_t *ts, *open, *high, *low, *close, *volume, *adj;
	struct sc_tz *tz;
	long gmtoff;
};

static int
same_length(json_t *a, size_t n)
{
	return a == NULL || (json_is_array(a) && json_array_size(a) == n);
}

static int
bind_arrays(json_t *res, struct chart *c, struct sc_err *e)
{
	json_t *ind = json_object_get(res, "indicators");
	json_t *q = json_array_get(json_object_get(ind, "quote"), 0);
	json_t *a = json_array_get(json_object_get(ind, "adjclose"), 0);
	size_t n;

	c->ts = json_object_get(res, "timestamp");
	if (!json_is_array(c->ts) || !json_is_object(q))
		return sc_err_set(e, SC_EPROTO, 0,
		    "chart: no timestamp array or no quote");
	n = json_array_size(c->ts);
	c->open = json_object_get(q, "open");
	c->high = json_object_get(q, "high");
	c->low = json_object_get(q, "low");
	c->close = json_object_get(q, "close");
	c->volume = json_object_get(q, "volume");
	c->adj = json_object_get(a, "adjclose");
	if (c->close == NULL || !same_length(c->open, n) ||
	    !same_length(c->high, n) || !same_length(c->low, n) ||
	    !same_length(c->close, n) || !same_length(c->volume, n) ||
	    !same_length(c->adj, n))
		return sc_err_set(e, SC_EPROTO, 0,
		    "chart: %zu timestamps but quote arrays of other lengths",
		    n);
	return 0;
}

static int
bind_zone(json_t *meta, const char *tzdir, struct chart *c, struct sc_err *e)
{
	const char *name =
	    json_string_value(json_object_get(meta, "exchangeTimezoneName"));
	json_t *off = json_object_get(meta, "gmtoffset");

	if (name != NULL && (c->tz = sc_tz_load(name, tzdir, NULL)) != NULL)
		return 0;
	if (json_is_integer(off) && llabs(json_integer_value(off)) < 86400) {
		c->gmtoff = (long)json_integer_value(off);
		return 0;
	}
	return sc_err_set(e, SC_EPROTO, 0, "chart: unknown time zone %.40s",
	    name != NULL ? name : "(none)");
}

/* The exchange-local trading date of timestamp t. */
static long
local_day(const struct chart *c, int64_t t)
{
	long sec, day;

	if (c->tz != NULL)
		day = sc_tz_local_day(c->tz, t, &sec);
	else {
		int64_t local = t + c->gmtoff;

		day = (long)(local / 86400 - (local % 86400 < 0));
		sec = (long)(local - (int64_t)day * 86400);
	}
	/* yfinance's fix_Yahoo_dst_issue: 22:00 or 23:00 means next day. */
	if (sec % 3600 == 0 && (sec / 3600 == 22 || sec / 3600 == 23))
		day++;
	return day;
}

static int
read_rows(const struct chart *c, long from, long to, struct sc_series *out,
    struct sc_err *e)
{
	size_t i, n = json_array_size(c->ts);
	struct sc_bar b;
	json_t *t;

	for (i = 0; i < n; i++) {
		t = json_array_get(c->ts, i);
		/* Years 1653 to 5138 keep the date arithmetic in range. */
		if (!json_is_integer(t) || json_integer_value(t) < -1e10 ||
		    json_integer_value(t) > 1e11)
			return sc_err_set(e, SC_EPROTO, 0,
			    "chart: timestamp %zu is not a plausible time", i);
		if (element(c->open, i, &b.open) == -1 ||
		    element(c->high, i, &b.high) == -1 ||
		    element(c->low, i, &b.low) == -1 ||
		    element(c->close, i, &b.close) == -1 ||
		    element(c->volume, i, &b.volume) == -1 ||
		    element(c->adj, i, &b.adj_close) == -1)
			return sc_err_set(e, SC_EPROTO, 0,
			    "chart: row %zu: a value is not a number", i);
		if (isnan(b.close)) {
			out->nulls++;
			continue;
		}
		b.day = local_day(c, json_integer_value(t));
		if (b.day < from || b.day > to)
			continue;
		if (sc_series_add(out, &b, e) == -1)
			return -1;
	}
	return 0;
}

int
sc_yahoo_parse(const char *body, size_t len, long from, long to,
    const char *tzdir, struct sc_series *out, struct sc_err *e)
{
	struct chart c = { 0 };
	json_error_t je;
	json_t *root, *res, *meta;
	const char *sym;
	int rc = -1;

	if ((root = json_loadb(body, len, 0, &je)) == NULL)
		return sc_err_set(e, SC_EPROTO, 0,
		    "chart: not valid JSON at byte %d: %s", je.position,
		    je.text);
	res = json_array_get(json_object_get(json_object_get(root, "chart"),
	                         "result"),
	    0);
	meta = json_object_get(res, "meta");
	if (!json_is_object(res)) {
		sc_err_set(e, SC_EPROTO, 0, "chart: no result");
		goto out;
	}
	sym = json_string_value(json_object_get(meta, "symbol"));
	if (sym != NULL && sc_market_symbol_valid(sym))
		snprintf(out->ticker, sizeof(out->ticker), "%s", sym);
	if (json_object_get(res, "timestamp") == NULL) {
		rc = 0; /* an empty window */
		goto out;
	}
	if (bind_arrays(res, &c, e) == -1 || bind_zone(meta, tzdir, &c, e) ||
	    read_rows(&c, from, to, out, e) == -1)
		goto out;
	sc_series_sort(out);
	rc = 0;
out:
	sc_tz_free(c.tz);
	json_decref(root);
	return rc;
}

/* An integer member of obj, or -1 when absent or not a plausible time. */
static int
time_member(json_t *obj, const char *name, int64_t *t)
{
	json_t *v = json_object_get(obj, name);

	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    json_integer_value(v) > 1e11)
		return -1;
	*t = json_integer_value(v);
	return 0;
}

int
sc_yahoo_open_day(const char *body, size_t len, const char *tzdir, long *day)
{
	struct chart c = { 0 };
	json_t *root, *meta, *reg;
	int64_t start, end, now;
	int open = 0;

	if ((root = json_loadb(body, len, 0, NULL)) == NULL)
		return 0;
	meta =
	    json_object_get(json_array_get(json_object_get(json_object_get(root,
	                                                       "chart"),
	                                       "result"),
	                        0),
	        "meta");
	reg = json_object_get(json_object_get(meta, "currentTradingPeriod"),
	    "regular");
	if (time_member(reg, "start", &start) == 0 &&
	    time_member(reg, "end", &end) == 0 &&
	    time_member(meta, "regularMarketTime", &now) == 0 && start <= now &&
	    now < end && bind_zone(meta, tzdir, &c, NULL) == 0) {
		*day = local_day(&c, start);
		open = 1;
	}
	sc_tz_free(c.tz);
	json_decref(root);
	return open;
}

/*
 * Fetching, over sc_source: the chart, and on 401/403 once a session the
 * cookie and the crumb (kept in the session's struct sc_yahoo_state).
 */
static enum sc_market_class
crumb_classify(long status, const char *ctype, const char *body, size_t len,
    char *msg, size_t size)
{
	enum sc_market_class c;

	(void)ctype;
	c = sc_yahoo_crumb(status, body, len, msg, size);
	if (c != SC_MARKET_OK)
		sc_market_snippet(body, len, msg, size);
	return c;
}

/* Get Yahoo's cookie (any answer will do) and then a crumb. */
static int
get_crumb(struct sc_source *m, struct sc_yahoo_state *st, const char *label,
    struct sc_err *e)
{
	struct sc_buf url = { 0 };
	struct sc_source_answer a = { 0 };
	struct sc_err ignored = { 0 };
	const char *base = m->o.cfg->yahoo_url;
	int rc = -1;

	st->tried = 1;
	sc_log(SC_LOG_INFO, "%s: not authorized; getting a cookie and crumb",
	    label);
	/* The cookie host is on some block lists: failure is tolerated. */
	(void)sc_source_request(m, label, m->o.cfg->yahoo_cookie_url, 1,
	    &a.resp, &ignored);
	if (sc_buf_printf(&url, e, "%.*s/v1/test/getcrumb",
	        (int)(strlen(base) -
	            (base[0] && base[strlen(base) - 1] == '/')),
	        base) == -1 ||
	    sc_source_ask(m, label, url.data, crumb_classify, &a, e) == -1)
		goto out;
	if (a.c != SC_MARKET_OK) {
		char what[64];

		snprintf(what, sizeof(what), "crumb: %s",
		    sc_market_class_name(a.c));
		rc = sc_source_fail(m, e, sc_market_errcode(a.c), "%s: %s: %s",
		    label, what, a.msg[0] ? a.msg : "(empty)");
		goto out;
	}
	snprintf(st->crumb, sizeof(st->crumb), "%.64s", a.msg);
	rc = 0;
out:
	sc_http_resp_free(&a.resp);
	sc_buf_free(&url);
	return rc;
}

static int
yahoo_ask(struct sc_source *m, const struct sc_yahoo_state *st,
    const char *label, const char *sym, struct sc_source_answer *a,
    struct sc_err *e)
{
	struct sc_buf url = { 0 };
	int rc;

	if (sc_yahoo_url(&url, m->o.cfg->yahoo_url, sym, m->o.from, m->o.to,
	        st->crumb[0] ? st->crumb : NULL, e) == -1)
		return -1;
	rc = sc_source_ask(m, label, url.data, sc_yahoo_classify, a, e);
	sc_buf_free(&url);
	return rc;
}

/*
 * Leave out the bar of a regular session that was still open when Yahoo
 * answered: its close is the latest price, not the day's close.
 */
static void
drop_open_bar(const char *label, const struct sc_source_answer *a,
    struct sc_series *out)
{
	size_t i, k = 0;
	long day;
	char date[SC_DATE_BUFSZ];

	if (sc_yahoo_open_day(a->resp.body.data, a->resp.body.len, NULL,
	        &day) != 1)
		return;
	for (i = 0; i < out->n; i++)
		if (out->bars[i].day != day)
			out->bars[k++] = out->bars[i];
	if (k == out->n)
		return;
	out->n = k;
	sc_date_fmt(day, date);
	sc_log(SC_LOG_WARN,
	    "%s: %s left out: the session was still open (its close is the "
	    "latest price; --include-open keeps it)",
	    label, date);
}

int
sc_yahoo_fetch(struct sc_source *m, void *state, const char *label,
    const char *sym, struct sc_series *out, struct sc_err *e)
{
	struct sc_yahoo_state *st = state;
	struct sc_source_answer a = { 0 };
	int rc = -1;

	if (yahoo_ask(m, st, label, sym, &a, e) == -1)
		goto out;
	if (a.c == SC_MARKET_AUTH && !st->tried) {
		if (get_crumb(m, st, label, e) == -1 ||
		    yahoo_ask(m, st, label, sym, &a, e) == -1)
			goto out;
	}
	if (sc_source_verdict(m, label, &a, e) == -1)
		goto out;
	rc = a.c == SC_MARKET_OK
	    ? sc_yahoo_parse(a.resp.body.data, a.resp.body.len, m->o.from,
	          m->o.to, NULL, out, e)
	    : 0;
	if (rc == -1)
		sc_err_prefix(e, "%s", label);
	else if (a.c == SC_MARKET_OK && !m->include_open)
		drop_open_bar(label, &a, out);
out:
	sc_http_resp_free(&a.resp);
	return rc;
}
