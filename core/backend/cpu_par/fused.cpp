#include "backend/cpu_par/fused.hpp"

#include <algorithm>
#include <string>
#include <vector>

#include "backend/cpu_par/host_buffer.hpp"
#include "backend/cpu_par/matmul.hpp"
#include "backend/cpu_par/parallel.hpp"
#include "backend/cpu_par/path_name.hpp"
#include "backend/cpu_par/reduce.hpp"
#include "backend/cpu_par/tile_program.hpp"
#include "backend/fused_program.hpp"
#include "base/index.hpp"

namespace mt::cpu_par {
namespace {

constexpr int64_t kGrain = 32 * 1024;  // elements per parallel chunk
// The operand that the executor adds to a program (tile_program.hpp).
constexpr int kAdded = kFusedMaxOperands;

// A fresh contiguous row-major tensor's view, as the eager program would have allocated.
StridedView contiguous_view(void* data, DType dtype, int rank, const int64_t* shape) {
  StridedView view{data, dtype, rank, {}, {}};
  int64_t stride = 1;
  for (int d = rank - 1; d >= 0; --d) {
    view.shape[d] = shape[d];
    view.strides[d] = stride;
    stride *= shape[d];
  }
  return view;
}

// Runs `program` over all the elements of its operands, in parallel.
const char* run_parallel(const TileProgram& program) {
  if (program.slot_count() == 0) return "empty";
  const TileLayout layout = make_layout(program.slot_views(), LayoutOrder::Strides);
  if (layout.numel == 0) return "empty";
  char* base[kTileSlots];
  const int64_t origin[kTileSlots] = {};
  for (int k = 0; k < program.slot_count(); ++k)
    base[k] = static_cast<char*>(program.slot_views()[k]->data);
  parallel_for(layout.numel, kGrain, [&](int64_t begin, int64_t end) {
    program.run_range(layout, base, origin, begin, end);
  });
  return flat_path_name(layout);
}

// A reduction's input that is its kernel's prologue (a program whose slot 0 is the prologue's
// result, a contiguous row-major view of the iteration space), evaluated for exactly the
// elements each fold asks for, into per-thread scratch.
class PrologueInput final : public ReduceInput {
 public:
  explicit PrologueInput(const TileProgram& program)
      : program_(program),
        layout_(make_layout(program.slot_views(), LayoutOrder::Logical)),  // offsets = ordinals
        itemsize_(itemsize(program.slot_views()[0]->dtype)) {
    for (int k = 0; k < program.slot_count(); ++k)
      base_[k] = static_cast<char*>(program.slot_views()[k]->data);
  }

  const void* block(int64_t offset, int64_t rows, int64_t cols,
                    int64_t& row_stride) const override {
    thread_local std::vector<char> scratch;
    scratch.resize(std::max<size_t>(scratch.size(), rows * cols * itemsize_));
    if (rows == 1 || row_stride == cols) {
      evaluate(offset, rows * cols, scratch.data());
    } else {
      for (int64_t i = 0; i < rows; ++i)
        evaluate(offset + i * row_stride, cols, scratch.data() + i * cols * itemsize_);
    }
    row_stride = cols;
    return scratch.data();
  }

  const void* all() const override {
    all_.resize(layout_.numel * itemsize_);
    parallel_for(layout_.numel, kGrain, [&](int64_t begin, int64_t end) {
      evaluate(begin, end - begin, all_.data() + begin * itemsize_);
    });
    return all_.data();
  }

 private:
  // The prologue's elements [first, first + n) (row-major ordinals) into `into`.
  void evaluate(int64_t first, int64_t n, char* into) const {
    char* base[kTileSlots];
    std::copy(base_, base_ + program_.slot_count(), base);
    base[0] = into;
    int64_t origin[kTileSlots] = {};
    origin[0] = first;
    program_.run_range(layout_, base, origin, first, first + n);
  }

  const TileProgram& program_;
  const TileLayout layout_;
  const int64_t itemsize_;
  char* base_[kTileSlots] = {};
  mutable std::vector<char> all_;
};

const char* run_reduction(const FusedKernel& kernel, const FusedProgramInfo& info) {
  const int at = info.reduce_at, count = kernel.instruction_count;
  const FusedInstruction& reduce_ins = kernel.instructions[at];
  const DType dtype = reduce_ins.dtype;
  const StridedView& target = reduce_output(kernel, info);
  std::vector<char> folded(static_cast<size_t>(numel(target) * itemsize(dtype)));
  const StridedView in = contiguous_view(nullptr, dtype, kernel.rank, kernel.shape);
  const StridedView out = contiguous_view(folded.data(), dtype, kernel.rank, target.shape);
  StridedView views[kTileSlots];
  std::copy(kernel.operands, kernel.operands + kernel.operand_count, views);

  // The prologue, ending in a store of the folded value into the reduction's input.
  FusedInstruction prologue[kFusedMaxInstructions];
  std::copy(kernel.instructions, kernel.instructions + at, prologue);
  prologue[at] = {FusedOp::Store, 0, kAdded, -1, reduce_ins.a, -1, -1, dtype, 0};
  views[kAdded] = in;
  const TileProgram first(prologue, at + 1, views, kAdded);
  const char* path = reduce(static_cast<ReduceOp>(reduce_ins.op), in, out, PrologueInput(first));

  // The epilogue, starting from a load of the folded values, per output element.
  FusedInstruction epilogue[kFusedMaxInstructions];
  epilogue[0] = {FusedOp::Load, 0, kAdded, reduce_ins.dst, -1, -1, -1, dtype, 0};
  std::copy(kernel.instructions + at + 1, kernel.instructions + count, epilogue + 1);
  views[kAdded] = out;
  run_parallel(TileProgram(epilogue, count - at, views));
  return path;
}

// A view's block of rows [i0, i1) and columns [j0, j1) of the matrix at `batch_index` (its
// batch dims; stride 0 where the view is broadcast), as a rank-2 view.
StridedView matrix_block(const StridedView& v, const Dims& batch_index, int64_t i0, int64_t i1,
                         int64_t j0, int64_t j1) {
  const int r = v.rank;
  int64_t offset = i0 * v.strides[r - 2] + j0 * v.strides[r - 1];
  for (int d = 0; d < r - 2; ++d)
    offset += batch_index[d] * v.strides[d];
  return {static_cast<char*>(v.data) + offset * itemsize(v.dtype),
          v.dtype,
          2,
          {i1 - i0, j1 - j0},
          {v.strides[r - 2], v.strides[r - 1]}};
}

// A matmul kernel: the product block by block through matmul() (the bits of eager matmul into
// a fresh contiguous tensor), and the epilogue as a tile program on each block as soon as its
// sums are final, on the thread that computed it, while it is in cache.
//
// First version: the products go to a contiguous temporary of the whole space, even where no
// Store keeps them. gemm accumulates each block of C over the k blocks (kc) with other blocks
// computed in between, so per-block scratch would need gemm to keep the block's partial sums
// itself; only the epilogue's passes over memory are saved, not the temporary's.
const char* run_matmul(const FusedKernel& kernel) {
  const FusedInstruction& product = kernel.instructions[0];
  const int r = kernel.rank, count = kernel.instruction_count;
  const StridedView& a = kernel.operands[product.operand];
  const StridedView& b = kernel.operands[product.operand + 1];
  int64_t elements = 1;
  for (int d = 0; d < r; ++d)
    elements *= kernel.shape[d];
  if (elements == 0) return "empty";
  HostBuffer<char> products(elements * itemsize(product.dtype));
  const StridedView c = contiguous_view(products.get(), product.dtype, r, kernel.shape);

  // The epilogue, starting from a load of the products.
  StridedView views[kTileSlots];
  std::copy(kernel.operands, kernel.operands + kernel.operand_count, views);
  views[kAdded] = c;
  FusedInstruction epilogue[kFusedMaxInstructions];
  epilogue[0] = {FusedOp::Load, 0, kAdded, product.dst, -1, -1, -1, product.dtype, 0};
  std::copy(kernel.instructions + 1, kernel.instructions + count, epilogue + 1);
  const TileProgram program(epilogue, count, views, kAdded);

  const Dims batch_shape(std::span<const int64_t>(kernel.shape, r - 2));
  const int64_t matrix = kernel.shape[r - 2] * kernel.shape[r - 1];
  const FinishedBlock finished = [&](int64_t c_offset, int64_t i0, int64_t i1, int64_t j0,
                                     int64_t j1) {
    Dims batch_index;
    to_index(c_offset / matrix, batch_shape, batch_index);  // c is contiguous
    StridedView blocks[kTileSlots];
    const StridedView* block_views[kTileSlots];
    char* base[kTileSlots];
    for (int k = 0; k < program.slot_count(); ++k) {
      blocks[k] = matrix_block(*program.slot_views()[k], batch_index, i0, i1, j0, j1);
      block_views[k] = &blocks[k];
      base[k] = static_cast<char*>(blocks[k].data);
    }
    std::fill(block_views + program.slot_count(), block_views + kTileSlots, &blocks[0]);
    const TileLayout layout = make_layout(block_views, LayoutOrder::Strides);
    const int64_t origin[kTileSlots] = {};
    program.run_range(layout, base, origin, 0, layout.numel);
  };
  matmul(a, b, c, &finished);
  // "matmul avx2 6x16": the micro-kernel, as eager matmul reports it (fixed per process).
  static const std::string paths[2] = {std::string("matmul ") + gemm_kernel_name(false),
                                       std::string("matmul ") + gemm_kernel_name(true)};
  return paths[product.dtype == DType::Float64].c_str();
}

}  // namespace

const char* run_fused(const FusedKernel& kernel) {
  const FusedProgramInfo info = analyze_fused_kernel(kernel);
  if (info.reduce_at >= 0) return run_reduction(kernel, info);
  if (info.product) return run_matmul(kernel);
  return run_parallel(TileProgram(kernel.instructions, kernel.instruction_count, kernel.operands));
}

}  // namespace mt::cpu_par
