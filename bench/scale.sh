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
# Each step's wall seconds, user CPU seconds (GNU time %e, %U), peak
# resident memory (%M) and the 1-minute load average when it started go to
# bench/out/scale.csv with the rows it reads and the model's size, and a
# table is printed with seconds per million rows (the linear-growth check).
# The synthetic prices are made first (sc-fetch synthetic:, timed as
# "data", not a step).  Files live in bench/out/work/scale-N and are
# removed after each size (5,000 tickers need about 10 GB meanwhile).
# SC_SCALE_FOREST_ARGS replaces the recommended settings (to try others);
# SC_SCALE_FROM (default 2005-01-01) shortens the history and SC_SCALE_OUT
# (default bench/out) moves the output, for the test at a tiny size
# (tests/integration/scale.sh).  --settings N prints the settings for N
# tickers.
# usage: bench/scale.sh BUILD [TICKERS...]   (default: 50 500 5000)
#        bench/scale.sh --settings TICKERS
set -eu

# The forest settings for a market of $1 tickers (docs/performance.md):
# every tree on a bootstrap of at most 250,000 rows, leaves of at least
# 20 to 50 rows past 100 tickers, and there leaves keep their tree's
# in-bag ranks only, intervals on a 4,096-point grid and the OOB RMSE on
# 250,000 rows (costs that then stop growing with the market); 2
# calibration folds past 1,000 tickers.
forest_args() {
	if [ "$1" -le 100 ]; then
		echo "--trees 100 --min-samples-leaf 5 --max-samples 0.5"
	elif [ "$1" -le 1000 ]; then
		echo "--trees 100 --min-samples-leaf 20 --max-samples 250000" \
		    "--leaf-ranks bag --interval-grid 4096 --oob-rows 250000"
	else
		echo "--trees 100 --min-samples-leaf 50 --max-samples 250000" \
		    "--leaf-ranks bag --interval-grid 4096 --oob-rows 250000" \
		    "--folds 2"
	fi
}

if [ "${1:-}" = --settings ]; then
	forest_args "${2:?usage: bench/scale.sh --settings TICKERS}"
	exit 0
fi
build=${1:-build}
[ $# -gt 0 ] && shift
sizes=${*:-50 500 5000}
top=$(cd "$(dirname "$0")/.." && pwd)
case $build in /*) ;; *) build=$top/$build ;; esac
out=${SC_SCALE_OUT:-$top/bench/out}
from=${SC_SCALE_FROM:-2005-01-01}
gtime=/usr/bin/time
PATH=$build/bin:$PATH
export PATH LC_ALL=C TZ=UTC
mkdir -p "$out/work"
[ -x "$gtime" ] || { echo "scale: GNU time needed (make deps-bench)" >&2; exit 69; }

csv=$out/scale.csv
echo "tickers,step,seconds,user_s,load,peak_mb,rows,model_mb,forest_args" \
    > "$csv"

# timed CMD...: run CMD under GNU time; sets sec, usr, mb and load (the
# 1-minute load average just before it started).
timed() {
	read -r load _ < /proc/loadavg
	$gtime -f '%e %U %M' -o "$w/time" "$@" > "$w/out" 2> "$w/err" || {
		echo "scale: $1 failed:" >&2
		head -n 5 "$w/err" >&2
		exit 1
	}
	read -r sec usr kb < "$w/time"
	mb=$((kb / 1024))
}

# row STEP ROWS [MODEL_MB ARGS]: a line of scale.csv from the last timed.
row() {
	echo "$n,$1,$sec,$usr,$load,$mb,$2,${3:-},${4:-}" >> "$csv"
}

for n in $sizes; do
	w=$out/work/scale-$n
	rm -rf "$w"
	mkdir -p "$w"
	syms=$(seq -f 'T%04g' 1 "$n" | paste -sd, -)
	args=${SC_SCALE_FOREST_ARGS:-$(forest_args "$n")}
	echo "scale: $n tickers (forest: $args)" >&2

	timed sc-fetch --from "$from" --to 2024-12-31 -o "$w/raw.csv" \
	    "synthetic:$syms"
	rows=$(($(wc -l < "$w/raw.csv") - 1))
	row data "$rows"

	timed sc-split -n 30 -o "$w/train.csv" -t "$w/test.csv" "$w/raw.csv"
	row prepare "$rows"

	trows=$(($(wc -l < "$w/train.csv") - 1))
	# shellcheck disable=SC2086 # args is a list of options
	timed sc-forest $args --format binary -o "$w/model.bin" "$w/train.csv"
	msize=$(wc -c < "$w/model.bin")
	model_mb=$(awk -v b="$msize" 'BEGIN { printf "%.1f", b / 1048576 }')
	row train "$trows" "$model_mb" "$args"

	# one forecast per ticker, from its whole history (rows: the history)
	timed sc-predict -m "$w/model.bin" --next -o "$w/next.csv" "$w/raw.csv"
	[ "$(($(wc -l < "$w/next.csv") - 1))" -eq "$n" ] || {
		echo "scale: inference: not one forecast per ticker" >&2
		exit 1
	}
	row inference "$rows"

	timed sc-predict -m "$w/model.bin" -o "$w/pred.csv" "$w/test.csv"
	s1=$sec u1=$usr m1=$mb l1=$load
	timed sc-rmse -o "$w/metrics.json" "$w/pred.csv"
	sec=$(awk -v a="$s1" -v b="$sec" 'BEGIN { printf "%.2f", a + b }')
	usr=$(awk -v a="$u1" -v b="$usr" 'BEGIN { printf "%.2f", a + b }')
	[ "$m1" -gt "$mb" ] && mb=$m1
	load=$l1
	erows=$(($(wc -l < "$w/test.csv") - 1))
	row evaluate "$erows"
	rm -rf "$w"
done

# The table: a line per market and step; s/M and user s/M are seconds per
# million rows read (flat across the sizes when cost grows linearly).
awk -F, '
NR == 1 { next }
$2 != "data" {
	printf "%-8s %-10s %10s %9s %9s %6s %8s %7s %7s %8s\n", \
	    $1, $2, $7, $3, $4, $5, $6, \
	    sprintf("%.2f", $3 / $7 * 1e6), sprintf("%.2f", $4 / $7 * 1e6), $8
}' "$csv" | sort -s -n -k1,1 | {
	printf "%-8s %-10s %10s %9s %9s %6s %8s %7s %7s %8s\n" tickers step \
	    rows seconds user_s load peak_MB "s/M" "user/M" model_MB
	cat
}
