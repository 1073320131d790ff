#pragma once
// The element-wise kernels: map, zip, their backwards, copy, fill and random. One kernel
// template walks the output; a small "body" struct per primitive says what one element does.
//
// One thread per output element, grid-stride: thread t of the launch handles elements t,
// t + (threads in the grid), ..., so a grid capped at a few blocks per SM covers any size.
// Element i is the output's row-major ordinal; the kernel turns it into one storage offset per
// operand through its layout (base/strided_layout.hpp), or uses i itself when every operand is
// contiguous.
#include <cstdint>

#include "backend/cuda/kernels/launch.cuh"
#include "backend/cuda/kernels/launchers.hpp"
#include "backend/cuda/kernels/layout.cuh"
#include "op_tables/op_dispatch.hpp"
#include "random/philox.hpp"

namespace mt::cuda {

template <int N, bool kContiguous, class Body>
__global__ void elementwise_kernel(StridedLayout<N> layout, Body body) {
  const int64_t step = int64_t{blockDim.x} * gridDim.x;
  for (int64_t i = int64_t{blockIdx.x} * blockDim.x + threadIdx.x; i < layout.numel; i += step) {
    int64_t offset[N];
    if constexpr (kContiguous) {
      for (int k = 0; k < N; ++k)
        offset[k] = i;
    } else {
      layout.offsets(i, offset);
    }
    body(i, offset);
  }
}

template <int N, class Body>
cudaError_t launch_elementwise(const StridedLayout<N>& layout, const Body& body,
                               cudaStream_t stream) {
  if (layout.numel == 0) return cudaSuccess;
  const unsigned threads = block_threads(layout.numel);
  const dim3 grid(grid_blocks(layout.numel, threads)), block(threads);
  return layout.contiguous()
             ? launch(elementwise_kernel<N, true, Body>, grid, block, 0, stream, layout, body)
             : launch(elementwise_kernel<N, false, Body>, grid, block, 0, stream, layout, body);
}

// The bodies. offset[0] is always the output's.

template <class Op, class T> struct MapBody {
  T* out;
  const T* in;
  __device__ void operator()(int64_t, const int64_t (&offset)[2]) const {
    out[offset[0]] = Op::forward(in[offset[1]]);
  }
};

template <class Op, class T> struct MapBackwardBody {
  T* out;
  const T* in;
  const T* grad;
  __device__ void operator()(int64_t, const int64_t (&offset)[3]) const {
    out[offset[0]] = Op::backward(in[offset[1]], grad[offset[2]]);
  }
};

template <class Op, class T> struct ZipBody {
  T* out;
  const T* a;
  const T* b;
  __device__ void operator()(int64_t, const int64_t (&offset)[3]) const {
    out[offset[0]] = Op::forward(a[offset[1]], b[offset[2]]);
  }
};

template <class Op, class T> struct ZipBackwardBody {
  T* out;
  const T* a;
  const T* b;
  const T* grad;
  int operand;  // 0: the gradient of a, 1: of b
  __device__ void operator()(int64_t, const int64_t (&offset)[4]) const {
    const T x = a[offset[1]], y = b[offset[2]], g = grad[offset[3]];
    out[offset[0]] = operand == 0 ? Op::grad_a(x, y, g) : Op::grad_b(x, y, g);
  }
};

template <class From, class To> struct CopyBody {
  To* out;
  const From* src;
  __device__ void operator()(int64_t, const int64_t (&offset)[2]) const {
    out[offset[0]] = static_cast<To>(src[offset[1]]);
  }
};

template <class T> struct FillBody {
  T* out;
  T value;
  __device__ void operator()(int64_t, const int64_t (&offset)[1]) const { out[offset[0]] = value; }
};

// Element i of the output is Philox sample (first + i): the ordinal, not the storage offset,
// so the output's strides do not change the numbers.
template <class T> struct RandomBody {
  T* out;
  bool normal;
  T a, b;
  uint64_t seed, first;
  __device__ void operator()(int64_t i, const int64_t (&offset)[1]) const {
    const uint64_t counter = first + static_cast<uint64_t>(i);
    out[offset[0]] =
        normal ? philox_normal<T>(seed, counter, a, b) : philox_uniform<T>(seed, counter, a, b);
  }
};

// The launchers (launchers.hpp).

cudaError_t map(UnaryOp op, const mt_cuda_view& in, const mt_cuda_view& out, cudaStream_t s) {
  if (!valid_op(op, kUnaryOpCount) || !same_dtype({&out, &in})) return cudaErrorInvalidValue;
  const StridedLayout<2> layout = make_layout<2>({&out, &in}, LayoutOrder::Logical);
  return with_dtype(out.dtype, [&](auto zero) {
    using T = decltype(zero);
    return dispatch_unary(op, [&](auto fn) {
      return launch_elementwise(layout, MapBody<decltype(fn), T>{data<T>(out), data<T>(in)}, s);
    });
  });
}

cudaError_t map_backward(UnaryOp op, const mt_cuda_view& in, const mt_cuda_view& grad,
                         const mt_cuda_view& out, cudaStream_t s) {
  if (!valid_op(op, kUnaryOpCount) || !same_dtype({&out, &in, &grad})) return cudaErrorInvalidValue;
  const StridedLayout<3> layout = make_layout<3>({&out, &in, &grad}, LayoutOrder::Logical);
  return with_dtype(out.dtype, [&](auto zero) {
    using T = decltype(zero);
    return dispatch_unary(op, [&](auto fn) {
      const MapBackwardBody<decltype(fn), T> body{data<T>(out), data<T>(in), data<T>(grad)};
      return launch_elementwise(layout, body, s);
    });
  });
}

cudaError_t zip(BinaryOp op, const mt_cuda_view& a, const mt_cuda_view& b, const mt_cuda_view& out,
                cudaStream_t s) {
  if (!valid_op(op, kBinaryOpCount) || !same_dtype({&out, &a, &b})) return cudaErrorInvalidValue;
  const StridedLayout<3> layout = make_layout<3>({&out, &a, &b}, LayoutOrder::Logical);
  return with_dtype(out.dtype, [&](auto zero) {
    using T = decltype(zero);
    return dispatch_binary(op, [&](auto fn) {
      const ZipBody<decltype(fn), T> body{data<T>(out), data<T>(a), data<T>(b)};
      return launch_elementwise(layout, body, s);
    });
  });
}

cudaError_t zip_backward(BinaryOp op, int operand, const mt_cuda_view& a, const mt_cuda_view& b,
                         const mt_cuda_view& grad, const mt_cuda_view& out, cudaStream_t s) {
  if (!valid_op(op, kBinaryOpCount) || (operand != 0 && operand != 1) ||
      !same_dtype({&out, &a, &b, &grad}))
    return cudaErrorInvalidValue;
  const StridedLayout<4> layout = make_layout<4>({&out, &a, &b, &grad}, LayoutOrder::Logical);
  return with_dtype(out.dtype, [&](auto zero) {
    using T = decltype(zero);
    return dispatch_binary(op, [&](auto fn) {
      const ZipBackwardBody<decltype(fn), T> body{data<T>(out), data<T>(a), data<T>(b),
                                                  data<T>(grad), operand};
      return launch_elementwise(layout, body, s);
    });
  });
}

cudaError_t copy(const mt_cuda_view& src, const mt_cuda_view& out, cudaStream_t s) {
  const StridedLayout<2> layout = make_layout<2>({&out, &src}, LayoutOrder::Logical);
  return with_dtype(src.dtype, [&](auto from) {
    return with_dtype(out.dtype, [&](auto to) {
      using From = decltype(from);
      using To = decltype(to);
      return launch_elementwise(layout, CopyBody<From, To>{data<To>(out), data<From>(src)}, s);
    });
  });
}

cudaError_t fill(const mt_cuda_view& out, double value, cudaStream_t s) {
  const StridedLayout<1> layout = make_layout<1>({&out}, LayoutOrder::Logical);
  return with_dtype(out.dtype, [&](auto zero) {
    using T = decltype(zero);
    return launch_elementwise(layout, FillBody<T>{data<T>(out), static_cast<T>(value)}, s);
  });
}

cudaError_t random(const mt_cuda_view& out, int distribution, double a, double b, uint64_t seed,
                   uint64_t offset, cudaStream_t s) {
  if (distribution != 0 && distribution != 1) return cudaErrorInvalidValue;
  // Coalescing keeps the row-major order of out's elements, so the kernel's ordinal i is the
  // one the Philox counter needs.
  const StridedLayout<1> layout = make_layout<1>({&out}, LayoutOrder::Logical);
  return with_dtype(out.dtype, [&](auto zero) {
    using T = decltype(zero);
    const RandomBody<T> body{
        data<T>(out), distribution == 1, static_cast<T>(a), static_cast<T>(b), seed, offset};
    return launch_elementwise(layout, body, s);
  });
}

}  // namespace mt::cuda
