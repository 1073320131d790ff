#pragma once
// Whether this thread is capturing a program (fusion/capture.hpp). While it is, ops record
// instead of running, so the layers below the capture consult this flag to refuse what cannot
// be recorded: reading values. Per thread, as captures are.
#include <cstdint>

namespace mt {

bool capture_active();
// Starting a capture gives it an id, unique in the process; 0 while none is active.
void set_capture_active(bool active);
uint64_t active_capture_id();

// Throws CaptureMisuse, naming `what`, when a capture is active on this thread.
void check_not_capturing(const char* what);

}  // namespace mt
