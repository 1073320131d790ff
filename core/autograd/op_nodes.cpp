// The nodes of the primitives (map, zip, reduce, matmul): their gradients from the op tables'
// derivatives and from the primitives themselves. Backward runs with grad mode off.
// Nodes save the values they need detached: a saved tensor never holds a graph (so nodes link
// only through their edges, and a result saved by its own node makes no cycle).
#include "autograd/record.hpp"
#include "ops/tensor_ops.hpp"

namespace mt::autograd {
namespace {

class MapNode final : public Node {
 public:
  MapNode(UnaryOp op, const Tensor& in) : Node(op_name(op)), op_(op), in_(in.detach()) {}
  std::vector<Tensor> apply(const Tensor& grad) override { return {map_backward(op_, in_, grad)}; }

 private:
  void release_saved() override { in_ = Tensor(); }
  UnaryOp op_;
  Tensor in_;
};

class ZipNode final : public Node {
 public:
  ZipNode(BinaryOp op, const Tensor& a, const Tensor& b)
      : Node(op_name(op)), op_(op), a_(a.detach()), b_(b.detach()) {}
  std::vector<Tensor> apply(const Tensor& grad) override {
    // The derivatives of + and - are constants: no need to run the table's loops.
    if (op_ == BinaryOp::Add) return {grad, grad};
    if (op_ == BinaryOp::Sub) return {grad, edges[1].active() ? neg(grad) : Tensor()};
    std::vector<Tensor> grads(2);
    for (int operand = 0; operand < 2; ++operand)
      if (edges[operand].active()) grads[operand] = zip_backward(op_, operand, a_, b_, grad);
    return grads;
  }

 private:
  void release_saved() override { a_ = b_ = Tensor(); }
  BinaryOp op_;
  Tensor a_, b_;
};

// `out` keeps in's rank (size 1 in the reduced dims), so the gradient, put in its shape,
// broadcasts back to `in`.
class ReduceNode final : public Node {
 public:
  ReduceNode(ReduceOp op, const Tensor& in, const Tensor& out)
      : Node(op_name(op)), op_(op), in_(in.detach()), out_(out.detach()) {}
  std::vector<Tensor> apply(const Tensor& result_grad) override {
    const Tensor grad = result_grad.reshape(out_.shape());
    if (op_ == ReduceOp::Sum) return {grad.expand(in_.shape())};
    // The reduced dims (and any other of size 1: folding those changes nothing). Never empty
    // for rank >= 1, where an empty list would mean every dim.
    Dims dims;
    for (int d = 0; d < in_.dim(); ++d)
      if (out_.shape()[d] == 1) dims.push_back(d);
    if (op_ == ReduceOp::Prod) {
      // d prod / d x_i = the product of the others: out / x_i where x_i != 0; where x_i is the
      // only zero of its slice, the product of the rest; where there are more zeros, 0.
      const Tensor zero = eq(in_, scalar(0, in_.dtype()));
      const Tensor nonzero_in = in_ + zero;  // zeros replaced by ones
      const Tensor others_of_zero =
          prod(nonzero_in, dims, true) * eq(sum(zero, dims, true), scalar(1, in_.dtype()));
      return {grad * ((1.0 - zero) * out_ / nonzero_in + zero * others_of_zero)};
    }
    // max / min: the gradient goes to the elements equal to the result, split evenly on ties.
    const Tensor hit = eq(in_, out_);
    return {grad * hit / sum(hit, dims, true)};
  }

 private:
  void release_saved() override { in_ = out_ = Tensor(); }
  ReduceOp op_;
  Tensor in_, out_;
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
      : Node("matmul"), a_(a.detach()), b_(b.detach()), full_shape_(full_shape) {}
  std::vector<Tensor> apply(const Tensor& result_grad) override {
    const Tensor grad = result_grad.reshape(full_shape_);
    std::vector<Tensor> grads(2);
    if (edges[0].active()) grads[0] = matmul_like(a_, grad, b_.transpose(-1, -2));
    if (edges[1].active()) grads[1] = grad_b(grad);
    return grads;
  }

 private:
  Tensor grad_b(const Tensor& grad) const {
    const int r = grad.dim();
    const int64_t k = a_.size(-1), m = b_.size(-1);
    const bool b_unbatched = b_.numel() == k * m;
    const bool a_full_batch = a_.numel() * m == grad.numel() * k;
    if (r > 2 && b_unbatched && a_full_batch) {
      // A (batch, n, k) against one B (k, m): one matmul over the batch folded into rows,
      // A^T (k, batch n) . dOut (batch n, m), with no (batch, k, m) intermediate to sum.
      return matmul_like(b_, a_.reshape({-1, k}).transpose(0, 1), grad.reshape({-1, m}))
          .view(b_.shape());
    }
    return matmul_like(b_, a_.transpose(-1, -2), grad);
  }
  void release_saved() override { a_ = b_ = Tensor(); }
  Tensor a_, b_;
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
