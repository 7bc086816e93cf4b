#!/bin/sh
# plot: draw the champion's forecasts against the actual closes over the
# test window, with the prediction interval, one panel per ticker, from
# evaluations/DATE.csv (written by evaluate; DATE is SC_TODAY, else the
# latest there is).  Writes plots/DATE.png and plots/DATE.svg to the store
# and prints where they are (a path for a local store).  Needs gnuplot
# (Debian: gnuplot-nox).  With the operand backtest: the backtest of
# backtests/DATE.csv (make backtest) into plots/DATE-backtest.png and .svg.
# usage: scripts/plot.sh [backtest]
set -eu
prog=plot
# shellcheck source=scripts/common.sh
. "$(dirname "$0")/common.sh"
check_config
command -v gnuplot > /dev/null ||
	die 69 "gnuplot is not installed (Debian: apt-get install gnuplot-nox)"

case ${1:-} in
'') src=evaluations suffix='' what="test window" ;;
backtest) src=backtests suffix=-backtest what=backtest ;;
*) die 64 "usage: scripts/plot.sh [backtest]" ;;
esac
day=$SC_TODAY
if ! get "$src/$day.csv" "$work/eval.csv"; then
	day=$(sc-fetch -l "$src/" | sed -n 's#.*/\([0-9-]*\)\.csv$#\1#p' | LC_ALL=C sort | tail -n 1)
	[ -n "$day" ] || die 66 "no $src/*.csv in $SC_STORE (run ${src%s} first)"
	get "$src/$day.csv" "$work/eval.csv" || exit $?
fi

# One data file per ticker: target day, actual, forecast, lower, upper.
# Columns are found by name; a file without the date column (before it was
# added) takes the asof of the next row, and after the last row the next
# weekday, as the target day.
# shellcheck disable=SC2016 # an awk program
hdr='NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }'
ptick=$(awk -F, "$hdr"' { print $c["ticker"] }' "$work/eval.csv" | LC_ALL=C sort -u)
n=0
for t in $ptick; do
	n=$((n + 1))
	awk -F, -v t="$t" "$hdr"' $c["ticker"] == t' "$work/eval.csv" > "$work/rows"
	sed -n 1p "$work/eval.csv" | cat - "$work/rows" > "$work/rows.h"
	if head -n 1 "$work/eval.csv" | tr ',' '\n' | grep -qx date; then
		awk -F, "$hdr"' {
			p = $c["predicted_close"]; l = $c["lower"]; u = $c["upper"]
			print $c["date"], ($c["actual_close"] == "" ? "NaN" : $c["actual_close"]), p,
			    (l == "" ? p : l), (u == "" ? p : u) }' "$work/rows.h" > "$work/p$n.dat"
		continue
	fi
	last=$(tail -n 1 "$work/rows" | cut -d, -f1)
	case $(date -u -d "$last" +%u) in
	5) next=$(date -u -d "$last + 3 days" +%Y-%m-%d) ;;
	6) next=$(date -u -d "$last + 2 days" +%Y-%m-%d) ;;
	*) next=$(date -u -d "$last + 1 day" +%Y-%m-%d) ;;
	esac
	awk -F, -v nd="$next" "$hdr"'
		NR > 2 { print $1, a, p, l, u }
		{ a = $c["actual_close"]; p = $c["predicted_close"]
		  l = ($c["lower"] == "" ? p : $c["lower"]); u = ($c["upper"] == "" ? p : $c["upper"]) }
		END { print nd, a, p, l, u }' "$work/rows.h" > "$work/p$n.dat"
done
[ "$n" -gt 0 ] || die 65 "$src/$day.csv has no rows"
cols=1
[ "$n" -gt 1 ] && cols=2
rows=$(((n + cols - 1) / cols))
model=$(awk -F, "$hdr"' { print $c["model"]; exit }' "$work/eval.csv")
# A long window (a backtest) is labelled by month, a short one by day.
xfmt="%m-%d"
[ "$(wc -l < "$work/rows")" -le 90 ] || xfmt="%y-%m"
level=$(awk -v i="$SC_INTERVAL" 'BEGIN { printf "%g", i * 100 }')

cat > "$work/plot.gp" << GP
set datafile separator " "
set xdata time
set timefmt "%Y-%m-%d"
set format x "$xfmt"
set grid lc rgb "#dddddd"
set key top left opaque font ",8" samplen 2
set tics font ",8"
set style fill transparent solid 0.25 noborder
tickers = "$(echo "$ptick" | tr '\n' ' ')"
do for [i = 1:$n] {
	set title word(tickers, i) font ",10"
	plot "$work/p" . i . ".dat" using 1:4:5 with filledcurves lc rgb "#4c72b0" title "${level}% interval", \
		"" using 1:2 with linespoints lw 2 pt 7 ps 0.4 lc rgb "#222222" title "actual close", \
		"" using 1:3 with linespoints lw 2 pt 7 ps 0.4 lc rgb "#dd5500" title "forecast"
}
unset multiplot
GP
title="Forecast against actual close, $what ($model, $day)"
for fmt in png svg; do
	case $fmt in
	png) term="pngcairo size 1200,$((rows * 320 + 40)) font 'sans,9'" ;;
	svg) term="svg size 1200,$((rows * 320 + 40)) font 'sans,9' background rgb 'white'" ;;
	esac
	{
		printf 'set terminal %s\nset output "%s"\n' "$term" "$work/plot.$fmt"
		printf 'set multiplot layout %d,%d title "%s" font ",11"\n' "$rows" "$cols" "$title"
		cat "$work/plot.gp"
	} > "$work/run.gp"
	run gnuplot "$work/run.gp"
	put "plots/$day$suffix.$fmt" "$work/plot.$fmt"
done
case $SC_STORE in
s3://*) where=${SC_STORE%/}/plots/$day$suffix ;;
file://*) where=${SC_STORE#file://}; where=${where%/}/plots/$day$suffix ;;
*) where=${SC_STORE%/}/plots/$day$suffix ;;
esac
log "$n panels drawn"
echo "$where.png"
echo "$where.svg"
