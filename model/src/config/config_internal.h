/* config_internal.h — private vocabulary of the config component.
 *
 * The key table (keys.c) is the single description of every configuration
 * key: its dotted path, value type, where it lives in mmu_config, its range,
 * its default and a one-line help. The YAML loader, `--set`, validation of
 * ranges, `mmusim config keys` and the YAML/JSON writers all walk that table;
 * adding a key is adding a row (plus the struct field it names).
 *
 * Paths may contain collection wildcards: `<name>` (an item of a named
 * collection: `tlb.<name>.level`) and `<i>` (an element of a sequence:
 * `tlb.<name>.arrays.<i>.ways`). A concrete path (`tlb.l1d.arrays.0.ways`)
 * is matched against a pattern one dot-separated component at a time. */
#ifndef MMU_CONFIG_INTERNAL_H
#define MMU_CONFIG_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mmu/config.h"

struct fy_node;

#define CFG_WILD_NAME "<name>"
#define CFG_WILD_INDEX "<i>"
#define CFG_PATH_MAX 256u /* longest concrete or pattern path handled */

typedef enum cfg_type {
    CFG_UINT,           /* unsigned integer in [min, max] */
    CFG_SIZE,           /* byte count with optional K/M/G/T suffix (binary), multiple of align */
    CFG_ENUM,           /* one of enm's names, stored as its index */
    CFG_PAGE_SIZE,      /* "4K", "2M", ...: stored as the leaf level */
    CFG_PAGE_SIZE_LIST, /* [4K, 2M]: stored as a level mask (bit k = level k) */
    CFG_LEVEL_LIST,     /* [1, 2]: table levels in [min, max], stored as a mask */
    CFG_STRING,         /* text shorter than the field */
    CFG_BOOL,           /* true | false, stored in a bool */
    CFG_REAL,           /* decimal number in [rmin, rmax], stored in a double; parsed and
                           written in the C locale, written so it reads back exactly */
} cfg_type;

/* Which struct a key's offset is relative to. */
typedef enum cfg_scope {
    CFG_SCOPE_ROOT,      /* mmu_config */
    CFG_SCOPE_TLB,       /* mmu_tlb_cfg */
    CFG_SCOPE_TLB_ARRAY, /* mmu_tlb_array_cfg */
    CFG_SCOPE_PWC,       /* mmu_pwc_cfg */
} cfg_scope;

typedef struct cfg_enum {
    unsigned count;
    const char *(*name)(unsigned v); /* NULL for values without a name */
} cfg_enum;

enum {
    CFG_KEY_REQUIRED = 1u << 0, /* a collection item given as a mapping must set it */
    CFG_KEY_POW2 = 1u << 1,     /* UINT: value must be a power of two */
};

typedef struct cfg_key {
    const char *path; /* pattern, e.g. "tlb.<name>.arrays.<i>.ways" */
    cfg_type type;
    cfg_scope scope;
    size_t offset, size; /* field within the scope's struct (integers: 4 or 8 bytes; bool 1) */
    uint64_t min, max;   /* UINT/SIZE: value range; LEVEL_LIST: element range */
    uint64_t align;      /* SIZE: value must be a multiple (0: any) */
    uint64_t def;        /* default (enum index, level, mask, number) for new items and the root */
    const char *def_str; /* STRING default */
    double rmin, rmax;   /* REAL: value range (inclusive) */
    double rdef;         /* REAL: default */
    unsigned flags;      /* CFG_KEY_* */
    const cfg_enum *enm; /* ENUM only */
    const char *help;
} cfg_key;

/* Collection instance a scoped key refers to (-1: none). */
typedef struct cfg_inst {
    int tlb, arr, pwc;
} cfg_inst;

/* ---- keys.c ------------------------------------------------------------- */
extern const cfg_key cfg_keys[];
extern const unsigned cfg_n_keys;

/* Exact pattern match ("tlb.<name>.level"), or NULL. */
const cfg_key *cfg_key_find(const char *pattern);
/* Child of pattern prefix `prefix` ("" for the root) that concrete component
 * `comp` selects: writes the child's pattern component (a literal or a
 * wildcard) to `child` and returns true, or false if no key continues so. */
bool cfg_key_child(const char *prefix, const char *comp, char *child, size_t cap);
/* True if some key's pattern continues below `prefix` with a wildcard. */
bool cfg_key_wild_child(const char *prefix, const char **wild);
/* Literal child components of `prefix`, in table order: calls fn for each
 * distinct one. */
void cfg_key_children(const char *prefix, void (*fn)(const char *child, void *arg), void *arg);
/* Closest literal child of `prefix` to `comp` (edit distance), or NULL. */
const char *cfg_key_suggest(const char *prefix, const char *comp, char *buf, size_t cap);
/* Join pattern/concrete prefixes: out = prefix.comp (or comp at the root). */
bool cfg_path_join(char *out, size_t cap, const char *prefix, const char *comp);

/* Enum descriptors shared with validate/emit. */
extern const cfg_enum cfg_enum_format, cfg_enum_ad, cfg_enum_side, cfg_enum_repl,
    cfg_enum_ideal;

/* ---- formats.c: the facts about paging formats config needs ------------- */
const char *cfg_format_name(unsigned id);       /* NULL if out of range */
unsigned cfg_format_levels(mmu_pt_format_id id);
unsigned cfg_format_pa_bits(mmu_pt_format_id id);
uint32_t cfg_format_leaf_mask(mmu_pt_format_id id);

/* ---- value.c: typed access to fields and text <-> value ----------------- */
/* Pointer to the key's field in cfg for instance `in`. */
void *cfg_field(const cfg_key *k, mmu_config *cfg, cfg_inst in);
const void *cfg_field_c(const cfg_key *k, const mmu_config *cfg, cfg_inst in);
/* Integer-like fields (every type but STRING and REAL). */
uint64_t cfg_get_u64(const cfg_key *k, const void *field);
void cfg_set_u64(const cfg_key *k, void *field, uint64_t v);
/* REAL fields. */
double cfg_get_real(const void *field);
void cfg_set_real(void *field, double v);
/* Shortest text that strtod (C locale) reads back as exactly v, always with
 * a '.' or exponent so it reads as a real ("2.0", "0.1", "1e-05"). */
void cfg_real_str(double v, char *out, size_t cap);
/* Set a key's field to the key table's default. */
void cfg_set_default(const cfg_key *k, void *field);

/* Parse a YAML node into the key's field. On failure returns false and writes
 * a message fragment such as "expected an unsigned integer, got 'four'". */
bool cfg_value_parse(const cfg_key *k, struct fy_node *n, void *field, char *msg, size_t cap);
/* Range/enum check of a stored value; false + message if out of range. */
bool cfg_value_check(const cfg_key *k, const void *field, char *msg, size_t cap);
/* Text of a stored value as YAML writes it ("64G", "lru", "[4K, 2M]"). */
void cfg_value_format(const cfg_key *k, const void *field, char *out, size_t cap);
/* Text of the key's default and of its range (for print_keys). */
void cfg_key_default_str(const cfg_key *k, char *out, size_t cap);
void cfg_key_range_str(const cfg_key *k, char *out, size_t cap);
const char *cfg_type_str(cfg_type t);

/* Byte count as the shortest exact binary-suffixed text: 65536 -> "64K". */
void cfg_size_str(uint64_t bytes, char *out, size_t cap);
/* Comma-separated page sizes of a level mask: "4K, 2M". */
void cfg_level_mask_sizes_str(uint32_t mask, char *out, size_t cap);

/* ---- defaults.c --------------------------------------------------------- */
/* Fill a new collection item from the key table defaults. */
void cfg_item_defaults(cfg_scope scope, void *item);

/* ---- coll.c: collections (named TLBs/PWCs, indexed TLB arrays) --------- */
typedef struct cfg_coll {
    const char *pattern; /* the collection node; items are pattern.<wild> */
    cfg_scope scope;     /* scope of the items' keys */
    bool named;          /* <name> (a mapping) or <i> (a sequence) */
    const char *what;    /* for messages: "TLB", "array", ... */
    unsigned max;
} cfg_coll;

const cfg_coll *cfg_coll_find(const char *pattern); /* NULL if not a collection */
uint32_t *cfg_coll_count(mmu_config *c, const cfg_coll *co, cfg_inst in);
void *cfg_coll_item(mmu_config *c, const cfg_coll *co, cfg_inst in, unsigned idx);
size_t cfg_coll_item_size(const cfg_coll *co);
char *cfg_coll_item_name(void *item, const cfg_coll *co);   /* named collections */
char *cfg_coll_item_origin(void *item, const cfg_coll *co); /* named collections */
cfg_inst cfg_coll_inst(cfg_inst in, const cfg_coll *co, int idx);
int cfg_coll_lookup(mmu_config *c, const cfg_coll *co, cfg_inst in, const char *comp);
bool cfg_parse_index(const char *s, unsigned *out);
bool cfg_valid_name(const char *s);
/* Collection counts within their bounds (loading into a config that is not
 * would index out of range; validate reports the details). */
bool cfg_counts_ok(const mmu_config *c);

/* ---- apply.c: the loader shared by YAML files and --set ----------------- */
typedef struct cfg_loader {
    mmu_config *cfg;
    const char *origin;     /* file name, or NULL in --set mode */
    const char *assignment; /* the --set text, for messages */
    mmu_error *err;
} cfg_loader;

/* Apply node `n` (the value at pattern/path, line 0-based or -1) to ld->cfg.
 * The root call passes "" for both. */
mmu_status cfg_apply_node(cfg_loader *ld, const char *pattern, const char *path, cfg_inst in,
                          struct fy_node *n, int line);
/* --set: navigate the concrete components (creating collection items on the
 * way) and apply `n` at the end. */
mmu_status cfg_apply_path(cfg_loader *ld, char **comps, unsigned n_comps, struct fy_node *n);
/* Error with location prefix: "file:line: " or "--set 'a=b': ". */
mmu_status cfg_loader_error(cfg_loader *ld, mmu_status st, int line, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/* ---- yaml_load.c -------------------------------------------------------- */
/* Parse YAML text into a document; NULL doc with status OK means an empty
 * document. Syntax errors become MMU_ERR_PARSE "name:line:col: message"
 * (name NULL: no location, for one-line --set values). */
struct fy_document;
mmu_status cfg_yaml_parse(const char *text, size_t len, const char *name,
                          struct fy_document **out, mmu_error *err);

/* ---- emit.c ------------------------------------------------------------- */
/* Scalar text needs quoting in YAML? */
bool cfg_yaml_needs_quotes(const char *s);

#endif
