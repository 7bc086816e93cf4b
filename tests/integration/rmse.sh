#!/usr/bin/env bash
# sc-rmse: metrics JSON from a predictions CSV, and its bad input.
. "$(dirname "$0")/../lib.sh"

p=$T_TMP/pred.csv
cat > "$p" <<'CSV'
asof,ticker,close,predicted_close,actual_close,lower,upper,model
2025-01-02,AAPL,100,104,102,101,103,m
2025-01-03,AAPL,102,101,105,,,m
2025-01-06,AAPL,105,106,,,,m
2025-01-02,MSFT,50,49.5,49,48,50,m
CSV

t_exit "metrics from stdin" 0 sc-rmse < "$p"
t_check "metrics JSON parses with n=3" python3 -c '
import json, sys
m = json.load(open(sys.argv[1]))
assert m["n"] == 3 and m["skipped"] == 1, m
assert set(m["tickers"]) == {"AAPL", "MSFT"}, m
assert abs(m["tickers"]["MSFT"]["skill"] - 0.5) < 1e-12, m
' "$T_OUT"
t_exit "metrics to a file" 0 sc-rmse -o "$T_TMP/m.json" "$p"
t_check "the file has the same JSON" cmp -s "$T_TMP/m.json" <(sc-rmse < "$p")

printf 'ticker,close,predicted_close,actual_close\nA,1,2,3\nA,1,x,3\n' > "$T_TMP/bad.csv"
t_exit "a malformed cell is exit 65" 65 sc-rmse "$T_TMP/bad.csv"
t_grep "the message names the file, line and column" \
	"^sc-rmse: .*/bad.csv:3: column \"predicted_close\": not a number: \"x\"$" "$T_ERR"
t_exit "a missing column is exit 65" 65 sc-rmse <<< 'ticker,predicted_close
A,1'
t_grep "the message names the column" 'actual_close' "$T_ERR"
t_exit "empty input is exit 65" 65 sc-rmse < /dev/null
t_exit "a missing file is exit 66" 66 sc-rmse "$T_TMP/none.csv"
t_exit "two operands is exit 64" 64 sc-rmse a b
t_exit "unwritable output is exit 73" 73 sc-rmse -o /nonexistent/m.json "$p"
t_exit "a failed run leaves no output file" 65 sc-rmse -o "$T_TMP/m2.json" "$T_TMP/bad.csv"
t_check "no m2.json" test ! -e "$T_TMP/m2.json"
t_check "interval width, score and DM figures" python3 -c '
import json, sys
m = json.load(open(sys.argv[1]))
assert abs(m["interval_width"] - 2.0) < 1e-12, m
assert abs(m["interval_score"] - 2.0) < 1e-12, m
assert abs(m["tickers"]["MSFT"]["interval_score"] - 2.0) < 1e-12, m
assert m["dm_stat"] is not None and 0 < m["dm_pvalue"] < 1, m
assert m["tickers"]["MSFT"]["dm_stat"] is None, m
' "$T_TMP/m.json"
t_exit "--level 0.5 changes the interval score only" 0 sc-rmse -l 0.5 "$p"
t_check "the level is recorded" grep -q '"interval_level": 0.5' "$T_OUT"
t_exit "a level of 1 is exit 64" 64 sc-rmse --level 1 "$p"
printf 'asof,ticker,close,predicted_close,actual_close\n2025-01-02,A,1,2,\n' > "$T_TMP/future.csv"
t_exit "nothing to score is exit 65" 65 sc-rmse -o "$T_TMP/m3.json" "$T_TMP/future.csv"
t_grep "and says so" "future.csv: no row has both a prediction and an actual value" "$T_ERR"
t_check "no m3.json" test ! -e "$T_TMP/m3.json"
t_done
