/* SPDX-License-Identifier: ISC */
/*
 * Both replies are flat enough that the parser keeps only the names of the
 * open elements (up to a small depth) and the text of the innermost one;
 * at each end tag the element's path decides where the text goes.  A
 * failure inside a callback stops expat with XML_StopParser and leaves the
 * reason in the context.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <expat.h>

#include "sc_buf.h"
#include "sc_xml.h"

#define MAX_DEPTH 8

struct pctx {
	XML_Parser p;
	int depth;
	char names[MAX_DEPTH][32];
	struct sc_buf text;
	const char *root; /* expected root element */
	int failed;
	struct sc_err err;
	void (*end)(struct pctx *);
	struct sc_xml_list *list;
	size_t cap; /* room in list->objs */
	struct sc_xml_obj cur;
	int have_key;
	struct sc_xml_error *xerr;
};

static void
stop(struct pctx *c, enum sc_errcode code, const char *msg)
{
	if (!c->failed) {
		c->failed = 1;
		sc_err_set(&c->err, code, 0, "%s", msg);
	}
	XML_StopParser(c->p, XML_FALSE);
}

static void XMLCALL
on_start(void *arg, const XML_Char *name, const XML_Char **attrs)
{
	struct pctx *c = arg;

	(void)attrs;
	if (c->failed)
		return;
	if (c->depth == 0 && strcmp(name, c->root) != 0) {
		stop(c, SC_EPROTO, "unexpected XML document");
		return;
	}
	if (c->depth >= MAX_DEPTH) {
		stop(c, SC_EPROTO, "XML nested too deeply");
		return;
	}
	snprintf(c->names[c->depth], sizeof(c->names[0]), "%s", name);
	c->depth++;
	sc_buf_reset(&c->text);
}

static void XMLCALL
on_text(void *arg, const XML_Char *s, int len)
{
	struct pctx *c = arg;

	if (c->failed)
		return;
	if (sc_buf_add(&c->text, s, (size_t)len, NULL) == -1)
		stop(c, SC_EPROTO, "XML element text too long");
}

static void XMLCALL
on_end(void *arg, const XML_Char *name)
{
	struct pctx *c = arg;

	(void)name;
	if (c->failed)
		return;
	(void)sc_buf_add(&c->text, "", 0, NULL);
	c->end(c);
	c->depth--;
	sc_buf_reset(&c->text);
}

static void XMLCALL
on_doctype(void *arg, const XML_Char *name, const XML_Char *sysid,
    const XML_Char *pubid, int internal)
{
	(void)name;
	(void)sysid;
	(void)pubid;
	(void)internal;
	stop(arg, SC_EPROTO, "XML with a DOCTYPE refused");
}

static int
run(struct pctx *c, const char *s, size_t len, struct sc_err *e)
{
	int rc = 0;

	if ((c->p = XML_ParserCreate("UTF-8")) == NULL)
		return sc_err_set(e, SC_EOS, 0, "out of memory");
	c->text.limit = SC_XML_MAX_TEXT;
	XML_SetUserData(c->p, c);
	XML_SetElementHandler(c->p, on_start, on_end);
	XML_SetCharacterDataHandler(c->p, on_text);
	XML_SetStartDoctypeDeclHandler(c->p, on_doctype);
	if (len > (size_t)INT32_MAX ||
	    XML_Parse(c->p, s, (int)len, XML_TRUE) != XML_STATUS_OK) {
		if (c->failed)
			rc = sc_err_set(e, c->err.code, 0, "%s", c->err.msg);
		else
			rc = sc_err_set(e, SC_EPROTO, 0,
			    "malformed XML at line %lu: %s",
			    (unsigned long)XML_GetCurrentLineNumber(c->p),
			    XML_ErrorString(XML_GetErrorCode(c->p)));
	}
	XML_ParserFree(c->p);
	sc_buf_free(&c->text);
	return rc;
}

/* Is the open element at depth d (0 = root) called name? */
static int
at(const struct pctx *c, int depth, const char *name)
{
	return c->depth == depth + 1 && strcmp(c->names[depth], name) == 0;
}

static int
parse_u64(const char *s, uint64_t *v)
{
	char *end;
	unsigned long long n;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	*v = n;
	return 0;
}

static void
copy_etag(char *dst, size_t size, const char *s)
{
	size_t n = strlen(s);

	if (n >= 2 && s[0] == '"' && s[n - 1] == '"')
		snprintf(dst, size, "%.*s", (int)(n - 2), s + 1);
	else
		snprintf(dst, size, "%s", s);
}

static void
add_object(struct pctx *c)
{
	struct sc_xml_list *l = c->list;

	if (!c->have_key) {
		stop(c, SC_EPROTO, "ListObjectsV2: Contents without a Key");
		return;
	}
	if (l->n >= SC_XML_MAX_OBJECTS) {
		stop(c, SC_EPROTO, "ListObjectsV2: too many objects");
		return;
	}
	if (sc_buf_grow(&l->objs, &c->cap, l->n + 1, sizeof(*l->objs), NULL) ==
	    -1) {
		stop(c, SC_EOS, "out of memory");
		return;
	}
	l->objs[l->n++] = c->cur;
	memset(&c->cur, 0, sizeof(c->cur));
	c->have_key = 0;
}

static void
list_end(struct pctx *c)
{
	const char *t = c->text.data;

	if (at(c, 2, "Key")) {
		free(c->cur.key);
		if ((c->cur.key = strdup(t)) == NULL)
			stop(c, SC_EOS, "out of memory");
		c->have_key = 1;
	} else if (at(c, 2, "Size") && strcmp(c->names[1], "Contents") == 0) {
		if (parse_u64(t, &c->cur.size) == -1)
			stop(c, SC_EPROTO, "ListObjectsV2: bad Size");
	} else if (at(c, 2, "ETag") && strcmp(c->names[1], "Contents") == 0)
		copy_etag(c->cur.etag, sizeof(c->cur.etag), t);
	else if (at(c, 2, "LastModified"))
		snprintf(c->cur.last_modified, sizeof(c->cur.last_modified),
		    "%s", t);
	else if (at(c, 1, "Contents"))
		add_object(c);
	else if (at(c, 1, "IsTruncated"))
		c->list->truncated = strcmp(t, "true") == 0;
	else if (at(c, 1, "NextContinuationToken")) {
		free(c->list->next_token);
		if ((c->list->next_token = strdup(t)) == NULL)
			stop(c, SC_EOS, "out of memory");
	}
}

int
sc_xml_parse_list(const char *s, size_t len, struct sc_xml_list *out,
    struct sc_err *e)
{
	struct pctx c = { 0 };
	int rc;

	memset(out, 0, sizeof(*out));
	c.root = "ListBucketResult";
	c.end = list_end;
	c.list = out;
	rc = run(&c, s, len, e);
	free(c.cur.key);
	if (rc == 0 && out->truncated && out->next_token == NULL)
		rc = sc_err_set(e, SC_EPROTO, 0,
		    "ListObjectsV2: truncated without NextContinuationToken");
	if (rc == -1)
		sc_xml_list_free(out);
	return rc;
}

void
sc_xml_list_free(struct sc_xml_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->objs[i].key);
	free(l->objs);
	free(l->next_token);
	memset(l, 0, sizeof(*l));
}

static void
error_end(struct pctx *c)
{
	const char *t = c->text.data;

	if (at(c, 1, "Code"))
		snprintf(c->xerr->code, sizeof(c->xerr->code), "%s", t);
	else if (at(c, 1, "Message"))
		snprintf(c->xerr->message, sizeof(c->xerr->message), "%s", t);
	else if (at(c, 1, "RequestId"))
		snprintf(c->xerr->request_id, sizeof(c->xerr->request_id), "%s",
		    t);
}

int
sc_xml_parse_error(const char *s, size_t len, struct sc_xml_error *out)
{
	struct pctx c = { 0 };

	memset(out, 0, sizeof(*out));
	if (s == NULL || len == 0)
		return -1;
	c.root = "Error";
	c.end = error_end;
	c.xerr = out;
	if (run(&c, s, len, NULL) == -1 || out->code[0] == '\0') {
		memset(out, 0, sizeof(*out));
		return -1;
	}
	return 0;
}
