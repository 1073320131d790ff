#include "backend/cuda/jit/disk_cache.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <system_error>

#include "base/error.hpp"
#include "base/fnv1a.hpp"

namespace mt::cuda::jit {
namespace {

constexpr char kMagic[8] = {'M', 'T', 'K', 'E', 'R', 'N', 'E', 'L'};
constexpr std::uint32_t kFormat = 1;
constexpr std::uint64_t kLargestFile = std::uint64_t{1} << 30;  // larger is not ours

std::string errno_text() { return std::generic_category().message(errno); }

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : "";
}

// Creates `path` and its missing parents with mode 0700; the error, or "".
std::string make_directories(const std::string& path) {
  for (std::size_t slash = path.find('/', 1);; slash = path.find('/', slash + 1)) {
    const std::string prefix = path.substr(0, slash);
    if (mkdir(prefix.c_str(), 0700) != 0 && errno != EEXIST)
      return cat("cannot create ", prefix, ": ", errno_text());
    if (slash == std::string::npos) return "";
  }
}

// Why `path` is not a directory to trust, or "".
std::string distrust(const std::string& path) {
  struct stat info {};
  if (stat(path.c_str(), &info) != 0) return cat("cannot use ", path, ": ", errno_text());
  if (!S_ISDIR(info.st_mode)) return cat(path, " is not a directory");
  if (info.st_uid != geteuid())
    return cat(path, " belongs to uid ", info.st_uid, ", not to this user (uid ", geteuid(), ")");
  if ((info.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(info.st_mode & 07777));
    return cat(path, " is writable by others (mode ", mode, ")");
  }
  return "";
}

template <class T> void append(std::string& out, const T& value) {
  out.append(reinterpret_cast<const char*>(&value), sizeof value);
}

// Reads a T at `at` of `bytes`, advancing `at`; false past the end.
template <class T> bool take(const std::string& bytes, std::size_t& at, T& value) {
  if (bytes.size() - at < sizeof value) return false;
  std::memcpy(&value, bytes.data() + at, sizeof value);
  at += sizeof value;
  return true;
}

// The file's payload if it is exactly an entry for `key`; else why it is not.
std::string parse(const std::string& bytes, const std::string& key, std::vector<char>& payload) {
  std::size_t at = 0;
  char magic[sizeof kMagic];
  std::uint32_t format = 0;
  std::uint64_t key_bytes = 0, payload_bytes = 0, checksum = 0;
  if (!take(bytes, at, magic) || std::memcmp(magic, kMagic, sizeof magic) != 0)
    return "not a kernel cache file";
  if (!take(bytes, at, format) || format != kFormat)
    return cat("format ", format, ", this plugin reads ", kFormat);
  if (!take(bytes, at, key_bytes) || key_bytes != key.size() ||
      bytes.compare(at, key.size(), key) != 0)
    return "the file holds another kernel (its key differs)";
  at += key.size();
  if (!take(bytes, at, payload_bytes) || payload_bytes != bytes.size() - at - sizeof checksum)
    return "its length does not match (truncated or extended)";
  const std::size_t checked = at + payload_bytes;
  std::size_t checksum_at = checked;
  if (!take(bytes, checksum_at, checksum) || checksum != fnv1a(bytes.data(), checked))
    return "its checksum does not match";
  payload.assign(bytes.begin() + static_cast<std::ptrdiff_t>(at),
                 bytes.begin() + static_cast<std::ptrdiff_t>(checked));
  return "";
}

}  // namespace

std::string DiskCache::directory_from_environment() {
  if (const char* named = std::getenv("MINITENSOR_KERNEL_CACHE"); named != nullptr)
    return std::string(named) == "0" ? "" : named;
  if (const std::string xdg = env("XDG_CACHE_HOME"); !xdg.empty())
    return xdg + "/minitensor/kernels";
  if (const std::string home = env("HOME"); !home.empty())
    return home + "/.cache/minitensor/kernels";
  return "";
}

DiskCache::DiskCache(const std::string& directory) : directory_(directory) {
  if (directory_.empty()) {
    problem_ = "no directory (MINITENSOR_KERNEL_CACHE is 0 or empty, or no HOME)";
    return;
  }
  problem_ = make_directories(directory_);
  if (problem_.empty()) problem_ = distrust(directory_);
  enabled_ = problem_.empty();
}

std::string DiskCache::path_of(const std::string& key) const {
  char name[32];
  std::snprintf(name, sizeof name, "/%016" PRIx64 ".kernel", fnv1a(key.data(), key.size()));
  return directory_ + name;
}

std::optional<std::vector<char>> DiskCache::read(const std::string& key) {
  if (!enabled_) return std::nullopt;
  const std::string path = path_of(key);
  const int fd = open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    if (errno != ENOENT) problem_ = cat("cannot read ", path, ": ", errno_text());
    return std::nullopt;
  }
  std::string bytes, why;
  struct stat info {};
  if (fstat(fd, &info) != 0 || !S_ISREG(info.st_mode) ||
      static_cast<std::uint64_t>(info.st_size) > kLargestFile) {
    why = "not a regular file of a kernel's size";
  } else {
    bytes.resize(static_cast<std::size_t>(info.st_size));
    std::size_t done = 0;
    while (done < bytes.size()) {
      const ssize_t got = ::read(fd, bytes.data() + done, bytes.size() - done);
      if (got <= 0) break;
      done += static_cast<std::size_t>(got);
    }
    bytes.resize(done);
  }
  close(fd);
  std::vector<char> payload;
  if (why.empty()) why = parse(bytes, key, payload);
  if (!why.empty()) {
    problem_ = cat("ignored ", path, ": ", why);
    return std::nullopt;
  }
  return payload;
}

void DiskCache::write(const std::string& key, const std::vector<char>& payload) {
  if (!enabled_) return;
  std::string bytes(kMagic, sizeof kMagic);
  append(bytes, kFormat);
  append(bytes, std::uint64_t{key.size()});
  bytes += key;
  append(bytes, std::uint64_t{payload.size()});
  bytes.append(payload.data(), payload.size());
  append(bytes, fnv1a(bytes.data(), bytes.size()));

  const std::string path = path_of(key);
  std::string temporary = path + ".XXXXXX";              // in the directory: rename stays atomic
  const int fd = mkostemp(temporary.data(), O_CLOEXEC);  // O_EXCL, mode 0600
  if (fd < 0) {
    problem_ = cat("cannot write in ", directory_, ": ", errno_text());
    return;
  }
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t wrote = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (wrote <= 0) break;
    done += static_cast<std::size_t>(wrote);
  }
  const bool complete = done == bytes.size();
  if (close(fd) != 0 || !complete || rename(temporary.c_str(), path.c_str()) != 0) {
    problem_ = cat("cannot write ", path, ": ", complete ? errno_text() : "short write");
    unlink(temporary.c_str());
  }
}

std::string DiskCache::status() const {
  if (!enabled_) return "off: " + problem_;
  return problem_.empty() ? directory_ : directory_ + " (" + problem_ + ")";
}

}  // namespace mt::cuda::jit
