// Reductions with a fixed summation order. Every fold is blocked and pairwise with block
// boundaries that depend only on the sizes, and partial results are combined in a fixed tree,
// so results are bitwise identical for any thread count.
#include "backend/cpu_par/reduce.hpp"

#include <algorithm>
#include <type_traits>
#include <vector>

#include "backend/cpu_par/elementwise.hpp"
#include "backend/cpu_par/kernels.hpp"
#include "backend/cpu_par/parallel.hpp"
#include "base/strided_layout.hpp"

namespace mt::cpu_par {
namespace {

constexpr int64_t kGrain = 32 * 1024;       // elements per parallel chunk
constexpr int64_t kChunk = 64 * 1024;       // a long contiguous fold is split into chunks this long
constexpr int64_t kRowBlock = 64;           // rows folded directly before pairwise combining
constexpr int64_t kColBlock = 256;          // columns of one outer-path unit (fits in L1)
constexpr int64_t kShortFolds = 16 * 1024;  // elements of short inner folds read as one block

// The eager input: the tensor's memory, read in place.
class MemoryInput final : public ReduceInput {
 public:
  explicit MemoryInput(const StridedView& in) : data_(in.data), itemsize_(itemsize(in.dtype)) {}
  const void* block(int64_t offset, int64_t, int64_t, int64_t&) const override {
    return static_cast<const char*>(data_) + offset * itemsize_;
  }
  const void* all() const override { return data_; }

 private:
  const void* data_;
  int64_t itemsize_;
};

// Input: MemoryInput (eager; final, so its calls are direct) or any ReduceInput (fused).
template <class T, class Input> struct Folder {
  const ReduceKernels<T>& kernels;
  int op;
  T identity;
  T (*combine)(T, T);
  const Input& input;

  const T* block(int64_t offset, int64_t rows, int64_t cols, int64_t& row_stride) const {
    return static_cast<const T*>(input.block(offset, rows, cols, row_stride));
  }

  // The fold of the n input elements at `offset` with `stride`: kChunk-long chunks (in
  // parallel if asked), their results combined pairwise.
  T contiguous(int64_t n, int64_t offset, int64_t stride, bool parallel) const {
    const auto fold = [&](int64_t count, int64_t at) {
      int64_t step = stride;  // a chunk is `count` rows of one element
      const T* in = block(at, count, 1, step);
      return kernels.contiguous[op](count, in, step);
    };
    if (n <= kChunk) return fold(n, offset);
    const int64_t chunks = (n + kChunk - 1) / kChunk;
    std::vector<T> partial(static_cast<size_t>(chunks));
    const auto run = [&](int64_t begin, int64_t end) {
      for (int64_t c = begin; c < end; ++c)
        partial[c] = fold(std::min(kChunk, n - c * kChunk), offset + c * kChunk * stride);
    };
    if (parallel)
      parallel_for(chunks, 1, run);
    else
      run(0, chunks);
    return pairwise(partial.data(), chunks);
  }

  // out[j * out_stride] = the fold of row j of the (rows x n) block at input `offset` (rows
  // `row_stride` apart), for j < rows: short folds (n <= kChunk, so each is the one-chunk fold
  // of contiguous()) whose input is read as one block.
  void each_row(int64_t offset, int64_t rows, int64_t n, int64_t row_stride, T* out,
                int64_t out_stride) const {
    const T* in = block(offset, rows, n, row_stride);
    for (int64_t j = 0; j < rows; ++j)
      out[j * out_stride] = kernels.contiguous[op](n, in + j * row_stride, 1);
  }

  T pairwise(const T* values, int64_t n) const {
    if (n == 1) return values[0];
    const int64_t half = n / 2;
    return combine(pairwise(values, half), pairwise(values + half, n - half));
  }

  // acc[0, cols) = fold of rows [r0, r1) of the (rows x cols) block at input `offset`,
  // blocked and pairwise.
  void rows(int64_t offset, int64_t row_stride, int64_t cols, int64_t r0, int64_t r1,
            T* acc) const {
    if (r1 - r0 <= kRowBlock) {
      std::fill(acc, acc + cols, identity);
      int64_t stride = row_stride;
      const T* in = block(offset + r0 * row_stride, r1 - r0, cols, stride);
      kernels.rows[op](r1 - r0, cols, in, stride, acc);
      return;
    }
    const int64_t mid = r0 + ((r1 - r0) / kRowBlock + 1) / 2 * kRowBlock;
    rows(offset, row_stride, cols, r0, mid, acc);
    T other[kColBlock];
    rows(offset, row_stride, cols, mid, r1, other);
    kernels.combine[op](cols, acc, other);
  }
};

// The reduction of `input`, which holds the elements of a tensor laid out as `in`.
template <class T, class Op, class Input>
const char* reduce_typed(int op, const StridedView& in, const StridedView& out,
                         const Input& input) {
  constexpr bool eager = std::is_same_v<Input, MemoryInput>;
  const Folder<T, Input> folder{reduce_kernels<T>(), op, Op::template identity<T>(),
                                [](T a, T b) { return Op::combine(a, b); }, input};
  // A fused input runs the paths that read it other than by blocks eagerly, on all of it.
  const auto eager_copy = [&] {
    StridedView copied = in;
    copied.data = const_cast<void*>(input.all());
    return reduce_typed<T, Op>(op, copied, out, MemoryInput(copied));
  };
  if (numel(out) == 0) return "empty";
  // Iteration over the outputs (with the input's offset of each output's first element), and
  // over the elements folded into one output.
  const StridedLayout<2> kept = make_layout<2>({&out, &in}, LayoutOrder::Strides);
  // The elements folded into output 0: the input with the kept dims cut to their first index.
  StridedView folded = in;
  for (int d = 0; d < in.rank; ++d)
    if (out.shape[d] != 1) folded.shape[d] = 1;
  const StridedLayout<1> red = make_layout<1>({&folded}, LayoutOrder::Strides);
  const int64_t n = numel(folded), outputs = numel(out);
  if (n == 0) {
    fill(out, static_cast<double>(folder.identity));
    return "empty";
  }
  if (red.rank == 0) {
    if constexpr (!eager) return eager_copy();
    copy(in, out);
    return "copy";
  }

  T* o = data_as<T>(out);
  const int64_t grain = std::max<int64_t>(1, kGrain / n);
  if (red.rank == 1 && red.inner_stride(0) == 1) {
    // Few outputs: parallel inside each fold instead of across outputs (same result).
    const bool parallel_inside = outputs < 4 * num_threads();
    parallel_for(outputs, parallel_inside ? outputs : grain, [&](int64_t begin, int64_t end) {
      for_each_run(kept, begin, end, [&](const int64_t* at, int64_t count) {
        const int64_t in_step = kept.inner_stride(1), out_step = kept.inner_stride(0);
        if (parallel_inside || n > kShortFolds) {
          for (int64_t j = 0; j < count; ++j)
            o[at[0] + j * out_step] = folder.contiguous(n, at[1] + j * in_step, 1, parallel_inside);
          return;
        }
        const int64_t per_block = kShortFolds / n;
        for (int64_t j = 0; j < count; j += per_block)
          folder.each_row(at[1] + j * in_step, std::min(per_block, count - j), n, in_step,
                          o + at[0] + j * out_step, out_step);
      });
    });
    return "inner";
  }
  if (red.rank == 1 && kept.inner_stride(0) == 1 && kept.inner_stride(1) == 1) {
    const int64_t cols = kept.inner(), blocks = (cols + kColBlock - 1) / kColBlock;
    const int64_t units = outputs / cols * blocks;
    const int64_t unit_grain = std::max<int64_t>(1, kGrain / (n * kColBlock));
    parallel_for(units, unit_grain, [&](int64_t begin, int64_t end) {
      for (int64_t unit = begin; unit < end; ++unit) {
        int64_t at[2];
        kept.offsets(unit / blocks, kept.rank - 1, at);
        const int64_t c0 = unit % blocks * kColBlock, width = std::min(kColBlock, cols - c0);
        folder.rows(at[1] + c0, red.inner_stride(0), width, 0, n, o + at[0] + c0);
      }
    });
    return "outer";
  }
  if constexpr (!eager) return eager_copy();
  parallel_for(outputs, grain, [&](int64_t begin, int64_t end) {
    for_each_run(kept, begin, end, [&](const int64_t* at, int64_t count) {
      for (int64_t j = 0; j < count; ++j) {
        const int64_t base = at[1] + j * kept.inner_stride(1);
        T acc = folder.identity;
        for_each_run(red, 0, n, [&](const int64_t* r, int64_t len) {
          acc =
              folder.combine(acc, folder.contiguous(len, base + r[0], red.inner_stride(0), false));
        });
        o[at[0] + j * kept.inner_stride(0)] = acc;
      }
    });
  });
  return "strided";
}

template <class Input>
const char* reduce_dispatch(ReduceOp op, const StridedView& in, const StridedView& out,
                            const Input& input) {
  return dispatch_dtype(out.dtype, [&](auto zero) {
    return dispatch_reduce(op, [&](auto fn) {
      return reduce_typed<decltype(zero), decltype(fn)>(static_cast<int>(op), in, out, input);
    });
  });
}

}  // namespace

const char* reduce(ReduceOp op, const StridedView& in, const StridedView& out) {
  return reduce_dispatch(op, in, out, MemoryInput(in));
}

const char* reduce(ReduceOp op, const StridedView& in, const StridedView& out,
                   const ReduceInput& input) {
  return reduce_dispatch(op, in, out, input);
}

}  // namespace mt::cpu_par
