/* SPDX-License-Identifier: ISC */
/*
 * The classification helpers and the transport of the sources.  A fetch is
 * the same for every source: one request, the source's classifier on
 * (status, content type, body), then either the parser (OK), success
 * without rows (EMPTY), another try after a backoff (RETRY and DOWN,
 * network errors), or an error built from the class.  API keys travel in
 * query strings, so every message that leaves this module is scrubbed of
 * them, and URLs are logged with apikey=***.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sc_buf.h"
#include "sc_log.h"
#include "sc_source.h"

#define MAX_BODY (32u << 20)
#define USER_AGENT                                                             \
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "        \
	"(KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"

enum sc_errcode
sc_market_errcode(enum sc_market_class c)
{
	switch (c) {
	case SC_MARKET_OK:
	case SC_MARKET_EMPTY:
		return SC_EOK;
	case SC_MARKET_NOT_FOUND:
		return SC_ENOINPUT;
	case SC_MARKET_RETRY:
	case SC_MARKET_QUOTA:
		return SC_ETEMP;
	case SC_MARKET_AUTH:
	case SC_MARKET_PREMIUM:
	case SC_MARKET_BLOCKED:
		return SC_ENOPERM;
	case SC_MARKET_BADKEY:
		return SC_ECONFIG;
	case SC_MARKET_DOWN:
		return SC_EUNAVAIL;
	default:
		return SC_EPROTO;
	}
}

const char *
sc_market_class_name(enum sc_market_class c)
{
	static const char *const names[] = { "ok", "empty", "not found",
		"rate limited", "daily quota exhausted", "not authorized",
		"API key missing or rejected", "premium feature", "blocked",
		"service unavailable", "malformed answer" };

	return (unsigned)c < sizeof(names) / sizeof(names[0]) ? names[c]
	                                                      : "unknown";
}

void
sc_market_snippet(const char *body, size_t len, char *msg, size_t size)
{
	char tmp[4096];
	size_t i, n = 0, max = sizeof(tmp) - 4;

	if (size == 0)
		return;
	for (i = 0; i < len && n < max; i++) {
		unsigned char c = (unsigned char)body[i];

		if (c < ' ' || c == 127)
			c = ' ';
		if (c == ' ' && (n == 0 || tmp[n - 1] == ' '))
			continue;
		tmp[n++] = (char)c;
	}
	while (n > 0 && tmp[n - 1] == ' ')
		n--;
	if (i < len)
		memcpy(tmp + n, "...", 3), n += 3;
	/* Secrets out before the cut to size (sc_err_clean). */
	sc_err_clean(msg, size, tmp, n);
}

int
sc_market_is_html(const char *body, size_t len)
{
	size_t i = 0;

	if (len >= 3 && memcmp(body, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	while (i < len &&
	    (body[i] == ' ' || body[i] == '\t' || body[i] == '\r' ||
	        body[i] == '\n'))
		i++;
	if (i >= len || body[i] != '<')
		return 0;
	return len - i >= 5 &&
	    (strncasecmp(body + i, "<!doc", 5) == 0 ||
	        strncasecmp(body + i, "<html", 5) == 0 ||
	        strncasecmp(body + i, "<head", 5) == 0 ||
	        strncasecmp(body + i, "<body", 5) == 0 ||
	        strncasecmp(body + i, "<!--", 4) == 0 ||
	        strncasecmp(body + i, "<meta", 5) == 0 ||
	        strncasecmp(body + i, "<titl", 5) == 0);
}

int
sc_market_symbol_valid(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > 32)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') ||
		        (s[i] >= 'a' && s[i] <= 'z') ||
		        (s[i] >= '0' && s[i] <= '9') ||
		        strchr(".^=_&-", s[i]) != NULL))
			return 0;
	return 1;
}

/* Fetching */

/* Replace every occurrence of secret in e->msg by "***". */
static void
scrub(struct sc_err *e, const char *secret)
{
	char out[sizeof(e->msg)], *p;
	size_t n, k = 0, slen;
	const char *s;

	if (e == NULL || secret == NULL || (slen = strlen(secret)) == 0)
		return;
	s = e->msg;
	while ((p = strstr(s, secret)) != NULL) {
		n = (size_t)(p - s);
		k += (size_t)snprintf(out + k, sizeof(out) - k, "%.*s***",
		    (int)n, s);
		if (k >= sizeof(out))
			k = sizeof(out) - 1;
		s = p + slen;
	}
	snprintf(out + k, sizeof(out) - k, "%s", s);
	memcpy(e->msg, out, sizeof(out));
}

int
sc_source_fail(struct sc_source *m, struct sc_err *e, enum sc_errcode code,
    const char *fmt, const char *label, const char *a, const char *b)
{
	sc_err_set(e, code, 0, fmt, label, a, b);
	scrub(e, m->o.cfg->stooq_apikey);
	scrub(e, m->o.cfg->av_apikey);
	return -1;
}

/* Copy url into buf with the value of apikey= replaced by "***". */
static const char *
masked(const char *url, char *buf, size_t size)
{
	const char *p = strstr(url, "apikey="), *q;

	if (p == NULL) {
		snprintf(buf, size, "%s", url);
		return buf;
	}
	p += 7;
	q = strchr(p, '&');
	snprintf(buf, size, "%.*s***%s", (int)(p - url), url, q ? q : "");
	return buf;
}

static struct sc_http *
client(struct sc_source *m, struct sc_err *e)
{
	struct sc_http_opts ho = { 0 };

	if (m->http != NULL)
		return m->http;
	ho.timeout = m->o.cfg->http_timeout;
	ho.connect_timeout = m->o.cfg->http_connect_timeout;
	ho.user_agent = USER_AGENT;
	ho.cookies = 1;
	ho.compressed = 1;
	ho.http2 = 1;
	return m->http = sc_http_new(&ho, e);
}

/* One request, as sc_http_do(), with the secret-free message. */
int
sc_source_request(struct sc_source *m, const char *label, const char *url,
    int follow, struct sc_http_resp *resp, struct sc_err *e)
{
	static const char *const hdrs[] = {
		"Accept: application/json,text/csv,text/plain,*/*",
		"Accept-Language: en-US,en;q=0.9", NULL
	};
	struct sc_http_req req = { 0 };
	struct sc_http *h;
	char mu[512];

	if ((h = client(m, e)) == NULL)
		return -1;
	req.url = url;
	req.headers = hdrs;
	req.max_body = MAX_BODY;
	req.follow = follow;
	sc_log(SC_LOG_DEBUG, "%s: GET %s", label, masked(url, mu, sizeof(mu)));
	if (sc_http_do(h, &req, resp, e) == 0)
		return 0;
	sc_err_prefix(e, "%s", label);
	scrub(e, m->o.cfg->stooq_apikey);
	scrub(e, m->o.cfg->av_apikey);
	return -1;
}

/*
 * Ask url until the answer is neither RETRY nor DOWN nor a network error,
 * or the attempts are used up (then -1 with the last reason).
 */
int
sc_source_ask(struct sc_source *m, const char *label, const char *url,
    sc_source_classify_fn *classify, struct sc_source_answer *a,
    struct sc_err *e)
{
	struct sc_retry rt = { 0 };
	char ctype[128];
	int attempt;

	rt.max = m->o.cfg->retry_max > 0 ? m->o.cfg->retry_max : 1;
	rt.base = m->o.cfg->retry_base;
	rt.cap = m->o.cfg->retry_cap;
	rt.state = m->jitter++;
	rt.sleep = m->o.sleep;
	for (attempt = 1;; attempt++) {
		if (sc_source_request(m, label, url, 0, &a->resp, e) == -1) {
			if (e->code != SC_ETEMP && e->code != SC_EUNAVAIL)
				return -1;
			sc_log(SC_LOG_INFO, "%s", e->msg);
			if (!sc_retry_wait(&rt, attempt, -1))
				return -1;
			continue;
		}
		if (sc_http_header(&a->resp, "content-type", ctype,
		        sizeof(ctype)) < 0)
			ctype[0] = '\0';
		a->c = classify(a->resp.status, ctype, a->resp.body.data,
		    a->resp.body.len, a->msg, sizeof(a->msg));
		if (a->c != SC_MARKET_RETRY && a->c != SC_MARKET_DOWN)
			return 0;
		sc_log(SC_LOG_INFO, "%s: HTTP %ld, %s (attempt %d of %d)",
		    label, a->resp.status, sc_market_class_name(a->c), attempt,
		    rt.max);
		if (!sc_retry_wait(&rt, attempt, sc_http_retry_after(&a->resp)))
			return 0;
	}
}

/* Turn a final answer into 0 (OK, EMPTY) or the class's error. */
int
sc_source_verdict(struct sc_source *m, const char *label,
    const struct sc_source_answer *a, struct sc_err *e)
{
	char what[64];

	if (a->c == SC_MARKET_OK || a->c == SC_MARKET_EMPTY)
		return 0;
	if (a->c == SC_MARKET_RETRY || a->c == SC_MARKET_DOWN)
		snprintf(what, sizeof(what), "%s (HTTP %ld) after %d attempts",
		    sc_market_class_name(a->c), a->resp.status,
		    m->o.cfg->retry_max);
	else
		snprintf(what, sizeof(what), "%s", sc_market_class_name(a->c));
	return sc_source_fail(m, e, sc_market_errcode(a->c),
	    a->msg[0] != '\0' ? "%s: %s: %s" : "%s: %s%s", label, what, a->msg);
}

void
sc_source_close(struct sc_source *m)
{
	sc_http_free(m->http);
	m->http = NULL;
}
