#include "random/generator.hpp"

namespace mt {

void GeneratorState::manual_seed(uint64_t seed) {
  seed_.store(seed);
  offset_.store(0);
}

Generator& default_generator() {
  static Generator generator(0);
  return generator;
}

void manual_seed(uint64_t seed) { default_generator().manual_seed(seed); }

}  // namespace mt
