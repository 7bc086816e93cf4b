#!/bin/sh
# SPDX-License-Identifier: ISC
# stockcast at 1x, 10x and 100x: synthetic markets of 50, 500 and 5,000
# tickers x 20 years (2005-01-03..2024-12-31, 5,036 trading days each), and
# for each the pipeline's four steps as whole processes under GNU time:
#   prepare    sc-split (features, target, the last 30 days to test)
#   train      sc-forest with the settings docs/performance.md recommends
#              for that size (forest_args below), binary model
#   inference  sc-predict --next on every ticker's full history
#   evaluate   sc-predict on the test table, then sc-rmse (two processes:
#              seconds added, the larger peak)
# Each step's wall seconds and peak resident memory (GNU time %M) go to
# bench/out/scale.csv with the row counts and the model's size, and a table
# is printed.  The synthetic prices are made first (sc-fetch synthetic:,
# timed as "data", not a step).  Files live in bench/out/work/scale-N and
# are removed after each size (5,000 tickers need about 10 GB meanwhile).
# SC_SCALE_FOREST_ARGS replaces the recommended settings (to try others).
# usage: bench/scale.sh BUILD [TICKERS...]   (default: 50 500 5000)
set -eu
build=${1:-build}
[ $# -gt 0 ] && shift
sizes=${*:-50 500 5000}
top=$(cd "$(dirname "$0")/.." && pwd)
case $build in /*) ;; *) build=$top/$build ;; esac
out=$top/bench/out
gtime=/usr/bin/time
PATH=$build/bin:$PATH
export PATH LC_ALL=C TZ=UTC
mkdir -p "$out/work"
[ -x "$gtime" ] || { echo "scale: GNU time needed (make deps-bench)" >&2; exit 69; }

# The forest settings for a market of $1 tickers (docs/performance.md):
# every tree on a bootstrap of at most about 250,000 rows, leaves of at
# least 20 to 50 rows, 2 calibration folds past 500 tickers.
forest_args() {
	if [ "$1" -le 100 ]; then
		echo "--trees 100 --min-samples-leaf 5 --max-samples 0.5"
	elif [ "$1" -le 1000 ]; then
		echo "--trees 100 --min-samples-leaf 20 --max-samples 250000"
	else
		echo "--trees 100 --min-samples-leaf 50 --max-samples 250000 --folds 2"
	fi
}

csv=$out/scale.csv
echo "tickers,step,seconds,peak_mb,rows,model_mb,forest_args" > "$csv"

# timed STEP CMD...: run CMD under GNU time; sets sec and mb.
timed() {
	$gtime -f '%e %M' -o "$w/time" "$@" > "$w/out" 2> "$w/err" || {
		echo "scale: $1 failed:" >&2
		tail -n 5 "$w/err" >&2
		exit 1
	}
	read -r sec kb < "$w/time"
	mb=$((kb / 1024))
}

for n in $sizes; do
	w=$out/work/scale-$n
	rm -rf "$w"
	mkdir -p "$w"
	syms=$(seq -f 'T%04g' 1 "$n" | paste -sd, -)
	args=${SC_SCALE_FOREST_ARGS:-$(forest_args "$n")}
	echo "scale: $n tickers (forest: $args)" >&2

	timed sc-fetch --from 2005-01-01 --to 2024-12-31 -o "$w/raw.csv" "synthetic:$syms"
	rows=$(($(wc -l < "$w/raw.csv") - 1))
	echo "$n,data,$sec,$mb,$rows,," >> "$csv"

	timed sc-split -n 30 -o "$w/train.csv" -t "$w/test.csv" "$w/raw.csv"
	echo "$n,prepare,$sec,$mb,$rows,," >> "$csv"

	trows=$(($(wc -l < "$w/train.csv") - 1))
	# shellcheck disable=SC2086 # args is a list of options
	timed sc-forest $args --format binary -o "$w/model.bin" "$w/train.csv"
	msize=$(wc -c < "$w/model.bin")
	model_mb=$(awk -v b="$msize" 'BEGIN { printf "%.1f", b / 1048576 }')
	echo "$n,train,$sec,$mb,$trows,$model_mb,$args" >> "$csv"

	timed sc-predict -m "$w/model.bin" --next -o "$w/next.csv" "$w/raw.csv"
	echo "$n,inference,$sec,$mb,$n,," >> "$csv"

	timed sc-predict -m "$w/model.bin" -o "$w/pred.csv" "$w/test.csv"
	s1=$sec m1=$mb
	timed sc-rmse -o "$w/metrics.json" "$w/pred.csv"
	sec=$(awk -v a="$s1" -v b="$sec" 'BEGIN { printf "%.2f", a + b }')
	[ "$m1" -gt "$mb" ] && mb=$m1
	erows=$(($(wc -l < "$w/test.csv") - 1))
	echo "$n,evaluate,$sec,$mb,$erows,," >> "$csv"
	rm -rf "$w"
done

# The table: one row per market, seconds / peak MB per step.
awk -F, '
NR == 1 { next }
{
	t[$1] = 1; s[$1, $2] = $3; m[$1, $2] = $4
	if ($2 == "data") r[$1] = $5
	if ($2 == "train") { tr[$1] = $5; mm[$1] = $6 }
}
END {
	printf "%-8s %10s %10s %14s %14s %14s %14s %9s\n", "tickers", "rows",
	    "train rows", "prepare s/MB", "train s/MB", "infer s/MB",
	    "eval s/MB", "model MB"
	for (k in t) order[++n] = k + 0
	for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++)
		if (order[j] < order[i]) { x = order[i]; order[i] = order[j]; order[j] = x }
	for (i = 1; i <= n; i++) {
		k = order[i]
		printf "%-8s %10s %10s %14s %14s %14s %14s %9s\n", k, r[k], tr[k],
		    s[k, "prepare"] "/" m[k, "prepare"], s[k, "train"] "/" m[k, "train"],
		    s[k, "inference"] "/" m[k, "inference"],
		    s[k, "evaluate"] "/" m[k, "evaluate"], mm[k]
	}
}' "$csv"
