// Process-wide settings: backends, threads, diagnostics.
#include <deque>
#include <mutex>

#include "boundary.hpp"

using namespace mt;
using namespace mt::capi;

namespace {

// The backends' names as C strings that live as long as the process (the registry hands out
// std::string copies). Append-only, so pointers given out stay valid.
const char* interned(const std::string& name) {
  static std::mutex mutex;
  static std::deque<std::string> names;
  std::lock_guard lock(mutex);
  for (const std::string& known : names)
    if (known == name) return known.c_str();
  return names.emplace_back(name).c_str();
}

}  // namespace

extern "C" {

int32_t mt_backend_count(void) {
  return guarded_value("mt_backend_count", int32_t{0},
                       [] { return static_cast<int32_t>(backend_names().size()); });
}

const char* mt_backend_name(int32_t index) {
  return guarded_value("mt_backend_name", static_cast<const char*>(nullptr), [&]() -> const char* {
    const std::vector<std::string> names = backend_names();
    if (index < 0 || index >= static_cast<int32_t>(names.size()))
      fail(ErrorCode::IndexOutOfRange, "backend index ", index, " is outside [0, ", names.size(),
           ")");
    return interned(names[static_cast<size_t>(index)]);
  });
}

mt_status_t mt_set_backend(const char* name) {
  return guarded("mt_set_backend", [&] { set_default_backend(require(name, "name")); });
}

const char* mt_current_backend(void) {
  return guarded_value("mt_current_backend", static_cast<const char*>(nullptr),
                       [] { return interned(default_backend().name()); });
}

int32_t mt_num_threads(void) {
  return guarded_value("mt_num_threads", int32_t{-1}, [] { return num_threads(); });
}

mt_status_t mt_set_num_threads(int32_t threads) {
  return guarded("mt_set_num_threads", [&] { set_num_threads(threads); });
}

mt_status_t mt_set_diagnostics(mt_diagnostics_mode_t mode) {
  return guarded("mt_set_diagnostics", [&] {
    if (mode < MT_DIAGNOSTICS_OFF || mode > MT_DIAGNOSTICS_PRINT)
      fail(ErrorCode::InvalidArgument, "unknown diagnostics mode ", mode, " (valid: 0..2)");
    set_diagnostics(static_cast<DiagnosticsMode>(mode));
  });
}

mt_diagnostics_mode_t mt_diagnostics(void) {
  return static_cast<mt_diagnostics_mode_t>(diagnostics_mode());
}

mt_status_t mt_take_diagnostics(char** out) {
  return guarded("mt_take_diagnostics", [&] {
    require(out, "out");
    std::string text;
    for (const OpReport& report : take_op_reports())
      text += to_string(report) + "\n";
    *out = malloc_string(text);
  });
}

}  // extern "C"
