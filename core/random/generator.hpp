#pragma once
#include <atomic>
#include <cstdint>

namespace mt {

// A seed and a running counter: each random tensor takes the next numel() counters, so two
// draws never reuse numbers and a re-seeded generator replays the same sequence of tensors.
// Safe to share between threads (the counter is atomic); the tensors then depend on the order
// in which the threads draw.
class Generator {
 public:
  explicit Generator(uint64_t seed = 0) : seed_(seed) {}
  uint64_t seed() const { return seed_.load(); }
  // Resets to `seed` with the counter at 0.
  void manual_seed(uint64_t seed);
  // The first of `count` fresh counters.
  uint64_t take(uint64_t count) { return offset_.fetch_add(count); }

 private:
  std::atomic<uint64_t> seed_;
  std::atomic<uint64_t> offset_{0};
};

// The generator that random ops use when none is given; seed 0 until manual_seed().
Generator& default_generator();
void manual_seed(uint64_t seed);

}  // namespace mt
