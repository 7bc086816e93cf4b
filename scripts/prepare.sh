#!/bin/sh
# prepare: bring each ticker's price history in the store up to date
# (raw/TICKER.csv, fetched incrementally: only the days after the last
# stored one, with a few days of overlap for revised bars), then compute the
# features and split them: the last SC_TEST_DAYS trading days of each
# ticker go to processed/test.csv, the rest to processed/train.csv.
# usage: scripts/prepare.sh   (configuration: the SC_* environment, see
# docs/operations.md)
set -eu
prog=prepare
# shellcheck source=scripts/common.sh
. "$(dirname "$0")/common.sh"
check_config

log "store $SC_STORE, source $SC_SOURCE, tickers $tlist, up to $SC_TODAY"
failed=0
for t in $tickers; do
	# One failing symbol does not stop the others; the run fails at the end.
	( update_raw "$t" ) || { rc=$?; failed=$((failed + 1)); first=${first:-$rc}; }
done
if [ "$failed" -gt 0 ]; then
	die "$first" "$failed ticker(s) could not be fetched; processed/ left as it was"
fi

history "$work/ohlcv.csv"
rc=0
sc-split --test-days "$SC_TEST_DAYS" -o "$work/train.csv" \
	-t "$work/test.csv" "$work/ohlcv.csv" 2> "$work/split.err" || rc=$?
cat "$work/split.err" >&2
if [ "$rc" -ne 0 ]; then
	# Too short a history (SC_FROM late in the year, or a new listing):
	# say which setting gives more.
	if grep -q 'need more than' "$work/split.err"; then
		die "$rc" "too little history from SC_FROM=$SC_FROM to SC_TODAY=$SC_TODAY for SC_TEST_DAYS=$SC_TEST_DAYS test days: set an earlier SC_FROM (e.g. SC_FROM=$(date -u -d "$SC_TODAY - 1 year" +%Y-%m-%d)) or fewer SC_TEST_DAYS"
	fi
	die "$rc" "sc-split failed with exit status $rc"
fi
put processed/train.csv "$work/train.csv"
put processed/test.csv "$work/test.csv"
log "processed/train.csv: $(($(wc -l < "$work/train.csv") - 1)) rows, processed/test.csv: $(($(wc -l < "$work/test.csv") - 1)) rows"
