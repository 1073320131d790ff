// gemm's driver: BLIS's five loops around the micro-kernel of gemm_kernel.cpp.
//
//   for jc in blocks of nc columns of C       B block kc x nc packed, shared (L3)
//     for pc in blocks of kc along k          in order: C = A B for the first, C += after
//       for ic in blocks of mc rows of C      A block mc x kc packed per task (L2)
//         macro-kernel: for each nr panel of B, for each mr panel of A: micro-kernel
//
// Parallel schemes, chosen from the sizes alone:
//  - tiny problems run inline (threads would cost more than they save);
//  - many or small batch items: parallel over items, each item single-threaded;
//  - otherwise item by item, and per (jc, pc) block: pack B in parallel (over nr panels), then
//    compute in parallel over tasks of (row block, column group) of C.
// Every scheme sums each C element over the same kc blocks in order, and within a block over
// k in order (one micro-kernel for full and edge tiles), so the bits of C depend only on the
// sizes and the ISA, never on the scheme or the thread count.
#include "backend/cpu_par/gemm.hpp"

#include <algorithm>
#include <cstdint>

#include "backend/cpu_par/gemm_kernel.hpp"
#include "backend/cpu_par/host_buffer.hpp"
#include "backend/cpu_par/isa.hpp"
#include "backend/cpu_par/parallel.hpp"

namespace mt::cpu_par {
namespace {

// Below this many multiply-adds in all the call runs on the calling thread (~5 us of work).
constexpr int64_t kInlineWork = int64_t{1} << 18;
// Packing buffers up to this size for tiny problems live on the stack.
constexpr int64_t kStackBytes = int64_t{16} << 10;
// A parallel chunk of batch items does at least this many multiply-adds.
constexpr int64_t kChunkWork = int64_t{1} << 20;
// Items up to this size (m * n * k) are run single-threaded, one per task, when the batch has
// more than one; larger ones too when the batch has at least kManyItems.
constexpr int64_t kSmallItem = int64_t{1} << 21;
constexpr int64_t kManyItems = 8;
// Intra-item parallelism: at least this many compute tasks per (jc, pc) block when the sizes
// allow it, each at least kMinGroupPanels nr panels wide; B is packed in chunks of at least
// kPackChunk elements.
constexpr int64_t kMinTasks = 8;
constexpr int64_t kMinGroupPanels = 4;
constexpr int64_t kPackChunk = int64_t{1} << 15;

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }
int64_t round_up(int64_t a, int64_t b) { return ceil_div(a, b) * b; }

template <class T> const GemmKernel<T>& kernel_for(Isa isa) {
  if constexpr (sizeof(T) == 4) {
    switch (isa) {
      case Isa::Avx512: return isa_avx512::gemm_f32();
      case Isa::Avx2: return isa_avx2::gemm_f32();
      case Isa::Baseline: break;
    }
    return isa_baseline::gemm_f32();
  } else {
    switch (isa) {
      case Isa::Avx512: return isa_avx512::gemm_f64();
      case Isa::Avx2: return isa_avx2::gemm_f64();
      case Isa::Baseline: break;
    }
    return isa_baseline::gemm_f64();
  }
}

template <class T> const GemmKernel<T>& active_kernel() {
  static const GemmKernel<T>& kernel = kernel_for<T>(active_isa());
  return kernel;
}

// [0, count) split into `parts` ranges whose sizes differ by at most one.
struct Split {
  int64_t count, parts;
  int64_t begin(int64_t part) const { return part * count / parts; }
  int64_t end(int64_t part) const { return (part + 1) * count / parts; }
};

// Blocks of at most `max_block` along a dim of `size`, in units of `unit`: the block count is
// the least that fits, and the blocks are as equal as the unit allows (no thin tail block).
int64_t block_size(int64_t size, int64_t max_block, int64_t unit) {
  const int64_t blocks = ceil_div(size, max_block);
  return std::min(max_block, round_up(ceil_div(size, blocks), unit));
}

// The k blocks. Their boundaries fix the order of summation, so they depend on k and the
// kernel only.
template <class T> int64_t k_block(const GemmKernel<T>& kernel, int64_t k) {
  return block_size(k, kernel.kc, 1);
}

template <class T> struct Operands {
  int64_t m, n, k;
  const T* a;
  int64_t a_rs, a_cs;
  const T* b;
  int64_t b_rs, b_cs;
  T* c;
  int64_t c_rs, c_cs;
};

// Packing buffer sizes (elements) for one thread running whole items.
template <class T> int64_t a_buffer_size(const GemmKernel<T>& kernel, int64_t m, int64_t k) {
  return round_up(std::min(m, kernel.mc), kernel.mr) * k_block(kernel, k);
}
template <class T> int64_t b_buffer_size(const GemmKernel<T>& kernel, int64_t n, int64_t k) {
  return round_up(block_size(n, kernel.nc, kernel.nr), kernel.nr) * k_block(kernel, k);
}

// Reports the blocks of one item whose sums are final to a FinishedBlock, where there is one.
struct ItemBlocks {
  const FinishedBlock* finished;
  int64_t c_offset;
  void operator()(int64_t i0, int64_t i1, int64_t j0, int64_t j1) const {
    if (finished) (*finished)(c_offset, i0, i1, j0, j1);
  }
};

// One item on the calling thread.
template <class T>
void gemm_sequential(const GemmKernel<T>& kernel, const Operands<T>& x, T* packed_a, T* packed_b,
                     const ItemBlocks& finished) {
  const int64_t nc_max = block_size(x.n, kernel.nc, kernel.nr);
  const int64_t kc_max = k_block(kernel, x.k);
  const int64_t mc_max = block_size(x.m, kernel.mc, kernel.mr);
  for (int64_t jc = 0; jc < x.n; jc += nc_max) {
    const int64_t nc = std::min(nc_max, x.n - jc);
    for (int64_t pc = 0; pc < x.k; pc += kc_max) {
      const int64_t kc = std::min(kc_max, x.k - pc);
      kernel.pack_b(kc, nc, x.b + pc * x.b_rs + jc * x.b_cs, x.b_rs, x.b_cs, packed_b);
      for (int64_t ic = 0; ic < x.m; ic += mc_max) {
        const int64_t mc = std::min(mc_max, x.m - ic);
        kernel.pack_a(mc, kc, x.a + ic * x.a_rs + pc * x.a_cs, x.a_rs, x.a_cs, packed_a);
        kernel.macro_kernel(mc, nc, kc, packed_a, packed_b, x.c + ic * x.c_rs + jc * x.c_cs, x.c_rs,
                            x.c_cs, pc > 0);
        if (pc + kc == x.k) finished(ic, ic + mc, jc, jc + nc);
      }
    }
  }
}

// Operands of C^T = B^T A^T: the same products and sums as C = A B.
template <class T> Operands<T> transposed(const Operands<T>& x) {
  return {x.n, x.m, x.k, x.b, x.b_cs, x.b_rs, x.a, x.a_cs, x.a_rs, x.c, x.c_cs, x.c_rs};
}

// One small item (k <= kc) without packing: the direct kernel wants B's rows contiguous. Where
// they are not, C^T = B^T A^T is computed instead if A^T's rows are (or are smaller to copy),
// and the smaller right operand is copied into contiguous rows otherwise.
template <class T> void gemm_direct(const GemmKernel<T>& kernel, Operands<T> x) {
  const auto rows_contiguous = [](const Operands<T>& o) { return o.b_cs == 1 || o.n == 1; };
  if (!rows_contiguous(x)) {
    const Operands<T> t = transposed(x);
    if (rows_contiguous(t) || t.n < x.n) x = t;
  }
  if (rows_contiguous(x)) {
    kernel.direct(x.m, x.n, x.k, x.a, x.a_rs, x.a_cs, x.b, x.b_rs, x.c, x.c_rs, x.c_cs);
    return;
  }
  HostBuffer<T> rows(x.k * x.n);
  for (int64_t p = 0; p < x.k; ++p)
    for (int64_t j = 0; j < x.n; ++j)
      rows.get()[p * x.n + j] = x.b[p * x.b_rs + j * x.b_cs];
  kernel.direct(x.m, x.n, x.k, x.a, x.a_rs, x.a_cs, rows.get(), x.n, x.c, x.c_rs, x.c_cs);
}

// One item on all threads. Per (jc, pc) block: B's kc x nc block is packed in parallel (chunks
// of nr panels) into one shared buffer, then tasks of (row block x column group) of C each pack
// their rows of A and run the macro-kernel. Row blocks are whole mr panels, as equal as they
// can be, and a multiple of 4 of them where m allows (no idle thread at the end of a block for
// 2 or 4 threads); column groups split C further only when there are too few row blocks.
// (Packing all of k x nc of B at once, so that tasks need no barrier per kc block, measured no
// faster and slower for double: more of L3 and repeated packing of A.)
template <class T>
void gemm_parallel(const GemmKernel<T>& kernel, const Operands<T>& x, const ItemBlocks& finished) {
  const int64_t mr = kernel.mr, nr = kernel.nr;
  const int64_t nc_max = block_size(x.n, kernel.nc, nr);
  const int64_t kc_max = k_block(kernel, x.k);
  HostBuffer<T> packed_b(round_up(nc_max, nr) * kc_max);

  const int64_t m_panels = ceil_div(x.m, mr);
  const Split rows{m_panels, std::min(m_panels, round_up(ceil_div(x.m, kernel.mc), 4))};
  const int64_t a_size = ceil_div(m_panels, rows.parts) * mr * kc_max;

  for (int64_t jc = 0; jc < x.n; jc += nc_max) {
    const int64_t nc = std::min(nc_max, x.n - jc);
    const int64_t n_panels = ceil_div(nc, nr);
    int64_t groups = 1;
    if (rows.parts < kMinTasks)
      groups = std::max<int64_t>(
          1, std::min(ceil_div(kMinTasks, rows.parts), n_panels / kMinGroupPanels));
    const Split cols{n_panels, groups};

    for (int64_t pc = 0; pc < x.k; pc += kc_max) {
      const int64_t kc = std::min(kc_max, x.k - pc);
      const T* b = x.b + pc * x.b_rs + jc * x.b_cs;
      parallel_for(
          n_panels, std::max<int64_t>(1, kPackChunk / (nr * kc)), [&](int64_t p0, int64_t p1) {
            const int64_t j0 = p0 * nr, j1 = std::min(nc, p1 * nr);
            kernel.pack_b(kc, j1 - j0, b + j0 * x.b_cs, x.b_rs, x.b_cs, packed_b.get() + j0 * kc);
          });
      parallel_for(rows.parts * cols.parts, 1, [&](int64_t t0, int64_t t1) {
        HostBuffer<T> packed_a(a_size);
        for (int64_t t = t0; t < t1; ++t) {
          const int64_t r = t / cols.parts, g = t % cols.parts;
          const int64_t i0 = rows.begin(r) * mr, i1 = std::min(x.m, rows.end(r) * mr);
          const int64_t j0 = cols.begin(g) * nr, j1 = std::min(nc, cols.end(g) * nr);
          kernel.pack_a(i1 - i0, kc, x.a + i0 * x.a_rs + pc * x.a_cs, x.a_rs, x.a_cs,
                        packed_a.get());
          kernel.macro_kernel(i1 - i0, j1 - j0, kc, packed_a.get(), packed_b.get() + j0 * kc,
                              x.c + i0 * x.c_rs + (jc + j0) * x.c_cs, x.c_rs, x.c_cs, pc > 0);
          if (pc + kc == x.k) finished(i0, i1, jc + j0, jc + j1);
        }
      });
    }
  }
}

}  // namespace

template <class T>
void gemm_batched(int64_t batch, int64_t m, int64_t n, int64_t k, const T* a,
                  const int64_t* a_offsets, int64_t a_rs, int64_t a_cs, const T* b,
                  const int64_t* b_offsets, int64_t b_rs, int64_t b_cs, T* c,
                  const int64_t* c_offsets, int64_t c_rs, int64_t c_cs,
                  const FinishedBlock* finished) {
  if (batch <= 0 || m <= 0 || n <= 0) return;
  const auto blocks = [&](int64_t item) { return ItemBlocks{finished, c_offsets[item]}; };
  if (k <= 0) {
    for (int64_t item = 0; item < batch; ++item) {
      for (int64_t i = 0; i < m; ++i)
        for (int64_t j = 0; j < n; ++j)
          c[c_offsets[item] + i * c_rs + j * c_cs] = T(0);
      blocks(item)(0, m, 0, n);
    }
    return;
  }
  const GemmKernel<T>& kernel = active_kernel<T>();
  const Operands<T> base{m, n, k, a, a_rs, a_cs, b, b_rs, b_cs, c, c_rs, c_cs};
  auto operands = [&](int64_t item) {
    Operands<T> x = base;
    x.a += a_offsets[item], x.b += b_offsets[item], x.c += c_offsets[item];
    return x;
  };
  int64_t item_work = 0;  // multiply-adds per item, saturated
  if (__builtin_mul_overflow(m, n, &item_work) || __builtin_mul_overflow(item_work, k, &item_work))
    item_work = INT64_MAX;
  // Items one per task (or several small ones per task), each on one thread.
  auto run_items = [&](int64_t first, int64_t last) {
    HostBuffer<T> packed_a(a_buffer_size(kernel, m, k));
    HostBuffer<T> packed_b(b_buffer_size(kernel, n, k));
    for (int64_t item = first; item < last; ++item)
      gemm_sequential(kernel, operands(item), packed_a.get(), packed_b.get(), blocks(item));
  };
  if (item_work <= kInlineWork / batch && k <= kernel.kc) {
    // Tiny: on this thread, unpacked.
    for (int64_t item = 0; item < batch; ++item) {
      gemm_direct(kernel, operands(item));
      blocks(item)(0, m, 0, n);
    }
  } else if (item_work <= kInlineWork / batch) {
    // Tiny but long along k: on this thread, with packing buffers on the stack when they fit.
    const int64_t a_size = round_up(a_buffer_size(kernel, m, k), 64 / int64_t{sizeof(T)});
    const int64_t b_size = b_buffer_size(kernel, n, k);
    if ((a_size + b_size) * int64_t{sizeof(T)} <= kStackBytes) {
      alignas(64) unsigned char stack[kStackBytes];
      T* packed_a = reinterpret_cast<T*>(stack);
      T* packed_b = packed_a + a_size;  // 64-byte aligned
      for (int64_t item = 0; item < batch; ++item)
        gemm_sequential(kernel, operands(item), packed_a, packed_b, blocks(item));
    } else {
      run_items(0, batch);
    }
  } else if (batch > 1 && (item_work <= kSmallItem || batch >= kManyItems)) {
    parallel_for(batch, std::max<int64_t>(1, kChunkWork / item_work), run_items);
  } else {
    for (int64_t item = 0; item < batch; ++item)
      gemm_parallel(kernel, operands(item), blocks(item));
  }
}

const char* gemm_kernel_name(bool is_double) {
  return is_double ? active_kernel<double>().name : active_kernel<float>().name;
}

template void gemm_batched<float>(int64_t, int64_t, int64_t, int64_t, const float*, const int64_t*,
                                  int64_t, int64_t, const float*, const int64_t*, int64_t, int64_t,
                                  float*, const int64_t*, int64_t, int64_t, const FinishedBlock*);
template void gemm_batched<double>(int64_t, int64_t, int64_t, int64_t, const double*,
                                   const int64_t*, int64_t, int64_t, const double*, const int64_t*,
                                   int64_t, int64_t, double*, const int64_t*, int64_t, int64_t,
                                   const FinishedBlock*);

}  // namespace mt::cpu_par
