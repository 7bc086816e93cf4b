#!/usr/bin/env bash
# Every program follows the conventions of DESIGN.md: --help on stdout with
# exit 0, --version as "NAME (stockcast) X.Y.Z", a bad option gives one line
# and the usage on stderr with exit 64.
. "$(dirname "$0")/../lib.sh"

for prog in "$SC_BIN"/sc-*; do
	name=$(basename "$prog")
	t_exit "$name --help exits 0" 0 "$prog" --help
	t_grep "$name --help prints usage on stdout" "^usage: $name" "$T_OUT"
	t_exit "$name -h exits 0" 0 "$prog" -h
	t_exit "$name --version exits 0" 0 "$prog" --version
	t_grep "$name --version format" "^$name \(stockcast\) [0-9]+\.[0-9]+\.[0-9]+$" "$T_OUT"
	t_exit "$name bad option exits 64" 64 "$prog" --no-such-option
	t_grep "$name bad option prints usage on stderr" "^usage: $name" "$T_ERR"
	t_exit "$name --help > /dev/full exits 74" 74 sh -c "\"$prog\" --help > /dev/full"
done
t_done
