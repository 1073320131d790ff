#pragma once
// Whether this thread is capturing a program (fusion/capture.hpp). While it is, ops record
// instead of running, so the layers below the capture consult this flag to refuse what cannot
// be recorded: reading values. Per thread, as captures are.
namespace mt {

bool capture_active();
void set_capture_active(bool active);

// Throws CaptureMisuse, naming `what`, when a capture is active on this thread.
void check_not_capturing(const char* what);

}  // namespace mt
