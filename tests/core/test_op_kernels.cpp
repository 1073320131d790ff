// Every op of the op test table (tests/support/op_cases.hpp) through the parallel backend's
// kernel table of each instruction set this CPU runs (not only the one it picks): element-wise
// results and derivatives bitwise equal to the reference backend's (cpu_seq), values close to
// the table's reference, and folds bitwise equal across instruction sets.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "backend/cpu_par/isa.hpp"
#include "backend/cpu_par/kernels.hpp"
#include "backend/registry.hpp"
#include "mt.hpp"
#include "op_cases.hpp"
#include "test_support.hpp"

namespace mt::test {
namespace {

using cpu_par::Isa;

struct IsaTable {
  Isa isa;
  const cpu_par::KernelTable& table;
};

// The instruction sets this CPU runs, each with its table.
std::vector<IsaTable> isa_tables() {
  std::vector<IsaTable> tables;
  for (const Isa isa : {Isa::Baseline, Isa::Avx2, Isa::Avx512})
    if (isa <= cpu_par::detected_isa()) tables.push_back({isa, cpu_par::kernels(isa)});
  return tables;
}

// Long enough for every vector width and its tail; odd, so that no loop ends on a full vector.
constexpr int64_t kN = 1037;
// Inputs are read with this stride in a second pass (the gaps hold NaN: a kernel that reads
// them shows).
constexpr int64_t kStride = 3;

template <class T> class OpKernels : public ::testing::Test {
 protected:
  // kN values of `domain`, `stride` apart.
  std::vector<T> draw(const ValueGen& values, int64_t stride) {
    std::vector<T> buffer(static_cast<size_t>(kN * stride), static_cast<T>(NAN));
    for (int64_t i = 0; i < kN; ++i)
      buffer[static_cast<size_t>(i * stride)] = static_cast<T>(values(rng_));
    return buffer;
  }
  // The elements of a strided buffer as a contiguous tensor.
  static Tensor tensor(const std::vector<T>& buffer, int64_t stride) {
    std::vector<T> dense(static_cast<size_t>(kN));
    for (int64_t i = 0; i < kN; ++i)
      dense[static_cast<size_t>(i)] = buffer[static_cast<size_t>(i * stride)];
    return from_vector(dense, {kN});
  }
  static Tensor tensor(const std::vector<T>& dense) { return tensor(dense, 1); }
  // fn() computed by the reference backend.
  template <class Fn> static Tensor reference_backend(Fn fn) {
    const std::string previous = default_backend().name();
    set_default_backend("cpu_seq");
    Tensor result = fn();
    set_default_backend(previous);
    return result;
  }
  static const cpu_par::ElementwiseKernels<T>& elementwise(const cpu_par::KernelTable& table) {
    if constexpr (sizeof(T) == 4)
      return table.elementwise_f32;
    else
      return table.elementwise_f64;
  }
  static const cpu_par::ReduceKernels<T>& reductions(const cpu_par::KernelTable& table) {
    if constexpr (sizeof(T) == 4)
      return table.reduce_f32;
    else
      return table.reduce_f64;
  }
  Rng rng_ = test_rng();
  std::vector<T> out_ = std::vector<T>(static_cast<size_t>(kN));
};
using DTypes = ::testing::Types<float, double>;
TYPED_TEST_SUITE(OpKernels, DTypes);

std::string trace(Isa isa, const char* op, int64_t stride) {
  return cat(cpu_par::isa_name(isa), " ", op, " stride ", stride);
}

TYPED_TEST(OpKernels, MapAndItsDerivativeMatchTheReferenceBitwise) {
  using T = TypeParam;
  for (const UnaryOpCase& c : kUnaryOpCases) {
    for (const int64_t stride : {int64_t{1}, kStride}) {
      const std::vector<T> x = this->draw(c.domain, stride);
      const std::vector<T> g = this->draw(uniform_values(-2, 2), stride);
      const Tensor xt = this->tensor(x, stride), gt = this->tensor(g, stride);
      const Tensor y = this->reference_backend([&] { return map(c.op, xt); });
      const Tensor dx = this->reference_backend([&] { return map_backward(c.op, xt, gt); });
      EXPECT_TRUE(all_close(y, {kN}, dtype_of<T>, [&](const Dims& i) {
        return c.reference(at(xt, i));
      })) << op_name(c.op);
      for (const IsaTable& isa : isa_tables()) {
        SCOPED_TRACE(trace(isa.isa, op_name(c.op), stride));
        const auto& kernels = this->elementwise(isa.table);
        const int op = static_cast<int>(c.op);
        kernels.unary[op](kN, this->out_.data(), 1, x.data(), stride);
        EXPECT_TRUE(bitwise_equal(this->tensor(this->out_), y)) << "forward";
        kernels.unary_backward[op](kN, this->out_.data(), 1, x.data(), stride, g.data(), stride);
        EXPECT_TRUE(bitwise_equal(this->tensor(this->out_), dx)) << "backward";
      }
    }
  }
}

TYPED_TEST(OpKernels, ZipAndItsDerivativesMatchTheReferenceBitwise) {
  using T = TypeParam;
  for (const BinaryOpCase& c : kBinaryOpCases) {
    for (const int64_t stride : {int64_t{1}, kStride}) {
      const std::vector<T> a = this->draw(c.a, stride), b = this->draw(c.b, stride);
      const std::vector<T> g = this->draw(uniform_values(-2, 2), stride);
      const Tensor at_ = this->tensor(a, stride), bt = this->tensor(b, stride);
      const Tensor gt = this->tensor(g, stride);
      const Tensor y = this->reference_backend([&] { return zip(c.op, at_, bt); });
      const Tensor da = this->reference_backend([&] { return zip_backward(c.op, 0, at_, bt, gt); });
      const Tensor db = this->reference_backend([&] { return zip_backward(c.op, 1, at_, bt, gt); });
      EXPECT_TRUE(all_close(
          y, {kN}, dtype_of<T>, [&](const Dims& i) { return c.reference(at(at_, i), at(bt, i)); },
          c.exact ? kExact : default_tolerance(dtype_of<T>)))
          << op_name(c.op);
      for (const IsaTable& isa : isa_tables()) {
        SCOPED_TRACE(trace(isa.isa, op_name(c.op), stride));
        const auto& kernels = this->elementwise(isa.table);
        const int op = static_cast<int>(c.op);
        T* out = this->out_.data();
        kernels.binary[op](kN, out, 1, a.data(), stride, b.data(), stride);
        EXPECT_TRUE(bitwise_equal(this->tensor(this->out_), y)) << "forward";
        kernels.binary_grad[0][op](kN, out, 1, a.data(), stride, b.data(), stride, g.data(),
                                   stride);
        EXPECT_TRUE(bitwise_equal(this->tensor(this->out_), da)) << "grad_a";
        kernels.binary_grad[1][op](kN, out, 1, a.data(), stride, b.data(), stride, g.data(),
                                   stride);
        EXPECT_TRUE(bitwise_equal(this->tensor(this->out_), db)) << "grad_b";
      }
    }
  }
}

// The folds run in one blocked order whatever the instruction set: the same bits from each,
// close to the reference fold.
TYPED_TEST(OpKernels, FoldsAreBitwiseEqualAcrossInstructionSetsAndCloseToTheReference) {
  using T = TypeParam;
  for (const ReduceOpCase& c : kReduceOpCases) {
    for (const int64_t stride : {int64_t{1}, kStride}) {
      const std::vector<T> x = this->draw(c.domain, stride);
      double expected = c.identity, scale = 0;
      for (int64_t i = 0; i < kN; ++i) {
        const double v = x[static_cast<size_t>(i * stride)];
        expected = c.combine(expected, v);
        scale += std::abs(v);
      }
      if (c.op == ReduceOp::Prod) scale = std::abs(expected);  // the error of a product is relative
      const int op = static_cast<int>(c.op);
      const T baseline =
          this->reductions(isa_tables()[0].table).contiguous[op](kN, x.data(), stride);
      EXPECT_TRUE(values_close(baseline, expected, default_tolerance(dtype_of<T>), scale))
          << op_name(c.op) << ": " << baseline << " vs " << expected;
      for (const IsaTable& isa : isa_tables()) {
        SCOPED_TRACE(trace(isa.isa, op_name(c.op), stride));
        const T folded = this->reductions(isa.table).contiguous[op](kN, x.data(), stride);
        EXPECT_EQ(std::memcmp(&folded, &baseline, sizeof(T)), 0) << folded << " vs " << baseline;
      }
    }
  }
}

}  // namespace
}  // namespace mt::test
