/* SPDX-License-Identifier: ISC */
/*
 * The text format parser (exposition format 0.0.4), one line at a time
 * into a NUL-terminated copy that is unescaped in place.  Everything a
 * line declares goes through the model's own checks (sc_prom_add), so a
 * parsed set obeys the same rules as one built in code; what only text
 * has (TYPE and HELP lines, their order, escapes, timestamps) is checked
 * here.
 */
#include <stdlib.h>
#include <string.h>

#include "sc_prom.h"
#include "sc_prom_int.h"

/* A line being parsed: NUL-terminated copy, cursor. */
struct lex {
	char *s;
	char *p;
};

static void
blanks(struct lex *l)
{
	while (*l->p == ' ' || *l->p == '\t')
		l->p++;
}

/* Read a name token ([a-zA-Z0-9_:]*) into a NUL-terminated copy. */
static char *
token(struct lex *l, struct sc_err *e)
{
	const char *start = l->p;
	char *t;

	while ((*l->p >= 'a' && *l->p <= 'z') ||
	    (*l->p >= 'A' && *l->p <= 'Z') || (*l->p >= '0' && *l->p <= '9') ||
	    *l->p == '_' || *l->p == ':')
		l->p++;
	if ((t = strndup(start, (size_t)(l->p - start))) == NULL)
		sc_err_set(e, SC_EOS, 0, "out of memory");
	return t;
}

/*
 * Unescape the text at l->p up to end_ch (a '"' for a label value, NUL for
 * HELP) in place; quote says whether \" is a valid escape.
 */
static char *
unescape(struct lex *l, int end_ch, struct sc_err *e)
{
	char *out = l->p, *start = l->p;

	while (*l->p != end_ch) {
		if (*l->p == '\0') {
			sc_err_set(e, SC_EDATA, 0, "unterminated label value");
			return NULL;
		}
		if (*l->p != '\\') {
			*out++ = *l->p++;
			continue;
		}
		l->p++;
		if (*l->p == 'n')
			*out++ = '\n';
		else if (*l->p == '\\' || (*l->p == '"' && end_ch == '"'))
			*out++ = *l->p;
		else {
			sc_err_set(e, SC_EDATA, 0, "invalid escape \"\\%c\"",
			    *l->p ? *l->p : ' ');
			return NULL;
		}
		l->p++;
	}
	if (end_ch != '\0')
		l->p++;
	*out = '\0';
	if ((size_t)(out - start) > SC_PROM_MAX_VALUE) {
		sc_err_set(e, SC_EDATA, 0, "value longer than %d bytes",
		    SC_PROM_MAX_VALUE);
		return NULL;
	}
	return start;
}

static long
declare(struct sc_prom *p, const char *name, struct sc_err *e)
{
	long f;

	if (!sc_prom_name_ok(name))
		return sc_err_set(e, SC_EDATA, 0,
		    "invalid metric name \"%.64s\"", name);
	if ((f = sc_prom_find_family(p, name)) == -1) {
		if (sc_prom_new_family(p, name, SC_PROM_UNTYPED,
		        sc_prom_std_help(name), e) == -1)
			return -1;
		f = (long)p->nfam - 1;
	}
	return f;
}

static int
parse_type(struct sc_prom *p, struct family *f, const char *t, struct sc_err *e)
{
	size_t i;

	(void)p;
	if (f->typed)
		return sc_err_set(e, SC_EDATA, 0, "%s: a second TYPE line",
		    f->name);
	if (f->has_samples)
		return sc_err_set(e, SC_EDATA, 0, "%s: TYPE after its samples",
		    f->name);
	for (i = 0; i <= SC_PROM_HISTOGRAM; i++)
		if (strcmp(t, sc_prom_type_names[i]) == 0) {
			f->type = (enum sc_prom_type)i;
			f->typed = 1;
			return 0;
		}
	return sc_err_set(e, SC_EDATA, 0, "%s: unknown TYPE \"%.32s\"", f->name,
	    t);
}

/* "# HELP name text", "# TYPE name type", or another comment. */
static int
parse_comment(struct sc_prom *p, struct lex *l, struct sc_err *e)
{
	char *kw, *name = NULL, *text, *help;
	int rc = -1, is_help;
	long f;

	l->p++;
	blanks(l);
	if ((kw = token(l, e)) == NULL)
		return -1;
	is_help = strcmp(kw, "HELP") == 0;
	if ((!is_help && strcmp(kw, "TYPE") != 0) ||
	    (*l->p != ' ' && *l->p != '\t')) {
		free(kw);
		return 0; /* a plain comment */
	}
	blanks(l);
	if ((name = token(l, e)) == NULL || (f = declare(p, name, e)) == -1)
		goto out;
	if (*l->p != '\0' && *l->p != ' ' && *l->p != '\t') {
		sc_err_set(e, SC_EDATA, 0, "invalid metric name in %s", kw);
		goto out;
	}
	if (*l->p != '\0')
		l->p++;
	if (!is_help) {
		text = l->p;
		while (*l->p != '\0' && *l->p != ' ' && *l->p != '\t')
			l->p++;
		*l->p = '\0';
		rc = parse_type(p, &p->fam[f], text, e);
	} else if (p->fam[f].helped)
		rc = sc_err_set(e, SC_EDATA, 0, "%s: a second HELP line", name);
	else if ((text = unescape(l, '\0', e)) != NULL) {
		if (!sc_prom_utf8_ok(text, strlen(text)))
			rc = sc_err_set(e, SC_EDATA, 0, "%s: HELP not UTF-8",
			    name);
		else if ((help = strdup(text)) == NULL)
			rc = sc_err_set(e, SC_EOS, 0, "out of memory");
		else {
			free(p->fam[f].help);
			p->fam[f].help = help;
			p->fam[f].helped = 1;
			rc = 0;
		}
	}
out:
	free(kw);
	free(name);
	return rc;
}

/* Parse {name="value",...} into lab (pairs pointing into the line). */
static int
parse_labels(struct lex *l, char **lab, struct sc_err *e)
{
	size_t n = 0;

	l->p++;
	for (;;) {
		blanks(l);
		if (*l->p == '}')
			break;
		if (n == SC_PROM_MAX_LABELS)
			return sc_err_set(e, SC_EDATA, 0, "more than %d labels",
			    SC_PROM_MAX_LABELS);
		lab[2 * n] = l->p;
		while ((*l->p >= 'a' && *l->p <= 'z') ||
		    (*l->p >= 'A' && *l->p <= 'Z') ||
		    (*l->p >= '0' && *l->p <= '9') || *l->p == '_')
			l->p++;
		if (l->p == lab[2 * n])
			return sc_err_set(e, SC_EDATA, 0, "invalid label name");
		if (*l->p == ' ' || *l->p == '\t') {
			*l->p++ = '\0';
			blanks(l);
		}
		if (*l->p != '=')
			return sc_err_set(e, SC_EDATA, 0,
			    "expected '=' after label name");
		*l->p++ = '\0';
		blanks(l);
		if (*l->p != '"')
			return sc_err_set(e, SC_EDATA, 0,
			    "expected '\"' before label value");
		l->p++;
		if ((lab[2 * n + 1] = unescape(l, '"', e)) == NULL)
			return -1;
		n++;
		blanks(l);
		if (*l->p == ',')
			l->p++;
		else if (*l->p != '}')
			return sc_err_set(e, SC_EDATA, 0,
			    "expected ',' or '}' after label value");
	}
	l->p++;
	lab[2 * n] = NULL;
	return 0;
}

static int
parse_sample(struct sc_prom *p, struct lex *l, struct sc_err *e)
{
	char *lab[2 * SC_PROM_MAX_LABELS + 1], *name, *val;
	double v;
	int rc = -1;

	lab[0] = NULL;
	if ((name = token(l, e)) == NULL)
		return -1;
	if (*l->p == '{' && parse_labels(l, lab, e) == -1)
		goto out;
	if (*l->p == '\0') {
		sc_err_set(e, SC_EDATA, 0, "%.64s: no value", name);
		goto out;
	}
	if (*l->p != ' ' && *l->p != '\t') {
		sc_err_set(e, SC_EDATA, 0, "invalid metric name \"%.64s%.16s\"",
		    name, l->p);
		goto out;
	}
	blanks(l);
	val = l->p;
	while (*l->p != '\0' && *l->p != ' ' && *l->p != '\t')
		l->p++;
	if (*l->p != '\0')
		*l->p++ = '\0';
	blanks(l);
	if (*l->p != '\0')
		sc_err_set(e, SC_EDATA, 0,
		    "%s: a timestamp or junk after the value (the Pushgateway "
		    "refuses timestamps)",
		    name);
	else if (sc_prom_float(val, &v) == -1)
		sc_err_set(e, SC_EDATA, 0, "%s: not a float: \"%.32s\"", name,
		    val);
	else
		rc = sc_prom_add(p, name, (const char *const *)lab, v, e);
out:
	free(name);
	return rc;
}

int
sc_prom_parse(struct sc_prom *p, const char *text, size_t len, struct sc_err *e)
{
	const char *s = text, *end = text + len, *nl;
	struct lex l;
	long line = 0;
	size_t n;
	int rc;

	for (; s < end; s = nl + 1) {
		line++;
		if ((nl = memchr(s, '\n', (size_t)(end - s))) == NULL)
			nl = end;
		if ((n = (size_t)(nl - s)) > SC_PROM_MAX_LINE)
			return sc_err_set(e, SC_EDATA, line,
			    "line longer than %d bytes", SC_PROM_MAX_LINE);
		if (memchr(s, '\0', n) != NULL)
			return sc_err_set(e, SC_EDATA, line, "a NUL byte");
		if ((l.s = strndup(s, n)) == NULL)
			return sc_err_set(e, SC_EOS, 0, "out of memory");
		l.p = l.s;
		blanks(&l);
		rc = 0;
		if (*l.p == '#')
			rc = parse_comment(p, &l, e);
		else if (*l.p != '\0')
			rc = parse_sample(p, &l, e);
		free(l.s);
		if (rc == -1) {
			if (e != NULL)
				e->line = line;
			return -1;
		}
	}
	return 0;
}
