#pragma once
// Creating tensors and moving data in and out of them.
#include <cstdint>
#include <vector>

#include "random/generator.hpp"
#include "tensor/tensor.hpp"

namespace mt {

// Every creator takes the device to create on last (the CPU by default).
Tensor zeros(const Dims& shape, DType dtype = DType::Float32, Device device = Device::cpu());
Tensor ones(const Dims& shape, DType dtype = DType::Float32, Device device = Device::cpu());
Tensor full(const Dims& shape, double value, DType dtype = DType::Float32,
            Device device = Device::cpu());
// start, start + step, ... while < stop (> stop for a negative step), as numpy.arange;
// throws InvalidArgument for step 0 or a non-finite bound, Overflow for values beyond the
// dtype's finite range. full refuses such a value too (1e39 in float32 would be inf).
Tensor arange(double start, double stop, double step = 1, DType dtype = DType::Float32,
              Device device = Device::cpu());

// Uniform [low, high) and normal(mean, std) samples from a counter-based generator: the same
// generator state gives the same numbers on every backend and thread count. Any finite bounds
// that the dtype holds are sampled correctly, even where high - low overflows; randn refuses
// (Overflow) a mean and std whose samples could leave the dtype's range.
Tensor rand(const Dims& shape, DType dtype = DType::Float32, double low = 0, double high = 1,
            Generator& generator = default_generator(), Device device = Device::cpu());
Tensor randn(const Dims& shape, DType dtype = DType::Float32, double mean = 0, double std = 1,
             Generator& generator = default_generator(), Device device = Device::cpu());

// A new contiguous tensor holding a copy of `numel(shape)` elements of `dtype` read from `src`
// in row-major order. `src` (and to_buffer's `dst`) may be at any address, aligned or not.
Tensor from_buffer(const void* src, DType src_dtype, const Dims& shape,
                   Device device = Device::cpu());
// Copies the elements of `tensor`, in row-major order and converted to `dst_dtype`, to `dst`,
// which must hold numel() of them.
void to_buffer(const Tensor& tensor, void* dst, DType dst_dtype);

// Throws ShapeMismatch unless `shape` holds exactly `count` elements.
void check_buffer_size(int64_t count, const Dims& shape);

template <class T> Tensor from_vector(const std::vector<T>& values, const Dims& shape) {
  check_buffer_size(static_cast<int64_t>(values.size()), shape);
  return from_buffer(values.data(), dtype_of<T>, shape);
}

template <class T> std::vector<T> to_vector(const Tensor& tensor) {
  std::vector<T> values(static_cast<size_t>(tensor.numel()));
  to_buffer(tensor, values.data(), dtype_of<T>);
  return values;
}

}  // namespace mt
