#pragma once
// Random fused kernels (backend/fused_kernel.hpp) and their oracle, for the tests of every
// fused executor: cpu_seq and cpu_par (tests/core/test_fused_kernels.cpp) and the CUDA plugin's
// generated kernels (tests/cuda/fused). A Case is a program over operands made from seeds, so
// that the same case can be made twice (once to run fused, once op by op) on any device.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "mt.hpp"
#include "test_support.hpp"

namespace mt::test {

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

// The case's operands on `device`, each with the layout (offset, strides, gaps) it has on the
// CPU, so that a device sees the same strided views.
std::vector<Tensor> make_tensors(const Case& c, Device device = Device::cpu());
// The kernel over `tensors` (make_tensors' result): broadcast dims get stride 0.
FusedKernel kernel_of(const Case& c, const std::vector<Tensor>& tensors);
// The oracle: each instruction as the backend's primitive into a fresh contiguous tensor on
// `device` of the iteration space (of the output's shape after a Reduce). A Load copies, so
// that a later Store to the same view (an in-place update) does not change what was loaded.
void run_op_by_op(Backend& backend, const FusedKernel& k, Device device = Device::cpu());
// A tensor's elements in row-major order, as bytes (copied to the host).
std::vector<char> bytes(const Tensor& t);
std::string describe(const Case& c);
// The case's operands after running it fused on `backend` (on `device`); none when the backend
// has no fused executor.
std::vector<Tensor> run_fused(Backend& backend, const Case& c, Device device = Device::cpu());
// Runs the case fused and op by op on `backend` (on `device`); the stored operands must hold
// the same bytes.
::testing::AssertionResult fused_matches_op_by_op(Backend& backend, const Case& c,
                                                  Device device = Device::cpu());

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

Case random_elementwise(Rng& rng, const Dims& shape);
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
Case random_matmul(Rng& rng, const MatmulSizes& sizes);
// A reduction of `shape` over `reduced` (one flag per dim): prologue, Reduce, epilogue.
Case random_reduction(Rng& rng, const Dims& shape, const std::vector<bool>& reduced);
// -sum(sigmoid(x) * y) over `reduced` with y broadcast along dim 0: a fold whose float32
// result depends on its order, so a block read from the wrong place or folded out of turn shows.
Case negated_sum_of_product(const Dims& shape, const std::vector<bool>& reduced, DType dtype);
std::vector<bool> random_dims(Rng& rng, int rank);

}  // namespace mt::test
