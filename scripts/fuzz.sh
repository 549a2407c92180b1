#!/usr/bin/env bash
# Build the libFuzzer targets with clang (ASan+UBSan) into build-fuzz/ and run
# each for SECONDS (default 15; CI uses the default, longer runs e.g.
# `scripts/fuzz.sh 3600`). Crashing inputs are left in build-fuzz/tests/fuzz/.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-15}
"$root/scripts/setup.sh"
CC=clang "$root/scripts/build.sh" build-fuzz -DMMU_FUZZ=ON -DMMU_FUZZ_SECONDS="$secs"
ctest --test-dir "$root/build-fuzz" --output-on-failure
