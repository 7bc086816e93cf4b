#!/usr/bin/env bash
# sc-backtest end to end: the predictions CSV it writes and sc-rmse
# scores, determinism across thread counts, the old default (--raw), a
# forecast that never sees its own day or any later one (the rows from a
# day on are poisoned and the forecasts up to that day must not change),
# and the shared Yahoo TSLA capture when it is there.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
cd "$T_TMP" || exit 1

sc-fetch --from 2024-01-01 --to 2025-06-30 synthetic:AAA,BBB > h.csv ||
	exit 1
small=(-d 60 -r 20 --trees 20)
differ() { ! cmp -s "$1" "$2"; }

t_exit "--help" 0 sc-backtest --help
t_grep "usage names the refit option" '\[-r refit\]' "$T_OUT"
t_exit "--version" 0 sc-backtest --version
t_grep "version line" '^sc-backtest \(stockcast\) ' "$T_OUT"

t_exit "a backtest of two tickers" 0 sc-backtest "${small[@]}" -j 1 -o bt1.csv h.csv
t_check "header of the predictions CSV" [ "$(head -n 1 bt1.csv)" = \
	"asof,date,ticker,close,predicted_close,actual_close,lower,upper,model,source" ]
t_check "60 rows a ticker" [ "$(grep -c ',AAA,' bt1.csv)" -eq 60 ] && [ "$(grep -c ',BBB,' bt1.csv)" -eq 60 ]
# shellcheck disable=SC2016 # an awk program
t_check "every row has its actual and interval" awk -F, 'NR > 1 && ($6 == "" || $7 == "" || $8 == "") { exit 1 }' bt1.csv
t_check "the forecast day follows its asof, whose close is the close" python3 -c '
import csv, sys
h = {(r["date"], r["ticker"]): r["close"] for r in csv.DictReader(open("h.csv"))}
for r in csv.DictReader(open("bt1.csv")):
    assert r["asof"] < r["date"], r
    assert float(r["close"]) == float(h[r["asof"], r["ticker"]]), r
    assert float(r["actual_close"]) == float(h[r["date"], r["ticker"]]), r
'
t_exit "the same with two threads and from stdin" 0 sc-backtest "${small[@]}" -j 2 < h.csv
t_check "identical output" cmp -s bt1.csv "$T_OUT"
t_exit "sc-rmse scores it" 0 sc-rmse bt1.csv
t_check "120 scored, coverage and DM figures present" python3 -c '
import json, sys
m = json.load(open(sys.argv[1]))
assert m["n"] == 120 and m["interval_coverage"] is not None, m
assert m["interval_width"] > 0 and m["interval_score"] >= m["interval_width"], m
' "$T_OUT"
# A random walk has nothing to predict: the calibrated forecast is the
# naive one (skill exactly 0), and says so in the source column.
t_check "synthetic: the naive forecast, marked so" python3 -c '
import csv
rows = list(csv.DictReader(open("bt1.csv")))
assert all(r["source"] == "naive" and r["predicted_close"] == r["close"] for r in rows), rows[0]
'

t_exit "the old default (--raw)" 0 sc-backtest "${small[@]}" --raw h.csv
# shellcheck disable=SC2016 # an awk program
t_check "--raw forecasts come from the model" awk -F, 'NR > 1 && $10 != "model" { exit 1 }' "$T_OUT"
t_exit "a search of 2 trials before each calibration" 0 sc-backtest "${small[@]}" --trials 2 --raw h.csv
t_check "changes the forecasts" differ "$T_OUT" <(sc-backtest "${small[@]}" --raw h.csv)
t_exit "--window and --interval-method quantile" 0 sc-backtest "${small[@]}" -w 120 --interval-method quantile h.csv

# Poison every row from a day on: prices times 7, volumes scrambled.  The
# forecasts of days up to and including that day must not change.
cut=$(awk -F, 'NR > 1 && $3 == "AAA" { print $2 }' bt1.csv | sed -n 30p)
awk -F, -v OFS=, -v cut="$cut" 'NR > 1 && $1 >= cut {
	for (i = 3; i <= 7; i++) $i = $i * 7; $8 = $8 * 13 + 5 } { print }' h.csv > poisoned.csv
t_check "the poison changed the input" differ h.csv poisoned.csv
t_exit "a backtest of the poisoned history" 0 sc-backtest "${small[@]}" -o bt2.csv poisoned.csv
# known FILE: the columns known before the forecast day, up to the cut.
known() { awk -F, -v OFS=, -v cut="$cut" 'NR > 1 && $2 <= cut { $6 = ""; print }' "$1"; }
t_check "forecasts up to the poisoned day are unchanged" cmp -s <(known bt1.csv) <(known bt2.csv)
t_check "and 60 of them were compared" [ "$(known bt1.csv | wc -l)" -eq 60 ]
t_check "later forecasts did change" differ bt1.csv bt2.csv

t_exit "too short a history is exit 65" 65 sc-backtest -d 400 -o bt3.csv h.csv
t_grep "and says why" '^sc-backtest: .*: AAA: [0-9]+ days of history; 400 forecast days need more than 420' "$T_ERR"
t_check "no output file" test ! -e bt3.csv

shared=${SC_SHARED:-$SC_TOP/../shared}/yahoo-captures
tsla=$shared/historical-via-chart-dividends-TSLA-no-dividends.expected.csv
if [ -f "$tsla" ]; then
	t_exit "Yahoo TSLA capture: 60 days" 0 sc-backtest "${small[@]}" "$tsla"
	t_check "60 TSLA rows ending on the last day" [ "$(tail -n 1 "$T_OUT" | cut -d, -f2,3)" = "2023-08-11,TSLA" ]
else
	t_skip "Yahoo captures not found at $shared"
fi
t_done
