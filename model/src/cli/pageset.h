/* pageset.h — a growable hash set of (asid, page number) pairs, for counting
 * a trace's footprint in distinct pages. */
#ifndef MMU_CLI_PAGESET_H
#define MMU_CLI_PAGESET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct pageset {
    uint64_t *pages; /* page number + 1 (0 = empty slot) */
    uint32_t *asids;
    size_t cap, n;   /* cap is a power of two */
} pageset;

bool pageset_init(pageset *s);
void pageset_free(pageset *s);
/* Insert; false only on allocation failure. */
bool pageset_add(pageset *s, uint32_t asid, uint64_t page);

#endif
