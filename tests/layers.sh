#!/bin/sh
# The include layers of lib/ as docs/architecture.md's table says: every
# module is in the table, and none includes a header of a later row (a
# higher layer).  Run by make lint; prints each violation, exits 1 if any.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
doc=${LAYERS_DOC:-$top/docs/architecture.md}
# "module rank" for every sc_* word of the table's rows, in row order.
ranks=$(awk '
	/^\| layer \| modules \|/ { on = 1; next }
	on && /^\|---/ { next }
	on && !/^\|/ { exit }
	on {
		n++
		split($0, cell, "|")
		s = cell[3]
		while (match(s, /sc_[a-z0-9_]+/)) {
			print substr(s, RSTART, RLENGTH), n
			s = substr(s, RSTART + RLENGTH)
		}
	}' "$doc")
[ -n "$ranks" ] || { echo "layers: no layer table in $doc"; exit 1; }
rank() { echo "$ranks" | awk -v m="$1" '$1 == m { print $2; exit }'; }
bad=0
for f in "$top"/lib/sc_*.[ch]; do
	m=$(basename "$f" | sed 's/\.[ch]$//')
	r=$(rank "$m")
	if [ -z "$r" ]; then
		echo "layers: $m is not in the table of $doc"
		bad=1
		continue
	fi
	# shellcheck disable=SC2013 # one word a line
	for d in $(sed -n 's/^#include "\(sc_[a-z0-9_]*\)\.h".*/\1/p' "$f"); do
		dr=$(rank "$d")
		if [ -z "$dr" ]; then
			echo "layers: $d (included by $m) is not in the table"
			bad=1
		elif [ "$dr" -gt "$r" ]; then
			echo "layers: lib/$(basename "$f") includes $d.h, a higher layer"
			bad=1
		fi
	done
done
exit $bad
