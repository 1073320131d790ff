#include "base/capture_state.hpp"

#include <atomic>

#include "base/error.hpp"

namespace mt {
namespace {
std::atomic<uint64_t> next_id{1};
thread_local uint64_t active = 0;  // the id of this thread's capture
}  // namespace

bool capture_active() { return active != 0; }
void set_capture_active(bool value) { active = value ? next_id.fetch_add(1) : 0; }
uint64_t active_capture_id() { return active; }

void check_not_capturing(const char* what) {
  if (active)
    fail(ErrorCode::CaptureMisuse, what,
         ": values cannot be read while a capture is active on this thread (they exist only "
         "when the plan runs); end the capture first");
}

}  // namespace mt
