#!/usr/bin/env bash
# Docs that run: every fenced ```sh block of README.md and docs/*.md is
# executed, the blocks of a file in order and in one shell (what a block
# exports, the next one sees), with build/bin on PATH, SC_SOURCE=synthetic,
# a fresh SC_STORE per file and nothing reachable but 127.0.0.1.  The
# working directory is a scratch copy of the repository root made of
# symbolic links (scripts/, build/, docs/, Makefile, ...), so a block runs
# as it would from the root but the files it writes land in the scratch
# directory.  ```text blocks (output samples, commands that need AWS,
# systemd, root or the network) are not run.  A failure names the file,
# the block's number and its first line, and shows the end of its output.
# usage: tests/integration/docs.sh [FILE.md...]   (default: all of them)
# shellcheck disable=SC2016 # shell text for another shell, in single quotes
. "$(dirname "$0")/../lib.sh"

# A block that runs the tests would run this script again: never nest.
if [ -n "${SC_DOCS_TEST:-}" ]; then
	t_skip "docs: already inside a docs test (a block runs the tests?)"
	t_done
	exit 0
fi
export SC_DOCS_TEST=1

# Offline and quick: any source but synthetic fails at once, fast retries,
# dates fixed (the docs' commands default to today otherwise), small
# searches and forests, a short backtest, unless a block asks for more.
export SC_SOURCE=synthetic SC_TODAY=2026-06-30 SC_FROM=2025-01-02 SC_TRIALS=4 \
	SC_BACKTEST_DAYS=60 SC_FOREST_ARGS="--trees 50 --min-samples-leaf 5 --max-features 0.33" \
	SC_HTTP_TIMEOUT=5 SC_HTTP_CONNECT_TIMEOUT=2 SC_RETRY_MAX=1 \
	SC_RETRY_BASE=0.01 SC_RETRY_CAP=0.05 \
	SC_YAHOO_URL=http://127.0.0.1:9 SC_YAHOO_COOKIE_URL=http://127.0.0.1:9 \
	SC_STOOQ_URL=http://127.0.0.1:9 SC_ALPHAVANTAGE_URL=http://127.0.0.1:9 \
	AWS_ENDPOINT_URL=http://127.0.0.1:9 MAKEFLAGS=--no-print-directory
unset SC_TICKERS SC_MODEL_NAME SC_RUN_ID SC_PROMOTE SC_TUNE_ARGS

# blocks FILE: FILE's ```sh blocks as one script; before each block the
# variables doc_block (its number) and doc_line (its first line) are set.
blocks() {
	awk '
	!inb && /^[[:space:]]*```sh[[:space:]]*$/ {
		inb = 1; n++; ind = $0; sub(/```sh.*/, "", ind)
		printf "doc_block=%d doc_line=%d\n", n, NR + 1
		next
	}
	inb && /^[[:space:]]*```[[:space:]]*$/ { inb = 0; next }
	inb { if (index($0, ind) == 1) $0 = substr($0, length(ind) + 1); print }
	END { if (inb) { print "unterminated ```sh block" > "/dev/stderr"; exit 1 } }' "$1"
}

# run_file FILE: run FILE's ```sh blocks; print what happened (one line)
# and return 0 when they all ran, 1 when one failed, 2 when there are none.
run_file() {
	local f=$1 n name root e rc b line brc
	n=$(grep -cE '^[[:space:]]*```sh[[:space:]]*$' "$f")
	[ "$n" -gt 0 ] || return 2
	name=$(echo "$f" | tr '/.' '__')
	root=$T_TMP/root.$name
	mkdir -p "$root"
	for e in "$SC_TOP"/* "$SC_TOP"/.[!.]*; do
		[ -e "$e" ] && ln -sfn "$e" "$root/$(basename "$e")"
	done
	if ! blocks "$f" > "$T_TMP/$name.body"; then
		echo "$f: an unterminated \`\`\`sh block"
		return 1
	fi
	{
		echo 'set -e'
		echo 'doc_block=0 doc_line=0'
		# On exit, say which block was running when it failed.
		echo 'trap '\''rc=$?; [ "$doc_block" = done ] || echo "$doc_block $doc_line $rc" > "$DOC_STATUS"'\'' EXIT'
		cat "$T_TMP/$name.body"
		echo 'doc_block=done'
	} > "$T_TMP/$name.sh"
	rm -f "$T_TMP/$name.status"
	(cd "$root" && SC_STORE=$T_TMP/store.$name DOC_STATUS=$T_TMP/$name.status \
		timeout 120 sh "$T_TMP/$name.sh" > "$T_TMP/$name.out" 2>&1)
	rc=$?
	if [ -s "$T_TMP/$name.status" ]; then
		read -r b line brc < "$T_TMP/$name.status"
		echo "$f: \`\`\`sh block $b of $n (line $line: $(sed -n "${line}p" "$f" | sed 's/^[[:space:]]*//' | cut -c1-60)) exited $brc; its output ends: $(tail -n 5 "$T_TMP/$name.out" | tr '\n' '|' | cut -c1-600)"
		return 1
	elif [ "$rc" -ne 0 ]; then
		echo "$f: its \`\`\`sh blocks exited $rc (124: over 120 s); output ends: $(tail -n 5 "$T_TMP/$name.out" | tr '\n' '|' | cut -c1-600)"
		return 1
	fi
	echo "$f: $n \`\`\`sh block(s) ran"
	return 0
}

# The runner itself, on a page made for it: what a block exports the next
# one sees, a ```text block is not run, a failure names file, block, line.
mkdir -p "$T_TMP/self"
printf '%s\n' '# t' '```sh' 'export X=1' '```' '```text' 'exit 9' '```' \
	'  ```sh' '  test "$X" = 1 && test -n "$SC_STORE" && pwd > where' '  ```' \
	'```sh' 'false' 'echo not reached' '```' > "$T_TMP/self/page.md"
msg=$(run_file "$T_TMP/self/page.md")
t_check "runner: a failing block is named with its file, number and line" \
	test "${msg%%; its output*}" = "$T_TMP/self/page.md: \`\`\`sh block 3 of 3 (line 12: false) exited 1"
t_check "runner: blocks share exports, run in the root copy, skip text" \
	test "$(cat "$T_TMP/root.$(echo "$T_TMP/self/page.md" | tr '/.' '__')/where" 2> /dev/null)" = \
	"$T_TMP/root.$(echo "$T_TMP/self/page.md" | tr '/.' '__')"

# --help describes every option its man page lists (the programs whose
# --help lists its options; sc-split's lacks --help itself).
for p in sc-fetch sc-forest sc-tune sc-predict sc-rmse sc-push; do
	miss=""
	sc_help=$("$p" --help)
	# shellcheck disable=SC2013 # option names: words
	for o in $(grep -oE '^\.It Fl .*' "$SC_TOP/docs/$p.1" | grep -oE '\\-[a-z][a-z-]+' |
		sed 's/^\\/-/' | sort -u); do
		case $sc_help in *"$o"*) ;; *) miss="$miss $o" ;; esac
	done
	t_check "$p --help describes every option of $p(1)${miss:+ (missing:$miss)}" test -z "$miss"
done

if [ $# -gt 0 ]; then files=("$@"); else files=(README.md docs/*.md); fi
cd "$SC_TOP" || exit 1
for f in "${files[@]}"; do
	msg=$(run_file "$f")
	case $? in
	0) t_ok "$msg" ;;
	1) t_fail "$msg" ;;
	esac
done
t_done
