#!/usr/bin/env bash
# No secret in any output, in any form.  Every secret the programs may hold
# (the AWS secret key, session token and key id, the Stooq and Alpha Vantage
# keys, URL passwords, a presigned URL's token and signature) is planted,
# and a loopback server (tests/servers/echo.py) answers every request with
# a body that echoes it raw, percent-encoded, '+'-encoded, twice encoded
# and JSON-escaped, after filler of several lengths so the secret lands
# where a message is cut.  Every failing path's stdout and stderr, with
# and without -v, is searched for each secret's marker (a distinctive
# start that every encoding keeps).
. "$(dirname "$0")/../lib.sh"

PY=/usr/bin/python3
cd "$T_TMP" || exit 1
export SC_RETRY_MAX=1 SC_RETRY_BASE=0 SC_HTTP_TIMEOUT=5 \
	SC_HTTP_CONNECT_TIMEOUT=2 AWS_REGION=us-east-1
t_bg "$PY" "$SC_TOP/tests/servers/echo.py" "$T_TMP/port"
for _ in $(seq 50); do [ -s "$T_TMP/port" ] && break; sleep 0.1; done
P=$(cat "$T_TMP/port")
U=http://127.0.0.1:$P
t_wait_http "$U/" 10 || { t_fail "echo server did not start"; t_done; exit 1; }

# Markers: each secret starts with one, and every encoding keeps it.
MARKS='SECRETAWS|TOKENAWS|AKIDAWS|STOOQKEY|AVKEY|URLPASS|PRESTOKEN|PRESSIG|GWPASS|GWTOKEN|EPPASS'
ALL=$T_TMP/all-output
: > "$ALL"

arm() { curl -sf -X POST "$U/__echo__/arm?status=$1&format=$2&pad=${3:-0}" > /dev/null; }

# run NAME CMD...: run CMD with and without -v (after the program name),
# keep every output, and pass when none shows a marker.
run() {
	local name=$1 v a put
	shift
	for v in "" -v -vv; do
		args=() put=""
		for a in "$@"; do
			args+=("$a")
			case $a in sc-*) [ -z "$put" ] && [ -n "$v" ] && args+=("$v") && put=1 ;; esac
		done
		"${args[@]}" > "$T_OUT" 2> "$T_ERR" < "${STDIN:-/dev/null}"
		cat "$T_OUT" "$T_ERR" >> "$ALL"
		if grep -qiE "$MARKS" "$T_OUT" "$T_ERR"; then
			t_fail "$name $v: a secret shows: $(grep -oiE ".{0,40}($MARKS).{0,20}" "$T_OUT" "$T_ERR" | head -n 2)"
			return
		fi
	done
	t_ok "$name: no secret in any output"
}

# -- S3: the session token and keys echoed in an <Error> body.
s3env() {
	env AWS_ACCESS_KEY_ID=AKIDAWS0EXAMPLE7 \
		AWS_SECRET_ACCESS_KEY='SECRETAWS+k/ey=9wJalrXUtnFEMI' \
		AWS_SESSION_TOKEN='TOKENAWS+Fw/oGZXIvYXdz=EJr//////////wEaDF' \
		AWS_ENDPOINT_URL="$U" "$@"
}
echo data > data.csv
for st in 400 403 404 500; do
	for pad in 0 120 180 230 300 420; do
		arm "$st" xml "$pad"
		run "S3 GET $st pad $pad" s3env sc-fetch s3://bkt/k
		STDIN=data.csv run "S3 PUT $st pad $pad" s3env sc-push s3://bkt/k
	done
	arm "$st" xml 0
	run "S3 DELETE $st" s3env sc-push --delete s3://bkt/k
	run "S3 store registration $st" s3env env SC_STORE=s3://bkt/p \
		sc-push --alias champion models:/m/1
done

# -- A presigned URL: its token and signature in the query.
PRES="$U/bkt/k.csv?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDAWS0EXAMPLE7%2F20250101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20250101T000000Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Security-Token=PRESTOKEN%2Bab%2Fcd%3D&X-Amz-Signature=PRESSIG0123456789abcdef"
for st in 403 404 500; do
	for pad in 0 200 400; do
		arm "$st" text "$pad"
		run "presigned URL $st pad $pad" sc-fetch "$PRES"
	done
done

# -- A URL with user:password, on HTTP error statuses and a bad body.
for st in 200 401 404 500; do
	arm "$st" text 0
	[ "$st" != 200 ] && run "URL password $st" sc-fetch "http://user:URLPASS+p%2Fw@127.0.0.1:$P/x.csv"
	run "Yahoo URL password $st" env SC_YAHOO_URL="http://u:URLPASS9@127.0.0.1:$P" \
		SC_YAHOO_COOKIE_URL="http://u:URLPASS9@127.0.0.1:$P" sc-fetch yahoo:AAPL
done

# -- Market-data keys with + / = in them, in long bodies.
for st in 200 403 429 500; do
	for pad in 0 100 150 180 200 250 400; do
		arm "$st" text "$pad"
		run "Stooq key $st pad $pad" env SC_STOOQ_URL="$U" \
			SC_STOOQ_APIKEY='STOOQKEY+a/b=c9' sc-fetch stooq:aapl.us
		arm "$st" json "$pad"
		run "Alpha Vantage key $st pad $pad" env SC_ALPHAVANTAGE_URL="$U" \
			ALPHAVANTAGE_API_KEY='AVKEY0123+x/y=Z' sc-fetch alphavantage:IBM
		run "Alpha Vantage plain key $st pad $pad" env SC_ALPHAVANTAGE_URL="$U" \
			ALPHAVANTAGE_API_KEY='AVKEY0123456789Q' sc-fetch alphavantage:IBM
	done
done

# -- The Pushgateway: a password in its URL, a token in its query.
printf 'm 1\n' > m.prom
for st in 400 401 500; do
	arm "$st" text 0
	STDIN=m.prom run "Pushgateway password $st" sc-push -f prom -j job \
		-g "http://u:GWPASS77@127.0.0.1:$P"
done
STDIN=m.prom t_exit "Pushgateway URL with a query refused (64)" 64 \
	sc-push -f prom -j job -g "$U/?token=GWTOKEN12"
cat "$T_OUT" "$T_ERR" >> "$ALL"
t_grep "the refusal says why" 'query' "$T_ERR"
STDIN=m.prom t_exit "Pushgateway URL with a fragment refused (64)" 64 \
	sc-push -f prom -j job -g "$U/#frag"
t_exit "Pushgateway URL with a query refused at -n too" 64 \
	sc-push -n -f prom -j job -g "$U/?token=GWTOKEN12" < m.prom
cat "$T_OUT" "$T_ERR" >> "$ALL"

# -- Refused endpoints and destinations with user:password.
run "AWS_ENDPOINT_URL with a password" s3env env \
	AWS_ENDPOINT_URL="http://u:EPPASS42@127.0.0.1:$P" sc-fetch s3://bkt/k
STDIN=data.csv run "sc-push DEST with a password" s3env \
	sc-push "s3://u:EPPASS42@bkt/k"
STDIN=data.csv run "sc-push http DEST with a password" \
	sc-push "http://u:EPPASS42@127.0.0.1:$P/k"

t_check "all outputs together: no marker" sh -c "! grep -qiE '$MARKS' '$ALL'"
t_check "the outputs were not empty" test -s "$ALL"
t_done
