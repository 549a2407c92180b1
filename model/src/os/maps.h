/* maps.h — /proc/PID/maps text, and VMA name patterns.
 *
 * A maps line is "START-END PERMS OFFSET DEV INODE [NAME]" with START/END in
 * hex, PERMS four characters from "r-", "w-", "x-", "ps", OFFSET hex, DEV
 * "MM:mm" hex, INODE decimal, NAME optional (may contain spaces; leading
 * spaces stripped). Names beginning with '/' are file-backed; "[heap]",
 * "[stack]", "[vdso]", "[gen:...]" and no name are anonymous. */
#ifndef MMU_OS_MAPS_H
#define MMU_OS_MAPS_H

#include <stdbool.h>
#include <stdint.h>

#include "mmu/status.h"

typedef struct os_maps_entry {
    uint64_t start, end; /* as written (the caller checks alignment) */
    uint32_t flags;      /* OS_VMA_READ/WRITE/EXEC/SHARED/FILE */
    const char *name;    /* NUL-terminated, "" if none; valid during the callback only */
} os_maps_entry;

/* Calls fn for every non-empty line (lines of only blanks count as empty;
 * line numbers count every line), in order. END must be above START;
 * trailing blanks and a CR are not part of the name. A malformed line is
 * MMU_ERR_PARSE with "<origin>: line N: <what was expected>, got '<text>'"
 * (text truncated); fn's non-OK status stops the parse and is returned. */
typedef mmu_status (*os_maps_fn)(void *ctx, const os_maps_entry *e, unsigned line, mmu_error *err);
mmu_status os_maps_parse(const char *text, const char *origin, os_maps_fn fn, void *ctx,
                         mmu_error *err);

/* Does a VMA named `name` (anonymous iff !(flags & OS_VMA_FILE)) match a
 * comma-separated pattern list? Each item is a substring of the name, or
 * "[anon]" (an anonymous VMA with an empty name), or "*" (every VMA).
 * Whitespace around items is ignored; an empty list matches nothing. */
bool os_name_matches(const char *patterns, const char *name, uint32_t flags);

#endif
