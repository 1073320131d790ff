#pragma once
// How a fused group reaches a value computed in another iteration space. When a consumer reads
// a producer's output through a view (a permutation, a broadcast, a slice), the producer can be
// computed inside the consumer's loop only if every consumer index names one producer index
// dim by dim. An IndexMap says which: group dim g walks producer dim dims[g] (or none, -1,
// where the group broadcasts), starting from producer index `start`. Loads of the producer's
// inputs then become views of the group's space with no index arithmetic per element.
#include <optional>

#include "base/dims.hpp"
#include "fusion/graph.hpp"

namespace mt::fusion {

struct IndexMap {
  Dims dims;   // per group dim: the producer dim it walks, or -1
  Dims start;  // the producer index at the group's index 0

  friend bool operator==(const IndexMap&, const IndexMap&) = default;
};

// The identity map of a space of `rank` dims.
IndexMap identity_map(int rank);

// The map from the index space of `read` (a view of a contiguous row-major buffer of `shape`, as
// a producer writes) to the producer's index space; nothing when some dim of the view spans
// several producer dims (a reshape that merges or splits them).
std::optional<IndexMap> map_through(const View& read, const Dims& shape);

// The map between two shapes that differ only in dims of size 1 (a reduction's output with
// kept dims, and the same values without them): their other dims pair up in order. Nothing
// when the sizes of those dims differ.
std::optional<IndexMap> squeeze_map(const Dims& from, const Dims& to);

// Whether `map` walks a space of `shape` onto itself (dims of size 1 aside).
bool is_identity(const IndexMap& map, const Dims& shape);

// `inner` after `outer`: group -> outer space -> inner space.
IndexMap compose(const IndexMap& outer, const IndexMap& inner);

// The view of the group's space (`shape`) that reads what `view` (in the producer's space)
// holds at the index `map` gives.
View load_view(const View& view, const IndexMap& map, const Dims& shape);

}  // namespace mt::fusion
