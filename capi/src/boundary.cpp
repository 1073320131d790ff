#include "boundary.hpp"

#include <cstdlib>
#include <cstring>

#include "backend/cuda/cuda_runtime.hpp"

namespace mt::capi {

// The C enums are the core's enums by value (both are append-only). The op enums (MT_MAP_*,
// MT_ZIP_*, MT_REDUCE_*) are checked by tests/capi/test_op_enums.c, which reads them out of
// minitensor.h and matches each to the core op of its value by name.
static_assert(MT_FLOAT32 == int(DType::Float32) && MT_FLOAT64 == int(DType::Float64));
static_assert(MT_REDUCTION_MEAN == int(nn::Reduction::Mean) &&
              MT_REDUCTION_NONE == int(nn::Reduction::None));
static_assert(MT_DATASET_SIMPLE == int(DatasetKind::Simple) &&
              MT_DATASET_SPIRAL + 1 == kDatasetKindCount);
static_assert(MT_DIAGNOSTICS_PRINT == int(DiagnosticsMode::Print));
static_assert(MT_MAX_RANK == kMaxRank);
static_assert(MT_ERR_INVALID_ARGUMENT == int(ErrorCode::InvalidArgument) &&
              MT_ERR_UNSUPPORTED == int(ErrorCode::Unsupported));
static_assert(MT_ERR_DEVICE_MISMATCH == int(ErrorCode::DeviceMismatch) &&
              MT_ERR_DEVICE_UNAVAILABLE == int(ErrorCode::DeviceUnavailable));
static_assert(MT_ERR_CAPTURE == int(ErrorCode::CaptureMisuse));
static_assert(MT_DEVICE_CPU == int(DeviceType::Cpu) && MT_DEVICE_CUDA == int(DeviceType::Cuda));
static_assert(MT_CUDA_MATMUL_KERNEL == int(CudaMatmul::Kernel) &&
              MT_CUDA_MATMUL_CUBLAS == int(CudaMatmul::Cublas));

namespace {

thread_local std::string last_error;

// Throws unless 0 <= value < count, naming the enum and its valid range.
int32_t enum_arg(int32_t value, int32_t count, const char* what) {
  if (value < 0 || value >= count)
    fail(ErrorCode::InvalidArgument, "unknown ", what, " ", value, " (valid: 0..", count - 1, ")");
  return value;
}

}  // namespace

mt_status_t set_error(mt_status_t status, const std::string& message) {
  try {
    last_error = message;
  } catch (...) {
    last_error.clear();  // no memory for the message: the status still tells the kind
  }
  return status;
}

void clear_error() { last_error.clear(); }

void require_distinct(const void* a, const char* a_name, const void* b, const char* b_name) {
  if (a == b)
    fail(ErrorCode::InvalidArgument, a_name, " and ", b_name, " are the same pointer (", a,
         "); each result needs its own");
}

namespace {

const char* handle_type(HandleKind kind) {
  switch (kind) {
    case HandleKind::Tensor: return "mt_tensor";
    case HandleKind::Generator: return "mt_generator";
    case HandleKind::Linear: return "mt_linear";
    case HandleKind::Mlp: return "mt_mlp";
    case HandleKind::Optimizer: return "mt_optimizer";
    case HandleKind::Communicator: return "mt_communicator";
    case HandleKind::Sampler: return "mt_sampler";
    case HandleKind::DataParallel: return "mt_data_parallel";
    case HandleKind::Graph: return "mt_graph";
    case HandleKind::Plan: return "mt_plan";
    case HandleKind::Function: return "mt_function";
  }
  return "unknown";
}

const char* release_function(HandleKind kind) {
  switch (kind) {
    case HandleKind::Tensor: return "mt_release";
    case HandleKind::Generator: return "mt_generator_release";
    case HandleKind::Linear: return "mt_linear_release";
    case HandleKind::Mlp: return "mt_mlp_release";
    case HandleKind::Optimizer: return "mt_optimizer_release";
    case HandleKind::Communicator: return "mt_communicator_release";
    case HandleKind::Sampler: return "mt_sampler_release";
    case HandleKind::DataParallel: return "mt_data_parallel_release";
    case HandleKind::Graph: return "mt_graph_release";
    case HandleKind::Plan: return "mt_plan_release";
    case HandleKind::Function: return "mt_function_release";
  }
  return "unknown";
}

bool is_kind(uint32_t tag) {
  for (HandleKind kind :
       {HandleKind::Tensor, HandleKind::Generator, HandleKind::Linear, HandleKind::Mlp,
        HandleKind::Optimizer, HandleKind::Communicator, HandleKind::Sampler,
        HandleKind::DataParallel, HandleKind::Graph, HandleKind::Plan})
    if (tag == static_cast<uint32_t>(kind)) return true;
  return false;
}

}  // namespace

std::string not_live_message(uint32_t tag, HandleKind kind, const char* what) {
  if (tag == kReleasedTag)
    return cat(what, " is a released ", handle_type(kind), " handle (", release_function(kind),
               " freed it)");
  if (is_kind(tag))
    return cat(what, " is an ", handle_type(static_cast<HandleKind>(tag)), " handle, not an ",
               handle_type(kind));
  return cat(what, " is not an ", handle_type(kind), " handle (a dangling or foreign pointer)");
}

void fail_not_live(uint32_t tag, HandleKind kind, const char* what) {
  fail(ErrorCode::InvalidArgument, not_live_message(tag, kind, what));
}

Tensor optional_tensor(const mt_tensor* handle, const char* what) {
  return handle ? tensor_of(handle, what) : Tensor();
}

std::vector<Tensor> tensors_arg(mt_tensor* const* tensors, int64_t count, const char* what) {
  if (count < 0) fail(ErrorCode::InvalidArgument, "negative count ", count, " of ", what);
  if (count > 0) require(tensors, what);
  std::vector<Tensor> result;  // not reserved: a count beyond any array would throw length_error
  for (int64_t i = 0; i < count; ++i) {
    result.push_back(tensor_of(tensors[i], cat(what, "[", i, "]").c_str()));
  }
  return result;
}

mt_tensor* new_handle(Tensor tensor) {
  if (!tensor.defined()) return nullptr;
  mt_tensor* handle = make_handle<mt_tensor>(std::move(tensor));
  handle->refs.store(1, std::memory_order_relaxed);
  return handle;
}

void release_tensor(mt_tensor* handle) noexcept {
  if (handle == nullptr) return;
  const uint32_t tag = handle->tag.load(std::memory_order_acquire);
  if (tag != static_cast<uint32_t>(HandleKind::Tensor)) {
    end_handle(handle, "mt_release", "tensor");  // not live: sets the message
    return;
  }
  if (is_capture_placeholder(handle)) {
    set_error(MT_ERR_CAPTURE,
              "mt_release: tensor is an input placeholder of the capture active on this thread; "
              "release it after mt_capture_end (or mt_capture_abandon)");
    return;
  }
  // acq_rel: the thread that frees sees every write made through the other references.
  const int64_t before = handle->refs.fetch_sub(1, std::memory_order_acq_rel);
  if (before == 1)
    end_handle(handle, "mt_release", "tensor");
  else if (before < 1)  // a release racing with the last one
    set_error(MT_ERR_INVALID_ARGUMENT, "mt_release: tensor was released more often than retained");
}

DType dtype_arg(mt_dtype_t dtype) {
  if (dtype != MT_FLOAT32 && dtype != MT_FLOAT64)
    fail(ErrorCode::DTypeMismatch, "unknown dtype ", dtype,
         " (valid: MT_FLOAT32 = 0, MT_FLOAT64 = 1)");
  return static_cast<DType>(dtype);
}

UnaryOp unary_arg(mt_map_op_t op) {
  return static_cast<UnaryOp>(enum_arg(op, kUnaryOpCount, "map op"));
}
BinaryOp binary_arg(mt_zip_op_t op) {
  return static_cast<BinaryOp>(enum_arg(op, kBinaryOpCount, "zip op"));
}
ReduceOp reduce_arg(mt_reduce_op_t op) {
  return static_cast<ReduceOp>(enum_arg(op, kReduceOpCount, "reduce op"));
}
dist::AllReduceMode all_reduce_mode_arg(mt_all_reduce_mode_t mode) {
  return static_cast<dist::AllReduceMode>(
      enum_arg(mode, MT_ALL_REDUCE_ENGINE + 1, "all-reduce mode"));
}
nn::Reduction reduction_arg(mt_reduction_t reduction) {
  return static_cast<nn::Reduction>(
      enum_arg(reduction, static_cast<int32_t>(nn::Reduction::None) + 1, "reduction"));
}

Dims dims_arg(const int64_t* values, int32_t count, const char* what) {
  if (count < 0 || count > kMaxRank)
    fail(ErrorCode::InvalidArgument, what, ": count ", count, " is outside [0, ", kMaxRank, "]");
  if (count > 0 && values == nullptr)
    fail(ErrorCode::InvalidArgument, what, " is NULL but its count is ", count);
  return Dims(std::span<const int64_t>(values, static_cast<size_t>(count)));
}

char* malloc_string(const std::string& text) {
  char* copy = static_cast<char*>(std::malloc(text.size() + 1));
  if (copy == nullptr) throw std::bad_alloc();
  std::memcpy(copy, text.c_str(), text.size() + 1);
  return copy;
}

namespace {

// mt_status_t's names, by value.
constexpr const char* kStatusNames[] = {"MT_OK",
                                        "MT_ERR_INVALID_ARGUMENT",
                                        "MT_ERR_SHAPE_MISMATCH",
                                        "MT_ERR_INDEX_OUT_OF_RANGE",
                                        "MT_ERR_DTYPE_MISMATCH",
                                        "MT_ERR_OVERFLOW",
                                        "MT_ERR_OUT_OF_MEMORY",
                                        "MT_ERR_UNSUPPORTED",
                                        "MT_ERR_INTERNAL",
                                        "MT_ERR_DEVICE_MISMATCH",
                                        "MT_ERR_DEVICE_UNAVAILABLE",
                                        "MT_ERR_COLLECTIVE_FAILED",
                                        "MT_ERR_COLLECTIVE_MISMATCH",
                                        "MT_ERR_CAPTURE"};

}  // namespace

bool is_status(mt_status_t status) {
  return status >= 0 && status < static_cast<int32_t>(std::size(kStatusNames));
}

}  // namespace mt::capi

using namespace mt::capi;

extern "C" {

const char* mt_version(void) { return MT_VERSION_STRING; }
int32_t mt_abi_version(void) { return MT_ABI_VERSION; }
const char* mt_last_error(void) { return last_error.c_str(); }
void mt_string_free(char* text) { std::free(text); }

const char* mt_status_name(mt_status_t status) {
  // The range test is is_status's, written out: a call here changes where the function keeps
  // `status` (a register the ABI check's debug-info comparison flags as a break).
  if (status < 0 || status >= static_cast<int32_t>(std::size(kStatusNames)))
    return "unknown status";
  return kStatusNames[status];
}

}  // extern "C"
