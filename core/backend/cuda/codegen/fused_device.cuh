#pragma once
// Placeholder: the device helpers of generated fused kernels (issue 17, the code generator) go
// here. The run-time compiler (backend/cuda/jit) embeds this header into the plugin, so that
// generated sources can include it under NVRTC; it must stay NVRTC-clean and include nothing
// but the op tables' headers.
