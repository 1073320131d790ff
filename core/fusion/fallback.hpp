#pragma once
// Per-kernel fallback: a fused step that the plan's backend will not run (Backend::
// prepare_fused: a device without a code generator, a compile that failed) becomes its ops, one
// step each, in program order, as eager code runs them. The rest of the plan stays fused.
#include <string>
#include <vector>

#include "backend/backend.hpp"
#include "fusion/graph.hpp"
#include "fusion/planner.hpp"

namespace mt::fusion {

// A fused kernel that runs op by op, and why.
struct Fallback {
  std::vector<int> nodes;  // the kernel's ops, in program order
  Dims space;              // the kernel's iteration space
  int first_step = 0;      // the steps that run its ops now (none left: all ran before)
  int step_count = 0;
  std::string why;  // the backend's reason, verbatim
};

// Asks `backend` to prepare each fused step of `program` and replaces each one refused by its
// nodes, each a step of its own. A node inlined into several refused kernels runs once, in the
// first (its buffer is written once, and nothing overwrites its inputs before its last
// consumer); each one that runs gets a buffer (the roles are assigned again). Every write of
// the eager program happens, including those a kernel dropped as overwritten.
std::vector<Fallback> unfuse_refused(const Graph& graph, Program& program, Backend& backend);

}  // namespace mt::fusion
