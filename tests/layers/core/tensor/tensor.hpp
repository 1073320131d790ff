#pragma once
// Fixture for scripts/check-layers.sh (ctest LayersCheckCatchesViolation): tensor/ may include
// base/ but not autograd/, which sits above it; the check must name line 4 and only it.
#include "autograd/node.hpp"
#include "base/dims.hpp"
#include "tensor/overlap.hpp"
