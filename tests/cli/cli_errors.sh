# cli_errors.sh — bad input gives exactly one clear error and a non-zero exit.
. "$(dirname "$0")/lib.sh"

printf 'format: sv39\ntlb:\n  l1d: {level: 1, side: data\n' >"$TMP/malformed.yaml"
expect_error malformed-yaml 1 "malformed.yaml:" -- run -c "$TMP/malformed.yaml" gen:stride
printf 'format: sv39\nbogus_key: 3\n' >"$TMP/unknown.yaml"
expect_error unknown-key 1 "unknown.yaml:2" "bogus_key" -- run -c "$TMP/unknown.yaml" gen:stride
printf 'tlb:\n  l1d:\n    arrays:\n      - {page_sizes: [4K], entries: 64, wayz: 4}\n' >"$TMP/nested.yaml"
expect_error unknown-nested-key 1 "nested.yaml:4" "wayz" -- run -c "$TMP/nested.yaml" gen:stride
printf 'tlb:\n  l1d:\n    side: data\n    arrays:\n      - {page_sizes: [4K], entries: 64, ways: 5}\n' >"$TMP/ways.yaml"
expect_error ways-not-dividing 1 "ways.yaml:" "ways" "64" -- run -c "$TMP/ways.yaml" gen:stride
printf 'tlb:\n  l1d:\n    side: data\n    arrays:\n      - {page_sizes: [4K], entries: 0, ways: 4}\n' >"$TMP/zero.yaml"
expect_error zero-entries 1 "zero.yaml:" "entries" -- run -c "$TMP/zero.yaml" gen:stride
printf 'format: sv39\ntlb:\n  l1d:\n    side: data\n    arrays:\n      - {page_sizes: [512G], entries: 4, ways: 4}\n' >"$TMP/size.yaml"
expect_error page-size-not-allowed 1 "size.yaml:" "512G" "sv39" -- run -c "$TMP/size.yaml" gen:stride
printf 'walker: {count: four}\n' >"$TMP/type.yaml"
expect_error wrong-type 1 "type.yaml:1" "walker.count" -- run -c "$TMP/type.yaml" gen:stride
expect_error missing-file 1 "nonexistent.yaml" -- run -c "$TMP/nonexistent.yaml" gen:stride
expect_error set-unknown 1 "--set" "tlb.l1d.nope" -- run --set tlb.l1d.nope=3 gen:stride
expect_error set-no-equals 1 "--set" -- run --set walker.count gen:stride
expect_error set-range 1 "walker.count" -- run --set walker.count=100000 gen:stride
expect_error set-mapper-size 1 "mapper.page_size" -- run --set format=sv39 --set mapper.page_size=512G gen:stride
expect_error bad-trace 1 "gen:" -- run gen:nosuchkind
expect_error bad-trace-key 1 "footprnt" -- run gen:uniform,footprnt=1G
expect_error no-trace 2 "no trace" -- run
expect_error unknown-command 2 "frobnicate" -- frobnicate
expect_error unknown-option 2 "--bogus" -- run --bogus gen:stride

# config keys lists every key with help; config show prints effective YAML.
"$MMUSIM" config keys >"$TMP/keys" 2>&1 || fail "config keys failed"
for k in format phys_mem.size ad_policy seed asid.bits mapper.page_size walker.count \
         "tlb.<name>.arrays.<i>.entries" "pwc.<name>.levels"; do
  grep -qF -- "$k" "$TMP/keys" || fail "config keys lacks $k"
done
pass
"$MMUSIM" config show -c configs/presets/cva6.yaml >"$TMP/show" 2>&1 && grep -q "sv39" "$TMP/show" && pass \
  || fail "config show: $(cat "$TMP/show")"

finish
