#!/bin/sh
# SPDX-License-Identifier: ISC
# sc-tune next to the old system's training step as its users ran it:
# Optuna's TPE sampler (seed 0, 50 trials) over scikit-learn's
# RandomForestRegressor (n_jobs=-1) scored by TimeSeriesSplit(5), on the
# demo's stock feature table (6 synthetic tickers, 2020..2025) and the same
# search space, against `sc-tune --trials 50 --seed 0` (TPE, median
# pruner, 5 folds cut by date).  Both are timed as whole processes (CSV
# reading included).  Each side's best parameters are also scored under
# the other's cross-validation, which separates the search from the folds
# and the forest.  Prints the figures and writes bench/out/tune.csv.
# usage: bench/tune.sh BUILD [TRIALS]
set -eu
build=${1:-build}
trials=${2:-50}
top=$(cd "$(dirname "$0")/.." && pwd)
case $build in /*) ;; *) build=$top/$build ;; esac
out=$top/bench/out
work=$out/work/tune
py=/usr/bin/python3
mkdir -p "$work"
export LC_ALL=C

train=$work/train.csv
if [ ! -s "$train" ]; then
	"$build/bin/sc-fetch" --from 2020-01-01 --to 2025-12-31 \
	    synthetic:AAPL,GOOGL,MSFT,NVDA,AMZN,META |
	    "$build/bin/sc-split" -o "$train" -t "$work/test.csv"
fi
target=$(head -n 1 "$train" | tr ',' '\n' | grep -m 1 '^target')
echo "== sc-tune: $(($(wc -l < "$train") - 1)) training rows, $trials trials, 5 folds, $(nproc) cores"

now() { date +%s.%N; }

t0=$(now)
"$build/bin/sc-tune" --trials "$trials" --seed 0 --no-progress \
    -o "$work/model.json" "$train" > "$work/trials.jsonl" 2> "$work/sc-tune.err"
t1=$(now)
sc_wall=$(echo "$t1 $t0" | awk '{ printf "%.3f", $1 - $2 }')
sc_best=$("$py" -c '
import json, sys
m = json.load(open(sys.argv[1]))["tuning"]
print("%.17g %d %s %d" % (m["cv_rmse"], m["best_trial"],
    json.dumps(m["best_params"], sort_keys=True).replace(" ", ""), m["pruned"]))
' "$work/model.json")
read -r sc_rmse sc_trial sc_params sc_pruned <<EOF
$sc_best
EOF
echo "   sc-tune:        $sc_wall s, best CV RMSE $sc_rmse (trial $sc_trial, $sc_pruned pruned) $sc_params"

"$py" "$top/bench/optuna_tune.py" "$train" "$target" "$trials" 5 \
    > "$work/optuna.out" 2> "$work/optuna.err" || {
	echo "bench: optuna_tune.py failed:" >&2
	tail -n 5 "$work/optuna.err" >&2
	exit 1
}
read -r op_wall op_rmse op_trial op_params < "$work/optuna.out"
op_params=$(echo "$op_params" | tr -d ' ')
echo "   Optuna+sklearn: $op_wall s, best CV RMSE $op_rmse (trial $op_trial) $op_params"

# Cross-scoring: sc-tune's best under sklearn's CV, Optuna's under sc-tune's.
sc_in_sk=$("$py" "$top/bench/optuna_tune.py" "$train" "$target" "$sc_params" 5)
fixed=$("$py" -c '
import json, sys
p = json.loads(sys.argv[1])
print(" ".join("--param %s=cat:%r" % (k, v) for k, v in sorted(p.items())))
' "$op_params")
# shellcheck disable=SC2086 # one word per option
op_in_sc=$("$build/bin/sc-tune" -n 1 --seed 0 --no-progress $fixed "$train" 2> /dev/null |
    sed 's/.*"value":\([^,]*\),.*/\1/')

csv=$out/tune.csv
{
	echo "tool,wall_s,best_cv_rmse,best_trial,best_params,cv_rmse_other_cv"
	echo "sc-tune,$sc_wall,$sc_rmse,$sc_trial,\"$(echo "$sc_params" | sed 's/"/""/g')\",$sc_in_sk"
	echo "optuna-sklearn,$op_wall,$op_rmse,$op_trial,\"$(echo "$op_params" | sed 's/"/""/g')\",$op_in_sc"
} > "$csv"
echo
awk -v s="$sc_wall" -v o="$op_wall" -v sr="$sc_rmse" -v orr="$op_rmse" \
    -v a="$sc_in_sk" -v b="$op_in_sc" 'BEGIN {
	printf "wall time: sc-tune %.2f s, Optuna+sklearn %.2f s: %.1fx faster\n", s, o, o / s;
	printf "best CV RMSE: sc-tune %.6g, Optuna %.6g: sc-tune %+.2f%%\n", sr, orr, 100 * (sr / orr - 1);
	printf "under sklearn TimeSeriesSplit: sc-tune best %.6g vs Optuna best %.6g (%+.2f%%)\n", a, orr, 100 * (a / orr - 1);
	printf "under sc-tune folds:           Optuna best %.6g vs sc-tune best %.6g (%+.2f%%)\n", b, sr, 100 * (sr / b - 1);
}'
echo "written: $csv"
