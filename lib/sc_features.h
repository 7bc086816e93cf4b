/* SPDX-License-Identifier: ISC */
/*
 * Features and targets computed from one ticker's OHLCV history.  A
 * feature is named by its definition ("ema_5", "rsi_14", "dow"), so a
 * feature table's header, or a model's list of feature names, is enough to
 * recompute exactly the same values from raw prices: training (sc-split)
 * and serving (sc-predict --next) share this one code path and cannot
 * drift apart.  docs/features.md defines every feature.
 */
#ifndef SC_FEATURES_H
#define SC_FEATURES_H

#include <stddef.h>

#include "sc_err.h"
#include "sc_ohlcv.h"

/* The default list: the old system's EMAs plus scale-free features. */
#define SC_FEATURES_DEFAULT                                                    \
	"ema_5,ema_10,ema_20,ema_5_ratio,ema_20_ratio,sma_10_ratio,logret_1,"  \
	"logret_1_lag_1,logret_1_lag_2,logret_5,logret_10,vol_5,vol_20,"       \
	"rsi_14,volume_chg_1,dow,ticker_id"

#define SC_FEATURES_MAX 256    /* features in one list */
#define SC_FEATURES_MAX_N 1000 /* largest window N */

struct sc_features;

/*
 * Parse a comma-separated list of feature names (blanks around names are
 * ignored): ema_N, ema_N_ratio, sma_N, sma_N_ratio, ret_N, logret_N, vol_N,
 * rsi_N, volume_chg_N, dow, ticker_id, each optionally with "_lag_K".  The caller owns the result; free it with sc_features_free().
 * Errors: SC_EUSAGE naming the bad name (unknown, malformed, N out of
 * range, listed twice, empty), SC_EOS.
 */
struct sc_features *sc_features_parse(const char *list, struct sc_err *);

/*
 * The same from an array of n names, for names read from a file (a model
 * or a table header): errors are SC_EDATA instead of SC_EUSAGE.
 */
struct sc_features *sc_features_from_names(const char *const *names, size_t n,
    struct sc_err *);

/* Free f; NULL is a no-op. */
void sc_features_free(struct sc_features *);

/* The number of features, and the canonical name of feature i (borrowed). */
size_t sc_features_count(const struct sc_features *);
const char *sc_features_name(const struct sc_features *, size_t i);

/*
 * Warm-up: the number of leading days of a series on which some feature is
 * still undefined (NaN); row warmup is the first that can be complete.
 */
size_t sc_features_warmup(const struct sc_features *);

/* Non-zero when some feature reads OHLCV column c (close, volume, ...). */
int sc_features_needs(const struct sc_features *, enum sc_ohlcv_col c);

/*
 * Compute every feature on every day of s into out, row-major: out[t * k +
 * j] is feature j on day t, with k = sc_features_count(f) and out holding
 * s->n * k doubles (caller-owned).  Undefined values (warm-up, a missing or
 * zero volume) are NaN.  Returns 0 (no current feature can fail; -1 with
 * *e set is kept for kinds that will need memory).
 */
int sc_features_compute(const struct sc_features *,
    const struct sc_ohlcv_series *s, double *out, struct sc_err *);

/*
 * Compute the features of the last day of s only, into out[0..k-1].  It
 * runs the same code as sc_features_compute(), so the values are equal bit
 * for bit to that function's last row.  Returns 0, or -1 with SC_EDATA for
 * an empty series or SC_EOS.
 */
int sc_features_last(const struct sc_features *,
    const struct sc_ohlcv_series *s, double *out, struct sc_err *);

/* What a feature table's target column holds, about the next trading day. */
enum sc_target {
	SC_TARGET_LOGRET = 0, /* target_logret_1: log(close[t+1]/close[t]) */
	SC_TARGET_CLOSE       /* target_close_1: close[t+1] */
};

/*
 * Parse "logret" or "close", or a column name "target_logret_1" or
 * "target_close_1".  Returns 0, or -1 with SC_EUSAGE.
 */
int sc_features_target_parse(const char *, enum sc_target *, struct sc_err *);

/* The target's column name ("target_logret_1"; static storage). */
const char *sc_features_target_name(enum sc_target);

/* The target value of a day with close c whose next close is next. */
double sc_features_target_value(enum sc_target, double c, double next);

/* Turn a predicted target of a day with close c back into a close. */
double sc_features_target_close(enum sc_target, double c, double predicted);

#endif
