// DLPack export and import: zero-copy exchange with numpy, PyTorch and others.
#include <dlpack/dlpack.h>

#include <cstdint>
#include <mutex>
#include <unordered_set>

#include "boundary.hpp"
#include "wrap.hpp"

using namespace mt;
using namespace mt::capi;

namespace {

// What an exported DLManagedTensor points into: it keeps the tensor (and so its memory) alive
// and owns the shape and strides arrays that dl_tensor refers to.
struct Export {
  DLManagedTensor managed{};
  Tensor tensor;
  int64_t shape[kMaxRank];
  int64_t strides[kMaxRank];
};

void delete_export(DLManagedTensor* managed) { delete static_cast<Export*>(managed->manager_ctx); }

DType dtype_of_dl(const DLDataType& type) {
  if (type.code == kDLFloat && type.lanes == 1 && type.bits == 32) return DType::Float32;
  if (type.code == kDLFloat && type.lanes == 1 && type.bits == 64) return DType::Float64;
  fail(ErrorCode::DTypeMismatch, "DLPack dtype (code ", int(type.code), ", bits ", int(type.bits),
       ", lanes ", type.lanes, ") is not float32 or float64");
}

// The DLManagedTensors imported and not yet given back through their deleter. Ownership moves
// with an import, so importing one of them again is misuse: it would call the deleter twice.
class LiveImports {
 public:
  void add(const DLManagedTensor* managed) {
    std::lock_guard lock(mutex_);
    if (!imports_.insert(managed).second)
      fail(ErrorCode::InvalidArgument, "this DLManagedTensor (", managed,
           ") is already imported: an import takes it over, and its tensor is still alive");
  }
  void remove(const DLManagedTensor* managed) {
    std::lock_guard lock(mutex_);
    imports_.erase(managed);
  }

 private:
  std::mutex mutex_;
  std::unordered_set<const DLManagedTensor*> imports_;
};

// Never destroyed: a tensor over an import may be released while the process exits.
LiveImports& live_imports() {
  static LiveImports* const imports = new LiveImports;
  return *imports;
}

// dl.data + dl.byte_offset, checked to stay inside the address space.
void* first_element(const DLTensor& dl) {
  if (dl.data == nullptr && dl.byte_offset != 0)
    fail(ErrorCode::InvalidArgument, "DLPack data is NULL but byte_offset is ", dl.byte_offset);
  // Sizes are int64 everywhere in the library; an offset beyond that is garbage.
  if (dl.byte_offset > static_cast<uint64_t>(INT64_MAX))
    fail(ErrorCode::Overflow, "DLPack byte_offset ", dl.byte_offset, " does not fit in int64");
  const auto address = reinterpret_cast<uintptr_t>(dl.data);
  if (dl.byte_offset > UINTPTR_MAX - address)
    fail(ErrorCode::Overflow, "DLPack data ", dl.data, " plus byte_offset ", dl.byte_offset,
         " runs past the end of the address space");
  return dl.data ? static_cast<char*>(dl.data) + dl.byte_offset : nullptr;
}

}  // namespace

extern "C" {

mt_status_t mt_to_dlpack(const mt_tensor* tensor, DLManagedTensor** out) {
  return guarded("mt_to_dlpack", [&] {
    const Tensor& t = tensor_of(tensor, "tensor");
    require(out, "out");
    auto exported = std::make_unique<Export>();
    exported->tensor = t;
    for (int d = 0; d < t.dim(); ++d) {
      exported->shape[d] = t.shape()[d];
      exported->strides[d] = t.strides()[d];
    }
    DLTensor& dl = exported->managed.dl_tensor;
    // data points at element 0 with byte_offset 0: some consumers (torch 1.13) ignore
    // byte_offset.
    dl.data = t.raw_data();
    const Device device = t.device();
    dl.device = device.is_cpu() ? DLDevice{kDLCPU, 0} : DLDevice{kDLCUDA, device.index};
    dl.ndim = t.dim();
    dl.dtype = DLDataType{kDLFloat, static_cast<uint8_t>(itemsize(t.dtype()) * 8), 1};
    dl.shape = exported->shape;
    dl.strides = exported->strides;
    dl.byte_offset = 0;
    exported->managed.manager_ctx = exported.get();
    exported->managed.deleter = delete_export;
    *out = &exported.release()->managed;
  });
}

mt_status_t mt_from_dlpack(DLManagedTensor* managed, mt_tensor** out) {
  return guarded("mt_from_dlpack", [&] {
    require(managed, "managed");
    require(out, "out");
    const DLTensor& dl = managed->dl_tensor;
    if (dl.device.device_type != kDLCPU)
      fail(ErrorCode::Unsupported, "DLPack device type ", int(dl.device.device_type),
           " (device id ", dl.device.device_id, ") is not the CPU (", int(kDLCPU),
           "): only CPU memory can be imported");
    const DType dtype = dtype_of_dl(dl.dtype);
    const Dims shape = dims_arg(dl.shape, dl.ndim, "DLPack shape");
    const Dims strides =
        dl.strides ? dims_arg(dl.strides, dl.ndim, "DLPack strides") : contiguous_strides(shape);
    void* data = first_element(dl);
    live_imports().add(managed);
    try {
      const char* what = dl.byte_offset ? "DLPack data + byte_offset" : "DLPack data";
      *out = wrap_memory(data, what, dtype, shape, strides, [managed] {
        // Forgotten before the deleter frees it: a new struct at the same address is new.
        live_imports().remove(managed);
        if (managed->deleter) managed->deleter(managed);
      });
    } catch (...) {
      live_imports().remove(managed);  // the caller still owns it
      throw;
    }
  });
}

}  // extern "C"
