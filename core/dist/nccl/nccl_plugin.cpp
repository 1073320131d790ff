// The NCCL engine (libminitensor_dist_nccl.so): the plain-C table of dist/plugin_abi.h on CUDA
// memory. It joins the world a host engine (MPI) started: rank 0's NCCL unique id reaches every
// rank through the bootstrap's broadcast. The communicator is non-blocking and every operation is
// polled against the timeout (NCCL's blocking calls wait forever on a rank that never comes); a
// timeout or an error aborts the communicator, and the world is then unusable.
#include <cuda_runtime.h>
#include <nccl.h>

#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "base/fnv1a.hpp"
#include "dist/plugin_abi.h"

namespace {

constexpr int32_t kInvalidArgument = 1;
constexpr int32_t kUnsupported = 7;
constexpr int32_t kCollectiveFailed = 11;

using Clock = std::chrono::steady_clock;

thread_local std::string last_error;

// The one world of the process.
struct World {
  ncclComm_t comm = nullptr;  // null before init succeeds, and after an abort
  cudaStream_t stream = nullptr;
  int device = 0;
  int32_t rank = 0, size = 0, local_rank = 0;
  double timeout = 0;   // the bootstrap's, for finalising at exit
  bool failed = false;  // aborted: the other ranks may be gone, so nothing is finalised
} world;

int32_t failure(int32_t status, std::string message) {
  last_error = std::move(message);
  return status;
}

const char* get_last_error() { return last_error.c_str(); }

std::string seconds(double s) {
  char text[32];
  std::snprintf(text, sizeof text, "%g s", s);
  return text;
}

std::string cuda_text(cudaError_t error) {
  return std::string(cudaGetErrorName(error)) + " (" + cudaGetErrorString(error) + ")";
}

// NCCL's name for `result`, and its text of the last error where it has one.
std::string nccl_text(ncclResult_t result) {
  const char* detail = ncclGetLastError(world.comm);
  return std::string(ncclGetErrorString(result)) +
         (detail != nullptr && *detail != '\0' ? std::string(": ") + detail : "");
}

// Aborts the communicator (locally, without waiting for the other ranks) after a failure.
int32_t abort_with(std::string message) {
  if (world.comm != nullptr) {
    ncclCommAbort(world.comm);
    world.comm = nullptr;
  }
  world.failed = true;
  return failure(kCollectiveFailed, message + "; the NCCL communicator is aborted");
}

// Polls until the communicator has no pending work and, with `stream_too`, the stream has run
// what was enqueued on it, or until `timeout` seconds after `start`.
int32_t wait_for(const std::string& what, double timeout, Clock::time_point start,
                 bool stream_too) {
  const auto deadline = start + std::chrono::duration<double>(timeout);
  for (;;) {
    ncclResult_t state = ncclSuccess;
    if (ncclResult_t result = ncclCommGetAsyncError(world.comm, &state); result != ncclSuccess)
      return abort_with(what + ": ncclCommGetAsyncError failed: " + nccl_text(result));
    if (state != ncclSuccess && state != ncclInProgress)
      return abort_with(what + " failed: " + nccl_text(state));
    if (state == ncclSuccess) {
      if (!stream_too) return 0;
      const cudaError_t queried = cudaStreamQuery(world.stream);
      if (queried == cudaSuccess) return 0;
      if (queried != cudaErrorNotReady) return abort_with(what + " failed: " + cuda_text(queried));
    }
    if (Clock::now() >= deadline) return abort_with(what + " timed out after " + seconds(timeout));
  }
}

// A buffer of a collective, checked when it holds bytes.
struct Buffer {
  const char* name;
  const void* data;
  int64_t bytes;
};

// NCCL faults on memory that is not the communicator's GPU's: refuse it with a message instead.
int32_t check_buffer(const char* what, const Buffer& buffer) {
  cudaPointerAttributes attributes{};
  const cudaError_t error = cudaPointerGetAttributes(&attributes, buffer.data);
  if (error == cudaSuccess && attributes.type == cudaMemoryTypeDevice &&
      attributes.device == world.device)
    return 0;
  cudaGetLastError();  // the query's error is no failure of the device
  const std::string where = error != cudaSuccess ? "unknown to CUDA (" + cuda_text(error) + ")"
                            : attributes.type == cudaMemoryTypeDevice
                                ? "memory of GPU " + std::to_string(attributes.device)
                                : "not device memory";
  return failure(kInvalidArgument, std::string(what) + ": " + buffer.name + " is " + where +
                                       "; the NCCL communicator is on GPU " +
                                       std::to_string(world.device));
}

// Enqueues a collective (`enqueue` returns NCCL's status) on the plugin's stream and waits for it.
template <class Enqueue>
int32_t run(const char* what, double timeout, std::initializer_list<Buffer> buffers,
            Enqueue&& enqueue) {
  const auto start = Clock::now();
  if (world.comm == nullptr)
    return failure(
        kCollectiveFailed,
        std::string(what) + ": no NCCL communicator (" +
            (world.failed ? "a failed collective aborted it" : "init has not succeeded") + ")");
  if (cudaError_t error = cudaSetDevice(world.device); error != cudaSuccess)
    return abort_with(std::string(what) + ": cudaSetDevice(" + std::to_string(world.device) +
                      ") failed: " + cuda_text(error));
  for (const Buffer& buffer : buffers)
    if (buffer.bytes > 0)
      if (int32_t status = check_buffer(what, buffer)) return status;
  // The buffers were written on the CUDA backend's streams, which this stream does not wait for:
  // the device's queued work finishes first.
  if (cudaError_t error = cudaDeviceSynchronize(); error != cudaSuccess)
    return abort_with(std::string(what) + ": cudaDeviceSynchronize failed: " + cuda_text(error));
  const ncclResult_t result = enqueue();
  if (result != ncclSuccess && result != ncclInProgress)
    return abort_with(std::string(what) + " failed: " + nccl_text(result));
  return wait_for(what, timeout, start, true);
}

void finalize_at_exit() {
  if (world.comm == nullptr || world.failed) return;
  // Finalising flushes the communicator's work, with every rank: bounded like a collective.
  const auto start = Clock::now();
  const ncclResult_t result = ncclCommFinalize(world.comm);
  if ((result != ncclSuccess && result != ncclInProgress) ||
      wait_for("ncclCommFinalize", world.timeout, start, false) != 0) {
    if (world.comm != nullptr) ncclCommAbort(world.comm);
  } else {
    ncclCommDestroy(world.comm);
  }
  world.comm = nullptr;
  cudaStreamDestroy(world.stream);
}

// 64-bit FNV-1a of the unique id: init's messages show it, so that a test can see that every
// rank agreed on rank 0's id.
std::string fingerprint(const ncclUniqueId& id) {
  char text[40];
  std::snprintf(text, sizeof text, "%016" PRIx64, mt::fnv1a(id.internal, sizeof id.internal));
  return std::string("unique id fingerprint ") + text;
}

// Rank 0's unique id on every rank. A real id is never all zero: rank 0 sends zeros when it
// could not make one, so that the other ranks fail instead of waiting for a communicator.
int32_t agree_on_id(const mt_dist_bootstrap& bootstrap, ncclUniqueId* id) {
  *id = ncclUniqueId{};
  const ncclResult_t made = bootstrap.rank == 0 ? ncclGetUniqueId(id) : ncclSuccess;
  if (made != ncclSuccess) *id = ncclUniqueId{};
  if (int32_t status = bootstrap.broadcast(id->internal, sizeof id->internal, 0, bootstrap.timeout))
    return failure(status, std::string("nccl init: the broadcast of rank 0's unique id failed: ") +
                               bootstrap.last_error());
  for (char c : id->internal)
    if (c != 0) return 0;
  return failure(kUnsupported, made != ncclSuccess
                                   ? "nccl init: ncclGetUniqueId failed: " + nccl_text(made)
                                   : "nccl init: rank 0 could not make NCCL's unique id");
}

// Selects this rank's GPU (local rank modulo the node's GPUs) and makes the communicator.
int32_t join(const mt_dist_bootstrap& bootstrap, const ncclUniqueId& id) {
  const std::string on_rank = "nccl init: rank " + std::to_string(bootstrap.rank);
  int count = 0;
  if (cudaError_t error = cudaGetDeviceCount(&count); error != cudaSuccess || count == 0)
    return failure(kUnsupported, on_rank + " has no usable GPU (cudaGetDeviceCount: " +
                                     (error != cudaSuccess ? cuda_text(error) : "0 devices") +
                                     "); " + fingerprint(id));
  world.device = bootstrap.local_rank % count;
  if (cudaError_t error = cudaSetDevice(world.device); error != cudaSuccess)
    return failure(kUnsupported, on_rank + " has no usable GPU (cudaSetDevice(" +
                                     std::to_string(world.device) + "): " + cuda_text(error) +
                                     "); " + fingerprint(id));
  ncclConfig_t config = NCCL_CONFIG_INITIALIZER;
  config.blocking = 0;
  const auto start = Clock::now();
  const ncclResult_t result =
      ncclCommInitRankConfig(&world.comm, bootstrap.size, id, bootstrap.rank, &config);
  if (result != ncclSuccess && result != ncclInProgress)
    return abort_with(on_rank + ": ncclCommInitRankConfig failed: " + nccl_text(result));
  if (int32_t status =
          wait_for(on_rank + ": ncclCommInitRankConfig", bootstrap.timeout, start, false))
    return status;
  if (cudaError_t error = cudaStreamCreateWithFlags(&world.stream, cudaStreamNonBlocking);
      error != cudaSuccess)
    return abort_with(on_rank + ": cudaStreamCreateWithFlags failed: " + cuda_text(error));
  return 0;
}

int32_t check_bootstrap(const mt_dist_bootstrap& b) {
  const bool functions = b.broadcast != nullptr && b.last_error != nullptr;
  if (b.size >= 1 && b.rank >= 0 && b.rank < b.size && b.local_rank >= 0 && b.timeout > 0 &&
      functions)
    return 0;
  return failure(kInvalidArgument, "nccl init: invalid bootstrap: rank " + std::to_string(b.rank) +
                                       " of " + std::to_string(b.size) + ", local rank " +
                                       std::to_string(b.local_rank) + ", timeout " +
                                       seconds(b.timeout) + (functions ? "" : ", a null function"));
}

int32_t init(const mt_dist_bootstrap* bootstrap, int32_t* rank, int32_t* size,
             int32_t* local_rank) {
  last_error.clear();
  if (bootstrap == nullptr)
    return failure(kInvalidArgument,
                   "nccl init: the bootstrap is null (the NCCL engine joins the world a host "
                   "engine started, through its broadcast)");
  if (rank == nullptr || size == nullptr || local_rank == nullptr)
    return failure(kInvalidArgument, "nccl init: rank, size or local_rank is null");
  if (int32_t status = check_bootstrap(*bootstrap)) return status;
  if (world.failed)
    return failure(kCollectiveFailed, "nccl init: the NCCL communicator was aborted before");
  if (world.comm == nullptr) {
    ncclUniqueId id;
    if (int32_t status = agree_on_id(*bootstrap, &id)) return status;
    if (int32_t status = join(*bootstrap, id)) return status;
    world.rank = bootstrap->rank;
    world.size = bootstrap->size;
    world.local_rank = bootstrap->local_rank;
    world.timeout = bootstrap->timeout;
    // After the CUDA runtime's own exit handler, so this one runs before it.
    std::atexit(finalize_at_exit);
  }
  *rank = world.rank;
  *size = world.size;
  *local_rank = world.local_rank;
  return 0;
}

int32_t negative(const char* what, const char* name, int64_t value) {
  return failure(kInvalidArgument,
                 std::string(what) + ": " + name + " " + std::to_string(value) + " is negative");
}

int32_t broadcast(void* data, int64_t nbytes, int32_t root, double timeout) {
  last_error.clear();
  if (nbytes < 0) return negative("nccl broadcast", "nbytes", nbytes);
  if (world.comm != nullptr && (root < 0 || root >= world.size))
    return failure(kInvalidArgument, "nccl broadcast: root " + std::to_string(root) +
                                         " is not a rank of " + std::to_string(world.size));
  return run("ncclBroadcast", timeout, {{"data", data, nbytes}}, [&] {
    return ncclBroadcast(data, data, static_cast<size_t>(nbytes), ncclUint8, root, world.comm,
                         world.stream);
  });
}

int32_t all_gather(const void* send, void* recv, int64_t nbytes, double timeout) {
  last_error.clear();
  if (nbytes < 0) return negative("nccl all_gather", "nbytes", nbytes);
  return run("ncclAllGather", timeout,
             {{"send", send, nbytes}, {"recv", recv, nbytes * world.size}}, [&] {
               return ncclAllGather(send, recv, static_cast<size_t>(nbytes), ncclUint8, world.comm,
                                    world.stream);
             });
}

int32_t all_reduce(void* data, int64_t count, int32_t dtype, int32_t op, double timeout) {
  last_error.clear();
  if (count < 0) return negative("nccl all_reduce", "count", count);
  static const ncclRedOp_t ops[] = {ncclSum, ncclProd, ncclMax, ncclMin};
  if (dtype < 0 || dtype > 1 || op < 0 || op > 3)
    return failure(kInvalidArgument, "nccl all_reduce: dtype " + std::to_string(dtype) + " or op " +
                                         std::to_string(op) + " unknown");
  const ncclDataType_t type = dtype == 0 ? ncclFloat32 : ncclFloat64;
  return run("ncclAllReduce", timeout, {{"data", data, count}}, [&] {
    return ncclAllReduce(data, data, static_cast<size_t>(count), type, ops[op], world.comm,
                         world.stream);
  });
}

// The slices' bounds must not decrease (checked before any rank's bytes move).
int32_t check_offsets(const char* what, const int64_t* offsets) {
  if (offsets == nullptr) return failure(kInvalidArgument, std::string(what) + ": offsets is null");
  if (offsets[0] < 0) return negative(what, "offsets[0]", offsets[0]);
  for (int32_t r = 0; r < world.size; ++r)
    if (offsets[r + 1] < offsets[r])
      return failure(kInvalidArgument, std::string(what) + ": offsets[" + std::to_string(r + 1) +
                                           "] = " + std::to_string(offsets[r + 1]) +
                                           " is below offsets[" + std::to_string(r) +
                                           "] = " + std::to_string(offsets[r]));
  return 0;
}

// A message to or from peer p (in rank order) of `bytes` at `data`; empty ones are skipped (every
// rank knows every size, so both ends skip it).
template <class Data> using Messages = std::vector<std::pair<Data, int64_t>>;

// One group of point-to-point messages with every rank, itself included, between the buffers.
int32_t send_and_receive(const char* what, const Buffer& send, const Buffer& recv,
                         const Messages<const char*>& sends, const Messages<char*>& receives,
                         double timeout) {
  return run(what, timeout, {send, recv}, [&] {
    ncclResult_t result = ncclGroupStart();
    if (result != ncclSuccess) return result;
    for (int32_t p = 0; p < world.size && result == ncclSuccess; ++p) {
      const auto& [out, out_bytes] = sends[p];
      if (out_bytes > 0)
        result =
            ncclSend(out, static_cast<size_t>(out_bytes), ncclUint8, p, world.comm, world.stream);
      const auto& [in, in_bytes] = receives[p];
      if (result == ncclSuccess && in_bytes > 0)
        result =
            ncclRecv(in, static_cast<size_t>(in_bytes), ncclUint8, p, world.comm, world.stream);
    }
    const ncclResult_t ended = ncclGroupEnd();  // closes the group even after a failed call
    return result != ncclSuccess ? result : ended;
  });
}

int32_t scatter_slices(const void* send, const int64_t* offsets, void* recv, double timeout) {
  last_error.clear();
  if (int32_t status = check_offsets("nccl scatter_slices", offsets)) return status;
  const int64_t mine = world.comm == nullptr ? 0 : offsets[world.rank + 1] - offsets[world.rank];
  Messages<const char*> sends;
  Messages<char*> receives;
  for (int32_t p = 0; p < world.size; ++p) {
    sends.emplace_back(static_cast<const char*>(send) + offsets[p], offsets[p + 1] - offsets[p]);
    receives.emplace_back(static_cast<char*>(recv) + p * mine, mine);
  }
  return send_and_receive("nccl scatter_slices", {"send", send, offsets[world.size] - offsets[0]},
                          {"recv", recv, world.size * mine}, sends, receives, timeout);
}

int32_t gather_slices(const void* send, const int64_t* offsets, void* recv, double timeout) {
  last_error.clear();
  if (int32_t status = check_offsets("nccl gather_slices", offsets)) return status;
  const int64_t mine = world.comm == nullptr ? 0 : offsets[world.rank + 1] - offsets[world.rank];
  Messages<const char*> sends;
  Messages<char*> receives;
  for (int32_t p = 0; p < world.size; ++p) {
    sends.emplace_back(static_cast<const char*>(send), mine);
    receives.emplace_back(static_cast<char*>(recv) + offsets[p], offsets[p + 1] - offsets[p]);
  }
  // In place (send is this rank's slice of recv): its own bytes are there already.
  if (mine > 0 && send == receives[world.rank].first)
    sends[world.rank].second = receives[world.rank].second = 0;
  return send_and_receive("nccl gather_slices", {"send", send, mine},
                          {"recv", recv, offsets[world.size] - offsets[0]}, sends, receives,
                          timeout);
}

constexpr mt_dist_plugin kTable = {MT_DIST_PLUGIN_ABI_VERSION,
                                   "nccl",
                                   MT_DIST_MEMORY_CUDA,
                                   INT64_MAX,  // NCCL counts are size_t: nothing to split
                                   get_last_error,
                                   init,
                                   nullptr,  // the host engine exchanges the descriptors
                                   broadcast,
                                   all_gather,
                                   all_reduce,
                                   scatter_slices,
                                   gather_slices};

}  // namespace

extern "C" __attribute__((visibility("default"))) const mt_dist_plugin* mt_dist_plugin_entry() {
  return &kTable;
}
