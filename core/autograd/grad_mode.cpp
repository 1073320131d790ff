#include "autograd/grad_mode.hpp"

namespace mt {
namespace {
thread_local bool grad_mode = true;
}

bool grad_enabled() { return grad_mode; }
void set_grad_enabled(bool enabled) { grad_mode = enabled; }

}  // namespace mt
