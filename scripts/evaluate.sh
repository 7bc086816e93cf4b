#!/bin/sh
# evaluate: score models:/SC_MODEL_NAME@champion on the test window (the
# last SC_TEST_DAYS trading days of each ticker in the stored history,
# features recomputed with the model's own feature list), against the naive
# forecast; store the scored predictions as evaluations/SC_TODAY.csv and
# sc-rmse's metrics as evaluations/SC_TODAY.json, and push the metrics to
# the Pushgateway (job stockcast_evaluate).  Only forecasts as of days after
# the model's last training day are scored: a window that overlaps its
# training dates is shortened, or refused when nothing is left, with a log
# line.  Separately (scripts/scoring.sh): the forecasts inference stored,
# their actual closes filled in from the history (job
# stockcast_evaluate_served), and a fresh backtest (job
# stockcast_evaluate_backtest).  SC_MODEL_ALIAS=challenger (or
# SC_MODEL_URI) scores another model side by side: its results go under
# SC_PREFIX (default challenger/), its push to job
# stockcast_evaluate_challenger (common.sh, model_config).
# usage: scripts/evaluate.sh
set -eu
prog=evaluate
# shellcheck source=scripts/common.sh
. "$(dirname "$0")/common.sh"
# shellcheck source=scripts/scoring.sh
. "$(dirname "$0")/scoring.sh"
check_config
model_config

ver=$(serving "$work/model.json")
history "$work/ohlcv.csv"
features=$(model_features "$work/model.json")
case $(json_str "$work/model.json" target) in
target_close_1) kind=close ;;
*) kind=logret ;;
esac
served_forecasts
fresh_backtest
run sc-split --test-days "$SC_TEST_DAYS" ${features:+-f "$features"} -T "$kind" \
	-o "$work/train.csv" -t "$work/test.csv" "$work/ohlcv.csv"
log "scoring models:/${model_uri#models:/} (version $ver) on the last $SC_TEST_DAYS trading days of $tlist"
run sc-predict -m "$work/model.json" -i "$SC_INTERVAL" -N "$SC_MODEL_NAME/$ver" \
	-o "$work/pred.csv" "$work/test.csv"
unseen_only "$work/model.json" "$work/pred.csv" || exit 0
run sc-rmse -l "$SC_INTERVAL" -o "$work/metrics.json" "$work/pred.csv"
put "${out_prefix}evaluations/$SC_TODAY.csv" "$work/pred.csv"
put "${out_prefix}evaluations/$SC_TODAY.json" "$work/metrics.json"
log "${out_prefix}evaluations/$SC_TODAY.json: RMSE $(json_num "$work/metrics.json" rmse) (price), naive RMSE $(json_num "$work/metrics.json" naive_rmse) (price), skill $(json_num "$work/metrics.json" skill)"
push "stockcast_evaluate$job_suffix" "$work/metrics.json"
