/* SPDX-License-Identifier: ISC */
/*
 * Alpha Vantage bodies.  The texts of "Information" are matched on the
 * words that tell the cases apart ("spreading out" for the burst limit,
 * "premium feature" for outputsize=full), never on the number 25, which
 * appears in both the quota and the burst message.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "sc_alphav.h"
#include "sc_date.h"
#include "sc_http.h"
#include "sc_log.h"
#include "sc_num.h"

#define SERIES "Time Series (Daily)"

int
sc_alphav_url(struct sc_buf *b, const char *base, const char *symbol, int full,
    const char *apikey, struct sc_err *e)
{
	size_t blen = strlen(base);

	while (blen > 0 && base[blen - 1] == '/')
		blen--;
	if (sc_buf_printf(b, e, "%.*s/query?function=TIME_SERIES_DAILY&symbol=",
	        (int)blen, base) == -1 ||
	    sc_http_escape(b, symbol, 0, e) == -1 ||
	    sc_buf_printf(b, e, "&outputsize=%s&datatype=json&apikey=",
	        full ? "full" : "compact") == -1 ||
	    sc_http_escape(b, apikey, 0, e) == -1)
		return -1;
	return 0;
}

static int
has(const char *s, const char *needle)
{
	size_t n = strlen(needle);

	for (; *s != '\0'; s++)
		if (strncasecmp(s, needle, n) == 0)
			return 1;
	return 0;
}

/* Copy text to msg, hiding the key Alpha Vantage echoes back. */
static void
redacted(const char *text, char *msg, size_t size)
{
	static const char mark[] = "API key as ";
	const char *p, *q;
	char tmp[2048], big[2100];

	sc_market_snippet(text, strlen(text), tmp, sizeof(tmp));
	if ((p = strstr(tmp, mark)) == NULL) {
		sc_err_clean(msg, size, tmp, strlen(tmp));
		return;
	}
	p += sizeof(mark) - 1;
	for (q = p; *q != '\0' && *q != ' ' && *q != ','; q++)
		;
	if (q > p && q[-1] == '.')
		q--;
	snprintf(big, sizeof(big), "%.*s***%s", (int)(p - tmp), tmp, q);
	sc_err_clean(msg, size, big, strlen(big));
}

static enum sc_market_class
classify_text(const char *key, const char *text)
{
	if (strcmp(key, "Error Message") == 0)
		return has(text, "apikey") ? SC_MARKET_BADKEY
		                           : SC_MARKET_NOT_FOUND;
	if (has(text, "spreading out") || has(text, "per second") ||
	    has(text, "per minute"))
		return SC_MARKET_RETRY;
	if (has(text, "premium feature") || has(text, "premium endpoint"))
		return SC_MARKET_PREMIUM;
	if (has(text, "demo") || has(text, "apikey is invalid") ||
	    has(text, "apikey is invalid or missing"))
		return SC_MARKET_BADKEY;
	if (has(text, "per day") || has(text, "rate limit"))
		return SC_MARKET_QUOTA;
	return SC_MARKET_MALFORMED;
}

enum sc_market_class
sc_alphav_classify(long status, const char *ctype, const char *body, size_t len,
    char *msg, size_t size)
{
	static const char *const keys[] = { "Error Message", "Information",
		"Note" };
	enum sc_market_class c = SC_MARKET_MALFORMED;
	json_t *root, *ts;
	json_error_t je;
	const char *text;
	size_t i;

	sc_market_snippet(body, len, msg, size);
	if (status == 429)
		return SC_MARKET_RETRY;
	if (status >= 500)
		return SC_MARKET_DOWN;
	if (sc_market_is_html(body, len) ||
	    (ctype != NULL && strncasecmp(ctype, "text/html", 9) == 0)) {
		snprintf(msg, size, "an HTML page instead of data");
		return SC_MARKET_BLOCKED;
	}
	if ((root = json_loadb(body, len, 0, &je)) == NULL) {
		snprintf(msg, size, "not valid JSON: line %d column %d: %s",
		    je.line, je.column, je.text);
		return SC_MARKET_MALFORMED;
	}
	if (json_is_object(ts = json_object_get(root, SERIES)))
		c = json_object_size(ts) > 0 ? SC_MARKET_OK : SC_MARKET_EMPTY;
	else
		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
			text =
			    json_string_value(json_object_get(root, keys[i]));
			if (text == NULL)
				continue;
			redacted(text, msg, size);
			c = classify_text(keys[i], text);
			break;
		}
	if (c == SC_MARKET_OK && (status < 200 || status >= 300))
		c = SC_MARKET_MALFORMED;
	json_decref(root);
	return c;
}

static int
field(json_t *bar, const char *name, double *v)
{
	const char *s = json_string_value(json_object_get(bar, name));

	*v = NAN;
	if (s == NULL)
		return json_object_get(bar, name) == NULL ? 0 : -1;
	return *s == '\0' ? 0 : sc_num_parse(s, strlen(s), v);
}

static int
read_bars(json_t *ts, long from, long to, struct sc_series *out,
    struct sc_err *e)
{
	const char *date;
	struct sc_bar b;
	json_t *bar;

	json_object_foreach(ts, date, bar)
	{
		if (sc_date_parse(date, strlen(date), &b.day) == -1)
			return sc_err_set(e, SC_EPROTO, 0,
			    "alphavantage: not a date: \"%.20s\"", date);
		if (!json_is_object(bar) || field(bar, "1. open", &b.open) ||
		    field(bar, "2. high", &b.high) ||
		    field(bar, "3. low", &b.low) ||
		    field(bar, "4. close", &b.close) ||
		    field(bar, "5. volume", &b.volume))
			return sc_err_set(e, SC_EPROTO, 0,
			    "alphavantage: %s: a value is not a number", date);
		b.adj_close = NAN;
		if (isnan(b.close)) {
			out->nulls++;
			continue;
		}
		if (b.day >= from && b.day <= to &&
		    sc_series_add(out, &b, e) == -1)
			return -1;
	}
	return 0;
}

int
sc_alphav_parse(const char *body, size_t len, long from, long to,
    struct sc_series *out, struct sc_err *e)
{
	json_error_t je;
	json_t *root, *ts;
	int rc;

	if ((root = json_loadb(body, len, 0, &je)) == NULL)
		return sc_err_set(e, SC_EPROTO, 0,
		    "alphavantage: not valid JSON at byte %d: %s", je.position,
		    je.text);
	if (!json_is_object(ts = json_object_get(root, SERIES))) {
		json_decref(root);
		return sc_err_set(e, SC_EPROTO, 0,
		    "alphavantage: no \"" SERIES "\" object");
	}
	rc = read_bars(ts, from, to, out, e);
	json_decref(root);
	if (rc == 0)
		sc_series_sort(out);
	return rc;
}

/* Fetching, over sc_source. */
static int
alphav_ask(struct sc_source *m, const char *label, const char *sym, int full,
    struct sc_source_answer *a, struct sc_err *e)
{
	struct sc_buf url = { 0 };
	int rc;

	if (sc_alphav_url(&url, m->o.cfg->av_url, sym, full,
	        m->o.cfg->av_apikey, e) == -1)
		return -1;
	rc = sc_source_ask(m, label, url.data, sc_alphav_classify, a, e);
	explicit_bzero(url.data, url.len);
	sc_buf_free(&url);
	return rc;
}

int
sc_alphav_fetch(struct sc_source *m, void *state, const char *label,
    const char *sym, struct sc_series *out, struct sc_err *e)
{
	struct sc_source_answer a = { 0 };
	/* compact is the last 100 trading days, about 145 calendar days */
	int full = m->o.to - m->o.from > 140, rc = -1;

	(void)state;
	if (m->o.cfg->av_apikey == NULL || *m->o.cfg->av_apikey == '\0')
		return sc_err_set(e, SC_ECONFIG, 0,
		    "%s: ALPHAVANTAGE_API_KEY is not set (free keys: "
		    "https://www.alphavantage.co/support/#api-key)",
		    label);
	snprintf(out->ticker, sizeof(out->ticker), "%s", sym);
	if (alphav_ask(m, label, sym, full, &a, e) == -1)
		goto out;
	if (a.c == SC_MARKET_PREMIUM && full) {
		sc_log(SC_LOG_WARN,
		    "%s: full history is a premium feature; "
		    "fetching the last 100 days only",
		    label);
		if (alphav_ask(m, label, sym, 0, &a, e) == -1)
			goto out;
	}
	if (sc_source_verdict(m, label, &a, e) == -1)
		goto out;
	rc = a.c == SC_MARKET_OK
	    ? sc_alphav_parse(a.resp.body.data, a.resp.body.len, m->o.from,
	          m->o.to, out, e)
	    : 0;
	if (rc == -1)
		sc_err_prefix(e, "%s", label);
out:
	sc_http_resp_free(&a.resp);
	return rc;
}
