#!/usr/bin/env bash
# rtl/lint/smoke/smoke.sh — the RTL engineer's quick differential smoke test (debugging aid, not a
# ctest: the real check is rtl/cosim). Verilates mmu_ptw for one parameter set into a plain C++
# testbench that builds random page tables (valid and corrupt entries) in C physical memory and
# compares every walk with the C walker (mmu/walker.h): fault, fault level, PA, level, perm,
# page-walk-cache hit level, the ordered PTE reads, the A/D writes (address and data), and the
# cycle count 1 + sum(stall + L + 1), under random memory latency/backpressure and flushes.
#
# usage: smoke.sh MODEL_BUILD_DIR FORMAT ADFAULT PWC1 PWC2 PWC3 PWC4 [WALKS] [MUTATION]
#   MODEL_BUILD_DIR: a CMake build of the repository (the mmu_* static libraries in model/src/*)
#   exit 0 = no mismatch (for MUTATION 1/2 a non-zero exit is the expected outcome)
set -euo pipefail
[[ $# -ge 7 ]] || { sed -n 2,12p "$0"; exit 2; }
B=$(cd "$1" && pwd)/model/src; F=$2; A=$3; P1=$4; P2=$5; P3=$6; P4=$7; N=${8:-20000}; M=${9:-0}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
R=$(cd "$here/../.." && pwd)
D=${SMOKE_OBJ:-/tmp/mmu_ptw_smoke}/f${F}_a${A}_${P1}_${P2}_${P3}_${P4}_m$M
mkdir -p "$D"
libs=""
for c in walker config pwc tlb pt mem util; do libs="$libs $B/$c/libmmu_$c.a"; done
verilator --cc --exe --build --assert -O2 -Wno-fatal -j 8 --Mdir "$D" --top-module mmu_ptw \
  "$R/lint/waivers.vlt" "$R/pkg/mmu_ptw_pkg.sv" "$R"/src/*.sv "$here/smoke_tb.cpp" \
  -GFormat="$F" -GAdFault="$A" -GPwcEntriesL1="$P1" -GPwcEntriesL2="$P2" -GPwcEntriesL3="$P3" \
  -GPwcEntriesL4="$P4" -GPhysMemBytes=64\'h40000000 -GMutation="$M" \
  -CFLAGS "-I$R/../model/include -DFMT=$F -DADF=$A -DPWC1=$P1 -DPWC2=$P2 -DPWC3=$P3 -DPWC4=$P4" \
  -LDFLAGS "$libs -lfyaml -ljansson" >"$D/build.log" 2>&1 || { tail -30 "$D/build.log"; exit 1; }
"$D/Vmmu_ptw" "$N"
