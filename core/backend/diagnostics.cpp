#include "backend/diagnostics.hpp"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <sstream>

namespace mt {
namespace {

constexpr size_t kMaxKept = 1000;

DiagnosticsMode mode_from_environment() {
  const char* env = std::getenv("MINITENSOR_DIAGNOSTICS");
  return env && *env && std::string(env) != "0" ? DiagnosticsMode::Print : DiagnosticsMode::Off;
}

std::atomic<DiagnosticsMode>& mode() {
  static std::atomic<DiagnosticsMode> value{mode_from_environment()};
  return value;
}

struct Kept {
  std::mutex mutex;
  std::deque<OpReport> reports;
};

Kept& kept() {
  static Kept instance;
  return instance;
}

}  // namespace

void set_diagnostics(DiagnosticsMode new_mode) { mode().store(new_mode); }
DiagnosticsMode diagnostics_mode() { return mode().load(std::memory_order_relaxed); }

std::vector<OpReport> take_op_reports() {
  Kept& k = kept();
  std::lock_guard lock(k.mutex);
  std::vector<OpReport> out(k.reports.begin(), k.reports.end());
  k.reports.clear();
  return out;
}

void report_op(OpReport report) {
  const DiagnosticsMode m = diagnostics_mode();
  if (m == DiagnosticsMode::Off) return;
  if (m == DiagnosticsMode::Print) std::fprintf(stderr, "%s\n", to_string(report).c_str());
  Kept& k = kept();
  std::lock_guard lock(k.mutex);
  k.reports.push_back(std::move(report));
  if (k.reports.size() > kMaxKept) k.reports.pop_front();
}

std::string to_string(const OpReport& r) {
  std::ostringstream out;
  out << r.backend << ' ' << r.op << ": path=" << r.path << " threads=" << r.threads
      << " elements=" << r.elements << " time=" << r.seconds * 1e3 << " ms";
  return out.str();
}

}  // namespace mt
