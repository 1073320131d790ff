#include "autograd/engine.hpp"

#include <atomic>
#include <utility>
#include <vector>

#include "autograd/grad_mode.hpp"
#include "autograd/meta.hpp"
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

// A leaf that the walk reaches: the edges yet to bring it a gradient, and their sum so far.
struct LeafSlot {
  Tensor leaf;
  int waiting_for = 0;
  Tensor grad;
};

// The nodes reachable from a root, each once, with walk.waiting_for set to the number of edges
// that lead to it from the others, and the leaves they lead to, with the same count. Clears
// the walk state of the nodes when it goes away.
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
        if (!edge.node) {
          if (edge.leaf.defined()) ++leaf(edge.leaf).waiting_for;
          continue;
        }
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
  LeafSlot& leaf(const Tensor& t) {
    for (LeafSlot& slot : leaves_)
      if (slot.leaf.is_same(t)) return slot;
    return leaves_.emplace_back(LeafSlot{t, 0, Tensor()});
  }

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
  std::vector<LeafSlot> leaves_;
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

// The leaves whose .grad a backward has stored, and what each held before: put back should the
// backward fail.
class StoredGrads {
 public:
  StoredGrads() = default;
  StoredGrads(const StoredGrads&) = delete;
  StoredGrads& operator=(const StoredGrads&) = delete;
  ~StoredGrads() {
    if (!done_)
      for (auto it = previous_.rbegin(); it != previous_.rend(); ++it)
        it->first.set_grad(it->second);
  }
  // Adds the leaf's final gradient of this backward to its .grad, then calls its gradient-ready
  // hooks. A first gradient is kept as is where it is ours alone and contiguous, else copied:
  // the .grad must not share memory with anything else.
  void store(const Tensor& leaf, Tensor grad) {
    const Tensor before = leaf.grad();
    previous_.emplace_back(leaf, before);
    if (before.defined())
      leaf.set_grad(before + grad);
    else
      leaf.set_grad(grad.is_sole_owner() && grad.is_contiguous() ? std::move(grad) : grad.clone());
    const auto& hooks = meta_of(leaf).grad_ready_hooks;
    if (hooks.empty()) return;
    const auto calls = hooks;  // a copy: a hook may outlive its removal by another
    for (const auto& [id, hook] : calls)
      hook(leaf);
  }
  // The backward succeeded: keep the gradients.
  void keep() { done_ = true; }

 private:
  std::vector<std::pair<Tensor, Tensor>> previous_;  // (leaf, its .grad before)
  bool done_ = false;
};

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

int64_t add_grad_ready_hook(const Tensor& leaf, GradReadyHook hook) {
  if (!leaf.is_leaf())
    fail(ErrorCode::InvalidArgument, "add_grad_ready_hook: the tensor was made by ",
         leaf.grad_fn()->name(), ", not a leaf; only leaves receive gradients");
  static std::atomic<int64_t> next_id{0};
  const int64_t id = next_id++;
  meta_of(leaf).grad_ready_hooks.emplace_back(id, std::move(hook));
  return id;
}

void remove_grad_ready_hook(const Tensor& leaf, int64_t id) {
  auto& hooks = meta_of(leaf).grad_ready_hooks;
  std::erase_if(hooks, [id](const auto& hook) { return hook.first == id; });
}

void backward(const Tensor& root, const Tensor& grad, bool retain_graph) {
  const Tensor start = initial_grad(root, grad);
  NoGradGuard no_grad;
  StoredGrads stored;
  if (root.is_leaf()) {
    stored.store(root, start);
    stored.keep();
    return;
  }
  Graph graph(root.grad_fn());
  // Kahn's algorithm: a node runs once every node that feeds it a gradient has run, and a
  // leaf's gradient is stored once every node that feeds it has run.
  root.grad_fn()->walk.grad = start;
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
      } else if (edge.leaf.defined()) {
        LeafSlot& slot = graph.leaf(edge.leaf);
        if (g.defined()) add_into(slot.grad, g);
        if (--slot.waiting_for == 0 && slot.grad.defined())
          stored.store(slot.leaf, std::move(slot.grad));
      }
    }
  }
  stored.keep();
  if (!retain_graph)
    for (const auto& node : graph.nodes())
      node->release();
}

}  // namespace mt::autograd
