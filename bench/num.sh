#!/bin/sh
# SPDX-License-Identifier: ISC
# Number parsing and printing of libsc next to the C library (bench/num.c):
# first a check of 3 x 1,000,000 random values against strtod() and
# snprintf(), then nanoseconds per value for each; bench/out/num.csv.
# usage: bench/num.sh BUILD [VALUES]
set -eu
build=${1:-build}
n=${2:-1000000}
top=$(cd "$(dirname "$0")/.." && pwd)
case $build in /*) ;; *) build=$top/$build ;; esac
out=$top/bench/out
mkdir -p "$out/work"
cc -std=c11 -O2 -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L -I"$top/lib" \
	-o "$out/work/num" "$top/bench/num.c" "$build/libsc.a" -lm
"$out/work/num" --verify "$n"
"$out/work/num" "$n" > "$out/num.csv"
column -s, -t < "$out/num.csv"
