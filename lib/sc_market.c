/* SPDX-License-Identifier: ISC */
/*
 * The shared half of market data: series, classification, the CSV writer
 * and the fetch loop.  The loop is the same for every source: one request,
 * the source's classifier on (status, content type, body), then either the
 * parser (OK), success without rows (EMPTY), another try after a backoff
 * (RETRY and DOWN, network errors), or an error built from the class.  API
 * keys travel in query strings, so every message that leaves this module
 * is scrubbed of them, and URLs are logged with apikey=***.
 */
#include <sys/types.h>

#include <errno.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "sc_alphav.h"
#include "sc_csv.h"
#include "sc_date.h"
#include "sc_http.h"
#include "sc_log.h"
#include "sc_market.h"
#include "sc_num.h"
#include "sc_stooq.h"
#include "sc_synth.h"
#include "sc_yahoo.h"

#define MAX_BODY (32u << 20)
#define USER_AGENT                                                             \
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "        \
	"(KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"

int
sc_series_add(struct sc_series *s, const struct sc_bar *b, struct sc_err *e)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 256;
		struct sc_bar *v = realloc(s->bars, cap * sizeof(*v));

		if (v == NULL)
			return sc_err_set(e, SC_EOS, 0, "out of memory");
		s->bars = v;
		s->cap = cap;
	}
	s->bars[s->n++] = *b;
	return 0;
}

struct tagged {
	struct sc_bar b;
	size_t i;
};

static int
cmp_tagged(const void *a, const void *b)
{
	const struct tagged *x = a, *y = b;

	if (x->b.day != y->b.day)
		return x->b.day < y->b.day ? -1 : 1;
	return (x->i > y->i) - (x->i < y->i);
}

size_t
sc_series_sort(struct sc_series *s)
{
	struct tagged *t;
	size_t i, k, n = s->n;

	for (i = 1; i < n; i++)
		if (s->bars[i - 1].day >= s->bars[i].day)
			break;
	if (i >= n)
		return 0;
	if ((t = malloc(n * sizeof(*t))) != NULL) {
		for (i = 0; i < n; i++)
			t[i].b = s->bars[i], t[i].i = i;
		qsort(t, n, sizeof(*t), cmp_tagged);
		for (i = 0; i < n; i++)
			s->bars[i] = t[i].b;
		free(t);
	} else /* out of memory: a stable insertion sort needs none */
		for (i = 1; i < n; i++) {
			struct sc_bar b = s->bars[i];

			for (k = i; k > 0 && s->bars[k - 1].day > b.day; k--)
				s->bars[k] = s->bars[k - 1];
			s->bars[k] = b;
		}
	for (i = k = 0; i < n; i++) {
		if (i + 1 < n && s->bars[i + 1].day == s->bars[i].day)
			continue; /* the later bar of a date wins */
		s->bars[k++] = s->bars[i];
	}
	s->n = k;
	return n - k;
}

void
sc_series_free(struct sc_series *s)
{
	free(s->bars);
	memset(s, 0, sizeof(*s));
}

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
sc_market_source_known(const char *source)
{
	return strcmp(source, "yahoo") == 0 || strcmp(source, "stooq") == 0 ||
	    strcmp(source, "alphavantage") == 0 ||
	    strcmp(source, "synthetic") == 0;
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

/* Writing */

struct rowref {
	const struct sc_series *s;
	size_t idx; /* series index, then bar index */
	const struct sc_bar *b;
};

static int
cmp_row(const void *a, const void *b)
{
	const struct rowref *x = a, *y = b;
	int c = strcmp(x->s->ticker, y->s->ticker);

	if (c != 0)
		return c;
	if (x->b->day != y->b->day)
		return x->b->day < y->b->day ? -1 : 1;
	return (x->idx > y->idx) - (x->idx < y->idx);
}

static void
put_volume(FILE *fp, double v)
{
	char buf[SC_NUM_BUFSZ];

	if (isnan(v))
		return;
	if (fabs(v) < 9e15 && v == floor(v))
		fprintf(fp, "%lld", (long long)v);
	else
		fputs(sc_num_fmt(v, buf), fp);
}

static void
put_row(FILE *fp, const struct rowref *r)
{
	char d[SC_DATE_BUFSZ];

	sc_csv_puts(fp, sc_date_fmt(r->b->day, d), ',');
	sc_csv_puts(fp, r->s->ticker, ',');
	sc_csv_putnum(fp, r->b->open, ',');
	sc_csv_putnum(fp, r->b->high, ',');
	sc_csv_putnum(fp, r->b->low, ',');
	sc_csv_putnum(fp, r->b->close, ',');
	sc_csv_putnum(fp, r->b->adj_close, ',');
	put_volume(fp, r->b->volume);
	fputc('\n', fp);
}

int
sc_market_write(FILE *fp, const struct sc_series *s, size_t n, struct sc_err *e)
{
	struct rowref *rows;
	size_t i, j, k = 0, total = 0;

	for (i = 0; i < n; i++)
		total += s[i].n;
	if ((rows = calloc(total ? total : 1, sizeof(*rows))) == NULL)
		return sc_err_set(e, SC_EOS, 0, "out of memory");
	for (i = 0; i < n; i++)
		for (j = 0; j < s[i].n; j++) {
			rows[k].s = &s[i];
			rows[k].idx = i;
			rows[k++].b = &s[i].bars[j];
		}
	qsort(rows, total, sizeof(*rows), cmp_row);
	errno = 0; /* so that a failed write's errno can be told */
	fputs("date,ticker,open,high,low,close,adj_close,volume\n", fp);
	for (k = 0; k < total; k++) {
		if (k > 0 && rows[k].b->day == rows[k - 1].b->day &&
		    strcmp(rows[k].s->ticker, rows[k - 1].s->ticker) == 0)
			continue; /* same ticker and date from a later operand */
		put_row(fp, &rows[k]);
	}
	free(rows);
	if (ferror(fp) && errno != 0)
		return sc_err_errno(e, SC_EIO, errno, "write error");
	if (ferror(fp))
		return sc_err_set(e, SC_EIO, 0, "write error");
	return 0;
}

/* Fetching */

typedef enum sc_market_class classify_fn(long, const char *, const char *,
    size_t, char *, size_t);

struct sc_market {
	struct sc_market_opts o;
	struct sc_http *http;
	char crumb[80];
	int crumb_tried;
	uint64_t jitter;
	int include_open; /* sc_market_include_open() */
};

struct sc_market *
sc_market_new(const struct sc_market_opts *o, struct sc_err *e)
{
	struct sc_market *m;

	if (o->from > o->to) {
		sc_err_set(e, SC_EUSAGE, 0, "--from is after --to");
		return NULL;
	}
	if ((m = calloc(1, sizeof(*m))) == NULL) {
		sc_err_set(e, SC_EOS, 0, "out of memory");
		return NULL;
	}
	m->o = *o;
	m->jitter = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	return m;
}

void
sc_market_include_open(struct sc_market *m, int on)
{
	m->include_open = on != 0;
}

void
sc_market_free(struct sc_market *m)
{
	if (m == NULL)
		return;
	sc_http_free(m->http);
	explicit_bzero(m->crumb, sizeof(m->crumb));
	free(m);
}

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

static int
fail(struct sc_market *m, struct sc_err *e, enum sc_errcode code,
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
client(struct sc_market *m, struct sc_err *e)
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

struct answer {
	struct sc_http_resp resp;
	enum sc_market_class c;
	char msg[200];
};

/* One request, as sc_http_do(), with the secret-free message. */
static int
request(struct sc_market *m, const char *label, const char *url, int follow,
    struct sc_http_resp *resp, struct sc_err *e)
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
static int
ask(struct sc_market *m, const char *label, const char *url,
    classify_fn *classify, struct answer *a, struct sc_err *e)
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
		if (request(m, label, url, 0, &a->resp, e) == -1) {
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
static int
verdict(struct sc_market *m, const char *label, const struct answer *a,
    struct sc_err *e)
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
	return fail(m, e, sc_market_errcode(a->c),
	    a->msg[0] != '\0' ? "%s: %s: %s" : "%s: %s%s", label, what, a->msg);
}

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
get_crumb(struct sc_market *m, const char *label, struct sc_err *e)
{
	struct sc_buf url = { 0 };
	struct answer a = { 0 };
	struct sc_err ignored = { 0 };
	const char *base = m->o.cfg->yahoo_url;
	int rc = -1;

	m->crumb_tried = 1;
	sc_log(SC_LOG_INFO, "%s: not authorized; getting a cookie and crumb",
	    label);
	/* The cookie host is on some block lists: failure is tolerated. */
	(void)request(m, label, m->o.cfg->yahoo_cookie_url, 1, &a.resp,
	    &ignored);
	if (sc_buf_printf(&url, e, "%.*s/v1/test/getcrumb",
	        (int)(strlen(base) -
	            (base[0] && base[strlen(base) - 1] == '/')),
	        base) == -1 ||
	    ask(m, label, url.data, crumb_classify, &a, e) == -1)
		goto out;
	if (a.c != SC_MARKET_OK) {
		char what[64];

		snprintf(what, sizeof(what), "crumb: %s",
		    sc_market_class_name(a.c));
		rc = fail(m, e, sc_market_errcode(a.c), "%s: %s: %s", label,
		    what, a.msg[0] ? a.msg : "(empty)");
		goto out;
	}
	snprintf(m->crumb, sizeof(m->crumb), "%.64s", a.msg);
	rc = 0;
out:
	sc_http_resp_free(&a.resp);
	sc_buf_free(&url);
	return rc;
}

static int
yahoo_ask(struct sc_market *m, const char *label, const char *sym,
    struct answer *a, struct sc_err *e)
{
	struct sc_buf url = { 0 };
	int rc;

	if (sc_yahoo_url(&url, m->o.cfg->yahoo_url, sym, m->o.from, m->o.to,
	        m->crumb[0] ? m->crumb : NULL, e) == -1)
		return -1;
	rc = ask(m, label, url.data, sc_yahoo_classify, a, e);
	sc_buf_free(&url);
	return rc;
}

/*
 * Leave out the bar of a regular session that was still open when Yahoo
 * answered: its close is the latest price, not the day's close.
 */
static void
drop_open_bar(const char *label, const struct answer *a, struct sc_series *out)
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

static int
fetch_yahoo(struct sc_market *m, const char *label, const char *sym,
    struct sc_series *out, struct sc_err *e)
{
	struct answer a = { 0 };
	int rc = -1;

	if (yahoo_ask(m, label, sym, &a, e) == -1)
		goto out;
	if (a.c == SC_MARKET_AUTH && !m->crumb_tried) {
		if (get_crumb(m, label, e) == -1 ||
		    yahoo_ask(m, label, sym, &a, e) == -1)
			goto out;
	}
	if (verdict(m, label, &a, e) == -1)
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

static int
fetch_stooq(struct sc_market *m, const char *label, const char *sym,
    struct sc_series *out, struct sc_err *e)
{
	struct sc_buf url = { 0 };
	struct answer a = { 0 };
	int rc = -1;

	if (m->o.cfg->stooq_apikey == NULL || *m->o.cfg->stooq_apikey == '\0')
		return sc_err_set(e, SC_ECONFIG, 0,
		    "%s: SC_STOOQ_APIKEY is not set (Stooq requires an API "
		    "key: https://stooq.com/q/d/?s=spy.us&get_apikey)",
		    label);
	snprintf(out->ticker, sizeof(out->ticker), "%s", sym);
	if (sc_stooq_url(&url, m->o.cfg->stooq_url, sym, m->o.from, m->o.to,
	        m->o.cfg->stooq_apikey, e) == -1 ||
	    ask(m, label, url.data, sc_stooq_classify, &a, e) == -1 ||
	    verdict(m, label, &a, e) == -1)
		goto out;
	rc = a.c == SC_MARKET_OK
	    ? sc_stooq_parse(a.resp.body.data, a.resp.body.len, m->o.from,
	          m->o.to, out, e)
	    : 0;
	if (rc == -1)
		sc_err_prefix(e, "%s", label);
out:
	sc_http_resp_free(&a.resp);
	explicit_bzero(url.data, url.len);
	sc_buf_free(&url);
	return rc;
}

static int
alphav_ask(struct sc_market *m, const char *label, const char *sym, int full,
    struct answer *a, struct sc_err *e)
{
	struct sc_buf url = { 0 };
	int rc;

	if (sc_alphav_url(&url, m->o.cfg->av_url, sym, full,
	        m->o.cfg->av_apikey, e) == -1)
		return -1;
	rc = ask(m, label, url.data, sc_alphav_classify, a, e);
	explicit_bzero(url.data, url.len);
	sc_buf_free(&url);
	return rc;
}

static int
fetch_alphav(struct sc_market *m, const char *label, const char *sym,
    struct sc_series *out, struct sc_err *e)
{
	struct answer a = { 0 };
	/* compact is the last 100 trading days, about 145 calendar days */
	int full = m->o.to - m->o.from > 140, rc = -1;

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
	if (verdict(m, label, &a, e) == -1)
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

int
sc_market_fetch(struct sc_market *m, const char *source, const char *symbol,
    struct sc_series *out, struct sc_err *e)
{
	char label[128];
	int rc;

	snprintf(label, sizeof(label), "%.20s:%.40s", source, symbol);
	if (!sc_market_source_known(source))
		return sc_err_set(e, SC_EUSAGE, 0, "%s: unknown source", label);
	if (!sc_market_symbol_valid(symbol))
		return sc_err_set(e, SC_EUSAGE, 0,
		    "%s: invalid symbol (want 1..32 of A-Z a-z 0-9 . ^ = _ & "
		    "-)",
		    label);
	if (strcmp(source, "synthetic") == 0)
		rc = sc_synth_series(symbol, m->o.seed, m->o.from, m->o.to, out,
		    e);
	else if (strcmp(source, "yahoo") == 0)
		rc = fetch_yahoo(m, label, symbol, out, e);
	else if (strcmp(source, "stooq") == 0)
		rc = fetch_stooq(m, label, symbol, out, e);
	else
		rc = fetch_alphav(m, label, symbol, out, e);
	if (rc == -1) {
		sc_series_free(out);
		return -1;
	}
	if (out->ticker[0] == '\0')
		snprintf(out->ticker, sizeof(out->ticker), "%s", symbol);
	if (out->nulls > 0)
		sc_log(SC_LOG_INFO, "%s: %zu null rows dropped", label,
		    out->nulls);
	sc_log(SC_LOG_INFO, "%s: %zu rows", label, out->n);
	return 0;
}

static int
status_error(long status, const char *url, struct sc_err *e)
{
	enum sc_errcode code = SC_EPROTO;

	if (status == 404 || status == 410)
		code = SC_ENOINPUT;
	else if (status == 401 || status == 403)
		code = SC_ENOPERM;
	else if (status == 429)
		code = SC_ETEMP;
	else if (status >= 500)
		code = SC_EUNAVAIL;
	return sc_err_set(e, code, 0, "%.200s: HTTP %ld", url, status);
}

static int
copy_stage(FILE *tmp, FILE *out, struct sc_err *e)
{
	char buf[65536];
	size_t n;

	rewind(tmp);
	while ((n = fread(buf, 1, sizeof(buf), tmp)) > 0)
		if (fwrite(buf, 1, n, out) != n)
			return sc_err_set(e, SC_EIO, 0, "write error");
	return ferror(tmp) ? sc_err_set(e, SC_EIO, 0, "temporary file") : 0;
}

int
sc_market_download(const struct sc_config *cfg, const char *url, FILE *out,
    void (*sleep)(double), struct sc_err *e)
{
	/* No Accept-Encoding: the bytes as the server keeps them. */
	struct sc_http_opts ho = { cfg->http_timeout, cfg->http_connect_timeout,
		NULL, 0, 0, 1 };
	struct sc_retry rt = { cfg->retry_max > 0 ? cfg->retry_max : 1,
		cfg->retry_base, cfg->retry_cap, 0, (uint64_t)time(NULL), 0,
		sleep };
	struct sc_http_req req = { 0 };
	struct sc_http_resp resp = { 0 };
	struct sc_http *h;
	FILE *tmp;
	int attempt, rc = -1;

	if ((tmp = tmpfile()) == NULL)
		return sc_err_errno(e, SC_EIO, errno, "temporary file");
	if ((h = sc_http_new(&ho, e)) == NULL) {
		fclose(tmp);
		return -1;
	}
	req.url = url;
	req.out_fp = tmp;
	req.follow = 1;
	for (attempt = 1;; attempt++) {
		rewind(tmp);
		if (ftruncate(fileno(tmp), 0) == -1) {
			sc_err_errno(e, SC_EIO, errno, "temporary file");
			break;
		}
		if (sc_http_do(h, &req, &resp, e) == 0 && resp.status >= 200 &&
		    resp.status < 300) {
			rc = fflush(tmp) == EOF
			    ? sc_err_errno(e, SC_EIO, errno, "temporary file")
			    : copy_stage(tmp, out, e);
			break;
		}
		if (resp.status != 0)
			status_error(resp.status, url, e);
		if (e->code != SC_ETEMP && e->code != SC_EUNAVAIL)
			break;
		if (!sc_retry_wait(&rt, attempt, sc_http_retry_after(&resp)))
			break;
	}
	sc_http_resp_free(&resp);
	sc_http_free(h);
	fclose(tmp);
	return rc;
}
