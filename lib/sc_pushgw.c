/* SPDX-License-Identifier: ISC */
/*
 * The Pushgateway client.  Grouping is decided here, not in sc_prom, since
 * it is the gateway's notion: the labels of the grouping key travel in the
 * URL and are left out of the body (the gateway puts them back on every
 * sample, and would overwrite a differing body value anyway).  Every
 * message about a request names the URL with any user:password@ part
 * removed.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sc_buf.h"
#include "sc_hash.h"
#include "sc_log.h"
#include "sc_pushgw.h"

#define MAX_MSG 200 /* bytes of a gateway error body quoted in a message */

struct group {
	const char *job; /* borrowed from the samples or the options */
	const char *ticker;
	size_t *idx; /* the group's samples */
	size_t n, cap;
};

/* The groups of a push, found through a hash of (job, ticker). */
struct grouping {
	struct group *g;
	size_t ng;
	size_t *slot; /* group index + 1, 0 free */
	size_t nslot;
};

/* Non-zero when the n bytes at s are valid UTF-8 (no overlong forms, no
 * surrogates, nothing past U+10FFFF). */
static int
utf8_ok(const unsigned char *s, size_t n)
{
	size_t i = 0, k, j;
	unsigned long cp;

	while (i < n) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if (s[i] >= 0xc2 && s[i] <= 0xdf)
			k = 1, cp = s[i] & 0x1f;
		else if (s[i] >= 0xe0 && s[i] <= 0xef)
			k = 2, cp = s[i] & 0x0f;
		else if (s[i] >= 0xf0 && s[i] <= 0xf4)
			k = 3, cp = s[i] & 0x07;
		else
			return 0;
		if (n - i <= k)
			return 0;
		for (j = 1; j <= k; j++) {
			if ((s[i + j] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i + j] & 0x3f);
		}
		if ((k == 2 && cp < 0x800) || (k == 3 && cp < 0x10000) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
			return 0;
		i += k + 1;
	}
	return 1;
}

/*
 * The base URL: http[s]://authority[/path], nothing else.  A query or a
 * fragment would swallow the /metrics/job/... path appended to it (and a
 * token there would be sent and logged), so both are refused; the URL is
 * not echoed, since it may hold a password.
 */
static int
base_ok(const char *url, struct sc_err *e)
{
	const char *p;
	size_t n;

	if (url == NULL ||
	    (strncmp(url, "http://", 7) != 0 &&
	        strncmp(url, "https://", 8) != 0))
		return sc_err_set(e, SC_EUSAGE, 0,
		    "gateway: want an http:// or https:// URL");
	p = strstr(url, "://") + 3;
	n = strcspn(p, "/?#");
	if (n == 0)
		return sc_err_set(e, SC_EUSAGE, 0, "gateway: no host");
	if (strpbrk(url, "?#") != NULL)
		return sc_err_set(e, SC_EUSAGE, 0,
		    "gateway: a query or fragment is not allowed in the URL "
		    "(the job path is appended to it): want "
		    "http[s]://host[:port][/path]");
	for (; *p != '\0'; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return sc_err_set(e, SC_EUSAGE, 0,
			    "gateway: a space or control byte in the URL");
	return 0;
}

int
sc_pushgw_check(const struct sc_pushgw_opts *o, struct sc_err *e)
{
	const char *const *l;

	if (base_ok(o->url, e) == -1)
		return -1;
	if (o->job == NULL || *o->job == '\0')
		return sc_err_set(e, SC_EUSAGE, 0, "job: empty");
	/* Not UTF-8 in a job or label value breaks the gateway for
	 * everyone (it answers 500 on /metrics from then on). */
	if (!utf8_ok((const unsigned char *)o->job, strlen(o->job)))
		return sc_err_set(e, SC_EUSAGE, 0, "job: not valid UTF-8");
	for (l = o->labels; l != NULL && l[0] != NULL; l += 2) {
		if (!sc_prom_label_ok(l[0]) || strcmp(l[0], "job") == 0 ||
		    strcmp(l[0], "ticker") == 0)
			return sc_err_set(e, SC_EUSAGE, 0,
			    "label \"%.64s\": invalid name, or job or ticker",
			    l[0]);
		if (l[1] == NULL || strlen(l[1]) > SC_PROM_MAX_VALUE)
			return sc_err_set(e, SC_EUSAGE, 0,
			    "label %s: missing or too long value", l[0]);
		if (!utf8_ok((const unsigned char *)l[1], strlen(l[1])))
			return sc_err_set(e, SC_EUSAGE, 0,
			    "label %s: value not valid UTF-8", l[0]);
	}
	return 0;
}

static int
base64url(struct sc_buf *b, const char *s, struct sc_err *e)
{
	static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	                          "abcdefghijklmnopqrstuvwxyz0123456789-_";
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), i;
	char q[4];

	if (n == 0)
		return sc_buf_add(b, "=", 1, e);
	for (i = 0; i < n; i += 3) {
		unsigned long v = (unsigned long)p[i] << 16;

		if (i + 1 < n)
			v |= (unsigned long)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		q[0] = abc[(v >> 18) & 63];
		q[1] = abc[(v >> 12) & 63];
		q[2] = i + 1 < n ? abc[(v >> 6) & 63] : '=';
		q[3] = i + 2 < n ? abc[v & 63] : '=';
		if (sc_buf_add(b, q, 4, e) == -1)
			return -1;
	}
	return 0;
}

static int
put_pair(struct sc_buf *b, const char *name, const char *value,
    struct sc_err *e)
{
	if (*value == '\0' || strchr(value, '/') != NULL)
		return sc_buf_printf(b, e, "/%s@base64/", name) == -1
		    ? -1
		    : base64url(b, value, e);
	if (sc_buf_printf(b, e, "/%s/", name) == -1)
		return -1;
	return sc_http_escape(b, value, 0, e);
}

int
sc_pushgw_url(struct sc_buf *b, const char *base, const char *job,
    const char *ticker, const char *const *labels, struct sc_err *e)
{
	size_t n = strlen(base);

	while (n > 0 && base[n - 1] == '/')
		n--;
	if (sc_buf_add(b, base, n, e) == -1 ||
	    sc_buf_add(b, "/metrics", 8, e) == -1 ||
	    put_pair(b, "job", job, e) == -1 ||
	    (ticker != NULL && put_pair(b, "ticker", ticker, e) == -1))
		return -1;
	for (; labels != NULL && labels[0] != NULL; labels += 2)
		if (put_pair(b, labels[0], labels[1], e) == -1)
			return -1;
	return sc_buf_add(b, "", 0, e);
}

int
sc_pushgw_success(struct sc_prom *p, double now, double duration,
    struct sc_err *e)
{
	if (sc_prom_std(p, "stockcast_last_success_timestamp_seconds", e) ==
	        -1 ||
	    sc_prom_add(p, "stockcast_last_success_timestamp_seconds", NULL,
	        now, e) == -1)
		return -1;
	if (duration < 0)
		return 0;
	if (sc_prom_std(p, "stockcast_last_run_duration_seconds", e) == -1)
		return -1;
	return sc_prom_add(p, "stockcast_last_run_duration_seconds", NULL,
	    duration, e);
}

/* url without a user:password@ part, for messages. */
static void
redact(const char *url, char *out, size_t size)
{
	const char *host = strstr(url, "://"), *at, *slash;

	host = host != NULL ? host + 3 : url;
	slash = host + strcspn(host, "/?#");
	at = memchr(host, '@', (size_t)(slash - host));
	if (at == NULL)
		snprintf(out, size, "%s", url);
	else
		snprintf(out, size, "%.*s%s", (int)(host - url), url, at + 1);
}

/* The gateway's message: the body's first line, bounded and printable. */
static void
gateway_msg(const struct sc_http_resp *resp, char *out, size_t size)
{
	const char *s = resp->body.data != NULL ? resp->body.data : "";
	size_t i, n = 0;

	for (i = 0;
	     s[i] != '\0' && s[i] != '\n' && s[i] != '\r' && n + 1 < size; i++)
		out[n++] = (s[i] >= 0x20 && s[i] != 0x7f) ? s[i] : '?';
	out[n] = '\0';
	/* A cut says so, for sc_err to hide the rest of a secret cut there. */
	if (s[i] != '\0' && s[i] != '\n' && s[i] != '\r' && n >= 3)
		memcpy(out + n - 3, "...", 3);
}

static int
status_error(const struct sc_http_resp *resp, const char *method,
    const char *where, struct sc_err *e)
{
	char msg[MAX_MSG + 1];
	long st = resp->status;
	enum sc_errcode code = SC_EPROTO;

	gateway_msg(resp, msg, sizeof(msg));
	if (st == 401 || st == 403)
		code = SC_ENOPERM;
	else if (st == 429)
		code = SC_ETEMP;
	else if (st >= 500)
		code = SC_EUNAVAIL;
	return sc_err_set(e, code, 0, "%s %s: HTTP %ld%s%s", method, where, st,
	    *msg ? ": " : "", msg);
}

int
sc_pushgw_send(struct sc_http *h, struct sc_retry *r, const char *method,
    const char *url, const char *body, size_t len, struct sc_err *e)
{
	struct sc_http_req req = { 0 };
	struct sc_http_resp resp = { 0 };
	struct sc_err he = { 0 }, le = { 0 };
	char where[512];
	const char *why;
	int attempt, rc = -1, again;

	redact(url, where, sizeof(where));
	req.method = method;
	req.url = url;
	req.body = body;
	req.body_len = body != NULL ? len : 0;
	req.max_body = 64 << 10;
	for (attempt = 1;; attempt++) {
		if (sc_http_do(h, &req, &resp, &he) == -1) {
			/* he.msg names the URL, credentials and all: cut it. */
			again = he.code == SC_EUNAVAIL || he.code == SC_ETEMP;
			why = strrchr(he.msg, ':');
			sc_err_set(&le, he.code, 0, "%s %s: %s", method, where,
			    why != NULL ? why + 2 : he.msg);
		} else if (resp.status >= 200 && resp.status < 300) {
			sc_log(SC_LOG_INFO, "%s %s: HTTP %ld (%zu bytes)",
			    method, where, resp.status, len);
			rc = (int)resp.status;
			break;
		} else {
			again = resp.status == 429 || resp.status >= 500;
			status_error(&resp, method, where, &le);
		}
		if (!again ||
		    !sc_retry_wait(r, attempt,
		        resp.status ? sc_http_retry_after(&resp) : -1))
			break;
		sc_log(SC_LOG_INFO, "%s; retrying (attempt %d)", le.msg,
		    attempt + 1);
	}
	sc_http_resp_free(&resp);
	if (rc == -1)
		sc_err_set(e, le.code, 0, "%s", le.msg);
	return rc;
}

static int
same(const char *a, const char *b)
{
	return (a == NULL && b == NULL) ||
	    (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static void
sample_key(const struct sc_prom *p, size_t i, const char *defjob,
    const char **job, const char **ticker)
{
	*job = sc_prom_label(p, i, "job");
	*ticker = sc_prom_label(p, i, "ticker");
	if (*job == NULL || **job == '\0')
		*job = defjob;
	if (*ticker != NULL && **ticker == '\0')
		*ticker = NULL;
}

static size_t
key_hash(const char *job, const char *ticker)
{
	const char *t = ticker != NULL ? ticker : "";
	uint64_t h;

	h = sc_hash_fnv1a_add(SC_FNV1A_INIT, job, strlen(job));
	h = sc_hash_fnv1a_add(h, "\xff", 1);
	h = sc_hash_fnv1a_add(h, t, strlen(t));
	return (size_t)(ticker != NULL ? h : ~h);
}

static void
grouping_free(struct grouping *gr)
{
	size_t i;

	for (i = 0; i < gr->ng; i++)
		free(gr->g[i].idx);
	free(gr->g);
	free(gr->slot);
}

/* The group of (job, ticker), made when new; NULL when out of memory. */
static struct group *
group_of(struct grouping *gr, const char *job, const char *ticker)
{
	size_t h = key_hash(job, ticker) & (gr->nslot - 1);
	struct group *g;

	while (gr->slot[h] != 0) {
		g = &gr->g[gr->slot[h] - 1];
		if (same(g->job, job) && same(g->ticker, ticker))
			return g;
		h = (h + 1) & (gr->nslot - 1);
	}
	g = &gr->g[gr->ng++];
	g->job = job;
	g->ticker = ticker;
	gr->slot[h] = gr->ng;
	return g;
}

static int
add_to(struct group *g, size_t i)
{
	if (sc_buf_grow(&g->idx, &g->cap, g->n + 1, sizeof(*g->idx), NULL) ==
	    -1)
		return -1;
	g->idx[g->n++] = i;
	return 0;
}

/*
 * Split p's samples into groups, in order of first appearance with the
 * job's own group (no ticker) last; with one_group, tickers share the
 * job's group.  0 or -1 with SC_EOS.
 */
static int
make_groups(struct grouping *gr, const struct sc_prom *p, const char *defjob,
    int one_group, struct sc_err *e)
{
	size_t n = sc_prom_count(p), i;
	const char *job, *ticker;
	struct group *g, t;

	for (gr->nslot = 16; gr->nslot < 2 * n + 2; gr->nslot *= 2)
		;
	gr->g = calloc(n + 1, sizeof(*gr->g));
	gr->slot = calloc(gr->nslot, sizeof(*gr->slot));
	if (gr->g == NULL || gr->slot == NULL)
		return sc_err_set(e, SC_EOS, 0, "out of memory");
	for (i = 0; i < n; i++) {
		sample_key(p, i, defjob, &job, &ticker);
		if (one_group)
			ticker = NULL;
		if (add_to(group_of(gr, job, ticker), i) == -1)
			return sc_err_set(e, SC_EOS, 0, "out of memory");
	}
	for (i = 0; i < gr->ng; i++) {
		g = &gr->g[i];
		if (g->ticker == NULL && strcmp(g->job, defjob) == 0) {
			t = *g;
			memmove(g, g + 1, (gr->ng - i - 1) * sizeof(*g));
			gr->g[gr->ng - 1] = t;
			break;
		}
	}
	return 0;
}

/* The labels the URL carries, which the body leaves out. */
static const char **
url_labels(const struct sc_pushgw_opts *o, struct sc_err *e)
{
	size_t n = 0, i;
	const char **drop;

	while (o->labels != NULL && o->labels[2 * n] != NULL)
		n++;
	if ((drop = calloc(n + 3, sizeof(*drop))) == NULL) {
		sc_err_set(e, SC_EOS, 0, "out of memory");
		return NULL;
	}
	drop[0] = "job";
	drop[1] = o->one_group ? NULL : "ticker";
	for (i = 0; i < n; i++)
		drop[i + 1 + !o->one_group] = o->labels[2 * i];
	return drop;
}

static int
push_group(struct sc_http *h, struct sc_retry *r,
    const struct sc_pushgw_opts *o, const struct sc_prom *p, struct group *g,
    const char **drop, struct sc_err *e)
{
	struct sc_buf url = { 0 }, body = { 0 };
	const char *method = o->replace ? "PUT" : "POST";
	char where[512];
	int rc = -1;

	if (sc_pushgw_url(&url, o->url, g->job, g->ticker, o->labels, e) ==
	        -1 ||
	    sc_prom_write_set(p, &body, g->idx, g->n, drop, e) == -1)
		goto out;
	if (o->dry_run) {
		redact(url.data, where, sizeof(where));
		sc_log(SC_LOG_INFO, "would %s %s (%zu bytes)", method, where,
		    body.len);
		rc = 0;
	} else
		rc = sc_pushgw_send(h, r, method, url.data, body.data, body.len,
		    e);
out:
	sc_buf_free(&url);
	sc_buf_free(&body);
	return rc;
}

int
sc_pushgw_push(struct sc_http *h, struct sc_retry *r,
    const struct sc_pushgw_opts *o, const struct sc_prom *p, struct sc_err *e)
{
	struct grouping gr = { 0 };
	const char **drop = NULL;
	size_t i;
	int rc = -1;

	if (sc_pushgw_check(o, e) == -1 || (drop = url_labels(o, e)) == NULL ||
	    make_groups(&gr, p, o->job, o->one_group, e) == -1)
		goto out;
	for (i = 0; i < gr.ng; i++)
		if (push_group(h, r, o, p, &gr.g[i], drop, e) == -1)
			goto out;
	rc = (int)gr.ng;
out:
	grouping_free(&gr);
	free(drop);
	return rc;
}

int
sc_pushgw_delete(struct sc_http *h, struct sc_retry *r,
    const struct sc_pushgw_opts *o, const char *ticker, struct sc_err *e)
{
	struct sc_buf url = { 0 };
	int rc;

	if (sc_pushgw_check(o, e) == -1)
		return -1;
	if (sc_pushgw_url(&url, o->url, o->job, ticker, o->labels, e) == -1) {
		sc_buf_free(&url);
		return -1;
	}
	rc = sc_pushgw_send(h, r, "DELETE", url.data, NULL, 0, e);
	sc_buf_free(&url);
	return rc;
}
