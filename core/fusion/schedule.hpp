#pragma once
// Which steps of a plan may run at the same time: consecutive fused kernels that share no
// memory one of them writes (the per-parameter updates of an optimizer step whose gradients
// come from outside the plan; the weight and bias gradients of a layer). A backend runs such a
// batch in one parallel dispatch (Backend::fused_batch) instead of one after another, which is
// what keeps plans of many small kernels from paying a dispatch each.
#include <vector>

#include "fusion/graph.hpp"
#include "fusion/planner.hpp"

namespace mt::fusion {

// Steps [first, first + count) of a program, run as one batch.
struct Batch {
  int first = 0;
  int count = 0;
};

// The program's steps cut into batches, in order: a fused step joins the batch before it
// unless one of them writes a buffer that the other reads or writes (buffers, not elements:
// two slices of one buffer never share a batch). A step that is not fused is a batch alone.
// Buffers are distinct memory: Plan::run refuses inputs that alias memory the plan writes.
std::vector<Batch> independent_batches(const Graph& graph, const Program& program);

// Per buffer: whether some step of the program writes it.
std::vector<char> written_buffers(const Graph& graph, const Program& program);

}  // namespace mt::fusion
