#!/usr/bin/env bash
# The evaluate step scores only what the model never saw: the served
# forecasts inference stored (actual closes filled in from the history as
# the days arrive), a fresh backtest, and the champion on the test window
# shortened to the days after its training, or refused when none is left.
# Offline: synthetic prices in a local store.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

S=$SC_TOP/scripts
export SC_STORE=$T_TMP/store SC_SOURCE=synthetic SC_TICKERS="AAA BBB" \
	SC_FROM=2024-01-01 SC_TRIALS=0 SC_FOREST_ARGS="--trees 20 --min-samples-leaf 5"
unset SC_PUSHGATEWAY_URL SC_MODEL_ALIAS SC_MODEL_URI SC_PREFIX
step() {	# step NAME STATUS SCRIPT [SC_TODAY]
	t_exit "$1" "$2" env SC_TODAY="${4:-2025-06-09}" sh "$S/$3.sh"
}
json() { python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$@"; }

step "prepare" 0 prepare 2025-06-02
step "train" 0 train 2025-06-02
step "register" 0 register 2025-06-02
to=$(sc-fetch models:/stockcast/1 | python3 -c 'import json, sys; print(json.load(sys.stdin)["training"]["date_to"])')
t_check "the champion was trained up to $to" [ -n "$to" ]
for d in 2025-06-02 2025-06-03 2025-06-04 2025-06-05; do
	step "inference $d" 0 inference "$d"
done
# A rerun of inference for a day inside the training dates: a forecast
# the model made on its own training data, which evaluate must leave out.
step "inference for a past day" 0 inference "$to"
cp "$SC_STORE/predictions/$to.csv" "$SC_STORE/predictions/2025-06-01.csv"

step "evaluate" 0 evaluate 2025-06-06
E=$SC_STORE/evaluations/2025-06-06
t_grep "the past-day forecasts are left out" 'left out 4 stored forecasts made as of a day their model was trained on' "$T_ERR"
t_check "served: 4 days x 2 tickers scored, the latest not yet known" test \
	"$(json "$E-served.json" '(d["n"], d["skipped"])')" = "(6, 2)"
t_check "served: actual closes from the history" python3 -c '
import csv, sys
h = {(r["date"], r["ticker"]): float(r["close"])
     for f in sys.argv[2:] for r in csv.DictReader(open(f))}
rows = list(csv.DictReader(open(sys.argv[1])))
for r in rows:
    assert r["date"] > r["asof"] or not r["actual_close"], r
    if r["actual_close"]:
        assert float(r["actual_close"]) == h[r["date"], r["ticker"]], r
assert sum(1 for r in rows if r["actual_close"]) == 6, rows
' "$E-served.csv" "$SC_STORE/raw/AAA.csv" "$SC_STORE/raw/BBB.csv"
t_check "a fresh backtest of 30 days x 2 tickers" test "$(json "$E-backtest.json" 'd["n"]')" = 60
t_check "the champion's test window, all after its training" test "$(json "$E.json" 'd["n"]')" = 60

step "evaluate a day whose window overlaps the training" 0 evaluate 2025-04-30
t_grep "the window is shortened, and it says so" "window shortened: [0-9]+ of 60 forecasts are as of $to or before" "$T_ERR"
t_check "only days after the training are scored" python3 -c '
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert rows and all(r["asof"] > sys.argv[2] for r in rows), rows[:1]
' "$SC_STORE/evaluations/2025-04-30.csv" "$to"

step "evaluate a day inside the training dates" 0 evaluate 2025-03-31
t_grep "refuses, and says so" "refusing to score the model on the test window: all 60 forecasts are as of $to or before" "$T_ERR"
t_check "no evaluation of it stored" test ! -e "$SC_STORE/evaluations/2025-03-31.json"

# make backtest's script: backtests/DATE.csv and sc-rmse's metrics of it.
SC_BACKTEST_DAYS=100 step "the backtest step" 0 backtest 2025-06-06
t_check "100 days x 2 tickers, scored" test \
	"$(json "$SC_STORE/backtests/2025-06-06.json" '(d["n"], sorted(d["tickers"]), d["interval_level"])')" = \
	"(200, ['AAA', 'BBB'], 0.9)"
t_check "the same forecasts as sc-backtest with the step's options" cmp -s \
	"$SC_STORE/backtests/2025-06-06.csv" \
	<(cat "$SC_STORE/raw/AAA.csv" <(tail -n +2 "$SC_STORE/raw/BBB.csv") |
		awk -F, 'NR == 1 || $1 <= "2025-06-06"' |
		sc-backtest -d 100 -r 20 -i 0.9 --trees 20 --min-samples-leaf 5 --seed 0 -N backtest/2025-06-06)
SC_BACKTEST_DAYS=2000 step "too long a backtest for the history: exit 65" 65 backtest 2025-06-06
t_grep "says why" 'sc-backtest: .*: AAA: [0-9]+ days of history; 2000 forecast days need more' "$T_ERR"
SC_BACKTEST_REFIT=0 step "SC_BACKTEST_REFIT=0: exit 64" 64 backtest 2025-06-06
if command -v gnuplot > /dev/null; then
	step "plot the evaluation" 0 plot 2025-06-06
	t_check "plot.sh backtest draws it" env SC_TODAY=2025-06-06 sh "$S/plot.sh" backtest
	t_check "into plots/DATE-backtest.png" test -s "$SC_STORE/plots/2025-06-06-backtest.png"
else
	t_skip "gnuplot not installed: no plot of the backtest"
fi
t_done
