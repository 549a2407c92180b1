#!/usr/bin/env bash
# Build a Release tree (build-bench/ unless BUILD_DIR is set) and run the
# simulator throughput benchmark; prints its JSON on stdout. Arguments go to the
# benchmark, e.g. `bench/run_sim_throughput.sh -n 5000000 --runs 5`.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/bench/build_release.sh"
bench_build sim_throughput
exec "$bench_build_dir/bench/sim_throughput" "$@"
