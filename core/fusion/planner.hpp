#pragma once
// The fusion planner: decides, for a captured graph, which values are computed inside their
// consumers (inlined) and which are stored, groups what remains into steps (fused kernels and
// single backend calls), merges sibling kernels over one space, and says why each boundary is
// where it is. Decisions are the library's; the only switch is MINITENSOR_FUSION=0 (or
// fuse = false), which makes every op its own step, as in eager mode.
#include <string>
#include <vector>

#include "fusion/graph.hpp"
#include "fusion/kernel_builder.hpp"

namespace mt::fusion {

// Where a buffer's memory comes from when a plan runs.
enum class BufferRole {
  Input,   // the tensor a run is given
  Fixed,   // the captured storage: parameters, state that outlives the capture, constants
  Fresh,   // allocated for each run (a stored intermediate, or an output the run returns)
  Elided,  // never exists: every value in it is computed where it is used
};

struct Step {
  bool fused = false;
  BuiltKernel kernel;      // fused
  int node = -1;           // not fused: the one node run as a backend call
  std::vector<int> nodes;  // every node the step computes, in program order (for reports)
};

// What the planner decided, without the sizes: enough to plan a graph of the same structure
// again (the plan cache) by checking the decisions instead of searching for them.
struct Decisions {
  std::vector<char> inlined;                   // per node
  std::vector<std::vector<int>> step_roots;    // per step: its roots, the head (if any) first
  std::vector<char> step_fused;                // per step
  std::vector<std::string> stored_why, notes;  // the reasons, as Program has them
};

struct Program {
  Decisions decisions;
  std::vector<Step> steps;
  std::vector<BufferRole> roles;        // per buffer
  std::vector<std::string> stored_why;  // per node: why its value is stored ("" if inlined)
  std::vector<std::string> notes;       // other decisions worth reporting (cuts, merges)
  int dead_nodes = 0;                   // nodes whose values nothing reads (dropped)
};

// The buffers a step reads (loads, a product's matrices) and the ones it writes.
std::vector<int> step_reads(const Graph& graph, const Step& step);
std::vector<int> step_writes(const Graph& graph, const Step& step);

// Plans `graph`. With `reuse` (decisions made for a graph of the same structure) the planner
// checks each decision against this graph and rebuilds the kernels; where one does not hold it
// plans from scratch, and says so in the notes.
Program plan_program(const Graph& graph, bool fuse, const Decisions* reuse = nullptr);

// Sets program.roles from its steps: inputs are bound; outside memory, kept state and constants
// (read but written by no step before) stay the captured storage; what a step writes or reads
// otherwise is fresh; the rest is elided.
void assign_roles(const Graph& graph, Program& program);

// Whether MINITENSOR_FUSION allows fusion (unset or anything but "0").
bool fusion_enabled_by_environment();

}  // namespace mt::fusion
