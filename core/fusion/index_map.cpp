#include "fusion/index_map.hpp"

#include "base/index.hpp"

namespace mt::fusion {

IndexMap identity_map(int rank) {
  IndexMap map{Dims::filled(rank, 0), Dims::filled(rank, 0)};
  for (int d = 0; d < rank; ++d)
    map.dims[d] = d;
  return map;
}

std::optional<IndexMap> map_through(const View& read, const Dims& shape) {
  const Dims strides = contiguous_strides(shape);
  IndexMap map{Dims::filled(read.shape.size(), -1), Dims::filled(shape.size(), 0)};
  // The producer index of the view's element 0: its offset decoded in the row-major radix.
  int64_t offset = read.offset;
  for (int64_t size : shape)
    if (size == 0) return map;  // no elements: nothing to walk
  for (int e = 0; e < shape.size(); ++e) {
    map.start[e] = offset / strides[e];
    offset %= strides[e];
  }
  Dims used = Dims::filled(shape.size(), 0);
  for (int d = 0; d < read.shape.size(); ++d) {
    if (read.shape[d] == 1 || read.strides[d] == 0) continue;  // a broadcast: index 0 throughout
    int match = -1;
    for (int e = 0; e < shape.size(); ++e)
      if (shape[e] > 1 && strides[e] == read.strides[d] && !used[e]) match = e;
    if (match < 0 || map.start[match] + read.shape[d] > shape[match]) return std::nullopt;
    used[match] = 1;
    map.dims[d] = match;
  }
  return map;
}

std::optional<IndexMap> squeeze_map(const Dims& from, const Dims& to) {
  IndexMap map{Dims::filled(from.size(), -1), Dims::filled(to.size(), 0)};
  int e = 0;
  for (int d = 0; d < from.size(); ++d) {
    if (from[d] == 1) continue;
    while (e < to.size() && to[e] == 1)
      ++e;
    if (e == to.size() || to[e] != from[d]) return std::nullopt;
    map.dims[d] = e++;
  }
  while (e < to.size() && to[e] == 1)
    ++e;
  if (e != to.size()) return std::nullopt;
  return map;
}

bool is_identity(const IndexMap& map, const Dims& shape) {
  for (int d = 0; d < shape.size(); ++d)
    if (map.start[d] != 0 || (shape[d] > 1 && map.dims[d] != d)) return false;
  return true;
}

IndexMap compose(const IndexMap& outer, const IndexMap& inner) {
  IndexMap map{Dims::filled(outer.dims.size(), -1), inner.start};
  for (int g = 0; g < outer.dims.size(); ++g)
    if (outer.dims[g] >= 0) map.dims[g] = inner.dims[outer.dims[g]];
  // The inner index of outer's start: every outer dim that inner walks moves it.
  for (int d = 0; d < inner.dims.size(); ++d)
    if (inner.dims[d] >= 0) map.start[inner.dims[d]] += outer.start[d];
  return map;
}

View load_view(const View& view, const IndexMap& map, const Dims& shape) {
  View out{view.buffer, view.offset, view.dtype, shape, Dims::filled(shape.size(), 0)};
  // A dim of size 1 broadcasts (the producer's inputs have its rank, numpy style): every index
  // there reads element 0, whatever its stride says.
  for (int e = 0; e < view.shape.size(); ++e)
    if (view.shape[e] > 1) out.offset += map.start[e] * view.strides[e];
  for (int g = 0; g < shape.size(); ++g)
    if (map.dims[g] >= 0 && shape[g] > 1 && view.shape[map.dims[g]] > 1)
      out.strides[g] = view.strides[map.dims[g]];
  return out;
}

}  // namespace mt::fusion
