#include "backend/cuda/cuda_backend.hpp"

#include <cstddef>
#include <memory>
#include <type_traits>
#include <vector>

#include "backend/cuda/cuda_runtime.hpp"
#include "backend/cuda/loader.hpp"
#include "backend/fused_program.hpp"
#include "base/error.hpp"

namespace mt {

// The plugin reads the core's views as its own: same fields, sizes and offsets.
static_assert(MT_CUDA_MAX_RANK == kMaxRank);
static_assert(std::is_standard_layout_v<StridedView> && std::is_trivially_copyable_v<StridedView>);
static_assert(sizeof(DType) == sizeof(int32_t));
static_assert(sizeof(StridedView) == sizeof(mt_cuda_view));
static_assert(alignof(StridedView) == alignof(mt_cuda_view));
static_assert(offsetof(StridedView, data) == offsetof(mt_cuda_view, data));
static_assert(offsetof(StridedView, dtype) == offsetof(mt_cuda_view, dtype));
static_assert(offsetof(StridedView, rank) == offsetof(mt_cuda_view, rank));
static_assert(offsetof(StridedView, shape) == offsetof(mt_cuda_view, shape));
static_assert(offsetof(StridedView, strides) == offsetof(mt_cuda_view, strides));

namespace {

// The view as the plugin's C struct: the same bytes (asserted above), passed on unchanged.
const mt_cuda_view* plugin_view(const StridedView& view) {
  return reinterpret_cast<const mt_cuda_view*>(&view);
}

class CudaBackend final : public Backend {
 public:
  explicit CudaBackend(int32_t index) : index_(index) {}
  std::string name() const override { return "cuda"; }

  void map(UnaryOp op, const StridedView& in, const StridedView& out) override {
    run(op_name(op), &mt_cuda_plugin::map, static_cast<int32_t>(op), plugin_view(in),
        plugin_view(out));
  }
  void zip(BinaryOp op, const StridedView& a, const StridedView& b,
           const StridedView& out) override {
    run(op_name(op), &mt_cuda_plugin::zip, static_cast<int32_t>(op), plugin_view(a), plugin_view(b),
        plugin_view(out));
  }
  void reduce(ReduceOp op, const StridedView& in, const StridedView& out) override {
    run(op_name(op), &mt_cuda_plugin::reduce, static_cast<int32_t>(op), plugin_view(in),
        plugin_view(out));
  }
  void map_backward(UnaryOp op, const StridedView& in, const StridedView& grad,
                    const StridedView& out) override {
    run(op_name(op), &mt_cuda_plugin::map_backward, static_cast<int32_t>(op), plugin_view(in),
        plugin_view(grad), plugin_view(out));
  }
  void zip_backward(BinaryOp op, int operand, const StridedView& a, const StridedView& b,
                    const StridedView& grad, const StridedView& out) override {
    run(op_name(op), &mt_cuda_plugin::zip_backward, static_cast<int32_t>(op),
        static_cast<int32_t>(operand), plugin_view(a), plugin_view(b), plugin_view(grad),
        plugin_view(out));
  }
  void matmul(const StridedView& a, const StridedView& b, const StridedView& out) override {
    run("matmul", &mt_cuda_plugin::matmul, plugin_view(a), plugin_view(b), plugin_view(out));
  }
  void copy(const StridedView& src, const StridedView& out) override {
    run("copy", &mt_cuda_plugin::copy, plugin_view(src), plugin_view(out));
  }
  void fill(const StridedView& out, double value) override {
    run("fill", &mt_cuda_plugin::fill, plugin_view(out), value);
  }
  void random(const StridedView& out, const RandomSpec& spec) override {
    run("random", &mt_cuda_plugin::random, plugin_view(out),
        static_cast<int32_t>(spec.distribution), spec.a, spec.b, spec.seed, spec.offset);
  }
  // Fused groups become kernels generated and compiled by the plugin (issue 17); the core
  // checks each kernel first, so that a planner bug is an error here, not a wild write there.
  std::string prepare_fused(const FusedKernel& kernel) override {
    const FusedProgramInfo info = analyze_fused_kernel(kernel);
    const mt_cuda_plugin& plugin = cuda_plugin(Device::cuda(index_));
    const int32_t status = plugin.fused_prepare(index_, &kernel, &info);
    if (status == static_cast<int32_t>(ErrorCode::Unsupported)) return plugin.last_error();
    if (status != 0) throw_plugin_error(plugin, status, "fused kernel");
    return {};
  }
  bool fused(const FusedKernel& kernel) override {
    const FusedProgramInfo info = analyze_fused_kernel(kernel);
    run("fused kernel", &mt_cuda_plugin::fused_run, static_cast<const void*>(&kernel),
        static_cast<const void*>(&info));
    return true;
  }

 private:
  // Runs one plugin entry on this backend's device: `entry` is the table member, `args` what
  // follows the device ordinal.
  template <class Entry, class... Args>
  void run(const char* what, Entry mt_cuda_plugin::*entry, const Args&... args) {
    const mt_cuda_plugin& plugin = cuda_plugin(Device::cuda(index_));
    plugin_call(plugin, what, plugin.*entry, index_, args...);
  }

  int32_t index_;
};

}  // namespace

Backend& cuda_backend(int32_t index) {
  // One backend per device, made once (cuda_device_count() is fixed after loading).
  static const std::vector<std::unique_ptr<CudaBackend>> backends = [] {
    std::vector<std::unique_ptr<CudaBackend>> all;
    for (int32_t i = 0; i < cuda_device_count(); ++i)
      all.push_back(std::make_unique<CudaBackend>(i));
    return all;
  }();
  return *backends.at(static_cast<size_t>(index));
}

}  // namespace mt
