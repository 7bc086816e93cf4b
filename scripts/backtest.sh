#!/bin/sh
# backtest: the forecasts the pipeline would have made over the last
# SC_BACKTEST_DAYS trading days of each ticker's stored history (up to
# SC_TODAY), refitting every SC_BACKTEST_REFIT days with the training
# step's forest (SC_FOREST_ARGS) and calibration, each forecast from the
# days before it only; stores sc-backtest's predictions as
# backtests/SC_TODAY.csv and sc-rmse's metrics of them as
# backtests/SC_TODAY.json.  Needs SC_BACKTEST_DAYS plus the features'
# warm-up plus some training days of history (prepare with an earlier
# SC_FROM).  SC_BACKTEST_ARGS adds sc-backtest options (--window 500,
# --interval-method quantile, --raw).
# usage: scripts/backtest.sh
set -eu
prog=backtest
# shellcheck source=scripts/common.sh
. "$(dirname "$0")/common.sh"
check_config

days_given=${SC_BACKTEST_DAYS:+yes}
SC_BACKTEST_DAYS=${SC_BACKTEST_DAYS:-250}
SC_BACKTEST_REFIT=${SC_BACKTEST_REFIT:-20}
for _v in SC_BACKTEST_DAYS SC_BACKTEST_REFIT; do
	eval "_x=\${$_v}"
	case $_x in
	'' | *[!0-9]* | 0) die 64 "$_v=$_x: want a whole number above 0" ;;
	esac
done

history "$work/ohlcv.csv"
# Unless SC_BACKTEST_DAYS was given, the window fits the stored history:
# the shortest ticker's days less 150 (the features' warm-up and a first
# training window).
if [ -z "$days_given" ]; then
	fit=$(awk -F, 'NR > 1 { n[$2]++ } END { m = -1; for (t in n) if (m < 0 || n[t] < m) m = n[t]; print m - 150 }' "$work/ohlcv.csv")
	[ "$fit" -ge 20 ] ||
		die 65 "the stored history is too short for a backtest (prepare with an earlier SC_FROM)"
	if [ "$fit" -lt "$SC_BACKTEST_DAYS" ]; then
		log "the stored history holds $((fit + 150)) days for its shortest ticker: backtesting the last $fit (SC_BACKTEST_DAYS, or an earlier SC_FROM at prepare, for more)"
		SC_BACKTEST_DAYS=$fit
	fi
fi
log "backtest of $tlist: last $SC_BACKTEST_DAYS days up to $SC_TODAY, refit every $SC_BACKTEST_REFIT days (sc-forest $SC_FOREST_ARGS --seed $SC_SEED${SC_BACKTEST_ARGS:+, $SC_BACKTEST_ARGS})"
# shellcheck disable=SC2086 # SC_FOREST_ARGS and SC_BACKTEST_ARGS are lists of options
run sc-backtest -d "$SC_BACKTEST_DAYS" -r "$SC_BACKTEST_REFIT" -i "$SC_INTERVAL" \
	$SC_FOREST_ARGS --seed "$SC_SEED" ${SC_BACKTEST_ARGS:-} -N "backtest/$SC_TODAY" \
	--no-progress -o "$work/backtest.csv" "$work/ohlcv.csv"
run sc-rmse -l "$SC_INTERVAL" -o "$work/backtest.json" "$work/backtest.csv"
put "backtests/$SC_TODAY.csv" "$work/backtest.csv"
put "backtests/$SC_TODAY.json" "$work/backtest.json"
log "backtests/$SC_TODAY.json: RMSE $(json_num "$work/backtest.json" rmse), naive $(json_num "$work/backtest.json" naive_rmse), skill $(json_num "$work/backtest.json" skill), coverage $(json_num "$work/backtest.json" interval_coverage)"
