#!/usr/bin/env bash
# bench/scale.sh (make bench-scale) at a tiny size, so it cannot rot
# without running its real sizes (50, 500 and 5,000 tickers x 20 years):
# 2 tickers of two years with the small-market settings, then with the
# 5,000-ticker settings (bootstrap cap lowered to fit), its CSV and table;
# and docs/performance.md recommends exactly the settings it runs.
# shellcheck disable=SC2016 # awk programs in single quotes
. "$(dirname "$0")/../lib.sh"

scale=$SC_TOP/bench/scale.sh
build=$(dirname "$SC_BIN")
if [ ! -x /usr/bin/time ]; then
	t_skip "scale: GNU time not installed (make deps-bench)"
	t_done
	exit 0
fi
export SC_SCALE_OUT=$T_TMP/scale SC_SCALE_FROM=2023-01-01
unset SC_SCALE_FOREST_ARGS
csv=$SC_SCALE_OUT/scale.csv

t_exit "2 tickers with the small-market settings" 0 sh "$scale" "$build" 2
t_check "scale.csv: header" test "$(head -n 1 "$csv")" = \
	"tickers,step,seconds,user_s,load,peak_mb,rows,model_mb,forest_args"
t_check "scale.csv: data and the four steps, numbers where due" awk -F, '
NR > 1 {
	steps = steps " " $2
	for (i = 3; i <= 7; i++) if ($i !~ /^[0-9]+(\.[0-9]+)?$/) exit 1
	if ($2 == "train" && ($8 <= 0 || $9 != "--trees 100 --min-samples-leaf 5 --max-samples 0.5")) exit 1
}
END { exit steps != " data prepare train inference evaluate" }' "$csv"
t_grep "the table has a line per step with s/M" \
	'^2 +inference +[0-9]+ ' "$T_OUT"
t_check "the work files are removed" test ! -e "$SC_SCALE_OUT/work/scale-2"

big=$(sh "$scale" --settings 5000)
t_check "5,000 tickers: bag ranks, grid, OOB rows, 2 folds" \
	test "$big" = "--trees 100 --min-samples-leaf 50 --max-samples 250000 --leaf-ranks bag --interval-grid 4096 --oob-rows 250000 --folds 2"
t_exit "2 tickers with the 5,000-ticker settings" 0 \
	env SC_SCALE_FOREST_ARGS="${big/--max-samples 250000/--max-samples 0.5}" \
	sh "$scale" "$build" 2
t_grep "their model was written" '^2,train,.*--leaf-ranks bag' "$csv"

for n in 50 500 5000; do
	t_check "docs/performance.md recommends what $n tickers run" \
		grep -qF "\`$(sh "$scale" --settings $n)\`" \
		"$SC_TOP/docs/performance.md"
done
t_exit "a failing step stops the run, exit 1" 1 \
	env SC_SCALE_FOREST_ARGS=--no-such-option sh "$scale" "$build" 2
t_grep "and says which" '^scale: sc-forest failed' "$T_ERR"
t_done
