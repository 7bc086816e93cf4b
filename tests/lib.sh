# shellcheck shell=bash
# Shared by the integration scripts: results in a TAP-like form, a scratch
# directory, free loopback ports, and servers started and stopped by PID.
# Source it, call t_* for each case, and end with t_done.
set -u
SC_TOP=${SC_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
SC_BIN=${SC_BIN:-$SC_TOP/build/bin}
PATH=$SC_BIN:$PATH
export PATH SC_TOP SC_BIN
# Never inherit a real store, credentials or endpoints from the caller.
unset SC_STORE AWS_PROFILE AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY \
	AWS_SESSION_TOKEN AWS_ENDPOINT_URL AWS_ENDPOINT_URL_S3 \
	SC_PUSHGATEWAY_URL SC_YAHOO_URL SC_STOOQ_URL SC_ALPHAVANTAGE_URL \
	SC_STOOQ_APIKEY ALPHAVANTAGE_API_KEY
export TZ=UTC LC_ALL=C

T_PASS=0 T_FAIL=0 T_SKIP=0 T_PIDS=""
T_TMP=$(mktemp -d "${TMPDIR:-/tmp}/sc-test.XXXXXX")
export HOME=$T_TMP/home
mkdir -p "$HOME"

t_cleanup() {
	local pid
	for pid in $T_PIDS; do
		kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	done
	rm -rf "$T_TMP"
}
trap t_cleanup EXIT
trap 'exit 130' INT TERM

t_ok() { T_PASS=$((T_PASS + 1)); echo "ok $*"; }
t_fail() { T_FAIL=$((T_FAIL + 1)); echo "not ok $*"; }
t_skip() { T_SKIP=$((T_SKIP + 1)); echo "skip $*"; }

# t_check NAME CMD...: pass when CMD succeeds.
t_check() {
	local name=$1
	shift
	if "$@"; then t_ok "$name"; else t_fail "$name"; fi
}

# t_exit NAME WANT CMD...: run CMD (stdin from /dev/null unless redirected
# by the caller), pass when it exits WANT; its stderr is kept in $T_ERR and
# its stdout in $T_OUT.
T_OUT=$T_TMP/out T_ERR=$T_TMP/err
t_exit() {
	local name=$1 want=$2 rc
	shift 2
	"$@" > "$T_OUT" 2> "$T_ERR"
	rc=$?
	if [ "$rc" -eq "$want" ]; then
		t_ok "$name"
	else
		t_fail "$name (exit $rc, want $want): $(head -c 300 "$T_ERR")"
	fi
}

# t_grep NAME PATTERN FILE: pass when FILE has a line matching PATTERN.
t_grep() {
	if grep -qE -- "$2" "$3"; then
		t_ok "$1"
	else
		t_fail "$1: no /$2/ in $(head -c 300 "$3")"
	fi
}

# t_port: print a free TCP port on 127.0.0.1.
t_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# t_bg CMD...: start CMD in the background and remember its PID for cleanup.
t_bg() {
	"$@" &
	T_PIDS="$T_PIDS $!"
	T_LASTPID=$!
	export T_LASTPID
}

# t_wait_http URL [SECONDS]: wait until URL answers at all.
t_wait_http() {
	local url=$1 n=${2:-10} i=0
	while [ "$i" -lt $((n * 10)) ]; do
		if curl -s -o /dev/null --max-time 1 "$url"; then return 0; fi
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# t_start_s3rver BUCKET: start the S3 test server (tests/s3rver, which
# verifies SigV4) on a free loopback port with BUCKET created, set T_S3_PORT
# and export the AWS_* variables that point the programs at it.  Returns 2
# when s3rver or node is not installed (make deps), 1 when it did not start.
t_start_s3rver() {
	if [ ! -f "$SC_TOP/tests/s3rver/node_modules/@20minutes/s3rver/lib/cli.js" ] ||
		! command -v node > /dev/null; then
		return 2
	fi
	T_S3_PORT=$(t_port)
	t_bg env NODE_OPTIONS=--openssl-legacy-provider node \
		"$SC_TOP/tests/s3rver/s3rver.js" -d "$T_TMP/s3data" -a 127.0.0.1 \
		-p "$T_S3_PORT" --configure-bucket "$1" -s
	t_wait_http "http://127.0.0.1:$T_S3_PORT/" 20 || return 1
	export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER
	export AWS_ENDPOINT_URL=http://127.0.0.1:$T_S3_PORT AWS_REGION=us-east-1
}

# t_done: print the summary line that tests/run.sh adds up.
t_done() {
	echo "# passed=$T_PASS failed=$T_FAIL skipped=$T_SKIP"
	[ "$T_FAIL" -eq 0 ]
}
