// The nodes of the primitives (map, zip, reduce, matmul): their gradients from the op tables'
// derivatives and from the primitives themselves. Backward runs with grad mode off.
// Nodes save only the values they need, as SavedTensors: detached (a saved tensor never holds a
// graph, so nodes link only through their edges and a result saved by its own node makes no
// cycle) and checked against writes made since.
#include <array>
#include <optional>
#include <type_traits>

#include "autograd/record.hpp"
#include "autograd/saved.hpp"
#include "op_tables/op_dispatch.hpp"
#include "ops/tensor_ops.hpp"

namespace mt::autograd {
namespace {

class MapNode final : public Node {
 public:
  MapNode(UnaryOp op, const Tensor& in) : Node(op_name(op)), op_(op), in_(in) {}
  std::vector<Tensor> apply(const Tensor& grad) override {
    return {map_backward(op_, in_.get(*this), grad)};
  }

 private:
  void release_saved() override { in_.reset(); }
  UnaryOp op_;
  SavedTensor in_;
};

// The signs s of the operands' gradients s * g for ops whose gradients do not depend on the
// operands (binary::SignedGrads: add, sub), read off the table; none for the others.
std::optional<std::array<double, 2>> grad_signs(BinaryOp op) {
  return dispatch_binary(op, [](auto fn) -> std::optional<std::array<double, 2>> {
    using Op = decltype(fn);
    if constexpr (std::is_base_of_v<binary::SignedGrads, Op>) {
      return std::array{Op::grad_a(0.0, 0.0, 1.0), Op::grad_b(0.0, 0.0, 1.0)};
    } else {
      return std::nullopt;
    }
  });
}

class ZipNode final : public Node {
 public:
  // Gradients +-g need no values and, for +g, no loop.
  ZipNode(BinaryOp op, const Tensor& a, const Tensor& b)
      : Node(op_name(op)), op_(op), signs_(grad_signs(op)) {
    if (!signs_) a_ = SavedTensor(a), b_ = SavedTensor(b);
  }
  std::vector<Tensor> apply(const Tensor& grad) override {
    std::vector<Tensor> grads(2);
    for (int operand = 0; operand < 2; ++operand) {
      if (!edges[operand].active()) continue;
      if (signs_)
        grads[operand] = (*signs_)[operand] > 0 ? grad : neg(grad);
      else
        grads[operand] = zip_backward(op_, operand, a_.get(*this), b_.get(*this), grad);
    }
    return grads;
  }

 private:
  void release_saved() override {
    a_.reset();
    b_.reset();
  }
  BinaryOp op_;
  std::optional<std::array<double, 2>> signs_;
  SavedTensor a_, b_;
};

// `out` keeps in's rank (size 1 in the reduced dims), so the gradient, put in its shape,
// broadcasts back to `in`.
class ReduceNode final : public Node {
 public:
  ReduceNode(ReduceOp op, const Tensor& in, const Tensor& out)
      : Node(op_name(op)), op_(op), in_shape_(in.shape()), out_shape_(out.shape()) {
    if (reads_values()) saved_in_ = SavedTensor(in), saved_out_ = SavedTensor(out);
  }
  std::vector<Tensor> apply(const Tensor& result_grad) override {
    const Tensor grad = result_grad.reshape(out_shape_);
    return {dispatch_reduce(op_, [&](auto fn) {
      using Op = decltype(fn);
      if constexpr (Op::kBackwardReadsValues) {
        const Tensor& in = saved_in_.get(*this);
        // The reduced dims (and any other of size 1: folding those changes nothing). Never
        // empty for rank >= 1, where an empty list would mean every dim.
        Dims dims;
        for (int d = 0; d < in.dim(); ++d)
          if (out_shape_[d] == 1) dims.push_back(d);
        return Op::backward(grad, in, saved_out_.get(*this), dims);
      } else {
        return Op::backward(grad, in_shape_);
      }
    })};
  }

 private:
  bool reads_values() const {
    return dispatch_reduce(op_, [](auto fn) { return decltype(fn)::kBackwardReadsValues; });
  }
  void release_saved() override {
    saved_in_.reset();
    saved_out_.reset();
  }
  ReduceOp op_;
  Dims in_shape_, out_shape_;
  SavedTensor saved_in_, saved_out_;
};

// x . y, laid out as `like`: when `like` is a transposed matrix (as the weight of a linear
// layer, w.transpose(0, 1)), computed as (y^T . x^T)^T, so that the gradient reaches the
// untransposed leaf contiguous, with no copy.
Tensor matmul_like(const Tensor& like, const Tensor& x, const Tensor& y) {
  if (like.stride(-2) == 1 && like.stride(-1) != 1)
    return matmul(y.transpose(-1, -2), x.transpose(-1, -2)).transpose(-1, -2);
  return matmul(x, y);
}

// dA = dOut . B^T and dB = A^T . dOut per batch item; the engine sums them over the batch
// dims that A or B broadcast.
class MatmulNode final : public Node {
 public:
  MatmulNode(const Tensor& a, const Tensor& b, const Dims& full_shape)
      : Node("matmul"), saved_a_(a), saved_b_(b), full_shape_(full_shape) {}
  std::vector<Tensor> apply(const Tensor& result_grad) override {
    const Tensor grad = result_grad.reshape(full_shape_);
    const Tensor& a = saved_a_.get(*this);
    const Tensor& b = saved_b_.get(*this);
    std::vector<Tensor> grads(2);
    if (edges[0].active()) grads[0] = matmul_like(a, grad, b.transpose(-1, -2));
    if (edges[1].active()) grads[1] = grad_b(a, b, grad);
    return grads;
  }

 private:
  static Tensor grad_b(const Tensor& a, const Tensor& b, const Tensor& grad) {
    const int r = grad.dim();
    const int64_t k = a.size(-1), m = b.size(-1);
    const bool b_unbatched = b.numel() == k * m;
    const bool a_full_batch = a.numel() * m == grad.numel() * k;
    if (r > 2 && b_unbatched && a_full_batch) {
      // A (batch, n, k) against one B (k, m): one matmul over the batch folded into rows,
      // A^T (k, batch n) . dOut (batch n, m), with no (batch, k, m) intermediate to sum.
      return matmul_like(b, a.reshape({-1, k}).transpose(0, 1), grad.reshape({-1, m}))
          .view(b.shape());
    }
    return matmul_like(b, a.transpose(-1, -2), grad);
  }
  void release_saved() override {
    saved_a_.reset();
    saved_b_.reset();
  }
  SavedTensor saved_a_, saved_b_;
  Dims full_shape_;
};

}  // namespace

void record_map(UnaryOp op, const Tensor& in, const Tensor& out) {
  if (should_record({&in})) attach(out, std::make_shared<MapNode>(op, in), {in});
}

void record_zip(BinaryOp op, const Tensor& a, const Tensor& b, const Tensor& out) {
  if (is_differentiable(op) && should_record({&a, &b}))
    attach(out, std::make_shared<ZipNode>(op, a, b), {a, b});
}

void record_reduce(ReduceOp op, const Tensor& in, const Tensor& kept, const Tensor& result) {
  if (should_record({&in})) attach(result, std::make_shared<ReduceNode>(op, in, kept), {in});
}

void record_matmul(const Tensor& a, const Tensor& b, const Dims& full_shape, const Tensor& result) {
  if (should_record({&a, &b}))
    attach(result, std::make_shared<MatmulNode>(a, b, full_shape), {a, b});
}

}  // namespace mt::autograd
