#pragma once
// A traced function: a program given as a function of its inputs rather than as one capture, so
// that it runs at any sizes. A run whose signature (the input count, each input's dtype, shape
// and device) is new captures the function on placeholders of that signature and compiles the
// capture through the plan cache (fusion/plan_cache.hpp), where a known program at new sizes
// reuses its planning decisions; later runs with that signature run its plan. Tracing again is what
// makes new sizes sound: values the function derives from sizes on the host (a reshape's dims,
// mean's 1/n, a slice's bounds) follow the new inputs, where rewriting one recorded graph could not
// tell them from constants. This is jax.jit's contract, and Python's mt.compile's.
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <span>
#include <vector>

#include "fusion/plan.hpp"

namespace mt::fusion {

class TracedFunction {
 public:
  // Called on placeholders (capture inputs) with a capture active on the calling thread; returns
  // the outputs, tensors made or used in the capture.
  using Body = std::function<std::vector<Tensor>(std::span<const Tensor> placeholders)>;
  // As Python's mt.compile: a function called with ever new sizes keeps at most this many plans.
  static constexpr size_t kMaxPlans = 64;

  explicit TracedFunction(Body body);

  // The plan for the inputs' signature, traced and compiled first when the signature is new (the
  // least recently used plan beyond kMaxPlans is dropped). The body's exceptions propagate, with
  // its capture abandoned; a capture active on this thread already is CaptureMisuse.
  std::shared_ptr<const Plan> plan_for(std::span<const Tensor> inputs);
  // Runs plan_for(inputs) with the inputs (Plan::run).
  std::vector<Tensor> run(std::span<const Tensor> inputs);
  // The plans kept, one per signature.
  int64_t plan_count() const;

 private:
  using Signature = std::vector<InputSignature>;
  std::shared_ptr<const Plan> trace(std::span<const Tensor> inputs) const;
  // The kept plan of the inputs' signature, made the most recent; null if none. Under mutex_.
  std::shared_ptr<const Plan> kept(std::span<const Tensor> inputs);

  Body body_;
  mutable std::mutex mutex_;  // guards plans_; never held while the body runs
  std::list<std::pair<Signature, std::shared_ptr<const Plan>>> plans_;  // most recent first
};

}  // namespace mt::fusion
