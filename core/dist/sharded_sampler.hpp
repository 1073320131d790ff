#pragma once
// Which samples each rank trains on: every epoch a permutation of the data set, the same on
// every rank (it depends only on seed + epoch), cut into global batches; each global batch is
// cut into one contiguous block per rank, in rank order. So the ranks' blocks of a step,
// concatenated in rank order, are the batch one process would take, and every rank runs the
// same number of steps.
#include <cstdint>
#include <span>
#include <vector>

namespace mt::dist {

class ShardedSampler {
 public:
  // Throws InvalidArgument unless 0 <= rank < world_size, global_batch is a positive multiple
  // of world_size and at most dataset_size. Starts at epoch 0.
  ShardedSampler(int64_t dataset_size, int64_t global_batch, int32_t world_size, int32_t rank,
                 uint64_t seed);

  // Full global batches per epoch: dataset_size / global_batch (the remainder is left out, so
  // that every step has the same batch on every rank).
  int64_t steps() const { return dataset_size_ / global_batch_; }
  // This rank's block: global_batch / world_size samples.
  int64_t local_batch() const { return global_batch_ / world_size_; }
  int64_t epoch() const { return epoch_; }
  // Draws the permutation of `epoch` (>= 0).
  void set_epoch(int64_t epoch);
  // The data set indices of this rank's block of step `step` (0 <= step < steps()).
  std::span<const int64_t> indices(int64_t step) const;

 private:
  int64_t dataset_size_, global_batch_;
  int32_t world_size_, rank_;
  uint64_t seed_;
  int64_t epoch_ = 0;
  std::vector<int64_t> permutation_;
};

}  // namespace mt::dist
