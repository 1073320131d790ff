#pragma once
// A compiled graph: steps (fused kernels and single backend calls) that a run executes with new
// input tensors on the backend of the graph's device (the CPU's default backend, or a CUDA
// device's). Results are bitwise those of running the captured calls eagerly on that backend:
// element-wise values are the op tables' functions either way, and fused reductions fold in the
// backend's own order. A fused kernel that the backend will not run (Backend::prepare_fused)
// runs as its ops, one step each (fusion/fallback.hpp), and the report says why.
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "fusion/fallback.hpp"
#include "fusion/graph.hpp"
#include "fusion/planner.hpp"
#include "fusion/schedule.hpp"
#include "tensor/tensor.hpp"

namespace mt::fusion {

struct PlanStats {
  int64_t ops = 0;            // backend calls captured
  int64_t kernels = 0;        // steps a run executes
  int64_t fused_kernels = 0;  // of which fused kernels
  int64_t bytes_avoided = 0;  // intermediates that never exist (elided buffers)
  int64_t bytes_moved = 0;    // loaded and stored by the steps, counted per operand view
};

class Plan {
 public:
  // Plans `graph`; fuse = false runs every captured call as its own step. `reuse`: decisions
  // made for a graph of the same structure (fusion/plan_cache.hpp), checked before use. Asks the
  // backend of the graph's device to prepare each fused kernel, and unfuses those it refuses.
  // Throws DeviceUnavailable when that device cannot be used.
  Plan(std::shared_ptr<const Graph> graph, bool fuse, const Decisions* reuse = nullptr);

  // Runs the plan with `inputs` (the graph's signature: count, shapes, dtypes; any strides, on
  // the graph's device) and returns the outputs, on that device. Parameters and state captured by
  // reference are updated in place. Random calls take fresh counters from their generators, as the
  // captured calls would eagerly (Graph::generators). An input that the plan writes must not share
  // memory with another input or with memory the plan uses by reference (InvalidArgument
  // otherwise). Runs of one plan from several threads take turns.
  std::vector<Tensor> run(std::span<const Tensor> inputs) const;

  const Graph& graph() const { return *graph_; }
  const PlanStats& stats() const { return stats_; }
  const Decisions& decisions() const { return program_.decisions; }
  // The steps cut into batches of independent kernels, each run in one dispatch.
  const std::vector<Batch>& batches() const { return batches_; }
  // The fused kernels that the backend refused, which run op by op.
  const std::vector<Fallback>& fallbacks() const { return fallbacks_; }
  // The fused groups (their ops, inputs, outputs, bytes avoided), the kernels that run op by op
  // and why, why each stored value is stored, and the totals.
  std::string report() const;

 private:
  void check_inputs(std::span<const Tensor> inputs) const;
  void check_aliasing(std::span<const Tensor> inputs) const;
  void check_backend(Backend& backend) const;

  std::shared_ptr<const Graph> graph_;
  Program program_;
  std::vector<Fallback> fallbacks_;
  PlanStats stats_;
  std::vector<Batch> batches_;
  std::vector<char> written_;  // per buffer: whether a step writes it
  // What runs reuse (runs of one plan take turns, under run_mutex_): each fused step's kernel,
  // whose data pointers a run sets, and the backend that prepared them (the CPU's default
  // backend may change between runs).
  mutable std::vector<FusedKernel> kernels_;
  mutable const Backend* prepared_ = nullptr;
  // Per buffer: the storage of a stored intermediate, kept from run to run, and whether the
  // buffer is an output (new storage each run).
  mutable std::vector<std::shared_ptr<Storage>> scratch_;
  std::vector<char> is_output_;
  mutable std::mutex run_mutex_;
};

}  // namespace mt::fusion
