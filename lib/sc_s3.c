/* SPDX-License-Identifier: ISC */
/*
 * S3 requests.  One function, s3_do(), signs, sends and retries; the verbs
 * only choose the method, the query, the headers and the body.  The URL
 * sent is assembled from the signer's encoded path and query, so what the
 * server verifies is byte for byte what was signed (s3rver is strict
 * about that).  Error answers are buffered (bounded) and turned into
 * messages by sc_s3_error(), which knows S3's codes.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "sc_hash.h"
#include "sc_http.h"
#include "sc_log.h"
#include "sc_s3.h"
#include "sc_sigv4.h"

#define MAX_ERROR_BODY (64u << 10)
#define MAX_LIST_BODY (16u << 20)
#define MAX_HDRS 8

struct sc_s3 {
	struct sc_s3_opts o;
	struct sc_http *http;
	char scheme[8];
	char authority[256]; /* host[:port] of the endpoint */
	char base[256];      /* path prefix of the endpoint, no final '/' */
	int path_style;
	long status;
	struct sc_retry retry;
};

struct s3req {
	const char *method;
	const char *bucket;
	const char *key; /* NULL: the bucket itself */
	const struct sc_sigv4_kv *query;
	size_t nquery;
	struct sc_sigv4_kv hdrs[MAX_HDRS];
	size_t nhdrs;
	const char *payload_hash;
	const void *body;
	FILE *body_fp;
	uint64_t body_len;
	FILE *out_fp;
	size_t max_body;
	int resumable;     /* a GET of a whole object */
	uint64_t resumed;  /* bytes already written by broken attempts */
	char range[48];    /* "bytes=N-" to resume from */
	char if_match[96]; /* the ETag of the version being read */
};

static int
parse_endpoint(struct sc_s3 *s, const char *ep, struct sc_err *e)
{
	const char *p, *slash;
	size_t n;

	if (ep == NULL) {
		snprintf(s->scheme, sizeof(s->scheme), "https");
		return 0;
	}
	s->path_style = 1;
	if (strncmp(ep, "http://", 7) == 0)
		snprintf(s->scheme, sizeof(s->scheme), "http");
	else if (strncmp(ep, "https://", 8) == 0)
		snprintf(s->scheme, sizeof(s->scheme), "https");
	else
		goto bad;
	p = strstr(ep, "://") + 3;
	slash = strchr(p, '/');
	n = slash != NULL ? (size_t)(slash - p) : strlen(p);
	if (n == 0 || n >= sizeof(s->authority) || memchr(p, '@', n) ||
	    memchr(p, '?', n) || memchr(p, '#', n))
		goto bad;
	memcpy(s->authority, p, n);
	if (slash != NULL) {
		n = strlen(slash);
		while (n > 0 && slash[n - 1] == '/')
			n--;
		if (n >= sizeof(s->base) || strpbrk(slash, "?#") != NULL)
			goto bad;
		memcpy(s->base, slash, n);
	}
	return 0;
bad:
	return sc_err_set(e, SC_ECONFIG, 0,
	    "AWS_ENDPOINT_URL \"%s\": want http[s]://host[:port][/path]", ep);
}

struct sc_s3 *
sc_s3_new(const struct sc_s3_opts *o, struct sc_err *e)
{
	struct sc_http_opts ho = { 0 };
	struct sc_s3 *s;

	if (o->access_key == NULL || o->secret_key == NULL) {
		sc_err_set(e, SC_ECONFIG, 0,
		    "no AWS credentials: set AWS_ACCESS_KEY_ID and "
		    "AWS_SECRET_ACCESS_KEY, or AWS_PROFILE with "
		    "~/.aws/credentials");
		return NULL;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		sc_err_set(e, SC_EOS, 0, "out of memory");
		return NULL;
	}
	s->o = *o;
	if (s->o.region == NULL)
		s->o.region = "us-east-1";
	if (s->o.retry_max <= 0)
		s->o.retry_max = 4;
	if (s->o.retry_cap <= 0)
		s->o.retry_cap = 30;
	if (s->o.retry_budget <= 0)
		s->o.retry_budget = 300;
	if (s->o.max_keys <= 0 || s->o.max_keys > 1000)
		s->o.max_keys = 1000;
	ho.timeout = o->timeout;
	ho.connect_timeout = o->connect_timeout;
	if (parse_endpoint(s, o->endpoint, e) == -1 ||
	    (s->http = sc_http_new(&ho, e)) == NULL) {
		free(s);
		return NULL;
	}
	return s;
}

void
sc_s3_free(struct sc_s3 *s)
{
	if (s == NULL)
		return;
	sc_http_free(s->http);
	free(s);
}

long
sc_s3_status(const struct sc_s3 *s)
{
	return s->status;
}

static int
bucket_ok(const char *b, struct sc_err *e)
{
	size_t n = strlen(b), i;

	/* Never echo a user:password@ part: credentials come from the
	 * environment, not the URL. */
	if (strchr(b, '@') != NULL)
		return sc_err_set(e, SC_EUSAGE, 0,
		    "an s3:// URL has no user:password@ part (credentials "
		    "come from AWS_* variables or ~/.aws)");
	for (i = 0; i < n; i++)
		if (!((b[i] >= 'a' && b[i] <= 'z') ||
		        (b[i] >= '0' && b[i] <= '9') || b[i] == '-' ||
		        b[i] == '.' || b[i] == '_' ||
		        (b[i] >= 'A' && b[i] <= 'Z')))
			break;
	if (n < 3 || n > 63 || i < n)
		return sc_err_set(e, SC_EUSAGE, 0,
		    "bucket \"%s\": want 3 to 63 letters, digits, '.', "
		    "'-' or '_'",
		    b);
	return 0;
}

/* Host and raw (unencoded) path of a request. */
static int
host_path(const struct sc_s3 *s, const char *bucket, const char *key,
    char *host, size_t hsize, struct sc_buf *path, struct sc_err *e)
{
	int virt = !s->path_style && strchr(bucket, '.') == NULL;

	if (bucket_ok(bucket, e) == -1)
		return -1;
	if (s->path_style)
		snprintf(host, hsize, "%s", s->authority);
	else if (virt)
		snprintf(host, hsize, "%s.s3.%s.amazonaws.com", bucket,
		    s->o.region);
	else
		snprintf(host, hsize, "s3.%s.amazonaws.com", s->o.region);
	if (sc_buf_printf(path, e, "%s", s->base) == -1)
		return -1;
	if (!virt && sc_buf_printf(path, e, "/%s", bucket) == -1)
		return -1;
	/* Bucket-level: no trailing slash path-style (s3rver), "/" else. */
	if (key != NULL)
		return sc_buf_printf(path, e, "/%s", key);
	return path->len == 0 ? sc_buf_printf(path, e, "/") : 0;
}

int
sc_s3_url(const struct sc_s3 *s, const char *bucket, const char *key,
    struct sc_buf *url, struct sc_err *e)
{
	struct sc_buf raw = { 0 };
	char host[512];
	int rc;

	rc = host_path(s, bucket, key, host, sizeof(host), &raw, e);
	if (rc == 0)
		rc = sc_buf_printf(url, e, "%s://%s", s->scheme, host);
	if (rc == 0)
		rc = sc_sigv4_encode(url, raw.data, 1, e);
	sc_buf_free(&raw);
	return rc;
}

/* Copy S3's text for a message: printable ASCII only, bounded. */
static void
clean(char *dst, size_t size, const char *src, int full)
{
	size_t i;

	for (i = 0; i + 1 < size && src[i] != '\0'; i++)
		dst[i] = src[i] >= ' ' && src[i] < 0x7f ? src[i] : '?';
	dst[i] = '\0';
	/* A text cut short says so, so that sc_err sees where a secret may
	 * have been cut and hides what is left of it. */
	if ((src[i] != '\0' || full) && i >= 3)
		memcpy(dst + i - 3, "...", 3);
}

static const char *
hint(const char *code, long status)
{
	if (strcmp(code, "SignatureDoesNotMatch") == 0)
		return " (check AWS_SECRET_ACCESS_KEY)";
	if (strcmp(code, "InvalidAccessKeyId") == 0)
		return " (check AWS_ACCESS_KEY_ID)";
	if (strcmp(code, "RequestTimeTooSkewed") == 0 ||
	    strcmp(code, "RequestExpired") == 0)
		return " (check the system clock)";
	if (strcmp(code, "ExpiredToken") == 0 ||
	    strcmp(code, "InvalidToken") == 0)
		return " (check AWS_SESSION_TOKEN)";
	if (status == 401 || status == 403)
		return " (check the credentials and the key's permissions)";
	return "";
}

static enum sc_errcode
classify(const char *code, long status)
{
	if (strcmp(code, "NoSuchKey") == 0 ||
	    strcmp(code, "NoSuchBucket") == 0 || status == 404)
		return SC_ENOINPUT;
	if (strcmp(code, "SlowDown") == 0 || status == 429)
		return SC_ETEMP;
	if (status == 401 || status == 403 ||
	    strcmp(code, "AccessDenied") == 0 ||
	    strcmp(code, "SignatureDoesNotMatch") == 0)
		return SC_ENOPERM;
	if (status == 412 || strcmp(code, "PreconditionFailed") == 0 ||
	    strcmp(code, "ConditionalRequestConflict") == 0)
		return SC_ECANTCREAT;
	if (status >= 500)
		return SC_EUNAVAIL;
	return SC_EPROTO;
}

int
sc_s3_error(long status, const char *body, size_t len, const char *what,
    struct sc_err *e)
{
	struct sc_xml_error x;
	char code[64], msg[sizeof(x.message)];
	enum sc_errcode ec;

	if (sc_xml_parse_error(body, len, &x) == -1)
		snprintf(x.code, sizeof(x.code), "%s",
		    status == 404 ? "NotFound" : "");
	clean(code, sizeof(code), x.code, 0);
	/* The parser cuts a longer message to fill its buffer. */
	clean(msg, sizeof(msg), x.message,
	    strlen(x.message) == sizeof(x.message) - 1);
	ec = classify(code, status);
	if (ec == SC_ECANTCREAT) {
		sc_err_set(e, ec, 0,
		    "%s: HTTP %ld: precondition failed (the object exists "
		    "or changed)",
		    what, status);
		return SC_S3_PRECONDITION;
	}
	return sc_err_set(e, ec, 0, "%s: HTTP %ld%s%s%s%s%s", what, status,
	    code[0] ? " " : "", code, msg[0] ? ": " : "", msg,
	    hint(code, status));
}

static int
retryable_status(long st)
{
	return st == 429 || st == 500 || st == 502 || st == 503 || st == 504;
}

/* Make room for a retry after part of a body went to out: rewind it. */
static int
rewind_out(FILE *out, off_t start)
{
	struct stat sb;
	int fl;

	/* Never truncate what an appending writer (">>") had before us. */
	if (start < 0 || fstat(fileno(out), &sb) == -1 ||
	    !S_ISREG(sb.st_mode) || (fl = fcntl(fileno(out), F_GETFL)) == -1 ||
	    (fl & O_APPEND))
		return -1;
	if (fflush(out) == EOF || fseeko(out, start, SEEK_SET) ||
	    ftruncate(fileno(out), start) == -1)
		return -1;
	return 0;
}

static int
sign_request(struct sc_s3 *s, const struct s3req *r, struct sc_sigv4_out *so,
    struct sc_buf *url, struct sc_err *e)
{
	struct sc_sigv4_key k = { s->o.access_key, s->o.secret_key,
		s->o.session_token, s->o.region, "s3", time(NULL) };
	struct sc_sigv4_req q = { 0 };
	struct sc_buf raw = { 0 };
	char host[512];
	int rc;

	rc = host_path(s, r->bucket, r->key, host, sizeof(host), &raw, e);
	q.method = r->method;
	q.host = host;
	q.path = raw.data;
	q.query = r->query;
	q.nquery = r->nquery;
	q.headers = r->hdrs;
	q.nheaders = r->nhdrs;
	q.payload_hash = r->payload_hash;
	q.content_sha256 = 1;
	if (rc == 0)
		rc = sc_sigv4_sign(&k, &q, so, e);
	sc_buf_free(&raw);
	sc_buf_reset(url);
	if (rc == 0)
		rc = sc_buf_printf(url, e, "%s://%s%s%s%s", s->scheme, host,
		    so->path.data, so->query.len ? "?" : "", so->query.data);
	return rc;
}

static void
name_of(const struct s3req *r, char *buf, size_t size)
{
	snprintf(buf, size, "s3://%s/%s", r->bucket, r->key ? r->key : "");
}

/* One signed attempt. */
static int
attempt(struct sc_s3 *s, const struct s3req *r, struct sc_http_resp *resp,
    struct sc_err *e)
{
	struct sc_sigv4_out so = { 0 };
	struct sc_buf url = { 0 }, h[MAX_HDRS + 4] = { { 0 } };
	const char *hv[MAX_HDRS + 5];
	struct sc_http_req hr = { 0 };
	size_t i, n = 0;
	int rc;

	if ((rc = sign_request(s, r, &so, &url, e)) == -1)
		goto done;
	rc |= sc_buf_printf(&h[n++], e, "X-Amz-Date: %s", so.amz_date);
	rc |= sc_buf_printf(&h[n++], e, "X-Amz-Content-Sha256: %s",
	    r->payload_hash);
	if (s->o.session_token != NULL)
		rc |= sc_buf_printf(&h[n++], e, "X-Amz-Security-Token: %s",
		    s->o.session_token);
	rc |= sc_buf_printf(&h[n++], e, "Authorization: %s", so.auth.data);
	for (i = 0; i < r->nhdrs; i++)
		rc |= sc_buf_printf(&h[n++], e, "%s: %s", r->hdrs[i].name,
		    r->hdrs[i].value);
	if (rc != 0)
		goto done;
	for (i = 0; i < n; i++)
		hv[i] = h[i].data;
	hv[n] = NULL;
	hr.method = r->method;
	hr.url = url.data;
	hr.headers = hv;
	hr.body = r->body;
	hr.body_fp = r->body_fp;
	hr.body_len = r->body_len;
	hr.out_fp = r->out_fp;
	hr.max_body = r->max_body ? r->max_body : MAX_ERROR_BODY;
	rc = sc_http_do(s->http, &hr, resp, e);
	s->status = rc == 0 ? resp->status : 0;
done:
	for (i = 0; i < n; i++) {
		explicit_bzero(h[i].data, h[i].len);
		sc_buf_free(&h[i]);
	}
	sc_buf_free(&url);
	sc_sigv4_out_free(&so);
	return rc;
}

/*
 * Prepare to continue a download that broke after resp->streamed bytes
 * went to an output that cannot be rewound: ask for the rest with Range,
 * pinned to the same version with If-Match.  -1 when it cannot be done.
 */
static int
resume(struct s3req *r, const struct sc_http_resp *resp)
{
	char etag[96];

	if (!r->resumable)
		return -1;
	if (r->if_match[0] == '\0') {
		if (sc_http_header(resp, "etag", etag, sizeof(etag)) <= 0 ||
		    strlen(etag) >= sizeof(r->if_match) ||
		    r->nhdrs + 2 > MAX_HDRS)
			return -1;
		memcpy(r->if_match, etag, strlen(etag) + 1);
		r->hdrs[r->nhdrs].name = "If-Match";
		r->hdrs[r->nhdrs++].value = r->if_match;
		r->hdrs[r->nhdrs].name = "Range";
		r->hdrs[r->nhdrs++].value = r->range;
	}
	r->resumed += resp->streamed;
	snprintf(r->range, sizeof(r->range), "bytes=%llu-",
	    (unsigned long long)r->resumed);
	sc_log(SC_LOG_INFO, "resuming at byte %llu",
	    (unsigned long long)r->resumed);
	return 0;
}

/*
 * Send r until an answer that is not worth another try, or the retries
 * are spent.  Returns 0 with the last answer in *resp (any status), or -1
 * when no answer came.  *tries gets the number of attempts.  A download
 * broken half-way is retried from the start into a seekable output, and
 * resumed where it stopped into a pipe.
 */
static int
s3_do(struct sc_s3 *s, struct s3req *r, struct sc_http_resp *resp, int *tries,
    struct sc_err *e)
{
	struct sc_retry rt = { s->o.retry_max, s->o.retry_base, s->o.retry_cap,
		s->o.retry_budget, s->o.seed, 0, s->o.sleep };
	off_t start = r->out_fp != NULL ? ftello(r->out_fp) : -1;
	struct sc_err le = { 0 }; /* the caller's e may be NULL */
	char what[1200];
	int n, rc;

	name_of(r, what, sizeof(what));
	rt.state ^= (uint64_t)time(NULL) * 0x9e3779b97f4a7c15ULL;
	for (n = 1;; n++) {
		*tries = n;
		rc = attempt(s, r, resp, &le);
		if (rc == -1 && le.code != SC_EUNAVAIL && le.code != SC_ETEMP)
			break;
		if (rc == 0 && !retryable_status(resp->status))
			return 0;
		if (resp->streamed > 0 && rewind_out(r->out_fp, start) == -1 &&
		    resume(r, resp) == -1) {
			if (rc == 0)
				return 0;
			sc_err_prefix(&le,
			    "cannot retry (output not seekable)");
			break;
		}
		if (rc == 0)
			sc_log(SC_LOG_INFO, "%s: HTTP %ld (attempt %d of %d)",
			    what, resp->status, n, rt.max);
		else
			sc_log(SC_LOG_INFO, "%s (attempt %d of %d)", le.msg, n,
			    rt.max);
		if (!sc_retry_wait(&rt, n,
		        rc == 0 ? sc_http_retry_after(resp) : -1)) {
			if (rc == -1 && n > 1)
				sc_err_prefix(&le, "after %d attempts", n);
			break;
		}
	}
	if (rc == -1 && e != NULL)
		*e = le;
	return rc;
}

/* Map a final non-2xx answer to *e; returns -1 or SC_S3_PRECONDITION. */
static int
answer_error(const struct s3req *r, const struct sc_http_resp *resp, int tries,
    struct sc_err *e)
{
	char what[1200];
	int rc;

	name_of(r, what, sizeof(what));
	rc =
	    sc_s3_error(resp->status, resp->body.data, resp->body.len, what, e);
	if (tries > 1 && rc == -1)
		sc_err_prefix(e, "after %d attempts", tries);
	return rc;
}

static int
is_2xx(long status)
{
	return status >= 200 && status < 300;
}

static int
key_ok(const char *key, struct sc_err *e)
{
	size_t n = strlen(key);

	if (n == 0 || n > 1024)
		return sc_err_set(e, SC_EUSAGE, 0,
		    "S3 key: want 1 to 1024 bytes");
	return 0;
}

int
sc_s3_get(struct sc_s3 *s, const char *bucket, const char *key,
    const char *range, FILE *out, struct sc_err *e)
{
	struct s3req r = { 0 };
	struct sc_http_resp resp = { 0 };
	int rc, tries;

	if (key_ok(key, e) == -1)
		return -1;
	r.method = "GET";
	r.bucket = bucket;
	r.key = key;
	r.payload_hash = SC_SHA256_EMPTY;
	r.out_fp = out;
	r.resumable = range == NULL;
	if (range != NULL) {
		r.hdrs[0].name = "Range";
		r.hdrs[0].value = range;
		r.nhdrs = 1;
	}
	rc = s3_do(s, &r, &resp, &tries, e);
	if (rc == 0 && !is_2xx(resp.status)) {
		(void)answer_error(&r, &resp, tries, e);
		rc = -1;
	}
	if (rc == 0 && fflush(out) == EOF)
		rc = sc_err_errno(e, SC_EIO, errno, "write");
	sc_http_resp_free(&resp);
	return rc;
}

static void
header_etag(const struct sc_http_resp *resp, char *etag, size_t size)
{
	char buf[128];
	size_t n;

	etag[0] = '\0';
	if (sc_http_header(resp, "etag", buf, sizeof(buf)) <= 0)
		return;
	n = strlen(buf);
	if (n >= 2 && buf[0] == '"' && buf[n - 1] == '"')
		snprintf(etag, size, "%.*s", (int)(n - 2), buf + 1);
	else
		snprintf(etag, size, "%.79s", buf);
}

/*
 * The payload hash (hex SHA-256), MD5 (hex, S3's ETag of a one-PUT
 * object) and length of a PUT body; fp is read from 0.
 */
static int
body_hash(const struct sc_s3_body *b, char *hex, char *md5hex, uint64_t *len,
    struct sc_err *e)
{
	uint8_t h[SC_SHA256_LEN], m[SC_MD5_LEN];

	if (b->fp != NULL) {
		if (fseeko(b->fp, 0, SEEK_SET) == -1)
			return sc_err_errno(e, SC_EUSAGE, errno,
			    "upload body: cannot rewind");
		if (sc_hash_digests_fp(b->fp, "upload body", h, m, len, e) ==
		    -1)
			return -1;
	} else {
		if (sc_hash_digests(b->data != NULL ? b->data : "", b->len, h,
		        m, e) == -1)
			return -1;
		*len = b->len;
	}
	sc_hash_hex(h, sizeof(h), hex);
	sc_hash_hex(m, sizeof(m), md5hex);
	return 0;
}

/* Content-Type and the condition of a PUT; etag is room for If-Match. */
static int
put_headers(struct s3req *r, const struct sc_s3_body *b, char *etag,
    size_t size, struct sc_err *e)
{
	r->hdrs[r->nhdrs].name = "Content-Type";
	r->hdrs[r->nhdrs++].value = b->content_type != NULL
	    ? b->content_type
	    : "application/octet-stream";
	if (b->cond == SC_S3_IF_NONE_MATCH) {
		r->hdrs[r->nhdrs].name = "If-None-Match";
		r->hdrs[r->nhdrs++].value = "*";
	} else if (b->cond == SC_S3_IF_MATCH) {
		if (b->etag == NULL || strlen(b->etag) > 80 ||
		    strchr(b->etag, '"') != NULL)
			return sc_err_set(e, SC_EUSAGE, 0,
			    "If-Match: want an ETag without quotes");
		snprintf(etag, size, "\"%s\"", b->etag);
		r->hdrs[r->nhdrs].name = "If-Match";
		r->hdrs[r->nhdrs++].value = etag;
	}
	return 0;
}

/*
 * A conditional PUT retried after an attempt whose answer was lost can
 * meet its own write: the object now exists (or changed), so the retry
 * gets 412.  It was ours when the object's ETag is our MD5.
 */
static int
was_ours(struct sc_s3 *s, const struct s3req *r, const char *md5hex)
{
	struct sc_s3_info info;

	if (sc_s3_head(s, r->bucket, r->key, &info, NULL) == -1 ||
	    strcmp(info.etag, md5hex) != 0)
		return 0;
	sc_log(SC_LOG_INFO,
	    "s3://%s/%s: the 412 answers our own earlier attempt", r->bucket,
	    r->key);
	return 1;
}

int
sc_s3_put(struct sc_s3 *s, const char *bucket, const char *key,
    const struct sc_s3_body *b, struct sc_s3_info *info, struct sc_err *e)
{
	struct s3req r = { 0 };
	struct sc_http_resp resp = { 0 };
	char hex[SC_SHA256_HEX], md5hex[2 * SC_MD5_LEN + 1], etag[96];
	int rc, tries;

	if (key_ok(key, e) == -1 ||
	    body_hash(b, hex, md5hex, &r.body_len, e) == -1)
		return -1;
	r.method = "PUT";
	r.bucket = bucket;
	r.key = key;
	r.payload_hash = hex;
	r.body = b->fp == NULL ? (b->data != NULL ? b->data : "") : NULL;
	r.body_fp = b->fp;
	if (put_headers(&r, b, etag, sizeof(etag), e) == -1)
		return -1;
	rc = s3_do(s, &r, &resp, &tries, e);
	if (rc == 0 && !is_2xx(resp.status))
		rc = answer_error(&r, &resp, tries, e);
	if (rc == SC_S3_PRECONDITION && tries > 1 && was_ours(s, &r, md5hex)) {
		sc_err_clear(e);
		rc = 0;
	}
	if (rc == 0 && info != NULL) {
		memset(info, 0, sizeof(*info));
		info->size = r.body_len;
		header_etag(&resp, info->etag, sizeof(info->etag));
		if (info->etag[0] == '\0' || !is_2xx(resp.status))
			snprintf(info->etag, sizeof(info->etag), "%s", md5hex);
	}
	sc_http_resp_free(&resp);
	return rc;
}

/* A body-less request on one object; resp holds a 2xx answer on 0. */
static int
simple(struct sc_s3 *s, const char *method, const char *bucket, const char *key,
    struct sc_http_resp *resp, struct sc_err *e)
{
	struct s3req r = { 0 };
	int rc, tries;

	if (key_ok(key, e) == -1)
		return -1;
	r.method = method;
	r.bucket = bucket;
	r.key = key;
	r.payload_hash = SC_SHA256_EMPTY;
	rc = s3_do(s, &r, resp, &tries, e);
	if (rc == 0 && !is_2xx(resp->status)) {
		(void)answer_error(&r, resp, tries, e);
		rc = -1;
	}
	return rc;
}

int
sc_s3_head(struct sc_s3 *s, const char *bucket, const char *key,
    struct sc_s3_info *info, struct sc_err *e)
{
	struct sc_http_resp resp = { 0 };
	char len[32];
	int rc;

	rc = simple(s, "HEAD", bucket, key, &resp, e);
	if (rc == 0 && info != NULL) {
		memset(info, 0, sizeof(*info));
		if (sc_http_header(&resp, "content-length", len, sizeof(len)) >
		    0)
			info->size = strtoull(len, NULL, 10);
		header_etag(&resp, info->etag, sizeof(info->etag));
		(void)sc_http_header(&resp, "last-modified",
		    info->last_modified, sizeof(info->last_modified));
		(void)sc_http_header(&resp, "content-type", info->content_type,
		    sizeof(info->content_type));
	}
	sc_http_resp_free(&resp);
	return rc;
}

int
sc_s3_delete(struct sc_s3 *s, const char *bucket, const char *key,
    struct sc_err *e)
{
	struct sc_http_resp resp = { 0 };
	int rc;

	rc = simple(s, "DELETE", bucket, key, &resp, e);
	sc_http_resp_free(&resp);
	return rc;
}

/* One ListObjectsV2 page after token (NULL: the first) into *page. */
static int
list_page(struct sc_s3 *s, const char *bucket, const char *prefix,
    const char *token, struct sc_xml_list *page, struct sc_err *e)
{
	struct sc_sigv4_kv q[4];
	struct s3req r = { 0 };
	struct sc_http_resp resp = { 0 };
	char maxkeys[16], what[300];
	size_t n = 0;
	int rc, tries;

	snprintf(maxkeys, sizeof(maxkeys), "%d", s->o.max_keys);
	q[n].name = "list-type";
	q[n++].value = "2";
	q[n].name = "max-keys";
	q[n++].value = maxkeys;
	if (prefix != NULL && *prefix != '\0') {
		q[n].name = "prefix";
		q[n++].value = prefix;
	}
	if (token != NULL) {
		q[n].name = "continuation-token";
		q[n++].value = token;
	}
	r.method = "GET";
	r.bucket = bucket;
	r.query = q;
	r.nquery = n;
	r.payload_hash = SC_SHA256_EMPTY;
	r.max_body = MAX_LIST_BODY;
	rc = s3_do(s, &r, &resp, &tries, e);
	if (rc == 0 && !is_2xx(resp.status)) {
		(void)answer_error(&r, &resp, tries, e);
		rc = -1;
	}
	if (rc == 0 &&
	    sc_xml_parse_list(resp.body.data, resp.body.len, page, e) == -1) {
		snprintf(what, sizeof(what), "s3://%s: list", bucket);
		sc_err_prefix(e, "%s", what);
		rc = -1;
	}
	sc_http_resp_free(&resp);
	return rc;
}

int
sc_s3_list(struct sc_s3 *s, const char *bucket, const char *prefix,
    int (*fn)(const struct sc_xml_obj *, void *), void *arg, struct sc_err *e)
{
	struct sc_xml_list page = { 0 };
	char *token = NULL;
	size_t i;
	int rc = 0;

	do {
		if ((rc = list_page(s, bucket, prefix, token, &page, e)) == -1)
			break;
		sc_log(SC_LOG_DEBUG, "s3://%s: list page: %zu keys%s", bucket,
		    page.n, page.truncated ? ", more" : "");
		for (i = 0; i < page.n && rc == 0; i++)
			rc = fn(&page.objs[i], arg);
		if (rc == 0 && page.truncated && token != NULL &&
		    strcmp(token, page.next_token) == 0)
			rc = sc_err_set(e, SC_EPROTO, 0,
			    "s3://%s: list: the same continuation token twice",
			    bucket);
		free(token);
		token = page.truncated ? page.next_token : NULL;
		page.next_token = NULL;
		sc_xml_list_free(&page);
	} while (rc == 0 && token != NULL);
	free(token);
	return rc;
}

int
sc_s3_presign(struct sc_s3 *s, const char *method, const char *bucket,
    const char *key, long expires, time_t now, struct sc_buf *url,
    struct sc_err *e)
{
	struct sc_sigv4_key k = { s->o.access_key, s->o.secret_key,
		s->o.session_token, s->o.region, "s3", now };
	struct sc_sigv4_req q = { 0 };
	struct sc_sigv4_out so = { 0 };
	struct sc_buf raw = { 0 };
	char host[512];
	int rc;

	rc = key_ok(key, e);
	if (rc == 0)
		rc = host_path(s, bucket, key, host, sizeof(host), &raw, e);
	q.method = method;
	q.host = host;
	q.path = raw.data;
	q.payload_hash = "UNSIGNED-PAYLOAD";
	if (rc == 0)
		rc = sc_sigv4_presign(&k, &q, expires, &so, e);
	if (rc == 0)
		rc = sc_buf_printf(url, e, "%s://%s%s?%s", s->scheme, host,
		    so.path.data, so.query.data);
	sc_buf_free(&raw);
	sc_sigv4_out_free(&so);
	return rc;
}
