#include "backend/cpu_par/fused.hpp"

#include <algorithm>
#include <memory>
#include <optional>
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

bool row_major(const StridedView& v) { return is_row_major(v.rank, v.shape, v.strides); }

// Runs `program` over all the elements of its operands (laid out as `layout`), in parallel.
const char* run_parallel(const TileProgram& program, const TileLayout& layout) {
  if (program.slot_count() == 0 || layout.numel == 0) return "empty";
  char* base[kTileSlots];
  const int64_t origin[kTileSlots] = {};
  for (int k = 0; k < program.slot_count(); ++k)
    base[k] = static_cast<char*>(program.slot_views()[k]->data);
  parallel_for(layout.numel, kGrain, [&](int64_t begin, int64_t end) {
    program.run_range(layout, base, origin, begin, end);
  });
  return flat_path_name(layout);
}

TileLayout layout_of(const TileProgram& program, LayoutOrder order) {
  return program.slot_count() == 0 ? TileLayout{} : make_layout(program.slot_views(), order);
}

// A reduction's input that is its kernel's prologue (a program whose slot 0 is the prologue's
// result, a contiguous row-major view of the iteration space), evaluated for exactly the
// elements each fold asks for, into per-thread scratch.
class PrologueInput final : public ReduceInput {
 public:
  // `layout`: the program's, in logical order (offsets = ordinals).
  PrologueInput(const TileProgram& program, const TileLayout& layout)
      : program_(program), layout_(layout), itemsize_(itemsize(program.slot_views()[0]->dtype)) {
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
  const TileLayout& layout_;
  const int64_t itemsize_;
  char* base_[kTileSlots] = {};
  mutable std::vector<char> all_;
};

// Where a view's element (i0, j0) of the matrix at `batch_index` (its batch dims; stride 0
// where the view is broadcast) is.
char* block_start(const StridedView& v, const Dims& batch_index, int64_t i0, int64_t j0) {
  const int r = v.rank;
  int64_t offset = i0 * v.strides[r - 2] + j0 * v.strides[r - 1];
  for (int d = 0; d < r - 2; ++d)
    offset += batch_index[d] * v.strides[d];
  return static_cast<char*>(v.data) + offset * itemsize(v.dtype);
}

// A view's block of rows [i0, i1) and columns [j0, j1) of the matrix at `batch_index`, as a
// rank-2 view.
StridedView matrix_block(const StridedView& v, const Dims& batch_index, int64_t i0, int64_t i1,
                         int64_t j0, int64_t j1) {
  const int r = v.rank;
  return {block_start(v, batch_index, i0, j0),
          v.dtype,
          2,
          {i1 - i0, j1 - j0},
          {v.strides[r - 2], v.strides[r - 1]}};
}

// The program's slot views cut to a block (matrix_block), and pointers to them padded with the
// first to kTileSlots (for make_layout).
void cut_blocks(const TileProgram& program, const Dims& batch_index, int64_t i0, int64_t i1,
                int64_t j0, int64_t j1, StridedView (&blocks)[kTileSlots],
                const StridedView* (&pointers)[kTileSlots]) {
  for (int k = 0; k < program.slot_count(); ++k) {
    blocks[k] = matrix_block(*program.slot_views()[k], batch_index, i0, i1, j0, j1);
    pointers[k] = &blocks[k];
  }
  std::fill(pointers + program.slot_count(), pointers + kTileSlots, &blocks[0]);
}

// The Store of a matmul kernel that keeps the product itself, where gemm can write the products
// straight into its operand (instead of a temporary that the Store copies): one that the
// kernel neither loads nor stores anything else into, of row-major layout (the epilogue finds a
// block's batch item from its offset). -1 where there is none.
int product_store(const FusedKernel& k) {
  const int dst = k.instructions[0].dst;
  int store = -1;
  for (int i = 1; i < k.instruction_count && store < 0; ++i) {
    const FusedInstruction& ins = k.instructions[i];
    if (ins.kind == FusedOp::Store && ins.a == dst) store = i;
    if (ins.kind != FusedOp::Store && ins.dst == dst) return -1;  // the product is gone
  }
  if (store < 0) return -1;
  const StridedView& target = k.operands[k.instructions[store].operand];
  if (!row_major(target)) return -1;
  for (int i = 0; i < k.instruction_count; ++i) {
    const FusedInstruction& ins = k.instructions[i];
    const bool reads_or_writes =
        ins.kind == FusedOp::Load || ins.kind == FusedOp::Store || ins.kind == FusedOp::Product;
    if (i == store || !reads_or_writes) continue;
    if (k.operands[ins.operand].data == target.data ||
        (ins.kind == FusedOp::Product && k.operands[ins.operand + 1].data == target.data))
      return -1;
  }
  return store;
}

// A run's temporary (a reduction's folded values, a matmul kernel's products), of a size fixed
// by the kernel's structure: kept from run to run where small, so that small kernels allocate
// nothing; from the caching allocator for each run otherwise.
class RunScratch {
 public:
  static constexpr int64_t kKeptBytes = int64_t{256} << 10;

  void set_size(int64_t bytes) {
    bytes_ = bytes;
    if (bytes > 0 && bytes <= kKeptBytes) kept_.emplace(bytes);
  }
  // The memory, valid while `run` lives (and until the next call).
  char* get(std::optional<HostBuffer<char>>& run) {
    if (kept_) return kept_->get();
    run.emplace(bytes_);
    return run->get();
  }

 private:
  int64_t bytes_ = 0;
  std::optional<HostBuffer<char>> kept_;
};

// A kernel's tile programs and layouts, which depend on its structure only (the fields that
// same_fused_structure compares): built on the kernel's first run and run again for every
// kernel of the same structure, with that kernel's data pointers.
class KernelRunner {
 public:
  // `kernel` has passed analyze_fused_kernel, which gave `info`.
  KernelRunner(const FusedKernel& kernel, const FusedProgramInfo& info);
  KernelRunner(const KernelRunner&) = delete;
  KernelRunner& operator=(const KernelRunner&) = delete;

  bool runs(const FusedKernel& kernel) const { return same_fused_structure(kernel, kernel_); }
  // Runs `kernel`, which runs() accepts.
  const char* run(const FusedKernel& kernel);

 private:
  const char* run_reduction();
  const char* run_matmul();

  FusedKernel kernel_;  // the structure, and the data of the kernel running
  FusedProgramInfo info_;
  // The operands of `program_`, and of `epilogue_` after a Reduce, each with the one the
  // executor adds at kAdded (tile_program.hpp): a reduction's prologue result and its folded
  // values, or a matmul kernel's products.
  StridedView views_[kTileSlots], epilogue_views_[kTileSlots];
  // The kernel's program: an element-wise kernel's, a reduction's prologue (ending in a store
  // of the folded value at kAdded) or a matmul kernel's epilogue (starting with a load of the
  // products from kAdded); and a reduction's epilogue (starting with a load of the folded
  // values from kAdded). Their layouts: the prologue's in logical order, for PrologueInput.
  std::optional<TileProgram> program_, epilogue_;
  TileLayout layout_, epilogue_layout_;
  // A matmul kernel's: the operand that gemm writes the products into (-1: a temporary), and
  // whether its epilogue has anything left to store.
  int product_target_ = -1;
  bool epilogue_stores_ = false;
  TileLayout item_layout_;  // the epilogue's over one whole matrix of the space
  RunScratch scratch_;      // the folded values, or the products where product_target_ < 0
  // A reduction's operands that reduce() reads and writes itself (-1: the prologue's values,
  // evaluated block by block; the folded values in scratch_, then the epilogue).
  int reduce_from_ = -1, reduce_into_ = -1;
};

KernelRunner::KernelRunner(const FusedKernel& kernel, const FusedProgramInfo& info)
    : kernel_(kernel), info_(info) {
  const int count = kernel.instruction_count;
  std::copy(kernel.operands, kernel.operands + kernel.operand_count, views_);
  std::copy(kernel.operands, kernel.operands + kernel.operand_count, epilogue_views_);
  FusedInstruction program[kFusedMaxInstructions];
  if (info.reduce_at >= 0) {
    const int at = info.reduce_at;
    const FusedInstruction& reduce_ins = kernel.instructions[at];
    const DType dtype = reduce_ins.dtype;
    std::copy(kernel.instructions, kernel.instructions + at, program);
    program[at] = {FusedOp::Store, 0, kAdded, -1, reduce_ins.a, -1, -1, dtype, 0};
    views_[kAdded] = contiguous_view(nullptr, dtype, kernel.rank, kernel.shape);
    program_.emplace(program, at + 1, views_, kAdded);
    layout_ = layout_of(*program_, LayoutOrder::Logical);

    program[0] = {FusedOp::Load, 0, kAdded, reduce_ins.dst, -1, -1, -1, dtype, 0};
    std::copy(kernel.instructions + at + 1, kernel.instructions + count, program + 1);
    epilogue_views_[kAdded] =
        contiguous_view(nullptr, dtype, kernel.rank, reduce_output(kernel, info).shape);
    epilogue_.emplace(program, count - at, epilogue_views_);
    epilogue_layout_ = layout_of(*epilogue_, LayoutOrder::Strides);

    // A prologue that only loads a row-major operand, an epilogue that only stores into one:
    // reduce() reads or writes that operand itself (the tensor that the eager program would
    // have made has its layout, so the folds are the same).
    const FusedInstruction &first = kernel.instructions[0], &last = kernel.instructions[count - 1];
    if (at == 1 && first.kind == FusedOp::Load && first.dst == reduce_ins.a &&
        row_major(kernel.operands[first.operand]))
      reduce_from_ = first.operand;
    if (count == at + 2 && last.kind == FusedOp::Store && last.a == reduce_ins.dst &&
        row_major(kernel.operands[last.operand]) &&
        (reduce_from_ < 0 ||
         kernel.operands[last.operand].data != kernel.operands[reduce_from_].data))
      reduce_into_ = last.operand;
    if (reduce_into_ < 0) scratch_.set_size(numel(epilogue_views_[kAdded]) * itemsize(dtype));
  } else if (info.product) {
    const FusedInstruction& product = kernel.instructions[0];
    const int store = product_store(kernel);
    int length = 0;
    program[length++] = {FusedOp::Load, 0, kAdded, product.dst, -1, -1, -1, product.dtype, 0};
    for (int i = 1; i < count; ++i)
      if (i != store) program[length++] = kernel.instructions[i];
    product_target_ = store >= 0 ? kernel.instructions[store].operand : -1;
    views_[kAdded] = store >= 0
                         ? kernel.operands[product_target_]
                         : contiguous_view(nullptr, product.dtype, kernel.rank, kernel.shape);
    if (store < 0) scratch_.set_size(numel(views_[kAdded]) * itemsize(product.dtype));
    program_.emplace(program, length, views_, kAdded);
    StridedView blocks[kTileSlots];
    const StridedView* block_views[kTileSlots];
    cut_blocks(*program_, Dims::filled(kernel.rank - 2, 0), 0, kernel.shape[kernel.rank - 2], 0,
               kernel.shape[kernel.rank - 1], blocks, block_views);
    item_layout_ = make_layout(block_views, LayoutOrder::Strides);
    epilogue_stores_ = std::any_of(program, program + length, [](const FusedInstruction& ins) {
      return ins.kind == FusedOp::Store;
    });
  } else {
    program_.emplace(kernel.instructions, count, views_);
    layout_ = layout_of(*program_, LayoutOrder::Strides);
  }
}

const char* KernelRunner::run(const FusedKernel& kernel) {
  for (int k = 0; k < kernel.operand_count; ++k) {
    kernel_.operands[k].data = kernel.operands[k].data;
    views_[k].data = epilogue_views_[k].data = kernel.operands[k].data;
  }
  if (info_.reduce_at >= 0) return run_reduction();
  if (info_.product) return run_matmul();
  return run_parallel(*program_, layout_);
}

const char* KernelRunner::run_reduction() {
  const auto op = static_cast<ReduceOp>(kernel_.instructions[info_.reduce_at].op);
  StridedView& folded = epilogue_views_[kAdded];
  std::optional<HostBuffer<char>> buffer;
  if (reduce_into_ < 0) folded.data = scratch_.get(buffer);
  const StridedView& out = reduce_into_ >= 0 ? kernel_.operands[reduce_into_] : folded;
  const char* path = reduce_from_ >= 0
                         ? reduce(op, kernel_.operands[reduce_from_], out)
                         : reduce(op, views_[kAdded], out, PrologueInput(*program_, layout_));
  if (reduce_into_ < 0) run_parallel(*epilogue_, epilogue_layout_);
  return path;
}

// A matmul kernel: the product block by block through matmul() (the bits of eager matmul into
// a fresh contiguous tensor), and the epilogue as a tile program on each block as soon as its
// sums are final, on the thread that computed it, while it is in cache. The products go
// straight into the operand that stores them where product_store() finds one, else to a
// contiguous temporary of the whole space. (gemm accumulates each block of C over the k blocks
// (kc) with other blocks computed in between, so per-block scratch would need gemm to keep the
// block's partial sums itself.)
const char* KernelRunner::run_matmul() {
  const FusedKernel& kernel = kernel_;
  const FusedInstruction& product = kernel.instructions[0];
  const int r = kernel.rank;
  const StridedView& a = kernel.operands[product.operand];
  const StridedView& b = kernel.operands[product.operand + 1];
  StridedView& c = views_[kAdded];
  const int64_t elements = numel(c);
  if (elements == 0) return "empty";
  std::optional<HostBuffer<char>> products;
  c.data = product_target_ >= 0 ? kernel.operands[product_target_].data : scratch_.get(products);
  const TileProgram& program = *program_;

  const Dims batch_shape(std::span<const int64_t>(kernel.shape, r - 2));
  const int64_t matrix = kernel.shape[r - 2] * kernel.shape[r - 1];
  const FinishedBlock finished = [&](int64_t c_offset, int64_t i0, int64_t i1, int64_t j0,
                                     int64_t j1) {
    Dims batch_index;
    to_index(c_offset / matrix, batch_shape, batch_index);  // c is row-major
    char* base[kTileSlots];
    for (int k = 0; k < program.slot_count(); ++k)
      base[k] = block_start(*program.slot_views()[k], batch_index, i0, j0);
    // A block's layout depends on its size only: a whole item's (the tiny path's) is kept.
    const bool whole = i1 - i0 == kernel.shape[r - 2] && j1 - j0 == kernel.shape[r - 1];
    TileLayout cut;
    if (!whole) {
      StridedView blocks[kTileSlots];
      const StridedView* block_views[kTileSlots];
      cut_blocks(program, batch_index, i0, i1, j0, j1, blocks, block_views);
      cut = make_layout(block_views, LayoutOrder::Strides);
    }
    const TileLayout& layout = whole ? item_layout_ : cut;
    const int64_t origin[kTileSlots] = {};
    program.run_range(layout, base, origin, 0, layout.numel);
  };
  matmul(a, b, c, epilogue_stores_ ? &finished : nullptr);
  // "matmul avx2 6x16": the micro-kernel, as eager matmul reports it (fixed per process).
  static const std::string paths[2] = {std::string("matmul ") + gemm_kernel_name(false),
                                       std::string("matmul ") + gemm_kernel_name(true)};
  return paths[product.dtype == DType::Float64].c_str();
}

// The runners of the last kSize kernel structures that this thread ran. A plan runs its
// kernels in the same order step after step, so the search starts after the last one found:
// a plan of up to kSize kernels finds each at the first try. A runner is taken out while it
// runs, so that a kernel run from within another's parallel loop cannot change it.
class RunnerCache {
 public:
  static constexpr int kSize = 32;

  struct Taken {
    std::unique_ptr<KernelRunner> runner;
    int place;
  };

  // The runner of the kernel's structure, taken out of its place; a new one (after validation)
  // where there is none, for the place of the oldest.
  Taken take(const FusedKernel& kernel) {
    for (int i = 0; i < count_; ++i) {
      const int place = (next_ + i) % count_;
      if (runners_[place] && runners_[place]->runs(kernel)) {
        next_ = (place + 1) % count_;
        return {std::move(runners_[place]), place};
      }
    }
    auto runner = std::make_unique<KernelRunner>(kernel, analyze_fused_kernel(kernel));
    const int place = count_ < kSize ? count_++ : oldest_;
    oldest_ = (place + 1) % kSize;
    next_ = (place + 1) % count_;
    runners_[place].reset();
    return {std::move(runner), place};
  }

  // Puts a runner back (unless a kernel run meanwhile took its place).
  void give_back(Taken taken) {
    if (!runners_[taken.place]) runners_[taken.place] = std::move(taken.runner);
  }

 private:
  std::unique_ptr<KernelRunner> runners_[kSize];
  int count_ = 0, next_ = 0, oldest_ = 0;
};

}  // namespace

const char* run_fused(const FusedKernel& kernel) {
  thread_local RunnerCache cache;
  RunnerCache::Taken taken = cache.take(kernel);
  const char* path = taken.runner->run(kernel);
  cache.give_back(std::move(taken));
  return path;
}

}  // namespace mt::cpu_par
