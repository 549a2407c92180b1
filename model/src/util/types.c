/* types.c — names for the shared vocabulary (page sizes, fault kinds). */
#include <ctype.h>
#include <string.h>

#include "mmu/types.h"

static const char *const level_names[MMU_PT_MAX_LEVELS] = {"4K", "2M", "1G", "512G", "256T"};

const char *mmu_level_size_str(unsigned level) {
    return level < MMU_PT_MAX_LEVELS ? level_names[level] : NULL;
}

int mmu_level_from_size_str(const char *s) {
    if (!s) return -1;
    char buf[16];
    size_t n = strlen(s);
    if (n == 0 || n >= sizeof buf) return -1;
    for (size_t i = 0; i <= n; i++) buf[i] = (char)toupper((unsigned char)s[i]);
    /* Accept "4K", "4KB", "4KIB". */
    if (n > 2 && strcmp(buf + n - 2, "IB") == 0) buf[n - 2] = '\0';
    else if (n > 1 && buf[n - 1] == 'B') buf[n - 1] = '\0';
    for (unsigned l = 0; l < MMU_PT_MAX_LEVELS; l++)
        if (strcmp(buf, level_names[l]) == 0) return (int)l;
    return -1;
}

const char *mmu_fault_str(mmu_fault f) {
    static const char *const names[MMU_FAULT_COUNT] = {
        [MMU_FAULT_NONE] = "none",
        [MMU_FAULT_NOT_PRESENT] = "not_present",
        [MMU_FAULT_PROT_USER] = "prot_user",
        [MMU_FAULT_PROT_READ] = "prot_read",
        [MMU_FAULT_PROT_WRITE] = "prot_write",
        [MMU_FAULT_PROT_EXEC] = "prot_exec",
        [MMU_FAULT_RESERVED] = "reserved",
        [MMU_FAULT_MISALIGNED] = "misaligned",
        [MMU_FAULT_NONCANONICAL] = "noncanonical",
        [MMU_FAULT_ACCESSED] = "accessed",
        [MMU_FAULT_DIRTY] = "dirty",
    };
    return (unsigned)f < MMU_FAULT_COUNT ? names[f] : "unknown";
}
