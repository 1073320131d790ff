#include "autograd/record.hpp"

#include "autograd/meta.hpp"
#include "base/error.hpp"

namespace mt::autograd {

// The one place that reaches a tensor's autodiff state.
struct Recorder {
  static AutogradMeta& meta(const Tensor& t) {
    auto& meta = t.impl_->autograd;
    if (!meta) meta = std::make_shared<AutogradMeta>();
    return *meta;
  }
};

AutogradMeta& meta_of(const Tensor& t) { return Recorder::meta(t); }

void attach(const Tensor& out, std::shared_ptr<Node> node, std::initializer_list<Tensor> inputs) {
  node->edges.reserve(inputs.size());
  for (const Tensor& in : inputs) {
    Edge edge{in.grad_fn(), Tensor(), in.shape(), in.dtype()};
    if (!edge.node && in.requires_grad()) edge.leaf = in;
    node->edges.push_back(std::move(edge));
  }
  AutogradMeta& meta = meta_of(out);
  meta.requires_grad = true;
  meta.grad_fn = std::move(node);
}

Node::~Node() {
  std::vector<std::shared_ptr<Node>> orphans;
  const auto adopt = [&orphans](std::vector<Edge>& from) {
    for (Edge& edge : from)
      if (edge.node && edge.node.use_count() == 1) orphans.push_back(std::move(edge.node));
  };
  adopt(edges);
  while (!orphans.empty()) {
    std::shared_ptr<Node> node = std::move(orphans.back());
    orphans.pop_back();
    adopt(node->edges);
  }  // node dies here with no last references to other nodes
}

namespace {

class FunctionNode final : public Node {
 public:
  FunctionNode(const char* name, GradFn backward) : Node(name), backward_(std::move(backward)) {}
  std::vector<Tensor> apply(const Tensor& grad) override { return {backward_(grad)}; }

 private:
  void release_saved() override { backward_ = nullptr; }
  GradFn backward_;
};

}  // namespace

Tensor record_unary(const char* name, const Tensor& in, const Tensor& out, GradFn backward) {
  if (should_record({&in}))
    attach(out, std::make_shared<FunctionNode>(name, std::move(backward)), {in});
  return out;
}

void check_out_no_grad(const char* op, std::initializer_list<const Tensor*> tensors) {
  if (!grad_enabled()) return;
  for (const Tensor* t : tensors)
    if (t->requires_grad())
      fail(ErrorCode::InvalidArgument, op,
           ": an operand requires grad, but writes into an existing tensor (out= ops, set) "
           "record no gradient; turn grad mode off first (NoGradGuard, or "
           "mt_set_grad_enabled(0) in C) or use the variant that returns a new tensor");
}

}  // namespace mt::autograd
