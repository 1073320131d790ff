/* nccl_init.c: the NCCL plugin's init under mpirun, through the plugins' plain-C tables
 * (dist/plugin_abi.h) alone, without libminitensor: the MPI plugin starts the world, and a
 * bootstrap made of its broadcast lets the NCCL plugin agree on rank 0's unique id.
 *
 *   mpirun -np N mt_dist_nccl_init MPI_PLUGIN NCCL_PLUGIN
 *
 * A null or invalid bootstrap is refused (status 1). Where the node has a GPU for each of its
 * ranks, init must succeed and report the MPI world's rank and size. Without a GPU it must fail
 * with status 7 and a message that says so and shows the fingerprint of the unique id this rank
 * got: every rank's (gathered through the MPI plugin) must be rank 0's, and collectives then fail.
 * Where ranks differ, or two would share a GPU (NCCL wants one GPU per rank), the test is skipped
 * (exit status 77).
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dist/plugin_abi.h"

enum { kSkipped = 77 };
static const double kTimeout = 60;

static int failures = 0;
static int32_t rank = -1;

static void check(int ok, int line, const char* what) {
  if (ok) return;
  fprintf(stderr, "nccl_init.c:%d: rank %d: check failed: %s\n", line, (int)rank, what);
  ++failures;
}
#define CHECK(cond) check((cond) != 0, __LINE__, #cond)

/* dlsym's object pointer as the function pointer at `fn` (C forbids casting one to the other). */
static int symbol(void* handle, const char* name, void* fn, size_t size) {
  void* found = handle ? dlsym(handle, name) : NULL;
  if (found) memcpy(fn, &found, size);
  return found != NULL;
}

static const mt_dist_plugin* load_plugin(const char* path) {
  void* handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  mt_dist_plugin_entry_fn entry = NULL;
  const mt_dist_plugin* table;
  if (!symbol(handle, MT_DIST_PLUGIN_ENTRY, &entry, sizeof entry)) {
    fprintf(stderr, "nccl_init: cannot load %s: %s\n", path, dlerror());
    exit(1);
  }
  table = entry();
  if (table->abi_version != MT_DIST_PLUGIN_ABI_VERSION) {
    fprintf(stderr, "nccl_init: %s speaks plugin ABI %d, this test %d\n", path,
            (int)table->abi_version, MT_DIST_PLUGIN_ABI_VERSION);
    exit(1);
  }
  return table;
}

/* The GPUs the driver sees, asked of the driver itself (libcuda), not of the plugin. */
static int gpu_count(void) {
  void* driver = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  int (*cu_init)(unsigned) = NULL;
  int (*cu_device_get_count)(int*) = NULL;
  int count = 0;
  if (symbol(driver, "cuInit", &cu_init, sizeof cu_init) &&
      symbol(driver, "cuDeviceGetCount", &cu_device_get_count, sizeof cu_device_get_count) &&
      (cu_init(0) != 0 || cu_device_get_count(&count) != 0))
    count = 0;
  return count;
}

/* The 16 hex digits after "unique id fingerprint " in `message`, or "" without them. */
static void fingerprint_in(const char* message, char out[17]) {
  static const char kMark[] = "unique id fingerprint ";
  const char* at = strstr(message, kMark);
  out[0] = '\0';
  if (at && strspn(at + strlen(kMark), "0123456789abcdef") >= 16) {
    memcpy(out, at + strlen(kMark), 16);
    out[16] = '\0';
  }
}

/* Without a GPU: every rank's init message carries the fingerprint of the same id. */
static void check_same_id(const mt_dist_plugin* mpi, const char* message, int32_t size) {
  char mine[17], *all = calloc((size_t)size, sizeof mine);
  int32_t r;
  fingerprint_in(message, mine);
  CHECK(strlen(mine) == 16);
  CHECK(all != NULL && mpi->all_gather(mine, all, sizeof mine, kTimeout) == 0);
  for (r = 0; all && r < size; ++r) {
    if (strcmp(all + r * sizeof mine, all) != 0)
      fprintf(stderr, "rank %d: rank %d's unique id fingerprint %s differs from rank 0's %s\n",
              (int)rank, (int)r, all + r * sizeof mine, all);
    CHECK(strcmp(all + r * sizeof mine, all) == 0);
  }
  printf("rank %d of %d: %s\n", (int)rank, (int)size, message);
  free(all);
}

/* What init must do on every rank, agreed on by all of them (a rank with a GPU would wait in
 * NCCL's init for one without until the timeout): kNoGpu where no rank has a GPU, kGpu where
 * every rank has its own, kSkip otherwise. */
enum Case { kNoGpu, kGpu, kSkip };
static enum Case agreed_case(const mt_dist_plugin* mpi, int32_t local_rank, int32_t size) {
  const int gpus = gpu_count();
  const int32_t mine = gpus == 0 ? kNoGpu : gpus > local_rank ? kGpu : kSkip;
  int32_t* all = calloc((size_t)size, sizeof mine);
  int32_t r, agreed = mine;
  CHECK(all != NULL && mpi->all_gather(&mine, all, sizeof mine, kTimeout) == 0);
  for (r = 0; all && r < size; ++r)
    if (all[r] != mine) agreed = kSkip;
  if (agreed == kSkip)
    printf("rank %d: %d GPUs for local rank %d (ranks differ, or share a GPU): skipped\n",
           (int)rank, gpus, (int)local_rank);
  free(all);
  return (enum Case)agreed;
}

int main(int argc, char** argv) {
  const mt_dist_plugin *mpi, *nccl;
  mt_dist_bootstrap bootstrap;
  int32_t size = 0, local_rank = 0, r = -1, n = -1, local = -1, status;
  enum Case expected;
  if (argc != 3) {
    fprintf(stderr, "usage: %s MPI_PLUGIN NCCL_PLUGIN\n", argv[0]);
    return 2;
  }
  mpi = load_plugin(argv[1]);
  nccl = load_plugin(argv[2]);
  CHECK(mpi->memory == MT_DIST_MEMORY_HOST && nccl->memory == MT_DIST_MEMORY_CUDA);
  CHECK(strcmp(nccl->name, "nccl") == 0 && nccl->exchange == NULL);
  if (mpi->init(NULL, &rank, &size, &local_rank) != 0) {
    fprintf(stderr, "nccl_init: the MPI plugin's init failed: %s\n", mpi->last_error());
    return 1;
  }
  CHECK(nccl->init(NULL, &r, &n, &local) == 1);
  CHECK(strstr(nccl->last_error(), "bootstrap is null") != NULL);
  expected = agreed_case(mpi, local_rank, size);
  if (expected == kSkip) return failures ? 1 : kSkipped;

  bootstrap.rank = rank;
  bootstrap.size = size;
  bootstrap.local_rank = local_rank;
  bootstrap.timeout = kTimeout;
  bootstrap.broadcast = mpi->broadcast;
  bootstrap.last_error = mpi->last_error;
  bootstrap.rank = size; /* no rank of the world: refused before anything is sent */
  CHECK(nccl->init(&bootstrap, &r, &n, &local) == 1);
  CHECK(strstr(nccl->last_error(), "invalid bootstrap: rank") != NULL);
  bootstrap.rank = rank;
  status = nccl->init(&bootstrap, &r, &n, &local);
  if (expected == kNoGpu) {
    CHECK(status == 7);
    CHECK(strstr(nccl->last_error(), "has no usable GPU") != NULL);
    check_same_id(mpi, nccl->last_error(), size);
    /* Without a communicator: argument errors first, then every collective fails. */
    CHECK(nccl->all_reduce(NULL, 4, 5, 0, kTimeout) == 1);
    CHECK(strstr(nccl->last_error(), "dtype 5") != NULL);
    CHECK(nccl->broadcast(NULL, 0, 0, kTimeout) == 11);
    CHECK(strstr(nccl->last_error(), "no NCCL communicator") != NULL);
  } else {
    if (status != 0) fprintf(stderr, "rank %d: %s\n", (int)rank, nccl->last_error());
    CHECK(status == 0 && r == rank && n == size && local == local_rank);
    printf("rank %d of %d: NCCL joined\n", (int)rank, (int)size);
  }
  if (failures) fprintf(stderr, "rank %d: %d checks failed\n", (int)rank, failures);
  return failures ? 1 : 0;
}
