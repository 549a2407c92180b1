# cli_misscurve.sh — `mmusim misscurve`: the one-pass LRU miss curve equals,
# exactly, `mmusim run` with a single-level LRU TLB of that geometry holding
# only that page size (first-touch mapper of that size, no ideal baseline),
# for several sizes, fully and set-associative, 4K and 2M, data/instr/all
# sides, several processes (ASIDs) and split page-crossing accesses.
. "$(dirname "$0")/lib.sh"

# check NAME TRACE PAGE SIDE "CURVE ARGS" "ENTRIES/WAYS..." : one curve, then
# one run per geometry; stats.tlb.t.misses (and accesses) must match the row.
check() {
  local name=$1 trace=$2 page=$3 side=$4 cargs=$5 geoms=$6 tside
  case $side in all) tside=unified ;; *) tside=$side ;; esac
  # shellcheck disable=SC2086
  if ! "$MMUSIM" misscurve -q --page-size "$page" --side "$side" $cargs -o "$TMP/$name.json" "$trace" 2>"$TMP/err"; then
    fail "$name: misscurve failed: $(cat "$TMP/err")"; return
  fi
  local g e w
  for g in $geoms; do
    e=${g%/*}; w=${g#*/}
    if ! "$MMUSIM" run -q --set 'tlb={}' --set tlb.t.level=1 --set "tlb.t.side=$tside" \
         --set tlb.t.replacement=lru \
         --set "tlb.t.arrays=[{page_sizes: [$page], entries: $e, ways: $w}]" \
         --set ideal.tlb=none --set "mapper.page_size=$page" \
         -o "$TMP/$name-$e-$w.run.json" "$trace" 2>"$TMP/err"; then
      fail "$name $g: run failed: $(cat "$TMP/err")"; continue
    fi
    /usr/bin/python3 - "$TMP/$name.json" "$TMP/$name-$e-$w.run.json" "$e" "$w" <<'PY' && pass || fail "$name $g: curve != run"
import json, sys
c = json.load(open(sys.argv[1])); r = json.load(open(sys.argv[2]))
e, w = int(sys.argv[3]), int(sys.argv[4])
# e == w: the fully associative row and the one-set set-assoc row (if both exist) must agree
rows = [x for x in c["rows"] if x["entries"] == e and x["ways"] == w]
assert rows, ("no row", e, w, [(x["kind"], x["entries"], x["ways"]) for x in c["rows"]])
t = r["stats"]["tlb"]["t"]
for row in rows:
    assert row["sets"] * row["ways"] == row["entries"]
    assert row["accesses"] == t["accesses"], (row, t)
    assert row["misses"] == t["misses"], (row, t)
    assert abs(row["mpki"] - r["derived"]["tlb_mpki"]["t"]) < 1e-9 * max(1.0, row["mpki"]), (row, r["derived"])
PY
  done
}

# 4K, one process, fully and set-associative (4 and 8 ways) from one pass.
check zipf gen:zipf,footprint=4M,accesses=100000,seed=2 4K data "--sizes 1,7,16,64 -w 4 -w 8" \
  "1/1 7/7 16/16 64/64 16/4 64/4 8/8 64/8"
# Several processes: keys are (ASID, VPN); the same VPNs in three address spaces.
check mix "gen:mix,procs=3,inner=zipf,footprint=1M,accesses=20000,quantum=700,seed=4" 4K data \
  "--max 48 -w 4" "5/5 32/32 48/48 32/4 16/4"
# A real (lackey-captured) trace: loads/stores/modifies, accesses crossing 4K pages.
check sort traces/samples/sort.mtr 4K data "--sizes 32,64 -w 4" "32/32 64/64 64/4"
check sorti traces/samples/sort.mtr 4K instr "--sizes 16" "16/16"
check sorta traces/samples/sort.mtr 4K all "--sizes 48,64 -w 8" "48/48 64/8"
# 2M pages with a 2M first-touch mapper.
check huge gen:uniform,footprint=256M,accesses=50000,seed=9 2M data "--sizes 8,64,100 -w 4" \
  "8/8 64/64 100/100 32/4"

# The curve is monotone (LRU inclusion) and every fully-associative size
# 1..--max is present; CSV and JSON carry the same rows.
"$MMUSIM" misscurve --max 64 -w 2 -o "$TMP/c.csv" gen:zipf,footprint=4M,accesses=50000,seed=3 2>"$TMP/err" \
  || fail "csv: $(cat "$TMP/err")"
"$MMUSIM" misscurve --max 64 -w 2 -o "$TMP/c.json" gen:zipf,footprint=4M,accesses=50000,seed=3 2>"$TMP/err" \
  || fail "json: $(cat "$TMP/err")"
/usr/bin/python3 - "$TMP/c.csv" "$TMP/c.json" <<'PY' && pass || fail "curve shape / csv vs json"
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1])))
j = json.load(open(sys.argv[2]))
assert list(rows[0].keys()) == ["kind", "entries", "sets", "ways", "accesses", "misses", "miss_rate", "mpki"]
full = [int(r["misses"]) for r in rows if r["kind"] == "fully"]
assert [int(r["entries"]) for r in rows if r["kind"] == "fully"] == list(range(1, 65))
assert all(a >= b for a, b in zip(full, full[1:])), full
sa = [(int(r["sets"]), int(r["ways"])) for r in rows if r["kind"] == "set-assoc"]
assert sa == [(1, 2), (2, 2), (4, 2), (8, 2), (16, 2), (32, 2)], sa
assert len(j["rows"]) == len(rows)
for a, b in zip(rows, j["rows"]):
    assert a["kind"] == b["kind"] and int(a["misses"]) == b["misses"] and int(a["entries"]) == b["entries"]
assert j["trace"]["accesses"] == 50000 and j["side"] == "data" and j["page_size"] == "4K"
assert j["trace"]["distinct_pages"] <= 1024
# first touches are misses: even a huge TLB misses once per distinct page
assert full[-1] >= j["trace"]["distinct_pages"]
PY

expect_error mc-no-trace 2 "no trace" -- misscurve
expect_error mc-bad-page 2 "--page-size" -- misscurve --page-size 3K gen:stride
expect_error mc-bad-side 2 "--side" -- misscurve --side both gen:stride
expect_error mc-bad-sizes 2 "--sizes" -- misscurve --sizes 4,x gen:stride
expect_error mc-bad-trace 1 "gen:" -- misscurve gen:nosuchkind

finish
