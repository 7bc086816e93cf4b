#!/usr/bin/env bash
# The pipeline end to end on synthetic data: fetch | split | forest |
# predict | rmse, the next-day forecast, and sc-predict's bad input.
# shellcheck disable=SC2016 # awk programs in single quotes
. "$(dirname "$0")/../lib.sh"

d=$T_TMP
t_exit "fetch synthetic AAPL,MSFT" 0 sc-fetch --from 2025-01-01 --to 2025-12-31 synthetic:AAPL,MSFT
cp "$T_OUT" "$d/raw.csv"
t_exit "split" 0 sc-split -o "$d/train.csv" -t "$d/test.csv" "$d/raw.csv"
t_check "30 test rows per ticker" test "$(cut -d, -f2 "$d/test.csv" | sort | uniq -c | awk '$2 != "ticker" { print $1 }' | sort -u)" = 30
t_exit "forest" 0 sc-forest --trees 60 --min-samples-leaf 5 --max-features 0.33 --seed 7 -o "$d/model.json" "$d/train.csv"
t_exit "predict the test window with a 90% interval" 0 sc-predict -m "$d/model.json" -i 0.9 -o "$d/pred.csv" "$d/test.csv"
t_check "predictions header" test "$(head -n 1 "$d/pred.csv")" = "asof,date,ticker,close,predicted_close,actual_close,lower,upper,model,source"
t_check "one prediction per test row" test "$(wc -l < "$d/pred.csv")" = "$(wc -l < "$d/test.csv")"
t_check "every row has an actual close and lower <= predicted <= upper" awk -F, '
	NR > 1 { if ($6 == "" || $7 == "" || $8 == "" || $7 > $5 || $5 > $8) bad++ }
	END { exit bad > 0 }' "$d/pred.csv"
t_check "actual_close is the next row's close (the realised price, exactly)" awk -F, '
	NR > 2 && $3 == tk && (prev != $4 || pd != $1) { bad++ } { tk = $3; prev = $6; pd = $2 } END { exit bad > 0 }' "$d/pred.csv"
t_check "the model column is 12 hex digits of the model's SHA-256" test \
	"$(awk -F, 'NR == 2 { print $9 }' "$d/pred.csv")" = "$(sha256sum "$d/model.json" | cut -c1-12)"
t_exit "rmse" 0 sc-rmse "$d/pred.csv"
t_check "metrics: n = 60, both tickers, a naive baseline and skill" /usr/bin/python3 -c '
import json, sys
m = json.load(open(sys.argv[1]))
assert m["n"] == 60 and set(m["tickers"]) == {"AAPL", "MSFT"}, m
assert m["naive_rmse"] > 0 and m["skill"] is not None, m
assert 0.5 <= m["interval_coverage"] <= 1, m
' "$T_OUT"

t_exit "predict with 1 and 2 threads" 0 sh -c "sc-predict -m '$d/model.json' -i 0.9 -j 1 < '$d/test.csv' > '$d/p1' && sc-predict -m '$d/model.json' -i 0.9 -j 2 < '$d/test.csv' > '$d/p2'"
t_check "same predictions whatever the thread count" cmp -s "$d/p1" "$d/p2"

t_exit "next trading day" 0 sc-predict -m "$d/model.json" --next -i 0.9 -N demo@1 "$d/raw.csv"
t_check "one forecast per ticker, as of the last day, named by -N" test \
	"$(cut -d, -f1,2,3,6,9 "$T_OUT" | tail -n +2 | tr '\n' ' ')" = "2025-12-31,2026-01-02,AAPL,,demo@1 2025-12-31,2026-01-02,MSFT,,demo@1 "
t_check "next-day close = the last close in the history" test \
	"$(awk -F, 'NR > 1 { print $4 }' "$T_OUT" | tr '\n' ' ')" = \
	"$(awk -F, '$1 == "2025-12-31" { print $6 }' "$d/raw.csv" | tr '\n' ' ')"

# The next-day features are the ones sc-split wrote for that day: predict
# the history cut after the last test day with --next, and the test row.
head -n "$(grep -n '^2025-12-30,AAPL' "$d/raw.csv" | cut -d: -f1)" "$d/raw.csv" > "$d/cut.csv"
t_exit "next on history cut at a test day" 0 sc-predict -m "$d/model.json" --next "$d/cut.csv"
t_check "equals the test-table prediction for that day" test \
	"$(awk -F, 'NR > 1 { print $5 }' "$T_OUT")" = \
	"$(sc-predict -m "$d/model.json" "$d/test.csv" | awk -F, '$1 == "2025-12-30" && $3 == "AAPL" { print $5 }')"

# A generic numeric table: predicted and actual columns, no naive baseline.
awk 'BEGIN { srand(3); print "x1,x2,target"; for (i = 0; i < 300; i++) { a = rand(); b = rand(); print a "," b "," 3 * a - b } }' > "$d/g.csv"
t_exit "forest on a generic table" 0 sc-forest --trees 20 -o "$d/g.json" "$d/g.csv"
t_exit "predict a generic table" 0 sc-predict -m "$d/g.json" -i 0.8 "$d/g.csv"
t_check "generic header" test "$(head -n 1 "$T_OUT")" = "predicted,actual,lower,upper"
cp "$T_OUT" "$d/gpred.csv"
t_exit "rmse of a generic table" 0 sc-rmse "$d/gpred.csv"
t_grep "no naive baseline without close" '"naive_rmse": null' "$T_OUT"

# Bad input.
cut -d, -f1-6 "$d/test.csv" > "$d/few.csv"
t_exit "missing feature columns: exit 65" 65 sc-predict -m "$d/model.json" "$d/few.csv"
t_grep "the message names the missing columns" 'lacks [0-9]+ of the model.s [0-9]+ feature columns: .*"ema_20_ratio"' "$T_ERR"
t_exit "--next on a feature table: exit 65" 65 sc-predict -m "$d/model.json" --next "$d/train.csv"
t_grep "says what is missing" 'no "volume" column' "$T_ERR"
head -c 5000 "$d/model.json" > "$d/trunc.json"
t_exit "truncated model: exit 65" 65 sc-predict -m "$d/trunc.json" "$d/test.csv"
t_grep "names the model file" "trunc.json" "$T_ERR"
sed 's/"format":"sc-forest"/"format":"sc-frost"/; s/"format": "sc-forest"/"format": "sc-frost"/' "$d/model.json" > "$d/bad.json"
t_exit "wrong model format: exit 65" 65 sc-predict -m "$d/bad.json" "$d/test.csv"
: > "$d/empty.json"
t_exit "empty model: exit 65" 65 sc-predict -m "$d/empty.json" "$d/test.csv"
t_exit "no model: exit 64" 64 sc-predict "$d/test.csv"
t_exit "missing model file: exit 66" 66 sc-predict -m "$d/none.json" "$d/test.csv"
t_exit "bad interval: exit 64" 64 sc-predict -m "$d/model.json" -i 1.5 "$d/test.csv"
t_exit "--next on a generic model: exit 65" 65 sc-predict -m "$d/g.json" --next "$d/raw.csv"
head -n 1 "$d/raw.csv" > "$d/header.csv"
t_exit "--next on a header alone: exit 65" 65 sc-predict -m "$d/model.json" --next "$d/header.csv"
t_grep "says there is nothing to forecast" "no data rows" "$T_ERR"
head -n 10 "$d/raw.csv" > "$d/short.csv"
t_exit "too short a history: exit 65" 65 sc-predict -m "$d/model.json" --next "$d/short.csv"
t_grep "names the ticker" "AAPL: 9 days of history" "$T_ERR"
t_exit "a failed run leaves no output file" 65 sc-predict -m "$d/model.json" -o "$d/out.csv" "$d/few.csv"
t_check "no out.csv" test ! -e "$d/out.csv"
t_done
