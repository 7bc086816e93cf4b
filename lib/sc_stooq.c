/* SPDX-License-Identifier: ISC */
/*
 * Stooq CSV bodies.  The classifier looks at the first line only (after a
 * BOM and blanks); the parser reads the body with sc_csv over fmemopen(3)
 * so quoting, line numbers and limits behave as for any other CSV input.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "sc_csv.h"
#include "sc_date.h"
#include "sc_http.h"
#include "sc_stooq.h"

static const char *
skip_bom(const char *body, size_t *len)
{
	if (*len >= 3 && memcmp(body, "\xef\xbb\xbf", 3) == 0) {
		*len -= 3;
		return body + 3;
	}
	return body;
}

int
sc_stooq_url(struct sc_buf *b, const char *base, const char *symbol, long from,
    long to, const char *apikey, struct sc_err *e)
{
	char d1[SC_DATE_BUFSZ], d2[SC_DATE_BUFSZ];
	size_t blen = strlen(base);

	while (blen > 0 && base[blen - 1] == '/')
		blen--;
	sc_date_fmt(from, d1);
	sc_date_fmt(to, d2);
	if (sc_buf_printf(b, e, "%.*s/q/d/l/?s=", (int)blen, base) == -1 ||
	    sc_http_escape(b, symbol, 0, e) == -1 ||
	    sc_buf_printf(b, e, "&i=d&d1=%.4s%.2s%.2s&d2=%.4s%.2s%.2s&apikey=",
	        d1, d1 + 5, d1 + 8, d2, d2 + 5, d2 + 8) == -1 ||
	    sc_http_escape(b, apikey, 0, e) == -1)
		return -1;
	return 0;
}

static int
has(const char *body, size_t len, const char *needle)
{
	size_t n = strlen(needle), i;

	for (i = 0; i + n <= len; i++)
		if (strncasecmp(body + i, needle, n) == 0)
			return 1;
	return 0;
}

static int
is_header(const char *line, size_t n)
{
	static const char full[] = "Date,Open,High,Low,Close,Volume";
	static const char nvol[] = "Date,Open,High,Low,Close";

	while (n > 0 && (line[n - 1] == '\r' || line[n - 1] == ' '))
		n--;
	return (n == sizeof(full) - 1 && strncasecmp(line, full, n) == 0) ||
	    (n == sizeof(nvol) - 1 && strncasecmp(line, nvol, n) == 0);
}

static enum sc_market_class
classify_html(const char *body, size_t len, char *msg, size_t size)
{
	if (has(body, len, "apikey") || has(body, len, "api key") ||
	    has(body, len, "api_key")) {
		snprintf(msg, size,
		    "Stooq answered with its API key page: SC_STOOQ_APIKEY "
		    "is missing or not accepted");
		return SC_MARKET_BADKEY;
	}
	snprintf(msg, size,
	    "an HTML page instead of data (blocked or a "
	    "bot check)");
	return SC_MARKET_BLOCKED;
}

enum sc_market_class
sc_stooq_classify(long status, const char *ctype, const char *body, size_t len,
    char *msg, size_t size)
{
	const char *nl;
	size_t n;

	msg[0] = '\0';
	body = skip_bom(body, &len);
	while (len > 0 &&
	    (*body == ' ' || *body == '\r' || *body == '\n' || *body == '\t'))
		body++, len--;
	sc_market_snippet(body, len, msg, size);
	if (status == 429)
		return SC_MARKET_RETRY;
	if (status >= 500)
		return SC_MARKET_DOWN;
	if (has(body, len < 400 ? len : 400, "Exceeded the daily hits limit"))
		return SC_MARKET_QUOTA;
	if (sc_market_is_html(body, len) ||
	    (ctype != NULL && strncasecmp(ctype, "text/html", 9) == 0))
		return classify_html(body, len, msg, size);
	if (status == 401 || status == 403)
		return SC_MARKET_AUTH;
	if (status == 404 || (len >= 7 && strncasecmp(body, "No data", 7) == 0))
		return SC_MARKET_NOT_FOUND;
	if (status < 200 || status >= 300)
		return SC_MARKET_MALFORMED;
	if (len == 0)
		return SC_MARKET_EMPTY;
	nl = memchr(body, '\n', len);
	n = nl != NULL ? (size_t)(nl - body) : len;
	if (!is_header(body, n)) {
		snprintf(msg, size, "unexpected first line: ");
		sc_market_snippet(body, n, msg + strlen(msg),
		    size - strlen(msg));
		return SC_MARKET_MALFORMED;
	}
	for (; nl != NULL && nl < body + len; nl++)
		if (*nl != '\n' && *nl != '\r' && *nl != ' ')
			return SC_MARKET_OK;
	return SC_MARKET_EMPTY;
}

static int
cell(struct sc_csv *r, long col, double *v, struct sc_err *e)
{
	*v = NAN;
	if (col < 0)
		return 0;
	return sc_csv_num(r, (size_t)col, v, e) == -1 ? -1 : 0;
}

static int
read_rows(struct sc_csv *r, long from, long to, struct sc_series *out,
    struct sc_err *e)
{
	long cd = sc_csv_col(r, "Date"), co = sc_csv_col(r, "Open");
	long ch = sc_csv_col(r, "High"), cl = sc_csv_col(r, "Low");
	long cc = sc_csv_col(r, "Close"), cv = sc_csv_col(r, "Volume");
	struct sc_bar b;
	int rc;

	if (cd < 0 || cc < 0)
		return sc_err_set(e, SC_EPROTO, 1, "no Date or Close column");
	while ((rc = sc_csv_read(r, e)) == 1) {
		if (sc_date_parse(sc_csv_field(r, (size_t)cd),
		        sc_csv_fieldlen(r, (size_t)cd), &b.day) == -1)
			return sc_err_set(e, SC_EPROTO, sc_csv_line(r),
			    "not a date: \"%.20s\"",
			    sc_csv_field(r, (size_t)cd));
		if (cell(r, co, &b.open, e) == -1 ||
		    cell(r, ch, &b.high, e) == -1 ||
		    cell(r, cl, &b.low, e) == -1 ||
		    cell(r, cc, &b.close, e) == -1 ||
		    cell(r, cv, &b.volume, e) == -1)
			return -1;
		b.adj_close = NAN;
		if (isnan(b.close)) {
			out->nulls++;
			continue;
		}
		if (b.day >= from && b.day <= to &&
		    sc_series_add(out, &b, e) == -1)
			return -1;
	}
	return rc;
}

int
sc_stooq_parse(const char *body, size_t len, long from, long to,
    struct sc_series *out, struct sc_err *e)
{
	struct sc_csv *r;
	FILE *fp;
	int rc;

	body = skip_bom(body, &len);
	if (len == 0)
		return 0;
	if ((fp = fmemopen((void *)body, len, "r")) == NULL)
		return sc_err_errno(e, SC_EOS, errno, "fmemopen");
	if ((r = sc_csv_open(fp, NULL, 1, e)) == NULL) {
		fclose(fp);
		if (e != NULL && e->code == SC_EDATA)
			e->code = SC_EPROTO;
		return -1;
	}
	rc = read_rows(r, from, to, out, e);
	sc_csv_free(r);
	fclose(fp);
	if (rc == -1) {
		if (e != NULL && e->code == SC_EDATA)
			e->code = SC_EPROTO;
		return -1;
	}
	sc_series_sort(out);
	return 0;
}

/* Fetching, over sc_source. */
int
sc_stooq_fetch(struct sc_source *m, void *state, const char *label,
    const char *sym, struct sc_series *out, struct sc_err *e)
{
	struct sc_buf url = { 0 };
	struct sc_source_answer a = { 0 };
	int rc = -1;

	(void)state;
	if (m->o.cfg->stooq_apikey == NULL || *m->o.cfg->stooq_apikey == '\0')
		return sc_err_set(e, SC_ECONFIG, 0,
		    "%s: SC_STOOQ_APIKEY is not set (Stooq requires an API "
		    "key: https://stooq.com/q/d/?s=spy.us&get_apikey)",
		    label);
	snprintf(out->ticker, sizeof(out->ticker), "%s", sym);
	if (sc_stooq_url(&url, m->o.cfg->stooq_url, sym, m->o.from, m->o.to,
	        m->o.cfg->stooq_apikey, e) == -1 ||
	    sc_source_ask(m, label, url.data, sc_stooq_classify, &a, e) == -1 ||
	    sc_source_verdict(m, label, &a, e) == -1)
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
