#include "fusion/planner.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "base/error.hpp"
#include "base/index.hpp"
#include "base/strided_view.hpp"
#include "fusion/index_map.hpp"

namespace mt::fusion {
namespace {

bool elementwise(const Node& node) {
  switch (node.kind) {
    case NodeKind::Map:
    case NodeKind::Zip:
    case NodeKind::MapBackward:
    case NodeKind::ZipBackward:
    case NodeKind::Copy:
    case NodeKind::Fill: return true;
    default: return false;
  }
}

// The whole buffer, row-major from its start: what Tensor::empty gives a fresh result.
bool covers_buffer(const Graph& graph, const View& view) {
  return view.offset == 0 && view.strides == contiguous_strides(view.shape) &&
         view_numel(view) * itemsize(view.dtype) == graph.buffers[view.buffer].storage->nbytes();
}

struct Analysis {
  const Graph& graph;
  Dataflow flow;
  std::vector<int> writers;             // per buffer
  std::vector<char> live;               // per node
  std::vector<std::vector<int>> reads;  // per node: buffers read, through inlined values

  explicit Analysis(const Graph& g) : graph(g) {
    const size_t n = g.nodes.size();
    flow.producer.resize(n);
    flow.inlined.assign(n, 0);
    flow.consumers.resize(n);
    reads.resize(n);
    writers.assign(g.buffers.size(), 0);
    flow.kept.assign(g.buffers.size(), 0);
    std::vector<int> last_writer(g.buffers.size(), -1);
    for (size_t i = 0; i < n; ++i) {
      for (const View& in : g.nodes[i].inputs) {
        const int p = last_writer[in.buffer];
        flow.producer[i].push_back(p);
        if (p >= 0 && std::find(flow.consumers[p].begin(), flow.consumers[p].end(), int(i)) ==
                          flow.consumers[p].end())
          flow.consumers[p].push_back(int(i));
      }
      last_writer[g.nodes[i].out.buffer] = int(i);
      ++writers[g.nodes[i].out.buffer];
    }
    for (size_t b = 0; b < g.buffers.size(); ++b)
      flow.kept[b] = g.buffers[b].kind != BufferKind::Internal || g.buffers[b].escapes;
    for (const View& out : g.outputs)
      flow.kept[out.buffer] = 1;
    // Live: writes what leaves the plan, or feeds a live node (walked backwards).
    live.assign(n, 0);
    for (size_t i = n; i-- > 0;) {
      live[i] = flow.kept[g.nodes[i].out.buffer];
      for (int c : flow.consumers[i])
        live[i] |= live[c];
    }
  }

  // Why `p`'s value cannot be computed inside its consumers; "" when it can.
  std::string why_stored(int p) {
    const Node& node = graph.nodes[p];
    const View& out = node.out;
    if (!elementwise(node)) return "not element-wise";
    if (flow.kept[out.buffer]) {
      if (graph.buffers[out.buffer].kind != BufferKind::Internal)
        return "it writes memory that outlives the plan (a parameter or an input)";
      for (size_t k = 0; k < graph.outputs.size(); ++k)
        if (graph.outputs[k].buffer == out.buffer) return cat("it is output ", k);
      return "it is referenced after the capture (a gradient or an optimizer's state)";
    }
    if (writers[out.buffer] != 1 || !covers_buffer(graph, out))
      return "its buffer is written in parts or more than once";
    int last = p;
    for (int c : flow.consumers[p]) {
      const Node& consumer = graph.nodes[c];
      last = std::max(last, c);
      for (size_t k = 0; k < consumer.inputs.size(); ++k) {
        if (flow.producer[c][k] != p) continue;
        if (consumer.kind == NodeKind::Reduce) {
          if (!equal_views(consumer.inputs[k], out))
            return "a reduction reads it through a view (it folds in another order)";
        } else if (!elementwise(consumer)) {
          return cat(node_name(consumer), " reads it, and fuses with nothing");
        } else if (!map_through(consumer.inputs[k], out.shape)) {
          return cat(node_name(consumer), " reads it through a view that reshapes it");
        }
      }
    }
    if (flow.consumers[p].size() > 1 && !cheap_to_recompute(node))
      return cat(flow.consumers[p].size(), " ops read it, and it is too costly to compute again");
    // Inlined, it is computed when its last consumer runs: what it reads must not change
    // before then.
    for (int k = p + 1; k <= last; ++k) {
      const int written = graph.nodes[k].out.buffer;
      if (std::find(reads[p].begin(), reads[p].end(), written) != reads[p].end())
        return cat(node_name(graph.nodes[k]),
                   " overwrites an input of it before its consumers run");
    }
    return "";
  }

  void collect_reads(int i) {
    reads[i].clear();
    for (size_t k = 0; k < graph.nodes[i].inputs.size(); ++k) {
      const int p = flow.producer[i][k];
      if (p >= 0 && flow.inlined[p])
        reads[i].insert(reads[i].end(), reads[p].begin(), reads[p].end());
      else
        reads[i].push_back(graph.nodes[i].inputs[k].buffer);
    }
  }
};

bool intersects(const std::vector<int>& a, const std::vector<int>& b) {
  for (int x : a)
    if (std::find(b.begin(), b.end(), x) != b.end()) return true;
  return false;
}

// Adds `nodes` to the ones `step` computes, kept in program order and each once (a value
// inlined into two joined kernels is computed by both).
void add_nodes(Step& step, const std::vector<int>& nodes) {
  step.nodes.insert(step.nodes.end(), nodes.begin(), nodes.end());
  std::sort(step.nodes.begin(), step.nodes.end());
  step.nodes.erase(std::unique(step.nodes.begin(), step.nodes.end()), step.nodes.end());
}

// A fused step: the kernel built for `roots`, and every node it computes, in program order.
Step fused_step(BuiltKernel built, const std::vector<int>& roots) {
  Step step{true, std::move(built), -1, roots};
  add_nodes(step, step.kernel.loads_from);
  return step;
}

// The Reduce or Matmul node that heads a step (a kernel with a prologue or an epilogue, or a
// lone call), or -1.
int head_of(const Graph& graph, const Step& step) {
  for (int node : step.nodes)
    if (graph.nodes[node].kind == NodeKind::Reduce || graph.nodes[node].kind == NodeKind::Matmul)
      return node;
  return -1;
}

// The roots of `steps` together (their nodes that are stored), in program order with the head
// (if any) first: what build_kernel takes.
std::vector<int> roots_of(const Graph& graph, const Dataflow& flow,
                          std::initializer_list<const Step*> steps) {
  std::vector<int> roots;
  int head = -1;
  for (const Step* step : steps) {
    for (int node : step->nodes)
      if (!flow.inlined[node]) roots.push_back(node);
    if (head < 0) head = head_of(graph, *step);
  }
  std::sort(roots.begin(), roots.end());
  if (head >= 0)
    std::rotate(roots.begin(), std::find(roots.begin(), roots.end(), head),
                std::find(roots.begin(), roots.end(), head) + 1);
  return roots;
}

Dims kernel_space(const Step& step) {
  return Dims(std::span<const int64_t>(step.kernel.kernel.shape, step.kernel.kernel.rank));
}

// Whether element-wise kernel `later` can join `earlier` in one kernel: over one space, sharing
// an input or reading what `earlier` stores (siblings: the gradients of a zip; a gradient and
// the optimizer's update of it); or as the epilogue of `earlier`'s reduction (over its output's
// space up to dims of size 1) or matmul (bias, activation, residual add in its store).
bool joinable(const Graph& graph, const Step& earlier, const Step& later,
              const std::vector<int>& reads_later) {
  const std::vector<int> reads = step_reads(graph, earlier), writes = step_writes(graph, earlier);
  const bool related = intersects(reads, reads_later) || intersects(writes, reads_later);
  const int head = head_of(graph, earlier);
  if (head >= 0) {
    const Node& node = graph.nodes[head];
    // A reduction kernel folds in the order of a row-major input (what its prologue would have
    // stored); a lone reduce folded its input as laid out, which only a row-major view matches.
    const View& in = node.inputs[0];
    if (node.kind == NodeKind::Reduce && !earlier.fused &&
        !is_row_major(in.shape.size(), in.shape.data(), in.strides.data()))
      return false;
    const View& result = node.out;
    const bool space = node.kind == NodeKind::Reduce
                           ? squeeze_map(result.shape, kernel_space(later)).has_value()
                           : result.shape == kernel_space(later);
    return space && (related || std::find(reads_later.begin(), reads_later.end(), result.buffer) !=
                                    reads_later.end());
  }
  return earlier.fused && kernel_space(earlier) == kernel_space(later) && related;
}

// One pass of merge_kernels (below): each kernel, in program order, joins the nearest earlier
// kernel it is joinable with, if any.
void merge_kernels_once(const Graph& graph, const Dataflow& flow, Program& program) {
  std::vector<Step>& steps = program.steps;
  for (size_t j = 1; j < steps.size(); ++j) {
    if (!steps[j].fused || head_of(graph, steps[j]) >= 0) continue;
    const std::vector<int> reads_j = step_reads(graph, steps[j]);
    const std::vector<int> writes_j = step_writes(graph, steps[j]);
    for (size_t i = j; i-- > 0;) {
      const Step& s = steps[i];
      if (joinable(graph, s, steps[j], reads_j)) {
        const std::vector<int> roots = roots_of(graph, flow, {&s, &steps[j]});
        const int head = head_of(graph, s);
        BuildResult merged = build_kernel(graph, flow, roots);
        if (merged.built) {
          program.notes.push_back(cat("joined the kernel of ", node_name(graph.nodes[roots.back()]),
                                      " to the one of ", node_name(graph.nodes[roots.front()]),
                                      head >= 0 ? " (as its epilogue)" : " (same space)"));
          Step& into = steps[i];
          into.fused = true;
          into.node = -1;
          into.kernel = std::move(*merged.built);
          add_nodes(into, steps[j].nodes);
          steps.erase(steps.begin() + j);
          --j;
        } else {
          // Said once, though each pass of merge_kernels tries the join again.
          const std::string note = cat("kept the kernel of ", node_name(graph.nodes[roots.back()]),
                                       " apart from the one of ",
                                       node_name(graph.nodes[roots.front()]), ": ", merged.why);
          if (std::find(program.notes.begin(), program.notes.end(), note) == program.notes.end())
            program.notes.push_back(note);
        }
        break;
      }
      const std::vector<int> reads_i = step_reads(graph, s), writes_i = step_writes(graph, s);
      if (intersects(writes_i, reads_j) || intersects(reads_i, writes_j) ||
          intersects(writes_i, writes_j))
        break;
    }
  }
}

// Joins element-wise kernels into earlier kernels (joinable), values passed on in registers:
// the later kernel moves up to the earlier one when nothing in between writes what it reads or
// touches what it writes, and the builder refuses a buffer used through two different views.
// Until nothing joins: a joined kernel reads and writes more, which can relate it to an earlier
// kernel (Adam's update of v joins the update of p, which reads the m of the kernel before).
void merge_kernels(const Graph& graph, const Dataflow& flow, Program& program) {
  std::vector<Step>& steps = program.steps;
  for (size_t count = 0; count != steps.size();) {
    count = steps.size();
    merge_kernels_once(graph, flow, program);
  }
}

// The step whose roots are `roots` (the head first), if its kernel builds.
std::optional<Step> build_step(const Graph& graph, const Dataflow& flow,
                               const std::vector<int>& roots, bool fused) {
  if (!fused) return Step{false, {}, roots.front(), {roots.front()}};
  BuildResult r = build_kernel(graph, flow, roots);
  if (!r.built) return std::nullopt;
  return fused_step(std::move(*r.built), roots);
}

// The plan that `reuse` describes, if every decision holds for this graph.
std::optional<Program> replan(const Graph& graph, Analysis& a, const Decisions& reuse) {
  const size_t n = graph.nodes.size();
  if (reuse.inlined.size() != n) return std::nullopt;
  Program program;
  for (size_t i = 0; i < n; ++i) {
    a.collect_reads(int(i));
    if (reuse.inlined[i] && !a.why_stored(int(i)).empty()) return std::nullopt;
    a.flow.inlined[i] = reuse.inlined[i];
  }
  for (size_t s = 0; s < reuse.step_roots.size(); ++s) {
    std::optional<Step> step = build_step(graph, a.flow, reuse.step_roots[s], reuse.step_fused[s]);
    if (!step) return std::nullopt;
    program.steps.push_back(std::move(*step));
  }
  program.decisions = reuse;
  program.stored_why = reuse.stored_why;
  program.notes = reuse.notes;
  return program;
}

Program plan_fresh(const Graph& graph, Analysis& a, bool fuse) {
  Program program;
  const size_t n = graph.nodes.size();
  program.stored_why.assign(n, "");
  for (size_t i = 0; i < n; ++i) {
    a.collect_reads(int(i));
    if (fuse && a.live[i] && !a.flow.consumers[i].empty()) {
      program.stored_why[i] = a.why_stored(int(i));
      a.flow.inlined[i] = program.stored_why[i].empty();
    } else if (fuse && a.live[i]) {
      program.stored_why[i] = a.why_stored(int(i));
      if (program.stored_why[i].empty()) program.stored_why[i] = "nothing reads it";
    }
  }
  // Groups, in program order; a limit that a group exceeds un-inlines one of its producers and
  // the grouping starts again.
  for (;;) {
    program.steps.clear();
    int cut = -1;
    std::string why;
    for (size_t i = 0; i < n && cut < 0; ++i) {
      const Node& node = graph.nodes[i];
      if (fuse && !a.live[i]) continue;
      if (a.flow.inlined[i]) continue;
      const bool prologue = node.kind == NodeKind::Reduce && a.flow.producer[i][0] >= 0 &&
                            a.flow.inlined[a.flow.producer[i][0]];
      if (fuse && (elementwise(node) || prologue)) {
        BuildResult r = build_kernel(graph, a.flow, {int(i)});
        if (!r.built && r.cut < 0) {  // nothing to cut: the node runs on its own
          program.stored_why[i] = r.why;
          program.steps.push_back({false, {}, int(i), {int(i)}});
          continue;
        }
        if (!r.built) {
          cut = r.cut;
          why = r.why;
          break;
        }
        program.steps.push_back(fused_step(std::move(*r.built), {int(i)}));
      } else {
        program.steps.push_back({false, {}, int(i), {int(i)}});
      }
    }
    if (cut < 0) break;
    a.flow.inlined[cut] = 0;
    program.stored_why[cut] = why;
    program.notes.push_back(cat("cut the group at ", node_name(graph.nodes[cut]), ": ", why));
  }
  if (fuse) merge_kernels(graph, a.flow, program);
  program.decisions.inlined = a.flow.inlined;
  program.decisions.stored_why = program.stored_why;
  program.decisions.notes = program.notes;
  for (const Step& step : program.steps) {
    program.decisions.step_roots.push_back(roots_of(graph, a.flow, {&step}));
    program.decisions.step_fused.push_back(step.fused);
  }
  return program;
}

}  // namespace

std::vector<int> step_reads(const Graph& graph, const Step& step) {
  std::vector<int> out;
  if (!step.fused) {
    for (const View& in : graph.nodes[step.node].inputs)
      out.push_back(in.buffer);
    return out;
  }
  const FusedKernel& kernel = step.kernel.kernel;
  for (int i = 0; i < kernel.instruction_count; ++i) {
    const FusedInstruction& ins = kernel.instructions[i];
    if (ins.kind == FusedOp::Load) out.push_back(step.kernel.operands[ins.operand].buffer);
    if (ins.kind == FusedOp::Product) {  // its left and right matrices
      out.push_back(step.kernel.operands[ins.operand].buffer);
      out.push_back(step.kernel.operands[ins.operand + 1].buffer);
    }
  }
  return out;
}

std::vector<int> step_writes(const Graph& graph, const Step& step) {
  if (!step.fused) return {graph.nodes[step.node].out.buffer};
  std::vector<int> out;
  for (int i = 0; i < step.kernel.kernel.instruction_count; ++i)
    if (step.kernel.kernel.instructions[i].kind == FusedOp::Store)
      out.push_back(step.kernel.operands[step.kernel.kernel.instructions[i].operand].buffer);
  return out;
}

void assign_roles(const Graph& graph, Program& program) {
  program.roles.assign(graph.buffers.size(), BufferRole::Elided);
  std::vector<char> written(graph.buffers.size(), 0);
  for (const Step& step : program.steps) {
    for (int b : step_reads(graph, step))
      if (!written[b] && graph.buffers[b].kind == BufferKind::Internal)
        program.roles[b] = BufferRole::Fixed;
    for (int b : step_writes(graph, step)) {
      written[b] = 1;
      if (program.roles[b] == BufferRole::Elided) program.roles[b] = BufferRole::Fresh;
    }
  }
  for (size_t b = 0; b < graph.buffers.size(); ++b) {
    const Buffer& buffer = graph.buffers[b];
    if (buffer.kind == BufferKind::Input)
      program.roles[b] = BufferRole::Input;
    else if (buffer.kind == BufferKind::External || buffer.escapes)
      program.roles[b] = BufferRole::Fixed;
  }
  for (const View& out : graph.outputs)
    if (program.roles[out.buffer] == BufferRole::Elided)
      program.roles[out.buffer] = BufferRole::Fixed;
}

bool fusion_enabled_by_environment() {
  const char* value = std::getenv("MINITENSOR_FUSION");
  return value == nullptr || std::strcmp(value, "0") != 0;
}

Program plan_program(const Graph& graph, bool fuse, const Decisions* reuse) {
  Analysis a(graph);
  std::optional<Program> program;
  if (reuse && fuse) program = replan(graph, a, *reuse);
  if (!program) {
    Analysis fresh(graph);
    program = plan_fresh(graph, fresh, fuse);
    if (reuse && fuse)
      program->notes.push_back(
          "the cached decisions for this structure did not hold: planned anew");
  }
  for (size_t i = 0; i < graph.nodes.size(); ++i)
    program->dead_nodes += fuse && !a.live[i];
  assign_roles(graph, *program);
  return std::move(*program);
}

}  // namespace mt::fusion
