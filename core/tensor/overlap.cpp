#include "tensor/overlap.hpp"

#include <algorithm>
#include <array>
#include <numeric>

namespace mt {
namespace {

// Nodes the search may visit before it answers Undecided. Real layouts need a handful.
constexpr int64_t kSearchBudget = 1 << 17;

struct Axis {
  int64_t size;
  int64_t stride;
  int dim;  // the dim of the tensor
};

int64_t floor_div(int64_t a, int64_t b) {  // b > 0
  return a / b - (a % b != 0 && a < 0);
}
int64_t ceil_div(int64_t a, int64_t b) {  // b > 0
  return a / b + (a % b != 0 && a > 0);
}

// Looks for a non-zero difference d of two indices, |d[k]| < size[k], with sum d[k] * stride[k]
// == 0, choosing d from the largest stride down. Axes are sorted by ascending stride, all with
// size >= 2 and stride >= 1.
class DifferenceSearch {
 public:
  DifferenceSearch(const std::array<Axis, kMaxRank>& axes, int count) : axes_(axes), count_(count) {
    // reach_[k]: the most that axes below k can add or take away; gcd_[k]: every such sum is a
    // multiple of it (0 when there are no axes below).
    reach_[0] = 0;
    gcd_[0] = 0;
    for (int k = 0; k < count; ++k) {
      reach_[k + 1] = reach_[k] + (axes[k].size - 1) * axes[k].stride;
      gcd_[k + 1] = std::gcd(gcd_[k], axes[k].stride);
    }
  }

  SelfOverlap::Kind run() { return solve(count_ - 1, 0, false); }
  int64_t difference(int k) const { return d_[k]; }

 private:
  // Chooses d[k], ..., d[0] so that partial + their sum is 0. `nonzero`: a higher axis already
  // differs; until one does, d is kept positive on the first differing axis (d and -d are the
  // same pair of indices).
  SelfOverlap::Kind solve(int k, int64_t partial, bool nonzero) {
    if (--budget_ < 0) return SelfOverlap::Kind::Undecided;
    if (k < 0) return partial == 0 && nonzero ? SelfOverlap::Kind::Found : SelfOverlap::Kind::None;
    const Axis& axis = axes_[k];
    // |partial + v * stride| <= reach_[k], or the axes below cannot cancel it.
    const int64_t lo = std::max({ceil_div(-reach_[k] - partial, axis.stride), -(axis.size - 1),
                                 nonzero ? -(axis.size - 1) : int64_t{0}});
    const int64_t hi = std::min(floor_div(reach_[k] - partial, axis.stride), axis.size - 1);
    for (int64_t v = lo; v <= hi; ++v) {
      const int64_t rest = partial + v * axis.stride;
      if (gcd_[k] == 0 ? rest != 0 : rest % gcd_[k] != 0) continue;
      d_[k] = v;
      const SelfOverlap::Kind kind = solve(k - 1, rest, nonzero || v != 0);
      if (kind != SelfOverlap::Kind::None) return kind;
    }
    return SelfOverlap::Kind::None;
  }

  const std::array<Axis, kMaxRank>& axes_;
  int count_;
  std::array<int64_t, kMaxRank + 1> reach_;
  std::array<int64_t, kMaxRank + 1> gcd_;
  std::array<int64_t, kMaxRank> d_{};
  int64_t budget_ = kSearchBudget;
};

}  // namespace

SelfOverlap find_self_overlap(const Dims& shape, const Dims& strides) {
  SelfOverlap result;
  result.first = Dims::filled(shape.size(), 0);
  result.second = result.first;
  // Axes of size 1 never differ; a tensor without elements has nothing to overlap.
  std::array<Axis, kMaxRank> axes;
  int count = 0;
  for (int64_t size : shape)
    if (size == 0) return result;
  for (int d = 0; d < shape.size(); ++d) {
    if (shape[d] == 1) continue;
    if (strides[d] == 0) {  // a broadcast dim: its first two indices are one element
      result.kind = SelfOverlap::Kind::Found;
      result.second[d] = 1;
      return result;
    }
    axes[count++] = Axis{shape[d], strides[d], d};
  }
  std::sort(axes.begin(), axes.begin() + count,
            [](const Axis& a, const Axis& b) { return a.stride < b.stride; });
  // The common case: each stride steps past everything the smaller ones reach.
  int64_t reach = 0;
  bool nested = true;
  for (int k = 0; k < count && nested; ++k) {
    nested = axes[k].stride > reach;
    reach += (axes[k].size - 1) * axes[k].stride;
  }
  if (nested) return result;

  DifferenceSearch search(axes, count);
  result.kind = search.run();
  if (result.kind == SelfOverlap::Kind::Found)
    for (int k = 0; k < count; ++k) {
      const int64_t v = search.difference(k);
      (v > 0 ? result.first : result.second)[axes[k].dim] = v > 0 ? v : -v;
    }
  return result;
}

}  // namespace mt
