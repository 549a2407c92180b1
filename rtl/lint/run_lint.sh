#!/usr/bin/env bash
# rtl/lint/run_lint.sh — `verilator --lint-only -Wall` over the walker for every
# supported Format x AdFault, with and without page-walk caches, and for the
# mutation models; assertions included (--assert). Waivers: rtl/lint/waivers.vlt
# only. Exits non-zero if any run prints a warning or an error.
#
# Usage: rtl/lint/run_lint.sh            (VERILATOR=/path/to/verilator to override)
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
rtl=$(cd "$here/.." && pwd)
verilator=${VERILATOR:-verilator}
if ! command -v "$verilator" >/dev/null 2>&1; then
  echo "run_lint.sh: $verilator not found" >&2
  exit 2
fi

sources=("$here/waivers.vlt" "$rtl/pkg/mmu_ptw_pkg.sv" "$rtl"/src/*.sv)
formats=(0 1 2 3 4 5)  # mmu_pt_format_id: every format of the C model
# Page-walk-cache sets (entries for levels 1..4): none; single-entry caches
# everywhere; mixed sizes incl. non-powers-of-two; a level-4 cache, which
# short formats ignore (no table entry lives there).
pwc_sets=("0 0 0 0" "1 1 1 1" "8 4 3 2" "16 5 0 16")

fail=0
runs=0
lint() {  # lint <description> <-G args...>
  local what=$1; shift
  local out rc
  out=$("$verilator" --lint-only -Wall --assert -I"$rtl/pkg" --top-module mmu_ptw \
        "${sources[@]}" "$@" 2>&1)
  rc=$?
  runs=$((runs + 1))
  if [[ $rc -ne 0 || "$out" == *%Warning* || "$out" == *%Error* ]]; then
    echo "FAIL  $what"
    echo "$out" | sed 's/^/      /'
    fail=1
  else
    echo "ok    $what"
  fi
}

for f in "${formats[@]}"; do
  for ad in 0 1; do
    for p in "${pwc_sets[@]}"; do
      read -r p1 p2 p3 p4 <<<"$p"
      lint "Format=$f AdFault=$ad PwcEntries={$p1,$p2,$p3,$p4}" \
        -GFormat="$f" -GAdFault="$ad" -GPwcEntriesL1="$p1" -GPwcEntriesL2="$p2" \
        -GPwcEntriesL3="$p3" -GPwcEntriesL4="$p4"
    done
  done
done
# Mutation models (INTERFACE.md: only for the mutation test).
for m in 1 2; do
  lint "Format=0 AdFault=0 Mutation=$m PwcEntries={8,4,2,2}" \
    -GFormat=0 -GAdFault=0 -GMutation="$m" -GPwcEntriesL1=8 -GPwcEntriesL2=4 -GPwcEntriesL3=2
done
# PhysMemBytes given as a sized literal (the documented -G form) and as a small number.
lint "Format=2 PhysMemBytes=64'h400000000" -GFormat=2 -GPhysMemBytes="64'h400000000"
lint "Format=3 PhysMemBytes=4096" -GFormat=3 -GPhysMemBytes=4096
if [[ $fail -ne 0 ]]; then
  echo "run_lint.sh: lint FAILED" >&2
  exit 1
fi
echo "run_lint.sh: $runs lint runs clean"
