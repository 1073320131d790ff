// The fused-kernel executors of cpu_seq and cpu_par against their oracle: the same program run
// one backend primitive at a time, each result into a fresh contiguous tensor (what the planner
// fused). Results must be bitwise equal, for random programs over random layouts, on both
// backends, for 1, 2 and 3 threads; tests/CMakeLists.txt reruns them under each lower ISA.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "backend/cpu_par/isa.hpp"
#include "backend/diagnostics.hpp"
#include "fused_cases.hpp"
#include "mt.hpp"
#include "tensor/strided_view.hpp"
#include "test_support.hpp"

namespace mt::test {
namespace {

class FusedKernels : public ::testing::Test {
 protected:
  void SetUp() override {
    try {
      cpu_par::active_isa();
    } catch (const Error& e) {  // MINITENSOR_ISA names a set this CPU lacks
      GTEST_SKIP() << e.what();
    }
  }
  void TearDown() override { set_num_threads(0); }

  // The case on cpu_seq, and on cpu_par at 1, 2 and 3 threads.
  static void check(const Case& c) {
    EXPECT_TRUE(fused_matches_op_by_op(backend("cpu_seq"), c));
    for (int threads : {1, 2, 3}) {
      set_num_threads(threads);
      EXPECT_TRUE(fused_matches_op_by_op(backend("cpu_par"), c)) << threads << " threads";
    }
  }
};

TEST_F(FusedKernels, RandomElementwiseProgramsMatchOpByOp) {
  Rng rng = test_rng();
  for (int trial = 0; trial < 400 && !HasFailure(); ++trial)
    check(random_elementwise(rng, random_shape(rng, 4, 6)));
}

TEST_F(FusedKernels, RandomReductionsMatchOpByOp) {
  Rng rng = test_rng();
  for (int trial = 0; trial < 400 && !HasFailure(); ++trial) {
    const Dims shape = random_shape(rng, 4, 6);
    check(random_reduction(rng, shape, random_dims(rng, shape.size())));
  }
}

// Sizes past the tiles (1024 float32 elements), the parallel chunks (32 Ki elements), the
// reduction's inner chunks (64 Ki), its outer blocks (64 rows, 256 columns) and its strided path.
TEST_F(FusedKernels, LargeKernelsMatchOpByOp) {
  Rng rng = test_rng();
  check(random_elementwise(rng, {3, 20001}));
  check(random_elementwise(rng, {129, 2, 257}));
  const std::vector<std::pair<Dims, std::vector<bool>>> reductions = {
      {{70001}, {true}},                   // inner, two chunks
      {{3, 5000}, {false, true}},          // inner, several outputs
      {{150, 300}, {true, false}},         // outer, row and column blocks
      {{2, 70, 9}, {false, true, false}},  // outer below a kept dim
      {{33, 7, 41}, {true, false, true}},  // strided
      {{1, 50}, {true, false}}};           // nothing to fold: copy
  for (const auto& [shape, reduced] : reductions) {
    check(negated_sum_of_product(shape, reduced, DType::Float32));
    check(random_reduction(rng, shape, reduced));
  }
}

TEST_F(FusedKernels, RandomMatmulsMatchOpByOp) {
  Rng rng = test_rng();
  for (int trial = 0; trial < 300 && !HasFailure(); ++trial) {
    Dims batch = random_shape(rng, 2, 3);
    const auto size = [&] { return chance(rng, 0.05) ? 0 : uniform_int(rng, 1, 9); };
    check(random_matmul(rng, {batch, size(), size(), size()}));
  }
}

// Each of gemm's paths: the direct kernel (tiny), packed on the stack (tiny, k > kc), batch items
// in parallel, one item over all threads with several k blocks (kc is 512, 256 for avx512) and
// row blocks (mc is 72 or 48), and k = 0 (zeros).
TEST_F(FusedKernels, MatmulsOnEachGemmPathMatchOpByOp) {
  Rng rng = test_rng();
  const std::vector<MatmulSizes> sizes = {
      {{}, 1, 1, 1},      {{2}, 7, 5, 33},   {{}, 3, 1100, 5}, {{3, 1}, 40, 70, 50},
      {{}, 100, 600, 40}, {{}, 130, 9, 300}, {{2}, 13, 0, 17}, {{}, 0, 30, 20}};
  for (const MatmulSizes& s : sizes)
    for (int trial = 0; trial < 3 && !HasFailure(); ++trial)
      check(random_matmul(rng, s));
}

// The brief's SGD step of a linear layer in one pass: grad = g^T @ x, stored; scaled = lr * grad,
// stored; w -= scaled in place (operands in random_strided layouts: permuted, with gaps).
TEST_F(FusedKernels, GradientAndUpdateOfAWeightMatchOpByOp) {
  for (const DType dtype : {DType::Float32, DType::Float64}) {
    const int64_t batch = 37, in = 29, out = 81;
    const int mul = int(BinaryOp::Mul), sub = int(BinaryOp::Sub);
    const auto ins = [dtype](FusedOp kind, int op, int operand, int dst, int a, int b) {
      return FusedInstruction{kind, op, operand, dst, a, b, -1, dtype, 0};
    };
    Case c;
    c.shape = {out, in};
    c.registers = 5;
    c.operands = {{{out, batch}, {out, batch}, dtype, 1, false},  // g^T
                  {{batch, in}, {batch, in}, dtype, 2, false},    // x
                  {c.shape, c.shape, dtype, 3, true},             // grad
                  {{1, 1}, c.shape, dtype, 4, false},             // lr
                  {c.shape, c.shape, dtype, 5, true},             // scaled
                  {c.shape, c.shape, dtype, 6, true}};            // w
    c.program = {ins(FusedOp::Product, 0, 0, 0, -1, -1), ins(FusedOp::Store, 0, 2, -1, 0, -1),
                 ins(FusedOp::Load, 0, 3, 1, -1, -1),    ins(FusedOp::Zip, mul, 0, 2, 0, 1),
                 ins(FusedOp::Store, 0, 4, -1, 2, -1),   ins(FusedOp::Load, 0, 5, 3, -1, -1),
                 ins(FusedOp::Zip, sub, 0, 4, 3, 2),     ins(FusedOp::Store, 0, 5, -1, 4, -1)};
    check(c);
  }
}

// Updates stored into the view they were loaded from (as an optimizer's step): p -= 0.1 * g;
// and v = 0.9 * v + g with the change v_new - v_old stored too, which reads the loaded v after
// the store, so a load that aliased the updated memory would see the new values.
TEST_F(FusedKernels, InPlaceStoreMatchesOpByOp) {
  for (const DType dtype : {DType::Float32, DType::Float64}) {
    const auto ins = [dtype](FusedOp kind, int op, int operand, int dst, int a, int b,
                             double value = 0) {
      return FusedInstruction{kind, op, operand, dst, a, b, -1, dtype, value};
    };
    const int mul = int(BinaryOp::Mul), sub = int(BinaryOp::Sub), add = int(BinaryOp::Add);
    Case c;
    c.shape = {37, 45};
    c.registers = 3;
    c.operands = {{c.shape, c.shape, dtype, 1, true}, {c.shape, c.shape, dtype, 2, false}};
    c.program = {
        ins(FusedOp::Load, 0, 0, 0, -1, -1),          ins(FusedOp::Load, 0, 1, 1, -1, -1),
        ins(FusedOp::Constant, 0, 0, 2, -1, -1, 0.1), ins(FusedOp::Zip, mul, 0, 1, 1, 2),
        ins(FusedOp::Zip, sub, 0, 2, 0, 1),           ins(FusedOp::Store, 0, 0, -1, 2, -1)};
    check(c);
    c.operands.push_back({c.shape, c.shape, dtype, 3, true});
    c.program = {
        ins(FusedOp::Load, 0, 0, 0, -1, -1),          ins(FusedOp::Load, 0, 1, 1, -1, -1),
        ins(FusedOp::Constant, 0, 0, 2, -1, -1, 0.9), ins(FusedOp::Zip, mul, 0, 2, 0, 2),
        ins(FusedOp::Zip, add, 0, 2, 2, 1),           ins(FusedOp::Store, 0, 0, -1, 2, -1),
        ins(FusedOp::Zip, sub, 0, 1, 2, 0),           ins(FusedOp::Store, 0, 2, -1, 1, -1)};
    check(c);
    // v loaded through a second operand: v's tensor again, or an equal one. Only where it is
    // v's may the load not alias the memory the store changes; an executor that reuses what it
    // planned for a kernel must tell the two apart, in either order.
    c.operands.push_back({c.shape, c.shape, dtype, 1, false});
    c.program[0].operand = 3;
    for (const bool shared : {false, true, false}) {
      c.operands[3].shares = shared ? 0 : -1;
      check(c);
    }
  }
}

// A product stored into a row-major output, which the executor may have gemm write straight
// into, unless the kernel also reads that output: out = A @ B with out_old + product stored
// too (the load must see the old values), and out = A @ B alone.
TEST_F(FusedKernels, ProductStoredIntoAnOutputAlsoLoadedMatchesOpByOp) {
  for (const DType dtype : {DType::Float32, DType::Float64}) {
    const int64_t m = 13, k = 7, n = 21;
    Case c;
    c.shape = {m, n};
    c.registers = 3;
    c.operands = {{{m, k}, {m, k}, dtype, 1, false},
                  {{k, n}, {k, n}, dtype, 2, false},
                  {c.shape, c.shape, dtype, 3, true, -1, true},
                  {c.shape, c.shape, dtype, 4, true}};
    const FusedInstruction product{FusedOp::Product, 0, 0, 0, -1, -1, -1, dtype, 0};
    const FusedInstruction store{FusedOp::Store, 0, 2, -1, 0, -1, -1, dtype, 0};
    const FusedInstruction load{FusedOp::Load, 0, 2, 1, -1, -1, -1, dtype, 0};
    const FusedInstruction add{FusedOp::Zip, int(BinaryOp::Add), 0, 2, 0, 1, -1, dtype, 0};
    const FusedInstruction store_sum{FusedOp::Store, 0, 3, -1, 2, -1, -1, dtype, 0};
    c.program = {product, load, store, add, store_sum};
    check(c);
    c.program = {product, store};
    c.registers = 1;
    check(c);
  }
}

// A float32 value cast to float64 into its own register, then used twice (so not written
// straight into an output): the wider elements must not overwrite ones still to be read.
TEST_F(FusedKernels, WideningCastIntoItsOwnRegisterMatchesOpByOp) {
  const DType f32 = DType::Float32, f64 = DType::Float64;
  Case c;
  c.shape = {3, 700};
  c.registers = 2;
  c.operands = {{c.shape, c.shape, f32, 1, false},
                {c.shape, c.shape, f64, 2, true},
                {c.shape, c.shape, f64, 3, true}};
  c.program = {{FusedOp::Load, 0, 0, 0, -1, -1, -1, f32, 0},
               {FusedOp::Map, int(UnaryOp::Exp), 0, 0, 0, -1, -1, f32, 0},
               {FusedOp::Cast, 0, 0, 0, 0, -1, -1, f64, 0},
               {FusedOp::Zip, int(BinaryOp::Mul), 0, 1, 0, 0, -1, f64, 0},
               {FusedOp::Store, 0, 1, -1, 1, -1, -1, f64, 0},
               {FusedOp::Store, 0, 2, -1, 0, -1, -1, f64, 0}};
  check(c);
}

// Programs that keep no value in the registers run each run of their layout in one call (rows
// longer than a tile here, row-major): x / s with s broadcast along the rows (both loads alias
// memory, the quotient is computed into the output). Swapping p and q in place and storing
// p + q loads both into registers (each is read after its memory is written): that program
// keeps to tiles.
TEST_F(FusedKernels, ProgramsWithoutRegisterValuesOverLongRowsMatchOpByOp) {
  for (const DType dtype : {DType::Float32, DType::Float64}) {
    const auto ins = [dtype](FusedOp kind, int op, int operand, int dst, int a, int b) {
      return FusedInstruction{kind, op, operand, dst, a, b, -1, dtype, 0};
    };
    Case c;
    c.shape = {5, 3001};
    c.registers = 3;
    c.operands = {{c.shape, c.shape, dtype, 1, true, -1, true},
                  {c.shape, c.shape, dtype, 2, false, -1, true},
                  {{5, 1}, c.shape, dtype, 3, false}};
    c.program = {ins(FusedOp::Load, 0, 1, 0, -1, -1), ins(FusedOp::Load, 0, 2, 1, -1, -1),
                 ins(FusedOp::Zip, int(BinaryOp::Div), 0, 2, 0, 1),
                 ins(FusedOp::Store, 0, 0, -1, 2, -1)};
    check(c);
    c.operands = {{c.shape, c.shape, dtype, 4, true, -1, true},
                  {c.shape, c.shape, dtype, 5, true, -1, true},
                  {c.shape, c.shape, dtype, 6, true, -1, true}};
    c.program = {ins(FusedOp::Load, 0, 0, 0, -1, -1),
                 ins(FusedOp::Load, 0, 1, 1, -1, -1),
                 ins(FusedOp::Store, 0, 0, -1, 1, -1),
                 ins(FusedOp::Store, 0, 1, -1, 0, -1),
                 ins(FusedOp::Zip, int(BinaryOp::Add), 0, 2, 0, 1),
                 ins(FusedOp::Store, 0, 2, -1, 2, -1)};
    check(c);
  }
}

TEST_F(FusedKernels, MalformedKernelsAreErrors) {
  Case c;
  c.shape = {4};
  c.registers = 2;
  c.operands = {{c.shape, c.shape, DType::Float32, 1, true}};
  c.program = {{FusedOp::Map, int(UnaryOp::Exp), 0, 0, 1, -1, -1, DType::Float32, 0},
               {FusedOp::Store, 0, 0, -1, 0, -1, -1, DType::Float32, 0}};
  const std::vector<Tensor> tensors = make_tensors(c);
  for (const char* name : {"cpu_seq", "cpu_par"})
    EXPECT_TRUE(throws_error([&] { backend(name).fused(kernel_of(c, tensors)); },
                             {ErrorCode::InvalidArgument}, {"instruction 0", "register 1"}));
}

// Product kernels that break the contract: each change to a valid one is an error naming it.
TEST_F(FusedKernels, MalformedMatmulKernelsAreErrors) {
  const DType f32 = DType::Float32, f64 = DType::Float64;
  Case c;
  c.shape = {2, 4, 3};
  c.registers = 2;
  c.operands = {{{2, 4, 5}, {2, 4, 5}, f32, 1, false},
                {{1, 5, 3}, {2, 5, 3}, f32, 2, false},
                {c.shape, c.shape, f32, 3, true},
                {{2, 5, 3}, {2, 5, 3}, f64, 4, false},
                {{3, 5, 3}, {3, 5, 3}, f32, 5, false}};
  c.program = {{FusedOp::Product, 0, 0, 0, -1, -1, -1, f32, 0},
               {FusedOp::Store, 0, 2, -1, 0, -1, -1, f32, 0}};
  const std::vector<Tensor> tensors = make_tensors(c);
  const FusedKernel valid = kernel_of(c, tensors);
  const auto expect_error = [&](const char* what, ErrorCode code, const char* message,
                                auto&& change) {
    FusedKernel k = valid;
    change(k);
    for (const char* name : {"cpu_seq", "cpu_par"})
      EXPECT_TRUE(throws_error([&] { backend(name).fused(k); }, {code}, {message}))
          << what << " on " << name;
  };
  for (const char* name : {"cpu_seq", "cpu_par"})
    EXPECT_TRUE(backend(name).fused(valid));
  expect_error("not first", ErrorCode::InvalidArgument, "Product at instruction 1",
               [](FusedKernel& k) {
                 k.instructions[1] = k.instructions[0];
                 k.instructions[0] = {FusedOp::Constant, 0, 0, 1, -1, -1, -1, f32, 1};
               });
  expect_error("rank 1", ErrorCode::InvalidArgument, "rank 1", [](FusedKernel& k) {
    k.rank = 1;
    k.shape[0] = 3;
  });
  expect_error("no right operand", ErrorCode::InvalidArgument, "operands 4 and 5",
               [](FusedKernel& k) { k.instructions[0].operand = 4; });
  expect_error("f64 right operand", ErrorCode::DTypeMismatch, "float64",
               [](FusedKernel& k) { k.operands[1] = k.operands[3]; });
  expect_error("batch dims", ErrorCode::ShapeMismatch, "not (..., m, k)",
               [](FusedKernel& k) { k.operands[1] = k.operands[4]; });
  expect_error("k", ErrorCode::ShapeMismatch, "not (..., m, k)",
               [](FusedKernel& k) { k.operands[1].shape[1] = 4; });
  expect_error("n", ErrorCode::ShapeMismatch, "not (..., m, k)",
               [](FusedKernel& k) { k.shape[2] = 2; });
  expect_error("a Reduce", ErrorCode::InvalidArgument, "after a Product", [](FusedKernel& k) {
    k.instructions[1] = {FusedOp::Reduce, int(ReduceOp::Sum), 2, 1, 0, -1, -1, f32, 0};
  });
}

// The reports of running the case's kernel on cpu_par with diagnostics collected.
std::vector<OpReport> reports_of(const Case& c) {
  const std::vector<Tensor> tensors = make_tensors(c);
  set_diagnostics(DiagnosticsMode::Collect);
  take_op_reports();
  backend("cpu_par").fused(kernel_of(c, tensors));
  std::vector<OpReport> reports = take_op_reports();
  set_diagnostics(DiagnosticsMode::Off);
  return reports;
}

TEST_F(FusedKernels, DiagnosticsReportTheKernel) {
  Rng rng = test_rng();
  const std::vector<OpReport> reports = reports_of(random_elementwise(rng, {1000}));
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].op.rfind("fused ops=", 0), 0u) << reports[0].op;
  EXPECT_EQ(reports[0].elements, 1000);
}

TEST_F(FusedKernels, DiagnosticsReportTheMatmulPath) {
  Rng rng = test_rng();
  const std::vector<OpReport> reports = reports_of(random_matmul(rng, {{2}, 5, 6, 7}));
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].path.rfind("matmul ", 0), 0u) << reports[0].path;
  EXPECT_EQ(reports[0].elements, 2 * 5 * 7);
}

}  // namespace
}  // namespace mt::test
