#pragma once
// The recorded graph: each tensor made by an op on tensors that require grad holds the Node
// of that op (its grad_fn); a node holds one Edge per input, leading to the input's own node
// or, for a leaf, to the input itself, where its gradient accumulates.
#include <memory>
#include <vector>

#include "tensor/tensor.hpp"

namespace mt::autograd {

class Node;

struct Edge {
  std::shared_ptr<Node> node;  // the input's grad_fn, when it has one
  Tensor leaf;                 // else the input itself, when it is a leaf that requires grad
  Dims shape;                  // the input's shape and dtype: the gradient that flows along
  DType dtype;                 // the edge is summed to the shape and converted to the dtype
  bool active() const { return node != nullptr || leaf.defined(); }
};

class Node {
 public:
  explicit Node(const char* name) : name_(name) {}
  // Frees the nodes only this one holds iteratively: a graph as deep as a long training run's
  // would overflow the stack if each node's destructor freed the next.
  virtual ~Node();
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  // The op's name, for messages ("matmul", "permute", ...).
  const char* name() const { return name_; }

  // Given the gradient of the op's result, the gradients of its inputs, one per edge (an
  // undefined tensor where none flows). Each may have the result's broadcast shape: the
  // engine sums it to the input's shape.
  virtual std::vector<Tensor> apply(const Tensor& grad) = 0;

  // After a backward without retain_graph: drops the saved tensors and the edges; the node
  // can no longer be applied.
  void release() {
    release_saved();
    edges.clear();
    released_ = true;
  }
  bool released() const { return released_; }

  std::vector<Edge> edges;

  // The bookkeeping of a backward walking this node (engine.cpp), cleared when it ends: a
  // graph is walked by one backward at a time.
  struct Walk {
    bool reached = false;
    int waiting_for = 0;  // edges from nodes yet to run
    Tensor grad;          // the sum of the gradients received so far
  } walk;

 protected:
  virtual void release_saved() {}

 private:
  const char* name_;
  bool released_ = false;
};

}  // namespace mt::autograd
