#!/usr/bin/env bash
# The model registry through sc-push and sc-fetch: models:/NAME registers,
# models:/NAME/N, /latest and @ALIAS fetch, --alias and --delete manage
# aliases.  On the local store: eight registrations at once get eight
# versions, none lost, each stored byte for byte.  On a real S3 server
# (s3rver): the same operations under SC_STORE=s3://.  Through
# tests/servers/faults.py: every version is created with If-None-Match: *
# (s3rver ignores it), and a 412 moves the registration to the next number.
. "$(dirname "$0")/../lib.sh"

PY=/usr/bin/python3
FAULTS=$SC_TOP/tests/servers/faults.py
D=$T_TMP/d
mkdir -p "$D"

same() { cmp -s "$1" "$2"; }

# jq-less JSON queries: json FILE EXPR, EXPR in Python over d.
json() {
	"$PY" -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

# A real model (sc-push runs the model loader), with the lineage members
# the checks below look for set to known values.
printf 'date,ema_5,ema_10,ema_20,target_logret_1\n2024-01-02,1,2,3,0.01\n2024-01-03,2,3,1,-0.02\n2024-01-04,3,1,2,0.03\n2025-12-31,4,4,4,0.0\n' |
	sc-forest --trees 1 --seed 42 > "$D/real.json"
"$PY" - "$D/real.json" "$D/model.json" << 'EOF'
import json, sys
m = json.load(open(sys.argv[1]))
m["training"] = {"rows": 500, "date_from": "2024-01-02", "date_to": "2025-12-31",
    "sha256": "5f2b1c9e0d6a4f3b8c7e1d2a9b0c3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d"}
m["oob_rmse"] = 0.0123
m["cv"] = {"folds": 5, "rmse": 0.0131}
json.dump(m, open(sys.argv[2], "w"))
EOF
cat > "$D/metrics.json" << 'EOF'
{"n": 30, "skipped": 0, "rmse": 1.5, "mae": 1.25, "mape": 0.01,
 "directional_accuracy": 0.55, "naive_rmse": 2, "skill": 0.25,
 "interval_coverage": null, "model": "m", "tickers": {}}
EOF
for i in 1 2 3 4 5 6 7 8; do
	sed "s/\"seed\": 42/\"seed\": $i/" "$D/model.json" > "$D/m$i.json"
done

# The local store.
export SC_STORE=$T_TMP/store
for i in 1 2 3 4 5 6 7 8; do
	(sc-push models:/m < "$D/m$i.json" > "$D/out.$i" 2> "$D/err.$i"
		echo $? > "$D/rc.$i") &
done
wait
t_check "8 at once: all exit 0" test "$(cat "$D"/rc.* | sort -u)" = 0
t_check "8 at once: versions 1 to 8, each once" test \
	"$(cat "$D"/out.* | sort -n | tr '\n' ' ')" = "1 2 3 4 5 6 7 8 "
t_check "8 at once: all 8 in index.json" test "$(json \
	"$SC_STORE/models/m/index.json" '[v["version"] for v in d["versions"]]')" \
	= "[1, 2, 3, 4, 5, 6, 7, 8]"
ok=0
for i in 1 2 3 4 5 6 7 8; do
	sc-fetch "models:/m/$(cat "$D/out.$i")" > "$D/got" &&
		same "$D/got" "$D/m$i.json" && ok=$((ok + 1))
done
t_check "8 at once: each version is what its writer pushed" test "$ok" -eq 8
t_check "8 at once: nothing on stderr" test -z "$(cat "$D"/err.*)"

t_exit "register with lineage" 0 sc-push --run-id run-42 \
	--metrics "$D/metrics.json" --cv-rmse 0.0131 models:/lin < "$D/model.json"
t_check "prints version 1" test "$(cat "$T_OUT")" = 1
t_exit "again: version 2" 0 sc-push models:/lin < "$D/model.json"
t_check "prints 2" test "$(cat "$T_OUT")" = 2
t_exit "fetch the index" 0 sc-fetch models:/lin
cp "$T_OUT" "$D/index.json"
t_check "index: run id" test "$(json "$D/index.json" \
	'd["versions"][0]["run_id"]')" = run-42
t_check "index: test metrics" test "$(json "$D/index.json" \
	'[d["versions"][0]["test"][k] for k in ("rmse", "naive_rmse", "skill")]')" \
	= "[1.5, 2, 0.25]"
t_check "index: training data hash" test "$(json "$D/index.json" \
	'd["versions"][0]["training"]["sha256"][:8]')" = 5f2b1c9e
t_check "index: CV and OOB" test "$(json "$D/index.json" \
	'(d["versions"][0]["cv_rmse"], d["versions"][0]["oob_rmse"])')" \
	= "(0.0131, 0.0123)"
t_check "index: registration time" test "$(json "$D/index.json" \
	'len(d["versions"][1]["registered"])')" = 20
t_check "index: model sha256" test "$(json "$D/index.json" \
	'd["versions"][0]["model"]["sha256"]')" = \
	"$(sha256sum < "$D/model.json" | cut -d' ' -f1)"
t_check "index equals index.json" same "$D/index.json" \
	"$SC_STORE/models/lin/index.json"

# Aliases.
t_exit "--alias champion models:/m/3" 0 sc-push --alias champion models:/m/3
t_exit "fetch @champion" 0 sc-fetch models:/m@champion
t_check "@champion is version 3" same "$T_OUT" \
	"$D/m$(grep -lx 3 "$D"/out.* | sed 's/.*out\.//').json"
t_exit "move it to latest" 0 sc-push --alias champion models:/m/latest
t_exit "--alias prod models:/m@champion" 0 sc-push --alias prod models:/m@champion
t_exit "fetch latest" 0 sc-fetch models:/m/latest
cp "$T_OUT" "$D/latest"
t_check "latest is version 8" same "$D/latest" \
	"$D/m$(grep -lx 8 "$D"/out.* | sed 's/.*out\.//').json"
t_exit "fetch @prod" 0 sc-fetch -o "$D/prod" models:/m@prod
t_check "@prod (-o FILE) is latest" same "$D/prod" "$D/latest"
t_exit "index" 0 sc-fetch models:/m
t_check "index lists the aliases" test "$(json "$T_OUT" 'd["aliases"]')" = \
	"{'champion': 8, 'prod': 8}"
t_exit "--delete models:/m@champion" 0 sc-push --delete models:/m@champion
t_exit "deleted alias exits 66" 66 sc-fetch models:/m@champion
t_grep "says so" 'models:/m@champion: no such alias' "$T_ERR"
t_check "gone from index.json" test "$(json \
	"$SC_STORE/models/m/index.json" 'd["aliases"]')" = "{'prod': 8}"
t_exit "deleting it again exits 66" 66 sc-push --delete models:/m@champion

# Errors.
t_exit "not JSON exits 65" 65 sc-push models:/bad < "$D/metrics.json"
t_grep "not a model" 'stdin: not a model' "$T_ERR"
echo '{"format": "sc-forest"' > "$D/cut.json"
t_exit "cut short exits 65" 65 sc-push models:/bad < "$D/cut.json"
t_grep "names the place" '^sc-push: stdin:[0-9]+:[0-9]+: ' "$T_ERR"
t_exit "empty input exits 65" 65 sc-push models:/bad
t_exit "nothing was registered" 66 sc-fetch models:/bad
t_grep "no such model" 'models:/bad: no such model' "$T_ERR"
t_exit "unknown version exits 66" 66 sc-fetch models:/m/9
t_grep "no such version" 'models:/m/9: no such version' "$T_ERR"
t_exit "unknown alias exits 66" 66 sc-fetch models:/m@nope
t_exit "unknown model, latest, exits 66" 66 sc-fetch models:/none/latest
t_exit "alias to a missing version exits 66" 66 \
	sc-push --alias champion models:/m/9
t_exit "missing metrics file exits 66" 66 sc-push --metrics "$D/none" \
	models:/m < "$D/model.json"
t_exit "bad name exits 64" 64 sc-push models:/.m < "$D/model.json"
t_exit "bad version exits 64" 64 sc-fetch models:/m/03
t_exit "bad alias exits 64" 64 sc-push --alias Champion models:/m/1
t_exit "reserved alias exits 64" 64 sc-push --alias latest models:/m/1
t_exit "registering at a version exits 64" 64 sc-push models:/m/3 \
	< "$D/model.json"
t_exit "--delete of a version exits 64" 64 sc-push --delete models:/m/3
t_exit "--alias without a version exits 64" 64 sc-push --alias c models:/m
t_exit "--if-none-match with models:/ exits 64" 64 \
	sc-push --if-none-match models:/m < "$D/model.json"
t_exit "--run-id with a key exits 64" 64 sc-push --run-id x raw/x.csv \
	< "$D/model.json"
t_exit "--cv-rmse -1 exits 64" 64 sc-push --cv-rmse -1 models:/m \
	< "$D/model.json"
t_exit "--run-id with --alias exits 64" 64 \
	sc-push --run-id x --alias c models:/m/1
t_exit "--list with models:/ exits 64" 64 sc-fetch -l models:/m
# Usage is checked before the configuration is loaded (a broken one is 78).
t_exit "usage before configuration: --delete of a version" 64 \
	env SC_HTTP_TIMEOUT=bogus sc-push --delete models:/m/3
t_grep "names the rule" 'models:/m/3: --delete removes an alias' "$T_ERR"
t_exit "usage before configuration: --alias with --delete" 64 \
	env SC_HTTP_TIMEOUT=bogus sc-push --alias c --delete models:/m@c
t_exit "usage before configuration: a bad name" 64 \
	env SC_HTTP_TIMEOUT=bogus sc-push models:/.m < "$D/model.json"
t_exit "a broken configuration is still 78" 78 \
	env SC_HTTP_TIMEOUT=bogus sc-push models:/m < "$D/model.json"
t_exit "versions unchanged" 0 sc-fetch models:/m
t_check "still 8" test "$(json "$T_OUT" 'd["latest"]')" = 8
# An index that cannot be written: the version still counts, with a warning.
mkdir -p "$SC_STORE/models/w/index.json"
t_exit "index not writable: registration still exits 0" 0 \
	sc-push models:/w < "$D/model.json"
t_check "and prints the version" test "$(cat "$T_OUT")" = 1
t_grep "with a warning" 'version 1 registered, but index.json was not updated' \
	"$T_ERR"
t_exit "readers do not need the index" 0 sc-fetch models:/w
t_check "they list the version" test "$(json "$T_OUT" 'd["latest"]')" = 1
# The registry's own keys through the plain store commands: refused.
for k in models/m/3/model.json models/m/9/meta.json models/m/aliases/champion \
	models/m/index.json; do
	t_exit "sc-push $k: refused (64)" 64 sc-push "$k" < "$D/model.json"
	t_grep "says to use models:/m" 'key of the model registry: register with "sc-push models:/m' "$T_ERR"
done
t_exit "sc-push --delete models/m/aliases/prod: refused" 64 \
	sc-push --delete models/m/aliases/prod
t_check "alias prod still there" test "$(cat "$SC_STORE/models/m/aliases/prod")" = 8
t_check "version 9 not created" test ! -e "$SC_STORE/models/m/9"
t_exit "as s3:// under an s3:// SC_STORE: refused" 64 env SC_STORE=s3://b/p \
	sc-push s3://b/p/models/m/3/model.json < "$D/model.json"
t_exit "a key beside the registry's is a plain key" 0 \
	sc-push models/m/notes.txt < "$D/metrics.json"
t_exit "sc-push --help" 0 sc-push --help
t_grep "shows models:/" 'models:/NAME' "$T_OUT"
t_exit "sc-fetch --help" 0 sc-fetch --help
t_grep "shows models:/" 'models:/NAME' "$T_OUT"
unset SC_STORE

# The registry workflow of the pipeline scripts (synthetic prices, a local
# store): which runs register takes, the run records, like with like.
S=$SC_TOP/scripts
rstep() { t_exit "$1" "$2" sh "$S/$3.sh"; }
export SC_STORE=$T_TMP/wf SC_SOURCE=synthetic SC_TRIALS=0 SC_FROM=2025-01-02 \
	SC_TODAY=2025-09-30 SC_TICKERS="AAA BBB" SC_MODEL_NAME=wf SC_TEST_DAYS=20 \
	SC_FOREST_ARGS="--trees 10 --min-samples-leaf 5"
mkdir -p "$SC_STORE/runs/direct"
echo '{"run_id": "direct", "cv_rmse": 0.5}' > "$SC_STORE/runs/direct/meta.json"
t_exit "sc-push --run-id of a run in the store" 0 \
	sc-push --run-id direct models:/direct < "$D/model.json"
t_check "its run record says which version it became" test "$(json \
	"$SC_STORE/runs/direct/meta.json" \
	'(d["registered_model"], d["registered_version"], d["cv_rmse"], len(d["registered_at"]))')" \
	= "('direct', 1, 0.5, 20)"
t_exit "sc-push --run-id of a run not in the store" 0 \
	sc-push --run-id elsewhere models:/direct < "$D/model.json"
t_check "registers all the same" test "$(cat "$T_OUT")" = 2
rstep "prepare" 0 prepare
SC_RUN_ID=s1 SC_SEED=1 rstep "train run s1" 0 train
SC_RUN_ID=s2 SC_SEED=2 rstep "train run s2 on the same data" 0 train
rstep "register the better of s1 and s2" 0 register
t_check "version 1" test "$(cat "$T_OUT")" = 1
first=$(json "$SC_STORE/models/wf/1/meta.json" 'd["run_id"]')
other=$([ "$first" = s1 ] && echo s2 || echo s1)
t_check "its run record says version 1" test "$(json \
	"$SC_STORE/runs/$first/meta.json" \
	'(d["registered_model"], d["registered_version"], d["register"]["promoted"])')" \
	= "('wf', 1, True)"
t_check "the other run is marked passed over" test "$(json \
	"$SC_STORE/runs/$other/meta.json" 'd["passed_over_by"]')" = "$first"
rstep "register again: nothing new" 0 register
t_check "still version 1" test "$(cat "$T_OUT")" = 1
t_grep "says it re-applies the rule" "re-applying the rule to run $first" "$T_ERR"
t_check "no version 2" test ! -e "$SC_STORE/models/wf/2"
SC_RUN_ID=s3 SC_SEED=3 rstep "retrain on the same data, another seed" 0 train
SC_PROMOTE=never rstep "register it with SC_PROMOTE=never" 0 register
t_check "it is version 2" test "$(cat "$T_OUT")" = 2
t_grep "the new run, not the registered one" 'best CV RMSE [0-9.e+-]+: run s3' "$T_ERR"
t_check "its run record says version 2" test "$(json \
	"$SC_STORE/runs/s3/meta.json" '(d["registered_version"], d["register"]["promoted"])')" \
	= "(2, False)"
t_check "champion stays at 1" test "$(cat "$SC_STORE/models/wf/aliases/champion")" = 1
t_check "the first run still says version 1" test "$(json \
	"$SC_STORE/runs/$first/meta.json" 'd["registered_version"]')" = 1
# Like with like: a champion on other features is not compared with.
awk -F, -v OFS=, '{ $4 = ""; sub(/,,/, ",") } 1' "$SC_STORE/processed/train.csv" |
	sc-forest --trees 5 > "$D/fewer.json"
t_exit "a champion on fewer features" 0 sc-push models:/wf < "$D/fewer.json"
sc-push --alias champion models:/wf/3
SC_RUN_ID=s4 SC_SEED=4 rstep "train s4" 0 train
rstep "register s4 against it" 0 register
t_check "s4 is version 4" test "$(cat "$T_OUT")" = 4
t_grep "says they cannot be compared" 'cannot be compared with the champion \(version 3\): other features' "$T_ERR"
t_check "champion stays at 3" test "$(cat "$SC_STORE/models/wf/aliases/champion")" = 3
t_check "the run record says why" test "$(json "$SC_STORE/runs/s4/meta.json" \
	'(d["register"]["promoted"], d["register"]["why"][:34])')" = \
	"(False, 'not comparable with version 3: oth')"
sc-push --alias champion models:/wf/4
# A new ticker set: same features, other tickers.
SC_TICKERS="AAA BBB CCC" rstep "prepare with a third ticker" 0 prepare
SC_TICKERS="AAA BBB CCC" SC_RUN_ID=s5 rstep "train s5 on three tickers" 0 train
SC_TICKERS="AAA BBB CCC" rstep "register s5" 0 register
t_check "s5 is version 5" test "$(cat "$T_OUT")" = 5
t_grep "says the tickers differ" 'other tickers \(AAA BBB CCC; the champion.s: AAA BBB\)' "$T_ERR"
t_check "champion stays at 4" test "$(cat "$SC_STORE/models/wf/aliases/champion")" = 4
SC_TICKERS="AAA BBB CCC" SC_PROMOTE=always rstep "SC_PROMOTE=always promotes it" 0 register
t_check "champion at 5" test "$(cat "$SC_STORE/models/wf/aliases/champion")" = 5
# A challenger side by side: inference and evaluate take the model to use
# (SC_MODEL_ALIAS, SC_MODEL_URI) and put its outputs under a prefix.
export SC_TICKERS="AAA BBB CCC" SC_FETCH=0
# col FILE NAME: the values of column NAME of a CSV file, one per line.
col() { awk -F, -v n="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == n) c = i; next } { print $c }' "$1"; }
sc-push --alias challenger models:/wf/4
SC_MODEL_ALIAS=challenger rstep "inference with SC_MODEL_ALIAS=challenger" 0 inference
t_check "forecasts of version 4 under challenger/" test \
	"$(col "$SC_STORE/challenger/predictions/2025-09-30.csv" model | sort -u)" = wf/4
t_check "the champion's predictions untouched" test ! -e "$SC_STORE/predictions/2025-09-30.csv"
t_grep "its own Pushgateway job" 'not pushing stockcast_inference_challenger$' "$T_ERR"
rstep "inference of the champion" 0 inference
t_check "forecasts of version 5 under predictions/" test \
	"$(col "$SC_STORE/predictions/2025-09-30.csv" model | sort -u)" = wf/5
t_check "the challenger's still there" test \
	"$(col "$SC_STORE/challenger/predictions/2025-09-30.csv" model | sort -u)" = wf/4
t_grep "the champion's job" 'not pushing stockcast_inference$' "$T_ERR"
SC_MODEL_ALIAS=challenger rstep "evaluate the challenger" 0 evaluate
rstep "evaluate the champion" 0 evaluate
t_check "two evaluations, one per model" test "$(col \
	"$SC_STORE/challenger/evaluations/2025-09-30.csv" model | sort -u) $(col \
	"$SC_STORE/evaluations/2025-09-30.csv" model | sort -u)" = "wf/4 wf/5"
t_check "both with metrics" test -s "$SC_STORE/challenger/evaluations/2025-09-30.json" -a \
	-s "$SC_STORE/evaluations/2025-09-30.json"
SC_MODEL_URI=models:/wf/3 SC_PREFIX=v3 rstep "evaluate SC_MODEL_URI=models:/wf/3 SC_PREFIX=v3" 0 evaluate
t_check "under v3/" test "$(col "$SC_STORE/v3/evaluations/2025-09-30.csv" model | sort -u)" = wf/3
t_grep "pushed as job stockcast_evaluate_v3" 'not pushing stockcast_evaluate_v3$' "$T_ERR"
SC_MODEL_URI=models:/wf/latest rstep "SC_MODEL_URI=models:/wf/latest" 0 inference
t_check "under wf-latest/, version 5" test \
	"$(col "$SC_STORE/wf-latest/predictions/2025-09-30.csv" model | sort -u)" = wf/5
SC_MODEL_ALIAS=nope rstep "an alias that does not exist: 66" 66 inference
t_grep "names it" 'models:/wf@nope: no such model, version or alias' "$T_ERR"
SC_MODEL_ALIAS=Bad rstep "a malformed alias: 64" 64 evaluate
SC_MODEL_URI=models:/wf rstep "a URI without a version: 64" 64 evaluate
SC_MODEL_URI=wf/3 rstep "not a models:/ URI: 64" 64 evaluate
SC_MODEL_ALIAS=challenger SC_PREFIX=../x rstep "SC_PREFIX=../x: 64" 64 evaluate
# Tables of runs and versions, without jq.
t_exit "sc-fetch --runs" 0 sc-fetch --runs
cp "$T_OUT" "$D/runs.csv"
t_check "a CSV header" test "$(head -n 1 "$D/runs.csv")" = \
	run,date,tickers,search,trials,seed,cv_rmse,test_rmse,skill,model,version
want="direct:direct1 "
for r in s1 s2; do
	if [ "$r" = "$first" ]; then want="$want$r:wf1 "; else want="$want$r: "; fi
done
t_check "one row per run, in order, with the version each became" test \
	"$(awk -F, 'NR > 1 { printf "%s:%s%s ", $1, $10, $11 }' "$D/runs.csv")" = \
	"${want}s3:wf2 s4:wf4 s5:wf5 "
t_check "CV and test RMSE as in the run records" test "$(awk -F, '$1 == "s3" { print $7, $8 }' "$D/runs.csv")" = \
	"$(json "$SC_STORE/runs/s3/meta.json" '"%r %r" % (d["cv_rmse"], d["test_rmse"])')"
t_exit "sc-fetch --runs --text" 0 sc-fetch --runs --text
t_grep "aligned columns" '^run +date +tickers +search +trials +seed +cv_rmse +test_rmse +skill +model +version$' "$T_OUT"
t_grep "s5's row" '^s5 +2025-09-30 +AAA BBB CCC +none +0 +0 +[0-9.]+ +[0-9.]+ +-?[0-9.e-]+ +wf +5$' "$T_OUT"
t_exit "sc-fetch --runs --json" 0 sc-fetch --runs --json
t_check "JSON rows" test "$(json "$T_OUT" '[(r["run"], r["version"]) for r in d][-1]')" = "('s5', 5)"
t_exit "sc-fetch --versions models:/wf" 0 sc-fetch --versions models:/wf
t_check "versions, aliases and runs" test "$(awk -F, 'NR > 1 { printf "%s:%s:%s ", $1, $2, $4 }' "$T_OUT")" = \
	"1::$first 2::s3 3:: 4:challenger:s4 5:champion:s5 "
t_exit "sc-fetch models:/wf --text" 0 sc-fetch models:/wf --text
t_grep "a text table" '^version +aliases +registered +run +cv_rmse' "$T_OUT"
t_exit "sc-fetch --runs --diff $first s3" 0 sc-fetch --runs --diff "$first" s3
t_check "the seeds differ" grep -qx "seed,${first#s},3" "$T_OUT"
t_check "and the versions" grep -qx 'registered_version,1,2' "$T_OUT"
t_check "what is the same is not listed" sh -c "! grep -q '^tickers,' '$T_OUT'"
t_exit "--diff with one run: 64" 64 sc-fetch --runs --diff s1
t_exit "--diff of a run that does not exist: 66" 66 sc-fetch --runs --diff s1 zz
t_exit "--runs with an operand: 64" 64 sc-fetch --runs s1
t_exit "--text with a key: 64" 64 sc-fetch --text raw/AAA.csv
t_exit "--csv --json: 64" 64 sc-fetch --csv --json --runs
t_exit "--versions of a model that does not exist: 66" 66 sc-fetch --versions models:/none
unset SC_SOURCE SC_TRIALS SC_FROM SC_TODAY SC_TICKERS SC_MODEL_NAME SC_TEST_DAYS \
	SC_FOREST_ARGS SC_STORE SC_FETCH

# S3.
t_start_s3rver bkt
case $? in
0) ;;
2)
	t_skip "S3 tests: s3rver not installed (run make deps)"
	t_done
	exit
	;;
*)
	t_fail "s3rver did not start on port $T_S3_PORT"
	t_done
	exit 1
	;;
esac
export SC_RETRY_BASE=0.05 SC_RETRY_CAP=0.2 SC_RETRY_MAX=4
export SC_STORE=s3://bkt/reg
t_exit "S3: register" 0 sc-push --run-id s3run models:/m < "$D/m1.json"
t_check "S3: version 1" test "$(cat "$T_OUT")" = 1
t_exit "S3: register again" 0 sc-push models:/m < "$D/m2.json"
t_check "S3: version 2" test "$(cat "$T_OUT")" = 2
t_exit "S3: the objects are under the prefix" 0 \
	sc-fetch -l s3://bkt/reg/models/m/
t_grep "S3: version 2's model" '^reg/models/m/2/model.json$' "$T_OUT"
t_exit "S3: alias" 0 sc-push --alias champion models:/m/1
t_exit "S3: fetch @champion" 0 sc-fetch models:/m@champion
t_check "S3: @champion bytes" same "$T_OUT" "$D/m1.json"
t_exit "S3: fetch latest" 0 sc-fetch models:/m/latest
t_check "S3: latest bytes" same "$T_OUT" "$D/m2.json"
t_exit "S3: fetch 1" 0 sc-fetch models:/m/1
t_check "S3: version 1 bytes" same "$T_OUT" "$D/m1.json"
t_exit "S3: index" 0 sc-fetch models:/m
t_check "S3: index lists both, and the alias" test "$(json "$T_OUT" \
	'([v["version"] for v in d["versions"]], d["aliases"], d["versions"][0]["run_id"])')" \
	= "([1, 2], {'champion': 1}, 's3run')"
t_exit "S3: index.json stored" 0 sc-fetch models/m/index.json
t_check "S3: and the same" sh -c "sc-fetch models:/m | cmp -s - '$T_OUT'"
t_exit "S3: missing version exits 66" 66 sc-fetch models:/m/7
t_exit "S3: delete the alias" 0 sc-push --delete models:/m@champion
t_exit "S3: deleted alias exits 66" 66 sc-fetch models:/m@champion
t_exit "S3: wrong secret exits 77" 77 env AWS_SECRET_ACCESS_KEY=wrong \
	sc-push models:/m < "$D/m3.json"

# If-None-Match: * and 412, through the fault injector.
fport=$(t_port)
t_bg "$PY" "$FAULTS" --port "$fport" --upstream "127.0.0.1:$T_S3_PORT"
if ! t_wait_http "http://127.0.0.1:$fport/__faults__/log" 10; then
	t_fail "faults.py did not start"
	t_done
	exit 1
fi
arm() { curl -sf -X POST "http://127.0.0.1:$fport/__faults__/arm?mode=$1&fail=$2" > /dev/null; }
flog() { curl -sf "http://127.0.0.1:$fport/__faults__/log"; }
puts() { flog | "$PY" -c 'import json, sys
for line in sys.stdin:
    r = json.loads(line)
    if r["method"] == "PUT":
        print(r["path"], r["headers"].get("If-None-Match", "-"))'; }
# Requests 1 (the listing) and 2 (PUT of 3/meta.json) are in the fault's
# reach; only PUTs get the 412, so version 3 is refused and 4 is taken.
arm 412 2
AWS_ENDPOINT_URL=http://127.0.0.1:$fport t_exit \
	"412 on version 3: registered as 4" 0 sc-push -v models:/m < "$D/m4.json"
t_check "prints 4" test "$(cat "$T_OUT")" = 4
t_grep "logs the move" 'version 3 taken, trying 4' "$T_ERR"
puts > "$D/puts"
t_check "version 3's lineage sent with If-None-Match: *" test \
	"$(sed -n 1p "$D/puts")" = "/bkt/reg/models/m/3/meta.json *"
t_check "then version 4's, also with If-None-Match: *" test \
	"$(sed -n 2p "$D/puts")" = "/bkt/reg/models/m/4/meta.json *"
t_check "the model with If-None-Match: *" test \
	"$(sed -n 3p "$D/puts")" = "/bkt/reg/models/m/4/model.json *"
t_check "the index without" test "$(sed -n 4p "$D/puts")" = \
	"/bkt/reg/models/m/index.json -"
t_grep "If-None-Match is signed" 'SignedHeaders=[a-z0-9;-]*if-none-match' \
	"$(flog > "$D/log"; echo "$D/log")"
t_exit "version 4 is the model pushed" 0 sc-fetch models:/m/4
t_check "bytes equal" same "$T_OUT" "$D/m4.json"
t_exit "no version 3" 66 sc-fetch models:/m/3
t_exit "index: 1, 2, 4" 0 sc-fetch models:/m
t_check "listed" test "$(json "$T_OUT" '[v["version"] for v in d["versions"]]')" \
	= "[1, 2, 4]"
# Every create refused: a bounded number of tries, then 75.
arm 412 -1
AWS_ENDPOINT_URL=http://127.0.0.1:$fport t_exit \
	"412 on every version: exit 75" 75 sc-push models:/m < "$D/m5.json"
t_grep "says the numbers were taken" 'versions 5 to 68 were all taken' "$T_ERR"
t_check "64 tries, each the next number" test "$(puts | awk '
	{ n = $1; sub(/.*\/m\//, "", n); sub(/\/.*/, "", n) }
	n != NR + 4 || $2 != "*" { bad = 1 } END { print NR, bad + 0 }')" = "64 0"
# S3's own behaviour for If-None-Match (faults.py s3cond): no conflict, so
# a plain registration; an existing number is refused by the server.
arm s3cond 0
AWS_ENDPOINT_URL=http://127.0.0.1:$fport t_exit \
	"conditional server: register" 0 sc-push models:/m < "$D/m5.json"
t_check "version 5" test "$(cat "$T_OUT")" = 5
arm s3cond 0
AWS_ENDPOINT_URL=http://127.0.0.1:$fport t_exit \
	"conditional server: an existing version is refused (73)" 73 \
	sc-push --if-none-match models/m/5/model.json < "$D/m6.json"
t_grep "with a warning about the registry's key" 'warning: models/m/5/model.json is a key of the model registry' "$T_ERR"
t_exit "version 5 kept" 0 sc-fetch models:/m/5
t_check "its bytes" same "$T_OUT" "$D/m5.json"
t_done
