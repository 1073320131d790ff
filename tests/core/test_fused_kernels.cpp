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
#include "mt.hpp"
#include "tensor/strided_view.hpp"
#include "test_support.hpp"

namespace mt::test {
namespace {

// An operand of a generated kernel: a tensor of `shape` (1 where it is broadcast) seen at
// `full` (the iteration space, or a reduction's output shape) with stride 0 where broadcast.
struct OperandSpec {
  Dims shape, full;
  DType dtype;
  uint64_t seed;  // its layout and values: two tensors made from one spec are equal
  bool stored;
  int shares = -1;         // an earlier operand whose tensor this one is (the spec aside)
  bool row_major = false;  // made contiguous after its random layout
};

struct Case {
  Dims shape;
  std::vector<OperandSpec> operands;
  std::vector<FusedInstruction> program;
  int registers = 0;
};

std::vector<Tensor> make_tensors(const Case& c) {
  std::vector<Tensor> tensors;
  for (const OperandSpec& spec : c.operands) {
    if (spec.shares >= 0) {
      tensors.push_back(tensors[spec.shares]);
      continue;
    }
    Rng rng(spec.seed);
    const Tensor t = random_strided(rng, spec.shape, spec.dtype, -2, 2);
    tensors.push_back(spec.row_major ? t.contiguous() : t);
  }
  return tensors;
}

FusedKernel kernel_of(const Case& c, const std::vector<Tensor>& tensors) {
  FusedKernel k;
  k.rank = c.shape.size();
  std::copy(c.shape.begin(), c.shape.end(), k.shape);
  k.operand_count = static_cast<int32_t>(c.operands.size());
  for (int i = 0; i < k.operand_count; ++i) {
    StridedView view = strided_view(tensors[i]);
    const Dims& full = c.operands[i].full;
    for (int d = 0; d < view.rank; ++d)
      if (view.shape[d] != full[d]) {
        view.shape[d] = full[d];
        view.strides[d] = 0;
      }
    k.operands[i] = view;
  }
  k.instruction_count = static_cast<int32_t>(c.program.size());
  std::copy(c.program.begin(), c.program.end(), k.instructions);
  k.register_count = c.registers;
  return k;
}

// The oracle: each instruction as the backend's primitive into a fresh contiguous tensor of the
// iteration space (of the output's shape after a Reduce). A Load copies, so that a later Store
// to the same view (an in-place update) does not change what was loaded.
void run_op_by_op(Backend& backend, const FusedKernel& k) {
  Dims shape(std::span<const int64_t>(k.shape, k.rank));
  std::vector<Tensor> fresh;
  StridedView reg[kFusedMaxRegisters];
  for (int i = 0; i < k.instruction_count; ++i) {
    const FusedInstruction& ins = k.instructions[i];
    if (ins.kind == FusedOp::Reduce) shape = shape_of(k.operands[ins.operand]);
    StridedView out{};
    if (ins.kind != FusedOp::Store) {
      fresh.push_back(Tensor::empty(shape, ins.dtype));
      out = strided_view(fresh.back());
    }
    switch (ins.kind) {
      case FusedOp::Load: backend.copy(k.operands[ins.operand], out); break;
      case FusedOp::Constant: backend.fill(out, ins.value); break;
      case FusedOp::Map: backend.map(static_cast<UnaryOp>(ins.op), reg[ins.a], out); break;
      case FusedOp::Zip:
        backend.zip(static_cast<BinaryOp>(ins.op), reg[ins.a], reg[ins.b], out);
        break;
      case FusedOp::MapBackward:
        backend.map_backward(static_cast<UnaryOp>(ins.op), reg[ins.a], reg[ins.b], out);
        break;
      case FusedOp::ZipBackward:
        backend.zip_backward(static_cast<BinaryOp>(ins.op), ins.operand, reg[ins.a], reg[ins.b],
                             reg[ins.c], out);
        break;
      case FusedOp::Cast: backend.copy(reg[ins.a], out); break;
      case FusedOp::Store: backend.copy(reg[ins.a], k.operands[ins.operand]); break;
      case FusedOp::Reduce: backend.reduce(static_cast<ReduceOp>(ins.op), reg[ins.a], out); break;
      case FusedOp::Product:
        backend.matmul(k.operands[ins.operand], k.operands[ins.operand + 1], out);
        break;
    }
    if (ins.kind != FusedOp::Store) reg[ins.dst] = out;
  }
}

std::vector<char> bytes(const Tensor& t) {
  const Tensor c = t.contiguous();
  const auto* data = static_cast<const char*>(c.raw_data());
  return std::vector<char>(data, data + c.numel() * itemsize(c.dtype()));
}

std::string describe(const Case& c) {
  std::string s = "shape " + to_string(c.shape) + ", program:";
  for (const FusedInstruction& ins : c.program)
    s += " [" + std::to_string(static_cast<int>(ins.kind)) + " op " + std::to_string(ins.op) +
         " operand " + std::to_string(ins.operand) + " r" + std::to_string(ins.dst) + " = r" +
         std::to_string(ins.a) + ",r" + std::to_string(ins.b) + ",r" + std::to_string(ins.c) + " " +
         dtype_name(ins.dtype) + "]";
  return s;
}

// Runs the case fused and op by op on `backend`; the stored operands must hold the same bytes.
::testing::AssertionResult fused_matches_op_by_op(Backend& backend, const Case& c) {
  const std::vector<Tensor> fused = make_tensors(c), oracle = make_tensors(c);
  if (!backend.fused(kernel_of(c, fused)))
    return ::testing::AssertionFailure() << backend.name() << " has no fused executor";
  run_op_by_op(backend, kernel_of(c, oracle));
  for (size_t i = 0; i < c.operands.size(); ++i)
    if (c.operands[i].stored && bytes(fused[i]) != bytes(oracle[i]))
      return ::testing::AssertionFailure()
             << backend.name() << ": operand " << i << " differs\n  fused:    " << fused[i]
             << "\n  op by op: " << oracle[i] << "\n  " << describe(c);
  return ::testing::AssertionSuccess();
}

// Random programs: a generator that keeps the registers' dtypes and which hold values.
class ProgramGenerator {
 public:
  ProgramGenerator(Rng& rng, Case& c) : rng_(rng), c_(c) {
    c.registers = static_cast<int>(uniform_int(rng, 3, kFusedMaxRegisters));
  }

  // Some random instructions over `full` (the iteration space or the reduction's output).
  void body(const Dims& full, int count, DType dtype) {
    for (int i = 0; i < count && c_.program.size() < kFusedMaxInstructions - 4; ++i) {
      const int roll = static_cast<int>(uniform_int(rng_, 0, 99));
      if (live() == 0 || roll < 20) {
        load(full, live() == 0 ? dtype : random_dtype());
      } else if (roll < 25) {
        emit({FusedOp::Constant, 0, 0, new_register(), -1, -1, -1, random_live_dtype(),
              uniform_real(rng_, -3, 3)});
      } else if (roll < 50) {
        const int a = random_live();
        emit({FusedOp::Map, unary_op(), 0, new_register(), a, -1, -1, dtype_[a], 0});
      } else if (roll < 75) {
        const int a = random_live(), b = random_live(dtype_[a]);
        emit({FusedOp::Zip, binary_op(), 0, new_register(), a, b, -1, dtype_[a], 0});
      } else if (roll < 83) {
        const int a = random_live(), b = random_live(dtype_[a]);
        emit({FusedOp::MapBackward, unary_op(), 0, new_register(), a, b, -1, dtype_[a], 0});
      } else if (roll < 91) {
        const int a = random_live(), b = random_live(dtype_[a]), g = random_live(dtype_[a]);
        emit({FusedOp::ZipBackward, binary_op(), static_cast<int>(uniform_int(rng_, 0, 1)),
              new_register(), a, b, g, dtype_[a], 0});
      } else if (roll < 96) {
        const int a = random_live();
        emit({FusedOp::Cast, 0, 0, new_register(), a, -1, -1, random_dtype(), 0});
      } else {
        store(full, random_live());
      }
    }
  }

  void store(const Dims& full, int r) { store_into(add_operand(full, full, dtype_[r], true), r); }
  void store_into(int operand, int r) {
    const DType dtype = c_.operands[operand].dtype;
    if (dtype_[r] != dtype) emit({FusedOp::Cast, 0, 0, r, r, -1, -1, dtype, 0});
    emit({FusedOp::Store, 0, operand, -1, r, -1, -1, dtype, 0});
  }

  // A register holding a value, of `dtype` where one does (else any).
  int random_live(DType dtype) {
    std::vector<int> pick;
    for (int r = 0; r < c_.registers; ++r)
      if (written_[r] && dtype_[r] == dtype) pick.push_back(r);
    if (pick.empty()) return random_live();
    return pick[uniform_int(rng_, 0, static_cast<int64_t>(pick.size()) - 1)];
  }
  int random_live() {
    std::vector<int> pick;
    for (int r = 0; r < c_.registers; ++r)
      if (written_[r]) pick.push_back(r);
    return pick[uniform_int(rng_, 0, static_cast<int64_t>(pick.size()) - 1)];
  }
  DType dtype(int r) const { return dtype_[r]; }
  int new_register() { return static_cast<int>(uniform_int(rng_, 0, c_.registers - 1)); }

  void emit(FusedInstruction ins) {
    // Operand dtypes of Zip & co must agree: a mismatch from random_live's fallback is cast.
    for (int* r : {&ins.a, &ins.b, &ins.c})
      if (*r >= 0 && ins.kind != FusedOp::Cast && ins.kind != FusedOp::Store &&
          dtype_[*r] != ins.dtype) {
        const int cast = *r;
        emit({FusedOp::Cast, 0, 0, cast, cast, -1, -1, ins.dtype, 0});
      }
    c_.program.push_back(ins);
    if (ins.kind == FusedOp::Store) return;
    if (ins.kind == FusedOp::Reduce) std::fill(std::begin(written_), std::end(written_), false);
    written_[ins.dst] = true;
    dtype_[ins.dst] = ins.dtype;
  }

  int add_operand(const Dims& shape, const Dims& full, DType dtype, bool stored) {
    c_.operands.push_back({shape, full, dtype, rng_(), stored});
    return static_cast<int>(c_.operands.size()) - 1;
  }
  bool operands_left() const { return c_.operands.size() < kFusedMaxOperands - 2; }

 private:
  int live() const { return static_cast<int>(std::count(written_, written_ + c_.registers, true)); }
  DType random_dtype() { return chance(rng_, 0.5) ? DType::Float32 : DType::Float64; }
  DType random_live_dtype() { return live() ? dtype_[random_live()] : random_dtype(); }
  int unary_op() { return static_cast<int>(uniform_int(rng_, 0, kUnaryOpCount - 1)); }
  int binary_op() { return static_cast<int>(uniform_int(rng_, 0, kBinaryOpCount - 1)); }

  void load(const Dims& full, DType dtype) {
    if (!operands_left()) {  // reload an input instead
      for (int k = 0; k < static_cast<int>(c_.operands.size()); ++k)
        if (!c_.operands[k].stored && c_.operands[k].full == full) {
          emit({FusedOp::Load, 0, k, new_register(), -1, -1, -1, c_.operands[k].dtype, 0});
          return;
        }
    }
    Dims shape = full;  // broadcast in some dims
    for (int d = 0; d < shape.size(); ++d)
      if (chance(rng_, 0.3)) shape[d] = 1;
    const int k = add_operand(shape, full, dtype, false);
    emit({FusedOp::Load, 0, k, new_register(), -1, -1, -1, dtype, 0});
  }

  Rng& rng_;
  Case& c_;
  bool written_[kFusedMaxRegisters] = {};
  DType dtype_[kFusedMaxRegisters] = {};
};

Case random_elementwise(Rng& rng, const Dims& shape) {
  Case c;
  c.shape = shape;
  ProgramGenerator g(rng, c);
  const DType dtype = chance(rng, 0.5) ? DType::Float32 : DType::Float64;
  g.body(shape, static_cast<int>(uniform_int(rng, 1, 14)), dtype);
  g.store(shape, g.random_live());
  return c;
}

// Sizes of a matmul kernel: the product of (batch..., m, k) by (batch..., k, n).
struct MatmulSizes {
  Dims batch;
  int64_t m, k, n;
};

// A matmul kernel: the Product of two strided matrices (batch dims broadcast where a size is 1,
// seen with stride 0 or, at random, left at size 1 as Backend::matmul takes them) and an
// epilogue with what a planner fuses after a matmul: a stored copy of the product, a bias
// broadcast over rows, an activation, a residual, random instructions, an in-place update
// (w -= lr * value) and the result's store.
Case random_matmul(Rng& rng, const MatmulSizes& sizes) {
  Case c;
  c.shape = concat(sizes.batch, {sizes.m, sizes.n});
  ProgramGenerator g(rng, c);
  const DType dtype = chance(rng, 0.5) ? DType::Float32 : DType::Float64;
  const auto matrix = [&](int64_t rows, int64_t cols) {
    Dims shape = concat(sizes.batch, {rows, cols}), full = shape;
    for (int d = 0; d < sizes.batch.size(); ++d)
      if (chance(rng, 0.3)) {
        shape[d] = 1;
        if (chance(rng, 0.5)) full[d] = 1;
      }
    g.add_operand(shape, full, dtype, false);
  };
  matrix(sizes.m, sizes.k);
  matrix(sizes.k, sizes.n);
  const int product = g.new_register();
  g.emit({FusedOp::Product, 0, 0, product, -1, -1, -1, dtype, 0});
  int r = product;
  const auto zip = [&](BinaryOp op, int a, int b) {
    const int dst = g.new_register();
    g.emit({FusedOp::Zip, int(op), 0, dst, a, b, -1, dtype, 0});
    return dst;
  };
  const auto load = [&](const Dims& shape, bool stored) {
    const int dst = g.new_register();
    g.emit({FusedOp::Load, 0, g.add_operand(shape, c.shape, dtype, stored), dst, -1, -1, -1, dtype,
            0});
    return dst;
  };
  if (chance(rng, 0.4)) g.store(c.shape, r);
  if (chance(rng, 0.6)) {
    Dims bias = Dims::filled(c.shape.size(), 1);
    bias[bias.size() - 1] = sizes.n;
    r = zip(BinaryOp::Add, r, load(bias, false));
  }
  if (chance(rng, 0.6)) {
    const UnaryOp activations[] = {UnaryOp::Relu, UnaryOp::Sigmoid, UnaryOp::Tanh};
    const int dst = g.new_register();
    g.emit({FusedOp::Map, int(activations[uniform_int(rng, 0, 2)]), 0, dst, r, -1, -1, dtype, 0});
    r = dst;
  }
  if (chance(rng, 0.3)) r = zip(BinaryOp::Add, r, load(c.shape, false));
  if (chance(rng, 0.5)) {
    g.body(c.shape, static_cast<int>(uniform_int(rng, 1, 6)), dtype);
    r = g.random_live();
  }
  if (chance(rng, 0.3)) {  // w -= lr * r, into the view w was loaded from
    const int w = load(c.shape, true), lr = g.new_register();
    const int w_operand = c.program.back().operand;
    g.emit({FusedOp::Constant, 0, 0, lr, -1, -1, -1, dtype, 0.01});
    const int step = zip(BinaryOp::Mul, r, lr);
    g.store_into(w_operand, zip(BinaryOp::Sub, w, step));
  }
  g.store(c.shape, r);
  return c;
}

// A reduction of `shape` over `reduced` (one flag per dim): prologue, Reduce, epilogue.
Case random_reduction(Rng& rng, const Dims& shape, const std::vector<bool>& reduced) {
  Case c;
  c.shape = shape;
  ProgramGenerator g(rng, c);
  const DType dtype = chance(rng, 0.5) ? DType::Float32 : DType::Float64;
  g.body(shape, static_cast<int>(uniform_int(rng, 1, 8)), dtype);
  Dims out = shape;
  for (int d = 0; d < shape.size(); ++d)
    if (reduced[d]) out[d] = 1;
  const int a = g.random_live();
  const int target = g.add_operand(out, out, g.dtype(a), true);
  const int dst = g.new_register();
  g.emit({FusedOp::Reduce, static_cast<int>(uniform_int(rng, 0, kReduceOpCount - 1)), target, dst,
          a, -1, -1, g.dtype(a), 0});
  if (chance(rng, 0.7)) g.body(out, static_cast<int>(uniform_int(rng, 0, 5)), g.dtype(dst));
  g.store_into(target, g.random_live(g.dtype(a)));
  return c;
}

// -sum(sigmoid(x) * y) over `reduced` with y broadcast along dim 0: a fold whose float32
// result depends on its order, so a block read from the wrong place or folded out of turn shows.
Case negated_sum_of_product(const Dims& shape, const std::vector<bool>& reduced, DType dtype) {
  Case c;
  c.shape = shape;
  c.registers = 3;
  Dims y = shape, out = shape;
  y[0] = 1;
  for (int d = 0; d < shape.size(); ++d)
    if (reduced[d]) out[d] = 1;
  c.operands = {
      {shape, shape, dtype, 1, false}, {y, shape, dtype, 2, false}, {out, out, dtype, 3, true}};
  c.program = {{FusedOp::Load, 0, 0, 0, -1, -1, -1, dtype, 0},
               {FusedOp::Load, 0, 1, 1, -1, -1, -1, dtype, 0},
               {FusedOp::Map, int(UnaryOp::Sigmoid), 0, 0, 0, -1, -1, dtype, 0},
               {FusedOp::Zip, int(BinaryOp::Mul), 0, 2, 0, 1, -1, dtype, 0},
               {FusedOp::Reduce, int(ReduceOp::Sum), 2, 0, 2, -1, -1, dtype, 0},
               {FusedOp::Map, int(UnaryOp::Neg), 0, 1, 0, -1, -1, dtype, 0},
               {FusedOp::Store, 0, 2, -1, 1, -1, -1, dtype, 0}};
  return c;
}

std::vector<bool> random_dims(Rng& rng, int rank) {
  std::vector<bool> dims(rank);
  for (int d = 0; d < rank; ++d)
    dims[d] = chance(rng, 0.5);
  return dims;
}

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
