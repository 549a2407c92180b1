#!/usr/bin/env bash
# Build a Release tree (build-bench/ unless BUILD_DIR is set) and run the
# simulator throughput benchmark; prints its JSON on stdout. Arguments go to the
# benchmark, e.g. `bench/run_sim_throughput.sh -n 5000000 --runs 5`.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build-bench}
mkdir -p "$build"
log=$build/bench-build.log
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >"$log" 2>&1 ||
  { cat "$log" >&2; exit 1; }
cmake --build "$build" -j"${JOBS:-2}" --target sim_throughput >>"$log" 2>&1 ||
  { tail -40 "$log" >&2; exit 1; }
exec "$build/bench/sim_throughput" "$@"
