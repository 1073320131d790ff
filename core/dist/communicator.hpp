#pragma once
// A communicator over the processes a launcher started (mpirun, srun, ...), and collectives on
// CPU tensors of any strides. Without a launcher it is a world of one: nothing is loaded, every
// collective is a check and a no-op, so the same program runs unchanged in one process.
#include <cstdint>
#include <string>

#include "dist/plugin_abi.h"
#include "op_tables/reduce_ops.hpp"
#include "tensor/tensor.hpp"

namespace mt::dist {

// How all_reduce combines: Ordered (the default) gathers every contribution and folds them in
// rank order, so every rank holds the same bits and runs repeat; Engine is the engine's own
// all-reduce (MPI_Allreduce), whose order, and rounding, is the engine's.
enum class AllReduceMode : int32_t { Ordered = 0, Engine = 1 };

// Every collective is called by every rank, in the same order, with tensors of the same dtype
// and size; a rank that differs makes the call fail with CollectiveMismatch on every rank,
// naming the first rank that differs. An engine failure is CollectiveFailed, and so is a
// collective that some rank has not entered, or that has not completed, MINITENSOR_DIST_TIMEOUT
// seconds (300 by default) after this rank entered it (naming the ranks that did and did not
// enter it, so that a hung or missing rank never hangs the job silently); after either
// the world is broken: every later collective fails with CollectiveFailed. Collectives from
// several threads are serialised.
class Communicator {
 public:
  // The world the launcher started (the first call joins it, initialising MPI unless the
  // process already has), or a world of one. Throws Unsupported when a launcher is present but
  // the engine plugin is missing or refused, CollectiveFailed when joining fails.
  static Communicator from_environment();

  int32_t rank() const { return rank_; }
  int32_t size() const { return size_; }
  // This rank's place among the ranks on its node (for choosing a GPU).
  int32_t local_rank() const { return local_rank_; }
  // "mpi", or "none" for a world of one.
  const char* engine() const;

  // t = op over every rank's t, in place.
  void all_reduce(const Tensor& t, ReduceOp op, AllReduceMode mode = AllReduceMode::Ordered) const;
  // t = rank root's t.
  void broadcast(const Tensor& t, int32_t root) const;
  // A new contiguous tensor of shape (size, t's shape...) whose row r is rank r's t.
  Tensor all_gather(const Tensor& t) const;
  // Returns once every rank has entered it.
  void barrier() const;

 private:
  Communicator() = default;
  bool alone() const { return size_ == 1 && plugin_ == nullptr; }

  const mt_dist_plugin* plugin_ = nullptr;  // null: a world of one
  int32_t rank_ = 0;
  int32_t size_ = 1;
  int32_t local_rank_ = 0;
  double timeout_ = 0;  // seconds a collective waits for every rank
};

}  // namespace mt::dist
