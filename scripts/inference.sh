#!/bin/sh
# inference: bring each ticker's history up to date (the same incremental
# fetch as prepare), forecast the next trading day with
# models:/SC_MODEL_NAME@champion for every ticker, store the forecasts as
# predictions/SC_TODAY.csv and push them to the Pushgateway (job
# stockcast_inference: one gauge per ticker, so Grafana can draw forecast
# against actual).  SC_FETCH=0 skips the fetch and uses the stored history.
# usage: scripts/inference.sh
set -eu
prog=inference
# shellcheck source=scripts/common.sh
. "$(dirname "$0")/common.sh"
check_config

ver=$(champion "$work/model.json")
if [ "${SC_FETCH:-1}" != 0 ]; then
	for t in $tickers; do
		update_raw "$t"
	done
fi
history "$work/ohlcv.csv"
log "forecasting the next trading day of $tlist with models:/$SC_MODEL_NAME/$ver (champion)"
run sc-predict -m "$work/model.json" --next -i "$SC_INTERVAL" \
	-N "$SC_MODEL_NAME/$ver" -o "$work/forecast.csv" "$work/ohlcv.csv"

# A forecast per ticker, or the run fails.
got=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "ticker") k = i; next }
	{ print $k }' "$work/forecast.csv" | LC_ALL=C sort -u | tr '\n' ' ')
[ "${got% }" = "$tlist" ] ||
	die 70 "forecasts for \"${got% }\", want one for each of \"$tlist\""
put "predictions/$SC_TODAY.csv" "$work/forecast.csv"
log "predictions/$SC_TODAY.csv: $(($(wc -l < "$work/forecast.csv") - 1)) forecasts"
push stockcast_inference "$work/forecast.csv"
