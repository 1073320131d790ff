#include "fusion_programs.hpp"

#include <algorithm>

#include "test_support.hpp"

namespace mt::test {

std::shared_ptr<const fusion::Graph> capture_graph(const Program& program,
                                                   const std::vector<Tensor>& inputs) {
  fusion::begin_capture();
  std::vector<Tensor> placeholders;
  for (const Tensor& t : inputs)
    placeholders.push_back(fusion::capture_input(t.shape(), t.dtype(), t.device()));
  return fusion::end_capture(program(placeholders));
}

std::vector<Tensor> RandomProgram::operator()(const std::vector<Tensor>& inputs) const {
  Rng rng(seed);
  std::vector<Tensor> values = inputs;
  values.insert(values.end(), params.begin(), params.end());
  const auto pick = [&] { return values[uniform_int(rng, 0, int64_t(values.size()) - 1)]; };
  const int ops = int(uniform_int(rng, 1, 12));
  for (int i = 0; i < ops; ++i) {
    const Tensor a = pick(), b = pick();
    Tensor r;
    switch (uniform_int(rng, 0, 8)) {
      case 0: {
        static const UnaryOp unary[] = {UnaryOp::Neg,  UnaryOp::Exp,  UnaryOp::Sigmoid,
                                        UnaryOp::Relu, UnaryOp::Tanh, UnaryOp::Square,
                                        UnaryOp::Abs,  UnaryOp::Sin};
        r = map(unary[uniform_int(rng, 0, 7)], a);
        break;
      }
      case 1:
      case 2: {
        static const BinaryOp binary[] = {BinaryOp::Add, BinaryOp::Sub, BinaryOp::Mul,
                                          BinaryOp::Max, BinaryOp::Div, BinaryOp::Lt};
        // Broadcast b against a where the shapes allow: its trailing dims as a's, some 1.
        Tensor rhs = b;
        try {
          shape_broadcast(a.shape(), b.shape());
        } catch (const Error&) {
          rhs = a.dim() > 0 ? sum(b) : b;  // a scalar broadcasts anywhere
        }
        r = zip(binary[uniform_int(rng, 0, 5)], a, rhs);
        break;
      }
      case 3:
        r = a.dim() == 0 ? sum(a)
                         : reduce(chance(rng, 0.5) ? ReduceOp::Sum : ReduceOp::Max, a,
                                  Dims{uniform_int(rng, 0, a.dim() - 1)}, chance(rng, 0.5));
        if (r.numel() == 0 && a.numel() == 0) r = sum(a);
        break;
      case 4:
        r = a.dim() >= 2 ? a.transpose(0, a.dim() - 1) : a.unsqueeze(0).expand({3, -1});
        break;
      case 5: r = a.to(a.dtype() == DType::Float32 ? DType::Float64 : DType::Float32); break;
      case 6:
        if (a.dim() >= 1 && a.size(-1) > 1)
          r = a.narrow(-1, 1, a.size(-1) - 1);
        else
          r = a * 0.5;
        break;
      case 7:
        if (a.dim() >= 1 && b.dim() >= 1)
          r = matmul(a.dim() == 1 ? a.unsqueeze(-1) : a, b.reshape({1, -1}));
        else
          r = a + b;
        break;
      default: {
        const auto made = int64_t(inputs.size() + params.size());
        if (int64_t(values.size()) == made) {
          r = a * 2.0;
          break;
        }
        const Tensor target = values[uniform_int(rng, made, int64_t(values.size()) - 1)];
        // Not a view of an input or a parameter: their values must stay those of the
        // eager run's (the test compares runs against it).
        if (std::any_of(values.begin(), values.begin() + made,
                        [&](const Tensor& v) { return v.storage() == target.storage(); })) {
          r = a * 2.0;
          break;
        }
        Tensor rhs = b.to(target.dtype());
        try {
          if (shape_broadcast(target.shape(), b.shape()) != target.shape()) rhs = sum(rhs);
        } catch (const Error&) {
          rhs = sum(rhs);
        }
        static const BinaryOp update[] = {BinaryOp::Add, BinaryOp::Mul, BinaryOp::Sub};
        zip_out(update[uniform_int(rng, 0, 2)], target, rhs, target);
        r = target;
      }
    }
    values.push_back(r);
  }
  return {values.back(), values[values.size() / 2] * 1.0};
}

void for_each_random_program(Rng& rng, int trials, Device device,
                             const std::function<void(const RandomTrial&)>& check) {
  const auto on_device = [&](const Tensor& t) { return device.is_cpu() ? t : t.to(device); };
  for (int trial = 0; trial < trials && !::testing::Test::HasFailure(); ++trial) {
    const auto [sa, sb] = random_broadcast_pair(rng, 3, 5);
    const DType dtype = chance(rng, 0.5) ? DType::Float32 : DType::Float64;
    RandomTrial t;
    t.trial = trial;
    t.inputs = {on_device(random_strided(rng, sa, dtype, -2, 2)),
                on_device(random_strided(rng, sb, dtype, -2, 2))};
    t.program = {rng(),
                 {on_device(random_strided(rng, sb, dtype, -2, 2)),
                  on_device(random_strided(rng, {}, dtype, -2, 2))}};
    std::vector<Tensor> contiguous;
    for (const Tensor& in : t.inputs)
      contiguous.push_back(in.contiguous());
    try {
      t.eager = t.program(contiguous);
    } catch (const Error&) {
      continue;  // a program the random choices made invalid (e.g. matmul shapes)
    }
    t.plan = std::make_shared<fusion::Plan>(capture_graph(t.program, t.inputs),
                                            fusion::fusion_enabled_by_environment());
    check(t);
  }
}

::testing::AssertionResult same_as_eager(const RandomTrial& trial,
                                         const std::vector<Tensor>& planned) {
  const auto host = [](const Tensor& t) { return t.to(Device::cpu()); };
  for (size_t i = 0; i < trial.eager.size(); ++i) {
    const ::testing::AssertionResult same = bitwise_equal(host(planned[i]), host(trial.eager[i]));
    if (!same)
      return ::testing::AssertionFailure()
             << same.message() << "\ntrial " << trial.trial << " output " << i << " inputs "
             << describe(trial.inputs[0]) << " / " << describe(trial.inputs[1]) << "\nparams "
             << describe(trial.program.params[0]) << " / " << describe(trial.program.params[1])
             << "\n"
             << host(planned[i]) << "\n"
             << host(trial.eager[i]) << "\n"
             << trial.plan->report();
  }
  return ::testing::AssertionSuccess();
}

}  // namespace mt::test
