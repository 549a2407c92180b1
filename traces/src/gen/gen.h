/* gen/gen.h — synthetic workload generators: "gen:KIND,key=value,...".
 * Private to traces/ and its front ends (the CLI validates specs and prints
 * the help with it; tests use the parsed form).
 *
 *   gen:stride,footprint=64M,stride=4096,passes=2   strided / sequential scans
 *   gen:uniform,footprint=4G,accesses=2M,writes=0.3 GUPS-like random 8-byte accesses
 *   gen:zipf,footprint=1G,accesses=10M,alpha=0.99   skewed (Zipf) page popularity
 *   gen:chase,elements=1M,elem_size=64,passes=4     dependent pointer chasing
 *   gen:graph,nodes=1M,avg_degree=16               BFS over a power-law (R-MAT) graph
 *   gen:mix,procs=4,quantum=100000,inner=uniform,... round-robin multi-process mix
 *
 * mtr_open_gen() (source.h) turns a spec into an mtr_source. The same spec
 * always yields the same records, byte for byte, on every machine: all
 * randomness is splitmix64 seeded from `seed`, sampling is integer math or
 * basic IEEE-754 double operations (gen/detmath.h), never libm or rand().
 * Every kind knows its exact record count when opened (count_hint).
 *
 * The full reference (keys, defaults, addresses, instruction counts) is
 * gen_print_help() and the "Generators" section of traces/README.md. */
#ifndef MTR_GEN_GEN_H
#define MTR_GEN_GEN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "mmu/status.h"

typedef enum gen_kind_id {
    GEN_KIND_STRIDE = 0,
    GEN_KIND_UNIFORM,
    GEN_KIND_ZIPF,
    GEN_KIND_CHASE,
    GEN_KIND_GRAPH,
    GEN_KIND_MIX,
    GEN_KIND_COUNT
} gen_kind_id;

/* Keys of the spec language; bit (1 << key) in gen_params.given. */
typedef enum gen_key {
    GEN_KEY_FOOTPRINT = 0,
    GEN_KEY_ACCESSES,
    GEN_KEY_PASSES,
    GEN_KEY_SEED,
    GEN_KEY_WRITES,
    GEN_KEY_IPA,
    GEN_KEY_BASE,
    GEN_KEY_ASID,
    GEN_KEY_SIZE,
    GEN_KEY_STRIDE,
    GEN_KEY_RMW,
    GEN_KEY_ALPHA,
    GEN_KEY_ITEM,
    GEN_KEY_SCATTER,
    GEN_KEY_ELEMENTS,
    GEN_KEY_ELEM_SIZE,
    GEN_KEY_NODES,
    GEN_KEY_AVG_DEGREE,
    GEN_KEY_SOURCE,
    GEN_KEY_INIT,
    GEN_KEY_IFETCH,
    GEN_KEY_PROCS,
    GEN_KEY_QUANTUM,
    GEN_KEY_INNER,
    GEN_KEY_COUNT
} gen_key;

/* uniform's read-modify-write mode. */
typedef enum gen_rmw {
    GEN_RMW_OFF = 0,  /* one load or store per access (per `writes`) */
    GEN_RMW_PAIR,     /* a load then a store to the same address */
    GEN_RMW_MODIFY,   /* one MTR_MODIFY record */
} gen_rmw;

/* A parsed and validated spec: every field holds its effective value
 * (default or given). Plain data: copy freely. */
typedef struct gen_params {
    gen_kind_id kind;
    uint64_t given; /* 1 << gen_key for each key present in the text */
    /* common */
    uint64_t footprint; /* bytes */
    uint64_t accesses;  /* records (or updates) to emit, where the kind counts accesses */
    uint64_t passes;    /* full sweeps, where the kind counts passes */
    uint64_t seed;
    uint64_t base; /* VA of the first region */
    double writes; /* store probability 0..1 */
    uint32_t ipa;  /* instructions per access -> mtr_record.instrs */
    uint32_t asid; /* also the tid: a single-threaded process's tid is its pid */
    uint16_t size; /* access size in bytes (power of two) */
    /* stride */
    uint64_t stride;
    /* uniform */
    gen_rmw rmw;
    /* zipf */
    double alpha;
    uint64_t item; /* bytes per popularity item */
    bool scatter;  /* ranks placed at pseudo-random items (else rank r at item r-1) */
    /* chase */
    uint64_t elements, elem_size;
    /* graph */
    uint64_t nodes, avg_degree, source; /* source: UINT64_MAX = seeded choice */
    bool init, ifetch;
    /* mix */
    uint32_t procs;
    uint64_t quantum;
    gen_kind_id inner;
} gen_params;

/* Parse and validate "gen:KIND,key=value,..." (the "gen:" prefix is
 * optional). On error: the status (MMU_ERR_PARSE) and a message naming the
 * spec, the key and the expected form; *out is unspecified. Validation covers
 * everything that can be checked without building the workload (a graph that
 * does not fit in host memory fails in mtr_open_gen). */
mmu_status gen_spec_parse(const char *text, gen_params *out, mmu_error *err);

/* Every kind with its keys, defaults and meaning (`mmusim trace gen --help`). */
void gen_print_help(FILE *out);

const char *gen_kind_name(gen_kind_id k); /* "stride", ...; "?" if out of range */
const char *gen_key_name(gen_key k);

/* Seed of process `proc` (1..procs) of a mix with seed `seed`:
 * splitmix64 finaliser of seed + proc * 0x9E3779B97F4A7C15. */
uint64_t gen_mix_seed(uint64_t seed, uint32_t proc);

#endif
