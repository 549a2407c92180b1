# cli_os.sh — the OS model end to end: the report in the summary and the JSON
# result, THP cutting walks, reclaim with swap, and the errors a user meets
# (segmentation fault under os.on_segv=stop, out of memory without swap, a bad
# hugetlb page size).
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3

spec=gen:uniform,footprint=64M,accesses=200000,seed=3
"$MMUSIM" run --set os.enabled=true --set os.thp.mode=never -o "$TMP/n.json" "$spec" \
  >"$TMP/n.out" 2>&1 || fail "os run (THP never)"
grep -q "^os       minor faults" "$TMP/n.out" && grep -q "^pid " "$TMP/n.out" && pass || fail "summary lacks the OS report: $(cat "$TMP/n.out")"
"$MMUSIM" run -q --set os.enabled=true --set os.thp.mode=always -o "$TMP/a.json" "$spec" || fail "os run (THP always)"
$PY - "$TMP/n.json" "$TMP/a.json" <<'PY' && pass || fail "THP never vs always"
import json, sys
n, a = (json.load(open(f)) for f in sys.argv[1:3])
# 64 MiB region at a 1 GiB-aligned base: 16384 4K pages or 32 2M pages, each one minor fault.
sn, sa = n["stats"], a["stats"]
assert sn["os"]["minor_faults"] == sn["process"]["0"]["min_flt"] == sn["faults"]["not_present"], sn["os"]
assert sa["os"]["thp_fault_alloc"] == 32 and sa["os"]["minor_faults"] == 32, sa["os"]
assert sa["process"]["0"]["rss_2M_bytes"] == 64 << 20 and sn["process"]["0"]["rss_2M_bytes"] == 0
assert sn["process"]["0"]["rss_bytes"] == 4096 * sn["os"]["minor_faults"]
assert sa["walker"]["walks"] < sn["walker"]["walks"] / 10
assert a["derived"]["process"]["0"]["thp_coverage"] == 1.0
assert sn["timing"]["os_cycles"] == sn["os"]["minor_faults"] * n["config"]["os"]["cost"]["minor_fault"]
PY

# Footprint 32 MiB in 16 MiB of RAM: with swap it pages; without, it stops.
big=gen:uniform,footprint=32M,accesses=300000,seed=5
"$MMUSIM" run -q --set os.enabled=true --set os.thp.mode=never --set phys_mem.size=16M \
  --set os.swap.size=64M -o "$TMP/s.json" "$big" || fail "run with swap"
$PY - "$TMP/s.json" <<'PY' && pass || fail "swap activity"
import json, sys
d = json.load(open(sys.argv[1])); o = d["stats"]["os"]
assert o["swap_outs"] > 0 and o["major_faults"] == o["swap_ins"] > 0 and o["shootdowns"] > 0, o
assert d["derived"]["os_time_fraction"] > 0.5 and d["derived"]["thrashing"] == 1, d["derived"]
PY
expect_error "oom without swap" 1 "out of memory" "raise phys_mem.size or os.swap.size" -- \
  run -q --set os.enabled=true --set os.thp.mode=never --set phys_mem.size=16M "$big"

# The committed samples predate the maps union: their maps are the last snapshot, where
# ld.so's RELRO page is already read-only.
expect_error "segv stop" 1 "segmentation fault" "pid 24712" "does not allow it" -- \
  run -q --set os.enabled=true --set os.on_segv=stop traces/samples/ls.mtr
"$MMUSIM" run --set os.enabled=true traces/samples/ls.mtr >"$TMP/l.out" 2>&1 || fail "segv continue"
grep -q "^warning: [0-9]* segmentation faults" "$TMP/l.out" && pass || fail "no segfault warning: $(cat "$TMP/l.out")"
"$MMUSIM" run -q --set os.enabled=true --set os.layout=flat -o "$TMP/f.json" traces/samples/ls.mtr || fail "flat layout"
$PY -c "import json; assert json.load(open('$TMP/f.json'))['stats']['os']['segfaults'] == 0" && pass || fail "flat layout segfaults"

expect_error "hugetlb page size" 1 "os.hugetlb.page_size" "2M or 1G" -- \
  run -q --set os.enabled=true --set os.hugetlb.page_size=4K "$spec"
expect_error "hugetlb pool too big" 1 "os.hugetlb.pages_1g" -- \
  run -q --set os.enabled=true --set os.hugetlb.pages_1g=100 --set phys_mem.size=4G "$spec"
finish
