#!/bin/sh
# Check the include layers of lib/ against the layer table of
# docs/architecture.md: the rows of the table under "| layer | modules |"
# are the layers, lowest first, and a lib/*.c or lib/*.h file may include
# the headers of its own layer or of a lower one only.  A file belongs to
# the module of its name (sc_yahoo.c, sc_yahoo.h) or, failing that, of its
# longest prefix that is a module (sc_forest_fit.c and sc_forest_int.h are
# sc_forest's); a file of no module in the table is an error too, so the
# table lists every module.  Text in parentheses in the table is prose.
# Prints one line per error and exits 1 on any; 0 and no output when the
# tree is clean.
# usage: scripts/lint-layers.sh [ROOT]   (ROOT: the checkout, default ..)
set -eu
root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
doc=$root/docs/architecture.md
[ -r "$doc" ] || { echo "lint-layers: $doc: cannot read" >&2; exit 66; }
set -- "$root"/lib/*.[ch]
[ -e "$1" ] || { echo "lint-layers: $root/lib: no sources" >&2; exit 66; }

awk -v doc="$doc" '
function module(name,   m) {	# the table module of a file name, or ""
	m = name
	sub(/\.[ch]$/, "", m)
	while (m != "") {
		if (m in layer)
			return m
		if (m !~ /_[a-z0-9]+$/)
			return ""
		sub(/_[a-z0-9]+$/, "", m)
	}
	return ""
}
BEGIN {
	n = 0
	while ((getline line < doc) > 0) {
		if (line ~ /^\| *layer *\| *modules *\|/) {
			intable = 1
			continue
		}
		if (!intable)
			continue
		if (line !~ /^\|/)
			break
		if (line ~ /^\|[-: |]*$/)
			continue
		split(line, cell, "|")
		name = cell[2]
		gsub(/^ +| +$/, "", name)
		mods = cell[3]
		while (gsub(/\([^()]*\)/, "", mods) > 0)
			;
		n++
		lname[n] = name
		while (match(mods, /sc_[a-z0-9_]+/)) {
			m = substr(mods, RSTART, RLENGTH)
			if (m in layer && layer[m] != n) {
				printf "%s: %s is in layers %s and %s\n", doc, \
				    m, lname[layer[m]], name
				bad = 1
			}
			layer[m] = n
			mods = substr(mods, RSTART + RLENGTH)
		}
	}
	close(doc)
	if (n == 0) {
		printf "%s: no \"| layer | modules |\" table\n", doc
		bad = 1
		exit 1
	}
}
FNR == 1 {
	file = FILENAME
	base = file
	sub(/.*\//, "", base)
	self = module(base)
	if (self == "") {
		printf "lib/%s: module not in the layer table of " \
		    "docs/architecture.md\n", base
		bad = 1
	}
}
self != "" && /^[ \t]*#[ \t]*include[ \t]*"sc_[a-z0-9_]+\.h"/ {
	h = $0
	sub(/^[^"]*"/, "", h)
	sub(/".*/, "", h)
	m = module(h)
	if (m == "") {
		printf "lib/%s:%d: %s: module not in the layer table\n", \
		    base, FNR, h
		bad = 1
	} else if (layer[m] > layer[self]) {
		printf "lib/%s:%d: %s (%s) includes %s of a higher layer (%s)\n", \
		    base, FNR, self, lname[layer[self]], h, lname[layer[m]]
		bad = 1
	}
}
END { exit bad ? 1 : 0 }
' "$@"
