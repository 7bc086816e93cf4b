#!/bin/sh
# Run the Check suites and the integration scripts against the programs in
# BUILD/bin, and close with one line "N passed, N failed[, N skipped]".
# usage: tests/run.sh BUILD [unit|integration] [SCRIPT-NAME...]
set -u
build=${1:?usage: tests/run.sh BUILD [unit|integration] [names]}
what=${2:-all}
if [ $# -ge 2 ]; then shift 2; else shift $#; fi
top=$(cd "$(dirname "$0")/.." && pwd)
case $build in /*) ;; *) build=$top/$build ;; esac
logdir=$build/test-logs
mkdir -p "$logdir"
passed=0 failed=0 skipped=0 broken=""

count() {	# count FILE: add its "# passed=P failed=F skipped=S" line
	line=$(grep -E '^(# )?(check: )?[0-9]+ passed, [0-9]+ failed|^# passed=' "$1" | tail -n 1)
	case $line in
	'# passed='*)
		p=$(echo "$line" | sed 's/.*passed=\([0-9]*\).*/\1/')
		f=$(echo "$line" | sed 's/.*failed=\([0-9]*\).*/\1/')
		s=$(echo "$line" | sed 's/.*skipped=\([0-9]*\).*/\1/') ;;
	*passed,*)
		p=$(echo "$line" | sed 's/^[^0-9]*\([0-9]*\) passed.*/\1/')
		f=$(echo "$line" | sed 's/.* \([0-9]*\) failed.*/\1/')
		s=0 ;;
	*)	return 1 ;;
	esac
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + ${s:-0}))
	return 0
}

if [ "$what" = all ] || [ "$what" = unit ]; then
	echo "== unit suites (Check)"
	(cd "$top/tests" && "$build/tests/check_sc") > "$logdir/unit.log" 2>&1
	rc=$?
	grep -E '^[0-9]+%:|:[EF]:|skipped' "$logdir/unit.log"
	if ! count "$logdir/unit.log" || { [ $rc -ne 0 ] && [ "$failed" -eq 0 ]; }; then
		failed=$((failed + 1)) broken="$broken unit"
		tail -n 20 "$logdir/unit.log"
	fi
fi

if [ "$what" = all ] || [ "$what" = integration ]; then
	if [ $# -gt 0 ]; then
		scripts=""
		for n; do scripts="$scripts $top/tests/integration/$n.sh"; done
	else
		scripts=$(ls "$top"/tests/integration/*.sh 2>/dev/null)
	fi
	for t in $scripts; do
		name=$(basename "$t" .sh)
		echo "== $name"
		SC_BIN=$build/bin SC_TOP=$top SC_LOGDIR=$logdir \
			bash "$t" < /dev/null > "$logdir/$name.log" 2>&1
		rc=$?
		grep -E '^(ok|not ok|skip) ' "$logdir/$name.log"
		if ! count "$logdir/$name.log"; then
			failed=$((failed + 1)) broken="$broken $name"
			echo "not ok $name: exited $rc with no summary"
			tail -n 20 "$logdir/$name.log"
		elif [ $rc -ne 0 ] && ! grep -q '^not ok' "$logdir/$name.log"; then
			failed=$((failed + 1)) broken="$broken $name"
			echo "not ok $name: exited $rc"
		fi
	done
fi

[ -n "$broken" ] && echo "broken:$broken (logs in $logdir)"
if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
