#!/usr/bin/env bash
# Calibration end to end: sc-forest validates walk-forward and stores
# lambda and conformal scores; on a random walk (the synthetic source)
# lambda is 0 and sc-predict serves the naive forecast exactly and says
# so; on an AR(1) in returns lambda is clearly positive; a tampered
# calibration is refused; the interval methods and --no-validation.
# shellcheck disable=SC2016 # awk and python programs in single quotes
. "$(dirname "$0")/../lib.sh"

d=$T_TMP
PY=/usr/bin/python3
calib() {
	"$PY" -c 'import json, sys; c = json.load(open(sys.argv[1]))["calibration"]; print(eval(sys.argv[2]))' "$1" "$2"
}

# A random walk: nothing to predict.
t_exit "fetch synthetic AAA,BBB" 0 sc-fetch --from 2020-01-01 --to 2025-12-31 synthetic:AAA,BBB
cp "$T_OUT" "$d/rw.csv"
t_exit "split" 0 sc-split -o "$d/train.csv" -t "$d/test.csv" "$d/rw.csv"
t_exit "forest, calibrated by default" 0 sc-forest -v --trees 40 --min-samples-leaf 10 -o "$d/rw.json" "$d/train.csv"
t_grep "says lambda 0 means the naive forecast" 'lambda 0: no validated skill over the naive forecast' "$T_ERR"
t_check "lambda 0, skill 0, 5 folds, vol_20, 201 scores" test \
	"$(calib "$d/rw.json" '(c["lambda"], c["skill"], c["folds"], c["volatility"]["feature"], len(c["conformal"]["scores"]))')" = \
	"(0.0, 0.0, 5, 'vol_20', 201)"
t_exit "predict the test window" 0 sc-predict -m "$d/rw.json" -i 0.9 -o "$d/p.csv" "$d/test.csv"
t_grep "stderr says the naive forecast is served" '^sc-predict: lambda 0: .*serving the naive forecast' "$T_ERR"
t_check "lambda 0: predicted_close = close exactly, source naive, close inside the band" awk -F, '
	NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
	$c["predicted_close"] != $c["close"] || $c["source"] != "naive" ||
	    !($c["lower"] < $c["close"] && $c["close"] < $c["upper"]) { bad++ }
	END { exit bad > 0 || NR != 61 }' "$d/p.csv"
t_exit "next day" 0 sc-predict -m "$d/rw.json" -i 0.9 --next "$d/rw.csv"
t_check "next day: the last close, source naive" awk -F, '
	NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
	$c["predicted_close"] != $c["close"] || $c["source"] != "naive" { bad++ }
	END { exit bad > 0 || NR != 3 }' "$T_OUT"
t_exit "quantile intervals" 0 sc-predict -m "$d/rw.json" -i 0.9 --interval-method quantile -o "$d/q.csv" "$d/test.csv"
t_check "same forecasts, other bands" sh -c "
	[ \"\$(cut -d, -f1-6,9- '$d/p.csv')\" = \"\$(cut -d, -f1-6,9- '$d/q.csv')\" ] &&
	[ \"\$(cut -d, -f7 '$d/p.csv')\" != \"\$(cut -d, -f7 '$d/q.csv')\" ]"
t_exit "fixed level without ACI" 0 sc-predict -m "$d/rw.json" -i 0.9 --no-aci "$d/test.csv"
t_exit "bad interval method: exit 64" 64 sc-predict -m "$d/rw.json" -M median "$d/test.csv"
t_exit "sc-rmse reads the new columns" 0 sc-rmse "$d/p.csv"
t_check "the naive forecast's skill is 0" test "$("$PY" -c 'import json, sys; print(json.load(open(sys.argv[1]))["skill"])' "$T_OUT")" = 0

# Without the volatility column the table cannot be served conformally.
awk -F, 'BEGIN { OFS = "," } NR == 1 { for (i = 1; i <= NF; i++) if ($i == "vol_20") k = i }
	{ $k = ""; sub(",,", ","); print }' "$d/test.csv" > "$d/novol.csv"
t_check "vol_20 is gone" sh -c "! head -n 1 '$d/novol.csv' | grep -q vol_20"
t_exit "a table without the model's vol_20: exit 65" 65 sc-predict -m "$d/rw.json" -i 0.9 "$d/novol.csv"
t_grep "names the column" 'lacks 1 of the model.s 17 feature columns: "vol_20"' "$T_ERR"

# An AR(1) in log returns (phi 0.4): lagged returns predict tomorrow.
awk 'BEGIN {
	srand(7); print "date,ticker,open,high,low,close,adj_close,volume"
	for (k = 0; k < 2; k++) {
		c = 100; r = 0; day = 0
		for (i = 0; i < 1500; i++) {
			z = sqrt(-2 * log(1 - rand())) * cos(6.283185307179586 * rand())
			r = 0.4 * r + 0.01 * z; c *= exp(r)
			t = 1577836800 + 86400 * (day + int(day / 5) * 2); day++
			printf "%s,AR%d,%.4f,%.4f,%.4f,%.4f,%.4f,%d\n", strftime("%Y-%m-%d", t, 1), k, c, c, c, c, c, 1000000 + i % 7
		}
	}
}' > "$d/ar.csv" 2> /dev/null || true
if [ -s "$d/ar.csv" ]; then
	t_exit "split the AR(1) series" 0 sc-split -o "$d/artrain.csv" -t "$d/artest.csv" "$d/ar.csv"
	t_exit "forest on it" 0 sc-forest --trees 40 --min-samples-leaf 20 --max-features 0.5 -o "$d/ar.json" "$d/artrain.csv"
	t_check "lambda clearly positive, positive skill" "$PY" -c '
import json, sys
c = json.load(open(sys.argv[1]))["calibration"]
assert c["lambda"] > 0.5 and c["skill"] > 0.05 and c["tstat"] > 1.645, c' "$d/ar.json"
	t_exit "predict it" 0 sc-predict -m "$d/ar.json" -i 0.9 -o "$d/arp.csv" "$d/artest.csv"
	t_check "source model" test "$(tail -n +2 "$d/arp.csv" | awk -F, '{ print $NF }' | sort -u)" = model
else
	t_skip "AR(1) series: this awk has no strftime"
fi

# --no-validation: lambda 0, no scores, quantile-forest bands.
t_exit "forest --no-validation" 0 sc-forest --no-validation --trees 20 -o "$d/nv.json" "$d/train.csv"
t_grep "warns: no validation" 'no validation' "$T_ERR"
t_check "lambda 0, no scores" test "$(calib "$d/nv.json" '(c["lambda"], c["folds"], c["conformal"]["n"])')" = "(0.0, 0, 0)"
t_exit "predict with it" 0 sc-predict -m "$d/nv.json" -i 0.9 -o "$d/nv.csv" "$d/test.csv"
t_check "naive forecast, a band around it" awk -F, '
	NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
	$c["predicted_close"] != $c["close"] || $c["source"] != "naive" || !($c["lower"] <= $c["upper"]) { bad++ }
	END { exit bad > 0 }' "$d/nv.csv"
t_exit "--folds 1: exit 64" 64 sc-forest --folds 1 "$d/train.csv"

# A tampered calibration is refused (exit 65), by sc-predict and sc-push.
for edit in 's/"lambda":0.0/"lambda":1.5/' 's/"lambda":0.0/"lambda":"0"/' \
	's/"calibration":{/"calibration":{"x":1,/' 's/"scores":\[[0-9.e-]*,/"scores":[/'; do
	sed "$edit" "$d/rw.json" > "$d/bad.json"
	t_check "the edit $edit took" sh -c "! cmp -s '$d/rw.json' '$d/bad.json'"
	t_exit "tampered ($edit): exit 65" 65 sc-predict -m "$d/bad.json" "$d/test.csv"
	t_grep "names the calibration" '^sc-predict: .*calibration' "$T_ERR"
done
SC_STORE=$d/store t_exit "sc-push refuses it too" 65 sc-push models:/x < "$d/bad.json"

# sc-tune: the calibration of the best trial's folds.
t_exit "sc-tune -o" 0 sc-tune -v -n 3 --no-progress -k 3 -o "$d/tuned.json" "$d/train.csv"
t_grep "summary: the best CV RMSE next to the naive forecast's on the same folds" \
	'best: trial [0-9]+, CV RMSE [0-9.e-]+ over 3 folds \(target units\); the naive forecast.s: [0-9.e-]+$' "$T_ERR"
t_grep "and the calibration says lambda 0 serves the naive forecast" 'lambda 0: the naive forecast will be served' "$T_ERR"
t_check "tuned model: calibration from 3 folds" test "$(calib "$d/tuned.json" '(c["folds"], c["lambda"], c["conformal"]["n"] > 1000)')" = "(3, 0.0, True)"
# The train step and register: the run's CV RMSE is the out-of-time
# validation's, every RMSE sits next to the naive forecast's with its
# unit, and a candidate without validated skill never displaces a
# champion that has some.
S=$SC_TOP/scripts
export SC_STORE=$d/ops SC_SOURCE=synthetic SC_TRIALS=0 SC_FROM=2023-01-02 SC_TODAY=2025-06-30 \
	SC_TICKERS="AAA BBB" SC_MODEL_NAME=cal SC_FOREST_ARGS="--trees 30 --min-samples-leaf 10"
meta() { "$PY" -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$SC_STORE/runs/$1/meta.json" "$2"; }
# fake_run ID EXPR: a run of the same training as run plain, its model
# changed by the python statement EXPR on c (the calibration) or m.
fake_run() {
	mkdir -p "$SC_STORE/runs/$1"
	"$PY" - "$SC_STORE/runs" "$1" "$2" << 'PY'
import json, sys
runs, rid, expr = sys.argv[1:]
m = json.load(open(runs + "/plain/model.json"))
c = m["calibration"]
exec(expr)
json.dump(m, open("%s/%s/model.json" % (runs, rid), "w"))
d = json.load(open(runs + "/plain/meta.json"))
for k in ("registered_model", "registered_version", "registered_at", "register", "passed_over_by"):
    d.pop(k, None)
d["run_id"] = rid
json.dump(d, open("%s/%s/meta.json" % (runs, rid), "w"))
PY
}
t_exit "prepare" 0 sh "$S/prepare.sh"
SC_RUN_ID=plain t_exit "train, no search" 0 sh "$S/train.sh"
t_grep "log: validation RMSE of model, naive and drift, in log returns" \
	'out-of-time validation RMSE \(log return\): model [0-9.e-]+, naive [0-9.e-]+, drift [0-9.e-]+; validated skill 0' "$T_ERR"
t_grep "log: test RMSE next to the naive forecast's, in prices" 'test RMSE [0-9.]+ \(price\), naive [0-9.]+ \(price\)' "$T_ERR"
t_grep "log: lambda 0 serves the naive forecast" 'lambda 0, no validated skill over the naive forecast' "$T_ERR"
t_check "CV RMSE is the walk-forward validation's (not OOB), naive and drift beside it" test "$(meta plain '(d["cv_rmse_from"],
	d["cv_rmse"] == d["validated_rmse"], abs(d["validated_rmse"] ** 2 - json.load(open(sys.argv[1].replace("meta", "model")))["calibration"]["mse"]["model"]) < 1e-15,
	d["validated_naive_rmse"] > 0, d["validated_drift_rmse"] > 0, d["validated_skill"], d["test_naive_rmse"] == d["test_rmse"])')" = \
	"('calibration.mse.model', True, True, True, True, 0.0, True)"
t_exit "register: the first version is champion" 0 sh "$S/register.sh"
t_check "register record: test RMSE with the naive's, validated skill" test "$(meta plain \
	'(d["register"]["promoted"], d["register"]["test_naive_rmse"] == d["register"]["test_rmse"], d["register"]["validated_skill"])')" = "(True, True, 0.0)"
fake_run skilled 'c["lambda"] = 1.0; c["skill"] = 0.05'
SC_PROMOTE=always t_exit "register a champion with validated skill 0.05" 0 sh "$S/register.sh"
fake_run naive1 'pass'
t_exit "register a lambda-0 candidate" 0 sh "$S/register.sh"
t_check "it does not displace the champion with validated skill" test "$(meta naive1 \
	'(d["register"]["promoted"], d["register"]["champion_validated_skill"], "not positive" in d["register"]["why"])')" = "(False, 0.05, True)"
t_grep "log: the champion's test RMSE next to the naive's" 'champion version 2: validated skill 0.05; test RMSE [0-9.]+ \(price\), naive [0-9.]+ \(price\)' "$T_ERR"
fake_run old 'del m["calibration"]'
SC_PROMOTE=always t_exit "register a champion without calibration" 0 sh "$S/register.sh"
fake_run naive2 'pass'
t_exit "register a lambda-0 candidate again" 0 sh "$S/register.sh"
t_check "over a champion without validated skill, the test RMSE decides" test "$(meta naive2 \
	'(d["register"]["champion_validated_skill"], "not positive" in d["register"]["why"], d["register"]["promoted"] == (d["register"]["test_rmse"] < d["register"]["champion_test_rmse"]))')" = "(None, False, True)"
SC_FOREST_ARGS="--trees 30 --no-validation" SC_RUN_ID=noval2 t_exit "train without validation" 0 sh "$S/train.sh"
t_check "no validation: CV RMSE from OOB, no validated figures" test "$(meta noval2 \
	'(d["cv_rmse_from"], d["validated_rmse"], d["validated_skill"])')" = "('oob_rmse', None, None)"
t_done
