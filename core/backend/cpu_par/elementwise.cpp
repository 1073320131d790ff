#include "backend/cpu_par/elementwise.hpp"

#include "backend/cpu_par/kernels.hpp"
#include "backend/cpu_par/parallel.hpp"
#include "backend/cpu_par/path_name.hpp"
#include "base/strided_layout.hpp"

namespace mt::cpu_par {
namespace {

// Elements per parallel chunk: big enough that a chunk costs far more than scheduling it.
constexpr int64_t kGrain = 32 * 1024;
// Tiles for the transposed path: 64 x 64 elements. A transposed operand is read as 64 runs of
// 64 contiguous elements (whole cache lines, enough for the prefetcher; few enough lines that
// power-of-two strides do not thrash one cache set), and its buffered copy fits in L1.
constexpr int64_t kTileRows = 64;
constexpr int64_t kTileCols = 64;
constexpr int64_t kTileBytes = kTileRows * kTileCols * 8;

// The walk over an op's operands: their layout (in stride order, the cache's) and each
// operand's element (0, ..., 0) and element size.
template <int N> struct Walk {
  StridedLayout<N> layout;
  char* base[N];
  int64_t itemsize[N];
};

template <int N> Walk<N> walk_of(const StridedView* const (&views)[N]) {
  Walk<N> w{make_layout(views, LayoutOrder::Strides), {}, {}};
  for (int k = 0; k < N; ++k) {
    w.base[k] = static_cast<char*>(views[k]->data);
    w.itemsize[k] = itemsize(views[k]->dtype);
  }
  return w;
}

// An operand other than the output whose fastest dim is the output's second-fastest: reading
// it along the output's rows jumps a whole row per element.
template <int N> bool transposed_operand(const StridedLayout<N>& l) {
  if (l.rank < 2 || l.inner_stride(0) != 1) return false;
  for (int k = 1; k < N; ++k)
    if (l.strides[k][l.rank - 2] == 1 && l.inner_stride(k) > 1) return true;
  return false;
}

// Copies a tile (rows along its unit stride) of an operand whose elements are `itemsize`
// bytes and whose columns are `col_stride` apart into `buffer` as contiguous rows.
void transpose_into(int64_t itemsize, int64_t col_stride, const char* from, int64_t rows,
                    int64_t cols, char* buffer) {
  if (itemsize == 4)
    elementwise_kernels<float>().transpose(rows, cols, reinterpret_cast<const float*>(from),
                                           col_stride, reinterpret_cast<float*>(buffer));
  else
    elementwise_kernels<double>().transpose(rows, cols, reinterpret_cast<const double*>(from),
                                            col_stride, reinterpret_cast<double*>(buffer));
}

// Calls run(pointers, strides, n) over every element of the walk, in parallel: pointers to
// each operand's first element of a run of n elements along which operand k steps by
// strides[k] elements.
template <int N, class Run> const char* run_elementwise(const Walk<N>& w, Run&& run) {
  const StridedLayout<N>& l = w.layout;
  if (l.numel == 0) return "empty";
  const int64_t numel = l.numel;
  int64_t inner_strides[N];
  for (int k = 0; k < N; ++k)
    inner_strides[k] = l.inner_stride(k);
  if (!transposed_operand(l)) {
    parallel_for(numel, kGrain, [&](int64_t begin, int64_t end) {
      for_each_run(l, begin, end, [&](const int64_t* at, int64_t n) {
        char* pointers[N];
        for (int k = 0; k < N; ++k)
          pointers[k] = w.base[k] + at[k] * w.itemsize[k];
        run(pointers, inner_strides, n);
      });
    });
    return flat_path_name(l);
  }
  // Tiles over the two innermost dims; a parallel unit is one band of tile rows of one outer
  // index. Within a band: column blocks outside, rows inside; each operand that runs along the
  // columns is first copied, transposed, into a buffer, so that every row runs with unit
  // strides.
  const int r = l.rank;  // >= 2: transposed_operand checked it
  const int64_t rows = l.shape[r - 2], cols = l.shape[r - 1];
  int64_t row_strides[N];
  for (int k = 0; k < N; ++k)
    row_strides[k] = l.strides[k][r - 2];
  const int64_t tile_rows = kTileRows;
  const int64_t bands = (rows + tile_rows - 1) / tile_rows;
  const int64_t outer = numel / (rows * cols);
  const int64_t bands_per_chunk = std::max<int64_t>(1, kGrain / (tile_rows * cols));
  bool buffered[N] = {};
  for (int k = 1; k < N; ++k)
    buffered[k] = row_strides[k] == 1 && inner_strides[k] > 1;
  parallel_for(outer * bands, bands_per_chunk, [&](int64_t begin, int64_t end) {
    alignas(64) char buffers[N][kTileBytes];
    for (int64_t unit = begin; unit < end; ++unit) {
      int64_t base[N];
      l.offsets(unit / bands, r - 2, base);
      const int64_t row0 = unit % bands * tile_rows;
      const int64_t height = std::min(rows, row0 + tile_rows) - row0;
      for (int64_t c0 = 0; c0 < cols; c0 += kTileCols) {
        const int64_t n = std::min(kTileCols, cols - c0);
        char* corner[N];
        for (int k = 0; k < N; ++k) {
          corner[k] =
              w.base[k] + (base[k] + row0 * row_strides[k] + c0 * inner_strides[k]) * w.itemsize[k];
          if (buffered[k])
            transpose_into(w.itemsize[k], inner_strides[k], corner[k], height, n, buffers[k]);
        }
        for (int64_t i = 0; i < height; ++i) {
          char* pointers[N];
          int64_t strides[N];
          for (int k = 0; k < N; ++k) {
            pointers[k] = buffered[k] ? buffers[k] + i * n * w.itemsize[k]
                                      : corner[k] + i * row_strides[k] * w.itemsize[k];
            strides[k] = buffered[k] ? 1 : inner_strides[k];
          }
          run(pointers, strides, n);
        }
      }
    }
  });
  return "tiled";
}

}  // namespace

const char* map(UnaryOp op, const StridedView& in, const StridedView& out) {
  return dispatch_dtype(out.dtype, [&](auto zero) {
    using T = decltype(zero);
    const auto loop = elementwise_kernels<T>().unary[table_index(op)];
    const auto walk = walk_of<2>({&out, &in});
    return run_elementwise(walk, [&](char* const* p, const int64_t* s, int64_t n) {
      loop(n, reinterpret_cast<T*>(p[0]), s[0], reinterpret_cast<const T*>(p[1]), s[1]);
    });
  });
}

const char* zip(BinaryOp op, const StridedView& a, const StridedView& b, const StridedView& out) {
  return dispatch_dtype(out.dtype, [&](auto zero) {
    using T = decltype(zero);
    const auto loop = elementwise_kernels<T>().binary[table_index(op)];
    const auto walk = walk_of<3>({&out, &a, &b});
    return run_elementwise(walk, [&](char* const* p, const int64_t* s, int64_t n) {
      loop(n, reinterpret_cast<T*>(p[0]), s[0], reinterpret_cast<const T*>(p[1]), s[1],
           reinterpret_cast<const T*>(p[2]), s[2]);
    });
  });
}

const char* map_backward(UnaryOp op, const StridedView& in, const StridedView& grad,
                         const StridedView& out) {
  return dispatch_dtype(out.dtype, [&](auto zero) {
    using T = decltype(zero);
    const auto loop = elementwise_kernels<T>().unary_backward[table_index(op)];
    const auto walk = walk_of<3>({&out, &in, &grad});
    return run_elementwise(walk, [&](char* const* p, const int64_t* s, int64_t n) {
      loop(n, reinterpret_cast<T*>(p[0]), s[0], reinterpret_cast<const T*>(p[1]), s[1],
           reinterpret_cast<const T*>(p[2]), s[2]);
    });
  });
}

const char* zip_backward(BinaryOp op, int operand, const StridedView& a, const StridedView& b,
                         const StridedView& grad, const StridedView& out) {
  return dispatch_dtype(out.dtype, [&](auto zero) {
    using T = decltype(zero);
    const auto loop = elementwise_kernels<T>().binary_grad[operand][table_index(op)];
    const auto walk = walk_of<4>({&out, &a, &b, &grad});
    return run_elementwise(walk, [&](char* const* p, const int64_t* s, int64_t n) {
      loop(n, reinterpret_cast<T*>(p[0]), s[0], reinterpret_cast<const T*>(p[1]), s[1],
           reinterpret_cast<const T*>(p[2]), s[2], reinterpret_cast<const T*>(p[3]), s[3]);
    });
  });
}

const char* copy(const StridedView& src, const StridedView& out) {
  return dispatch_dtype(out.dtype, [&](auto zero) {
    using T = decltype(zero);
    const auto walk = walk_of<2>({&out, &src});
    const auto& kernels = elementwise_kernels<T>();
    return run_elementwise(walk, [&](char* const* p, const int64_t* s, int64_t n) {
      T* o = reinterpret_cast<T*>(p[0]);
      if (src.dtype == DType::Float32)
        kernels.from_float(n, o, s[0], reinterpret_cast<const float*>(p[1]), s[1]);
      else
        kernels.from_double(n, o, s[0], reinterpret_cast<const double*>(p[1]), s[1]);
    });
  });
}

const char* fill(const StridedView& out, double value) {
  return dispatch_dtype(out.dtype, [&](auto zero) {
    using T = decltype(zero);
    const auto loop = elementwise_kernels<T>().fill;
    const auto walk = walk_of<1>({&out});
    return run_elementwise(walk, [&](char* const* p, const int64_t* s, int64_t n) {
      loop(n, reinterpret_cast<T*>(p[0]), s[0], static_cast<T>(value));
    });
  });
}

const char* random(const StridedView& out, const RandomSpec& spec) {
  return dispatch_dtype(out.dtype, [&](auto zero) {
    using T = decltype(zero);
    const auto loop = elementwise_kernels<T>().random;
    // Element i (row-major in out's logical order) takes counter offset + i, so the layout
    // keeps the logical order: no reordering of dims by stride.
    const StridedLayout<1> l = make_layout<1>({&out}, LayoutOrder::Logical);
    if (l.numel == 0) return "empty";
    T* o = data_as<T>(out);
    parallel_for(l.numel, kGrain, [&](int64_t begin, int64_t end) {
      int64_t i = begin;
      for_each_run(l, begin, end, [&](const int64_t* at, int64_t n) {
        loop(n, o + at[0], l.inner_stride(0), static_cast<int32_t>(spec.distribution),
             static_cast<T>(spec.a), static_cast<T>(spec.b), spec.seed,
             spec.offset + static_cast<uint64_t>(i));
        i += n;
      });
    });
    return is_contiguous(out) ? "flat" : "strided";
  });
}

}  // namespace mt::cpu_par
