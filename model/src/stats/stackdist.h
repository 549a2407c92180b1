/* stackdist.h — one-pass LRU stack distances (Mattson et al. 1970) in
 * O(log n) per access, for fully associative and set-associative LRU at once.
 *
 * The LRU stack distance of an access is the number of distinct keys touched
 * since the previous access to the same key, counting the key itself (so a
 * repeat of the immediately preceding key has distance 1); a first touch has
 * distance infinity. An LRU array of N entries misses exactly on accesses
 * whose distance exceeds N (inclusion property; docs/reference §3 prop. 1). A
 * set-associative LRU array of S sets x W ways misses exactly on accesses
 * whose distance *within their set* (set = index mod S) exceeds W (prop. 2).
 *
 * Algorithm (Bennett–Kruskal 1975 / Olken 1981): every key remembers the
 * (per-set) time of its last access; a Fenwick tree over times holds a 1 at
 * each key's last access time, so the distance is 1 + the number of ones after
 * that time. When a set's clock reaches the tree's capacity the live times are
 * renumbered 0..live-1 in order (compaction, amortised O(1)), so memory is
 * proportional to the number of distinct keys, not to the trace length.
 *
 * One mmu_sd tracks several set counts at once (e.g. 1, 2, 4, ... sets); one
 * hash lookup per access serves them all. For each set count it keeps a
 * histogram of distances 1..max_dist (larger and infinite distances are
 * counted together), from which the misses of every size / way count up to
 * max_dist follow:  misses(S, W) = accesses - sum_{d<=W} hist_S[d]. */
#ifndef MMU_STATS_STACKDIST_H
#define MMU_STATS_STACKDIST_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MMU_SD_INF UINT64_MAX /* distance of a first touch */
#define MMU_SD_MAX_GEOMS 32u

typedef struct mmu_sd mmu_sd;

/* n_geoms set counts (each >= 1, any value; powers of two are cheapest),
 * histograms up to max_dist (>= 1). NULL on bad arguments or no memory. */
mmu_sd *mmu_sd_create(const uint32_t *set_counts, unsigned n_geoms, uint32_t max_dist);
void mmu_sd_destroy(mmu_sd *sd); /* accepts NULL */

/* One access to (ctx, index): ctx tags the key (e.g. ASID), index selects the
 * set (index mod S) and is the rest of the key (e.g. VPN). If dist is not NULL
 * it receives n_geoms distances (MMU_SD_INF for a first touch). Returns false
 * only if host memory runs out (the state is then unusable). */
bool mmu_sd_access(mmu_sd *sd, uint32_t ctx, uint64_t index, uint64_t *dist);

/* Forget every key (a full flush): the next touch of any key is a first touch. */
void mmu_sd_reset(mmu_sd *sd);

uint64_t mmu_sd_accesses(const mmu_sd *sd);
uint64_t mmu_sd_keys(const mmu_sd *sd); /* distinct keys since the last reset */
/* Misses of an LRU array with set_counts[geom] sets and `ways` ways
 * (1 <= ways <= max_dist): accesses whose within-set distance exceeds ways. */
uint64_t mmu_sd_misses(const mmu_sd *sd, unsigned geom, uint32_t ways);

#ifdef __cplusplus
}
#endif
#endif
