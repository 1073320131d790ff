#include "fusion/plan_cache.hpp"

#include <cstdlib>
#include <cstring>
#include <list>
#include <mutex>
#include <vector>

#include "base/error.hpp"
#include "base/index.hpp"
#include "fusion/planner.hpp"

namespace mt::fusion {
namespace {

// One field of a structure: its value and, for explaining a miss, what it is.
struct Field {
  const char* what;
  int32_t node;  // -1: not a node's
  int32_t part;  // the view or dim it is about, or -1
};

struct Key {
  std::vector<int64_t> values;
  std::vector<Field> fields;

  void add(int64_t value, const char* what, int32_t node = -1, int32_t part = -1) {
    values.push_back(value);
    fields.push_back({what, node, part});
  }

  // The layout class of a view: dims of size 1, strides that are 0, row-major or other.
  void add_view(const Graph& graph, const View& view, const char* what, int32_t node,
                int32_t part) {
    add(view.buffer, what, node, part);
    add(int64_t(view.dtype), "dtype", node, part);
    add(view.shape.size(), "rank", node, part);
    const Dims row_major = contiguous_strides(view.shape);
    for (int d = 0; d < view.shape.size(); ++d) {
      const int64_t stride = view.strides[d];
      const int64_t kind = view.shape[d] == 1       ? 0
                           : stride == 0            ? 1
                           : stride == row_major[d] ? 2
                                                    : 3;
      add(kind, "layout of dim", node, part * kMaxRank + d);
    }
    add(view.offset == 0, "offset is 0", node, part);
    add(view_numel(view) * itemsize(view.dtype) == graph.buffers[view.buffer].storage->nbytes(),
        "covers its buffer", node, part);
  }
};

Key structure(const Graph& graph, bool fuse) {
  Key key;
  key.add(fuse, "fusion");
  // A plan runs where its capture was: decisions made for one device are not another's.
  key.add(int64_t(graph.device.type), "device type");
  key.add(graph.device.index, "device index");
  key.add(int64_t(graph.buffers.size()), "buffers");
  for (size_t b = 0; b < graph.buffers.size(); ++b) {
    key.add(int64_t(graph.buffers[b].kind), "buffer kind", -1, int32_t(b));
    key.add(graph.buffers[b].escapes, "buffer escapes", -1, int32_t(b));
  }
  key.add(int64_t(graph.nodes.size()), "ops");
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    const Node& n = graph.nodes[i];
    const int32_t at = int32_t(i);
    key.add(int64_t(n.kind), "kind", at);
    key.add(n.op, "op", at);
    key.add(n.operand, "operand", at);
    int64_t value_bits;
    static_assert(sizeof value_bits == sizeof n.value);
    std::memcpy(&value_bits, &n.value, sizeof value_bits);
    key.add(value_bits, "fill value", at);
    key.add(int64_t(n.random.distribution), "random distribution", at);
    key.add(int64_t(n.inputs.size()), "inputs", at);
    for (size_t k = 0; k < n.inputs.size(); ++k)
      key.add_view(graph, n.inputs[k], "input buffer", at, int32_t(k));
    key.add_view(graph, n.out, "output buffer", at, -1);
  }
  key.add(int64_t(graph.outputs.size()), "outputs");
  for (size_t k = 0; k < graph.outputs.size(); ++k)
    key.add_view(graph, graph.outputs[k], "plan output buffer", -1, int32_t(k));
  return key;
}

std::string describe(const Field& f) {
  std::string text = f.node >= 0 ? cat("op ", f.node, " ") : std::string();
  text += f.what;
  if (f.part >= 0) text += cat(" (", f.part, ")");
  return text;
}

struct Entry {
  Key key;
  Decisions decisions;
};

int64_t default_capacity() {
  const char* text = std::getenv("MINITENSOR_PLAN_CACHE");
  if (text == nullptr) return 64;
  char* end = nullptr;
  const long long value = std::strtoll(text, &end, 10);
  return end != text && *end == '\0' && value >= 0 ? value : 64;
}

struct Cache {
  std::mutex mutex;
  std::list<Entry> entries;  // most recently used first
  int64_t capacity = default_capacity();
  int64_t hits = 0, misses = 0;
  std::string last_miss;

  void trim() {
    while (int64_t(entries.size()) > capacity)
      entries.pop_back();
  }

  // Why `key` is not cached: its first difference from the entry that shares the longest prefix.
  std::string explain(const Key& key) const {
    if (entries.empty()) return "the cache is empty";
    size_t best = 0;
    const Entry* closest = nullptr;
    for (const Entry& e : entries) {
      size_t same = 0;
      while (same < e.key.values.size() && same < key.values.size() &&
             e.key.values[same] == key.values[same])
        ++same;
      if (!closest || same > best) best = same, closest = &e;
    }
    if (best >= key.values.size() || best >= closest->key.values.size())
      return "the structure is longer or shorter than every cached one";
    return cat(describe(key.fields[best]), ": ", closest->key.values[best], " cached, ",
               key.values[best], " given");
  }
};

Cache& cache() {
  static Cache instance;
  return instance;
}

}  // namespace

std::shared_ptr<Plan> compile(std::shared_ptr<const Graph> graph) {
  const bool fuse = fusion_enabled_by_environment();
  Key key = structure(*graph, fuse);
  Cache& c = cache();
  std::optional<Decisions> cached;
  {
    const std::lock_guard lock(c.mutex);
    for (auto it = c.entries.begin(); it != c.entries.end(); ++it)
      if (it->key.values == key.values) {
        c.entries.splice(c.entries.begin(), c.entries, it);
        cached = it->decisions;
        ++c.hits;
        break;
      }
    if (!cached) {
      ++c.misses;
      c.last_miss = c.explain(key);
    }
  }
  auto plan = std::make_shared<Plan>(std::move(graph), fuse, cached ? &*cached : nullptr);
  if (!cached) {
    const std::lock_guard lock(c.mutex);
    if (c.capacity > 0) {
      c.entries.push_front({std::move(key), plan->decisions()});
      c.trim();
    }
  }
  return plan;
}

PlanCacheStats plan_cache_stats() {
  Cache& c = cache();
  const std::lock_guard lock(c.mutex);
  return {int64_t(c.entries.size()), c.capacity, c.hits, c.misses, c.last_miss};
}

void set_plan_cache_capacity(int64_t capacity) {
  if (capacity < 0)
    fail(ErrorCode::InvalidArgument, "plan cache capacity ", capacity, " is negative");
  Cache& c = cache();
  const std::lock_guard lock(c.mutex);
  c.capacity = capacity;
  c.trim();
}

void clear_plan_cache() {
  Cache& c = cache();
  const std::lock_guard lock(c.mutex);
  c.entries.clear();
  c.hits = c.misses = 0;
  c.last_miss.clear();
}

}  // namespace mt::fusion
