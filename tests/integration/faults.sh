#!/usr/bin/env bash
# Faults: a full disk (a 64 KiB tmpfs, or ulimit -f) leaves the previous
# output intact and exits 74; SIGTERM in the middle of a write leaves no
# partial or temporary file; the S3 server killed during a 50 MB upload and
# started again: the retry completes, or without the restart the program
# exits 69 and no object appears; a clock off by an hour gets a message
# that says to check the clock.
. "$(dirname "$0")/../lib.sh"

PY=/usr/bin/python3
S3RVER=$SC_TOP/tests/s3rver/s3rver.js
LIAR=$SC_TOP/tests/servers/liar.py
FULL=$T_TMP/full
MOUNTED=""
cleanup() {
	[ -n "$MOUNTED" ] && umount "$FULL" 2>/dev/null
	t_cleanup
}
trap cleanup EXIT
cd "$T_TMP" || exit 1

sc-fetch --from 2015-01-01 --to 2025-01-01 synthetic:AAPL,MSFT,GOOG > raw.csv
head -n 200 raw.csv > small.csv
printf 'asof,ticker,close,predicted_close,actual_close,lower,upper,model\n2025-01-02,AAPL,1,1.1,1.2,,,m\n' > pred.csv

# only_old DIR: every file under DIR (but the filler) still says "old":
# no output replaced or half-written, no temporary file.
only_old() {
	local f
	while IFS= read -r f; do
		[ "$(cat "$f")" = old ] || return 1
	done < <(find "$1" -type f ! -name filler)
}

# -- A full disk: a 64 KiB tmpfs, filled up.
mkdir -p "$FULL"
if mount -t tmpfs -o size=64k tmpfs "$FULL" 2> /dev/null; then
	MOUNTED=1
	for f in raw.csv train.csv test.csv m.json k.csv; do echo old > "$FULL/$f"; done
	head -c 1000000 /dev/zero > "$FULL/filler" 2> /dev/null
	t_exit "full disk: sc-fetch -o: exit 74" 74 \
		sc-fetch --from 2024-01-01 --to 2025-01-01 synthetic:AAPL -o "$FULL/raw.csv"
	t_grep "full disk: sc-fetch names the file and the reason" \
		"^sc-fetch: $FULL/raw.csv: .*No space left on device$" "$T_ERR"
	t_exit "full disk: sc-split -o -t: exit 74" 74 \
		sc-split -o "$FULL/train.csv" -t "$FULL/test.csv" small.csv
	t_grep "full disk: sc-split names the file" "^sc-split: $FULL/(train|test).csv: No space left on device$" "$T_ERR"
	t_exit "full disk: sc-rmse -o: exit 74" 74 sc-rmse -o "$FULL/m.json" pred.csv
	t_grep "full disk: sc-rmse names the file" "^sc-rmse: $FULL/m.json: No space left on device$" "$T_ERR"
	t_exit "full disk: sc-push PATH: exit 74" 74 sc-push "$FULL/k.csv" < raw.csv
	t_grep "full disk: sc-push names the file" "^sc-push: $FULL/k.csv: .*No space left on device$" "$T_ERR"
	t_exit "full disk: sc-fetch to stdout: exit 74" 74 \
		sh -c "sc-fetch --from 2024-01-01 --to 2025-01-01 synthetic:AAPL > '$FULL/stdout.csv'"
	t_grep "full disk: stdout named" '^sc-fetch: stdout: No space left on device$' "$T_ERR"
	rm -f "$FULL/stdout.csv"
	t_check "full disk: old outputs intact, no temporary file" only_old "$FULL"
	umount "$FULL" && MOUNTED=""
else
	t_skip "full disk on tmpfs: mount not permitted here"
fi

# -- A file-size limit (ulimit -f, in KiB): SIGXFSZ ignored, EFBIG reported.
mkdir -p lim
for f in raw.csv train.csv test.csv k.csv; do echo old > "lim/$f"; done
t_exit "ulimit -f: sc-split: exit 74" 74 \
	bash -c 'ulimit -f 16; exec sc-split -o lim/train.csv -t lim/test.csv raw.csv'
t_grep "ulimit -f: says the file is too large" '^sc-split: lim/(train|test).csv: File too large$' "$T_ERR"
t_exit "ulimit -f: sc-fetch: exit 74" 74 \
	bash -c 'ulimit -f 16; exec sc-fetch -o lim/raw.csv - < raw.csv'
t_exit "ulimit -f: sc-push PATH: exit 74" 74 \
	bash -c 'ulimit -f 16; exec sc-push lim/k.csv < raw.csv'
t_grep "ulimit -f: sc-push says so" 'File too large$' "$T_ERR"
t_check "ulimit -f: old outputs intact, no temporary file" only_old lim

# -- SIGTERM while writing: the input comes through a FIFO that stays open,
# so the program is caught with its temporary file open; it is killed once
# that file exists.
# term_mid NAME DIR CMD...: run CMD reading the FIFO, kill it mid-write.
term_mid() {
	local name=$1 dir=$2 pid feeder i=0 tmp
	shift 2
	rm -f fifo && mkfifo fifo
	"$@" < fifo > /dev/null 2> "$T_ERR" &
	pid=$!
	{ cat raw.csv; sleep 30; } > fifo &
	feeder=$!
	while [ $i -lt 100 ]; do
		tmp=$(find "$dir" -type f -name '.*' | head -n 1)
		[ -n "$tmp" ] && break
		sleep 0.05
		i=$((i + 1))
	done
	kill -TERM "$pid"
	wait "$pid"
	local rc=$?
	kill "$feeder" 2> /dev/null
	wait "$feeder" 2> /dev/null
	if [ -z "$tmp" ]; then
		t_fail "$name: no temporary file seen before the kill"
	elif [ $rc -ne 143 ]; then
		t_fail "$name: exit $rc, want 143 (killed by SIGTERM)"
	elif ! only_old "$dir"; then
		t_fail "$name: left behind: $(find "$dir" -type f | tr '\n' ' ')"
	else
		t_ok "$name: ${tmp##*/} removed, old output intact"
	fi
}
mkdir -p term/store/raw
for f in raw.csv k.csv train.csv test.csv store/raw/x.csv; do
	echo old > "term/$f"
done
term_mid "SIGTERM: sc-fetch - -o" term sc-fetch -o term/raw.csv -
term_mid "SIGTERM: sc-push PATH (the store's temporary file)" term \
	sc-push ./term/k.csv
term_mid "SIGTERM: sc-push KEY in SC_STORE" term \
	env SC_STORE=term/store sc-push raw/x.csv
term_mid "SIGTERM: sc-split -o -t" term sc-split -o term/train.csv -t term/test.csv

# -- A clock off by an hour: AWS refuses the signature (RequestTimeTooSkewed;
# s3rver cannot check X-Amz-Date, so tests/servers/liar.py answers as AWS).
if command -v faketime > /dev/null; then
	rm -f port
	t_bg "$PY" "$LIAR" --mode skew "$T_TMP/port"
	i=0
	while [ ! -s port ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	export AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=y AWS_REGION=us-east-1
	AWS_ENDPOINT_URL=http://127.0.0.1:$(cat port)
	export AWS_ENDPOINT_URL
	# libfaketime is preloaded; ASan wants to come first, and need not.
	export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
	t_exit "right clock: the put succeeds" 0 sc-push s3://bkt/k < pred.csv
	t_exit "clock an hour slow: sc-push exits 77" 77 \
		faketime -f -1h sc-push s3://bkt/k < pred.csv
	t_grep "clock slow: the message says to check the clock" \
		'^sc-push: s3://bkt/k: HTTP 403 RequestTimeTooSkewed: .*\(check the system clock\)$' "$T_ERR"
	t_exit "clock an hour fast: sc-fetch exits 77" 77 faketime -f +1h sc-fetch s3://bkt/k
	t_grep "clock fast: the message says to check the clock" 'RequestTimeTooSkewed.*check the system clock' "$T_ERR"
	unset AWS_ENDPOINT_URL
else
	t_skip "clock off by an hour: no faketime (make deps)"
fi

# -- The S3 server killed during a 50 MB upload and started again.
if [ ! -f "$SC_TOP/tests/s3rver/node_modules/@20minutes/s3rver/lib/cli.js" ] ||
	! command -v node > /dev/null; then
	t_skip "S3 restart: s3rver not installed (run make deps)"
	t_done
	exit
fi
s3port=$(t_port)
s3start() {
	t_bg env NODE_OPTIONS=--openssl-legacy-provider node "$S3RVER" \
		-d "$T_TMP/s3data" -a 127.0.0.1 -p "$s3port" --configure-bucket bkt -s
	S3PID=$T_LASTPID
	t_wait_http "http://127.0.0.1:$s3port/" 20
}
export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER AWS_REGION=us-east-1
export AWS_ENDPOINT_URL=http://127.0.0.1:$s3port
head -c 50000000 /dev/urandom > big
if ! s3start; then
	t_fail "s3rver did not start"
	t_done
	exit 1
fi
# upload_killed KEY RESTART: freeze the server (the upload then fills the
# socket buffers and waits), start the upload, kill the server mid-way,
# and start it again after a second when RESTART is 1.  The waits between
# attempts are drawn at random up to 0.5, 1, then 2 s (full jitter): 6
# attempts wait 3.75 s on average and can all be spent in under 2.5 s,
# before the restarted server listens (1 s, then node's start), so the
# restart gets 14 attempts (11.75 s on average, rarely under 7).
upload_killed() {
	local key=$1 restart=$2 pid rc tries=6
	[ "$restart" = 1 ] && tries=14
	kill -STOP "$S3PID"
	SC_RETRY_MAX=$tries SC_RETRY_BASE=0.5 SC_RETRY_CAP=2 \
		SC_HTTP_TIMEOUT=20 \
		sc-push "s3://bkt/$key" < big > /dev/null 2> "$T_ERR" &
	pid=$!
	sleep 1
	kill -KILL "$S3PID"
	wait "$S3PID" 2> /dev/null
	if [ "$restart" = 1 ]; then
		sleep 1
		s3start || t_fail "s3rver did not start again"
	fi
	wait "$pid"
	rc=$?
	[ "$restart" = 1 ] || s3start
	return $rc
}
upload_killed big1 1
rc=$?
t_check "S3 killed mid-upload, restarted: the retry completes (exit $rc)" test $rc -eq 0
t_exit "S3 restarted: the object reads back" 0 sc-fetch -o got1 s3://bkt/big1
t_check "S3 restarted: all 50 MB, the same bytes" cmp -s big got1
upload_killed big2 0
rc=$?
t_check "S3 killed mid-upload, not restarted: exit 69 (got $rc)" test $rc -eq 69
t_grep "S3 down: the message says after how many attempts" '^sc-push: .*after [0-9]+ attempts' "$T_ERR"
t_exit "S3 down: no object appeared" 66 sc-fetch --head s3://bkt/big2
t_done
