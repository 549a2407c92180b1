# cli_timing.sh — timing outputs end to end: derived figures, the measured
# region after warm-up, ideal baselines, chase traces marked dependent.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3

spec=gen:uniform,footprint=256M,accesses=200000,seed=4
"$MMUSIM" run -q --set warmup.accesses=50000 -o "$TMP/w.json" "$spec" || fail "run with warm-up"
$PY - "$TMP/w.json" <<'PY' && pass || fail "measured region / derived figures"
import json, sys
d = json.load(open(sys.argv[1]))
s, m = d["stats"], d["measured"]["stats"]
assert s["sim"]["accesses"] == 200000 and m["sim"]["accesses"] == 150000, (s["sim"], m["sim"])
assert m["timing"]["cycles"] < s["timing"]["cycles"]
assert 0 < m["walker"]["walks"] < s["walker"]["walks"]   # warm-up walks excluded
dv = d["derived"]
for k in ("ipc", "translation_overhead", "walk_latency_avg", "walk_latency_p50", "walk_latency_p90",
          "walk_latency_p99", "walker_occupancy", "pte_served_fraction", "tlb_mpki", "walk_latency_histogram"):
    assert k in dv and k in d["measured"]["derived"], k
assert dv["walk_latency_p50"] <= dv["walk_latency_p90"] <= dv["walk_latency_p99"]
assert abs(sum(dv["pte_served_fraction"].values()) - 1.0) < 1e-9
assert sum(dv["walk_latency_histogram"]["counts"]) == s["timing"]["walks"]
t = s["timing"]
assert t["pte_reads"] == s["walker"]["pte_reads"] == sum(t["pte_served"].values())
PY

"$MMUSIM" run -q --set ideal.tlb=perfect -o "$TMP/p.json" "$spec" || fail "perfect TLB run"
"$MMUSIM" run -q -o "$TMP/r.json" "$spec" || fail "real run"
$PY - "$TMP/p.json" "$TMP/r.json" <<'PY' && pass || fail "perfect baseline"
import json, sys
p, r = (json.load(open(f)) for f in sys.argv[1:3])
assert p["stats"]["timing"]["translation_cycles"] == 0 and p["stats"]["walker"]["walks"] == 0
assert p["stats"]["timing"]["cycles"] < r["stats"]["timing"]["cycles"]
PY

# The chase generator marks its loads dependent: no two walks overlap, so the
# walkers are never queued even with one walker.
"$MMUSIM" run -q --set walker.count=1 -o "$TMP/c.json" gen:chase,footprint=64M,passes=1 || fail "chase run"
$PY -c "
import json; t=json.load(open('$TMP/c.json'))['stats']['timing']
assert t['walks_queued'] == 0 and t['dependency_stalls'] > 0, t
" && pass || fail "chase overlaps walks"

"$MMUSIM" run -q --set timing.enabled=false -o "$TMP/n.json" "$spec" || fail "timing off"
$PY -c "
import json; d=json.load(open('$TMP/n.json'))
assert 'timing' not in d['stats'] and 'ipc' not in d['derived']
" && pass || fail "timing.enabled=false still reports timing"

finish
