# shellcheck shell=sh disable=SC2020 # tr maps three characters to newline, as meant
# Shared by the pipeline scripts (prepare, train, register, inference,
# evaluate, plot, demo): configuration from the environment with its
# defaults, logging to stderr with UTC timestamps, ticker validation, a
# scratch directory removed on exit, and the store operations, which all go
# through sc-fetch and sc-push so that a script works the same on a local
# directory and on s3://.  Sourced, never run; the caller sets `prog`.
#
# Design: every script is `set -eu`, logs what it does to stderr, and exits
# non-zero with the failing program's own status (sysexits), so cron mail,
# journald and Prefect's flow log all show what happened.

: "${prog:=stockcast}"

# Programs: SC_BIN (default: the build directory next to the scripts, when
# it exists) goes first on PATH; installed programs serve otherwise.
sc_top=$(cd "$(dirname "$0")/.." && pwd)
if [ -n "${SC_BIN:-}" ]; then
	PATH=$SC_BIN:$PATH
elif [ -x "$sc_top/build/bin/sc-fetch" ]; then
	PATH=$sc_top/build/bin:$PATH
fi
export PATH

# log MESSAGE...: one line on stderr, "2026-11-26T21:30:00Z prog: message".
log() {
	printf '%s %s: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$prog" "$*" >&2
}

# die STATUS MESSAGE...: log and exit with STATUS (a sysexits code).
die() {
	_st=$1
	shift
	log "error: $*"
	exit "$_st"
}

# run CMD...: run CMD; on failure log it with its exit status and exit
# with that status (set -e alone would exit silently).
run() {
	_rc=0
	"$@" || _rc=$?
	if [ "$_rc" -ne 0 ]; then
		log "error: $1 failed with exit status $_rc"
		exit "$_rc"
	fi
}

# Configuration (docs/operations.md has the table).
SC_STORE=${SC_STORE:-./store}
SC_TICKERS=${SC_TICKERS:-AAPL GOOGL MSFT NVDA AMZN META}
SC_SOURCE=${SC_SOURCE:-yahoo}
SC_TODAY=${SC_TODAY:-$(date -u +%Y-%m-%d)}
SC_FROM=${SC_FROM:-${SC_TODAY%%-*}-01-01}
SC_TEST_DAYS=${SC_TEST_DAYS:-30}
SC_TRIALS=${SC_TRIALS:-20}
SC_SEED=${SC_SEED:-0}
SC_MODEL_NAME=${SC_MODEL_NAME:-stockcast}
SC_INTERVAL=${SC_INTERVAL:-0.9}
SC_OVERLAP_DAYS=${SC_OVERLAP_DAYS:-5}
SC_FOREST_ARGS=${SC_FOREST_ARGS:---trees 200 --min-samples-leaf 5 --max-features 0.33}
export SC_STORE

# check_config: validate what the environment said; exit 64 (usage) with
# a message naming the variable otherwise.
check_config() {
	case $SC_TODAY in
	[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]) ;;
	*) die 64 "SC_TODAY=$SC_TODAY: want YYYY-MM-DD" ;;
	esac
	case $SC_FROM in
	[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]) ;;
	*) die 64 "SC_FROM=$SC_FROM: want YYYY-MM-DD" ;;
	esac
	for _v in SC_TEST_DAYS SC_TRIALS SC_SEED SC_OVERLAP_DAYS; do
		eval "_x=\${$_v}"
		# shellcheck disable=SC2154 # set by the eval
		case $_x in
		'' | *[!0-9]*) die 64 "$_v=$_x: want a whole number" ;;
		esac
	done
	[ "$SC_TEST_DAYS" -ge 1 ] || die 64 "SC_TEST_DAYS must be at least 1"
	case $SC_SOURCE in
	yahoo | stooq | alphavantage | synthetic) ;;
	*) die 64 "SC_SOURCE=$SC_SOURCE: want yahoo, stooq, alphavantage or synthetic" ;;
	esac
	case $SC_MODEL_NAME in
	'' | [!A-Za-z0-9]* | *[!A-Za-z0-9_.-]*)
		die 64 "SC_MODEL_NAME=$SC_MODEL_NAME: want [A-Za-z0-9][A-Za-z0-9_.-]*" ;;
	esac
	tickers=$(valid_tickers) || exit $?
	tlist=$(echo "$tickers" | tr '\n' ' ')
	tlist=${tlist% }
	check_store
}

# check_store: make sure the store is there and writable before a step
# reads or fetches anything, so that a wrong bucket is not taken for "no
# stored history" (prepare would fetch every ticker, spending the source's
# rate limit, and then fail every write).  S3: a small object is written
# and deleted again (NoSuchBucket: exit 66; refused: 77, naming the
# bucket).  A directory: it, or the directory it will be created in, must
# be writable (77; checked by creating and removing a directory there).
check_store() {
	case $SC_STORE in
	s3://*)
		_b=${SC_STORE#s3://}
		_b=${_b%%/*}
		_probe=write-check/$(date -u +%Y%m%dT%H%M%SZ).$$.$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')
		_rc=0
		echo "$prog" | sc-push "$_probe" 2> "$work/probe.err" || _rc=$?
		if [ "$_rc" -ne 0 ]; then
			cat "$work/probe.err" >&2
			if grep -q NoSuchBucket "$work/probe.err"; then
				die 66 "store $SC_STORE: the bucket \"$_b\" does not exist (NoSuchBucket): check SC_STORE; nothing read or fetched"
			fi
			case $_rc in
			77) die 77 "store $SC_STORE: cannot write to the bucket \"$_b\": check the credentials and the bucket's policy; nothing read or fetched" ;;
			*) die "$_rc" "store $SC_STORE: the bucket \"$_b\" cannot be reached or written (exit $_rc); nothing read or fetched" ;;
			esac
		fi
		sc-push --delete "$_probe" 2> "$work/probe.err" ||
			log "warning: could not delete the store probe $_probe: $(head -n 1 "$work/probe.err")"
		;;
	*)
		_d=${SC_STORE#file://}
		while [ ! -e "$_d" ]; do
			case $_d in
			*/*) _d=${_d%/*}; _d=${_d:-/} ;;
			*) _d=. ;;
			esac
		done
		if [ ! -d "$_d" ] || ! _p=$(mktemp -d "$_d/.write-check.XXXXXX" 2> /dev/null); then
			die 77 "store $SC_STORE: $_d is not a writable directory; nothing read or fetched"
		fi
		rmdir "$_p"
		;;
	esac
}

# valid_tickers: print SC_TICKERS one per line, sorted (byte order, as the
# programs sort) and without duplicates; exit 64 on a bad symbol.  A symbol
# is 1 to 20 of A-Z 0-9 . ^ = - (Yahoo's BRK-B, ^GSPC, EURUSD=X), upper case
# so that it names one store key.
valid_tickers() {
	_n=0
	for _t in $SC_TICKERS; do
		case $_t in
		*[!A-Z0-9.^=-]* | ?????????????????????*)
			die 64 "ticker \"$_t\": want 1 to 20 of A-Z 0-9 . ^ = -" ;;
		.* | *.)
			die 64 "ticker \"$_t\": must not start or end with a dot" ;;
		esac
		_n=$((_n + 1))
	done
	[ "$_n" -gt 0 ] || die 64 "SC_TICKERS is empty"
	# shellcheck disable=SC2086 # split on purpose
	printf '%s\n' $SC_TICKERS | LC_ALL=C sort -u
}

# Scratch directory, removed on exit however the script ends.
work=$(mktemp -d "${TMPDIR:-/tmp}/stockcast.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM
started=$(date +%s)

# get KEY FILE: copy a store object to FILE.  Returns sc-fetch's status:
# 66 when there is no such object (not logged: callers decide).
get() {
	# To stdout, not -o: a scratch copy needs no fsync.
	sc-fetch "$1" > "$2" 2> "$work/get.err" && return 0
	_rc=$?
	[ "$_rc" -eq 66 ] || cat "$work/get.err" >&2
	return "$_rc"
}

# put KEY FILE: store FILE under KEY (atomically), or exit with sc-push's
# status.
put() {
	run sc-push "$1" < "$2"
}

# json_num FILE NAME: print the first number that follows "NAME": in FILE
# (a model can be hundreds of megabytes on one line, so the text is cut at
# braces and commas first: constant memory).  Empty when absent or null.
json_num() {
	tr '{},' '\n\n\n' < "$1" |
		sed -n "s/^[[:space:]]*\"$2\"[[:space:]]*:[[:space:]]*\([-+0-9.eE][-+0-9.eE]*\)[[:space:]]*$/\1/p" |
		head -n 1
}

# calib_num FILE NAME: the first number member NAME of the "calibration"
# member of the model FILE (lambda, skill, tstat, mse's naive, model,
# drift and served, pairs, folds, ...; docs/calibration.md); empty when
# the model has none.
calib_num() {
	# shellcheck disable=SC2020 # three characters to newline, as meant
	tr '{},' '\n\n\n' < "$1" | sed -n '/"calibration"/,$p' |
		sed -n "s/^[[:space:]]*\"$2\"[[:space:]]*:[[:space:]]*\([-+0-9.eE][-+0-9.eE]*\)[[:space:]]*$/\1/p" |
		head -n 1
}

# json_str FILE NAME: the same for a string value.
json_str() {
	tr '{},' '\n\n\n' < "$1" |
		sed -n "s/^[[:space:]]*\"$2\"[[:space:]]*:[[:space:]]*\"\([^\"]*\)\".*/\1/p" |
		head -n 1
}

# model_features MODEL: the model's feature names, comma-separated (the
# member is near the start of the file; only the first 1 MiB is read).
model_features() {
	head -c 1048576 "$1" | tr -d '\n' |
		sed -n 's/^[^[]*"features"[[:space:]]*:[[:space:]]*\[\([^]]*\)\].*/\1/p' |
		tr -d '" '
}

# jstr STRING: STRING as a JSON string literal.
jstr() {
	printf '"%s"' "$(printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g')"
}

# update_raw TICKER: bring raw/TICKER.csv up to SC_TODAY.  Without a
# stored history, fetch from SC_FROM; with one, fetch only from its last
# day minus SC_OVERLAP_DAYS (revised bars are caught, the source's rate
# limit is spared) and merge: the stored rows before the first fetched day,
# the fetched ones, then the stored rows after the last fetched day.  A
# history that already reaches past SC_TODAY (a rerun of a past day) is
# left as it is: stored history is merged, never truncated.
update_raw() {
	_t=$1
	_old=$work/old.$_t.csv _new=$work/new.$_t.csv _out=$work/raw.$_t.csv
	_from=$SC_FROM
	if get "raw/$_t.csv" "$_old"; then
		_last=$(tail -n 1 "$_old" | cut -d, -f1)
		case $_last in
		[0-9][0-9][0-9][0-9]-*)
			_from=$(date -u -d "$_last - $SC_OVERLAP_DAYS days" +%Y-%m-%d) ;;
		*) rm -f "$_old" ;;	# header only: fetch all of it again
		esac
	else
		_rc=$?
		[ "$_rc" -eq 66 ] || exit "$_rc"
		rm -f "$_old"
	fi
	# ISO dates compare as strings; POSIX test has no string "<".
	if [ -f "$_old" ] && [ "$(printf '%s\n%s\n' "$_last" "$SC_TODAY" | LC_ALL=C sort | head -n 1)" != "$_last" ]; then
		log "$_t: the stored history reaches $_last, after SC_TODAY=$SC_TODAY: nothing fetched"
		return 0
	fi
	run sc-fetch --from "$_from" --to "$SC_TODAY" -o "$_new" "$SC_SOURCE:$_t"
	_first=$(sed -n '2{s/,.*//;p;q}' "$_new")
	if [ -f "$_old" ] && [ -z "$_first" ]; then
		log "$_t: nothing new from $SC_SOURCE since $_from; kept $(($(wc -l < "$_old") - 1)) stored days"
		return 0
	fi
	if [ -f "$_old" ]; then
		# Stored rows before the first fetched day, the fetched ones, then
		# the stored rows after the last fetched day (none are dropped).
		_lastnew=$(tail -n 1 "$_new" | cut -d, -f1)
		awk -F, -v first="$_first" 'NR == 1 || $1 < first' "$_old" > "$_out"
		tail -n +2 "$_new" >> "$_out"
		awk -F, -v last="$_lastnew" 'NR > 1 && $1 > last' "$_old" >> "$_out"
		_kept=$(($(wc -l < "$_out") - $(wc -l < "$_new")))
		log "$_t: fetched $(($(wc -l < "$_new") - 1)) days from $_from (overlap $SC_OVERLAP_DAYS days), kept $_kept stored"
	else
		mv "$_new" "$_out"
		log "$_t: fetched $(($(wc -l < "$_out") - 1)) days from $_from (no stored history)"
	fi
	put "raw/$_t.csv" "$_out"
}

# history FILE: the stored raw history of every ticker up to SC_TODAY as
# one OHLCV stream (header once, sorted by ticker then date, as sc-split
# wants).  Days after SC_TODAY are left out, so a rerun of a past day
# (SC_TODAY=2026-07-10) sees the data as it was that day.
history() {
	_skip=0
	: > "$1"
	for _t in $tickers; do
		if ! get "raw/$_t.csv" "$work/h.$_t.csv"; then
			die 66 "raw/$_t.csv: not in the store $SC_STORE (run prepare first)"
		fi
		awk -F, -v skip="$_skip" -v today="$SC_TODAY" \
			'FNR == 1 { if (!skip) print; next } $1 <= today' \
			"$work/h.$_t.csv" >> "$1"
		_skip=1
	done
}

# champion MODEL: fetch models:/NAME@champion into MODEL and print its
# version (the alias object holds it); exit 66 when there is none.
champion() {
	get "models:/$SC_MODEL_NAME@champion" "$1" || {
		_rc=$?
		[ "$_rc" -eq 66 ] || die "$_rc" "cannot read models:/$SC_MODEL_NAME@champion"
		die 66 "models:/$SC_MODEL_NAME@champion: no champion yet (run train and register first)"
	}
	get "models/$SC_MODEL_NAME/aliases/champion" "$work/alias" || exit $?
	tr -d ' \n' < "$work/alias"
}

# push JOB FILE: send FILE to the Pushgateway under JOB, with the run's
# duration; skipped with a log line when SC_PUSHGATEWAY_URL is unset.
push() {
	if [ -z "${SC_PUSHGATEWAY_URL:-}" ]; then
		log "SC_PUSHGATEWAY_URL unset: not pushing $1"
		return 0
	fi
	run sc-push -j "$1" --started "$started" < "$2"
	log "pushed $1 to the Pushgateway"
}

# The model inference and evaluate serve, and where their outputs go, so a
# challenger can run side by side with the champion on the same store:
#   SC_MODEL_URI    models:/NAME@ALIAS, models:/NAME/N or models:/NAME/latest
#   SC_MODEL_ALIAS  else models:/SC_MODEL_NAME@SC_MODEL_ALIAS (default champion)
#   SC_PREFIX       put before the output keys (predictions/, evaluations/)
#                   and, as _PREFIX, after the Pushgateway job's name.
#                   Default: none for models:/SC_MODEL_NAME@champion, else
#                   ALIAS/ (models:/NAME@ALIAS), NAME-vN/ or NAME-latest/.
# model_config: check them and set model_uri, out_prefix and job_suffix;
# exit 64 on a malformed value.
model_config() {
	if [ -n "${SC_MODEL_URI:-}" ]; then
		model_uri=$SC_MODEL_URI
	else
		_a=${SC_MODEL_ALIAS:-champion}
		case $_a in
		[a-z]*) ;;
		*) die 64 "SC_MODEL_ALIAS=$_a: want [a-z][a-z0-9_-]*" ;;
		esac
		case $_a in
		*[!a-z0-9_-]*) die 64 "SC_MODEL_ALIAS=$_a: want [a-z][a-z0-9_-]*" ;;
		esac
		model_uri="models:/$SC_MODEL_NAME@$_a"
	fi
	_rest=${model_uri#models:/}
	case $_rest in
	"$model_uri" | '' | */*/* | */ | @* | */@* | *@*/*)
		die 64 "SC_MODEL_URI=$model_uri: want models:/NAME@ALIAS, models:/NAME/VERSION or models:/NAME/latest" ;;
	*@*) model_slug=${_rest#*@} ;;
	*/*) model_slug="${_rest%%/*}-${_rest#*/}"
		case ${_rest#*/} in
		latest) ;;
		*) model_slug="${_rest%%/*}-v${_rest#*/}" ;;
		esac ;;
	*) die 64 "SC_MODEL_URI=$model_uri: names no version (want @ALIAS, /VERSION or /latest)" ;;
	esac
	if [ "${SC_PREFIX+set}" = set ]; then
		out_prefix=$SC_PREFIX
	elif [ "$model_uri" = "models:/$SC_MODEL_NAME@champion" ]; then
		out_prefix=""
	else
		out_prefix="$model_slug/"
	fi
	case $out_prefix in
	'') ;;
	[!A-Za-z0-9]* | *[!A-Za-z0-9_./-]* | *//* | *..*)
		die 64 "SC_PREFIX=$out_prefix: want letters, digits, _ . - and /, starting with a letter or digit" ;;
	*/) ;;
	*) out_prefix="$out_prefix/" ;;
	esac
	# shellcheck disable=SC2034 # used by inference.sh and evaluate.sh
	job_suffix=$([ -z "$out_prefix" ] || printf '_%s' "${out_prefix%/}" | tr -c 'A-Za-z0-9_' '_')
}

# serving MODEL: fetch the model of model_uri into MODEL and print its
# version number; exit 66 when there is no such model, version or alias.
serving() {
	get "$model_uri" "$1" || {
		_rc=$?
		[ "$_rc" -eq 66 ] || die "$_rc" "cannot read $model_uri"
		die 66 "$model_uri: no such model, version or alias (run train and register first, or set the alias)"
	}
	_rest=${model_uri#models:/}
	case $_rest in
	*@*)
		get "models/${_rest%@*}/aliases/${_rest#*@}" "$work/alias" || exit $?
		tr -d ' \n' < "$work/alias" ;;
	*/latest)
		get "models:/${_rest%/latest}" "$work/index" || exit $?
		json_num "$work/index" latest ;;
	*) echo "${_rest#*/}" ;;
	esac
}
