#!/usr/bin/env bash
# Build a Release tree (build-bench/ unless BUILD_DIR is set) and run the
# trace decode benchmark; prints its JSON on stdout. Arguments go to the
# benchmark, e.g. `bench/run_trace_decode.sh -n 5000000 --runs 5`.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/bench/build_release.sh"
bench_build trace_decode
exec "$bench_build_dir/bench/trace_decode" "$@"
