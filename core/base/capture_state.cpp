#include "base/capture_state.hpp"

#include "base/error.hpp"

namespace mt {
namespace {
thread_local bool active = false;
}  // namespace

bool capture_active() { return active; }
void set_capture_active(bool value) { active = value; }

void check_not_capturing(const char* what) {
  if (active)
    fail(ErrorCode::CaptureMisuse, what,
         ": values cannot be read while a capture is active on this thread (they exist only "
         "when the plan runs); end the capture first");
}

}  // namespace mt
