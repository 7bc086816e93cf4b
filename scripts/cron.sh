#!/bin/sh
# cron: run pipeline steps from cron so that cron mails exactly when a
# step failed.  Each step's standard output and standard error are appended
# to a log file (the directory is created); on success nothing is printed;
# on failure the last lines of the log are printed and the failing step's
# exit status is returned, and cron mails that output to MAILTO.
#
# Debian 12's cron ignores CRON_TZ: crontab times are the machine's (UTC
# on a server).  --ny-hour HH makes a line that fires at both UTC hours a
# New York time can fall on (daylight saving time or not) run its steps
# only at the one where New York's hour is HH; at the other it exits 0
# without a word.
#
# usage: scripts/cron.sh [--ny-hour HH] [--log NAME] STEP...
#   STEP: prepare, train, register, inference, evaluate, plot, backtest,
#   drift or report, run in order; the first failure stops the chain.
# environment: SC_ENV_FILE (default /etc/stockcast/env: sourced with
#   `set -a` when it exists; named explicitly, it must exist), SC_LOG_DIR
#   (default /var/log/stockcast), SC_CRON_NOW (seconds since the epoch
#   instead of the clock, for tests), and the SC_* settings of the steps.
set -u
here=$(cd "$(dirname "$0")" && pwd)

fail() {
	echo "stockcast cron: $2" >&2
	exit "$1"
}

hour='' name=''
while [ $# -gt 0 ]; do
	case $1 in
	--ny-hour)
		[ $# -ge 2 ] || fail 64 "--ny-hour needs an hour"
		case $2 in
		[0-9] | [01][0-9] | 2[0-3]) hour=$2 ;;
		*) fail 64 "--ny-hour $2: want an hour, 0 to 23" ;;
		esac
		shift 2 ;;
	--log)
		[ $# -ge 2 ] || fail 64 "--log needs a name"
		case $2 in
		'' | *[!A-Za-z0-9_.-]* | .*) fail 64 "--log $2: want a name of A-Za-z0-9_.-" ;;
		esac
		name=$2
		shift 2 ;;
	--) shift; break ;;
	-*) fail 64 "$1: unknown option (usage: cron.sh [--ny-hour HH] [--log NAME] STEP...)" ;;
	*) break ;;
	esac
done
[ $# -gt 0 ] || fail 64 "no step given (usage: cron.sh [--ny-hour HH] [--log NAME] STEP...)"
for s in "$@"; do
	case $s in
	prepare | train | register | inference | evaluate | plot | backtest | drift | report) ;;
	*) fail 64 "$s: not a step (prepare, train, register, inference, evaluate, plot, backtest, drift, report)" ;;
	esac
done

# The New York guard: the other of the two UTC hours does nothing.
if [ -n "$hour" ]; then
	now=${SC_CRON_NOW:-$(date +%s)}
	case $now in '' | *[!0-9]*) fail 64 "SC_CRON_NOW=$now: want seconds since the epoch" ;; esac
	ny=$(TZ=America/New_York date -d "@$now" +%H) || fail 70 "cannot compute the New York time"
	[ "${ny#0}" = "${hour#0}" ] || exit 0
fi

if [ -n "${SC_ENV_FILE:-}" ]; then
	[ -r "$SC_ENV_FILE" ] || fail 66 "SC_ENV_FILE=$SC_ENV_FILE: cannot read it"
	env_file=$SC_ENV_FILE
else
	env_file=/etc/stockcast/env
fi
if [ -r "$env_file" ]; then
	set -a
	# shellcheck disable=SC1090 # the operator's file
	. "$env_file"
	set +a
fi

dir=${SC_LOG_DIR:-/var/log/stockcast}
if ! mkdir -p "$dir" 2> /dev/null || ! : >> "$dir/${name:-$1}.log" 2> /dev/null; then
	fail 73 "log directory $dir cannot be created or written (set SC_LOG_DIR)"
fi
log=$dir/${name:-$1}.log

for s in "$@"; do
	rc=0
	sh "$here/$s.sh" >> "$log" 2>&1 < /dev/null || rc=$?
	if [ "$rc" -ne 0 ]; then
		echo "stockcast $s failed with exit status $rc on $(uname -n); the end of $log:"
		tail -n 40 "$log"
		exit "$rc"
	fi
done
exit 0
