/* SPDX-License-Identifier: ISC */
/* Growable buffers: capacity doubles, so appends are amortised O(1). */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sc_buf.h"

static int
reserve(struct sc_buf *b, size_t need, struct sc_err *e)
{
	size_t cap;
	char *p;

	if (b->limit != 0 && need > b->limit)
		return sc_err_set(e, SC_EDATA, 0,
		    "larger than the limit of %zu bytes", b->limit);
	if (need + 1 <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 256;
	while (cap < need + 1) {
		if (cap > (size_t)-1 / 2)
			return sc_err_set(e, SC_EOS, 0, "out of memory");
		cap *= 2;
	}
	if ((p = realloc(b->data, cap)) == NULL)
		return sc_err_set(e, SC_EOS, 0, "out of memory");
	b->data = p;
	b->cap = cap;
	return 0;
}

int
sc_buf_add(struct sc_buf *b, const void *p, size_t n, struct sc_err *e)
{
	if (n > (size_t)-1 - b->len - 1)
		return sc_err_set(e, SC_EOS, 0, "out of memory");
	if (reserve(b, b->len + n, e) == -1)
		return -1;
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int
sc_buf_printf(struct sc_buf *b, struct sc_err *e, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return sc_err_set(e, SC_EINTERNAL, 0, "bad format");
	if (reserve(b, b->len + (size_t)n, e) == -1)
		return -1;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

void
sc_buf_reset(struct sc_buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

void
sc_buf_free(struct sc_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

int
sc_buf_read(struct sc_buf *b, FILE *fp, const char *name, struct sc_err *e)
{
	char chunk[65536];
	size_t n;

	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		if (sc_buf_add(b, chunk, n, e) == -1) {
			sc_err_prefix(e, "%s", name);
			return -1;
		}
	if (ferror(fp))
		return sc_err_errno(e, SC_EIO, errno, "%s: read", name);
	if (b->data == NULL)
		return sc_buf_add(b, "", 0, e);
	return 0;
}

int
sc_buf_grow(void *pp, size_t *cap, size_t want, size_t sz, struct sc_err *e)
{
	void *old, *p;
	size_t n;

	if (want <= *cap)
		return 0;
	n = *cap > 0 ? *cap : SC_BUF_GROW_MIN;
	while (n < want)
		n = n > SIZE_MAX / 2 ? want : 2 * n;
	if (sz == 0 || n > SIZE_MAX / sz) {
		errno = ENOMEM; /* as realloc would say */
		return sc_err_set(e, SC_EOS, 0, "out of memory");
	}
	/* memcpy: pp is a T **, read and written without type punning. */
	memcpy(&old, pp, sizeof(old));
	if ((p = realloc(old, n * sz)) == NULL)
		return sc_err_set(e, SC_EOS, 0, "out of memory");
	memcpy(pp, &p, sizeof(p));
	*cap = n;
	return 0;
}
