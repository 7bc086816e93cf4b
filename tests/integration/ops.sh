#!/usr/bin/env bash
# The pipeline scripts (scripts/*.sh) end to end: prepare, train, register,
# inference, evaluate and plot on a local store, with every stored object
# checked (tests/check_store.py); prepare's incremental fetch (old rows
# kept, the overlap refetched); register's champion rule (a candidate with
# the best CV RMSE but a worse test RMSE is registered and does not take
# champion; a better one does); bad configuration and failing sources;
# then the same pipeline against the S3 server and a Pushgateway, with the
# pushed metrics read back.  Offline: synthetic prices, fixed SC_TODAY.
# shellcheck disable=SC2016 # Python and awk programs in single quotes
. "$(dirname "$0")/../lib.sh"

PY=/usr/bin/python3
S=$SC_TOP/scripts
D=$T_TMP/d
mkdir -p "$D"
export SC_SOURCE=synthetic SC_TRIALS=0 SC_FROM=2025-06-02 SC_TODAY=2026-06-30 \
	SC_TICKERS="MSFT AAPL BRK-B" SC_MODEL_NAME=fc SC_BIN
TICKERS="AAPL BRK-B MSFT"
export SC_RETRY_BASE=0.01 SC_RETRY_CAP=0.05 SC_RETRY_MAX=2 SC_HTTP_TIMEOUT=5 \
	SC_HTTP_CONNECT_TIMEOUT=2

# json FILE EXPR: EXPR in Python over the JSON of FILE as d.
json() {
	"$PY" -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}
# lines CMD...: turn a checker's ok / not ok lines into ours.
lines() {
	local line
	while IFS= read -r line; do
		case $line in
		"ok "*) t_ok "${line#ok }" ;;
		"not ok "*) t_fail "${line#not ok }" ;;
		*) echo "# $line" ;;
		esac
	done < <("$@" 2>&1 || echo "not ok $* exited $?")
}
# mirror DIR: copy every object of SC_STORE into DIR, by key.
mirror() {
	local k n=0
	rm -rf "$1"
	sc-fetch -l '' > "$T_TMP/keys" || return 1
	while IFS= read -r k; do
		k=${k#"${PREFIX:-}"}
		mkdir -p "$1/$(dirname "$k")"
		sc-fetch "$k" > "$1/$k" || return 1
		n=$((n + 1))
	done < "$T_TMP/keys"
	[ "$n" -gt 0 ]
}
step() { t_exit "$1" "$2" sh "$S/$3.sh"; }

# Configuration is checked before anything runs.
export SC_STORE=$T_TMP/store
SC_TICKERS="aapl" step "lower-case ticker: exit 64" 64 prepare
t_grep "names the ticker" 'prepare: error: ticker "aapl"' "$T_ERR"
SC_TICKERS='A;B' step "ticker with ;: exit 64" 64 prepare
SC_TICKERS=" " step "no ticker: exit 64" 64 prepare
SC_TICKERS=ABCDEFGHIJKLMNOPQRSTU step "ticker of 21 characters: exit 64" 64 prepare
SC_TRIALS=x step "SC_TRIALS=x: exit 64" 64 train
SC_TODAY=30.06.2026 step "bad SC_TODAY: exit 64" 64 prepare
SC_SOURCE=nasdaq step "unknown source: exit 64" 64 prepare
SC_MODEL_NAME=.x step "bad model name: exit 64" 64 register
t_check "nothing stored" test ! -e "$SC_STORE"
: > "$T_TMP/afile"
SC_STORE=$T_TMP/afile/store step "a store under a file: exit 77" 77 prepare
t_grep "names the place" "prepare: error: store $T_TMP/afile/store: $T_TMP/afile is not a writable directory" "$T_ERR"
step "inference before anything: exit 66" 66 inference
t_grep "says to run prepare" 'not in the store .*run prepare first|no champion|run train and register first' "$T_ERR"
step "train before prepare: exit 66" 66 train

# prepare.
step "prepare" 0 prepare
t_grep "log lines carry a UTC timestamp" '^20[0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-9:]{8}Z prepare: ' "$T_ERR"
t_grep "logs a full fetch" 'AAPL: fetched [0-9]+ days from 2025-06-02 \(no stored history\)' "$T_ERR"
for t in $TICKERS; do
	sc-fetch --from 2025-06-02 --to 2026-06-30 "synthetic:$t" > "$D/full.$t.csv"
done
t_check "raw/AAPL.csv is the source's history" cmp -s "$SC_STORE/raw/AAPL.csv" "$D/full.AAPL.csv"
t_check "30 test rows per ticker" test "$(tail -n +2 "$SC_STORE/processed/test.csv" | cut -d, -f2 | sort | uniq -c | awk '{ print $1 }' | sort -u)" = 30
cp "$SC_STORE/processed/train.csv" "$D/train.1"

# Incremental: stored rows before the overlap are kept as stored (a marker
# survives), the overlap is fetched again (a "revised" last bar is
# replaced by the source's), and only the overlap is asked for.
awk -F, 'BEGIN { OFS = "," } NR == 2 { $6 = "1.25" } { print }' "$D/full.MSFT.csv" > "$D/m.csv"
last=$(tail -n 1 "$D/full.MSFT.csv")
sed -i '$ s/^\([^,]*,[^,]*,[^,]*,[^,]*,[^,]*,\)[^,]*/\199999/' "$D/m.csv"
sc-push raw/MSFT.csv < "$D/m.csv"
SC_TODAY=2026-07-10 step "prepare again, ten days later" 0 prepare
t_grep "asks only from the last stored day minus the overlap" \
	'MSFT: fetched 11 days from 2026-06-25 \(overlap 5 days\), kept 267 stored' "$T_ERR"
t_check "an old stored row is kept as stored" test \
	"$(sed -n 2p "$SC_STORE/raw/MSFT.csv" | cut -d, -f6)" = 1.25
t_check "the revised last bar is the source's again" grep -qxF "$last" "$SC_STORE/raw/MSFT.csv"
sc-fetch --from 2025-06-02 --to 2026-07-10 synthetic:AAPL > "$D/full2.csv"
t_check "the history equals a full fetch" cmp -s "$SC_STORE/raw/AAPL.csv" "$D/full2.csv"
t_check "the training set changed" sh -c "! cmp -s '$SC_STORE/processed/train.csv' '$D/train.1'"
SC_TODAY=2026-07-11 step "prepare on a Saturday: nothing new" 0 prepare
t_grep "fetches only the overlap again" 'AAPL: fetched 5 days from 2026-07-05 \(overlap 5 days\), kept 273 stored' "$T_ERR"
t_check "history unchanged" cmp -s "$SC_STORE/raw/AAPL.csv" "$D/full2.csv"

# A rerun of a past day inside the overlap (stored up to 07-10, rerun on
# 07-08) keeps every stored row: each raw file byte for byte as before.
for t in $TICKERS; do cp "$SC_STORE/raw/$t.csv" "$D/before.$t.csv"; done
SC_TODAY=2026-07-08 step "prepare rerun for a past day inside the overlap" 0 prepare
for t in $TICKERS; do
	t_check "rerun of 07-08: raw/$t.csv as before, 07-09 and 07-10 kept" \
		cmp "$SC_STORE/raw/$t.csv" "$D/before.$t.csv"
done
t_grep "rerun of 07-08: says nothing was fetched" \
	'AAPL: the stored history reaches 2026-07-10, after SC_TODAY=2026-07-08: nothing fetched' "$T_ERR"
SC_TODAY=2026-07-10 step "prepare rerun of the last stored day" 0 prepare
for t in $TICKERS; do
	t_check "rerun of 07-10: raw/$t.csv as before" cmp "$SC_STORE/raw/$t.csv" "$D/before.$t.csv"
done
# Rows after the fetched window survive a merge too: a stored row dated
# after SC_TODAY that the source does not return (here a week-end day).
{ cat "$D/before.AAPL.csv"; echo "2026-07-12,AAPL,1,1,1,1,1,1"; } > "$D/later.csv"
head -n 1 "$D/before.AAPL.csv" | grep -q '^date,ticker,open,high,low,close,adj_close,volume$' ||
	t_fail "raw header changed: fix the test's extra row"
sc-push raw/AAPL.csv < "$D/later.csv"
SC_TODAY=2026-07-12 SC_TICKERS=AAPL step "prepare on the day of a stored week-end row" 0 prepare
t_check "the stored row after the fetched days is kept" cmp "$SC_STORE/raw/AAPL.csv" "$D/later.csv"
sc-push raw/AAPL.csv < "$D/before.AAPL.csv"
SC_TODAY=2026-07-10 step "prepare: processed/ back to 07-10" 0 prepare

# A failing source: non-zero exit, the reason logged, processed/ untouched.
cp "$SC_STORE/processed/train.csv" "$D/train.2"
dead=$(t_port)
SC_SOURCE=yahoo SC_YAHOO_URL=http://127.0.0.1:$dead SC_TODAY=2026-07-20 \
	step "prepare with the source down: exit 69" 69 prepare
t_grep "logs the failure" 'prepare: error: 3 ticker\(s\) could not be fetched' "$T_ERR"
t_check "processed/ left as it was" cmp -s "$SC_STORE/processed/train.csv" "$D/train.2"

# train.
export SC_TODAY=2026-07-10
step "train, no search (SC_TRIALS=0)" 0 train
RUN_A=$(cat "$T_OUT")
t_check "prints the run id" test -f "$SC_STORE/runs/$RUN_A/meta.json"
t_check "trials.jsonl empty without a search" test -f "$SC_STORE/runs/$RUN_A/trials.jsonl" -a ! -s "$SC_STORE/runs/$RUN_A/trials.jsonl"
t_check "meta.json: CV RMSE out of time (walk-forward validation), training hash" test "$(json "$SC_STORE/runs/$RUN_A/meta.json" \
	'(d["search"], d["cv_rmse_from"], abs(d["cv_rmse"] - json.load(open(sys.argv[1].replace("meta", "model")))["calibration"]["mse"]["model"] ** 0.5) < 1e-12, d["train_sha256"])')" \
	= "('none', 'calibration.mse.model', True, '$(sha256sum < "$SC_STORE/processed/train.csv" | cut -d' ' -f1)')"
t_check "metrics.json: the model on processed/test.csv" test "$(json "$SC_STORE/runs/$RUN_A/metrics.json" 'd["n"]')" = 90
SC_RUN_ID="$RUN_A" step "the same run id again: exit 73" 73 train
SC_RUN_ID="../x" step "a bad run id: exit 64" 64 train
if command -v sc-tune > /dev/null; then
	SC_TRIALS=3 SC_RUN_ID=tuned step "train with a search (SC_TRIALS=3)" 0 train
	t_check "3 trials stored" test "$(wc -l < "$SC_STORE/runs/tuned/trials.jsonl")" = 3
	t_check "CV RMSE from tuning.cv_rmse" test "$(json "$SC_STORE/runs/tuned/meta.json" 'd["cv_rmse_from"]')" = tuning.cv_rmse
	sc-push --delete runs/tuned/meta.json
	for k in 1 2; do
		SC_TRIALS=4 SC_TUNE_ARGS="--shard $k/2 --sampler random" SC_RUN_ID=shard-$k \
			step "train shard $k of 2 of one search" 0 train
	done
	t_check "the shards ran the search's trials between them" test "$(cat \
		"$SC_STORE"/runs/shard-*/trials.jsonl | "$PY" -c 'import json, sys; print(sorted(json.loads(l)["number"] for l in sys.stdin))')" = "[0, 1, 2, 3]"
	t_check "each shard's CV RMSE is its best trial's" "$PY" -c '
import json, sys
for k in ("1", "2"):
    d = sys.argv[1] + "/runs/shard-" + k
    best = min(json.loads(l)["value"] for l in open(d + "/trials.jsonl") if json.loads(l)["state"] == "complete")
    assert abs(json.load(open(d + "/meta.json"))["cv_rmse"] - best) < 1e-12, (k, best)' "$SC_STORE"
	sc-push --delete runs/shard-1/meta.json
	sc-push --delete runs/shard-2/meta.json
else
	t_skip "train with a search: sc-tune not built yet"
	SC_TRIALS=3 step "SC_TRIALS=3 without sc-tune: exit 69" 69 train
	t_grep "says SC_TRIALS=0 fits once" 'SC_TRIALS=0 fits once' "$T_ERR"
fi

# register: the first model becomes champion.
step "register the first model" 0 register
t_check "version 1" test "$(cat "$T_OUT")" = 1
t_grep "champion: there was none" 'champion -> version 1: there was no champion' "$T_ERR"
t_check "alias champion -> 1" test "$(cat "$SC_STORE/models/fc/aliases/champion")" = 1
t_check "lineage: run id, CV RMSE, test metrics" test "$(json "$SC_STORE/models/fc/index.json" \
	'(d["versions"][0]["run_id"], d["versions"][0]["cv_rmse"] > 0, d["versions"][0]["test"]["n"])')" = "('$RUN_A', True, 90)"
step "register again: nothing new" 0 register
t_check "still version 1" test "$(cat "$T_OUT")" = 1
t_grep "says so" "already version 1" "$T_ERR"
t_check "no version 2" test ! -e "$SC_STORE/models/fc/2"

# A candidate with the best CV RMSE but a bad model (every leaf predicts
# a 5% rise, served unshrunk with a claimed validated skill): registered as
# version 2, champion stays at 1 on the test RMSE.
mkdir -p "$SC_STORE/runs/bad-1"
"$PY" - "$SC_STORE/runs/$RUN_A" "$SC_STORE/runs/bad-1" <<'PYEOF'
import json, sys
m = json.load(open(sys.argv[1] + "/model.json"))
for t in m["trees"]:
    t["value"] = [0.05] * len(t["value"])
m["calibration"]["lambda"] = 1.0
m["calibration"]["skill"] = 0.5
json.dump(m, open(sys.argv[2] + "/model.json", "w"))
meta = json.load(open(sys.argv[1] + "/meta.json"))
for k in ("registered_version", "register"):
    meta.pop(k, None)
meta.update(run_id="bad-1", cv_rmse=0.0001)
json.dump(meta, open(sys.argv[2] + "/meta.json", "w"))
PYEOF
step "register a candidate that is worse on the test set" 0 register
t_check "registered as version 2" test "$(cat "$T_OUT")" = 2
t_grep "picked for its CV RMSE" 'best CV RMSE 0.0001: run bad-1' "$T_ERR"
t_grep "champion stays, with both RMSEs" 'champion stays at version 1: test RMSE [0-9.e+-]+ >= [0-9.e+-]+ \(version 1\)' "$T_ERR"
t_check "alias champion still 1" test "$(cat "$SC_STORE/models/fc/aliases/champion")" = 1
t_check "run meta: both test RMSEs, not promoted" "$PY" -c '
import json, sys
r = json.load(open(sys.argv[1]))["register"]
assert r["promoted"] is False and r["champion_version"] == 1, r
assert r["test_rmse"] > r["champion_test_rmse"] > 0, r' "$SC_STORE/runs/bad-1/meta.json"
t_check "lineage of version 2: its run and test metrics" test "$(json "$SC_STORE/models/fc/index.json" \
	'(d["versions"][1]["run_id"], d["versions"][1]["cv_rmse"])')" = "('bad-1', 0.0001)"
SC_PROMOTE=always step "SC_PROMOTE=always moves champion to it" 0 register
t_check "alias champion now 2" test "$(cat "$SC_STORE/models/fc/aliases/champion")" = 2
step "register once more: it is the champion already" 0 register
t_grep "a tie keeps the champion" 'it is the champion already' "$T_ERR"

# A new training: a good model beats the bad champion and takes it.
SC_TODAY=2026-07-20 step "prepare: new data" 0 prepare
SC_TODAY=2026-07-20 step "train on it" 0 train
RUN_C=$(cat "$T_OUT")
t_check "a random walk: lambda 0, no validated skill" test \
	"$(json "$SC_STORE/runs/$RUN_C/model.json" '(d["calibration"]["lambda"], d["calibration"]["skill"])')" = "(0.0, 0.0)"
# The same model claiming a small validated skill, as run good-1, with the
# best CV RMSE of the training.
mkdir -p "$SC_STORE/runs/good-1"
"$PY" - "$SC_STORE/runs/$RUN_C" "$SC_STORE/runs/good-1" <<'PYEOF'
import json, sys
m = json.load(open(sys.argv[1] + "/model.json"))
m["calibration"]["lambda"] = 0.2
m["calibration"]["skill"] = 0.01
json.dump(m, open(sys.argv[2] + "/model.json", "w"))
meta = json.load(open(sys.argv[1] + "/meta.json"))
meta.update(run_id="good-1", cv_rmse=0.00005)
json.dump(meta, open(sys.argv[2] + "/meta.json", "w"))
PYEOF
SC_TODAY=2026-07-20 step "register: better on the test set" 0 register
t_check "version 3" test "$(cat "$T_OUT")" = 3
t_grep "champion moves" 'champion -> version 3: test RMSE [0-9.e+-]+ < [0-9.e+-]+ \(version 2\)' "$T_ERR"
t_check "alias champion now 3" test "$(cat "$SC_STORE/models/fc/aliases/champion")" = 3
t_check "run meta: promoted, with its validated skill" test "$(json "$SC_STORE/runs/good-1/meta.json" '(d["register"]["promoted"], d["register"]["validated_skill"])')" = "(True, 0.01)"
# A new run of the model without validated skill (lambda 0): registered,
# not promoted, whatever its test RMSE.
mkdir -p "$SC_STORE/runs/flat-1"
"$PY" - "$SC_STORE/runs/$RUN_C" "$SC_STORE/runs/flat-1" <<'PYEOF'
import json, shutil, sys
shutil.copy(sys.argv[1] + "/model.json", sys.argv[2] + "/model.json")
meta = json.load(open(sys.argv[1] + "/meta.json"))
for k in ("registered_version", "registered_model", "registered_at", "register", "passed_over_by"):
    meta.pop(k, None)
meta.update(run_id="flat-1", cv_rmse=0.00001)
json.dump(meta, open(sys.argv[2] + "/meta.json", "w"))
PYEOF
SC_TODAY=2026-07-20 step "register: no validated skill" 0 register
t_check "version 4" test "$(cat "$T_OUT")" = 4
t_grep "champion stays: skill not positive" 'champion stays at version 3: validated skill 0.0 over the naive forecast is not positive' "$T_ERR"
t_check "alias champion still 3" test "$(cat "$SC_STORE/models/fc/aliases/champion")" = 3
SC_PROMOTE=maybe step "SC_PROMOTE=maybe: exit 64" 64 register

# inference, evaluate, plot.
export SC_TODAY=2026-07-20
step "inference" 0 inference
t_grep "no gateway: push skipped with a log line" 'SC_PUSHGATEWAY_URL unset: not pushing stockcast_inference' "$T_ERR"
P=$SC_STORE/predictions/2026-07-20.csv
t_check "a forecast per ticker, as of the last trading day, by the champion" test \
	"$(tail -n +2 "$P" | cut -d, -f1,3,9 | tr '\n' ' ')" = "2026-07-20,AAPL,fc/3 2026-07-20,BRK-B,fc/3 2026-07-20,MSFT,fc/3 "
t_check "the same as sc-predict --next on the history" sh -c "
	sc-fetch models:/fc/3 > '$D/m3.json' &&
	{ cat '$SC_STORE/raw/AAPL.csv'; tail -n +2 '$SC_STORE/raw/BRK-B.csv'; tail -n +2 '$SC_STORE/raw/MSFT.csv'; } > '$D/h.csv' &&
	sc-predict -m '$D/m3.json' --next -i 0.9 -N fc/3 '$D/h.csv' | cmp -s - '$P'"
for t in AAPL BRK-B MSFT; do cp "$SC_STORE/raw/$t.csv" "$D/inf.$t.csv"; done
SC_TODAY=2026-07-10 step "inference rerun for a past day" 0 inference
for t in AAPL BRK-B MSFT; do
	t_check "inference rerun of 07-10: raw/$t.csv byte for byte as before" \
		cmp "$SC_STORE/raw/$t.csv" "$D/inf.$t.csv"
done
t_grep "fetches nothing after it" 'AAPL: the stored history reaches 2026-07-20, after SC_TODAY=2026-07-10: nothing fetched' "$T_ERR"
t_check "forecasts as of that day" test \
	"$(tail -n +2 "$SC_STORE/predictions/2026-07-10.csv" | cut -d, -f1 | sort -u)" = 2026-07-10
t_check "the history is kept whole" test "$(tail -n 1 "$SC_STORE/raw/AAPL.csv" | cut -d, -f1)" = 2026-07-20
sc-push --delete predictions/2026-07-10.csv
step "evaluate" 0 evaluate
E=$SC_STORE/evaluations/2026-07-20.json
t_check "evaluation: 30 days of 3 tickers, naive baseline, the champion" test \
	"$(json "$E" '(d["n"], sorted(d["tickers"]), d["naive_rmse"] > 0, d["model"])')" = \
	"(90, ['AAPL', 'BRK-B', 'MSFT'], True, 'fc/3')"
step "plot" 0 plot
t_check "prints the PNG and SVG paths" test "$(cat "$T_OUT")" = \
	"$SC_STORE/plots/2026-07-20.png
$SC_STORE/plots/2026-07-20.svg"
t_check "a PNG" test "$(head -c 8 "$SC_STORE/plots/2026-07-20.png" | od -An -tx1 | tr -d ' ')" = 89504e470d0a1a0a
t_check "PNG not tiny" test "$(wc -c < "$SC_STORE/plots/2026-07-20.png")" -gt 20000
t_grep "an SVG with a panel per ticker" '>BRK-B<' "$SC_STORE/plots/2026-07-20.svg"
SC_TODAY=2026-07-21 step "plot falls back to the latest evaluation" 0 plot
t_grep "the latest" 'plots/2026-07-20.png' "$T_OUT"
lines "$PY" "$SC_TOP/tests/check_store.py" "$SC_STORE" "$TICKERS" 2026-07-20 fc

# make demo's script on its own store (its time is measured by make bench,
# not asserted here).
t_exit "scripts/demo.sh" 0 env SC_STORE="$T_TMP/demo" SC_TODAY=2026-06-30 \
	SC_TICKERS= sh "$S/demo.sh" "$SC_BIN"
t_grep "demo: the forecast table" '^META +2026-06-30 ' "$T_OUT"
t_grep "demo: the test metrics" '^all +180 ' "$T_OUT"
t_grep "demo: the plot's path" "^Plot: $T_TMP/demo/plots/2026-06-30.png$" "$T_OUT"
# January: the demo fetches a year before SC_TODAY, not from January 1st.
t_exit "scripts/demo.sh on January 15th" 0 env SC_STORE="$T_TMP/demo-jan" SC_TODAY=2026-01-15 \
	SC_FROM= SC_TICKERS=AAPL SC_TRIALS=0 sh "$S/demo.sh" "$SC_BIN"
t_grep "demo in January: the forecast table" '^AAPL +2026-01-15 ' "$T_OUT"
t_grep "demo in January: a year of history" 'AAPL: fetched [0-9]+ days from 2025-01-15 ' "$T_ERR"
SC_STORE=$T_TMP/jan SC_TODAY=2026-01-15 SC_FROM=2026-01-01 SC_TICKERS=AAPL \
	step "prepare with too short a history: exit 65" 65 prepare
t_grep "suggests an earlier SC_FROM" 'prepare: error: too little history from SC_FROM=2026-01-01 .*set an earlier SC_FROM \(e.g. SC_FROM=2025-01-15\)' "$T_ERR"
# A market holiday (Martin Luther King Day, Monday 2026-01-19) after the
# January demo: the shipped schedules run on every weekday, holidays
# included, and the staleness alerts' allowances count on a holiday's run
# succeeding (monitor/prometheus/rules.yml, drift.rules.yml).
for st in inference evaluate drift; do
	SC_STORE=$T_TMP/demo-jan SC_TODAY=2026-01-19 SC_FROM=2025-01-15 SC_TICKERS=AAPL \
		step "$st on a market holiday succeeds" 0 "$st"
done
t_check "the holiday's forecast is for the next trading day (Tuesday)" test \
	"$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "date") c = i; next }
		{ print $c }' "$T_TMP/demo-jan/predictions/2026-01-19.csv")" = 2026-01-20
unset SC_STORE

# The same pipeline on S3 with a Pushgateway.
t_start_s3rver bkt
case $? in
0) ;;
2)
	t_skip "S3 pipeline: s3rver not installed (run make deps)"
	t_done
	exit
	;;
*)
	t_fail "s3rver did not start"
	t_done
	exit 1
	;;
esac
PGW=/usr/bin/prometheus-pushgateway
if [ ! -x "$PGW" ]; then
	t_skip "S3 pipeline: prometheus-pushgateway not installed"
	t_done
	exit
fi
GPORT=$(t_port)
GW=http://127.0.0.1:$GPORT
t_bg "$PGW" --web.listen-address="127.0.0.1:$GPORT" --persistence.file= --log.level=warn
t_wait_http "$GW/-/ready" 10 || t_fail "pushgateway did not start"
# A wrong bucket is not "no stored history": every step stops before it
# reads or fetches anything (the source here would fail with 69), with
# exit 66 and the bucket named; a refused write is 77.
dead=$(t_port)
for s in prepare inference train; do
	SC_STORE=s3://nobkt/sc SC_SOURCE=yahoo SC_YAHOO_URL=http://127.0.0.1:$dead SC_TODAY=2026-07-20 \
		step "S3: $s with a bucket that does not exist: exit 66" 66 "$s"
	t_grep "S3: $s names the bucket" "$s: error: store s3://nobkt/sc: the bucket \"nobkt\" does not exist \(NoSuchBucket\)" "$T_ERR"
	t_check "S3: $s fetched nothing from the source" sh -c "! grep -Eq 'days from|could not be fetched|127[.]0[.]0[.]1' '$T_ERR'"
done
AWS_SECRET_ACCESS_KEY=wrong SC_STORE=s3://bkt/sc SC_SOURCE=yahoo SC_YAHOO_URL=http://127.0.0.1:$dead \
	step "S3: prepare that cannot write: exit 77" 77 prepare
t_grep "S3: says it cannot write, naming the bucket" 'prepare: error: store s3://bkt/sc: cannot write to the bucket "bkt"' "$T_ERR"
t_check "S3: the probe leaves nothing behind" test -z "$(SC_STORE=s3://bkt/sc sc-fetch -l '')"
export SC_STORE=s3://bkt/sc SC_PUSHGATEWAY_URL=$GW SC_TODAY=2026-07-20
mkdir -p "$T_TMP/cwd"
cd "$T_TMP/cwd" || exit 1
for s in prepare train register inference evaluate plot; do
	step "S3: $s" 0 "$s"
done
t_grep "S3: plot names the object" '^s3://bkt/sc/plots/2026-07-20.png$' "$T_OUT"
t_check "S3: nothing written locally" test -z "$(ls -A "$T_TMP/cwd")"
PREFIX=sc/
sc-fetch -l '' | head -n 1 | grep -q '^sc/' || PREFIX=
t_check "S3: mirror every object" mirror "$T_TMP/mirror"
lines "$PY" "$SC_TOP/tests/check_store.py" "$T_TMP/mirror" "$TICKERS" 2026-07-20 fc
curl -sf "$GW/api/v1/metrics" > "$D/api.json"
t_check "pushed: a forecast gauge per ticker, equal to the stored forecast" "$PY" - "$D/api.json" "$T_TMP/mirror/predictions/2026-07-20.csv" <<'PYEOF'
import csv, json, sys
data = json.load(open(sys.argv[1]))["data"]
want = {r["ticker"]: float(r["predicted_close"]) for r in csv.DictReader(open(sys.argv[2]))}
got = {}
for g in data:
    if g["labels"].get("job") == "stockcast_inference" and "ticker" in g["labels"]:
        got[g["labels"]["ticker"]] = float(g["stockcast_forecast_close"]["metrics"][0]["value"])
assert got == want, (got, want)
PYEOF
t_check "pushed: the evaluation's RMSE, per ticker and overall" "$PY" - "$D/api.json" "$T_TMP/mirror/evaluations/2026-07-20.json" <<'PYEOF'
import json, sys
data = json.load(open(sys.argv[1]))["data"]
m = json.load(open(sys.argv[2]))
seen = 0
for g in data:
    if g["labels"].get("job") != "stockcast_evaluate":
        continue
    t = g["labels"].get("ticker")
    want = m["tickers"][t]["rmse"] if t else m["rmse"]
    assert abs(float(g["stockcast_rmse"]["metrics"][0]["value"]) - want) < 1e-9 * want, g
    seen += 1
assert seen == 4, seen
PYEOF
t_check "pushed: last success of both jobs and the champion's version" "$PY" - "$D/api.json" <<'PYEOF'
import json, sys, time
data = json.load(open(sys.argv[1]))["data"]
jobs = {}
for g in data:
    if "ticker" not in g["labels"] and "stockcast_last_success_timestamp_seconds" in g:
        v = float(g["stockcast_last_success_timestamp_seconds"]["metrics"][0]["value"])
        jobs[g["labels"]["job"]] = v
        assert "stockcast_last_run_duration_seconds" in g, g["labels"]
        if g["labels"]["job"] in ("stockcast_inference", "stockcast_evaluate"):
            ver = g["stockcast_model_version"]["metrics"][0]
            assert ver["value"] == "1" and ver["labels"]["model"] == "fc", ver
assert {"stockcast_inference", "stockcast_evaluate"} <= set(jobs) <= {
    "stockcast_inference", "stockcast_evaluate", "stockcast_evaluate_served",
    "stockcast_evaluate_backtest"}, jobs
assert all(abs(v - time.time()) < 600 for v in jobs.values()), jobs
PYEOF
AWS_SECRET_ACCESS_KEY=wrong step "S3: a wrong secret fails the step (77)" 77 evaluate
t_grep "S3: and logs it" 'evaluate: error|SignatureDoesNotMatch' "$T_ERR"
t_check "S3: the secret is not in the log" sh -c "! grep -q S3RVER '$T_ERR'"
t_done
