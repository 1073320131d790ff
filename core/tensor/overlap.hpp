#pragma once
// Self-overlap of a strided layout: whether two different indices of (shape, strides) address
// the same element. mt_from_blob, DLPack and expand can make such views. Reading them is fine;
// writing through them is not (one element would receive several results), so every write into
// an existing tensor refuses them (Tensor::check_writable).
#include "base/dims.hpp"

namespace mt {

struct SelfOverlap {
  enum class Kind {
    None,      // every index addresses its own element
    Found,     // `first` and `second` are two indices of one element
    Undecided  // the search's budget ran out first (strides built to defeat it)
  };
  Kind kind = Kind::None;
  Dims first, second;
};

// Exact for every layout that the budget allows, which covers any real one: a layout whose
// strides, sorted, each exceed the reach of the smaller ones (a permuted or sliced dense tensor)
// is decided at once; any other by a search for a difference of two indices whose positions
// cancel, pruned by the reach and the gcd of the smaller strides. Strides must be >= 0.
SelfOverlap find_self_overlap(const Dims& shape, const Dims& strides);

}  // namespace mt
