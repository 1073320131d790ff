#include "fusion/capture.hpp"

#include <unordered_map>

#include "base/capture_state.hpp"
#include "base/error.hpp"

namespace mt::fusion {
namespace {

struct Recorder {
  // The capture's active_capture_id, kept: end_capture names its outputs (buffer_of) after the
  // capture has stopped being active.
  uint64_t id = 0;
  Graph graph;
  std::unordered_map<const Storage*, int> buffer_ids;
  std::unordered_map<const GeneratorState*, int> generator_ids;

  // `written`: the call writes `t` (an op's output), which it may do to memory that holds no
  // values yet; every other use reads it.
  int buffer_of(const Tensor& t, bool written = false) {
    const std::shared_ptr<Storage>& storage = t.storage();
    if (graph.buffers.empty())
      graph.device = storage->device();
    else if (storage->device() != graph.device)
      fail(ErrorCode::DeviceMismatch, "capture: a tensor (shape ", t.shape(), ") is on ",
           storage->device(), " but the capture's tensors are on ", graph.device,
           "; a plan runs on one device");
    const auto [it, added] = buffer_ids.try_emplace(storage.get(), int(graph.buffers.size()));
    if (!added) return it->second;
    // Made in an earlier capture and never written by a plan: it has no values to read. Only
    // what this capture made is the plan's to place; the rest is memory from outside.
    const uint64_t made_in = storage->made_in_capture();
    if (made_in != 0 && made_in != id && storage->pending() && !written) {
      buffer_ids.erase(it);
      fail(ErrorCode::CaptureMisuse, "capture: a tensor (shape ", t.shape(),
           ") was made during an earlier capture and holds no values; use a plan's outputs");
    }
    graph.buffers.push_back({storage, made_in == id ? BufferKind::Internal : BufferKind::External});
    return it->second;
  }

  View view_of(const Tensor& t, bool written = false) {
    return {buffer_of(t, written), t.offset(), t.dtype(), t.shape(), t.strides()};
  }

  int generator_of(const Generator& generator) {
    const auto [it, added] =
        generator_ids.try_emplace(generator.state().get(), int(graph.generators.size()));
    if (added) graph.generators.push_back({generator.state()});
    return it->second;
  }
};

thread_local std::unique_ptr<Recorder> active;

Recorder& recorder(const char* what) {
  if (!active)
    fail(ErrorCode::CaptureMisuse, what, ": no capture is active on this thread (begin one first)");
  return *active;
}

}  // namespace

void begin_capture() {
  if (active)
    fail(ErrorCode::CaptureMisuse,
         "begin_capture: a capture is already active on this thread; captures do not nest");
  active = std::make_unique<Recorder>();
  set_capture_active(true);
  active->id = active_capture_id();
}

Tensor capture_input(const Dims& shape, DType dtype, Device device) {
  Recorder& r = recorder("capture_input");
  Tensor placeholder = Tensor::empty(shape, dtype, device);
  const int id = r.buffer_of(placeholder);
  r.graph.buffers[id].kind = BufferKind::Input;
  r.graph.buffers[id].input = int(r.graph.inputs.size());
  r.graph.inputs.push_back(id);
  r.graph.signature.push_back({shape, dtype, device});
  return placeholder;
}

std::shared_ptr<const Graph> end_capture(std::span<const Tensor> outputs) {
  Recorder& r = recorder("end_capture");
  const std::unique_ptr<Recorder> ending = std::move(active);
  set_capture_active(false);
  for (size_t i = 0; i < outputs.size(); ++i) {
    if (!outputs[i].defined())
      fail(ErrorCode::CaptureMisuse, "end_capture: output ", i, " is an undefined tensor");
    r.graph.outputs.push_back(r.view_of(outputs[i]));
  }
  // Who else holds each storage: the graph holds one reference, each distinct output tensor one.
  for (Buffer& buffer : r.graph.buffers) {
    long holders = 1;
    for (size_t i = 0; i < outputs.size(); ++i) {
      bool counted = false;
      for (size_t j = 0; j < i; ++j)
        counted |= outputs[j].is_same(outputs[i]);
      if (!counted && outputs[i].storage() == buffer.storage) ++holders;
    }
    buffer.escapes = buffer.storage.use_count() > holders;
  }
  return std::make_shared<const Graph>(std::move(r.graph));
}

void abandon_capture() {
  active.reset();
  set_capture_active(false);
}

bool is_capture_input(const Tensor& t) {
  if (!active || !t.defined()) return false;
  const auto it = active->buffer_ids.find(t.storage().get());
  return it != active->buffer_ids.end() &&
         active->graph.buffers[it->second].kind == BufferKind::Input;
}

void record(Node node, std::initializer_list<const Tensor*> inputs, const Tensor& out) {
  Recorder& r = recorder(node_name(node).c_str());
  node.out = r.view_of(out, true);
  const bool elementwise = node.kind != NodeKind::Reduce && node.kind != NodeKind::Matmul;
  for (const Tensor* t : inputs) {
    View view = r.view_of(*t);
    // numpy broadcasting aligns dims on the right: an element-wise input of fewer dims gets
    // leading dims of size 1, so that dim d of every view is dim d of the op's space.
    while (elementwise && view.shape.size() < node.out.shape.size()) {
      view.shape.insert(0, 1);
      view.strides.insert(0, 0);
    }
    node.inputs.push_back(view);
  }
  r.graph.nodes.push_back(std::move(node));
}

void record_random(Node node, const Generator& generator, const Tensor& out) {
  Recorder& r = recorder(node_name(node).c_str());
  const int id = r.generator_of(generator);
  node.generator = id;
  node.random.offset = r.graph.generators[id].count;
  record(std::move(node), {}, out);
  r.graph.generators[id].count += uint64_t(out.numel());
}

}  // namespace mt::fusion
