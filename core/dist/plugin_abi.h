/* The interface between the core and a communication engine plugin (libminitensor_dist_mpi.so),
 * which the core loads with dlopen only when a launcher started the process. Plain C, so that
 * the plugin and the core share no C++ ABI, and libminitensor.so never links MPI. Private to
 * minitensor (not installed); the core refuses a plugin whose abi_version differs. */
#ifndef MT_DIST_PLUGIN_ABI_H
#define MT_DIST_PLUGIN_ABI_H
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MT_DIST_PLUGIN_ABI_VERSION 2

/* Element types and reductions of all_reduce: the values of mt::DType (0 float32, 1 float64)
 * and mt::ReduceOp (0 sum, 1 prod, 2 max, 3 min). */

/* Every int32_t function returns 0 on success; on failure an mt::ErrorCode value (1 invalid
 * argument, 7 unsupported, 11 a failed collective) and last_error() describes it (thread-local
 * text, valid until the thread's next call). Buffers are contiguous host memory. Every rank
 * calls the collectives in the same order with the same sizes (the core checks that first).
 * A collective that has not completed `timeout` seconds after this rank entered it fails with
 * 11; after any failed collective the engine is left unfinalised at exit (finalising waits for
 * every rank, so it would hang on one that never comes; exiting makes the launcher end the
 * job). */
typedef struct mt_dist_plugin {
  int32_t abi_version;
  /* "mpi": static text. */
  const char* name;
  const char* (*last_error)(void);
  /* Joins the world the launcher started: initialises the engine unless someone in the process
   * already has (then it is left to them to finalise); otherwise finalises it at exit. */
  int32_t (*init)(int32_t* rank, int32_t* size, int32_t* local_rank);
  /* recv (size * nbytes) receives each rank's `nbytes` of send, in rank order, by a message
   * from every rank to every other: on failure arrived[r] says whether rank r's bytes came
   * (whether rank r entered it). For the small descriptor that precedes every collective. */
  int32_t (*exchange)(const void* send, void* recv, int64_t nbytes, double timeout,
                      uint8_t* arrived);
  /* Every rank's `nbytes` at data become root's. */
  int32_t (*broadcast)(void* data, int64_t nbytes, int32_t root, double timeout);
  /* recv (size * nbytes) receives each rank's `nbytes` of send, in rank order. */
  int32_t (*all_gather)(const void* send, void* recv, int64_t nbytes, double timeout);
  /* The engine's own all-reduce of `count` elements, in place; its order of combination (so its
   * rounding) is the engine's. */
  int32_t (*all_reduce)(void* data, int64_t count, int32_t dtype, int32_t op, double timeout);
} mt_dist_plugin;

/* The plugin's one exported symbol. Never fails: errors surface from init(). */
typedef const mt_dist_plugin* (*mt_dist_plugin_entry_fn)(void);
#define MT_DIST_PLUGIN_ENTRY "mt_dist_plugin_entry"

#ifdef __cplusplus
}
#endif
#endif
