#!/usr/bin/env bash
# Every kind of bad input for every program, from tests/bad-input/cases.tsv:
# the exit status, a first stderr line that names the place, no output and
# no temporary file left behind; and docs/bad-input.md in step with the
# table.
. "$(dirname "$0")/../lib.sh"
dir=$SC_TOP/tests/bad-input

run_case() {	# run_case ID ENV PROG ARGS STDIN WANT RE
	local id=$1 envs=$2 prog=$3 args=$4 in=$5 want=$6 re=$7 rc
	# shellcheck disable=SC2034 # IN is for the arguments' eval
	local T=$T_TMP/case-$id input=$T_TMP/input IN=$dir/in
	local -a argv envv=()
	mkdir -p "$T"
	case $in in
	-) input=/dev/null ;;
	gen:*)
		in=${in#gen:}
		sh "$dir/gen.sh" "${in%%:*}" "$dir/in/${in#*:}" > "$input" ;;
	*) input=$dir/in/$in ;;
	esac
	eval "argv=($args)"
	[ "$envs" = - ] || read -r -a envv <<< "$envs"
	(cd "$T" && env "${envv[@]}" "$prog" "${argv[@]}") \
		< "$input" > "$T_OUT" 2> "$T_ERR"
	rc=$?
	if [ "$rc" -ne "$want" ]; then
		t_fail "$id: exit $rc, want $want: $(head -c 300 "$T_ERR")"
	elif ! head -n 1 "$T_ERR" | grep -qE -- "$re"; then
		t_fail "$id: first stderr line $(head -n 1 "$T_ERR" | head -c 300) does not match /$re/"
	elif grep -q 'runtime error\|Sanitizer' "$T_ERR"; then
		t_fail "$id: sanitizer report: $(head -c 300 "$T_ERR")"
	elif [ "$want" -ne 0 ] && [ -n "$(ls -A "$T")" ]; then
		t_fail "$id: left behind: $(find "$T" -mindepth 1 | head -n 5 | tr '\n' ' ')"
	else
		t_ok "$id"
	fi
	rm -rf "$T"
}

while IFS=$'\037' read -r id envs prog args in want re; do
	case $id in '#'* | '') continue ;; esac
	if ! command -v "$prog" > /dev/null; then
		t_skip "$id: no $prog in $SC_BIN"
		continue
	fi
	run_case "$id" "$envs" "$prog" "$args" "$in" "$want" "$re"
done < <(tr '\t' '\037' < "$dir/cases.tsv")

if sh "$dir/table.sh" | cmp -s - "$SC_TOP/docs/bad-input.md"; then
	t_ok "docs/bad-input.md matches cases.tsv"
else
	t_fail "docs/bad-input.md is out of date: sh tests/bad-input/table.sh > docs/bad-input.md"
fi
t_done
