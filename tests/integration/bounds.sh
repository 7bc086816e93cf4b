#!/usr/bin/env bash
# Resource bounds: a 1 GB line (made by a pipe, never stored), answers
# that announce a huge Content-Length, deeply nested JSON for every JSON
# reader.  Each must end with a clear message and the exit status of its
# kind, in bounded memory (peak RSS from /usr/bin/time, not measured under
# a sanitizer, whose shadow memory alone is larger).
. "$(dirname "$0")/../lib.sh"

PY=/usr/bin/python3
LIAR=$SC_TOP/tests/servers/liar.py
RSS=$T_TMP/rss
mkdir -p "$T_TMP/w" && cd "$T_TMP/w" || exit 1

sanitized() {
	[ -n "${SC_SANITIZED:-}" ] || case $SC_BIN in *asan*) true ;; *) false ;; esac
}

# rss_under NAME KIB: the peak RSS in $RSS is under KIB.
rss_under() {
	if sanitized; then
		t_skip "$1: RSS not measured under a sanitizer"
	elif [ ! -x /usr/bin/time ]; then
		t_skip "$1: no /usr/bin/time (make deps)"
	else
		local kib
		kib=$(tail -n 1 "$RSS")
		t_check "$1 ($kib KiB < $2)" test "$kib" -lt "$2"
	fi
}

# timed CMD...: run CMD with its peak RSS in KiB written to $RSS.
timed() {
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -o "$RSS" -f %M "$@"
	else
		"$@"
	fi
}

# gigaline HEADER: HEADER, then a line of 10^9 bytes.
gigaline() {
	echo "$1"
	head -c 1000000000 /dev/zero | tr '\0' a
	echo
}

OHLCV=date,ticker,open,high,low,close,adj_close,volume
PRED=asof,ticker,close,predicted_close,actual_close,lower,upper,model

t_exit "sc-split: 1 GB line: exit 65" 65 \
	sh -c "$(declare -f gigaline timed); RSS=$RSS; gigaline $OHLCV | timed sc-split -o tr.csv -t te.csv"
t_grep "sc-split: names the line and the bound" \
	'^sc-split: stdin:2: record longer than 1048576 bytes$' "$T_ERR"
rss_under "sc-split: bounded memory" 16384
t_check "sc-split: no output, no temporary file" test -z "$(ls -A)"

t_exit "sc-rmse: 1 GB line: exit 65" 65 \
	sh -c "$(declare -f gigaline timed); RSS=$RSS; gigaline $PRED | timed sc-rmse"
t_grep "sc-rmse: names the line and the bound" \
	'^sc-rmse: stdin:2: record longer than 1048576 bytes$' "$T_ERR"
rss_under "sc-rmse: bounded memory" 16384

t_exit "sc-backtest: 1 GB line: exit 65" 65 \
	sh -c "$(declare -f gigaline timed); RSS=$RSS; gigaline $OHLCV | timed sc-backtest -o bt.csv"
t_grep "sc-backtest: names the line and the bound" \
	'^sc-backtest: stdin:2: record longer than 1048576 bytes$' "$T_ERR"
rss_under "sc-backtest: bounded memory" 16384
t_check "sc-backtest: no output, no temporary file" test -z "$(ls -A)"

t_exit "sc-push: 1 GB line: exit 65" 65 \
	sh -c "$(declare -f gigaline timed); RSS=$RSS; gigaline $PRED | timed sc-push -n -j x"
t_grep "sc-push: names the bound" \
	'^sc-push: stdin: larger than the limit of 16777216 bytes$' "$T_ERR"
rss_under "sc-push: bounded memory" 65536

if command -v sc-predict > /dev/null; then
	IN=$SC_TOP/tests/bad-input/in
	t_exit "sc-forest: 1 GB line: exit 65" 65 \
		sh -c "$(declare -f gigaline timed); RSS=$RSS; gigaline x1,x2,target | timed sc-forest -o m.json"
	t_grep "sc-forest: names the line and the bound" \
		'^sc-forest: stdin:2: record longer than 1048576 bytes$' "$T_ERR"
	rss_under "sc-forest: bounded memory" 16384
	t_exit "sc-predict: 1 GB line: exit 65" 65 \
		sh -c "$(declare -f gigaline timed); RSS=$RSS; gigaline x1,x2,target | timed sc-predict -m $IN/model-ok.json"
	t_grep "sc-predict: names the line and the bound" \
		'^sc-predict: stdin:2: record longer than 1048576 bytes$' "$T_ERR"
	rss_under "sc-predict: bounded memory" 16384
fi

# liar MODE: start tests/servers/liar.py in MODE; its port in $LPORT.
liar() {
	rm -f "$T_TMP/port"
	t_bg "$PY" "$LIAR" --mode "$1" "$T_TMP/port"
	local i=0
	while [ ! -s "$T_TMP/port" ] && [ $i -lt 100 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	LPORT=$(cat "$T_TMP/port")
}

export SC_RETRY_MAX=1 SC_HTTP_TIMEOUT=2
liar length
SC_YAHOO_URL=http://127.0.0.1:$LPORT t_exit \
	"yahoo: Content-Length 10^12: exit 76" 76 \
	timed sc-fetch --from 2025-01-01 --to 2025-02-01 yahoo:AAPL
t_grep "yahoo: says the answer is too large" \
	'^sc-fetch: yahoo:AAPL: http://127\.0\.0\.1:[0-9]+/v8/finance/chart/AAPL\?\.\.\.: response larger than 33554432 bytes$' "$T_ERR"
rss_under "yahoo: bounded memory" 65536
export AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=y AWS_REGION=us-east-1
AWS_ENDPOINT_URL=http://127.0.0.1:$LPORT t_exit \
	"S3 GET, Content-Length 10^12, streamed: timed out, exit 75" 75 \
	timed sc-fetch s3://bkt/key
t_grep "S3 GET: says it timed out" '^sc-fetch: http://127\.0\.0\.1:[0-9]+/bkt/key: timed out$' "$T_ERR"
t_check "S3 GET: nothing on stdout" test ! -s "$T_OUT"
rss_under "S3 GET: bounded memory" 65536

liar s3error
AWS_ENDPOINT_URL=http://127.0.0.1:$LPORT t_exit \
	"S3 error reply of 10^12 bytes: exit 76" 76 timed sc-fetch s3://bkt/key
t_grep "S3 error reply: says it is too large" 'response larger than 65536 bytes$' "$T_ERR"
rss_under "S3 error reply: bounded memory" 65536
echo data > small
AWS_ENDPOINT_URL=http://127.0.0.1:$LPORT t_exit \
	"S3 PUT answered by 10^12 bytes: exit 76" 76 timed sc-push s3://bkt/key < small

liar nested
SC_YAHOO_URL=http://127.0.0.1:$LPORT t_exit \
	"yahoo: 100000 nested arrays: exit 76" 76 \
	timed sc-fetch --from 2025-01-01 --to 2025-02-01 yahoo:AAPL
t_grep "yahoo: says the nesting is too deep, and where" \
	'not valid JSON: line 1 column [0-9]+: maximum parsing depth reached' "$T_ERR"
rss_under "yahoo nested: bounded memory" 65536
liar deep
SC_YAHOO_URL=http://127.0.0.1:$LPORT t_exit \
	"yahoo: meta 100000 objects deep: exit 76" 76 \
	sc-fetch --from 2025-01-01 --to 2025-02-01 yahoo:AAPL
t_grep "yahoo deep: says so" 'maximum parsing depth reached' "$T_ERR"

# sc-push's metrics JSON (also in tests/bad-input).
"$PY" -c 'print("{\"n\":1,\"tickers\":" + "{\"a\":" * 100000 + "1" + "}" * 100000 + "}")' > deep.json
t_exit "sc-push: metrics JSON 100000 deep: exit 65" 65 timed sc-push -n -j x < deep.json
t_grep "sc-push: says so, with the line" '^sc-push: stdin:1: JSON: maximum parsing depth reached' "$T_ERR"
rss_under "sc-push deep JSON: bounded memory" 65536
# A model of a million nodes: loads in bounded memory (about 110 bytes a
# node) and predicts; a model nested past the reader's depth limit is
# refused with the column.
if command -v sc-predict > /dev/null; then
	IN=$SC_TOP/tests/bad-input/in
	"$PY" "$SC_TOP/tests/bad-input/bigmodel.py" "$IN/model-ok.json" 19 > million.json
	t_exit "model of 1048575 nodes: predicts" 0 \
		timed sc-predict -m million.json "$IN/table-ok.csv"
	t_check "model of 1048575 nodes: three predictions" test "$(wc -l < "$T_OUT")" -eq 4
	rss_under "model of 1048575 nodes: bounded memory" 262144
	# Registering it checks the model with sc_model_check, which holds
	# no tree (one bit per node): 11 MB, where the loader took 66 MB
	# and a whole jansson parse about 57 times the model's size.
	SC_STORE=$T_TMP/regstore t_exit "model of 1048575 nodes: registered" 0 \
		timed sc-push models:/big < million.json
	rss_under "model of 1048575 nodes: registered in bounded memory" 32768
	t_check "its lineage came through" grep -q '"trees"' "$T_TMP/regstore/models/big/1/meta.json"
	rm -rf million.json "$T_TMP/regstore"
	t_exit "model nested 1000 deep: exit 65" 65 \
		timed sc-predict -m "$IN/model-deep.json" "$IN/table-ok.csv"
	t_grep "model nested too deep: says so, with the column" \
		'model-deep.json:1: model: not JSON: column [0-9]+: nested too deep$' "$T_ERR"
	rss_under "model nested too deep: bounded memory" 65536
else
	t_skip "million-node model: no sc-predict"
fi
t_done
