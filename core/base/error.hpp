#pragma once
#include <cmath>
#include <cstdint>
#include <sstream>
#include <stdexcept>
#include <string>
#include <type_traits>

namespace mt {

// The kind of a failure. The C API maps these one to one onto its status codes, so the values
// are append-only.
enum class ErrorCode : int32_t {
  InvalidArgument = 1,  // a bad value: negative size, unknown op, bad permutation
  ShapeMismatch = 2,    // shapes that do not broadcast, view or multiply
  IndexOutOfRange = 3,  // a dim or an index outside its range
  DTypeMismatch = 4,    // a dtype that the call does not accept
  Overflow = 5,         // a size computation that does not fit in int64
  OutOfMemory = 6,      // an allocation that failed
  Unsupported = 7,      // valid input that this build or backend cannot handle
  // 8 is the C API's MT_ERR_INTERNAL.
  DeviceMismatch = 9,      // operands on different devices
  DeviceUnavailable = 10,  // a device that this process cannot use (no driver, no plugin, ...)
  CollectiveFailed = 11,   // the communication engine failed, or an earlier failure broke the world
  CollectiveMismatch = 12,  // ranks entered different collectives (kind, dtype, size or order)
  CaptureMisuse = 13,       // what a capture cannot do: a value read, a nested capture, ...
};

// Every error the core reports is an mt::Error; its message names the problem and the values.
class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
  ErrorCode code() const noexcept { return code_; }

 private:
  ErrorCode code_;
};

// Writes one value of a message or of a printed tensor. A NaN prints as "nan" whatever its
// sign bit, as numpy does: C#'s NaN and the NaN of 0/0 on x86 have it set, and the stream
// would print "-nan".
template <class T> void write_value(std::ostream& out, const T& value) {
  if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(value)) {
      out << "nan";
      return;
    }
  }
  out << value;
}

// Concatenates anything that streams, to build error messages: cat("dim ", d, " of ", shape).
template <class... Args> std::string cat(const Args&... args) {
  std::ostringstream out;
  (write_value(out, args), ...);
  return out.str();
}

template <class... Args> [[noreturn]] void fail(ErrorCode code, const Args&... args) {
  throw Error(code, cat(args...));
}

}  // namespace mt
