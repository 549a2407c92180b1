# cli_sweep.sh — `mmusim sweep`: N points give N results and N table rows that
# match individual `mmusim run` results exactly; a sweep killed midway resumes
# to the same table; the one-pass engine (points sharing a trace) is
# byte-identical to per-point runs; the GNU Parallel path (--emit parallel + merge) for real;
# --emit slurm; bad specs are one clear error.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3

# 2 x 2 grid x 2 traces x 1 seed = 8 points.
cat >"$TMP/spec.yaml" <<'YAML'
base: configs/presets/skylake.yaml
grid:
  tlb.l2.arrays.0.entries: [768, 1536]
  mapper.page_size: [4K, 2M]
traces: ["gen:uniform,footprint=256M,accesses=50000,writes=0.3", "gen:zipf,footprint=256M,accesses=50000,seed={seed}"]
seeds: [5]
YAML
if "$MMUSIM" sweep "$TMP/spec.yaml" -o "$TMP/a" -j 2 >"$TMP/out" 2>"$TMP/err"; then pass
else fail "sweep failed: $(cat "$TMP/err")"; fi
n=$(ls "$TMP/a/points" | grep -c '^p[0-9]*\.json$')
[ "$n" -eq 8 ] && pass || fail "expected 8 results, got $n"
[ "$(wc -l <"$TMP/a/table.csv")" -eq 9 ] && pass || fail "table.csv: expected header + 8 rows"
cmp -s "$TMP/spec.yaml" "$TMP/a/sweep.yaml" && pass || fail "sweep.yaml is not a copy of the spec"

# Two points against individual runs: p0003 = (768, 2M, zipf), p0004 = (1536, 4K, uniform).
"$MMUSIM" run -q -c configs/presets/skylake.yaml --set tlb.l2.arrays.0.entries=768 --set mapper.page_size=2M \
  --set seed=5 -o "$TMP/r3.json" "gen:zipf,footprint=256M,accesses=50000,seed=5" || fail "run p0003"
"$MMUSIM" run -q -c configs/presets/skylake.yaml --set tlb.l2.arrays.0.entries=1536 --set mapper.page_size=4K \
  --set seed=5 -o "$TMP/r4.json" "gen:uniform,footprint=256M,accesses=50000,writes=0.3" || fail "run p0004"
$PY - "$TMP" <<'PYEOF' && pass || fail "table rows differ from individual runs"
import csv, json, sys
t = sys.argv[1]
rows = {r["point"]: r for r in csv.DictReader(open(t + "/a/table.csv"))}
jrows = {r["point"]: r for r in json.load(open(t + "/a/table.json"))}
assert list(rows) == ["p%04d" % i for i in range(8)], list(rows)
def flat(prefix, v, out):
    if isinstance(v, dict):
        for k, c in v.items(): flat(prefix + "." + k, c, out)
    elif not isinstance(v, list): out[prefix] = v
for pid, run in (("p0003", "r3.json"), ("p0004", "r4.json")):
    d = json.load(open(t + "/" + run))
    # the result file is the run's result plus the "sweep" object
    pt = json.load(open(t + "/a/points/%s.json" % pid))
    sw = pt.pop("sweep")
    assert sw["point"] == pid and sw["seed"] == 5, sw
    assert pt["stats"] == d["stats"] and pt["derived"] == d["derived"] and pt["config"] == d["config"], pid
    want = {}
    flat("stats", d["stats"], want); flat("derived", d["derived"], want)
    for k, v in want.items():
        assert jrows[pid][k] == v, (pid, k, jrows[pid][k], v)
        s = rows[pid][k]
        assert (s == repr(v) if isinstance(v, float) else s == str(v)) or float(s) == v, (pid, k, s, v)
        if isinstance(v, int): assert s == str(v), (pid, k, s, v)
assert rows["p0003"]["tlb.l2.arrays.0.entries"] == "768" and rows["p0003"]["mapper.page_size"] == "2M"
assert jrows["p0004"]["tlb.l2.arrays.0.entries"] == 1536 and rows["p0004"]["seed"] == "5"
assert rows["p0001"]["trace"] == "gen:zipf,footprint=256M,accesses=50000,seed=5"
PYEOF

# Re-running a finished sweep runs nothing and gives the same table.
cp "$TMP/a/table.csv" "$TMP/a.csv"
"$MMUSIM" sweep "$TMP/spec.yaml" -o "$TMP/a" -q && cmp -s "$TMP/a.csv" "$TMP/a/table.csv" && pass \
  || fail "re-running a finished sweep changed the table"

# Resume: kill -9 a -j1 sweep after 2-3 results, run again -> same table as uninterrupted.
cat >"$TMP/slow.yaml" <<'YAML'
grid:
  tlb.l2.arrays.0.entries: [768, 1536]
  mapper.page_size: [4K, 2M]
traces: ["gen:uniform,footprint=1G,accesses=2M", "gen:zipf,footprint=1G,accesses=2M"]
YAML
"$MMUSIM" sweep "$TMP/slow.yaml" -o "$TMP/full" -j 2 -q || fail "uninterrupted slow sweep"
setsid "$MMUSIM" sweep "$TMP/slow.yaml" -o "$TMP/killed" -j 1 -q >/dev/null 2>&1 &
pid=$!
for _ in $(seq 600); do
  c=$(ls "$TMP/killed/points" 2>/dev/null | grep -c '\.json$')
  [ "$c" -ge 2 ] && break
  sleep 0.02
done
kill -9 -- -"$pid" 2>/dev/null; wait "$pid" 2>/dev/null
c=$(ls "$TMP/killed/points" | grep -c '\.json$')
if [ "$c" -ge 2 ] && [ "$c" -lt 8 ]; then pass; else fail "kill midway: $c results at kill time"; fi
[ ! -e "$TMP/killed/table.csv" ] && pass || fail "a killed sweep left a table"
"$MMUSIM" sweep "$TMP/slow.yaml" -o "$TMP/killed" -j 1 >"$TMP/out" 2>"$TMP/err" || fail "resume failed: $(cat "$TMP/err")"
grep -q "resuming: $c of 8" "$TMP/out" && pass || fail "resume message: $(cat "$TMP/out")"
cmp -s "$TMP/full/table.csv" "$TMP/killed/table.csv" && pass || fail "resumed table.csv differs"
cmp -s "$TMP/full/table.json" "$TMP/killed/table.json" && pass || fail "resumed table.json differs"
[ -z "$(find "$TMP/killed" -name '*.tmp*')" ] && pass || fail "temp files left: $(find "$TMP/killed" -name '*.tmp*')"

# A changed spec on an existing directory is an error naming a fresh directory.
sed 's/1536/3072/' "$TMP/slow.yaml" >"$TMP/slow2.yaml"
expect_error changed-spec 1 "different sweep" "fresh output directory" -- sweep "$TMP/slow2.yaml" -o "$TMP/killed"

# GNU Parallel for real: --emit parallel, run the job list, merge.
if command -v parallel >/dev/null; then
  "$MMUSIM" sweep "$TMP/spec.yaml" -o "$TMP/par" --emit parallel >"$TMP/out" || fail "--emit parallel"
  [ "$(wc -l <"$TMP/par/jobs.txt")" -eq 8 ] && grep -q -- "--point p0007" "$TMP/par/jobs.txt" && pass \
    || fail "jobs.txt: $(cat "$TMP/par/jobs.txt")"
  grep -q "parallel --jobs" "$TMP/out" && pass || fail "--emit parallel does not say how to run it"
  expect_error merge-missing 1 "8 of 8 points have no result" -- sweep merge "$TMP/par"
  (cd / && parallel --will-cite --jobs 2 <"$TMP/par/jobs.txt" >/dev/null) || fail "parallel run failed"
  "$MMUSIM" sweep merge "$TMP/par" -q || fail "merge failed"
  cmp -s "$TMP/a/table.csv" "$TMP/par/table.csv" && cmp -s "$TMP/a/table.json" "$TMP/par/table.json" && pass \
    || fail "parallel + merge table differs from the direct sweep"
  rm "$TMP/par/points/p0005.json"
  expect_error merge-partial 1 "1 of 8 points" -- sweep merge "$TMP/par"
  "$MMUSIM" sweep merge "$TMP/par" --partial -q 2>/dev/null && [ "$(wc -l <"$TMP/par/table.csv")" -eq 8 ] && pass \
    || fail "merge --partial"
else
  fail "GNU parallel not installed (scripts/setup.sh installs it)"
fi

# One pass vs per point: points sharing a trace run in one pass over it (the
# default); --per-point runs one process per point (the --point/--emit path).
# Both must give byte-identical point files and tables, equal to `mmusim run`.
"$MMUSIM" sweep "$TMP/spec.yaml" -o "$TMP/pp" -j 2 -q --per-point || fail "--per-point sweep"
same=1
for f in "$TMP"/a/points/p*.json; do cmp -s "$f" "$TMP/pp/points/${f##*/}" || same=0; done
[ "$same" = 1 ] && cmp -s "$TMP/a/table.csv" "$TMP/pp/table.csv" && cmp -s "$TMP/a/table.json" "$TMP/pp/table.json" \
  && pass || fail "one-pass and --per-point results differ"
# A multi-process trace (context-switch markers, pid -> ASID maps kept per point),
# 6 configs on one trace, plus a second trace; -j 1, 2 and 3 threads.
cat >"$TMP/mix.yaml" <<'YAML'
grid:
  tlb.l2.arrays.0.entries: [384, 1536, 3072]
  asid.bits: [0, 12]
traces: ["gen:mix,procs=3,quantum=5000,inner=zipf,footprint=64M,accesses=20000,writes=0.2", "gen:chase,footprint=16M,accesses=30000"]
YAML
"$MMUSIM" sweep "$TMP/mix.yaml" -o "$TMP/mixpp" -q --per-point || fail "mix --per-point"
for j in 1 2 3; do
  "$MMUSIM" sweep "$TMP/mix.yaml" -o "$TMP/mix$j" -q -j $j || fail "mix one pass -j $j"
  same=1
  for f in "$TMP"/mixpp/points/p*.json; do cmp -s "$f" "$TMP/mix$j/points/${f##*/}" || same=0; done
  [ "$same" = 1 ] && cmp -s "$TMP/mixpp/table.csv" "$TMP/mix$j/table.csv" && pass \
    || fail "mix sweep -j $j (one pass) differs from --per-point"
done
# Every one-pass point equals its own `mmusim run` (whole result but the sweep object).
c=0  # config index (asid.bits varies fastest); point = config * 2 traces + trace
for e in 384 1536 3072; do for b in 0 12; do for t in 0 1; do
  id=$(printf p%04d $((c * 2 + t)))
  tr=$($PY -c "import json,sys; print(json.load(open(sys.argv[1]))['sweep']['trace'])" "$TMP/mix1/points/$id.json")
  "$MMUSIM" run -q --set tlb.l2.arrays.0.entries=$e --set asid.bits=$b -o "$TMP/run_$id.json" "$tr" || fail "run $id"
  $PY - "$TMP/run_$id.json" "$TMP/mix1/points/$id.json" <<'PYEOF' || fail "point $id differs from mmusim run"
import json, sys
a = json.load(open(sys.argv[1])); b = json.load(open(sys.argv[2])); b.pop("sweep")
assert a == b
PYEOF
done; c=$((c + 1)); done; done
pass
# A point failing inside a pass (asid.bits = 1 tags 2 of the 3 processes) fails
# alone: its error names it, the pass's other points are written, exit 1.
printf 'grid: {asid.bits: [12, 1, 0]}\ntraces: ["gen:mix,procs=3,quantum=100,accesses=3000"]\n' >"$TMP/f.yaml"
"$MMUSIM" sweep "$TMP/f.yaml" -o "$TMP/f" -q -j 2 >"$TMP/out" 2>"$TMP/err"
rc=$?
[ "$rc" -eq 1 ] && grep -q "point p0001" "$TMP/err" && grep -q "asid.bits" "$TMP/err" \
  && [ -f "$TMP/f/points/p0000.json" ] && [ -f "$TMP/f/points/p0002.json" ] && [ ! -e "$TMP/f/points/p0001.json" ] \
  && [ ! -e "$TMP/f/table.csv" ] && pass || fail "failing point in a pass: rc $rc, $(cat "$TMP/err"); $(ls "$TMP/f/points")"

# Slurm job array.
"$MMUSIM" sweep "$TMP/spec.yaml" -o "$TMP/sl" --emit slurm -q || fail "--emit slurm"
grep -qx "#SBATCH --array=0-7" "$TMP/sl/sweep.sbatch" && grep -q 'SLURM_ARRAY_TASK_ID' "$TMP/sl/sweep.sbatch" && pass \
  || fail "sweep.sbatch: $(cat "$TMP/sl/sweep.sbatch")"
"$MMUSIM" sweep "$TMP/spec.yaml" -o "$TMP/sl" --point 3 -q && [ -f "$TMP/sl/points/p0003.json" ] && pass \
  || fail "--point 3"

# Bad specs: one clear error each, non-zero exit, nothing written.
printf 'grid:\n  tlb.l2.arrays.0.entries: [512]\n  walker.cuont: [1, 2]\ntraces: [gen:uniform]\n' >"$TMP/b1.yaml"
expect_error unknown-key 1 "b1.yaml:3" "walker.cuont" "unknown key" -- sweep "$TMP/b1.yaml" -o "$TMP/bad"
printf 'zip:\n  - {walker.count: [1, 2], pwc.pde.entries: [16]}\ntraces: [gen:uniform]\n' >"$TMP/b2.yaml"
expect_error unequal-zip 1 "b2.yaml:2" "unequal length" -- sweep "$TMP/b2.yaml" -o "$TMP/bad"
printf 'grid: {walker.count: [1, 2]}\n' >"$TMP/b3.yaml"
expect_error no-traces 1 "no traces" -- sweep "$TMP/b3.yaml" -o "$TMP/bad"
printf 'grid: {walker.count: []}\ntraces: [gen:uniform]\n' >"$TMP/b4.yaml"
expect_error empty-list 1 "b4.yaml:1" "empty list" -- sweep "$TMP/b4.yaml" -o "$TMP/bad"
printf 'grid: {walker.count: [1]}\ntraces: [gen:uniform]\nsedes: [1]\n' >"$TMP/b5.yaml"
expect_error unknown-top 1 "b5.yaml:3" "unknown key 'sedes'" -- sweep "$TMP/b5.yaml" -o "$TMP/bad"
printf 'grid: {walker.count: [1, 0]}\ntraces: [gen:uniform]\n' >"$TMP/b6.yaml"
expect_error bad-value 1 "b6.yaml:1" "p0001" "walker.count" -- sweep "$TMP/b6.yaml" -o "$TMP/bad"
printf 'traces: [no/such/file.mtr]\n' >"$TMP/b7.yaml"
expect_error missing-trace 1 "b7.yaml:1" "no/such/file.mtr" "not found" -- sweep "$TMP/b7.yaml" -o "$TMP/bad"
printf 'grid: [1\n' >"$TMP/b8.yaml"
expect_error malformed 1 "b8.yaml" "malformed YAML" -- sweep "$TMP/b8.yaml" -o "$TMP/bad"
[ ! -e "$TMP/bad" ] && pass || fail "a bad spec created the output directory"

finish
