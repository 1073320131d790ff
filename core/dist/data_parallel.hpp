#pragma once
// Data-parallel training over a communicator: every rank holds the same parameters, trains on
// its own block of each global batch, and before the optimizer step averages the gradients.
// Reduced with the ordered all-reduce (a sum in rank order, then one division by the world
// size), the averaged gradient has the bits of one process that runs backward on the ranks'
// blocks in rank order, accumulates, and divides by the number of blocks.
#include <cstdint>
#include <vector>

#include "dist/communicator.hpp"

namespace mt::dist {

// A few MiB: large enough that a collective's latency is small against its transfer (the
// knee of MPI's bandwidth on CPU), small enough to stay in cache while packed.
inline constexpr int64_t kDefaultBucketBytes = int64_t{2} << 20;

class DataParallel {
 public:
  // Checks that every rank passes parameters of the same count, shapes and dtypes (else every
  // rank fails with ShapeMismatch or DTypeMismatch naming the first difference), then copies
  // rank 0's values into every rank's parameters. Gradients are reduced in buckets of at most
  // `bucket_bytes` (> 0; a larger parameter is a bucket of its own), filled in reverse
  // parameter order (the order in which backward produces them).
  DataParallel(const Communicator& communicator, std::vector<Tensor> parameters,
               int64_t bucket_bytes = kDefaultBucketBytes);

  // Replaces every parameter's gradient by the average over the ranks (a parameter without a
  // gradient contributes zeros, and gets the average), bucket by bucket in the same order on
  // every rank. Does nothing while no_sync is set: backward then keeps accumulating locally.
  void reduce_gradients() const;
  void set_no_sync(bool no_sync) { no_sync_ = no_sync; }
  bool no_sync() const { return no_sync_; }
  int64_t bucket_count() const { return static_cast<int64_t>(buckets_.size()); }

 private:
  struct Bucket {
    std::vector<size_t> parameters;  // indices into parameters_, in reverse order
    int64_t numel = 0;
  };

  void check_same_parameters() const;

  Communicator communicator_;
  std::vector<Tensor> parameters_;
  std::vector<Bucket> buckets_;
  bool no_sync_ = false;
};

}  // namespace mt::dist
