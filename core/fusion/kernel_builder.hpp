#pragma once
// Turns a fused group into a FusedKernel (backend/fused_kernel.hpp): the roots' values are
// computed by walking back through the producers the planner inlined, in the group's space,
// each distinct (value, index map) once; what is not inlined is loaded. Operand views keep
// their buffer ids: a plan fills the data pointers when it runs.
#include <optional>
#include <string>
#include <vector>

#include "backend/fused_kernel.hpp"
#include "fusion/graph.hpp"

namespace mt::fusion {

// Dataflow the builder follows: for each node and input, the node that produced the value
// read (-1: none, a buffer from outside), and whether each node is computed inside its
// consumers instead of being stored.
struct Dataflow {
  std::vector<std::vector<int>> producer;
  std::vector<std::vector<int>> consumers;  // per node: the nodes that read its value
  std::vector<char> inlined;
  std::vector<char> kept;  // per buffer: its values outlive the plan (memory from outside, kept
                           // state, outputs)
};

struct BuiltKernel {
  FusedKernel kernel;           // data pointers unset
  std::vector<View> operands;   // operand k of the kernel, by buffer
  std::vector<int> loads_from;  // the nodes whose inlined values it computes (for reports)
};

// A group: element-wise `roots` (same output shape, each stored), or a Reduce node first (its
// inlined producers become the prologue) followed by element-wise roots over its output's
// space, up to dims of size 1 (the epilogue: they read the folded value in a register; the
// reduction's own result is stored only if something outside the kernel reads it). On
// success the kernel; otherwise the
// limit that was exceeded, in `why`, and the inlined node whose un-inlining helps most in
// `cut` (-1 when none can).
struct BuildResult {
  std::optional<BuiltKernel> built;
  std::string why;
  int cut = -1;
};
BuildResult build_kernel(const Graph& graph, const Dataflow& flow, const std::vector<int>& roots);

// Whether an op is cheap enough to compute again in each consumer rather than store once.
bool cheap_to_recompute(const Node& node);

}  // namespace mt::fusion
