/* stats.c — counter tables to dotted paths and nested JSON. */
#include "stats/stats.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

void stats_visit_one(const char *prefix, const char *name, uint64_t value, mmu_stat_visitor visit,
                     void *ctx) {
    char path[256];
    const int n = snprintf(path, sizeof path, "%s.%s", prefix, name);
    assert(n > 0 && (size_t)n < sizeof path);
    (void)n;
    visit(ctx, path, value);
}

void stats_visit(const char *prefix, const stats_field *fields, size_t n, const void *base,
                 mmu_stat_visitor visit, void *ctx) {
    for (size_t i = 0; i < n; i++) {
        uint64_t v;
        memcpy(&v, (const char *)base + fields[i].offset, sizeof v);
        stats_visit_one(prefix, fields[i].name, v, visit, ctx);
    }
}

int stats_json_put(json_t *root, const char *path, uint64_t value) {
    char buf[256];
    if (strlen(path) >= sizeof buf) return -1;
    strcpy(buf, path);
    json_t *obj = root;
    char *seg = buf;
    for (char *dot; (dot = strchr(seg, '.')) != NULL; seg = dot + 1) {
        *dot = '\0';
        json_t *child = json_object_get(obj, seg);
        if (!child) {
            child = json_object();
            if (!child || json_object_set_new(obj, seg, child) != 0) return -1;
        } else if (!json_is_object(child)) {
            return -1; /* a counter and a group share a name: a table bug */
        }
        obj = child;
    }
    /* JSON integers are signed 64-bit in jansson; counters never get near 2^63. */
    return json_object_set_new(obj, seg, json_integer((json_int_t)value));
}
