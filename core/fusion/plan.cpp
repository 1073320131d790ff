#include "fusion/plan.hpp"

#include <sstream>

#include "backend/registry.hpp"
#include "base/capture_state.hpp"
#include "base/error.hpp"
#include "base/index.hpp"
#include "tensor/strided_view.hpp"

namespace mt::fusion {
namespace {

int64_t view_bytes(const View& view) { return view_numel(view) * itemsize(view.dtype); }

// Where a view's first element is in this run's memory.
char* view_data(const View& view, const std::vector<char*>& base) {
  return base[view.buffer] + view.offset * itemsize(view.dtype);
}

StridedView bind_view(const View& view, const std::vector<char*>& base) {
  StridedView out;
  out.data = view_data(view, base);
  out.dtype = view.dtype;
  out.rank = view.shape.size();
  std::copy(view.shape.begin(), view.shape.end(), out.shape);
  std::copy(view.strides.begin(), view.strides.end(), out.strides);
  return out;
}

// This run's counters from each generator (Graph::generators, in order): all that its random
// calls use, in one take, so that a run draws what eager runs of the captured calls would.
std::vector<Draw> take_draws(const Graph& graph) {
  std::vector<Draw> draws;
  for (const GeneratorUse& use : graph.generators)
    draws.push_back(use.state->draw(use.count));
  return draws;
}

// A group's ops for the report: "[zip mul, map exp]".
std::string ops_text(const Graph& graph, const std::vector<int>& nodes) {
  std::string text = "[";
  for (size_t i = 0; i < nodes.size(); ++i)
    text += (i ? ", " : "") + node_name(graph.nodes[nodes[i]]);
  return text + "]";
}

void run_node(Backend& backend, const Node& node, const std::vector<char*>& base,
              const std::vector<Draw>& draws) {
  std::vector<StridedView> in;
  for (const View& v : node.inputs)
    in.push_back(bind_view(v, base));
  const StridedView out = bind_view(node.out, base);
  if (view_numel(node.out) == 0) return;
  switch (node.kind) {
    case NodeKind::Map: backend.map(UnaryOp(node.op), in[0], out); break;
    case NodeKind::Zip: backend.zip(BinaryOp(node.op), in[0], in[1], out); break;
    case NodeKind::Reduce: backend.reduce(ReduceOp(node.op), in[0], out); break;
    case NodeKind::MapBackward: backend.map_backward(UnaryOp(node.op), in[0], in[1], out); break;
    case NodeKind::ZipBackward:
      backend.zip_backward(BinaryOp(node.op), node.operand, in[0], in[1], in[2], out);
      break;
    case NodeKind::Matmul: backend.matmul(in[0], in[1], out); break;
    case NodeKind::Copy: backend.copy(in[0], out); break;
    case NodeKind::Fill: backend.fill(out, node.value); break;
    case NodeKind::Random: {
      RandomSpec spec = node.random;
      spec.seed = draws[node.generator].seed;
      spec.offset += draws[node.generator].offset;
      backend.random(out, spec);
      break;
    }
  }
}

}  // namespace

Plan::Plan(std::shared_ptr<const Graph> graph, bool fuse, const Decisions* reuse)
    : graph_(std::move(graph)), program_(plan_program(*graph_, fuse, reuse)) {
  Backend& backend = backend_for(graph_->device);
  fallbacks_ = unfuse_refused(*graph_, program_, backend);
  prepared_ = &backend;
  scratch_.resize(graph_->buffers.size());
  is_output_.assign(graph_->buffers.size(), 0);
  for (const View& out : graph_->outputs)
    is_output_[out.buffer] = 1;
  kernels_.resize(program_.steps.size());
  for (size_t s = 0; s < program_.steps.size(); ++s)
    if (program_.steps[s].fused) kernels_[s] = program_.steps[s].kernel.kernel;
  batches_ = independent_batches(*graph_, program_);
  written_ = written_buffers(*graph_, program_);
  stats_.ops = int64_t(graph_->nodes.size());
  stats_.kernels = int64_t(program_.steps.size());
  for (const Step& step : program_.steps) {
    if (step.fused) {
      ++stats_.fused_kernels;
      for (const View& v : step.kernel.operands)
        stats_.bytes_moved += view_bytes(v);
    } else {
      const Node& node = graph_->nodes[step.node];
      for (const View& v : node.inputs)
        stats_.bytes_moved += view_bytes(v);
      stats_.bytes_moved += view_bytes(node.out);
    }
  }
  for (size_t b = 0; b < graph_->buffers.size(); ++b)
    if (program_.roles[b] == BufferRole::Elided)
      stats_.bytes_avoided += graph_->buffers[b].storage->nbytes();
}

void Plan::check_inputs(std::span<const Tensor> inputs) const {
  const std::vector<InputSignature>& signature = graph_->signature;
  if (inputs.size() != signature.size())
    fail(ErrorCode::InvalidArgument, "plan run: the plan takes ", signature.size(),
         " inputs, given ", inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Tensor& t = inputs[i];
    if (!t.defined()) fail(ErrorCode::InvalidArgument, "plan run: input ", i, " is undefined");
    if (t.dtype() != signature[i].dtype)
      fail(ErrorCode::DTypeMismatch, "plan run: input ", i, " must be ", signature[i].dtype,
           " (as captured), given ", t.dtype());
    if (t.shape() != signature[i].shape)
      fail(ErrorCode::ShapeMismatch, "plan run: input ", i, " must have shape ", signature[i].shape,
           " (as captured), given ", t.shape());
    if (t.device() != signature[i].device)
      fail(ErrorCode::DeviceMismatch, "plan run: input ", i, " must be on ", signature[i].device,
           " (as captured), given one on ", t.device());
    t.check_readable("plan run");
  }
}

// The steps assume that buffers are distinct memory (so does the planner: it orders and
// batches steps by buffer). Inputs that are only read may be the same tensor.
void Plan::check_aliasing(std::span<const Tensor> inputs) const {
  const Graph& g = *graph_;
  for (size_t i = 0; i < g.inputs.size(); ++i) {
    if (!written_[g.inputs[i]]) continue;
    const Storage* mine = inputs[i].storage().get();
    for (size_t j = 0; j < inputs.size(); ++j)
      if (j != i && inputs[j].storage().get() == mine)
        fail(ErrorCode::InvalidArgument, "plan run: input ", i,
             " is written by the plan and shares memory with input ", j);
    for (const Buffer& buffer : g.buffers)
      if (buffer.kind == BufferKind::External && buffer.storage.get() == mine)
        fail(ErrorCode::InvalidArgument, "plan run: input ", i,
             " is written by the plan and shares memory with a tensor the capture used by "
             "reference (a parameter or state)");
  }
}

// The plan's kernels were prepared by one backend; the CPU's default may have changed since.
void Plan::check_backend(Backend& backend) const {
  if (prepared_ == &backend) return;
  for (const Step& step : program_.steps) {
    if (!step.fused) continue;
    const std::string why = backend.prepare_fused(step.kernel.kernel);
    if (!why.empty())
      fail(ErrorCode::Unsupported, "plan run: ", why, " (the plan was made for the ",
           prepared_->name(), " backend; compile it again to run such kernels op by op)");
  }
  prepared_ = &backend;
}

std::vector<Tensor> Plan::run(std::span<const Tensor> inputs) const {
  check_not_capturing("plan run");
  check_inputs(inputs);
  check_aliasing(inputs);
  const std::lock_guard lock(run_mutex_);
  const Graph& g = *graph_;
  Backend& backend = backend_for(g.device);
  check_backend(backend);
  // Every buffer's memory for this run: its storage (kept alive until the run ends) and the
  // address that views' offsets count from.
  std::vector<std::shared_ptr<Storage>> storage(g.buffers.size());
  std::vector<char*> base(g.buffers.size(), nullptr);
  std::vector<int64_t> base_offset(g.buffers.size(), 0);  // of base, in the storage's elements
  for (size_t b = 0; b < g.buffers.size(); ++b) {
    const Buffer& buffer = g.buffers[b];
    switch (program_.roles[b]) {
      case BufferRole::Input: {
        // Views of the placeholder count from its element 0 in row-major order.
        const Tensor in = inputs[buffer.input].contiguous();
        storage[b] = in.storage();
        base[b] = static_cast<char*>(in.raw_data());
        base_offset[b] = in.offset();
        break;
      }
      case BufferRole::Fixed: storage[b] = buffer.storage; break;
      case BufferRole::Fresh: {
        // An intermediate that no output shares is kept for the next run (unless something
        // still holds it); outputs are new each run, since the caller keeps them.
        std::shared_ptr<Storage>& kept = scratch_[b];
        if (is_output_[b] || !kept || kept.use_count() > 1)
          kept = Storage::allocate(buffer.storage->nbytes(), g.device);
        storage[b] = kept;
        if (is_output_[b]) kept.reset();
        break;
      }
      case BufferRole::Elided: break;
    }
    if (storage[b] && !base[b]) base[b] = static_cast<char*>(storage[b]->data());
  }
  const std::vector<Draw> draws = take_draws(g);
  std::vector<const FusedKernel*> batch;
  for (const Batch& b : batches_) {
    const Step& first = program_.steps[b.first];
    if (!first.fused) {
      run_node(backend, g.nodes[first.node], base, draws);
      continue;
    }
    batch.clear();
    for (int s = b.first; s < b.first + b.count; ++s) {
      // The kernel as built, kept between runs: only its data pointers change.
      FusedKernel& kernel = kernels_[s];
      for (int k = 0; k < kernel.operand_count; ++k)
        kernel.operands[k].data = view_data(program_.steps[s].kernel.operands[k], base);
      batch.push_back(&kernel);
    }
    if (!backend.fused_batch(batch))
      fail(ErrorCode::Unsupported, "plan run: the ", backend.name(),
           " backend prepared a fused kernel and then did not run it");
  }
  // A written input that was not contiguous ran on a contiguous copy: write the copy back.
  for (size_t i = 0; i < g.inputs.size(); ++i) {
    const int b = g.inputs[i];
    if (written_[b] && storage[b] != inputs[i].storage()) {
      const View all{b, 0, inputs[i].dtype(), inputs[i].shape(),
                     contiguous_strides(inputs[i].shape())};
      backend.copy(bind_view(all, base), strided_view(inputs[i]));
    }
  }
  // Captured memory holds values now: state this capture made, and memory of an earlier
  // capture that this plan wrote.
  for (size_t b = 0; b < g.buffers.size(); ++b)
    if (program_.roles[b] == BufferRole::Fixed) g.buffers[b].storage->set_written();
  std::vector<Tensor> outputs;
  for (const View& out : g.outputs)
    outputs.push_back(Tensor(storage[out.buffer], base_offset[out.buffer] + out.offset, out.shape,
                             out.strides, out.dtype));
  return outputs;
}

std::string Plan::report() const {
  const Graph& g = *graph_;
  std::ostringstream text;
  text << "plan: " << stats_.ops << " ops captured -> " << stats_.kernels << " kernels ("
       << stats_.fused_kernels << " fused), " << g.inputs.size() << " inputs, " << g.outputs.size()
       << " outputs; intermediates avoided: " << stats_.bytes_avoided
       << " bytes; moved: " << stats_.bytes_moved << " bytes";
  if (program_.dead_nodes > 0) text << "; " << program_.dead_nodes << " ops dropped (unused)";
  text << "\n";
  for (size_t s = 0; s < program_.steps.size(); ++s) {
    const Step& step = program_.steps[s];
    text << "kernel " << s << ": ";
    if (!step.fused) {
      const Node& node = g.nodes[step.node];
      text << node_name(node) << " " << node.out.shape << "\n";
      continue;
    }
    text << "fused " << ops_text(g, step.nodes);
    const FusedKernel& k = step.kernel.kernel;
    int loads = 0, stores = 0;
    for (int i = 0; i < k.instruction_count; ++i) {
      loads += k.instructions[i].kind == FusedOp::Load;
      loads += k.instructions[i].kind == FusedOp::Product ? 2 : 0;  // its two matrices
      stores += k.instructions[i].kind == FusedOp::Store;
    }
    int64_t avoided = 0;
    for (int node : step.nodes)
      if (program_.roles[g.nodes[node].out.buffer] == BufferRole::Elided)
        avoided += view_bytes(g.nodes[node].out);
    text << " over " << Dims(std::span<const int64_t>(k.shape, k.rank)) << ": " << loads
         << " inputs, " << stores << " outputs, " << k.instruction_count << " instructions, "
         << avoided << " bytes of intermediates avoided\n";
  }
  for (const Fallback& f : fallbacks_) {
    text << "fused " << ops_text(g, f.nodes) << " over " << f.space << " runs op by op on "
         << g.device;
    if (f.step_count > 0)
      text << " (kernels " << f.first_step << " to " << f.first_step + f.step_count - 1 << ")";
    text << ": " << f.why << "\n";
  }
  for (const Batch& b : batches_)
    if (b.count > 1)
      text << "kernels " << b.first << " to " << b.first + b.count - 1
           << " run together (independent: one dispatch)\n";
  bool header = false;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    if (program_.stored_why[i].empty()) continue;
    if (!header) text << "group boundaries (values stored):\n";
    header = true;
    text << "  " << node_name(g.nodes[i]) << " (op " << i << "): " << program_.stored_why[i]
         << "\n";
  }
  for (const std::string& note : program_.notes)
    text << "note: " << note << "\n";
  return text.str();
}

}  // namespace mt::fusion
