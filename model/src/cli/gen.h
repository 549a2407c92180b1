/* gen.h — the minimal built-in access generator used until the trace library
 * (traces/) lands: "gen:KIND[,key=value]..." specs.
 *
 *   gen:stride,footprint=1G,stride=64,passes=2     sequential/strided scans
 *   gen:uniform,footprint=8G,accesses=10M,seed=1   GUPS-like random accesses
 *
 * Common keys: footprint (bytes, K/M/G/T binary suffixes), base (VA of the
 * region, default 0x100000000000, 1G aligned), writes (fraction of stores,
 * 0..1, default 0), ipa (instructions per access, default 3), asid (default
 * 0), seed (default 1). Same spec, same access sequence. */
#ifndef MMU_CLI_GEN_H
#define MMU_CLI_GEN_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include <jansson.h>

#include "mmu/sim.h"

typedef enum gen_kind { GEN_STRIDE, GEN_UNIFORM } gen_kind;

typedef struct gen_spec {
    gen_kind kind;
    uint64_t footprint, base, stride, passes, accesses, seed;
    double writes;
    uint32_t ipa;
    uint16_t asid;
} gen_spec;

typedef struct gen_state {
    gen_spec spec;
    uint64_t emitted, total, rng;
    uint64_t pos; /* stride: offset within the region */
} gen_state;

/* Parse "gen:..."; false with a message in err naming the bad key. */
bool gen_parse(const char *text, gen_spec *out, mmu_error *err);
void gen_start(gen_state *g, const gen_spec *spec);
/* Next access; false at the end. */
bool gen_next(gen_state *g, mmu_access *acc);
/* JSON object describing the spec (for the result file); NULL on allocation failure. */
json_t *gen_describe_json(const gen_spec *spec, const char *text);

#endif
