/* stats.h — counter tables and output.
 *
 * Components keep plain uint64_t counters in structs (hot path: ++s->hits).
 * A static table {name, offset, help} per struct names them; stats_visit()
 * walks a table and reports "prefix.name" = value, and stats_json_put()
 * nests dotted paths into a JSON object. One mechanism feeds the JSON result,
 * the text summary and mmu_sim_stat(). Internal to model/. */
#ifndef MMU_STATS_H
#define MMU_STATS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "mmu/sim.h"

typedef struct stats_field {
    const char *name;
    size_t offset; /* of a uint64_t inside the struct */
    const char *help;
} stats_field;

#define STATS_FIELD(type, member, help) {#member, offsetof(type, member), help}
#define STATS_COUNT(table) (sizeof(table) / sizeof((table)[0]))

/* Report every field of `base` as "<prefix>.<name>". */
void stats_visit(const char *prefix, const stats_field *fields, size_t n, const void *base,
                 mmu_stat_visitor visit, void *ctx);
/* Report one counter as "<prefix>.<name>". */
void stats_visit_one(const char *prefix, const char *name, uint64_t value, mmu_stat_visitor visit,
                     void *ctx);

/* Set root[a][b][c] = value for path "a.b.c", creating objects. 0 on success. */
int stats_json_put(json_t *root, const char *path, uint64_t value);

#endif
