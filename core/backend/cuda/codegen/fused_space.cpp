#include "backend/cuda/codegen/fused_space.hpp"

#include <cstring>
#include <limits>

#include "base/strided_layout.hpp"

namespace mt::cuda::codegen {
namespace {

bool row_major(const int64_t* strides, const int64_t* shape, int rank) {
  int64_t expected = 1;
  for (int d = rank - 1; d >= 0; --d) {
    if (shape[d] != 1 && strides[d] != expected) return false;
    expected *= shape[d];
  }
  return true;
}

OperandClass classify(const int64_t* strides, const int64_t* shape, int rank) {
  bool scalar = true;
  for (int d = 0; d < rank; ++d)
    scalar = scalar && (strides[d] == 0 || shape[d] == 1);
  if (scalar) return OperandClass::Scalar;
  return row_major(strides, shape, rank) ? OperandClass::Contiguous : OperandClass::Strided;
}

// The element-wise space: the shared layout simplification over every operand (all have the
// iteration shape); the padding slots repeat operand 0, which changes no decision.
void describe_elementwise(const FusedKernel& k, FusedSpace& s) {
  const StridedView* views[kFusedMaxOperands];
  for (int i = 0; i < kFusedMaxOperands; ++i)
    views[i] = &k.operands[i < k.operand_count ? i : 0];
  const StridedLayout<kFusedMaxOperands> layout = make_layout(views, LayoutOrder::Strides);
  s.rank = layout.rank;
  s.numel = layout.numel;
  std::memcpy(s.shape, layout.shape, sizeof(int64_t) * s.rank);
  bool vectorizable = true;
  for (int i = 0; i < k.operand_count; ++i) {
    std::memcpy(s.strides[i], layout.strides[i], sizeof(int64_t) * s.rank);
    s.classes[i] = classify(s.strides[i], s.shape, s.rank);
    vectorizable = vectorizable && s.classes[i] != OperandClass::Strided;
  }
  s.vector = vectorizable ? 4 : 1;
}

// The reduction's space: kept dims, then reduced dims, each in the iteration space's order.
void describe_reduction(const FusedKernel& k, const FusedProgramInfo& info, FusedSpace& s) {
  const StridedView& out = reduce_output(k, info);
  s.reduction = true;
  int order[kMaxRank], n = 0;
  for (int pass = 0; pass < 2; ++pass)
    for (int d = 0; d < k.rank; ++d) {
      const bool reduced = out.shape[d] == 1;
      if (k.shape[d] == 1 || reduced != (pass == 1)) continue;
      order[n++] = d;
      if (!reduced) ++s.kept;
    }
  s.rank = n;
  s.numel = 1;
  for (int d = 0; d < n; ++d) {
    s.shape[d] = k.shape[order[d]];
    (d < s.kept ? s.numel : s.slice_length) *= s.shape[d];
  }
  if (s.numel == 0) s.slice_length = 0;  // nothing runs
  for (int i = 0; i < k.operand_count; ++i) {
    // Operands of the output's shape have size 1 (and any stride) in the reduced dims.
    for (int d = 0; d < n; ++d)
      s.strides[i][d] = k.operands[i].shape[order[d]] == 1 ? 0 : k.operands[i].strides[order[d]];
    s.classes[i] = OperandClass::Strided;
  }
}

// Whether every ordinal and every operand offset of the space fits int32. Ordinals keep half
// the range spare: a grid-stride loop steps past the last one before it stops.
bool fits_int32(const FusedSpace& s) {
  constexpr int64_t kMax = std::numeric_limits<int32_t>::max();
  constexpr int64_t kMaxOrdinal = kMax / 2;
  if (s.numel > kMaxOrdinal || s.slice_length > kMaxOrdinal ||
      s.numel * s.slice_length > kMaxOrdinal)
    return false;
  for (int i = 0; i < s.operand_count; ++i) {
    int64_t reach = 0;
    for (int d = 0; d < s.rank; ++d) {
      const int64_t step = s.strides[i][d] < 0 ? -s.strides[i][d] : s.strides[i][d];
      if (s.shape[d] > 0 && step > (kMax - reach) / s.shape[d]) return false;
      reach += (s.shape[d] > 0 ? s.shape[d] - 1 : 0) * step;
    }
  }
  return true;
}

template <class T> void append(std::string& bytes, const T& value) {
  bytes.append(reinterpret_cast<const char*>(&value), sizeof value);
}

}  // namespace

FusedSpace describe_space(const FusedKernel& kernel, const FusedProgramInfo& info) {
  FusedSpace s;
  s.operand_count = kernel.operand_count;
  for (int i = 0; i < kernel.operand_count; ++i)
    s.dtypes[i] = kernel.operands[i].dtype;
  if (info.reduce_at >= 0)
    describe_reduction(kernel, info, s);
  else
    describe_elementwise(kernel, s);
  s.index32 = fits_int32(s);
  return s;
}

ParamSlots param_slots(const FusedSpace& s) {
  ParamSlots p;
  int next = 0;
  p.numel = next++;
  if (s.reduction) p.slice_length = next++;
  p.shape = next;
  next += s.rank;
  for (int i = 0; i < s.operand_count; ++i) {
    p.strides[i] = s.classes[i] == OperandClass::Strided ? next : -1;
    if (p.strides[i] >= 0) next += s.rank;
  }
  p.data = next;
  next += s.operand_count;
  if (s.vector > 1) p.aligned = next++;
  p.count = next;
  return p;
}

std::vector<long long> pack_params(const FusedKernel& kernel, const FusedSpace& s) {
  const ParamSlots slots = param_slots(s);
  std::vector<long long> v(slots.count, 0);
  v[slots.numel] = s.numel;
  if (slots.slice_length >= 0) v[slots.slice_length] = s.slice_length;
  for (int d = 0; d < s.rank; ++d)
    v[slots.shape + d] = s.shape[d];
  bool aligned = true;
  for (int i = 0; i < s.operand_count; ++i) {
    if (slots.strides[i] >= 0)
      for (int d = 0; d < s.rank; ++d)
        v[slots.strides[i] + d] = s.strides[i][d];
    const auto address = reinterpret_cast<uintptr_t>(kernel.operands[i].data);
    v[slots.data + i] = static_cast<long long>(address);
    aligned = aligned && (s.classes[i] != OperandClass::Contiguous || address % 16 == 0);
  }
  if (slots.aligned >= 0) v[slots.aligned] = aligned;
  return v;
}

std::string space_signature(const FusedKernel& kernel, const FusedSpace& s) {
  std::string bytes;
  append(bytes, kernel.instruction_count);
  for (int i = 0; i < kernel.instruction_count; ++i) {
    const FusedInstruction& ins = kernel.instructions[i];
    append(bytes, ins.kind);
    append(bytes, ins.op);
    append(bytes, ins.operand);
    append(bytes, ins.dst);
    append(bytes, ins.a);
    append(bytes, ins.b);
    append(bytes, ins.c);
    append(bytes, ins.dtype);
    append(bytes, ins.value);
  }
  append(bytes, s.reduction);
  append(bytes, s.rank);
  append(bytes, s.kept);
  append(bytes, s.operand_count);
  for (int i = 0; i < s.operand_count; ++i) {
    append(bytes, s.classes[i]);
    append(bytes, s.dtypes[i]);
  }
  append(bytes, s.index32);
  append(bytes, s.vector);
  append(bytes, s.group);
  return bytes;
}

}  // namespace mt::cuda::codegen
