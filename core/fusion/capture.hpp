#pragma once
// Capture: a thread-local scope in which ops record into a graph (fusion/graph.hpp) instead of
// running, on the CPU or on one CUDA device. Everything the frontend checks (shapes, dtypes,
// devices) is still checked at the call, so errors arise where they do in eager mode; only the
// backend call is replaced by a record. Tensors made in the capture get storage that holds no
// values (Storage::pending); tensors that existed before it (parameters) are captured by reference.
#include <memory>
#include <span>

#include "fusion/graph.hpp"
#include "tensor/tensor.hpp"

namespace mt::fusion {

// Starts capturing on this thread; throws CaptureMisuse when a capture is already active here.
void begin_capture();
// Declares the next input of the capture: a contiguous placeholder of `shape` and `dtype` on
// `device` whose values each run of the plan supplies. Throws CaptureMisuse outside a capture,
// DeviceMismatch when the capture's tensors are on another device.
Tensor capture_input(const Dims& shape, DType dtype, Device device = Device::cpu());
// Ends the capture and returns its graph, whose outputs are `outputs` (tensors made or used in
// the capture). Throws CaptureMisuse outside a capture or for an undefined output; the capture
// has ended either way.
std::shared_ptr<const Graph> end_capture(std::span<const Tensor> outputs);
// Ends the capture, if any, dropping what it recorded.
void abandon_capture();
// Whether `t` is an input placeholder of the capture active on this thread.
bool is_capture_input(const Tensor& t);

// Records one backend call (its views taken from the tensors) into the active capture.
// `node` carries the call's kind and parameters; its views are filled here. A capture's tensors
// are all on one device, the first one's (Graph::device): DeviceMismatch for another.
void record(Node node, std::initializer_list<const Tensor*> inputs, const Tensor& out);
// Records a random call (`node`: its distribution) that draws out.numel() counters from
// `generator`. Takes none: each run of the plan does, and the node keeps where its own begin.
void record_random(Node node, const Generator& generator, const Tensor& out);

}  // namespace mt::fusion
