#include "backend/cpu_seq/fused.hpp"

#include <type_traits>

#include "backend/cpu_seq/loops.hpp"
#include "backend/fused_program.hpp"
#include "op_tables/op_dispatch.hpp"

namespace mt::cpu_seq {
namespace {

// A register's value at one element, in the dtype of the instruction that wrote it.
union Scalar {
  float f32;
  double f64;
};
template <class T> T& as(Scalar& s) {
  if constexpr (std::is_same_v<T, float>)
    return s.f32;
  else
    return s.f64;
}

// Runs ranges of a kernel's instructions at one element, with the same op-table functions and
// conversions as the cpu_seq primitives (map, zip, map_backward, zip_backward, copy, fill).
class Interpreter {
 public:
  Interpreter(const FusedKernel& kernel, const FusedProgramInfo& info)
      : kernel_(kernel), info_(info), shape_(std::span<const int64_t>(kernel.shape, kernel.rank)) {
    for (int k = 0; k < kernel.operand_count; ++k)
      strides_[k] = strides_of(kernel.operands[k]);
  }

  Scalar& reg(int r) { return regs_[r]; }

  // Instructions [first, last) at `index` of the views they load and store.
  void run(int first, int last, const Dims& index) {
    for (int i = first; i < last; ++i)
      dispatch_dtype(kernel_.instructions[i].dtype,
                     [&](auto zero) { step<decltype(zero)>(i, index); });
  }

 private:
  template <class T> T& element(int operand, const Dims& index) {
    return data_as<T>(kernel_.operands[operand])[index_to_position(index, strides_[operand])];
  }

  template <class T> void step(int i, const Dims& index) {
    const FusedInstruction& ins = kernel_.instructions[i];
    T& dst = as<T>(regs_[ins.dst < 0 ? 0 : ins.dst]);
    switch (ins.kind) {
      case FusedOp::Load: dst = element<T>(ins.operand, index); break;
      case FusedOp::Constant: dst = static_cast<T>(ins.value); break;
      case FusedOp::Map:
        dispatch_unary(static_cast<UnaryOp>(ins.op),
                       [&](auto fn) { dst = decltype(fn)::forward(as<T>(regs_[ins.a])); });
        break;
      case FusedOp::Zip:
        dispatch_binary(static_cast<BinaryOp>(ins.op), [&](auto fn) {
          dst = decltype(fn)::forward(as<T>(regs_[ins.a]), as<T>(regs_[ins.b]));
        });
        break;
      case FusedOp::MapBackward:
        dispatch_unary(static_cast<UnaryOp>(ins.op), [&](auto fn) {
          dst = decltype(fn)::backward(as<T>(regs_[ins.a]), as<T>(regs_[ins.b]));
        });
        break;
      case FusedOp::ZipBackward:
        dispatch_binary(static_cast<BinaryOp>(ins.op), [&](auto fn) {
          using Op = decltype(fn);
          const T x = as<T>(regs_[ins.a]), y = as<T>(regs_[ins.b]), g = as<T>(regs_[ins.c]);
          dst = ins.operand == 0 ? Op::grad_a(x, y, g) : Op::grad_b(x, y, g);
        });
        break;
      case FusedOp::Cast:
        dispatch_dtype(info_.input_dtype[i],
                       [&](auto from) { dst = static_cast<T>(as<decltype(from)>(regs_[ins.a])); });
        break;
      case FusedOp::Store: element<T>(ins.operand, index) = as<T>(regs_[ins.a]); break;
      case FusedOp::Reduce:  // run_fused folds around the prologue and epilogue ranges
        break;
      case FusedOp::Product:
        dst = matmul_element(Strided<T>(kernel_.operands[ins.operand]),
                             Strided<T>(kernel_.operands[ins.operand + 1]), index, shape_);
        break;
    }
  }

  const FusedKernel& kernel_;
  const FusedProgramInfo& info_;
  const Dims shape_;  // the iteration space
  Dims strides_[kFusedMaxOperands];
  Scalar regs_[kFusedMaxRegisters] = {};
};

}  // namespace

void run_fused(const FusedKernel& kernel) {
  const FusedProgramInfo info = analyze_fused_kernel(kernel);
  Interpreter program(kernel, info);
  const Dims shape(std::span<const int64_t>(kernel.shape, kernel.rank));
  const int count = kernel.instruction_count, at = info.reduce_at;
  if (at < 0) {
    for_each_index(shape, [&](int64_t, const Dims& index) { program.run(0, count, index); });
    return;
  }
  const FusedInstruction& reduce = kernel.instructions[at];
  dispatch_dtype(reduce.dtype, [&](auto zero) {
    using T = decltype(zero);
    dispatch_reduce(static_cast<ReduceOp>(reduce.op), [&](auto fn) {
      fold_each_output<T, decltype(fn)>(
          shape, shape_of(reduce_output(kernel, info)),
          [&](const Dims& index) {
            program.run(0, at, index);
            return as<T>(program.reg(reduce.a));
          },
          [&](const Dims& out_index, T folded) {
            as<T>(program.reg(reduce.dst)) = folded;
            program.run(at + 1, count, out_index);
          });
    });
  });
}

}  // namespace mt::cpu_seq
