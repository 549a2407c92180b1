#!/usr/bin/env python3
"""Write tiny synthetic ChampSim traces for tests and examples (no real
ChampSim trace is small enough to commit):

  tiny.champsim.xz     64 input_instr records (64 bytes each), xz-compressed
  tiny.cloudsuite.gz   32 cloudsuite_instr records (96 bytes each), gzip-compressed

Layouts (little-endian, from ChampSim's inc/trace_instruction.h):
  input_instr      ip u64 @0, is_branch @8, branch_taken @9, dst_regs[2] @10,
                   src_regs[4] @12, dst_mem[2] u64 @16, src_mem[4] u64 @32
  cloudsuite_instr ip u64 @0, is_branch @8, branch_taken @9, dst_regs[4] @10,
                   src_regs[4] @14, 6 pad, dst_mem[4] u64 @24, src_mem[4] u64 @56,
                   asid[2] @88, 6 pad
The program is a 16-instruction loop: every 4th instruction loads the next
element of an array striding 512 bytes (so the loads cross pages), every 8th
stores to the stack, the last one is a taken branch back to the top.
Usage: make_tiny_champsim.py OUTDIR
"""
import gzip
import lzma
import struct
import sys


def instr(i):
    ip = 0x401000 + 4 * (i % 16)
    branch = 1 if i % 16 == 15 else 0
    load = 0x7F0000200000 + 512 * (i // 4) if i % 4 == 1 else 0
    store = 0x7FFD00001F00 - 8 * (i % 8) if i % 8 == 3 else 0
    return ip, branch, load, store


def input_instr(i):
    ip, br, ld, st = instr(i)
    return struct.pack("<QBB2B4B2Q4Q", ip, br, br, 0, 0, 0, 0, 0, 0, st, 0, ld, 0, 0, 0)


def cloudsuite_instr(i):
    ip, br, ld, st = instr(i)
    head = struct.pack("<QBB4B4B", ip, br, br, 0, 0, 0, 0, 0, 0, 0, 0) + bytes(6)
    mem = struct.pack("<4Q4Q", st, 0, 0, 0, ld, 0, 0, 0)
    return head + mem + bytes([1 + (i >= 16), 0]) + bytes(6)  # asid 1, then 2


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "."
    a = b"".join(input_instr(i) for i in range(64))
    c = b"".join(cloudsuite_instr(i) for i in range(32))
    assert len(a) == 64 * 64 and len(c) == 32 * 96
    with open(f"{out}/tiny.champsim.xz", "wb") as f:
        f.write(lzma.compress(a))
    with open(f"{out}/tiny.cloudsuite.gz", "wb") as f:
        f.write(gzip.compress(c, mtime=0))


if __name__ == "__main__":
    main()
