// The MPI engine (libminitensor_dist_mpi.so): the plain-C table of dist/plugin_abi.h over a
// duplicate of MPI_COMM_WORLD, so that other MPI users in the process (mpi4py, the program
// itself) keep their communicator and error handler. Errors return instead of aborting.
#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "dist/plugin_abi.h"

namespace {

constexpr int32_t kInvalidArgument = 1;
constexpr int32_t kUnsupported = 7;
constexpr int32_t kCollectiveFailed = 11;

thread_local std::string last_error;
MPI_Comm world = MPI_COMM_NULL;
bool failed = false;  // a collective failed: MPI_Finalize would wait for ranks that never come

int32_t failure(int32_t status, std::string message) {
  if (status == kCollectiveFailed) failed = true;
  last_error = std::move(message);
  return status;
}

// The status of an MPI call: 0, or kCollectiveFailed with MPI's message.
int32_t checked(int code, const char* what) {
  if (code == MPI_SUCCESS) return 0;
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  if (MPI_Error_string(code, text, &length) != MPI_SUCCESS) length = 0;
  return failure(kCollectiveFailed, std::string(what) + " failed: " + std::string(text, length));
}

void finalize_at_exit() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (finalized || failed) return;
  MPI_Comm_free(&world);
  MPI_Finalize();
}

int32_t init(const mt_dist_bootstrap* bootstrap, int32_t* rank, int32_t* size,
             int32_t* local_rank) {
  last_error.clear();
  if (bootstrap != nullptr)
    return failure(kInvalidArgument, "the MPI engine joins the launcher's world, not another's");
  int initialized = 0;
  if (int32_t status = checked(MPI_Initialized(&initialized), "MPI_Initialized")) return status;
  if (!initialized) {
    int provided = 0;
    if (int32_t status = checked(
            MPI_Init_thread(nullptr, nullptr, MPI_THREAD_SERIALIZED, &provided), "MPI_Init_thread"))
      return status;
    std::atexit(finalize_at_exit);  // finalise only what this plugin initialised
  }
  if (world == MPI_COMM_NULL) {
    if (int32_t status = checked(MPI_Comm_dup(MPI_COMM_WORLD, &world), "MPI_Comm_dup"))
      return status;
    MPI_Comm_set_errhandler(world, MPI_ERRORS_RETURN);
  }
  int r = 0, n = 0, local = 0;
  MPI_Comm node = MPI_COMM_NULL;
  if (int32_t status = checked(MPI_Comm_rank(world, &r), "MPI_Comm_rank")) return status;
  if (int32_t status = checked(MPI_Comm_size(world, &n), "MPI_Comm_size")) return status;
  // The local rank: this rank's place among the ranks that share its node (its memory).
  if (int32_t status =
          checked(MPI_Comm_split_type(world, MPI_COMM_TYPE_SHARED, r, MPI_INFO_NULL, &node),
                  "MPI_Comm_split_type"))
    return status;
  const int32_t status = checked(MPI_Comm_rank(node, &local), "MPI_Comm_rank");
  MPI_Comm_free(&node);
  if (status != 0) return status;
  *rank = r;
  *size = n;
  *local_rank = local;
  return 0;
}

const char* get_last_error() { return last_error.c_str(); }

std::string seconds(double s) {
  char text[32];
  std::snprintf(text, sizeof text, "%g s", s);
  return text;
}

// MPI has no timeouts: the nonblocking operation is polled until it completes or `timeout`
// seconds have passed (then it is left pending: the world is unusable, and never finalised).
int32_t wait_for(std::vector<MPI_Request>& requests, double timeout, const char* what) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout);
  for (;;) {
    int done = 0;
    if (int32_t status = checked(MPI_Testall(static_cast<int>(requests.size()), requests.data(),
                                             &done, MPI_STATUSES_IGNORE),
                                 what))
      return status;
    if (done) return 0;
    if (std::chrono::steady_clock::now() >= deadline)
      return failure(kCollectiveFailed, std::string(what) + " timed out after " + seconds(timeout));
  }
}

int32_t exchange(const void* send, void* recv, int64_t nbytes, double timeout, uint8_t* arrived) {
  last_error.clear();
  int32_t status = 0;
  constexpr int kTag = 1;  // messages between two ranks arrive in the order they were sent
  const int n = static_cast<int>(nbytes);
  int rank = 0, size = 0;
  MPI_Comm_rank(world, &rank);
  MPI_Comm_size(world, &size);
  char* const out = static_cast<char*>(recv);
  std::copy_n(static_cast<const char*>(send), n, out + static_cast<int64_t>(rank) * n);
  // receives[r] comes from rank r (MPI_REQUEST_NULL for this rank), then the sends.
  std::vector<MPI_Request> requests(2 * size, MPI_REQUEST_NULL);
  for (int r = 0; r < size && status == 0; ++r) {
    if (r == rank) continue;
    status = checked(
        MPI_Irecv(out + static_cast<int64_t>(r) * n, n, MPI_BYTE, r, kTag, world, &requests[r]),
        "MPI_Irecv");
    if (status == 0)
      status =
          checked(MPI_Isend(send, n, MPI_BYTE, r, kTag, world, &requests[size + r]), "MPI_Isend");
  }
  if (status == 0) status = wait_for(requests, timeout, "exchange");
  if (status == 0) return 0;
  for (int r = 0; r < size; ++r) {
    int done = 1;
    if (requests[r] != MPI_REQUEST_NULL) MPI_Test(&requests[r], &done, MPI_STATUS_IGNORE);
    arrived[r] = done ? 1 : 0;
  }
  return status;
}

// The data calls below run after the exchange, once every rank has entered the collective, so
// they are MPI's blocking ones (its nonblocking collectives are several times slower here); a
// rank that dies inside one makes the launcher end the job. Sizes are at most kTable.max_bytes.

int32_t broadcast(void* data, int64_t nbytes, int32_t root, double) {
  last_error.clear();
  return checked(MPI_Bcast(data, static_cast<int>(nbytes), MPI_BYTE, root, world), "MPI_Bcast");
}

int32_t all_gather(const void* send, void* recv, int64_t nbytes, double) {
  last_error.clear();
  const int n = static_cast<int>(nbytes);
  return checked(MPI_Allgather(send, n, MPI_BYTE, recv, n, MPI_BYTE, world), "MPI_Allgather");
}

int32_t all_reduce(void* data, int64_t count, int32_t dtype, int32_t op, double) {
  last_error.clear();
  static const MPI_Op ops[] = {MPI_SUM, MPI_PROD, MPI_MAX, MPI_MIN};
  if (dtype < 0 || dtype > 1 || op < 0 || op > 3)
    return failure(kInvalidArgument, "all_reduce: dtype " + std::to_string(dtype) + " or op " +
                                         std::to_string(op) + " unknown");
  const MPI_Datatype type = dtype == 0 ? MPI_FLOAT : MPI_DOUBLE;
  return checked(MPI_Allreduce(MPI_IN_PLACE, data, static_cast<int>(count), type, ops[op], world),
                 "MPI_Allreduce");
}

// Byte counts and displacements of the slices, as MPI's int arrays.
struct Slices {
  std::vector<int> counts, displacements;
  explicit Slices(const int64_t* offsets) {
    int size = 0;
    MPI_Comm_size(world, &size);
    for (int r = 0; r < size; ++r) {
      displacements.push_back(static_cast<int>(offsets[r]));
      counts.push_back(static_cast<int>(offsets[r + 1] - offsets[r]));
    }
  }
};

int32_t scatter_slices(const void* send, const int64_t* offsets, void* recv, double) {
  last_error.clear();
  const Slices slices(offsets);
  int rank = 0;
  MPI_Comm_rank(world, &rank);
  // This rank receives its slice from every rank, one after another.
  const int mine = slices.counts[rank];
  std::vector<int> counts(slices.counts.size(), mine), displacements;
  for (size_t r = 0; r < counts.size(); ++r)
    displacements.push_back(static_cast<int>(r) * mine);
  return checked(MPI_Alltoallv(send, slices.counts.data(), slices.displacements.data(), MPI_BYTE,
                               recv, counts.data(), displacements.data(), MPI_BYTE, world),
                 "MPI_Alltoallv");
}

int32_t gather_slices(const void* send, const int64_t* offsets, void* recv, double) {
  last_error.clear();
  const Slices slices(offsets);
  int rank = 0;
  MPI_Comm_rank(world, &rank);
  // The core folds into its own slice of recv: MPI then needs MPI_IN_PLACE (buffers that alias
  // are erroneous).
  const bool in_place = send == static_cast<const char*>(recv) + offsets[rank];
  return checked(MPI_Allgatherv(in_place ? MPI_IN_PLACE : send, slices.counts[rank], MPI_BYTE, recv,
                                slices.counts.data(), slices.displacements.data(), MPI_BYTE, world),
                 "MPI_Allgatherv");
}

// MPI counts and displacements are int: the core splits larger buffers.
constexpr mt_dist_plugin kTable = {MT_DIST_PLUGIN_ABI_VERSION,
                                   "mpi",
                                   MT_DIST_MEMORY_HOST,
                                   INT_MAX,
                                   get_last_error,
                                   init,
                                   exchange,
                                   broadcast,
                                   all_gather,
                                   all_reduce,
                                   scatter_slices,
                                   gather_slices};

}  // namespace

extern "C" __attribute__((visibility("default"))) const mt_dist_plugin* mt_dist_plugin_entry() {
  return &kTable;
}
