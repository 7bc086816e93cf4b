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

#define RP_MAX_OBJECT (64L << 20) /* bytes of one CSV or JSON object */
#define RP_MAX_MODEL (512L << 20) /* bytes of the champion's model */
#define RP_MAX_KEYS 100000        /* keys listed under one prefix */

/* ---- sc_report_load.c ---- */

/* Keys under prefix, sorted; free with rp_keys_free(). */
struct rp_keys {
	char **k;
	size_t n;
};
int rp_list(struct sc_store *, const char *prefix, struct rp_keys *,
    struct sc_err *);
void rp_keys_free(struct rp_keys *);

/*
 * The object under key into a NUL-terminated buffer (*buf, *len), at most
 * max bytes.  Returns 0, 1 when there is no such object, or -1.
 */
int rp_get(struct sc_store *, const char *key, long max, char **buf,
    size_t *len, struct sc_err *);

/*
 * The JSON object under key: 0 with *out set, 1 when absent (*out NULL),
 * -1 with SC_EDATA "KEY:LINE: JSON: ..." for a malformed one.
 */
int rp_json(struct sc_store *, const char *key, long max, json_t **out,
    struct sc_err *);

/* A predictions CSV (sc-predict, sc-backtest), by column name. */
struct rp_pred {
	char *asof, *date, *ticker, *model, *source; /* date, source: "" */
	double close, pred, actual, lo, hi;          /* NaN when empty */
};
struct rp_preds {
	struct rp_pred *r;
	size_t n;
	int has_date, has_source;
};
int rp_preds_read(struct sc_store *, const char *key, struct rp_preds *,
    struct sc_err *);
void rp_preds_free(struct rp_preds *);

/* The newest key under prefix named DATE.ext with DATE <= upto ("" any). */
const char *rp_latest(const struct rp_keys *, const char *prefix,
    const char *ext, const char *upto);

/* The DATE of "prefix/DATE.ext" into buf (11 bytes), or "" */
void rp_key_date(const char *key, char *buf);

/* ---- the sections (sc_report.c, sc_report_runs.c) ---- */

struct rp_ctx {
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

int rp_load_runs(struct rp_ctx *);
int rp_sec_runs(struct rp_ctx *);
int rp_sec_search(struct rp_ctx *);
int rp_sec_registry(struct rp_ctx *);
int rp_sec_importances(struct rp_ctx *);

/* <h2 id=ID>TITLE</h2> opening a section, and a note paragraph. */
void rp_section(FILE *, const char *id, const char *title);
void rp_note(FILE *, const char *text);
/* "From KEY." with the key escaped. */
void rp_from(FILE *, const char *key);

/* ---- sc_report_html.c ---- */

/* Text with & < > " ' escaped; NULL writes nothing. */
void rp_esc(FILE *, const char *);

/* A number for people (6 significant digits; "–" when not finite). */
void rp_num(FILE *, double);

/* A table cell holding a number, its full value in data-v for sorting. */
void rp_td_num(FILE *, double);
/* A table cell holding escaped text. */
void rp_td(FILE *, const char *);
/* The value of a JSON member as a cell (number, string, bool, or –). */
void rp_td_json(FILE *, const json_t *);

/* Open a sortable table with the given header cells (NULL-terminated). */
void rp_table(FILE *, const char *id, const char *const *head);
void rp_table_end(FILE *);

enum rp_kind { RP_LINE, RP_POINTS, RP_LINEPOINTS, RP_STEP };

struct rp_series {
	const char *name;      /* legend text */
	const double *x, *y;   /* n values; y NULL: band only */
	const double *lo, *hi; /* band, or NULL */
	size_t n;
	enum rp_kind kind;
	int style; /* colour 0..5; 6: grey, for pruned trials */
};

struct rp_chart {
	const char *id;    /* element id, or NULL */
	const char *label; /* aria-label and caption */
	const char *xlabel, *ylabel;
	int xdates;   /* x values are days since 1970-01-01 */
	double hline; /* a reference line (NaN: none) */
	const struct rp_series *s;
	size_t ns;
};

/* An inline SVG chart in a <figure>; returns the points drawn. */
size_t rp_chart(FILE *, const struct rp_chart *);

/* The page's head (title escaped) and its end, with the sort script. */
void rp_page_start(FILE *, const char *title);
void rp_page_end(FILE *);

#endif
