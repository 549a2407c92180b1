#!/usr/bin/env bash
# Quick start, step 1: install dependencies, build, and run a default
# simulation end to end (Skylake preset, 2M GUPS-like random accesses over
# 4 GiB), printing the summary and writing build/quickstart.json.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
"$root/scripts/build.sh" build
cd "$root"
exec build/mmusim run -c configs/presets/skylake.yaml -o build/quickstart.json \
  gen:uniform,footprint=4G,accesses=2M,writes=0.3,seed=1
