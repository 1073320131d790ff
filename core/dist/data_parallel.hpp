#pragma once
// Data-parallel training over a communicator: every rank holds the same parameters, trains on
// its own block of each global batch, and before the optimizer step averages the gradients.
// Reduced with the ordered all-reduce (a sum in rank order, then one division by the world
// size), the averaged gradient has the bits of one process that runs backward on the ranks'
// blocks in rank order, accumulates, and divides by the number of blocks.
//
// With overlap, a bucket is reduced while backward still runs: a gradient-ready hook on each
// parameter (autograd/engine.hpp) copies a bucket's gradients out once they are all final
// and hands the copy to a communication thread, which reduces the buckets strictly in bucket
// order, as reduce_gradients does without overlap: the same collectives in the same order on
// every rank, the same arithmetic, the same bits.
#include <cstdint>
#include <vector>

#include "dist/communicator.hpp"
#include "dist/ordered_worker.hpp"

namespace mt::dist {

// The bucket size when none is given. On CPU a few MiB: large enough that a collective's
// latency is small against its transfer (the knee of MPI's bandwidth), small enough to stay in
// cache while packed. With NCCL 25 MiB, as PyTorch's DDP: a GPU's kernels and links want
// larger transfers.
int64_t default_bucket_bytes(const Communicator& communicator);

// Whether buckets are reduced during backward. Auto: on for the NCCL engine; on CPU where a
// core is spare for the communication thread (this process's affinity mask has more CPUs
// than the library's thread count) and there is more than one rank.
enum class Overlap : int32_t { Auto = 0, Off = 1, On = 2 };

class DataParallel {
 public:
  // Checks that every rank passes parameters of the same count, shapes and dtypes (else every
  // rank fails with ShapeMismatch or DTypeMismatch naming the first difference), then copies
  // rank 0's values into every rank's parameters. Gradients are reduced in buckets of at most
  // `bucket_bytes` (0: default_bucket_bytes; a larger parameter is a bucket of its own), filled in
  // reverse parameter order (the order in which backward produces them). Overlap is Auto.
  DataParallel(const Communicator& communicator, std::vector<Tensor> parameters,
               int64_t bucket_bytes = 0);
  // Joins the communication thread (after the bucket it is reducing, if any) and removes the
  // hooks. Release it after reduce_gradients, not between a backward and it.
  ~DataParallel();
  DataParallel(const DataParallel&) = delete;
  DataParallel& operator=(const DataParallel&) = delete;

  // Replaces every parameter's gradient by the average over the ranks (a parameter without a
  // gradient contributes zeros, and gets the average), bucket by bucket in the same order on
  // every rank. With overlap, waits for the buckets that backward handed over and reduces the
  // others (whose parameters got no gradient); an error of the communication thread is thrown
  // here. Does nothing while no_sync is set: backward then keeps accumulating locally. Other
  // collectives belong before backward or after this call: the thread's may run meanwhile.
  void reduce_gradients();
  void set_no_sync(bool no_sync) { no_sync_ = no_sync; }
  bool no_sync() const { return no_sync_; }
  int64_t bucket_count() const { return static_cast<int64_t>(buckets_.size()); }
  // Takes effect from the next backward (Auto is decided here, from the thread count now).
  void set_overlap(Overlap mode);
  Overlap overlap_mode() const { return overlap_mode_; }
  // Whether buckets are reduced during backward (Auto decided).
  bool overlap() const { return overlap_; }

 private:
  struct Bucket {
    std::vector<size_t> parameters;  // indices into parameters_, in reverse order
    int64_t numel = 0;
  };
  // The bookkeeping of the backward(s) between two reductions, with overlap.
  struct Round {
    std::vector<char> ready;          // by parameter: its gradient was reported final
    std::vector<size_t> ready_count;  // by bucket: its parameters reported
    std::vector<char> handed_over;    // by bucket
    std::vector<Tensor> means;        // by bucket: written by the thread
    bool started = false;             // a bucket was handed over
    bool stale = false;               // a parameter was reported twice (a second backward)
  };

  void check_same_parameters() const;
  void on_grad_ready(size_t parameter);
  // The bucket's gradients, one after another (zeros for a parameter without one).
  Tensor pack(const Bucket& bucket) const;
  // The average over the ranks of a packed bucket (the ordered sum, divided once).
  Tensor average(const Tensor& packed) const;
  // Sets the bucket's parameters' gradients from its averaged copy.
  void unpack(const Bucket& bucket, const Tensor& mean) const;
  void hand_over(size_t bucket);
  void reset_round();
  void remove_hooks();

  Communicator communicator_;
  std::vector<Tensor> parameters_;
  std::vector<Bucket> buckets_;
  std::vector<size_t> bucket_of_;  // by parameter
  std::vector<int64_t> hooks_;     // by parameter: its hook's id; -1 for a non-leaf
  bool no_sync_ = false;
  Overlap overlap_mode_ = Overlap::Auto;
  bool overlap_ = false;
  Round round_;
  OrderedWorker worker_;  // last: joined first, while what its jobs use still exists
};

}  // namespace mt::dist
