#include "fusion/schedule.hpp"

#include <algorithm>

namespace mt::fusion {
namespace {

// The buffers a step reads and the ones it writes.
struct Access {
  std::vector<int> reads, writes;
};

Access step_access(const Graph& graph, const Step& step) {
  Access access;
  if (!step.fused) {
    const Node& node = graph.nodes[step.node];
    for (const View& in : node.inputs)
      access.reads.push_back(in.buffer);
    access.writes.push_back(node.out.buffer);
    return access;
  }
  const FusedKernel& kernel = step.kernel.kernel;
  const std::vector<View>& operands = step.kernel.operands;
  for (int i = 0; i < kernel.instruction_count; ++i) {
    const FusedInstruction& ins = kernel.instructions[i];
    switch (ins.kind) {
      case FusedOp::Load: access.reads.push_back(operands[ins.operand].buffer); break;
      case FusedOp::Product:  // its left and right matrices
        access.reads.push_back(operands[ins.operand].buffer);
        access.reads.push_back(operands[ins.operand + 1].buffer);
        break;
      case FusedOp::Store: access.writes.push_back(operands[ins.operand].buffer); break;
      default: break;
    }
  }
  return access;
}

bool shares(const std::vector<int>& a, const std::vector<char>& marked) {
  return std::any_of(a.begin(), a.end(), [&](int b) { return marked[b] != 0; });
}

}  // namespace

std::vector<Batch> independent_batches(const Graph& graph, const Program& program) {
  std::vector<Batch> batches;
  // What the open batch reads and writes, per buffer.
  std::vector<char> read(graph.buffers.size(), 0), written(graph.buffers.size(), 0);
  bool open = false;  // whether the last batch takes more fused steps
  for (int s = 0; s < int(program.steps.size()); ++s) {
    const Step& step = program.steps[s];
    const Access access = step_access(graph, step);
    const bool joins = open && step.fused && !shares(access.writes, read) &&
                       !shares(access.writes, written) && !shares(access.reads, written);
    if (joins) {
      ++batches.back().count;
    } else {
      batches.push_back({s, 1});
      std::fill(read.begin(), read.end(), 0);
      std::fill(written.begin(), written.end(), 0);
    }
    open = step.fused;
    for (int b : access.reads)
      read[b] = 1;
    for (int b : access.writes)
      written[b] = 1;
  }
  return batches;
}

std::vector<char> written_buffers(const Graph& graph, const Program& program) {
  std::vector<char> written(graph.buffers.size(), 0);
  for (const Step& step : program.steps)
    for (int b : step_access(graph, step).writes)
      written[b] = 1;
  return written;
}

}  // namespace mt::fusion
