#pragma once
// The plan cache: the planner's decisions by structure. Two graphs have one structure when they
// record the same calls (kinds, ops, parameters) on the same buffers with the same dtypes and
// ranks and the same layout class in every view (which dims have size 1, which strides are 0,
// contiguous or other, whether a view covers its buffer), whatever their sizes. A graph whose
// structure is cached is planned by checking the cached decisions instead of searching for them.
// Bounded, least recently used first out; shared by all threads.
#include <cstdint>
#include <memory>
#include <string>

#include "fusion/plan.hpp"

namespace mt::fusion {

struct PlanCacheStats {
  int64_t entries = 0;
  int64_t capacity = 0;
  int64_t hits = 0;
  int64_t misses = 0;
  // Why the latest miss missed: the first field of the structure that differs from the closest
  // cached entry ("node 2 op: 2 cached, 0 given"), or that the cache was empty.
  std::string last_miss;
};

// Plans `graph`, with fusion as MINITENSOR_FUSION says, through the cache.
std::shared_ptr<Plan> compile(std::shared_ptr<const Graph> graph);

PlanCacheStats plan_cache_stats();
// At most `capacity` entries (0: no caching); by default MINITENSOR_PLAN_CACHE or 64. Throws
// InvalidArgument for a negative capacity.
void set_plan_cache_capacity(int64_t capacity);
// Drops every entry and zeroes the counts.
void clear_plan_cache();

}  // namespace mt::fusion
