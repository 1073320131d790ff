/*
 * minitensor.h: the stable C API of libminitensor (C99, self-contained).
 *
 * A strided tensor library with broadcasting, map/zip/reduce/matmul primitives, reverse-mode
 * autodiff, small neural-network pieces and toy datasets. A first program:
 *
 *     #include <minitensor/minitensor.h>
 *     #include <stdio.h>
 *
 *     int main(void) {
 *       int64_t shape[2] = {2, 3};
 *       mt_tensor *a = NULL, *b = NULL, *c = NULL;
 *       double total = 0;
 *       if (mt_ones(shape, 2, MT_FLOAT32, &a) != MT_OK ||       // 2x3 of ones
 *           mt_arange(0, 3, 1, MT_FLOAT32, &b) != MT_OK ||       // [0, 1, 2]
 *           mt_zip(MT_ZIP_ADD, a, b, &c) != MT_OK) {             // broadcasts to 2x3
 *         fprintf(stderr, "minitensor: %s\n", mt_last_error());
 *         return 1;
 *       }
 *       mt_tensor *s = NULL;
 *       if (mt_reduce(MT_REDUCE_SUM, c, NULL, 0, 0, &s) == MT_OK) // sum of every element: 12
 *         mt_item(s, &total);
 *       printf("%g\n", total);
 *       mt_release(s); mt_release(c); mt_release(b); mt_release(a); // release accepts NULL
 *       return 0;
 *     }
 *
 * Build: cc prog.c $(pkg-config --cflags --libs minitensor), or in CMake
 * find_package(minitensor) and target_link_libraries(prog PRIVATE minitensor::minitensor).
 *
 * The rules every function follows:
 * - Status. A function that can fail returns an mt_status_t: MT_OK (0) or one of the
 *   MT_ERR_* codes. It never aborts and never lets a C++ exception through. On failure its
 *   out-parameters are left untouched, nothing leaks, and no argument is changed. The few
 *   functions that return a value instead (names, counts) return NULL or -1 on failure.
 * - Messages. mt_last_error() is the message of the calling thread's last failed call; every
 *   call that can fail first resets it to "". The message starts with the
 *   function and names the problem and the values, e.g. "mt_zip: shapes (2, 3) and (4,) do
 *   not broadcast: ...".
 * - Ownership is in the name. A function that gives out a tensor or another handle through an
 *   `out` parameter gives a new reference, which the caller releases exactly once
 *   (mt_release, mt_*_release). Functions that take handles borrow them. Views share memory
 *   with the tensor they came from and keep it alive, so handles may be released in any order.
 * - Releases return void, accept NULL and may be called from any thread.
 * - Misuse is reported, not a crash. A handle used after its final release, released again, or
 *   passed (through a cast) as another kind of handle is MT_ERR_INVALID_ARGUMENT ("a is a
 *   released mt_tensor handle (mt_release freed it)"); a release of such a handle does nothing
 *   but set mt_last_error(). Handles are never given back to the system, only reused, and a
 *   released one is reused only after 1024 more releases on the same thread (or once that
 *   thread has exited): until then the misuse is always caught, later it may meet a new handle. A
 * release leaves mt_last_error() alone otherwise, so cleaning up before printing a message keeps
 * it. Two out-parameters of one call may not be the same pointer.
 * - Threads. Distinct tensors may be used from different threads at once, and a tensor may be
 *   read (as an operand, or by queries and copies out) from several threads at once. Writing a
 *   tensor (an `out` op, mt_set, an optimizer step, backward accumulating into its gradient)
 *   while another thread uses it is a data race, as in any array library. The global settings
 *   (backend, thread count, diagnostics, the default generator) are safe to call from any
 *   thread. The no-grad switch is per thread.
 * - Types. Sizes, strides, dims and indices are int64_t; flags and booleans are int32_t (0
 *   false, anything else true). Each enumeration, the status included, is an int32_t with a
 *   name of its own, mt_<kind>_t (mt_status_t, mt_dtype_t for MT_FLOAT32 and MT_FLOAT64,
 *   mt_map_op_t for MT_MAP_*, ...), declared above its values and used in every declaration
 *   that takes or returns one. They are plain typedefs: the ABI is int32_t's and C does not
 *   check that a value belongs to the kind, but each declaration says which values it takes.
 *   The _t keeps these names apart from the functions mt_dtype, mt_device and mt_dataset_kind.
 * - Evolution. The API only grows: functions and enum values are appended, never changed or
 *   removed. MT_ABI_VERSION counts ABI additions; mt_abi_version() is the running library's.
 */
#ifndef MINITENSOR_H
#define MINITENSOR_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) || defined(__clang__)
#define MT_API __attribute__((visibility("default")))
#else
#define MT_API
#endif

/* ---------------------------------------------------------------------------------------------
 * Versions
 * ------------------------------------------------------------------------------------------ */

/* MT_VERSION_MAJOR, _MINOR, _PATCH and MT_VERSION_STRING ("0.1.0"): the release version,
 * generated from the one definition (the file VERSION) when the library is built. */
#include <minitensor/version.h>
/* Incremented whenever functions or enum values are added; never reset. */
#define MT_ABI_VERSION 8

/* "0.1.0": the running library's version. */
MT_API const char* mt_version(void);
/* The running library's MT_ABI_VERSION: a program built against ABI n runs on any library
 * whose mt_abi_version() >= n. */
MT_API int32_t mt_abi_version(void);

/* ---------------------------------------------------------------------------------------------
 * Status codes and errors (values are append-only)
 * ------------------------------------------------------------------------------------------ */

typedef int32_t mt_status_t; /* MT_OK or an MT_ERR_* code */
enum {
  MT_OK = 0,
  MT_ERR_INVALID_ARGUMENT = 1,    /* a bad value: NULL handle, negative size, unknown op */
  MT_ERR_SHAPE_MISMATCH = 2,      /* shapes that do not broadcast, view, multiply or fit a buffer */
  MT_ERR_INDEX_OUT_OF_RANGE = 3,  /* a dim or an index outside its range */
  MT_ERR_DTYPE_MISMATCH = 4,      /* a dtype the call does not accept, or an unknown one */
  MT_ERR_OVERFLOW = 5,            /* a size computation that does not fit in int64 */
  MT_ERR_OUT_OF_MEMORY = 6,       /* an allocation that failed */
  MT_ERR_UNSUPPORTED = 7,         /* valid input that this build or backend cannot handle */
  MT_ERR_INTERNAL = 8,            /* a bug in minitensor: please report the message */
  MT_ERR_DEVICE_MISMATCH = 9,     /* operands on different devices (ABI 2) */
  MT_ERR_DEVICE_UNAVAILABLE = 10, /* a device this process cannot use: no plugin, driver or GPU */
  MT_ERR_COLLECTIVE_FAILED = 11,  /* the communication engine failed, or an earlier failure broke
                                     the communicator (ABI 4) */
  MT_ERR_COLLECTIVE_MISMATCH = 12, /* ranks called different collectives (ABI 4) */
  MT_ERR_CAPTURE = 13 /* what a capture does not allow: a value read, a nested capture, releasing
                         a captured input, a call outside a capture (ABI 5) */
};

/* The calling thread's last error message; "" when the last call succeeded. The pointer is
 * valid until this thread's next call into the library. */
MT_API const char* mt_last_error(void);
/* "MT_ERR_SHAPE_MISMATCH" for a status; "unknown status" for values outside the list. */
MT_API const char* mt_status_name(mt_status_t status);

/* ---------------------------------------------------------------------------------------------
 * Enumerations (values are append-only)
 * ------------------------------------------------------------------------------------------ */

/* Element types. */
typedef int32_t mt_dtype_t;
enum { MT_FLOAT32 = 0, MT_FLOAT64 = 1 };

/* Device types. A device is a (type, index) pair: the CPU is (MT_DEVICE_CPU, 0), the CUDA
 * devices are (MT_DEVICE_CUDA, 0 .. count - 1), see mt_device_count. */
typedef int32_t mt_device_type_t;
enum { MT_DEVICE_CPU = 0, MT_DEVICE_CUDA = 1 /* ABI 2 */ };

/* The GEMM of CUDA matmuls (mt_cuda_set_matmul). */
typedef int32_t mt_cuda_matmul_t;
enum {
  MT_CUDA_MATMUL_KERNEL = 0, /* minitensor's tiled kernel, every layout (the default) */
  MT_CUDA_MATMUL_CUBLAS = 1  /* cuBLAS for contiguous operands, the kernel for the others */
};

/* mt_map's ops: elementwise f(x). MT_MAP_SIN and the ops after it are ABI 3. */
typedef int32_t mt_map_op_t;
enum {
  MT_MAP_NEG = 0,        /* -x */
  MT_MAP_ID = 1,         /* x (a copy) */
  MT_MAP_EXP = 2,        /* e^x */
  MT_MAP_LOG = 3,        /* ln x */
  MT_MAP_SIGMOID = 4,    /* 1 / (1 + e^-x) */
  MT_MAP_RELU = 5,       /* max(x, 0) */
  MT_MAP_TANH = 6,       /* tanh x */
  MT_MAP_INV = 7,        /* 1 / x */
  MT_MAP_ABS = 8,        /* |x| */
  MT_MAP_SQRT = 9,       /* sqrt x */
  MT_MAP_SQUARE = 10,    /* x * x */
  MT_MAP_SIN = 11,       /* sin x */
  MT_MAP_COS = 12,       /* cos x */
  MT_MAP_LOG1P = 13,     /* ln(1 + x), accurate near x = 0 */
  MT_MAP_EXPM1 = 14,     /* e^x - 1, accurate near x = 0 */
  MT_MAP_ERF = 15,       /* the error function */
  MT_MAP_GELU = 16,      /* x P(X <= x), X ~ N(0, 1) (torch.nn.GELU's default) */
  MT_MAP_GELU_TANH = 17, /* GELU's tanh approximation (torch's approximate='tanh') */
  MT_MAP_SILU = 18,      /* x / (1 + e^-x) (swish) */
  MT_MAP_SOFTPLUS = 19   /* ln(1 + e^x); x itself where x > 20 (torch's threshold) */
};

/* mt_zip's ops: elementwise f(a, b) with numpy broadcasting; float32 with float64 gives
 * float64. Comparisons give 1.0 or 0.0 and have no gradient. */
typedef int32_t mt_zip_op_t;
enum {
  MT_ZIP_ADD = 0,
  MT_ZIP_SUB = 1,
  MT_ZIP_MUL = 2,
  MT_ZIP_DIV = 3,
  MT_ZIP_POW = 4,
  MT_ZIP_MAX = 5,
  MT_ZIP_MIN = 6,
  MT_ZIP_LT = 7,        /* a < b */
  MT_ZIP_GT = 8,        /* a > b */
  MT_ZIP_EQ = 9,        /* a == b */
  MT_ZIP_IS_CLOSE = 10, /* |a - b| <= 1e-8 + 1e-5 |b| (numpy.isclose); equal infinities */
  MT_ZIP_BINARY_CROSS_ENTROPY = 11 /* -(b ln a + (1 - b) ln(1 - a)), logs clamped at -100 */
};

/* mt_reduce's ops. */
typedef int32_t mt_reduce_op_t;
enum { MT_REDUCE_SUM = 0, MT_REDUCE_PROD = 1, MT_REDUCE_MAX = 2, MT_REDUCE_MIN = 3 };

/* How losses fold their per-element values. */
typedef int32_t mt_reduction_t;
enum { MT_REDUCTION_MEAN = 0, MT_REDUCTION_SUM = 1, MT_REDUCTION_NONE = 2 };

/* The toy datasets (mt_dataset). */
typedef int32_t mt_dataset_kind_t;
enum {
  MT_DATASET_SIMPLE = 0, /* x1 < 0.5 */
  MT_DATASET_DIAG = 1,   /* x1 + x2 < 0.5 */
  MT_DATASET_SPLIT = 2,  /* x1 < 0.2 or x1 > 0.8 */
  MT_DATASET_XOR = 3,    /* (x1 < 0.5) != (x2 < 0.5) */
  MT_DATASET_CIRCLE = 4, /* (x1 - 0.5)^2 + (x2 - 0.5)^2 > 0.1 */
  MT_DATASET_SPIRAL = 5  /* two interleaved spiral arms */
};

/* Diagnostics modes (mt_set_diagnostics). */
typedef int32_t mt_diagnostics_mode_t;
enum {
  MT_DIAGNOSTICS_OFF = 0,
  MT_DIAGNOSTICS_COLLECT = 1, /* keep a report per op: mt_take_diagnostics */
  MT_DIAGNOSTICS_PRINT = 2    /* keep them and print a line per op to stderr */
};

/* The largest rank a tensor may have. */
#define MT_MAX_RANK 16

/* ---------------------------------------------------------------------------------------------
 * Handles: one opaque type per kind
 * ------------------------------------------------------------------------------------------ */

typedef struct mt_tensor mt_tensor;       /* a strided view of reference-counted memory */
typedef struct mt_generator mt_generator; /* a seeded random number stream */
typedef struct mt_linear mt_linear;       /* a fully connected layer */
typedef struct mt_mlp mt_mlp;             /* Linear layers with relu between them */
typedef struct mt_optimizer mt_optimizer; /* SGD or Adam over a list of parameters */

/* Strings the library allocates for the caller (mt_to_string, mt_take_diagnostics) are freed
 * with this; NULL is accepted. */
MT_API void mt_string_free(char* text);

/* ---------------------------------------------------------------------------------------------
 * Tensors: reference counting
 * ------------------------------------------------------------------------------------------ */

/* Adds a reference: the tensor then needs one more mt_release. */
MT_API mt_status_t mt_retain(mt_tensor* tensor);
/* Drops a reference; the tensor is freed with the last one (its memory with the last view). A
 * released handle, or a placeholder of the calling thread's active capture (mt_capture_input),
 * is left alone, with a message in mt_last_error(). */
MT_API void mt_release(mt_tensor* tensor);

/* ---------------------------------------------------------------------------------------------
 * Creating tensors. `shape` holds `ndim` sizes (0 <= ndim <= MT_MAX_RANK; shape may be NULL
 * when ndim is 0, for a scalar). Sizes must be >= 0 and their product fit in int64.
 * ------------------------------------------------------------------------------------------ */

MT_API mt_status_t mt_empty(const int64_t* shape, int32_t ndim, mt_dtype_t dtype, mt_tensor** out);
MT_API mt_status_t mt_zeros(const int64_t* shape, int32_t ndim, mt_dtype_t dtype, mt_tensor** out);
MT_API mt_status_t mt_ones(const int64_t* shape, int32_t ndim, mt_dtype_t dtype, mt_tensor** out);
MT_API mt_status_t mt_full(const int64_t* shape, int32_t ndim, double value, mt_dtype_t dtype,
                           mt_tensor** out);
/* A rank-0 tensor holding `value`: how scalars enter mt_zip. */
MT_API mt_status_t mt_scalar(double value, mt_dtype_t dtype, mt_tensor** out);
/* start, start + step, ... while < stop (> stop for a negative step), as numpy.arange. */
MT_API mt_status_t mt_arange(double start, double stop, double step, mt_dtype_t dtype,
                             mt_tensor** out);
/* Uniform samples in [low, high) and normal samples (mean, std), drawn from `generator`
 * (NULL: the default generator, see mt_manual_seed). The same generator state gives the same
 * numbers on every backend and thread count. Any finite bounds the dtype holds are sampled
 * correctly, the whole float64 range included; mt_randn refuses (MT_ERR_OVERFLOW) a mean and
 * std whose samples could leave the dtype's range (|mean| + 8.5717 std beyond it). mt_full and
 * mt_arange likewise refuse finite values the dtype cannot hold (1e39 in float32). */
MT_API mt_status_t mt_rand(const int64_t* shape, int32_t ndim, mt_dtype_t dtype, double low,
                           double high, mt_generator* generator, mt_tensor** out);
MT_API mt_status_t mt_randn(const int64_t* shape, int32_t ndim, mt_dtype_t dtype, double mean,
                            double std, mt_generator* generator, mt_tensor** out);

/* A new contiguous tensor holding a copy of `count` elements of `data_dtype` read from `data`
 * in row-major order, converted to `dtype`; `count` must equal the product of `shape`. `data`
 * (and mt_to_buffer's `dst`) may be at any address, aligned or not. */
MT_API mt_status_t mt_from_buffer(const void* data, mt_dtype_t data_dtype, int64_t count,
                                  const int64_t* shape, int32_t ndim, mt_dtype_t dtype,
                                  mt_tensor** out);

/* The creators above on a device (MT_DEVICE_*, index) instead of the CPU; the same numbers
 * everywhere for the same generator state. Devices are checked like mt_to_device's. */
MT_API mt_status_t mt_empty_on(const int64_t* shape, int32_t ndim, mt_dtype_t dtype,
                               mt_device_type_t device_type, int32_t device_index, mt_tensor** out);
MT_API mt_status_t mt_full_on(const int64_t* shape, int32_t ndim, double value, mt_dtype_t dtype,
                              mt_device_type_t device_type, int32_t device_index, mt_tensor** out);
MT_API mt_status_t mt_rand_on(const int64_t* shape, int32_t ndim, mt_dtype_t dtype, double low,
                              double high, mt_generator* generator, mt_device_type_t device_type,
                              int32_t device_index, mt_tensor** out);
MT_API mt_status_t mt_randn_on(const int64_t* shape, int32_t ndim, mt_dtype_t dtype, double mean,
                               double std, mt_generator* generator, mt_device_type_t device_type,
                               int32_t device_index, mt_tensor** out);
MT_API mt_status_t mt_from_buffer_on(const void* data, mt_dtype_t data_dtype, int64_t count,
                                     const int64_t* shape, int32_t ndim, mt_dtype_t dtype,
                                     mt_device_type_t device_type, int32_t device_index,
                                     mt_tensor** out);

/* Called once, when the last view of a wrapped buffer is released. */
typedef void (*mt_deleter)(void* data, void* context);
/* A tensor over the caller's memory, without a copy: element i sits at
 * data + sum(i[d] * strides[d]) * itemsize. `strides` are in elements, >= 0 (NULL: row-major
 * contiguous). `data` must be aligned to the element size (4 or 8 bytes) and the elements must
 * lie inside the address space (else MT_ERR_INVALID_ARGUMENT / MT_ERR_OVERFLOW). Strides may
 * make elements share memory: such a view reads fine but is refused as an output. `deleter`
 * (may be NULL) is called as deleter(data, context) exactly once, when the tensor and all its
 * views are released. On failure the deleter is not called and the buffer stays the caller's.
 * During a capture it is MT_ERR_CAPTURE (as mt_from_dlpack): a plan would keep the borrowed
 * memory past its release; borrow before the capture, or copy in with mt_from_buffer. */
MT_API mt_status_t mt_from_blob(void* data, mt_dtype_t dtype, const int64_t* shape,
                                const int64_t* strides, int32_t ndim, mt_deleter deleter,
                                void* context, mt_tensor** out);

/* Copies the tensor's elements, in row-major order and converted to `dtype`, to `dst`, which
 * has room for `capacity` elements of `dtype`; capacity < numel is MT_ERR_SHAPE_MISMATCH. A
 * tensor on a device is copied to the host (after the device's queued work). */
MT_API mt_status_t mt_to_buffer(const mt_tensor* tensor, void* dst, mt_dtype_t dtype,
                                int64_t capacity);

/* ---------------------------------------------------------------------------------------------
 * Queries (the tensor is borrowed)
 * ------------------------------------------------------------------------------------------ */

MT_API mt_status_t mt_ndim(const mt_tensor* tensor, int32_t* out);
MT_API mt_status_t mt_numel(const mt_tensor* tensor, int64_t* out);
MT_API mt_status_t mt_dtype(const mt_tensor* tensor, mt_dtype_t* out);
/* Device type (MT_DEVICE_*) and index of the tensor's memory. */
MT_API mt_status_t mt_device(const mt_tensor* tensor, mt_device_type_t* type, int32_t* index);
/* Size and stride (in elements) of one dim; negative dims count from the end. */
MT_API mt_status_t mt_size(const mt_tensor* tensor, int64_t dim, int64_t* out);
MT_API mt_status_t mt_stride(const mt_tensor* tensor, int64_t dim, int64_t* out);
/* Copies the ndim sizes (strides) to `out`, which has room for `capacity` values
 * (MT_ERR_INVALID_ARGUMENT when capacity < ndim). */
MT_API mt_status_t mt_shape(const mt_tensor* tensor, int64_t* out, int32_t capacity);
MT_API mt_status_t mt_strides(const mt_tensor* tensor, int64_t* out, int32_t capacity);
MT_API mt_status_t mt_is_contiguous(const mt_tensor* tensor, int32_t* out);
/* Whether two tensors share memory: one is a view of the other, both are views of a third, or
 * their memory overlaps (as after a DLPack round trip). */
MT_API mt_status_t mt_shares_memory(const mt_tensor* a, const mt_tensor* b, int32_t* out);
/* The value of a one-element tensor. */
MT_API mt_status_t mt_item(const mt_tensor* tensor, double* out);
/* One element by multi-index (ndim values; negative indices are errors). mt_set writes into
 * the tensor's memory (seen by all its views); like the *_out ops it refuses a tensor that
 * requires grad while grad mode is on, and one whose elements overlap (see the *_out ops). */
MT_API mt_status_t mt_get(const mt_tensor* tensor, const int64_t* index, int32_t ndim, double* out);
MT_API mt_status_t mt_set(mt_tensor* tensor, const int64_t* index, int32_t ndim, double value);
/* numpy-like text, "tensor([[1., 2.],\n        [3., 4.]], dtype=float32)"; free with
 * mt_string_free. */
MT_API mt_status_t mt_to_string(const mt_tensor* tensor, char** out);

/* ---------------------------------------------------------------------------------------------
 * Views: new tensors that share the input's memory. Dims may be negative (from the end).
 * ------------------------------------------------------------------------------------------ */

/* Result dim i is input dim order[i]; `order` is a permutation of 0..ndim-1. */
MT_API mt_status_t mt_permute(const mt_tensor* tensor, const int64_t* order, int32_t ndim,
                              mt_tensor** out);
MT_API mt_status_t mt_transpose(const mt_tensor* tensor, int64_t dim0, int64_t dim1,
                                mt_tensor** out);
/* The same elements in a new shape without a copy (one size may be -1); fails with
 * MT_ERR_SHAPE_MISMATCH when the strides make that impossible. */
MT_API mt_status_t mt_view(const mt_tensor* tensor, const int64_t* shape, int32_t ndim,
                           mt_tensor** out);
/* mt_view where possible, else a contiguous copy in the new shape. */
MT_API mt_status_t mt_reshape(const mt_tensor* tensor, const int64_t* shape, int32_t ndim,
                              mt_tensor** out);
/* numpy's broadcast_to: size-1 dims repeat (stride 0), leading dims are added; -1 keeps a
 * size. */
MT_API mt_status_t mt_expand(const mt_tensor* tensor, const int64_t* shape, int32_t ndim,
                             mt_tensor** out);
/* Elements [start, start + length) along `dim`. */
MT_API mt_status_t mt_narrow(const mt_tensor* tensor, int64_t dim, int64_t start, int64_t length,
                             mt_tensor** out);
/* Python's x[..., start:stop:step, ...] along `dim`: negative bounds count from the end,
 * bounds are clamped, step >= 1. */
MT_API mt_status_t mt_slice(const mt_tensor* tensor, int64_t dim, int64_t start, int64_t stop,
                            int64_t step, mt_tensor** out);
/* x[..., index, ...]: removes `dim`; a negative index counts from the end. */
MT_API mt_status_t mt_select(const mt_tensor* tensor, int64_t dim, int64_t index, mt_tensor** out);
MT_API mt_status_t mt_unsqueeze(const mt_tensor* tensor, int64_t dim, mt_tensor** out);
/* Removes `dim`, which must have size 1. */
MT_API mt_status_t mt_squeeze(const mt_tensor* tensor, int64_t dim, mt_tensor** out);

/* Copies. mt_contiguous gives a new reference to the input itself when it is already
 * contiguous; mt_to_dtype and mt_clone always copy. */
MT_API mt_status_t mt_contiguous(const mt_tensor* tensor, mt_tensor** out);
MT_API mt_status_t mt_to_dtype(const mt_tensor* tensor, mt_dtype_t dtype, mt_tensor** out);
MT_API mt_status_t mt_clone(const mt_tensor* tensor, mt_tensor** out);
/* The tensor on device (device_type, device_index): a new reference to the input itself when it
 * is there already, else a contiguous copy there (autodiff sees the move: the gradient moves
 * back). MT_ERR_INVALID_ARGUMENT for an unknown type, a negative index, a CPU index other than
 * 0 or a CUDA index >= mt_device_count; MT_ERR_DEVICE_UNAVAILABLE (with the reason) when CUDA
 * cannot be used. */
MT_API mt_status_t mt_to_device(const mt_tensor* tensor, mt_device_type_t device_type,
                                int32_t device_index, mt_tensor** out);

/* ---------------------------------------------------------------------------------------------
 * Operations. Each returns a new tensor; the *_out forms write into an existing `out` tensor
 * instead, which must have exactly the result's shape and dtype, and no two of whose elements
 * may be the same memory: a broadcast view (mt_expand's) or a view whose strides overlap
 * (mt_from_blob with shape (3, 4) and strides (1, 1), say) is MT_ERR_INVALID_ARGUMENT, with two
 * such indices in the message. `out` may be an input (in place). *_out ops record no gradient:
 * while grad mode is on, an operand that requires grad is an error (use them inside a no-grad
 * scope). Ops run on their operands' device, which must be the same for all of them (else
 * MT_ERR_DEVICE_MISMATCH); only a rank-0 CPU tensor (a scalar) may join operands on a device.
 * ------------------------------------------------------------------------------------------ */

MT_API mt_status_t mt_map(mt_map_op_t op, const mt_tensor* a, mt_tensor** out);
MT_API mt_status_t mt_map_out(mt_map_op_t op, const mt_tensor* a, mt_tensor* out);
MT_API mt_status_t mt_zip(mt_zip_op_t op, const mt_tensor* a, const mt_tensor* b, mt_tensor** out);
MT_API mt_status_t mt_zip_out(mt_zip_op_t op, const mt_tensor* a, const mt_tensor* b,
                              mt_tensor* out);
/* Folds the `ndims` dims listed in `dims` (dims may be NULL when ndims is 0, which folds every
 * dim); with `keepdim` the folded dims stay as size 1. max and min of nothing are errors. */
MT_API mt_status_t mt_reduce(mt_reduce_op_t op, const mt_tensor* a, const int64_t* dims,
                             int32_t ndims, int32_t keepdim, mt_tensor** out);
MT_API mt_status_t mt_reduce_out(mt_reduce_op_t op, const mt_tensor* a, const int64_t* dims,
                                 int32_t ndims, int32_t keepdim, mt_tensor* out);
/* Sum over the dims divided by their element count (NaN for none, as numpy). */
MT_API mt_status_t mt_mean(const mt_tensor* a, const int64_t* dims, int32_t ndims, int32_t keepdim,
                           mt_tensor** out);
/* numpy's matmul: (..., n, k) @ (..., k, m) -> (..., n, m) with broadcast batch dims; a 1-D
 * left operand is a row, a 1-D right operand a column, and the added dim is dropped. */
MT_API mt_status_t mt_matmul(const mt_tensor* a, const mt_tensor* b, mt_tensor** out);
MT_API mt_status_t mt_matmul_out(const mt_tensor* a, const mt_tensor* b, mt_tensor* out);
/* "exp", "add", "sum": the op's name; NULL for an unknown op. */
MT_API const char* mt_map_name(mt_map_op_t op);
MT_API const char* mt_zip_name(mt_zip_op_t op);
MT_API const char* mt_reduce_name(mt_reduce_op_t op);

/* ---------------------------------------------------------------------------------------------
 * Autodiff (reverse mode, as PyTorch)
 * ------------------------------------------------------------------------------------------ */

/* Makes a leaf tensor a parameter whose gradient backward accumulates (or stops that).
 * Fails for a tensor that an op on tensors requiring grad produced (a non-leaf). */
MT_API mt_status_t mt_set_requires_grad(mt_tensor* tensor, int32_t requires_grad);
MT_API mt_status_t mt_requires_grad(const mt_tensor* tensor, int32_t* out);
/* 1 when no recorded op made the tensor. */
MT_API mt_status_t mt_is_leaf(const mt_tensor* tensor, int32_t* out);
/* The gradient accumulated into `tensor` (a new reference), or NULL in *out when it has none
 * (never reached by backward, or cleared by mt_zero_grad). */
MT_API mt_status_t mt_grad(const mt_tensor* tensor, mt_tensor** out);
/* Clears the gradient (PyTorch's set_to_none). */
MT_API mt_status_t mt_zero_grad(mt_tensor* tensor);
/* Adds d(tensor)/d(leaf) . grad to the gradient of every leaf that requires grad. `grad` has
 * the tensor's shape; it may be NULL for a one-element tensor (it is then 1). The graph is
 * freed afterwards unless `retain_graph`. A failed backward leaves every gradient unchanged. */
MT_API mt_status_t mt_backward(mt_tensor* tensor, const mt_tensor* grad, int32_t retain_graph);
/* The same memory outside the graph: a leaf that does not require grad. */
MT_API mt_status_t mt_detach(const mt_tensor* tensor, mt_tensor** out);
/* The op that made a non-leaf ("matmul", "mul", "exp"); NULL for a leaf or a NULL tensor. The
 * pointer lives as long as the tensor. */
MT_API const char* mt_grad_fn_name(const mt_tensor* tensor);
/* Grad mode of the calling thread: while off, ops record nothing (torch.no_grad). A no-grad
 * scope is `int32_t was = mt_set_grad_enabled(0); ...; mt_set_grad_enabled(was);`.
 * mt_set_grad_enabled returns the previous mode. */
MT_API int32_t mt_grad_enabled(void);
MT_API int32_t mt_set_grad_enabled(int32_t enabled);

/* ---------------------------------------------------------------------------------------------
 * Random generators
 * ------------------------------------------------------------------------------------------ */

MT_API mt_status_t mt_generator_create(uint64_t seed, mt_generator** out);
MT_API void mt_generator_release(mt_generator* generator);
/* Restarts the generator's stream from `seed`; NULL: the default generator. */
MT_API mt_status_t mt_manual_seed(mt_generator* generator, uint64_t seed);

/* ---------------------------------------------------------------------------------------------
 * Neural-network pieces
 * ------------------------------------------------------------------------------------------ */

/* torch.nn.Linear: weight (out_features, in_features) and bias (out_features), uniform in
 * +-1/sqrt(in_features), drawn from `generator` (NULL: the default); both require grad. */
MT_API mt_status_t mt_linear_create(int64_t in_features, int64_t out_features, mt_dtype_t dtype,
                                    int32_t bias, mt_generator* generator, mt_linear** out);
MT_API void mt_linear_release(mt_linear* layer);
/* x (..., in_features) -> x @ weight^T + bias. */
MT_API mt_status_t mt_linear_forward(const mt_linear* layer, const mt_tensor* x, mt_tensor** out);
/* The parameters themselves (new references; updates to them change the layer). The bias is
 * NULL in *out for a layer without one. */
MT_API mt_status_t mt_linear_weight(const mt_linear* layer, mt_tensor** out);
MT_API mt_status_t mt_linear_bias(const mt_linear* layer, mt_tensor** out);
/* Moves the parameters to the device (torch's module.to): they stay leaves that require grad,
 * without a gradient. An optimizer keeps the tensors it was given: move the layer first. */
MT_API mt_status_t mt_linear_to_device(mt_linear* layer, mt_device_type_t device_type,
                                       int32_t device_index);

/* Layers sizes[0] -> sizes[1] -> ... -> sizes[count - 1] (count >= 2), relu between them, the
 * last layer's output (the logits) returned as is. */
MT_API mt_status_t mt_mlp_create(const int64_t* sizes, int32_t count, mt_dtype_t dtype,
                                 mt_generator* generator, mt_mlp** out);
MT_API void mt_mlp_release(mt_mlp* model);
MT_API mt_status_t mt_mlp_forward(const mt_mlp* model, const mt_tensor* x, mt_tensor** out);
/* The parameters in order (layer 0 weight, layer 0 bias, layer 1 weight, ...). */
MT_API mt_status_t mt_mlp_parameter_count(const mt_mlp* model, int32_t* out);
MT_API mt_status_t mt_mlp_parameter(const mt_mlp* model, int32_t index, mt_tensor** out);
/* Moves every layer to the device (mt_linear_to_device). */
MT_API mt_status_t mt_mlp_to_device(mt_mlp* model, mt_device_type_t device_type,
                                    int32_t device_index);

/* Losses (MT_REDUCTION_*), with torch's checks. binary_cross_entropy takes probabilities and
 * targets of one shape (MT_ERR_SHAPE_MISMATCH), every element in [0, 1] (else
 * MT_ERR_INVALID_ARGUMENT naming the first outside, NaN included); mse_loss takes an input and
 * a target of one shape (no broadcasting); cross_entropy takes logits (N, C) and class indices
 * (N,) held as floats or class probabilities (N, C). logsumexp over an empty dim is -inf,
 * softmax and log_softmax over one are empty. */
MT_API mt_status_t mt_binary_cross_entropy(const mt_tensor* probs, const mt_tensor* target,
                                           mt_reduction_t reduction, mt_tensor** out);
MT_API mt_status_t mt_mse_loss(const mt_tensor* input, const mt_tensor* target,
                               mt_reduction_t reduction, mt_tensor** out);
MT_API mt_status_t mt_cross_entropy(const mt_tensor* logits, const mt_tensor* target,
                                    mt_reduction_t reduction, mt_tensor** out);
MT_API mt_status_t mt_logsumexp(const mt_tensor* x, int64_t dim, int32_t keepdim, mt_tensor** out);
MT_API mt_status_t mt_log_softmax(const mt_tensor* logits, int64_t dim, mt_tensor** out);
MT_API mt_status_t mt_softmax(const mt_tensor* logits, int64_t dim, mt_tensor** out);

/* Optimizers over `count` parameters (leaf tensors that require grad; the optimizer keeps a
 * reference to each). torch.optim's update rules. */
MT_API mt_status_t mt_sgd_create(mt_tensor* const* params, int32_t count, double lr,
                                 double momentum, double weight_decay, int32_t nesterov,
                                 mt_optimizer** out);
MT_API mt_status_t mt_adam_create(mt_tensor* const* params, int32_t count, double lr, double beta1,
                                  double beta2, double eps, double weight_decay,
                                  mt_optimizer** out);
MT_API void mt_optimizer_release(mt_optimizer* optimizer);
/* One update from the parameters' gradients (parameters without one are skipped). */
MT_API mt_status_t mt_optimizer_step(mt_optimizer* optimizer);
/* Clears every parameter's gradient. */
MT_API mt_status_t mt_optimizer_zero_grad(mt_optimizer* optimizer);

/* ---------------------------------------------------------------------------------------------
 * Toy datasets (MiniTorch's): `n` points in the unit square, labelled by the rule of `kind`
 * ------------------------------------------------------------------------------------------ */

/* x (n, 2) and y (n,) with labels 0 or 1, the same for the same (kind, n, seed) everywhere. */
MT_API mt_status_t mt_dataset(mt_dataset_kind_t kind, int64_t n, uint64_t seed, mt_dtype_t dtype,
                              mt_tensor** x, mt_tensor** y);
/* "xor" for MT_DATASET_XOR; NULL for an unknown kind. */
MT_API const char* mt_dataset_name(mt_dataset_kind_t kind);
/* The kind named `name`; MT_ERR_INVALID_ARGUMENT (listing the names) for an unknown one. */
MT_API mt_status_t mt_dataset_kind(const char* name, mt_dataset_kind_t* out);

/* ---------------------------------------------------------------------------------------------
 * Backends, threads, diagnostics (process-wide, safe from any thread)
 * ------------------------------------------------------------------------------------------ */

/* The backends: "cpu_par" (parallel CPU, the default) and "cpu_seq" (the sequential
 * reference). Names are static strings. */
MT_API int32_t mt_backend_count(void);
/* The name of backend `index` (0 <= index < mt_backend_count()); NULL (with a message) out of
 * range. */
MT_API const char* mt_backend_name(int32_t index);
/* Runs every later op on the backend named `name`. */
MT_API mt_status_t mt_set_backend(const char* name);
/* The name of the backend ops run on. */
MT_API const char* mt_current_backend(void);
/* Threads used by the parallel backend: MINITENSOR_NUM_THREADS when set, else the hardware's,
 * but never more than the CPUs this process may run on (its affinity mask, as under mpirun or
 * taskset): the effective count. -1 (with a message) when MINITENSOR_NUM_THREADS is not a count
 * from 1 to 4096. */
MT_API int32_t mt_num_threads(void);
/* 1 <= threads <= 4096, or 0 for the default; more than the CPUs this process may run on is
 * clamped quietly (mt_num_threads tells the count in effect). The library never prints. */
MT_API mt_status_t mt_set_num_threads(int32_t threads);
/* MT_DIAGNOSTICS_* (MINITENSOR_DIAGNOSTICS=1 in the environment starts in PRINT mode). */
MT_API mt_status_t mt_set_diagnostics(mt_diagnostics_mode_t mode);
MT_API mt_diagnostics_mode_t mt_diagnostics(void);
/* The reports kept since the last call (the newest 1000), one line per op of the parallel
 * backend (cpu_seq, the reference, reports nothing), oldest first, as
 * "cpu_par zip add: path=flat threads=2 elements=16777216 time=3.210 ms"; clears them. Free
 * the text with mt_string_free. */
MT_API mt_status_t mt_take_diagnostics(char** out);

/* ---------------------------------------------------------------------------------------------
 * Devices (ABI 2). CUDA comes from a plugin (libminitensor_cuda.so, next to libminitensor, or
 * the path in the environment variable MINITENSOR_CUDA_PLUGIN) loaded on first use; where it
 * cannot be used (no plugin, driver or GPU), CUDA calls fail with MT_ERR_DEVICE_UNAVAILABLE and
 * the reason, and everything on the CPU works as before. Ops on a device are asynchronous:
 * reads by the host (mt_item, mt_to_buffer, ...) wait for them; mt_cuda_synchronize waits for
 * all.
 * ------------------------------------------------------------------------------------------ */

/* The number of devices of a type: 1 for the CPU, 0 for CUDA where it is unavailable. */
MT_API mt_status_t mt_device_count(mt_device_type_t device_type, int32_t* out);
/* Why devices of the type cannot be used, "" when they can (always for the CPU); NULL (with a
 * message) for an unknown type. A static string: it does not change while the process runs. */
MT_API const char* mt_device_unavailable_reason(mt_device_type_t device_type);
/* The device's name ("cpu", "NVIDIA H200 (sm_90)"); free with mt_string_free. */
MT_API mt_status_t mt_device_name(mt_device_type_t device_type, int32_t device_index, char** out);
/* Which GEMM CUDA matmuls use (MT_CUDA_MATMUL_*, process-wide); MT_ERR_UNSUPPORTED for cuBLAS
 * where the plugin has none. */
MT_API mt_status_t mt_cuda_set_matmul(mt_cuda_matmul_t which);
MT_API mt_status_t mt_cuda_get_matmul(mt_cuda_matmul_t* out);
/* Waits until every CUDA device has finished the work queued so far. */
MT_API mt_status_t mt_cuda_synchronize(void);
/* Bytes held by tensors and bytes kept by the caching allocator for reuse on CUDA device
 * `device_index`. */
MT_API mt_status_t mt_cuda_memory_stats(int32_t device_index, int64_t* in_use, int64_t* cached);
/* Gives the cached blocks of every CUDA device back to the driver. */
MT_API mt_status_t mt_cuda_empty_cache(void);

/* ---------------------------------------------------------------------------------------------
 * DLPack (zero-copy exchange with numpy, PyTorch and others; dlpack.h's unversioned
 * DLManagedTensor, DLPack 0.6 and later)
 * ------------------------------------------------------------------------------------------ */

struct DLManagedTensor;
/* A DLManagedTensor over the tensor's memory (no copy), holding a reference to it; the
 * consumer calls its deleter exactly once. Its device is {kDLCPU, 0} or {kDLCUDA, index}. */
MT_API mt_status_t mt_to_dlpack(const mt_tensor* tensor, struct DLManagedTensor** out);
/* A tensor over `managed`'s memory (no copy). On success the tensor owns `managed` and calls
 * its deleter exactly once, when the tensor and all its views are released; on failure the
 * caller still owns it. Accepts CPU float32/float64 with non-negative strides, data +
 * byte_offset aligned to the element size and byte_offset <= INT64_MAX (MT_ERR_OVERFLOW, also
 * when it would wrap the pointer). Importing a struct again while its first import's tensor
 * lives is MT_ERR_INVALID_ARGUMENT (ownership moved with the first). */
MT_API mt_status_t mt_from_dlpack(struct DLManagedTensor* managed, mt_tensor** out);

/* ---------------------------------------------------------------------------------------------
 * Processes (ABI 4): a communicator over the ranks a launcher started (mpirun, mpiexec, srun)
 * and collectives on tensors of any strides. The engine comes from a plugin next to
 * libminitensor (or at the path in MINITENSOR_DIST_<ENGINE>_PLUGIN), loaded only when a
 * launcher's variables are in the environment: MPI (libminitensor_dist_mpi.so) for CPU tensors,
 * and with MINITENSOR_DIST_ENGINE=nccl also NCCL (libminitensor_dist_nccl.so, built with the CUDA
 * plugin; it learns rank 0's unique id through MPI) for CUDA tensors. MPI is initialised only if
 * nobody in the process has, and then finalised at exit. Without a launcher the communicator
 * is a world of one (rank 0 of 1, engine "none"), nothing is loaded and the collectives leave
 * their tensors as they are, so the same program runs unchanged in one process.
 *
 * Every rank calls the same collectives in the same order with tensors of the same dtype and
 * shape; otherwise the call fails on every rank with MT_ERR_COLLECTIVE_MISMATCH naming the
 * first rank that differs (the ranks exchange a fingerprint of each call; with
 * MINITENSOR_DIST_DEBUG=1 the whole call, so that the message describes both calls). An
 * engine failure is MT_ERR_COLLECTIVE_FAILED, and so is a collective that some rank has not
 * entered mt_communicator_timeout seconds (MINITENSOR_DIST_TIMEOUT, 300 by default) after this
 * rank entered it: its message names the collective, its sequence number and size, and the
 * ranks that did and did not enter it. After any of these, every later collective fails with
 * MT_ERR_COLLECTIVE_FAILED, and MPI is not finalised at exit (it would wait for the missing
 * ranks): the launcher then ends the job. An argument error (NULL, a view with overlapping
 * elements, a tensor that requires grad, a CUDA tensor without the NCCL engine) fails on the
 * rank that made it only, before the collective starts: the other ranks then wait for it until
 * the timeout.
 * ------------------------------------------------------------------------------------------ */

typedef struct mt_communicator mt_communicator; /* a rank's view of the world */

/* How mt_all_reduce combines the ranks' tensors. ORDERED (the default) is a reduce-scatter in
 * rank order (rank r folds every rank's slice r in rank order) and an all-gather of the folded
 * slices: every rank gets the same bits, and runs repeat bit for bit. ENGINE is the engine's
 * own all-reduce (MPI_Allreduce, ncclAllReduce), whose order of combination (so its rounding)
 * is the engine's. */
typedef int32_t mt_all_reduce_mode_t;
enum { MT_ALL_REDUCE_ORDERED = 0, MT_ALL_REDUCE_ENGINE = 1 };

/* The world of the launcher in the environment (joined on the first call), or a world of one.
 * MT_ERR_UNSUPPORTED (with the reason) when a launcher is present but an engine's plugin is
 * missing or of another version, or NCCL finds no GPU; MT_ERR_INVALID_ARGUMENT when
 * MINITENSOR_DIST_TIMEOUT or MINITENSOR_DIST_MAX_MESSAGE_BYTES (the most bytes of a rank's data
 * an engine call moves; larger collectives are split) is set but is not a positive number, or
 * MINITENSOR_DIST_ENGINE is neither mpi nor nccl; MT_ERR_COLLECTIVE_FAILED when joining fails.
 * Release it with mt_communicator_release (the world stays joined until the process exits). */
MT_API mt_status_t mt_communicator_from_environment(mt_communicator** out);
MT_API void mt_communicator_release(mt_communicator* communicator);
/* This rank (0 .. size - 1), the number of ranks, and this rank's place among the ranks on
 * its machine (to choose a GPU). */
MT_API mt_status_t mt_communicator_rank(const mt_communicator* communicator, int32_t* out);
MT_API mt_status_t mt_communicator_size(const mt_communicator* communicator, int32_t* out);
MT_API mt_status_t mt_communicator_local_rank(const mt_communicator* communicator, int32_t* out);
/* The engine's name: "mpi", "nccl", or "none" for a world of one; free with mt_string_free. */
MT_API mt_status_t mt_communicator_engine(const mt_communicator* communicator, char** out);
/* Seconds this communicator's collectives wait for every rank (MINITENSOR_DIST_TIMEOUT when it
 * was made); the setter takes a positive, finite number and changes this handle only. */
MT_API mt_status_t mt_communicator_timeout(const mt_communicator* communicator, double* out);
MT_API mt_status_t mt_communicator_set_timeout(mt_communicator* communicator, double seconds);

/* tensor = op (MT_REDUCE_SUM, _PROD, _MAX, _MIN) over every rank's tensor, in place. */
MT_API mt_status_t mt_all_reduce(mt_communicator* communicator, mt_tensor* tensor,
                                 mt_reduce_op_t op, mt_all_reduce_mode_t mode);
/* tensor = rank root's tensor, in place. */
MT_API mt_status_t mt_broadcast(mt_communicator* communicator, mt_tensor* tensor, int32_t root);
/* A new contiguous tensor of shape (size, tensor's shape...) whose row r is rank r's tensor
 * (which has at most MT_MAX_RANK - 1 dims). */
MT_API mt_status_t mt_all_gather(mt_communicator* communicator, const mt_tensor* tensor,
                                 mt_tensor** out);
/* Returns once every rank has entered it. */
MT_API mt_status_t mt_barrier(mt_communicator* communicator);

/* A sharded sampler (ABI 4): which samples of a data set of `dataset_size` samples this rank
 * trains on. Every epoch, a permutation of the indices 0 .. dataset_size - 1 drawn from
 * seed + epoch alone (so the same on every rank) is cut into global batches of `global_batch`
 * indices (mt_sampler_steps of them: the remainder is left out), and each global batch into one
 * contiguous block of global_batch / world_size indices per rank, in rank order. Every rank runs
 * the same steps, and the ranks' blocks of a step, in rank order, are the global batch. Pass
 * world_size and rank as mt_communicator_size and mt_communicator_rank give them; global_batch
 * must be a multiple of world_size and at most dataset_size (MT_ERR_INVALID_ARGUMENT). It
 * starts at epoch 0. Not for concurrent use from several threads. */
typedef struct mt_sampler mt_sampler;
MT_API mt_status_t mt_sampler_create(int64_t dataset_size, int64_t global_batch, int32_t world_size,
                                     int32_t rank, uint64_t seed, mt_sampler** out);
MT_API void mt_sampler_release(mt_sampler* sampler);
/* The steps of an epoch (dataset_size / global_batch) and this rank's share of each. */
MT_API mt_status_t mt_sampler_steps(const mt_sampler* sampler, int64_t* out);
MT_API mt_status_t mt_sampler_local_batch(const mt_sampler* sampler, int64_t* out);
/* Draws the permutation of `epoch` (>= 0) for the following mt_sampler_indices. */
MT_API mt_status_t mt_sampler_set_epoch(mt_sampler* sampler, int64_t epoch);
/* Writes this rank's `count` (= mt_sampler_local_batch) indices of step `step` (0 .. steps - 1)
 * to `out`. */
MT_API mt_status_t mt_sampler_indices(const mt_sampler* sampler, int64_t step, int64_t* out,
                                      int64_t count);

/* Data-parallel training (ABI 4) over `count` parameters (leaf tensors that require grad; it
 * keeps a reference to each). Creation is a collective: every rank must pass parameters of the
 * same shapes and dtypes, in the same order (else MT_ERR_SHAPE_MISMATCH or
 * MT_ERR_DTYPE_MISMATCH on every rank, naming the first difference), and every rank's
 * parameters then take rank 0's values. Gradients are reduced in buckets of at most
 * `bucket_bytes` (0: 2 MiB, 25 MiB with the NCCL engine; a larger parameter is a bucket of its
 * own), filled in reverse parameter order. Train with each rank's block of the global batch
 * (mt_sampler), then call mt_data_parallel_reduce_gradients between backward and the optimizer
 * step. */
typedef struct mt_data_parallel mt_data_parallel;
MT_API mt_status_t mt_data_parallel_create(mt_communicator* communicator, mt_tensor* const* params,
                                           int32_t count, int64_t bucket_bytes,
                                           mt_data_parallel** out);
MT_API void mt_data_parallel_release(mt_data_parallel* ddp);
/* Replaces every parameter's gradient by the average over the ranks: the sum in rank order
 * (mt_all_reduce ORDERED), divided by the world size once, so the result has the bits of one
 * process that runs backward on the ranks' blocks in rank order and divides the accumulated
 * gradient by their number. A parameter without a gradient contributes zeros. A collective:
 * every rank calls it, unless no_sync is set, when it does nothing (backward keeps
 * accumulating into the local gradients; unset it before the last backward's reduction). */
MT_API mt_status_t mt_data_parallel_reduce_gradients(mt_data_parallel* ddp);
MT_API mt_status_t mt_data_parallel_set_no_sync(mt_data_parallel* ddp, int32_t no_sync);
/* The number of gradient buckets. */
MT_API mt_status_t mt_data_parallel_bucket_count(const mt_data_parallel* ddp, int64_t* out);

/* Overlap (ABI 4): with it, mt_data_parallel_reduce_gradients's buckets are reduced during
 * backward, on a communication thread of the ddp, each as soon as its parameters' gradients
 * are final (a gradient-ready hook in the autograd engine), strictly in bucket order; the
 * reduction then waits for them and reduces the buckets not yet handed over (parameters that
 * got no gradient) and throws any error of the thread. The same buckets, in the same order,
 * with the same arithmetic: the gradients have the same bits with overlap on or off.
 * MT_OVERLAP_AUTO (the default) is on for the NCCL engine, and on CPU where a core is spare:
 * more than one rank, and more CPUs in the process's affinity mask than mt_num_threads (mpirun
 * binds each of a few ranks to one core: none spare), decided when set. no_sync turns it off.
 * Between a backward and the reduction, other collectives may run before or after the
 * thread's: call them before backward or after the reduction. Two backwards before one
 * reduction without no_sync are correct but waste the first one's reductions. */
typedef int32_t mt_overlap_t;
enum { MT_OVERLAP_AUTO = 0, MT_OVERLAP_OFF = 1, MT_OVERLAP_ON = 2 };
MT_API mt_status_t mt_data_parallel_set_overlap(mt_data_parallel* ddp, mt_overlap_t mode);
/* 1 when the buckets are reduced during backward (MT_OVERLAP_AUTO decided), else 0. */
MT_API mt_status_t mt_data_parallel_overlap(const mt_data_parallel* ddp, int32_t* out);

/* ---------------------------------------------------------------------------------------------
 * Capture and plans (ABI 5). Between mt_capture_begin and mt_capture_end, the ops the calling
 * thread makes are recorded instead of run: every argument is checked as in eager mode (shapes,
 * dtypes, devices), so errors arise at the call that makes them, and the tensors they give out
 * have shapes and dtypes but hold no values. mt_capture_end turns the record into a graph,
 * mt_graph_compile plans it (fusing element-wise chains and reductions into single kernels,
 * unless MINITENSOR_FUSION=0 is set), and mt_plan_run runs the plan with new inputs, giving the
 * bits that running the recorded ops eagerly gives on the capture's device (the CPU's default
 * backend, or a CUDA device since ABI 8: mt_capture_input_on). A fused kernel that the device's
 * backend will not run runs as its ops, one at a time; mt_plan_report says which and why.
 *
 * - Inputs are the placeholders of mt_capture_input, in the order they were declared: each run
 *   passes tensors of their shapes and dtypes (any strides). A placeholder holds no values, and
 *   releasing one while its capture is active is MT_ERR_CAPTURE (nothing is released).
 * - Tensors that existed before the capture (parameters) are captured by reference: each run
 *   reads their values at that time, and updates to them (an optimizer step) are seen.
 * - A tensor made in the capture that still has a handle at mt_capture_end (and is not an
 *   output) is state the plan writes on every run: release intermediate handles before
 *   mt_capture_end, so that the planner may keep their values in registers.
 * - While a capture is active, reading values (mt_item, mt_get, mt_to_buffer, mt_to_string,
 *   ...), a second mt_capture_begin and moving a tensor that existed before it to another device
 *   are errors (MT_ERR_CAPTURE, MT_ERR_UNSUPPORTED); tensors made in a capture never hold values,
 *   also after it: a plan's outputs do. Captures are per thread.
 * ------------------------------------------------------------------------------------------ */

typedef struct mt_graph mt_graph; /* the ops one capture recorded, its inputs and outputs */
typedef struct mt_plan mt_plan;   /* a compiled graph: the kernels a run executes */

/* Starts capturing on the calling thread; MT_ERR_CAPTURE when a capture is active already. */
MT_API mt_status_t mt_capture_begin(void);
/* The next input of the active capture: a contiguous placeholder of `shape` and `dtype` (shapes
 * are checked as mt_empty's) on the CPU. MT_ERR_CAPTURE outside a capture. */
MT_API mt_status_t mt_capture_input(const int64_t* shape, int32_t ndim, mt_dtype_t dtype,
                                    mt_tensor** out);
/* mt_capture_input on a device (ABI 8), checked like mt_to_device's. A capture's tensors are all
 * on one device, its first tensor's: a placeholder or an op on another is
 * MT_ERR_DEVICE_MISMATCH, naming both. */
MT_API mt_status_t mt_capture_input_on(const int64_t* shape, int32_t ndim, mt_dtype_t dtype,
                                       mt_device_type_t device_type, int32_t device_index,
                                       mt_tensor** out);
/* Ends the active capture and gives its graph, whose outputs are the `count` tensors of
 * `outputs` (made or used in the capture; outputs may be NULL when count is 0). MT_ERR_CAPTURE
 * outside a capture. An argument error (NULL, released handles, a negative count) leaves the
 * capture active; once the arguments are accepted the capture ends, also when the call fails. */
MT_API mt_status_t mt_capture_end(mt_tensor* const* outputs, int64_t count, mt_graph** out);
/* Ends the calling thread's capture, if any, dropping what it recorded; never fails. */
MT_API void mt_capture_abandon(void);
/* 1 while the calling thread captures, else 0. */
MT_API int32_t mt_capture_active(void);
MT_API void mt_graph_release(mt_graph* graph);

/* Plans the graph: fused kernels unless the environment has MINITENSOR_FUSION=0, when each
 * recorded op is a kernel of its own (as in eager mode). The plan keeps the graph alive. */
MT_API mt_status_t mt_graph_compile(const mt_graph* graph, mt_plan** out);
MT_API void mt_plan_release(mt_plan* plan);
/* Runs the plan with `n_inputs` inputs (mt_plan_input_count of them, with the placeholders'
 * shapes, dtypes and device) and writes its n_outputs (= mt_plan_output_count) results, on that
 * device, to `outputs` as new references. A wrong input count is MT_ERR_INVALID_ARGUMENT, a
 * wrong shape MT_ERR_SHAPE_MISMATCH, a wrong dtype MT_ERR_DTYPE_MISMATCH and a wrong device
 * MT_ERR_DEVICE_MISMATCH, each naming the expected and the given; MT_ERR_CAPTURE during a
 * capture. An input that the plan updates in place must not
 * share memory with another input or with a tensor the capture used by reference
 * (MT_ERR_INVALID_ARGUMENT); a non-contiguous one gets its new values written back. Runs of one
 * plan from several threads take turns. */
MT_API mt_status_t mt_plan_run(mt_plan* plan, mt_tensor* const* inputs, int64_t n_inputs,
                               mt_tensor** outputs, int64_t n_outputs);
/* The number of inputs and outputs of a run; -1 (with a message) for a bad handle. */
MT_API int64_t mt_plan_input_count(const mt_plan* plan);
MT_API int64_t mt_plan_output_count(const mt_plan* plan);
/* What the planner made of the graph: the ops recorded, the kernels a run executes and how
 * many of them are fused, the bytes of intermediates that never exist, and the bytes a run
 * loads and stores. */
MT_API mt_status_t mt_plan_stats(const mt_plan* plan, int64_t* ops, int64_t* kernels,
                                 int64_t* fused_kernels, int64_t* bytes_avoided,
                                 int64_t* bytes_moved);
/* The plan in words: each kernel, the ops it fuses, each fused kernel that runs op by op and the
 * backend's reason, why each stored value is stored, the totals; free with mt_string_free. */
MT_API mt_status_t mt_plan_report(const mt_plan* plan, char** out);

/* The plan cache (ABI 6). mt_graph_compile keeps the planner's decisions by structure: the
 * recorded ops, buffers, dtypes, ranks and the layout class of every view, never the sizes. A
 * program captured again at new sizes is planned by checking the kept decisions (a hit) instead
 * of searching for them (a miss). Shared by all threads; least recently used first out.
 * mt_plan_cache_stats gives the entries kept, the most it keeps, and the hits and misses since
 * the library loaded or the last mt_plan_cache_clear. */
MT_API mt_status_t mt_plan_cache_stats(int64_t* entries, int64_t* max_entries, int64_t* hits,
                                       int64_t* misses);
/* Why the latest miss missed, as the first field of the structure that differs from the
 * closest entry ("op 0 op: 2 cached, 0 given"), or that the cache was empty; "" before any
 * miss. Free with mt_string_free. */
MT_API mt_status_t mt_plan_cache_last_miss(char** out);
/* Keeps at most `max_entries` (0: none); by default MINITENSOR_PLAN_CACHE or 64. A negative
 * count is MT_ERR_INVALID_ARGUMENT. Entries beyond it are dropped, least recently used first. */
MT_API mt_status_t mt_plan_cache_set_max_entries(int64_t max_entries);
/* Drops every entry and zeroes the counts. */
MT_API mt_status_t mt_plan_cache_clear(void);

/* Traced functions (ABI 7): a program kept as a C function of its inputs, so that it runs at any
 * input sizes, which one plan cannot (mt_plan_run takes the sizes of its capture only: a record
 * cannot tell a value the caller derived from sizes, such as a reshape's dims or 1/n, from a
 * constant). A run whose signature (each input's dtype, shape and, since ABI 8, device; strides
 * do not matter) is new begins a capture on the calling thread, calls the body with
 * placeholders of that signature, ends the capture with the outputs the body gives and compiles
 * it: the plan cache makes that a hit when only sizes changed, so a new size costs a capture.
 * Runs with a known signature run its plan. A function keeps the plans of its 64 most recently used
 * signatures.
 *
 * The body: `inputs` are n_inputs placeholders (valid during the call; releasing one is
 * MT_ERR_CAPTURE). It stores n_outputs new references, tensors made or used in the capture, in
 * `outputs` (each entry is NULL on entry; the library releases what is stored) and returns MT_OK,
 * or the status of a call that failed, whose message mt_function_run passes on. It may be
 * called on any thread that runs the function, and on several at once. Release the handles of
 * intermediates before returning: a tensor made in the capture that still has a handle when the
 * capture ends is state every run writes (see above). */
typedef struct mt_function mt_function;
typedef mt_status_t (*mt_function_body)(void* context, mt_tensor* const* inputs, int64_t n_inputs,
                                        mt_tensor** outputs, int64_t n_outputs);
/* A function of n_inputs inputs and n_outputs outputs computed by `body`, which is called with
 * `context` (the caller's; it must outlive the function). Traces nothing yet. */
MT_API mt_status_t mt_function_new(mt_function_body body, void* context, int64_t n_inputs,
                                   int64_t n_outputs, mt_function** out);
MT_API void mt_function_release(mt_function* function);
/* Runs the function as mt_plan_run runs a plan, tracing it first for a new signature. A wrong
 * count is MT_ERR_INVALID_ARGUMENT; an error of the body (a failed call, a NULL output) is its
 * status with its message, and leaves no capture active and no plan kept; a capture already
 * active on this thread is MT_ERR_CAPTURE. */
MT_API mt_status_t mt_function_run(mt_function* function, mt_tensor* const* inputs,
                                   int64_t n_inputs, mt_tensor** outputs, int64_t n_outputs);
/* The plan that runs for the signature of `inputs` (traced first if new), for mt_plan_stats and
 * mt_plan_report; release it with mt_plan_release. */
MT_API mt_status_t mt_function_plan(mt_function* function, mt_tensor* const* inputs,
                                    int64_t n_inputs, mt_plan** out);
/* The number of signatures whose plans the function keeps; -1 (with a message) for a bad
 * handle. */
MT_API int64_t mt_function_plan_count(const mt_function* function);

#ifdef __cplusplus
}
#endif

#endif /* MINITENSOR_H */
