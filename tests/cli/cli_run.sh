# cli_run.sh — `mmusim run` end to end: summary, JSON result schema,
# byte-identical results for identical inputs, overrides taking effect.
. "$(dirname "$0")/lib.sh"

spec=gen:uniform,footprint=256M,accesses=200000,writes=0.25,seed=3
if "$MMUSIM" run -c configs/presets/skylake.yaml -o "$TMP/a.json" "$spec" >"$TMP/sum" 2>"$TMP/err"; then pass
else fail "run failed: $(cat "$TMP/err")"; fi
grep -q "walker" "$TMP/sum" && grep -q "l1d" "$TMP/sum" && pass || fail "summary lacks rows: $(cat "$TMP/sum")"

"$MMUSIM" run -q -c configs/presets/skylake.yaml -o "$TMP/b.json" "$spec" || fail "second run failed"
cmp -s "$TMP/a.json" "$TMP/b.json" && pass || fail "same inputs gave different result files"

# Schema: config, stats.tlb.<name>.{accesses,hits,misses}, per size, pwc, walker, faults.
/usr/bin/python3 - "$TMP/a.json" <<'PY' && pass || fail "result schema"
import json, sys
d = json.load(open(sys.argv[1]))
s = d["stats"]
assert d["config"]["format"] == "x86_64-4level", d["config"]
for t in ("l1i", "l1d", "l2"):
    for k in ("accesses", "hits", "misses"):
        assert k in s["tlb"][t], (t, k)
    assert s["tlb"][t]["hits"] + s["tlb"][t]["misses"] == s["tlb"][t]["accesses"]
    assert "4K" in s["tlb"][t]["by_size"]
assert s["tlb"]["l1d"]["accesses"] == 200000
assert s["tlb"]["l1i"]["accesses"] == 0
for p in s["pwc"].values():
    assert p["hits"] + p["misses"] == p["accesses"]
assert s["walker"]["walks"] > 0 and s["walker"]["pte_reads"] >= s["walker"]["walks"]
# every first touch is one not-present fault and one 4K page mapped; at most 256M/4K pages
assert s["faults"]["not_present"] == s["mapper"]["pages_mapped"]["4K"] <= 65536, s["faults"]
assert d["trace"]["source"].startswith("gen:uniform")
PY

# A different seed in the config changes nothing for LRU TLBs, but an
# override must show up in the embedded config.
"$MMUSIM" run -q --set tlb.l2.arrays.0.entries=768 -o "$TMP/c.json" "$spec" || fail "run with --set failed"
/usr/bin/python3 -c "
import json,sys; d=json.load(open('$TMP/c.json'))
assert d['config']['tlb']['l2']['arrays'][0]['entries'] == 768, d['config']['tlb']['l2']
" && pass || fail "--set not reflected in result config"

# 2M first-touch pages: a scan of 64 MiB maps 32 huge pages.
"$MMUSIM" run -q --set mapper.page_size=2M -o "$TMP/d.json" gen:stride,footprint=64M,stride=4096 || fail "2M run failed"
/usr/bin/python3 -c "
import json; s=json.load(open('$TMP/d.json'))['stats']
assert s['mapper']['pages_mapped']['2M'] == 32, s['mapper']
assert s['tlb']['l1d']['by_size']['2M']['misses'] == 32, s['tlb']['l1d']
" && pass || fail "2M mapper counts"

finish
