#!/bin/sh
# The whole pipeline, offline, on synthetic prices: fetch, split (the last
# 30 trading days are the test set), fit a random forest, predict the test
# window, evaluate against the naive forecast, and forecast the next trading
# day.  Everything is written under a local store directory.
# usage: scripts/demo.sh [BINDIR]   (environment: SC_STORE, SC_TICKERS, SC_FROM)
set -eu
bin=${1:-build/bin}
PATH=$bin:$PATH
store=${SC_STORE:-./store}
tickers=${SC_TICKERS:-AAPL GOOGL MSFT NVDA AMZN META}
year=$(date -u +%Y)
from=${SC_FROM:-$year-01-01}
today=$(date -u +%Y-%m-%d)
run=demo-$(date -u +%Y%m%dT%H%M%SZ)

case $store in
s3://*) echo "demo: runs on a local store; unset SC_STORE or point it at a directory" >&2
	exit 64 ;;
esac
log() { printf '%s demo: %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

mkdir -p "$store/raw" "$store/processed" "$store/runs/$run" \
	"$store/predictions" "$store/evaluations"

log "fetching synthetic prices for $tickers from $from (offline, not real market data)"
for t in $tickers; do
	sc-fetch --from "$from" --to "$today" -o "$store/raw/$t.csv" "synthetic:$t"
done
# One long-format stream, sorted by ticker then date: the header once.
# shellcheck disable=SC2086 # the list is split on purpose
sorted=$(printf '%s\n' $tickers | LC_ALL=C sort)
# shellcheck disable=SC2046
awk 'FNR == 1 && NR != 1 { next } { print }' \
	$(for t in $sorted; do printf '%s/raw/%s.csv ' "$store" "$t"; done) \
	> "$store/processed/ohlcv.csv"

log "computing features; the last 30 trading days of each ticker are the test set"
sc-split --test-days 30 -o "$store/processed/train.csv" \
	-t "$store/processed/test.csv" < "$store/processed/ohlcv.csv"

log "fitting a random forest"
sc-forest --trees 200 --min-samples-leaf 5 --max-features 0.33 --seed 1 \
	-o "$store/runs/$run/model.json" < "$store/processed/train.csv"

log "predicting the test window and evaluating against the naive forecast"
sc-predict -m "$store/runs/$run/model.json" --interval 0.9 \
	-o "$store/runs/$run/test-predictions.csv" < "$store/processed/test.csv"
sc-rmse -o "$store/runs/$run/metrics.json" < "$store/runs/$run/test-predictions.csv"
cp "$store/runs/$run/metrics.json" "$store/evaluations/$today.json"

log "forecasting the next trading day"
sc-predict -m "$store/runs/$run/model.json" --next --interval 0.9 \
	-o "$store/predictions/$today.csv" < "$store/processed/ohlcv.csv"

echo
echo "Next trading day's forecasts (synthetic data; 90% prediction interval):"
awk -F, 'NR == 1 { printf "%-7s %-10s %10s %10s %8s   %s\n", "ticker", "as of", "close", "forecast", "change", "90% interval"; next }
	{ printf "%-7s %-10s %10.2f %10.2f %+7.2f%%   [%.2f, %.2f]\n", $2, $1, $3, $4, 100 * ($4 / $3 - 1), $6, $7 }' \
	"$store/predictions/$today.csv"
echo
echo "Test window (last 30 trading days per ticker) against the naive forecast (tomorrow = today):"
sc-rmse --text < "$store/runs/$run/test-predictions.csv"
echo
echo "Store: $store (run $run); skill > 0 means the model beats the naive forecast."
