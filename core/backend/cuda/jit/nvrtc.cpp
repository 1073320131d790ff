#include "backend/cuda/jit/nvrtc.hpp"

#include <dlfcn.h>

#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>

#include "backend/cuda/jit/embedded_headers.hpp"

namespace mt::cuda::jit {

// The part of nvrtc.h that is used (a C API: nvrtcResult is an enum, 0 is success).
struct Nvrtc::Api {
  using Program = struct _nvrtcProgram*;
  int (*version)(int*, int*);
  int (*create)(Program*, const char*, const char*, int, const char* const*, const char* const*);
  int (*compile)(Program, int, const char* const*);
  int (*destroy)(Program*);
  int (*log_size)(Program, std::size_t*);
  int (*log)(Program, char*);
  int (*cubin_size)(Program, std::size_t*);
  int (*cubin)(Program, char*);
  const char* (*error_string)(int);
};

namespace {

constexpr int kOldestMajor = 12;  // the first NVRTC with nvrtcGetCUBIN and C++20
constexpr int kLogLines = 20;     // of a failed compile's log, in the reason

std::string dl_error() {
  const char* why = dlerror();
  return why != nullptr ? why : "unknown error";
}

// The first `lines` lines of `log`, saying where the rest was left out.
std::string first_lines(const std::string& log, int lines) {
  std::size_t end = 0;
  for (int i = 0; i < lines; ++i) {
    end = log.find('\n', end);
    if (end == std::string::npos) return log;
    ++end;
  }
  if (end >= log.size()) return log;
  return log.substr(0, end) + "[... the rest of the log left out]";
}

}  // namespace

Nvrtc::Nvrtc(const std::string& library) {
  const std::vector<std::string> candidates =
      library.empty() ? std::vector<std::string>{"libnvrtc.so.13", "libnvrtc.so.12"}
                      : std::vector<std::string>{library};
  void* handle = nullptr;
  std::string failures;
  for (const std::string& name : candidates) {
    if ((handle = dlopen(name.c_str(), RTLD_NOW | RTLD_LOCAL)) != nullptr) {
      identity_ = name;
      break;
    }
    failures += (failures.empty() ? "" : "; ") + name + " (" + dl_error() + ")";
  }
  if (handle == nullptr) {
    why_not_ = "NVRTC is not available: cannot load " + failures +
               (library.empty() ? "" : " (named by MINITENSOR_NVRTC)");
    return;
  }
  auto api = std::make_unique<Api>();
  std::string missing;  // the entry points it lacks
  const auto bind = [&](auto& entry, const char* symbol) {
    entry = reinterpret_cast<std::remove_reference_t<decltype(entry)>>(dlsym(handle, symbol));
    if (entry == nullptr) missing += (missing.empty() ? "" : ", ") + std::string(symbol);
  };
  bind(api->version, "nvrtcVersion");
  bind(api->create, "nvrtcCreateProgram");
  bind(api->compile, "nvrtcCompileProgram");
  bind(api->destroy, "nvrtcDestroyProgram");
  bind(api->log_size, "nvrtcGetProgramLogSize");
  bind(api->log, "nvrtcGetProgramLog");
  bind(api->cubin_size, "nvrtcGetCUBINSize");
  bind(api->cubin, "nvrtcGetCUBIN");
  bind(api->error_string, "nvrtcGetErrorString");
  if (!missing.empty()) {
    why_not_ = "NVRTC is not usable: " + identity_ + " lacks " + missing;
    return;
  }
  int major = 0, minor = 0;
  if (api->version(&major, &minor) != 0 || major < kOldestMajor) {
    why_not_ = "NVRTC is not usable: " + identity_ + " is version " + std::to_string(major) + "." +
               std::to_string(minor) + ", " + std::to_string(kOldestMajor) +
               ".0 or newer is needed";
    return;
  }
  identity_ =
      "nvrtc " + std::to_string(major) + "." + std::to_string(minor) + " (" + identity_ + ")";
  minimal_ = major > 12 || (major == 12 && minor >= 4);
  api_ = std::move(api);
}

Nvrtc::~Nvrtc() = default;

const Nvrtc& Nvrtc::load() {
  static std::mutex mutex;
  static std::map<std::string, std::unique_ptr<Nvrtc>> loaded;  // by MINITENSOR_NVRTC's value
  const char* named = std::getenv("MINITENSOR_NVRTC");
  const std::string library = named != nullptr ? named : "";
  const std::lock_guard lock(mutex);
  std::unique_ptr<Nvrtc>& nvrtc = loaded[library];
  if (!nvrtc) nvrtc = std::make_unique<Nvrtc>(library);
  return *nvrtc;
}

std::vector<std::string> Nvrtc::options(int arch) const {
  std::vector<std::string> all = {"--gpu-architecture=sm_" + std::to_string(arch), "--fmad=false",
                                  "--std=c++20", "-default-device"};
  if (minimal_) all.push_back("--minimal");
  return all;
}

std::string Nvrtc::fingerprint(int arch) const {
  std::string text = identity_;
  for (const std::string& option : options(arch))
    text += " " + option;
  char headers[40];
  std::snprintf(headers, sizeof headers, " (headers %016" PRIx64 ")",
                embedded_headers_fingerprint());
  return text + headers;
}

NvrtcOutput Nvrtc::compile(const std::string& source, const std::string& name, int arch) const {
  NvrtcOutput out;
  if (!loaded()) {
    out.log = why_not_;
    return out;
  }
  std::vector<const char*> header_names, header_texts;
  for (const EmbeddedHeader& header : embedded_headers()) {
    header_names.push_back(header.name);
    header_texts.push_back(header.text);
  }
  const std::vector<std::string> option_texts = options(arch);
  std::vector<const char*> option_pointers;
  for (const std::string& option : option_texts)
    option_pointers.push_back(option.c_str());

  const auto start = std::chrono::steady_clock::now();
  Api::Program program = nullptr;
  int rc =
      api_->create(&program, source.c_str(), name.c_str(), static_cast<int>(header_names.size()),
                   header_texts.data(), header_names.data());
  if (rc != 0) {
    out.log = "nvrtcCreateProgram: " + std::string(api_->error_string(rc));
    return out;
  }
  rc = api_->compile(program, static_cast<int>(option_pointers.size()), option_pointers.data());
  out.milliseconds =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  std::string log;
  std::size_t size = 0;
  if (api_->log_size(program, &size) == 0 && size > 1) {
    log.resize(size);
    api_->log(program, log.data());
    log.resize(size - 1);  // the terminating NUL
  }
  if (rc != 0) {
    out.log = "NVRTC cannot compile " + name + " for sm_" + std::to_string(arch) + " (" +
              api_->error_string(rc) + "):\n" + first_lines(log, kLogLines);
  } else if (api_->cubin_size(program, &size) != 0 || size == 0) {
    out.log = "NVRTC compiled " + name + " for sm_" + std::to_string(arch) + " but gave no CUBIN";
  } else {
    out.cubin.resize(size);
    out.ok = api_->cubin(program, out.cubin.data()) == 0;
    if (!out.ok) out.log = "nvrtcGetCUBIN failed for " + name;
  }
  api_->destroy(&program);
  return out;
}

}  // namespace mt::cuda::jit
