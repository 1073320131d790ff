#include "backend/cuda/jit/host_compiler.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <system_error>

#include "base/error.hpp"
#include "base/fnv1a.hpp"

extern char** environ;

namespace mt::cuda::jit {
namespace {

constexpr std::size_t kMessageBytes = 4000;  // of the compiler's messages, in a failure

// The emulated plugin's own flags, but default visibility: the emulation's inline variables
// (its thread pool, threadIdx, the launch lock) are then GNU unique symbols, which the dynamic
// linker makes one across every kernel library. Hidden, each library would keep a pool of its
// own, a block's worth of threads per kernel for the life of the process (128 more threads for
// every kernel of 128-thread blocks). What else the libraries export cannot clash: the same
// inline definitions in each, and entries named by their kernels.
std::vector<std::string> flags() {
  return {"-std=c++20",
          "-O2",
          "-fPIC",
          "-shared",
          "-ffp-contract=off",
          "-fno-math-errno",
          std::string("-I") + MT_JIT_CORE_DIR};
}

std::string temporary_directory() {
  const char* tmp = std::getenv("TMPDIR");
  return tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

bool write_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t wrote = write(fd, data, size);
    if (wrote <= 0) return false;
    data += wrote;
    size -= static_cast<std::size_t>(wrote);
  }
  return true;
}

// Runs `argv` (no shell), its stdout and stderr into `output`; the exit status, or why not.
std::string run(const std::vector<std::string>& argv, std::string& output) {
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) return cat("pipe: ", std::generic_category().message(errno));
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDERR_FILENO);
  std::vector<char*> args;
  for (const std::string& arg : argv)
    args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  const int spawned = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(pipe_fds[1]);
  if (spawned != 0) {
    close(pipe_fds[0]);
    return cat("cannot run ", argv[0], ": ", std::generic_category().message(spawned));
  }
  char buffer[4096];
  for (ssize_t got; (got = read(pipe_fds[0], buffer, sizeof buffer)) != 0;) {
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) break;
    output.append(buffer, static_cast<std::size_t>(got));
  }
  close(pipe_fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return "";
  return WIFEXITED(status) ? cat("exit status ", WEXITSTATUS(status))
                           : cat("killed by signal ", WTERMSIG(status));
}

}  // namespace

std::string host_compiler_identity() {
  static const std::string identity = [] {
    // The emulation is read from the source tree when a kernel is built, so its text is part of
    // what a cached kernel depends on.
    const std::string emulation =
        read_file(std::string(MT_JIT_CORE_DIR) + "/backend/cuda/emu/cuda_compat.hpp") +
        read_file(std::string(MT_JIT_CORE_DIR) + "/backend/cuda/emu/cuda_emulation.hpp");
    char hash[24];
    std::snprintf(hash, sizeof hash, "%016" PRIx64, fnv1a(emulation.data(), emulation.size()));
    std::string command = MT_JIT_HOST_COMPILER;
    for (const std::string& flag : flags())
      command += " " + flag;
    return command + " (emulation " + hash + ")";
  }();
  return identity;
}

std::string write_private_file(const std::vector<char>& bytes, const std::string& suffix,
                               std::string& why) {
  std::string path = temporary_directory() + "/minitensor-kernel-XXXXXX" + suffix;
  const int fd = mkostemps(path.data(), static_cast<int>(suffix.size()), O_CLOEXEC);
  if (fd < 0) {
    why = cat("cannot create ", path, ": ", std::generic_category().message(errno));
    return "";
  }
  const bool written = write_all(fd, bytes.data(), bytes.size());
  if (close(fd) != 0 || !written) {
    why = cat("cannot write ", path, ": ", std::generic_category().message(errno));
    unlink(path.c_str());
    return "";
  }
  return path;
}

HostBuild build_shared_library(const std::string& source, const std::string& name) {
  HostBuild out;
  const std::string source_path =
      write_private_file(std::vector<char>(source.begin(), source.end()), ".cpp", out.why);
  if (source_path.empty()) return out;
  const std::string library_path = source_path.substr(0, source_path.size() - 4) + ".so";
  std::vector<std::string> argv = {MT_JIT_HOST_COMPILER};
  for (const std::string& flag : flags())
    argv.push_back(flag);
  argv.insert(argv.end(), {"-o", library_path, source_path});

  const auto start = std::chrono::steady_clock::now();
  std::string messages;
  const std::string failed = run(argv, messages);
  out.milliseconds =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  if (failed.empty()) {
    const std::string library = read_file(library_path);
    out.library.assign(library.begin(), library.end());
    if (out.library.empty()) out.why = cat("the host compiler wrote no ", library_path);
  } else {
    if (messages.size() > kMessageBytes)
      messages = messages.substr(0, kMessageBytes) + "\n[... the rest left out]";
    out.why = cat("the host compiler cannot build ", name, " (", MT_JIT_HOST_COMPILER, ": ", failed,
                  "):\n", messages);
  }
  unlink(source_path.c_str());
  unlink(library_path.c_str());
  return out;
}

}  // namespace mt::cuda::jit
