#!/bin/sh
# register: of the runs of the latest training (the runs whose meta.json
# names the SHA-256 of the current processed/train.csv: one train.sh, or
# several shards of a search run on several machines) that no register has
# considered yet (not registered, not passed over), take the one with the
# lowest CV RMSE (ties: the smallest run id), register its model as a new
# version of models:/SC_MODEL_NAME, and move the alias `champion` to it
# only when its validated skill over the naive forecast is positive and it
# also beats the current champion on processed/test.csv:
#
#   no champion yet                  -> the new version becomes champion
#   candidate's validated skill not positive while the champion's is
#                                    -> champion stays
#   candidate test RMSE <  champion's -> champion moves
#   candidate test RMSE >= champion's -> champion stays (a tie keeps it)
#   other tickers or features than the champion's -> not comparable:
#                                       champion stays (SC_PROMOTE=always
#                                       moves it)
#
# The other new runs of that training are marked passed over
# ("passed_over_by" in their meta.json), so a second register does not
# take them; a retrain on the same data (another seed, SC_TRIALS=0) is a
# new run and is registered.  With no new run, register re-applies the
# rule to the run of this training registered last ("already version N").
#
# The validated skill is the model's calibration.skill (1 - MSE / the naive
# forecast's MSE, out of time, see docs/calibration.md); a model without a
# validated calibration has none.  A candidate without positive validated
# skill (it serves the naive forecast) never displaces a champion that has
# some; it may displace one without any (an old uncalibrated model) that
# does worse than it on the test window.  A champion worse than the naive
# forecast on processed/test.csv is logged as a warning and stays unless a
# candidate with validated skill beats it: 30 days cannot overrule an
# out-of-time validation (evaluate's backtest judges it on more days).
#
# Both RMSEs (sc-predict on processed/test.csv, then sc-rmse), the naive
# forecast's on the same days and both validated skills go into
# runs/RUN_ID/meta.json ("register"); the registry's lineage of the new
# version holds the run id, the CV RMSE and the candidate's test metrics
# (with naive_rmse and skill), the model itself its calibration.skill.
# SC_PROMOTE=always moves champion regardless, SC_PROMOTE=never never does.
# usage: scripts/register.sh
set -eu
prog=register
# shellcheck source=scripts/common.sh
. "$(dirname "$0")/common.sh"
check_config
promote_rule=${SC_PROMOTE:-auto}
case $promote_rule in
auto | always | never) ;;
*) die 64 "SC_PROMOTE=$promote_rule: want auto, always or never" ;;
esac

if ! get processed/train.csv "$work/train.csv" || ! get processed/test.csv "$work/test.csv"; then
	die 66 "processed/train.csv or test.csv missing from $SC_STORE (run prepare first)"
fi
train_sha=$(sha256sum < "$work/train.csv" | cut -d' ' -f1)

# The runs of the latest training and their CV RMSE: the new ones (no
# register has seen them) in cands, those registered already in done.
run sc-fetch -l runs/ > "$work/keys"
awk -F/ 'NF >= 3 && $NF == "meta.json" && $(NF - 2) == "runs" { print $(NF - 1) }' \
	"$work/keys" > "$work/runs"
: > "$work/cands"
: > "$work/done"
nruns=0
while IFS= read -r r; do
	get "runs/$r/meta.json" "$work/m" || exit $?
	[ "$(json_str "$work/m" train_sha256)" = "$train_sha" ] || continue
	nruns=$((nruns + 1))
	c=$(json_num "$work/m" cv_rmse)
	if [ -z "$c" ]; then
		log "run $r has no cv_rmse in its meta.json: left out"
		continue
	fi
	v=$(json_num "$work/m" registered_version)
	if [ -n "$v" ] && [ "$(json_str "$work/m" registered_model)" != "$SC_MODEL_NAME" ] &&
		[ -n "$(json_str "$work/m" registered_model)" ]; then
		continue	# registered as another model: not a candidate here
	elif [ -n "$v" ]; then
		printf '%s %s %s\n' "$v" "$c" "$r" >> "$work/done"
	elif [ -z "$(json_str "$work/m" passed_over_by)" ]; then
		printf '%s %s\n' "$c" "$r" >> "$work/cands"
	fi
done < "$work/runs"
[ "$nruns" -gt 0 ] ||
	die 66 "no run in $SC_STORE/runs was trained on the current processed/train.csv (run train first)"
if [ -s "$work/cands" ]; then
	best=$(LC_ALL=C sort -k1,1g -k2,2 "$work/cands" | head -n 1)
	cv=${best%% *}
	rid=${best#* }
	log "$(wc -l < "$work/cands") new run(s) of the latest training; best CV RMSE $cv: run $rid (CV RMSE in the target's units, test RMSE below in prices)"
elif [ -s "$work/done" ]; then
	# Nothing new: the run of this training registered last, again.
	best=$(LC_ALL=C sort -k1,1nr "$work/done" | head -n 1)
	rid=${best##* }
	best=${best#* }
	cv=${best%% *}
	log "no new run of the latest training since the last register; re-applying the rule to run $rid"
else
	die 66 "no run of the current processed/train.csv is left to register (all passed over or without cv_rmse; run train first)"
fi

get "runs/$rid/model.json" "$work/cand.json" || exit $?
get "runs/$rid/meta.json" "$work/meta.json" || exit $?

# unlike_champion: print why the candidate (cand.json, meta.json) and the
# champion (champ.json) are not like with like (other features, or other
# tickers when the champion's run record says which), or nothing.
unlike_champion() {
	_cf=$(model_features "$work/cand.json") _hf=$(model_features "$work/champ.json")
	if [ "$_cf" != "$_hf" ]; then
		echo "other features ($_cf; the champion's: $_hf)"
		return 0
	fi
	_ct=$(json_str "$work/meta.json" tickers) _ht="" _hr=""
	if get "models/$SC_MODEL_NAME/$champ_ver/meta.json" "$work/champ-lineage.json"; then
		_hr=$(json_str "$work/champ-lineage.json" run_id)
	fi
	if [ -n "$_hr" ] && get "runs/$_hr/meta.json" "$work/champ-meta.json"; then
		_ht=$(json_str "$work/champ-meta.json" tickers)
	fi
	if [ -n "$_ht" ] && [ -n "$_ct" ] && [ "$_ct" != "$_ht" ]; then
		echo "other tickers ($_ct; the champion's: $_ht)"
	fi
}

# score MODEL NAME OUT: sc-rmse's metrics of MODEL on processed/test.csv.
score() {
	sc-predict -m "$1" -N "$2" -o "$work/pred.csv" "$work/test.csv" && \
		sc-rmse -o "$3" "$work/pred.csv"
}
run score "$work/cand.json" "run:$rid" "$work/cand-metrics.json"
cand_rmse=$(json_num "$work/cand-metrics.json" rmse)
[ -n "$cand_rmse" ] || die 65 "run $rid has no test RMSE on processed/test.csv"
cand_naive=$(json_num "$work/cand-metrics.json" naive_rmse)
# The validated skills: the calibration's (1 - MSE / naive MSE, out of
# time); none for a model without a validated calibration (folds 0).
validated_skill() {
	[ "$(calib_num "$1" folds)" -gt 0 ] 2> /dev/null && calib_num "$1" skill
	return 0
}
cand_skill=$(validated_skill "$work/cand.json")
log "candidate run $rid: validated skill ${cand_skill:-none}; test RMSE $cand_rmse (price), naive ${cand_naive:-n/a} (price)"

champ_ver="" champ_rmse="" champ_skill="" unlike=""
if get "models:/$SC_MODEL_NAME@champion" "$work/champ.json"; then
	get "models/$SC_MODEL_NAME/aliases/champion" "$work/alias" || exit $?
	champ_ver=$(tr -d ' \n' < "$work/alias")
	unlike=$(unlike_champion)
	if [ -n "$unlike" ]; then
		log "the candidate cannot be compared with the champion (version $champ_ver): $unlike"
	elif score "$work/champ.json" "$SC_MODEL_NAME/$champ_ver" "$work/champ-metrics.json" &&
		champ_rmse=$(json_num "$work/champ-metrics.json" rmse) &&
		[ -n "$champ_rmse" ]; then
		champ_skill=$(validated_skill "$work/champ.json")
		log "champion version $champ_ver: validated skill ${champ_skill:-none}; test RMSE $champ_rmse (price), naive ${cand_naive:-n/a} (price)"
		if awk -v a="$champ_rmse" -v b="${cand_naive:-}" 'BEGIN { exit !(b != "" && a + 0 > b + 0) }'; then
			log "warning: the champion (version $champ_ver) is worse than the naive forecast on processed/test.csv (RMSE $champ_rmse > $cand_naive)"
		fi
	elif [ "$promote_rule" = auto ]; then
		die 65 "the champion (version $champ_ver) cannot be scored on processed/test.csv; SC_PROMOTE=always replaces it"
	fi
else
	rc=$?
	[ "$rc" -eq 66 ] || exit "$rc"
fi

# Register, unless this run already was (a second register is harmless).
ver=$(json_num "$work/meta.json" registered_version)
if [ -n "$ver" ]; then
	log "run $rid is already version $ver of models:/$SC_MODEL_NAME"
else
	ver=$(sc-push --run-id "$rid" --metrics "$work/cand-metrics.json" \
		--cv-rmse "$cv" "models:/$SC_MODEL_NAME" < "$work/cand.json") ||
		die $? "registering run $rid failed"
	log "run $rid registered as models:/$SC_MODEL_NAME/$ver"
fi

if [ "$champ_ver" = "$ver" ]; then
	promote=no why="it is the champion already"
elif [ "$promote_rule" = always ]; then
	promote=yes why="SC_PROMOTE=always"
elif [ "$promote_rule" = never ]; then
	promote=no why="SC_PROMOTE=never"
elif [ -z "$champ_ver" ]; then
	promote=yes why="there was no champion"
elif [ -n "$unlike" ]; then
	promote=no why="not comparable with version $champ_ver: $unlike"
elif ! awk -v s="${cand_skill:-0}" 'BEGIN { exit !(s + 0 > 0) }' &&
	awk -v s="${champ_skill:-0}" 'BEGIN { exit !(s + 0 > 0) }'; then
	promote=no why="validated skill ${cand_skill:-none} over the naive forecast is not positive (the champion's: $champ_skill)"
elif awk -v a="$cand_rmse" -v b="$champ_rmse" 'BEGIN { exit !(a + 0 < b + 0) }'; then
	promote=yes why="test RMSE $cand_rmse < $champ_rmse (version $champ_ver)"
else
	promote=no why="test RMSE $cand_rmse >= $champ_rmse (version $champ_ver)"
fi
if [ "$promote" = yes ]; then
	run sc-push --alias champion "models:/$SC_MODEL_NAME/$ver"
	log "champion -> version $ver: $why"
else
	log "champion stays${champ_ver:+ at version $champ_ver}: $why"
fi

# The decision goes into the run's meta.json (which sc-push has just
# given registered_model, registered_version and registered_at).
get "runs/$rid/meta.json" "$work/meta.json" || exit $?
reg=$(printf '"register": {"model": %s, "at": %s, "rule": %s, "test_rmse": %s, "test_naive_rmse": %s, "validated_skill": %s, "champion_version": %s, "champion_test_rmse": %s, "champion_validated_skill": %s, "promoted": %s, "why": %s}' \
	"$(jstr "$SC_MODEL_NAME")" "$(jstr "$(date -u +%Y-%m-%dT%H:%M:%SZ)")" \
	"$(jstr "$promote_rule")" "${cand_rmse:-null}" "${cand_naive:-null}" "${cand_skill:-null}" "${champ_ver:-null}" \
	"${champ_rmse:-null}" "${champ_skill:-null}" "$([ "$promote" = yes ] && echo true || echo false)" "$(jstr "$why")")
[ -n "$(json_num "$work/meta.json" registered_version)" ] ||
	reg="\"registered_version\": $ver, $reg"
# Drop an earlier decision (the last member), then add this one before the
# closing brace.
sed 's/, "register": {[^{}]*}}[[:space:]]*$/}/' "$work/meta.json" |
	sed "\$ s/}[[:space:]]*\$/, $(printf '%s' "$reg" | sed 's/[\/&]/\\&/g')}/" > "$work/meta2.json"
put "runs/$rid/meta.json" "$work/meta2.json"

# The other new runs of this training lost to this one: mark them, so the
# next register does not take them for new.
LC_ALL=C sort -k1,1g -k2,2 "$work/cands" | tail -n +2 | while read -r _c r; do
	get "runs/$r/meta.json" "$work/m" || exit $?
	sed "\$ s/}[[:space:]]*\$/, \"passed_over_by\": $(jstr "$rid" | sed 's/[\/&]/\\&/g')}/" \
		"$work/m" > "$work/m2"
	put "runs/$r/meta.json" "$work/m2"
	log "run $r (CV RMSE $_c) passed over for run $rid"
done
echo "$ver"
