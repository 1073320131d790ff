#include "base/dims.hpp"

#include <algorithm>

#include "base/error.hpp"

namespace mt {
namespace {

void check_rank(size_t rank) {
  if (rank > static_cast<size_t>(kMaxRank))
    fail(ErrorCode::InvalidArgument, "rank ", rank, " exceeds the maximum rank ", kMaxRank);
}

}  // namespace

Dims::Dims(std::initializer_list<int64_t> values)
    : Dims(std::span<const int64_t>(values.begin(), values.size())) {}

Dims::Dims(std::span<const int64_t> values) {
  check_rank(values.size());
  std::copy(values.begin(), values.end(), values_.begin());
  rank_ = static_cast<int32_t>(values.size());
}

Dims Dims::filled(int64_t rank, int64_t value) {
  if (rank < 0) fail(ErrorCode::InvalidArgument, "negative rank ", rank);
  check_rank(static_cast<size_t>(rank));
  Dims dims;
  dims.rank_ = static_cast<int32_t>(rank);
  std::fill(dims.begin(), dims.end(), value);
  return dims;
}

void Dims::push_back(int64_t value) { insert(rank_, value); }

void Dims::insert(int at, int64_t value) {
  check_rank(static_cast<size_t>(rank_) + 1);
  std::copy_backward(begin() + at, end(), end() + 1);
  values_[at] = value;
  ++rank_;
}

void Dims::erase(int at) {
  std::copy(begin() + at + 1, end(), begin() + at);
  --rank_;
}

bool operator==(const Dims& a, const Dims& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end());
}

std::string to_string(const Dims& dims) {
  std::string text = "(";
  for (int d = 0; d < dims.size(); ++d) {
    if (d > 0) text += ", ";
    text += std::to_string(dims[d]);
  }
  return text + (dims.size() == 1 ? ",)" : ")");
}

std::ostream& operator<<(std::ostream& out, const Dims& dims) { return out << to_string(dims); }

}  // namespace mt
