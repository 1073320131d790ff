#pragma once
// The compiled kernels kept on disk between processes: one file per kernel in a per-user
// directory, named by a hash of the kernel's full key. A file holds a magic, a format version,
// the full key, the payload (CUBIN, or the emulation's shared object) and a checksum; a file
// that does not match in every part is ignored, never trusted. Files are written to a temporary
// name and renamed, so readers never see half a file. Not thread-safe (KernelCache locks).
#include <optional>
#include <string>
#include <vector>

namespace mt::cuda::jit {

class DiskCache {
 public:
  // MINITENSOR_KERNEL_CACHE (0 or empty: no disk cache), else $XDG_CACHE_HOME/minitensor/kernels,
  // else $HOME/.cache/minitensor/kernels.
  static std::string directory_from_environment();

  // Uses `directory`, creating it (and missing parents) with mode 0700; an empty one, or one
  // that cannot be created, is not ours, or is writable by others, disables the cache (status()
  // says why).
  explicit DiskCache(const std::string& directory);

  bool enabled() const { return enabled_; }
  const std::string& directory() const { return directory_; }
  // The file that holds `key`'s kernel.
  std::string path_of(const std::string& key) const;

  // The payload stored under `key`; nothing when there is none or the file is not trusted.
  std::optional<std::vector<char>> read(const std::string& key);
  // Stores `payload` under `key`; a failure (a read-only directory) is noted in status() only.
  void write(const std::string& key, const std::vector<char>& payload);

  // "/home/u/.cache/minitensor/kernels", then the last problem seen, or why it is off.
  std::string status() const;

 private:
  bool enabled_ = false;
  std::string directory_;
  std::string problem_;  // the last file ignored or write that failed; why it is off
};

}  // namespace mt::cuda::jit
