/* SPDX-License-Identifier: ISC */
/*
 * Two backends behind one small vtable-free struct: a store is either a
 * directory or an (S3 client, bucket, prefix) triple, and each operation
 * switches on which.  A local put writes ".sc-tmp.*" beside the target,
 * fsyncs it, then rename(2)s it into place or, for an exclusive create,
 * link(2)s it (which fails with EEXIST atomically) and unlinks the
 * temporary; the directory is fsynced after.  Listing skips dot files, so
 * temporaries are never seen, and keys may not start a segment with '.'.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sc_buf.h"
#include "sc_io.h"
#include "sc_store.h"

struct sc_store {
	uint64_t max_object; /* bytes one put may write */
	char *dir;           /* local root, or NULL */
	struct sc_s3 *s3;
	char *bucket;
	char *prefix; /* "" or "p/" */
};

int
sc_store_key_check(const char *key, struct sc_err *e)
{
	size_t n = strlen(key), i;

	if (n == 0 || n > SC_STORE_MAX_KEY)
		return sc_err_set(e, SC_EUSAGE, 0, "key: want 1 to %d bytes",
		    SC_STORE_MAX_KEY);
	if (key[0] == '/')
		return sc_err_set(e, SC_EUSAGE, 0,
		    "key \"%s\": absolute; keys are relative to the store",
		    key);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)key[i];

		if (c < 0x20 || c == 0x7f || c == '\\')
			return sc_err_set(e, SC_EUSAGE, 0,
			    "key: control character or backslash at byte %zu",
			    i + 1);
		if ((i == 0 || key[i - 1] == '/') && (c == '.' || c == '/'))
			return sc_err_set(e, SC_EUSAGE, 0,
			    "key \"%s\": a segment is empty or starts with "
			    "'.' (no \".\" or \"..\")",
			    key);
	}
	if (key[n - 1] == '/')
		return sc_err_set(e, SC_EUSAGE, 0, "key \"%s\": ends with '/'",
		    key);
	return 0;
}

static char *
dup_n(const char *s, size_t n)
{
	char *d = malloc(n + 1);

	if (d != NULL) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int
pct_decode(char *s, struct sc_err *e)
{
	char *d = s;
	int hi, lo;

	for (; *s != '\0'; s++) {
		if (*s != '%') {
			*d++ = *s;
			continue;
		}
		hi = hexval(s[1]);
		lo = hi >= 0 ? hexval(s[2]) : -1;
		if (lo < 0 || (hi == 0 && lo == 0))
			return sc_err_set(e, SC_EUSAGE, 0,
			    "file URL: bad percent escape");
		*d++ = (char)(hi * 16 + lo);
		s += 2;
	}
	*d = '\0';
	return 0;
}

static int
parse_s3(const char *s, struct sc_loc *l, struct sc_err *e)
{
	const char *b = s + 5, *slash = strchr(b, '/');
	size_t n = slash != NULL ? (size_t)(slash - b) : strlen(b);

	l->kind = SC_LOC_S3;
	if (n == 0)
		return sc_err_set(e, SC_EUSAGE, 0,
		    "\"%s\": want s3://bucket/key", s);
	if ((l->bucket = dup_n(b, n)) == NULL ||
	    (l->key = strdup(slash != NULL ? slash + 1 : "")) == NULL)
		return sc_err_set(e, SC_EOS, 0, "out of memory");
	return 0;
}

static int
parse_file(const char *s, struct sc_loc *l, struct sc_err *e)
{
	const char *p = s + 7;

	l->kind = SC_LOC_PATH;
	if (strncmp(p, "localhost/", 10) == 0)
		p += 9;
	if (*p != '/')
		return sc_err_set(e, SC_EUSAGE, 0,
		    "\"%s\": want file:///absolute/path", s);
	if ((l->path = strdup(p)) == NULL)
		return sc_err_set(e, SC_EOS, 0, "out of memory");
	return pct_decode(l->path, e);
}

/* A listing prefix: "" or a key, or a key and a final '/'. */
static int
prefix_check(const char *s, struct sc_err *e)
{
	char buf[SC_STORE_MAX_KEY + 2];
	size_t n = strlen(s);

	if (n == 0)
		return 0;
	if (n > SC_STORE_MAX_KEY)
		return sc_err_set(e, SC_EUSAGE, 0, "prefix: too long");
	memcpy(buf, s, n + 1);
	if (buf[n - 1] == '/')
		buf[n - 1] = '\0';
	return sc_store_key_check(buf, e);
}

static int
has_scheme(const char *s)
{
	const char *p = s;

	if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
		return 0;
	while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
	    (*p >= '0' && *p <= '9') || *p == '+' || *p == '-' || *p == '.')
		p++;
	return *p == ':';
}

int
sc_loc_parse(const char *s, int prefix, struct sc_loc *l, struct sc_err *e)
{
	int rc;

	memset(l, 0, sizeof(*l));
	if (strncmp(s, "s3://", 5) == 0)
		rc = parse_s3(s, l, e);
	else if (strncmp(s, "file://", 7) == 0)
		rc = parse_file(s, l, e);
	else if (s[0] == '/' || strncmp(s, "./", 2) == 0 ||
	    strncmp(s, "../", 3) == 0 || strcmp(s, ".") == 0 ||
	    strcmp(s, "..") == 0) {
		l->kind = SC_LOC_PATH;
		rc = (l->path = strdup(s)) == NULL
		    ? sc_err_set(e, SC_EOS, 0, "out of memory")
		    : 0;
	} else if (has_scheme(s))
		rc = sc_err_set(e, SC_EUSAGE, 0,
		    "\"%s\": unknown scheme (want s3://, file://, a path "
		    "or a store key)",
		    s);
	else {
		l->kind = SC_LOC_KEY;
		rc = prefix ? prefix_check(s, e) : sc_store_key_check(s, e);
		if (rc == 0 && (l->key = strdup(s)) == NULL)
			rc = sc_err_set(e, SC_EOS, 0, "out of memory");
	}
	if (rc == -1)
		sc_loc_free(l);
	return rc;
}

void
sc_loc_free(struct sc_loc *l)
{
	free(l->bucket);
	free(l->key);
	free(l->path);
	memset(l, 0, sizeof(*l));
}

void
sc_store_s3_opts(const struct sc_config *c, struct sc_s3_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->access_key = c->aws_access_key;
	o->secret_key = c->aws_secret_key;
	o->session_token = c->aws_session_token;
	o->region = c->aws_region;
	o->endpoint = c->aws_endpoint;
	o->timeout = c->http_timeout;
	o->connect_timeout = c->http_connect_timeout;
	o->retry_max = c->retry_max;
	o->retry_base = c->retry_base;
	o->retry_cap = c->retry_cap;
	o->seed = (uint64_t)getpid();
}

struct sc_store *
sc_store_open(const char *location, const struct sc_s3_opts *s3,
    struct sc_err *e)
{
	struct sc_store *st;
	struct sc_loc l;
	size_t n;

	if (sc_loc_parse(location, 1, &l, e) == -1) {
		sc_err_prefix(e, "store");
		return NULL;
	}
	if ((st = calloc(1, sizeof(*st))) == NULL) {
		sc_err_set(e, SC_EOS, 0, "out of memory");
		goto fail;
	}
	st->max_object = SC_STORE_MAX_OBJECT;
	if (l.kind != SC_LOC_S3) {
		/* A plain word is a directory here, not a key. */
		st->dir = l.kind == SC_LOC_PATH ? l.path : l.key;
		l.path = l.key = NULL;
		if (st->dir == NULL || *st->dir == '\0') {
			sc_err_set(e, SC_EUSAGE, 0, "store: empty location");
			goto fail;
		}
		sc_loc_free(&l);
		return st;
	}
	if (s3 == NULL) {
		sc_err_set(e, SC_ECONFIG, 0, "store %s: S3 not configured",
		    location);
		goto fail;
	}
	n = strlen(l.key);
	while (n > 0 && l.key[n - 1] == '/')
		l.key[--n] = '\0';
	st->bucket = l.bucket;
	l.bucket = NULL;
	if ((st->prefix = malloc(n + 2)) == NULL) {
		sc_err_set(e, SC_EOS, 0, "out of memory");
		goto fail;
	}
	snprintf(st->prefix, n + 2, "%s%s", l.key, n ? "/" : "");
	if ((n > 0 && sc_store_key_check(l.key, e) == -1) ||
	    (st->s3 = sc_s3_new(s3, e)) == NULL)
		goto fail;
	sc_loc_free(&l);
	return st;
fail:
	sc_loc_free(&l);
	sc_store_free(st);
	return NULL;
}

void
sc_store_set_max_object(struct sc_store *st, uint64_t max)
{
	st->max_object =
	    max > 0 && max < SC_STORE_MAX_OBJECT ? max : SC_STORE_MAX_OBJECT;
}

void
sc_store_free(struct sc_store *st)
{
	if (st == NULL)
		return;
	free(st->dir);
	sc_s3_free(st->s3);
	free(st->bucket);
	free(st->prefix);
	free(st);
}

/* Full local path or S3 object name of key, into *b. */
static int
full_name(const struct sc_store *st, const char *key, struct sc_buf *b,
    struct sc_err *e)
{
	if (sc_store_key_check(key, e) == -1)
		return -1;
	if (st->dir != NULL)
		return sc_buf_printf(b, e, "%s/%s", st->dir, key);
	return sc_buf_printf(b, e, "%s%s", st->prefix, key);
}

/* Copy in to out, at most max bytes: more is refused (SC_EDATA). */
static int
copy_stream(FILE *in, const char *iname, FILE *out, const char *oname,
    uint64_t max, struct sc_err *e)
{
	char buf[65536];
	uint64_t total = 0;
	size_t n;

	while ((n = fread(buf, 1, sizeof(buf), in)) > 0) {
		if ((total += n) > max)
			return sc_err_set(e, SC_EDATA, 0,
			    "%s: larger than the maximum object size, %" PRIu64
			    " bytes (SC_MAX_OBJECT_BYTES)",
			    iname, max);
		if (fwrite(buf, 1, n, out) != n)
			return sc_err_errno(e, SC_EIO, errno, "%s", oname);
	}
	if (ferror(in))
		return sc_err_errno(e, SC_EIO, errno, "%s", iname);
	return 0;
}

int
sc_store_get(struct sc_store *st, const char *key, FILE *out, struct sc_err *e)
{
	struct sc_buf name = { 0 };
	FILE *fp;
	int rc;

	if ((rc = full_name(st, key, &name, e)) == -1)
		goto done;
	if (st->s3 != NULL) {
		rc = sc_s3_get(st->s3, st->bucket, name.data, NULL, out, e);
		goto done;
	}
	if ((fp = fopen(name.data, "rb")) == NULL) {
		rc = sc_err_errno(e, errno == ENOENT ? SC_ENOINPUT : SC_EIO,
		    errno, "%s", name.data);
		goto done;
	}
	rc = copy_stream(fp, name.data, out, "output", UINT64_MAX, e);
	fclose(fp);
	if (rc == 0 && fflush(out) == EOF)
		rc = sc_err_errno(e, SC_EIO, errno, "output");
done:
	sc_buf_free(&name);
	return rc;
}

int
sc_store_get_buf(struct sc_store *st, const char *key, size_t max,
    struct sc_buf *b, struct sc_err *e)
{
	FILE *tmp;
	int rc;

	if ((tmp = tmpfile()) == NULL)
		return sc_err_errno(e, SC_EOS, errno, "temporary file");
	rc = sc_store_get(st, key, tmp, e);
	if (rc == 0 && fseeko(tmp, 0, SEEK_SET) == -1)
		rc = sc_err_errno(e, SC_EIO, errno, "temporary file");
	b->limit = max;
	if (rc == 0)
		rc = sc_buf_read(b, tmp, key, e);
	fclose(tmp);
	return rc;
}

/*
 * Create the directories above the file path (mkdir -p of its dirname).
 * *made gets the length of the shallowest directory this call created (0
 * when it created none), for rmdirs() to undo a failed put.
 */
static int
mkdirs(char *path, size_t *made, struct sc_err *e)
{
	char *p;

	*made = 0;
	for (p = path + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		if (mkdir(path, 0777) == 0) {
			if (*made == 0)
				*made = (size_t)(p - path);
		} else if (errno != EEXIST) {
			sc_err_errno(e, SC_ECANTCREAT, errno, "%s", path);
			*p = '/';
			return -1;
		}
		*p = '/';
	}
	return 0;
}

/*
 * Remove, deepest first, the directories above path that mkdirs() made
 * (made as it set it), so a failed put leaves no empty key directory.  A
 * directory another writer has put something in meanwhile is not empty
 * and stays.
 */
static void
rmdirs(const char *path, size_t made)
{
	char *copy, *p;

	if (made == 0 || (copy = strdup(path)) == NULL)
		return;
	while ((p = strrchr(copy, '/')) != NULL && (size_t)(p - copy) >= made) {
		*p = '\0';
		if (rmdir(copy) == -1)
			break;
	}
	free(copy);
}

static void
sync_parent(const char *path)
{
	char *copy = strdup(path), *slash;
	int fd;

	if (copy == NULL)
		return;
	if ((slash = strrchr(copy, '/')) != NULL)
		*slash = '\0';
	if ((fd = open(slash ? copy : ".", O_RDONLY | O_DIRECTORY)) != -1) {
		(void)fsync(fd);
		close(fd);
	}
	free(copy);
}

/* Write the temporary file: all bytes, flushed and fsynced. */
static int
write_tmp(int fd, const char *tmp, FILE *in, const void *data, size_t len,
    uint64_t max, struct sc_err *e)
{
	FILE *fp;
	mode_t mask = umask(0);
	int rc = 0;

	umask(mask);
	(void)fchmod(fd, 0666 & ~mask);
	if ((fp = fdopen(fd, "wb")) == NULL) {
		close(fd);
		return sc_err_errno(e, SC_ECANTCREAT, errno, "%s", tmp);
	}
	if (in != NULL)
		rc = copy_stream(in, "input", fp, tmp, max, e);
	else if (len > 0 && fwrite(data, 1, len, fp) != len)
		rc = sc_err_errno(e, SC_EIO, errno, "%s", tmp);
	if (rc == 0 && fflush(fp) == EOF)
		rc = sc_err_errno(e, SC_EIO, errno, "%s", tmp);
	if (rc == 0 && fsync(fileno(fp)) == -1)
		rc = sc_err_errno(e, SC_EIO, errno, "%s: fsync", tmp);
	if (fclose(fp) == EOF && rc == 0)
		rc = sc_err_errno(e, SC_EIO, errno, "%s", tmp);
	return rc;
}

/* Move the finished temporary file to path: rename, or link if EXCL. */
static int
publish(const char *tmp, const char *path, int flags, struct sc_err *e)
{
	if (!(flags & SC_STORE_EXCL)) {
		if (rename(tmp, path) == -1)
			return sc_err_errno(e, SC_ECANTCREAT, errno, "%s",
			    path);
		return 0;
	}
	if (link(tmp, path) == 0)
		return 0;
	if (errno != EEXIST)
		return sc_err_errno(e, SC_ECANTCREAT, errno, "%s", path);
	sc_err_set(e, SC_ECANTCREAT, 0, "%s: already exists", path);
	return SC_STORE_EXISTS;
}

/*
 * A target that exists and is no regular file (/dev/null, a FIFO, a
 * terminal) is written in place: renaming over it would replace a device
 * with a file (as root, /dev/null itself).
 */
static int
write_direct(const char *path, FILE *in, const void *data, size_t len,
    uint64_t max, struct sc_err *e)
{
	FILE *fp;
	int rc = 0;

	if ((fp = fopen(path, "wb")) == NULL)
		return sc_err_errno(e, SC_ECANTCREAT, errno, "%s", path);
	if (in != NULL)
		rc = copy_stream(in, "input", fp, path, max, e);
	else if (len > 0 && fwrite(data, 1, len, fp) != len)
		rc = sc_err_errno(e, SC_EIO, errno, "%s", path);
	if (fclose(fp) == EOF && rc == 0)
		rc = sc_err_errno(e, SC_EIO, errno, "%s", path);
	return rc;
}

static int
local_put(char *path, FILE *in, const void *data, size_t len, int flags,
    uint64_t max, struct sc_err *e)
{
	struct stat st;

	struct sc_buf tmp = { 0 };
	char *slash = strrchr(path, '/');
	size_t made;
	int fd, rc, slot;

	if (!(flags & SC_STORE_EXCL) && stat(path, &st) == 0 &&
	    !S_ISREG(st.st_mode))
		return write_direct(path, in, data, len, max, e);
	if (mkdirs(path, &made, e) == -1) {
		rmdirs(path, made);
		return -1;
	}
	if (sc_buf_printf(&tmp, e, "%.*s/.sc-tmp.XXXXXX", (int)(slash - path),
	        path) == -1) {
		rmdirs(path, made);
		return -1;
	}
	if ((fd = sc_out_mkstemp(tmp.data, &slot)) == -1) {
		rc = sc_err_errno(e, SC_ECANTCREAT, errno, "%s", path);
		rmdirs(path, made);
		sc_buf_free(&tmp);
		return rc;
	}
	rc = write_tmp(fd, tmp.data, in, data, len, max, e);
	if (rc == 0)
		rc = publish(tmp.data, path, flags, e);
	if (rc != 0 || (flags & SC_STORE_EXCL))
		unlink(tmp.data);
	sc_out_untrack(slot);
	if (rc == 0)
		sync_parent(path);
	else
		rmdirs(path, made);
	sc_buf_free(&tmp);
	return rc;
}

/* A stream S3 can read twice (hash, then send): seekable, or spooled. */
static FILE *
rereadable(FILE *in, int *spooled, uint64_t max, struct sc_err *e)
{
	struct stat sb;
	FILE *tmp;

	*spooled = 0;
	if (fstat(fileno(in), &sb) == 0 && S_ISREG(sb.st_mode) &&
	    fseeko(in, 0, SEEK_SET) == 0) {
		if ((uint64_t)sb.st_size > max) {
			sc_err_set(e, SC_EDATA, 0,
			    "input: larger than the maximum object size, "
			    "%" PRIu64 " bytes (SC_MAX_OBJECT_BYTES)",
			    max);
			return NULL;
		}
		return in;
	}
	if ((tmp = tmpfile()) == NULL) {
		sc_err_errno(e, SC_ECANTCREAT, errno, "spool file");
		return NULL;
	}
	if (copy_stream(in, "input", tmp, "spool file", max, e) == -1 ||
	    fflush(tmp) == EOF) {
		if (e != NULL && e->code == SC_EOK)
			sc_err_errno(e, SC_EIO, errno, "spool file");
		fclose(tmp);
		return NULL;
	}
	*spooled = 1;
	return tmp;
}

/*
 * The Content-Type of an object by its key's extension, so a browser
 * given a presigned URL, or an S3 static website, shows a report page
 * instead of downloading it.
 */
static const char *
content_type(const char *key)
{
	static const char *const types[][2] = {
		{ ".html", "text/html; charset=utf-8" },
		{ ".svg", "image/svg+xml" },
		{ ".png", "image/png" },
		{ ".json", "application/json" },
		{ ".csv", "text/csv; charset=utf-8" },
	};
	size_t i, n = strlen(key), k;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		k = strlen(types[i][0]);
		if (n > k && strcmp(key + n - k, types[i][0]) == 0)
			return types[i][1];
	}
	return NULL;
}

static int
put(struct sc_store *st, const char *key, FILE *in, const void *data,
    size_t len, int flags, const char *etag, struct sc_err *e)
{
	struct sc_s3_body b = { 0 };
	struct sc_buf name = { 0 };
	int rc, spooled = 0;

	if ((rc = full_name(st, key, &name, e)) == -1)
		goto done;
	if (st->s3 == NULL && etag != NULL) {
		rc = sc_err_set(e, SC_EUSAGE, 0,
		    "%s: If-Match needs an S3 store", key);
		goto done;
	}
	if (st->s3 == NULL) {
		rc = local_put(name.data, in, data, len, flags, st->max_object,
		    e);
		goto done;
	}
	if (data != NULL && len > st->max_object) {
		rc = sc_err_set(e, SC_EDATA, 0,
		    "%s: larger than the maximum object size, %" PRIu64
		    " bytes",
		    key, st->max_object);
		goto done;
	}
	if (in != NULL &&
	    (b.fp = rereadable(in, &spooled, st->max_object, e)) == NULL) {
		rc = -1;
		goto done;
	}
	b.data = data;
	b.len = len;
	b.content_type = content_type(key);
	b.cond = (flags & SC_STORE_EXCL) ? SC_S3_IF_NONE_MATCH : SC_S3_ALWAYS;
	if (etag != NULL) {
		b.cond = SC_S3_IF_MATCH;
		b.etag = etag;
	}
	rc = sc_s3_put(st->s3, st->bucket, name.data, &b, NULL, e);
	if (spooled)
		fclose(b.fp);
done:
	sc_buf_free(&name);
	return rc;
}

int
sc_store_put(struct sc_store *st, const char *key, FILE *in, int flags,
    struct sc_err *e)
{
	return put(st, key, in, NULL, 0, flags, NULL, e);
}

int
sc_store_put_buf(struct sc_store *st, const char *key, const void *data,
    size_t len, int flags, struct sc_err *e)
{
	return put(st, key, NULL, data, len, flags, NULL, e);
}

int
sc_store_put_if_match(struct sc_store *st, const char *key, FILE *in,
    const char *etag, struct sc_err *e)
{
	return put(st, key, in, NULL, 0, 0, etag, e);
}

struct entry {
	char *key;
	uint64_t size;
};

struct keys {
	struct entry *v;
	size_t n, cap;
};

static void
keys_free(struct keys *k)
{
	size_t i;

	for (i = 0; i < k->n; i++)
		free(k->v[i].key);
	free(k->v);
}

static int
keys_add(struct keys *k, const char *key, uint64_t size, struct sc_err *e)
{
	if (sc_buf_grow(&k->v, &k->cap, k->n + 1, sizeof(*k->v), e) == -1)
		return -1;
	if ((k->v[k->n].key = strdup(key)) == NULL)
		return sc_err_set(e, SC_EOS, 0, "out of memory");
	k->v[k->n++].size = size;
	return 0;
}

/* Could anything under directory key rel (ending in '/') match prefix? */
static int
may_match(const char *rel, const char *prefix)
{
	size_t a = strlen(rel), b = strlen(prefix);

	return strncmp(rel, prefix, a < b ? a : b) == 0;
}

#define MAX_DEPTH 64

/* The directories walked into, root first: a link back to one is a loop. */
struct ancestors {
	dev_t dev[MAX_DEPTH + 1];
	ino_t ino[MAX_DEPTH + 1];
};

static int
is_ancestor(const struct ancestors *a, int depth, const struct stat *sb)
{
	int i;

	for (i = 0; i <= depth; i++)
		if (a->dev[i] == sb->st_dev && a->ino[i] == sb->st_ino)
			return 1;
	return 0;
}

/*
 * Symbolic links inside the store are followed, as writing through them
 * does (a models/ that is a link lists what was written there); a link
 * back to a directory being walked is skipped, not looped through.
 */
static int
walk(const char *root, struct sc_buf *rel, const char *prefix, struct keys *k,
    struct ancestors *anc, int depth, struct sc_err *e)
{
	struct sc_buf path = { 0 };
	struct dirent *d;
	struct stat sb;
	size_t mark = rel->len;
	DIR *dir;
	int rc = 0;

	if (sc_buf_printf(&path, e, "%s/%s", root, rel->data) == -1)
		return -1;
	if ((dir = opendir(path.data)) == NULL) {
		rc = errno == ENOENT || errno == ENOTDIR
		    ? 0
		    : sc_err_errno(e, SC_EIO, errno, "%s", path.data);
		sc_buf_free(&path);
		return rc;
	}
	while (rc == 0 && (d = readdir(dir)) != NULL) {
		if (d->d_name[0] == '.')
			continue;
		rel->len = mark;
		if ((rc = sc_buf_printf(rel, e, "%s", d->d_name)) == -1)
			break;
		sc_buf_reset(&path);
		if ((rc = sc_buf_printf(&path, e, "%s/%s", root, rel->data)) ==
		        -1 ||
		    stat(path.data, &sb) == -1)
			continue;
		if (S_ISREG(sb.st_mode) &&
		    strncmp(rel->data, prefix, strlen(prefix)) == 0)
			rc = keys_add(k, rel->data, (uint64_t)sb.st_size, e);
		else if (S_ISDIR(sb.st_mode) && depth < MAX_DEPTH &&
		    !is_ancestor(anc, depth, &sb) &&
		    (rc = sc_buf_printf(rel, e, "/")) == 0 &&
		    may_match(rel->data, prefix)) {
			anc->dev[depth + 1] = sb.st_dev;
			anc->ino[depth + 1] = sb.st_ino;
			rc = walk(root, rel, prefix, k, anc, depth + 1, e);
		}
	}
	rel->len = mark;
	rel->data[mark] = '\0';
	closedir(dir);
	sc_buf_free(&path);
	return rc;
}

static int
cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->key,
	    ((const struct entry *)b)->key);
}

static int
local_list(struct sc_store *st, const char *prefix,
    int (*fn)(const char *, uint64_t, void *), void *arg, struct sc_err *e)
{
	struct keys k = { 0 };
	struct sc_buf rel = { 0 };
	struct ancestors anc;
	struct stat sb;
	size_t i;
	int rc;

	memset(&anc, 0, sizeof(anc));
	if (stat(st->dir, &sb) == 0) {
		anc.dev[0] = sb.st_dev;
		anc.ino[0] = sb.st_ino;
	}
	rc = sc_buf_add(&rel, "", 0, e);
	if (rc == 0)
		rc = walk(st->dir, &rel, prefix, &k, &anc, 0, e);
	if (rc == 0 && k.n > 0)
		qsort(k.v, k.n, sizeof(k.v[0]), cmp_entry);
	for (i = 0; rc == 0 && i < k.n; i++)
		rc = fn(k.v[i].key, k.v[i].size, arg);
	sc_buf_free(&rel);
	keys_free(&k);
	return rc;
}

struct s3_list_arg {
	const char *strip;
	int (*fn)(const char *, uint64_t, void *);
	void *arg;
};

static int
s3_entry(const struct sc_xml_obj *o, void *arg)
{
	struct s3_list_arg *a = arg;
	size_t n = strlen(a->strip);

	if (strncmp(o->key, a->strip, n) != 0 || o->key[n] == '\0')
		return 0;
	return a->fn(o->key + n, o->size, a->arg);
}

int
sc_store_list(struct sc_store *st, const char *prefix,
    int (*fn)(const char *, uint64_t, void *), void *arg, struct sc_err *e)
{
	struct s3_list_arg a = { st->prefix, fn, arg };
	struct sc_buf full = { 0 };
	size_t i;
	int rc;

	if (prefix == NULL)
		prefix = "";
	for (i = 0; prefix[i] != '\0'; i++)
		if ((unsigned char)prefix[i] < 0x20 || prefix[i] == '\\' ||
		    ((i == 0 || prefix[i - 1] == '/') && prefix[i] == '.'))
			return sc_err_set(e, SC_EUSAGE, 0,
			    "prefix \"%s\": not a key prefix", prefix);
	if (st->s3 == NULL)
		return local_list(st, prefix, fn, arg, e);
	rc = sc_buf_printf(&full, e, "%s%s", st->prefix, prefix);
	if (rc == 0)
		rc = sc_s3_list(st->s3, st->bucket, full.data, s3_entry, &a, e);
	sc_buf_free(&full);
	return rc;
}

int
sc_store_delete(struct sc_store *st, const char *key, struct sc_err *e)
{
	struct sc_buf name = { 0 };
	int rc;

	if ((rc = full_name(st, key, &name, e)) == 0) {
		if (st->s3 != NULL)
			rc = sc_s3_delete(st->s3, st->bucket, name.data, e);
		else if (unlink(name.data) == -1 && errno != ENOENT)
			rc = sc_err_errno(e, SC_EIO, errno, "%s", name.data);
		else
			sync_parent(name.data);
	}
	sc_buf_free(&name);
	return rc;
}

int
sc_store_stat(struct sc_store *st, const char *key, uint64_t *size,
    struct sc_err *e)
{
	struct sc_s3_info info;
	struct sc_buf name = { 0 };
	struct stat sb;
	int rc;

	if ((rc = full_name(st, key, &name, e)) == 0) {
		if (st->s3 != NULL) {
			rc =
			    sc_s3_head(st->s3, st->bucket, name.data, &info, e);
			if (rc == 0)
				*size = info.size;
		} else if (stat(name.data, &sb) == -1)
			rc = sc_err_errno(e,
			    errno == ENOENT || errno == ENOTDIR ? SC_ENOINPUT
			                                        : SC_EIO,
			    errno, "%s", key);
		else if (!S_ISREG(sb.st_mode))
			rc = sc_err_set(e, SC_ENOINPUT, 0, "%s: not a file",
			    key);
		else
			*size = (uint64_t)sb.st_size;
	}
	sc_buf_free(&name);
	return rc;
}

int
sc_store_exists(struct sc_store *st, const char *key, struct sc_err *e)
{
	struct sc_buf name = { 0 };
	struct stat sb;
	int rc;

	if ((rc = full_name(st, key, &name, e)) == 0) {
		if (st->s3 != NULL) {
			rc = sc_s3_head(st->s3, st->bucket, name.data, NULL, e);
			if (rc == -1 && e != NULL && e->code == SC_ENOINPUT) {
				sc_err_clear(e);
				rc = 0;
			} else if (rc == 0)
				rc = 1;
		} else if (stat(name.data, &sb) == 0)
			rc = S_ISREG(sb.st_mode);
		else
			rc = errno == ENOENT || errno == ENOTDIR
			    ? 0
			    : sc_err_errno(e, SC_EIO, errno, "%s", name.data);
	}
	sc_buf_free(&name);
	return rc;
}
