#!/usr/bin/env bash
# tests/layers.sh (part of make lint): the tree keeps the include layers of
# docs/architecture.md, and the check fails on a copy that does not (an
# include of a higher layer, a module missing from the table, the
# sc_market circle of before: a source including sc_market.h).
. "$(dirname "$0")/../lib.sh"

t_exit "the tree keeps its layers" 0 sh "$SC_TOP/tests/layers.sh"
t_check "and says nothing" test ! -s "$T_OUT"

copy() {	# a copy of lib/, the page and the check in $T_TMP/r
	rm -rf "$T_TMP/r"
	mkdir -p "$T_TMP/r/docs" "$T_TMP/r/tests"
	cp -R "$SC_TOP/lib" "$T_TMP/r/lib"
	cp "$SC_TOP/docs/architecture.md" "$T_TMP/r/docs/"
	cp "$SC_TOP/tests/layers.sh" "$T_TMP/r/tests/"
}
lint="$T_TMP/r/tests/layers.sh"

copy
t_exit "a clean copy passes" 0 sh "$lint"

copy
sed -i 's/^#include "sc_err.h"$/#include "sc_err.h"\n#include "sc_store.h"/' \
	"$T_TMP/r/lib/sc_csv.h"
t_exit "base including storage fails" 1 sh "$lint"
t_grep "the error names the file and the header" \
	'lib/sc_csv\.h includes sc_store\.h, a higher layer' "$T_OUT"

copy
sed -i 's/^#include "sc_source.h"$/#include "sc_market.h"/' \
	"$T_TMP/r/lib/sc_yahoo.h"
t_exit "a source including sc_market.h fails" 1 sh "$lint"
t_grep "named" 'lib/sc_yahoo\.h includes sc_market\.h, a higher layer' "$T_OUT"

copy
sed -i 's/^#include "sc_err.h"$/#include "sc_err.h"\n#include "sc_pushgw.h"/' \
	"$T_TMP/r/lib/sc_prom.h"
t_exit "within a layer is allowed" 0 sh "$lint"

copy
printf '/* a module nobody listed */\n' > "$T_TMP/r/lib/sc_newthing.c"
t_exit "a module missing from the table fails" 1 sh "$lint"
t_grep "and is named" 'sc_newthing is not in the table' "$T_OUT"

copy
sed -i '/^| layer | modules |$/,/^$/d' "$T_TMP/r/docs/architecture.md"
t_exit "a page without the table fails" 1 sh "$lint"
t_grep "saying so" 'no layer table' "$T_OUT"

t_done
