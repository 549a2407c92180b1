/* pt_internal.h — private to model/src/pt: the format table entries defined in
 * format_<isa>.c and collected by format.c. Nothing outside format_*.c may
 * depend on an ISA's encoding; the walk and editor go through pt_format. */
#ifndef MMU_PT_INTERNAL_H
#define MMU_PT_INTERNAL_H

#include "mmu/pt.h"

extern const pt_format pt_format_x86_64_4level;
extern const pt_format pt_format_x86_64_5level;
extern const pt_format pt_format_sv39;
extern const pt_format pt_format_sv48;
extern const pt_format pt_format_sv57;
extern const pt_format pt_format_armv8_4k48;

/* The codecs' decoders (each format's .decode), visible so that walk.c can
 * call them directly: see pt_walk_canonical. */
pt_decoded pt_x86_decode(pte_t pte, unsigned level);
pt_decoded pt_rv_decode(pte_t pte, unsigned level);
pt_decoded pt_arm_decode(pte_t pte, unsigned level);

/* Generic permission bits that page-table levels can restrict. */
#define PT_PERM_RWXU (MMU_PERM_RWX | MMU_PERM_U)
/* Everything a leaf can carry. */
#define PT_PERM_LEAF_MASK (PT_PERM_RWXU | MMU_PERM_G | MMU_PTE_A | MMU_PTE_D)

#endif
