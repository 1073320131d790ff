#pragma once
#include <string>

namespace mt {

// The directory of the shared object (or executable) that holds the core: plugins live next to
// libminitensor.so, and a bare-name dlopen would not look there. "." when it cannot be told.
std::string library_directory();

}  // namespace mt
