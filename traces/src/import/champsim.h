/* champsim.h — ChampSim binary traces (private to traces/).
 *
 * Two record layouts, both little-endian, written by ChampSim's tracers as the
 * raw bytes of a C struct (inc/trace_instruction.h in ChampSim):
 *
 * input_instr, 64 bytes (x86 Pin tracer):
 *    0 u64 ip
 *    8 u8  is_branch            9 u8 branch_taken
 *   10 u8  destination_registers[2]
 *   12 u8  source_registers[4]
 *   16 u64 destination_memory[2]
 *   32 u64 source_memory[4]                       (ends at 64: no tail padding)
 *
 * cloudsuite_instr, 96 bytes (CloudSuite SPARC full-system traces):
 *    0 u64 ip
 *    8 u8  is_branch            9 u8 branch_taken
 *   10 u8  destination_registers[4]
 *   14 u8  source_registers[4]
 *   18     6 bytes padding (next u64 must be 8-aligned)
 *   24 u64 destination_memory[4]
 *   56 u64 source_memory[4]
 *   88 u8  asid[2]
 *   90     6 bytes tail padding (sizeof rounds up to the u64 alignment)
 *
 * The offsets are checked with _Static_assert against a C struct of the same
 * shape in champsim.c. Some ChampSim forks append a `load_type` byte (72/104-
 * byte records); those are not supported (the size check rejects most). */
#ifndef MTR_IMPORT_CHAMPSIM_H
#define MTR_IMPORT_CHAMPSIM_H

#include <stdbool.h>
#include <stdint.h>

#include "import/input.h"
#include "mmu/trace.h"

#define MTR_CHAMPSIM_RECSZ 64u
#define MTR_CLOUDSUITE_RECSZ 96u
#define MTR_CHAMPSIM_MAX_DST 4u
#define MTR_CHAMPSIM_MAX_SRC 4u

/* One decoded instruction (either layout). */
typedef struct mtr_champsim_instr {
    uint64_t ip;
    uint8_t is_branch, branch_taken;
    uint8_t asid[2]; /* cloudsuite only; 0 for input_instr */
    unsigned n_dst;  /* 2 (input_instr) or 4 (cloudsuite) */
    uint64_t dst_mem[MTR_CHAMPSIM_MAX_DST];
    uint64_t src_mem[MTR_CHAMPSIM_MAX_SRC];
} mtr_champsim_instr;

/* Record size of fmt (MTR_FMT_CHAMPSIM or MTR_FMT_CLOUDSUITE). */
unsigned mtr_champsim_recsz(mtr_format fmt);
/* "input_instr" / "cloudsuite_instr". */
const char *mtr_champsim_layout_name(mtr_format fmt);
/* Decode one record of mtr_champsim_recsz(fmt) bytes. */
void mtr_champsim_decode(const uint8_t *p, mtr_format fmt, mtr_champsim_instr *out);
/* Structural plausibility, for format detection: branch flags are 0/1 (and
 * taken implies branch), ip is non-zero and canonical, every memory operand
 * is 0 or canonical. Register ids are not checked: the tracers store Pin /
 * SPARC register numbers truncated to a byte, so any value can occur. */
bool mtr_champsim_plausible(const mtr_champsim_instr *in);

/* A record source over an already-open input (takes ownership of `in`, also
 * on failure). mtr_open_champsim() is this over mtr_input_open(path). */
mtr_source *mtr_champsim_source(mtr_input *in, mtr_format fmt, mmu_error *err);

#endif
