#!/usr/bin/env bash
# Quick start, step 2: install dependencies, build, and run the whole test
# suite with ctest. --sanitize builds into build-asan/ with ASan+UBSan.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=build; extra=()
if [ "${1:-}" = "--sanitize" ]; then
  dir=build-asan; extra=(-DMMU_SANITIZE=ON)
fi
"$root/scripts/setup.sh"
"$root/scripts/build.sh" "$dir" "${extra[@]}"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
ctest --test-dir "$root/$dir" --output-on-failure -j"$(nproc)"
