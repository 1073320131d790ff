#include "autograd/engine.hpp"

#include <utility>
#include <vector>

#include "autograd/grad_mode.hpp"
#include "autograd/node.hpp"
#include "base/error.hpp"
#include "ops/creation.hpp"
#include "ops/tensor_ops.hpp"

namespace mt::autograd {
namespace {

// The gradient that `grad` gives `root` to start from.
Tensor initial_grad(const Tensor& root, const Tensor& grad) {
  if (!root.requires_grad())
    fail(ErrorCode::InvalidArgument,
         "backward: the tensor does not require grad (no leaf it was made from requires grad, "
         "or it was made under no-grad)");
  if (!grad.defined()) {
    if (root.numel() != 1)
      fail(ErrorCode::InvalidArgument, "backward: the tensor has shape ", root.shape(),
           ", not one element, so it needs a gradient of that shape");
    return ones(root.shape(), root.dtype(), root.device());
  }
  if (grad.shape() != root.shape())
    fail(ErrorCode::ShapeMismatch, "backward: the gradient has shape ", grad.shape(),
         " but the tensor has shape ", root.shape());
  const Tensor on_device = grad.to(root.device());
  return on_device.dtype() == root.dtype() ? on_device : on_device.to(root.dtype());
}

// The nodes reachable from a root, each once, with walk.waiting_for set to the number of edges
// that lead to it from the others. Clears the walk state of them all when it goes away.
class Graph {
 public:
  // Throws, before anything is computed, when a node has been released (leaving no walk
  // state behind).
  explicit Graph(const std::shared_ptr<Node>& root) {
    std::vector<Node*> stack{root.get()};
    reach(root);
    while (!stack.empty()) {
      Node* node = stack.back();
      stack.pop_back();
      if (node->released()) {
        clear();
        fail(ErrorCode::InvalidArgument, "backward: the graph through ", node->name(),
             " has been freed by an earlier backward; pass retain_graph = true to the first "
             "backward to walk a graph twice");
      }
      for (const Edge& edge : node->edges) {
        if (!edge.node) continue;
        ++edge.node->walk.waiting_for;
        if (!edge.node->walk.reached) {
          reach(edge.node);
          stack.push_back(edge.node.get());
        }
      }
    }
  }
  ~Graph() { clear(); }
  Graph(const Graph&) = delete;
  Graph& operator=(const Graph&) = delete;

  const std::vector<std::shared_ptr<Node>>& nodes() const { return nodes_; }

 private:
  void reach(const std::shared_ptr<Node>& node) {
    node->walk.reached = true;
    nodes_.push_back(node);
  }
  void clear() {
    for (const auto& node : nodes_)
      node->walk = {};
  }
  std::vector<std::shared_ptr<Node>> nodes_;
};

// `grad` as the gradient of an input of `edge`'s shape and dtype.
Tensor conform(const Tensor& grad, const Edge& edge, const Node& node) {
  Tensor out = grad;
  if (out.shape() != edge.shape) {
    try {
      out = sum_to(out, edge.shape);
    } catch (const Error& e) {
      fail(ErrorCode::ShapeMismatch, "backward of ", node.name(), ": a gradient of shape ",
           grad.shape(), " for an input of shape ", edge.shape, " (", e.what(), ")");
    }
  }
  return out.dtype() == edge.dtype ? out : out.to(edge.dtype);
}

// Adds `grad` to the running sum in `slot` (out of place: a gradient may be shared).
void add_into(Tensor& slot, const Tensor& grad) { slot = slot.defined() ? slot + grad : grad; }

// Adds `grad` to the leaf's .grad. A first gradient is kept as is where it is ours alone and
// contiguous, else copied: the .grad must not share memory with anything else.
void accumulate(const Tensor& leaf, Tensor grad) {
  if (leaf.grad().defined())
    leaf.set_grad(leaf.grad() + grad);
  else
    leaf.set_grad(grad.is_sole_owner() && grad.is_contiguous() ? std::move(grad) : grad.clone());
}

}  // namespace

Tensor sum_to(const Tensor& grad, const Dims& shape) {
  const int lead = grad.dim() - shape.size();
  if (lead < 0)
    fail(ErrorCode::ShapeMismatch, "cannot sum shape ", grad.shape(), " to shape ", shape);
  Dims dims;
  for (int d = 0; d < grad.dim(); ++d) {
    const int64_t size = grad.shape()[d];
    const int64_t target = d < lead ? 1 : shape[d - lead];
    if (target == size) continue;
    if (target != 1)
      fail(ErrorCode::ShapeMismatch, "cannot sum shape ", grad.shape(), " to shape ", shape);
    dims.push_back(d);
  }
  return (dims.empty() ? grad : sum(grad, dims, true)).reshape(shape);
}

void backward(const Tensor& root, const Tensor& grad, bool retain_graph) {
  const Tensor start = initial_grad(root, grad);
  NoGradGuard no_grad;
  if (root.is_leaf()) {
    accumulate(root, start);
    return;
  }
  const Graph graph(root.grad_fn());
  // Kahn's algorithm: a node runs once every node that feeds it a gradient has run. Leaf
  // gradients are summed aside and stored at the end, so that an error leaves every .grad as
  // it was.
  root.grad_fn()->walk.grad = start;
  std::vector<std::pair<Tensor, Tensor>> leaf_grads;  // (leaf, its gradient)
  std::vector<Node*> ready{root.grad_fn().get()};
  while (!ready.empty()) {
    Node* node = ready.back();
    ready.pop_back();
    std::vector<Tensor> grads;
    if (node->walk.grad.defined()) {
      grads = node->apply(node->walk.grad);
      node->walk.grad = Tensor();
    }
    for (size_t i = 0; i < node->edges.size(); ++i) {
      const Edge& edge = node->edges[i];
      Tensor g = i < grads.size() && grads[i].defined() ? conform(grads[i], edge, *node) : Tensor();
      if (edge.node) {
        if (g.defined()) add_into(edge.node->walk.grad, g);
        if (--edge.node->walk.waiting_for == 0) ready.push_back(edge.node.get());
      } else if (edge.leaf.defined() && g.defined()) {
        auto it = leaf_grads.begin();
        while (it != leaf_grads.end() && !it->first.is_same(edge.leaf))
          ++it;
        if (it == leaf_grads.end())
          leaf_grads.emplace_back(edge.leaf, std::move(g));
        else
          add_into(it->second, g);
      }
    }
  }
  for (auto& [leaf, g] : leaf_grads)
    accumulate(leaf, std::move(g));
  if (!retain_graph)
    for (const auto& node : graph.nodes())
      node->release();
}

}  // namespace mt::autograd
