#!/usr/bin/env bash
# Regenerate the sample traces in this folder (see README.md):
#   sort.mtr, zstd.mtr, ls.mtr     real programs captured under valgrind lackey
#                                  with `mmusim trace record`
#   tiny.lackey                    the first 300 lines of a raw lackey capture of `true`
#   tiny.champsim.xz, tiny.cloudsuite.gz   synthetic ChampSim records (make_tiny_champsim.py)
# Needs valgrind, zstd, awk and Debian's /usr/bin/python3. The inputs are
# generated here, deterministically; the traces are not bit-identical across
# machines (library versions, environment size and valgrind's layout differ).
# MMUSIM=path/to/mmusim overrides the binary (default: build/mmusim, built if missing).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
mmusim=${MMUSIM:-$root/build/mmusim}
if [ ! -x "$mmusim" ]; then "$root/scripts/build.sh" build; fi
command -v valgrind >/dev/null || { echo "capture.sh: valgrind not found: apt-get install valgrind" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
# sort input: 3000 lines of 1009 bytes (3 MB), keys in a scrambled order.
awk 'BEGIN { x = sprintf("%1000s", ""); gsub(/ /, "x", x);
             for (i = 0; i < 3000; i++) printf "%08d%s\n", (i * 7919) % 3001, x }' > lines.txt
# compressor input: 500 lines of text (34 KB).
seq -f 'line %g: the quick brown fox jumps over the lazy page-table walker' 1 500 > text.txt

# Relative paths keep the recorded command free of the temporary directory.
LC_ALL=C "$mmusim" trace record -o "$here/sort.mtr" -- sort lines.txt > /dev/null
# zstd reads stdin, so it cannot size its tables to the input: it allocates and
# clears the full level-6 tables (several MB), the interesting part for TLBs.
"$mmusim" trace record -o "$here/zstd.mtr" -- zstd -q -6 -c < text.txt > /dev/null
LC_ALL=C "$mmusim" trace record -o "$here/ls.mtr" -- ls -l /etc > /dev/null

valgrind --tool=lackey --trace-mem=yes --log-file=true.lackey true
head -n 300 true.lackey > "$here/tiny.lackey"

/usr/bin/python3 "$here/make_tiny_champsim.py" "$here"
ls -l "$here"
