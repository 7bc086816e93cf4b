#!/bin/sh
# report: write the day's report page, reports/SC_TODAY.html in the store:
# one self-contained HTML file (sc-report) with the forecasts, forecast
# against actual, metrics over time, runs and the latest search, the
# registry, drift and the champion's feature importances, read from the
# store as it is.  Prints where the page is: a path for a local store, the
# s3:// URI otherwise (docs/report.md says how a bucket serves it).
# usage: scripts/report.sh
set -eu
prog=report
# shellcheck source=scripts/common.sh
. "$(dirname "$0")/common.sh"
check_config

run sc-report -d "$SC_TODAY" -m "$SC_MODEL_NAME" -o "$work/report.html"
put "reports/$SC_TODAY.html" "$work/report.html"
case $SC_STORE in
s3://*) where=${SC_STORE%/}/reports/$SC_TODAY.html ;;
file://*) where=${SC_STORE#file://}; where=${where%/}/reports/$SC_TODAY.html ;;
*) where=$(cd "$SC_STORE" && pwd)/reports/$SC_TODAY.html ;;
esac
log "reports/$SC_TODAY.html: $(wc -c < "$work/report.html") bytes"
echo "$where"
