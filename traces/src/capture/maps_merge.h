/* maps_merge.h — union of /proc/PID/maps snapshots (private to traces/; the
 * capture's `maps` metadata, capture.h).
 *
 * maps_merge(acc, snapshot) returns the union of two maps texts, `acc` the
 * older (typically the union of every earlier snapshot) and `snapshot` the
 * newer: every range that appears in either, as non-overlapping lines sorted
 * by START. Where both cover an address the newer line's text wins (START/END
 * clipped, OFFSET, DEV, INODE, NAME, 'p'/'s') and the r/w/x permissions are
 * OR-ed; older ranges only fill what the newer text leaves uncovered, so one
 * may be clipped or split in two. Folding every snapshot in turn therefore
 * gives each address the newest line that covered it and the union of its
 * permissions over all snapshots (ld.so's RELRO, rw-p then r--p, stays rw-p).
 *
 * Fields are copied as written; only a START/END that moved is rewritten (in
 * lowercase hex, zero-padded to the original field's width), the r/w/x
 * characters when the union adds one, and the OFFSET of a file-backed piece
 * (INODE != 0) that no longer starts at its line's START (it advances by the
 * same amount, as the kernel shows a split mapping). Every output line ends
 * with '\n'; merging a text with itself gives the same text (if it was sorted,
 * non-overlapping, with no leading blanks, and ends with '\n').
 *
 * Lines the OS model's parser (model/src/os/maps.h, os_maps_parse) would
 * reject are skipped, as are blank lines and a line overlapping an earlier
 * kept line of the same text; so the result always parses. NULL inputs count
 * as empty. */
#ifndef MTR_MAPS_MERGE_H
#define MTR_MAPS_MERGE_H

/* The merged text, malloc'ed ("" if neither input has a valid line); NULL on
 * out of memory. */
char *maps_merge(const char *acc, const char *snapshot);

#endif
