#!/bin/sh
# Render tests/bad-input/cases.tsv as the Markdown of docs/bad-input.md;
# tests/integration/bad-input.sh fails when the two differ.
# usage: tests/bad-input/table.sh > docs/bad-input.md
set -eu
dir=$(cd "$(dirname "$0")" && pwd)
cat "$dir/intro.md"
echo
echo '| case | program and arguments | input | exit | message (ERE) |'
echo '|---|---|---|---|---|'
grep -v '^#' "$dir/cases.tsv" | awk -F'\t' '
function cell(s) { gsub(/\|/, "\\|", s); return s }
{
	cmd = $3 ($4 == "" ? "" : " " $4)
	if ($2 != "-")
		cmd = $2 " " cmd
	input = $5 == "-" ? "none" : $5
	printf "| %s | `%s` | %s | %s | `%s` |\n", $1, cell(cmd),
	    cell(input), $6, cell($7)
}'
