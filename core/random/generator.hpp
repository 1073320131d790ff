#pragma once
#include <atomic>
#include <cstdint>
#include <memory>

namespace mt {

// What one random call uses: the generator's seed and the first of its counters.
struct Draw {
  uint64_t seed;
  uint64_t offset;
};

// A generator's state: a seed and a running counter. Held by its Generator and by the plans
// whose random calls draw from it (fusion/graph.hpp), so a plan may outlive the Generator.
class GeneratorState {
 public:
  explicit GeneratorState(uint64_t seed) : seed_(seed) {}
  uint64_t seed() const { return seed_.load(); }
  void manual_seed(uint64_t seed);
  // The first of `count` fresh counters.
  uint64_t take(uint64_t count) { return offset_.fetch_add(count); }
  // `count` fresh counters and the seed they go with.
  Draw draw(uint64_t count) { return {seed(), take(count)}; }

 private:
  std::atomic<uint64_t> seed_;
  std::atomic<uint64_t> offset_{0};
};

// A seed and a running counter: each random tensor takes the next numel() counters, so two
// draws never reuse numbers and a re-seeded generator replays the same sequence of tensors.
// Safe to share between threads (the counter is atomic); the tensors then depend on the order
// in which the threads draw. Not copyable: a copy would be a second stream or an alias.
class Generator {
 public:
  explicit Generator(uint64_t seed = 0) : state_(std::make_shared<GeneratorState>(seed)) {}
  Generator(const Generator&) = delete;
  Generator& operator=(const Generator&) = delete;

  uint64_t seed() const { return state_->seed(); }
  // Resets to `seed` with the counter at 0.
  void manual_seed(uint64_t seed) { state_->manual_seed(seed); }
  // The first of `count` fresh counters.
  uint64_t take(uint64_t count) { return state_->take(count); }
  Draw draw(uint64_t count) { return state_->draw(count); }
  // The state, for holders that may outlive this Generator (a captured random call).
  const std::shared_ptr<GeneratorState>& state() const { return state_; }

 private:
  std::shared_ptr<GeneratorState> state_;
};

// The generator that random ops use when none is given; seed 0 until manual_seed().
Generator& default_generator();
void manual_seed(uint64_t seed);

}  // namespace mt
