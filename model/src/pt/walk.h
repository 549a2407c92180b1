/* walk.h — the page walk's entry point for model/src/walker (internal to
 * model/; the public walk is pt_walk in mmu/pt.h). */
#ifndef MMU_PT_WALK_H
#define MMU_PT_WALK_H

#include "mmu/pt.h"

/* pt_walk for a caller that has already found req->va canonical
 * (f->canonical(req->va) is true; asserted): the same result, without
 * checking again. The walker checks before probing its page-walk caches. */
mmu_fault pt_walk_canonical(const pt_format *f, mmu_physmem *mem, const pt_walk_req *req,
                            pt_walk_result *out);

#endif
