# cli_trace.sh — `mmusim trace` end to end: gen -> native -> info/cat/run;
# a generator spec and its native file simulate identically; lackey and
# ChampSim inputs convert and run; bad inputs fail with one clear error.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3

spec="gen:uniform,footprint=64M,accesses=100000,writes=0.25,seed=9"
"$MMUSIM" trace gen uniform --footprint 64M --accesses 100000 --writes 0.25 --seed 9 -o "$TMP/u.mtr" 2>"$TMP/err" \
  && pass || fail "trace gen: $(cat "$TMP/err")"
"$MMUSIM" trace info "$TMP/u.mtr" >"$TMP/info" 2>&1 && grep -q "records       100000" "$TMP/info" && pass \
  || fail "trace info: $(cat "$TMP/info")"
grep -q "format        native" "$TMP/info" && pass || fail "info lacks format: $(cat "$TMP/info")"

# Records 10..14 via seek equal records 10..14 of a full dump.
"$MMUSIM" trace cat "$TMP/u.mtr" --start 10 --count 5 >"$TMP/part" 2>&1 || fail "trace cat --start"
"$MMUSIM" trace cat "$TMP/u.mtr" | sed -n 11,15p >"$TMP/full" || fail "trace cat"
[ "$(wc -l <"$TMP/part")" -eq 5 ] && cmp -s "$TMP/part" "$TMP/full" && pass || fail "cat --start/--count differs from full dump"
# The spec and the file give the same records.
"$MMUSIM" trace cat "$spec" >"$TMP/spec.txt" && "$MMUSIM" trace cat "$TMP/u.mtr" >"$TMP/file.txt" \
  && cmp -s "$TMP/spec.txt" "$TMP/file.txt" && pass || fail "generator spec and its native file differ"

# Simulating the spec and the file gives identical statistics and config.
"$MMUSIM" run -q -o "$TMP/r1.json" "$spec" && "$MMUSIM" run -q -o "$TMP/r2.json" "$TMP/u.mtr" || fail "run"
$PY - "$TMP/r1.json" "$TMP/r2.json" <<'PY' && pass || fail "spec vs native file: different stats"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
assert a["stats"] == b["stats"] and a["config"] == b["config"]
assert a["trace"]["records"] == b["trace"]["records"] == 100000
assert b["trace"]["format"] == "native" and a["trace"]["format"] == "gen"
PY

# --limit and --skip
"$MMUSIM" run -q --skip 1000 --limit 5000 -o "$TMP/r3.json" "$TMP/u.mtr" || fail "run --skip --limit"
$PY -c "
import json; d=json.load(open('$TMP/r3.json'))
assert d['trace']['records'] == 5000 and d['stats']['sim']['accesses'] == 5000, d['trace']
" && pass || fail "--skip/--limit counts"

# Lackey text: 3 instructions, a load, a store, a modify crossing a page boundary.
printf '==123== Lackey, an example Valgrind tool\nI  00400000,4\n L 7ff000100,8\nI  00400004,4\n S 7ff000200,8\nI  00400008,4\n M 7ff000ffc,8\n' >"$TMP/t.lackey"
"$MMUSIM" trace info "$TMP/t.lackey" >"$TMP/li" 2>&1 && grep -q "format        lackey" "$TMP/li" && grep -q "instructions  3" "$TMP/li" \
  && pass || fail "lackey info: $(cat "$TMP/li")"
"$MMUSIM" run -q -o "$TMP/l.json" "$TMP/t.lackey" || fail "run lackey"
$PY -c "
import json; d=json.load(open('$TMP/l.json'))
assert d['trace']['split_accesses'] == 1, d['trace']        # the modify at ...ffc,8 crosses into the next page
assert d['stats']['sim']['ifetches'] == 3 and d['stats']['sim']['loads'] == 1 and d['stats']['sim']['stores'] == 3
" && pass || fail "lackey run counts"
gzip -c "$TMP/t.lackey" >"$TMP/t.gz" && "$MMUSIM" trace convert "$TMP/t.gz" -o "$TMP/t.mtr" 2>/dev/null \
  && "$MMUSIM" trace cat "$TMP/t.mtr" >"$TMP/c1" && "$MMUSIM" trace cat "$TMP/t.lackey" >"$TMP/c2" && cmp -s "$TMP/c1" "$TMP/c2" \
  && pass || fail "gzip lackey -> native differs"

# Bad inputs.
printf 'I  00400000,4\n L 7ff000100,8\nI  00400004,4\n L 7ff000100,8\nI  0040zz00,4\n' >"$TMP/bad.lackey"
expect_error bad-lackey 1 "bad.lackey:5" -- run "$TMP/bad.lackey"
printf 'hello world\n' >"$TMP/unknown.txt"
expect_error undetectable 1 "unknown.txt" "--format" -- run "$TMP/unknown.txt"
head -c 1000 "$TMP/u.mtr" >"$TMP/trunc.mtr"
expect_error truncated-native 1 "trunc.mtr" -- trace info "$TMP/trunc.mtr"
head -c 100 /dev/zero >"$TMP/zeros.bin"
expect_error champsim-partial 1 "zeros.bin" -- run --format champsim "$TMP/zeros.bin"
expect_error missing-input 1 "nonexistent" -- trace info "$TMP/nonexistent.mtr"
expect_error gen-unknown 1 "nosuch" -- trace gen nosuch -o "$TMP/x.mtr"
expect_error run-bad-format 2 "bogus" -- run --format bogus "$TMP/u.mtr"

finish
