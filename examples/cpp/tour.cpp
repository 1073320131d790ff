// A short tour of minitensor's engine: broadcasting, views, reductions, matmul and devices.
// Run by the README's first command (scripts/demo.sh) before the training demos.
#include <iostream>

#include "backend/cuda/cuda_runtime.hpp"
#include "mt.hpp"

int main() {
  using mt::Tensor;
  std::cout << "minitensor tour (backend: " << mt::default_backend().name() << ")\n\n";

  // Broadcasting: a column (3, 1) plus a row (4,) gives a (3, 4) table.
  const Tensor column = mt::arange(0, 3).view({3, 1});
  const Tensor row = mt::arange(0, 40, 10);
  std::cout << "column (3, 1):\n" << column << "\n";
  std::cout << "row (4,):\n" << row << "\n";
  const Tensor table = column + row;
  std::cout << "column + row -> " << table.shape() << ":\n" << table << "\n\n";

  // Views share storage: the transpose is the same numbers with swapped strides.
  const Tensor transposed = table.transpose(0, 1);
  std::cout << "transpose (strides " << transposed.strides()
            << ", shares storage: " << (transposed.shares_storage(table) ? "yes" : "no") << "):\n"
            << transposed << "\n\n";

  // Reductions along a dim or over everything.
  std::cout << "sum over dim 0: " << mt::sum(table, {0}) << "\n";
  std::cout << "max over dim 1: " << mt::max(table, {1}) << "\n";
  std::cout << "mean of all:    " << mt::mean(table) << "\n\n";

  // Matmul, batched with a broadcast batch dim: (2, 3, 4) @ (4, 2) -> (2, 3, 2).
  mt::manual_seed(42);
  const Tensor a = mt::randn({2, 3, 4});
  const Tensor b = mt::ones({4, 2});
  std::cout << "a = randn(2, 3, 4), seed 42:\n" << a << "\n";
  std::cout << "a @ ones(4, 2) (each entry is a row sum of a):\n" << mt::matmul(a, b) << "\n";
  std::cout << "row sums of a, for comparison:\n" << mt::sum(a, {2}) << "\n\n";

  // Bad input is an error that names the problem, never a crash.
  try {
    mt::zeros({5, 7, 5, 1}) + mt::zeros({1, 5, 1, 5});
  } catch (const mt::Error& e) {
    std::cout << "error, as expected: " << e.what() << "\n";
  }

  // Devices: CUDA comes from a plugin loaded on first use; where it cannot be, the reason.
  std::cout << "\ndevices\n";
  if (mt::cuda_device_count() == 0) {
    std::cout << "CUDA: unavailable: " << mt::cuda_unavailable_reason() << "\n";
    return 0;
  }
  std::cout << "CUDA: " << mt::cuda_device_name(0) << "\n";
  const Tensor there = table.to(mt::Device::cuda());
  std::cout << "column + row on " << there.device() << ":\n" << there << "\n";
  std::cout << "doubled there, back on the cpu:\n" << (there + there).to(mt::Device::cpu()) << "\n";
  return 0;
}
