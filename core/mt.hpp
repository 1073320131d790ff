#pragma once
// The whole C++ engine in one include.
#include "backend/cpu_par/parallel.hpp"
#include "backend/diagnostics.hpp"
#include "backend/registry.hpp"
#include "ops/creation.hpp"
#include "ops/tensor_ops.hpp"
#include "random/generator.hpp"
#include "tensor/allocator.hpp"
#include "tensor/index.hpp"
#include "tensor/tensor.hpp"
