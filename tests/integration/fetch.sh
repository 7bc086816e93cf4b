#!/usr/bin/env bash
# sc-fetch against a loopback server (tests/servers/market.py) that speaks
# the Yahoo, Stooq and Alpha Vantage formats and fails in their ways; each
# case checks the exit status, and where it matters stdout, stderr and the
# requests the server saw.  Also synthetic data, partial failures, -o, and
# plain paths and URLs.
. "$(dirname "$0")/../lib.sh"

PY=/usr/bin/python3
CAPS=${SC_SHARED:-$SC_TOP/../shared}/yahoo-captures
[ -d "$CAPS" ] || CAPS=/work/shared/yahoo-captures
LOG=$T_TMP/requests.log
t_bg "$PY" "$SC_TOP/tests/servers/market.py" "$T_TMP/port" \
	--captures "$CAPS" --log "$LOG"
i=0
while [ ! -s "$T_TMP/port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
PORT=$(cat "$T_TMP/port")
BASE=http://127.0.0.1:$PORT
export SC_YAHOO_URL=$BASE SC_YAHOO_COOKIE_URL=$BASE/cookie
export SC_STOOQ_URL=$BASE SC_ALPHAVANTAGE_URL=$BASE
export SC_RETRY_BASE=0.01 SC_RETRY_CAP=0.05 SC_RETRY_MAX=3 SC_HTTP_TIMEOUT=5
# fetch ARGS...: sc-fetch over March 2025
fetch() { sc-fetch --from 2025-03-01 --to 2025-03-31 "$@"; }

# requests NAME: how many requests the log holds for a path containing NAME
requests() { grep -c -- "$1" "$LOG" || true; }

# numeq OUT EXPECTED: same rows, same doubles (expected writes 1500.0)
numeq() {
	"$PY" - "$1" "$2" <<'EOF'
import csv, sys
a = list(csv.reader(open(sys.argv[1])))
b = list(csv.reader(open(sys.argv[2])))
if a[0] != b[0] or len(a) != len(b):
    sys.exit("header or row count differs: %d vs %d" % (len(a), len(b)))
for x, y in zip(a[1:], b[1:]):
    if x[:2] != y[:2] or any((u == "") != (v == "") or
                             (u != "" and float(u) != float(v))
                             for u, v in zip(x[2:], y[2:])):
        sys.exit("rows differ: %s / %s" % (x, y))
EOF
}

# Yahoo
if [ -f "$CAPS/chart-AAPL-2020-08-31-to-2020-11-07.json" ]; then
	t_exit "yahoo capture AAPL" 0 sc-fetch --from 2020-08-31 --to 2020-11-07 yahoo:AAPL
	t_check "yahoo capture AAPL matches expected CSV" \
		numeq "$T_OUT" "$CAPS/chart-AAPL-2020-08-31-to-2020-11-07.expected.csv"
	t_exit "yahoo capture BTC-USD (64-bit volume)" 0 \
		sc-fetch --from 2020-01-01 --to 2020-01-03 yahoo:BTC-USD
	t_check "yahoo capture BTC-USD matches" \
		numeq "$T_OUT" "$CAPS/chart-BTC-USD-2020-01-01-to-2020-01-03.expected.csv"
	t_exit "yahoo two captures in one call" 0 \
		sc-fetch --from 2020-01-01 --to 2022-01-31 yahoo:MSFT,AAPL
	t_check "two tickers sorted by ticker then date" sh -c \
		"tail -n +2 '$T_OUT' | sort -t, -k2,2 -k1,1 -c"
	t_check "two tickers, AAPL first" \
		[ "$(cut -d, -f2 "$T_OUT" | uniq | tr '\n' ' ')" = "ticker AAPL MSFT " ]
else
	t_skip "yahoo captures absent ($CAPS)"
fi
t_exit "yahoo nulls dropped" 0 fetch -v yahoo:NULLS
t_check "yahoo nulls: two rows" [ "$(wc -l < "$T_OUT")" -eq 3 ]
t_grep "yahoo nulls counted with -v" "yahoo:NULLS: 1 null rows dropped" "$T_ERR"
t_grep "yahoo row format" "^2025-03-05,ACME,100.02999877929688,101.9000015258789,99.61000061035156,101.37000274658203,101.37000274658203,3120450$" "$T_OUT"
t_exit "yahoo duplicate final bar" 0 fetch yahoo:DUP
t_check "yahoo duplicate: the last bar kept" \
	sh -c "[ \$(grep -c 2025-03-05 '$T_OUT') -eq 1 ] && grep -q '2025-03-05,ACME,100.03,101.9,99.61,101.37,101.37,3120450' '$T_OUT'"
t_exit "yahoo empty window" 0 fetch yahoo:EMPTY
t_check "yahoo empty window: header only" [ "$(cat "$T_OUT")" = "date,ticker,open,high,low,close,adj_close,volume" ]
t_exit "yahoo exchange-local date (Sydney)" 0 sc-fetch --from 2025-01-07 --to 2025-01-08 yahoo:SYDNEY
t_grep "yahoo Sydney bar dated locally" "^2025-01-07,BHP.AX," "$T_OUT"
t_exit "yahoo answer while the session is open" 0 fetch yahoo:OPEN
t_check "yahoo open session: its bar left out" [ "$(tail -n 1 "$T_OUT" | cut -d, -f1)" = 2025-03-04 ]
t_grep "yahoo open session: says so" 'yahoo:OPEN: 2025-03-05 left out: the session was still open' "$T_ERR"
t_exit "yahoo open session with --include-open" 0 fetch --include-open yahoo:OPEN
t_check "yahoo --include-open: the live bar kept" [ "$(tail -n 1 "$T_OUT" | cut -d, -f1,6)" = 2025-03-05,101.37 ]
t_exit "yahoo answer after the close" 0 fetch yahoo:CLOSED
t_check "yahoo after the close: the day's bar kept" [ "$(tail -n 1 "$T_OUT" | cut -d, -f1)" = 2025-03-05 ]
t_check "yahoo after the close: nothing said" [ ! -s "$T_ERR" ]
t_exit "yahoo 429 then success" 0 fetch yahoo:RATE
t_check "yahoo 429: asked twice" [ "$(requests /chart/RATE)" -eq 2 ]
t0=$(date +%s%N)
t_exit "yahoo 429 with Retry-After: 1" 0 env SC_RETRY_CAP=5 sc-fetch --from 2025-03-01 --to 2025-03-31 yahoo:WAIT
t_check "yahoo Retry-After honoured" [ $(( ($(date +%s%N) - t0) / 1000000 )) -ge 1000 ]
t_exit "yahoo answer past the size bound -> 76" 76 fetch yahoo:HUGE
t_grep "yahoo size bound message" "larger than" "$T_ERR"
t_exit "yahoo 500 every time -> 69" 69 fetch yahoo:DOWN
t_check "yahoo 500: SC_RETRY_MAX attempts" [ "$(requests /chart/DOWN)" -eq 3 ]
t_grep "yahoo 500 message" "yahoo:DOWN: service unavailable \(HTTP 500\) after 3 attempts" "$T_ERR"
t_exit "yahoo maintenance page -> 69" 69 fetch yahoo:MAINT
t_exit "yahoo 401 then cookie and crumb" 0 fetch yahoo:AUTH
t_check "yahoo crumb fetched" [ "$(requests getcrumb)" -eq 1 ]
t_grep "yahoo crumb sent escaped" '"query": "[^"]*&crumb=cr%2Fumb.9"' "$LOG"
t_exit "yahoo 401 after crumb -> 77, the other symbol written" 77 fetch yahoo:AUTH,AUTHFAIL
t_check "yahoo crumb fetched once per run" [ "$(requests getcrumb)" -eq 2 ]
t_check "yahoo crumb: good symbol written" [ "$(grep -c ',ACME,' "$T_OUT")" -eq 2 ]
t_exit "yahoo HTML page with 200 -> 77" 77 fetch yahoo:HTML
t_grep "yahoo HTML: clear message" "HTML page instead of data" "$T_ERR"
t_check "yahoo HTML: nothing on stdout" [ ! -s "$T_OUT" ]
t_exit "yahoo slow past the timeout -> 75" 75 env SC_HTTP_TIMEOUT=1 SC_RETRY_MAX=1 sc-fetch --from 2025-03-01 --to 2025-03-31 yahoo:SLOW
t_grep "yahoo slow: timed out" "timed out" "$T_ERR"
t_exit "yahoo truncated body -> 76" 76 fetch yahoo:TRUNC
t_exit "yahoo array length mismatch -> 76" 76 fetch yahoo:MISMATCH
t_exit "yahoo unknown symbol -> 66" 66 fetch yahoo:NOSUCH
t_grep "yahoo unknown symbol: Yahoo's message" "No data found, symbol may be delisted" "$T_ERR"
t_exit "yahoo gzip answer" 0 fetch yahoo:ZIP
t_grep "yahoo browser-like User-Agent" '"user-agent": "Mozilla/5.0' "$LOG"
t_grep "yahoo Accept-Encoding gzip" '"accept-encoding": "[^"]*gzip' "$LOG"
t_grep "yahoo Accept-Language" '"accept-language": "en-US' "$LOG"
t_grep "yahoo request parameters" '"query": "period1=[0-9]+&period2=[0-9]+&interval=1d&events=div%2Csplits&includePrePost=false"' "$LOG"

# Stooq
t_exit "stooq missing key -> 78" 78 fetch stooq:ok.us
t_grep "stooq missing key names the variable" "SC_STOOQ_APIKEY" "$T_ERR"
export SC_STOOQ_APIKEY=stooqkey
t_exit "stooq CSV" 0 fetch -vv stooq:ok.us
t_grep "stooq row, adj_close empty" "^2025-03-04,ok.us,100.4,100.95,99.2,99.87,,2411873$" "$T_OUT"
t_check "stooq -vv masks the key" sh -c "! grep -q stooqkey '$T_ERR' && grep -q 'apikey=\*\*\*' '$T_ERR'"
t_exit "stooq index without volume" 0 fetch stooq:spx
t_grep "stooq index row" "^2025-03-03,spx,5954.5,5986.09,5810.91,5849.72,,$" "$T_OUT"
t_exit "stooq No data -> 66" 66 fetch stooq:nodata.us
t_exit "stooq daily hits limit -> 75" 75 fetch stooq:limit.us
t_check "stooq quota not retried" [ "$(requests s=limit.us)" -eq 1 ]
t_exit "stooq bot-check HTML -> 77" 77 fetch stooq:pow.us
t_exit "stooq truncated CSV -> 76" 76 fetch stooq:trunc.us
t_exit "stooq 503 -> 69" 69 fetch stooq:down.us
t_exit "stooq wrong key (API key page) -> 78" 78 env SC_STOOQ_APIKEY=wrong sc-fetch --from 2025-03-01 --to 2025-03-31 stooq:ok.us
t_check "stooq wrong key not printed" sh -c "! grep -q wrong '$T_ERR'"

# Alpha Vantage
t_exit "alphavantage missing key -> 78" 78 fetch alphavantage:OK
t_grep "alphavantage missing key names the variable" "ALPHAVANTAGE_API_KEY" "$T_ERR"
export ALPHAVANTAGE_API_KEY=avsecret42
t_exit "alphavantage JSON" 0 fetch alphavantage:OK
t_grep "alphavantage row" "^2025-03-05,OK,100.03,101.9,99.61,101.37,,3120450$" "$T_OUT"
t_exit "alphavantage -vv" 0 fetch -vv alphavantage:OK
t_check "alphavantage -vv masks the key" sh -c "! grep -q avsecret42 '$T_ERR' && grep -q 'apikey=\*\*\*' '$T_ERR'"
t_exit "alphavantage daily quota -> 75" 75 fetch alphavantage:QUOTA
t_check "alphavantage quota message hides the key" sh -c "! grep -q avsecret42 '$T_ERR' && grep -q 'per day' '$T_ERR'"
t_exit "alphavantage burst limit retried" 0 fetch alphavantage:BURST
t_check "alphavantage burst: asked twice" [ "$(requests symbol=BURST)" -eq 2 ]
t_exit "alphavantage invalid call -> 66" 66 fetch alphavantage:NOSUCH
t_exit "alphavantage invalid key -> 78" 78 fetch alphavantage:BADKEY
t_exit "alphavantage premium full -> compact" 0 sc-fetch --from 2024-01-01 --to 2025-03-31 alphavantage:PREMIUM
t_grep "alphavantage premium warning" "premium feature" "$T_ERR"

# Several symbols, partial failure
t_exit "partial failure: exit of the failure" 66 fetch yahoo:NULLS,NOSUCH
t_check "partial failure: good rows written" [ "$(grep -c ',ACME,' "$T_OUT")" -eq 2 ]
t_grep "partial failure: summary line" "sc-fetch: 1 of 2 symbols failed" "$T_ERR"
t_exit "mixed sources sorted" 0 fetch synthetic:ZZZ stooq:ok.us yahoo:NULLS
t_check "mixed sources: tickers in order" \
	[ "$(cut -d, -f2 "$T_OUT" | uniq | tr '\n' ' ')" = "ticker ACME ZZZ ok.us " ]
t_exit "partial failure with -o" 75 fetch -o "$T_TMP/part.csv" synthetic:AAA stooq:limit.us
t_check "partial -o file written" [ "$(wc -l < "$T_TMP/part.csv")" -gt 10 ]
t_exit "all failing with -o" 66 fetch -o "$T_TMP/none.csv" yahoo:NOSUCH
t_check "all failing: no output file" [ ! -e "$T_TMP/none.csv" ]

# Synthetic
t_exit "synthetic" 0 sc-fetch --from 2025-01-01 --to 2025-12-31 --seed 7 synthetic:AAPL,MSFT
t_check "synthetic: 250 trading days each" [ "$(grep -c ,AAPL, "$T_OUT")" -eq 250 ]
cp "$T_OUT" "$T_TMP/year.csv"
t_exit "synthetic later window" 0 sc-fetch --from 2025-06-01 --to 2026-02-01 --seed 7 synthetic:MSFT
t_check "synthetic overlapping windows agree" sh -c \
	"grep ',MSFT,' '$T_TMP/year.csv' | grep '^2025-0[6-9]\|^2025-1' > '$T_TMP/a' && \
	 grep '^2025' '$T_OUT' > '$T_TMP/b' && cmp -s '$T_TMP/a' '$T_TMP/b'"
t_exit "synthetic other seed" 0 sc-fetch --from 2025-01-01 --to 2025-12-31 --seed 8 synthetic:AAPL,MSFT
t_check "synthetic seed changes the data" sh -c "! cmp -s '$T_OUT' '$T_TMP/year.csv'"
t_exit "synthetic -o" 0 sc-fetch --from 2025-01-01 --to 2025-01-31 -o "$T_TMP/s.csv" synthetic:X
t_check "synthetic -o file" [ "$(wc -l < "$T_TMP/s.csv")" -eq 21 ]
t_exit "--help says synthetic" 0 sc-fetch --help
t_grep "--help says synthetic is synthetic" "SYNTHETIC data, not real" "$T_OUT"

# Plain paths and URLs
t_exit "path copied" 0 sc-fetch "$T_TMP/s.csv"
t_check "path bytes unchanged" cmp -s "$T_OUT" "$T_TMP/s.csv"
t_exit "file:// copied" 0 sc-fetch "file://$T_TMP/s.csv"
t_check "file:// bytes unchanged" cmp -s "$T_OUT" "$T_TMP/s.csv"
t_exit "stdin copied" 0 sh -c "printf 'a,b\\n1,2' | sc-fetch -"
t_check "stdin bytes unchanged" [ "$(cat "$T_OUT")" = "$(printf 'a,b\n1,2')" ]
t_exit "missing path -> 66" 66 sc-fetch "$T_TMP/nope.csv"
t_exit "http download" 0 sc-fetch "$BASE/raw/hello.bin"
t_check "http bytes unchanged" sh -c "$PY -c 'import sys; sys.stdout.buffer.write(bytes(range(256))*4)' | cmp -s - '$T_OUT'"
t_exit "http 503 then success" 0 sc-fetch "$BASE/raw/flaky"
t_exit "http 404 -> 66" 66 sc-fetch "$BASE/raw/missing"
t_check "http 404: nothing written" [ ! -s "$T_OUT" ]
t_exit "http 403 -> 77" 77 sc-fetch "$BASE/raw/forbidden"

# Usage
t_exit "unknown source -> 64" 64 sc-fetch foo:bar
t_grep "unknown source message" "foo:bar: unknown source" "$T_ERR"
t_exit "a bare word is a store key: absent -> 66" 66 env SC_STORE="$T_TMP/nostore" sc-fetch AAPL
t_exit "invalid symbol -> 64" 64 sc-fetch "yahoo:AA PL"
t_exit "empty symbol -> 64" 64 sc-fetch "yahoo:AAPL,"
t_exit "--from after --to -> 64" 64 sc-fetch --from 2025-02-01 --to 2025-01-01 synthetic:A
t_exit "bad date -> 64" 64 sc-fetch --from 2025-02-30 synthetic:A
t_exit "mixing market data and paths -> 64" 64 sc-fetch synthetic:A "$T_TMP/s.csv"
t_exit "no operand -> 64" 64 sc-fetch
t_done
