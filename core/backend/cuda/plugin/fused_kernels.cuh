// The plugin's fused kernels (fused_kernels.hpp): generate, compile once per structure, launch.
// One translation unit per plugin, as the other .cuh units.
#include "backend/cuda/plugin/fused_kernels.hpp"

#include <cstdlib>
#include <string>
#include <vector>

#include "backend/cuda/codegen/fused_source.hpp"
#include "backend/cuda/kernels/launch.cuh"
#include "backend/cuda/kernels/launchers.hpp"
#include "backend/cuda/plugin/cuda_check.hpp"
#include "base/error.hpp"

namespace mt::cuda {
namespace {

// Products with epilogues stay with the plugin's matmul (or cuBLAS), whose blocking a generated
// kernel would have to restate.
constexpr const char* kProductRefusal = "matmul epilogues are not generated for CUDA devices";

// The reduce op's input in the unfused program: the prologue's result, a contiguous tensor of
// the iteration shape (only its layout is read).
mt_cuda_view prologue_view(const FusedKernel& kernel, const FusedProgramInfo& info) {
  mt_cuda_view view{};
  view.dtype = static_cast<int32_t>(kernel.instructions[info.reduce_at].dtype);
  view.rank = kernel.rank;
  int64_t stride = 1;
  for (int d = kernel.rank - 1; d >= 0; --d) {
    view.shape[d] = kernel.shape[d];
    view.strides[d] = stride;
    stride *= kernel.shape[d];
  }
  return view;
}

// The core's view as the plugin's C struct: the same bytes (cuda_backend.cpp asserts it).
const mt_cuda_view& as_view(const StridedView& view) {
  return *reinterpret_cast<const mt_cuda_view*>(&view);
}

// How a kernel is launched: its space and the launch's size. A reduction takes the group (and
// grid) that the unfused reduce of the prologue's result would take, so that the fold's order,
// and its bits, are the same.
struct Launch {
  codegen::FusedSpace space;
  dim3 grid, block;
};
// MINITENSOR_FUSED_INDEX64=1 makes every generated kernel use 64-bit index math, as sizes past
// int32 do (the tests run that variant on small sizes; it also helps to rule it out on a GPU).
bool index64_forced() {
  static const bool forced = [] {
    const char* value = std::getenv("MINITENSOR_FUSED_INDEX64");
    return value != nullptr && std::string(value) == "1";
  }();
  return forced;
}

Launch plan_launch(const FusedKernel& kernel, const FusedProgramInfo& info) {
  Launch launch{codegen::describe_space(kernel, info), dim3(), dim3()};
  if (index64_forced()) launch.space.index32 = false;
  const codegen::FusedSpace& space = launch.space;
  if (space.numel == 0) return launch;
  if (space.reduction) {
    const ReducePlan plan =
        reduce_plan(prologue_view(kernel, info), as_view(reduce_output(kernel, info)));
    launch.space.group = plan.group;
    launch.grid = plan.grid;
    launch.block = plan.block;
  } else {
    const int64_t items = (space.numel + space.vector - 1) / space.vector;
    launch.block = dim3(block_threads(items));
    launch.grid = dim3(grid_blocks(items, launch.block.x));
  }
  return launch;
}

}  // namespace

FusedKernels::FusedKernels(int device, int sm_major, int sm_minor)
    : cache_(device, sm_major, sm_minor) {}

const FusedKernels::Ready& FusedKernels::find(const FusedKernel& kernel,
                                              const FusedProgramInfo& info,
                                              const codegen::FusedSpace& space) {
  const std::string signature = codegen::space_signature(kernel, space);
  const std::lock_guard lock(mutex_);
  const auto found = ready_.find(signature);
  if (found != ready_.end()) return found->second;
  const codegen::FusedSource source = codegen::generate_source(kernel, info, space, signature);
  // The source is its own key: it depends on the structure only, never on sizes.
  const jit::Lookup lookup = cache_.get({source.source, source.source, source.entry});
  Ready ready{lookup.kernel, lookup.why};
  return ready_.emplace(signature, std::move(ready)).first->second;
}

std::string FusedKernels::prepare(const FusedKernel& kernel, const FusedProgramInfo& info) {
  if (info.product) return kProductRefusal;
  return find(kernel, info, plan_launch(kernel, info).space).why;
}

void FusedKernels::run(const FusedKernel& kernel, const FusedProgramInfo& info,
                       cudaStream_t stream) {
  if (info.product) fail(ErrorCode::Unsupported, "fused kernel refused: ", kProductRefusal);
  const Launch launch = plan_launch(kernel, info);
  if (launch.space.numel == 0) return;  // also the core's probe, which must compile nothing
  const Ready& ready = find(kernel, info, launch.space);
  if (ready.kernel == nullptr) fail(ErrorCode::Unsupported, "fused kernel refused: ", ready.why);
  const std::vector<long long> params = codegen::pack_params(kernel, launch.space);
  check(jit::launch(*ready.kernel, launch.grid, launch.block, 0, stream, params.data()),
        "fused kernel over ", launch.space.numel, launch.space.reduction ? " slices" : " elements");
}

}  // namespace mt::cuda
