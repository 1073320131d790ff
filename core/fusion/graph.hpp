#pragma once
// A captured program: what a capture records (fusion/capture.hpp) and a plan is compiled from
// (fusion/planner.hpp). It is the backend primitives the program called, in order, each on
// views of buffers; the frontend's work (broadcasting, promotion, shape checks, view math) was
// done when the calls were made, so a view here is exactly what the backend would have been
// handed.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "backend/backend.hpp"
#include "base/dims.hpp"
#include "base/dtype.hpp"
#include "base/storage.hpp"
#include "random/generator.hpp"

namespace mt::fusion {

enum class BufferKind {
  Input,     // a placeholder: each run binds a new tensor of the input's signature
  External,  // memory that existed before the capture (parameters): used by reference
  Internal,  // made during the capture: the plan decides whether it exists at all
};

struct Buffer {
  std::shared_ptr<Storage> storage;  // as captured; runs may rebind Input and Internal ones
  BufferKind kind;
  int input = -1;  // Input: its position among the graph's inputs
  // Internal: still referenced, when the capture ended, by something other than the graph and
  // the outputs (a parameter's gradient, an optimizer's state): its values must be written.
  bool escapes = false;
};

// A strided view of a buffer (offset and strides in elements of dtype), as a backend sees it.
struct View {
  int buffer = -1;
  int64_t offset = 0;
  DType dtype = DType::Float32;
  Dims shape, strides;
};

enum class NodeKind { Map, Zip, Reduce, MapBackward, ZipBackward, Matmul, Copy, Fill, Random };

// One backend call. inputs: map/reduce/copy (in), zip (a, b), map_backward (x, g),
// zip_backward (a, b, g), matmul (a, b); fill and random have none. The inputs of element-wise
// calls have the output's rank (broadcast inputs get leading dims of size 1).
struct Node {
  NodeKind kind = NodeKind::Map;
  int32_t op = 0;       // the UnaryOp / BinaryOp / ReduceOp id
  int32_t operand = 0;  // zip_backward: which operand's gradient
  double value = 0;     // fill
  // random: its distribution and bounds, and in `random.offset` its first counter counted from
  // the first that a run takes from its generator (the capture's earlier draws from that
  // generator come before it); each run sets the seed. `generator`: its Graph::generators index.
  RandomSpec random;
  int32_t generator = -1;
  std::vector<View> inputs;
  View out;
};

// What a run must be given for one input.
struct InputSignature {
  Dims shape;
  DType dtype;
  Device device = Device::cpu();
};

// A generator that the random calls draw from, and the counters that they take from it in all:
// each run takes them at once, as the calls in order would (fusion/plan.hpp).
struct GeneratorUse {
  std::shared_ptr<GeneratorState> state;
  uint64_t count = 0;
};

struct Graph {
  // Where every buffer is and the plan runs: the device of the capture's first tensor.
  Device device = Device::cpu();
  std::vector<Buffer> buffers;
  std::vector<Node> nodes;
  std::vector<int> inputs;  // buffer ids, in declaration order
  std::vector<InputSignature> signature;
  std::vector<View> outputs;             // the views named at the end of the capture
  std::vector<GeneratorUse> generators;  // in the order of first use
};

// The name of a node for reports and errors: "zip mul", "reduce sum", "matmul".
std::string node_name(const Node& node);
// The very same elements in the same layout: one buffer, offset, dtype, shape and strides.
bool equal_views(const View& a, const View& b);
// The element count of a view.
int64_t view_numel(const View& view);

}  // namespace mt::fusion
