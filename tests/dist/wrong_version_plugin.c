/* A plugin whose table speaks another version: the core must refuse it with a message. */
#include "dist/plugin_abi.h"

static const mt_dist_plugin table = {1000, "wrong"}; /* a version no library speaks */

__attribute__((visibility("default"))) const mt_dist_plugin* mt_dist_plugin_entry(void) {
  return &table;
}
