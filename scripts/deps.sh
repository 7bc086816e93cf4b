#!/bin/sh
# Install what the build and the tests need, when it is missing: Debian
# packages through apt-get, and the S3 test server through npm into
# tests/s3rver/node_modules (pinned by its package-lock.json).  Quick when
# everything is there: one dpkg-query and one directory test.
# usage: scripts/deps.sh [bench]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)

build_pkgs="build-essential pkg-config libcurl4-openssl-dev libjansson-dev
libcsv-dev check libssl-dev libexpat1-dev tzdata ca-certificates"
test_pkgs="curl python3 python3-yaml python3-botocore prometheus
prometheus-pushgateway prometheus-alertmanager docker-compose gnuplot-nox
groff-base shellcheck cppcheck clang-format clang libclang-rt-14-dev
valgrind nodejs faketime time python3-distributed
chromium tidy"
bench_pkgs="python3-sklearn python3-optuna r-cran-ranger time"

case ${1:-} in
bench)	pkgs="$bench_pkgs" ;;
*)	pkgs="$build_pkgs $test_pkgs" ;;
esac

missing=""
for p in $pkgs; do
	st=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
	case $st in ii*) ;; *) missing="$missing $p" ;; esac
done
# Debian's nodejs has npm in a package of its own; NodeSource's bundles it.
if [ "${1:-}" != bench ] && ! command -v npm >/dev/null 2>&1; then
	missing="$missing npm"
fi

if [ -n "$missing" ]; then
	echo "deps: installing:$missing"
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	$sudo apt-get update -qq
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
		--no-install-recommends $missing
fi

if [ "${1:-}" != bench ] && [ ! -f "$top/tests/s3rver/node_modules/@20minutes/s3rver/lib/cli.js" ]; then
	echo "deps: installing the S3 test server (npm ci)"
	(cd "$top/tests/s3rver" && npm ci --no-audit --no-fund --loglevel=error)
fi
exit 0
