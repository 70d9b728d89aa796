#!/bin/sh
# bench/run-authmanager.sh - run bench_authmanager against the daemon of one build.
#
# Usage: bench/run-authmanager.sh [BUILD_DIR] [bench_authmanager options...]
# BUILD_DIR (default: build) must hold bench_authmanager and teeu-authmanager,
# as `make build` leaves them. Options go to the benchmark unchanged, e.g.
#   bench/run-authmanager.sh build --seconds 10 --clients 1,8,32,64
# See docs/BENCHMARKS.md for what it measures.
set -eu
build=build
if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then
	build=$1
	shift
fi
for f in bench_authmanager teeu-authmanager; do
	if [ ! -x "$build/$f" ]; then
		echo "run-authmanager.sh: $build/$f not found; build first (make build)" >&2
		exit 2
	fi
done
exec "$build/bench_authmanager" --daemon "$build/teeu-authmanager" "$@"
