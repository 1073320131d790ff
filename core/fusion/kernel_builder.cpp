#include "fusion/kernel_builder.hpp"

#include <algorithm>

#include "base/error.hpp"
#include "base/index.hpp"
#include "fusion/index_map.hpp"

namespace mt::fusion {
namespace {

// The map from `read`'s index space onto what a node wrote through `out`. Index maps need
// `out` row-major from the start of its buffer (as a fresh result is): nothing otherwise.
std::optional<IndexMap> map_onto(const View& read, const View& out) {
  if (out.offset != 0 || out.strides != contiguous_strides(out.shape)) return std::nullopt;
  return map_through(read, out.shape);
}

struct Builder {
  const Graph& graph;
  const Dataflow& flow;
  const std::vector<int>& roots;
  Dims space;
  int head_node = -1;  // a kernel's Reduce or Matmul node, and the register of its result
  int head_value = -1;
  std::vector<FusedInstruction> code = {};  // registers are virtual here: one per instruction
  std::vector<View> operands = {};
  std::vector<int> inlined_used = {};
  struct Memo {
    int node;
    IndexMap map;
    int reg;
  };
  std::vector<Memo> memo = {};
  std::vector<int> loaded = {};   // the register loaded from each operand
  std::vector<char> stored = {};  // per operand: whether a Store to it has been emitted
  // Why the kernel cannot be built as asked, found while building ("" if it can).
  std::string refused = {};

  int emit(FusedOp kind, int32_t op, DType dtype, int a = -1, int b = -1, int c = -1) {
    code.push_back({kind, op, 0, int32_t(code.size()), a, b, c, dtype, 0});
    return int(code.size()) - 1;
  }

  int operand(const View& given) {
    // The stride of a size-1 dim is never used: made 0 so that one view has one spelling.
    View view = given;
    for (int d = 0; d < view.shape.size(); ++d)
      if (view.shape[d] == 1) view.strides[d] = 0;
    for (size_t k = 0; k < operands.size(); ++k)
      if (equal_views(operands[k], view)) return int(k);
    operands.push_back(view);
    loaded.push_back(-1);
    stored.push_back(0);
    return int(operands.size()) - 1;
  }

  // The operand's values as they were when the kernel started: a load reaches here only for a
  // read whose last writer (Dataflow::producer) is outside this kernel. After a Store to the
  // operand they are gone from memory, unless loaded before it.
  int load(const View& view) {
    const int k = operand(view);
    if (loaded[k] < 0) {
      if (stored[k]) refused = "a buffer is read after the kernel has stored into it";
      loaded[k] = emit(FusedOp::Load, 0, view.dtype);
      code.back().operand = k;
    }
    return loaded[k];
  }

  // Input k of `node`, in the group's space; `map` takes the group's index to node's.
  int input(int node, int k, const IndexMap& map) {
    const View& read = graph.nodes[node].inputs[k];
    const int p = flow.producer[node][k];
    // The epilogue reads the head's result where it maps element for element onto it; any
    // other element (a transpose of the result) is in no register here, and the result
    // reaches memory only as the kernel's own output.
    if (p >= 0 && p == head_node) {
      const std::optional<IndexMap> through = map_onto(read, graph.nodes[p].out);
      if (through && is_identity(compose(map, *through), graph.nodes[p].out.shape))
        return head_value;
      refused = "the epilogue reads the result through a view that is not element for element";
    }
    // A root of this kernel wrote what this input reads: its value, through the read's index
    // map (the store still happens; memory would hold the value only after the store, and
    // loads come before stores). Only the very view it wrote, or one that maps onto it, will do.
    if (p >= 0 && p != head_node && std::find(roots.begin(), roots.end(), p) != roots.end()) {
      const View& out = graph.nodes[p].out;
      if (equal_views(read, out)) return value(p, map);
      if (const std::optional<IndexMap> through = map_onto(read, out))
        return value(p, compose(map, *through));
      refused = "a value stored by the kernel is read through a view that does not fold";
    }
    if (p >= 0 && flow.inlined[p]) {
      const std::optional<IndexMap> through = map_through(read, graph.nodes[p].out.shape);
      if (!through) fail(ErrorCode::InvalidArgument, "fusion: an inlined value has no index map");
      return value(p, compose(map, *through));
    }
    return load(load_view(read, map, space));
  }

  int value(int node, const IndexMap& map) {
    for (const Memo& m : memo)
      if (m.node == node && m.map == map) return m.reg;
    const Node& n = graph.nodes[node];
    const DType dtype = n.out.dtype;
    int reg = -1;
    switch (n.kind) {
      case NodeKind::Fill:
        reg = emit(FusedOp::Constant, 0, dtype);
        code.back().value = n.value;
        break;
      case NodeKind::Copy: {
        const int src = input(node, 0, map);
        reg = n.inputs[0].dtype == dtype ? src : emit(FusedOp::Cast, 0, dtype, src);
        break;
      }
      case NodeKind::Map: reg = emit(FusedOp::Map, n.op, dtype, input(node, 0, map)); break;
      case NodeKind::Zip: {
        const int a = input(node, 0, map), b = input(node, 1, map);
        reg = emit(FusedOp::Zip, n.op, dtype, a, b);
        break;
      }
      case NodeKind::MapBackward: {
        const int x = input(node, 0, map), g = input(node, 1, map);
        reg = emit(FusedOp::MapBackward, n.op, dtype, x, g);
        break;
      }
      case NodeKind::ZipBackward: {
        const int a = input(node, 0, map), b = input(node, 1, map), g = input(node, 2, map);
        reg = emit(FusedOp::ZipBackward, n.op, dtype, a, b, g);
        code.back().operand = n.operand;
        break;
      }
      default: fail(ErrorCode::InvalidArgument, "fusion: ", node_name(n), " is not element-wise");
    }
    if (flow.inlined[node]) inlined_used.push_back(node);
    memo.push_back({node, map, reg});
    return reg;
  }

  void store(int reg, const View& out) {
    const int k = operand(out);
    emit(FusedOp::Store, 0, out.dtype, reg);
    code.back().operand = k;
    stored[k] = 1;
  }
};

// Maps the builder's one-register-per-instruction code onto as few registers as the live
// ranges allow; -1 when more than kFusedMaxRegisters are live at once.
int allocate_registers(std::vector<FusedInstruction>& code) {
  std::vector<int> last_use(code.size(), -1);
  for (size_t i = 0; i < code.size(); ++i)
    for (int r : {code[i].a, code[i].b, code[i].c})
      if (r >= 0) last_use[r] = int(i);
  std::vector<int> physical(code.size(), -1);
  std::vector<int> free_list;
  int count = 0;
  for (size_t i = 0; i < code.size(); ++i) {
    FusedInstruction& ins = code[i];
    for (int32_t* r : {&ins.a, &ins.b, &ins.c})
      if (*r >= 0) *r = physical[*r];
    if (ins.kind != FusedOp::Store) {
      // A register is freed after the instruction that reads it last, never reused by that
      // instruction's own result (a backend may read its operands in place while writing).
      if (free_list.empty()) {
        if (count == kFusedMaxRegisters) return -1;
        free_list.push_back(count++);
      }
      physical[i] = free_list.back();
      free_list.pop_back();
      ins.dst = physical[i];
    }
    for (size_t j = 0; j <= i; ++j)
      if (last_use[j] == int(i) && physical[j] >= 0) free_list.push_back(physical[j]);
  }
  return count;
}

// Drops each store that a later store of the kernel overwrites (the same operand: the very same
// view) before any instruction reads that operand: an in-place update written twice in one
// kernel (Adam's m *= beta1, then m += ...) stores only its last value. Memory ends with that
// value either way, and other kernels run wholly before or after this one. Reductions and
// products end the search (their operands are read by blocks, not by the element).
void drop_overwritten_stores(std::vector<FusedInstruction>& code) {
  const auto overwritten = [&](size_t i) {
    for (size_t j = i + 1; j < code.size(); ++j) {
      const FusedInstruction& later = code[j];
      if (later.kind == FusedOp::Store && later.operand == code[i].operand) return true;
      if (later.kind == FusedOp::Reduce || later.kind == FusedOp::Product ||
          (later.kind == FusedOp::Load && later.operand == code[i].operand))
        return false;
    }
    return false;
  };
  for (size_t i = code.size(); i-- > 0;)
    if (code[i].kind == FusedOp::Store && overwritten(i)) code.erase(code.begin() + i);
}

}  // namespace

bool cheap_to_recompute(const Node& node) {
  if (node.kind == NodeKind::Fill || node.kind == NodeKind::Copy) return true;
  if (node.kind == NodeKind::Map) switch (UnaryOp(node.op)) {
      case UnaryOp::Neg:
      case UnaryOp::Id:
      case UnaryOp::Relu:
      case UnaryOp::Abs:
      case UnaryOp::Square: return true;
      default: return false;
    }
  if (node.kind == NodeKind::Zip) switch (BinaryOp(node.op)) {
      case BinaryOp::Add:
      case BinaryOp::Sub:
      case BinaryOp::Mul:
      case BinaryOp::Max:
      case BinaryOp::Min:
      case BinaryOp::Lt:
      case BinaryOp::Gt:
      case BinaryOp::Eq: return true;
      default: return false;
    }
  return false;
}

BuildResult build_kernel(const Graph& graph, const Dataflow& flow, const std::vector<int>& roots) {
  const Node& first = graph.nodes[roots.front()];
  const bool reduction = first.kind == NodeKind::Reduce;
  const bool product = first.kind == NodeKind::Matmul;
  Builder b{graph, flow, roots, reduction ? first.inputs[0].shape : first.out.shape};
  const IndexMap identity = identity_map(b.space.size());
  const Dims iteration = b.space;
  // Without an epilogue the head's result is what the kernel is for; with one, it is stored
  // only if something outside the kernel reads it.
  bool read_outside = true;
  if (roots.size() > 1) {
    read_outside = flow.kept[first.out.buffer];
    for (int c : flow.consumers[roots.front()])
      read_outside |= std::find(roots.begin(), roots.end(), c) == roots.end();
  }
  if (product) {
    // The matrices as the backend's matmul takes them, side by side (never merged into one
    // operand, even for x @ x).
    b.operands.push_back(first.inputs[0]);
    b.operands.push_back(first.inputs[1]);
    b.loaded.insert(b.loaded.end(), {-1, -1});
    b.stored.insert(b.stored.end(), {0, 0});
    b.head_value = b.emit(FusedOp::Product, 0, first.out.dtype);
    b.code.back().operand = int32_t(b.operands.size()) - 2;
    b.head_node = roots.front();
    if (read_outside) b.store(b.head_value, first.out);
    for (size_t r = 1; r < roots.size(); ++r)
      b.store(b.value(roots[r], identity), graph.nodes[roots[r]].out);
  } else if (reduction) {
    const int value = b.input(roots.front(), 0, identity);
    const int out = b.operand(first.out);
    b.head_value = b.emit(FusedOp::Reduce, first.op, first.out.dtype, value);
    b.code.back().operand = out;
    b.head_node = roots.front();
    if (read_outside) b.store(b.head_value, first.out);
    // The epilogue runs over the output's space, where no prologue register holds a value
    // (even where the spaces coincide: a reduction over dims of size 1).
    b.space = first.out.shape;
    b.memo.clear();
    std::fill(b.loaded.begin(), b.loaded.end(), -1);
    for (size_t r = 1; r < roots.size(); ++r) {
      const View& out_view = graph.nodes[roots[r]].out;
      const std::optional<IndexMap> map = squeeze_map(b.space, out_view.shape);
      if (!map) fail(ErrorCode::InvalidArgument, "fusion: an epilogue over another space");
      b.store(b.value(roots[r], *map), load_view(out_view, *map, b.space));
    }
  } else {
    for (int root : roots)
      b.store(b.value(root, identity), graph.nodes[root].out);
  }
  BuildResult result;
  if (!b.refused.empty()) {
    result.why = b.refused;
    return result;
  }
  const auto cut_candidate = [&] {
    return b.inlined_used.empty() ? -1
                                  : *std::max_element(b.inlined_used.begin(), b.inlined_used.end());
  };
  if (b.operands.size() > size_t(kFusedMaxOperands)) {
    result.why = cat("limit: ", b.operands.size(), " operands (at most ", kFusedMaxOperands, ")");
    result.cut = cut_candidate();
    return result;
  }
  if (b.code.size() > size_t(kFusedMaxInstructions)) {
    result.why =
        cat("limit: ", b.code.size(), " instructions (at most ", kFusedMaxInstructions, ")");
    result.cut = cut_candidate();
    return result;
  }
  // One buffer read and written (or written twice) through different views could see the
  // kernel's element order; only the very same view (an in-place update) is safe. A product's
  // matrices are read by blocks other than the one being stored: never written in its kernel.
  for (const FusedInstruction& store : b.code) {
    if (store.kind != FusedOp::Store) continue;
    const int written = b.operands[store.operand].buffer;
    for (const FusedInstruction& other : b.code) {
      const bool clash = other.kind == FusedOp::Product
                             ? b.operands[other.operand].buffer == written ||
                                   b.operands[other.operand + 1].buffer == written
                             : (other.kind == FusedOp::Load || other.kind == FusedOp::Store) &&
                                   other.operand != store.operand &&
                                   b.operands[other.operand].buffer == written;
      if (clash) {
        result.why = "a buffer is read or written through two different views";
        result.cut = cut_candidate();
        return result;
      }
    }
  }
  const int registers = allocate_registers(b.code);
  if (registers < 0) {
    result.why = cat("limit: more than ", kFusedMaxRegisters, " temporaries live at once");
    result.cut = cut_candidate();
    return result;
  }
  drop_overwritten_stores(b.code);  // after allocation: registers no longer name instructions
  BuiltKernel built;
  built.kernel.rank = iteration.size();
  std::copy(iteration.begin(), iteration.end(), built.kernel.shape);
  built.kernel.operand_count = int32_t(b.operands.size());
  for (size_t k = 0; k < b.operands.size(); ++k) {
    StridedView& v = built.kernel.operands[k];
    v.data = nullptr;
    v.dtype = b.operands[k].dtype;
    v.rank = b.operands[k].shape.size();
    std::copy(b.operands[k].shape.begin(), b.operands[k].shape.end(), v.shape);
    std::copy(b.operands[k].strides.begin(), b.operands[k].strides.end(), v.strides);
  }
  built.kernel.instruction_count = int32_t(b.code.size());
  std::copy(b.code.begin(), b.code.end(), built.kernel.instructions);
  built.kernel.register_count = registers;
  built.operands = std::move(b.operands);
  built.loads_from = std::move(b.inlined_used);
  result.built = std::move(built);
  return result;
}

}  // namespace mt::fusion
