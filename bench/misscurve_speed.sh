#!/usr/bin/env bash
# misscurve_speed.sh — cost of the one-pass LRU miss curve (`mmusim misscurve`,
# 64 fully associative sizes 1..64 plus set-associative rows for 4 and 8 ways)
# against ONE functional `mmusim run` (timing off, one 64-entry fully
# associative LRU data TLB, 4K first-touch mapper) over the same native trace.
# Prints JSON on stdout; target: ratio = misscurve / run < 3.
#
#   bench/misscurve_speed.sh [TRACE]          (default: a generated zipf trace)
#   MMUSIM=build/mmusim bench/misscurve_speed.sh   use an existing binary
#   RUNS=5 (best of RUNS wall-clock seconds, default 3)
# Without MMUSIM a Release tree is built in BUILD_DIR (default build-bench/).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
runs=${RUNS:-3}
if [ -z "${MMUSIM:-}" ]; then
  . "$root/bench/build_release.sh"
  bench_build mmusim
  MMUSIM=$bench_build_dir/mmusim
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
trace=${1:-}
if [ -z "$trace" ]; then
  # 5M accesses, Zipf over 1 GiB (262144 4K pages): the 64-entry TLB misses often
  spec=gen:zipf,footprint=1G,accesses=5M,seed=1
  "$MMUSIM" trace gen zipf -o "$tmp/t.mtr" --footprint 1G --accesses 5M --seed 1 >/dev/null 2>"$tmp/gen.err" ||
    { cat "$tmp/gen.err" >&2; exit 1; }
  trace=$tmp/t.mtr
else
  spec=$trace
fi

best() { # best wall-clock seconds of $runs runs of "$@"
  local b="" s e t
  for _ in $(seq "$runs"); do
    s=$(date +%s.%N); "$@" >/dev/null; e=$(date +%s.%N)
    t=$(echo "$e - $s" | bc -l)
    if [ -z "$b" ] || [ "$(echo "$t < $b" | bc -l)" = 1 ]; then b=$t; fi
  done
  echo "$b"
}

run_s=$(best "$MMUSIM" run -q --set 'tlb={}' --set tlb.t.level=1 --set tlb.t.side=data \
  --set 'tlb.t.arrays=[{page_sizes: [4K], entries: 64, ways: 64}]' --set ideal.tlb=none \
  --set mapper.page_size=4K --set timing.enabled=false -o "$tmp/run.json" "$trace")
mc_s=$(best "$MMUSIM" misscurve -q --max 64 -w 4 -w 8 -o "$tmp/curve.json" "$trace")

/usr/bin/python3 - "$tmp/run.json" "$tmp/curve.json" "$run_s" "$mc_s" "$spec" "$runs" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); c = json.load(open(sys.argv[2]))
run_s, mc_s = float(sys.argv[3]), float(sys.argv[4])
row = [x for x in c["rows"] if x["kind"] == "fully" and x["entries"] == 64][0]
assert row["misses"] == r["stats"]["tlb"]["t"]["misses"], "curve and run disagree"
ratio = mc_s / run_s
print(json.dumps({
    "benchmark": "misscurve_speed",
    "trace": sys.argv[5],
    "accesses": c["trace"]["accesses"],
    "distinct_pages": c["trace"]["distinct_pages"],
    "curve_rows": len(c["rows"]),
    "fully_assoc_sizes": sum(1 for x in c["rows"] if x["kind"] == "fully"),
    "set_assoc_rows": sum(1 for x in c["rows"] if x["kind"] == "set-assoc"),
    "runs": int(sys.argv[6]),
    "run_seconds": round(run_s, 4),
    "misscurve_seconds": round(mc_s, 4),
    "ratio": round(ratio, 3),
    "target_ratio": 3.0,
    "meets_target": ratio < 3.0,
    "misses_64_entries": row["misses"],
}, indent=2))
PY
