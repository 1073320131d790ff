#include "backend/cuda/cuda_backend.hpp"

#include <algorithm>

#include "backend/cuda/loader.hpp"

namespace mt {
namespace {

mt_cuda_view view_of(const Tensor& t) {
  mt_cuda_view view{};
  view.data = t.raw_data();
  view.dtype = static_cast<int32_t>(t.dtype());
  view.rank = t.dim();
  std::copy(t.shape().begin(), t.shape().end(), view.shape);
  std::copy(t.strides().begin(), t.strides().end(), view.strides);
  return view;
}

static_assert(MT_CUDA_MAX_RANK == kMaxRank);

// Runs one plugin entry on out's device: `entry` is the table member, `args` what follows the
// device ordinal (tensors become views).
template <class Entry, class... Args>
void run(const char* what, const Tensor& out, Entry mt_cuda_plugin::*entry, const Args&... args) {
  const mt_cuda_plugin& plugin = cuda_plugin(out.device());
  plugin_call(plugin, what, plugin.*entry, out.device().index, args...);
}

class CudaBackend final : public Backend {
 public:
  std::string name() const override { return "cuda"; }

  void map(UnaryOp op, const Tensor& in, const Tensor& out) override {
    const mt_cuda_view a = view_of(in), o = view_of(out);
    run(op_name(op), out, &mt_cuda_plugin::map, static_cast<int32_t>(op), &a, &o);
  }
  void zip(BinaryOp op, const Tensor& a, const Tensor& b, const Tensor& out) override {
    const mt_cuda_view x = view_of(a), y = view_of(b), o = view_of(out);
    run(op_name(op), out, &mt_cuda_plugin::zip, static_cast<int32_t>(op), &x, &y, &o);
  }
  void reduce(ReduceOp op, const Tensor& in, const Tensor& out) override {
    const mt_cuda_view a = view_of(in), o = view_of(out);
    run(op_name(op), out, &mt_cuda_plugin::reduce, static_cast<int32_t>(op), &a, &o);
  }
  void map_backward(UnaryOp op, const Tensor& in, const Tensor& grad, const Tensor& out) override {
    const mt_cuda_view a = view_of(in), g = view_of(grad), o = view_of(out);
    run(op_name(op), out, &mt_cuda_plugin::map_backward, static_cast<int32_t>(op), &a, &g, &o);
  }
  void zip_backward(BinaryOp op, int operand, const Tensor& a, const Tensor& b, const Tensor& grad,
                    const Tensor& out) override {
    const mt_cuda_view x = view_of(a), y = view_of(b), g = view_of(grad), o = view_of(out);
    run(op_name(op), out, &mt_cuda_plugin::zip_backward, static_cast<int32_t>(op),
        static_cast<int32_t>(operand), &x, &y, &g, &o);
  }
  void matmul(const Tensor& a, const Tensor& b, const Tensor& out) override {
    const mt_cuda_view x = view_of(a), y = view_of(b), o = view_of(out);
    run("matmul", out, &mt_cuda_plugin::matmul, &x, &y, &o);
  }
  void copy(const Tensor& src, const Tensor& out) override {
    const mt_cuda_view s = view_of(src), o = view_of(out);
    run("copy", out, &mt_cuda_plugin::copy, &s, &o);
  }
  void fill(const Tensor& out, double value) override {
    const mt_cuda_view o = view_of(out);
    run("fill", out, &mt_cuda_plugin::fill, &o, value);
  }
  void random(const Tensor& out, const RandomSpec& spec) override {
    const mt_cuda_view o = view_of(out);
    run("random", out, &mt_cuda_plugin::random, &o, static_cast<int32_t>(spec.distribution), spec.a,
        spec.b, spec.seed, spec.offset);
  }
};

}  // namespace

Backend& cuda_backend() {
  static CudaBackend backend;
  return backend;
}

}  // namespace mt
