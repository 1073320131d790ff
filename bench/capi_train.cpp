// mt_bench_capi: what the C API adds to the training loop. One process times the same epoch
// (train_cases.hpp's train_small: split, 50 points, MLP 2-100-100-1, batch 10, SGD lr 0.05,
// float64) two ways, interleaved:
//   cpp  the C++ core's train_classifier_epoch (train_cases.hpp's Trainer, as mt_bench), and
//   c    examples/c/classifier.c's classifier_train_epoch, the C demo's loop, through
//        libminitensor.so's C API.
// libminitensor.so carries its own copy of the core (the same objects, its symbols local), so
// the C side pays what a C program pays: the boundary, a heap handle per tensor, PLT calls.
// Both sides start from the same seed and must give bit-identical losses epoch by epoch.
// After a warm-up, `rounds` short rounds time `epochs` epochs of each side, the side that goes
// first alternating. The ratio C/C++ is the median over the rounds of the two sides' median
// ms in that round: a paired comparison, so that a busy spell of the shared machine, which
// slows both sides of a round alike, does not tilt it. Prints JSON lines as mt_bench does:
//   {"meta": ...}
//   {"case": "train_small", "impl": "minitensor_cpp" | "minitensor_c", "threads": ...,
//    "median_ms": ..., "min_ms": ..., "reps": ..., "round_medians_ms": [...]}
//   {"case": "train_small", "impl": "c_over_cpp", "threads": ..., "ratio": ...,
//    "ratio_quartiles": [q1, q3], "ratio_of_medians": ..., "losses_identical": true,
//    "epochs_compared": ...}
// and a summary line per thread count on stderr. compare.py shows them as a table.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

#include "backend/cpu_par/isa.hpp"
#include "backend/cpu_par/parallel.hpp"
#include "classifier.h"
#include "minitensor/minitensor.h"
#include "mt.hpp"
#include "train_cases.hpp"

namespace {

using mt_bench::kTrainSmall;

struct Options {
  int threads = 2;  // thread counts 1..threads
  int warmup = 50;  // untimed epochs per side first
  int epochs = 25;  // timed epochs per side per round
  int rounds = 80;
  std::string filter;
};

void check(int32_t status) {
  if (status != MT_OK) throw std::runtime_error(std::string("C API: ") + mt_last_error());
}

// examples/c's classifier on the configuration of mt_bench_capi's C++ side.
class CClassifier {
 public:
  explicit CClassifier(const mt_bench::TrainConfig& config) {
    const classifier_config c = {.dataset = MT_DATASET_SPLIT,
                                 .points = config.points,
                                 .data_seed = mt_bench::kTrainSeed,
                                 .hidden = config.hidden,
                                 .model_seed = mt_bench::kTrainSeed,
                                 .dtype = MT_FLOAT64,
                                 .lr = mt_bench::kTrainLearningRate,
                                 .batch = config.batch,
                                 .device_type = MT_DEVICE_CPU,
                                 .device_index = 0};
    check(classifier_create(&c, &model_));
  }
  ~CClassifier() { classifier_release(&model_); }
  CClassifier(const CClassifier&) = delete;
  CClassifier& operator=(const CClassifier&) = delete;

  double epoch() {
    double loss = 0;
    check(classifier_train_epoch(&model_, &loss));
    return loss;
  }

 private:
  classifier model_ = CLASSIFIER_EMPTY;
};

// The q-quantile (0 <= q <= 1) by linear interpolation between the sorted values.
double quantile(std::vector<double> values, double q) {
  std::sort(values.begin(), values.end());
  const double at = q * static_cast<double>(values.size() - 1);
  const size_t i = static_cast<size_t>(at);
  if (i + 1 >= values.size()) return values.back();
  return values[i] + (at - static_cast<double>(i)) * (values[i + 1] - values[i]);
}

double median(const std::vector<double>& values) { return quantile(values, 0.5); }

// One side's record: every epoch's loss, the timed epochs' ms, each round's median.
struct Side {
  std::vector<double> losses, ms, round_medians;

  template <class Model> void run(Model& model, int epochs, bool timed) {
    std::vector<double> round;
    for (int i = 0; i < epochs; ++i) {
      const auto start = std::chrono::steady_clock::now();
      losses.push_back(model.epoch());
      round.push_back(
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
              .count());
    }
    if (!timed) return;
    ms.insert(ms.end(), round.begin(), round.end());
    round_medians.push_back(median(round));
  }
};

std::string json_list(const std::vector<double>& values) {
  std::string text = "[";
  char number[32];
  for (size_t i = 0; i < values.size(); ++i) {
    std::snprintf(number, sizeof number, "%s%.6g", i ? ", " : "", values[i]);
    text += number;
  }
  return text + "]";
}

void print_side(const char* impl, int threads, const Side& side) {
  std::printf(
      "{\"case\": \"%s\", \"shape\": \"%s\", \"dtype\": \"f64\", \"impl\": \"%s\", "
      "\"threads\": %d, \"median_ms\": %.6g, \"min_ms\": %.6g, \"reps\": %zu, "
      "\"round_medians_ms\": %s}\n",
      kTrainSmall.name, mt_bench::train_shape(kTrainSmall).c_str(), impl, threads, median(side.ms),
      *std::min_element(side.ms.begin(), side.ms.end()), side.ms.size(),
      json_list(side.round_medians).c_str());
}

// Returns whether the losses were identical.
bool run_threads(int threads, const Options& opt) {
  mt::set_num_threads(threads);
  check(mt_set_num_threads(threads));
  mt_bench::Trainer cpp(kTrainSmall);
  CClassifier c(kTrainSmall);
  Side cpp_side, c_side;
  cpp_side.run(cpp, opt.warmup, false);
  c_side.run(c, opt.warmup, false);
  for (int r = 0; r < opt.rounds; ++r) {
    if (r % 2 == 0) cpp_side.run(cpp, opt.epochs, true);
    c_side.run(c, opt.epochs, true);
    if (r % 2 == 1) cpp_side.run(cpp, opt.epochs, true);
  }

  // Bitwise: the same ops on the same values in the same order.
  const auto mismatch =
      std::mismatch(cpp_side.losses.begin(), cpp_side.losses.end(), c_side.losses.begin());
  const bool identical = mismatch.first == cpp_side.losses.end();
  std::vector<double> round_ratios;
  for (size_t r = 0; r < c_side.round_medians.size(); ++r)
    round_ratios.push_back(c_side.round_medians[r] / cpp_side.round_medians[r]);
  const double cpp_ms = median(cpp_side.ms), c_ms = median(c_side.ms);
  const double ratio = median(round_ratios), q1 = quantile(round_ratios, 0.25),
               q3 = quantile(round_ratios, 0.75);

  print_side("minitensor_cpp", threads, cpp_side);
  print_side("minitensor_c", threads, c_side);
  std::printf(
      "{\"case\": \"%s\", \"impl\": \"c_over_cpp\", \"threads\": %d, \"ratio\": %.6g, "
      "\"ratio_quartiles\": [%.6g, %.6g], \"ratio_of_medians\": %.6g, \"losses_identical\": %s, "
      "\"epochs_compared\": %zu}\n",
      kTrainSmall.name, threads, ratio, q1, q3, c_ms / cpp_ms, identical ? "true" : "false",
      cpp_side.losses.size());
  std::fflush(stdout);

  std::fprintf(stderr,
               "mt_bench_capi: %s, %d thread(s): C++ %.4f ms/epoch, C API %.4f ms/epoch, "
               "C/C++ %.3f (quartiles over rounds %.3f..%.3f); losses over %zu epochs: %s\n",
               kTrainSmall.name, threads, cpp_ms, c_ms, ratio, q1, q3, cpp_side.losses.size(),
               identical ? "identical" : "DIFFERENT");
  if (!identical) {
    const size_t i = static_cast<size_t>(mismatch.first - cpp_side.losses.begin());
    std::fprintf(stderr, "mt_bench_capi: epoch %zu: C++ loss %.17g, C loss %.17g\n", i + 1,
                 *mismatch.first, *mismatch.second);
  }
  return identical;
}

void usage(const char* argv0) {
  std::fprintf(stderr,
               "usage: %s [--threads N] [--filter SUBSTRING] [--warmup EPOCHS] "
               "[--epochs EPOCHS] [--rounds N]\n"
               "Times train_small's epoch through the C++ core and through the C API at 1..N\n"
               "threads (default 2; 50 warm-up epochs, then 80 rounds of 25 per side).\n",
               argv0);
}

Options parse(int argc, char** argv) {
  Options opt;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw std::invalid_argument(arg + " needs a value");
      return argv[++i];
    };
    if (arg == "--threads") {
      opt.threads = std::stoi(value());
    } else if (arg == "--filter") {
      opt.filter = value();
    } else if (arg == "--warmup") {
      opt.warmup = std::stoi(value());
    } else if (arg == "--epochs") {
      opt.epochs = std::stoi(value());
    } else if (arg == "--rounds") {
      opt.rounds = std::stoi(value());
    } else if (arg == "-h" || arg == "--help") {
      usage(argv[0]);
      std::exit(0);
    } else {
      throw std::invalid_argument("unknown argument " + arg);
    }
  }
  if (opt.threads < 1 || opt.warmup < 0 || opt.epochs < 1 || opt.rounds < 1)
    throw std::invalid_argument("--threads, --epochs and --rounds must be >= 1, --warmup >= 0");
  return opt;
}

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  try {
    opt = parse(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mt_bench_capi: %s\n", e.what());
    usage(argv[0]);
    return 2;
  }
  try {
    // Both copies of the core on the parallel backend, as mt_bench.
    mt::set_default_backend("cpu_par");
    check(mt_set_backend("cpu_par"));
    std::printf(
        "{\"meta\": {\"backend\": \"%s\", \"capi_backend\": \"%s\", \"version\": \"%s\", "
        "\"abi\": %d, \"isa\": \"%s\", \"warmup_epochs\": %d, \"epochs_per_round\": %d, "
        "\"rounds\": %d}}\n",
        mt::default_backend().name().c_str(), mt_current_backend(), mt_version(), mt_abi_version(),
        mt::cpu_par::isa_name(mt::cpu_par::active_isa()), opt.warmup, opt.epochs, opt.rounds);
    std::fflush(stdout);
    if (std::string(kTrainSmall.name).find(opt.filter) == std::string::npos) return 0;
    bool identical = true;
    for (int t = 1; t <= opt.threads; ++t)
      identical = run_threads(t, opt) && identical;
    return identical ? 0 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mt_bench_capi: %s\n", e.what());
    return 1;
  }
}
