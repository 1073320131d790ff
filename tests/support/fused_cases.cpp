#include "fused_cases.hpp"

#include <algorithm>
#include <cstring>

#include "tensor/strided_view.hpp"

namespace mt::test {

std::vector<Tensor> make_tensors(const Case& c, Device device) {
  std::vector<Tensor> tensors;
  for (const OperandSpec& spec : c.operands) {
    if (spec.shares >= 0) {
      tensors.push_back(tensors[spec.shares]);
      continue;
    }
    Rng rng(spec.seed);
    const Tensor t = random_strided(rng, spec.shape, spec.dtype, -2, 2);
    tensors.push_back(same_layout_on(device, spec.row_major ? t.contiguous() : t));
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

void run_op_by_op(Backend& backend, const FusedKernel& k, Device device) {
  Dims shape(std::span<const int64_t>(k.shape, k.rank));
  std::vector<Tensor> fresh;
  StridedView reg[kFusedMaxRegisters];
  for (int i = 0; i < k.instruction_count; ++i) {
    const FusedInstruction& ins = k.instructions[i];
    if (ins.kind == FusedOp::Reduce) shape = shape_of(k.operands[ins.operand]);
    StridedView out{};
    if (ins.kind != FusedOp::Store) {
      fresh.push_back(Tensor::empty(shape, ins.dtype, device));
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
  const Tensor c = t.to(Device::cpu()).contiguous();
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

std::vector<Tensor> run_fused(Backend& backend, const Case& c, Device device) {
  std::vector<Tensor> tensors = make_tensors(c, device);
  if (!backend.fused(kernel_of(c, tensors))) return {};
  return tensors;
}

::testing::AssertionResult fused_matches_op_by_op(Backend& backend, const Case& c, Device device) {
  const std::vector<Tensor> fused = run_fused(backend, c, device);
  if (fused.empty())
    return ::testing::AssertionFailure() << backend.name() << " has no fused executor";
  const std::vector<Tensor> oracle = make_tensors(c, device);
  run_op_by_op(backend, kernel_of(c, oracle), device);
  for (size_t i = 0; i < c.operands.size(); ++i)
    if (c.operands[i].stored && bytes(fused[i]) != bytes(oracle[i]))
      return ::testing::AssertionFailure()
             << backend.name() << ": operand " << i << " differs\n  fused:    " << fused[i]
             << "\n  op by op: " << oracle[i] << "\n  " << describe(c);
  return ::testing::AssertionSuccess();
}

Case random_elementwise(Rng& rng, const Dims& shape) {
  Case c;
  c.shape = shape;
  ProgramGenerator g(rng, c);
  const DType dtype = chance(rng, 0.5) ? DType::Float32 : DType::Float64;
  g.body(shape, static_cast<int>(uniform_int(rng, 1, 14)), dtype);
  g.store(shape, g.random_live());
  return c;
}

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

}  // namespace mt::test
