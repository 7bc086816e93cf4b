#!/bin/sh
# Generated bad input, never stored: gen.sh KIND HEADER-FILE writes
# HEADER-FILE's lines and then one bad line of the KIND asked for.
# usage: tests/bad-input/gen.sh hugeline|hugefield|manycols|longticker|hugemember FILE
set -eu
kind=$1 header=$2
cat "$header"
case $kind in
hugeline)	# 2 MB in one record: over the 1 MiB record bound
	head -c 2000000 /dev/zero | tr '\0' 'a'
	echo ;;
hugefield)	# 70 kB in the first field: over the 64 KiB field bound
	head -c 70000 /dev/zero | tr '\0' 'x'
	echo ",1" ;;
manycols)	# 5000 fields: over the 4096 field bound
	i=1
	printf 1
	while [ $i -lt 5000 ]; do printf ',1'; i=$((i + 1)); done
	echo ;;
longticker)	# a 100-byte ticker: over the 64-byte bound
	printf '2025-01-02,'
	head -c 100 /dev/zero | tr '\0' 'A'
	echo ",1,2,0.5,1.5,1.5,100" ;;
hugemember)	# a 17 MB JSON string closing a model's member: over 16 MiB
	head -c 17000000 /dev/zero | tr '\0' 'a'
	echo '"}' ;;
*)	echo "gen.sh: unknown kind $kind" >&2
	exit 64 ;;
esac
