#include "fusion/schedule.hpp"

#include <algorithm>

namespace mt::fusion {
namespace {

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
    const std::vector<int> reads = step_reads(graph, step), writes = step_writes(graph, step);
    const bool joins = open && step.fused && !shares(writes, read) && !shares(writes, written) &&
                       !shares(reads, written);
    if (joins) {
      ++batches.back().count;
    } else {
      batches.push_back({s, 1});
      std::fill(read.begin(), read.end(), 0);
      std::fill(written.begin(), written.end(), 0);
    }
    open = step.fused;
    for (int b : reads)
      read[b] = 1;
    for (int b : writes)
      written[b] = 1;
  }
  return batches;
}

std::vector<char> written_buffers(const Graph& graph, const Program& program) {
  std::vector<char> written(graph.buffers.size(), 0);
  for (const Step& step : program.steps)
    for (int b : step_writes(graph, step))
      written[b] = 1;
  return written;
}

}  // namespace mt::fusion
