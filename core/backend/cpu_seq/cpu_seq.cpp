// The reference backend, MiniTorch style: every primitive walks the output's elements in
// row-major order (loops.hpp).
#include "backend/cpu_seq/cpu_seq.hpp"

#include "backend/cpu_seq/fused.hpp"
#include "backend/cpu_seq/loops.hpp"
#include "op_tables/op_dispatch.hpp"
#include "random/philox.hpp"

namespace mt {
namespace {

using cpu_seq::for_each_index;
using cpu_seq::Strided;

class CpuSeqBackend final : public Backend {
 public:
  std::string name() const override { return "cpu_seq"; }

  void map(UnaryOp op, const StridedView& in, const StridedView& out) override {
    dispatch_dtype(out.dtype, [&](auto zero) {
      using T = decltype(zero);
      dispatch_unary(op, [&](auto fn) {
        const Strided<T> src(in), dst(out);
        const Dims out_shape = shape_of(out);
        for_each_index(shape_of(out), [&](int64_t, const Dims& i) {
          dst.at(i) = decltype(fn)::forward(src.at_broadcast(i, out_shape));
        });
      });
    });
  }

  void zip(BinaryOp op, const StridedView& a, const StridedView& b,
           const StridedView& out) override {
    dispatch_dtype(out.dtype, [&](auto zero) {
      using T = decltype(zero);
      dispatch_binary(op, [&](auto fn) {
        const Strided<T> lhs(a), rhs(b), dst(out);
        const Dims out_shape = shape_of(out);
        for_each_index(shape_of(out), [&](int64_t, const Dims& i) {
          dst.at(i) =
              decltype(fn)::forward(lhs.at_broadcast(i, out_shape), rhs.at_broadcast(i, out_shape));
        });
      });
    });
  }

  void map_backward(UnaryOp op, const StridedView& in, const StridedView& grad,
                    const StridedView& out) override {
    dispatch_dtype(out.dtype, [&](auto zero) {
      using T = decltype(zero);
      dispatch_unary(op, [&](auto fn) {
        const Strided<T> x(in), g(grad), dst(out);
        const Dims out_shape = shape_of(out);
        for_each_index(shape_of(out), [&](int64_t, const Dims& i) {
          dst.at(i) =
              decltype(fn)::backward(x.at_broadcast(i, out_shape), g.at_broadcast(i, out_shape));
        });
      });
    });
  }

  void zip_backward(BinaryOp op, int operand, const StridedView& a, const StridedView& b,
                    const StridedView& grad, const StridedView& out) override {
    dispatch_dtype(out.dtype, [&](auto zero) {
      using T = decltype(zero);
      dispatch_binary(op, [&](auto fn) {
        using Op = decltype(fn);
        const Strided<T> lhs(a), rhs(b), g(grad), dst(out);
        const Dims out_shape = shape_of(out);
        for_each_index(shape_of(out), [&](int64_t, const Dims& i) {
          const T x = lhs.at_broadcast(i, out_shape), y = rhs.at_broadcast(i, out_shape);
          const T dz = g.at_broadcast(i, out_shape);
          dst.at(i) = operand == 0 ? Op::grad_a(x, y, dz) : Op::grad_b(x, y, dz);
        });
      });
    });
  }

  void reduce(ReduceOp op, const StridedView& in, const StridedView& out) override {
    dispatch_dtype(out.dtype, [&](auto zero) {
      using T = decltype(zero);
      dispatch_reduce(op, [&](auto fn) {
        const Strided<T> src(in), dst(out);
        cpu_seq::fold_each_output<T, decltype(fn)>(
            shape_of(in), shape_of(out), [&](const Dims& i) { return src.at(i); },
            [&](const Dims& o, T value) { dst.at(o) = value; });
      });
    });
  }

  bool fused(const FusedKernel& kernel) override {
    cpu_seq::run_fused(kernel);
    return true;
  }

  void matmul(const StridedView& a, const StridedView& b, const StridedView& out) override {
    dispatch_dtype(out.dtype, [&](auto zero) {
      using T = decltype(zero);
      const Strided<T> lhs(a), rhs(b), dst(out);
      const Dims shape = shape_of(out);
      for_each_index(
          shape, [&](int64_t, const Dims& o) { dst.at(o) = matmul_element(lhs, rhs, o, shape); });
    });
  }

  void copy(const StridedView& src, const StridedView& out) override {
    dispatch_dtype(src.dtype, [&](auto src_zero) {
      dispatch_dtype(out.dtype, [&](auto out_zero) {
        using Out = decltype(out_zero);
        const Strided<decltype(src_zero)> from(src);
        const Strided<Out> dst(out);
        const Dims out_shape = shape_of(out);
        for_each_index(shape_of(out), [&](int64_t, const Dims& i) {
          dst.at(i) = static_cast<Out>(from.at_broadcast(i, out_shape));
        });
      });
    });
  }

  void fill(const StridedView& out, double value) override {
    dispatch_dtype(out.dtype, [&](auto zero) {
      using T = decltype(zero);
      const Strided<T> dst(out);
      for_each_index(shape_of(out),
                     [&](int64_t, const Dims& i) { dst.at(i) = static_cast<T>(value); });
    });
  }

  void random(const StridedView& out, const RandomSpec& spec) override {
    dispatch_dtype(out.dtype, [&](auto zero) {
      using T = decltype(zero);
      const Strided<T> dst(out);
      const T a = static_cast<T>(spec.a), b = static_cast<T>(spec.b);
      for_each_index(shape_of(out), [&](int64_t ordinal, const Dims& i) {
        const uint64_t counter = spec.offset + static_cast<uint64_t>(ordinal);
        dst.at(i) = spec.distribution == Distribution::Normal
                        ? philox_normal<T>(spec.seed, counter, a, b)
                        : philox_uniform<T>(spec.seed, counter, a, b);
      });
    });
  }
};

}  // namespace

std::unique_ptr<Backend> make_cpu_seq_backend() { return std::make_unique<CpuSeqBackend>(); }

}  // namespace mt
