#!/bin/sh
# inference: bring each ticker's history up to date (the same incremental
# fetch as prepare), forecast the next trading day with
# models:/SC_MODEL_NAME@champion for every ticker, store the forecasts as
# predictions/SC_TODAY.csv and push them to the Pushgateway (job
# stockcast_inference: one gauge per ticker, so Grafana can draw forecast
# against actual).  SC_FETCH=0 skips the fetch and uses the stored history.
# SC_MODEL_ALIAS=challenger (or SC_MODEL_URI) serves another model side by
# side: its forecasts go under SC_PREFIX (default challenger/), its push
# to job stockcast_inference_challenger (common.sh, model_config).
# usage: scripts/inference.sh
set -eu
prog=inference
# shellcheck source=scripts/common.sh
. "$(dirname "$0")/common.sh"
check_config
model_config

ver=$(serving "$work/model.json")
if [ "${SC_FETCH:-1}" != 0 ]; then
	for t in $tickers; do
		update_raw "$t"
	done
fi
history "$work/ohlcv.csv"
log "forecasting the next trading day of $tlist with models:/${model_uri#models:/} (version $ver)"
run sc-predict -m "$work/model.json" --next -i "$SC_INTERVAL" \
	-N "$SC_MODEL_NAME/$ver" -o "$work/forecast.csv" "$work/ohlcv.csv"

# A forecast per ticker, or the run fails.
got=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next } { print $c["ticker"] }' \
	"$work/forecast.csv" | LC_ALL=C sort -u | tr '\n' ' ')
[ "${got% }" = "$tlist" ] ||
	die 70 "forecasts for \"${got% }\", want one for each of \"$tlist\""
put "${out_prefix}predictions/$SC_TODAY.csv" "$work/forecast.csv"
log "${out_prefix}predictions/$SC_TODAY.csv: $(($(wc -l < "$work/forecast.csv") - 1)) forecasts"
push "stockcast_inference$job_suffix" "$work/forecast.csv"
