#include "fusion/fallback.hpp"

namespace mt::fusion {

std::vector<Fallback> unfuse_refused(const Graph& graph, Program& program, Backend& backend) {
  std::vector<std::string> refused(program.steps.size());
  bool any = false;
  for (size_t s = 0; s < program.steps.size(); ++s) {
    if (program.steps[s].fused) refused[s] = backend.prepare_fused(program.steps[s].kernel.kernel);
    any |= !refused[s].empty();
  }
  std::vector<Fallback> fallbacks;
  if (!any) return fallbacks;
  std::vector<Step> steps;
  std::vector<char> runs_alone(graph.nodes.size(), 0);  // already a step of its own
  for (size_t s = 0; s < program.steps.size(); ++s) {
    Step& step = program.steps[s];
    std::string& why = refused[s];
    if (why.empty()) {
      steps.push_back(std::move(step));
      continue;
    }
    const FusedKernel& kernel = step.kernel.kernel;
    Fallback fallback{step.nodes, Dims(std::span<const int64_t>(kernel.shape, kernel.rank)),
                      int(steps.size()), 0, std::move(why)};
    for (int node : step.nodes) {
      if (runs_alone[node]) continue;
      runs_alone[node] = 1;
      steps.push_back({false, {}, node, {node}});
      ++fallback.step_count;
    }
    fallbacks.push_back(std::move(fallback));
  }
  program.steps = std::move(steps);
  assign_roles(graph, program);
  return fallbacks;
}

}  // namespace mt::fusion
