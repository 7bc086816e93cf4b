#!/bin/sh
# SPDX-License-Identifier: ISC
# Time sc-backtest on the workload it promises to finish within 30 s on 2
# cores: 6 synthetic tickers (2019-2023, 1,258 days each), the last 750
# days forecast, refit every 20 days, sc-forest's default forest (100
# trees), calibration every 5th refit (the default), every core.  Also
# prints what the backtest measured: skill against the naive forecast
# (0 on a random walk: the calibrated forecast is the naive one), the 90%
# intervals' coverage overall and per third of the window, mean width and
# interval score; and the same for the old default (--raw).  Writes
# bench/out/backtest.csv.
# usage: bench/backtest.sh BUILD
set -eu
build=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
case $build in /*) ;; *) build=$top/$build ;; esac
bin=$build/bin
out=$top/bench/out
work=$out/work
mkdir -p "$work"
export LC_ALL=C

"$bin/sc-fetch" --from 2019-01-01 --to 2023-12-31 \
	synthetic:AAPL,GOOGL,MSFT,NVDA,AMZN,META > "$work/bt-history.csv"
csv=$out/backtest.csv
echo "variant,wall_s,user_s,forecasts,skill,coverage,cover_1,cover_2,cover_3,width,interval_score" > "$csv"

for variant in default raw; do
	args=
	[ "$variant" = raw ] && args=--raw
	# shellcheck disable=SC2086 # args is empty or one option
	/usr/bin/time -f "%e %U" -o "$work/bt-time.txt" "$bin/sc-backtest" -d 750 -r 20 \
		--no-progress $args -o "$work/bt-$variant.csv" "$work/bt-history.csv"
	"$bin/sc-rmse" -o "$work/bt-$variant.json" "$work/bt-$variant.csv"
	read -r wall user < "$work/bt-time.txt"
	python3 - "$work/bt-$variant" "$variant" "$wall" "$user" >> "$csv" << 'EOF'
import csv, json, sys
m = json.load(open(sys.argv[1] + ".json"))
rows = list(csv.DictReader(open(sys.argv[1] + ".csv")))
days = sorted({r["date"] for r in rows})
cut = [days[len(days) // 3], days[2 * len(days) // 3]]
hit, n = [0, 0, 0], [0, 0, 0]
for r in rows:
    t = 0 if r["date"] < cut[0] else 1 if r["date"] < cut[1] else 2
    n[t] += 1
    hit[t] += float(r["lower"]) <= float(r["actual_close"]) <= float(r["upper"])
print("%s,%s,%s,%d,%.6f,%.4f,%s,%.4f,%.4f" % (sys.argv[2], sys.argv[3], sys.argv[4],
      m["n"], m["skill"], m["interval_coverage"],
      ",".join("%.3f" % (h / k) for h, k in zip(hit, n)),
      m["interval_width"], m["interval_score"]))
EOF
done
echo "== sc-backtest: 6 synthetic tickers x 750 days, refit 20, default forest, $(nproc) cores"
column -s, -t < "$csv"
echo "written: $csv"
