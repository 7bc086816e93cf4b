#!/bin/sh
# SPDX-License-Identifier: ISC
# Measure sc-forest next to scikit-learn's RandomForestRegressor and
# ranger, in one run, on the same files and hyperparameters: 100 trees,
# max_features 1/3, min_samples_leaf 5 (ranger: min.node.size 5, another
# rule), every core for everyone.  Data: friedman1 (200,000 x 10, noise 1,
# seed 0, 80/20) and, when sc-fetch and sc-split are built, the demo's
# stock feature table.  Prints a table with ratios to sc-forest and writes
# bench/out/forest.csv.
#
# fit_s: sc-forest is timed as a whole process (reading the CSV, fitting,
# writing the model in the binary form with --interval-grid 2048, see
# docs/model-format.md); --no-validation, as the peers fit only (the
# default walk-forward validation that calibrates the model fits five
# forests more); the peers are timed around their fit call only.
# model_mb: the model file's size (MB, 10^6 bytes).  process_s: sc-predict
# as a whole process (loading the model, reading the test table, 90%
# intervals for every row, writing the CSV), the median of 5 runs;
# means_s: the same without intervals (the means only).
# predict_s: sc-forest through libsc (bench/forest_predict.c, model already
# loaded); the peers around their predict call.  peak_rss_mb: the whole
# process (GNU time %M).  interval_s: sc-forest's 90% quantile intervals
# with the mean, for the same rows.
# usage: bench/run.sh BUILD
set -eu
build=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
case $build in /*) ;; *) build=$top/$build ;; esac
out=$top/bench/out
work=$out/work
py=/usr/bin/python3
gtime=/usr/bin/time
mkdir -p "$work"
export LC_ALL=C

# shellcheck disable=SC2046
cc -std=c11 -O2 -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L -I"$top/lib" \
	$(pkg-config --cflags jansson) -o "$work/forest_predict" \
	"$top/bench/forest_predict.c" "$build/libsc.a" \
	$(pkg-config --libs jansson libcrypto) -lcsv -lpthread -lm

csv=$out/forest.csv
echo "dataset,tool,fit_s,predict_s,interval_s,peak_rss_mb,test_rmse,model_mb,process_s,means_s" > "$csv"

# run_tool NAME CMD...: run CMD under GNU time; sets wall and rss (MB).
run_tool() {
	name=$1
	shift
	if ! "$gtime" -f '%e %M' -o "$work/time.txt" "$@" \
	    > "$work/$name.out" 2> "$work/$name.err"; then
		echo "bench: $name failed:" >&2
		tail -n 5 "$work/$name.err" >&2
		return 1
	fi
	wall=$(tail -n 1 "$work/time.txt" | cut -d' ' -f1)
	rss=$(tail -n 1 "$work/time.txt" | awk '{ printf "%.1f", $2 / 1024 }')
}

# run_median N NAME CMD...: run_tool N times; wall gets the median (what
# a run usually takes on a host whose load slows some runs), span the
# fastest and slowest ("min-max"), rss the largest.
run_median() {
	runs=$1
	shift
	rmax=0
	k=0
	: > "$work/walls.txt"
	while [ "$k" -lt "$runs" ]; do
		run_tool "$@" || return 1
		echo "$wall" >> "$work/walls.txt"
		rmax=$(awk -v a="$rmax" -v b="$rss" 'BEGIN { print (b > a ? b : a) }')
		k=$((k + 1))
	done
	wall=$(sort -n "$work/walls.txt" | awk '{ v[NR] = $1 }
	    END { print v[int((NR + 1) / 2)] }')
	span=$(sort -n "$work/walls.txt" | awk 'NR == 1 { a = $1 } { b = $1 }
	    END { print a "-" b }')
	rss=$rmax
}

# bench_set NAME TRAIN TEST TARGET
bench_set() {
	set_name=$1 train=$2 test=$3 target=$4
	echo "== $set_name: $(($(wc -l < "$train") - 1)) train rows, $(($(wc -l < "$test") - 1)) test rows, target $target"
	# --no-validation: the plain fit scikit-learn and ranger also do
	run_tool sc-forest "$build/bin/sc-forest" -v --no-validation --trees 100 \
	    --max-features 0.3333333333333333 --min-samples-leaf 5 \
	    --no-validation --format binary --interval-grid 2048 \
	    --target "$target" -o "$work/model.bin" "$train" || return 1
	sc_fit=$wall sc_rss=$rss
	sc_inner=$(sed -n 's/.* fit[a-z ]* \([0-9.]*\) s.*/\1/p' "$work/sc-forest.err")
	sc_mb=$(awk -v b="$(wc -c < "$work/model.bin")" 'BEGIN { printf "%.1f", b / 1e6 }')
	"$work/forest_predict" "$work/model.bin" "$test" > "$work/pred.out" ||
	    return 1
	read -r sc_load sc_pred sc_int sc_rmse sc_cover < "$work/pred.out"
	run_median 5 sc-predict "$build/bin/sc-predict" -i 0.9 \
	    -m "$work/model.bin" -o "$work/pred.csv" "$test" || return 1
	sc_proc=$wall sc_prss=$rss sc_pspan=$span
	run_median 5 sc-predict "$build/bin/sc-predict" -m "$work/model.bin" \
	    -o "$work/pred-means.csv" "$test" || return 1
	sc_means=$wall sc_mrss=$rss sc_mspan=$span
	echo "$set_name,sc-forest,$sc_fit,$sc_pred,$sc_int,$sc_rss,$sc_rmse,$sc_mb,$sc_proc,$sc_means" >> "$csv"
	echo "   sc-forest: process $sc_fit s (fit alone $sc_inner s), model" \
	    "$sc_mb MB, loaded in $sc_load s, 90% interval coverage" \
	    "$sc_cover; sc-predict as a process (median of 5 runs, fastest" \
	    "and slowest): $sc_proc s ($sc_pspan) with -i 0.9 ($sc_prss MB)," \
	    "$sc_means s ($sc_mspan) without ($sc_mrss MB)"
	run_tool sklearn "$py" "$top/bench/sklearn_fit.py" "$train" "$test" \
	    "$target" || return 1
	read -r f p r < "$work/sklearn.out"
	echo "$set_name,scikit-learn,$f,$p,,$rss,$r" >> "$csv"
	run_tool ranger Rscript "$top/bench/ranger_fit.R" "$train" "$test" \
	    "$target" || return 1
	read -r f p r < "$work/ranger.out"
	echo "$set_name,ranger,$f,$p,,$rss,$r" >> "$csv"
}

if [ ! -s "$work/friedman/train.csv" ]; then
	mkdir -p "$work/friedman"
	"$py" "$top/bench/friedman.py" "$work/friedman"
fi
bench_set friedman1 "$work/friedman/train.csv" "$work/friedman/test.csv" \
    target || exit 1

if [ -x "$build/bin/sc-fetch" ] && [ -x "$build/bin/sc-split" ]; then
	mkdir -p "$work/stock"
	if "$build/bin/sc-fetch" synthetic:AAPL,GOOGL,MSFT,NVDA,AMZN,META \
	    --from 2020-01-01 | "$build/bin/sc-split" \
	    -o "$work/stock/train.csv" -t "$work/stock/test.csv"; then
		target=$(head -n 1 "$work/stock/train.csv" | tr ',' '\n' |
		    grep -m 1 '^target')
		bench_set stock "$work/stock/train.csv" \
		    "$work/stock/test.csv" "$target" ||
		    echo "stock table: a tool failed (above)"
	else
		echo "stock table: sc-fetch or sc-split failed"
	fi
else
	echo "stock table: skipped (sc-fetch/sc-split not built)"
fi

echo
awk -F, 'NR == 1 { next }
$2 == "sc-forest" { sf[$1] = $3; sp[$1] = $4; sr[$1] = $6; se[$1] = $7 }
{ row[NR] = $0 }
END {
	printf "%-10s %-13s %9s %7s %9s %7s %9s %7s %10s %8s\n", "data",
	    "tool", "fit s", "x", "predict s", "x", "peak MB", "x", "RMSE",
	    "RMSE x";
	for (i = 2; i <= NR; i++) {
		split(row[i], c, ",");
		d = c[1];
		printf "%-10s %-13s %9.3f %7.2f %9.3f %7.2f %9.1f %7.2f %10.5f %8.4f\n",
		    d, c[2], c[3], c[3] / sf[d], c[4], c[4] / sp[d], c[6],
		    c[6] / sr[d], c[7], c[7] / se[d];
	}
	print "(x: the tool'"'"'s figure divided by sc-forest'"'"'s on the same data)";
}' "$csv"
echo "written: $csv"

# sc-tune next to Optuna and scikit-learn (bench/out/tune.csv).
echo
sh "$top/bench/tune.sh" "$build"
