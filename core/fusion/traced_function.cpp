#include "fusion/traced_function.hpp"

#include <algorithm>
#include <utility>

#include "fusion/capture.hpp"
#include "fusion/plan_cache.hpp"

namespace mt::fusion {
namespace {

bool same_signature(std::span<const InputSignature> kept, std::span<const Tensor> inputs) {
  return std::equal(kept.begin(), kept.end(), inputs.begin(), inputs.end(),
                    [](const InputSignature& s, const Tensor& t) {
                      return s.dtype == t.dtype() && s.shape == t.shape() && s.device == t.device();
                    });
}

}  // namespace

TracedFunction::TracedFunction(Body body) : body_(std::move(body)) {}

std::shared_ptr<const Plan> TracedFunction::trace(std::span<const Tensor> inputs) const {
  begin_capture();  // outside the try: a capture already active is not ours to abandon
  try {
    std::vector<Tensor> placeholders;
    placeholders.reserve(inputs.size());
    for (const Tensor& t : inputs)
      placeholders.push_back(capture_input(t.shape(), t.dtype(), t.device()));
    const std::vector<Tensor> outputs = body_(placeholders);
    return compile(end_capture(outputs));
  } catch (...) {
    abandon_capture();
    throw;
  }
}

std::shared_ptr<const Plan> TracedFunction::kept(std::span<const Tensor> inputs) {
  const auto it = std::find_if(plans_.begin(), plans_.end(), [&](const auto& entry) {
    return same_signature(entry.first, inputs);
  });
  if (it == plans_.end()) return nullptr;
  plans_.splice(plans_.begin(), plans_, it);
  return it->second;
}

std::shared_ptr<const Plan> TracedFunction::plan_for(std::span<const Tensor> inputs) {
  {
    const std::lock_guard lock(mutex_);
    if (std::shared_ptr<const Plan> plan = kept(inputs)) return plan;
  }
  std::shared_ptr<const Plan> plan = trace(inputs);
  const std::lock_guard lock(mutex_);
  // Another thread may have traced the same signature meanwhile: the first plan kept serves.
  if (std::shared_ptr<const Plan> first = kept(inputs)) return first;
  plans_.emplace_front(plan->graph().signature, plan);
  if (plans_.size() > kMaxPlans) plans_.pop_back();
  return plan;
}

std::vector<Tensor> TracedFunction::run(std::span<const Tensor> inputs) {
  return plan_for(inputs)->run(inputs);
}

int64_t TracedFunction::plan_count() const {
  const std::lock_guard lock(mutex_);
  return static_cast<int64_t>(plans_.size());
}

}  // namespace mt::fusion
