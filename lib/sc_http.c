/* SPDX-License-Identifier: ISC */
/*
 * HTTP on libcurl's easy interface.  One easy handle per client keeps
 * connections and cookies alive across requests; curl_global_init() is
 * done once, before any thread, through pthread_once.  The write callback
 * decides per response where the body goes: to out_fp when the status is
 * 2xx and the caller asked for streaming, otherwise into a bounded buffer.
 */
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "sc_date.h"
#include "sc_http.h"

#define DEFAULT_MAX_BODY (16u << 20)
#define MAX_HEADERS (64u << 10)

struct sc_http {
	CURL *curl;
	struct sc_http_opts opts;
	CURLSH *share; /* the cookie jar, when cookies are kept */
};

struct xfer {
	const struct sc_http_req *req;
	struct sc_http_resp *resp;
	CURL *curl;
	int too_big;
	int write_failed;
	int write_errno;
	uint64_t sent; /* bytes of an in-memory body sent */
	int head;      /* a HEAD request: no body comes */
};

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc;

static void
global_init(void)
{
	global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

struct sc_http *
sc_http_new(const struct sc_http_opts *opts, struct sc_err *e)
{
	struct sc_http *h;

	pthread_once(&global_once, global_init);
	if (global_rc != CURLE_OK) {
		sc_err_set(e, SC_EOS, 0, "libcurl: %s",
		    curl_easy_strerror(global_rc));
		return NULL;
	}
	if ((h = calloc(1, sizeof(*h))) == NULL ||
	    (h->curl = curl_easy_init()) == NULL) {
		free(h);
		sc_err_set(e, SC_EOS, 0, "out of memory");
		return NULL;
	}
	if (opts != NULL)
		h->opts = *opts;
	if (h->opts.timeout <= 0)
		h->opts.timeout = 30;
	if (h->opts.connect_timeout <= 0)
		h->opts.connect_timeout = 10;
	if (h->opts.cookies &&
	    ((h->share = curl_share_init()) == NULL ||
	        curl_share_setopt(h->share, CURLSHOPT_SHARE,
	            CURL_LOCK_DATA_COOKIE) != CURLSHE_OK)) {
		sc_http_free(h);
		sc_err_set(e, SC_EOS, 0, "out of memory");
		return NULL;
	}
	return h;
}

void
sc_http_free(struct sc_http *h)
{
	if (h == NULL)
		return;
	curl_easy_cleanup(h->curl);
	if (h->share != NULL)
		curl_share_cleanup(h->share);
	free(h);
}

void
sc_http_resp_free(struct sc_http_resp *r)
{
	sc_buf_free(&r->body);
	sc_buf_free(&r->headers);
}

static size_t
on_write(char *p, size_t size, size_t n, void *arg)
{
	struct xfer *x = arg;
	size_t len = size * n;
	long status = 0;

	curl_easy_getinfo(x->curl, CURLINFO_RESPONSE_CODE, &status);
	if (x->req->out_fp != NULL && status >= 200 && status < 300) {
		if (fwrite(p, 1, len, x->req->out_fp) != len) {
			x->write_failed = 1;
			x->write_errno = errno;
			return 0;
		}
		x->resp->streamed += len;
		return len;
	}
	if (sc_buf_add(&x->resp->body, p, len, NULL) == -1) {
		x->too_big = 1;
		return 0;
	}
	return len;
}

static size_t
on_header(char *p, size_t size, size_t n, void *arg)
{
	struct xfer *x = arg;
	size_t len = size * n;

	/* A new status line (after a redirect or 100): forget the old ones. */
	if (len >= 5 && strncmp(p, "HTTP/", 5) == 0)
		sc_buf_reset(&x->resp->headers);
	(void)sc_buf_add(&x->resp->headers, p, len, NULL);
	return len;
}

static size_t
on_read(char *p, size_t size, size_t n, void *arg)
{
	struct xfer *x = arg;
	size_t want = size * n;
	uint64_t left = x->req->body_len - x->sent;

	if (x->req->body_fp != NULL) {
		size_t got = fread(p, 1, want, x->req->body_fp);

		/* A read error must not pass for the end of the body. */
		return got == 0 && ferror(x->req->body_fp) ? CURL_READFUNC_ABORT
		                                           : got;
	}
	if (want > left)
		want = (size_t)left;
	memcpy(p, (const char *)x->req->body + x->sent, want);
	x->sent += want;
	return want;
}

static int
on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
    curl_off_t ulnow)
{
	struct xfer *x = arg;
	long status = 0;

	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	/*
	 * Refuse a buffered body whose Content-Length is past the bound; a
	 * HEAD answer has none, whatever its Content-Length says.
	 */
	curl_easy_getinfo(x->curl, CURLINFO_RESPONSE_CODE, &status);
	if (dltotal > 0 && !x->head &&
	    (x->req->out_fp == NULL || status < 200 || status >= 300) &&
	    (uint64_t)dltotal > x->resp->body.limit) {
		x->too_big = 1;
		return 1;
	}
	return 0;
}

static struct curl_slist *
make_headers(const struct sc_http_req *req, struct sc_err *e)
{
	struct curl_slist *list = NULL, *tmp;
	size_t i;

	/* Let curl not add "Expect: 100-continue": one round trip fewer. */
	if ((list = curl_slist_append(list, "Expect:")) == NULL)
		goto oom;
	for (i = 0; req->headers != NULL && req->headers[i] != NULL; i++) {
		if ((tmp = curl_slist_append(list, req->headers[i])) == NULL)
			goto oom;
		list = tmp;
	}
	return list;
oom:
	curl_slist_free_all(list);
	sc_err_set(e, SC_EOS, 0, "out of memory");
	return NULL;
}

static void
set_options(struct sc_http *h, const struct sc_http_req *req, struct xfer *x,
    struct curl_slist *hdrs)
{
	CURL *c = h->curl;
	const char *method = req->method != NULL ? req->method : "GET";

	curl_easy_setopt(c, CURLOPT_URL, req->url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(c, CURLOPT_USERAGENT,
	    h->opts.user_agent != NULL ? h->opts.user_agent
	                               : "stockcast/0.1.0");
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)(h->opts.timeout * 1000));
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
	    (long)(h->opts.connect_timeout * 1000));
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, req->follow ? 1L : 0L);
	curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
	if (h->opts.compressed)
		curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
	if (h->opts.http2)
		curl_easy_setopt(c, CURLOPT_HTTP_VERSION,
		    (long)CURL_HTTP_VERSION_2TLS);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, x);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	else if (req->body != NULL || req->body_fp != NULL) {
		curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
		curl_easy_setopt(c, CURLOPT_READDATA, x);
		curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE,
		    (curl_off_t)req->body_len);
	}
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
}

/*
 * url for an error message: without a user:password@ part, and with the
 * query cut to "?...", since a presigned URL carries a session token there.
 */
static const char *
safe_url(const char *url, char *buf, size_t size)
{
	const char *host = strstr(url, "://"), *at, *end;
	size_t hlen;

	host = host != NULL ? host + 3 : url;
	hlen = strcspn(host, "/?#");
	at = memchr(host, '@', hlen);
	end = host + hlen + strcspn(host + hlen, "?#");
	if (at != NULL)
		snprintf(buf, size, "%.*s%.*s%s", (int)(host - url), url,
		    (int)(end - at - 1), at + 1, *end ? "?..." : "");
	else
		snprintf(buf, size, "%.*s%s", (int)(end - url), url,
		    *end ? "?..." : "");
	return buf;
}

static int
curl_failure(CURLcode rc, const struct xfer *x, const char *raw_url,
    struct sc_err *e)
{
	char buf[512];
	const char *url = safe_url(raw_url, buf, sizeof(buf));

	if (x->too_big)
		return sc_err_set(e, SC_EPROTO, 0,
		    "%s: response larger than %zu bytes", url,
		    x->resp->body.limit);
	if (x->write_failed)
		return sc_err_errno(e, SC_EIO, x->write_errno, "%s: write",
		    url);
	switch (rc) {
	case CURLE_OPERATION_TIMEDOUT:
		return sc_err_set(e, SC_ETEMP, 0, "%s: timed out", url);
	case CURLE_OUT_OF_MEMORY:
		return sc_err_set(e, SC_EOS, 0, "out of memory");
	case CURLE_URL_MALFORMAT:
	case CURLE_UNSUPPORTED_PROTOCOL:
		return sc_err_set(e, SC_EUSAGE, 0, "%s: %s", url,
		    curl_easy_strerror(rc));
	default:
		return sc_err_set(e, SC_EUNAVAIL, 0, "%s: %s", url,
		    curl_easy_strerror(rc));
	}
}

int
sc_http_do(struct sc_http *h, const struct sc_http_req *req,
    struct sc_http_resp *resp, struct sc_err *e)
{
	struct xfer x = { 0 };
	struct curl_slist *hdrs;
	char *url = NULL;
	CURLcode rc;

	sc_http_resp_free(resp);
	memset(resp, 0, sizeof(*resp));
	resp->body.limit = req->max_body ? req->max_body : DEFAULT_MAX_BODY;
	resp->headers.limit = MAX_HEADERS;
	x.req = req;
	x.resp = resp;
	x.curl = h->curl;
	x.head = req->method != NULL && strcmp(req->method, "HEAD") == 0;
	if (req->body_fp != NULL && fseek(req->body_fp, 0, SEEK_SET) == -1)
		return sc_err_errno(e, SC_EIO, errno, "rewind request body");
	if ((hdrs = make_headers(req, e)) == NULL)
		return -1;
	/*
	 * The jar lives in a share object; the engine is switched on per
	 * request with COOKIEFILE "".  curl_easy_reset() drops that list
	 * without freeing it (libcurl 7.88), so it is cleared first.
	 */
	if (h->share != NULL)
		curl_easy_setopt(h->curl, CURLOPT_COOKIEFILE, NULL);
	curl_easy_reset(h->curl);
	if (h->share != NULL) {
		curl_easy_setopt(h->curl, CURLOPT_SHARE, h->share);
		curl_easy_setopt(h->curl, CURLOPT_COOKIEFILE, "");
	}
	set_options(h, req, &x, hdrs);
	rc = curl_easy_perform(h->curl);
	curl_slist_free_all(hdrs);
	if (curl_easy_getinfo(h->curl, CURLINFO_EFFECTIVE_URL, &url) ==
	        CURLE_OK &&
	    url != NULL)
		snprintf(resp->url, sizeof(resp->url), "%s", url);
	if (rc != CURLE_OK || x.too_big || x.write_failed)
		return curl_failure(rc, &x, req->url, e);
	curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &resp->status);
	if (resp->body.data == NULL)
		(void)sc_buf_add(&resp->body, "", 0, NULL);
	return 0;
}

int
sc_http_header(const struct sc_http_resp *r, const char *name, char *buf,
    size_t size)
{
	const char *p = r->headers.data, *end, *v, *found = NULL;
	size_t nlen = strlen(name), vlen = 0;

	if (p == NULL)
		return -1;
	for (; *p != '\0'; p = end + (*end != '\0')) {
		if ((end = strchr(p, '\n')) == NULL)
			end = p + strlen(p);
		if ((size_t)(end - p) > nlen && p[nlen] == ':' &&
		    strncasecmp(p, name, nlen) == 0) {
			for (v = p + nlen + 1;
			     v < end && (*v == ' ' || *v == '\t'); v++)
				;
			found = v;
			for (vlen = (size_t)(end - v);
			     vlen > 0 && isspace((unsigned char)v[vlen - 1]);
			     vlen--)
				;
		}
	}
	if (found == NULL)
		return -1;
	if (size > 0) {
		size_t n = vlen < size - 1 ? vlen : size - 1;

		memcpy(buf, found, n);
		buf[n] = '\0';
	}
	return (int)vlen;
}

int
sc_http_escape(struct sc_buf *b, const char *s, int keep_slash,
    struct sc_err *e)
{
	static const char hex[] = "0123456789ABCDEF";
	char enc[3];

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (isalnum(c) || c == '-' || c == '_' || c == '.' ||
		    c == '~' || (keep_slash && c == '/')) {
			if (sc_buf_add(b, s, 1, e) == -1)
				return -1;
			continue;
		}
		enc[0] = '%';
		enc[1] = hex[c >> 4];
		enc[2] = hex[c & 15];
		if (sc_buf_add(b, enc, 3, e) == -1)
			return -1;
	}
	return sc_buf_add(b, "", 0, e);
}

static void
default_sleep(double s)
{
	struct timespec ts;

	if (s <= 0)
		return;
	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

static double
jitter(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	return (double)(z >> 11) / 9007199254740992.0;
}

int
sc_retry_wait(struct sc_retry *r, int attempt, double retry_after)
{
	double ceiling, wait;
	int i;

	if (attempt >= r->max)
		return 0;
	ceiling = r->base;
	for (i = 1; i < attempt && ceiling < r->cap; i++)
		ceiling *= 2;
	if (ceiling > r->cap)
		ceiling = r->cap;
	wait = ceiling * jitter(&r->state);
	if (retry_after > wait)
		wait = retry_after < r->cap ? retry_after : r->cap;
	if (r->budget > 0 && r->waited + wait > r->budget)
		return 0;
	(r->sleep != NULL ? r->sleep : default_sleep)(wait);
	r->waited += wait;
	return 1;
}

double
sc_http_retry_after(const struct sc_http_resp *r)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	char buf[64], mon[4];
	int d, y, hh, mm, ss, m;
	long secs;
	double now;

	if (sc_http_header(r, "retry-after", buf, sizeof(buf)) <= 0)
		return -1;
	if (buf[0] >= '0' && buf[0] <= '9') {
		char *end;

		secs = strtol(buf, &end, 10);
		return *end == '\0' && secs >= 0 ? (double)secs : -1;
	}
	/* IMF-fixdate: "Wed, 21 Oct 2015 07:28:00 GMT" */
	if (sscanf(buf, "%*3s, %d %3s %d %d:%d:%d GMT", &d, mon, &y, &hh, &mm,
	        &ss) != 6)
		return -1;
	for (m = 0; m < 12; m++)
		if (strncmp(months + 3 * m, mon, 3) == 0)
			break;
	if (m == 12 || !sc_date_valid(y, m + 1, d))
		return -1;
	now = (double)time(NULL);
	secs =
	    sc_date_from_ymd(y, m + 1, d) * 86400L + hh * 3600L + mm * 60L + ss;
	return (double)secs > now ? (double)secs - now : 0;
}
