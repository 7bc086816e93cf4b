/* SPDX-License-Identifier: ISC */
/*
 * The model registry over lib/store.  Versions are never rewritten: a
 * registration claims number N by creating models/NAME/N/meta.json (the
 * lineage) exclusively (link(2) locally, If-None-Match: * on S3), moves to
 * N+1 when someone else holds N, then creates N/model.json.  So a model is
 * never visible without its lineage, and a crash between the two leaves a
 * claimed number that readers skip and nobody reuses.  index.json is only a
 * summary: after each change it is rebuilt from a listing, written, and the
 * objects scanned again; if they changed meanwhile it is written again.  The
 * last writer therefore always saw the final state, with no lock to go
 * stale and no reliance on conditional writes for the index.  Readers of
 * models:/NAME rebuild the same summary from the objects (using index.json
 * only as a cache of the immutable lineage), so they are never misled by a
 * stale index.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "sc_buf.h"
#include "sc_hash.h"
#include "sc_log.h"
#include "sc_model.h"
#include "sc_model_check.h"
#include "sc_registry.h"

#define MAX_META (1L << 20)     /* bytes of one version's lineage */
#define MAX_INDEX (256L << 20)  /* bytes of index.json */
#define MAX_METRICS (16L << 20) /* bytes of a metrics file */
#define MAX_ALIAS 32            /* bytes of an alias object */
#define CLAIM_TRIES 64          /* numbers tried by one registration */
#define REFRESH_TRIES 64        /* index writes by one change */

struct version {
	long v;
	int meta, model; /* which objects exist */
	json_t *lineage; /* owned; NULL until loaded */
};

struct alias {
	char name[SC_REGISTRY_MAX_NAME + 1];
	long v; /* 0: vanished while scanning */
};

/* What the objects under models/NAME/ say. */
struct state {
	struct version *v;
	size_t nv, capv;
	struct alias *a;
	size_t na, capa;
	long claimed; /* highest number with any object */
	int any;      /* some object exists under models/NAME/ */
};

static void
state_free(struct state *s)
{
	size_t i;

	for (i = 0; i < s->nv; i++)
		json_decref(s->v[i].lineage);
	free(s->v);
	free(s->a);
	memset(s, 0, sizeof(*s));
}

int
sc_registry_is_uri(const char *s)
{
	return strncmp(s, "models:", 7) == 0;
}

int
sc_registry_name_check(const char *name, struct sc_err *e)
{
	size_t n = strlen(name);

	if (n == 0 || n > SC_REGISTRY_MAX_NAME ||
	    strspn(name,
	        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	        "0123456789_.-") != n ||
	    strchr("_.-", name[0]) != NULL)
		return sc_err_set(e, SC_EUSAGE, 0,
		    "model name \"%.80s\": want a letter or digit, then up to "
		    "63 letters, digits, '_', '.' or '-'",
		    name);
	return 0;
}

int
sc_registry_alias_check(const char *alias, struct sc_err *e)
{
	size_t n = strlen(alias);

	if (n == 0 || n > SC_REGISTRY_MAX_NAME || alias[0] < 'a' ||
	    alias[0] > 'z' ||
	    strspn(alias, "abcdefghijklmnopqrstuvwxyz0123456789_-") != n)
		return sc_err_set(e, SC_EUSAGE, 0,
		    "alias \"%.80s\": want a lower-case letter, then up to 63 "
		    "lower-case letters, digits, '_' or '-'",
		    alias);
	if (strcmp(alias, "latest") == 0)
		return sc_err_set(e, SC_EUSAGE, 0,
		    "alias \"latest\" is reserved: models:/NAME/latest is "
		    "always the newest version");
	return 0;
}

/* A version number: 1 to SC_REGISTRY_MAX_VERSION, digits, no leading 0. */
static long
parse_version(const char *s, size_t n)
{
	long v = 0;
	size_t i;

	if (n == 0 || n > 8 || s[0] == '0')
		return 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int
sc_registry_key_owned(const char *key, char *name, size_t n)
{
	char nm[SC_REGISTRY_MAX_NAME + 1];
	const char *p, *rest;
	size_t len;

	if (strncmp(key, "models/", 7) != 0)
		return 0;
	p = key + 7;
	len = strcspn(p, "/");
	if (len == 0 || len > SC_REGISTRY_MAX_NAME || p[len] != '/')
		return 0;
	memcpy(nm, p, len);
	nm[len] = '\0';
	if (sc_registry_name_check(nm, NULL) == -1)
		return 0;
	rest = p + len + 1;
	if (strcmp(rest, "index.json") != 0 &&
	    strncmp(rest, "aliases/", 8) != 0 &&
	    parse_version(rest, strcspn(rest, "/")) == 0)
		return 0;
	if (name != NULL && n > 0)
		snprintf(name, n, "%s", nm);
	return 1;
}

int
sc_registry_parse(const char *uri, struct sc_model_ref *r, struct sc_err *e)
{
	const char *p, *end;
	size_t n;

	memset(r, 0, sizeof(*r));
	if (strncmp(uri, "models:/", 8) != 0 || uri[8] == '/')
		return sc_err_set(e, SC_EUSAGE, 0,
		    "%.100s: want models:/NAME, models:/NAME/latest, "
		    "models:/NAME/VERSION or models:/NAME@ALIAS",
		    uri);
	p = uri + 8;
	n = strcspn(p, "/@");
	end = p + n;
	if (n > SC_REGISTRY_MAX_NAME)
		n = SC_REGISTRY_MAX_NAME + 1; /* too long: the check says so */
	snprintf(r->name, sizeof(r->name), "%.*s", (int)n, p);
	if (n > SC_REGISTRY_MAX_NAME)
		return sc_err_set(e, SC_EUSAGE, 0,
		    "%.100s: model name longer than %d bytes", uri,
		    SC_REGISTRY_MAX_NAME);
	if (sc_registry_name_check(r->name, e) == -1)
		return -1;
	if (*end == '\0') {
		r->kind = SC_MREF_INDEX;
	} else if (*end == '@') {
		r->kind = SC_MREF_ALIAS;
		if (strlen(end + 1) > SC_REGISTRY_MAX_NAME)
			return sc_err_set(e, SC_EUSAGE, 0,
			    "%.100s: alias longer than %d bytes", uri,
			    SC_REGISTRY_MAX_NAME);
		strcpy(r->alias, end + 1);
		return sc_registry_alias_check(r->alias, e);
	} else if (strcmp(end, "/latest") == 0) {
		r->kind = SC_MREF_LATEST;
	} else if ((r->version = parse_version(end + 1, strlen(end + 1))) > 0) {
		r->kind = SC_MREF_VERSION;
	} else
		return sc_err_set(e, SC_EUSAGE, 0,
		    "%.100s: after the name want /latest, /VERSION (1 to %d, "
		    "no leading zero) or @ALIAS",
		    uri, SC_REGISTRY_MAX_VERSION);
	return 0;
}

/* An object parsed as JSON; NULL with SC_EDATA naming key:line:column. */
static json_t *
get_json(struct sc_store *st, const char *key, long max, struct sc_err *e)
{
	struct sc_buf b = { 0 };
	json_error_t je;
	json_t *j = NULL;

	if (sc_store_get_buf(st, key, (size_t)max, &b, e) == 0 &&
	    (j = json_loadb(b.data ? b.data : "", b.len, JSON_REJECT_DUPLICATES,
	         &je)) == NULL)
		sc_err_set(e, SC_EDATA, 0, "%s:%d:%d: %s", key, je.line,
		    je.column, je.text);
	sc_buf_free(&b);
	return j;
}

static struct version *
version_at(struct state *s, long v, struct sc_err *e)
{
	if (s->nv > 0 && s->v[s->nv - 1].v == v)
		return &s->v[s->nv - 1];
	if (sc_buf_grow(&s->v, &s->capv, s->nv + 1, sizeof(*s->v), e) == -1)
		return NULL;
	memset(&s->v[s->nv], 0, sizeof(s->v[0]));
	s->v[s->nv].v = v;
	return &s->v[s->nv++];
}

static int
alias_add(struct state *s, const char *name, struct sc_err *e)
{
	if (sc_buf_grow(&s->a, &s->capa, s->na + 1, sizeof(*s->a), e) == -1)
		return -1;
	snprintf(s->a[s->na].name, sizeof(s->a[0].name), "%s", name);
	s->a[s->na++].v = 0;
	return 0;
}

struct list_arg {
	struct state *s;
	size_t skip; /* strlen("models/NAME/") */
	struct sc_err *e;
};

/* One key of the listing: a version's object, an alias or the index. */
static int
list_entry(const char *key, uint64_t size, void *arg)
{
	struct list_arg *a = arg;
	const char *rel = key + a->skip, *slash = strchr(rel, '/');
	struct version *ver;
	long v;

	(void)size;
	a->s->any = 1;
	if (slash == NULL)
		return 0;
	if (strncmp(rel, "aliases/", 8) == 0 &&
	    sc_registry_alias_check(rel + 8, NULL) == 0)
		return alias_add(a->s, rel + 8, a->e);
	if ((v = parse_version(rel, (size_t)(slash - rel))) == 0)
		return 0;
	if (v > a->s->claimed)
		a->s->claimed = v;
	if ((ver = version_at(a->s, v, a->e)) == NULL)
		return -1;
	if (strcmp(slash, "/meta.json") == 0)
		ver->meta = 1;
	else if (strcmp(slash, "/model.json") == 0)
		ver->model = 1;
	return 0;
}

static int
cmp_version(const void *a, const void *b)
{
	long x = ((const struct version *)a)->v;
	long y = ((const struct version *)b)->v;

	return (x > y) - (x < y);
}

/* List models/NAME/ into *s: versions (sorted), alias names, claims. */
static int
scan_list(struct sc_store *st, const char *name, struct state *s,
    struct sc_err *e)
{
	char prefix[SC_REGISTRY_MAX_NAME + 16];
	struct list_arg a = { s, 0, e };
	size_t i, j;

	memset(s, 0, sizeof(*s));
	a.skip = (size_t)snprintf(prefix, sizeof(prefix), "models/%s/", name);
	if (sc_store_list(st, prefix, list_entry, &a, e) == -1)
		return -1;
	if (s->nv > 1)
		qsort(s->v, s->nv, sizeof(s->v[0]), cmp_version);
	/* Only complete versions (the model exists) count from here on. */
	for (i = j = 0; i < s->nv; i++)
		if (s->v[i].model)
			s->v[j++] = s->v[i];
	s->nv = j;
	return 0;
}

/* The lineage of version v from an earlier scan or an index, or NULL. */
static json_t *
cached(const struct state *prev, const json_t *index, long v)
{
	const json_t *arr = json_object_get(index, "versions"), *it;
	size_t i;

	for (i = 0; prev != NULL && i < prev->nv; i++)
		if (prev->v[i].v == v && prev->v[i].lineage != NULL)
			return json_incref(prev->v[i].lineage);
	json_array_foreach(arr, i, it)
	{
		if (json_is_object(it) &&
		    json_integer_value(json_object_get(it, "version")) == v)
			return json_incref((json_t *)it);
	}
	return NULL;
}

static int
load_lineage(struct sc_store *st, const char *name, struct version *ver,
    struct sc_err *e)
{
	char key[SC_REGISTRY_MAX_NAME + 40];

	snprintf(key, sizeof(key), "models/%s/%ld/meta.json", name, ver->v);
	if (!ver->meta) /* a model put there by hand: no lineage */
		ver->lineage = json_pack("{s:s, s:i}", "name", name, "version",
		    (json_int_t)ver->v);
	else if ((ver->lineage = get_json(st, key, MAX_META, e)) == NULL)
		return -1;
	else if (!json_is_object(ver->lineage))
		return sc_err_set(e, SC_EDATA, 0, "%s: not a JSON object", key);
	if (ver->lineage == NULL)
		return sc_err_set(e, SC_EOS, 0, "out of memory");
	return 0;
}

static int
load_alias(struct sc_store *st, const char *name, struct alias *a,
    struct sc_err *e)
{
	char key[2 * SC_REGISTRY_MAX_NAME + 24];
	struct sc_buf b = { 0 };
	size_t n;
	int rc;

	snprintf(key, sizeof(key), "models/%s/aliases/%s", name, a->name);
	rc = sc_store_get_buf(st, key, MAX_ALIAS, &b, e);
	if (rc == -1 && e->code == SC_ENOINPUT) { /* deleted meanwhile */
		sc_err_clear(e);
		rc = 0;
	} else if (rc == 0) {
		n = b.len > 0 && b.data[b.len - 1] == '\n' ? b.len - 1 : b.len;
		if ((a->v = parse_version(b.data ? b.data : "", n)) == 0)
			rc = sc_err_set(e, SC_EDATA, 0,
			    "%s: want a version number", key);
	}
	sc_buf_free(&b);
	return rc;
}

/* A full scan: the listing, then lineage (cached if known) and aliases. */
static int
scan(struct sc_store *st, const char *name, const struct state *prev,
    const json_t *index, struct state *s, struct sc_err *e)
{
	size_t i;

	if (scan_list(st, name, s, e) == -1)
		return -1;
	for (i = 0; i < s->nv; i++)
		if ((s->v[i].lineage = cached(prev, index, s->v[i].v)) ==
		        NULL &&
		    load_lineage(st, name, &s->v[i], e) == -1)
			return -1;
	for (i = 0; i < s->na; i++)
		if (load_alias(st, name, &s->a[i], e) == -1)
			return -1;
	return 0;
}

static int
same_state(const struct state *a, const struct state *b)
{
	size_t i;

	if (a->nv != b->nv || a->na != b->na)
		return 0;
	for (i = 0; i < a->nv; i++)
		if (a->v[i].v != b->v[i].v)
			return 0;
	for (i = 0; i < a->na; i++)
		if (a->a[i].v != b->a[i].v ||
		    strcmp(a->a[i].name, b->a[i].name) != 0)
			return 0;
	return 1;
}

/* The index: format, name, latest, aliases, versions (their lineage). */
static json_t *
build_index(const char *name, const struct state *s)
{
	json_t *idx, *aliases, *versions;
	size_t i;

	idx = json_pack("{s:s, s:i, s:s, s:o, s:o, s:o}", "format",
	    "sc-registry", "version", 1, "name", name, "latest",
	    s->nv > 0 ? json_integer(s->v[s->nv - 1].v) : json_null(),
	    "aliases", json_object(), "versions", json_array());
	if (idx == NULL)
		return NULL;
	aliases = json_object_get(idx, "aliases");
	versions = json_object_get(idx, "versions");
	for (i = 0; i < s->na; i++)
		if (s->a[i].v > 0 &&
		    json_object_set_new(aliases, s->a[i].name,
		        json_integer(s->a[i].v)) == -1)
			goto fail;
	for (i = 0; i < s->nv; i++)
		if (json_array_append(versions, s->v[i].lineage) == -1)
			goto fail;
	return idx;
fail:
	json_decref(idx);
	return NULL;
}

static int
dump(const json_t *j, FILE *out, struct sc_err *e)
{
	if (j == NULL)
		return sc_err_set(e, SC_EOS, 0, "out of memory");
	if (json_dumpf(j, out, JSON_INDENT(2) | JSON_REAL_PRECISION(17)) ==
	        -1 ||
	    putc('\n', out) == EOF)
		return sc_err_errno(e, SC_EIO, errno, "write");
	return 0;
}

static int
write_index(struct sc_store *st, const char *name, const struct state *s,
    struct sc_err *e)
{
	char key[SC_REGISTRY_MAX_NAME + 24];
	json_t *idx = build_index(name, s);
	char *text = NULL;
	size_t len = 0;
	FILE *fp;
	int rc;

	if (idx == NULL)
		return sc_err_set(e, SC_EOS, 0, "out of memory");
	if ((fp = open_memstream(&text, &len)) == NULL) {
		json_decref(idx);
		return sc_err_errno(e, SC_EOS, errno, "memory stream");
	}
	rc = dump(idx, fp, e);
	json_decref(idx);
	if (fclose(fp) == EOF && rc == 0)
		rc = sc_err_errno(e, SC_EOS, errno, "memory stream");
	snprintf(key, sizeof(key), "models/%s/index.json", name);
	if (rc == 0)
		rc = sc_store_put_buf(st, key, text, len, 0, e);
	free(text);
	return rc;
}

/* The stored index as a cache, or NULL (missing or malformed: rebuild). */
static json_t *
read_index(struct sc_store *st, const char *name)
{
	char key[SC_REGISTRY_MAX_NAME + 24];
	struct sc_err ignored = { 0 };
	json_t *j;

	snprintf(key, sizeof(key), "models/%s/index.json", name);
	j = get_json(st, key, MAX_INDEX, &ignored);
	if (j != NULL && !json_is_array(json_object_get(j, "versions"))) {
		json_decref(j);
		j = NULL;
	}
	return j;
}

int
sc_registry_refresh(struct sc_store *st, const char *name, struct sc_err *e)
{
	struct state cur = { 0 }, next = { 0 };
	json_t *idx;
	int rc, k;

	if (sc_registry_name_check(name, e) == -1)
		return -1;
	idx = read_index(st, name);
	rc = scan(st, name, NULL, idx, &cur, e);
	json_decref(idx);
	if (rc == 0 && !cur.any)
		rc = sc_err_set(e, SC_ENOINPUT, 0, "models:/%s: no such model",
		    name);
	for (k = 0; rc == 0; k++) {
		if (k == REFRESH_TRIES) {
			rc = sc_err_set(e, SC_ETEMP, 0,
			    "models/%s/index.json: the model kept changing "
			    "while the index was written (%d times)",
			    name, REFRESH_TRIES);
			break;
		}
		if ((rc = write_index(st, name, &cur, e)) == -1 ||
		    (rc = scan(st, name, &cur, NULL, &next, e)) == -1)
			break;
		if (same_state(&cur, &next))
			break;
		sc_log(SC_LOG_INFO,
		    "models/%s/index.json: changed while "
		    "written, writing it again",
		    name);
		state_free(&cur);
		cur = next;
		memset(&next, 0, sizeof(next));
	}
	state_free(&next);
	state_free(&cur);
	return rc;
}

/* Copy member key of src into dst when its type is allowed, else null. */
static int
copy_member(json_t *dst, const json_t *src, const char *key, int types,
    const char *where, struct sc_err *e)
{
	json_t *v = json_object_get(src, key);
	int t = v == NULL ? JSON_NULL : (int)json_typeof(v);

	if (t == JSON_TRUE || t == JSON_FALSE)
		t = JSON_TRUE;
	if (t != JSON_NULL && !(types & (1 << t)))
		return sc_err_set(e, SC_EDATA, 0, "%s: \"%s\": wrong type",
		    where, key);
	if (json_object_set_new(dst, key,
	        t == JSON_NULL ? json_null() : json_deep_copy(v)) == -1)
		return sc_err_set(e, SC_EOS, 0, "out of memory");
	return 0;
}

#define T_OBJ (1 << JSON_OBJECT)
#define T_STR (1 << JSON_STRING)
#define T_INT (1 << JSON_INTEGER)
#define T_NUM ((1 << JSON_INTEGER) | (1 << JSON_REAL))

/* The lineage members of a model: training data, parameters, scores. */
static int
model_lineage(json_t *meta, const json_t *m, const char *in, struct sc_err *e)
{
	const json_t *tr = json_object_get(m, "training");
	json_t *t;
	char where[80];

	if (copy_member(meta, m, "target", T_STR, in, e) == -1)
		return -1;
	if (tr != NULL && !json_is_object(tr))
		return sc_err_set(e, SC_EDATA, 0,
		    "%s: \"training\": want an object", in);
	if (json_object_set_new(meta, "training",
	        tr == NULL ? json_null() : json_object()) == -1)
		return sc_err_set(e, SC_EOS, 0, "out of memory");
	t = json_object_get(meta, "training");
	snprintf(where, sizeof(where), "%s: \"training\"", in);
	if (tr != NULL &&
	    (copy_member(t, tr, "rows", T_INT, where, e) == -1 ||
	        copy_member(t, tr, "date_from", T_STR, where, e) == -1 ||
	        copy_member(t, tr, "date_to", T_STR, where, e) == -1 ||
	        copy_member(t, tr, "sha256", T_STR, where, e) == -1))
		return -1;
	if (copy_member(meta, m, "params", T_OBJ, in, e) == -1 ||
	    copy_member(meta, m, "oob_rmse", T_NUM, in, e) == -1 ||
	    copy_member(meta, m, "cv", T_OBJ, in, e) == -1 ||
	    copy_member(meta, m, "tuning", T_OBJ, in, e) == -1)
		return -1;
	return 0;
}

/* The test metrics of sc-rmse: rmse, mae, naive_rmse, skill, n. */
static json_t *
read_metrics(const char *path, struct sc_err *e)
{
	static const char *const keys[] = { "n", "rmse", "mae", "naive_rmse",
		"skill" };
	struct sc_buf b = { 0 };
	json_error_t je;
	json_t *m = NULL, *t = NULL;
	FILE *fp;
	size_t i;

	if ((fp = fopen(path, "rb")) == NULL) {
		sc_err_errno(e, errno == ENOENT ? SC_ENOINPUT : SC_EIO, errno,
		    "%s", path);
		return NULL;
	}
	b.limit = MAX_METRICS;
	if (sc_buf_read(&b, fp, path, e) == 0 &&
	    (m = json_loadb(b.data ? b.data : "", b.len, JSON_REJECT_DUPLICATES,
	         &je)) == NULL)
		sc_err_set(e, SC_EDATA, 0, "%s:%d:%d: %s", path, je.line,
		    je.column, je.text);
	fclose(fp);
	sc_buf_free(&b);
	if (m != NULL && (!json_is_object(m) || !json_object_get(m, "rmse")))
		sc_err_set(e, SC_EDATA, 0,
		    "%s: not sc-rmse metrics (no \"rmse\")", path);
	else if (m != NULL && (t = json_object()) == NULL)
		sc_err_set(e, SC_EOS, 0, "out of memory");
	for (i = 0; t != NULL && i < sizeof(keys) / sizeof(keys[0]); i++)
		if (copy_member(t, m, keys[i], T_NUM, path, e) == -1) {
			json_decref(t);
			t = NULL;
		}
	json_decref(m);
	return t;
}

/* Spool in to a temporary file, hashing it; bounded.  NULL on error. */
static FILE *
spool(FILE *in, const char *name, char *sha, uint64_t *len, struct sc_err *e)
{
	struct sc_sha256 *h;
	uint8_t md[SC_SHA256_LEN];
	char buf[65536];
	FILE *tmp;
	size_t n;
	int rc = 0;

	*len = 0;
	if ((tmp = tmpfile()) == NULL) {
		sc_err_errno(e, SC_EOS, errno, "temporary file");
		return NULL;
	}
	if ((h = sc_sha256_new(e)) == NULL)
		rc = -1;
	while (rc == 0 && (n = fread(buf, 1, sizeof(buf), in)) > 0) {
		if ((*len += n) > (uint64_t)SC_REGISTRY_MAX_MODEL)
			rc = sc_err_set(e, SC_EDATA, 0,
			    "%s: larger than %ld bytes", name,
			    SC_REGISTRY_MAX_MODEL);
		else if (fwrite(buf, 1, n, tmp) != n)
			rc = sc_err_errno(e, SC_EIO, errno, "temporary file");
		else
			rc = sc_sha256_update(h, buf, n, e);
	}
	if (rc == 0 && ferror(in))
		rc = sc_err_errno(e, SC_EIO, errno, "%s", name);
	if (rc == 0 && (fflush(tmp) == EOF || fseeko(tmp, 0, SEEK_SET) == -1))
		rc = sc_err_errno(e, SC_EIO, errno, "temporary file");
	if (rc == 0 && (rc = sc_sha256_final(h, md, e)) == 0)
		sc_hash_hex(md, sizeof(md), sha);
	sc_sha256_free(h);
	if (rc == -1) {
		fclose(tmp);
		return NULL;
	}
	return tmp;
}

/*
 * A streaming scan of the model's top-level JSON object that keeps only the
 * members the lineage needs, so registering a model takes memory bounded by
 * those members (MAX_MEMBER each), not by the trees: a 190 MB model parsed
 * whole took gigabytes.  It serves registrations that do not validate;
 * sc-push validates, with sc_model_check(), in bounded memory too.
 */
#define MAX_MEMBER (1L << 20)

static const char *const lineage_keys[] = { "format", "version", "target",
	"training", "params", "oob_rmse", "cv", "tuning", NULL };

struct scan {
	FILE *fp;
	struct sc_buf *cap; /* the bytes of the value kept, or NULL */
	int bad;            /* too long, or an output failure */
	long line, col;     /* of the last byte read, from 1 */
};

static int
scan_getc(struct scan *s)
{
	int c = getc(s->fp);
	char ch = (char)c;

	if (c == '\n') {
		s->line++;
		s->col = 0;
	} else if (c != EOF)
		s->col++;
	if (c != EOF && s->cap != NULL && !s->bad &&
	    (s->cap->len >= (size_t)MAX_MEMBER ||
	        sc_buf_add(s->cap, &ch, 1, NULL) == -1))
		s->bad = 1;
	return c;
}

static int
scan_ws(struct scan *s)
{
	int c;

	while ((c = scan_getc(s)) == ' ' || c == '\t' || c == '\n' || c == '\r')
		;
	return c;
}

/* The rest of a string after its opening quote; -1 when cut short. */
static int
scan_string(struct scan *s)
{
	int c;

	while ((c = scan_getc(s)) != '"') {
		if (c == EOF || (unsigned)c < 0x20)
			return -1;
		if (c == '\\' && scan_getc(s) == EOF)
			return -1;
	}
	return 0;
}

/*
 * One value whose first byte c was read; the byte after a scalar is
 * returned through *next (a container or string ends on its own byte,
 * and *next is then read as the following non-blank byte).
 */
static int
scan_value(struct scan *s, int c, int *next)
{
	long depth = 0;

	do {
		if (c == '"') {
			if (scan_string(s) == -1)
				return -1;
		} else if (c == '{' || c == '[') {
			if (++depth > 1024)
				return -1;
		} else if (c == '}' || c == ']') {
			if (--depth < 0)
				return -1;
		} else if (c == EOF)
			return -1;
		else if (depth == 0) {
			if (strchr("-0123456789tfn", c) == NULL)
				return -1;
			/* A scalar: up to the next delimiter. */
			while ((c = scan_getc(s)) != EOF && c != ',' &&
			    c != '}' && c != ']' && c != ' ' && c != '\t' &&
			    c != '\n' && c != '\r')
				;
			if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
				c = scan_ws(s);
			*next = c;
			return 0;
		}
		if (depth == 0)
			break;
		c = scan_getc(s);
	} while (1);
	*next = scan_ws(s);
	return 0;
}

static int
wanted(const char *key)
{
	const char *const *k;

	for (k = lineage_keys; *k != NULL; k++)
		if (strcmp(*k, key) == 0)
			return 1;
	return 0;
}

/* The lineage members of the model in fp as a JSON object, or NULL. */
static json_t *
scan_members(FILE *fp, const char *in, struct sc_err *e)
{
	struct sc_buf key = { 0 }, val = { 0 };
	struct scan s = { fp, NULL, 0, 1, 0 };
	json_error_t je;
	json_t *m, *v;
	int c, next;

	if ((m = json_object()) == NULL) {
		sc_err_set(e, SC_EOS, 0, "out of memory");
		return NULL;
	}
	if (scan_ws(&s) != '{') {
		sc_err_set(e, SC_EDATA, 0, "%s: not a JSON object", in);
		goto fail;
	}
	c = scan_ws(&s);
	while (c != '}') {
		sc_buf_reset(&key);
		s.cap = &key;
		s.bad = 0;
		if (c != '"' || scan_string(&s) == -1 || s.bad ||
		    sc_buf_add(&key, "", 0, e) == -1)
			goto malformed;
		key.data[key.len - 1] = '\0'; /* the closing quote */
		s.cap = NULL;
		if (scan_ws(&s) != ':')
			goto malformed;
		c = scan_ws(&s);
		if (!wanted(key.data)) {
			if (scan_value(&s, c, &next) == -1)
				goto malformed;
		} else {
			if (json_object_get(m, key.data) != NULL) {
				sc_err_set(e, SC_EDATA, 0,
				    "%s: duplicate member \"%s\"", in,
				    key.data);
				goto fail;
			}
			sc_buf_reset(&val);
			if (sc_buf_add(&val, (char[]){ (char)c }, 1, e) == -1)
				goto fail;
			s.cap = &val;
			s.bad = 0;
			if (scan_value(&s, c, &next) == -1)
				goto malformed;
			s.cap = NULL;
			if (s.bad) {
				sc_err_set(e, SC_EDATA, 0,
				    "%s: \"%s\": longer than %ld bytes", in,
				    key.data, MAX_MEMBER);
				goto fail;
			}
			/* The captured bytes end with the byte after the
			 * value (and blanks): parse only the value. */
			if ((v = json_loadb(val.data, val.len,
			         JSON_DECODE_ANY | JSON_DISABLE_EOF_CHECK,
			         &je)) == NULL) {
				sc_err_set(e, SC_EDATA, 0, "%s: \"%s\": %s", in,
				    key.data, je.text);
				goto fail;
			}
			if (json_object_set_new(m, key.data, v) == -1) {
				sc_err_set(e, SC_EOS, 0, "out of memory");
				goto fail;
			}
		}
		if (next == ',')
			c = scan_ws(&s);
		else if (next == '}')
			c = '}';
		else
			goto malformed;
	}
	if (scan_ws(&s) != EOF)
		goto malformed;
	sc_buf_free(&key);
	sc_buf_free(&val);
	return m;
malformed:
	sc_err_set(e, SC_EDATA, 0, "%s:%ld:%ld: not a valid JSON model", in,
	    s.line, s.col);
fail:
	sc_buf_free(&key);
	sc_buf_free(&val);
	json_decref(m);
	return NULL;
}

/* Validate the model in tmp and put its lineage into meta. */
static int
parse_model(FILE *tmp, json_t *meta, const char *in, int validate,
    struct sc_err *e)
{
	json_t *m, *fmt;
	char magic[8];
	size_t nm = fread(magic, 1, sizeof(magic), tmp);
	int rc;

	if (fseeko(tmp, 0, SEEK_SET) == -1)
		return sc_err_errno(e, SC_EIO, errno, "temporary file");
	if (validate) {
		/* The loader's verdict on either form in bounded memory, and
		 * the header: what sc-predict would refuse is not registered. */
		if ((m = sc_model_check(tmp, in, e)) == NULL)
			return -1;
	} else if (sc_model_is_binary(magic, nm)) {
		/* The binary form: the loader validates it, gives its header. */
		struct sc_model *sm = sc_model_read(tmp, e);

		if (sm == NULL) {
			if (e->code == SC_EDATA)
				sc_err_prefix(e, "%s: not a valid model", in);
			return -1;
		}
		m = sc_model_head(sm);
		sc_model_free(sm);
		if (m == NULL)
			return sc_err_set(e, SC_EOS, 0, "out of memory");
	} else if ((m = scan_members(tmp, in, e)) == NULL)
		return -1;
	fmt = json_object_get(m, "format");
	if (!json_is_string(fmt) ||
	    strcmp(json_string_value(fmt), "sc-forest") != 0)
		rc = sc_err_set(e, SC_EDATA, 0,
		    "%s: not a model: want \"format\": \"sc-forest\"", in);
	else if ((rc = copy_member(json_object_get(meta, "model"), m, "version",
	              T_INT, in, e)) == 0)
		rc = model_lineage(meta, m, in, e);
	json_decref(m);
	if (rc == 0 && fseeko(tmp, 0, SEEK_SET) == -1)
		rc = sc_err_errno(e, SC_EIO, errno, "temporary file");
	return rc;
}

/* The lineage object, in the order documented, "version" still 0. */
static json_t *
new_meta(const char *name, const struct sc_registry_opts *o, const char *sha,
    uint64_t len)
{
	char when[32];
	struct tm tm;

	if (gmtime_r(&o->now, &tm) == NULL ||
	    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		strcpy(when, "1970-01-01T00:00:00Z");
	return json_pack("{s:s, s:i, s:s, s:o, s:{s:s, s:I}}", "name", name,
	    "version", 0, "registered", when, "run_id",
	    o->run_id ? json_string(o->run_id) : json_null(), "model", "sha256",
	    sha, "bytes", (json_int_t)len);
}

/* Lineage from the model, the options and the metrics file. */
static json_t *
lineage(const char *name, FILE *tmp, const struct sc_registry_opts *o,
    const char *sha, uint64_t len, struct sc_err *e)
{
	const char *in = o->input ? o->input : "model";
	json_t *meta = new_meta(name, o, sha, len), *test = NULL;
	int rc = 0;

	if (meta == NULL) {
		sc_err_set(e, SC_EOS, 0, "out of memory");
		return NULL;
	}
	if (o->run_id != NULL &&
	    (strlen(o->run_id) == 0 || strlen(o->run_id) > 200))
		rc = sc_err_set(e, SC_EUSAGE, 0, "run id: want 1 to 200 bytes");
	if (rc == 0)
		rc = parse_model(tmp, meta, in, o->validate, e);
	if (rc == 0 && o->metrics != NULL &&
	    (test = read_metrics(o->metrics, e)) == NULL)
		rc = -1;
	if (rc == 0 &&
	    (json_object_set_new(meta, "cv_rmse",
	         isfinite(o->cv_rmse) ? json_real(o->cv_rmse) : json_null()) ==
	            -1 ||
	        json_object_set_new(meta, "test", test ? test : json_null()) ==
	            -1))
		rc = sc_err_set(e, SC_EOS, 0, "out of memory");
	if (rc == -1) {
		json_decref(meta);
		return NULL;
	}
	return meta;
}

/*
 * Claim the first free number from claimed+1 on by creating its
 * meta.json exclusively; *version gets it.  0 or -1.
 */
static int
claim(struct sc_store *st, const char *name, json_t *meta, long claimed,
    long *version, struct sc_err *e)
{
	char key[SC_REGISTRY_MAX_NAME + 40], *text;
	long v = claimed + 1;
	int k, rc = -1;

	for (k = 0; k < CLAIM_TRIES; k++, v++) {
		if (v > SC_REGISTRY_MAX_VERSION)
			return sc_err_set(e, SC_ECANTCREAT, 0,
			    "models:/%s: no version number left", name);
		json_object_set_new(meta, "version", json_integer(v));
		if ((text = json_dumps(meta,
		         JSON_INDENT(2) | JSON_REAL_PRECISION(17))) == NULL)
			return sc_err_set(e, SC_EOS, 0, "out of memory");
		snprintf(key, sizeof(key), "models/%s/%ld/meta.json", name, v);
		rc = strlen(text) > MAX_META
		    ? sc_err_set(e, SC_EDATA, 0,
		          "lineage larger than %ld "
		          "bytes",
		          MAX_META)
		    : sc_store_put_buf(st, key, text, strlen(text),
		          SC_STORE_EXCL, e);
		free(text);
		if (rc != SC_STORE_EXISTS)
			break;
		sc_log(SC_LOG_INFO, "models:/%s: version %ld taken, trying %ld",
		    name, v, v + 1);
		sc_err_clear(e);
	}
	if (rc == SC_STORE_EXISTS)
		return sc_err_set(e, SC_ETEMP, 0,
		    "models:/%s: versions %ld to %ld were all taken meanwhile",
		    name, claimed + 1, v - 1);
	*version = v;
	return rc;
}

/*
 * Record in the run's own record (runs/RUN_ID/meta.json, when the store
 * has one) which version the run became: registered_model,
 * registered_version and registered_at.  A run id that is no single key
 * component, or a run without a record, is left alone (0); a record that
 * cannot be read or written is a warning, never a failure of the
 * registration, which has happened.  Returns 1 when the record was written.
 */
static int
record_in_run(struct sc_store *st, const char *name, long version,
    const struct sc_registry_opts *o, const char *when)
{
	char key[256];
	struct sc_err e = { 0 };
	json_t *meta;
	char *text = NULL;
	int rc = -1;

	if (o->run_id == NULL || sc_registry_name_check(o->run_id, NULL) == -1)
		return 0;
	snprintf(key, sizeof(key), "runs/%s/meta.json", o->run_id);
	if ((meta = get_json(st, key, MAX_META, &e)) == NULL) {
		if (e.code == SC_ENOINPUT)
			return 0;
	} else if (!json_is_object(meta))
		sc_err_set(&e, SC_EDATA, 0, "%s: not a JSON object", key);
	else if (json_object_set_new(meta, "registered_model",
	             json_string(name)) == -1 ||
	    json_object_set_new(meta, "registered_version",
	        json_integer(version)) == -1 ||
	    json_object_set_new(meta, "registered_at", json_string(when)) ==
	        -1 ||
	    (text = json_dumps(meta, 0)) == NULL)
		sc_err_set(&e, SC_EOS, 0, "out of memory");
	else if ((rc = sc_store_put_buf(st, key, text, strlen(text), 0, &e)) ==
	    0)
		rc = 1;
	free(text);
	json_decref(meta);
	if (rc != 1)
		sc_log(SC_LOG_WARN,
		    "models:/%s: version %ld registered, but %s does not say "
		    "so: %s",
		    name, version, key, e.msg);
	return rc == 1;
}

int
sc_registry_register(struct sc_store *st, const char *name, FILE *in,
    const struct sc_registry_opts *o, struct sc_registry_result *res,
    struct sc_err *e)
{
	char sha[SC_SHA256_HEX], key[SC_REGISTRY_MAX_NAME + 40];
	struct state s = { 0 };
	json_t *meta = NULL;
	uint64_t len;
	FILE *tmp = NULL;
	int rc = -1;

	memset(res, 0, sizeof(*res));
	if (sc_registry_name_check(name, e) == -1 ||
	    (tmp = spool(in, o->input ? o->input : "model", sha, &len, e)) ==
	        NULL ||
	    (meta = lineage(name, tmp, o, sha, len, e)) == NULL ||
	    scan_list(st, name, &s, e) == -1 ||
	    claim(st, name, meta, s.claimed, &res->version, e) == -1)
		goto out;
	snprintf(key, sizeof(key), "models/%s/%ld/model.json", name,
	    res->version);
	if ((rc = sc_store_put(st, key, tmp, SC_STORE_EXCL, e)) != 0) {
		sc_err_prefix(e, "version %ld claimed but its model not stored",
		    res->version);
		rc = -1;
		goto out;
	}
	res->run_recorded = record_in_run(st, name, res->version, o,
	    json_string_value(json_object_get(meta, "registered")));
	if (sc_registry_refresh(st, name, &res->index_err) == -1) {
		res->index_stale = 1;
		sc_log(SC_LOG_WARN,
		    "models:/%s: version %ld registered, but "
		    "index.json was not updated: %s",
		    name, res->version, res->index_err.msg);
	}
out:
	state_free(&s);
	json_decref(meta);
	if (tmp != NULL)
		fclose(tmp);
	return rc;
}

/* SC_ENOINPUT for r: no such model, version or alias. */
static int
not_found(struct sc_store *st, const struct sc_model_ref *r, struct sc_err *e)
{
	struct state s = { 0 };
	int any;

	if (scan_list(st, r->name, &s, e) == -1)
		return -1;
	any = s.any;
	state_free(&s);
	if (!any)
		return sc_err_set(e, SC_ENOINPUT, 0,
		    "models:/%s: no such model", r->name);
	if (r->kind == SC_MREF_ALIAS)
		return sc_err_set(e, SC_ENOINPUT, 0,
		    "models:/%s@%s: no such alias", r->name, r->alias);
	if (r->kind == SC_MREF_VERSION)
		return sc_err_set(e, SC_ENOINPUT, 0,
		    "models:/%s/%ld: no such version", r->name, r->version);
	return sc_err_set(e, SC_ENOINPUT, 0,
	    "models:/%s: no version registered yet", r->name);
}

int
sc_registry_resolve(struct sc_store *st, const struct sc_model_ref *r,
    long *version, struct sc_err *e)
{
	char key[SC_REGISTRY_MAX_NAME + 40];
	struct alias a = { { 0 }, 0 };
	struct state s = { 0 };
	int rc;

	*version = 0;
	if (r->kind == SC_MREF_INDEX)
		return sc_err_set(e, SC_EUSAGE, 0,
		    "models:/%s: names no version", r->name);
	if (r->kind == SC_MREF_LATEST) {
		if (scan_list(st, r->name, &s, e) == -1)
			return -1;
		*version = s.nv > 0 ? s.v[s.nv - 1].v : 0;
		state_free(&s);
		return *version > 0 ? 0 : not_found(st, r, e);
	}
	if (r->kind == SC_MREF_ALIAS) {
		snprintf(a.name, sizeof(a.name), "%s", r->alias);
		if (load_alias(st, r->name, &a, e) == -1)
			return -1;
		if (a.v == 0)
			return not_found(st, r, e);
	}
	*version = r->kind == SC_MREF_ALIAS ? a.v : r->version;
	snprintf(key, sizeof(key), "models/%s/%ld/model.json", r->name,
	    *version);
	if ((rc = sc_store_exists(st, key, e)) == 1)
		return 0;
	if (rc == 0)
		rc = sc_err_set(e, SC_ENOINPUT, 0,
		    "models:/%s/%ld: no such version", r->name, *version);
	*version = 0;
	return rc;
}

static int
get_index(struct sc_store *st, const char *name, FILE *out, struct sc_err *e)
{
	struct sc_model_ref r = { SC_MREF_INDEX, { 0 }, { 0 }, 0 };
	struct state s = { 0 };
	json_t *idx = read_index(st, name);
	int rc;

	rc = scan(st, name, NULL, idx, &s, e);
	json_decref(idx);
	idx = NULL;
	if (rc == 0 && !s.any) {
		snprintf(r.name, sizeof(r.name), "%s", name);
		rc = not_found(st, &r, e);
	} else if (rc == 0) {
		idx = build_index(name, &s);
		rc = dump(idx, out, e);
	}
	json_decref(idx);
	state_free(&s);
	return rc;
}

int
sc_registry_get(struct sc_store *st, const struct sc_model_ref *r, FILE *out,
    struct sc_err *e)
{
	char key[SC_REGISTRY_MAX_NAME + 40];
	long v = r->version;

	if (r->kind == SC_MREF_INDEX)
		return get_index(st, r->name, out, e);
	if (r->kind != SC_MREF_VERSION &&
	    sc_registry_resolve(st, r, &v, e) == -1)
		return -1;
	snprintf(key, sizeof(key), "models/%s/%ld/model.json", r->name, v);
	if (sc_store_get(st, key, out, e) == 0)
		return 0;
	return e->code == SC_ENOINPUT ? not_found(st, r, e) : -1;
}

/* After a change to alias of name: rewrite index.json, a lag is a warning. */
static void
alias_changed(struct sc_store *st, const char *name, const char *alias,
    struct sc_registry_result *res)
{
	if (sc_registry_refresh(st, name, &res->index_err) == -1) {
		res->index_stale = 1;
		sc_log(SC_LOG_WARN,
		    "models:/%s@%s: done, but index.json was "
		    "not updated: %s",
		    name, alias, res->index_err.msg);
	}
}

int
sc_registry_alias(struct sc_store *st, const char *name, const char *alias,
    const struct sc_model_ref *target, struct sc_registry_result *res,
    struct sc_err *e)
{
	struct sc_registry_result ignored;
	char key[2 * SC_REGISTRY_MAX_NAME + 24], text[24];

	if (res == NULL)
		res = &ignored;
	memset(res, 0, sizeof(*res));
	if (sc_registry_name_check(name, e) == -1 ||
	    sc_registry_alias_check(alias, e) == -1)
		return -1;
	if (strcmp(target->name, name) != 0)
		return sc_err_set(e, SC_EUSAGE, 0,
		    "alias of models:/%s points at another model (%s)", name,
		    target->name);
	if (sc_registry_resolve(st, target, &res->version, e) == -1)
		return -1;
	snprintf(key, sizeof(key), "models/%s/aliases/%s", name, alias);
	snprintf(text, sizeof(text), "%ld\n", res->version);
	if (sc_store_put_buf(st, key, text, strlen(text), 0, e) != 0)
		return -1;
	alias_changed(st, name, alias, res);
	return 0;
}

int
sc_registry_delete(struct sc_store *st, const char *name, const char *alias,
    struct sc_registry_result *res, struct sc_err *e)
{
	struct sc_registry_result ignored;
	struct sc_model_ref r = { SC_MREF_ALIAS, { 0 }, { 0 }, 0 };
	char key[2 * SC_REGISTRY_MAX_NAME + 24];
	int rc;

	if (res == NULL)
		res = &ignored;
	memset(res, 0, sizeof(*res));
	if (sc_registry_name_check(name, e) == -1 ||
	    sc_registry_alias_check(alias, e) == -1)
		return -1;
	snprintf(key, sizeof(key), "models/%s/aliases/%s", name, alias);
	snprintf(r.name, sizeof(r.name), "%s", name);
	snprintf(r.alias, sizeof(r.alias), "%s", alias);
	if ((rc = sc_store_exists(st, key, e)) == 0)
		return not_found(st, &r, e);
	if (rc == -1 || sc_store_delete(st, key, e) != 0)
		return -1;
	alias_changed(st, name, alias, res);
	return 0;
}

struct sc_store *
sc_registry_open(const struct sc_config *c, struct sc_err *e)
{
	struct sc_s3_opts so;

	sc_store_s3_opts(c, &so);
	return sc_store_open(c->store, &so, e);
}

int
sc_registry_fetch_uri(const struct sc_config *c, const char *uri, FILE *out,
    struct sc_err *e)
{
	struct sc_model_ref r;
	struct sc_store *st;
	int rc;

	if (sc_registry_parse(uri, &r, e) == -1 ||
	    (st = sc_registry_open(c, e)) == NULL)
		return -1;
	rc = sc_registry_get(st, &r, out, e);
	sc_store_free(st);
	return rc;
}
