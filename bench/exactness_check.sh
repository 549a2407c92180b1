#!/usr/bin/env bash
# exactness_check.sh BASE_MMUSIM NEW_MMUSIM — do two mmusim builds give the
# same results? For performance work: every statistic must stay byte-identical.
#
# Runs `mmusim run -q -o X.json` with both binaries over a fixed matrix and
# compares the "stats" and "derived" objects of the result files value by
# value (everything else in a result describes the input and the effective
# configuration; two runs of one binary give identical files, so nothing needs
# excluding). The matrix:
#   * every preset in configs/presets x every generated trace (stride, uniform,
#     zipf, chase, graph, mix; footprints 16K..8G; a few hundred thousand
#     accesses each) and every sample trace in traces/samples, x
#     timing.enabled true/false;
#   * the Skylake preset x ideal.tlb perfect/infinite_l2 (timing on and off),
#     plus variants that reach other code paths (replacement policies, no walk
#     merging, A/D faults, 2M mapper, untagged ASIDs, warm-up, non-power-of-two
#     cache sets, no data accesses through the caches) on a subset of traces;
#   * the Skylake preset with the OS model (os.enabled): THP never / always,
#     and small physical memories with swap (reclaim, swap-out, major faults,
#     fragmentation, khugepaged), on a few generated traces and the samples.
# Keys present in only one binary's output (a counter added since the
# baseline) are listed but do not fail the check unless STRICT_KEYS=1.
#
# Environment: JOBS (parallel runs, default 2), WORK (scratch dir, default a
# fresh mktemp dir, removed unless KEEP=1), QUICK=1 (fewer traces: a smoke
# test). Exit status 0 iff every compared value is identical and both binaries
# succeed or fail alike on every point.
set -euo pipefail
if [ $# -ne 2 ]; then
  echo "usage: $0 BASE_MMUSIM NEW_MMUSIM" >&2
  exit 2
fi
base=$(realpath "$1")
new=$(realpath "$2")
root=$(cd "$(dirname "$0")/.." && pwd)
jobs=${JOBS:-2}
work=${WORK:-$(mktemp -d /tmp/exactness.XXXXXX)}
mkdir -p "$work/traces" "$work/out"
cleanup() { [ "${KEEP:-0}" = 1 ] || rm -rf "$work"; }
trap cleanup EXIT

# ---- traces (generated once, with the baseline binary) --------------------
declare -a traces=()
gen() { # NAME KIND ARGS...
  local name=$1 kind=$2
  shift 2
  local f="$work/traces/$name.mtr"
  [ -f "$f" ] || "$base" trace gen "$kind" -o "$f" "$@" >/dev/null
  traces+=("$f")
}
gen stride64k    stride  --footprint 64K --passes 150 --writes 0.2
gen stride8g     stride  --footprint 8G --stride 65600 --writes 0.1
gen uni16k       uniform --footprint 16K --accesses 300K --writes 0.3
gen uni128k      uniform --footprint 128K --accesses 300K --writes 0.3
gen uni64m       uniform --footprint 64M --accesses 300K --writes 0.3
gen uni8g        uniform --footprint 8G --accesses 300K --writes 0.3
gen zipf1g       zipf    --footprint 1G --accesses 300K --writes 0.2
if [ "${QUICK:-0}" != 1 ]; then
  gen uni1g_rmw  uniform --footprint 1G --accesses 150K --rmw pair
  gen zipf64k    zipf    --footprint 64K --accesses 200K --item 64
  gen chase256m  chase   --footprint 256M --accesses 200K
  gen chase1m    chase   --footprint 1M --passes 20
  gen graph      graph   --nodes 16K --avg_degree 8 --ifetch 1 --init 1
  gen mix        mix     --inner uniform --footprint 64M --accesses 60K --procs 4 --quantum 5000
  gen mixzipf    mix     --inner zipf --footprint 1G --accesses 50K --procs 3 --quantum 7000 --writes 0.3
fi
for s in "$root"/traces/samples/*; do
  case $s in *.md | *.sh | *.py) continue ;; esac
  traces+=("$s")
done

# ---- the matrix: one line per point: NAME<TAB>CONFIG<TAB>TRACE<TAB>SETS ----
points="$work/points.tsv"
: >"$points"
add() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$points"; }
sky="$root/configs/presets/skylake.yaml"
for cfg in "$root"/configs/presets/*.yaml; do
  p=$(basename "$cfg" .yaml)
  for t in "${traces[@]}"; do
    tn=$(basename "$t")
    for tim in true false; do add "$p.$tn.t$tim" "$cfg" "$t" "timing.enabled=$tim"; done
  done
done
for t in "${traces[@]}"; do
  tn=$(basename "$t")
  for ideal in perfect infinite_l2; do
    for tim in true false; do add "skylake.$tn.$ideal.t$tim" "$sky" "$t" "ideal.tlb=$ideal timing.enabled=$tim"; done
  done
done
variant_traces=("$work/traces/uni8g.mtr" "$work/traces/zipf1g.mtr" "$work/traces/uni16k.mtr")
[ "${QUICK:-0}" = 1 ] || variant_traces+=("$work/traces/mix.mtr" "$work/traces/graph.mtr" "$work/traces/uni1g_rmw.mtr")
variants=(
  "tlb.l1d.replacement=plru tlb.l2.replacement=random pwc.pde.replacement=srrip pwc.pdpte.replacement=fifo"
  "tlb.l1d.replacement=srrip tlb.l2.replacement=fifo pwc.pde.replacement=plru pwc.pml4e.replacement=random"
  "walker.merge=false walker.count=1"
  "walker.count=8 core.max_outstanding=4 core.rob_size=64"
  "ad_policy=fault"
  "mapper.page_size=2M"
  "mapper.page_size=1G"
  "asid.bits=0"
  "warmup.accesses=100000"
  "warmup.instructions=250000 ideal.tlb=infinite_l2"
  "cache.l2.size=1280K cache.l2.ways=10 cache.llc.size=30M cache.llc.ways=12"
  "cache.data_accesses=false"
  "cache.l1d.size=0 cache.l1d.ways=0 cache.l1d.latency=0"
  "cache.l1d.ways=80 cache.l1d.size=40K core.base_ipc=0.7"
  "tlb.l2.arrays.0.ways=1536 pwc.pde.entries=64 pwc.pde.ways=4"
  "format=x86_64-5level"
)
# add_matrix PREFIX VARIANTS_ARRAY TRACES_ARRAY: every variant x trace x timing on/off.
add_matrix() {
  local prefix=$1 i=0 v t
  local -n vs=$2 ts=$3
  for v in "${vs[@]}"; do
    i=$((i + 1))
    for t in "${ts[@]}"; do
      for tim in true false; do add "skylake.$prefix$i.$(basename "$t").t$tim" "$sky" "$t" "$v timing.enabled=$tim"; done
    done
  done
}
add_matrix v variants variant_traces

# The OS model (os.enabled): demand paging with THP never/always, and a small
# physical memory with swap so that reclaim, swap-out and major faults happen
# (plus fragmentation and khugepaged); generated traces and the samples (which
# carry /proc maps layouts).
os_traces=("$work/traces/zipf1g.mtr" "$work/traces/uni16k.mtr" "$work/traces/uni64m.mtr")
[ "${QUICK:-0}" = 1 ] || os_traces+=("$work/traces/mix.mtr" "$work/traces/uni1g_rmw.mtr")
for s in "$root"/traces/samples/*; do
  case $s in *.md | *.sh | *.py) continue ;; esac
  os_traces+=("$s")
done
os_variants=(
  "os.enabled=true os.thp.mode=never"
  "os.enabled=true os.thp.mode=always"
  "os.enabled=true os.thp.mode=never phys_mem.size=64M os.swap.size=2G"
  "os.enabled=true os.thp.mode=always phys_mem.size=256M os.swap.size=2G os.fragmentation=0.5 os.khugepaged.enabled=true os.khugepaged.interval=20000"
)
add_matrix os os_variants os_traces

# ---- run both binaries -------------------------------------------------------
run_point() { # BIN TAG NAME CONFIG TRACE SETS
  local bin=$1 tag=$2 name=$3 cfg=$4 trace=$5 sets=$6
  local args=(run -q -c "$cfg")
  for s in $sets; do args+=(--set "$s"); done
  local out="$work/out/$name.$tag.json"
  if "$bin" "${args[@]}" -o "$out" "$trace" >"$work/out/$name.$tag.log" 2>&1; then
    echo ok >"$work/out/$name.$tag.rc"
  else
    echo "fail $?" >"$work/out/$name.$tag.rc"
  fi
}
export -f run_point
export work
n_points=$(wc -l <"$points")
echo "exactness_check: $n_points points x 2 binaries, $jobs at a time, in $work" >&2
start=$SECONDS
while IFS=$'\t' read -r name cfg trace sets; do
  printf '%s\0%s\0%s\0%s\0%s\0%s\0' "$base" base "$name" "$cfg" "$trace" "$sets"
  printf '%s\0%s\0%s\0%s\0%s\0%s\0' "$new" new "$name" "$cfg" "$trace" "$sets"
done <"$points" | xargs -0 -n 6 -P "$jobs" bash -c 'run_point "$@"' _
echo "exactness_check: runs took $((SECONDS - start)) s" >&2

# ---- compare -------------------------------------------------------------------
python3 - "$work" "$points" "${STRICT_KEYS:-0}" <<'EOF'
import json, os, sys
work, points, strict = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
bad, extra, failed_both, n = [], set(), 0, 0

def walk(a, b, path, diffs):
    if isinstance(a, dict) and isinstance(b, dict):
        for k in a.keys() | b.keys():
            p = f"{path}.{k}"
            if k not in a or k not in b:
                extra.add(p.split(".", 1)[1] + (" (new only)" if k in b else " (base only)"))
                if strict: diffs.append(f"{p}: key only in {'new' if k in b else 'base'}")
                continue
            walk(a[k], b[k], p, diffs)
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)): walk(x, y, f"{path}[{i}]", diffs)
    elif type(a) is not type(b) or a != b:
        diffs.append(f"{path}: base {a!r} new {b!r}")

for line in open(points):
    name = line.split("\t", 1)[0]
    n += 1
    rc = {t: open(f"{work}/out/{name}.{t}.rc").read().strip() for t in ("base", "new")}
    if rc["base"] != "ok" or rc["new"] != "ok":
        if rc["base"] != rc["new"]:
            bad.append((name, [f"exit: base {rc['base']} new {rc['new']}: "
                               + open(f"{work}/out/{name}.new.log").read()[-300:]]))
        else:
            failed_both += 1
            logs = [open(f"{work}/out/{name}.{t}.log").read() for t in ("base", "new")]
            if logs[0] != logs[1]: bad.append((name, ["both failed, different messages"]))
        continue
    a, b = (json.load(open(f"{work}/out/{name}.{t}.json")) for t in ("base", "new"))
    diffs = []
    for obj in ("stats", "derived"):
        if obj not in a or obj not in b: diffs.append(f"missing {obj}")
        else: walk(a[obj], b[obj], obj, diffs)
    if diffs: bad.append((name, diffs))

for p in sorted(extra): print(f"note: key in one output only: {p}")
if failed_both: print(f"note: {failed_both} points failed with both binaries (same message)")
for name, diffs in bad:
    print(f"DIFF {name}:")
    for d in diffs[:8]: print(f"    {d}")
    if len(diffs) > 8: print(f"    ... {len(diffs) - 8} more")
print(f"exactness_check: {n} points, {n - len(bad)} identical, {len(bad)} different")
sys.exit(1 if bad else 0)
EOF
