#!/bin/sh
# train: fit a model on processed/train.csv and store the run under
# runs/RUN_ID/: model.json, trials.jsonl (the search, empty without one),
# metrics.json (sc-rmse's metrics of the model on processed/test.csv) and
# meta.json (what was run on what, and the run's CV RMSE).
# SC_TRIALS > 0 searches hyperparameters with sc-tune (that many trials);
# SC_TRIALS=0 fits once with sc-forest and SC_FOREST_ARGS (no search);
# SC_TUNE_ARGS adds sc-tune options (--folds 3, --shard 2/4, ...).
# The run's CV RMSE is the model's tuning.cv_rmse when present (sc-tune's
# walk-forward folds), else the out-of-time RMSE of sc-forest's
# walk-forward validation (sqrt of calibration.mse.model), else, for a
# model fitted without validation, its in-time out-of-bag RMSE (oob_rmse):
# register ranks the runs of a training by it. meta.json also holds the
# validation's RMSEs of the model, the naive and the drift forecast on the
# same out-of-time rows (validated_*), and the test RMSE next to the naive
# forecast's (test_naive_rmse).
# usage: scripts/train.sh   (SC_RUN_ID names the run; default: UTC time
# and 4 random hex digits)
set -eu
prog=train
# shellcheck source=scripts/common.sh
. "$(dirname "$0")/common.sh"
check_config

run_id=${SC_RUN_ID:-$(date -u +%Y%m%dT%H%M%SZ)-$(od -An -N2 -tx1 /dev/urandom | tr -d ' \n')}
case $run_id in
'' | [!A-Za-z0-9]* | *[!A-Za-z0-9_.-]* | ?????????????????????????????????????????????????????????????????*)
	die 64 "SC_RUN_ID=$run_id: want 1 to 64 of A-Z a-z 0-9 _ . - (starting with a letter or digit)" ;;
esac
if get "runs/$run_id/meta.json" "$work/exists"; then
	die 73 "runs/$run_id already exists"
fi
if ! get processed/train.csv "$work/train.csv" || ! get processed/test.csv "$work/test.csv"; then
	die 66 "processed/train.csv or test.csv missing from $SC_STORE (run prepare first)"
fi
train_sha=$(sha256sum < "$work/train.csv" | cut -d' ' -f1)

if [ "$SC_TRIALS" -gt 0 ]; then
	command -v sc-tune > /dev/null ||
		die 69 "SC_TRIALS=$SC_TRIALS needs sc-tune, which is not installed; SC_TRIALS=0 fits once with sc-forest"
	search=sc-tune
	log "run $run_id: searching hyperparameters, $SC_TRIALS trials (seed $SC_SEED${SC_TUNE_ARGS:+, $SC_TUNE_ARGS})"
	# shellcheck disable=SC2086 # SC_TUNE_ARGS is a list of options
	run sc-tune --trials "$SC_TRIALS" --seed "$SC_SEED" ${SC_TUNE_ARGS:-} \
		-o "$work/model.json" < "$work/train.csv" > "$work/trials.jsonl"
else
	search=none
	log "run $run_id: one fit, no search (sc-forest $SC_FOREST_ARGS --seed $SC_SEED)"
	: > "$work/trials.jsonl"
	# shellcheck disable=SC2086 # SC_FOREST_ARGS is a list of options
	run sc-forest $SC_FOREST_ARGS --seed "$SC_SEED" -o "$work/model.json" \
		< "$work/train.csv"
fi

# shellcheck disable=SC2020 # three characters to newline, as meant
cv=$(tr '{},' '\n\n\n' < "$work/model.json" | sed -n '/"tuning"/,$p' |
	sed -n 's/^[[:space:]]*"cv_rmse"[[:space:]]*:[[:space:]]*\([-+0-9.eE][-+0-9.eE]*\)[[:space:]]*$/\1/p' | head -n 1)
cv_from=tuning.cv_rmse
folds=$(calib_num "$work/model.json" folds)
mse_model=$(calib_num "$work/model.json" model) mse_naive=$(calib_num "$work/model.json" naive) mse_drift=$(calib_num "$work/model.json" drift)
skill=$(calib_num "$work/model.json" skill)
[ "${folds:-0}" -gt 0 ] || skill="" # no validation: no validated skill
# sqrt_of X: the square root of X (an MSE), or nothing without a
# validation (folds 0).
sqrt_of() {
	[ "${folds:-0}" -gt 0 ] && [ -n "$1" ] && awk -v m="$1" 'BEGIN { printf "%.17g", sqrt(m) }'
	return 0
}
v_model=$(sqrt_of "$mse_model") v_naive=$(sqrt_of "$mse_naive") v_drift=$(sqrt_of "$mse_drift")
if [ -z "$cv" ] && [ -n "$v_model" ]; then
	# No search: the walk-forward validation's out-of-time RMSE of the
	# forest (unshrunk), not the in-time out-of-bag one.
	cv=$v_model
	cv_from=calibration.mse.model
elif [ -z "$cv" ]; then
	cv=$(json_num "$work/model.json" oob_rmse)
	cv_from=oob_rmse
fi
[ -n "$cv" ] || die 65 "the model has neither tuning.cv_rmse, a validation nor oob_rmse: cannot rank the run"

run sc-predict -m "$work/model.json" -i "$SC_INTERVAL" -N "run:$run_id" \
	-o "$work/test-pred.csv" "$work/test.csv"
run sc-rmse -o "$work/metrics.json" "$work/test-pred.csv"
test_rmse=$(json_num "$work/metrics.json" rmse)
test_naive=$(json_num "$work/metrics.json" naive_rmse)

cat > "$work/meta.json" << META
{"run_id": $(jstr "$run_id"), "started": $(jstr "$(date -u -d "@$started" +%Y-%m-%dT%H:%M:%SZ)"),
 "finished": $(jstr "$(date -u +%Y-%m-%dT%H:%M:%SZ)"), "host": $(jstr "$(uname -n)"),
 "tickers": $(jstr "$tlist"), "source": $(jstr "$SC_SOURCE"), "from": $(jstr "$SC_FROM"),
 "today": $(jstr "$SC_TODAY"), "test_days": $SC_TEST_DAYS,
 "search": $(jstr "$search"), "trials": $SC_TRIALS, "seed": $SC_SEED,
 "forest_args": $(if [ "$search" = none ]; then jstr "$SC_FOREST_ARGS"; else echo null; fi),
 "tune_args": $(if [ "$search" = sc-tune ]; then jstr "${SC_TUNE_ARGS:-}"; else echo null; fi),
 "train_sha256": $(jstr "$train_sha"),
 "model_sha256": $(jstr "$(sha256sum < "$work/model.json" | cut -d' ' -f1)"),
 "cv_rmse": $cv, "cv_rmse_from": $(jstr "$cv_from"),
 "validated_rmse": ${v_model:-null}, "validated_naive_rmse": ${v_naive:-null},
 "validated_drift_rmse": ${v_drift:-null}, "validated_skill": ${skill:-null},
 "test_rmse": ${test_rmse:-null}, "test_naive_rmse": ${test_naive:-null}}
META
# meta.json last: a run is complete (register considers it) once it exists.
put "runs/$run_id/model.json" "$work/model.json"
put "runs/$run_id/trials.jsonl" "$work/trials.jsonl"
put "runs/$run_id/metrics.json" "$work/metrics.json"
put "runs/$run_id/meta.json" "$work/meta.json"
# The CV RMSE is in the target's units, the test RMSE in prices: say so.
case $(json_str "$work/model.json" target) in
target_close_1) cv_unit=price ;;
*) cv_unit="log return" ;;
esac
log "run $run_id stored: CV RMSE $cv ($cv_unit, $cv_from)"
if [ -n "$v_model" ]; then
	log "run $run_id: out-of-time validation RMSE ($cv_unit): model $v_model, naive $v_naive, drift $v_drift; validated skill ${skill:-none}"
else
	log "run $run_id: no out-of-time validation (--no-validation or too few dates): no validated skill"
fi
log "run $run_id: test RMSE ${test_rmse:-n/a} (price), naive ${test_naive:-n/a} (price)"
case $(calib_num "$work/model.json" lambda) in
0 | 0.0 | '') log "run $run_id: lambda 0, no validated skill over the naive forecast: it serves the naive forecast" ;;
esac
echo "$run_id"
