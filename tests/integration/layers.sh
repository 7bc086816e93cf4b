#!/usr/bin/env bash
# scripts/lint-layers.sh (part of make lint): the tree keeps the include
# layers of docs/architecture.md, and the check fails on a copy that does
# not (an include of a higher layer, a module missing from the table, the
# sc_market circle of before).
. "$(dirname "$0")/../lib.sh"

lint=$SC_TOP/scripts/lint-layers.sh
t_exit "the tree keeps its layers" 0 sh "$lint" "$SC_TOP"
t_check "and says nothing" test ! -s "$T_OUT"

copy() {	# a fresh copy of lib/ and the architecture page in $T_TMP/r
	rm -rf "$T_TMP/r"
	mkdir -p "$T_TMP/r/docs"
	cp -R "$SC_TOP/lib" "$T_TMP/r/lib"
	cp "$SC_TOP/docs/architecture.md" "$T_TMP/r/docs/"
}

copy
t_exit "a clean copy passes" 0 sh "$lint" "$T_TMP/r"

copy
sed -i 's/^#include "sc_err.h"$/#include "sc_err.h"\n#include "sc_store.h"/' \
	"$T_TMP/r/lib/sc_csv.h"
t_exit "base including storage fails" 1 sh "$lint" "$T_TMP/r"
t_grep "the error names the file, line and both layers" \
	'^lib/sc_csv\.h:[0-9]+: sc_csv \(base\) includes sc_store\.h of a higher layer \(storage\)$' "$T_OUT"

copy
sed -i 's/^#include "sc_source.h"$/#include "sc_market.h"/' \
	"$T_TMP/r/lib/sc_yahoo.h"
t_exit "a source including sc_market.h fails" 1 sh "$lint" "$T_TMP/r"
t_grep "named as market data including market fetch" \
	'^lib/sc_yahoo\.h:[0-9]+: sc_yahoo \(market data\) includes sc_market\.h of a higher layer \(market fetch\)$' "$T_OUT"

copy
printf '/* a module nobody listed */\n' > "$T_TMP/r/lib/sc_newthing.c"
t_exit "a module missing from the table fails" 1 sh "$lint" "$T_TMP/r"
t_grep "and is named" '^lib/sc_newthing\.c: module not in the layer table' "$T_OUT"

copy
printf '/* part of sc_forest */\n#include "sc_table.h"\n' \
	> "$T_TMP/r/lib/sc_forest_extra.c"
t_exit "a part file belongs to its module by prefix" 0 sh "$lint" "$T_TMP/r"

copy
sed -i '/^| layer | modules |$/,/^$/d' "$T_TMP/r/docs/architecture.md"
t_exit "a page without the table fails" 1 sh "$lint" "$T_TMP/r"
t_grep "saying so" 'no "\| layer \| modules \|" table' "$T_OUT"

t_exit "a missing checkout is exit 66" 66 sh "$lint" "$T_TMP/none"

t_done
