/* SPDX-License-Identifier: ISC */
/*
 * TZif reader (RFC 8536) and POSIX TZ rule evaluator.  A zone is kept as
 * two parallel arrays, transition instants and the UTC offset in force
 * from each, plus the offset before the first transition and the footer
 * rule for instants after the last.  Only offsets are kept: abbreviations
 * and leap seconds play no part in finding a local date.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sc_buf.h"
#include "sc_date.h"
#include "sc_tz.h"

#define MAX_FILE (256u << 10)
#define MAX_NAME 64

struct rdate {
	int kind; /* 'J' 1..365 without Feb 29, 'N' 0..365, 'M' m.w.d */
	int n, m, w, d;
	long time; /* seconds after local midnight; may be < 0 or > 24 h */
};

struct rule {
	long std_off, dst_off; /* seconds east of UTC */
	int has_dst;
	struct rdate start, end;
};

struct sc_tz {
	size_t n;
	int64_t *times; /* ascending */
	long *offs;     /* offset from times[i] on */
	long first_off; /* offset before times[0] */
	int has_rule;
	struct rule rule;
};

int
sc_tz_name_valid(const char *name)
{
	size_t i, n = strlen(name);

	if (n == 0 || n > MAX_NAME || name[0] == '/' || name[0] == '-')
		return 0;
	for (i = 0; i < n; i++) {
		char c = name[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		        (c >= '0' && c <= '9') || c == '_' || c == '+' ||
		        c == '-' || c == '/' || c == '.'))
			return 0;
		if (c == '.' && (i == 0 || name[i - 1] == '/'))
			return 0; /* no "..", no hidden files, no "./" */
	}
	return 1;
}

void
sc_tz_free(struct sc_tz *z)
{
	if (z == NULL)
		return;
	free(z->times);
	free(z->offs);
	free(z);
}

/* Parse [+-]hh[:mm[:ss]] with hours up to maxh; advance *pp. */
static int
parse_hms(const char **pp, int maxh, long *out)
{
	const char *p = *pp;
	long sign = 1, h = 0, m = 0, s = 0;
	int digits = 0;

	if (*p == '+' || *p == '-')
		sign = *p++ == '-' ? -1 : 1;
	while (*p >= '0' && *p <= '9' && digits < 3) {
		h = h * 10 + (*p++ - '0');
		digits++;
	}
	if (digits == 0 || h > maxh)
		return -1;
	if (*p == ':') {
		if (p[1] < '0' || p[1] > '5' || p[2] < '0' || p[2] > '9')
			return -1;
		m = (p[1] - '0') * 10 + (p[2] - '0');
		p += 3;
		if (*p == ':') {
			if (p[1] < '0' || p[1] > '5' || p[2] < '0' ||
			    p[2] > '9')
				return -1;
			s = (p[1] - '0') * 10 + (p[2] - '0');
			p += 3;
		}
	}
	*pp = p;
	*out = sign * (h * 3600 + m * 60 + s);
	return 0;
}

static int
parse_name(const char **pp)
{
	const char *p = *pp;
	size_t n = 0;

	if (*p == '<') {
		for (p++; *p != '\0' && *p != '>'; p++)
			n++;
		if (*p != '>' || n < 3)
			return -1;
		*pp = p + 1;
		return 0;
	}
	for (; (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z'); p++)
		n++;
	if (n < 3)
		return -1;
	*pp = p;
	return 0;
}

static long
number(const char **pp, long max)
{
	long v = 0;
	int digits = 0;

	while (**pp >= '0' && **pp <= '9' && digits < 4) {
		v = v * 10 + (*(*pp)++ - '0');
		digits++;
	}
	return digits == 0 || v > max ? -1 : v;
}

static int
parse_rdate(const char **pp, struct rdate *r)
{
	const char *p = *pp;

	memset(r, 0, sizeof(*r));
	if (*p == 'J') {
		p++;
		r->kind = 'J';
		if ((r->n = (int)number(&p, 365)) < 1)
			return -1;
	} else if (*p == 'M') {
		p++;
		r->kind = 'M';
		if ((r->m = (int)number(&p, 12)) < 1 || *p++ != '.' ||
		    (r->w = (int)number(&p, 5)) < 1 || *p++ != '.' ||
		    (r->d = (int)number(&p, 6)) < 0)
			return -1;
	} else {
		r->kind = 'N';
		if ((r->n = (int)number(&p, 365)) < 0)
			return -1;
	}
	r->time = 7200;
	if (*p == '/' && (p++, parse_hms(&p, 167, &r->time)) == -1)
		return -1;
	*pp = p;
	return 0;
}

static int
parse_rule(const char *s, struct rule *r)
{
	const char *p = s;
	long off;

	memset(r, 0, sizeof(*r));
	if (parse_name(&p) == -1 || parse_hms(&p, 24, &off) == -1)
		return -1;
	r->std_off = -off;
	if (*p == '\0')
		return 0;
	if (parse_name(&p) == -1)
		return -1;
	r->has_dst = 1;
	r->dst_off = r->std_off + 3600;
	if (*p != ',' && *p != '\0') {
		if (parse_hms(&p, 24, &off) == -1)
			return -1;
		r->dst_off = -off;
	}
	if (*p == '\0') { /* POSIX leaves it open; the US rule is usual */
		p = ",M3.2.0,M11.1.0";
	}
	if (*p++ != ',' || parse_rdate(&p, &r->start) == -1 || *p++ != ',' ||
	    parse_rdate(&p, &r->end) == -1 || *p != '\0')
		return -1;
	return 0;
}

static int
is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static long
rdate_day(const struct rdate *r, int y)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30,
		31 };
	long jan1 = sc_date_from_ymd(y, 1, 1), first, day;
	int dim;

	switch (r->kind) {
	case 'J':
		return jan1 + r->n - 1 + (is_leap(y) && r->n >= 60);
	case 'N':
		return jan1 + r->n;
	default:
		first = sc_date_from_ymd(y, r->m, 1);
		dim = mdays[r->m - 1] + (r->m == 2 && is_leap(y));
		day = first + (r->d - sc_date_wday(first) + 7) % 7 +
		    (long)(r->w - 1) * 7;
		while (day >= first + dim)
			day -= 7;
		return day;
	}
}

static int64_t
floordiv(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

static long
rule_offset(const struct rule *r, int64_t t)
{
	int64_t start, end;
	int y, m, d;

	if (!r->has_dst)
		return r->std_off;
	sc_date_to_ymd((long)floordiv(t + r->std_off, 86400), &y, &m, &d);
	start = (int64_t)rdate_day(&r->start, y) * 86400 + r->start.time -
	    r->std_off;
	end = (int64_t)rdate_day(&r->end, y) * 86400 + r->end.time - r->dst_off;
	if (start < end)
		return t >= start && t < end ? r->dst_off : r->std_off;
	return t >= end && t < start ? r->std_off : r->dst_off;
}

long
sc_tz_offset(const struct sc_tz *z, int64_t t)
{
	size_t lo = 0, hi;

	if (z->n == 0)
		return z->has_rule ? rule_offset(&z->rule, t) : z->first_off;
	if (t < z->times[0])
		return z->first_off;
	if (t >= z->times[z->n - 1] && z->has_rule)
		return rule_offset(&z->rule, t);
	hi = z->n; /* times[lo] <= t < times[hi] */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (z->times[mid] <= t)
			lo = mid;
		else
			hi = mid;
	}
	return z->offs[lo];
}

long
sc_tz_local_day(const struct sc_tz *z, int64_t t, long *sec)
{
	int64_t local = t + sc_tz_offset(z, t);
	int64_t day = floordiv(local, 86400);

	if (sec != NULL)
		*sec = (long)(local - day * 86400);
	return (long)day;
}

struct sc_tz *
sc_tz_posix(const char *rule, struct sc_err *e)
{
	struct sc_tz *z = calloc(1, sizeof(*z));

	if (z == NULL) {
		sc_err_set(e, SC_EOS, 0, "out of memory");
		return NULL;
	}
	if (parse_rule(rule, &z->rule) == -1) {
		free(z);
		sc_err_set(e, SC_EDATA, 0, "bad POSIX TZ rule");
		return NULL;
	}
	z->has_rule = 1;
	z->first_off = z->rule.std_off;
	return z;
}

static uint32_t
be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static int64_t
be64(const unsigned char *p)
{
	return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

struct hdr {
	int version;
	uint32_t isut, isstd, leap, time, type, chars;
};

static int
read_hdr(const unsigned char *p, size_t len, struct hdr *h)
{
	if (len < 44 || memcmp(p, "TZif", 4) != 0)
		return -1;
	h->version = p[4] == 0 ? 1 : p[4] - '0';
	h->isut = be32(p + 20);
	h->isstd = be32(p + 24);
	h->leap = be32(p + 28);
	h->time = be32(p + 32);
	h->type = be32(p + 36);
	h->chars = be32(p + 40);
	if (h->type == 0 || h->type > 256 || h->time > 100000 ||
	    h->leap > 10000 || h->chars > 10000 || h->isut > h->type ||
	    h->isstd > h->type)
		return -1;
	return 0;
}

static size_t
block_size(const struct hdr *h, size_t tsize)
{
	return h->time * tsize + h->time + h->type * 6 + h->chars +
	    h->leap * (tsize + 4) + h->isstd + h->isut;
}

/* Fill z from the data block at p (after its header). */
static int
read_block(struct sc_tz *z, const struct hdr *h, const unsigned char *p,
    size_t tsize)
{
	const unsigned char *types = p + h->time * tsize;
	const unsigned char *ttinfo = types + h->time;
	uint32_t i;

	z->n = h->time;
	if (z->n > 0 &&
	    ((z->times = calloc(z->n, sizeof(*z->times))) == NULL ||
	        (z->offs = calloc(z->n, sizeof(*z->offs))) == NULL))
		return -2;
	for (i = 0; i < h->time; i++) {
		z->times[i] =
		    tsize == 8 ? be64(p + 8 * i) : (int32_t)be32(p + 4 * i);
		if (types[i] >= h->type ||
		    (i > 0 && z->times[i] <= z->times[i - 1]))
			return -1;
		z->offs[i] = (int32_t)be32(ttinfo + 6 * types[i]);
	}
	z->first_off = (int32_t)be32(ttinfo);
	return 0;
}

static int
parse_tzif(struct sc_tz *z, const unsigned char *p, size_t len)
{
	struct hdr h;
	size_t sz, tsize = 4;
	const unsigned char *foot, *nl;
	int rc;

	if (read_hdr(p, len, &h) == -1 || (sz = block_size(&h, 4)) > len - 44)
		return -1;
	if (h.version >= 2) {
		p += 44 + sz;
		len -= 44 + sz;
		if (read_hdr(p, len, &h) == -1 ||
		    (sz = block_size(&h, 8)) > len - 44)
			return -1;
		tsize = 8;
	}
	if ((rc = read_block(z, &h, p + 44, tsize)) != 0)
		return rc;
	if (h.version < 2)
		return 0;
	foot = p + 44 + sz;
	len -= 44 + sz;
	if (len < 2 || foot[0] != '\n' ||
	    (nl = memchr(foot + 1, '\n', len - 1)) == NULL)
		return -1;
	if (nl > foot + 1) {
		char rule[128];

		if ((size_t)(nl - foot - 1) >= sizeof(rule))
			return -1;
		memcpy(rule, foot + 1, (size_t)(nl - foot - 1));
		rule[nl - foot - 1] = '\0';
		if (parse_rule(rule, &z->rule) == -1)
			return -1;
		z->has_rule = 1;
	}
	return 0;
}

struct sc_tz *
sc_tz_load(const char *name, const char *dir, struct sc_err *e)
{
	struct sc_buf b = { .limit = MAX_FILE };
	struct sc_tz *z = NULL;
	char path[512];
	FILE *fp;
	int rc;

	if (!sc_tz_name_valid(name)) {
		sc_err_set(e, SC_EUSAGE, 0, "invalid time zone name");
		return NULL;
	}
	snprintf(path, sizeof(path), "%s/%s", dir != NULL ? dir : SC_TZ_DIR,
	    name);
	if ((fp = fopen(path, "rb")) == NULL) {
		sc_err_errno(e, errno == ENOENT ? SC_ENOINPUT : SC_EIO, errno,
		    "time zone %s", name);
		return NULL;
	}
	rc = sc_buf_read(&b, fp, name, e);
	fclose(fp);
	if (rc == -1)
		goto fail;
	if ((z = calloc(1, sizeof(*z))) == NULL) {
		sc_err_set(e, SC_EOS, 0, "out of memory");
		goto fail;
	}
	rc = parse_tzif(z, (const unsigned char *)b.data, b.len);
	if (rc != 0) {
		sc_err_set(e, rc == -2 ? SC_EOS : SC_EDATA, 0,
		    "time zone %s: %s", name,
		    rc == -2 ? "out of memory" : "not a valid TZif file");
		goto fail;
	}
	sc_buf_free(&b);
	return z;
fail:
	sc_tz_free(z);
	sc_buf_free(&b);
	return NULL;
}
