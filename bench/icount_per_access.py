#!/usr/bin/python3
"""icount_per_access.py — host instructions per steady-state simulated access,
by function: a deterministic companion to sim_throughput (no timing noise).

Runs `sim_throughput --only WORKLOAD -n N --runs 1` and `--runs 3` under
valgrind's callgrind and subtracts them: what remains is exactly two timed
passes of N accesses (generation, mapping and the warm pass cancel out), so
dividing by 2N gives instructions per access in steady state. Needs valgrind
(Debian package valgrind). Usage:

  bench/icount_per_access.py BUILD/bench/sim_throughput [-n 300000] [--only gups_8g] [-- SIM_ARGS...]

Prints a table (instructions per access, calls per access, function) and the
total. Function names are as the build leaves them: with LTO (the Release
default) callees are often inlined into their callers.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

ROW = re.compile(r"\s*([\d,]+)\s+(?:\([^)]*\)\s+)?(\*|<|>)?\s*(\S+?)(?:\s+\(([\d,]+)x\))?\s*(\[.*\])?$")


def num(s):
    return int(s.replace(",", ""))


def annotate(out_file):
    """Exclusive instructions per function and calls into each function."""
    text = subprocess.run(["callgrind_annotate", "--tree=caller", out_file], check=True,
                          capture_output=True, text=True).stdout
    self_ir, calls = {}, {}
    pending = 0  # calls listed (as "<" caller lines) above the current "*" line
    for line in text.splitlines():
        m = ROW.match(line)
        if not m or ":" not in m.group(3):
            if not line.strip():
                pending = 0
            continue
        ir, mark, fn, n = m.group(1), m.group(2), m.group(3), m.group(4)
        if mark == "<" and n:
            pending += num(n)
        elif mark == "*":
            self_ir[fn] = num(ir)
            calls[fn] = pending
            pending = 0
    return self_ir, calls


def run(binary, workload, n, runs, extra, out_file):
    cmd = ["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out_file, binary, "--only",
           workload, "-n", str(n), "--hit-accesses", str(n), "--runs", str(runs), "--no-functional"] + extra
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 epilog="arguments after -- go to sim_throughput (e.g. -- --set K=V)")
    ap.add_argument("binary")
    ap.add_argument("-n", type=int, default=300000, help="accesses per timed pass (default 300000)")
    ap.add_argument("--only", default="gups_8g", help="sim_throughput workload (default gups_8g)")
    ap.add_argument("--top", type=int, default=25, help="rows to print (default 25)")
    argv = sys.argv[1:]
    extra = argv[argv.index("--") + 1:] if "--" in argv else []
    a = ap.parse_args(argv[:argv.index("--")] if "--" in argv else argv)
    a.sim_args = extra  # passed to sim_throughput, e.g. --set K=V
    if not os.access(a.binary, os.X_OK):
        sys.exit(f"icount_per_access: {a.binary}: not an executable")
    with tempfile.TemporaryDirectory() as d:
        r1, r3 = os.path.join(d, "r1.out"), os.path.join(d, "r3.out")
        run(a.binary, a.only, a.n, 1, a.sim_args, r1)
        run(a.binary, a.only, a.n, 3, a.sim_args, r3)
        (i1, c1), (i3, c3) = annotate(r1), annotate(r3)
    per = 2.0 * a.n
    rows = sorted(((i3.get(f, 0) - i1.get(f, 0)) / per, (c3.get(f, 0) - c1.get(f, 0)) / per, f)
                  for f in set(i1) | set(i3))
    rows.reverse()
    print(f"# {a.only}: host instructions per steady-state access (2 x {a.n} accesses)")
    print(f"{'instr':>9} {'calls':>6}  function")
    for ir, calls, fn in rows[:a.top]:
        if ir >= 0.5:
            print(f"{ir:9.1f} {calls:6.2f}  {fn}")
    print(f"{sum(r[0] for r in rows):9.1f} {'':6}  total")


if __name__ == "__main__":
    main()
