#!/bin/sh
# Every symbol libsc exports starts with sc_ (docs/style.md): the names
# of a static library share one namespace with the program that links it,
# so an unprefixed global (rp_get, say) can clash with the program's own.
# A helper shared by a module's files is sc_<module>_..., or sc_<abbrev>_...
# declared in its *_int.h; one used in a single file is static.  Names
# that begin with __ belong to the implementation (make asan's build
# exports __odr_asan.<global> for each global) and are not counted.  Run
# by make lint on the built library; prints each offender, exits 1 if any.
# usage: tests/symbols.sh [LIBSC.A]
set -u
lib=${1:-build/libsc.a}
[ -f "$lib" ] || { echo "symbols: $lib: no such library (make first)"; exit 1; }
out=$(nm -g --defined-only "$lib") || { echo "symbols: $lib: nm failed"; exit 1; }
bad=$(echo "$out" | awk '
	/:$/ { obj = substr($0, 1, length($0) - 1); next }
	NF == 3 && $3 !~ /^sc_/ && $3 !~ /^__/ { print "symbols: " obj " exports " $3 ", not sc_*" }')
[ -z "$bad" ] && exit 0
echo "$bad"
exit 1
