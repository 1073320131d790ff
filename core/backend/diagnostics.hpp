#pragma once
// Parallel diagnostics: a switch that makes each backend op report which path ran (flat,
// strided, broadcast, ...), the threads it used and its time, so that a user can see whether
// parallelism pays. MINITENSOR_DIAGNOSTICS=1 in the environment turns printing on at start.
#include <cstdint>
#include <string>
#include <vector>

namespace mt {

enum class DiagnosticsMode : int32_t {
  Off = 0,
  Collect = 1,  // keep the reports (take_op_reports)
  Print = 2,    // keep them and print a line per op to stderr
};

struct OpReport {
  std::string backend;   // "cpu_par"
  std::string op;        // "zip add", "reduce sum", "matmul"
  std::string path;      // which loop ran: "flat", "strided", "tiled", "inner", "outer", ...
  int threads = 1;       // threads the op could use (1: it ran inline)
  int64_t elements = 0;  // output elements
  double seconds = 0;
};

void set_diagnostics(DiagnosticsMode mode);
DiagnosticsMode diagnostics_mode();
inline bool diagnostics_enabled() { return diagnostics_mode() != DiagnosticsMode::Off; }
// The reports kept since the last call (the newest 1000 at most), oldest first; clears them.
std::vector<OpReport> take_op_reports();
// For backends: records a report (and prints it in Print mode). Thread-safe.
void report_op(OpReport report);
// "cpu_par zip add: path=flat threads=2 elements=16777216 time=3.210 ms"
std::string to_string(const OpReport& report);

}  // namespace mt
