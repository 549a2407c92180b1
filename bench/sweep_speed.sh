#!/usr/bin/env bash
# sweep_speed.sh — a one-pass `mmusim sweep` of 16 TLB configurations over one
# native trace against 16 separate `mmusim run` calls run one at a time (the
# baseline), side by side; prints one JSON object on stdout. Not a ctest.
#
#   bench/sweep_speed.sh                      # Release build in build-bench/, 20M-record trace
#   bench/sweep_speed.sh -n 5000000 --gen "zipf --footprint 4G --writes 0.3" --no-per-point
#
# Options: -n RECORDS (default 20000000), --gen "KIND --KEY VALUE..." (what
# `mmusim trace gen` writes; default "zipf --footprint 1G --writes 0.3"),
# --no-per-point (skip timing the old fork-per-point sweep), --dir DIR, --keep,
# --input FILE (use this trace, any format mmusim reads — e.g. lackey text or
# ChampSim, compressed — instead of generating one; -n and --gen are ignored).
# The issue's target: the sweep >= 3x faster than the baseline on this 2-core machine.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build-bench}
n=20000000 gen="zipf --footprint 1G --writes 0.3" per_point=1 dir= keep=0 input=
while [ $# -gt 0 ]; do
  case $1 in
    -n) n=$2; shift 2 ;;
    --gen) gen=$2; shift 2 ;;
    --input) input=$(cd "$(dirname "$2")" && pwd)/$(basename "$2"); shift 2 ;;
    --no-per-point) per_point=0; shift ;;
    --dir) dir=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    *) echo "sweep_speed.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
. "$root/bench/build_release.sh"
BUILD_DIR=$build bench_build mmusim
mmusim=$bench_build_dir/mmusim
if [ -z "$dir" ]; then dir=$(mktemp -d /tmp/sweep_speed.XXXXXX); else mkdir -p "$dir"; fi
[ "$keep" = 1 ] || trap 'rm -rf "$dir"' EXIT
cd "$root"

now() { date +%s.%N; }
# shellcheck disable=SC2086  # $gen is words on purpose
if [ -n "$input" ]; then
  trace=$input gen="(input) $input"
  n=$("$mmusim" trace info "$input" | awk '$1 == "records" {print $2}')
else
  trace=$dir/trace.mtr
  "$mmusim" trace gen $gen --accesses "$n" -o "$trace" >&2
fi

l2=(384 768 1536 3072)   # 12 ways: 32..256 sets
l1=(16 32 64 128)        # 4 ways: 4..32 sets
results=()
for timing in true false; do
  m="timing_$([ $timing = true ] && echo on || echo off)"
  cat >"$dir/$m.yaml" <<YAML
base: configs/presets/skylake.yaml
set: {timing.enabled: $timing}
grid:
  tlb.l2.arrays.0.entries: [${l2[0]}, ${l2[1]}, ${l2[2]}, ${l2[3]}]
  tlb.l1d.arrays.0.entries: [${l1[0]}, ${l1[1]}, ${l1[2]}, ${l1[3]}]
traces: [$trace]
YAML
  # Baseline: 16 `mmusim run` calls, one at a time, each decoding the trace.
  mkdir -p "$dir/$m.base"
  t0=$(now); i=0
  for a in "${l2[@]}"; do for b in "${l1[@]}"; do
    "$mmusim" run -q -c configs/presets/skylake.yaml --set timing.enabled=$timing \
      --set tlb.l2.arrays.0.entries="$a" --set tlb.l1d.arrays.0.entries="$b" \
      -o "$dir/$m.base/$(printf p%04d $i).json" "$trace"
    i=$((i + 1))
  done; done
  t1=$(now)
  "$mmusim" sweep "$dir/$m.yaml" -o "$dir/$m.sweep" -q
  t2=$(now)
  tp=null
  if [ "$per_point" = 1 ]; then
    "$mmusim" sweep "$dir/$m.yaml" -o "$dir/$m.pp" -q --per-point
    tp=$(echo "$(now) - $t2" | bc)
  fi
  results+=("$m" "$(echo "$t1 - $t0" | bc)" "$(echo "$t2 - $t1" | bc)" "$tp")
done

python3 - "$dir" "$n" "$gen" "$(nproc)" "$trace" "${results[@]}" <<'PY'
import json, os, sys
d, n, gen, cpus, trace = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), sys.argv[5]
rest = sys.argv[6:]
out = {"benchmark": "sweep_speed", "records": n, "trace_gen": gen,
       "trace_bytes": os.path.getsize(trace), "points": 16, "cpus": cpus,
       "target": "one-pass sweep >= 3x faster than 16 separate mmusim run calls"}
for k in range(0, len(rest), 4):
    m, base, sweep, pp = rest[k], float(rest[k + 1]), float(rest[k + 2]), rest[k + 3]
    # The sweep's results must be the baseline's (the result minus its "sweep" object).
    same = True
    for i in range(16):
        a = json.load(open("%s/%s.base/p%04d.json" % (d, m, i)))
        b = json.load(open("%s/%s.sweep/points/p%04d.json" % (d, m, i)))
        b.pop("sweep")
        same = same and a == b
    r = {"baseline_16_runs_s": round(base, 3), "one_pass_sweep_s": round(sweep, 3),
         "ratio": round(base / sweep, 3), "met_3x": base / sweep >= 3.0,
         "records_per_s_per_point_baseline": round(16 * n / base),
         "records_per_s_per_point_sweep": round(16 * n / sweep), "results_identical": same}
    if pp != "null":
        r["per_point_sweep_s"] = round(float(pp), 3)
        r["ratio_per_point_sweep"] = round(base / float(pp), 3)
    out[m] = r
print(json.dumps(out, indent=2))
PY
