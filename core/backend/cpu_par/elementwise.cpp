#include "backend/cpu_par/elementwise.hpp"

#include "backend/cpu_par/kernels.hpp"
#include "backend/cpu_par/layout.hpp"
#include "backend/cpu_par/parallel.hpp"

namespace mt::cpu_par {
namespace {

// Elements per parallel chunk: big enough that a chunk costs far more than scheduling it.
constexpr int64_t kGrain = 32 * 1024;
// Tiles for the transposed path: kTileRows rows of a cache line's worth of elements, so every
// line of the transposed operand is used whole, and kTileCols columns, so that the lines of
// one tile stay in L1 while its rows are walked.
constexpr int64_t kTileCols = 256;
constexpr int64_t kTileRowBytes = 64;

// An operand other than the output whose fastest dim is the output's second-fastest: reading
// it along the output's rows jumps a whole row per element.
bool transposed_operand(const Layout& l) {
  if (l.rank < 2 || l.inner_stride(0) != 1) return false;
  for (int k = 1; k < l.operands; ++k)
    if (l.stride(k, l.rank - 2) == 1 && l.inner_stride(k) > 1) return true;
  return false;
}

const char* flat_path_name(const Layout& l) {
  if (l.rank == 0) return "flat";
  bool broadcast = false;
  for (int k = 0; k < l.operands; ++k) {
    if (l.rank > 1 || l.inner_stride(k) > 1) return "strided";
    broadcast = broadcast || l.inner_stride(k) == 0;
  }
  return broadcast ? "broadcast" : "flat";
}

// Calls run(offsets, n) over every element of the layout, in parallel; see for_each_run.
template <class T, class Run>
const char* run_elementwise(const Layout& l, int64_t numel, Run&& run) {
  if (numel == 0) return "empty";
  if (!transposed_operand(l)) {
    parallel_for(numel, kGrain,
                 [&](int64_t begin, int64_t end) { for_each_run(l, begin, end, run); });
    return flat_path_name(l);
  }
  // Tiles over the two innermost dims; a parallel unit is one band of tile rows of one outer
  // index. Within a band, column blocks outside, rows inside.
  const int r = l.rank;
  const int64_t rows = l.shape[r - 2], cols = l.shape[r - 1];
  const int64_t tile_rows = kTileRowBytes / static_cast<int64_t>(sizeof(T));
  const int64_t bands = (rows + tile_rows - 1) / tile_rows;
  const int64_t outer = numel / (rows * cols);
  const int64_t bands_per_chunk = std::max<int64_t>(1, kGrain / (tile_rows * cols));
  parallel_for(outer * bands, bands_per_chunk, [&](int64_t begin, int64_t end) {
    for (int64_t unit = begin; unit < end; ++unit) {
      int64_t base[kMaxOperands];
      offsets_of(l, unit / bands, r - 2, base);
      const int64_t row0 = unit % bands * tile_rows;
      const int64_t row1 = std::min(rows, row0 + tile_rows);
      for (int64_t c0 = 0; c0 < cols; c0 += kTileCols) {
        const int64_t n = std::min(kTileCols, cols - c0);
        for (int64_t i = row0; i < row1; ++i) {
          int64_t offsets[kMaxOperands];
          for (int k = 0; k < l.operands; ++k)
            offsets[k] = base[k] + i * l.stride(k, r - 2) + c0 * l.stride(k, r - 1);
          run(offsets, n);
        }
      }
    }
  });
  return "tiled";
}

}  // namespace

const char* map(UnaryOp op, const Tensor& in, const Tensor& out) {
  return dispatch_dtype(out.dtype(), [&](auto zero) {
    using T = decltype(zero);
    const auto loop = elementwise_kernels<T>().unary[table_index(op)];
    const Layout l = make_layout(out.shape(), {&out, &in});
    T* o = out.data<T>();
    const T* x = in.data<T>();
    return run_elementwise<T>(l, out.numel(), [&](const int64_t* at, int64_t n) {
      loop(n, o + at[0], l.inner_stride(0), x + at[1], l.inner_stride(1));
    });
  });
}

const char* zip(BinaryOp op, const Tensor& a, const Tensor& b, const Tensor& out) {
  return dispatch_dtype(out.dtype(), [&](auto zero) {
    using T = decltype(zero);
    const auto loop = elementwise_kernels<T>().binary[table_index(op)];
    const Layout l = make_layout(out.shape(), {&out, &a, &b});
    T* o = out.data<T>();
    const T* x = a.data<T>();
    const T* y = b.data<T>();
    return run_elementwise<T>(l, out.numel(), [&](const int64_t* at, int64_t n) {
      loop(n, o + at[0], l.inner_stride(0), x + at[1], l.inner_stride(1), y + at[2],
           l.inner_stride(2));
    });
  });
}

const char* copy(const Tensor& src, const Tensor& out) {
  return dispatch_dtype(out.dtype(), [&](auto zero) {
    using T = decltype(zero);
    const Layout l = make_layout(out.shape(), {&out, &src});
    T* o = out.data<T>();
    return dispatch_dtype(src.dtype(), [&](auto src_zero) {
      using S = decltype(src_zero);
      const S* x = src.data<S>();
      const auto& kernels = elementwise_kernels<T>();
      return run_elementwise<T>(l, out.numel(), [&](const int64_t* at, int64_t n) {
        if constexpr (sizeof(S) == 4)
          kernels.from_float(n, o + at[0], l.inner_stride(0), x + at[1], l.inner_stride(1));
        else
          kernels.from_double(n, o + at[0], l.inner_stride(0), x + at[1], l.inner_stride(1));
      });
    });
  });
}

const char* fill(const Tensor& out, double value) {
  return dispatch_dtype(out.dtype(), [&](auto zero) {
    using T = decltype(zero);
    const auto loop = elementwise_kernels<T>().fill;
    const Layout l = make_layout(out.shape(), {&out});
    T* o = out.data<T>();
    return run_elementwise<T>(l, out.numel(), [&](const int64_t* at, int64_t n) {
      loop(n, o + at[0], l.inner_stride(0), static_cast<T>(value));
    });
  });
}

const char* random(const Tensor& out, const RandomSpec& spec) {
  return dispatch_dtype(out.dtype(), [&](auto zero) {
    using T = decltype(zero);
    const auto loop = elementwise_kernels<T>().random;
    // Element i (row-major in out's logical order) takes counter offset + i, so the layout
    // must keep the logical order: no reordering of dims by stride.
    const int64_t numel = out.numel();
    if (numel == 0) return "empty";
    const Tensor flat = out.is_contiguous() ? out.view({numel}) : out;
    T* o = flat.data<T>();
    const int r = flat.dim();
    parallel_for(numel, kGrain, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end;) {
        // One run along the last dim.
        int64_t rest = i, position = 0;
        for (int d = r - 1; d >= 0; --d) {
          position += rest % flat.shape()[d] * flat.strides()[d];
          rest /= flat.shape()[d];
        }
        const int64_t inner = r == 0 ? 1 : flat.shape()[r - 1];
        const int64_t n = std::min(end - i, inner - (r == 0 ? 0 : i % inner));
        loop(n, o + position, r == 0 ? 0 : flat.strides()[r - 1],
             static_cast<int32_t>(spec.distribution), static_cast<T>(spec.a),
             static_cast<T>(spec.b), spec.seed, spec.offset + static_cast<uint64_t>(i));
        i += n;
      }
    });
    return out.is_contiguous() ? "flat" : "strided";
  });
}

}  // namespace mt::cpu_par
