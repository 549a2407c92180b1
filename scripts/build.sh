#!/usr/bin/env bash
# Configure and build into a directory (default: build/). Extra arguments go
# to cmake's configure step, e.g. scripts/build.sh build-asan -DMMU_SANITIZE=ON
# The compiler's output goes to DIR/build.log; on failure its tail is shown.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-build}; shift || true
case "$dir" in /*) ;; *) dir="$root/$dir" ;; esac
mkdir -p "$dir"
echo "mmusim: building in $dir" >&2
if ! { cmake -S "$root" -B "$dir" "$@" && cmake --build "$dir" -j"$(nproc)"; } >"$dir/build.log" 2>&1; then
  tail -n 40 "$dir/build.log" >&2
  echo "mmusim: build failed (full log: $dir/build.log)" >&2
  exit 1
fi
