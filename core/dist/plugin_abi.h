/* The interface between the core and a communication engine plugin: libminitensor_dist_mpi.so
 * (host memory) and libminitensor_dist_nccl.so (CUDA memory), which the core loads with dlopen
 * only when a launcher started the process. Plain C, so that the plugins and the core share no
 * C++ ABI, and libminitensor.so never links MPI or NCCL. Private to minitensor (not installed);
 * the core refuses a plugin whose abi_version differs. */
#ifndef MT_DIST_PLUGIN_ABI_H
#define MT_DIST_PLUGIN_ABI_H
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MT_DIST_PLUGIN_ABI_VERSION 3

/* Element types and reductions of all_reduce: the values of mt::DType (0 float32, 1 float64)
 * and mt::ReduceOp (0 sum, 1 prod, 2 max, 3 min). */

/* Where an engine's buffers live. */
#define MT_DIST_MEMORY_HOST 0
#define MT_DIST_MEMORY_CUDA 1 /* device memory of the rank's current CUDA device */

/* What the core hands an engine that joins a world another engine (MPI) started: the NCCL
 * engine learns its place from it and broadcasts rank 0's unique id through it. */
typedef struct mt_dist_bootstrap {
  int32_t rank, size, local_rank;
  double timeout; /* seconds, as every collective's */
  /* The starting engine's broadcast of host bytes, and its last_error. */
  int32_t (*broadcast)(void* data, int64_t nbytes, int32_t root, double timeout);
  const char* (*last_error)(void);
} mt_dist_bootstrap;

/* Every int32_t function returns 0 on success; on failure an mt::ErrorCode value (1 invalid
 * argument, 7 unsupported, 11 a failed collective) and last_error() describes it (thread-local
 * text, valid until the thread's next call). Every rank calls the collectives in the same order
 * with the same sizes: the core first runs the host engine's exchange (a descriptor from every
 * rank), so a data call starts only once every rank has entered the collective. No rank's
 * bytes in a call (nbytes, count's bytes, offsets[size]) exceed max_bytes: the core splits
 * larger collectives into several calls. A collective that has not
 * completed `timeout` seconds after this rank entered it fails with 11 where the engine can tell
 * (MPI's blocking calls cannot; they run after the exchange, when every rank is there); after
 * any failed collective the engine is left unfinalised at exit (finalising waits for every
 * rank, so it would hang on one that never comes; exiting makes the launcher end the job). */
typedef struct mt_dist_plugin {
  int32_t abi_version;
  /* "mpi", "nccl": static text. */
  const char* name;
  int32_t memory; /* MT_DIST_MEMORY_* */
  int64_t max_bytes;
  const char* (*last_error)(void);
  /* Joins the world. bootstrap is null for a host engine, which joins the world the launcher
   * started: it initialises the engine unless someone in the process already has (then it is
   * left to them to finalise); otherwise finalises it at exit. */
  int32_t (*init)(const mt_dist_bootstrap* bootstrap, int32_t* rank, int32_t* size,
                  int32_t* local_rank);
  /* Host engines only (null otherwise). recv (size * nbytes) receives each rank's `nbytes` of
   * send, in rank order, by a message from every rank to every other: on failure arrived[r]
   * says whether rank r's bytes came (whether rank r entered the collective). */
  int32_t (*exchange)(const void* send, void* recv, int64_t nbytes, double timeout,
                      uint8_t* arrived);
  /* Every rank's `nbytes` at data become root's. */
  int32_t (*broadcast)(void* data, int64_t nbytes, int32_t root, double timeout);
  /* recv (size * nbytes) receives each rank's `nbytes` of send, in rank order. */
  int32_t (*all_gather)(const void* send, void* recv, int64_t nbytes, double timeout);
  /* The engine's own all-reduce of `count` elements, in place; its order of combination (so its
   * rounding) is the engine's. */
  int32_t (*all_reduce)(void* data, int64_t count, int32_t dtype, int32_t op, double timeout);
  /* The two halves of the ordered all-reduce. A buffer is cut into `size` slices, slice r being
   * bytes [offsets[r], offsets[r + 1]) (offsets has size + 1 entries, the same on every rank).
   * scatter_slices: recv (size * this rank's slice bytes) receives every rank's slice `rank` of
   * its send, in rank order. gather_slices: recv receives every rank's `send` (its own slice) at
   * that rank's slice of recv; send may be that slice of recv itself (in place). */
  int32_t (*scatter_slices)(const void* send, const int64_t* offsets, void* recv, double timeout);
  int32_t (*gather_slices)(const void* send, const int64_t* offsets, void* recv, double timeout);
} mt_dist_plugin;

/* The plugin's one exported symbol. Never fails: errors surface from init(). */
typedef const mt_dist_plugin* (*mt_dist_plugin_entry_fn)(void);
#define MT_DIST_PLUGIN_ENTRY "mt_dist_plugin_entry"

#ifdef __cplusplus
}
#endif
#endif
