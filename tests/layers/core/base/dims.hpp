#pragma once
// Fixture for scripts/check-layers.sh (ctest LayersCheckCatchesViolation): a base header with
// an include inside its layer.
#include "base/dtype.hpp"
