#!/usr/bin/env bash
# sc-push and sc-fetch against a real S3 server (s3rver, which verifies
# SigV4) on 127.0.0.1, and through tests/servers/faults.py, which fails the
# first requests (500, 503, 429, reset, a cut body) or all of them, or
# answers 412 to conditional PUTs.  Also the local store: atomic and
# exclusive puts, key validation, nothing left behind on failure.
. "$(dirname "$0")/../lib.sh"

PY=/usr/bin/python3
FAULTS=$SC_TOP/tests/servers/faults.py

# rss CMD...: run CMD (stdin/stdout as given) and print its peak RSS in KiB
# on fd 3.
rss() {
	"$PY" -c 'import resource, subprocess, sys
rc = subprocess.call(sys.argv[1:])
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=open("/dev/fd/3", "w"))
sys.exit(rc)' "$@"
}

same() { cmp -s "$1" "$2"; }

# rss_check NAME FILE: the RSS in FILE is under 20 MB (not measured under
# AddressSanitizer, whose shadow memory alone is larger).
rss_check() {
	if [ -n "${SC_SANITIZED:-}" ] || case $SC_BIN in *asan*) true ;; *) false ;; esac; then
		t_skip "$1: not measured under a sanitizer"
	else
		t_check "$1 ($(cat "$2") KiB)" test "$(cat "$2")" -lt 20480
	fi
}

local_store_tests() {
	local st=$T_TMP/store
	export SC_STORE=$st
	printf 'a,b\n1,2\n' > "$T_TMP/in.csv"
	t_exit "local: put a key" 0 sc-push raw/x.csv < "$T_TMP/in.csv"
	t_exit "local: get it back" 0 sc-fetch raw/x.csv
	t_check "local: bytes equal" same "$T_OUT" "$T_TMP/in.csv"
	t_exit "local: --if-none-match on a new key" 0 \
		sc-push --if-none-match models/m/1/model.json < "$T_TMP/in.csv"
	t_exit "local: --if-none-match on an existing key exits 73" 73 \
		sc-push --if-none-match models/m/1/model.json < /dev/null
	t_grep "local: says it exists" "already exists" "$T_ERR"
	t_exit "local: --if-match exits 64 (no ETags)" 64 \
		sc-push --if-match abc raw/x.csv < /dev/null
	# Eight racing exclusive creates: exactly one wins, the rest get 73.
	for n in 1 2 3 4 5 6 7 8; do
		(echo "writer $n" | sc-push --if-none-match race/v1 2> /dev/null
			echo $? > "$T_TMP/race.$n") &
	done
	wait
	t_check "local: one racing create wins" \
		test "$(grep -l '^0$' "$T_TMP"/race.* | wc -l)" -eq 1
	t_check "local: seven get 73" \
		test "$(grep -l '^73$' "$T_TMP"/race.* | wc -l)" -eq 7
	t_check "local: the winner's bytes are whole" \
		grep -qx "writer [1-8]" "$st/race/v1"
	t_exit "local: key with .. exits 64" 64 sc-push 'a/../../x' < /dev/null
	t_exit "local: hidden segment exits 64" 64 sc-push 'a/.b' < /dev/null
	t_exit "local: unknown scheme exits 64" 64 sc-push 'gopher:x' < /dev/null
	t_exit "local: failed read exits 74" 74 sc-push raw/y.csv < "$T_TMP"
	t_check "local: nothing under the key" test ! -e "$st/raw/y.csv"
	t_check "local: no temporary left" \
		test "$(find "$st" -name '.*' | wc -l)" -eq 0
	t_exit "local: list" 0 sc-fetch -l ''
	t_grep "local: list shows both keys" '^models/m/1/model.json$' "$T_OUT"
	t_exit "local: missing key exits 66" 66 sc-fetch raw/none.csv
	t_exit "local: file:// put" 0 sc-push "file://$T_TMP/f%20x.csv" < "$T_TMP/in.csv"
	t_exit "local: file:// get" 0 sc-fetch "file://$T_TMP/f%20x.csv"
	t_check "local: file:// bytes equal" same "$T_OUT" "$T_TMP/in.csv"
	t_exit "local: --delete" 0 sc-push --delete raw/x.csv
	t_exit "local: deleted key exits 66" 66 sc-fetch raw/x.csv
	unset SC_STORE
}

local_store_tests

t_start_s3rver bkt
case $? in
0) port=$T_S3_PORT ;;
2)
	t_skip "S3 tests: s3rver not installed (run make deps)"
	t_done
	exit
	;;
*)
	t_fail "s3rver did not start on port $T_S3_PORT"
	t_done
	exit 1
	;;
esac
export SC_RETRY_BASE=0.05 SC_RETRY_CAP=0.2 SC_RETRY_MAX=4
S3=s3://bkt

# Round trips, keys that need encoding.
i=0
while IFS= read -r key; do
	i=$((i + 1))
	printf 'content of %s\n' "$key" > "$T_TMP/k$i"
	t_exit "put \"$key\"" 0 sc-push "$S3/$key" < "$T_TMP/k$i"
	t_exit "get \"$key\"" 0 sc-fetch "$S3/$key"
	t_check "bytes equal for \"$key\"" same "$T_OUT" "$T_TMP/k$i"
done <<'KEYS'
enc/plain.csv
enc/with space.csv
enc/ünïcødé €.csv
enc/plus+equals=amp&.csv
enc/semi;colon,comma'quote(1)!*@$.csv
enc/tilde~dash-under_dot..csv
KEYS
t_exit "put an empty object" 0 sc-push "$S3/empty/zero" < /dev/null
t_exit "get it" 0 sc-fetch "$S3/empty/zero"
t_check "it is empty" test ! -s "$T_OUT"
t_exit "list enc/" 0 sc-fetch -l "$S3/enc/"
t_check "list returns the six keys" test "$(wc -l < "$T_OUT")" -eq 6
t_grep "list returns keys decoded" '^enc/ünïcødé €.csv$' "$T_OUT"
t_exit "ranged get" 0 sc-fetch --range 3-9 "$S3/enc/plain.csv"
t_check "ranged get returns bytes 3 to 9" test "$(cat "$T_OUT")" = \
	"$(head -c 10 "$T_TMP/k1" | tail -c 7)"
t_exit "a bad range exits 64" 64 sc-fetch --range x "$S3/enc/plain.csv"
t_exit "head" 0 sc-fetch --head "$S3/enc/plain.csv"
t_grep "head prints the size" "	$(wc -c < "$T_TMP/k1")\$" "$T_OUT"
t_exit "delete" 0 sc-push --delete "$S3/enc/plain.csv"
t_exit "deleted key exits 66" 66 sc-fetch "$S3/enc/plain.csv"
t_grep "not found names the key" 'NoSuchKey' "$T_ERR"
t_exit "head of a missing key exits 66" 66 sc-fetch --head "$S3/enc/plain.csv"

# Paging: 12 keys, 5 per page.
for n in 01 02 03 04 05 06 07 08 09 10 11 12; do
	echo "$n" | sc-push "$S3/page/k$n" || t_fail "put page/k$n"
done
t_exit "list with 5 keys a page" 0 sc-fetch -vv --page-size 5 -l "$S3/page/"
t_check "all 12 keys listed" test "$(wc -l < "$T_OUT")" -eq 12
t_check "in order" test "$(head -n 1 "$T_OUT"),$(tail -n 1 "$T_OUT")" = \
	"page/k01,page/k12"
t_check "in three pages" test "$(grep -c 'list page' "$T_ERR")" -eq 3

# A store on S3 (SC_STORE=s3://bucket/prefix).
SC_STORE=$S3/stores/one t_exit "SC_STORE on S3: put a key" 0 \
	sc-push raw/AAPL.csv < "$T_TMP/k2"
t_exit "the object is under the prefix" 0 sc-fetch "$S3/stores/one/raw/AAPL.csv"
t_check "and equal" same "$T_OUT" "$T_TMP/k2"
SC_STORE=$S3/stores/one t_exit "SC_STORE on S3: list" 0 sc-fetch -l raw/
t_grep "keys relative to the store" '^raw/AAPL.csv$' "$T_OUT"
SC_STORE=$S3/stores/one t_exit "SC_STORE on S3: bad key exits 64" 64 \
	sc-push a/../x < /dev/null

# 50 MB, streamed: memory stays far below the object's size.
head -c 52428800 /dev/urandom > "$T_TMP/big"
t_exit "50 MB put from a file" 0 rss sc-push "$S3/big/file.bin" \
	< "$T_TMP/big" 3> "$T_TMP/rss.put"
rss_check "put peak RSS under 20 MB" "$T_TMP/rss.put"
t_exit "50 MB put from a pipe (spooled)" 0 sh -c \
	"cat '$T_TMP/big' | sc-push '$S3/big/pipe.bin'"
t_exit "50 MB get" 0 rss sc-fetch "$S3/big/file.bin" 3> "$T_TMP/rss.get"
rss_check "get peak RSS under 20 MB" "$T_TMP/rss.get"
t_check "50 MB byte-exact" same "$T_OUT" "$T_TMP/big"
t_exit "50 MB get of the piped upload" 0 sc-fetch "$S3/big/pipe.bin"
t_check "piped upload byte-exact" same "$T_OUT" "$T_TMP/big"
t_exit "head of the 50 MB object" 0 sc-fetch --head "$S3/big/file.bin"
t_grep "head gives its size" '	52428800$' "$T_OUT"
rm -f "$T_TMP/big" "$T_OUT"

# Presigned GET, fetched by curl; a tampered one is refused.
t_exit "presign" 0 sc-fetch --presign 300 "$S3/enc/with space.csv"
url=$(cat "$T_OUT")
t_check "curl fetches the presigned URL" sh -c \
	"curl -sf '$url' | cmp -s - '$T_TMP/k2'"
case $url in *0) tampered=${url%?}1 ;; *) tampered=${url%?}0 ;; esac
t_check "a tampered presigned URL gets 403" test "$(curl -s -o /dev/null \
	-w '%{http_code}' "$tampered")" = 403

# Wrong secret, missing credentials.
bad=WrongSecret-$$-xyz
AWS_SECRET_ACCESS_KEY=$bad t_exit "wrong secret exits 77" 77 \
	sc-fetch "$S3/enc/with space.csv"
t_grep "the 403 is reported" 'HTTP 403 SignatureDoesNotMatch' "$T_ERR"
t_grep "with a hint" 'check AWS_SECRET_ACCESS_KEY' "$T_ERR"
t_check "the secret is not printed" sh -c "! grep -q '$bad' '$T_ERR'"
AWS_SECRET_ACCESS_KEY=$bad t_exit "wrong secret on put exits 77" 77 \
	sc-push -vv "$S3/enc/x" < "$T_TMP/k1"
t_check "not even with -vv" sh -c "! grep -q '$bad' '$T_ERR'"
t_exit "missing credentials exit 78" 78 env -u AWS_ACCESS_KEY_ID \
	-u AWS_SECRET_ACCESS_KEY sc-fetch "$S3/enc/x"
t_grep "naming the variables" 'AWS_ACCESS_KEY_ID.*AWS_SECRET_ACCESS_KEY' "$T_ERR"
t_exit "missing credentials for an S3 store exit 78" 78 env \
	-u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY SC_STORE=$S3/p \
	sc-push raw/x.csv < /dev/null

AWS_SECRET_ACCESS_KEY=$bad t_exit "presign with a wrong secret" 0 \
	sc-fetch --presign 300 "$S3/enc/with space.csv"
t_check "is refused by the server (403)" test "$(curl -s -o /dev/null \
	-w '%{http_code}' "$(cat "$T_OUT")")" = 403

# Credentials from ~/.aws/credentials and AWS_PROFILE; the S3 endpoint
# variable wins over the generic one.
mkdir -p "$HOME/.aws"
printf '[default]\naws_access_key_id = nobody\naws_secret_access_key = x\n\n[s3rver]\naws_access_key_id = S3RVER\naws_secret_access_key = S3RVER\n' \
	> "$HOME/.aws/credentials"
t_exit "credentials from a profile" 0 env -u AWS_ACCESS_KEY_ID \
	-u AWS_SECRET_ACCESS_KEY AWS_PROFILE=s3rver sc-fetch "$S3/enc/with space.csv"
t_check "profile: bytes equal" same "$T_OUT" "$T_TMP/k2"
t_exit "the default profile's wrong key exits 77" 77 env -u AWS_ACCESS_KEY_ID \
	-u AWS_SECRET_ACCESS_KEY sc-fetch "$S3/enc/with space.csv"
t_exit "AWS_ENDPOINT_URL_S3 wins over AWS_ENDPOINT_URL" 0 env \
	AWS_ENDPOINT_URL_S3="$AWS_ENDPOINT_URL" AWS_ENDPOINT_URL=http://127.0.0.1:1 \
	sc-fetch "$S3/enc/with space.csv"
t_exit "a malformed endpoint exits 78" 78 env AWS_ENDPOINT_URL=ftp://x \
	sc-fetch "$S3/enc/with space.csv"
rm -f "$HOME/.aws/credentials"

# Faults, through the injector in front of s3rver.
fport=$(t_port)
t_bg "$PY" "$FAULTS" --port "$fport" --upstream "127.0.0.1:$port"
if ! t_wait_http "http://127.0.0.1:$fport/__faults__/log" 10; then
	t_fail "faults.py did not start"
	t_done
	exit 1
fi
arm() { curl -sf -X POST "http://127.0.0.1:$fport/__faults__/arm?mode=$1&fail=$2" > /dev/null; }
flog() { curl -sf "http://127.0.0.1:$fport/__faults__/log"; }
head -c 300000 /dev/urandom > "$T_TMP/blob"
for mode in 500 503 429 reset; do
	arm "$mode" 2
	AWS_ENDPOINT_URL=http://127.0.0.1:$fport t_exit \
		"$mode twice then success: put exits 0" 0 sc-push "$S3/f/$mode" < "$T_TMP/blob"
	t_check "$mode: three attempts" test "$(flog | grep -c '"PUT"')" -eq 3
	t_exit "$mode: stored bytes read back directly" 0 sc-fetch "$S3/f/$mode"
	t_check "$mode: bytes equal" same "$T_OUT" "$T_TMP/blob"
	arm "$mode" 2
	AWS_ENDPOINT_URL=http://127.0.0.1:$fport t_exit \
		"$mode twice then success: get exits 0" 0 sc-fetch "$S3/f/$mode"
	t_check "$mode: get bytes equal" same "$T_OUT" "$T_TMP/blob"
done
for mode in 500 503 reset; do
	arm "$mode" -1
	AWS_ENDPOINT_URL=http://127.0.0.1:$fport t_exit \
		"persistent $mode: exit 69" 69 sc-push "$S3/f/never-$mode" < "$T_TMP/blob"
	t_check "persistent $mode: bounded attempts" test "$(flog | grep -c '"PUT"')" -eq 4
	t_exit "persistent $mode: nothing under the key" 66 sc-fetch "$S3/f/never-$mode"
done
arm 429 -1
AWS_ENDPOINT_URL=http://127.0.0.1:$fport t_exit "persistent 429: exit 75" 75 \
	sc-push "$S3/f/never-429" < "$T_TMP/blob"
arm slow -1
AWS_ENDPOINT_URL=http://127.0.0.1:$fport SC_HTTP_TIMEOUT=0.3 SC_RETRY_MAX=2 \
	t_exit "a server too slow times out: exit 75" 75 sc-fetch "$S3/f/500"
t_grep "timed out" 'after 2 attempts.*timed out' "$T_ERR"
arm cut 1
AWS_ENDPOINT_URL=http://127.0.0.1:$fport t_exit \
	"a body cut short is fetched again into a file" 0 sc-fetch "$S3/f/500"
t_check "cut: bytes equal" same "$T_OUT" "$T_TMP/blob"
arm cut 1
echo "kept line" > "$T_TMP/appended"
AWS_ENDPOINT_URL=http://127.0.0.1:$fport t_exit \
	"a body cut short, appended to a file (>>), is resumed" 0 sh -c \
	"sc-fetch '$S3/f/500' >> '$T_TMP/appended'"
t_check "appended: what was there is kept" sh -c \
	"(echo 'kept line'; cat '$T_TMP/blob') | cmp -s - '$T_TMP/appended'"
arm cut 1
AWS_ENDPOINT_URL=http://127.0.0.1:$fport t_exit \
	"a body cut short into a pipe is resumed" 0 sh -c \
	"sc-fetch -v '$S3/f/500' | cat > '$T_TMP/piped'"
t_check "resumed: bytes equal" same "$T_TMP/piped" "$T_TMP/blob"
t_grep "resumed where it broke" 'resuming at byte [1-9]' "$T_ERR"
flog > "$T_TMP/logcut"
t_grep "resumed with Range" '"Range": "bytes=[1-9][0-9]*-"' "$T_TMP/logcut"
t_grep "pinned with If-Match" '"If-Match": ' "$T_TMP/logcut"

# Conditional PUT: the test server ignores it, so a responder answers 412.
arm 412 -1
AWS_ENDPOINT_URL=http://127.0.0.1:$fport t_exit \
	"--if-none-match refused with 412 exits 73" 73 \
	sc-push --if-none-match "$S3/f/500" < "$T_TMP/blob"
t_grep "412 is reported" 'HTTP 412: precondition failed' "$T_ERR"
flog > "$T_TMP/log412"
t_grep "If-None-Match: * was sent" '"If-None-Match": "\*"' "$T_TMP/log412"
t_grep "and signed" 'SignedHeaders=[a-z0-9;-]*if-none-match' "$T_TMP/log412"
t_check "a 412 is not retried" test "$(flog | grep -c '"PUT"')" -eq 1
arm 412 -1
AWS_ENDPOINT_URL=http://127.0.0.1:$fport t_exit \
	"--if-match refused with 412 exits 73" 73 \
	sc-push --if-match 0123abcd "$S3/f/500" < "$T_TMP/blob"
flog > "$T_TMP/log412m"
t_grep "If-Match with the quoted ETag was sent" '"If-Match": "\\"0123abcd\\""' "$T_TMP/log412m"
t_grep "and signed" 'SignedHeaders=[a-z0-9;-]*if-match' "$T_TMP/log412m"
# A conditional create whose answer is lost: the retry meets our own
# object (412), which the client recognises by its ETag (our MD5).
arm s3cond 1
AWS_ENDPOINT_URL=http://127.0.0.1:$fport t_exit \
	"lost answer, then 412 for our own create: exit 0" 0 \
	sc-push -v --if-none-match "$S3/f/lost" < "$T_TMP/blob"
t_grep "recognised as ours" 'answers our own earlier attempt' "$T_ERR"
t_exit "lost: stored bytes" 0 sc-fetch "$S3/f/lost"
t_check "lost: bytes equal" same "$T_OUT" "$T_TMP/blob"
arm s3cond 1
AWS_ENDPOINT_URL=http://127.0.0.1:$fport t_exit \
	"someone else's object after a lost answer: exit 73" 73 \
	sc-push -v --if-none-match "$S3/f/lost" < "$T_TMP/k1"
t_grep "the lost answer was retried" 'attempt 1 of' "$T_ERR"
t_exit "theirs is kept" 0 sc-fetch "$S3/f/lost"
t_check "theirs: bytes equal" same "$T_OUT" "$T_TMP/blob"
arm none 0
AWS_ENDPOINT_URL=http://127.0.0.1:$fport t_exit "plain put" 0 \
	sc-push "$S3/f/plain" < "$T_TMP/blob"
t_check "sends no condition" sh -c \
	"! curl -sf 'http://127.0.0.1:$fport/__faults__/log' | grep -q If-None-Match"
arm none 0
tok=SessionToken-$$-secret
AWS_ENDPOINT_URL=http://127.0.0.1:$fport AWS_SESSION_TOKEN=$tok t_exit \
	"put with a session token" 0 sc-push -vv "$S3/f/token" < "$T_TMP/k1"
flog > "$T_TMP/logtok"
t_grep "the token is sent" "\"X-Amz-Security-Token\": \"$tok\"" "$T_TMP/logtok"
t_grep "and signed" 'SignedHeaders=[a-z0-9;-]*x-amz-security-token' "$T_TMP/logtok"
t_check "and never printed" sh -c "! grep -q '$tok' '$T_ERR'"
t_done
