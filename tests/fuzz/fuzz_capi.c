/* libFuzzer target over the public C API (minitensor.h, plus dlpack.h for the exchange
 * struct). The input is a program: each step reads an opcode byte and its arguments and makes
 * one API call over a small pool of handles (tensors, a generator, a layer, an MLP, an
 * optimizer, a communicator, a sampler, a DDP object, a captured graph and its plan, a traced
 * function whose C body is a fuzzed program). Captures interleave with every other call (ops
 * then record), and end before the next input. Processes are a world of one: the target removes
 * every launcher's variables from its environment before the first call. Errors are expected;
 * what this target reports (by aborting) are:
 *   - crashes, leaks, undefined behaviour (ASan, LSan, UBSan),
 *   - a status outside MT_OK..MT_ERR_CAPTURE, or MT_ERR_INTERNAL itself (a bug by
 *     definition),
 *   - mt_last_error() not "" after a success, or "" after a failure,
 *   - an out-parameter written by a failed call, or not written by a successful one,
 *   - a DLPack export that does not describe its tensor,
 *   - a deleter of mt_from_blob / mt_from_dlpack memory not called exactly once by the time
 *     every handle is released, or called after a failed call,
 *   - misuse that is accepted: a released handle (used, retained or released again) or a handle
 *     of another kind, one pointer for two out-parameters, a DLManagedTensor imported twice,
 *     a misaligned or wrapping data pointer or byte_offset, an out= op or mt_set into a tensor
 *     whose elements overlap, a nested capture, the release of a placeholder of the active
 *     capture (or of a traced function's body), a traced function run inside a capture,
 *   - a traced function's run that does not pass its body's error on (its status, or
 *     MT_ERR_INVALID_ARGUMENT for a NULL output or an unknown status), leaves a capture active
 *     or ends the caller's, or accepts a body that ended the capture itself.
 * Sizes stay small (at most kMaxNumel elements per pool tensor) so that one input runs in
 * well under a millisecond. Every input starts from the same global state and releases all it
 * made, so runs are reproducible and leaks are attributable. */
#include <dlpack/dlpack.h>
#include <math.h>
#include <minitensor/minitensor.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { kSlots = 8, kMaxNumel = 256 };

/* --- Reading the program ---------------------------------------------------------------- */

typedef struct {
  const uint8_t* data;
  size_t size;
  size_t pos;
} Input;

static uint8_t u8(Input* in) { return in->pos < in->size ? in->data[in->pos++] : 0; }
static int more(const Input* in) { return in->pos < in->size; }

/* A count or size: mostly small, sometimes invalid. */
static int64_t small(Input* in, int64_t lo, int64_t hi) {
  return lo + (int64_t)(u8(in) % (uint8_t)(hi - lo + 1));
}

/* An index or dim: small values of either sign, and now and then an extreme one. */
static int64_t index_value(Input* in) {
  static const int64_t extremes[] = {INT64_MIN,           INT64_MIN + 1, -1000000007,
                                     INT64_MAX - 1,       INT64_MAX,     (int64_t)1 << 62,
                                     -((int64_t)1 << 62), 1000000007};
  const uint8_t b = u8(in);
  if (b < 240) return (int64_t)(b % 13) - 6; /* -6..6 */
  return extremes[b % (sizeof extremes / sizeof extremes[0])];
}

/* A size in a shape: 0..4, or an invalid / overflowing one. Never a large valid size: a shape
 * that really asks for terabytes would only measure the allocator. */
static int64_t size_value(Input* in) {
  static const int64_t bad[] = {-1,       -2, INT64_MAX, (int64_t)1 << 62, ((int64_t)1 << 62) + 1,
                                INT64_MIN};
  const uint8_t b = u8(in);
  if (b < 248) return b % 5;
  return bad[b % (sizeof bad / sizeof bad[0])];
}

static double double_value(Input* in) {
  static const double table[] = {0.0,   1.0,  -1.0, 0.5,   2.0,    -2.0,   3.0, 1e-3,
                                 100.0, -0.0, 0.25, 1e308, -1e308, 1e-310, 4.0, 0.1};
  const uint8_t b = u8(in);
  if (b == 253) return NAN;
  if (b == 254) return INFINITY;
  if (b == 255) return -INFINITY;
  return table[b % (sizeof table / sizeof table[0])];
}

static int32_t dtype_value(Input* in) {
  const uint8_t b = u8(in);
  if (b < 240) return b % 2; /* MT_FLOAT32 or MT_FLOAT64 */
  return b % 2 ? -1 : 2 + (b % 7);
}

/* An op value: mostly valid, sometimes just outside the range, rarely anything. */
/* How many ops of each kind the library has: the values that have a name (mt_*_name), so that
 * a new op is fuzzed without an edit here. Set by LLVMFuzzerInitialize. */
static int32_t map_ops, zip_ops, reduce_ops;

static int32_t named_count(const char* (*name)(int32_t)) {
  int32_t n = 0;
  while (name(n) != NULL)
    ++n;
  return n;
}

static int32_t op_value(Input* in, int32_t count) {
  const uint8_t b = u8(in);
  if (b < 224) return b % count;
  if (b < 248) return (b % 2) ? -1 - (b % 3) : count + (b % 3);
  return (int32_t)((uint32_t)u8(in) << 24 | (uint32_t)u8(in) << 16 | (uint32_t)u8(in) << 8 |
                   (uint32_t)u8(in));
}

static int32_t rank_value(Input* in) {
  const uint8_t b = u8(in);
  if (b < 250) return b % 5; /* 0..4 */
  return b % 2 ? -1 : MT_MAX_RANK + (b % 3);
}

/* --- Findings ----------------------------------------------------------------------------- */

static void finding(const char* fn, const char* what) {
  fprintf(stderr, "fuzz_capi: %s: %s (last error: '%s')\n", fn, what, mt_last_error());
  abort();
}

/* MT_FUZZ_TRACE=1 in the environment prints every checked call: how to read a finding. */
static int trace;

/* Checks the status rules of every call that returns one; returns the status. */
static int32_t check(int32_t status, const char* fn) {
  const char* message = mt_last_error();
  if (trace) fprintf(stderr, "  %s -> %s %s\n", fn, mt_status_name(status), message);
  message = mt_last_error();
  if (status < MT_OK || status > MT_ERR_CAPTURE) finding(fn, "status outside the documented set");
  if (message == NULL) finding(fn, "mt_last_error() is NULL");
  if (status == MT_OK && message[0] != '\0') finding(fn, "a message after a success");
  if (status != MT_OK && message[0] == '\0') finding(fn, "no message after a failure");
  if (status == MT_ERR_INTERNAL) finding(fn, "MT_ERR_INTERNAL");
  if (strcmp(mt_status_name(status), "unknown status") == 0) finding(fn, "unnamed status");
  return status;
}

/* Out-parameters start as sentinels: a failed call must leave them so, a successful one must
 * not. */
static char sentinel_object;
#define SENTINEL ((void*)&sentinel_object)
static const int64_t kSentinelI64 = 0x5E5E5E5E5E5E5E5ELL;
static const int32_t kSentinelI32 = 0x5E5E5E5E;
static const double kSentinelF64 = -12345.678;

static void check_out(int32_t status, const void* out, const char* fn) {
  if (status != MT_OK && out != SENTINEL) finding(fn, "out-parameter written by a failed call");
  if (status == MT_OK && out == SENTINEL) finding(fn, "out-parameter not written by a success");
}
static void check_i64(int32_t status, int64_t out, const char* fn) {
  if (status != MT_OK && out != kSentinelI64) finding(fn, "int64 out written on failure");
}
static void check_i32(int32_t status, int32_t out, const char* fn) {
  if (status != MT_OK && out != kSentinelI32) finding(fn, "int32 out written on failure");
}
static void check_f64(int32_t status, double out, const char* fn) {
  if (status != MT_OK && memcmp(&out, &kSentinelF64, sizeof out) != 0)
    finding(fn, "double out written on failure");
}

/* Misuse must be refused with `status` and a message naming it. */
static void expect_refused(int32_t got, int32_t status, const char* part, const char* fn) {
  if (got != status) finding(fn, "misuse not refused with the expected status");
  if (strstr(mt_last_error(), part) == NULL) finding(fn, "the message does not name the misuse");
}

/* --- The pool ----------------------------------------------------------------------------- */

typedef struct {
  mt_tensor* tensors[kSlots];
  mt_generator* generator;
  mt_linear* linear;
  mt_mlp* mlp;
  mt_optimizer* optimizer;
  mt_communicator* communicator;
  mt_sampler* sampler;
  int64_t sampler_dataset; /* the pool sampler's data set size */
  mt_data_parallel* ddp;
  mt_graph* graph;
  mt_plan* plan;
  mt_function* function;
  int function_body; /* which of `bodies` is the function's context */
} Pool;

static Pool pool;

/* Tensor handles released for good during this input. Their slots are not reused before 1024
 * more releases on this thread, more than one input makes, so each must still be refused. */
enum { kGraves = 8 };
static mt_tensor* graveyard[kGraves];
static int graves;

static int in_pool(const mt_tensor* t) {
  for (int i = 0; i < kSlots; ++i)
    if (pool.tensors[i] == t) return 1;
  return 0;
}

/* The placeholders of the active capture (mt_capture_input's handles), and the references to
 * them whose release was refused, released once the capture ends (end_of_capture). */
enum { kPlaceholders = 64 };
static mt_tensor* placeholders[kPlaceholders];
static int placeholder_count;
static mt_tensor* owed[4 * kPlaceholders];
static int owed_count;

static int is_placeholder(const mt_tensor* t) {
  for (int i = 0; i < placeholder_count; ++i)
    if (placeholders[i] == t) return 1;
  return 0;
}

/* Releases a pool slot's handle; when no other slot holds it (a retain) and it is not `keep`
 * (about to be stored again), it joins the graveyard. A placeholder of the active capture must
 * be refused: its reference is owed until the capture ends. */
static void release_slot(int slot, const mt_tensor* keep) {
  mt_tensor* t = pool.tensors[slot];
  pool.tensors[slot] = NULL;
  mt_release(t);
  if (t != NULL && is_placeholder(t)) {
    if (strstr(mt_last_error(), "placeholder") == NULL)
      finding("mt_release", "released a placeholder of the active capture");
    if (owed_count == 4 * kPlaceholders) finding("fuzz_capi", "too many owed references");
    owed[owed_count++] = t;
    return;
  }
  if (t != NULL && t != keep && !in_pool(t)) graveyard[graves++ % kGraves] = t;
}

/* After a call that may have ended the capture: once none is active, the placeholders are
 * ordinary tensors and the refused releases are made. */
static void end_of_capture(void) {
  if (mt_capture_active()) return;
  placeholder_count = 0;
  for (int i = 0; i < owed_count; ++i) {
    int32_t ndim = kSentinelI32;
    if (check(mt_ndim(owed[i], &ndim), "mt_ndim") != MT_OK)
      finding("mt_release", "a refused release released the placeholder");
    mt_release(owed[i]);
    if (mt_last_error()[0] != '\0')
      finding("mt_release", "a placeholder refused after its capture");
  }
  owed_count = 0;
}

/* Memory lent to the library: mt_from_blob buffers and hand-made DLManagedTensors. */
static int64_t lent;     /* successful mt_from_blob / mt_from_dlpack of our own memory */
static int64_t returned; /* deleter calls for them */

/* A tensor argument: a pool slot (possibly empty), or NULL now and then; rarely a released
 * handle or a handle of another kind (which every function must refuse). */
static mt_tensor* arg(Input* in) {
  const uint8_t b = u8(in);
  if (b == 254 && graves > 0) return graveyard[u8(in) % (graves < kGraves ? graves : kGraves)];
  if (b == 253 && pool.linear != NULL) return (mt_tensor*)(void*)pool.linear;
  return b == 255 ? NULL : pool.tensors[b % kSlots];
}

static void store(Input* in, mt_tensor* tensor) {
  const int slot = u8(in) % kSlots;
  int64_t numel = 0;
  if (tensor != NULL && (check(mt_numel(tensor, &numel), "mt_numel") != MT_OK || numel < 0))
    finding("mt_numel", "no element count for a live tensor");
  if (trace && tensor != NULL) {
    int64_t dims[MT_MAX_RANK], steps[MT_MAX_RANK];
    int32_t ndim = 0;
    mt_ndim(tensor, &ndim);
    mt_shape(tensor, dims, MT_MAX_RANK);
    mt_strides(tensor, steps, MT_MAX_RANK);
    fprintf(stderr, "    -> slot %d: shape (", slot);
    for (int32_t d = 0; d < ndim; ++d)
      fprintf(stderr, "%s%lld", d ? ", " : "", (long long)dims[d]);
    fprintf(stderr, ") strides (");
    for (int32_t d = 0; d < ndim; ++d)
      fprintf(stderr, "%s%lld", d ? ", " : "", (long long)steps[d]);
    fprintf(stderr, ")\n");
  }
  release_slot(slot, tensor);
  /* Larger tensors are dropped: a pool of small tensors keeps every step fast. */
  if (numel > kMaxNumel) {
    mt_release(tensor);
    tensor = NULL;
  }
  pool.tensors[slot] = tensor;
}

/* The tensor given out by a call: checked against its sentinel, then stored. */
static void take(Input* in, int32_t status, mt_tensor* out, const char* fn, int may_be_null) {
  check_out(status, out, fn);
  if (status != MT_OK) return;
  if (out == NULL && !may_be_null) finding(fn, "NULL tensor given out by a success");
  store(in, out);
}

/* The last process handle of each kind released during this input (a world of one joins once,
 * so these are few). */
static mt_communicator* dead_communicator;
static mt_sampler* dead_sampler;
static mt_data_parallel* dead_ddp;
static mt_graph* dead_graph;
static mt_plan* dead_plan;
static mt_function* dead_function;

static void release_all(void) {
  mt_capture_abandon();
  end_of_capture();
  mt_function_release(pool.function);
  dead_function = NULL;
  mt_plan_release(pool.plan);
  mt_graph_release(pool.graph);
  dead_graph = NULL;
  dead_plan = NULL;
  mt_data_parallel_release(pool.ddp);
  mt_sampler_release(pool.sampler);
  mt_communicator_release(pool.communicator);
  dead_communicator = NULL;
  dead_sampler = NULL;
  dead_ddp = NULL;
  for (int i = 0; i < kSlots; ++i)
    release_slot(i, NULL);
  graves = 0;
  mt_optimizer_release(pool.optimizer);
  mt_mlp_release(pool.mlp);
  mt_linear_release(pool.linear);
  mt_generator_release(pool.generator);
  memset(&pool, 0, sizeof pool);
}

/* --- Helpers for arrays ------------------------------------------------------------------- */

/* Fills `dims` (room for MT_MAX_RANK + 4) with `count` values from `gen`; returns `count`
 * clamped to what the array holds for reading. */
static int32_t fill_dims(Input* in, int64_t* dims, int32_t count, int64_t (*gen)(Input*)) {
  const int32_t n = count < 0 ? 0 : (count > MT_MAX_RANK + 4 ? MT_MAX_RANK + 4 : count);
  for (int32_t i = 0; i < n; ++i)
    dims[i] = gen(in);
  return n;
}

/* A shape for a call that allocates: sizes from size_value, but valid sizes whose product
 * would pass kMaxNumel become 1 (a rank-16 shape of 4s would ask for 16 GiB). */
static void fill_shape(Input* in, int64_t* shape, int32_t ndim) {
  int64_t product = 1;
  const int32_t n = fill_dims(in, shape, ndim, size_value);
  for (int32_t i = 0; i < n; ++i) {
    if (shape[i] < 2 || shape[i] > 4) continue;
    if (product * shape[i] > kMaxNumel)
      shape[i] = 1;
    else
      product *= shape[i];
  }
}

static int64_t view_size(Input* in) { return small(in, -1, 5); }

static size_t itemsize_of(int32_t dtype) { return dtype == MT_FLOAT32 ? 4 : 8; }

/* The number of elements of a shape that fill_dims made, or -1 when it is not a valid small
 * shape. */
static int64_t numel_of(const int64_t* shape, int32_t ndim) {
  int64_t n = 1;
  if (ndim < 0 || ndim > MT_MAX_RANK) return -1;
  for (int32_t i = 0; i < ndim; ++i) {
    if (shape[i] < 0 || shape[i] > 64) return -1;
    n *= shape[i];
  }
  return n;
}

/* --- Memory lent to the library ----------------------------------------------------------- */

typedef struct {
  void* data;   /* the allocation */
  void* passed; /* what mt_from_blob got (the allocation, or NULL for an empty tensor) */
  int calls;
} Blob;

static void blob_deleter(void* data, void* context) {
  Blob* blob = (Blob*)context;
  if (blob == NULL || blob->passed != data) finding("mt_from_blob", "deleter got other arguments");
  if (++blob->calls != 1) finding("mt_from_blob", "deleter called twice");
  free(blob->data);
  free(blob);
  ++returned;
}

typedef struct {
  DLManagedTensor managed;
  int64_t shape[MT_MAX_RANK + 4];
  int64_t strides[MT_MAX_RANK + 4];
  void* data;
  int calls;
} Foreign;

static void foreign_deleter(DLManagedTensor* managed) {
  Foreign* foreign = (Foreign*)managed->manager_ctx;
  if (++foreign->calls != 1) finding("mt_from_dlpack", "deleter called twice");
  free(foreign->data);
  free(foreign);
  ++returned;
}

/* Strides in elements: row-major, random non-negative, or (rarely) negative. Returns the
 * number of elements a buffer needs to hold every element they reach (0 for no elements, 1
 * when a negative stride makes the library refuse them). */
static int64_t make_strides(Input* in, const int64_t* shape, int32_t ndim, int64_t* strides) {
  const uint8_t mode = u8(in) % 4;
  int64_t extent = 1, step = 1;
  for (int32_t d = ndim - 1; d >= 0; --d) {
    strides[d] = mode == 0 ? step : small(in, mode == 3 ? -1 : 0, 4);
    step *= shape[d] > 0 ? shape[d] : 1;
  }
  for (int32_t d = 0; d < ndim; ++d) {
    if (shape[d] == 0) return 0;
    if (strides[d] < 0) return 1; /* refused before use */
    extent += (shape[d] - 1) * strides[d];
  }
  return extent;
}

/* Whether two elements of `t` (a live pool tensor of at most kMaxNumel elements) are the same
 * memory, by comparing every pair of positions. */
static int self_overlaps(const mt_tensor* t) {
  int64_t shape[MT_MAX_RANK], strides[MT_MAX_RANK], positions[kMaxNumel], numel = 0;
  int32_t ndim = 0;
  if (mt_ndim(t, &ndim) != MT_OK || mt_numel(t, &numel) != MT_OK || numel > kMaxNumel) return 0;
  mt_shape(t, shape, MT_MAX_RANK);
  mt_strides(t, strides, MT_MAX_RANK);
  for (int64_t e = 0; e < numel; ++e) {
    int64_t rest = e, position = 0;
    for (int32_t d = ndim - 1; d >= 0; --d) {
      position += (rest % shape[d]) * strides[d];
      rest /= shape[d];
    }
    for (int64_t f = 0; f < e; ++f)
      if (positions[f] == position) return 1;
    positions[e] = position;
  }
  return 0;
}

/* A write into `dst` that succeeded: its elements must be distinct memory. */
static void check_written(int32_t status, const mt_tensor* dst, const char* fn) {
  if (status == MT_OK && self_overlaps(dst))
    finding(fn, "wrote into a tensor whose elements overlap");
}

/* --- The operations ----------------------------------------------------------------------- */

static void op_create(Input* in) {
  int64_t shape[MT_MAX_RANK + 4];
  const int32_t ndim = rank_value(in);
  fill_shape(in, shape, ndim);
  const int32_t dtype = dtype_value(in);
  mt_tensor* out = SENTINEL;
  int32_t status;
  const char* fn;
  switch (u8(in) % 8) {
    case 0: status = check(mt_empty(shape, ndim, dtype, &out), fn = "mt_empty"); break;
    case 1: status = check(mt_zeros(shape, ndim, dtype, &out), fn = "mt_zeros"); break;
    case 2: status = check(mt_ones(shape, ndim, dtype, &out), fn = "mt_ones"); break;
    case 3:
      status = check(mt_full(shape, ndim, double_value(in), dtype, &out), fn = "mt_full");
      break;
    case 4: status = check(mt_scalar(double_value(in), dtype, &out), fn = "mt_scalar"); break;
    case 5: {
      /* Bounded ranges (huge ones would only allocate), and the odd NaN / inf / 0 step. */
      const double start = (double)small(in, -4, 4), stop = (double)small(in, -4, 8);
      static const double steps[] = {1, 0.5, -1, 2, 0, 0.3, -0.5, NAN, INFINITY, 1e-300};
      const double step = steps[u8(in) % (sizeof steps / sizeof steps[0])];
      status = check(mt_arange(start, stop, step, dtype, &out), fn = "mt_arange");
      break;
    }
    case 6: {
      const double a = double_value(in), b = double_value(in);
      mt_generator* gen = u8(in) % 2 ? pool.generator : NULL;
      if (u8(in) % 2)
        status = check(mt_rand(shape, ndim, dtype, a, b, gen, &out), fn = "mt_rand");
      else
        status = check(mt_randn(shape, ndim, dtype, a, b, gen, &out), fn = "mt_randn");
      break;
    }
    default: {
      mt_tensor* y = SENTINEL;
      const int32_t kind = (int32_t)small(in, -1, 7);
      const int64_t n = small(in, -2, 40);
      status = check(mt_dataset(kind, n, u8(in), dtype, &out, &y), fn = "mt_dataset");
      check_out(status, y, fn);
      if (status == MT_OK) store(in, y);
      break;
    }
  }
  take(in, status, out, fn, 0);
}

static void op_from_buffer(Input* in) {
  int64_t shape[MT_MAX_RANK + 4];
  const int32_t ndim = rank_value(in);
  fill_shape(in, shape, ndim);
  const int32_t data_dtype = dtype_value(in), dtype = dtype_value(in);
  int64_t count = numel_of(shape, ndim);
  if (count < 0) count = small(in, 0, 8);
  count += small(in, -1, 1) * (u8(in) % 8 == 0); /* now and then one off */
  void* data = NULL;
  if (count > 0 && u8(in) != 255) {
    data = malloc((size_t)count * (data_dtype == MT_FLOAT32 ? 4 : 8));
    for (int64_t i = 0; i < count; ++i) {
      const double v = double_value(in);
      if (data_dtype == MT_FLOAT32)
        ((float*)data)[i] = (float)(isfinite(v) && fabs(v) > 1e30 ? 1e30 : v);
      else
        ((double*)data)[i] = v;
    }
  }
  mt_tensor* out = SENTINEL;
  const int32_t status =
      check(mt_from_buffer(data, data_dtype, count, shape, ndim, dtype, &out), "mt_from_buffer");
  free(data);
  take(in, status, out, "mt_from_buffer", 0);
}

/* A copy of `wrapper` (NULL if the copy fails), with `wrapper` released: it wraps memory that
 * is about to be freed, and this was its last reference. */
static mt_tensor* copy_and_release(mt_tensor* wrapper) {
  mt_tensor* copy = SENTINEL;
  const int32_t copied = check(mt_clone(wrapper, &copy), "mt_clone");
  check_out(copied, copy, "mt_clone");
  mt_release(wrapper);
  return copied == MT_OK ? copy : NULL;
}

static void op_from_blob(Input* in) {
  int64_t shape[MT_MAX_RANK + 4], strides[MT_MAX_RANK + 4];
  const int32_t ndim = rank_value(in);
  fill_shape(in, shape, ndim);
  const int32_t dtype = dtype_value(in);
  const int64_t numel = numel_of(shape, ndim);
  /* With strides NULL the library assumes row-major strides: the buffer then holds numel. */
  const int use_strides = numel >= 0 && u8(in) % 4 != 0;
  int64_t extent = use_strides ? make_strides(in, shape, ndim, strides) : numel;
  if (extent < 1) extent = 1;
  const size_t bytes = (size_t)extent * 8;
  /* Now and then the data starts 1..7 bytes in: refused unless aligned to the element size. */
  const size_t shift = u8(in) % 8 == 0 ? 1 + u8(in) % 7 : 0;
  Blob* blob = (Blob*)calloc(1, sizeof(Blob));
  blob->data = calloc(1, bytes + 8);
  for (size_t i = 0; i < bytes / 8; ++i) {
    const double v = double_value(in);
    if (dtype == MT_FLOAT32)
      ((float*)blob->data)[i] = (float)v;
    else
      ((double*)blob->data)[i] = v;
  }
  mt_tensor* out = SENTINEL;
  const int with_deleter = u8(in) % 8 != 0;
  blob->passed = u8(in) == 255 ? NULL : (char*)blob->data + shift;
  const int32_t status =
      check(mt_from_blob(blob->passed, dtype, shape, use_strides ? strides : NULL, ndim,
                         with_deleter ? blob_deleter : NULL, blob, &out),
            "mt_from_blob");
  if (status == MT_OK && blob->passed != NULL && shift % itemsize_of(dtype) != 0)
    finding("mt_from_blob", "accepted a misaligned data pointer");
  if (status != MT_OK || !with_deleter) {
    /* Still ours: on failure the deleter must not have run (blob->calls stays 0). */
    if (blob->calls != 0) finding("mt_from_blob", "deleter called by a failed call");
    /* Without a deleter the memory must outlive the tensor: keep a copy instead. */
    if (status == MT_OK) out = copy_and_release(out);
    free(blob->data);
    free(blob);
    if (status == MT_OK) store(in, out);
    return;
  }
  ++lent;
  take(in, status, out, "mt_from_blob", 0);
}

/* A second import of a DLManagedTensor whose first import lives: refused, nothing written. */
static void import_again(DLManagedTensor* managed) {
  mt_tensor* again = SENTINEL;
  const int32_t status = check(mt_from_dlpack(managed, &again), "mt_from_dlpack (again)");
  expect_refused(status, MT_ERR_INVALID_ARGUMENT, "already imported", "mt_from_dlpack");
  check_out(status, again, "mt_from_dlpack (again)");
}

static void op_dlpack(Input* in) {
  DLManagedTensor* managed = SENTINEL;
  mt_tensor* source = arg(in);
  const int32_t status = check(mt_to_dlpack(source, &managed), "mt_to_dlpack");
  check_out(status, managed, "mt_to_dlpack");
  if (status != MT_OK) return;
  /* The export describes the tensor. */
  const DLTensor* dl = &managed->dl_tensor;
  int32_t ndim = 0, dtype = 0;
  int64_t shape[MT_MAX_RANK], strides[MT_MAX_RANK];
  check(mt_ndim(source, &ndim), "mt_ndim");
  check(mt_dtype(source, &dtype), "mt_dtype");
  check(mt_shape(source, shape, MT_MAX_RANK), "mt_shape");
  check(mt_strides(source, strides, MT_MAX_RANK), "mt_strides");
  if (dl->ndim != ndim || dl->device.device_type != kDLCPU || dl->dtype.code != kDLFloat ||
      dl->dtype.lanes != 1 || dl->dtype.bits != (dtype == MT_FLOAT32 ? 32 : 64))
    finding("mt_to_dlpack", "the export's ndim, device or dtype differ from the tensor's");
  for (int32_t d = 0; d < ndim; ++d)
    if (dl->shape[d] != shape[d] || dl->strides == NULL || dl->strides[d] != strides[d])
      finding("mt_to_dlpack", "the export's shape or strides differ from the tensor's");
  if (managed->deleter == NULL) finding("mt_to_dlpack", "no deleter");
  if (u8(in) % 3 == 0) {
    managed->deleter(managed);
    return;
  }
  mt_tensor* out = SENTINEL;
  const int32_t back = check(mt_from_dlpack(managed, &out), "mt_from_dlpack");
  if (back != MT_OK) managed->deleter(managed); /* still ours */
  if (back == MT_OK && u8(in) % 4 == 0) import_again(managed);
  take(in, back, out, "mt_from_dlpack", 0);
}

/* A DLManagedTensor made here, with any device, dtype, rank, shape and strides. */
static void op_foreign_dlpack(Input* in) {
  Foreign* foreign = (Foreign*)calloc(1, sizeof(Foreign));
  DLTensor* dl = &foreign->managed.dl_tensor;
  const uint8_t device = u8(in);
  dl->device.device_type = device < 224 ? kDLCPU : (DLDeviceType)(device % 16);
  dl->device.device_id = 0;
  const uint8_t type = u8(in);
  dl->dtype.code = type < 200 ? kDLFloat : (uint8_t)(type % 6);
  dl->dtype.bits = type < 200 ? (type % 2 ? 32 : 64) : (uint8_t)(8 << (type % 4));
  dl->dtype.lanes = type < 240 ? 1 : 2;
  dl->ndim = rank_value(in);
  fill_shape(in, foreign->shape, dl->ndim);
  const int64_t numel = numel_of(foreign->shape, dl->ndim);
  const int use_strides = numel >= 0 && u8(in) % 2;
  int64_t extent =
      use_strides ? make_strides(in, foreign->shape, dl->ndim, foreign->strides) : numel;
  if (extent < 1) extent = 1;
  dl->shape = foreign->shape;
  dl->strides = use_strides ? foreign->strides : NULL;
  /* byte_offset: 0, 8 or 16 (the buffer has room), or now and then a corrupt one: not a
   * multiple of the element size, or beyond int64 (near UINT64_MAX it wraps the pointer). */
  static const uint64_t corrupt[] = {1,         2, 3, 4, 6, (uint64_t)INT64_MAX + 1, UINT64_MAX - 7,
                                     UINT64_MAX};
  const uint8_t offset_choice = u8(in);
  dl->byte_offset = offset_choice < 224
                        ? (uint64_t)(offset_choice % 3) * 8
                        : corrupt[offset_choice % (sizeof corrupt / sizeof corrupt[0])];
  const int bad_offset = dl->byte_offset > (uint64_t)INT64_MAX ||
                         (dl->dtype.bits >= 8 && dl->byte_offset % (dl->dtype.bits / 8) != 0);
  foreign->data = calloc((size_t)extent + 2, 8);
  dl->data = u8(in) == 255 ? NULL : foreign->data;
  foreign->managed.manager_ctx = foreign;
  foreign->managed.deleter = u8(in) == 255 ? NULL : foreign_deleter;
  mt_tensor* out = SENTINEL;
  const int32_t status = check(mt_from_dlpack(&foreign->managed, &out), "mt_from_dlpack");
  if (foreign->calls != 0) finding("mt_from_dlpack", "deleter called during the call");
  if (status == MT_OK && dl->data != NULL && bad_offset)
    finding("mt_from_dlpack", "accepted a misaligned or overflowing byte_offset");
  if (status == MT_OK && foreign->managed.deleter != NULL && u8(in) % 4 == 0)
    import_again(&foreign->managed);
  if (status != MT_OK || foreign->managed.deleter == NULL) {
    if (status == MT_OK) out = copy_and_release(out); /* no deleter: the memory is ours */
    free(foreign->data);
    free(foreign);
    if (status == MT_OK)
      store(in, out);
    else
      check_out(status, out, "mt_from_dlpack");
    return;
  }
  ++lent;
  take(in, status, out, "mt_from_dlpack", 0);
}

static void op_to_buffer(Input* in) {
  mt_tensor* t = arg(in);
  const int32_t dtype = dtype_value(in);
  int64_t numel = 0;
  if (t != NULL) check(mt_numel(t, &numel), "mt_numel");
  int64_t capacity = numel + small(in, -1, 1);
  if (u8(in) % 16 == 0) capacity = index_value(in);
  const size_t room = capacity > 0 && capacity <= kMaxNumel + 1 ? (size_t)capacity : 0;
  void* dst = u8(in) == 255 ? NULL : malloc(room * itemsize_of(dtype) + 1);
  check(mt_to_buffer(t, dst, dtype, capacity > (int64_t)room ? (int64_t)room : capacity),
        "mt_to_buffer");
  free(dst);
}

static void op_queries(Input* in) {
  mt_tensor* t = arg(in);
  int32_t i32 = kSentinelI32, type = kSentinelI32, index = kSentinelI32;
  int64_t i64 = kSentinelI64;
  double f64 = kSentinelF64;
  int32_t status;
  switch (u8(in) % 12) {
    case 0:
      status = check(mt_ndim(t, &i32), "mt_ndim");
      check_i32(status, i32, "mt_ndim");
      break;
    case 1:
      status = check(mt_numel(t, &i64), "mt_numel");
      check_i64(status, i64, "mt_numel");
      break;
    case 2:
      status = check(mt_dtype(t, &i32), "mt_dtype");
      check_i32(status, i32, "mt_dtype");
      if (status == MT_OK && i32 != MT_FLOAT32 && i32 != MT_FLOAT64)
        finding("mt_dtype", "unknown dtype");
      break;
    case 3:
      status = check(mt_device(t, &type, &index), "mt_device");
      check_i32(status, type, "mt_device");
      check_i32(status, index, "mt_device");
      break;
    case 4:
      status = check(mt_size(t, index_value(in), &i64), "mt_size");
      check_i64(status, i64, "mt_size");
      break;
    case 5:
      status = check(mt_stride(t, index_value(in), &i64), "mt_stride");
      check_i64(status, i64, "mt_stride");
      break;
    case 6: {
      const int32_t capacity = (int32_t)small(in, -1, MT_MAX_RANK + 1);
      const size_t room = capacity > 0 ? (size_t)capacity : 0;
      int64_t* out = u8(in) == 255 ? NULL : (int64_t*)malloc(room * sizeof(int64_t) + 1);
      if (u8(in) % 2)
        check(mt_shape(t, out, capacity), "mt_shape");
      else
        check(mt_strides(t, out, capacity), "mt_strides");
      free(out);
      break;
    }
    case 7:
      status = check(mt_is_contiguous(t, &i32), "mt_is_contiguous");
      check_i32(status, i32, "mt_is_contiguous");
      break;
    case 8:
      status = check(mt_shares_memory(t, arg(in), &i32), "mt_shares_memory");
      check_i32(status, i32, "mt_shares_memory");
      break;
    case 9:
      status = check(mt_item(t, &f64), "mt_item");
      check_f64(status, f64, "mt_item");
      break;
    case 10: {
      int64_t at[MT_MAX_RANK + 4];
      int32_t ndim = 0;
      if (t != NULL) check(mt_ndim(t, &ndim), "mt_ndim");
      if (u8(in) % 8 == 0) ndim = rank_value(in);
      fill_dims(in, at, ndim, index_value);
      if (u8(in) % 2) {
        status = check(mt_get(t, at, ndim, &f64), "mt_get");
        check_f64(status, f64, "mt_get");
      } else {
        check_written(check(mt_set(t, at, ndim, double_value(in)), "mt_set"), t, "mt_set");
      }
      break;
    }
    default: {
      char* text = SENTINEL;
      status = check(mt_to_string(t, &text), "mt_to_string");
      check_out(status, text, "mt_to_string");
      if (status == MT_OK) {
        if (strlen(text) == 0) finding("mt_to_string", "empty text");
        mt_string_free(text);
      }
      break;
    }
  }
}

static void op_view(Input* in) {
  mt_tensor* t = arg(in);
  mt_tensor* out = SENTINEL;
  int64_t dims[MT_MAX_RANK + 4];
  int32_t status;
  const char* fn;
  switch (u8(in) % 14) {
    case 0: {
      int32_t ndim = 0;
      if (t != NULL) check(mt_ndim(t, &ndim), "mt_ndim");
      if (u8(in) % 8 == 0) ndim = rank_value(in);
      const int32_t n = fill_dims(in, dims, ndim, index_value);
      if (u8(in) % 4 != 0) { /* mostly a permutation (shuffled), else the raw values */
        for (int32_t i = 0; i < n; ++i)
          dims[i] = i;
        for (int32_t i = 0; i + 1 < n; ++i) {
          const int32_t j = i + (int32_t)(u8(in) % (n - i));
          const int64_t tmp = dims[i];
          dims[i] = dims[j];
          dims[j] = tmp;
        }
      }
      status = check(mt_permute(t, u8(in) == 255 ? NULL : dims, ndim, &out), fn = "mt_permute");
      break;
    }
    case 1:
      status = check(mt_transpose(t, index_value(in), index_value(in), &out), fn = "mt_transpose");
      break;
    case 2:
    case 3:
    case 4: {
      const int32_t ndim = rank_value(in);
      fill_dims(in, dims, ndim, view_size);
      const uint8_t which = u8(in) % 3;
      if (which == 0)
        status = check(mt_view(t, dims, ndim, &out), fn = "mt_view");
      else if (which == 1)
        status = check(mt_reshape(t, dims, ndim, &out), fn = "mt_reshape");
      else
        status = check(mt_expand(t, dims, ndim, &out), fn = "mt_expand");
      break;
    }
    case 5:
      status = check(mt_narrow(t, index_value(in), index_value(in), index_value(in), &out),
                     fn = "mt_narrow");
      break;
    case 6: {
      static const int64_t steps[] = {1, 2, 3, 0, -1, INT64_MAX, INT64_MIN, 1000000007};
      const int64_t dim = index_value(in), start = index_value(in), stop = index_value(in);
      const int64_t step = steps[u8(in) % (sizeof steps / sizeof steps[0])];
      status = check(mt_slice(t, dim, start, stop, step, &out), fn = "mt_slice");
      break;
    }
    case 7:
      status = check(mt_select(t, index_value(in), index_value(in), &out), fn = "mt_select");
      break;
    case 8: status = check(mt_unsqueeze(t, index_value(in), &out), fn = "mt_unsqueeze"); break;
    case 9: status = check(mt_squeeze(t, index_value(in), &out), fn = "mt_squeeze"); break;
    case 10: status = check(mt_contiguous(t, &out), fn = "mt_contiguous"); break;
    case 11: status = check(mt_to_dtype(t, dtype_value(in), &out), fn = "mt_to_dtype"); break;
    case 12: status = check(mt_clone(t, &out), fn = "mt_clone"); break;
    default: status = check(mt_detach(t, &out), fn = "mt_detach"); break;
  }
  take(in, status, out, fn, 0);
}

static void op_compute(Input* in) {
  mt_tensor* out = SENTINEL;
  int64_t dims[MT_MAX_RANK + 4];
  int32_t status;
  const char* fn;
  switch (u8(in) % 10) {
    case 0: status = check(mt_map(op_value(in, map_ops), arg(in), &out), fn = "mt_map"); break;
    case 1: {
      const int32_t op = op_value(in, zip_ops);
      mt_tensor* a = arg(in);
      status = check(mt_zip(op, a, arg(in), &out), fn = "mt_zip");
      break;
    }
    case 2:
    case 3: {
      const int32_t op = op_value(in, reduce_ops);
      mt_tensor* a = arg(in);
      const int32_t ndims = u8(in) % 16 == 0 ? rank_value(in) : (int32_t)small(in, 0, 2);
      fill_dims(in, dims, ndims, index_value);
      const int32_t keepdim = u8(in) % 2;
      const int64_t* list = u8(in) == 255 ? NULL : dims;
      if (u8(in) % 4 == 0)
        status = check(mt_mean(a, list, ndims, keepdim, &out), fn = "mt_mean");
      else
        status = check(mt_reduce(op, a, list, ndims, keepdim, &out), fn = "mt_reduce");
      break;
    }
    case 4: {
      mt_tensor* a = arg(in);
      status = check(mt_matmul(a, arg(in), &out), fn = "mt_matmul");
      break;
    }
    case 5: { /* the out= forms, into a pool tensor (possibly an operand) */
      const uint8_t which = u8(in) % 4;
      const int32_t op = op_value(in, which == 0 ? map_ops : which == 1 ? zip_ops : reduce_ops);
      mt_tensor* a = arg(in);
      mt_tensor* b = arg(in);
      mt_tensor* dst = arg(in);
      if (which == 0) {
        check_written(check(mt_map_out(op, a, dst), "mt_map_out"), dst, "mt_map_out");
      } else if (which == 1) {
        check_written(check(mt_zip_out(op, a, b, dst), "mt_zip_out"), dst, "mt_zip_out");
      } else if (which == 2) {
        const int32_t ndims = (int32_t)small(in, 0, 2);
        fill_dims(in, dims, ndims, index_value);
        check_written(check(mt_reduce_out(op, a, dims, ndims, u8(in) % 2, dst), "mt_reduce_out"),
                      dst, "mt_reduce_out");
      } else {
        check_written(check(mt_matmul_out(a, b, dst), "mt_matmul_out"), dst, "mt_matmul_out");
      }
      return;
    }
    case 6: {
      const uint8_t which = u8(in) % 3;
      const int32_t reduction = op_value(in, MT_REDUCTION_NONE + 1);
      mt_tensor* a = arg(in);
      mt_tensor* b = arg(in);
      if (which == 0)
        status =
            check(mt_binary_cross_entropy(a, b, reduction, &out), fn = "mt_binary_cross_entropy");
      else if (which == 1)
        status = check(mt_mse_loss(a, b, reduction, &out), fn = "mt_mse_loss");
      else
        status = check(mt_cross_entropy(a, b, reduction, &out), fn = "mt_cross_entropy");
      break;
    }
    case 7: {
      const uint8_t which = u8(in) % 3;
      mt_tensor* a = arg(in);
      const int64_t dim = index_value(in);
      if (which == 0)
        status = check(mt_logsumexp(a, dim, u8(in) % 2, &out), fn = "mt_logsumexp");
      else if (which == 1)
        status = check(mt_log_softmax(a, dim, &out), fn = "mt_log_softmax");
      else
        status = check(mt_softmax(a, dim, &out), fn = "mt_softmax");
      break;
    }
    case 8: {
      /* Names: the ops are 0 .. count - 1 without gaps, anything else has no name. */
      const int32_t op = op_value(in, 32);
      if ((mt_map_name(op) != NULL) != (op >= 0 && op < map_ops))
        finding("mt_map_name", "name for an unknown op or none for a known one");
      if ((mt_zip_name(op) != NULL) != (op >= 0 && op < zip_ops))
        finding("mt_zip_name", "name for an unknown op or none for a known one");
      if ((mt_reduce_name(op) != NULL) != (op >= 0 && op < reduce_ops))
        finding("mt_reduce_name", "name for an unknown op or none for a known one");
      (void)mt_status_name(op);
      return;
    }
    default: {
      /* Retain: the same handle in a second slot; each slot then releases it once. */
      mt_tensor* t = arg(in);
      if (check(mt_retain(t), "mt_retain") == MT_OK) store(in, t);
      return;
    }
  }
  take(in, status, out, fn, 0);
}

static void op_autograd(Input* in) {
  mt_tensor* t = arg(in);
  int32_t flag = kSentinelI32, status;
  mt_tensor* out = SENTINEL;
  switch (u8(in) % 8) {
    case 0:
    case 1: check(mt_set_requires_grad(t, u8(in) % 4 != 0), "mt_set_requires_grad"); break;
    case 2:
      status = check(mt_requires_grad(t, &flag), "mt_requires_grad");
      check_i32(status, flag, "mt_requires_grad");
      status = check(mt_is_leaf(t, &flag), "mt_is_leaf");
      if (status == MT_OK && flag == 0 && mt_grad_fn_name(t) == NULL)
        finding("mt_grad_fn_name", "a non-leaf without the name of its op");
      break;
    case 3:
      status = check(mt_grad(t, &out), "mt_grad");
      take(in, status, out, "mt_grad", 1);
      break;
    case 4: check(mt_zero_grad(t), "mt_zero_grad"); break;
    case 5:
    case 6: {
      mt_tensor* grad = u8(in) % 2 ? NULL : arg(in);
      check(mt_backward(t, grad, u8(in) % 2), "mt_backward");
      break;
    }
    default: {
      const int32_t enable = u8(in) % 2;
      const int32_t was = mt_grad_enabled();
      if (mt_set_grad_enabled(enable) != was) finding("mt_set_grad_enabled", "wrong previous");
      if (mt_grad_enabled() != enable) finding("mt_grad_enabled", "mode not switched");
      break;
    }
  }
}

static void op_nn(Input* in) {
  mt_tensor* out = SENTINEL;
  int32_t status;
  switch (u8(in) % 9) {
    case 0: {
      mt_generator* gen = SENTINEL;
      const uint64_t seed = u8(in);
      status = check(mt_generator_create(seed, u8(in) == 255 ? NULL : &gen), "mt_generator_create");
      if (status == MT_OK) {
        check_out(status, gen, "mt_generator_create");
        mt_generator_release(pool.generator);
        pool.generator = gen;
      }
      break;
    }
    case 1:
      check(mt_manual_seed(u8(in) % 2 ? pool.generator : NULL, u8(in)), "mt_manual_seed");
      break;
    case 2: {
      mt_linear* layer = SENTINEL;
      const int64_t fin = small(in, -1, 5), fout = small(in, -1, 5);
      status = check(mt_linear_create(fin, fout, dtype_value(in), u8(in) % 2,
                                      u8(in) % 2 ? pool.generator : NULL, &layer),
                     "mt_linear_create");
      check_out(status, layer, "mt_linear_create");
      if (status == MT_OK) {
        mt_linear_release(pool.linear);
        pool.linear = layer;
      }
      break;
    }
    case 3: {
      const uint8_t which = u8(in) % 3;
      mt_linear* layer = u8(in) == 255 ? NULL : pool.linear;
      if (which == 0)
        status = check(mt_linear_forward(layer, arg(in), &out), "mt_linear_forward");
      else if (which == 1)
        status = check(mt_linear_weight(layer, &out), "mt_linear_weight");
      else
        status = check(mt_linear_bias(layer, &out), "mt_linear_bias");
      take(in, status, out, "mt_linear_*", which == 2);
      break;
    }
    case 4: {
      int64_t sizes[8];
      const int32_t count = (int32_t)small(in, -1, 5);
      for (int i = 0; i < 8; ++i)
        sizes[i] = small(in, -1, 5);
      mt_mlp* model = SENTINEL;
      status = check(mt_mlp_create(u8(in) == 255 ? NULL : sizes, count, dtype_value(in),
                                   u8(in) % 2 ? pool.generator : NULL, &model),
                     "mt_mlp_create");
      check_out(status, model, "mt_mlp_create");
      if (status == MT_OK) {
        mt_mlp_release(pool.mlp);
        pool.mlp = model;
      }
      break;
    }
    case 5: {
      mt_mlp* model = u8(in) == 255 ? NULL : pool.mlp;
      if (u8(in) % 2) {
        status = check(mt_mlp_forward(model, arg(in), &out), "mt_mlp_forward");
      } else {
        int32_t count = kSentinelI32;
        status = check(mt_mlp_parameter_count(model, &count), "mt_mlp_parameter_count");
        check_i32(status, count, "mt_mlp_parameter_count");
        status =
            check(mt_mlp_parameter(model, (int32_t)small(in, -1, 8), &out), "mt_mlp_parameter");
      }
      take(in, status, out, "mt_mlp_*", 0);
      break;
    }
    case 6: {
      mt_tensor* params[6];
      const int32_t count = (int32_t)small(in, -1, 4);
      for (int i = 0; i < 6; ++i)
        params[i] = arg(in);
      mt_optimizer* opt = SENTINEL;
      const double lr = double_value(in), a = double_value(in), b = double_value(in);
      if (u8(in) % 2)
        status = check(mt_sgd_create(params, count, lr, a, b, u8(in) % 2, &opt), "mt_sgd_create");
      else
        status =
            check(mt_adam_create(params, count, lr, a, b, double_value(in), double_value(in), &opt),
                  "mt_adam_create");
      check_out(status, opt, "mt_*_create");
      if (status == MT_OK) {
        mt_optimizer_release(pool.optimizer);
        pool.optimizer = opt;
      }
      break;
    }
    case 7: {
      mt_optimizer* opt = u8(in) == 255 ? NULL : pool.optimizer;
      if (u8(in) % 3)
        check(mt_optimizer_step(opt), "mt_optimizer_step");
      else
        check(mt_optimizer_zero_grad(opt), "mt_optimizer_zero_grad");
      break;
    }
    default: {
      static const char* const names[] = {"xor",     "spiral", "simple", "XOR",    "",
                                          "circle ", "diag",   "split",  "circle", NULL};
      int32_t kind = kSentinelI32;
      const char* name = names[u8(in) % (sizeof names / sizeof names[0])];
      status = check(mt_dataset_kind(name, &kind), "mt_dataset_kind");
      check_i32(status, kind, "mt_dataset_kind");
      if (status == MT_OK && strcmp(mt_dataset_name(kind), name) != 0)
        finding("mt_dataset_name", "does not name the kind mt_dataset_kind found");
      break;
    }
  }
}

/* Handle misuse and aliased out-parameters: each must be refused, never crash or leak. */
static void op_misuse(Input* in) {
  int32_t i32 = kSentinelI32;
  int64_t i64 = kSentinelI64;
  mt_tensor* dead = graves > 0 ? graveyard[u8(in) % (graves < kGraves ? graves : kGraves)] : NULL;
  switch (u8(in) % 5) {
    case 0: /* a released handle, used or retained */
      if (dead == NULL) return;
      i32 = kSentinelI32;
      expect_refused(check(mt_ndim(dead, &i32), "mt_ndim"), MT_ERR_INVALID_ARGUMENT, "released",
                     "mt_ndim");
      check_i32(MT_ERR_INVALID_ARGUMENT, i32, "mt_ndim");
      expect_refused(check(mt_retain(dead), "mt_retain"), MT_ERR_INVALID_ARGUMENT, "released",
                     "mt_retain");
      break;
    case 1: /* released again: a message, nothing else */
      if (dead == NULL) return;
      mt_release(dead);
      if (strstr(mt_last_error(), "released") == NULL)
        finding("mt_release", "a second release went unnoticed");
      break;
    case 2: /* a handle of another kind */
      if (pool.linear != NULL)
        expect_refused(check(mt_numel((mt_tensor*)(void*)pool.linear, &i64), "mt_numel"),
                       MT_ERR_INVALID_ARGUMENT, "not an mt_tensor", "mt_numel");
      if (pool.tensors[0] != NULL)
        expect_refused(check(mt_mlp_parameter_count((mt_mlp*)(void*)pool.tensors[0], &i32),
                             "mt_mlp_parameter_count"),
                       MT_ERR_INVALID_ARGUMENT, "not an mt_mlp", "mt_mlp_parameter_count");
      break;
    case 3: { /* one pointer for both tensors of a dataset */
      mt_tensor* same = SENTINEL;
      const int32_t status = check(
          mt_dataset((int32_t)small(in, 0, 5), small(in, 0, 20), u8(in), MT_FLOAT32, &same, &same),
          "mt_dataset");
      expect_refused(status, MT_ERR_INVALID_ARGUMENT, "same pointer", "mt_dataset");
      check_out(status, same, "mt_dataset");
      break;
    }
    default: { /* one pointer for both numbers of mt_device and mt_cuda_memory_stats */
      mt_tensor* t = arg(in);
      const int32_t status = check(mt_device(t, &i32, &i32), "mt_device");
      if (status != MT_ERR_INVALID_ARGUMENT) finding("mt_device", "aliased outs not refused");
      check_i32(status, i32, "mt_device");
      expect_refused(check(mt_cuda_memory_stats(0, &i64, &i64), "mt_cuda_memory_stats"),
                     MT_ERR_INVALID_ARGUMENT, "same pointer", "mt_cuda_memory_stats");
      check_i64(MT_ERR_INVALID_ARGUMENT, i64, "mt_cuda_memory_stats");
      break;
    }
  }
}

/* --- Processes, in a world of one ----------------------------------------------------------- */

/* A process handle argument: the pool's (possibly NULL), NULL now and then, and rarely the
 * input's last released one of the kind, or a tensor or `other` (a process handle of another
 * kind) cast to the kind. `misuse` is then the part of the message that must refuse it. */
typedef struct {
  void* handle;
  const char* misuse;
} ProcessArg;

static ProcessArg process_arg(Input* in, void* live, void* dead, void* other) {
  const uint8_t b = u8(in);
  ProcessArg a = {live, NULL};
  if (b == 255) a.handle = NULL;
  if (b == 254 && dead != NULL) a = (ProcessArg){dead, "released"};
  if (b == 253 && pool.tensors[0] != NULL) a = (ProcessArg){pool.tensors[0], "an mt_tensor handle"};
  if (b == 252 && other != NULL) a = (ProcessArg){other, " handle, not an mt_"};
  return a;
}

/* The call's status after a misused handle: refused, naming the misuse. */
static int32_t check_process(int32_t status, ProcessArg a, const char* fn) {
  check(status, fn);
  if (a.misuse != NULL) expect_refused(status, MT_ERR_INVALID_ARGUMENT, a.misuse, fn);
  return status;
}

/* A size for the sampler and DDP: mostly small, sometimes negative or huge (never a large
 * valid one: a data set of 10^9 samples would only measure the allocator). */
static int64_t process_size(Input* in, int64_t hi) {
  static const int64_t extremes[] = {INT64_MIN, -1, INT64_MAX, (int64_t)1 << 62, (int64_t)1 << 60};
  const uint8_t b = u8(in);
  if (b < 248) return (int64_t)(b % (hi + 2)) - 1; /* -1..hi */
  return extremes[b % (sizeof extremes / sizeof extremes[0])];
}

static int32_t process_rank(Input* in) {
  const uint8_t b = u8(in);
  if (b < 248) return (int32_t)(b % 6) - 1; /* -1..4 */
  return b % 2 ? INT32_MIN : INT32_MAX;
}

/* A new pool handle replaces the old one, which joins the dead (released) ones. */
#define REPLACE(slot, dead, fresh, release) \
  do {                                      \
    release(slot);                          \
    if ((slot) != NULL) (dead) = (slot);    \
    (slot) = (fresh);                       \
  } while (0)

static void communicator_op(Input* in) {
  ProcessArg c = process_arg(in, pool.communicator, dead_communicator, pool.ddp);
  mt_communicator* comm = (mt_communicator*)c.handle;
  int32_t i32 = kSentinelI32, status;
  int32_t* out = u8(in) == 255 ? NULL : &i32;
  switch (u8(in) % 5) {
    case 0: {
      mt_communicator* made = SENTINEL;
      status = check(mt_communicator_from_environment(out == NULL ? NULL : &made),
                     "mt_communicator_from_environment");
      check_out(status, made, "mt_communicator_from_environment");
      if (status != MT_OK) return;
      /* A world of one, always: the environment has no launcher. */
      if (mt_communicator_size(made, &i32) != MT_OK || i32 != 1)
        finding("mt_communicator_size", "not a world of one");
      REPLACE(pool.communicator, dead_communicator, made, mt_communicator_release);
      return;
    }
    case 1:
      status = check_process(mt_communicator_rank(comm, out), c, "mt_communicator_rank");
      if (status == MT_OK && i32 != 0) finding("mt_communicator_rank", "not rank 0 of 1");
      break;
    case 2:
      status = check_process(mt_communicator_size(comm, out), c, "mt_communicator_size");
      if (status == MT_OK && i32 != 1) finding("mt_communicator_size", "not a world of one");
      break;
    case 3:
      status =
          check_process(mt_communicator_local_rank(comm, out), c, "mt_communicator_local_rank");
      if (status == MT_OK && i32 != 0) finding("mt_communicator_local_rank", "not 0");
      break;
    default: {
      char* engine = SENTINEL;
      status = check_process(mt_communicator_engine(comm, out == NULL ? NULL : &engine), c,
                             "mt_communicator_engine");
      check_out(status, engine, "mt_communicator_engine");
      if (status == MT_OK && strcmp(engine, "none") != 0)
        finding("mt_communicator_engine", "not the engine of a world of one");
      if (status == MT_OK) mt_string_free(engine);
      return;
    }
  }
  check_i32(status, i32, "mt_communicator_*");
}

static void collective_op(Input* in) {
  ProcessArg c = process_arg(in, pool.communicator, dead_communicator, pool.ddp);
  mt_communicator* comm = (mt_communicator*)c.handle;
  mt_tensor* t = arg(in);
  int32_t status;
  switch (u8(in) % 4) {
    case 0: {
      const int32_t op = op_value(in, reduce_ops), mode = op_value(in, 2);
      status = check_process(mt_all_reduce(comm, t, op, mode), c, "mt_all_reduce");
      check_written(status, t, "mt_all_reduce");
      break;
    }
    case 1:
      status = check_process(mt_broadcast(comm, t, process_rank(in)), c, "mt_broadcast");
      check_written(status, t, "mt_broadcast");
      break;
    case 2: {
      mt_tensor* out = SENTINEL;
      status =
          check_process(mt_all_gather(comm, t, u8(in) == 255 ? NULL : &out), c, "mt_all_gather");
      take(in, status, out, "mt_all_gather", 0);
      break;
    }
    default: check_process(mt_barrier(comm), c, "mt_barrier"); break;
  }
}

static void sampler_op(Input* in) {
  ProcessArg s = process_arg(in, pool.sampler, dead_sampler, pool.communicator);
  const mt_sampler* sampler = (const mt_sampler*)s.handle;
  int64_t i64 = kSentinelI64, indices[64];
  int32_t status;
  switch (u8(in) % 4) {
    case 0: {
      const int64_t dataset = process_size(in, 40), batch = process_size(in, 12);
      const int32_t world = process_rank(in), rank = process_rank(in);
      const uint64_t seed = u8(in) == 255 ? UINT64_MAX : u8(in);
      mt_sampler* made = SENTINEL;
      status =
          check(mt_sampler_create(dataset, batch, world, rank, seed, u8(in) == 255 ? NULL : &made),
                "mt_sampler_create");
      check_out(status, made, "mt_sampler_create");
      if (status != MT_OK) return;
      REPLACE(pool.sampler, dead_sampler, made, mt_sampler_release);
      pool.sampler_dataset = dataset;
      return;
    }
    case 1:
      status = check_process(mt_sampler_steps(sampler, u8(in) == 255 ? NULL : &i64), s,
                             "mt_sampler_steps");
      check_i64(status, i64, "mt_sampler_steps");
      i64 = kSentinelI64; /* a success above wrote it */
      status = check_process(mt_sampler_local_batch(sampler, u8(in) == 255 ? NULL : &i64), s,
                             "mt_sampler_local_batch");
      check_i64(status, i64, "mt_sampler_local_batch");
      return;
    case 2:
      check_process(mt_sampler_set_epoch((mt_sampler*)s.handle, index_value(in)), s,
                    "mt_sampler_set_epoch");
      return;
    default: {
      /* The count is mostly the local batch (at most 40 here, so `indices` holds it). */
      int64_t count = small(in, -1, 8);
      const int64_t step = index_value(in);
      if (u8(in) % 2 && mt_sampler_local_batch(sampler, &count) != MT_OK) count = 1;
      status =
          check_process(mt_sampler_indices(sampler, step, u8(in) == 255 ? NULL : indices, count), s,
                        "mt_sampler_indices");
      /* A block of distinct indices of the data set. */
      for (int64_t i = 0; status == MT_OK && sampler == pool.sampler && i < count; ++i) {
        if (indices[i] < 0 || indices[i] >= pool.sampler_dataset)
          finding("mt_sampler_indices", "an index outside the data set");
        for (int64_t j = 0; j < i; ++j)
          if (indices[j] == indices[i]) finding("mt_sampler_indices", "an index twice in a block");
      }
      return;
    }
  }
}

static void ddp_op(Input* in) {
  ProcessArg d = process_arg(in, pool.ddp, dead_ddp, pool.sampler);
  mt_data_parallel* ddp = (mt_data_parallel*)d.handle;
  int64_t i64 = kSentinelI64;
  int32_t status;
  switch (u8(in) % 4) {
    case 0: {
      ProcessArg c = process_arg(in, pool.communicator, dead_communicator, pool.ddp);
      mt_tensor* params[4];
      const int32_t count = (int32_t)small(in, -1, 4);
      for (int i = 0; i < 4; ++i)
        params[i] = arg(in);
      const int64_t bucket_bytes = process_size(in, 64);
      mt_data_parallel* made = SENTINEL;
      status = check_process(
          mt_data_parallel_create((mt_communicator*)c.handle, u8(in) == 255 ? NULL : params, count,
                                  bucket_bytes, u8(in) == 255 ? NULL : &made),
          c, "mt_data_parallel_create");
      check_out(status, made, "mt_data_parallel_create");
      if (status != MT_OK) return;
      REPLACE(pool.ddp, dead_ddp, made, mt_data_parallel_release);
      return;
    }
    case 1:
      check_process(mt_data_parallel_reduce_gradients(ddp), d, "mt_data_parallel_reduce_gradients");
      return;
    case 2:
      check_process(mt_data_parallel_set_no_sync(ddp, (int32_t)index_value(in)), d,
                    "mt_data_parallel_set_no_sync");
      return;
    default:
      status = check_process(mt_data_parallel_bucket_count(ddp, u8(in) == 255 ? NULL : &i64), d,
                             "mt_data_parallel_bucket_count");
      check_i64(status, i64, "mt_data_parallel_bucket_count");
      if (status == MT_OK && i64 < 0) finding("mt_data_parallel_bucket_count", "negative");
      return;
  }
}

/* --- Capture and plans ---------------------------------------------------------------------- */

/* 4 tensor arguments (pool tensors, NULL, released, other kinds: arg) for mt_capture_end's
 * outputs and mt_plan_run's inputs; the count is `usual` (at most 4), sometimes another or -1. */
static int64_t tensor_list(Input* in, mt_tensor** list, int64_t usual) {
  const int64_t n = u8(in) % 8 == 0 ? small(in, 0, 4) : usual;
  for (int64_t i = 0; i < 4; ++i)
    list[i] = arg(in);
  return u8(in) == 255 ? -1 : n;
}

/* The 5 outputs of a run (sentinels before it): a failure writes none, a success exactly
 * n_outputs, none NULL. */
static void check_results(int32_t status, mt_tensor* const* results, int64_t n_out,
                          const char* fn) {
  for (int i = 0; i < 5; ++i) {
    const int written = results[i] != SENTINEL;
    if (written != (status == MT_OK && i < n_out))
      finding(fn, "outputs written on failure, or past n_outputs, or not at all");
    if (written && results[i] == NULL) finding(fn, "a NULL output");
  }
}

static void capture_op(Input* in) {
  mt_tensor* list[4];
  switch (u8(in) % 4) {
    case 0: {
      const int32_t was = mt_capture_active();
      const int32_t status = check(mt_capture_begin(), "mt_capture_begin");
      if (was) expect_refused(status, MT_ERR_CAPTURE, "nest", "mt_capture_begin");
      if (mt_capture_active() != 1) finding("mt_capture_active", "0 after mt_capture_begin");
      return;
    }
    case 1: {
      int64_t shape[MT_MAX_RANK + 4];
      const int32_t ndim = rank_value(in);
      fill_shape(in, shape, ndim);
      mt_tensor* out = SENTINEL;
      const int32_t dtype = dtype_value(in);
      mt_tensor** given = u8(in) == 255 ? NULL : &out;
      const int32_t was = mt_capture_active();
      const int32_t status = check(mt_capture_input(shape, ndim, dtype, given), "mt_capture_input");
      if (!was && status == MT_OK) finding("mt_capture_input", "a placeholder outside a capture");
      if (status == MT_OK && placeholder_count < kPlaceholders)
        placeholders[placeholder_count++] = out;
      else if (status == MT_OK) { /* more than the fuzzer tracks: dropped at once */
        mt_capture_abandon();
        end_of_capture();
      }
      take(in, status, out, "mt_capture_input", 0);
      return;
    }
    case 2: {
      mt_graph* out = SENTINEL;
      const int64_t count = tensor_list(in, list, small(in, 0, 2));
      mt_tensor* const* outputs = u8(in) == 255 ? NULL : list;
      mt_graph** given = u8(in) == 255 ? NULL : &out;
      const int32_t was = mt_capture_active();
      const int32_t status = check(mt_capture_end(outputs, count, given), "mt_capture_end");
      check_out(status, out, "mt_capture_end");
      if (!was && status == MT_OK) finding("mt_capture_end", "ended a capture that was not active");
      if (status == MT_OK) REPLACE(pool.graph, dead_graph, out, mt_graph_release);
      end_of_capture();
      return;
    }
    default:
      mt_capture_abandon();
      if (mt_capture_active() != 0) finding("mt_capture_abandon", "the capture is still active");
      end_of_capture();
      return;
  }
}

/* Compiles with fusion or (MINITENSOR_FUSION=0) without; fused plans may not run on a backend
 * without fused kernels (MT_ERR_UNSUPPORTED). */
static void compile_op(Input* in) {
  ProcessArg g = process_arg(in, pool.graph, dead_graph, pool.plan);
  mt_plan* out = SENTINEL;
  if (u8(in) % 2) setenv("MINITENSOR_FUSION", "0", 1);
  const int32_t status = check_process(
      mt_graph_compile((mt_graph*)g.handle, u8(in) == 255 ? NULL : &out), g, "mt_graph_compile");
  unsetenv("MINITENSOR_FUSION");
  check_out(status, out, "mt_graph_compile");
  if (status == MT_OK) REPLACE(pool.plan, dead_plan, out, mt_plan_release);
}

static void plan_op(Input* in) {
  ProcessArg p = process_arg(in, pool.plan, dead_plan, pool.graph);
  mt_plan* plan = (mt_plan*)p.handle;
  const int64_t inputs = mt_plan_input_count(plan), outputs = mt_plan_output_count(plan);
  if ((inputs < 0) != (plan == NULL || p.misuse != NULL) || (inputs < 0) != (outputs < 0))
    finding("mt_plan_input_count", "-1 for a live plan, or a count for a bad handle");
  switch (u8(in) % 3) {
    case 0: {
      mt_tensor* results[5] = {SENTINEL, SENTINEL, SENTINEL, SENTINEL, SENTINEL};
      mt_tensor* list_of_inputs[4];
      const int64_t count = tensor_list(in, list_of_inputs, inputs < 0 || inputs > 4 ? 1 : inputs);
      int64_t n_out = outputs < 0 ? 1 : outputs;
      if (u8(in) % 8 == 0) n_out += small(in, -1, 1);
      if (n_out > 4) n_out = 4; /* the plan then refuses it, naming its own count */
      mt_tensor* const* given_inputs = u8(in) == 255 ? NULL : list_of_inputs;
      mt_tensor** given_results = u8(in) == 255 ? NULL : results;
      const int32_t status = check_process(
          mt_plan_run(plan, given_inputs, count, given_results, n_out), p, "mt_plan_run");
      check_results(status, results, n_out, "mt_plan_run");
      for (int64_t i = 0; status == MT_OK && i < n_out; ++i)
        store(in, results[i]);
      return;
    }
    case 1: {
      int64_t s[5] = {kSentinelI64, kSentinelI64, kSentinelI64, kSentinelI64, kSentinelI64};
      int64_t* outs[5] = {&s[0], &s[1], &s[2], &s[3], &s[4]};
      const uint8_t alias = u8(in);
      if (alias < 10) outs[alias % 5] = alias < 5 ? NULL : outs[(alias + 1) % 5];
      const int32_t status = check_process(
          mt_plan_stats(plan, outs[0], outs[1], outs[2], outs[3], outs[4]), p, "mt_plan_stats");
      if (alias < 10 && status == MT_OK) finding("mt_plan_stats", "a NULL or aliased out accepted");
      for (int i = 0; i < 5; ++i)
        check_i64(status, s[i], "mt_plan_stats");
      if (status == MT_OK && (s[0] < 0 || s[1] < 0 || s[2] > s[1] || s[3] < 0 || s[4] < 0))
        finding("mt_plan_stats", "impossible numbers");
      return;
    }
    default: {
      char* text = SENTINEL;
      const int32_t status =
          check_process(mt_plan_report(plan, u8(in) == 255 ? NULL : &text), p, "mt_plan_report");
      check_out(status, text, "mt_plan_report");
      if (status == MT_OK) mt_string_free(text);
      return;
    }
  }
}

/* The plan cache, shared by every compile: its numbers (sometimes through a NULL or aliased
 * out), the latest miss, a bound (sometimes negative, which is refused), a clear. */
static void plan_cache_op(Input* in) {
  switch (u8(in) % 4) {
    case 0: {
      int64_t s[4] = {kSentinelI64, kSentinelI64, kSentinelI64, kSentinelI64};
      int64_t* outs[4] = {&s[0], &s[1], &s[2], &s[3]};
      const uint8_t alias = u8(in);
      if (alias < 8) outs[alias % 4] = alias < 4 ? NULL : outs[(alias + 1) % 4];
      const int32_t status =
          check(mt_plan_cache_stats(outs[0], outs[1], outs[2], outs[3]), "mt_plan_cache_stats");
      if (alias < 8 && status == MT_OK)
        finding("mt_plan_cache_stats", "a NULL or aliased out accepted");
      for (int i = 0; i < 4; ++i)
        check_i64(status, s[i], "mt_plan_cache_stats");
      if (status == MT_OK && (s[0] < 0 || s[0] > s[1] || s[2] < 0 || s[3] < 0))
        finding("mt_plan_cache_stats", "impossible numbers");
      return;
    }
    case 1: {
      char* text = SENTINEL;
      const int32_t status =
          check(mt_plan_cache_last_miss(u8(in) == 255 ? NULL : &text), "mt_plan_cache_last_miss");
      check_out(status, text, "mt_plan_cache_last_miss");
      if (status == MT_OK) mt_string_free(text);
      return;
    }
    case 2: {
      const int64_t bound = small(in, -1, 8);
      const int32_t status =
          check(mt_plan_cache_set_max_entries(bound), "mt_plan_cache_set_max_entries");
      if ((status == MT_OK) != (bound >= 0))
        finding("mt_plan_cache_set_max_entries", "a negative bound accepted or a valid refused");
      return;
    }
    default: check(mt_plan_cache_clear(), "mt_plan_cache_clear"); return;
  }
}

/* --- Traced functions ----------------------------------------------------------------------- */

/* A function's body is a short program over its placeholders, pool tensors and its own results,
 * decided from the input when the function is made (the library calls it at each new input
 * signature) and kept in its context, with a twist that breaks the body's contract in one way.
 * The context also records what the body's last call returned, for the checks of the run. */
enum { kMaxSteps = 6, kMaxFunctionInputs = 3, kMaxFunctionOutputs = 2 };

typedef enum {
  kStepMap,
  kStepZip,
  kStepReduce,
  kStepMean,
  kStepFlatten, /* a reshape to (numel,): a size the body derives from its input */
  kStepTranspose,
  kStepNarrow, /* dim x without its last row: a length derived from the input */
  kStepUnsqueeze,
  kStepScalar, /* a constant made in the capture */
  kStepItem,   /* a value read, which a capture refuses */
  kStepKinds
} StepKind;

typedef struct {
  StepKind kind;
  int32_t op;
  uint8_t a, b;    /* operands: a value of the body (placeholder or result), else a pool slot */
  int64_t dims[2]; /* reduce dims, transpose / narrow / unsqueeze dims */
  int32_t ndims, keepdim;
  double value;
} Step;

typedef enum {
  kBodyProgram,       /* returns its picks, or the status of the first call that fails */
  kBodyNullOutput,    /* returns MT_OK with one output left NULL */
  kBodyBogusStatus,   /* stores its outputs, then returns a status no call gave, or none */
  kBodyReleasesInput, /* tries mt_release on a placeholder first (refused) */
  kBodyEndsCapture,   /* ends or abandons the library's capture at a step, maybe begins anew */
  kBodyKinds
} BodyKind;

typedef struct {
  BodyKind kind;
  int64_t n_inputs, n_outputs; /* what mt_function_new was given */
  Step steps[kMaxSteps];
  int n_steps;
  int fail_at;                          /* the step whose call gets a NULL out (-1: none) */
  int twist_at;                         /* the step (or n_steps) where kBodyEndsCapture acts */
  uint8_t twist;                        /* which output stays NULL, input to release, capture act */
  uint8_t outputs[kMaxFunctionOutputs]; /* the picks given out, retained */
  int32_t bogus;
  int calls;        /* calls of the body */
  int32_t returned; /* what its last call returned */
  int ended;        /* whether its last call ended the capture without beginning another */
} Body;

/* The bodies of the pool function and of the one made before it: a context must outlive its
 * function, and a released function must never call its body again. */
static Body bodies[2];

static mt_tensor* operand(uint8_t pick, mt_tensor* const* values, int n_values) {
  const int p = pick % (n_values + kSlots);
  return p < n_values ? values[p] : pool.tensors[p - n_values];
}

/* One step into *out (NULL: the call is made with a NULL out-pointer, which it must refuse). */
static int32_t body_step(const Step* s, mt_tensor* a, mt_tensor* b, mt_tensor** out) {
  int64_t size = 0;
  double value = 0;
  switch (s->kind) {
    case kStepMap: return check(mt_map(s->op, a, out), "body: mt_map");
    case kStepZip: return check(mt_zip(s->op, a, b, out), "body: mt_zip");
    case kStepReduce:
      return check(mt_reduce(s->op, a, s->dims, s->ndims, s->keepdim, out), "body: mt_reduce");
    case kStepMean: return check(mt_mean(a, s->dims, s->ndims, s->keepdim, out), "body: mt_mean");
    case kStepFlatten: {
      const int32_t status = check(mt_numel(a, &size), "body: mt_numel");
      if (status != MT_OK) return status;
      return check(mt_reshape(a, &size, 1, out), "body: mt_reshape");
    }
    case kStepTranspose:
      return check(mt_transpose(a, s->dims[0], s->dims[1], out), "body: mt_transpose");
    case kStepNarrow: {
      const int32_t status = check(mt_size(a, s->dims[0], &size), "body: mt_size");
      if (status != MT_OK) return status;
      return check(mt_narrow(a, s->dims[0], 0, size > 0 ? size - 1 : 0, out), "body: mt_narrow");
    }
    case kStepUnsqueeze: return check(mt_unsqueeze(a, s->dims[0], out), "body: mt_unsqueeze");
    case kStepScalar: return check(mt_scalar(s->value, s->op & 1, out), "body: mt_scalar");
    default: {
      const int32_t status = check(mt_item(a, out == NULL ? NULL : &value), "body: mt_item");
      if (status == MT_OK) *out = NULL; /* a read outside the capture: no tensor */
      return status;
    }
  }
}

/* The body's own end of the library's capture (kBodyEndsCapture): abandon it, or end it with
 * no output or one of its values; then, now and then, begin another. */
static void end_capture_in_body(Body* body, mt_tensor* const* values, int n_values) {
  int32_t status = MT_OK;
  if (body->twist % 3 == 0) {
    mt_capture_abandon();
  } else {
    /* An argument error (a NULL or released output) leaves the capture active. */
    mt_graph* graph = SENTINEL;
    mt_tensor* output = operand(body->twist, values, n_values);
    const int64_t count = body->twist % 3 == 1 ? 0 : 1;
    status = check(mt_capture_end(&output, count, &graph), "body: mt_capture_end");
    check_out(status, graph, "body: mt_capture_end");
    if (status == MT_OK) mt_graph_release(graph);
  }
  if (status == MT_OK && mt_capture_active() != 0)
    finding("body: mt_capture_end", "the capture is still active");
  if (body->twist & 8) check(mt_capture_begin(), "body: mt_capture_begin");
  /* A capture the body began is the one the library then ends. */
  body->ended = !mt_capture_active();
}

/* The program: its steps, then its picks retained into `outputs` (the twists leave them). */
static int32_t run_program(Body* body, mt_tensor* const* inputs, mt_tensor** outputs,
                           int64_t n_outputs) {
  mt_tensor* values[kMaxFunctionInputs + kMaxSteps];
  int n_values = (int)body->n_inputs;
  int32_t status = MT_OK;
  for (int i = 0; i < n_values; ++i) /* (inputs may be NULL when there are none) */
    values[i] = inputs[i];
  for (int i = 0; i < body->n_steps && status == MT_OK; ++i) {
    const Step* s = &body->steps[i];
    if (body->kind == kBodyEndsCapture && i == body->twist_at)
      end_capture_in_body(body, values, n_values);
    mt_tensor* result = SENTINEL;
    status = body_step(s, operand(s->a, values, n_values), operand(s->b, values, n_values),
                       i == body->fail_at ? NULL : &result);
    check_out(status, result, "body: step");
    if (status == MT_OK) values[n_values++] = result;
  }
  if (body->kind == kBodyEndsCapture && body->twist_at >= body->n_steps && status == MT_OK)
    end_capture_in_body(body, values, n_values);
  for (int64_t j = 0; j < n_outputs && status == MT_OK; ++j) {
    if (body->kind == kBodyNullOutput && j == body->twist % n_outputs) continue;
    mt_tensor* pick = operand(body->outputs[j], values, n_values);
    status = check(mt_retain(pick), "body: mt_retain");
    if (status == MT_OK) outputs[j] = pick;
  }
  /* Intermediates go before the capture ends: the plan need not keep them. */
  for (int i = (int)body->n_inputs; i < n_values; ++i)
    mt_release(values[i]);
  return status;
}

static mt_status_t fuzzed_body(void* context, mt_tensor* const* inputs, int64_t n_inputs,
                               mt_tensor** outputs, int64_t n_outputs) {
  Body* body = (Body*)context;
  ++body->calls;
  body->ended = 0;
  if (n_inputs != body->n_inputs || n_outputs != body->n_outputs)
    finding("mt_function_run", "the body got other counts than the function's");
  if (mt_capture_active() != 1) finding("mt_function_run", "the body runs outside a capture");
  for (int64_t j = 0; j < n_outputs; ++j)
    if (outputs[j] != NULL) finding("mt_function_run", "an output not NULL on entry to the body");
  if (body->kind == kBodyReleasesInput && n_inputs > 0) {
    mt_tensor* input = inputs[body->twist % n_inputs];
    int32_t ndim = kSentinelI32;
    mt_release(input);
    if (strstr(mt_last_error(), "placeholder") == NULL)
      finding("mt_release", "released a placeholder of a traced function");
    if (check(mt_ndim(input, &ndim), "body: mt_ndim") != MT_OK)
      finding("mt_release", "a refused release released the placeholder");
  }
  int32_t status = run_program(body, inputs, outputs, n_outputs);
  if (body->kind == kBodyBogusStatus && status == MT_OK) status = body->bogus;
  body->returned = status;
  return status;
}

/* A new body, drawn from the input, in the context that the pool function does not use. */
static Body* draw_body(Input* in, int64_t n_inputs, int64_t n_outputs) {
  /* No MT_ERR_INTERNAL: mt_function_run passes a known status on, and that one is a finding. */
  static const int32_t bogus[] = {-1,        99,        MT_ERR_CAPTURE + 1,
                                  INT32_MIN, INT32_MAX, MT_ERR_SHAPE_MISMATCH};
  Body* body = &bodies[pool.function_body ^ 1];
  memset(body, 0, sizeof *body);
  body->kind = (BodyKind)(u8(in) % kBodyKinds);
  body->n_inputs = n_inputs;
  body->n_outputs = n_outputs;
  body->n_steps = (int)small(in, 0, kMaxSteps);
  for (int i = 0; i < body->n_steps; ++i) {
    Step* s = &body->steps[i];
    s->kind = (StepKind)(u8(in) % kStepKinds);
    s->op = op_value(in, s->kind == kStepMap   ? map_ops
                         : s->kind == kStepZip ? zip_ops
                                               : reduce_ops);
    s->a = u8(in);
    s->b = u8(in);
    s->ndims = (int32_t)small(in, 0, 2);
    fill_dims(in, s->dims, 2, index_value);
    s->keepdim = u8(in) % 2;
    s->value = double_value(in);
  }
  body->fail_at = u8(in) % 4 == 0 ? (int)small(in, 0, kMaxSteps - 1) : -1;
  body->twist_at = (int)small(in, 0, kMaxSteps);
  body->twist = u8(in);
  for (int j = 0; j < kMaxFunctionOutputs; ++j)
    body->outputs[j] = u8(in);
  body->bogus = bogus[u8(in) % (sizeof bogus / sizeof bogus[0])];
  return body;
}

static void function_new_op(Input* in) {
  const int64_t n_inputs = small(in, -1, kMaxFunctionInputs);
  const int64_t n_outputs = u8(in) % 8 == 0 ? small(in, -1, 0) : small(in, 1, kMaxFunctionOutputs);
  Body* body = draw_body(in, n_inputs, n_outputs);
  mt_function* made = SENTINEL;
  const mt_function_body code = u8(in) == 255 ? NULL : fuzzed_body;
  mt_function** given = u8(in) == 255 ? NULL : &made;
  const int32_t status =
      check(mt_function_new(code, body, n_inputs, n_outputs, given), "mt_function_new");
  check_out(status, made, "mt_function_new");
  if (status != MT_OK) return;
  REPLACE(pool.function, dead_function, made, mt_function_release);
  pool.function_body ^= 1;
}

/* What a run or a plan of a function did about its capture and its body. `was` is whether a
 * capture was active before the call, `calls` the body's calls before it. */
static void check_traced(int32_t status, int32_t was, const Body* body, int calls, const char* fn) {
  const int called = body != NULL && body->calls != calls;
  if (body != NULL && body->calls > calls + 1) finding(fn, "the body called more than once");
  if (was) {
    /* The caller's capture is not the function's: refused (or, for a known signature's plan,
     * given), and left active. */
    if (called) finding(fn, "the body called inside the caller's capture");
    if (status != MT_OK && status != MT_ERR_CAPTURE && status != MT_ERR_INVALID_ARGUMENT)
      finding(fn, "a call inside a capture not refused with MT_ERR_CAPTURE");
    if (mt_capture_active() != 1) finding(fn, "the caller's capture ended");
    return;
  }
  if (mt_capture_active() != 0) finding(fn, "a capture left active");
  if (!called) return;
  if (body->returned != MT_OK) {
    const int known = strcmp(mt_status_name(body->returned), "unknown status") != 0;
    if (status != (known ? body->returned : MT_ERR_INVALID_ARGUMENT))
      finding(fn, "not the body's status (or MT_ERR_INVALID_ARGUMENT for a bogus one)");
    if (known && strstr(mt_last_error(), mt_status_name(body->returned)) == NULL)
      finding(fn, "the message does not name the body's status");
  } else if (status == MT_OK && body->n_outputs > 0 && body->kind == kBodyNullOutput) {
    finding(fn, "a body's NULL output accepted");
  } else if (status == MT_OK && body->ended) {
    finding(fn, "a body that ended the capture itself accepted");
  }
}

/* The body of a function handle: the pool function's, else none (a misused handle must not
 * reach a body). */
static const Body* body_of(const void* function) {
  return function != NULL && function == pool.function ? &bodies[pool.function_body] : NULL;
}

static void function_run_op(Input* in) {
  ProcessArg f = process_arg(in, pool.function, dead_function, pool.graph);
  mt_function* function = (mt_function*)f.handle;
  const Body* body = body_of(function);
  mt_tensor* results[5] = {SENTINEL, SENTINEL, SENTINEL, SENTINEL, SENTINEL};
  mt_tensor* inputs[4];
  const int64_t count = tensor_list(in, inputs, body != NULL ? body->n_inputs : 1);
  int64_t n_out = body != NULL ? body->n_outputs : 1;
  if (u8(in) % 8 == 0) n_out += small(in, -1, 1);
  if (n_out > 4) n_out = 4;
  mt_tensor* const* given_inputs = u8(in) == 255 ? NULL : inputs;
  mt_tensor** given_results = u8(in) == 255 ? NULL : results;
  const int32_t was = mt_capture_active();
  const int calls = body != NULL ? body->calls : 0;
  const int32_t status = check_process(
      mt_function_run(function, given_inputs, count, given_results, n_out), f, "mt_function_run");
  check_traced(status, was, body, calls, "mt_function_run");
  check_results(status, results, n_out, "mt_function_run");
  for (int64_t i = 0; status == MT_OK && i < n_out; ++i)
    store(in, results[i]);
}

static void function_plan_op(Input* in) {
  ProcessArg f = process_arg(in, pool.function, dead_function, pool.graph);
  mt_function* function = (mt_function*)f.handle;
  const Body* body = body_of(function);
  mt_tensor* inputs[4];
  const int64_t count = tensor_list(in, inputs, body != NULL ? body->n_inputs : 1);
  mt_plan* plan = SENTINEL;
  const int32_t was = mt_capture_active();
  const int calls = body != NULL ? body->calls : 0;
  mt_tensor* const* given_inputs = u8(in) == 255 ? NULL : inputs;
  mt_plan** given = u8(in) == 255 ? NULL : &plan;
  const int32_t status =
      check_process(mt_function_plan(function, given_inputs, count, given), f, "mt_function_plan");
  check_traced(status, was, body, calls, "mt_function_plan");
  check_out(status, plan, "mt_function_plan");
  if (status != MT_OK) return;
  if (body == NULL) finding("mt_function_plan", "a plan for a bad handle");
  if (mt_plan_input_count(plan) != body->n_inputs || mt_plan_output_count(plan) != body->n_outputs)
    finding("mt_function_plan", "a plan with other counts than the function's");
  int64_t s[5] = {kSentinelI64, kSentinelI64, kSentinelI64, kSentinelI64, kSentinelI64};
  if (check(mt_plan_stats(plan, &s[0], &s[1], &s[2], &s[3], &s[4]), "mt_plan_stats") != MT_OK)
    finding("mt_plan_stats", "no stats for a function's plan");
  /* Kept for plan_op, or released (and then misused there as the dead plan). */
  if (u8(in) % 2) {
    REPLACE(pool.plan, dead_plan, plan, mt_plan_release);
  } else {
    mt_plan_release(plan);
    dead_plan = plan;
  }
}

static void function_op(Input* in) {
  switch (u8(in) % 6) {
    case 0: function_new_op(in); return;
    case 1:
    case 2: function_run_op(in); return;
    case 3: function_plan_op(in); return;
    case 4: {
      /* The plans kept: at most 64 for a live function, -1 with a message for a bad handle. */
      ProcessArg f = process_arg(in, pool.function, dead_function, pool.graph);
      const int64_t n = mt_function_plan_count((const mt_function*)f.handle);
      if (trace) fprintf(stderr, "  mt_function_plan_count -> %lld\n", (long long)n);
      if (body_of(f.handle) != NULL && (n < 0 || n > 64 || mt_last_error()[0] != '\0'))
        finding("mt_function_plan_count", "not 0..64 for a live function");
      if (body_of(f.handle) == NULL && (n != -1 || mt_last_error()[0] == '\0'))
        finding("mt_function_plan_count", "not -1 with a message for a bad handle");
      if (f.misuse != NULL && strstr(mt_last_error(), f.misuse) == NULL)
        finding("mt_function_plan_count", "the message does not name the misuse");
      return;
    }
    default: {
      /* Release: the pool's (which joins the dead), or a misused handle, refused. */
      ProcessArg f = process_arg(in, pool.function, dead_function, pool.graph);
      mt_function_release((mt_function*)f.handle);
      if (f.misuse != NULL && strstr(mt_last_error(), f.misuse) == NULL)
        finding("mt_function_release", "a misused handle not refused");
      if (f.handle != NULL && f.handle == pool.function) {
        dead_function = pool.function;
        pool.function = NULL;
      }
      return;
    }
  }
}

/* Capture, compile, run; taken from the releases, as processes are. */
static void op_capture(Input* in) {
  switch (u8(in) % 5) {
    case 0:
    case 1: capture_op(in); break;
    case 2: compile_op(in); break;
    case 3: plan_cache_op(in); break;
    default: plan_op(in); break;
  }
}

static void op_process(Input* in) {
  switch (u8(in) % 4) {
    case 0: communicator_op(in); break;
    case 1: collective_op(in); break;
    case 2: sampler_op(in); break;
    default: ddp_op(in); break;
  }
}

/* The process-wide settings an input changed, restored before the next one. */
static int threads_changed, backend_changed, diagnostics_changed;

static void op_runtime(Input* in) {
  switch (u8(in) % 5) {
    case 0: {
      static const char* const names[] = {"cpu_par", "cpu_seq", "", "cuda", "cpu_par ", NULL};
      const char* name = names[u8(in) % (sizeof names / sizeof names[0])];
      backend_changed = 1;
      if (check(mt_set_backend(name), "mt_set_backend") == MT_OK &&
          strcmp(mt_current_backend(), name) != 0)
        finding("mt_current_backend", "not the backend just set");
      break;
    }
    case 1: {
      const int32_t threads = (int32_t)small(in, -1, 3);
      threads_changed = 1;
      check(mt_set_num_threads(threads), "mt_set_num_threads");
      if (mt_num_threads() < 1) finding("mt_num_threads", "less than one thread");
      break;
    }
    case 2: {
      /* OFF or COLLECT (PRINT would only fill stderr), or an invalid mode. */
      static const int32_t modes[] = {MT_DIAGNOSTICS_OFF, MT_DIAGNOSTICS_COLLECT, 3, -1};
      diagnostics_changed = 1;
      check(mt_set_diagnostics(modes[u8(in) % 4]), "mt_set_diagnostics");
      break;
    }
    case 3: {
      char* text = SENTINEL;
      const int32_t status =
          check(mt_take_diagnostics(u8(in) == 255 ? NULL : &text), "mt_take_diagnostics");
      if (status == MT_OK) {
        check_out(status, text, "mt_take_diagnostics");
        mt_string_free(text);
      }
      break;
    }
    default: {
      const int32_t count = mt_backend_count();
      for (int32_t i = -1; i <= count; ++i)
        if ((mt_backend_name(i) != NULL) != (i >= 0 && i < count))
          finding("mt_backend_name", "a name out of range or none in range");
      break;
    }
  }
}

/* --- The entry points --------------------------------------------------------------------- */

static void reset_globals(void) {
  mt_capture_abandon(); /* no input starts in a capture */
  end_of_capture();
  mt_set_grad_enabled(1);
  if (backend_changed) check(mt_set_backend("cpu_par"), "mt_set_backend");
  if (threads_changed) check(mt_set_num_threads(2), "mt_set_num_threads");
  if (diagnostics_changed) {
    char* text = NULL;
    check(mt_set_diagnostics(MT_DIAGNOSTICS_OFF), "mt_set_diagnostics");
    check(mt_take_diagnostics(&text), "mt_take_diagnostics");
    mt_string_free(text);
  }
  threads_changed = backend_changed = diagnostics_changed = 0;
  check(mt_manual_seed(NULL, 42), "mt_manual_seed");
}

/* Processes are a world of one: no launcher's variables (core/dist/launcher.cpp's list), so no
 * engine is loaded and a communicator costs nothing, whatever shell runs the target; and no
 * MINITENSOR_DIST_* setting of that shell. */
static void leave_any_launcher(void) {
  static const char* const names[] = {"OMPI_COMM_WORLD_SIZE",
                                      "PMI_SIZE",
                                      "PMIX_RANK",
                                      "SLURM_NTASKS",
                                      "MINITENSOR_DIST_TIMEOUT",
                                      "MINITENSOR_DIST_MPI_PLUGIN",
                                      "MINITENSOR_DIST_ENGINE",
                                      "MINITENSOR_DIST_DEBUG"};
  mt_communicator* world = NULL;
  char* engine = NULL;
  for (size_t i = 0; i < sizeof names / sizeof names[0]; ++i)
    unsetenv(names[i]);
  if (mt_communicator_from_environment(&world) != MT_OK ||
      mt_communicator_engine(world, &engine) != MT_OK || strcmp(engine, "none") != 0) {
    fprintf(stderr, "fuzz_capi: not a world of one (engine %s): %s\n", engine ? engine : "?",
            mt_last_error());
    abort();
  }
  mt_string_free(engine);
  mt_communicator_release(world);
}

int LLVMFuzzerInitialize(int* argc, char*** argv);

int LLVMFuzzerInitialize(int* argc, char*** argv) {
  (void)argc;
  (void)argv;
  trace = getenv("MT_FUZZ_TRACE") != NULL && strcmp(getenv("MT_FUZZ_TRACE"), "0") != 0;
  map_ops = named_count(mt_map_name);
  zip_ops = named_count(mt_zip_name);
  reduce_ops = named_count(mt_reduce_name);
  leave_any_launcher();
  threads_changed = backend_changed = diagnostics_changed = 1;
  reset_globals();
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Input in = {data, size, 0};
  lent = returned = 0;
  reset_globals();
  for (int steps = 0; more(&in) && steps < 200; ++steps) {
    switch (u8(&in) % 16) {
      case 0:
      case 1: op_create(&in); break;
      case 2: op_from_buffer(&in); break;
      case 3: op_from_blob(&in); break;
      case 4: op_dlpack(&in); break;
      case 5: op_foreign_dlpack(&in); break;
      case 6: op_to_buffer(&in); break;
      case 7: op_queries(&in); break;
      case 8:
      case 9: op_view(&in); break;
      case 10:
      case 11: op_compute(&in); break;
      case 12: op_autograd(&in); break;
      case 13: op_nn(&in); break;
      case 14: op_runtime(&in); break;
      default: { /* release a slot, misuse handles, or processes */
        const uint8_t b = u8(&in);
        if (b >= 224)
          op_misuse(&in);
        else if (b >= 208) /* taken from the releases, so older inputs keep their meaning */
          op_process(&in);
        else if (b >= 200)
          op_capture(&in);
        else if (b >= 192)
          function_op(&in);
        else
          release_slot(b % kSlots, NULL);
        break;
      }
    }
  }
  release_all();
  /* Every handle is gone, so every lent buffer must have been handed back exactly once. */
  if (returned != lent) finding("mt_release", "a deleter of lent memory was not called");
  reset_globals();
  return 0;
}
