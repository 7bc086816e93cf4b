/* SPDX-License-Identifier: ISC */
/*
 * Inside the report: reading store objects (sc_report_load.c) and writing
 * HTML and SVG (sc_report_html.c) for the sections (sc_report.c).  Not
 * part of the library's interface.
 */
#ifndef SC_REPORT_INT_H
#define SC_REPORT_INT_H

#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#include "sc_err.h"
#include "sc_store.h"

#define SC_RP_MAX_OBJECT (64L << 20) /* bytes of one CSV or JSON object */
#define SC_RP_MAX_MODEL (512L << 20) /* bytes of the champion's model */
#define SC_RP_MAX_KEYS 100000        /* keys listed under one prefix */

/* ---- sc_report_load.c ---- */

/* Keys under prefix, sorted; free with sc_rp_keys_free(). */
struct sc_rp_keys {
	char **k;
	size_t n;
};
int sc_rp_list(struct sc_store *, const char *prefix, struct sc_rp_keys *,
    struct sc_err *);
void sc_rp_keys_free(struct sc_rp_keys *);

/*
 * The object under key into a NUL-terminated buffer (*buf, *len), at most
 * max bytes.  Returns 0, 1 when there is no such object, or -1.
 */
int sc_rp_get(struct sc_store *, const char *key, long max, char **buf,
    size_t *len, struct sc_err *);

/*
 * The JSON object under key: 0 with *out set, 1 when absent (*out NULL),
 * -1 with SC_EDATA "KEY:LINE: JSON: ..." for a malformed one.
 */
int sc_rp_json(struct sc_store *, const char *key, long max, json_t **out,
    struct sc_err *);

/* A predictions CSV (sc-predict, sc-backtest), by column name. */
struct sc_rp_pred {
	char *asof, *date, *ticker, *model, *source; /* date, source: "" */
	double close, pred, actual, lo, hi;          /* NaN when empty */
};
struct sc_rp_preds {
	struct sc_rp_pred *r;
	size_t n;
	int has_date, has_source;
};
int sc_rp_preds_read(struct sc_store *, const char *key, struct sc_rp_preds *,
    struct sc_err *);
void sc_rp_preds_free(struct sc_rp_preds *);

/* The newest key under prefix named DATE.ext with DATE <= upto ("" any). */
const char *sc_rp_latest(const struct sc_rp_keys *, const char *prefix,
    const char *ext, const char *upto);

/* The DATE of "prefix/DATE.ext" into buf (11 bytes), or "" */
void sc_rp_key_date(const char *key, char *buf);

/* ---- the sections (sc_report.c, sc_report_runs.c) ---- */

struct sc_rp_ctx {
	struct sc_store *st;
	FILE *fp;
	const char *date; /* "" for no limit */
	const char *model;
	int max_runs;
	int charts;     /* ids of charts so far */
	json_t *index;  /* models/NAME/index.json, or NULL */
	json_t **metas; /* runs/ * /meta.json, newest "started" first */
	size_t nmeta;
	struct sc_err *e;
};

int sc_rp_load_runs(struct sc_rp_ctx *);
int sc_rp_sec_runs(struct sc_rp_ctx *);
int sc_rp_sec_search(struct sc_rp_ctx *);
int sc_rp_sec_registry(struct sc_rp_ctx *);
int sc_rp_sec_importances(struct sc_rp_ctx *);

/* <h2 id=ID>TITLE</h2> opening a section, and a note paragraph. */
void sc_rp_section(FILE *, const char *id, const char *title);
void sc_rp_note(FILE *, const char *text);
/* "From KEY." with the key escaped. */
void sc_rp_from(FILE *, const char *key);

/* ---- sc_report_html.c ---- */

/* Text with & < > " ' escaped; NULL writes nothing. */
void sc_rp_esc(FILE *, const char *);

/* A number for people (6 significant digits; "–" when not finite). */
void sc_rp_num(FILE *, double);

/* A table cell holding a number, its full value in data-v for sorting. */
void sc_rp_td_num(FILE *, double);
/* A table cell holding escaped text. */
void sc_rp_td(FILE *, const char *);
/* The value of a JSON member as a cell (number, string, bool, or –). */
void sc_rp_td_json(FILE *, const json_t *);

/* Open a sortable table with the given header cells (NULL-terminated). */
void sc_rp_table(FILE *, const char *id, const char *const *head);
void sc_rp_table_end(FILE *);

enum sc_rp_kind { SC_RP_LINE, SC_RP_POINTS, SC_RP_LINEPOINTS, SC_RP_STEP };

struct sc_rp_series {
	const char *name;      /* legend text */
	const double *x, *y;   /* n values; y NULL: band only */
	const double *lo, *hi; /* band, or NULL */
	size_t n;
	enum sc_rp_kind kind;
	int style; /* colour 0..5; 6: grey, for pruned trials */
};

struct sc_rp_chart {
	const char *id;    /* element id, or NULL */
	const char *label; /* aria-label and caption */
	const char *xlabel, *ylabel;
	int xdates;   /* x values are days since 1970-01-01 */
	double hline; /* a reference line (NaN: none) */
	const struct sc_rp_series *s;
	size_t ns;
};

/* An inline SVG chart in a <figure>; returns the points drawn. */
size_t sc_rp_chart(FILE *, const struct sc_rp_chart *);

/* The page's head (title escaped) and its end, with the sort script. */
void sc_rp_page_start(FILE *, const char *title);
void sc_rp_page_end(FILE *);

#endif
