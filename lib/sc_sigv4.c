/* SPDX-License-Identifier: ISC */
/*
 * SigV4 signing.  The canonical request is built once, into a buffer the
 * caller can inspect (the tests compare it byte for byte with the AWS
 * suite), and the URL parts that go on the wire are the same bytes.
 * Duplicate header names are joined with ',' in the order given; sorting
 * uses the original position as a tie-break because qsort is not stable.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "sc_buf.h"
#include "sc_hash.h"
#include "sc_sigv4.h"

#define ALGO "AWS4-HMAC-SHA256"

struct pair {
	char *name;
	char *value;
	size_t pos;
};

struct pairs {
	struct pair *v;
	size_t n;
	size_t cap;
};

static void
pairs_free(struct pairs *p)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		free(p->v[i].name);
		free(p->v[i].value);
	}
	free(p->v);
	memset(p, 0, sizeof(*p));
}

/* Take ownership of name and value (freed here on failure). */
static int
pairs_add(struct pairs *p, char *name, char *value, struct sc_err *e)
{
	if (name == NULL || value == NULL)
		goto oom;
	if (sc_buf_grow(&p->v, &p->cap, p->n + 1, sizeof(*p->v), NULL) == -1)
		goto oom;
	p->v[p->n].name = name;
	p->v[p->n].value = value;
	p->v[p->n].pos = p->n;
	p->n++;
	return 0;
oom:
	free(name);
	free(value);
	return sc_err_set(e, SC_EOS, 0, "out of memory");
}

static int
pair_cmp(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;
	int c;

	if ((c = strcmp(x->name, y->name)) != 0)
		return c;
	if ((c = strcmp(x->value, y->value)) != 0)
		return c;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

static int
pair_cmp_name(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;
	int c;

	if ((c = strcmp(x->name, y->name)) != 0)
		return c;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

int
sc_sigv4_encode(struct sc_buf *b, const char *s, int keep_slash,
    struct sc_err *e)
{
	static const char hex[] = "0123456789ABCDEF";
	char enc[3];

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		    c == '.' || c == '~' || (keep_slash && c == '/')) {
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

static char *
encode_dup(const char *s)
{
	struct sc_buf b = { 0 };

	if (sc_sigv4_encode(&b, s != NULL ? s : "", 0, NULL) == -1) {
		sc_buf_free(&b);
		return NULL;
	}
	return b.data;
}

/* Lower-case copy of a header name; NULL if it is not a valid token. */
static char *
header_name(const char *s)
{
	char *d, *p;

	if (*s == '\0' || (d = strdup(s)) == NULL)
		return NULL;
	for (p = d; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;

		if (c <= ' ' || c == ':' || c >= 0x7f) {
			free(d);
			return NULL;
		}
		*p = (char)tolower(c);
	}
	return d;
}

/* Trimmed copy with every run of white space (folds too) made one space. */
static char *
header_value(const char *s)
{
	char *d, *q;
	int space = 0;

	if (s == NULL)
		s = "";
	if ((d = malloc(strlen(s) + 1)) == NULL)
		return NULL;
	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	for (q = d; *s != '\0'; s++) {
		if (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n') {
			space = 1;
			continue;
		}
		if (space)
			*q++ = ' ';
		space = 0;
		*q++ = *s;
	}
	*q = '\0';
	return d;
}

struct ctx {
	const struct sc_sigv4_key *key;
	const struct sc_sigv4_req *req;
	const char *payload;
	int presign;
	long expires;
	char amz_date[17];
	char date[9];
	char scope[256];
	struct pairs hdrs;
	struct pairs query;
	struct sc_buf signed_hdrs;
};

static int
add_header(struct ctx *c, const char *name, const char *value, struct sc_err *e)
{
	char *n;

	if (name == NULL || (n = header_name(name)) == NULL)
		return sc_err_set(e, SC_EUSAGE, 0,
		    "sigv4: bad header name \"%.40s\"", name ? name : "");
	return pairs_add(&c->hdrs, n, header_value(value), e);
}

/* Collect, sort and merge the headers; build the SignedHeaders list. */
static int
build_headers(struct ctx *c, struct sc_err *e)
{
	const struct sc_sigv4_req *r = c->req;
	const struct sc_sigv4_key *k = c->key;
	struct pairs *h = &c->hdrs;
	size_t i, j;

	if (add_header(c, "host", r->host, e) == -1)
		return -1;
	if (!c->presign) {
		if (add_header(c, "x-amz-date", c->amz_date, e) == -1)
			return -1;
		if (r->content_sha256 &&
		    add_header(c, "x-amz-content-sha256", c->payload, e) == -1)
			return -1;
		if (k->session_token != NULL && !r->token_after &&
		    add_header(c, "x-amz-security-token", k->session_token,
		        e) == -1)
			return -1;
	}
	for (i = 0; i < r->nheaders; i++)
		if (add_header(c, r->headers[i].name, r->headers[i].value, e) ==
		    -1)
			return -1;
	qsort(h->v, h->n, sizeof(h->v[0]), pair_cmp_name);
	/*
	 * Merge runs of one name into the first: "a,b,c" in given order.
	 * Slots 0..i and j.. own their strings; the ones between were moved
	 * down or freed.
	 */
	for (i = 0, j = 1; j < h->n; j++) {
		struct sc_buf v = { 0 };

		if (strcmp(h->v[i].name, h->v[j].name) != 0) {
			h->v[++i] = h->v[j];
			continue;
		}
		if (sc_buf_printf(&v, e, "%s,%s", h->v[i].value,
		        h->v[j].value) == -1) {
			memmove(&h->v[i + 1], &h->v[j],
			    (h->n - j) * sizeof(h->v[0]));
			h->n = i + 1 + (h->n - j);
			return -1;
		}
		free(h->v[i].value);
		free(h->v[j].name);
		free(h->v[j].value);
		h->v[i].value = v.data;
	}
	if (h->n > 0)
		h->n = i + 1;
	for (i = 0; i < h->n; i++)
		if (sc_buf_printf(&c->signed_hdrs, e, "%s%s", i ? ";" : "",
		        h->v[i].name) == -1)
			return -1;
	return 0;
}

static int
build_query(struct ctx *c, struct sc_err *e)
{
	const struct sc_sigv4_req *r = c->req;
	const struct sc_sigv4_key *k = c->key;
	char cred[512], exp[32];
	size_t i;

	for (i = 0; i < r->nquery; i++)
		if (pairs_add(&c->query, encode_dup(r->query[i].name),
		        encode_dup(r->query[i].value), e) == -1)
			return -1;
	if (c->presign) {
		snprintf(cred, sizeof(cred), "%s/%s", k->access_key, c->scope);
		snprintf(exp, sizeof(exp), "%ld", c->expires);
		if (pairs_add(&c->query, encode_dup("X-Amz-Algorithm"),
		        encode_dup(ALGO), e) == -1 ||
		    pairs_add(&c->query, encode_dup("X-Amz-Credential"),
		        encode_dup(cred), e) == -1 ||
		    pairs_add(&c->query, encode_dup("X-Amz-Date"),
		        encode_dup(c->amz_date), e) == -1 ||
		    pairs_add(&c->query, encode_dup("X-Amz-Expires"),
		        encode_dup(exp), e) == -1 ||
		    pairs_add(&c->query, encode_dup("X-Amz-SignedHeaders"),
		        encode_dup(c->signed_hdrs.data), e) == -1)
			return -1;
		if (k->session_token != NULL && !r->token_after &&
		    pairs_add(&c->query, encode_dup("X-Amz-Security-Token"),
		        encode_dup(k->session_token), e) == -1)
			return -1;
	}
	if (c->query.n > 0)
		qsort(c->query.v, c->query.n, sizeof(c->query.v[0]), pair_cmp);
	return 0;
}

static int
build_creq(struct ctx *c, struct sc_sigv4_out *out, struct sc_err *e)
{
	struct sc_buf *b = &out->creq;
	size_t i;

	if (sc_sigv4_encode(&out->path, c->req->path, 1, e) == -1)
		return -1;
	for (i = 0; i < c->query.n; i++)
		if (sc_buf_printf(&out->query, e, "%s%s=%s", i ? "&" : "",
		        c->query.v[i].name, c->query.v[i].value) == -1)
			return -1;
	if (sc_buf_add(&out->query, "", 0, e) == -1 ||
	    sc_buf_printf(b, e, "%s\n%s\n%s\n", c->req->method, out->path.data,
	        out->query.data) == -1)
		return -1;
	for (i = 0; i < c->hdrs.n; i++)
		if (sc_buf_printf(b, e, "%s:%s\n", c->hdrs.v[i].name,
		        c->hdrs.v[i].value) == -1)
			return -1;
	return sc_buf_printf(b, e, "\n%s\n%s", c->signed_hdrs.data, c->payload);
}

int
sc_sigv4_signing_key(const char *secret, const char *date, const char *region,
    const char *service, uint8_t *out, struct sc_err *e)
{
	uint8_t k[SC_SHA256_LEN];
	char *aws4;
	size_t n = strlen(secret) + 5;
	int rc;

	if ((aws4 = malloc(n)) == NULL)
		return sc_err_set(e, SC_EOS, 0, "out of memory");
	snprintf(aws4, n, "AWS4%s", secret);
	rc = sc_hash_hmac(aws4, n - 1, date, strlen(date), k, e);
	explicit_bzero(aws4, n);
	free(aws4);
	if (rc == -1 ||
	    sc_hash_hmac(k, sizeof(k), region, strlen(region), k, e) == -1 ||
	    sc_hash_hmac(k, sizeof(k), service, strlen(service), k, e) == -1 ||
	    sc_hash_hmac(k, sizeof(k), "aws4_request", 12, out, e) == -1)
		rc = -1;
	explicit_bzero(k, sizeof(k));
	return rc;
}

static int
build_signature(struct ctx *c, struct sc_sigv4_out *out, struct sc_err *e)
{
	uint8_t h[SC_SHA256_LEN], key[SC_SHA256_LEN];
	char hex[SC_SHA256_HEX];
	int rc;

	if (sc_hash_sha256(out->creq.data, out->creq.len, h, e) == -1)
		return -1;
	sc_hash_hex(h, sizeof(h), hex);
	if (sc_buf_printf(&out->sts, e, ALGO "\n%s\n%s\n%s", c->amz_date,
	        c->scope, hex) == -1)
		return -1;
	if (sc_sigv4_signing_key(c->key->secret_key, c->date, c->key->region,
	        c->key->service, key, e) == -1)
		return -1;
	rc = sc_hash_hmac(key, sizeof(key), out->sts.data, out->sts.len, h, e);
	explicit_bzero(key, sizeof(key));
	if (rc == -1)
		return -1;
	sc_hash_hex(h, sizeof(h), out->signature);
	return 0;
}

static int
check_inputs(const struct sc_sigv4_key *k, const struct sc_sigv4_req *r,
    struct sc_err *e)
{
	if (k->access_key == NULL || k->secret_key == NULL ||
	    k->region == NULL || k->service == NULL)
		return sc_err_set(e, SC_EUSAGE, 0,
		    "sigv4: credentials, region or service missing");
	if (r->method == NULL || r->host == NULL || *r->host == '\0' ||
	    r->path == NULL || r->path[0] != '/')
		return sc_err_set(e, SC_EUSAGE, 0,
		    "sigv4: a request needs a method, a host and a path "
		    "starting with '/'");
	if (strchr(k->access_key, '/') != NULL || strlen(k->access_key) > 128 ||
	    strlen(k->region) > 64 || strlen(k->service) > 64)
		return sc_err_set(e, SC_EUSAGE, 0,
		    "sigv4: malformed access key, region or service");
	return 0;
}

static int
sign(const struct sc_sigv4_key *k, const struct sc_sigv4_req *r, long expires,
    int presign, struct sc_sigv4_out *out, struct sc_err *e)
{
	struct ctx c = { 0 };
	struct tm tm;
	int rc = -1;

	sc_sigv4_out_free(out);
	if (check_inputs(k, r, e) == -1)
		return -1;
	if (gmtime_r(&k->now, &tm) == NULL ||
	    strftime(c.amz_date, sizeof(c.amz_date), "%Y%m%dT%H%M%SZ", &tm) !=
	        16)
		return sc_err_set(e, SC_EUSAGE, 0, "sigv4: bad time");
	memcpy(c.date, c.amz_date, 8);
	snprintf(c.scope, sizeof(c.scope), "%s/%s/%s/aws4_request", c.date,
	    k->region, k->service);
	c.key = k;
	c.req = r;
	c.presign = presign;
	c.expires = expires;
	c.payload = r->payload_hash != NULL ? r->payload_hash : SC_SHA256_EMPTY;
	if (build_headers(&c, e) == -1 || build_query(&c, e) == -1 ||
	    build_creq(&c, out, e) == -1 || build_signature(&c, out, e) == -1)
		goto done;
	memcpy(out->amz_date, c.amz_date, sizeof(out->amz_date));
	if (presign)
		rc = sc_buf_printf(&out->query, e, "%sX-Amz-Signature=%s",
		    out->query.len ? "&" : "", out->signature);
	else
		rc = sc_buf_printf(&out->auth, e,
		    ALGO " Credential=%s/%s, SignedHeaders=%s, Signature=%s",
		    k->access_key, c.scope, c.signed_hdrs.data, out->signature);
done:
	pairs_free(&c.hdrs);
	pairs_free(&c.query);
	sc_buf_free(&c.signed_hdrs);
	if (rc == -1)
		sc_sigv4_out_free(out);
	return rc;
}

int
sc_sigv4_sign(const struct sc_sigv4_key *k, const struct sc_sigv4_req *r,
    struct sc_sigv4_out *out, struct sc_err *e)
{
	return sign(k, r, 0, 0, out, e);
}

int
sc_sigv4_presign(const struct sc_sigv4_key *k, const struct sc_sigv4_req *r,
    long expires, struct sc_sigv4_out *out, struct sc_err *e)
{
	if (expires < 1 || expires > 604800) {
		sc_sigv4_out_free(out);
		return sc_err_set(e, SC_EUSAGE, 0,
		    "presign: expiry %ld s: want 1 to 604800", expires);
	}
	return sign(k, r, expires, 1, out, e);
}

void
sc_sigv4_out_free(struct sc_sigv4_out *out)
{
	sc_buf_free(&out->creq);
	sc_buf_free(&out->sts);
	sc_buf_free(&out->query);
	sc_buf_free(&out->path);
	sc_buf_free(&out->auth);
	memset(out, 0, sizeof(*out));
}
