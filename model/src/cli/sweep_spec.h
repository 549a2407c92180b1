/* sweep_spec.h — the sweep specification (YAML, read with libfyaml) and the
 * points it enumerates.
 *
 *   base: PRESET.yaml            optional; relative to the spec's directory, else the cwd
 *   set: {KEY: VALUE, ...}       optional fixed overrides (as --set KEY=VALUE)
 *   grid: {KEY: [V, ...], ...}   cartesian product, first key varying slowest
 *   zip: [{KEY: [..], KEY: [..]}, ...]  groups of equal-length lists advancing together
 *   traces: [TRACE, ...]         required; "{seed}" in a trace is replaced by the seed
 *   seeds: [S, ...]              optional; each point runs with --set seed=S
 *   options: {KEY: VALUE, ...}   optional; same as set (applied after it)
 *
 * Points enumerate as config combinations (grid dimensions, then zip groups;
 * the last dimension varies fastest) x traces x seeds, numbered from 0 with ids
 * "p0000" (at least 4 digits, all ids of a sweep the same width). */
#ifndef MMU_CLI_SWEEP_SPEC_H
#define MMU_CLI_SWEEP_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mmu/config.h"

typedef struct sweep_param { /* one swept key */
    char *key;
    int line;      /* 0-based line of the key in the spec */
    unsigned n;    /* values */
    char **values; /* value text as --set takes it */
    int *lines;
} sweep_param;

typedef struct sweep_dim { /* one grid key, or one zip group of keys advancing together */
    unsigned first, count; /* params[first .. first+count) */
    unsigned len;          /* values per key */
} sweep_dim;

typedef struct sweep_spec {
    char *path;  /* as given */
    char *dir;   /* its directory */
    char *text;  /* the spec file's bytes */
    size_t text_len;
    char *base;  /* resolved base config path, or NULL */
    int base_line;
    unsigned n_fixed;   /* set + options, in that order */
    char **fixed;       /* "KEY=VALUE" */
    int *fixed_lines;
    unsigned n_params;
    sweep_param *params;
    unsigned n_dims;
    sweep_dim *dims;
    unsigned n_traces;
    char **traces;      /* as written */
    int *trace_lines;
    bool has_seeds;     /* without seeds: one seed per point, the config's own */
    unsigned n_seeds;
    uint64_t *seeds;
    uint64_t n_configs, n_points;
    int id_width;
} sweep_spec;

typedef struct sweep_point {
    uint64_t index;
    char id[32];
    uint64_t config;    /* combination index */
    unsigned trace;     /* index into traces */
    unsigned seed_idx;
    unsigned *value_idx; /* per param: index of its value (n_params entries, owned) */
    char *trace_text;   /* trace as written with {seed} substituted (owned) */
    char *trace_path;   /* what to open: trace_text resolved against the spec dir (owned) */
    uint64_t seed;      /* effective config seed (after sweep_point_config) */
} sweep_point;

/* Parse and check the spec (structure only: no config is built). Prints
 * "mmusim: error: SPEC:LINE: ..." and returns false on error. */
bool sweep_spec_load(const char *path, sweep_spec *s);
void sweep_spec_free(sweep_spec *s);

/* Point `index` (< n_points); free with sweep_point_free. False only when out of memory. */
bool sweep_point_get(const sweep_spec *s, uint64_t index, sweep_point *p);
void sweep_point_free(sweep_point *p);

/* Effective config of a point: default < base < set < options < params < seed,
 * validated. Also fills p->seed and substitutes it in the trace. Prints an
 * error naming the spec line, the point and the key; returns false. */
bool sweep_point_config(const sweep_spec *s, sweep_point *p, mmu_config *cfg);

/* Hash (16 hex digits, FNV-1a 64) of the effective config YAML, the trace
 * (as written) and the seed. False on allocation failure. */
bool sweep_point_hash(const mmu_config *cfg, const sweep_point *p, char out[17]);

/* The point's "sweep" object for its result, as JSON text (malloc'd). */
char *sweep_point_json(const sweep_spec *s, const sweep_point *p, const char *hash);

/* "p0003" or "3" to an index; false if malformed or out of range. */
bool sweep_parse_point_id(const sweep_spec *s, const char *text, uint64_t *index);

#endif
