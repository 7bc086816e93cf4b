#!/bin/sh
# register: of the runs of the latest training (the runs whose meta.json
# names the SHA-256 of the current processed/train.csv: one train.sh, or
# several shards of a search run on several machines), take the one with
# the lowest CV RMSE (ties: the smallest run id), register its model as a
# new version of models:/SC_MODEL_NAME, and move the alias `champion` to it
# only when it also beats the current champion on processed/test.csv:
#
#   no champion yet                  -> the new version becomes champion
#   candidate test RMSE <  champion's -> champion moves
#   candidate test RMSE >= champion's -> champion stays (a tie keeps it)
#
# Both RMSEs (sc-predict on processed/test.csv, then sc-rmse) go into
# runs/RUN_ID/meta.json ("register"); the registry's lineage of the new
# version holds the run id, the CV RMSE and the candidate's test metrics.
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

# The runs of the latest training and their CV RMSE.
run sc-fetch -l runs/ > "$work/keys"
awk -F/ 'NF >= 3 && $NF == "meta.json" && $(NF - 2) == "runs" { print $(NF - 1) }' \
	"$work/keys" > "$work/runs"
: > "$work/cands"
while IFS= read -r r; do
	get "runs/$r/meta.json" "$work/m" || exit $?
	[ "$(json_str "$work/m" train_sha256)" = "$train_sha" ] || continue
	c=$(json_num "$work/m" cv_rmse)
	if [ -z "$c" ]; then
		log "run $r has no cv_rmse in its meta.json: left out"
		continue
	fi
	printf '%s %s\n' "$c" "$r" >> "$work/cands"
done < "$work/runs"
[ -s "$work/cands" ] ||
	die 66 "no run in $SC_STORE/runs was trained on the current processed/train.csv (run train first)"
best=$(LC_ALL=C sort -k1,1g -k2,2 "$work/cands" | head -n 1)
cv=${best%% *}
rid=${best#* }
log "$(wc -l < "$work/cands") run(s) of the latest training; best CV RMSE $cv: run $rid"

get "runs/$rid/model.json" "$work/cand.json" || exit $?
get "runs/$rid/meta.json" "$work/meta.json" || exit $?

# score MODEL NAME OUT: sc-rmse's metrics of MODEL on processed/test.csv.
score() {
	sc-predict -m "$1" -N "$2" -o "$work/pred.csv" "$work/test.csv" && \
		sc-rmse -o "$3" "$work/pred.csv"
}
run score "$work/cand.json" "run:$rid" "$work/cand-metrics.json"
cand_rmse=$(json_num "$work/cand-metrics.json" rmse)
[ -n "$cand_rmse" ] || die 65 "run $rid has no test RMSE on processed/test.csv"

champ_ver="" champ_rmse=""
if get "models:/$SC_MODEL_NAME@champion" "$work/champ.json"; then
	get "models/$SC_MODEL_NAME/aliases/champion" "$work/alias" || exit $?
	champ_ver=$(tr -d ' \n' < "$work/alias")
	if score "$work/champ.json" "$SC_MODEL_NAME/$champ_ver" "$work/champ-metrics.json" &&
		champ_rmse=$(json_num "$work/champ-metrics.json" rmse) &&
		[ -n "$champ_rmse" ]; then
		: # scored (an RMSE of null is no score: refused below)
	elif [ "$promote_rule" = auto ]; then
		die 65 "the champion (version $champ_ver) cannot be scored on processed/test.csv (other features?); SC_PROMOTE=always replaces it"
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

# The decision goes into the run's meta.json.
reg=$(printf '"registered_version": %s, "register": {"model": %s, "at": %s, "rule": %s, "test_rmse": %s, "champion_version": %s, "champion_test_rmse": %s, "promoted": %s, "why": %s}' \
	"$ver" "$(jstr "$SC_MODEL_NAME")" "$(jstr "$(date -u +%Y-%m-%dT%H:%M:%SZ)")" \
	"$(jstr "$promote_rule")" "${cand_rmse:-null}" "${champ_ver:-null}" \
	"${champ_rmse:-null}" "$([ "$promote" = yes ] && echo true || echo false)" "$(jstr "$why")")
# Drop an earlier decision, then add this one before the closing brace.
sed 's/, "registered_version": .*}}$/}/' "$work/meta.json" |
	sed "\$ s/}[[:space:]]*\$/, $(printf '%s' "$reg" | sed 's/[\/&]/\\&/g')}/" > "$work/meta2.json"
put "runs/$rid/meta.json" "$work/meta2.json"
echo "$ver"
