#!/usr/bin/env bash
# sc-split end to end: row counts per ticker, headers, targets, stdin and
# file input, -o -, and every kind of bad input with its exit status, a
# message naming the line, and no output file left behind or changed.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

data=$SC_TOP/tests/data
cd "$T_TMP" || exit 1

# gen TICKER DAYS START_PRICE: a deterministic business-day random walk
# from 2025-01-01 (Park-Miller generator: exact in awk's doubles).
gen() {
	awk -v t="$1" -v n="$2" -v p="$3" '
	function civil(z,   era, doe, yoe, doy, mp, d, m, y) {
		z += 719468
		era = int((z >= 0 ? z : z - 146096) / 146097)
		doe = z - era * 146097
		yoe = int((doe - int(doe / 1460) + int(doe / 36524) - int(doe / 146096)) / 365)
		y = yoe + era * 400
		doy = doe - (365 * yoe + int(yoe / 4) - int(yoe / 100))
		mp = int((5 * doy + 2) / 153)
		d = doy - int((153 * mp + 2) / 5) + 1
		m = mp < 10 ? mp + 3 : mp - 9
		return sprintf("%04d-%02d-%02d", y + (m <= 2), m, d)
	}
	BEGIN {
		x = 12345 + length(t) * 7 + p
		day = 20089	# 2025-01-01
		for (i = 0; i < n; day++) {
			w = (day + 4) % 7
			if (w == 0 || w == 6)
				continue
			x = (x * 16807) % 2147483647
			p *= 1 + (x / 2147483647 - 0.5) * 0.04
			x = (x * 16807) % 2147483647
			printf "%s,%s,%.4f,%.4f,%.4f,%.4f,%.4f,%d\n", civil(day), t,
			    p * 0.998, p * 1.01, p * 0.99, p, p, 1000000 + x % 500000
			i++
		}
	}'
}
hdr="date,ticker,open,high,low,close,adj_close,volume"
{ echo "$hdr"; gen AAPL 120 150; gen MSFT 120 400; } > long.csv

# The default run: warm-up 20 (vol_20), the last day has no target,
# so 120 - 20 - 1 = 99 complete days: 30 test and 69 train per ticker.
t_exit "default split exits 0" 0 sc-split -o train.csv -t test.csv long.csv
t_check "test has a header and 60 rows" [ "$(wc -l < test.csv)" -eq 61 ]
t_check "train has a header and 138 rows" [ "$(wc -l < train.csv)" -eq 139 ]
for tk in AAPL MSFT; do
	t_check "30 test rows for $tk" \
		[ "$(grep -c ",$tk," test.csv)" -eq 30 ]
done
t_grep "default header" \
	'^date,ticker,close,ema_5,ema_10,ema_20,ema_5_ratio,ema_20_ratio,sma_10_ratio,logret_1,logret_1_lag_1,logret_1_lag_2,logret_5,logret_10,vol_5,vol_20,rsi_14,volume_chg_1,dow,ticker_id,target_logret_1$' \
	test.csv
t_check "train header equals test header" \
	[ "$(head -n 1 train.csv)" = "$(head -n 1 test.csv)" ]
# The last test day of a ticker is its second-to-last input day.
want=$(grep ',AAPL,' long.csv | tail -n 2 | head -n 1 | cut -d, -f1)
t_check "last AAPL test row is the day before the last" \
	[ "$(grep ',AAPL,' test.csv | tail -n 1 | cut -d, -f1)" = "$want" ]
t_check "train rows come before test rows" \
	[ "$(grep ',AAPL,' train.csv | tail -n 1 | cut -d, -f1)" \< \
	  "$(grep ',AAPL,' test.csv | head -n 1 | cut -d, -f1)" ]
t_check "every row has every column" \
	awk -F, 'NR == 1 { n = NF } NF != n || /,,/ { exit 1 }' train.csv test.csv

t_exit "stdin input exits 0" 0 sh -c 'sc-split -o tr2.csv -t te2.csv < long.csv'
t_check "stdin and file input agree" cmp -s test.csv te2.csv
t_check "the output is deterministic" cmp -s train.csv tr2.csv
t_exit "-o - writes train to stdout" 0 sc-split -o - -t te3.csv long.csv
t_check "stdout table equals the file" cmp -s "$T_OUT" train.csv

t_exit "--test-days 10 --target close" 0 \
	sc-split --test-days 10 --target close --features ema_3,ret_1,dow \
	--output tr4.csv --test te4.csv long.csv
t_grep "close target header" '^date,ticker,close,ema_3,ret_1,dow,target_close_1$' te4.csv
t_check "10 test rows per ticker" [ "$(wc -l < te4.csv)" -eq 21 ]
# The raw-price target is the next close.
# shellcheck disable=SC2016
t_check "target_close_1 is the next day's close" awk -F, '
	NR > 1 && prev_t == $2 && prev_y != $3 { exit 1 }
	NR > 1 { prev_t = $2; prev_y = $7 }' tr4.csv
t_exit "--test-days 0 puts everything in train" 0 \
	sc-split -n 0 -o tr5.csv -t te5.csv long.csv
t_check "empty test table has the header only" [ "$(wc -l < te5.csv)" -eq 1 ]
t_check "train then holds all 198 rows" [ "$(wc -l < tr5.csv)" -eq 199 ]
t_exit "-v reports per-ticker counts" 0 sc-split -v -o tr6.csv -t te6.csv long.csv
t_grep "-v names the ticker" '^sc-split: AAPL: 120 rows, 69 train, 30 test' "$T_ERR"
t_check "quiet by default" sh -c 'sc-split -o a.csv -t b.csv long.csv 2>&1 | cmp -s - /dev/null'

# bad NAME STATUS PATTERN ARGS...: fails with STATUS and PATTERN on stderr,
# leaving the existing outputs as they were and no temporary file.
bad() {
	local name=$1 want=$2 pat=$3
	shift 3
	rm -rf o && mkdir o && echo old > o/train.csv
	t_exit "$name: exit $want" "$want" sc-split -o o/train.csv -t o/test.csv "$@"
	t_grep "$name: message" "$pat" "$T_ERR"
	t_check "$name: outputs untouched" untouched
}
untouched() {
	[ "$(cat o/train.csv)" = old ] && [ ! -e o/test.csv ] &&
		[ "$(ls -A o)" = train.csv ]
}
bad "unsorted dates" 65 \
	'^sc-split: .*ohlcv-unsorted.csv:4: AAPL 2025-01-03: date not after the previous row \(2025-01-06\)$' \
	"$data/ohlcv-unsorted.csv"
bad "duplicate date" 65 '^sc-split: stdin:4: AAPL 2025-01-03: duplicate date' \
	< "$data/ohlcv-dupdate.csv"
bad "tickers out of order" 65 \
	'^sc-split: stdin:4: ticker "AAPL" after "MSFT": rows must be sorted' \
	< "$data/ohlcv-tickerorder.csv"
bad "negative price" 65 \
	'^sc-split: stdin:3: AAPL 2025-01-03: column "close": not positive: -10.8$' \
	< "$data/ohlcv-negative.csv"
bad "missing close" 65 '^sc-split: stdin:3: AAPL 2025-01-03: column "close": missing' \
	< "$data/ohlcv-noclose.csv"
bad "bad date" 65 '^sc-split: stdin:3: column "date": not a date .*"2025-13-03"$' \
	< "$data/ohlcv-baddate.csv"
bad "non-numeric" 65 '^sc-split: stdin:3: column "close": not a number: "1,2x"$' \
	< "$data/ohlcv-nonnumeric.csv"
bad "missing column" 65 '^sc-split: stdin:1: header: no "close" column$' \
	< "$data/ohlcv-nocolumn.csv"
bad "wrong field count" 65 '^sc-split: stdin:3: expected 8 fields, got 7$' \
	< "$data/ohlcv-fields.csv"
bad "empty input" 65 '^sc-split: stdin:1: empty input: no header$' \
	< "$data/ohlcv-empty.csv"
bad "header only" 65 '^sc-split: stdin: no data rows after the header$' \
	< "$data/ohlcv-header-only.csv"
bad "too few rows" 65 \
	'^sc-split: stdin:121: AAPL: 120 rows give 99 complete days with a target, need more than 99' \
	--test-days 99 < long.csv
bad "error in a later ticker" 65 '^sc-split: stdin:242: MSFT 2025-01-02: date not after' \
	< <(cat long.csv; echo "2025-01-02,MSFT,1,1,1,1,1,1")
bad "volume needed but absent" 65 '^sc-split: stdin:1: header: no "volume" column, which the features need$' \
	< <(cut -d, -f1-7 long.csv)
bad "unknown feature" 64 '^sc-split: --features: unknown feature "ema5"$' \
	-f ema_5,ema5 long.csv
bad "feature N out of range" 64 'feature "rsi_0": want rsi_N with N in 1..1000' \
	-f rsi_0 long.csv
bad "bad --test-days" 64 '^sc-split: --test-days -3: want 0..100000$' -n -3 long.csv
bad "non-numeric --test-days" 64 '^sc-split: --test-days 3x' --test-days 3x long.csv
bad "bad --target" 64 '^sc-split: --target: unknown target "price"' -T price long.csv
bad "missing input file" 66 '^sc-split: nonexistent.csv: No such file or directory$' \
	nonexistent.csv
bad "two operands" 64 '^sc-split: too many operands' long.csv long.csv
t_exit "missing -t" 64 sc-split -o x.csv long.csv
t_grep "missing -t: message" '^sc-split: missing -t test.csv$' "$T_ERR"
t_check "missing -t: usage follows" grep -q '^usage: sc-split' "$T_ERR"
t_exit "both outputs stdout" 64 sc-split -o - -t - long.csv
t_exit "output directory missing" 73 sc-split -o no/such/dir.csv -t te9.csv long.csv
t_grep "output directory missing: message" '^sc-split: no/such/dir.csv: No such file or directory$' "$T_ERR"
t_check "output directory missing: no test file either" [ ! -e te9.csv ]
t_exit "write error" 74 sc-split -o /dev/full -t wf.csv long.csv
t_check "write error: no test file either" [ ! -e wf.csv ]

# A FIFO is written in place, never replaced by a file.
mkfifo fifo
cat fifo > fifo.out &
t_exit "FIFO output" 0 sc-split -o fifo -t te7.csv long.csv
wait
t_check "FIFO is still a FIFO" [ -p fifo ]
t_check "FIFO got the table" cmp -s fifo.out train.csv

# Real market data when the shared captures are there.
shared=${SC_SHARED:-$SC_TOP/../shared}/yahoo-captures
msft=$shared/historical-via-chart-MSFT-dividends-2021-02-01-to-2022-01-31.expected.csv
if [ -f "$msft" ]; then
	t_exit "Yahoo MSFT capture (252 days)" 0 sc-split -o tr8.csv -t te8.csv "$msft"
	t_check "MSFT: 30 test rows" [ "$(wc -l < te8.csv)" -eq 31 ]
	t_check "MSFT: 201 train rows" [ "$(wc -l < tr8.csv)" -eq 202 ]
else
	t_skip "Yahoo captures not found at $shared"
fi
t_done
