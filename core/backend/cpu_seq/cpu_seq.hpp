#pragma once
#include <memory>

#include "backend/backend.hpp"

namespace mt {

// The sequential reference backend ("cpu_seq"): plain loops over output indices, written to
// be read. It is the oracle that every other backend is tested against.
std::unique_ptr<Backend> make_cpu_seq_backend();

}  // namespace mt
