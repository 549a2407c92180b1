#!/usr/bin/env bash
# Configure and build into a directory (default: build/). Extra arguments go
# to cmake's configure step, e.g. scripts/build.sh build-asan -DMMU_SANITIZE=ON
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-build}; shift || true
case "$dir" in /*) ;; *) dir="$root/$dir" ;; esac
cmake -S "$root" -B "$dir" "$@" >/dev/null
cmake --build "$dir" -j"$(nproc)"
