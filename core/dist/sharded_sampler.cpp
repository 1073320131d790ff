#include "dist/sharded_sampler.hpp"

#include <numeric>
#include <utility>

#include "base/error.hpp"
#include "random/philox.hpp"

namespace mt::dist {

ShardedSampler::ShardedSampler(int64_t dataset_size, int64_t global_batch, int32_t world_size,
                               int32_t rank, uint64_t seed)
    : dataset_size_(dataset_size),
      global_batch_(global_batch),
      world_size_(world_size),
      rank_(rank),
      seed_(seed) {
  if (world_size < 1 || rank < 0 || rank >= world_size)
    fail(ErrorCode::InvalidArgument, "sampler: rank ", rank, " is not a rank of a world of ",
         world_size);
  if (global_batch < 1 || global_batch % world_size != 0)
    fail(ErrorCode::InvalidArgument, "sampler: the global batch ", global_batch,
         " is not a positive multiple of the world size ", world_size,
         " (every rank takes the same share)");
  if (global_batch > dataset_size)
    fail(ErrorCode::InvalidArgument, "sampler: the global batch ", global_batch,
         " is larger than the data set (", dataset_size, " samples)");
  // The permutation holds every index: a size no vector can hold would be an internal error.
  if (static_cast<uint64_t>(dataset_size) > permutation_.max_size())
    fail(ErrorCode::Overflow, "sampler: a data set of ", dataset_size,
         " samples is more than a permutation can index (at most ", permutation_.max_size(), ")");
  set_epoch(0);
}

void ShardedSampler::set_epoch(int64_t epoch) {
  if (epoch < 0) fail(ErrorCode::InvalidArgument, "sampler: epoch ", epoch, " is negative");
  epoch_ = epoch;
  permutation_.resize(dataset_size_);
  std::iota(permutation_.begin(), permutation_.end(), int64_t{0});
  // Fisher-Yates, swap i with a j in [0, i] drawn from Philox counter i: 64 random bits modulo
  // i + 1 (a bias below (i + 1) / 2^64, none that a data set can show).
  const uint64_t key = seed_ + static_cast<uint64_t>(epoch);
  for (int64_t i = dataset_size_ - 1; i > 0; --i) {
    const PhiloxBlock r = philox_block(key, static_cast<uint64_t>(i));
    const uint64_t bits = (uint64_t{r[0]} << 32) | r[1];
    const auto j = static_cast<int64_t>(bits % static_cast<uint64_t>(i + 1));
    std::swap(permutation_[i], permutation_[j]);
  }
}

std::span<const int64_t> ShardedSampler::indices(int64_t step) const {
  if (step < 0 || step >= steps())
    fail(ErrorCode::InvalidArgument, "sampler: step ", step, " is not one of the epoch's ", steps(),
         " steps");
  return std::span<const int64_t>(permutation_)
      .subspan(step * global_batch_ + rank_ * local_batch(), local_batch());
}

}  // namespace mt::dist
