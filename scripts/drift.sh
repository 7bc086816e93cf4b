#!/bin/sh
# drift: compare the features of the last SC_DRIFT_DAYS trading days
# (default 20) with the rows models:/SC_MODEL_NAME@champion was trained on
# (the same features recomputed from the stored history, on the model's
# training dates), store sc-drift's JSON as drift/SC_TODAY.json and push
# it to the Pushgateway (job stockcast_drift: stockcast_drift_share and
# stockcast_feature_drift{feature,method}).  docs/drift.md explains the
# statistics and their thresholds.
# usage: scripts/drift.sh
set -eu
prog=drift
# shellcheck source=scripts/common.sh
. "$(dirname "$0")/common.sh"
check_config
SC_DRIFT_DAYS=${SC_DRIFT_DAYS:-20}
case $SC_DRIFT_DAYS in
'' | *[!0-9]* | 0) die 64 "SC_DRIFT_DAYS=$SC_DRIFT_DAYS: want a whole number above 0" ;;
esac

ver=$(champion "$work/model.json")
history "$work/ohlcv.csv"
features=$(model_features "$work/model.json")
case $(json_str "$work/model.json" target) in
target_close_1) kind=close ;;
*) kind=logret ;;
esac
run sc-split --test-days "$SC_DRIFT_DAYS" ${features:+-f "$features"} -T "$kind" \
	-o "$work/older.csv" -t "$work/current.csv" "$work/ohlcv.csv"
# The reference: the older rows on the model's training dates (all of
# them when the model does not record its dates).
from=$(json_str "$work/model.json" date_from)
to=$(json_str "$work/model.json" date_to)
awk -F, -v from="$from" -v to="$to" \
	'NR == 1 || ((from == "" || $1 >= from) && (to == "" || $1 <= to))' \
	"$work/older.csv" > "$work/reference.csv"
log "models:/$SC_MODEL_NAME/$ver: $(($(wc -l < "$work/reference.csv") - 1)) training rows (${from:-start} to ${to:-end}) against the last $SC_DRIFT_DAYS trading days ($(($(wc -l < "$work/current.csv") - 1)) rows)"
run sc-drift -m "$SC_MODEL_NAME/$ver" ${from:+--trained-from "$from"} \
	${to:+--trained-to "$to"} -o "$work/drift.json" "$work/reference.csv" "$work/current.csv"
put "drift/$SC_TODAY.json" "$work/drift.json"
log "drift/$SC_TODAY.json: $(json_num "$work/drift.json" drifted) of $(json_num "$work/drift.json" n_features) features drifted (share $(json_num "$work/drift.json" drift_share))"
push stockcast_drift "$work/drift.json"
