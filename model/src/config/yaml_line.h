/* yaml_line.h — where a libfyaml node starts, for error messages. Shared by
 * the configuration loader and the sweep-spec reader (model/src/cli/). */
#ifndef MMU_CONFIG_YAML_LINE_H
#define MMU_CONFIG_YAML_LINE_H

#include <libfyaml.h>

/* 0-based line where node n starts, or -1 if unknown. libfyaml 0.7 exposes
 * marks on tokens only, so a collection is located by its first scalar. */
int cfg_yaml_node_line(struct fy_node *n);

#endif
