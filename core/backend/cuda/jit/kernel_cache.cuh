// KernelCache: memory, then disk, then the toolchain (toolchain.hpp). The same in both plugins.
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <exception>
#include <optional>
#include <utility>
#include <vector>

#include "backend/cuda/jit/disk_cache.hpp"
#include "backend/cuda/jit/kernel_cache.hpp"
#include "backend/cuda/jit/toolchain.hpp"
#include "base/error.hpp"
#include "base/fnv1a.hpp"

namespace mt::cuda::jit {

KernelCache::KernelCache(int device, int sm_major, int sm_minor)
    : device_(device),
      arch_(sm_major * 10 + sm_minor),
      disk_(std::make_unique<DiskCache>(DiskCache::directory_from_environment())) {}

KernelCache::~KernelCache() = default;

Lookup KernelCache::get(const KernelSource& source) {
  const std::lock_guard lock(mutex_);
  try {
    return find_or_build(source);
  } catch (const std::exception& e) {
    Lookup failed;
    failed.why = cat("kernel ", source.entry, " for cuda:", device_, ": ", e.what());
    return failed;
  }
}

Lookup KernelCache::find_or_build(const KernelSource& source) {
  if (!toolchain_) toolchain_ = std::make_unique<Toolchain>(arch_);
  Lookup out;
  if (!toolchain_->unavailable().empty()) {
    out.why = toolchain_->unavailable();
    return out;
  }
  // The caller's key, and what it cannot know: the source's text (a hash), the compilers.
  char source_hash[24];
  std::snprintf(source_hash, sizeof source_hash, "%016" PRIx64,
                fnv1a(source.source.data(), source.source.size()));
  const std::string key = cat(source.key, "\nentry ", source.entry, "\nsource ", source_hash, "\n",
                              toolchain_->identity());
  const auto known = entries_.find(key);
  if (known != entries_.end()) {
    out.kernel = known->second.kernel.get();
    out.why = known->second.why;
    return out;
  }
  Entry entry;
  if (std::optional<std::vector<char>> stored = disk_->read(key)) {
    std::string ignored;  // a stored kernel that does not load is compiled again and rewritten
    entry.kernel = toolchain_->load(*stored, source.entry, ignored);
    out.from_disk = entry.kernel != nullptr;
  }
  if (entry.kernel == nullptr) {
    const Compiled compiled = toolchain_->compile(source);
    out.compiled = true;
    out.compile_ms = compiled.milliseconds;
    if (compiled.payload.empty()) {
      entry.why = compiled.why;
    } else if ((entry.kernel = toolchain_->load(compiled.payload, source.entry, entry.why))) {
      disk_->write(key, compiled.payload);
    }
  }
  const Entry& kept = entries_.emplace(key, std::move(entry)).first->second;
  out.kernel = kept.kernel.get();
  out.why = kept.why;
  return out;
}

std::string KernelCache::disk_cache_status() const {
  const std::lock_guard lock(mutex_);
  return disk_->status();
}

}  // namespace mt::cuda::jit
