#!/usr/bin/env bash
# sc-drift on synthetic prices: a volatility regime change and a price
# level jump injected into the last 20 trading days are flagged, the same
# prices without an injection are not; the push conversion; the drift
# step of the pipeline on a demo store; the drift alert rules (promtool).
. "$(dirname "$0")/../lib.sh"

D=$T_TMP
for t in AAPL GOOGL MSFT NVDA; do
	sc-fetch --from 2024-01-01 --to 2025-06-30 "synthetic:$t" > "$D/$t.csv"
done
{
	head -n 1 "$D/AAPL.csv"
	for t in AAPL GOOGL MSFT NVDA; do tail -n +2 "$D/$t.csv"; done
} > "$D/ohlcv.csv"
cut=$(tail -n 20 "$D/AAPL.csv" | head -n 1 | cut -d, -f1)

# Level jump: every price from $cut on times 1.6.
awk -F, -v OFS=, -v cut="$cut" \
	'NR > 1 && $1 >= cut { for (i = 3; i <= 7; i++) $i = sprintf("%.4f", $i * 1.6) } 1' \
	"$D/ohlcv.csv" > "$D/jump.csv"
# Volatility regime: from $cut on, each day's log return times 3.
awk -F, -v OFS=, -v cut="$cut" 'NR == 1 { print; next }
	$2 != tk { tk = $2; oc = "" }
	{ o = $6
	  if ($1 >= cut && oc != "") { n = nc * (o / oc) ^ 3; f = n / o
		for (i = 3; i <= 7; i++) $i = sprintf("%.4f", $i * f); nc = n }
	  else nc = o
	  oc = o; print }' "$D/ohlcv.csv" > "$D/vol.csv"

# drifted CASE: run sc-split and sc-drift on $D/CASE.csv into $D/CASE.json.
drifted() {
	sc-split --test-days 20 -o "$D/$1.ref.csv" -t "$D/$1.cur.csv" "$D/$1.csv" &&
		sc-drift -o "$D/$1.json" "$D/$1.ref.csv" "$D/$1.cur.csv"
}
for c in ohlcv jump vol; do
	t_exit "sc-drift on $c" 0 drifted "$c"
done
# share FILE OP LIMIT [FEATURE FLAG]...: the share compared and flags.
share() {
	python3 - "$@" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
op, lim = sys.argv[2], float(sys.argv[3])
s = d["drift_share"]
assert (s > lim) if op == "gt" else (s <= lim), (s, op, lim)
assert d["drifted"] == sum(f["drifted"] for f in d["features"].values())
assert abs(s - d["drifted"] / d["n_features"]) < 1e-12
args = sys.argv[4:]
for f, flag in zip(args[::2], args[1::2]):
    assert d["features"][f]["drifted"] == (flag == "yes"), (f, d["features"][f])
EOF
}
t_check "no injection: no feature drifted" share "$D/ohlcv.json" le 0 ema_5 no vol_5 no
t_check "level jump: ema_5, ema_10 and ema_20_ratio drifted, dow not" \
	share "$D/jump.json" gt 0.3 ema_5 yes ema_10 yes ema_20_ratio yes dow no ticker_id no
t_check "volatility regime: logret_1 and vol_5 drifted, ema_5 not" \
	share "$D/vol.json" gt 0.3 logret_1 yes vol_5 yes ema_5 no dow no
t_exit "--text" 0 sc-drift --text "$D/vol.ref.csv" "$D/vol.cur.csv"
t_grep "--text ends with the share" "^[0-9]+ of 17 features drifted" "$T_OUT"
t_exit "the drift JSON converts to Prometheus text" 0 sc-push -n -j stockcast_drift < "$D/vol.json"
t_grep "stockcast_drift_share pushed" "^stockcast_drift_share 0\.[0-9]+$" "$T_OUT"
t_grep "stockcast_feature_drift per feature and method" \
	'^stockcast_feature_drift\{feature="vol_5",method="ks"\} ' "$T_OUT"
t_check "51 statistics and 51 thresholds" \
	test "$(grep -c '^stockcast_feature_drift' "$T_OUT")" -eq 102

# Errors.
t_exit "one operand is exit 64" 64 sc-drift "$D/ohlcv.ref.csv"
t_exit "both on stdin is exit 64" 64 sc-drift - - < /dev/null
t_exit "a missing file is exit 66" 66 sc-drift "$D/none.csv" "$D/ohlcv.cur.csv"
t_exit "a current table of more dates than a third of the reference is exit 65" 65 \
	sc-drift "$D/ohlcv.cur.csv" "$D/ohlcv.ref.csv"
t_grep "the message says why" "^sc-drift: reference rows: [0-9]+ chunk\(s\) of [0-9]+ dates .*at least 3" "$T_ERR"
cut -d, -f1-4 "$D/ohlcv.cur.csv" > "$D/narrow.csv"
t_exit "a feature missing from the current rows is exit 65" 65 \
	sc-drift -o "$D/x.json" "$D/ohlcv.ref.csv" "$D/narrow.csv"
t_grep "the message names the table and the column" '^sc-drift: current rows: no feature column "ema_10"$' "$T_ERR"
t_check "no output after a failure" test ! -e "$D/x.json"
t_exit "--bins 1 is exit 64" 64 sc-drift -b 1 "$D/ohlcv.ref.csv" "$D/ohlcv.cur.csv"
t_exit "--trained-from not a date is exit 64" 64 sc-drift --trained-from 2026-02-30 \
	"$D/ohlcv.ref.csv" "$D/ohlcv.cur.csv"
t_grep "the message names the option" '^sc-drift: trained-from: want a date YYYY-MM-DD$' "$T_ERR"

# The pipeline step on a demo store (synthetic, offline).
S=$T_TMP/store
t_exit "demo store" 0 env SC_STORE="$S" SC_TODAY=2026-11-27 SC_TRIALS=0 \
	sh "$SC_TOP/scripts/demo.sh" "$SC_BIN"
t_exit "scripts/drift.sh" 0 env SC_STORE="$S" SC_TODAY=2026-11-27 SC_SOURCE=synthetic \
	SC_BIN="$SC_BIN" sh "$SC_TOP/scripts/drift.sh"
t_check "drift/2026-11-27.json stored" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["n_features"] == 17 and d["chunk_unit"] == "dates" and d["chunk_size"] == 20, d
assert d["reference_to"] < d["current_from"], d
' "$S/drift/2026-11-27.json"
t_check "the drift JSON names the champion and its training dates" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
s = sys.argv[2]
v = json.load(open(s + "/models/stockcast/index.json"))["aliases"]["champion"]
t = json.load(open("%s/models/stockcast/%d/model.json" % (s, v)))["training"]
assert d["model"] == "stockcast/%d" % v, d["model"]
assert (d["trained_from"], d["trained_to"]) == (t["date_from"], t["date_to"]), d
assert t["date_from"] <= d["reference_from"] and d["reference_to"] <= t["date_to"], d
' "$S/drift/2026-11-27.json" "$S"
t_exit "SC_DRIFT_DAYS=0 is exit 64" 64 env SC_STORE="$S" SC_DRIFT_DAYS=0 \
	SC_BIN="$SC_BIN" sh "$SC_TOP/scripts/drift.sh"

# The alert rules.
if command -v promtool > /dev/null 2>&1; then
	t_exit "promtool check rules drift.rules.yml" 0 \
		promtool check rules "$SC_TOP/monitor/prometheus/drift.rules.yml"
	t_exit "promtool test rules drift.rules_test.yml" 0 \
		promtool test rules "$SC_TOP/monitor/prometheus/drift.rules_test.yml"
	t_exit "promtool check config (with drift.rules.yml)" 0 \
		promtool check config "$SC_TOP/monitor/prometheus/prometheus.yml"
else
	t_skip "promtool not installed (apt-get install prometheus)"
fi
t_done
