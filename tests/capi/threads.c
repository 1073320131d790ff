/* mt_capi_threads_test: the C API's thread rules (C99 + pthreads; also run under TSan).
 *
 * The main thread makes shared tensors; WORKERS threads then, at the same time and for
 * ROUNDS rounds each:
 * - read the shared tensors: as operands of ops, by queries, mt_get, mt_to_buffer and
 *   mt_to_dlpack, and retain/release them;
 * - build and differentiate graphs of their own (over the shared tensors), odd workers in
 *   their own no-grad mode, which must not leak to other threads;
 * - fail calls on purpose, each checking that mt_last_error() is its own message;
 * - use the global settings: the default generator, the thread count, diagnostics.
 * One tensor over caller memory is handed to the workers with one reference each and released
 * by them only: its deleter must run once, on a worker. Every result is checked against values
 * the main thread computed before the workers started.
 * Then handles cross threads: one thread makes thousands, another (as a garbage collector's
 * finalizer would) releases them, and the first makes more, reusing the slots; and two threads
 * release one layer at the same moment: exactly one frees it, the other is told. */
#include <dlpack/dlpack.h>
#include <minitensor/minitensor.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

enum { WORKERS = 4, ROUNDS = 60, N = 48 };

/* Made by the main thread before the workers start; only read while they run. */
static mt_tensor* shared_a; /* (N, N) float32, uniform in [-1, 1) */
static mt_tensor* shared_b; /* (N,) float32, 0, 0.5, 1, ... */
static double a_values[N * N];
static double ref_sum[N * N]; /* a + b, broadcast */
static double ref_ab[N];      /* a @ b */
static void* a_data;          /* a's memory, as its DLPack export shows it */

/* A tensor over `handed_data` that only the workers release (one reference each). */
static float handed_data[N];
static mt_tensor* handed;
static pthread_t main_thread;
static pthread_barrier_t start_together;
static int handed_deletes; /* written by the deleter, read after the joins */
static int handed_deleted_on_main;

static void handed_delete(void* data, void* context) {
  (void)context;
  handed_deletes += data == handed_data;
  handed_deleted_on_main = pthread_equal(pthread_self(), main_thread);
}

typedef struct {
  int id;
  int failures;
} worker;

#define WCHECK(w, cond) worker_check((w), (cond) != 0, __LINE__, #cond)
static int worker_check(worker* w, int ok, int line, const char* expr) {
  if (!ok) {
    ++w->failures;
    fprintf(stderr, "%s:%d: worker %d: FAILED: %s (last error: \"%s\")\n", __FILE__, line, w->id,
            expr, mt_last_error());
  }
  return ok;
}

static int close_to(double got, double expected) {
  const double diff = got > expected ? got - expected : expected - got;
  return diff <= 1e-4 * (1 + (expected > 0 ? expected : -expected));
}

/* Every read of the shared tensors gives the main thread's values. */
static void read_shared(worker* w) {
  double got[N * N];
  int64_t shape[2] = {0, 0}, numel = 0;
  int32_t ndim = 0, contiguous = 0;
  double value = 0;
  mt_tensor *sum = NULL, *ab = NULL;
  DLManagedTensor* exported = NULL;
  int i, close = 1;
  WCHECK(w, mt_zip(MT_ZIP_ADD, shared_a, shared_b, &sum) == MT_OK);
  WCHECK(w, mt_to_buffer(sum, got, MT_FLOAT64, N * N) == MT_OK &&
                memcmp(got, ref_sum, sizeof ref_sum) == 0);
  WCHECK(w, mt_matmul(shared_a, shared_b, &ab) == MT_OK);
  WCHECK(w, mt_to_buffer(ab, got, MT_FLOAT64, N) == MT_OK);
  for (i = 0; i < N; ++i)
    close = close && close_to(got[i], ref_ab[i]);
  WCHECK(w, close);
  WCHECK(w, mt_to_buffer(shared_a, got, MT_FLOAT64, N * N) == MT_OK &&
                memcmp(got, a_values, sizeof a_values) == 0);
  WCHECK(w, mt_ndim(shared_a, &ndim) == MT_OK && ndim == 2);
  WCHECK(w, mt_shape(shared_a, shape, 2) == MT_OK && shape[0] == N && shape[1] == N);
  WCHECK(w, mt_numel(shared_b, &numel) == MT_OK && numel == N);
  WCHECK(w, mt_is_contiguous(shared_a, &contiguous) == MT_OK && contiguous == 1);
  WCHECK(w,
         mt_get(shared_a, (const int64_t[]){1, 2}, 2, &value) == MT_OK && value == a_values[N + 2]);
  WCHECK(w, mt_get(handed, (const int64_t[]){3}, 1, &value) == MT_OK && value == 3);
  WCHECK(w, mt_to_dlpack(shared_a, &exported) == MT_OK && exported->dl_tensor.data == a_data &&
                exported->dl_tensor.ndim == 2 && exported->dl_tensor.shape[1] == N);
  if (exported) exported->deleter(exported);
  mt_release(sum);
  mt_release(ab);
}

/* loss = sum((x @ a) * b) for x of this worker: d loss / dx = a @ b. With grad mode off the
 * loss records nothing. */
static void own_graph(worker* w, int grad_on) {
  double xv[N], got[N], expected = 0;
  mt_tensor *x = NULL, *xa = NULL, *y = NULL, *loss = NULL, *grad = NULL, *acc = NULL;
  int32_t requires = -1;
  double value = 0;
  int i, close = 1;
  for (i = 0; i < N; ++i) {
    xv[i] = 0.01 * (i % 7) * (w->id + 1);
    expected += xv[i] * ref_ab[i];
  }
  WCHECK(w, mt_from_buffer(xv, MT_FLOAT64, N, (const int64_t[]){N}, 1, MT_FLOAT32, &x) == MT_OK);
  WCHECK(w, mt_set_requires_grad(x, 1) == MT_OK);
  WCHECK(w, mt_matmul(x, shared_a, &xa) == MT_OK);
  WCHECK(w, mt_zip(MT_ZIP_MUL, xa, shared_b, &y) == MT_OK);
  WCHECK(w, mt_reduce(MT_REDUCE_SUM, y, NULL, 0, 0, &loss) == MT_OK);
  WCHECK(w, mt_item(loss, &value) == MT_OK && close_to(value, expected));
  WCHECK(w, mt_requires_grad(loss, &requires) == MT_OK && requires == grad_on);
  if (grad_on) {
    WCHECK(w, mt_backward(loss, NULL, 0) == MT_OK);
    WCHECK(w, mt_grad(x, &grad) == MT_OK && mt_to_buffer(grad, got, MT_FLOAT64, N) == MT_OK);
    for (i = 0; i < N; ++i)
      close = close && close_to(got[i], ref_ab[i]);
    WCHECK(w, close);
    WCHECK(w, mt_zero_grad(x) == MT_OK);
  } else {
    WCHECK(w, mt_backward(loss, NULL, 0) == MT_ERR_INVALID_ARGUMENT);
  }
  /* An out op on a tensor of its own, reading a shared one. */
  WCHECK(w, mt_zeros((const int64_t[]){N}, 1, MT_FLOAT32, &acc) == MT_OK);
  WCHECK(w, mt_zip_out(MT_ZIP_ADD, acc, shared_b, acc) == MT_OK);
  WCHECK(w, mt_get(acc, (const int64_t[]){4}, 1, &value) == MT_OK && value == 2);
  mt_release(x);
  mt_release(xa);
  mt_release(y);
  mt_release(loss);
  mt_release(grad);
  mt_release(acc);
}

/* Retains and releases of shared handles, racing with the other workers' reads. */
static void retain_release(worker* w) {
  int i;
  for (i = 0; i < 200; ++i) {
    WCHECK(w, mt_retain(shared_a) == MT_OK);
    WCHECK(w, mt_retain(handed) == MT_OK);
    mt_release(shared_a);
    mt_release(handed);
  }
}

/* mt_last_error() is per thread: each worker sees its own message. */
static void own_errors(worker* w) {
  char expected[32];
  int64_t size = -1;
  snprintf(expected, sizeof expected, "dim %d ", 10 + w->id);
  WCHECK(w, mt_size(shared_a, 10 + w->id, &size) == MT_ERR_INDEX_OUT_OF_RANGE);
  WCHECK(w, strstr(mt_last_error(), expected) != NULL && size == -1);
  WCHECK(w, mt_size(shared_a, 0, &size) == MT_OK && size == N && mt_last_error()[0] == '\0');
}

/* The process-wide settings, from any thread. */
static void settings(worker* w, int round) {
  mt_tensor* r = NULL;
  double values[8];
  char* text = NULL;
  int i, in_range = 1;
  WCHECK(w, mt_rand((const int64_t[]){8}, 1, MT_FLOAT64, 0, 1, NULL, &r) == MT_OK);
  WCHECK(w, mt_to_buffer(r, values, MT_FLOAT64, 8) == MT_OK);
  for (i = 0; i < 8; ++i)
    in_range = in_range && values[i] >= 0 && values[i] < 1;
  WCHECK(w, in_range);
  mt_release(r);
  WCHECK(w, mt_num_threads() >= 1 && mt_current_backend() != NULL);
  if (w->id == 1) WCHECK(w, mt_set_num_threads(round % 2 ? 2 : 0) == MT_OK);
  if (w->id == 2) {
    WCHECK(w, mt_set_diagnostics(round % 2 ? MT_DIAGNOSTICS_COLLECT : MT_DIAGNOSTICS_OFF) == 0);
    WCHECK(w, mt_take_diagnostics(&text) == MT_OK && text != NULL);
    mt_string_free(text);
  }
}

static void* work(void* arg) {
  worker* w = arg;
  const int grad_on = w->id % 2 == 0;
  int round;
  pthread_barrier_wait(&start_together);
  if (!grad_on) WCHECK(w, mt_set_grad_enabled(0) == 1);
  for (round = 0; round < ROUNDS; ++round) {
    read_shared(w);
    own_graph(w, grad_on);
    retain_release(w);
    own_errors(w);
    settings(w, round);
    WCHECK(w, mt_grad_enabled() == grad_on); /* no other thread's switch reached this one */
  }
  mt_release(handed); /* this worker's reference; the last one frees the memory */
  return NULL;
}

/* --- Handles across threads --- */

enum { HANDLES = 3000 };
static mt_tensor* made[HANDLES];

static void* make_handles(void* arg) {
  int i, *failures = arg;
  for (i = 0; i < HANDLES; ++i)
    if (mt_scalar(i, MT_FLOAT64, &made[i]) != MT_OK) ++*failures;
  return NULL;
}

static void* release_handles(void* arg) {
  int i;
  (void)arg;
  for (i = 0; i < HANDLES; ++i)
    mt_release(made[i]);
  return NULL;
}

/* Made on one thread, released on another, made again: every handle holds its own value. */
static int handles_across_threads(void) {
  pthread_t maker, releaser;
  int round, i, failures = 0;
  double value = 0;
  for (round = 0; round < 3; ++round) {
    pthread_create(&maker, NULL, make_handles, &failures);
    pthread_join(maker, NULL);
    for (i = 0; i < HANDLES; ++i)
      if (mt_item(made[i], &value) != MT_OK || value != i) ++failures;
    pthread_create(&releaser, NULL, release_handles, NULL);
    pthread_join(releaser, NULL);
  }
  if (failures) fprintf(stderr, "handles across threads: %d failures\n", failures);
  return failures;
}

static mt_linear* contested;
static pthread_barrier_t release_together;
static int told[2]; /* whether each releaser's mt_last_error() reports a released handle */

static void* release_contested(void* arg) {
  int* my_told = arg;
  pthread_barrier_wait(&release_together);
  mt_linear_release(contested);
  *my_told = strstr(mt_last_error(), "released") != NULL;
  return NULL;
}

/* Two threads release one layer at the same moment: it is freed once, the other call is told. */
static int racing_releases(void) {
  pthread_t threads[2];
  int round, i, failures = 0;
  pthread_barrier_init(&release_together, NULL, 2);
  for (round = 0; round < 50; ++round) {
    if (mt_linear_create(3, 2, MT_FLOAT32, 1, NULL, &contested) != MT_OK) return 1;
    for (i = 0; i < 2; ++i)
      pthread_create(&threads[i], NULL, release_contested, &told[i]);
    for (i = 0; i < 2; ++i)
      pthread_join(threads[i], NULL);
    if (told[0] + told[1] != 1) ++failures;
  }
  pthread_barrier_destroy(&release_together);
  if (failures) fprintf(stderr, "racing releases: %d rounds not freed exactly once\n", failures);
  return failures;
}

/* Makes the shared tensors and the reference values. */
static int setup(void) {
  mt_generator* g = NULL;
  mt_tensor *sum = NULL, *ab = NULL;
  DLManagedTensor* exported = NULL;
  int i, ok;
  ok = mt_generator_create(2024, &g) == MT_OK &&
       mt_rand((const int64_t[]){N, N}, 2, MT_FLOAT32, -1, 1, g, &shared_a) == MT_OK &&
       mt_arange(0, N / 2.0, 0.5, MT_FLOAT32, &shared_b) == MT_OK &&
       mt_zip(MT_ZIP_ADD, shared_a, shared_b, &sum) == MT_OK &&
       mt_matmul(shared_a, shared_b, &ab) == MT_OK &&
       mt_to_buffer(shared_a, a_values, MT_FLOAT64, N * N) == MT_OK &&
       mt_to_buffer(sum, ref_sum, MT_FLOAT64, N * N) == MT_OK &&
       mt_to_buffer(ab, ref_ab, MT_FLOAT64, N) == MT_OK &&
       mt_to_dlpack(shared_a, &exported) == MT_OK;
  if (exported) {
    a_data = exported->dl_tensor.data;
    exported->deleter(exported);
  }
  for (i = 0; i < N; ++i)
    handed_data[i] = (float)i;
  ok = ok && mt_from_blob(handed_data, MT_FLOAT32, (const int64_t[]){N}, NULL, 1, handed_delete,
                          NULL, &handed) == MT_OK;
  for (i = 0; ok && i < WORKERS; ++i)
    ok = mt_retain(handed) == MT_OK;
  mt_release(handed); /* the main thread's own reference: from now on the workers hold it */
  mt_release(sum);
  mt_release(ab);
  mt_generator_release(g);
  if (!ok) fprintf(stderr, "setup failed: %s\n", mt_last_error());
  return ok;
}

int main(void) {
  pthread_t threads[WORKERS];
  worker workers[WORKERS];
  int i, started = 0, failures = 0;
  main_thread = pthread_self();
  if (!setup() || pthread_barrier_init(&start_together, NULL, WORKERS) != 0) return 1;
  for (i = 0; i < WORKERS; ++i) {
    workers[i].id = i;
    workers[i].failures = 0;
    if (pthread_create(&threads[i], NULL, work, &workers[i]) == 0) ++started;
  }
  if (started != WORKERS) { /* the started ones wait at the barrier forever */
    fprintf(stderr, "only %d of %d threads started\n", started, WORKERS);
    return 1;
  }
  for (i = 0; i < WORKERS; ++i) {
    pthread_join(threads[i], NULL);
    failures += workers[i].failures;
  }
  pthread_barrier_destroy(&start_together);
  if (handed_deletes != 1 || handed_deleted_on_main) {
    fprintf(stderr, "the handed-over tensor's deleter ran %d times%s\n", handed_deletes,
            handed_deleted_on_main ? ", on the main thread" : "");
    ++failures;
  }
  failures += handles_across_threads();
  failures += racing_releases();
  mt_set_diagnostics(MT_DIAGNOSTICS_OFF);
  mt_set_num_threads(0);
  mt_release(shared_a);
  mt_release(shared_b);
  printf("mt_capi_threads_test: %d workers x %d rounds, %d failures\n", WORKERS, ROUNDS, failures);
  return failures == 0 ? 0 : 1;
}
