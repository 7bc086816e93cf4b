/* SPDX-License-Identifier: ISC */
/*
 * Prometheus metrics in memory and in the text exposition format 0.0.4.
 * A struct sc_prom is a set of metric families (name, TYPE, HELP) and their
 * samples; it is filled from Prometheus text, from sc-rmse's metrics JSON
 * or from a predictions CSV, and written back as text, whole or one group
 * at a time.  Everything is validated on the way in (names, label names,
 * UTF-8 label values, no timestamps, no duplicate series, one TYPE per
 * name) so that a push is refused before any request rather than by the
 * Pushgateway half-way through.  stockcast's own metric names live in one
 * table (sc_prom_conv.c), so every producer writes the same HELP and TYPE
 * for a name, which the Pushgateway insists on across groups.  The model
 * and writer are sc_prom.c, the text parser sc_prom_parse.c.
 */
#ifndef SC_PROM_H
#define SC_PROM_H

#include <stddef.h>

#include "sc_buf.h"
#include "sc_err.h"

enum sc_prom_type {
	SC_PROM_UNTYPED,
	SC_PROM_COUNTER,
	SC_PROM_GAUGE,
	SC_PROM_SUMMARY,
	SC_PROM_HISTOGRAM
};

/* What sc_prom_detect() found. */
enum sc_prom_input { SC_PROM_IN_TEXT, SC_PROM_IN_JSON, SC_PROM_IN_CSV };

/* Bounds on untrusted text input. */
#define SC_PROM_MAX_LINE 65536 /* bytes in one line of text */
#define SC_PROM_MAX_VALUE 4096 /* bytes in one label value or HELP */
#define SC_PROM_MAX_LABELS 64  /* labels on one sample */

struct sc_prom;

/* A new, empty set; NULL with SC_EOS.  Free with sc_prom_free(). */
struct sc_prom *sc_prom_create(struct sc_err *);
void sc_prom_free(struct sc_prom *);

/* Non-zero when s is a valid metric name: [a-zA-Z_:][a-zA-Z0-9_:]*. */
int sc_prom_name_ok(const char *s);

/*
 * Non-zero when s is a label name a user may set: [a-zA-Z_][a-zA-Z0-9_]*
 * and not starting with "__" (reserved for Prometheus).
 */
int sc_prom_label_ok(const char *s);

/*
 * Declare family name with its type and help (help may be NULL).  A name
 * already declared keeps its place; a different type, or a different help
 * when both have one, is SC_EDATA.  Names of stockcast's table get the
 * table's help when none is given.  Returns 0 or -1 (SC_EDATA, SC_EOS).
 */
int sc_prom_family(struct sc_prom *, const char *name, enum sc_prom_type,
    const char *help, struct sc_err *);

/*
 * Declare one of stockcast's own metrics (docs/metrics.md) with the type
 * and help of the table; SC_EINTERNAL for a name not in it.
 */
int sc_prom_std(struct sc_prom *, const char *name, struct sc_err *);

/*
 * The help of one of stockcast's own metrics, or NULL for another name; a
 * family made without help (sc_prom_family, a sample of an undeclared
 * name, a TYPE line) gets it.
 */
const char *sc_prom_std_help(const char *name);

/*
 * Add a sample.  labels is NULL or a NULL-terminated list of name, value
 * pairs ({ "ticker", "AAPL", NULL }); the strings are copied.  The family is
 * name itself or, for name_bucket/_sum/_count, a histogram or summary
 * declared as the base name; an undeclared name makes an untyped family.
 * Returns 0, or -1 with SC_EDATA (bad name or label, invalid UTF-8, a
 * value too long, the same series twice) or SC_EOS.
 */
int sc_prom_add(struct sc_prom *, const char *name, const char *const *labels,
    double value, struct sc_err *);

/* Number of samples, and the value of label name on sample i (or NULL). */
size_t sc_prom_count(const struct sc_prom *);
const char *sc_prom_label(const struct sc_prom *, size_t i, const char *name);

/*
 * Append the text exposition of the samples for which keep(p, i, arg)
 * returns non-zero (all when keep is NULL), family by family with HELP and
 * TYPE lines, leaving out the labels named in drop (NULL-terminated, or
 * NULL).  Families without a kept sample are left out.  The text ends with
 * a newline.  Returns 0 or -1 with SC_EOS.
 */
int sc_prom_write(const struct sc_prom *, struct sc_buf *,
    int (*keep)(const struct sc_prom *, size_t, void *), void *arg,
    const char *const *drop, struct sc_err *);

/*
 * As sc_prom_write(), for the n samples whose indexes are in idx (each
 * below sc_prom_count(); SC_EINTERNAL otherwise), in O(n log n).
 */
int sc_prom_write_set(const struct sc_prom *, struct sc_buf *,
    const size_t *idx, size_t n, const char *const *drop, struct sc_err *);

/*
 * Guess the format of an input: JSON when the first non-blank byte is '{',
 * CSV when the first line holds a comma and neither a blank nor a '{'
 * ("asof,ticker,..."), else Prometheus text.
 */
enum sc_prom_input sc_prom_detect(const char *text, size_t len);

/*
 * Parse Prometheus text (len bytes, need not end in a newline) into p.
 * Refused with SC_EDATA and the line: a line over SC_PROM_MAX_LINE, a bad
 * name, label or escape, a value that is not a float, a timestamp (the
 * Pushgateway refuses them), the same series twice, a second TYPE or HELP
 * for a name, TYPE after the name's samples, an unknown TYPE.
 */
int sc_prom_parse(struct sc_prom *, const char *text, size_t len,
    struct sc_err *);

/*
 * Convert sc-rmse's metrics JSON (DESIGN.md) into gauges: the overall
 * figures without a ticker label, each ticker's with ticker="SYM", the
 * model as stockcast_model_info, and the old system's
 * stock_forecast_test_rmse with job="stock_forecast_evaluator".  A null
 * figure is left out.  sc-drift's drift JSON (it has "drift_share")
 * becomes stockcast_drift_share and, per feature and method,
 * stockcast_feature_drift{feature,method} and its _threshold.  SC_EDATA
 * (with the line for bad JSON) when the text is not such an object or a
 * figure is neither a number nor null.
 */
int sc_prom_from_json(struct sc_prom *, const char *text, size_t len,
    struct sc_err *);

/*
 * Convert a predictions CSV (asof,ticker,close,predicted_close,
 * actual_close,lower,upper,model; asof, ticker and predicted_close
 * required) into per-ticker gauges of the row with the latest asof:
 * stockcast_forecast_close, _lower, _upper, stockcast_last_close,
 * stockcast_actual_close, stockcast_forecast_asof_timestamp_seconds, and
 * stockcast_model_info.  SC_EDATA with the line for a bad cell or a ticker
 * twice on one asof.
 */
int sc_prom_from_csv(struct sc_prom *, const char *text, size_t len,
    struct sc_err *);

/* Dispatch on fmt to one of the three readers above. */
int sc_prom_load(struct sc_prom *, const char *text, size_t len,
    enum sc_prom_input fmt, struct sc_err *);

#endif
