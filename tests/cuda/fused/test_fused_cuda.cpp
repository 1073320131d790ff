// The CUDA plugin's generated fused kernels (issue 17). In CI they run under the emulation: the
// same source that NVRTC compiles for the GPU (the emulated plugin also has NVRTC compile each
// one for sm_80 and sm_90, where NVRTC is installed) is compiled by the host compiler and
// launched on emulated threads; scripts/gpu-check.sh runs them on a GPU. Random programs over
// random layouts (tests/support/fused_cases.hpp) must give the bits of the plugin's unfused
// kernels run one op at a time and, element-wise under the emulation, the bits of the CPU's
// fused executor. Kernels go through the default disk cache, as a user's would: a rerun (or the
// sanitizer jobs after the test command) finds them there; tests/cuda/fused/CMakeLists.txt runs
// test_fused_plans.cpp without it, where every kernel is compiled.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <string>
#include <vector>

#include "backend/cuda/cuda_runtime.hpp"
#include "backend/registry.hpp"
#include "fused_cases.hpp"
#include "mt.hpp"
#include "test_support.hpp"

namespace mt::test {
namespace {

const Device kCuda = Device::cuda(0);

class CudaFused : public CudaTest {
 protected:
  static Backend& cuda() { return backend_for(kCuda); }

  // Under the emulation the device's math is the host's; a GPU's libdevice (sin, erf, pow, ...)
  // rounds otherwise, so on a GPU the fused kernels are held to the unfused kernels' bits only.
  static bool emulated() { return cuda_device_name(0).find("emulation") != std::string::npos; }

  // The case fused on the device equals the unfused device kernels op by op and, element-wise
  // under the emulation, the CPU's sequential fused executor.
  static void check(const Case& c, bool against_cpu) {
    const std::string why = cuda().prepare_fused(kernel_of(c, make_tensors(c, kCuda)));
    ASSERT_EQ(why, "") << describe(c);
    EXPECT_TRUE(fused_matches_op_by_op(cuda(), c, kCuda));
    if (!against_cpu || !emulated()) return;
    const std::vector<Tensor> device = run_fused(cuda(), c, kCuda);
    const std::vector<Tensor> host = run_fused(backend("cpu_seq"), c);
    for (size_t i = 0; i < c.operands.size(); ++i) {
      if (c.operands[i].stored) {
        EXPECT_EQ(bytes(device[i]), bytes(host[i])) << "operand " << i << ": " << describe(c);
      }
    }
  }
};

Dims random_shape(Rng& rng, int max_rank, int64_t max_size) {
  Dims shape;
  const int rank = static_cast<int>(uniform_int(rng, 0, max_rank));
  for (int d = 0; d < rank; ++d)
    shape.push_back(uniform_int(rng, 1, max_size));
  return shape;
}

TEST_F(CudaFused, RandomElementwiseProgramsMatchUnfusedAndCpu) {
  Rng rng = test_rng();
  for (int i = 0; i < 12; ++i)
    check(random_elementwise(rng, random_shape(rng, 4, 6)), true);
}

// Each op of the tables, forward and backward (grad_a and grad_b for binary ops), in kernels of
// a few ops each, every result stored.
Case ops_case(bool binary, int first, int count) {
  const DType dtype = DType::Float32;
  const Dims shape{5, 7};
  Case c;
  c.shape = shape;
  c.registers = 5;
  const int inputs = binary ? 3 : 2;  // x (, y), g
  for (int i = 0; i < inputs; ++i) {
    c.operands.push_back({shape, shape, dtype, uint64_t(11 + i), false});
    c.program.push_back({FusedOp::Load, 0, i, i, -1, -1, -1, dtype, 0});
  }
  const int g = inputs - 1, out = inputs;
  const auto store = [&](FusedInstruction ins) {
    c.program.push_back(ins);
    const int operand = static_cast<int>(c.operands.size());
    c.operands.push_back({shape, shape, dtype, uint64_t(100 + operand), true});
    c.program.push_back({FusedOp::Store, 0, operand, -1, out, -1, -1, dtype, 0});
  };
  for (int op = first; op < first + count; ++op) {
    if (binary) {
      store({FusedOp::Zip, op, 0, out, 0, 1, -1, dtype, 0});
      store({FusedOp::ZipBackward, op, 0, out, 0, 1, g, dtype, 0});
      store({FusedOp::ZipBackward, op, 1, out, 0, 1, g, dtype, 0});
    } else {
      store({FusedOp::Map, op, 0, out, 0, -1, -1, dtype, 0});
      store({FusedOp::MapBackward, op, 0, out, 0, g, -1, dtype, 0});
    }
  }
  return c;
}

TEST_F(CudaFused, EveryOpMatchesUnfusedAndCpu) {
  for (int op = 0; op < kUnaryOpCount; op += 5)
    check(ops_case(false, op, std::min(5, kUnaryOpCount - op)), true);
  for (int op = 0; op < kBinaryOpCount; op += 4)
    check(ops_case(true, op, std::min(4, kBinaryOpCount - op)), true);
}

TEST_F(CudaFused, RandomReductionsMatchUnfused) {
  Rng rng = test_rng();
  for (int i = 0; i < 8; ++i) {
    const Dims shape = random_shape(rng, 3, 9);
    check(random_reduction(rng, shape, random_dims(rng, shape.size())), false);
  }
}

// Each thread group of the reduce kernel: a thread per slice (short slices), a warp per slice,
// a block per slice (few long slices); float32 sums whose bits depend on the order of the fold.
TEST_F(CudaFused, ReductionsFoldInTheOrderOfEachGroup) {
  for (const Dims& shape : {Dims{40, 7}, Dims{6, 300}, Dims{2, 3000}})
    for (DType dtype : {DType::Float32, DType::Float64})
      check(negated_sum_of_product(shape, {false, true}, dtype), false);
  check(negated_sum_of_product({300, 5}, {true, false}, DType::Float32), false);
}

// Contiguous operands take the 16-byte path, four elements per thread, with a remainder; an
// operand at an odd offset makes the run take the element path.
TEST_F(CudaFused, ContiguousOperandsMatchWithAndWithoutVectorAccess) {
  for (DType dtype : {DType::Float32, DType::Float64})
    for (int64_t n : {int64_t{1}, int64_t{7}, int64_t{1027}}) {
      Case c;
      c.shape = {n};
      c.registers = 3;
      c.operands = {{{n}, {n}, dtype, 1, false, -1, true},
                    {{1}, {n}, dtype, 2, false, -1, true},
                    {{n}, {n}, dtype, 3, true, -1, true}};
      c.program = {{FusedOp::Load, 0, 0, 0, -1, -1, -1, dtype, 0},
                   {FusedOp::Load, 0, 1, 1, -1, -1, -1, dtype, 0},
                   {FusedOp::Zip, int(BinaryOp::Mul), 0, 2, 0, 1, -1, dtype, 0},
                   {FusedOp::Map, int(UnaryOp::Tanh), 0, 2, 2, -1, -1, dtype, 0},
                   {FusedOp::Store, 0, 2, -1, 2, -1, -1, dtype, 0}};
      check(c, true);
      c.operands[0].row_major = false;  // random_strided: usually a gap or an offset
      check(c, true);
    }
}

// A product with its epilogue is refused with the reason (the plan then runs its ops one at a
// time); the refusal compiles nothing.
TEST_F(CudaFused, MatmulEpiloguesAreRefusedWithTheReason) {
  Rng rng = test_rng();
  const Case c = random_matmul(rng, {{}, 3, 4, 5});
  const std::string why = cuda().prepare_fused(kernel_of(c, make_tensors(c, kCuda)));
  EXPECT_NE(why.find("matmul"), std::string::npos) << why;
}

}  // namespace
}  // namespace mt::test
