#!/bin/sh
# The whole pipeline, offline, on synthetic prices, on a local store:
# prepare (fetch and split: the last 30 trading days are the test set),
# train (a small hyperparameter search when sc-tune is installed, else one
# fit), register (champion only if it beats the current one on the test
# set), inference (the next trading day), evaluate (the test window against
# the naive forecast) and plot.  Then a table of the forecasts, the test
# metrics, and the plot's path.
# usage: scripts/demo.sh [BINDIR]   (environment: SC_STORE, SC_TICKERS,
# SC_TODAY, SC_FROM (default: a year before SC_TODAY), SC_TRIALS; the
# prices are synthetic, never real market data)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
if [ -n "${1:-}" ]; then
	SC_BIN=$(cd "$1" && pwd)
	export SC_BIN
	PATH=$SC_BIN:$PATH
fi
SC_STORE=${SC_STORE:-./store}
case $SC_STORE in
s3://*) echo "demo: runs on a local store; unset SC_STORE or point it at a directory" >&2
	exit 64 ;;
esac
if [ -z "${SC_TRIALS:-}" ]; then
	if command -v sc-tune > /dev/null; then SC_TRIALS=8; else SC_TRIALS=0; fi
fi
SC_SOURCE=synthetic SC_FETCH=1
export SC_STORE SC_SOURCE SC_TRIALS SC_FETCH
unset SC_PUSHGATEWAY_URL
today=${SC_TODAY:-$(date -u +%Y-%m-%d)}
export SC_TODAY="$today"
# A year of history before SC_TODAY whatever the day (the pipeline's own
# default, January 1st, leaves too few days for the test window until late
# March).
SC_FROM=${SC_FROM:-$(date -u -d "$today - 1 year" +%Y-%m-%d)} || exit 64
export SC_FROM

echo "demo: synthetic prices (offline, not real market data) into $SC_STORE" >&2
sh "$here/prepare.sh"
sh "$here/train.sh" > /dev/null
sh "$here/register.sh" > /dev/null
sh "$here/inference.sh"
sh "$here/evaluate.sh"
plot=$(sh "$here/plot.sh" | head -n 1)

level=$(awk -v i="${SC_INTERVAL:-0.9}" 'BEGIN { printf "%g", i * 100 }')
echo
echo "Next trading day's forecasts (synthetic data; $level% prediction interval):"
awk -F, -v lv="$level" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i
		printf "%-7s %-10s %-10s %10s %10s %8s   %-18s %s\n", "ticker", "as of", "for", "close", "forecast", "change", lv "% interval", "from"; next }
	{ cl = $c["close"]; p = $c["predicted_close"]
	  printf "%-7s %-10s %-10s %10.2f %10.2f %+7.2f%%   [%.2f, %.2f]   %s\n", $c["ticker"], $c["asof"], $c["date"], cl, p, 100 * (p / cl - 1), $c["lower"], $c["upper"], $c["source"] }' \
	"$SC_STORE/predictions/$today.csv"
echo
echo "Test window (last ${SC_TEST_DAYS:-30} trading days per ticker) against the naive forecast (tomorrow = today):"
sc-rmse --text < "$SC_STORE/evaluations/$today.csv"
echo
echo "Model: $(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next } { print $c["model"]; exit }' "$SC_STORE/predictions/$today.csv") (champion); store: $SC_STORE"
echo "Plot: $plot"
echo "Skill > 0 means the model beats the naive forecast."
sh "$here/drift.sh" || echo "demo: no drift check (see the message above)" >&2; echo "Report: $(sh "$here/report.sh")"
