/* SPDX-License-Identifier: ISC */
/*
 * HTML and SVG for the report.  Everything from the store goes through
 * sc_rp_esc(), which escapes the five characters that matter in text and in
 * quoted attributes, so a ticker named "<script>" is text.  Charts are
 * drawn here as inline SVG, computed from the values given: no script,
 * no external file, so the page reads the same with scripts disabled, on
 * paper and offline.  Numbers keep their full stored value in data-v (the
 * sort script reads it) and show 6 significant digits.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "sc_date.h"
#include "sc_num.h"
#include "sc_report_int.h"

#define W 640.0
#define H 240.0
#define ML 80.0
#define MR 12.0
#define MT 10.0
#define MB 30.0

void
sc_rp_esc(FILE *fp, const char *s)
{
	if (s == NULL)
		return;
	for (; *s != '\0'; s++)
		switch (*s) {
		case '&':
			fputs("&amp;", fp);
			break;
		case '<':
			fputs("&lt;", fp);
			break;
		case '>':
			fputs("&gt;", fp);
			break;
		case '"':
			fputs("&quot;", fp);
			break;
		case '\'':
			fputs("&#39;", fp);
			break;
		default:
			if ((unsigned char)*s < 0x20 && *s != '\n' &&
			    *s != '\t')
				fputs("&#xFFFD;", fp);
			else
				putc(*s, fp);
		}
}

void
sc_rp_num(FILE *fp, double v)
{
	if (!isfinite(v))
		fputs("&ndash;", fp);
	else if (v == floor(v) && fabs(v) < 1e15)
		fprintf(fp, "%.0f", v);
	else
		fprintf(fp, "%.6g", v);
}

void
sc_rp_td_num(FILE *fp, double v)
{
	char buf[SC_NUM_BUFSZ];

	if (!isfinite(v)) {
		fputs("<td class=\"n\">&ndash;</td>", fp);
		return;
	}
	fprintf(fp, "<td class=\"n\" data-v=\"%s\">", sc_num_fmt(v, buf));
	sc_rp_num(fp, v);
	fputs("</td>", fp);
}

void
sc_rp_td(FILE *fp, const char *s)
{
	fputs("<td>", fp);
	if (s == NULL || *s == '\0')
		fputs("&ndash;", fp);
	else
		sc_rp_esc(fp, s);
	fputs("</td>", fp);
}

void
sc_rp_td_json(FILE *fp, const json_t *v)
{
	if (json_is_number(v))
		sc_rp_td_num(fp, json_number_value(v));
	else if (json_is_string(v))
		sc_rp_td(fp, json_string_value(v));
	else if (json_is_boolean(v))
		sc_rp_td(fp, json_is_true(v) ? "yes" : "no");
	else
		sc_rp_td(fp, NULL);
}

void
sc_rp_table(FILE *fp, const char *id, const char *const *head)
{
	fputs("<div class=\"scroll\"><table class=\"sortable\"", fp);
	if (id != NULL) {
		fputs(" id=\"", fp);
		sc_rp_esc(fp, id);
		putc('"', fp);
	}
	fputs(">\n<thead><tr>", fp);
	for (; *head != NULL; head++) {
		fputs("<th scope=\"col\">", fp);
		sc_rp_esc(fp, *head);
		fputs("</th>", fp);
	}
	fputs("</tr></thead>\n<tbody>\n", fp);
}

void
sc_rp_table_end(FILE *fp)
{
	fputs("</tbody></table></div>\n", fp);
}

/* A round step near span / 5: 1, 2 or 5 times a power of ten. */
static double
nice_step(double span)
{
	double raw = span / 5, p = pow(10, floor(log10(raw))), f = raw / p;

	return (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * p;
}

struct frame {
	double x0, x1, y0, y1;
};

static void
grow(struct frame *f, double x, double y)
{
	if (isfinite(x)) {
		f->x0 = fmin(f->x0, x);
		f->x1 = fmax(f->x1, x);
	}
	if (isfinite(y)) {
		f->y0 = fmin(f->y0, y);
		f->y1 = fmax(f->y1, y);
	}
}

/* The data's extent, padded so that no range is empty. */
static void
extent(const struct sc_rp_chart *c, struct frame *f)
{
	size_t i, k;

	f->x0 = f->y0 = INFINITY;
	f->x1 = f->y1 = -INFINITY;
	for (k = 0; k < c->ns; k++)
		for (i = 0; i < c->s[k].n; i++) {
			const struct sc_rp_series *s = &c->s[k];

			grow(f, s->x[i], s->y ? s->y[i] : NAN);
			if (s->lo != NULL)
				grow(f, NAN, s->lo[i]);
			if (s->hi != NULL)
				grow(f, NAN, s->hi[i]);
		}
	if (isfinite(c->hline))
		grow(f, NAN, c->hline);
	if (!(f->x0 <= f->x1))
		f->x0 = 0, f->x1 = 1;
	if (!(f->y0 <= f->y1))
		f->y0 = 0, f->y1 = 1;
	if (f->x1 == f->x0)
		f->x0 -= 1, f->x1 += 1;
	else {
		double d = (f->x1 - f->x0) * 0.02;

		f->x0 -= d, f->x1 += d;
	}
	if (f->y1 == f->y0) {
		double d = fabs(f->y0) > 0 ? fabs(f->y0) * 0.05 : 1;

		f->y0 -= d, f->y1 += d;
	} else {
		double d = (f->y1 - f->y0) * 0.05;

		f->y0 -= d, f->y1 += d;
	}
}

static double
px(const struct frame *f, double x)
{
	return ML + (x - f->x0) / (f->x1 - f->x0) * (W - ML - MR);
}

static double
py(const struct frame *f, double y)
{
	return MT + (f->y1 - y) / (f->y1 - f->y0) * (H - MT - MB);
}

static void
axes(FILE *fp, const struct sc_rp_chart *c, const struct frame *f)
{
	double st = nice_step(f->y1 - f->y0), v, xs;
	char d[16];
	int i;

	fprintf(fp,
	    "<rect class=\"frame\" x=\"%.1f\" y=\"%.1f\" "
	    "width=\"%.1f\" height=\"%.1f\"/>\n",
	    ML, MT, W - ML - MR, H - MT - MB);
	for (v = ceil(f->y0 / st) * st; v <= f->y1; v += st)
		fprintf(fp,
		    "<line class=\"grid\" x1=\"%.1f\" x2=\"%.1f\" "
		    "y1=\"%.1f\" y2=\"%.1f\"/><text class=\"ty\" x=\"%.1f\" "
		    "y=\"%.1f\">%.4g</text>\n",
		    ML, W - MR, py(f, v), py(f, v), ML - 4, py(f, v) + 4,
		    fabs(v) < st / 1e6 ? 0 : v);
	/* Dates: ticks on whole days, at least a day apart (no label twice). */
	xs = c->xdates ? fmax(1, ceil((f->x1 - f->x0) / 4))
	               : nice_step(f->x1 - f->x0);
	for (i = 0, v = c->xdates ? ceil(f->x0) : ceil(f->x0 / xs) * xs;
	     v <= f->x1 + xs / 1e6 && i < 12; v += xs, i++) {
		/* The outer labels lean inwards, so none is cut off. */
		fprintf(fp, "<text class=\"tx%s\" x=\"%.1f\" y=\"%.1f\">",
		    px(f, v) < ML + 40           ? " t0"
		        : px(f, v) > W - MR - 40 ? " t1"
		                                 : "",
		    px(f, v), H - MB + 16);
		if (c->xdates)
			fputs(sc_date_fmt((long)floor(v + 0.5), d), fp);
		else
			fprintf(fp, "%.4g", fabs(v) < xs / 1e6 ? 0 : v);
		fputs("</text>\n", fp);
	}
	if (isfinite(c->hline))
		fprintf(fp,
		    "<line class=\"ref\" x1=\"%.1f\" x2=\"%.1f\" "
		    "y1=\"%.1f\" y2=\"%.1f\"/>\n",
		    ML, W - MR, py(f, c->hline), py(f, c->hline));
	if (c->ylabel != NULL) {
		fprintf(fp,
		    "<text class=\"yl\" x=\"11\" y=\"%.1f\" "
		    "transform=\"rotate(-90 11 %.1f)\">",
		    (H - MB) / 2, (H - MB) / 2);
		sc_rp_esc(fp, c->ylabel);
		fputs("</text>\n", fp);
	}
}

/* The band between lo and hi, one polygon per run of finite values. */
static void
band(FILE *fp, const struct sc_rp_series *s, const struct frame *f)
{
	size_t i = 0, a, j;

	while (i < s->n) {
		while (i < s->n &&
		    !(isfinite(s->x[i]) && isfinite(s->lo[i]) &&
		        isfinite(s->hi[i])))
			i++;
		for (a = i; i < s->n && isfinite(s->x[i]) &&
		     isfinite(s->lo[i]) && isfinite(s->hi[i]);
		     i++)
			;
		if (i == a)
			continue;
		fprintf(fp, "<polygon class=\"band b%d\" points=\"", s->style);
		for (j = a; j < i; j++)
			fprintf(fp, "%.1f,%.1f ", px(f, s->x[j]),
			    py(f, s->hi[j]));
		for (j = i; j > a; j--)
			fprintf(fp, "%.1f,%.1f ", px(f, s->x[j - 1]),
			    py(f, s->lo[j - 1]));
		fputs("\"/>\n", fp);
	}
}

/* A line through the finite points, broken at missing ones. */
static void
line(FILE *fp, const struct sc_rp_series *s, const struct frame *f)
{
	size_t i;
	int open = 0;
	double prev = NAN;

	for (i = 0; i < s->n; i++) {
		if (!isfinite(s->x[i]) || !isfinite(s->y[i])) {
			if (open)
				fputs("\"/>\n", fp);
			open = 0;
			continue;
		}
		if (!open)
			fprintf(fp, "<polyline class=\"line l%d\" points=\"",
			    s->style);
		if (open && s->kind == SC_RP_STEP)
			fprintf(fp, "%.1f,%.1f ", px(f, s->x[i]), py(f, prev));
		fprintf(fp, "%.1f,%.1f ", px(f, s->x[i]), py(f, s->y[i]));
		prev = s->y[i];
		open = 1;
	}
	if (open)
		fputs("\"/>\n", fp);
}

static size_t
points(FILE *fp, const struct sc_rp_series *s, const struct frame *f)
{
	size_t i, n = 0;

	for (i = 0; i < s->n; i++) {
		if (!isfinite(s->x[i]) || !isfinite(s->y[i]))
			continue;
		fprintf(fp,
		    "<circle class=\"p%d\" cx=\"%.1f\" cy=\"%.1f\" "
		    "r=\"%s\"/>\n",
		    s->style, px(f, s->x[i]), py(f, s->y[i]),
		    s->style == 6 ? "2" : "2.6");
		n++;
	}
	return n;
}

static size_t
count(const struct sc_rp_series *s)
{
	size_t i, n = 0;

	for (i = 0; i < s->n; i++)
		n += isfinite(s->x[i]) &&
		    ((s->y && isfinite(s->y[i])) ||
		        (s->lo && isfinite(s->lo[i])));
	return n;
}

size_t
sc_rp_chart(FILE *fp, const struct sc_rp_chart *c)
{
	struct frame f;
	size_t k, n = 0;

	for (k = 0; k < c->ns; k++)
		n += count(&c->s[k]);
	extent(c, &f);
	fputs("<figure class=\"chart\"", fp);
	if (c->id != NULL) {
		fputs(" id=\"", fp);
		sc_rp_esc(fp, c->id);
		putc('"', fp);
	}
	fprintf(fp,
	    ">\n<svg class=\"chart\" viewBox=\"0 0 %.0f %.0f\" "
	    "role=\"img\" data-points=\"%zu\" aria-label=\"",
	    W, H, n);
	sc_rp_esc(fp, c->label);
	fputs("\">\n", fp);
	axes(fp, c, &f);
	for (k = 0; k < c->ns; k++)
		if (c->s[k].lo != NULL && c->s[k].hi != NULL)
			band(fp, &c->s[k], &f);
	for (k = 0; k < c->ns; k++) {
		if (c->s[k].y == NULL)
			continue;
		if (c->s[k].kind != SC_RP_POINTS)
			line(fp, &c->s[k], &f);
		if (c->s[k].kind == SC_RP_POINTS ||
		    c->s[k].kind == SC_RP_LINEPOINTS)
			points(fp, &c->s[k], &f);
	}
	fputs("</svg>\n<figcaption>", fp);
	sc_rp_esc(fp, c->label);
	for (k = 0; k < c->ns; k++) {
		fprintf(fp, " <span class=\"key k%d\">", c->s[k].style);
		sc_rp_esc(fp, c->s[k].name);
		fputs("</span>", fp);
	}
	if (c->xlabel != NULL) {
		fputs(" <span class=\"xl\">(x: ", fp);
		sc_rp_esc(fp, c->xlabel);
		fputs(")</span>", fp);
	}
	fputs("</figcaption>\n</figure>\n", fp);
	return n;
}

static const char style[] =
    ":root{--fg:#1b1f24;--mut:#57606a;--line:#d0d7de;--bg:#fff}\n"
    "body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,"
    "sans-serif;color:var(--fg);background:var(--bg);margin:0 auto;"
    "max-width:72rem;padding:0 1rem 3rem}\n"
    "h1{font-size:1.5rem;margin:1rem 0 .25rem}h2{font-size:1.25rem;"
    "border-bottom:1px solid var(--line);padding-bottom:.2rem;"
    "margin-top:2rem}h3{font-size:1.05rem;margin:1.2rem 0 .4rem}\n"
    "nav ul{list-style:none;padding:0;display:flex;flex-wrap:wrap;"
    "gap:.4rem 1rem}\n"
    "p.note,.mut{color:var(--mut)}\n"
    ".scroll{overflow-x:auto;max-width:100%}\n"
    "table{border-collapse:collapse;font-size:.9rem;margin:.4rem 0}\n"
    "th,td{border-bottom:1px solid var(--line);padding:.25rem .5rem;"
    "text-align:left;white-space:nowrap}\n"
    "td.n{text-align:right;font-variant-numeric:tabular-nums}\n"
    "td.params{white-space:normal;min-width:16rem}\n"
    "th{background:#f6f8fa;position:sticky;top:0}\n"
    "tr.yes td{background:#fff1f0}\n"
    ".grid2{display:grid;grid-template-columns:repeat(auto-fill,"
    "minmax(min(26rem,100%),1fr));gap:.5rem 1rem}\n"
    "figure{margin:.5rem 0;break-inside:avoid}\n"
    "svg.chart{width:100%;height:auto;max-width:40rem;display:block}\n"
    "figcaption{font-size:.85rem;color:var(--mut)}\n"
    "svg text{font-size:15px;fill:var(--mut)}svg .ty{text-anchor:end}"
    "svg .tx{text-anchor:middle}svg .t0{text-anchor:start}svg .t1{"
    "text-anchor:end}svg .yl{text-anchor:middle}\n"
    "svg .frame{fill:none;stroke:var(--line)}svg .grid{stroke:#eaeef2}"
    "svg .ref{stroke:#8c959f;stroke-dasharray:4 3}\n"
    "svg .line{fill:none;stroke-width:1.6}\n"
    ".l0,.p0{stroke:#0969da;fill:#0969da}.l1,.p1{stroke:#cf222e;"
    "fill:#cf222e}.l2,.p2{stroke:#1a7f37;fill:#1a7f37}.l3,.p3{stroke:"
    "#8250df;fill:#8250df}.l4,.p4{stroke:#bc4c00;fill:#bc4c00}.l5,.p5{"
    "stroke:#1b1f24;fill:#1b1f24}.l6,.p6{stroke:#8c959f;fill:#fff}\n"
    "svg .line{fill:none}.band{fill:#0969da;opacity:.15;stroke:none}\n"
    ".key::before{content:'';display:inline-block;width:.8em;height:.8em;"
    "margin:0 .25em 0 .4em;vertical-align:-.05em;border-radius:2px}\n"
    ".k0::before{background:#0969da}.k1::before{background:#cf222e}"
    ".k2::before{background:#1a7f37}.k3::before{background:#8250df}"
    ".k4::before{background:#bc4c00}.k5::before{background:#1b1f24}"
    ".k6::before{background:#8c959f}\n"
    "th.sorted-up::after{content:' \\25B2'}th.sorted-down::after{content:"
    "' \\25BC'}\n"
    "@media print{nav{display:none}body{max-width:none;font-size:11px}"
    "th{position:static}.scroll{overflow:visible}section{break-inside:"
    "auto}h2{break-after:avoid}table{font-size:9px}th,td{white-space:"
    "normal;overflow-wrap:anywhere;padding:.1rem .25rem}"
    "td.params{min-width:0}tr{break-inside:avoid}.grid2{"
    "grid-template-columns:1fr 1fr}}\n";

/* Click a header to sort its table; numbers by data-v. */
static const char script[] =
    "document.querySelectorAll('table.sortable th').forEach(function(th){"
    "th.style.cursor='pointer';th.addEventListener('click',function(){"
    "var t=th.closest('table'),b=t.tBodies[0],i=th.cellIndex,"
    "up=!th.classList.contains('sorted-up');"
    "t.querySelectorAll('th').forEach(function(h){h.classList.remove("
    "'sorted-up','sorted-down')});"
    "th.classList.add(up?'sorted-up':'sorted-down');"
    "var rows=Array.prototype.slice.call(b.rows);"
    "rows.sort(function(r,s){var a=r.cells[i],c=s.cells[i];"
    "var x=a&&a.dataset.v,y=c&&c.dataset.v,k;"
    "if(x!==undefined&&y!==undefined)k=parseFloat(x)-parseFloat(y);"
    "else k=(a?a.textContent:'').localeCompare(c?c.textContent:'');"
    "return up?k:-k});rows.forEach(function(r){b.appendChild(r)})})});\n";

void
sc_rp_page_start(FILE *fp, const char *title)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	      "<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, "
	      "initial-scale=1\">\n<title>",
	    fp);
	sc_rp_esc(fp, title);
	fprintf(fp, "</title>\n<style>\n%s</style>\n</head>\n<body>\n", style);
}

void
sc_rp_page_end(FILE *fp)
{
	fprintf(fp, "<script>\n%s</script>\n</body>\n</html>\n", script);
}
