// The reference backend, MiniTorch style: every primitive walks the output's elements in
// row-major order, turns the ordinal into a multi-index (to_index), maps that index into each
// input (broadcast_index) and reads the input through its strides (index_to_position).
#include "backend/cpu_seq/cpu_seq.hpp"

#include "base/index.hpp"
#include "random/philox.hpp"

namespace mt {
namespace {

// Element access to a tensor of element type T through its strides.
template <class T> class Strided {
 public:
  explicit Strided(const StridedView& v)
      : data_(data_as<T>(v)), shape_(shape_of(v)), strides_(strides_of(v)) {}

  T& at(const Dims& index) const { return data_[index_to_position(index, strides_)]; }

  // The element that `out_index` of an output of shape `out_shape` reads when this tensor is
  // broadcast to that shape.
  T& at_broadcast(const Dims& out_index, const Dims& out_shape) const {
    Dims index;
    broadcast_index(out_index, out_shape, shape_, index);
    return at(index);
  }

 private:
  T* data_;
  Dims shape_;
  Dims strides_;
};

// Calls body(ordinal, index) for every element of `out`, in row-major order.
template <class Body> void for_each_index(const StridedView& out, Body&& body) {
  const Dims shape = shape_of(out);
  const int64_t count = numel(out);
  Dims index;
  for (int64_t i = 0; i < count; ++i) {
    to_index(i, shape, index);
    body(i, index);
  }
}

class CpuSeqBackend final : public Backend {
 public:
  std::string name() const override { return "cpu_seq"; }

  void map(UnaryOp op, const StridedView& in, const StridedView& out) override {
    dispatch_dtype(out.dtype, [&](auto zero) {
      using T = decltype(zero);
      dispatch_unary(op, [&](auto fn) {
        const Strided<T> src(in), dst(out);
        const Dims out_shape = shape_of(out);
        for_each_index(out, [&](int64_t, const Dims& i) {
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
        for_each_index(out, [&](int64_t, const Dims& i) {
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
        for_each_index(out, [&](int64_t, const Dims& i) {
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
        for_each_index(out, [&](int64_t, const Dims& i) {
          const T x = lhs.at_broadcast(i, out_shape), y = rhs.at_broadcast(i, out_shape);
          const T dz = g.at_broadcast(i, out_shape);
          dst.at(i) = operand == 0 ? Op::grad_a(x, y, dz) : Op::grad_b(x, y, dz);
        });
      });
    });
  }

  void reduce(ReduceOp op, const StridedView& in, const StridedView& out) override {
    // The reduced dims are those where out has size 1: for each output element, walk the
    // sub-shape of those dims and fold the input elements found there.
    Dims reduced_shape = Dims::filled(in.rank, 1);
    for (int d = 0; d < in.rank; ++d)
      if (out.shape[d] == 1) reduced_shape[d] = in.shape[d];
    const int64_t reduced_count = checked_numel(reduced_shape);
    dispatch_dtype(out.dtype, [&](auto zero) {
      using T = decltype(zero);
      dispatch_reduce(op, [&](auto fn) {
        using Op = decltype(fn);
        const Strided<T> src(in), dst(out);
        for_each_index(out, [&](int64_t, const Dims& out_index) {
          T acc = Op::template identity<T>();
          Dims in_index = out_index, offset;
          for (int64_t j = 0; j < reduced_count; ++j) {
            to_index(j, reduced_shape, offset);
            for (int d = 0; d < in.rank; ++d)
              in_index[d] = out.shape[d] == 1 ? offset[d] : out_index[d];
            acc = Op::combine(acc, src.at(in_index));
          }
          dst.at(out_index) = acc;
        });
      });
    });
  }

  void matmul(const StridedView& a, const StridedView& b, const StridedView& out) override {
    // out[..., i, j] = sum_k a[..., i, k] * b[..., k, j], summed in place: no (i, k, j)
    // intermediate. broadcast_index maps the batch dims; the contracted one is then set to k.
    const int rank = out.rank;
    const int64_t inner = a.shape[rank - 1];
    dispatch_dtype(out.dtype, [&](auto zero) {
      using T = decltype(zero);
      const Strided<T> lhs(a), rhs(b), dst(out);
      const Dims out_shape = shape_of(out), a_shape = shape_of(a), b_shape = shape_of(b);
      for_each_index(out, [&](int64_t, const Dims& o) {
        Dims ai, bi;
        broadcast_index(o, out_shape, a_shape, ai);
        broadcast_index(o, out_shape, b_shape, bi);
        T acc = T(0);
        for (int64_t k = 0; k < inner; ++k) {
          ai[rank - 1] = k;
          bi[rank - 2] = k;
          acc += lhs.at(ai) * rhs.at(bi);
        }
        dst.at(o) = acc;
      });
    });
  }

  void copy(const StridedView& src, const StridedView& out) override {
    dispatch_dtype(src.dtype, [&](auto src_zero) {
      dispatch_dtype(out.dtype, [&](auto out_zero) {
        using Out = decltype(out_zero);
        const Strided<decltype(src_zero)> from(src);
        const Strided<Out> dst(out);
        const Dims out_shape = shape_of(out);
        for_each_index(out, [&](int64_t, const Dims& i) {
          dst.at(i) = static_cast<Out>(from.at_broadcast(i, out_shape));
        });
      });
    });
  }

  void fill(const StridedView& out, double value) override {
    dispatch_dtype(out.dtype, [&](auto zero) {
      using T = decltype(zero);
      const Strided<T> dst(out);
      for_each_index(out, [&](int64_t, const Dims& i) { dst.at(i) = static_cast<T>(value); });
    });
  }

  void random(const StridedView& out, const RandomSpec& spec) override {
    dispatch_dtype(out.dtype, [&](auto zero) {
      using T = decltype(zero);
      const Strided<T> dst(out);
      const T a = static_cast<T>(spec.a), b = static_cast<T>(spec.b);
      for_each_index(out, [&](int64_t ordinal, const Dims& i) {
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
