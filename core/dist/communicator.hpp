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

struct World;  // the process's place among the ranks (communicator.cpp)

// How all_reduce combines: Ordered (the default) is a reduce-scatter in rank order (rank r folds
// every rank's slice r in rank order) then an all-gather of the folded slices, so every rank holds
// the same bits and runs repeat; Engine is the engine's own all-reduce (MPI_Allreduce,
// ncclAllReduce), whose order, and rounding, is the engine's.
enum class AllReduceMode : int32_t { Ordered = 0, Engine = 1 };

// Every collective is called by every rank, in the same order, with tensors of the same dtype
// and size; a rank that differs makes the call fail with CollectiveMismatch on every rank,
// naming the first rank that differs (each rank exchanges a fingerprint of its call; with
// MINITENSOR_DIST_DEBUG=1 the whole call, so that the message names both calls in full). An engine
// failure is CollectiveFailed, and so is a collective that some rank has not entered, or that has
// not completed, timeout() seconds (MINITENSOR_DIST_TIMEOUT, 300 by default) after this rank
// entered it (naming the ranks that did and did not enter it, so that a hung or missing rank never
// hangs the job silently); after either the world is broken: every later collective fails with
// CollectiveFailed. Collectives from several threads are serialised.
class Communicator {
 public:
  // The world the launcher started (the first call joins it, initialising MPI unless the
  // process already has), or a world of one. Throws Unsupported when a launcher is present but
  // the engine plugin is missing or refused, CollectiveFailed when joining fails.
  static Communicator from_environment();

  int32_t rank() const;
  int32_t size() const;
  // This rank's place among the ranks on its node (for choosing a GPU).
  int32_t local_rank() const;
  // "mpi", "nccl" (MINITENSOR_DIST_ENGINE=nccl: CUDA tensors go through NCCL, CPU tensors
  // and the bookkeeping through MPI), or "none" for a world of one.
  const char* engine() const;
  // Seconds a collective of this communicator waits for every rank.
  double timeout() const { return timeout_; }
  // Throws InvalidArgument unless seconds is positive and finite.
  void set_timeout(double seconds);

  // t = op over every rank's t, in place.
  void all_reduce(const Tensor& t, ReduceOp op, AllReduceMode mode = AllReduceMode::Ordered) const;
  // t = rank root's t.
  void broadcast(const Tensor& t, int32_t root) const;
  // A new contiguous tensor of shape (size, t's shape...) whose row r is rank r's t.
  Tensor all_gather(const Tensor& t) const;
  // Returns once every rank has entered it.
  void barrier() const;

 private:
  explicit Communicator(const World& world);
  bool alone() const;

  const World* world_;  // the process's one world (a world of one without a launcher)
  double timeout_;      // seconds a collective waits for every rank
};

}  // namespace mt::dist
