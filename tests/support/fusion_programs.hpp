#pragma once
// Programs for the fusion tests (tests/core, tests/cuda/device), captured and run as plans,
// which must give bitwise what their calls give eagerly, fused, unfused or partly unfused, on
// the CPU or on a device: a capture helper and random programs.
#include <functional>
#include <memory>
#include <vector>

#include "mt.hpp"
#include "test_support.hpp"

namespace mt::test {

using Program = std::function<std::vector<Tensor>(const std::vector<Tensor>&)>;

// The graph of `program` captured over placeholders shaped like `inputs`, on their device.
std::shared_ptr<const fusion::Graph> capture_graph(const Program& program,
                                                   const std::vector<Tensor>& inputs);

// A random program of up to ~12 ops over values of random shapes: maps, zips with
// broadcasting, reductions, matmuls, views (permute, expand, narrow), casts and in-place
// updates of values the program made (as an optimizer updates its state; later ops read the
// new values, also through views), on inputs and on "parameters" (strided tensors that exist
// before the capture, used by reference), all on the inputs' device.
struct RandomProgram {
  uint64_t seed;
  std::vector<Tensor> params;

  std::vector<Tensor> operator()(const std::vector<Tensor>& inputs) const;
};

// One random program, its inputs (strided on the CPU; contiguous copies on a device) and
// parameters on `device`, its eager results (on contiguous inputs) and its plan.
struct RandomTrial {
  int trial = 0;
  std::vector<Tensor> inputs;
  RandomProgram program;
  std::vector<Tensor> eager;
  std::shared_ptr<fusion::Plan> plan;
};

// Makes `trials` random programs on `device`, captures each (fused as MINITENSOR_FUSION says) and
// calls `check` with each whose calls are valid (the random choices can make a program invalid,
// e.g. a matmul of mismatched shapes); stops at the first failure.
void for_each_random_program(Rng& rng, int trials, Device device,
                             const std::function<void(const RandomTrial&)>& check);

// Whether `planned` (a run of trial's plan) equals its eager results bitwise; the failure says
// what the trial was, and gives the plan's report.
::testing::AssertionResult same_as_eager(const RandomTrial& trial,
                                         const std::vector<Tensor>& planned);

}  // namespace mt::test
