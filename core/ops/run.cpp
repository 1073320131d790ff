#include "ops/run.hpp"

#include "backend/registry.hpp"
#include "base/capture_state.hpp"
#include "base/error.hpp"
#include "fusion/capture.hpp"
#include "tensor/strided_view.hpp"

namespace mt {
namespace {

using fusion::Node;
using fusion::NodeKind;

// The backend for `out`, after checking that no input is a capture's placeholder. Returns
// null while capturing: the caller records instead.
Backend* eager_backend(const char* op, std::initializer_list<const Tensor*> inputs,
                       const Tensor& out) {
  if (capture_active()) return nullptr;
  for (const Tensor* t : inputs)
    if (t->storage()->pending())
      fail(ErrorCode::CaptureMisuse, op, ": an operand (shape ", t->shape(),
           ") was made during a capture and holds no values; use the plan's outputs");
  return &backend_for(out.device());
}

// A node of `kind` (and op) whose views fusion::record fills.
Node call(NodeKind kind, int32_t op = 0) {
  Node node;
  node.kind = kind;
  node.op = op;
  return node;
}

}  // namespace

void run_map(UnaryOp op, const Tensor& in, const Tensor& out) {
  if (Backend* b = eager_backend(op_name(op), {&in}, out))
    b->map(op, strided_view(in), strided_view(out));
  else
    fusion::record(call(NodeKind::Map, int32_t(op)), {&in}, out);
}

void run_zip(BinaryOp op, const Tensor& a, const Tensor& b, const Tensor& out) {
  if (Backend* backend = eager_backend(op_name(op), {&a, &b}, out))
    backend->zip(op, strided_view(a), strided_view(b), strided_view(out));
  else
    fusion::record(call(NodeKind::Zip, int32_t(op)), {&a, &b}, out);
}

void run_reduce(ReduceOp op, const Tensor& in, const Tensor& out) {
  if (Backend* b = eager_backend(op_name(op), {&in}, out))
    b->reduce(op, strided_view(in), strided_view(out));
  else
    fusion::record(call(NodeKind::Reduce, int32_t(op)), {&in}, out);
}

void run_map_backward(UnaryOp op, const Tensor& x, const Tensor& g, const Tensor& out) {
  if (Backend* b = eager_backend(op_name(op), {&x, &g}, out))
    b->map_backward(op, strided_view(x), strided_view(g), strided_view(out));
  else
    fusion::record(call(NodeKind::MapBackward, int32_t(op)), {&x, &g}, out);
}

void run_zip_backward(BinaryOp op, int operand, const Tensor& a, const Tensor& b, const Tensor& g,
                      const Tensor& out) {
  if (Backend* backend = eager_backend(op_name(op), {&a, &b, &g}, out))
    backend->zip_backward(op, operand, strided_view(a), strided_view(b), strided_view(g),
                          strided_view(out));
  else {
    Node node = call(NodeKind::ZipBackward, int32_t(op));
    node.operand = operand;
    fusion::record(std::move(node), {&a, &b, &g}, out);
  }
}

void run_matmul(const Tensor& a, const Tensor& b, const Tensor& out) {
  if (Backend* backend = eager_backend("matmul", {&a, &b}, out))
    backend->matmul(strided_view(a), strided_view(b), strided_view(out));
  else
    fusion::record(call(NodeKind::Matmul), {&a, &b}, out);
}

void run_copy(const Tensor& src, const Tensor& out) {
  if (Backend* b = eager_backend("copy", {&src}, out))
    b->copy(strided_view(src), strided_view(out));
  else
    fusion::record(call(NodeKind::Copy), {&src}, out);
}

void run_fill(const Tensor& out, double value) {
  if (Backend* b = eager_backend("fill", {}, out))
    b->fill(strided_view(out), value);
  else {
    Node node = call(NodeKind::Fill);
    node.value = value;
    fusion::record(std::move(node), {}, out);
  }
}

void run_random(const Tensor& out, Distribution distribution, double a, double b,
                Generator& generator) {
  RandomSpec spec{distribution, a, b};
  if (Backend* backend = eager_backend("random", {}, out)) {
    const Draw draw = generator.draw(uint64_t(out.numel()));
    spec.seed = draw.seed;
    spec.offset = draw.offset;
    backend->random(strided_view(out), spec);
  } else {
    Node node = call(NodeKind::Random);
    node.random = spec;
    fusion::record_random(std::move(node), generator, out);
  }
}

}  // namespace mt
