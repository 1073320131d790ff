#pragma once
#include <array>
#include <cstdint>
#include <initializer_list>
#include <ostream>
#include <span>
#include <string>

#include "base/host_device.hpp"

namespace mt {

// The largest rank a tensor may have. Index math keeps shapes in fixed arrays of this size so
// that it never allocates and a whole shape can be passed to a GPU kernel by value.
inline constexpr int kMaxRank = 16;

// A shape, a stride list or a multi-index: up to kMaxRank int64 values held inline.
class Dims {
 public:
  MT_HD constexpr Dims() = default;
  Dims(std::initializer_list<int64_t> values);
  explicit Dims(std::span<const int64_t> values);
  // `rank` copies of `value`; throws when rank is outside [0, kMaxRank].
  static Dims filled(int64_t rank, int64_t value);

  MT_HD int size() const { return rank_; }
  MT_HD bool empty() const { return rank_ == 0; }
  MT_HD int64_t& operator[](int i) { return values_[i]; }
  MT_HD const int64_t& operator[](int i) const { return values_[i]; }
  MT_HD int64_t* begin() { return values_.data(); }
  MT_HD int64_t* end() { return values_.data() + rank_; }
  MT_HD const int64_t* begin() const { return values_.data(); }
  MT_HD const int64_t* end() const { return values_.data() + rank_; }
  MT_HD const int64_t* data() const { return values_.data(); }

  void push_back(int64_t value);
  // Inserts `value` before position `at` (0..size()); throws when full.
  void insert(int at, int64_t value);
  // Removes the value at position `at`.
  void erase(int at);

  friend bool operator==(const Dims& a, const Dims& b);

 private:
  int32_t rank_ = 0;
  // Only the first rank_ values are ever read: the rest stay uninitialized (a Dims is made for
  // every op, often several, and zeroing 16 slots each time showed in profiles).
  std::array<int64_t, kMaxRank> values_;
};

// "(5, 7, 5, 1)"; a rank-1 list prints as "(5,)" like a Python tuple, rank 0 as "()".
std::string to_string(const Dims& dims);
std::ostream& operator<<(std::ostream& out, const Dims& dims);

}  // namespace mt
